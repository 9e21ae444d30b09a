//! Text form of field values, as ovs-ofctl parses and prints them: integers
//! (decimal, 0x hex, 0 octal) with optional "/mask", Ethernet and IP
//! addresses with masks or prefix lengths, port numbers and names, and the
//! flag syntaxes of tcp_flags, ct_state and tun_flags.

use std::net::{Ipv4Addr, Ipv6Addr};

use super::{FieldId, Format};
use crate::port::{PortMap, PortNo};

type Parsed = (Vec<u8>, Option<Vec<u8>>);

pub(super) fn parse(f: FieldId, s: &str, ports: Option<&PortMap>) -> Result<Parsed, String> {
    let n = f.n_bytes();
    match f.format() {
        Format::Decimal | Format::Hex => parse_int_masked(f, s),
        Format::Ethernet => parse_masked(s, |t| parse_eth(t).ok_or(()))
            .map_err(|()| format!("{s}: invalid Ethernet address")),
        Format::Ipv4 => parse_ipv4_masked(s),
        Format::Ipv6 => parse_ipv6_masked(s),
        Format::Port => {
            let p = parse_port(s, ports)
                .ok_or_else(|| format!("{s}: invalid or unknown port for {}", f.name()))?;
            Ok((p.0.to_be_bytes().to_vec(), None))
        }
        Format::Port11 => parse_port11(f, s, ports).map(|v| (v.to_be_bytes().to_vec(), None)),
        Format::Frag => parse_frag(s),
        Format::TcpFlags => parse_flags(s, n, TCP_FLAGS, 0x0fff, "TCP flag")
            .map_err(|e| e.unwrap_or_else(|| format!("{s}: unknown TCP flag(s)"))),
        Format::CtState => parse_flags(s, n, CT_STATE_FLAGS, 0xff, "ct_state flag")
            .map_err(|e| e.unwrap_or_else(|| format!("{s}: unknown ct_state flag(s)"))),
        Format::TunFlags => parse_flags(s, n, TUN_FLAGS, 0x1, "tunnel flag")
            .map_err(|e| e.unwrap_or_else(|| format!("{s}: unknown tunnel flag(s)"))),
        Format::PacketType => parse_packet_type(s).map(|v| (v.to_be_bytes().to_vec(), None)),
    }
}

pub(super) fn format(
    f: FieldId,
    value: &[u8],
    mask: Option<&[u8]>,
    ports: Option<&PortMap>,
) -> String {
    // A mask covering all of the field's bits is an exact match.
    let mask = mask.filter(|m| !covers_bits(m, f.n_bits() as usize));
    match f.format() {
        Format::Decimal => match mask {
            None => be_to_decimal(value),
            Some(m) => format!("{}/{}", be_to_hex(value), be_to_hex(m)),
        },
        Format::Hex => match mask {
            None => be_to_hex(value),
            Some(m) => format!("{}/{}", be_to_hex(value), be_to_hex(m)),
        },
        Format::Ethernet => match mask {
            None => fmt_eth(value),
            Some(m) => format!("{}/{}", fmt_eth(value), fmt_eth(m)),
        },
        Format::Ipv4 => fmt_ipv4_masked(value, mask),
        Format::Ipv6 => fmt_ipv6_masked(value, mask),
        Format::Port => {
            let p = PortNo(be_u64(value) as u16);
            format_port(p, ports)
        }
        Format::Port11 => {
            // A 32-bit number that is no port prints as OFPP_ANY, as the
            // reference's conversion to 16 bits fails over to it.
            let p = port_from_of11(be_u64(value) as u32).unwrap_or(PortNo::NONE);
            format_port(p, ports)
        }
        Format::Frag => fmt_frag(
            value.first().copied().unwrap_or(0),
            mask.and_then(|m| m.first().copied()).unwrap_or(0xff),
        ),
        Format::TcpFlags => fmt_flags(value, mask, TCP_FLAGS, 0x0fff, true),
        Format::CtState => fmt_flags(value, mask, CT_STATE_FLAGS, 0xff, false),
        Format::TunFlags => fmt_flags(value, mask, TUN_FLAGS, 0x1, false),
        Format::PacketType => fmt_packet_type(be_u64(value) as u32),
    }
}

pub(super) fn is_valid(f: FieldId, value: &[u8]) -> bool {
    let n_bits = f.n_bits() as usize;
    if f == FieldId::VLAN_VID {
        // The OXM VID carries the "present" bit above the 12 VID bits.
        return value.len() == 2 && u16::from_be_bytes([value[0], value[1]]) & !0x1fff == 0;
    }
    if f == FieldId::NW_TOS {
        return value.len() == 1 && value[0] & 0x03 == 0;
    }
    match f {
        // The reference takes any ERSPAN value.
        FieldId::TUN_ERSPAN_IDX
        | FieldId::TUN_ERSPAN_VER
        | FieldId::TUN_ERSPAN_DIR
        | FieldId::TUN_ERSPAN_HWID => return value.len() == f.n_bytes(),
        // NSH: a 6-bit TTL; MD types 1 and 2 only.
        FieldId::NSH_TTL => return value.len() == 1 && value[0] < 64,
        FieldId::NSH_MDTYPE => return value.len() == 1 && (value[0] == 1 || value[0] == 2),
        _ => {}
    }
    if f == FieldId::ARP_OP {
        // 16 bits on the wire, 8 in the reference's flow (it shares nw_proto).
        return value.len() == 2 && value[0] == 0;
    }
    if f == FieldId::IN_PORT_OXM || f == FieldId::ACTSET_OUTPUT {
        return value.len() == 4 && port_from_of11(be_u64(value) as u32).is_some();
    }
    if f == FieldId::CT_STATE {
        return value.len() == 4 && be_u64(value) & !0xff == 0;
    }
    if f.tun_metadata_index().is_some() {
        return value.len() <= f.n_bytes();
    }
    if value.len() != f.n_bytes() {
        return false;
    }
    fits_bits(value, n_bits)
}

/// Whether all of the low `n_bits` of a big-endian mask are set.
fn covers_bits(mask: &[u8], n_bits: usize) -> bool {
    mask.iter().rev().enumerate().all(|(i, b)| {
        let lo = i * 8;
        if lo + 8 <= n_bits {
            *b == 0xff
        } else if lo < n_bits {
            let need = (1u16 << (n_bits - lo)) - 1;
            u16::from(*b) & need == need
        } else {
            true
        }
    })
}

/// Whether only the low `n_bits` of a big-endian value may be set.
pub(crate) fn fits_bits(value: &[u8], n_bits: usize) -> bool {
    let total = value.len() * 8;
    if n_bits >= total {
        return true;
    }
    let high = total - n_bits; // number of high bits that must be zero
    value.iter().enumerate().all(|(i, b)| {
        let byte_start = i * 8;
        if byte_start + 8 <= high {
            *b == 0
        } else if byte_start < high {
            let k = high - byte_start; // top k bits of this byte must be zero
            b >> (8 - k) == 0
        } else {
            true
        }
    })
}

// ---------------------------------------------------------------------------
// Integers.

/// `value[/mask]` of an integer field. Every message quotes the whole text,
/// as the reference's do; a too-large number is reported before trailing
/// garbage.
fn parse_int_masked(f: FieldId, s: &str) -> Result<Parsed, String> {
    let n = f.n_bytes();
    let name = f.name();
    let err = |e: IntErr, what: &str| match e {
        IntErr::Syntax => format!("{s}: bad syntax for {name} {what}"),
        IntErr::TooLarge => format!("{s}: {what} too large for {n}-byte field {name}"),
    };
    let (value, tail) = parse_int_prefix(s, n).map_err(|e| err(e, "value"))?;
    let mask = match tail.strip_prefix('/') {
        None if tail.is_empty() => None,
        None => return Err(err(IntErr::Syntax, "value")),
        Some(m) => {
            let (mask, rest) = parse_int_prefix(m, n).map_err(|e| err(e, "mask"))?;
            if !rest.is_empty() {
                return Err(err(IntErr::Syntax, "mask"));
            }
            Some(mask)
        }
    };
    Ok((value, mask))
}

#[derive(Debug, PartialEq)]
pub(crate) enum IntErr {
    Syntax,
    TooLarge,
}

/// A whole string as [`parse_int_prefix`] reads it (trailing text is a
/// syntax error, unless the number is already too large).
pub(crate) fn parse_int_be(s: &str, n: usize) -> Result<Vec<u8>, IntErr> {
    match parse_int_prefix(s, n)? {
        (v, "") => Ok(v),
        _ => Err(IntErr::Syntax),
    }
}

/// An unsigned integer at the start of `s`, as `n` big-endian bytes, and
/// the text after it. Like the reference: "0x..." is hex of any width that
/// fits `n` bytes (no digits at all is 0); anything else is C's `strtoull`
/// with base 0 (leading white space, a sign, 0x hex, 0 octal or decimal,
/// 64 bits at most, a '-' negating modulo 2^64), then must fit `n` bytes.
pub(crate) fn parse_int_prefix(s: &str, n: usize) -> Result<(Vec<u8>, &str), IntErr> {
    let mut out = vec![0u8; n];
    if let Some(hex) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        let len = hex.bytes().take_while(u8::is_ascii_hexdigit).count();
        let (digits, rest) = hex.split_at(len);
        let digits = digits.trim_start_matches('0');
        if digits.len() > n * 2 {
            return Err(IntErr::TooLarge);
        }
        for (i, c) in digits.bytes().rev().enumerate() {
            let d = (c as char).to_digit(16).unwrap_or(0) as u8;
            let idx = n - 1 - i / 2;
            out[idx] |= if i % 2 == 0 { d } else { d << 4 };
        }
        return Ok((out, rest));
    }
    let (v, rest) = strtoull(s)?;
    if n < 8 && v >> (n * 8) != 0 {
        return Err(IntErr::TooLarge);
    }
    let bytes = v.to_be_bytes();
    if n >= 8 {
        out[n - 8..].copy_from_slice(&bytes);
    } else {
        out.copy_from_slice(&bytes[8 - n..]);
    }
    Ok((out, rest))
}

/// C's `strtoull(s, &tail, 0)`: the value and the tail, `Syntax` when no
/// digits were read, `TooLarge` on overflow.
fn strtoull(s: &str) -> Result<(u64, &str), IntErr> {
    let t = s.trim_start_matches([' ', '\t', '\n', '\r', '\x0b', '\x0c']);
    let (neg, t) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let b = t.as_bytes();
    // "0x" counts as a hex prefix only when a hex digit follows; otherwise
    // the "0" is the number and "x..." the tail.
    let (radix, body) = if (t.starts_with("0x") || t.starts_with("0X"))
        && b.get(2).is_some_and(u8::is_ascii_hexdigit)
    {
        (16, &t[2..])
    } else if t.starts_with('0') {
        (8, t)
    } else {
        (10, t)
    };
    let len = body
        .bytes()
        .take_while(|c| (*c as char).is_digit(radix))
        .count();
    if len == 0 {
        return Err(IntErr::Syntax);
    }
    let mut v: u64 = 0;
    for c in body[..len].bytes() {
        let d = u64::from((c as char).to_digit(radix).unwrap_or(0));
        v = v
            .checked_mul(u64::from(radix))
            .and_then(|x| x.checked_add(d))
            .ok_or(IntErr::TooLarge)?;
    }
    Ok((if neg { v.wrapping_neg() } else { v }, &body[len..]))
}

/// Big-endian bytes as "0x..." without leading zeros ("0" for zero, as the reference).
pub(crate) fn be_to_hex(v: &[u8]) -> String {
    let mut s = String::from("0x");
    let mut started = false;
    for b in v {
        if started {
            s.push_str(&format!("{b:02x}"));
        } else if *b != 0 {
            s.push_str(&format!("{b:x}"));
            started = true;
        }
    }
    if !started {
        return "0".to_string();
    }
    s
}

/// Big-endian bytes as decimal (values wider than 128 bits print in hex).
pub(crate) fn be_to_decimal(v: &[u8]) -> String {
    let lead = v.len().saturating_sub(16);
    if v[..lead].iter().any(|b| *b != 0) {
        return be_to_hex(v);
    }
    let mut x: u128 = 0;
    for b in &v[lead..] {
        x = (x << 8) | u128::from(*b);
    }
    x.to_string()
}

pub(crate) fn be_u64(v: &[u8]) -> u64 {
    v.iter()
        .rev()
        .take(8)
        .rev()
        .fold(0u64, |acc, b| (acc << 8) | u64::from(*b))
}

// ---------------------------------------------------------------------------
// Addresses.

fn parse_masked(s: &str, p: impl Fn(&str) -> Result<Vec<u8>, ()>) -> Result<Parsed, ()> {
    match s.split_once('/') {
        Some((v, m)) => Ok((p(v)?, Some(p(m)?))),
        None => Ok((p(s)?, None)),
    }
}

/// "xx:xx:xx:xx:xx:xx", each group one or more hex digits (the reference
/// accepts "1:2:3:4:5:6" and reads "001" as 0x01).
pub(crate) fn parse_eth(s: &str) -> Option<Vec<u8>> {
    let parts: Vec<&str> = s.split(':').collect();
    if parts.len() != 6 {
        return None;
    }
    parts
        .iter()
        .map(|p| {
            if p.is_empty() || !p.bytes().all(|b| b.is_ascii_hexdigit()) {
                return None;
            }
            let t = p.trim_start_matches('0');
            if t.len() > 2 {
                return None;
            }
            u8::from_str_radix(if t.is_empty() { "0" } else { t }, 16).ok()
        })
        .collect()
}

pub(crate) fn fmt_eth(v: &[u8]) -> String {
    v.iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// Dotted quad, each part decimal; like the reference's scanf, parts above
/// 255 wrap.
pub(crate) fn parse_ipv4(s: &str) -> Option<[u8; 4]> {
    let parts: Vec<&str> = s.split('.').collect();
    if parts.len() != 4 {
        return None;
    }
    let mut out = [0u8; 4];
    for (o, p) in out.iter_mut().zip(&parts) {
        if p.is_empty() || p.len() > 9 || !p.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        *o = (p.parse::<u64>().ok()? & 0xff) as u8;
    }
    Some(out)
}

fn prefix_mask(bits: u32, n_bytes: usize) -> Vec<u8> {
    (0..n_bytes)
        .map(|i| {
            let start = i as u32 * 8;
            if bits >= start + 8 {
                0xff
            } else if bits <= start {
                0
            } else {
                0xffu8 << (8 - (bits - start))
            }
        })
        .collect()
}

/// The prefix length if `mask` is a CIDR mask.
pub(crate) fn cidr_len(mask: &[u8]) -> Option<u32> {
    let ones: u32 = mask.iter().map(|b| b.count_ones()).sum();
    (prefix_mask(ones, mask.len()) == mask).then_some(ones)
}

fn apply_mask(v: &mut [u8], m: &[u8]) {
    for (a, b) in v.iter_mut().zip(m) {
        *a &= *b;
    }
}

fn parse_ipv4_masked(s: &str) -> Result<Parsed, String> {
    let bad = || format!("{s}: invalid IP address");
    let (v, m) = match s.split_once('/') {
        Some((v, m)) => (v, Some(m)),
        None => (s, None),
    };
    let value = parse_ipv4(v).ok_or_else(bad)?.to_vec();
    let mask = match m {
        None => None,
        Some(m) => {
            if let Some(mm) = parse_ipv4(m) {
                Some(mm.to_vec())
            } else if !m.is_empty() && m.bytes().all(|b| b.is_ascii_digit()) {
                let bits: u32 = m.parse().unwrap_or(u32::MAX);
                if bits > 32 {
                    return Err(format!(
                        "{s}: IPv4 network prefix bits not between 0 and 32, inclusive"
                    ));
                }
                Some(prefix_mask(bits, 4))
            } else {
                return Err(bad());
            }
        }
    };
    Ok((value, mask))
}

fn parse_ipv6_masked(s: &str) -> Result<Parsed, String> {
    let bad = || format!("{s}: invalid IPv6 address");
    let (v, m) = match s.split_once('/') {
        Some((v, m)) => (v, Some(m)),
        None => (s, None),
    };
    let value = v.parse::<Ipv6Addr>().map_err(|_| bad())?.octets().to_vec();
    let mask = match m {
        None => None,
        Some(m) => {
            if let Ok(mm) = m.parse::<Ipv6Addr>() {
                Some(mm.octets().to_vec())
            } else if !m.is_empty() && m.bytes().all(|b| b.is_ascii_digit()) {
                let bits: u32 = m.parse().unwrap_or(u32::MAX);
                if bits > 128 {
                    return Err(format!(
                        "{s}: IPv6 network prefix bits not between 0 and 128, inclusive"
                    ));
                }
                Some(prefix_mask(bits, 16))
            } else {
                return Err(bad());
            }
        }
    };
    Ok((value, mask))
}

fn fmt_ipv4_masked(value: &[u8], mask: Option<&[u8]>) -> String {
    let ip = |v: &[u8]| match <[u8; 4]>::try_from(v) {
        Ok(a) => Ipv4Addr::from(a).to_string(),
        Err(_) => be_to_hex(v),
    };
    match mask {
        None => ip(value),
        Some(m) => {
            let mut v = value.to_vec();
            apply_mask(&mut v, m);
            match cidr_len(m) {
                Some(bits) => format!("{}/{bits}", ip(&v)),
                None => format!("{}/{}", ip(&v), ip(m)),
            }
        }
    }
}

pub(crate) fn fmt_ipv6(v: &[u8]) -> String {
    match <[u8; 16]>::try_from(v) {
        Ok(a) => inet_ntop6(a),
        Err(_) => be_to_hex(v),
    }
}

/// An IPv6 address the way the C library's `inet_ntop` writes it, which is
/// what the reference prints: the longest run of two or more zero words
/// (the first on ties) becomes "::", and an address whose first six words
/// are zero, or five zero words then ffff, ends in dotted IPv4 ("::0.1.0.1",
/// "::ffff:1.2.3.4"), except when that would swallow a seventh zero word
/// ("::1", "::100"). Rust's `Display` differs on the IPv4 forms.
pub(crate) fn inet_ntop6(a: [u8; 16]) -> String {
    let w: Vec<u16> = a
        .chunks(2)
        .map(|c| u16::from_be_bytes([c[0], c[1]]))
        .collect();
    // (start, len) of the longest zero run.
    let mut best = (0, 0);
    let mut i = 0;
    while i < 8 {
        let len = w[i..].iter().take_while(|x| **x == 0).count();
        if len > best.1 {
            best = (i, len);
        }
        i += len.max(1);
    }
    if best.1 < 2 {
        best = (8, 0);
    }
    let v4_tail = best.0 == 0 && (best.1 == 6 || (best.1 == 5 && w[5] == 0xffff));
    let mut out = String::new();
    let mut i = 0;
    while i < 8 {
        if i == best.0 {
            out.push_str("::");
            i += best.1;
            continue;
        }
        if i > 0 && !out.ends_with(':') {
            out.push(':');
        }
        if i == 6 && v4_tail {
            out.push_str(&Ipv4Addr::new(a[12], a[13], a[14], a[15]).to_string());
            break;
        }
        out.push_str(&format!("{:x}", w[i]));
        i += 1;
    }
    out
}

fn fmt_ipv6_masked(value: &[u8], mask: Option<&[u8]>) -> String {
    match mask {
        None => fmt_ipv6(value),
        Some(m) => {
            let mut v = value.to_vec();
            apply_mask(&mut v, m);
            match cidr_len(m) {
                Some(bits) => format!("{}/{bits}", fmt_ipv6(&v)),
                None => format!("{}/{}", fmt_ipv6(&v), fmt_ipv6(m)),
            }
        }
    }
}

// ---------------------------------------------------------------------------
/// `%#x` as the reference logs ids: "0" for zero, else "0x2320".
pub(crate) fn hex_alt(n: u32) -> String {
    if n == 0 {
        "0".into()
    } else {
        format!("{n:#x}")
    }
}

// Ports.

/// The reference's warning for a 32-bit port it cannot map to 16 bits.
pub(crate) fn warn_port_range(v: u32) {
    crate::warn::warn("ofp_port", || {
        format!(
            "port {v} is outside the supported range 0 through 65279 or 0xffffff00 through 0xffffffff"
        )
    });
}

/// An OF1.1+ 32-bit port in a match: the reference maps 0..0xfeff and
/// 0xffffff00.. onto 16 bits and rejects the rest.
pub(crate) fn port_from_of11(v: u32) -> Option<PortNo> {
    if v < 0xff00 {
        Some(PortNo(v as u16))
    } else if v >= 0xffff_ff00 {
        Some(PortNo((v - 0xffff_0000) as u16))
    } else {
        None
    }
}

/// A 16-bit port: reserved name (any case), a name from `ports`, or a decimal number.
pub(crate) fn parse_port(s: &str, ports: Option<&PortMap>) -> Option<PortNo> {
    if let Some(p) = PortNo::from_reserved_name(s) {
        return Some(p);
    }
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
        return s
            .parse::<u32>()
            .ok()
            .filter(|v| *v <= 0xffff)
            .map(|v| PortNo(v as u16));
    }
    let ports = ports?;
    match crate::port::unquote_port_name(s) {
        Some(name) => ports.port(&name),
        None => ports.port(s),
    }
}

fn parse_port11(f: FieldId, s: &str, ports: Option<&PortMap>) -> Result<u32, String> {
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
        let v: u64 = s.parse().unwrap_or(u64::MAX);
        if v > u64::from(u32::MAX) {
            return Err(format!("{s}: invalid or unknown port for {}", f.name()));
        }
        if v <= 0xffff {
            // Small numbers are taken as 16-bit ports, as the reference does.
            return Ok(PortNo(v as u16).to_of11());
        }
        return port_from_of11(v as u32)
            .map(|p| p.to_of11())
            .ok_or_else(|| format!("{s}: port value out of range for {}", f.name()));
    }
    match parse_port(s, ports) {
        Some(p) => Ok(p.to_of11()),
        None if s.starts_with(|c: char| c.is_ascii_digit()) => {
            Err(format!("{s}: port value out of range for {}", f.name()))
        }
        None => Err(format!("{s}: invalid or unknown port for {}", f.name())),
    }
}

/// A port as ovs-ofctl prints it: reserved name, `--names` name, or number.
pub(crate) fn format_port(p: PortNo, ports: Option<&PortMap>) -> String {
    if let Some(n) = p.reserved_name() {
        return n.to_string();
    }
    if let Some(name) = ports.and_then(|m| m.name(p)) {
        return crate::port::quote_port_name(name);
    }
    p.0.to_string()
}

// ---------------------------------------------------------------------------
// Fragments.

const FRAG_ANY: u8 = 1;
const FRAG_LATER: u8 = 2;

fn parse_frag(s: &str) -> Result<Parsed, String> {
    let (v, m) = match s {
        "no" => (0, FRAG_ANY),
        "yes" => (FRAG_ANY, FRAG_ANY),
        "first" => (FRAG_ANY, FRAG_ANY | FRAG_LATER),
        "later" => (FRAG_ANY | FRAG_LATER, FRAG_ANY | FRAG_LATER),
        "not_later" => (0, FRAG_LATER),
        _ => {
            return Err(format!(
                "{s}: unknown fragment type (valid types are \"no\", \"yes\", \"first\", \"later\", \"not_later\""
            ))
        }
    };
    Ok((vec![v], Some(vec![m])))
}

pub(crate) fn fmt_frag(value: u8, mask: u8) -> String {
    let m = mask & (FRAG_ANY | FRAG_LATER);
    let v = value & m;
    let name = match (v, m) {
        (0, FRAG_ANY) => "no",
        (FRAG_ANY, FRAG_ANY) => "yes",
        (FRAG_ANY, 3) => "first",
        (3, 3) => "later",
        (0, FRAG_LATER) => "not_later",
        (0, 3) => "no",
        (FRAG_LATER, FRAG_LATER) => "later",
        // "later" without "any" (2/3): what the reference prints.
        _ => "<error>",
    };
    name.to_string()
}

// ---------------------------------------------------------------------------
// Flags: "+a-b" (masked), "a|b" (exact), or numeric.

const TCP_FLAGS: &[(&str, u32)] = &[
    ("fin", 0x001),
    ("syn", 0x002),
    ("rst", 0x004),
    ("psh", 0x008),
    ("ack", 0x010),
    ("urg", 0x020),
    ("ece", 0x040),
    ("cwr", 0x080),
    ("ns", 0x100),
];

pub(crate) const CT_STATE_FLAGS: &[(&str, u32)] = &[
    ("new", 0x01),
    ("est", 0x02),
    ("rel", 0x04),
    ("rpl", 0x08),
    ("inv", 0x10),
    ("trk", 0x20),
    ("snat", 0x40),
    ("dnat", 0x80),
];

const TUN_FLAGS: &[(&str, u32)] = &[("oam", 0x1)];

/// Err(None) means "unknown flag(s)" with the whole string; Err(Some(msg)) a specific message.
fn parse_flags(
    s: &str,
    n: usize,
    names: &[(&str, u32)],
    valid: u32,
    what: &str,
) -> Result<Parsed, Option<String>> {
    let to_bytes = |v: u32| v.to_be_bytes()[4 - n..].to_vec();
    let numeric = s.starts_with(|c: char| c.is_ascii_digit());
    if numeric {
        let (v, m) = match s.split_once('/') {
            Some((v, m)) => (v, Some(m)),
            None => (s, None),
        };
        let num = |t: &str| -> Option<u32> {
            let b = parse_int_be(t, 4).ok()?;
            Some(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
        };
        let value = num(v).ok_or(None)?;
        if value & !valid != 0 {
            return Err(None);
        }
        let mask = match m {
            Some(m) => Some(num(m).ok_or(None)?),
            None => None,
        };
        if mask.is_some_and(|m| m & !valid != 0) {
            return Err(None);
        }
        return Ok((to_bytes(value), mask.map(to_bytes)));
    }
    if s.starts_with(['+', '-']) {
        // "+syn-ack": each named flag must be 1 (+) or 0 (-); others are wildcarded.
        let (mut value, mut mask) = (0u32, 0u32);
        let mut rest = s;
        while !rest.is_empty() {
            let set = rest.starts_with('+');
            let body = &rest[1..];
            let end = body.find(['+', '-']).unwrap_or(body.len());
            let name = &body[..end];
            let bit = names
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, b)| *b)
                .ok_or_else(|| Some(format!("{name}: unknown {what}(s)")))?;
            if mask & bit != 0 {
                return Err(Some(format!(
                    "{name}: Each {what} can be specified only once"
                )));
            }
            mask |= bit;
            if set {
                value |= bit;
            }
            rest = &body[end..];
        }
        return Ok((to_bytes(value), Some(to_bytes(mask))));
    }
    // "syn|ack": exactly these flags. A name alone ("trk") is the same.
    let mut value = 0u32;
    for name in s.split('|') {
        let bit = names
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, b)| *b)
            .ok_or(None)?;
        value |= bit;
    }
    if s.is_empty() {
        return Err(None);
    }
    Ok((to_bytes(value), None))
}

fn fmt_flags(
    value: &[u8],
    mask: Option<&[u8]>,
    names: &[(&str, u32)],
    valid: u32,
    brackets: bool,
) -> String {
    let v = be_u64(value) as u32;
    let m = mask.map_or(u32::MAX, |m| be_u64(m) as u32);
    let name_of = |bit: u32| -> String {
        names
            .iter()
            .find(|(_, b)| *b == bit)
            .map(|(n, _)| n.to_string())
            .unwrap_or_else(|| {
                if brackets {
                    format!("[{bit:x}]")
                } else {
                    format!("{bit:#x}")
                }
            })
    };
    if m & valid == valid && names.len() > 1 {
        // Exact: "syn|ack", or "0" when no flag is set.
        let parts: Vec<String> = (0..32)
            .map(|i| 1u32 << i)
            .filter(|b| v & b & valid != 0)
            .map(name_of)
            .collect();
        if parts.is_empty() {
            return "0".to_string();
        }
        return parts.join("|");
    }
    let mut out = String::new();
    for i in 0..32 {
        let bit = 1u32 << i;
        if m & bit & valid != 0 {
            out.push(if v & bit != 0 { '+' } else { '-' });
            out.push_str(&name_of(bit));
        }
    }
    out
}

// ---------------------------------------------------------------------------
// packet_type "(ns,type)".

fn parse_packet_type(s: &str) -> Result<u32, String> {
    let err = |at: &str, what: &str| format!("{at}: bad syntax for packet type {what}");
    let rest = s.strip_prefix('(').ok_or_else(|| err(s, "missing '('"))?;
    let (ns, after_ns) = scan_uint(rest);
    let ns = ns.filter(|v| *v <= 0xffff).ok_or_else(|| {
        // The reference shows the text up to and including a comma.
        let at = if rest.contains(',') {
            rest.to_string()
        } else {
            format!("{rest},")
        };
        err(&at, "ns")
    })?;
    let Some(type_text) = after_ns.strip_prefix(',') else {
        return Err(err(after_ns, "ns_type"));
    };
    let (ty, after_ty) = scan_uint(type_text);
    let Some(ty) = ty.filter(|v| *v <= 0xffff) else {
        // The reference points at the comma when nothing follows it.
        let at = if type_text.is_empty() { "," } else { type_text };
        return Err(err(at, "ns_type"));
    };
    if after_ty != ")" {
        return Err(err(&format!("{type_text},"), "missing ')'"));
    }
    Ok(((ns as u32) << 16) | ty as u32)
}

/// `(ns,type)` as the reference prints it: each number in decimal below
/// 10, in 0x hex from 10 up ("(1,0x800)", "(0,0)", "(0x73,5)").
pub(crate) fn fmt_packet_type(pt: u32) -> String {
    let part = |v: u32| {
        if v < 10 {
            v.to_string()
        } else {
            format!("{v:#x}")
        }
    };
    format!("({},{})", part(pt >> 16), part(pt & 0xffff))
}

/// An unsigned C integer (leading spaces, 0x hex, 0 octal, decimal) at the
/// start of `s`, and the rest.
fn scan_uint(s: &str) -> (Option<u64>, &str) {
    let t = s.trim_start();
    let (radix, start) = if t.starts_with("0x") || t.starts_with("0X") {
        (16, 2)
    } else if t.starts_with('0') {
        (8, 0)
    } else {
        (10, 0)
    };
    let body = &t[start..];
    let end = body
        .find(|c: char| !c.is_digit(radix))
        .unwrap_or(body.len());
    if end == 0 {
        return (None, s);
    }
    (u64::from_str_radix(&body[..end], radix).ok(), &body[end..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ints() {
        assert_eq!(parse_int_be("0x10", 2), Ok(vec![0, 0x10]));
        assert_eq!(parse_int_be("010", 1), Ok(vec![8]));
        assert_eq!(parse_int_be("09", 1), Err(IntErr::Syntax));
        assert_eq!(parse_int_be("256", 1), Err(IntErr::TooLarge));
        assert_eq!(parse_int_be("-1", 4), Err(IntErr::TooLarge));
        // strtoull: '-' negates modulo 2^64, so -1 fits 8 bytes and more.
        assert_eq!(parse_int_be("-1", 8), Ok(vec![0xff; 8]));
        assert_eq!(
            parse_int_be("-2", 16),
            Ok([vec![0; 8], vec![0xff; 7], vec![0xfe]].concat())
        );
        assert_eq!(
            parse_int_be("-18446744073709551615", 4),
            Ok(vec![0, 0, 0, 1])
        );
        assert_eq!(
            parse_int_be("-18446744073709551616", 16),
            Err(IntErr::TooLarge)
        );
        assert_eq!(
            parse_int_be("18446744073709551616", 16),
            Err(IntErr::TooLarge)
        );
        assert_eq!(parse_int_be("+0x5", 4), Ok(vec![0, 0, 0, 5]));
        assert_eq!(parse_int_be("-0x1", 8), Ok(vec![0xff; 8]));
        assert_eq!(parse_int_be("+0x", 4), Err(IntErr::Syntax));
        assert_eq!(parse_int_be("-", 4), Err(IntErr::Syntax));
        assert_eq!(parse_int_be("-0", 4), Ok(vec![0; 4]));
        // Too large wins over trailing garbage.
        assert_eq!(parse_int_be("4294967296x", 4), Err(IntErr::TooLarge));
        assert_eq!(parse_int_be("0x100000000G", 4), Err(IntErr::TooLarge));
        assert_eq!(parse_int_be("5x", 4), Err(IntErr::Syntax));
        assert_eq!(parse_int_be("0x", 4), Ok(vec![0; 4]));
        assert_eq!(parse_int_be("0x0000000001", 4), Ok(vec![0, 0, 0, 1]));
        assert_eq!(be_to_hex(&[0, 0, 1, 0x23]), "0x123");
        assert_eq!(be_to_hex(&[0, 0]), "0");
        assert!(fits_bits(&[0x0f, 0xff], 12));
        assert!(!fits_bits(&[0x1f, 0xff], 12));
        assert!(fits_bits(&[0x00, 0x0f, 0xff, 0xff], 20));
        assert!(!fits_bits(&[0x00, 0x1f, 0xff, 0xff], 20));
    }

    #[test]
    fn addresses() {
        assert_eq!(parse_eth("1:2:3:4:5:6"), Some(vec![1, 2, 3, 4, 5, 6]));
        assert_eq!(
            parse_eth("001:02:03:04:05:06"),
            Some(vec![1, 2, 3, 4, 5, 6])
        );
        assert_eq!(parse_eth("01:02:03:04:05"), None);
        assert_eq!(parse_ipv4("1.2.3.256"), Some([1, 2, 3, 0]));
        assert_eq!(cidr_len(&[255, 255, 0, 0]), Some(16));
        assert_eq!(cidr_len(&[255, 0, 255, 0]), None);
        assert_eq!(
            fmt_ipv4_masked(&[10, 1, 2, 3], Some(&[255, 0, 0, 0])),
            "10.0.0.0/8"
        );
    }

    #[test]
    fn ipv6_prints_like_inet_ntop() {
        let p = |s: &str| inet_ntop6(s.parse::<Ipv6Addr>().unwrap().octets());
        assert_eq!(p("::0.1.0.1"), "::0.1.0.1");
        assert_eq!(p("::ffff:1.2.3.4"), "::ffff:1.2.3.4");
        assert_eq!(p("::255.255.255.255"), "::255.255.255.255");
        assert_eq!(p("::ffff:0.0.0.0"), "::ffff:0.0.0.0");
        assert_eq!(p("::1"), "::1");
        assert_eq!(p("::2"), "::2");
        assert_eq!(p("::100"), "::100");
        assert_eq!(p("::"), "::");
        assert_eq!(p("::fffe:1.2.3.4"), "::fffe:102:304");
        assert_eq!(p("1::ffff:1.2.3.4"), "1::ffff:102:304");
        assert_eq!(p("::1:ffff:1.2.3.4"), "::1:ffff:102:304");
        assert_eq!(p("1:0:0:1:0:0:0:1"), "1:0:0:1::1");
        assert_eq!(p("1:0:0:2:0:0:2:1"), "1::2:0:0:2:1");
        assert_eq!(p("0:0:1::"), "0:0:1::");
        assert_eq!(p("1:2:3:4:5:6:7:8"), "1:2:3:4:5:6:7:8");
        assert_eq!(p("1:0:2:3:4:5:6:7"), "1:0:2:3:4:5:6:7");
        let f = FieldId::IPV6_SRC;
        assert_eq!(format(f, &p_octets("::0.1.0.1"), None, None), "::0.1.0.1");
    }

    fn p_octets(s: &str) -> Vec<u8> {
        s.parse::<Ipv6Addr>().unwrap().octets().to_vec()
    }

    #[test]
    fn ports_and_packet_types() {
        let f = FieldId::IN_PORT_OXM;
        assert_eq!(format(f, &[0, 1, 0, 0], None, None), "ANY");
        assert_eq!(format(f, &[0, 0, 0xff, 0], None, None), "ANY");
        assert_eq!(format(f, &[0xff, 0xff, 0xff, 0xf7], None, None), "UNSET");
        assert_eq!(format(f, &[0xff, 0xff, 0xff, 0xf0], None, None), "65520");
        assert_eq!(
            format(
                FieldId::ACTSET_OUTPUT,
                &[0x7f, 0xff, 0xff, 0xff],
                None,
                None
            ),
            "ANY"
        );
        assert_eq!(fmt_packet_type(0x0001_0800), "(1,0x800)");
        assert_eq!(fmt_packet_type(0x0002_0005), "(2,5)");
        assert_eq!(fmt_packet_type(0x000a_0009), "(0xa,9)");
        assert_eq!(fmt_packet_type(0), "(0,0)");
        assert_eq!(fmt_frag(2, 3), "<error>");
        assert_eq!(fmt_frag(2, 2), "later");
    }

    #[test]
    fn value_checks() {
        assert!(!is_valid(FieldId::ARP_OP, &[1, 0]));
        assert!(is_valid(FieldId::ARP_OP, &[0, 0xff]));
        assert!(is_valid(FieldId::TUN_ERSPAN_VER, &[0xff]));
        assert!(is_valid(FieldId::TUN_ERSPAN_IDX, &[0xff; 4]));
        assert!(!is_valid(FieldId::NSH_TTL, &[64]));
        assert!(is_valid(FieldId::NSH_TTL, &[63]));
        assert!(!is_valid(FieldId::NSH_MDTYPE, &[0]));
        assert!(!is_valid(FieldId::NSH_MDTYPE, &[3]));
        assert!(is_valid(FieldId::NSH_MDTYPE, &[2]));
        assert!(is_valid(FieldId::TUN_METADATA0, &[]));
    }

    #[test]
    fn int_messages_quote_the_whole_text() {
        let e = |f: FieldId, s: &str| parse(f, s, None).unwrap_err();
        assert_eq!(
            e(FieldId::CT_MARK, "-1/-1"),
            "-1/-1: value too large for 4-byte field ct_mark"
        );
        assert_eq!(
            e(FieldId::CT_MARK, "1/-1"),
            "1/-1: mask too large for 4-byte field ct_mark"
        );
        assert_eq!(
            e(FieldId::REG0, "abc/1"),
            "abc/1: bad syntax for reg0 value"
        );
        assert_eq!(e(FieldId::REG0, "1/2/3"), "1/2/3: bad syntax for reg0 mask");
        let ok = |f: FieldId, s: &str| parse(f, s, None).unwrap();
        assert_eq!(
            ok(FieldId::CT_LABEL, "-1").0,
            [vec![0; 8], vec![0xff; 8]].concat()
        );
        assert_eq!(
            ok(FieldId::REG0, "0x5/+0x3"),
            (vec![0, 0, 0, 5], Some(vec![0, 0, 0, 3]))
        );
    }

    #[test]
    fn flags() {
        let f = FieldId::TCP_FLAGS;
        let (v, m) = parse(f, "+syn-ack", None).unwrap();
        assert_eq!((v.clone(), m.clone()), (vec![0, 2], Some(vec![0, 0x12])));
        assert_eq!(format(f, &v, m.as_deref(), None), "+syn-ack");
        assert_eq!(format(f, &[0, 0x12], None, None), "syn|ack");
        assert_eq!(
            format(f, &[0, 0x12], Some(&[0, 0xff]), None),
            "-fin+syn-rst-psh+ack-urg-ece-cwr"
        );
        assert_eq!(
            format(f, &[0x0f, 0xff], None, None),
            "fin|syn|rst|psh|ack|urg|ece|cwr|ns|[200]|[400]|[800]"
        );
        assert!(parse(f, "0x1000", None).is_err());
        let c = FieldId::CT_STATE;
        let (v, m) = parse(c, "+trk+new", None).unwrap();
        assert_eq!(format(c, &v, m.as_deref(), None), "+new+trk");
        assert_eq!(
            parse(c, "+trk-trk", None).unwrap_err(),
            "trk: Each ct_state flag can be specified only once"
        );
    }
}
