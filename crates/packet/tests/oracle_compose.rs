//! Differential test of compose() against the real Open vSwitch: for
//! random keys, the frame the reference builds for `netdev-dummy/receive
//! p1 <datapath flow>` (captured by the dummy port's rx pcap) must be
//! byte-identical to ours. Fails (does not skip) without the real binaries.

mod common;

use std::fmt::Write;
use std::net::{Ipv4Addr, Ipv6Addr};

use common::oracle::DummySwitch;
use common::verify::hex;
use common::Rng;
use openflow::flow_match::key::{self, FlowKey, Slot};

fn mac(k: &FlowKey, s: Slot) -> String {
    let b = k.get(s);
    b.iter()
        .map(|x| format!("{x:02x}"))
        .collect::<Vec<_>>()
        .join(":")
}

fn ip4(k: &FlowKey, s: Slot) -> Ipv4Addr {
    Ipv4Addr::from(k.u32(s))
}

fn ip6(k: &FlowKey, s: Slot) -> Ipv6Addr {
    let b: [u8; 16] = k.get(s).try_into().unwrap_or_default();
    Ipv6Addr::from(b)
}

/// The datapath-flow text (the reference's `odp` syntax) for the packet
/// fields of `k`.
fn odp_flow(k: &FlowKey) -> String {
    let mut s = format!(
        "in_port(1),eth(src={},dst={})",
        mac(k, key::DL_SRC),
        mac(k, key::DL_DST)
    );
    let tci = k.u16(key::VLAN_TCI);
    let dl_type = k.u16(key::DL_TYPE);
    let mut close = "";
    if tci & 0x1000 != 0 {
        let _ = write!(
            s,
            ",eth_type(0x8100),vlan(vid={},pcp={}),encap(",
            tci & 0xfff,
            tci >> 13
        );
        close = ")";
        // Inside encap the first attribute has no leading comma; an
        // 802.3 payload has no eth_type at all.
        if dl_type >= 0x600 {
            let _ = write!(s, "eth_type(0x{dl_type:04x})");
        }
    } else if dl_type >= 0x600 {
        let _ = write!(s, ",eth_type(0x{dl_type:04x})");
    }
    let frag = match k.u8(key::NW_FRAG) {
        0 => "no",
        1 => "first",
        _ => "later",
    };
    let proto = k.u8(key::NW_PROTO);
    match dl_type {
        0x0800 => {
            let _ = write!(
                s,
                ",ipv4(src={},dst={},proto={proto},tos={},ttl={},frag={frag})",
                ip4(k, key::NW_SRC),
                ip4(k, key::NW_DST),
                k.u8(key::NW_TOS),
                k.u8(key::NW_TTL)
            );
            if frag != "later" {
                l4(&mut s, k, proto);
            }
        }
        0x86dd => {
            let _ = write!(
                s,
                ",ipv6(src={},dst={},label={:#x},proto={proto},tclass={:#x},hlimit={},frag={frag})",
                ip6(k, key::IPV6_SRC),
                ip6(k, key::IPV6_DST),
                k.u32(key::IPV6_LABEL),
                k.u8(key::NW_TOS),
                k.u8(key::NW_TTL)
            );
            if frag != "later" {
                l4(&mut s, k, proto);
            }
        }
        0x0806 | 0x8035 => {
            let _ = write!(
                s,
                ",arp(sip={},tip={},op={proto},sha={},tha={})",
                ip4(k, key::NW_SRC),
                ip4(k, key::NW_DST),
                mac(k, key::ARP_SHA),
                mac(k, key::ARP_THA)
            );
        }
        0x8847 | 0x8848 => {
            let lse = k.u32(key::MPLS_LSE);
            let _ = write!(
                s,
                ",mpls(label={},tc={},ttl={},bos={})",
                lse >> 12,
                (lse >> 9) & 7,
                lse & 0xff,
                (lse >> 8) & 1
            );
        }
        _ => {}
    }
    s.push_str(close);
    s
}

fn l4(s: &mut String, k: &FlowKey, proto: u8) {
    let (sp, dp) = (k.u16(key::TP_SRC), k.u16(key::TP_DST));
    match proto {
        6 => {
            let _ = write!(
                s,
                ",tcp(src={sp},dst={dp}),tcp_flags({:#x})",
                k.u16(key::TCP_FLAGS)
            );
        }
        17 => {
            let _ = write!(s, ",udp(src={sp},dst={dp})");
        }
        132 => {
            let _ = write!(s, ",sctp(src={sp},dst={dp})");
        }
        1 => {
            let _ = write!(s, ",icmp(type={sp},code={dp})");
        }
        58 => {
            let _ = write!(s, ",icmpv6(type={sp},code={dp})");
            if (sp == 135 || sp == 136) && dp == 0 {
                let _ = write!(
                    s,
                    ",nd(target={},sll={},tll={})",
                    ip6(k, key::ND_TARGET),
                    mac(k, key::ARP_SHA),
                    mac(k, key::ARP_THA)
                );
            }
        }
        _ => {}
    }
}

/// A random key restricted to what the datapath-flow syntax carries for
/// composing: no NSH, no IGMP type/code, no ND reserved word.
fn expressible_key(rng: &mut Rng) -> FlowKey {
    loop {
        let mut k = common::random_key(rng);
        if k.u16(key::DL_TYPE) == 0x894f {
            continue;
        }
        if k.u8(key::NW_PROTO) == 2 {
            k.set_uint(key::TP_SRC, 0);
            k.set_uint(key::TP_DST, 0);
        }
        k.set_uint(key::ND_RESERVED, 0);
        return k;
    }
}

#[test]
fn compose_matches_real_switch() {
    let sw = DummySwitch::start("packet-oracle-compose");
    let mut rng = Rng(0x000c_0490_5e00);
    let keys: Vec<FlowKey> = (0..200).map(|_| expressible_key(&mut rng)).collect();
    let flows: Vec<String> = keys.iter().map(odp_flow).collect();
    for f in &flows {
        sw.receive_flow(f);
    }
    let theirs = sw.received_frames(flows.len());
    let mut failures = Vec::new();
    for ((k, flow), real) in keys.iter().zip(&flows).zip(&theirs) {
        let ours = packet::compose(k);
        if &ours != real {
            failures.push(format!(
                "{flow}\n  real: {}\n  ours: {}",
                hex(real),
                hex(&ours)
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} composed frames differ:\n{}",
        failures.len(),
        flows.len(),
        failures.join("\n")
    );
}
