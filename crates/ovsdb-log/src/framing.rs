//! Record framing: the header line `OVSDB <magic> <length> <sha1-hex>\n`, the framed
//! record, and what a record may contain so that it reads back.
//!
//! [`frame`] and [`parse`] are public for programs that write or read a database file's
//! bytes themselves (`ovsdb-client backup` writes one to stdout); [`crate::Log`] is
//! what reads and writes files.
//!
//! Header parsing follows what the reference accepts, which is a little looser than
//! `ovsdb(5)` says: the length may have leading blanks or a `+` (it is read with
//! `strtoul`), and the hash may use upper-case hex digits. Everything else must be
//! exact: one space between words, exactly 40 hex digits, then the LF.

use ovs_json::Json;
use sha1::{Digest, Sha1};

use crate::error::hex;

/// The magic of a standalone database file.
pub const MAGIC_STANDALONE: &str = "JSON";
/// The magic of a clustered (Raft) database file.
pub const MAGIC_CLUSTERED: &str = "CLUSTER";

/// The most bytes of a header line that are read. The reference reads header lines into
/// a fixed buffer and judges (and quotes) only what fits; a valid header is far shorter.
pub(crate) const MAX_HEADER_LINE: usize = 127;

const LEAD: &[u8] = b"OVSDB ";

/// A parsed header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Header {
    /// [`MAGIC_STANDALONE`], [`MAGIC_CLUSTERED`], or another word (the caller judges).
    pub magic: String,
    /// Bytes of the record's text, its trailing LF included.
    pub length: u64,
    /// SHA-1 of those bytes.
    pub sha1: [u8; 20],
}

/// Parses a header line (with its LF). `None` if it is not a valid header.
pub fn parse(line: &[u8]) -> Option<Header> {
    let rest = line.strip_prefix(LEAD)?;
    let magic_len = rest.iter().position(|&b| b == b' ')?;
    let magic = std::str::from_utf8(&rest[..magic_len]).ok()?.to_string();
    let rest = &rest[magic_len + 1..];

    let (length, rest) = parse_length(rest)?;
    let rest = rest.strip_prefix(b" ")?;

    let (digits, rest) = rest.split_at_checked(40)?;
    let mut sha1 = [0u8; 20];
    for (byte, pair) in sha1.iter_mut().zip(digits.chunks_exact(2)) {
        *byte = (hex_value(pair[0])? << 4) | hex_value(pair[1])?;
    }
    if rest != b"\n" {
        return None;
    }
    Some(Header {
        magic,
        length,
        sha1,
    })
}

/// A positive decimal length as `strtoul` reads it: optional leading blanks, an
/// optional `+`, then digits. Zero and values that overflow are refused, as the
/// reference refuses them.
fn parse_length(s: &[u8]) -> Option<(u64, &[u8])> {
    let start = s
        .iter()
        .position(|b| !matches!(b, b' ' | b'\t' | b'\x0b' | b'\x0c' | b'\r'))?;
    let mut s = &s[start..];
    if let Some(rest) = s.strip_prefix(b"+") {
        s = rest;
    }
    let n_digits = s.iter().take_while(|b| b.is_ascii_digit()).count();
    if n_digits == 0 {
        return None;
    }
    let mut value: u64 = 0;
    for &d in &s[..n_digits] {
        value = value.checked_mul(10)?.checked_add(u64::from(d - b'0'))?;
    }
    if value == 0 || value == u64::MAX {
        return None;
    }
    Some((value, &s[n_digits..]))
}

fn hex_value(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// The part of a bad header line that error messages quote, matching the reference:
/// the line without its LF, cut at a NUL byte, and, when the line starts with
/// `OVSDB <magic> `, only `OVSDB <magic>` (so a torn header reads "OVSDB JSON").
pub(crate) fn quoted_line(line: &[u8]) -> String {
    let mut line = line.strip_suffix(b"\n").unwrap_or(line);
    if let Some(nul) = line.iter().position(|&b| b == 0) {
        line = &line[..nul];
    }
    if let Some(rest) = line.strip_prefix(LEAD) {
        if let Some(magic_len) = rest.iter().position(|&b| b == b' ') {
            line = &line[..LEAD.len() + magic_len];
        }
    }
    String::from_utf8_lossy(line).into_owned()
}

/// SHA-1 of `data`.
pub fn sha1(data: &[u8]) -> [u8; 20] {
    Sha1::digest(data).into()
}

/// Checks that `record` can be written as a record that reads back: it must be an
/// object, and JSON text cannot carry what the reader (like the reference's) refuses:
/// NUL characters in strings and non-finite numbers.
pub(crate) fn check_record(record: &Json) -> Result<(), String> {
    if !matches!(record, Json::Object(_)) {
        return Err(format!(
            "a log record must be a JSON object, not {}",
            record.type_name()
        ));
    }
    check_value(record)
}

fn check_value(json: &Json) -> Result<(), String> {
    let check_str = |s: &str| {
        if s.contains('\0') {
            let start: String = s.chars().take(40).collect();
            Err(format!("string {start:?} contains a NUL character"))
        } else {
            Ok(())
        }
    };
    match json {
        Json::String(s) => check_str(s),
        Json::Real(r) if !r.is_finite() => Err(format!("number {r} is not finite")),
        Json::Array(items) => items.iter().try_for_each(check_value),
        Json::Object(members) => members.iter().try_for_each(|(name, value)| {
            check_str(name)?;
            check_value(value)
        }),
        _ => Ok(()),
    }
}

/// Appends a whole record (header, then `text` and the LF ending it) to `out`. `text`
/// must be one line (compact JSON), as every record this crate writes is.
pub fn frame(magic: &str, text: &str, out: &mut Vec<u8>) {
    let mut hasher = Sha1::new();
    hasher.update(text.as_bytes());
    hasher.update(b"\n");
    let digest: [u8; 20] = hasher.finalize().into();
    let length = text.len() + 1;
    out.reserve(text.len() + 80);
    out.extend_from_slice(format!("OVSDB {magic} {length} {}\n", hex(&digest)).as_bytes());
    out.extend_from_slice(text.as_bytes());
    out.push(b'\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    // A header and body written by the real `ovsdb-tool create` (Open vSwitch 3.1).
    const REAL_HEADER: &[u8] = b"OVSDB JSON 111 91f4536f5b30cf602091c5ed8200ff5609eb9fe7\n";
    const REAL_BODY: &str =
        "{\"name\":\"tiny\",\"version\":\"1.0.0\",\"tables\":{\"T\":{\"columns\":\
        {\"name\":{\"type\":\"string\"},\"n\":{\"type\":\"integer\"}}}}}";

    #[test]
    fn length_and_hash_cover_the_trailing_newline() {
        let h = parse(REAL_HEADER).unwrap();
        assert_eq!(h.magic, "JSON");
        assert_eq!(h.length, REAL_BODY.len() as u64 + 1);
        assert_eq!(h.sha1, sha1(format!("{REAL_BODY}\n").as_bytes()));
        let mut framed = Vec::new();
        frame("JSON", REAL_BODY, &mut framed);
        assert_eq!(framed, [REAL_HEADER, REAL_BODY.as_bytes(), b"\n"].concat());
        // What `ovsdb-client backup` frames its records with; sha1("{}\n").
        let mut framed = Vec::new();
        frame(MAGIC_STANDALONE, "{}", &mut framed);
        assert_eq!(
            framed,
            b"OVSDB JSON 3 5f36b2ea290645ee34d943220a14b54ee5ea5be5\n{}\n"
        );
    }

    #[test]
    fn accepts_what_strtoul_and_sha1_from_hex_accept() {
        let hash = "91F4536F5B30CF602091C5ED8200FF5609EB9FE7";
        for line in [
            format!("OVSDB JSON 111 {hash}\n"),
            format!("OVSDB JSON  111 {hash}\n"),
            format!("OVSDB JSON +111 {hash}\n"),
        ] {
            let h = parse(line.as_bytes()).unwrap_or_else(|| panic!("{line:?}"));
            assert_eq!(h.length, 111);
        }
    }

    #[test]
    fn refuses_malformed_headers() {
        let hash = "91f4536f5b30cf602091c5ed8200ff5609eb9fe7";
        for line in [
            format!("OVSDB JSON 111 {hash}"),
            format!("OVSDB JSON 111 {hash}\r\n"),
            format!("OVSDB JSON 111 {hash}0\n"),
            format!("OVSDB JSON 111 {}\n", &hash[1..]),
            format!("OVSDB JSON 0 {hash}\n"),
            format!("OVSDB JSON -1 {hash}\n"),
            format!("OVSDB JSON 111  {hash}\n"),
            format!("OVSDB JSON 18446744073709551615 {hash}\n"),
            format!("OVSDB JSON 99999999999999999999 {hash}\n"),
            format!("OVSDB JSON x {hash}\n"),
            "OVSDB JSON\n".to_string(),
            format!("OVSDB  JSON 111 {hash}\n"),
            format!("ovsdb JSON 111 {hash}\n"),
            format!("OVSDB JSON 111 {}g\n", &hash[1..]),
        ] {
            assert_eq!(parse(line.as_bytes()), None, "{line:?}");
        }
        // An unknown magic still parses; the caller judges it.
        let h = parse(format!("OVSDB CLUSTER 5 {hash}\n").as_bytes()).unwrap();
        assert_eq!(h.magic, "CLUSTER");
    }

    #[test]
    fn records_that_would_not_read_back_are_refused() {
        let ok = ovs_json::parse(r#"{"a":[1,2.5,"x\\u0000"],"b":{"c":null}}"#).unwrap();
        assert_eq!(check_record(&ok), Ok(()));
        let nul_value = Json::object([("a", Json::array([Json::string("x\0")]))]);
        let nul_name = Json::object([("a\0", Json::Null)]);
        let nan = Json::object([("a", Json::Real(f64::NAN))]);
        let inf = Json::object([("a", Json::object([("b", Json::Real(f64::INFINITY))]))]);
        for bad in [nul_value, nul_name, nan, inf, Json::array([])] {
            assert!(check_record(&bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn quotes_bad_lines_like_the_reference() {
        // Each pair was observed in `ovsdb-tool show-log` errors.
        for (line, quoted) in [
            (&b"hello world garbage\n"[..], "hello world garbage"),
            (b"xyz", "xyz"),
            (b"OVSDB JSON 93 26922d", "OVSDB JSON"),
            (b"OVSDB  JSON 93 x\n", "OVSDB "),
            (b"OVSDB JSOX 93 x\n", "OVSDB JSOX"),
            (b"OVSDB CLUSTER 3 x\n", "OVSDB CLUSTER"),
            (b"OVSDB JSONX\n", "OVSDB JSONX"),
            (b"ab\0cd\n", "ab"),
        ] {
            assert_eq!(quoted_line(line), quoted);
        }
    }
}
