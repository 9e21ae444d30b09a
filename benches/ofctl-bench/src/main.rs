//! `ofctl-bench`: times `ovs-ofctl add-flows` (plain and `--bundle`) and `dump-flows`
//! of 100,000 flows for the real tool and ours against the real switch, and prints
//! the figures side by side. Progress goes to stderr, the table to stdout.

use std::process::ExitCode;
use std::time::Instant;

use ofctl_bench::measure::{self, Tools};
use ofctl_bench::options::{Options, USAGE};
use ofctl_bench::report::{self, Side};

fn main() -> ExitCode {
    let opts = match Options::parse(std::env::args().skip(1)) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("ofctl-bench: {e}");
            return ExitCode::from(2);
        }
    };
    if opts.help {
        print!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    let ours = opts.ours.clone().and_then(|p| {
        if p.is_file() {
            Ok(p)
        } else {
            Err(format!("{} does not exist", p.display()))
        }
    });
    eprintln!(
        "ofctl-bench: theirs = {}, ours = {}",
        opts.theirs.display(),
        match &ours {
            Ok(p) => p.display().to_string(),
            Err(e) => format!("none ({e})"),
        }
    );
    let tools = Tools {
        theirs: opts.theirs.clone(),
        ours,
    };
    let started = Instant::now();
    let results = measure::run(&tools, &opts.config, &mut |step| {
        eprintln!("  {step} (at {:.1} s)", started.elapsed().as_secs_f64());
    });
    let machine = format!(
        "{:.0} s in all; machine: {} cores, load average {}",
        started.elapsed().as_secs_f64(),
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        std::fs::read_to_string("/proc/loadavg")
            .ok()
            .and_then(|s| s.split_whitespace().next().map(str::to_string))
            .unwrap_or_else(|| "unknown".into())
    );
    if opts.markdown {
        print!("{}", report::render_markdown(&results));
        println!("\n{machine}");
    } else {
        print!("{}", report::render_text(&results));
        println!("{machine}");
    }
    let reference_ran = report::Workload::ALL
        .iter()
        .any(|&w| results.figure(w, Side::Theirs).is_some());
    if reference_ran {
        ExitCode::SUCCESS
    } else {
        eprintln!("ofctl-bench: the real ovs-ofctl produced no figure");
        ExitCode::FAILURE
    }
}
