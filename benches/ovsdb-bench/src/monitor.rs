//! Workload 5: latency from a commit to its `update2` at each of many monitoring clients.
//!
//! Every client holds a `monitor_cond` on `Open_vSwitch.next_cfg` and reads on its own
//! thread, stamping the moment the bytes of each update arrive (before parsing, so the
//! client's own work is not counted). One writer sets `next_cfg` to a new value, then
//! waits until every client has seen that value before the next commit, so commits
//! never overlap. A sample is the time from just before the writer sends its `transact`
//! to one client's update arriving.

use std::io::{ErrorKind, Read, Write};
use std::net::Shutdown;
use std::os::unix::net::UnixStream;
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use ovs_json::rpc::{Message, DEFAULT_MAX_MESSAGE};
use ovs_json::{Framer, Json};

use crate::client::{self, Base, Rpc};
use crate::options::Config;
use crate::server::Server;

/// Commits made before measuring, so connection warm-up is not in the figures.
const WARMUP_COMMITS: usize = 5;

const MONITOR_ID: &str = "bench";

#[derive(Clone, Copy, Debug)]
pub struct Latency {
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub samples: usize,
}

/// What a monitoring thread reports.
enum Event {
    Update { seq: i64, at: Instant },
    Failed(String),
}

/// Sets up the clients and measures `cfg.commits` commits in one go.
pub fn run(server: &Server, base: &Base, cfg: &Config) -> Result<Latency, String> {
    let mut set = MonitorSet::start(server, base, cfg)?;
    set.measure(cfg.commits)?;
    set.latency()
}

/// Monitoring clients and a writer on one server, measured a few commits at a time so
/// two servers can take turns.
pub struct MonitorSet {
    // Never read: held so that dropping the set ends the threads, and declared first
    // so they end before the writer disconnects.
    _monitors: Monitors,
    events: mpsc::Receiver<Event>,
    writer: Rpc,
    base: Base,
    clients: usize,
    timeout: Duration,
    /// The last value committed to `next_cfg`.
    seq: i64,
    samples: Vec<Duration>,
}

impl MonitorSet {
    /// Connects `cfg.monitors` monitoring clients and the writer, and makes a few
    /// unmeasured commits so connection warm-up is not in the figures.
    pub fn start(server: &Server, base: &Base, cfg: &Config) -> Result<MonitorSet, String> {
        let (tx, rx) = mpsc::channel();
        let mut monitors = Monitors::default();
        for n in 0..cfg.monitors {
            let mut conn = RawConn::new(server.connect()?);
            conn.start_monitor()
                .map_err(|e| format!("monitor client {n}: {e}"))?;
            let stream = conn
                .stream
                .try_clone()
                .map_err(|e| format!("cannot clone a socket: {e}"))?;
            let tx = tx.clone();
            let thread = std::thread::Builder::new()
                .name(format!("monitor-{n}"))
                .spawn(move || conn.read_updates(&tx))
                .map_err(|e| format!("cannot start a monitoring thread: {e}"))?;
            monitors.streams.push(stream);
            monitors.threads.push(thread);
        }
        let mut set = MonitorSet {
            _monitors: monitors,
            events: rx,
            writer: client::connect(server)?,
            base: base.clone(),
            clients: cfg.monitors,
            timeout: cfg.timeout,
            seq: 0,
            samples: Vec::new(),
        };
        for _ in 0..WARMUP_COMMITS {
            set.commit()?;
        }
        Ok(set)
    }

    /// Measures `commits` more commits.
    pub fn measure(&mut self, commits: usize) -> Result<(), String> {
        for _ in 0..commits {
            let latencies = self.commit()?;
            self.samples.extend(latencies);
        }
        Ok(())
    }

    /// Percentiles over every measured sample so far.
    pub fn latency(&self) -> Result<Latency, String> {
        if self.samples.is_empty() {
            return Err("no update latency samples".into());
        }
        let mut sorted = self.samples.clone();
        sorted.sort();
        Ok(Latency {
            p50_ms: ms(percentile(&sorted, 50.0)),
            p99_ms: ms(percentile(&sorted, 99.0)),
            samples: sorted.len(),
        })
    }

    /// Commits a new `next_cfg` and waits for every client's update; the latency to
    /// each client.
    fn commit(&mut self) -> Result<Vec<Duration>, String> {
        // Values start at 1: next_cfg is 0 in the fresh row, and an unchanged value
        // would send no update.
        self.seq += 1;
        let seq = self.seq;
        let sent = Instant::now();
        client::transact(&mut self.writer, vec![set_next_cfg(&self.base, seq)])
            .map_err(|e| format!("commit {seq}: {e}"))?;
        let deadline = sent + self.timeout;
        let mut latencies = Vec::with_capacity(self.clients);
        while latencies.len() < self.clients {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.events.recv_timeout(left) {
                Ok(Event::Update { seq: s, at }) if s == seq => {
                    latencies.push(at.saturating_duration_since(sent))
                }
                Ok(Event::Update { .. }) => {}
                Ok(Event::Failed(e)) => return Err(e),
                Err(_) => {
                    return Err(format!(
                        "commit {seq}: only {} of {} monitoring clients got its update within {} s",
                        latencies.len(),
                        self.clients,
                        self.timeout.as_secs()
                    ))
                }
            }
        }
        Ok(latencies)
    }
}

/// The monitoring threads; dropping this ends them by shutting their sockets down.
#[derive(Default)]
struct Monitors {
    streams: Vec<UnixStream>,
    threads: Vec<JoinHandle<()>>,
}

impl Drop for Monitors {
    fn drop(&mut self) {
        for s in &self.streams {
            let _ = s.shutdown(Shutdown::Both);
        }
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

fn set_next_cfg(base: &Base, seq: i64) -> Json {
    Json::object([
        ("op", Json::string("update")),
        ("table", Json::string("Open_vSwitch")),
        ("where", client::by_uuid(&base.root)),
        ("row", Json::object([("next_cfg", Json::Integer(seq))])),
    ])
}

/// Nearest-rank percentile of sorted samples (not empty).
fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// A raw JSON-RPC connection that knows when each message's last bytes arrived.
struct RawConn {
    stream: UnixStream,
    framer: Framer,
    buf: Vec<u8>,
    last_read: Instant,
}

impl RawConn {
    fn new(stream: UnixStream) -> RawConn {
        RawConn {
            stream,
            framer: Framer::new(DEFAULT_MAX_MESSAGE),
            buf: vec![0; 64 * 1024],
            last_read: Instant::now(),
        }
    }

    fn send(&mut self, msg: &Message) -> Result<(), String> {
        self.stream
            .write_all(msg.to_json().to_compact().as_bytes())
            .map_err(|e| format!("send: {e}"))
    }

    /// The next message and when the read that completed it returned.
    fn recv(&mut self) -> Result<(Message, Instant), String> {
        loop {
            if let Some(frame) = self.framer.next_message() {
                let json = frame.map_err(|e| format!("bad message from server: {e}"))?;
                let msg = Message::from_json(json).map_err(|e| format!("bad message: {e}"))?;
                return Ok((msg, self.last_read));
            }
            let n = match self.stream.read(&mut self.buf) {
                Ok(0) => return Err("connection closed".into()),
                Ok(n) => n,
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(e) => return Err(format!("read: {e}")),
            };
            self.last_read = Instant::now();
            self.framer.push(&self.buf[..n]);
        }
    }

    /// Answers the inactivity probe; anything else is left to the caller.
    fn answer_echo(&mut self, msg: &Message) -> Result<bool, String> {
        if let Message::Request { method, params, id } = msg {
            if method == "echo" {
                self.send(&Message::Reply {
                    result: Json::Array(params.clone()),
                    id: id.clone(),
                })?;
                return Ok(true);
            }
        }
        Ok(false)
    }

    fn start_monitor(&mut self) -> Result<(), String> {
        let request = Message::request(
            "monitor_cond",
            vec![
                Json::string(client::DB),
                Json::string(MONITOR_ID),
                Json::object([(
                    "Open_vSwitch",
                    Json::array([Json::object([(
                        "columns",
                        Json::array([Json::string("next_cfg")]),
                    )])]),
                )]),
            ],
            Json::Integer(0),
        );
        self.send(&request)?;
        loop {
            let (msg, _) = self.recv()?;
            if self.answer_echo(&msg)? {
                continue;
            }
            match msg {
                Message::Reply { result, .. } if result.as_object().is_some() => return Ok(()),
                Message::Reply { result, .. } => {
                    return Err(format!(
                        "monitor_cond reply is not an object: {}",
                        client::brief(&result)
                    ))
                }
                Message::Error { error, .. } => {
                    return Err(format!("monitor_cond failed: {}", client::brief(&error)))
                }
                // Nothing else should come before the reply; ignore it if it does.
                _ => {}
            }
        }
    }

    /// Reports each update's `next_cfg` until the socket is shut down.
    fn read_updates(mut self, tx: &mpsc::Sender<Event>) {
        loop {
            let (msg, at) = match self.recv() {
                Ok(m) => m,
                // Shutdown at the end of the run lands here too; by then nobody listens.
                Err(e) => {
                    let _ = tx.send(Event::Failed(format!("monitoring client: {e}")));
                    return;
                }
            };
            match self.answer_echo(&msg) {
                Ok(true) => continue,
                Ok(false) => {}
                Err(e) => {
                    let _ = tx.send(Event::Failed(format!("monitoring client: {e}")));
                    return;
                }
            }
            if let Message::Notify { method, params } = &msg {
                if method == "update2" {
                    let event = match update_seq(params) {
                        Some(seq) => Event::Update { seq, at },
                        None => Event::Failed(format!(
                            "update2 without Open_vSwitch next_cfg: {}",
                            client::brief(&Json::Array(params.clone()))
                        )),
                    };
                    if tx.send(event).is_err() {
                        return;
                    }
                }
            }
        }
    }
}

/// `next_cfg` from `["bench", {"Open_vSwitch": {UUID: {"modify": {"next_cfg": N}}}}]`.
fn update_seq(params: &[Json]) -> Option<i64> {
    let tables = params.get(1)?;
    let rows = tables.get("Open_vSwitch")?.as_object()?;
    let row = rows.values().next()?;
    row.get("modify")?.get("next_cfg")?.as_i64()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentile_is_nearest_rank() {
        let s: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        assert_eq!(percentile(&s, 50.0), Duration::from_millis(50));
        assert_eq!(percentile(&s, 99.0), Duration::from_millis(99));
        assert_eq!(percentile(&s[..1], 99.0), Duration::from_millis(1));
    }

    #[test]
    fn seq_from_update2_params() {
        let params = ovs_json::parse(
            r#"["bench",{"Open_vSwitch":{"0b5c9f4e-1111-2222-3333-444455556666":{"modify":{"next_cfg":7}}}}]"#,
        )
        .unwrap();
        assert_eq!(update_seq(params.as_array().unwrap()), Some(7));
        let other = ovs_json::parse(r#"["bench",{"Bridge":{}}]"#).unwrap();
        assert_eq!(update_seq(other.as_array().unwrap()), None);
    }
}
