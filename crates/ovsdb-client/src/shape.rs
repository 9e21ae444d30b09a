//! The member order of JSON objects as they appeared in a received text.
//!
//! `ovs_json` keeps object members sorted, which is right for printing but loses
//! the order in which a peer sent them. The reference's output sometimes depends
//! on that order (see [`crate::order`]), so received messages are scanned once more
//! for it. The scanner assumes a text that `ovs_json` has already accepted and
//! gives up (returning [`Shape::Leaf`]) on anything unexpected.

use ovs_json::Json;

/// The structure of a JSON value with its objects' members in text order.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Shape {
    /// A scalar, or anything whose structure is unknown.
    #[default]
    Leaf,
    Array(Vec<Shape>),
    Object(Vec<(String, Shape)>),
}

static LEAF: Shape = Shape::Leaf;

impl Shape {
    /// An object whose members were added in this order.
    pub fn object<'a>(members: impl IntoIterator<Item = (&'a str, Shape)>) -> Shape {
        Shape::Object(
            members
                .into_iter()
                .map(|(n, s)| (n.to_string(), s))
                .collect(),
        )
    }

    /// An object whose members (all scalars or plain arrays) were added in this order.
    pub fn flat_object<'a>(names: impl IntoIterator<Item = &'a str>) -> Shape {
        Shape::object(names.into_iter().map(|n| (n, Shape::Leaf)))
    }

    /// The shape of member `name` (a leaf if there is none).
    pub fn member(&self, name: &str) -> &Shape {
        match self {
            Shape::Object(members) => members
                .iter()
                .find(|(n, _)| n == name)
                .map_or(&LEAF, |(_, s)| s),
            _ => &LEAF,
        }
    }

    /// The shape of array element `i` (a leaf if there is none).
    pub fn element(&self, i: usize) -> &Shape {
        match self {
            Shape::Array(items) => items.get(i).unwrap_or(&LEAF),
            _ => &LEAF,
        }
    }

    /// Member names in text order (empty for a non-object).
    pub fn names(&self) -> Vec<&str> {
        match self {
            Shape::Object(members) => members.iter().map(|(n, _)| n.as_str()).collect(),
            _ => Vec::new(),
        }
    }

    /// Member names in the order the reference iterates the parsed object.
    pub fn reference_order(&self) -> Vec<&str> {
        crate::order::name_order(self.names())
    }

    /// The members of `json` in the order the reference iterates them after parsing
    /// a text of this shape. Members the shape does not know come last, sorted.
    pub fn members<'a>(&self, json: &'a Json) -> Vec<(&'a str, &'a Json)> {
        let Some(object) = json.as_object() else {
            return Vec::new();
        };
        let mut out: Vec<(&'a str, &'a Json)> = Vec::with_capacity(object.len());
        for name in self.reference_order() {
            if let Some((k, v)) = object.get_key_value(name) {
                out.push((k.as_str(), v));
            }
        }
        if out.len() < object.len() {
            for (k, v) in object {
                if !out.iter().any(|(n, _)| *n == k.as_str()) {
                    out.push((k.as_str(), v));
                }
            }
        }
        out
    }
}

/// Scans one JSON text for its shape.
pub fn scan(text: &[u8]) -> Shape {
    let mut scanner = Scanner { text, pos: 0 };
    scanner.value(0).unwrap_or_default()
}

/// How deep the scanner follows nesting (the parser has a limit of its own).
const MAX_DEPTH: usize = 1000;

struct Scanner<'a> {
    text: &'a [u8],
    pos: usize,
}

impl Scanner<'_> {
    fn skip_ws(&mut self) {
        while self
            .text
            .get(self.pos)
            .is_some_and(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
        {
            self.pos += 1;
        }
    }

    fn peek(&mut self) -> Option<u8> {
        self.skip_ws();
        self.text.get(self.pos).copied()
    }

    fn value(&mut self, depth: usize) -> Option<Shape> {
        if depth > MAX_DEPTH {
            return None;
        }
        match self.peek()? {
            b'{' => {
                self.pos += 1;
                let mut members = Vec::new();
                if self.peek()? == b'}' {
                    self.pos += 1;
                    return Some(Shape::Object(members));
                }
                loop {
                    let name = self.string()?;
                    if self.peek()? != b':' {
                        return None;
                    }
                    self.pos += 1;
                    let value = self.value(depth + 1)?;
                    members.push((name, value));
                    match self.peek()? {
                        b',' => self.pos += 1,
                        b'}' => {
                            self.pos += 1;
                            return Some(Shape::Object(members));
                        }
                        _ => return None,
                    }
                }
            }
            b'[' => {
                self.pos += 1;
                let mut items = Vec::new();
                if self.peek()? == b']' {
                    self.pos += 1;
                    return Some(Shape::Array(items));
                }
                loop {
                    items.push(self.value(depth + 1)?);
                    match self.peek()? {
                        b',' => self.pos += 1,
                        b']' => {
                            self.pos += 1;
                            return Some(Shape::Array(items));
                        }
                        _ => return None,
                    }
                }
            }
            b'"' => {
                self.string()?;
                Some(Shape::Leaf)
            }
            _ => {
                // A number or keyword: runs until a delimiter.
                while self.text.get(self.pos).is_some_and(|b| {
                    !matches!(b, b',' | b']' | b'}' | b' ' | b'\t' | b'\n' | b'\r')
                }) {
                    self.pos += 1;
                }
                Some(Shape::Leaf)
            }
        }
    }

    /// A string token, decoded.
    fn string(&mut self) -> Option<String> {
        if self.peek()? != b'"' {
            return None;
        }
        self.pos += 1;
        let start = self.pos;
        // Fast path: no escapes.
        while let Some(&b) = self.text.get(self.pos) {
            match b {
                b'"' => {
                    let s = std::str::from_utf8(&self.text[start..self.pos]).ok()?;
                    self.pos += 1;
                    return Some(s.to_owned());
                }
                b'\\' => break,
                _ => self.pos += 1,
            }
        }
        // Slow path: let the real parser decode the escapes.
        let mut end = self.pos;
        loop {
            match self.text.get(end)? {
                b'\\' => end += 2,
                b'"' => break,
                _ => end += 1,
            }
        }
        let quoted = &self.text[start - 1..=end];
        self.pos = end + 1;
        let wrapped = [b"[", quoted, b"]"].concat();
        match ovs_json::parse_bytes(&wrapped).ok()? {
            Json::Array(mut a) => match a.pop()? {
                Json::String(s) => Some(s),
                _ => None,
            },
            _ => None,
        }
    }
}

/// Compact JSON with objects' members in the order the reference would print a
/// value it parsed from a text of shape `shape` (it prints such values unsorted).
pub fn to_reference_string(json: &Json, shape: &Shape) -> String {
    let mut out = String::new();
    write_reference(json, shape, &mut out);
    out
}

fn write_reference(json: &Json, shape: &Shape, out: &mut String) {
    match json {
        Json::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_reference(item, shape.element(i), out);
            }
            out.push(']');
        }
        Json::Object(_) => {
            out.push('{');
            for (i, (name, value)) in shape.members(json).into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                ovs_json::print::write_string(name, out);
                out.push(':');
                write_reference(value, shape.member(name), out);
            }
            out.push('}');
        }
        other => out.push_str(&other.to_compact()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_text_order_at_every_level() {
        let s = scan(br#" {"b": [1, {"z":null,"a":"x"}], "a\u0041": {}, "c":"\"}"} "#);
        assert_eq!(s.names(), ["b", "aA", "c"]);
        assert_eq!(s.member("b").element(1).names(), ["z", "a"]);
        assert_eq!(s.member("aA"), &Shape::Object(vec![]));
        assert_eq!(s.member("nope"), &Shape::Leaf);
    }

    #[test]
    fn reference_string_follows_hash_order() {
        let text = br#"{"syntax":"[\"s\",\"s\"]","details":"array of distinct column names expected","error":"syntax error"}"#;
        let json = ovs_json::parse_bytes(text).unwrap();
        // What the real ovsdb-client printed for this server reply.
        assert_eq!(
            to_reference_string(&json, &scan(text)),
            std::str::from_utf8(text).unwrap()
        );
    }
}
