//! Serialization in the reference's two layouts.
//!
//! Compact: no spaces at all. Pretty: two spaces per level, a line break after every
//! opening bracket of a non-empty container, closing brackets glued to the last element
//! (`"a": [\n    1,\n    2]`), and `": "` between a member's name and value.
//! Reals print like C's `%.15g`, which is why `0.30000000000000004` prints as `0.3`.
//!
//! The compact form is what every wire message and database record is made of, so it
//! has its own loop and copies strings in runs rather than character by character.

use crate::value::Json;
use std::fmt::Write;

/// Appends the compact form of `json` to `out`.
pub fn write_compact(json: &Json, out: &mut String) {
    match json {
        Json::Null => out.push_str("null"),
        Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Json::Integer(i) => write_integer(*i, out),
        Json::Real(r) => write_real(*r, out),
        Json::String(s) => write_string(s, out),
        Json::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_compact(item, out);
            }
            out.push(']');
        }
        Json::Object(members) => {
            out.push('{');
            for (i, (name, value)) in members.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(name, out);
                out.push(':');
                write_compact(value, out);
            }
            out.push('}');
        }
    }
}

pub(crate) fn write_pretty(json: &Json, out: &mut String) {
    write_value(json, out, Some(0));
}

/// Appends the decimal form of `i` to `out`.
pub fn write_integer(i: i64, out: &mut String) {
    let mut buf = [0u8; 20];
    let mut pos = buf.len();
    let mut n = i.unsigned_abs();
    loop {
        pos -= 1;
        buf[pos] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    if i < 0 {
        out.push('-');
    }
    // Only ASCII digits were written.
    out.push_str(std::str::from_utf8(&buf[pos..]).unwrap_or_default());
}

fn newline(out: &mut String, depth: Option<usize>) {
    if let Some(d) = depth {
        out.push('\n');
        out.extend(std::iter::repeat_n(' ', d * 2));
    }
}

fn write_value(json: &Json, out: &mut String, depth: Option<usize>) {
    match json {
        Json::Null => out.push_str("null"),
        Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Json::Integer(i) => write_integer(*i, out),
        Json::Real(r) => write_real(*r, out),
        Json::String(s) => write_string(s, out),
        Json::Array(items) => {
            out.push('[');
            if !items.is_empty() {
                let inner = depth.map(|d| d + 1);
                newline(out, inner);
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                        newline(out, inner);
                    }
                    write_value(item, out, inner);
                }
            }
            out.push(']');
        }
        Json::Object(members) => {
            out.push('{');
            let inner = depth.map(|d| d + 1);
            newline(out, inner);
            for (i, (name, value)) in members.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                    newline(out, inner);
                }
                write_string(name, out);
                out.push(':');
                if depth.is_some() {
                    out.push(' ');
                }
                write_value(value, out, inner);
            }
            out.push('}');
        }
    }
}

/// Writes a string with the reference's escapes: quote, backslash, the five short
/// control escapes, `\u00XX` for other control characters; everything else raw.
pub fn write_string(s: &str, out: &mut String) {
    out.reserve(s.len() + 2);
    out.push('"');
    let bytes = s.as_bytes();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        // Skip eight plain bytes at a time (most strings have nothing to escape).
        if let Some(chunk) = bytes.get(i..i + 8) {
            if !needs_escape(chunk) {
                i += 8;
                continue;
            }
        }
        let b = bytes[i];
        let escape = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            0x08 => "\\b",
            0x0c => "\\f",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x00..=0x1f => "",
            _ => {
                i += 1;
                continue;
            }
        };
        // Every byte that needs escaping is ASCII, so these are character boundaries.
        out.push_str(&s[start..i]);
        if escape.is_empty() {
            let _ = write!(out, "\\u{:04x}", b);
        } else {
            out.push_str(escape);
        }
        i += 1;
        start = i;
    }
    out.push_str(&s[start..]);
    out.push('"');
}

/// Whether any of 8 bytes is a control character, a quote or a backslash (the bytes
/// a string's text cannot hold as they are).
pub(crate) fn needs_escape(chunk: &[u8]) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let mut word = [0u8; 8];
    word.copy_from_slice(chunk);
    let w = u64::from_le_bytes(word);
    // Flags bytes below 0x20, and bytes equal to '"' or '\\' (zero after the xor).
    let below = |x: u64, n: u64| x.wrapping_sub(ONES * n) & !x & HIGHS;
    (below(w, 0x20) | below(w ^ (ONES * 0x22), 1) | below(w ^ (ONES * 0x5c), 1)) != 0
}

/// Formats a real the way C's `printf("%.15g")` does.
pub fn format_real(r: f64) -> String {
    let mut out = String::new();
    write_real(r, &mut out);
    out
}

/// Appends a real as C's `printf("%.15g")` formats it.
pub fn write_real(r: f64, out: &mut String) {
    const PRECISION: i32 = 15;
    if !r.is_finite() {
        out.push_str(if r.is_nan() {
            "nan"
        } else if r > 0.0 {
            "inf"
        } else {
            "-inf"
        });
        return;
    }
    if r == 0.0 {
        out.push_str(if r.is_sign_negative() { "-0" } else { "0" });
        return;
    }
    // Round to 15 significant digits first; the exponent after rounding decides the style.
    let sci = format!("{:.*e}", (PRECISION - 1) as usize, r);
    // Near f64::MAX, 15 digits can round past the largest finite value, and the text
    // would not read back (the reference writes such records and then cannot load
    // its own file). Only there, use the 17 digits that always round-trip.
    if sci.parse::<f64>().is_ok_and(|v| v.is_infinite()) {
        write_g(r, 17, out);
    } else {
        write_g(r, PRECISION, out);
    }
}

/// C's `%.{precision}g`.
fn write_g(r: f64, precision: i32, out: &mut String) {
    let sci = format!("{:.*e}", (precision - 1) as usize, r);
    let (mantissa, exponent) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    if !(-4..precision).contains(&exponent) {
        out.push_str(trim_fraction(mantissa));
        let _ = write!(
            out,
            "e{}{:02}",
            if exponent < 0 { '-' } else { '+' },
            exponent.abs()
        );
    } else {
        let decimals = (precision - 1 - exponent).max(0) as usize;
        let fixed = format!("{r:.decimals$}");
        out.push_str(trim_fraction(&fixed));
    }
}

/// Drops trailing zeros of a fraction, and the point if nothing is left after it.
fn trim_fraction(s: &str) -> &str {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        s
    }
}
