//! Types, atoms and datums: JSON forms, string forms, constraints and diffs, with the
//! reference's texts (captured from the real ovsdb-tool).

use ovs_json::{parse, Json};
use ovsdb::{Atom, DatabaseSchema, Datum, Type};

fn ty(text: &str) -> Type {
    Type::from_json(&ovs_json::parse_value(text).unwrap()).unwrap()
}

fn datum(text: &str, t: &Type) -> ovsdb::Result<Datum> {
    Datum::from_json(&ovs_json::parse_value(text).unwrap(), t, &mut |_| None)
}

#[test]
fn set_and_map_json_forms() {
    let set = ty(r#"{"key":"integer","min":0,"max":"unlimited"}"#);
    let d = datum(r#"["set",[3,1,2]]"#, &set).unwrap();
    assert_eq!(d.to_json(&set).to_compact(), r#"["set",[1,2,3]]"#);
    assert_eq!(datum("7", &set).unwrap().to_json(&set), Json::Integer(7));
    assert_eq!(
        datum(r#"["set",[]]"#, &set)
            .unwrap()
            .to_json(&set)
            .to_compact(),
        r#"["set",[]]"#
    );
    let map = ty(r#"{"key":"string","value":"integer","min":0,"max":"unlimited"}"#);
    let m = datum(r#"["map",[["b",2],["a",1]]]"#, &map).unwrap();
    assert_eq!(m.to_json(&map).to_compact(), r#"["map",[["a",1],["b",2]]]"#);
    assert_eq!(m.to_string_form(&map), "{a=1, b=2}");
    assert_eq!(m.to_bare(), "a=1 b=2");
}

#[test]
fn json_errors_match_the_reference() {
    let set2 = ty(r#"{"key":"integer","min":0,"max":2}"#);
    let map = ty(r#"{"key":"string","value":"integer","min":0,"max":"unlimited"}"#);
    let e = datum(r#"["set",[1,1]]"#, &set2).unwrap_err();
    assert_eq!(
        (e.tag, e.details.as_str()),
        ("ovsdb error", "set contains duplicate")
    );
    let e = datum(r#"["set",[1,2,3]]"#, &set2).unwrap_err();
    assert_eq!(e.tag, "syntax error");
    assert_eq!(e.details, "set must have 0 to 2 members but 3 are present");
    assert_eq!(
        e.to_json().get("syntax").unwrap(),
        &Json::string("[\"set\",[1,2,3]]")
    );
    let e = datum(r#"["map",[["a",1],["a",2]]]"#, &map).unwrap_err();
    assert_eq!(
        (e.tag, e.details.as_str()),
        ("ovsdb error", "map contains duplicate key")
    );
    assert_eq!(
        datum(r#"["set",[]]"#, &map).unwrap_err().details,
        "expected [\"map\", <array>]"
    );
    assert_eq!(
        datum(r#"["map",[["a"]]]"#, &map).unwrap_err().details,
        "expected 2-element array"
    );
    assert_eq!(
        datum("\"x\"", &ty("\"integer\"")).unwrap_err().details,
        "expected integer"
    );
    assert_eq!(
        datum("1.5", &ty("\"integer\"")).unwrap_err().details,
        "expected integer"
    );
    assert_eq!(
        datum("1", &ty("\"string\"")).unwrap_err().details,
        "expected string"
    );
    assert_eq!(
        datum(r#"["set",1]"#, &set2).unwrap_err().details,
        "expected [\"set\", <array>]"
    );
    assert_eq!(
        datum(r#"["uuid","x"]"#, &ty("\"uuid\""))
            .unwrap_err()
            .details,
        "\"x\" is not a valid UUID"
    );
    // Reals accept integers.
    assert_eq!(
        datum("1", &ty("\"real\"")).unwrap(),
        Datum::scalar(Atom::Real(1.0))
    );
}

#[test]
fn constraint_messages_match_the_reference() {
    let check = |t: &str, v: &str| {
        let t = ty(t);
        datum(v, &t)
            .unwrap()
            .check_constraints(&t)
            .unwrap_err()
            .to_string()
    };
    let e = r#"{"key":{"type":"string","enum":["set",["a","b"]]}}"#;
    assert_eq!(
        check(e, "\"c\""),
        "constraint violation: c is not one of the allowed values ([a, b])"
    );
    let n = r#"{"key":{"type":"integer","minInteger":0,"maxInteger":10}}"#;
    assert_eq!(
        check(n, "11"),
        "constraint violation: 11 is not in the valid range 0 to 10 (inclusive)"
    );
    let r = r#"{"key":{"type":"real","minReal":0.5}}"#;
    assert_eq!(
        check(r, "0.1"),
        "constraint violation: 0.1 is less than minimum allowed value 0.5"
    );
    let s = r#"{"key":{"type":"string","minLength":2,"maxLength":4}}"#;
    assert_eq!(
        check(s, "\"x\""),
        "constraint violation: \"x\" length 1 is less than minimum allowed length 2"
    );
    assert_eq!(
        check(s, "\"xxxxx\""),
        "constraint violation: \"xxxxx\" length 5 is greater than maximum allowed length 4"
    );
}

#[test]
fn string_forms_quote_like_the_reference() {
    let opt = ty(r#"{"key":"string","min":0,"max":1}"#);
    let set = ty(r#"{"key":"string","min":0,"max":"unlimited"}"#);
    assert_eq!(datum("\"br0\"", &opt).unwrap().to_string_form(&opt), "br0");
    assert_eq!(
        datum(r#"["set",[]]"#, &opt).unwrap().to_string_form(&opt),
        "[]"
    );
    assert_eq!(
        datum("\"br0\"", &set).unwrap().to_string_form(&set),
        "[br0]"
    );
    for (s, quoted) in [
        ("3.1.0", true),
        ("ptcp:6640", true),
        ("true", true),
        ("", true),
        ("a b", true),
        ("_x-1.2", false),
        ("6bd5e0a5-7d0b-4a3b-9d4e-16b5c2e4c6a0", true),
    ] {
        let t = ty("\"string\"");
        let form = datum(&Json::string(s).to_compact(), &t)
            .unwrap()
            .to_string_form(&t);
        assert_eq!(form.starts_with('"'), quoted, "{s:?} -> {form}");
    }
}

#[test]
fn diffs_round_trip() {
    let map = ty(r#"{"key":"string","value":"integer","min":0,"max":"unlimited"}"#);
    let a = datum(r#"["map",[["a",1],["b",2],["c",3]]]"#, &map).unwrap();
    let b = datum(r#"["map",[["a",1],["b",5],["d",4]]]"#, &map).unwrap();
    let d = a.diff(&b, &map).unwrap();
    assert_eq!(
        d.to_json(&map).to_compact(),
        r#"["map",[["b",5],["c",3],["d",4]]]"#
    );
    assert_eq!(a.apply_diff(&d, &map), b);
    let set = ty(r#"{"key":"integer","min":0,"max":1}"#);
    let x = datum("1", &set).unwrap();
    let y = datum("2", &set).unwrap();
    // Single-valued columns (max 1) carry the new value, not a set difference.
    let d = x.diff(&y, &set).unwrap();
    assert_eq!(d.to_json(&set).to_compact(), "2");
    let empty = datum(r#"["set",[]]"#, &set).unwrap();
    assert_eq!(x.apply_diff(&x.diff(&empty, &set).unwrap(), &set), empty);
    assert_eq!(x.apply_diff(&d, &set), y);
    assert!(x.diff(&x, &set).is_none());
}

#[test]
fn vswitch_schema_round_trips_through_json() {
    let schema =
        DatabaseSchema::from_json(&parse(vswitch_schema::VSWITCH_SCHEMA).unwrap()).unwrap();
    assert_eq!(schema.name, "Open_vSwitch");
    assert!(schema.tables.len() >= 19);
    let bridge = schema.table("Bridge").unwrap();
    assert_eq!(
        bridge.indexes,
        vec![vec![bridge.column_index("name").unwrap()]]
    );
    assert!(schema.table("Open_vSwitch").unwrap().is_root);
    assert!(!schema.table("Port").unwrap().is_root);
    let again = DatabaseSchema::from_json(&schema.to_json()).unwrap();
    assert_eq!(again, schema);
}

#[test]
fn schema_without_roots_makes_every_table_a_root() {
    let s = DatabaseSchema::from_json(
        &parse(
            r#"{"name":"x","version":"1.0.0","tables":{"a":{"columns":{"b":{"type":"integer"}}}}}"#,
        )
        .unwrap(),
    )
    .unwrap();
    assert!(s.table("a").unwrap().is_root);
    assert!(!s.to_json().to_compact().contains("isRoot"));
}
