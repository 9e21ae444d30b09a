//! Figures per server, and the side-by-side table (plain text or markdown).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::options::{Config, SingleOp};

/// One workload's figure, or why there is none.
pub type Outcome = Result<f64, String>;

/// Every figure reported, in report order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Metric {
    SingleTxn,
    BulkInsert,
    Rss,
    PeakRss,
    ShowTime,
    MonitorP50,
    MonitorP99,
}

/// Which way a figure improves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Better {
    Higher,
    Lower,
}

/// The goal DESIGN.md sets for our figure.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Target {
    /// ours/theirs at least this.
    RatioAtLeast(f64),
    /// ours/theirs at most this.
    RatioAtMost(f64),
    /// Our figure at most this, in the metric's unit.
    AtMost(f64),
    None,
}

impl Metric {
    pub const ALL: [Metric; 7] = [
        Metric::SingleTxn,
        Metric::BulkInsert,
        Metric::Rss,
        Metric::PeakRss,
        Metric::ShowTime,
        Metric::MonitorP50,
        Metric::MonitorP99,
    ];

    /// A short name for notes below the table.
    pub fn name(self) -> &'static str {
        match self {
            Metric::SingleTxn => "single-row transactions",
            Metric::BulkInsert => "bulk insert",
            Metric::Rss => "RSS",
            Metric::PeakRss => "peak RSS",
            Metric::ShowTime => "ovs-vsctl show",
            Metric::MonitorP50 => "update latency p50",
            Metric::MonitorP99 => "update latency p99",
        }
    }

    pub fn unit(self) -> &'static str {
        match self {
            Metric::SingleTxn => "txn/s",
            Metric::BulkInsert => "rows/s",
            Metric::Rss | Metric::PeakRss => "MiB",
            Metric::ShowTime => "s",
            Metric::MonitorP50 | Metric::MonitorP99 => "ms",
        }
    }

    pub fn better(self) -> Better {
        match self {
            Metric::SingleTxn | Metric::BulkInsert => Better::Higher,
            _ => Better::Lower,
        }
    }

    pub fn target(self) -> Target {
        match self {
            Metric::SingleTxn | Metric::BulkInsert => Target::RatioAtLeast(2.0),
            Metric::Rss | Metric::ShowTime => Target::RatioAtMost(0.5),
            Metric::MonitorP50 => Target::AtMost(1.0),
            Metric::PeakRss | Metric::MonitorP99 => Target::None,
        }
    }

    /// What was measured, with the sizes of this run.
    pub fn label(self, cfg: &Config, r: &Results) -> String {
        let rows = |n: Option<usize>, fallback: usize| n.unwrap_or(fallback);
        match self {
            Metric::SingleTxn => format!(
                "single-row transactions, 1 client ({})",
                match cfg.single_op {
                    SingleOp::Update => "update one row",
                    SingleOp::Insert => "insert one QoS row",
                }
            ),
            Metric::BulkInsert => format!(
                "bulk insert, {} ports + {} interfaces per txn, to {} rows",
                cfg.bulk_batch,
                cfg.bulk_batch,
                rows(r.bulk_rows, cfg.bulk_rows)
            ),
            Metric::Rss => format!("server RSS with {} rows", rows(r.rss_rows, cfg.rss_rows)),
            Metric::PeakRss => format!(
                "server peak RSS (VmHWM) with {} rows",
                rows(r.rss_rows, cfg.rss_rows)
            ),
            Metric::ShowTime => format!(
                "ovs-vsctl show with {} rows, median of {}",
                rows(r.bulk_rows, cfg.bulk_rows),
                cfg.show_runs
            ),
            Metric::MonitorP50 => format!(
                "update to {} monitoring clients, p50 of {} commits",
                cfg.monitors, cfg.commits
            ),
            Metric::MonitorP99 => format!(
                "update to {} monitoring clients, p99 of {} commits",
                cfg.monitors, cfg.commits
            ),
        }
    }
}

/// One server's figures.
#[derive(Clone, Debug, Default)]
pub struct Results {
    pub values: BTreeMap<Metric, Outcome>,
    /// Rows in the database when the bulk rate and `show` were measured.
    pub bulk_rows: Option<usize>,
    /// Rows in the database when RSS was read.
    pub rss_rows: Option<usize>,
    /// Lines `ovs-vsctl show` printed.
    pub show_lines: Option<usize>,
}

impl Results {
    pub fn set(&mut self, m: Metric, o: Outcome) {
        self.values.insert(m, o);
    }

    pub fn get(&self, m: Metric) -> Option<&Outcome> {
        self.values.get(&m)
    }
}

/// One row of the side-by-side table.
struct Row {
    label: String,
    theirs: String,
    ours: String,
    ratio: String,
    better: &'static str,
    target: String,
}

fn rows(cfg: &Config, theirs: &Results, ours: &Result<Results, String>) -> Vec<Row> {
    Metric::ALL
        .iter()
        .map(|&m| {
            let t = figure(theirs.get(m));
            let o = match ours {
                Ok(r) => figure(r.get(m)),
                Err(_) => None,
            };
            let ratio = match (t, o) {
                (Some(t), Some(o)) if t > 0.0 => Some(o / t),
                _ => None,
            };
            Row {
                label: format!("{} [{}]", m.label(cfg, theirs), m.unit()),
                theirs: cell(theirs.get(m)),
                ours: match ours {
                    Ok(r) => cell(r.get(m)),
                    Err(_) => "unavailable".into(),
                },
                ratio: ratio.map_or("-".into(), |r| format!("{r:.2}x")),
                better: match m.better() {
                    Better::Higher => "higher",
                    Better::Lower => "lower",
                },
                target: target_cell(m.target(), ratio, o),
            }
        })
        .collect()
}

fn figure(o: Option<&Outcome>) -> Option<f64> {
    o.and_then(|o| o.as_ref().ok()).copied()
}

fn cell(o: Option<&Outcome>) -> String {
    match o {
        Some(Ok(v)) => number(*v),
        Some(Err(_)) => "failed".into(),
        None => "-".into(),
    }
}

fn target_cell(t: Target, ratio: Option<f64>, ours: Option<f64>) -> String {
    let verdict = |met: Option<bool>| match met {
        Some(true) => ": met",
        Some(false) => ": not met",
        None => "",
    };
    match t {
        Target::RatioAtLeast(x) => format!("≥ {x}x{}", verdict(ratio.map(|r| r >= x))),
        Target::RatioAtMost(x) => format!("≤ {x}x{}", verdict(ratio.map(|r| r <= x))),
        Target::AtMost(x) => format!("ours ≤ {x}{}", verdict(ours.map(|o| o <= x))),
        Target::None => "-".into(),
    }
}

/// A figure with as many digits as mean something: thousands grouped for big
/// numbers, three significant digits for small ones.
pub fn number(v: f64) -> String {
    if v >= 1000.0 {
        let whole = v.round() as u64;
        let digits = whole.to_string();
        let mut out = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push(',');
            }
            out.push(c);
        }
        out
    } else if v >= 100.0 {
        format!("{v:.0}")
    } else if v >= 10.0 {
        format!("{v:.1}")
    } else if v >= 1.0 {
        format!("{v:.2}")
    } else {
        format!("{v:.3}")
    }
}

/// Why workloads failed, one line each, for below the table.
fn failures(theirs: &Results, ours: &Result<Results, String>) -> Vec<String> {
    let mut out = Vec::new();
    let mut add = |who: &str, r: &Results| {
        for m in Metric::ALL {
            if let Some(Err(e)) = r.get(m) {
                out.push(format!("{who}, {}: {e}", m.name()));
            }
        }
    };
    add("theirs", theirs);
    match ours {
        Ok(r) => add("ours", r),
        Err(e) => out.push(format!("ours: unavailable ({e})")),
    }
    out
}

/// A note when the two servers made `ovs-vsctl show` print different amounts.
fn show_note(theirs: &Results, ours: &Result<Results, String>) -> Option<String> {
    let (
        Some(t),
        Ok(Results {
            show_lines: Some(o),
            ..
        }),
    ) = (theirs.show_lines, ours)
    else {
        return None;
    };
    (t != *o).then(|| {
        format!("note: ovs-vsctl show printed {t} lines against theirs but {o} against ours")
    })
}

/// The plain-text table for a terminal.
pub fn render_text(cfg: &Config, theirs: &Results, ours: &Result<Results, String>) -> String {
    let rows = rows(cfg, theirs, ours);
    let w = rows
        .iter()
        .map(|r| r.label.chars().count())
        .max()
        .unwrap_or(0);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<w$}  {:>12}  {:>12}  {:>11}  {:<6}  target",
        "workload", "theirs", "ours", "ours/theirs", "better"
    );
    for r in &rows {
        let _ = writeln!(
            out,
            "{:<w$}  {:>12}  {:>12}  {:>11}  {:<6}  {}",
            r.label, r.theirs, r.ours, r.ratio, r.better, r.target
        );
    }
    for line in failures(theirs, ours)
        .into_iter()
        .chain(show_note(theirs, ours))
    {
        let _ = writeln!(out, "{line}");
    }
    out
}

/// The same table in markdown, for docs/PERFORMANCE.md.
pub fn render_markdown(cfg: &Config, theirs: &Results, ours: &Result<Results, String>) -> String {
    let mut out = String::new();
    out.push_str("| workload | real ovsdb-server | ours | ours/theirs | better | target |\n");
    out.push_str("|---|---:|---:|---:|---|---|\n");
    for r in rows(cfg, theirs, ours) {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            r.label, r.theirs, r.ours, r.ratio, r.better, r.target
        );
    }
    let notes: Vec<String> = failures(theirs, ours)
        .into_iter()
        .chain(show_note(theirs, ours))
        .collect();
    if !notes.is_empty() {
        out.push('\n');
        for n in notes {
            let _ = writeln!(out, "- {n}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn results(v: &[(Metric, Outcome)]) -> Results {
        let mut r = Results::default();
        for (m, o) in v {
            r.set(*m, o.clone());
        }
        r
    }

    #[test]
    fn numbers_keep_meaningful_digits() {
        assert_eq!(number(9412.4), "9,412");
        assert_eq!(number(1_234_567.0), "1,234,567");
        assert_eq!(number(364.2), "364");
        assert_eq!(number(2.5), "2.50");
        assert_eq!(number(0.1234), "0.123");
    }

    #[test]
    fn ratio_and_target_verdicts() {
        let cfg = Config::default();
        let theirs = results(&[
            (Metric::SingleTxn, Ok(1000.0)),
            (Metric::Rss, Ok(400.0)),
            (Metric::MonitorP50, Ok(2.0)),
        ]);
        let ours = Ok(results(&[
            (Metric::SingleTxn, Ok(2500.0)),
            (Metric::Rss, Ok(300.0)),
            (Metric::MonitorP50, Err("monitor_cond failed".into())),
        ]));
        let text = render_text(&cfg, &theirs, &ours);
        let line = |start: &str| {
            text.lines()
                .find(|l| l.starts_with(start))
                .unwrap_or_else(|| panic!("no line {start} in\n{text}"))
                .to_string()
        };
        let txn = line("single-row");
        assert!(
            txn.contains("2.50x") && txn.contains("higher") && txn.contains("≥ 2x: met"),
            "{txn}"
        );
        let rss = line("server RSS");
        assert!(
            rss.contains("0.75x") && rss.contains("≤ 0.5x: not met"),
            "{rss}"
        );
        let p50 = line("update to 100 monitoring clients, p50");
        assert!(p50.contains("failed") && p50.contains("ours ≤ 1"), "{p50}");
        assert!(
            text.contains("ours, update latency p50: monitor_cond failed"),
            "{text}"
        );
    }

    #[test]
    fn ours_unavailable_still_reports_theirs() {
        let cfg = Config::default();
        let theirs = results(&[(Metric::BulkInsert, Ok(44_000.0))]);
        let md = render_markdown(&cfg, &theirs, &Err("no binary".into()));
        assert!(md.contains("| 44,000 | unavailable | - |"), "{md}");
        assert!(md.contains("- ours: unavailable (no binary)"), "{md}");
    }

    #[test]
    fn differing_show_output_is_noted() {
        let theirs = Results {
            show_lines: Some(10),
            ..Results::default()
        };
        let ours = Ok(Results {
            show_lines: Some(9),
            ..Results::default()
        });
        let note = show_note(&theirs, &ours).unwrap();
        assert!(
            note.contains("10 lines") && note.contains("9 against ours"),
            "{note}"
        );
    }
}
