//! Figures by workload, server and client, and the side-by-side table (plain text or
//! markdown): per server, the real client's figure, ours, and the ratio ours/theirs.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use ovsdb_bench::report::number;

use crate::growth::Window;
use crate::sides::Side;

/// A figure in seconds, or why there is none.
pub type Outcome = Result<f64, String>;

/// What was timed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Workload {
    /// The add-port of the Nth port on the bridge (the median of its window).
    AddPort(usize),
    /// An add-port with the database loaded to scale.
    AtScale,
}

/// Our reading of "flat as the port count grows": the last point's median within
/// this factor of the first's.
pub const FLAT_GROWTH: f64 = 1.25;

/// The ceiling for our add-port at scale, in seconds.
pub const AT_SCALE_LIMIT: f64 = 0.050;

/// Everything one run measured.
#[derive(Clone, Debug)]
pub struct Results {
    pub windows: Vec<Window>,
    /// Keyed by (workload, server, client).
    pub values: BTreeMap<(Workload, Side, Side), Outcome>,
    /// Port + Interface rows per server's database when the at-scale runs began.
    pub scale_rows: BTreeMap<Side, usize>,
    /// Rows asked for, for the label when no database got loaded.
    pub scale_rows_requested: usize,
    pub scale_runs: usize,
    /// Whether our client and our server were run, or why not.
    pub ours_vsctl: Result<(), String>,
    pub ours_server: Result<(), String>,
}

impl Default for Results {
    fn default() -> Results {
        Results {
            windows: Vec::new(),
            values: BTreeMap::new(),
            scale_rows: BTreeMap::new(),
            scale_rows_requested: 0,
            scale_runs: 0,
            ours_vsctl: Ok(()),
            ours_server: Ok(()),
        }
    }
}

impl Results {
    pub fn set(&mut self, w: Workload, server: Side, client: Side, o: Outcome) {
        self.values.insert((w, server, client), o);
    }

    pub fn get(&self, w: Workload, server: Side, client: Side) -> Option<&Outcome> {
        self.values.get(&(w, server, client))
    }

    /// A figure, if there is one.
    pub fn figure(&self, w: Workload, server: Side, client: Side) -> Option<f64> {
        self.get(w, server, client)
            .and_then(|o| o.as_ref().ok())
            .copied()
    }

    /// The last window's median over the first's, when both exist.
    pub fn growth(&self, server: Side, client: Side) -> Option<f64> {
        let (first, last) = match self.windows.as_slice() {
            [first, .., last] => (first, last),
            _ => return None,
        };
        let a = self.figure(Workload::AddPort(first.point), server, client)?;
        let b = self.figure(Workload::AddPort(last.point), server, client)?;
        (a > 0.0).then(|| b / a)
    }

    /// Why a side was not run at all.
    fn unavailable(&self, server: Side, client: Side) -> bool {
        (server == Side::Ours && self.ours_server.is_err())
            || (client == Side::Ours && self.ours_vsctl.is_err())
    }

    fn cell(&self, w: Workload, server: Side, client: Side) -> String {
        if self.unavailable(server, client) {
            return "unavailable".into();
        }
        match self.get(w, server, client) {
            Some(Ok(secs)) => number(secs * 1000.0),
            Some(Err(_)) => "failed".into(),
            None => "-".into(),
        }
    }
}

/// One row of the table.
struct Row {
    label: String,
    server: &'static str,
    theirs: String,
    ours: String,
    ratio: String,
    target: String,
}

fn server_name(s: Side) -> &'static str {
    match s {
        Side::Theirs => "real",
        Side::Ours => "ours",
    }
}

/// "1st", "2nd", "100th", "1,000th".
pub fn ordinal(n: usize) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{}{suffix}", grouped(n))
}

/// A whole number with its thousands grouped: "50,000".
pub fn grouped(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn verdict(met: Option<bool>) -> &'static str {
    match met {
        Some(true) => ": met",
        Some(false) => ": not met",
        None => "",
    }
}

fn rows(r: &Results) -> Vec<Row> {
    let mut out = Vec::new();
    for w in &r.windows {
        let timed = if w.count == 1 {
            format!("p{}", w.first)
        } else {
            format!("median of p{}..p{}", w.first, w.last())
        };
        for server in Side::BOTH {
            let wl = Workload::AddPort(w.point);
            let ratio = ratio(r, wl, server);
            out.push(Row {
                label: format!("add-port, {} port ({timed}) [ms]", ordinal(w.point)),
                server: server_name(server),
                theirs: r.cell(wl, server, Side::Theirs),
                ours: r.cell(wl, server, Side::Ours),
                ratio: ratio.map_or("-".into(), |x| format!("{x:.2}x")),
                target: format!("≤ 1x{}", verdict(ratio.map(|x| x <= 1.0))),
            });
        }
    }
    if let [first, .., last] = r.windows.as_slice() {
        for server in Side::BOTH {
            let growth = |client| {
                if r.unavailable(server, client) {
                    "unavailable".to_string()
                } else {
                    r.growth(server, client)
                        .map_or("-".into(), |g| format!("{g:.2}x"))
                }
            };
            let ours = r.growth(server, Side::Ours);
            out.push(Row {
                label: format!(
                    "growth, {} port to {} port [x]",
                    ordinal(first.point),
                    ordinal(last.point)
                ),
                server: server_name(server),
                theirs: growth(Side::Theirs),
                ours: growth(Side::Ours),
                ratio: "-".into(),
                target: format!(
                    "flat, ≤ {FLAT_GROWTH}x{}",
                    verdict(ours.map(|g| g <= FLAT_GROWTH))
                ),
            });
        }
    }
    for server in Side::BOTH {
        let rows = r
            .scale_rows
            .get(&server)
            .copied()
            .unwrap_or(r.scale_rows_requested);
        let ratio = ratio(r, Workload::AtScale, server);
        let ours = r.figure(Workload::AtScale, server, Side::Ours);
        out.push(Row {
            label: format!(
                "add-port with {} Port+Interface rows, median of {} [ms]",
                grouped(rows),
                r.scale_runs
            ),
            server: server_name(server),
            theirs: r.cell(Workload::AtScale, server, Side::Theirs),
            ours: r.cell(Workload::AtScale, server, Side::Ours),
            ratio: ratio.map_or("-".into(), |x| format!("{x:.2}x")),
            target: format!(
                "ours < {} ms{}",
                AT_SCALE_LIMIT * 1000.0,
                verdict(ours.map(|o| o < AT_SCALE_LIMIT))
            ),
        });
    }
    out
}

/// Our client's figure over the reference's, on one server.
fn ratio(r: &Results, w: Workload, server: Side) -> Option<f64> {
    let t = r.figure(w, server, Side::Theirs)?;
    let o = r.figure(w, server, Side::Ours)?;
    (t > 0.0).then(|| o / t)
}

fn workload_name(w: Workload) -> String {
    match w {
        Workload::AddPort(n) => format!("add-port of the {} port", ordinal(n)),
        Workload::AtScale => "add-port at scale".into(),
    }
}

/// Why figures are missing, one line each, for below the table. A pair that failed
/// keeps its error for every later workload: it is given once, with the workloads
/// it cost.
pub fn notes(r: &Results) -> Vec<String> {
    let mut out = Vec::new();
    if let Err(e) = &r.ours_vsctl {
        out.push(format!("ours: unavailable (ovs-vsctl: {e})"));
    }
    if let Err(e) = &r.ours_server {
        out.push(format!("ours: unavailable (ovsdb-server: {e})"));
    }
    for server in Side::BOTH {
        for client in Side::BOTH {
            let mut errors: Vec<(&str, Vec<String>)> = Vec::new();
            for ((w, s, c), o) in &r.values {
                let (true, Err(e)) = (*s == server && *c == client, o) else {
                    continue;
                };
                match errors.iter_mut().find(|(known, _)| *known == e.as_str()) {
                    Some((_, ws)) => ws.push(workload_name(*w)),
                    None => errors.push((e.as_str(), vec![workload_name(*w)])),
                }
            }
            for (e, ws) in errors {
                out.push(format!(
                    "{} ovs-vsctl on {} ovsdb-server, {}: {e}",
                    match client {
                        Side::Theirs => "real",
                        Side::Ours => "our",
                    },
                    match server {
                        Side::Theirs => "the real",
                        Side::Ours => "our",
                    },
                    ws.join(", ")
                ));
            }
        }
    }
    out
}

/// The plain-text table for a terminal.
pub fn render_text(r: &Results) -> String {
    let rows = rows(r);
    let w = rows
        .iter()
        .map(|r| r.label.chars().count())
        .max()
        .unwrap_or(0);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<w$}  {:<6}  {:>14}  {:>13}  {:>11}  target",
        "workload", "server", "real ovs-vsctl", "our ovs-vsctl", "ours/theirs"
    );
    for row in &rows {
        let _ = writeln!(
            out,
            "{:<w$}  {:<6}  {:>14}  {:>13}  {:>11}  {}",
            row.label, row.server, row.theirs, row.ours, row.ratio, row.target
        );
    }
    for n in notes(r) {
        let _ = writeln!(out, "{n}");
    }
    out
}

/// The same table in markdown, for docs/PERFORMANCE.md.
pub fn render_markdown(r: &Results) -> String {
    let mut out = String::new();
    out.push_str(
        "| workload | ovsdb-server | real ovs-vsctl | our ovs-vsctl | ours/theirs | target |\n",
    );
    out.push_str("|---|---|---:|---:|---:|---|\n");
    for row in rows(r) {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            row.label, row.server, row.theirs, row.ours, row.ratio, row.target
        );
    }
    let notes = notes(r);
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
    use crate::growth::windows;

    fn sample() -> Results {
        let mut r = Results {
            windows: windows(&[1, 100], 3),
            scale_runs: 5,
            scale_rows_requested: 50_000,
            ..Results::default()
        };
        use Side::*;
        use Workload::*;
        r.set(AddPort(1), Theirs, Theirs, Ok(0.012));
        r.set(AddPort(1), Theirs, Ours, Ok(0.006));
        r.set(AddPort(100), Theirs, Theirs, Ok(0.016));
        r.set(AddPort(100), Theirs, Ours, Ok(0.0066));
        r.set(AtScale, Theirs, Theirs, Ok(3.1));
        r.set(AtScale, Theirs, Ours, Ok(0.06));
        r.set(AddPort(1), Ours, Theirs, Ok(0.010));
        r.set(AddPort(1), Ours, Ours, Err("exit status 1: boom".into()));
        r.set(AddPort(100), Ours, Theirs, Ok(0.014));
        r.set(AddPort(100), Ours, Ours, Err("exit status 1: boom".into()));
        r.set(AtScale, Ours, Theirs, Ok(2.9));
        r.set(AtScale, Ours, Ours, Err("exit status 1: boom".into()));
        r.scale_rows.insert(Theirs, 50_000);
        r.scale_rows.insert(Ours, 50_000);
        r
    }

    fn line(text: &str, start: &str, server: &str) -> String {
        text.lines()
            .find(|l| l.starts_with(start) && l.contains(&format!("| {server} |")))
            .unwrap_or_else(|| panic!("no line {start} / {server} in\n{text}"))
            .to_string()
    }

    #[test]
    fn ordinals() {
        let got: Vec<String> = [1, 2, 3, 4, 11, 12, 13, 21, 100, 1000, 1002]
            .iter()
            .map(|&n| ordinal(n))
            .collect();
        assert_eq!(
            got,
            [
                "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "100th", "1,000th",
                "1,002nd"
            ]
        );
    }

    #[test]
    fn figures_ratios_and_verdicts() {
        let md = render_markdown(&sample());
        let first = line(&md, "| add-port, 1st port (median of p1..p3) [ms]", "real");
        assert!(
            first.contains("| 12.0 | 6.00 | 0.50x | ≤ 1x: met |"),
            "{first}"
        );
        let growth = line(&md, "| growth, 1st port to 100th port [x]", "real");
        assert!(
            growth.contains("| 1.33x | 1.10x | - | flat, ≤ 1.25x: met |"),
            "{growth}"
        );
        let scale = line(
            &md,
            "| add-port with 50,000 Port+Interface rows, median of 5 [ms]",
            "real",
        );
        assert!(
            scale.contains("| 3,100 | 60.0 | 0.02x | ours < 50 ms: not met |"),
            "{scale}"
        );
        let failed = line(&md, "| add-port, 100th port", "ours");
        assert!(failed.contains("| 14.0 | failed | - | ≤ 1x |"), "{failed}");
    }

    #[test]
    fn a_failing_pair_is_explained_once() {
        let notes = notes(&sample());
        assert_eq!(
            notes,
            [
                "our ovs-vsctl on our ovsdb-server, add-port of the 1st port, \
              add-port of the 100th port, add-port at scale: exit status 1: boom"
            ]
        );
    }

    #[test]
    fn unavailable_client_is_reported_with_its_reason() {
        let mut r = sample();
        r.values.retain(|(_, _, c), _| *c == Side::Theirs);
        r.ours_vsctl = Err("cargo build --release -p ovs-vsctl failed".into());
        let text = render_text(&r);
        assert!(
            text.contains(
                "ours: unavailable (ovs-vsctl: cargo build --release -p ovs-vsctl failed)"
            ),
            "{text}"
        );
        let first = text
            .lines()
            .find(|l| l.starts_with("add-port, 1st port") && l.contains(" real "))
            .unwrap();
        assert!(
            first.contains("12.0") && first.contains("unavailable"),
            "{first}"
        );
        let md = render_markdown(&r);
        let growth = line(&md, "| growth", "ours");
        assert!(growth.contains("| 1.40x | unavailable | - |"), "{growth}");
    }
}
