//! `ovs-vsctl`: configures ovs-vswitchd through its database, compatible with Open
//! vSwitch's (same commands, options, output, error texts and exit statuses).
//!
//! A run parses the command line ([`options`]), runs each command's `pre` step,
//! fetches from the database only what the commands need ([`db::plan`],
//! [`session`]), runs the commands against that snapshot ([`command`], [`commands`]),
//! commits their changes as one transaction ([`db::commit`]), prints their output and
//! waits for ovs-vswitchd to apply the changes ([`driver`]).
//!
//! Commands live in [`commands`], one file per group, each a table of
//! [`command::Command`]s; they read and change the database through [`db::Db`], name
//! tables, columns and records as [`schema`] and [`record`] describe, and parse
//! values with `ovsdb::string_syntax`.
//!
//! Deliberate differences from the reference (everything else, including the order
//! in which `list` and `find` print rows and the operations a transaction sends, is
//! meant to be the same):
//! - Only the rows commands name are fetched (with `select`; whole tables only for
//!   commands that scan them), so a command on one record stays fast in a database
//!   with tens of thousands of ports. The reference downloads every table it uses.
//!   A command line with many lookups of the bridge that holds a port (hundreds of
//!   `del-port`s) fetches every bridge's ports instead, so that it still takes one
//!   fetch ([`db::Plan::prefer_whole_bridges`]).
//! - The switch commands (`add-port`, `port-to-br`, ...) look up the bridges, ports
//!   and interfaces they name, and the bridge or port that holds each, where the
//!   reference reads all of them into a cache first ([`commands::model`]). So:
//!   - their transactions check that those lookups still hold (`wait` operations)
//!     instead of checking every bridge's `ports` and every port's `interfaces`,
//!     and they add a port to or remove one from a bridge's `ports` with a
//!     `mutate` instead of rewriting the whole set. The database ends up the same.
//!   - a command that creates a port or interface does not look up whether that
//!     name is taken by a port or interface: the server's index on names refuses
//!     the transaction if it is, and then the command runs again, looking it up,
//!     to fail with the reference's message.
//!   - in a database that contradicts itself (a port in two bridges, ...), the
//!     reference warns about every contradiction on every such command; we warn
//!     (and decide exactly as the reference does) when a command lists or deletes
//!     everything on a bridge or meets a contradiction, not about the others.
//!   - deleting a fake bridge that lost its VLAN to another fake bridge crashes
//!     the reference; we delete what the reference's cache holds for it (nothing).
//! - While waiting for ovs-vswitchd (no `--no-wait`) for more than 5 seconds, and
//!   when `--retry` cannot reach the server, a line on stderr says what it waits for
//!   and how not to; the waiting itself is unchanged.
//! - Creating a row in a one-row table (SSL) that ovs-vsctl was not asked to read:
//!   the reference assumes the table is empty, which makes it retry forever when it
//!   is not; we read the table and commit.
//! - `--help` is worded differently (`--commands`, `--options` and `--version`, which
//!   scripts read, are the same).

pub mod args;
pub mod command;
pub mod commands;
mod connection;
pub mod db;
pub mod driver;
pub mod help;
pub mod log;
pub mod options;
pub mod record;
mod reload;
pub mod schema;
pub mod session;
pub mod symtab;

use options::{OptionError, Parsed};

/// Runs `ovs-vsctl` with the process's arguments; returns the exit status.
pub fn main() -> i32 {
    let args: Vec<String> = std::env::args_os()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let argv0 = args.first().cloned().unwrap_or_else(|| "ovs-vsctl".into());
    log::init("ovs-vsctl");
    // SIGALRM (--timeout), SIGTERM and friends are logged and end the program with
    // that signal, as in the reference.
    if let Err(e) = ovs_daemon::fatal_signal::init() {
        log::vsctl_warn(&e);
    }
    let opts = match options::parse(&args) {
        Ok(Parsed::Run(opts)) => opts,
        Ok(Parsed::Print(text)) => {
            print!("{text}");
            return 0;
        }
        // getopt names the program the way it was invoked.
        Err(OptionError::Usage(msg)) => {
            eprintln!("{argv0}: {msg}");
            return 1;
        }
        Err(OptionError::Fatal(msg)) => {
            eprintln!("ovs-vsctl: {msg}");
            return 1;
        }
    };
    match driver::run(opts) {
        Ok(code) => code,
        Err(driver::Fatal(msg)) => {
            eprintln!("ovs-vsctl: {msg}");
            1
        }
    }
}
