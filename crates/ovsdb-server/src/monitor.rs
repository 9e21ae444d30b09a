//! Monitors: what a session watches, and the table-updates it is owed.
//!
//! One type serves the three protocol generations. `monitor` (v1) reports whole rows as
//! `{"old","new"}`; `monitor_cond` (v2) and `monitor_cond_since` (v3) report
//! `initial|insert|delete|modify`, leave default values out of inserts, carry only
//! differences in modifies, and filter rows by per-table conditions.
//!
//! Besides the JSON values, each kind of output can be written straight to compact
//! text, byte for byte what serializing the JSON value would give: the server sends
//! initial contents and updates that way, without building (and then dropping) a JSON
//! tree per row. Monitors with the same definition get the same text, so
//! [`Monitor::shape`] lets the server build each commit's update once per definition.

use ovs_json::print::write_string;
use ovs_json::{Json, Object};
use ovsdb::atom::uuid_text;
use ovsdb::condition::Conditions;
use ovsdb::schema::{TableSchema, N_IMPLICIT};
use ovsdb::{Changes, Database, Error, Result, Row};
use std::hash::{Hash, Hasher};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Version {
    V1,
    V2,
    V3,
}

/// Which kinds of change a table monitor reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Select {
    pub initial: bool,
    pub insert: bool,
    pub delete: bool,
    pub modify: bool,
}

impl Select {
    const ALL: Select = Select {
        initial: true,
        insert: true,
        delete: true,
        modify: true,
    };

    fn from_json(json: &Json) -> Result<Select> {
        let o = json
            .as_object()
            .ok_or_else(|| Error::syntax(json, "\"select\" must be an object"))?;
        let flag = |n: &str| -> Result<bool> {
            match o.get(n) {
                None => Ok(true),
                Some(Json::Bool(b)) => Ok(*b),
                Some(v) => Err(Error::syntax(v, format!("\"{n}\" must be a boolean"))),
            }
        };
        Ok(Select {
            initial: flag("initial")?,
            insert: flag("insert")?,
            delete: flag("delete")?,
            modify: flag("modify")?,
        })
    }
}

/// The part of a monitor that watches one table.
#[derive(Clone, Debug, PartialEq)]
pub struct TableMonitor {
    pub table: String,
    /// Column indexes, in request order, without duplicates.
    pub columns: Vec<usize>,
    pub select: Select,
    /// Row filter (v2/v3); `None` matches every row.
    pub conditions: Option<Conditions>,
}

impl TableMonitor {
    fn matches(&self, row: &Row) -> bool {
        self.conditions.as_ref().is_none_or(|c| c.evaluate_any(row))
    }

    /// The monitored columns in the order a JSON object prints them (by name).
    fn columns_by_name(&self, schema: &TableSchema) -> Vec<usize> {
        let mut cols = self.columns.clone();
        cols.sort_by(|a, b| schema.columns[*a].name.cmp(&schema.columns[*b].name));
        cols
    }
}

/// One monitor of one session.
#[derive(Clone, Debug)]
pub struct Monitor {
    pub id: Json,
    pub db: String,
    pub version: Version,
    pub tables: Vec<TableMonitor>,
    /// See [`Monitor::shape`]; kept current when the definition changes.
    shape: u64,
}

impl Monitor {
    /// Parses the `monitor-requests` object of a monitor request.
    pub fn from_json(
        db: &Database,
        db_name: &str,
        id: Json,
        requests: &Json,
        version: Version,
    ) -> Result<Monitor> {
        let o = requests
            .as_object()
            .ok_or_else(|| Error::syntax(requests, "monitor-requests must be object"))?;
        let mut tables = Vec::new();
        for (tname, req) in o {
            let schema = db
                .schema
                .table(tname)
                .ok_or_else(|| Error::new("syntax error", format!("no table named {tname}")))?;
            let reqs: Vec<&Json> = match req {
                Json::Array(items) => items.iter().collect(),
                other => vec![other],
            };
            let mut tm = TableMonitor {
                table: tname.clone(),
                columns: Vec::new(),
                select: Select {
                    initial: false,
                    insert: false,
                    delete: false,
                    modify: false,
                },
                conditions: None,
            };
            for r in reqs {
                parse_request(schema, r, version, &mut tm)?;
            }
            tables.push(tm);
        }
        let shape = shape_of(version, &tables);
        Ok(Monitor {
            id,
            db: db_name.to_owned(),
            version,
            tables,
            shape,
        })
    }

    /// A fingerprint of what this monitor reports (version and table monitors, not its
    /// id): monitors with equal definitions have equal shapes, and receive the same
    /// table-updates for a commit.
    pub fn shape(&self) -> u64 {
        self.shape
    }

    /// Whether `other` reports exactly what this monitor reports (ids aside).
    pub fn same_definition(&self, other: &Monitor) -> bool {
        self.version == other.version && self.tables == other.tables
    }

    /// Writes [`Monitor::initial`] as compact JSON text.
    pub fn write_initial(&self, db: &Database, out: &mut String) {
        let mut tables: Vec<&TableMonitor> =
            self.tables.iter().filter(|tm| tm.select.initial).collect();
        tables.sort_by(|a, b| a.table.cmp(&b.table));
        let mut first_table = true;
        out.push('{');
        let mut buf = [0u8; 36];
        for tm in tables {
            let (Some(schema), Some(table)) = (db.schema.table(&tm.table), db.table(&tm.table))
            else {
                continue;
            };
            let mut rows: Vec<&Row> = table
                .rows
                .values()
                .map(|r| &**r)
                .filter(|r| tm.matches(r))
                .collect();
            if rows.is_empty() {
                continue;
            }
            // By UUID, as the object of rows prints (the u128 orders like the bytes).
            rows.sort_unstable_by_key(|r| r.uuid.as_u128());
            let cols = tm.columns_by_name(schema);
            if !first_table {
                out.push(',');
            }
            first_table = false;
            write_string(&tm.table, out);
            out.push_str(":{");
            let (kind, skip_defaults) = match self.version {
                Version::V1 => ("\":{\"new\":", false),
                _ => ("\":{\"initial\":", true),
            };
            for (i, row) in rows.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push('"');
                out.push_str(uuid_text(&row.uuid, &mut buf));
                out.push_str(kind);
                write_row(schema, &cols, row, skip_defaults, out);
                out.push('}');
            }
            out.push('}');
        }
        out.push('}');
    }

    /// Writes [`Monitor::updates`] as compact JSON text; false (and nothing written)
    /// if there are none.
    pub fn write_updates(&self, db: &Database, changes: &Changes, out: &mut String) -> bool {
        let start = out.len();
        let mut tables: Vec<&TableMonitor> = self.tables.iter().collect();
        tables.sort_by(|a, b| a.table.cmp(&b.table));
        let mut any_table = false;
        let mut row_text = String::new();
        let mut buf = [0u8; 36];
        out.push('{');
        for tm in tables {
            let (Some(schema), Some(rows)) =
                (db.schema.table(&tm.table), changes.tables.get(&tm.table))
            else {
                continue;
            };
            let cols = tm.columns_by_name(schema);
            let table_start = out.len();
            if any_table {
                out.push(',');
            }
            write_string(&tm.table, out);
            out.push_str(":{");
            let mut any_row = false;
            for (uuid, change) in rows {
                let old = change.old.as_deref().filter(|r| tm.matches(r));
                let new = change.new.as_deref().filter(|r| tm.matches(r));
                row_text.clear();
                if !self.write_row_update(schema, tm, &cols, old, new, &mut row_text) {
                    continue;
                }
                if any_row {
                    out.push(',');
                }
                any_row = true;
                out.push('"');
                out.push_str(uuid_text(uuid, &mut buf));
                out.push_str("\":");
                out.push_str(&row_text);
            }
            if any_row {
                out.push('}');
                any_table = true;
            } else {
                out.truncate(table_start);
            }
        }
        if any_table {
            out.push('}');
        } else {
            out.truncate(start);
        }
        any_table
    }

    /// Writes [`Monitor::row_update`] as compact JSON text; false if there is none.
    fn write_row_update(
        &self,
        schema: &TableSchema,
        tm: &TableMonitor,
        cols: &[usize],
        old: Option<&Row>,
        new: Option<&Row>,
        out: &mut String,
    ) -> bool {
        let v1 = self.version == Version::V1;
        match (old, new) {
            (None, Some(new)) if tm.select.insert => {
                out.push_str(if v1 { "{\"new\":" } else { "{\"insert\":" });
                write_row(schema, cols, new, !v1, out);
                out.push('}');
                true
            }
            (Some(old), None) if tm.select.delete => {
                if v1 {
                    out.push_str("{\"old\":");
                    write_row(schema, cols, old, false, out);
                    out.push('}');
                } else {
                    out.push_str("{\"delete\":null}");
                }
                true
            }
            (Some(old), Some(new)) if tm.select.modify => {
                let changed: Vec<(usize, Option<ovsdb::Datum>)> = cols
                    .iter()
                    .filter_map(|&c| {
                        let col = &schema.columns[c];
                        let (o, n) = (old.get(c), new.get(c));
                        if v1 {
                            (*o != *n).then_some((c, None))
                        } else {
                            o.diff(&n, &col.type_).map(|d| (c, Some(d)))
                        }
                    })
                    .collect();
                if changed.is_empty() {
                    return false;
                }
                if v1 {
                    out.push_str("{\"new\":");
                    write_row(schema, cols, new, false, out);
                    out.push_str(",\"old\":{");
                    for (i, (c, _)) in changed.iter().enumerate() {
                        let col = &schema.columns[*c];
                        if i > 0 {
                            out.push(',');
                        }
                        write_string(&col.name, out);
                        out.push(':');
                        old.get(*c).write_json(&col.type_, out);
                    }
                    out.push_str("}}");
                } else {
                    out.push_str("{\"modify\":{");
                    for (i, (c, diff)) in changed.iter().enumerate() {
                        let col = &schema.columns[*c];
                        if i > 0 {
                            out.push(',');
                        }
                        write_string(&col.name, out);
                        out.push(':');
                        if let Some(d) = diff {
                            d.write_json(&col.type_, out);
                        }
                    }
                    out.push_str("}}");
                }
                true
            }
            _ => false,
        }
    }

    /// The initial contents: rows that match, if `select.initial`.
    pub fn initial(&self, db: &Database) -> Json {
        let mut updates = Object::new();
        for tm in &self.tables {
            if !tm.select.initial {
                continue;
            }
            let (Some(schema), Some(table)) = (db.schema.table(&tm.table), db.table(&tm.table))
            else {
                continue;
            };
            let mut rows = Object::new();
            for row in table.rows.values() {
                if !tm.matches(row) {
                    continue;
                }
                let update = match self.version {
                    Version::V1 => Json::object([("new", row_json(schema, tm, row, false))]),
                    _ => Json::object([("initial", row_json(schema, tm, row, true))]),
                };
                rows.insert(row.uuid.to_string(), update);
            }
            if !rows.is_empty() {
                updates.insert(tm.table.clone(), Json::Object(rows));
            }
        }
        Json::Object(updates)
    }

    /// The table-updates owed for a committed change set, if any.
    pub fn updates(&self, db: &Database, changes: &Changes) -> Option<Json> {
        let mut updates = Object::new();
        for tm in &self.tables {
            let (Some(schema), Some(rows)) =
                (db.schema.table(&tm.table), changes.tables.get(&tm.table))
            else {
                continue;
            };
            let mut out = Object::new();
            for (uuid, change) in rows {
                let old = change.old.as_deref().filter(|r| tm.matches(r));
                let new = change.new.as_deref().filter(|r| tm.matches(r));
                if let Some(u) = self.row_update(schema, tm, old, new) {
                    out.insert(uuid.to_string(), u);
                }
            }
            if !out.is_empty() {
                updates.insert(tm.table.clone(), Json::Object(out));
            }
        }
        (!updates.is_empty()).then_some(Json::Object(updates))
    }

    fn row_update(
        &self,
        schema: &TableSchema,
        tm: &TableMonitor,
        old: Option<&Row>,
        new: Option<&Row>,
    ) -> Option<Json> {
        let v1 = self.version == Version::V1;
        match (old, new) {
            (None, None) => None,
            (None, Some(new)) if tm.select.insert => Some(if v1 {
                Json::object([("new", row_json(schema, tm, new, false))])
            } else {
                Json::object([("insert", row_json(schema, tm, new, true))])
            }),
            (Some(old), None) if tm.select.delete => Some(if v1 {
                Json::object([("old", row_json(schema, tm, old, false))])
            } else {
                Json::object([("delete", Json::Null)])
            }),
            (Some(old), Some(new)) if tm.select.modify => {
                let mut changed = Object::new();
                let mut old_values = Object::new();
                for &c in &tm.columns {
                    let col = &schema.columns[c];
                    let (o, n) = (old.get(c), new.get(c));
                    if let Some(d) = o.diff(&n, &col.type_) {
                        changed.insert(col.name.clone(), d.to_json(&col.type_));
                        old_values.insert(col.name.clone(), o.to_json(&col.type_));
                    }
                }
                if changed.is_empty() {
                    return None;
                }
                Some(if v1 {
                    Json::object([
                        ("old", Json::Object(old_values)),
                        ("new", row_json(schema, tm, new, false)),
                    ])
                } else {
                    Json::object([("modify", Json::Object(changed))])
                })
            }
            _ => None,
        }
    }

    /// Replaces conditions (and optionally columns) as `monitor_cond_change` asks, and
    /// returns the resulting delta: rows that stop matching are deleted, rows that start
    /// matching are inserted.
    pub fn change_conditions(&mut self, db: &Database, requests: &Json) -> Result<Json> {
        let result = self.apply_condition_change(db, requests);
        // Even a failed change may have replaced some tables' conditions.
        self.shape = shape_of(self.version, &self.tables);
        result
    }

    fn apply_condition_change(&mut self, db: &Database, requests: &Json) -> Result<Json> {
        let o = requests
            .as_object()
            .ok_or_else(|| Error::syntax(requests, "monitor requests must be an object"))?;
        let mut updates = Object::new();
        for (tname, req) in o {
            let schema = db
                .schema
                .table(tname)
                .ok_or_else(|| Error::new("syntax error", format!("no table named {tname}")))?;
            let tm = self
                .tables
                .iter_mut()
                .find(|t| &t.table == tname)
                .ok_or_else(|| {
                    Error::new(
                        "syntax error",
                        format!("{tname} is not monitored by this monitor"),
                    )
                })?;
            let req = match req {
                Json::Array(items) => items.first().unwrap_or(&Json::Null),
                other => other,
            };
            let previous = tm.clone();
            if let Some(cols) = req.get("columns") {
                tm.columns = parse_columns(schema, cols)?;
            }
            tm.conditions = match req.get("where") {
                Some(w) => Some(Conditions::from_json(schema, w, None)?),
                None => None,
            };
            let Some(table) = db.table(tname) else {
                continue;
            };
            let mut rows = Object::new();
            for row in table.rows.values() {
                match (previous.matches(row), tm.matches(row)) {
                    (true, false) => {
                        rows.insert(row.uuid.to_string(), Json::object([("delete", Json::Null)]));
                    }
                    (false, true) => {
                        rows.insert(
                            row.uuid.to_string(),
                            Json::object([("insert", row_json(schema, tm, row, true))]),
                        );
                    }
                    _ => {}
                }
            }
            if !rows.is_empty() {
                updates.insert(tname.clone(), Json::Object(rows));
            }
        }
        Ok(Json::Object(updates))
    }
}

/// A hash of everything that decides a monitor's output.
fn shape_of(version: Version, tables: &[TableMonitor]) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    version.hash(&mut h);
    // Every part of a table monitor prints in its debug form, conditions included.
    format!("{tables:?}").hash(&mut h);
    h.finish()
}

fn parse_request(
    schema: &TableSchema,
    req: &Json,
    version: Version,
    tm: &mut TableMonitor,
) -> Result<()> {
    let context = format!("Parsing table {} failed: ", schema.name);
    let o = req
        .as_object()
        .ok_or_else(|| Error::new("syntax error", format!("{context}Object expected.")))?;
    if let Some(k) = o
        .keys()
        .find(|k| !matches!(k.as_str(), "columns" | "select" | "where"))
    {
        return Err(Error::syntax(
            req,
            format!("{context}Member '{k}' is present but not allowed here."),
        ));
    }
    for (member, ok) in [
        (
            "columns",
            o.get("columns").is_none_or(|c| c.as_array().is_some()),
        ),
        (
            "select",
            o.get("select").is_none_or(|c| c.as_object().is_some()),
        ),
        (
            "where",
            o.get("where").is_none_or(|c| c.as_array().is_some()),
        ),
    ] {
        if !ok {
            return Err(Error::syntax(
                req,
                format!("{context}Type mismatch for member '{member}'."),
            ));
        }
    }
    // Without a column list every column is monitored, `_version` included.
    let columns = match o.get("columns") {
        Some(cols) => parse_columns(schema, cols)?,
        None => (ovsdb::schema::VERSION_COLUMN..schema.columns.len()).collect(),
    };
    for c in columns {
        if !tm.columns.contains(&c) {
            tm.columns.push(c);
        }
    }
    let select = match o.get("select") {
        Some(s) => Select::from_json(s)?,
        None => Select::ALL,
    };
    tm.select.initial |= select.initial;
    tm.select.insert |= select.insert;
    tm.select.delete |= select.delete;
    tm.select.modify |= select.modify;
    if let Some(w) = o.get("where") {
        if version == Version::V1 {
            return Err(Error::syntax(
                req,
                "\"where\" is not allowed in monitor requests",
            ));
        }
        tm.conditions = Some(Conditions::from_json(schema, w, None)?);
    }
    Ok(())
}

fn parse_columns(schema: &TableSchema, cols: &Json) -> Result<Vec<usize>> {
    let list = cols
        .as_array()
        .ok_or_else(|| Error::syntax(cols, "array of column names expected"))?;
    let mut out = Vec::new();
    for c in list {
        let name = c
            .as_str()
            .ok_or_else(|| Error::syntax(cols, "array of column names expected"))?;
        let idx = schema
            .column_index(name)
            .ok_or_else(|| Error::syntax(cols, format!("{name} is not a valid column name")))?;
        if !out.contains(&idx) {
            out.push(idx);
        }
    }
    Ok(out)
}

/// Writes [`row_json`] as compact JSON text; `cols` must be in name order.
fn write_row(
    schema: &TableSchema,
    cols: &[usize],
    row: &Row,
    skip_defaults: bool,
    out: &mut String,
) {
    out.push('{');
    let mut first = true;
    for &c in cols {
        let col = &schema.columns[c];
        let d = row.get(c);
        if skip_defaults && c >= N_IMPLICIT && d.is_default(&col.type_) {
            continue;
        }
        if !first {
            out.push(',');
        }
        first = false;
        write_string(&col.name, out);
        out.push(':');
        d.write_json(&col.type_, out);
    }
    out.push('}');
}

/// A row's monitored columns; `skip_defaults` leaves out default values (v2 inserts).
fn row_json(schema: &TableSchema, tm: &TableMonitor, row: &Row, skip_defaults: bool) -> Json {
    let mut o = Object::new();
    for &c in &tm.columns {
        let col = &schema.columns[c];
        let d = row.get(c);
        if skip_defaults && c >= N_IMPLICIT && d.is_default(&col.type_) {
            continue;
        }
        o.insert(col.name.clone(), d.to_json(&col.type_));
    }
    Json::Object(o)
}
