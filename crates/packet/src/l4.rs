//! Transport headers: TCP, UDP, SCTP, ICMPv4, ICMPv6 and IPv6 Neighbor
//! Discovery (target address and link-layer address options), with the
//! offsets rewrites and checksum code use.

use crate::bytes::{arr, u8_at};

pub const IPPROTO_ICMP: u8 = 1;
pub const IPPROTO_IGMP: u8 = 2;
pub const IPPROTO_TCP: u8 = 6;
pub const IPPROTO_UDP: u8 = 17;
pub const IPPROTO_ICMPV6: u8 = 58;
pub const IPPROTO_SCTP: u8 = 132;

pub const TCP_HEADER_LEN: usize = 20;
pub const UDP_HEADER_LEN: usize = 8;
pub const SCTP_HEADER_LEN: usize = 12;
pub const ICMP_HEADER_LEN: usize = 8;
pub const IGMP_HEADER_LEN: usize = 8;
/// ICMPv6 type, code, checksum and the 32-bit data word.
pub const ICMPV6_HEADER_LEN: usize = 8;

pub const TCP_CSUM: usize = 16;
pub const TCP_CTL: usize = 12;
pub const UDP_LEN: usize = 4;
pub const UDP_CSUM: usize = 6;
pub const SCTP_CSUM: usize = 8;
pub const ICMP_CSUM: usize = 2;

/// The TCP flags the key holds (12 bits including NS).
pub const TCP_FLAGS_MASK: u16 = 0x0fff;

pub const ND_NEIGHBOR_SOLICIT: u8 = 135;
pub const ND_NEIGHBOR_ADVERT: u8 = 136;
pub const ND_OPT_SOURCE_LINKADDR: u8 = 1;
pub const ND_OPT_TARGET_LINKADDR: u8 = 2;
/// Offsets in an NS/NA message.
pub const ND_RESERVED: usize = 4;
pub const ND_TARGET: usize = 8;
pub const ND_OPTIONS: usize = 24;

/// The checksum field offset of `proto`'s header, if it has one that
/// covers the packet (SCTP's CRC is handled separately).
pub fn csum_offset(proto: u8) -> Option<usize> {
    match proto {
        IPPROTO_TCP => Some(TCP_CSUM),
        IPPROTO_UDP => Some(UDP_CSUM),
        IPPROTO_ICMP | IPPROTO_ICMPV6 => Some(ICMP_CSUM),
        _ => None,
    }
}

/// What an NS/NA message contributes to the flow.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Nd {
    pub target: [u8; 16],
    pub sll: [u8; 6],
    pub tll: [u8; 6],
    /// The 32-bit word after the checksum (R/S/O flags in an NA).
    pub reserved: u32,
    /// The type of the first link-layer address option (1 or 2), or 0.
    pub options_type: u8,
}

/// Parses a Neighbor Solicitation or Advertisement (code 0) starting at
/// the ICMPv6 header `d` (at least [`ICMPV6_HEADER_LEN`] bytes); None if it
/// is not one. As in the reference: a target cut short leaves target and
/// addresses zero; an option of length zero or running past the end stops
/// the option walk keeping what was found; a second non-zero source (or
/// target) link-layer address makes the message invalid, zeroing target
/// and addresses. Link-layer options count only with length 1 (8 bytes).
pub fn parse_nd(d: &[u8]) -> Option<Nd> {
    let ty = u8_at(d, 0)?;
    if u8_at(d, 1)? != 0 || (ty != ND_NEIGHBOR_SOLICIT && ty != ND_NEIGHBOR_ADVERT) {
        return None;
    }
    let mut nd = Nd {
        reserved: u32::from_be_bytes(arr(d, ND_RESERVED)?),
        ..Nd::default()
    };
    let Some(target) = arr(d, ND_TARGET) else {
        return Some(nd);
    };
    nd.target = target;
    let mut off = ND_OPTIONS;
    while d.len().saturating_sub(off) >= 8 {
        let opt_type = u8_at(d, off).unwrap_or(0);
        let opt_len = usize::from(u8_at(d, off + 1).unwrap_or(0)) * 8;
        if opt_len == 0 || opt_len > d.len() - off {
            break;
        }
        let lla: Option<[u8; 6]> = if opt_len == 8 { arr(d, off + 2) } else { None };
        let slot = match (opt_type, lla) {
            (ND_OPT_SOURCE_LINKADDR, Some(mac)) => Some((&mut nd.sll, mac)),
            (ND_OPT_TARGET_LINKADDR, Some(mac)) => Some((&mut nd.tll, mac)),
            _ => None,
        };
        if let Some((addr, mac)) = slot {
            if *addr != [0; 6] {
                nd.target = [0; 16];
                nd.sll = [0; 6];
                nd.tll = [0; 6];
                break;
            }
            *addr = mac;
            if nd.options_type == 0 {
                nd.options_type = opt_type;
            }
        }
        off += opt_len;
    }
    Some(nd)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TGT: [u8; 16] = [0xa0; 16];

    fn ns(opts: &[u8]) -> Vec<u8> {
        [&[ND_NEIGHBOR_SOLICIT, 0, 0, 0, 0, 0, 0, 5][..], &TGT, opts].concat()
    }

    // Expectations below were observed from the reference's ofproto/trace.
    #[test]
    fn nd_options() {
        let sll = [1, 1, 1, 2, 3, 4, 5, 6];
        let nd = parse_nd(&ns(&sll)).unwrap();
        assert_eq!(
            (nd.target, nd.sll, nd.reserved, nd.options_type),
            (TGT, [1, 2, 3, 4, 5, 6], 5, 1)
        );
        // A second source address invalidates target and addresses.
        let nd = parse_nd(&ns(&[sll, sll].concat())).unwrap();
        assert_eq!(
            (nd.target, nd.sll, nd.reserved, nd.options_type),
            ([0; 16], [0; 6], 5, 1)
        );
        // A zero-length option stops the walk, keeping what was found.
        let nd = parse_nd(&ns(&[sll, [2, 0, 9, 9, 9, 9, 9, 9]].concat())).unwrap();
        assert_eq!((nd.sll, nd.tll), ([1, 2, 3, 4, 5, 6], [0; 6]));
        // Link-layer options count only with length 1.
        let nd = parse_nd(&ns(&[[1, 2, 1, 2, 3, 4, 5, 6], [0; 8]].concat())).unwrap();
        assert_eq!((nd.sll, nd.options_type), ([0; 6], 0));
        // Target cut short: reserved word only.
        let nd = parse_nd(&ns(&[])[..20]).unwrap();
        assert_eq!((nd.target, nd.reserved), ([0; 16], 5));
        // Not NS/NA, or code != 0: no ND fields.
        assert_eq!(parse_nd(&[128, 0, 0, 0, 0, 0, 0, 0]), None);
        assert_eq!(parse_nd(&[ND_NEIGHBOR_ADVERT, 1, 0, 0, 0, 0, 0, 0]), None);
    }
}
