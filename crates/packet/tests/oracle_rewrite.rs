//! Differential test of header rewrites against the real Open vSwitch:
//! a frame enters dummy port p1 of the real switch, an OpenFlow rule
//! rewrites a field and outputs to p2, and the frame p2 sends must be
//! byte-identical to what our rewrite functions make of the same frame
//! (checksum updates included: IPv4 header, TCP/UDP/ICMP/ICMPv6 with
//! pseudo-header, zero UDP checksum, SCTP CRC). Fails (does not skip)
//! without the real binaries.

mod common;

use common::oracle::DummySwitch;
use common::verify::hex;
use openflow::flow_match::key::{self, FlowKey, Slot};
use packet::Buffer;

fn base(dl_type: u16, proto: u8) -> FlowKey {
    let mut k = FlowKey::default();
    k.get_mut(key::DL_SRC)
        .copy_from_slice(&[0x02, 0, 0, 0, 0, 0x01]);
    k.get_mut(key::DL_DST)
        .copy_from_slice(&[0x02, 0, 0, 0, 0, 0x02]);
    k.set_uint(key::DL_TYPE, u64::from(dl_type));
    k.get_mut(key::NW_SRC).copy_from_slice(&[10, 1, 2, 3]);
    k.get_mut(key::NW_DST).copy_from_slice(&[10, 4, 5, 6]);
    k.get_mut(key::IPV6_SRC)
        .copy_from_slice(&[0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    k.get_mut(key::IPV6_DST)
        .copy_from_slice(&[0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2]);
    k.set_uint(key::IPV6_LABEL, 0x12345);
    k.set_uint(key::NW_TOS, 0x2e);
    k.set_uint(key::NW_TTL, 64);
    k.set_uint(key::NW_PROTO, u64::from(proto));
    k.set_uint(key::TP_SRC, 1000);
    k.set_uint(key::TP_DST, 2000);
    if proto == 6 {
        k.set_uint(key::TCP_FLAGS, 0x018);
    }
    k
}

fn tcp4() -> Vec<u8> {
    packet::compose(&base(0x0800, 6))
}
fn udp4() -> Vec<u8> {
    packet::compose(&base(0x0800, 17))
}
/// UDP over IPv4 with "no checksum" (zero).
fn udp4_nocsum() -> Vec<u8> {
    let mut f = udp4();
    f[14 + 20 + 6..14 + 20 + 8].fill(0);
    f
}
fn sctp4() -> Vec<u8> {
    common::compose_valid(&base(0x0800, 132))
}
fn icmp4() -> Vec<u8> {
    let mut k = base(0x0800, 1);
    k.set_uint(key::TP_SRC, 8);
    k.set_uint(key::TP_DST, 0);
    packet::compose(&k)
}
fn tcp6() -> Vec<u8> {
    packet::compose(&base(0x86dd, 6))
}
fn udp6() -> Vec<u8> {
    packet::compose(&base(0x86dd, 17))
}
fn icmp6_echo() -> Vec<u8> {
    let mut k = base(0x86dd, 58);
    k.set_uint(key::TP_SRC, 128);
    k.set_uint(key::TP_DST, 0);
    packet::compose(&k)
}
fn ns() -> Vec<u8> {
    let mut k = base(0x86dd, 58);
    k.set_uint(key::TP_SRC, 135);
    k.set_uint(key::TP_DST, 0);
    k.get_mut(key::ND_TARGET)[15] = 9;
    k.get_mut(key::ARP_SHA)
        .copy_from_slice(&[0x02, 0, 0, 0, 0, 0x01]);
    packet::compose(&k)
}
fn na() -> Vec<u8> {
    let mut k = base(0x86dd, 58);
    k.set_uint(key::TP_SRC, 136);
    k.set_uint(key::TP_DST, 0);
    k.get_mut(key::ND_TARGET)[15] = 9;
    k.get_mut(key::ARP_THA)
        .copy_from_slice(&[0x02, 0, 0, 0, 0, 0x03]);
    packet::compose(&k)
}
fn arp() -> Vec<u8> {
    let mut k = base(0x0806, 1);
    k.get_mut(key::ARP_SHA)
        .copy_from_slice(&[0x02, 0, 0, 0, 0, 0x01]);
    packet::compose(&k)
}
fn udp4_vlan() -> Vec<u8> {
    let mut k = base(0x0800, 17);
    k.set_uint(key::VLAN_TCI, 0x1000 | (3 << 13) | 10);
    packet::compose(&k)
}
fn mpls() -> Vec<u8> {
    let mut k = base(0x8847, 0);
    k.set_uint(key::MPLS_LSE, u64::from(packet::mpls::lse(77, 2, true, 33)));
    let mut f = packet::compose(&k);
    // An IPv4 packet under the label, so pop_mpls yields something real.
    f.extend_from_slice(&udp4()[14..]);
    f
}

/// A SetMasked of one slot: value bytes, mask bytes.
fn set(buf: &mut Buffer, s: Slot, v: &[u8], m: &[u8]) {
    let mut key = FlowKey::default();
    let mut mask = FlowKey::default();
    key.get_mut(s).copy_from_slice(v);
    mask.get_mut(s).copy_from_slice(m);
    packet::apply_set_masked(buf, &key, &mask);
}

type Op = fn(&mut Buffer);

/// (name, frame, OpenFlow actions before output:2, our rewrite).
fn cases() -> Vec<(&'static str, Vec<u8>, &'static str, Op)> {
    vec![
        ("eth src", tcp4(), "mod_dl_src:0a:0b:0c:0d:0e:0f", |b| {
            packet::set_eth_src(b, [10, 11, 12, 13, 14, 15])
        }),
        ("eth dst", arp(), "mod_dl_dst:0a:0b:0c:0d:0e:0f", |b| {
            packet::set_eth_dst(b, [10, 11, 12, 13, 14, 15])
        }),
        ("tcp4 nw_src", tcp4(), "mod_nw_src:192.168.7.9", |b| {
            packet::set_ipv4_src(b, [192, 168, 7, 9])
        }),
        ("udp4 nw_dst", udp4(), "mod_nw_dst:172.16.0.200", |b| {
            set(b, key::NW_DST, &[172, 16, 0, 200], &[0xff; 4])
        }),
        (
            "udp4 no-csum nw_src",
            udp4_nocsum(),
            "mod_nw_src:1.2.3.4",
            |b| packet::set_ipv4_src(b, [1, 2, 3, 4]),
        ),
        (
            "udp4 no-csum tp_dst",
            udp4_nocsum(),
            "mod_tp_dst:4789",
            |b| packet::set_tp_dst(b, 4789),
        ),
        ("icmp4 nw_src", icmp4(), "mod_nw_src:9.9.9.9", |b| {
            packet::set_ipv4_src(b, [9, 9, 9, 9])
        }),
        ("sctp4 nw_src", sctp4(), "mod_nw_src:9.9.9.9", |b| {
            packet::set_ipv4_src(b, [9, 9, 9, 9])
        }),
        ("tcp4 dscp", tcp4(), "mod_nw_tos:184", |b| {
            set(b, key::NW_TOS, &[184], &[0xfc])
        }),
        ("udp4 ecn", udp4(), "mod_nw_ecn:1", |b| {
            set(b, key::NW_TOS, &[1], &[0x03])
        }),
        ("tcp4 ttl", tcp4(), "mod_nw_ttl:7", |b| {
            packet::set_ipv4_ttl(b, 7)
        }),
        ("udp4 dec_ttl", udp4(), "dec_ttl", |b| {
            packet::set_ipv4_ttl(b, 63)
        }),
        ("tcp4 tp_src", tcp4(), "mod_tp_src:443", |b| {
            packet::set_tp_src(b, 443)
        }),
        ("tcp4 tp_dst", tcp4(), "mod_tp_dst:22", |b| {
            set(b, key::TP_DST, &22u16.to_be_bytes(), &[0xff; 2])
        }),
        ("udp4 tp_src", udp4(), "mod_tp_src:53", |b| {
            packet::set_tp_src(b, 53)
        }),
        ("sctp4 tp_dst", sctp4(), "mod_tp_dst:9999", |b| {
            packet::set_tp_dst(b, 9999)
        }),
        ("icmp4 type", icmp4(), "set_field:0->icmp_type", |b| {
            packet::set_icmp_type(b, 0)
        }),
        ("icmp4 code", icmp4(), "set_field:5->icmp_code", |b| {
            set(b, key::TP_DST, &[0, 5], &[0, 0xff])
        }),
        (
            "tcp6 ipv6_src",
            tcp6(),
            "set_field:2001:db8::99->ipv6_src",
            |b| {
                let mut a = [0u8; 16];
                a[..4].copy_from_slice(&[0x20, 1, 0xd, 0xb8]);
                a[15] = 0x99;
                packet::set_ipv6_src(b, a)
            },
        ),
        (
            "udp6 ipv6_dst",
            udp6(),
            "set_field:fe80::1234->ipv6_dst",
            |b| {
                let mut a = [0u8; 16];
                a[..2].copy_from_slice(&[0xfe, 0x80]);
                a[14..].copy_from_slice(&[0x12, 0x34]);
                set(b, key::IPV6_DST, &a, &[0xff; 16])
            },
        ),
        (
            "icmp6 ipv6_src",
            icmp6_echo(),
            "set_field:2001:db8::7->ipv6_src",
            |b| {
                let mut a = [0u8; 16];
                a[..4].copy_from_slice(&[0x20, 1, 0xd, 0xb8]);
                a[15] = 7;
                packet::set_ipv6_src(b, a)
            },
        ),
        ("udp6 label", udp6(), "set_field:0xabcde->ipv6_label", |b| {
            packet::set_ipv6_label(b, 0xabcde)
        }),
        ("tcp6 dscp", tcp6(), "mod_nw_tos:64", |b| {
            set(b, key::NW_TOS, &[64], &[0xfc])
        }),
        ("udp6 hlimit", udp6(), "mod_nw_ttl:3", |b| {
            packet::set_ipv6_hlimit(b, 3)
        }),
        ("tcp6 tp_dst", tcp6(), "mod_tp_dst:8080", |b| {
            packet::set_tp_dst(b, 8080)
        }),
        (
            "icmp6 type",
            icmp6_echo(),
            "set_field:129->icmpv6_type",
            |b| packet::set_icmp_type(b, 129),
        ),
        (
            "ns target",
            ns(),
            "set_field:2001:db8::abcd->nd_target",
            |b| {
                let mut a = [0u8; 16];
                a[..4].copy_from_slice(&[0x20, 1, 0xd, 0xb8]);
                a[14..].copy_from_slice(&[0xab, 0xcd]);
                packet::set_nd_target(b, a)
            },
        ),
        ("ns sll", ns(), "set_field:00:11:22:33:44:55->nd_sll", |b| {
            packet::set_nd_sll(b, [0, 0x11, 0x22, 0x33, 0x44, 0x55])
        }),
        ("na tll", na(), "set_field:00:11:22:33:44:56->nd_tll", |b| {
            set(
                b,
                key::ARP_THA,
                &[0, 0x11, 0x22, 0x33, 0x44, 0x56],
                &[0xff; 6],
            )
        }),
        ("arp op", arp(), "set_field:2->arp_op", |b| {
            packet::set_arp_op(b, 2)
        }),
        ("arp spa", arp(), "set_field:10.9.8.7->arp_spa", |b| {
            set(b, key::NW_SRC, &[10, 9, 8, 7], &[0xff; 4])
        }),
        ("arp tpa", arp(), "set_field:10.9.8.6->arp_tpa", |b| {
            packet::set_arp_tpa(b, [10, 9, 8, 6])
        }),
        (
            "arp sha",
            arp(),
            "set_field:00:00:00:00:00:aa->arp_sha",
            |b| packet::set_arp_sha(b, [0, 0, 0, 0, 0, 0xaa]),
        ),
        (
            "arp tha",
            arp(),
            "set_field:00:00:00:00:00:bb->arp_tha",
            |b| set(b, key::ARP_THA, &[0, 0, 0, 0, 0, 0xbb], &[0xff; 6]),
        ),
        (
            "push vlan",
            udp4(),
            "push_vlan:0x8100,set_field:4196->vlan_vid",
            |b| packet::push_vlan(b, 0x8100, 0x1000 | 100),
        ),
        (
            "push 802.1ad",
            tcp4(),
            "push_vlan:0x88a8,set_field:4097->vlan_vid",
            |b| packet::push_vlan(b, 0x88a8, 0x1000 | 1),
        ),
        ("pop vlan", udp4_vlan(), "pop_vlan", packet::pop_vlan),
        // The entry translation builds (and the datapath action carries):
        // TC from TOS bits 2..4 (0x2e -> 3), TTL from the IP TTL.
        ("push mpls", udp4(), "push_mpls:0x8847", |b| {
            packet::push_mpls(b, 0x8847, packet::mpls::lse(0, 3, true, 64))
        }),
        ("pop mpls", mpls(), "pop_mpls:0x0800", |b| {
            packet::pop_mpls(b, 0x0800)
        }),
        ("mpls label", mpls(), "set_mpls_label:4000", |b| {
            packet::set_mpls_lse(b, packet::mpls::lse(4000, 2, true, 33));
        }),
        ("mpls ttl", mpls(), "set_mpls_ttl:5", |b| {
            set(b, key::MPLS_LSE, &[0, 0, 0, 5], &[0, 0, 0, 0xff])
        }),
    ]
}

/// A match on the frame's protocols, which set_field needs as
/// prerequisites.
fn prerequisites(frame: &[u8]) -> String {
    let mut k = FlowKey::default();
    packet::extract(frame, &mut k);
    let dl_type = k.u16(key::DL_TYPE);
    let mut m = format!("dl_type={dl_type:#06x}");
    if k.u16(key::VLAN_TCI) != 0 {
        m += ",vlan_tci=0x1000/0x1000";
    }
    if dl_type == 0x0800 || dl_type == 0x86dd {
        m += &format!(",nw_proto={}", k.u8(key::NW_PROTO));
        if k.u8(key::NW_PROTO) == 58 {
            m += &format!(
                ",icmp_type={},icmp_code={}",
                k.u16(key::TP_SRC),
                k.u16(key::TP_DST)
            );
        }
    }
    m
}

#[test]
fn rewrites_match_real_switch() {
    let sw = DummySwitch::start("packet-oracle-rewrite");
    let cases = cases();
    let mut failures = Vec::new();
    for (i, (name, frame, actions, op)) in cases.iter().enumerate() {
        sw.set_flow(&format!(
            "in_port=1,{},actions={actions},output:2",
            prerequisites(frame)
        ));
        sw.receive_frame(frame);
        let sent = sw.sent_frames(i + 1);
        let theirs = &sent[i];
        let mut buf = Buffer::from_slice(frame);
        op(&mut buf);
        if buf.data() != &theirs[..] {
            failures.push(format!(
                "{name} ({actions})\n  in:   {}\n  real: {}\n  ours: {}",
                hex(frame),
                hex(theirs),
                hex(buf.data())
            ));
        }
        // Whatever the reference did, our result has valid checksums.
        if let Err(e) = common::verify::check(buf.data()) {
            failures.push(format!("{name}: {e}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} rewrites differ:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}
