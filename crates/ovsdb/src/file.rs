//! The database file's transaction records, as JSON: building them from committed
//! changes and replaying them onto a database.
//!
//! A record is `{"<table>": {"<uuid>": null | {column: value}}, "_date": ms,
//! "_comment": "...", "_is_diff": true}`. Inserts carry every non-default persistent
//! column; modifications carry only the changed persistent columns, as update2-style
//! differences when `_is_diff` is set (what the reference has written since 2.15) or as
//! whole values otherwise; deletions are `null`. Ephemeral columns are never written.
//! Record framing on disk lives in the `ovsdb-log` crate.

use crate::atom::{parse_uuid, uuid_text};
use crate::datum::Datum;
use crate::db::{Changes, Database, Row};
use crate::error::{Error, Result};
use crate::schema::{TableSchema, N_IMPLICIT};
use ovs_json::{Json, Object};
use std::sync::Arc;

/// The record for a committed transaction, or `None` if nothing persistent changed.
pub fn changes_to_record(
    db: &Database,
    changes: &Changes,
    comment: Option<&str>,
    date_ms: i64,
) -> Option<Json> {
    let mut record = Object::new();
    for (tname, rows) in &changes.tables {
        let Some(table) = db.schema.table(tname) else {
            continue;
        };
        let mut table_json = Object::new();
        for (uuid, change) in rows {
            let row_json = match (&change.old, &change.new) {
                (_, None) => Json::Null,
                (None, Some(new)) => Json::Object(row_contents(table, new)),
                (Some(old), Some(new)) => {
                    let diff = row_diff(table, old, new);
                    if diff.is_empty() {
                        continue;
                    }
                    Json::Object(diff)
                }
            };
            table_json.insert(uuid_text(uuid, &mut [0; 36]).to_owned(), row_json);
        }
        if !table_json.is_empty() {
            record.insert(tname.clone(), Json::Object(table_json));
        }
    }
    if record.is_empty() {
        return None;
    }
    finish_record(&mut record, comment, date_ms);
    record.insert("_is_diff".into(), Json::Bool(true));
    Some(Json::Object(record))
}

/// One record holding the whole database (what compaction writes after the schema).
pub fn snapshot_record(db: &Database, comment: Option<&str>, date_ms: i64) -> Json {
    let mut record = Object::new();
    for (tname, table) in &db.tables {
        let Some(schema) = db.schema.table(tname) else {
            continue;
        };
        if table.rows.is_empty() {
            continue;
        }
        let mut rows: Vec<_> = table.rows.values().collect();
        rows.sort_by_key(|r| r.uuid);
        let table_json: Object = rows
            .into_iter()
            .map(|r| {
                let uuid = uuid_text(&r.uuid, &mut [0; 36]).to_owned();
                (uuid, Json::Object(row_contents(schema, r)))
            })
            .collect();
        record.insert(tname.clone(), Json::Object(table_json));
    }
    finish_record(&mut record, comment, date_ms);
    Json::Object(record)
}

fn finish_record(record: &mut Object, comment: Option<&str>, date_ms: i64) {
    record.insert("_date".into(), Json::Integer(date_ms));
    if let Some(c) = comment.filter(|c| !c.is_empty()) {
        record.insert("_comment".into(), Json::string(c));
    }
}

/// Every persistent column whose value is not the default.
fn row_contents(table: &TableSchema, row: &Row) -> Object {
    table
        .columns
        .iter()
        .enumerate()
        .skip(N_IMPLICIT)
        .filter(|(_, c)| c.persistent)
        .filter(|(i, c)| !row.datum(*i).is_default(&c.type_))
        .map(|(i, c)| (c.name.clone(), row.datum(i).to_json(&c.type_)))
        .collect()
}

/// The changed persistent columns, as differences.
fn row_diff(table: &TableSchema, old: &Row, new: &Row) -> Object {
    table
        .columns
        .iter()
        .enumerate()
        .skip(N_IMPLICIT)
        .filter(|(_, c)| c.persistent)
        .filter_map(|(i, c)| {
            old.datum(i)
                .diff(new.datum(i), &c.type_)
                .map(|d| (c.name.clone(), d.to_json(&c.type_)))
        })
        .collect()
}

/// What a replayed record says about itself.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RecordInfo {
    pub date_ms: Option<i64>,
    pub comment: Option<String>,
    pub is_diff: bool,
}

/// Reads the `_date`, `_comment` and `_is_diff` members of a record.
pub fn record_info(record: &Json) -> RecordInfo {
    RecordInfo {
        date_ms: record.get("_date").and_then(Json::as_f64).map(|d| d as i64),
        comment: record
            .get("_comment")
            .and_then(Json::as_str)
            .map(str::to_owned),
        is_diff: record.get("_is_diff").and_then(Json::as_bool) == Some(true),
    }
}

/// Replays one transaction record onto `db`, returning what it changed.
pub fn apply_record(db: &mut Database, record: &Json) -> Result<Changes> {
    let members = record
        .as_object()
        .ok_or_else(|| Error::syntax(record, "transaction record must be an object"))?;
    let is_diff = record_info(record).is_diff;
    let mut changes = Changes::default();
    for (tname, table_json) in members {
        if tname.starts_with('_') {
            continue;
        }
        let schema = db.schema.clone();
        let table = schema.table(tname).ok_or_else(|| {
            Error::syntax(record, format!("No table named {tname}.")).with_kind("unknown table")
        })?;
        let rows = table_json
            .as_object()
            .ok_or_else(|| Error::syntax(table_json, "object expected"))?;
        let mut table_changes = std::collections::BTreeMap::new();
        for (uuid_text, row_json) in rows {
            let uuid = parse_uuid(uuid_text).ok_or_else(|| {
                Error::syntax(table_json, format!("\"{uuid_text}\" is not a valid UUID"))
            })?;
            let old = db.row(tname, &uuid).cloned();
            let new = match row_json {
                Json::Null => None,
                Json::Object(cols) => {
                    let (mut row, existed) = match &old {
                        Some(r) => ((**r).clone(), true),
                        None => (Row::new_default(table, uuid), false),
                    };
                    for (cname, value) in cols {
                        let c = table
                            .column_index(cname)
                            .filter(|&c| c >= N_IMPLICIT)
                            .ok_or_else(|| {
                                Error::syntax(
                                    row_json,
                                    format!("No column {cname} in table {tname}."),
                                )
                                .with_kind("unknown column")
                            })?;
                        let t = &table.columns[c].type_;
                        if existed && is_diff {
                            // A difference need not fit the column's size range on its
                            // own; only the result must.
                            let relaxed = crate::types::Type {
                                min: 0,
                                max: crate::types::UNLIMITED,
                                ..t.clone()
                            };
                            let diff = Datum::from_json(value, &relaxed, &mut |_| None)?;
                            let applied = row.datum(c).apply_diff(&diff, t);
                            // The result must fit the column, or compaction would
                            // write a record that cannot be read back.
                            applied.check_size(t).map_err(|e| e.with_syntax(value))?;
                            applied.check_constraints(t)?;
                            row.set(c, applied);
                        } else {
                            // Values in a record must satisfy the column's constraints,
                            // as the reference checks when it reads a file.
                            let d = Datum::from_json(value, t, &mut |_| None)?;
                            d.check_constraints(t)?;
                            row.set(c, d);
                        }
                    }
                    row.version = crate::uuidgen::new_uuid();
                    Some(Arc::new(row))
                }
                other => return Err(Error::syntax(other, "row must be an object or null")),
            };
            if old.is_none() && new.is_none() {
                continue;
            }
            table_changes.insert(uuid, crate::db::RowChange { old, new });
        }
        changes.tables.insert(tname.clone(), table_changes);
    }
    db.apply(&changes);
    Ok(changes)
}
