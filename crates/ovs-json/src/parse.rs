//! The JSON parser, following Open vSwitch's rules.
//!
//! What differs from plain JSON parsers, and why it matters for compatibility:
//! - a number is an integer when its value is an exact integer that fits in `i64`
//!   (`1.0`, `1e3` and `0.5e1` are integers), otherwise a real;
//! - the top level must be an array or an object (what OVSDB's wire and files carry);
//! - nesting deeper than [`MAX_DEPTH`] is refused, so hostile input cannot exhaust the stack;
//! - errors read `line L, column C, byte B: message` with the reference's positions and texts,
//!   because clients and tests compare them.

use crate::value::{Json, Object};
use std::fmt;

/// The deepest nesting of arrays and objects accepted.
pub const MAX_DEPTH: usize = 1000;

/// A parse failure with the position where it was detected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    pub line: usize,
    pub column: usize,
    pub byte: usize,
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {}, column {}, byte {}: {}",
            self.line, self.column, self.byte, self.message
        )
    }
}

impl std::error::Error for ParseError {}

/// Parses a complete JSON text whose top level is an array or an object.
pub fn parse(text: &str) -> Result<Json, ParseError> {
    parse_bytes(text.as_bytes())
}

/// Like [`parse`], from bytes. Invalid UTF-8 inside a string is an error: on the wire a
/// client gets told, instead of having its data silently altered.
pub fn parse_bytes(input: &[u8]) -> Result<Json, ParseError> {
    let mut parser = Parser {
        input,
        pos: 0,
        lossy: false,
    };
    parser.document(true)
}

/// Like [`parse_bytes`], but invalid UTF-8 inside strings becomes U+FFFD. For database
/// files: the reference passes such bytes through, and refusing them would make a real
/// database file unreadable from that record on.
pub fn parse_bytes_lossy(input: &[u8]) -> Result<Json, ParseError> {
    let mut parser = Parser {
        input,
        pos: 0,
        lossy: true,
    };
    parser.document(true)
}

/// Parses a complete JSON text whose top level may be any value (used for command-line
/// arguments and scalar fields, where OVS's text syntax allows bare values).
pub fn parse_value(text: &str) -> Result<Json, ParseError> {
    let mut parser = Parser {
        input: text.as_bytes(),
        pos: 0,
        lossy: false,
    };
    parser.document(false)
}

/// A token with the position at which the reference reports it: the index of its last
/// byte for punctuation and strings, one past its end for numbers and keywords (which need
/// a lookahead byte to end).
#[derive(Debug)]
enum Token {
    Begin(u8),
    End(u8),
    Comma,
    Colon,
    Value(Json),
    Eof,
}

struct Parser<'a> {
    input: &'a [u8],
    pos: usize,
    /// Replace invalid UTF-8 in strings instead of failing.
    lossy: bool,
}

impl<'a> Parser<'a> {
    fn error_at(&self, byte: usize, message: impl Into<String>) -> ParseError {
        let prefix = &self.input[..byte.min(self.input.len())];
        let line = prefix.iter().filter(|&&b| b == b'\n').count();
        let line_start = prefix
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        ParseError {
            line,
            column: byte.saturating_sub(line_start),
            byte,
            message: message.into(),
        }
    }

    fn skip_whitespace(&mut self) {
        while let Some(&b) = self.input.get(self.pos) {
            if matches!(b, b' ' | b'\t' | b'\n' | b'\r') {
                self.pos += 1;
            } else {
                break;
            }
        }
    }

    fn document(&mut self, container_only: bool) -> Result<Json, ParseError> {
        let (token, at) = self.next_token()?;
        let value = match token {
            Token::Eof => return Err(self.error_at(at, "empty input stream")),
            Token::Begin(open) => self.container(open, at, 1)?,
            Token::Value(v) if !container_only => v,
            _ => return Err(self.error_at(at, "syntax error at beginning of input")),
        };
        match self.next_token()? {
            (Token::Eof, _) => Ok(value),
            (_, at) => Err(self.error_at(at, "trailing garbage at end of input")),
        }
    }

    /// Parses the rest of an array or object whose opening byte was at `open_at`.
    fn container(&mut self, open: u8, open_at: usize, depth: usize) -> Result<Json, ParseError> {
        if depth > MAX_DEPTH {
            return Err(self.error_at(
                open_at,
                format!("input exceeds maximum nesting depth {MAX_DEPTH}"),
            ));
        }
        if open == b'[' {
            self.array(depth)
        } else {
            self.object(depth)
        }
    }

    fn value(&mut self, token: Token, at: usize, depth: usize) -> Result<Json, ParseError> {
        match token {
            Token::Value(v) => Ok(v),
            Token::Begin(open) => self.container(open, at, depth + 1),
            Token::Eof => Err(self.error_at(at, "unexpected end of input")),
            _ => Err(self.error_at(at, "syntax error expecting value")),
        }
    }

    fn array(&mut self, depth: usize) -> Result<Json, ParseError> {
        let mut items = Vec::new();
        let (mut token, mut at) = self.next_token()?;
        if matches!(token, Token::End(b']')) {
            return Ok(Json::Array(items));
        }
        loop {
            items.push(self.value(token, at, depth)?);
            match self.next_token()? {
                (Token::End(b']'), _) => return Ok(Json::Array(items)),
                (Token::Comma, _) => {}
                (Token::Eof, at) => return Err(self.error_at(at, "unexpected end of input")),
                (_, at) => return Err(self.error_at(at, "syntax error expecting ']' or ','")),
            }
            (token, at) = self.next_token()?;
        }
    }

    fn object(&mut self, depth: usize) -> Result<Json, ParseError> {
        let mut members = Object::new();
        let (mut token, mut at) = self.next_token()?;
        if matches!(token, Token::End(b'}')) {
            return Ok(Json::Object(members));
        }
        loop {
            let name = match token {
                Token::Value(Json::String(name)) => name,
                Token::Eof => return Err(self.error_at(at, "unexpected end of input")),
                _ => return Err(self.error_at(at, "syntax error parsing object expecting string")),
            };
            match self.next_token()? {
                (Token::Colon, _) => {}
                (Token::Eof, at) => return Err(self.error_at(at, "unexpected end of input")),
                (_, at) => {
                    return Err(self.error_at(at, "syntax error parsing object expecting ':'"))
                }
            }
            let (vt, vat) = self.next_token()?;
            let value = self.value(vt, vat, depth)?;
            members.insert(name, value);
            match self.next_token()? {
                (Token::End(b'}'), _) => return Ok(Json::Object(members)),
                (Token::Comma, _) => {}
                (Token::Eof, at) => return Err(self.error_at(at, "unexpected end of input")),
                (_, at) => return Err(self.error_at(at, "syntax error expecting '}' or ','")),
            }
            (token, at) = self.next_token()?;
        }
    }

    fn next_token(&mut self) -> Result<(Token, usize), ParseError> {
        self.skip_whitespace();
        let start = self.pos;
        let Some(&b) = self.input.get(start) else {
            return Ok((Token::Eof, start));
        };
        let token = match b {
            b'[' | b'{' => Token::Begin(b),
            b']' | b'}' => Token::End(b),
            b',' => Token::Comma,
            b':' => Token::Colon,
            b'"' => return self.string(),
            b'-' | b'0'..=b'9' => return self.number(),
            // Keywords start lowercase; `T` is an invalid character, as in the reference.
            b'a'..=b'z' => return self.keyword(),
            _ => {
                let what = if b.is_ascii_graphic() {
                    format!("'{}'", b as char)
                } else {
                    format!("U+{b:04x}")
                };
                return Err(self.error_at(start, format!("invalid character {what}")));
            }
        };
        self.pos += 1;
        Ok((token, start))
    }

    fn keyword(&mut self) -> Result<(Token, usize), ParseError> {
        let start = self.pos;
        while self
            .input
            .get(self.pos)
            .is_some_and(|b| b.is_ascii_alphabetic())
        {
            self.pos += 1;
        }
        let word = &self.input[start..self.pos];
        let value = match word {
            b"true" => Json::Bool(true),
            b"false" => Json::Bool(false),
            b"null" => Json::Null,
            _ => {
                let word = String::from_utf8_lossy(word);
                return Err(self.error_at(self.pos, format!("invalid keyword '{word}'")));
            }
        };
        Ok((Token::Value(value), self.pos))
    }

    fn number(&mut self) -> Result<(Token, usize), ParseError> {
        let start = self.pos;
        while self
            .input
            .get(self.pos)
            .is_some_and(|b| matches!(b, b'0'..=b'9' | b'.' | b'e' | b'E' | b'+' | b'-'))
        {
            self.pos += 1;
        }
        let end = self.pos;
        let text = &self.input[start..end];
        match number_from_text(text) {
            Ok(value) => Ok((Token::Value(value), end)),
            Err(message) => Err(self.error_at(end, message)),
        }
    }

    fn string(&mut self) -> Result<(Token, usize), ParseError> {
        // Find the closing quote first; escapes are decoded afterwards, and their errors
        // are reported at the closing quote, as the reference does.
        let open = self.pos;
        let mut i = open + 1;
        let mut has_escape = false;
        let close = loop {
            // Skip eight plain bytes at a time: most of a string needs no attention.
            if let Some(chunk) = self.input.get(i..i + 8) {
                if !crate::print::needs_escape(chunk) {
                    i += 8;
                    continue;
                }
            }
            let Some(&b) = self.input.get(i) else {
                self.pos = self.input.len();
                return Err(self.error_at(self.input.len(), "unexpected end of input"));
            };
            match b {
                b'"' => break i,
                b'\\' => {
                    has_escape = true;
                    i += 2;
                }
                0x00..=0x1f => {
                    return Err(
                        self.error_at(i, format!("U+{b:04X} must be escaped in quoted string"))
                    )
                }
                _ => i += 1,
            }
        };
        self.pos = close + 1;
        let raw = &self.input[open + 1..close];
        let bytes = if has_escape {
            unescape(raw).map_err(|m| self.error_at(close, m))?
        } else {
            raw.to_vec()
        };
        let text = match String::from_utf8(bytes) {
            Ok(t) => t,
            Err(e) if self.lossy => String::from_utf8_lossy(e.as_bytes()).into_owned(),
            Err(_) => return Err(self.error_at(close, "invalid UTF-8 in quoted string")),
        };
        Ok((Token::Value(Json::String(text)), close))
    }
}

/// Converts the text of a number token by the reference's rules.
fn number_from_text(text: &[u8]) -> Result<Json, &'static str> {
    let mut i = 0;
    let negative = text.first() == Some(&b'-');
    if negative {
        i += 1;
    }
    if !text.get(i).is_some_and(u8::is_ascii_digit) {
        return Err("'-' must be followed by digit");
    }
    if text[i] == b'0' && text.get(i + 1).is_some_and(u8::is_ascii_digit) {
        return Err("leading zeros not allowed");
    }
    // The significand's digits, with `pow10` the power of ten they are scaled by.
    let mut significand: u64 = 0;
    let mut imprecise = false;
    let mut pow10: i64 = 0;
    // Digits beyond u64's range scale the value instead (integer part) or are dropped
    // (fraction); only dropping a non-zero digit makes the value imprecise.
    let mut accumulate =
        |d: u8, fraction: bool, significand: &mut u64, pow10: &mut i64| match significand
            .checked_mul(10)
            .and_then(|s| s.checked_add(u64::from(d - b'0')))
        {
            Some(s) => {
                *significand = s;
                if fraction {
                    *pow10 -= 1;
                }
            }
            None => {
                if !fraction {
                    *pow10 += 1;
                }
                if d != b'0' {
                    imprecise = true;
                }
            }
        };
    while let Some(&d) = text.get(i).filter(|d| d.is_ascii_digit()) {
        accumulate(d, false, &mut significand, &mut pow10);
        i += 1;
    }
    if text.get(i) == Some(&b'.') {
        i += 1;
        if !text.get(i).is_some_and(u8::is_ascii_digit) {
            return Err("decimal point must be followed by digit");
        }
        while let Some(&d) = text.get(i).filter(|d| d.is_ascii_digit()) {
            accumulate(d, true, &mut significand, &mut pow10);
            i += 1;
        }
    }
    if matches!(text.get(i), Some(b'e' | b'E')) {
        i += 1;
        let exp_negative = match text.get(i) {
            Some(b'-') => {
                i += 1;
                true
            }
            Some(b'+') => {
                i += 1;
                false
            }
            _ => false,
        };
        if !text.get(i).is_some_and(u8::is_ascii_digit) {
            return Err("exponent must contain at least one digit");
        }
        let mut exponent: i64 = 0;
        while let Some(&d) = text.get(i).filter(|d| d.is_ascii_digit()) {
            exponent = exponent
                .checked_mul(10)
                .and_then(|e| e.checked_add(i64::from(d - b'0')))
                .filter(|e| *e < i64::from(i32::MAX))
                .ok_or("exponent outside valid range")?;
            i += 1;
        }
        pow10 += if exp_negative { -exponent } else { exponent };
    }
    if i != text.len() {
        // Trailing characters such as "1-2" or "1e5e": the reference reads the whole run
        // as one malformed number.
        return Err("syntax error in number");
    }
    if !imprecise {
        if let Some(value) = exact_integer(significand, pow10, negative) {
            return Ok(Json::Integer(value));
        }
    }
    let s = std::str::from_utf8(text).map_err(|_| "syntax error in number")?;
    match s.parse::<f64>() {
        Ok(r) if r.is_finite() => Ok(Json::Real(if r == 0.0 { 0.0 } else { r })),
        _ => Err("number outside valid range"),
    }
}

/// The integer `significand * 10^pow10` with the given sign, if it is exact and fits in i64.
fn exact_integer(mut significand: u64, mut pow10: i64, negative: bool) -> Option<i64> {
    if significand == 0 {
        return Some(0);
    }
    while pow10 < 0 && significand.is_multiple_of(10) {
        significand /= 10;
        pow10 += 1;
    }
    while pow10 > 0 {
        significand = significand.checked_mul(10)?;
        pow10 -= 1;
    }
    if pow10 != 0 {
        return None;
    }
    if negative {
        if significand <= i64::MAX as u64 + 1 {
            Some((significand as i64).wrapping_neg())
        } else {
            None
        }
    } else {
        i64::try_from(significand).ok()
    }
}

/// Decodes the backslash escapes of a quoted string's contents.
fn unescape(raw: &[u8]) -> Result<Vec<u8>, String> {
    let mut out: Vec<u8> = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        let b = raw[i];
        if b != b'\\' {
            out.push(b);
            i += 1;
            continue;
        }
        let Some(&e) = raw.get(i + 1) else {
            return Err("quoted string may not end with backslash".into());
        };
        i += 2;
        let c = match e {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let hi = hex4(raw, i)?;
                i += 4;
                let code = if (0xd800..0xdc00).contains(&hi) {
                    if raw.get(i) != Some(&b'\\') || raw.get(i + 1) != Some(&b'u') {
                        return Err("malformed escaped surrogate pair".into());
                    }
                    let lo = hex4(raw, i + 2)?;
                    if !(0xdc00..0xe000).contains(&lo) {
                        return Err("malformed escaped surrogate pair".into());
                    }
                    i += 6;
                    0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00)
                } else {
                    hi
                };
                if code == 0 {
                    return Err("null bytes not supported in quoted strings".into());
                }
                char::from_u32(code).ok_or("invalid UTF-16 surrogate in \\u escape")?
            }
            other => {
                return Err(format!(
                    "bad escape \\{}",
                    char::from_u32(u32::from(other)).unwrap_or('?')
                ))
            }
        };
        let mut buf = [0u8; 4];
        out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
    }
    Ok(out)
}

fn hex4(raw: &[u8], at: usize) -> Result<u32, String> {
    let digits = raw
        .get(at..at + 4)
        .ok_or("quoted string ends within \\u escape")?;
    let text = std::str::from_utf8(digits).map_err(|_| "malformed \\u escape")?;
    u32::from_str_radix(text, 16).map_err(|_| "malformed \\u escape".into())
}
