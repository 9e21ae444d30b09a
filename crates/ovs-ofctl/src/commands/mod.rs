//! The command table: names, argument counts, whether a command changes
//! anything (refused under `--read-only`), and the function that runs it.
//! The order is the reference's (`list-commands` prints it).

mod bundle_cmd;
pub mod echo;
pub mod flows;
pub mod groups;
pub mod hooks;
mod meters;
mod monitor;
mod packet_out;
mod parse_hooks;
mod switch;
mod tlv;

use crate::{Ctx, Fatal};

/// A command's implementation: `argv[0]` is the command name.
pub type Handler = fn(&mut Ctx, &[String]) -> Result<i32, Fatal>;

pub struct Command {
    pub name: &'static str,
    /// Argument summary for `list-commands`.
    pub usage: &'static str,
    pub min_args: usize,
    pub max_args: usize,
    /// Refused with `--read-only`.
    pub writes: bool,
    pub run: Handler,
}

const MANY: usize = i32::MAX as usize;

const fn cmd(
    name: &'static str,
    usage: &'static str,
    min_args: usize,
    max_args: usize,
    writes: bool,
    run: Handler,
) -> Command {
    Command {
        name,
        usage,
        min_args,
        max_args,
        writes,
        run,
    }
}

/// Commands that exist in the reference but not here yet.
fn unsupported(_: &mut Ctx, argv: &[String]) -> Result<i32, Fatal> {
    Err(Fatal(format!(
        "'{}' command is not supported by this ovs-ofctl",
        argv.first().map_or("", String::as_str)
    )))
}

const RO: bool = false;
const RW: bool = true;

pub static COMMANDS: &[Command] = &[
    cmd("show", "switch", 1, 1, RO, switch::show),
    cmd(
        "monitor",
        "switch [misslen] [invalid_ttl] [watch:[...]]",
        1,
        3,
        RO,
        monitor::monitor,
    ),
    cmd("snoop", "switch", 1, 1, RO, monitor::snoop),
    cmd("dump-desc", "switch", 1, 1, RO, switch::dump_desc),
    cmd("dump-tables", "switch", 1, 1, RO, switch::dump_tables),
    cmd(
        "dump-table-features",
        "switch",
        1,
        1,
        RO,
        switch::dump_table_features,
    ),
    cmd(
        "dump-table-desc",
        "switch",
        1,
        1,
        RO,
        switch::dump_table_desc,
    ),
    cmd("dump-flows", "switch", 1, 2, RO, flows::dump_flows),
    cmd("dump-aggregate", "switch", 1, 2, RO, flows::dump_aggregate),
    cmd(
        "queue-stats",
        "switch [port [queue]]",
        1,
        3,
        RO,
        switch::queue_stats,
    ),
    cmd(
        "queue-get-config",
        "switch [port [queue]]",
        1,
        3,
        RO,
        switch::queue_get_config,
    ),
    cmd("add-flow", "switch flow", 2, 2, RW, flows::add_flow),
    cmd("add-flows", "switch file", 2, 2, RW, flows::add_flows),
    cmd("mod-flows", "switch flow", 2, 2, RW, flows::mod_flows),
    cmd("del-flows", "switch [flow]", 1, 2, RW, flows::del_flows),
    cmd(
        "replace-flows",
        "switch file",
        2,
        2,
        RW,
        flows::replace_flows,
    ),
    cmd("diff-flows", "source1 source2", 2, 2, RW, flows::diff_flows),
    cmd("add-meter", "switch meter", 2, 2, RW, meters::add_meter),
    cmd("mod-meter", "switch meter", 2, 2, RW, meters::mod_meter),
    cmd("del-meter", "switch meter", 1, 2, RW, meters::del_meters),
    cmd("del-meters", "switch", 1, 2, RW, meters::del_meters),
    cmd("dump-meter", "switch meter", 1, 2, RO, meters::dump_meters),
    cmd("dump-meters", "switch", 1, 2, RO, meters::dump_meters),
    cmd(
        "meter-stats",
        "switch [meter]",
        1,
        2,
        RO,
        meters::meter_stats,
    ),
    cmd("meter-features", "switch", 1, 1, RO, meters::meter_features),
    cmd(
        "packet-out",
        "switch \"in_port=<port> packet=<hex data> actions=...\"",
        2,
        MANY,
        RW,
        packet_out::packet_out,
    ),
    cmd("dump-ports", "switch [port]", 1, 2, RO, switch::dump_ports),
    cmd(
        "dump-ports-desc",
        "switch [port]",
        1,
        2,
        RO,
        switch::dump_ports_desc,
    ),
    cmd("mod-port", "switch iface act", 3, 3, RW, switch::mod_port),
    cmd("mod-table", "switch mod", 3, 3, RW, switch::mod_table),
    cmd("get-frags", "switch", 1, 1, RO, switch::get_frags),
    cmd("set-frags", "switch frag_mode", 2, 2, RW, switch::set_frags),
    cmd("probe", "target", 1, 1, RO, echo::probe),
    cmd("ping", "target [n]", 1, 2, RO, echo::ping),
    cmd("benchmark", "target n count", 3, 3, RO, echo::benchmark),
    cmd(
        "dump-ipfix-bridge",
        "switch",
        1,
        1,
        RO,
        switch::dump_ipfix_bridge,
    ),
    cmd(
        "dump-ipfix-flow",
        "switch",
        1,
        1,
        RO,
        switch::dump_ipfix_flow,
    ),
    cmd(
        "ct-flush-zone",
        "switch zone",
        2,
        2,
        RO,
        switch::ct_flush_zone,
    ),
    cmd(
        "ct-flush",
        "switch [zone=N] [ct-orig-tuple [ct-reply-tuple]]",
        1,
        4,
        RO,
        unsupported,
    ),
    cmd("ofp-parse", "file", 1, 1, RW, hooks::ofp_parse),
    cmd("ofp-parse-pcap", "pcap", 1, MANY, RW, unsupported),
    cmd("add-group", "switch group", 1, 2, RW, groups::add_group),
    cmd("add-groups", "switch file", 2, 2, RW, groups::add_groups),
    cmd("mod-group", "switch group", 1, 2, RW, groups::mod_group),
    cmd("del-groups", "switch [group]", 1, 2, RW, groups::del_groups),
    cmd(
        "insert-buckets",
        "switch [group]",
        1,
        2,
        RW,
        groups::insert_buckets,
    ),
    cmd(
        "remove-buckets",
        "switch [group]",
        1,
        2,
        RW,
        groups::remove_buckets,
    ),
    cmd(
        "dump-groups",
        "switch [group]",
        1,
        2,
        RO,
        groups::dump_groups,
    ),
    cmd(
        "dump-group-stats",
        "switch [group]",
        1,
        2,
        RO,
        groups::dump_group_stats,
    ),
    cmd(
        "dump-group-features",
        "switch",
        1,
        1,
        RO,
        switch::dump_group_features,
    ),
    cmd("bundle", "switch file", 2, 2, RW, bundle_cmd::bundle),
    cmd("add-tlv-map", "switch map", 2, 2, RW, tlv::add_tlv_map),
    cmd("del-tlv-map", "switch [map]", 1, 2, RW, tlv::del_tlv_map),
    cmd("dump-tlv-map", "switch", 1, 1, RO, switch::dump_tlv_map),
    cmd("help", "", 0, MANY, RO, help),
    cmd("list-commands", "", 0, MANY, RO, list_commands),
    cmd("parse-flow", "", 1, 1, RW, parse_hooks::parse_flow),
    cmd("parse-flows", "", 1, 1, RW, parse_hooks::parse_flows),
    cmd("parse-group", "", 1, 1, RW, parse_hooks::parse_group),
    cmd("parse-nx-match", "", 0, 0, RW, unsupported),
    cmd("parse-nxm", "", 0, 0, RW, unsupported),
    cmd("parse-oxm", "", 1, 1, RW, unsupported),
    cmd("parse-actions", "", 1, 1, RW, parse_hooks::parse_actions),
    cmd(
        "parse-instructions",
        "",
        1,
        1,
        RW,
        parse_hooks::parse_instructions,
    ),
    cmd("parse-ofp10-match", "", 0, 0, RW, unsupported),
    cmd("parse-ofp11-match", "", 0, 0, RW, unsupported),
    cmd("parse-pcap", "", 1, MANY, RW, unsupported),
    cmd("check-vlan", "", 2, 2, RW, unsupported),
    cmd("print-error", "", 1, 1, RW, hooks::print_error),
    cmd(
        "encode-error-reply",
        "",
        2,
        2,
        RW,
        hooks::encode_error_reply_cmd,
    ),
    cmd("ofp-print", "", 1, 2, RW, hooks::ofp_print),
    cmd("encode-hello", "", 1, 1, RW, hooks::encode_hello_cmd),
    cmd("parse-key-value", "", 1, MANY, RW, hooks::parse_key_value),
    cmd("compose-packet", "", 1, 2, RO, unsupported),
    cmd("parse-packet", "", 0, 0, RO, unsupported),
];

/// Looks a command up by name.
pub fn find(name: &str) -> Option<&'static Command> {
    COMMANDS.iter().find(|c| c.name == name)
}

/// Checks and runs the command in `argv` (its name first).
pub fn run(ctx: &mut Ctx, argv: &[String]) -> Result<i32, Fatal> {
    let Some(name) = argv.first() else {
        return Err(Fatal("missing command name; use --help for help".into()));
    };
    let Some(c) = find(name) else {
        return Err(Fatal(format!(
            "unknown command '{name}'; use --help for help"
        )));
    };
    let n = argv.len() - 1;
    if n < c.min_args {
        return Err(Fatal(format!(
            "'{}' command requires at least {} arguments",
            c.name, c.min_args
        )));
    }
    if n > c.max_args {
        return Err(Fatal(format!(
            "'{}' command takes at most {} arguments",
            c.name, c.max_args
        )));
    }
    if c.writes && ctx.opts.read_only {
        return Err(Fatal(format!(
            "'{}' command does not work in read only mode",
            c.name
        )));
    }
    (c.run)(ctx, argv)
}

fn help(ctx: &mut Ctx, _: &[String]) -> Result<i32, Fatal> {
    ctx.print(&crate::help::usage());
    Ok(0)
}

fn list_commands(ctx: &mut Ctx, _: &[String]) -> Result<i32, Fatal> {
    let mut s = String::from("The available commands are:\n");
    for c in COMMANDS {
        s.push_str(&format!("  {:<23} {}\n", c.name, c.usage));
    }
    ctx.print(&s);
    Ok(0)
}
