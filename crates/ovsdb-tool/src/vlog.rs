//! The reference's logging options (`-v`/`--verbose`) and its console log lines.
//!
//! `ovsdb-tool` logs little (in practice only the lock-holder warning), but scripts pass
//! `-v` options to every Open vSwitch program, so every spec the reference accepts is
//! accepted here, with the same error texts for the ones it refuses, and the console
//! line honours the levels and the `PATTERN` a spec sets. Syslog and log files are not
//! written.

use std::fmt::Write as _;
use std::time::Instant;

/// Where a message may go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Destination {
    Console = 0,
    Syslog = 1,
    File = 2,
}

const DESTINATIONS: [(&str, Destination); 3] = [
    ("console", Destination::Console),
    ("syslog", Destination::Syslog),
    ("file", Destination::File),
];

/// Log levels, least verbose first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Off,
    Emer,
    Err,
    Warn,
    Info,
    Dbg,
}

const LEVELS: [(&str, Level); 6] = [
    ("off", Level::Off),
    ("emer", Level::Emer),
    ("err", Level::Err),
    ("warn", Level::Warn),
    ("info", Level::Info),
    ("dbg", Level::Dbg),
];

impl Level {
    fn upper_name(self) -> &'static str {
        match self {
            Level::Off => "OFF",
            Level::Emer => "EMER",
            Level::Err => "ERR",
            Level::Warn => "WARN",
            Level::Info => "INFO",
            Level::Dbg => "DBG",
        }
    }

    /// The syslog severity, for `%B`.
    fn severity(self) -> u32 {
        match self {
            Level::Off | Level::Emer => 0,
            Level::Err => 3,
            Level::Warn => 4,
            Level::Info => 6,
            Level::Dbg => 7,
        }
    }
}

/// The logging modules of the reference's ovsdb-tool, which `-v` specs may name.
const MODULES: &[&str] = &[
    "backtrace",
    "bundle",
    "command_line",
    "conntrack",
    "conntrack_tp",
    "coverage",
    "ct_dpif",
    "dns_resolve",
    "dpdk",
    "dpif",
    "dpif_lookup_autovalidator",
    "dpif_lookup_generic",
    "dpif_mfex_extract_study",
    "dpif_netdev",
    "dpif_netdev_extract",
    "dpif_netdev_impl",
    "dpif_netdev_lookup",
    "dpif_netlink",
    "dpif_netlink_rtnl",
    "entropy",
    "fatal_signal",
    "flow",
    "hmap",
    "ipf",
    "jsonrpc",
    "lockfile",
    "meta_flow",
    "native_tnl",
    "netdev",
    "netdev_afxdp",
    "netdev_linux",
    "netdev_offload",
    "netdev_offload_tc",
    "netdev_vport",
    "netlink",
    "netlink_conntrack",
    "netlink_notifier",
    "netlink_socket",
    "nx_match",
    "odp_execute",
    "odp_execute_impl",
    "odp_util",
    "ofp_actions",
    "ofp_bundle",
    "ofp_connection",
    "ofp_errors",
    "ofp_flow",
    "ofp_group",
    "ofp_match",
    "ofp_meter",
    "ofp_monitor",
    "ofp_msgs",
    "ofp_packet",
    "ofp_port",
    "ofp_protocol",
    "ofp_queue",
    "ofp_table",
    "ofp_util",
    "ovs_numa",
    "ovs_rcu",
    "ovs_replay",
    "ovs_router",
    "ovs_thread",
    "ovsdb",
    "ovsdb_cs",
    "ovsdb_error",
    "ovsdb_file",
    "ovsdb_idl",
    "ovsdb_jsonrpc_server",
    "ovsdb_log",
    "ovsdb_monitor",
    "ovsdb_rbac",
    "ovsdb_util",
    "ox_stat",
    "pmd_perf",
    "poll_loop",
    "raft",
    "raft_rpc",
    "reconnect",
    "route_table",
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
    "tc",
    "timeval",
    "transaction",
    "transaction_forward",
    "trigger",
    "unixctl",
    "userspace_tso",
    "util",
    "uuid",
    "vlog",
];

/// Syslog facilities by name, with their numbers (for `%B`).
const FACILITIES: [(&str, u32); 23] = [
    ("kern", 0),
    ("user", 1),
    ("mail", 2),
    ("daemon", 3),
    ("auth", 4),
    ("syslog", 5),
    ("lpr", 6),
    ("news", 7),
    ("uucp", 8),
    ("clock", 9),
    ("ftp", 11),
    ("ntp", 12),
    ("audit", 13),
    ("alert", 14),
    ("clock2", 15),
    ("local0", 16),
    ("local1", 17),
    ("local2", 18),
    ("local3", 19),
    ("local4", 20),
    ("local5", 21),
    ("local6", 22),
    ("local7", 23),
];

const DEFAULT_PATTERN: &str = "%D{%Y-%m-%dT%H:%M:%SZ}|%05N|%c|%p|%m";
const DEFAULT_DATE: &str = "%Y-%m-%d %H:%M:%S.###";

/// Logging state: levels per module and destination, the console pattern, and the
/// message counter.
#[derive(Debug)]
pub struct Vlog {
    program: String,
    /// Per module (same order as [`MODULES`]): console, syslog and file levels.
    levels: Vec<[Level; 3]>,
    console_pattern: String,
    facility: u32,
    serial: u32,
    started: Instant,
}

impl Vlog {
    pub fn new(program: &str) -> Vlog {
        Vlog {
            program: program.to_string(),
            levels: vec![[Level::Warn, Level::Info, Level::Info]; MODULES.len()],
            console_pattern: DEFAULT_PATTERN.to_string(),
            facility: 16,
            serial: 0,
            started: Instant::now(),
        }
    }

    /// Applies a `-v`/`--verbose` argument (`None` for a bare `-v`: everything to
    /// debug). The error is the text after `processing "SPEC": `.
    pub fn apply_spec(&mut self, spec: Option<&str>) -> Result<(), String> {
        let Some(spec) = spec.filter(|s| !s.is_empty()) else {
            self.set(None, None, Level::Dbg);
            return Ok(());
        };
        let mut words = Words::new(spec);
        let first = words.next();
        if first.is_some_and(|w| w.eq_ignore_ascii_case("PATTERN")) {
            let dest = words.next().ok_or("missing destination")?;
            let dest =
                destination(dest).ok_or_else(|| format!("unknown destination \"{dest}\""))?;
            if dest == Destination::Console {
                self.console_pattern = words.rest().to_string();
            }
            return Ok(());
        }
        if first.is_some_and(|w| w.eq_ignore_ascii_case("FACILITY")) {
            // The facility is everything after the keyword, separators included.
            let name = words.rest();
            let facility = FACILITIES
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .ok_or("invalid facility")?;
            self.facility = facility.1;
            return Ok(());
        }
        let (mut dest, mut level, mut module) = (None, None, None);
        for word in first.into_iter().chain(words) {
            if word.eq_ignore_ascii_case("any") {
                continue;
            }
            if let Some(d) = destination(word) {
                if dest.is_some() {
                    return Err("cannot specify multiple destinations".into());
                }
                dest = Some(d);
            } else if let Some(l) = level_by_name(word) {
                if level.is_some() {
                    return Err("cannot specify multiple levels".into());
                }
                level = Some(l);
            } else if let Some(m) = MODULES.iter().position(|m| m.eq_ignore_ascii_case(word)) {
                if module.is_some() {
                    return Err("cannot specify multiple modules".into());
                }
                module = Some(m);
            } else {
                return Err(format!("no destination, level, or module \"{word}\""));
            }
        }
        self.set(module, dest, level.unwrap_or(Level::Dbg));
        Ok(())
    }

    fn set(&mut self, module: Option<usize>, dest: Option<Destination>, level: Level) {
        for (i, levels) in self.levels.iter_mut().enumerate() {
            if module.is_some_and(|m| m != i) {
                continue;
            }
            for d in DESTINATIONS.iter().map(|(_, d)| *d) {
                if dest.is_none_or(|x| x == d) {
                    levels[d as usize] = level;
                }
            }
        }
    }

    /// Logs a warning from `module` (one of [`MODULES`]).
    pub fn warn(&mut self, module: &str, message: &str) {
        self.log(module, Level::Warn, message);
    }

    fn log(&mut self, module: &str, level: Level, message: &str) {
        let levels = MODULES
            .iter()
            .position(|m| *m == module)
            .map(|i| self.levels[i])
            .unwrap_or([Level::Warn, Level::Info, Level::Info]);
        let to_console = level <= levels[Destination::Console as usize];
        let to_syslog = level <= levels[Destination::Syslog as usize];
        if !to_console && !to_syslog {
            return;
        }
        // The serial number counts every message logged anywhere.
        self.serial += 1;
        if to_console {
            let line = self.format(&self.console_pattern, module, level, message);
            eprintln!("{line}");
        }
    }

    /// Expands a log pattern (see `ovs-appctl(8)`, `vlog/set PATTERN`).
    fn format(&self, pattern: &str, module: &str, level: Level, message: &str) -> String {
        let now = ovsdb::storage::now_ms();
        let mut out = String::new();
        let mut chars = pattern.chars().peekable();
        while let Some(c) = chars.next() {
            if c != '%' {
                out.push(c);
                continue;
            }
            let left = chars.next_if_eq(&'-').is_some();
            let zero = chars.next_if_eq(&'0').is_some();
            let mut width = 0usize;
            while let Some(d) = chars.next_if(char::is_ascii_digit) {
                width = width * 10 + d.to_digit(10).unwrap_or(0) as usize;
            }
            let Some(spec) = chars.next() else {
                break;
            };
            let mut date_format = || {
                if chars.next_if_eq(&'{').is_some() {
                    let mut f = String::new();
                    for c in chars.by_ref() {
                        if c == '}' {
                            break;
                        }
                        f.push(c);
                    }
                    f
                } else {
                    DEFAULT_DATE.to_string()
                }
            };
            let field = match spec {
                'A' => self.program.clone(),
                'B' => (self.facility * 8 + level.severity()).to_string(),
                'c' => module.to_string(),
                'd' => crate::timefmt::format_ms(&date_format(), now, false),
                'D' => crate::timefmt::format_ms(&date_format(), now, true),
                'E' => hostname(),
                'm' => message.to_string(),
                'N' => self.serial.to_string(),
                'n' => "\n".to_string(),
                'p' => level.upper_name().to_string(),
                'P' => std::process::id().to_string(),
                'r' => self.started.elapsed().as_millis().to_string(),
                't' => "main".to_string(),
                'T' => String::new(),
                other => other.to_string(),
            };
            pad(&mut out, &field, width, left, zero);
        }
        out
    }
}

fn pad(out: &mut String, field: &str, width: usize, left: bool, zero: bool) {
    let n = field.chars().count();
    if n >= width {
        out.push_str(field);
    } else if left {
        let _ = write!(out, "{field}{}", " ".repeat(width - n));
    } else {
        let fill = if zero { "0" } else { " " };
        let _ = write!(out, "{}{field}", fill.repeat(width - n));
    }
}

fn destination(word: &str) -> Option<Destination> {
    DESTINATIONS
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(word))
        .map(|(_, d)| *d)
}

fn level_by_name(word: &str) -> Option<Level> {
    LEVELS
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(word))
        .map(|(_, l)| *l)
}

fn hostname() -> String {
    let mut buf = [0u8; 256];
    // SAFETY: the buffer is valid for its length; gethostname NUL-terminates within it
    // (or truncates, which we tolerate).
    let rc = unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len()) };
    if rc != 0 {
        return String::new();
    }
    let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
    String::from_utf8_lossy(&buf[..end]).into_owned()
}

/// Words of a spec, separated by spaces, commas, colons or tabs (empty words skipped),
/// with access to the unsplit rest (a pattern may contain separators).
struct Words<'a> {
    rest: &'a str,
}

const SEPARATORS: &[char] = &[' ', ',', ':', '\t'];

impl<'a> Words<'a> {
    fn new(spec: &'a str) -> Words<'a> {
        Words { rest: spec }
    }

    /// What follows the last word returned and the one separator after it.
    fn rest(&self) -> &'a str {
        self.rest
    }
}

impl<'a> Iterator for Words<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let start = self.rest.trim_start_matches(SEPARATORS);
        if start.is_empty() {
            self.rest = start;
            return None;
        }
        match start.find(SEPARATORS) {
            Some(end) => {
                let sep_len = start[end..].chars().next().map_or(1, char::len_utf8);
                self.rest = &start[end + sep_len..];
                Some(&start[..end])
            }
            None => {
                self.rest = "";
                Some(start)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(spec: &str) -> Result<(), String> {
        Vlog::new("ovsdb-tool").apply_spec(Some(spec))
    }

    // Texts observed from the real ovsdb-tool 3.1.
    #[test]
    fn refuses_specs_like_the_reference() {
        assert_eq!(
            check("foo").unwrap_err(),
            "no destination, level, or module \"foo\""
        );
        assert_eq!(
            check("console:syslog").unwrap_err(),
            "cannot specify multiple destinations"
        );
        assert_eq!(
            check("dbg:warn").unwrap_err(),
            "cannot specify multiple levels"
        );
        assert_eq!(
            check("vlog:util").unwrap_err(),
            "cannot specify multiple modules"
        );
        assert_eq!(check("PATTERN").unwrap_err(), "missing destination");
        assert_eq!(
            check("PATTERN:foo:x").unwrap_err(),
            "unknown destination \"foo\""
        );
        assert_eq!(check("FACILITY:bad").unwrap_err(), "invalid facility");
        assert_eq!(check("FACILITY").unwrap_err(), "invalid facility");
        assert_eq!(
            check("x y").unwrap_err(),
            "no destination, level, or module \"x\""
        );
        assert_eq!(
            check("daemon").unwrap_err(),
            "no destination, level, or module \"daemon\""
        );
    }

    #[test]
    fn accepts_specs_like_the_reference() {
        for spec in [
            "console:dbg",
            "ANY:console:off",
            "PATTERN:console:%m",
            "pattern:console",
            "FACILITY:local0",
            "facility:LOCAL7",
            "any:any",
            "CONSOLE:DBG",
            "Vlog",
            ":",
            "console::dbg",
            "console dbg",
            "dbg,vlog,file",
            "PATTERN:file:abc:def",
            "reconnect",
        ] {
            assert_eq!(check(spec), Ok(()), "{spec}");
        }
    }

    #[test]
    fn patterns_expand_like_the_reference() {
        let mut vlog = Vlog::new("ovsdb-tool");
        vlog.apply_spec(Some("PATTERN:console:[%p|%c|%A|%B|%n|%t|%T|%%|%x]"))
            .unwrap();
        vlog.serial = 1;
        let line = vlog.format(&vlog.console_pattern, "lockfile", Level::Warn, "m");
        assert_eq!(line, "[WARN|lockfile|ovsdb-tool|132|\n|main||%|x]");
        let line = vlog.format("%10c|%-10c|%05N|%-5p|%m", "lockfile", Level::Warn, "hi");
        assert_eq!(line, "  lockfile|lockfile  |00001|WARN |hi");
        assert_eq!(Words::new("PATTERN:console:a:b,c").nth(1), Some("console"));
    }

    #[test]
    fn levels_decide_what_reaches_the_console() {
        let mut vlog = Vlog::new("t");
        let console =
            |v: &Vlog| v.levels[MODULES.iter().position(|m| *m == "lockfile").unwrap()][0];
        assert_eq!(console(&vlog), Level::Warn);
        vlog.apply_spec(Some("lockfile:console:err")).unwrap();
        assert_eq!(console(&vlog), Level::Err);
        vlog.apply_spec(None).unwrap();
        assert_eq!(console(&vlog), Level::Dbg);
        vlog.apply_spec(Some("off")).unwrap();
        assert_eq!(console(&vlog), Level::Off);
    }
}
