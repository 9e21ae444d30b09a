//! Differential test of the datapath flow/action text against the real
//! switch: megaflows made by real upcalls (OpenFlow rules of many shapes,
//! packets injected with `netdev-dummy/receive`) and by `dpctl/add-flow`,
//! dumped with `dpctl/dump-flows` and `-m`; every line must parse with our
//! parser and print back identically.

mod common;

use std::collections::BTreeMap;

use common::DummySwitch;
use datapath::dump_text::{format_dump_line, parse_dump_line};

const RULES: &[&str] = &[
    "priority=1,in_port=1,actions=output:2",
    "priority=2,in_port=1,dl_vlan=10,actions=strip_vlan,output:2",
    "priority=3,in_port=1,arp,arp_tpa=10.0.0.1,actions=output:3",
    "priority=3,in_port=1,ipv6,ipv6_src=2001:db8::/32,tcp6,tp_src=0x100/0xff00,actions=set_field:2001:db8::5->ipv6_dst,output:3",
    "priority=3,in_port=1,ip,nw_tos=32,nw_ttl=5,actions=set_field:10.0.0.0/255.0.0.0->ip_src,mod_tp_dst:99,output:3",
    "priority=3,in_port=1,mpls,actions=pop_mpls:0x0800,output:2",
    "priority=3,in_port=1,icmp,icmp_type=8,actions=push_mpls:0x8847,set_field:5->mpls_label,output:2,controller",
    "priority=3,in_port=1,udp,udp_dst=53,actions=set_field:0x1/0xff->pkt_mark,set_queue:1,output:2,dec_ttl,output:3",
    "priority=3,in_port=1,dl_type=0x88cc,actions=drop",
    "priority=4,in_port=1,tcp,nw_dst=10.9.9.7,tcp_flags=+syn,actions=clone(mod_dl_dst:00:00:00:00:00:09,output:2),output:3",
    "priority=4,in_port=2,dl_src=00:00:00:00:00:01,ip,nw_src=10.0.0.0/8,actions=mod_dl_src:00:11:22:33:44:55,mod_nw_dst:1.2.3.4,output:1",
    "priority=4,in_port=2,icmp6,icmp_type=135,nd_target=2001:db8::1,actions=output:1",
    "priority=4,in_port=2,udp6,udp_dst=5000,ipv6_label=7,actions=mod_vlan_vid:7,mod_vlan_pcp:5,output:3",
    "priority=4,in_port=3,sctp,actions=mod_tp_src:7,output:1",
];

const PACKETS: &[(&str, &str)] = &[
    ("p1", "eth_type(0x8100),vlan(vid=10,pcp=3),encap(eth_type(0x0800),ipv4(src=10.0.0.1,dst=10.0.0.2,proto=6,tos=0,ttl=64,frag=no),tcp(src=1000,dst=80))"),
    ("p1", "eth_type(0x0806),arp(sip=10.0.0.2,tip=10.0.0.1,op=1,sha=00:00:00:00:00:01,tha=00:00:00:00:00:00)"),
    ("p1", "eth_type(0x86dd),ipv6(src=2001:db8::1,dst=2001:db8::2,label=5,proto=6,tclass=0,hlimit=64,frag=no),tcp(src=0x123,dst=80)"),
    ("p1", "eth_type(0x0800),ipv4(src=10.0.0.1,dst=10.0.0.2,proto=17,tos=32,ttl=5,frag=no),udp(src=1000,dst=53)"),
    ("p1", "eth_type(0x8847),mpls(label=100,tc=0,ttl=64,bos=1)"),
    ("p1", "eth_type(0x0800),ipv4(src=10.0.0.1,dst=10.0.0.2,proto=1,tos=0,ttl=64,frag=no),icmp(type=8,code=0)"),
    ("p1", "eth_type(0x0800),ipv4(src=10.0.0.1,dst=10.0.0.3,proto=17,tos=0,ttl=64,frag=no),udp(src=1000,dst=53)"),
    ("p1", "eth_type(0x88cc)"),
    ("p1", "eth_type(0x0800),ipv4(src=10.0.0.1,dst=10.9.9.7,proto=6,tos=0,ttl=64,frag=first),tcp(src=1000,dst=54),tcp_flags(syn|ack)"),
    ("p1", "eth_type(0x0800),ipv4(src=10.0.0.1,dst=10.9.9.7,proto=6,tos=0,ttl=64,frag=no),tcp(src=1000,dst=54),tcp_flags(syn|ack)"),
    ("p1", "eth_type(0x0800),ipv4(src=10.0.0.1,dst=10.9.9.7,proto=6,tos=0,ttl=64,frag=later)"),
    ("p2", "eth_type(0x0800),ipv4(src=10.0.0.1,dst=10.0.0.2,proto=17,tos=0,ttl=64,frag=no),udp(src=1000,dst=80)"),
    ("p2", "eth_type(0x86dd),ipv6(src=2001:db8::9,dst=ff02::1,label=0,proto=58,tclass=0,hlimit=255,frag=no),icmpv6(type=135,code=0),nd(target=2001:db8::1,sll=00:00:00:00:00:01,tll=00:00:00:00:00:00)"),
    ("p2", "eth_type(0x86dd),ipv6(src=2001:db8::9,dst=2001:db8::1,label=7,proto=17,tclass=0,hlimit=64,frag=no),udp(src=1,dst=5000)"),
    ("p3", "eth_type(0x0800),ipv4(src=10.0.0.1,dst=10.0.0.2,proto=132,tos=0,ttl=64,frag=no),sctp(src=1,dst=2)"),
    ("p3", "eth_type(0x0800),ipv4(src=10.0.0.1,dst=10.0.0.2,proto=132,tos=0,ttl=64,frag=no),sctp(src=1,dst=2)"),
];

const ADDED: &[(&str, &str)] = &[
    ("in_port(1),eth_type(0x0800),ipv4(src=1.2.3.4/255.255.0.0,frag=no)", "2"),
    ("in_port(2),eth(),eth_type(0x0800),ipv4(frag=no)", "push_vlan(tpid=0x88a8,vid=5,pcp=1,cfi=0),2"),
    ("in_port(3),eth(src=00:00:00:00:00:01/ff:ff:ff:00:00:00,dst=00:00:00:00:00:02),eth_type(0x0800),ipv4(frag=no)", "set(ipv4(src=1.1.1.1/255.255.0.0,ttl=3)),clone(1,pop_vlan),trunc(100),meter(3)"),
    ("in_port(4),packet_type(ns=0,id=0),eth(),eth_type(0x0800),ipv4(frag=no)", "sample(sample=50.0%,actions(1)),ct_clear,recirc(5),userspace(pid=5),userspace(pid=1,userdata(0102))"),
    ("in_port(1),skb_mark(0x5/0xff),eth(),eth_type(0x86dd),ipv6(frag=no)", "set(tcp(src=5/0xff)),set(skb_mark(0x1/0xff)),set(skb_priority(0x3)),set(ipv6(src=::1,dst=::2/ffff::,label=3,tclass=4,hlimit=5))"),
    ("in_port(5),eth(),eth_type(0x0800),ipv4(frag=no)", "set(arp(sip=1.1.1.1)),set(mpls(label=3,tc=1,ttl=5,bos=1))"),
    ("recirc_id(0x5),in_port(3),eth(),eth_type(0x0800),ipv4(frag=no)", "drop"),
];

fn port_names(sw: &DummySwitch) -> BTreeMap<u32, String> {
    // "  port 1: p1 (dummy)"
    let show = sw.appctl_ok(&["dpctl/show"]);
    let mut names = BTreeMap::new();
    for line in show.lines() {
        let Some(rest) = line.trim().strip_prefix("port ") else {
            continue;
        };
        let Some((n, r)) = rest.split_once(": ") else {
            continue;
        };
        let name = r.split(' ').next().unwrap_or("");
        names.insert(n.parse().expect("port number"), name.to_string());
    }
    names
}

#[test]
fn dump_flows_lines_parse_and_print_back_identically() {
    let sw = DummySwitch::start("dp_odp_text_diff");
    // Keep the real revalidators from deleting flows it did not make.
    sw.appctl_ok(&["revalidator/pause"]);
    for r in RULES {
        sw.ofctl(&["add-flow", "br0", r]);
    }
    let eth = "eth(src=00:00:00:00:00:01,dst=00:00:00:00:00:02)";
    for (port, rest) in PACKETS {
        let n = &port[1..];
        let flow = format!("in_port({n}),{eth},{rest}");
        sw.appctl_ok(&["netdev-dummy/receive", port, &flow]);
    }
    for (key, acts) in ADDED {
        sw.appctl_ok(&["dpctl/add-flow", key, acts]);
    }
    let names = port_names(&sw);
    let by_name: BTreeMap<String, u32> = names.iter().map(|(n, s)| (s.clone(), *n)).collect();
    let name_of = |p: u32| names.get(&p).cloned();
    let number_of = |s: &str| by_name.get(s).copied();

    let mut checked = 0;
    let mut failures = Vec::new();
    for verbose in [false, true] {
        let args: &[&str] = if verbose {
            &["dpctl/dump-flows", "-m"]
        } else {
            &["dpctl/dump-flows"]
        };
        let dump = sw.appctl_ok(args);
        let mut lines = dump.lines();
        assert_eq!(lines.next(), Some("flow-dump from the main thread:"));
        for line in lines {
            checked += 1;
            match parse_dump_line(line, Some(&number_of)) {
                Ok(parsed) => {
                    let back = format_dump_line(&parsed, verbose, Some(&name_of));
                    if back != line {
                        failures.push(format!("reference: {line}\nours:      {back}"));
                    }
                }
                Err(e) => failures.push(format!("reference: {line}\nparse error: {e}")),
            }
        }
    }
    assert!(
        checked >= 2 * (ADDED.len() + 10),
        "too few flows dumped: {checked}"
    );
    assert!(
        failures.is_empty(),
        "{} of {checked} lines differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
