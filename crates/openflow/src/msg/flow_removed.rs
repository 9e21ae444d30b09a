//! Flow removal notices: OFPT_FLOW_REMOVED in every version (OF1.0's fixed
//! match, OF1.1's standard match, OXM in OF1.2-1.4, OF1.5's reordered
//! header with OXS statistics) and NXT_FLOW_REMOVED (NXM), decoded to one
//! [`FlowRemoved`] and printed as `ovs-ofctl ofp-print` does.

use std::fmt::Write;

use crate::buf::{Put, Reader};
use crate::error::OfpError;
use crate::flow_match::Match;
use crate::msg::flow_mod::{check_len, decode_ofp11_match};
use crate::msg::raw::{OfpType, NXT_FLOW_REMOVED};
use crate::msg::{finish, start_nx, start_type};
use crate::port::PortMap;
use crate::protocol::Protocols;
use crate::version::Version;

/// Why a flow was removed (OFPRR_*; the numbers are the same in every version).
pub const RR_IDLE_TIMEOUT: u8 = 0;
pub const RR_HARD_TIMEOUT: u8 = 1;
pub const RR_DELETE: u8 = 2;
pub const RR_GROUP_DELETE: u8 = 3;
pub const RR_METER_DELETE: u8 = 4;
pub const RR_EVICTION: u8 = 5;

/// The name ofp-print gives a removal reason, None for unknown ones.
pub fn reason_name(reason: u8) -> Option<&'static str> {
    Some(match reason {
        RR_IDLE_TIMEOUT => "idle",
        RR_HARD_TIMEOUT => "hard",
        RR_DELETE => "delete",
        RR_GROUP_DELETE => "group_delete",
        RR_METER_DELETE => "meter_delete",
        RR_EVICTION => "eviction",
        _ => return None,
    })
}

#[derive(Clone, Debug, PartialEq)]
pub struct FlowRemoved {
    pub flow_match: Match,
    pub cookie: u64,
    pub priority: u16,
    /// `RR_*`.
    pub reason: u8,
    /// 255 when the message does not say (OF1.0).
    pub table_id: u8,
    pub duration_sec: u32,
    pub duration_nsec: u32,
    pub idle_timeout: u16,
    /// Only OF1.2+ carries it; 0 otherwise.
    pub hard_timeout: u16,
    /// `u64::MAX` when unknown (an OF1.5 message without the statistic).
    pub packet_count: u64,
    pub byte_count: u64,
}

/// OXS statistics (OF1.5), class OFPXSC_OPENFLOW_BASIC.
const OXS_CLASS: u16 = 0x8002;
const OXS_DURATION: u8 = 0;
const OXS_IDLE_TIME: u8 = 1;
const OXS_FLOW_COUNT: u8 = 3;
const OXS_PACKET_COUNT: u8 = 4;
const OXS_BYTE_COUNT: u8 = 5;

impl FlowRemoved {
    /// Decodes an OFPT_FLOW_REMOVED body of version `v`.
    pub fn decode(v: Version, body: &mut Reader) -> Result<FlowRemoved, OfpError> {
        match v {
            Version::Of10 => {
                // A fixed-size message.
                check_len(body, 80, usize::MAX)?;
                let flow_match = Match::decode_of10(body)?;
                let cookie = body.be64()?;
                let priority = body.be16()?;
                let reason = body.u8()?;
                body.skip(1)?;
                let duration_sec = body.be32()?;
                let duration_nsec = body.be32()?;
                let idle_timeout = body.be16()?;
                body.skip(2)?;
                let packet_count = body.be64()?;
                let byte_count = body.be64()?;
                Ok(FlowRemoved {
                    flow_match,
                    cookie,
                    priority,
                    reason,
                    table_id: 255,
                    duration_sec,
                    duration_nsec,
                    idle_timeout,
                    hard_timeout: 0,
                    packet_count,
                    byte_count,
                })
            }
            Version::Of15 => {
                check_len(body, 16, 8)?;
                let table_id = body.u8()?;
                let reason = body.u8()?;
                let priority = body.be16()?;
                let idle_timeout = body.be16()?;
                let hard_timeout = body.be16()?;
                let cookie = body.be64()?;
                let flow_match = decode_ofp11_match(v, body)?;
                let st = decode_oxs(body)?;
                Ok(FlowRemoved {
                    flow_match,
                    cookie,
                    priority,
                    reason,
                    table_id,
                    duration_sec: st.0,
                    duration_nsec: st.1,
                    idle_timeout,
                    hard_timeout,
                    packet_count: st.2,
                    byte_count: st.3,
                })
            }
            _ => {
                check_len(body, 40, 8)?;
                let cookie = body.be64()?;
                let priority = body.be16()?;
                let reason = body.u8()?;
                let table_id = body.u8()?;
                let duration_sec = body.be32()?;
                let duration_nsec = body.be32()?;
                let idle_timeout = body.be16()?;
                let hard_timeout = body.be16()?;
                let packet_count = body.be64()?;
                let byte_count = body.be64()?;
                let flow_match = decode_ofp11_match(v, body)?;
                Ok(FlowRemoved {
                    flow_match,
                    cookie,
                    priority,
                    reason,
                    table_id,
                    duration_sec,
                    duration_nsec,
                    idle_timeout,
                    hard_timeout,
                    packet_count,
                    byte_count,
                })
            }
        }
    }

    /// Decodes an NXT_FLOW_REMOVED body (after the Nicira header).
    pub fn decode_nx(body: &mut Reader) -> Result<FlowRemoved, OfpError> {
        check_len(body, 40, 8)?;
        let cookie = body.be64()?;
        let priority = body.be16()?;
        let reason = body.u8()?;
        // The table id is sent plus one, so that 0 can mean "unknown".
        let table_id = body.u8()?.wrapping_sub(1);
        let duration_sec = body.be32()?;
        let duration_nsec = body.be32()?;
        let idle_timeout = body.be16()?;
        let match_len = usize::from(body.be16()?);
        let packet_count = body.be64()?;
        let byte_count = body.be64()?;
        let padded = match_len.div_ceil(8) * 8;
        let flow_match = Match::decode_nxm(body, match_len)?;
        body.skip(padded - match_len)
            .map_err(|_| OfpError::BmcBadLen)?;
        if !body.is_empty() {
            return Err(OfpError::BrcBadLen);
        }
        Ok(FlowRemoved {
            flow_match,
            cookie,
            priority,
            reason,
            table_id,
            duration_sec,
            duration_nsec,
            idle_timeout,
            hard_timeout: 0,
            packet_count,
            byte_count,
        })
    }

    /// The whole message for `protocol`: NXT_FLOW_REMOVED for the OF1.0 NXM
    /// flavours, OFPT_FLOW_REMOVED otherwise.
    pub fn encode(&self, protocol: Protocols, xid: u32, out: &mut Vec<u8>) {
        let v = protocol.version().unwrap_or(Version::Of10);
        if protocol.intersects(Protocols::OF10_NXM_ANY) {
            let at = start_nx(out, v, NXT_FLOW_REMOVED, xid);
            out.put_be64(self.cookie);
            out.put_be16(self.priority);
            out.put_u8(self.reason);
            out.put_u8(self.table_id.wrapping_add(1));
            out.put_be32(self.duration_sec);
            out.put_be32(self.duration_nsec);
            out.put_be16(self.idle_timeout);
            let len_at = out.len();
            out.put_be16(0);
            out.put_be64(self.packet_count);
            out.put_be64(self.byte_count);
            let match_start = out.len();
            let n = self.flow_match.encode_nxm(out);
            out.patch_be16(len_at, u16::try_from(n).unwrap_or(u16::MAX));
            out.pad_from(match_start, 8);
            finish(out, at);
            return;
        }
        let at = start_type(out, v, OfpType::FlowRemoved, xid);
        match v {
            Version::Of10 => {
                let _ = self.flow_match.encode_of10(out);
                out.put_be64(self.cookie);
                out.put_be16(self.priority);
                out.put_u8(self.reason);
                out.put_u8(0);
                out.put_be32(self.duration_sec);
                out.put_be32(self.duration_nsec);
                out.put_be16(self.idle_timeout);
                out.put_be16(0);
                out.put_be64(self.packet_count);
                out.put_be64(self.byte_count);
            }
            Version::Of15 => {
                out.put_u8(self.table_id);
                out.put_u8(self.reason);
                out.put_be16(self.priority);
                out.put_be16(self.idle_timeout);
                out.put_be16(self.hard_timeout);
                out.put_be64(self.cookie);
                let _ = self.flow_match.encode_oxm_match(v, out);
                encode_oxs(out, self);
            }
            _ => {
                out.put_be64(self.cookie);
                out.put_be16(self.priority);
                out.put_u8(self.reason);
                out.put_u8(self.table_id);
                out.put_be32(self.duration_sec);
                out.put_be32(self.duration_nsec);
                out.put_be16(self.idle_timeout);
                out.put_be16(self.hard_timeout);
                out.put_be64(self.packet_count);
                out.put_be64(self.byte_count);
                if v == Version::Of11 {
                    let _ = self.flow_match.encode_of11(out);
                } else {
                    let _ = self.flow_match.encode_oxm_match(v, out);
                }
            }
        }
        finish(out, at);
    }

    /// What ofp-print prints after the header line's colon.
    pub fn format(&self, out: &mut String, ports: Option<&PortMap>) {
        out.push(' ');
        out.push_str(&self.flow_match.format(self.priority, ports));
        out.push_str(" reason=");
        match reason_name(self.reason) {
            Some(n) => out.push_str(n),
            None => {
                let _ = write!(out, "{}", self.reason);
            }
        }
        if self.table_id != 255 {
            let _ = write!(out, " table_id={}", self.table_id);
        }
        if self.cookie != 0 {
            let _ = write!(out, " cookie:0x{:x}", self.cookie);
        }
        out.push_str(" duration");
        format_duration(out, self.duration_sec, self.duration_nsec);
        let _ = write!(out, " idle{}", self.idle_timeout);
        if self.hard_timeout != 0 {
            let _ = write!(out, " hard{}", self.hard_timeout);
        }
        let _ = writeln!(out, " pkts{} bytes{}", self.packet_count, self.byte_count);
    }
}

/// "5s", "5.500s", "5.0001s", "5.000000006s": whole milliseconds with three
/// decimals, anything finer with as many as it needs.
pub(crate) fn format_duration(out: &mut String, sec: u32, nsec: u32) {
    let _ = write!(out, "{sec}");
    if nsec > 0 {
        if nsec.is_multiple_of(1_000_000) {
            let _ = write!(out, ".{:03}", nsec / 1_000_000);
        } else {
            let frac = format!("{nsec:09}");
            out.push('.');
            out.push_str(frac.trim_end_matches('0'));
        }
    }
    out.push('s');
}

/// An `ofp_stats` block padded to 8 bytes: (duration sec, nsec, packets, bytes).
fn decode_oxs(body: &mut Reader) -> Result<(u32, u32, u64, u64), OfpError> {
    // The statistics are parsed like a match, with its error codes.
    let mut body2 = body.clone().with_short_error(OfpError::BmcBadLen);
    // Statistics left out are unknown (all ones), the duration included.
    let mut st = (u32::MAX, u32::MAX, u64::MAX, u64::MAX);
    body2.skip(2)?;
    let len = usize::from(body2.be16()?);
    if len < 4 {
        return Err(OfpError::BmcBadLen);
    }
    let mut s = body2.sub(len - 4)?;
    body2.skip(len.div_ceil(8) * 8 - len)?;
    while !s.is_empty() {
        let h = s.be32()?;
        let class = (h >> 16) as u16;
        let field = ((h >> 9) & 0x7f) as u8;
        let mut f = s.sub((h & 0xff) as usize)?;
        if class != OXS_CLASS {
            continue;
        }
        match (field, f.remaining()) {
            (OXS_DURATION, 8) => {
                st.0 = f.be32()?;
                st.1 = f.be32()?;
            }
            (OXS_IDLE_TIME, 8) | (OXS_FLOW_COUNT, 4) => {}
            (OXS_PACKET_COUNT, 8) => st.2 = f.be64()?,
            (OXS_BYTE_COUNT, 8) => st.3 = f.be64()?,
            _ => return Err(OfpError::BmcBadLen),
        }
    }
    *body = body2.with_short_error(body.short_error());
    Ok(st)
}

fn encode_oxs(out: &mut Vec<u8>, fr: &FlowRemoved) {
    let start = out.len();
    out.put_be16(0);
    out.put_be16(0);
    let header = |field: u8, len: u32| (u32::from(OXS_CLASS) << 16) | (u32::from(field) << 9) | len;
    if (fr.duration_sec, fr.duration_nsec) != (u32::MAX, u32::MAX) {
        out.put_be32(header(OXS_DURATION, 8));
        out.put_be32(fr.duration_sec);
        out.put_be32(fr.duration_nsec);
    }
    if fr.packet_count != u64::MAX {
        out.put_be32(header(OXS_PACKET_COUNT, 8));
        out.put_be64(fr.packet_count);
    }
    if fr.byte_count != u64::MAX {
        out.put_be32(header(OXS_BYTE_COUNT, 8));
        out.put_be64(fr.byte_count);
    }
    let len = out.len() - start;
    out.patch_be16(start + 2, u16::try_from(len).unwrap_or(u16::MAX));
    out.pad_from(start, 8);
}
