//! Connection targets and connection options of our `ovs-ofctl`, side by side with
//! the real one against the same real Open vSwitch 3.1 switch:
//! - `unix:<rundir>/br0.mgmt` as an explicit target;
//! - `tcp:127.0.0.1:PORT` to a passive listener the bridge opens (`ptcp:` in its
//!   controller list), with both tools run inside the switch's network namespace;
//! - `monitor` through `tcp:` and `unix:` targets, printing the packet-in that a
//!   packet-out to CONTROLLER causes; `monitor ptcp:PORT` (the real tool cannot
//!   listen for the switch: a passive target fails at once) fails alike;
//! - `--timeout=1` against a peer that accepts but never answers;
//! - `-F nxm` / `-F openflow10` with add-flow and dump-flows.
//!
//! Exit status, stdout and stderr must match after `common::strip` (durations and
//! ages) and log-timestamp normalisation.

mod common;

use std::net::TcpListener;
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::time::Duration;

use common::{must, offline, Mismatches, Seen, Side};
use testkit::real_switch::IP;
use testkit::{real_ovs, run, wait_until, Daemon, Output, RealSwitch, DEFAULT_TIMEOUT};

/// `ovs-ofctl ARGS` of `side` inside the switch's network namespace, where its
/// TCP listeners and controller connections live.
fn inside(sw: &RealSwitch, side: Side, args: &[&str]) -> Output {
    run(sw.command(side.program()).args(args))
}

/// Runs `args` inside the namespace with both tools and records any difference.
fn compare_inside(m: &mut Mismatches, sw: &RealSwitch, args: &[&str]) {
    let real = Seen::of(&inside(sw, Side::Real, args));
    let ours = Seen::of(&inside(sw, Side::Ours, args));
    m.check(
        &format!("(in netns) ovs-ofctl {}", args.join(" ")),
        &real,
        &ours,
    );
}

/// The switch's namespace starts with its loopback device down, so nothing could
/// reach 127.0.0.1 there; brings it up.
fn loopback_up(sw: &RealSwitch) {
    testkit::run_ok(sw.command(IP).args(["link", "set", "lo", "up"]));
}

/// Whether something listens on TCP `port` inside the switch's namespace
/// (`/proc/net/tcp` read from inside shows that namespace's sockets; state 0A is
/// LISTEN).
fn listening_inside(sw: &RealSwitch, port: u16) -> bool {
    let out = run(sw.command("/bin/cat").arg("/proc/net/tcp"));
    let local = format!(":{port:04X}");
    out.stdout.lines().skip(1).any(|l| {
        let f: Vec<&str> = l.split_whitespace().collect();
        f.get(1).is_some_and(|a| a.ends_with(&local)) && f.get(3) == Some(&"0A")
    })
}

#[test]
fn unix_target_matches_reference() {
    let sw = RealSwitch::start("ofctl_target_unix");
    let target = sw.mgmt_target("br0");
    let mut m = Mismatches::default();
    m.compare(&sw, &["dump-flows", &target]);
    m.compare(
        &sw,
        &["add-flow", &target, "priority=7,in_port=1,actions=output:2"],
    );
    m.compare(&sw, &["--no-stats", "dump-flows", &target]);
    m.compare(&sw, &["show", &target]);
    // A socket that does not exist.
    let missing = format!("unix:{}", sw.rundir().file("nosuch.mgmt").display());
    m.compare(&sw, &["dump-flows", &missing]);
    m.finish("unix: target");
}

#[test]
fn tcp_target_matches_reference() {
    const PORT: u16 = 16633;
    let sw = RealSwitch::start("ofctl_target_tcp");
    loopback_up(&sw);
    sw.vsctl(&["set-controller", "br0", &format!("ptcp:{PORT}:127.0.0.1")]);
    let target = format!("tcp:127.0.0.1:{PORT}");
    if let Err(e) = wait_until(DEFAULT_TIMEOUT, "br0's ptcp listener", || {
        listening_inside(&sw, PORT)
    }) {
        panic!("{e}");
    }
    let mut m = Mismatches::default();
    compare_inside(&mut m, &sw, &["show", &target]);
    compare_inside(&mut m, &sw, &["dump-flows", &target]);
    compare_inside(
        &mut m,
        &sw,
        &["add-flow", &target, "priority=9,tcp,tp_dst=22,actions=drop"],
    );
    compare_inside(&mut m, &sw, &["--no-stats", "dump-flows", &target]);
    compare_inside(&mut m, &sw, &["-O", "OpenFlow13", "dump-flows", &target]);
    // Nobody listens on the next port.
    compare_inside(
        &mut m,
        &sw,
        &["dump-flows", &format!("tcp:127.0.0.1:{}", PORT + 1)],
    );
    // Errors the connect reports at once (the namespace has no route but
    // loopback; the name does not resolve) are logged by stream_tcp too.
    compare_inside(&mut m, &sw, &["show", "tcp:192.0.2.1:6653"]);
    compare_inside(&mut m, &sw, &["show", "tcp:nosuchhost.invalid:6653"]);
    // No port: the default-port warning, then a refusal.
    compare_inside(&mut m, &sw, &["show", "tcp:127.0.0.1"]);
    m.finish("tcp: target");
}

/// Starts `side`'s `monitor TARGET 65535` inside the namespace (the miss length
/// makes the switch send async messages to a service connection), sends
/// packet-outs to CONTROLLER until the monitor prints a packet-in (its connection
/// and set-config race with the first one), and returns the first message that
/// mentions PACKET_IN on each of its stdout and stderr.
fn monitor_packet_in(sw: &RealSwitch, side: Side, target: &str) -> Seen {
    let mut mon = Daemon::builder(sw.rundir(), IP)
        .name(&format!("monitor-{}", side.name()))
        .args(["netns", "exec", sw.netns()])
        .arg(side.program())
        .args(["monitor", target, "65535"])
        .start();
    // A broadcast ARP-typed Ethernet frame, zero padded to 60 bytes.
    let frame = format!("ffffffffffff0000000000010806{}", "00".repeat(46));
    let mut tries = 0;
    let printed = wait_until(DEFAULT_TIMEOUT, "the monitor to print a packet-in", || {
        // The real tool prints what it receives on stderr, not stdout.
        let printed = mon.stdout() + &mon.stderr();
        if printed.contains("PACKET_IN") || !mon.is_running() {
            return true;
        }
        tries += 1;
        // One packet-out per ~200 ms of polling.
        if tries % 8 == 1 {
            must(
                sw,
                Side::Real,
                &["packet-out", "br0", "LOCAL", "controller", &frame],
            );
        }
        false
    });
    if let Err(e) = printed {
        panic!("{} monitor: {e}\n{}", side.name(), mon.stderr_report());
    }
    assert!(
        mon.is_running(),
        "{} monitor exited\n{}",
        side.name(),
        mon.stderr_report()
    );
    // The whole message: wait until its last line is complete and stable.
    let mut last = String::new();
    let _ = wait_until(Duration::from_millis(500), "output to settle", || {
        let now = mon.stdout() + &mon.stderr();
        let same = now == last && now.ends_with('\n');
        last = now;
        same
    });
    mon.kill9();
    Seen {
        code: None,
        stdout: common::strip(&first_message_with(&mon.stdout(), "PACKET_IN")),
        stderr: common::strip(&first_message_with(&mon.stderr(), "PACKET_IN")),
    }
}

/// The first printed message whose header line contains `what`: that line and
/// the lines after it up to the next message header (`OFPT_`/`NXT_`/`ONFT_`).
fn first_message_with(out: &str, what: &str) -> String {
    let mut lines = out.lines().skip_while(|l| !l.contains(what));
    let mut msg = String::new();
    if let Some(first) = lines.next() {
        msg.push_str(first);
        msg.push('\n');
    }
    for l in lines.take_while(|l| !["OFPT_", "NXT_", "ONFT_"].iter().any(|p| l.starts_with(p))) {
        msg.push_str(l);
        msg.push('\n');
    }
    msg
}

#[test]
fn monitor_through_targets_matches_reference() {
    const PORT: u16 = 16640;
    let sw = RealSwitch::start("ofctl_target_monitor");
    loopback_up(&sw);
    sw.vsctl(&["set-controller", "br0", &format!("ptcp:{PORT}:127.0.0.1")]);
    if let Err(e) = wait_until(DEFAULT_TIMEOUT, "br0's ptcp listener", || {
        listening_inside(&sw, PORT)
    }) {
        panic!("{e}");
    }
    let mut m = Mismatches::default();
    for target in [format!("tcp:127.0.0.1:{PORT}"), sw.mgmt_target("br0")] {
        let real = monitor_packet_in(&sw, Side::Real, &target);
        let ours = monitor_packet_in(&sw, Side::Ours, &target);
        assert!(
            (real.stdout.clone() + &real.stderr).contains("PACKET_IN"),
            "{real:?}"
        );
        m.check(&format!("monitor {target}: packet-in"), &real, &ours);
    }
    m.finish("monitor through targets");
}

/// `monitor ptcp:PORT`: the real tool cannot listen for the switch (a passive
/// target is no vconn to open) and fails at once; ours must fail alike, not wait.
#[test]
fn monitor_on_passive_target_fails_like_reference() {
    let sw = RealSwitch::start("ofctl_target_ptcp_monitor");
    loopback_up(&sw);
    let mut m = Mismatches::default();
    let mut seen = Vec::new();
    for side in [Side::Real, Side::Ours] {
        let mut mon = Daemon::builder(sw.rundir(), IP)
            .name(&format!("ptcp-monitor-{}", side.name()))
            .args(["netns", "exec", sw.netns()])
            .arg(side.program())
            .args(["monitor", "ptcp:16650:127.0.0.1"])
            .start();
        let status = match mon.wait_exit(Duration::from_secs(5)) {
            Ok(s) => s,
            Err(e) => panic!("{} monitor ptcp: did not exit: {e}", side.name()),
        };
        seen.push(Seen {
            code: status.code(),
            stdout: mon.stdout(),
            stderr: common::strip_log_times(&mon.stderr()),
        });
    }
    m.check("monitor ptcp:16650:127.0.0.1", &seen[0], &seen[1]);
    m.finish("monitor on a passive target");
}

#[test]
fn timeout_against_a_silent_peer_matches_reference() {
    // Accepts connections and holds them open without ever writing.
    let listener = match TcpListener::bind("127.0.0.1:0") {
        Ok(l) => l,
        Err(e) => panic!("bind: {e}"),
    };
    let port = match listener.local_addr() {
        Ok(a) => a.port(),
        Err(e) => panic!("local_addr: {e}"),
    };
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for s in listener.incoming().flatten() {
            held.push(s);
        }
    });
    assert!(Path::new(real_ovs::OVS_OFCTL).exists());
    let target = format!("tcp:127.0.0.1:{port}");
    let mut m = Mismatches::default();
    for args in [
        vec!["--timeout=1", "show", target.as_str()],
        vec!["-t", "1", "dump-flows", target.as_str()],
    ] {
        let (real_out, ours_out) = (offline(Side::Real, &args), offline(Side::Ours, &args));
        // Killed by SIGALRM: no exit code, so compare the signal too.
        assert_eq!(
            ours_out.status.signal(),
            real_out.status.signal(),
            "{args:?}: real {}, ours {}",
            real_out.status,
            ours_out.status
        );
        let real = Seen::of(&real_out);
        let ours = Seen::of(&ours_out);
        m.check(&format!("ovs-ofctl {}", args.join(" ")), &real, &ours);
    }
    m.finish("--timeout against a silent peer");
}

#[test]
fn flow_formats_match_reference() {
    let sw = RealSwitch::start("ofctl_target_flow_format");
    let mut m = Mismatches::default();
    for format in ["nxm", "openflow10", "NXM+table_id", "OXM-OpenFlow13"] {
        m.compare(
            &sw,
            &[
                "-F",
                format,
                "add-flow",
                "br0",
                "priority=5,ip,nw_dst=10.0.0.1,actions=output:1",
            ],
        );
        // Needs NXM: refused with -F openflow10.
        m.compare(
            &sw,
            &[
                "-F",
                format,
                "add-flow",
                "br0",
                "priority=6,reg0=3,actions=output:2",
            ],
        );
        m.compare(&sw, &["-F", format, "--no-stats", "dump-flows", "br0"]);
        m.compare(&sw, &["--flow-format", format, "dump-flows", "br0", "ip"]);
    }
    m.compare(&sw, &["--flow-format=nxm", "del-flows", "br0", "reg0=3"]);
    m.compare(&sw, &["--flow-format=openflow10", "dump-flows", "br0"]);
    // A name that is not a flow format.
    m.compare(&sw, &["-F", "bogus", "dump-flows", "br0"]);
    m.finish("flow formats");
}
