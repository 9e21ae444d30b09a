//! The protocol engine: requests in, replies and notifications out, per session.

use crate::locks::{LockTable, SessionId};
use crate::monitor::{Monitor, Version};
use crate::server_db;
use ovs_json::rpc::Message;
use ovs_json::Json;
use ovsdb::transaction::{self, ExecContext, Execution};
use ovsdb::{Changes, Database, DatabaseSchema, Error};
use std::any::Any;
use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::sync::Arc;
use std::time::Instant;

/// Where a database's committed transactions go (the database file, or nowhere).
pub trait Storage {
    /// Makes a committed transaction durable enough to acknowledge: written, and
    /// fsynced when `durable`.
    fn commit(
        &mut self,
        db: &Database,
        changes: &Changes,
        comment: Option<&str>,
        durable: bool,
    ) -> Result<(), String>;

    /// Rewrites the storage as a snapshot of `db`.
    fn compact(&mut self, db: &Database) -> Result<(), String>;

    /// Whether the automatic compaction rules say it is time.
    fn wants_compaction(&self, _now: Instant) -> bool {
        false
    }
}

/// One served database.
pub struct DbState {
    pub db: Database,
    pub storage: Option<Box<dyn Storage>>,
}

/// One message for a session, already serialized: the engine serializes each message
/// once, and an update that many sessions receive for the same commit shares its body.
#[derive(Clone, Debug, PartialEq)]
pub enum Output {
    Text(String),
    /// `head`, then `body`, then `tail`.
    Shared {
        head: String,
        body: Arc<str>,
        tail: &'static str,
    },
}

impl Output {
    /// Length in bytes.
    pub fn len(&self) -> usize {
        match self {
            Output::Text(t) => t.len(),
            Output::Shared { head, body, tail } => head.len() + body.len() + tail.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Appends the message's bytes to `out`.
    pub fn append_to(&self, out: &mut Vec<u8>) {
        match self {
            Output::Text(t) => out.extend_from_slice(t.as_bytes()),
            Output::Shared { head, body, tail } => {
                out.extend_from_slice(head.as_bytes());
                out.extend_from_slice(body.as_bytes());
                out.extend_from_slice(tail.as_bytes());
            }
        }
    }

    /// The whole text.
    pub fn text(&self) -> std::borrow::Cow<'_, str> {
        match self {
            Output::Text(t) => std::borrow::Cow::Borrowed(t),
            Output::Shared { head, body, tail } => {
                std::borrow::Cow::Owned(format!("{head}{body}{tail}"))
            }
        }
    }
}

/// What a session's I/O layer needs from the engine: where to send output.
pub type Outbox = tokio::sync::mpsc::UnboundedSender<Output>;

struct Session {
    out: Outbox,
    monitors: Vec<Monitor>,
    locks: HashSet<String>,
}

/// A transaction waiting for its `wait` operations to be satisfied.
struct Trigger {
    session: SessionId,
    id: Json,
    db: String,
    params: Vec<Json>,
    started: Instant,
    deadline: Option<Instant>,
}

/// The whole server state.
pub struct Server {
    dbs: BTreeMap<String, DbState>,
    sessions: HashMap<SessionId, Session>,
    locks: LockTable,
    triggers: Vec<Trigger>,
    server_id: uuid::Uuid,
    next_session: SessionId,
    /// Transactions committed since start (for memory/show and tests).
    pub n_commits: u64,
    /// Big values finished with (a transaction's request, its change set), dropped by
    /// [`Server::drop_garbage`] once the reply is on its way: freeing a request of
    /// thousands of operations takes a while, and the client need not wait for it.
    garbage: RefCell<VecDeque<Box<dyn Any>>>,
}

impl Default for Server {
    fn default() -> Self {
        Server::new()
    }
}

impl Server {
    pub fn new() -> Server {
        let schema = Arc::new(server_db::schema());
        let mut s = Server {
            dbs: BTreeMap::new(),
            sessions: HashMap::new(),
            locks: LockTable::default(),
            triggers: Vec::new(),
            server_id: uuid::Uuid::new_v4(),
            next_session: 1,
            n_commits: 0,
            garbage: RefCell::new(VecDeque::new()),
        };
        s.dbs.insert(
            server_db::NAME.into(),
            DbState {
                db: Database::new(schema),
                storage: None,
            },
        );
        s.sync_server_db();
        s
    }

    /// Serves a database; fails if one of that name is already served.
    pub fn add_db(
        &mut self,
        db: Database,
        storage: Option<Box<dyn Storage>>,
    ) -> Result<(), String> {
        let name = db.schema.name.clone();
        if self.dbs.contains_key(&name) {
            return Err(format!("{name}: duplicate database name"));
        }
        self.dbs.insert(name, DbState { db, storage });
        self.sync_server_db();
        Ok(())
    }

    /// Stops serving a database; its monitors are cancelled.
    pub fn remove_db(&mut self, name: &str) -> Result<(), String> {
        if name == server_db::NAME || self.dbs.remove(name).is_none() {
            return Err(format!("Failed to find the database '{name}'."));
        }
        for (_, s) in self.sessions.iter_mut() {
            s.monitors.retain(|m| {
                if m.db == name {
                    let n = Message::notify("monitor_canceled", vec![m.id.clone()]);
                    let _ = s.out.send(Output::Text(n.to_compact()));
                    false
                } else {
                    true
                }
            });
        }
        self.sync_server_db();
        Ok(())
    }

    pub fn db_names(&self) -> impl Iterator<Item = &String> {
        self.dbs.keys()
    }

    pub fn db(&self, name: &str) -> Option<&DbState> {
        self.dbs.get(name)
    }

    pub fn db_mut(&mut self, name: &str) -> Option<&mut DbState> {
        self.dbs.get_mut(name)
    }

    fn sync_server_db(&mut self) {
        let served: BTreeMap<String, Arc<DatabaseSchema>> = self
            .dbs
            .iter()
            .map(|(n, s)| (n.clone(), s.db.schema.clone()))
            .collect();
        let changes = server_db::sync(&self.dbs[server_db::NAME].db, &served);
        if !changes.is_empty() {
            if let Some(state) = self.dbs.get_mut(server_db::NAME) {
                state.db.apply(&changes);
            }
            self.publish(server_db::NAME, &changes);
            // `ovsdb-client wait DB added` blocks on `_Server` with a wait operation.
            self.rerun_triggers(Instant::now());
        }
    }

    /// Registers a new session that receives its output through `out`.
    pub fn open_session(&mut self, out: Outbox) -> SessionId {
        let id = self.next_session;
        self.next_session += 1;
        self.sessions.insert(
            id,
            Session {
                out,
                monitors: Vec::new(),
                locks: HashSet::new(),
            },
        );
        id
    }

    /// Forgets a session: its monitors, blocked transactions and locks.
    pub fn close_session(&mut self, id: SessionId) {
        self.sessions.remove(&id);
        self.triggers.retain(|t| t.session != id);
        for (name, owner) in self.locks.remove_session(id) {
            self.send(owner, Message::notify("locked", vec![Json::string(name)]));
        }
    }

    pub fn n_sessions(&self) -> usize {
        self.sessions.len()
    }

    pub fn n_monitors(&self) -> usize {
        self.sessions.values().map(|s| s.monitors.len()).sum()
    }

    fn send(&self, session: SessionId, msg: Message) {
        if let Some(s) = self.sessions.get(&session) {
            // A closed channel means the session is going away; nothing to do.
            let _ = s.out.send(Output::Text(msg.to_compact()));
        }
        // A big result (thousands of inserted UUIDs) takes a while to free.
        self.defer_drop(msg);
    }

    /// Replies with a result that is already compact JSON text.
    fn reply_text(&self, session: SessionId, id: &Json, result: &str) {
        if let Some(s) = self.sessions.get(&session) {
            // As `Message::Reply` serializes: members in name order.
            let mut text = String::with_capacity(result.len() + 32);
            text.push_str("{\"error\":null,\"id\":");
            id.append_compact(&mut text);
            text.push_str(",\"result\":");
            text.push_str(result);
            text.push('}');
            let _ = s.out.send(Output::Text(text));
        }
    }

    fn reply(&self, session: SessionId, id: Json, result: Json) {
        self.send(session, Message::Reply { result, id });
    }

    fn reply_error(&self, session: SessionId, id: Json, error: Json) {
        self.send(session, Message::Error { error, id });
    }

    /// Handles one message from a session.
    pub fn handle(&mut self, session: SessionId, msg: Message) {
        match msg {
            Message::Request { method, params, id } => {
                self.handle_request(session, &method, params, id)
            }
            Message::Notify { method, params } => {
                if method == "cancel" {
                    self.cancel(session, params.first());
                }
            }
            // Replies to our echo probes need no action.
            Message::Reply { .. } | Message::Error { .. } => {}
        }
    }

    fn handle_request(&mut self, session: SessionId, method: &str, params: Vec<Json>, id: Json) {
        let result = match method {
            "list_dbs" => Ok(Json::array(
                self.dbs.keys().map(|n| Json::string(n.as_str())),
            )),
            "get_schema" => self
                .lookup_db(&params, "get_schema")
                .map(|db| db.db.schema.to_json()),
            "transact" => return self.transact(session, params, id),
            "monitor" => return self.monitor_request(session, params, id, Version::V1),
            "monitor_cond" => return self.monitor_request(session, params, id, Version::V2),
            "monitor_cond_since" => return self.monitor_request(session, params, id, Version::V3),
            "monitor_cond_change" => return self.change_monitor(session, params, id),
            "monitor_cancel" => return self.cancel_monitor(session, params, id),
            "lock" | "steal" | "unlock" => self.lock_op(session, method, &params),
            "echo" => Ok(Json::Array(params)),
            "get_server_id" => Ok(Json::string(self.server_id.to_string())),
            "set_db_change_aware" => match params.as_slice() {
                [Json::Bool(_)] => Ok(Json::object::<&str, _>([])),
                _ => Err(Error::syntax(
                    &Json::Array(params),
                    "set_db_change_aware: true or false parameter expected",
                )),
            },
            "convert" => self.convert(&params),
            _ => {
                return self.reply_error(session, id, Json::string("unknown method"));
            }
        };
        match result {
            Ok(r) => self.reply(session, id, r),
            Err(e) => self.reply_error(session, id, e.to_json()),
        }
    }

    fn lookup_db(&self, params: &[Json], method: &str) -> Result<&DbState, Error> {
        // The params are copied into the error only when there is one: a transaction's
        // params can be megabytes.
        let params_json = || Json::Array(params.to_vec());
        let name = params.first().and_then(Json::as_str).ok_or_else(|| {
            Error::syntax(
                &params_json(),
                format!("{method} request params must begin with <db-name>"),
            )
        })?;
        self.dbs.get(name).ok_or_else(|| {
            Error::syntax(
                &params_json(),
                format!("{method} request specifies unknown database {name}"),
            )
            .with_kind("unknown database")
        })
    }

    // ---- transactions ----

    fn transact(&mut self, session: SessionId, params: Vec<Json>, id: Json) {
        let db_name = match self.lookup_db(&params, "transact") {
            Ok(db) => db.db.schema.name.clone(),
            Err(e) => return self.reply_error(session, id, e.to_json()),
        };
        let now = Instant::now();
        let trigger = Trigger {
            session,
            id,
            db: db_name,
            params,
            started: now,
            deadline: None,
        };
        if let Some(blocked) = self.run_trigger(trigger, now) {
            self.triggers.push(blocked);
        }
    }

    /// Runs a transaction; returns it back if it must keep waiting.
    fn run_trigger(&mut self, mut t: Trigger, now: Instant) -> Option<Trigger> {
        let state = self.dbs.get(&t.db)?;
        let session = t.session;
        let lock_table = &self.locks;
        let owns_lock = move |name: &str| lock_table.owner(name) == Some(session);
        let ctx = ExecContext {
            owns_lock: Some(&owns_lock),
            read_only: false,
            started: t.started,
            now,
            can_block: true,
        };
        let execution = transaction::execute(&state.db, &t.params[1..], &ctx);
        match execution {
            Execution::Committed {
                result,
                changes,
                durable,
                comment,
            } => {
                let result = match self.commit(&t.db, changes, comment.as_deref(), durable) {
                    Ok(()) => result,
                    Err(e) => append_error(result, e),
                };
                self.reply(t.session, t.id, result);
                self.defer_drop(t.params);
                None
            }
            Execution::Failed { result } => {
                self.reply(t.session, t.id, result);
                self.defer_drop(t.params);
                None
            }
            Execution::Blocked { until } => {
                t.deadline = until;
                Some(t)
            }
        }
    }

    /// Writes a committed transaction to storage, applies it and notifies monitors.
    fn commit(
        &mut self,
        db_name: &str,
        changes: Changes,
        comment: Option<&str>,
        durable: bool,
    ) -> Result<(), Error> {
        if changes.is_empty() {
            return Ok(());
        }
        let Some(state) = self.dbs.get_mut(db_name) else {
            return Ok(());
        };
        if let Some(storage) = state.storage.as_mut() {
            storage
                .commit(&state.db, &changes, comment, durable)
                .map_err(|e| Error::new("I/O error", e))?;
        }
        state.db.apply(&changes);
        self.n_commits += 1;
        self.publish(db_name, &changes);
        // The change set holds the rows it replaced; they go with it.
        self.defer_drop(changes);
        self.rerun_triggers(Instant::now());
        Ok(())
    }

    /// Keeps `value` until [`Server::drop_garbage`]. Only the last few values wait
    /// (a client that pipelines big requests must not make us hold all of them): a
    /// request's params, change set and reply make three.
    fn defer_drop<T: Any>(&self, value: T) {
        const KEEP: usize = 8;
        let mut garbage = self.garbage.borrow_mut();
        if garbage.len() >= KEEP {
            garbage.pop_front();
        }
        garbage.push_back(Box::new(value));
    }

    /// Drops what requests left behind. The I/O loop calls this after the replies
    /// went out.
    pub fn drop_garbage(&mut self) {
        self.garbage.get_mut().clear();
    }

    /// Sends monitor updates for a change set already applied to `db_name`. The
    /// table-updates text is built once per monitor definition: many clients usually
    /// monitor the same things.
    fn publish(&self, db_name: &str, changes: &Changes) {
        let Some(state) = self.dbs.get(db_name) else {
            return;
        };
        // Per shape: the distinct definitions seen, each with its update (if any).
        type Built<'m> = Vec<(&'m Monitor, Option<Arc<str>>)>;
        let mut built: HashMap<u64, Built> = HashMap::new();
        for s in self.sessions.values() {
            for m in s.monitors.iter().filter(|m| m.db == db_name) {
                let group = built.entry(m.shape()).or_default();
                let body = match group.iter().find(|(other, _)| other.same_definition(m)) {
                    Some((_, body)) => body.clone(),
                    None => {
                        let mut text = String::new();
                        let body = m
                            .write_updates(&state.db, changes, &mut text)
                            .then(|| Arc::from(text));
                        group.push((m, body.clone()));
                        body
                    }
                };
                if let Some(body) = body {
                    let _ = s.out.send(update_output(m, body));
                }
            }
        }
    }

    /// Commits changes made by the server itself (e.g. remote status), as if by a
    /// transaction: stored, applied, and reported to monitors.
    pub fn commit_changes(&mut self, db_name: &str, changes: Changes) -> Result<(), Error> {
        self.commit(db_name, changes, None, false)
    }

    /// Re-evaluates blocked transactions after a commit or when a deadline passes.
    pub fn rerun_triggers(&mut self, now: Instant) {
        // Running a trigger may commit and so re-enter; take the list first.
        let pending = std::mem::take(&mut self.triggers);
        let mut still = Vec::new();
        for t in pending {
            if let Some(t) = self.run_trigger(t, now) {
                still.push(t);
            }
        }
        still.append(&mut self.triggers);
        self.triggers = still;
    }

    /// The earliest deadline among blocked transactions (for the I/O loop's timer).
    pub fn next_deadline(&self) -> Option<Instant> {
        self.triggers.iter().filter_map(|t| t.deadline).min()
    }

    fn cancel(&mut self, session: SessionId, id: Option<&Json>) {
        let Some(id) = id else {
            return;
        };
        if let Some(pos) = self
            .triggers
            .iter()
            .position(|t| t.session == session && &t.id == id)
        {
            let t = self.triggers.remove(pos);
            self.reply_error(session, t.id, Error::new("canceled", "").to_json());
        }
    }

    // ---- monitors ----

    /// `monitor`, `monitor_cond`, `monitor_cond_since`: the reply carries the initial
    /// contents, written straight to text (it can be megabytes).
    fn monitor_request(&mut self, session: SessionId, params: Vec<Json>, id: Json, v: Version) {
        match self.add_monitor(session, params, v) {
            Ok(text) => self.reply_text(session, &id, &text),
            Err(e) => self.reply_error(session, id, e.to_json()),
        }
    }

    /// Adds a monitor and returns the reply's result as compact text.
    fn add_monitor(
        &mut self,
        session: SessionId,
        params: Vec<Json>,
        version: Version,
    ) -> Result<String, Error> {
        let method = match version {
            Version::V1 => "monitor",
            Version::V2 => "monitor_cond",
            Version::V3 => "monitor_cond_since",
        };
        let want = if version == Version::V3 { 4 } else { 3 };
        let db_name = self.lookup_db(&params, method)?.db.schema.name.clone();
        if params.len() != want {
            return Err(Error::syntax(&Json::Array(params), "invalid parameters"));
        }
        if version == Version::V3 {
            let last = &params[3];
            let text = last
                .as_str()
                .ok_or_else(|| Error::syntax(last, "last-txn-id must be string"))?;
            if ovsdb::atom::parse_uuid(text).is_none() {
                return Err(Error::syntax(last, "last-txn-id must be UUID format."));
            }
        }
        let id = params[1].clone();
        let s = self
            .sessions
            .get(&session)
            .ok_or_else(|| Error::new("internal error", ""))?;
        if s.monitors.iter().any(|m| m.id == id) {
            return Err(Error::syntax(&id, "duplicate monitor ID"));
        }
        let db = &self.dbs[&db_name].db;
        let monitor = Monitor::from_json(db, &db_name, id, &params[2], version)?;
        let mut text = String::new();
        if version == Version::V3 {
            text.push_str("[false,\"");
            text.push_str(NIL_TXN_ID);
            text.push_str("\",");
        }
        monitor.write_initial(db, &mut text);
        if version == Version::V3 {
            text.push(']');
        }
        if let Some(s) = self.sessions.get_mut(&session) {
            s.monitors.push(monitor);
        }
        Ok(text)
    }

    fn change_monitor(&mut self, session: SessionId, params: Vec<Json>, id: Json) {
        let [old_id, new_id, requests] = params.as_slice() else {
            let e = Error::syntax(&Json::Array(params), "invalid parameters");
            return self.reply_error(session, id, e.to_json());
        };
        let Some(s) = self.sessions.get_mut(&session) else {
            return;
        };
        let Some(pos) = s.monitors.iter().position(|m| &m.id == old_id) else {
            let e = Error::syntax(old_id, "unknown monitor session");
            return self.reply_error(session, id, e.to_json());
        };
        if old_id != new_id && s.monitors.iter().any(|m| &m.id == new_id) {
            let e = Error::syntax(new_id, "duplicate monitor ID");
            return self.reply_error(session, id, e.to_json());
        }
        let db = &self.dbs[&s.monitors[pos].db].db;
        let monitor = &mut s.monitors[pos];
        match monitor.change_conditions(db, requests) {
            Ok(delta) => {
                monitor.id = new_id.clone();
                let has_rows = delta.as_object().is_some_and(|o| !o.is_empty());
                if has_rows {
                    let n = update_notification(monitor, delta);
                    let _ = s.out.send(Output::Text(n.to_compact()));
                }
                self.reply(session, id, Json::object::<&str, _>([]));
            }
            Err(e) => self.reply_error(session, id, e.to_json()),
        }
    }

    fn cancel_monitor(&mut self, session: SessionId, params: Vec<Json>, id: Json) {
        let Some(s) = self.sessions.get_mut(&session) else {
            return;
        };
        let [mid] = params.as_slice() else {
            return self.reply_error(session, id, Json::string("invalid parameters"));
        };
        let before = s.monitors.len();
        s.monitors.retain(|m| &m.id != mid);
        if s.monitors.len() == before {
            self.reply_error(session, id, Json::string("unknown monitor"));
        } else {
            self.reply(session, id, Json::object::<&str, _>([]));
        }
    }

    /// `convert`: parameters are checked as the reference checks them; converting a
    /// served database online is not implemented yet (use `ovsdb-tool convert`).
    fn convert(&self, params: &[Json]) -> Result<Json, Error> {
        self.lookup_db(params, "convert")?;
        let schema = params.get(1).unwrap_or(&Json::Null);
        DatabaseSchema::from_json(schema)?;
        Err(Error::new(
            "not supported",
            "online schema conversion is not supported yet; convert the database file \
             with ovsdb-tool convert",
        ))
    }

    // ---- locks ----

    fn lock_op(
        &mut self,
        session: SessionId,
        method: &str,
        params: &[Json],
    ) -> Result<Json, Error> {
        let params_json = Json::Array(params.to_vec());
        let name = match params {
            [Json::String(n)] if ovsdb::schema::is_valid_id(n) => n.clone(),
            _ => {
                return Err(Error::syntax(
                    &params_json,
                    format!("{method} request params must be <id>"),
                ))
            }
        };
        let involved = self.locks.is_involved(&name, session);
        match method {
            "unlock" => {
                if !involved {
                    return Err(Error::syntax(
                        &params_json,
                        "unlock: \"unlock\" without \"lock\" or \"steal\"",
                    ));
                }
                if let Some(s) = self.sessions.get_mut(&session) {
                    s.locks.remove(&name);
                }
                if let Some(owner) = self.locks.unlock(&name, session) {
                    self.send(owner, Message::notify("locked", vec![Json::string(name)]));
                }
                Ok(Json::object::<&str, _>([]))
            }
            _ => {
                if involved {
                    return Err(Error::syntax(
                        &params_json,
                        format!("must issue \"unlock\" before new \"{method}\""),
                    ));
                }
                if let Some(s) = self.sessions.get_mut(&session) {
                    s.locks.insert(name.clone());
                }
                let locked = if method == "lock" {
                    self.locks.lock(&name, session)
                } else {
                    if let Some(prev) = self.locks.steal(&name, session) {
                        self.send(prev, Message::notify("stolen", vec![Json::string(&*name)]));
                    }
                    true
                };
                Ok(Json::object([("locked", Json::Bool(locked))]))
            }
        }
    }

    // ---- maintenance ----

    /// `memory/show`: `atoms:N cells:N monitors:N n-weak-refs:N sessions:N`, as the
    /// reference reports it (user databases only).
    pub fn memory_report(&self) -> String {
        let (mut atoms, mut cells) = (0usize, 0usize);
        for (name, state) in &self.dbs {
            if name == server_db::NAME {
                continue;
            }
            for (tname, table) in &state.db.tables {
                let Some(ts) = state.db.schema.table(tname) else {
                    continue;
                };
                let n_cols = ts.user_columns().len();
                for row in table.rows.values() {
                    cells += n_cols;
                    for c in ovsdb::schema::N_IMPLICIT..ts.columns.len() {
                        let d = row.datum(c);
                        atoms += d.keys().len() + d.values().len();
                    }
                }
            }
        }
        format!(
            "atoms:{atoms} cells:{cells} monitors:{} n-weak-refs:0 sessions:{}\n",
            self.n_monitors(),
            self.n_sessions()
        )
    }

    /// Compacts one database (or all) now.
    pub fn compact(&mut self, name: Option<&str>) -> Result<(), String> {
        let mut done = false;
        for (n, state) in self.dbs.iter_mut() {
            if name.is_some_and(|x| x != n) {
                continue;
            }
            if let Some(storage) = state.storage.as_mut() {
                storage
                    .compact(&state.db)
                    .map_err(|e| format!("{n}: {e}"))?;
                done = true;
            } else if name.is_some() {
                return Err("cannot compact built-in databases".into());
            }
        }
        match (done, name) {
            (false, Some(n)) if !self.dbs.contains_key(n) => Err(format!("{n}: unknown database")),
            _ => Ok(()),
        }
    }

    /// Runs automatic compaction where its rules say so.
    pub fn run_periodic(&mut self, now: Instant) -> Vec<String> {
        let mut log = Vec::new();
        for (n, state) in self.dbs.iter_mut() {
            if let Some(storage) = state.storage.as_mut() {
                if storage.wants_compaction(now) {
                    match storage.compact(&state.db) {
                        Ok(()) => log.push(format!("{n}: compacting database online")),
                        Err(e) => log.push(format!("{n}: compaction failed ({e})")),
                    }
                }
            }
        }
        if self.next_deadline().is_some_and(|d| d <= now) {
            self.rerun_triggers(now);
        }
        log
    }
}

/// The last-txn-id we report: transaction ids are not tracked, so always the nil UUID.
const NIL_TXN_ID: &str = "00000000-0000-0000-0000-000000000000";

fn update_notification(m: &Monitor, updates: Json) -> Message {
    match m.version {
        Version::V1 => Message::notify("update", vec![m.id.clone(), updates]),
        Version::V2 => Message::notify("update2", vec![m.id.clone(), updates]),
        Version::V3 => Message::notify(
            "update3",
            vec![m.id.clone(), Json::string(NIL_TXN_ID), updates],
        ),
    }
}

/// The notification [`update_notification`] makes, around table-updates text that other
/// sessions may share.
fn update_output(m: &Monitor, body: Arc<str>) -> Output {
    let method = match m.version {
        Version::V1 => "update",
        Version::V2 => "update2",
        Version::V3 => "update3",
    };
    // As `Message::Notify` serializes: members in name order.
    let mut head = String::with_capacity(64);
    head.push_str("{\"id\":null,\"method\":\"");
    head.push_str(method);
    head.push_str("\",\"params\":[");
    m.id.append_compact(&mut head);
    head.push(',');
    if m.version == Version::V3 {
        head.push('"');
        head.push_str(NIL_TXN_ID);
        head.push_str("\",");
    }
    Output::Shared {
        head,
        body,
        tail: "]}",
    }
}

/// A commit-time failure is reported as one extra element after the op results.
fn append_error(result: Json, e: Error) -> Json {
    let mut items = match result {
        Json::Array(a) => a,
        other => vec![other],
    };
    items.push(e.to_json());
    Json::Array(items)
}
