//! The one-line description of an Ethernet frame that ofp-print shows under
//! packet-ins and packet-outs: the frame's headers parsed the way the
//! reference's flow extraction parses them (two VLAN tags, three MPLS label
//! stack entries, IPv4/IPv6 with extension headers and fragments, ARP, ND,
//! NSH), printed as an exact match, then the L4 checksum when the L4 header
//! is complete.
//!
//! Truncated or malformed headers leave their fields zero, never an error:
//! the line describes whatever could be parsed.

use std::fmt::Write;
use std::net::Ipv4Addr;

const ETH_TYPE_IP: u16 = 0x0800;
const ETH_TYPE_ARP: u16 = 0x0806;
const ETH_TYPE_RARP: u16 = 0x8035;
const ETH_TYPE_IPV6: u16 = 0x86dd;
const ETH_TYPE_MPLS: u16 = 0x8847;
const ETH_TYPE_MPLS_MCAST: u16 = 0x8848;
const ETH_TYPE_NSH: u16 = 0x894f;
/// What 802.3 frames without a SNAP Ethernet type get as dl_type.
const DL_TYPE_NONE: u16 = 0x05ff;

const IPPROTO_ICMP: u8 = 1;
const IPPROTO_IGMP: u8 = 2;
const IPPROTO_TCP: u8 = 6;
const IPPROTO_UDP: u8 = 17;
const IPPROTO_ICMPV6: u8 = 58;
const IPPROTO_SCTP: u8 = 132;

const FRAG_ANY: u8 = 1;
const FRAG_LATER: u8 = 2;

/// Everything the description shows, zero where the frame did not say.
#[derive(Default)]
struct Flow {
    dl_dst: [u8; 6],
    dl_src: [u8; 6],
    /// Up to two 802.1Q/802.1ad TCIs, each with the "present" bit set.
    vlans: [u16; 2],
    dl_type: u16,
    mpls: [u32; 3],
    l3: L3,
    nw_proto: u8,
    nw_tos: u8,
    nw_ttl: u8,
    nw_frag: u8,
    tp_src: u16,
    tp_dst: u16,
    tcp_flags: u16,
    nd_target: [u8; 16],
    nd_sll: [u8; 6],
    nd_tll: [u8; 6],
    /// The checksum text for a complete L4 header (" tcp_csum:abcd").
    csum: Option<String>,
}

#[derive(Default)]
enum L3 {
    #[default]
    None,
    Ipv4 {
        src: [u8; 4],
        dst: [u8; 4],
    },
    Ipv6 {
        src: [u8; 16],
        dst: [u8; 16],
        label: u32,
    },
    Arp {
        spa: [u8; 4],
        tpa: [u8; 4],
        sha: [u8; 6],
        tha: [u8; 6],
    },
    Nsh(Nsh),
}

#[derive(Default)]
struct Nsh {
    flags: u8,
    ttl: u8,
    mdtype: u8,
    np: u8,
    spi: u32,
    si: u8,
    context: Option<[u32; 4]>,
}

/// A cursor over the frame that never panics: reads past the end give None.
struct Bytes<'a>(&'a [u8]);

impl<'a> Bytes<'a> {
    fn len(&self) -> usize {
        self.0.len()
    }
    fn peek(&self, n: usize) -> Option<&'a [u8]> {
        self.0.get(..n)
    }
    fn pull(&mut self, n: usize) -> Option<&'a [u8]> {
        let b = self.0.get(..n)?;
        self.0 = &self.0[n..];
        Some(b)
    }
    fn truncate(&mut self, n: usize) {
        self.0 = self.0.get(..n).unwrap_or(self.0);
    }
}

fn be16(b: &[u8], at: usize) -> u16 {
    u16::from_be_bytes([b[at], b[at + 1]])
}
fn be32(b: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}
fn arr<const N: usize>(b: &[u8], at: usize) -> [u8; N] {
    let mut a = [0u8; N];
    a.copy_from_slice(&b[at..at + N]);
    a
}

/// The description of `packet`, without a trailing newline.
pub fn packet_summary(packet: &[u8]) -> String {
    let flow = extract(packet);
    let mut out = String::new();
    format_flow(&mut out, &flow);
    if let Some(c) = &flow.csum {
        out.push_str(c);
    }
    out
}

fn extract(packet: &[u8]) -> Flow {
    let mut f = Flow::default();
    let mut d = Bytes(packet);
    let Some(eth) = d.peek(14) else {
        return f;
    };
    f.dl_dst = arr(eth, 0);
    f.dl_src = arr(eth, 6);
    d.pull(12);
    // VLAN tags: a tag counts only with the type after it present too.
    for slot in 0..2 {
        match d.peek(6) {
            Some(t) if matches!(be16(t, 0), 0x8100 | 0x88a8) => {
                f.vlans[slot] = be16(t, 2) | 0x1000;
                d.pull(4);
            }
            _ => break,
        }
    }
    let Some(t) = d.pull(2) else {
        return f;
    };
    f.dl_type = be16(t, 0);
    if f.dl_type < 0x600 {
        f.dl_type = parse_snap(&mut d);
    }
    match f.dl_type {
        ETH_TYPE_MPLS | ETH_TYPE_MPLS_MCAST => {
            for slot in 0..3 {
                let Some(lse) = d.pull(4) else { break };
                f.mpls[slot] = be32(lse, 0);
                if f.mpls[slot] & 0x100 != 0 {
                    break;
                }
            }
        }
        ETH_TYPE_IP => extract_ipv4(&mut f, &mut d),
        ETH_TYPE_IPV6 => extract_ipv6(&mut f, &mut d),
        ETH_TYPE_ARP | ETH_TYPE_RARP => extract_arp(&mut f, &mut d),
        ETH_TYPE_NSH => f.l3 = L3::Nsh(extract_nsh(&mut d).unwrap_or_default()),
        _ => {}
    }
    f
}

/// An 802.2 LLC/SNAP header with the Ethernet OUI gives the real type.
fn parse_snap(d: &mut Bytes) -> u16 {
    match d.peek(8) {
        Some(h) if h[..6] == [0xaa, 0xaa, 0x03, 0, 0, 0] && be16(h, 6) >= 0x600 => {
            d.pull(8);
            be16(h, 6)
        }
        _ => DL_TYPE_NONE,
    }
}

fn extract_ipv4(f: &mut Flow, d: &mut Bytes) {
    let Some(h) = d.peek(20) else { return };
    let ip_len = usize::from(h[0] & 0x0f) * 4;
    let tot_len = usize::from(be16(h, 2));
    if ip_len < 20 || d.len() < ip_len || tot_len > d.len() || ip_len > tot_len {
        return;
    }
    // Trailing Ethernet padding is not part of the datagram.
    d.truncate(tot_len);
    f.l3 = L3::Ipv4 {
        src: arr(h, 12),
        dst: arr(h, 16),
    };
    f.nw_tos = h[1];
    f.nw_ttl = h[8];
    f.nw_proto = h[9];
    let frag_off = be16(h, 6);
    if frag_off & 0x3fff != 0 {
        f.nw_frag = FRAG_ANY;
        if frag_off & 0x1fff != 0 {
            f.nw_frag |= FRAG_LATER;
        }
    }
    d.pull(ip_len);
    extract_l4(f, d);
}

fn extract_ipv6(f: &mut Flow, d: &mut Bytes) {
    let Some(h) = d.peek(40) else { return };
    let plen = usize::from(be16(h, 4));
    if plen + 40 > d.len() {
        return;
    }
    d.truncate(plen + 40);
    d.pull(40);
    let flow_word = be32(h, 0);
    f.l3 = L3::Ipv6 {
        src: arr(h, 8),
        dst: arr(h, 24),
        label: 0,
    };
    let mut proto = h[6];
    let mut frag = 0;
    if !ipv6_ext_headers(d, &mut proto, &mut frag) {
        // Addresses stay; the rest of the IPv6 fields are not filled in.
        return;
    }
    if let L3::Ipv6 { label, .. } = &mut f.l3 {
        *label = flow_word & 0x000f_ffff;
    }
    f.nw_tos = (flow_word >> 20) as u8;
    f.nw_ttl = h[7];
    f.nw_proto = proto;
    f.nw_frag = frag;
    extract_l4(f, d);
}

/// Skips IPv6 extension headers, leaving `proto` at the upper-layer
/// protocol (or at "fragment" for non-first fragments). False if one is cut off.
fn ipv6_ext_headers(d: &mut Bytes, proto: &mut u8, frag: &mut u8) -> bool {
    loop {
        let len = match *proto {
            0 | 43 | 60 | 51 | 44 => {
                let Some(h) = d.peek(8) else { return false };
                match *proto {
                    // Hop-by-hop, routing, destination options: 8-byte units.
                    0 | 43 | 60 => {
                        *proto = h[0];
                        (usize::from(h[1]) + 1) * 8
                    }
                    // AH counts 4-byte units, minus two.
                    51 => {
                        *proto = h[0];
                        (usize::from(h[1]) + 2) * 4
                    }
                    _ => {
                        *proto = h[0];
                        let offlg = be16(h, 2);
                        if offlg != 0 {
                            *frag = FRAG_ANY;
                            if offlg & 0xfff8 != 0 {
                                *frag |= FRAG_LATER;
                                *proto = 44;
                                d.pull(8);
                                return true;
                            }
                        }
                        8
                    }
                }
            }
            _ => return true,
        };
        if d.pull(len).is_none() {
            return false;
        }
    }
}

fn extract_l4(f: &mut Flow, d: &mut Bytes) {
    let l4 = d.0;
    f.csum = match f.nw_proto {
        IPPROTO_TCP if l4.len() >= 20 => Some(format!(" tcp_csum:{:x}", be16(l4, 16))),
        IPPROTO_UDP if l4.len() >= 8 => Some(format!(" udp_csum:{:x}", be16(l4, 6))),
        IPPROTO_SCTP if l4.len() >= 12 => Some(format!(" sctp_csum:{:x}", be32(l4, 8))),
        IPPROTO_ICMP if l4.len() >= 8 => Some(format!(" icmp_csum:{:x}", be16(l4, 2))),
        IPPROTO_ICMPV6 if l4.len() >= 4 => Some(format!(" icmp6_csum:{:x}", be16(l4, 2))),
        _ => None,
    };
    if f.nw_frag & FRAG_LATER != 0 {
        return;
    }
    match f.nw_proto {
        IPPROTO_TCP if l4.len() >= 20 => {
            let off = usize::from(l4[12] >> 4) * 4;
            if off >= 20 && l4.len() >= off {
                f.tp_src = be16(l4, 0);
                f.tp_dst = be16(l4, 2);
                f.tcp_flags = be16(l4, 12) & 0x0fff;
            }
        }
        IPPROTO_UDP if l4.len() >= 8 => {
            f.tp_src = be16(l4, 0);
            f.tp_dst = be16(l4, 2);
        }
        IPPROTO_SCTP if l4.len() >= 12 => {
            f.tp_src = be16(l4, 0);
            f.tp_dst = be16(l4, 2);
        }
        IPPROTO_ICMP | IPPROTO_IGMP if l4.len() >= 8 => {
            f.tp_src = u16::from(l4[0]);
            f.tp_dst = u16::from(l4[1]);
        }
        // Type and code are read with the 4 bytes after them.
        IPPROTO_ICMPV6 if l4.len() >= 8 => {
            f.tp_src = u16::from(l4[0]);
            f.tp_dst = u16::from(l4[1]);
            if matches!(l4[0], 135 | 136) && l4[1] == 0 {
                extract_nd(f, &mut Bytes(l4));
            }
        }
        _ => {}
    }
}

/// Neighbor solicitation/advertisement: target and link-layer options.
/// Options are read until one is empty or runs past the end; a cut-off
/// target or a second non-zero address of the same kind makes the whole
/// message malformed, which leaves all three zero.
fn extract_nd(f: &mut Flow, d: &mut Bytes) {
    let ok = (|| {
        d.pull(8)?;
        let target: [u8; 16] = arr(d.pull(16)?, 0);
        let (mut sll, mut tll) = ([0u8; 6], [0u8; 6]);
        while d.len() >= 8 {
            let h = d.peek(8)?;
            let opt_len = usize::from(h[1]) * 8;
            if opt_len == 0 || opt_len > d.len() {
                break;
            }
            if opt_len == 8 && (h[0] == 1 || h[0] == 2) {
                let slot = if h[0] == 1 { &mut sll } else { &mut tll };
                if *slot != [0u8; 6] {
                    return None;
                }
                *slot = arr(h, 2);
            }
            d.pull(opt_len)?;
        }
        Some((target, sll, tll))
    })();
    if let Some((t, s, l)) = ok {
        f.nd_target = t;
        f.nd_sll = s;
        f.nd_tll = l;
    }
}

fn extract_arp(f: &mut Flow, d: &mut Bytes) {
    let mut arp = L3::Arp {
        spa: [0; 4],
        tpa: [0; 4],
        sha: [0; 6],
        tha: [0; 6],
    };
    if let Some(h) = d.peek(28) {
        if be16(h, 0) == 1 && be16(h, 2) == ETH_TYPE_IP && h[4] == 6 && h[5] == 4 {
            arp = L3::Arp {
                spa: arr(h, 14),
                tpa: arr(h, 24),
                sha: arr(h, 8),
                tha: arr(h, 18),
            };
            // Only the low 8 bits of the opcode are matchable.
            let op = be16(h, 6);
            if op <= 0xff {
                f.nw_proto = op as u8;
            }
        }
    }
    f.l3 = arp;
}

/// The NSH base and service path headers; MD type 1 context headers.
fn extract_nsh(d: &mut Bytes) -> Option<Nsh> {
    let h = d.peek(8)?;
    let word = be16(h, 0);
    let len = usize::from(word & 0x3f) * 4;
    if word >> 14 != 0 || len > d.len() {
        return None;
    }
    let mut nsh = Nsh {
        flags: ((word >> 12) & 0x3) as u8,
        ttl: ((word >> 6) & 0x3f) as u8,
        mdtype: h[2],
        np: h[3],
        spi: be32(h, 4) >> 8,
        si: h[7],
        context: None,
    };
    match nsh.mdtype {
        1 => {
            if len != 24 {
                return None;
            }
            let c = d.peek(24)?;
            nsh.context = Some([be32(c, 8), be32(c, 12), be32(c, 16), be32(c, 20)]);
        }
        2 if len < 8 => return None,
        _ => {}
    }
    d.pull(len);
    Some(nsh)
}

fn mac(m: &[u8; 6]) -> String {
    format!(
        "{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}",
        m[0], m[1], m[2], m[3], m[4], m[5]
    )
}

fn ipv4(a: &[u8; 4]) -> String {
    Ipv4Addr::from(*a).to_string()
}

/// IPv6 text as the C library writes it: the longest run of two or more
/// zero groups is "::", and an address whose first 96 bits are zero (or
/// which is IPv4-mapped) ends in dotted IPv4.
pub(crate) fn ipv6(a: &[u8; 16]) -> String {
    let w: Vec<u16> = (0..8).map(|i| be16(a, i * 2)).collect();
    let (mut best, mut best_len) = (None, 0);
    let mut i = 0;
    while i < 8 {
        if w[i] == 0 {
            let start = i;
            while i < 8 && w[i] == 0 {
                i += 1;
            }
            if i - start > best_len && i - start >= 2 {
                best = Some(start);
                best_len = i - start;
            }
        } else {
            i += 1;
        }
    }
    let mut out = String::new();
    let mut i = 0;
    while i < 8 {
        if best == Some(i) {
            out.push(':');
            i += best_len;
            if i == 8 {
                out.push(':');
            }
            continue;
        }
        if i > 0 {
            out.push(':');
        }
        let v4_tail =
            i == 6 && best == Some(0) && (best_len == 6 || (best_len == 5 && w[5] == 0xffff));
        if v4_tail {
            out.push_str(&ipv4(&arr(a, 12)));
            break;
        }
        let _ = write!(out, "{:x}", w[i]);
        i += 1;
    }
    out
}

fn tcp_flags(out: &mut String, flags: u16) {
    if flags == 0 {
        out.push('0');
        return;
    }
    const NAMES: [&str; 9] = ["fin", "syn", "rst", "psh", "ack", "urg", "ece", "cwr", "ns"];
    let mut first = true;
    for bit in 0..12 {
        if flags & (1 << bit) == 0 {
            continue;
        }
        if !first {
            out.push('|');
        }
        first = false;
        match NAMES.get(bit) {
            Some(n) => out.push_str(n),
            None => {
                let _ = write!(out, "[{:x}]", 1u16 << bit);
            }
        }
    }
}

/// The flow as an exact match, in the reference's field order.
fn format_flow(out: &mut String, f: &Flow) {
    let mut parts: Vec<String> = Vec::new();
    let is_ip4 = f.dl_type == ETH_TYPE_IP;
    let is_ip6 = f.dl_type == ETH_TYPE_IPV6;
    let shorthand = match f.dl_type {
        ETH_TYPE_IP | ETH_TYPE_IPV6 => Some(match (f.nw_proto, is_ip6) {
            (IPPROTO_TCP, false) => "tcp",
            (IPPROTO_UDP, false) => "udp",
            (IPPROTO_SCTP, false) => "sctp",
            (IPPROTO_ICMP, false) => "icmp",
            (IPPROTO_TCP, true) => "tcp6",
            (IPPROTO_UDP, true) => "udp6",
            (IPPROTO_SCTP, true) => "sctp6",
            (IPPROTO_ICMPV6, true) => "icmp6",
            (_, false) => "ip",
            (_, true) => "ipv6",
        }),
        ETH_TYPE_ARP => Some("arp"),
        ETH_TYPE_RARP => Some("rarp"),
        ETH_TYPE_MPLS => Some("mpls"),
        ETH_TYPE_MPLS_MCAST => Some("mplsm"),
        _ => None,
    };
    let proto_implied = matches!(
        shorthand,
        Some("tcp" | "udp" | "sctp" | "icmp" | "tcp6" | "udp6" | "sctp6" | "icmp6")
    );
    if let Some(s) = shorthand {
        parts.push(s.to_string());
    }
    if f.vlans[0] == 0 {
        parts.push("vlan_tci=0x0000".to_string());
    } else {
        for (i, tci) in f.vlans.iter().enumerate() {
            let sfx = if i == 0 { String::new() } else { i.to_string() };
            if *tci == 0 {
                parts.push(format!("vlan_tci{sfx}=0x0000"));
                break;
            }
            parts.push(format!("dl_vlan{sfx}={}", tci & 0x0fff));
            parts.push(format!("dl_vlan_pcp{sfx}={}", tci >> 13));
        }
    }
    parts.push(format!("dl_src={}", mac(&f.dl_src)));
    parts.push(format!("dl_dst={}", mac(&f.dl_dst)));
    if shorthand.is_none() {
        parts.push(format!("dl_type=0x{:04x}", f.dl_type));
    }
    if matches!(f.dl_type, ETH_TYPE_MPLS | ETH_TYPE_MPLS_MCAST) {
        let lse = f.mpls[0];
        parts.push(format!("mpls_label={}", lse >> 12));
        parts.push(format!("mpls_tc={}", (lse >> 9) & 7));
        parts.push(format!("mpls_ttl={}", lse & 0xff));
        parts.push(format!("mpls_bos={}", (lse >> 8) & 1));
        // Entries up to the first with the bottom-of-stack bit (all three
        // when none has it) are part of the flow.
        let n = f
            .mpls
            .iter()
            .position(|l| l & 0x100 != 0)
            .map_or(3, |p| p + 1);
        for (i, l) in f.mpls.iter().enumerate().take(n).skip(1) {
            parts.push(format!("mpls_lse{i}={l}"));
        }
    }
    match &f.l3 {
        L3::Ipv4 { src, dst } => {
            parts.push(format!("nw_src={}", ipv4(src)));
            parts.push(format!("nw_dst={}", ipv4(dst)));
        }
        L3::Ipv6 { src, dst, label } => {
            parts.push(format!("ipv6_src={}", ipv6(src)));
            parts.push(format!("ipv6_dst={}", ipv6(dst)));
            parts.push(format!("ipv6_label=0x{label:05x}"));
        }
        L3::None if is_ip4 => {
            parts.push("nw_src=0.0.0.0".to_string());
            parts.push("nw_dst=0.0.0.0".to_string());
        }
        L3::None if is_ip6 => {
            parts.push("ipv6_src=::".to_string());
            parts.push("ipv6_dst=::".to_string());
            parts.push("ipv6_label=0x00000".to_string());
        }
        L3::Arp { spa, tpa, sha, tha } => {
            parts.push(format!("arp_spa={}", ipv4(spa)));
            parts.push(format!("arp_tpa={}", ipv4(tpa)));
            parts.push(format!("arp_op={}", f.nw_proto));
            parts.push(format!("arp_sha={}", mac(sha)));
            parts.push(format!("arp_tha={}", mac(tha)));
        }
        L3::Nsh(n) => {
            parts.push(format!("nsh_flags={}", n.flags));
            parts.push(format!("nsh_ttl={}", n.ttl));
            parts.push(format!("nsh_mdtype={}", n.mdtype));
            parts.push(format!("nsh_np={}", n.np));
            parts.push(format!("nsh_spi=0x{:x}", n.spi));
            parts.push(format!("nsh_si={}", n.si));
            if let Some(c) = n.context {
                for (i, v) in c.iter().enumerate() {
                    parts.push(format!("nsh_c{}=0x{v:x}", i + 1));
                }
            }
        }
        L3::None => {}
    }
    if is_ip4 || is_ip6 || f.dl_type == ETH_TYPE_NSH {
        if !proto_implied {
            parts.push(format!("nw_proto={}", f.nw_proto));
        }
        parts.push(format!("nw_tos={}", f.nw_tos & 0xfc));
        parts.push(format!("nw_ecn={}", f.nw_tos & 3));
        parts.push(format!("nw_ttl={}", f.nw_ttl));
        parts.push(
            match f.nw_frag {
                0 => "nw_frag=no",
                FRAG_ANY => "nw_frag=first",
                _ => "nw_frag=later",
            }
            .to_string(),
        );
    }
    if (is_ip4 || is_ip6) && f.nw_frag & FRAG_LATER == 0 {
        match f.nw_proto {
            IPPROTO_TCP | IPPROTO_UDP | IPPROTO_SCTP | IPPROTO_IGMP => {
                parts.push(format!("tp_src={}", f.tp_src));
                parts.push(format!("tp_dst={}", f.tp_dst));
                if f.nw_proto == IPPROTO_TCP {
                    let mut s = String::from("tcp_flags=");
                    tcp_flags(&mut s, f.tcp_flags);
                    parts.push(s);
                }
            }
            IPPROTO_ICMP if is_ip4 => {
                parts.push(format!("icmp_type={}", f.tp_src));
                parts.push(format!("icmp_code={}", f.tp_dst));
            }
            // ICMP in IPv6 and ICMPv6 in IPv4 are extracted but not named.
            IPPROTO_ICMP | IPPROTO_ICMPV6 if !(is_ip6 && f.nw_proto == IPPROTO_ICMPV6) => {
                parts.push(format!("tp_src={}", f.tp_src));
                parts.push(format!("tp_dst={}", f.tp_dst));
            }
            IPPROTO_ICMPV6 => {
                parts.push(format!("icmp_type={}", f.tp_src));
                parts.push(format!("icmp_code={}", f.tp_dst));
                if matches!(f.tp_src, 135 | 136) && f.tp_dst == 0 {
                    parts.push(format!("nd_target={}", ipv6(&f.nd_target)));
                    parts.push(format!("nd_sll={}", mac(&f.nd_sll)));
                    parts.push(format!("nd_tll={}", mac(&f.nd_tll)));
                }
            }
            _ => {}
        }
    }
    out.push_str(&parts.join(","));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_text() {
        let mut a = [0u8; 16];
        assert_eq!(ipv6(&a), "::");
        a[15] = 1;
        assert_eq!(ipv6(&a), "::1");
        a[12..].copy_from_slice(&[1, 2, 3, 4]);
        assert_eq!(ipv6(&a), "::1.2.3.4");
        a[10] = 0xff;
        a[11] = 0xff;
        assert_eq!(ipv6(&a), "::ffff:1.2.3.4");
        let b = [0x20, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2];
        assert_eq!(ipv6(&b), "2001:0:0:1::2");
        let c = [0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        assert_eq!(ipv6(&c), "fe80::");
    }

    #[test]
    fn short_frames_are_zero() {
        assert_eq!(
            packet_summary(&[1, 2, 3]),
            "vlan_tci=0x0000,dl_src=00:00:00:00:00:00,dl_dst=00:00:00:00:00:00,dl_type=0x0000"
        );
    }
}
