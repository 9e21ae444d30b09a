//! `ovsdb-server` command-line options, spelled as the reference spells them.

use std::path::PathBuf;

#[derive(Debug, Default, Clone)]
pub struct Options {
    pub databases: Vec<PathBuf>,
    pub remotes: Vec<String>,
    /// `--pidfile` (Some(None)) or `--pidfile=FILE`.
    pub pidfile: Option<Option<PathBuf>>,
    pub overwrite_pidfile: bool,
    pub detach: bool,
    pub monitor: bool,
    pub no_chdir: bool,
    /// `--log-file` (Some(None)) or `--log-file=FILE`.
    pub log_file: Option<Option<PathBuf>>,
    pub unixctl: Option<String>,
    pub verbose: Vec<String>,
    /// SSL options are accepted for compatibility (ovs-ctl passes them) and unused
    /// until SSL support lands.
    pub ssl_options: Vec<String>,
    pub help: bool,
    pub version: bool,
}

/// Options that take a value (as `--opt=V` or `--opt V`).
const WITH_VALUE: &[&str] = &[
    "remote",
    "unixctl",
    "private-key",
    "certificate",
    "ca-cert",
    "bootstrap-ca-cert",
    "ssl-protocols",
    "ssl-ciphers",
    "ssl-ciphersuites",
    "user",
    "config-file",
];

/// Options whose value is optional (only as `--opt=V`).
const OPTIONAL_VALUE: &[&str] = &["pidfile", "log-file", "verbose"];

const FLAGS: &[&str] = &[
    "overwrite-pidfile",
    "detach",
    "monitor",
    "no-chdir",
    "help",
    "version",
    "no-self-confinement",
    "disable-file-column-diff",
];

impl Options {
    pub fn parse<I: IntoIterator<Item = String>>(args: I) -> Result<Options, String> {
        let mut o = Options::default();
        let mut args = args.into_iter().peekable();
        while let Some(arg) = args.next() {
            if arg == "--" {
                o.databases.extend(args.by_ref().map(PathBuf::from));
                break;
            }
            if let Some(spec) = arg.strip_prefix("-v").filter(|_| !arg.starts_with("--")) {
                o.verbose.push(spec.to_owned());
                continue;
            }
            if arg == "-h" {
                o.help = true;
                continue;
            }
            if arg == "-V" {
                o.version = true;
                continue;
            }
            let Some(long) = arg.strip_prefix("--") else {
                if arg.starts_with('-') && arg.len() > 1 {
                    return Err(format!("unrecognized option '{arg}'"));
                }
                o.databases.push(PathBuf::from(arg));
                continue;
            };
            let (name, inline) = match long.split_once('=') {
                Some((n, v)) => (n, Some(v.to_owned())),
                None => (long, None),
            };
            let name = resolve(name)?;
            let value = if WITH_VALUE.contains(&name) {
                match inline {
                    Some(v) => Some(v),
                    None => Some(
                        args.next()
                            .ok_or_else(|| format!("option '--{name}' requires an argument"))?,
                    ),
                }
            } else if OPTIONAL_VALUE.contains(&name) {
                inline
            } else if inline.is_some() {
                return Err(format!("option '--{name}' doesn't allow an argument"));
            } else {
                None
            };
            match (name, value) {
                ("remote", Some(v)) => o.remotes.push(v),
                ("unixctl", v) => o.unixctl = v,
                ("pidfile", v) => o.pidfile = Some(v.map(PathBuf::from)),
                ("log-file", v) => o.log_file = Some(v.map(PathBuf::from)),
                ("verbose", v) => o.verbose.push(v.unwrap_or_default()),
                ("overwrite-pidfile", _) => o.overwrite_pidfile = true,
                ("detach", _) => o.detach = true,
                ("monitor", _) => o.monitor = true,
                ("no-chdir", _) => o.no_chdir = true,
                ("help", _) => o.help = true,
                ("version", _) => o.version = true,
                ("no-self-confinement" | "disable-file-column-diff", _) => {}
                (other, v) => o
                    .ssl_options
                    .push(format!("--{other}={}", v.unwrap_or_default())),
            }
        }
        Ok(o)
    }
}

/// Accepts unique prefixes of long options, as getopt_long does.
fn resolve(name: &str) -> Result<&'static str, String> {
    let all = WITH_VALUE.iter().chain(OPTIONAL_VALUE).chain(FLAGS);
    if let Some(exact) = all.clone().find(|n| **n == name) {
        return Ok(exact);
    }
    let matches: Vec<&&str> = all.filter(|n| n.starts_with(name)).collect();
    match matches.as_slice() {
        [one] => Ok(one),
        [] => Err(format!("unrecognized option '--{name}'")),
        _ => Err(format!("option '--{name}' is ambiguous")),
    }
}

pub const USAGE: &str = "\
ovsdb-server: Open vSwitch database server (oxvs)
usage: ovsdb-server [OPTIONS] [DATABASE...]
where each DATABASE is a database file in ovsdb format.
The default DATABASE, if none is given, is
  $OVS_DBDIR/conf.db (by default /etc/openvswitch/conf.db).

JSON-RPC options (may be specified any number of times):
  --remote=REMOTE         connect or listen to REMOTE

Daemon options:
  --detach                run in background as daemon
  --monitor               creates a process to monitor this daemon
  --no-chdir              do not chdir to '/'
  --pidfile[=FILE]        create pidfile (default: $OVS_RUNDIR/ovsdb-server.pid)
  --overwrite-pidfile     with --pidfile, start even if already running

Logging options:
  -vSPEC, --verbose=SPEC  set logging levels
  -v, --verbose           set maximum verbosity level
  --log-file[=FILE]       enable logging to specified FILE
                          (default: $OVS_LOGDIR/ovsdb-server.log)

Other options:
  --unixctl=SOCKET        override default control socket name
  -h, --help              display this help message
  -V, --version           display version information
";

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Options, String> {
        Options::parse(args.iter().map(|s| s.to_string()))
    }

    #[test]
    fn ovs_ctl_command_line_parses() {
        let o = parse(&[
            "/etc/openvswitch/conf.db",
            "-vconsole:emer",
            "-vsyslog:err",
            "-vfile:info",
            "--remote=punix:/var/run/openvswitch/db.sock",
            "--remote=db:Open_vSwitch,Open_vSwitch,manager_options",
            "--private-key=db:Open_vSwitch,SSL,private_key",
            "--certificate=db:Open_vSwitch,SSL,certificate",
            "--bootstrap-ca-cert=db:Open_vSwitch,SSL,ca_cert",
            "--no-chdir",
            "--log-file=/var/log/openvswitch/ovsdb-server.log",
            "--pidfile=/var/run/openvswitch/ovsdb-server.pid",
            "--detach",
            "--monitor",
        ])
        .unwrap();
        assert_eq!(o.databases.len(), 1);
        assert_eq!(o.remotes.len(), 2);
        assert_eq!(o.verbose, ["console:emer", "syslog:err", "file:info"]);
        assert!(o.detach && o.monitor && o.no_chdir);
        assert_eq!(o.ssl_options.len(), 3);
    }

    #[test]
    fn values_prefixes_and_errors() {
        let o = parse(&["--remote", "ptcp:0", "--pid", "--log-file", "x.db"]).unwrap();
        assert_eq!(o.remotes, ["ptcp:0"]);
        assert_eq!(o.pidfile, Some(None));
        assert_eq!(o.log_file, Some(None));
        assert_eq!(o.databases, [PathBuf::from("x.db")]);
        assert_eq!(
            parse(&["--bogus"]).unwrap_err(),
            "unrecognized option '--bogus'"
        );
        assert_eq!(
            parse(&["--remote"]).unwrap_err(),
            "option '--remote' requires an argument"
        );
        assert_eq!(
            parse(&["--detach=1"]).unwrap_err(),
            "option '--detach' doesn't allow an argument"
        );
    }
}
