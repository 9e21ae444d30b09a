//! Open vSwitch connection methods and connections, shared by OVSDB and
//! OpenFlow, clients and daemons.
//!
//! - [`Address`] (`unix:PATH`, `tcp:HOST[:PORT]`, `ssl:HOST[:PORT]`) and
//!   [`ListenAddress`] (`punix:PATH`, `ptcp:[PORT][:IP]`, `pssl:[PORT][:IP]`):
//!   parsing with the protocol's default port ([`OVSDB_PORT`],
//!   [`OPENFLOW_PORT`]), canonical `Display`, errors that say what to fix.
//! - [`connect`] / [`Stream`] / [`Listener`]: blocking sockets for the CLIs.
//! - [`aio`] (feature `tokio`, on by default): the same for the daemons.
//! - [`reconnect`]: the pure backoff / inactivity-probe state machine and the
//!   Manager/Controller `status` keys it yields.
//!
//! `ssl:` and `pssl:` parse, but connecting or listening fails with
//! `ErrorKind::Unsupported` until TLS support is added in the `ssl` module.

mod address;
#[cfg(feature = "tokio")]
pub mod aio;
mod blocking;
mod error;
mod host;
pub mod reconnect;
mod socket;
mod sockfile;
mod ssl;

pub use address::{
    Address, ConnectionMethod, HostPort, ListenAddress, ListenOn, OPENFLOW_PORT, OVSDB_PORT,
};
pub use blocking::{connect, Listener, Stream};
pub use error::{error_text, AddressError, MethodKind, Problem};
pub use host::Host;
pub use reconnect::Reconnect;
pub use socket::DSCP_DEFAULT;
