//! Geneve TLV option ↔ `tun_metadataN` field mappings: NXT_TLV_TABLE_MOD,
//! NXT_TLV_TABLE_REQUEST and NXT_TLV_TABLE_REPLY, and the `add-tlv-map`
//! text syntax `{class=0xffff,type=0,len=4}->tun_metadata0`.

use std::fmt::Write;

use crate::buf::{Put, Reader};
use crate::error::OfpError;

/// One mapping: option (class, type, len) to field tun_metadata<index>.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TlvMap {
    pub option_class: u16,
    pub option_type: u8,
    pub option_len: u8,
    pub index: u16,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TlvCommand {
    Add,
    Delete,
    Clear,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TlvTableMod {
    pub command: TlvCommand,
    pub mappings: Vec<TlvMap>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TlvTableReply {
    pub max_option_space: u32,
    pub max_fields: u16,
    pub mappings: Vec<TlvMap>,
}

/// tun_metadata0..63.
const MAX_FIELDS: u16 = 64;

/// Mappings until the end of `body`; indexes must be below `max_fields`.
fn decode_maps(body: &mut Reader, max_fields: u32) -> Result<Vec<TlvMap>, OfpError> {
    let mut maps = Vec::new();
    while !body.is_empty() {
        let option_class = body.be16()?;
        let option_type = body.u8()?;
        let option_len = body.u8()?;
        let index = body.be16()?;
        body.skip(2)?;
        if !option_len.is_multiple_of(4) || option_len > 124 {
            return Err(OfpError::NxttmfcBadOptLen);
        }
        if u32::from(index) >= max_fields {
            return Err(OfpError::NxttmfcBadFieldIdx);
        }
        maps.push(TlvMap {
            option_class,
            option_type,
            option_len,
            index,
        });
    }
    Ok(maps)
}

fn encode_maps(maps: &[TlvMap], out: &mut Vec<u8>) {
    for m in maps {
        out.put_be16(m.option_class);
        out.put_u8(m.option_type);
        out.put_u8(m.option_len);
        out.put_be16(m.index);
        out.put_zeros(2);
    }
}

fn format_maps(out: &mut String, maps: &[TlvMap]) {
    out.push_str("  class  type  length  match field\n");
    out.push_str(" ------  ----  ------  --------------\n");
    for m in maps {
        let _ = writeln!(
            out,
            " {:>6}  {:>4}  {:>6}  tun_metadata{}",
            hex_or_zero(u32::from(m.option_class)),
            hex_or_zero(u32::from(m.option_type)),
            m.option_len,
            m.index
        );
    }
}

/// C's "%#x": "0" for zero, "0x1f" otherwise.
fn hex_or_zero(v: u32) -> String {
    if v == 0 {
        "0".to_string()
    } else {
        format!("{v:#x}")
    }
}

impl TlvTableMod {
    pub fn decode(body: &mut Reader) -> Result<TlvTableMod, OfpError> {
        let command = match body.be16()? {
            0 => TlvCommand::Add,
            1 => TlvCommand::Delete,
            2 => TlvCommand::Clear,
            _ => return Err(OfpError::NxttmfcBadCommand),
        };
        body.skip(6)?;
        let mappings = decode_maps(body, u32::from(MAX_FIELDS))?;
        Ok(TlvTableMod { command, mappings })
    }

    pub fn encode_body(&self, out: &mut Vec<u8>) {
        out.put_be16(match self.command {
            TlvCommand::Add => 0,
            TlvCommand::Delete => 1,
            TlvCommand::Clear => 2,
        });
        out.put_zeros(6);
        encode_maps(&self.mappings, out);
    }

    pub fn format(&self, out: &mut String) {
        match self.command {
            TlvCommand::Add => out.push_str("\n ADD mapping table:\n"),
            TlvCommand::Delete => out.push_str("\n DEL mapping table:\n"),
            TlvCommand::Clear => {
                out.push_str("\n CLEAR\n");
                return;
            }
        }
        format_maps(out, &self.mappings);
    }
}

impl TlvTableReply {
    pub fn decode(body: &mut Reader) -> Result<TlvTableReply, OfpError> {
        let max_option_space = body.be32()?;
        let max_fields = body.be16()?;
        body.skip(10)?;
        let mappings = decode_maps(body, u32::from(max_fields))?;
        Ok(TlvTableReply {
            max_option_space,
            max_fields,
            mappings,
        })
    }

    pub fn encode_body(&self, out: &mut Vec<u8>) {
        out.put_be32(self.max_option_space);
        out.put_be16(self.max_fields);
        out.put_zeros(10);
        encode_maps(&self.mappings, out);
    }

    pub fn format(&self, out: &mut String) {
        let _ = writeln!(
            out,
            "\n max option space={} max fields={}",
            self.max_option_space, self.max_fields
        );
        let allocated: u32 = self.mappings.iter().map(|m| u32::from(m.option_len)).sum();
        let _ = writeln!(out, " allocated option space={allocated}");
        out.push_str("\n mapping table:\n");
        format_maps(out, &self.mappings);
    }
}

/// Parses `add-tlv-map` / `del-tlv-map` text: `{class=0xffff,type=0,len=4}->tun_metadata0`
/// items, exactly in this form (the reference reads each with a scanf-like
/// pattern: no spaces except before numbers, keys in this order, numbers in
/// C syntax, too-large numbers wrapped). Like the reference, one comma may
/// precede each item but none is required between them (so a leading comma
/// or items written back to back are accepted, a trailing comma is not).
/// Ranges are the switch's to check. The empty string is no mappings.
pub fn parse_tlv_maps(s: &str) -> Result<Vec<TlvMap>, String> {
    let mut maps = Vec::new();
    let mut rest = s;
    while !rest.is_empty() {
        rest = rest.strip_prefix(',').unwrap_or(rest);
        let (map, after) = parse_one(rest).ok_or_else(|| "invalid tlv mapping".to_string())?;
        maps.push(map);
        rest = after;
    }
    Ok(maps)
}

fn parse_one(s: &str) -> Option<(TlvMap, &str)> {
    let s = s.strip_prefix("{class=")?;
    let (class, s) = scan_int(s)?;
    let s = s.strip_prefix(",type=")?;
    let (ty, s) = scan_int(s)?;
    let s = s.strip_prefix(",len=")?;
    let (len, s) = scan_int(s)?;
    let s = s.strip_prefix("}->tun_metadata")?;
    let (index, s) = scan_int(s)?;
    // Truncation to the field widths is what the reference's scanf does.
    Some((
        TlvMap {
            option_class: class as u16,
            option_type: ty as u8,
            option_len: len as u8,
            index: index as u16,
        },
        s,
    ))
}

/// C's `%i`: leading white space, an optional sign, then hexadecimal after
/// "0x", octal after "0", decimal otherwise. Returns the value (wrapping) and
/// the rest.
fn scan_int(s: &str) -> Option<(u64, &str)> {
    let s = s.trim_start_matches([' ', '\t', '\n', '\r', '\x0b', '\x0c']);
    let (neg, s) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let (radix, digits) = if let Some(h) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        if h.starts_with(|c: char| c.is_ascii_hexdigit()) {
            (16, h)
        } else {
            // "0x" without hex digits: scanf reads the "0".
            (8, s)
        }
    } else if s.starts_with('0') {
        (8, s)
    } else {
        (10, s)
    };
    let end = digits
        .find(|c: char| !c.is_digit(radix))
        .unwrap_or(digits.len());
    if end == 0 {
        return None;
    }
    let mut v: u64 = 0;
    for c in digits[..end].chars() {
        v = v
            .wrapping_mul(u64::from(radix))
            .wrapping_add(u64::from(c.to_digit(radix)?));
    }
    let v = if neg { v.wrapping_neg() } else { v };
    Some((v, &digits[end..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_syntax() {
        let m = parse_tlv_maps(
            "{class=0xffff,type=0,len=4}->tun_metadata0,{class=0x102,type=3,len=8}->tun_metadata5",
        )
        .unwrap();
        assert_eq!(m.len(), 2);
        assert_eq!(
            m[1],
            TlvMap {
                option_class: 0x102,
                option_type: 3,
                option_len: 8,
                index: 5
            }
        );
        assert!(parse_tlv_maps("{class=1}->tun_metadata0").is_err());
        assert_eq!(parse_tlv_maps(""), Ok(vec![]));
        let m = parse_tlv_maps("{class=0xfffff,type=256,len=010}->tun_metadata64").unwrap();
        assert_eq!(
            m[0],
            TlvMap {
                option_class: 0xffff,
                option_type: 0,
                option_len: 8,
                index: 64
            }
        );
        assert!(parse_tlv_maps("{class=1,type=0,len=4}->tun_metadata0x").is_err());
    }

    /// Where commas may go, as the real ovs-ofctl 3.1 accepts them (checked
    /// by running `ovs-ofctl add-tlv-map /nonexistent/br0.mgmt TEXT`: a
    /// parsed mapping gets as far as "is not a bridge or a socket").
    #[test]
    fn commas_like_the_reference() {
        let one = "{class=1,type=0,len=4}->tun_metadata0";
        let two = "{class=2,type=1,len=8}->tun_metadata1";
        assert_eq!(parse_tlv_maps(&format!(",{one}")).map(|m| m.len()), Ok(1));
        assert_eq!(
            parse_tlv_maps(&format!("{one}{two}")).map(|m| m.len()),
            Ok(2)
        );
        assert_eq!(
            parse_tlv_maps(&format!(",{one},{two}")).map(|m| m.len()),
            Ok(2)
        );
        for bad in [
            format!("{one},"),
            format!("{one},,{two}"),
            ",".to_string(),
            format!(" {one}"),
            format!("{one} ,{two}"),
        ] {
            assert_eq!(
                parse_tlv_maps(&bad),
                Err("invalid tlv mapping".to_string()),
                "{bad}"
            );
        }
    }
}
