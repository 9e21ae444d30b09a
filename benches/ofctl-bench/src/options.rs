//! Command-line options of `ofctl-bench` and the workload sizes they set.

use std::path::PathBuf;
use std::time::Duration;

use testkit::real_ovs;

/// Workload sizes.
#[derive(Clone, Debug)]
pub struct Config {
    /// Flows in the file that add-flows loads and dump-flows prints.
    pub flows: usize,
    /// Timed runs per tool and workload; the median is reported.
    pub runs: usize,
    /// Longest a single run may take.
    pub timeout: Duration,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            flows: 100_000,
            runs: 3,
            timeout: Duration::from_secs(600),
        }
    }
}

/// Everything the command line says.
#[derive(Clone, Debug)]
pub struct Options {
    pub config: Config,
    /// The reference tool.
    pub theirs: PathBuf,
    /// Our tool, or why it is not run (`--no-ours[=REASON]`).
    pub ours: Result<PathBuf, String>,
    pub markdown: bool,
    pub help: bool,
}

pub const USAGE: &str = "\
usage: ofctl-bench [OPTIONS]

Times `ovs-ofctl add-flows` (plain, and `-O OpenFlow14 --bundle`) of a file of mixed
flows onto a fresh bridge, and `ovs-ofctl dump-flows` of those flows, for the real
ovs-ofctl and ours, against the real switch (ovs-vswitchd, userspace datapath, in a
private network namespace; needs root). Prints the medians side by side with the
ratio ours/theirs.

Tools:
  --theirs=PATH          reference ovs-ofctl (default /usr/bin/ovs-ofctl)
  --ours=PATH            our ovs-ofctl (default: ovs-ofctl next to this binary)
  --no-ours[=REASON]     do not run ours; REASON is reported for it

Sizes:
  --flows=N              flows in the file (default 100000)
  --runs=N               timed runs per tool and workload, median reported (default 3)
  --timeout=S            longest a single run may take (default 600)

Output:
  --markdown             print the results as a markdown table on stdout
  -h, --help             this text
";

fn count(name: &str, value: &str) -> Result<usize, String> {
    match value.parse::<usize>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(format!(
            "{name}: \"{value}\" is not a positive whole number"
        )),
    }
}

fn seconds(name: &str, value: &str) -> Result<Duration, String> {
    match value.parse::<f64>() {
        Ok(s) if s > 0.0 && s.is_finite() => Ok(Duration::from_secs_f64(s)),
        _ => Err(format!(
            "{name}: \"{value}\" is not a positive number of seconds"
        )),
    }
}

impl Options {
    pub fn parse<I: IntoIterator<Item = String>>(args: I) -> Result<Options, String> {
        let mut o = Options {
            config: Config::default(),
            theirs: PathBuf::from(real_ovs::OVS_OFCTL),
            ours: Err(String::new()),
            markdown: false,
            help: false,
        };
        let mut ours: Option<PathBuf> = None;
        let mut no_ours: Option<String> = None;
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
                "--no-ours" => {
                    no_ours = Some(inline.unwrap_or_else(|| "not run (--no-ours)".into()))
                }
                "--theirs" | "--ours" | "--flows" | "--runs" | "--timeout" => {
                    let value = match inline {
                        Some(v) => v,
                        None => args
                            .next()
                            .ok_or_else(|| format!("option \"{name}\" needs a value"))?,
                    };
                    match name.as_str() {
                        "--theirs" => o.theirs = PathBuf::from(value),
                        "--ours" => ours = Some(PathBuf::from(value)),
                        "--flows" => o.config.flows = count(&name, &value)?,
                        "--runs" => o.config.runs = count(&name, &value)?,
                        _ => o.config.timeout = seconds(&name, &value)?,
                    }
                }
                _ if name.starts_with('-') => {
                    return Err(format!("unknown option \"{name}\" (try --help)"))
                }
                _ => return Err(format!("unexpected argument \"{arg}\" (try --help)")),
            }
        }
        o.ours = match (ours, no_ours) {
            (Some(_), Some(_)) => return Err("--ours and --no-ours contradict each other".into()),
            (Some(p), None) => Ok(p),
            (None, Some(reason)) => Err(reason),
            (None, None) => {
                let exe = std::env::current_exe().map_err(|e| {
                    format!("cannot locate this binary to find ovs-ofctl next to it ({e}); pass --ours=PATH")
                })?;
                Ok(exe.with_file_name("ovs-ofctl"))
            }
        };
        Ok(o)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Options, String> {
        Options::parse(args.iter().map(|s| s.to_string()))
    }

    #[test]
    fn defaults_and_values() {
        let o = parse(&[]).unwrap();
        assert_eq!(o.config.flows, 100_000);
        assert_eq!(o.config.runs, 3);
        assert_eq!(o.theirs, PathBuf::from(testkit::real_ovs::OVS_OFCTL));
        assert_eq!(o.ours.unwrap().file_name().unwrap(), "ovs-ofctl");
        let o = parse(&[
            "--flows",
            "500",
            "--runs=1",
            "--timeout=2.5",
            "--ours=/x/ovs-ofctl",
            "--markdown",
        ])
        .unwrap();
        assert_eq!(o.config.flows, 500);
        assert_eq!(o.config.runs, 1);
        assert_eq!(o.config.timeout, Duration::from_millis(2500));
        assert_eq!(o.ours, Ok(PathBuf::from("/x/ovs-ofctl")));
        assert!(o.markdown);
        assert_eq!(
            parse(&["--no-ours=broken"]).unwrap().ours,
            Err("broken".into())
        );
    }

    #[test]
    fn bad_arguments_say_what_is_wrong() {
        assert!(parse(&["--flows=0"]).unwrap_err().contains("positive"));
        assert!(parse(&["--runs"]).unwrap_err().contains("needs a value"));
        assert!(parse(&["--frob"]).unwrap_err().contains("unknown option"));
        assert!(parse(&["stray"])
            .unwrap_err()
            .contains("unexpected argument"));
        assert!(parse(&["--ours=/x", "--no-ours"])
            .unwrap_err()
            .contains("contradict"));
        assert!(parse(&["--help=1"]).unwrap_err().contains("takes no value"));
    }
}
