//! A blocking OpenFlow connection: framing (length from the 8-byte header),
//! the hello exchange with version negotiation, transaction ids, and the
//! request/reply patterns ovs-ofctl uses (a reply by xid, requests followed
//! by a barrier, multipart replies until the last one).
//!
//! Errors are `io::Error`s whose text ([`err_text`]) is what the reference
//! prints in parentheses: strerror for OS errors, "End of file" when the peer
//! closes, "Protocol error" (EPROTO) for a broken peer.

use crate::log;
use crate::proto_names::version_bits_text;
use openflow::{Version, VersionSet};
use ovs_stream::Stream;
use std::io::{self, Read, Write};
use std::sync::atomic::{AtomicU32, Ordering};

/// OFPT_HELLO, OFPT_ERROR, OFPT_ECHO_REQUEST, OFPT_ECHO_REPLY: the same in
/// every version.
pub const OFPT_HELLO: u8 = 0;
pub const OFPT_ERROR: u8 = 1;
pub const OFPT_ECHO_REQUEST: u8 = 2;
pub const OFPT_ECHO_REPLY: u8 = 3;

/// The hello element that carries the version bitmap.
const HELLO_ELEM_VERSIONBITMAP: u16 = 1;

static NEXT_XID: AtomicU32 = AtomicU32::new(1);

/// A fresh transaction id. One counter for the whole process, as in the
/// reference: a command that opens several connections keeps counting, and
/// the xids in its output show it.
pub fn alloc_xid() -> u32 {
    NEXT_XID.fetch_add(1, Ordering::Relaxed)
}

/// The 8-byte header of a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RawHeader {
    pub version: u8,
    pub msg_type: u8,
    pub length: u16,
    pub xid: u32,
}

impl RawHeader {
    /// The header of `msg`; None if it is shorter than a header.
    pub fn of(msg: &[u8]) -> Option<RawHeader> {
        let h: &[u8; 8] = msg.get(..8)?.try_into().ok()?;
        Some(RawHeader {
            version: h[0],
            msg_type: h[1],
            length: u16::from_be_bytes([h[2], h[3]]),
            xid: u32::from_be_bytes([h[4], h[5], h[6], h[7]]),
        })
    }
}

/// A message with just a header and `body`.
pub fn build(version: u8, msg_type: u8, xid: u32, body: &[u8]) -> Vec<u8> {
    let len = 8 + body.len();
    let mut m = Vec::with_capacity(len);
    m.push(version);
    m.push(msg_type);
    m.extend_from_slice(&(len.min(0xffff) as u16).to_be_bytes());
    m.extend_from_slice(&xid.to_be_bytes());
    m.extend_from_slice(body);
    m
}

/// The xid of a whole message (0 if it is too short to have one).
pub fn xid_of(msg: &[u8]) -> u32 {
    RawHeader::of(msg).map_or(0, |h| h.xid)
}

/// "End of file": the peer closed the connection.
pub fn eof() -> io::Error {
    io::Error::new(io::ErrorKind::UnexpectedEof, "End of file")
}

/// EPROTO: "Protocol error".
pub fn eproto() -> io::Error {
    io::Error::from_raw_os_error(libc::EPROTO)
}

/// The text the reference shows for an error, in parentheses after what failed.
pub fn err_text(e: &io::Error) -> String {
    ovs_stream::error_text(e)
}

/// The hello we send: our highest version in the header, and a version
/// bitmap unless we speak every version up to that one.
pub fn encode_hello(allowed: VersionSet, xid: u32) -> Vec<u8> {
    encode_hello_bits(allowed.0 & VersionSet::ALL.0, xid)
}

/// [`encode_hello`] for a raw bitmap (bit N = wire version N), which may
/// name versions this program does not know (`encode-hello 0x80`).
pub fn encode_hello_bits(bits: u32, xid: u32) -> Vec<u8> {
    let top = (1..32u8).rev().find(|i| bits & (1 << i) != 0).unwrap_or(1);
    // Contiguous from version 1 up means the header version says it all.
    let contiguous = ((bits >> 1) + 1).is_power_of_two();
    if contiguous {
        return build(top, OFPT_HELLO, xid, &[]);
    }
    let mut body = Vec::with_capacity(8);
    body.extend_from_slice(&HELLO_ELEM_VERSIONBITMAP.to_be_bytes());
    body.extend_from_slice(&8u16.to_be_bytes());
    body.extend_from_slice(&bits.to_be_bytes());
    build(top, OFPT_HELLO, xid, &body)
}

/// What a peer's hello says it speaks: a bitmap of versions (bit N = wire
/// version N), and whether it said so with a bitmap (else it is every version
/// up to the header's).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PeerVersions {
    pub bits: u32,
    pub from_bitmap: bool,
    pub header_version: u8,
}

impl PeerVersions {
    /// "version 0x04" or "version 0x06 and earlier", as negotiation logs it.
    pub fn text(&self) -> String {
        if self.from_bitmap {
            version_bits_text(self.bits)
        } else {
            format!("version 0x{:02x} and earlier", self.header_version)
        }
    }
}

/// Reads a hello's version bitmap; a hello without one (or with a malformed
/// element list, which the reference tolerates) means every version up to its
/// header's.
pub fn decode_hello(msg: &[u8]) -> PeerVersions {
    let header_version = msg.first().copied().unwrap_or(0);
    let up_to = if header_version >= 31 {
        !1
    } else {
        ((1u32 << (header_version + 1)) - 1) & !1
    };
    let mut rest = msg.get(8..).unwrap_or(&[]);
    while rest.len() >= 4 {
        let t = u16::from_be_bytes([rest[0], rest[1]]);
        let len = usize::from(u16::from_be_bytes([rest[2], rest[3]]));
        if len < 4 || len > rest.len() {
            break;
        }
        if t == HELLO_ELEM_VERSIONBITMAP && len >= 8 {
            let bits = u32::from_be_bytes([rest[4], rest[5], rest[6], rest[7]]) & !1;
            return PeerVersions {
                bits,
                from_bitmap: true,
                header_version,
            };
        }
        // Elements are padded to 8 bytes.
        let padded = len.div_ceil(8) * 8;
        rest = rest.get(padded..).unwrap_or(&[]);
    }
    PeerVersions {
        bits: up_to,
        from_bitmap: false,
        header_version,
    }
}

/// An open, negotiated OpenFlow connection.
pub struct Vconn {
    /// The name logs and messages use: "unix:/run/openvswitch/br0.mgmt".
    name: String,
    stream: Stream,
    version: Version,
    /// Bytes read but not yet returned as messages.
    rx: Vec<u8>,
    rx_start: usize,
    rx_end: usize,
    /// `snoop`: the switch forwards messages of every version unchanged.
    recv_any_version: bool,
}

impl Vconn {
    /// Sends our hello on a freshly connected `stream` and negotiates a
    /// version from the peer's. On failure, logs as the reference does and
    /// returns the error the reference reports.
    pub fn negotiate(name: String, stream: Stream, allowed: VersionSet) -> io::Result<Vconn> {
        let mut v = Vconn {
            name,
            stream,
            version: allowed.highest().unwrap_or(Version::Of10),
            // Twice the largest message, so a partial one always fits.
            rx: vec![0; 1 << 17],
            rx_start: 0,
            rx_end: 0,
            recv_any_version: false,
        };
        let hello = encode_hello(allowed, alloc_xid());
        v.send(hello)?;
        let msg = v.recv_raw()?;
        let h = RawHeader::of(&msg).ok_or_else(eproto)?;
        if h.msg_type != OFPT_HELLO {
            log::vconn_warn(&format!(
                "{}: received message while expecting hello: {}",
                v.name,
                crate::print::to_string(&msg, 1)
            ));
            return Err(eproto());
        }
        let peer = decode_hello(&msg);
        let ours = allowed.0 & VersionSet::ALL.0;
        let common = VersionSet(peer.bits & ours);
        match common.highest() {
            Some(version) => {
                log::vconn_dbg(&format!(
                    "{}: negotiated OpenFlow version 0x{:02x} (we support {}, peer supports {})",
                    v.name,
                    version.wire(),
                    version_bits_text(ours),
                    peer.text()
                ));
                v.version = version;
                Ok(v)
            }
            None => {
                log::vconn_warn(&format!(
                    "{}: version negotiation failed (we support {}, peer supports {})",
                    v.name,
                    version_bits_text(ours),
                    peer.text()
                ));
                // Tell the peer why (OFPET_HELLO_FAILED / OFPHFC_INCOMPATIBLE),
                // in the highest version it claims.
                let text = format!(
                    "We support {}, you support {}, no common versions.",
                    version_bits_text(ours),
                    peer.text()
                );
                let top = (0..32u8)
                    .rev()
                    .find(|i| peer.bits & (1u32 << i) != 0)
                    .unwrap_or(peer.header_version);
                let mut body = vec![0, 0, 0, 0];
                body.extend_from_slice(text.as_bytes());
                v.send(build(top, OFPT_ERROR, 0, &body))?;
                Err(eproto())
            }
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn version(&self) -> Version {
        self.version
    }

    /// Accept messages of any version (the snoop connection relays them all).
    pub fn set_recv_any_version(&mut self) {
        self.recv_any_version = true;
    }

    /// The underlying socket (for `poll` in `monitor`).
    pub fn stream(&self) -> &Stream {
        &self.stream
    }

    /// A second handle on the socket, for writing from another thread.
    pub fn clone_stream(&self) -> io::Result<Stream> {
        self.stream.try_clone()
    }

    /// Sends one whole message.
    pub fn send(&mut self, msg: Vec<u8>) -> io::Result<()> {
        if log::vconn_dbg_enabled() {
            log::vconn_dbg(&format!(
                "{}: sent (Success): {}",
                self.name,
                crate::print::to_string(&msg, 1)
            ));
        }
        self.stream.write_all(&msg)
    }

    /// Sends several messages with as few writes as possible.
    pub fn send_all(&mut self, msgs: &[Vec<u8>]) -> io::Result<()> {
        let total: usize = msgs.iter().map(Vec::len).sum();
        let mut buf = Vec::with_capacity(total);
        for m in msgs {
            if log::vconn_dbg_enabled() {
                log::vconn_dbg(&format!(
                    "{}: sent (Success): {}",
                    self.name,
                    crate::print::to_string(m, 1)
                ));
            }
            buf.extend_from_slice(m);
        }
        self.stream.write_all(&buf)
    }

    /// Sends `bytes`, whole messages back to back, in one write.
    pub fn send_bytes(&mut self, bytes: &[u8]) -> io::Result<()> {
        if log::vconn_dbg_enabled() {
            let mut rest = bytes;
            while let Some(h) = RawHeader::of(rest) {
                let len = usize::from(h.length.max(8)).min(rest.len());
                let (msg, tail) = rest.split_at(len);
                log::vconn_dbg(&format!(
                    "{}: sent (Success): {}",
                    self.name,
                    crate::print::to_string(msg, 1)
                ));
                rest = tail;
            }
        }
        self.stream.write_all(bytes)
    }

    /// Whether a whole message is already buffered (so `recv` will not block).
    pub fn has_buffered_message(&self) -> bool {
        let avail = &self.rx[self.rx_start..self.rx_end];
        RawHeader::of(avail).is_some_and(|h| avail.len() >= usize::from(h.length.max(8)))
    }

    /// Takes one whole message out of the buffer, if there is one.
    fn take_buffered(&mut self) -> io::Result<Option<Vec<u8>>> {
        let avail = &self.rx[self.rx_start..self.rx_end];
        let Some(h) = RawHeader::of(avail) else {
            return Ok(None);
        };
        let len = usize::from(h.length);
        if len < 8 {
            log::vconn_warn(&format!(
                "{}: received too-short ofp_header ({len} bytes)",
                self.name
            ));
            return Err(eproto());
        }
        if avail.len() < len {
            return Ok(None);
        }
        let msg = avail[..len].to_vec();
        self.rx_start += len;
        if log::vconn_dbg_enabled() {
            log::vconn_dbg(&format!(
                "{}: received: {}",
                self.name,
                crate::print::to_string(&msg, 1)
            ));
        }
        Ok(Some(msg))
    }

    /// Reads once from the socket into the buffer.
    fn fill(&mut self) -> io::Result<()> {
        // Make room for a whole maximum-size message after what is pending.
        if self.rx_start > 0 {
            self.rx.copy_within(self.rx_start..self.rx_end, 0);
            self.rx_end -= self.rx_start;
            self.rx_start = 0;
        }
        let n = loop {
            match self.stream.read(&mut self.rx[self.rx_end..]) {
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        };
        if n == 0 {
            return Err(eof());
        }
        self.rx_end += n;
        Ok(())
    }

    /// Reads one message, whatever its version.
    fn recv_raw(&mut self) -> io::Result<Vec<u8>> {
        loop {
            if let Some(msg) = self.take_buffered()? {
                return Ok(msg);
            }
            self.fill()?;
        }
    }

    /// [`Vconn::recv`] without blocking: None if no whole message is there.
    pub fn try_recv(&mut self) -> io::Result<Option<Vec<u8>>> {
        if !self.has_buffered_message() {
            self.stream.set_nonblocking(true)?;
            let r = self.fill();
            self.stream.set_nonblocking(false)?;
            match r {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(None),
                r => r?,
            }
            if !self.has_buffered_message() {
                return Ok(None);
            }
        }
        self.recv().map(Some)
    }

    /// Reads one message. A message in another version than the negotiated
    /// one (other than hello, error and echo) is refused with
    /// OFPBRC_BAD_VERSION and EPROTO, as the reference does.
    pub fn recv(&mut self) -> io::Result<Vec<u8>> {
        let msg = self.recv_raw()?;
        if self.recv_any_version {
            return Ok(msg);
        }
        let h = RawHeader::of(&msg).ok_or_else(eproto)?;
        if h.version != self.version.wire()
            && !matches!(
                h.msg_type,
                OFPT_HELLO | OFPT_ERROR | OFPT_ECHO_REQUEST | OFPT_ECHO_REPLY
            )
        {
            log::vconn_err(&format!(
                "{}: received OpenFlow version 0x{:02x} != expected {:02x}",
                self.name,
                h.version,
                self.version.wire()
            ));
            // OFPET_BAD_REQUEST / OFPBRC_BAD_VERSION, quoting the message.
            let mut body = vec![0, 1, 0, 0];
            body.extend_from_slice(&msg[..msg.len().min(64)]);
            if let Err(e) = self.send(build(h.version, OFPT_ERROR, h.xid, &body)) {
                log::vconn_warn(&format!(
                    "{}: failed to send version mismatch reply ({})",
                    self.name,
                    err_text(&e)
                ));
            }
            return Err(eproto());
        }
        Ok(msg)
    }

    /// Answers an echo request from the peer; true if `msg` was one.
    fn answer_echo(&mut self, msg: &[u8]) -> io::Result<bool> {
        match RawHeader::of(msg) {
            Some(h) if h.msg_type == OFPT_ECHO_REQUEST => {
                let body = msg.get(8..).unwrap_or(&[]);
                self.send(build(h.version, OFPT_ECHO_REPLY, h.xid, body))?;
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    /// Reads until a message with `xid` arrives; others are dropped (echo
    /// requests answered).
    pub fn recv_xid(&mut self, xid: u32) -> io::Result<Vec<u8>> {
        loop {
            let msg = self.recv()?;
            let got = xid_of(&msg);
            if got == xid {
                return Ok(msg);
            }
            if !self.answer_echo(&msg)? {
                log::vconn_dbg(&format!(
                    "{}: received reply with xid {got:08x} != expected {xid:08x}",
                    self.name
                ));
            }
        }
    }

    /// Sends `request` and returns the message that answers it (same xid).
    pub fn transact(&mut self, request: Vec<u8>) -> io::Result<Vec<u8>> {
        let xid = xid_of(&request);
        self.send(request)?;
        self.recv_xid(xid)
    }

    /// Sends each request followed by a barrier and waits for the barrier
    /// reply before the next one. Returns the first message answering a
    /// request (an error, normally): the requests after it are not sent.
    pub fn transact_noreply(&mut self, requests: Vec<Vec<u8>>) -> io::Result<Option<Vec<u8>>> {
        for request in requests {
            let request_xid = xid_of(&request);
            let barrier = self.barrier_request();
            let barrier_xid = xid_of(&barrier);
            self.send_all(&[request, barrier])?;
            let mut reply: Option<Vec<u8>> = None;
            loop {
                let msg = self.recv()?;
                let xid = xid_of(&msg);
                if xid == request_xid {
                    if reply.is_some() {
                        log::vconn_warn(&format!(
                            "{}: duplicate replies with xid {xid:08x}",
                            self.name
                        ));
                    }
                    reply = Some(msg);
                } else if xid == barrier_xid {
                    break;
                } else if !self.answer_echo(&msg)? {
                    log::vconn_dbg(&format!(
                        "{}: reply with xid {xid:08x} != expected {request_xid:08x} or {barrier_xid:08x}",
                        self.name
                    ));
                }
            }
            if reply.is_some() {
                return Ok(reply);
            }
        }
        Ok(None)
    }

    /// [`Vconn::transact_noreply`] for many requests, keeping up to `window`
    /// of them (each followed by its barrier) in flight instead of waiting
    /// for every barrier reply before sending the next request. `next`
    /// builds the requests in order (each takes its xid when built, then its
    /// barrier takes the next, as in the lockstep form). Returns the first
    /// reply to a request; nothing more is sent after it, but requests
    /// already in flight behind it still reach the switch.
    pub fn transact_noreply_pipelined(
        &mut self,
        mut next: impl FnMut() -> Option<Vec<u8>>,
        window: usize,
    ) -> io::Result<Option<Vec<u8>>> {
        let mut in_flight: std::collections::VecDeque<(u32, u32)> = Default::default();
        let mut exhausted = false;
        loop {
            if !exhausted && in_flight.len() < window.max(1) {
                let mut batch = Vec::new();
                while in_flight.len() < window.max(1) {
                    let Some(request) = next() else {
                        exhausted = true;
                        break;
                    };
                    let barrier = self.barrier_request();
                    in_flight.push_back((xid_of(&request), xid_of(&barrier)));
                    batch.push(request);
                    batch.push(barrier);
                }
                if !batch.is_empty() {
                    self.send_all(&batch)?;
                }
            }
            let Some(&(request_xid, barrier_xid)) = in_flight.front() else {
                return Ok(None);
            };
            let msg = self.recv()?;
            let xid = xid_of(&msg);
            if xid == request_xid {
                // The switch handles requests in order, so this is the
                // first failure; its barrier reply follows.
                loop {
                    let m = self.recv()?;
                    if xid_of(&m) == barrier_xid {
                        return Ok(Some(msg));
                    }
                    self.answer_echo(&m)?;
                }
            } else if xid == barrier_xid {
                in_flight.pop_front();
            } else if !self.answer_echo(&msg)? {
                log::vconn_dbg(&format!(
                    "{}: reply with xid {xid:08x} != expected {request_xid:08x} or {barrier_xid:08x}",
                    self.name
                ));
            }
        }
    }

    /// A barrier request in this connection's version, with a fresh xid.
    pub fn barrier_request(&self) -> Vec<u8> {
        // OFPT_BARRIER_REQUEST is 18 in OpenFlow 1.0 and 20 later.
        let t = if self.version == Version::Of10 {
            18
        } else {
            20
        };
        build(self.version.wire(), t, alloc_xid(), &[])
    }

    /// Sends a multipart (stats) request and collects every reply with its
    /// xid until one without the "more" flag, or an error. `on_reply` sees
    /// each reply as it arrives.
    pub fn dump_multipart(
        &mut self,
        request: Vec<u8>,
        mut on_reply: impl FnMut(&[u8]) -> Result<(), crate::Fatal>,
    ) -> Result<(), crate::Fatal> {
        let xid = xid_of(&request);
        self.send(request)
            .map_err(|e| crate::Fatal::io("failed to send packet to switch", &e))?;
        loop {
            let msg = self
                .recv()
                .map_err(|e| crate::Fatal::io("OpenFlow packet receive failed", &e))?;
            if xid_of(&msg) != xid {
                if !self.answer_echo(&msg).unwrap_or(false) {
                    log::vconn_dbg(&format!(
                        "received reply with xid {:08x} != expected {xid:08x}",
                        xid_of(&msg)
                    ));
                }
                continue;
            }
            on_reply(&msg)?;
            if !crate::raw::multipart_more(&msg) {
                return Ok(());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hello_has_a_bitmap_only_when_needed() {
        let of10 = VersionSet::single(Version::Of10);
        assert_eq!(encode_hello(of10, 1), build(1, 0, 1, &[]));
        assert_eq!(encode_hello(VersionSet::ALL, 1), build(6, 0, 1, &[]));
        let of13 = VersionSet::single(Version::Of13);
        assert_eq!(
            encode_hello(of13, 1),
            build(4, 0, 1, &[0, 1, 0, 8, 0, 0, 0, 0x10])
        );
    }

    #[test]
    fn peer_hellos() {
        let p = decode_hello(&build(6, 0, 9, &[]));
        assert_eq!(p.bits, 0x7e);
        assert_eq!(p.text(), "version 0x06 and earlier");
        let p = decode_hello(&build(4, 0, 9, &[0, 1, 0, 8, 0, 0, 0, 0x12]));
        assert_eq!(p.bits, 0x12);
        assert_eq!(p.text(), "versions 0x01, 0x04");
        // A truncated element list falls back to the header version.
        let p = decode_hello(&build(4, 0, 9, &[0, 1, 0, 80, 0]));
        assert!(!p.from_bitmap);
    }

    /// Reads one whole message from a raw socket (for the fake switches).
    fn read_msg(s: &mut std::os::unix::net::UnixStream) -> Option<Vec<u8>> {
        let mut h = [0u8; 8];
        s.read_exact(&mut h).ok()?;
        let len = usize::from(u16::from_be_bytes([h[2], h[3]]));
        let mut m = h.to_vec();
        m.resize(len, 0);
        s.read_exact(&mut m[8..]).ok()?;
        Some(m)
    }

    /// A connected pair: our side negotiated at OpenFlow 1.0 with a fake
    /// switch running `switch` on the other end.
    fn fake_switch(
        switch: impl FnOnce(std::os::unix::net::UnixStream) + Send + 'static,
    ) -> (Vconn, std::thread::JoinHandle<()>) {
        let (ours, mut theirs) = std::os::unix::net::UnixStream::pair().unwrap();
        let t = std::thread::spawn(move || {
            read_msg(&mut theirs).unwrap();
            theirs.write_all(&build(6, OFPT_HELLO, 1, &[])).unwrap();
            switch(theirs);
        });
        let v = Vconn::negotiate(
            "test".into(),
            Stream::Unix(ours),
            VersionSet::single(Version::Of10),
        )
        .unwrap();
        (v, t)
    }

    #[test]
    fn negotiation_picks_the_common_version() {
        let (v, t) = fake_switch(|_| {});
        assert_eq!(v.version(), Version::Of10);
        t.join().unwrap();
    }

    #[test]
    fn pipelined_requests_stop_at_the_first_error() {
        // The switch answers every barrier, and the third request with an error.
        let (mut v, t) = fake_switch(|mut s| {
            let mut n = 0;
            while let Some(m) = read_msg(&mut s) {
                let h = RawHeader::of(&m).unwrap();
                // Once the client has its answer it hangs up: writes may fail.
                let answer = if h.msg_type == 18 {
                    s.write_all(&build(1, 19, h.xid, &[]))
                } else {
                    n += 1;
                    if n == 3 {
                        s.write_all(&build(1, OFPT_ERROR, h.xid, &[0, 1, 0, 6]))
                    } else {
                        Ok(())
                    }
                };
                if answer.is_err() {
                    break;
                }
            }
        });
        let mut sent = 0;
        let reply = v
            .transact_noreply_pipelined(
                || {
                    sent += 1;
                    (sent <= 100).then(|| build(1, 14, alloc_xid(), &[]))
                },
                4,
            )
            .unwrap();
        let reply = reply.expect("the error reply");
        assert_eq!(RawHeader::of(&reply).unwrap().msg_type, OFPT_ERROR);
        // At most a window's worth was built past the failing request.
        assert!(sent <= 3 + 4, "built {sent} requests");
        drop(v);
        t.join().unwrap();
    }

    #[test]
    fn transactions_skip_other_replies_and_answer_echoes() {
        let (mut v, t) = fake_switch(|mut s| {
            let m = read_msg(&mut s).unwrap();
            let xid = RawHeader::of(&m).unwrap().xid;
            s.write_all(&build(1, OFPT_ECHO_REQUEST, 77, b"hi"))
                .unwrap();
            s.write_all(&build(1, 3, xid.wrapping_add(100), &[]))
                .unwrap();
            let echo = read_msg(&mut s).unwrap();
            assert_eq!(echo, build(1, OFPT_ECHO_REPLY, 77, b"hi"));
            s.write_all(&build(1, 6, xid, b"features")).unwrap();
        });
        let reply = v.transact(build(1, 5, 42, &[])).unwrap();
        assert_eq!(reply, build(1, 6, 42, b"features"));
        t.join().unwrap();
    }
}
