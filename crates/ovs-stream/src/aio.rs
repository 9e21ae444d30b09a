//! Tokio connections for the daemons: listen on passive connection methods
//! and accept, or connect out to active ones (`ovsdb-server --remote=tcp:`,
//! controllers, managers).

use crate::address::{Address, ListenAddress};
use crate::sockfile::{next_unix_peer_name, tcp_peer_name, SocketFile};
use crate::{socket, ssl};
use std::io::{self, IoSlice};
use std::net::SocketAddr;
use std::path::Path;
use std::pin::Pin;
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{tcp, unix, TcpListener, TcpSocket, TcpStream, UnixListener, UnixStream};

/// Connects to `addr`. Bound the wait with `tokio::time::timeout` if needed.
/// TCP connections get TCP_NODELAY and the default DSCP; `ssl:` fails with
/// `ErrorKind::Unsupported` ("SSL is not supported yet").
pub async fn connect(addr: &Address) -> io::Result<AsyncStream> {
    match addr {
        Address::Unix(path) => connect_unix(path).await.map(AsyncStream::Unix),
        Address::Tcp(target) => {
            let addrs = target.host.resolve_async(target.port).await?;
            connect_tcp(&addrs).await.map(AsyncStream::Tcp)
        }
        Address::Ssl(target) => ssl::connect_async(target).await,
    }
}

async fn connect_unix(path: &Path) -> io::Result<UnixStream> {
    if path.as_os_str().len() <= socket::MAX_SUN_PATH {
        return UnixStream::connect(path).await;
    }
    // A long path goes through /proc/self/fd, which is only valid while the
    // directory is open; the blocking helper handles that, on a thread where
    // blocking is allowed (a full listen queue makes a Unix connect wait).
    let path = path.to_path_buf();
    let stream = tokio::task::spawn_blocking(move || socket::connect_unix(&path, None))
        .await
        .map_err(io::Error::other)??;
    stream.set_nonblocking(true)?;
    UnixStream::from_std(stream)
}

async fn connect_tcp(addrs: &[SocketAddr]) -> io::Result<TcpStream> {
    let mut last_err = io::Error::new(io::ErrorKind::NotFound, "no addresses to connect to");
    for addr in addrs {
        let socket = socket::tcp_socket(addr)?;
        socket.set_nonblocking(true)?;
        let socket = TcpSocket::from_std_stream(socket.into());
        match socket.connect(*addr).await {
            Ok(stream) => {
                stream.set_nodelay(true)?;
                return Ok(stream);
            }
            Err(e) => last_err = e,
        }
    }
    Err(last_err)
}

/// A connected byte stream for tokio, whatever the transport. Use
/// [`AsyncStream::into_split`] (or `tokio::io::split`) to read and write from
/// different tasks.
#[derive(Debug)]
#[non_exhaustive]
pub enum AsyncStream {
    Unix(UnixStream),
    Tcp(TcpStream),
}

/// The reading half of an [`AsyncStream`].
#[derive(Debug)]
#[non_exhaustive]
pub enum ReadHalf {
    Unix(unix::OwnedReadHalf),
    Tcp(tcp::OwnedReadHalf),
}

/// The writing half of an [`AsyncStream`]. Dropping it shuts down writing.
#[derive(Debug)]
#[non_exhaustive]
pub enum WriteHalf {
    Unix(unix::OwnedWriteHalf),
    Tcp(tcp::OwnedWriteHalf),
}

impl AsyncStream {
    /// Splits into halves that can move to different tasks, without the lock
    /// that `tokio::io::split` needs.
    pub fn into_split(self) -> (ReadHalf, WriteHalf) {
        match self {
            AsyncStream::Unix(s) => {
                let (r, w) = s.into_split();
                (ReadHalf::Unix(r), WriteHalf::Unix(w))
            }
            AsyncStream::Tcp(s) => {
                let (r, w) = s.into_split();
                (ReadHalf::Tcp(r), WriteHalf::Tcp(w))
            }
        }
    }
}

/// Implements AsyncRead for an enum whose variants all do.
macro_rules! forward_read {
    ($ty:ident) => {
        impl AsyncRead for $ty {
            fn poll_read(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                buf: &mut ReadBuf<'_>,
            ) -> Poll<io::Result<()>> {
                match self.get_mut() {
                    $ty::Unix(s) => Pin::new(s).poll_read(cx, buf),
                    $ty::Tcp(s) => Pin::new(s).poll_read(cx, buf),
                }
            }
        }
    };
}

/// Implements AsyncWrite for an enum whose variants all do.
macro_rules! forward_write {
    ($ty:ident) => {
        impl AsyncWrite for $ty {
            fn poll_write(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                buf: &[u8],
            ) -> Poll<io::Result<usize>> {
                match self.get_mut() {
                    $ty::Unix(s) => Pin::new(s).poll_write(cx, buf),
                    $ty::Tcp(s) => Pin::new(s).poll_write(cx, buf),
                }
            }

            fn poll_write_vectored(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                bufs: &[IoSlice<'_>],
            ) -> Poll<io::Result<usize>> {
                match self.get_mut() {
                    $ty::Unix(s) => Pin::new(s).poll_write_vectored(cx, bufs),
                    $ty::Tcp(s) => Pin::new(s).poll_write_vectored(cx, bufs),
                }
            }

            fn is_write_vectored(&self) -> bool {
                match self {
                    $ty::Unix(s) => s.is_write_vectored(),
                    $ty::Tcp(s) => s.is_write_vectored(),
                }
            }

            fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
                match self.get_mut() {
                    $ty::Unix(s) => Pin::new(s).poll_flush(cx),
                    $ty::Tcp(s) => Pin::new(s).poll_flush(cx),
                }
            }

            fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
                match self.get_mut() {
                    $ty::Unix(s) => Pin::new(s).poll_shutdown(cx),
                    $ty::Tcp(s) => Pin::new(s).poll_shutdown(cx),
                }
            }
        }
    };
}

forward_read!(AsyncStream);
forward_write!(AsyncStream);
forward_read!(ReadHalf);
forward_write!(WriteHalf);

/// A tokio listener on a passive connection method. A `punix:` listener
/// removes its socket file when dropped (unless a newer server has replaced
/// it).
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
    /// Starts listening; must be called within a tokio runtime. `punix:`
    /// replaces a stale socket file first (never a file that is not a
    /// socket); `ptcp:` with port 0 takes any free port, see
    /// [`Listener::local_port`]. `pssl:` fails with `ErrorKind::Unsupported`.
    pub async fn bind(addr: &ListenAddress) -> io::Result<Listener> {
        let inner = match addr {
            ListenAddress::Unix(path) => {
                let (l, file) = socket::bind_unix(path)?;
                l.set_nonblocking(true)?;
                Inner::Unix(UnixListener::from_std(l)?, file)
            }
            ListenAddress::Tcp(on) => {
                let addrs = socket::listen_addrs_async(on).await?;
                let l = socket::bind_tcp(&addrs)?;
                l.set_nonblocking(true)?;
                Inner::Tcp(TcpListener::from_std(l)?)
            }
            ListenAddress::Ssl(on) => return ssl::bind_async(on).await,
        };
        Ok(Listener { inner })
    }

    /// Waits for a connection. Returns it with the name the reference gives
    /// such a peer in logs: `unix#N` or `tcp:IP:PORT`.
    pub async fn accept(&self) -> io::Result<(AsyncStream, String)> {
        match &self.inner {
            Inner::Unix(l, _) => {
                let (s, _) = l.accept().await?;
                Ok((AsyncStream::Unix(s), next_unix_peer_name()))
            }
            Inner::Tcp(l) => {
                let (s, peer) = l.accept().await?;
                s.set_nodelay(true)?;
                Ok((AsyncStream::Tcp(s), tcp_peer_name(peer)))
            }
        }
    }

    /// The TCP port actually bound (useful after `ptcp:0`, and for the
    /// Manager `bound_port` status key); `None` for Unix.
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
}
