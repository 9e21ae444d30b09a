//! The `Open_vSwitch` database schema that `ovsdb-server` serves and `ovs-vswitchd` reads.
//!
//! The schema file `vswitch.ovsschema` sits next to this crate's manifest. It was written from
//! the documented schema (`ovs-vswitchd.conf.db(5)` for Open vSwitch 3.1, schema 8.3.1) so that
//! databases, clients and scripts made for Open vSwitch keep working against oxvs. The test
//! `tests/compare_with_debian.rs` holds it to the installed Open vSwitch's schema column by column.
//!
//! Two kinds of fact are not in the man page and were set from that comparison instead: which
//! columns are `ephemeral` (status and statistics that ovs-vswitchd rewrites; 31 columns) and
//! `SSL`'s `maxRows` of 1. Root tables follow from the documentation: `Open_vSwitch` (the single
//! top-level row), `QoS` and `Queue` (ovs-vsctl(8): unreferenced ones are not deleted) and
//! `Flow_Sample_Collector_Set` (no table references it).
//!
//! `cksum` follows the Open vSwitch build's convention: POSIX `cksum` of the file without its
//! `"cksum"` line (checked by a unit test), so edit the schema and the field together.

use std::path::PathBuf;

/// The schema text, exactly as shipped in `vswitch.ovsschema`.
pub const VSWITCH_SCHEMA: &str = include_str!("../vswitch.ovsschema");

/// The schema's `name`, which is also the database name clients ask for.
pub const SCHEMA_NAME: &str = "Open_vSwitch";

/// The schema's `version` (that of Open vSwitch 3.1).
pub const SCHEMA_VERSION: &str = "8.3.1";

/// Absolute path of `vswitch.ovsschema` in the source tree, for tools that take a schema file
/// (e.g. `ovsdb-tool create`) and for tests.
pub fn path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("vswitch.ovsschema")
}

#[cfg(test)]
mod tests;
