//! Header rewrites for datapath actions, one field at a time (set eth,
//! IPv4, IPv6, transport ports, ICMP, ARP, ND fields); checksums stay valid
//! (see `edit`). Fields whose header the frame lacks are left alone.

use crate::arp;
use crate::buffer::Buffer;
use crate::bytes::{arr, put};
use crate::edit::Ctx;
use crate::eth;
use crate::ipv4;
use crate::ipv6;
use crate::l4::*;

pub fn set_eth_src(buf: &mut Buffer, mac: [u8; 6]) {
    put(buf.data_mut(), eth::SRC, &mac);
}

pub fn set_eth_dst(buf: &mut Buffer, mac: [u8; 6]) {
    put(buf.data_mut(), eth::DST, &mac);
}

pub fn set_ipv4_src(buf: &mut Buffer, addr: [u8; 4]) {
    Ctx::new(buf).ipv4(ipv4::SRC, &addr, true);
}

pub fn set_ipv4_dst(buf: &mut Buffer, addr: [u8; 4]) {
    Ctx::new(buf).ipv4(ipv4::DST, &addr, true);
}

/// Sets the whole TOS byte (DSCP and ECN).
pub fn set_ipv4_tos(buf: &mut Buffer, tos: u8) {
    Ctx::new(buf).ipv4(ipv4::TOS, &[tos], false);
}

pub fn set_ipv4_ttl(buf: &mut Buffer, ttl: u8) {
    Ctx::new(buf).ipv4(ipv4::TTL, &[ttl], false);
}

pub fn set_ipv6_src(buf: &mut Buffer, addr: [u8; 16]) {
    Ctx::new(buf).ipv6(ipv6::SRC, &addr, true);
}

pub fn set_ipv6_dst(buf: &mut Buffer, addr: [u8; 16]) {
    Ctx::new(buf).ipv6(ipv6::DST, &addr, true);
}

pub fn set_ipv6_tclass(buf: &mut Buffer, tclass: u8) {
    let mut c = Ctx::new(buf);
    if let Some(l3) = c.lay.l3.filter(|_| c.lay.is_ipv6()) {
        let vtc = ipv6_vtc(c.d, l3);
        let vtc = (vtc & !0x0ff0_0000) | (u32::from(tclass) << 20);
        c.ipv6(ipv6::VTC_FLOW, &vtc.to_be_bytes(), false);
    }
}

/// Sets the 20-bit flow label (higher bits of `label` are ignored).
pub fn set_ipv6_label(buf: &mut Buffer, label: u32) {
    let mut c = Ctx::new(buf);
    if let Some(l3) = c.lay.l3.filter(|_| c.lay.is_ipv6()) {
        let vtc = ipv6_vtc(c.d, l3);
        let vtc = (vtc & !ipv6::LABEL_MASK) | (label & ipv6::LABEL_MASK);
        c.ipv6(ipv6::VTC_FLOW, &vtc.to_be_bytes(), false);
    }
}

pub fn set_ipv6_hlimit(buf: &mut Buffer, hlim: u8) {
    Ctx::new(buf).ipv6(ipv6::HLIM, &[hlim], false);
}

pub(crate) fn ipv6_vtc(d: &[u8], l3: usize) -> u32 {
    arr(d, l3).map(u32::from_be_bytes).unwrap_or(0)
}

/// Sets the TCP, UDP or SCTP source port (whichever the packet carries).
pub fn set_tp_src(buf: &mut Buffer, port: u16) {
    let mut c = Ctx::new(buf);
    c.set_ports(Some(port.to_be_bytes()), None);
    c.finish();
}

/// Sets the TCP, UDP or SCTP destination port.
pub fn set_tp_dst(buf: &mut Buffer, port: u16) {
    let mut c = Ctx::new(buf);
    c.set_ports(None, Some(port.to_be_bytes()));
    c.finish();
}

/// Sets the ICMPv4 or ICMPv6 type.
pub fn set_icmp_type(buf: &mut Buffer, ty: u8) {
    Ctx::new(buf).set_icmp(Some(ty), None);
}

/// Sets the ICMPv4 or ICMPv6 code.
pub fn set_icmp_code(buf: &mut Buffer, code: u8) {
    Ctx::new(buf).set_icmp(None, Some(code));
}

pub fn set_arp_op(buf: &mut Buffer, op: u16) {
    Ctx::new(buf).arp(arp::OP, &op.to_be_bytes());
}
pub fn set_arp_sha(buf: &mut Buffer, mac: [u8; 6]) {
    Ctx::new(buf).arp(arp::SHA, &mac);
}
pub fn set_arp_spa(buf: &mut Buffer, addr: [u8; 4]) {
    Ctx::new(buf).arp(arp::SPA, &addr);
}
pub fn set_arp_tha(buf: &mut Buffer, mac: [u8; 6]) {
    Ctx::new(buf).arp(arp::THA, &mac);
}
pub fn set_arp_tpa(buf: &mut Buffer, addr: [u8; 4]) {
    Ctx::new(buf).arp(arp::TPA, &addr);
}

/// Sets the target address of a Neighbor Solicitation/Advertisement.
pub fn set_nd_target(buf: &mut Buffer, target: [u8; 16]) {
    let mut c = Ctx::new(buf);
    if c.is_nd() {
        c.l4(ND_TARGET, &target);
    }
}

/// Rewrites the source link-layer address option, if the message has one.
pub fn set_nd_sll(buf: &mut Buffer, mac: [u8; 6]) {
    set_nd_lla(buf, ND_OPT_SOURCE_LINKADDR, mac);
}

/// Rewrites the target link-layer address option, if the message has one.
pub fn set_nd_tll(buf: &mut Buffer, mac: [u8; 6]) {
    set_nd_lla(buf, ND_OPT_TARGET_LINKADDR, mac);
}

fn set_nd_lla(buf: &mut Buffer, opt: u8, mac: [u8; 6]) {
    let mut c = Ctx::new(buf);
    if c.is_nd() {
        if let Some(off) = c.nd_option(opt) {
            c.l4(off + 2, &mac);
        }
    }
}
