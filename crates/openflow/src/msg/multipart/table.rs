//! OFPST_TABLE (table statistics, which before OF1.3 also describe the
//! table's features: wildcards, actions, instructions, miss behaviour) and
//! OF1.4's OFPST_TABLE_DESC (eviction and vacancy configuration).

use std::collections::BTreeSet;
use std::fmt::Write;

use crate::buf::{Put, Reader};
use crate::error::OfpError;
use crate::field::FieldId;
use crate::msg::multipart::entry;
use crate::msg::prop;
use crate::msg::table_features::{
    ActionBits, DittoState, InstructionBits, MissConfig, TableCounters, TableFeatures,
};
use crate::version::Version;

/// One table's statistics. Before OF1.3 the entry also describes the table
/// (`features`); from OF1.3 on that is OFPST_TABLE_FEATURES' job and
/// `features` is None.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableStats {
    pub table_id: u8,
    pub counters: TableCounters,
    pub features: Option<TableFeatures>,
}

/// OF1.0 wildcard bits and the fields they stand for, in bit order.
const OF10_WILDCARDS: [(u32, &str); 12] = [
    (1 << 0, "in_port"),
    (1 << 1, "vlan_vid"),
    (1 << 2, "eth_src"),
    (1 << 3, "eth_dst"),
    (1 << 4, "eth_type"),
    (1 << 5, "nw_proto"),
    (1 << 6, "tcp_src"),
    (1 << 7, "tcp_dst"),
    (0x3f << 8, "ip_src"),
    (0x3f << 14, "ip_dst"),
    (1 << 20, "vlan_pcp"),
    (1 << 21, "nw_tos"),
];

/// OF1.1 match-field bits (OFPFMF11_*; wildcards use the low ten) and the
/// fields they stand for.
const OF11_FIELDS: [(u32, &str); 15] = [
    (1 << 0, "in_port"),
    (1 << 1, "vlan_vid"),
    (1 << 2, "vlan_pcp"),
    (1 << 3, "eth_type"),
    (1 << 4, "nw_tos"),
    (1 << 5, "nw_proto"),
    (1 << 6, "tcp_src"),
    (1 << 7, "tcp_dst"),
    (1 << 8, "mpls_label"),
    (1 << 9, "mpls_tc"),
    (1 << 11, "eth_src"),
    (1 << 12, "eth_dst"),
    (1 << 13, "ip_src"),
    (1 << 14, "ip_dst"),
    (1 << 15, "metadata"),
];

fn fields_of(bits: u32, table: &[(u32, &str)]) -> BTreeSet<FieldId> {
    table
        .iter()
        .filter(|(b, _)| bits & b != 0)
        .filter_map(|(_, n)| FieldId::by_name(n))
        .collect()
}

fn bits_of(set: &BTreeSet<FieldId>, table: &[(u32, &str)]) -> u32 {
    table
        .iter()
        .filter(|(_, n)| FieldId::by_name(n).is_some_and(|f| set.contains(&f)))
        .fold(0, |b, (bit, _)| b | bit)
}

/// OF1.2 table stats: a bitmap over OXM basic-class field numbers (only
/// those OF1.2 defines count).
fn oxm_fields(bits: u64) -> BTreeSet<FieldId> {
    (0..64u8)
        .filter(|i| bits & (1 << i) != 0)
        .filter_map(|i| FieldId::from_code_point(0x8000, i, 0))
        .filter(|f| {
            f.wires()
                .iter()
                .any(|w| w.class == 0x8000 && w.since.is_some_and(|s| s <= Version::Of12))
        })
        .collect()
}

fn oxm_bits(set: &BTreeSet<FieldId>) -> u64 {
    set.iter()
        .filter_map(|f| f.wires().iter().find(|w| w.class == 0x8000))
        .filter(|w| w.field < 64)
        .fold(0, |b, w| b | (1u64 << w.field))
}

/// The meter instruction's bit in instruction bitmaps: OF1.3's, so OF1.1
/// and OF1.2 table statistics cannot claim it (the reference ignores it).
const OF13_METER_BIT: u32 = 1 << 6;

/// OF1.1/1.2 table-miss config bits; the undefined value 3 is taken as
/// the default (controller), as the reference does.
fn miss_config_of(config: u32) -> MissConfig {
    match config & 3 {
        1 => MissConfig::Continue,
        2 => MissConfig::Drop,
        _ => MissConfig::Controller,
    }
}

fn miss_config_bits(m: MissConfig) -> u32 {
    match m {
        MissConfig::Controller | MissConfig::Default => 0,
        MissConfig::Continue => 1,
        MissConfig::Drop => 2,
    }
}

fn get_name(r: &mut Reader) -> Result<String, OfpError> {
    let b = r.bytes(32)?;
    let end = b.iter().position(|c| *c == 0).unwrap_or(32);
    Ok(String::from_utf8_lossy(&b[..end]).into_owned())
}

fn put_name(out: &mut Vec<u8>, name: &str) {
    let mut n = name.as_bytes().to_vec();
    n.truncate(31);
    n.resize(32, 0);
    out.extend_from_slice(&n);
}

impl TableStats {
    pub fn decode(v: Version, r: &mut Reader) -> Result<TableStats, OfpError> {
        let table_id = r.u8()?;
        match v {
            Version::Of10 => {
                r.skip(3)?;
                let mut f = TableFeatures {
                    table_id,
                    name: get_name(r)?,
                    ..TableFeatures::default()
                };
                let wildcards = r.be32()?;
                f.max_entries = r.be32()?;
                let counters = TableCounters {
                    active_count: r.be32()?,
                    lookup_count: r.be64()?,
                    matched_count: r.be64()?,
                };
                // The reference takes OF1.0's wildcards as both what the
                // table matches and what it can wildcard.
                f.wildcard = fields_of(wildcards, &OF10_WILDCARDS);
                f.match_fields = f.wildcard.clone();
                Ok(TableStats {
                    table_id,
                    counters,
                    features: Some(f),
                })
            }
            Version::Of11 => {
                r.skip(7)?;
                let mut f = TableFeatures {
                    table_id,
                    name: get_name(r)?,
                    ..TableFeatures::default()
                };
                let wildcards = r.be32()?;
                let matches = r.be32()?;
                let instructions = InstructionBits::from_wire(r.be32()? & !OF13_METER_BIT);
                let write = ActionBits::from_wire(v, r.be32()?);
                // OF1.1's apply-actions bitmap is ignored: the reference
                // takes the write-actions one for both.
                r.skip(4)?;
                let apply = write;
                f.miss_config = miss_config_of(r.be32()?);
                f.max_entries = r.be32()?;
                let counters = TableCounters {
                    active_count: r.be32()?,
                    lookup_count: r.be64()?,
                    matched_count: r.be64()?,
                };
                // A field the table can wildcard is one it can match,
                // whatever the match bitmap says (the reference merges them).
                f.wildcard = fields_of(wildcards, &OF11_FIELDS);
                f.match_fields = fields_of(matches, &OF11_FIELDS);
                f.match_fields.extend(f.wildcard.iter().copied());
                f.nonmiss.instructions = instructions;
                f.nonmiss.write.actions = write;
                f.nonmiss.apply.actions = apply;
                f.miss = f.nonmiss.clone();
                Ok(TableStats {
                    table_id,
                    counters,
                    features: Some(f),
                })
            }
            Version::Of12 => {
                r.skip(7)?;
                let mut f = TableFeatures {
                    table_id,
                    name: get_name(r)?,
                    ..TableFeatures::default()
                };
                f.match_fields = oxm_fields(r.be64()?);
                f.wildcard = oxm_fields(r.be64()?);
                f.match_fields.extend(f.wildcard.iter().copied());
                f.nonmiss.write.actions = ActionBits::from_wire(v, r.be32()?);
                f.nonmiss.apply.actions = ActionBits::from_wire(v, r.be32()?);
                f.nonmiss.write.set_fields = oxm_fields(r.be64()?);
                f.nonmiss.apply.set_fields = oxm_fields(r.be64()?);
                f.metadata_match = r.be64()?;
                f.metadata_write = r.be64()?;
                f.nonmiss.instructions = InstructionBits::from_wire(r.be32()? & !OF13_METER_BIT);
                f.miss_config = miss_config_of(r.be32()?);
                f.max_entries = r.be32()?;
                let counters = TableCounters {
                    active_count: r.be32()?,
                    lookup_count: r.be64()?,
                    matched_count: r.be64()?,
                };
                f.miss = f.nonmiss.clone();
                Ok(TableStats {
                    table_id,
                    counters,
                    features: Some(f),
                })
            }
            _ => {
                r.skip(3)?;
                Ok(TableStats {
                    table_id,
                    counters: TableCounters {
                        active_count: r.be32()?,
                        lookup_count: r.be64()?,
                        matched_count: r.be64()?,
                    },
                    features: None,
                })
            }
        }
    }

    pub fn encode(&self, v: Version, out: &mut Vec<u8>) {
        let dflt = TableFeatures::default();
        let f = self.features.as_ref().unwrap_or(&dflt);
        let c = &self.counters;
        out.put_u8(self.table_id);
        match v {
            Version::Of10 => {
                out.put_zeros(3);
                put_name(out, &f.name);
                out.put_be32(bits_of(&f.wildcard, &OF10_WILDCARDS));
                out.put_be32(f.max_entries);
            }
            Version::Of11 => {
                out.put_zeros(7);
                put_name(out, &f.name);
                out.put_be32(bits_of(&f.wildcard, &OF11_FIELDS));
                out.put_be32(bits_of(&f.match_fields, &OF11_FIELDS));
                out.put_be32(f.nonmiss.instructions.to_wire(v));
                out.put_be32(f.nonmiss.write.actions.to_wire(v));
                out.put_be32(f.nonmiss.write.actions.to_wire(v));
                out.put_be32(miss_config_bits(f.miss_config));
                out.put_be32(f.max_entries);
            }
            Version::Of12 => {
                out.put_zeros(7);
                put_name(out, &f.name);
                out.put_be64(oxm_bits(&f.match_fields));
                out.put_be64(oxm_bits(&f.wildcard));
                out.put_be32(f.nonmiss.write.actions.to_wire(v));
                out.put_be32(f.nonmiss.apply.actions.to_wire(v));
                out.put_be64(oxm_bits(&f.nonmiss.write.set_fields));
                out.put_be64(oxm_bits(&f.nonmiss.apply.set_fields));
                out.put_be64(f.metadata_match);
                out.put_be64(f.metadata_write);
                out.put_be32(f.nonmiss.instructions.to_wire(v));
                out.put_be32(miss_config_bits(f.miss_config));
                out.put_be32(f.max_entries);
            }
            _ => out.put_zeros(3),
        }
        out.put_be32(c.active_count);
        out.put_be64(c.lookup_count);
        out.put_be64(c.matched_count);
    }
}

/// Entry length per version (table stats entries carry no length).
fn table_stats_len(v: Version) -> usize {
    match v {
        Version::Of10 => 64,
        Version::Of11 => 88,
        Version::Of12 => 128,
        _ => 24,
    }
}

pub fn decode_table_stats(v: Version, r: &mut Reader) -> Result<Vec<TableStats>, OfpError> {
    let n = table_stats_len(v);
    if !r.remaining().is_multiple_of(n) {
        return Err(OfpError::BrcBadLen);
    }
    let mut out = Vec::new();
    while !r.is_empty() {
        out.push(TableStats::decode(v, &mut r.sub(n)?)?);
    }
    Ok(out)
}

pub fn encode_table_stats_entries(v: Version, stats: &[TableStats]) -> Vec<Vec<u8>> {
    stats
        .iter()
        .map(|s| {
            let mut b = Vec::new();
            s.encode(v, &mut b);
            b
        })
        .collect()
}

/// The `dump-tables` text.
pub fn format_table_stats(out: &mut String, _v: Version, stats: &[TableStats]) {
    // Tables without features print (and compare) as featureless ones.
    let blank: Vec<TableFeatures> = stats
        .iter()
        .map(|s| TableFeatures {
            table_id: s.table_id,
            ..TableFeatures::default()
        })
        .collect();
    let mut st = DittoState::default();
    for (s, b) in stats.iter().zip(&blank) {
        match &s.features {
            Some(f) => st.format_table(out, f, Some(s.counters), true),
            None => st.format_table(out, b, Some(s.counters), false),
        }
    }
    st.finish(out);
}

/// OF1.4+ table-mod property and table-desc property types.
const TMPT_EVICTION: u16 = 2;
const TMPT_VACANCY: u16 = 3;
const TC14_EVICTION: u32 = 1 << 2;
const TC14_VACANCY_EVENTS: u32 = 1 << 3;

/// Vacancy event thresholds and the current vacancy, in percent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Vacancy {
    pub down: u8,
    pub up: u8,
    pub vacancy: u8,
}

/// An OFPST_TABLE_DESC reply entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableDesc {
    pub table_id: u8,
    pub eviction: bool,
    pub vacancy_events: bool,
    /// OFPTMPEF14_* eviction flags; None when not said.
    pub eviction_flags: Option<u32>,
    pub vacancy: Option<Vacancy>,
}

impl TableDesc {
    pub fn decode(_v: Version, r: &mut Reader) -> Result<TableDesc, OfpError> {
        let mut e = entry(r, 8)?;
        e.skip(2)?;
        let table_id = e.u8()?;
        e.skip(1)?;
        let config = e.be32()?;
        let mut d = TableDesc {
            table_id,
            eviction: config & TC14_EVICTION != 0,
            vacancy_events: config & TC14_VACANCY_EVENTS != 0,
            eviction_flags: None,
            vacancy: None,
        };
        while !e.is_empty() {
            let Some((ptype, mut p)) = prop::pull_loose(&mut e)? else {
                continue;
            };
            // Both properties are exactly 8 bytes long; others are skipped.
            let exact = |p: &Reader| {
                if p.remaining() == 4 {
                    Ok(())
                } else {
                    Err(OfpError::BpcBadLen)
                }
            };
            match ptype {
                TMPT_EVICTION => {
                    exact(&p)?;
                    d.eviction_flags = Some(p.be32()?);
                }
                TMPT_VACANCY => {
                    exact(&p)?;
                    let [down, up, vacancy, _] = prop::prefix::<4>(&mut p)?;
                    d.vacancy = Some(Vacancy { down, up, vacancy });
                }
                _ => {}
            }
        }
        Ok(d)
    }

    pub fn encode(&self, _v: Version, out: &mut Vec<u8>) {
        let start = out.len();
        out.put_be16(0);
        out.put_u8(self.table_id);
        out.put_u8(0);
        let mut config = 0;
        if self.eviction {
            config |= TC14_EVICTION;
        }
        if self.vacancy_events {
            config |= TC14_VACANCY_EVENTS;
        }
        out.put_be32(config);
        if let Some(f) = self.eviction_flags {
            out.put_be16(TMPT_EVICTION);
            out.put_be16(8);
            out.put_be32(f);
        }
        if let Some(v) = self.vacancy {
            out.put_be16(TMPT_VACANCY);
            out.put_be16(8);
            out.put_u8(v.down);
            out.put_u8(v.up);
            out.put_u8(v.vacancy);
            out.put_u8(0);
        }
        let len = out.len() - start;
        out.patch_be16(start, u16::try_from(len).unwrap_or(u16::MAX));
    }

    /// The entry as OFPST_TABLE_DESC replies (and OFPT_TABLE_STATUS) print it.
    pub fn format(&self, out: &mut String) {
        let _ = write!(
            out,
            "\n  table {}:\n   eviction={} eviction_flags=",
            self.table_id,
            if self.eviction { "on" } else { "off" }
        );
        match self.eviction_flags {
            None => out.push_str("(default)"),
            Some(0) => out.push('0'),
            Some(f) => {
                let mut parts: Vec<String> = Vec::new();
                for (bit, name) in [(1, "OTHER"), (2, "IMPORTANCE"), (4, "LIFETIME")] {
                    if f & bit != 0 {
                        parts.push(name.to_string());
                    }
                }
                if f & !7 != 0 {
                    parts.push(format!("0x{:x}", f & !7));
                }
                out.push_str(&parts.join("|"));
            }
        }
        out.push_str("\n   vacancy=");
        if self.vacancy_events {
            let v = self.vacancy.unwrap_or(Vacancy {
                down: 0,
                up: 0,
                vacancy: 0,
            });
            let _ = writeln!(
                out,
                "on vacancy_down={}% vacancy_up={}% vacancy={}%",
                v.down, v.up, v.vacancy
            );
        } else {
            out.push_str("off\n");
        }
    }
}

pub fn format_table_descs(out: &mut String, descs: &[TableDesc]) {
    for d in descs {
        d.format(out);
    }
}
