//! Ethernet II and 802.3 (LLC/SNAP) framing: header layout and how the
//! Ethertype of a frame is determined.

use crate::bytes::{arr, be16};

pub const ETH_ADDR_LEN: usize = 6;
pub const ETH_HEADER_LEN: usize = 14;
/// Values below this in the type/length field are 802.3 lengths.
pub const ETH_TYPE_MIN: u16 = 0x0600;
/// The flow Ethertype of an 802.3 frame without a SNAP Ethertype.
pub const DL_TYPE_NONE: u16 = 0x05ff;

pub const ETH_TYPE_IP: u16 = 0x0800;
pub const ETH_TYPE_ARP: u16 = 0x0806;
pub const ETH_TYPE_RARP: u16 = 0x8035;
pub const ETH_TYPE_VLAN: u16 = 0x8100;
pub const ETH_TYPE_VLAN_8021AD: u16 = 0x88a8;
pub const ETH_TYPE_IPV6: u16 = 0x86dd;
pub const ETH_TYPE_MPLS: u16 = 0x8847;
pub const ETH_TYPE_MPLS_MCAST: u16 = 0x8848;
pub const ETH_TYPE_NSH: u16 = 0x894f;

/// Offset of the destination, source and type fields.
pub const DST: usize = 0;
pub const SRC: usize = 6;
pub const TYPE: usize = 12;

/// LLC header with SNAP: DSAP 0xaa, SSAP 0xaa, control 0x03, OUI, type.
const LLC_SNAP_LEN: usize = 8;
const LLC_SNAP_PREFIX: [u8; 6] = [0xaa, 0xaa, 0x03, 0, 0, 0];

/// The flow Ethertype of the type/length field at `off`, and the offset of
/// the header after it. 802.3 frames with an LLC/SNAP header (OUI 0) carry
/// their Ethertype in the SNAP header; other 802.3 frames are
/// [`DL_TYPE_NONE`]. The caller has checked the field itself is present.
pub fn parse_ethertype(d: &[u8], off: usize) -> (u16, usize) {
    let t = be16(d, off).unwrap_or(0);
    let next = off + 2;
    if t >= ETH_TYPE_MIN {
        return (t, next);
    }
    match arr::<LLC_SNAP_LEN>(d, next) {
        Some(llc) if llc[..6] == LLC_SNAP_PREFIX => {
            let snap_type = u16::from_be_bytes([llc[6], llc[7]]);
            if snap_type >= ETH_TYPE_MIN {
                (snap_type, next + LLC_SNAP_LEN)
            } else {
                (DL_TYPE_NONE, next + LLC_SNAP_LEN)
            }
        }
        _ => (DL_TYPE_NONE, next),
    }
}
