//! Packet composition: a frame built from a flow key (for `ofproto/trace
//! -generate` and `netdev-dummy/receive` given a flow), byte for byte the
//! frame the reference composes (as observed from its dummy ports): no
//! Ethernet padding; a 64-byte payload 00 01 .. 3f after UDP, ICMP/ICMPv6
//! echo request/reply, and TCP without SYN/FIN/RST; IPv4 later fragments as
//! a bare header with offset 100 and MF; SCTP with a zero CRC; ARP
//! addresses only for requests and replies; an MPLS entry without BOS
//! followed by two zero entries; 802.3 frames as a bare untagged header
//! with length 14.
//! Extraction gives the key back, except for IPv6 fragments, which the
//! reference composes without a fragment header (so does this).

use openflow::flow_match::key::{self, FlowKey};

use crate::checksum;
use crate::eth::{self, ETH_TYPE_MIN};
use crate::ipv4::{FRAG_ANY, FRAG_LATER, IP_MF};
use crate::l4::*;
use crate::vlan::VLAN_CFI;

/// Fragment offset (in 8-byte units) used for later fragments.
const LATER_FRAG_OFFSET: u16 = 100;
/// Payload bytes after headers that get a payload.
const L7_LEN: usize = 64;
/// TCP flags whose segments the reference composes without payload.
const TCP_NO_PAYLOAD: u16 = 0x001 | 0x002 | 0x004;

/// Builds a frame from the packet fields of `key` (see module doc). Fields
/// the key's protocols do not have are ignored.
pub fn compose(key: &FlowKey) -> Vec<u8> {
    let mut p = Vec::with_capacity(128);
    p.extend_from_slice(key.get(key::DL_DST));
    p.extend_from_slice(key.get(key::DL_SRC));
    let tci = key.u16(key::VLAN_TCI);
    let dl_type = key.u16(key::DL_TYPE);
    if dl_type < ETH_TYPE_MIN {
        // An 802.3 header alone (no tag even if the key has one, as the
        // reference); its length field holds the header length.
        p.extend_from_slice(&14u16.to_be_bytes());
        return p;
    }
    if tci & VLAN_CFI != 0 {
        p.extend_from_slice(&eth::ETH_TYPE_VLAN.to_be_bytes());
        p.extend_from_slice(&(tci & !VLAN_CFI).to_be_bytes());
    }
    p.extend_from_slice(&dl_type.to_be_bytes());
    match dl_type {
        eth::ETH_TYPE_MPLS | eth::ETH_TYPE_MPLS_MCAST => {
            p.extend_from_slice(key.get(key::MPLS_LSE));
            // The reference composes its three-entry stack up to the
            // bottom of stack: without BOS, two more (zero) entries.
            if key.u32(key::MPLS_LSE) & crate::mpls::BOS_BIT == 0 {
                p.extend_from_slice(&[0; 8]);
            }
        }
        eth::ETH_TYPE_IP => ipv4(key, &mut p),
        eth::ETH_TYPE_IPV6 => ipv6(key, &mut p),
        eth::ETH_TYPE_ARP | eth::ETH_TYPE_RARP => arp(key, &mut p),
        eth::ETH_TYPE_NSH => nsh(key, &mut p),
        _ => {}
    }
    p
}

/// Appends the 64-byte payload 00 01 .. 3f.
fn l7(p: &mut Vec<u8>) {
    p.extend((0..L7_LEN).map(|i| i as u8));
}

/// ARP: the addresses are filled in only for requests and replies (as the
/// reference does); other opcodes get zero addresses.
fn arp(key: &FlowKey, p: &mut Vec<u8>) {
    let op = key.u8(key::NW_PROTO);
    p.extend_from_slice(&[0, 1, 0x08, 0x00, 6, 4, 0, op]);
    if op == 1 || op == 2 {
        p.extend_from_slice(key.get(key::ARP_SHA));
        p.extend_from_slice(key.get(key::NW_SRC));
        p.extend_from_slice(key.get(key::ARP_THA));
        p.extend_from_slice(key.get(key::NW_DST));
    } else {
        p.extend_from_slice(&[0; 20]);
    }
}

/// An NSH header: MD type 1 with its four context headers, any other MD
/// type with the base and service path headers only.
fn nsh(key: &FlowKey, p: &mut Vec<u8>) {
    let md = key.u8(key::NSH_MDTYPE);
    let words: u8 = if md == crate::nsh::NSH_MD_TYPE1 { 6 } else { 2 };
    let ttl = key.u8(key::NSH_TTL) & 0x3f;
    let flags = key.u8(key::NSH_FLAGS) & 0x3;
    p.extend_from_slice(&[(flags << 4) | (ttl >> 2), ((ttl & 3) << 6) | words]);
    p.extend_from_slice(&[md, key.u8(key::NSH_NP)]);
    p.extend_from_slice(&key.get(key::NSH_SPI)[1..]);
    p.push(key.u8(key::NSH_SI));
    if words == 6 {
        p.extend_from_slice(key.get(key::NSH_C));
    }
}

fn ipv4(key: &FlowKey, p: &mut Vec<u8>) {
    let l3 = p.len();
    let frag = key.u8(key::NW_FRAG);
    let proto = key.u8(key::NW_PROTO);
    let frag_off: u16 = match (frag & FRAG_ANY != 0, frag & FRAG_LATER != 0) {
        (_, true) => IP_MF | LATER_FRAG_OFFSET,
        (true, false) => IP_MF,
        _ => 0,
    };
    p.extend_from_slice(&[0x45, key.u8(key::NW_TOS), 0, 0, 0, 0]);
    p.extend_from_slice(&frag_off.to_be_bytes());
    p.extend_from_slice(&[key.u8(key::NW_TTL), proto, 0, 0]);
    p.extend_from_slice(key.get(key::NW_SRC));
    p.extend_from_slice(key.get(key::NW_DST));
    let l4 = p.len();
    if frag & FRAG_LATER == 0 {
        transport(key, proto, p);
    }
    let tot = (p.len() - l3) as u16;
    p[l3 + 2..l3 + 4].copy_from_slice(&tot.to_be_bytes());
    let c = checksum::checksum(&p[l3..l4]);
    p[l3 + 10..l3 + 12].copy_from_slice(&c.to_be_bytes());
    if frag & FRAG_LATER == 0 {
        let src: [u8; 4] = p[l3 + 12..l3 + 16].try_into().unwrap_or_default();
        let dst: [u8; 4] = p[l3 + 16..l3 + 20].try_into().unwrap_or_default();
        let pseudo = checksum::pseudo_v4(src, dst, proto, (p.len() - l4) as u32);
        fill_l4_csum(p, l4, proto, pseudo);
    }
}

fn ipv6(key: &FlowKey, p: &mut Vec<u8>) {
    let l3 = p.len();
    let proto = key.u8(key::NW_PROTO);
    let vtc = (6u32 << 28)
        | (u32::from(key.u8(key::NW_TOS)) << 20)
        | (key.u32(key::IPV6_LABEL) & crate::ipv6::LABEL_MASK);
    p.extend_from_slice(&vtc.to_be_bytes());
    p.extend_from_slice(&[0, 0, proto, key.u8(key::NW_TTL)]);
    p.extend_from_slice(key.get(key::IPV6_SRC));
    p.extend_from_slice(key.get(key::IPV6_DST));
    let l4 = p.len();
    // As the reference: no fragment header; a later fragment has no
    // transport header either.
    let later = key.u8(key::NW_FRAG) & FRAG_LATER != 0;
    if !later {
        transport(key, proto, p);
    }
    let plen = (p.len() - l3 - 40) as u16;
    p[l3 + 4..l3 + 6].copy_from_slice(&plen.to_be_bytes());
    if !later {
        let src: [u8; 16] = p[l3 + 8..l3 + 24].try_into().unwrap_or_default();
        let dst: [u8; 16] = p[l3 + 24..l3 + 40].try_into().unwrap_or_default();
        let pseudo = checksum::pseudo_v6(&src, &dst, proto, (p.len() - l4) as u32);
        fill_l4_csum(p, l4, proto, pseudo);
    }
}

/// Appends the transport header of `proto` (with a zero checksum) and
/// the payload the reference puts after it.
fn transport(key: &FlowKey, proto: u8, p: &mut Vec<u8>) {
    let sp = key.get(key::TP_SRC);
    let dp = key.get(key::TP_DST);
    match proto {
        IPPROTO_TCP => {
            let flags = key.u16(key::TCP_FLAGS) & TCP_FLAGS_MASK;
            let ctl = (5u16 << 12) | flags;
            p.extend_from_slice(sp);
            p.extend_from_slice(dp);
            p.extend_from_slice(&[0; 8]);
            p.extend_from_slice(&ctl.to_be_bytes());
            p.extend_from_slice(&[0; 6]);
            if flags & TCP_NO_PAYLOAD == 0 {
                l7(p);
            }
        }
        IPPROTO_UDP => {
            p.extend_from_slice(sp);
            p.extend_from_slice(dp);
            let len = (UDP_HEADER_LEN + L7_LEN) as u16;
            p.extend_from_slice(&len.to_be_bytes());
            p.extend_from_slice(&[0, 0]);
            l7(p);
        }
        IPPROTO_SCTP => {
            p.extend_from_slice(sp);
            p.extend_from_slice(dp);
            p.extend_from_slice(&[0; 8]);
        }
        IPPROTO_ICMP => {
            let ty = key.u8(key::TP_SRC);
            p.extend_from_slice(&[ty, key.u8(key::TP_DST)]);
            p.extend_from_slice(&[0; 6]);
            // Echo request and reply carry the payload.
            if ty == 0 || ty == 8 {
                l7(p);
            }
        }
        IPPROTO_IGMP => {
            p.extend_from_slice(&[key.u8(key::TP_SRC), key.u8(key::TP_DST)]);
            p.extend_from_slice(&[0; 6]);
        }
        IPPROTO_ICMPV6 => icmpv6(key, p),
        _ => {}
    }
}

fn icmpv6(key: &FlowKey, p: &mut Vec<u8>) {
    let ty = key.u8(key::TP_SRC);
    let code = key.u8(key::TP_DST);
    p.extend_from_slice(&[ty, code, 0, 0]);
    let nd_type = ty == ND_NEIGHBOR_SOLICIT || ty == ND_NEIGHBOR_ADVERT;
    if !nd_type || code != 0 {
        p.extend_from_slice(&[0; 4]);
        // Echo request and reply carry the payload.
        if ty == 128 || ty == 129 {
            l7(p);
        }
        return;
    }
    p.extend_from_slice(key.get(key::ND_RESERVED));
    p.extend_from_slice(key.get(key::ND_TARGET));
    let sll = key.get(key::ARP_SHA);
    if sll.iter().any(|b| *b != 0) {
        p.extend_from_slice(&[ND_OPT_SOURCE_LINKADDR, 1]);
        p.extend_from_slice(sll);
    }
    let tll = key.get(key::ARP_THA);
    if tll.iter().any(|b| *b != 0) {
        p.extend_from_slice(&[ND_OPT_TARGET_LINKADDR, 1]);
        p.extend_from_slice(tll);
    }
}

/// Computes the transport checksum of `p[l4..]` in place (IGMP's too; not
/// SCTP's CRC, which the reference leaves zero).
fn fill_l4_csum(p: &mut [u8], l4: usize, proto: u8, pseudo: u64) {
    let field = match proto {
        IPPROTO_IGMP => ICMP_CSUM,
        _ => match csum_offset(proto) {
            Some(f) => f,
            None => return,
        },
    };
    let Some(seg) = p.get_mut(l4..) else { return };
    if seg.len() < field + 2 {
        return;
    }
    let pseudo = if proto == IPPROTO_ICMP || proto == IPPROTO_IGMP {
        0
    } else {
        pseudo
    };
    let mut c = !checksum::fold(checksum::sum(seg, pseudo));
    if c == 0 && proto == IPPROTO_UDP {
        c = 0xffff;
    }
    seg[field..field + 2].copy_from_slice(&c.to_be_bytes());
}
