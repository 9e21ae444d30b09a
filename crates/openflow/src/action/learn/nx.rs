//! Helpers shared by C2's Nicira-extension actions (learn, ct, multipath,
//! bundle, sample, check_pkt_larger): the NX action header, subfield and
//! field-header wire forms, and the C-library number and key=value parsing
//! whose quirks the reference's text syntax inherits (`atoi` wrap-around,
//! `strtoull` base detection), so that odd input parses the same way.
//!
//! It lives under `learn` only because each helper owns its files; the
//! general action parser uses it too.

use crate::buf::{Put, Reader};
use crate::error::OfpError;
use crate::field::{FieldId, SubField, OXM_CLASS_EXPERIMENTER};
use crate::flow_match::Match;
use crate::port::{PortMap, PortNo};

/// Nicira's vendor (experimenter) id.
pub const NX_VENDOR: u32 = 0x0000_2320;

/// Writes an NX action header with a placeholder length; returns where
/// the action starts, for [`finish`].
pub fn start(out: &mut Vec<u8>, subtype: u16) -> usize {
    let start = out.len();
    out.put_be16(0xffff);
    out.put_be16(0);
    out.put_be32(NX_VENDOR);
    out.put_be16(subtype);
    start
}

/// Pads the action begun at `start` to 8 bytes and fills in its length.
pub fn finish(out: &mut Vec<u8>, start: usize) {
    out.pad_from(start, 8);
    let len = out.len() - start;
    out.patch_be16(start + 2, len as u16);
}

/// Total length of an action whose body (after the 10-byte NX header) is `body`.
pub fn action_len(body: &Reader) -> usize {
    body.remaining() + 10
}

/// `ofs << 6 | (n_bits - 1)`, the packed subfield bounds of NX actions.
pub fn ofs_nbits(sf: &SubField) -> u16 {
    (sf.ofs << 6) | (sf.n_bits.saturating_sub(1) & 0x3f)
}

pub fn split_ofs_nbits(v: u16) -> (u16, u16) {
    (v >> 6, (v & 0x3f) + 1)
}

/// Appends the NXM header (with experimenter id when the field has one)
/// that NX actions use to name `field`.
pub fn put_header(out: &mut Vec<u8>, field: FieldId) {
    let Some(wire) = field.wire_for(crate::version::Version::Of10) else {
        // Text-only fields never reach here: parsing refuses them.
        out.put_be32(0);
        return;
    };
    let payload = field.n_bytes() + if wire.is_experimenter() { 4 } else { 0 };
    out.put_be32(wire.header(payload, false));
    if wire.is_experimenter() {
        out.put_be32(wire.experimenter);
    }
}

/// The field named by a header's class, field number and experimenter
/// id, if `exact_len` (the length without a mask) fits it. tun_metadata's
/// length depends on the switch's TLV map, so any length up to 127 fits.
fn lookup(h: u32, experimenter: u32, exact_len: usize) -> Option<FieldId> {
    let class = (h >> 16) as u16;
    let number = ((h >> 9) & 0x7f) as u8;
    let field = FieldId::from_code_point(class, number, experimenter)?;
    let exp_len = if class == OXM_CLASS_EXPERIMENTER {
        4
    } else {
        0
    };
    let fits = if field.tun_metadata_index().is_some() {
        exact_len <= 127
    } else {
        exact_len == field.n_bytes() + exp_len
    };
    fits.then_some(field)
}

/// Length a masked header would have without its mask.
fn exact_len(h: u32, experimenter: bool) -> usize {
    let len = (h & 0xff) as usize;
    match (h & 0x100 != 0, experimenter) {
        (false, _) => len,
        (true, false) => len / 2,
        (true, true) => 4 + len.saturating_sub(4) / 2,
    }
}

/// The field of a 32-bit header as learn specs and the fixed header
/// slots of multipath, bundle_load and ct's zone carry it. A masked
/// header names its field (the mask is ignored, as the reference does);
/// experimenter fields cannot be named this way. `None` if unknown.
pub fn field_from_header32(h: u32) -> Option<FieldId> {
    if (h >> 16) as u16 == OXM_CLASS_EXPERIMENTER {
        return None;
    }
    lookup(h, 0, exact_len(h, false))
}

/// Reads a variable-size header (4 bytes, 8 for experimenter fields) the
/// way check_pkt_larger and learn's result_dst carry it, with the
/// reference's errors: OFPBMC_BAD_LEN for an experimenter header too
/// short to hold its id, OFPBMC_BAD_FIELD for an unknown field,
/// OFPBMC_BAD_MASK for a masked one.
pub fn pull_header(r: &mut Reader) -> Result<FieldId, OfpError> {
    if r.remaining() < 4 {
        return Err(OfpError::BmcBadLen);
    }
    let h = r.be32()?;
    let experimenter = (h >> 16) as u16 == OXM_CLASS_EXPERIMENTER;
    let exp_id = if experimenter {
        if r.remaining() < 4 {
            return Err(OfpError::BmcBadLen);
        }
        let id = r.be32()?;
        if (h & 0xff) < 4 {
            return Err(OfpError::BmcBadLen);
        }
        id
    } else {
        0
    };
    let field = lookup(h, exp_id, exact_len(h, experimenter)).ok_or(OfpError::BmcBadField)?;
    if h & 0x100 != 0 {
        return Err(OfpError::BmcBadMask);
    }
    Ok(field)
}

/// Reads a 32-bit header (learn specs): `None` if it names no field.
pub fn pull_header32(r: &mut Reader) -> Result<Option<FieldId>, OfpError> {
    Ok(field_from_header32(r.be32()?))
}

/// Whether `field` has a plain (non-experimenter) NXM/OXM header, which
/// fixed header slots and learn need; the reference refuses others with
/// "experimenter OXM field '...' not supported".
pub fn has_header32(field: FieldId) -> bool {
    field
        .wire_for(crate::version::Version::Of10)
        .is_some_and(|w| !w.is_experimenter())
}

/// The 32-bit header of `field` for a fixed slot (0 if it has none).
pub fn header32(field: FieldId) -> u32 {
    field.nxm_header().unwrap_or(0)
}

/// A subfield from packed `ofs_nbits` and a 32-bit header: `None` for an unknown field.
pub fn subfield32(ofs_nbits: u16, header: u32) -> Option<SubField> {
    let (ofs, n_bits) = split_ofs_nbits(ofs_nbits);
    field_from_header32(header).map(|field| SubField { field, ofs, n_bits })
}

/// Checks a decoded destination as the reference does: the bits lie within
/// the field, and the field can be written.
/// Like the reference, an overrun is also logged (`meta_flow` warning).
pub fn check_dst(sf: &SubField) -> Result<(), OfpError> {
    crate::action::nxwire::check_dst(sf)
}

/// Checks a decoded source: its bits lie within the field (logged when not).
pub fn check_src(sf: &SubField) -> Result<(), OfpError> {
    crate::action::nxwire::check_src(sf)
}

/// A field read by an action, checked against the flow it runs in: its
/// bits exist (OFPBAC_BAD_SET_LEN) and its prerequisites hold
/// (OFPBAC_MATCH_INCONSISTENT).
pub fn check_src_in(sf: &SubField, flow: &Match) -> Result<(), OfpError> {
    check_src(sf)?;
    if !flow.prereq_ok(sf.field.prereq()) {
        return Err(OfpError::BacMatchInconsistent);
    }
    Ok(())
}

/// A field written by an action: as [`check_src_in`], and writable
/// (OFPBAC_BAD_SET_ARGUMENT).
pub fn check_dst_in(sf: &SubField, flow: &Match) -> Result<(), OfpError> {
    check_dst(sf)?;
    if !flow.prereq_ok(sf.field.prereq()) {
        return Err(OfpError::BacMatchInconsistent);
    }
    Ok(())
}

// ---- C-library number parsing -------------------------------------

/// What a C `strto*` call saw: the magnitude, its sign, how many bytes
/// it consumed (0 if no digits), and whether the magnitude overflowed u64.
struct CNumber {
    magnitude: u64,
    negative: bool,
    end: usize,
    overflow: bool,
}

/// Scans like C's `strtoull`/`strtol`: leading white space, a sign, and
/// for base 0 a `0x` (hex) or `0` (octal) prefix.
fn scan(s: &str, base: u32) -> CNumber {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() && matches!(b[i], b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c) {
        i += 1;
    }
    let mut negative = false;
    if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
        negative = b[i] == b'-';
        i += 1;
    }
    let mut radix = base;
    let hex_prefix = i + 1 < b.len()
        && b[i] == b'0'
        && (b[i + 1] | 0x20) == b'x'
        && b.get(i + 2).is_some_and(u8::is_ascii_hexdigit);
    if (base == 0 || base == 16) && hex_prefix {
        radix = 16;
        i += 2;
    } else if base == 0 {
        radix = if b.get(i) == Some(&b'0') { 8 } else { 10 };
    }
    let digits_start = i;
    let mut magnitude: u64 = 0;
    let mut overflow = false;
    while let Some(d) = b.get(i).and_then(|c| (*c as char).to_digit(radix)) {
        match magnitude
            .checked_mul(u64::from(radix))
            .and_then(|m| m.checked_add(u64::from(d)))
        {
            Some(m) => magnitude = m,
            None => overflow = true,
        }
        i += 1;
    }
    if i == digits_start && !(radix == 16 && hex_prefix) {
        return CNumber {
            magnitude: 0,
            negative: false,
            end: 0,
            overflow: false,
        };
    }
    CNumber {
        magnitude,
        negative,
        end: i,
        overflow,
    }
}

/// C `strtoull(s, &end, base)`: value and bytes consumed; `None` on overflow (ERANGE).
pub fn strtoull(s: &str, base: u32) -> (Option<u64>, usize) {
    let n = scan(s, base);
    let v = if n.negative {
        n.magnitude.wrapping_neg()
    } else {
        n.magnitude
    };
    ((!n.overflow).then_some(v), n.end)
}

/// C `strtol(s, &end, base)` on a 64-bit system: `None` when out of range.
pub fn strtol(s: &str, base: u32) -> (Option<i64>, usize) {
    let n = scan(s, base);
    let v = if n.overflow {
        None
    } else if n.negative {
        (n.magnitude <= 1u64 << 63).then(|| (n.magnitude as i64).wrapping_neg())
    } else {
        i64::try_from(n.magnitude).ok()
    };
    (v, n.end)
}

/// glibc `atoi`: `(int) strtol(s, NULL, 10)`, saturating at the `long`
/// range first and then wrapping to 32 bits; garbage reads as 0.
pub fn atoi(s: &str) -> i32 {
    let n = scan(s, 10);
    let long = if n.negative {
        if n.overflow || n.magnitude > 1u64 << 63 {
            i64::MIN
        } else {
            (n.magnitude as i64).wrapping_neg()
        }
    } else if n.overflow || n.magnitude > i64::MAX as u64 {
        i64::MAX
    } else {
        n.magnitude as i64
    };
    long as i32
}

/// The reference's `str_to_int`: the whole string, `strtol` in `base`, within `int`.
pub fn str_to_int(s: &str, base: u32) -> Option<i32> {
    let (v, end) = strtol(s, base);
    if end != s.len() || end == 0 {
        return None;
    }
    v.and_then(|v| i32::try_from(v).ok())
}

/// The reference's `str_to_u16`: an `int` in 0..=65535, else `invalid NAME "S"`.
pub fn str_to_u16(s: &str, name: &str) -> Result<u16, String> {
    str_to_int(s, 0)
        .and_then(|v| u16::try_from(v).ok())
        .ok_or_else(|| format!("invalid {name} \"{s}\""))
}

/// The reference's `str_to_u32`/`str_to_u64`: `strtoull` base 0 over the whole
/// string, truncated to the width.
pub fn str_to_u64(s: &str) -> Result<u64, String> {
    if s.is_empty() {
        return Err("missing required numeric argument".to_string());
    }
    match strtoull(s, 0) {
        (Some(v), end) if end == s.len() => Ok(v),
        _ => Err(format!("invalid numeric format {s}")),
    }
}

pub fn str_to_u32(s: &str) -> Result<u32, String> {
    str_to_u64(s).map(|v| v as u32)
}

/// The reference's `str_to_uint(s, 10)`: the whole string, in base 10,
/// fitting an unsigned int.
fn str_to_uint10(s: &str) -> Option<u32> {
    let (v, end) = strtol(s, 10);
    if end != s.len() || end == 0 {
        return None;
    }
    v.and_then(|v| u32::try_from(v).ok())
}

// ---- key=value argument lists --------------------------------------

/// Splits the next `key[=:]value` or `key(value)` item off `s`, as the
/// reference's argument parser does: items are separated by commas or
/// white space; a value after `=`/`:` runs to the next separator, one
/// after `(` to the matching `)`; parentheses nest inside values. A key
/// with no value gets the empty string. `key(x)->y` gives the value
/// `x)->y`.
pub fn next_key_value<'a>(s: &mut &'a str) -> Option<(&'a str, &'a str)> {
    const SEPARATORS: &[u8] = b", \t\r\n";
    let rest = s.trim_start_matches(|c: char| c.is_ascii() && SEPARATORS.contains(&(c as u8)));
    if rest.is_empty() {
        *s = rest;
        return None;
    }
    let key_len = rest
        .bytes()
        .position(|c| b":=(, \t\r\n".contains(&c))
        .unwrap_or(rest.len());
    let key = &rest[..key_len];
    let delim = rest.as_bytes().get(key_len).copied();
    let after = &rest[(key_len + usize::from(delim.is_some())).min(rest.len())..];
    let value_delims: &[u8] = match delim {
        Some(b':') | Some(b'=') => SEPARATORS,
        Some(b'(') => b")",
        _ => {
            *s = after;
            return Some((key, ""));
        }
    };
    let mut value_len = value_extent(after, value_delims);
    if delim == Some(b'(') && after[value_len..].starts_with(")->") {
        // `key(x)->y` (check_pkt_larger's form, but the reference does it
        // for any key): the value is `x)->y`, up to the next separator.
        value_len += value_extent(&after[value_len..], SEPARATORS);
    }
    let value = &after[..value_len];
    let consumed = (value_len + usize::from(value_len < after.len())).min(after.len());
    *s = &after[consumed..];
    Some((key, value))
}

/// Length of a value that ends at one of `delims` outside parentheses.
fn value_extent(s: &str, delims: &[u8]) -> usize {
    let b = s.as_bytes();
    let mut n = 0;
    while n < b.len() && !delims.contains(&b[n]) {
        if b[n] == b'(' {
            let mut level = 0i32;
            loop {
                match b.get(n) {
                    None => return n,
                    Some(b'(') => level += 1,
                    Some(b')') => level -= 1,
                    _ => {}
                }
                n += 1;
                if level <= 0 {
                    break;
                }
            }
        } else {
            n += 1;
        }
    }
    n
}

// ---- ports -----------------------------------------------------------

/// Reserved port names the reference accepts in actions (any case).
const NAMED_PORTS: [(&str, u16); 10] = [
    ("IN_PORT", 0xfff8),
    ("TABLE", 0xfff9),
    ("NORMAL", 0xfffa),
    ("FLOOD", 0xfffb),
    ("ALL", 0xfffc),
    ("CONTROLLER", 0xfffd),
    ("LOCAL", 0xfffe),
    ("ANY", 0xffff),
    ("UNSET", 0xfff7),
    ("NONE", 0xffff),
];

/// A port as the reference's `ofputil_port_from_string` reads it: a
/// decimal number (OF1.0 range, or an OF1.1 reserved number mapped down),
/// a reserved name, or a name from `ports` (optionally JSON-quoted).
pub fn parse_port(s: &str, ports: Option<&PortMap>) -> Option<PortNo> {
    if s.starts_with('-') {
        return None;
    }
    if let Some(n) = str_to_uint10(s) {
        return if n <= 0xffff {
            Some(PortNo(n as u16))
        } else if n >= 0xffff_ff00 {
            Some(PortNo((n - 0xffff_0000) as u16))
        } else {
            None
        };
    }
    if let Some((_, p)) = NAMED_PORTS.iter().find(|(n, _)| n.eq_ignore_ascii_case(s)) {
        return Some(PortNo(*p));
    }
    let ports = ports?;
    let name = if s.starts_with('"') {
        crate::port::unquote_port_name(s)?
    } else {
        s.to_string()
    };
    ports.port(&name)
}

/// A port as the reference prints it in actions: its name from `ports`,
/// else a reserved name, else the number.
pub fn format_port(out: &mut String, port: PortNo, ports: Option<&PortMap>) {
    if let Some(name) = ports.and_then(|m| m.name(port)) {
        out.push_str(&crate::port::quote_port_name(name));
        return;
    }
    match NAMED_PORTS.iter().find(|(_, p)| *p == port.0) {
        Some((name, _)) => out.push_str(name),
        None => out.push_str(&port.0.to_string()),
    }
}

/// A subfield as the reference prints it. Decoded learn specs may have
/// zero width, which the reference prints with signed arithmetic
/// (`reg0[0..-1]`, `reg1[5..4]`); everything else prints as usual.
pub fn subfield_text(sf: &SubField) -> String {
    if sf.n_bits == 0 {
        format!(
            "{}[{}..{}]",
            sf.field.wire_name(),
            sf.ofs,
            i64::from(sf.ofs) - 1
        )
    } else {
        sf.to_string()
    }
}

/// An IPv6 address as the C library's `inet_ntop` writes it, which the
/// reference prints with: like RFC 5952, except that an address whose
/// first 96 bits are zero (IPv4-compatible, other than `::` and `::1`)
/// ends in dotted-quad form, e.g. `::0.1.0.1`.
pub fn format_ipv6(addr: std::net::Ipv6Addr) -> String {
    let w = addr.segments();
    let o = addr.octets();
    // The longest run of two or more zero words (the first one on ties).
    let (mut best, mut cur): ((usize, usize), Option<(usize, usize)>) = ((0, 0), None);
    for (i, word) in w.iter().enumerate() {
        if *word == 0 {
            let run = cur.map_or((i, 1), |(start, len)| (start, len + 1));
            cur = Some(run);
            if run.1 > best.1 {
                best = run;
            }
        } else {
            cur = None;
        }
    }
    if best.1 < 2 {
        best = (0, 0);
    }
    let mut out = String::new();
    let mut i = 0;
    while i < 8 {
        if best.1 > 0 && i == best.0 {
            out.push_str("::");
            i += best.1;
            continue;
        }
        if i > 0 && !out.ends_with("::") {
            out.push(':');
        }
        let v4 = i == 6 && best.0 == 0 && (best.1 == 6 || (best.1 == 5 && w[5] == 0xffff));
        if v4 {
            out.push_str(&format!("{}.{}.{}.{}", o[12], o[13], o[14], o[15]));
            break;
        }
        out.push_str(&format!("{:x}", w[i]));
        i += 1;
    }
    out
}

/// Hex as the reference prints raw subfield values: `0x` and no leading
/// zeros, or a bare `0`.
pub fn format_hex(out: &mut String, bytes: &[u8]) {
    let first = bytes.iter().position(|b| *b != 0);
    match first {
        None => out.push('0'),
        Some(i) => {
            out.push_str(&format!("0x{:x}", bytes[i]));
            for b in &bytes[i + 1..] {
                out.push_str(&format!("{b:02x}"));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn c_numbers() {
        assert_eq!(atoi("99999999999"), 1_215_752_191);
        assert_eq!(atoi("-1") as u16, 65535);
        assert_eq!(atoi("0x10"), 0);
        assert_eq!(atoi("12x"), 12);
        assert_eq!(atoi(" 7"), 7);
        assert_eq!(strtoull("010", 0), (Some(8), 3));
        assert_eq!(strtoull("0x", 0), (Some(0), 1));
        assert_eq!(strtoull("-1", 0).0, Some(u64::MAX));
        assert_eq!(str_to_u32("4294967296"), Ok(0));
        assert!(str_to_u32("").is_err());
        assert_eq!(str_to_u16("0x10", "x"), Ok(16));
        assert_eq!(str_to_u16("70000", "x"), Err("invalid x \"70000\"".into()));
    }

    #[test]
    fn key_values() {
        let mut s = "a=1, b:2,c(x,(y)),d e=";
        let mut got = vec![];
        while let Some(kv) = next_key_value(&mut s) {
            got.push(kv);
        }
        assert_eq!(
            got,
            [("a", "1"), ("b", "2"), ("c", "x,(y)"), ("d", ""), ("e", "")]
        );
    }

    #[test]
    fn ipv6_like_inet_ntop() {
        let f = |s: &str| format_ipv6(s.parse().unwrap());
        assert_eq!(f("::"), "::");
        assert_eq!(f("::1"), "::1");
        assert_eq!(f("::1:1"), "::0.1.0.1");
        assert_eq!(f("::ffff:1.2.3.4"), "::ffff:1.2.3.4");
        assert_eq!(f("fe80::1"), "fe80::1");
        assert_eq!(f("1:0:0:2:0:0:0:3"), "1:0:0:2::3");
        assert_eq!(f("1:0:2:3:4:5:6:7"), "1:0:2:3:4:5:6:7");
        assert_eq!(f("1::"), "1::");
    }

    #[test]
    fn ports() {
        assert_eq!(parse_port("010", None), Some(PortNo(10)));
        assert_eq!(parse_port("4294967287", None), Some(PortNo(0xfff7)));
        assert_eq!(parse_port("65536", None), None);
        assert_eq!(parse_port("local", None), Some(PortNo::LOCAL));
        assert_eq!(parse_port("0x10", None), None);
        let mut s = String::new();
        format_port(&mut s, PortNo(0xfff7), None);
        assert_eq!(s, "UNSET");
    }
}
