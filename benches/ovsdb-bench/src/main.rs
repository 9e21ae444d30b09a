//! `ovsdb-bench`: runs the OVSDB workloads against the real ovsdb-server and ours and
//! prints both figures side by side. Progress goes to stderr, the table to stdout.

use std::process::ExitCode;
use std::time::Instant;

use ovsdb_bench::compare::{self, Outcomes};
use ovsdb_bench::options::{Options, USAGE};
use ovsdb_bench::report;
use ovsdb_bench::server::ServerSpec;

fn main() -> ExitCode {
    let opts = match Options::parse(std::env::args().skip(1)) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("ovsdb-bench: {e}");
            return ExitCode::from(2);
        }
    };
    if opts.help {
        print!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    let cfg = &opts.config;
    let load_before = load_average();

    let theirs_spec = ServerSpec {
        binary: opts.theirs.clone(),
    };
    let ours_spec = opts.ours.clone().map(|binary| ServerSpec { binary });
    eprintln!(
        "ovsdb-bench: theirs = {}, ours = {}",
        opts.theirs.display(),
        match &opts.ours {
            Ok(p) => p.display().to_string(),
            Err(e) => format!("none ({e})"),
        }
    );
    let started = Instant::now();
    let outcomes = compare::run(
        &theirs_spec,
        ours_spec.as_ref().map_err(Clone::clone),
        cfg,
        &mut |step| {
            eprintln!("  {step} (at {:.1} s)", started.elapsed().as_secs_f64());
        },
    );
    let Outcomes { theirs, ours } = match outcomes {
        Ok(o) => o,
        Err(e) => {
            // Without the reference there is nothing to compare against.
            eprintln!("ovsdb-bench: {e}");
            return ExitCode::FAILURE;
        }
    };
    eprintln!("  done in {:.1} s", started.elapsed().as_secs_f64());
    if let Err(e) = &ours {
        eprintln!("ours: unavailable ({e})");
    }

    // Other work on the machine moves the figures; say how busy it was.
    let machine = format!(
        "machine: {} cores, load average {} at start, {} at end",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        load_before,
        load_average()
    );
    if opts.markdown {
        print!("{}", report::render_markdown(cfg, &theirs, &ours));
        println!("\n{machine}");
    } else {
        print!("{}", report::render_text(cfg, &theirs, &ours));
        println!("{machine}");
    }
    ExitCode::SUCCESS
}

/// The 1-minute load average, or "unknown".
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next().map(str::to_string))
        .unwrap_or_else(|| "unknown".into())
}
