//! One OpenFlow session over a connected stream: hello negotiation within
//! the allowed versions, then a loop that frames messages, hands them to
//! the switch under its lock and delivers what comes back; inactivity
//! probes for controllers. Runs on its own thread with blocking I/O and
//! returns when the peer goes away, the stream breaks or connmgr stops.

use std::io::{self, Read, Write};
use std::os::fd::AsRawFd;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use openflow::buf::Reader;
use openflow::msg::hello::{negotiate, Hello};
use openflow::msg::{self, Message, OFP_HEADER_LEN};
use openflow::protocol::Protocols;
use openflow::version::{Version, VersionSet};
use ovs_stream::Stream;

use super::Inner;
use crate::conn::ConnKind;
use crate::output::ConnId;

/// How long a peer has to send its hello.
const HELLO_TIMEOUT: Duration = Duration::from_secs(10);

/// OFPT_HELLO.
const OFPT_HELLO: u8 = 0;
/// OFPT_ECHO_REQUEST / REPLY.
const OFPT_ECHO_REQUEST: u8 = 2;
const OFPT_ECHO_REPLY: u8 = 3;

/// A connection's write side, shared by its reader thread and deliverers.
pub(crate) struct ConnWriter {
    pub(crate) stream: Arc<Stream>,
    lock: Mutex<()>,
}

impl ConnWriter {
    /// Writes one whole message; errors close the stream (the reader then
    /// sees the connection end).
    pub(crate) fn send(&self, msg: &[u8]) {
        let _g = self.lock.lock().unwrap_or_else(|e| e.into_inner());
        if (&*self.stream).write_all(msg).is_err() {
            let _ = self.stream.shutdown(std::net::Shutdown::Both);
        }
    }

    pub(crate) fn close(&self) {
        let _ = self.stream.shutdown(std::net::Shutdown::Both);
    }
}

/// How a session ended.
#[derive(Debug)]
pub(crate) enum End {
    /// The peer closed the connection (or connmgr is stopping).
    Closed,
    /// Negotiation failed or the peer sent something unframeable.
    Protocol(String),
    /// The peer stopped answering inactivity probes.
    Inactive,
    Io(io::Error),
}

impl End {
    pub(crate) fn text(&self) -> Option<String> {
        match self {
            End::Closed => None,
            End::Protocol(s) => Some(s.clone()),
            End::Inactive => Some("inactivity probe timeout".to_string()),
            End::Io(e) => Some(ovs_stream::error_text(e)),
        }
    }
}

/// Reads one message: Ok(None) on a clean end of stream; an error for a
/// header whose length cannot be a message.
fn read_msg(stream: &Stream) -> Result<Option<Vec<u8>>, End> {
    let mut hdr = [0u8; OFP_HEADER_LEN];
    let mut got = 0;
    while got < hdr.len() {
        match (&*stream).read(&mut hdr[got..]) {
            Ok(0) if got == 0 => return Ok(None),
            Ok(0) => return Err(End::Protocol("connection closed mid-message".into())),
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) if got > 0 && is_timeout(&e) => {}
            Err(e) => return Err(End::Io(e)),
        }
    }
    let len = usize::from(u16::from_be_bytes([hdr[2], hdr[3]]));
    if len < OFP_HEADER_LEN {
        return Err(End::Protocol(format!(
            "received too-short OpenFlow message ({len} bytes)"
        )));
    }
    let mut buf = vec![0u8; len];
    buf[..OFP_HEADER_LEN].copy_from_slice(&hdr);
    let mut at = OFP_HEADER_LEN;
    while at < len {
        match (&*stream).read(&mut buf[at..]) {
            Ok(0) => return Err(End::Protocol("connection closed mid-message".into())),
            Ok(n) => at += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) if is_timeout(&e) => {}
            Err(e) => return Err(End::Io(e)),
        }
    }
    Ok(Some(buf))
}

fn is_timeout(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

/// Runs a session on `stream` until it ends. `probe` is the inactivity
/// probe interval (None: no probes, for the mgmt socket); `peer` names the
/// connection in logs (a controller target; None: "unix#<id>").
pub(crate) fn run(
    inner: &Arc<Inner>,
    stream: Stream,
    kind: ConnKind,
    probe: Option<Duration>,
    peer: Option<&str>,
    on_connected: &dyn Fn(ConnId),
    stop: &dyn Fn() -> bool,
) -> End {
    let stream = Arc::new(stream);
    let allowed = inner.allowed_versions();
    let hello = Hello::new(allowed).encode_message(0);
    if let Err(e) = (&*stream).write_all(&hello) {
        return End::Io(e);
    }
    // Hello negotiation: the peer must say hello within HELLO_TIMEOUT;
    // short reads let a stopping connmgr give up sooner.
    let _ = stream.set_read_timeout(Some(Duration::from_millis(200)));
    let deadline = Instant::now() + HELLO_TIMEOUT;
    let first = loop {
        match read_msg(&stream) {
            Ok(Some(m)) => break m,
            Ok(None) => return End::Closed,
            Err(End::Io(e)) if is_timeout(&e) => {
                if stop() || inner.stopping() {
                    return End::Closed;
                }
                if Instant::now() >= deadline {
                    return End::Protocol("timed out waiting for hello".into());
                }
            }
            Err(e) => return e,
        }
    };
    let version = match negotiate_version(allowed, &first) {
        Ok(v) => v,
        Err((reply, text)) => {
            let _ = (&*stream).write_all(&reply);
            let _ = stream.shutdown(std::net::Shutdown::Both);
            return End::Protocol(text);
        }
    };
    let id = inner.next_conn_id.fetch_add(1, Ordering::Relaxed);
    let writer = Arc::new(ConnWriter {
        stream: stream.clone(),
        lock: Mutex::new(()),
    });
    inner.register(id, writer.clone(), kind, version);
    {
        let name = match peer {
            Some(p) => format!("{}<->{p}", inner.bridge),
            // Numbered from 0, as the reference numbers its unix connections.
            None => format!("{}<->unix#{}", inner.bridge, id.saturating_sub(1)),
        };
        let mut of = inner.ofproto.write().unwrap_or_else(|e| e.into_inner());
        of.set_conn_name(id, &name);
    }
    on_connected(id);
    let end = serve(inner, id, &stream, &writer, version, probe);
    inner.unregister(id);
    let _ = stream.shutdown(std::net::Shutdown::Both);
    end
}

/// The version both sides speak, or the error reply and log text.
fn negotiate_version(allowed: VersionSet, first: &[u8]) -> Result<Version, (Vec<u8>, String)> {
    let wire = first.first().copied().unwrap_or(0);
    if first.get(1) != Some(&OFPT_HELLO) {
        // Not a hello: take the message's version as the peer's only one.
        let theirs = Hello::new(VersionSet(1u32.checked_shl(u32::from(wire)).unwrap_or(0)));
        return negotiate(allowed, &theirs).map_err(|e| (e.reply(), e.text));
    }
    let mut r = Reader::new(first.get(OFP_HEADER_LEN..).unwrap_or_default());
    let theirs = Hello::decode(wire, &mut r);
    negotiate(allowed, &theirs).map_err(|e| (e.reply(), e.text))
}

/// How much one read asks for: a flow-mod and the barrier behind it, or
/// hundreds of pipelined requests, come in with one system call.
const RX_CHUNK: usize = 64 * 1024;

/// How long a connection that just received requests polls for the next
/// ones before it blocks (see [`RxBuffer::spin_fill`]).
const SPIN_BEFORE_BLOCKING: Duration = Duration::from_micros(200);

/// At most this many requests are handled under one acquisition of the
/// switch's write lock, so translation (read lock) never waits long.
const MAX_BATCH: usize = 64;

/// Received bytes not yet handled: whole messages are split off the
/// front. Allocated once per connection; never zero-filled again.
struct RxBuffer {
    data: Vec<u8>,
    /// `data[start..end]` is received and not yet handled.
    start: usize,
    end: usize,
}

impl RxBuffer {
    fn new() -> RxBuffer {
        RxBuffer {
            // A partial message (< 64 KiB) plus a whole chunk always fit.
            data: vec![0; 2 * RX_CHUNK],
            start: 0,
            end: 0,
        }
    }

    /// Free space for the next read (up to [`RX_CHUNK`] bytes), moving the
    /// unhandled bytes to the front first when the tail is short.
    fn room(&mut self) -> &mut [u8] {
        if self.data.len() - self.end < RX_CHUNK {
            self.data.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
        let to = (self.end + RX_CHUNK).min(self.data.len());
        self.data.get_mut(self.end..to).unwrap_or_default()
    }

    /// Reads what the stream has (one system call, up to [`RX_CHUNK`]).
    fn fill(&mut self, stream: &Stream) -> io::Result<usize> {
        let n = (&*stream).read(self.room())?;
        self.end += n;
        Ok(n)
    }

    /// Like [`RxBuffer::fill`] without blocking: `WouldBlock` when nothing
    /// has arrived.
    fn try_fill(&mut self, stream: &Stream) -> io::Result<usize> {
        let room = self.room();
        // SAFETY: `room` is a live, writable buffer of `room.len()` bytes
        // and the descriptor belongs to `stream` for the whole call.
        let n = unsafe {
            libc::recv(
                stream.as_raw_fd(),
                room.as_mut_ptr().cast(),
                room.len(),
                libc::MSG_DONTWAIT,
            )
        };
        let n = usize::try_from(n).map_err(|_| io::Error::last_os_error())?;
        self.end += n;
        Ok(n)
    }

    /// Waits up to `budget` for bytes by polling without blocking, so a peer
    /// that answers quickly (a client sending flow-mods one by one behind
    /// barriers) finds this thread awake instead of paying a wake-up for
    /// every message. Ok(None) when the budget ran out with nothing read.
    fn spin_fill(&mut self, stream: &Stream, budget: Duration) -> io::Result<Option<usize>> {
        let until = Instant::now() + budget;
        loop {
            match self.try_fill(stream) {
                Ok(n) => return Ok(Some(n)),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
            if Instant::now() >= until {
                return Ok(None);
            }
            std::hint::spin_loop();
        }
    }

    /// The next whole message, if one is buffered; an error for a header
    /// whose length cannot be a message.
    fn next_msg(&mut self) -> Result<Option<&[u8]>, End> {
        let rest = self.data.get(self.start..self.end).unwrap_or_default();
        let Some(len) = rest
            .get(2..4)
            .map(|b| usize::from(u16::from_be_bytes([b[0], b[1]])))
        else {
            return Ok(None);
        };
        if len < OFP_HEADER_LEN {
            return Err(End::Protocol(format!(
                "received too-short OpenFlow message ({len} bytes)"
            )));
        }
        if rest.len() < len {
            return Ok(None);
        }
        let at = self.start;
        self.start += len;
        if self.start == self.end {
            // Everything handled: the next read starts at the front (the
            // returned slice stays valid until then).
            self.start = 0;
            self.end = 0;
        }
        Ok(self.data.get(at..at + len))
    }

    fn is_empty(&self) -> bool {
        self.start >= self.end
    }
}

fn serve(
    inner: &Arc<Inner>,
    id: ConnId,
    stream: &Stream,
    writer: &ConnWriter,
    version: Version,
    probe: Option<Duration>,
) -> End {
    let _ = stream.set_read_timeout(probe.or(Some(Duration::from_millis(500))));
    let mut last_rx = Instant::now();
    let mut probed = false;
    let mut rx = RxBuffer::new();
    let mut outputs = Vec::new();
    // Whether the last read brought requests in: then the next read spins
    // for a moment before it blocks.
    let mut busy = false;
    loop {
        if inner.stopping() {
            return End::Closed;
        }
        let got = match busy {
            true => match rx.spin_fill(stream, SPIN_BEFORE_BLOCKING) {
                Ok(Some(n)) => Ok(n),
                Ok(None) => rx.fill(stream),
                Err(e) => Err(e),
            },
            false => rx.fill(stream),
        };
        busy = matches!(got, Ok(n) if n > 0);
        match got {
            Ok(0) if rx.is_empty() => return End::Closed,
            Ok(0) => return End::Protocol("connection closed mid-message".into()),
            Ok(_) => {
                last_rx = Instant::now();
                probed = false;
                // Every whole message received so far, in batches handled
                // under one lock acquisition each.
                loop {
                    let mut n = 0;
                    {
                        let mut of: Option<std::sync::RwLockWriteGuard<'_, crate::Ofproto>> = None;
                        while n < MAX_BATCH {
                            let m = match rx.next_msg() {
                                Ok(Some(m)) => m,
                                Ok(None) => break,
                                Err(e) => {
                                    drop(of);
                                    inner.deliver(std::mem::take(&mut outputs));
                                    return e;
                                }
                            };
                            n += 1;
                            match m.get(1) {
                                Some(&OFPT_ECHO_REPLY) if m.first() == Some(&version.wire()) => {
                                    continue
                                }
                                Some(&OFPT_HELLO) if m.first() == Some(&version.wire()) => continue,
                                _ => {}
                            }
                            let of = of.get_or_insert_with(|| {
                                inner.ofproto.write().unwrap_or_else(|e| e.into_inner())
                            });
                            outputs.extend(of.handle(id, m));
                        }
                    }
                    if !outputs.is_empty() {
                        inner.deliver(std::mem::take(&mut outputs));
                    }
                    if n < MAX_BATCH {
                        break;
                    }
                }
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) if is_timeout(&e) => {
                let Some(p) = probe else { continue };
                if last_rx.elapsed() < p {
                    continue;
                }
                if probed {
                    return End::Inactive;
                }
                let echo = msg::encode(
                    &Message::EchoRequest(Vec::new()),
                    Protocols::of_version(version)
                        .first()
                        .unwrap_or(Protocols::OF10_STD),
                    0,
                );
                debug_assert_eq!(echo.get(1), Some(&OFPT_ECHO_REQUEST));
                writer.send(&echo);
                probed = true;
                last_rx = Instant::now();
            }
            Err(e) => return End::Io(e),
        }
    }
}
