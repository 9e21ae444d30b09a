//! Executing a `transact` request (RFC 7047 section 4.1.3 and 5.2): the operations
//! insert, select, update, mutate, delete, wait, commit, abort, comment and assert, with
//! the reference's results and errors.
//!
//! [`execute`] never changes the database: it returns the reply and, on success, the
//! [`Changes`] for the caller to write and apply. A `wait` that is not yet satisfied makes
//! the result [`Execution::Blocked`]; the server runs the same request again after each
//! commit (and when the deadline passes, when the run reports "timed out").

use crate::atom::{parse_uuid, uuid_to_json, Uuid};
use crate::condition::Conditions;
use crate::datum::Datum;
use crate::db::{index_key, Changes, Database, Row};
use crate::error::{Error, Result};
use crate::mutation::Mutations;
use crate::opparser::{Expect, OpParser};
use crate::schema::{TableSchema, N_IMPLICIT, UUID_COLUMN, VERSION_COLUMN};
use crate::symtab::{datum_from_json, SymbolTable};
use crate::txn::{distinct_rows, sort_rows, Txn};
use ovs_json::{Json, Object};
use std::collections::HashSet;
use std::time::{Duration, Instant};

/// What the session executing a transaction brings to it.
pub struct ExecContext<'a> {
    /// Whether the session owns a lock, for `assert`; `None` owns none.
    pub owns_lock: Option<&'a dyn Fn(&str) -> bool>,
    /// A read-only session (`--remote` with read_only): writing operations fail.
    pub read_only: bool,
    /// When the request first arrived; `wait` timeouts count from here.
    pub started: Instant,
    /// Now (the time of this run of the request).
    pub now: Instant,
    /// Whether an unsatisfied `wait` may block (a server that re-runs requests). If not,
    /// it fails with "not supported", as `ovsdb-tool transact` does.
    pub can_block: bool,
}

impl<'a> ExecContext<'a> {
    /// A first run at `now`: no locks, read-write, not allowed to block.
    pub fn new(now: Instant) -> ExecContext<'a> {
        ExecContext {
            owns_lock: None,
            read_only: false,
            started: now,
            now,
            can_block: false,
        }
    }

    fn elapsed_ms(&self) -> i64 {
        let ms = self.now.saturating_duration_since(self.started).as_millis();
        i64::try_from(ms).unwrap_or(i64::MAX)
    }
}

/// The outcome of running a transaction once.
#[derive(Clone, Debug, PartialEq)]
pub enum Execution {
    /// Every operation succeeded. `result` is the reply array; `changes` (possibly
    /// empty) must be written (fsync'd if `durable`) and applied with
    /// [`Database::apply`]; `comment` joins the `comment` operations with newlines.
    Committed {
        result: Json,
        changes: Changes,
        durable: bool,
        comment: Option<String>,
    },
    /// The transaction failed; `result` is the reply (the failing operation's error,
    /// `null` for the operations after it, and a trailing error if the commit checks
    /// failed). Nothing changes.
    Failed { result: Json },
    /// A `wait` is not satisfied yet: run the request again after the next commit, or
    /// at `until` (the earliest `wait` deadline; `None` if no `wait` has a timeout).
    Blocked { until: Option<Instant> },
}

impl Execution {
    /// The reply for the client, if the transaction is finished.
    pub fn result(&self) -> Option<&Json> {
        match self {
            Execution::Committed { result, .. } | Execution::Failed { result } => Some(result),
            Execution::Blocked { .. } => None,
        }
    }
}

/// Runs the `transact` params as sent (`[db-name, op...]`) against `db`. A params value
/// that is not an array naming this database fails with a single error object, as the
/// reference replies.
pub fn execute_params(db: &Database, params: &Json, ctx: &ExecContext) -> Execution {
    match params.as_array() {
        Some([Json::String(name), ops @ ..]) if *name == db.schema.name => execute(db, ops, ctx),
        Some(_) => Execution::Failed {
            result: Error::syntax(params, "database name expected as first parameter").to_json(),
        },
        None => Execution::Failed {
            result: Error::syntax(params, "array expected").to_json(),
        },
    }
}

/// Runs row changes that were committed before (a record read back from the database
/// file, or from a replica) through the commit checks, as the reference does when it
/// replays a log: rows nothing references are collected, weak references to missing rows
/// are dropped, integrity and index violations are errors. Returns what to apply, which
/// may differ from `changes` (collected rows, cleaned references, new `_version`s).
pub fn replay(db: &Database, changes: &Changes) -> Result<Changes> {
    let mut txn = Txn::new(db);
    for (name, rows) in &changes.tables {
        let table = db.schema.tables.get(name).ok_or_else(|| {
            Error::syntax(
                &Json::string(name.as_str()),
                format!("No table named {name}."),
            )
        })?;
        for (uuid, change) in rows {
            txn.put(table, *uuid, change.new.clone());
        }
    }
    txn.commit()
}

/// Runs the operations of a `transact` request (the params after the database name).
pub fn execute(db: &Database, ops: &[Json], ctx: &ExecContext) -> Execution {
    let mut x = Exec {
        db,
        txn: Txn::new(db),
        symbols: SymbolTable::new(),
        durable: false,
        comments: Vec::new(),
        ctx,
        timeout_ms: i64::MAX,
    };
    let n = ops.len();
    let mut results = Vec::with_capacity(n);
    let mut failed = false;
    for (i, op) in ops.iter().enumerate() {
        let mut p = OpParser::new(op, i + 1, n);
        let mut result = Object::new();
        let mut error = None;
        let mut read_only_op = false;
        let op_name = p.member("op", Expect::Id, false).and_then(Json::as_str);
        if let Some(name) = op_name {
            match lookup_operation(name) {
                Some((ro, run)) => {
                    read_only_op = ro;
                    error = run(&mut x, &mut p, &mut result).err();
                }
                None => p.raise(&format!("No operation \"{name}\"")),
            }
        }
        if let Some(parse_error) = p.finish() {
            error = Some(parse_error);
        }
        if !read_only_op && error.is_none() {
            let name = op_name.unwrap_or("");
            if ctx.read_only {
                error = Some(Error::new(
                    "not allowed",
                    format!(
                        "{name} operation not allowed when database server is in read only mode"
                    ),
                ));
            } else if db.schema.name.starts_with('_') {
                error = Some(Error::new(
                    "not allowed",
                    format!(
                        "{name} operation not allowed on table in reserved database {}",
                        db.schema.name
                    ),
                ));
            }
        }
        if let Some(e) = error {
            if e.tag == "not supported" && ctx.can_block {
                let until = (x.timeout_ms != i64::MAX)
                    .then(|| {
                        ctx.started
                            .checked_add(Duration::from_millis(x.timeout_ms as u64))
                    })
                    .flatten();
                return Execution::Blocked { until };
            }
            results.push(e.to_json());
            failed = true;
            break;
        }
        results.push(Json::Object(result));
    }
    if failed {
        results.resize(n, Json::Null);
        return Execution::Failed {
            result: Json::Array(results),
        };
    }
    let Exec {
        txn,
        durable,
        comments,
        ..
    } = x;
    match txn.commit() {
        Ok(changes) => Execution::Committed {
            result: Json::Array(results),
            changes,
            durable,
            comment: (!comments.is_empty()).then(|| comments.join("\n")),
        },
        Err(e) => {
            results.push(e.to_json());
            Execution::Failed {
                result: Json::Array(results),
            }
        }
    }
}

struct Exec<'a, 'c> {
    db: &'a Database,
    txn: Txn<'a>,
    symbols: SymbolTable,
    durable: bool,
    comments: Vec<String>,
    ctx: &'c ExecContext<'c>,
    /// The smallest `wait` timeout seen so far.
    timeout_ms: i64,
}

type Operation =
    for<'a, 'c, 'j> fn(&mut Exec<'a, 'c>, &mut OpParser<'j>, &mut Object) -> Result<()>;

/// The operation called `name` and whether it only reads.
fn lookup_operation(name: &str) -> Option<(bool, Operation)> {
    Some(match name {
        "insert" => (false, op_insert as Operation),
        "select" => (true, op_select),
        "update" => (false, op_update),
        "mutate" => (false, op_mutate),
        "delete" => (false, op_delete),
        "wait" => (true, op_wait),
        "commit" => (false, op_commit),
        "abort" => (true, op_abort),
        "comment" => (true, op_comment),
        "assert" => (true, op_assert),
        _ => return None,
    })
}

fn parse_table<'a>(
    db: &'a Database,
    p: &mut OpParser,
    member: &'static str,
) -> Option<&'a TableSchema> {
    let name = p.member(member, Expect::Id, false)?.as_str()?;
    let table = db.schema.tables.get(name);
    if table.is_none() {
        p.raise(&format!("No table named {name}."));
    }
    table
}

/// The error recorded by the parser, or a bug report if a required member is missing
/// without one (which `OpParser` guarantees cannot happen).
fn required<T>(p: &OpParser, value: Option<T>) -> Result<T> {
    match (p.error(), value) {
        (Some(e), _) => Err(e),
        (None, Some(v)) => Ok(v),
        (None, None) => Err(Error::new("internal error", "missing operation member")),
    }
}

/// Fills `row` from a JSON object of column values, returning the columns it named.
fn parse_row(
    row: &mut Row,
    json: &Json,
    table: &TableSchema,
    symbols: &mut SymbolTable,
) -> Result<Vec<usize>> {
    let values = parse_row_values(json, table, symbols)?;
    let mut columns = Vec::with_capacity(values.len());
    for (c, datum) in values {
        match c {
            UUID_COLUMN | VERSION_COLUMN => {
                let uuid = datum
                    .first()
                    .and_then(crate::Atom::as_uuid)
                    .unwrap_or_default();
                if c == UUID_COLUMN {
                    row.uuid = uuid;
                } else {
                    row.version = uuid;
                }
            }
            _ => row.set(c, datum),
        }
        columns.push(c);
    }
    Ok(columns)
}

/// The column values of a JSON row object, in member order, each checked against its
/// column's type.
fn parse_row_values(
    json: &Json,
    table: &TableSchema,
    symbols: &mut SymbolTable,
) -> Result<Vec<(usize, Datum)>> {
    let Some(object) = json.as_object() else {
        return Err(Error::syntax(json, "row must be JSON object"));
    };
    let mut values = Vec::with_capacity(object.len());
    for (name, value) in object {
        let c = table.column_index(name).ok_or_else(|| Error {
            tag: "unknown column",
            details: format!("No column {name} in table {}.", table.name),
            syntax: Some(json.clone()),
        })?;
        let datum = datum_from_json(value, &table.columns[c].type_, Some(symbols))?;
        values.push((c, datum));
    }
    Ok(values)
}

/// A `columns` member: the named columns, or every column if absent.
fn parse_columns(json: Option<&Json>, table: &TableSchema) -> Result<Vec<usize>> {
    let Some(json) = json else {
        return Ok((0..table.columns.len()).collect());
    };
    let bad = || Error::syntax(json, "array of distinct column names expected");
    let items = json.as_array().ok_or_else(bad)?;
    let mut columns = Vec::with_capacity(items.len());
    for item in items {
        let name = item.as_str().ok_or_else(bad)?;
        let c = table
            .column_index(name)
            .ok_or_else(|| Error::syntax(json, format!("{name} is not a valid column name")))?;
        if columns.contains(&c) {
            return Err(bad());
        }
        columns.push(c);
    }
    Ok(columns)
}

fn row_to_json(row: &Row, table: &TableSchema, columns: &[usize]) -> Json {
    let object: Object = columns
        .iter()
        .map(|&c| {
            let col = &table.columns[c];
            (col.name.clone(), row.get(c).to_json(&col.type_))
        })
        .collect();
    Json::Object(object)
}

fn op_insert(x: &mut Exec, p: &mut OpParser, result: &mut Object) -> Result<()> {
    let table = parse_table(x.db, p, "table");
    let uuid_json = p.member("uuid", Expect::String, true);
    let uuid_name = p.member("uuid-name", Expect::Id, true);
    let row_json = p.member("row", Expect::Object, false);
    let table = required(p, table)?;
    let row_json = required(p, row_json)?;

    let mut row_uuid = None;
    if let Some(u) = uuid_json {
        let uuid = u
            .as_str()
            .and_then(parse_uuid)
            .ok_or_else(|| Error::syntax(u, "bad uuid"))?;
        if !x.txn.may_create(table, &uuid) {
            return Err(Error {
                tag: "duplicate uuid",
                details: "This UUID would duplicate a UUID already present within the table \
                          or deleted within the same transaction."
                    .into(),
                syntax: Some(u.clone()),
            });
        }
        row_uuid = Some(uuid);
    }
    if let Some(name_json) = uuid_name {
        let symbol = x.symbols.insert(name_json.as_str().unwrap_or(""));
        if symbol.created {
            return Err(Error {
                tag: "duplicate uuid-name",
                details: "This \"uuid-name\" appeared on an earlier \"insert\" operation.".into(),
                syntax: Some(name_json.clone()),
            });
        }
        match row_uuid {
            Some(u) => symbol.uuid = u,
            None => row_uuid = Some(symbol.uuid),
        }
        symbol.created = true;
    }
    let uuid = row_uuid.unwrap_or_else(crate::uuidgen::new_uuid);
    let mut row = Row::new_default(table, uuid);
    let version = row.version;
    parse_row(&mut row, row_json, table, &mut x.symbols)?;
    row.uuid = uuid;
    row.version = version;
    // Defaults were never checked against the column constraints (a single element
    // may be a default; more than one was checked when parsed).
    for (i, col) in table.user_columns().iter().enumerate() {
        let datum = row.datum(i + N_IMPLICIT);
        if datum.len() == 1 {
            datum.check_constraints(&col.type_)?;
        }
    }
    x.txn.insert(table, row);
    result.insert("uuid".into(), uuid_to_json(&uuid));
    Ok(())
}

fn op_select(x: &mut Exec, p: &mut OpParser, result: &mut Object) -> Result<()> {
    let table = parse_table(x.db, p, "table");
    let where_json = p.member("where", Expect::Array, false);
    let columns_json = p.member("columns", Expect::Array, true);
    let sort_json = p.member("sort", Expect::Array, true);
    let table = required(p, table)?;
    let where_json = required(p, where_json)?;
    let cond = Conditions::from_json(table, where_json, Some(&mut x.symbols))?;
    let columns = parse_columns(columns_json, table)?;
    let sort = match sort_json {
        Some(s) => parse_columns(Some(s), table)?,
        None => Vec::new(),
    };
    let mut rows = x.txn.query(table, &cond);
    if columns_json.is_some() && !columns.contains(&UUID_COLUMN) {
        rows = distinct_rows(rows, &columns);
    }
    sort_rows(&mut rows, &sort);
    let rows = rows.iter().map(|r| row_to_json(r, table, &columns));
    result.insert("rows".into(), Json::array(rows));
    Ok(())
}

fn op_update(x: &mut Exec, p: &mut OpParser, result: &mut Object) -> Result<()> {
    let table = parse_table(x.db, p, "table");
    let where_json = p.member("where", Expect::Array, false);
    let row_json = p.member("row", Expect::Object, false);
    let table = required(p, table)?;
    let where_json = required(p, where_json)?;
    let row_json = required(p, row_json)?;
    let update = parse_row_values(row_json, table, &mut x.symbols)?;
    if let Some((c, _)) = update.iter().find(|(c, _)| !table.columns[*c].mutable) {
        return Err(Error {
            tag: "constraint violation",
            details: format!(
                "Cannot update immutable column {} in table {}.",
                table.columns[*c].name, table.name
            ),
            syntax: Some(p.json().clone()),
        });
    }
    let cond = Conditions::from_json(table, where_json, Some(&mut x.symbols))?;
    let rows = x.txn.query(table, &cond);
    for row in &rows {
        if update.iter().any(|(c, d)| row.datum(*c) != d) {
            if let Some(m) = x.txn.modify(table, &row.uuid) {
                for (c, d) in &update {
                    m.set(*c, d.clone());
                }
            }
        }
    }
    result.insert("count".into(), Json::Integer(rows.len() as i64));
    Ok(())
}

fn op_mutate(x: &mut Exec, p: &mut OpParser, result: &mut Object) -> Result<()> {
    let table = parse_table(x.db, p, "table");
    let where_json = p.member("where", Expect::Array, false);
    let mutations_json = p.member("mutations", Expect::Array, false);
    let table = required(p, table)?;
    let where_json = required(p, where_json)?;
    let mutations_json = required(p, mutations_json)?;
    let mutations = Mutations::from_json(table, mutations_json, Some(&mut x.symbols))?;
    let cond = Conditions::from_json(table, where_json, Some(&mut x.symbols))?;
    let rows = x.txn.query(table, &cond);
    for row in &rows {
        if let Some(m) = x.txn.modify(table, &row.uuid) {
            mutations.apply(table, m)?;
        }
    }
    result.insert("count".into(), Json::Integer(rows.len() as i64));
    Ok(())
}

fn op_delete(x: &mut Exec, p: &mut OpParser, result: &mut Object) -> Result<()> {
    let where_json = p.member("where", Expect::Array, false);
    let table = parse_table(x.db, p, "table");
    let table = required(p, table)?;
    let where_json = required(p, where_json)?;
    let cond = Conditions::from_json(table, where_json, Some(&mut x.symbols))?;
    let rows = x.txn.query(table, &cond);
    for row in &rows {
        x.txn.delete(table, &row.uuid);
    }
    result.insert("count".into(), Json::Integer(rows.len() as i64));
    Ok(())
}

fn op_wait(x: &mut Exec, p: &mut OpParser, _result: &mut Object) -> Result<()> {
    let timeout_json = p.member("timeout", Expect::Integer, true);
    let where_json = p.member("where", Expect::Array, false);
    let columns_json = p.member("columns", Expect::Array, true);
    let until_json = p.member("until", Expect::String, false);
    let rows_json = p.member("rows", Expect::Array, false);
    let table = parse_table(x.db, p, "table");
    let table = required(p, table)?;
    let where_json = required(p, where_json)?;
    let until_json = required(p, until_json)?;
    let rows_json = required(p, rows_json)?;
    let cond = Conditions::from_json(table, where_json, Some(&mut x.symbols))?;
    let columns = parse_columns(columns_json, table)?;
    let timeout_ms = match timeout_json.and_then(Json::as_i64) {
        Some(t) if t < 0 => {
            let json = timeout_json.unwrap_or(&Json::Null);
            return Err(Error::syntax(json, "timeout must be nonnegative"));
        }
        Some(t) => {
            x.timeout_ms = x.timeout_ms.min(t);
            t
        }
        None => i64::MAX,
    };
    let until_equal = match until_json.as_str() {
        Some("==") => true,
        Some("!=") => false,
        _ => {
            return Err(Error::syntax(
                until_json,
                "\"until\" must be \"==\" or \"!=\"",
            ))
        }
    };
    let items = rows_json.as_array().unwrap_or(&[]);
    let mut expected: HashSet<Vec<Datum>> = HashSet::with_capacity(items.len());
    for item in items {
        let mut row = Row::new_default(table, Uuid::nil());
        row.version = Uuid::nil();
        parse_row(&mut row, item, table, &mut x.symbols)?;
        expected.insert(index_key(&row, &columns));
    }
    let mut actual: HashSet<Vec<Datum>> = HashSet::new();
    let mut equal = true;
    for row in x.txn.query(table, &cond) {
        let key = index_key(&row, &columns);
        if !expected.contains(&key) {
            equal = false;
            break;
        }
        actual.insert(key);
    }
    equal = equal && actual.len() == expected.len();
    if until_equal == equal {
        return Ok(());
    }
    let elapsed = x.ctx.elapsed_ms();
    if timeout_json.is_some() && elapsed >= timeout_ms {
        return Err(if elapsed > 0 {
            Error::new(
                "timed out",
                format!("\"wait\" timed out after {elapsed} ms"),
            )
        } else {
            Error::new("timed out", "\"where\" clause test failed")
        });
    }
    Err(Error::new("not supported", "triggers not supported"))
}

fn op_commit(x: &mut Exec, p: &mut OpParser, _result: &mut Object) -> Result<()> {
    if let Some(Json::Bool(true)) = p.member("durable", Expect::Boolean, false) {
        x.durable = true;
    }
    Ok(())
}

fn op_abort(_x: &mut Exec, _p: &mut OpParser, _result: &mut Object) -> Result<()> {
    Err(Error::new("aborted", "aborted by request"))
}

fn op_comment(x: &mut Exec, p: &mut OpParser, _result: &mut Object) -> Result<()> {
    if let Some(comment) = p
        .member("comment", Expect::String, false)
        .and_then(Json::as_str)
    {
        x.comments.push(comment.to_owned());
    }
    Ok(())
}

fn op_assert(x: &mut Exec, p: &mut OpParser, _result: &mut Object) -> Result<()> {
    let Some(lock) = p.member("lock", Expect::Id, false).and_then(Json::as_str) else {
        return Ok(());
    };
    if x.ctx.owns_lock.is_some_and(|owns| owns(lock)) {
        return Ok(());
    }
    Err(Error::new(
        "not owner",
        format!("Asserted lock {lock} not held."),
    ))
}
