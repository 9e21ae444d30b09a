//! The built-in `_Server` database: one `Database` row per served database, so clients
//! (the IDL first of all) can learn each database's model and state and monitor it.

use ovsdb::{Atom, Changes, Database, DatabaseSchema, Datum, Row, RowChange};
use std::collections::BTreeMap;
use std::sync::Arc;

pub const NAME: &str = "_Server";

/// The `_Server` schema (version 1.2.0 of the protocol's server database).
pub fn schema() -> DatabaseSchema {
    let json = ovs_json::parse(
        r#"{"name":"_Server","version":"1.2.0","cksum":"3009684573 744","tables":{"Database":{"columns":{
            "name":{"type":"string"},
            "model":{"type":{"key":{"type":"string","enum":["set",["standalone","clustered","relay"]]}}},
            "connected":{"type":"boolean"},
            "leader":{"type":"boolean"},
            "schema":{"type":{"key":"string","min":0}},
            "cid":{"type":{"key":"uuid","min":0}},
            "sid":{"type":{"key":"uuid","min":0}},
            "index":{"type":{"key":"integer","min":0}}}}}}"#,
    );
    match json
        .map_err(|e| e.to_string())
        .and_then(|j| DatabaseSchema::from_json(&j).map_err(|e| e.to_string()))
    {
        Ok(s) => s,
        // The text above is a constant; failing to parse it is a programming error.
        Err(e) => panic!("built-in _Server schema is invalid: {e}"),
    }
}

/// The changes that make `server_db` describe exactly `served` (name → schema).
pub fn sync(server_db: &Database, served: &BTreeMap<String, Arc<DatabaseSchema>>) -> Changes {
    let table = &server_db.schema.tables["Database"];
    let col = |n: &str| table.column_index(n).unwrap_or(usize::MAX);
    let (c_name, c_model, c_conn, c_leader, c_schema) = (
        col("name"),
        col("model"),
        col("connected"),
        col("leader"),
        col("schema"),
    );
    let rows = &server_db.tables["Database"].rows;
    let mut changes = BTreeMap::new();
    for (uuid, row) in rows {
        let name = row
            .datum(c_name)
            .first()
            .and_then(Atom::as_str)
            .unwrap_or("");
        if !served.contains_key(name) {
            changes.insert(
                *uuid,
                RowChange {
                    old: Some(row.clone()),
                    new: None,
                },
            );
        }
    }
    for (name, schema) in served {
        let existing = rows
            .values()
            .find(|r| r.datum(c_name).first().and_then(Atom::as_str) == Some(name.as_str()));
        let schema_text = Some(schema.to_json().to_compact());
        let mut row = match existing {
            Some(r) => (**r).clone(),
            None => Row::new_default(table, uuid::Uuid::new_v4()),
        };
        row.set(c_name, Datum::scalar(Atom::string(name)));
        row.set(c_model, Datum::scalar(Atom::string("standalone")));
        row.set(c_conn, Datum::scalar(Atom::Boolean(true)));
        row.set(c_leader, Datum::scalar(Atom::Boolean(true)));
        row.set(
            c_schema,
            schema_text.map_or_else(Datum::empty, |s| Datum::scalar(Atom::string(&s))),
        );
        if existing.map(|r| **r == row).unwrap_or(false) {
            continue;
        }
        row.version = uuid::Uuid::new_v4();
        changes.insert(
            row.uuid,
            RowChange {
                old: existing.cloned(),
                new: Some(Arc::new(row)),
            },
        );
    }
    let mut c = Changes::default();
    if !changes.is_empty() {
        c.tables.insert("Database".into(), changes);
    }
    c
}
