//! The reference's hidden test commands that work without a switch: they
//! expose the message codec and the text syntax (`ofp-print`, `encode-hello`,
//! `print-error`, `parse-flow`, ...), which the test suites use as oracles.

use crate::print;
use crate::vconn::{alloc_xid, encode_hello_bits};
use crate::{Ctx, Fatal};
use openflow::{OfpError, Version};
use std::io::BufRead;

/// `ofpbuf_put_hex`: pairs of hex digits, blanks allowed between pairs.
/// Returns the bytes and whether anything other than blanks was left over.
pub fn parse_hex(s: &str) -> (Vec<u8>, bool) {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len() / 2);
    let mut i = 0;
    loop {
        while i < b.len() && matches!(b[i], b' ' | b'\t' | b'\r' | b'\n') {
            i += 1;
        }
        if i >= b.len() {
            return (out, false);
        }
        let hex = |c: u8| (c as char).to_digit(16);
        match (
            b.get(i).and_then(|&c| hex(c)),
            b.get(i + 1).and_then(|&c| hex(c)),
        ) {
            (Some(h), Some(l)) => out.push((h * 16 + l) as u8),
            _ => return (out, true),
        }
        i += 2;
    }
}

/// Reads one line from standard input (without its newline); None at EOF.
pub fn read_stdin_line() -> Option<String> {
    let mut line = String::new();
    match std::io::stdin().lock().read_line(&mut line) {
        Ok(0) | Err(_) => None,
        Ok(_) => {
            if line.ends_with('\n') {
                line.pop();
            }
            Some(line)
        }
    }
}

/// `ofp-print HEX [VERBOSITY]`, or `ofp-print - [VERBOSITY]` for one line of
/// hex on standard input.
pub fn ofp_print(ctx: &mut Ctx, argv: &[String]) -> Result<i32, Fatal> {
    let buffer = if argv[1] == "-" {
        read_stdin_line().ok_or_else(|| Fatal("Failed to read stdin".into()))?
    } else {
        argv[1].clone()
    };
    let verbosity = argv
        .get(2)
        .map_or(2, |v| crate::commands::echo::atoi(v).max(0) as u32);
    let (bytes, garbage) = parse_hex(&buffer);
    if garbage {
        return Err(Fatal("trailing garbage following hex bytes".into()));
    }
    ctx.print(&print::to_string(&bytes, verbosity));
    Ok(0)
}

/// `encode-hello BITMAP`: the hello we would send for that version bitmap,
/// as hex and as text.
pub fn encode_hello_cmd(ctx: &mut Ctx, argv: &[String]) -> Result<i32, Fatal> {
    let bits = parse_c_ulong(&argv[1]) as u32;
    // The reference aborts on a bitmap without any version.
    if bits & !1 == 0 {
        return Err(Fatal(format!(
            "{}: bitmap names no OpenFlow version",
            argv[1]
        )));
    }
    let hello = encode_hello_bits(bits, alloc_xid());
    ctx.print(&openflow_hex_dump(&hello));
    ctx.print(&print::to_string(&hello, ctx.opts.verbosity));
    Ok(0)
}

/// `print-error NAME`: how each version carries the error.
pub fn print_error(ctx: &mut Ctx, argv: &[String]) -> Result<i32, Fatal> {
    use openflow::error::ErrorCode;
    let err = OfpError::from_name(&argv[1])
        .ok_or_else(|| Fatal(format!("unknown error \"{}\"", argv[1])))?;
    for v in Version::ALL {
        let Some(code) = err.code(v) else { continue };
        let (vendor, ty, code) = match code {
            ErrorCode::Std { ty, code } => (0, ty, code),
            ErrorCode::Vendor { vendor, ty, code } => (vendor, ty, code),
        };
        // printf's %#x writes zero as "0".
        let vendor = if vendor == 0 {
            "0".to_string()
        } else {
            format!("{vendor:#x}")
        };
        let name = v.short_name().replace("OF", "OpenFlow ");
        ctx.print(&format!(
            "{name}: vendor {vendor}, type {ty}, code {code}\n"
        ));
    }
    Ok(0)
}

/// The OFPT_ERROR a switch would send for `err` in reply to `request`.
pub fn encode_error_reply(err: OfpError, request: &[u8]) -> Vec<u8> {
    use openflow::error::ErrorCode;
    let mut wire_version = request.first().copied().unwrap_or(1);
    let v = match Version::from_wire(wire_version) {
        Some(v) => v,
        None => {
            crate::log::errors_err(&format!(
                "cannot encode error for unknown OpenFlow version 0x{wire_version:02x}"
            ));
            wire_version = 1;
            Version::Of10
        }
    };
    if err.code(v).is_none() {
        crate::log::errors_err(&format!(
            "cannot encode {} for {}",
            err.name(),
            v.short_name().replace("OF", "OpenFlow ")
        ));
    }
    let xid = crate::vconn::xid_of(request);
    // The whole request goes back, as far as a message can hold it.
    let data = &request[..request.len().min(0xffff - 16)];
    let mut body = Vec::new();
    match err.code_or_unencodable(v) {
        ErrorCode::Std { ty, code } => {
            body.extend_from_slice(&ty.to_be_bytes());
            body.extend_from_slice(&code.to_be_bytes());
        }
        ErrorCode::Vendor { vendor, ty, code } if v <= Version::Of11 => {
            body.extend_from_slice(&openflow::error::NXET_VENDOR.to_be_bytes());
            body.extend_from_slice(&0u16.to_be_bytes());
            body.extend_from_slice(&vendor.to_be_bytes());
            body.extend_from_slice(&ty.to_be_bytes());
            body.extend_from_slice(&code.to_be_bytes());
        }
        ErrorCode::Vendor { vendor, ty, .. } => {
            body.extend_from_slice(&openflow::error::OFPET_EXPERIMENTER.to_be_bytes());
            body.extend_from_slice(&ty.to_be_bytes());
            body.extend_from_slice(&vendor.to_be_bytes());
        }
    }
    body.extend_from_slice(data);
    crate::vconn::build(wire_version, crate::vconn::OFPT_ERROR, xid, &body)
}

/// `encode-error-reply NAME HEX`: the error reply to a request, as hex.
pub fn encode_error_reply_cmd(ctx: &mut Ctx, argv: &[String]) -> Result<i32, Fatal> {
    let err = OfpError::from_name(&argv[1])
        .ok_or_else(|| Fatal(format!("unknown error \"{}\"", argv[1])))?;
    let (request, garbage) = parse_hex(&argv[2]);
    if garbage {
        return Err(Fatal("Trailing garbage in hex data".into()));
    }
    let Some(h) = crate::vconn::RawHeader::of(&request) else {
        return Err(Fatal("Request too short".into()));
    };
    if usize::from(h.length) != request.len() {
        return Err(Fatal("Request size inconsistent".into()));
    }
    ctx.print(&openflow_hex_dump(&encode_error_reply(err, &request)));
    Ok(0)
}

/// A hex dump without the ASCII column, as `encode-hello` prints it.
fn openflow_hex_dump(data: &[u8]) -> String {
    let mut out = String::new();
    for (n, chunk) in data.chunks(16).enumerate() {
        out.push_str(&format!("{:08x}  ", n * 16));
        for (i, b) in chunk.iter().enumerate() {
            match i {
                0 => {}
                8 => out.push('-'),
                _ => out.push(' '),
            }
            out.push_str(&format!("{b:02x}"));
        }
        out.push('\n');
    }
    out
}

/// `strtoul(s, NULL, 0)`: decimal, 0x hex or 0 octal; stops at the first
/// character that does not fit.
pub fn parse_c_ulong(s: &str) -> u64 {
    let t = s.trim_start();
    let (radix, digits) = if let Some(h) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        (16, h)
    } else if t.len() > 1 && t.starts_with('0') {
        (8, &t[1..])
    } else {
        (10, t)
    };
    let mut n: u64 = 0;
    for c in digits.chars() {
        match c.to_digit(radix) {
            Some(d) => {
                n = n
                    .saturating_mul(u64::from(radix))
                    .saturating_add(u64::from(d))
            }
            None => break,
        }
    }
    n
}

/// `parse-key-value STRING...`: how the tokenizer splits each argument.
pub fn parse_key_value(ctx: &mut Ctx, argv: &[String]) -> Result<i32, Fatal> {
    for arg in &argv[1..] {
        let line: Vec<String> = crate::kv::pairs(arg)
            .into_iter()
            .map(|(k, v)| {
                if v.is_empty() {
                    k.to_string()
                } else {
                    format!("{k}={v}")
                }
            })
            .collect();
        ctx.print(&line.join(", "));
        ctx.print("\n");
    }
    Ok(0)
}

/// `ofp-parse FILE`: prints the binary OpenFlow messages in FILE (- for
/// standard input), one after another.
pub fn ofp_parse(ctx: &mut Ctx, argv: &[String]) -> Result<i32, Fatal> {
    use std::io::Read;
    let name = &argv[1];
    let mut input: Box<dyn Read> = if name == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        Box::new(std::fs::File::open(name).map_err(|e| Fatal::io(&format!("{name}: open"), &e))?)
    };
    let mut data = Vec::new();
    input
        .read_to_end(&mut data)
        .map_err(|e| Fatal::io(&format!("{name}: read"), &e))?;
    let mut rest = data.as_slice();
    while !rest.is_empty() {
        let Some(h) = crate::vconn::RawHeader::of(rest) else {
            return Err(Fatal(format!("{name}: unexpected end of file mid-message")));
        };
        let len = usize::from(h.length);
        if len < 8 {
            return Err(Fatal(format!(
                "{name}: {len}-byte message is too short for OpenFlow"
            )));
        }
        let Some(msg) = rest.get(..len) else {
            return Err(Fatal(format!("{name}: unexpected end of file mid-message")));
        };
        ctx.print(&print::to_string(msg, ctx.opts.verbosity + 2));
        rest = &rest[len..];
    }
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_input() {
        assert_eq!(parse_hex("0100 0008\n"), (vec![1, 0, 0, 8], false));
        assert_eq!(parse_hex("010"), (vec![1], true));
        assert_eq!(parse_hex(""), (vec![], false));
        assert_eq!(parse_hex("zz"), (vec![], true));
    }

    #[test]
    fn c_numbers() {
        assert_eq!(parse_c_ulong("0x1e"), 30);
        assert_eq!(parse_c_ulong("010"), 8);
        assert_eq!(parse_c_ulong("12x"), 12);
        assert_eq!(parse_c_ulong("x"), 0);
    }
}
