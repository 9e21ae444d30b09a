//! Benchmarks an `ovsdb-server` against the real Open vSwitch one, side by side.
//!
//! The same workloads run against each server, each server in its own temporary
//! directory with a fresh `vswitch` database, and the figures are reported with their
//! ratio (ours / theirs). The library holds everything so the tests can run each
//! workload in a tiny size; `main.rs` is a thin shell over [`compare::run`] and
//! [`report`].
//!
//! Workloads (DESIGN.md section 5):
//! 1. single-row transactions per second from one client, no pipelining ([`single`]);
//! 2. bulk insert of Port + Interface rows, 2,500 ports per transaction ([`bulk`]);
//! 3. server RSS with ~100k rows loaded ([`rss`]);
//! 4. wall time of the real `ovs-vsctl show` with ~50k rows ([`show`]);
//! 5. latency from a commit to its `update2` at each of 100 monitoring clients
//!    ([`monitor`]).
//!
//! Nothing here asserts on timings: this is a benchmark, not a test.

pub mod bulk;
pub mod client;
pub mod compare;
pub mod monitor;
pub mod options;
pub mod report;
pub mod rss;
pub mod server;
pub mod show;
pub mod single;
