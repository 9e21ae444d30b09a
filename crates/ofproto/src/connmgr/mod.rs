//! Connection manager: the OpenFlow connections of one bridge. It listens
//! on the bridge's management socket (`punix:<rundir>/<bridge>.mgmt`), runs
//! the bridge's Controller targets (active with reconnect backoff and
//! inactivity probes, or passive listeners), gives each connection its own
//! thread with blocking I/O, and takes the switch's lock per message.
//! Outputs are delivered after the lock is released: messages to their
//! connections, effects to the forwarding layer's [`EffectSink`]. A timer
//! thread expires flow timeouts. fail_mode standalone with no controller
//! configured installs the visible `priority=0 actions=NORMAL` flow; with
//! controllers that stay unreachable it fails open (`fail_open`).

mod controller;
mod fail_open;
mod session;

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, RwLock};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use openflow::action::Action;
use openflow::flow_match::Match;
use openflow::msg::flow_mod::{FlowMod, FlowModCommand};
use openflow::msg::role::Role;
use openflow::port::PortNo;
use openflow::version::{Version, VersionSet};
use ovs_stream::reconnect::Reconnect;
use ovs_stream::Listener;

pub use controller::{ControllerConfig, ControllerStatus};
pub use fail_open::FAIL_OPEN_PRIORITY;

use fail_open::FailOpen;

use ovs_daemon::vlog;

/// Log modules, named as the reference's: register them with `vlog::init`.
pub static CONNMGR_LOG: vlog::Module = vlog::Module::new("connmgr");
pub static RCONN_LOG: vlog::Module = vlog::Module::new("rconn");

/// This crate's log modules.
pub fn vlog_modules() -> [&'static vlog::Module; 2] {
    [&CONNMGR_LOG, &RCONN_LOG]
}

use crate::clock;
use crate::conn::ConnKind;
use crate::output::{ConnId, Effect, Output};
use crate::session::PacketInRequest;
use crate::Ofproto;
use controller::Controller;
use session::ConnWriter;

/// How the switch is shared between connmgr (write lock per message) and
/// translation (read lock).
pub type SharedOfproto = Arc<RwLock<Ofproto>>;

/// The forwarding layer's side: executes effects. Called with no switch
/// lock held.
pub trait EffectSink: Send + Sync {
    fn effects(&self, effects: Vec<Effect>);
}

/// An EffectSink that keeps effects for inspection (tests, tools).
#[derive(Default)]
pub struct RecordingSink {
    pub effects: Mutex<Vec<Effect>>,
}

impl EffectSink for RecordingSink {
    fn effects(&self, effects: Vec<Effect>) {
        if let Ok(mut e) = self.effects.lock() {
            e.extend(effects);
        }
    }
}

/// Bridge `fail_mode`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum FailMode {
    #[default]
    Standalone,
    Secure,
}

/// Shared by connmgr's threads.
pub(crate) struct Inner {
    pub(crate) bridge: String,
    pub(crate) ofproto: SharedOfproto,
    sink: Arc<dyn EffectSink>,
    writers: Mutex<BTreeMap<ConnId, Arc<ConnWriter>>>,
    pub(crate) next_conn_id: AtomicU64,
    allowed: Mutex<VersionSet>,
    stop: AtomicBool,
    /// Wakes sleeping threads on stop.
    wake: (Mutex<bool>, Condvar),
    /// Controller (primary) connections up.
    primaries: Mutex<std::collections::BTreeSet<ConnId>>,
    fail_open: Mutex<FailOpen>,
}

impl Inner {
    pub(crate) fn allowed_versions(&self) -> VersionSet {
        self.allowed.lock().map(|v| *v).unwrap_or(VersionSet::ALL)
    }

    pub(crate) fn stopping(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }

    /// Sleeps up to `d`, returning early when connmgr stops.
    pub(crate) fn wait(&self, d: Duration) {
        let (m, cv) = &self.wake;
        if let Ok(g) = m.lock() {
            if !*g {
                let _ = cv.wait_timeout(g, d);
            }
        }
    }

    pub(crate) fn register(&self, id: ConnId, w: Arc<ConnWriter>, kind: ConnKind, v: Version) {
        if let Ok(mut ws) = self.writers.lock() {
            ws.insert(id, w);
        }
        if kind == ConnKind::Primary {
            if let Ok(mut p) = self.primaries.lock() {
                p.insert(id);
            }
        }
        let mut of = self.ofproto.write().unwrap_or_else(|e| e.into_inner());
        of.connect(id, kind, v);
    }

    pub(crate) fn unregister(&self, id: ConnId) {
        if let Ok(mut ws) = self.writers.lock() {
            ws.remove(&id);
        }
        if let Ok(mut p) = self.primaries.lock() {
            p.remove(&id);
        }
        let mut of = self.ofproto.write().unwrap_or_else(|e| e.into_inner());
        of.disconnect(id);
    }

    /// Closes connection `id` (its session thread then ends).
    pub(crate) fn close(&self, id: ConnId) {
        let w = self.writers.lock().ok().and_then(|ws| ws.get(&id).cloned());
        if let Some(w) = w {
            w.close();
        }
    }

    /// Sends messages, closes connections, passes effects on (in order).
    /// Consecutive messages to one connection go out in one write, and
    /// the effects of a whole batch of requests in one call with a single
    /// `FlowsChanged` (one revalidation per batch, not per flow-mod).
    pub(crate) fn deliver(&self, outputs: Vec<Output>) {
        let mut effects = Vec::new();
        let mut pending: Option<(ConnId, Vec<u8>)> = None;
        for o in outputs {
            match o {
                Output::Send { conn, msg } => match &mut pending {
                    Some((c, buf)) if *c == conn => buf.extend_from_slice(&msg),
                    _ => {
                        if let Some((c, buf)) = pending.replace((conn, msg)) {
                            self.send_to(c, &buf);
                        }
                    }
                },
                Output::Close { conn } => {
                    if let Some((c, buf)) = pending.take() {
                        self.send_to(c, &buf);
                    }
                    let w = self
                        .writers
                        .lock()
                        .ok()
                        .and_then(|ws| ws.get(&conn).cloned());
                    if let Some(w) = w {
                        w.close();
                    }
                }
                Output::Effect(Effect::FlowsChanged) => {
                    if !effects.contains(&Effect::FlowsChanged) {
                        effects.push(Effect::FlowsChanged);
                    }
                }
                Output::Effect(e) => effects.push(e),
            }
        }
        if let Some((c, buf)) = pending {
            self.send_to(c, &buf);
        }
        if !effects.is_empty() {
            self.sink.effects(effects);
        }
    }

    fn send_to(&self, conn: ConnId, bytes: &[u8]) {
        let w = self
            .writers
            .lock()
            .ok()
            .and_then(|ws| ws.get(&conn).cloned());
        if let Some(w) = w {
            w.send(bytes);
        }
    }
}

type ControllerLink = (Arc<Mutex<Reconnect>>, Arc<Mutex<Vec<ConnId>>>);

/// Accepts connections on `listener` until `stop`, each served on its own thread.
pub(crate) fn spawn_listener(
    inner: Arc<Inner>,
    listener: Listener,
    kind: ConnKind,
    probe: Option<Duration>,
    stop: Arc<AtomicBool>,
    link: Option<ControllerLink>,
) -> io::Result<JoinHandle<()>> {
    listener.set_nonblocking(true)?;
    std::thread::Builder::new()
        .name("ofconn-listener".into())
        .spawn(move || {
            while !stop.load(Ordering::Relaxed) && !inner.stopping() {
                match listener.accept() {
                    Ok((stream, _name)) => {
                        let _ = stream.set_nonblocking(false);
                        let (inner2, link2, stop2) = (inner.clone(), link.clone(), stop.clone());
                        let _ =
                            std::thread::Builder::new()
                                .name("ofconn".into())
                                .spawn(move || {
                                    let on_connected = |id: ConnId| {
                                        if let Some((rc, conns)) = &link2 {
                                            if let Ok(mut c) = conns.lock() {
                                                c.push(id);
                                            }
                                            if let Ok(mut r) = rc.lock() {
                                                r.connected(Instant::now());
                                            }
                                        }
                                    };
                                    let end = session::run(
                                        &inner2,
                                        stream,
                                        kind,
                                        probe,
                                        None,
                                        &on_connected,
                                        &|| stop2.load(Ordering::Relaxed),
                                    );
                                    if let Some((rc, _conns)) = &link2 {
                                        if let Ok(mut r) = rc.lock() {
                                            r.disconnected(Instant::now(), end.text().as_deref());
                                            r.listening(Instant::now());
                                        }
                                    }
                                });
                    }
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                        wait_readable(&listener, 200);
                    }
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(_) => inner.wait(Duration::from_millis(100)),
                }
            }
        })
}

/// Waits up to `ms` for `l` to have a connection to accept.
fn wait_readable(l: &Listener, ms: i32) {
    use std::os::fd::AsRawFd;
    let mut pfd = libc::pollfd {
        fd: l.as_raw_fd(),
        events: libc::POLLIN,
        revents: 0,
    };
    // SAFETY: one valid pollfd for the duration of the call.
    unsafe {
        libc::poll(&mut pfd, 1, ms);
    }
}

/// The management listener: its socket, stop flag and thread.
type MgmtListener = (PathBuf, Arc<AtomicBool>, JoinHandle<()>);

/// The connection manager of one bridge.
pub struct ConnMgr {
    inner: Arc<Inner>,
    mgmt: Mutex<Option<MgmtListener>>,
    controllers: Mutex<Vec<Controller>>,
    fail_mode: Mutex<FailMode>,
    timer: Mutex<Option<JoinHandle<()>>>,
}

impl ConnMgr {
    /// Starts the connection manager of the switch `ofproto` (its timer
    /// thread runs flow expiry).
    pub fn new(ofproto: SharedOfproto, sink: Arc<dyn EffectSink>) -> ConnMgr {
        let bridge = ofproto
            .read()
            .map(|o| o.name().to_string())
            .unwrap_or_default();
        let inner = Arc::new(Inner {
            bridge,
            ofproto,
            sink,
            writers: Mutex::new(BTreeMap::new()),
            next_conn_id: AtomicU64::new(1),
            allowed: Mutex::new(VersionSet::ALL),
            stop: AtomicBool::new(false),
            primaries: Mutex::new(Default::default()),
            fail_open: Mutex::new(FailOpen::default()),
            wake: (Mutex::new(false), Condvar::new()),
        });
        let i2 = inner.clone();
        let timer = std::thread::Builder::new()
            .name("ofproto-timer".into())
            .spawn(move || {
                while !i2.stopping() {
                    let outputs = {
                        let mut of = i2.ofproto.write().unwrap_or_else(|e| e.into_inner());
                        of.run(clock::now_ms())
                    };
                    i2.deliver(outputs);
                    i2.run_fail_open(Instant::now());
                    i2.wait(Duration::from_millis(250));
                }
            })
            .ok();
        ConnMgr {
            inner,
            mgmt: Mutex::new(None),
            controllers: Mutex::new(Vec::new()),
            fail_mode: Mutex::new(FailMode::Standalone),
            timer: Mutex::new(timer),
        }
    }

    pub fn ofproto(&self) -> &SharedOfproto {
        &self.inner.ofproto
    }

    /// Listens on `path` for service connections (`ovs-ofctl` on
    /// `<rundir>/<bridge>.mgmt`). Replaces a previous management listener.
    pub fn set_mgmt_listener(&self, path: &Path) -> io::Result<()> {
        self.stop_mgmt();
        let listener = Listener::bind(&ovs_stream::ListenAddress::Unix(path.to_path_buf()))?;
        let stop = Arc::new(AtomicBool::new(false));
        let t = spawn_listener(
            self.inner.clone(),
            listener,
            ConnKind::Service,
            None,
            stop.clone(),
            None,
        )?;
        if let Ok(mut m) = self.mgmt.lock() {
            *m = Some((path.to_path_buf(), stop, t));
        }
        vlog::info!(
            CONNMGR_LOG,
            "{}: added service controller \"punix:{}\"",
            self.inner.bridge,
            path.display()
        );
        Ok(())
    }

    fn stop_mgmt(&self) {
        let old = self.mgmt.lock().ok().and_then(|mut m| m.take());
        if let Some((_path, stop, t)) = old {
            stop.store(true, Ordering::Relaxed);
            let _ = t.join();
        }
    }

    /// Configures the Controller targets, the fail mode and the allowed
    /// OpenFlow versions (Bridge `protocols`; empty = OF1.0 to OF1.5).
    /// Targets that did not change keep their connections. Returns the
    /// targets that could not be started, with the reason.
    pub fn set_controllers(
        &self,
        configs: &[ControllerConfig],
        fail_mode: FailMode,
        versions: VersionSet,
    ) -> Vec<(String, String)> {
        if let Ok(mut a) = self.inner.allowed.lock() {
            *a = if versions.is_empty() {
                VersionSet::ALL
            } else {
                versions
            };
        }
        let mut errors = Vec::new();
        if let Ok(mut ctls) = self.controllers.lock() {
            let mut keep = Vec::new();
            for mut c in ctls.drain(..) {
                if configs.contains(&c.config) {
                    keep.push(c);
                } else {
                    c.stop();
                    vlog::info!(
                        CONNMGR_LOG,
                        "{}: removed primary controller \"{}\"",
                        self.inner.bridge,
                        c.config.target
                    );
                }
            }
            for cfg in configs {
                if keep.iter().any(|c| c.config == *cfg) {
                    continue;
                }
                match Controller::start(&self.inner, cfg.clone()) {
                    Ok(c) => {
                        vlog::info!(
                            CONNMGR_LOG,
                            "{}: added primary controller \"{}\"",
                            self.inner.bridge,
                            cfg.target
                        );
                        keep.push(c);
                    }
                    Err(e) => {
                        let text = ovs_stream::error_text(&e);
                        vlog::err!(
                            CONNMGR_LOG,
                            "{}: {}: listen failed ({text})",
                            self.inner.bridge,
                            cfg.target
                        );
                        errors.push((cfg.target.clone(), text));
                    }
                }
            }
            *ctls = keep;
        }
        let changed = self
            .fail_mode
            .lock()
            .map(|mut f| std::mem::replace(&mut *f, fail_mode) != fail_mode)
            .unwrap_or(false);
        if changed {
            // The reference starts over with an empty flow table when the
            // fail mode changes.
            let outputs = {
                let mut of = self
                    .inner
                    .ofproto
                    .write()
                    .unwrap_or_else(|e| e.into_inner());
                of.flush_flows()
            };
            self.inner.deliver(outputs);
        }
        self.update_fail_mode(configs.is_empty(), fail_mode);
        if let Ok(mut f) = self.inner.fail_open.lock() {
            f.standalone = fail_mode == FailMode::Standalone;
            f.n_controllers = configs.len();
            // Three times the longest inactivity probe interval.
            f.trigger = configs
                .iter()
                .map(|c| {
                    c.inactivity_probe
                        .unwrap_or(ovs_stream::reconnect::DEFAULT_PROBE_INTERVAL)
                })
                .max()
                .unwrap_or(ovs_stream::reconnect::DEFAULT_PROBE_INTERVAL)
                .max(Duration::from_secs(1))
                * 3;
        }
        errors
    }

    /// Standalone with no controller: the visible NORMAL flow in table 0.
    fn update_fail_mode(&self, no_controllers: bool, mode: FailMode) {
        if !(no_controllers && mode == FailMode::Standalone) {
            return;
        }
        let mut fm = FlowMod::new(FlowModCommand::Add);
        fm.table_id = 0;
        fm.priority = 0;
        fm.flow_match = Match::new();
        fm.actions = vec![Action::output(PortNo::NORMAL)];
        let outputs = {
            let mut of = self
                .inner
                .ofproto
                .write()
                .unwrap_or_else(|e| e.into_inner());
            let exists = of
                .table(0)
                .and_then(|t| t.find_strict(&fm.flow_match, 0).cloned())
                .is_some();
            if exists {
                Vec::new()
            } else {
                of.apply_flow_mod(&fm, clock::now_ms()).unwrap_or_default()
            }
        };
        self.inner.deliver(outputs);
    }

    /// Sends a packet-in to every connection that wants it. Takes the
    /// switch's read lock: do not call while holding it (use
    /// `Ofproto::packet_in` and [`ConnMgr::deliver`] instead).
    pub fn send_packet_in(&self, req: &PacketInRequest) {
        let outputs = {
            let of = self.inner.ofproto.read().unwrap_or_else(|e| e.into_inner());
            of.packet_in(req)
        };
        self.inner.deliver(outputs);
    }

    /// Delivers outputs produced outside connmgr (packet-ins, port-status
    /// after `add_port`: call with `ofproto.take_pending()`).
    pub fn deliver(&self, outputs: Vec<Output>) {
        self.inner.deliver(outputs);
    }

    /// Status of each Controller target, for the Controller table.
    pub fn controller_status(&self) -> Vec<ControllerStatus> {
        let now = Instant::now();
        let Ok(ctls) = self.controllers.lock() else {
            return Vec::new();
        };
        let of = self.inner.ofproto.read().unwrap_or_else(|e| e.into_inner());
        ctls.iter()
            .map(|c| {
                let st = c.reconnect.lock().map(|r| r.status(now)).ok();
                let conns = c.conns.lock().map(|v| v.clone()).unwrap_or_default();
                let role = conns
                    .iter()
                    .filter_map(|id| of.conn(*id))
                    .map(|cn| cn.role)
                    .next()
                    .unwrap_or(Role::Equal);
                ControllerStatus {
                    target: c.config.target.clone(),
                    is_connected: !conns.is_empty(),
                    role: match role {
                        Role::Primary => "master",
                        Role::Secondary => "slave",
                        _ => "other",
                    }
                    .to_string(),
                    state: st
                        .as_ref()
                        .map(|s| s.state.name().to_string())
                        .unwrap_or_default(),
                    sec_since_connect: st.as_ref().and_then(|s| s.sec_since_connect),
                    sec_since_disconnect: st.as_ref().and_then(|s| s.sec_since_disconnect),
                    last_error: st.and_then(|s| s.last_error.map(|e| e.message)),
                }
            })
            .collect()
    }

    /// Number of OpenFlow connections up (all kinds).
    pub fn n_connections(&self) -> usize {
        self.inner.writers.lock().map(|w| w.len()).unwrap_or(0)
    }

    /// Stops every thread and closes every connection.
    pub fn shutdown(&self) {
        self.inner.stop.store(true, Ordering::Relaxed);
        {
            let (m, cv) = &self.inner.wake;
            if let Ok(mut g) = m.lock() {
                *g = true;
            }
            cv.notify_all();
        }
        if let Ok(ws) = self.inner.writers.lock() {
            for w in ws.values() {
                w.close();
            }
        }
        self.stop_mgmt();
        if let Ok(mut ctls) = self.controllers.lock() {
            for c in ctls.iter_mut() {
                c.stop();
            }
            ctls.clear();
        }
        if let Some(t) = self.timer.lock().ok().and_then(|mut t| t.take()) {
            let _ = t.join();
        }
    }
}

impl Drop for ConnMgr {
    fn drop(&mut self) {
        self.shutdown();
    }
}
