//! What every oxvs daemon (ovsdb-server, ovs-vswitchd) shares as a process, plus the
//! client side of the management channel that `ovs-appctl` uses.
//!
//! - [`vlog`]: Open vSwitch-style logging (modules, levels, console/syslog/file
//!   destinations, patterns, rate limits) and its `-v`/`--log-file` options, for
//!   daemons and command-line tools alike.
//! - [`dirs`]: the run, log, database and data directories and their environment
//!   overrides.
//! - [`Daemon`]: `--detach`, `--monitor`, `--pidfile`, `--no-chdir`: call
//!   [`Daemon::start`] first thing in `main` (before any thread or async runtime
//!   exists), set everything up, then call [`Daemon::ready`].
//! - [`pidfile`]: pidfiles locked with `fcntl` exactly like the reference, so an
//!   oxvs daemon and an Open vSwitch daemon refuse to run on the same pidfile.
//! - [`fatal_signal`]: SIGTERM/SIGINT/SIGHUP/SIGALRM log, remove the pidfile and
//!   control socket, then terminate with the signal.
//! - [`crash_signal`]: a SIGSEGV/SIGBUS sent with kill() kills the daemon (the
//!   Rust runtime's stack-overflow handler would otherwise swallow it), so
//!   `--monitor` restarts it.
//! - [`unixctl`]: the JSON-RPC control socket (`<rundir>/<program>.<pid>.ctl`),
//!   server and client.
//! - [`getopt`]: GNU `getopt_long` behaviour (abbreviations, error texts) for the
//!   command lines of all oxvs programs.
//!
//! Version text: programs report `<program> (Open vSwitch) 3.1.0`, the release whose
//! behaviour oxvs reproduces, because scripts such as `ovs-ctl` extract the version
//! with `awk '/Open vSwitch/{print $NF}'`. See [`version_line`].

pub mod crash_signal;
pub mod daemon;
pub mod dirs;
pub mod fatal_signal;
pub mod getopt;
pub mod pidfile;
pub mod process;
pub mod unixctl;
pub mod vlog;

pub mod util;

pub use daemon::{Daemon, DaemonOptions, UnixctlPath};

/// The Open vSwitch release whose interfaces oxvs reproduces; reported as the version
/// of every oxvs program.
pub const OVS_COMPAT_VERSION: &str = "3.1.0";

/// `<program> (Open vSwitch) 3.1.0`: what `--version` and the unixctl `version`
/// command print (without a trailing newline).
pub fn version_line(program: &str) -> String {
    format!("{program} (Open vSwitch) {OVS_COMPAT_VERSION}")
}
