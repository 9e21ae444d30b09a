//! Serialization in the reference's two layouts.
//!
//! Compact: no spaces at all. Pretty: two spaces per level, a line break after every
//! opening bracket of a non-empty container, closing brackets glued to the last element
//! (`"a": [\n    1,\n    2]`), and `": "` between a member's name and value.
//! Reals print like C's `%.15g`, which is why `0.30000000000000004` prints as `0.3`.

use crate::value::Json;
use std::fmt::Write;

pub(crate) fn write_compact(json: &Json, out: &mut String) {
    write_value(json, out, None);
}

pub(crate) fn write_pretty(json: &Json, out: &mut String) {
    write_value(json, out, Some(0));
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
        Json::Integer(i) => {
            let _ = write!(out, "{i}");
        }
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
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Formats a real the way C's `printf("%.15g")` does.
pub fn format_real(r: f64) -> String {
    let mut out = String::new();
    write_real(r, &mut out);
    out
}

fn write_real(r: f64, out: &mut String) {
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
    let (mantissa, exponent) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    if !(-4..PRECISION).contains(&exponent) {
        out.push_str(trim_fraction(mantissa));
        let _ = write!(
            out,
            "e{}{:02}",
            if exponent < 0 { '-' } else { '+' },
            exponent.abs()
        );
    } else {
        let decimals = (PRECISION - 1 - exponent).max(0) as usize;
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
