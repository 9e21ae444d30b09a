//! The daemon's main loop: the IDL connection to ovsdb-server (with the
//! `ovs_vswitchd` lock), reconfiguration whenever the configuration changes,
//! write-back of what runs, periodic statistics, and the requests only this thread
//! may carry out (`exit`). Datapath and OpenFlow connection threads belong to the
//! backend and run on their own.

use crate::apply::Switch;
use crate::backend::Backend;
use crate::config::{self, SwitchConfig};
use crate::coverage;
use crate::log::{BRIDGE, RECONNECT, VSWITCHD};
use crate::options::Options;
use crate::unixctl_cmds::{self, MainRequest, SharedSwitch};
use crate::writeback::{Capabilities, WriteBack, LOCK_NAME};
use ovs_daemon::{vlog, Daemon};
use ovs_stream::{ConnectionMethod, Stream, OVSDB_PORT};
use ovsdb_idl::blocking::IdlError;
use ovsdb_idl::protocol::Event;
use ovsdb_idl::{Idl, Selection, TxnOutcome};
use std::io;
use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long the loop waits for the database before looking at its other duties.
const TICK: Duration = Duration::from_millis(100);
/// How often Interface `statistics` are written.
pub const STATS_INTERVAL: Duration = Duration::from_secs(5);
/// How often device facts (link state, MTU...) are compared with the database.
const STATUS_INTERVAL: Duration = Duration::from_secs(1);
/// A commit that gets no answer within this time is abandoned and retried.
const COMMIT_TIMEOUT: Duration = Duration::from_secs(10);

/// Opens a stream to the database named on the command line.
fn connect(database: &str) -> io::Result<Stream> {
    let rundir = ovs_daemon::dirs::rundir();
    match ConnectionMethod::parse(database, OVSDB_PORT) {
        Ok(ConnectionMethod::Active(addr)) => {
            ovs_stream::connect(&addr.resolve_relative(&rundir), None)
        }
        Ok(ConnectionMethod::Passive(_)) | Err(_) => {
            Err(io::Error::from_raw_os_error(libc::EAFNOSUPPORT))
        }
    }
}

/// Checks the database name before the loop starts (the reference refuses a bad
/// one at start-up).
pub fn validate_database(database: &str) -> Result<(), String> {
    match ConnectionMethod::parse(database, OVSDB_PORT) {
        Ok(ConnectionMethod::Active(_)) => Ok(()),
        Ok(ConnectionMethod::Passive(_)) => Err(format!(
            "{database}: passive connection methods are not supported for the database"
        )),
        Err(e) => Err(format!("{database}: {e}")),
    }
}

/// The state of the main loop.
struct MainLoop {
    switch: SharedSwitch,
    caps: Capabilities,
    requests: Receiver<MainRequest>,
    /// The configuration applied last, and the replica seqno it came from.
    applied: Option<SwitchConfig>,
    seen_seqno: Option<u64>,
    /// The write-back needs another look (a commit failed or things changed).
    dirty: bool,
    next_stats: Instant,
    next_status: Instant,
    lock_warned: bool,
    /// The database connection is lost (logged once).
    db_down: bool,
}

/// Runs the daemon until `exit`. `backend` carries out reconfiguration.
pub fn run(
    opts: &Options,
    daemon: &mut Daemon,
    backend: Box<dyn Backend>,
    caps: Capabilities,
) -> Result<(), String> {
    validate_database(&opts.database)?;
    if opts.mlockall {
        // SAFETY: mlockall has no memory-safety preconditions.
        if unsafe { libc::mlockall(libc::MCL_CURRENT | libc::MCL_FUTURE) } != 0 {
            vlog::err!(
                VSWITCHD,
                "mlockall failed: {}",
                ovs_daemon::util::error_text(&io::Error::last_os_error())
            );
        }
    }
    let switch: SharedSwitch = Arc::new(Mutex::new(Switch::new(backend)));
    let (tx, rx) = mpsc::channel();
    let control = daemon.try_start_unixctl(|s| unixctl_cmds::register(s, &switch, tx))?;

    let database = opts.database.clone();
    vlog::info!(RECONNECT, "{database}: connecting...");
    let target = database.clone();
    let mut idl = Idl::open(
        move || connect(&target),
        vswitch_schema::SCHEMA_NAME,
        Selection::everything(),
        None,
    )
    .map_err(|e| format!("{database}: {e}"))?;
    vlog::info!(RECONNECT, "{database}: connected");
    vlog::info!(BRIDGE, "{}", ovs_daemon::version_line("ovs-vswitchd"));
    if let Some(m) = idl.protocol.set_lock(LOCK_NAME) {
        idl.send(m).map_err(|e| format!("{database}: {e}"))?;
    }

    let now = Instant::now();
    let mut ml = MainLoop {
        switch,
        caps,
        requests: rx,
        applied: None,
        seen_seqno: None,
        dirty: true,
        next_stats: now + STATS_INTERVAL,
        next_status: now + STATUS_INTERVAL,
        lock_warned: false,
        db_down: false,
    };
    let exit = ml.run(&mut idl, daemon)?;
    if exit.cleanup {
        ml.lock().backend.cleanup();
    }
    // Devices and threads of the backend go before the answer to `exit`.
    drop(ml);
    exit.reply.ok("");
    drop(control);
    Ok(())
}

struct ExitRequest {
    cleanup: bool,
    reply: ovs_daemon::unixctl::Reply,
}

impl MainLoop {
    fn lock(&self) -> std::sync::MutexGuard<'_, Switch<Box<dyn Backend>>> {
        self.switch.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn run(&mut self, idl: &mut Idl<Stream>, daemon: &mut Daemon) -> Result<ExitRequest, String> {
        loop {
            if let Some(exit) = self.take_requests() {
                return Ok(exit);
            }
            match idl.run_once(Some(Instant::now() + TICK)) {
                Ok(events) => {
                    for e in events {
                        match e {
                            Event::LockLost => {
                                vlog::warn!(VSWITCHD, "lost the {LOCK_NAME} lock");
                                self.lock_warned = false;
                            }
                            Event::LockAcquired => self.dirty = true,
                            _ => {}
                        }
                    }
                }
                Err(IdlError::Timeout) => {}
                Err(IdlError::Failed(e)) => return Err(format!("database refused: {e}")),
                Err(e) => {
                    // The IDL reconnects with backoff on the next calls; meanwhile the
                    // switch keeps forwarding with the configuration it has.
                    if !self.db_down {
                        self.db_down = true;
                        vlog::warn!(RECONNECT, "database connection lost ({e}); reconnecting");
                    }
                    continue;
                }
            }
            if self.db_down && idl.protocol.is_ready() {
                self.db_down = false;
                vlog::info!(RECONNECT, "database connection re-established");
                self.seen_seqno = None;
                self.dirty = true;
            }
            let now = Instant::now();
            coverage::tick(now);
            let changed = {
                let mut sw = self.lock();
                sw.backend.run();
                sw.backend.take_changes()
            };
            self.dirty |= changed;
            if !idl.protocol.is_ready() {
                continue;
            }
            if !idl.protocol.has_lock {
                if !self.lock_warned {
                    self.lock_warned = true;
                    vlog::err!(
                        BRIDGE,
                        "another ovs-vswitchd process is running, disabling this process (pid {}) until it goes away",
                        std::process::id()
                    );
                }
                // Nothing to wait for that the caller of --detach could see.
                daemon.ready();
                continue;
            }
            self.step(idl, now);
            if !self.dirty {
                daemon.ready();
            }
        }
    }

    /// Handles `exit` (and any future main-thread request); Some when exiting.
    fn take_requests(&mut self) -> Option<ExitRequest> {
        match self.requests.try_recv() {
            Ok(MainRequest::Exit { cleanup, reply }) => Some(ExitRequest { cleanup, reply }),
            Err(_) => None,
        }
    }

    /// Reconfigures if the database changed, then writes back what changed.
    fn step(&mut self, idl: &mut Idl<Stream>, now: Instant) {
        let seqno = idl.replica().seqno;
        if self.seen_seqno != Some(seqno) {
            self.seen_seqno = Some(seqno);
            let desired = config::from_replica(idl.replica());
            let same = self
                .applied
                .as_ref()
                .is_some_and(|a| a.same_layout(&desired));
            if !same {
                coverage::BRIDGE_RECONFIGURE.inc();
                let mut sw = self.lock();
                sw.reconfigure(&desired);
                // Revalidate now, so that when cur_cfg tells ovs-vsctl the change is
                // done, no datapath flow still follows the old configuration.
                sw.backend.run();
            }
            if self.applied.as_ref() != Some(&desired) {
                self.dirty = true;
            }
            self.applied = Some(desired);
        }
        let with_stats = now >= self.next_stats;
        if with_stats {
            self.next_stats = now + STATS_INTERVAL;
        }
        if now >= self.next_status {
            self.next_status = now + STATUS_INTERVAL;
            self.dirty = true;
        }
        if !(self.dirty || with_stats) {
            return;
        }
        let Some(cfg) = self.applied.as_ref() else {
            return;
        };
        let txn = {
            let sw = self.lock();
            let mut wb = WriteBack::new(idl.replica());
            wb.open_vswitch(cfg, &self.caps, true);
            wb.bridges(cfg, &sw, with_stats);
            wb.into_txn()
        };
        if txn.is_empty() {
            self.dirty = false;
            return;
        }
        coverage::TXN_COMMIT.inc();
        match idl.commit(&txn, Some(COMMIT_TIMEOUT)) {
            Ok(TxnOutcome::Success { .. }) => self.dirty = false,
            Ok(TxnOutcome::NotLocked) => {
                vlog::warn!(
                    VSWITCHD,
                    "database write refused: the {LOCK_NAME} lock is not held"
                );
            }
            Ok(TxnOutcome::TryAgain) => {}
            Ok(TxnOutcome::Error(e)) => {
                vlog::warn!(VSWITCHD, "database write failed: {e}");
                // Do not retry a failing write in a tight loop: next status round.
                self.dirty = false;
            }
            Ok(TxnOutcome::Aborted) => self.dirty = false,
            Err(e) => vlog::warn!(VSWITCHD, "database write failed: {e}"),
        }
    }
}
