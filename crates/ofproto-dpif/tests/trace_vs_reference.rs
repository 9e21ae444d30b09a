//! `ofproto/trace` of our translation against the real ovs-vswitchd (dummy
//! datapath) for the same bridges, ports, flows and groups: the
//! `Datapath actions:` and `Megaflow:` lines must be identical (and the
//! whole trace where noted). Fails if the real Open vSwitch is missing.

mod common;

use common::{compare, Pair, Step, Step::*};

fn ports4() -> Vec<Step> {
    vec![
        Bridge("br0"),
        Port("br0", "p1", 1, ""),
        Port("br0", "p2", 2, ""),
        Port("br0", "p3", 3, ""),
        Port("br0", "p4", 4, ""),
    ]
}

#[track_caller]
fn check(name: &str, extra: &[Step], cases: &[(&str, &str)], whole: bool) {
    let mut steps = ports4();
    steps.extend_from_slice(extra);
    let pair = Pair::build(name, &steps);
    let diffs = compare(&pair, cases, whole);
    assert!(
        diffs.is_empty(),
        "{} differences:\n{}",
        diffs.len(),
        diffs.join("\n\n")
    );
}

#[test]
fn output_and_rewrites() {
    check(
        "xl-output",
        &[
            Flow("br0", "in_port=1,actions=mod_dl_src:00:00:00:00:00:09,output:2,mod_nw_src:1.2.3.4,3"),
            Flow("br0", "priority=100,ip,nw_dst=10.0.0.2,actions=mod_nw_dst:10.0.0.9,mod_tp_dst:99,mod_nw_tos:16,mod_nw_ttl:7,4"),
            Flow("br0", "in_port=2,actions=in_port,LOCAL,output:2"),
            Flow("br0", "in_port=3,actions=mod_dl_dst:00:00:00:00:00:07,mod_vlan_vid:10,1,mod_vlan_pcp:3,2,strip_vlan,4"),
            Flow("br0", "in_port=4,dl_vlan=5,actions=strip_vlan,1,push_vlan:0x88a8,set_field:4196->vlan_vid,2"),
            Flow("br0", "priority=200,udp,tp_src=53,actions=mod_tp_src:54,mod_nw_ecn:2,dec_ttl,1"),
        ],
        &[
            ("br0", "in_port=1,tcp,nw_src=9.9.9.9,tp_dst=80"),
            ("br0", "in_port=1,ip,nw_dst=10.0.0.2,nw_ttl=64"),
            ("br0", "in_port=3,tcp,nw_dst=10.0.0.2,tp_dst=22"),
            ("br0", "in_port=2"),
            ("br0", "in_port=3"),
            ("br0", "in_port=3,dl_vlan=7"),
            ("br0", "in_port=4,dl_vlan=5"),
            ("br0", "in_port=4,dl_vlan=6"),
            ("br0", "in_port=2,udp,udp_src=53,nw_ttl=9"),
            ("br0", "in_port=2,udp,udp_src=53,nw_ttl=1"),
        ],
        true,
    );
}

#[test]
fn whole_trace_simple_pipeline() {
    check(
        "xl-whole",
        &[
            Flow("br0", "table=0,in_port=1,actions=resubmit(,1),2"),
            Flow("br0", "table=1,actions=resubmit(,2),3"),
            Flow("br0", "table=2,actions=resubmit(,3)"),
            Flow("br0", "table=3,actions=4,output:1"),
        ],
        &[("br0", "in_port=1"), ("br0", "in_port=2")],
        true,
    );
}

#[test]
fn resubmit_goto_registers() {
    check(
        "xl-resubmit",
        &[
            Flow("br0", "table=0,priority=10,in_port=1,actions=note:01020304,resubmit(,1),load:5->NXM_NX_REG1[],resubmit(,2)"),
            Flow("br0", "table=1,priority=10,actions=load:0x7->NXM_NX_REG0[],mod_vlan_vid:10,output:2,strip_vlan,resubmit(2,3)"),
            Flow("br0", "table=2,priority=10,reg1=5,actions=move:NXM_NX_REG0[0..3]->NXM_NX_REG2[4..7],resubmit(,4)"),
            Flow("br0", "table=3,priority=5,in_port=2,actions=output:4"),
            Flow("br0", "table=4,reg2=0x70,actions=output:3"),
            Flow("br0", "table=4,priority=0,actions=drop"),
            Flow("br0", "table=0,priority=10,in_port=2,actions=goto_table:5"),
            Flow("br0", "table=5,actions=write_metadata:0x12/0xff,goto_table:6"),
            Flow("br0", "table=6,metadata=0x12,actions=3"),
            Flow("br0", "table=0,priority=10,in_port=3,actions=resubmit(,9),4"),
            Flow("br0", "table=0,priority=10,in_port=4,actions=push:NXM_NX_REG0[],load:1->NXM_NX_REG0[],pop:NXM_NX_REG3[],resubmit(,7)"),
            Flow("br0", "table=7,reg3=0,actions=1"),
            Flow("br0", "table=7,reg3=1,actions=2"),
        ],
        &[
            ("br0", "in_port=1,ip,nw_ttl=5"),
            ("br0", "in_port=2"),
            ("br0", "in_port=3"),
            ("br0", "in_port=4"),
        ],
        true,
    );
}

#[test]
fn megaflow_dl_dst_rules_do_not_match_ip() {
    check(
        "xl-megaflow",
        &[
            Flow("br0", "dl_dst=00:00:00:00:00:01,actions=1"),
            Flow("br0", "dl_dst=00:00:00:00:00:02,actions=2"),
            Flow("br0", "priority=5,tcp,tp_dst=80,actions=3"),
            Flow("br0", "priority=4,ip,nw_dst=10.0.0.0/8,actions=4"),
        ],
        &[
            (
                "br0",
                "in_port=3,dl_dst=00:00:00:00:00:01,ip,nw_src=1.1.1.1",
            ),
            ("br0", "in_port=3,dl_dst=00:00:00:00:00:05,tcp,tp_dst=443"),
            ("br0", "in_port=3,dl_dst=00:00:00:00:00:05,tcp,tp_dst=80"),
            (
                "br0",
                "in_port=3,dl_dst=00:00:00:00:00:05,udp,nw_dst=10.1.1.1",
            ),
            ("br0", "in_port=3,dl_dst=00:00:00:00:00:05,arp"),
        ],
        true,
    );
}

#[test]
fn groups_all_indirect_ff_select() {
    check(
        "xl-groups",
        &[
            Group("br0", "group_id=1,type=all,bucket=output:2,bucket=mod_dl_src:00:00:00:00:00:05,output:3,bucket=output:1"),
            Group("br0", "group_id=2,type=indirect,bucket=output:4"),
            Group("br0", "group_id=3,type=fast_failover,bucket=watch_port:9,output:2,bucket=watch_port:3,output:3"),
            Flow("br0", "in_port=1,actions=group:1"),
            Flow("br0", "in_port=2,actions=group:2,group:3"),
        ],
        &[("br0", "in_port=1"), ("br0", "in_port=2")],
        false,
    );
}

#[test]
fn flood_all_and_no_match() {
    check(
        "xl-flood",
        &[
            Flow("br0", "in_port=1,actions=FLOOD"),
            Flow("br0", "in_port=2,actions=ALL"),
            Flow(
                "br0",
                "in_port=3,actions=clone(mod_dl_dst:00:00:00:00:00:01,output:1),output:2",
            ),
        ],
        &[
            ("br0", "in_port=1"),
            ("br0", "in_port=2"),
            ("br0", "in_port=3"),
            ("br0", "in_port=4"),
        ],
        true,
    );
}

#[test]
fn trace_argument_forms() {
    let mut steps = ports4();
    steps.push(Flow("br0", "in_port=1,tcp,actions=mod_tp_dst:8080,2"));
    steps.push(Flow("br0", "priority=0,actions=NORMAL"));
    let pair = Pair::build("xl-forms", &steps);
    let odp = pair.real.odp_ports();
    let p1 = odp.get("p1").and_then(|x| x.1).expect("odp port of p1");
    let odp_flow = format!(
        "in_port({p1}),eth(src=50:54:00:00:00:01,dst=50:54:00:00:00:02),eth_type(0x0800),\
         ipv4(src=10.0.0.1,dst=10.0.0.2,proto=6,tos=0,ttl=64,frag=no),tcp(src=1234,dst=80)"
    );
    let mut k = ofproto_dpif::trace_cmd::parse_of_flow(
        "tcp,dl_src=50:54:00:00:00:01,dl_dst=50:54:00:00:00:02,nw_src=10.0.0.1,nw_dst=10.0.0.2,nw_ttl=64,tp_src=1234,tp_dst=80",
        None,
    )
    .expect("flow");
    k.set_uint(openflow::flow_match::key::IN_PORT, 1);
    let hex: String = packet::compose(&k)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    for args in [
        vec![odp_flow.as_str()],
        vec!["ovs-dummy", odp_flow.as_str()],
        vec!["br0", "in_port=1", hex.as_str()],
        vec!["br0", "in_port=p1,udp"],
    ] {
        let (real, ours) = pair.trace(&args);
        assert_eq!(ours, real, "ofproto/trace {args:?}");
    }
    // Errors say what the reference says.
    for (args, want) in [
        (vec!["nosuch", "in_port=1"], "nosuch: unknown bridge"),
        (
            vec!["br0", "in_port=1", "zz"],
            "Trailing garbage in packet data",
        ),
        (
            vec!["br0", "foo=1"],
            "Bad openflow flow syntax: foo=1: unknown field foo",
        ),
        (
            vec!["br0"],
            "syntax error at br0 (or the bridge name was omitted)",
        ),
    ] {
        let ours = ofproto_dpif::trace_cmd::ofproto_trace(&pair.ours.backer, &args);
        assert_eq!(ours, Err(want.to_string()), "{args:?}");
    }
}

#[test]
fn port_config_no_flood_no_fwd() {
    let mut steps = ports4();
    steps.push(Flow("br0", "in_port=1,actions=FLOOD"));
    steps.push(Flow("br0", "in_port=2,actions=NORMAL"));
    steps.push(Flow("br0", "in_port=3,actions=output:2,output:4,ALL"));
    let pair = Pair::build("xl-portcfg", &steps);
    pair.ofctl_both("br0", &["mod-port", "{T}", "p2", "no-flood"]);
    pair.ofctl_both("br0", &["mod-port", "{T}", "p4", "no-forward"]);
    let cases = [
        ("br0", "in_port=1"),
        ("br0", "in_port=2,dl_dst=ff:ff:ff:ff:ff:ff"),
        ("br0", "in_port=3"),
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
fn trace_packet_out_and_generate_side_effects() {
    let mut steps = ports4();
    steps.push(Flow("br0", "actions=NORMAL"));
    let pair = Pair::build("xl-pktout", &steps);
    for (flow, actions) in [
        (
            "in_port=1,dl_dst=ff:ff:ff:ff:ff:ff",
            "mod_dl_src:00:00:00:00:00:05,output:2,NORMAL",
        ),
        ("in_port=2,ip,nw_ttl=3", "dec_ttl,output:1,resubmit(,0)"),
    ] {
        let (real, ours) = pair.trace_packet_out(&["br0", flow, actions]);
        assert_eq!(
            common::normalize(&ours),
            common::normalize(&real),
            "{flow} {actions}"
        );
    }
    // Without a packet nothing is learnt; with -generate it is.
    let flow = "in_port=3,dl_src=50:54:00:00:00:33,dl_dst=ff:ff:ff:ff:ff:ff";
    let (real, ours) = pair.trace(&["br0", flow]);
    assert_eq!(ours, real);
    assert_eq!(
        pair.ours.backer.fdb_show("br0").unwrap(),
        pair.real.appctl(&["fdb/show", "br0"])
    );
    let (real, ours) = pair.trace(&["br0", flow, "-generate"]);
    assert_eq!(ours, real);
    assert_eq!(
        common::fdb_no_age(&pair.ours.backer.fdb_show("br0").unwrap()),
        common::fdb_no_age(&pair.real.appctl(&["fdb/show", "br0"]))
    );
    assert!(pair
        .ours
        .backer
        .fdb_show("br0")
        .unwrap()
        .contains("50:54:00:00:00:33"));
}

#[test]
fn learn_with_generate_installs_flow() {
    let mut steps = ports4();
    steps.push(Flow(
        "br0",
        "table=0,priority=10,in_port=1,actions=learn(table=1,hard_timeout=60,NXM_OF_VLAN_TCI[0..11],NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[],output:NXM_OF_IN_PORT[]),resubmit(,1)",
    ));
    steps.push(Flow("br0", "table=0,priority=0,actions=resubmit(,1)"));
    steps.push(Flow("br0", "table=1,priority=0,actions=4"));
    let pair = Pair::build("xl-learn", &steps);
    let (real, ours) = pair.trace(&["br0", "in_port=1,dl_src=50:54:00:00:00:11", "-generate"]);
    assert_eq!(ours, real);
    // The learned flow now sends packets for that MAC back to port 1.
    let (real, ours) = pair.trace(&["br0", "in_port=2,dl_dst=50:54:00:00:00:11"]);
    assert_eq!(ours, real);
    assert_eq!(
        common::line(&ours, "Datapath actions:"),
        "Datapath actions: 1"
    );
}
