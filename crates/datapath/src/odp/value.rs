//! Writing and reading single values of the datapath flow syntax: numbers in
//! the reference's styles, MAC, IPv4 and IPv6 addresses, masked flag sets, and
//! splitting `a(b,c),d` lists at top-level commas.

use std::fmt::Write;
use std::net::{Ipv4Addr, Ipv6Addr};

use super::fields::{Field, Kind, MaskStyle};

/// `%#x`: `0` for zero, `0x1f` otherwise.
pub(crate) fn alt_hex(out: &mut String, v: u128) {
    if v == 0 {
        out.push('0');
    } else {
        let _ = write!(out, "{v:#x}");
    }
}

pub(crate) fn mac(out: &mut String, v: u128) {
    let b = (v as u64).to_be_bytes();
    let _ = write!(
        out,
        "{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}",
        b[2], b[3], b[4], b[5], b[6], b[7]
    );
}

/// Writes a field's value in its own style.
pub(crate) fn value(out: &mut String, fld: &Field, v: u128) {
    match fld.kind {
        Kind::Dec => {
            let _ = write!(out, "{v}");
        }
        Kind::Hex => alt_hex(out, v),
        Kind::Mac => mac(out, v),
        Kind::Ip4 => {
            let _ = write!(out, "{}", Ipv4Addr::from(v as u32));
        }
        Kind::Ip6 => {
            let _ = write!(out, "{}", Ipv6Addr::from(v));
        }
        Kind::Frag => out.push_str(match v & 3 {
            0 => "no",
            1 => "first",
            3 => "later",
            _ => "later",
        }),
    }
}

/// Writes a field's mask (the caller has decided it is not exact).
pub(crate) fn mask(out: &mut String, fld: &Field, m: u128) {
    match fld.kind {
        Kind::Mac | Kind::Ip4 | Kind::Ip6 => value(out, fld, m),
        _ => match fld.mask_style {
            MaskStyle::AltHex => alt_hex(out, m),
            MaskStyle::Hex => {
                let _ = write!(out, "0x{m:x}");
            }
            MaskStyle::Dec => {
                let _ = write!(out, "{m}");
            }
        },
    }
}

/// `name=value[/mask]`, the mask omitted when exact.
pub(crate) fn field(out: &mut String, fld: &Field, v: u128, m: u128) {
    out.push_str(fld.name);
    out.push('=');
    value(out, fld, v);
    if fld.kind != Kind::Frag && m != fld.full() {
        out.push('/');
        mask(out, fld, m);
    }
}

/// Parses an unsigned number: decimal, or hexadecimal with `0x`.
pub(crate) fn number(s: &str) -> Result<u128, String> {
    let s = s.trim();
    let r = if let Some(h) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        u128::from_str_radix(h, 16)
    } else {
        s.parse::<u128>()
    };
    r.map_err(|_| format!("invalid number \"{s}\""))
}

fn parse_mac(s: &str) -> Result<u128, String> {
    let parts: Vec<&str> = s.split(':').collect();
    if parts.len() != 6 {
        return Err(format!("invalid Ethernet address \"{s}\""));
    }
    let mut v = 0u128;
    for p in parts {
        let b =
            u8::from_str_radix(p, 16).map_err(|_| format!("invalid Ethernet address \"{s}\""))?;
        v = (v << 8) | u128::from(b);
    }
    Ok(v)
}

/// Parses a field value (`Frag` words included).
pub(crate) fn parse_value(fld: &Field, s: &str) -> Result<u128, String> {
    let v = match fld.kind {
        Kind::Dec | Kind::Hex => number(s)?,
        Kind::Mac => parse_mac(s)?,
        Kind::Ip4 => u128::from(u32::from(
            s.parse::<Ipv4Addr>()
                .map_err(|_| format!("invalid IPv4 address \"{s}\""))?,
        )),
        Kind::Ip6 => u128::from(
            s.parse::<Ipv6Addr>()
                .map_err(|_| format!("invalid IPv6 address \"{s}\""))?,
        ),
        Kind::Frag => match s {
            "no" => 0,
            "first" => 1,
            "later" => 3,
            _ => return Err(format!("invalid frag value \"{s}\"")),
        },
    };
    if v > fld.full() {
        return Err(format!("{}={s} is out of range", fld.name));
    }
    Ok(v)
}

/// Parses a field mask: same syntax as values, plus `/N` prefix lengths for
/// addresses.
pub(crate) fn parse_mask(fld: &Field, s: &str) -> Result<u128, String> {
    if matches!(fld.kind, Kind::Ip4 | Kind::Ip6) && !s.contains(['.', ':']) {
        let n = number(s)?;
        let w = u128::from(fld.width());
        if n > w {
            return Err(format!("invalid prefix length \"{s}\""));
        }
        return Ok(if n == 0 {
            0
        } else {
            fld.full() & !((1u128 << (w - n)) - 1)
        });
    }
    if fld.kind == Kind::Frag {
        return number(s);
    }
    parse_value(fld, s)
}

/// `value[/mask]` of a field; exact when there is no mask.
pub(crate) fn parse_field(fld: &Field, s: &str) -> Result<(u128, u128), String> {
    match s.split_once('/') {
        Some((v, m)) => Ok((parse_value(fld, v)?, parse_mask(fld, m)?)),
        None => {
            let v = parse_value(fld, s)?;
            let m = if fld.kind == Kind::Frag {
                3
            } else {
                fld.full()
            };
            Ok((v, m))
        }
    }
}

/// Masked flags: `+syn-ack` (only the mask's bits), `0/0` for an empty mask.
pub(crate) fn flags_masked(out: &mut String, names: &[(&str, u32)], v: u32, m: u32, full: u32) {
    if m == 0 {
        out.push_str("0/0");
        return;
    }
    if m == full {
        // Exact: the set flags joined by '|'.
        let mut first = true;
        for (name, bit) in names {
            if v & bit != 0 {
                if !first {
                    out.push('|');
                }
                first = false;
                out.push_str(name);
            }
        }
        if first {
            out.push('0');
        }
        return;
    }
    for (name, bit) in names {
        if m & bit != 0 {
            out.push(if v & bit != 0 { '+' } else { '-' });
            out.push_str(name);
        }
    }
}

/// Parses `+a-b`, `a|b` (exact) or `0x12/0x13`.
pub(crate) fn parse_flags(names: &[(&str, u32)], full: u32, s: &str) -> Result<(u32, u32), String> {
    let s = s.trim();
    if s.starts_with(['+', '-']) {
        let (mut v, mut m) = (0u32, 0u32);
        let mut rest = s;
        while !rest.is_empty() {
            let plus = rest.starts_with('+');
            rest = &rest[1..];
            let end = rest.find(['+', '-']).unwrap_or(rest.len());
            let name = &rest[..end];
            let bit = names
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, b)| *b)
                .ok_or_else(|| format!("unknown flag \"{name}\""))?;
            m |= bit;
            if plus {
                v |= bit;
            }
            rest = &rest[end..];
        }
        return Ok((v, m));
    }
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        let (v, m) = match s.split_once('/') {
            Some((v, m)) => (number(v)?, number(m)?),
            None => (number(s)?, u128::from(full)),
        };
        return Ok((v as u32, m as u32));
    }
    let mut v = 0;
    for name in s.split('|') {
        v |= names
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, b)| *b)
            .ok_or_else(|| format!("unknown flag \"{name}\""))?;
    }
    Ok((v, full))
}

/// Splits at commas outside parentheses.
pub(crate) fn split_top(s: &str) -> Result<Vec<&str>, String> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    for (i, c) in s.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth < 0 {
                    return Err(format!("unbalanced parentheses in \"{s}\""));
                }
            }
            ',' if depth == 0 => {
                out.push(s[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    if depth != 0 {
        return Err(format!("unbalanced parentheses in \"{s}\""));
    }
    let last = s[start..].trim();
    if !last.is_empty() || !out.is_empty() {
        out.push(last);
    }
    Ok(out)
}

/// `name(inner)` -> (name, Some(inner)); `name` -> (name, None).
pub(crate) fn call(item: &str) -> Result<(&str, Option<&str>), String> {
    match item.find('(') {
        Some(open) => {
            let inner = item[open + 1..]
                .strip_suffix(')')
                .ok_or_else(|| format!("syntax error at {item}"))?;
            Ok((item[..open].trim(), Some(inner)))
        }
        None => Ok((item.trim(), None)),
    }
}
