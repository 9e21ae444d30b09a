//! Turning the transaction's changes into one `transact` request, and reading the
//! server's answer, the way the reference IDL does.
//!
//! Operation order: checks of verified values first, then the checks that lookups
//! by name or membership still find the same rows ([`super::Guard`]), then each
//! changed row's insert/update/delete followed by its partial changes (`mutate`),
//! then the `next_cfg` increment, the comment, and for `--dry-run` an `abort`.
//! Nothing is sent
//! when nothing would change (the reference reports "unchanged" then). Rows this
//! transaction creates are referred to by the names their inserts bind.

use super::overlay::{PartialOp, RowState};
use super::Db;
use ovs_json::{Json, Object};
use ovsdb::{Datum, Uuid};
use ovsdb_idl::Txn;
use std::collections::{BTreeMap, HashMap};

/// What each operation of the request is, for reading the reply.
#[derive(Clone, Debug, PartialEq)]
enum OpKind {
    Insert(Uuid),
    Increment,
    IncrementSelect,
    Other,
}

/// A request ready to send.
pub struct Request {
    pub ops: Vec<Json>,
    kinds: Vec<OpKind>,
}

/// What the caller asks of the commit besides the changes.
pub struct CommitOptions<'a> {
    pub comment: &'a str,
    pub dry_run: bool,
    /// Increment `next_cfg` of this `Open_vSwitch` row if anything changes.
    pub increment: Option<Uuid>,
}

/// How the server answered.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// Committed (or, for a dry run, would have been). `inserted` maps each new
    /// row's placeholder UUID to the server's.
    Success {
        inserted: BTreeMap<Uuid, Uuid>,
        next_cfg: Option<i64>,
    },
    /// A verified value changed: run the commands again.
    TryAgain,
    /// The server refused: the first error, as sorted compact JSON.
    Error { text: String, warnings: Vec<String> },
}

fn datum_json(table: &str, column: &str, d: &Datum) -> Json {
    match crate::schema::schema()
        .table(table)
        .and_then(|t| t.column(column))
    {
        Some(c) => d.to_json(&c.type_),
        None => Json::Null,
    }
}

/// Builds the request, or None if the transaction changes nothing.
pub fn build(db: &Db, opts: &CommitOptions) -> Option<Request> {
    let overlay = &db.overlay;
    let replica = db.replica();
    let mut txn = Txn::new();
    let mut kinds: Vec<OpKind> = Vec::new();
    let mut custom: Vec<(usize, Json)> = Vec::new();
    let mut any_updates = false;

    // A new row of a table that may hold only one: the reference checks that the
    // table is still empty (when it saw it empty).
    for (table, u) in &overlay.order {
        let singleton = crate::schema::schema()
            .table(table)
            .is_some_and(|t| t.max_rows == Some(1));
        if singleton && overlay.is_inserted(table, u) && replica.n_rows(table) == 0 {
            custom.push((
                kinds.len(),
                Json::object([
                    ("op", Json::string("wait")),
                    ("timeout", Json::Integer(0)),
                    ("table", Json::string(table.as_str())),
                    ("where", Json::array([])),
                    ("until", Json::string("==")),
                    ("rows", Json::array([])),
                ]),
            ));
            // A placeholder operation, replaced by the one above.
            txn.comment("");
            kinds.push(OpKind::Other);
        }
    }

    // Verifications, one operation per row (rows in the order first verified).
    let mut verify_rows: Vec<(&str, Uuid)> = Vec::new();
    let mut verified_columns: HashMap<(&str, Uuid), Vec<&str>> = HashMap::new();
    for (t, u, c) in &overlay.verifies {
        let columns = verified_columns.entry((t.as_str(), *u)).or_default();
        if columns.is_empty() {
            verify_rows.push((t.as_str(), *u));
        }
        columns.push(c.as_str());
    }
    for (table, u) in &verify_rows {
        let (Some(row), Some(ts)) = (replica.row(table, u), replica.schema.table(table)) else {
            continue;
        };
        let columns: Vec<(&str, usize, &ovsdb::Type)> = verified_columns
            .get(&(*table, *u))
            .into_iter()
            .flatten()
            .filter_map(|c| {
                let i = ts.column_index(c)?;
                Some((*c, i, &ts.columns[i].type_))
            })
            .collect();
        if !columns.is_empty() {
            txn.verify(table, row, &columns);
            kinds.push(OpKind::Other);
        }
    }

    // Lookups by name or membership (instead of the reference's checks of whole
    // tables): the rows they found must still be the ones that match.
    for guard in &overlay.guards {
        let Some(clause) = guard.clause.to_json(&guard.table) else {
            continue;
        };
        let rows: Vec<Json> = guard
            .expected
            .iter()
            .map(|u| Json::object([("_uuid", ovsdb::atom::uuid_to_json(u))]))
            .collect();
        custom.push((
            kinds.len(),
            Json::object([
                ("op", Json::string("wait")),
                ("timeout", Json::Integer(0)),
                ("table", Json::string(guard.table.as_str())),
                ("where", Json::array([clause])),
                ("columns", Json::array([Json::string("_uuid")])),
                ("until", Json::string("==")),
                ("rows", Json::Array(rows)),
            ]),
        ));
        // A placeholder operation, replaced by the one above.
        txn.comment("");
        kinds.push(OpKind::Other);
    }

    let mut explicit: Vec<(usize, Uuid)> = Vec::new();
    for (table, u) in &overlay.order {
        let Some(edit) = overlay.edit(table, u) else {
            continue;
        };
        match &edit.state {
            RowState::Inserted { name, explicit: ex } => {
                let row: Object = edit
                    .written
                    .iter()
                    .map(|(c, d)| (c.clone(), datum_json(table, c, d)))
                    .collect();
                if *ex {
                    explicit.push((kinds.len(), *u));
                }
                txn.insert_named(table, row, name);
                kinds.push(OpKind::Insert(*u));
                any_updates = true;
            }
            RowState::Deleted => {
                if crate::schema::table(table).is_root {
                    txn.delete(table, u);
                    kinds.push(OpKind::Other);
                    any_updates = true;
                }
                continue;
            }
            RowState::Existing => {
                if !edit.written.is_empty() {
                    let mut row = Object::new();
                    for (c, d) in &edit.written {
                        if db.read_old(table, u, c).as_ref() != Some(d) {
                            any_updates = true;
                        }
                        row.insert(c.clone(), datum_json(table, c, d));
                    }
                    txn.update(table, u, row);
                    kinds.push(OpKind::Other);
                }
            }
        }
        let mutations = partial_mutations(db, table, u);
        if !mutations.is_empty() {
            txn.mutate(table, u, mutations);
            kinds.push(OpKind::Other);
            any_updates = true;
        }
    }
    if !any_updates {
        return None;
    }
    if let Some(root) = opts.increment {
        txn.increment("Open_vSwitch", &root, "next_cfg");
        kinds.push(OpKind::Increment);
        kinds.push(OpKind::IncrementSelect);
    }
    txn.comment(opts.comment);
    kinds.push(OpKind::Other);
    if opts.dry_run {
        txn.abort();
        kinds.push(OpKind::Other);
    }

    let mut ops = txn.ops();
    for (i, op) in custom {
        ops[i] = op;
    }
    for (i, u) in explicit {
        if let Json::Object(o) = &mut ops[i] {
            o.remove("uuid-name");
            o.insert("uuid".into(), Json::string(u.to_string()));
        }
    }
    let names = overlay.named_inserts();
    if !names.is_empty() {
        for op in &mut ops {
            substitute_names(op, &names);
        }
    }
    Some(Request { ops, kinds })
}

/// The `mutate` mutations for a row's partial changes: for each map column (in
/// column order) the removed then the added pairs, then the same for set columns. A
/// map key set to the value it already has is left out.
fn partial_mutations(db: &Db, table: &str, u: &Uuid) -> Vec<Json> {
    let Some(edit) = db.overlay.edit(table, u) else {
        return Vec::new();
    };
    let Some(ts) = crate::schema::schema().table(table) else {
        return Vec::new();
    };
    let mut map_mutations = Vec::new();
    let mut set_mutations = Vec::new();
    for (column, ops) in &edit.partial {
        let Some(c) = ts.column(column) else { continue };
        let t = &c.type_;
        let old = match edit.written.get(column) {
            Some(d) => d.clone(),
            None => db
                .read_old(table, u, column)
                .unwrap_or_else(|| Datum::default_for(t)),
        };
        let mut deleted = Vec::new();
        let mut added = Vec::new();
        for (key, op) in ops {
            match op {
                PartialOp::Update(v) => {
                    if old.get(key) == Some(v) {
                        continue;
                    }
                    deleted.push(key.to_json());
                    added.push(Json::array([key.to_json(), v.to_json()]));
                }
                PartialOp::Delete => {
                    if t.is_map() && !old.contains(key) {
                        crate::log::idl_warn(
                            "Trying to delete a key that doesn't exist in the map.",
                        );
                        continue;
                    }
                    deleted.push(key.to_json());
                }
                PartialOp::Insert(Some(v)) => {
                    added.push(Json::array([key.to_json(), v.to_json()]));
                }
                PartialOp::Insert(None) => added.push(key.to_json()),
            }
        }
        let out = if t.is_map() {
            &mut map_mutations
        } else {
            &mut set_mutations
        };
        if !deleted.is_empty() {
            out.push(Json::array([
                Json::string(column.as_str()),
                Json::string("delete"),
                Json::array([Json::string("set"), Json::Array(deleted)]),
            ]));
        }
        if !added.is_empty() {
            let tag = if t.is_map() { "map" } else { "set" };
            out.push(Json::array([
                Json::string(column.as_str()),
                Json::string("insert"),
                Json::array([Json::string(tag), Json::Array(added)]),
            ]));
        }
    }
    map_mutations.extend(set_mutations);
    map_mutations
}

/// Replaces `["uuid", U]` by `["named-uuid", NAME]` for rows created in this
/// transaction.
fn substitute_names(json: &mut Json, names: &HashMap<Uuid, String>) {
    match json {
        Json::Array(items) => {
            if let [Json::String(tag), Json::String(text)] = items.as_slice() {
                if tag == "uuid" {
                    if let Some(name) = ovsdb::atom::parse_uuid(text).and_then(|u| names.get(&u)) {
                        *json =
                            Json::array([Json::string("named-uuid"), Json::string(name.as_str())]);
                        return;
                    }
                }
            }
            for item in items {
                substitute_names(item, names);
            }
        }
        Json::Object(o) => {
            for v in o.values_mut() {
                substitute_names(v, names);
            }
        }
        _ => {}
    }
}

/// Reads the reply to `request`.
pub fn outcome(request: &Request, reply: &Result<Json, Json>) -> Outcome {
    let results = match reply {
        Ok(Json::Array(results)) => results,
        Ok(other) => {
            return Outcome::Error {
                text: other.to_compact(),
                warnings: Vec::new(),
            }
        }
        Err(e) => {
            return Outcome::Error {
                text: e.to_compact(),
                warnings: Vec::new(),
            }
        }
    };
    let (mut soft, mut hard) = (0, 0);
    let mut error: Option<String> = None;
    let mut warnings = Vec::new();
    for r in results {
        match r {
            Json::Null => soft += 1,
            Json::Object(o) => {
                let Some(e) = o.get("error") else { continue };
                match e.as_str() {
                    Some("timed out") | Some("unknown database") => soft += 1,
                    Some("aborted") => {}
                    Some("not owner") => soft += 1,
                    Some(kind) => {
                        hard += 1;
                        let text = r.to_compact();
                        let first = error.get_or_insert(text).clone();
                        if kind != "not allowed" {
                            warnings.push(format!("transaction error: {first}"));
                        }
                    }
                    None => {
                        hard += 1;
                        error.get_or_insert_with(|| r.to_compact());
                        warnings.push("operation reply is not JSON null or object".into());
                    }
                }
            }
            other => {
                hard += 1;
                error.get_or_insert_with(|| other.to_compact());
                warnings.push("operation reply is not JSON null or object".into());
            }
        }
    }
    if hard > 0 {
        return Outcome::Error {
            text: error.unwrap_or_default(),
            warnings,
        };
    }
    if soft > 0 {
        return Outcome::TryAgain;
    }
    let mut inserted = BTreeMap::new();
    let mut next_cfg = None;
    for (i, kind) in request.kinds.iter().enumerate() {
        let r = results.get(i);
        match kind {
            OpKind::Insert(temp) => {
                let real = r
                    .and_then(|r| r.get("uuid"))
                    .and_then(Json::as_array)
                    .and_then(|a| a.get(1))
                    .and_then(Json::as_str)
                    .and_then(ovsdb::atom::parse_uuid);
                if let Some(real) = real {
                    inserted.insert(*temp, real);
                }
            }
            OpKind::Increment => {
                if r.and_then(|r| r.get("count")).and_then(Json::as_i64) != Some(1) {
                    return Outcome::TryAgain;
                }
            }
            OpKind::IncrementSelect => {
                next_cfg = r
                    .and_then(|r| r.get("rows"))
                    .and_then(Json::as_array)
                    .and_then(|rows| rows.first())
                    .and_then(|row| row.get("next_cfg"))
                    .and_then(Json::as_i64);
            }
            OpKind::Other => {}
        }
    }
    Outcome::Success { inserted, next_cfg }
}
