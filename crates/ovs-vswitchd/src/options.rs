//! `ovs-vswitchd` command-line options, parsed with the shared GNU-style getopt so
//! abbreviations and error texts match the reference.

use ovs_daemon::getopt::{Getopt, HasArg, Opt};
use ovs_daemon::{daemon, vlog, DaemonOptions};

/// `--enable-dummy[=override|system]`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum DummyMode {
    /// Dummy devices and the `dummy` datapath type are unavailable.
    #[default]
    Off,
    /// `--enable-dummy`: `dummy` types are available beside the real ones.
    On,
    /// `--enable-dummy=override`: `system` interfaces are dummy devices too.
    Override,
}

#[derive(Clone, Debug)]
pub struct Options {
    /// Where ovsdb-server listens (`unix:<rundir>/db.sock` by default).
    pub database: String,
    pub daemon: DaemonOptions,
    pub mlockall: bool,
    pub dummy: DummyMode,
    /// `--disable-system`: no kernel datapath (ours never uses one; accepted).
    pub disable_system: bool,
    /// SSL options are accepted for compatibility (ovs-ctl passes them) and unused.
    pub ssl_options: Vec<String>,
    pub help: bool,
    pub version: bool,
}

/// The program's own options (daemon and logging options come from `ovs-daemon`).
const OWN: &[Opt] = &[
    Opt::new("mlockall", None, HasArg::No),
    Opt::new("enable-dummy", None, HasArg::Optional),
    Opt::new("disable-system", None, HasArg::No),
    Opt::new("disable-system-route", None, HasArg::No),
    Opt::new("dpdk", None, HasArg::Optional),
    Opt::new("private-key", Some('p'), HasArg::Required),
    Opt::new("certificate", Some('c'), HasArg::Required),
    Opt::new("ca-cert", Some('C'), HasArg::Required),
    Opt::new("bootstrap-ca-cert", None, HasArg::Required),
    Opt::new("peer-ca-cert", None, HasArg::Required),
    Opt::new("ssl-protocols", None, HasArg::Required),
    Opt::new("ssl-ciphers", None, HasArg::Required),
    Opt::new("ssl-ciphersuites", None, HasArg::Required),
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
            database: String::new(),
            daemon: DaemonOptions::new("ovs-vswitchd"),
            mlockall: false,
            dummy: DummyMode::Off,
            disable_system: false,
            ssl_options: Vec::new(),
            help: false,
            version: false,
        };
        let mut getopt = Getopt::new(args, &table, true);
        for item in getopt.by_ref() {
            let parsed = item?;
            let value = parsed.value.as_deref();
            match parsed.name {
                "help" => o.help = true,
                "version" => o.version = true,
                "mlockall" => o.mlockall = true,
                "enable-dummy" => {
                    o.dummy = match value {
                        None | Some("system") => DummyMode::On,
                        Some("override") => DummyMode::Override,
                        Some(other) => {
                            return Err(format!(
                                "--enable-dummy: unknown value \"{other}\" (expected \"override\" or \"system\")"
                            ))
                        }
                    }
                }
                "disable-system" => o.disable_system = true,
                // Routes come from the kernel for tunnels, which oxvs does not have.
                "disable-system-route" => {}
                "dpdk" => {
                    return Err(
                        "--dpdk: DPDK is not supported by oxvs (and is configured through the database in Open vSwitch)"
                            .into(),
                    )
                }
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
        let operands = getopt.operands();
        match operands.as_slice() {
            [] => o.database = default_database(),
            [db] => o.database = db.clone(),
            _ => {
                return Err("at most one non-option argument accepted; use --help for usage".into())
            }
        }
        Ok(o)
    }
}

/// `unix:<rundir>/db.sock`.
pub fn default_database() -> String {
    format!("unix:{}/db.sock", ovs_daemon::dirs::rundir().display())
}

/// The `--help` text (same sections and first lines as the reference's).
pub fn usage() -> String {
    format!(
        "ovs-vswitchd: Open vSwitch daemon\n\
         usage: ovs-vswitchd [OPTIONS] [DATABASE]\n\
         where DATABASE is a socket on which ovsdb-server is listening\n\
         \x20     (default: \"{}\").\n\
         \nActive DATABASE connection methods:\n\
         \x20 tcp:HOST:PORT           PORT at remote HOST\n\
         \x20 ssl:HOST:PORT           SSL PORT at remote HOST (not supported yet)\n\
         \x20 unix:FILE               Unix domain socket named FILE\n\
         {}{}\nDatapath options:\n\
         \x20 --enable-dummy[=override]  enable the dummy datapath and devices\n\
         \x20                          (override: system interfaces become dummies)\n\
         \x20 --disable-system        do not use the kernel datapath\n\
         \x20 --mlockall              lock all memory into RAM\n\
         \nOther options:\n\
         \x20 --unixctl=SOCKET          override default control socket name\n\
         \x20 -h, --help                display this help message\n\
         \x20 -V, --version             display version information\n",
        default_database(),
        DaemonOptions::new("ovs-vswitchd").usage(),
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
            "unix:/var/run/openvswitch/db.sock",
            "-vconsole:emer",
            "-vsyslog:err",
            "-vfile:info",
            "--mlockall",
            "--no-chdir",
            "--pidfile=/var/run/openvswitch/ovs-vswitchd.pid",
            "--detach",
            "--monitor",
        ])
        .unwrap();
        assert_eq!(o.database, "unix:/var/run/openvswitch/db.sock");
        assert!(o.mlockall && o.daemon.detach && o.daemon.monitor && !o.daemon.chdir);
        assert_eq!(o.dummy, DummyMode::Off);
    }

    #[test]
    fn dummy_modes_and_errors() {
        assert_eq!(parse(&["--enable-dummy"]).unwrap().dummy, DummyMode::On);
        assert_eq!(
            parse(&["--enable-dummy=override", "--disable-system"])
                .unwrap()
                .dummy,
            DummyMode::Override
        );
        assert!(parse(&["--enable-dummy=bogus"]).is_err());
        assert!(parse(&["a", "b"]).unwrap_err().contains("at most one"));
        assert!(parse(&["--bogus"]).unwrap_err().contains("--bogus"));
        assert!(parse(&[]).unwrap().database.ends_with("/db.sock"));
    }
}
