//! How this crate makes sockets, shared by the blocking and tokio sides:
//! close-on-exec always (socket2 does it), the reference's default DSCP on
//! outgoing TCP connections, TCP_NODELAY on every TCP connection (OVSDB and
//! OpenFlow are request/response protocols where Nagle only adds latency),
//! SO_REUSEADDR on listeners so a restarted daemon can bind again at once,
//! and a detour for Unix socket paths too long for `sockaddr_un`.

use crate::address::ListenOn;
use crate::sockfile::{remove_stale, SocketFile};
use socket2::{Domain, Protocol, SockAddr, Socket, Type};
use std::io;
use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::os::fd::AsRawFd;
use std::os::unix::fs::OpenOptionsExt;
use std::os::unix::net::UnixListener;
use std::path::Path;
use std::time::{Duration, Instant};

/// The DSCP the reference puts on its TCP connections when none is
/// configured (Manager/Controller `other_config:dscp`).
pub const DSCP_DEFAULT: u8 = 48;

/// Listen queue length for passive sockets.
const BACKLOG: i32 = 128;

/// A TCP socket for `addr`'s family, for connecting out: with the default
/// DSCP, as the reference's clients send.
pub(crate) fn tcp_socket(addr: &SocketAddr) -> io::Result<Socket> {
    let socket = plain_tcp_socket(addr)?;
    set_dscp(&socket, addr, DSCP_DEFAULT)?;
    Ok(socket)
}

/// A TCP socket with no DSCP: the reference's `ptcp:` listeners leave it at
/// zero, and so do the connections they accept.
fn plain_tcp_socket(addr: &SocketAddr) -> io::Result<Socket> {
    Socket::new(
        Domain::for_address(*addr),
        Type::STREAM,
        Some(Protocol::TCP),
    )
}

fn set_dscp(socket: &Socket, addr: &SocketAddr, dscp: u8) -> io::Result<()> {
    // DSCP is the top six bits of the TOS / traffic class byte.
    let tos = u32::from(dscp) << 2;
    match addr {
        SocketAddr::V4(_) => socket.set_tos_v4(tos),
        SocketAddr::V6(_) => socket.set_tclass_v6(tos),
    }
}

/// Connects a blocking TCP socket to the first of `addrs` that answers,
/// within `timeout` overall.
pub(crate) fn connect_tcp(
    addrs: &[SocketAddr],
    timeout: Option<Duration>,
) -> io::Result<std::net::TcpStream> {
    let deadline = timeout.map(|t| Instant::now() + t);
    let mut last_err = io::Error::new(io::ErrorKind::NotFound, "no addresses to connect to");
    for addr in addrs {
        let socket = tcp_socket(addr)?;
        let result = match deadline {
            None => socket.connect(&SockAddr::from(*addr)),
            Some(deadline) => {
                let left = deadline.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    return Err(io::Error::from(io::ErrorKind::TimedOut));
                }
                socket.connect_timeout(&SockAddr::from(*addr), left)
            }
        };
        match result {
            Ok(()) => {
                socket.set_tcp_nodelay(true)?;
                return Ok(socket.into());
            }
            Err(e) => last_err = e,
        }
    }
    Err(last_err)
}

/// Longest path that fits in `sockaddr_un` (108 bytes with the NUL).
pub(crate) const MAX_SUN_PATH: usize = 107;

/// Runs `f` with a name for the socket file `path` that fits in
/// `sockaddr_un`. A longer path (deep run directories are common in CI) is
/// reached through `/proc/self/fd/N/NAME`, N being the directory opened for
/// the duration of the call, as the reference does.
pub(crate) fn with_short_path<T>(
    path: &Path,
    f: impl FnOnce(&Path) -> io::Result<T>,
) -> io::Result<T> {
    if path.as_os_str().len() <= MAX_SUN_PATH {
        return f(path);
    }
    let too_long = || {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{}: socket file name too long", path.display()),
        )
    };
    let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else {
        return Err(too_long());
    };
    let dir = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_PATH | libc::O_DIRECTORY)
        .open(if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        })?;
    let short = Path::new("/proc/self/fd")
        .join(dir.as_raw_fd().to_string())
        .join(name);
    if short.as_os_str().len() > MAX_SUN_PATH {
        return Err(too_long());
    }
    f(&short)
}

/// Connects a blocking Unix socket to `path`, within `timeout`.
pub(crate) fn connect_unix(
    path: &Path,
    timeout: Option<Duration>,
) -> io::Result<std::os::unix::net::UnixStream> {
    let socket = Socket::new(Domain::UNIX, Type::STREAM, None)?;
    with_short_path(path, |path| {
        let addr = SockAddr::unix(path)?;
        match timeout {
            None => socket.connect(&addr),
            Some(t) => socket.connect_timeout(&addr, t),
        }
    })?;
    Ok(std::os::unix::net::UnixStream::from(
        std::os::fd::OwnedFd::from(socket),
    ))
}

/// Where a `ptcp:` listener binds when no address is given: every IPv4
/// address, as in the reference.
fn unspecified(port: u16) -> SocketAddr {
    SocketAddr::new(Ipv4Addr::UNSPECIFIED.into(), port)
}

/// Binds a TCP listener to the first of `addrs` that works.
pub(crate) fn bind_tcp(addrs: &[SocketAddr]) -> io::Result<TcpListener> {
    let mut last_err = io::Error::new(io::ErrorKind::NotFound, "no addresses to listen on");
    for addr in addrs {
        let socket = plain_tcp_socket(addr)?;
        socket.set_reuse_address(true)?;
        match socket
            .bind(&SockAddr::from(*addr))
            .and_then(|()| socket.listen(BACKLOG))
        {
            Ok(()) => return Ok(socket.into()),
            Err(e) => last_err = e,
        }
    }
    Err(last_err)
}

/// The addresses a `ptcp:`/`pssl:` listener should try, resolving a name
/// with the blocking resolver.
pub(crate) fn listen_addrs(on: &ListenOn) -> io::Result<Vec<SocketAddr>> {
    match &on.host {
        None => Ok(vec![unspecified(on.port)]),
        Some(host) => host.resolve(on.port),
    }
}

/// Like [`listen_addrs`], without blocking the tokio runtime.
#[cfg(feature = "tokio")]
pub(crate) async fn listen_addrs_async(on: &ListenOn) -> io::Result<Vec<SocketAddr>> {
    match &on.host {
        None => Ok(vec![unspecified(on.port)]),
        Some(host) => host.resolve_async(on.port).await,
    }
}

/// Binds a Unix listener at `path`, first removing a stale socket file.
pub(crate) fn bind_unix(path: &Path) -> io::Result<(UnixListener, SocketFile)> {
    remove_stale(path)?;
    let listener = with_short_path(path, |p| UnixListener::bind(p))?;
    let file = SocketFile::created(path)?;
    Ok((listener, file))
}
