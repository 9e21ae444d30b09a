//! The order in which Open vSwitch walks its hash maps, for programs whose output
//! must line up with the reference's.
//!
//! The reference keeps JSON object members, schema tables and columns, and database
//! records' tables, rows and columns in string hash maps (`shash`, over `hmap`), and
//! prints several things in whatever order those maps iterate: `ovsdb-tool show-log`,
//! `ovsdb-client list-tables`/`list-columns`, monitor rows, some error texts. That
//! order is deterministic: it depends only on the names and on the order in which
//! they were inserted, which for a parsed object is the order of its text.
//!
//! - [`hash_string`]/[`hash_bytes`]: the reference's 32-bit string hash.
//! - [`hmap_order`], [`iteration_order`], [`name_order`]: a map's iteration order,
//!   simulated from its insertions.
//! - [`Shape`]: a JSON text's member order (which parsed [`ovs_json::Json`] values,
//!   kept sorted, lose), read back from the text; [`to_reference_string`] prints a
//!   value the way the reference prints what it parsed.

mod hash;
mod hmap;
mod shape;

pub use hash::{hash_bytes, hash_int, hash_string};
pub use hmap::{hmap_order, iteration_order, name_order};
pub use shape::{scan, scan_to_depth, to_reference_string, Shape};
