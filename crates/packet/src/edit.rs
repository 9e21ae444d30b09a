//! A rewrite session on one frame: its layout is computed once, then
//! each write to an IPv4/IPv6/transport/ARP field keeps the IPv4 header
//! checksum and the transport checksum valid by incremental update (RFC
//! 1624), keeps a CHECKSUM_PARTIAL packet's stored pseudo-header sum right,
//! keeps a zero UDP checksum zero, and recomputes SCTP's CRC32c once at the
//! end. Nothing here allocates.

use crate::buffer::Buffer;
use crate::bytes::{be16, put, put16};
use crate::checksum::{crc32c, update_bytes, update_partial_bytes};
use crate::extract::{layout, Layout};
use crate::ipv4;
use crate::l4::{self, *};

/// Old and new contents of the 16-bit words (aligned to the frame start,
/// which is how every checksummed region here is aligned) that one write
/// touched.
struct Delta {
    old: [u8; 18],
    new: [u8; 18],
    n: usize,
}

impl Delta {
    fn before(&self) -> &[u8] {
        &self.old[..self.n]
    }
    fn after(&self) -> &[u8] {
        &self.new[..self.n]
    }
}

/// Writes `v` (at most 16 bytes) at `off`; None (nothing written) if it
/// does not fit in `d`.
fn write(d: &mut [u8], off: usize, v: &[u8]) -> Option<Delta> {
    let end = off.checked_add(v.len())?;
    if end > d.len() || v.len() > 16 {
        return None;
    }
    let a = off & !1;
    let b = ((end + 1) & !1).min(d.len());
    let mut delta = Delta {
        old: [0; 18],
        new: [0; 18],
        n: b - a,
    };
    delta.old[..b - a].copy_from_slice(&d[a..b]);
    d[off..end].copy_from_slice(v);
    delta.new[..b - a].copy_from_slice(&d[a..b]);
    Some(delta)
}

/// A rewrite in progress on one frame: its layout and the offset of a
/// CHECKSUM_PARTIAL field, if any.
pub(crate) struct Ctx<'a> {
    pub(crate) d: &'a mut [u8],
    pub(crate) lay: Layout,
    partial: Option<usize>,
    /// SCTP's CRC is recomputed once after all writes.
    sctp_dirty: bool,
}

impl<'a> Ctx<'a> {
    pub(crate) fn new(buf: &'a mut Buffer) -> Ctx<'a> {
        let lay = layout(buf.data());
        let partial = buf.offload.and_then(|o| o.csum_field());
        Ctx {
            d: buf.data_mut(),
            lay,
            partial,
            sctp_dirty: false,
        }
    }

    /// The transport checksum field, if the packet has a complete
    /// transport header with one.
    fn l4_csum_field(&self) -> Option<usize> {
        let l4 = self.lay.l4?;
        let (min, field) = match self.lay.nw_proto {
            IPPROTO_TCP => (TCP_HEADER_LEN, TCP_CSUM),
            IPPROTO_UDP => (UDP_HEADER_LEN, UDP_CSUM),
            IPPROTO_ICMP => (ICMP_HEADER_LEN, l4::ICMP_CSUM),
            IPPROTO_ICMPV6 => (ICMPV6_HEADER_LEN, l4::ICMP_CSUM),
            _ => return None,
        };
        (l4 + min <= self.lay.l3_end).then_some(l4 + field)
    }

    /// Updates the transport checksum for `delta`. `pseudo` says the bytes
    /// are part of the pseudo-header (addresses), which ICMPv4 does not
    /// have and which a partial checksum stores.
    fn fix_l4(&mut self, delta: &Delta, pseudo: bool) {
        if self.lay.nw_proto == IPPROTO_SCTP {
            self.sctp_dirty |= !pseudo;
            return;
        }
        let Some(field) = self.l4_csum_field() else {
            return;
        };
        if pseudo && self.lay.nw_proto == IPPROTO_ICMP {
            return;
        }
        let Some(c) = be16(self.d, field) else { return };
        let c = if self.partial == Some(field) {
            // The device sums the transport bytes itself; only the stored
            // pseudo-header sum follows address changes.
            if !pseudo {
                return;
            }
            update_partial_bytes(c, delta.before(), delta.after())
        } else {
            let udp = self.lay.nw_proto == IPPROTO_UDP;
            if udp && c == 0 {
                // No checksum; it stays that way.
                return;
            }
            let c = update_bytes(c, delta.before(), delta.after());
            if udp && c == 0 {
                0xffff
            } else if c == 0 && self.lay.nw_proto == IPPROTO_ICMP {
                // The incremental form yields 0 (a "-0" sum) where an
                // all-zero message needs 0xffff; only ICMPv4 has no
                // pseudo-header and can be all zero, so recompute it.
                self.icmp4_full_checksum(field).unwrap_or(c)
            } else {
                c
            }
        };
        put16(self.d, field, c);
    }

    /// The ICMPv4 checksum computed over the whole message (unfragmented
    /// packets only: a fragment does not hold the whole message).
    fn icmp4_full_checksum(&mut self, field: usize) -> Option<u16> {
        let l4 = self.lay.l4?;
        if self.lay.nw_frag != 0 {
            return None;
        }
        put16(self.d, field, 0);
        Some(crate::checksum::checksum(self.d.get(l4..self.lay.l3_end)?))
    }

    /// Writes into the IPv4 header at `ofs` (relative to it), fixing its
    /// checksum, and the transport checksum if `pseudo`.
    pub(crate) fn ipv4(&mut self, ofs: usize, v: &[u8], pseudo: bool) {
        let Some(l3) = self.lay.l3.filter(|_| self.lay.is_ipv4()) else {
            return;
        };
        let Some(delta) = write(self.d, l3 + ofs, v) else {
            return;
        };
        if let Some(c) = be16(self.d, l3 + ipv4::CSUM) {
            put16(
                self.d,
                l3 + ipv4::CSUM,
                update_bytes(c, delta.before(), delta.after()),
            );
        }
        if pseudo {
            self.fix_l4(&delta, true);
        }
    }

    /// Writes into the IPv6 fixed header at `ofs`.
    pub(crate) fn ipv6(&mut self, ofs: usize, v: &[u8], pseudo: bool) {
        let Some(l3) = self.lay.l3.filter(|_| self.lay.is_ipv6()) else {
            return;
        };
        if let Some(delta) = write(self.d, l3 + ofs, v) {
            if pseudo {
                self.fix_l4(&delta, true);
            }
        }
    }

    /// Writes into the transport header at `ofs`, fixing its checksum.
    pub(crate) fn l4(&mut self, ofs: usize, v: &[u8]) {
        let Some(l4) = self.lay.l4 else { return };
        if l4 + ofs + v.len() > self.lay.l3_end {
            return;
        }
        if let Some(delta) = write(self.d, l4 + ofs, v) {
            self.fix_l4(&delta, false);
        }
    }

    /// Whether the transport header of `proto` is complete.
    pub(crate) fn has_l4(&self, min: usize) -> bool {
        self.lay.l4.is_some_and(|l4| l4 + min <= self.lay.l3_end)
    }

    pub(crate) fn set_ports(&mut self, src: Option<[u8; 2]>, dst: Option<[u8; 2]>) {
        let min = match self.lay.nw_proto {
            IPPROTO_TCP => TCP_HEADER_LEN,
            IPPROTO_UDP => UDP_HEADER_LEN,
            IPPROTO_SCTP => SCTP_HEADER_LEN,
            _ => return,
        };
        if !self.has_l4(min) {
            return;
        }
        if let Some(p) = src {
            self.l4(0, &p);
        }
        if let Some(p) = dst {
            self.l4(2, &p);
        }
    }

    pub(crate) fn set_icmp(&mut self, ty: Option<u8>, code: Option<u8>) {
        let min = match self.lay.nw_proto {
            IPPROTO_ICMP => ICMP_HEADER_LEN,
            IPPROTO_ICMPV6 => ICMPV6_HEADER_LEN,
            _ => return,
        };
        if !self.has_l4(min) {
            return;
        }
        if let Some(t) = ty {
            self.l4(0, &[t]);
        }
        if let Some(c) = code {
            self.l4(1, &[c]);
        }
    }

    pub(crate) fn is_nd(&self) -> bool {
        self.lay.nw_proto == IPPROTO_ICMPV6
            && self.has_l4(ND_OPTIONS)
            && self.lay.l4.is_some_and(|l4| {
                let t = self.d.get(l4).copied();
                t == Some(ND_NEIGHBOR_SOLICIT) || t == Some(ND_NEIGHBOR_ADVERT)
            })
    }

    /// Offset (from the ICMPv6 header) of the first link-layer address
    /// option of type `opt` in an NS/NA message.
    pub(crate) fn nd_option(&self, opt: u8) -> Option<usize> {
        let l4 = self.lay.l4?;
        let msg = self.d.get(l4..self.lay.l3_end)?;
        let mut off = ND_OPTIONS;
        while msg.len().saturating_sub(off) >= 8 {
            let len = usize::from(*msg.get(off + 1)?) * 8;
            if len == 0 {
                return None;
            }
            if msg.get(off) == Some(&opt) && len == 8 {
                return Some(off);
            }
            off += len;
        }
        None
    }

    pub(crate) fn arp(&mut self, ofs: usize, v: &[u8]) {
        if let Some(l3) = self.lay.l3.filter(|_| self.lay.is_arp()) {
            put(self.d, l3 + ofs, v);
        }
    }

    pub(crate) fn finish(self) {
        if !self.sctp_dirty {
            return;
        }
        let (Some(l4), end) = (self.lay.l4, self.lay.l3_end) else {
            return;
        };
        if l4 + SCTP_HEADER_LEN > end || end > self.d.len() {
            return;
        }
        put(self.d, l4 + SCTP_CSUM, &[0; 4]);
        let crc = crc32c(&self.d[l4..end]);
        put(self.d, l4 + SCTP_CSUM, &crc.to_le_bytes());
    }
}
