//! The IDL's conversation with a server, without I/O: what to send after connecting,
//! how to read each answer, and how to fall back from `monitor_cond_since` to
//! `monitor_cond` to `monitor` when an older server does not know a method.

use crate::replica::{Replica, UpdateFormat};
use ovs_json::rpc::Message;
use ovs_json::Json;
use ovsdb::{DatabaseSchema, Uuid};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// Which tables and columns to replicate, and which rows (conditions).
#[derive(Clone, Debug, Default)]
pub struct Selection {
    /// Table name → columns (`None` for all) and condition (`None` for all rows).
    /// An empty selection means every table, every column.
    pub tables: BTreeMap<String, TableSelection>,
}

#[derive(Clone, Debug, Default)]
pub struct TableSelection {
    pub columns: Option<Vec<String>>,
    pub condition: Option<Json>,
}

impl Selection {
    pub fn everything() -> Selection {
        Selection::default()
    }

    pub fn table(mut self, name: &str, columns: Option<&[&str]>) -> Selection {
        self.tables.insert(
            name.to_owned(),
            TableSelection {
                columns: columns.map(|c| c.iter().map(|s| s.to_string()).collect()),
                condition: None,
            },
        );
        self
    }
}

/// The monitor method in use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MonitorMethod {
    CondSince,
    Cond,
    Plain,
}

impl MonitorMethod {
    fn name(self) -> &'static str {
        match self {
            MonitorMethod::CondSince => "monitor_cond_since",
            MonitorMethod::Cond => "monitor_cond",
            MonitorMethod::Plain => "monitor",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Pending {
    Schema,
    Monitor(MonitorMethod),
    CondChange,
    Lock,
    Transact,
    Other,
}

/// Where the handshake is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum State {
    Disconnected,
    SchemaRequested,
    MonitorRequested,
    Monitoring,
    /// The server refused us for good (e.g. unknown database).
    Failed(String),
}

/// Something the caller should know about after handling a message.
#[derive(Clone, Debug, PartialEq)]
pub enum Event {
    /// The replica changed (or was loaded).
    Changed,
    /// The reply to a `transact` sent with [`Protocol::transact`].
    TxnReply {
        id: Json,
        result: Result<Json, Json>,
    },
    LockAcquired,
    LockLost,
}

pub struct Protocol {
    db: String,
    selection: Selection,
    pub state: State,
    pub replica: Option<Replica>,
    method: MonitorMethod,
    monitor_id: Json,
    next_id: i64,
    pending: HashMap<String, Pending>,
    pub last_txn_id: Uuid,
    lock_name: Option<String>,
    pub has_lock: bool,
}

impl Protocol {
    pub fn new(db: &str, selection: Selection) -> Protocol {
        Protocol {
            db: db.to_owned(),
            selection,
            state: State::Disconnected,
            replica: None,
            method: MonitorMethod::CondSince,
            monitor_id: Json::string(db),
            next_id: 1,
            pending: HashMap::new(),
            last_txn_id: Uuid::nil(),
            lock_name: None,
            has_lock: false,
        }
    }

    pub fn db_name(&self) -> &str {
        &self.db
    }

    pub fn is_ready(&self) -> bool {
        self.state == State::Monitoring
    }

    fn request(&mut self, method: &str, params: Vec<Json>, kind: Pending) -> Message {
        let id = Json::Integer(self.next_id);
        self.next_id += 1;
        self.pending.insert(id.to_compact(), kind);
        Message::request(method, params, id)
    }

    /// What to send on a new connection.
    pub fn connected(&mut self) -> Vec<Message> {
        self.pending.clear();
        self.has_lock = false;
        self.state = State::SchemaRequested;
        let mut out = vec![self.request(
            "get_schema",
            vec![Json::string(self.db.as_str())],
            Pending::Schema,
        )];
        if let Some(name) = self.lock_name.clone() {
            out.push(self.request("lock", vec![Json::string(name)], Pending::Lock));
        }
        out
    }

    /// Forgets connection state (the replica stays, to be refreshed on reconnect).
    pub fn disconnected(&mut self) {
        self.state = State::Disconnected;
        self.pending.clear();
        self.has_lock = false;
    }

    /// Asks for a lock; sent now if connected, else on connect.
    pub fn set_lock(&mut self, name: &str) -> Option<Message> {
        self.lock_name = Some(name.to_owned());
        (self.state != State::Disconnected)
            .then(|| self.request("lock", vec![Json::string(name)], Pending::Lock))
    }

    /// Builds a `transact` request; its reply comes back as [`Event::TxnReply`].
    pub fn transact(&mut self, params: Vec<Json>) -> Message {
        let mut p = vec![Json::string(self.db.as_str())];
        p.extend(params);
        self.request("transact", p, Pending::Transact)
    }

    /// Replaces a table's condition; returns the request to send if monitoring.
    pub fn set_condition(&mut self, table: &str, condition: Json) -> Option<Message> {
        self.selection
            .tables
            .entry(table.to_owned())
            .or_default()
            .condition = Some(condition.clone());
        if self.state != State::Monitoring || self.method == MonitorMethod::Plain {
            return None;
        }
        let req = Json::object([(table, Json::array([Json::object([("where", condition)])]))]);
        let mid = self.monitor_id.clone();
        Some(self.request(
            "monitor_cond_change",
            vec![mid.clone(), mid, req],
            Pending::CondChange,
        ))
    }

    fn monitor_request(&mut self) -> Message {
        let Some(replica) = &self.replica else {
            return self.request("echo", vec![], Pending::Other);
        };
        let schema = replica.schema.clone();
        let mut reqs = ovs_json::Object::new();
        for (name, ts) in &schema.tables {
            let sel = if self.selection.tables.is_empty() {
                Some(TableSelection::default())
            } else {
                self.selection.tables.get(name).cloned()
            };
            let Some(sel) = sel else {
                continue;
            };
            let columns: Vec<Json> = match &sel.columns {
                Some(cols) => cols
                    .iter()
                    .filter(|c| ts.column(c).is_some())
                    .map(|c| Json::string(c.as_str()))
                    .collect(),
                None => ts
                    .user_columns()
                    .iter()
                    .map(|c| Json::string(c.name.as_str()))
                    .collect(),
            };
            let mut r = ovs_json::Object::new();
            r.insert("columns".into(), Json::Array(columns));
            if self.method != MonitorMethod::Plain {
                if let Some(c) = &sel.condition {
                    r.insert("where".into(), c.clone());
                }
            }
            let r = Json::Object(r);
            reqs.insert(
                name.clone(),
                if self.method == MonitorMethod::Plain {
                    r
                } else {
                    Json::array([r])
                },
            );
        }
        let mut params = vec![
            Json::string(self.db.as_str()),
            self.monitor_id.clone(),
            Json::Object(reqs),
        ];
        if self.method == MonitorMethod::CondSince {
            params.push(Json::string(self.last_txn_id.to_string()));
        }
        let method = self.method;
        self.request(method.name(), params, Pending::Monitor(method))
    }

    /// Handles one message; returns messages to send and events for the caller.
    pub fn handle(&mut self, msg: Message) -> (Vec<Message>, Vec<Event>) {
        let mut out = Vec::new();
        let mut events = Vec::new();
        match msg {
            Message::Request { method, params, id } if method == "echo" => {
                out.push(Message::Reply {
                    result: Json::Array(params),
                    id,
                });
            }
            Message::Request { id, .. } => out.push(Message::Error {
                error: Json::string("unknown method"),
                id,
            }),
            Message::Notify { method, params } => self.notification(&method, &params, &mut events),
            Message::Reply { result, id } => {
                let kind = self.pending.remove(&id.to_compact());
                self.reply(kind, id, Ok(result), &mut out, &mut events);
            }
            Message::Error { error, id } => {
                let kind = self.pending.remove(&id.to_compact());
                self.reply(kind, id, Err(error), &mut out, &mut events);
            }
        }
        (out, events)
    }

    fn reply(
        &mut self,
        kind: Option<Pending>,
        id: Json,
        result: Result<Json, Json>,
        out: &mut Vec<Message>,
        events: &mut Vec<Event>,
    ) {
        match (kind, result) {
            (Some(Pending::Schema), Ok(schema)) => match DatabaseSchema::from_json(&schema) {
                Ok(s) => {
                    let s = Arc::new(s);
                    if self.replica.as_ref().is_none_or(|r| *r.schema != *s) {
                        self.replica = Some(Replica::new(s));
                    }
                    self.state = State::MonitorRequested;
                    out.push(self.monitor_request());
                }
                Err(e) => self.state = State::Failed(format!("bad schema: {e}")),
            },
            (Some(Pending::Schema), Err(e)) => {
                self.state = State::Failed(error_text(&e));
            }
            (Some(Pending::Monitor(method)), Ok(result)) => {
                let (updates, format) = match method {
                    MonitorMethod::CondSince => {
                        let found = result
                            .as_array()
                            .and_then(|a| a.first())
                            .and_then(Json::as_bool);
                        if let Some(id) = result
                            .as_array()
                            .and_then(|a| a.get(1))
                            .and_then(Json::as_str)
                            .and_then(ovsdb::atom::parse_uuid)
                        {
                            self.last_txn_id = id;
                        }
                        if found != Some(true) {
                            if let Some(r) = self.replica.as_mut() {
                                r.clear();
                            }
                        }
                        (
                            result
                                .as_array()
                                .and_then(|a| a.get(2))
                                .cloned()
                                .unwrap_or(Json::Null),
                            UpdateFormat::V2,
                        )
                    }
                    MonitorMethod::Cond => {
                        if let Some(r) = self.replica.as_mut() {
                            r.clear();
                        }
                        (result, UpdateFormat::V2)
                    }
                    MonitorMethod::Plain => {
                        if let Some(r) = self.replica.as_mut() {
                            r.clear();
                        }
                        (result, UpdateFormat::V1)
                    }
                };
                self.apply(&updates, format, events);
                self.state = State::Monitoring;
                events.push(Event::Changed);
            }
            (Some(Pending::Monitor(method)), Err(e)) => {
                // Older servers: fall back one protocol generation.
                let fallback = match method {
                    MonitorMethod::CondSince => Some(MonitorMethod::Cond),
                    MonitorMethod::Cond => Some(MonitorMethod::Plain),
                    MonitorMethod::Plain => None,
                };
                match fallback {
                    Some(m) if e.as_str() == Some("unknown method") => {
                        self.method = m;
                        out.push(self.monitor_request());
                    }
                    _ => self.state = State::Failed(error_text(&e)),
                }
            }
            (Some(Pending::Lock), Ok(r))
                if r.get("locked").and_then(Json::as_bool) == Some(true) =>
            {
                self.has_lock = true;
                events.push(Event::LockAcquired);
            }
            (Some(Pending::Transact), result) => events.push(Event::TxnReply { id, result }),
            _ => {}
        }
    }

    fn notification(&mut self, method: &str, params: &[Json], events: &mut Vec<Event>) {
        match (method, params) {
            ("update", [_, updates]) => self.apply(updates, UpdateFormat::V1, events),
            ("update2", [_, updates]) => self.apply(updates, UpdateFormat::V2, events),
            ("update3", [_, txn_id, updates]) => {
                if let Some(id) = txn_id.as_str().and_then(ovsdb::atom::parse_uuid) {
                    self.last_txn_id = id;
                }
                self.apply(updates, UpdateFormat::V2, events)
            }
            ("locked", _) => {
                self.has_lock = true;
                events.push(Event::LockAcquired);
            }
            ("stolen", _) => {
                self.has_lock = false;
                events.push(Event::LockLost);
            }
            _ => {}
        }
    }

    fn apply(&mut self, updates: &Json, format: UpdateFormat, events: &mut Vec<Event>) {
        if let Some(r) = self.replica.as_mut() {
            match r.apply(updates, format) {
                Ok(true) => events.push(Event::Changed),
                Ok(false) => {}
                // A malformed update leaves the replica unreliable: reload it.
                Err(e) => self.state = State::Failed(format!("bad update: {e}")),
            }
        }
    }
}

/// A server error object as one line: `error: details`.
pub fn error_text(e: &Json) -> String {
    match (
        e.get("error").and_then(Json::as_str),
        e.get("details").and_then(Json::as_str),
    ) {
        (Some(err), Some(d)) => format!("{err}: {d}"),
        (Some(err), None) => err.to_owned(),
        _ => e.as_str().map_or_else(|| e.to_compact(), str::to_owned),
    }
}
