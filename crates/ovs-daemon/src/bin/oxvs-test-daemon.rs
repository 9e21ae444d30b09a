//! A minimal daemon built on ovs-daemon, for integration tests: it accepts the
//! daemon and logging options and serves a few unixctl commands.
//!
//! Commands: `exit`, `echo [ARG...]` (the arguments, space-separated), `fail [TEXT]`
//! (an error), `log LEVEL TEXT` (logs TEXT in module `test_daemon`), `later [ARG...]`
//! (answered by the main loop), `nonl` (a result without a trailing newline),
//! `crash` (aborts).
//!
//! Extra options: `--fail-before-ready=CODE` exits with CODE before becoming ready;
//! `--crash-before-ready` aborts before becoming ready.

use std::sync::mpsc;
use std::sync::Mutex;

use ovs_daemon::getopt::{Getopt, HasArg, Opt};
use ovs_daemon::unixctl::{Reply, UNLIMITED};
use ovs_daemon::vlog::{self, Level};
use ovs_daemon::{daemon, Daemon, DaemonOptions};

static LOG: vlog::Module = vlog::Module::new("test_daemon");
const PROGRAM: &str = "oxvs-test-daemon";

enum Event {
    Exit,
    Later(Vec<String>, Reply),
}

fn main() {
    vlog::init(PROGRAM, &[&LOG]);
    let mut opts = DaemonOptions::new(PROGRAM);
    let own = [
        Opt::new("fail-before-ready", None, HasArg::Required),
        Opt::new("crash-before-ready", None, HasArg::No),
        Opt::new("help", Some('h'), HasArg::No),
    ];
    let table: Vec<Opt> = daemon::OPTIONS
        .iter()
        .chain(vlog::OPTIONS.iter())
        .chain(own.iter())
        .copied()
        .collect();
    let mut fail_code = None;
    let mut crash = false;
    let mut getopt = Getopt::new(std::env::args().skip(1).collect(), &table, true);
    for item in getopt.by_ref() {
        let parsed = item.unwrap_or_else(|e| {
            eprintln!("{PROGRAM}: {e}");
            std::process::exit(1)
        });
        let value = parsed.value.as_deref();
        let handled = match parsed.name {
            "fail-before-ready" => {
                fail_code = value.and_then(|v| v.parse::<i32>().ok());
                Ok(true)
            }
            "crash-before-ready" => {
                crash = true;
                Ok(true)
            }
            "help" => {
                print!(
                    "{PROGRAM}: a test daemon\n{}{}",
                    opts.usage(),
                    vlog::usage()
                );
                std::process::exit(0)
            }
            name => match opts.handle_option(name, value) {
                Ok(true) => Ok(true),
                Ok(false) => vlog::handle_option(name, value),
                Err(e) => Err(e),
            },
        };
        if let Err(e) = handled {
            eprintln!("{PROGRAM}: {e}");
            std::process::exit(1);
        }
    }
    if !getopt.operands().is_empty() {
        eprintln!("{PROGRAM}: no arguments expected");
        std::process::exit(1);
    }

    let mut daemon = Daemon::start(&opts);
    let (tx, rx) = mpsc::channel::<Event>();
    // The loop below runs until `exit`: keep a sender alive for as long, even without a
    // control socket (whose commands hold the others).
    let _keep_running = tx.clone();
    let exit_tx = Mutex::new(tx.clone());
    let tx = Mutex::new(tx);
    let server = daemon.start_unixctl(|server| {
        server.register("exit", "", 0, 0, move |_| {
            let _ = exit_tx
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .send(Event::Exit);
            Ok(String::new())
        });
        server.register("echo", "[ARG...]", 0, UNLIMITED, |args| Ok(args.join(" ")));
        server.register("fail", "[TEXT]", 0, 1, |args| {
            Err(args.first().cloned().unwrap_or_else(|| "failed".into()))
        });
        server.register("nonl", "", 0, 0, |_| Ok("no newline".into()));
        server.register("log", "LEVEL TEXT", 2, 2, |args| {
            let level =
                Level::from_name(&args[0]).ok_or_else(|| format!("bad level {}", args[0]))?;
            vlog::log(&LOG, level, format_args!("{}", args[1]));
            Ok(String::new())
        });
        server.register("crash", "", 0, 0, |_| std::process::abort());
        server.register_deferred("later", "[ARG...]", 0, UNLIMITED, move |args, reply| {
            let _ = tx
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .send(Event::Later(args, reply));
        });
    });
    if crash {
        std::process::abort();
    }
    if let Some(code) = fail_code {
        vlog::err!(LOG, "failing before ready as asked");
        daemon.exit(code);
    }
    vlog::info!(LOG, "{}", ovs_daemon::version_line(PROGRAM));
    daemon.ready();
    for event in rx.iter() {
        match event {
            Event::Exit => break,
            Event::Later(args, reply) => reply.ok(format!("later: {}", args.join(" "))),
        }
    }
    // Lets the answer to `exit` reach the client before the process ends.
    drop(server);
    daemon.exit(0);
}
