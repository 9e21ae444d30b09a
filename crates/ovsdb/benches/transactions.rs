//! Transaction throughput on the Open_vSwitch schema, the shapes ovs-vsctl produces:
//! `add-port` into a bridge that already has many ports (one small transaction against a
//! big database), a bulk insert of 2,500 ports in one transaction, and lookups by UUID.
//! Run with `cargo bench -p ovsdb --bench transactions`; it prints rates, not verdicts.

use ovs_json::{parse, Json};
use ovsdb::{execute, Database, DatabaseSchema, ExecContext, Execution};
use std::sync::Arc;
use std::time::Instant;

fn commit(db: &mut Database, ops: &str) -> Json {
    let ops = match parse(ops) {
        Ok(Json::Array(ops)) => ops,
        other => panic!("bad benchmark transaction: {other:?}"),
    };
    match execute(db, &ops, &ExecContext::new(Instant::now())) {
        Execution::Committed {
            result, changes, ..
        } => {
            db.apply(&changes);
            result
        }
        other => panic!("benchmark transaction failed: {other:?}"),
    }
}

fn add_port(name: &str) -> String {
    format!(
        r#"[{{"op":"insert","table":"Interface","uuid-name":"i","row":{{"name":"{name}"}}}},
            {{"op":"insert","table":"Port","uuid-name":"p","row":{{"name":"{name}","interfaces":["named-uuid","i"]}}}},
            {{"op":"mutate","table":"Bridge","where":[["name","==","br0"]],"mutations":[["ports","insert",["named-uuid","p"]]]}}]"#
    )
}

fn main() {
    let schema = std::fs::read_to_string(vswitch_schema::path()).expect("vswitch schema");
    let schema = DatabaseSchema::from_json(&parse(&schema).expect("schema JSON")).expect("schema");
    let mut db = Database::new(Arc::new(schema));
    commit(
        &mut db,
        r#"[{"op":"insert","table":"Bridge","uuid-name":"b","row":{"name":"br0"}},
            {"op":"insert","table":"Open_vSwitch","row":{"bridges":["named-uuid","b"]}}]"#,
    );

    // Bulk: 2,500 ports per transaction.
    let start = Instant::now();
    let mut bulk_rows = 0;
    for batch in 0..10 {
        let mut ops = Vec::new();
        let mut ports = Vec::new();
        for i in 0..2500 {
            let n = batch * 2500 + i;
            ops.push(format!(
                r#"{{"op":"insert","table":"Interface","uuid-name":"i{i}","row":{{"name":"bulk{n}"}}}}"#
            ));
            ops.push(format!(
                r#"{{"op":"insert","table":"Port","uuid-name":"p{i}","row":{{"name":"bulk{n}","interfaces":["named-uuid","i{i}"]}}}}"#
            ));
            ports.push(format!(r#"["named-uuid","p{i}"]"#));
        }
        ops.push(format!(
            r#"{{"op":"mutate","table":"Bridge","where":[["name","==","br0"]],"mutations":[["ports","insert",["set",[{}]]]]}}"#,
            ports.join(",")
        ));
        commit(&mut db, &format!("[{}]", ops.join(",")));
        bulk_rows += 5000;
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "bulk insert: {:.0} rows/s ({} rows in {:.2}s)",
        bulk_rows as f64 / secs,
        bulk_rows,
        secs
    );

    // add-port against a database with 50,000 rows.
    let n = 500;
    let start = Instant::now();
    for i in 0..n {
        commit(&mut db, &add_port(&format!("p{i}")));
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "add-port with {} rows: {:.0} txn/s ({:.2} ms each)",
        db.n_rows(),
        n as f64 / secs,
        secs * 1000.0 / n as f64
    );

    // Single-row updates by UUID.
    let port = db.tables["Port"].rows.values().next().expect("a port").uuid;
    let start = Instant::now();
    for i in 0..5000 {
        commit(
            &mut db,
            &format!(
                r#"[{{"op":"update","table":"Port","where":[["_uuid","==",["uuid","{port}"]]],"row":{{"external_ids":["map",[["n","{i}"]]]}}}}]"#
            ),
        );
    }
    let secs = start.elapsed().as_secs_f64();
    println!("update by _uuid: {:.0} txn/s", 5000.0 / secs);
}
