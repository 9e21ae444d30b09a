//! Reading values written in the reference's string syntax, the one `ovs-vsctl` and
//! the other database command-line tools accept for column values: bare words,
//! JSON-quoted strings, integers (and integer ranges `1-5`), reals, booleans, UUIDs and
//! `@name` symbols, sets `[a, b]` and maps `{k=v}` (brackets optional).
//!
//! Errors are plain texts, worded as the reference words them, because command-line
//! tools print them verbatim after their program name. A few of them quote the part of
//! the input where the problem was found rather than the whole value; that is the
//! reference's behaviour too.

use crate::atom::{parse_uuid, Atom, Uuid};
use crate::datum::Datum;
use crate::symtab::type_to_english;
use crate::types::{AtomicType, BaseType, Type, UNLIMITED};
use std::sync::Arc;

/// Resolves an `@name` symbol (the argument includes the `@`) used where a UUID of
/// base type `base` is expected, creating it if needed.
pub type SymbolResolver<'a> = dyn FnMut(&str, &BaseType) -> Uuid + 'a;

/// Characters that end an unquoted token.
const DELIMITERS: &str = ":=, []{}!<>";

/// Whether `c` ends an unquoted token (and may not start a value).
pub fn is_delimiter(c: char) -> bool {
    DELIMITERS.contains(c)
}

/// The longest range `a-b` accepted for an integer set: more elements than this must
/// be given as several ranges.
pub const MAX_RANGE_SIZE: i64 = 4096;

/// Splits one token off the front of `s`: everything up to the first delimiter that is
/// not inside double quotes. A backslash outside quotes makes the next character
/// literal; inside quotes it is kept (with its character) for the JSON unescaping that
/// a quoted string gets later. Returns the token and the rest of `s`.
pub fn parse_token(s: &str) -> Result<(String, &str), String> {
    let mut out = String::new();
    let mut in_quotes = false;
    let mut chars = s.char_indices();
    let mut end = s.len();
    while let Some((i, c)) = chars.next() {
        if c == '\\' {
            if in_quotes {
                out.push('\\');
            }
            match chars.next() {
                Some((_, next)) => out.push(next),
                None => return Err(format!("{s}: backslash at end of argument")),
            }
        } else if !in_quotes && is_delimiter(c) {
            end = i;
            break;
        } else {
            out.push(c);
            if c == '"' {
                in_quotes = !in_quotes;
            }
        }
    }
    if in_quotes {
        return Err(format!("{s}: quoted string extends past end of argument"));
    }
    Ok((out, &s[end..]))
}

impl Atom {
    /// Parses one atom of base type `base` from its string form and checks the type's
    /// constraints. `@name` symbols are passed to `symbols` (without a resolver they
    /// are not valid UUIDs).
    pub fn from_string(
        s: &str,
        base: &BaseType,
        symbols: Option<&mut SymbolResolver>,
    ) -> Result<Atom, String> {
        let atom = atom_from_text(s, base, symbols)?;
        check(base, &atom)?;
        Ok(atom)
    }
}

/// Parses an atom, or for integers possibly a range `a-b` (returned as its two ends),
/// and checks the constraints of both ends.
fn atom_or_range_from_string(
    s: &str,
    base: &BaseType,
    symbols: Option<&mut SymbolResolver>,
) -> Result<(Atom, Option<Atom>), String> {
    if base.atomic == AtomicType::Integer {
        if let Some((start, end)) = parse_range(s) {
            if end < start {
                return Err(format!(
                    "\"{s}\" is not a valid range. Range end cannot be before start."
                ));
            }
            let (start, end) = (Atom::Integer(start), Atom::Integer(end));
            check(base, &start)?;
            check(base, &end)?;
            return Ok((start, Some(end)));
        }
        return match parse_c_integer(s) {
            Some(i) => {
                let atom = Atom::Integer(i);
                check(base, &atom)?;
                Ok((atom, None))
            }
            None => Err(format!("\"{s}\" is not a valid integer or range")),
        };
    }
    Ok((Atom::from_string(s, base, symbols)?, None))
}

fn check(base: &BaseType, atom: &Atom) -> Result<(), String> {
    base.check_constraints(atom).map_err(|e| e.to_string())
}

fn atom_from_text(
    s: &str,
    base: &BaseType,
    symbols: Option<&mut SymbolResolver>,
) -> Result<Atom, String> {
    match base.atomic {
        AtomicType::Integer => parse_c_integer(s)
            .map(Atom::Integer)
            .ok_or_else(|| format!("\"{s}\" is not a valid integer")),
        AtomicType::Real => parse_c_real(s)
            // -0.0 reads as 0.0, as it does from JSON.
            .map(|r| Atom::Real(if r == 0.0 { 0.0 } else { r }))
            .ok_or_else(|| format!("\"{s}\" is not a valid real number")),
        AtomicType::Boolean => match s {
            "true" | "yes" | "on" | "1" => Ok(Atom::Boolean(true)),
            "false" | "no" | "off" | "0" => Ok(Atom::Boolean(false)),
            _ => Err(format!(
                "\"{s}\" is not a valid boolean (use \"true\" or \"false\")"
            )),
        },
        AtomicType::String => string_from_text(s).map(|t| Atom::String(Arc::from(t))),
        AtomicType::Uuid => {
            if s.starts_with('@') {
                if let Some(resolve) = symbols {
                    return Ok(Atom::Uuid(resolve(s, base)));
                }
            }
            parse_uuid(s)
                .map(Atom::Uuid)
                .ok_or_else(|| format!("\"{s}\" is not a valid UUID"))
        }
    }
}

/// A string atom: a token in double quotes is a JSON string; anything else is taken
/// as it is.
fn string_from_text(s: &str) -> Result<String, String> {
    if s.is_empty() {
        return Err(
            "An empty string is not valid as input; use \"\" to represent the empty string".into(),
        );
    }
    let Some(rest) = s.strip_prefix('"') else {
        return Ok(s.to_owned());
    };
    let Some(inner) = rest.strip_suffix('"') else {
        return Err(format!("{s}: missing quote at end of quoted string"));
    };
    json_unescape(inner).map_err(|e| format!("{s}: {e}"))
}

/// Decodes the inside of a JSON string literal. Unlike the JSON lexer, raw control
/// characters pass through; an unescaped quote does not.
fn json_unescape(inner: &str) -> Result<String, String> {
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => return Err("quoted string may not include unescaped \"".into()),
            '\\' => {}
            other => {
                out.push(other);
                continue;
            }
        }
        let Some(e) = chars.next() else {
            return Err("quoted string may not end with backslash".into());
        };
        let decoded = match e {
            '"' | '\\' | '/' => e,
            'b' => '\u{8}',
            'f' => '\u{c}',
            'n' => '\n',
            'r' => '\r',
            't' => '\t',
            'u' => unicode_escape(&mut chars)?,
            other => return Err(format!("bad escape \\{other}")),
        };
        out.push(decoded);
    }
    Ok(out)
}

/// The character of a `\uXXXX` escape (the `\u` already read), joining a surrogate
/// pair written as two escapes.
fn unicode_escape(chars: &mut std::str::Chars) -> Result<char, String> {
    let hi = hex4(chars)?;
    let code = if (0xd800..0xdc00).contains(&hi) {
        let mut ahead = chars.clone();
        if ahead.next() != Some('\\') || ahead.next() != Some('u') {
            return Err("malformed escaped surrogate pair".into());
        }
        let lo = hex4(&mut ahead)?;
        if !(0xdc00..0xe000).contains(&lo) {
            return Err("malformed escaped surrogate pair".into());
        }
        *chars = ahead;
        0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00)
    } else {
        hi
    };
    if code == 0 {
        return Err("null bytes not supported in quoted strings".into());
    }
    char::from_u32(code).ok_or_else(|| "invalid UTF-16 surrogate in \\u escape".into())
}

fn hex4(chars: &mut std::str::Chars) -> Result<u32, String> {
    let digits: String = chars.by_ref().take(4).collect();
    if digits.chars().count() < 4 {
        return Err("quoted string ends within \\u escape".into());
    }
    if !digits.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err("malformed \\u escape".into());
    }
    u32::from_str_radix(&digits, 16).map_err(|_| "malformed \\u escape".into())
}

/// C's `isspace` in the C locale.
fn is_c_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\u{b}' | '\u{c}' | '\r')
}

/// A decimal integer as `strtoll` reads it, the whole text consumed: leading white
/// space, an optional sign, at least one digit, no overflow. Returns the value and the
/// unread rest when `whole` is false.
fn strtoll_prefix(s: &str) -> Option<(i64, &str)> {
    let t = s.trim_start_matches(is_c_space);
    let (negative, digits) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let n = digits.bytes().take_while(u8::is_ascii_digit).count();
    if n == 0 {
        return None;
    }
    let mut value: i128 = 0;
    for b in digits[..n].bytes() {
        value = value * 10 + i128::from(b - b'0');
        if value > i128::from(i64::MAX) + 1 {
            return None;
        }
    }
    let value = if negative { -value } else { value };
    let value = i64::try_from(value).ok()?;
    Some((value, &digits[n..]))
}

/// A whole text read as a decimal integer (see [`strtoll_prefix`]).
fn parse_c_integer(s: &str) -> Option<i64> {
    match strtoll_prefix(s) {
        Some((v, "")) => Some(v),
        _ => None,
    }
}

/// `A-B`: two decimal integers joined by a dash.
fn parse_range(s: &str) -> Option<(i64, i64)> {
    let (start, rest) = strtoll_prefix(s)?;
    let rest = rest.strip_prefix('-')?;
    let end = parse_c_integer(rest)?;
    Some((start, end))
}

/// A floating-point number as `strtod` reads it, the whole text consumed: decimal
/// (with optional fraction and exponent), `inf`/`infinity`/`nan` in any case, with
/// leading white space and an optional sign. Out-of-range values are refused.
fn parse_c_real(s: &str) -> Option<f64> {
    let t = s.trim_start_matches(is_c_space);
    let body = t.strip_prefix(['+', '-']).unwrap_or(t);
    let lower = body.to_ascii_lowercase();
    if matches!(lower.as_str(), "inf" | "infinity" | "nan") {
        return t.parse::<f64>().ok();
    }
    let bytes = body.as_bytes();
    let mut i = 0;
    let int_digits = bytes.iter().take_while(|b| b.is_ascii_digit()).count();
    i += int_digits;
    let mut frac_digits = 0;
    if bytes.get(i) == Some(&b'.') {
        i += 1;
        frac_digits = bytes[i..].iter().take_while(|b| b.is_ascii_digit()).count();
        i += frac_digits;
    }
    if int_digits + frac_digits == 0 {
        return None;
    }
    if matches!(bytes.get(i), Some(b'e' | b'E')) {
        let mut j = i + 1;
        if matches!(bytes.get(j), Some(b'+' | b'-')) {
            j += 1;
        }
        let exp_digits = bytes[j..].iter().take_while(|b| b.is_ascii_digit()).count();
        if exp_digits == 0 {
            return None;
        }
        i = j + exp_digits;
    }
    if i != bytes.len() {
        return None;
    }
    let value = t.parse::<f64>().ok()?;
    // strtod reports ERANGE for overflow, which the reference refuses.
    value.is_finite().then_some(value)
}

impl Datum {
    /// Parses a datum of type `t` from its string form: atoms separated by commas or
    /// white space, optionally in `[...]` (sets) or `{...}` (maps, as `key=value`
    /// pairs); integer set elements may be ranges `a-b`. Checks constraints, the
    /// number of elements, and duplicates.
    pub fn from_string(
        s: &str,
        t: &Type,
        mut symbols: Option<&mut SymbolResolver>,
    ) -> Result<Datum, String> {
        let is_map = t.is_map();
        let (open, close) = if is_map { ('{', '}') } else { ('[', ']') };
        let mut p = s.trim_start_matches(is_c_space);
        let delimited = if let Some(rest) = p.strip_prefix(open) {
            p = rest.trim_start_matches(is_c_space);
            true
        } else if p.is_empty() {
            return Err(if is_map {
                "use \"{}\" to specify the empty map".into()
            } else {
                "use \"[]\" to specify the empty set".into()
            });
        } else {
            false
        };

        let mut keys: Vec<Atom> = Vec::new();
        let mut values: Vec<Atom> = Vec::new();
        while let Some(c) = p.chars().next() {
            if delimited && c == close {
                break;
            }
            if is_delimiter(c) {
                return Err(format!(
                    "{s}: unexpected \"{c}\" parsing {}",
                    type_to_english(t)
                ));
            }
            let start = p;
            let (token, rest) = parse_token(p)?;
            p = rest;
            let (key, range_end) =
                atom_or_range_from_string(&token, &t.key, symbols.as_deref_mut())?;
            let value = match &t.value {
                None => None,
                Some(value_type) => {
                    p = p.trim_start_matches(is_c_space);
                    let Some(rest) = p.strip_prefix('=') else {
                        return Err(expecting_equals(start, p));
                    };
                    p = rest.trim_start_matches(is_c_space);
                    let (token, rest) = parse_token(p)?;
                    p = rest;
                    Some(Atom::from_string(
                        &token,
                        value_type,
                        symbols.as_deref_mut(),
                    )?)
                }
            };
            push_elements(&mut keys, &mut values, key, range_end, value);
            p = p.trim_start_matches(is_c_space);
            if let Some(rest) = p.strip_prefix(',') {
                p = rest.trim_start_matches(is_c_space);
            }
        }
        if delimited {
            let Some(rest) = p.strip_prefix(close) else {
                return Err(format!("{s}: missing \"{close}\" at end of data"));
            };
            if !rest.trim_start_matches(is_c_space).is_empty() {
                return Err(format!("{s}: trailing garbage after \"{close}\""));
            }
        }

        let n = keys.len();
        if n < t.min as usize {
            return Err(format!(
                "{s}: {n} value(s) specified but the minimum number is {}",
                t.min
            ));
        }
        if t.max != UNLIMITED && n > t.max as usize {
            return Err(format!(
                "{s}: {n} value(s) specified but the maximum number is {}",
                t.max
            ));
        }
        let datum = if is_map {
            Datum::map(keys.into_iter().zip(values).collect())
                .map_err(|_| format!("{s}: map contains duplicate key"))?
        } else {
            Datum::set(keys).map_err(|_| format!("{s}: set contains duplicate value"))?
        };
        Ok(datum)
    }
}

/// The error for a map element without `=`. The reference formats the character with
/// `%c` into a C string, so at the end of the text (a NUL) the message stops there.
fn expecting_equals(start: &str, at: &str) -> String {
    match at.chars().next() {
        Some(c) => format!("{start}: syntax error at \"{c}\" expecting \"=\""),
        None => format!("{start}: syntax error at \""),
    }
}

/// Appends an element, or every element of a range (each with the same map value).
fn push_elements(
    keys: &mut Vec<Atom>,
    values: &mut Vec<Atom>,
    key: Atom,
    range_end: Option<Atom>,
    value: Option<Atom>,
) {
    match (&key, range_end) {
        (Atom::Integer(start), Some(Atom::Integer(end))) => {
            for i in *start..=end {
                keys.push(Atom::Integer(i));
                values.extend(value.clone());
            }
        }
        _ => {
            keys.push(key);
            values.extend(value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ty(text: &str) -> Type {
        Type::from_json(&ovs_json::parse_value(text).unwrap()).unwrap()
    }

    fn parse(s: &str, t: &str) -> Result<String, String> {
        let t = ty(t);
        Datum::from_string(s, &t, None).map(|d| d.to_string_form(&t))
    }

    const VLANS: &str =
        r#"{"key":{"type":"integer","minInteger":0,"maxInteger":4095},"min":0,"max":4096}"#;
    const MAP: &str = r#"{"key":"string","value":"string","min":0,"max":"unlimited"}"#;
    const OPT_STRING: &str = r#"{"key":"string","min":0,"max":1}"#;

    #[test]
    fn sets_with_and_without_brackets_and_ranges() {
        assert_eq!(parse("1-3, 7", VLANS).unwrap(), "[1, 2, 3, 7]");
        assert_eq!(parse("[ 5 ,6 ]", VLANS).unwrap(), "[5, 6]");
        assert_eq!(parse("[]", VLANS).unwrap(), "[]");
        assert_eq!(parse("4 2", VLANS).unwrap(), "[2, 4]");
    }

    #[test]
    fn set_errors_read_like_the_reference() {
        assert_eq!(
            parse("1,,2", VLANS).unwrap_err(),
            "1,,2: unexpected \",\" parsing set of up to 4096 integers"
        );
        assert_eq!(
            parse("[1,2", VLANS).unwrap_err(),
            "[1,2: missing \"]\" at end of data"
        );
        assert_eq!(
            parse("[1]x", VLANS).unwrap_err(),
            "[1]x: trailing garbage after \"]\""
        );
        assert_eq!(
            parse("[1,1]", VLANS).unwrap_err(),
            "[1,1]: set contains duplicate value"
        );
        assert_eq!(
            parse("x", VLANS).unwrap_err(),
            "\"x\" is not a valid integer or range"
        );
        assert_eq!(
            parse("5000", VLANS).unwrap_err(),
            "constraint violation: 5000 is not in the valid range 0 to 4095 (inclusive)"
        );
        assert_eq!(
            parse("3-1", VLANS).unwrap_err(),
            "\"3-1\" is not a valid range. Range end cannot be before start."
        );
        assert_eq!(
            parse(" ", VLANS).unwrap_err(),
            "use \"[]\" to specify the empty set"
        );
        assert_eq!(
            parse("[a,b]", OPT_STRING).unwrap_err(),
            "[a,b]: 2 value(s) specified but the maximum number is 1"
        );
    }

    #[test]
    fn maps_and_their_errors() {
        assert_eq!(parse("{a=b c=d}", MAP).unwrap(), "{a=b, c=d}");
        assert_eq!(parse("a = b , c=\"x y\"", MAP).unwrap(), "{a=b, c=\"x y\"}");
        assert_eq!(parse("a", MAP).unwrap_err(), "a: syntax error at \"");
        assert_eq!(
            parse("a:b", MAP).unwrap_err(),
            "a:b: syntax error at \":\" expecting \"=\""
        );
        assert_eq!(
            parse("a=b,a=c", MAP).unwrap_err(),
            "a=b,a=c: map contains duplicate key"
        );
        assert_eq!(
            parse("[]", MAP).unwrap_err(),
            "[]: unexpected \"[\" parsing map of (string, string) pairs"
        );
        assert_eq!(
            parse("{a=}", MAP).unwrap_err(),
            "An empty string is not valid as input; use \"\" to represent the empty string"
        );
        assert_eq!(
            parse("", MAP).unwrap_err(),
            "use \"{}\" to specify the empty map"
        );
    }

    #[test]
    fn tokens_quotes_and_escapes() {
        assert_eq!(parse_token("a\\=b=c").unwrap(), ("a=b".to_string(), "=c"));
        assert_eq!(
            parse_token("\"a=b\"=c").unwrap(),
            ("\"a=b\"".to_string(), "=c")
        );
        assert_eq!(parse_token("\"a\\\"b\"").unwrap().0, "\"a\\\"b\"");
        assert_eq!(
            parse_token("a\\").unwrap_err(),
            "a\\: backslash at end of argument"
        );
        assert_eq!(
            parse_token("\"b").unwrap_err(),
            "\"b: quoted string extends past end of argument"
        );
        let s = BaseType::new(AtomicType::String);
        let atom = |text: &str| Atom::from_string(text, &s, None);
        assert_eq!(atom("\"x\\u0041\"").unwrap(), Atom::string("xA"));
        assert_eq!(atom("a\"b\"c").unwrap(), Atom::string("a\"b\"c"));
        assert_eq!(atom("\"\\q\"").unwrap_err(), "\"\\q\": bad escape \\q");
        assert_eq!(
            atom("\"a\"b").unwrap_err(),
            "\"a\"b: missing quote at end of quoted string"
        );
        assert_eq!(
            atom("\"a\"\"b\"").unwrap_err(),
            "\"a\"\"b\": quoted string may not include unescaped \""
        );
    }

    #[test]
    fn scalars_of_every_type() {
        let b = BaseType::new(AtomicType::Boolean);
        for yes in ["true", "yes", "on", "1"] {
            assert_eq!(Atom::from_string(yes, &b, None), Ok(Atom::Boolean(true)));
        }
        assert_eq!(
            Atom::from_string("TRUE", &b, None).unwrap_err(),
            "\"TRUE\" is not a valid boolean (use \"true\" or \"false\")"
        );
        let i = BaseType::new(AtomicType::Integer);
        assert_eq!(Atom::from_string("+010", &i, None), Ok(Atom::Integer(10)));
        assert!(Atom::from_string("0x10", &i, None).is_err());
        assert!(Atom::from_string("99999999999999999999", &i, None).is_err());
        let r = BaseType::new(AtomicType::Real);
        assert_eq!(Atom::from_string("1e3", &r, None), Ok(Atom::Real(1000.0)));
        assert_eq!(Atom::from_string("-0", &r, None), Ok(Atom::Real(0.0)));
        assert_eq!(
            Atom::from_string("1.5x", &r, None).unwrap_err(),
            "\"1.5x\" is not a valid real number"
        );
        let u = BaseType::new(AtomicType::Uuid);
        assert_eq!(
            Atom::from_string("1234", &u, None).unwrap_err(),
            "\"1234\" is not a valid UUID"
        );
        let fixed = Uuid::from_u128(7);
        let mut resolve = |name: &str, _: &BaseType| {
            assert_eq!(name, "@x");
            fixed
        };
        assert_eq!(
            Atom::from_string("@x", &u, Some(&mut resolve)),
            Ok(Atom::Uuid(fixed))
        );
    }
}
