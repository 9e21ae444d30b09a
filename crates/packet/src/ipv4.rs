//! IPv4 headers: a checked view (header length and total length validated
//! once, the way the reference's flow extraction accepts a header) and
//! fragment flags.

use crate::bytes::{arr, be16};

pub const IPV4_HEADER_LEN: usize = 20;
/// Offsets of the fields rewrites touch.
pub const TOS: usize = 1;
pub const TOT_LEN: usize = 2;
pub const IDENT: usize = 4;
pub const FRAG_OFF: usize = 6;
pub const TTL: usize = 8;
pub const PROTO: usize = 9;
pub const CSUM: usize = 10;
pub const SRC: usize = 12;
pub const DST: usize = 16;

pub const IP_MF: u16 = 0x2000;
const IP_FRAG_OFF_MASK: u16 = 0x1fff;

/// The key's NW_FRAG bits.
pub const FRAG_ANY: u8 = 1;
pub const FRAG_LATER: u8 = 2;

/// A validated IPv4 header: at least 20 bytes, header length at least 20
/// and within the data, total length at least the header length and within
/// the data. Accessors read inside the first 20 bytes only.
#[derive(Clone, Copy, Debug)]
pub struct Ipv4<'a> {
    hdr: &'a [u8; IPV4_HEADER_LEN],
    header_len: usize,
    total_len: usize,
}

impl<'a> Ipv4<'a> {
    /// `d` starts at the IPv4 header and runs to the end of the frame.
    pub fn new_checked(d: &'a [u8]) -> Option<Ipv4<'a>> {
        let hdr: &[u8; IPV4_HEADER_LEN] = d.get(..IPV4_HEADER_LEN)?.try_into().ok()?;
        let header_len = usize::from(hdr[0] & 0x0f) * 4;
        let total_len = usize::from(be16(d, TOT_LEN)?);
        if header_len < IPV4_HEADER_LEN || header_len > d.len() {
            return None;
        }
        if total_len > d.len() || header_len > total_len {
            return None;
        }
        Some(Ipv4 {
            hdr,
            header_len,
            total_len,
        })
    }

    pub fn header_len(&self) -> usize {
        self.header_len
    }
    pub fn total_len(&self) -> usize {
        self.total_len
    }
    pub fn tos(&self) -> u8 {
        self.hdr[TOS]
    }
    pub fn ttl(&self) -> u8 {
        self.hdr[TTL]
    }
    pub fn proto(&self) -> u8 {
        self.hdr[PROTO]
    }
    pub fn src(&self) -> [u8; 4] {
        arr(self.hdr, SRC).unwrap_or_default()
    }
    pub fn dst(&self) -> [u8; 4] {
        arr(self.hdr, DST).unwrap_or_default()
    }
    /// NW_FRAG bits: any fragment (MF or an offset), later fragment (offset).
    pub fn frag(&self) -> u8 {
        let f = u16::from_be_bytes([self.hdr[FRAG_OFF], self.hdr[FRAG_OFF + 1]]);
        let mut bits = 0;
        if f & (IP_MF | IP_FRAG_OFF_MASK) != 0 {
            bits |= FRAG_ANY;
            if f & IP_FRAG_OFF_MASK != 0 {
                bits |= FRAG_LATER;
            }
        }
        bits
    }
}
