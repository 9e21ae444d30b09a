//! The `ovs-ofctl` commands the other differential tests leave out, each run by our
//! tool and by the real one (/usr/bin/ovs-ofctl) against the real Open vSwitch 3.1
//! switch in the same state, comparing exit status, stdout and stderr:
//! - group edits: mod-group, insert-buckets, remove-buckets (effect read back with
//!   the REAL dump-groups, and the commands' own errors);
//! - switch edits: mod-port, mod-table, set-frags/get-frags (each tool in turn from
//!   the same starting state, effect read back with the REAL tool);
//! - packet-out, dump-table-features, probe, ping, benchmark (round-trip times and
//!   xids normalised, as they differ from run to run);
//! - monitor and snoop: both tools watch the same bridge at once, the test makes
//!   events (a packet-out to the controller, flow mods, a connection on a
//!   controller socket) and compares what each printed.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::{
    must, ofctl, sorted_lines, strip, strip_log_times, write_file, Mismatches, Seen, Side,
};
use testkit::real_ovs::OVS_APPCTL;
use testkit::{run, wait_until, RealSwitch};

/// A 60-byte Ethernet frame (a UDP packet from 10.0.0.1 to 10.0.0.2) as hex, for
/// packet-outs.
const PACKET: &str = concat!(
    "0000000000020000000000010800",
    "4500002e0000000040117ac90a0000010a000002",
    "04d2162e001a0000",
    "000102030405060708090a0b0c0d0e0f1011"
);

/// Both tools' output for `args`, with `norm` applied to stdout and stderr.
fn both(sw: &RealSwitch, args: &[&str], norm: fn(&str) -> String) -> (Seen, Seen) {
    let f = |side| {
        let s = Seen::of(&ofctl(sw, side, args));
        Seen {
            code: s.code,
            stdout: norm(&s.stdout),
            stderr: norm(&s.stderr),
        }
    };
    (f(Side::Real), f(Side::Ours))
}

/// Replaces each maximal run of characters in `set` that follows `key` by `?`.
fn mask_after(s: &str, key: &str, set: fn(char) -> bool) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find(key) {
        let (before, after) = rest.split_at(i + key.len());
        out.push_str(before);
        let n = after.find(|c: char| !set(c)).unwrap_or(after.len());
        if n > 0 {
            out.push('?');
        }
        rest = &after[n..];
    }
    out.push_str(rest);
    out
}

/// Hides xids (`xid=0x1a2b`, `xid=1a2b`), which each run allocates afresh.
fn no_xids(s: &str) -> String {
    mask_after(s, "xid=", |c| c.is_ascii_hexdigit() || c == 'x')
}

/// Hides every number (for timing lines: round-trip times, rates).
fn no_numbers(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut in_number = false;
    for c in s.chars() {
        if c.is_ascii_digit() || (in_number && c == '.') {
            if !in_number {
                out.push('#');
            }
            in_number = true;
        } else {
            in_number = false;
            out.push(c);
        }
    }
    out
}

/// `ping` output: xids and times hidden, also in the statistics lines.
fn ping_norm(s: &str) -> String {
    let s = no_xids(s);
    s.lines()
        .map(|l| {
            if l.contains("time=") || l.starts_with("rtt ") {
                no_numbers(l)
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// `benchmark` output: the "Finished in ..." line's times and rates hidden.
fn benchmark_norm(s: &str) -> String {
    s.lines()
        .map(|l| {
            if l.starts_with("Finished") {
                no_numbers(l)
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// How a command's output is made comparable between two runs.
type Normalizer = fn(&str) -> String;

fn same(s: &str) -> String {
    s.to_string()
}

/// The REAL tool's view of `args` (a read-back), normalised.
fn real_view(sw: &RealSwitch, args: &[&str]) -> Seen {
    Seen {
        code: Some(0),
        stdout: strip(&must(sw, Side::Real, args)),
        stderr: String::new(),
    }
}

/// Runs `change` with each tool in turn from the same starting state (`reset`, run
/// with the real tool, restores it before each), comparing the command's own
/// output and what `readback` (run with the real tool) shows afterwards.
fn change_in_turn(
    sw: &RealSwitch,
    m: &mut Mismatches,
    change: &[&str],
    reset: &[&[&str]],
    readback: &[&str],
) {
    let mut seen = Vec::new();
    for side in [Side::Real, Side::Ours] {
        for r in reset {
            must(sw, Side::Real, r);
        }
        let out = Seen::of(&ofctl(sw, side, change));
        seen.push((out, real_view(sw, readback)));
    }
    let what = change.join(" ");
    m.check(&format!("ovs-ofctl {what}"), &seen[0].0, &seen[1].0);
    m.check(
        &format!("real ovs-ofctl {} after {what}", readback.join(" ")),
        &seen[0].1,
        &seen[1].1,
    );
}

/// mod-group, insert-buckets and remove-buckets: applied by each tool to its own
/// bridge holding the same groups, then compared with the REAL dump-groups; plus
/// the errors the switch and the parser report.
#[test]
fn group_edits_match_the_reference() {
    let sw = RealSwitch::start("ofctl_group_edits");
    let mut m = Mismatches::default();
    let v = "OpenFlow15";
    let initial = [
        "group_id=1,type=select,bucket=bucket_id=1,weight=10,actions=output:1,bucket=bucket_id=2,weight=20,actions=output:2",
        "group_id=2,type=all,bucket=actions=output:1,bucket=actions=output:2",
        "group_id=3,type=indirect,bucket=actions=output:3",
    ];
    // Each step runs with both tools on their own bridge, in this order.
    let steps: &[&[&str]] = &[
        &[
            "-O",
            v,
            "mod-group",
            "{b}",
            "group_id=2,type=all,bucket=actions=output:3",
        ],
        &[
            "-O",
            "OpenFlow13",
            "mod-group",
            "{b}",
            "group_id=3,type=indirect,bucket=actions=mod_vlan_vid:7,output:2",
        ],
        &[
            "-O",
            v,
            "insert-buckets",
            "{b}",
            "group_id=1,command_bucket_id=last,bucket=bucket_id=5,weight=5,actions=output:3",
        ],
        &[
            "-O",
            v,
            "insert-buckets",
            "{b}",
            "group_id=1,command_bucket_id=first,bucket=bucket_id=7,actions=output:2",
        ],
        &[
            "-O",
            v,
            "insert-buckets",
            "{b}",
            "group_id=1,command_bucket_id=2,bucket=bucket_id=9,actions=drop",
        ],
        &[
            "-O",
            v,
            "remove-buckets",
            "{b}",
            "group_id=1,command_bucket_id=5",
        ],
        &[
            "-O",
            v,
            "remove-buckets",
            "{b}",
            "group_id=1,command_bucket_id=first",
        ],
        &[
            "-O",
            v,
            "remove-buckets",
            "{b}",
            "group_id=2,command_bucket_id=all",
        ],
        // Errors: from the switch (unknown group, duplicate or unknown bucket) and
        // from the parser (bad syntax, wrong version).
        &[
            "-O",
            v,
            "mod-group",
            "{b}",
            "group_id=99,type=all,bucket=actions=output:1",
        ],
        &[
            "-O",
            v,
            "insert-buckets",
            "{b}",
            "group_id=1,command_bucket_id=last,bucket=bucket_id=2,actions=output:1",
        ],
        &[
            "-O",
            v,
            "remove-buckets",
            "{b}",
            "group_id=1,command_bucket_id=77",
        ],
        &[
            "-O",
            v,
            "insert-buckets",
            "{b}",
            "group_id=99,command_bucket_id=last,bucket=actions=output:1",
        ],
        &["-O", v, "mod-group", "{b}", "group_id=1,type=bogus"],
        &[
            "-O",
            v,
            "insert-buckets",
            "{b}",
            "group_id=1,command_bucket_id=sometimes",
        ],
        &[
            "-O",
            "OpenFlow13",
            "insert-buckets",
            "{b}",
            "group_id=1,bucket=actions=output:1",
        ],
        &["-O", v, "mod-group", "{b}"],
        &["-O", v, "remove-buckets", "{b}", "group_id=1"],
    ];
    for (name, side) in [("gt", Side::Real), ("go", Side::Ours)] {
        let _ = side;
        sw.add_bridge(name);
        for g in initial {
            must(&sw, Side::Real, &["-O", v, "add-group", name, g]);
        }
    }
    for step in steps {
        let args = |b: &'static str| -> Vec<String> {
            step.iter()
                .map(|a| {
                    if *a == "{b}" {
                        b.to_string()
                    } else {
                        a.to_string()
                    }
                })
                .collect()
        };
        let (at, ao) = (args("gt"), args("go"));
        let at: Vec<&str> = at.iter().map(String::as_str).collect();
        let ao: Vec<&str> = ao.iter().map(String::as_str).collect();
        let real = Seen::of(&ofctl(&sw, Side::Real, &at));
        let ours = Seen::of(&ofctl(&sw, Side::Ours, &ao));
        // Error texts name the bridge; make them comparable.
        let ours = Seen {
            stderr: ours.stderr.replace("go.mgmt", "gt.mgmt"),
            ..ours
        };
        let what = ao.join(" ");
        m.check(&format!("ovs-ofctl {what}"), &real, &ours);
        // Sorted: the order is the switch's hash order, which differs between
        // two bridges.
        let groups = |b: &str| {
            let mut seen = real_view(&sw, &["-O", v, "dump-groups", b]);
            seen.stdout = sorted_lines(&seen.stdout);
            seen
        };
        m.check(
            &format!("real dump-groups after {what}"),
            &groups("gt"),
            &groups("go"),
        );
    }
    m.finish("group edits");
}

/// mod-port, mod-table, set-frags/get-frags, packet-out, dump-table-features and
/// probe: each tool from the same switch state, the same output and effect.
#[test]
fn switch_commands_match_the_reference() {
    let sw = RealSwitch::start("ofctl_switch_commands");
    let mut m = Mismatches::default();
    let ports = "dump-ports-desc";
    for (change, undo) in [
        ("down", "up"),
        ("no-flood", "flood"),
        ("no-receive", "receive"),
        ("no-forward", "forward"),
        ("no-packet-in", "packet-in"),
        ("up", "down"),
    ] {
        change_in_turn(
            &sw,
            &mut m,
            &["mod-port", "br0", "p2", change],
            &[&["mod-port", "br0", "p2", undo]],
            &["-O", "OpenFlow13", ports, "br0"],
        );
    }
    for version in ["OpenFlow10", "OpenFlow13", "OpenFlow14"] {
        change_in_turn(
            &sw,
            &mut m,
            &["-O", version, "mod-port", "br0", "2", "no-flood"],
            &[&["mod-port", "br0", "2", "flood"]],
            &["-O", version, ports, "br0"],
        );
    }
    // Errors: unknown port, unknown action, missing arguments.
    m.compare(&sw, &["mod-port", "br0", "p9", "down"]);
    m.compare(&sw, &["mod-port", "br0", "p1", "sideways"]);
    m.compare(&sw, &["mod-port", "br0", "p1"]);

    for (version, change, undo) in [
        ("OpenFlow14", "evict", "noevict"),
        ("OpenFlow14", "vacancy:20,80", "novacancy"),
        ("OpenFlow11", "drop", "continue"),
        ("OpenFlow15", "noevict", "evict"),
    ] {
        change_in_turn(
            &sw,
            &mut m,
            &["-O", version, "mod-table", "br0", "1", change],
            &[&["-O", version, "mod-table", "br0", "1", undo]],
            &["-O", "OpenFlow14", "dump-table-desc", "br0"],
        );
    }
    m.compare(&sw, &["-O", "OpenFlow10", "mod-table", "br0", "1", "evict"]);
    m.compare(&sw, &["-O", "OpenFlow14", "mod-table", "br0", "1", "bogus"]);
    m.compare(
        &sw,
        &["-O", "OpenFlow14", "mod-table", "br0", "300", "evict"],
    );

    for mode in ["normal", "drop", "reassemble", "nx-match", "bogus"] {
        change_in_turn(
            &sw,
            &mut m,
            &["set-frags", "br0", mode],
            &[&["set-frags", "br0", "normal"]],
            &["get-frags", "br0"],
        );
    }
    m.compare(&sw, &["get-frags", "br0"]);

    // packet-out, in the old form (IN_PORT ACTIONS PACKET...) and the new one
    // (one "in_port=... packet=... actions=..." argument): success prints nothing;
    // then the switch's errors and the parser's.
    let po = |in_port: &str, actions: &str| format!("{in_port} packet={PACKET} {actions}");
    let cases: Vec<Vec<String>> = vec![
        vec![
            "packet-out".into(),
            "br0".into(),
            po("in_port=1", "actions=output:2"),
        ],
        vec![
            "-O".into(),
            "OpenFlow13".into(),
            "packet-out".into(),
            "br0".into(),
            po("in_port=1,", "actions=output:2,3"),
        ],
        vec![
            "-O".into(),
            "OpenFlow15".into(),
            "packet-out".into(),
            "br0".into(),
            po("in_port=LOCAL,", "actions=drop"),
        ],
        vec![
            "packet-out".into(),
            "br0".into(),
            "1".into(),
            "output:2".into(),
            PACKET.into(),
        ],
        vec![
            "packet-out".into(),
            "br0".into(),
            "none".into(),
            "output:3".into(),
            PACKET.into(),
            PACKET.into(),
        ],
        vec![
            "packet-out".into(),
            "br0".into(),
            po("in_port=1", "actions=output:99"),
        ],
        vec![
            "packet-out".into(),
            "br0".into(),
            po("in_port=1", "actions=group:5"),
        ],
        vec![
            "packet-out".into(),
            "br0".into(),
            po("in_port=1", "actions=bogus"),
        ],
        vec![
            "packet-out".into(),
            "br0".into(),
            "in_port=1 packet=zz actions=output:2".into(),
        ],
        vec![
            "packet-out".into(),
            "br0".into(),
            "in_port=1,actions=output:2".into(),
        ],
        vec![
            "packet-out".into(),
            "br0".into(),
            "1".into(),
            "output:2".into(),
        ],
    ];
    for args in &cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        m.compare(&sw, &args);
    }

    for version in ["OpenFlow13", "OpenFlow14", "OpenFlow15"] {
        m.compare(&sw, &["-O", version, "dump-table-features", "br0"]);
    }
    m.compare(&sw, &["-O", "OpenFlow10", "dump-table-features", "br0"]);

    // bundle: flow and group mods and a packet-out from a file, atomically; a
    // file the switch refuses part of (nothing is applied), and a bad line.
    let good = write_file(
        &sw,
        "bundle-good.txt",
        &[
            "group add group_id=7,type=all,bucket=actions=output:1".to_string(),
            "flow add table=0,priority=9,ip,actions=group:7".to_string(),
            "flow add table=1,priority=3,tcp,tp_dst=80,actions=output:2".to_string(),
            "flow modify table=1,tcp,actions=output:3".to_string(),
            format!("packet-out in_port=1 packet={PACKET} actions=output:2"),
        ],
    );
    let bad = write_file(
        &sw,
        "bundle-bad.txt",
        &[
            "flow add table=0,priority=8,udp,actions=drop".to_string(),
            "flow add table=0,priority=8,arp,actions=group:99".to_string(),
        ],
    );
    let syntax = write_file(&sw, "bundle-syntax.txt", &["flow add bogus=1".to_string()]);
    for file in [&good, &bad, &syntax] {
        for version in ["OpenFlow13", "OpenFlow14"] {
            change_in_turn(
                &sw,
                &mut m,
                &["-O", version, "bundle", "br0", file],
                &[
                    &["-O", version, "del-flows", "br0"],
                    &["-O", version, "del-groups", "br0"],
                ],
                &["-O", "OpenFlow14", "--no-stats", "dump-flows", "br0"],
            );
        }
    }

    m.compare(&sw, &["probe", "br0"]);
    m.compare(&sw, &["-O", "OpenFlow15", "probe", "br0"]);
    m.compare(&sw, &["probe", "nobridge"]);
    m.finish("switch commands");
}

/// ping and benchmark: the same lines, with times, rates and xids hidden.
#[test]
fn ping_and_benchmark_match_the_reference() {
    let sw = RealSwitch::start("ofctl_ping_benchmark");
    let mut m = Mismatches::default();
    let cases: &[(&[&str], Normalizer)] = &[
        (&["ping", "br0"], ping_norm),
        (&["ping", "br0", "100"], ping_norm),
        (&["-O", "OpenFlow13", "ping", "br0", "0"], ping_norm),
        (&["ping", "br0", "70000"], ping_norm),
        (&["ping", "br0", "many"], ping_norm),
        (&["benchmark", "br0", "100", "50"], benchmark_norm),
        (
            &["-O", "OpenFlow14", "benchmark", "br0", "64", "20"],
            benchmark_norm,
        ),
        (&["benchmark", "br0", "4", "5"], benchmark_norm),
        (&["benchmark", "br0", "100"], same),
    ];
    for (args, norm) in cases {
        let (real, ours) = both(&sw, args, *norm);
        assert!(
            !real.stdout.is_empty() || !real.stderr.is_empty(),
            "the real ovs-ofctl {} printed nothing",
            args.join(" ")
        );
        m.check(&format!("ovs-ofctl {}", args.join(" ")), &real, &ours);
    }
    m.finish("ping and benchmark");
}

/// A `monitor` or `snoop` running in the background, with a control socket.
struct Watcher {
    child: Child,
    ctl: PathBuf,
    stderr: PathBuf,
    stdout: PathBuf,
}

impl Watcher {
    fn start(sw: &RealSwitch, side: Side, tag: &str, args: &[&str]) -> Watcher {
        let dir = sw.rundir();
        let ctl = dir.file(&format!("{tag}-{}.ctl", side.name()));
        let stderr = dir.file(&format!("{tag}-{}.err", side.name()));
        let stdout = dir.file(&format!("{tag}-{}.out", side.name()));
        let open = |p: &Path| match fs::File::create(p) {
            Ok(f) => f,
            Err(e) => panic!("cannot create {}: {e}", p.display()),
        };
        let child = sw
            .tool(side.program())
            .args(args)
            .arg(format!("--unixctl={}", ctl.display()))
            .stdin(Stdio::null())
            .stdout(open(&stdout))
            .stderr(open(&stderr))
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {} ovs-ofctl: {e}", side.name()));
        Watcher {
            child,
            ctl,
            stderr,
            stdout,
        }
    }

    fn appctl(&self, args: &[&str]) -> testkit::Output {
        run(Command::new(OVS_APPCTL)
            .arg("--timeout=20")
            .arg("-t")
            .arg(&self.ctl)
            .args(args))
    }

    /// Waits until the control socket answers, then until the switch answered a
    /// barrier, so the watcher's own setup messages have been processed.
    fn ready(&self, barrier: bool) {
        let what = format!("{} to accept connections", self.ctl.display());
        if let Err(e) = wait_until(Duration::from_secs(20), &what, || {
            std::os::unix::net::UnixStream::connect(&self.ctl).is_ok()
        }) {
            panic!(
                "{e}\n{}",
                fs::read_to_string(&self.stderr).unwrap_or_default()
            );
        }
        if barrier {
            let out = self.appctl(&["ofctl/barrier"]);
            assert!(out.success(), "ofctl/barrier failed: {}", out.stderr);
        }
    }

    /// Waits until the output holds `needle`.
    fn wait_for(&self, needle: &str) {
        let what = format!("{} to print {needle:?}", self.stderr.display());
        if let Err(e) = wait_until(Duration::from_secs(20), &what, || {
            fs::read_to_string(&self.stderr).is_ok_and(|s| s.contains(needle))
        }) {
            panic!(
                "{e}\n{}",
                fs::read_to_string(&self.stderr).unwrap_or_default()
            );
        }
    }

    /// Stops the watcher (`exit` over its control socket, killed if that fails)
    /// and returns what it printed on stderr after its first `skip` bytes.
    fn finish(mut self, skip: usize) -> Seen {
        let _ = self.appctl(&["exit"]);
        let exited = wait_until(Duration::from_secs(10), "the watcher to exit", || {
            matches!(self.child.try_wait(), Ok(Some(_)))
        });
        if exited.is_err() {
            let _ = self.child.kill();
        }
        let status = self.child.wait().ok();
        Seen {
            code: status.and_then(|s| s.code()),
            stdout: fs::read_to_string(&self.stdout).unwrap_or_default(),
            stderr: no_xids(&strip(&strip_log_times(
                fs::read_to_string(&self.stderr)
                    .unwrap_or_default()
                    .get(skip..)
                    .unwrap_or(""),
            ))),
        }
    }
}

impl Drop for Watcher {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// monitor: both tools watch br0 at once (packet-ins with a miss length, flow
/// monitor updates with `watch:`), the test makes the same events for both and
/// compares what they printed.
#[test]
fn monitor_matches_the_reference() {
    let sw = RealSwitch::start("ofctl_monitor");
    let mut m = Mismatches::default();
    let data = format!("packet={PACKET}");
    let cases: &[(&[&str], &str)] = &[
        (&["monitor", "br0", "65534"], "packet-in"),
        (
            &["-O", "OpenFlow12", "monitor", "br0", "128", "invalid_ttl"],
            "packet-in",
        ),
        (&["-O", "OpenFlow14", "monitor", "br0", "watch:"], "flows"),
        (&["monitor", "br0", "watch:!initial,table=0"], "flows"),
    ];
    for (args, events) in cases {
        let watchers: Vec<Watcher> = [Side::Real, Side::Ours]
            .into_iter()
            .map(|side| Watcher::start(&sw, side, "monitor", args))
            .collect();
        for w in &watchers {
            w.ready(true);
        }
        let last = match *events {
            "packet-in" => {
                must(
                    &sw,
                    Side::Real,
                    &[
                        "packet-out",
                        "br0",
                        &format!("in_port=1 {data} actions=controller"),
                    ],
                );
                must(
                    &sw,
                    Side::Real,
                    &[
                        "-O",
                        "OpenFlow13",
                        "packet-out",
                        "br0",
                        &format!("in_port=2,{data},actions=set_field:5->reg0,controller:100"),
                    ],
                );
                "reg0=0x5,in_port=2"
            }
            _ => {
                must(
                    &sw,
                    Side::Real,
                    &["add-flow", "br0", "priority=5,ip,actions=output:2"],
                );
                must(
                    &sw,
                    Side::Real,
                    &["mod-flows", "br0", "ip,actions=output:3"],
                );
                must(&sw, Side::Real, &["del-flows", "br0"]);
                "event=DELETED"
            }
        };
        for w in &watchers {
            w.ready(true);
            w.wait_for(last);
        }
        let mut seen = watchers.into_iter().map(|w| w.finish(0));
        let (real, ours) = (seen.next(), seen.next());
        if let (Some(real), Some(ours)) = (real, ours) {
            m.check(&format!("ovs-ofctl {}", args.join(" ")), &real, &ours);
        }
    }
    // Errors on start: unknown bridge, bad arguments.
    m.compare(&sw, &["monitor", "nobridge"]);
    m.compare(&sw, &["monitor", "br0", "watch:bogus=1"]);
    m.finish("monitor");
}

/// The real test controller, the primary controller whose connection `snoop`
/// shows.
const OVS_TESTCONTROLLER: &str = "/usr/bin/ovs-testcontroller";

/// How many times `needle` occurs in the watcher's output after `skip` bytes.
fn count_in(w: &Watcher, skip: usize, needle: &str) -> usize {
    fs::read_to_string(&w.stderr)
        .ok()
        .and_then(|s| s.get(skip..).map(|t| t.matches(needle).count()))
        .unwrap_or(0)
}

/// snoop: br0's controller is the real ovs-testcontroller; both tools snoop br0 at once,
/// the test makes packet-ins and compares what each printed of that controller
/// connection. Echo requests and replies (sent on idle connections at any time)
/// are left out.
#[test]
fn snoop_matches_the_reference() {
    let sw = RealSwitch::start("ofctl_snoop");
    let sock = sw.rundir().file("controller.sock");
    let _controller = testkit::Daemon::builder(sw.rundir(), OVS_TESTCONTROLLER)
        .name("ovs-testcontroller")
        .args(["-n", "--no-chdir"])
        .arg(format!("punix:{}", sock.display()))
        .start();
    let what = format!("{} to accept connections", sock.display());
    if let Err(e) = wait_until(Duration::from_secs(20), &what, || {
        std::os::unix::net::UnixStream::connect(&sock).is_ok()
    }) {
        panic!("{e}");
    }
    sw.vsctl(&["set-controller", "br0", &format!("unix:{}", sock.display())]);
    if let Err(e) = wait_until(
        Duration::from_secs(20),
        "br0's controller to connect",
        || {
            sw.vsctl(&["get", "controller", "br0", "is_connected"])
                .trim()
                == "true"
        },
    ) {
        panic!("{e}");
    }
    let watchers: Vec<Watcher> = [Side::Real, Side::Ours]
        .into_iter()
        .map(|side| Watcher::start(&sw, side, "snoop", &["snoop", "br0"]))
        .collect();
    for w in &watchers {
        w.ready(false);
    }
    let packet_in = |in_port: u16| {
        let args = format!("in_port={in_port} packet={PACKET} actions=controller");
        must(&sw, Side::Real, &["packet-out", "br0", &args]);
    };
    // The switch attaches a snooper when it next runs; make packet-ins until both
    // have seen one.
    if let Err(e) = wait_until(Duration::from_secs(20), "both snoopers to attach", || {
        packet_in(1);
        watchers.iter().all(|w| count_in(w, 0, "PACKET_IN") > 0)
    }) {
        panic!("{e}");
    }
    // From here on, both see the same traffic.
    let before: Vec<usize> = watchers
        .iter()
        .map(|w| fs::read_to_string(&w.stderr).map_or(0, |s| s.len()))
        .collect();
    packet_in(2);
    packet_in(3);
    for (w, skip) in watchers.iter().zip(&before) {
        let what = "the packet-in from port 3";
        if let Err(e) = wait_until(Duration::from_secs(20), what, || {
            count_in(w, *skip, "in_port=3") == 1
        }) {
            panic!("{e}");
        }
    }
    // A packet-in of the attach loop may still have been on its way when
    // `before` was measured: what counts starts at the packet-in from port 2.
    let seen: Vec<Seen> = watchers
        .into_iter()
        .zip(before)
        .map(|(w, skip)| {
            let mut s = w.finish(skip);
            let from = s
                .stderr
                .find("in_port=2 ")
                .and_then(|i| s.stderr[..i].rfind('\n').map(|n| n + 1).or(Some(0)))
                .unwrap_or(0);
            s.stderr = without_echoes(&s.stderr[from..]);
            s
        })
        .collect();
    assert!(
        seen[0].stderr.contains("in_port=3"),
        "real snoop: {}",
        seen[0].stderr
    );
    let mut m = Mismatches::default();
    m.check("ovs-ofctl snoop br0", &seen[0], &seen[1]);
    m.compare(&sw, &["snoop", "nobridge"]);
    m.finish("snoop");
}

/// Drops echo requests and replies (one line each) from a snoop's output.
fn without_echoes(s: &str) -> String {
    s.lines()
        .filter(|l| !l.starts_with("OFPT_ECHO_"))
        .map(|l| format!("{l}\n"))
        .collect()
}
