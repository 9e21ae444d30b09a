//! ovs-appctl: sends one command to a running daemon's control socket and prints
//! the answer, with the reference's options, messages and exit codes:
//! 0 on success (the answer on stdout, as is), 2 when the daemon answers with an
//! error (its text on stderr, then "ovs-appctl: TARGET: server returned an error"),
//! 1 when the daemon cannot be reached or the command line is wrong, and death by
//! SIGALRM when `--timeout` expires.

use std::io::Write;

use ovs_daemon::getopt::{self, Getopt, HasArg, Opt};
use ovs_daemon::unixctl::{self, Client};
use ovs_daemon::util::error_text;
use ovs_daemon::{fatal_signal, vlog};

const PROGRAM: &str = "ovs-appctl";

/// In the reference's order (which `--option` shows).
const OPTIONS: [Opt; 10] = [
    Opt::new("target", Some('t'), HasArg::Required),
    Opt::new("execute", Some('e'), HasArg::No),
    Opt::new("help", Some('h'), HasArg::No),
    Opt::new("option", Some('o'), HasArg::No),
    Opt::new("version", Some('V'), HasArg::No),
    Opt::new("timeout", Some('T'), HasArg::Required),
    vlog::OPTIONS[0],
    vlog::OPTIONS[1],
    vlog::OPTIONS[2],
    vlog::OPTIONS[3],
];

fn main() {
    vlog::init(PROGRAM, &[]);
    if let Err(e) = fatal_signal::init() {
        fatal(&e);
    }
    let mut args = std::env::args();
    let argv0 = args.next().unwrap_or_else(|| PROGRAM.to_string());
    std::process::exit(run(&argv0, args.collect()));
}

/// Prints `ovs-appctl: MESSAGE` and exits 1.
fn fatal(message: &str) -> ! {
    let _ = writeln!(std::io::stderr(), "{PROGRAM}: {message}");
    std::process::exit(1)
}

fn out(text: &str) {
    // A closed stdout (`| head`) is not worth a panic.
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(text.as_bytes());
    let _ = stdout.flush();
}

fn usage() -> String {
    format!(
        "{PROGRAM}, for sending commands to running Open vSwitch (and oxvs) daemons\n\
         usage: {PROGRAM} [TARGET] COMMAND [ARG...]\n\
         Targets:\n\
         \x20 -t, --target=TARGET  pidfile or socket to contact\n\
         Common commands:\n\
         \x20 list-commands      List commands supported by the target\n\
         \x20 version            Print version of the target\n\
         \x20 vlog/list          List current logging levels\n\
         \x20 vlog/list-pattern  List logging patterns for each destination.\n\
         \x20 vlog/set [SPEC]\n\
         \x20     Set log levels as detailed in SPEC, which may include:\n\
         \x20     A valid module name (all modules, by default)\n\
         \x20     'syslog', 'console', 'file' (all destinations, by default)\n\
         \x20     'off', 'emer', 'err', 'warn', 'info', or 'dbg' ('dbg', by default)\n\
         \x20 vlog/reopen        Make the program reopen its log file\n\
         Other options:\n\
         \x20 --timeout=SECS     wait at most SECS seconds for a response\n\
         \x20 -h, --help         Print this helpful information\n\
         \x20 -V, --version      Display {PROGRAM} version information\n"
    )
}

/// A positive `int`, read the way strtol reads it (leading blanks and a `+` sign
/// are fine, anything after the digits is not).
fn parse_timeout(s: &str) -> Option<u32> {
    let t = s.trim_start_matches([' ', '\t', '\n', '\r', '\x0b', '\x0c']);
    let t = t.strip_prefix('+').unwrap_or(t);
    if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let v: i64 = t.parse().ok()?;
    if v <= 0 || v > i64::from(i32::MAX) {
        return None;
    }
    u32::try_from(v).ok()
}

fn run(argv0: &str, args: Vec<String>) -> i32 {
    let mut target: Option<String> = None;
    let mut getopt = Getopt::new(args, &OPTIONS, false);
    for item in getopt.by_ref() {
        let parsed = match item {
            Ok(p) => p,
            Err(e) => {
                let _ = writeln!(std::io::stderr(), "{argv0}: {e}");
                return 1;
            }
        };
        let value = parsed.value.as_deref();
        match parsed.name {
            "target" => {
                if target.is_some() {
                    fatal("-t or --target may be specified only once");
                }
                target = value.map(str::to_string);
            }
            // Obsolete; accepted and ignored, as in the reference.
            "execute" => {}
            "help" => {
                out(&usage());
                return 0;
            }
            "option" => {
                out(&getopt::option_list(&OPTIONS));
                return 0;
            }
            "version" => {
                out(&format!("{}\n", ovs_daemon::version_line(PROGRAM)));
                return 0;
            }
            "timeout" => {
                let v = value.unwrap_or("");
                let Some(secs) = parse_timeout(v) else {
                    fatal(&format!("value {v} on -T or --timeout is invalid"));
                };
                // SIGALRM's fatal-signal handling logs and then kills us with it.
                // SAFETY: alarm(2) has no memory-safety preconditions.
                unsafe { libc::alarm(secs) };
            }
            name => {
                if let Err(e) = vlog::handle_option(name, value) {
                    fatal(&e);
                }
            }
        }
    }
    let mut operands = getopt.operands().into_iter();
    let Some(command) = operands.next() else {
        fatal("at least one non-option argument is required (use --help for help)");
    };
    let command_args: Vec<String> = operands.collect();
    let target = target.unwrap_or_else(|| "ovs-vswitchd".to_string());

    let socket = match unixctl::resolve_target(&target) {
        Ok(p) => p,
        Err(e) => fatal(&e.to_string()),
    };
    let mut client = match Client::connect(&socket) {
        Ok(c) => c,
        Err(e) => fatal(&format!(
            "cannot connect to \"{}\" ({})",
            socket.display(),
            error_text(&e)
        )),
    };
    match client.transact(&command, &command_args) {
        Ok(Ok(text)) => {
            out(&text);
            0
        }
        Ok(Err(text)) => {
            let mut stderr = std::io::stderr().lock();
            let _ = stderr.write_all(text.as_bytes());
            let _ = writeln!(stderr, "{PROGRAM}: {target}: server returned an error");
            2
        }
        Err(e) => fatal(&format!("{target}: transaction error ({})", e.reason())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts_parse_like_strtol_to_a_positive_int() {
        assert_eq!(parse_timeout("5"), Some(5));
        assert_eq!(parse_timeout("05"), Some(5));
        assert_eq!(parse_timeout(" 5"), Some(5));
        assert_eq!(parse_timeout("+5"), Some(5));
        assert_eq!(parse_timeout("2147483647"), Some(2147483647));
        for bad in ["0", "-1", "x", "5 ", "1.5", "0x5", "", "99999999999"] {
            assert_eq!(parse_timeout(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn option_list_matches_the_reference() {
        assert_eq!(
            getopt::option_list(&OPTIONS),
            "--target=ARG\n-t ARG\n--execute\n-e \n--help\n-h \n--option\n-o \n--version\n-V \n\
             --timeout=ARG\n-T ARG\n--verbose=[ARG]\n-v [ARG]\n--log-file=[ARG]\n\
             --syslog-method=ARG\n--syslog-target=ARG\n"
        );
    }
}
