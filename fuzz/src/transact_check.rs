//! Check for the `transact` target: the transaction engine on arbitrary `transact`
//! params.
//!
//! The input is parsed as JSON and run against a small database (the `TxnTest` schema
//! of `crates/ovsdb/tests/fixtures`, pre-filled with a few rows of every kind, all with
//! fixed UUIDs so that inputs can name them). Nothing may panic. A committed transaction
//! must leave a database that keeps every integrity rule, and the record it writes to the
//! database file must, replayed onto the database as it was, give the same contents.
//!
//! Shared with `crates/ovsdb/tests/fuzz_corpus.rs` through `#[path]` (as a crate-root
//! module named `transact_check`; it uses `crate::db_contents`).

use crate::db_contents::{check_integrity, persistent_contents};
use ovs_json::Json;
use ovsdb::file::{apply_record, changes_to_record};
use ovsdb::{execute, execute_params, Database, DatabaseSchema, ExecContext, Execution};
use std::sync::{Arc, OnceLock};
use std::time::Instant;

/// The schema the inputs run against.
pub const SCHEMA: &str = include_str!("../../crates/ovsdb/tests/fixtures/txn-test.ovsschema");

/// The rows every input starts from. UUIDs are `00000000-0000-4000-8000-0000000000XX`
/// with XX: a1/a2 Atoms, d1 Limits, 51 Strict, 61 Capped, e1/e2 Target, f1 Toy,
/// c1/c2 Child, b1 Parent, 91 Watcher, 71/72 Pair.
pub const PREFILL: &str = r#"[
 {"op":"insert","table":"Atoms","uuid":"00000000-0000-4000-8000-0000000000a1",
  "row":{"i":1,"r":1.5,"b":true,"s":"one","u":["uuid","00000000-0000-4000-8000-0000000000e1"],
         "oi":5,"or":0.25,"os":"x","ia":["set",[1,2,3]],"ra":["set",[0.5,2]],"ba":true,
         "sa":["set",["x","y"]],"ua":["set",[["uuid","00000000-0000-4000-8000-0000000000e2"]]],
         "i3":["set",[1,2]],"ss":["map",[["k","v"],["k2","v2"]]],"si":["map",[["a",1],["b",2]]],
         "ir":["map",[[1,0.5]]],"m2":["map",[[1,"one"]]]}},
 {"op":"insert","table":"Atoms","uuid":"00000000-0000-4000-8000-0000000000a2",
  "row":{"i":2,"s":"two","i3":3}},
 {"op":"insert","table":"Limits","uuid":"00000000-0000-4000-8000-0000000000d1",
  "row":{"pct":50,"pos":3,"neg":["set",[-1,-5]],"frac":0.5,"name":"lim","color":"red",
         "small":["set",[1,2]],"opts":["map",[["x",1]]],"fixed":"f","eph":7}},
 {"op":"insert","table":"Strict","uuid":"00000000-0000-4000-8000-000000000051",
  "row":{"level":1,"note":"n"}},
 {"op":"insert","table":"Capped","uuid":"00000000-0000-4000-8000-000000000061","row":{"n":1}},
 {"op":"insert","table":"Target","uuid":"00000000-0000-4000-8000-0000000000e1","row":{"name":"tA"}},
 {"op":"insert","table":"Target","uuid":"00000000-0000-4000-8000-0000000000e2","row":{"name":"tB"}},
 {"op":"insert","table":"Toy","uuid":"00000000-0000-4000-8000-0000000000f1","row":{"name":"ball"}},
 {"op":"insert","table":"Child","uuid":"00000000-0000-4000-8000-0000000000c1",
  "row":{"name":"c1","toys":["uuid","00000000-0000-4000-8000-0000000000f1"]}},
 {"op":"insert","table":"Child","uuid":"00000000-0000-4000-8000-0000000000c2",
  "row":{"name":"c2","peer":["uuid","00000000-0000-4000-8000-0000000000c1"]}},
 {"op":"insert","table":"Parent","uuid":"00000000-0000-4000-8000-0000000000b1",
  "row":{"name":"p1",
         "kids":["set",[["uuid","00000000-0000-4000-8000-0000000000c1"],
                        ["uuid","00000000-0000-4000-8000-0000000000c2"]]],
         "fav":["uuid","00000000-0000-4000-8000-0000000000c1"],
         "bykey":["map",[["k",["uuid","00000000-0000-4000-8000-0000000000c2"]]]],
         "watch":["set",[["uuid","00000000-0000-4000-8000-0000000000e1"],
                         ["uuid","00000000-0000-4000-8000-0000000000e2"]]]}},
 {"op":"insert","table":"Watcher","uuid":"00000000-0000-4000-8000-000000000091",
  "row":{"name":"w1","one":["uuid","00000000-0000-4000-8000-0000000000e1"],
         "some":["set",[["uuid","00000000-0000-4000-8000-0000000000e1"],
                        ["uuid","00000000-0000-4000-8000-0000000000e2"]]],
         "wmap":["map",[["x",["uuid","00000000-0000-4000-8000-0000000000e2"]]]]}},
 {"op":"insert","table":"Pair","uuid":"00000000-0000-4000-8000-000000000071",
  "row":{"a":1,"b":"x","c":1,"d":0}},
 {"op":"insert","table":"Pair","uuid":"00000000-0000-4000-8000-000000000072",
  "row":{"a":2,"b":"y","d":1}}
]"#;

/// The pre-filled database, built once per process.
pub fn base_db() -> &'static Database {
    static DB: OnceLock<Database> = OnceLock::new();
    DB.get_or_init(|| {
        let schema = ovs_json::parse(SCHEMA)
            .map_err(|e| e.to_string())
            .and_then(|j| DatabaseSchema::from_json(&j).map_err(|e| e.to_string()))
            .unwrap_or_else(|e| panic!("fuzz schema is invalid: {e}"));
        let mut db = Database::new(Arc::new(schema));
        let ops = match ovs_json::parse(PREFILL) {
            Ok(Json::Array(ops)) => ops,
            other => panic!("fuzz prefill is not a JSON array: {other:?}"),
        };
        match execute(&db, &ops, &ExecContext::new(Instant::now())) {
            Execution::Committed { changes, .. } => db.apply(&changes),
            other => panic!("fuzz prefill did not commit: {other:?}"),
        }
        check_integrity(&db);
        db
    })
}

/// How far an input got.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ran {
    NotJson,
    Failed,
    Committed,
}

/// Runs every check on one input; panics (with what went wrong) on a violation.
pub fn check(data: &[u8]) -> Ran {
    let Ok(params) = ovs_json::parse_bytes(data) else {
        return Ran::NotJson;
    };
    let db = base_db();
    let owns_lock = |name: &str| name == "mine";
    let mut ctx = ExecContext::new(Instant::now());
    ctx.owns_lock = Some(&owns_lock);
    // Params normally start with the database name; without one, the whole array is
    // the operations, which saves the fuzzer from having to find the name.
    let (execution, n_ops) = match &params {
        Json::Array(items) if !matches!(items.first(), Some(Json::String(_))) => {
            (execute(db, items, &ctx), items.len())
        }
        Json::Array(items) => (
            execute_params(db, &params, &ctx),
            items.len().saturating_sub(1),
        ),
        _ => (execute_params(db, &params, &ctx), 0),
    };
    match execution {
        Execution::Committed {
            result,
            changes,
            comment,
            ..
        } => {
            assert_eq!(
                result.as_array().map(<[Json]>::len),
                Some(n_ops),
                "a committed reply needs one result per operation"
            );
            let mut after = db.clone();
            after.apply(&changes);
            check_integrity(&after);
            check_record(db, &after, &changes, comment.as_deref());
            Ran::Committed
        }
        Execution::Failed { result } => {
            let Some(results) = result.as_array() else {
                // Only params that are not `[db-name, op...]` fail with a bare error.
                assert!(result.get("error").is_some(), "bad failure reply {result}");
                return Ran::Failed;
            };
            assert!(
                results.len() == n_ops || results.len() == n_ops + 1,
                "{} results for {n_ops} operations",
                results.len()
            );
            assert!(
                results.iter().any(|r| r.get("error").is_some()),
                "a failed transaction reports no error"
            );
            Ran::Failed
        }
        Execution::Blocked { .. } => panic!("a transaction blocked though it may not"),
    }
}

/// The file record of a commit, written and read back as text and replayed onto the
/// database as it was, gives the database as it is.
fn check_record(
    before: &Database,
    after: &Database,
    changes: &ovsdb::Changes,
    comment: Option<&str>,
) {
    let mut replayed = before.clone();
    if let Some(record) = changes_to_record(before, changes, comment, 0) {
        let text = record.to_compact();
        let read = ovs_json::parse(&text)
            .unwrap_or_else(|e| panic!("record does not parse ({e}): {text}"));
        if let Err(e) = apply_record(&mut replayed, &read) {
            panic!("record does not replay ({e}): {text}");
        }
    }
    let (want, got) = (persistent_contents(after), persistent_contents(&replayed));
    if want != got && !want.reals_print_alike {
        let record = changes_to_record(before, changes, comment, 0);
        panic!(
            "replaying the record gives other contents\nrecord: {}\nwant: {want:?}\ngot: {got:?}",
            record.map(|r| r.to_compact()).unwrap_or_default()
        );
    }
}
