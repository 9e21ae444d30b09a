//! Benchmarks `ovs-vsctl --no-wait add-port` side by side with the real Open vSwitch
//! client: the real client and ours, each against the real `ovsdb-server` and ours.
//!
//! Workloads (issue 5, DESIGN.md section 5):
//! 1. wall time per add-port around the 1st, 100th and 1,000th port on one bridge
//!    ([`growth`]);
//! 2. wall time per add-port with ~50,000 Port + Interface rows in the database
//!    ([`scale`]).
//!
//! The library holds everything so the tests can run each workload tiny; `main.rs` is
//! a thin shell over [`compare::run`] and [`report`]. Servers come from the OVSDB
//! benchmark (`ovsdb_bench::server`): same command line, fresh database from the real
//! `ovsdb-tool create`, own temporary directory. Nothing here asserts on timings:
//! this is a benchmark, not a test.

pub mod compare;
pub mod db;
pub mod growth;
pub mod invoke;
pub mod options;
pub mod report;
pub mod scale;
pub mod sides;
