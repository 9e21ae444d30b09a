//! A meter on real traffic between namespaces: 50 UDP datagrams sent at once
//! through a flow with `meter:1` (a drop band of 1 packet per second with a
//! burst of 5) reach the other host only as far as the meter lets them,
//! and the meter's statistics account for every one of them.
//!
//! Runs against the real Open vSwitch (proving the scenario) and ours.

use testkit::{wait_until, Flavor, SwitchLab, DEFAULT_TIMEOUT};

const SENT: u64 = 50;

/// The value after `key` (e.g. "packet_in_count:") in `text`.
fn counter(text: &str, key: &str) -> Option<u64> {
    let rest = &text[text.find(key)? + key.len()..];
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

fn metered_udp(flavor: Flavor) {
    let mut lab = SwitchLab::start("meter", flavor);
    lab.add_bridge("br0");
    let h1 = lab.add_host("h1", "10.3.0.1/24");
    let h2 = lab.add_host("h2", "10.3.0.2/24");
    lab.add_port_numbered("br0", &h1, 1);
    lab.add_port_numbered("br0", &h2, 2);
    // Neighbour resolution and the path itself through NORMAL first.
    assert!(lab.can_ping(&h1, &h2.ip), "{flavor:?}: h1 cannot ping h2");
    lab.ofctl(&[
        "-O",
        "OpenFlow13",
        "add-meter",
        "br0",
        "meter=1 pktps burst stats bands=type=drop rate=1 burst_size=5",
    ]);
    lab.ofctl(&[
        "-O",
        "OpenFlow13",
        "add-flow",
        "br0",
        "priority=10,in_port=1,udp,tp_dst=9999,actions=meter:1,output:2",
    ]);
    let capture = lab.capture(&h2, "h2", "udp port 9999");
    let script = format!(
        "import socket\n\
         s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\n\
         for i in range({SENT}): s.sendto(b'metered', ('{}', 9999))\n",
        h2.ip
    );
    lab.in_netns(&h1.netns, &["python3", "-c", &script]);

    // Every datagram has met the meter once its input count says so.
    let mut stats = String::new();
    let all_in = wait_until(DEFAULT_TIMEOUT, "the meter to see every datagram", || {
        stats = lab.ofctl(&["-O", "OpenFlow13", "meter-stats", "br0"]);
        counter(&stats, "packet_in_count:") == Some(SENT)
    });
    assert!(all_in.is_ok(), "{flavor:?}: {stats}");
    let dropped = counter(&stats, "0: packet_count:").unwrap_or(0);
    let passed = SENT - dropped;
    // The burst of 5, plus at most a few refilled at 1 per second while the
    // datagrams were on their way.
    assert!(
        (5..=8).contains(&passed),
        "{flavor:?}: {passed} of {SENT} passed the meter:\n{stats}"
    );
    let arrived = wait_until(DEFAULT_TIMEOUT, "the passed datagrams at h2", || {
        capture.lines().len() as u64 == passed
    });
    assert!(
        arrived.is_ok(),
        "{flavor:?}: {} captured, {passed} passed the meter",
        capture.lines().len()
    );
}

#[test]
fn meter_drops_udp_against_the_real_switch() {
    metered_udp(Flavor::Real);
}

#[test]
fn meter_drops_udp_against_oxvs() {
    metered_udp(Flavor::Oxvs);
}
