//! NORMAL (MAC learning, flooding, every VLAN mode in and out) and patch
//! ports, against the real ovs-vswitchd with the dummy datapath: packets are
//! injected on both sides (real: `netdev-dummy/receive`; ours: the
//! datapath upcall handler), then `ofproto/trace` and `fdb/show` compared.

mod common;

use common::{compare, fdb_no_age, line, Pair, Step::*};
use datapath::UpcallHandler;
use openflow::flow_match::key::{self, FlowKey};

const BCAST: &str = "ff:ff:ff:ff:ff:ff";

/// Sends one packet (OpenFlow-syntax flow, in_port = port name's ofport) to
/// both switches as if received on `port`.
fn inject(pair: &Pair, bridge: &str, port: &str, flow: &str) {
    let odp = pair.real.odp_ports();
    let (ofport, odp_port) = odp.get(port).copied().expect("port");
    let odp_port = odp_port.expect("datapath port");
    let mut k = ofproto_dpif::trace_cmd::parse_of_flow(flow, None).expect("flow");
    k.set_uint(key::IN_PORT, u64::from(ofport));
    let pkt = packet::compose(&k);
    let hex: String = pkt.iter().map(|b| format!("{b:02x}")).collect();
    pair.real.appctl(&["netdev-dummy/receive", port, &hex]);
    let mut dk = FlowKey::default();
    packet::extract(&pkt, &mut dk);
    dk.set_uint(key::IN_PORT, u64::from(odp_port));
    let _ = bridge;
    let _ = pair.ours.backer.miss(&pkt, &dk);
}

#[test]
fn vlan_modes_flood() {
    let pair = Pair::build(
        "xn-vlan",
        &[
            Bridge("br0"),
            Port("br0", "p1", 1, "tag=10"),
            Port("br0", "p2", 2, "tag=20"),
            Port("br0", "p3", 3, "trunks=10,20"),
            Port("br0", "p4", 4, "tag=10 vlan_mode=native-untagged"),
            Port("br0", "p5", 5, "tag=20 vlan_mode=native-tagged"),
            Port("br0", "p6", 6, ""),
            Port("br0", "p7", 7, "tag=30 vlan_mode=dot1q-tunnel"),
            Port("br0", "p8", 8, "tag=10 vlan_mode=native-tagged trunks=20"),
            Flow("br0", "actions=NORMAL"),
        ],
    );
    let mut cases: Vec<(String, String)> = Vec::new();
    for p in 1..=8 {
        for vlan in [
            "",
            ",dl_vlan=10",
            ",dl_vlan=20",
            ",dl_vlan=30",
            ",dl_vlan=10,dl_vlan_pcp=5",
        ] {
            cases.push((
                "br0".into(),
                format!("in_port={p},dl_src=00:00:00:00:00:0{p},dl_dst={BCAST}{vlan}"),
            ));
        }
    }
    let cases: Vec<(&str, &str)> = cases
        .iter()
        .map(|(b, f)| (b.as_str(), f.as_str()))
        .collect();
    let diffs = compare(&pair, &cases, true);
    assert!(
        diffs.is_empty(),
        "{} differences:\n{}",
        diffs.len(),
        diffs.join("\n\n")
    );
}

#[test]
fn learning_and_fdb_show() {
    let pair = Pair::build(
        "xn-learn",
        &[
            Bridge("br0"),
            Port("br0", "p1", 1, ""),
            Port("br0", "p2", 2, ""),
            Port("br0", "p3", 3, "tag=10"),
            Port("br0", "p4", 4, "tag=10"),
            Flow("br0", "actions=NORMAL"),
        ],
    );
    inject(
        &pair,
        "br0",
        "p2",
        "dl_src=50:54:00:00:00:02,dl_dst=ff:ff:ff:ff:ff:ff",
    );
    inject(
        &pair,
        "br0",
        "p4",
        "dl_src=50:54:00:00:00:04,dl_dst=50:54:00:00:00:02,ip,nw_ttl=64",
    );
    inject(
        &pair,
        "br0",
        "p1",
        "dl_src=50:54:00:00:00:01,dl_dst=50:54:00:00:00:02,ip,nw_ttl=64",
    );
    let real_fdb = pair.real.appctl(&["fdb/show", "br0"]);
    let our_fdb = pair.ours.backer.fdb_show("br0").expect("fdb/show");
    assert_eq!(fdb_no_age(&our_fdb), fdb_no_age(&real_fdb));
    let cases = [
        (
            "br0",
            "in_port=1,dl_src=50:54:00:00:00:01,dl_dst=50:54:00:00:00:02",
        ),
        (
            "br0",
            "in_port=2,dl_src=50:54:00:00:00:02,dl_dst=50:54:00:00:00:01",
        ),
        (
            "br0",
            "in_port=2,dl_src=50:54:00:00:00:02,dl_dst=50:54:00:00:00:02",
        ),
        (
            "br0",
            "in_port=3,dl_src=50:54:00:00:00:03,dl_dst=50:54:00:00:00:04",
        ),
        (
            "br0",
            "in_port=3,dl_src=50:54:00:00:00:03,dl_dst=50:54:00:00:00:02",
        ),
        (
            "br0",
            "in_port=1,dl_src=50:54:00:00:00:01,dl_dst=01:80:c2:00:00:00",
        ),
        (
            "br0",
            "in_port=1,arp,dl_dst=ff:ff:ff:ff:ff:ff,arp_op=1,arp_spa=1.1.1.1,arp_tpa=1.1.1.1",
        ),
    ];
    let diffs = compare(&pair, &cases, true);
    assert!(
        diffs.is_empty(),
        "{} differences:\n{}",
        diffs.len(),
        diffs.join("\n\n")
    );
    // Both count the same learning.
    let real_stats = pair.real.appctl(&["fdb/stats-show", "br0"]);
    let our_stats = pair.ours.backer.fdb_stats_show("br0").expect("stats");
    assert_eq!(our_stats, real_stats);
    // dpif/show's bridge part (the header line is the datapath's) and
    // ofproto/list.
    let real_show = pair.real.appctl(&["dpif/show"]);
    let real_bridges: String = real_show
        .lines()
        .skip(1)
        .map(|l| format!("{l}\n"))
        .collect();
    assert_eq!(pair.ours.backer.dpif_show_bridges(), real_bridges);
    assert_eq!(
        ofproto_dpif::backer::ofproto_list(&pair.ours.backer),
        pair.real.appctl(&["ofproto/list"])
    );
    // Flushing empties both.
    assert_eq!(
        pair.ours.backer.fdb_flush(Some("br0")).expect("flush"),
        pair.real.appctl(&["fdb/flush", "br0"])
    );
    assert_eq!(
        pair.ours.backer.fdb_show("br0").expect("fdb/show"),
        pair.real.appctl(&["fdb/show", "br0"])
    );
}

#[test]
fn patch_ports_continue_in_peer_bridge() {
    let pair = Pair::build(
        "xn-patch",
        &[
            Bridge("br0"),
            Bridge("br1"),
            Port("br0", "p1", 1, ""),
            Port("br0", "p2", 2, "tag=100"),
            Port("br1", "p3", 3, ""),
            Port("br1", "p4", 4, "tag=200"),
            Patch("br0", "pa", 10, "pb"),
            Patch("br1", "pb", 11, "pa"),
            Flow("br0", "actions=NORMAL"),
            Flow("br1", "actions=NORMAL"),
        ],
    );
    let cases = [
        ("br0", "in_port=1,dl_dst=ff:ff:ff:ff:ff:ff"),
        ("br0", "in_port=2,dl_dst=ff:ff:ff:ff:ff:ff"),
        ("br1", "in_port=4,dl_dst=ff:ff:ff:ff:ff:ff,ip"),
        ("br1", "in_port=3,dl_dst=ff:ff:ff:ff:ff:ff,dl_vlan=100"),
    ];
    let diffs = compare(&pair, &cases, true);
    assert!(
        diffs.is_empty(),
        "{} differences:\n{}",
        diffs.len(),
        diffs.join("\n\n")
    );
}

#[test]
fn patch_ports_trunk_filter_and_openflow() {
    let pair = Pair::build(
        "xn-patch2",
        &[
            Bridge("br0"),
            Bridge("br1"),
            Port("br0", "p1", 1, "tag=100"),
            Port("br0", "p2", 2, "tag=200"),
            Port("br1", "p3", 3, "tag=100"),
            Port("br1", "p4", 4, "tag=200"),
            Patch("br0", "pa", 10, "pb"),
            Patch("br1", "pb", 11, "pa"),
            Flow("br0", "actions=NORMAL"),
            Flow(
                "br1",
                "priority=10,in_port=11,actions=load:1->NXM_NX_REG0[],resubmit(,1)",
            ),
            Flow("br1", "table=1,reg0=1,actions=NORMAL"),
            Flow("br1", "table=1,priority=0,actions=3"),
        ],
    );
    let cases = [
        ("br0", "in_port=1,dl_dst=ff:ff:ff:ff:ff:ff"),
        ("br0", "in_port=2,dl_dst=ff:ff:ff:ff:ff:ff,tcp"),
    ];
    let diffs = compare(&pair, &cases, true);
    assert!(
        diffs.is_empty(),
        "{} differences:\n{}",
        diffs.len(),
        diffs.join("\n\n")
    );
    let (real, ours) = pair.trace(&["br0", "in_port=1,dl_dst=ff:ff:ff:ff:ff:ff"]);
    assert_eq!(
        line(&ours, "Datapath actions:"),
        line(&real, "Datapath actions:")
    );
}

#[test]
fn mac_table_size_limits_and_evicts() {
    let pair = Pair::build(
        "xn-evict",
        &[
            Bridge("br0"),
            Port("br0", "p1", 1, ""),
            Port("br0", "p2", 2, ""),
            Port("br0", "p3", 3, ""),
            Flow("br0", "actions=NORMAL"),
        ],
    );
    pair.real
        .vsctl(&["set", "bridge", "br0", "other_config:mac-table-size=3"]);
    // The reference's minimum is 10 entries.
    pair.ours.backer.set_mac_table("br0", 3, 300);
    let ports = [
        "p1", "p1", "p2", "p3", "p2", "p1", "p1", "p3", "p1", "p2", "p1", "p1", "p3",
    ];
    for (n, port) in ports.iter().enumerate() {
        inject(
            &pair,
            "br0",
            port,
            &format!("dl_src=50:54:00:00:00:{n:02x},dl_dst=ff:ff:ff:ff:ff:ff"),
        );
    }
    assert_eq!(
        fdb_no_age(&pair.ours.backer.fdb_show("br0").expect("fdb/show")),
        fdb_no_age(&pair.real.appctl(&["fdb/show", "br0"]))
    );
    assert_eq!(
        pair.ours.backer.fdb_stats_show("br0").expect("stats"),
        pair.real.appctl(&["fdb/stats-show", "br0"])
    );
}

#[test]
fn dot1q_tunnel_cvlans_and_qinq_ethtype() {
    let pair = Pair::build(
        "xn-qinq",
        &[
            Bridge("br0"),
            Port("br0", "p1", 1, "tag=30 vlan_mode=dot1q-tunnel cvlans=10,20"),
            Port(
                "br0",
                "p2",
                2,
                "tag=40 vlan_mode=dot1q-tunnel other_config:qinq-ethtype=802.1q",
            ),
            Port("br0", "p3", 3, "trunks=30,40"),
            Port("br0", "p4", 4, "tag=30"),
            Flow("br0", "actions=NORMAL"),
        ],
    );
    let mut cases: Vec<String> = Vec::new();
    for p in 1..=4 {
        for vlan in [
            "",
            ",dl_vlan=10",
            ",dl_vlan=30",
            ",dl_vlan=40",
            ",dl_vlan=20,dl_vlan_pcp=3",
        ] {
            cases.push(format!("in_port={p},dl_dst=ff:ff:ff:ff:ff:ff{vlan}"));
        }
    }
    let cases: Vec<(&str, &str)> = cases.iter().map(|f| ("br0", f.as_str())).collect();
    let diffs = compare(&pair, &cases, true);
    assert!(
        diffs.is_empty(),
        "{} differences:\n{}",
        diffs.len(),
        diffs.join("\n\n")
    );
}
