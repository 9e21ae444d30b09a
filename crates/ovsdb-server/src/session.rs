//! One client connection: bytes in, framed into messages for the engine; engine output
//! out, batched into as few writes as possible.
//!
//! Runs on the server's single-threaded runtime, so the engine is borrowed only between
//! awaits and never shared across threads.

use crate::server::{Output, Server};
use ovs_json::rpc::{Message, DEFAULT_MAX_MESSAGE};
use ovs_json::{Framer, Json};
use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::mpsc;

/// How a session ended, for the log.
#[derive(Debug)]
pub enum Ended {
    /// The peer closed the connection between messages.
    Closed,
    /// The peer closed the connection in the middle of a message.
    Truncated,
    /// The peer sent something that is not JSON-RPC.
    Protocol(String),
    /// Reading or writing failed.
    Io(std::io::Error),
    /// The peer stopped answering the inactivity probe.
    ProbeTimeout,
}

impl std::fmt::Display for Ended {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Ended::Closed => f.write_str("connection closed by peer"),
            Ended::Truncated => f.write_str("connection closed by peer in the middle of a message"),
            Ended::Protocol(e) => write!(f, "received bad JSON-RPC message: {e}"),
            Ended::Io(e) => write!(f, "{e}"),
            Ended::ProbeTimeout => f.write_str("no response to inactivity probe, disconnecting"),
        }
    }
}

/// Options for one session.
#[derive(Clone, Copy, Debug)]
pub struct SessionOptions {
    /// Send an echo after this much silence, disconnect after twice as much.
    pub probe: Option<Duration>,
    pub max_message: usize,
}

impl Default for SessionOptions {
    fn default() -> Self {
        SessionOptions {
            probe: None,
            max_message: DEFAULT_MAX_MESSAGE,
        }
    }
}

/// Serves one connection until it ends; the engine forgets the session afterwards.
pub async fn serve<S>(
    server: Rc<RefCell<Server>>,
    stream: S,
    opts: SessionOptions,
    after_request: Rc<dyn Fn()>,
) -> Ended
where
    S: AsyncRead + AsyncWrite + 'static,
{
    let (mut reader, writer) = tokio::io::split(stream);
    let (out_tx, out_rx) = mpsc::unbounded_channel::<Output>();
    let session = server.borrow_mut().open_session(out_tx.clone());
    let writer_task = tokio::task::spawn_local(write_loop(writer, out_rx));
    let ended = read_loop(&server, session, &mut reader, &out_tx, opts, &after_request).await;
    server.borrow_mut().close_session(session);
    drop(out_tx);
    // Let queued output (e.g. the reply to the last request) drain before closing.
    let _ = writer_task.await;
    ended
}

async fn read_loop<R: AsyncRead + Unpin>(
    server: &Rc<RefCell<Server>>,
    session: crate::locks::SessionId,
    reader: &mut R,
    out: &mpsc::UnboundedSender<Output>,
    opts: SessionOptions,
    after_request: &Rc<dyn Fn()>,
) -> Ended {
    let mut framer = Framer::new(opts.max_message);
    let mut buf = vec![0u8; 64 * 1024];
    let mut probed = false;
    loop {
        // Handle every complete message already buffered.
        while let Some(frame) = framer.next_message() {
            let json = match frame {
                Ok(j) => j,
                Err(e) => return Ended::Protocol(e.to_string()),
            };
            let msg = match Message::from_json(json) {
                Ok(m) => m,
                Err(e) => return Ended::Protocol(e),
            };
            // The only requests we send are inactivity probes; any other reply is a
            // protocol error, and the reference drops the connection for it.
            if let Message::Reply { id, .. } | Message::Error { id, .. } = &msg {
                if *id != Json::string("echo") {
                    return Ended::Protocol(format!("unexpected reply with id {id}"));
                }
            }
            server.borrow_mut().handle(session, msg);
            after_request();
        }
        let read = match opts.probe {
            None => reader.read(&mut buf).await,
            Some(interval) => match tokio::time::timeout(interval, reader.read(&mut buf)).await {
                Ok(r) => r,
                Err(_) if probed => return Ended::ProbeTimeout,
                Err(_) => {
                    probed = true;
                    let echo = Message::request("echo", vec![], Json::string("echo"));
                    let _ = out.send(Output::Text(echo.to_compact()));
                    continue;
                }
            },
        };
        match read {
            Ok(0) if framer.has_partial() => return Ended::Truncated,
            Ok(0) => return Ended::Closed,
            Ok(n) => {
                probed = false;
                framer.push(&buf[..n]);
            }
            Err(e) => return Ended::Io(e),
        }
    }
}

async fn write_loop<W: AsyncWrite + Unpin>(mut writer: W, mut rx: mpsc::UnboundedReceiver<Output>) {
    let mut batch: Vec<u8> = Vec::new();
    while let Some(first) = rx.recv().await {
        let next = rx.try_recv().ok();
        let written = match (first, next) {
            // A lone message (often a big reply) goes out without another copy.
            (Output::Text(text), None) => writer.write_all(text.as_bytes()).await,
            (first, next) => {
                // Coalesce whatever else is already queued into the same write.
                batch.clear();
                first.append_to(&mut batch);
                if let Some(o) = next {
                    o.append_to(&mut batch);
                }
                while batch.len() < 1 << 20 {
                    match rx.try_recv() {
                        Ok(o) => o.append_to(&mut batch),
                        Err(_) => break,
                    }
                }
                let written = writer.write_all(&batch).await;
                // Do not keep a large buffer for the rest of the session.
                if batch.capacity() > 1 << 16 {
                    batch = Vec::new();
                }
                written
            }
        };
        if written.is_err() {
            return;
        }
    }
    let _ = writer.shutdown().await;
}
