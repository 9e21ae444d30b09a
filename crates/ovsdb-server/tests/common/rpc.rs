//! A raw JSON-RPC client for protocol tests: it sends exactly the bytes a test
//! gives it, reads with a bound on every wait, and tells a closed connection
//! apart from a message, so tests can pin what a server does with bad input.
//!
//! Messages are kept as plain [`Json`] objects (not parsed into requests and
//! replies) so that tests compare the exact wire content.

use std::collections::VecDeque;
use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::time::{Duration, Instant};

use ovs_json::{Framer, Json};
use testkit::DEFAULT_TIMEOUT;

/// The largest message this client accepts from a server; tests with bigger
/// replies read the stream themselves ([`Rpc::read_raw`]).
const MAX_MESSAGE: usize = 16 << 20;

/// Parses JSON written in a test. Panics on a typo, which is a bug in the test.
#[track_caller]
pub fn j(text: &str) -> Json {
    match ovs_json::parse_value(text) {
        Ok(v) => v,
        Err(e) => panic!("bad JSON in test: {e}: {text}"),
    }
}

enum Stream {
    Unix(UnixStream),
    Tcp(TcpStream),
}

impl Stream {
    fn set_read_timeout(&self, t: Option<Duration>) -> io::Result<()> {
        match self {
            Stream::Unix(s) => s.set_read_timeout(t),
            Stream::Tcp(s) => s.set_read_timeout(t),
        }
    }

    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Stream::Unix(s) => s.read(buf),
            Stream::Tcp(s) => s.read(buf),
        }
    }

    fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        match self {
            Stream::Unix(s) => s.write_all(bytes),
            Stream::Tcp(s) => s.write_all(bytes),
        }
    }
}

/// What waiting for the next message produced.
#[derive(Debug, Clone, PartialEq)]
pub enum Msg {
    Message(Json),
    /// The server closed the connection (EOF or reset).
    Closed,
    TimedOut,
}

/// One client connection.
pub struct Rpc {
    stream: Stream,
    framer: Framer,
    /// Messages read while looking for something else, oldest first.
    inbox: VecDeque<Json>,
    next_id: i64,
    closed: bool,
}

impl Rpc {
    #[track_caller]
    pub fn connect_unix(path: &Path) -> Rpc {
        match UnixStream::connect(path) {
            Ok(s) => Rpc::new(Stream::Unix(s)),
            Err(e) => panic!("cannot connect to {}: {e}", path.display()),
        }
    }

    #[track_caller]
    pub fn connect_tcp(port: u16) -> Rpc {
        match TcpStream::connect(("127.0.0.1", port)) {
            Ok(s) => Rpc::new(Stream::Tcp(s)),
            Err(e) => panic!("cannot connect to 127.0.0.1:{port}: {e}"),
        }
    }

    /// A connection the server made to us (active remotes).
    pub fn from_unix(s: UnixStream) -> Rpc {
        Rpc::new(Stream::Unix(s))
    }

    /// A connection the server made to us over TCP (active remotes).
    pub fn from_tcp(s: TcpStream) -> Rpc {
        Rpc::new(Stream::Tcp(s))
    }

    fn new(stream: Stream) -> Rpc {
        Rpc {
            stream,
            framer: Framer::new(MAX_MESSAGE),
            inbox: VecDeque::new(),
            next_id: 1000,
            closed: false,
        }
    }

    /// Sends bytes as they are. Errors are returned, not panicked on: a server
    /// that already closed the connection makes writes fail.
    pub fn send_bytes(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.stream.write_all(bytes)
    }

    /// Closes our sending side (the server reads EOF) but keeps reading.
    #[track_caller]
    pub fn shutdown_write(&mut self) {
        let r = match &self.stream {
            Stream::Unix(s) => s.shutdown(std::net::Shutdown::Write),
            Stream::Tcp(s) => s.shutdown(std::net::Shutdown::Write),
        };
        if let Err(e) = r {
            panic!("shutdown: {e}");
        }
    }

    /// Sends one JSON text.
    #[track_caller]
    pub fn send(&mut self, msg: &Json) {
        if let Err(e) = self.send_bytes(msg.to_compact().as_bytes()) {
            panic!("sending {msg}: {e}");
        }
    }

    /// Sends a request with a fresh integer id and returns the id.
    #[track_caller]
    pub fn request(&mut self, method: &str, params: Json) -> Json {
        let id = Json::Integer(self.next_id);
        self.next_id += 1;
        self.request_with_id(method, params, id.clone());
        id
    }

    /// Sends a request with the given id.
    #[track_caller]
    pub fn request_with_id(&mut self, method: &str, params: Json, id: Json) {
        self.send(&Json::object([
            ("method", Json::string(method)),
            ("params", params),
            ("id", id),
        ]));
    }

    /// Sends a notification (a request with a null id).
    #[track_caller]
    pub fn notify(&mut self, method: &str, params: Json) {
        self.request_with_id(method, params, Json::Null);
    }

    /// The next message (from the inbox first), waiting at most [`DEFAULT_TIMEOUT`].
    pub fn next(&mut self) -> Msg {
        if let Some(m) = self.inbox.pop_front() {
            return Msg::Message(m);
        }
        self.read_message(Instant::now() + DEFAULT_TIMEOUT)
    }

    /// Like [`Rpc::next`], panicking unless a message came.
    #[track_caller]
    pub fn next_message(&mut self) -> Json {
        match self.next() {
            Msg::Message(m) => m,
            other => panic!("expected a message from the server, got {other:?}"),
        }
    }

    fn read_message(&mut self, deadline: Instant) -> Msg {
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            match self.framer.next_message() {
                Some(Ok(json)) => return Msg::Message(json),
                Some(Err(e)) => panic!("the server sent malformed JSON: {e}"),
                None => {}
            }
            if self.closed {
                return Msg::Closed;
            }
            match self.read_some(&mut buf, deadline) {
                Ok(0) => {
                    self.closed = true;
                }
                Ok(n) => self.framer.push(&buf[..n]),
                Err(ReadEnd::TimedOut) => return Msg::TimedOut,
                Err(ReadEnd::Closed) => self.closed = true,
            }
        }
    }

    fn read_some(&mut self, buf: &mut [u8], deadline: Instant) -> Result<usize, ReadEnd> {
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(ReadEnd::TimedOut);
            }
            if let Err(e) = self.stream.set_read_timeout(Some(left)) {
                panic!("cannot set a read timeout: {e}");
            }
            match self.stream.read(buf) {
                Ok(n) => return Ok(n),
                Err(e) => match e.kind() {
                    io::ErrorKind::Interrupted => continue,
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => {
                        return Err(ReadEnd::TimedOut)
                    }
                    io::ErrorKind::ConnectionReset | io::ErrorKind::BrokenPipe => {
                        return Err(ReadEnd::Closed)
                    }
                    _ => panic!("reading from the server: {e}"),
                },
            }
        }
    }

    /// Streams raw bytes from the connection into `sink` until it returns false
    /// (or the connection closes); for replies too big to buffer as one message.
    /// Returns whether the sink asked to stop (false: closed first).
    #[track_caller]
    pub fn read_raw(&mut self, mut sink: impl FnMut(&[u8]) -> bool) -> bool {
        assert!(
            self.inbox.is_empty() && !self.framer.has_partial(),
            "read_raw with buffered messages"
        );
        let deadline = Instant::now() + DEFAULT_TIMEOUT * 3;
        let mut buf = vec![0u8; 1 << 20];
        loop {
            match self.read_some(&mut buf, deadline) {
                Ok(0) | Err(ReadEnd::Closed) => {
                    self.closed = true;
                    return false;
                }
                Ok(n) => {
                    if !sink(&buf[..n]) {
                        return true;
                    }
                }
                Err(ReadEnd::TimedOut) => panic!("timed out streaming a reply"),
            }
        }
    }

    /// Sends a request and waits for the reply with its id, keeping other
    /// messages (notifications) in the inbox. Returns the whole reply object.
    #[track_caller]
    pub fn call(&mut self, method: &str, params: Json) -> Json {
        let id = self.request(method, params);
        self.reply_to(&id)
    }

    /// Waits for the reply to request `id`, keeping other messages in the inbox.
    #[track_caller]
    pub fn reply_to(&mut self, id: &Json) -> Json {
        if let Some(pos) = self.inbox.iter().position(|m| is_reply_to(m, id)) {
            return self.inbox.remove(pos).unwrap_or(Json::Null);
        }
        loop {
            match self.read_message(Instant::now() + DEFAULT_TIMEOUT) {
                Msg::Message(m) if is_reply_to(&m, id) => return m,
                Msg::Message(m) => self.inbox.push_back(m),
                other => panic!("waiting for the reply to request {id}: {other:?}"),
            }
        }
    }

    /// [`Rpc::call`], returning `result` and panicking on an error reply.
    #[track_caller]
    pub fn call_ok(&mut self, method: &str, params: Json) -> Json {
        let reply = self.call(method, params.clone());
        match reply.get("error") {
            None | Some(Json::Null) => reply.get("result").cloned().unwrap_or(Json::Null),
            Some(e) => panic!("{method} {params} failed: {e}"),
        }
    }

    /// A `transact` on `db`; returns the per-operation results.
    #[track_caller]
    pub fn transact(&mut self, db: &str, ops: &[Json]) -> Vec<Json> {
        let mut params = vec![Json::string(db)];
        params.extend(ops.iter().cloned());
        match self.call_ok("transact", Json::Array(params)) {
            Json::Array(results) => results,
            other => panic!("transact result is not an array: {other}"),
        }
    }

    /// Waits for a notification `method` and returns its params; other messages
    /// stay in the inbox.
    #[track_caller]
    /// Waits up to `timeout` for a request the server sends us (e.g. its `echo`
    /// probe); returns the whole message.
    #[allow(dead_code)]
    pub fn request_from_server(&mut self, method: &str, timeout: std::time::Duration) -> Json {
        let is_it = |m: &Json| {
            m.get("method").and_then(Json::as_str) == Some(method)
                && m.get("id").is_some_and(|id| !id.is_null())
        };
        if let Some(pos) = self.inbox.iter().position(is_it) {
            return self.inbox.remove(pos).unwrap_or(Json::Null);
        }
        let deadline = Instant::now() + timeout;
        loop {
            match self.read_message(deadline) {
                Msg::Message(m) if is_it(&m) => return m,
                Msg::Message(m) => self.inbox.push_back(m),
                other => panic!("waiting for a {method} request from the server: {other:?}"),
            }
        }
    }

    pub fn notification(&mut self, method: &str) -> Json {
        let is_it = |m: &Json| m.get("method").and_then(Json::as_str) == Some(method);
        if let Some(pos) = self.inbox.iter().position(is_it) {
            let m = self.inbox.remove(pos).unwrap_or(Json::Null);
            return m.get("params").cloned().unwrap_or(Json::Null);
        }
        loop {
            match self.read_message(Instant::now() + DEFAULT_TIMEOUT) {
                Msg::Message(m) if is_it(&m) => {
                    return m.get("params").cloned().unwrap_or(Json::Null)
                }
                Msg::Message(m) => self.inbox.push_back(m),
                other => panic!("waiting for a {method} notification: {other:?}"),
            }
        }
    }

    /// A round trip with `echo`: returns every message that arrived before the
    /// echo's reply (inbox included), in order. Since a server answers one
    /// connection's requests in order, whatever it had queued for us before it
    /// read the echo is in the result.
    #[track_caller]
    pub fn sync(&mut self) -> Vec<Json> {
        match self.try_sync() {
            Ok(before) => before,
            Err((end, before)) => panic!(
                "waiting for the echo reply: {end:?} (after {})",
                Json::Array(before)
            ),
        }
    }

    /// [`Rpc::sync`] that reports, instead of panicking, a connection that
    /// closed or timed out first (with the messages that came before).
    pub fn try_sync(&mut self) -> Result<Vec<Json>, (Msg, Vec<Json>)> {
        let id = Json::string(format!("sync-{}", self.next_id));
        self.next_id += 1;
        let echo = Json::object([
            ("method", Json::string("echo")),
            ("params", Json::array([Json::string("sync")])),
            ("id", id.clone()),
        ]);
        let mut before: Vec<Json> = self.inbox.drain(..).collect();
        if self.send_bytes(echo.to_compact().as_bytes()).is_err() {
            return Err((Msg::Closed, before));
        }
        loop {
            match self.read_message(Instant::now() + DEFAULT_TIMEOUT) {
                Msg::Message(m) if is_reply_to(&m, &id) => return Ok(before),
                Msg::Message(m) => before.push(m),
                other => return Err((other, before)),
            }
        }
    }

    /// Reads until the server closes the connection; returns the messages that
    /// came before. Panics, naming `what` was sent, if it stays open (bounded
    /// wait).
    #[track_caller]
    pub fn expect_closed(&mut self, what: &str) -> Vec<Json> {
        match self.wait_closed() {
            Ok(before) => before,
            Err(before) => panic!(
                "after {what}, the server kept the connection open; it sent {}",
                Json::Array(before)
            ),
        }
    }

    /// Reads until the server closes the connection (bounded wait). Returns the
    /// messages that came before: `Ok` if it closed, `Err` if it stayed open.
    pub fn wait_closed(&mut self) -> Result<Vec<Json>, Vec<Json>> {
        let mut before: Vec<Json> = self.inbox.drain(..).collect();
        loop {
            match self.read_message(Instant::now() + DEFAULT_TIMEOUT) {
                Msg::Message(m) => before.push(m),
                Msg::Closed => return Ok(before),
                Msg::TimedOut => return Err(before),
            }
        }
    }

    /// Messages read but not yet consumed.
    pub fn take_inbox(&mut self) -> Vec<Json> {
        self.inbox.drain(..).collect()
    }
}

enum ReadEnd {
    TimedOut,
    Closed,
}

fn is_reply_to(m: &Json, id: &Json) -> bool {
    m.get("method").is_none() && m.get("id") == Some(id)
}

/// The `error` member of an error reply, or None for a successful reply.
pub fn error_of(reply: &Json) -> Option<&Json> {
    reply.get("error").filter(|e| !e.is_null())
}
