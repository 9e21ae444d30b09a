//! OFPT_TABLE_MOD: OF1.1/1.2 table-miss behaviour, OF1.4+ eviction and
//! vacancy events (config bits plus the eviction and vacancy properties).
//! OF1.3's table-mod carries only the table id.

use std::fmt::Write;

use crate::buf::{Put, Reader};
use crate::error::OfpError;
use crate::version::Version;

use super::port_desc::next_property;

/// OF1.1/1.2 OFPTC_TABLE_MISS_* values.
pub const MISS_CONTROLLER: u32 = 0;
pub const MISS_CONTINUE: u32 = 1;
pub const MISS_DROP: u32 = 2;
/// OF1.4 config bits.
const TC_EVICTION: u32 = 1 << 2;
const TC_VACANCY_EVENTS: u32 = 1 << 3;
/// OF1.4 table-mod properties.
const TMPT_EVICTION: u16 = 2;
const TMPT_VACANCY: u16 = 3;
/// Table id meaning "every table".
pub const ALL_TABLES: u8 = 0xff;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TableMod {
    pub table_id: u8,
    /// OF1.1/1.2: MISS_* (anything else acts as MISS_CONTROLLER).
    pub miss: u32,
    /// OF1.4+: the OFPTC_EVICTION config bit.
    pub eviction: bool,
    /// OF1.4+: the eviction property's flags, if present. The reference
    /// lets them override the config bit: 0 = default (not shown), 1 = on,
    /// 2 = off, anything else an error marker.
    pub eviction_flags: Option<u32>,
    /// OF1.4+: the OFPTC_VACANCY_EVENTS config bit.
    pub vacancy: bool,
    /// OF1.4+: the vacancy property's (vacancy_down, vacancy_up) percentages.
    pub vacancy_thresholds: Option<(u8, u8)>,
}

impl TableMod {
    pub fn decode(v: Version, body: &mut Reader) -> Result<TableMod, OfpError> {
        let table_id = body.u8()?;
        body.skip(3)?;
        let config = body.be32()?;
        let mut tm = TableMod {
            table_id,
            ..TableMod::default()
        };
        match v {
            Version::Of10 => return Err(OfpError::BrcBadType),
            Version::Of11 | Version::Of12 => {
                tm.miss = match config & 3 {
                    3 => MISS_CONTROLLER,
                    m => m,
                };
            }
            Version::Of13 => {}
            Version::Of14 | Version::Of15 => {
                tm.eviction = config & TC_EVICTION != 0;
                tm.vacancy = config & TC_VACANCY_EVENTS != 0;
                while !body.is_empty() {
                    let (ty, mut prop) = next_property(body)?;
                    match ty {
                        TMPT_EVICTION => {
                            if prop.remaining() != 4 {
                                return Err(OfpError::BpcBadLen);
                            }
                            tm.eviction_flags = Some(prop.be32()?);
                        }
                        TMPT_VACANCY => {
                            if prop.remaining() != 4 {
                                return Err(OfpError::BpcBadLen);
                            }
                            let down = prop.u8()?;
                            let up = prop.u8()?;
                            let vacancy = prop.u8()?;
                            if vacancy != 0 || down > up || up > 100 {
                                return Err(OfpError::BpcBadValue);
                            }
                            tm.vacancy_thresholds = Some((down, up));
                        }
                        _ => return Err(OfpError::BrcBadType),
                    }
                }
            }
        }
        Ok(tm)
    }

    pub fn encode_body(&self, v: Version, out: &mut Vec<u8>) {
        out.put_u8(self.table_id);
        out.put_zeros(3);
        match v {
            Version::Of10 | Version::Of13 => out.put_be32(0),
            Version::Of11 | Version::Of12 => out.put_be32(self.miss & 3),
            Version::Of14 | Version::Of15 => {
                let mut config = 0;
                if self.eviction {
                    config |= TC_EVICTION;
                }
                if self.vacancy {
                    config |= TC_VACANCY_EVENTS;
                }
                out.put_be32(config);
                if let Some(f) = self.eviction_flags {
                    out.put_be16(TMPT_EVICTION);
                    out.put_be16(8);
                    out.put_be32(f);
                }
                if let Some((down, up)) = self.vacancy_thresholds {
                    out.put_be16(TMPT_VACANCY);
                    out.put_be16(8);
                    out.put_u8(down);
                    out.put_u8(up);
                    out.put_zeros(2);
                }
            }
        }
    }

    pub fn format(&self, v: Version, out: &mut String) {
        if self.table_id == ALL_TABLES {
            out.push_str(" table_id: ALL_TABLES");
        } else {
            let _ = write!(out, " table_id={}", self.table_id);
        }
        match v {
            Version::Of11 | Version::Of12 => {
                let miss = match self.miss {
                    MISS_CONTINUE => "continue",
                    MISS_DROP => "drop",
                    _ => "controller",
                };
                let _ = write!(out, ", flow_miss_config={miss}");
            }
            Version::Of14 | Version::Of15 => {
                let eviction = match self.eviction_flags {
                    None if self.eviction => Some("on"),
                    None => Some("off"),
                    Some(0) => None,
                    Some(1) => Some("on"),
                    Some(2) => Some("off"),
                    Some(_) => Some("***error***"),
                };
                if let Some(e) = eviction {
                    let _ = write!(out, ", eviction={e}");
                }
                if self.vacancy {
                    let (down, up) = self.vacancy_thresholds.unwrap_or((0, 0));
                    let _ = write!(out, ", vacancy=on vacancy:{down},{up}");
                } else {
                    out.push_str(", vacancy=off");
                }
            }
            _ => {}
        }
    }
}
