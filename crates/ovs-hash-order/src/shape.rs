//! The member order of JSON objects as they appeared in a text.
//!
//! `ovs_json` keeps object members sorted, which is right for printing but loses the
//! order in which they arrived, and the reference's iteration order depends on that
//! order (see [`crate::iteration_order`]). So a text is scanned once more for it. The
//! scanner assumes a text that `ovs_json` has already accepted and gives up
//! (returning [`Shape::Leaf`]) on anything unexpected.

use ovs_json::{Json, Object};

/// The structure of a JSON value with its objects' members in text order.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Shape {
    /// A scalar, or anything whose structure is unknown or was not scanned.
    #[default]
    Leaf,
    Array(Vec<Shape>),
    /// Members in arrival order. A name may stand more than once: the parser kept
    /// the last value, in the first one's place.
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

    /// The shape of member `name`, the value the parser kept (a leaf if there is
    /// none).
    pub fn member(&self, name: &str) -> &Shape {
        match self {
            Shape::Object(members) => members
                .iter()
                .rev()
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

    /// Member names in text order, each once, at its first place (empty for a
    /// non-object).
    pub fn names(&self) -> Vec<&str> {
        match self {
            Shape::Object(members) => {
                let mut seen = std::collections::HashSet::new();
                members
                    .iter()
                    .map(|(n, _)| n.as_str())
                    .filter(|n| seen.insert(*n))
                    .collect()
            }
            _ => Vec::new(),
        }
    }

    /// Member names in the order the reference iterates the parsed object.
    pub fn reference_order(&self) -> Vec<&str> {
        crate::name_order(self.names())
    }

    /// The members of `json` in the order the reference iterates them after parsing
    /// a text of this shape (none if `json` is not an object).
    pub fn members<'a>(&self, json: &'a Json) -> Vec<(&'a str, &'a Json)> {
        json.as_object()
            .map_or_else(Vec::new, |object| self.object_members(object))
    }

    /// [`Shape::members`] of an object. Members the shape does not know come last,
    /// sorted.
    pub fn object_members<'a>(&self, object: &'a Object) -> Vec<(&'a str, &'a Json)> {
        let mut out: Vec<(&'a str, &'a Json)> = Vec::with_capacity(object.len());
        for name in self.reference_order() {
            if let Some((k, v)) = object.get_key_value(name) {
                out.push((k.as_str(), v));
            }
        }
        if out.len() < object.len() {
            let known: std::collections::HashSet<&str> = out.iter().map(|(n, _)| *n).collect();
            for (k, v) in object {
                if !known.contains(k.as_str()) {
                    out.push((k.as_str(), v));
                }
            }
        }
        out
    }
}

/// How deep [`scan`] follows nesting (the parser has a limit of its own).
const MAX_DEPTH: usize = 1000;

/// Scans one JSON text for its shape.
pub fn scan(text: &[u8]) -> Shape {
    scan_to_depth(text, MAX_DEPTH)
}

/// Scans one JSON text for its shape, looking into arrays and objects nested at most
/// `depth` deep (the outermost is at depth 1); deeper ones are skipped and read as
/// leaves. A caller that needs only the first levels (`ovsdb-tool show-log` needs a
/// record's tables, rows and column names) is spared the rest.
pub fn scan_to_depth(text: &[u8], depth: usize) -> Shape {
    let mut scanner = Scanner { text, pos: 0 };
    scanner.value(depth).unwrap_or_default()
}

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

    /// One value; `depth` is how many more levels of arrays and objects to look into.
    fn value(&mut self, depth: usize) -> Option<Shape> {
        match self.peek()? {
            b'{' | b'[' if depth == 0 => {
                self.skip_container()?;
                Some(Shape::Leaf)
            }
            b'{' => {
                let mut members = Vec::new();
                self.elements(b'}', |scanner| {
                    let name = scanner.string()?;
                    if scanner.peek()? != b':' {
                        return None;
                    }
                    scanner.pos += 1;
                    members.push((name, scanner.value(depth - 1)?));
                    Some(())
                })?;
                Some(Shape::Object(members))
            }
            b'[' => {
                let mut items = Vec::new();
                self.elements(b']', |scanner| {
                    items.push(scanner.value(depth - 1)?);
                    Some(())
                })?;
                Some(Shape::Array(items))
            }
            b'"' => {
                self.skip_string()?;
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

    /// The elements of an array or the members of an object (at its opening
    /// bracket): `element` reads each one, up to the `close` bracket.
    fn elements(
        &mut self,
        close: u8,
        mut element: impl FnMut(&mut Self) -> Option<()>,
    ) -> Option<()> {
        self.pos += 1;
        if self.peek()? == close {
            self.pos += 1;
            return Some(());
        }
        loop {
            element(self)?;
            match self.peek()? {
                b',' => self.pos += 1,
                c if c == close => {
                    self.pos += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    /// Skips an array or object, however deeply nested, without recursing.
    fn skip_container(&mut self) -> Option<()> {
        let mut open = 0usize;
        loop {
            match *self.text.get(self.pos)? {
                b'"' => {
                    self.skip_string()?;
                    continue;
                }
                b'{' | b'[' => open += 1,
                b'}' | b']' => {
                    open = open.checked_sub(1)?;
                    if open == 0 {
                        self.pos += 1;
                        return Some(());
                    }
                }
                _ => {}
            }
            self.pos += 1;
        }
    }

    /// Skips a string token (at its opening quote); returns its text, quotes included.
    fn skip_string(&mut self) -> Option<&[u8]> {
        let start = self.pos;
        self.pos += 1;
        loop {
            match self.text.get(self.pos)? {
                b'\\' => self.pos += 2,
                b'"' => {
                    self.pos += 1;
                    return self.text.get(start..self.pos);
                }
                _ => self.pos += 1,
            }
        }
    }

    /// A string token, decoded as the parser decoded it.
    fn string(&mut self) -> Option<String> {
        if self.peek()? != b'"' {
            return None;
        }
        let quoted = self.skip_string()?;
        let inner = &quoted[1..quoted.len() - 1];
        if !inner.contains(&b'\\') {
            if let Ok(s) = std::str::from_utf8(inner) {
                return Some(s.to_owned());
            }
        }
        // Escapes, or bytes that are not UTF-8 (which a file's lossy parse replaced):
        // let the parser decode them, so that the name matches the parsed one.
        let wrapped = [b"[", quoted, b"]"].concat();
        match ovs_json::parse_bytes_lossy(&wrapped).ok()? {
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
    fn depth_limits_what_is_looked_into() {
        let text = br#"{"b":{"y":{"q":1,"p":[1,{"z":2}]},"x":null},"a":[{"k":1}],"_date":5}"#;
        let tree = scan_to_depth(text, 3);
        assert_eq!(tree.names(), ["b", "a", "_date"]);
        assert_eq!(tree.member("b").names(), ["y", "x"]);
        assert_eq!(tree.member("b").member("y").names(), ["q", "p"]);
        assert_eq!(tree.member("a").element(0).names(), ["k"]);
        // Depth 4 is skipped, and the scan goes on after it.
        assert_eq!(tree.member("b").member("y").member("p"), &Shape::Leaf);
        assert_eq!(scan_to_depth(text, 1).names(), ["b", "a", "_date"]);
        assert_eq!(scan_to_depth(text, 1).member("b"), &Shape::Leaf);
        assert_eq!(scan_to_depth(text, 0), Shape::Leaf);
    }

    #[test]
    fn decodes_escapes_and_keeps_first_position_of_repeats() {
        let text = br#" { "a\"b" : 1 , "\u00e9" : "}" , "a\"b" : {"n":1} } "#;
        let tree = scan(text);
        assert_eq!(tree.names(), ["a\"b", "\u{e9}"]);
        // The value the parser kept is the last one.
        assert_eq!(tree.member("a\"b").names(), ["n"]);
        let json = ovs_json::parse_bytes(text).unwrap();
        let names: Vec<&str> = tree.members(&json).into_iter().map(|(n, _)| n).collect();
        assert_eq!(names, ["\u{e9}", "a\"b"]);
        assert_eq!(names, tree.reference_order());
    }

    #[test]
    fn names_that_are_not_utf8_match_a_lossy_parse() {
        let text = b"{\"a\xffb\":1,\"c\":2}";
        assert_eq!(scan(text).names(), ["a\u{fffd}b", "c"]);
        let json = ovs_json::parse_bytes_lossy(text).unwrap();
        let names: Vec<&str> = scan(text)
            .members(&json)
            .into_iter()
            .map(|(n, _)| n)
            .collect();
        assert_eq!(names, crate::name_order(["a\u{fffd}b", "c"]));
    }

    #[test]
    fn refuses_what_is_not_json() {
        assert_eq!(scan(b"{\"a\" 1}"), Shape::Leaf);
        assert_eq!(scan(b"{\"a\":1"), Shape::Leaf);
        assert_eq!(scan(b"{\"a\":[1}"), Shape::Leaf);
        assert_eq!(scan_to_depth(b"{\"a\":[1}", 1), Shape::Leaf);
        assert_eq!(scan(b""), Shape::Leaf);
    }

    #[test]
    fn members_unknown_to_the_shape_come_last_sorted() {
        let json = ovs_json::parse(r#"{"c":1,"b":2,"a":3}"#).unwrap();
        let names: Vec<&str> = Shape::flat_object(["c"])
            .members(&json)
            .into_iter()
            .map(|(n, _)| n)
            .collect();
        assert_eq!(names, ["c", "a", "b"]);
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
