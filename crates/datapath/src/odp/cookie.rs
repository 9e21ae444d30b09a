//! Userdata of `userspace(...)` actions. Opaque to the datapath, but the
//! reference writes its controller cookie as `controller(reason=..,...)`
//! instead of hex, so that one layout (the reference's in-memory cookie,
//! host byte order: type u16 @0, in_port u16 @2, bridge uuid @4..20, then
//! dont_send u8 @20, continuation u8 @21, reason u16 @22, recirc_id u32 @24,
//! rule_cookie be64 @28, controller_id u16 @36, max_len u16 @40-2) is
//! recognised here.

use std::fmt::Write;

use super::value;

/// Size of the reference's cookie as it appears in datapath actions.
pub const COOKIE_LEN: usize = 48;
/// Cookie type of a controller action (`controller(...)`).
pub const COOKIE_CONTROLLER: u16 = 5;

fn u16_at(b: &[u8], at: usize) -> u16 {
    b.get(at..at + 2)
        .and_then(|s| s.try_into().ok())
        .map_or(0, u16::from_ne_bytes)
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    b.get(at..at + 4)
        .and_then(|s| s.try_into().ok())
        .map_or(0, u32::from_ne_bytes)
}

/// Writes `controller(...)` or `userdata(hex)` (the part after `pid=N,`).
pub fn write(out: &mut String, data: &[u8]) {
    if data.len() == COOKIE_LEN && u16_at(data, 0) == COOKIE_CONTROLLER {
        let rule_cookie = data
            .get(28..36)
            .and_then(|s| s.try_into().ok())
            .map_or(0, u64::from_be_bytes);
        let _ = write!(
            out,
            "controller(reason={},dont_send={},continuation={},recirc_id={},rule_cookie=",
            u16_at(data, 22),
            data[20],
            data[21],
            u32_at(data, 24),
        );
        value::alt_hex(out, u128::from(rule_cookie));
        let _ = write!(
            out,
            ",controller_id={},max_len={})",
            u16_at(data, 36),
            u16_at(data, 38)
        );
        return;
    }
    out.push_str("userdata(");
    for b in data {
        let _ = write!(out, "{b:02x}");
    }
    out.push(')');
}

/// Parses `userdata(hex)` or `controller(...)` into userdata bytes.
pub fn parse(part: &str) -> Result<Vec<u8>, String> {
    let (name, inner) = value::call(part)?;
    let inner = inner.ok_or_else(|| format!("syntax error at {part}"))?;
    match name {
        "userdata" => {
            if inner.len() % 2 != 0 {
                return Err(format!("odd number of hex digits in userdata({inner})"));
            }
            (0..inner.len())
                .step_by(2)
                .map(|i| {
                    inner
                        .get(i..i + 2)
                        .and_then(|h| u8::from_str_radix(h, 16).ok())
                        .ok_or_else(|| format!("invalid hex in userdata({inner})"))
                })
                .collect()
        }
        "controller" => {
            let mut c = vec![0u8; COOKIE_LEN];
            c[0..2].copy_from_slice(&COOKIE_CONTROLLER.to_ne_bytes());
            for f in value::split_top(inner)? {
                let (k, v) = f
                    .split_once('=')
                    .ok_or_else(|| format!("syntax error at {f}"))?;
                let n = value::number(v)?;
                let small = |max: u128| {
                    if n > max {
                        Err(format!("{k}={v} is out of range"))
                    } else {
                        Ok(n)
                    }
                };
                match k {
                    "reason" => c[22..24].copy_from_slice(&(small(0xffff)? as u16).to_ne_bytes()),
                    "dont_send" => c[20] = small(1)? as u8,
                    "continuation" => c[21] = small(1)? as u8,
                    "recirc_id" => {
                        c[24..28].copy_from_slice(&(small(u32::MAX.into())? as u32).to_ne_bytes())
                    }
                    "rule_cookie" => {
                        c[28..36].copy_from_slice(&(small(u64::MAX.into())? as u64).to_be_bytes())
                    }
                    "controller_id" => {
                        c[36..38].copy_from_slice(&(small(0xffff)? as u16).to_ne_bytes())
                    }
                    "max_len" => c[38..40].copy_from_slice(&(small(0xffff)? as u16).to_ne_bytes()),
                    _ => return Err(format!("unknown controller field {k}")),
                }
            }
            Ok(c)
        }
        _ => Err(format!("unknown userspace argument {name}")),
    }
}
