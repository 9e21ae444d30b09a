//! `--help`, `--version`, and the machine-readable `--commands` and `--options`
//! listings (bash completion reads the last two, so their format is the reference's).

use crate::commands;
use ovs_daemon::getopt::{HasArg, Opt};

/// `--version`.
pub fn version() -> String {
    format!(
        "{}\nDB Schema {}\n",
        ovs_daemon::version_line("ovs-vsctl"),
        vswitch_schema::SCHEMA_VERSION
    )
}

/// `--commands`: one line per command, `[--option] ,name,arguments`, in the order
/// the reference's command table is iterated.
pub fn commands_list() -> String {
    let mut out = String::new();
    for c in commands::in_reference_order() {
        for option in c.options.split(',').filter(|s| !s.is_empty()) {
            out.push_str(&format!("[{option}] "));
        }
        out.push_str(&format!(",{},{}\n", c.name, c.arguments));
    }
    out
}

/// `--options`: every global option, `--name[=ARG]` then `-c [ARG]`.
pub fn options_list(opts: &[Opt]) -> String {
    let mut out = String::new();
    for o in opts {
        let arg = o.has_arg != HasArg::No;
        out.push_str(&format!("--{}{}\n", o.long, if arg { "=ARG" } else { "" }));
        if let Some(c) = o.short {
            out.push_str(&format!("-{c}{}\n", if arg { " ARG" } else { "" }));
        }
    }
    out
}

/// `--help`.
pub fn usage() -> String {
    let db = format!("unix:{}/db.sock", ovs_daemon::dirs::rundir().display());
    let mut out = String::from(
        "ovs-vsctl: ovs-vswitchd management utility\n\
         usage: ovs-vsctl [OPTIONS] COMMAND [ARG...]\n\n\
         Commands (separate several with \"--\"; they run as one transaction):\n",
    );
    for c in commands::all() {
        let mut line = String::from("  ");
        for option in c.options.split(',').filter(|s| !s.is_empty()) {
            line.push_str(&format!("[{}] ", option.trim_end_matches(['=', '?'])));
        }
        line.push_str(c.name);
        if !c.arguments.is_empty() {
            line.push(' ');
            line.push_str(c.arguments);
        }
        out.push_str(&line);
        out.push('\n');
    }
    out.push_str(&format!(
        "\nArgument syntax: !X required, ?X optional, *X any number, +X one or more.\n\
         Records are named by UUID, by a UUID prefix of 4 or more hex digits, as \".\"\n\
         when a table has one row, or by name (see ovs-vsctl(8)).\n\n\
         Options:\n\
         \x20 --db=DATABASE               connect to DATABASE\n\
         \x20                             (default: {db})\n\
         \x20 --no-wait                   do not wait for ovs-vswitchd to reconfigure\n\
         \x20 --retry                     keep trying to connect to server forever\n\
         \x20 -t, --timeout=SECS          wait at most SECS seconds\n\
         \x20 --dry-run                   do not commit changes to database\n\
         \x20 --oneline                   print exactly one line of output per command\n\
         \n\
         Output formatting options:\n\
         \x20 -f, --format=FORMAT         \"list\" (default), \"table\", \"html\", \"csv\", or \"json\"\n\
         \x20 -d, --data=FORMAT           \"string\" (default), \"bare\", or \"json\"\n\
         \x20 --no-headings               omit table heading row\n\
         \x20 --pretty                    pretty-print JSON in output\n\
         \x20 --bare                      equivalent to \"--format=list --data=bare --no-headings\"\n\
         \x20 --max-column-width=N        cut table cells to N columns\n"
    ));
    out.push_str(&ovs_daemon::vlog::usage());
    out.push_str(
        "  --no-syslog              equivalent to --verbose=vsctl:syslog:warn\n\
         \nOther options:\n\
         \x20 -h, --help                  display this help message\n\
         \x20 -V, --version               display version information\n",
    );
    out
}
