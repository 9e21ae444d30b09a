//! The virtio-net header (`struct virtio_net_hdr`, 10 bytes) that AF_PACKET
//! sockets with PACKET_VNET_HDR and TAP devices with IFF_VNET_HDR put in front of
//! every frame, mapped to and from `packet::Offload`: whether the L4 checksum is
//! still to be completed (CHECKSUM_PARTIAL) and whether the frame is a GSO
//! super-packet. Carrying it lets large TCP segments and partial checksums cross
//! the switch untouched.

use packet::Offload;

pub use packet::offload::VNET_HDR_LEN;

/// The header for a received frame as `Buffer.offload`: None for a complete
/// frame (no checksum to finish, no segmentation), so plain traffic carries no
/// offload state through the datapath.
pub fn from_vnet(h: &[u8; VNET_HDR_LEN]) -> Option<Offload> {
    let o = Offload::from_vnet_hdr(h)?;
    (o.needs_csum || o.is_gso()).then_some(o)
}

/// The header to send in front of a frame; all zero for a complete frame.
pub fn to_vnet(o: Option<&Offload>) -> [u8; VNET_HDR_LEN] {
    match o {
        Some(o) => o.to_vnet_hdr(),
        None => [0; VNET_HDR_LEN],
    }
}

/// Accounts for `n` bytes inserted in front of the L3 header (a VLAN tag put
/// back): checksum start and header length move with the headers.
pub fn shift(o: &mut Offload, n: u16) {
    if o.needs_csum {
        o.csum_start = o.csum_start.saturating_add(n);
    }
    if o.hdr_len != 0 {
        o.hdr_len = o.hdr_len.saturating_add(n);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use packet::offload::GSO_TCPV4;

    #[test]
    fn plain_frames_carry_no_offload() {
        assert_eq!(from_vnet(&[0; VNET_HDR_LEN]), None);
        // DATA_VALID alone is only a hint.
        assert_eq!(from_vnet(&[2, 0, 0, 0, 0, 0, 0, 0, 0, 0]), None);
        assert_eq!(to_vnet(None), [0; VNET_HDR_LEN]);
    }

    #[test]
    fn gso_round_trip_and_shift() {
        let mut h = [0u8; VNET_HDR_LEN];
        h[0] = 1;
        h[1] = GSO_TCPV4;
        h[2..4].copy_from_slice(&66u16.to_ne_bytes());
        h[4..6].copy_from_slice(&1448u16.to_ne_bytes());
        h[6..8].copy_from_slice(&34u16.to_ne_bytes());
        h[8..10].copy_from_slice(&16u16.to_ne_bytes());
        let mut o = from_vnet(&h).expect("offload");
        assert!(o.needs_csum && o.is_gso());
        assert_eq!(
            (o.csum_start, o.csum_offset, o.gso_size, o.hdr_len),
            (34, 16, 1448, 66)
        );
        assert_eq!(to_vnet(Some(&o)), h);
        shift(&mut o, 4);
        assert_eq!((o.csum_start, o.hdr_len, o.csum_offset), (38, 70, 16));
    }
}
