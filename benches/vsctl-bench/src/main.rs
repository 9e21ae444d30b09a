//! `vsctl-bench`: times `ovs-vsctl --no-wait add-port` for the real client and ours,
//! against the real ovsdb-server and ours, and prints the figures side by side.
//! Progress goes to stderr, the table to stdout.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use ovsdb_bench::server::ServerSpec;
use vsctl_bench::compare;
use vsctl_bench::options::{Options, USAGE};
use vsctl_bench::report;
use vsctl_bench::sides::{Clients, Servers, Side};

fn main() -> ExitCode {
    let opts = match Options::parse(std::env::args().skip(1)) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("vsctl-bench: {e}");
            return ExitCode::from(2);
        }
    };
    if opts.help {
        print!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    // A missing binary of ours is "unavailable", not a failure of every run.
    let existing = |p: PathBuf| {
        if p.is_file() {
            Ok(p)
        } else {
            Err(format!("{} does not exist", p.display()))
        }
    };
    let clients = Clients {
        theirs: opts.theirs_vsctl.clone(),
        ours: opts.ours_vsctl.clone().and_then(existing),
    };
    let servers = Servers {
        theirs: ServerSpec {
            binary: opts.theirs_server.clone(),
        },
        ours: opts
            .ours_server
            .clone()
            .and_then(existing)
            .map(|binary| ServerSpec { binary }),
    };
    let describe = |r: Result<&Path, &String>| match r {
        Ok(p) => p.display().to_string(),
        Err(e) => format!("none ({e})"),
    };
    eprintln!(
        "vsctl-bench: clients: theirs = {}, ours = {}; servers: theirs = {}, ours = {}",
        clients.theirs.display(),
        describe(clients.ours.as_deref()),
        servers.theirs.binary.display(),
        describe(servers.ours.as_ref().map(|s| s.binary.as_path())),
    );

    let date = utc_now();
    let load_before = load_average();
    let started = Instant::now();
    let results = compare::run(&clients, &servers, &opts.config, &mut |step| {
        eprintln!("  {step} (at {:.1} s)", started.elapsed().as_secs_f64());
    });
    eprintln!("  done in {:.1} s", started.elapsed().as_secs_f64());
    for n in report::notes(&results) {
        eprintln!("{n}");
    }

    // Other work on the machine moves the figures; say when and how busy it was.
    let machine = format!(
        "run {date}, {:.0} s; machine: {} cores, load average {} at start, {} at end",
        started.elapsed().as_secs_f64(),
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        load_before,
        load_average()
    );
    if opts.markdown {
        print!("{}", report::render_markdown(&results));
        println!("\n{machine}");
    } else {
        print!("{}", report::render_text(&results));
        println!("{machine}");
    }
    // Without a single reference figure there was nothing to compare against.
    let reference_ran = results
        .values
        .iter()
        .any(|((_, s, c), o)| (*s, *c) == (Side::Theirs, Side::Theirs) && o.is_ok());
    if reference_ran {
        ExitCode::SUCCESS
    } else {
        eprintln!(
            "vsctl-bench: the real ovs-vsctl against the real ovsdb-server produced no figure"
        );
        ExitCode::FAILURE
    }
}

/// The 1-minute load average, or "unknown".
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next().map(str::to_string))
        .unwrap_or_else(|| "unknown".into())
}

/// Now as "YYYY-MM-DD HH:MM UTC".
fn utc_now() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let (days, rest) = (secs / 86_400, secs % 86_400);
    // Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02} UTC",
        rest / 3600,
        rest % 3600 / 60
    )
}
