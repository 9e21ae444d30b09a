//! Logging as the reference's ovs-ofctl sets it up: warnings and errors on the
//! console (`2026-11-21T03:22:01Z|00001|vconn|WARN|...`), `-v` for more.

use ovs_daemon::vlog::{self, Destination, Level, Module, LIBRARY_MODULES};

pub static OFCTL: Module = Module::new("ofctl");
pub static VCONN: Module = Module::new("vconn");
pub static STREAM: Module = Module::new("stream");
pub static STREAM_TCP: Module = Module::new("stream_tcp");
pub static OFP_ERRORS: Module = Module::new("ofp_errors");
pub static OFP_PORT: Module = Module::new("ofp_port");
pub static OFP_TABLE: Module = Module::new("ofp_table");
pub static OFP_GROUP: Module = Module::new("ofp_group");

/// Modules the OpenFlow library reports under (see `openflow::warn`).
static OFP_MSGS: Module = Module::new("ofp_msgs");
static OFP_ACTIONS: Module = Module::new("ofp_actions");
static OFP_MATCH: Module = Module::new("ofp_match");
static OFP_FLOW: Module = Module::new("ofp_flow");
static NX_MATCH: Module = Module::new("nx_match");
static OFP_PACKET: Module = Module::new("ofp_packet");
static OFP_PROP: Module = Module::new("ofp_prop");
static OFP_METER: Module = Module::new("ofp_meter");
static OFP_MONITOR: Module = Module::new("ofp_monitor");
static OFP_BUNDLE: Module = Module::new("ofp_bundle");
static OFP_QUEUE: Module = Module::new("ofp_queue");
static META_FLOW: Module = Module::new("meta_flow");
static OFP_OTHER: Module = Module::new("ofp_util");

/// The library's module names and ours, for routing its warnings.
fn library_module(name: &str) -> &'static Module {
    match name {
        "ofp_msgs" => &OFP_MSGS,
        "ofp_actions" => &OFP_ACTIONS,
        "ofp_match" => &OFP_MATCH,
        "ofp_flow" => &OFP_FLOW,
        "nx_match" => &NX_MATCH,
        "ofp_packet" => &OFP_PACKET,
        "ofp_prop" => &OFP_PROP,
        "ofp_meter" => &OFP_METER,
        "ofp_monitor" => &OFP_MONITOR,
        "ofp_bundle" => &OFP_BUNDLE,
        "ofp_queue" => &OFP_QUEUE,
        "ofp_table" => &OFP_TABLE,
        "ofp_port" => &OFP_PORT,
        "ofp_group" => &OFP_GROUP,
        "ofp_errors" => &OFP_ERRORS,
        "meta_flow" => &META_FLOW,
        _ => &OFP_OTHER,
    }
}

/// The sink installed into the OpenFlow library: its warnings become log lines
/// as the reference writes them. The reference's tool shows the library's INFO
/// lines ("normalization changed ofp_match", "... is deprecated") even under
/// `-vconsole:warn`, so INFO is let through to the console for these modules.
fn library_warning(w: &openflow::warn::Warning) {
    let m = library_module(w.module);
    let level = match w.level {
        openflow::warn::Level::Info => {
            if m.level(Destination::Console) < Level::Info
                && m.level(Destination::Console) != Level::Off
            {
                let _ = vlog::set_levels(Some(m.name()), Some(Destination::Console), Level::Info);
            }
            Level::Info
        }
        openflow::warn::Level::Warn => Level::Warn,
    };
    vlog::log(m, level, format_args!("{}", w.text));
}

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
        &STREAM_TCP,
        &OFP_ERRORS,
        &OFP_PORT,
        &OFP_TABLE,
        &OFP_GROUP,
    ] {
        m.register();
    }
    openflow::warn::set_sink(library_warning);
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

/// A TCP connect that failed at once (`stream_tcp|ERR|NAME: connect: ERROR`).
pub fn stream_tcp_err(message: &str) {
    vlog::err!(STREAM_TCP, "{message}");
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
