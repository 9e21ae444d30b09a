//! Flow monitors: a controller asks to hear about flow table changes.
//! NXST_FLOW_MONITOR (OF1.0-1.2) with NXT_FLOW_MONITOR_CANCEL / PAUSED /
//! RESUMED, ONFST_FLOW_MONITOR (OF1.3) and OF1.4+'s OFPST_FLOW_MONITOR.
//!
//! Requests and updates use one model; the flags are the Nicira ones
//! (OF1.4's are mapped onto them, as the reference does).

use std::fmt::Write;

use crate::action::{self, Action};
use crate::buf::{Put, Reader};
use crate::error::OfpError;
use crate::flow_match::Match;
use crate::msg::multipart::{entry, port_text};
use crate::msg::port_desc::{port_from_of11, port_to_of11};
use crate::port::{PortMap, PortNo};
use crate::version::Version;

/// Request flags (NXFMF_*).
pub const FMF_INITIAL: u16 = 1 << 0;
pub const FMF_ADD: u16 = 1 << 1;
pub const FMF_DELETE: u16 = 1 << 2;
pub const FMF_MODIFY: u16 = 1 << 3;
pub const FMF_ACTIONS: u16 = 1 << 4;
pub const FMF_OWN: u16 = 1 << 5;

const FLAG_NAMES: [(u16, &str); 6] = [
    (FMF_INITIAL, "initial"),
    (FMF_ADD, "add"),
    (FMF_DELETE, "delete"),
    (FMF_MODIFY, "modify"),
    (FMF_ACTIONS, "actions"),
    (FMF_OWN, "own"),
];

/// OF1.4 flags (OFPFMF14_*) and their Nicira equivalents.
const OF14_FLAGS: [(u16, u16); 6] = [
    (1 << 0, FMF_INITIAL),
    (1 << 1, FMF_ADD),
    (1 << 2, FMF_DELETE),
    (1 << 3, FMF_MODIFY),
    (1 << 4, FMF_ACTIONS),
    (1 << 6, FMF_OWN),
];

/// OF1.4 request commands.
pub const FMC_ADD: u8 = 0;
pub const FMC_MODIFY: u8 = 1;
pub const FMC_DELETE: u8 = 2;

/// One monitor of a flow monitor request.
#[derive(Clone, Debug, PartialEq)]
pub struct FlowMonitorRequest {
    pub id: u32,
    /// FMF_* flags.
    pub flags: u16,
    pub out_port: PortNo,
    /// OF1.4+ only (`0xffffffff` = any).
    pub out_group: u32,
    /// 0xff = all tables.
    pub table_id: u8,
    /// OF1.4+ FMC_* command (NX requests always add).
    pub command: u8,
    pub flow_match: Match,
}

impl FlowMonitorRequest {
    /// An NXST_FLOW_MONITOR request entry.
    pub fn decode_nx(r: &mut Reader) -> Result<FlowMonitorRequest, OfpError> {
        let id = r.be32()?;
        let flags = r.be16()?;
        let out_port = PortNo(r.be16()?);
        let match_len = usize::from(r.be16()?);
        let table_id = r.u8()?;
        let zeros = r.bytes(5)?;
        if zeros.iter().any(|b| *b != 0) {
            return Err(OfpError::NxbrcMustBeZero);
        }
        check_flags(flags)?;
        let flow_match = Match::decode_nxm(r, match_len)?;
        r.skip(match_len.div_ceil(8) * 8 - match_len)?;
        Ok(FlowMonitorRequest {
            id,
            flags,
            out_port,
            out_group: 0xffff_ffff,
            table_id,
            command: FMC_ADD,
            flow_match,
        })
    }

    pub fn encode_nx(&self, out: &mut Vec<u8>) {
        out.put_be32(self.id);
        out.put_be16(self.flags);
        out.put_be16(self.out_port.0);
        let len_at = out.len();
        out.put_be16(0);
        out.put_u8(self.table_id);
        out.put_zeros(5);
        let start = out.len();
        let n = self.flow_match.encode_nxm(out);
        out.pad_from(start, 8);
        out.patch_be16(len_at, u16::try_from(n).unwrap_or(u16::MAX));
    }

    /// An OF1.4+ request entry, or in OF1.3 one of the ONF extension.
    pub fn decode_of14(v: Version, r: &mut Reader) -> Result<FlowMonitorRequest, OfpError> {
        if v < Version::Of14 {
            return Self::decode_onf(v, r);
        }
        let id = r.be32()?;
        let out_port = port_from_of11(r.be32()?)?;
        let out_group = r.be32()?;
        let wire_flags = r.be16()?;
        let table_id = r.u8()?;
        let command = r.u8()?;
        let mut flags = 0;
        let mut rest = wire_flags;
        for (w, nx) in OF14_FLAGS {
            if wire_flags & w != 0 {
                flags |= nx;
                rest &= !w;
            }
        }
        if command != FMC_DELETE {
            if rest != 0 {
                return Err(OfpError::MonfcBadFlags);
            }
            check_flags(flags)?;
        }
        let flow_match = Match::decode_oxm_match(v, r)?;
        Ok(FlowMonitorRequest {
            id,
            flags,
            out_port,
            out_group,
            table_id,
            command,
            flow_match,
        })
    }

    /// The OF1.3 ONF extension's request: like NX's, with a 32-bit port and
    /// OXM match.
    fn decode_onf(v: Version, r: &mut Reader) -> Result<FlowMonitorRequest, OfpError> {
        let id = r.be32()?;
        let flags = r.be16()?;
        let match_len = usize::from(r.be16()?);
        let out_port = port_from_of11(r.be32()?)?;
        let table_id = r.u8()?;
        let zeros = r.bytes(3)?;
        if zeros.iter().any(|b| *b != 0) {
            return Err(OfpError::NxbrcMustBeZero);
        }
        check_flags(flags)?;
        // An `ofp_match` (with its own length, which `match_len` repeats).
        let _ = match_len;
        let flow_match = Match::decode_oxm_match(v, r)?;
        Ok(FlowMonitorRequest {
            id,
            flags,
            out_port,
            out_group: 0xffff_ffff,
            table_id,
            command: FMC_ADD,
            flow_match,
        })
    }

    fn encode_onf(&self, v: Version, out: &mut Vec<u8>) {
        out.put_be32(self.id);
        out.put_be16(self.flags);
        let len_at = out.len();
        out.put_be16(0);
        out.put_be32(port_to_of11(self.out_port));
        out.put_u8(self.table_id);
        out.put_zeros(3);
        encode_ofp_match(v, &self.flow_match, len_at, out);
    }

    pub fn encode_of14(&self, v: Version, out: &mut Vec<u8>) {
        if v < Version::Of14 {
            return self.encode_onf(v, out);
        }
        out.put_be32(self.id);
        out.put_be32(port_to_of11(self.out_port));
        out.put_be32(self.out_group);
        let mut w = 0;
        for (wb, nx) in OF14_FLAGS {
            if self.flags & nx != 0 {
                w |= wb;
            }
        }
        out.put_be16(w);
        out.put_u8(self.table_id);
        out.put_u8(self.command);
        let _ = self.flow_match.encode_oxm_match(v, out);
    }

    /// "\n id=1 flags=initial,add out_port=3 table=2 in_port=5".
    pub fn format(&self, out: &mut String, ports: Option<&PortMap>) {
        let _ = write!(out, "\n id={}", self.id);
        if self.command == FMC_DELETE {
            out.push_str(" command=delete");
            return;
        }
        out.push_str(" flags=");
        let names: Vec<&str> = FLAG_NAMES
            .iter()
            .filter(|(b, _)| self.flags & b != 0)
            .map(|(_, n)| *n)
            .collect();
        out.push_str(&names.join(","));
        if self.out_port != PortNo::NONE {
            let _ = write!(out, " out_port={}", port_text(self.out_port, ports));
        }
        if self.out_group != 0xffff_ffff && self.out_group != 0 {
            // The reference leaves 0 out too, and prints the rest signed.
            let _ = write!(out, " out_group={}", self.out_group as i32);
        }
        if self.table_id != 0xff {
            let _ = write!(out, " table={}", self.table_id);
        }
        let m = self.flow_match.format(0x8000, ports);
        if !m.is_empty() {
            out.push(' ');
            out.push_str(&m);
        }
    }
}

/// Appends an `ofp_match` and patches its (unpadded) length in at `len_at`,
/// as the ONF extension's match_len field wants.
fn encode_ofp_match(v: Version, m: &Match, len_at: usize, out: &mut Vec<u8>) {
    let start = out.len();
    let _ = m.encode_oxm_match(v, out);
    let len = out
        .get(start + 2..start + 4)
        .map_or(0, |b| u16::from_be_bytes([b[0], b[1]]));
    out.patch_be16(len_at, len);
}

/// A monitor must ask for at least one kind of change, and nothing unknown.
fn check_flags(flags: u16) -> Result<(), OfpError> {
    if flags & !0x3f != 0 || flags & (FMF_ADD | FMF_DELETE | FMF_MODIFY) == 0 {
        return Err(OfpError::MonfcBadFlags);
    }
    Ok(())
}

/// What happened to a flow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FlowUpdateEvent {
    /// OF1.4: present when the monitor was set up (NX reports these as Added).
    Initial,
    Added,
    Deleted,
    Modified,
}

/// A full flow update.
#[derive(Clone, Debug, PartialEq)]
pub struct FlowUpdateFull {
    pub event: FlowUpdateEvent,
    /// For deletions: OFPRR_* reason.
    pub reason: u16,
    pub table_id: u8,
    pub idle_timeout: u16,
    pub hard_timeout: u16,
    pub priority: u16,
    pub cookie: u64,
    pub flow_match: Match,
    pub actions: Vec<Action>,
}

/// One update of a flow monitor reply.
#[derive(Clone, Debug, PartialEq)]
pub enum FlowUpdate {
    Full(Box<FlowUpdateFull>),
    /// The change was the monitoring controller's own request with this xid.
    Abbrev {
        xid: u32,
    },
    /// OF1.4: updates paused / resumed (NX uses separate messages).
    Paused,
    Resumed,
}

const NXFME_ADDED: u16 = 0;
const NXFME_DELETED: u16 = 1;
const NXFME_MODIFIED: u16 = 2;
const NXFME_ABBREV: u16 = 3;

impl FlowUpdate {
    /// An NXST_FLOW_MONITOR reply entry (actions in `v`'s format), or with
    /// `v` = OF1.3 an ONF extension one (instructions).
    pub fn decode_nx(v: Version, r: &mut Reader) -> Result<FlowUpdate, OfpError> {
        let mut e = entry(r, 8)?;
        let len = usize::from(e.be16()?);
        let event = e.be16()?;
        if event == NXFME_ABBREV {
            if len != 8 {
                return Err(OfpError::BrcBadLen);
            }
            return Ok(FlowUpdate::Abbrev { xid: e.be32()? });
        }
        let event = match event {
            NXFME_ADDED => FlowUpdateEvent::Added,
            NXFME_DELETED => FlowUpdateEvent::Deleted,
            NXFME_MODIFIED => FlowUpdateEvent::Modified,
            _ => return Err(OfpError::NxbrcFmBadEvent),
        };
        let reason = e.be16()?;
        let priority = e.be16()?;
        let idle_timeout = e.be16()?;
        let hard_timeout = e.be16()?;
        let match_len = usize::from(e.be16()?);
        let table_id = e.u8()?;
        e.skip(1)?;
        let cookie = e.be64()?;
        // NX: an NXM match; the OF1.3 ONF extension: an `ofp_match` and
        // instructions.
        let (flow_match, actions) = if v >= Version::Of13 {
            let m = Match::decode_oxm_match(v, &mut e)?;
            (m, action::decode_instructions(v, &mut e)?)
        } else {
            let m = Match::decode_nxm(&mut e, match_len)?;
            e.skip(match_len.div_ceil(8) * 8 - match_len)?;
            (m, action::decode_actions(v, &mut e)?)
        };
        Ok(FlowUpdate::Full(Box::new(FlowUpdateFull {
            event,
            reason,
            table_id,
            idle_timeout,
            hard_timeout,
            priority,
            cookie,
            flow_match,
            actions,
        })))
    }

    /// Encodes an NXST_FLOW_MONITOR reply entry. NX has no paused/resumed
    /// updates (they are messages of their own) and reports initial flows
    /// as added; those are encoded so.
    pub fn encode_nx(&self, v: Version, out: &mut Vec<u8>) {
        let start = out.len();
        match self {
            FlowUpdate::Abbrev { xid } => {
                out.put_be16(8);
                out.put_be16(NXFME_ABBREV);
                out.put_be32(*xid);
            }
            FlowUpdate::Paused | FlowUpdate::Resumed => {}
            FlowUpdate::Full(u) => {
                out.put_be16(0);
                out.put_be16(match u.event {
                    FlowUpdateEvent::Initial | FlowUpdateEvent::Added => NXFME_ADDED,
                    FlowUpdateEvent::Deleted => NXFME_DELETED,
                    FlowUpdateEvent::Modified => NXFME_MODIFIED,
                });
                out.put_be16(u.reason);
                out.put_be16(u.priority);
                out.put_be16(u.idle_timeout);
                out.put_be16(u.hard_timeout);
                let len_at = out.len();
                out.put_be16(0);
                out.put_u8(u.table_id);
                out.put_u8(0);
                out.put_be64(u.cookie);
                if v >= Version::Of13 {
                    encode_ofp_match(v, &u.flow_match, len_at, out);
                    action::encode_instructions(v, &u.actions, out);
                } else {
                    let m = out.len();
                    let n = u.flow_match.encode_nxm(out);
                    out.pad_from(m, 8);
                    out.patch_be16(len_at, u16::try_from(n).unwrap_or(u16::MAX));
                    action::encode_actions(v, &u.actions, out);
                }
                let len = out.len() - start;
                out.patch_be16(start, u16::try_from(len).unwrap_or(u16::MAX));
            }
        }
    }

    /// An OF1.4+ flow monitor reply entry (in OF1.3, the ONF extension's,
    /// which has the Nicira layout).
    pub fn decode_of14(v: Version, r: &mut Reader) -> Result<FlowUpdate, OfpError> {
        if v < Version::Of14 {
            return Self::decode_nx(v, r);
        }
        let mut e = entry(r, 8)?;
        if !e.remaining().is_multiple_of(8) {
            return Err(OfpError::BrcBadLen);
        }
        let len = usize::from(e.be16()?);
        let event = e.be16()?;
        match event {
            4 => {
                if len != 8 {
                    return Err(OfpError::BrcBadLen);
                }
                return Ok(FlowUpdate::Abbrev { xid: e.be32()? });
            }
            5 | 6 => {
                if len != 8 {
                    return Err(OfpError::BrcBadLen);
                }
                return Ok(if event == 5 {
                    FlowUpdate::Paused
                } else {
                    FlowUpdate::Resumed
                });
            }
            _ => {}
        }
        let event = match event {
            0 => FlowUpdateEvent::Initial,
            1 => FlowUpdateEvent::Added,
            2 => FlowUpdateEvent::Deleted,
            3 => FlowUpdateEvent::Modified,
            _ => return Err(OfpError::NxbrcFmBadEvent),
        };
        let table_id = e.u8()?;
        let reason = u16::from(e.u8()?);
        let idle_timeout = e.be16()?;
        let hard_timeout = e.be16()?;
        let priority = e.be16()?;
        e.skip(4)?;
        let cookie = e.be64()?;
        let flow_match = Match::decode_oxm_match(v, &mut e)?;
        let actions = action::decode_instructions(v, &mut e)?;
        Ok(FlowUpdate::Full(Box::new(FlowUpdateFull {
            event,
            reason,
            table_id,
            idle_timeout,
            hard_timeout,
            priority,
            cookie,
            flow_match,
            actions,
        })))
    }

    pub fn encode_of14(&self, v: Version, out: &mut Vec<u8>) {
        if v < Version::Of14 {
            return self.encode_nx(v, out);
        }
        let start = out.len();
        match self {
            FlowUpdate::Abbrev { xid } => {
                out.put_be16(8);
                out.put_be16(4);
                out.put_be32(*xid);
            }
            FlowUpdate::Paused | FlowUpdate::Resumed => {
                out.put_be16(8);
                out.put_be16(if *self == FlowUpdate::Paused { 5 } else { 6 });
                out.put_zeros(4);
            }
            FlowUpdate::Full(u) => {
                out.put_be16(0);
                out.put_be16(match u.event {
                    FlowUpdateEvent::Initial => 0,
                    FlowUpdateEvent::Added => 1,
                    FlowUpdateEvent::Deleted => 2,
                    FlowUpdateEvent::Modified => 3,
                });
                out.put_u8(u.table_id);
                out.put_u8(u8::try_from(u.reason).unwrap_or(u8::MAX));
                out.put_be16(u.idle_timeout);
                out.put_be16(u.hard_timeout);
                out.put_be16(u.priority);
                out.put_zeros(4);
                out.put_be64(u.cookie);
                let _ = u.flow_match.encode_oxm_match(v, out);
                action::encode_instructions(v, &u.actions, out);
                let len = out.len() - start;
                out.patch_be16(start, u16::try_from(len).unwrap_or(u16::MAX));
            }
        }
    }

    /// "\n event=ADDED table=1 cookie=0x12 in_port=5 actions=output:1".
    pub fn format(&self, out: &mut String, ports: Option<&PortMap>) {
        out.push_str("\n event=");
        let u = match self {
            FlowUpdate::Abbrev { xid } => {
                let _ = write!(out, "ABBREV xid=0x{xid:x}");
                return;
            }
            FlowUpdate::Paused => {
                out.push_str("PAUSED");
                return;
            }
            FlowUpdate::Resumed => {
                out.push_str("RESUMED");
                return;
            }
            FlowUpdate::Full(u) => u,
        };
        out.push_str(match u.event {
            FlowUpdateEvent::Initial => "INITIAL",
            FlowUpdateEvent::Added => "ADDED",
            FlowUpdateEvent::Deleted => "DELETED",
            FlowUpdateEvent::Modified => "MODIFIED",
        });
        if u.event == FlowUpdateEvent::Deleted {
            out.push_str(" reason=");
            match u.reason {
                0 => out.push_str("idle"),
                1 => out.push_str("hard"),
                2 => out.push_str("delete"),
                3 => out.push_str("group_delete"),
                4 => out.push_str("meter_delete"),
                5 => out.push_str("eviction"),
                r => {
                    let _ = write!(out, "{r}");
                }
            }
        }
        let _ = write!(out, " table={}", u.table_id);
        if u.idle_timeout != 0 {
            let _ = write!(out, " idle_timeout={}", u.idle_timeout);
        }
        if u.hard_timeout != 0 {
            let _ = write!(out, " hard_timeout={}", u.hard_timeout);
        }
        if u.cookie == 0 {
            out.push_str(" cookie=0");
        } else {
            let _ = write!(out, " cookie={:#x}", u.cookie);
        }
        out.push(' ');
        out.push_str(&u.flow_match.format(0x8000, ports));
        if !u.actions.is_empty() {
            if !out.ends_with(' ') {
                out.push(' ');
            }
            out.push_str("actions=");
            out.push_str(&action::format_actions(&u.actions, ports));
        }
    }
}

/// NXT_FLOW_MONITOR_CANCEL: stop monitor `id`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FlowMonitorCancel {
    pub id: u32,
}

impl FlowMonitorCancel {
    /// The body after the Nicira header.
    pub fn decode(r: &mut Reader) -> Result<FlowMonitorCancel, OfpError> {
        let id = r.be32()?;
        crate::msg::multipart::expect_end(r)?;
        Ok(FlowMonitorCancel { id })
    }

    pub fn encode(&self, out: &mut Vec<u8>) {
        out.put_be32(self.id);
    }

    pub fn format(&self, out: &mut String) {
        let _ = write!(out, " id={}", self.id);
    }
}
