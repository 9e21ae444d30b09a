//! SetMasked: applying every packet header field of a flow key under a
//! mask to a frame in one pass (what the datapath's masked set action
//! does), through the checksum-keeping writes of `edit`.

use openflow::flow_match::key::{self, FlowKey, Slot};

use crate::arp;
use crate::buffer::Buffer;
use crate::bytes::{arr, be16, put};
use crate::edit::Ctx;
use crate::eth;
use crate::ipv4;
use crate::ipv6;
use crate::l4::*;
use crate::rewrite::ipv6_vtc;

// Slot readers written here rather than FlowKey's methods, which are not
// inlined across crates (they showed up in profiles of the rewrite path).
#[inline]
fn slot(k: &FlowKey, s: Slot) -> &[u8] {
    k.0.get(s.ofs..s.ofs + s.len).unwrap_or(&[])
}

#[inline]
fn zero(k: &FlowKey, s: Slot) -> bool {
    slot(k, s).iter().all(|b| *b == 0)
}

#[inline]
fn byte(k: &FlowKey, s: Slot) -> u8 {
    slot(k, s).first().copied().unwrap_or(0)
}

#[inline]
fn be32_slot(k: &FlowKey, s: Slot) -> u32 {
    arr::<4>(slot(k, s), 0).map(u32::from_be_bytes).unwrap_or(0)
}

/// `old` with the bits of `mask` replaced by those of `value`.
fn merge<const N: usize>(old: [u8; N], value: &[u8], mask: &[u8]) -> [u8; N] {
    let mut out = old;
    for ((o, v), m) in out.iter_mut().zip(value).zip(mask) {
        *o = (*o & !m) | (v & m);
    }
    out
}

/// For a masked slot: the packet's bytes at `off` merged with the key's
/// bits under the mask; None if the mask is zero or the bytes are missing.
fn masked<const N: usize>(
    d: &[u8],
    off: usize,
    key: &FlowKey,
    mask: &FlowKey,
    s: Slot,
) -> Option<[u8; N]> {
    if zero(mask, s) {
        return None;
    }
    let old = arr::<N>(d, off)?;
    Some(merge(old, slot(key, s), slot(mask, s)))
}

/// Applies every packet header field whose mask bits are set in `mask`
/// (values from `key`, both in the flow key layout) to the headers the
/// packet actually has: Ethernet addresses, the top MPLS entry, IPv4
/// addresses/TOS/TTL, IPv6 addresses/traffic class/hop limit/label,
/// TCP/UDP/SCTP ports, ICMP type/code, ARP fields, ND target and
/// link-layer options. Fields whose header is absent are ignored;
/// metadata slots (priority, mark, ...) are the caller's business.
/// Checksums stay valid; no allocation.
pub fn apply_set_masked(buf: &mut Buffer, key: &FlowKey, mask: &FlowKey) {
    let mut c = Ctx::new(buf);
    if let Some(v) = masked::<6>(c.d, eth::SRC, key, mask, key::DL_SRC) {
        put(c.d, eth::SRC, &v);
    }
    if let Some(v) = masked::<6>(c.d, eth::DST, key, mask, key::DL_DST) {
        put(c.d, eth::DST, &v);
    }
    if let Some(at) = c.lay.l2_5 {
        if let Some(v) = masked::<4>(c.d, at, key, mask, key::MPLS_LSE) {
            put(c.d, at, &v);
        }
    }
    if let Some(l3) = c.lay.l3 {
        if c.lay.is_ipv4() {
            apply_ipv4(&mut c, l3, key, mask);
        } else if c.lay.is_ipv6() {
            apply_ipv6(&mut c, l3, key, mask);
        } else if c.lay.is_arp() {
            apply_arp(&mut c, l3, key, mask);
        }
    }
    if let Some(l4) = c.lay.l4 {
        apply_l4(&mut c, l4, key, mask);
    }
    c.finish();
}

fn apply_ipv4(c: &mut Ctx, l3: usize, key: &FlowKey, mask: &FlowKey) {
    if let Some(v) = masked::<4>(c.d, l3 + ipv4::SRC, key, mask, key::NW_SRC) {
        c.ipv4(ipv4::SRC, &v, true);
    }
    if let Some(v) = masked::<4>(c.d, l3 + ipv4::DST, key, mask, key::NW_DST) {
        c.ipv4(ipv4::DST, &v, true);
    }
    if let Some(v) = masked::<1>(c.d, l3 + ipv4::TOS, key, mask, key::NW_TOS) {
        c.ipv4(ipv4::TOS, &v, false);
    }
    if let Some(v) = masked::<1>(c.d, l3 + ipv4::TTL, key, mask, key::NW_TTL) {
        c.ipv4(ipv4::TTL, &v, false);
    }
}

fn apply_ipv6(c: &mut Ctx, l3: usize, key: &FlowKey, mask: &FlowKey) {
    if let Some(v) = masked::<16>(c.d, l3 + ipv6::SRC, key, mask, key::IPV6_SRC) {
        c.ipv6(ipv6::SRC, &v, true);
    }
    if let Some(v) = masked::<16>(c.d, l3 + ipv6::DST, key, mask, key::IPV6_DST) {
        c.ipv6(ipv6::DST, &v, true);
    }
    let mut vtc = ipv6_vtc(c.d, l3);
    let old = vtc;
    if !zero(mask, key::NW_TOS) {
        let m = u32::from(byte(mask, key::NW_TOS)) << 20;
        vtc = (vtc & !m) | ((u32::from(byte(key, key::NW_TOS)) << 20) & m);
    }
    if !zero(mask, key::IPV6_LABEL) {
        let m = be32_slot(mask, key::IPV6_LABEL) & ipv6::LABEL_MASK;
        vtc = (vtc & !m) | (be32_slot(key, key::IPV6_LABEL) & m);
    }
    if vtc != old {
        c.ipv6(ipv6::VTC_FLOW, &vtc.to_be_bytes(), false);
    }
    if let Some(v) = masked::<1>(c.d, l3 + ipv6::HLIM, key, mask, key::NW_TTL) {
        c.ipv6(ipv6::HLIM, &v, false);
    }
}

fn apply_arp(c: &mut Ctx, l3: usize, key: &FlowKey, mask: &FlowKey) {
    if !zero(mask, key::NW_PROTO) {
        // The key holds the opcode's low byte.
        if let Some(op) = be16(c.d, l3 + arp::OP) {
            let m = byte(mask, key::NW_PROTO);
            let lo = (op as u8 & !m) | (byte(key, key::NW_PROTO) & m);
            c.arp(arp::OP, &u16::from(lo).to_be_bytes());
        }
    }
    let fields: [(usize, Slot); 2] = [(arp::SPA, key::NW_SRC), (arp::TPA, key::NW_DST)];
    for (ofs, s) in fields {
        if let Some(v) = masked::<4>(c.d, l3 + ofs, key, mask, s) {
            c.arp(ofs, &v);
        }
    }
    let fields: [(usize, Slot); 2] = [(arp::SHA, key::ARP_SHA), (arp::THA, key::ARP_THA)];
    for (ofs, s) in fields {
        if let Some(v) = masked::<6>(c.d, l3 + ofs, key, mask, s) {
            c.arp(ofs, &v);
        }
    }
}

fn apply_l4(c: &mut Ctx, l4: usize, key: &FlowKey, mask: &FlowKey) {
    match c.lay.nw_proto {
        IPPROTO_TCP | IPPROTO_UDP | IPPROTO_SCTP => {
            let src = masked::<2>(c.d, l4, key, mask, key::TP_SRC);
            let dst = masked::<2>(c.d, l4 + 2, key, mask, key::TP_DST);
            c.set_ports(src, dst);
        }
        IPPROTO_ICMP | IPPROTO_ICMPV6 => {
            // Type and code are the low bytes of the 16-bit port slots.
            let ty = masked::<1>(c.d, l4, key, mask, key::TP_SRC.sub(1, 1));
            let code = masked::<1>(c.d, l4 + 1, key, mask, key::TP_DST.sub(1, 1));
            c.set_icmp(ty.map(|v| v[0]), code.map(|v| v[0]));
            if c.is_nd() {
                apply_nd(c, l4, key, mask);
            }
        }
        _ => {}
    }
}

fn apply_nd(c: &mut Ctx, l4: usize, key: &FlowKey, mask: &FlowKey) {
    if let Some(v) = masked::<16>(c.d, l4 + ND_TARGET, key, mask, key::ND_TARGET) {
        c.l4(ND_TARGET, &v);
    }
    let opts: [(u8, Slot); 2] = [
        (ND_OPT_SOURCE_LINKADDR, key::ARP_SHA),
        (ND_OPT_TARGET_LINKADDR, key::ARP_THA),
    ];
    for (opt, s) in opts {
        if let Some(off) = c.nd_option(opt) {
            if let Some(v) = masked::<6>(c.d, l4 + off + 2, key, mask, s) {
                c.l4(off + 2, &v);
            }
        }
    }
}
