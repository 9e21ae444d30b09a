//! Logging, set up as the reference's ovs-vsctl sets it up: console messages at
//! WARN and above (`2026-11-21T03:22:01Z|00002|vsctl|WARN|...` on stderr), syslog at
//! INFO. As a tool we send nothing to syslog, but messages syslog would take still
//! use a sequence number, so the numbers on the console match the reference's.

use ovs_daemon::vlog::{self, Destination, Level, Module, LIBRARY_MODULES};
use std::sync::atomic::{AtomicBool, Ordering};

/// Whether the messages of the command steps are dropped: while the driver runs
/// commands only to learn what they need fetched (see `driver`), whose run is
/// thrown away (logging would also use up sequence numbers the reference does not).
static QUIET: AtomicBool = AtomicBool::new(false);

/// Drops (`true`) or logs again (`false`) the messages below.
pub fn set_quiet(quiet: bool) {
    QUIET.store(quiet, Ordering::Relaxed);
}

fn quiet() -> bool {
    QUIET.load(Ordering::Relaxed)
}

pub static VSCTL: Module = Module::new("vsctl");
pub static DB_CTL_BASE: Module = Module::new("db_ctl_base");
pub static OVSDB_IDL: Module = Module::new("ovsdb_idl");

/// Modules of the reference's ovs-vsctl beyond its libraries', which `-v` may name.
const PROGRAM_MODULES: &[&str] = &["vsctl", "db_ctl_base", "ovsdb_idl", "ovsdb_cs"];

/// Sets logging up (before options are parsed).
pub fn init(program: &str) {
    vlog::init_tool(program, LIBRARY_MODULES);
    for name in PROGRAM_MODULES {
        vlog::register_name(name);
    }
    for m in [&VSCTL, &DB_CTL_BASE, &OVSDB_IDL] {
        m.register();
    }
    // Only warnings and errors reach the console unless -v says otherwise.
    let _ = vlog::set_levels(None, Some(Destination::Console), Level::Warn);
}

/// `--no-syslog`.
pub fn no_syslog() {
    let _ = vlog::set_levels(Some("vsctl"), Some(Destination::Syslog), Level::Warn);
}

/// A warning of the command framework (`db_ctl_base|WARN|...`).
pub fn ctl_warn(message: &str) {
    if quiet() {
        return;
    }
    vlog::warn!(DB_CTL_BASE, "{message}");
}

/// A warning of ovs-vsctl itself (`vsctl|WARN|...`).
pub fn vsctl_warn(message: &str) {
    if quiet() {
        return;
    }
    vlog::warn!(VSCTL, "{message}");
}

/// An error of ovs-vsctl itself (`vsctl|ERR|...`).
pub fn vsctl_err(message: &str) {
    if quiet() {
        return;
    }
    vlog::err!(VSCTL, "{message}");
}

/// A warning of the database client library (`ovsdb_idl|WARN|...`).
pub fn idl_warn(message: &str) {
    if quiet() {
        return;
    }
    vlog::warn!(OVSDB_IDL, "{message}");
}

/// Logs the command line, at INFO when the commands may change the database (the
/// reference's habit, which matters for the sequence numbers that follow).
pub fn called_as(args: &str, may_write: bool) {
    let level = if may_write { Level::Info } else { Level::Dbg };
    if VSCTL.is_enabled(level) {
        vlog::log(&VSCTL, level, format_args!("Called as {args}"));
    }
}
