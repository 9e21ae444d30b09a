//! The flow/group/meter corpus (`flows.txt`, `groups.txt`, `meters.txt` next to this
//! file) and the real `ovs-ofctl` as its oracle, shared by the corpus tests of
//! `openflow` (`mod corpus;`) and the `ovs-ofctl` integration tests
//! (`#[path = "../../openflow/tests/corpus/mod.rs"] mod corpus;`).
//!
//! Which OpenFlow versions can express a spec is never written down: [`real_parse`]
//! asks the real tool, so the answer cannot go stale.

// Each test crate that includes this uses a different part of it.
#![allow(dead_code)]

pub mod wire;

use std::path::PathBuf;
use std::process::Command;
use std::sync::Mutex;

use testkit::real_ovs::OVS_OFCTL;
use testkit::{run, Output};

/// The `-O` names of every version, oldest first.
pub const VERSIONS: [&str; 6] = [
    "OpenFlow10",
    "OpenFlow11",
    "OpenFlow12",
    "OpenFlow13",
    "OpenFlow14",
    "OpenFlow15",
];

/// Which corpus file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Flows,
    Groups,
    Meters,
}

impl Kind {
    pub fn file_name(self) -> &'static str {
        match self {
            Kind::Flows => "flows.txt",
            Kind::Groups => "groups.txt",
            Kind::Meters => "meters.txt",
        }
    }

    /// The real tool's offline parse command, where there is one.
    pub fn parse_command(self) -> Option<&'static str> {
        match self {
            Kind::Flows => Some("parse-flow"),
            Kind::Groups => Some("parse-group"),
            Kind::Meters => None,
        }
    }
}

/// One spec of the corpus.
#[derive(Clone, Debug)]
pub struct Spec {
    /// 1-based line in its file, for messages.
    pub line: usize,
    pub text: String,
    /// The `# --- ... ---` heading of its block.
    pub block: String,
}

impl Spec {
    /// "flows.txt:12 `tcp,actions=drop`".
    pub fn describe(&self, kind: Kind) -> String {
        format!("{}:{} `{}`", kind.file_name(), self.line, self.text)
    }
}

/// `crates/openflow/tests/corpus`.
pub fn dir() -> PathBuf {
    testkit::workspace_root().join("crates/openflow/tests/corpus")
}

/// The specs of one file: every line that is neither blank nor a `#` comment.
#[track_caller]
pub fn load(kind: Kind) -> Vec<Spec> {
    let path = dir().join(kind.file_name());
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => panic!("cannot read {}: {e}", path.display()),
    };
    let mut block = String::new();
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if let Some(comment) = line.strip_prefix('#') {
            let heading = comment.trim();
            if let Some(h) = heading.strip_prefix("---") {
                block = h
                    .trim_matches(|c: char| c == '-' || c.is_whitespace())
                    .to_string();
            }
            continue;
        }
        if line.is_empty() {
            continue;
        }
        out.push(Spec {
            line: i + 1,
            text: line.to_string(),
            block: block.clone(),
        });
    }
    out
}

/// Runs the real `ovs-ofctl [-O version] parse-flow|parse-group SPEC`.
pub fn real_parse(kind: Kind, version: Option<&str>, spec: &str) -> Output {
    let Some(command) = kind.parse_command() else {
        panic!("the real ovs-ofctl has no offline parser for {kind:?}");
    };
    run(ofctl_command(OVS_OFCTL, version).arg(command).arg(spec))
}

/// `program [-O version]`, with an empty environment directory so that nothing of
/// the machine's Open vSwitch is seen.
pub fn ofctl_command(program: impl AsRef<std::ffi::OsStr>, version: Option<&str>) -> Command {
    let mut cmd = Command::new(program);
    // Log lines carry timestamps; the tools print warnings to stderr through them.
    cmd.env("OVS_RUNDIR", "/nonexistent-oxvs-rundir");
    if let Some(v) = version {
        cmd.args(["-O", v]);
    }
    cmd
}

/// Whether a real parse succeeded and printed a message that decodes (the real tool
/// prints `***decode error: ...***` for a message it encoded but cannot read back).
pub fn parsed_cleanly(out: &Output) -> bool {
    out.success() && !out.stdout.contains("decode error") && !out.stderr.contains("decode error")
}

/// The versions in which the real tool parses `spec` cleanly.
pub fn real_versions(kind: Kind, spec: &str) -> Vec<&'static str> {
    VERSIONS
        .iter()
        .copied()
        .filter(|v| parsed_cleanly(&real_parse(kind, Some(v), spec)))
        .collect()
}

/// Replaces log-line timestamps (`2024-01-02T03:04:05Z|00001|`) so that stderr of two
/// runs compares equal.
pub fn strip_log_times(s: &str) -> String {
    s.lines()
        .map(|l| match l.split_once('|') {
            Some((time, rest)) if time.len() >= 20 && time.as_bytes()[4] == b'-' => {
                format!("<time>|{}", rest.split_once('|').map_or(rest, |(_, r)| r))
            }
            _ => l.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Runs `f` on every item with a few threads (the work is mostly waiting for
/// child processes) and returns the results in order.
pub fn par_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get()) * 2;
    let next = Mutex::new(0usize);
    let results: Mutex<Vec<Option<R>>> = Mutex::new((0..items.len()).map(|_| None).collect());
    std::thread::scope(|s| {
        for _ in 0..threads.min(items.len().max(1)) {
            s.spawn(|| loop {
                let i = {
                    let mut n = next.lock().unwrap_or_else(|p| p.into_inner());
                    let i = *n;
                    *n += 1;
                    i
                };
                let Some(item) = items.get(i) else { break };
                let r = f(item);
                results.lock().unwrap_or_else(|p| p.into_inner())[i] = Some(r);
            });
        }
    });
    results
        .into_inner()
        .unwrap_or_else(|p| p.into_inner())
        .into_iter()
        .map(|r| r.expect("every item was processed"))
        .collect()
}

/// The corpus specs a bridge of the real switch was filled with.
#[derive(Debug, Default)]
pub struct Filled {
    pub flows: Vec<String>,
    pub groups: Vec<String>,
    pub meters: Vec<String>,
}

/// `spec` with `priority=` in front unless it has one: 40000 + `index`, so that
/// specs that only differ in their actions are different flows on a switch.
pub fn with_own_priority(spec: &str, index: usize) -> String {
    let has_priority = spec
        .split(|c: char| c == ',' || c.is_whitespace())
        .take_while(|item| !item.starts_with("actions"))
        .any(|item| item.starts_with("priority="));
    if has_priority {
        spec.to_string()
    } else {
        format!("priority={},{spec}", 40000 + index)
    }
}

/// The wire messages the real switch sends for the whole corpus in each of
/// `versions`: one bridge per version filled with [`fill_bridge`] (in parallel), then
/// [`wire::real_replies`] split into one message per entry. Each comes with a
/// description ("OpenFlow13 reply 7, entry 3").
pub fn real_switch_messages(test_name: &str, versions: &[&str]) -> Vec<(String, Vec<u8>)> {
    let sw = testkit::RealSwitch::start(test_name);
    let bridges: Vec<String> = (0..versions.len()).map(|i| format!("c{i}")).collect();
    for b in &bridges {
        sw.add_bridge(b);
    }
    let per_version = std::thread::scope(|s| {
        let handles: Vec<_> = versions
            .iter()
            .zip(&bridges)
            .map(|(name, bridge)| {
                let sw = &sw;
                s.spawn(move || {
                    let filled = fill_bridge(sw, bridge, name);
                    assert!(
                        filled.flows.len() >= 250,
                        "{name}: the switch took only {} flows",
                        filled.flows.len()
                    );
                    let mut out = Vec::new();
                    let v = wire::wire_version(name);
                    for (n, reply) in wire::real_replies(sw, bridge, v).iter().enumerate() {
                        for (k, one) in wire::split_entries(reply).into_iter().enumerate() {
                            out.push((format!("{name} reply {n}, entry {k}"), one));
                        }
                    }
                    out
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| match h.join() {
                Ok(v) => v,
                Err(e) => std::panic::resume_unwind(e),
            })
            .collect::<Vec<_>>()
    });
    per_version.into_iter().flatten().collect()
}

/// Adds the corpus to `bridge` with the real `ovs-ofctl`, one spec at a time and in
/// corpus order: flows in `version`, groups and meters in the newest version that
/// `version` allows for them (OpenFlow 1.1+ / 1.3+, else 1.5). Returns the specs the
/// switch took (some flows need tunnel metadata maps or groups that do not exist,
/// and the userspace datapath refuses some meter bands).
pub fn fill_bridge(sw: &testkit::RealSwitch, bridge: &str, version: &str) -> Filled {
    let group_version = if version < "OpenFlow11" {
        "OpenFlow15"
    } else {
        version
    };
    let meter_version = if version < "OpenFlow13" {
        "OpenFlow15"
    } else {
        version
    };
    let add = |command: &str, v: &str, kind: Kind| -> Vec<String> {
        load(kind)
            .into_iter()
            .filter(|s| {
                sw.ofctl_real(&["-O", v, command, bridge, &s.text])
                    .success()
            })
            .map(|s| s.text)
            .collect()
    };
    // Groups first, so flows that output to them are taken.
    let groups = add("add-group", group_version, Kind::Groups);
    let meters = add("add-meter", meter_version, Kind::Meters);
    // Many corpus flows share a match (all the `actions=...` lines): each gets its
    // own priority, or each would replace the one before.
    let flows = load(Kind::Flows)
        .into_iter()
        .enumerate()
        .map(|(i, s)| with_own_priority(&s.text, i))
        .filter(|f| {
            sw.ofctl_real(&["-O", version, "add-flow", bridge, f])
                .success()
        })
        .collect();
    Filled {
        flows,
        groups,
        meters,
    }
}
