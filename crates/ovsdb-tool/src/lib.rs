//! `ovsdb-tool`, the offline OVSDB database utility, as a drop-in replacement for Open
//! vSwitch's: same commands, options, defaults, output, error texts and exit codes.
//!
//! - [`cli`] scans the options (GNU `getopt_long` rules, `ovs_daemon::getopt`) and
//!   dispatches to a command through the table in [`commands`];
//! - [`dbfile`] reads and writes database files on top of the `ovsdb-log` and `ovsdb`
//!   crates, failing on any bad record as the reference tool does (a server would
//!   instead drop a torn tail);
//! - [`show_log`] prints a file's records, reproducing the reference's member order
//!   (`ovs_hash_order`) and dates ([`timefmt`]);
//! - [`vlog`] sets `ovs_daemon::vlog` up to accept the reference's `-v` specs and
//!   print its console log lines; [`paths`] gives the default files.
//!
//! Clustered (Raft) databases are recognised (`db-is-clustered`, `db-name`, `db-cid`,
//! `db-sid`, `db-local-address` read their header) but not otherwise supported.

pub mod cli;
pub mod commands;
pub mod dbfile;
pub mod paths;
pub mod show_log;
pub mod timefmt;
pub mod versions;
pub mod vlog;

/// The Open vSwitch release whose behaviour this tool reproduces; it is printed by
/// `--version` and written into compaction and conversion comments, as the reference
/// does with its own version.
pub const OVS_VERSION: &str = "3.1.0";

/// Runs the tool with `args` (including `argv[0]`) and returns the exit status.
pub fn main(args: Vec<std::ffi::OsString>) -> i32 {
    cli::run(args)
}
