//! IPv6 headers: a checked view of the fixed header and the walk over
//! extension headers (hop-by-hop, routing, destination options, AH,
//! fragment) to the upper-layer protocol, as flow extraction needs it.

use crate::bytes::{arr, be16, u8_at};
use crate::ipv4::{FRAG_ANY, FRAG_LATER};

pub const IPV6_HEADER_LEN: usize = 40;
pub const VTC_FLOW: usize = 0;
pub const PLEN: usize = 4;
pub const NEXT: usize = 6;
pub const HLIM: usize = 7;
pub const SRC: usize = 8;
pub const DST: usize = 24;
pub const LABEL_MASK: u32 = 0x000f_ffff;

pub const IPPROTO_HOPOPTS: u8 = 0;
pub const IPPROTO_ROUTING: u8 = 43;
pub const IPPROTO_FRAGMENT: u8 = 44;
pub const IPPROTO_AH: u8 = 51;
pub const IPPROTO_DSTOPTS: u8 = 60;
pub const IPPROTO_NONE: u8 = 59;

/// A validated IPv6 fixed header whose payload length fits in the data.
#[derive(Clone, Copy, Debug)]
pub struct Ipv6<'a> {
    hdr: &'a [u8; IPV6_HEADER_LEN],
}

impl<'a> Ipv6<'a> {
    pub fn new_checked(d: &'a [u8]) -> Option<Ipv6<'a>> {
        let hdr: &[u8; IPV6_HEADER_LEN] = d.get(..IPV6_HEADER_LEN)?.try_into().ok()?;
        let plen = usize::from(be16(d, PLEN)?);
        if plen > d.len() - IPV6_HEADER_LEN {
            return None;
        }
        Some(Ipv6 { hdr })
    }

    /// Header plus payload length (the frame may have padding after it).
    pub fn total_len(&self) -> usize {
        IPV6_HEADER_LEN + usize::from(u16::from_be_bytes([self.hdr[PLEN], self.hdr[PLEN + 1]]))
    }
    fn vtc_flow(&self) -> u32 {
        u32::from_be_bytes([self.hdr[0], self.hdr[1], self.hdr[2], self.hdr[3]])
    }
    pub fn label(&self) -> u32 {
        self.vtc_flow() & LABEL_MASK
    }
    pub fn tclass(&self) -> u8 {
        (self.vtc_flow() >> 20) as u8
    }
    pub fn hlim(&self) -> u8 {
        self.hdr[HLIM]
    }
    pub fn next_header(&self) -> u8 {
        self.hdr[NEXT]
    }
    pub fn src(&self) -> [u8; 16] {
        arr(self.hdr, SRC).unwrap_or_default()
    }
    pub fn dst(&self) -> [u8; 16] {
        arr(self.hdr, DST).unwrap_or_default()
    }
}

/// Where the extension header walk ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExtWalk {
    /// Upper-layer protocol (or 44 for a later fragment).
    pub proto: u8,
    /// Offset of the upper-layer header.
    pub l4: usize,
    /// NW_FRAG bits.
    pub frag: u8,
}

/// Walks the extension headers starting at `off` with next header `next`,
/// within `d[..end]`. None if an extension header is cut short. A
/// fragment header with offset and M flag both zero is not a fragment; a
/// later fragment stops the walk with protocol 44 (its payload is not the
/// upper-layer header).
pub fn walk_ext_headers(d: &[u8], mut off: usize, mut next: u8, end: usize) -> Option<ExtWalk> {
    let d = d.get(..end)?;
    let mut frag = 0;
    loop {
        let len = match next {
            IPPROTO_HOPOPTS | IPPROTO_ROUTING | IPPROTO_DSTOPTS => {
                // At least 8 bytes must be there before the length is read.
                d.get(off..off.checked_add(8)?)?;
                (usize::from(u8_at(d, off + 1)?) + 1) * 8
            }
            IPPROTO_AH => {
                d.get(off..off.checked_add(8)?)?;
                (usize::from(u8_at(d, off + 1)?) + 2) * 4
            }
            IPPROTO_FRAGMENT => {
                d.get(off..off.checked_add(8)?)?;
                let offlg = be16(d, off + 2)?;
                let nxt = u8_at(d, off)?;
                if offlg != 0 {
                    frag = FRAG_ANY;
                    if offlg & 0xfff8 != 0 {
                        return Some(ExtWalk {
                            proto: IPPROTO_FRAGMENT,
                            l4: off + 8,
                            frag: FRAG_ANY | FRAG_LATER,
                        });
                    }
                }
                next = nxt;
                off += 8;
                continue;
            }
            _ => {
                return Some(ExtWalk {
                    proto: next,
                    l4: off,
                    frag,
                })
            }
        };
        next = u8_at(d, off)?;
        off = off.checked_add(len)?;
        if off > d.len() {
            return None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extension_header_walk() {
        // Hop-by-hop (8 bytes) then destination options (8) then UDP.
        let d = [[60, 0, 1, 4, 0, 0, 0, 0], [17, 0, 1, 4, 0, 0, 0, 0], [0; 8]].concat();
        let w = walk_ext_headers(&d, 0, IPPROTO_HOPOPTS, d.len()).unwrap();
        assert_eq!((w.proto, w.l4, w.frag), (17, 16, 0));
        // First fragment: protocol from the fragment header.
        let d = [[6, 0, 0, 1, 0, 0, 0, 1], [0; 8]].concat();
        let w = walk_ext_headers(&d, 0, IPPROTO_FRAGMENT, d.len()).unwrap();
        assert_eq!((w.proto, w.l4, w.frag), (6, 8, FRAG_ANY));
        // Atomic fragment (offset 0, no M flag): not a fragment.
        let d = [[6, 0, 0, 0, 0, 0, 0, 1], [0; 8]].concat();
        assert_eq!(
            walk_ext_headers(&d, 0, IPPROTO_FRAGMENT, d.len())
                .unwrap()
                .frag,
            0
        );
        // Later fragment stops with protocol 44.
        let d = [[6, 0, 0, 0x80, 0, 0, 0, 1], [0; 8]].concat();
        let w = walk_ext_headers(&d, 0, IPPROTO_FRAGMENT, d.len()).unwrap();
        assert_eq!((w.proto, w.frag), (IPPROTO_FRAGMENT, FRAG_ANY | FRAG_LATER));
        // AH length counts 4-byte units plus 2.
        let d = [[17, 1, 0, 0, 0, 0, 0, 0], [0; 8]].concat();
        assert_eq!(walk_ext_headers(&d, 0, IPPROTO_AH, d.len()).unwrap().l4, 12);
        // Cut short.
        assert!(walk_ext_headers(&[17, 0, 0, 0], 0, IPPROTO_HOPOPTS, 4).is_none());
        assert!(walk_ext_headers(&[17, 2, 0, 0, 0, 0, 0, 0], 0, IPPROTO_DSTOPTS, 8).is_none());
    }
}
