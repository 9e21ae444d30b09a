//! Log levels, destinations and syslog facilities, with the names the reference uses
//! in specs, in `vlog/list` and in log lines.

/// How severe a message is. `Off` is only a setting ("log nothing"); messages are
/// logged at `Emer` through `Dbg`. A destination set to level L takes messages whose
/// level is L or more severe.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u8)]
pub enum Level {
    Off = 0,
    Emer = 1,
    Err = 2,
    Warn = 3,
    Info = 4,
    Dbg = 5,
}

impl Level {
    pub const ALL: [Level; 6] = [
        Level::Off,
        Level::Emer,
        Level::Err,
        Level::Warn,
        Level::Info,
        Level::Dbg,
    ];

    /// The upper-case name used in log lines (`%p`) and by `vlog/list`.
    pub fn name(self) -> &'static str {
        match self {
            Level::Off => "OFF",
            Level::Emer => "EMER",
            Level::Err => "ERR",
            Level::Warn => "WARN",
            Level::Info => "INFO",
            Level::Dbg => "DBG",
        }
    }

    /// Parses a level word of a spec (`off`, `emer`, `err`, `warn`, `info`, `dbg`),
    /// ignoring case.
    pub fn from_name(word: &str) -> Option<Level> {
        Level::ALL
            .into_iter()
            .find(|l| l.name().eq_ignore_ascii_case(word))
    }

    pub(crate) fn from_u8(v: u8) -> Level {
        match v {
            0 => Level::Off,
            1 => Level::Emer,
            2 => Level::Err,
            3 => Level::Warn,
            4 => Level::Info,
            _ => Level::Dbg,
        }
    }

    /// The syslog severity (also the RFC 5424 one): emer is sent as "alert" and info
    /// as "notice", as the reference does.
    pub(crate) fn syslog_severity(self) -> i32 {
        match self {
            Level::Off | Level::Emer => libc::LOG_ALERT,
            Level::Err => libc::LOG_ERR,
            Level::Warn => libc::LOG_WARNING,
            Level::Info => libc::LOG_NOTICE,
            Level::Dbg => libc::LOG_DEBUG,
        }
    }
}

impl std::fmt::Display for Level {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Where log messages go.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Destination {
    /// Standard error (silenced once a daemon detaches).
    Console = 0,
    Syslog = 1,
    /// The `--log-file`, when one is open.
    File = 2,
}

impl Destination {
    /// In the order of `vlog/list` columns.
    pub const ALL: [Destination; 3] =
        [Destination::Console, Destination::Syslog, Destination::File];

    /// The spec word (`console`, `syslog`, `file`).
    pub fn name(self) -> &'static str {
        match self {
            Destination::Console => "console",
            Destination::Syslog => "syslog",
            Destination::File => "file",
        }
    }

    /// Parses a destination word, ignoring case.
    pub fn from_name(word: &str) -> Option<Destination> {
        Destination::ALL
            .into_iter()
            .find(|d| d.name().eq_ignore_ascii_case(word))
    }

    pub(crate) fn index(self) -> usize {
        self as usize
    }
}

/// The syslog facilities a spec may name (`FACILITY:local0`), with their RFC 5424
/// codes. (Code 10, authpriv, has no name here, as in the reference.)
const FACILITIES: [(&str, u8); 23] = [
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

/// The facility code for a name, ignoring case.
pub fn facility_from_name(name: &str) -> Option<u8> {
    FACILITIES
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|&(_, code)| code)
}

/// Facility used in `%B` when none was set (messages to remote syslog targets).
pub(crate) const DEFAULT_REMOTE_FACILITY: u8 = 16;
/// Facility used with the C library's syslog when none was set.
pub(crate) const DEFAULT_LOCAL_FACILITY: u8 = 3;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_parse_case_insensitively_and_order_by_verbosity() {
        assert_eq!(Level::from_name("warn"), Some(Level::Warn));
        assert_eq!(Level::from_name("DBG"), Some(Level::Dbg));
        assert_eq!(Level::from_name("Off"), Some(Level::Off));
        assert_eq!(Level::from_name("debug"), None);
        assert!(Level::Emer < Level::Err && Level::Info < Level::Dbg);
        for l in Level::ALL {
            assert_eq!(Level::from_u8(l as u8), l);
        }
    }

    #[test]
    fn destinations_and_facilities_parse() {
        assert_eq!(Destination::from_name("FILE"), Some(Destination::File));
        assert_eq!(
            Destination::from_name("Console"),
            Some(Destination::Console)
        );
        assert_eq!(Destination::from_name("any"), None);
        assert_eq!(facility_from_name("daemon"), Some(3));
        assert_eq!(facility_from_name("LOCAL7"), Some(23));
        assert_eq!(facility_from_name("authpriv"), None);
    }
}
