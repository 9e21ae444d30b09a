//! Real packets between network namespaces through our switch (userspace
//! datapath, `system` ports on veth pairs): the experiment of seed 003. Two
//! bridges joined by patch ports, two namespaces on each; everyone pings
//! everyone; with tags 100/200 only same-tag pairs ping; with the patch ports
//! `vlan_mode=trunk trunks=100` only the tag-100 pair across bridges pings; the
//! NORMAL flow has counted packets. Needs root and iproute2 (fails otherwise).

mod common;

use common::Switch;
use std::process::Command;
use testkit::run;

const IP: &str = "/usr/sbin/ip";

/// Namespaces and veth pairs that are removed however the test ends.
struct Net {
    tag: String,
    subnet: u8,
    n: usize,
}

impl Net {
    /// `n` namespaces `<tag>nI` each holding `<tag>iI` (10.`subnet`.0.I/24), whose
    /// peer `<tag>vI` stays in the root namespace for the switch. `letter` keeps
    /// the names of tests running at the same time apart.
    fn new(letter: char, subnet: u8, n: usize) -> Net {
        assert!(
            std::path::Path::new(IP).exists(),
            "{IP} (iproute2) is needed for namespace tests"
        );
        assert_eq!(
            unsafe { libc::geteuid() },
            0,
            "namespace tests need root (run the suite as root)"
        );
        // Short and unique: interface names are limited to 15 characters.
        let tag = format!("x{letter}{}", std::process::id() % 100_000);
        let net = Net { tag, subnet, n };
        for i in 1..=n {
            let ns = net.ns(i);
            let inner = format!("{}i{i}", net.tag);
            let outer = net.port(i);
            sh(&["netns", "add", &ns]);
            sh(&[
                "link", "add", &outer, "type", "veth", "peer", "name", &inner,
            ]);
            sh(&["link", "set", &inner, "netns", &ns]);
            sh(&[
                "-n",
                &ns,
                "addr",
                "add",
                &format!("10.{subnet}.0.{i}/24"),
                "dev",
                &inner,
            ]);
            sh(&["-n", &ns, "link", "set", &inner, "up"]);
            sh(&["-n", &ns, "link", "set", "lo", "up"]);
            sh(&["link", "set", &outer, "up"]);
        }
        net
    }

    fn ns(&self, i: usize) -> String {
        format!("{}n{i}", self.tag)
    }

    /// The switch-side interface of namespace `i`.
    fn port(&self, i: usize) -> String {
        format!("{}v{i}", self.tag)
    }

    /// Whether namespace `from` reaches 10.`subnet`.0.`to` (a few tries: learning and
    /// ARP may need a moment).
    fn pings(&self, from: usize, to: usize, tries: usize) -> bool {
        (0..tries).any(|_| {
            run(Command::new(IP).args([
                "netns",
                "exec",
                &self.ns(from),
                "ping",
                "-c",
                "1",
                "-W",
                "1",
                &format!("10.{}.0.{to}", self.subnet),
            ]))
            .success()
        })
    }
}

impl Drop for Net {
    fn drop(&mut self) {
        for i in 1..=self.n {
            let _ = run(Command::new(IP).args(["link", "del", &self.port(i)]));
            let _ = run(Command::new(IP).args(["netns", "del", &self.ns(i)]));
        }
    }
}

#[track_caller]
fn sh(args: &[&str]) {
    let out = run(Command::new(IP).args(args));
    assert!(out.success(), "ip {args:?}: {}", out.stderr);
}

#[test]
fn seed_003_patch_ports_and_vlans() {
    let net = Net::new('a', 78, 4);
    let sw = Switch::start_with("seed_003", &[]);
    let (p1, p2, p3, p4) = (net.port(1), net.port(2), net.port(3), net.port(4));
    // Bridge names are TAP devices in the root namespace: keep them unique.
    let (br0, br1) = (format!("{}b0", net.tag), format!("{}b1", net.tag));
    let _guards = (LinkGuard(br0.clone()), LinkGuard(br1.clone()));
    sw.vsctl(&["add-br", &br0, "--", "add-br", &br1]);
    sw.vsctl(&["add-port", &br0, &p1, "--", "add-port", &br0, &p2]);
    sw.vsctl(&["add-port", &br1, &p3, "--", "add-port", &br1, &p4]);
    sw.vsctl(&[
        "add-port",
        &br0,
        "patch01",
        "--",
        "set",
        "interface",
        "patch01",
        "type=patch",
        "options:peer=patch10",
        "--",
        "add-port",
        &br1,
        "patch10",
        "--",
        "set",
        "interface",
        "patch10",
        "type=patch",
        "options:peer=patch01",
    ]);
    for p in [&p1, &p2, &p3, &p4] {
        assert_eq!(sw.get("Interface", p, "error"), "[]", "{p}");
        assert_eq!(sw.get("Interface", p, "link_state"), "up", "{p}");
    }
    // Untagged: everyone reaches everyone, across the patch ports too.
    for (a, b) in [(1, 2), (1, 3), (1, 4), (2, 3), (2, 4), (3, 4)] {
        assert!(
            net.pings(a, b, 5),
            "untagged: ns{a} cannot ping ns{b}\n{}",
            sw.log()
        );
    }
    // Tags: 1 and 3 on VLAN 100, 2 and 4 on VLAN 200.
    sw.vsctl(&[
        "set", "port", &p1, "tag=100", "--", "set", "port", &p3, "tag=100",
    ]);
    sw.vsctl(&[
        "set", "port", &p2, "tag=200", "--", "set", "port", &p4, "tag=200",
    ]);
    assert!(net.pings(1, 3, 5), "tag 100 pair cannot ping");
    assert!(net.pings(2, 4, 5), "tag 200 pair cannot ping");
    for (a, b) in [(1, 2), (1, 4), (3, 2), (3, 4)] {
        assert!(!net.pings(a, b, 1), "different tags: ns{a} pings ns{b}");
    }
    // The patch ports trunk only VLAN 100.
    sw.vsctl(&[
        "set",
        "port",
        "patch01",
        "vlan_mode=trunk",
        "trunks=100",
        "--",
        "set",
        "port",
        "patch10",
        "vlan_mode=trunk",
        "trunks=100",
    ]);
    assert!(
        net.pings(1, 3, 5),
        "tag 100 pair cannot ping over the trunk"
    );
    assert!(
        !net.pings(2, 4, 2),
        "tag 200 crosses a trunk of VLAN 100 only"
    );
    // One visible NORMAL flow per bridge, with counted packets.
    let out = run(sw
        .dir
        .command(testkit::real_ovs::OVS_OFCTL)
        .args(["dump-flows", &br0]));
    let flows: Vec<&str> = out.stdout.lines().skip(1).collect();
    assert_eq!(flows.len(), 1, "{}", out.stdout);
    assert!(
        flows[0].contains("priority=0 actions=NORMAL"),
        "{}",
        out.stdout
    );
    assert!(!flows[0].contains("n_packets=0,"), "{}", out.stdout);

    // A port whose Linux device disappears reports it; the others keep working.
    sh(&["link", "del", &p2]);
    sw.wait(
        "link_state down and an error for the vanished device",
        || {
            sw.get("Interface", &p2, "link_state") == "down"
                && sw.get("Interface", &p2, "error").contains("No such device")
        },
    );
    assert!(
        net.pings(1, 3, 5),
        "ns1 cannot ping ns3 after ns2's device vanished"
    );
}

/// Deletes a Linux interface when the test ends.
struct LinkGuard(String);

impl Drop for LinkGuard {
    fn drop(&mut self) {
        let _ = run(Command::new(IP).args(["link", "del", &self.0]));
    }
}

/// Stops a process started by the test.
struct ChildGuard(std::process::Child);

impl Drop for ChildGuard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn internal_port_carries_ip_and_tcp() {
    let net = Net::new('b', 79, 1);
    let sw = Switch::start_with("internal_port", &[]);
    let bridge = format!("{}b", net.tag);
    let _guard = LinkGuard(bridge.clone());
    sw.vsctl(&["add-br", &bridge, "--", "add-port", &bridge, &net.port(1)]);
    // The internal port is a TAP device named after the bridge, down until the
    // administrator brings it up (as with the reference).
    sh(&["addr", "add", "10.79.0.100/24", "dev", &bridge]);
    sh(&["link", "set", &bridge, "up"]);
    sw.wait("the internal port's admin_state up", || {
        sw.get("Interface", &bridge, "admin_state") == "up"
    });
    if !net.pings(1, 100, 5) {
        let out = run(Command::new(IP).args([
            "netns",
            "exec",
            &net.ns(1),
            "ping",
            "-c",
            "1",
            "-W",
            "1",
            "10.79.0.100",
        ]));
        let addrs = run(Command::new(IP).args(["-n", &net.ns(1), "addr"]));
        let host = run(Command::new(IP).args(["addr", "show", "dev", &bridge]));
        panic!(
            "namespace cannot ping the internal port: {}{}\n{}\n{}",
            out.stdout, out.stderr, addrs.stdout, host.stdout
        );
    }
    // TCP through the switch: a short iperf3 run must move data.
    let iperf = "/usr/bin/iperf3";
    assert!(std::path::Path::new(iperf).exists(), "{iperf} is needed");
    let server = Command::new(iperf)
        .args(["-s", "-1", "-B", "10.79.0.100"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("iperf3 server starts");
    let _server = ChildGuard(server);
    let mut client = None;
    sw.wait("iperf3 to connect and transfer", || {
        let out = run(Command::new(IP).args([
            "netns",
            "exec",
            &net.ns(1),
            iperf,
            "-c",
            "10.79.0.100",
            "-t",
            "1",
            "-J",
        ]));
        let ok = out.success() && out.stdout.contains("\"sum_received\"");
        if ok {
            client = Some(out.stdout);
        }
        ok
    });
    let report = client.unwrap_or_default();
    // The bytes the server received, from the "sum_received" summary.
    let received: u64 = report
        .split("\"sum_received\"")
        .nth(1)
        .and_then(|r| r.split("\"bytes\":").nth(1))
        .and_then(|v| {
            v.trim()
                .split(|c: char| !c.is_ascii_digit())
                .next()
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or(0);
    assert!(
        received > 1_000_000,
        "only {received} bytes received:\n{report}"
    );
}
