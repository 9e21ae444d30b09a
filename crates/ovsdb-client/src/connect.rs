//! Turning the SERVER argument into a connection, with the reference's messages.
//!
//! An active method (`unix:`, `tcp:`, `ssl:`) is connected to. Anything else is
//! tried as a passive method (`punix:`, `ptcp:`, `pssl:`): we listen, log
//! `waiting for connection...` and take the first peer, so a server can be pointed
//! at us with `ovsdb-server --remote=tcp:...`.

use crate::error::{Fatal, Result};
use crate::rpc::Rpc;
use crate::vlog;
use ovs_daemon::dirs::rundir;
use ovs_stream::{Address, ConnectionMethod, ListenAddress, Listener, Problem, OVSDB_PORT};
use std::io;

/// `unix:<rundir>/db.sock`.
pub fn default_remote() -> String {
    format!("unix:{}/db.sock", rundir().display())
}

/// Whether a command-line argument names a server rather than a database, table or
/// other operand: the reference's test is "starts with a letter and has a colon".
pub fn looks_like_server(arg: &str) -> bool {
    arg.chars().next().is_some_and(|c| c.is_ascii_alphabetic()) && arg.contains(':')
}

/// The errno the reference reports for a name no connection method accepts.
fn eafnosupport() -> io::Error {
    io::Error::from_raw_os_error(libc::EAFNOSUPPORT)
}

/// Connects to an active connection method only, as a reconnecting session does:
/// a name that is not one fails with EAFNOSUPPORT.
pub fn open_active(server: &str) -> io::Result<Rpc> {
    match Address::parse(server, OVSDB_PORT) {
        Ok(addr) => {
            let addr = addr.resolve_relative(&rundir());
            match ovs_stream::connect(&addr, None) {
                Ok(stream) => Ok(Rpc::new(Box::new(stream), server)),
                Err(e) if is_resolution_failure(&addr, &e) => Err(eafnosupport()),
                Err(e) => Err(e),
            }
        }
        Err(e) => match e.problem() {
            Problem::MissingPath { method } if method == "unix" => {
                let stream = ovs_stream::connect(&Address::Unix(rundir()), None)?;
                Ok(Rpc::new(Box::new(stream), server))
            }
            _ => Err(eafnosupport()),
        },
    }
}

/// Connects to (or waits for a connection from) `server`.
pub fn open(server: &str) -> Result<Rpc> {
    let rundir = rundir();
    match ConnectionMethod::parse(server, OVSDB_PORT) {
        Ok(ConnectionMethod::Active(addr)) => {
            warn_default_port(server, &addr);
            let addr = addr.resolve_relative(&rundir);
            match ovs_stream::connect(&addr, None) {
                Ok(stream) => Ok(Rpc::new(Box::new(stream), server)),
                Err(e) if is_resolution_failure(&addr, &e) => {
                    vlog::err!(
                        vlog::STREAM_TCP,
                        "{server}: connect: {}",
                        crate::error::os_text(&eafnosupport())
                    );
                    Err(Fatal::io(
                        format!("failed to connect or listen to \"{server}\""),
                        &eafnosupport(),
                    ))
                }
                Err(e) => Err(Fatal::io(format!("failed to connect to \"{server}\""), &e)),
            }
        }
        Ok(ConnectionMethod::Passive(listen)) => accept(server, &listen.resolve_relative(&rundir)),
        Err(e) => match e.problem() {
            // "unix:" names the run directory itself, which refuses connections.
            Problem::MissingPath { method } if method == "unix" => {
                let addr = Address::Unix(rundir.clone());
                match ovs_stream::connect(&addr, None) {
                    Ok(stream) => Ok(Rpc::new(Box::new(stream), server)),
                    Err(e) => Err(Fatal::io(format!("failed to connect to \"{server}\""), &e)),
                }
            }
            problem => {
                // The reference's TCP code reports a bad address before giving up.
                if let Some(("tcp", rest)) = server.split_once(':') {
                    if let Problem::BadPort { text, .. } = problem {
                        vlog::err!(vlog::SOCKET_UTIL, "{rest}: bad port number \"{text}\"");
                    }
                    vlog::err!(
                        vlog::STREAM_TCP,
                        "{server}: connect: {}",
                        crate::error::os_text(&eafnosupport())
                    );
                }
                Err(Fatal::io(
                    format!("failed to connect or listen to \"{server}\""),
                    &eafnosupport(),
                ))
            }
        },
    }
}

/// Host names that do not resolve make the reference give up on active methods.
fn is_resolution_failure(addr: &Address, e: &io::Error) -> bool {
    match addr {
        Address::Tcp(hp) | Address::Ssl(hp) => {
            matches!(hp.host, ovs_stream::Host::Name(_)) && e.raw_os_error().is_none()
        }
        Address::Unix(_) => false,
    }
}

/// The reference still warns that the default port changed long ago.
fn warn_default_port(server: &str, addr: &Address) {
    if matches!(addr, Address::Unix(_)) {
        return;
    }
    let rest = server.split_once(':').map_or("", |(_, r)| r);
    let has_port = match rest.strip_prefix('[') {
        Some(inner) => inner
            .split_once(']')
            .is_some_and(|(_, after)| after.starts_with(':')),
        None => rest.matches(':').count() == 1,
    };
    if !has_port {
        vlog::warn!(
            vlog::STREAM,
            "The default OVSDB port number has changed from 6632 to 6640"
        );
    }
}

fn accept(server: &str, listen: &ListenAddress) -> Result<Rpc> {
    let listener = Listener::bind(listen)
        .map_err(|e| Fatal::io(format!("failed to connect or listen to \"{server}\""), &e))?;
    vlog::info!(vlog::OVSDB_CLIENT, "{server}: waiting for connection...");
    let (stream, _) = listener
        .accept()
        .map_err(|e| Fatal::io(format!("failed to accept connection on \"{server}\""), &e))?;
    Ok(Rpc::new(Box::new(stream), server))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_arguments_are_recognised_like_the_reference() {
        assert!(looks_like_server("unix:/x"));
        assert!(looks_like_server("tcp:1.2.3.4:5"));
        assert!(looks_like_server("x:y"));
        assert!(!looks_like_server("1:2"));
        assert!(!looks_like_server("Open_vSwitch"));
        assert!(!looks_like_server("[\"a:b\"]"));
    }

    #[test]
    fn unknown_methods_fail_like_the_reference() {
        let err = open("x:y").err().map(|e| e.0);
        assert_eq!(
            err.as_deref(),
            Some(
                "failed to connect or listen to \"x:y\" (Address family not supported by protocol)"
            )
        );
    }
}
