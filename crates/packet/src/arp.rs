//! ARP/RARP for Ethernet and IPv4: the checked view flow extraction uses
//! and the field offsets rewrites use.

use crate::bytes::{arr, be16};

pub const ARP_ETH_LEN: usize = 28;
pub const OP: usize = 6;
pub const SHA: usize = 8;
pub const SPA: usize = 14;
pub const THA: usize = 18;
pub const TPA: usize = 24;

/// An ARP packet for Ethernet addresses and IPv4 protocol addresses
/// (hardware type 1, protocol 0x0800, lengths 6 and 4).
#[derive(Clone, Copy, Debug)]
pub struct Arp<'a> {
    hdr: &'a [u8; ARP_ETH_LEN],
}

impl<'a> Arp<'a> {
    pub fn new_checked(d: &'a [u8]) -> Option<Arp<'a>> {
        let hdr: &[u8; ARP_ETH_LEN] = d.get(..ARP_ETH_LEN)?.try_into().ok()?;
        let ok =
            be16(hdr, 0) == Some(1) && be16(hdr, 2) == Some(0x0800) && hdr[4] == 6 && hdr[5] == 4;
        ok.then_some(Arp { hdr })
    }
    pub fn op(&self) -> u16 {
        u16::from_be_bytes([self.hdr[OP], self.hdr[OP + 1]])
    }
    pub fn sha(&self) -> [u8; 6] {
        arr(self.hdr, SHA).unwrap_or_default()
    }
    pub fn spa(&self) -> [u8; 4] {
        arr(self.hdr, SPA).unwrap_or_default()
    }
    pub fn tha(&self) -> [u8; 6] {
        arr(self.hdr, THA).unwrap_or_default()
    }
    pub fn tpa(&self) -> [u8; 4] {
        arr(self.hdr, TPA).unwrap_or_default()
    }
}
