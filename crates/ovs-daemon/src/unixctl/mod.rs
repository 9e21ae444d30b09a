//! The unixctl management channel: JSON-RPC 1.0 over a Unix socket, one request at
//! a time per connection, every parameter a string, every answer a text.
//!
//! - [`Server`]: what a daemon listens on (`<rundir>/<program>.<pid>.ctl` by default),
//!   with the built-in commands `list-commands`, `version` and `vlog/*`.
//! - [`Client`] and [`resolve_target`]: what `ovs-appctl` uses.
//!
//! Wire form, as the reference: request `{"id":N,"method":"cmd","params":["a"]}`;
//! success `{"id":N,"result":"text\n","error":null}`; failure
//! `{"id":N,"error":"text\n"}`. Non-empty texts always end in a newline.

mod client;
mod commands;
mod server;

pub use client::{resolve_target, Client, TargetError, TransactError};
pub use commands::{Commands, Reply, UNLIMITED};
pub use server::Server;
