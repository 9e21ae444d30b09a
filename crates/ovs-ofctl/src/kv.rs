//! The key-value tokenizer of ovs-ofctl's text syntax, as the
//! `parse-key-value` test command exposes it: pairs separated by commas or
//! blanks, written `key=value`, `key:value` or `key(value)`, where a value
//! may hold parenthesised groups (and `(x)->y`, the move action's form).

/// Splits `s` into (key, value) pairs; a key without a value has "".
pub fn pairs(s: &str) -> Vec<(&str, &str)> {
    const SPACE: &[u8] = b", \t\r\n";
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    loop {
        while i < b.len() && SPACE.contains(&b[i]) {
            i += 1;
        }
        if i >= b.len() {
            return out;
        }
        let key_start = i;
        while i < b.len() && !b":=(, \t\r\n".contains(&b[i]) {
            i += 1;
        }
        let key = &s[key_start..i];
        let delim = b.get(i).copied();
        if delim.is_some() {
            i += 1;
        }
        let value_delims: &[u8] = match delim {
            Some(b':' | b'=') => SPACE,
            Some(b'(') => b")",
            _ => {
                out.push((key, ""));
                continue;
            }
        };
        let value_start = i;
        let mut end = value_start + value_len(&b[value_start..], value_delims);
        if b[end..].starts_with(b")->") {
            end += 3;
            end += value_len(&b[end..], SPACE);
        }
        out.push((key, &s[value_start..end]));
        i = end;
        if i < b.len() {
            // Skip the delimiter that ended the value.
            i += 1;
        }
    }
}

/// How far a value runs before one of `delims` (or the end), treating
/// parenthesised groups as opaque.
fn value_len(b: &[u8], delims: &[u8]) -> usize {
    let mut n = 0;
    while n < b.len() && !delims.contains(&b[n]) {
        if b[n] == b'(' {
            let mut level = 0;
            loop {
                match b.get(n) {
                    None => return n,
                    Some(b'(') => level += 1,
                    Some(b')') => level -= 1,
                    _ => {}
                }
                n += 1;
                if level <= 0 {
                    break;
                }
            }
        } else {
            n += 1;
        }
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms() {
        assert_eq!(pairs("a=b,c(d),e:f"), [("a", "b"), ("c", "d"), ("e", "f")]);
        assert_eq!(
            pairs("x, y=(1,2) z"),
            [("x", ""), ("y", "(1,2)"), ("z", "")]
        );
        assert_eq!(pairs("move:(a)->b,c"), [("move", "(a)->b"), ("c", "")]);
        assert_eq!(pairs("a=(unclosed"), [("a", "(unclosed")]);
        assert_eq!(pairs(""), []);
    }
}
