//! `ovsdb-server` command-line options, parsed with the shared GNU-style getopt so
//! abbreviations and error texts match the reference.

use ovs_daemon::getopt::{Getopt, HasArg, Opt};
use ovs_daemon::{daemon, vlog, DaemonOptions};
use std::path::PathBuf;

#[derive(Debug, Clone)]
pub struct Options {
    pub databases: Vec<PathBuf>,
    pub remotes: Vec<String>,
    pub daemon: DaemonOptions,
    /// SSL options are accepted for compatibility (ovs-ctl passes them) and unused
    /// until SSL support lands.
    pub ssl_options: Vec<String>,
    pub help: bool,
    pub version: bool,
}

/// The server's own options (daemon and logging options come from `ovs-daemon`).
const OWN: &[Opt] = &[
    Opt::new("remote", None, HasArg::Required),
    Opt::new("private-key", Some('p'), HasArg::Required),
    Opt::new("certificate", Some('c'), HasArg::Required),
    Opt::new("ca-cert", Some('C'), HasArg::Required),
    Opt::new("bootstrap-ca-cert", None, HasArg::Required),
    Opt::new("peer-ca-cert", None, HasArg::Required),
    Opt::new("ssl-protocols", None, HasArg::Required),
    Opt::new("ssl-ciphers", None, HasArg::Required),
    Opt::new("ssl-ciphersuites", None, HasArg::Required),
    Opt::new("disable-file-column-diff", None, HasArg::No),
    Opt::new("help", Some('h'), HasArg::No),
    Opt::new("version", Some('V'), HasArg::No),
];

impl Options {
    /// Parses the arguments after the program name. Logging options take effect as
    /// they are parsed.
    pub fn parse(args: Vec<String>) -> Result<Options, String> {
        let table: Vec<Opt> = daemon::OPTIONS
            .iter()
            .chain(vlog::OPTIONS.iter())
            .chain(OWN.iter())
            .copied()
            .collect();
        let mut o = Options {
            databases: Vec::new(),
            remotes: Vec::new(),
            daemon: DaemonOptions::new("ovsdb-server"),
            ssl_options: Vec::new(),
            help: false,
            version: false,
        };
        let mut getopt = Getopt::new(args, &table, true);
        for item in getopt.by_ref() {
            let parsed = item?;
            let value = parsed.value.as_deref();
            match parsed.name {
                "remote" => o.remotes.push(value.unwrap_or_default().to_owned()),
                "help" => o.help = true,
                "version" => o.version = true,
                // The reference's default since 2.15; nothing to turn off here.
                "disable-file-column-diff" => {}
                "private-key" | "certificate" | "ca-cert" | "bootstrap-ca-cert"
                | "peer-ca-cert" | "ssl-protocols" | "ssl-ciphers" | "ssl-ciphersuites" => o
                    .ssl_options
                    .push(format!("--{}={}", parsed.name, value.unwrap_or_default())),
                name => {
                    if !o.daemon.handle_option(name, value)? && !vlog::handle_option(name, value)? {
                        return Err(format!("unhandled option '--{name}'"));
                    }
                }
            }
        }
        o.databases = getopt.operands().into_iter().map(PathBuf::from).collect();
        Ok(o)
    }
}

pub fn usage() -> String {
    format!(
        "ovsdb-server: Open vSwitch database server\n\
         usage: ovsdb-server [OPTIONS] [DATABASE...]\n\
         where each DATABASE is a database file in ovsdb format.\n\
         The default DATABASE, if none is given, is\n  {}/conf.db.\n\
         \nJSON-RPC options (may be specified any number of times):\n  \
         --remote=REMOTE         connect or listen to REMOTE\n\
         {}{}\nOther options:\n  \
         -h, --help              display this help message\n  \
         -V, --version           display version information\n",
        ovs_daemon::dirs::dbdir().display(),
        DaemonOptions::new("ovsdb-server").usage(),
        vlog::usage(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Options, String> {
        Options::parse(args.iter().map(|s| s.to_string()).collect())
    }

    #[test]
    fn ovs_ctl_command_line_parses() {
        let o = parse(&[
            "/etc/openvswitch/conf.db",
            "--remote=punix:/var/run/openvswitch/db.sock",
            "--remote=db:Open_vSwitch,Open_vSwitch,manager_options",
            "--private-key=db:Open_vSwitch,SSL,private_key",
            "--certificate=db:Open_vSwitch,SSL,certificate",
            "--bootstrap-ca-cert=db:Open_vSwitch,SSL,ca_cert",
            "--no-chdir",
            "--pidfile=/var/run/openvswitch/ovsdb-server.pid",
            "--detach",
            "--monitor",
        ])
        .unwrap();
        assert_eq!(o.databases.len(), 1);
        assert_eq!(o.remotes.len(), 2);
        assert!(o.daemon.detach && o.daemon.monitor && !o.daemon.chdir);
        assert_eq!(o.ssl_options.len(), 3);
    }

    #[test]
    fn values_prefixes_and_errors() {
        let o = parse(&["--remote", "ptcp:0", "--pid", "x.db"]).unwrap();
        assert_eq!(o.remotes, ["ptcp:0"]);
        assert!(o.daemon.pidfile.is_some());
        assert_eq!(o.databases, [PathBuf::from("x.db")]);
        assert!(parse(&["--bogus"]).unwrap_err().contains("--bogus"));
        assert!(parse(&["--remote"])
            .unwrap_err()
            .contains("requires an argument"));
    }
}
