//! The command line: options in the reference's table (its order decides how
//! ambiguous abbreviations are reported), their effects, and the operands.

use crate::error::{Fatal, Result};
use crate::getopt::{self, HasArg, OptSpec};
use crate::vlog;
use ovs_table::Style;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Opt {
    Help,
    Version,
    Timestamp,
    Force,
    Timeout,
    DbChangeAware,
    NoDbChangeAware,
    LeaderOnly,
    NoLeaderOnly,
    Verbose,
    LogFile,
    SyslogMethod,
    SyslogTarget,
    Detach,
    NoSelfConfinement,
    NoChdir,
    Pidfile,
    OverwritePidfile,
    Monitor,
    User,
    BootstrapCaCert,
    PrivateKey,
    Certificate,
    CaCert,
    SslProtocols,
    SslCiphers,
    Record,
    Replay,
    Format,
    Data,
    NoHeadings,
    Pretty,
    Bare,
    MaxColumnWidth,
}

const fn spec(long: &'static str, short: Option<char>, has_arg: HasArg, id: Opt) -> OptSpec<Opt> {
    OptSpec {
        long,
        short,
        has_arg,
        id,
    }
}

use HasArg::{No, Optional, Required};

/// In the reference's order.
const SPECS: &[OptSpec<Opt>] = &[
    spec("help", Some('h'), No, Opt::Help),
    spec("version", Some('V'), No, Opt::Version),
    spec("timestamp", None, No, Opt::Timestamp),
    spec("force", None, No, Opt::Force),
    spec("timeout", Some('t'), Required, Opt::Timeout),
    spec("db-change-aware", None, No, Opt::DbChangeAware),
    spec("no-db-change-aware", None, No, Opt::NoDbChangeAware),
    spec("leader-only", None, No, Opt::LeaderOnly),
    spec("no-leader-only", None, No, Opt::NoLeaderOnly),
    spec("verbose", Some('v'), Optional, Opt::Verbose),
    spec("log-file", None, Optional, Opt::LogFile),
    spec("syslog-method", None, Required, Opt::SyslogMethod),
    spec("syslog-target", None, Required, Opt::SyslogTarget),
    spec("detach", None, No, Opt::Detach),
    spec("no-self-confinement", None, No, Opt::NoSelfConfinement),
    spec("no-chdir", None, No, Opt::NoChdir),
    spec("pidfile", None, Optional, Opt::Pidfile),
    spec("overwrite-pidfile", None, No, Opt::OverwritePidfile),
    spec("monitor", None, No, Opt::Monitor),
    spec("user", None, Required, Opt::User),
    spec("bootstrap-ca-cert", None, Required, Opt::BootstrapCaCert),
    spec("private-key", Some('p'), Required, Opt::PrivateKey),
    spec("certificate", Some('c'), Required, Opt::Certificate),
    spec("ca-cert", Some('C'), Required, Opt::CaCert),
    spec("ssl-protocols", None, Required, Opt::SslProtocols),
    spec("ssl-ciphers", None, Required, Opt::SslCiphers),
    spec("record", None, Optional, Opt::Record),
    spec("replay", None, Optional, Opt::Replay),
    spec("format", Some('f'), Required, Opt::Format),
    spec("data", Some('d'), Required, Opt::Data),
    spec("no-headings", None, No, Opt::NoHeadings),
    spec("pretty", None, No, Opt::Pretty),
    spec("bare", None, No, Opt::Bare),
    spec("max-column-width", None, Required, Opt::MaxColumnWidth),
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

/// An option error: the message and whether it is glibc's own (which names the
/// program the way it was invoked rather than by its short name).
#[derive(Debug)]
pub enum OptionError {
    Usage(String),
    Fatal(Fatal),
}

impl From<Fatal> for OptionError {
    fn from(f: Fatal) -> OptionError {
        OptionError::Fatal(f)
    }
}

/// `$OVS_LOGDIR`, or the reference's default log directory.
pub fn logdir() -> String {
    std::env::var("OVS_LOGDIR")
        .ok()
        .filter(|d| !d.is_empty())
        .unwrap_or_else(|| "/var/log/openvswitch".into())
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
    let mut print = None;
    let operands = getopt::scan(
        SPECS,
        args,
        |opt, value| -> Result<(), OptionError> {
            if print.is_some() {
                return Ok(());
            }
            let value_str = value.clone().unwrap_or_default();
            match opt {
                Opt::Help => {
                    let rundir = crate::connect::rundir();
                    print = Some(crate::help::usage(
                        program,
                        &rundir.display().to_string(),
                        &logdir(),
                    ));
                }
                Opt::Version => print = Some(format!("{program} (Open vSwitch) 3.1.0\n")),
                Opt::Timestamp => options.timestamp = true,
                Opt::Force => options.force = true,
                Opt::Timeout => match parse_seconds(&value_str) {
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
                Opt::DbChangeAware => options.db_change_aware = true,
                Opt::NoDbChangeAware => options.db_change_aware = false,
                Opt::LeaderOnly | Opt::NoLeaderOnly => {}
                Opt::Verbose => vlog::set_verbosity(value.as_deref())
                    .map_err(|msg| Fatal::new(format!("processing \"{value_str}\": {msg}")))?,
                Opt::LogFile => {
                    let path = value.unwrap_or_else(|| format!("{}/{program}.log", logdir()));
                    vlog::open_log_file(&path).map_err(Fatal::new)?;
                }
                Opt::SyslogMethod | Opt::SyslogTarget => {}
                Opt::Detach => options.detach = true,
                Opt::NoSelfConfinement
                | Opt::NoChdir
                | Opt::Pidfile
                | Opt::OverwritePidfile
                | Opt::Monitor
                | Opt::User => {}
                Opt::BootstrapCaCert
                | Opt::PrivateKey
                | Opt::Certificate
                | Opt::CaCert
                | Opt::SslProtocols
                | Opt::SslCiphers => {}
                Opt::Record | Opt::Replay => {
                    return Err(Fatal::new("--record and --replay are not supported").into())
                }
                Opt::Format => options
                    .style
                    .set_format_arg(&value_str)
                    .map_err(|e| Fatal::new(e.to_string()))?,
                Opt::Data => options
                    .style
                    .set_data_arg(&value_str)
                    .map_err(|e| Fatal::new(e.to_string()))?,
                Opt::NoHeadings => options.style.headings = false,
                Opt::Pretty => options.style.pretty = true,
                Opt::Bare => options.style.set_bare(),
                Opt::MaxColumnWidth => options.style.set_max_column_width_arg(&value_str),
            }
            Ok(())
        },
        OptionError::Usage,
    );
    if let Some(text) = print {
        return Ok(Parsed::Print(text));
    }
    options.operands = operands?;
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
