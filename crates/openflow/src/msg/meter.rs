//! Meters (OF1.3+): OFPT_METER_MOD, the meter statistics, configuration and
//! features multipart bodies, and the ovs-ofctl meter syntax
//! (`meter=1,kbps,burst,stats,band=type=drop,rate=1000,burst_size=100`) with
//! the `dump-meters` / `meter-stats` / `meter-features` text.

use std::fmt::Write;

use crate::buf::{Put, Reader};
use crate::error::OfpError;
use crate::msg::multipart::text::{format_bit_names, str_to_u32, str_to_u8, KeyValues};
use crate::msg::multipart::{decode_all, entry, expect_end, format_duration};
use crate::protocol::Protocols;

/// Highest ordinary meter id.
pub const METER_MAX: u32 = 0xffff_0000;
/// Virtual meter for packets sent to the datapath's slow path.
pub const METER_SLOWPATH: u32 = 0xffff_fffd;
/// Virtual meter for packets sent to controllers.
pub const METER_CONTROLLER: u32 = 0xffff_fffe;
/// Every meter (requests and deletes).
pub const METER_ALL: u32 = 0xffff_ffff;

/// Meter flags (OFPMF13_*).
pub const MF_KBPS: u16 = 1 << 0;
pub const MF_PKTPS: u16 = 1 << 1;
pub const MF_BURST: u16 = 1 << 2;
pub const MF_STATS: u16 = 1 << 3;

const MBT_DROP: u16 = 1;
const MBT_DSCP_REMARK: u16 = 2;
const BAND_LEN: u16 = 16;

/// What a meter band does to packets above its rate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BandType {
    Drop,
    /// Raise the drop precedence of the DSCP by `prec_level`.
    DscpRemark,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MeterBand {
    pub band_type: BandType,
    /// In kb/s or packets/s, per the meter's flags.
    pub rate: u32,
    pub burst_size: u32,
    /// DscpRemark only (0 for Drop).
    pub prec_level: u8,
}

impl MeterBand {
    fn decode(r: &mut Reader) -> Result<MeterBand, OfpError> {
        let ty = r.be16()?;
        let len = r.be16()?;
        if len != BAND_LEN {
            return Err(OfpError::BrcBadLen);
        }
        let rate = r.be32()?;
        let burst_size = r.be32()?;
        let extra = r.array::<4>()?;
        let (band_type, prec_level) = match ty {
            MBT_DROP => (BandType::Drop, 0),
            MBT_DSCP_REMARK => (BandType::DscpRemark, extra[0]),
            _ => return Err(OfpError::MmfcBadBand),
        };
        Ok(MeterBand {
            band_type,
            rate,
            burst_size,
            prec_level,
        })
    }

    fn encode(&self, out: &mut Vec<u8>) {
        out.put_be16(match self.band_type {
            BandType::Drop => MBT_DROP,
            BandType::DscpRemark => MBT_DSCP_REMARK,
        });
        out.put_be16(BAND_LEN);
        out.put_be32(self.rate);
        out.put_be32(self.burst_size);
        out.put_u8(match self.band_type {
            BandType::Drop => 0,
            BandType::DscpRemark => self.prec_level,
        });
        out.put_zeros(3);
    }

    /// "type=drop rate=1000 burst_size=100": the burst size only for meters
    /// with the burst flag.
    fn format(&self, out: &mut String, flags: u16) {
        let name = match self.band_type {
            BandType::Drop => "drop",
            BandType::DscpRemark => "dscp_remark",
        };
        let _ = write!(out, "type={name} rate={}", self.rate);
        if flags & MF_BURST != 0 {
            let _ = write!(out, " burst_size={}", self.burst_size);
        }
        if self.band_type == BandType::DscpRemark {
            let _ = write!(out, " prec_level={}", self.prec_level);
        }
    }
}

/// A meter: what a meter mod sets and a meter config reply reports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Meter {
    pub meter_id: u32,
    pub flags: u16,
    pub bands: Vec<MeterBand>,
}

/// "meter=1 kbps burst stats bands=\ntype=drop rate=1\n".
fn format_meter(out: &mut String, m: &Meter) {
    out.push_str("meter=");
    format_meter_id(out, m.meter_id);
    for (bit, name) in [
        (MF_KBPS, "kbps"),
        (MF_PKTPS, "pktps"),
        (MF_BURST, "burst"),
        (MF_STATS, "stats"),
    ] {
        if m.flags & bit != 0 {
            out.push(' ');
            out.push_str(name);
        }
    }
    let unknown = m.flags & !(MF_KBPS | MF_PKTPS | MF_BURST | MF_STATS);
    if unknown != 0 {
        let _ = write!(out, " flags:0x{unknown:x}");
    }
    out.push_str(" bands=\n");
    for b in &m.bands {
        b.format(out, m.flags);
        out.push('\n');
    }
}

/// A meter id as printed: the number, or "all", "controller", "slowpath",
/// "unknown" for ids above the ordinary range.
pub fn format_meter_id(out: &mut String, id: u32) {
    match id {
        METER_ALL => out.push_str("all"),
        METER_CONTROLLER => out.push_str("controller"),
        METER_SLOWPATH => out.push_str("slowpath"),
        id if id > METER_MAX => out.push_str("unknown"),
        id => {
            let _ = write!(out, "{id}");
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MeterModCommand {
    Add,
    Modify,
    Delete,
}

impl MeterModCommand {
    fn wire(self) -> u16 {
        match self {
            MeterModCommand::Add => 0,
            MeterModCommand::Modify => 1,
            MeterModCommand::Delete => 2,
        }
    }
}

/// OFPT_METER_MOD.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MeterMod {
    pub command: MeterModCommand,
    pub meter: Meter,
}

impl MeterMod {
    /// Decodes the body after `ofp_header`. A delete's bands are ignored,
    /// whatever they are, as the reference does.
    pub fn decode(r: &mut Reader) -> Result<MeterMod, OfpError> {
        let command = match r.be16()? {
            0 => MeterModCommand::Add,
            1 => MeterModCommand::Modify,
            2 => MeterModCommand::Delete,
            _ => return Err(OfpError::MmfcBadCommand),
        };
        let flags = r.be16()?;
        let meter_id = r.be32()?;
        // A rate cannot be in both units (deletes do not say).
        if command != MeterModCommand::Delete && flags & MF_KBPS != 0 && flags & MF_PKTPS != 0 {
            return Err(OfpError::MmfcBadFlags);
        }
        // A delete is only its meter id: flags and bands are ignored,
        // whatever they are, as the reference ignores them.
        let (flags, bands) = if command == MeterModCommand::Delete {
            r.take_rest();
            (0, Vec::new())
        } else {
            (flags, decode_bands(r)?)
        };
        Ok(MeterMod {
            command,
            meter: Meter {
                meter_id,
                flags,
                bands,
            },
        })
    }

    /// Encodes the body after `ofp_header`.
    pub fn encode(&self, out: &mut Vec<u8>) {
        out.put_be16(self.command.wire());
        out.put_be16(self.meter.flags);
        out.put_be32(self.meter.meter_id);
        for b in &self.meter.bands {
            b.encode(out);
        }
    }

    /// What ofp-print prints after the header line's colon.
    pub fn format(&self, out: &mut String) {
        out.push_str(match self.command {
            MeterModCommand::Add => " ADD ",
            MeterModCommand::Modify => " MOD ",
            MeterModCommand::Delete => " DEL ",
        });
        format_meter(out, &self.meter);
    }
}

fn decode_bands(r: &mut Reader) -> Result<Vec<MeterBand>, OfpError> {
    let mut bands = Vec::new();
    while !r.is_empty() {
        bands.push(MeterBand::decode(r)?);
    }
    Ok(bands)
}

/// An OFPST_METER_CONFIG reply entry.
pub type MeterConfig = Meter;

impl Meter {
    /// One `ofp_meter_config` (length, flags, meter id, bands).
    pub fn decode(r: &mut Reader) -> Result<Meter, OfpError> {
        let mut e = entry(r, 8)?;
        e.skip(2)?;
        let flags = e.be16()?;
        let meter_id = e.be32()?;
        let bands = decode_bands(&mut e)?;
        Ok(Meter {
            meter_id,
            flags,
            bands,
        })
    }

    pub fn encode(&self, out: &mut Vec<u8>) {
        let len = 8 + self.bands.len() * usize::from(BAND_LEN);
        out.put_be16(u16::try_from(len).unwrap_or(u16::MAX));
        out.put_be16(self.flags);
        out.put_be32(self.meter_id);
        for b in &self.bands {
            b.encode(out);
        }
    }
}

/// The `dump-meters` text.
pub fn format_meter_configs(out: &mut String, meters: &[Meter]) {
    for m in meters {
        out.push('\n');
        format_meter(out, m);
    }
}

/// Per-band counters of a meter.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct BandStats {
    pub packet_count: u64,
    pub byte_count: u64,
}

/// An OFPST_METER reply entry.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct MeterStats {
    pub meter_id: u32,
    pub flow_count: u32,
    pub packet_in_count: u64,
    pub byte_in_count: u64,
    pub duration_sec: u32,
    pub duration_nsec: u32,
    pub bands: Vec<BandStats>,
}

const METER_STATS_LEN: usize = 40;

impl MeterStats {
    pub fn decode(r: &mut Reader) -> Result<MeterStats, OfpError> {
        // The length is after the 4-byte meter id.
        let mut peek = r.clone();
        peek.skip(4)?;
        let len = usize::from(peek.be16()?);
        if len < METER_STATS_LEN
            || len > r.remaining()
            || !(len - METER_STATS_LEN).is_multiple_of(16)
        {
            return Err(OfpError::BrcBadLen);
        }
        let mut e = r.sub(len)?;
        let meter_id = e.be32()?;
        e.skip(8)?; // length, pad
        let mut s = MeterStats {
            meter_id,
            flow_count: e.be32()?,
            packet_in_count: e.be64()?,
            byte_in_count: e.be64()?,
            duration_sec: e.be32()?,
            duration_nsec: e.be32()?,
            bands: Vec::new(),
        };
        s.bands = decode_all(&mut e, |b| {
            Ok(BandStats {
                packet_count: b.be64()?,
                byte_count: b.be64()?,
            })
        })?;
        Ok(s)
    }

    pub fn encode(&self, out: &mut Vec<u8>) {
        out.put_be32(self.meter_id);
        let len = METER_STATS_LEN + 16 * self.bands.len();
        out.put_be16(u16::try_from(len).unwrap_or(u16::MAX));
        out.put_zeros(6);
        out.put_be32(self.flow_count);
        out.put_be64(self.packet_in_count);
        out.put_be64(self.byte_in_count);
        out.put_be32(self.duration_sec);
        out.put_be32(self.duration_nsec);
        for b in &self.bands {
            out.put_be64(b.packet_count);
            out.put_be64(b.byte_count);
        }
    }
}

/// The `meter-stats` text.
pub fn format_meter_stats(out: &mut String, stats: &[MeterStats]) {
    for s in stats {
        out.push_str("\nmeter:");
        format_meter_id(out, s.meter_id);
        let _ = write!(
            out,
            " flow_count:{} packet_in_count:{} byte_in_count:{} duration:",
            s.flow_count, s.packet_in_count, s.byte_in_count
        );
        format_duration(out, s.duration_sec, s.duration_nsec);
        out.push_str(" bands:\n");
        for (i, b) in s.bands.iter().enumerate() {
            let _ = writeln!(
                out,
                "{i}: packet_count:{} byte_count:{}",
                b.packet_count, b.byte_count
            );
        }
    }
}

/// OFPST_METER_FEATURES reply.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct MeterFeatures {
    pub max_meters: u32,
    /// Bit `1 << t` for each supported band type `t`.
    pub band_types: u32,
    /// MF_* flags supported.
    pub capabilities: u32,
    pub max_bands: u8,
    pub max_color: u8,
}

impl MeterFeatures {
    pub fn decode(r: &mut Reader) -> Result<MeterFeatures, OfpError> {
        let f = MeterFeatures {
            max_meters: r.be32()?,
            band_types: r.be32()?,
            capabilities: r.be32()?,
            max_bands: r.u8()?,
            max_color: r.u8()?,
        };
        r.skip(2)?;
        expect_end(r)?;
        Ok(f)
    }

    pub fn encode(&self, out: &mut Vec<u8>) {
        out.put_be32(self.max_meters);
        out.put_be32(self.band_types);
        out.put_be32(self.capabilities);
        out.put_u8(self.max_bands);
        out.put_u8(self.max_color);
        out.put_zeros(2);
    }

    /// The `meter-features` text.
    pub fn format(&self, out: &mut String) {
        let _ = write!(
            out,
            "\nmax_meter:{} max_bands:{} max_color:{}\nband_types: ",
            self.max_meters, self.max_bands, self.max_color
        );
        format_bit_names(
            out,
            self.band_types,
            &[
                (1 << MBT_DROP, "drop"),
                (1 << MBT_DSCP_REMARK, "dscp_remark"),
            ],
        );
        out.push_str("\ncapabilities: ");
        format_bit_names(
            out,
            self.capabilities,
            &[
                (u32::from(MF_KBPS), "kbps"),
                (u32::from(MF_PKTPS), "pktps"),
                (u32::from(MF_BURST), "burst"),
                (u32::from(MF_STATS), "stats"),
            ],
        );
        out.push('\n');
    }
}

/// The meter id of an OFPST_METER / OFPST_METER_CONFIG request.
pub fn decode_meter_request(r: &mut Reader) -> Result<u32, OfpError> {
    let id = r.be32()?;
    r.skip(4)?;
    expect_end(r)?;
    Ok(id)
}

pub fn encode_meter_request(meter_id: u32, out: &mut Vec<u8>) {
    out.put_be32(meter_id);
    out.put_zeros(4);
}

pub fn format_meter_request(out: &mut String, meter_id: u32) {
    out.push_str(" meter=");
    format_meter_id(out, meter_id);
}

/// Which ovs-ofctl command a meter string is for; it decides which keywords
/// are allowed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MeterTextCommand {
    /// add-meter, mod-meter: meter, unit flags and bands are required.
    Mod(MeterModCommand),
    /// dump-meters, meter-stats: only "meter=".
    Query,
}

/// The protocols that can carry meters.
pub const METER_PROTOCOLS: Protocols =
    Protocols(Protocols::OF13_OXM.0 | Protocols::OF14_OXM.0 | Protocols::OF15_OXM.0);

/// Parses an ovs-ofctl meter description. For add/mod the result has the
/// bands; for delete and queries only the meter id. Errors are the
/// reference's messages.
pub fn parse_meter(s: &str, command: MeterTextCommand) -> Result<(MeterMod, Protocols), String> {
    let (mm_command, with_bands) = match command {
        MeterTextCommand::Mod(c @ (MeterModCommand::Add | MeterModCommand::Modify)) => (c, true),
        MeterTextCommand::Mod(MeterModCommand::Delete) => (MeterModCommand::Delete, false),
        // Queries have no command of their own; the reference uses an
        // invalid one, we use Delete's rules (meter id only).
        MeterTextCommand::Query => (MeterModCommand::Delete, false),
    };
    let (meter_part, bands_part) = if with_bands {
        // The bands are everything after the first '=' that follows the
        // first "band" in the string.
        let at = s.find("band").ok_or("must specify bands")?;
        let eq = s[at + 1..].find('=').ok_or("must specify bands")?;
        (&s[..at], Some(&s[at + 1 + eq + 1..]))
    } else {
        (s, None)
    };
    let mut meter = Meter {
        meter_id: 0,
        flags: 0,
        bands: Vec::new(),
    };
    let mut have_id = false;
    for (key, value) in KeyValues::new(meter_part) {
        let flag = match key {
            "kbps" => MF_KBPS,
            "pktps" => MF_PKTPS,
            "burst" => MF_BURST,
            "stats" => MF_STATS,
            _ => 0,
        };
        if with_bands && flag != 0 {
            meter.flags |= flag;
            continue;
        }
        if value.is_empty() {
            return Err(format!("field {key} missing value"));
        }
        if key != "meter" {
            return Err(format!("unknown keyword {key}"));
        }
        meter.meter_id = match value {
            "all" => METER_ALL,
            "controller" => METER_CONTROLLER,
            "slowpath" => METER_SLOWPATH,
            _ => {
                let id = str_to_u32(value)?;
                if id > METER_MAX {
                    return Err("invalid value for meter".to_string());
                }
                id
            }
        };
        have_id = true;
    }
    if !have_id {
        return Err("must specify 'meter'".to_string());
    }
    if with_bands && meter.flags & (MF_KBPS | MF_PKTPS) == 0 {
        return Err("meter must specify either 'kbps' or 'pktps'".to_string());
    }
    if let Some(bands) = bands_part {
        meter.bands = parse_bands(bands, meter.flags)?;
    }
    Ok((
        MeterMod {
            command: mm_command,
            meter,
        },
        METER_PROTOCOLS,
    ))
}

/// "type=drop,rate=1,burst_size=2,type=dscp_remark,...": each "type=" starts
/// a band.
fn parse_bands(s: &str, flags: u16) -> Result<Vec<MeterBand>, String> {
    let mut bands: Vec<MeterBand> = Vec::new();
    for (key, value) in KeyValues::new(s) {
        if value.is_empty() {
            return Err(format!("field {key} missing value"));
        }
        if key == "type" {
            let band_type = match value {
                "drop" => BandType::Drop,
                "dscp_remark" => BandType::DscpRemark,
                _ => return Err(format!("field {key} unknown value {value}")),
            };
            bands.push(MeterBand {
                band_type,
                rate: 0,
                burst_size: 0,
                prec_level: 0,
            });
            continue;
        }
        let Some(band) = bands.last_mut() else {
            return Err("band must start with the 'type' keyword".to_string());
        };
        match key {
            "rate" => band.rate = str_to_u32(value)?,
            "burst_size" => band.burst_size = str_to_u32(value)?,
            "prec_level" => band.prec_level = str_to_u8(value, key)?,
            _ => return Err(format!("unknown keyword {key}")),
        }
    }
    if bands.is_empty() {
        return Err("meter must have bands".to_string());
    }
    for b in &bands {
        if b.band_type == BandType::DscpRemark {
            if b.prec_level == 0 {
                return Err("'dscp_remark' band must have 'prec_level'".to_string());
            }
        } else if b.prec_level != 0 {
            return Err("Only 'dscp_remark' band may have 'prec_level'".to_string());
        }
        if b.rate == 0 {
            return Err("band must have 'rate'".to_string());
        }
        if flags & MF_BURST != 0 {
            if b.burst_size == 0 {
                return Err("band must have 'burst_size' when 'burst' flag is set".to_string());
            }
        } else if b.burst_size != 0 {
            return Err("band may have 'burst_size' only when 'burst' flag is set".to_string());
        }
    }
    Ok(bands)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_print() {
        let (mm, _) = parse_meter(
            "meter=1,kbps,burst,stats,band=type=drop,rate=1000,burst_size=100",
            MeterTextCommand::Mod(MeterModCommand::Add),
        )
        .unwrap();
        let mut s = String::new();
        mm.format(&mut s);
        assert_eq!(
            s,
            " ADD meter=1 kbps burst stats bands=\ntype=drop rate=1000 burst_size=100\n"
        );
        let mut b = Vec::new();
        mm.encode(&mut b);
        assert_eq!(MeterMod::decode(&mut Reader::new(&b)), Ok(mm));
    }

    #[test]
    fn parse_errors() {
        let add = MeterTextCommand::Mod(MeterModCommand::Add);
        assert_eq!(
            parse_meter("meter=1,kbps", add).unwrap_err(),
            "must specify bands"
        );
        assert_eq!(
            parse_meter("meter=1,band=type=drop,rate=1", add).unwrap_err(),
            "meter must specify either 'kbps' or 'pktps'"
        );
        assert_eq!(
            parse_meter("meter=1,kbps", MeterTextCommand::Query).unwrap_err(),
            "field kbps missing value"
        );
    }
}
