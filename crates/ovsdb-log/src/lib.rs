//! The OVSDB on-disk log: a file of checksummed JSON records, as `ovsdb(5)` describes it.
//!
//! This crate knows records, not schemas or tables; the `ovsdb` crate builds a database
//! on top of it. A record is two lines:
//!
//! ```text
//! OVSDB JSON <length> <sha1-hex>\n
//! <length bytes of JSON, the last of which is the LF ending the line>
//! ```
//!
//! where `<length>` and the SHA-1 both cover the JSON text *including* its trailing LF,
//! and records follow each other with nothing in between. We write compact JSON (so the
//! text is one line); we read any valid JSON text whose length and hash are right.
//!
//! - [`Log`] opens a file ([`OpenMode`]), reads its records in order, appends new ones
//!   and commits them (optionally durably). A torn or corrupt tail ends reading; a
//!   writable log cuts it off when the first new record is written.
//! - [`LogReplacer`] writes a complete new file beside the old one (`<db>.tmp`) and
//!   swaps it in atomically: this is how compaction works.
//! - [`lock`] holds the reference's lockfile (`.<db>.~lock~`, an fcntl write lock), so
//!   our processes and Open vSwitch's exclude each other from one database file.
//! - [`framing`] builds and parses the record headers, for programs that produce a
//!   database file's bytes without a [`Log`] (`ovsdb-client backup`).
//! - [`LogError`] formats every failure the way the reference words it, because
//!   operators and scripts read these texts in logs and tool output.
//!
//! Clustered (Raft) database files are recognised and refused: see [`FileType`].

mod error;
pub mod framing;
mod fsutil;
pub mod lock;
mod log;
mod replace;

pub use error::{ErrorKind, LockHolder, LogError};
pub use log::{
    identify, CorruptTail, FileType, Log, OpenMode, COMPACT_MIN_BYTES, COMPACT_MIN_RECORDS,
};
pub use replace::LogReplacer;
