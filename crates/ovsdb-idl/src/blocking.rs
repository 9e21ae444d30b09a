//! A blocking IDL for command-line tools: connect, wait for the replica, commit.

use crate::protocol::{Event, Protocol, Selection, State};
use crate::txn::{Txn, TxnOutcome};
use ovs_json::rpc::{Message, DEFAULT_MAX_MESSAGE};
use ovs_json::{Framer, Json};
use ovs_stream::reconnect::{Action, Reconnect};
use std::io::{self, Read, Write};
use std::time::{Duration, Instant};

/// A byte stream whose reads can time out.
pub trait Transport: Read + Write {
    fn set_read_timeout(&self, timeout: Option<Duration>) -> io::Result<()>;
}

impl Transport for std::os::unix::net::UnixStream {
    fn set_read_timeout(&self, timeout: Option<Duration>) -> io::Result<()> {
        std::os::unix::net::UnixStream::set_read_timeout(self, timeout)
    }
}

impl Transport for std::net::TcpStream {
    fn set_read_timeout(&self, timeout: Option<Duration>) -> io::Result<()> {
        std::net::TcpStream::set_read_timeout(self, timeout)
    }
}

/// Why the IDL could not do what was asked.
#[derive(Debug)]
pub enum IdlError {
    Io(io::Error),
    /// The connection closed or sent garbage.
    Connection(String),
    /// The server refused the database or sent an unusable schema.
    Failed(String),
    /// The deadline passed.
    Timeout,
}

impl std::fmt::Display for IdlError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            IdlError::Io(e) => e.fmt(f),
            IdlError::Connection(e) | IdlError::Failed(e) => f.write_str(e),
            IdlError::Timeout => f.write_str("timed out"),
        }
    }
}

impl std::error::Error for IdlError {}

impl From<io::Error> for IdlError {
    fn from(e: io::Error) -> IdlError {
        IdlError::Io(e)
    }
}

/// How to get a new connection after one is lost, and when to try.
struct Reconnector<S> {
    connect: Box<dyn FnMut() -> io::Result<S>>,
    backoff: Reconnect,
}

pub struct Idl<S: Transport> {
    stream: S,
    framer: Framer,
    pub protocol: Protocol,
    /// Transaction replies that arrived while waiting for something else.
    replies: Vec<(Json, Result<Json, Json>)>,
    reconnector: Option<Reconnector<S>>,
    /// Incremented on every reconnection; a commit in flight across one is unknown.
    connection: u64,
}

impl<S: Transport> Idl<S> {
    /// Starts the handshake on a connected stream and waits (up to `timeout`) until the
    /// replica holds the database.
    pub fn connect(
        stream: S,
        db: &str,
        selection: Selection,
        timeout: Option<Duration>,
    ) -> Result<Idl<S>, IdlError> {
        let mut idl = Idl {
            stream,
            framer: Framer::new(DEFAULT_MAX_MESSAGE),
            protocol: Protocol::new(db, selection),
            replies: Vec::new(),
            reconnector: None,
            connection: 0,
        };
        let hello = idl.protocol.connected();
        idl.send_all(&hello)?;
        idl.wait_ready(timeout.map(|t| Instant::now() + t))?;
        Ok(idl)
    }

    /// Like [`Idl::connect`], but connects through `connect` and, whenever the
    /// connection is lost, reconnects with backoff (1 s doubling to 8 s) and reloads the
    /// replica, as the reference IDL does. Connection attempts are retried until
    /// `timeout` passes.
    pub fn open(
        mut connect: impl FnMut() -> io::Result<S> + 'static,
        db: &str,
        selection: Selection,
        timeout: Option<Duration>,
    ) -> Result<Idl<S>, IdlError> {
        let deadline = timeout.map(|t| Instant::now() + t);
        let mut backoff = Reconnect::new(Instant::now());
        backoff.enable(Instant::now());
        let stream = connect_with_backoff(&mut connect, &mut backoff, deadline)?;
        let mut idl = Idl {
            stream,
            framer: Framer::new(DEFAULT_MAX_MESSAGE),
            protocol: Protocol::new(db, selection),
            replies: Vec::new(),
            reconnector: Some(Reconnector {
                connect: Box::new(connect),
                backoff,
            }),
            connection: 0,
        };
        let hello = idl.protocol.connected();
        idl.send_all(&hello)?;
        idl.wait_ready(deadline)?;
        Ok(idl)
    }

    fn wait_ready(&mut self, deadline: Option<Instant>) -> Result<(), IdlError> {
        while !self.protocol.is_ready() {
            if let State::Failed(e) = &self.protocol.state {
                return Err(IdlError::Failed(e.clone()));
            }
            self.run_once(deadline)?;
        }
        Ok(())
    }

    /// Number of times the connection was re-established.
    pub fn reconnections(&self) -> u64 {
        self.connection
    }

    /// After a lost connection: reconnect (if allowed) and restart the handshake.
    fn recover(&mut self, error: IdlError, deadline: Option<Instant>) -> Result<(), IdlError> {
        self.protocol.disconnected();
        let Some(r) = self.reconnector.as_mut() else {
            return Err(error);
        };
        r.backoff
            .disconnected(Instant::now(), Some(&error.to_string()));
        let stream = connect_with_backoff(&mut r.connect, &mut r.backoff, deadline)?;
        self.stream = stream;
        self.framer = Framer::new(DEFAULT_MAX_MESSAGE);
        self.connection += 1;
        self.replies.clear();
        let hello = self.protocol.connected();
        self.send_all(&hello)
    }

    fn send_all(&mut self, msgs: &[Message]) -> Result<(), IdlError> {
        let mut text = String::new();
        for m in msgs {
            text.push_str(&m.to_json().to_compact());
        }
        self.stream.write_all(text.as_bytes())?;
        self.stream.flush()?;
        Ok(())
    }

    /// Reads and handles messages until at least one arrives or `deadline` passes. A
    /// lost connection is re-established if this IDL was opened with [`Idl::open`].
    pub fn run_once(&mut self, deadline: Option<Instant>) -> Result<Vec<Event>, IdlError> {
        loop {
            match self.run_once_connected(deadline) {
                Err(e @ (IdlError::Connection(_) | IdlError::Io(_))) => {
                    self.recover(e, deadline)?
                }
                other => return other,
            }
        }
    }

    fn run_once_connected(&mut self, deadline: Option<Instant>) -> Result<Vec<Event>, IdlError> {
        let mut buf = [0u8; 64 * 1024];
        loop {
            if let Some(frame) = self.framer.next_message() {
                let json = frame.map_err(|e| IdlError::Connection(e.to_string()))?;
                let msg = Message::from_json(json).map_err(IdlError::Connection)?;
                let (out, events) = self.protocol.handle(msg);
                self.send_all(&out)?;
                for e in &events {
                    if let Event::TxnReply { id, result } = e {
                        self.replies.push((id.clone(), result.clone()));
                    }
                }
                return Ok(events);
            }
            let wait = match deadline {
                Some(d) => {
                    let left = d.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        return Err(IdlError::Timeout);
                    }
                    Some(left)
                }
                None => None,
            };
            self.stream.set_read_timeout(wait)?;
            match self.stream.read(&mut buf) {
                Ok(0) => {
                    self.protocol.disconnected();
                    return Err(IdlError::Connection("connection closed by peer".into()));
                }
                Ok(n) => self.framer.push(&buf[..n]),
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                    ) =>
                {
                    return Err(IdlError::Timeout)
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// Sends a transaction and waits for its outcome. The replica already reflects the
    /// transaction's own changes when this returns (the server sends updates first).
    pub fn commit(&mut self, txn: &Txn, timeout: Option<Duration>) -> Result<TxnOutcome, IdlError> {
        if txn.is_empty() {
            return Ok(TxnOutcome::Success {
                inserted: Default::default(),
                increment: None,
            });
        }
        let deadline = timeout.map(|t| Instant::now() + t);
        // Wait for the replica first, in case a reconnection is under way.
        self.wait_ready(deadline)?;
        let msg = self.protocol.transact(txn.ops());
        let id = msg.id().clone();
        let connection = self.connection;
        if let Err(e) = self.send_all(&[msg]) {
            self.recover(e, deadline)?;
            return Ok(TxnOutcome::TryAgain);
        }
        loop {
            if let Some(pos) = self.replies.iter().position(|(rid, _)| *rid == id) {
                let (_, result) = self.replies.remove(pos);
                return Ok(txn.outcome(&result));
            }
            self.run_once(deadline)?;
            if self.connection != connection {
                // The reply was lost with the connection: the caller must re-check
                // the (reloaded) replica and try again, as with the reference IDL.
                return Ok(TxnOutcome::TryAgain);
            }
        }
    }

    /// Waits until the replica changes or `deadline` passes (Ok(false) on timeout).
    pub fn wait_for_change(&mut self, deadline: Option<Instant>) -> Result<bool, IdlError> {
        loop {
            match self.run_once(deadline) {
                Ok(events) if events.contains(&Event::Changed) => return Ok(true),
                Ok(_) => {}
                Err(IdlError::Timeout) => return Ok(false),
                Err(e) => return Err(e),
            }
        }
    }

    pub fn replica(&self) -> &crate::Replica {
        // Present once connected: `connect` returns only when monitoring.
        self.protocol
            .replica
            .as_ref()
            .expect("replica exists after connect")
    }

    pub fn replica_mut(&mut self) -> &mut crate::Replica {
        self.protocol
            .replica
            .as_mut()
            .expect("replica exists after connect")
    }

    /// Sends a raw message (e.g. a condition change or lock request).
    pub fn send(&mut self, msg: Message) -> Result<(), IdlError> {
        self.send_all(&[msg])
    }
}

/// Connects, retrying with the backoff's schedule, until `deadline`.
fn connect_with_backoff<S>(
    connect: &mut dyn FnMut() -> io::Result<S>,
    backoff: &mut Reconnect,
    deadline: Option<Instant>,
) -> Result<S, IdlError> {
    let mut last_error = None;
    loop {
        let now = Instant::now();
        if let Some(Action::Connect) = backoff.run(now) {
            backoff.connecting(now);
            match connect() {
                Ok(s) => {
                    backoff.connected(Instant::now());
                    return Ok(s);
                }
                Err(e) => {
                    backoff.connect_failed(Instant::now(), &ovs_stream::error_text(&e));
                    last_error = Some(e);
                }
            }
            continue;
        }
        let now = Instant::now();
        let mut wake = backoff
            .deadline()
            .unwrap_or(now + Duration::from_millis(100));
        if let Some(d) = deadline {
            if now >= d {
                return Err(match last_error {
                    Some(e) => IdlError::Io(e),
                    None => IdlError::Timeout,
                });
            }
            wake = wake.min(d);
        }
        // Waiting out the backoff is the point here, not synchronisation.
        std::thread::sleep(wake.saturating_duration_since(now));
    }
}

impl Transport for ovs_stream::Stream {
    fn set_read_timeout(&self, timeout: Option<Duration>) -> io::Result<()> {
        ovs_stream::Stream::set_read_timeout(self, timeout)
    }
}
