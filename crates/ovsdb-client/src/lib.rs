//! `ovsdb-client`: the command-line client for OVSDB servers, compatible with Open
//! vSwitch's (same commands, options, output and exit statuses).
//!
//! The binary is a thin shell over [`main`]. A run parses options
//! ([`options`]), connects to the server ([`connect`], [`rpc`]), picks the database
//! ([`session`]) and runs one command from [`commands`]. Output goes through the
//! shared table formatter (`ovs-table`); where the reference prints things in the
//! order of its internal hash maps, `ovs_hash_order` reproduces that order. Option
//! scanning, logging and directories are `ovs_daemon`'s (`getopt`, [`vlog`], `dirs`).

pub mod cells;
pub mod commands;
pub mod condition;
pub mod connect;
pub mod error;
pub mod help;
pub mod options;
pub mod rpc;
pub mod schema;
pub mod session;
pub mod signals;
pub mod vlog;

use error::{Fatal, Result};
use options::{OptionError, Parsed};
use session::Ctx;

/// Runs `ovsdb-client` with the process's arguments; returns the exit status.
pub fn main() -> i32 {
    signals::init();
    let args: Vec<String> = std::env::args_os()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let argv0 = args
        .first()
        .cloned()
        .unwrap_or_else(|| "ovsdb-client".into());
    let program = std::path::Path::new(&argv0).file_name().map_or_else(
        || "ovsdb-client".into(),
        |n| n.to_string_lossy().into_owned(),
    );
    session::set_program(&program);
    vlog::init(&program);
    let opts = match options::parse(&program, args.get(1..).unwrap_or(&[])) {
        Ok(Parsed::Run(opts)) => opts,
        Ok(Parsed::Print(text)) => {
            session::out(&text);
            session::flush();
            return 0;
        }
        // glibc names the program as it was invoked.
        Err(OptionError::Usage(msg)) => {
            session::stderr_line(&format!("{argv0}: {msg}"));
            return 1;
        }
        Err(OptionError::Fatal(f)) => {
            session::stderr_line(&format!("{program}: {f}"));
            return 1;
        }
        Err(OptionError::Logged(_)) => return 1,
    };
    let mut ctx = Ctx { program, opts };
    let result = commands::run(&mut ctx);
    session::flush();
    match result {
        Ok(()) => 0,
        Err(Fatal(msg)) => {
            session::stderr_line(&format!("{}: {msg}", ctx.program));
            1
        }
    }
}

/// Runs one command line (without the program name) for tests and embedding;
/// output goes to the process's stdout and stderr.
pub fn run_args(args: &[&str]) -> Result<()> {
    vlog::init("ovsdb-client");
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    match options::parse("ovsdb-client", &args) {
        Ok(Parsed::Run(opts)) => commands::run(&mut Ctx {
            program: "ovsdb-client".into(),
            opts,
        }),
        Ok(Parsed::Print(text)) => {
            session::out(&text);
            Ok(())
        }
        Err(OptionError::Usage(msg) | OptionError::Logged(msg)) => Err(Fatal(msg)),
        Err(OptionError::Fatal(f)) => Err(f),
    }
}
