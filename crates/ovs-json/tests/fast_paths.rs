//! The fast paths against plain definitions: message serialization without building
//! the message object, string escaping in runs, integer printing, and the framer's
//! skipping through strings eight bytes at a time.

use ovs_json::rpc::Message;
use ovs_json::{parse, Framer, Json};
use proptest::prelude::*;

/// String escaping one character at a time, as the reference defines it.
fn escape_slowly(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn arb_text() -> impl Strategy<Value = String> {
    // Plenty of quotes, backslashes and control characters among ordinary text.
    prop::collection::vec(
        prop_oneof![
            Just('"'),
            Just('\\'),
            // NUL is left out: the parser refuses it (as the reference does).
            (1u8..0x20).prop_map(char::from),
            Just('é'),
            Just('😀'),
            "[a-z ]".prop_map(|s| s.chars().next().unwrap_or('a')),
        ],
        0..40,
    )
    .prop_map(|cs| cs.into_iter().collect())
}

fn arb_json() -> impl Strategy<Value = Json> {
    let leaf = prop_oneof![
        Just(Json::Null),
        any::<bool>().prop_map(Json::Bool),
        any::<i64>().prop_map(Json::Integer),
        arb_text().prop_map(Json::String),
        (-1e300f64..1e300).prop_map(Json::Real),
    ];
    leaf.prop_recursive(3, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Json::Array),
            prop::collection::btree_map(arb_text(), inner, 0..4).prop_map(Json::Object),
        ]
    })
}

fn arb_message() -> impl Strategy<Value = Message> {
    let params = || prop::collection::vec(arb_json(), 0..4);
    prop_oneof![
        (arb_text(), params(), arb_json()).prop_map(|(m, p, id)| Message::request(m, p, id)),
        (arb_text(), params()).prop_map(|(m, p)| Message::notify(m, p)),
        (arb_json(), arb_json()).prop_map(|(result, id)| Message::Reply { result, id }),
        (arb_json(), arb_json()).prop_map(|(error, id)| Message::Error { error, id }),
    ]
}

#[test]
fn integers_print_at_the_extremes() {
    for i in [0, 1, -1, 9, 10, -10, 1234567890, i64::MAX, i64::MIN] {
        assert_eq!(Json::Integer(i).to_compact(), i.to_string());
        let mut out = String::from("x");
        ovs_json::print::write_integer(i, &mut out);
        assert_eq!(out, format!("x{i}"));
    }
}

proptest! {
    #[test]
    fn strings_escape_as_defined(s in arb_text()) {
        prop_assert_eq!(Json::String(s.clone()).to_compact(), escape_slowly(&s));
    }

    #[test]
    fn messages_serialize_as_their_json_form(m in arb_message()) {
        let text = m.to_compact();
        prop_assert_eq!(&text, &m.to_json().to_compact());
        prop_assert_eq!(m.clone().into_json(), m.to_json());
        let mut appended = String::from("[1]");
        m.write_compact(&mut appended);
        prop_assert_eq!(&appended[3..], text.as_str());
    }

    #[test]
    fn framer_finds_every_message_in_any_chunking(
        docs in prop::collection::vec(arb_json(), 1..4),
        chunk in 1usize..40,
    ) {
        let docs: Vec<Json> = docs.into_iter().map(|d| Json::array([d])).collect();
        let stream: String = docs.iter().map(Json::to_compact).collect::<Vec<_>>().join(" ");
        let mut f = Framer::new(1 << 20);
        let mut got = Vec::new();
        for piece in stream.as_bytes().chunks(chunk) {
            f.push(piece);
            while let Some(m) = f.next_message() {
                got.push(m.unwrap());
            }
        }
        prop_assert!(!f.has_partial());
        let expected: Vec<Json> = docs.iter().map(|d| parse(&d.to_compact()).unwrap()).collect();
        prop_assert_eq!(got, expected);
    }
}
