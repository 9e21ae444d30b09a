//! OpenFlow port numbers. Internally a port is 16 bits, as in OF1.0; OF1.1+
//! 32-bit numbers map onto it (reserved ports 0xfffffff8.. ↔ 0xfff8..), which
//! is the reference's model too. Also the `--names` port-name map.

use std::collections::BTreeMap;
use std::fmt;

use crate::error::OfpError;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct PortNo(pub u16);

impl PortNo {
    /// Highest ordinary port number + 1.
    pub const MAX: PortNo = PortNo(0xff00);
    /// OFPP_UNSET: Open vSwitch's "no port yet" (e.g. an unset actset_output).
    pub const UNSET: PortNo = PortNo(0xfff7);
    pub const IN_PORT: PortNo = PortNo(0xfff8);
    pub const TABLE: PortNo = PortNo(0xfff9);
    pub const NORMAL: PortNo = PortNo(0xfffa);
    pub const FLOOD: PortNo = PortNo(0xfffb);
    pub const ALL: PortNo = PortNo(0xfffc);
    pub const CONTROLLER: PortNo = PortNo(0xfffd);
    pub const LOCAL: PortNo = PortNo(0xfffe);
    /// OFPP_NONE in OF1.0, OFPP_ANY in OF1.1+.
    pub const NONE: PortNo = PortNo(0xffff);

    const RESERVED: [(PortNo, &'static str); 9] = [
        (PortNo::UNSET, "UNSET"),
        (PortNo::IN_PORT, "IN_PORT"),
        (PortNo::TABLE, "TABLE"),
        (PortNo::NORMAL, "NORMAL"),
        (PortNo::FLOOD, "FLOOD"),
        (PortNo::ALL, "ALL"),
        (PortNo::CONTROLLER, "CONTROLLER"),
        (PortNo::LOCAL, "LOCAL"),
        (PortNo::NONE, "ANY"),
    ];

    /// The reserved port's name ("LOCAL"), if it is one.
    pub fn reserved_name(self) -> Option<&'static str> {
        Self::RESERVED
            .iter()
            .find(|(p, _)| *p == self)
            .map(|(_, n)| *n)
    }

    /// A reserved port by name, case-insensitively ("local", "NONE" = "ANY").
    pub fn from_reserved_name(name: &str) -> Option<PortNo> {
        if name.eq_ignore_ascii_case("none") {
            return Some(PortNo::NONE);
        }
        Self::RESERVED
            .iter()
            .find(|(_, n)| n.eq_ignore_ascii_case(name))
            .map(|(p, _)| *p)
    }

    /// From an OF1.1+ 32-bit port: ordinary numbers below 0xff00 and reserved
    /// ones from 0xfffffff8 map; the rest are `OFPBAC_BAD_OUT_PORT`.
    pub fn from_of11(port: u32) -> Result<PortNo, OfpError> {
        if port < u32::from(PortNo::MAX.0) {
            Ok(PortNo(port as u16))
        } else if port >= 0xffff_fff8 {
            Ok(PortNo((port - 0xffff_0000) as u16))
        } else {
            Err(OfpError::BacBadOutPort)
        }
    }

    pub fn to_of11(self) -> u32 {
        if self.0 >= PortNo::MAX.0 {
            u32::from(self.0) + 0xffff_0000
        } else {
            u32::from(self.0)
        }
    }
}

impl fmt::Display for PortNo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.reserved_name() {
            Some(n) => f.write_str(n),
            None => write!(f, "{}", self.0),
        }
    }
}

/// Port names for `--names`: printing uses the name, parsing accepts it.
#[derive(Clone, Debug, Default)]
pub struct PortMap {
    by_name: BTreeMap<String, PortNo>,
    by_number: BTreeMap<PortNo, String>,
}

impl PortMap {
    pub fn new() -> PortMap {
        PortMap::default()
    }

    /// Adds a port. A name or number seen twice is ambiguous, and the reference
    /// then uses neither; we do the same by dropping both mappings.
    pub fn insert(&mut self, name: &str, port: PortNo) {
        self.by_name.insert(name.to_string(), port);
        self.by_number.insert(port, name.to_string());
    }

    pub fn port(&self, name: &str) -> Option<PortNo> {
        self.by_name.get(name).copied()
    }

    pub fn name(&self, port: PortNo) -> Option<&str> {
        self.by_number.get(&port).map(String::as_str)
    }
}

/// A port name as ovs-ofctl prints it with `--names`: bare when it is a
/// letter followed by letters and digits, otherwise as a JSON string
/// (`"br0-eth1"`), so it cannot be confused with a number or a keyword.
pub fn quote_port_name(name: &str) -> String {
    let mut chars = name.chars();
    let plain = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric());
    if plain {
        return name.to_string();
    }
    let mut s = String::from("\"");
    for c in name.chars() {
        match c {
            '"' => s.push_str("\\\""),
            '\\' => s.push_str("\\\\"),
            '\n' => s.push_str("\\n"),
            '\r' => s.push_str("\\r"),
            '\t' => s.push_str("\\t"),
            '\u{8}' => s.push_str("\\b"),
            '\u{c}' => s.push_str("\\f"),
            c if (c as u32) < 0x20 => s.push_str(&format!("\\u{:04x}", c as u32)),
            c => s.push(c),
        }
    }
    s.push('"');
    s
}

/// The name inside a quoted port name (`"br0-eth1"`, JSON escapes allowed);
/// `None` if `s` is not quoted or the escapes are malformed.
pub fn unquote_port_name(s: &str) -> Option<String> {
    let inner = s.strip_prefix('"')?.strip_suffix('"')?;
    let mut out = String::new();
    let mut it = inner.chars();
    while let Some(c) = it.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match it.next()? {
            '"' => out.push('"'),
            '\\' => out.push('\\'),
            '/' => out.push('/'),
            'n' => out.push('\n'),
            'r' => out.push('\r'),
            't' => out.push('\t'),
            'b' => out.push('\u{8}'),
            'f' => out.push('\u{c}'),
            'u' => {
                let hex: String = it.by_ref().take(4).collect();
                let v = u32::from_str_radix(&hex, 16).ok()?;
                out.push(char::from_u32(v)?);
            }
            _ => return None,
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn of11_mapping() {
        assert_eq!(PortNo::from_of11(5), Ok(PortNo(5)));
        assert_eq!(PortNo::from_of11(0xffff_fffe), Ok(PortNo::LOCAL));
        assert_eq!(PortNo::from_of11(0xffff_ffff), Ok(PortNo::NONE));
        assert_eq!(PortNo::from_of11(0xffff_fff0), Err(OfpError::BacBadOutPort));
        assert_eq!(PortNo::LOCAL.to_of11(), 0xffff_fffe);
        assert_eq!(PortNo(7).to_of11(), 7);
    }

    #[test]
    fn quoting() {
        assert_eq!(quote_port_name("eth0"), "eth0");
        assert_eq!(quote_port_name("br0-eth1"), "\"br0-eth1\"");
        assert_eq!(quote_port_name("1abc"), "\"1abc\"");
        assert_eq!(quote_port_name("a\"b"), "\"a\\\"b\"");
        for n in ["eth0", "br0-eth1", "a\"b\\c", "x\ty"] {
            assert_eq!(
                unquote_port_name(&quote_port_name(n)).as_deref(),
                Some(n).filter(|_| n != "eth0")
            );
        }
    }

    #[test]
    fn names() {
        assert_eq!(PortNo::LOCAL.to_string(), "LOCAL");
        assert_eq!(PortNo(3).to_string(), "3");
        assert_eq!(
            PortNo::from_reserved_name("controller"),
            Some(PortNo::CONTROLLER)
        );
        assert_eq!(PortNo::from_reserved_name("none"), Some(PortNo::NONE));
        // The reference names 0xfff7 too, in both directions.
        assert_eq!(PortNo(0xfff7).to_string(), "UNSET");
        assert_eq!(PortNo::from_reserved_name("unset"), Some(PortNo::UNSET));
        assert_eq!(PortNo(0xfff6).to_string(), "65526");
    }
}
