//! Flow extraction: one walk over a frame's headers that fills the flow
//! key's packet slots (L2 through L4) the way the reference fills its
//! `struct flow`, and records where each layer starts (the [`Layout`] that
//! header rewrites and offload code use). The walk is generic over a
//! [`Sink`] so the layout-only variant compiles to a walk without stores.

use openflow::flow_match::key::{self, FlowKey, Slot};

use crate::arp::Arp;
use crate::bytes::{arr, be16, be32, u8_at};
use crate::eth::{self, ETH_HEADER_LEN};
use crate::ipv4::{Ipv4, FRAG_LATER};
use crate::ipv6::{self, Ipv6};
use crate::l4::{self, *};
use crate::nsh::Nsh;
use crate::vlan::{self, VLAN_CFI, VLAN_HEADER_LEN};

/// Where the layers of a frame start, as found by the extraction walk.
/// Offsets are from the start of the frame.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Layout {
    /// The flow Ethertype (0 if the frame is shorter than an Ethernet header).
    pub dl_type: u16,
    /// Whether an outer VLAN tag was parsed (it is at offset 12).
    pub vlan: bool,
    /// End of the L2 header (after tag and LLC/SNAP): where MPLS or L3
    /// starts; the Ethertype field is the two bytes before it (Ethernet II).
    pub l2_len: usize,
    /// The MPLS label stack, if dl_type is MPLS.
    pub l2_5: Option<usize>,
    /// The IPv4/IPv6/ARP header, if it passed validation.
    pub l3: Option<usize>,
    /// End of the IP packet (total length; the frame may be padded).
    pub l3_end: usize,
    /// The transport header, for IP packets that are not later fragments.
    pub l4: Option<usize>,
    pub nw_proto: u8,
    pub nw_frag: u8,
}

impl Layout {
    pub fn is_ipv4(&self) -> bool {
        self.l3.is_some() && self.dl_type == eth::ETH_TYPE_IP
    }
    pub fn is_ipv6(&self) -> bool {
        self.l3.is_some() && self.dl_type == eth::ETH_TYPE_IPV6
    }
    pub fn is_arp(&self) -> bool {
        self.l3.is_some()
            && (self.dl_type == eth::ETH_TYPE_ARP || self.dl_type == eth::ETH_TYPE_RARP)
    }
}

/// Receives the values the walk finds.
pub(crate) trait Sink {
    fn put(&mut self, slot: Slot, bytes: &[u8]);
}

impl Sink for FlowKey {
    #[inline]
    fn put(&mut self, slot: Slot, bytes: &[u8]) {
        // Direct indexing (not FlowKey::get_mut, which is not inlined
        // across crates); slot and value lengths always agree here.
        if let Some(dst) = self.0.get_mut(slot.ofs..slot.ofs + bytes.len()) {
            dst.copy_from_slice(bytes);
        }
    }
}

/// A sink that keeps nothing: the walk only computes the layout.
pub(crate) struct NoSink;

impl Sink for NoSink {
    #[inline]
    fn put(&mut self, _: Slot, _: &[u8]) {}
}

/// First key byte that extraction owns: everything from the Ethernet
/// destination to the end (L2, L3, NSH, L4) is packet data; the slots
/// before it are metadata extraction leaves alone.
const PACKET_SLOTS_START: usize = key::DL_DST.ofs;

/// Fills the packet slots of `key` from `data` (metadata slots such as
/// IN_PORT, registers, tunnel and conntrack fields are left as they are;
/// every packet slot is rewritten, zero where the packet has no such field)
/// and returns the layout. Never panics, whatever the bytes.
pub fn extract(data: &[u8], key: &mut FlowKey) -> Layout {
    if let Some(slots) = key.0.get_mut(PACKET_SLOTS_START..) {
        slots.fill(0);
    }
    walk(data, key)
}

/// The layout of `data` without filling a key.
pub fn layout(data: &[u8]) -> Layout {
    walk(data, &mut NoSink)
}

pub(crate) fn walk<S: Sink>(d: &[u8], s: &mut S) -> Layout {
    let mut lay = Layout::default();
    let (Some(dst), Some(src)) = (arr::<6>(d, eth::DST), arr::<6>(d, eth::SRC)) else {
        return lay;
    };
    if d.len() < ETH_HEADER_LEN {
        return lay;
    }
    s.put(key::DL_DST, &dst);
    s.put(key::DL_SRC, &src);

    let mut off = eth::TYPE;
    if be16(d, off).is_some_and(vlan::is_tpid) && d.len() >= off + VLAN_HEADER_LEN + 2 {
        let tci = be16(d, off + 2).unwrap_or(0) | VLAN_CFI;
        s.put(key::VLAN_TCI, &tci.to_be_bytes());
        lay.vlan = true;
        off += VLAN_HEADER_LEN;
    }
    let (dl_type, next) = eth::parse_ethertype(d, off);
    s.put(key::DL_TYPE, &dl_type.to_be_bytes());
    lay.dl_type = dl_type;
    lay.l2_len = next;

    match dl_type {
        eth::ETH_TYPE_MPLS | eth::ETH_TYPE_MPLS_MCAST => {
            lay.l2_5 = Some(next);
            if let Some(lse) = arr::<4>(d, next) {
                s.put(key::MPLS_LSE, &lse);
            }
        }
        eth::ETH_TYPE_IP => ipv4(d, next, s, &mut lay),
        eth::ETH_TYPE_NSH => {
            if let Some(nsh) = d.get(next..).and_then(Nsh::new_checked) {
                lay.l3 = Some(next);
                lay.l3_end = next + nsh.header_len();
                s.put(key::NSH_FLAGS, &[nsh.flags()]);
                s.put(key::NSH_TTL, &[nsh.ttl()]);
                s.put(key::NSH_MDTYPE, &[nsh.md_type()]);
                s.put(key::NSH_NP, &[nsh.next_proto()]);
                s.put(key::NSH_SPI, &nsh.spi().to_be_bytes());
                s.put(key::NSH_SI, &[nsh.si()]);
                if let Some(c) = nsh.md1_context() {
                    s.put(key::NSH_C, &c);
                }
            }
        }
        eth::ETH_TYPE_IPV6 => ipv6(d, next, s, &mut lay),
        eth::ETH_TYPE_ARP | eth::ETH_TYPE_RARP => {
            if let Some(arp) = d.get(next..).and_then(Arp::new_checked) {
                lay.l3 = Some(next);
                lay.l3_end = next + crate::arp::ARP_ETH_LEN;
                // Opcodes that do not fit the 8-bit field are left out.
                if let Ok(op) = u8::try_from(arp.op()) {
                    s.put(key::NW_PROTO, &[op]);
                }
                s.put(key::NW_SRC, &arp.spa());
                s.put(key::NW_DST, &arp.tpa());
                s.put(key::ARP_SHA, &arp.sha());
                s.put(key::ARP_THA, &arp.tha());
            }
        }
        _ => {}
    }
    lay
}

fn ipv4<S: Sink>(d: &[u8], off: usize, s: &mut S, lay: &mut Layout) {
    let Some(ip) = d.get(off..).and_then(Ipv4::new_checked) else {
        return;
    };
    let frag = ip.frag();
    s.put(key::NW_SRC, &ip.src());
    s.put(key::NW_DST, &ip.dst());
    s.put(key::NW_FRAG, &[frag]);
    s.put(key::NW_TOS, &[ip.tos()]);
    s.put(key::NW_TTL, &[ip.ttl()]);
    s.put(key::NW_PROTO, &[ip.proto()]);
    lay.l3 = Some(off);
    lay.l3_end = off + ip.total_len();
    lay.nw_proto = ip.proto();
    lay.nw_frag = frag;
    if frag & FRAG_LATER == 0 {
        let l4 = off + ip.header_len();
        lay.l4 = Some(l4);
        transport(d.get(l4..lay.l3_end).unwrap_or(&[]), ip.proto(), s);
    }
}

fn ipv6<S: Sink>(d: &[u8], off: usize, s: &mut S, lay: &mut Layout) {
    let Some(ip) = d.get(off..).and_then(Ipv6::new_checked) else {
        return;
    };
    let end = off + ip.total_len();
    // The addresses count even when the extension headers are broken;
    // the rest of L3 and L4 then stay zero, as in the reference.
    s.put(key::IPV6_SRC, &ip.src());
    s.put(key::IPV6_DST, &ip.dst());
    let Some(walk) = ipv6::walk_ext_headers(d, off + ipv6::IPV6_HEADER_LEN, ip.next_header(), end)
    else {
        return;
    };
    s.put(key::IPV6_LABEL, &ip.label().to_be_bytes());
    s.put(key::NW_FRAG, &[walk.frag]);
    s.put(key::NW_TOS, &[ip.tclass()]);
    s.put(key::NW_TTL, &[ip.hlim()]);
    s.put(key::NW_PROTO, &[walk.proto]);
    lay.l3 = Some(off);
    lay.l3_end = end;
    lay.nw_proto = walk.proto;
    lay.nw_frag = walk.frag;
    if walk.frag & FRAG_LATER == 0 {
        lay.l4 = Some(walk.l4);
        transport(d.get(walk.l4..end).unwrap_or(&[]), walk.proto, s);
    }
}

/// The transport fields of the upper-layer header `d` (cut at the end of
/// the IP packet). A header too short for its fixed part contributes
/// nothing.
fn transport<S: Sink>(d: &[u8], proto: u8, s: &mut S) {
    let ports = |s: &mut S| {
        if let (Some(sp), Some(dp)) = (arr::<2>(d, 0), arr::<2>(d, 2)) {
            s.put(key::TP_SRC, &sp);
            s.put(key::TP_DST, &dp);
        }
    };
    let type_code = |s: &mut S| {
        s.put(key::TP_SRC, &[0, u8_at(d, 0).unwrap_or(0)]);
        s.put(key::TP_DST, &[0, u8_at(d, 1).unwrap_or(0)]);
    };
    match proto {
        IPPROTO_TCP if tcp_header_ok(d) => {
            ports(s);
            let flags = be16(d, TCP_CTL).unwrap_or(0) & TCP_FLAGS_MASK;
            s.put(key::TCP_FLAGS, &flags.to_be_bytes());
        }
        IPPROTO_UDP if d.len() >= UDP_HEADER_LEN => ports(s),
        IPPROTO_SCTP if d.len() >= SCTP_HEADER_LEN => ports(s),
        IPPROTO_ICMP if d.len() >= ICMP_HEADER_LEN => type_code(s),
        IPPROTO_IGMP if d.len() >= IGMP_HEADER_LEN => type_code(s),
        IPPROTO_ICMPV6 if d.len() >= ICMPV6_HEADER_LEN => {
            if let Some(nd) = l4::parse_nd(d) {
                s.put(key::ND_TARGET, &nd.target);
                s.put(key::ARP_SHA, &nd.sll);
                s.put(key::ARP_THA, &nd.tll);
                s.put(key::ND_RESERVED, &nd.reserved.to_be_bytes());
                s.put(key::ND_OPTIONS_TYPE, &[nd.options_type]);
            }
            type_code(s);
        }
        _ => {}
    }
}

/// A TCP header counts only if its data offset is at least 5 words and
/// within the segment.
fn tcp_header_ok(d: &[u8]) -> bool {
    let hlen = usize::from(u8_at(d, TCP_CTL).unwrap_or(0) >> 4) * 4;
    d.len() >= TCP_HEADER_LEN && hlen >= TCP_HEADER_LEN && hlen <= d.len()
}

/// The first MPLS label stack entry of a frame, if it has one.
pub fn mpls_lse(d: &[u8], lay: &Layout) -> Option<u32> {
    be32(d, lay.l2_5?)
}
