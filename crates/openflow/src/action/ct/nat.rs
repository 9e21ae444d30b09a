//! The `nat(...)` argument of `ct` (NXAST_NAT): source or destination
//! address/port translation for a tracked connection (`man ovs-actions`).
//! On the wire NAT is an action of its own, valid only nested inside ct.

use std::net::{Ipv4Addr, Ipv6Addr};

use crate::buf::{Put, Reader};
use crate::error::OfpError;
use crate::port::PortMap;
use crate::version::Version;

use super::super::learn::nx;
use super::NXAST_NAT;

pub const NAT_SRC: u16 = 1 << 0;
pub const NAT_DST: u16 = 1 << 1;
pub const NAT_PERSISTENT: u16 = 1 << 2;
pub const NAT_PROTO_HASH: u16 = 1 << 3;
pub const NAT_PROTO_RANDOM: u16 = 1 << 4;
const NAT_FLAGS_ALL: u16 = 0x1f;

const RANGE_IPV4_MIN: u16 = 1 << 0;
const RANGE_IPV4_MAX: u16 = 1 << 1;
const RANGE_IPV6_MIN: u16 = 1 << 2;
const RANGE_IPV6_MAX: u16 = 1 << 3;
const RANGE_PROTO_MIN: u16 = 1 << 4;
const RANGE_PROTO_MAX: u16 = 1 << 5;

/// Addresses to translate to. An unspecified (all-zero) `max` means "just min".
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum NatAddrs {
    #[default]
    None,
    V4 {
        min: Ipv4Addr,
        max: Ipv4Addr,
    },
    V6 {
        min: Ipv6Addr,
        max: Ipv6Addr,
    },
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub struct Nat {
    /// `NAT_SRC` | `NAT_DST` | `NAT_PERSISTENT` | `NAT_PROTO_HASH` | `NAT_PROTO_RANDOM`.
    pub flags: u16,
    pub addrs: NatAddrs,
    /// Port range; 0 = absent.
    pub proto_min: u16,
    pub proto_max: u16,
}

impl Nat {
    /// A bare `nat`: apply the translation the connection already has.
    pub fn is_bare(&self) -> bool {
        self.flags == 0 && self.addrs == NatAddrs::None
    }

    pub fn decode_nx(subtype: u16, body: &mut Reader, _v: Version) -> Result<Nat, OfpError> {
        if subtype != NXAST_NAT {
            return Err(OfpError::BacBadExpType);
        }
        if nx::action_len(body) < 16 {
            return Err(OfpError::BacBadLen);
        }
        body.skip(2)?;
        let flags = body.be16()?;
        let present = body.be16()?;
        let bad = OfpError::BacBadArgument;
        if flags & !NAT_FLAGS_ALL != 0
            || flags & (NAT_SRC | NAT_DST) == NAT_SRC | NAT_DST
            || flags & (NAT_PROTO_HASH | NAT_PROTO_RANDOM) == NAT_PROTO_HASH | NAT_PROTO_RANDOM
        {
            return Err(bad);
        }
        let mut r = body.clone().with_short_error(bad);
        let has = |bit| present & bit != 0;
        // A present value must be nonzero, a max needs its min, and ports need an address.
        let nonzero32 = |v: u32| if v == 0 { Err(bad) } else { Ok(v) };
        let addrs = if has(RANGE_IPV4_MIN | RANGE_IPV4_MAX) {
            if has(RANGE_IPV6_MIN | RANGE_IPV6_MAX) || !has(RANGE_IPV4_MIN) {
                return Err(bad);
            }
            let min = nonzero32(r.be32()?)?;
            let max = if has(RANGE_IPV4_MAX) {
                nonzero32(r.be32()?)?
            } else {
                0
            };
            if max != 0 && max < min {
                return Err(bad);
            }
            NatAddrs::V4 {
                min: Ipv4Addr::from(min),
                max: Ipv4Addr::from(max),
            }
        } else if has(RANGE_IPV6_MIN | RANGE_IPV6_MAX) {
            if !has(RANGE_IPV6_MIN) {
                return Err(bad);
            }
            let min: [u8; 16] = r.array()?;
            let max: [u8; 16] = if has(RANGE_IPV6_MAX) {
                r.array()?
            } else {
                [0; 16]
            };
            if min == [0; 16] || (has(RANGE_IPV6_MAX) && (max == [0; 16] || max < min)) {
                return Err(bad);
            }
            NatAddrs::V6 {
                min: Ipv6Addr::from(min),
                max: Ipv6Addr::from(max),
            }
        } else {
            NatAddrs::None
        };
        let (mut proto_min, mut proto_max) = (0, 0);
        if has(RANGE_PROTO_MIN | RANGE_PROTO_MAX) {
            if addrs == NatAddrs::None || !has(RANGE_PROTO_MIN) {
                return Err(bad);
            }
            proto_min = r.be16()?;
            if proto_min == 0 {
                return Err(bad);
            }
            if has(RANGE_PROTO_MAX) {
                proto_max = r.be16()?;
                if proto_max == 0 || proto_max < proto_min {
                    return Err(bad);
                }
            }
        }
        body.take_rest();
        Ok(Nat {
            flags,
            addrs,
            proto_min,
            proto_max,
        })
    }

    pub fn encode_nx(&self, out: &mut Vec<u8>, _v: Version) {
        let start = nx::start(out, NXAST_NAT);
        out.put_zeros(2);
        out.put_be16(self.flags);
        let present_at = out.len();
        out.put_be16(0);
        let mut present = 0;
        match self.addrs {
            NatAddrs::None => {}
            NatAddrs::V4 { min, max } => {
                if !min.is_unspecified() {
                    present |= RANGE_IPV4_MIN;
                    out.extend_from_slice(&min.octets());
                }
                if !max.is_unspecified() {
                    present |= RANGE_IPV4_MAX;
                    out.extend_from_slice(&max.octets());
                }
            }
            NatAddrs::V6 { min, max } => {
                if !min.is_unspecified() {
                    present |= RANGE_IPV6_MIN;
                    out.extend_from_slice(&min.octets());
                }
                if !max.is_unspecified() {
                    present |= RANGE_IPV6_MAX;
                    out.extend_from_slice(&max.octets());
                }
            }
        }
        if self.proto_min != 0 {
            present |= RANGE_PROTO_MIN;
            out.put_be16(self.proto_min);
        }
        if self.proto_max != 0 {
            present |= RANGE_PROTO_MAX;
            out.put_be16(self.proto_max);
        }
        out.patch_be16(present_at, present);
        nx::finish(out, start);
    }

    /// Parses the text inside `nat(...)` (empty for a bare `nat`).
    pub fn parse(_keyword: &str, args: &str, _ports: Option<&PortMap>) -> Result<Nat, String> {
        let mut nat = Nat::default();
        let mut rest = args;
        while let Some((key, value)) = nx::next_key_value(&mut rest) {
            match key {
                "src" | "dst" => {
                    if nat.flags & (NAT_SRC | NAT_DST) != 0 {
                        return Err("May only specify one of \"src\" or \"dst\".".to_string());
                    }
                    nat.flags |= if key == "src" { NAT_SRC } else { NAT_DST };
                    parse_nat_range(value, &mut nat)?;
                }
                "persistent" => nat.flags |= NAT_PERSISTENT,
                "hash" => nat.flags |= NAT_PROTO_HASH,
                "random" => nat.flags |= NAT_PROTO_RANDOM,
                _ => return Err(format!("invalid key \"{key}\" in \"nat\" argument")),
            }
        }
        if nat.flags & (NAT_SRC | NAT_DST) == 0 && nat.flags != 0 {
            return Err("Flags allowed only with \"src\" or \"dst\".".to_string());
        }
        if nat.flags & (NAT_PROTO_HASH | NAT_PROTO_RANDOM) == NAT_PROTO_HASH | NAT_PROTO_RANDOM {
            return Err("Both \"hash\" and \"random\" are not allowed.".to_string());
        }
        Ok(nat)
    }

    pub fn format(&self, out: &mut String, _ports: Option<&PortMap>) {
        out.push_str("nat");
        let kind = match self.flags & (NAT_SRC | NAT_DST) {
            NAT_SRC => "src",
            NAT_DST => "dst",
            _ => return,
        };
        out.push('(');
        out.push_str(kind);
        let ports = self.proto_min != 0;
        match self.addrs {
            NatAddrs::None => {}
            NatAddrs::V4 { min, max } => {
                out.push_str(&format!("={min}"));
                if !max.is_unspecified() && max != min {
                    out.push_str(&format!("-{max}"));
                }
            }
            NatAddrs::V6 { min, max } => {
                let addr = |a: Ipv6Addr| {
                    let text = nx::format_ipv6(a);
                    if ports {
                        format!("[{text}]")
                    } else {
                        text
                    }
                };
                out.push('=');
                out.push_str(&addr(min));
                if !max.is_unspecified() && max != min {
                    out.push('-');
                    out.push_str(&addr(max));
                }
            }
        }
        if self.addrs != NatAddrs::None {
            if ports {
                out.push_str(&format!(":{}", self.proto_min));
                if self.proto_max != 0 && self.proto_max != self.proto_min {
                    out.push_str(&format!("-{}", self.proto_max));
                }
            }
            // The reference prints the flags only after an address.
            for (flag, name) in [
                (NAT_PERSISTENT, ",persistent"),
                (NAT_PROTO_HASH, ",hash"),
                (NAT_PROTO_RANDOM, ",random"),
            ] {
                if self.flags & flag != 0 {
                    out.push_str(name);
                }
            }
        }
        out.push(')');
    }
}

/// Like C `scanf("%u")` narrowed to `bits`: optional white space and sign,
/// decimal digits, the value truncated to the width. Returns (value, bytes used).
fn scan_unsigned(s: &str, bits: u32) -> Option<(u64, usize)> {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() && b[i].is_ascii_whitespace() {
        i += 1;
    }
    let neg = matches!(b.get(i), Some(b'-'));
    if matches!(b.get(i), Some(b'-' | b'+')) {
        i += 1;
    }
    let start = i;
    let mut v: u64 = 0;
    while let Some(d) = b.get(i).filter(|c| c.is_ascii_digit()) {
        v = v.saturating_mul(10).saturating_add(u64::from(d - b'0'));
        i += 1;
    }
    if i == start {
        return None;
    }
    if neg {
        v = v.wrapping_neg();
    }
    Some((v & ((1u64 << bits) - 1), i))
}

/// `a.b.c.d` as `%hhu.%hhu.%hhu.%hhu` reads it (each octet wraps at 256).
fn scan_ipv4(s: &str) -> Option<(Ipv4Addr, usize)> {
    let mut octets = [0u8; 4];
    let mut n = 0;
    for (i, o) in octets.iter_mut().enumerate() {
        if i > 0 {
            if s.as_bytes().get(n) != Some(&b'.') {
                return None;
            }
            n += 1;
        }
        let (v, len) = scan_unsigned(&s[n..], 8)?;
        *o = v as u8;
        n += len;
    }
    Some((Ipv4Addr::from(octets), n))
}

/// The text of an IPv6 address, bare or in brackets, as the reference's
/// scanner delimits it (up to 46 hex digits, colons and dots). Returns the
/// address text and the bytes consumed; the text may still be invalid.
fn scan_ipv6_text(s: &str) -> Option<(&str, usize)> {
    let is_addr_char = |c: &u8| c.is_ascii_hexdigit() || *c == b':' || *c == b'.';
    let run = |t: &str| t.bytes().take(46).take_while(is_addr_char).count();
    let bare = run(s);
    if bare > 0 {
        return Some((&s[..bare], bare));
    }
    let inner = s.strip_prefix('[')?;
    let len = run(inner);
    if len == 0 || inner.as_bytes().get(len) != Some(&b']') {
        return None;
    }
    Some((&inner[..len], len + 2))
}

/// Parses `addr[-addr][:port[-port]]` into `nat`, with the reference's
/// quirks: text that looks like an IPv6 address but is not one is consumed
/// and ignored, and ports are only read after an address.
fn parse_nat_range(s: &str, nat: &mut Nat) -> Result<(), String> {
    let invalid = || format!("invalid nat range \"{s}\"");
    let b = s.as_bytes();
    let mut n = 0;
    if let Some((min, len)) = scan_ipv4(s) {
        n = len;
        let mut max = Ipv4Addr::UNSPECIFIED;
        if b.get(n) == Some(&b'-') {
            n += 1;
            match scan_ipv4(&s[n..]) {
                Some((m, len)) if m >= min => {
                    max = m;
                    n += len;
                }
                _ => return Err(invalid()),
            }
        }
        nat.addrs = NatAddrs::V4 { min, max };
    } else if let Some((text, len)) = scan_ipv6_text(s) {
        n = len;
        if let Ok(min) = text.parse::<Ipv6Addr>() {
            let mut max = Ipv6Addr::UNSPECIFIED;
            if b.get(n) == Some(&b'-') {
                n += 1;
                match scan_ipv6_text(&s[n..]) {
                    Some((t, len)) => match t.parse::<Ipv6Addr>() {
                        Ok(m) if m.octets() >= min.octets() => {
                            max = m;
                            n += len;
                        }
                        _ => return Err(invalid()),
                    },
                    None => return Err(invalid()),
                }
            }
            nat.addrs = NatAddrs::V6 { min, max };
        }
    }
    if nat.addrs != NatAddrs::None && b.get(n) == Some(&b':') {
        n += 1;
        let (min, len) = scan_unsigned(&s[n..], 16).ok_or_else(invalid)?;
        n += len;
        nat.proto_min = min as u16;
        if b.get(n) == Some(&b'-') {
            n += 1;
            match scan_unsigned(&s[n..], 16) {
                Some((max, len)) if max as u16 >= nat.proto_min => {
                    nat.proto_max = max as u16;
                    n += len;
                }
                _ => return Err(invalid()),
            }
        }
    }
    if n != s.len() {
        return Err(format!(
            "garbage ({}) after nat range \"{s}\" (pos: {n})",
            &s[n..]
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nat(s: &str) -> Result<Nat, String> {
        Nat::parse("nat", s, None)
    }

    fn nat_text(n: &Nat) -> String {
        let mut s = String::new();
        n.format(&mut s, None);
        s
    }

    #[test]
    fn nat_ranges() {
        let n = nat("src=10.0.0.1-10.0.0.5:100-200,persistent,random").unwrap();
        assert_eq!(
            nat_text(&n),
            "nat(src=10.0.0.1-10.0.0.5:100-200,persistent,random)"
        );
        let n = nat("dst=[fe80::1]-[fe80::2]:80,hash").unwrap();
        assert_eq!(nat_text(&n), "nat(dst=[fe80::1]-[fe80::2]:80,hash)");
        assert_eq!(nat_text(&nat("src=[fe80::1]").unwrap()), "nat(src=fe80::1)");
        assert_eq!(
            nat_text(&nat("src=1.2.3.4:5-5").unwrap()),
            "nat(src=1.2.3.4:5)"
        );
        assert_eq!(nat_text(&nat("src=1.2.3").unwrap()), "nat(src)");
        assert_eq!(
            nat_text(&nat("src=1.2.3.4:65536").unwrap()),
            "nat(src=1.2.3.4)"
        );
        assert_eq!(nat_text(&nat("").unwrap()), "nat");
    }

    #[test]
    fn nat_errors() {
        assert_eq!(
            nat("src=1.2.3.4:5-1").unwrap_err(),
            "invalid nat range \"1.2.3.4:5-1\""
        );
        assert_eq!(
            nat("src=1.2.3.4:0x10").unwrap_err(),
            "garbage (x10) after nat range \"1.2.3.4:0x10\" (pos: 9)"
        );
        assert_eq!(
            nat("src=1.2.3.4/24").unwrap_err(),
            "garbage (/24) after nat range \"1.2.3.4/24\" (pos: 7)"
        );
        assert_eq!(
            nat("src=fe80::1:1-2").unwrap_err(),
            "invalid nat range \"fe80::1:1-2\""
        );
        assert_eq!(
            nat("persistent").unwrap_err(),
            "Flags allowed only with \"src\" or \"dst\"."
        );
        assert_eq!(
            nat("src=1.2.3.4,hash,random").unwrap_err(),
            "Both \"hash\" and \"random\" are not allowed."
        );
        assert_eq!(
            nat("src=1.2.3.4,dst=1.2.3.5").unwrap_err(),
            "May only specify one of \"src\" or \"dst\"."
        );
        assert_eq!(
            nat("foo").unwrap_err(),
            "invalid key \"foo\" in \"nat\" argument"
        );
    }

    #[test]
    fn nat_wire() {
        let n = nat("src=10.0.0.1-10.0.0.5:100-200,persistent,random").unwrap();
        let mut w = vec![];
        n.encode_nx(&mut w, Version::Of10);
        // As the reference encodes it (ovs-ofctl -mmmmm parse-flow).
        let hex: String = w.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            hex,
            "ffff0020000023200024000000150033 0a000001 0a000005 0064 00c8 00000000"
                .replace(' ', "")
        );
        let d = Nat::decode_nx(NXAST_NAT, &mut Reader::new(&w[10..]), Version::Of10);
        assert_eq!(d, Ok(n));
        // Ports without an address are refused.
        let mut bad = w.clone();
        bad[15] = 0x30;
        assert_eq!(
            Nat::decode_nx(NXAST_NAT, &mut Reader::new(&bad[10..]), Version::Of10),
            Err(OfpError::BacBadArgument)
        );
    }
}
