//! Blocking connections for the command-line tools (no tokio): connect to an
//! active connection method, or listen on a passive one and accept.

use crate::address::{Address, ListenAddress};
use crate::sockfile::{next_unix_peer_name, tcp_peer_name, SocketFile};
use crate::{socket, ssl};
use std::io::{self, IoSlice, IoSliceMut, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::Path;
use std::time::Duration;

/// Connects to `addr`. `timeout` bounds the connection attempt (over all of a
/// name's addresses); `None` waits as long as the OS does. Name resolution
/// itself is not bounded by `timeout`.
///
/// TCP connections get TCP_NODELAY and the default DSCP. `ssl:` fails with
/// `ErrorKind::Unsupported` ("SSL is not supported yet"). OS errors are passed
/// through unchanged, so [`crate::error_text`] gives the reference's
/// parenthesised text ("Connection refused").
pub fn connect(addr: &Address, timeout: Option<Duration>) -> io::Result<Stream> {
    match addr {
        Address::Unix(path) => socket::connect_unix(path, timeout).map(Stream::Unix),
        Address::Tcp(target) => {
            let addrs = target.host.resolve(target.port)?;
            socket::connect_tcp(&addrs, timeout).map(Stream::Tcp)
        }
        Address::Ssl(target) => ssl::connect(target, timeout),
    }
}

/// A connected byte stream, whatever the transport.
///
/// Reads and writes go straight to the socket; wrap it in a buffer (or
/// `ovs_json::rpc::Connection`) for message framing. `&Stream` also
/// implements `Read` and `Write`, so one thread can read while another writes.
/// (More variants, e.g. TLS, will be added.)
#[derive(Debug)]
#[non_exhaustive]
pub enum Stream {
    Unix(UnixStream),
    Tcp(TcpStream),
}

/// Forwards a call to whichever socket the stream holds.
macro_rules! each {
    ($self:expr, $s:ident => $e:expr) => {
        match $self {
            Stream::Unix($s) => $e,
            Stream::Tcp($s) => $e,
        }
    };
}

impl Stream {
    /// See [`std::net::TcpStream::set_read_timeout`]; `None` blocks forever.
    pub fn set_read_timeout(&self, t: Option<Duration>) -> io::Result<()> {
        each!(self, s => s.set_read_timeout(t))
    }

    /// See [`std::net::TcpStream::set_write_timeout`]; `None` blocks forever.
    pub fn set_write_timeout(&self, t: Option<Duration>) -> io::Result<()> {
        each!(self, s => s.set_write_timeout(t))
    }

    pub fn read_timeout(&self) -> io::Result<Option<Duration>> {
        each!(self, s => s.read_timeout())
    }

    pub fn write_timeout(&self) -> io::Result<Option<Duration>> {
        each!(self, s => s.write_timeout())
    }

    pub fn set_nonblocking(&self, nonblocking: bool) -> io::Result<()> {
        each!(self, s => s.set_nonblocking(nonblocking))
    }

    /// Shuts down reading, writing or both, e.g. to signal end of input.
    pub fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        each!(self, s => s.shutdown(how))
    }

    /// A second handle to the same connection.
    pub fn try_clone(&self) -> io::Result<Stream> {
        Ok(match self {
            Stream::Unix(s) => Stream::Unix(s.try_clone()?),
            Stream::Tcp(s) => Stream::Tcp(s.try_clone()?),
        })
    }

    /// Reads pending socket errors (SO_ERROR), clearing them.
    pub fn take_error(&self) -> io::Result<Option<io::Error>> {
        each!(self, s => s.take_error())
    }
}

impl Read for Stream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        each!(self, s => s.read(buf))
    }
    fn read_vectored(&mut self, bufs: &mut [IoSliceMut<'_>]) -> io::Result<usize> {
        each!(self, s => s.read_vectored(bufs))
    }
}

impl Write for Stream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        each!(self, s => s.write(buf))
    }
    fn write_vectored(&mut self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        each!(self, s => s.write_vectored(bufs))
    }
    fn flush(&mut self) -> io::Result<()> {
        each!(self, s => s.flush())
    }
}

impl Read for &Stream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match *self {
            Stream::Unix(s) => (&*s).read(buf),
            Stream::Tcp(s) => (&*s).read(buf),
        }
    }
}

impl Write for &Stream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match *self {
            Stream::Unix(s) => (&*s).write(buf),
            Stream::Tcp(s) => (&*s).write(buf),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl AsFd for Stream {
    fn as_fd(&self) -> BorrowedFd<'_> {
        each!(self, s => s.as_fd())
    }
}

impl AsRawFd for Stream {
    fn as_raw_fd(&self) -> RawFd {
        each!(self, s => s.as_raw_fd())
    }
}

impl From<UnixStream> for Stream {
    fn from(s: UnixStream) -> Stream {
        Stream::Unix(s)
    }
}

impl From<TcpStream> for Stream {
    fn from(s: TcpStream) -> Stream {
        Stream::Tcp(s)
    }
}

/// A blocking listener, for tools that wait for the server to connect to them
/// (`ovs-vsctl --db=ptcp:...`, `ovsdb-client ... punix:...`). A `punix:`
/// listener removes its socket file when dropped (unless a newer server has
/// replaced it).
#[derive(Debug)]
pub struct Listener {
    inner: Inner,
}

#[derive(Debug)]
enum Inner {
    Unix(UnixListener, SocketFile),
    Tcp(TcpListener),
}

impl Listener {
    /// Starts listening. `punix:` replaces a stale socket file first (but
    /// never a file that is not a socket); `ptcp:` with port 0 takes any free
    /// port, see [`Listener::local_port`]. `pssl:` fails with
    /// `ErrorKind::Unsupported`.
    pub fn bind(addr: &ListenAddress) -> io::Result<Listener> {
        let inner = match addr {
            ListenAddress::Unix(path) => {
                let (l, file) = socket::bind_unix(path)?;
                Inner::Unix(l, file)
            }
            ListenAddress::Tcp(on) => {
                let addrs = socket::listen_addrs(on)?;
                Inner::Tcp(socket::bind_tcp(&addrs)?)
            }
            ListenAddress::Ssl(on) => return ssl::bind(on),
        };
        Ok(Listener { inner })
    }

    /// Waits for a connection. Returns it with the name the reference gives
    /// such a peer in logs: `unix#N` or `tcp:IP:PORT`.
    pub fn accept(&self) -> io::Result<(Stream, String)> {
        match &self.inner {
            Inner::Unix(l, _) => {
                let (s, _) = l.accept()?;
                Ok((Stream::Unix(s), next_unix_peer_name()))
            }
            Inner::Tcp(l) => {
                let (s, peer) = l.accept()?;
                s.set_nodelay(true)?;
                Ok((Stream::Tcp(s), tcp_peer_name(peer)))
            }
        }
    }

    /// The TCP port actually bound (useful after `ptcp:0`); `None` for Unix.
    pub fn local_port(&self) -> Option<u16> {
        match &self.inner {
            Inner::Unix(..) => None,
            Inner::Tcp(l) => l.local_addr().ok().map(|a| a.port()),
        }
    }

    /// The socket file of a `punix:` listener.
    pub fn socket_path(&self) -> Option<&Path> {
        match &self.inner {
            Inner::Unix(_, file) => Some(file.path()),
            Inner::Tcp(_) => None,
        }
    }

    pub fn set_nonblocking(&self, nonblocking: bool) -> io::Result<()> {
        match &self.inner {
            Inner::Unix(l, _) => l.set_nonblocking(nonblocking),
            Inner::Tcp(l) => l.set_nonblocking(nonblocking),
        }
    }
}

impl AsRawFd for Listener {
    fn as_raw_fd(&self) -> RawFd {
        match &self.inner {
            Inner::Unix(l, _) => l.as_raw_fd(),
            Inner::Tcp(l) => l.as_raw_fd(),
        }
    }
}
