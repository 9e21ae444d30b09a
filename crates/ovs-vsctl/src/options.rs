//! The command line: global options (GNU getopt, stopping at the first non-option),
//! then commands separated by `--`, each with its own leading options.
//!
//! Options that belong to commands (`--if-exists`, `--id=@x`, ...) may also appear
//! among the global options; they then apply to the first command, as in the
//! reference. Error texts and the order of the checks are the reference's.

use crate::command::{CmdOptions, Command, Invocation};
use crate::commands;
use ovs_daemon::getopt::{Getopt, HasArg, Opt};
use ovs_daemon::vlog;
use ovs_table::{Format, Style};

use HasArg::{No, Optional, Required};

/// The global options, in the reference's order (which decides how an ambiguous
/// abbreviation is reported).
const GLOBAL: &[Opt] = &[
    Opt::new("db", None, Required),
    Opt::new("no-syslog", None, No),
    Opt::new("no-wait", None, No),
    Opt::new("dry-run", None, No),
    Opt::new("oneline", None, No),
    Opt::new("timeout", Some('t'), Required),
    Opt::new("retry", None, No),
    Opt::new("help", Some('h'), No),
    Opt::new("commands", None, No),
    Opt::new("options", None, No),
    Opt::new("leader-only", None, No),
    Opt::new("no-leader-only", None, No),
    Opt::new("shuffle-remotes", None, No),
    Opt::new("no-shuffle-remotes", None, No),
    Opt::new("version", Some('V'), No),
    Opt::new("verbose", Some('v'), Optional),
    Opt::new("log-file", None, Optional),
    Opt::new("syslog-method", None, Required),
    Opt::new("syslog-target", None, Required),
    Opt::new("format", Some('f'), Required),
    Opt::new("data", Some('d'), Required),
    Opt::new("no-headings", None, No),
    Opt::new("pretty", None, No),
    Opt::new("bare", None, No),
    Opt::new("max-column-width", None, Required),
    Opt::new("private-key", Some('p'), Required),
    Opt::new("certificate", Some('c'), Required),
    Opt::new("ca-cert", Some('C'), Required),
    Opt::new("ssl-protocols", None, Required),
    Opt::new("ssl-ciphers", None, Required),
    Opt::new("bootstrap-ca-cert", None, Required),
    Opt::new("peer-ca-cert", None, Required),
];

/// Everything the command line decided.
pub struct Options {
    /// `--db`, or the default socket.
    pub db: String,
    /// Wait for ovs-vswitchd to apply changes (no `--no-wait`).
    pub wait_for_reload: bool,
    pub dry_run: bool,
    pub oneline: bool,
    /// `--timeout`: seconds before SIGALRM ends the program.
    pub timeout: Option<u32>,
    pub retry: bool,
    pub style: Style,
    pub commands: Vec<Invocation>,
    /// The whole command line (program name included), quoted where needed, for
    /// the log and the transaction comment.
    pub args_text: String,
}

/// What parsing asks the program to do.
pub enum Parsed {
    Run(Options),
    /// `--help`, `--version`, ...: print this on stdout and exit successfully.
    Print(String),
}

/// An option error: glibc's own (prefixed by the program as invoked), or the
/// program's (prefixed by its name).
#[derive(Debug)]
pub enum OptionError {
    Usage(String),
    Fatal(String),
}

/// Splits a command's option list (`--if-exists,--id=`) into names and arguments.
pub fn command_options(c: &'static Command) -> impl Iterator<Item = (&'static str, HasArg)> {
    c.options.split(',').filter(|s| !s.is_empty()).map(|s| {
        let s = s.trim();
        if let Some(name) = s.strip_suffix('=') {
            (name, Required)
        } else if let Some(name) = s.strip_suffix('?') {
            (name, Optional)
        } else {
            (s, No)
        }
    })
}

/// The command options, as getopt options, in the order the reference adds them.
fn local_options() -> Vec<Opt> {
    let mut out: Vec<Opt> = Vec::new();
    for c in commands::in_reference_order() {
        for (name, has_arg) in command_options(c) {
            let long = name.trim_start_matches('-');
            if !out.iter().any(|o| o.long == long) && !GLOBAL.iter().any(|o| o.long == long) {
                out.push(Opt::new(long, None, has_arg));
            }
        }
    }
    out
}

/// `strtoul`-style reading of `--timeout`: a positive decimal that fits 32 bits.
fn parse_timeout(s: &str) -> Option<u32> {
    let t = s.trim_start_matches([' ', '\t', '\n', '\u{b}', '\u{c}', '\r']);
    let t = t.strip_prefix('+').unwrap_or(t);
    if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    t.parse::<u32>().ok().filter(|&n| n > 0)
}

/// The command line quoted the way the reference logs it: arguments with blanks,
/// quotes or backslashes in double quotes, with `"` and `\` escaped.
pub fn escape_args(args: &[String]) -> String {
    let mut out = String::new();
    for (i, arg) in args.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        if arg
            .chars()
            .any(|c| matches!(c, ' ' | '\t' | '\r' | '\n' | '\u{b}' | '\\' | '\'' | '"'))
        {
            out.push('"');
            for c in arg.chars() {
                if c == '\\' || c == '"' {
                    out.push('\\');
                }
                out.push(c);
            }
            out.push('"');
        } else {
            out.push_str(arg);
        }
    }
    out
}

/// Parses the command line (`args` includes the program name).
pub fn parse(args: &[String]) -> Result<Parsed, OptionError> {
    let mut opts_table: Vec<Opt> = GLOBAL.to_vec();
    let locals = local_options();
    opts_table.extend(locals.iter().copied());

    let mut db: Option<String> = None;
    let mut wait_for_reload = true;
    let mut dry_run = false;
    let mut oneline = false;
    let mut timeout = None;
    let mut retry = false;
    let mut style = Style::new(Format::List);
    let mut local: CmdOptions = CmdOptions::new();

    let mut getopt = Getopt::new(args.get(1..).unwrap_or(&[]).to_vec(), &opts_table, false);
    for item in getopt.by_ref() {
        let parsed = item.map_err(OptionError::Usage)?;
        let value = parsed.value.as_deref();
        let fatal = |e: String| OptionError::Fatal(e);
        match parsed.name {
            "db" => db = value.map(str::to_owned),
            "no-syslog" => crate::log::no_syslog(),
            "no-wait" => wait_for_reload = false,
            "dry-run" => dry_run = true,
            "oneline" => oneline = true,
            "timeout" => {
                let v = value.unwrap_or("");
                timeout =
                    Some(parse_timeout(v).ok_or_else(|| {
                        fatal(format!("value {v} on -t or --timeout is invalid"))
                    })?);
            }
            "retry" => retry = true,
            "help" => return Ok(Parsed::Print(crate::help::usage())),
            "commands" => return Ok(Parsed::Print(crate::help::commands_list())),
            "options" => return Ok(Parsed::Print(crate::help::options_list(GLOBAL))),
            "version" => return Ok(Parsed::Print(crate::help::version())),
            "leader-only" | "no-leader-only" | "shuffle-remotes" | "no-shuffle-remotes" => {}
            "verbose" | "log-file" | "syslog-method" | "syslog-target" => {
                vlog::handle_option(parsed.name, value).map_err(fatal)?;
            }
            "format" => style
                .set_format_arg(value.unwrap_or(""))
                .map_err(|e| fatal(e.to_string()))?,
            "data" => style
                .set_data_arg(value.unwrap_or(""))
                .map_err(|e| fatal(e.to_string()))?,
            "no-headings" => style.headings = false,
            "pretty" => style.pretty = true,
            "bare" => style.set_bare(),
            "max-column-width" => style.set_max_column_width_arg(value.unwrap_or("")),
            "private-key" | "certificate" | "ca-cert" | "ssl-protocols" | "ssl-ciphers"
            | "bootstrap-ca-cert" | "peer-ca-cert" => {}
            name => {
                local.insert(format!("--{name}"), value.map(str::to_owned));
            }
        }
    }
    let rest = getopt.operands();
    let commands = parse_commands(&rest, local).map_err(OptionError::Fatal)?;
    let db = db.unwrap_or_else(|| format!("unix:{}/db.sock", ovs_daemon::dirs::rundir().display()));
    Ok(Parsed::Run(Options {
        db,
        wait_for_reload,
        dry_run,
        oneline,
        timeout,
        retry,
        style,
        commands,
        args_text: escape_args(args),
    }))
}

/// Splits the arguments after the global options into commands at each `--`.
pub fn parse_commands(args: &[String], mut local: CmdOptions) -> Result<Vec<Invocation>, String> {
    let mut commands = Vec::new();
    let mut start = 0;
    for i in 0..=args.len() {
        if i == args.len() || args[i] == "--" {
            if i > start {
                let options = std::mem::take(&mut local);
                commands.push(parse_command(&args[start..i], options)?);
            } else if !local.is_empty() {
                return Err("missing command name (use --help for help)".into());
            }
            start = i + 1;
        }
    }
    if commands.is_empty() {
        return Err("missing command name (use --help for help)".into());
    }
    Ok(commands)
}

fn parse_command(args: &[String], mut options: CmdOptions) -> Result<Invocation, String> {
    let mut order: Vec<String> = options.keys().cloned().collect();
    let mut i = 0;
    while i < args.len() && args[i].starts_with('-') {
        let arg = &args[i];
        let (key, value) = match arg.split_once('=') {
            Some((k, v)) => (k.to_owned(), Some(v.to_owned())),
            None => (arg.clone(), None),
        };
        if options.contains_key(&key) {
            return Err(format!("'{arg}' option specified multiple times"));
        }
        order.push(key.clone());
        options.insert(key, value);
        i += 1;
    }
    if i == args.len() {
        return Err("missing command name (use --help for help)".into());
    }
    let name = &args[i];
    let Some(command) = commands::find(name) else {
        return Err(format!("unknown command '{name}'; use --help for help"));
    };
    // The reference checks options in its hash map's order.
    for key in ovs_hash_order::name_order(order.iter().map(String::as_str)) {
        let value = options.get(key).cloned().flatten();
        let end = match command.options.find(key) {
            Some(at) => command.options[at + key.len()..].chars().next(),
            None => return Err(format!("'{name}' command has no '{key}' option")),
        };
        if !matches!(end, None | Some('=' | ',' | '?' | ' ')) {
            return Err(format!("'{name}' command has no '{key}' option"));
        }
        if end != Some('?') && (end == Some('=')) != value.is_some() {
            return Err(if end == Some('=') {
                format!("missing argument to '{key}' option on '{name}' command")
            } else {
                format!("'{key}' option on '{name}' does not accept an argument")
            });
        }
    }
    let n_args = args.len() - i - 1;
    if n_args < command.min_args {
        return Err(format!(
            "'{}' command requires at least {} arguments",
            command.name, command.min_args
        ));
    }
    if n_args > command.max_args {
        let note = if args[i + 1..].iter().any(|a| a.starts_with('-')) {
            " (note that options must precede command names and follow a \"--\" argument)"
        } else {
            ""
        };
        return Err(format!(
            "'{}' command takes at most {} arguments{note}",
            command.name, command.max_args
        ));
    }
    Ok(Invocation {
        command,
        options,
        argv: args[i..].to_vec(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn commands_split_at_double_dashes() {
        let cmds = parse_commands(
            &strings(&[
                "list",
                "bridge",
                "--",
                "--if-exists",
                "get",
                "port",
                "p",
                "name",
            ]),
            CmdOptions::new(),
        )
        .unwrap();
        assert_eq!(cmds.len(), 2);
        assert_eq!(cmds[1].argv, strings(&["get", "port", "p", "name"]));
        assert!(cmds[1].has("--if-exists"));
    }

    #[test]
    fn command_errors_read_like_the_reference() {
        let err = |v: &[&str]| {
            parse_commands(&strings(v), CmdOptions::new())
                .err()
                .unwrap()
        };
        assert_eq!(
            err(&["nosuch"]),
            "unknown command 'nosuch'; use --help for help"
        );
        assert_eq!(
            err(&["--if", "list", "x"]),
            "'list' command has no '--if' option"
        );
        assert_eq!(
            err(&["--id", "get", "x", "y"]),
            "missing argument to '--id' option on 'get' command"
        );
        assert_eq!(
            err(&["--if-exists=1", "get", "x", "y"]),
            "'--if-exists' option on 'get' does not accept an argument"
        );
        assert_eq!(
            err(&["list"]),
            "'list' command requires at least 1 arguments"
        );
        assert_eq!(
            err(&["--if-exists"]),
            "missing command name (use --help for help)"
        );
        assert_eq!(
            err(&["--if-exists", "--if-exists", "list", "x"]),
            "'--if-exists' option specified multiple times"
        );
    }

    #[test]
    fn arguments_are_quoted_for_the_log() {
        assert_eq!(
            escape_args(&strings(&["ovs-vsctl", "set", "a=\"x y\"", "b\\c"])),
            "ovs-vsctl set \"a=\\\"x y\\\"\" \"b\\\\c\""
        );
    }

    #[test]
    fn timeouts() {
        assert_eq!(parse_timeout("5"), Some(5));
        assert_eq!(parse_timeout("0"), None);
        assert_eq!(parse_timeout("-1"), None);
        assert_eq!(parse_timeout("x"), None);
    }
}
