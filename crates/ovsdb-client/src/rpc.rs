//! A blocking JSON-RPC 1.0 connection that remembers how each message was written.
//!
//! Like `ovs_json::rpc::Connection`, but every received message comes with its
//! [`Shape`] (object members in text order), which the reference's output sometimes
//! depends on. Echo requests (the server's inactivity probe) are answered here, so
//! callers only ever see replies and notifications. With `-vjsonrpc:dbg` every
//! message is logged the way the reference logs it.

use crate::vlog;
use ovs_hash_order::{scan, to_reference_string, Shape};
use ovs_json::rpc::Message;
use ovs_json::{FrameError, Framer, Json};
use std::collections::VecDeque;
use std::fmt;
use std::io::{self, Read, Write};

/// Largest message we accept (the reference has no limit; this only stops a
/// runaway peer from exhausting memory).
const MAX_MESSAGE: usize = 1 << 30;

/// Why a connection failed.
#[derive(Debug)]
pub enum RpcError {
    Io(io::Error),
    /// The peer closed the connection.
    Eof,
    /// The peer sent something that is not a JSON-RPC message.
    Protocol(String),
}

impl fmt::Display for RpcError {
    /// The parenthesised part of the reference's "receive failed (...)" messages.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RpcError::Io(e) => f.write_str(&crate::error::os_text(e)),
            RpcError::Eof => f.write_str(crate::error::EOF_TEXT),
            RpcError::Protocol(_) => f.write_str("Protocol error"),
        }
    }
}

impl From<io::Error> for RpcError {
    fn from(e: io::Error) -> RpcError {
        RpcError::Io(e)
    }
}

/// A received message with the shape of its text.
#[derive(Clone, Debug)]
pub struct Received {
    pub message: Message,
    pub shape: Shape,
}

impl Received {
    /// The shape of the message's `result` (for replies) or `params` (for requests
    /// and notifications).
    pub fn payload_shape(&self) -> &Shape {
        match &self.message {
            Message::Reply { .. } => self.shape.member("result"),
            Message::Error { .. } => self.shape.member("error"),
            _ => self.shape.member("params"),
        }
    }
}

/// What a request came back with.
#[derive(Clone, Debug)]
pub enum Response {
    /// `result`, with its shape.
    Result(Json, Shape),
    /// `error`.
    Error(Json),
}

/// Anything a connection can run over.
pub trait Transport: Read + Write + Send {}
impl<T: Read + Write + Send> Transport for T {}

pub struct Rpc {
    stream: Box<dyn Transport>,
    /// The server's name as the user gave it, for log messages.
    name: String,
    framer: Framer,
    next_id: i64,
    pending: VecDeque<Received>,
}

impl Rpc {
    pub fn new(stream: Box<dyn Transport>, name: impl Into<String>) -> Rpc {
        Rpc {
            stream,
            name: name.into(),
            framer: Framer::new(MAX_MESSAGE),
            next_id: 0,
            pending: VecDeque::new(),
        }
    }

    /// The server name this connection was opened with.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// A fresh request id.
    pub fn new_id(&mut self) -> Json {
        let id = Json::Integer(self.next_id);
        self.next_id += 1;
        id
    }

    pub fn send(&mut self, message: &Message) -> Result<(), RpcError> {
        self.send_shaped(message, None)
    }

    /// Sends `message`; `shape` (of the whole message) only says how the debug log
    /// orders its objects' members.
    fn send_shaped(&mut self, message: &Message, shape: Option<&Shape>) -> Result<(), RpcError> {
        self.log_message("send", message, shape);
        let text = message.to_json().to_compact();
        self.stream.write_all(text.as_bytes())?;
        self.stream.flush()?;
        Ok(())
    }

    /// Sends a request and returns its id.
    pub fn send_request(&mut self, method: &str, params: Vec<Json>) -> Result<Json, RpcError> {
        self.send_request_shaped(method, params, Shape::Leaf)
    }

    /// [`Rpc::send_request`] with the shape of `params`: the order in which the
    /// reference would have built its objects, which its debug log shows.
    pub fn send_request_shaped(
        &mut self,
        method: &str,
        params: Vec<Json>,
        params_shape: Shape,
    ) -> Result<Json, RpcError> {
        let id = self.new_id();
        let shape = Shape::Object(vec![("params".into(), params_shape)]);
        self.send_shaped(&Message::request(method, params, id.clone()), Some(&shape))?;
        Ok(id)
    }

    /// Sends a request and waits for its reply. Notifications that arrive first are
    /// kept for [`Rpc::recv`].
    pub fn call(&mut self, method: &str, params: Vec<Json>) -> Result<Response, RpcError> {
        self.call_shaped(method, params, Shape::Leaf)
    }

    /// [`Rpc::call`] with the shape of `params` (see [`Rpc::send_request_shaped`]).
    pub fn call_shaped(
        &mut self,
        method: &str,
        params: Vec<Json>,
        params_shape: Shape,
    ) -> Result<Response, RpcError> {
        let id = self.send_request_shaped(method, params, params_shape)?;
        let mut held = VecDeque::new();
        let response = loop {
            let received = self.recv_raw()?;
            match &received.message {
                Message::Reply { result, id: rid } if *rid == id => {
                    let shape = received.payload_shape().clone();
                    break Response::Result(result.clone(), shape);
                }
                Message::Error { error, id: rid } if *rid == id => {
                    break Response::Error(error.clone());
                }
                _ => held.push_back(received),
            }
        };
        self.pending.extend(held);
        Ok(response)
    }

    /// The next message that is not an echo request.
    pub fn recv(&mut self) -> Result<Received, RpcError> {
        if let Some(r) = self.pending.pop_front() {
            return Ok(r);
        }
        self.recv_raw()
    }

    fn recv_raw(&mut self) -> Result<Received, RpcError> {
        loop {
            let received = self.read_message()?;
            if let Message::Request { method, params, id } = &received.message {
                if method == "echo" {
                    let reply = Message::Reply {
                        result: Json::Array(params.clone()),
                        id: id.clone(),
                    };
                    let shape =
                        Shape::Object(vec![("result".into(), received.payload_shape().clone())]);
                    self.send_shaped(&reply, Some(&shape))?;
                    continue;
                }
            }
            return Ok(received);
        }
    }

    fn read_message(&mut self) -> Result<Received, RpcError> {
        let mut chunk = [0u8; 64 * 1024];
        loop {
            match self.framer.next_frame() {
                Some(Ok(text)) => {
                    let json = ovs_json::parse_bytes(&text).map_err(|e| {
                        vlog::warn!(vlog::JSONRPC, "{}: error parsing stream: {e}", self.name);
                        RpcError::Protocol(e.to_string())
                    })?;
                    let message = Message::from_json(json).map_err(|e| {
                        vlog::warn!(
                            vlog::JSONRPC,
                            "{}: received bad JSON-RPC message: {e}",
                            self.name
                        );
                        RpcError::Protocol(e)
                    })?;
                    let shape = scan(&text);
                    self.log_message("received", &message, Some(&shape));
                    return Ok(Received { message, shape });
                }
                Some(Err(FrameError::TooLong { .. })) => {
                    return Err(RpcError::Protocol("message too long".into()));
                }
                Some(Err(e)) => {
                    vlog::warn!(vlog::JSONRPC, "{}: error parsing stream: {e}", self.name);
                    return Err(RpcError::Protocol(e.to_string()));
                }
                None => {}
            }
            let n = match self.stream.read(&mut chunk) {
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e.into()),
            };
            if n == 0 {
                return Err(RpcError::Eof);
            }
            self.framer.push(&chunk[..n]);
        }
    }

    /// The reference's debug line for a message.
    fn log_message(&self, title: &str, message: &Message, shape: Option<&Shape>) {
        if !vlog::JSONRPC.is_enabled(vlog::Level::Dbg) {
            return;
        }
        let empty = Shape::Leaf;
        let shape = shape.unwrap_or(&empty);
        let text = |name: &str, json: &Json| to_reference_string(json, shape.member(name));
        let mut s = String::new();
        let kind = match message {
            Message::Request { method, params, id } => {
                s.push_str(&format!(
                    ", method=\"{method}\", params={}",
                    text("params", &Json::Array(params.clone()))
                ));
                s.push_str(&format!(", id={}", text("id", id)));
                "request"
            }
            Message::Notify { method, params } => {
                s.push_str(&format!(
                    ", method=\"{method}\", params={}",
                    text("params", &Json::Array(params.clone()))
                ));
                "notification"
            }
            Message::Reply { result, id } => {
                s.push_str(&format!(
                    ", result={}, id={}",
                    text("result", result),
                    text("id", id)
                ));
                "reply"
            }
            Message::Error { error, id } => {
                s.push_str(&format!(
                    ", error={}, id={}",
                    text("error", error),
                    text("id", id)
                ));
                "error"
            }
        };
        vlog::dbg!(vlog::JSONRPC, "{}: {title} {kind}{s}", self.name);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    /// A transport that reads from a script and records what is written.
    struct Scripted {
        input: Cursor<Vec<u8>>,
        output: std::sync::Arc<std::sync::Mutex<Vec<u8>>>,
    }

    impl Read for Scripted {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            // One byte at a time, to exercise resumed scanning.
            let n = buf.len().min(1);
            self.input.read(&mut buf[..n])
        }
    }

    impl Write for Scripted {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.output.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    fn rpc(input: &str) -> (Rpc, std::sync::Arc<std::sync::Mutex<Vec<u8>>>) {
        let output = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let t = Scripted {
            input: Cursor::new(input.as_bytes().to_vec()),
            output: output.clone(),
        };
        (Rpc::new(Box::new(t), "test"), output)
    }

    #[test]
    fn call_answers_echo_and_keeps_notifications() {
        let (mut rpc, out) = rpc(concat!(
            r#"{"method":"echo","params":["x"],"id":"e"}"#,
            r#" {"method":"update","params":[null,{"b":1,"a":2}],"id":null}"#,
            r#"{"id":0,"result":{"z":"}","y":[]},"error":null}"#
        ));
        match rpc.call("list_dbs", vec![]).unwrap() {
            Response::Result(json, shape) => {
                assert_eq!(json.to_compact(), r#"{"y":[],"z":"}"}"#);
                assert_eq!(shape.names(), ["z", "y"]);
            }
            other => panic!("{other:?}"),
        }
        let sent = String::from_utf8(out.lock().unwrap().clone()).unwrap();
        assert!(
            sent.contains(r#"{"error":null,"id":"e","result":["x"]}"#),
            "{sent}"
        );
        let n = rpc.recv().unwrap();
        assert!(matches!(n.message, Message::Notify { ref method, .. } if method == "update"));
        assert_eq!(n.payload_shape().element(1).names(), ["b", "a"]);
        assert!(matches!(rpc.recv(), Err(RpcError::Eof)));
    }

    #[test]
    fn error_replies_and_garbage() {
        let (mut rpc, _) = rpc(r#"{"id":0,"result":null,"error":{"error":"x"}} nonsense"#);
        assert!(matches!(rpc.call("m", vec![]).unwrap(), Response::Error(_)));
        assert!(matches!(rpc.recv(), Err(RpcError::Protocol(_))));
    }
}
