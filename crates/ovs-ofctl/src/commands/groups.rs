//! Group commands: `add-group(s)`, `mod-group`, `del-groups`,
//! `insert-buckets`, `remove-buckets`, `dump-groups`, `dump-group-stats`
//! (`dump-group-features` is with the switch queries).

use crate::bundle::{bundle_transact, ATOMIC_ORDERED};
use crate::commands::flows::read_lines;
use crate::dump::dump_transaction;
use crate::flow_format::open_for_flow_mod;
use crate::names;
use crate::vconn::alloc_xid;
use crate::{Ctx, Fatal};
use openflow::msg::group::{
    parse_group_mod, GroupMod, GroupModCommand, GroupTextCommand, GROUP_ALL,
};
use openflow::msg::multipart::{MpRequest, MultipartRequest};
use openflow::msg::{self, Message};
use openflow::port::PortMap;
use openflow::protocol::Protocols;

/// Table, then port names, fetched before parsing (as the reference).
fn names_for_parsing(ctx: &mut Ctx, switch: &str) -> Result<Option<PortMap>, Fatal> {
    names::prefetch_for_parsing(ctx, switch, false)?;
    Ok(names::cached_ports(ctx, switch).cloned())
}

fn encode_group_mod(gm: &GroupMod, protocol: Protocols) -> Vec<u8> {
    msg::encode(&Message::GroupMod(gm.clone()), protocol, alloc_xid())
}

/// Sends group mods: as a bundle with `--bundle`, else one at a time, each
/// with a barrier.
fn send_group_mods(
    ctx: &mut Ctx,
    switch: &str,
    gms: &[GroupMod],
    usable: Protocols,
) -> Result<(), Fatal> {
    if ctx.opts.bundle {
        let usable = usable.intersect(Protocols::OXM_ANY.remove(Protocols::OF12_OXM));
        let (mut vconn, protocol) = open_for_flow_mod(ctx, switch, usable)?;
        let requests: Vec<Vec<u8>> = gms.iter().map(|g| encode_group_mod(g, protocol)).collect();
        return bundle_transact(ctx, &mut vconn, &requests, ATOMIC_ORDERED);
    }
    let (mut vconn, protocol) = open_for_flow_mod(ctx, switch, usable)?;
    let mut pending = gms.iter();
    crate::commands::flows::send_pipelined(ctx, &mut vconn, || {
        pending.next().map(|gm| encode_group_mod(gm, protocol))
    })
}

fn group_mod_file(ctx: &mut Ctx, argv: &[String], command: GroupModCommand) -> Result<i32, Fatal> {
    let switch = &argv[1];
    let ports = names_for_parsing(ctx, switch)?;
    let name = &argv[2];
    let lines = read_lines(name).map_err(|e| {
        Fatal(format!(
            "{name}: open failed ({})",
            crate::vconn::err_text(&e)
        ))
    })?;
    let text_command = if command == GroupModCommand::Add {
        GroupTextCommand::FromLine
    } else {
        GroupTextCommand::Mod(command)
    };
    let mut usable = Protocols::ANY;
    let mut gms = Vec::new();
    for (n, line) in lines {
        let (gm, u) = parse_group_mod(&line, text_command, ports.as_ref())
            .map_err(|e| Fatal(format!("{name}:{n}: {e}")))?;
        usable = usable.intersect(u);
        gms.push(gm);
    }
    send_group_mods(ctx, switch, &gms, usable)?;
    Ok(0)
}

fn group_mod(ctx: &mut Ctx, argv: &[String], command: GroupModCommand) -> Result<i32, Fatal> {
    if argv.get(2).is_some_and(|a| a == "-") {
        return group_mod_file(ctx, argv, command);
    }
    let switch = &argv[1];
    let ports = names_for_parsing(ctx, switch)?;
    let text = argv.get(2).map_or("", String::as_str);
    let (gm, usable) =
        parse_group_mod(text, GroupTextCommand::Mod(command), ports.as_ref()).map_err(Fatal)?;
    send_group_mods(ctx, switch, &[gm], usable)?;
    Ok(0)
}

pub fn add_group(ctx: &mut Ctx, argv: &[String]) -> Result<i32, Fatal> {
    group_mod(ctx, argv, GroupModCommand::Add)
}

pub fn add_groups(ctx: &mut Ctx, argv: &[String]) -> Result<i32, Fatal> {
    group_mod_file(ctx, argv, GroupModCommand::Add)
}

pub fn mod_group(ctx: &mut Ctx, argv: &[String]) -> Result<i32, Fatal> {
    let c = if ctx.opts.may_create {
        GroupModCommand::AddOrMod
    } else {
        GroupModCommand::Modify
    };
    group_mod(ctx, argv, c)
}

pub fn del_groups(ctx: &mut Ctx, argv: &[String]) -> Result<i32, Fatal> {
    group_mod(ctx, argv, GroupModCommand::Delete)
}

pub fn insert_buckets(ctx: &mut Ctx, argv: &[String]) -> Result<i32, Fatal> {
    group_mod(ctx, argv, GroupModCommand::InsertBucket)
}

pub fn remove_buckets(ctx: &mut Ctx, argv: &[String]) -> Result<i32, Fatal> {
    group_mod(ctx, argv, GroupModCommand::RemoveBucket)
}

pub fn dump_groups(ctx: &mut Ctx, argv: &[String]) -> Result<i32, Fatal> {
    let mut vconn = ctx.open(&argv[1])?;
    let group = argv
        .get(2)
        .and_then(|s| crate::text::group_id(s))
        .unwrap_or(GROUP_ALL);
    let protocol = crate::flow_format::initial_protocol(vconn.version());
    let request = msg::encode(
        &Message::MultipartRequest(MultipartRequest::new(MpRequest::GroupDesc(group))),
        protocol,
        alloc_xid(),
    );
    dump_transaction(ctx, &mut vconn, request)?;
    Ok(0)
}

pub fn dump_group_stats(ctx: &mut Ctx, argv: &[String]) -> Result<i32, Fatal> {
    let switch = &argv[1];
    let ports = names_for_parsing(ctx, switch)?;
    let text = argv.get(2).map_or("", String::as_str);
    let (gm, _) = parse_group_mod(
        text,
        GroupTextCommand::Mod(GroupModCommand::Delete),
        ports.as_ref(),
    )
    .map_err(Fatal)?;
    let mut vconn = ctx.open(switch)?;
    let protocol = crate::flow_format::initial_protocol(vconn.version());
    let request = msg::encode(
        &Message::MultipartRequest(MultipartRequest::new(MpRequest::Group(gm.group_id))),
        protocol,
        alloc_xid(),
    );
    dump_transaction(ctx, &mut vconn, request)?;
    Ok(0)
}
