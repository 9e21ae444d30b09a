//! The seam where TLS for `ssl:` and `pssl:` plugs in. Today every entry point
//! fails with a clear "not supported" error; a later change adds rustls here
//! (and a TLS variant to the stream enums) without touching the callers, which
//! already route `Address::Ssl` / `ListenAddress::Ssl` through this module.

use crate::address::{HostPort, ListenOn};
use std::io;
use std::time::Duration;

/// The error every SSL entry point returns until TLS support exists.
pub(crate) fn not_supported(name: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::Unsupported,
        format!("{name}: SSL is not supported yet"),
    )
}

/// Connects to `ssl:HOST:PORT` (blocking).
pub(crate) fn connect(target: &HostPort, _timeout: Option<Duration>) -> io::Result<crate::Stream> {
    Err(not_supported(&format!("ssl:{target}")))
}

/// Listens on `pssl:PORT[:IP]` (blocking).
pub(crate) fn bind(on: &ListenOn) -> io::Result<crate::Listener> {
    Err(not_supported(&format!("pssl:{on}")))
}

/// Connects to `ssl:HOST:PORT` (tokio).
#[cfg(feature = "tokio")]
pub(crate) async fn connect_async(target: &HostPort) -> io::Result<crate::aio::AsyncStream> {
    Err(not_supported(&format!("ssl:{target}")))
}

/// Listens on `pssl:PORT[:IP]` (tokio).
#[cfg(feature = "tokio")]
pub(crate) async fn bind_async(on: &ListenOn) -> io::Result<crate::aio::Listener> {
    Err(not_supported(&format!("pssl:{on}")))
}
