//! Log messages on the console in the reference's format, with `-v`/`--verbose`
//! levels and `--log-file`.
//!
//! `ovsdb-client` logs to stderr at INFO by default, so users see lines such as
//! `2026-11-21T01:57:01Z|00002|reconnect|INFO|unix:db.sock: connected`. Scripts
//! filter on these, so the layout (UTC time, 5-digit sequence number, module,
//! level) matches the reference.

use std::fs::File;
use std::io::Write;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Mutex;
use std::time::SystemTime;

/// Severity, most severe first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Off,
    Emer,
    Err,
    Warn,
    Info,
    Dbg,
}

impl Level {
    fn from_name(s: &str) -> Option<Level> {
        Some(match s.to_ascii_lowercase().as_str() {
            "off" => Level::Off,
            "emer" => Level::Emer,
            "err" => Level::Err,
            "warn" => Level::Warn,
            "info" => Level::Info,
            "dbg" => Level::Dbg,
            _ => return None,
        })
    }

    fn label(self) -> &'static str {
        match self {
            Level::Off => "OFF",
            Level::Emer => "EMER",
            Level::Err => "ERR",
            Level::Warn => "WARN",
            Level::Info => "INFO",
            Level::Dbg => "DBG",
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Destination {
    Syslog,
    Console,
    File,
}

const DESTINATIONS: [Destination; 3] =
    [Destination::Syslog, Destination::Console, Destination::File];

impl Destination {
    fn from_name(s: &str) -> Option<Destination> {
        Some(match s.to_ascii_lowercase().as_str() {
            "syslog" => Destination::Syslog,
            "console" => Destination::Console,
            "file" => Destination::File,
            _ => return None,
        })
    }

    fn index(self) -> usize {
        match self {
            Destination::Syslog => 0,
            Destination::Console => 1,
            Destination::File => 2,
        }
    }
}

/// Modules a `-v` spec may name: those of the reference's libraries that a client
/// links, plus this program's own.
const MODULES: &[&str] = &[
    "backtrace",
    "bundle",
    "command_line",
    "coverage",
    "daemon",
    "daemon_unix",
    "dns_resolve",
    "entropy",
    "fatal_signal",
    "hmap",
    "jsonrpc",
    "lockfile",
    "memory",
    "netlink",
    "ovs_rcu",
    "ovs_replay",
    "ovs_thread",
    "ovsdb",
    "ovsdb_cs",
    "ovsdb_error",
    "ovsdb_file",
    "ovsdb_idl",
    "ovsdb_log",
    "ovsdb_client",
    "ovsdb_util",
    "poll_loop",
    "process",
    "raft",
    "raft_rpc",
    "reconnect",
    "sha1",
    "signals",
    "socket_util",
    "socket_util_unix",
    "storage",
    "stream",
    "stream_fd",
    "stream_replay",
    "stream_ssl",
    "stream_tcp",
    "stream_unix",
    "svec",
    "timeval",
    "transaction",
    "unixctl",
    "util",
    "uuid",
    "vlog",
];

struct State {
    /// Per module, per destination (syslog, console, file).
    levels: Vec<(&'static str, [Level; 3])>,
    log_file: Option<File>,
}

static SEQUENCE: AtomicU32 = AtomicU32::new(0);
static STATE: Mutex<Option<State>> = Mutex::new(None);

fn with_state<R>(f: impl FnOnce(&mut State) -> R) -> R {
    let mut guard = STATE.lock().unwrap_or_else(|e| e.into_inner());
    let state = guard.get_or_insert_with(|| State {
        // The reference's defaults: syslog ERR, console and file INFO.
        levels: MODULES
            .iter()
            .map(|m| (*m, [Level::Err, Level::Info, Level::Info]))
            .collect(),
        log_file: None,
    });
    f(state)
}

/// Applies a `-v`/`--verbose` argument (`None` for a bare `-v`). The error is the
/// text the reference prints after `processing "SPEC": `.
pub fn set_verbosity(spec: Option<&str>) -> Result<(), String> {
    let Some(spec) = spec else {
        set_levels(None, None, Level::Dbg);
        return Ok(());
    };
    let mut words = spec
        .split([' ', ',', ':', '\t'])
        .filter(|w| !w.is_empty())
        .peekable();
    match words.peek().map(|w| w.to_ascii_lowercase()) {
        Some(w) if w == "pattern" => {
            words.next();
            // Patterns change only the layout; we accept them and keep ours.
            match words.next() {
                None => Err("missing destination".into()),
                Some(d) if d.eq_ignore_ascii_case("any") || Destination::from_name(d).is_some() => {
                    Ok(())
                }
                Some(d) => Err(format!("unknown destination \"{d}\"")),
            }
        }
        Some(w) if w == "facility" => {
            words.next();
            match words.next() {
                None => Err("missing facility".into()),
                Some(_) => Ok(()),
            }
        }
        _ => {
            let mut module = None;
            let mut level = None;
            let mut destination = None;
            for word in words {
                if word.eq_ignore_ascii_case("any") {
                    continue;
                } else if let Some(d) = Destination::from_name(word) {
                    if destination.replace(d).is_some() {
                        return Err("cannot specify multiple destinations".into());
                    }
                } else if let Some(l) = Level::from_name(word) {
                    if level.replace(l).is_some() {
                        return Err("cannot specify multiple levels".into());
                    }
                } else if let Some(m) = MODULES.iter().find(|m| m.eq_ignore_ascii_case(word)) {
                    if module.replace(*m).is_some() {
                        return Err("cannot specify multiple modules".into());
                    }
                } else {
                    return Err(format!("no destination, level, or module \"{word}\""));
                }
            }
            set_levels(module, destination, level.unwrap_or(Level::Dbg));
            Ok(())
        }
    }
}

fn set_levels(module: Option<&str>, destination: Option<Destination>, level: Level) {
    with_state(|state| {
        for (name, levels) in &mut state.levels {
            if module.is_none_or(|m| m == *name) {
                for d in DESTINATIONS {
                    if destination.is_none_or(|want| want == d) {
                        levels[d.index()] = level;
                    }
                }
            }
        }
    });
}

/// `--log-file=FILE`: also append log lines to `path`.
pub fn open_log_file(path: &str) -> Result<(), String> {
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|e| {
            format!(
                "failed to open {path} for logging: {}",
                crate::error::os_text(&e)
            )
        })?;
    with_state(|state| state.log_file = Some(file));
    info("vlog", &format!("opened log file {path}"));
    Ok(())
}

/// Whether a message of `level` from `module` would be logged anywhere we log.
pub fn enabled(module: &str, level: Level) -> bool {
    with_state(|state| {
        state.levels.iter().any(|(name, levels)| {
            *name == module
                && (levels[Destination::Console.index()] >= level
                    || (state.log_file.is_some() && levels[Destination::File.index()] >= level))
        })
    })
}

/// Logs `message` from `module` at `level`.
pub fn log(module: &str, level: Level, message: &str) {
    with_state(|state| {
        let Some((_, levels)) = state.levels.iter().find(|(n, _)| *n == module) else {
            return;
        };
        let console = levels[Destination::Console.index()] >= level;
        let file = state.log_file.is_some() && levels[Destination::File.index()] >= level;
        let syslog = levels[Destination::Syslog.index()] >= level;
        if !(console || file || syslog) {
            return;
        }
        let n = SEQUENCE.fetch_add(1, Ordering::Relaxed) + 1;
        let stamp = ovs_table::format_timestamp(SystemTime::now());
        // "YYYY-MM-DD HH:MM:SS.mmm" → seconds for the console, milliseconds in files.
        let (seconds, millis) = stamp.split_at(19);
        let seconds = seconds.replacen(' ', "T", 1);
        if console {
            let line = format!("{seconds}Z|{n:05}|{module}|{}|{message}\n", level.label());
            let _ = std::io::stderr().write_all(line.as_bytes());
        }
        if file {
            let line = format!(
                "{seconds}{millis}Z|{n:05}|{module}|{}|{message}\n",
                level.label()
            );
            if let Some(f) = state.log_file.as_mut() {
                let _ = f.write_all(line.as_bytes());
            }
        }
    });
}

pub fn info(module: &str, message: &str) {
    log(module, Level::Info, message);
}

pub fn warn(module: &str, message: &str) {
    log(module, Level::Warn, message);
}

pub fn err(module: &str, message: &str) {
    log(module, Level::Err, message);
}

pub fn dbg(module: &str, message: &str) {
    log(module, Level::Dbg, message);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_errors_read_like_the_reference() {
        assert_eq!(
            set_verbosity(Some("bogus")),
            Err("no destination, level, or module \"bogus\"".into())
        );
        assert_eq!(
            set_verbosity(Some("console:file")),
            Err("cannot specify multiple destinations".into())
        );
        assert_eq!(
            set_verbosity(Some("dbg,info")),
            Err("cannot specify multiple levels".into())
        );
        assert_eq!(
            set_verbosity(Some("PATTERN")),
            Err("missing destination".into())
        );
        assert_eq!(set_verbosity(Some("jsonrpc:console:warn")), Ok(()));
    }
}
