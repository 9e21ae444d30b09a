//! Groups: OFPT_GROUP_MOD (OF1.1-1.4 buckets; OF1.5 buckets with ids and
//! properties, bucket insertion and removal; NXT_GROUP_MOD, which carries
//! the OF1.5 form in OF1.0), the group statistics, description and features
//! multipart bodies, and the ovs-ofctl group syntax
//! (`group_id=1,type=select,selection_method=hash,fields(ip_src),
//! bucket=bucket_id:1,weight:100,watch_port:1,actions=output:1`).

use std::fmt::Write;

use crate::action::{self, Action};
use crate::buf::{Put, Reader};
use crate::error::OfpError;
use crate::field::FieldId;
use crate::msg::multipart::text::{str_to_u16, str_to_u32, str_to_u64, KeyValues};
use crate::msg::multipart::{entry, expect_end, format_duration, port_text};
use crate::msg::port_desc::{port_from_of11, port_to_of11};
use crate::msg::table_features::{hex_alt, ActionBits};
use crate::port::{PortMap, PortNo};
use crate::protocol::Protocols;
use crate::version::Version;

/// Highest ordinary group id.
pub const GROUP_MAX: u32 = 0xffff_ff00;
/// Every group (requests, deletes).
pub const GROUP_ALL: u32 = 0xffff_fffc;
/// No group (watch_group, out_group).
pub const GROUP_ANY: u32 = 0xffff_ffff;

/// Highest ordinary bucket id, and the special ones commands use.
pub const BUCKET_MAX: u32 = 0xffff_ff00;
pub const BUCKET_FIRST: u32 = 0xffff_fffd;
pub const BUCKET_LAST: u32 = 0xffff_fffe;
/// Every bucket; in a bucket, "no id given" (the encoder assigns one).
pub const BUCKET_ALL: u32 = 0xffff_ffff;

/// Netronome's vendor id, whose group property carries the selection method.
const NTR_VENDOR_ID: u32 = 0x0000_154d;
const NTRT_SELECTION_METHOD: u32 = 1;
/// Selection method names are at most 15 bytes (16 with the NUL).
const SELECTION_METHOD_LEN: usize = 16;

/// OF1.5 bucket property types.
const GBPT_WEIGHT: u16 = 0;
const GBPT_WATCH_PORT: u16 = 1;
const GBPT_WATCH_GROUP: u16 = 2;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum GroupType {
    All,
    Select,
    Indirect,
    FastFailover,
    /// A type number the reference does not know; group descriptions may
    /// carry one (printed "unknown"), group mods may not.
    Unknown(u8),
}

impl GroupType {
    fn wire(self) -> u8 {
        match self {
            GroupType::All => 0,
            GroupType::Select => 1,
            GroupType::Indirect => 2,
            GroupType::FastFailover => 3,
            GroupType::Unknown(t) => t,
        }
    }

    fn from_wire_any(t: u8) -> GroupType {
        match t {
            0 => GroupType::All,
            1 => GroupType::Select,
            2 => GroupType::Indirect,
            3 => GroupType::FastFailover,
            t => GroupType::Unknown(t),
        }
    }

    fn from_wire(t: u8) -> Result<GroupType, OfpError> {
        match GroupType::from_wire_any(t) {
            GroupType::Unknown(_) => Err(OfpError::GmfcBadType),
            g => Ok(g),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            GroupType::All => "all",
            GroupType::Select => "select",
            GroupType::Indirect => "indirect",
            GroupType::FastFailover => "ff",
            GroupType::Unknown(_) => "unknown",
        }
    }
}

/// One bucket of a group.
#[derive(Clone, Debug, PartialEq)]
pub struct Bucket {
    /// `BUCKET_ALL` when not given (OF1.1-1.4 do not carry ids; decoding
    /// them numbers buckets from 0).
    pub bucket_id: u32,
    /// Select groups only (other types: 0).
    pub weight: u16,
    /// `PortNo::NONE` (ANY) when not watching a port.
    pub watch_port: PortNo,
    /// `GROUP_ANY` when not watching a group.
    pub watch_group: u32,
    pub actions: Vec<Action>,
}

impl Bucket {
    /// A bucket with the defaults of the ovs-ofctl syntax for `t`.
    pub fn new(t: GroupType, actions: Vec<Action>) -> Bucket {
        Bucket {
            bucket_id: BUCKET_ALL,
            weight: u16::from(t == GroupType::Select),
            watch_port: PortNo::NONE,
            watch_group: GROUP_ANY,
            actions,
        }
    }
}

/// A hash field of the selection method: the field and, when not all-ones,
/// the mask of the bits that are hashed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HashField {
    pub field: FieldId,
    pub mask: Option<Vec<u8>>,
}

/// Group properties (OF1.5 and NXT_GROUP_MOD only): the Netronome
/// selection method extension.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct GroupProps {
    /// "hash", "dp_hash", or empty for the switch's default.
    pub selection_method: String,
    pub selection_method_param: u64,
    /// In the reference's field order.
    pub fields: Vec<HashField>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GroupModCommand {
    Add,
    Modify,
    Delete,
    /// Open vSwitch extension: add, or modify if it exists.
    AddOrMod,
    /// OF1.5: insert buckets before `command_bucket_id`.
    InsertBucket,
    /// OF1.5: remove bucket `command_bucket_id`.
    RemoveBucket,
}

impl GroupModCommand {
    fn wire(self) -> u16 {
        match self {
            GroupModCommand::Add => 0,
            GroupModCommand::Modify => 1,
            GroupModCommand::Delete => 2,
            GroupModCommand::InsertBucket => 3,
            GroupModCommand::RemoveBucket => 5,
            GroupModCommand::AddOrMod => 0x8000,
        }
    }

    fn from_wire(c: u16) -> Result<GroupModCommand, OfpError> {
        Ok(match c {
            0 => GroupModCommand::Add,
            1 => GroupModCommand::Modify,
            2 => GroupModCommand::Delete,
            3 => GroupModCommand::InsertBucket,
            5 => GroupModCommand::RemoveBucket,
            0x8000 => GroupModCommand::AddOrMod,
            _ => return Err(OfpError::GmfcBadCommand),
        })
    }

    fn name(self) -> &'static str {
        match self {
            GroupModCommand::Add => "ADD",
            GroupModCommand::Modify => "MOD",
            GroupModCommand::Delete => "DEL",
            GroupModCommand::AddOrMod => "ADD_OR_MOD",
            GroupModCommand::InsertBucket => "INSERT_BUCKET",
            GroupModCommand::RemoveBucket => "REMOVE_BUCKET",
        }
    }
}

/// OFPT_GROUP_MOD / NXT_GROUP_MOD.
#[derive(Clone, Debug, PartialEq)]
pub struct GroupMod {
    pub command: GroupModCommand,
    pub group_type: GroupType,
    pub group_id: u32,
    /// OF1.5 insert/remove: which bucket (or BUCKET_FIRST/LAST/ALL).
    pub command_bucket_id: u32,
    pub buckets: Vec<Bucket>,
    pub props: GroupProps,
}

/// Whether `v`'s group messages use the OF1.5 layout: OF1.5, and OF1.0's
/// Nicira group extension.
fn of15_layout(v: Version) -> bool {
    v == Version::Of10 || v >= Version::Of15
}

/// Actions of a bucket: OF1.0's format for the Nicira extension, the
/// version's own otherwise.
fn decode_bucket_actions(v: Version, r: &mut Reader) -> Result<Vec<Action>, OfpError> {
    action::decode_actions(v, r)
}

/// Ids for buckets without one: counting from 0, skipping the ids other
/// buckets already have (what the reference's encoder does).
fn assign_bucket_ids(buckets: &[Bucket]) -> Vec<u32> {
    let mut next = 0u32;
    buckets
        .iter()
        .map(|b| {
            if b.bucket_id != BUCKET_ALL {
                return b.bucket_id;
            }
            while buckets.iter().any(|o| o.bucket_id == next) {
                next += 1;
            }
            next += 1;
            next - 1
        })
        .collect()
}

/// The reference's warning for a bucket whose length is below its fixed
/// part (`min`) or beyond the bucket data left (`left`).
fn warn_bucket_len(len: usize, min: usize, left: usize) {
    crate::warn::warn("ofp_group", || {
        if len < min {
            format!("OpenFlow message bucket length {len} is not valid")
        } else {
            format!(
                "OpenFlow message bucket length {len} exceeds remaining buckets data size {left}"
            )
        }
    });
}

fn decode_buckets_of11(v: Version, r: &mut Reader) -> Result<Vec<Bucket>, OfpError> {
    let mut buckets = Vec::new();
    while !r.is_empty() {
        let len = usize::from(r.peek_be16()?);
        if len < 16 || len > r.remaining() {
            warn_bucket_len(len, 16, r.remaining());
            return Err(OfpError::GmfcBadBucket);
        }
        if !len.is_multiple_of(8) {
            return Err(OfpError::BrcBadLen);
        }
        let mut b = r.sub(len)?;
        b.skip(2)?;
        let weight = b.be16()?;
        let watch_port = port_from_of11(b.be32()?).map_err(|_| OfpError::GmfcBadWatch)?;
        let watch_group = b.be32()?;
        b.skip(4)?;
        let actions = decode_bucket_actions(v, &mut b)?;
        buckets.push(Bucket {
            bucket_id: buckets.len() as u32,
            weight,
            watch_port,
            watch_group,
            actions,
        });
    }
    Ok(buckets)
}

fn encode_buckets_of11(v: Version, buckets: &[Bucket], out: &mut Vec<u8>) {
    for b in buckets {
        let start = out.len();
        out.put_be16(0);
        out.put_be16(b.weight);
        out.put_be32(port_to_of11(b.watch_port));
        out.put_be32(b.watch_group);
        out.put_zeros(4);
        action::encode_actions(v, &b.actions, out);
        let len = out.len() - start;
        out.patch_be16(start, u16::try_from(len).unwrap_or(u16::MAX));
    }
}

fn decode_buckets_of15(
    v: Version,
    r: &mut Reader,
    group_type: GroupType,
) -> Result<Vec<Bucket>, OfpError> {
    let mut buckets: Vec<Bucket> = Vec::new();
    while !r.is_empty() {
        if r.remaining() < 8 {
            return Err(OfpError::GmfcBadBucket);
        }
        let len = usize::from(r.peek_be16()?);
        if len < 8 || len > r.remaining() {
            warn_bucket_len(len, 8, r.remaining());
            return Err(OfpError::GmfcBadBucket);
        }
        let mut b = r.sub(len)?;
        b.skip(2)?;
        let actions_len = usize::from(b.be16()?);
        if actions_len > len - 8 {
            crate::warn::warn("ofp_group", || {
                format!(
                    "OpenFlow message bucket actions length {actions_len} exceeds remaining bucket data size {}",
                    len - 8
                )
            });
        }
        let bucket_id = b.be32()?;
        if bucket_id > BUCKET_MAX {
            return Err(OfpError::GmfcBadBucket);
        }
        if buckets.iter().any(|o| o.bucket_id == bucket_id) {
            return Err(OfpError::GmfcBadBucket);
        }
        let mut acts = b.sub(actions_len).map_err(|_| OfpError::GmfcBadBucket)?;
        let actions = decode_bucket_actions(v, &mut acts)?;
        let mut bucket = Bucket {
            bucket_id,
            weight: u16::from(group_type == GroupType::Select),
            watch_port: PortNo::NONE,
            watch_group: GROUP_ANY,
            actions,
        };
        // The last watch_port property counts; it is checked once known.
        let mut watch_port = None;
        while !b.is_empty() {
            let ptype = b.be16().map_err(|_| OfpError::BpcBadLen)?;
            let plen = usize::from(b.be16().map_err(|_| OfpError::BpcBadLen)?);
            if plen < 4 {
                return Err(OfpError::BpcBadLen);
            }
            let mut p = b.sub(plen - 4).map_err(|_| OfpError::BpcBadLen)?;
            b.skip((plen.div_ceil(8) * 8 - plen).min(b.remaining()))?;
            match ptype {
                GBPT_WEIGHT => bucket.weight = p.be16().map_err(|_| OfpError::BpcBadLen)?,
                GBPT_WATCH_PORT => watch_port = Some(p.be32().map_err(|_| OfpError::BpcBadLen)?),
                GBPT_WATCH_GROUP => {
                    bucket.watch_group = p.be32().map_err(|_| OfpError::BpcBadLen)?
                }
                _ => {
                    crate::warn::warn("ofp_group", || {
                        format!("unknown group bucket property type {ptype}")
                    });
                    return Err(OfpError::BpcBadType);
                }
            }
        }
        if let Some(p) = watch_port {
            bucket.watch_port = port_from_of11(p).map_err(|_| OfpError::GmfcBadWatch)?;
        }
        buckets.push(bucket);
    }
    Ok(buckets)
}

/// OF1.5 buckets; select groups' buckets carry a weight property, other buckets
/// only a non-zero one (which insert-bucket commands may give whatever the type).
fn encode_buckets_of15(v: Version, t: GroupType, buckets: &[Bucket], out: &mut Vec<u8>) {
    let ids = assign_bucket_ids(buckets);
    for (b, id) in buckets.iter().zip(ids) {
        let start = out.len();
        out.put_be16(0);
        out.put_be16(0);
        out.put_be32(id);
        let acts = out.len();
        action::encode_actions(v, &b.actions, out);
        let acts_len = out.len() - acts;
        out.patch_be16(start + 2, u16::try_from(acts_len).unwrap_or(u16::MAX));
        if t == GroupType::Select || b.weight != 0 {
            out.put_be16(GBPT_WEIGHT);
            out.put_be16(8);
            out.put_be16(b.weight);
            out.put_zeros(2);
        }
        if b.watch_port != PortNo::NONE {
            out.put_be16(GBPT_WATCH_PORT);
            out.put_be16(8);
            out.put_be32(port_to_of11(b.watch_port));
        }
        if b.watch_group != GROUP_ANY {
            out.put_be16(GBPT_WATCH_GROUP);
            out.put_be16(8);
            out.put_be32(b.watch_group);
        }
        let len = out.len() - start;
        out.patch_be16(start, u16::try_from(len).unwrap_or(u16::MAX));
    }
}

/// The group properties after the buckets (OF1.5 layout).
fn decode_group_props(r: &mut Reader, group_type: GroupType) -> Result<GroupProps, OfpError> {
    let mut props = GroupProps::default();
    while !r.is_empty() {
        let ptype = r.be16().map_err(|_| OfpError::BpcBadLen)?;
        let plen = usize::from(r.be16().map_err(|_| OfpError::BpcBadLen)?);
        if plen < 4 {
            return Err(OfpError::BpcBadLen);
        }
        let mut p = r.sub(plen - 4).map_err(|_| OfpError::BpcBadLen)?;
        r.skip((plen.div_ceil(8) * 8 - plen).min(r.remaining()))?;
        if ptype != 0xffff {
            crate::warn::warn("ofp_group", || {
                format!("unknown group property type {ptype}")
            });
            return Err(OfpError::BpcBadType);
        }
        let exp = p.be32().map_err(|_| OfpError::BpcBadLen)?;
        let exp_type = p.be32().map_err(|_| OfpError::BpcBadLen)?;
        if exp != NTR_VENDOR_ID || exp_type != NTRT_SELECTION_METHOD {
            crate::warn::warn("ofp_group", || {
                format!("unknown group property type for exp_id {exp:#x}, exp_type {exp_type}")
            });
            return Err(OfpError::BpcBadExpType);
        }
        if group_type != GroupType::Select {
            return Err(OfpError::BpcBadValue);
        }
        p.skip(4).map_err(|_| OfpError::BpcBadLen)?;
        let name = p
            .bytes(SELECTION_METHOD_LEN)
            .map_err(|_| OfpError::BpcBadLen)?;
        let end = name
            .iter()
            .position(|c| *c == 0)
            .unwrap_or(SELECTION_METHOD_LEN);
        let method = String::from_utf8_lossy(&name[..end]).into_owned();
        if method != "hash" && method != "dp_hash" {
            // The reference prints the name's bytes as they are.
            let raw = name[..end].to_vec();
            crate::warn::warn("ofp_group", || {
                format!(
                    "ntr selection method '{}' is not supported",
                    String::from_utf8_lossy(&raw)
                )
            });
            return Err(OfpError::BpcBadValue);
        }
        props.selection_method = method;
        props.selection_method_param = p.be64().map_err(|_| OfpError::BpcBadLen)?;
        // The rest of the property (its length excludes the padding) is
        // OXM fields whose values are the masks of the bits to hash.
        let mut fields = decode_hash_fields(&mut p).inspect_err(|_| {
            crate::warn::warn("ofp_group", || {
                "ntr selection method fields are invalid".to_string()
            });
        })?;
        if !fields.is_empty() && props.selection_method != "hash" {
            return Err(OfpError::BpcBadValue);
        }
        sort_fields(&mut fields);
        props.fields = fields;
    }
    Ok(props)
}

/// The OXM fields of an NTR selection method, to the end of `p`.
fn decode_hash_fields(p: &mut Reader<'_>) -> Result<Vec<HashField>, OfpError> {
    let mut fields: Vec<HashField> = Vec::new();
    while !p.is_empty() {
        let h = crate::field::decode_header(p)?;
        let value = p
            .bytes(h.value_len)
            .map_err(|_| OfpError::BmcBadLen)?
            .to_vec();
        if h.masked {
            p.skip(h.value_len).map_err(|_| OfpError::BmcBadLen)?;
        }
        if fields.iter().any(|f| f.field == h.field) {
            return Err(OfpError::BmcDupField);
        }
        let mask = (!value.iter().all(|b| *b == 0xff)).then_some(value);
        fields.push(HashField {
            field: h.field,
            mask,
        });
    }
    Ok(fields)
}

fn sort_fields(fields: &mut [HashField]) {
    fields.sort_by_key(|f| field_order(f.field));
}

/// Position of a field in the reference's printing order.
fn field_order(f: FieldId) -> usize {
    crate::msg::table_features::field_rank_index(f)
}
fn encode_group_props(v: Version, props: &GroupProps, out: &mut Vec<u8>) {
    if props.selection_method.is_empty() {
        return;
    }
    let start = out.len();
    out.put_be16(0xffff);
    out.put_be16(0);
    out.put_be32(NTR_VENDOR_ID);
    out.put_be32(NTRT_SELECTION_METHOD);
    out.put_zeros(4);
    let mut name = props.selection_method.as_bytes().to_vec();
    name.truncate(SELECTION_METHOD_LEN - 1);
    name.resize(SELECTION_METHOD_LEN, 0);
    out.extend_from_slice(&name);
    out.put_be64(props.selection_method_param);
    for hf in &props.fields {
        let Some(w) = hf.field.wire_for(v) else {
            continue;
        };
        let n = hf.field.n_bytes();
        let extra = if w.is_experimenter() { 4 } else { 0 };
        out.put_be32(w.header(n + extra, false));
        if w.is_experimenter() {
            out.put_be32(w.experimenter);
        }
        match &hf.mask {
            Some(m) => out.extend_from_slice(m),
            None => out.resize(out.len() + n, 0xff),
        }
    }
    let len = out.len() - start;
    out.patch_be16(start + 2, u16::try_from(len).unwrap_or(u16::MAX));
    out.pad_from(start, 8);
}

/// The checks the reference makes of a decoded group mod, in its order.
fn check_group(
    v: Version,
    command: GroupModCommand,
    group_type: GroupType,
    buckets: &[Bucket],
) -> Result<(), OfpError> {
    // OF1.3 and OF1.4 deletes may not carry buckets at all.
    if matches!(v, Version::Of13 | Version::Of14)
        && command == GroupModCommand::Delete
        && !buckets.is_empty()
    {
        return Err(OfpError::GmfcInvalidGroup);
    }
    let bucketless = matches!(
        command,
        GroupModCommand::Delete | GroupModCommand::RemoveBucket
    );
    if group_type == GroupType::Indirect && !bucketless && buckets.len() != 1 {
        return Err(OfpError::GmfcInvalidGroup);
    }
    if command == GroupModCommand::RemoveBucket && !buckets.is_empty() {
        return Err(OfpError::GmfcBadBucket);
    }
    for b in buckets {
        // Inserted buckets may carry weights for any type.
        if group_type != GroupType::Select
            && b.weight != 0
            && command != GroupModCommand::InsertBucket
        {
            return Err(OfpError::GmfcInvalidGroup);
        }
        let watches = b.watch_port != PortNo::NONE || b.watch_group != GROUP_ANY;
        match group_type {
            GroupType::All | GroupType::Indirect if watches => {
                return Err(OfpError::GmfcWatchUnsupported)
            }
            GroupType::FastFailover if !watches => return Err(OfpError::GmfcInvalidGroup),
            _ => {}
        }
    }
    Ok(())
}

/// OF1.5's command bucket id: insertions name a place (first, last or a
/// bucket), removals also "all", other commands nothing ("all").
fn check_command_bucket_id(command: u16, id: u32) -> Result<(), OfpError> {
    let ok = match command {
        3 => id == BUCKET_FIRST || id == BUCKET_LAST || id <= BUCKET_MAX,
        5 => id == BUCKET_FIRST || id == BUCKET_LAST || id == BUCKET_ALL || id <= BUCKET_MAX,
        _ => id == BUCKET_ALL,
    };
    if ok {
        Ok(())
    } else {
        Err(OfpError::GmfcBadBucket)
    }
}

impl GroupMod {
    /// Decodes the body after the header (after the Nicira header for
    /// NXT_GROUP_MOD, which `v` = OF1.0 means).
    pub fn decode(v: Version, r: &mut Reader) -> Result<GroupMod, OfpError> {
        let raw_command = r.be16()?;
        let raw_type = r.u8()?;
        r.skip(1)?;
        let group_id = r.be32()?;
        let mut command_bucket_id = BUCKET_ALL;
        let mut bucket_bytes = None;
        if of15_layout(v) {
            let bucket_len = usize::from(r.be16()?);
            r.skip(2)?;
            command_bucket_id = r.be32()?;
            check_command_bucket_id(raw_command, command_bucket_id)?;
            bucket_bytes = Some(r.sub(bucket_len)?);
        }
        let command = GroupModCommand::from_wire(raw_command)?;
        let group_type = GroupType::from_wire(raw_type)?;
        let mut gm = GroupMod {
            command,
            group_type,
            group_id,
            command_bucket_id,
            buckets: Vec::new(),
            props: GroupProps::default(),
        };
        match bucket_bytes {
            Some(mut b) => {
                gm.buckets = decode_buckets_of15(v, &mut b, group_type)?;
                gm.props = decode_group_props(r, group_type)?;
            }
            None => gm.buckets = decode_buckets_of11(v, r)?,
        }
        check_group(v, command, group_type, &gm.buckets)?;
        Ok(gm)
    }

    /// Encodes the body after the header (Nicira header for OF1.0).
    pub fn encode(&self, v: Version, out: &mut Vec<u8>) {
        out.put_be16(self.command.wire());
        out.put_u8(self.group_type.wire());
        out.put_u8(0);
        out.put_be32(self.group_id);
        if of15_layout(v) {
            let len_at = out.len();
            out.put_be16(0);
            out.put_zeros(2);
            out.put_be32(self.command_bucket_id);
            let start = out.len();
            encode_buckets_of15(v, self.group_type, &self.buckets, out);
            let len = out.len() - start;
            out.patch_be16(len_at, u16::try_from(len).unwrap_or(u16::MAX));
            encode_group_props(v, &self.props, out);
        } else {
            encode_buckets_of11(v, &self.buckets, out);
        }
    }

    /// "\n ADD group_id=1,type=all,bucket=actions=output:1".
    pub fn format(&self, v: Version, out: &mut String, ports: Option<&PortMap>) {
        out.push_str("\n ");
        out.push_str(self.command.name());
        out.push(' ');
        let bucket_cmd = matches!(
            self.command,
            GroupModCommand::InsertBucket | GroupModCommand::RemoveBucket
        );
        if bucket_cmd && of15_layout(v) {
            out.push_str("command_bucket_id:");
            match self.command_bucket_id {
                BUCKET_FIRST => out.push_str("first"),
                BUCKET_LAST => out.push_str("last"),
                BUCKET_ALL => out.push_str("all"),
                id => {
                    let _ = write!(out, "{id}");
                }
            }
            out.push(',');
        }
        let _ = write!(out, "group_id={}", self.group_id);
        if !bucket_cmd {
            format_group_body(out, v, self.group_type, &self.props, &self.buckets, ports);
        } else {
            format_buckets(out, v, self.group_type, &self.buckets, ports);
        }
    }
}

/// ",type=select,selection_method=...,bucket=..." after the group id.
fn format_group_body(
    out: &mut String,
    v: Version,
    t: GroupType,
    props: &GroupProps,
    buckets: &[Bucket],
    ports: Option<&PortMap>,
) {
    let _ = write!(out, ",type={}", t.name());
    if !props.selection_method.is_empty() {
        let _ = write!(out, ",selection_method={}", props.selection_method);
        if props.selection_method_param != 0 {
            let _ = write!(
                out,
                ",selection_method_param={}",
                props.selection_method_param
            );
        }
        let fields: Vec<String> = props
            .fields
            .iter()
            .map(|hf| match &hf.mask {
                Some(m) => format!(
                    "{}={}",
                    hf.field.name(),
                    hf.field.format_value(m, None, None)
                ),
                None => hf.field.name().to_string(),
            })
            .collect();
        match fields.len() {
            0 => {}
            1 => {
                let _ = write!(out, ",fields={}", fields[0]);
            }
            _ => {
                let _ = write!(out, ",fields({})", fields.join(","));
            }
        }
    }
    format_buckets(out, v, t, buckets, ports);
}

fn format_buckets(
    out: &mut String,
    v: Version,
    t: GroupType,
    buckets: &[Bucket],
    ports: Option<&PortMap>,
) {
    for b in buckets {
        out.push_str(",bucket=");
        if of15_layout(v) {
            let _ = write!(out, "bucket_id:{},", b.bucket_id);
        }
        if b.weight != u16::from(t == GroupType::Select) {
            let _ = write!(out, "weight:{},", b.weight);
        }
        if b.watch_port != PortNo::NONE {
            let _ = write!(out, "watch_port:{},", port_text(b.watch_port, ports));
        }
        if b.watch_group != GROUP_ANY {
            let _ = write!(out, "watch_group:{},", b.watch_group);
        }
        out.push_str("actions=");
        out.push_str(&action::format_actions(&b.actions, ports));
    }
}

/// A group as OFPST_GROUP_DESC describes it.
#[derive(Clone, Debug, PartialEq)]
pub struct GroupDesc {
    pub group_type: GroupType,
    pub group_id: u32,
    pub buckets: Vec<Bucket>,
    pub props: GroupProps,
}

impl GroupDesc {
    pub fn decode(v: Version, r: &mut Reader) -> Result<GroupDesc, OfpError> {
        // The reference names the OF1.1 form in every version's warnings.
        let name = "OFPST11_GROUP_DESC";
        let fixed = if of15_layout(v) { 16 } else { 8 };
        let rem = r.remaining();
        if rem < fixed {
            crate::warn::warn("ofp_group", || {
                format!("{name} reply has {rem} leftover bytes at end")
            });
            return Err(OfpError::BrcBadLen);
        }
        let len = usize::from(r.peek_be16()?);
        if len < fixed || len > rem {
            crate::warn::warn("ofp_group", || {
                format!("{name} reply claims invalid length {len}")
            });
            return Err(OfpError::BrcBadLen);
        }
        let mut e = entry(r, 8)?;
        e.skip(2)?;
        let group_type = GroupType::from_wire_any(e.u8()?);
        e.skip(1)?;
        let group_id = e.be32()?;
        let (buckets, props) = if of15_layout(v) {
            let bucket_len = usize::from(e.be16()?);
            e.skip(6)?;
            if bucket_len > e.remaining() {
                crate::warn::warn("ofp_group", || {
                    format!("{name} reply claims invalid bucket list length {bucket_len}")
                });
            }
            let mut b = e.sub(bucket_len)?;
            let buckets = decode_buckets_of15(v, &mut b, group_type)?;
            (buckets, decode_group_props(&mut e, group_type)?)
        } else {
            (decode_buckets_of11(v, &mut e)?, GroupProps::default())
        };
        Ok(GroupDesc {
            group_type,
            group_id,
            buckets,
            props,
        })
    }

    pub fn encode(&self, v: Version, out: &mut Vec<u8>) {
        let start = out.len();
        out.put_be16(0);
        out.put_u8(self.group_type.wire());
        out.put_u8(0);
        out.put_be32(self.group_id);
        if of15_layout(v) {
            let len_at = out.len();
            out.put_be16(0);
            out.put_zeros(6);
            let b = out.len();
            encode_buckets_of15(v, self.group_type, &self.buckets, out);
            let blen = out.len() - b;
            out.patch_be16(len_at, u16::try_from(blen).unwrap_or(u16::MAX));
            encode_group_props(v, &self.props, out);
        } else {
            encode_buckets_of11(v, &self.buckets, out);
        }
        let len = out.len() - start;
        out.patch_be16(start, u16::try_from(len).unwrap_or(u16::MAX));
    }

    /// The `dump-groups` line, with its leading space, without a newline.
    pub fn format(&self, v: Version, out: &mut String, ports: Option<&PortMap>) {
        let _ = write!(out, " group_id={}", self.group_id);
        format_group_body(out, v, self.group_type, &self.props, &self.buckets, ports);
    }
}

/// The `dump-groups` text of a reply.
pub fn format_group_descs(
    out: &mut String,
    v: Version,
    descs: &[GroupDesc],
    ports: Option<&PortMap>,
) {
    for d in descs {
        out.push('\n');
        d.format(v, out, ports);
    }
}

/// Statistics of one group.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupStats {
    pub group_id: u32,
    pub ref_count: u32,
    pub packet_count: u64,
    pub byte_count: u64,
    /// `u32::MAX` when unknown (OF1.1, OF1.2).
    pub duration_sec: u32,
    pub duration_nsec: u32,
    /// (packet_count, byte_count) per bucket.
    pub bucket_stats: Vec<(u64, u64)>,
}

impl GroupStats {
    /// One entry. As the reference does, the entry's length only says how
    /// many bucket counters follow (rounding down); what is read is the
    /// header and those counters.
    pub fn decode(v: Version, r: &mut Reader) -> Result<GroupStats, OfpError> {
        let with_duration = v == Version::Of10 || v >= Version::Of13;
        let hdr = if with_duration { 40 } else { 32 };
        let len = usize::from(r.peek_be16()?);
        if len < hdr {
            return Err(OfpError::BrcBadLen);
        }
        let n_buckets = (len - hdr) / 16;
        let mut e = r.sub(hdr + 16 * n_buckets)?;
        e.skip(4)?;
        let mut s = GroupStats {
            group_id: e.be32()?,
            ref_count: e.be32()?,
            packet_count: 0,
            byte_count: 0,
            duration_sec: u32::MAX,
            duration_nsec: u32::MAX,
            bucket_stats: Vec::new(),
        };
        e.skip(4)?;
        s.packet_count = e.be64()?;
        s.byte_count = e.be64()?;
        if with_duration {
            s.duration_sec = e.be32()?;
            s.duration_nsec = e.be32()?;
        }
        while !e.is_empty() {
            s.bucket_stats.push((e.be64()?, e.be64()?));
        }
        Ok(s)
    }

    pub fn encode(&self, v: Version, out: &mut Vec<u8>) {
        let with_duration = v == Version::Of10 || v >= Version::Of13;
        let len = if with_duration { 40 } else { 32 } + 16 * self.bucket_stats.len();
        out.put_be16(u16::try_from(len).unwrap_or(u16::MAX));
        out.put_zeros(2);
        out.put_be32(self.group_id);
        out.put_be32(self.ref_count);
        out.put_zeros(4);
        out.put_be64(self.packet_count);
        out.put_be64(self.byte_count);
        if with_duration {
            out.put_be32(self.duration_sec);
            out.put_be32(self.duration_nsec);
        }
        for (p, b) in &self.bucket_stats {
            out.put_be64(*p);
            out.put_be64(*b);
        }
    }
}

/// The `dump-group-stats` text of a reply.
pub fn format_group_stats(out: &mut String, stats: &[GroupStats]) {
    for s in stats {
        let _ = write!(out, "\n group_id={}", s.group_id);
        if s.duration_sec != u32::MAX {
            out.push_str(",duration=");
            format_duration(out, s.duration_sec, s.duration_nsec);
        }
        let _ = write!(
            out,
            ",ref_count={},packet_count={},byte_count={}",
            s.ref_count, s.packet_count, s.byte_count
        );
        for (i, (p, b)) in s.bucket_stats.iter().enumerate() {
            let _ = write!(out, ",bucket{i}:packet_count={p},byte_count={b}");
        }
    }
}

/// OFPST_GROUP_FEATURES reply.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct GroupFeatures {
    /// Bit `1 << t` per supported group type.
    pub types: u32,
    /// OFPGFC_* bits.
    pub capabilities: u32,
    /// Per group type (all, select, indirect, ff).
    pub max_groups: [u32; 4],
    pub actions: [ActionBits; 4],
}

impl GroupFeatures {
    pub fn decode(v: Version, r: &mut Reader) -> Result<GroupFeatures, OfpError> {
        let mut g = GroupFeatures {
            types: r.be32()?,
            capabilities: r.be32()?,
            ..GroupFeatures::default()
        };
        for m in &mut g.max_groups {
            *m = r.be32()?;
        }
        for a in &mut g.actions {
            *a = ActionBits::from_wire(v, r.be32()?);
        }
        expect_end(r)?;
        Ok(g)
    }

    pub fn encode(&self, v: Version, out: &mut Vec<u8>) {
        out.put_be32(self.types);
        out.put_be32(self.capabilities);
        for m in self.max_groups {
            out.put_be32(m);
        }
        for a in self.actions {
            out.put_be32(a.to_wire(v));
        }
    }

    /// The `dump-group-features` text.
    pub fn format(&self, out: &mut String, _v: Version) {
        let _ = write!(
            out,
            "\n Group table:\n    Types:  0x{:x}\n    Capabilities:  0x{:x}\n",
            self.types, self.capabilities
        );
        for (i, name) in ["all", "select", "indirect", "fast failover"]
            .iter()
            .enumerate()
        {
            if self.types & (1 << i) != 0 {
                let _ = write!(out, "    {name} group:\n       max_groups=");
                hex_alt(out, u64::from(self.max_groups[i]));
                out.push_str("\n       actions: ");
                if self.actions[i].is_empty() {
                    out.push_str("<none>");
                } else {
                    self.actions[i].format(out);
                }
                out.push('\n');
            }
        }
    }
}

/// The group id of an OFPST_GROUP request.
pub fn decode_group_request(_v: Version, r: &mut Reader) -> Result<u32, OfpError> {
    let g = r.be32()?;
    r.skip(4)?;
    expect_end(r)?;
    Ok(g)
}

pub fn encode_group_request(_v: Version, group_id: u32, out: &mut Vec<u8>) {
    out.put_be32(group_id);
    out.put_zeros(4);
}

/// The group id of an OFPST_GROUP_DESC request: OF1.1-1.4 requests have no
/// body (all groups).
pub fn decode_group_desc_request(v: Version, r: &mut Reader) -> Result<u32, OfpError> {
    if of15_layout(v) {
        decode_group_request(v, r)
    } else {
        expect_end(r)?;
        Ok(GROUP_ALL)
    }
}

pub fn encode_group_desc_request(v: Version, group_id: u32, out: &mut Vec<u8>) {
    if of15_layout(v) {
        encode_group_request(v, group_id, out);
    }
}

/// A group id in a request: "ALL", "ANY" or the number.
pub fn format_group_id(out: &mut String, g: u32) {
    match g {
        GROUP_ALL => out.push_str("ALL"),
        GROUP_ANY => out.push_str("ANY"),
        g => {
            let _ = write!(out, "{g}");
        }
    }
}

/// Which ovs-ofctl command a group string is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GroupTextCommand {
    Mod(GroupModCommand),
    /// A line of an add-groups file or a bundle: an optional leading
    /// "add", "delete", "modify", "add_or_mod", "insert_bucket" or
    /// "remove_bucket" keyword (default add).
    FromLine,
}

/// Parses an ovs-ofctl group description for `command`; returns the group
/// mod and the protocols that can carry it. Errors are the reference's.
pub fn parse_group_mod(
    s: &str,
    command: GroupTextCommand,
    ports: Option<&PortMap>,
) -> Result<(GroupMod, Protocols), String> {
    let mut s = s;
    let command = match command {
        GroupTextCommand::Mod(c) => c,
        GroupTextCommand::FromLine => {
            let t = s.trim_start_matches([' ', '\t', '\r', '\n']);
            let len = t.find([',', ' ', '\t', '\r', '\n']).unwrap_or(t.len());
            let word = &t[..len];
            // Like the reference, any prefix of a keyword selects it, first
            // match wins ("" selects nothing).
            let pick = [
                ("add", GroupModCommand::Add),
                ("delete", GroupModCommand::Delete),
                ("modify", GroupModCommand::Modify),
                ("add_or_mod", GroupModCommand::AddOrMod),
                ("insert_bucket", GroupModCommand::InsertBucket),
                ("remove_bucket", GroupModCommand::RemoveBucket),
            ]
            .into_iter()
            .find(|(k, _)| !word.is_empty() && k.starts_with(word));
            match pick {
                Some((_, c)) => {
                    s = &t[len..];
                    c
                }
                None => GroupModCommand::Add,
            }
        }
    };
    let (want_type, want_buckets, want_cmd_bucket, cmd_bucket_all_ok) = match command {
        GroupModCommand::Add | GroupModCommand::Modify | GroupModCommand::AddOrMod => {
            (true, true, false, false)
        }
        GroupModCommand::Delete => (false, false, false, false),
        GroupModCommand::InsertBucket => (false, true, true, false),
        GroupModCommand::RemoveBucket => (false, false, true, true),
    };
    // Protocols, the reference's way: OF1.5 features (selection methods,
    // bucket commands) narrow them to OF1.5 and OF1.0's extension, but each
    // bucket's actions then replace whatever was said before, so with
    // buckets the last bucket's actions decide.
    let of15_features = Protocols::OF15_OXM.union(Protocols::OF10_ANY);
    let mut protocols = Protocols::ANY;
    if matches!(
        command,
        GroupModCommand::InsertBucket | GroupModCommand::RemoveBucket
    ) {
        protocols = protocols.intersect(of15_features);
    }
    let mut gm = GroupMod {
        command,
        group_type: GroupType::All,
        group_id: GROUP_ANY,
        command_bucket_id: BUCKET_ALL,
        buckets: Vec::new(),
        props: GroupProps::default(),
    };
    if command == GroupModCommand::Delete && s.is_empty() {
        gm.group_id = GROUP_ALL;
        return Ok((gm, protocols));
    }

    // Buckets come last; they are parsed after the rest because the group
    // type decides their defaults.
    let (head, mut buckets_text) = match s.find("bucket=") {
        Some(at) => {
            if !want_buckets {
                return Err("bucket is not needed".to_string());
            }
            (&s[..at], Some(&s[at..]))
        }
        None => (s, None),
    };
    let mut had_type = false;
    let mut had_cmd_bucket = false;
    let mut field_list: Vec<HashField> = Vec::new();
    for (key, value) in KeyValues::new(head) {
        match key {
            "command_bucket_id" => {
                if !want_cmd_bucket {
                    return Err("command bucket id is not needed".to_string());
                }
                gm.command_bucket_id = match value {
                    "all" => BUCKET_ALL,
                    "first" => BUCKET_FIRST,
                    "last" => BUCKET_LAST,
                    _ => {
                        let id = str_to_u32(value)?;
                        if id > BUCKET_MAX && ![BUCKET_FIRST, BUCKET_LAST, BUCKET_ALL].contains(&id)
                        {
                            return Err(format!("invalid command bucket id {id}"));
                        }
                        id
                    }
                };
                if gm.command_bucket_id == BUCKET_ALL && !cmd_bucket_all_ok {
                    return Err("command_bucket_id=all is not permitted".to_string());
                }
                had_cmd_bucket = true;
            }
            "group_id" => {
                gm.group_id = if value == "all" {
                    GROUP_ALL
                } else {
                    let g = str_to_u32(value)?;
                    if g != GROUP_ALL && g > GROUP_MAX {
                        return Err(format!("invalid group id {g}"));
                    }
                    g
                };
            }
            "type" => {
                if !want_type {
                    return Err("type is not needed".to_string());
                }
                gm.group_type = match value {
                    "all" => GroupType::All,
                    "select" => GroupType::Select,
                    "indirect" => GroupType::Indirect,
                    "ff" | "fast_failover" => GroupType::FastFailover,
                    _ => return Err(format!("invalid group type {value}")),
                };
                had_type = true;
            }
            "selection_method" => {
                if !want_type {
                    return Err("selection method is not needed".to_string());
                }
                if value.len() >= SELECTION_METHOD_LEN {
                    return Err(format!(
                        "selection method is longer than {} bytes long",
                        SELECTION_METHOD_LEN - 1
                    ));
                }
                gm.props.selection_method = value.to_string();
                protocols = protocols.intersect(of15_features);
            }
            "selection_method_param" => {
                if !want_type {
                    return Err("selection method param is not needed".to_string());
                }
                gm.props.selection_method_param = str_to_u64(value)?;
                protocols = protocols.intersect(of15_features);
            }
            "fields" => {
                if !want_type {
                    return Err("fields are not needed".to_string());
                }
                parse_hash_fields(value, &mut field_list)?;
                protocols = protocols.intersect(of15_features);
            }
            _ => return Err(format!("unknown keyword {key}")),
        }
    }
    if gm.group_id == GROUP_ANY {
        return Err("must specify a group_id".to_string());
    }
    if want_type && !had_type {
        return Err("must specify a type".to_string());
    }
    if gm.props.selection_method != "hash" && !field_list.is_empty() {
        return Err("fields may only be specified with \"selection_method=hash\"".to_string());
    }
    if gm.props.selection_method.is_empty() && gm.props.selection_method_param != 0 {
        return Err("selection_method_param is only allowed with \"selection_method\"".to_string());
    }
    if want_cmd_bucket {
        if !(cmd_bucket_all_ok || had_cmd_bucket) {
            return Err("must specify a command bucket id".to_string());
        }
    } else if had_cmd_bucket {
        return Err("command bucket id is not needed".to_string());
    }
    sort_fields(&mut field_list);
    gm.props.fields = field_list;

    while let Some(text) = buckets_text {
        // Skip "bucket" and find its '='.
        let after = &text[1..];
        let eq = after
            .find('=')
            .ok_or_else(|| "must specify bucket content".to_string())?;
        let content = &after[eq + 1..];
        let (this, next) = match content.find("bucket=") {
            Some(at) => (&content[..at], Some(&content[at..])),
            None => (content, None),
        };
        let (bucket, p) = parse_bucket(this, gm.group_type, ports)?;
        protocols = p;
        gm.buckets.push(bucket);
        buckets_text = next;
    }
    if gm.group_type == GroupType::Indirect && gm.buckets.len() > 1 {
        return Err("Indirect groups can have at most one bucket.".to_string());
    }
    // Bucket commands carry no type (the group's own decides), so any weight
    // goes there, as in the reference.
    for b in gm.buckets.iter().filter(|_| want_type) {
        if gm.group_type != GroupType::Select && b.weight != 0 {
            return Err("Only select groups can have bucket weights.".to_string());
        }
    }
    Ok((gm, protocols))
}

/// "ip_src,nw_proto" or "eth_src=ff:00:00:00:00:00": hash fields, a value
/// being the mask of the bits to hash.
fn parse_hash_fields(s: &str, fields: &mut Vec<HashField>) -> Result<(), String> {
    for (name, value) in KeyValues::new(s) {
        let field = FieldId::by_name(name).ok_or_else(|| format!(": unknown field {name}"))?;
        if fields.iter().any(|f| f.field == field) {
            return Err(format!("{name}: duplicate field"));
        }
        let mask = if value.is_empty() {
            None
        } else {
            let (v, _) = field.parse_value(value, None)?;
            if v.iter().all(|b| *b == 0) {
                return Err(": values are wildcards here and must not be all-zeros".to_string());
            }
            (!v.iter().all(|b| *b == 0xff)).then_some(v)
        };
        fields.push(HashField { field, mask });
    }
    Ok(())
}

/// One bucket's "key:value,...,actions=..." text.
fn parse_bucket(
    s: &str,
    t: GroupType,
    ports: Option<&PortMap>,
) -> Result<(Bucket, Protocols), String> {
    let mut b = Bucket::new(t, Vec::new());
    let mut actions = String::new();
    for (key, value) in KeyValues::new(s) {
        let k = key.to_ascii_lowercase();
        match k.as_str() {
            "weight" => b.weight = str_to_u16(value, "weight")?,
            "watch_port" => {
                let p = crate::flow_text::parse_port(value, ports)
                    .filter(|p| p.0 < PortNo::MAX.0 || *p == PortNo::NONE)
                    .ok_or_else(|| format!("{value}: invalid watch_port"))?;
                b.watch_port = p;
            }
            "watch_group" => {
                let g = str_to_u32(value)?;
                if g > GROUP_MAX {
                    return Err(format!("invalid watch_group id {g}"));
                }
                b.watch_group = g;
            }
            "bucket_id" => {
                let id = str_to_u32(value)?;
                if id > BUCKET_MAX {
                    return Err(format!("invalid bucket_id id {id}"));
                }
                b.bucket_id = id;
            }
            "action" | "actions" => {
                actions.push_str(value);
                actions.push(',');
            }
            _ if value.is_empty() => {
                actions.push_str(key);
                actions.push(',');
            }
            _ => {
                let _ = write!(actions, "{key}({value}),");
            }
        }
    }
    if actions.is_empty() {
        return Err("bucket must specify actions".to_string());
    }
    if t == GroupType::FastFailover && b.watch_port == PortNo::NONE && b.watch_group == GROUP_ANY {
        return Err("fast failover bucket requires watch_port or watch_group".to_string());
    }
    actions.pop();
    b.actions = action::parse_actions(&actions, ports)?;
    let protocols = action::usable_protocols(&b.actions);
    Ok((b, protocols))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An NTR selection-method property: "hash" over `fields` (OXM bytes).
    fn selection_method_prop(fields: &[u8]) -> Vec<u8> {
        let len = 40 + fields.len();
        let mut p = vec![0xff, 0xff, (len >> 8) as u8, len as u8];
        p.extend_from_slice(&NTR_VENDOR_ID.to_be_bytes());
        p.extend_from_slice(&NTRT_SELECTION_METHOD.to_be_bytes());
        p.extend_from_slice(&[0; 4]);
        let mut name = [0u8; SELECTION_METHOD_LEN];
        name[..4].copy_from_slice(b"hash");
        p.extend_from_slice(&name);
        p.extend_from_slice(&[0; 8]);
        p.extend_from_slice(fields);
        p.resize(len.div_ceil(8) * 8, 0);
        p
    }

    const ETH_SRC_MASK: [u8; 10] = [0x80, 0x00, 0x06, 0x06, 0xff, 0xff, 0xff, 0, 0, 0];

    #[test]
    fn selection_method_fields_decode_with_their_masks() {
        let prop = selection_method_prop(&ETH_SRC_MASK);
        let props = decode_group_props(&mut Reader::new(&prop), GroupType::Select).expect("valid");
        assert_eq!(props.selection_method, "hash");
        assert_eq!(props.fields.len(), 1);
        assert_eq!(props.fields[0].mask.as_deref(), Some(&ETH_SRC_MASK[4..]));
        assert!(crate::warn::take().is_empty());
    }

    #[test]
    fn invalid_selection_method_fields_are_reported_like_the_reference() {
        // An unknown OXM class, then the same field twice.
        let unknown = [0xff, 0x00, 0x06, 0x06, 0xff, 0xff, 0xff, 0, 0, 0];
        let twice = [ETH_SRC_MASK, ETH_SRC_MASK].concat();
        for fields in [&unknown[..], &twice[..]] {
            let prop = selection_method_prop(fields);
            let err = decode_group_props(&mut Reader::new(&prop), GroupType::Select);
            assert!(err.is_err(), "{fields:02x?}");
            let warnings = crate::warn::take();
            assert_eq!(warnings.len(), 1, "{warnings:?}");
            assert_eq!(warnings[0].text, "ntr selection method fields are invalid");
        }
    }
}
