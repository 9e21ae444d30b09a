//! JSON-RPC 1.0 messages as OVS exchanges them, and a blocking connection for CLIs.
//!
//! A request has a non-null `id`, a notification a null one; a reply carries `result`
//! with `error: null`, an error reply the other way round. Both daemons answer `echo`
//! (the inactivity probe), so the blocking connection answers it transparently.

use crate::framer::{FrameError, Framer};
use crate::value::Json;
use std::io::{self, Read, Write};

/// Default limit on one incoming message: room for what the reference accepts in
/// practice (a 100 MB request works there), while bounding what one peer can make us
/// buffer.
pub const DEFAULT_MAX_MESSAGE: usize = 128 << 20;

/// One JSON-RPC message.
#[derive(Clone, Debug, PartialEq)]
pub enum Message {
    Request {
        method: String,
        params: Vec<Json>,
        id: Json,
    },
    Notify {
        method: String,
        params: Vec<Json>,
    },
    Reply {
        result: Json,
        id: Json,
    },
    Error {
        error: Json,
        id: Json,
    },
}

impl Message {
    pub fn request(method: impl Into<String>, params: Vec<Json>, id: Json) -> Message {
        Message::Request {
            method: method.into(),
            params,
            id,
        }
    }

    pub fn notify(method: impl Into<String>, params: Vec<Json>) -> Message {
        Message::Notify {
            method: method.into(),
            params,
        }
    }

    /// The message's id (null for notifications).
    pub fn id(&self) -> &Json {
        match self {
            Message::Request { id, .. } | Message::Reply { id, .. } | Message::Error { id, .. } => {
                id
            }
            Message::Notify { .. } => &Json::Null,
        }
    }

    /// Interprets a received JSON text as a message.
    pub fn from_json(json: Json) -> Result<Message, String> {
        let Json::Object(mut o) = json else {
            return Err("message is not a JSON object".into());
        };
        let method = o.remove("method");
        let params = o.remove("params");
        let mut result = o.remove("result");
        let mut error = o.remove("error");
        if method.is_some() {
            // The reference accepts a request that carries `"result": null` or
            // `"error": null`.
            result = result.filter(|r| !r.is_null());
            error = error.filter(|e| !e.is_null());
        }
        let id = o.remove("id");
        if let Some(name) = o.keys().next() {
            return Err(format!("message has unexpected member \"{name}\""));
        }
        match (method, result, error) {
            (Some(method), None, None) => {
                let Json::String(method) = method else {
                    return Err("method is not a JSON string".into());
                };
                let params = match params {
                    Some(Json::Array(p)) => p,
                    Some(_) => return Err("\"params\" must be JSON array".into()),
                    None => return Err("\"params\" is missing".into()),
                };
                match id {
                    None | Some(Json::Null) => Ok(Message::Notify { method, params }),
                    Some(id) => Ok(Message::Request { method, params, id }),
                }
            }
            (None, Some(result), Some(error)) if params.is_none() => {
                let id = id.ok_or("reply has no \"id\"")?;
                match (result, error) {
                    (result, Json::Null) => Ok(Message::Reply { result, id }),
                    (Json::Null, error) => Ok(Message::Error { error, id }),
                    _ => Err("reply has both \"result\" and \"error\"".into()),
                }
            }
            (None, Some(result), None) if params.is_none() => {
                let id = id.ok_or("reply has no \"id\"")?;
                Ok(Message::Reply { result, id })
            }
            (None, None, Some(error)) if params.is_none() => {
                let id = id.ok_or("reply has no \"id\"")?;
                Ok(Message::Error { error, id })
            }
            _ => Err("message is not a request, a notification or a reply".into()),
        }
    }

    /// The wire form, consuming the message (no copy of its params or result).
    pub fn into_json(self) -> Json {
        match self {
            Message::Request { method, params, id } => Json::object([
                ("method", Json::String(method)),
                ("params", Json::Array(params)),
                ("id", id),
            ]),
            Message::Notify { method, params } => Json::object([
                ("method", Json::String(method)),
                ("params", Json::Array(params)),
                ("id", Json::Null),
            ]),
            Message::Reply { result, id } => {
                Json::object([("result", result), ("error", Json::Null), ("id", id)])
            }
            Message::Error { error, id } => Json::object([("error", error), ("id", id)]),
        }
    }

    /// Appends the compact wire text of [`Message::to_json`] to `out`, without building
    /// the message object.
    pub fn write_compact(&self, out: &mut String) {
        // Members in name order, as the object form prints them.
        match self {
            Message::Request { method, params, id } => {
                out.push_str("{\"id\":");
                id.append_compact(out);
                out.push_str(",\"method\":");
                crate::print::write_string(method, out);
                out.push_str(",\"params\":");
                write_array(params, out);
                out.push('}');
            }
            Message::Notify { method, params } => {
                out.push_str("{\"id\":null,\"method\":");
                crate::print::write_string(method, out);
                out.push_str(",\"params\":");
                write_array(params, out);
                out.push('}');
            }
            Message::Reply { result, id } => {
                out.push_str("{\"error\":null,\"id\":");
                id.append_compact(out);
                out.push_str(",\"result\":");
                result.append_compact(out);
                out.push('}');
            }
            Message::Error { error, id } => {
                out.push_str("{\"error\":");
                error.append_compact(out);
                out.push_str(",\"id\":");
                id.append_compact(out);
                out.push('}');
            }
        }
    }

    /// The compact wire text.
    pub fn to_compact(&self) -> String {
        let mut out = String::new();
        self.write_compact(&mut out);
        out
    }

    /// The wire form.
    pub fn to_json(&self) -> Json {
        match self {
            Message::Request { method, params, id } => Json::object([
                ("method", Json::string(method.as_str())),
                ("params", Json::Array(params.clone())),
                ("id", id.clone()),
            ]),
            Message::Notify { method, params } => Json::object([
                ("method", Json::string(method.as_str())),
                ("params", Json::Array(params.clone())),
                ("id", Json::Null),
            ]),
            Message::Reply { result, id } => Json::object([
                ("result", result.clone()),
                ("error", Json::Null),
                ("id", id.clone()),
            ]),
            // The reference leaves "result" out of error replies.
            Message::Error { error, id } => {
                Json::object([("error", error.clone()), ("id", id.clone())])
            }
        }
    }
}

fn write_array(items: &[Json], out: &mut String) {
    out.push('[');
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        item.append_compact(out);
    }
    out.push(']');
}

/// What can go wrong on a connection.
#[derive(Debug)]
pub enum RpcError {
    Io(io::Error),
    /// The peer closed the connection (cleanly between messages, or in the middle of one).
    Closed {
        mid_message: bool,
    },
    Frame(FrameError),
    /// Well-formed JSON that is not a JSON-RPC message.
    Protocol(String),
    /// The peer answered a request with an error.
    Remote(Json),
}

impl std::fmt::Display for RpcError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RpcError::Io(e) => e.fmt(f),
            RpcError::Closed { mid_message: false } => f.write_str("connection closed by peer"),
            RpcError::Closed { mid_message: true } => {
                f.write_str("connection closed by peer in the middle of a message")
            }
            RpcError::Frame(e) => e.fmt(f),
            RpcError::Protocol(e) => f.write_str(e),
            RpcError::Remote(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for RpcError {}

impl From<io::Error> for RpcError {
    fn from(e: io::Error) -> RpcError {
        RpcError::Io(e)
    }
}

/// A blocking JSON-RPC connection over any byte stream.
pub struct Connection<S> {
    stream: S,
    framer: Framer,
    next_id: i64,
    /// Notifications that arrived while waiting for a reply.
    pending: std::collections::VecDeque<Message>,
}

impl<S: Read + Write> Connection<S> {
    pub fn new(stream: S) -> Connection<S> {
        Connection {
            stream,
            framer: Framer::new(DEFAULT_MAX_MESSAGE),
            next_id: 0,
            pending: Default::default(),
        }
    }

    pub fn get_ref(&self) -> &S {
        &self.stream
    }

    pub fn send(&mut self, msg: &Message) -> Result<(), RpcError> {
        let text = msg.to_compact();
        self.stream.write_all(text.as_bytes())?;
        self.stream.flush()?;
        Ok(())
    }

    /// The next message from the peer (queued notifications first).
    pub fn recv(&mut self) -> Result<Message, RpcError> {
        if let Some(m) = self.pending.pop_front() {
            return Ok(m);
        }
        self.recv_raw()
    }

    fn recv_raw(&mut self) -> Result<Message, RpcError> {
        let mut buf = [0u8; 64 * 1024];
        loop {
            if let Some(frame) = self.framer.next_message() {
                let json = frame.map_err(RpcError::Frame)?;
                return Message::from_json(json).map_err(RpcError::Protocol);
            }
            let n = match self.stream.read(&mut buf) {
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e.into()),
            };
            if n == 0 {
                return Err(RpcError::Closed {
                    mid_message: self.framer.has_partial(),
                });
            }
            self.framer.push(&buf[..n]);
        }
    }

    /// Sends a request and waits for its reply, answering echo requests and queueing
    /// notifications that arrive meanwhile.
    pub fn call(&mut self, method: &str, params: Vec<Json>) -> Result<Json, RpcError> {
        let id = Json::Integer(self.next_id);
        self.next_id += 1;
        self.send(&Message::request(method, params, id.clone()))?;
        loop {
            match self.recv_raw()? {
                Message::Reply { result, id: rid } if rid == id => return Ok(result),
                Message::Error { error, id: rid } if rid == id => {
                    return Err(RpcError::Remote(error))
                }
                Message::Request {
                    method,
                    params,
                    id: rid,
                } if method == "echo" => {
                    self.send(&Message::Reply {
                        result: Json::Array(params),
                        id: rid,
                    })?;
                }
                other => self.pending.push_back(other),
            }
        }
    }
}
