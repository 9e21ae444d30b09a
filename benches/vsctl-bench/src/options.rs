//! Command-line options of `vsctl-bench` and the workload sizes they set.
//!
//! The defaults keep a full run (both clients, both servers, both workloads) within
//! about three minutes on a 2-core machine, most of it the reference client at scale;
//! every size can be changed for a longer or a tinier run.

use std::path::PathBuf;
use std::time::Duration;

use ovsdb_bench::options::{count, seconds};
use testkit::real_ovs;

/// Workload sizes and the external tools used.
#[derive(Clone, Debug)]
pub struct Config {
    /// Workload 1 times the add-port that adds the Nth port, for each N here
    /// (strictly increasing).
    pub points: Vec<usize>,
    /// Invocations timed around each point; the median is reported.
    pub runs: usize,
    /// Workload 2 loads the database to this many Port + Interface rows...
    pub scale_rows: usize,
    /// ...then times this many add-ports per client and server; the median is reported.
    pub scale_runs: usize,
    /// Ports (and as many interfaces) per bulk-loading transaction.
    pub bulk_batch: usize,
    /// Longest wait for one reply, server start or client run.
    pub timeout: Duration,
    pub ovsdb_tool: PathBuf,
    pub schema: PathBuf,
    /// The client that runs `init` and `add-br br0` on every fresh database, so every
    /// database starts the same whichever client is measured on it.
    pub setup_vsctl: PathBuf,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            points: vec![1, 100, 1000],
            runs: 5,
            scale_rows: 50_000,
            scale_runs: 5,
            bulk_batch: 2500,
            timeout: Duration::from_secs(60),
            ovsdb_tool: PathBuf::from(real_ovs::OVSDB_TOOL),
            schema: PathBuf::from(real_ovs::VSWITCH_SCHEMA),
            setup_vsctl: PathBuf::from(real_ovs::OVS_VSCTL),
        }
    }
}

impl Config {
    /// What the OVSDB benchmark's server launcher needs from us.
    pub fn server_config(&self) -> ovsdb_bench::options::Config {
        ovsdb_bench::options::Config {
            timeout: self.timeout,
            ovsdb_tool: self.ovsdb_tool.clone(),
            schema: self.schema.clone(),
            ..ovsdb_bench::options::Config::default()
        }
    }
}

/// Everything the command line says.
#[derive(Clone, Debug)]
pub struct Options {
    pub config: Config,
    /// The reference client.
    pub theirs_vsctl: PathBuf,
    /// Our client, or why it is not run (`--no-ours-vsctl[=REASON]`).
    pub ours_vsctl: Result<PathBuf, String>,
    /// The reference server.
    pub theirs_server: PathBuf,
    /// Our server, or why it is not run (`--no-ours-server[=REASON]`).
    pub ours_server: Result<PathBuf, String>,
    pub markdown: bool,
    pub help: bool,
}

pub const USAGE: &str = "\
usage: vsctl-bench [OPTIONS]

Times `ovs-vsctl --no-wait add-port br0 pN` for the real client and ours, each
against the real ovsdb-server and ours (each pair on its own fresh database), and
prints the figures side by side with the ratio ours/theirs.

Clients, servers and tools:
  --theirs-vsctl=PATH        reference client (default /usr/bin/ovs-vsctl)
  --ours-vsctl=PATH          our client (default: ovs-vsctl next to this binary)
  --no-ours-vsctl[=REASON]   do not run our client; REASON is reported for it
  --theirs-server=PATH       reference server (default /usr/sbin/ovsdb-server)
  --ours-server=PATH         our server (default: ovsdb-server next to this binary)
  --no-ours-server[=REASON]  do not run our server; REASON is reported for it
  --ovsdb-tool=PATH          creates every database (default /usr/bin/ovsdb-tool)
  --schema=PATH              schema (default /usr/share/openvswitch/vswitch.ovsschema)

Sizes:
  --points=N,N,...     time the add-port of the Nth port for each N (default 1,100,1000)
  --runs=N             add-ports timed around each point, median reported (default 5)
  --scale-rows=N       Port+Interface rows loaded for the at-scale add-port (default 50000)
  --scale-runs=N       add-ports timed at scale per pair, median reported (default 5)
  --bulk-batch=N       ports (and interfaces) per bulk-loading transaction (default 2500)
  --timeout=S          longest wait for one reply or client run (default 60)

Output:
  --markdown           print the results as a markdown table on stdout
  -h, --help           this text
";

impl Options {
    pub fn parse<I: IntoIterator<Item = String>>(args: I) -> Result<Options, String> {
        let mut o = Options {
            config: Config::default(),
            theirs_vsctl: PathBuf::from(real_ovs::OVS_VSCTL),
            ours_vsctl: Err(String::new()),
            theirs_server: PathBuf::from(real_ovs::OVSDB_SERVER),
            ours_server: Err(String::new()),
            markdown: false,
            help: false,
        };
        let mut ours_vsctl: Option<PathBuf> = None;
        let mut ours_server: Option<PathBuf> = None;
        let mut no_ours_vsctl: Option<String> = None;
        let mut no_ours_server: Option<String> = None;
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            let (name, inline) = match arg.split_once('=') {
                Some((n, v)) => (n.to_string(), Some(v.to_string())),
                None => (arg.clone(), None),
            };
            match name.as_str() {
                "-h" | "--help" | "--markdown" if inline.is_some() => {
                    return Err(format!("option \"{name}\" takes no value"))
                }
                "-h" | "--help" => o.help = true,
                "--markdown" => o.markdown = true,
                "--no-ours-vsctl" => {
                    no_ours_vsctl =
                        Some(inline.unwrap_or_else(|| "not run (--no-ours-vsctl)".into()))
                }
                "--no-ours-server" => {
                    no_ours_server =
                        Some(inline.unwrap_or_else(|| "not run (--no-ours-server)".into()))
                }
                _ => {
                    let Some(key) = name.strip_prefix("--") else {
                        return Err(format!("unexpected argument \"{arg}\" (try --help)"));
                    };
                    if !WITH_VALUE.contains(&key) {
                        return Err(format!("unknown option \"{name}\" (try --help)"));
                    }
                    let value = match inline {
                        Some(v) => v,
                        None => args
                            .next()
                            .ok_or_else(|| format!("option \"{name}\" needs a value"))?,
                    };
                    let c = &mut o.config;
                    match key {
                        "theirs-vsctl" => {
                            o.theirs_vsctl = PathBuf::from(&value);
                            c.setup_vsctl = PathBuf::from(value);
                        }
                        "ours-vsctl" => ours_vsctl = Some(PathBuf::from(value)),
                        "theirs-server" => o.theirs_server = PathBuf::from(value),
                        "ours-server" => ours_server = Some(PathBuf::from(value)),
                        "ovsdb-tool" => c.ovsdb_tool = PathBuf::from(value),
                        "schema" => c.schema = PathBuf::from(value),
                        "points" => c.points = points(&name, &value)?,
                        "runs" => c.runs = count(&name, &value)?,
                        "scale-rows" => c.scale_rows = count(&name, &value)?,
                        "scale-runs" => c.scale_runs = count(&name, &value)?,
                        "bulk-batch" => c.bulk_batch = count(&name, &value)?,
                        "timeout" => c.timeout = seconds(&name, &value)?,
                        _ => unreachable!("every name in WITH_VALUE is handled"),
                    }
                }
            }
        }
        o.ours_vsctl = ours(ours_vsctl, no_ours_vsctl, "vsctl", "ovs-vsctl")?;
        o.ours_server = ours(ours_server, no_ours_server, "server", "ovsdb-server")?;
        Ok(o)
    }
}

const WITH_VALUE: &[&str] = &[
    "theirs-vsctl",
    "ours-vsctl",
    "theirs-server",
    "ours-server",
    "ovsdb-tool",
    "schema",
    "points",
    "runs",
    "scale-rows",
    "scale-runs",
    "bulk-batch",
    "timeout",
];

/// Our binary: the path given, the reason it is not run, or by default `binary` in
/// the directory of this one (`cargo build --release` puts them all in
/// `target/release`).
fn ours(
    path: Option<PathBuf>,
    not_run: Option<String>,
    what: &str,
    binary: &str,
) -> Result<Result<PathBuf, String>, String> {
    match (path, not_run) {
        (Some(_), Some(_)) => Err(format!(
            "--ours-{what} and --no-ours-{what} contradict each other"
        )),
        (Some(p), None) => Ok(Ok(p)),
        (None, Some(reason)) => Ok(Err(reason)),
        (None, None) => {
            let exe = std::env::current_exe().map_err(|e| {
                format!("cannot locate this binary to find {binary} next to it ({e}); pass --ours-{what}=PATH")
            })?;
            Ok(Ok(exe.with_file_name(binary)))
        }
    }
}

/// Strictly increasing positive whole numbers, comma-separated.
fn points(name: &str, value: &str) -> Result<Vec<usize>, String> {
    let list = value
        .split(',')
        .map(|p| count(name, p.trim()))
        .collect::<Result<Vec<usize>, String>>()?;
    if !list.windows(2).all(|w| w[0] < w[1]) {
        return Err(format!("{name}: \"{value}\" is not strictly increasing"));
    }
    Ok(list)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Options, String> {
        Options::parse(args.iter().map(|s| s.to_string()))
    }

    #[test]
    fn defaults_are_the_documented_sizes() {
        let o = parse(&[]).unwrap();
        assert_eq!(o.config.points, [1, 100, 1000]);
        assert_eq!(o.config.runs, 5);
        assert_eq!(o.config.scale_rows, 50_000);
        assert_eq!(o.config.scale_runs, 5);
        assert_eq!(o.config.bulk_batch, 2500);
        assert_eq!(o.theirs_vsctl, PathBuf::from(real_ovs::OVS_VSCTL));
        assert_eq!(o.config.setup_vsctl, o.theirs_vsctl);
        assert_eq!(o.theirs_server, PathBuf::from(real_ovs::OVSDB_SERVER));
        let ours = o.ours_vsctl.unwrap();
        assert_eq!(ours.file_name().unwrap(), "ovs-vsctl");
        assert_eq!(o.ours_server.unwrap().parent(), ours.parent());
        assert!(!o.markdown && !o.help);
    }

    #[test]
    fn values_inline_or_separate() {
        let o = parse(&[
            "--ours-vsctl=/x/ovs-vsctl",
            "--no-ours-server=build failed",
            "--points",
            "1, 10,50",
            "--runs=3",
            "--scale-rows",
            "1000",
            "--timeout=0.5",
            "--markdown",
        ])
        .unwrap();
        assert_eq!(o.ours_vsctl, Ok(PathBuf::from("/x/ovs-vsctl")));
        assert_eq!(o.ours_server, Err("build failed".into()));
        assert_eq!(o.config.points, [1, 10, 50]);
        assert_eq!(o.config.runs, 3);
        assert_eq!(o.config.scale_rows, 1000);
        assert_eq!(o.config.timeout, Duration::from_millis(500));
        assert!(o.markdown);
        let o = parse(&["--no-ours-vsctl"]).unwrap();
        assert_eq!(o.ours_vsctl, Err("not run (--no-ours-vsctl)".into()));
    }

    #[test]
    fn theirs_vsctl_also_sets_up_the_databases() {
        let o = parse(&["--theirs-vsctl=/opt/ovs/bin/ovs-vsctl"]).unwrap();
        assert_eq!(
            o.config.setup_vsctl,
            PathBuf::from("/opt/ovs/bin/ovs-vsctl")
        );
    }

    #[test]
    fn bad_arguments_say_what_is_wrong() {
        let e = parse(&["--runs=0"]).unwrap_err();
        assert!(e.contains("--runs") && e.contains("positive"), "{e}");
        let e = parse(&["--points=1,100,100"]).unwrap_err();
        assert!(e.contains("strictly increasing"), "{e}");
        let e = parse(&["--points=1,x"]).unwrap_err();
        assert!(e.contains("\"x\""), "{e}");
        let e = parse(&["--frobnicate"]).unwrap_err();
        assert!(e.contains("unknown option \"--frobnicate\""), "{e}");
        let e = parse(&["--scale-runs"]).unwrap_err();
        assert!(e.contains("needs a value"), "{e}");
        let e = parse(&["--markdown=x"]).unwrap_err();
        assert!(e.contains("takes no value"), "{e}");
        let e = parse(&["--no-ours-vsctl", "--ours-vsctl=/x"]).unwrap_err();
        assert!(e.contains("contradict"), "{e}");
        let e = parse(&["stray"]).unwrap_err();
        assert!(e.contains("unexpected argument \"stray\""), "{e}");
    }
}
