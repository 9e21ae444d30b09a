//! Command-line options of `ovsdb-bench` and the workload sizes they set.
//!
//! The defaults keep a full run (both servers, every workload) within about three
//! minutes on a 2-core machine; every size can be changed for a longer or a tinier run.

use std::path::PathBuf;
use std::time::Duration;
use testkit::real_ovs;

/// What workload 1 does in each transaction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SingleOp {
    /// Rewrites `external_ids` of the one `Open_vSwitch` row: the database stays the
    /// same size however long the run.
    Update,
    /// Inserts one `QoS` row (a root table, so it stays): the database grows by one
    /// row per transaction.
    Insert,
}

/// Workload sizes and the external tools used.
#[derive(Clone, Debug)]
pub struct Config {
    /// Workload 1 runs this long...
    pub txn_duration: Duration,
    /// ...or stops after this many transactions, whichever comes first.
    pub txn_max: Option<u64>,
    pub single_op: SingleOp,
    /// Ports (and as many interfaces) per bulk transaction.
    pub bulk_batch: usize,
    /// Workload 2 inserts Port + Interface rows until at least this many exist; `ovs-vsctl
    /// show` (workload 4) then runs against that database.
    pub bulk_rows: usize,
    /// Workload 3 grows the same database to at least this many rows before reading RSS.
    pub rss_rows: usize,
    pub show_runs: usize,
    pub monitors: usize,
    pub commits: usize,
    /// Longest wait for any one reply, server start or tool run.
    pub timeout: Duration,
    pub ovsdb_tool: PathBuf,
    pub schema: PathBuf,
    pub vsctl: PathBuf,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            txn_duration: Duration::from_secs(5),
            txn_max: None,
            single_op: SingleOp::Update,
            bulk_batch: 2500,
            bulk_rows: 50_000,
            rss_rows: 100_000,
            show_runs: 5,
            monitors: 100,
            commits: 200,
            timeout: Duration::from_secs(120),
            ovsdb_tool: PathBuf::from(real_ovs::OVSDB_TOOL),
            schema: PathBuf::from(real_ovs::VSWITCH_SCHEMA),
            vsctl: PathBuf::from(real_ovs::OVS_VSCTL),
        }
    }
}

/// Everything the command line says.
#[derive(Clone, Debug)]
pub struct Options {
    pub config: Config,
    /// The reference server.
    pub theirs: PathBuf,
    /// Our server, or why it is not run (`--no-ours[=REASON]`).
    pub ours: Result<PathBuf, String>,
    pub markdown: bool,
    pub help: bool,
}

pub const USAGE: &str = "\
usage: ovsdb-bench [OPTIONS]

Runs the OVSDB workloads against the real ovsdb-server and against ours, each in a
fresh temporary directory, and prints both figures with their ratio (ours/theirs).

Servers and tools:
  --theirs=PATH        reference server (default /usr/sbin/ovsdb-server)
  --ours=PATH          our server (default: ovsdb-server next to this binary)
  --no-ours[=REASON]   run the reference only; REASON is reported for ours
  --ovsdb-tool=PATH    creates both databases (default /usr/bin/ovsdb-tool)
  --schema=PATH        schema for both (default /usr/share/openvswitch/vswitch.ovsschema)
  --vsctl=PATH         ovs-vsctl for the show workload (default /usr/bin/ovs-vsctl)

Sizes:
  --txn-seconds=S      single-row transactions: run S seconds per server (default 5)
  --txn-count=N        ... or stop after about N, whichever comes first
  --single-op=OP       update (rewrite one row, default) or insert (one QoS row each)
  --bulk-batch=N       ports (and interfaces) per bulk transaction (default 2500)
  --bulk-rows=N        bulk insert until N Port+Interface rows (default 50000)
  --rss-rows=N         read the server's RSS at N rows (default 100000)
  --show-runs=N        ovs-vsctl show runs, median reported (default 5)
  --monitors=N         monitoring clients (default 100)
  --commits=N          commits measured for update latency (default 200)
  --timeout=S          longest wait for one reply or tool run (default 120)

Output:
  --markdown           print the results as a markdown table on stdout
  -h, --help           this text
";

impl Options {
    pub fn parse<I: IntoIterator<Item = String>>(args: I) -> Result<Options, String> {
        let mut o = Options {
            config: Config::default(),
            theirs: PathBuf::from(real_ovs::OVSDB_SERVER),
            ours: Err(String::new()),
            markdown: false,
            help: false,
        };
        let mut ours_set = false;
        let mut no_ours: Option<String> = None;
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            let (name, inline) = match arg.split_once('=') {
                Some((n, v)) => (n.to_string(), Some(v.to_string())),
                None => (arg.clone(), None),
            };
            let c = &mut o.config;
            if FLAGS.contains(&name.as_str()) && name != "--no-ours" && inline.is_some() {
                return Err(format!("option \"{name}\" takes no value"));
            }
            match name.as_str() {
                "-h" | "--help" => o.help = true,
                "--markdown" => o.markdown = true,
                "--no-ours" => {
                    no_ours = Some(inline.unwrap_or_else(|| "not run (--no-ours)".into()))
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
                    match key {
                        "theirs" => o.theirs = PathBuf::from(value),
                        "ours" => {
                            o.ours = Ok(PathBuf::from(value));
                            ours_set = true;
                        }
                        "ovsdb-tool" => c.ovsdb_tool = PathBuf::from(value),
                        "schema" => c.schema = PathBuf::from(value),
                        "vsctl" => c.vsctl = PathBuf::from(value),
                        "txn-seconds" => c.txn_duration = seconds(&name, &value)?,
                        "txn-count" => c.txn_max = Some(count(&name, &value)? as u64),
                        "single-op" => {
                            c.single_op = match value.as_str() {
                                "update" => SingleOp::Update,
                                "insert" => SingleOp::Insert,
                                _ => {
                                    return Err(format!(
                                        "{name}: \"{value}\" is neither update nor insert"
                                    ))
                                }
                            }
                        }
                        "bulk-batch" => c.bulk_batch = count(&name, &value)?,
                        "bulk-rows" => c.bulk_rows = count(&name, &value)?,
                        "rss-rows" => c.rss_rows = count(&name, &value)?,
                        "show-runs" => c.show_runs = count(&name, &value)?,
                        "monitors" => c.monitors = count(&name, &value)?,
                        "commits" => c.commits = count(&name, &value)?,
                        "timeout" => c.timeout = seconds(&name, &value)?,
                        _ => unreachable!("every name in WITH_VALUE is handled"),
                    }
                }
            }
        }
        if let Some(reason) = no_ours {
            if ours_set {
                return Err("--ours and --no-ours contradict each other".into());
            }
            o.ours = Err(reason);
        } else if !ours_set {
            o.ours = Ok(default_ours()?);
        }
        Ok(o)
    }
}

const FLAGS: &[&str] = &["-h", "--help", "--markdown", "--no-ours"];

const WITH_VALUE: &[&str] = &[
    "theirs",
    "ours",
    "ovsdb-tool",
    "schema",
    "vsctl",
    "txn-seconds",
    "txn-count",
    "single-op",
    "bulk-batch",
    "bulk-rows",
    "rss-rows",
    "show-runs",
    "monitors",
    "commits",
    "timeout",
];

/// `ovsdb-server` in the directory of this binary: `cargo build --release` puts both
/// in `target/release`.
fn default_ours() -> Result<PathBuf, String> {
    let exe = std::env::current_exe().map_err(|e| {
        format!("cannot locate this binary to find ours next to it ({e}); pass --ours=PATH")
    })?;
    Ok(exe.with_file_name("ovsdb-server"))
}

/// A positive whole number (option value parser, shared with the other benches).
pub fn count(name: &str, value: &str) -> Result<usize, String> {
    match value.parse::<usize>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(format!(
            "{name}: \"{value}\" is not a positive whole number"
        )),
    }
}

/// A positive number of seconds, fractions allowed (shared with the other benches).
pub fn seconds(name: &str, value: &str) -> Result<Duration, String> {
    match value.parse::<f64>() {
        Ok(s) if s > 0.0 && s.is_finite() => Ok(Duration::from_secs_f64(s)),
        _ => Err(format!(
            "{name}: \"{value}\" is not a positive number of seconds"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Options, String> {
        Options::parse(args.iter().map(|s| s.to_string()))
    }

    #[test]
    fn defaults_are_the_documented_sizes() {
        let o = parse(&["--no-ours"]).unwrap();
        assert_eq!(o.config.bulk_batch, 2500);
        assert_eq!(o.config.bulk_rows, 50_000);
        assert_eq!(o.config.rss_rows, 100_000);
        assert_eq!(o.config.monitors, 100);
        assert_eq!(o.config.commits, 200);
        assert_eq!(o.config.single_op, SingleOp::Update);
        assert_eq!(o.ours, Err("not run (--no-ours)".into()));
        let o = parse(&["--no-ours=build failed"]).unwrap();
        assert_eq!(o.ours, Err("build failed".into()));
        assert!(!o.markdown);
    }

    #[test]
    fn values_inline_or_separate() {
        let o = parse(&[
            "--ours=/x/ovsdb-server",
            "--bulk-rows",
            "1000",
            "--txn-seconds=0.5",
            "--single-op=insert",
            "--markdown",
        ])
        .unwrap();
        assert_eq!(o.ours, Ok(PathBuf::from("/x/ovsdb-server")));
        assert_eq!(o.config.bulk_rows, 1000);
        assert_eq!(o.config.txn_duration, Duration::from_millis(500));
        assert_eq!(o.config.single_op, SingleOp::Insert);
        assert!(o.markdown);
    }

    #[test]
    fn bad_arguments_say_what_is_wrong() {
        let e = parse(&["--bulk-rows=0"]).unwrap_err();
        assert!(e.contains("--bulk-rows") && e.contains("positive"), "{e}");
        let e = parse(&["--frobnicate"]).unwrap_err();
        assert!(e.contains("unknown option \"--frobnicate\""), "{e}");
        let e = parse(&["--monitors"]).unwrap_err();
        assert!(e.contains("needs a value"), "{e}");
        let e = parse(&["--single-op=delete"]).unwrap_err();
        assert!(e.contains("delete"), "{e}");
        let e = parse(&["--markdown=x"]).unwrap_err();
        assert!(e.contains("takes no value"), "{e}");
        let e = parse(&["--no-ours", "--ours=/x"]).unwrap_err();
        assert!(e.contains("contradict"), "{e}");
    }
}
