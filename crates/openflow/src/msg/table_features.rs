//! Table features: OF1.3+'s OFPST_TABLE_FEATURES bodies (and the features
//! that OF1.0-1.2 table statistics carry), with the `dump-table-features` /
//! `dump-tables` text.
//!
//! The model is the reference's: sets rather than wire lists. Actions are a
//! bitmap of [`ActionKind`]s, instructions a bitmap of [`InstructionKind`]s,
//! fields sets of [`FieldId`]; unknown wire ids are dropped on decode, as the
//! reference drops them, so what we print matches what it prints.
//!
//! Printing compares each table with the previous one: identical tables
//! collapse to "ditto", identical parts to "(same ...)".

use std::collections::BTreeSet;
use std::fmt::Write;

use crate::buf::{Put, Reader};
use crate::error::OfpError;
use crate::field::FieldId;
use crate::msg::multipart::entry;
use crate::version::Version;

/// Property types (OFPTFPT_*).
const TFPT_INSTRUCTIONS: u16 = 0;
const TFPT_INSTRUCTIONS_MISS: u16 = 1;
const TFPT_NEXT_TABLES: u16 = 2;
const TFPT_NEXT_TABLES_MISS: u16 = 3;
const TFPT_WRITE_ACTIONS: u16 = 4;
const TFPT_WRITE_ACTIONS_MISS: u16 = 5;
const TFPT_APPLY_ACTIONS: u16 = 6;
const TFPT_APPLY_ACTIONS_MISS: u16 = 7;
const TFPT_MATCH: u16 = 8;
const TFPT_WILDCARDS: u16 = 10;
const TFPT_WRITE_SETFIELD: u16 = 12;
const TFPT_WRITE_SETFIELD_MISS: u16 = 13;
const TFPT_APPLY_SETFIELD: u16 = 14;
const TFPT_APPLY_SETFIELD_MISS: u16 = 15;

/// OF1.4+ table capabilities.
const TC14_EVICTION: u32 = 1 << 2;
const TC14_VACANCY_EVENTS: u32 = 1 << 3;

/// Length of `ofp13_table_features` before the properties.
const TABLE_FEATURES_LEN: usize = 64;

/// The standard actions a features bitmap can name, in the reference's
/// internal order (which is the printing order), with their printed names
/// and wire types in OF1.0, OF1.1 and OF1.2+.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ActionKind {
    pub name: &'static str,
    of10: Option<u8>,
    of11: Option<u8>,
    of12: Option<u8>,
}

const fn ak(name: &'static str, of10: i8, of11: i8, of12: i8) -> ActionKind {
    const fn o(x: i8) -> Option<u8> {
        if x < 0 {
            None
        } else {
            Some(x as u8)
        }
    }
    ActionKind {
        name,
        of10: o(of10),
        of11: o(of11),
        of12: o(of12),
    }
}

/// Index `i` here is bit `1 << i` of an [`ActionBits`].
pub const ACTION_KINDS: [ActionKind; 25] = [
    ak("output", 0, 0, 0),
    ak("group", -1, 22, 22),
    ak("enqueue", 11, -1, -1),
    ak("set_field", -1, -1, 25),
    ak("set_vlan_vid", 1, 1, -1),
    ak("set_vlan_pcp", 2, 2, -1),
    ak("strip_vlan", 3, 18, 18),
    ak("push_vlan", -1, 17, 17),
    ak("mod_dl_src", 4, 3, -1),
    ak("mod_dl_dst", 5, 4, -1),
    ak("mod_nw_src", 6, 5, -1),
    ak("mod_nw_dst", 7, 6, -1),
    ak("mod_nw_tos", 8, 7, -1),
    ak("mod_nw_ecn", -1, 8, -1),
    ak("mod_nw_ttl", -1, 23, 23),
    ak("mod_tp_src", 9, 9, -1),
    ak("mod_tp_dst", 10, 10, -1),
    ak("dec_ttl", -1, 24, 24),
    ak("set_mpls_label", -1, 13, -1),
    ak("set_mpls_tc", -1, 14, -1),
    ak("set_mpls_ttl", -1, 15, 15),
    ak("dec_mpls_ttl", -1, 16, 16),
    ak("push_mpls", -1, 19, 19),
    ak("pop_mpls", -1, 20, 20),
    ak("set_queue", -1, 21, 21),
];

impl ActionKind {
    fn wire(&self, v: Version) -> Option<u8> {
        match v {
            Version::Of10 => self.of10,
            Version::Of11 => self.of11,
            _ => self.of12,
        }
    }
}

/// A set of [`ACTION_KINDS`] (bit i = kind i).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Hash)]
pub struct ActionBits(pub u32);

impl ActionBits {
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// From a version's wire bitmap (bit t = action type t); types the
    /// reference has no action for are dropped.
    pub fn from_wire(v: Version, bits: u32) -> ActionBits {
        let mut a = 0;
        for (i, k) in ACTION_KINDS.iter().enumerate() {
            if k.wire(v).is_some_and(|t| bits & (1 << t) != 0) {
                a |= 1 << i;
            }
        }
        ActionBits(a)
    }

    /// To a version's wire bitmap; kinds the version lacks are dropped.
    pub fn to_wire(self, v: Version) -> u32 {
        let mut w = 0;
        for (i, k) in ACTION_KINDS.iter().enumerate() {
            if self.0 & (1 << i) != 0 {
                if let Some(t) = k.wire(v) {
                    w |= 1 << t;
                }
            }
        }
        w
    }

    /// From a list of wire action types.
    fn from_types(v: Version, types: &[u16]) -> ActionBits {
        let bits = types
            .iter()
            .filter(|t| **t < 32)
            .fold(0u32, |b, t| b | (1 << t));
        ActionBits::from_wire(v, bits)
    }

    fn types(self, v: Version) -> Vec<u16> {
        let w = self.to_wire(v);
        (0..32).filter(|t| w & (1 << t) != 0).collect()
    }

    /// "output group set_field": the names, space separated.
    pub fn format(self, out: &mut String) {
        let mut first = true;
        for (i, k) in ACTION_KINDS.iter().enumerate() {
            if self.0 & (1 << i) != 0 {
                if !first {
                    out.push(' ');
                }
                out.push_str(k.name);
                first = false;
            }
        }
    }
}

/// Instructions in the reference's order (bit i = entry i), with their
/// wire types.
const INSTRUCTIONS: [(&str, u16); 6] = [
    ("meter", 6),
    ("apply_actions", 4),
    ("clear_actions", 5),
    ("write_actions", 3),
    ("write_metadata", 2),
    ("goto_table", 1),
];

/// A set of instructions (bit i = [`INSTRUCTIONS`] entry i).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Hash)]
pub struct InstructionBits(pub u8);

impl InstructionBits {
    /// From a wire bitmap (bit t = instruction type t, as OF1.1/1.2 tables
    /// stats carry it).
    pub fn from_wire(bits: u32) -> InstructionBits {
        let mut b = 0;
        for (i, (_, t)) in INSTRUCTIONS.iter().enumerate() {
            if bits & (1 << t) != 0 {
                b |= 1 << i;
            }
        }
        InstructionBits(b)
    }

    pub fn to_wire(self, v: Version) -> u32 {
        let mut w = 0;
        for (i, (name, t)) in INSTRUCTIONS.iter().enumerate() {
            // Meters are an OF1.3 instruction.
            if self.0 & (1 << i) != 0 && (*name != "meter" || v >= Version::Of13) {
                w |= 1 << t;
            }
        }
        w
    }
}

/// What a table supports in one action set (Write-Actions or Apply-Actions).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct ActionFeatures {
    pub actions: ActionBits,
    pub set_fields: BTreeSet<FieldId>,
}

/// Instruction-related features, for table-miss or other flows.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct InstructionFeatures {
    /// Tables a goto_table may name.
    pub next_tables: BTreeSet<u8>,
    pub instructions: InstructionBits,
    pub write: ActionFeatures,
    pub apply: ActionFeatures,
}

/// OF1.1/1.2 table-miss behaviour, as table stats carry it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum MissConfig {
    /// Not said (OF1.0, OF1.3+).
    #[default]
    Default,
    Controller,
    Continue,
    Drop,
}

/// The features of one table.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct TableFeatures {
    pub table_id: u8,
    /// OF1.5 OFPTFC_* command of a set request (0 = replace).
    pub command: u8,
    pub name: String,
    pub metadata_match: u64,
    pub metadata_write: u64,
    pub miss_config: MissConfig,
    /// OF1.4+ capabilities; None before OF1.4.
    pub eviction: Option<bool>,
    pub vacancy_events: Option<bool>,
    pub max_entries: u32,
    pub nonmiss: InstructionFeatures,
    pub miss: InstructionFeatures,
    /// Fields the table can match.
    pub match_fields: BTreeSet<FieldId>,
    /// Of those, the ones it can match with an arbitrary mask.
    pub mask: BTreeSet<FieldId>,
    /// Fields it can wildcard.
    pub wildcard: BTreeSet<FieldId>,
}

/// One OXM id of a property: the field, whether its hasmask bit is set.
/// Ids of unknown fields, or with lengths that do not fit the field, are
/// None (skipped).
fn decode_oxm_id(r: &mut Reader) -> Result<Option<(FieldId, bool)>, OfpError> {
    let h = r.be32()?;
    let class = (h >> 16) as u16;
    let field = ((h >> 9) & 0x7f) as u8;
    let hm = h & 0x100 != 0;
    let len = (h & 0xff) as usize;
    let (exp, hdr_extra) = if class == 0xffff {
        (r.be32()?, 4)
    } else {
        (0, 0)
    };
    let Some(f) = FieldId::from_code_point(class, field, exp) else {
        return Ok(None);
    };
    let want = f.n_bytes() * if hm { 2 } else { 1 } + hdr_extra;
    Ok((len == want).then_some((f, hm)))
}

/// Appends the OXM id of `f` for version `v` (with the hasmask bit if `hm`).
fn encode_oxm_id(out: &mut Vec<u8>, v: Version, f: FieldId, hm: bool) {
    let Some(w) = f.wire_for(v) else {
        return;
    };
    let n = f.n_bytes() * if hm { 2 } else { 1 };
    let payload = n + if w.is_experimenter() { 4 } else { 0 };
    out.put_be32(w.header(payload, hm));
    if w.is_experimenter() {
        out.put_be32(w.experimenter);
    }
}

/// The body of one property, and where it ends (properties pad to 8).
fn next_prop<'a>(r: &mut Reader<'a>) -> Result<(u16, Reader<'a>), OfpError> {
    let ptype = r.be16()?;
    let plen = usize::from(r.be16()?);
    if plen < 4 {
        return Err(OfpError::TffcBadLen);
    }
    let body = r.sub(plen - 4).map_err(|_| OfpError::TffcBadLen)?;
    let pad = plen.div_ceil(8) * 8 - plen;
    r.skip(pad.min(r.remaining()))?;
    Ok((ptype, body))
}

fn put_prop(out: &mut Vec<u8>, ptype: u16, body: &[u8]) {
    let start = out.len();
    out.put_be16(ptype);
    out.put_be16(u16::try_from(4 + body.len()).unwrap_or(u16::MAX));
    out.extend_from_slice(body);
    out.pad_from(start, 8);
}

/// The (type, len[, experimenter]) ids of an instructions or actions property.
fn decode_ids(r: &mut Reader) -> Result<Vec<u16>, OfpError> {
    let mut ids = Vec::new();
    while !r.is_empty() {
        let t = r.be16()?;
        let len = usize::from(r.be16()?);
        if len < 4 {
            return Err(OfpError::TffcBadLen);
        }
        r.skip(len - 4).map_err(|_| OfpError::TffcBadLen)?;
        ids.push(t);
    }
    Ok(ids)
}

fn decode_fields(r: &mut Reader) -> Result<Vec<(FieldId, bool)>, OfpError> {
    let mut v = Vec::new();
    while !r.is_empty() {
        if let Some(f) = decode_oxm_id(r)? {
            v.push(f);
        }
    }
    Ok(v)
}

impl TableFeatures {
    /// One `ofp13_table_features` entry (OF1.3+).
    pub fn decode(v: Version, r: &mut Reader) -> Result<TableFeatures, OfpError> {
        let mut e = entry(r, TABLE_FEATURES_LEN).map_err(|_| OfpError::BpcBadLen)?;
        e.skip(2)?;
        let table_id = e.u8()?;
        // Table 255 (OFPTT_ALL) is not a table.
        if table_id == 0xff {
            return Err(OfpError::TffcBadTable);
        }
        let command = if v >= Version::Of15 {
            e.u8()?
        } else {
            e.skip(1).map(|_| 0)?
        };
        if command > 3 {
            return Err(OfpError::TffcBadCommand);
        }
        e.skip(4)?;
        let name_bytes = e.bytes(32)?;
        let end = name_bytes.iter().position(|c| *c == 0).unwrap_or(32);
        let mut tf = TableFeatures {
            table_id,
            command,
            name: String::from_utf8_lossy(&name_bytes[..end]).into_owned(),
            metadata_match: e.be64()?,
            metadata_write: e.be64()?,
            ..TableFeatures::default()
        };
        let config = e.be32()?;
        if v >= Version::Of14 {
            tf.eviction = Some(config & TC14_EVICTION != 0);
            tf.vacancy_events = Some(config & TC14_VACANCY_EVENTS != 0);
        }
        tf.max_entries = e.be32()?;

        // Bit t: property type t was present.
        let mut seen = 0u32;
        let mut miss_seen = 0u32;
        while !e.is_empty() {
            let (ptype, mut p) = next_prop(&mut e)?;
            if ptype < 16 {
                seen |= 1 << ptype;
            }
            match ptype {
                TFPT_INSTRUCTIONS | TFPT_INSTRUCTIONS_MISS => {
                    let mut bits = 0u32;
                    for t in decode_ids(&mut p)? {
                        if t < 32 {
                            bits |= 1 << t;
                        }
                    }
                    let i = InstructionBits::from_wire(bits);
                    if ptype == TFPT_INSTRUCTIONS {
                        tf.nonmiss.instructions = i;
                    } else {
                        tf.miss.instructions = i;
                        miss_seen |= 1;
                    }
                }
                TFPT_NEXT_TABLES | TFPT_NEXT_TABLES_MISS => {
                    let set: BTreeSet<u8> = p.take_rest().iter().copied().collect();
                    if ptype == TFPT_NEXT_TABLES {
                        tf.nonmiss.next_tables = set;
                    } else {
                        tf.miss.next_tables = set;
                        miss_seen |= 2;
                    }
                }
                TFPT_WRITE_ACTIONS
                | TFPT_WRITE_ACTIONS_MISS
                | TFPT_APPLY_ACTIONS
                | TFPT_APPLY_ACTIONS_MISS => {
                    let a = ActionBits::from_types(v, &decode_ids(&mut p)?);
                    match ptype {
                        TFPT_WRITE_ACTIONS => tf.nonmiss.write.actions = a,
                        TFPT_APPLY_ACTIONS => tf.nonmiss.apply.actions = a,
                        TFPT_WRITE_ACTIONS_MISS => {
                            tf.miss.write.actions = a;
                            miss_seen |= 4;
                        }
                        _ => {
                            tf.miss.apply.actions = a;
                            miss_seen |= 8;
                        }
                    }
                }
                TFPT_WRITE_SETFIELD
                | TFPT_WRITE_SETFIELD_MISS
                | TFPT_APPLY_SETFIELD
                | TFPT_APPLY_SETFIELD_MISS => {
                    let set: BTreeSet<FieldId> =
                        decode_fields(&mut p)?.into_iter().map(|(f, _)| f).collect();
                    match ptype {
                        TFPT_WRITE_SETFIELD => tf.nonmiss.write.set_fields = set,
                        TFPT_APPLY_SETFIELD => tf.nonmiss.apply.set_fields = set,
                        TFPT_WRITE_SETFIELD_MISS => {
                            tf.miss.write.set_fields = set;
                            miss_seen |= 16;
                        }
                        _ => {
                            tf.miss.apply.set_fields = set;
                            miss_seen |= 32;
                        }
                    }
                }
                TFPT_MATCH => {
                    for (f, hm) in decode_fields(&mut p)? {
                        tf.match_fields.insert(f);
                        if hm {
                            tf.mask.insert(f);
                        }
                    }
                }
                TFPT_WILDCARDS => {
                    for (f, hm) in decode_fields(&mut p)? {
                        if hm {
                            return Err(OfpError::TffcBadArgument);
                        }
                        tf.wildcard.insert(f);
                    }
                }
                // Experimenter and unknown properties are ignored.
                _ => {}
            }
        }
        // Every non-miss property is required; miss ones default to them.
        let required = [
            TFPT_INSTRUCTIONS,
            TFPT_NEXT_TABLES,
            TFPT_WRITE_ACTIONS,
            TFPT_APPLY_ACTIONS,
            TFPT_MATCH,
            TFPT_WILDCARDS,
            TFPT_WRITE_SETFIELD,
            TFPT_APPLY_SETFIELD,
        ];
        if required.iter().any(|t| seen & (1 << t) == 0) {
            return Err(OfpError::TffcBadFeatures);
        }
        if miss_seen & 1 == 0 {
            tf.miss.instructions = tf.nonmiss.instructions;
        }
        if miss_seen & 2 == 0 {
            tf.miss.next_tables = tf.nonmiss.next_tables.clone();
        }
        if miss_seen & 4 == 0 {
            tf.miss.write.actions = tf.nonmiss.write.actions;
        }
        if miss_seen & 8 == 0 {
            tf.miss.apply.actions = tf.nonmiss.apply.actions;
        }
        if miss_seen & 16 == 0 {
            tf.miss.write.set_fields = tf.nonmiss.write.set_fields.clone();
        }
        if miss_seen & 32 == 0 {
            tf.miss.apply.set_fields = tf.nonmiss.apply.set_fields.clone();
        }
        Ok(tf)
    }

    /// One `ofp13_table_features` entry with every property (OF1.3+).
    pub fn encode(&self, v: Version, out: &mut Vec<u8>) {
        let start = out.len();
        out.put_be16(0);
        out.put_u8(self.table_id);
        out.put_u8(if v >= Version::Of15 { self.command } else { 0 });
        out.put_zeros(4);
        let mut name = self.name.as_bytes().to_vec();
        name.truncate(31);
        name.resize(32, 0);
        out.extend_from_slice(&name);
        out.put_be64(self.metadata_match);
        out.put_be64(self.metadata_write);
        let mut config = 0;
        if v >= Version::Of14 {
            if self.eviction == Some(true) {
                config |= TC14_EVICTION;
            }
            if self.vacancy_events == Some(true) {
                config |= TC14_VACANCY_EVENTS;
            }
        }
        out.put_be32(config);
        out.put_be32(self.max_entries);
        for (info, miss) in [(&self.nonmiss, false), (&self.miss, true)] {
            let m = u16::from(miss);
            let mut b = Vec::new();
            for (i, (_, t)) in INSTRUCTIONS.iter().enumerate() {
                if info.instructions.0 & (1 << i) != 0 {
                    b.put_be16(*t);
                    b.put_be16(4);
                }
            }
            // The reference lists instructions by wire type.
            let mut ids: Vec<[u8; 4]> = b.chunks(4).filter_map(|c| c.try_into().ok()).collect();
            ids.sort();
            put_prop(out, TFPT_INSTRUCTIONS + m, &ids.concat());
            let next: Vec<u8> = info.next_tables.iter().copied().collect();
            put_prop(out, TFPT_NEXT_TABLES + m, &next);
            // The reference's order: each action set's actions, then its
            // set-field fields.
            for (actions_type, fields_type, af) in [
                (TFPT_WRITE_ACTIONS, TFPT_WRITE_SETFIELD, &info.write),
                (TFPT_APPLY_ACTIONS, TFPT_APPLY_SETFIELD, &info.apply),
            ] {
                let mut b = Vec::new();
                for t in af.actions.types(v) {
                    b.put_be16(t);
                    b.put_be16(4);
                }
                put_prop(out, actions_type + m, &b);
                let mut b = Vec::new();
                for f in &af.set_fields {
                    encode_oxm_id(&mut b, v, *f, false);
                }
                put_prop(out, fields_type + m, &b);
            }
        }
        let mut b = Vec::new();
        for f in &self.match_fields {
            encode_oxm_id(&mut b, v, *f, self.mask.contains(f));
        }
        put_prop(out, TFPT_MATCH, &b);
        let mut b = Vec::new();
        for f in &self.wildcard {
            encode_oxm_id(&mut b, v, *f, false);
        }
        put_prop(out, TFPT_WILDCARDS, &b);
        let len = out.len() - start;
        out.patch_be16(start, u16::try_from(len).unwrap_or(u16::MAX));
    }

    /// Equal apart from the table id, name and command (what "ditto" means).
    /// As in the reference, which fields may be wildcarded does not count.
    fn same_as(&self, o: &TableFeatures) -> bool {
        let t = self.table_id;
        self.metadata_match == o.metadata_match
            && self.metadata_write == o.metadata_write
            && self.miss_config == o.miss_config
            && self.eviction == o.eviction
            && self.vacancy_events == o.vacancy_events
            && self.max_entries == o.max_entries
            && same_instructions(&self.nonmiss, &o.nonmiss, t)
            && same_instructions(&self.miss, &o.miss, t)
            && self.same_matching(o)
    }

    /// The reference's "(same matching)": the same fields can be matched,
    /// with the same ones maskable; the wildcard sets are not compared.
    fn same_matching(&self, o: &TableFeatures) -> bool {
        self.match_fields == o.match_fields && self.mask == o.mask
    }
}

/// Instruction features compared as the reference compares them when
/// printing table `t`: whether either lists `t` itself as a next table does
/// not matter (the previous table naturally lists its successor).
fn same_instructions(a: &InstructionFeatures, b: &InstructionFeatures, t: u8) -> bool {
    let but_t = |s: &BTreeSet<u8>| s.iter().copied().filter(|x| *x != t).collect::<Vec<u8>>();
    but_t(&a.next_tables) == but_t(&b.next_tables)
        && a.instructions == b.instructions
        && a.write == b.write
        && a.apply == b.apply
}

/// A table's statistics, as table stats replies carry them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct TableCounters {
    pub active_count: u32,
    pub lookup_count: u64,
    pub matched_count: u64,
}

/// State carried from table to table while printing a list: the previous
/// table, and the pending run of tables identical to it.
#[derive(Default)]
pub struct DittoState<'a> {
    prev: Option<(&'a TableFeatures, Option<TableCounters>)>,
    first_ditto: Option<u8>,
    last_ditto: u8,
}

impl<'a> DittoState<'a> {
    /// Prints "tables A...B: ditto" for a pending run, if any.
    pub fn finish(&mut self, out: &mut String) {
        if let Some(first) = self.first_ditto.take() {
            out.push('\n');
            if first == self.last_ditto {
                let _ = writeln!(out, "  table {first}: ditto");
            } else {
                let _ = writeln!(out, "  tables {first}...{}: ditto", self.last_ditto);
            }
        }
    }

    /// Prints one table (with its statistics, for table stats replies; with
    /// `show_features` false only the statistics are printed, as OF1.3+
    /// table stats do).
    pub fn format_table(
        &mut self,
        out: &mut String,
        f: &'a TableFeatures,
        stats: Option<TableCounters>,
        show_features: bool,
    ) {
        let prev = self.prev.replace((f, stats));
        let same_stats = match (stats, prev) {
            (None, _) => true,
            (Some(s), Some((_, Some(p)))) => s == p,
            _ => false,
        };
        let same_features = prev.is_some_and(|(p, _)| !show_features || f.same_as(p));
        if same_stats && same_features && f.name.is_empty() {
            if self.first_ditto.is_none() {
                self.first_ditto = Some(f.table_id);
            }
            self.last_ditto = f.table_id;
            return;
        }
        self.finish(out);
        let _ = write!(out, "\n  table {}", f.table_id);
        if !f.name.is_empty() {
            let _ = write!(out, " (\"{}\")", f.name);
        }
        out.push(':');
        if same_stats && same_features {
            out.push_str(" ditto");
            return;
        }
        out.push('\n');
        if let Some(s) = stats {
            let _ = writeln!(
                out,
                "    active={}, lookup={}, matched={}",
                s.active_count, s.lookup_count, s.matched_count
            );
        }
        if !show_features {
            return;
        }
        if same_features {
            out.push_str("    (same features)\n");
            return;
        }
        let prev = prev.map(|(p, _)| p);
        format_features(out, f, prev);
    }
}

fn format_features(out: &mut String, f: &TableFeatures, prev: Option<&TableFeatures>) {
    if f.metadata_match != 0 || f.metadata_write != 0 {
        out.push_str("    metadata: match=");
        hex_alt(out, f.metadata_match);
        out.push_str(" write=");
        hex_alt(out, f.metadata_write);
        out.push('\n');
    }
    match f.miss_config {
        MissConfig::Default => {}
        MissConfig::Controller => out.push_str("    config=controller\n"),
        MissConfig::Continue => out.push_str("    config=continue\n"),
        MissConfig::Drop => out.push_str("    config=drop\n"),
    }
    if let Some(e) = f.eviction {
        let _ = writeln!(out, "    eviction: {}", supported(e));
    }
    if let Some(e) = f.vacancy_events {
        let _ = writeln!(out, "    vacancy events: {}", supported(e));
    }
    if f.max_entries != 0 {
        let _ = writeln!(out, "    max_entries={}", f.max_entries);
    }

    let empty_info = InstructionFeatures::default();
    let t = f.table_id;
    if f.nonmiss == empty_info && f.miss == empty_info {
        // Nothing to say (OF1.0 tables).
    } else if prev.is_some_and(|p| {
        same_instructions(&p.nonmiss, &f.nonmiss, t) && same_instructions(&p.miss, &f.miss, t)
    }) {
        out.push_str("    (same instructions)\n");
    } else if !same_instructions(&f.nonmiss, &f.miss, t) {
        out.push_str("    instructions (other than table miss):\n");
        format_instruction_features(out, &f.nonmiss, prev.map(|p| &p.nonmiss));
        out.push_str("    instructions (table miss):\n");
        format_instruction_features(out, &f.miss, prev.map(|p| &p.miss));
    } else {
        out.push_str("    instructions (table miss and others):\n");
        format_instruction_features(out, &f.nonmiss, prev.map(|p| &p.nonmiss));
    }

    if f.match_fields.is_empty() {
        // Nothing to say, not even that it is the same as before.
    } else if prev.is_some_and(|p| p.same_matching(f)) {
        out.push_str("    (same matching)\n");
    } else {
        out.push_str("    matching:\n");
        let arbitrary: Vec<FieldId> = f
            .match_fields
            .iter()
            .copied()
            .filter(|x| f.mask.contains(x))
            .collect();
        let either: Vec<FieldId> = f
            .match_fields
            .iter()
            .copied()
            .filter(|x| !f.mask.contains(x) && f.wildcard.contains(x))
            .collect();
        let exact: Vec<FieldId> = f
            .match_fields
            .iter()
            .copied()
            .filter(|x| !f.mask.contains(x) && !f.wildcard.contains(x))
            .collect();
        for (label, set) in [
            ("arbitrary mask", arbitrary),
            ("exact match or wildcard", either),
            ("must exact match", exact),
        ] {
            if !set.is_empty() {
                let _ = writeln!(out, "      {label}: {}", format_field_list(&set));
            }
        }
    }
}

fn supported(b: bool) -> &'static str {
    if b {
        "supported"
    } else {
        "not supported"
    }
}

/// C's "%#llx": "0" for zero, "0x1f" otherwise.
pub(crate) fn hex_alt(out: &mut String, v: u64) {
    if v == 0 {
        out.push('0');
    } else {
        let _ = write!(out, "{v:#x}");
    }
}

fn format_instruction_features(
    out: &mut String,
    info: &InstructionFeatures,
    prev: Option<&InstructionFeatures>,
) {
    // Table 255 is never a goto_table target, so it is not listed.
    let next: Vec<u8> = info
        .next_tables
        .iter()
        .copied()
        .filter(|t| *t < 255)
        .collect();
    if !next.is_empty() {
        out.push_str("      next tables: ");
        let mut i = 0;
        let mut parts = Vec::new();
        while i < next.len() {
            let start = next[i];
            let mut end = start;
            while i + 1 < next.len() && next[i + 1] == end + 1 {
                i += 1;
                end = next[i];
            }
            parts.push(if end == start {
                start.to_string()
            } else {
                format!("{start}-{end}")
            });
            i += 1;
        }
        out.push_str(&parts.join(","));
        out.push('\n');
    }
    if info.instructions.0 != 0 {
        if prev.is_some_and(|p| p.instructions == info.instructions) {
            out.push_str("      (same instructions)\n");
        } else {
            let names: Vec<&str> = INSTRUCTIONS
                .iter()
                .enumerate()
                .filter(|(i, _)| info.instructions.0 & (1 << i) != 0)
                .map(|(_, (n, _))| *n)
                .collect();
            let _ = writeln!(out, "      instructions: {}", names.join(" "));
        }
    }
    if prev.is_some_and(|p| {
        p.write == info.write && p.apply == info.apply && !info.write.set_fields.is_empty()
    }) {
        out.push_str("      (same actions)\n");
    } else if info.write != info.apply {
        out.push_str("      Write-Actions features:\n");
        format_action_features(out, &info.write);
        out.push_str("      Apply-Actions features:\n");
        format_action_features(out, &info.apply);
    } else if !info.write.actions.is_empty() || !info.write.set_fields.is_empty() {
        out.push_str("      Write-Actions and Apply-Actions features:\n");
        format_action_features(out, &info.write);
    }
}

fn format_action_features(out: &mut String, af: &ActionFeatures) {
    if !af.actions.is_empty() {
        out.push_str("        actions: ");
        af.actions.format(out);
        out.push('\n');
    }
    if !af.set_fields.is_empty() {
        let set: Vec<FieldId> = af.set_fields.iter().copied().collect();
        let _ = writeln!(
            out,
            "        supported on Set-Field: {}",
            format_field_list(&set)
        );
    }
}

/// The reference's internal field order, which field lists print in.
const FIELD_ORDER: [&str; 178] = [
    "dp_hash",
    "recirc_id",
    "packet_type",
    "conj_id",
    "tun_id",
    "tun_src",
    "tun_dst",
    "tun_ipv6_src",
    "tun_ipv6_dst",
    "tun_flags",
    "tun_gbp_id",
    "tun_gbp_flags",
    "tun_erspan_idx",
    "tun_erspan_ver",
    "tun_erspan_dir",
    "tun_erspan_hwid",
    "tun_gtpu_flags",
    "tun_gtpu_msgtype",
    "tun_metadata0",
    "tun_metadata1",
    "tun_metadata2",
    "tun_metadata3",
    "tun_metadata4",
    "tun_metadata5",
    "tun_metadata6",
    "tun_metadata7",
    "tun_metadata8",
    "tun_metadata9",
    "tun_metadata10",
    "tun_metadata11",
    "tun_metadata12",
    "tun_metadata13",
    "tun_metadata14",
    "tun_metadata15",
    "tun_metadata16",
    "tun_metadata17",
    "tun_metadata18",
    "tun_metadata19",
    "tun_metadata20",
    "tun_metadata21",
    "tun_metadata22",
    "tun_metadata23",
    "tun_metadata24",
    "tun_metadata25",
    "tun_metadata26",
    "tun_metadata27",
    "tun_metadata28",
    "tun_metadata29",
    "tun_metadata30",
    "tun_metadata31",
    "tun_metadata32",
    "tun_metadata33",
    "tun_metadata34",
    "tun_metadata35",
    "tun_metadata36",
    "tun_metadata37",
    "tun_metadata38",
    "tun_metadata39",
    "tun_metadata40",
    "tun_metadata41",
    "tun_metadata42",
    "tun_metadata43",
    "tun_metadata44",
    "tun_metadata45",
    "tun_metadata46",
    "tun_metadata47",
    "tun_metadata48",
    "tun_metadata49",
    "tun_metadata50",
    "tun_metadata51",
    "tun_metadata52",
    "tun_metadata53",
    "tun_metadata54",
    "tun_metadata55",
    "tun_metadata56",
    "tun_metadata57",
    "tun_metadata58",
    "tun_metadata59",
    "tun_metadata60",
    "tun_metadata61",
    "tun_metadata62",
    "tun_metadata63",
    "metadata",
    "in_port",
    "in_port_oxm",
    "actset_output",
    "pkt_mark",
    "ct_state",
    "ct_zone",
    "ct_mark",
    "ct_label",
    "ct_nw_proto",
    "ct_nw_src",
    "ct_nw_dst",
    "ct_ipv6_src",
    "ct_ipv6_dst",
    "ct_tp_src",
    "ct_tp_dst",
    "reg0",
    "reg1",
    "reg2",
    "reg3",
    "reg4",
    "reg5",
    "reg6",
    "reg7",
    "reg8",
    "reg9",
    "reg10",
    "reg11",
    "reg12",
    "reg13",
    "reg14",
    "reg15",
    "xreg0",
    "xreg1",
    "xreg2",
    "xreg3",
    "xreg4",
    "xreg5",
    "xreg6",
    "xreg7",
    "xxreg0",
    "xxreg1",
    "xxreg2",
    "xxreg3",
    "eth_src",
    "eth_dst",
    "eth_type",
    "vlan_tci",
    "vlan_vid",
    "vlan_pcp",
    "mpls_label",
    "mpls_tc",
    "mpls_bos",
    "mpls_ttl",
    "ip_src",
    "ip_dst",
    "ipv6_src",
    "ipv6_dst",
    "ipv6_label",
    "nw_proto",
    "nw_tos",
    "ip_dscp",
    "nw_ecn",
    "nw_ttl",
    "ip_frag",
    "arp_op",
    "arp_spa",
    "arp_tpa",
    "arp_sha",
    "arp_tha",
    "tcp_src",
    "tcp_dst",
    "tcp_flags",
    "udp_src",
    "udp_dst",
    "sctp_src",
    "sctp_dst",
    "icmp_type",
    "icmp_code",
    "icmpv6_type",
    "icmpv6_code",
    "nd_target",
    "nd_sll",
    "nd_tll",
    "nd_reserved",
    "nd_options_type",
    "nsh_flags",
    "nsh_mdtype",
    "nsh_np",
    "nsh_spi",
    "nsh_si",
    "nsh_c1",
    "nsh_c2",
    "nsh_c3",
    "nsh_c4",
    "nsh_ttl",
];

/// Position of a field in the reference's internal order (which is the
/// order it prints field lists in); unknown fields sort last.
pub fn field_rank_index(f: FieldId) -> usize {
    let name = f.name();
    FIELD_ORDER
        .iter()
        .position(|n| *n == name)
        .unwrap_or(FIELD_ORDER.len())
}

fn field_rank(f: FieldId) -> (usize, FieldId) {
    (field_rank_index(f), f)
}

/// A field list as the reference prints it: in its field order, with runs
/// sharing a first word folded ("eth_{src,dst,type}") and numbered runs of
/// three or more shortened ("reg0...reg15").
pub fn format_field_list(fields: &[FieldId]) -> String {
    let mut sorted = fields.to_vec();
    sorted.sort_by_key(|f| field_rank(*f));
    sorted.dedup();
    let names: Vec<&str> = sorted.iter().map(|f| f.name()).collect();
    fold_names(&names).join(" ")
}

/// Splits "reg12" into ("reg", 12).
fn numbered(s: &str) -> Option<(&str, u32)> {
    let digits = s.len() - s.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    if digits == 0 {
        return None;
    }
    let (base, num) = s.split_at(s.len() - digits);
    Some((base, num.parse().ok()?))
}

/// The folding of [`format_field_list`], on names already in order. The
/// reference's quirk is kept: a group's common prefix comes from its first
/// two names, while membership only needs the same first word, so later
/// members may lose a different number of characters.
fn fold_names(names: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < names.len() {
        let name = names[i];
        // A numbered run of three or more: "reg0...reg15".
        if let Some((base, n)) = numbered(name) {
            let mut j = i + 1;
            while j < names.len()
                && numbered(names[j]).is_some_and(|(b, m)| b == base && m == n + (j - i) as u32)
            {
                j += 1;
            }
            if j - i >= 3 {
                out.push(format!("{name}...{}", names[j - 1]));
                i = j;
                continue;
            }
        }
        // A group of names sharing the first word.
        if let (Some(us), Some(next)) = (name.find('_'), names.get(i + 1)) {
            let word = &name[..=us];
            if next.starts_with(word) {
                let common = name
                    .bytes()
                    .zip(next.bytes())
                    .take_while(|(a, b)| a == b)
                    .count();
                let prefix_len = name[..common].rfind('_').map_or(us + 1, |p| p + 1);
                let mut j = i + 1;
                while j < names.len() && names[j].starts_with(word) {
                    j += 1;
                }
                let suffixes: Vec<&str> = names[i..j]
                    .iter()
                    .map(|n| n.get(prefix_len..).unwrap_or(""))
                    .collect();
                out.push(format!(
                    "{}{{{}}}",
                    &name[..prefix_len],
                    fold_names(&suffixes).join(",")
                ));
                i = j;
                continue;
            }
        }
        out.push(name.to_string());
        i += 1;
    }
    out
}

/// Prints a list of table features (a table features request or reply).
pub fn format_list(out: &mut String, _v: Version, tables: &[TableFeatures]) {
    if let Some(first) = tables.first() {
        let cmd = match first.command {
            1 => Some("modify"),
            2 => Some("enable"),
            3 => Some("disable"),
            _ => None,
        };
        if let Some(c) = cmd {
            let _ = write!(out, "\n  command: {c}");
        }
    }
    let mut st = DittoState::default();
    for t in tables {
        st.format_table(out, t, None, true);
    }
    st.finish(out);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding() {
        let f = |v: &[&str]| fold_names(v).join(" ");
        assert_eq!(f(&["reg0", "reg1", "reg2", "xreg0"]), "reg0...reg2 xreg0");
        assert_eq!(f(&["reg0", "reg1"]), "reg0 reg1");
        assert_eq!(f(&["eth_src", "eth_dst", "eth_type"]), "eth_{src,dst,type}");
        assert_eq!(f(&["in_port", "in_port_oxm"]), "in_{port,port_oxm}");
        assert_eq!(
            f(&["ct_nw_proto", "ct_nw_src", "ct_ipv6_src", "ct_ipv6_dst"]),
            "ct_nw_{proto,src,6_{src,dst}}"
        );
        assert_eq!(
            f(&["tun_ipv6_src", "tun_ipv6_dst", "tun_flags", "tun_gbp_id"]),
            "tun_ipv6_{src,dst,,d}"
        );
        assert_eq!(
            f(&["tun_id", "tun_metadata0", "tun_metadata1", "tun_metadata2"]),
            "tun_{id,metadata0...metadata2}"
        );
        assert_eq!(f(&["nsh_c1", "nsh_c2"]), "nsh_{c1,c2}");
    }
}
