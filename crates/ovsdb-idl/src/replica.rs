//! The local copy of the monitored part of a database, with change tracking.
//!
//! Rows hold every column of the table (unmonitored ones stay at their defaults), so
//! column indexes are the schema's. Each applied update bumps `seqno` and records which
//! rows were inserted, modified or deleted since the last [`Replica::take_changes`].

use ovs_json::Json;
use ovsdb::atom::parse_uuid;
use ovsdb::schema::{TableSchema, N_IMPLICIT};
use ovsdb::{DatabaseSchema, Datum, Error, Result, Row, Type, Uuid};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

/// What happened to rows since the changes were last taken.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TableChanges {
    pub inserted: BTreeSet<Uuid>,
    pub modified: BTreeSet<Uuid>,
    pub deleted: BTreeSet<Uuid>,
}

impl TableChanges {
    pub fn is_empty(&self) -> bool {
        self.inserted.is_empty() && self.modified.is_empty() && self.deleted.is_empty()
    }
}

#[derive(Debug)]
pub struct Replica {
    pub schema: Arc<DatabaseSchema>,
    tables: BTreeMap<String, HashMap<Uuid, Row>>,
    changes: BTreeMap<String, TableChanges>,
    /// Incremented by every update that changed something.
    pub seqno: u64,
}

/// The format of a table-updates object.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UpdateFormat {
    /// `monitor`: `{"old":..., "new":...}` with whole values.
    V1,
    /// `monitor_cond(_since)`: `initial|insert|delete|modify`, modify as differences.
    V2,
}

impl Replica {
    pub fn new(schema: Arc<DatabaseSchema>) -> Replica {
        let tables = schema
            .tables
            .keys()
            .map(|n| (n.clone(), HashMap::new()))
            .collect();
        Replica {
            schema,
            tables,
            changes: BTreeMap::new(),
            seqno: 0,
        }
    }

    pub fn table_schema(&self, table: &str) -> Option<&TableSchema> {
        self.schema.table(table)
    }

    /// The rows of a table (empty if unknown or unmonitored).
    pub fn rows(&self, table: &str) -> impl Iterator<Item = &Row> {
        self.tables.get(table).into_iter().flat_map(|t| t.values())
    }

    pub fn row(&self, table: &str, uuid: &Uuid) -> Option<&Row> {
        self.tables.get(table).and_then(|t| t.get(uuid))
    }

    pub fn n_rows(&self, table: &str) -> usize {
        self.tables.get(table).map_or(0, HashMap::len)
    }

    /// The datum of `column` in a row, by column name.
    pub fn get<'a>(&'a self, table: &str, row: &'a Row, column: &str) -> Option<&'a Datum> {
        let c = self.schema.table(table)?.column_index(column)?;
        (c >= N_IMPLICIT).then(|| row.datum(c))
    }

    /// Takes (and clears) the per-table change sets.
    pub fn take_changes(&mut self) -> BTreeMap<String, TableChanges> {
        std::mem::take(&mut self.changes)
    }

    /// Drops every row (as when a reconnect will send the whole contents again); the
    /// rows count as deleted unless they come back.
    pub fn clear(&mut self) {
        for (name, rows) in &mut self.tables {
            let ch = self.changes.entry(name.clone()).or_default();
            for uuid in rows.keys() {
                ch.inserted.remove(uuid);
                ch.modified.remove(uuid);
                ch.deleted.insert(*uuid);
            }
            rows.clear();
        }
        self.seqno += 1;
    }

    /// Applies a table-updates object; returns whether anything changed.
    pub fn apply(&mut self, updates: &Json, format: UpdateFormat) -> Result<bool> {
        let tables = updates
            .as_object()
            .ok_or_else(|| Error::syntax(updates, "table-updates must be an object"))?;
        let schema = self.schema.clone();
        let mut changed = false;
        for (tname, rows_json) in tables {
            let Some(ts) = schema.table(tname) else {
                // A table we do not know (newer server schema): ignore, like the reference.
                continue;
            };
            let rows = rows_json
                .as_object()
                .ok_or_else(|| Error::syntax(rows_json, "table-update must be an object"))?;
            for (uuid_text, update) in rows {
                let uuid = parse_uuid(uuid_text).ok_or_else(|| {
                    Error::syntax(rows_json, format!("\"{uuid_text}\" is not a valid UUID"))
                })?;
                changed |= match format {
                    UpdateFormat::V1 => self.apply_v1(tname, ts, uuid, update)?,
                    UpdateFormat::V2 => self.apply_v2(tname, ts, uuid, update)?,
                };
            }
        }
        if changed {
            self.seqno += 1;
        }
        Ok(changed)
    }

    fn apply_v1(&mut self, tname: &str, ts: &TableSchema, uuid: Uuid, u: &Json) -> Result<bool> {
        match u.get("new") {
            None => Ok(self.delete_row(tname, uuid)),
            Some(new) => {
                let exists = self.row(tname, &uuid).is_some();
                let mut row = match self.row(tname, &uuid) {
                    Some(r) => r.clone(),
                    None => Row::new_default(ts, uuid),
                };
                set_columns(ts, &mut row, new, false)?;
                self.store_row(tname, row, exists);
                Ok(true)
            }
        }
    }

    fn apply_v2(&mut self, tname: &str, ts: &TableSchema, uuid: Uuid, u: &Json) -> Result<bool> {
        let o = u
            .as_object()
            .ok_or_else(|| Error::syntax(u, "row-update2 must be an object"))?;
        if let Some(cols) = o.get("initial").or_else(|| o.get("insert")) {
            let mut row = Row::new_default(ts, uuid);
            set_columns(ts, &mut row, cols, false)?;
            let exists = self.row(tname, &uuid).is_some();
            self.store_row(tname, row, exists);
            Ok(true)
        } else if let Some(cols) = o.get("modify") {
            let Some(old) = self.row(tname, &uuid) else {
                return Err(Error::syntax(u, format!("modify for unknown row {uuid}")));
            };
            let mut row = old.clone();
            set_columns(ts, &mut row, cols, true)?;
            self.store_row(tname, row, true);
            Ok(true)
        } else if o.contains_key("delete") {
            Ok(self.delete_row(tname, uuid))
        } else {
            Err(Error::syntax(u, "unknown row-update2 kind"))
        }
    }

    fn store_row(&mut self, tname: &str, row: Row, existed: bool) {
        let uuid = row.uuid;
        let ch = self.changes.entry(tname.to_owned()).or_default();
        if existed {
            if !ch.inserted.contains(&uuid) {
                ch.modified.insert(uuid);
            }
        } else if ch.deleted.remove(&uuid) {
            ch.modified.insert(uuid);
        } else {
            ch.inserted.insert(uuid);
        }
        if let Some(t) = self.tables.get_mut(tname) {
            t.insert(uuid, row);
        }
    }

    fn delete_row(&mut self, tname: &str, uuid: Uuid) -> bool {
        let removed = self
            .tables
            .get_mut(tname)
            .and_then(|t| t.remove(&uuid))
            .is_some();
        if removed {
            let ch = self.changes.entry(tname.to_owned()).or_default();
            if !ch.inserted.remove(&uuid) {
                ch.modified.remove(&uuid);
                ch.deleted.insert(uuid);
            }
        }
        removed
    }
}

/// Sets columns of `row` from a row object; `diff` applies update2-style differences.
fn set_columns(ts: &TableSchema, row: &mut Row, cols: &Json, diff: bool) -> Result<()> {
    let o = cols
        .as_object()
        .ok_or_else(|| Error::syntax(cols, "row must be an object"))?;
    for (name, value) in o {
        let Some(c) = ts.column_index(name).filter(|&c| c >= N_IMPLICIT) else {
            continue;
        };
        let t = &ts.columns[c].type_;
        if diff {
            let relaxed = Type {
                min: 0,
                max: ovsdb::types::UNLIMITED,
                ..t.clone()
            };
            let d = Datum::from_json(value, &relaxed, &mut |_| None)?;
            let new = row.datum(c).apply_diff(&d, t);
            row.set(c, new);
        } else {
            row.set(c, Datum::from_json(value, t, &mut |_| None)?);
        }
    }
    Ok(())
}
