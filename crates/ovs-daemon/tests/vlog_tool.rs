//! vlog as a command-line tool sets it up ([`vlog::init_tool`]), in a process of its
//! own: only the tool's module names, messages that only syslog takes still numbered
//! (nothing is sent), a relative log file name kept as given.

use std::fs;
use std::path::{Path, PathBuf};

use ovs_daemon::vlog::{self, Destination, Level};
use testkit::RunDir;

static LOCKFILE: vlog::Module = vlog::Module::new("lockfile");

/// The sequence number, module, level and message of each default-pattern line.
fn lines(path: &Path) -> Vec<(String, String)> {
    fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(|l| {
            let parts: Vec<&str> = l.splitn(5, '|').collect();
            assert_eq!(parts.len(), 5, "{l}");
            (parts[1].to_string(), parts[4].to_string())
        })
        .collect()
}

#[test]
fn tool_logging() {
    let dir = RunDir::new("vlog_tool");
    vlog::init_tool("some-tool", &["lockfile", "vlog", "reconnect"]);
    vlog::set_levels(None, Some(Destination::Console), Level::Off).unwrap();

    // The tool's names and none of this crate's own.
    assert_eq!(vlog::module_names(), ["lockfile", "reconnect", "vlog"]);
    assert_eq!(
        vlog::set_verbosity(Some("daemon_unix")),
        Err("processing \"daemon_unix\": no destination, level, or module \"daemon_unix\"".into())
    );
    assert_eq!(vlog::program_name(), "some-tool");

    // The only test in this process, so changing directory disturbs no other.
    std::env::set_current_dir(dir.path()).unwrap();
    vlog::set_log_file(Some(Path::new("tool.log"))).unwrap();
    assert_eq!(vlog::log_file_name(), Some(PathBuf::from("tool.log")));

    vlog::set_levels_from_string("lockfile:syslog:dbg").unwrap();
    vlog::info!(LOCKFILE, "two");
    vlog::dbg!(LOCKFILE, "only syslog takes this: numbered, sent nowhere");
    vlog::info!(LOCKFILE, "four");
    vlog::set_levels_from_string("lockfile:syslog:off").unwrap();
    vlog::dbg!(LOCKFILE, "no level takes this: not numbered");
    vlog::info!(LOCKFILE, "five");
    assert_eq!(
        lines(&dir.file("tool.log")),
        [
            ("00001".into(), "opened log file tool.log".into()),
            ("00002".into(), "two".into()),
            ("00004".into(), "four".into()),
            ("00005".into(), "five".into()),
        ]
    );
}
