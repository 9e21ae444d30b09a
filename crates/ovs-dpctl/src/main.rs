//! ovs-dpctl: this switch has no kernel datapath, so the tool reaches the
//! userspace datapath through the running ovs-vswitchd: it finds it from
//! `<rundir>/ovs-vswitchd.pid` (OVS_RUNDIR, default /var/run/openvswitch),
//! calls the unixctl command `dpctl/<COMMAND>` with the options and
//! arguments, and prints the reply exactly as `ovs-appctl dpctl/<COMMAND>`
//! does (stdout on success; the error text on stderr and exit status 2).

use std::io::Write;
use std::process::ExitCode;

use ovs_daemon::unixctl::{resolve_target, Client};

/// Commands forwarded to ovs-vswitchd.
const COMMANDS: &[&str] = &[
    "show",
    "dump-dps",
    "dump-flows",
    "add-flow",
    "mod-flow",
    "del-flow",
    "del-flows",
    "get-flow",
];

fn usage() -> String {
    "ovs-dpctl: Open vSwitch datapath management utility\n\
     usage: ovs-dpctl [OPTIONS] COMMAND [ARG...]\n\
     \x20 dump-dps                 display names of all datapaths\n\
     \x20 show                     show basic info on all datapaths\n\
     \x20 show DP...               show basic info on each DP\n\
     \x20 dump-flows [DP]          display flows in DP\n\
     \x20 add-flow [DP] FLOW ACTIONS add FLOW with ACTIONS to DP\n\
     \x20 mod-flow [DP] FLOW ACTIONS change FLOW actions to ACTIONS in DP\n\
     \x20 get-flow [DP] ufid:UFID    fetch flow corresponding to UFID\n\
     \x20 del-flow [DP] FLOW         delete FLOW from DP\n\
     \x20 del-flows [DP]             delete all flows from DP\n\
     This ovs-dpctl works through the running ovs-vswitchd (userspace datapath).\n\
     \nOptions for show and mod-flow:\n\
     \x20 -s,  --statistics           print statistics for port or flow\n\
     \nOptions for dump-flows:\n\
     \x20 -m, --more                  increase verbosity of output\n\
     \x20 --names                     use port names in output\n\
     \nOptions for mod-flow:\n\
     \x20 --may-create                create flow if it doesn't exist\n\
     \x20 --clear                     reset existing stats to zero\n\
     \nOther options:\n\
     \x20 -t, --timeout=SECS          give up after SECS seconds\n\
     \x20 -h, --help                  display this help message\n\
     \x20 -V, --version               display version information\n"
        .to_string()
}

fn main() -> ExitCode {
    let mut opts: Vec<String> = Vec::new();
    let mut rest: Vec<String> = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        if !rest.is_empty() {
            rest.push(a);
            continue;
        }
        match a.as_str() {
            "-h" | "--help" => {
                print!("{}", usage());
                return ExitCode::SUCCESS;
            }
            "-V" | "--version" => {
                println!("ovs-dpctl (Open vSwitch) 3.1.0");
                return ExitCode::SUCCESS;
            }
            "-t" => {
                args.next();
            }
            s if s.starts_with("--timeout=") => {}
            "-s" | "--statistics" | "-m" | "--more" | "--names" | "--no-names" | "--may-create"
            | "--clear" => opts.push(a),
            s if s.starts_with('-') && s.len() > 1 => {
                eprintln!("ovs-dpctl: unrecognized option '{s}'");
                eprintln!("Try 'ovs-dpctl --help' for more information.");
                return ExitCode::from(1);
            }
            _ => rest.push(a),
        }
    }
    let Some(cmd) = rest.first().cloned() else {
        eprintln!("ovs-dpctl: missing command name; use --help for help");
        return ExitCode::from(1);
    };
    if cmd == "help" {
        print!("{}", usage());
        return ExitCode::SUCCESS;
    }
    if !COMMANDS.contains(&cmd.as_str()) {
        eprintln!("ovs-dpctl: unknown command '{cmd}'; use --help for help");
        return ExitCode::from(1);
    }
    let path = match resolve_target("ovs-vswitchd") {
        Ok(p) => p,
        Err(e) => {
            eprintln!("ovs-dpctl: {e}");
            return ExitCode::from(1);
        }
    };
    let mut client = match Client::connect(&path) {
        Ok(c) => c,
        Err(e) => {
            eprintln!(
                "ovs-dpctl: cannot connect to \"{}\" ({})",
                path.display(),
                ovs_daemon::util::error_text(&e)
            );
            return ExitCode::from(1);
        }
    };
    let mut params = opts;
    params.extend(rest.into_iter().skip(1));
    match client.transact(&format!("dpctl/{cmd}"), &params) {
        Ok(Ok(text)) => {
            let mut out = std::io::stdout().lock();
            let _ = out.write_all(text.as_bytes());
            let _ = out.flush();
            ExitCode::SUCCESS
        }
        Ok(Err(text)) => {
            let mut err = std::io::stderr().lock();
            let _ = err.write_all(text.as_bytes());
            ExitCode::from(2)
        }
        Err(e) => {
            eprintln!(
                "ovs-dpctl: {}: transaction error ({})",
                path.display(),
                e.reason()
            );
            ExitCode::from(1)
        }
    }
}
