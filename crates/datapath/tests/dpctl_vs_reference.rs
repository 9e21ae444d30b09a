//! Our `dpctl/*` texts against the real switch's: the same commands on the
//! real dummy datapath (through ovs-appctl) and on ours (the pure text
//! producers), same ports, compared as text (flow order and ufids aside).

mod common;

use std::collections::BTreeMap;
use std::sync::Arc;

use common::DummySwitch;
use datapath::{dpctl, Datapath};

const ADDED: &[(&str, &str)] = &[
    ("in_port(1),eth_type(0x0800),ipv4(src=1.2.3.4/255.255.0.0,frag=no)", "2"),
    ("in_port(2),eth(),eth_type(0x0800),ipv4(frag=no)", "push_vlan(tpid=0x88a8,vid=5,pcp=1,cfi=0),2"),
    ("in_port(3),eth(src=00:00:00:00:00:01/ff:ff:ff:00:00:00,dst=00:00:00:00:00:02),eth_type(0x0800),ipv4(frag=no)", "set(ipv4(src=1.1.1.1/255.255.0.0,ttl=3)),clone(1,pop_vlan),trunc(100),meter(3)"),
    ("in_port(p1),packet_type(ns=0,id=0),eth(),eth_type(0x86dd),ipv6(src=::1/::ffff,proto=6,frag=no),tcp(dst=80),tcp_flags(+syn-ack)", "3,ct_clear,recirc(5)"),
    ("in_port(1),skb_mark(0x5/0xff),eth(),eth_type(0x0806),arp(tip=10.0.0.1)", "set(skb_mark(0x1/0xff)),set(skb_priority(0x3)),userspace(pid=7,userdata(0102030405060708))"),
    ("in_port(2),eth(dst=00:00:00:00:00:05),eth_type(0x8847),mpls(label=100,tc=0,ttl=64,bos=1)", "1"),
    ("in_port(9),eth(),eth_type(0x0800),ipv4(proto=6,frag=no),tcp(dst=80),tcp_flags(syn)", "1"),
    ("ct_state(+trk),ct_mark(0x1),in_port(4),eth(),eth_type(0x0800),ipv4(frag=no)", "drop"),
    ("in_port(11),eth(),eth_type(0x0800),ipv4(frag=no)", "sample(sample=33.3%,actions(1)),sample(sample=12.5%,actions(2)),sample(sample=100.0%,actions(1,2))"),
    ("in_port(12),eth(),eth_type(0x0800),ipv4(frag=no)", "userspace(pid=0,controller(reason=1,dont_send=0,continuation=0,recirc_id=7,rule_cookie=0,controller_id=0,max_len=65535))"),
    ("in_port(13),eth(),eth_type(0x0800),ipv4(frag=no)", "sample(sample=50.0%,actions()),set(icmp(type=3,code=1)),set(nd(target=::1)),clone(1)"),
    ("in_port(14),eth(),eth_type(0x0800),ipv4(frag=no)", "hash(l4(0))"),
    ("recirc_id(0x5),dp_hash(0x3/0xf),in_port(3),eth(),eth_type(0x0800),ipv4(proto=17,frag=no),udp(src=53)", "drop"),
];

/// What a command printed: stdout on success, the error text otherwise.
#[derive(Debug, PartialEq)]
enum Reply {
    Ok(String),
    Err(String),
}

fn real(sw: &DummySwitch, args: &[&str]) -> Reply {
    let out = sw.appctl(args);
    if out.success() {
        Reply::Ok(out.stdout)
    } else {
        // ovs-appctl adds its own last line; the server's text is before it.
        let text: Vec<&str> = out
            .stderr
            .lines()
            .filter(|l| !l.starts_with("ovs-appctl: "))
            .collect();
        Reply::Err(text.iter().map(|l| format!("{l}\n")).collect())
    }
}

type Producer = fn(&Datapath, &[String]) -> Result<String, String>;

fn ours(dp: &Datapath, args: &[&str]) -> Reply {
    let f: Producer = match args[0] {
        "dpctl/show" => dpctl::show,
        "dpctl/dump-flows" => dpctl::dump_flows,
        "dpctl/add-flow" => dpctl::add_flow,
        "dpctl/mod-flow" => dpctl::mod_flow,
        "dpctl/del-flow" => dpctl::del_flow,
        "dpctl/del-flows" => dpctl::del_flows,
        "dpctl/dump-dps" => dpctl::dump_dps,
        "netdev-dummy/receive" => dpctl::netdev_dummy_receive,
        other => panic!("no producer for {other}"),
    };
    let rest: Vec<String> = args[1..].iter().map(|s| s.to_string()).collect();
    match f(dp, &rest) {
        Ok(s) => Reply::Ok(s),
        Err(s) => Reply::Err(s),
    }
}

/// Dumps compared as sorted lines with ufids blanked.
fn normalize(r: Reply) -> Reply {
    let fix = |s: String| {
        let mut lines: Vec<String> = s
            .lines()
            .map(|l| match l.strip_prefix("ufid:") {
                Some(rest) => format!("ufid:X{}", &rest[rest.find(',').unwrap_or(rest.len())..]),
                None => l.to_string(),
            })
            .collect();
        lines.sort();
        lines.join("\n")
    };
    match r {
        Reply::Ok(s) => Reply::Ok(fix(s)),
        Reply::Err(s) => Reply::Err(s),
    }
}

fn our_datapath() -> Arc<Datapath> {
    let dp = Datapath::new("ovs-dummy");
    for name in ["p1", "p2", "p3"] {
        let dev = netdev::open("dummy", name, &BTreeMap::new()).expect("dummy");
        dp.add_port(dev, None).expect("add port");
    }
    let br = netdev::open("dummy-internal", "br0", &BTreeMap::new()).expect("dummy-internal");
    dp.add_port(br, None).expect("add br0");
    dp
}

#[test]
fn dpctl_texts_match_the_reference() {
    let sw = DummySwitch::start("dp_dpctl_vs_ref");
    // Flows added with dpctl/add-flow are unknown to the real switch's
    // OpenFlow layer: keep its revalidators from deleting them mid-test.
    sw.appctl_ok(&["revalidator/pause"]);
    let dp = our_datapath();
    let mut mismatches = Vec::new();
    let mut check = |args: &[&str], sorted: bool| {
        let (r, o) = (real(&sw, args), ours(&dp, args));
        let (r, o) = if sorted {
            (normalize(r), normalize(o))
        } else {
            (r, o)
        };
        if r != o {
            mismatches.push(format!("{args:?}\n  reference: {r:?}\n  ours:      {o:?}"));
        }
    };
    check(&["dpctl/show"], false);
    check(&["dpctl/show", "-s"], false);
    check(&["dpctl/show", "dummy@ovs-dummy"], false);
    check(&["dpctl/show", "nosuchdp"], false);
    check(&["dpctl/dump-dps"], false);
    let flow = "in_port(1),eth(src=00:00:00:00:00:01,dst=00:00:00:00:00:02),eth_type(0x0800),ipv4(src=10.0.0.1,dst=10.0.0.2,proto=17,tos=0,ttl=64,frag=no),udp(src=1,dst=2)";
    check(&["netdev-dummy/receive", "p9", flow], false);
    check(&["netdev-dummy/receive", "p1", "garbage("], false);
    check(&["netdev-dummy/receive", "p1", "0000"], false);
    for (flow, actions) in ADDED {
        check(&["dpctl/add-flow", flow, actions], false);
    }
    check(&["dpctl/add-flow", ADDED[0].0, "2"], false);
    check(&["dpctl/add-flow", "in_port(1),bogus(1)", "2"], false);
    check(
        &[
            "dpctl/add-flow",
            "in_port(1),eth(),eth_type(0x0800),ipv4(frag=no)",
            "frobnicate",
        ],
        false,
    );
    check(
        &[
            "dpctl/add-flow",
            "in_port(6),eth(),eth_type(0x0800),ipv4(frag=no)",
            "pop_mpls(eth_type=0x800)",
        ],
        false,
    );
    check(&["dpctl/mod-flow", "-s", ADDED[1].0, "3"], false);
    check(
        &[
            "dpctl/mod-flow",
            "in_port(3),eth(),eth_type(0x86dd),ipv6(frag=no)",
            "3",
        ],
        false,
    );
    check(
        &[
            "dpctl/del-flow",
            "in_port(3),eth(),eth_type(0x86dd),ipv6(frag=no)",
        ],
        false,
    );
    check(&["dpctl/dump-flows"], true);
    check(&["dpctl/dump-flows", "-m"], true);
    check(&["dpctl/dump-flows", "--names"], true);
    check(&["dpctl/dump-flows", "dummy@ovs-dummy"], true);
    check(&["dpctl/dump-flows", "nosuchdp"], true);
    check(&["dpctl/dump-flows", "filter=in_port=3"], true);
    check(&["dpctl/dump-flows", "filter=ip,nw_src=1.2.0.0/16"], true);
    check(&["dpctl/dump-flows", "filter=udp"], true);
    check(&["dpctl/dump-flows", "-m", "filter=arp"], true);
    check(&["dpctl/del-flow", "-s", ADDED[5].0], false);
    check(&["dpctl/show"], false);
    check(&["dpctl/del-flows"], false);
    check(&["dpctl/dump-flows"], true);
    assert!(
        mismatches.is_empty(),
        "{} mismatches:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}
