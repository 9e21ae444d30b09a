//! Action execution against the real switch, byte for byte: OpenFlow rules
//! with header rewrites on the real dummy datapath, packets injected, the
//! frames it transmits captured with the dummy ports' `tx_pcap` option; its
//! megaflows (text from `dpctl/dump-flows`) are parsed and installed in our
//! datapath, the same packets injected there, and our ports must send the
//! same bytes.

mod common;

use std::collections::BTreeMap;

use common::DummySwitch;
use datapath::dump_text::parse_dump_line;
use datapath::{dpctl, Datapath, FlowPutFlags};
use testkit::wait_until;

const RULES: &[&str] = &[
    "in_port=1,udp,tp_dst=1,actions=mod_vlan_vid:100,mod_vlan_pcp:3,output:2",
    "in_port=1,udp,tp_dst=2,actions=mod_dl_src:00:11:22:33:44:55,mod_dl_dst:00:00:00:00:00:09,output:2",
    "in_port=1,udp,tp_dst=3,actions=mod_nw_src:192.168.1.1,mod_nw_dst:10.9.8.7,output:2",
    "in_port=1,udp,tp_dst=4,actions=mod_tp_src:4444,mod_tp_dst:5555,output:2",
    "in_port=1,udp,tp_dst=5,actions=dec_ttl,mod_nw_tos:32,output:2",
    "in_port=1,tcp,tp_dst=6,actions=mod_tp_dst:80,mod_nw_dst:1.1.1.1,output:2",
    "in_port=1,udp,tp_dst=7,actions=push_mpls:0x8847,set_field:77->mpls_label,output:2",
    "in_port=1,dl_vlan=5,actions=strip_vlan,output:2",
    "in_port=1,udp6,tp_dst=8,actions=set_field:2001:db8::99->ipv6_dst,set_field:3->ipv6_label,output:2",
    "in_port=1,udp,tp_dst=9,actions=output:3,mod_vlan_vid:9,output:2",
];

fn udp(dst: u16) -> String {
    format!(
        "in_port(1),eth(src=00:00:00:00:00:01,dst=00:00:00:00:00:02),eth_type(0x0800),\
         ipv4(src=10.0.0.1,dst=10.0.0.2,proto=17,tos=0,ttl=64,frag=no),udp(src=1000,dst={dst})"
    )
}

fn packets() -> Vec<String> {
    let mut v: Vec<String> = [1, 2, 3, 4, 5, 7, 9].iter().map(|d| udp(*d)).collect();
    v.push(
        "in_port(1),eth(src=00:00:00:00:00:01,dst=00:00:00:00:00:02),eth_type(0x0800),\
         ipv4(src=10.0.0.1,dst=10.0.0.2,proto=6,tos=0,ttl=64,frag=no),tcp(src=1000,dst=6)"
            .to_string(),
    );
    v.push(
        "in_port(1),eth(src=00:00:00:00:00:01,dst=00:00:00:00:00:02),eth_type(0x8100),\
         vlan(vid=5,pcp=0),encap(eth_type(0x0800),ipv4(src=10.0.0.1,dst=10.0.0.2,proto=17,tos=0,ttl=64,frag=no),udp(src=1,dst=99))"
            .to_string(),
    );
    v.push(
        "in_port(1),eth(src=00:00:00:00:00:01,dst=00:00:00:00:00:02),eth_type(0x86dd),\
         ipv6(src=2001:db8::1,dst=2001:db8::2,label=0,proto=17,tclass=0,hlimit=64,frag=no),udp(src=1,dst=8)"
            .to_string(),
    );
    v
}

/// Frames of a pcap file (classic format, either byte order).
fn pcap_frames(bytes: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    if bytes.len() < 24 {
        return out;
    }
    let le = bytes[0..4] == [0xd4, 0xc3, 0xb2, 0xa1];
    let u32_at = |b: &[u8]| {
        let a = [b[0], b[1], b[2], b[3]];
        if le {
            u32::from_le_bytes(a)
        } else {
            u32::from_be_bytes(a)
        }
    };
    let mut at = 24;
    while at + 16 <= bytes.len() {
        let caplen = u32_at(&bytes[at + 8..at + 12]) as usize;
        let start = at + 16;
        if start + caplen > bytes.len() {
            break;
        }
        out.push(bytes[start..start + caplen].to_vec());
        at = start + caplen;
    }
    out
}

#[test]
fn rewritten_packets_are_byte_identical_to_the_reference() {
    let sw = DummySwitch::start("dp_actions_vs_ref");
    sw.appctl_ok(&["revalidator/pause"]);
    let dir = sw.ctl().parent().expect("rundir").to_path_buf();
    let pcap = |p: &str| dir.join(format!("{p}-tx.pcap"));
    for p in ["p2", "p3"] {
        let opt = format!("options:tx_pcap={}", pcap(p).display());
        sw.vsctl(&["set", "interface", p, &opt]);
    }
    for r in RULES {
        sw.ofctl(&["add-flow", "br0", r]);
    }
    let packets = packets();
    for p in &packets {
        sw.appctl_ok(&["netdev-dummy/receive", "p1", p]);
    }
    let mut real: BTreeMap<&str, Vec<Vec<u8>>> = BTreeMap::new();
    for p in ["p2", "p3"] {
        let want = if p == "p2" { packets.len() } else { 1 };
        let mut frames = Vec::new();
        wait_until(
            std::time::Duration::from_secs(10),
            "the reference's pcap",
            || {
                frames = pcap_frames(&std::fs::read(pcap(p)).unwrap_or_default());
                frames.len() >= want
            },
        )
        .unwrap();
        real.insert(p, frames);
    }

    // Our datapath, with the reference's megaflows.
    let dp = Datapath::new("ovs-dummy");
    for name in ["p1", "p2", "p3"] {
        let dev = netdev::open("dummy", name, &BTreeMap::new()).expect("dummy");
        dp.add_port(dev, None).expect("port");
    }
    let dump = sw.appctl_ok(&["dpctl/dump-flows"]);
    let mut installed = 0;
    for line in dump.lines().skip(1) {
        let l = parse_dump_line(line, None).unwrap_or_else(|e| panic!("{line}: {e}"));
        let flags = FlowPutFlags {
            create: true,
            ..Default::default()
        };
        dp.flow_put(&l.key, &l.mask, l.actions, flags).unwrap();
        installed += 1;
    }
    assert_eq!(installed, packets.len(), "one megaflow per packet:\n{dump}");
    for p in &packets {
        let args = vec!["p1".to_string(), p.clone()];
        dpctl::netdev_dummy_receive(&dp, &args).unwrap();
    }
    assert_eq!(dp.stats().missed, 0, "every packet hit a megaflow");
    for p in ["p2", "p3"] {
        let ours = netdev::dummy::lookup(p).expect("port").take_sent();
        let theirs = &real[p];
        assert_eq!(ours.len(), theirs.len(), "frames out of {p}");
        for (i, (o, t)) in ours.iter().zip(theirs).enumerate() {
            assert_eq!(
                o,
                t,
                "frame {i} out of {p} (packet {})",
                packets.get(i).map_or("", |s| s)
            );
        }
    }
}
