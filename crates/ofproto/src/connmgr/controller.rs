//! Controller targets: an active one (`tcp:`/`unix:`) is a thread that
//! connects, runs a session, and reconnects with the `Reconnect` backoff;
//! a passive one (`ptcp:`/`punix:`) is a listener whose connections are
//! controller sessions. Both report the status vswitchd writes back to
//! the Controller table.

use std::io;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use ovs_stream::reconnect::{Action, Reconnect};
use ovs_stream::{Address, ListenAddress};

use ovs_daemon::vlog;

use super::{session, Inner, RCONN_LOG};
use crate::conn::ConnKind;
use crate::output::ConnId;

/// One configured controller (a Controller row).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ControllerConfig {
    /// `tcp:IP[:PORT]`, `unix:PATH`, `ptcp:[PORT][:IP]`, `punix:PATH`.
    pub target: String,
    /// Longest wait between connection attempts (default 8 s).
    pub max_backoff: Option<Duration>,
    /// Idle time before an echo probe; `Some(ZERO)` disables (default 5 s).
    pub inactivity_probe: Option<Duration>,
}

impl ControllerConfig {
    pub fn new(target: &str) -> ControllerConfig {
        ControllerConfig {
            target: target.to_string(),
            max_backoff: None,
            inactivity_probe: None,
        }
    }

    fn probe(&self) -> Option<Duration> {
        match self.inactivity_probe {
            Some(d) if d.is_zero() => None,
            Some(d) => Some(d.max(Duration::from_secs(1))),
            None => Some(ovs_stream::reconnect::DEFAULT_PROBE_INTERVAL),
        }
    }
}

/// What vswitchd writes back to a Controller row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ControllerStatus {
    pub target: String,
    pub is_connected: bool,
    /// "other" (equal), "master" or "slave", as the Controller table's `role`.
    pub role: String,
    /// Reconnect state name ("ACTIVE", "BACKOFF", ...), for `status:state`.
    pub state: String,
    pub sec_since_connect: Option<u64>,
    pub sec_since_disconnect: Option<u64>,
    pub last_error: Option<String>,
}

/// A running controller target.
pub(crate) struct Controller {
    pub(crate) config: ControllerConfig,
    pub(crate) reconnect: Arc<Mutex<Reconnect>>,
    /// Connections currently up for this target.
    pub(crate) conns: Arc<Mutex<Vec<ConnId>>>,
    stop: Arc<AtomicBool>,
    inner: Arc<Inner>,
    thread: Option<JoinHandle<()>>,
    listener_path: Option<std::path::PathBuf>,
}

impl Controller {
    /// Starts the target's thread.
    pub(crate) fn start(inner: &Arc<Inner>, config: ControllerConfig) -> io::Result<Controller> {
        let now = Instant::now();
        let mut rc = Reconnect::new(now);
        if let Some(max) = config.max_backoff {
            rc.set_max_backoff(max.max(Duration::from_secs(1)));
        }
        rc.set_probe_interval(None);
        let stop = Arc::new(AtomicBool::new(false));
        let conns = Arc::new(Mutex::new(Vec::new()));
        let passive = ovs_stream::ListenAddress::parse(&config.target, 6653).is_ok()
            && (config.target.starts_with("ptcp:") || config.target.starts_with("punix:"));
        if passive {
            let addr = ListenAddress::parse(&config.target, 6653)
                .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e.to_string()))?;
            let listener = ovs_stream::Listener::bind(&addr)?;
            let listener_path = listener.socket_path().map(|p| p.to_path_buf());
            rc.set_passive(true, now);
            rc.enable(now);
            rc.listening(now);
            let reconnect = Arc::new(Mutex::new(rc));
            let t = super::spawn_listener(
                inner.clone(),
                listener,
                ConnKind::Primary,
                config.probe(),
                stop.clone(),
                Some((reconnect.clone(), conns.clone())),
            )?;
            return Ok(Controller {
                config,
                reconnect,
                conns,
                stop,
                inner: inner.clone(),
                thread: Some(t),
                listener_path,
            });
        }
        let addr = Address::parse(&config.target, 6653)
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e.to_string()))?;
        rc.enable(now);
        let reconnect = Arc::new(Mutex::new(rc));
        let (inner2, rc2, stop2, conns2, cfg2) = (
            inner.clone(),
            reconnect.clone(),
            stop.clone(),
            conns.clone(),
            config.clone(),
        );
        let t = std::thread::Builder::new()
            .name(format!("ofctl:{}", config.target))
            .spawn(move || active_loop(&inner2, &addr, &cfg2, &rc2, &stop2, &conns2))?;
        Ok(Controller {
            config,
            reconnect,
            conns,
            stop,
            inner: inner.clone(),
            thread: Some(t),
            listener_path: None,
        })
    }

    pub(crate) fn stop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        let conns: Vec<ConnId> = self.conns.lock().map(|c| c.clone()).unwrap_or_default();
        for id in conns {
            self.inner.close(id);
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        if let Some(p) = self.listener_path.take() {
            let _ = std::fs::remove_file(p);
        }
    }
}

fn lock(rc: &Mutex<Reconnect>) -> std::sync::MutexGuard<'_, Reconnect> {
    rc.lock().unwrap_or_else(|e| e.into_inner())
}

fn active_loop(
    inner: &Arc<Inner>,
    addr: &Address,
    cfg: &ControllerConfig,
    rc: &Arc<Mutex<Reconnect>>,
    stop: &AtomicBool,
    conns: &Arc<Mutex<Vec<ConnId>>>,
) {
    while !stop.load(Ordering::Relaxed) && !inner.stopping() {
        let now = Instant::now();
        let action = lock(rc).run(now);
        match action {
            Some(Action::Connect) => {
                lock(rc).connecting(now);
                let name = format!("{}<->{}", inner.bridge, cfg.target);
                vlog::info!(RCONN_LOG, "{name}: connecting...");
                let timeout = lock(rc).backoff().max(Duration::from_secs(1));
                match ovs_stream::connect(addr, Some(timeout)) {
                    Ok(stream) => {
                        lock(rc).connected(Instant::now());
                        vlog::info!(RCONN_LOG, "{name}: connected");
                        let conns2 = conns.clone();
                        let end = session::run(
                            inner,
                            stream,
                            ConnKind::Primary,
                            cfg.probe(),
                            Some(&cfg.target),
                            &move |id| {
                                if let Ok(mut c) = conns2.lock() {
                                    c.push(id);
                                }
                            },
                            &|| stop.load(Ordering::Relaxed),
                        );
                        if let Ok(mut c) = conns.lock() {
                            c.clear();
                        }
                        let text = end.text();
                        match &text {
                            Some(t) => vlog::warn!(RCONN_LOG, "{name}: connection dropped ({t})"),
                            None => vlog::info!(RCONN_LOG, "{name}: connection closed by peer"),
                        }
                        lock(rc).disconnected(Instant::now(), text.as_deref());
                    }
                    Err(e) => {
                        let text = ovs_stream::error_text(&e);
                        if !lock(rc).is_quiet() {
                            vlog::info!(RCONN_LOG, "{name}: connection failed ({text})");
                        }
                        lock(rc).connect_failed(Instant::now(), &text);
                    }
                }
            }
            Some(Action::Disconnect(_)) => {
                lock(rc).disconnected(now, None);
            }
            Some(Action::Probe) | None => {}
        }
        let wait = lock(rc)
            .timeout(Instant::now())
            .unwrap_or(Duration::from_millis(200))
            .min(Duration::from_millis(200));
        inner.wait(wait);
    }
}
