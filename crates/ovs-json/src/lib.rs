//! JSON as Open vSwitch reads and writes it, and JSON-RPC 1.0 over a byte stream.
//!
//! Everything in oxvs that speaks OVSDB or unixctl goes through this crate, so that
//! number handling, error texts, nesting limits and serialization match the reference.

pub mod framer;
pub mod parse;
pub mod print;
pub mod rpc;
mod value;

pub use framer::{FrameError, Framer};
pub use parse::{parse, parse_bytes, parse_bytes_lossy, parse_value, ParseError, MAX_DEPTH};
pub use print::format_real;
pub use value::{Json, Object};
