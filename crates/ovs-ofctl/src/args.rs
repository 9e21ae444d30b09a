//! Reading command arguments the way the reference does: port numbers and
//! names (`dump-ports br0 LOCAL`, `mod-port br0 eth0 up`), and the C number
//! conversions (`atoi`, `strtoul`) some commands use.

use crate::names;
use crate::{log, Ctx, Fatal};
use openflow::port::{PortMap, PortNo};

/// A port given as a number (16-bit, or 32-bit OpenFlow 1.1 reserved
/// numbers), a reserved name ("LOCAL", case-insensitive), or a name in `map`
/// (optionally in double quotes). Logs the reference's warnings about odd
/// numbers.
pub fn port_from_string(s: &str, map: Option<&PortMap>) -> Option<PortNo> {
    if s.starts_with('-') {
        log::port_warn(&format!("Negative value {s} is not a valid port number."));
        return None;
    }
    if let Some(n) = parse_uint(s) {
        if n < u32::from(PortNo::MAX.0) {
            return Some(PortNo(n as u16));
        }
        if n < u32::from(PortNo::IN_PORT.0) {
            log::port_warn(&format!(
                "port {n} is a reserved OF1.0 port number that will be translated to {} \
                 when talking to an OF1.1 or later controller",
                n + 0xffff_0000
            ));
            return Some(PortNo(n as u16));
        }
        if n <= 0xffff {
            let p = PortNo(n as u16);
            static ONCE: std::sync::Once = std::sync::Once::new();
            ONCE.call_once(|| {
                log::port_warn(&format!(
                    "referring to port {p} as {n} is deprecated for compatibility with \
                     OpenFlow 1.1 and later"
                ))
            });
            return Some(p);
        }
        if n < 0xffff_ff00 {
            log::port_warn(&format!(
                "port {n} is outside the supported range 0 through ffff or 0xffffff00 \
                 through 0xffffffff"
            ));
            return None;
        }
        return Some(PortNo((n - 0xffff_0000) as u16));
    }
    if let Some(p) = PortNo::from_reserved_name(s) {
        return Some(p);
    }
    let map = map?;
    if let Some(inner) = s.strip_prefix('"').and_then(|r| r.strip_suffix('"')) {
        return map.port(&unescape_json(inner)?);
    }
    map.port(s)
}

/// `str_to_uint(s, 10)`: optional blanks and sign, decimal digits, nothing
/// after, fitting 32 bits.
pub fn parse_uint(s: &str) -> Option<u32> {
    let t = s.trim_start_matches([' ', '\t', '\n', '\u{b}', '\u{c}', '\r']);
    let t = t.strip_prefix('+').unwrap_or(t);
    if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    t.parse::<u32>().ok()
}

/// The escapes a JSON string may hold (port names are quoted that way).
fn unescape_json(s: &str) -> Option<String> {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next()? {
            '"' => out.push('"'),
            '\\' => out.push('\\'),
            '/' => out.push('/'),
            'b' => out.push('\u{8}'),
            'f' => out.push('\u{c}'),
            'n' => out.push('\n'),
            'r' => out.push('\r'),
            't' => out.push('\t'),
            'u' => {
                let hex: String = chars.by_ref().take(4).collect();
                let code = u32::from_str_radix(&hex, 16).ok()?;
                out.push(char::from_u32(code)?);
            }
            _ => return None,
        }
    }
    Some(out)
}

/// A command's PORT argument: tried as a number or reserved name first, and
/// only then (fetching the switch's ports) as a name.
pub fn str_to_port_no(ctx: &mut Ctx, switch: &str, s: &str) -> Result<PortNo, Fatal> {
    if let Some(p) = port_from_string(s, None) {
        return Ok(p);
    }
    let map = names::ports_to_accept(ctx, switch)?.cloned();
    port_from_string(s, map.as_ref()).ok_or_else(|| Fatal(format!("{switch}: unknown port `{s}'")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn port_strings() {
        assert_eq!(port_from_string("5", None), Some(PortNo(5)));
        assert_eq!(port_from_string("local", None), Some(PortNo::LOCAL));
        assert_eq!(port_from_string("4294967294", None), Some(PortNo::LOCAL));
        assert_eq!(port_from_string("-1", None), None);
        assert_eq!(port_from_string("eth0", None), None);
        let mut m = PortMap::new();
        m.insert("eth0", PortNo(3));
        m.insert("a b", PortNo(4));
        assert_eq!(port_from_string("eth0", Some(&m)), Some(PortNo(3)));
        assert_eq!(port_from_string("\"a b\"", Some(&m)), Some(PortNo(4)));
    }
}
