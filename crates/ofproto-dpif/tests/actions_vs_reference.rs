//! More OpenFlow actions against the real ovs-vswitchd: learn, multipath,
//! bundle, controller, dec_ttl to controller, enqueue, set_field/move on
//! headers and registers, output:reg, VLAN rewrites on tagged packets,
//! exit, write_actions, recursion limits, meters. Compares `Datapath actions:` and
//! `Megaflow:` (controller recirc ids normalised).

mod common;

use common::{compare, Pair, Step::*};

#[track_caller]
fn check(name: &str, flows: &[&'static str], cases: &[&str]) {
    let mut steps = vec![
        Bridge("br0"),
        Port("br0", "p1", 1, ""),
        Port("br0", "p2", 2, ""),
        Port("br0", "p3", 3, ""),
        Port("br0", "p4", 4, ""),
    ];
    steps.extend(flows.iter().map(|f| Flow("br0", f)));
    let pair = Pair::build(name, &steps);
    let cases: Vec<(&str, &str)> = cases.iter().map(|c| ("br0", *c)).collect();
    let diffs = compare(&pair, &cases, true);
    assert!(
        diffs.is_empty(),
        "{} differences:\n{}",
        diffs.len(),
        diffs.join("\n\n")
    );
}

#[test]
fn controller_and_dec_ttl() {
    check(
        "xa-ctl",
        &[
            "in_port=1,actions=controller",
            "in_port=2,actions=controller(reason=no_match,max_len=128,id=7),3",
            "in_port=3,ip,actions=dec_ttl,2",
            "in_port=4,ip,actions=dec_ttl(1,2),2",
            "cookie=0x42,in_port=4,arp,actions=output:CONTROLLER",
        ],
        &[
            "in_port=1",
            "in_port=2,ip",
            "in_port=3,ip,nw_ttl=1",
            "in_port=3,ip,nw_ttl=2",
            "in_port=3,ipv6,nw_ttl=1",
            "in_port=4,ip,nw_ttl=1",
            "in_port=4,arp",
        ],
    );
}

#[test]
fn set_field_move_output_reg() {
    check(
        "xa-set",
        &[
            "in_port=1,ip,actions=set_field:10.1.1.1->ip_dst,set_field:0x3->reg5,output:NXM_NX_REG5[]",
            "in_port=2,actions=move:NXM_OF_ETH_SRC[]->NXM_OF_ETH_DST[],move:NXM_OF_IN_PORT[]->NXM_NX_REG0[0..15],output:NXM_NX_REG0[0..15]",
            "in_port=3,vlan_tci=0x1000/0x1000,actions=set_field:00:11:22:33:44:55->eth_src,set_field:5->vlan_vid,4,exit,1",
            "in_port=4,tcp,actions=set_field:8080->tcp_dst,load:0x2->NXM_OF_IP_TOS[2..7],1",
        ],
        &[
            "in_port=1,ip,nw_dst=9.9.9.9",
            "in_port=1,arp",
            "in_port=2,dl_src=00:00:00:00:00:03",
            "in_port=3",
            "in_port=3,dl_vlan=9",
            "in_port=4,tcp,tp_dst=80",
        ],
    );
}

#[test]
fn vlan_rewrites_on_tagged_packets() {
    check(
        "xa-vlan",
        &[
            "in_port=1,actions=mod_vlan_vid:10,2",
            "in_port=2,actions=push_vlan:0x8100,mod_vlan_vid:20,1",
            "in_port=3,actions=strip_vlan,1,mod_vlan_pcp:5,2",
            "in_port=4,actions=mod_vlan_pcp:2,mod_vlan_vid:7,1",
        ],
        &[
            "in_port=1",
            "in_port=1,dl_vlan=5",
            "in_port=1,dl_vlan=5,dl_vlan_pcp=3",
            "in_port=2",
            "in_port=2,dl_vlan=5",
            "in_port=3,dl_vlan=5",
            "in_port=3",
            "in_port=4",
            "in_port=4,dl_vlan=3,dl_vlan_pcp=6",
        ],
    );
}

#[test]
fn learn_bundle_and_limits() {
    check(
        "xa-learn",
        &[
            "table=0,in_port=1,actions=learn(table=1,hard_timeout=60,NXM_OF_VLAN_TCI[0..11],NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[],output:NXM_OF_IN_PORT[]),resubmit(,1)",
            "table=1,priority=0,actions=2",
            "table=0,in_port=2,actions=bundle(eth_src,0,active_backup,ofport,members:3,4)",
            "table=0,in_port=3,actions=resubmit(,3)",
            "table=3,actions=resubmit(,3)",
            "table=0,in_port=4,actions=write_actions(output:1),goto_table:5",
            "table=5,actions=3,write_actions(output:2)",
        ],
        &[
            "in_port=1,dl_src=00:00:00:00:00:01,dl_dst=00:00:00:00:00:02",
            "in_port=2",
            "in_port=3",
            "in_port=4",
        ],
    );
}

#[test]
fn enqueue_and_special_ports() {
    check(
        "xa-enq",
        &[
            "in_port=1,actions=enqueue:2:1",
            "in_port=2,actions=output:9,LOCAL,IN_PORT",
            "in_port=3,actions=NORMAL",
            "in_port=4,actions=resubmit(1,0)",
            "in_port=3,tcp,actions=output(port=1,max_len=100),2",
        ],
        &[
            "in_port=1",
            "in_port=2",
            "in_port=3",
            "in_port=4",
            "in_port=3,tcp",
        ],
    );
}

/// `ofproto/trace` of `flow` on br0 gives both sides the same datapath
/// actions and megaflow.
#[track_caller]
fn assert_same_decision_and_megaflow(pair: &Pair, flow: &str) {
    let (real, ours) = pair.trace(&["br0", flow]);
    for what in ["Datapath actions:", "Megaflow:"] {
        assert_eq!(
            common::line(&ours, what),
            common::line(&real, what),
            "{flow}\n--- real:\n{real}\n--- ours:\n{ours}"
        );
    }
}

#[test]
fn conjunctive_match() {
    let pair = Pair::build(
        "xa-conj",
        &[
            Bridge("br0"),
            Port("br0", "p1", 1, ""),
            Port("br0", "p2", 2, ""),
            Port("br0", "p3", 3, ""),
            Flow("br0", "conj_id=10,actions=3"),
            Flow(
                "br0",
                "priority=100,ip,nw_src=10.0.0.1,actions=conjunction(10,1/2)",
            ),
            Flow(
                "br0",
                "priority=100,ip,nw_src=10.0.0.2,actions=conjunction(10,1/2)",
            ),
            Flow(
                "br0",
                "priority=100,tcp,tp_dst=80,actions=conjunction(10,2/2)",
            ),
            Flow("br0", "priority=1,actions=2"),
        ],
    );
    // The decision and the megaflow: a clause's subtable is un-wildcarded
    // only as far as needed to rule it out (udp: no tp_dst).
    for flow in [
        "in_port=1,tcp,nw_src=10.0.0.1,tp_dst=80",
        "in_port=1,tcp,nw_src=10.0.0.2,tp_dst=80",
        "in_port=1,tcp,nw_src=10.0.0.1,tp_dst=81",
        "in_port=1,tcp,nw_src=10.0.0.3,tp_dst=80",
        "in_port=1,udp,nw_src=10.0.0.1",
    ] {
        assert_same_decision_and_megaflow(&pair, flow);
    }
}

/// Conjunctions at several priorities, with three clauses, beside ordinary
/// rules above and below them: the same decisions and megaflows as the
/// reference.
#[test]
fn conjunctions_at_several_priorities() {
    let pair = Pair::build(
        "xa-conj3",
        &[
            Bridge("br0"),
            Port("br0", "p1", 1, ""),
            Port("br0", "p2", 2, ""),
            Port("br0", "p3", 3, ""),
            Port("br0", "p4", 4, ""),
            Flow("br0", "priority=1,actions=2"),
            Flow("br0", "conj_id=1,actions=3"),
            Flow("br0", "conj_id=2,actions=4"),
            Flow(
                "br0",
                "priority=100,ip,nw_src=10.0.0.1,actions=conjunction(1,1/3)",
            ),
            Flow(
                "br0",
                "priority=100,ip,nw_dst=10.0.0.2,actions=conjunction(1,2/3)",
            ),
            Flow(
                "br0",
                "priority=100,tcp,tp_dst=22,actions=conjunction(1,3/3)",
            ),
            Flow(
                "br0",
                "priority=50,ip,nw_src=10.0.0.0/24,actions=conjunction(2,1/2)",
            ),
            Flow(
                "br0",
                "priority=50,udp,tp_dst=53,actions=conjunction(2,2/2)",
            ),
            Flow("br0", "priority=70,udp,nw_src=10.0.0.7,actions=drop"),
        ],
    );
    for flow in [
        "in_port=1,tcp,nw_src=10.0.0.1,nw_dst=10.0.0.2,tp_dst=22",
        "in_port=1,tcp,nw_src=10.0.0.1,nw_dst=10.0.0.2,tp_dst=23",
        "in_port=1,tcp,nw_src=10.0.0.1,nw_dst=10.0.0.3,tp_dst=22",
        "in_port=1,udp,nw_src=10.0.0.5,nw_dst=10.0.0.2,udp_dst=53",
        "in_port=1,udp,nw_src=10.0.0.7,nw_dst=10.0.0.2,udp_dst=53",
        "in_port=1,udp,nw_src=10.0.1.5,udp_dst=53",
        "in_port=1,icmp,nw_src=10.0.0.1,nw_dst=10.0.0.2",
        "in_port=1,arp",
    ] {
        assert_same_decision_and_megaflow(&pair, flow);
    }
}

#[test]
fn multipath_and_bundle_hashing() {
    check(
        "xa-mp",
        &[
            "table=0,in_port=1,actions=multipath(eth_src,50,modulo_n,2,0,NXM_NX_REG0[0..1]),resubmit(,6)",
            "table=0,in_port=2,actions=multipath(eth_src,7,hrw,3,0,NXM_NX_REG0[0..1]),resubmit(,6)",
            "table=0,in_port=3,actions=multipath(nw_src,0,hash_threshold,3,0,NXM_NX_REG0[0..1]),resubmit(,6)",
            "table=0,in_port=4,actions=bundle(eth_src,0,hrw,ofport,members:1,2,3)",
            "table=0,in_port=4,tcp,actions=multipath(symmetric_l4,3,modulo_n,3,0,NXM_NX_REG0[0..1]),resubmit(,6)",
            "table=6,reg0=0,actions=1",
            "table=6,reg0=1,actions=2",
            "table=6,reg0=2,actions=3",
            "table=6,reg0=3,actions=4",
        ],
        &[
            "in_port=1,dl_src=00:00:00:00:00:00",
            "in_port=1,dl_src=00:00:00:00:00:01",
            "in_port=1,dl_src=00:00:00:00:00:02",
            "in_port=1,dl_src=12:34:56:78:9a:bc",
            "in_port=2,dl_src=00:00:00:00:00:01",
            "in_port=2,dl_src=00:00:00:00:00:05",
            "in_port=3,ip,nw_src=1.2.3.4",
            "in_port=3,ip,nw_src=10.0.0.1",
            "in_port=4,dl_src=00:00:00:00:00:01",
            "in_port=4,dl_src=00:00:00:00:00:07",
            "in_port=4,tcp,nw_src=1.1.1.1,nw_dst=2.2.2.2,tp_src=5,tp_dst=80",
            "in_port=4,tcp,nw_src=2.2.2.2,nw_dst=1.1.1.1,tp_src=80,tp_dst=5",
            "in_port=4,tcp,dl_vlan=12,nw_src=9.1.1.1,tp_dst=443",
        ],
    );
}

#[test]
fn ipv6_arp_and_l4_rewrites() {
    check(
        "xa-v6",
        &[
            "in_port=1,ipv6,actions=set_field:2001:db8::1->ipv6_src,set_field:7->ip_dscp,dec_ttl,2",
            "in_port=2,arp,actions=set_field:1.2.3.4->arp_spa,set_field:00:00:00:00:00:01->arp_sha,set_field:2->arp_op,1",
            "in_port=3,udp,actions=mod_tp_src:1,mod_tp_dst:2,mod_nw_ttl:9,4",
            "in_port=3,sctp,actions=set_field:99->sctp_dst,4",
            "in_port=4,icmp,actions=set_field:3->icmp_type,mod_nw_dst:9.9.9.9,1",
            "in_port=4,tcp6,actions=set_field:2001:db8::9->ipv6_dst,set_field:12->ipv6_label,mod_tp_dst:22,1",
        ],
        &[
            "in_port=1,ipv6,ipv6_src=::1,nw_ttl=64",
            "in_port=1,ipv6,nw_ttl=1",
            "in_port=2,arp,arp_op=1,arp_spa=10.0.0.1,arp_tpa=10.0.0.2",
            "in_port=3,udp,nw_ttl=3,udp_src=5,udp_dst=6",
            "in_port=3,sctp,sctp_dst=5",
            "in_port=4,icmp,icmp_type=8,icmp_code=0",
            "in_port=4,tcp6,ipv6_dst=::2,tp_dst=80",
        ],
    );
}

/// Meters become `meter(N)` datapath actions, N the datapath's meter id:
/// the lowest free one when a meter is added, so a deleted meter's id goes
/// to the next meter.
#[test]
fn meters_in_datapath_actions() {
    let pair = Pair::build(
        "xa-meter",
        &[
            Bridge("br0"),
            Port("br0", "p1", 1, ""),
            Port("br0", "p2", 2, ""),
            Port("br0", "p3", 3, ""),
            Meter(
                "br0",
                "meter=1 pktps burst stats bands=type=drop rate=2 burst_size=3",
            ),
            Meter("br0", "meter=5 kbps bands=type=drop rate=1000"),
            Flow("br0", "in_port=1,actions=meter:1,output:2"),
            Flow("br0", "in_port=2,tcp,actions=meter:5,mod_nw_tos:4,output:1"),
            Flow("br0", "in_port=3,actions=output:1"),
        ],
    );
    let cases = [
        ("br0", "in_port=1,udp"),
        ("br0", "in_port=2,tcp"),
        ("br0", "in_port=3"),
    ];
    let diffs = compare(&pair, &cases, true);
    assert!(diffs.is_empty(), "{}", diffs.join("\n\n"));
    let (_, ours) = pair.trace(&["br0", "in_port=1,udp"]);
    assert!(ours.contains("Datapath actions: meter(0),2"), "{ours}");

    pair.ofctl_both("br0", &["-O", "OpenFlow13", "del-meter", "{T}", "meter=1"]);
    pair.ofctl_both(
        "br0",
        &[
            "-O",
            "OpenFlow13",
            "add-meter",
            "{T}",
            "meter=7 pktps bands=type=drop rate=10",
        ],
    );
    pair.ofctl_both(
        "br0",
        &[
            "-O",
            "OpenFlow13",
            "add-flow",
            "{T}",
            "in_port=3,actions=meter:7,output:2",
        ],
    );
    let cases = [("br0", "in_port=1,udp"), ("br0", "in_port=3")];
    let diffs = compare(&pair, &cases, true);
    assert!(diffs.is_empty(), "{}", diffs.join("\n\n"));
    let (_, ours) = pair.trace(&["br0", "in_port=3"]);
    assert!(ours.contains("Datapath actions: meter(0),2"), "{ours}");
}
