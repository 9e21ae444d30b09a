//! The global options (GNU getopt, permuting, as the reference), checked and
//! combined the way the reference does after reading them all: `-O` and `-F`
//! must have a version in common, `--bundle` implies OpenFlow 1.4 when no
//! version that can carry bundles is enabled, `-F` is narrowed to the
//! enabled versions.

use crate::proto_names::{
    parse_protocols, parse_versions, protocols_of_versions, protocols_to_string,
    versions_of_protocols, versions_to_names,
};
use openflow::field::FieldId;
use openflow::protocol::Protocols;
use openflow::{Version, VersionSet};
use ovs_daemon::getopt::{Getopt, HasArg, Opt};
use ovs_daemon::vlog;
use ovs_daemon::DaemonOptions;

use HasArg::{No, Optional, Required};

/// Every option, in the reference's table order (which decides how getopt
/// reports an ambiguous abbreviation, and what `--option` lists).
pub const OPTIONS: &[Opt] = &[
    Opt::new("timeout", Some('t'), Required),
    Opt::new("strict", None, No),
    Opt::new("readd", None, No),
    Opt::new("flow-format", Some('F'), Required),
    Opt::new("packet-in-format", Some('P'), Required),
    Opt::new("more", Some('m'), No),
    Opt::new("timestamp", None, No),
    Opt::new("sort", None, Optional),
    Opt::new("rsort", None, Optional),
    Opt::new("names", None, No),
    Opt::new("no-names", None, No),
    Opt::new("stats", None, No),
    Opt::new("no-stats", None, No),
    Opt::new("unixctl", None, Required),
    Opt::new("help", Some('h'), No),
    Opt::new("option", Some('o'), No),
    Opt::new("bundle", None, No),
    Opt::new("color", None, Optional),
    Opt::new("may-create", None, No),
    Opt::new("pcap", None, No),
    Opt::new("raw", None, No),
    Opt::new("read-only", None, No),
    Opt::new("detach", None, No),
    Opt::new("no-self-confinement", None, No),
    Opt::new("no-chdir", None, No),
    Opt::new("pidfile", None, Optional),
    Opt::new("overwrite-pidfile", None, No),
    Opt::new("monitor", None, No),
    Opt::new("user", None, Required),
    Opt::new("version", Some('V'), No),
    Opt::new("protocols", Some('O'), Required),
    Opt::new("verbose", Some('v'), Optional),
    Opt::new("log-file", None, Optional),
    Opt::new("syslog-method", None, Required),
    Opt::new("syslog-target", None, Required),
    Opt::new("private-key", Some('p'), Required),
    Opt::new("certificate", Some('c'), Required),
    Opt::new("ca-cert", Some('C'), Required),
    Opt::new("ssl-protocols", None, Required),
    Opt::new("ssl-ciphers", None, Required),
];

/// How packet-ins should reach `monitor` (`-P`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PacketInFormat {
    Standard,
    NxtPacketIn,
    NxtPacketIn2,
}

/// One `--sort`/`--rsort` key: a field, or (no name, or "priority") the
/// priority.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SortKey {
    pub field: Option<FieldId>,
    pub descending: bool,
}

fn sort_key(field: Option<&str>, descending: bool) -> Result<SortKey, String> {
    let field = match field {
        None => None,
        Some(f) if f.eq_ignore_ascii_case("priority") => None,
        Some(f) => {
            Some(FieldId::by_field_name(f).ok_or_else(|| format!("{f}: unknown field name"))?)
        }
    };
    Ok(SortKey { field, descending })
}

/// Everything the options decided.
#[derive(Clone, Debug)]
pub struct Options {
    /// Versions offered in hello (`-O`; OpenFlow 1.0 only by default).
    pub allowed_versions: VersionSet,
    /// Flow protocols that may be used (`-F`, narrowed to the versions).
    pub allowed_protocols: Protocols,
    pub strict: bool,
    pub readd: bool,
    pub bundle: bool,
    pub may_create: bool,
    pub read_only: bool,
    /// `--timeout`: SIGALRM after this many seconds.
    pub timeout: Option<u32>,
    /// `-m` count: extra detail when printing messages.
    pub verbosity: u32,
    pub timestamp: bool,
    pub sort: Vec<SortKey>,
    /// `--names` (Some(true)), `--no-names` (Some(false)); None: port and
    /// table names are shown only on a terminal and always accepted.
    pub names: Option<bool>,
    pub show_stats: bool,
    pub packet_in_format: Option<PacketInFormat>,
    pub pcap: bool,
    pub raw: bool,
    /// `--detach`, `--pidfile`, `--unixctl`, ...: for `monitor` and `snoop`.
    pub daemon: DaemonOptions,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            allowed_versions: VersionSet::single(Version::Of10),
            allowed_protocols: Protocols::ANY,
            strict: false,
            readd: false,
            bundle: false,
            may_create: false,
            read_only: false,
            timeout: None,
            verbosity: 0,
            timestamp: false,
            sort: Vec::new(),
            names: None,
            show_stats: true,
            packet_in_format: None,
            pcap: false,
            raw: false,
            daemon: DaemonOptions::new("ovs-ofctl"),
        }
    }
}

/// What the command line asks for.
pub enum Parsed {
    /// Run the command in `argv` (its name first).
    Run(Options, Vec<String>),
    /// `--help`, `--version`, `--option`: print this and exit successfully.
    Print(String),
}

/// An option error: getopt's own (prefixed by the program as invoked) or the
/// program's (prefixed by "ovs-ofctl: ").
#[derive(Debug, PartialEq, Eq)]
pub enum OptionError {
    Usage(String),
    Fatal(String),
}

/// `str_to_uint`-style seconds: optional blanks and sign, decimal digits, a
/// positive value that fits an `int`.
fn parse_timeout(s: &str) -> Option<u32> {
    let t = s.trim_start_matches([' ', '\t', '\n', '\u{b}', '\u{c}', '\r']);
    let t = t.strip_prefix('+').unwrap_or(t);
    if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    t.parse::<i32>()
        .ok()
        .filter(|&n| n > 0)
        .and_then(|n| u32::try_from(n).ok())
}

fn parse_color(value: Option<&str>) -> Result<(), String> {
    let Some(v) = value else { return Ok(()) };
    let known = [
        "always", "yes", "force", "never", "no", "none", "auto", "tty", "if-tty",
    ];
    if known.iter().any(|k| k.eq_ignore_ascii_case(v)) {
        Ok(())
    } else {
        Err(format!("incorrect value `{v}' for --color"))
    }
}

fn parse_packet_in_format(v: &str) -> Result<PacketInFormat, String> {
    match v {
        "standard" | "openflow10" => Ok(PacketInFormat::Standard),
        "nxt_packet_in" | "nxm" => Ok(PacketInFormat::NxtPacketIn),
        "nxt_packet_in2" => Ok(PacketInFormat::NxtPacketIn2),
        _ => Err(format!("unknown packet-in format `{v}'")),
    }
}

/// Parses the command line (`args` includes the program name).
pub fn parse(args: &[String]) -> Result<Parsed, OptionError> {
    let mut o = Options::default();
    let mut versions: Option<VersionSet> = None;
    let mut protocols = Protocols::ANY;
    let mut getopt = Getopt::gnu(args.get(1..).unwrap_or(&[]).to_vec(), OPTIONS);
    for item in getopt.by_ref() {
        let parsed = item.map_err(OptionError::Usage)?;
        let value = parsed.value.as_deref();
        let arg = value.unwrap_or("");
        let fatal = OptionError::Fatal;
        match parsed.name {
            "timeout" => {
                o.timeout =
                    Some(parse_timeout(arg).ok_or_else(|| {
                        fatal(format!("value {arg} on -t or --timeout is invalid"))
                    })?)
            }
            "strict" => o.strict = true,
            "readd" => o.readd = true,
            "flow-format" => protocols = parse_protocols(arg).map_err(fatal)?,
            "packet-in-format" => {
                o.packet_in_format = Some(parse_packet_in_format(arg).map_err(fatal)?)
            }
            "more" => o.verbosity += 1,
            "timestamp" => o.timestamp = true,
            "sort" | "rsort" => o
                .sort
                .push(sort_key(value, parsed.name == "rsort").map_err(fatal)?),
            "names" => o.names = Some(true),
            "no-names" => o.names = Some(false),
            "stats" => o.show_stats = true,
            "no-stats" => o.show_stats = false,
            "help" => return Ok(Parsed::Print(crate::help::usage())),
            "option" => return Ok(Parsed::Print(ovs_daemon::getopt::option_list(OPTIONS))),
            "bundle" => o.bundle = true,
            "color" => parse_color(value).map_err(fatal)?,
            "may-create" => o.may_create = true,
            "pcap" => o.pcap = true,
            "raw" => o.raw = true,
            "read-only" => o.read_only = true,
            "unixctl"
            | "detach"
            | "no-self-confinement"
            | "no-chdir"
            | "pidfile"
            | "overwrite-pidfile"
            | "monitor"
            | "user" => {
                o.daemon.handle_option(parsed.name, value).map_err(fatal)?;
            }
            "version" => return Ok(Parsed::Print(crate::help::version())),
            "protocols" => versions = Some(parse_versions(arg).map_err(fatal)?),
            "verbose" | "log-file" | "syslog-method" | "syslog-target" => {
                vlog::handle_option(parsed.name, value).map_err(fatal)?;
            }
            // SSL is not supported yet; its options are accepted so that
            // scripts written for the reference still parse.
            _ => {}
        }
    }
    if !o.sort.is_empty() {
        // Flows equal by every key come out by priority, highest first.
        o.sort.push(SortKey {
            field: None,
            descending: true,
        });
    }
    let mut allowed_versions = versions.unwrap_or(o.allowed_versions);
    // Bundles need OpenFlow 1.3 (with the ONF extension) or later.
    let bundle_capable = VersionSet(
        VersionSet::single(Version::Of13).0
            | VersionSet::single(Version::Of14).0
            | VersionSet::single(Version::Of15).0,
    );
    if o.bundle && allowed_versions.intersect(bundle_capable).is_empty() {
        allowed_versions = VersionSet::single(Version::Of14);
    }
    if allowed_versions
        .intersect(versions_of_protocols(protocols))
        .is_empty()
    {
        return Err(OptionError::Fatal(format!(
            "None of the enabled OpenFlow versions ({}) supports any of the enabled \
             flow formats ({}).  (Use -O to enable additional OpenFlow versions or -F \
             to enable additional flow formats.)",
            versions_to_names(allowed_versions),
            protocols_to_string(protocols)
        )));
    }
    o.allowed_versions = allowed_versions;
    o.allowed_protocols = protocols.intersect(protocols_of_versions(allowed_versions));
    let argv = getopt.operands();
    Ok(Parsed::Run(o, argv))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(args: &[&str]) -> Result<(Options, Vec<String>), OptionError> {
        let mut v = vec!["ovs-ofctl".to_string()];
        v.extend(args.iter().map(|s| s.to_string()));
        match parse(&v)? {
            Parsed::Run(o, a) => Ok((o, a)),
            Parsed::Print(_) => panic!("printed"),
        }
    }

    #[test]
    fn defaults_and_permuting() {
        let (o, a) = run(&["show", "br0", "--strict", "-mm"]).unwrap();
        assert_eq!(a, ["show", "br0"]);
        assert!(o.strict);
        assert_eq!(o.verbosity, 2);
        assert_eq!(o.allowed_versions, VersionSet::single(Version::Of10));
        assert_eq!(o.allowed_protocols, Protocols::OF10_ANY);
    }

    #[test]
    fn version_and_format_consistency() {
        let err = run(&["-O", "OpenFlow13", "-F", "NXM", "show", "x"]).unwrap_err();
        assert_eq!(
            err,
            OptionError::Fatal(
                "None of the enabled OpenFlow versions (OpenFlow13) supports any of the \
                 enabled flow formats (NXM).  (Use -O to enable additional OpenFlow \
                 versions or -F to enable additional flow formats.)"
                    .into()
            )
        );
        let (o, _) = run(&["--bundle", "show", "x"]).unwrap();
        assert_eq!(o.allowed_versions, VersionSet::single(Version::Of14));
        let (o, _) = run(&["--bundle", "-O", "OpenFlow10,OpenFlow13", "show", "x"]).unwrap();
        assert!(o.allowed_versions.contains(Version::Of10));
    }

    #[test]
    fn option_errors() {
        assert_eq!(
            run(&["-t", "0", "show"]).unwrap_err(),
            OptionError::Fatal("value 0 on -t or --timeout is invalid".into())
        );
        assert_eq!(
            run(&["--color=bad"]).unwrap_err(),
            OptionError::Fatal("incorrect value `bad' for --color".into())
        );
        assert_eq!(
            run(&["--t"]).unwrap_err(),
            OptionError::Usage(
                "option '--t' is ambiguous; possibilities: '--timeout' '--timestamp'".into()
            )
        );
        assert_eq!(parse_timeout(" +5"), Some(5));
        assert_eq!(parse_timeout("99999999999"), None);
    }
}
