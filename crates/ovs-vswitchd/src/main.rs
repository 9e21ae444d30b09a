//! `ovs-vswitchd`: the switch daemon. Everything but start-up order lives in the
//! library: options, then `Daemon::start` (fork, pidfile; before any thread), then
//! the backend and the main loop, which declares the daemon ready once the first
//! configuration is applied and reported.

use ovs_daemon::{vlog, Daemon};
use ovs_vswitchd::log::{MODULES, VSWITCHD};
use ovs_vswitchd::options::{usage, Options};

const PROGRAM: &str = "ovs-vswitchd";

fn main() {
    vlog::init(PROGRAM, &MODULES);
    let opts = match Options::parse(std::env::args().skip(1).collect()) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("{PROGRAM}: {e}");
            std::process::exit(1);
        }
    };
    if opts.help {
        print!("{}", usage());
        return;
    }
    if opts.version {
        println!("{}", ovs_daemon::version_line(PROGRAM));
        return;
    }
    let mut daemon = Daemon::start(&opts.daemon);
    let (backend, caps) = ovs_vswitchd::backend_for(&opts);
    if let Err(e) = ovs_vswitchd::vswitchd::run(&opts, &mut daemon, backend, caps) {
        vlog::log(&VSWITCHD, vlog::Level::Err, format_args!("{e}"));
        eprintln!("{PROGRAM}: {e}");
        daemon.exit(1);
    }
    daemon.exit(0);
}
