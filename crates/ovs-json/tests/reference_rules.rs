//! Behaviour pinned to what the reference (OVS 3.1's JSON library) does, observed by
//! feeding the same inputs to the real `ovsdb-tool query` and `ovs.json`.

use ovs_json::{parse, parse_value, Framer, Json};
use proptest::prelude::*;

fn one(text: &str) -> Json {
    match parse(text) {
        Ok(Json::Array(mut a)) if a.len() == 1 => a.remove(0),
        other => panic!("{text}: {other:?}"),
    }
}

fn err(text: &str) -> String {
    match parse(text) {
        Err(e) => e.to_string(),
        Ok(v) => panic!("{text} parsed as {v:?}"),
    }
}

#[test]
fn integers_are_exact_values_in_i64_range() {
    assert_eq!(one("[1.0]"), Json::Integer(1));
    assert_eq!(one("[1e3]"), Json::Integer(1000));
    assert_eq!(one("[1.5e1]"), Json::Integer(15));
    assert_eq!(one("[0.5e1]"), Json::Integer(5));
    assert_eq!(one("[-1.0e0]"), Json::Integer(-1));
    assert_eq!(one("[-0.0]"), Json::Integer(0));
    assert_eq!(
        one("[100000000000000000000000e-5]"),
        Json::Integer(1_000_000_000_000_000_000)
    );
    assert_eq!(one("[9223372036854775807]"), Json::Integer(i64::MAX));
    assert_eq!(one("[-9223372036854775808]"), Json::Integer(i64::MIN));
}

#[test]
fn other_numbers_are_reals() {
    assert_eq!(one("[1.25e1]"), Json::Real(12.5));
    assert_eq!(
        one("[9223372036854775808]"),
        Json::Real(9223372036854775808.0)
    );
    assert_eq!(
        one("[-9223372036854775809]"),
        Json::Real(-9223372036854775809.0)
    );
    assert_eq!(one("[1e-400]"), Json::Real(0.0));
    assert_eq!(one("[2.5E-3]"), Json::Real(0.0025));
}

#[test]
fn reals_print_like_percent_15g() {
    let cases = [
        (0.30000000000000004, "0.3"),
        (9223372036854775808.0, "9.22337203685478e+18"),
        (1e22, "1e+22"),
        (1e-7, "1e-07"),
        (123456.789, "123456.789"),
        (1.5, "1.5"),
        (0.0001, "0.0001"),
        (100000000000000.0, "100000000000000"),
        (1e15, "1e+15"),
        (-2.5e-5, "-2.5e-05"),
        (1.7976931348623e308, "1.7976931348623e+308"),
    ];
    for (value, text) in cases {
        assert_eq!(Json::Real(value).to_compact(), text, "{value}");
    }
}

#[test]
fn reals_near_the_largest_finite_value_read_back() {
    for r in [f64::MAX, -f64::MAX, 1.7976931348623155e308] {
        let text = Json::Real(r).to_compact();
        assert_eq!(
            ovs_json::parse_value(&text).unwrap(),
            Json::Real(r),
            "{text}"
        );
    }
}

#[test]
fn error_texts_and_positions_match_the_reference() {
    let cases = [
        (
            "[1e400]",
            "line 0, column 6, byte 6: number outside valid range",
        ),
        (
            "[01]",
            "line 0, column 3, byte 3: leading zeros not allowed",
        ),
        (
            "[-01]",
            "line 0, column 4, byte 4: leading zeros not allowed",
        ),
        (
            "[-]",
            "line 0, column 2, byte 2: '-' must be followed by digit",
        ),
        (
            "[1.]",
            "line 0, column 3, byte 3: decimal point must be followed by digit",
        ),
        (
            "[1e]",
            "line 0, column 3, byte 3: exponent must contain at least one digit",
        ),
        ("[tru]", "line 0, column 4, byte 4: invalid keyword 'tru'"),
        (
            "[1,]",
            "line 0, column 3, byte 3: syntax error expecting value",
        ),
        (
            "{\"a\":1,}",
            "line 0, column 7, byte 7: syntax error parsing object expecting string",
        ),
        (
            "{1:2}",
            "line 0, column 2, byte 2: syntax error parsing object expecting string",
        ),
        (
            "[\"\\u0000\"]",
            "line 0, column 8, byte 8: null bytes not supported in quoted strings",
        ),
        (
            "[\"a\u{1}\"]",
            "line 0, column 3, byte 3: U+0001 must be escaped in quoted string",
        ),
        ("[", "line 0, column 1, byte 1: unexpected end of input"),
        ("", "line 0, column 0, byte 0: empty input stream"),
        (" ", "line 0, column 1, byte 1: empty input stream"),
        ("[1] x", "line 0, column 5, byte 5: invalid keyword 'x'"),
        (
            "\"abc\"",
            "line 0, column 4, byte 4: syntax error at beginning of input",
        ),
        (
            "1",
            "line 0, column 1, byte 1: syntax error at beginning of input",
        ),
        ("[\"\\x\"]", "line 0, column 4, byte 4: bad escape \\x"),
        (
            "[\"\\ud800\"]",
            "line 0, column 8, byte 8: malformed escaped surrogate pair",
        ),
        (
            "[\"\\u12\"]",
            "line 0, column 6, byte 6: quoted string ends within \\u escape",
        ),
        (
            "[\"\\uzzzz\"]",
            "line 0, column 8, byte 8: malformed \\u escape",
        ),
        (
            "[1 2]",
            "line 0, column 4, byte 4: syntax error expecting ']' or ','",
        ),
        (
            "{\"a\" 1}",
            "line 0, column 6, byte 6: syntax error parsing object expecting ':'",
        ),
        (
            "{\"a\":1 \"b\":2}",
            "line 0, column 9, byte 9: syntax error expecting '}' or ','",
        ),
        (
            "[1}",
            "line 0, column 2, byte 2: syntax error expecting ']' or ','",
        ),
        (
            "{\"a\":1]",
            "line 0, column 6, byte 6: syntax error expecting '}' or ','",
        ),
        ("@", "line 0, column 0, byte 0: invalid character '@'"),
        (
            "[\u{ff}]",
            "line 0, column 1, byte 1: invalid character U+00c3",
        ),
        (
            "[1]\n[2]",
            "line 1, column 0, byte 4: trailing garbage at end of input",
        ),
        (
            "[\n1,\n@]",
            "line 2, column 0, byte 5: invalid character '@'",
        ),
        (
            "[1.5e999]",
            "line 0, column 8, byte 8: number outside valid range",
        ),
        ("[T]", "line 0, column 1, byte 1: invalid character 'T'"),
        ("[True]", "line 0, column 1, byte 1: invalid character 'T'"),
        ("[tRue]", "line 0, column 5, byte 5: invalid keyword 'tRue'"),
        ("[nul1]", "line 0, column 4, byte 4: invalid keyword 'nul'"),
        ("[x1]", "line 0, column 2, byte 2: invalid keyword 'x'"),
    ];
    for (text, expected) in cases {
        assert_eq!(err(text), expected, "input {text:?}");
    }
}

#[test]
fn nesting_limit_is_1000() {
    let ok = format!("{}{}", "[".repeat(1000), "]".repeat(1000));
    assert!(parse(&ok).is_ok());
    let deep = format!("{}{}", "[".repeat(1001), "]".repeat(1001));
    assert_eq!(
        err(&deep),
        "line 0, column 1000, byte 1000: input exceeds maximum nesting depth 1000"
    );
    // Far deeper input must not exhaust the stack.
    let hostile = "[".repeat(1_000_000);
    assert!(parse(&hostile).is_err());
}

#[test]
fn strings_escape_like_the_reference() {
    let v = one("[\"a\\\"\\\\/\\n\\u0001é\u{7f}\\ud83d\\ude00\"]");
    assert_eq!(v, Json::string("a\"\\/\n\u{1}é\u{7f}😀"));
    assert_eq!(v.to_compact(), "\"a\\\"\\\\/\\n\\u0001é\u{7f}😀\"");
}

#[test]
fn pretty_layout_matches_the_reference() {
    let v = parse(r#"[{"rows":[{"i":["set",[1,2]],"r":1.5}]},{}]"#).unwrap();
    let expected = "[\n  {\n    \"rows\": [\n      {\n        \"i\": [\n          \"set\",\n          [\n            1,\n            2]],\n        \"r\": 1.5}]},\n  {\n    }]";
    assert_eq!(v.to_pretty(), expected);
    assert_eq!(parse("[]").unwrap().to_pretty(), "[]");
}

#[test]
fn invalid_utf8_in_strings_is_refused_or_replaced_for_files() {
    let text = b"[\"a\xffb\", \"\\n\xc3\"]";
    let e = ovs_json::parse_bytes(text).unwrap_err();
    assert_eq!(
        e.to_string(),
        "line 0, column 5, byte 5: invalid UTF-8 in quoted string"
    );
    let v = ovs_json::parse_bytes_lossy(text).unwrap();
    assert_eq!(
        v,
        Json::array([Json::string("a\u{fffd}b"), Json::string("\n\u{fffd}")])
    );
}

#[test]
fn duplicate_members_keep_the_last() {
    assert_eq!(
        parse(r#"{"a":1,"a":2}"#).unwrap(),
        Json::object([("a", Json::Integer(2))])
    );
}

#[test]
fn parse_value_allows_scalars() {
    assert_eq!(parse_value(" 42 ").unwrap(), Json::Integer(42));
    assert_eq!(parse_value("\"x\"").unwrap(), Json::string("x"));
}

#[test]
fn framer_splits_concatenated_messages_across_chunks() {
    let stream = br#"{"id":1,"method":"echo","params":["}\"]"]}[1,2] {"a":{}}"#;
    for chunk in 1..stream.len() {
        let mut f = Framer::new(1 << 20);
        let mut got = Vec::new();
        for piece in stream.chunks(chunk) {
            f.push(piece);
            while let Some(m) = f.next_message() {
                got.push(m.unwrap());
            }
        }
        assert_eq!(got.len(), 3, "chunk size {chunk}");
        assert_eq!(
            got[0].get("params").unwrap(),
            &Json::array([Json::string("}\"]")])
        );
        assert!(!f.has_partial());
    }
}

#[test]
fn raw_frames_split_at_value_boundaries() {
    let mut f = Framer::new(1 << 20);
    f.push(br#" {"a":"}\"{","b":[1,{}]}{"c":1}"#);
    assert_eq!(
        f.next_frame().unwrap().unwrap(),
        br#" {"a":"}\"{","b":[1,{}]}"#.to_vec()
    );
    assert_eq!(f.next_frame().unwrap().unwrap(), br#"{"c":1}"#.to_vec());
    assert!(f.next_frame().is_none());
    let mut f = Framer::new(1 << 20);
    f.push(b"x");
    assert!(f.next_frame().unwrap().is_err());
}

#[test]
fn framer_reports_garbage_and_oversize() {
    let mut f = Framer::new(1 << 20);
    f.push(b"  hello");
    let e = f.next_message().unwrap().unwrap_err();
    assert_eq!(
        e.to_string(),
        "line 0, column 7, byte 7: invalid keyword 'hello'"
    );

    let mut f = Framer::new(100);
    f.push(format!("[\"{}", "x".repeat(200)).as_bytes());
    assert!(matches!(
        f.next_message(),
        Some(Err(ovs_json::FrameError::TooLong { limit: 100 }))
    ));

    let mut f = Framer::new(1 << 20);
    f.push("[".repeat(1001).as_bytes());
    let e = f.next_message().unwrap().unwrap_err();
    assert!(e.to_string().contains("maximum nesting depth 1000"), "{e}");
}

fn arb_json() -> impl Strategy<Value = Json> {
    let leaf = prop_oneof![
        Just(Json::Null),
        any::<bool>().prop_map(Json::Bool),
        any::<i64>().prop_map(Json::Integer),
        "\\PC{0,12}".prop_map(Json::String),
        (-1e300f64..1e300).prop_map(Json::Real),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Json::Array),
            prop::collection::btree_map("[a-z_]{0,6}", inner, 0..6).prop_map(Json::Object),
        ]
    })
}

/// Reals print with 15 significant digits, so a round trip is exact only up to that.
fn same_up_to_print(a: &Json, b: &Json) -> bool {
    match (a, b) {
        (Json::Real(x), _) => parse_value(&ovs_json::format_real(*x)).ok().as_ref() == Some(b),
        (Json::Array(x), Json::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same_up_to_print(a, b))
        }
        (Json::Object(x), Json::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|((ka, a), (kb, b))| ka == kb && same_up_to_print(a, b))
        }
        _ => a == b,
    }
}

proptest! {
    #[test]
    fn print_then_parse_round_trips(v in arb_json()) {
        let doc = Json::array([v]);
        let compact = parse(&doc.to_compact()).unwrap();
        prop_assert!(same_up_to_print(&doc, &compact), "{:?} vs {:?}", doc, compact);
        let pretty = parse(&doc.to_pretty()).unwrap();
        prop_assert_eq!(pretty, compact);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        let _ = ovs_json::parse_bytes(&bytes);
        let mut f = Framer::new(128);
        f.push(&bytes);
        while let Some(Ok(_)) = f.next_message() {}
    }
}
