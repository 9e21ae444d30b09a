//! Packets between switch and controller: packet-in (OFPT_PACKET_IN of
//! every version, NXT_PACKET_IN, NXT_PACKET_IN2 with its properties and
//! continuation) and packet-out (OFPT_PACKET_OUT of every version; OF1.5's
//! carries a metadata match), their `ofp-print` text, and the `ovs-ofctl
//! packet-out` argument syntax.
//!
//! Submodule `summary` prints the one-line description of an Ethernet frame
//! that ofp-print shows under both messages.

mod summary;

use std::fmt::Write;

pub use summary::packet_summary;

use crate::action::{self, Action};
use crate::buf::{Put, Reader};
use crate::error::OfpError;
use crate::field::FieldId;
use crate::flow_match::Match;
use crate::msg::flow_mod::check_len;
use crate::msg::port_desc::{port_from_of11, port_to_of11};
use crate::msg::raw::{OfpType, NXT_PACKET_IN, NXT_PACKET_IN2, NXT_RESUME};
use crate::msg::{finish, start_nx, start_type};
use crate::port::{PortMap, PortNo};
use crate::protocol::Protocols;
use crate::version::Version;

/// No buffered packet.
pub const NO_BUFFER: u32 = 0xffff_ffff;

/// Why a packet was sent to the controller (OFPR_*, as the reference numbers
/// them internally; 6 and 7 are its table-miss refinements, which print as
/// nothing).
pub fn reason_name(reason: u8) -> Option<&'static str> {
    Some(match reason {
        0 => "no_match",
        1 => "action",
        2 => "invalid_ttl",
        3 => "action_set",
        4 => "group",
        5 => "packet_out",
        6 | 7 => "",
        _ => return None,
    })
}

/// Which message a packet-in is sent as.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PacketInFormat {
    /// OFPT_PACKET_IN of the connection's version.
    Standard,
    /// NXT_PACKET_IN (NXM metadata).
    Nxt,
    /// NXT_PACKET_IN2 (properties; continuations).
    Nxt2,
}

/// A packet-in, whatever message carried it.
#[derive(Clone, Debug, PartialEq)]
pub struct PacketIn {
    /// The packet (or its first bytes, when buffered or truncated).
    pub packet: Vec<u8>,
    /// Length of the whole packet.
    pub total_len: u32,
    pub buffer_id: u32,
    /// `reason_name` numbering.
    pub reason: u8,
    pub table_id: u8,
    /// The cookie of the flow that sent it; `u64::MAX` when not carried (OF1.0-1.2).
    pub cookie: u64,
    /// Pipeline metadata: in_port, registers, tunnel fields...
    pub flow_metadata: Match,
    /// NXT_PACKET_IN2 only: the controller action's userdata.
    pub userdata: Vec<u8>,
    /// NXT_PACKET_IN2 only: how to resume the pipeline.
    pub continuation: Option<Continuation>,
}

/// NXT_PACKET_IN2's continuation: the pipeline state to resume from, kept
/// as the properties in order (an "actions" property takes the table and
/// cookie properties before it as the point to resume at).
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Continuation {
    pub props: Vec<ContinuationProp>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ContinuationProp {
    /// The bridge's UUID, in the reference's in-memory byte order.
    Bridge([u8; 16]),
    /// One entry of the push/pop stack.
    Stack(Vec<u8>),
    Mirrors(u32),
    Conntracked,
    TableId(u8),
    Cookie(u64),
    Actions(Vec<Action>),
    ActionSet(Vec<Action>),
    OdpPort(u32),
}

// NXT_PACKET_IN2 property types.
const NXPINT_PACKET: u16 = 0;
const NXPINT_FULL_LEN: u16 = 1;
const NXPINT_BUFFER_ID: u16 = 2;
const NXPINT_TABLE_ID: u16 = 3;
const NXPINT_COOKIE: u16 = 4;
const NXPINT_REASON: u16 = 5;
const NXPINT_METADATA: u16 = 6;
const NXPINT_USERDATA: u16 = 7;
const NXPINT_CONTINUATION: u16 = 8;

// Continuation property types.
const NXCPT_BRIDGE: u16 = 0x8000;
const NXCPT_STACK: u16 = 0x8001;
const NXCPT_MIRRORS: u16 = 0x8002;
const NXCPT_CONNTRACKED: u16 = 0x8003;
const NXCPT_TABLE_ID: u16 = 0x8004;
const NXCPT_COOKIE: u16 = 0x8005;
const NXCPT_ACTIONS: u16 = 0x8006;
const NXCPT_ACTION_SET: u16 = 0x8007;
const NXCPT_ODP_PORT: u16 = 0x8008;

/// Pipeline metadata (an nx_match or bare OXMs filling `r`), decoded
/// loosely as the reference decodes it in packet-ins and packet-outs:
/// fields it does not know are skipped rather than rejected.
fn decode_metadata_loose(r: &mut Reader) -> Result<Match, OfpError> {
    let mut m = Match::default();
    while !r.is_empty() {
        let header = r.peek_be32().map_err(|_| OfpError::BmcBadLen)?;
        let len = 4 + (header & 0xff) as usize;
        let mut tlv = r.sub(len).map_err(|_| OfpError::BmcBadLen)?;
        // Value bits outside the mask are an error even in fields that
        // will then be skipped as unknown.
        if header & 0x100 != 0 {
            let exp = if header >> 16 == 0xffff { 4 } else { 0 };
            let body = tlv.rest().get(4 + exp..).unwrap_or_default();
            let (value, mask) = body.split_at(body.len() / 2);
            if value.iter().zip(mask).any(|(v, m)| v & !m != 0) {
                return Err(OfpError::BmcBadWildcards);
            }
        }
        let (f, v, mask) = match crate::field::decode_tlv(&mut tlv) {
            Ok(t) => t,
            Err(OfpError::BmcBadField) => continue,
            Err(e) => return Err(e),
        };
        if m.get(f).is_some() {
            return Err(OfpError::BmcDupField);
        }
        let ones = vec![0xff; v.len()];
        m.set(f, &v, mask.as_deref().unwrap_or(&ones));
    }
    Ok(m)
}

/// An OF1.2+ `ofp_match` (type, length, OXMs, padding to 8), loosely.
fn decode_oxm_match_loose(r: &mut Reader) -> Result<Match, OfpError> {
    let ty = r.be16().map_err(|_| OfpError::BmcBadLen)?;
    let len = usize::from(r.be16().map_err(|_| OfpError::BmcBadLen)?);
    if ty != 1 {
        return Err(OfpError::BmcBadType);
    }
    if len < 4 {
        return Err(OfpError::BmcBadLen);
    }
    let mut body = r.sub(len - 4).map_err(|_| OfpError::BmcBadLen)?;
    r.skip(len.div_ceil(8) * 8 - len)
        .map_err(|_| OfpError::BmcBadLen)?;
    decode_metadata_loose(&mut body)
}

/// The in_port of a metadata match (0 when absent).
fn metadata_in_port(m: &Match) -> PortNo {
    match m.get(FieldId::IN_PORT) {
        Some((v, _)) if v.len() == 2 => PortNo(u16::from_be_bytes([v[0], v[1]])),
        _ => PortNo(0),
    }
}

fn set_in_port(m: &mut Match, p: PortNo) {
    m.set(FieldId::IN_PORT, &p.0.to_be_bytes(), &[0xff, 0xff]);
}

impl PacketIn {
    /// Decodes an OFPT_PACKET_IN body of version `v`.
    pub fn decode(v: Version, body: &mut Reader) -> Result<PacketIn, OfpError> {
        let mut pin = PacketIn {
            packet: Vec::new(),
            total_len: 0,
            buffer_id: NO_BUFFER,
            reason: 0,
            table_id: 0,
            cookie: u64::MAX,
            flow_metadata: Match::default(),
            userdata: Vec::new(),
            continuation: None,
        };
        match v {
            Version::Of10 => {
                check_len(body, 10, 1)?;
                pin.buffer_id = body.be32()?;
                pin.total_len = u32::from(body.be16()?);
                set_in_port(&mut pin.flow_metadata, PortNo(body.be16()?));
                pin.reason = body.u8()?;
                body.skip(1)?;
            }
            Version::Of11 => {
                check_len(body, 16, 1)?;
                pin.buffer_id = body.be32()?;
                let in_port = port_from_of11(body.be32()?)?;
                body.skip(4)?; // in_phy_port
                pin.total_len = u32::from(body.be16()?);
                pin.reason = body.u8()?;
                pin.table_id = body.u8()?;
                set_in_port(&mut pin.flow_metadata, in_port);
            }
            _ => {
                check_len(body, if v == Version::Of12 { 8 } else { 16 }, 1)?;
                pin.buffer_id = body.be32()?;
                pin.total_len = u32::from(body.be16()?);
                pin.reason = body.u8()?;
                pin.table_id = body.u8()?;
                if v >= Version::Of13 {
                    pin.cookie = body.be64()?;
                }
                pin.flow_metadata = decode_oxm_match_loose(body)?;
                body.skip(2)?;
            }
        }
        pin.packet = body.take_rest().to_vec();
        Ok(pin)
    }

    /// Decodes an NXT_PACKET_IN body (after the Nicira header).
    pub fn decode_nx(body: &mut Reader) -> Result<PacketIn, OfpError> {
        check_len(body, 24, 1)?;
        let buffer_id = body.be32()?;
        let total_len = u32::from(body.be16()?);
        let reason = body.u8()?;
        let table_id = body.u8()?;
        let cookie = body.be64()?;
        let match_len = usize::from(body.be16()?);
        body.skip(6)?;
        let padded = match_len.div_ceil(8) * 8;
        let mut nxm = body.sub(match_len).map_err(|_| OfpError::BmcBadLen)?;
        body.skip(padded - match_len)
            .map_err(|_| OfpError::BmcBadLen)?;
        let flow_metadata = decode_metadata_loose(&mut nxm)?;
        body.skip(2)?;
        Ok(PacketIn {
            packet: body.take_rest().to_vec(),
            total_len,
            buffer_id,
            reason,
            table_id,
            cookie,
            flow_metadata,
            userdata: Vec::new(),
            continuation: None,
        })
    }

    /// Decodes an NXT_PACKET_IN2 body (after the Nicira header): a list of
    /// properties. Unknown properties are ignored, as the reference does.
    pub fn decode_nx2(v: Version, body: &mut Reader) -> Result<PacketIn, OfpError> {
        check_len(body, 0, 8)?;
        let mut pin = PacketIn {
            packet: Vec::new(),
            total_len: 0,
            buffer_id: NO_BUFFER,
            reason: 0,
            table_id: 0,
            cookie: u64::MAX,
            flow_metadata: Match::default(),
            userdata: Vec::new(),
            continuation: None,
        };
        let mut packet = None;
        let mut full_len = None;
        while !body.is_empty() {
            let (ty, mut p) = pull_prop(body)?;
            match ty {
                NXPINT_PACKET => packet = Some(p.take_rest().to_vec()),
                NXPINT_FULL_LEN => full_len = Some(prop_u32(&mut p)?),
                NXPINT_BUFFER_ID => pin.buffer_id = prop_u32(&mut p)?,
                NXPINT_TABLE_ID => pin.table_id = prop_u8(&mut p)?,
                NXPINT_COOKIE => pin.cookie = prop_be64(&mut p)?,
                NXPINT_REASON => pin.reason = prop_u8(&mut p)?,
                NXPINT_METADATA => pin.flow_metadata = decode_metadata_loose(&mut p)?,
                NXPINT_USERDATA => pin.userdata = p.take_rest().to_vec(),
                NXPINT_CONTINUATION => pin.continuation = Some(decode_continuation(v, &mut p)?),
                _ => {}
            }
        }
        // A packet-in without a packet is malformed.
        pin.packet = packet.ok_or(OfpError::BrcBadLen)?;
        let packet_len = u32::try_from(pin.packet.len()).unwrap_or(u32::MAX);
        pin.total_len = match full_len {
            // A full length of 0 means "not given".
            None | Some(0) => packet_len,
            // The whole packet cannot be shorter than the part sent.
            Some(n) if n < packet_len => return Err(OfpError::BrcBadLen),
            Some(n) => n,
        };
        Ok(pin)
    }

    /// The whole message in version `v` and `format`.
    pub fn encode(&self, v: Version, format: PacketInFormat, xid: u32, out: &mut Vec<u8>) {
        match format {
            PacketInFormat::Standard => self.encode_std(v, xid, out),
            PacketInFormat::Nxt => {
                let at = start_nx(out, v, NXT_PACKET_IN, xid);
                out.put_be32(self.buffer_id);
                out.put_be16(self.total_len as u16);
                out.put_u8(self.reason);
                out.put_u8(self.table_id);
                out.put_be64(self.cookie);
                let len_at = out.len();
                out.put_be16(0);
                out.put_zeros(6);
                let match_start = out.len();
                let n = self.flow_metadata.encode_nxm(out);
                out.patch_be16(len_at, u16::try_from(n).unwrap_or(u16::MAX));
                out.pad_from(match_start, 8);
                out.put_zeros(2);
                out.extend_from_slice(&self.packet);
                finish(out, at);
            }
            PacketInFormat::Nxt2 => self.encode_props(v, NXT_PACKET_IN2, xid, out),
        }
    }

    /// The whole NXT_RESUME message: a controller hands a packet-in's
    /// continuation back, in the same property format as NXT_PACKET_IN2
    /// (decode it with [`PacketIn::decode_nx2`]).
    pub fn encode_resume(&self, v: Version, xid: u32, out: &mut Vec<u8>) {
        self.encode_props(v, NXT_RESUME, xid, out);
    }

    /// NXT_PACKET_IN2 / NXT_RESUME: the packet-in as properties.
    fn encode_props(&self, v: Version, subtype: u32, xid: u32, out: &mut Vec<u8>) {
        let at = start_nx(out, v, subtype, xid);
        put_prop(out, NXPINT_PACKET, &self.packet);
        if usize::try_from(self.total_len).ok() != Some(self.packet.len()) {
            put_prop(out, NXPINT_FULL_LEN, &self.total_len.to_be_bytes());
        }
        if self.buffer_id != NO_BUFFER {
            put_prop(out, NXPINT_BUFFER_ID, &self.buffer_id.to_be_bytes());
        }
        if self.table_id != 0 {
            put_prop(out, NXPINT_TABLE_ID, &[self.table_id]);
        }
        if self.cookie != u64::MAX {
            put_prop_be64(out, NXPINT_COOKIE, self.cookie);
        }
        put_prop(out, NXPINT_REASON, &[self.reason]);
        let mut nxm = Vec::new();
        self.flow_metadata.encode_nxm(&mut nxm);
        put_prop(out, NXPINT_METADATA, &nxm);
        if !self.userdata.is_empty() {
            put_prop(out, NXPINT_USERDATA, &self.userdata);
        }
        if let Some(c) = &self.continuation {
            encode_continuation(v, c, out);
        }
        finish(out, at);
    }

    fn encode_std(&self, v: Version, xid: u32, out: &mut Vec<u8>) {
        let at = start_type(out, v, OfpType::PacketIn, xid);
        let in_port = metadata_in_port(&self.flow_metadata);
        out.put_be32(self.buffer_id);
        match v {
            Version::Of10 => {
                out.put_be16(self.total_len as u16);
                out.put_be16(in_port.0);
                out.put_u8(self.reason);
                out.put_u8(0);
            }
            Version::Of11 => {
                out.put_be32(port_to_of11(in_port));
                out.put_be32(port_to_of11(in_port));
                out.put_be16(self.total_len as u16);
                out.put_u8(self.reason);
                out.put_u8(self.table_id);
            }
            _ => {
                out.put_be16(self.total_len as u16);
                out.put_u8(self.reason);
                out.put_u8(self.table_id);
                if v >= Version::Of13 {
                    out.put_be64(self.cookie);
                }
                let _ = self.flow_metadata.encode_oxm_match(v, out);
                out.put_zeros(2);
            }
        }
        out.extend_from_slice(&self.packet);
        finish(out, at);
    }

    /// What ofp-print prints after the header line's colon: the summary
    /// line, userdata and continuation lines, and (verbosity > 0) the
    /// packet's description, (verbosity > 2) its hex dump.
    pub fn format(&self, out: &mut String, ports: Option<&PortMap>, verbosity: u32) {
        if self.table_id != 0 {
            let _ = write!(out, " table_id={}", self.table_id);
        }
        if self.cookie != u64::MAX {
            let _ = write!(out, " cookie=0x{:x}", self.cookie);
        }
        let _ = write!(out, " total_len={} ", self.total_len);
        out.push_str(
            &self
                .flow_metadata
                .format(crate::msg::flow_mod::DEFAULT_PRIORITY, ports),
        );
        match reason_name(self.reason) {
            Some(n) => {
                let _ = write!(out, " (via {n})");
            }
            None => {
                let _ = write!(out, " (via {})", self.reason);
            }
        }
        let data_len = self.packet.len();
        let _ = write!(out, " data_len={data_len}");
        let total = usize::try_from(self.total_len).unwrap_or(usize::MAX);
        if self.buffer_id == NO_BUFFER {
            out.push_str(" (unbuffered)");
            if total != data_len {
                out.push_str(" (***total_len != data_len***)");
            }
        } else {
            let _ = write!(out, " buffer=0x{:08x}", self.buffer_id);
            if total < data_len {
                out.push_str(" (***total_len < data_len***)");
            }
        }
        out.push('\n');
        if !self.userdata.is_empty() {
            out.push_str(" userdata=");
            format_hex_arg(out, &self.userdata);
            out.push('\n');
        }
        if let Some(c) = &self.continuation {
            c.format(out, ports);
        }
        format_packet(out, &self.packet, verbosity);
    }
}

/// The packet's one-line description (verbosity > 0) and hex dump (> 2).
fn format_packet(out: &mut String, packet: &[u8], verbosity: u32) {
    if verbosity > 0 {
        out.push_str(&packet_summary(packet));
        out.push('\n');
    }
    if verbosity > 2 {
        hex_dump_no_ascii(out, packet);
    }
}

/// The packet dump ofp-print appends at high verbosity: like the message
/// hex dump but without the ASCII column (and so without trailing padding).
fn hex_dump_no_ascii(out: &mut String, data: &[u8]) {
    for (line, chunk) in data.chunks(16).enumerate() {
        let _ = write!(out, "{:08x}  ", line * 16);
        for (i, b) in chunk.iter().enumerate() {
            if i > 0 {
                out.push(if i == 8 { '-' } else { ' ' });
            }
            let _ = write!(out, "{b:02x}");
        }
        // The separator after the eighth byte is written even at a line's end.
        if chunk.len() == 8 {
            out.push('-');
        }
        out.push('\n');
    }
}

/// Bytes as "61.62.63".
fn format_hex_arg(out: &mut String, bytes: &[u8]) {
    for (i, b) in bytes.iter().enumerate() {
        if i > 0 {
            out.push('.');
        }
        let _ = write!(out, "{b:02x}");
    }
}

impl Continuation {
    fn format(&self, out: &mut String, ports: Option<&PortMap>) {
        let mut bridge = None;
        let mut stack = Vec::new();
        let mut mirrors = 0;
        let mut conntracked = false;
        let mut actions = String::new();
        let mut action_set: Option<&Vec<Action>> = None;
        let mut odp_port = 0;
        let (mut table_id, mut cookie) = (0u8, 0u64);
        for p in &self.props {
            match p {
                ContinuationProp::Bridge(b) => bridge = Some(b),
                ContinuationProp::Stack(s) => stack.push(s),
                ContinuationProp::Mirrors(m) => mirrors = *m,
                ContinuationProp::Conntracked => conntracked = true,
                ContinuationProp::TableId(t) => table_id = *t,
                ContinuationProp::Cookie(c) => cookie = *c,
                ContinuationProp::Actions(a) => {
                    if !actions.is_empty() {
                        actions.push(',');
                    }
                    let _ = write!(actions, "unroll_xlate(table={table_id}, cookie={cookie})");
                    if !a.is_empty() {
                        actions.push(',');
                        actions.push_str(&action::format_actions(a, ports));
                    }
                }
                ContinuationProp::ActionSet(a) => action_set = Some(a),
                ContinuationProp::OdpPort(p) => odp_port = *p,
            }
        }
        if let Some(b) = bridge.filter(|b| b.iter().any(|x| *x != 0)) {
            let _ = writeln!(out, " continuation.bridge={}", format_uuid(b));
        }
        if !stack.is_empty() {
            out.push_str(" continuation.stack=(top)");
            for s in stack {
                out.push(' ');
                format_subvalue(out, s);
            }
            out.push_str(" (bottom)\n");
        }
        if mirrors != 0 {
            let _ = writeln!(out, " continuation.mirrors=0x{mirrors:x}");
        }
        if conntracked {
            out.push_str(" continuation.conntracked=true\n");
        }
        if !actions.is_empty() {
            let _ = writeln!(out, " continuation.actions={actions}");
        }
        if let Some(a) = action_set.filter(|a| !a.is_empty()) {
            let _ = writeln!(
                out,
                " continuation.action_set={}",
                action::format_actions(a, ports)
            );
        }
        if odp_port != 0 {
            let _ = writeln!(out, " continuation.odp_port={odp_port}");
        }
    }
}

/// The reference keeps a UUID as four host-order (little-endian) 32-bit
/// words and sends them as they are in memory.
fn format_uuid(b: &[u8; 16]) -> String {
    let w = |i: usize| u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]);
    let (a, bb, c, d) = (w(0), w(4), w(8), w(12));
    format!(
        "{a:08x}-{:04x}-{:04x}-{:04x}-{:04x}{d:08x}",
        bb >> 16,
        bb & 0xffff,
        c >> 16,
        c & 0xffff
    )
}

/// A big-endian value of any length as "0x1f" ("0" when zero).
fn format_subvalue(out: &mut String, v: &[u8]) {
    let trimmed: Vec<u8> = v.iter().copied().skip_while(|b| *b == 0).collect();
    match trimmed.split_first() {
        None => out.push('0'),
        Some((first, rest)) => {
            let _ = write!(out, "0x{first:x}");
            for b in rest {
                let _ = write!(out, "{b:02x}");
            }
        }
    }
}

/// Pulls one property (type, length, payload, padding to 8).
fn pull_prop<'a>(body: &mut Reader<'a>) -> Result<(u16, Reader<'a>), OfpError> {
    let mut r = body.clone().with_short_error(OfpError::BpcBadLen);
    let ty = r.be16()?;
    let len = usize::from(r.be16()?);
    if len < 4 {
        return Err(OfpError::BpcBadLen);
    }
    let payload = r.sub(len - 4)?;
    r.skip(len.div_ceil(8) * 8 - len)?;
    *body = r.with_short_error(body.short_error());
    Ok((ty, payload))
}

fn prop_u8(p: &mut Reader) -> Result<u8, OfpError> {
    // There is no standard 8-bit property layout, so any padding is accepted.
    if p.is_empty() {
        return Err(OfpError::BpcBadLen);
    }
    p.u8()
}

fn prop_u32(p: &mut Reader) -> Result<u32, OfpError> {
    if p.remaining() != 4 {
        return Err(OfpError::BpcBadLen);
    }
    p.be32()
}

/// A 64-bit property: 4 bytes of padding (to align the value), then the value.
fn prop_be64(p: &mut Reader) -> Result<u64, OfpError> {
    if p.remaining() != 12 {
        return Err(OfpError::BpcBadLen);
    }
    p.skip(4)?;
    p.be64()
}

fn put_prop(out: &mut Vec<u8>, ty: u16, payload: &[u8]) {
    let start = out.len();
    out.put_be16(ty);
    out.put_be16(u16::try_from(4 + payload.len()).unwrap_or(u16::MAX));
    out.extend_from_slice(payload);
    out.pad_from(start, 8);
}

fn put_prop_be64(out: &mut Vec<u8>, ty: u16, v: u64) {
    let mut p = vec![0u8; 4];
    p.put_be64(v);
    put_prop(out, ty, &p);
}

/// A nested property's payload: 4 bytes of padding, then what it holds.
fn nested_payload<'a>(p: &mut Reader<'a>) -> Result<Reader<'a>, OfpError> {
    p.skip(4).map_err(|_| OfpError::BpcBadLen)?;
    let n = p.remaining();
    p.sub(n)
}

fn decode_continuation(v: Version, p: &mut Reader) -> Result<Continuation, OfpError> {
    let mut body = nested_payload(p)?;
    let mut c = Continuation::default();
    while !body.is_empty() {
        let (ty, mut q) = pull_prop(&mut body)?;
        let prop = match ty {
            NXCPT_BRIDGE => {
                let b: [u8; 16] = q.take_rest().try_into().map_err(|_| OfpError::BpcBadLen)?;
                ContinuationProp::Bridge(b)
            }
            NXCPT_STACK => ContinuationProp::Stack(q.take_rest().to_vec()),
            NXCPT_MIRRORS => ContinuationProp::Mirrors(prop_u32(&mut q)?),
            NXCPT_CONNTRACKED => ContinuationProp::Conntracked,
            NXCPT_TABLE_ID => ContinuationProp::TableId(prop_u8(&mut q)?),
            NXCPT_COOKIE => ContinuationProp::Cookie(prop_be64(&mut q)?),
            NXCPT_ACTIONS => {
                let mut a = nested_payload(&mut q)?;
                ContinuationProp::Actions(action::decode_actions(v, &mut a)?)
            }
            NXCPT_ACTION_SET => {
                let mut a = nested_payload(&mut q)?;
                ContinuationProp::ActionSet(action::decode_actions(v, &mut a)?)
            }
            NXCPT_ODP_PORT => ContinuationProp::OdpPort(prop_u32(&mut q)?),
            _ => continue,
        };
        c.props.push(prop);
    }
    Ok(c)
}

fn encode_continuation(v: Version, c: &Continuation, out: &mut Vec<u8>) {
    let mut body = vec![0u8; 4];
    for p in &c.props {
        match p {
            ContinuationProp::Bridge(b) => put_prop(&mut body, NXCPT_BRIDGE, b),
            ContinuationProp::Stack(s) => put_prop(&mut body, NXCPT_STACK, s),
            ContinuationProp::Mirrors(m) => put_prop(&mut body, NXCPT_MIRRORS, &m.to_be_bytes()),
            ContinuationProp::Conntracked => put_prop(&mut body, NXCPT_CONNTRACKED, &[]),
            ContinuationProp::TableId(t) => put_prop(&mut body, NXCPT_TABLE_ID, &[*t]),
            ContinuationProp::Cookie(k) => put_prop_be64(&mut body, NXCPT_COOKIE, *k),
            ContinuationProp::Actions(a) | ContinuationProp::ActionSet(a) => {
                let ty = if matches!(p, ContinuationProp::Actions(_)) {
                    NXCPT_ACTIONS
                } else {
                    NXCPT_ACTION_SET
                };
                let mut acts = vec![0u8; 4];
                action::encode_actions(v, a, &mut acts);
                put_prop(&mut body, ty, &acts);
            }
            ContinuationProp::OdpPort(p) => put_prop(&mut body, NXCPT_ODP_PORT, &p.to_be_bytes()),
        }
    }
    put_prop(out, NXPINT_CONTINUATION, &body);
}

/// A packet-out.
#[derive(Clone, Debug, PartialEq)]
pub struct PacketOut {
    pub buffer_id: u32,
    /// The packet's metadata: in_port always; OF1.5 carries any pipeline
    /// field (registers, metadata, tunnel fields), older versions only in_port.
    pub flow_metadata: Match,
    pub actions: Vec<Action>,
    /// The packet, when not buffered.
    pub packet: Vec<u8>,
}

/// The ports a packet-out may claim it came in on.
fn valid_packet_out_port(p: PortNo) -> bool {
    p < PortNo::MAX || p == PortNo::LOCAL || p == PortNo::NONE || p == PortNo::CONTROLLER
}

impl PacketOut {
    pub fn in_port(&self) -> PortNo {
        metadata_in_port(&self.flow_metadata)
    }

    /// Decodes an OFPT_PACKET_OUT body of version `v`.
    pub fn decode(v: Version, body: &mut Reader) -> Result<PacketOut, OfpError> {
        let buffer_id;
        let flow_metadata;
        let actions_len;
        match v {
            Version::Of10 => {
                check_len(body, 8, 1)?;
                buffer_id = body.be32()?;
                let mut m = Match::default();
                set_in_port(&mut m, PortNo(body.be16()?));
                flow_metadata = m;
                actions_len = usize::from(body.be16()?);
            }
            Version::Of15 => {
                check_len(body, 8, 1)?;
                buffer_id = body.be32()?;
                actions_len = usize::from(body.be16()?);
                body.skip(2)?;
                flow_metadata = decode_oxm_match_loose(body)?;
                if flow_metadata.get(FieldId::IN_PORT).is_none() {
                    return Err(OfpError::BrcBadPort);
                }
            }
            _ => {
                check_len(body, 16, 1)?;
                buffer_id = body.be32()?;
                let mut m = Match::default();
                set_in_port(&mut m, port_from_of11(body.be32()?)?);
                flow_metadata = m;
                actions_len = usize::from(body.be16()?);
                body.skip(6)?;
            }
        }
        if !valid_packet_out_port(metadata_in_port(&flow_metadata)) {
            return Err(OfpError::BrcBadPort);
        }
        let mut acts = body.sub(actions_len)?;
        let actions = action::decode_actions(v, &mut acts)?;
        let packet = if buffer_id == NO_BUFFER {
            body.take_rest().to_vec()
        } else {
            Vec::new()
        };
        Ok(PacketOut {
            buffer_id,
            flow_metadata,
            actions,
            packet,
        })
    }

    /// The whole message in version `v`.
    pub fn encode(&self, v: Version, xid: u32, out: &mut Vec<u8>) {
        let at = start_type(out, v, OfpType::PacketOut, xid);
        out.put_be32(self.buffer_id);
        let len_at;
        match v {
            Version::Of10 => {
                out.put_be16(self.in_port().0);
                len_at = out.len();
                out.put_be16(0);
            }
            Version::Of15 => {
                len_at = out.len();
                out.put_be16(0);
                out.put_zeros(2);
                let mut m = self.flow_metadata.clone();
                if m.get(FieldId::IN_PORT).is_none() {
                    set_in_port(&mut m, PortNo(0));
                }
                let _ = m.encode_oxm_match(v, out);
            }
            _ => {
                out.put_be32(port_to_of11(self.in_port()));
                len_at = out.len();
                out.put_be16(0);
                out.put_zeros(6);
            }
        }
        let acts_start = out.len();
        action::encode_actions(v, &self.actions, out);
        let n = out.len() - acts_start;
        out.patch_be16(len_at, u16::try_from(n).unwrap_or(u16::MAX));
        if self.buffer_id == NO_BUFFER {
            out.extend_from_slice(&self.packet);
        }
        finish(out, at);
    }

    /// What ofp-print prints after the header line's colon.
    pub fn format(&self, out: &mut String, ports: Option<&PortMap>, verbosity: u32) {
        out.push(' ');
        out.push_str(
            &self
                .flow_metadata
                .format(crate::msg::flow_mod::DEFAULT_PRIORITY, ports),
        );
        out.push_str(" actions=");
        out.push_str(&action::format_actions(&self.actions, ports));
        if self.buffer_id == NO_BUFFER {
            let _ = writeln!(out, " data_len={}", self.packet.len());
            // Unlike packet-ins, an empty packet-out gets no description.
            if !self.packet.is_empty() {
                format_packet(out, &self.packet, verbosity);
            }
        } else {
            let _ = writeln!(out, " buffer=0x{:08x}", self.buffer_id);
        }
    }
}

/// Parses the `ovs-ofctl packet-out` argument: "in_port=1 packet=HEX
/// actions=..." plus, for OF1.5, other pipeline fields ("reg0=5"). Returns
/// the packet-out and the protocols that can carry it.
pub fn parse_packet_out(
    s: &str,
    ports: Option<&PortMap>,
) -> Result<(PacketOut, Protocols), String> {
    let (head, acts) = crate::flow_text::split_actions(s);
    let mut po = PacketOut {
        buffer_id: NO_BUFFER,
        flow_metadata: Match::default(),
        actions: Vec::new(),
        packet: Vec::new(),
    };
    set_in_port(&mut po.flow_metadata, PortNo::CONTROLLER);
    let mut have_packet = false;
    for (key, value) in crate::flow_text::KeyValues::new(head) {
        if value.is_empty() {
            return Err(format!("field {key} missing value"));
        }
        if key == "in_port" {
            let p = crate::flow_text::parse_port(value, ports)
                .ok_or_else(|| format!("{value} is not a valid OpenFlow port"))?;
            set_in_port(&mut po.flow_metadata, p);
        } else if key == "packet" {
            po.packet = parse_hex(value).map_err(|e| format!("packet: {e}"))?;
            if po.packet.len() < 14 {
                return Err("packet: Packet data too short for Ethernet".to_string());
            }
            have_packet = true;
        } else if FieldId::by_field_name(key).is_some() || key.contains('[') {
            po.flow_metadata.parse_item(key, Some(value), ports)?;
        } else {
            return Err(format!("unknown keyword {key}"));
        }
    }
    if !have_packet {
        return Err("must specify packet".to_string());
    }
    let mut protocols = po.flow_metadata.usable_protocols();
    if let Some(a) = acts {
        po.actions = action::parse_actions(a, ports)?;
        protocols = protocols.intersect(action::usable_protocols(&po.actions));
    }
    Ok((po, protocols))
}

/// Hex digits, two per byte, optionally separated by white space.
fn parse_hex(s: &str) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let hi = char::from(b[i]).to_digit(16);
        let lo = b.get(i + 1).and_then(|c| char::from(*c).to_digit(16));
        match (hi, lo) {
            (Some(h), Some(l)) => out.push((h * 16 + l) as u8),
            _ => return Err("Trailing garbage in packet data".to_string()),
        }
        i += 2;
    }
    Ok(out)
}
