//! The IDL: a client-side replica of an OVSDB database, kept in sync by monitoring, and
//! transactions against it with optimistic concurrency (verify).
//!
//! The core is free of I/O: [`protocol::Protocol`] turns server messages into replica
//! changes and requests to send, [`txn::Txn`] turns intended changes into a `transact`
//! request and interprets the reply. [`blocking::Idl`] drives both over a blocking
//! stream for command-line tools; a daemon can drive them from its own event loop.

pub mod blocking;
pub mod protocol;
pub mod replica;
pub mod txn;

pub use blocking::Idl;
pub use protocol::{Protocol, Selection};
pub use replica::Replica;
pub use txn::{Txn, TxnOutcome};
