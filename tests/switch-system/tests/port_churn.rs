//! 10,000 ports added and removed in a loop without leaks (issue 4, "Bad
//! input"): 50 rounds, each adding 200 patch ports (100 peered pairs, each
//! end an access port of its own VLAN so the pairs make no loop) in one
//! `ovs-vsctl` transaction and deleting them in another, on the bridge that
//! also forwards between two hosts. Patch ports need no kernel device, so the
//! loop measures the switch (database replica, reconfiguration, ofproto and
//! translation state) rather than the kernel.
//!
//! ovs-vswitchd's open file descriptors and resident memory after the last
//! round must stay within a small bound of their values after the first round
//! (allocator caches are warm by then), and the hosts must still ping.
//!
//! Only ours runs here: the real switch proves nothing about our leaks.
//! Timings per phase are printed (`--nocapture`) to show where time goes.

use std::fs;
use std::path::Path;
use std::time::{Duration, Instant};

use testkit::{real_ovs, Flavor, SwitchLab};

const ROUNDS: usize = 50;
/// Ports per round (an even number: they come in peered pairs).
const PORTS_PER_ROUND: usize = 200;
/// Extra fds allowed after the loop (a lingering client connection).
const FD_SLACK: usize = 4;
/// Extra resident memory allowed after the loop (allocator arenas settle in
/// steps): 4 MiB, i.e. a leak of more than ~420 bytes per port fails.
const RSS_SLACK_KB: u64 = 4 * 1024;

fn fd_count(pid: u32) -> usize {
    fs::read_dir(format!("/proc/{pid}/fd")).map_or(0, |d| d.count())
}

fn rss_kb(pid: u32) -> u64 {
    fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.split_whitespace().next())
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or(0)
}

/// `ovs-vsctl` arguments adding `PORTS_PER_ROUND` patch ports (pairs
/// `c<R>a<K>` <-> `c<R>b<K>`) to `br0` in one transaction.
fn add_args(round: usize) -> Vec<String> {
    let mut args = Vec::new();
    for k in 0..PORTS_PER_ROUND / 2 {
        let a = format!("c{round}a{k}");
        let b = format!("c{round}b{k}");
        // Each end an access port of a VLAN of its own: what one end sends
        // into the pair floods nowhere at the other end, and the hosts'
        // (untagged) traffic never enters a pair. Peered ends on one bridge
        // and one VLAN would make a forwarding loop.
        for (me, peer, tag) in [(&a, &b, 2 * k + 1), (&b, &a, 2 * k + 2)] {
            args.extend([
                "--".to_owned(),
                "add-port".to_owned(),
                "br0".to_owned(),
                me.clone(),
                "--".to_owned(),
                "set".to_owned(),
                "interface".to_owned(),
                me.clone(),
                "type=patch".to_owned(),
                format!("options:peer={peer}"),
                "--".to_owned(),
                "set".to_owned(),
                "port".to_owned(),
                me.clone(),
                format!("tag={tag}"),
            ]);
        }
    }
    args
}

fn del_args(round: usize) -> Vec<String> {
    let mut args = Vec::new();
    for k in 0..PORTS_PER_ROUND / 2 {
        for side in ["a", "b"] {
            args.extend([
                "--".to_owned(),
                "del-port".to_owned(),
                "br0".to_owned(),
                format!("c{round}{side}{k}"),
            ]);
        }
    }
    args
}

/// Runs `vsctl` (a path to an `ovs-vsctl`) with `args` and returns how long
/// it took; panics with the switch's log if it fails.
#[track_caller]
fn vsctl_with(lab: &SwitchLab, vsctl: &Path, args: &[String]) -> Duration {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let t = Instant::now();
    let out = lab.tool_output_with(vsctl, &args);
    let took = t.elapsed();
    if !out.success() {
        let head: Vec<&str> = args.iter().copied().take(12).collect();
        panic!(
            "{} {head:?}... ({} args) failed after {took:?} ({}): {}\n{}",
            vsctl.display(),
            args.len(),
            out.status,
            out.stderr,
            lab.log()
        );
    }
    took
}

#[test]
fn ten_thousand_ports_added_and_removed_without_leaks() {
    let mut lab = SwitchLab::start("port_churn", Flavor::Oxvs);
    lab.add_bridge("br0");
    let h1 = lab.add_host("h1", "10.65.0.1/24");
    let h2 = lab.add_host("h2", "10.65.0.2/24");
    lab.vsctl(&["add-port", "br0", &h1.port]);
    lab.vsctl(&["add-port", "br0", &h2.port]);
    assert!(
        lab.can_ping(&h1, &h2.ip),
        "h1 cannot ping h2\n{}",
        lab.log()
    );
    let pid = lab.vswitchd_pid();
    // The client is the Debian ovs-vsctl: this test is about the switch, and
    // ours takes minutes for one 200-port del-port transaction (see
    // `our_vsctl_deletes_200_ports_in_one_transaction_quickly`).
    let vsctl = Path::new(real_ovs::OVS_VSCTL);

    let started = Instant::now();
    let (mut t_add, mut t_del) = (Duration::ZERO, Duration::ZERO);
    let mut baseline = None;
    for round in 0..ROUNDS {
        t_add += vsctl_with(&lab, vsctl, &add_args(round));
        if round == 0 {
            // All 200 are really there, peered, with OpenFlow ports.
            let show = lab.ofctl(&["show", "br0"]);
            let listed = show.lines().filter(|l| l.contains("(c0")).count();
            assert_eq!(listed, PORTS_PER_ROUND, "{show}");
            let ofport = lab.vsctl(&["get", "interface", "c0a0", "ofport"]);
            assert!(
                ofport.trim().parse::<u32>().is_ok_and(|n| n > 0),
                "{ofport}"
            );
        }
        t_del += vsctl_with(&lab, vsctl, &del_args(round));
        if round == 0 {
            baseline = Some((fd_count(pid), rss_kb(pid)));
        }
    }
    let elapsed = started.elapsed();
    let (fds0, rss0) = baseline.unwrap_or_default();
    let (fds, rss) = (fd_count(pid), rss_kb(pid));
    eprintln!(
        "{} ports in {elapsed:?} (adds {t_add:?}, deletes {t_del:?}); \
         fds {fds0} -> {fds}, VmRSS {rss0} kB -> {rss} kB",
        ROUNDS * PORTS_PER_ROUND
    );

    assert!(fds0 > 0 && rss0 > 0, "cannot read /proc/{pid}");
    let listed = lab.vsctl(&["list-ports", "br0"]);
    assert_eq!(listed.lines().count(), 2, "ports left over:\n{listed}");
    assert!(
        fds <= fds0 + FD_SLACK,
        "fd leak: {fds0} open after the first round, {fds} after {ROUNDS}"
    );
    assert!(
        rss <= rss0 + RSS_SLACK_KB,
        "memory leak: VmRSS {rss0} kB after the first round, {rss} kB after {ROUNDS}"
    );
    assert!(
        lab.can_ping(&h2, &h1.ip),
        "h2 cannot ping h1 after the churn\n{}",
        lab.log()
    );
}

/// Our `ovs-vsctl` with one transaction of 200 `del-port`s (the Debian one
/// takes well under a second against our switch, see the test above). Bound:
/// 10 s, generous for a debug build on a loaded machine.
#[test]
fn our_vsctl_deletes_200_ports_in_one_transaction_quickly() {
    let lab = SwitchLab::start("vsctl_del_200", Flavor::Oxvs);
    lab.add_bridge("br0");
    let ours = testkit::oxvs_bin("ovs-vsctl");
    let added = vsctl_with(&lab, &ours, &add_args(0));
    // Our vsctl's --timeout=20 from tool_output_with ends it if it hangs.
    let deleted = vsctl_with(&lab, &ours, &del_args(0));
    eprintln!("our ovs-vsctl: 200 add-port {added:?}, 200 del-port {deleted:?}");
    assert!(
        added < Duration::from_secs(10),
        "200 add-port took {added:?}"
    );
    assert!(
        deleted < Duration::from_secs(10),
        "200 del-port took {deleted:?}"
    );
    let listed = lab.vsctl(&["list-ports", "br0"]);
    assert_eq!(listed, "", "ports left over:\n{listed}");
}
