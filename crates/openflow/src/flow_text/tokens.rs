//! The lexical layer of ovs-ofctl's text syntaxes: the "key=value,
//! key:value, key(value)" tokenizer and C-style numbers (`strtoull` with
//! base 0: "10", "0x1f", "017"), with the reference's error messages.

/// Splits ovs-ofctl key-value text. A key ends at one of `:=(`, a comma or
/// white space; a value after `=` or `:` ends at a comma or white space
/// (parenthesised parts may contain them); a value after `(` ends at the
/// matching `)`. A key without a value yields an empty value.
pub struct KeyValues<'a> {
    rest: &'a str,
}

impl<'a> KeyValues<'a> {
    pub fn new(s: &'a str) -> KeyValues<'a> {
        KeyValues { rest: s }
    }
}

fn is_sep(c: char) -> bool {
    matches!(c, ',' | ' ' | '\t' | '\r' | '\n')
}

/// Length of a value ending at one of `delims` (or the end), skipping over
/// balanced parentheses.
fn value_len(s: &str, delims: &[char]) -> usize {
    let mut depth = 0usize;
    for (i, c) in s.char_indices() {
        match c {
            '(' => depth += 1,
            ')' if depth > 0 => depth -= 1,
            _ if depth == 0 && delims.contains(&c) => return i,
            _ => {}
        }
    }
    s.len()
}

impl<'a> Iterator for KeyValues<'a> {
    type Item = (&'a str, &'a str);

    fn next(&mut self) -> Option<(&'a str, &'a str)> {
        let s = self.rest.trim_start_matches(is_sep);
        if s.is_empty() {
            self.rest = s;
            return None;
        }
        let key_len = s
            .find(|c: char| matches!(c, ':' | '=' | '(') || is_sep(c))
            .unwrap_or(s.len());
        let key = &s[..key_len];
        let delim = s[key_len..].chars().next();
        let after = match delim {
            Some(c) => &s[key_len + c.len_utf8()..],
            None => "",
        };
        let delims: &[char] = match delim {
            Some(':' | '=') => &[',', ' ', '\t', '\r', '\n'],
            Some('(') => &[')'],
            _ => {
                self.rest = after;
                return Some((key, ""));
            }
        };
        let len = value_len(after, delims);
        let value = &after[..len];
        let rest = &after[len..];
        self.rest = match rest.chars().next() {
            Some(c) => &rest[c.len_utf8()..],
            None => rest,
        };
        Some((key, value))
    }
}

/// `strtoull(s, &end, 0)` over the whole string: None unless all of `s` is
/// one number that fits in 64 bits. As in C, a leading '-' negates (wrapping).
fn c_strtoull(s: &str) -> Option<u64> {
    let t = s.trim_start_matches([' ', '\t', '\n', '\r', '\x0b', '\x0c']);
    let (neg, t) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let (radix, digits) = if let Some(h) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        (16, h)
    } else if t.len() > 1 && t.starts_with('0') {
        (8, &t[1..])
    } else {
        (10, t)
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let v = u64::from_str_radix(digits, radix).ok()?;
    Some(if neg { v.wrapping_neg() } else { v })
}

/// `str_to_int`: a C `strtol` over the whole string, within `i32`.
fn str_to_int(s: &str) -> Option<i32> {
    let t = s.trim_start_matches([' ', '\t', '\n', '\r', '\x0b', '\x0c']);
    let (neg, body) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    if body.starts_with(['-', '+']) {
        return None;
    }
    let v = i64::try_from(c_strtoull(body)?).ok()?;
    i32::try_from(if neg { -v } else { v }).ok()
}

/// ovs-ofctl's `str_to_u64`.
pub fn str_to_u64(s: &str) -> Result<u64, String> {
    if s.is_empty() {
        return Err("missing required numeric argument".to_string());
    }
    c_strtoull(s).ok_or_else(|| format!("invalid numeric format {s}"))
}

/// ovs-ofctl's `str_to_u32`.
pub fn str_to_u32(s: &str) -> Result<u32, String> {
    if s.is_empty() {
        return Err("missing required numeric argument".to_string());
    }
    c_strtoull(s)
        .and_then(|v| u32::try_from(v).ok())
        .ok_or_else(|| format!("invalid numeric format {s}"))
}

/// ovs-ofctl's `str_to_u16`: "invalid NAME \"S\"" unless 0..=65535.
pub fn str_to_u16(s: &str, name: &str) -> Result<u16, String> {
    str_to_int(s)
        .and_then(|v| u16::try_from(v).ok())
        .ok_or_else(|| format!("invalid {name} \"{s}\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_values() {
        let kv: Vec<_> = KeyValues::new("a=1, b:2 c,d(x,(y)),packet_type=(0,0)").collect();
        assert_eq!(
            kv,
            [
                ("a", "1"),
                ("b", "2"),
                ("c", ""),
                ("d", "x,(y)"),
                ("packet_type", "(0,0)")
            ]
        );
        assert_eq!(KeyValues::new(" ,, ").next(), None);
    }

    #[test]
    fn numbers() {
        assert_eq!(str_to_u64("0x10"), Ok(16));
        assert_eq!(str_to_u64("-1"), Ok(u64::MAX));
        assert_eq!(
            str_to_u64("0x1g"),
            Err("invalid numeric format 0x1g".into())
        );
        assert_eq!(str_to_u16("0x10", "priority"), Ok(16));
        assert_eq!(
            str_to_u16("70000", "priority"),
            Err("invalid priority \"70000\"".into())
        );
        assert_eq!(
            str_to_u16("-1", "idle_timeout"),
            Err("invalid idle_timeout \"-1\"".into())
        );
        assert_eq!(str_to_u32("010"), Ok(8));
    }
}
