//! The client's logging: `ovs_daemon::vlog` set up for a tool, with the module
//! names and default levels of the reference's ovsdb-client.
//!
//! `ovsdb-client` logs to stderr at INFO by default, so users see lines such as
//! `2026-11-21T01:57:01Z|00002|reconnect|INFO|unix:db.sock: connected`. Scripts
//! filter on these, so the layout (UTC time, 5-digit sequence number, module,
//! level) matches the reference.

use std::sync::Once;

use ovs_daemon::vlog::{self, LIBRARY_MODULES};
pub use ovs_daemon::vlog::{dbg, err, info, log_at, warn, Level, Module};

/// The modules of the reference's ovsdb-client beyond its libraries' (observed with
/// `ovs-appctl vlog/list`), which `-v` specs may name too.
const PROGRAM_MODULES: &[&str] = &["daemon", "daemon_unix", "ovsdb_client", "process"];

pub static FATAL_SIGNAL: Module = Module::new("fatal_signal");
pub static JSONRPC: Module = Module::new("jsonrpc");
pub static OVSDB_CLIENT: Module = Module::new("ovsdb_client");
pub static RECONNECT: Module = Module::new("reconnect");
pub static SOCKET_UTIL: Module = Module::new("socket_util");
pub static STREAM: Module = Module::new("stream");
pub static STREAM_TCP: Module = Module::new("stream_tcp");

/// Sets logging up, once per process (before the options are parsed): the modules
/// `-v` specs may name are the reference's, and every level starts at INFO (syslog's
/// numbers messages, nothing is sent: see `vlog::init_tool`).
pub fn init(program: &str) {
    static INIT: Once = Once::new();
    INIT.call_once(|| {
        vlog::init_tool(program, LIBRARY_MODULES);
        for name in PROGRAM_MODULES {
            vlog::register_name(name);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use ovs_daemon::vlog::Destination;

    // Texts observed from the real ovsdb-client 3.1. The only test in this crate
    // that touches the process-wide log levels.
    #[test]
    fn specs_name_the_reference_modules() {
        init("ovsdb-client");
        for spec in ["bogus", "daemon_unix_x", "memory"] {
            assert_eq!(
                vlog::set_verbosity(Some(spec)),
                Err(format!(
                    "processing \"{spec}\": no destination, level, or module \"{spec}\""
                ))
            );
        }
        assert_eq!(
            vlog::set_verbosity(Some("FACILITY")),
            Err("processing \"FACILITY\": invalid facility".into())
        );
        assert_eq!(vlog::set_verbosity(Some("jsonrpc:console:warn")), Ok(()));
        assert_eq!(JSONRPC.level(Destination::Console), Level::Warn);
        assert_eq!(RECONNECT.level(Destination::Console), Level::Info);
        assert_eq!(RECONNECT.level(Destination::Syslog), Level::Info);
        for spec in ["DAEMON_UNIX", "netdev_linux", "process", "raft:file:dbg"] {
            assert_eq!(vlog::set_verbosity(Some(spec)), Ok(()), "{spec}");
        }
    }
}
