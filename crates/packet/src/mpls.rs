//! MPLS label stack entries: pushing, popping and rewriting the top entry
//! (the one the flow key's MPLS_LSE describes).

use crate::buffer::Buffer;
use crate::bytes::{put16, put32};
use crate::extract::layout;
use crate::offload::shift_csum_start;

pub const MPLS_HLEN: usize = 4;
pub const LABEL_SHIFT: u32 = 12;
pub const TC_SHIFT: u32 = 9;
pub const BOS_BIT: u32 = 0x100;

/// Builds a label stack entry from its fields.
pub fn lse(label: u32, tc: u8, bos: bool, ttl: u8) -> u32 {
    ((label & 0xf_ffff) << LABEL_SHIFT)
        | (u32::from(tc & 7) << TC_SHIFT)
        | if bos { BOS_BIT } else { 0 }
        | u32::from(ttl)
}

/// Pushes `lse` on top of the label stack (or between the L2 header and
/// the L3 header of a packet without one) and sets the frame's Ethertype
/// to `ethertype` (0x8847 or 0x8848). Frames without a full Ethernet
/// header are left alone.
pub fn push_mpls(buf: &mut Buffer, ethertype: u16, lse: u32) {
    let lay = layout(buf.data());
    if lay.l2_len == 0 {
        return;
    }
    let at = lay.l2_5.unwrap_or(lay.l2_len);
    buf.insert_gap(at, MPLS_HLEN)
        .copy_from_slice(&lse.to_be_bytes());
    put16(buf.data_mut(), at - 2, ethertype);
    shift_csum_start(buf, MPLS_HLEN as isize);
}

/// Pops the top label stack entry and sets the frame's Ethertype to
/// `ethertype` (the payload's type once the stack is empty). Packets
/// without a complete entry are left alone.
pub fn pop_mpls(buf: &mut Buffer, ethertype: u16) {
    let lay = layout(buf.data());
    let Some(at) = lay.l2_5 else { return };
    if buf.len() < at + MPLS_HLEN {
        return;
    }
    put16(buf.data_mut(), at - 2, ethertype);
    if buf.remove_gap(at, MPLS_HLEN) {
        shift_csum_start(buf, -(MPLS_HLEN as isize));
    }
}

/// Rewrites the top label stack entry; false if there is none.
pub fn set_mpls_lse(buf: &mut Buffer, lse: u32) -> bool {
    let lay = layout(buf.data());
    match lay.l2_5 {
        Some(at) => put32(buf.data_mut(), at, lse),
        None => false,
    }
}
