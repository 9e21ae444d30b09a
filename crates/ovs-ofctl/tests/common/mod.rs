//! Helpers shared by the `ovs-ofctl` integration tests: running our binary and the
//! real one side by side, normalising what changes from run to run (the way the
//! reference's own tests filter output with `ofctl_strip`), and reporting
//! differences readably.

// Each test crate that includes this uses a different part of it.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::Command;

use testkit::real_ovs::OVS_OFCTL;
use testkit::{run, run_with_stdin, Output, RealSwitch};

/// Our `ovs-ofctl`, built by cargo for this package's tests.
pub fn ours() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_ovs-ofctl"))
}

/// Which implementation to run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    Ours,
    Real,
}

impl Side {
    pub fn program(self) -> PathBuf {
        match self {
            Side::Ours => ours(),
            Side::Real => PathBuf::from(OVS_OFCTL),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Side::Ours => "ours",
            Side::Real => "real",
        }
    }
}

/// `ovs-ofctl ARGS` of `side` against `sw` (the rundir's environment, so bare
/// bridge names mean the switch's bridges).
pub fn ofctl(sw: &RealSwitch, side: Side, args: &[&str]) -> Output {
    run(sw.tool(side.program()).args(args))
}

/// The same with `input` on stdin (for `add-flows br0 -`).
pub fn ofctl_stdin(sw: &RealSwitch, side: Side, args: &[&str], input: &str) -> Output {
    run_with_stdin(sw.tool(side.program()).args(args), input)
}

/// `ovs-ofctl ARGS` of `side` without any switch (parse-flow, ofp-print, ...), with a
/// run directory that does not exist so nothing of the machine is seen.
pub fn offline(side: Side, args: &[&str]) -> Output {
    run(Command::new(side.program())
        .env("OVS_RUNDIR", "/nonexistent-oxvs-rundir")
        .args(args))
}

/// Exit status, stdout and stderr in one comparable value, with log timestamps and
/// the time-dependent counters normalised.
#[derive(Debug, PartialEq, Eq, Clone)]
pub struct Seen {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Seen {
    pub fn of(out: &Output) -> Seen {
        Seen {
            code: out.code(),
            stdout: strip(&out.stdout),
            stderr: strip(&strip_log_times(&out.stderr)),
        }
    }
}

/// Replaces what differs between two runs against identical switches: flow and
/// port durations (`duration=1.234s`, `duration:0.041s`), flow ages (`idle_age=3`,
/// `hard_age=3`).
pub fn strip(s: &str) -> String {
    let mut out = s.to_string();
    for key in ["duration=", "duration:"] {
        out = replace_number_after(&out, key, "?");
    }
    for key in ["idle_age=", "hard_age="] {
        out = replace_number_after(&out, key, "?");
    }
    out
}

/// Replaces the number (digits and dots) right after each `key` with `with`.
fn replace_number_after(s: &str, key: &str, with: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find(key) {
        let (before, after) = rest.split_at(i + key.len());
        out.push_str(before);
        let n = after
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(after.len());
        if n > 0 {
            out.push_str(with);
        }
        rest = &after[n..];
    }
    out.push_str(rest);
    out
}

/// Replaces log-line timestamps (`2024-01-02T03:04:05Z|00001|`) with `<time>|`.
pub fn strip_log_times(s: &str) -> String {
    let mut out: Vec<String> = Vec::new();
    for l in s.lines() {
        match l.split_once('|') {
            Some((time, rest)) if time.len() >= 20 && time.as_bytes().get(4) == Some(&b'-') => {
                out.push(format!(
                    "<time>|{}",
                    rest.split_once('|').map_or(rest, |(_, r)| r)
                ));
            }
            _ => out.push(l.to_string()),
        }
    }
    let mut joined = out.join("\n");
    if s.ends_with('\n') {
        joined.push('\n');
    }
    joined
}

/// Lines sorted, for outputs whose order is the switch's hash order.
pub fn sorted_lines(s: &str) -> String {
    let mut lines: Vec<&str> = s.lines().collect();
    lines.sort_unstable();
    lines.join("\n")
}

/// A line-by-line report of how `ours` differs from `real`.
pub fn diff(real: &str, ours: &str) -> String {
    let r: Vec<&str> = real.lines().collect();
    let o: Vec<&str> = ours.lines().collect();
    let mut out = String::new();
    let mut shown = 0;
    for i in 0..r.len().max(o.len()) {
        let (a, b) = (r.get(i), o.get(i));
        if a != b {
            out.push_str(&format!(
                "  line {}:\n    real: {}\n    ours: {}\n",
                i + 1,
                a.unwrap_or(&"<none>"),
                b.unwrap_or(&"<none>")
            ));
            shown += 1;
            if shown == 8 {
                out.push_str("  ...\n");
                break;
            }
        }
    }
    out
}

/// Describes a mismatch between two `Seen`s.
pub fn describe_mismatch(what: &str, real: &Seen, ours: &Seen) -> String {
    let mut s = format!("{what}:\n");
    if real.code != ours.code {
        s.push_str(&format!(
            "  exit code: real {:?}, ours {:?}\n",
            real.code, ours.code
        ));
    }
    if real.stdout != ours.stdout {
        s.push_str(" stdout differs\n");
        s.push_str(&diff(&real.stdout, &ours.stdout));
    }
    if real.stderr != ours.stderr {
        s.push_str(" stderr differs\n");
        s.push_str(&diff(&real.stderr, &ours.stderr));
    }
    s
}

/// Collects mismatches and fails once at the end with all of them (up to a limit),
/// so one run shows how far from the reference we are.
#[derive(Default)]
pub struct Mismatches {
    pub checked: usize,
    pub failures: Vec<String>,
}

impl Mismatches {
    /// Compares and records a mismatch.
    pub fn check(&mut self, what: &str, real: &Seen, ours: &Seen) {
        self.checked += 1;
        if real != ours {
            self.failures.push(describe_mismatch(what, real, ours));
        }
    }

    /// Runs `args` with both tools against `sw` and compares everything they print.
    pub fn compare(&mut self, sw: &RealSwitch, args: &[&str]) {
        let real = Seen::of(&ofctl(sw, Side::Real, args));
        let ours = Seen::of(&ofctl(sw, Side::Ours, args));
        self.check(&format!("ovs-ofctl {}", args.join(" ")), &real, &ours);
    }

    /// Panics with every recorded mismatch, if any.
    #[track_caller]
    pub fn finish(self, what: &str) {
        if self.failures.is_empty() {
            return;
        }
        // OFCTL_TEST_SHOWN=N shows more (when working through many differences).
        let shown: usize = std::env::var("OFCTL_TEST_SHOWN")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(40);
        let n = self.failures.len();
        let mut msg = format!(
            "{what}: {n} of {} comparisons differ from the real ovs-ofctl:\n",
            self.checked
        );
        for f in self.failures.iter().take(shown) {
            msg.push_str(f);
        }
        if n > shown {
            msg.push_str(&format!("... and {} more\n", n - shown));
        }
        panic!("{msg}");
    }
}

/// Writes `lines` to a file in the switch's run directory and returns its path.
pub fn write_file(sw: &RealSwitch, name: &str, lines: &[String]) -> String {
    let path = sw.rundir().file(name);
    let mut text = lines.join("\n");
    text.push('\n');
    if let Err(e) = std::fs::write(&path, text) {
        panic!("cannot write {}: {e}", path.display());
    }
    path.display().to_string()
}

/// Runs `args` and panics with its stderr unless it succeeded.
#[track_caller]
pub fn must(sw: &RealSwitch, side: Side, args: &[&str]) -> String {
    let out = ofctl(sw, side, args);
    if !out.success() {
        panic!(
            "{} ovs-ofctl {} failed ({}):\n{}",
            side.name(),
            args.join(" "),
            out.status,
            out.stderr
        );
    }
    out.stdout
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strip_hides_times_and_ages_only() {
        assert_eq!(
            strip(" cookie=0x0, duration=138.821s, table=0, n_packets=0, idle_age=138, hard_age=5, priority=0"),
            " cookie=0x0, duration=?s, table=0, n_packets=0, idle_age=?, hard_age=?, priority=0"
        );
        assert_eq!(strip("duration:0.041s bands:"), "duration:?s bands:");
        assert_eq!(strip("duration=s"), "duration=s");
        assert_eq!(
            strip_log_times("2026-11-21T04:53:11Z|00001|ofp_actions|WARN|x\nplain\n"),
            "<time>|ofp_actions|WARN|x\nplain\n"
        );
    }
}
