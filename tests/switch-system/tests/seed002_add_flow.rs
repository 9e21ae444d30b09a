//! The `ovs-ofctl add-flow` examples of seed 002, each observed with tcpdump on
//! real traffic between namespaces: mod_vlan_vid + normal, strip_vlan + output,
//! mod_nw_src + normal, ICMP redirected to a port, and del-flows by in_port.
//! Ports get the OpenFlow numbers the examples use (1, 3, 100, 102).
//!
//! Runs against the real Open vSwitch (proving the scenario) and ours.

use std::time::Duration;
use testkit::{Flavor, Host, SwitchLab};

const SEEN: Duration = Duration::from_secs(10);

struct Net {
    lab: SwitchLab,
    h1: Host,
    h3: Host,
    h100: Host,
    h102: Host,
}

fn setup(flavor: Flavor) -> Net {
    let mut lab = SwitchLab::start("seed002", flavor);
    lab.add_bridge("br0");
    let mut hosts = Vec::new();
    for n in [1u16, 3, 100, 102] {
        let host = lab.add_host(&format!("h{n}"), &format!("10.0.0.{n}/24"));
        lab.add_port_numbered("br0", &host, n);
        hosts.push(host);
    }
    let mut it = hosts.into_iter();
    let (h1, h3, h100, h102) = (
        it.next().expect("h1"),
        it.next().expect("h3"),
        it.next().expect("h100"),
        it.next().expect("h102"),
    );
    Net {
        lab,
        h1,
        h3,
        h100,
        h102,
    }
}

/// A frame from `src` to `dst` with an 802.1Q tag (VID `vid`) around a
/// small UDP datagram to port 9999.
fn tagged_udp(src: &Host, dst: &Host, vid: u16) -> String {
    let mac = |m: &str| m.replace(':', "");
    let ip = |a: &str| {
        a.split('.')
            .map(|o| format!("{:02x}", o.parse::<u8>().unwrap_or(0)))
            .collect::<String>()
    };
    // IPv4 header with a zero checksum filled below; UDP checksum 0 (none).
    let mut iph = format!("450000200001000040110000{}{}", ip(&src.ip), ip(&dst.ip));
    let bytes: Vec<u16> = (0..10)
        .map(|i| u16::from_str_radix(&iph[i * 4..i * 4 + 4], 16).unwrap_or(0))
        .collect();
    let mut sum: u32 = bytes.iter().map(|&w| u32::from(w)).sum();
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    iph.replace_range(20..24, &format!("{:04x}", !(sum as u16)));
    format!(
        "{}{}8100{:04x}0800{}3039270f000c0000{}",
        mac(&dst.mac),
        mac(&src.mac),
        vid,
        iph,
        "deadbeef"
    )
}

fn seed002(flavor: Flavor) {
    let net = setup(flavor);
    let lab = &net.lab;

    // 1. Untagged traffic from port 100 is tagged 101, then switched normally.
    lab.ofctl(&[
        "add-flow",
        "br0",
        "priority=3,in_port=100,dl_vlan=0xffff,actions=mod_vlan_vid:101,normal",
    ]);
    let cap = lab.capture(&net.h1, "vlan101", "");
    lab.ping_once(&net.h100, &net.h1.ip);
    assert!(
        cap.wait_for(&[&net.h100.mac, "vlan 101"], SEEN).is_some(),
        "{flavor:?}: no frame tagged 101 from h100 at h1: {:?}",
        cap.lines()
    );
    drop(cap);
    lab.ofctl(&["del-flows", "br0", "in_port=100"]);

    // 2. Frames tagged 101 from port 3 leave untagged on port 1.
    lab.ofctl(&[
        "add-flow",
        "br0",
        "in_port=3,dl_vlan=101,actions=strip_vlan,output:1",
    ]);
    let cap = lab.capture(&net.h1, "strip", "udp port 9999");
    lab.send_frame(&net.h3, &tagged_udp(&net.h3, &net.h1, 101));
    let line = cap.wait_for(&[&net.h3.mac, "9999"], SEEN);
    let line = line.unwrap_or_else(|| panic!("{flavor:?}: stripped frame not seen at h1"));
    assert!(!line.contains("vlan"), "{flavor:?}: still tagged: {line}");
    drop(cap);

    // 3. Traffic from port 100 gets source address 9.181.137.1.
    lab.ofctl(&[
        "add-flow",
        "br0",
        "priority=1 idle_timeout=0,in_port=100,actions=mod_nw_src:9.181.137.1,normal",
    ]);
    let cap = lab.capture(&net.h1, "nwsrc", "icmp");
    lab.ping_once(&net.h100, &net.h1.ip);
    assert!(
        cap.wait_for(&["9.181.137.1 > 10.0.0.1", "echo request"], SEEN)
            .is_some(),
        "{flavor:?}: rewritten ICMP not seen at h1: {:?}",
        cap.lines()
    );
    drop(cap);

    // 4. ICMP goes to port 102, whoever it is for.
    lab.ofctl(&[
        "add-flow",
        "br0",
        "idle_timeout=0,dl_type=0x0800,nw_proto=1,actions=output:102",
    ]);
    let at_102 = lab.capture(&net.h102, "icmp102", "icmp");
    let at_3 = lab.capture(&net.h3, "icmp3", "icmp");
    assert!(
        !lab.ping_once(&net.h1, &net.h3.ip),
        "{flavor:?}: ping went through"
    );
    assert!(
        at_102
            .wait_for(&["10.0.0.1 > 10.0.0.3", "echo request"], SEEN)
            .is_some(),
        "{flavor:?}: ICMP not redirected to port 102: {:?}",
        at_102.lines()
    );
    assert!(at_3.lines().is_empty(), "{flavor:?}: {:?}", at_3.lines());

    // 5. del-flows by in_port removes exactly the flows on port 100.
    let before = lab.ofctl(&["dump-flows", "br0"]);
    assert!(before.contains("in_port=100"), "{flavor:?}: {before}");
    lab.ofctl(&["del-flows", "br0", "in_port=100"]);
    let after = lab.ofctl(&["dump-flows", "br0"]);
    let flows: Vec<&str> = after.lines().filter(|l| l.starts_with(' ')).collect();
    assert_eq!(flows.len(), 3, "{flavor:?}:\n{after}");
    assert!(!after.contains("in_port=100"), "{flavor:?}:\n{after}");
    assert!(after.contains("in_port=3,dl_vlan=101 actions=strip_vlan,output:1"));
    assert!(
        after.contains("icmp actions=output:102"),
        "{flavor:?}:\n{after}"
    );
    assert!(
        after.contains("priority=0 actions=NORMAL"),
        "{flavor:?}:\n{after}"
    );
}

#[test]
fn seed002_against_the_real_switch() {
    seed002(Flavor::Real);
}

#[test]
fn seed002_against_oxvs() {
    seed002(Flavor::Oxvs);
}
