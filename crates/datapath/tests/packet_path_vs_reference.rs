//! End to end against the real switch: the same packets injected with
//! `netdev-dummy/receive` into the real dummy datapath (OpenFlow rule
//! `in_port=1,actions=output:2`) and into ours (a handler giving the same
//! answer: output 2, mask in_port/dl_type/frag); the megaflow dump (counts,
//! bytes, TCP flags, text) and `dpctl/show -s` counters must be the same.

mod common;

use std::collections::BTreeMap;
use std::sync::Arc;

use common::DummySwitch;
use datapath::{dpctl, Datapath, OdpAction, Upcall, UpcallHandler};
use openflow::flow_match::key::{self as k, FlowKey};

struct LikeOutput2;

impl UpcallHandler for LikeOutput2 {
    fn miss(&self, _packet: &[u8], key: &FlowKey) -> Upcall {
        let mut mask = FlowKey::default();
        let dl_type = key.u16(k::DL_TYPE);
        if dl_type == 0x0800 || dl_type == 0x86dd {
            mask.set_uint(k::NW_FRAG, 3);
        }
        Upcall {
            actions: vec![OdpAction::Output(2)],
            mask,
            install: true,
            hook: None,
        }
    }
    fn userspace(&self, _: &[u8], _: &FlowKey, _: &[u8]) {}
}

const PACKETS: &[&str] = &[
    "in_port(1),eth(src=00:00:00:00:00:01,dst=00:00:00:00:00:02),eth_type(0x0800),ipv4(src=10.0.0.1,dst=10.0.0.2,proto=6,tos=0,ttl=64,frag=no),tcp(src=1000,dst=80),tcp_flags(syn)",
    "in_port(1),eth(src=00:00:00:00:00:01,dst=00:00:00:00:00:02),eth_type(0x0800),ipv4(src=10.0.0.1,dst=10.0.0.2,proto=6,tos=0,ttl=64,frag=no),tcp(src=1000,dst=80),tcp_flags(ack)",
    "in_port(1),eth(src=00:00:00:00:00:01,dst=00:00:00:00:00:02),eth_type(0x0800),ipv4(src=10.0.0.1,dst=10.0.0.2,proto=6,tos=0,ttl=64,frag=no),tcp(src=1000,dst=80),tcp_flags(psh|ack)",
    "in_port(1),eth(src=00:00:00:00:00:01,dst=00:00:00:00:00:03),eth_type(0x0800),ipv4(src=10.0.0.1,dst=10.0.0.3,proto=17,tos=0,ttl=64,frag=no),udp(src=1,dst=2)",
    "in_port(1),eth(src=00:00:00:00:00:01,dst=00:00:00:00:00:03),eth_type(0x86dd),ipv6(src=::1,dst=::2,label=0,proto=17,tclass=0,hlimit=64,frag=no),udp(src=1,dst=2)",
    "in_port(1),eth(src=00:00:00:00:00:01,dst=00:00:00:00:00:03),eth_type(0x86dd),ipv6(src=::1,dst=::2,label=0,proto=17,tclass=0,hlimit=64,frag=no),udp(src=1,dst=2)",
    "in_port(1),eth(src=00:00:00:00:00:01,dst=00:00:00:00:00:03),eth_type(0x0806),arp(sip=10.0.0.1,tip=10.0.0.2,op=1,sha=00:00:00:00:00:01,tha=00:00:00:00:00:00)",
];

/// Dump lines sorted, with the `used:` age (timing) blanked.
fn normalize(dump: &str) -> Vec<String> {
    let mut v: Vec<String> = dump
        .lines()
        .map(
            |l| match (l.find("used:"), l.find(", flags:").or(l.find(", actions:"))) {
                (Some(a), Some(b)) if a < b => format!("{}used:T{}", &l[..a], &l[b..]),
                _ => l.to_string(),
            },
        )
        .collect();
    v.sort();
    v
}

#[test]
fn same_packets_same_megaflows_counters_and_text() {
    let sw = DummySwitch::start("dp_packet_path_vs_ref");
    sw.ofctl(&["add-flow", "br0", "in_port=1,actions=output:2"]);
    let dp = Datapath::new("ovs-dummy");
    for name in ["p1", "p2", "p3"] {
        let dev = netdev::open("dummy", name, &BTreeMap::new()).expect("dummy");
        dp.add_port(dev, None).expect("port");
    }
    let br = netdev::open("dummy-internal", "br0", &BTreeMap::new()).expect("br0");
    dp.add_port(br, None).expect("br0");
    dp.set_upcall_handler(Arc::new(LikeOutput2));
    for p in PACKETS {
        sw.appctl_ok(&["netdev-dummy/receive", "p1", p]);
        let args = vec!["p1".to_string(), p.to_string()];
        assert_eq!(dpctl::netdev_dummy_receive(&dp, &args), Ok(String::new()));
    }
    let ours = dpctl::dump_flows(&dp, &[]).unwrap();
    let real = sw.appctl_ok(&["dpctl/dump-flows"]);
    assert_eq!(normalize(&ours), normalize(&real));
    assert_eq!(normalize(&ours).len(), 4, "header + 3 megaflows:\n{ours}");
    let blank_ufid = |v: Vec<String>| -> Vec<String> {
        let mut v: Vec<String> = v
            .into_iter()
            .map(|l| match l.strip_prefix("ufid:") {
                Some(r) => format!("ufid:X{}", &r[r.find(',').unwrap_or(r.len())..]),
                None => l,
            })
            .collect();
        v.sort();
        v
    };
    let ours_m = dpctl::dump_flows(&dp, &["-m".to_string()]).unwrap();
    let real_m = sw.appctl_ok(&["dpctl/dump-flows", "-m"]);
    assert_eq!(
        blank_ufid(normalize(&ours_m)),
        blank_ufid(normalize(&real_m))
    );
    let show_args = ["-s".to_string()];
    assert_eq!(
        dpctl::show(&dp, &show_args).unwrap(),
        sw.appctl_ok(&["dpctl/show", "-s"])
    );
    // Every packet left by port 2, unchanged.
    let sent = netdev::dummy::lookup("p2").expect("p2").take_sent();
    assert_eq!(sent.len(), PACKETS.len());
}
