//! The datapath flow/action text on its own: what parsing puts in which key
//! slot, action text round trips, and errors (no real switch needed; the
//! texts themselves are checked against the reference in
//! odp_text_vs_reference.rs and dpctl_vs_reference.rs).

use datapath::odp::{self, cookie, OdpAction};
use openflow::flow_match::key::{self as k, FlowKey};

#[test]
fn parsing_fills_the_right_slots_and_masks() {
    let (key, mask) = odp::parse_flow(
        "recirc_id(0x7),in_port(3),eth(src=00:00:00:00:00:01,dst=02:00:00:00:00:02/ff:ff:ff:00:00:00),\
         eth_type(0x8100),vlan(vid=10,pcp=3),encap(eth_type(0x0800),\
         ipv4(src=10.0.0.1/255.0.0.0,dst=10.0.0.2,proto=6,tos=0x20/0xfc,ttl=64,frag=first),\
         tcp(src=1000,dst=80/0xff00),tcp_flags(+syn-ack))",
    )
    .unwrap();
    assert_eq!(key.u32(k::RECIRC_ID), 7);
    assert!(mask.is_ones(k::RECIRC_ID));
    assert_eq!(key.u16(k::IN_PORT), 3);
    assert_eq!(key.get(k::DL_DST), [2, 0, 0, 0, 0, 2]);
    assert_eq!(mask.get(k::DL_DST), [0xff, 0xff, 0xff, 0, 0, 0]);
    assert_eq!(key.u16(k::VLAN_TCI), 0x1000 | (3 << 13) | 10);
    assert_eq!(mask.u16(k::VLAN_TCI), 0xffff);
    assert_eq!(key.u16(k::DL_TYPE), 0x0800, "the inner type, not the TPID");
    assert_eq!(key.get(k::NW_SRC), [10, 0, 0, 1]);
    assert_eq!(mask.get(k::NW_SRC), [255, 0, 0, 0]);
    assert_eq!((key.u8(k::NW_TOS), mask.u8(k::NW_TOS)), (0x20, 0xfc));
    assert_eq!((key.u8(k::NW_FRAG), mask.u8(k::NW_FRAG)), (1, 3));
    assert_eq!((key.u16(k::TP_DST), mask.u16(k::TP_DST)), (80, 0xff00));
    assert_eq!(
        (key.u16(k::TCP_FLAGS), mask.u16(k::TCP_FLAGS)),
        (0x002, 0x012)
    );
    assert_eq!(key.u32(k::PACKET_TYPE), 0, "eth() means an Ethernet packet");
}

#[test]
fn a_flow_without_eth_is_an_l3_packet() {
    let (key, mask) = odp::parse_flow("in_port(1),eth_type(0x86dd),ipv6(frag=no)").unwrap();
    assert_eq!(key.u32(k::PACKET_TYPE), (1 << 16) | 0x86dd);
    assert_eq!(mask.u32(k::PACKET_TYPE), 0);
    assert_eq!(
        odp::format_flow(&key, &mask),
        "recirc_id(0),in_port(1),eth_type(0x86dd),ipv6(frag=no)"
    );
}

#[test]
fn mpls_and_arp_and_nd_fields() {
    let (key, _) =
        odp::parse_flow("in_port(1),eth(),eth_type(0x8847),mpls(label=100,tc=3,ttl=64,bos=1)")
            .unwrap();
    assert_eq!(key.u32(k::MPLS_LSE), (100 << 12) | (3 << 9) | (1 << 8) | 64);
    let (key, _) =
        odp::parse_flow("in_port(1),eth(),eth_type(0x0806),arp(sip=1.2.3.4,tip=5.6.7.8,op=2,sha=00:00:00:00:00:01,tha=00:00:00:00:00:02)")
            .unwrap();
    assert_eq!(key.get(k::NW_SRC), [1, 2, 3, 4]);
    assert_eq!(key.u8(k::NW_PROTO), 2);
    assert_eq!(key.get(k::ARP_THA), [0, 0, 0, 0, 0, 2]);
    let (key, mask) = odp::parse_flow(
        "in_port(1),eth(),eth_type(0x86dd),ipv6(proto=58,frag=no),icmpv6(type=135,code=0),nd(target=2001:db8::1)",
    )
    .unwrap();
    assert_eq!(key.u16(k::TP_SRC), 135);
    assert_eq!(key.get(k::ND_TARGET)[0..2], [0x20, 0x01]);
    assert!(mask.is_ones(k::ND_TARGET));
}

#[test]
fn every_action_prints_and_parses_back() {
    let mut set_key = FlowKey::default();
    set_key.get_mut(k::NW_DST).copy_from_slice(&[1, 2, 3, 4]);
    set_key.set_uint(k::DL_TYPE, 0x0800);
    let mut set_mask = FlowKey::default();
    set_mask
        .get_mut(k::NW_DST)
        .copy_from_slice(&[255, 255, 0, 0]);
    let mut udp_key = FlowKey::default();
    udp_key.set_uint(k::TP_DST, 99);
    udp_key.set_uint(k::NW_PROTO, 17);
    let mut udp_mask = FlowKey::default();
    udp_mask.set_uint(k::TP_DST, 0xffff);
    let mut controller = cookie::parse("controller(reason=1,dont_send=0,continuation=0,recirc_id=7,rule_cookie=0x5,controller_id=0,max_len=65535)").unwrap();
    assert_eq!(controller.len(), cookie::COOKIE_LEN);
    let actions = vec![
        OdpAction::Output(2),
        OdpAction::PushVlan {
            tpid: 0x88a8,
            tci: 5,
        },
        OdpAction::PopVlan,
        OdpAction::PushMpls {
            lse: (5 << 12) | (1 << 8) | 64,
            ethertype: 0x8847,
        },
        OdpAction::PopMpls { ethertype: 0x0800 },
        OdpAction::SetMasked {
            key: set_key,
            mask: set_mask,
        },
        OdpAction::SetMasked {
            key: udp_key,
            mask: udp_mask,
        },
        OdpAction::Clone(vec![OdpAction::Output(1), OdpAction::PopVlan]),
        OdpAction::Sample {
            probability: u32::MAX / 2,
            actions: vec![OdpAction::Output(3)],
        },
        OdpAction::Recirc(0x10),
        OdpAction::Hash { alg: 0, basis: 5 },
        OdpAction::Meter(3),
        OdpAction::Trunc(100),
        OdpAction::CtClear,
        OdpAction::Userspace {
            pid: 4,
            userdata: vec![1, 2, 0xff],
        },
        OdpAction::Userspace {
            pid: 0,
            userdata: std::mem::take(&mut controller),
        },
    ];
    let text = odp::format_actions(&actions);
    assert_eq!(
        text,
        "2,push_vlan(tpid=0x88a8,vid=5,pcp=0,cfi=0),pop_vlan,\
         push_mpls(label=5,tc=0,ttl=64,bos=1,eth_type=0x8847),pop_mpls(eth_type=0x800),\
         set(ipv4(dst=1.2.3.4/255.255.0.0)),set(udp(dst=99)),clone(1,pop_vlan),\
         sample(sample=50.0%,actions(3)),recirc(0x10),hash(l4(5)),meter(3),trunc(100),ct_clear,\
         userspace(pid=4,userdata(0102ff)),\
         userspace(pid=0,controller(reason=1,dont_send=0,continuation=0,recirc_id=7,rule_cookie=0x5,controller_id=0,max_len=65535))"
    );
    let back = odp::parse_actions(&text).unwrap();
    assert_eq!(odp::format_actions(&back), text);
    assert_eq!(back.len(), actions.len());
    assert_eq!(back[0..5], actions[0..5]);
    assert_eq!(odp::format_actions(&[]), "drop");
    assert_eq!(odp::parse_actions("drop").unwrap(), vec![]);
}

#[test]
fn errors_name_the_bad_text_and_nothing_panics() {
    assert_eq!(
        odp::parse_flow("in_port(1),foo(2),eth()").unwrap_err(),
        "syntax error at foo(2),eth()"
    );
    assert!(odp::parse_flow("in_port(1),ipv4(src=300.0.0.1)").is_err());
    assert!(odp::parse_actions("output(").is_err());
    assert!(odp::parse_actions("frobnicate").is_err());
    let samples = [
        "recirc_id(0),in_port(1),eth(src=00:00:00:00:00:01,dst=00:00:00:00:00:02),eth_type(0x8100),vlan(vid=10,pcp=3),encap(eth_type(0x0800),ipv4(src=10.0.0.1,dst=10.0.0.2,proto=6,tos=0,ttl=64,frag=no),tcp(src=1,dst=2))",
        "set(ipv6(src=::1,dst=::2/ffff::,label=3)),sample(sample=5.0%,actions(1,userspace(pid=1,userdata(0102)))),push_vlan(vid=5,pcp=1)",
    ];
    for s in samples {
        for end in 0..s.len() {
            let _ = odp::parse_flow(&s[..end]);
            let _ = odp::parse_actions(&s[..end]);
        }
    }
}
