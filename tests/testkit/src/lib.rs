//! Test helpers shared by oxvs integration tests (use as a dev-dependency).
//!
//! - [`RunDir`]: a private temporary directory per test, standing in for
//!   `OVS_RUNDIR`/`OVS_DBDIR`/`OVS_LOGDIR`/`OVS_SYSCONFDIR`.
//! - [`Daemon`]: a child process that is killed when the test ends, however
//!   it ends.
//! - [`wait_until`]: the only way tests wait: a bounded poll, never a fixed sleep.
//! - [`real_ovs`]: the Debian Open vSwitch 3.1 binaries, used as a test peer.
//! - [`RealSwitch`]: the real ovs-vswitchd in a private network namespace,
//!   an OpenFlow peer for `ovs-ofctl` tests.
//! - [`SwitchLab`]: ours or the real switch in a namespace with hosts (namespaces
//!   joined by veth pairs) around it, for tests and benchmarks with real traffic.
//! - [`oxvs_bin`] / [`ensure_built`]: our own binaries from the workspace.
//! - [`run()`], [`normalize_uuids`], [`normalize_dates`]: running tools and
//!   comparing their output.
//!
//! Use it from another crate's tests with, in that crate's `Cargo.toml`:
//! `[dev-dependencies] testkit = { path = "../testkit" }`. A typical
//! interop test:
//!
//! ```no_run
//! use std::path::Path;
//! use testkit::{ensure_built, oxvs_bin, real_ovs, run_ok, start_real_ovsdb_server, RunDir};
//!
//! ensure_built(&["ovsdb-client"]); // a binary of another package
//! let dir = RunDir::new("client_lists_real_servers_dbs");
//! let _server = start_real_ovsdb_server(
//!     &dir,
//!     &dir.conf_db(),
//!     Some(Path::new(real_ovs::VSWITCH_SCHEMA)),
//! );
//! let ours = run_ok(dir.command(oxvs_bin("ovsdb-client")).arg("list-dbs"));
//! let theirs = run_ok(dir.command(real_ovs::OVSDB_CLIENT).arg("list-dbs"));
//! assert_eq!(ours, theirs);
//! // _server is killed and dir removed when they go out of scope.
//! ```
//!
//! These helpers run only inside tests, so where the environment lets them
//! down (a directory cannot be created, a binary is missing) they panic with a
//! message that says what to do; a panic is how a test reports failure. Only
//! [`wait_until`] and the `try_` functions return errors, for tests that
//! expect the failure.

mod bins;
mod daemon;
mod normalize;
pub mod real_ovs;
pub mod real_switch;
mod run;
mod rundir;
pub mod switch_lab;
mod threads;
mod wait;

pub use bins::{ensure_built, oxvs_bin, target_dir, workspace_root};
pub use daemon::{Daemon, DaemonBuilder};
pub use normalize::{normalize_dates, normalize_uuids, without_load_warnings};
pub use real_ovs::{require_real_ovs, start_real_ovsdb_server, start_real_ovsdb_server_with};
pub use real_switch::RealSwitch;
pub use run::{run, run_ok, run_with_stdin, Output};
pub use rundir::RunDir;
pub use switch_lab::{Flavor, Host, HostOptions, SwitchLab};
pub use threads::thread_cpus;
pub use wait::{wait_until, DEFAULT_TIMEOUT};
