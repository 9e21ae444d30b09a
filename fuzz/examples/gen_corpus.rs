//! Writes the seed corpora under `fuzz/corpus/<target>/` from the repository's own test
//! fixtures (the `TxnTest` schema and transaction corpus of `crates/ovsdb/tests`) and a
//! few hand-made edge cases. Deterministic: running it again rewrites the same files.
//! Only files named `seed-*` are replaced, so other files put there are kept.
//!
//! Run: `cargo run --manifest-path fuzz/Cargo.toml --example gen_corpus`

use ovs_json::Json;
use ovsdb::file::changes_to_record;
use ovsdb::{execute, ExecContext, Execution};
use ovsdb_log::{Log, OpenMode};
use oxvs_fuzz::scratch::ScratchDir;
use oxvs_fuzz::transact_check::{base_db, PREFILL, SCHEMA};
use std::path::{Path, PathBuf};
use std::time::Instant;

const TXN_CORPUS: &str = include_str!("../../crates/ovsdb/tests/fixtures/txn-corpus.txt");

fn main() -> Result<(), String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let txns = txn_corpus_records()?;
    write_seeds(&root.join("json_parse"), json_seeds(&txns)?)?;
    write_seeds(&root.join("jsonrpc_framer"), framer_seeds(&txns))?;
    write_seeds(&root.join("transact"), transact_seeds(&txns))?;
    write_seeds(&root.join("log_records"), log_seeds()?)?;
    Ok(())
}

/// The records of the `TxnTest` section of the transaction corpus, as compact JSON.
fn txn_corpus_records() -> Result<Vec<Json>, String> {
    let section = TXN_CORPUS
        .split("@schema txn-test.ovsschema")
        .nth(1)
        .and_then(|s| s.split("\n@schema ").next())
        .ok_or("txn-corpus.txt has no TxnTest section")?;
    let mut records = Vec::new();
    for block in section.split("\n\n") {
        let text: String = block
            .lines()
            .filter(|l| !l.starts_with('#'))
            .collect::<Vec<_>>()
            .join("\n");
        if text.trim().is_empty() {
            continue;
        }
        records.push(ovs_json::parse(&text).map_err(|e| format!("txn-corpus.txt: {e}"))?);
    }
    Ok(records)
}

/// Every `step`-th element, for a small but spread-out sample.
fn sample(items: &[Json], n: usize) -> Vec<&Json> {
    let step = (items.len() / n.max(1)).max(1);
    items.iter().step_by(step).take(n).collect()
}

fn json_seeds(txns: &[Json]) -> Result<Vec<(String, Vec<u8>)>, String> {
    let schema = ovs_json::parse(SCHEMA).map_err(|e| e.to_string())?;
    let prefill = ovs_json::parse(PREFILL).map_err(|e| e.to_string())?;
    let mut seeds = vec![
        ("schema-compact".into(), schema.to_compact().into_bytes()),
        ("schema-pretty".into(), schema.to_pretty().into_bytes()),
        ("prefill".into(), prefill.to_compact().into_bytes()),
    ];
    for (i, t) in sample(txns, 6).into_iter().enumerate() {
        seeds.push((format!("txn-{i}"), t.to_compact().into_bytes()));
    }
    let edge: &[(&str, &[u8])] = &[
        (
            "numbers",
            b"[0,-0,1,-1,0.5,1.0,1e3,1E+3,2.5e-3,-0.0,1e15,1e16,123456789.123456789]",
        ),
        (
            "int-limits",
            b"[9223372036854775807,-9223372036854775808,9223372036854775808,-9223372036854775809]",
        ),
        (
            "big-reals",
            b"[1e308,1.7976931348623157e308,4.9e-324,1e-320,123456789012345678901234567890]",
        ),
        ("out-of-range", b"[1e400]"),
        (
            "escapes",
            br#"{"a":"\"\\\/\b\f\n\r\t\u0000\u001f\u00e9\ud83d\ude00"}"#,
        ),
        ("bad-surrogate", br#"["\ud800","\udc00x"]"#),
        ("bad-escape", br#"["\x"]"#),
        ("raw-utf8", "[\"caf\u{e9} \u{1f600}\"]".as_bytes()),
        ("invalid-utf8", b"[\"\xff\xfe\"]"),
        ("control-char", b"[\"a\x01b\"]"),
        ("keywords", b"[true,false,null]"),
        ("bad-keyword", b"[tru]"),
        ("nested", b"[[[[[{\"a\":[[{}]]}]]]]]"),
        ("empty", b"  [ ] "),
        ("empty-object", b"{}"),
        ("scalar-string", b"\"just a string\""),
        ("scalar-number", b"-12.5e2"),
        ("trailing-comma", b"[1,]"),
        ("missing-colon", b"{\"a\" 1}"),
        ("leading-zero", b"[01]"),
        ("lone-minus", b"[-]"),
        ("trailing-garbage", b"{} x"),
        ("duplicate-names", b"{\"a\":1,\"a\":2}"),
        ("unterminated", b"[\"abc"),
    ];
    seeds.extend(edge.iter().map(|(n, b)| (n.to_string(), b.to_vec())));
    Ok(seeds)
}

fn framer_seeds(txns: &[Json]) -> Vec<(String, Vec<u8>)> {
    let transact = Json::object([
        ("method", Json::string("transact")),
        ("params", txns.get(20).cloned().unwrap_or(Json::Null)),
        ("id", Json::Integer(7)),
    ]);
    let streams: Vec<(&str, u8, Vec<u8>)> = vec![
        ("echo-bytewise", 0x00, br#"{"method":"echo","params":[],"id":"echo"}"#.to_vec()),
        ("transact-chunks", 0x02, [&[3u8, 9][..], transact.to_compact().as_bytes()].concat()),
        (
            "reply-and-error",
            0x01,
            [
                &[4u8][..],
                br#"{"id":7,"result":[{"count":1}],"error":null} {"error":{"error":"unknown method"},"id":8,"result":null}"#,
            ]
            .concat(),
        ),
        (
            "notify-update",
            0x00,
            br#"{"method":"update","params":[null,{"Bridge":{"00000000-0000-4000-8000-000000000001":{"new":{"name":"br0"}}}}],"id":null}"#.to_vec(),
        ),
        ("concatenated", 0x03, [&[0u8, 1, 200][..], b"[1]\n{\"a\":2}  [\"]\"]\r\n\t{}"].concat()),
        ("brackets-in-strings", 0x00, br#"{"method":"x","params":["]}\"[{\\"],"id":1}"#.to_vec()),
        ("partial", 0x01, [&[5u8][..], br#"{"method":"echo","params":["#].concat()),
        ("garbage-start", 0x00, b"x[1]".to_vec()),
        ("garbage-after", 0x00, b"[1] nope".to_vec()),
        ("bad-json-inside", 0x00, b"[1,]{\"a\":1}".to_vec()),
        ("not-a-message", 0x00, br#"{"method":"m","params":{},"id":1}[2]{"result":1}"#.to_vec()),
        ("small-limit", 0x08 << 3, transact.to_compact().into_bytes()),
        ("deep", 0x00, [vec![b'['; 1001], vec![b']'; 1001]].concat()),
    ];
    streams
        .into_iter()
        .map(|(name, head, body)| (name.to_string(), [&[head][..], &body].concat()))
        .collect()
}

fn transact_seeds(txns: &[Json]) -> Vec<(String, Vec<u8>)> {
    let mut seeds: Vec<(String, Vec<u8>)> = sample(txns, 26)
        .into_iter()
        .enumerate()
        .map(|(i, t)| (format!("corpus-{i:02}"), t.to_compact().into_bytes()))
        .collect();
    // Operations on the pre-filled rows (see transact_check::PREFILL), without the
    // database name, which the check allows.
    let own: &[(&str, &str)] = &[
        (
            "update-parent",
            r#"[{"op":"update","table":"Parent","where":[["name","==","p1"]],"row":{"kids":["set",[["uuid","00000000-0000-4000-8000-0000000000c2"]]],"fav":["set",[]]}}]"#,
        ),
        (
            "delete-referenced-child",
            r#"[{"op":"delete","table":"Child","where":[["name","==","c1"]]}]"#,
        ),
        (
            "delete-parent-collects",
            r#"[{"op":"delete","table":"Parent","where":[]},{"op":"select","table":"Toy","where":[]}]"#,
        ),
        (
            "delete-weak-target",
            r#"[{"op":"delete","table":"Target","where":[["name","==","tB"]]}]"#,
        ),
        (
            "mutate-maps",
            r#"[{"op":"mutate","table":"Atoms","where":[["i","==",1]],"mutations":[["si","insert",["map",[["c",3]]]],["ss","delete",["set",["k"]]],["ia","+=",10],["ir","delete",["map",[[1,0.5]]]]]}]"#,
        ),
        (
            "index-clash",
            r#"[{"op":"insert","table":"Pair","row":{"a":1,"b":"x"}}]"#,
        ),
        (
            "index-swap",
            r#"[{"op":"update","table":"Pair","where":[["a","==",1]],"row":{"c":["set",[]]}},{"op":"update","table":"Pair","where":[["a","==",2]],"row":{"c":1}}]"#,
        ),
        (
            "capped-overflow",
            r#"[{"op":"insert","table":"Capped","row":{"n":2}},{"op":"insert","table":"Capped","row":{"n":3}}]"#,
        ),
        (
            "ephemeral-only",
            r#"[{"op":"update","table":"Limits","where":[],"row":{"eph":8}},{"op":"comment","comment":"eph"}]"#,
        ),
        (
            "assert-lock",
            r#"[{"op":"assert","lock":"mine"},{"op":"mutate","table":"Limits","where":[],"mutations":[["small","insert",["set",[3]]],["pct","+=",1]]}]"#,
        ),
        (
            "wait-select",
            r#"[{"op":"wait","table":"Atoms","timeout":0,"where":[["i","==",2]],"columns":["s"],"until":"==","rows":[{"s":"two"}]},{"op":"select","table":"Atoms","where":[["ia","includes",["set",[1,2]]]],"columns":["i"]}]"#,
        ),
        (
            "named-refs",
            r#"[{"op":"insert","table":"Child","uuid-name":"n","row":{"name":"new","peer":["named-uuid","n"]}},{"op":"mutate","table":"Parent","where":[],"mutations":[["kids","insert",["set",[["named-uuid","n"]]]],["bykey","insert",["map",[["z",["named-uuid","n"]]]]]]}]"#,
        ),
        (
            "watcher-min",
            r#"[{"op":"update","table":"Watcher","where":[],"row":{"some":["set",[]]}}]"#,
        ),
        (
            "immutable",
            r#"[{"op":"update","table":"Limits","where":[],"row":{"fixed":"g"}}]"#,
        ),
    ];
    seeds.extend(
        own.iter()
            .map(|(n, t)| (n.to_string(), t.as_bytes().to_vec())),
    );
    seeds
}

fn log_seeds() -> Result<Vec<(String, Vec<u8>)>, String> {
    let schema = ovs_json::parse(SCHEMA).map_err(|e| e.to_string())?;
    let records = commit_records()?;
    let dir = ScratchDir::create();
    let valid = log_file(dir.path(), "valid.db", &schema, &records)?;
    let mut seeds = vec![("raw-valid".to_string(), [&[0u8][..], &valid].concat())];
    let cut = valid.len() - 20;
    seeds.push(("raw-torn".into(), [&[0u8][..], &valid[..cut]].concat()));
    let mut bad_hash = valid.clone();
    if let Some(b) = bad_hash.iter_mut().rev().find(|b| **b == b'"') {
        *b = b'\'';
    }
    seeds.push(("raw-bad-hash".into(), [&[0u8][..], &bad_hash].concat()));
    seeds.push((
        "raw-trailing-garbage".into(),
        [&[0u8][..], &valid, b"OVSDB JSON 99999 0000\n"].concat(),
    ));
    seeds.push((
        "raw-clustered".into(),
        b"\x00OVSDB CLUSTER 3 0000000000000000000000000000000000000000\n{}\n".to_vec(),
    ));
    seeds.push(("raw-empty".into(), vec![0u8]));
    seeds.push(("raw-not-a-log".into(), b"\x00hello\n".to_vec()));
    seeds.push((
        "raw-schema-only".into(),
        [
            &[0u8][..],
            &log_file(dir.path(), "schema.db", &schema, &[])?,
        ]
        .concat(),
    ));
    // Framed modes: one JSON object per line.
    let lines = |items: &[&Json]| -> Vec<u8> {
        items
            .iter()
            .flat_map(|j| format!("{}\n", j.to_compact()).into_bytes())
            .collect()
    };
    let all: Vec<&Json> = std::iter::once(&schema).chain(records.iter()).collect();
    seeds.push(("framed-all".into(), [&[1u8][..], &lines(&all)].concat()));
    seeds.push((
        "framed-torn-tail".into(),
        [&[1u8][..], &lines(&all), b"OVSDB JSON 10 "].concat(),
    ));
    let with_schema: Vec<&Json> = records.iter().collect();
    seeds.push((
        "schema-records".into(),
        [&[2u8][..], &lines(&with_schema)].concat(),
    ));
    let odd = [
        r#"{"Atoms":{"00000000-0000-4000-8000-0000000000a1":{"ia":["set",[7]],"si":["map",[["a",9]]]}},"_is_diff":true}"#,
        r#"{"Atoms":{"00000000-0000-4000-8000-0000000000a1":{"i3":["set",[1,2,3]]}},"_is_diff":true}"#,
        r#"{"NoTable":{}}"#,
        r#"{"Atoms":{"not-a-uuid":null}}"#,
        r#"{"Atoms":{"00000000-0000-4000-8000-0000000000a9":{"nope":1}}}"#,
        r#"{"Limits":{"00000000-0000-4000-8000-0000000000d9":{"eph":3,"color":"red"}},"_date":1,"_comment":"c"}"#,
    ];
    let odd_text: String = odd.iter().map(|l| format!("{l}\n")).collect();
    seeds.push((
        "schema-odd-records".into(),
        [&[2u8][..], odd_text.as_bytes()].concat(),
    ));
    Ok(seeds)
}

/// The file records of a few transactions on the pre-filled database: the prefill
/// itself, then changes to it.
fn commit_records() -> Result<Vec<Json>, String> {
    let prefill = match ovs_json::parse(PREFILL).map_err(|e| e.to_string())? {
        Json::Array(ops) => ops,
        _ => return Err("PREFILL is not an array".into()),
    };
    let empty = ovsdb::Database::new(base_db().schema.clone());
    let mut records = Vec::new();
    records.extend(record_of(&empty, &prefill)?);
    let changes = [
        r#"[{"op":"mutate","table":"Atoms","where":[],"mutations":[["ia","insert",["set",[4]]],["ss","delete",["set",["k"]]]]}]"#,
        r#"[{"op":"delete","table":"Parent","where":[]},{"op":"comment","comment":"gone"}]"#,
    ];
    for text in changes {
        let ops = match ovs_json::parse(text).map_err(|e| e.to_string())? {
            Json::Array(ops) => ops,
            _ => return Err("transaction is not an array".into()),
        };
        records.extend(record_of(base_db(), &ops)?);
    }
    Ok(records)
}

fn record_of(db: &ovsdb::Database, ops: &[Json]) -> Result<Option<Json>, String> {
    match execute(db, ops, &ExecContext::new(Instant::now())) {
        Execution::Committed {
            changes, comment, ..
        } => Ok(changes_to_record(
            db,
            &changes,
            comment.as_deref(),
            1_700_000_000_000,
        )),
        other => Err(format!("seed transaction did not commit: {other:?}")),
    }
}

/// A database file holding `schema` then `records`, written by `ovsdb_log`.
fn log_file(dir: &Path, name: &str, schema: &Json, records: &[Json]) -> Result<Vec<u8>, String> {
    let path: PathBuf = dir.join(name);
    let mut log = Log::open(&path, OpenMode::CreateExcl, false).map_err(|e| e.to_string())?;
    for r in std::iter::once(schema).chain(records) {
        log.write_record(r).map_err(|e| e.to_string())?;
    }
    log.commit(false).map_err(|e| e.to_string())?;
    drop(log);
    std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))
}

fn write_seeds(dir: &Path, seeds: Vec<(String, Vec<u8>)>) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let old = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for entry in old.flatten() {
        if entry.file_name().to_string_lossy().starts_with("seed-") {
            std::fs::remove_file(entry.path()).map_err(|e| e.to_string())?;
        }
    }
    for (name, bytes) in &seeds {
        let path = dir.join(format!("seed-{name}"));
        std::fs::write(&path, bytes).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    println!("{}: {} seeds", dir.display(), seeds.len());
    Ok(())
}
