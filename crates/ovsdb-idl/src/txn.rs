//! Building a `transact` request and reading its result.
//!
//! Optimistic concurrency as the reference IDL does it: a `verify` becomes a `wait` with
//! timeout 0 that the current value is still what we read, so a concurrent change makes
//! the transaction fail with "timed out" and the caller re-runs its logic
//! ([`TxnOutcome::TryAgain`]). New rows use `uuid-name`s; partial set and map changes
//! become `mutate`s; an increment is a `mutate +=` followed by a `select`.

use crate::protocol::error_text;
use ovs_json::Json;
use ovsdb::{Row, Type, Uuid};
use std::collections::HashMap;

/// How a committed transaction went.
#[derive(Clone, Debug, PartialEq)]
pub enum TxnOutcome {
    /// Committed. `inserted` maps each uuid-name to the row's UUID; `increment` is the
    /// new value of the incremented column, if any.
    Success {
        inserted: HashMap<String, Uuid>,
        increment: Option<i64>,
    },
    /// A verified value changed meanwhile: re-read and retry.
    TryAgain,
    /// A lock asserted by the transaction is not held.
    NotLocked,
    /// The transaction was a dry run (`abort`), and would otherwise have succeeded.
    Aborted,
    /// Anything else, as `error: details`.
    Error(String),
}

#[derive(Clone, Debug, PartialEq)]
enum OpKind {
    Insert(String),
    Verify,
    Increment,
    IncrementSelect,
    Abort,
    Other,
}

/// A transaction under construction.
#[derive(Clone, Debug, Default)]
pub struct Txn {
    ops: Vec<Json>,
    kinds: Vec<OpKind>,
    next_name: u32,
}

fn uuid_json(u: &Uuid) -> Json {
    Json::array([Json::string("uuid"), Json::string(u.to_string())])
}

fn where_uuid(u: &Uuid) -> Json {
    Json::array([Json::array([
        Json::string("_uuid"),
        Json::string("=="),
        uuid_json(u),
    ])])
}

impl Txn {
    pub fn new() -> Txn {
        Txn::default()
    }

    pub fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }

    fn push(&mut self, op: Json, kind: OpKind) {
        self.ops.push(op);
        self.kinds.push(kind);
    }

    /// A fresh uuid-name, usable as `["named-uuid", name]` in later operations.
    pub fn new_name(&mut self) -> String {
        self.next_name += 1;
        format!("row{}", self.next_name)
    }

    /// Inserts a row; returns its uuid-name.
    pub fn insert(&mut self, table: &str, row: ovs_json::Object) -> String {
        let name = self.new_name();
        self.insert_named(table, row, &name);
        name
    }

    /// Inserts a row under a name chosen by the caller (from [`Txn::new_name`]).
    pub fn insert_named(&mut self, table: &str, row: ovs_json::Object, name: &str) {
        let op = Json::object([
            ("op", Json::string("insert")),
            ("table", Json::string(table)),
            ("row", Json::Object(row)),
            ("uuid-name", Json::string(name)),
        ]);
        self.push(op, OpKind::Insert(name.to_owned()));
    }

    /// Sets whole column values of one row.
    pub fn update(&mut self, table: &str, uuid: &Uuid, row: ovs_json::Object) {
        let op = Json::object([
            ("op", Json::string("update")),
            ("table", Json::string(table)),
            ("where", where_uuid(uuid)),
            ("row", Json::Object(row)),
        ]);
        self.push(op, OpKind::Other);
    }

    /// Applies mutations (`[column, mutator, value]`) to one row.
    pub fn mutate(&mut self, table: &str, uuid: &Uuid, mutations: Vec<Json>) {
        let op = Json::object([
            ("op", Json::string("mutate")),
            ("table", Json::string(table)),
            ("where", where_uuid(uuid)),
            ("mutations", Json::Array(mutations)),
        ]);
        self.push(op, OpKind::Other);
    }

    pub fn delete(&mut self, table: &str, uuid: &Uuid) {
        let op = Json::object([
            ("op", Json::string("delete")),
            ("table", Json::string(table)),
            ("where", where_uuid(uuid)),
        ]);
        self.push(op, OpKind::Other);
    }

    /// Fails the transaction with TryAgain unless `row`'s `columns` still hold the values
    /// read from the replica.
    pub fn verify(&mut self, table: &str, row: &Row, columns: &[(&str, usize, &Type)]) {
        let mut values = ovs_json::Object::new();
        for (name, c, t) in columns {
            values.insert((*name).to_owned(), row.datum(*c).to_json(t));
        }
        let op = Json::object([
            ("op", Json::string("wait")),
            ("timeout", Json::Integer(0)),
            ("table", Json::string(table)),
            ("where", where_uuid(&row.uuid)),
            (
                "columns",
                Json::array(columns.iter().map(|(n, _, _)| Json::string(*n))),
            ),
            ("until", Json::string("==")),
            ("rows", Json::array([Json::Object(values)])),
        ]);
        self.push(op, OpKind::Verify);
    }

    /// Adds 1 to an integer column and reads back the new value.
    pub fn increment(&mut self, table: &str, uuid: &Uuid, column: &str) {
        let m = Json::array([Json::string(column), Json::string("+="), Json::Integer(1)]);
        let op = Json::object([
            ("op", Json::string("mutate")),
            ("table", Json::string(table)),
            ("where", where_uuid(uuid)),
            ("mutations", Json::array([m])),
        ]);
        self.push(op, OpKind::Increment);
        let sel = Json::object([
            ("op", Json::string("select")),
            ("table", Json::string(table)),
            ("where", where_uuid(uuid)),
            ("columns", Json::array([Json::string(column)])),
        ]);
        self.push(sel, OpKind::IncrementSelect);
    }

    pub fn comment(&mut self, text: &str) {
        let op = Json::object([
            ("op", Json::string("comment")),
            ("comment", Json::string(text)),
        ]);
        self.push(op, OpKind::Other);
    }

    /// Requires that this session holds `lock`.
    pub fn assert_lock(&mut self, lock: &str) {
        let op = Json::object([("op", Json::string("assert")), ("lock", Json::string(lock))]);
        self.push(op, OpKind::Other);
    }

    /// Makes the transaction a dry run.
    pub fn abort(&mut self) {
        self.push(Json::object([("op", Json::string("abort"))]), OpKind::Abort);
    }

    /// The operations, for `transact` params after the database name.
    pub fn ops(&self) -> Vec<Json> {
        self.ops.clone()
    }

    /// Interprets the server's reply to this transaction.
    pub fn outcome(&self, reply: &Result<Json, Json>) -> TxnOutcome {
        let results = match reply {
            Ok(Json::Array(r)) => r,
            Ok(other) => return TxnOutcome::Error(format!("bad transact reply {other}")),
            Err(e) => return TxnOutcome::Error(error_text(e)),
        };
        let mut inserted = HashMap::new();
        let mut increment = None;
        for (i, r) in results.iter().enumerate() {
            let kind = self.kinds.get(i).unwrap_or(&OpKind::Other);
            if let Some(err) = r.get("error").and_then(Json::as_str) {
                return match (kind, err) {
                    (OpKind::Verify, "timed out") => TxnOutcome::TryAgain,
                    (_, "not owner") => TxnOutcome::NotLocked,
                    (OpKind::Abort, "aborted") => TxnOutcome::Aborted,
                    _ => TxnOutcome::Error(error_text(r)),
                };
            }
            match kind {
                OpKind::Insert(name) => {
                    if let Some(u) = r
                        .get("uuid")
                        .and_then(Json::as_array)
                        .and_then(|a| a.get(1))
                        .and_then(Json::as_str)
                        .and_then(ovsdb::atom::parse_uuid)
                    {
                        inserted.insert(name.clone(), u);
                    }
                }
                OpKind::Increment if r.get("count").and_then(Json::as_i64) != Some(1) => {
                    return TxnOutcome::TryAgain;
                }
                OpKind::IncrementSelect => {
                    increment = r
                        .get("rows")
                        .and_then(Json::as_array)
                        .and_then(|rows| rows.first())
                        .and_then(Json::as_object)
                        .and_then(|row| row.values().next())
                        .and_then(Json::as_i64);
                }
                _ => {}
            }
        }
        if results.len() < self.ops.len() {
            return TxnOutcome::Error("transact reply has too few results".into());
        }
        TxnOutcome::Success {
            inserted,
            increment,
        }
    }
}
