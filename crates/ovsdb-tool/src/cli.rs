//! Option handling, help texts and command dispatch.
//!
//! Options are acted on in the order given, as the reference does: `--help`,
//! `--version` and `--option` print and exit at once; a bad option or `-v` spec exits
//! with status 1 where it stands. Then the first operand names the command, whose
//! argument count is checked against the command table.

use std::ffi::OsString;
use std::io::Write;

use ovs_daemon::getopt::{self, Getopt, HasArg, Opt};

use crate::commands::{self, Ctx, COMMANDS};
use crate::paths::{self, SchemaSource};

/// The options, in the order `--option` lists them.
const OPTIONS: &[Opt] = &[
    Opt::new("more", Some('m'), HasArg::No),
    Opt::new("rbac-role", None, HasArg::Required),
    Opt::new("cid", None, HasArg::Required),
    Opt::new("election-timer", None, HasArg::Required),
    Opt::new("verbose", Some('v'), HasArg::Optional),
    Opt::new("help", Some('h'), HasArg::No),
    Opt::new("option", Some('o'), HasArg::No),
    Opt::new("version", Some('V'), HasArg::No),
];

/// Runs the tool; returns the exit status.
pub fn run(args: Vec<OsString>) -> i32 {
    let mut args = args.into_iter().map(|a| a.to_string_lossy().into_owned());
    let argv0 = args.next().unwrap_or_else(|| "ovsdb-tool".to_string());
    let program = program_name(&argv0);
    crate::timefmt::init_time_zone();
    // Like a C program, end quietly when the reader of our output goes away (e.g.
    // `show-log | head`) instead of failing on every later write.
    // SAFETY: setting a signal's disposition to the default has no preconditions.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }

    crate::vlog::init(&program);

    let mut ctx = Ctx {
        program: program.clone(),
        more: 0,
        rbac_role: None,
        out: std::io::BufWriter::new(std::io::stdout()),
    };
    let mut getopt = Getopt::gnu(args.collect(), OPTIONS);
    for item in getopt.by_ref() {
        let (name, arg) = match item {
            Ok(opt) => (opt.name, opt.value),
            // glibc names the program as it was invoked.
            Err(e) => {
                eprintln!("{argv0}: {e}");
                return 1;
            }
        };
        match name {
            "more" => ctx.more += 1,
            "rbac-role" => ctx.rbac_role = arg,
            "cid" => {
                let cid = arg.unwrap_or_default();
                let valid = ovsdb::atom::parse_uuid(&cid).is_some_and(|u| !u.is_nil());
                if !valid {
                    return fatal(&program, &format!("{cid}: not a valid UUID"));
                }
            }
            "election-timer" => {
                let ms = atoll(arg.as_deref().unwrap_or(""));
                if !(100..=600_000).contains(&ms) {
                    return fatal(
                        &program,
                        "ovsdb error: election timer must be between 100 and 600000, in msec.",
                    );
                }
            }
            "verbose" => {
                if let Err(e) = ovs_daemon::vlog::set_verbosity(arg.as_deref()) {
                    return fatal(&program, &e);
                }
            }
            "help" => return print_stdout(&help(&program)),
            "option" => return print_stdout(&getopt::option_list(OPTIONS)),
            "version" => {
                return print_stdout(&format!(
                    "{program} (Open vSwitch) {}\n",
                    crate::OVS_VERSION
                ))
            }
            _ => {}
        }
    }
    let operands = getopt.operands();
    let Some((name, rest)) = operands.split_first() else {
        return fatal(&program, "missing command name; use --help for help");
    };
    let Some(command) = COMMANDS.iter().find(|c| c.name == name) else {
        return fatal(
            &program,
            &format!("unknown command '{name}'; use --help for help"),
        );
    };
    if rest.len() < command.min_args {
        return fatal(
            &program,
            &format!(
                "'{name}' command requires at least {} arguments",
                command.min_args
            ),
        );
    }
    if rest.len() > command.max_args {
        return fatal(
            &program,
            &format!(
                "'{name}' command takes at most {} arguments",
                command.max_args
            ),
        );
    }
    let outcome = (command.run)(&mut ctx, rest);
    // Whatever was printed before a failure still goes out, as the reference's
    // buffered stdout is flushed at exit. Like the reference, a failure to write
    // (e.g. a full disk) does not change the exit status.
    let _ = ctx.out.flush();
    match outcome {
        Ok(status) => status,
        Err(commands::Failure::Fatal(e)) => fatal(&program, &e.0),
        Err(commands::Failure::Bare { message, status }) => {
            eprintln!("{message}");
            status
        }
    }
}

fn print_stdout(text: &str) -> i32 {
    let mut stdout = std::io::stdout().lock();
    // Write errors do not change the exit status, as in the reference.
    let _ = stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush());
    0
}

fn fatal(program: &str, message: &str) -> i32 {
    eprintln!("{program}: {message}");
    1
}

/// The program's name as the reference derives it: `argv[0]` without its directory
/// and without a libtool `lt-` prefix.
fn program_name(argv0: &str) -> String {
    let base = argv0.rsplit('/').next().unwrap_or(argv0);
    base.strip_prefix("lt-").unwrap_or(base).to_string()
}

/// `atoll`: white space, an optional sign, digits; saturating; 0 if none.
fn atoll(s: &str) -> i64 {
    let s = s.trim_start_matches([' ', '\t', '\n', '\x0b', '\x0c', '\r']);
    let (negative, digits) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let mut value: i64 = 0;
    for d in digits.bytes().take_while(u8::is_ascii_digit) {
        let d = i64::from(d - b'0');
        value = match value.checked_mul(10).and_then(|v| {
            if negative {
                v.checked_sub(d)
            } else {
                v.checked_add(d)
            }
        }) {
            Some(v) => v,
            None if negative => return i64::MIN,
            None => return i64::MAX,
        };
    }
    value
}

/// `--help`.
pub fn help(program: &str) -> String {
    let schema = match paths::default_schema() {
        SchemaSource::File(path) => path,
        SchemaSource::BuiltIn => "the built-in vswitch.ovsschema".to_string(),
    };
    format!(
        "{program}: Open vSwitch database management utility
usage: {program} [OPTIONS] COMMAND [ARG...]
  create [DB [SCHEMA]]    create DB with the given SCHEMA
  [--election-timer=ms] create-cluster DB CONTENTS LOCAL
    create clustered DB with given CONTENTS and LOCAL address
  [--cid=UUID] join-cluster DB NAME LOCAL REMOTE...
    join clustered DB with given NAME and LOCAL and REMOTE addrs
  compact [DB [DST]]      compact DB in-place (or to DST)
  convert [DB [SCHEMA [DST]]]   convert DB to SCHEMA (to DST)
  db-name [DB]            report name of schema used by DB
  db-version [DB]         report version of schema used by DB
  db-cksum [DB]           report checksum of schema used by DB
  db-cid DB               report cluster ID of clustered DB
  db-sid DB               report server ID of clustered DB
  db-local-address DB     report local address of clustered DB
  db-is-clustered DB      test whether DB is clustered
  db-is-standalone DB     test whether DB is standalone
  schema-name [SCHEMA]    report SCHEMA's name
  schema-version [SCHEMA] report SCHEMA's schema version
  schema-cksum [SCHEMA]   report SCHEMA's checksum
  compare-versions A OP B  compare OVSDB schema version numbers
  query [DB] TRNS         execute read-only transaction on DB
  transact [DB] TRNS      execute read/write transaction on DB
  cluster-to-standalone DB DB    Convert clustered DB to
      standalone DB when cluster is down and cannot be
        revived
  [-m]... show-log [DB]   print DB's log entries
The default DB is {db}.
The default SCHEMA is {schema}.

Logging options:
  -vSPEC, --verbose=SPEC   set logging levels
  -v, --verbose            set maximum verbosity level
  --log-file[=FILE]        enable logging to specified FILE
                           (default: {log})
  --syslog-method=(libc|unix:file|udp:ip:port)
                           specify how to send messages to syslog daemon
  --syslog-target=HOST:PORT  also send syslog msgs to HOST:PORT via UDP

Other options:
  -m, --more                  increase show-log verbosity
  --rbac-role=ROLE            RBAC role for transact and query commands
  -h, --help                  display this help message
  -V, --version               display version information
",
        db = paths::default_db(),
        log = paths::default_log_file(program),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn program_names() {
        assert_eq!(program_name("/opt/oxvs/bin/ovsdb-tool"), "ovsdb-tool");
        assert_eq!(program_name("./lt-foo"), "foo");
        assert_eq!(program_name("ovsdb-tool"), "ovsdb-tool");
    }

    #[test]
    fn atoll_like_c() {
        assert_eq!(atoll(" 100"), 100);
        assert_eq!(atoll("100abc"), 100);
        assert_eq!(atoll("+100"), 100);
        assert_eq!(atoll("1e3"), 1);
        assert_eq!(atoll("0x100"), 0);
        assert_eq!(atoll("-100"), -100);
        assert_eq!(atoll("99999999999999999999"), i64::MAX);
        assert_eq!(atoll(""), 0);
    }

    // The reference's `--option` output, observed.
    #[test]
    fn option_list_matches_the_reference() {
        assert_eq!(
            getopt::option_list(OPTIONS),
            "--more\n-m \n--rbac-role=ARG\n--cid=ARG\n--election-timer=ARG\n\
             --verbose=[ARG]\n-v [ARG]\n--help\n-h \n--option\n-o \n--version\n-V \n"
        );
    }
}
