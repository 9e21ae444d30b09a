//! Flow table modifications: OFPT_FLOW_MOD in every version (OF1.0's fixed
//! match, optionally with the Nicira "table id in the command's high byte"
//! extension; OF1.1's standard match; OXM in OF1.2+) and NXT_FLOW_MOD (NXM),
//! all decoded to one [`FlowMod`] and printed as `ovs-ofctl ofp-print` does.
//!
//! The model follows the reference's: a flow mod has a cookie to *match*
//! (`cookie` under `cookie_mask`) and a cookie to *set* (`new_cookie`,
//! `u64::MAX` meaning "leave it"), because the wire formats carry one or the
//! other depending on version and command.

mod raw_match;

use std::fmt::Write;

use crate::action::{self, Action};
use crate::buf::{Put, Reader};
use crate::error::OfpError;
use crate::flow_match::Match;
use crate::msg::port_desc::{port_from_of11, port_to_of11};
use crate::msg::raw::{OfpType, NXT_FLOW_MOD};
use crate::msg::{finish, start_nx, start_type};
use crate::port::{PortMap, PortNo};
use crate::protocol::Protocols;
use crate::version::Version;

/// OFPTT_ALL: every table (deletes) or "not specified".
pub const TABLE_ALL: u8 = 0xff;
/// OFPG_ANY: no output-group restriction.
pub const GROUP_ANY: u32 = 0xffff_ffff;
/// No buffered packet.
pub const NO_BUFFER: u32 = 0xffff_ffff;
/// The priority flows get when none is given (not printed).
pub const DEFAULT_PRIORITY: u16 = 0x8000;

/// Flow flags. The values are the OF1.3 wire bits; older versions carry a
/// subset (OF1.0/1.1: the first two, OF1.2: the first three).
pub const FF_SEND_FLOW_REM: u16 = 1 << 0;
pub const FF_CHECK_OVERLAP: u16 = 1 << 1;
pub const FF_RESET_COUNTS: u16 = 1 << 2;
pub const FF_NO_PKT_COUNTS: u16 = 1 << 3;
pub const FF_NO_BYT_COUNTS: u16 = 1 << 4;
/// OF1.0's OFPFF_EMERG: never accepted, but decoded to report the right error.
const OF10_FF_EMERG: u16 = 1 << 2;

const FLAG_NAMES: [(u16, &str); 5] = [
    (FF_SEND_FLOW_REM, "send_flow_rem"),
    (FF_CHECK_OVERLAP, "check_overlap"),
    (FF_RESET_COUNTS, "reset_counts"),
    (FF_NO_PKT_COUNTS, "no_packet_counts"),
    (FF_NO_BYT_COUNTS, "no_byte_counts"),
];

/// The flag bits version `v` (or NXM, as OF1.0) can carry.
fn wire_flags(v: Version) -> u16 {
    match v {
        Version::Of10 | Version::Of11 => FF_SEND_FLOW_REM | FF_CHECK_OVERLAP,
        Version::Of12 => FF_SEND_FLOW_REM | FF_CHECK_OVERLAP | FF_RESET_COUNTS,
        _ => 0x1f,
    }
}

/// Appends each set flag's name followed by a space, as flow mods and flow
/// lines print them; unknown bits as "flags:0x..".
pub fn format_flags(out: &mut String, flags: u16) {
    let mut known = 0;
    for (bit, name) in FLAG_NAMES {
        known |= bit;
        if flags & bit != 0 {
            out.push_str(name);
            out.push(' ');
        }
    }
    if flags & !known != 0 {
        let _ = write!(out, "flags:0x{:x} ", flags & !known);
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FlowModCommand {
    Add,
    Modify,
    ModifyStrict,
    Delete,
    DeleteStrict,
}

impl FlowModCommand {
    pub const ALL: [FlowModCommand; 5] = [
        FlowModCommand::Add,
        FlowModCommand::Modify,
        FlowModCommand::ModifyStrict,
        FlowModCommand::Delete,
        FlowModCommand::DeleteStrict,
    ];

    /// OFPFC_* (the same numbers in every version).
    pub fn wire(self) -> u8 {
        self as u8
    }

    pub fn from_wire(c: u8) -> Option<FlowModCommand> {
        Self::ALL.get(usize::from(c)).copied()
    }

    /// The name ofp-print uses: "ADD", "MOD_STRICT".
    pub fn name(self) -> &'static str {
        match self {
            FlowModCommand::Add => "ADD",
            FlowModCommand::Modify => "MOD",
            FlowModCommand::ModifyStrict => "MOD_STRICT",
            FlowModCommand::Delete => "DEL",
            FlowModCommand::DeleteStrict => "DEL_STRICT",
        }
    }

    pub fn is_delete(self) -> bool {
        matches!(self, FlowModCommand::Delete | FlowModCommand::DeleteStrict)
    }

    pub fn is_modify(self) -> bool {
        matches!(self, FlowModCommand::Modify | FlowModCommand::ModifyStrict)
    }
}

/// One flow table modification, independent of the wire format.
#[derive(Clone, Debug, PartialEq)]
pub struct FlowMod {
    pub command: FlowModCommand,
    /// [`TABLE_ALL`] when not specified (or all tables, for deletes).
    pub table_id: u8,
    pub priority: u16,
    /// The cookie flows must have (under `cookie_mask`) to be modified or deleted.
    pub cookie: u64,
    pub cookie_mask: u64,
    /// The cookie to give added or modified flows; `u64::MAX` leaves it.
    pub new_cookie: u64,
    /// Whether `new_cookie` was given explicitly (text syntax only).
    pub modify_cookie: bool,
    pub idle_timeout: u16,
    pub hard_timeout: u16,
    /// Eviction importance (OF1.4+ adds).
    pub importance: u16,
    pub buffer_id: u32,
    /// Deletes: only flows that output to this port ([`PortNo::NONE`] = any).
    pub out_port: PortNo,
    /// Deletes (OF1.1+): only flows that output to this group ([`GROUP_ANY`] = any).
    pub out_group: u32,
    /// `FF_*` bits.
    pub flags: u16,
    pub flow_match: Match,
    /// Actions and instructions, as one list (see `crate::action`).
    pub actions: Vec<Action>,
}

impl FlowMod {
    /// A flow mod with every field at the text syntax's default.
    pub fn new(command: FlowModCommand) -> FlowMod {
        FlowMod {
            command,
            table_id: TABLE_ALL,
            priority: DEFAULT_PRIORITY,
            cookie: 0,
            cookie_mask: 0,
            new_cookie: if command.is_modify() { u64::MAX } else { 0 },
            modify_cookie: false,
            idle_timeout: 0,
            hard_timeout: 0,
            importance: 0,
            buffer_id: NO_BUFFER,
            out_port: PortNo::NONE,
            out_group: GROUP_ANY,
            flags: 0,
            flow_match: Match::default(),
            actions: Vec::new(),
        }
    }

    /// Decodes an OFPT_FLOW_MOD body (after the header) of version `v`. For
    /// OF1.0 the command's high byte is taken as the table id, as ofp-print
    /// and switches that enabled NXT_FLOW_MOD_TABLE_ID do.
    pub fn decode(v: Version, body: &mut Reader) -> Result<FlowMod, OfpError> {
        Self::decode_tid(v, body, true)
    }

    /// [`FlowMod::decode`] with the OF1.0 table-id extension on or off (off:
    /// the table is [`TABLE_ALL`] and a nonzero high byte is ignored).
    pub fn decode_tid(v: Version, body: &mut Reader, tid: bool) -> Result<FlowMod, OfpError> {
        if v == Version::Of10 {
            decode_of10(body, tid)
        } else {
            decode_of11(v, body)
        }
    }

    /// Decodes an NXT_FLOW_MOD body (after the 16-byte Nicira header).
    pub fn decode_nx(v: Version, body: &mut Reader) -> Result<FlowMod, OfpError> {
        Self::decode_nx_tid(v, body, true)
    }

    pub fn decode_nx_tid(v: Version, body: &mut Reader, tid: bool) -> Result<FlowMod, OfpError> {
        check_len(body, 32, 8)?;
        let cookie = body.be64()?;
        let command = body.be16()?;
        let idle_timeout = body.be16()?;
        let hard_timeout = body.be16()?;
        let priority = body.be16()?;
        let buffer_id = body.be32()?;
        let out_port = PortNo(body.be16()?);
        let raw_flags = body.be16()?;
        let match_len = usize::from(body.be16()?);
        body.skip(6)?;
        let (flow_match, match_cookie) = decode_nxm_with_cookie(body, match_len)?;
        // OF1.0 action lists may carry Nicira instructions (write_metadata, ...).
        let actions = action::decode_instructions(v, body)?;
        let (command, table_id) = split_command(command, tid)?;
        let (cookie_value, cookie_mask) = match_cookie.unwrap_or((0, 0));
        if command == FlowModCommand::Add && cookie_mask != 0 {
            // Additions may set a cookie but not match one.
            return Err(OfpError::NxbrcNxmInvalid);
        }
        let mut fm = FlowMod {
            command,
            table_id,
            priority,
            cookie: cookie_value,
            cookie_mask,
            new_cookie: cookie,
            modify_cookie: cookie != u64::MAX,
            idle_timeout,
            hard_timeout,
            importance: 0,
            buffer_id,
            out_port,
            out_group: GROUP_ANY,
            flags: 0,
            flow_match,
            actions,
        };
        fm.flags = decode_flags(Version::Of10, raw_flags, &fm)?;
        check_consistency(&mut fm, v)?;
        Ok(fm)
    }

    /// The whole message for `protocol`: NXT_FLOW_MOD for the OF1.0 NXM
    /// flavours, OFPT_FLOW_MOD otherwise (with the table id in the command's
    /// high byte for the "+table_id" flavours).
    pub fn encode(&self, protocol: Protocols, xid: u32, out: &mut Vec<u8>) {
        let v = protocol.version().unwrap_or(Version::Of10);
        let tid = protocol.intersects(Protocols::OF10_STD_TID.union(Protocols::OF10_NXM_TID));
        self.flow_match.report_unnormalized();
        if protocol.intersects(Protocols::OF10_NXM_ANY) {
            self.encode_nx(v, tid, xid, out);
        } else if v == Version::Of10 {
            self.encode_of10(tid, xid, out);
        } else {
            self.encode_of11(v, xid, out);
        }
    }

    /// The 16-bit command field of OF1.0 and NXM, with the table id in its
    /// high byte when the protocol carries it.
    fn tid_command(&self, tid: bool) -> u16 {
        let cmd = u16::from(self.command.wire());
        if tid {
            cmd | (u16::from(self.table_id) << 8)
        } else {
            cmd
        }
    }

    fn encode_of10(&self, tid: bool, xid: u32, out: &mut Vec<u8>) {
        let v = Version::Of10;
        let at = start_type(out, v, OfpType::FlowMod, xid);
        let _ = self.flow_match.encode_of10(out);
        out.put_be64(self.new_cookie);
        out.put_be16(self.tid_command(tid));
        self.put_times_and_port(out);
        out.put_be16(self.flags & wire_flags(v));
        action::encode_actions(v, &self.actions, out);
        finish(out, at);
    }

    fn put_times_and_port(&self, out: &mut Vec<u8>) {
        out.put_be16(self.idle_timeout);
        out.put_be16(self.hard_timeout);
        out.put_be16(self.priority);
        out.put_be32(self.buffer_id);
        out.put_be16(self.out_port.0);
    }

    fn encode_nx(&self, v: Version, tid: bool, xid: u32, out: &mut Vec<u8>) {
        let at = start_nx(out, v, NXT_FLOW_MOD, xid);
        out.put_be64(self.new_cookie);
        out.put_be16(self.tid_command(tid));
        self.put_times_and_port(out);
        out.put_be16(self.flags & wire_flags(Version::Of10));
        let len_at = out.len();
        out.put_be16(0);
        out.put_zeros(6);
        let match_start = out.len();
        let mut match_len = self.flow_match.encode_nxm(out);
        match_len += encode_nxm_cookie(out, self.cookie, self.cookie_mask);
        out.patch_be16(len_at, u16::try_from(match_len).unwrap_or(u16::MAX));
        out.pad_from(match_start, 8);
        action::encode_actions(v, &self.actions, out);
        finish(out, at);
    }

    fn encode_of11(&self, v: Version, xid: u32, out: &mut Vec<u8>) {
        let at = start_type(out, v, OfpType::FlowMod, xid);
        // OF1.1 treats a modify without a cookie mask as a possible add, so
        // its cookie field is the new cookie then, as for adds.
        let sets_cookie = self.command == FlowModCommand::Add
            || (v == Version::Of11 && self.command.is_modify() && self.cookie_mask == 0);
        if sets_cookie {
            out.put_be64(self.new_cookie);
        } else {
            out.put_be64(self.cookie & self.cookie_mask);
        }
        out.put_be64(self.cookie_mask);
        // "All tables" is only expressible for OF1.2+ deletes; elsewhere an
        // unspecified table means table 0.
        let table =
            if self.table_id != TABLE_ALL || (v != Version::Of11 && self.command.is_delete()) {
                self.table_id
            } else {
                0
            };
        out.put_u8(table);
        out.put_u8(self.command.wire());
        out.put_be16(self.idle_timeout);
        out.put_be16(self.hard_timeout);
        out.put_be16(self.priority);
        out.put_be32(self.buffer_id);
        out.put_be32(port_to_of11(self.out_port));
        out.put_be32(self.out_group);
        out.put_be16(self.flags & wire_flags(v));
        out.put_be16(if v >= Version::Of14 {
            self.importance
        } else {
            0
        });
        if v == Version::Of11 {
            let _ = self.flow_match.encode_of11(out);
        } else {
            let _ = self.flow_match.encode_oxm_match(v, out);
        }
        action::encode_instructions(v, &self.actions, out);
        finish(out, at);
    }

    /// What ofp-print prints after "OFPT_FLOW_MOD (xid=0x1):", e.g.
    /// " ADD table:1 priority=5,tcp cookie:0x10 idle:10 send_flow_rem actions=drop".
    pub fn format(&self, out: &mut String, ports: Option<&PortMap>) {
        self.format_with(out, ports, None);
    }

    /// [`FlowMod::format`] at `verbosity`, given the whole message it was
    /// decoded from: from verbosity 3 on, ofp-print shows OF1.0 and NXM
    /// matches as they are on the wire (wildcards as "*", NXM TLVs by name),
    /// with the priority then printed separately as "pri:N".
    pub fn format_verbose(
        &self,
        out: &mut String,
        ports: Option<&PortMap>,
        verbosity: u32,
        whole: &[u8],
    ) {
        let raw = if verbosity >= 3 {
            raw_match::raw_match_text(whole, ports)
        } else {
            None
        };
        self.format_with(out, ports, raw);
    }

    fn format_with(&self, out: &mut String, ports: Option<&PortMap>, raw_match: Option<String>) {
        out.push(' ');
        out.push_str(self.command.name());
        out.push(' ');
        if self.table_id != 0 {
            let _ = write!(out, "table:{} ", self.table_id);
        }
        let need_priority = raw_match.is_some();
        match raw_match {
            Some(m) => out.push_str(&m),
            None => out.push_str(&self.flow_match.format(self.priority, ports)),
        }
        if !out.ends_with(' ') {
            out.push(' ');
        }
        if self.new_cookie != 0 && self.new_cookie != u64::MAX {
            let _ = write!(out, "cookie:0x{:x} ", self.new_cookie);
        }
        if self.cookie_mask != 0 {
            let _ = write!(out, "cookie:0x{:x}/0x{:x} ", self.cookie, self.cookie_mask);
        }
        if self.idle_timeout != 0 {
            let _ = write!(out, "idle:{} ", self.idle_timeout);
        }
        if self.hard_timeout != 0 {
            let _ = write!(out, "hard:{} ", self.hard_timeout);
        }
        if self.importance != 0 {
            let _ = write!(out, "importance:{} ", self.importance);
        }
        if need_priority && self.priority != DEFAULT_PRIORITY {
            let _ = write!(out, "pri:{} ", self.priority);
        }
        if self.buffer_id != NO_BUFFER {
            let _ = write!(out, "buf:0x{:x} ", self.buffer_id);
        }
        if self.out_port != PortNo::NONE {
            let _ = write!(out, "out_port:{} ", port_text(self.out_port, ports));
        }
        format_flags(out, self.flags);
        out.push_str("actions=");
        out.push_str(&action::format_actions(&self.actions, ports));
    }
}

/// A port as printed: its name under `--names` when it has one, else the
/// number or reserved name.
pub(crate) fn port_text(p: PortNo, ports: Option<&PortMap>) -> String {
    if p.reserved_name().is_none() {
        if let Some(name) = ports.and_then(|m| m.name(p)) {
            return crate::port::quote_port_name(name);
        }
    }
    p.to_string()
}

/// Checks a body's length as the reference checks every message's before
/// decoding it: a fixed part of `min` bytes, then whole `align`-byte units.
pub(crate) fn check_len(body: &Reader, min: usize, align: usize) -> Result<(), OfpError> {
    let n = body.remaining();
    if n < min || !(n - min).is_multiple_of(align) {
        Err(OfpError::BrcBadLen)
    } else {
        Ok(())
    }
}

/// Command and table id from the 16-bit OF1.0/NXM command field.
fn split_command(raw: u16, tid: bool) -> Result<(FlowModCommand, u8), OfpError> {
    let table_id = if tid { (raw >> 8) as u8 } else { TABLE_ALL };
    let command = FlowModCommand::from_wire((raw & 0xff) as u8).ok_or(OfpError::FmfcBadCommand)?;
    Ok((command, table_id))
}

/// The reference checks a decoded flow mod's actions against its match
/// (and ports and tables) as a switch would, in the protocols of the
/// message's version: OpenFlow 1.0 tolerates actions the match makes
/// meaningless, later versions reject them (OFPBAC_MATCH_INCONSISTENT).
/// ofp-print decodes with any port below OFPP_MAX valid and 255 tables.
fn check_consistency(fm: &mut FlowMod, v: Version) -> Result<(), OfpError> {
    let cx = action::CheckContext {
        max_ports: PortNo::MAX,
        table_id: fm.table_id,
        n_tables: u8::MAX,
    };
    let mut usable = Protocols::of_version(v);
    action::check_actions(&mut fm.actions, &fm.flow_match, &cx, &mut usable)?;
    if usable.is_empty() {
        return Err(OfpError::BacMatchInconsistent);
    }
    Ok(())
}

/// Checks wire flags against what version `v` defines.
fn decode_flags(v: Version, raw: u16, fm: &FlowMod) -> Result<u16, OfpError> {
    let known = if v == Version::Of10 {
        wire_flags(v) | OF10_FF_EMERG
    } else {
        wire_flags(v)
    };
    if raw & !known != 0 {
        return Err(OfpError::FmfcBadFlags);
    }
    if v == Version::Of10 && raw & OF10_FF_EMERG != 0 {
        // The emergency flow cache is not supported; OF1.0 names the error
        // for emergency flows with timeouts, the rest have no better code.
        return Err(if fm.idle_timeout != 0 || fm.hard_timeout != 0 {
            OfpError::FmfcBadEmergTimeout
        } else {
            OfpError::FmfcTableFull
        });
    }
    Ok(raw)
}

fn decode_of10(body: &mut Reader, tid: bool) -> Result<FlowMod, OfpError> {
    check_len(body, 64, 8)?;
    // OF1.0 gives exact-match flows (no wildcard bits) the top priority.
    let wildcards = body.peek_be32()?;
    // The reference drops fields whose prerequisites the match lacks (a
    // tp_dst without tcp) from OF1.0 flow mods, and only from those.
    let mut flow_match = Match::decode_of10(body)?;
    flow_match.normalize_reported();
    let new_cookie = body.be64()?;
    let command = body.be16()?;
    let idle_timeout = body.be16()?;
    let hard_timeout = body.be16()?;
    let priority = body.be16()?;
    let buffer_id = body.be32()?;
    let out_port = PortNo(body.be16()?);
    let raw_flags = body.be16()?;
    let actions = action::decode_instructions(Version::Of10, body)?;
    let (command, table_id) = split_command(command, tid)?;
    let mut fm = FlowMod {
        command,
        table_id,
        priority: if wildcards & OF10_WILDCARD_ALL != 0 {
            priority
        } else {
            u16::MAX
        },
        cookie: 0,
        cookie_mask: 0,
        new_cookie,
        modify_cookie: new_cookie != u64::MAX,
        idle_timeout,
        hard_timeout,
        importance: 0,
        buffer_id,
        out_port,
        out_group: GROUP_ANY,
        flags: 0,
        flow_match,
        actions,
    };
    fm.flags = decode_flags(Version::Of10, raw_flags, &fm)?;
    check_consistency(&mut fm, Version::Of10)?;
    Ok(fm)
}

/// OFPFW10_ALL: every wildcard bit of the OF1.0 match.
const OF10_WILDCARD_ALL: u32 = (1 << 22) - 1;

fn decode_of11(v: Version, body: &mut Reader) -> Result<FlowMod, OfpError> {
    check_len(body, 40, 8)?;
    let cookie = body.be64()?;
    let cookie_mask = body.be64()?;
    let table_id = body.u8()?;
    let command = body.u8()?;
    let idle_timeout = body.be16()?;
    let hard_timeout = body.be16()?;
    let priority = body.be16()?;
    let buffer_id = body.be32()?;
    let out_port = body.be32()?;
    let out_group = body.be32()?;
    let raw_flags = body.be16()?;
    let importance = body.be16()?;
    let flow_match = decode_ofp11_match(v, body)?;
    let actions = action::decode_instructions(v, body)?;
    // OF1.1 forbids "all tables" outright, later versions allow it for deletes.
    let is_delete = matches!(
        FlowModCommand::from_wire(command),
        Some(FlowModCommand::Delete | FlowModCommand::DeleteStrict)
    );
    if table_id == TABLE_ALL && (v == Version::Of11 || !is_delete) {
        return Err(OfpError::FmfcBadTableId);
    }
    let command = FlowModCommand::from_wire(command).ok_or(OfpError::FmfcBadCommand)?;
    let out_port = port_from_of11(out_port)?;
    let sets_cookie = command == FlowModCommand::Add
        || (v == Version::Of11 && command.is_modify() && cookie_mask == 0);
    let (cookie, cookie_mask, new_cookie) = if sets_cookie {
        (0, 0, cookie)
    } else {
        (cookie, cookie_mask, u64::MAX)
    };
    let mut fm = FlowMod {
        command,
        table_id,
        priority,
        cookie,
        cookie_mask,
        new_cookie,
        modify_cookie: false,
        idle_timeout,
        hard_timeout,
        importance: if v >= Version::Of14 && command == FlowModCommand::Add {
            importance
        } else {
            0
        },
        buffer_id,
        out_port,
        out_group: if command.is_delete() {
            out_group
        } else {
            GROUP_ANY
        },
        flags: 0,
        flow_match,
        actions,
    };
    fm.flags = decode_flags(v, raw_flags, &fm)?;
    check_consistency(&mut fm, v)?;
    Ok(fm)
}

/// The match of an OF1.1+ flow mod, flow removed or flow statistics
/// message. Whatever the version, the reference takes either kind: the
/// OF1.1 standard match (type 0) or an OXM match (type 1).
pub(crate) fn decode_ofp11_match(v: Version, r: &mut Reader) -> Result<Match, OfpError> {
    match r.peek_be16() {
        Ok(0) => Match::decode_of11(r),
        Ok(_) => Match::decode_oxm_match(v, r),
        Err(_) => Err(OfpError::BmcBadLen),
    }
}

/// NXM_NX_COOKIE / NXM_NX_COOKIE_W: NXT_FLOW_MOD (and NXST_FLOW requests)
/// match the flow cookie through this pseudo-field of the nx_match.
const NXM_NX_COOKIE: u32 = 0x0001_3c08;
const NXM_NX_COOKIE_W: u32 = 0x0001_3d10;

/// Decodes an `nx_match` of `match_len` bytes (plus its padding to 8),
/// taking out the cookie pseudo-field, which is not a match field.
pub(crate) fn decode_nxm_with_cookie(
    body: &mut Reader,
    match_len: usize,
) -> Result<(Match, Option<(u64, u64)>), OfpError> {
    let padded = match_len.div_ceil(8) * 8;
    let raw = body.bytes(padded).map_err(|_| OfpError::BmcBadLen)?;
    let (nxm, _) = raw.split_at(match_len);
    let mut rest = Vec::with_capacity(nxm.len());
    let mut cookie = None;
    let mut r = Reader::new(nxm).with_short_error(OfpError::BmcBadLen);
    while !r.is_empty() {
        let header = r.peek_be32()?;
        // Experimenter fields carry a 4-byte experimenter id in the length.
        let tlv_len = 4 + (header & 0xff) as usize;
        let tlv = r.bytes(tlv_len)?;
        match header {
            NXM_NX_COOKIE | NXM_NX_COOKIE_W => {
                if cookie.is_some() {
                    return Err(OfpError::BmcDupField);
                }
                let mut c = Reader::new(tlv.get(4..).unwrap_or_default());
                let value = c.be64()?;
                let mask = if header == NXM_NX_COOKIE_W {
                    c.be64()?
                } else {
                    u64::MAX
                };
                cookie = Some((value & mask, mask));
            }
            _ => rest.extend_from_slice(tlv),
        }
    }
    let m = Match::decode_nxm(&mut Reader::new(&rest), rest.len())?;
    Ok((m, cookie))
}

/// Appends the cookie pseudo-field (nothing when the mask is 0); returns
/// the bytes written.
pub(crate) fn encode_nxm_cookie(out: &mut Vec<u8>, cookie: u64, mask: u64) -> usize {
    if mask == 0 {
        0
    } else if mask == u64::MAX {
        out.put_be32(NXM_NX_COOKIE);
        out.put_be64(cookie);
        12
    } else {
        out.put_be32(NXM_NX_COOKIE_W);
        out.put_be64(cookie & mask);
        out.put_be64(mask);
        20
    }
}
