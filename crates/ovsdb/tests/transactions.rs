//! Transaction behaviour that `ovsdb-tool` cannot show (it has no triggers, sessions or
//! locks) and the change sets the server writes and applies.

use ovs_json::{parse, Json};
use ovsdb::{
    execute, execute_params, Changes, Database, DatabaseSchema, ExecContext, Execution, Uuid,
};
use std::sync::Arc;
use std::time::{Duration, Instant};

const SCHEMA: &str = r#"{"name":"S","version":"1.0.0","tables":{
  "Root":{"isRoot":true,"columns":{
    "name":{"type":"string"},
    "n":{"type":"integer"},
    "kids":{"type":{"key":{"type":"uuid","refTable":"Kid"},"min":0,"max":"unlimited"}},
    "watch":{"type":{"key":{"type":"uuid","refTable":"Target","refType":"weak"},"min":0,"max":"unlimited"}},
    "one":{"type":{"key":{"type":"uuid","refTable":"Target","refType":"weak"},"min":0,"max":1}}},
    "indexes":[["name"]]},
  "Kid":{"columns":{"name":{"type":"string"}}},
  "Target":{"isRoot":true,"columns":{"name":{"type":"string"}}}}}"#;

fn database(schema: &str) -> Database {
    let schema = DatabaseSchema::from_json(&parse(schema).unwrap()).unwrap();
    Database::new(Arc::new(schema))
}

fn ops(json: &str) -> Vec<Json> {
    match parse(json).unwrap() {
        Json::Array(ops) => ops,
        other => panic!("not an array: {other:?}"),
    }
}

/// Runs `json` (an array of operations) and commits it, returning the reply.
fn commit(db: &mut Database, json: &str) -> Json {
    match execute(db, &ops(json), &ExecContext::new(Instant::now())) {
        Execution::Committed {
            result, changes, ..
        } => {
            db.apply(&changes);
            result
        }
        other => panic!("{json} did not commit: {other:?}"),
    }
}

fn failed(db: &Database, json: &str, ctx: &ExecContext) -> Json {
    match execute(db, &ops(json), ctx) {
        Execution::Failed { result } => result,
        other => panic!("{json} did not fail: {other:?}"),
    }
}

fn error_at(result: &Json, i: usize) -> (String, String) {
    let e = &result.as_array().unwrap()[i];
    (
        e.get("error")
            .and_then(Json::as_str)
            .unwrap_or("")
            .to_owned(),
        e.get("details")
            .and_then(Json::as_str)
            .unwrap_or("")
            .to_owned(),
    )
}

#[test]
fn unsatisfied_wait_blocks_until_its_timeout_then_times_out() {
    let mut db = database(SCHEMA);
    let wait = r#"[{"op":"wait","table":"Root","timeout":100,"where":[["name","==","a"]],
                   "columns":["name"],"until":"==","rows":[{"name":"a"}]},
                  {"op":"insert","table":"Root","row":{"name":"after-wait"}}]"#;
    let started = Instant::now();
    let mut ctx = ExecContext::new(started);
    ctx.can_block = true;
    assert_eq!(
        execute(&db, &ops(wait), &ctx),
        Execution::Blocked {
            until: Some(started + Duration::from_millis(100))
        }
    );
    // Still waiting just before the deadline.
    ctx.now = started + Duration::from_millis(99);
    assert!(matches!(
        execute(&db, &ops(wait), &ctx),
        Execution::Blocked { .. }
    ));
    // At the deadline the run reports how long it waited.
    ctx.now = started + Duration::from_millis(150);
    let result = failed(&db, wait, &ctx);
    assert_eq!(
        error_at(&result, 0),
        ("timed out".into(), "\"wait\" timed out after 150 ms".into())
    );
    assert_eq!(result.as_array().unwrap()[1], Json::Null);
    // Once the condition holds, a re-run commits.
    commit(
        &mut db,
        r#"[{"op":"insert","table":"Root","row":{"name":"a"}}]"#,
    );
    ctx.now = started + Duration::from_millis(50);
    assert!(matches!(
        execute(&db, &ops(wait), &ctx),
        Execution::Committed { .. }
    ));
}

#[test]
fn wait_without_timeout_blocks_forever_and_the_earliest_timeout_wins() {
    let db = database(SCHEMA);
    let started = Instant::now();
    let mut ctx = ExecContext::new(started);
    ctx.can_block = true;
    let forever = r#"[{"op":"wait","table":"Root","where":[],"until":"!=","rows":[]}]"#;
    assert_eq!(
        execute(&db, &ops(forever), &ctx),
        Execution::Blocked { until: None }
    );
    // A satisfied wait still lowers the deadline of a later unsatisfied one.
    let two = r#"[{"op":"wait","table":"Root","timeout":30,"where":[],"until":"==","rows":[]},
                 {"op":"wait","table":"Root","timeout":500,"where":[],"until":"!=","rows":[]}]"#;
    assert_eq!(
        execute(&db, &ops(two), &ctx),
        Execution::Blocked {
            until: Some(started + Duration::from_millis(30))
        }
    );
    // Without triggers (ovsdb-tool), the same request fails at once.
    ctx.can_block = false;
    let result = failed(&db, forever, &ctx);
    assert_eq!(
        error_at(&result, 0),
        ("not supported".into(), "triggers not supported".into())
    );
    // timeout 0 is the IDL's "verify": it never blocks.
    ctx.can_block = true;
    let verify = r#"[{"op":"wait","table":"Root","timeout":0,"where":[],"until":"!=","rows":[]}]"#;
    assert_eq!(
        error_at(&failed(&db, verify, &ctx), 0),
        ("timed out".into(), "\"where\" clause test failed".into())
    );
}

#[test]
fn read_only_sessions_and_reserved_databases_cannot_write() {
    let db = database(SCHEMA);
    let mut ctx = ExecContext::new(Instant::now());
    ctx.read_only = true;
    let insert = r#"[{"op":"select","table":"Root","where":[]},
                     {"op":"insert","table":"Root","row":{"name":"x"}}]"#;
    let result = failed(&db, insert, &ctx);
    assert_eq!(
        result.as_array().unwrap()[0],
        parse(r#"{"rows":[]}"#).unwrap()
    );
    assert_eq!(
        error_at(&result, 1),
        (
            "not allowed".into(),
            "insert operation not allowed when database server is in read only mode".into()
        )
    );
    // Reading, waiting, commenting and asserting are allowed; so are parse errors
    // reported as such.
    let reads = r#"[{"op":"select","table":"Root","where":[]},{"op":"comment","comment":"c"},
                    {"op":"wait","table":"Root","timeout":0,"where":[],"until":"==","rows":[]}]"#;
    assert!(matches!(
        execute(&db, &ops(reads), &ctx),
        Execution::Committed { .. }
    ));
    let bad = r#"[{"op":"delete","table":"Nope","where":[]}]"#;
    assert_eq!(error_at(&failed(&db, bad, &ctx), 0).0, "syntax error");
    assert_eq!(
        error_at(
            &failed(&db, r#"[{"op":"commit","durable":false}]"#, &ctx),
            0
        )
        .1,
        "commit operation not allowed when database server is in read only mode"
    );

    let server = database(
        r#"{"name":"_Server","tables":{"Database":{"columns":{"name":{"type":"string"}}}}}"#,
    );
    let ctx = ExecContext::new(Instant::now());
    let result = failed(
        &server,
        r#"[{"op":"update","table":"Database","where":[],"row":{"name":"x"}}]"#,
        &ctx,
    );
    assert_eq!(
        error_at(&result, 0),
        (
            "not allowed".into(),
            "update operation not allowed on table in reserved database _Server".into()
        )
    );
}

#[test]
fn assert_needs_the_lock() {
    let db = database(SCHEMA);
    let owns = |name: &str| name == "ovs_vswitchd";
    let mut ctx = ExecContext::new(Instant::now());
    ctx.owns_lock = Some(&owns);
    let held = r#"[{"op":"assert","lock":"ovs_vswitchd"}]"#;
    match execute(&db, &ops(held), &ctx) {
        Execution::Committed { result, .. } => assert_eq!(result, parse("[{}]").unwrap()),
        other => panic!("{other:?}"),
    }
    let other = r#"[{"op":"assert","lock":"other"}]"#;
    assert_eq!(
        error_at(&failed(&db, other, &ctx), 0),
        ("not owner".into(), "Asserted lock other not held.".into())
    );
}

#[test]
fn params_must_name_the_database() {
    let db = database(SCHEMA);
    let ctx = ExecContext::new(Instant::now());
    let run = |p: &str| execute_params(&db, &parse(p).unwrap(), &ctx);
    assert_eq!(
        run(r#"["S"]"#),
        Execution::Committed {
            result: Json::Array(vec![]),
            changes: Changes::default(),
            durable: false,
            comment: None
        }
    );
    let Execution::Failed { result } = run(r#"["T",{"op":"abort"}]"#) else {
        panic!()
    };
    assert_eq!(
        result.get("details").and_then(Json::as_str),
        Some("database name expected as first parameter")
    );
    let Execution::Failed { result } = run("{}") else {
        panic!()
    };
    assert_eq!(
        result.get("details").and_then(Json::as_str),
        Some("array expected")
    );
}

fn uuid_of(result: &Json, i: usize) -> Uuid {
    let text = result.as_array().unwrap()[i]
        .get("uuid")
        .and_then(Json::as_array)
        .and_then(|a| a[1].as_str())
        .unwrap();
    Uuid::parse_str(text).unwrap()
}

#[test]
fn changes_describe_exactly_what_commits() {
    let mut db = database(SCHEMA);
    let ctx = ExecContext::new(Instant::now());
    let insert = r#"[{"op":"insert","table":"Root","row":{"name":"r","kids":["named-uuid","k"]}},
                     {"op":"insert","table":"Kid","uuid-name":"k","row":{"name":"k"}},
                     {"op":"insert","table":"Kid","row":{"name":"orphan"}},
                     {"op":"comment","comment":"one"},{"op":"comment","comment":"two"},
                     {"op":"commit","durable":true}]"#;
    let Execution::Committed {
        result,
        changes,
        durable,
        comment,
    } = execute(&db, &ops(insert), &ctx)
    else {
        panic!()
    };
    assert!(durable);
    assert_eq!(comment.as_deref(), Some("one\ntwo"));
    let (root, kid, orphan) = (
        uuid_of(&result, 0),
        uuid_of(&result, 1),
        uuid_of(&result, 2),
    );
    // The unreferenced Kid was collected without a trace.
    assert_eq!(changes.n_rows(), 2);
    assert!(changes.tables["Kid"].contains_key(&kid));
    assert!(!changes.tables["Kid"].contains_key(&orphan));
    let new_root = changes.tables["Root"][&root].new.clone().unwrap();
    assert!(changes.tables["Root"][&root].old.is_none());
    assert!(!new_root.version.is_nil());
    db.apply(&changes);
    assert_eq!(db.n_rows(), 2);
    assert_eq!(db.tables["Kid"].strong_ref_count(&kid), 1);

    // An update to the same value changes nothing (and writes nothing).
    let same = r#"[{"op":"update","table":"Root","where":[],"row":{"name":"r"}}]"#;
    let Execution::Committed {
        result, changes, ..
    } = execute(&db, &ops(same), &ctx)
    else {
        panic!()
    };
    assert_eq!(result, parse(r#"[{"count":1}]"#).unwrap());
    assert!(changes.is_empty());

    // Dropping the reference deletes the kid; the root gets a new version.
    let drop = r#"[{"op":"mutate","table":"Root","where":[],"mutations":[["kids","delete",["set",[]]],["n","+=",1]]},
                   {"op":"update","table":"Root","where":[],"row":{"kids":["set",[]]}}]"#;
    let Execution::Committed { changes, .. } = execute(&db, &ops(drop), &ctx) else {
        panic!()
    };
    let root_change = &changes.tables["Root"][&root];
    let (old, new) = (
        root_change.old.clone().unwrap(),
        root_change.new.clone().unwrap(),
    );
    assert_eq!(old.version, new_root.version);
    assert_ne!(new.version, old.version);
    let kid_change = &changes.tables["Kid"][&kid];
    assert!(kid_change.old.is_some() && kid_change.new.is_none());
    db.apply(&changes);
    assert_eq!(db.n_rows(), 1);
    assert_eq!(db.tables["Kid"].strong_ref_count(&kid), 0);
    assert_eq!(
        db.tables["Root"].index_lookup(
            0,
            &[new
                .get(db.schema.tables["Root"].column_index("name").unwrap())
                .into_owned()]
        ),
        Some(root)
    );
}

#[test]
fn weak_references_are_cleaned_in_any_order() {
    // Open vSwitch 3.1 leaves a weak reference to a deleted row in place when the
    // referring row was modified earlier in the same transaction; oxvs always removes it.
    let mut db = database(SCHEMA);
    let r = commit(
        &mut db,
        r#"[{"op":"insert","table":"Target","uuid-name":"t","row":{"name":"t"}},
            {"op":"insert","table":"Target","uuid-name":"u","row":{"name":"u"}},
            {"op":"insert","table":"Root","row":{"name":"w","watch":["set",[["named-uuid","t"],["named-uuid","u"]]],"one":["named-uuid","t"]}}]"#,
    );
    let (t, u) = (uuid_of(&r, 0), uuid_of(&r, 1));
    assert_eq!(db.tables["Target"].weak_referrers(&t).count(), 1);
    commit(
        &mut db,
        r#"[{"op":"update","table":"Root","where":[],"row":{"n":5}},
            {"op":"delete","table":"Target","where":[["name","==","t"]]}]"#,
    );
    let reply = commit(
        &mut db,
        r#"[{"op":"select","table":"Root","where":[],"columns":["watch","one","n"]}]"#,
    );
    assert_eq!(
        reply,
        parse(&format!(
            r#"[{{"rows":[{{"n":5,"one":["set",[]],"watch":["uuid","{u}"]}}]}}]"#
        ))
        .unwrap()
    );
    assert_eq!(db.tables["Target"].weak_referrers(&t).count(), 0);
    assert_eq!(db.tables["Target"].weak_referrers(&u).count(), 1);
}

#[test]
fn maintained_bookkeeping_matches_a_rebuild() {
    let mut db = database(SCHEMA);
    let steps = [
        r#"[{"op":"insert","table":"Target","uuid-name":"t","row":{"name":"t"}},
            {"op":"insert","table":"Kid","uuid-name":"k1","row":{"name":"k1"}},
            {"op":"insert","table":"Kid","uuid-name":"k2","row":{"name":"k2"}},
            {"op":"insert","table":"Root","row":{"name":"a","kids":["set",[["named-uuid","k1"],["named-uuid","k2"]]],"watch":["named-uuid","t"]}},
            {"op":"insert","table":"Root","row":{"name":"b","kids":["named-uuid","k1"],"one":["named-uuid","t"]}}]"#,
        r#"[{"op":"update","table":"Root","where":[["name","==","a"]],"row":{"name":"c","kids":["set",[]]}}]"#,
        r#"[{"op":"delete","table":"Target","where":[]}]"#,
        r#"[{"op":"delete","table":"Root","where":[["name","==","b"]]}]"#,
    ];
    for step in steps {
        commit(&mut db, step);
        let mut rebuilt = db.clone();
        rebuilt.rebuild_indexes();
        assert_eq!(db.tables, rebuilt.tables, "after {step}");
    }
    assert_eq!(db.n_rows(), 1);
}

#[test]
fn a_reference_into_another_table_is_checked_even_with_the_rows_own_uuid() {
    // Found by fuzzing: the reference treats any reference carrying the row's own UUID
    // as a self-reference, even into another table, and commits a dangling reference.
    let db = database(SCHEMA);
    let txn = r#"[{"op":"insert","table":"Root","uuid-name":"me","row":{"name":"x","kids":["named-uuid","me"]}}]"#;
    let result = failed(&db, txn, &ExecContext::new(Instant::now()));
    let (tag, details) = error_at(&result, 1);
    assert_eq!(tag, "referential integrity violation");
    assert!(
        details.starts_with("Table Root column kids row "),
        "{details}"
    );
    assert!(details.ends_with("in table Kid."), "{details}");
    // A true self-reference is fine and does not keep a row alive.
    let mut db = database(
        r#"{"name":"S","tables":{"R":{"isRoot":true,"columns":{"k":{"type":{"key":{"type":"uuid","refTable":"N"},"min":0,"max":1}}}},
            "N":{"columns":{"me":{"type":{"key":{"type":"uuid","refTable":"N"},"min":0,"max":1}}}}}}"#,
    );
    commit(
        &mut db,
        r#"[{"op":"insert","table":"R","row":{"k":["named-uuid","n"]}},
            {"op":"insert","table":"N","uuid-name":"n","row":{"me":["named-uuid","n"]}}]"#,
    );
    assert_eq!(db.n_rows(), 2);
    commit(
        &mut db,
        r#"[{"op":"update","table":"R","where":[],"row":{"k":["set",[]]}}]"#,
    );
    assert_eq!(db.n_rows(), 1);
}

fn row_change(db: &Database, table: &str, values: &[(&str, Json)]) -> (Uuid, ovsdb::RowChange) {
    let ts = &db.schema.tables[table];
    let mut row = ovsdb::Row::new_default(ts, Uuid::new_v4());
    for (name, json) in values {
        let c = ts.column_index(name).unwrap();
        let datum = ovsdb::Datum::from_json(json, &ts.columns[c].type_, &mut |_| None).unwrap();
        row.set(c, datum);
    }
    let uuid = row.uuid;
    (
        uuid,
        ovsdb::RowChange {
            old: None,
            new: Some(Arc::new(row)),
        },
    )
}

#[test]
fn replayed_records_go_through_the_commit_checks() {
    let mut db = database(SCHEMA);
    let uuid_json = |u: Uuid| parse(&format!(r#"["uuid","{u}"]"#)).unwrap();
    // A record with a referenced kid, an orphan kid and a weak reference to nothing.
    let (kid, kid_change) = row_change(&db, "Kid", &[("name", Json::string("k"))]);
    let (orphan, orphan_change) = row_change(&db, "Kid", &[("name", Json::string("o"))]);
    let (root, root_change) = row_change(
        &db,
        "Root",
        &[
            ("name", Json::string("r")),
            ("kids", uuid_json(kid)),
            ("watch", uuid_json(Uuid::new_v4())),
        ],
    );
    let mut record = Changes::default();
    record
        .tables
        .entry("Kid".into())
        .or_default()
        .insert(kid, kid_change);
    record
        .tables
        .entry("Kid".into())
        .or_default()
        .insert(orphan, orphan_change);
    record
        .tables
        .entry("Root".into())
        .or_default()
        .insert(root, root_change);
    let applied = ovsdb::replay(&db, &record).unwrap();
    assert!(applied.tables["Kid"].contains_key(&kid));
    assert!(!applied.tables["Kid"].contains_key(&orphan));
    let root_row = applied.tables["Root"][&root].new.clone().unwrap();
    let watch = db.schema.tables["Root"].column_index("watch").unwrap();
    assert!(root_row.datum(watch).is_empty());
    db.apply(&applied);
    assert_eq!(db.n_rows(), 2);

    // A record deleting a row that is still referenced is refused.
    let mut delete = Changes::default();
    let old = db.row("Kid", &kid).cloned();
    delete
        .tables
        .entry("Kid".into())
        .or_default()
        .insert(kid, ovsdb::RowChange { old, new: None });
    let e = ovsdb::replay(&db, &delete).unwrap_err();
    assert_eq!(e.tag, "referential integrity violation");
    assert_eq!(
        e.details,
        format!("cannot delete Kid row {kid} because of 1 remaining reference(s)")
    );
}
