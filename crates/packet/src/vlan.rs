//! 802.1Q / 802.1ad VLAN tags: recognising TPIDs and pushing or popping
//! the outermost tag (which the flow key's VLAN_TCI describes).

use crate::buffer::Buffer;
use crate::bytes::{be16, put16};
use crate::eth::{ETH_TYPE_VLAN, ETH_TYPE_VLAN_8021AD, TYPE};
use crate::offload::shift_csum_start;

pub const VLAN_HEADER_LEN: usize = 4;
/// The CFI bit, which the flow key uses as "a tag is present".
pub const VLAN_CFI: u16 = 0x1000;
pub const VLAN_VID_MASK: u16 = 0x0fff;
pub const VLAN_PCP_MASK: u16 = 0xe000;

/// Whether `t` is a VLAN TPID the switch parses (802.1Q or 802.1ad).
pub fn is_tpid(t: u16) -> bool {
    t == ETH_TYPE_VLAN || t == ETH_TYPE_VLAN_8021AD
}

/// Inserts a tag `tpid`/`tci` right after the MAC addresses. The TCI is
/// written as given except for the CFI bit, which is cleared on the wire
/// (the key uses it to mean "present"). Frames shorter than the MAC
/// addresses are left alone.
pub fn push_vlan(buf: &mut Buffer, tpid: u16, tci: u16) {
    if buf.len() < TYPE {
        return;
    }
    let tag = buf.insert_gap(TYPE, VLAN_HEADER_LEN);
    tag[..2].copy_from_slice(&tpid.to_be_bytes());
    tag[2..].copy_from_slice(&(tci & !VLAN_CFI).to_be_bytes());
    shift_csum_start(buf, VLAN_HEADER_LEN as isize);
}

/// Removes the outermost tag, if the frame has one (and is long enough to
/// hold it and the Ethertype after it).
pub fn pop_vlan(buf: &mut Buffer) {
    let d = buf.data();
    let tagged = be16(d, TYPE).is_some_and(is_tpid) && d.len() >= TYPE + VLAN_HEADER_LEN + 2;
    if tagged && buf.remove_gap(TYPE, VLAN_HEADER_LEN) {
        shift_csum_start(buf, -(VLAN_HEADER_LEN as isize));
    }
}

/// Rewrites the outermost tag's TCI (CFI cleared on the wire); false if
/// the frame has no tag.
pub fn set_tci(buf: &mut Buffer, tci: u16) -> bool {
    let d = buf.data_mut();
    if !be16(d, TYPE).is_some_and(is_tpid) {
        return false;
    }
    put16(d, TYPE + 2, tci & !VLAN_CFI)
}
