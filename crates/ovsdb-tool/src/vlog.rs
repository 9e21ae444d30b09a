//! The tool's logging: `ovs_daemon::vlog` set up for a tool, with the module names
//! and default levels of the reference's ovsdb-tool.
//!
//! `ovsdb-tool` logs little (in practice only the lock-holder warning), but scripts
//! pass `-v` options to every Open vSwitch program, so every spec the reference
//! accepts is accepted here, with the same error texts for the ones it refuses, and
//! the console line honours the levels and the `PATTERN` a spec sets. Syslog and log
//! files are not written.

use ovs_daemon::vlog::{self, Destination, Level, Module, LIBRARY_MODULES};

pub static LOCKFILE: Module = Module::new("lockfile");

/// Sets logging up (before the options are parsed): only the reference libraries'
/// modules may be named, as in the reference's ovsdb-tool, and the console takes
/// warnings and worse, as that tool sets it.
pub fn init(program: &str) {
    vlog::init_tool(program, LIBRARY_MODULES);
    // Cannot fail: it names no module.
    let _ = vlog::set_levels(None, Some(Destination::Console), Level::Warn);
}

#[cfg(test)]
mod tests {
    use super::*;

    // Texts observed from the real ovsdb-tool 3.1. The only test in this crate that
    // touches the process-wide log levels.
    #[test]
    fn specs_name_the_reference_modules() {
        init("ovsdb-tool");
        assert_eq!(LOCKFILE.level(Destination::Console), Level::Warn);
        assert_eq!(LOCKFILE.level(Destination::Syslog), Level::Info);
        for spec in ["foo", "daemon", "daemon_unix", "x y"] {
            let word = spec.split(' ').next().unwrap_or(spec);
            assert_eq!(
                vlog::set_verbosity(Some(spec)),
                Err(format!(
                    "processing \"{spec}\": no destination, level, or module \"{word}\""
                ))
            );
        }
        for (spec, error) in [
            ("vlog:util", "cannot specify multiple modules"),
            ("FACILITY::local0", "invalid facility"),
            ("PATTERN:foo:x", "unknown destination \"foo\""),
        ] {
            assert_eq!(
                vlog::set_verbosity(Some(spec)),
                Err(format!("processing \"{spec}\": {error}"))
            );
        }
        for spec in [
            "Vlog",
            "reconnect",
            "PATTERN:any:%m",
            "lockfile:console:err",
        ] {
            assert_eq!(vlog::set_verbosity(Some(spec)), Ok(()), "{spec}");
        }
        assert_eq!(LOCKFILE.level(Destination::Console), Level::Err);
    }
}
