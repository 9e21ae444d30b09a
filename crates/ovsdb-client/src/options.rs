//! The command line: options in the reference's table (its order decides how
//! ambiguous abbreviations are reported), their effects, and the operands.

use std::path::Path;

use crate::error::{Fatal, Result};
use ovs_daemon::getopt::{Getopt, HasArg, Opt};
use ovs_daemon::vlog;
use ovs_table::Style;

use HasArg::{No, Optional, Required};

/// In the reference's order.
const OPTIONS: &[Opt] = &[
    Opt::new("help", Some('h'), No),
    Opt::new("version", Some('V'), No),
    Opt::new("timestamp", None, No),
    Opt::new("force", None, No),
    Opt::new("timeout", Some('t'), Required),
    Opt::new("db-change-aware", None, No),
    Opt::new("no-db-change-aware", None, No),
    Opt::new("leader-only", None, No),
    Opt::new("no-leader-only", None, No),
    Opt::new("verbose", Some('v'), Optional),
    Opt::new("log-file", None, Optional),
    Opt::new("syslog-method", None, Required),
    Opt::new("syslog-target", None, Required),
    Opt::new("detach", None, No),
    Opt::new("no-self-confinement", None, No),
    Opt::new("no-chdir", None, No),
    Opt::new("pidfile", None, Optional),
    Opt::new("overwrite-pidfile", None, No),
    Opt::new("monitor", None, No),
    Opt::new("user", None, Required),
    Opt::new("bootstrap-ca-cert", None, Required),
    Opt::new("private-key", Some('p'), Required),
    Opt::new("certificate", Some('c'), Required),
    Opt::new("ca-cert", Some('C'), Required),
    Opt::new("ssl-protocols", None, Required),
    Opt::new("ssl-ciphers", None, Required),
    Opt::new("record", None, Optional),
    Opt::new("replay", None, Optional),
    Opt::new("format", Some('f'), Required),
    Opt::new("data", Some('d'), Required),
    Opt::new("no-headings", None, No),
    Opt::new("pretty", None, No),
    Opt::new("bare", None, No),
    Opt::new("max-column-width", None, Required),
];

/// Everything the options decided.
#[derive(Clone, Debug)]
pub struct Options {
    pub style: Style,
    /// `--timestamp`: stamp monitor output.
    pub timestamp: bool,
    /// `--timeout`: seconds before SIGALRM ends the program.
    pub timeout: Option<u32>,
    /// `--force` (for `restore`).
    pub force: bool,
    /// `--db-change-aware` (the default) or `--no-db-change-aware`.
    pub db_change_aware: bool,
    /// `--detach`, which we do not support yet.
    pub detach: bool,
    /// The command and its operands.
    pub operands: Vec<String>,
}

/// What parsing asks the program to do.
pub enum Parsed {
    Run(Options),
    /// `--help` or `--version`: print this on stdout and exit successfully.
    Print(String),
}

/// An option error: glibc's own (which names the program the way it was invoked
/// rather than by its short name), the program's, or one already logged.
#[derive(Debug)]
pub enum OptionError {
    Usage(String),
    Fatal(Fatal),
    /// The log file could not be opened: the log has a warning (this message), and
    /// the reference exits with status 1 without another word.
    Logged(String),
}

impl From<Fatal> for OptionError {
    fn from(f: Fatal) -> OptionError {
        OptionError::Fatal(f)
    }
}

/// The reference's `str_to_uint`: an optionally signed decimal that fills the
/// whole string and fits in 32 bits.
fn parse_seconds(s: &str) -> Option<u32> {
    let trimmed = s.trim_start_matches([' ', '\t', '\n', '\u{b}', '\u{c}', '\r']);
    let digits = trimmed.strip_prefix('+').unwrap_or(trimmed);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse::<u32>().ok()
}

pub fn parse(program: &str, args: &[String]) -> Result<Parsed, OptionError> {
    let mut options = Options {
        style: Style::default(),
        timestamp: false,
        timeout: None,
        force: false,
        db_change_aware: true,
        detach: false,
        operands: Vec::new(),
    };
    let mut getopt = Getopt::gnu(args.to_vec(), OPTIONS);
    for item in getopt.by_ref() {
        let opt = item.map_err(OptionError::Usage)?;
        let value = opt.value.as_deref();
        let value_str = value.unwrap_or_default();
        match opt.name {
            "help" => return Ok(Parsed::Print(crate::help::usage(program))),
            "version" => return Ok(Parsed::Print(format!("{program} (Open vSwitch) 3.1.0\n"))),
            "timestamp" => options.timestamp = true,
            "force" => options.force = true,
            "timeout" => match parse_seconds(value_str) {
                Some(secs) if secs > 0 => {
                    options.timeout = Some(secs);
                    crate::signals::set_timeout(secs);
                }
                _ => {
                    return Err(Fatal::new(format!(
                        "value {value_str} on -t or --timeout is invalid"
                    ))
                    .into())
                }
            },
            "db-change-aware" => options.db_change_aware = true,
            "no-db-change-aware" => options.db_change_aware = false,
            "verbose" => vlog::set_verbosity(value).map_err(Fatal::new)?,
            "log-file" => vlog::set_log_file(value.map(Path::new)).map_err(OptionError::Logged)?,
            "detach" => options.detach = true,
            "record" | "replay" => {
                return Err(Fatal::new("--record and --replay are not supported").into())
            }
            "format" => options
                .style
                .set_format_arg(value_str)
                .map_err(|e| Fatal::new(e.to_string()))?,
            "data" => options
                .style
                .set_data_arg(value_str)
                .map_err(|e| Fatal::new(e.to_string()))?,
            "no-headings" => options.style.headings = false,
            "pretty" => options.style.pretty = true,
            "bare" => options.style.set_bare(),
            "max-column-width" => options.style.set_max_column_width_arg(value_str),
            // Accepted and ignored: "leader-only", "no-leader-only", "syslog-method",
            // "syslog-target", the daemon options and the SSL options.
            _ => {}
        }
    }
    options.operands = getopt.operands();
    Ok(Parsed::Run(options))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_parse_like_str_to_uint() {
        assert_eq!(parse_seconds("5"), Some(5));
        assert_eq!(parse_seconds(" +5"), Some(5));
        assert_eq!(parse_seconds("5x"), None);
        assert_eq!(parse_seconds("-1"), None);
        assert_eq!(parse_seconds(""), None);
        assert_eq!(parse_seconds("4294967296"), None);
    }

    #[test]
    fn abbreviations_are_reported_in_reference_order() {
        for (arg, want) in [
            ("--d", "option '--d' is ambiguous; possibilities: '--db-change-aware' '--detach' '--data'"),
            ("--p", "option '--p' is ambiguous; possibilities: '--pidfile' '--private-key' '--pretty'"),
            ("--s", "option '--s' is ambiguous; possibilities: '--syslog-method' '--syslog-target' '--ssl-protocols' '--ssl-ciphers'"),
            ("--n", "option '--n' is ambiguous; possibilities: '--no-db-change-aware' '--no-leader-only' '--no-self-confinement' '--no-chdir' '--no-headings'"),
        ] {
            match parse("ovsdb-client", &[arg.to_string()]) {
                Err(OptionError::Usage(msg)) => assert_eq!(msg, want),
                _ => panic!("{arg} parsed"),
            }
        }
    }
}
