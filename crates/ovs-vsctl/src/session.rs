//! The connection to the database server: the IDL protocol
//! ([`ovsdb_idl::Protocol`]) driven over a blocking stream, keeping the text order of
//! every update the server sends (the reference's row order depends on it, see
//! [`crate::db::order`]).

use crate::db::order::{RowChange, UpdateText};
use crate::db::plan::Clause;
use crate::db::{Plan, Registry, RowOrder};
use ovs_hash_order::{scan_to_depth, Shape};
use ovs_json::rpc::{Message, DEFAULT_MAX_MESSAGE};
use ovs_json::{Framer, Json};
use ovs_stream::{Address, ConnectionMethod, Listener, Stream, OVSDB_PORT};
use ovsdb_idl::protocol::{Event, State};
use ovsdb_idl::{Protocol, Replica};
use std::collections::{BTreeMap, HashMap};
use std::io::{self, Read, Write};
use std::time::{Duration, Instant};

/// Why talking to the server failed.
#[derive(Debug)]
pub enum SessionError {
    /// The connection failed or was lost; the text is what the reference prints in
    /// parentheses.
    Connection(String),
    /// The server refused the database.
    Failed(String),
    /// A read deadline passed (not a failure: the caller decides).
    Timeout,
}

/// Where the database is.
#[derive(Clone, Debug)]
pub struct Remote {
    /// As the user gave it (`unix:/run/openvswitch/db.sock`).
    pub name: String,
}

impl Remote {
    /// Opens a stream to the server: connects to an active method, or listens on a
    /// passive one and takes the first connection.
    pub fn open(&self) -> io::Result<Stream> {
        let rundir = ovs_daemon::dirs::rundir();
        match ConnectionMethod::parse(&self.name, OVSDB_PORT) {
            Ok(ConnectionMethod::Active(addr)) => {
                let addr = addr.resolve_relative(&rundir);
                ovs_stream::connect(&addr, None).map_err(|e| match &addr {
                    // A name that does not resolve is, to the reference, an
                    // unsupported address.
                    Address::Tcp(_) | Address::Ssl(_)
                        if e.raw_os_error().is_none() && e.kind() != io::ErrorKind::Unsupported =>
                    {
                        io::Error::from_raw_os_error(libc::EAFNOSUPPORT)
                    }
                    _ => e,
                })
            }
            Ok(ConnectionMethod::Passive(listen)) => {
                let listener = Listener::bind(&listen.resolve_relative(&rundir))?;
                listener.accept().map(|(s, _)| s)
            }
            Err(_) => Err(io::Error::from_raw_os_error(libc::EAFNOSUPPORT)),
        }
    }
}

/// The rows each `select` of a session returned, by table and clause.
pub type ClauseRows = BTreeMap<(String, Clause), Vec<ovsdb::Uuid>>;

/// One connection, with its replica.
pub struct Session {
    stream: Stream,
    framer: Framer,
    pub protocol: Protocol,
    /// Ids of our monitor requests, by method.
    monitors: HashMap<String, String>,
    /// Transaction replies not yet collected.
    replies: HashMap<String, Result<Json, Json>>,
    pub order: RowOrder,
    registry: Registry,
    /// Whether every fetched table is monitored (so changes are noticed).
    pub watching: bool,
    /// The `select` transaction reading the tables fetched by row: its id and the
    /// table and clause of each operation, until its reply is applied.
    selects: Option<(String, Vec<(String, Clause)>)>,
    /// The rows each select returned, by table and clause (what a set column
    /// includes can only be known this way when the column itself is not fetched).
    pub clause_rows: ClauseRows,
    /// That reply, kept until the monitor's first reply (which resets the replica).
    select_reply: Option<Json>,
}

fn io_text(e: &io::Error) -> String {
    ovs_stream::error_text(e)
}

impl Session {
    /// Starts the conversation on `stream` for `plan`. With `watch`, everything is
    /// monitored; otherwise tables fetched by row are read once with `select`.
    pub fn start(
        stream: Stream,
        plan: &Plan,
        registry: &Registry,
        watch: bool,
    ) -> Result<Session, SessionError> {
        let mut session = Session {
            stream,
            framer: Framer::new(DEFAULT_MAX_MESSAGE),
            protocol: Protocol::new(crate::schema::DB_NAME, plan.selection(watch)),
            monitors: HashMap::new(),
            replies: HashMap::new(),
            order: RowOrder::default(),
            registry: registry.clone(),
            watching: watch,
            selects: None,
            select_reply: None,
            clause_rows: ClauseRows::new(),
        };
        let mut hello = session.protocol.connected();
        if !watch {
            let mut keys = Vec::new();
            let mut ops = Vec::new();
            for (table, clause, op) in plan.select_ops() {
                keys.push((table, clause));
                ops.push(op);
            }
            if !ops.is_empty() {
                let msg = session.protocol.transact(ops);
                session.selects = Some((msg.id().to_compact(), keys));
                hello.push(msg);
            }
        }
        session.send(&hello)?;
        Ok(session)
    }

    /// Once both the monitor and the selects have answered, puts the selected rows
    /// into the replica.
    fn selects_done(&mut self) -> Result<bool, SessionError> {
        let Some((id, tables)) = &self.selects else {
            return Ok(true);
        };
        if self.select_reply.is_none() {
            match self.replies.remove(id) {
                Some(Ok(reply)) => self.select_reply = Some(reply),
                Some(Err(e)) => {
                    return Err(SessionError::Failed(ovsdb_idl::protocol::error_text(&e)))
                }
                None => return Ok(false),
            }
        }
        if !self.protocol.is_ready() {
            return Ok(false);
        }
        let mut updates: BTreeMap<String, ovs_json::Object> = BTreeMap::new();
        let results = self.select_reply.take().unwrap_or(Json::Null);
        let mut clause_rows = ClauseRows::new();
        for (i, (table, clause)) in tables.iter().enumerate() {
            let result = results.as_array().and_then(|r| r.get(i));
            if let Some(e) = result.and_then(|r| r.get("error")) {
                return Err(SessionError::Failed(ovsdb_idl::protocol::error_text(e)));
            }
            let rows = result
                .and_then(|r| r.get("rows"))
                .and_then(Json::as_array)
                .unwrap_or(&[]);
            let table_updates = updates.entry(table.clone()).or_default();
            let found = clause_rows
                .entry((table.clone(), clause.clone()))
                .or_default();
            for row in rows {
                let Some(mut row) = row.as_object().cloned() else {
                    continue;
                };
                let uuid = row
                    .remove("_uuid")
                    .and_then(|u| u.as_array().and_then(|a| a.get(1)).cloned());
                if let Some(Json::String(uuid)) = uuid {
                    if let Some(u) = ovsdb::atom::parse_uuid(&uuid) {
                        found.push(u);
                    }
                    table_updates.insert(uuid, Json::object([("initial", Json::Object(row))]));
                }
            }
        }
        let updates = Json::Object(
            updates
                .into_iter()
                .map(|(t, rows)| (t, Json::Object(rows)))
                .collect(),
        );
        if let Some(replica) = self.protocol.replica.as_mut() {
            replica
                .apply(&updates, ovsdb_idl::replica::UpdateFormat::V2)
                .map_err(|e| SessionError::Failed(e.to_string()))?;
        }
        self.selects = None;
        self.clause_rows = clause_rows;
        Ok(true)
    }

    fn send(&mut self, msgs: &[Message]) -> Result<(), SessionError> {
        let mut text = String::new();
        for m in msgs {
            if let Message::Request { method, id, .. } = m {
                if method.starts_with("monitor") {
                    self.monitors.insert(id.to_compact(), method.clone());
                }
            }
            m.write_compact(&mut text);
        }
        self.stream
            .write_all(text.as_bytes())
            .and_then(|()| self.stream.flush())
            .map_err(|e| SessionError::Connection(io_text(&e)))
    }

    /// Waits until the replica holds what the plan asked for.
    pub fn wait_ready(&mut self, deadline: Option<Instant>) -> Result<(), SessionError> {
        loop {
            if let State::Failed(e) = &self.protocol.state {
                return Err(SessionError::Failed(e.clone()));
            }
            if self.protocol.is_ready() && self.selects_done()? {
                return Ok(());
            }
            self.run_once(deadline)?;
        }
    }

    pub fn replica(&self) -> Option<&Replica> {
        self.protocol.replica.as_ref()
    }

    /// The replica's change counter (0 before it exists).
    pub fn seqno(&self) -> u64 {
        self.replica().map_or(0, |r| r.seqno)
    }

    /// Reads and handles one message, waiting at most until `deadline`.
    pub fn run_once(&mut self, deadline: Option<Instant>) -> Result<Vec<Event>, SessionError> {
        let mut chunk = [0u8; 64 * 1024];
        loop {
            match self.framer.next_frame() {
                Some(Ok(frame)) => return self.handle_frame(&frame),
                Some(Err(_)) => {
                    return Err(SessionError::Connection("Protocol error".into()));
                }
                None => {}
            }
            let wait = match deadline {
                Some(d) => {
                    let left = d.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        return Err(SessionError::Timeout);
                    }
                    Some(left)
                }
                None => None,
            };
            self.stream
                .set_read_timeout(wait)
                .map_err(|e| SessionError::Connection(io_text(&e)))?;
            match self.stream.read(&mut chunk) {
                Ok(0) => {
                    self.protocol.disconnected();
                    return Err(SessionError::Connection("End of file".into()));
                }
                Ok(n) => self.framer.push(&chunk[..n]),
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                    ) =>
                {
                    return Err(SessionError::Timeout)
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    self.protocol.disconnected();
                    return Err(SessionError::Connection(io_text(&e)));
                }
            }
        }
    }

    fn handle_frame(&mut self, frame: &[u8]) -> Result<Vec<Event>, SessionError> {
        let json = ovs_json::parse_bytes(frame)
            .map_err(|_| SessionError::Connection("Protocol error".into()))?;
        let msg = Message::from_json(json)
            .map_err(|_| SessionError::Connection("Protocol error".into()))?;
        let update = self.update_text(&msg, frame);
        let (out, events) = self.protocol.handle(msg);
        self.send(&out)?;
        if let (Some(update), Some(replica)) = (update, self.protocol.replica.as_ref()) {
            self.order.apply(&update, replica, &self.registry);
        }
        for e in &events {
            if let Event::TxnReply { id, result } = e {
                self.replies.insert(id.to_compact(), result.clone());
            }
        }
        Ok(events)
    }

    /// For a message that carries table updates, their tables and rows in text order.
    fn update_text(&self, msg: &Message, frame: &[u8]) -> Option<UpdateText> {
        // Where the table-updates object sits: (path from the message, format v1?).
        let (updates, path, v1): (&Json, [&str; 2], bool) = match msg {
            Message::Reply { id, result } => {
                let method = self.monitors.get(&id.to_compact())?;
                match method.as_str() {
                    "monitor_cond_since" => (result.as_array()?.get(2)?, ["result", "2"], false),
                    "monitor_cond" => (result, ["result", ""], false),
                    _ => (result, ["result", ""], true),
                }
            }
            Message::Notify { method, params } => match method.as_str() {
                "update" => (params.get(1)?, ["params", "1"], true),
                "update2" => (params.get(1)?, ["params", "1"], false),
                "update3" => (params.get(2)?, ["params", "2"], false),
                _ => return None,
            },
            _ => return None,
        };
        let shape = scan_to_depth(frame, 4);
        let mut s: &Shape = shape.member(path[0]);
        if let Ok(i) = path[1].parse::<usize>() {
            s = s.element(i);
        }
        let tables = updates.as_object()?;
        let mut out = Vec::new();
        for table in s.names() {
            let Some(rows) = tables.get(table).and_then(Json::as_object) else {
                continue;
            };
            let mut list = Vec::new();
            for name in s.member(table).names() {
                let (Some(u), Some(update)) = (ovsdb::atom::parse_uuid(name), rows.get(name))
                else {
                    continue;
                };
                let change = if v1 {
                    match (update.get("old").is_some(), update.get("new").is_some()) {
                        (_, false) => RowChange::Delete,
                        (false, true) => RowChange::Insert,
                        (true, true) => RowChange::Modify,
                    }
                } else if update.get("delete").is_some() {
                    RowChange::Delete
                } else if update.get("modify").is_some() {
                    RowChange::Modify
                } else {
                    RowChange::Insert
                };
                list.push((u, change));
            }
            out.push((table.to_owned(), list));
        }
        Some(out)
    }

    /// Sends a transaction and waits for its reply.
    pub fn transact(&mut self, ops: Vec<Json>) -> Result<Result<Json, Json>, SessionError> {
        let msg = self.protocol.transact(ops);
        let id = msg.id().to_compact();
        self.send(&[msg])?;
        loop {
            if let Some(reply) = self.replies.remove(&id) {
                return Ok(reply);
            }
            self.run_once(None)?;
        }
    }

    /// Waits until the replica changes (Ok(false) if `deadline` passes first).
    pub fn wait_for_change(&mut self, deadline: Option<Instant>) -> Result<bool, SessionError> {
        let seqno = self.seqno();
        while self.seqno() == seqno {
            match self.run_once(deadline) {
                Ok(_) => {}
                Err(SessionError::Timeout) => return Ok(false),
                Err(e) => return Err(e),
            }
        }
        Ok(true)
    }
}

/// Connects to `remote`, once or (with `retry`) until it works, calling `waiting`
/// with the error after each failed attempt while retrying.
pub fn connect(
    remote: &Remote,
    retry: bool,
    mut waiting: impl FnMut(&str, Duration),
) -> Result<Stream, String> {
    let start = Instant::now();
    let mut backoff = Duration::from_millis(100);
    loop {
        match remote.open() {
            Ok(s) => return Ok(s),
            Err(e) if !retry => return Err(io_text(&e)),
            Err(e) => {
                waiting(&io_text(&e), start.elapsed());
                // Waiting out the backoff is the point here, not synchronisation.
                std::thread::sleep(backoff);
                backoff = (backoff * 2).min(Duration::from_secs(1));
            }
        }
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = self.stream.shutdown(std::net::Shutdown::Both);
    }
}
