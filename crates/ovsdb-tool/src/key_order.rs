//! The order of object members in a JSON text, which parsed [`Json`] values (sorted
//! maps) do not keep.
//!
//! `show-log` needs it because the reference's iteration order depends on the order
//! members were inserted while parsing (see [`crate::hash_order`]). The text has
//! already been parsed successfully into a [`Json`], so this scanner trusts its
//! structure and only tracks strings, nesting and member names.

use ovs_json::Json;

/// The member names of an object in text order (each name once, at its first
/// position: a repeated member replaces the earlier one in place), with the same for
/// members that are objects themselves, down to a fixed depth.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct KeyTree {
    pub members: Vec<(String, KeyTree)>,
}

impl KeyTree {
    /// The subtree of member `name` (empty if there is none).
    pub fn child(&self, name: &str) -> &KeyTree {
        static EMPTY: KeyTree = KeyTree {
            members: Vec::new(),
        };
        self.members
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, t)| t)
            .unwrap_or(&EMPTY)
    }

    pub fn names(&self) -> Vec<&str> {
        self.members.iter().map(|(n, _)| n.as_str()).collect()
    }
}

/// Scans `text`, one JSON value, recording object member order down to `depth`
/// levels of objects. Returns `None` if the text does not look like JSON after all.
pub fn scan(text: &[u8], depth: usize) -> Option<KeyTree> {
    let mut scanner = Scanner { text, pos: 0 };
    scanner.skip_space();
    scanner.value(depth)
}

struct Scanner<'a> {
    text: &'a [u8],
    pos: usize,
}

impl Scanner<'_> {
    fn peek(&self) -> Option<u8> {
        self.text.get(self.pos).copied()
    }

    fn skip_space(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    /// Skips or records one value; returns the member tree of an object (empty for
    /// anything else).
    fn value(&mut self, depth: usize) -> Option<KeyTree> {
        match self.peek()? {
            b'{' => self.object(depth),
            b'[' => {
                self.pos += 1;
                self.skip_space();
                if self.peek()? == b']' {
                    self.pos += 1;
                    return Some(KeyTree::default());
                }
                loop {
                    self.skip_space();
                    self.value(0)?;
                    self.skip_space();
                    match self.peek()? {
                        b',' => self.pos += 1,
                        b']' => {
                            self.pos += 1;
                            return Some(KeyTree::default());
                        }
                        _ => return None,
                    }
                }
            }
            b'"' => {
                self.string()?;
                Some(KeyTree::default())
            }
            _ => {
                // A number or keyword: runs until a delimiter.
                while let Some(c) = self.peek() {
                    if matches!(c, b',' | b']' | b'}' | b' ' | b'\t' | b'\n' | b'\r') {
                        break;
                    }
                    self.pos += 1;
                }
                Some(KeyTree::default())
            }
        }
    }

    fn object(&mut self, depth: usize) -> Option<KeyTree> {
        self.pos += 1;
        let mut tree = KeyTree::default();
        self.skip_space();
        if self.peek()? == b'}' {
            self.pos += 1;
            return Some(tree);
        }
        loop {
            self.skip_space();
            let raw = self.string()?;
            let name = decode_string(raw)?;
            self.skip_space();
            if self.peek()? != b':' {
                return None;
            }
            self.pos += 1;
            self.skip_space();
            let child = if depth > 1 {
                self.value(depth - 1)?
            } else {
                self.value(0)?;
                KeyTree::default()
            };
            match tree.members.iter_mut().find(|(n, _)| *n == name) {
                Some(slot) => slot.1 = child,
                None => tree.members.push((name, child)),
            }
            self.skip_space();
            match self.peek()? {
                b',' => self.pos += 1,
                b'}' => {
                    self.pos += 1;
                    return Some(tree);
                }
                _ => return None,
            }
        }
    }

    /// Skips a string token, returning its raw text with the quotes.
    fn string(&mut self) -> Option<&[u8]> {
        let start = self.pos;
        if self.peek()? != b'"' {
            return None;
        }
        self.pos += 1;
        loop {
            match self.peek()? {
                b'\\' => self.pos += 2,
                b'"' => {
                    self.pos += 1;
                    return self.text.get(start..self.pos);
                }
                _ => self.pos += 1,
            }
        }
    }
}

/// Decodes a string token exactly as the JSON parser did for the parsed value.
fn decode_string(raw: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(raw).ok()?;
    match ovs_json::parse_value(text).ok()? {
        Json::String(s) => Some(s),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_text_order_at_each_level() {
        let text = br#"{"b":{"y":{"q":1,"p":[1,{"z":2}]},"x":null},"a":[{"k":1}],"_date":5}"#;
        let tree = scan(text, 3).unwrap();
        assert_eq!(tree.names(), ["b", "a", "_date"]);
        assert_eq!(tree.child("b").names(), ["y", "x"]);
        assert_eq!(tree.child("b").child("y").names(), ["q", "p"]);
        // Arrays are not looked into, and depth is limited.
        assert!(tree.child("a").members.is_empty());
        assert!(tree.child("b").child("y").child("q").members.is_empty());
    }

    #[test]
    fn decodes_escapes_and_keeps_first_position_of_repeats() {
        let text = br#" { "a\"b" : 1 , "\u00e9" : "}" , "a\"b" : {"n":1} } "#;
        let tree = scan(text, 2).unwrap();
        assert_eq!(tree.names(), ["a\"b", "\u{e9}"]);
        assert_eq!(tree.child("a\"b").names(), ["n"]);
    }

    #[test]
    fn refuses_what_is_not_json() {
        assert_eq!(scan(b"{\"a\" 1}", 2), None);
        assert_eq!(scan(b"{\"a\":1", 2), None);
        assert_eq!(scan(b"", 2), None);
    }
}
