//! `ovs-ofctl`: administers OpenFlow switches, compatible with Open vSwitch's
//! (same commands, options, output, error texts and exit statuses).
//!
//! A run parses the options ([`options`]), finds the command ([`commands`]),
//! checks its argument count, and runs it. Commands talk to the switch through
//! [`vconn`] (framing, hello negotiation, transactions) opened by [`target`]
//! (bridge names, socket files, connection methods); [`flow_format`] picks the
//! OpenFlow 1.0 flow format a flow needs; [`names`] fetches port and table
//! names for `--names`. The message codec and the text syntax live in the
//! `openflow` crate.
//!
//! Like the reference, the program uses one transaction-id counter for the
//! whole run and opens a new connection for each step the reference opens one
//! for (fetching port names, fetching table names, the operation itself), so
//! the xids it prints are the reference's.
//!
//! Deliberate differences from the reference:
//! - Flow and group mods from a file go with up to 32 in flight (each still
//!   followed by its barrier, with the reference's xids), which makes big
//!   `add-flows` several times faster. The reference waits for each barrier
//!   first, so when one mod fails it has sent nothing after it; we print the
//!   same error and exit the same way, but up to 31 later mods may already
//!   have reached the switch.
//! - `replace-flows` and `diff-flows` walk flows in an order close to the
//!   reference's classifier order (table, then flows with the same matched
//!   fields together, groups by highest priority) but not always equal to
//!   it: within such a group the reference's order depends on its hashes.
//! - `ssl:` fails with "SSL is not supported yet"; `--color` is accepted
//!   but output is never colored; `--help` is worded differently.
//! - Not implemented (they fail with "not supported by this ovs-ofctl"):
//!   `ofp-parse-pcap`, `ct-flush`, and the test commands `parse-nx-match`,
//!   `parse-nxm`, `parse-oxm`, `parse-ofp10-match`, `parse-ofp11-match`,
//!   `parse-pcap`, `check-vlan`, `compose-packet`, `parse-packet`; `monitor`
//!   does not implement the undocumented `resume` continuation handling
//!   (it only raises miss_send_len).

pub mod args;
pub mod bundle;
pub mod commands;
pub mod dump;
pub mod flow_format;
pub mod help;
pub mod kv;
pub mod log;
pub mod names;
pub mod options;
pub mod print;
pub mod proto_names;
pub mod raw;
pub mod target;
pub mod text;
pub mod vconn;

use options::{OptionError, Options, Parsed};
use std::io::{self, Write};

/// A fatal error: printed as "ovs-ofctl: MESSAGE", exit status 1.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fatal(pub String);

impl Fatal {
    /// Exit status 1 without a message (the reason was already printed).
    pub fn silent() -> Fatal {
        Fatal(String::new())
    }

    /// "WHAT (strerror)".
    pub fn io(what: &str, e: &io::Error) -> Fatal {
        Fatal(format!("{what} ({})", vconn::err_text(e)))
    }
}

impl From<String> for Fatal {
    fn from(s: String) -> Fatal {
        Fatal(s)
    }
}

/// What a command works with: the options, standard output, and what it has
/// learned about switches so far.
pub struct Ctx {
    pub opts: Options,
    out: io::BufWriter<io::Stdout>,
    stdout_is_tty: bool,
    pub names: names::NameCache,
}

impl Ctx {
    pub fn new(opts: Options) -> Ctx {
        // SAFETY: isatty only inspects the descriptor.
        let stdout_is_tty = unsafe { libc::isatty(1) } == 1;
        Ctx {
            opts,
            out: io::BufWriter::with_capacity(1 << 16, io::stdout()),
            stdout_is_tty,
            names: names::NameCache::default(),
        }
    }

    /// Writes to standard output (buffered; flushed at exit and by [`Ctx::flush`]).
    pub fn print(&mut self, s: &str) {
        let _ = self.out.write_all(s.as_bytes());
    }

    pub fn flush(&mut self) {
        let _ = self.out.flush();
    }

    /// Whether port and table names replace numbers in output: `--names`, or
    /// by default when standard output is a terminal.
    pub fn show_names(&self) -> bool {
        self.opts.names.unwrap_or(self.stdout_is_tty)
    }

    /// Whether names are accepted in input (always, unless `--no-names`).
    pub fn accept_names(&self) -> bool {
        self.opts.names != Some(false)
    }

    /// Opens a switch's management connection with the allowed versions.
    pub fn open(&self, name: &str) -> Result<vconn::Vconn, Fatal> {
        target::open(name, target::Socket::Mgmt, self.opts.allowed_versions)
    }
}

/// Runs `ovs-ofctl` with the process's arguments; returns the exit status.
pub fn main() -> i32 {
    let args: Vec<String> = std::env::args_os()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let argv0 = args.first().cloned().unwrap_or_else(|| "ovs-ofctl".into());
    log::init();
    let (opts, argv) = match options::parse(&args) {
        Ok(Parsed::Run(opts, argv)) => (opts, argv),
        Ok(Parsed::Print(text)) => {
            // A closed pipe is not worth a complaint (the reference ignores
            // SIGPIPE too).
            let _ = io::stdout().write_all(text.as_bytes());
            return 0;
        }
        Err(OptionError::Usage(msg)) => {
            eprintln!("{argv0}: {msg}");
            return 1;
        }
        Err(OptionError::Fatal(msg)) => {
            eprintln!("ovs-ofctl: {msg}");
            return 1;
        }
    };
    // SIGALRM (--timeout) and the other fatal signals are logged and end the
    // program with that signal, as in the reference. A program that will
    // detach must fork first (with one thread); it sets this up after.
    if !opts.daemon.detach && !opts.daemon.monitor {
        if let Err(e) = ovs_daemon::fatal_signal::init() {
            log::ofctl_warn(&e);
        }
    }
    if let Some(secs) = opts.timeout {
        // SAFETY: alarm only arms a timer; SIGALRM ends the program.
        unsafe {
            libc::alarm(secs);
        }
    }
    let mut ctx = Ctx::new(opts);
    let status = match commands::run(&mut ctx, &argv) {
        Ok(code) => code,
        Err(Fatal(msg)) => {
            // Standard output is line-buffered on a terminal (already out)
            // and fully buffered otherwise (flushed at exit, after this).
            if ctx.stdout_is_tty {
                ctx.flush();
            }
            if !msg.is_empty() {
                eprintln!("ovs-ofctl: {msg}");
            }
            1
        }
    };
    ctx.flush();
    status
}
