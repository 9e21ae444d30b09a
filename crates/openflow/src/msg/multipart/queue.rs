//! Queues: OFPST_QUEUE statistics, OF1.4's OFPST_QUEUE_DESC, and the
//! OF1.0-1.3 OFPT_QUEUE_GET_CONFIG request and reply messages, which carry
//! the same queue descriptions (minimum and maximum rates).

use std::fmt::Write;

use crate::buf::{Put, Reader};
use crate::error::OfpError;
use crate::msg::multipart::{entry, expect_end, format_duration, port_text};
use crate::msg::port_desc::{port_from_of11, port_to_of11};
use crate::port::{PortMap, PortNo};
use crate::version::Version;

/// OFPQ_ALL: every queue.
pub const QUEUE_ALL: u32 = 0xffff_ffff;

/// Queue properties (OF1.0-1.3 OFPQT_*, OF1.4 OFPQDPT_*).
const QT_MIN_RATE: u16 = 1;
const QT_MAX_RATE: u16 = 2;

/// A queue statistics or queue description request: a port (`NONE` = any)
/// and a queue (`QUEUE_ALL` = all).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QueueStatsRequest {
    pub port: PortNo,
    pub queue_id: u32,
}

impl QueueStatsRequest {
    pub fn decode(v: Version, r: &mut Reader) -> Result<QueueStatsRequest, OfpError> {
        let q = if v == Version::Of10 {
            let mut port = PortNo(r.be16()?);
            r.skip(2)?;
            // OF1.0 said OFPP_ALL for "every port"; later versions say ANY.
            if port == PortNo::ALL {
                port = PortNo::NONE;
            }
            QueueStatsRequest {
                port,
                queue_id: r.be32()?,
            }
        } else {
            QueueStatsRequest {
                port: port_from_of11(r.be32()?)?,
                queue_id: r.be32()?,
            }
        };
        expect_end(r)?;
        Ok(q)
    }

    pub fn encode(&self, v: Version, out: &mut Vec<u8>) {
        if v == Version::Of10 {
            out.put_be16(self.port.0);
            out.put_zeros(2);
        } else {
            out.put_be32(port_to_of11(self.port));
        }
        out.put_be32(self.queue_id);
    }

    pub fn format(&self, out: &mut String, ports: Option<&PortMap>) {
        let _ = write!(out, " port={} queue=", port_text(self.port, ports));
        format_queue_id(out, self.queue_id);
    }

    /// The OFPST_QUEUE_DESC request text: the queue only when not all.
    pub fn format_desc(&self, out: &mut String, ports: Option<&PortMap>) {
        let _ = write!(out, " port={}", port_text(self.port, ports));
        if self.queue_id != QUEUE_ALL {
            let _ = write!(out, " queue={}", self.queue_id);
        }
    }
}

fn format_queue_id(out: &mut String, q: u32) {
    if q == QUEUE_ALL {
        out.push_str("ALL");
    } else {
        let _ = write!(out, "{q}");
    }
}

/// Statistics of one queue; unknown counters are `u64::MAX`, an unknown
/// duration (always before OF1.3) has `duration_sec == u32::MAX`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueueStats {
    pub port: PortNo,
    pub queue_id: u32,
    pub tx_bytes: u64,
    pub tx_packets: u64,
    pub tx_errors: u64,
    pub duration_sec: u32,
    pub duration_nsec: u32,
}

impl QueueStats {
    pub fn decode(v: Version, r: &mut Reader) -> Result<QueueStats, OfpError> {
        let mut e;
        let r = if v >= Version::Of14 {
            e = entry(r, 48)?;
            e.skip(8)?; // length, pad
            &mut e
        } else {
            r
        };
        let port = if v == Version::Of10 {
            let p = PortNo(r.be16()?);
            r.skip(2)?;
            p
        } else {
            port_from_of11(r.be32()?)?
        };
        let mut q = QueueStats {
            port,
            queue_id: r.be32()?,
            tx_bytes: r.be64()?,
            tx_packets: r.be64()?,
            tx_errors: r.be64()?,
            duration_sec: u32::MAX,
            duration_nsec: u32::MAX,
        };
        if v >= Version::Of13 {
            q.duration_sec = r.be32()?;
            q.duration_nsec = r.be32()?;
        }
        // OF1.4 properties: none are defined but experimenter ones, which
        // are skipped with the rest of the entry.
        Ok(q)
    }

    pub fn encode(&self, v: Version, out: &mut Vec<u8>) {
        if v >= Version::Of14 {
            out.put_be16(48);
            out.put_zeros(6);
        }
        if v == Version::Of10 {
            out.put_be16(self.port.0);
            out.put_zeros(2);
        } else {
            out.put_be32(port_to_of11(self.port));
        }
        out.put_be32(self.queue_id);
        out.put_be64(self.tx_bytes);
        out.put_be64(self.tx_packets);
        out.put_be64(self.tx_errors);
        if v >= Version::Of13 {
            out.put_be32(self.duration_sec);
            out.put_be32(self.duration_nsec);
        }
    }
}

fn counter(out: &mut String, c: u64) {
    if c == u64::MAX {
        out.push('?');
    } else {
        let _ = write!(out, "{c}");
    }
}

/// The `queue-stats` text of a reply's entries.
pub fn format_queue_stats(out: &mut String, stats: &[QueueStats], ports: Option<&PortMap>) {
    let _ = writeln!(out, " {} queues", stats.len());
    for q in stats {
        let _ = write!(out, "  port {} queue ", port_text(q.port, ports));
        format_queue_id(out, q.queue_id);
        out.push_str(": bytes=");
        counter(out, q.tx_bytes);
        out.push_str(", pkts=");
        counter(out, q.tx_packets);
        out.push_str(", errors=");
        counter(out, q.tx_errors);
        out.push_str(", duration=");
        if q.duration_sec == u32::MAX {
            out.push('?');
        } else {
            format_duration(out, q.duration_sec, q.duration_nsec);
        }
        out.push('\n');
    }
}

/// One queue's configuration. Rates are in tenths of a percent of the port
/// speed; `u16::MAX` means not configured (the property is absent).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueueDesc {
    pub port: PortNo,
    pub queue_id: u32,
    pub min_rate: u16,
    pub max_rate: u16,
}

impl QueueDesc {
    /// An OF1.4+ OFPST_QUEUE_DESC reply entry.
    pub fn decode(_v: Version, r: &mut Reader) -> Result<QueueDesc, OfpError> {
        let mut e = entry_at(r, 8, 16)?;
        let port = port_from_of11(e.be32()?)?;
        let queue_id = e.be32()?;
        e.skip(8)?; // length, pad
        let mut q = QueueDesc {
            port,
            queue_id,
            min_rate: u16::MAX,
            max_rate: u16::MAX,
        };
        while !e.is_empty() {
            let ptype = e.be16()?;
            let plen = usize::from(e.be16()?);
            if plen < 4 {
                return Err(OfpError::BpcBadLen);
            }
            let mut p = e.sub(plen - 4).map_err(|_| OfpError::BpcBadLen)?;
            let pad = plen.div_ceil(8) * 8 - plen;
            e.skip(pad.min(e.remaining()))?;
            match ptype {
                QT_MIN_RATE => q.min_rate = p.be16().map_err(|_| OfpError::BpcBadLen)?,
                QT_MAX_RATE => q.max_rate = p.be16().map_err(|_| OfpError::BpcBadLen)?,
                _ => {}
            }
        }
        Ok(q)
    }

    /// As an OF1.4+ OFPST_QUEUE_DESC reply entry.
    pub fn encode(&self, _v: Version, out: &mut Vec<u8>) {
        let at = out.len();
        out.put_be32(port_to_of11(self.port));
        out.put_be32(self.queue_id);
        out.put_be16(0);
        out.put_zeros(6);
        for (t, rate) in [(QT_MIN_RATE, self.min_rate), (QT_MAX_RATE, self.max_rate)] {
            if rate != u16::MAX {
                out.put_be16(t);
                out.put_be16(8);
                out.put_be16(rate);
                out.put_zeros(2);
            }
        }
        let len = out.len() - at;
        out.patch_be16(at + 8, u16::try_from(len).unwrap_or(u16::MAX));
    }

    /// An OF1.0-1.3 `ofp_packet_queue` of a reply for `port`.
    fn decode_packet_queue(
        v: Version,
        port: PortNo,
        r: &mut Reader,
    ) -> Result<QueueDesc, OfpError> {
        let queue_id = r.peek_be32()?;
        // The length is at offset 4 (OF1.0/1.1) or 8 (OF1.2+, after the port).
        let (len_at, hdr) = if v >= Version::Of12 { (8, 16) } else { (4, 8) };
        let mut e = entry_at(r, len_at, hdr)?;
        e.skip(hdr)?;
        let mut q = QueueDesc {
            port,
            queue_id,
            min_rate: u16::MAX,
            max_rate: u16::MAX,
        };
        while !e.is_empty() {
            let ptype = e.be16()?;
            let plen = usize::from(e.be16()?);
            if plen < 8 || !plen.is_multiple_of(8) {
                return Err(OfpError::BrcBadLen);
            }
            let mut p = e.sub(plen - 4)?;
            p.skip(4)?;
            match ptype {
                QT_MIN_RATE => q.min_rate = p.be16()?,
                QT_MAX_RATE if v >= Version::Of12 => q.max_rate = p.be16()?,
                _ => {}
            }
        }
        Ok(q)
    }

    fn encode_packet_queue(&self, v: Version, out: &mut Vec<u8>) {
        let at = out.len();
        out.put_be32(self.queue_id);
        let len_at = if v >= Version::Of12 {
            out.put_be32(port_to_of11(self.port));
            let l = out.len();
            out.put_be16(0);
            out.put_zeros(6);
            l
        } else {
            let l = out.len();
            out.put_be16(0);
            out.put_zeros(2);
            l
        };
        for (t, rate) in [(QT_MIN_RATE, self.min_rate), (QT_MAX_RATE, self.max_rate)] {
            if rate != u16::MAX && (t == QT_MIN_RATE || v >= Version::Of12) {
                out.put_be16(t);
                out.put_be16(16);
                out.put_zeros(4);
                out.put_be16(rate);
                out.put_zeros(6);
            }
        }
        let len = out.len() - at;
        out.patch_be16(len_at, u16::try_from(len).unwrap_or(u16::MAX));
    }
}

/// An entry whose 16-bit length sits `len_at` bytes in; at least `min` long.
fn entry_at<'a>(r: &mut Reader<'a>, len_at: usize, min: usize) -> Result<Reader<'a>, OfpError> {
    let mut peek = r.clone();
    peek.skip(len_at)?;
    let len = usize::from(peek.be16()?);
    if len < min || len > r.remaining() {
        return Err(OfpError::BrcBadLen);
    }
    r.sub(len)
}

fn format_rate(out: &mut String, name: &str, rate: u16) {
    if rate <= 1000 {
        let _ = write!(out, " {name}:{}.{}%", rate / 10, rate % 10);
    } else if rate < u16::MAX {
        let _ = write!(out, " {name}:(disabled)");
    }
}

/// Queue descriptions, printing "port=P" whenever the port changes (the
/// first time too, unless it is port 0, as the reference does).
pub fn format_queue_descs(out: &mut String, queues: &[QueueDesc], ports: Option<&PortMap>) {
    let mut port = PortNo(0);
    let mut first = true;
    for q in queues {
        if first {
            out.push(' ');
            first = false;
        }
        if q.port != port {
            port = q.port;
            let _ = writeln!(out, "port={}", port_text(port, ports));
        }
        let _ = write!(out, "queue {}:", q.queue_id);
        format_rate(out, "min_rate", q.min_rate);
        format_rate(out, "max_rate", q.max_rate);
        out.push('\n');
    }
}

/// OFPT_QUEUE_GET_CONFIG_REQUEST (OF1.0-1.3): the queues of one port.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QueueGetConfigRequest {
    pub port: PortNo,
}

impl QueueGetConfigRequest {
    pub fn decode(v: Version, r: &mut Reader) -> Result<QueueGetConfigRequest, OfpError> {
        let port = if v == Version::Of10 {
            let p = PortNo(r.be16()?);
            r.skip(2)?;
            if p.0 >= PortNo::MAX.0 {
                return Err(OfpError::QofcBadPort);
            }
            p
        } else {
            let p = port_from_of11(r.be32()?)?;
            r.skip(4)?;
            if p.0 >= PortNo::MAX.0 && p != PortNo::NONE {
                return Err(OfpError::QofcBadPort);
            }
            p
        };
        expect_end(r)?;
        Ok(QueueGetConfigRequest { port })
    }

    pub fn encode(&self, v: Version, out: &mut Vec<u8>) {
        if v == Version::Of10 {
            out.put_be16(self.port.0);
            out.put_zeros(2);
        } else {
            out.put_be32(port_to_of11(self.port));
            out.put_zeros(4);
        }
    }

    pub fn format(&self, out: &mut String, ports: Option<&PortMap>) {
        let _ = write!(out, " port={}", port_text(self.port, ports));
    }
}

/// OFPT_QUEUE_GET_CONFIG_REPLY (OF1.0-1.3). Each queue's `port` is the
/// reply's port (OF1.2+ repeat it per queue; the reference reads the
/// reply's).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueueGetConfigReply {
    pub port: PortNo,
    pub queues: Vec<QueueDesc>,
}

impl QueueGetConfigReply {
    pub fn decode(v: Version, r: &mut Reader) -> Result<QueueGetConfigReply, OfpError> {
        let port = if v == Version::Of10 {
            let p = PortNo(r.be16()?);
            r.skip(6)?;
            p
        } else {
            let p = port_from_of11(r.be32()?)?;
            r.skip(4)?;
            p
        };
        let mut queues = Vec::new();
        while !r.is_empty() {
            queues.push(QueueDesc::decode_packet_queue(v, port, r)?);
        }
        Ok(QueueGetConfigReply { port, queues })
    }

    pub fn encode(&self, v: Version, out: &mut Vec<u8>) {
        if v == Version::Of10 {
            out.put_be16(self.port.0);
            out.put_zeros(6);
        } else {
            out.put_be32(port_to_of11(self.port));
            out.put_zeros(4);
        }
        for q in &self.queues {
            q.encode_packet_queue(v, out);
        }
    }

    pub fn format(&self, out: &mut String, ports: Option<&PortMap>) {
        format_queue_descs(out, &self.queues, ports);
    }
}
