//! The text writers of [`Monitor`] against its JSON values: for every protocol version,
//! column selection, `select` flags and conditions, the text must be byte for byte the
//! compact form of the JSON value.

use crate::monitor::{Monitor, Version};
use ovs_json::{parse, Json};
use ovsdb::transaction::{execute, ExecContext, Execution};
use ovsdb::{Changes, Database, DatabaseSchema};
use std::sync::Arc;
use std::time::Instant;

// Upper-case and underscore column names make name order differ from column order.
const SCHEMA: &str = r#"{"name":"T","version":"1.0.0","tables":{
  "a":{"columns":{
    "name":{"type":"string"},
    "n":{"type":"integer"},
    "Z":{"type":{"key":"real","min":0,"max":1}},
    "b_":{"type":"boolean"},
    "tags":{"type":{"key":"string","min":0,"max":"unlimited"}},
    "ids":{"type":{"key":"string","value":"string","min":0,"max":"unlimited"}},
    "ref":{"type":{"key":{"type":"uuid","refTable":"b"},"min":0,"max":"unlimited"}}},
    "isRoot":true},
  "b":{"columns":{"x":{"type":"integer"},"s":{"type":"string"}},"isRoot":true}}}"#;

fn database() -> Database {
    let schema = DatabaseSchema::from_json(&parse(SCHEMA).unwrap()).unwrap();
    Database::new(Arc::new(schema))
}

/// Runs a transaction and applies it; returns what it changed.
fn commit(db: &mut Database, ops: &str) -> Changes {
    let ops = match parse(ops).unwrap() {
        Json::Array(ops) => ops,
        other => panic!("{other}"),
    };
    match execute(db, &ops, &ExecContext::new(Instant::now())) {
        Execution::Committed { changes, .. } => {
            db.apply(&changes);
            changes
        }
        other => panic!("{other:?}"),
    }
}

const REQUESTS: &[&str] = &[
    r#"{"a":{},"b":{}}"#,
    r#"{"a":{"columns":["tags","name","Z","_uuid"]}}"#,
    r#"{"a":[{"columns":["n"],"select":{"initial":false,"modify":false}},{"columns":["ids"]}]}"#,
    r#"{"a":{"columns":["name","n","ref"],"select":{"insert":false,"delete":false}},"b":{"columns":["x"]}}"#,
    r#"{"a":{"where":[["n",">",1]],"columns":["name","n","b_"]}}"#,
    r#"{"a":{"where":[["name","==","q"],["tags","includes","t2"]]},"b":{"where":[false]}}"#,
];

const STEPS: &[&str] = &[
    r#"[{"op":"insert","table":"b","row":{"x":1,"s":"one"},"uuid-name":"b1"},
        {"op":"insert","table":"a","row":{"name":"p","n":1,"ref":["named-uuid","b1"]}},
        {"op":"insert","table":"a","row":{"name":"q","n":2,"Z":0.5,"b_":true,
          "tags":["set",["t1","t2"]],"ids":["map",[["k","v"],["k\"2","v\n2"]]]}}]"#,
    r#"[{"op":"update","table":"a","where":[["name","==","p"]],"row":{"n":5,"tags":"x"}},
        {"op":"update","table":"a","where":[["name","==","q"]],"row":{"Z":["set",[]]}},
        {"op":"mutate","table":"a","where":[["name","==","q"]],
          "mutations":[["ids","insert",["map",[["new","1"]]]],["ids","delete",["set",["k"]]],
                       ["tags","delete","t1"]]}]"#,
    r#"[{"op":"update","table":"a","where":[["name","==","q"]],"row":{"n":0}},
        {"op":"update","table":"b","where":[],"row":{"s":"uno"}}]"#,
    r#"[{"op":"delete","table":"a","where":[["name","==","p"]]},
        {"op":"insert","table":"a","row":{"name":"r","n":3}}]"#,
    r#"[{"op":"delete","table":"a","where":[]},{"op":"delete","table":"b","where":[]}]"#,
];

#[test]
fn text_writers_match_the_json_values() {
    let (mut with_updates, mut without) = (0, 0);
    for version in [Version::V1, Version::V2, Version::V3] {
        for request in REQUESTS {
            if version == Version::V1 && request.contains("where") {
                continue;
            }
            let mut db = database();
            let requests = parse(request).unwrap();
            let monitor = Monitor::from_json(&db, "T", Json::Null, &requests, version).unwrap();
            for step in STEPS {
                let mut initial = String::new();
                monitor.write_initial(&db, &mut initial);
                assert_eq!(initial, monitor.initial(&db).to_compact(), "{request}");

                let changes = commit(&mut db, step);
                let mut text = String::new();
                let any = monitor.write_updates(&db, &changes, &mut text);
                match monitor.updates(&db, &changes) {
                    Some(json) => {
                        with_updates += 1;
                        assert!(any, "{version:?} {request} {step}");
                        assert_eq!(text, json.to_compact(), "{version:?} {request} {step}");
                    }
                    None => {
                        without += 1;
                        assert!(!any && text.is_empty(), "{version:?} {request} {step}");
                    }
                }
            }
        }
    }
    // The steps exercise both outcomes.
    assert!(with_updates > 40 && without > 5, "{with_updates} {without}");
}

#[test]
fn shapes_group_equal_definitions_only() {
    let db = database();
    let monitor = |id: &str, request: &str, version| {
        Monitor::from_json(
            &db,
            "T",
            Json::string(id),
            &parse(request).unwrap(),
            version,
        )
        .unwrap()
    };
    let a = monitor("a", REQUESTS[1], Version::V2);
    let b = monitor("b", REQUESTS[1], Version::V2);
    assert_eq!(a.shape(), b.shape());
    assert!(a.same_definition(&b));
    for other in [
        monitor("c", REQUESTS[1], Version::V3),
        monitor("d", REQUESTS[2], Version::V2),
    ] {
        assert!(!a.same_definition(&other));
        assert_ne!(a.shape(), other.shape());
    }
    let mut changed = monitor("e", REQUESTS[1], Version::V2);
    changed
        .change_conditions(&db, &parse(r#"{"a":[{"where":[["n","==",1]]}]}"#).unwrap())
        .unwrap();
    assert!(!a.same_definition(&changed));
    assert_ne!(a.shape(), changed.shape());
}
