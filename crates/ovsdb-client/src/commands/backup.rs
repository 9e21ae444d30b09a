//! `backup` (write the database as a standalone database file on stdout) and
//! `restore` (replace the database's contents with such a file read from stdin).

use super::{need_target, Target};
use crate::error::{fatal, Fatal, Result};
use crate::rpc::Rpc;
use crate::schema::{self, schema_to_json};
use crate::session::{self, Ctx};
use crate::vlog;
use ovs_hash_order::Shape;
use ovs_json::{Json, Object};
use ovsdb::{Atom, Datum, Type};
use ovsdb_log::framing::{frame, MAGIC_STANDALONE};
use std::io::{IsTerminal, Write};
use std::path::Path;

const BACKUP_COMMENT: &str = "produced by \"ovsdb-client backup\"";

pub fn backup(ctx: &mut Ctx, target: Option<Target>, _: Option<Rpc>, _: &[String]) -> Result<()> {
    if std::io::stdout().is_terminal() {
        fatal!("not writing backup to a terminal; please redirect stdout to a file");
    }
    let Target { mut rpc, database } = need_target(target)?;
    let schema = schema::fetch(ctx, &mut rpc, &database)?;

    // One select per table for every column that survives a restart.
    let tables = schema.tables_in_reference_order();
    let mut params = vec![Json::string(database.as_str())];
    for table in &tables {
        let columns = schema
            .columns_in_reference_order(table)
            .into_iter()
            .filter(|c| c.persistent && c.name != "_version")
            .map(|c| Json::string(c.name.as_str()));
        params.push(Json::object([
            ("op", Json::string("select")),
            ("table", Json::string(table.name.as_str())),
            ("where", Json::array([])),
            ("columns", Json::array(columns)),
        ]));
    }
    let params_shape = Shape::Array(
        std::iter::once(Shape::Leaf)
            .chain(
                tables
                    .iter()
                    .map(|_| Shape::flat_object(["op", "table", "where", "columns"])),
            )
            .collect(),
    );
    let (result, _) = session::call_shaped(ctx, &mut rpc, "transact", params, params_shape)?;
    let results = result.as_array().unwrap_or(&[]);

    let mut record = Object::new();
    for (i, table) in tables.iter().enumerate() {
        let Some(rows) = results
            .get(i)
            .and_then(|r| r.get("rows"))
            .and_then(Json::as_array)
        else {
            fatal!(
                "{} table reply is not an object with a \"rows\" member array",
                table.name
            );
        };
        let mut table_json = Object::new();
        for row in rows {
            let Some(uuid) = row
                .get("_uuid")
                .and_then(|u| {
                    Datum::from_json(u, &Type::scalar(ovsdb::AtomicType::Uuid), &mut |_| None).ok()
                })
                .and_then(|d| d.first().and_then(Atom::as_uuid))
            else {
                fatal!("row in table {} lacks a valid _uuid", table.name);
            };
            let mut row_json = Object::new();
            for column in table.user_columns().iter().filter(|c| c.persistent) {
                let Some(value) = row.get(&column.name) else {
                    continue;
                };
                let datum = Datum::from_json(value, &column.type_, &mut |_| None)
                    .map_err(|e| Fatal::new(session::error_text(&e)))?;
                row_json.insert(column.name.clone(), datum.to_json(&column.type_));
            }
            table_json.insert(uuid.to_string(), Json::Object(row_json));
        }
        if !table_json.is_empty() {
            record.insert(table.name.clone(), Json::Object(table_json));
        }
    }
    record.insert("_date".into(), Json::Integer(ovsdb::storage::now_ms()));
    record.insert("_comment".into(), Json::string(BACKUP_COMMENT));
    record.insert("_is_diff".into(), Json::Bool(true));

    let mut bytes = Vec::new();
    let schema_text = schema_to_json(&schema.schema).to_compact();
    frame(MAGIC_STANDALONE, &schema_text, &mut bytes);
    frame(
        MAGIC_STANDALONE,
        &Json::Object(record).to_compact(),
        &mut bytes,
    );
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(&bytes)
        .and_then(|()| stdout.flush())
        .map_err(|e| Fatal::io("/dev/stdout: write failed", &e))?;
    Ok(())
}

pub fn restore(ctx: &mut Ctx, target: Option<Target>, _: Option<Rpc>, _: &[String]) -> Result<()> {
    if std::io::stdin().is_terminal() {
        fatal!("not reading backup from a terminal; please redirect stdin from a file");
    }
    let Target { mut rpc, database } = need_target(target)?;
    let backup = ovsdb::storage::open(Path::new("/dev/stdin"), true)
        .map_err(|e| Fatal::new(e.to_string()))?
        .db;

    let current = schema::fetch(ctx, &mut rpc, &database)?;
    let backup_json = schema_to_json(&backup.schema);
    if backup_json != current.to_json() {
        let (v1, v2) = (&backup.schema.version, &current.schema.version);
        let mut msg = if v1 != v2 {
            format!("backup schema has version \"{v1}\" but database schema has version \"{v2}\"")
        } else {
            format!("backup schema and database schema are both version {v1} but still differ")
        };
        if !ctx.opts.force {
            msg.push_str(
                " (use --force to override differences, or \"ovsdb-client convert\" to change the schema)",
            );
            return Err(Fatal::new(msg));
        }
        vlog::info!(vlog::OVSDB_CLIENT, "{}", msg);
    }

    // Empty every table, then insert every row under a name derived from its old
    // UUID, so that references between restored rows survive (their UUIDs change).
    let mut params = vec![Json::string(backup.schema.name.as_str())];
    for (name, table) in &backup.tables {
        let Some(table_schema) = backup.schema.table(name) else {
            continue;
        };
        params.push(Json::object([
            ("op", Json::string("delete")),
            ("table", Json::string(name.as_str())),
            ("where", Json::array([])),
        ]));
        let mut rows: Vec<_> = table.rows.values().collect();
        rows.sort_by_key(|r| r.uuid);
        for row in rows {
            let mut row_json = Object::new();
            for (i, column) in table_schema
                .columns
                .iter()
                .enumerate()
                .skip(ovsdb::schema::N_IMPLICIT)
            {
                let datum = row.datum(i);
                if column.persistent && !datum.is_default(&column.type_) {
                    row_json.insert(column.name.clone(), with_row_names(datum, &column.type_));
                }
            }
            params.push(Json::object([
                ("op", Json::string("insert")),
                ("table", Json::string(name.as_str())),
                ("uuid-name", Json::String(row_name(&row.uuid))),
                ("row", Json::Object(row_json)),
            ]));
        }
    }
    let (result, _) = session::call(ctx, &mut rpc, "transact", params)?;
    let Json::Array(results) = &result else {
        fatal!(
            "restore transaction returned unexpected result {}",
            result.to_compact()
        );
    };
    if let Some(error) = results.iter().find(|r| r.get("error").is_some()) {
        fatal!("server returned error reply: {}", error.to_compact());
    }
    Ok(())
}

/// The `uuid-name` a restored row is inserted under.
fn row_name(uuid: &ovsdb::Uuid) -> String {
    format!("row{}", uuid.to_string().replace('-', "_"))
}

/// A datum's JSON with references to other rows written as named UUIDs.
fn with_row_names(datum: &Datum, t: &Type) -> Json {
    let atom = |a: &Atom, is_ref: bool| match (a, is_ref) {
        (Atom::Uuid(u), true) => {
            Json::array([Json::string("named-uuid"), Json::String(row_name(u))])
        }
        _ => a.to_json(),
    };
    let key_ref = t.key.ref_table.is_some();
    match &t.value {
        Some(value_type) => {
            let value_ref = value_type.ref_table.is_some();
            let pairs = datum
                .pairs()
                .map(|(k, v)| Json::array([atom(k, key_ref), atom(v, value_ref)]));
            Json::array([Json::string("map"), Json::array(pairs)])
        }
        None if datum.len() == 1 => atom(&datum.keys()[0], key_ref),
        None => Json::array([
            Json::string("set"),
            Json::array(datum.keys().iter().map(|k| atom(k, key_ref))),
        ]),
    }
}
