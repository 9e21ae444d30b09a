//! Remotes: where clients reach the server.
//!
//! A remote is a passive name (`punix:`, `ptcp:`: listen and accept clients) or an
//! active one (`unix:`, `tcp:`: connect out and keep reconnecting), given on the command
//! line, added by `ovsdb-server/add-remote`, or read from the database with
//! `db:DB,TABLE,COLUMN`. For `db:` remotes whose column references rows (the
//! `Manager` table), the server writes `is_connected` and `status` back into those rows.

use crate::log;
use crate::server::Server;
use crate::session::{self, SessionOptions};
use ovs_stream::{Address, ConnectionMethod, ListenAddress, OVSDB_PORT};
use ovsdb::{Atom, Changes, Datum, RowChange};
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::task::JoinHandle;

/// `db:DB,TABLE,COLUMN`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct DbRemote {
    pub db: String,
    pub table: String,
    pub column: String,
}

impl DbRemote {
    pub fn parse(name: &str) -> Option<DbRemote> {
        let rest = name.strip_prefix("db:")?;
        let mut parts = rest.splitn(3, ',');
        let (db, table, column) = (parts.next()?, parts.next()?, parts.next()?);
        Some(DbRemote {
            db: db.into(),
            table: table.into(),
            column: column.into(),
        })
    }
}

/// One configured connection target with its per-target settings.
#[derive(Clone, Debug, PartialEq)]
struct Target {
    name: String,
    probe: Option<Duration>,
    max_backoff: Duration,
    /// The database, table and row this target came from (for status write-back).
    row: Option<(String, String, ovsdb::Uuid)>,
}

/// Live state of one remote, shared with its task.
#[derive(Debug, Default)]
pub struct RemoteStatus {
    pub n_connections: usize,
    pub connected_since: Option<Instant>,
    pub disconnected_since: Option<Instant>,
    pub bound_port: Option<u16>,
}

struct Running {
    target: Target,
    task: JoinHandle<()>,
    status: Rc<RefCell<RemoteStatus>>,
}

impl Drop for Running {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// All remotes of the server.
pub struct Remotes {
    server: Rc<RefCell<Server>>,
    after_request: Rc<dyn Fn()>,
    /// Remote names in the order given (command line and add-remote).
    configured: Vec<String>,
    running: BTreeMap<String, Running>,
    rundir: std::path::PathBuf,
}

impl Remotes {
    pub fn new(
        server: Rc<RefCell<Server>>,
        after_request: Rc<dyn Fn()>,
        rundir: std::path::PathBuf,
    ) -> Remotes {
        Remotes {
            server,
            after_request,
            configured: Vec::new(),
            running: BTreeMap::new(),
            rundir,
        }
    }

    /// Checks a remote name without starting it.
    pub fn validate(name: &str) -> Result<(), String> {
        if name.starts_with("db:") {
            return DbRemote::parse(name)
                .map(|_| ())
                .ok_or_else(|| format!("\"{name}\": invalid syntax"));
        }
        ConnectionMethod::parse(name, OVSDB_PORT)
            .map(|_| ())
            .map_err(|e| e.to_string())
    }

    pub fn add(&mut self, name: &str) -> Result<(), String> {
        Self::validate(name)?;
        if let Some(spec) = DbRemote::parse(name) {
            self.check_db_remote(&spec)
                .map_err(|e| format!("\"{name}\": {e}"))?;
        }
        if !self.configured.iter().any(|n| n == name) {
            self.configured.push(name.to_owned());
        }
        self.reconcile();
        Ok(())
    }

    /// A `db:` remote must name an existing column, as the reference checks.
    fn check_db_remote(&self, spec: &DbRemote) -> Result<(), String> {
        let server = self.server.borrow();
        let state = server
            .db(&spec.db)
            .ok_or_else(|| format!("no database named {}", spec.db))?;
        let table = state
            .db
            .schema
            .table(&spec.table)
            .ok_or_else(|| format!("no table named {}", spec.table))?;
        table
            .column(&spec.column)
            .ok_or_else(|| format!("table \"{}\" has no column \"{}\"", spec.table, spec.column))?;
        Ok(())
    }

    pub fn remove(&mut self, name: &str) -> Result<(), String> {
        let before = self.configured.len();
        self.configured.retain(|n| n != name);
        if self.configured.len() == before {
            return Err(format!("can't find remote {name}"));
        }
        self.reconcile();
        Ok(())
    }

    /// The configured remote names, sorted, one per line (`list-remotes`).
    pub fn list(&self) -> String {
        let mut names: Vec<&String> = self.configured.iter().collect();
        names.sort();
        names.into_iter().map(|n| format!("{n}\n")).collect()
    }

    /// Targets wanted now: literal remotes plus what `db:` remotes read.
    fn wanted(&self) -> Vec<Target> {
        let server = self.server.borrow();
        let mut out = Vec::new();
        for name in &self.configured {
            match DbRemote::parse(name) {
                Some(spec) => read_db_remote(&server, &spec, &mut out),
                None => out.push(Target {
                    name: name.clone(),
                    probe: None,
                    max_backoff: ovs_stream::reconnect::DEFAULT_MAX_BACKOFF,
                    row: None,
                }),
            }
        }
        out
    }

    /// Starts and stops remotes so the running set matches the configuration. Called
    /// after every commit (a `db:` remote's column may have changed).
    pub fn reconcile(&mut self) {
        let wanted = self.wanted();
        let names: BTreeSet<&String> = wanted.iter().map(|t| &t.name).collect();
        self.running.retain(|n, _| names.contains(n));
        for t in wanted {
            if let Some(r) = self.running.get_mut(&t.name) {
                r.target.row = t.row.clone();
                if r.target == t {
                    continue;
                }
            }
            let status = Rc::new(RefCell::new(RemoteStatus::default()));
            let task = self.spawn(&t, status.clone());
            self.running.insert(
                t.name.clone(),
                Running {
                    target: t,
                    task,
                    status,
                },
            );
        }
    }

    fn spawn(&self, t: &Target, status: Rc<RefCell<RemoteStatus>>) -> JoinHandle<()> {
        let server = self.server.clone();
        let after = self.after_request.clone();
        let name = t.name.clone();
        let probe = t.probe;
        let max_backoff = t.max_backoff;
        let method = ConnectionMethod::parse(&name, OVSDB_PORT);
        let rundir = self.rundir.clone();
        tokio::task::spawn_local(async move {
            match method {
                Ok(ConnectionMethod::Passive(addr)) => {
                    let addr = addr.resolve_relative(&rundir);
                    listen(server, after, &name, addr, probe, status).await
                }
                Ok(ConnectionMethod::Active(addr)) => {
                    let addr = addr.resolve_relative(&rundir);
                    connect(server, after, &name, addr, probe, max_backoff, status).await
                }
                Err(e) => log::err(&format!("{name}: {e}")),
            }
        })
    }

    /// Writes `is_connected` and `status` into `Manager`-like rows of `db:` remotes,
    /// when they changed.
    pub fn write_status(&self) {
        let mut by_db: BTreeMap<String, Changes> = BTreeMap::new();
        let now = Instant::now();
        {
            let server = self.server.borrow();
            for r in self.running.values() {
                let Some((db_name, table, uuid)) = &r.target.row else {
                    continue;
                };
                let Some(state) = server.db(db_name) else {
                    continue;
                };
                let Some(ts) = state.db.schema.table(table) else {
                    continue;
                };
                let Some(row) = state.db.row(table, uuid) else {
                    continue;
                };
                let st = r.status.borrow();
                let mut new = (**row).clone();
                if let Some(c) = ts.column_index("is_connected") {
                    new.set(c, Datum::scalar(Atom::Boolean(st.n_connections > 0)));
                }
                if let Some(c) = ts.column_index("status") {
                    new.set(c, status_map(&st, now, &r.target.name));
                }
                if new != **row {
                    new.version = uuid::Uuid::new_v4();
                    by_db
                        .entry(db_name.clone())
                        .or_default()
                        .tables
                        .entry(table.clone())
                        .or_default()
                        .insert(
                            *uuid,
                            RowChange {
                                old: Some(row.clone()),
                                new: Some(Arc::new(new)),
                            },
                        );
                }
            }
        }
        for (db, changes) in by_db {
            if let Err(e) = self.server.borrow_mut().commit_changes(&db, changes) {
                log::warn(&format!("{db}: failed to update remote status ({e})"));
            }
        }
    }
}

/// The `status` column, with the keys the reference writes: for listeners the bound
/// port and connection ages; for outgoing connections the connection state.
fn status_map(st: &RemoteStatus, now: Instant, name: &str) -> Datum {
    let secs = |t: Option<Instant>| {
        Atom::string(&t.map_or(0, |t| now.duration_since(t).as_secs()).to_string())
    };
    let connected = st.n_connections > 0;
    let mut pairs = Vec::new();
    if name.starts_with('p') {
        if let Some(p) = st.bound_port {
            pairs.push((Atom::string("bound_port"), Atom::string(&p.to_string())));
        }
        if st.n_connections > 1 {
            pairs.push((
                Atom::string("n_connections"),
                Atom::string(&st.n_connections.to_string()),
            ));
        }
        pairs.push((Atom::string("sec_since_connect"), secs(st.connected_since)));
        pairs.push((
            Atom::string("sec_since_disconnect"),
            secs(st.disconnected_since),
        ));
    } else {
        let state = if connected { "ACTIVE" } else { "BACKOFF" };
        pairs.push((Atom::string("state"), Atom::string(state)));
        if st.connected_since.is_some() {
            pairs.push((Atom::string("sec_since_connect"), secs(st.connected_since)));
        }
        if st.connected_since.is_some() && st.disconnected_since.is_some() {
            pairs.push((
                Atom::string("sec_since_disconnect"),
                secs(st.disconnected_since),
            ));
        }
    }
    Datum::map(pairs).unwrap_or_default()
}

/// Reads the targets a `db:` remote names right now.
fn read_db_remote(server: &Server, spec: &DbRemote, out: &mut Vec<Target>) {
    let Some(state) = server.db(&spec.db) else {
        return;
    };
    let Some(ts) = state.db.schema.table(&spec.table) else {
        return;
    };
    let Some(col) = ts.column_index(&spec.column) else {
        return;
    };
    let Some(table) = state.db.table(&spec.table) else {
        return;
    };
    let key_type = &ts.columns[col].type_.key;
    for row in table.rows.values() {
        for atom in row.get(col).keys() {
            match atom {
                Atom::String(s) => out.push(Target {
                    name: s.to_string(),
                    probe: None,
                    max_backoff: ovs_stream::reconnect::DEFAULT_MAX_BACKOFF,
                    row: None,
                }),
                Atom::Uuid(u) => {
                    let Some(rt) = key_type.ref_table.as_deref() else {
                        continue;
                    };
                    if let Some(t) = manager_target(server, &spec.db, rt, u) {
                        out.push(t);
                    }
                }
                _ => {}
            }
        }
    }
}

/// A referenced row's `target`, `inactivity_probe` and `max_backoff`.
fn manager_target(server: &Server, db: &str, table: &str, uuid: &ovsdb::Uuid) -> Option<Target> {
    let state = server.db(db)?;
    let ts = state.db.schema.table(table)?;
    let row = state.db.row(table, uuid)?;
    let int = |name: &str| -> Option<i64> {
        ts.column_index(name)
            .and_then(|c| row.get(c).first().and_then(Atom::as_i64))
    };
    let target = ts.column_index("target").and_then(|c| {
        row.get(c)
            .first()
            .and_then(|a| a.as_str().map(str::to_owned))
    })?;
    let probe = match int("inactivity_probe") {
        Some(0) => None,
        Some(ms) => Some(Duration::from_millis(ms.max(1000) as u64)),
        None => default_probe(&target),
    };
    Some(Target {
        name: target,
        probe,
        max_backoff: int("max_backoff")
            .map(|ms| Duration::from_millis(ms.max(1000) as u64))
            .unwrap_or(ovs_stream::reconnect::DEFAULT_MAX_BACKOFF),
        row: Some((db.to_owned(), table.to_owned(), *uuid)),
    })
}

/// The inactivity probe applies to network connections only, not Unix sockets.
fn default_probe(target: &str) -> Option<Duration> {
    (!target.starts_with("unix:") && !target.starts_with("punix:"))
        .then_some(ovs_stream::reconnect::DEFAULT_PROBE_INTERVAL)
}

async fn listen(
    server: Rc<RefCell<Server>>,
    after: Rc<dyn Fn()>,
    name: &str,
    addr: ListenAddress,
    probe: Option<Duration>,
    status: Rc<RefCell<RemoteStatus>>,
) {
    let probe = probe.or_else(|| default_probe(name));
    let listener = match ovs_stream::aio::Listener::bind(&addr).await {
        Ok(l) => l,
        Err(e) => {
            log::err(&format!(
                "{name}: listen failed: {}",
                ovs_stream::error_text(&e)
            ));
            return;
        }
    };
    status.borrow_mut().bound_port = listener.local_port();
    // A fatal signal skips destructors; make sure the socket file goes anyway.
    let _unlink = listener
        .socket_path()
        .map(|p| UnlinkGuard(ovs_daemon::fatal_signal::unlink_at_exit(p)));
    log::info(&format!("{name}: listening"));
    loop {
        let (stream, peer) = match listener.accept().await {
            Ok(s) => s,
            Err(e) => {
                log::warn(&format!("{name}: accept failed: {e}"));
                continue;
            }
        };
        let server = server.clone();
        let after = after.clone();
        let status = status.clone();
        {
            let mut st = status.borrow_mut();
            st.n_connections += 1;
            st.connected_since = Some(Instant::now());
        }
        let opts = SessionOptions {
            probe,
            ..Default::default()
        };
        tokio::task::spawn_local(async move {
            let ended = session::serve(server, stream, opts, after).await;
            log_session_end(&peer, &ended);
            let mut st = status.borrow_mut();
            st.n_connections = st.n_connections.saturating_sub(1);
            st.disconnected_since = Some(Instant::now());
        });
    }
}

async fn connect(
    server: Rc<RefCell<Server>>,
    after: Rc<dyn Fn()>,
    name: &str,
    addr: Address,
    probe: Option<Duration>,
    max_backoff: Duration,
    status: Rc<RefCell<RemoteStatus>>,
) {
    let probe = probe.or_else(|| default_probe(name));
    let mut backoff = ovs_stream::reconnect::DEFAULT_MIN_BACKOFF;
    loop {
        match ovs_stream::aio::connect(&addr).await {
            Ok(stream) => {
                log::info(&format!("{name}: connected"));
                {
                    let mut st = status.borrow_mut();
                    st.n_connections = 1;
                    st.connected_since = Some(Instant::now());
                }
                let opts = SessionOptions {
                    probe,
                    ..Default::default()
                };
                let started = Instant::now();
                let ended = session::serve(server.clone(), stream, opts, after.clone()).await;
                log_session_end(name, &ended);
                let mut st = status.borrow_mut();
                st.n_connections = 0;
                st.disconnected_since = Some(Instant::now());
                if started.elapsed() >= backoff {
                    backoff = ovs_stream::reconnect::DEFAULT_MIN_BACKOFF;
                }
            }
            Err(e) => {
                let text = ovs_stream::error_text(&e);
                log::info(&format!("{name}: connection attempt failed ({text})"));
            }
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(max_backoff);
    }
}

/// Removes an unlink-at-exit registration when the listener goes away normally.
struct UnlinkGuard(ovs_daemon::fatal_signal::HookId);

impl Drop for UnlinkGuard {
    fn drop(&mut self) {
        ovs_daemon::fatal_signal::remove_hook(self.0);
    }
}

fn log_session_end(peer: &str, ended: &session::Ended) {
    match ended {
        session::Ended::Closed => log::dbg(&format!("{peer}: connection closed")),
        other => log::warn(&format!("{peer}: {other}")),
    }
}
