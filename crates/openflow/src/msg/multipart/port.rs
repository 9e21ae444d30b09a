//! OFPST_PORT (port statistics, per version: OF1.0's 16-bit ports, OF1.3's
//! durations, OF1.4's length-prefixed entries with an Ethernet property) and
//! OFPST_PORT_DESC (the request; the port description itself is the shared
//! `ofp_port` codec of the features reply).

use std::fmt::Write;

use crate::buf::{Put, Reader};
use crate::error::OfpError;
use crate::msg::multipart::{entry, expect_end, format_duration, port_text};
use crate::msg::port_desc::{port_from_of11, port_to_of11};
use crate::port::{PortMap, PortNo};
use crate::version::Version;

/// OF1.4 port stats property: Ethernet counters.
const PSPT_ETHERNET: u16 = 0;

/// Statistics of one port. Counters the switch does not know are
/// `u64::MAX` (printed "?"); a duration the switch does not know (always so
/// before OF1.3) has `duration_sec == u32::MAX`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PortStats {
    pub port_no: PortNo,
    pub rx_packets: u64,
    pub tx_packets: u64,
    pub rx_bytes: u64,
    pub tx_bytes: u64,
    pub rx_dropped: u64,
    pub tx_dropped: u64,
    pub rx_errors: u64,
    pub tx_errors: u64,
    pub rx_frame_err: u64,
    pub rx_over_err: u64,
    pub rx_crc_err: u64,
    pub collisions: u64,
    pub duration_sec: u32,
    pub duration_nsec: u32,
    /// OF1.4+ properties other than the Ethernet one (optical, vendor
    /// counters), kept as they came so they go back out unchanged; the
    /// reference does not print them.
    pub other_props: Vec<u8>,
}

impl PortStats {
    /// All counters unknown, no duration.
    pub fn new(port_no: PortNo) -> PortStats {
        PortStats {
            port_no,
            rx_packets: u64::MAX,
            tx_packets: u64::MAX,
            rx_bytes: u64::MAX,
            tx_bytes: u64::MAX,
            rx_dropped: u64::MAX,
            tx_dropped: u64::MAX,
            rx_errors: u64::MAX,
            tx_errors: u64::MAX,
            rx_frame_err: u64::MAX,
            rx_over_err: u64::MAX,
            rx_crc_err: u64::MAX,
            collisions: u64::MAX,
            duration_sec: u32::MAX,
            duration_nsec: u32::MAX,
            other_props: Vec::new(),
        }
    }

    pub fn decode(v: Version, r: &mut Reader) -> Result<PortStats, OfpError> {
        if v >= Version::Of14 {
            return Self::decode_of14(r);
        }
        let port_no = if v == Version::Of10 {
            let p = PortNo(r.be16()?);
            r.skip(6)?;
            p
        } else {
            let p = port_from_of11(r.be32()?)?;
            r.skip(4)?;
            p
        };
        let mut ps = PortStats::new(port_no);
        ps.rx_packets = r.be64()?;
        ps.tx_packets = r.be64()?;
        ps.rx_bytes = r.be64()?;
        ps.tx_bytes = r.be64()?;
        ps.rx_dropped = r.be64()?;
        ps.tx_dropped = r.be64()?;
        ps.rx_errors = r.be64()?;
        ps.tx_errors = r.be64()?;
        ps.rx_frame_err = r.be64()?;
        ps.rx_over_err = r.be64()?;
        ps.rx_crc_err = r.be64()?;
        ps.collisions = r.be64()?;
        if v == Version::Of13 {
            ps.duration_sec = r.be32()?;
            ps.duration_nsec = r.be32()?;
        }
        Ok(ps)
    }

    fn decode_of14(r: &mut Reader) -> Result<PortStats, OfpError> {
        let mut e = entry(r, 80)?;
        e.skip(4)?; // length, pad
        let mut ps = PortStats::new(port_from_of11(e.be32()?)?);
        ps.duration_sec = e.be32()?;
        ps.duration_nsec = e.be32()?;
        ps.rx_packets = e.be64()?;
        ps.tx_packets = e.be64()?;
        ps.rx_bytes = e.be64()?;
        ps.tx_bytes = e.be64()?;
        ps.rx_dropped = e.be64()?;
        ps.tx_dropped = e.be64()?;
        ps.rx_errors = e.be64()?;
        ps.tx_errors = e.be64()?;
        while !e.is_empty() {
            let whole = e.rest();
            let ptype = e.be16()?;
            let plen = usize::from(e.be16()?);
            if plen < 4 {
                return Err(OfpError::BpcBadLen);
            }
            let mut p = e.sub(plen - 4).map_err(|_| OfpError::BpcBadLen)?;
            // Properties are padded to 8 bytes.
            let pad = plen.div_ceil(8) * 8 - plen;
            e.skip(pad.min(e.remaining()))?;
            if ptype != PSPT_ETHERNET {
                let used = whole.len() - e.remaining();
                ps.other_props.extend_from_slice(&whole[..used]);
            }
            if ptype == PSPT_ETHERNET {
                if plen != 40 {
                    return Err(OfpError::BpcBadLen);
                }
                p.skip(4)?;
                ps.rx_frame_err = p.be64()?;
                ps.rx_over_err = p.be64()?;
                ps.rx_crc_err = p.be64()?;
                ps.collisions = p.be64()?;
            }
            // Other properties (optical, vendor custom counters) are not
            // kept, as the reference does not print them either.
        }
        Ok(ps)
    }

    pub fn encode(&self, v: Version, out: &mut Vec<u8>) {
        if v >= Version::Of14 {
            let len = 80 + 40 + self.other_props.len();
            out.put_be16(u16::try_from(len).unwrap_or(u16::MAX));
            out.put_zeros(2);
            out.put_be32(port_to_of11(self.port_no));
            out.put_be32(self.duration_sec);
            out.put_be32(self.duration_nsec);
            for c in [
                self.rx_packets,
                self.tx_packets,
                self.rx_bytes,
                self.tx_bytes,
                self.rx_dropped,
                self.tx_dropped,
                self.rx_errors,
                self.tx_errors,
            ] {
                out.put_be64(c);
            }
            out.put_be16(PSPT_ETHERNET);
            out.put_be16(40);
            out.put_zeros(4);
            for c in [
                self.rx_frame_err,
                self.rx_over_err,
                self.rx_crc_err,
                self.collisions,
            ] {
                out.put_be64(c);
            }
            out.extend_from_slice(&self.other_props);
            return;
        }
        if v == Version::Of10 {
            out.put_be16(self.port_no.0);
            out.put_zeros(6);
        } else {
            out.put_be32(port_to_of11(self.port_no));
            out.put_zeros(4);
        }
        for c in [
            self.rx_packets,
            self.tx_packets,
            self.rx_bytes,
            self.tx_bytes,
            self.rx_dropped,
            self.tx_dropped,
            self.rx_errors,
            self.tx_errors,
            self.rx_frame_err,
            self.rx_over_err,
            self.rx_crc_err,
            self.collisions,
        ] {
            out.put_be64(c);
        }
        if v == Version::Of13 {
            out.put_be32(self.duration_sec);
            out.put_be32(self.duration_nsec);
        }
    }
}

/// A counter, "?" when unknown.
fn counter(out: &mut String, name: &str, c: u64, last: bool) {
    out.push_str(name);
    out.push('=');
    if c == u64::MAX {
        out.push('?');
    } else {
        let _ = write!(out, "{c}");
    }
    if !last {
        out.push_str(", ");
    }
}

/// The `dump-ports` text of a reply's entries.
pub fn format_port_stats(out: &mut String, stats: &[PortStats], ports: Option<&PortMap>) {
    let _ = writeln!(out, " {} ports", stats.len());
    for ps in stats {
        out.push_str("  port ");
        if ps.port_no.0 < 10 {
            out.push(' ');
        }
        out.push_str(&port_text(ps.port_no, ports));
        out.push_str(": rx ");
        counter(out, "pkts", ps.rx_packets, false);
        counter(out, "bytes", ps.rx_bytes, false);
        counter(out, "drop", ps.rx_dropped, false);
        counter(out, "errs", ps.rx_errors, false);
        counter(out, "frame", ps.rx_frame_err, false);
        counter(out, "over", ps.rx_over_err, false);
        counter(out, "crc", ps.rx_crc_err, true);
        out.push_str("\n           tx ");
        counter(out, "pkts", ps.tx_packets, false);
        counter(out, "bytes", ps.tx_bytes, false);
        counter(out, "drop", ps.tx_dropped, false);
        counter(out, "errs", ps.tx_errors, false);
        counter(out, "coll", ps.collisions, true);
        out.push('\n');
        if ps.duration_sec != u32::MAX {
            out.push_str("           duration=");
            format_duration(out, ps.duration_sec, ps.duration_nsec);
            out.push('\n');
        }
        format_rfc2819(out, &ps.other_props);
    }
}

/// Intel's vendor property of OF1.4 port stats: RFC 2819 counters.
const INTEL_VENDOR_ID: u32 = 0x0000_aa01;
const INTEL_PORT_STATS_RFC2819: u32 = 1;

/// The RFC 2819 counters in their wire order, with the direction and name
/// the reference prints them under.
const RFC2819: [(bool, &str); 21] = [
    (true, "1_to_64_packets"),
    (true, "65_to_127_packets"),
    (true, "128_to_255_packets"),
    (true, "256_to_511_packets"),
    (true, "512_to_1023_packets"),
    (true, "1024_to_1522_packets"),
    (true, "1523_to_max_packets"),
    (false, "1_to_64_packets"),
    (false, "65_to_127_packets"),
    (false, "128_to_255_packets"),
    (false, "256_to_511_packets"),
    (false, "512_to_1023_packets"),
    (false, "1024_to_1522_packets"),
    (false, "1523_to_max_packets"),
    (false, "multicast_packets"),
    (true, "broadcast_packets"),
    (false, "broadcast_packets"),
    (true, "undersized_errors"),
    (true, "oversize_errors"),
    (true, "rx_fragmented_errors"),
    (true, "rx_jabber_errors"),
];

/// The "rx rfc2819 ..." and "tx rfc2819 ..." lines of the known counters
/// (all ones means unknown) of an Intel RFC 2819 property among `props`;
/// a line only when it has a counter.
fn format_rfc2819(out: &mut String, props: &[u8]) {
    let mut r = Reader::new(props);
    while r.remaining() >= 4 {
        let (Ok(ptype), Ok(plen)) = (r.be16(), r.be16()) else {
            return;
        };
        let plen = usize::from(plen);
        let Ok(mut p) = r.sub(plen.saturating_sub(4)) else {
            return;
        };
        let pad = plen.div_ceil(8) * 8 - plen;
        let _ = r.skip(pad.min(r.remaining()));
        if ptype != 0xffff
            || p.be32().ok() != Some(INTEL_VENDOR_ID)
            || p.be32().ok() != Some(INTEL_PORT_STATS_RFC2819)
            || p.skip(4).is_err()
        {
            continue;
        }
        let mut values = [u64::MAX; 21];
        for v in values.iter_mut() {
            match p.be64() {
                Ok(x) => *v = x,
                Err(_) => break,
            }
        }
        for rx in [true, false] {
            let mut line = String::new();
            for ((is_rx, name), v) in RFC2819.iter().zip(values) {
                if *is_rx == rx && v != u64::MAX {
                    let _ = write!(line, "{name}={v}, ");
                }
            }
            if !line.is_empty() {
                let dir = if rx { "rx" } else { "tx" };
                let _ = writeln!(out, "           {dir} rfc2819 {line}");
            }
        }
        return;
    }
}

/// The port of an OFPST_PORT request (`PortNo::NONE` = all ports).
pub fn decode_port_stats_request(v: Version, r: &mut Reader) -> Result<PortNo, OfpError> {
    let p = if v == Version::Of10 {
        let p = PortNo(r.be16()?);
        r.skip(6)?;
        p
    } else {
        let p = port_from_of11(r.be32()?)?;
        r.skip(4)?;
        p
    };
    expect_end(r)?;
    Ok(p)
}

pub fn encode_port_stats_request(v: Version, p: PortNo, out: &mut Vec<u8>) {
    if v == Version::Of10 {
        out.put_be16(p.0);
        out.put_zeros(6);
    } else {
        out.put_be32(port_to_of11(p));
        out.put_zeros(4);
    }
}

/// The port of an OFPST_PORT_DESC request: OF1.5 names one, earlier
/// versions have an empty body (meaning all, printed "ANY").
pub fn decode_port_desc_request(v: Version, r: &mut Reader) -> Result<PortNo, OfpError> {
    if v < Version::Of15 {
        expect_end(r)?;
        return Ok(PortNo::NONE);
    }
    let p = port_from_of11(r.be32()?)?;
    r.skip(4)?;
    expect_end(r)?;
    Ok(p)
}

pub fn encode_port_desc_request(v: Version, p: PortNo, out: &mut Vec<u8>) {
    if v >= Version::Of15 {
        out.put_be32(port_to_of11(p));
        out.put_zeros(4);
    }
}

/// A port-description reply entry: the shared `ofp_port` codec.
pub type PortDescEntry = crate::msg::port_desc::PortDesc;

pub fn decode_port_descs(v: Version, r: &mut Reader) -> Result<Vec<PortDescEntry>, OfpError> {
    crate::msg::port_desc::decode_ports(v, r)
}

pub fn encode_port_desc(v: Version, p: &PortDescEntry, out: &mut Vec<u8>) {
    p.encode(v, out);
}

/// The `dump-ports-desc` text: the ports sorted by number.
pub fn format_port_descs(
    out: &mut String,
    _v: Version,
    descs: &[PortDescEntry],
    ports: Option<&PortMap>,
) {
    out.push('\n');
    crate::msg::port_desc::format_ports(out, descs, ports);
}
