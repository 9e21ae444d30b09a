//! Offload metadata (the virtio-net header facts a packet socket with
//! PACKET_VNET_HDR gives and takes: partial checksum, GSO) and
//! [`resolve_offload`], which finishes in software what a device would
//! have done: the partial checksum, and TCP/UDP segmentation.

use crate::buffer::Buffer;
use crate::bytes::{be16, be32, put16, put32};
use crate::checksum;
use crate::extract::layout;
use crate::ipv4;
use crate::ipv6;
use crate::l4::{IPPROTO_TCP, IPPROTO_UDP, TCP_CSUM, TCP_CTL, UDP_CSUM, UDP_LEN};

/// virtio-net header flags.
pub const VNET_HDR_F_NEEDS_CSUM: u8 = 1;
pub const VNET_HDR_F_DATA_VALID: u8 = 2;
/// virtio-net GSO types.
pub const GSO_NONE: u8 = 0;
pub const GSO_TCPV4: u8 = 1;
pub const GSO_UDP: u8 = 3;
pub const GSO_TCPV6: u8 = 4;
pub const GSO_UDP_L4: u8 = 5;
pub const GSO_ECN: u8 = 0x80;
/// Size of `struct virtio_net_hdr`.
pub const VNET_HDR_LEN: usize = 10;

/// What the device (or the kernel) still has to do to the packet, or has
/// already verified.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Offload {
    /// CHECKSUM_PARTIAL: the field at `csum_start + csum_offset` holds the
    /// folded pseudo-header sum; the ones' complement of the sum from
    /// `csum_start` to the end still has to be stored there.
    pub needs_csum: bool,
    /// The checksums were verified (CHECKSUM_UNNECESSARY).
    pub data_valid: bool,
    pub csum_start: u16,
    pub csum_offset: u16,
    /// One of the `GSO_*` types (possibly with [`GSO_ECN`]).
    pub gso_type: u8,
    /// Segment payload size (MSS) for GSO.
    pub gso_size: u16,
    /// Length of the headers before the GSO payload (a hint).
    pub hdr_len: u16,
}

impl Offload {
    /// Decodes a virtio-net header (host byte order, as packet sockets use
    /// it); None if `h` is shorter than [`VNET_HDR_LEN`].
    pub fn from_vnet_hdr(h: &[u8]) -> Option<Offload> {
        let h: &[u8; VNET_HDR_LEN] = h.get(..VNET_HDR_LEN)?.try_into().ok()?;
        let u16_at = |i: usize| u16::from_ne_bytes([h[i], h[i + 1]]);
        Some(Offload {
            needs_csum: h[0] & VNET_HDR_F_NEEDS_CSUM != 0,
            data_valid: h[0] & VNET_HDR_F_DATA_VALID != 0,
            gso_type: h[1],
            hdr_len: u16_at(2),
            gso_size: u16_at(4),
            csum_start: u16_at(6),
            csum_offset: u16_at(8),
        })
    }

    /// Encodes the virtio-net header for sending.
    pub fn to_vnet_hdr(&self) -> [u8; VNET_HDR_LEN] {
        let mut h = [0u8; VNET_HDR_LEN];
        h[0] = if self.needs_csum {
            VNET_HDR_F_NEEDS_CSUM
        } else {
            0
        } | if self.data_valid {
            VNET_HDR_F_DATA_VALID
        } else {
            0
        };
        h[1] = self.gso_type;
        h[2..4].copy_from_slice(&self.hdr_len.to_ne_bytes());
        h[4..6].copy_from_slice(&self.gso_size.to_ne_bytes());
        h[6..8].copy_from_slice(&self.csum_start.to_ne_bytes());
        h[8..10].copy_from_slice(&self.csum_offset.to_ne_bytes());
        h
    }

    /// Whether the packet is a GSO super-packet that needs segmenting.
    pub fn is_gso(&self) -> bool {
        self.gso_type & !GSO_ECN != GSO_NONE && self.gso_size != 0
    }

    /// The offset of the partial checksum field, if the packet has one.
    pub fn csum_field(&self) -> Option<usize> {
        self.needs_csum
            .then(|| usize::from(self.csum_start) + usize::from(self.csum_offset))
    }
}

/// Moves the checksum start and header length after `delta` bytes were
/// inserted (positive) or removed (negative) in front of the L4 header.
pub(crate) fn shift_csum_start(buf: &mut Buffer, delta: isize) {
    if let Some(o) = buf.offload.as_mut() {
        let shift = |v: u16| (v as isize + delta).clamp(0, u16::MAX as isize) as u16;
        if o.needs_csum {
            o.csum_start = shift(o.csum_start);
        }
        if o.hdr_len != 0 {
            o.hdr_len = shift(o.hdr_len);
        }
    }
}

/// Why offloaded work could not be finished.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OffloadError {
    /// The partial checksum's start or field lies outside the packet.
    BadChecksumOffsets {
        start: usize,
        field: usize,
        len: usize,
    },
    /// A GSO packet whose headers are not the TCP or UDP over IPv4/IPv6
    /// the GSO type announces.
    BadGsoPacket(&'static str),
    /// A GSO type this code does not segment (UFO: IP fragmentation).
    UnsupportedGso(u8),
}

impl std::fmt::Display for OffloadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OffloadError::BadChecksumOffsets { start, field, len } => write!(
                f,
                "partial checksum start {start} / field {field} outside packet of {len} bytes"
            ),
            OffloadError::BadGsoPacket(why) => write!(f, "cannot segment GSO packet: {why}"),
            OffloadError::UnsupportedGso(t) => write!(f, "unsupported GSO type {t}"),
        }
    }
}

impl std::error::Error for OffloadError {}

/// What [`resolve_offload`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resolved {
    /// Nothing to do, or the checksum was completed in place: send `buf`.
    InPlace,
    /// `buf` was segmented into this many packets appended to `out`: send
    /// those instead of `buf`.
    Segmented(usize),
}

/// Finishes offloaded work in software so the packet can go to a port
/// that takes only complete packets. Without GSO the partial checksum is
/// completed in place. A GSO packet is cut into segments of at most
/// `gso_size` payload bytes, each with correct lengths, sequence numbers,
/// flags and checksums, appended to `out`. `buf.offload` is cleared on
/// success.
pub fn resolve_offload(buf: &mut Buffer, out: &mut Vec<Buffer>) -> Result<Resolved, OffloadError> {
    let Some(o) = buf.offload else {
        return Ok(Resolved::InPlace);
    };
    if o.is_gso() {
        let n = segment(buf.data(), &o, out)?;
        buf.offload = None;
        return Ok(Resolved::Segmented(n));
    }
    if o.needs_csum {
        complete_partial(buf.data_mut(), &o)?;
    }
    buf.offload = None;
    Ok(Resolved::InPlace)
}

/// Stores the final checksum of a CHECKSUM_PARTIAL packet.
fn complete_partial(d: &mut [u8], o: &Offload) -> Result<(), OffloadError> {
    let start = usize::from(o.csum_start);
    let field = start + usize::from(o.csum_offset);
    let bad = OffloadError::BadChecksumOffsets {
        start,
        field,
        len: d.len(),
    };
    let covered = d.get(start..).ok_or(bad.clone())?;
    let mut c = !checksum::fold(checksum::sum(covered, 0));
    // A UDP checksum of zero means "none"; the same sum is sent as 0xffff.
    if c == 0 && o.csum_offset as usize == UDP_CSUM {
        c = 0xffff;
    }
    if !put16(d, field, c) {
        return Err(bad);
    }
    Ok(())
}

/// Segments a TCP (or UDP-L4) GSO packet; returns the number of segments.
fn segment(d: &[u8], o: &Offload, out: &mut Vec<Buffer>) -> Result<usize, OffloadError> {
    let gso = o.gso_type & !GSO_ECN;
    let want = match gso {
        GSO_TCPV4 | GSO_TCPV6 => IPPROTO_TCP,
        GSO_UDP_L4 => IPPROTO_UDP,
        other => return Err(OffloadError::UnsupportedGso(other)),
    };
    let lay = layout(d);
    let (Some(l3), Some(l4)) = (lay.l3, lay.l4) else {
        return Err(OffloadError::BadGsoPacket(
            "no IP header or a later fragment",
        ));
    };
    if lay.nw_proto != want {
        return Err(OffloadError::BadGsoPacket(
            "transport protocol does not match GSO type",
        ));
    }
    let l4_hdr = if want == IPPROTO_TCP {
        let off =
            be16(d, l4 + TCP_CTL).ok_or(OffloadError::BadGsoPacket("TCP header cut short"))?;
        let len = usize::from(off >> 12) * 4;
        if len < crate::l4::TCP_HEADER_LEN {
            return Err(OffloadError::BadGsoPacket("TCP data offset below 5 words"));
        }
        len
    } else {
        crate::l4::UDP_HEADER_LEN
    };
    let hdr_end = l4 + l4_hdr;
    let (Some(headers), Some(payload)) = (d.get(..hdr_end), d.get(hdr_end..lay.l3_end)) else {
        return Err(OffloadError::BadGsoPacket("headers run past the IP packet"));
    };
    let mss = usize::from(o.gso_size);
    let seq0 = be32(d, l4 + 4).unwrap_or(0);
    let ident0 = be16(d, l3 + ipv4::IDENT).unwrap_or(0);
    let n = payload.len().div_ceil(mss).max(1);
    for (i, chunk) in payload.chunks(mss).enumerate().chain(
        // A GSO packet without payload still leaves as one segment.
        (payload.is_empty()).then_some((0, &[][..])),
    ) {
        let mut seg = Buffer::with_room(crate::buffer::DEFAULT_HEADROOM, hdr_end + chunk.len());
        seg.set_data(headers);
        seg.extend_from_slice(chunk);
        let s = seg.data_mut();
        let l3_len = hdr_end - l3 + chunk.len();
        let l4_len = l4_hdr + chunk.len();
        if lay.is_ipv4() {
            put16(s, l3 + ipv4::TOT_LEN, l3_len as u16);
            put16(s, l3 + ipv4::IDENT, ident0.wrapping_add(i as u16));
            put16(s, l3 + ipv4::CSUM, 0);
            let ihl = l4 - l3;
            let c = s.get(l3..l3 + ihl).map(checksum::checksum).unwrap_or(0);
            put16(s, l3 + ipv4::CSUM, c);
        } else {
            put16(s, l3 + ipv6::PLEN, (l3_len - ipv6::IPV6_HEADER_LEN) as u16);
        }
        let last = i + 1 == n;
        let csum_field = if want == IPPROTO_TCP {
            put32(s, l4 + 4, seq0.wrapping_add((i * mss) as u32));
            let ctl = be16(s, l4 + TCP_CTL).unwrap_or(0);
            // FIN and PSH only on the last segment, CWR only on the first.
            let mut ctl = ctl;
            if !last {
                ctl &= !0x0009;
            }
            if i != 0 {
                ctl &= !0x0080;
            }
            put16(s, l4 + TCP_CTL, ctl);
            l4 + TCP_CSUM
        } else {
            put16(s, l4 + UDP_LEN, l4_len as u16);
            l4 + UDP_CSUM
        };
        put16(s, csum_field, 0);
        let c = l4_checksum(s, &lay, l3, l4, want);
        put16(s, csum_field, c);
        out.push(seg);
    }
    Ok(n)
}

/// The full checksum of the transport segment at `l4` (to the end of `s`)
/// with its pseudo-header; the checksum field must be zero.
pub(crate) fn l4_checksum(
    s: &[u8],
    lay: &crate::extract::Layout,
    l3: usize,
    l4: usize,
    proto: u8,
) -> u16 {
    let seg = s.get(l4..).unwrap_or(&[]);
    let pseudo = if lay.is_ipv4() {
        let src = crate::bytes::arr(s, l3 + ipv4::SRC).unwrap_or_default();
        let dst = crate::bytes::arr(s, l3 + ipv4::DST).unwrap_or_default();
        checksum::pseudo_v4(src, dst, proto, seg.len() as u32)
    } else {
        let src = crate::bytes::arr(s, l3 + ipv6::SRC).unwrap_or_default();
        let dst = crate::bytes::arr(s, l3 + ipv6::DST).unwrap_or_default();
        checksum::pseudo_v6(&src, &dst, proto, seg.len() as u32)
    };
    let c = !checksum::fold(checksum::sum(seg, pseudo));
    if c == 0 && proto == IPPROTO_UDP {
        0xffff
    } else {
        c
    }
}
