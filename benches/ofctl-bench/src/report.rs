//! Figures by workload and tool, and the side-by-side table (plain text or
//! markdown): the real tool's median, ours, and the ratio ours/theirs.

use std::collections::BTreeMap;
use std::fmt::Write as _;

/// A median in seconds, or why there is none.
pub type Outcome = Result<f64, String>;

/// The reference tool or ours.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Side {
    Theirs,
    Ours,
}

impl Side {
    pub fn name(self) -> &'static str {
        match self {
            Side::Theirs => "real",
            Side::Ours => "ours",
        }
    }
}

/// What was timed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Workload {
    AddFlows,
    AddFlowsBundle,
    DumpFlows,
}

impl Workload {
    pub const ALL: [Workload; 3] = [
        Workload::AddFlows,
        Workload::AddFlowsBundle,
        Workload::DumpFlows,
    ];

    /// "add-flows of 100,000 flows".
    pub fn label(self, flows: usize) -> String {
        let n = grouped(flows);
        match self {
            Workload::AddFlows => format!("add-flows of {n} flows"),
            Workload::AddFlowsBundle => format!("-O OpenFlow14 --bundle add-flows of {n} flows"),
            Workload::DumpFlows => format!("dump-flows of {n} flows"),
        }
    }
}

/// Everything one run measured.
#[derive(Clone, Debug)]
pub struct Results {
    pub flows: usize,
    pub runs: usize,
    pub values: BTreeMap<(Workload, Side), Outcome>,
    /// Whether our tool was run, or why not.
    pub ours: Result<(), String>,
    /// The bridge the dumps read.
    pub dump_bridge: Option<String>,
}

impl Default for Results {
    fn default() -> Results {
        Results {
            flows: 0,
            runs: 0,
            values: BTreeMap::new(),
            ours: Ok(()),
            dump_bridge: None,
        }
    }
}

impl Results {
    pub fn figure(&self, w: Workload, s: Side) -> Option<f64> {
        self.values
            .get(&(w, s))
            .and_then(|o| o.as_ref().ok())
            .copied()
    }

    fn cell(&self, w: Workload, s: Side) -> String {
        if s == Side::Ours && self.ours.is_err() {
            return "unavailable".into();
        }
        match self.values.get(&(w, s)) {
            Some(Ok(secs)) => format!("{secs:.3}"),
            Some(Err(_)) => "failed".into(),
            None => "-".into(),
        }
    }

    /// Ours over theirs, when both exist.
    pub fn ratio(&self, w: Workload) -> Option<f64> {
        let t = self.figure(w, Side::Theirs)?;
        let o = self.figure(w, Side::Ours)?;
        (t > 0.0).then(|| o / t)
    }
}

/// "100,000".
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

/// Why figures are missing, one line each.
pub fn notes(r: &Results) -> Vec<String> {
    let mut out = Vec::new();
    if let Err(e) = &r.ours {
        out.push(format!("ours: unavailable ({e})"));
    }
    for ((w, s), o) in &r.values {
        if let Err(e) = o {
            out.push(format!("{} ovs-ofctl, {}: {e}", s.name(), w.label(r.flows)));
        }
    }
    out
}

fn rows(r: &Results) -> Vec<[String; 4]> {
    Workload::ALL
        .iter()
        .map(|&w| {
            [
                format!("{} [s, median of {}]", w.label(r.flows), r.runs),
                r.cell(w, Side::Theirs),
                r.cell(w, Side::Ours),
                r.ratio(w).map_or("-".into(), |x| format!("{x:.2}x")),
            ]
        })
        .collect()
}

/// The plain-text table for a terminal.
pub fn render_text(r: &Results) -> String {
    let rows = rows(r);
    let w = rows.iter().map(|r| r[0].chars().count()).max().unwrap_or(0);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<w$}  {:>15}  {:>14}  {:>11}",
        "workload", "real ovs-ofctl", "our ovs-ofctl", "ours/theirs"
    );
    for row in &rows {
        let _ = writeln!(
            out,
            "{:<w$}  {:>15}  {:>14}  {:>11}",
            row[0], row[1], row[2], row[3]
        );
    }
    for n in notes(r) {
        let _ = writeln!(out, "{n}");
    }
    out
}

/// The same table in markdown, for docs/PERFORMANCE.md.
pub fn render_markdown(r: &Results) -> String {
    let mut out = String::from(
        "| workload | real ovs-ofctl | our ovs-ofctl | ours/theirs |\n|---|---:|---:|---:|\n",
    );
    for row in rows(r) {
        let _ = writeln!(out, "| {} | {} | {} | {} |", row[0], row[1], row[2], row[3]);
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

    #[test]
    fn table_shows_figures_ratios_and_why_figures_are_missing() {
        let mut r = Results {
            flows: 100_000,
            runs: 3,
            ..Results::default()
        };
        r.values.insert((Workload::AddFlows, Side::Theirs), Ok(4.0));
        r.values.insert((Workload::AddFlows, Side::Ours), Ok(2.0));
        r.values
            .insert((Workload::DumpFlows, Side::Theirs), Ok(1.5));
        r.values.insert(
            (Workload::DumpFlows, Side::Ours),
            Err("dump-flows printed 3 flows, not 100000".into()),
        );
        let text = render_text(&r);
        assert!(
            text.contains("add-flows of 100,000 flows [s, median of 3]"),
            "{text}"
        );
        assert!(
            text.contains("4.000") && text.contains("2.000") && text.contains("0.50x"),
            "{text}"
        );
        assert!(text.contains("failed"), "{text}");
        assert!(
            text.contains(
                "ours ovs-ofctl, dump-flows of 100,000 flows: dump-flows printed 3 flows, not 100000"
            ),
            "{text}"
        );
        let md = render_markdown(&r);
        assert!(md.starts_with("| workload |"), "{md}");
        assert!(md.contains("| 4.000 | 2.000 | 0.50x |"), "{md}");
        assert_eq!(grouped(1234567), "1,234,567");
        r.ours = Err("did not build".into());
        assert!(render_text(&r).contains("unavailable"));
    }
}
