//! Flow statistics: OFPST_FLOW / NXST_FLOW and OFPST_AGGREGATE /
//! NXST_AGGREGATE requests and replies in every version (OF1.0's fixed
//! match, NXM, OF1.1's standard match, OXM; OF1.5's OXS statistics), and
//! the `dump-flows` line format.

use std::fmt::Write;

use crate::action::{self, Action};
use crate::buf::{Put, Reader};
use crate::error::OfpError;
use crate::flow_match::Match;
use crate::msg::flow_mod::decode_ofp11_match;
use crate::msg::multipart::{entry, expect_end, format_duration, port_text};
use crate::msg::port_desc::{port_from_of11, port_to_of11};
use crate::port::{PortMap, PortNo};
use crate::version::Version;

/// OFPTT_ALL: every table.
pub const TABLE_ALL: u8 = 0xff;
/// OFPG_ANY in flow requests: no restriction on the output group.
pub const GROUP_ANY: u32 = 0xffff_ffff;
/// Default flow priority (not printed).
pub const DEFAULT_PRIORITY: u16 = 0x8000;

/// Flow flags, with the reference's (OF1.3) bit values.
pub const FF_SEND_FLOW_REM: u16 = 1 << 0;
pub const FF_CHECK_OVERLAP: u16 = 1 << 1;
pub const FF_RESET_COUNTS: u16 = 1 << 2;
pub const FF_NO_PKT_COUNTS: u16 = 1 << 3;
pub const FF_NO_BYT_COUNTS: u16 = 1 << 4;

/// OXS statistics fields (OF1.5, class OFPXSC_OPENFLOW_BASIC).
const OXS_CLASS: u16 = 0x8002;
const OXS_DURATION: u8 = 0;
const OXS_IDLE_TIME: u8 = 1;
const OXS_FLOW_COUNT: u8 = 3;
const OXS_PACKET_COUNT: u8 = 4;
const OXS_BYTE_COUNT: u8 = 5;

/// A flow statistics or aggregate request: which flows to report.
#[derive(Clone, Debug, PartialEq)]
pub struct FlowStatsRequest {
    /// `TABLE_ALL` for every table.
    pub table_id: u8,
    /// Only flows that output to this port (`PortNo::NONE` = any).
    pub out_port: PortNo,
    /// Only flows that output to this group (OF1.1+; `GROUP_ANY` = any).
    pub out_group: u32,
    pub cookie: u64,
    pub cookie_mask: u64,
    pub flow_match: Match,
}

impl Default for FlowStatsRequest {
    fn default() -> FlowStatsRequest {
        FlowStatsRequest {
            table_id: TABLE_ALL,
            out_port: PortNo::NONE,
            out_group: GROUP_ANY,
            cookie: 0,
            cookie_mask: 0,
            flow_match: Match::default(),
        }
    }
}

/// What `dump-flows` / `dump-aggregate` parsed from their argument.
impl From<crate::flow_text::FlowFilter> for FlowStatsRequest {
    fn from(f: crate::flow_text::FlowFilter) -> FlowStatsRequest {
        FlowStatsRequest {
            table_id: f.table_id,
            out_port: f.out_port,
            out_group: f.out_group,
            cookie: f.cookie,
            cookie_mask: f.cookie_mask,
            flow_match: f.m,
        }
    }
}

impl FlowStatsRequest {
    /// OFPST_FLOW / OFPST_AGGREGATE request body in version `v`.
    pub fn decode_std(v: Version, r: &mut Reader) -> Result<FlowStatsRequest, OfpError> {
        let mut q = FlowStatsRequest::default();
        if v == Version::Of10 {
            q.flow_match = Match::decode_of10(r)?;
            q.table_id = r.u8()?;
            r.skip(1)?;
            q.out_port = PortNo(r.be16()?);
        } else {
            q.table_id = r.u8()?;
            r.skip(3)?;
            q.out_port = port_from_of11(r.be32()?)?;
            q.out_group = r.be32()?;
            r.skip(4)?;
            q.cookie = r.be64()?;
            q.cookie_mask = r.be64()?;
            q.flow_match = decode_ofp11_match(v, r)?;
        }
        expect_end(r)?;
        Ok(q)
    }

    pub fn encode_std(&self, v: Version, out: &mut Vec<u8>) {
        if v == Version::Of10 {
            // A match the fixed format cannot express is the caller's
            // mistake (it should have chosen NXST_FLOW); encode what we can.
            let _ = self.flow_match.encode_of10(out);
            out.put_u8(self.table_id);
            out.put_u8(0);
            out.put_be16(self.out_port.0);
        } else {
            out.put_u8(self.table_id);
            out.put_zeros(3);
            out.put_be32(port_to_of11(self.out_port));
            out.put_be32(self.out_group);
            out.put_zeros(4);
            out.put_be64(self.cookie);
            out.put_be64(self.cookie_mask);
            let _ = if v == Version::Of11 {
                self.flow_match.encode_of11(out)
            } else {
                self.flow_match.encode_oxm_match(v, out)
            };
        }
    }

    /// NXST_FLOW / NXST_AGGREGATE request body (OF1.0 with NXM). The
    /// cookie restriction travels in the nx_match (NXM_NX_COOKIE(_W)), as
    /// in NXT_FLOW_MOD; there is no group restriction.
    pub fn decode_nx(r: &mut Reader) -> Result<FlowStatsRequest, OfpError> {
        let out_port = PortNo(r.be16()?);
        let match_len = usize::from(r.be16()?);
        let table_id = r.u8()?;
        r.skip(3)?;
        let (flow_match, cookie) = crate::msg::flow_mod::decode_nxm_with_cookie(r, match_len)?;
        expect_end(r)?;
        let (cookie, cookie_mask) = cookie.unwrap_or((0, 0));
        Ok(FlowStatsRequest {
            table_id,
            out_port,
            flow_match,
            cookie,
            cookie_mask,
            ..FlowStatsRequest::default()
        })
    }

    pub fn encode_nx(&self, out: &mut Vec<u8>) {
        out.put_be16(self.out_port.0);
        let len_at = out.len();
        out.put_be16(0);
        out.put_u8(self.table_id);
        out.put_zeros(3);
        let start = out.len();
        let n = self.flow_match.encode_nxm(out)
            + crate::msg::flow_mod::encode_nxm_cookie(out, self.cookie, self.cookie_mask);
        out.pad_from(start, 8);
        out.patch_be16(len_at, u16::try_from(n).unwrap_or(u16::MAX));
    }

    /// " table=1 out_port=3 ip": what ofp-print shows of a request (the
    /// cookie and group restrictions are not shown).
    pub fn format(&self, out: &mut String, ports: Option<&PortMap>) {
        if self.table_id != TABLE_ALL {
            let _ = write!(out, " table={}", self.table_id);
        }
        if self.out_port != PortNo::NONE {
            let _ = write!(out, " out_port={}", port_text(self.out_port, ports));
        }
        let m = self.flow_match.format(DEFAULT_PRIORITY, ports);
        if !m.is_empty() {
            out.push(' ');
            out.push_str(&m);
        }
    }
}

/// One flow of a flow statistics reply.
#[derive(Clone, Debug, PartialEq)]
pub struct FlowStats {
    pub table_id: u8,
    pub duration_sec: u32,
    pub duration_nsec: u32,
    pub priority: u16,
    pub idle_timeout: u16,
    pub hard_timeout: u16,
    /// FF_* flags (OF1.3+ carry them; earlier versions report none).
    pub flags: u16,
    /// OF1.4+.
    pub importance: u16,
    pub cookie: u64,
    /// `u64::MAX` when the switch does not count.
    pub packet_count: u64,
    pub byte_count: u64,
    /// Seconds since the flow last matched / was last modified, when the
    /// reply says (NXST_FLOW says both, OF1.5 the idle age).
    pub idle_age: Option<u32>,
    pub hard_age: Option<u32>,
    pub flow_match: Match,
    pub actions: Vec<Action>,
}

impl Default for FlowStats {
    fn default() -> FlowStats {
        FlowStats {
            table_id: 0,
            duration_sec: 0,
            duration_nsec: 0,
            priority: DEFAULT_PRIORITY,
            idle_timeout: 0,
            hard_timeout: 0,
            flags: 0,
            importance: 0,
            cookie: 0,
            packet_count: 0,
            byte_count: 0,
            idle_age: None,
            hard_age: None,
            flow_match: Match::default(),
            actions: Vec::new(),
        }
    }
}

/// OF1.0-1.4 `ofp_flow_stats` header lengths.
const OF10_FLOW_STATS_LEN: usize = 88;
const OF11_FLOW_STATS_LEN: usize = 48;
const NX_FLOW_STATS_LEN: usize = 48;
const OF15_FLOW_DESC_LEN: usize = 24;

/// An OF1.1+ flow entry, read as the reference reads it: the fixed part
/// and the match (and OF1.5's statistics) come from the rest of the
/// message whatever the entry's length says, and only the instructions are
/// bounded by it, so a length too short for what precedes them, or past
/// the end of the message, is an instruction length error.
struct InstructionEntry {
    len: usize,
    start: usize,
}

impl InstructionEntry {
    /// Checks the entry's length against its fixed part (`min` bytes) and
    /// returns it with an unbounded reader for the parts before the
    /// instructions.
    fn begin<'a>(r: &Reader<'a>, min: usize) -> Result<(InstructionEntry, Reader<'a>), OfpError> {
        let len = usize::from(r.peek_be16()?);
        if len < min {
            return Err(OfpError::BrcBadLen);
        }
        let e = InstructionEntry {
            len,
            start: r.offset(),
        };
        Ok((e, r.clone()))
    }

    /// Consumes the entry from `r` and returns a reader over its
    /// instructions, given `head`, the reader the parts before them were
    /// read from.
    fn instructions<'a>(&self, r: &mut Reader<'a>, head: &Reader) -> Result<Reader<'a>, OfpError> {
        let used = head.offset() - self.start;
        if self.len > r.remaining() && used <= self.len {
            let avail = r.remaining().saturating_sub(used);
            warn_list_too_long("instructions", self.len - used, avail);
        }
        if self.len > r.remaining() || used > self.len {
            return Err(OfpError::BicBadLen);
        }
        let mut whole = r.sub(self.len)?;
        whole.skip(used)?;
        Ok(whole)
    }
}

/// The checks (and warnings) the reference makes before decoding a flow
/// statistics entry: a whole fixed part left, and a length that covers it.
/// Returns the entry's length.
fn check_entry_head(r: &Reader, fixed: usize, name: &'static str) -> Result<usize, OfpError> {
    let rem = r.remaining();
    if rem < fixed {
        crate::warn::warn("ofp_flow", || {
            format!("{name} reply has {rem} leftover bytes at end")
        });
        return Err(OfpError::BrcBadLen);
    }
    let len = usize::from(r.peek_be16()?);
    // (NXST_FLOW checks its length against the match too, and says so.)
    if len < fixed && name == "OFPST_FLOW" {
        crate::warn::warn("ofp_flow", || {
            format!("OFPST_FLOW reply claims invalid length {len}")
        });
        return Err(OfpError::BrcBadLen);
    }
    Ok(len)
}

/// An entry's action or instruction list is longer than what is left of
/// the message: the reference's two warnings.
fn warn_list_too_long(what: &'static str, len: usize, avail: usize) {
    crate::warn::warn("ofp_actions", || {
        if !len.is_multiple_of(8) {
            format!("OpenFlow message {what} length {len} is not a multiple of 8")
        } else {
            format!(
                "OpenFlow message {what} length {len} exceeds remaining message length ({avail})"
            )
        }
    });
    crate::warn::warn("ofp_flow", || {
        "OFPST_FLOW reply bad instructions".to_string()
    });
}

fn bad_match(e: OfpError) -> OfpError {
    crate::warn::warn("ofp_flow", || "OFPST_FLOW reply bad match".to_string());
    e
}

fn bad_instructions(e: OfpError) -> OfpError {
    crate::warn::warn("ofp_flow", || {
        "OFPST_FLOW reply bad instructions".to_string()
    });
    e
}

/// Flags of a version's wire form, as FF_* bits (OF1.0-1.2 flow stats do
/// not carry flags); unknown bits are OFPFMFC_BAD_FLAGS.
fn flags_from_wire(v: Version, w: u16) -> Result<u16, OfpError> {
    if v < Version::Of13 {
        return Ok(0);
    }
    if w & !0x1f != 0 {
        return Err(OfpError::FmfcBadFlags);
    }
    Ok(w)
}

impl FlowStats {
    /// An OFPST_FLOW reply entry of version `v`.
    pub fn decode_std(v: Version, r: &mut Reader) -> Result<FlowStats, OfpError> {
        let fixed = match v {
            Version::Of10 => OF10_FLOW_STATS_LEN,
            Version::Of15 => OF15_FLOW_DESC_LEN,
            _ => OF11_FLOW_STATS_LEN,
        };
        // The reference's OF1.5 decoder fails with EINVAL, not an OpenFlow
        // error, wherever it warns before the instructions ("<invalid>").
        let of15 = |e| if v == Version::Of15 { OfpError::Eof } else { e };
        let len = check_entry_head(r, fixed, "OFPST_FLOW").map_err(of15)?;
        if v == Version::Of10 && len > r.remaining() {
            // The actions are what does not fit.
            warn_list_too_long("actions", len - fixed, r.remaining() - fixed);
            return Err(OfpError::BrcBadLen);
        }
        match v {
            Version::Of10 => Self::decode_of10(r),
            Version::Of15 => Self::decode_of15(r),
            _ => Self::decode_of11(v, r),
        }
    }

    fn decode_of10(r: &mut Reader) -> Result<FlowStats, OfpError> {
        let mut e = entry(r, OF10_FLOW_STATS_LEN)?;
        e.skip(2)?;
        let mut fs = FlowStats {
            table_id: e.u8()?,
            ..FlowStats::default()
        };
        e.skip(1)?;
        fs.flow_match = Match::decode_of10(&mut e)?;
        fs.duration_sec = e.be32()?;
        fs.duration_nsec = e.be32()?;
        fs.priority = e.be16()?;
        fs.idle_timeout = e.be16()?;
        fs.hard_timeout = e.be16()?;
        e.skip(6)?;
        fs.cookie = e.be64()?;
        fs.packet_count = e.be64()?;
        fs.byte_count = e.be64()?;
        fs.actions =
            action::decode_instructions(Version::Of10, &mut e).map_err(bad_instructions)?;
        Ok(fs)
    }

    fn decode_of11(v: Version, r: &mut Reader) -> Result<FlowStats, OfpError> {
        let (entry, mut e) = InstructionEntry::begin(r, OF11_FLOW_STATS_LEN)?;
        e.skip(2)?;
        let mut fs = FlowStats {
            table_id: e.u8()?,
            ..FlowStats::default()
        };
        e.skip(1)?;
        fs.duration_sec = e.be32()?;
        fs.duration_nsec = e.be32()?;
        fs.priority = e.be16()?;
        fs.idle_timeout = e.be16()?;
        fs.hard_timeout = e.be16()?;
        fs.flags = flags_from_wire(v, e.be16()?)?;
        let importance = e.be16()?;
        if v >= Version::Of14 {
            fs.importance = importance;
        }
        e.skip(2)?;
        fs.cookie = e.be64()?;
        fs.packet_count = e.be64()?;
        fs.byte_count = e.be64()?;
        fs.flow_match = decode_ofp11_match(v, &mut e).map_err(bad_match)?;
        let mut inst = entry.instructions(r, &e)?;
        fs.actions = action::decode_instructions(v, &mut inst).map_err(bad_instructions)?;
        Ok(fs)
    }

    fn decode_of15(r: &mut Reader) -> Result<FlowStats, OfpError> {
        let v = Version::Of15;
        let (entry, mut e) = InstructionEntry::begin(r, OF15_FLOW_DESC_LEN)?;
        e.skip(4)?; // length, pad
        let mut fs = FlowStats {
            table_id: e.u8()?,
            ..FlowStats::default()
        };
        e.skip(1)?;
        fs.priority = e.be16()?;
        fs.idle_timeout = e.be16()?;
        fs.hard_timeout = e.be16()?;
        fs.flags = flags_from_wire(v, e.be16()?)?;
        fs.importance = e.be16()?;
        fs.cookie = e.be64()?;
        fs.flow_match = decode_ofp11_match(v, &mut e).map_err(|e| {
            bad_match(e);
            OfpError::Eof
        })?;
        let stats = decode_oxs(&mut e).map_err(|_| {
            crate::warn::warn("ofp_flow", || "OXS OFPST_FLOW reply bad stats".to_string());
            OfpError::Eof
        })?;
        fs.duration_sec = stats.duration.0;
        fs.duration_nsec = stats.duration.1;
        fs.idle_age = stats.idle_time.map(|(s, _)| s);
        fs.packet_count = stats.packet_count;
        fs.byte_count = stats.byte_count;
        let mut inst = entry.instructions(r, &e)?;
        fs.actions = action::decode_instructions(v, &mut inst).map_err(bad_instructions)?;
        Ok(fs)
    }

    /// An NXST_FLOW reply entry.
    pub fn decode_nx(r: &mut Reader) -> Result<FlowStats, OfpError> {
        let len = check_entry_head(r, NX_FLOW_STATS_LEN, "NXST_FLOW")?;
        let match_len = r
            .rest()
            .get(18..20)
            .map_or(0, |b| usize::from(u16::from_be_bytes([b[0], b[1]])));
        let head = NX_FLOW_STATS_LEN + match_len.div_ceil(8) * 8;
        if len < head {
            crate::warn::warn("ofp_flow", || {
                format!("NXST_FLOW reply with match_len={match_len} claims invalid length {len}")
            });
            return Err(OfpError::BrcBadLen);
        }
        if head > r.remaining() {
            // The match is pulled first; it does not fit (logged at debug
            // level only by the reference).
            return Err(OfpError::BmcBadLen);
        }
        if len > r.remaining() {
            warn_list_too_long("actions", len - head, r.remaining() - head);
            return Err(OfpError::BrcBadLen);
        }
        let mut e = entry(r, NX_FLOW_STATS_LEN)?;
        e.skip(2)?;
        let mut fs = FlowStats {
            table_id: e.u8()?,
            ..FlowStats::default()
        };
        e.skip(1)?;
        fs.duration_sec = e.be32()?;
        fs.duration_nsec = e.be32()?;
        fs.priority = e.be16()?;
        fs.idle_timeout = e.be16()?;
        fs.hard_timeout = e.be16()?;
        let match_len = usize::from(e.be16()?);
        // Ages are sent plus one, so that 0 can mean "unknown".
        let age = |a: u16| a.checked_sub(1).map(u32::from);
        fs.idle_age = age(e.be16()?);
        fs.hard_age = age(e.be16()?);
        fs.cookie = e.be64()?;
        fs.packet_count = e.be64()?;
        fs.byte_count = e.be64()?;
        if match_len.div_ceil(8) * 8 > e.remaining() {
            return Err(OfpError::BrcBadLen);
        }
        fs.flow_match = Match::decode_nxm(&mut e, match_len)?;
        e.skip(match_len.div_ceil(8) * 8 - match_len)?;
        fs.actions =
            action::decode_instructions(Version::Of10, &mut e).map_err(bad_instructions)?;
        Ok(fs)
    }

    /// Encodes an OFPST_FLOW reply entry of version `v`.
    pub fn encode_std(&self, v: Version, out: &mut Vec<u8>) {
        let start = out.len();
        out.put_be16(0);
        match v {
            Version::Of10 => {
                out.put_u8(self.table_id);
                out.put_u8(0);
                let _ = self.flow_match.encode_of10(out);
                out.put_be32(self.duration_sec);
                out.put_be32(self.duration_nsec);
                out.put_be16(self.priority);
                out.put_be16(self.idle_timeout);
                out.put_be16(self.hard_timeout);
                out.put_zeros(6);
                out.put_be64(self.cookie);
                out.put_be64(self.packet_count);
                out.put_be64(self.byte_count);
                action::encode_actions(v, &self.actions, out);
            }
            Version::Of15 => {
                out.put_zeros(2);
                out.put_u8(self.table_id);
                out.put_u8(0);
                out.put_be16(self.priority);
                out.put_be16(self.idle_timeout);
                out.put_be16(self.hard_timeout);
                out.put_be16(self.flags);
                out.put_be16(self.importance);
                out.put_be64(self.cookie);
                let _ = self.flow_match.encode_oxm_match(v, out);
                encode_oxs(
                    out,
                    &OxsStats {
                        duration: (self.duration_sec, self.duration_nsec),
                        idle_time: self.idle_age.map(|s| (s, 0)),
                        flow_count: None,
                        packet_count: self.packet_count,
                        byte_count: self.byte_count,
                    },
                );
                action::encode_instructions(v, &self.actions, out);
            }
            _ => {
                out.put_u8(self.table_id);
                out.put_u8(0);
                out.put_be32(self.duration_sec);
                out.put_be32(self.duration_nsec);
                out.put_be16(self.priority);
                out.put_be16(self.idle_timeout);
                out.put_be16(self.hard_timeout);
                out.put_be16(if v >= Version::Of13 { self.flags } else { 0 });
                out.put_be16(if v >= Version::Of14 {
                    self.importance
                } else {
                    0
                });
                out.put_zeros(2);
                out.put_be64(self.cookie);
                out.put_be64(self.packet_count);
                out.put_be64(self.byte_count);
                // Even in OF1.1 the reference's replies carry OXM matches.
                let _ = self.flow_match.encode_oxm_match(v, out);
                action::encode_instructions(v, &self.actions, out);
            }
        }
        let len = out.len() - start;
        out.patch_be16(start, u16::try_from(len).unwrap_or(u16::MAX));
    }

    /// Encodes an NXST_FLOW reply entry.
    pub fn encode_nx(&self, out: &mut Vec<u8>) {
        let start = out.len();
        out.put_be16(0);
        out.put_u8(self.table_id);
        out.put_u8(0);
        out.put_be32(self.duration_sec);
        out.put_be32(self.duration_nsec);
        out.put_be16(self.priority);
        out.put_be16(self.idle_timeout);
        out.put_be16(self.hard_timeout);
        let match_len_at = out.len();
        out.put_be16(0);
        let age = |a: Option<u32>| {
            a.map_or(0, |s| {
                u16::try_from(s.saturating_add(1)).unwrap_or(u16::MAX)
            })
        };
        out.put_be16(age(self.idle_age));
        out.put_be16(age(self.hard_age));
        out.put_be64(self.cookie);
        out.put_be64(self.packet_count);
        out.put_be64(self.byte_count);
        let m = out.len();
        let n = self.flow_match.encode_nxm(out);
        out.pad_from(m, 8);
        out.patch_be16(match_len_at, u16::try_from(n).unwrap_or(u16::MAX));
        action::encode_actions(Version::Of10, &self.actions, out);
        let len = out.len() - start;
        out.patch_be16(start, u16::try_from(len).unwrap_or(u16::MAX));
    }

    /// The `dump-flows` line for this flow, with its leading space and
    /// without a newline: " cookie=0x0, duration=5.123s, table=0,
    /// n_packets=0, n_bytes=0, idle_age=5, priority=0 actions=NORMAL".
    pub fn format(&self, out: &mut String, opts: &FlowFormat) {
        let start = out.len();
        out.push(' ');
        if opts.show_stats || self.cookie != 0 {
            let _ = write!(out, "cookie=0x{:x}, ", self.cookie);
        }
        if opts.show_stats {
            out.push_str("duration=");
            format_duration(out, self.duration_sec, self.duration_nsec);
            out.push_str(", ");
        }
        if opts.show_stats || self.table_id != 0 {
            let _ = write!(out, "table={}, ", self.table_id);
        }
        if opts.show_stats {
            // All ones means "unknown" (OF1.5's OXS may say so).
            let count = |n: u64| {
                if n == u64::MAX {
                    "?".to_string()
                } else {
                    n.to_string()
                }
            };
            let _ = write!(
                out,
                "n_packets={}, n_bytes={}, ",
                count(self.packet_count),
                count(self.byte_count)
            );
        }
        if self.idle_timeout != 0 {
            let _ = write!(out, "idle_timeout={}, ", self.idle_timeout);
        }
        if self.hard_timeout != 0 {
            let _ = write!(out, "hard_timeout={}, ", self.hard_timeout);
        }
        format_flow_flags(out, self.flags);
        if self.importance != 0 {
            let _ = write!(out, "importance={}, ", self.importance);
        }
        if opts.show_stats {
            // The reference keeps ages as C ints: one beyond i32 (OF1.5's
            // OXS idle time is 32 bits) counts as "unknown".
            if let Some(a) = self.idle_age.filter(|a| i32::try_from(*a).is_ok()) {
                let _ = write!(out, "idle_age={a}, ");
            }
            if let Some(a) = self.hard_age {
                if a != self.duration_sec {
                    let _ = write!(out, "hard_age={a}, ");
                }
            }
        }
        out.push_str(&self.flow_match.format(self.priority, opts.ports));
        if !out[start..].ends_with(' ') {
            out.push(' ');
        }
        out.push_str("actions=");
        out.push_str(&action::format_actions(&self.actions, opts.ports));
    }
}

/// Flow flags as the flow line shows them, each followed by a space.
pub fn format_flow_flags(out: &mut String, flags: u16) {
    for (bit, name) in [
        (FF_SEND_FLOW_REM, "send_flow_rem"),
        (FF_CHECK_OVERLAP, "check_overlap"),
        (FF_RESET_COUNTS, "reset_counts"),
        (FF_NO_PKT_COUNTS, "no_packet_counts"),
        (FF_NO_BYT_COUNTS, "no_byte_counts"),
    ] {
        if flags & bit != 0 {
            out.push_str(name);
            out.push(' ');
        }
    }
    let unknown = flags & !0x1f;
    if unknown != 0 {
        let _ = write!(out, "flags:0x{unknown:x} ");
    }
}

/// How to print a flow line: with statistics (`dump-flows`) or without
/// (`--no-stats`), with port names (`--names`) or numbers.
#[derive(Clone, Copy, Debug, Default)]
pub struct FlowFormat<'a> {
    pub show_stats: bool,
    pub ports: Option<&'a PortMap>,
}

impl<'a> FlowFormat<'a> {
    /// What ofp-print uses: statistics shown.
    pub fn ofp_print(ports: Option<&'a PortMap>) -> FlowFormat<'a> {
        FlowFormat {
            show_stats: true,
            ports,
        }
    }
}

/// The OXS statistics of OF1.5 flow and aggregate replies.
#[derive(Clone, Debug, PartialEq, Eq)]
struct OxsStats {
    duration: (u32, u32),
    idle_time: Option<(u32, u32)>,
    flow_count: Option<u32>,
    packet_count: u64,
    byte_count: u64,
}

/// An `ofp_stats` (reserved, length, OXS fields) padded to 8 bytes. Fields
/// the reference does not know are skipped, as it skips them.
fn decode_oxs(r: &mut Reader) -> Result<OxsStats, OfpError> {
    let mut st = OxsStats {
        duration: (0, 0),
        idle_time: None,
        flow_count: None,
        packet_count: u64::MAX,
        byte_count: u64::MAX,
    };
    r.skip(2).map_err(|_| OfpError::BmcBadLen)?;
    let len = usize::from(r.be16().map_err(|_| OfpError::BmcBadLen)?);
    if len < 4 {
        return Err(OfpError::BmcBadLen);
    }
    let mut s = r.sub(len - 4).map_err(|_| OfpError::BmcBadLen)?;
    r.skip(len.div_ceil(8) * 8 - len)
        .map_err(|_| OfpError::BmcBadLen)?;
    while !s.is_empty() {
        let h = s.be32().map_err(|_| OfpError::BmcBadLen)?;
        let class = (h >> 16) as u16;
        // Bit 8 is reserved: a header with it set names no known field.
        let field = if h & 0x100 == 0 {
            ((h >> 9) & 0x7f) as u8
        } else {
            0xff
        };
        let flen = (h & 0xff) as usize;
        let mut f = s.sub(flen).map_err(|_| OfpError::BmcBadLen)?;
        if class != OXS_CLASS {
            continue;
        }
        match (field, flen) {
            (OXS_DURATION, 8) => st.duration = (f.be32()?, f.be32()?),
            (OXS_IDLE_TIME, 8) => st.idle_time = Some((f.be32()?, f.be32()?)),
            (OXS_FLOW_COUNT, 4) => st.flow_count = Some(f.be32()?),
            (OXS_PACKET_COUNT, 8) => st.packet_count = f.be64()?,
            (OXS_BYTE_COUNT, 8) => st.byte_count = f.be64()?,
            // Unknown fields, and known ones of the wrong length, are skipped.
            _ => {}
        }
    }
    Ok(st)
}

fn oxs_header(out: &mut Vec<u8>, field: u8, len: u8) {
    out.put_be32((u32::from(OXS_CLASS) << 16) | (u32::from(field) << 9) | u32::from(len));
}

fn encode_oxs(out: &mut Vec<u8>, st: &OxsStats) {
    let start = out.len();
    out.put_be16(0);
    out.put_be16(0);
    if st.flow_count.is_none() {
        oxs_header(out, OXS_DURATION, 8);
        out.put_be32(st.duration.0);
        out.put_be32(st.duration.1);
    }
    if let Some((s, ns)) = st.idle_time {
        oxs_header(out, OXS_IDLE_TIME, 8);
        out.put_be32(s);
        out.put_be32(ns);
    }
    if st.packet_count != u64::MAX {
        oxs_header(out, OXS_PACKET_COUNT, 8);
        out.put_be64(st.packet_count);
    }
    if st.byte_count != u64::MAX {
        oxs_header(out, OXS_BYTE_COUNT, 8);
        out.put_be64(st.byte_count);
    }
    if let Some(n) = st.flow_count {
        oxs_header(out, OXS_FLOW_COUNT, 4);
        out.put_be32(n);
    }
    let len = out.len() - start;
    out.patch_be16(start + 2, u16::try_from(len).unwrap_or(u16::MAX));
    out.pad_from(start, 8);
}

/// An aggregate statistics reply.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct AggregateStats {
    pub packet_count: u64,
    pub byte_count: u64,
    pub flow_count: u32,
}

impl AggregateStats {
    pub fn decode(v: Version, r: &mut Reader) -> Result<AggregateStats, OfpError> {
        if v >= Version::Of15 {
            let st = decode_oxs(r)?;
            expect_end(r)?;
            return Ok(AggregateStats {
                packet_count: st.packet_count,
                byte_count: st.byte_count,
                flow_count: st.flow_count.unwrap_or(u32::MAX),
            });
        }
        let a = AggregateStats {
            packet_count: r.be64()?,
            byte_count: r.be64()?,
            flow_count: r.be32()?,
        };
        r.skip(4)?;
        expect_end(r)?;
        Ok(a)
    }

    pub fn encode(&self, v: Version, out: &mut Vec<u8>) {
        if v >= Version::Of15 {
            encode_oxs(
                out,
                &OxsStats {
                    duration: (0, 0),
                    idle_time: None,
                    flow_count: Some(self.flow_count),
                    packet_count: self.packet_count,
                    byte_count: self.byte_count,
                },
            );
            return;
        }
        out.put_be64(self.packet_count);
        out.put_be64(self.byte_count);
        out.put_be32(self.flow_count);
        out.put_zeros(4);
    }

    pub fn format(&self, out: &mut String) {
        let _ = write!(
            out,
            " packet_count={} byte_count={} flow_count={}",
            self.packet_count, self.byte_count, self.flow_count
        );
    }
}
