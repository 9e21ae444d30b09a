//! Logging as the reference's ovs-ofctl sets it up: warnings and errors on the
//! console (`2026-11-21T03:22:01Z|00001|vconn|WARN|...`), `-v` for more.

use ovs_daemon::vlog::{self, Destination, Level, Module, LIBRARY_MODULES};

pub static OFCTL: Module = Module::new("ofctl");
pub static VCONN: Module = Module::new("vconn");
pub static STREAM: Module = Module::new("stream");
pub static OFP_ERRORS: Module = Module::new("ofp_errors");
pub static OFP_PORT: Module = Module::new("ofp_port");
pub static OFP_TABLE: Module = Module::new("ofp_table");
pub static OFP_GROUP: Module = Module::new("ofp_group");

/// Modules of the reference's ovs-ofctl beyond the shared library list, which
/// `-v` may name.
const PROGRAM_MODULES: &[&str] = &[
    "ofctl",
    "vconn",
    "vconn_stream",
    "rconn",
    "stream_unix",
    "stream_tcp",
    "stream_ssl",
    "stream_fd",
    "pcap",
];

/// Sets logging up (before options are parsed).
pub fn init() {
    vlog::init_tool("ovs-ofctl", LIBRARY_MODULES);
    for name in PROGRAM_MODULES {
        vlog::register_name(name);
    }
    for m in [
        &OFCTL,
        &VCONN,
        &STREAM,
        &OFP_ERRORS,
        &OFP_PORT,
        &OFP_TABLE,
        &OFP_GROUP,
    ] {
        m.register();
    }
    let _ = vlog::set_levels(None, Some(Destination::Console), Level::Warn);
}

pub fn vconn_dbg_enabled() -> bool {
    VCONN.is_enabled(Level::Dbg)
}

pub fn vconn_dbg(message: &str) {
    vlog::dbg!(VCONN, "{message}");
}

pub fn vconn_warn(message: &str) {
    vlog::warn!(VCONN, "{message}");
}

pub fn vconn_err(message: &str) {
    vlog::err!(VCONN, "{message}");
}

pub fn ofctl_dbg(message: &str) {
    vlog::dbg!(OFCTL, "{message}");
}

pub fn ofctl_warn(message: &str) {
    vlog::warn!(OFCTL, "{message}");
}

/// The warning the reference's stream layer gives for `tcp:`/`ssl:` names
/// without a port (once per process).
pub fn default_port_warning() {
    use std::sync::Once;
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        vlog::warn!(
            STREAM,
            "The default OpenFlow port number has changed from 6633 to 6653"
        );
    });
}

/// An error of the error encoder (`ofp_errors|ERR|...`).
pub fn errors_err(message: &str) {
    vlog::err!(OFP_ERRORS, "{message}");
}

/// A warning about a port argument (`ofp_port|WARN|...`).
pub fn port_warn(message: &str) {
    vlog::warn!(OFP_PORT, "{message}");
}

/// A warning about a table argument (`ofp_table|WARN|...`).
pub fn table_warn(message: &str) {
    vlog::warn!(OFP_TABLE, "{message}");
}

/// A warning about a group argument (`ofp_group|WARN|...`).
pub fn group_warn(message: &str) {
    vlog::warn!(OFP_GROUP, "{message}");
}
