//! Turning a SWITCH argument into an open connection, the way the reference
//! reads it: a connection method (`unix:PATH`, `tcp:HOST[:PORT]`, ...) when it
//! has a colon, else a socket file (relative to the run directory), a bridge
//! (`<rundir>/BRIDGE.mgmt`) or a `TYPE@BRIDGE` datapath name, in that order.

use crate::log;
use crate::vconn::{err_text, Vconn};
use crate::Fatal;
use openflow::VersionSet;
use ovs_stream::{Address, OPENFLOW_PORT};
use std::io;
use std::path::{Path, PathBuf};

/// Which of a bridge's sockets to use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Socket {
    /// `BRIDGE.mgmt`: the management connection.
    Mgmt,
    /// `BRIDGE.snoop`: a copy of the controller connections' traffic.
    Snoop,
}

impl Socket {
    fn suffix(self) -> &'static str {
        match self {
            Socket::Mgmt => "mgmt",
            Socket::Snoop => "snoop",
        }
    }
}

/// The errno text the reference gives for a name it cannot use as an active
/// connection method.
fn eafnosupport() -> io::Error {
    io::Error::from_raw_os_error(libc::EAFNOSUPPORT)
}

/// Whether a `tcp:`/`ssl:` name leaves the port out (the reference then warns
/// that the default changed).
fn lacks_port(rest: &str) -> bool {
    if let Some(inner) = rest.strip_prefix('[') {
        return !inner.contains("]:");
    }
    rest.matches(':').count() != 1
}

/// Connects to a connection method name ("connecting to NAME (...)" on failure).
fn connect_method(name: &str) -> io::Result<(String, ovs_stream::Stream)> {
    if let Some((method, rest)) = name.split_once(':') {
        if matches!(method, "tcp" | "ssl") && lacks_port(rest) {
            log::default_port_warning();
        }
    }
    let addr = Address::parse(name, OPENFLOW_PORT).map_err(|_| eafnosupport())?;
    let addr = addr.resolve_relative(&ovs_daemon::dirs::rundir());
    if let Address::Ssl(_) = addr {
        return Err(io::Error::new(
            io::ErrorKind::Unsupported,
            "SSL is not supported yet",
        ));
    }
    let stream = match ovs_stream::connect(&addr, None) {
        Ok(s) => s,
        Err(e) if matches!(addr, Address::Tcp(_)) => return Err(tcp_connect_failed(name, e)),
        Err(e) => return Err(e),
    };
    Ok((addr.to_string(), stream))
}

/// The reference connects without blocking: errors the kernel reports at once
/// (no route, no usable address) are also logged as `stream_tcp` errors, while
/// refusals and timeouts arrive later and only show in the fatal message. A host
/// name that does not resolve is EAFNOSUPPORT there.
fn tcp_connect_failed(name: &str, e: io::Error) -> io::Error {
    let e = if e.raw_os_error().is_none() {
        eafnosupport()
    } else {
        e
    };
    if matches!(
        e.raw_os_error(),
        Some(
            libc::ENETUNREACH
                | libc::EADDRNOTAVAIL
                | libc::EAFNOSUPPORT
                | libc::EACCES
                | libc::EPERM
                | libc::EINVAL
        )
    ) {
        log::stream_tcp_err(&format!("{name}: connect: {}", err_text(&e)));
    }
    e
}

/// Connects to the Unix socket `path`: Ok(None) if there is no such file, so
/// the caller can try the next interpretation.
fn connect_socket_file(
    shown: &str,
    path: &Path,
) -> Result<Option<(String, ovs_stream::Stream)>, Fatal> {
    let addr = Address::Unix(path.to_path_buf());
    match ovs_stream::connect(&addr, None) {
        Ok(s) => Ok(Some((addr.to_string(), s))),
        Err(e) if e.raw_os_error() == Some(libc::ENOENT) => Ok(None),
        Err(e) => Err(Fatal(format!(
            "{shown}: failed to open socket ({})",
            err_text(&e)
        ))),
    }
}

fn in_rundir(name: &str) -> PathBuf {
    let p = Path::new(name);
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        ovs_daemon::dirs::rundir().join(p)
    }
}

/// The bridge name of a `TYPE@NAME` datapath name (the name itself otherwise).
fn datapath_name(name: &str) -> &str {
    match name.split_once('@') {
        Some((_, n)) => n,
        None => name,
    }
}

/// Opens `name` and negotiates a version from `allowed`. Failures are fatal
/// with the reference's wording.
pub fn open(name: &str, socket: Socket, allowed: VersionSet) -> Result<Vconn, Fatal> {
    let (vconn_name, stream) = if name.contains(':') {
        connect_method(name)
            .map_err(|e| Fatal(format!("connecting to {name} ({})", err_text(&e))))?
    } else {
        let suffix = socket.suffix();
        let bridge_path = in_rundir(&format!("{name}.{suffix}"));
        let dp_path = in_rundir(&format!("{}.{suffix}", datapath_name(name)));
        let found = match connect_socket_file(name, &in_rundir(name))? {
            Some(c) => Some(c),
            None => match connect_socket_file(&bridge_path.to_string_lossy(), &bridge_path)? {
                Some(c) => Some(c),
                None => connect_socket_file(&dp_path.to_string_lossy(), &dp_path)?,
            },
        };
        found.ok_or_else(|| Fatal(format!("{name} is not a bridge or a socket")))?
    };
    log::ofctl_dbg(&format!("connecting to {vconn_name}"));
    let mut vconn = Vconn::negotiate(vconn_name, stream, allowed).map_err(|e| {
        Fatal(format!(
            "{name}: failed to connect to socket ({})",
            err_text(&e)
        ))
    })?;
    if socket == Socket::Snoop {
        vconn.set_recv_any_version();
    }
    Ok(vconn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_port_detection() {
        assert!(lacks_port("1.2.3.4"));
        assert!(!lacks_port("1.2.3.4:6653"));
        assert!(lacks_port("[::1]"));
        assert!(!lacks_port("[::1]:1"));
        assert!(lacks_port(""));
    }

    #[test]
    fn datapath_names() {
        assert_eq!(datapath_name("netdev@br0"), "br0");
        assert_eq!(datapath_name("br0"), "br0");
    }
}
