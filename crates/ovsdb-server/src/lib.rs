//! The OVSDB server: databases served over JSON-RPC to many sessions.
//!
//! [`server::Server`] is the protocol engine. It owns the databases, sessions' monitors,
//! locks and blocked transactions, and turns each request into replies and notifications
//! pushed to per-session outboxes, synchronously, so ordering rules (a monitor update
//! before the transact reply that caused it) hold by construction. The I/O layer only
//! moves bytes between sockets and those outboxes.

pub mod block_cache;
pub mod file_storage;
pub mod locks;
pub mod log;
pub mod monitor;
pub mod options;
pub mod remotes;
pub mod server;
pub mod server_db;
pub mod session;

#[cfg(test)]
mod server_tests;

#[cfg(test)]
mod monitor_tests;
