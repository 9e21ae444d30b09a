//! `show-log` on records the reference itself rarely writes but may find in a file:
//! dates in seconds or of the wrong type, comments that are not strings, tables and
//! columns the schema lacks, values that do not fit their column (printed as JSON),
//! non-difference records, rows renamed, deleted before being seen, or not objects.
//! Also a database of a custom schema with every atomic type, written by the
//! reference.

mod support;

use support::{assert_same, test_dir, tool_ok, write_records, Tool};

const SCHEMA: &str = r#"{"name":"T","version":"1.0.0","tables":{
  "A":{"columns":{"name":{"type":"string"},"i":{"type":"integer"},"r":{"type":"real"},
       "b":{"type":"boolean"},
       "s":{"type":{"key":"string","min":0,"max":"unlimited"}},
       "m":{"type":{"key":"string","value":"integer","min":0,"max":"unlimited"}},
       "o":{"type":{"key":"integer","min":0,"max":1}},
       "p":{"type":{"key":"string","min":0,"max":3}},
       "u":{"type":{"key":{"type":"uuid"},"min":0,"max":"unlimited"}},
       "e":{"type":{"key":{"type":"string","enum":["set",["x","y"]]}}},
       "rng":{"type":{"key":{"type":"integer","minInteger":0,"maxInteger":10}}}}},
  "B":{"columns":{"x":{"type":"integer"}}},
  "C":{"columns":{"name":{"type":{"key":"string","min":0,"max":1}}}}}}"#;

const U1: &str = "01111111-0000-4000-8000-000000000001";
const U2: &str = "02222222-0000-4000-8000-000000000002";
const U3: &str = "03333333-0000-4000-8000-000000000003";
const U6: &str = "06666666-0000-4000-8000-000000000006";
const U7: &str = "07777777-0000-4000-8000-000000000007";

#[test]
fn unusual_records_print_like_the_reference() {
    let dir = test_dir("unusual_records_print");
    let path = dir.path();
    let schema_record = ovs_json::parse(SCHEMA).map(|j| j.to_compact());
    let schema_record = match schema_record {
        Ok(s) => s,
        Err(e) => panic!("test schema: {e}"),
    };
    let records = [
        schema_record,
        format!(
            r#"{{"_date":1700000000123,"_comment":"with \"quotes\" \\ and \u00e9 and\ttab",
            "A":{{"{U1}":{{"name":"a1","i":5,"r":1.5,"b":true,"s":["set",["x","y z","1","true",""]],
                          "m":["map",[["k",1],["k 2",-3]]],"o":7,"p":["set",["a","b"]],
                          "u":["uuid","09999999-0000-4000-8000-000000000009"],"e":"x","rng":3}},
                  "{U2}":{{"name":"with space","r":1e100,"i":-1}},
                  "{U3}":{{"i":1}}}},
            "B":{{"04444444-0000-4000-8000-000000000004":{{"x":1}},
                  "05555555-0000-4000-8000-000000000005":{{}}}},
            "C":{{"{U6}":{{"name":"cname"}},"{U7}":{{"name":["set",[]]}}}}}}"#
        ),
        format!(r#"{{"_date":1700000001,"A":{{"{U1}":{{"i":6,"name":"renamed"}}}}}}"#),
        format!(
            r#"{{"_date":"notanint","_is_diff":true,
            "A":{{"{U1}":{{"p":["set",["a","c","d","e"]],"s":["set",["x"]],"m":["map",[["k",2],["new",5]]],
                          "o":8,"e":"zz","rng":11,"nocol":[1,2],"u":["named-uuid","foo"]}}}}}}"#
        ),
        format!(
            r#"{{"_is_diff":true,"A":{{"{U2}":null,"69999993-0000-4000-8000-000000000099":null,"{U3}":5}},
            "Nope":{{"08888888-0000-4000-8000-000000000008":{{"a":{{"z":1,"b":2}}}}}},
            "B":"notobj","_x":{{"{U1}":{{}}}}}}"#
        ),
        format!(r#"{{"_date":-5,"_comment":5,"C":{{"{U7}":{{"name":"now named"}}}}}}"#),
        format!(
            r#"{{"_date":2147483647,"_is_diff":false,
            "C":{{"{U7}":{{"name":"now named"}},"{U6}":{{"name":"cname"}}}}}}"#
        ),
        format!(r#"{{"_date":1.5,"A":{{"{U1}":{{"r":0.1}}}}}}"#),
        r#"{"_date":1700000002000,"_comment":"no tables"}"#.to_string(),
    ];
    let records: Vec<String> = records.iter().map(|r| one_line(r)).collect();
    let texts: Vec<&str> = records.iter().map(String::as_str).collect();
    write_records(&path.join("edge.db"), &texts);
    for args in [
        &["show-log", "edge.db"][..],
        &["-m", "show-log", "edge.db"],
        &["-mm", "show-log", "edge.db"],
        &["db-name", "edge.db"],
        &["db-cksum", "edge.db"],
    ] {
        assert_same(path, args);
    }
    let out = assert_same(path, &["-mm", "show-log", "edge.db"]);
    for expected in [
        "p=[\"set\",[\"a\",\"c\",\"d\",\"e\"]]",
        "table A row \"renamed\" (01111111) diff:",
        "table C row [\"set\",[]] (07777777):",
        "record 5: 1969-12-31 23:59:55.000\n",
    ] {
        assert!(out.stdout.contains(expected), "{expected}\n{}", out.stdout);
    }
}

/// JSON text on one line (records are single lines in files we compare).
fn one_line(text: &str) -> String {
    match ovs_json::parse(text) {
        Ok(json) => json.to_compact(),
        Err(e) => panic!("test record {text}: {e}"),
    }
}

/// A database of the custom schema written by the real tool: show-log and queries of
/// every type match.
#[test]
fn every_type_prints_like_the_reference() {
    let dir = test_dir("every_type_prints");
    let path = dir.path();
    if let Err(e) = std::fs::write(path.join("t.ovsschema"), SCHEMA) {
        panic!("write schema: {e}");
    }
    tool_ok(Tool::Real, path, &["create", "t.db", "t.ovsschema"]);
    for txn in [
        r#"["T",{"op":"insert","table":"A","uuid-name":"a",
            "row":{"name":"first","i":-7,"r":0.1,"b":true,"s":["set",["x","-1","false","é"]],
                   "m":["map",[["one",1],["two",2]]],"o":3,"p":["set",["a"]],
                   "u":["set",[["uuid","01234567-89ab-cdef-0123-456789abcdef"]]],"e":"y","rng":10}},
           {"op":"insert","table":"C","row":{"name":"c"}},
           {"op":"insert","table":"B","row":{"x":123456789012}}]"#,
        r#"["T",{"op":"update","table":"A","where":[],
            "row":{"name":"second","r":2.5e-7,"b":false,"s":["set",["x","new"]],
                   "m":["map",[["one",11],["three",3]]],"p":["set",["a","b","c"]]}},
           {"op":"comment","comment":"update"}]"#,
        r#"["T",{"op":"mutate","table":"A","where":[],
            "mutations":[["i","*=",3],["r","+=",1],["m","delete",["set",["two"]]]]}]"#,
        r#"["T",{"op":"delete","table":"C","where":[]},
           {"op":"insert","table":"C","row":{}}]"#,
    ] {
        let reply = tool_ok(Tool::Real, path, &["transact", "t.db", txn]);
        assert!(!reply.contains("\"error\""), "{txn}\n{reply}");
    }
    for args in [
        &["show-log", "t.db"][..],
        &["-mm", "show-log", "t.db"],
        &[
            "query",
            "t.db",
            r#"["T",{"op":"select","table":"A","where":[],"columns":["name","i","r","b","s","m","o","p","u","e","rng"]}]"#,
        ],
        &[
            "query",
            "t.db",
            r#"["T",{"op":"select","table":"B","where":[],"columns":["x"]}]"#,
        ],
        &[
            "query",
            "t.db",
            r#"["T",{"op":"select","table":"C","where":[],"columns":["name"]}]"#,
        ],
        &["db-name", "t.db"],
        &["db-version", "t.db"],
        &["db-cksum", "t.db"],
        &["needs-conversion", "t.db", "t.ovsschema"],
        &["schema-cksum", "t.ovsschema"],
    ] {
        assert_same(path, args);
    }
}
