//! Flow commands: `add-flow(s)`, `mod-flows`, `del-flows`, `dump-flows`,
//! `dump-aggregate`, `replace-flows`, `diff-flows`, and the flow monitor
//! request of `monitor ... watch:`.
//!
//! As in the reference, a command that parses flows first fetches the
//! switch's table and port names (each over its own connection, unless
//! `--no-names`), then opens the connection it works on and picks the flow
//! protocol the flows need ([`crate::flow_format`]). Flow mods go one at a
//! time, each followed by a barrier; the first error stops the command.

use crate::bundle::{bundle_transact, ATOMIC_ORDERED};
use crate::dump::{dump_transaction, report_error_reply};
use crate::flow_format::{initial_protocol, open_for_flow_mod, set_for_flow_dump};
use crate::names;
use crate::options::SortKey;
use crate::text;
use crate::vconn::{alloc_xid, Vconn};
use crate::{Ctx, Fatal};
use openflow::msg::flow_mod::{FlowMod, FlowModCommand, TABLE_ALL};
use openflow::msg::multipart::flow::{FlowFormat, FlowStats, FlowStatsRequest};
use openflow::msg::multipart::{MpReply, MpRequest, MultipartRequest};
use openflow::msg::{self, Message};
use openflow::port::PortMap;
use openflow::protocol::Protocols;
use openflow::Version;
use std::cmp::Ordering;
use std::collections::HashMap;
use std::io::BufRead;

/// Reads the lines of a flow file (`-` for standard input) the way the
/// reference does: text after `#` is a comment, blank lines are skipped.
/// Returns (line number, text) pairs.
pub fn read_lines(name: &str) -> std::io::Result<Vec<(usize, String)>> {
    let reader: Box<dyn BufRead> = if name == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        Box::new(std::io::BufReader::new(std::fs::File::open(name)?))
    };
    let mut out = Vec::new();
    for (i, line) in reader.split(b'\n').enumerate() {
        let line = line?;
        let mut text = String::from_utf8_lossy(&line).into_owned();
        if let Some(at) = text.find('#') {
            text.truncate(at);
        }
        if text.bytes().all(|b| matches!(b, b' ' | b'\t' | b'\n')) {
            continue;
        }
        out.push((i + 1, text));
    }
    Ok(out)
}

/// In an `add-flows` file a line may start with the command it is for
/// ("add", "modify", "delete", "modify_strict", "delete_strict", or any
/// prefix of one, the first match winning); the default is add.
fn line_command(line: &str) -> (FlowModCommand, &str) {
    let s = line.trim_start_matches([' ', '\t', '\r', '\n']);
    let len = s.find([',', ' ', '\t', '\r', '\n']).unwrap_or(s.len());
    let word = &s[..len];
    let commands = [
        ("add", FlowModCommand::Add),
        ("delete", FlowModCommand::Delete),
        ("delete_strict", FlowModCommand::DeleteStrict),
        ("modify", FlowModCommand::Modify),
        ("modify_strict", FlowModCommand::ModifyStrict),
    ];
    match commands.iter().find(|(name, _)| name.starts_with(word)) {
        Some(&(_, c)) => (c, &s[len..]),
        None => (FlowModCommand::Add, s),
    }
}

/// The flow mods in a file, and the protocols that can carry all of them.
/// With `mixed`, each line may name its command.
fn read_flow_mod_file(
    name: &str,
    command: FlowModCommand,
    mixed: bool,
    ports: Option<&PortMap>,
) -> Result<(Vec<FlowMod>, Protocols), Fatal> {
    let lines = read_lines(name).map_err(|e| {
        Fatal(format!(
            "{name}: open failed ({})",
            crate::vconn::err_text(&e)
        ))
    })?;
    let mut usable = Protocols::ANY;
    let mut fms = Vec::with_capacity(lines.len());
    for (n, line) in lines {
        let (c, rest) = if mixed {
            line_command(&line)
        } else {
            (command, line.as_str())
        };
        let (fm, u) =
            text::parse_flow_mod(rest, c, ports).map_err(|e| Fatal(format!("{name}:{n}: {e}")))?;
        usable = usable.intersect(u);
        fms.push(fm);
    }
    Ok((fms, usable))
}

/// The whole encoded flow mod for `protocol`.
fn encode_flow_mod(fm: &FlowMod, protocol: Protocols) -> Vec<u8> {
    let mut out = Vec::new();
    fm.encode(protocol, alloc_xid(), &mut out);
    out
}

/// Sends flow mods: as one bundle with `--bundle`, else one at a time, each
/// with a barrier, stopping at the first error.
fn send_flow_mods(
    ctx: &mut Ctx,
    switch: &str,
    fms: &[FlowMod],
    usable: Protocols,
) -> Result<(), Fatal> {
    if ctx.opts.bundle {
        // Bundles need OpenFlow 1.3 or later.
        let usable = usable.intersect(Protocols::OXM_ANY.remove(Protocols::OF12_OXM));
        let (mut vconn, protocol) = open_for_flow_mod(ctx, switch, usable)?;
        let requests: Vec<Vec<u8>> = fms.iter().map(|fm| encode_flow_mod(fm, protocol)).collect();
        return bundle_transact(ctx, &mut vconn, &requests, ATOMIC_ORDERED);
    }
    let (mut vconn, protocol) = open_for_flow_mod(ctx, switch, usable)?;
    let mut pending = fms.iter();
    send_pipelined(ctx, &mut vconn, || {
        pending.next().map(|fm| encode_flow_mod(fm, protocol))
    })
}

/// Sends requests (each with a barrier) with a few in flight; the first
/// error reply is printed on stderr and ends the program (status 1).
pub fn send_pipelined(
    ctx: &mut Ctx,
    vconn: &mut Vconn,
    next: impl FnMut() -> Option<Vec<u8>>,
) -> Result<(), Fatal> {
    let name = vconn.name().to_string();
    let reply = vconn
        .transact_noreply_pipelined(next, FLOW_MOD_WINDOW)
        .map_err(|e| Fatal::io(&format!("talking to {name}"), &e))?;
    if let Some(reply) = reply {
        report_error_reply(ctx, &name, &reply)?;
        return Err(Fatal::silent());
    }
    Ok(())
}

/// How many flow mods (each with its barrier) may be in flight at once.
/// The reference waits for each barrier before sending the next flow mod;
/// keeping a few in flight lets the switch take them in batches, several
/// times faster. The difference shows only when one fails: the reference
/// sends nothing after it, while up to this many minus one may already be
/// on their way (and get applied).
const FLOW_MOD_WINDOW: usize = 32;

/// Port names for parsing flows: the reference fetches table names, then
/// port names, before parsing.
fn names_for_parsing(
    ctx: &mut Ctx,
    switch: &str,
    ports_first: bool,
) -> Result<Option<PortMap>, Fatal> {
    names::prefetch_for_parsing(ctx, switch, ports_first)?;
    Ok(names::cached_ports(ctx, switch).cloned())
}

fn flow_mod_command(ctx: &mut Ctx, argv: &[String], command: FlowModCommand) -> Result<i32, Fatal> {
    let switch = &argv[1];
    if argv.get(2).is_some_and(|a| a == "-") {
        return flow_mod_file(ctx, argv, command);
    }
    let ports = names_for_parsing(ctx, switch, false)?;
    let flow = argv.get(2).map_or("", String::as_str);
    let (fm, usable) = text::parse_flow_mod(flow, command, ports.as_ref()).map_err(Fatal)?;
    send_flow_mods(ctx, switch, &[fm], usable)?;
    Ok(0)
}

fn flow_mod_file(ctx: &mut Ctx, argv: &[String], command: FlowModCommand) -> Result<i32, Fatal> {
    let switch = &argv[1];
    let ports = names_for_parsing(ctx, switch, false)?;
    // A file for add-flows may mix commands, line by line.
    let mixed = command == FlowModCommand::Add;
    let (fms, usable) = read_flow_mod_file(&argv[2], command, mixed, ports.as_ref())?;
    send_flow_mods(ctx, switch, &fms, usable)?;
    Ok(0)
}

pub fn add_flow(ctx: &mut Ctx, argv: &[String]) -> Result<i32, Fatal> {
    flow_mod_command(ctx, argv, FlowModCommand::Add)
}

pub fn add_flows(ctx: &mut Ctx, argv: &[String]) -> Result<i32, Fatal> {
    flow_mod_file(ctx, argv, FlowModCommand::Add)
}

pub fn mod_flows(ctx: &mut Ctx, argv: &[String]) -> Result<i32, Fatal> {
    let c = if ctx.opts.strict {
        FlowModCommand::ModifyStrict
    } else {
        FlowModCommand::Modify
    };
    flow_mod_command(ctx, argv, c)
}

pub fn del_flows(ctx: &mut Ctx, argv: &[String]) -> Result<i32, Fatal> {
    let c = if ctx.opts.strict {
        FlowModCommand::DeleteStrict
    } else {
        FlowModCommand::Delete
    };
    flow_mod_command(ctx, argv, c)
}

/// Whether `p` is one of the OpenFlow 1.0 NXM flavours (flow stats then
/// travel as NXST_FLOW / NXST_AGGREGATE).
fn is_nxm(p: Protocols) -> bool {
    p.intersects(Protocols::OF10_NXM_ANY)
}

/// The flow statistics (or aggregate) request for `protocol`.
fn encode_flow_stats_request(
    req: &FlowStatsRequest,
    aggregate: bool,
    protocol: Protocols,
) -> Vec<u8> {
    let body = match (aggregate, is_nxm(protocol)) {
        (false, false) => MpRequest::Flow(req.clone()),
        (false, true) => MpRequest::NxFlow(req.clone()),
        (true, false) => MpRequest::Aggregate(req.clone()),
        (true, true) => MpRequest::NxAggregate(req.clone()),
    };
    msg::encode(
        &Message::MultipartRequest(MultipartRequest::new(body)),
        protocol,
        alloc_xid(),
    )
}

/// Parses the FLOW argument of a dump, opens the switch and sets the
/// protocol: what `dump-flows` and `dump-aggregate` share.
fn prepare_dump(
    ctx: &mut Ctx,
    argv: &[String],
    aggregate: bool,
) -> Result<(Vconn, FlowStatsRequest, Protocols), Fatal> {
    let switch = &argv[1];
    let filter = argv.get(2).map_or("", String::as_str);
    let ports = if filter.is_empty() {
        None
    } else {
        names_for_parsing(ctx, switch, true)?
    };
    let (req, usable) =
        text::parse_flow_stats_request(filter, aggregate, ports.as_ref()).map_err(Fatal)?;
    let mut vconn = ctx.open(switch)?;
    let cur = initial_protocol(vconn.version());
    let protocol = set_for_flow_dump(ctx, &mut vconn, cur, usable)?;
    Ok((vconn, req, protocol))
}

/// Every flow a flow statistics request returns.
fn dump_flow_stats(vconn: &mut Vconn, request: Vec<u8>) -> Result<Vec<FlowStats>, Fatal> {
    let mut flows = Vec::new();
    let mut error = None;
    vconn
        .dump_multipart(request, |reply| {
            match msg::decode(reply) {
                Ok((_, Message::MultipartReply(r))) => match r.body {
                    MpReply::Flow(f) => flows.extend(f),
                    // The ages NXST_FLOW carries are the Nicira flow age
                    // extension, which only ofp-print shows; flows read for
                    // sorting or comparing go without them (as the
                    // reference). OF1.5's OXS idle time stays.
                    MpReply::NxFlow(f) => flows.extend(f.into_iter().map(|mut f| {
                        f.idle_age = None;
                        f.hard_age = None;
                        f
                    })),
                    _ => error = Some(Fatal("dump flows (Protocol error)".into())),
                },
                Ok((_, Message::Error(_))) => {
                    error = Some(Fatal("dump flows (Protocol error)".into()))
                }
                _ => error = Some(Fatal("dump flows (Protocol error)".into())),
            }
            Ok(())
        })
        .map_err(|Fatal(m)| Fatal(m.replace("OpenFlow packet receive failed", "dump flows")))?;
    match error {
        Some(e) => Err(e),
        None => Ok(flows),
    }
}

/// Orders two flows by the `--sort`/`--rsort` keys. A flow without the
/// field sorts after the ones with it, whatever the direction.
fn compare_flows(keys: &[SortKey], a: &FlowStats, b: &FlowStats) -> Ordering {
    for k in keys {
        let ord = match k.field {
            None => a.priority.cmp(&b.priority),
            Some(f) => {
                // A flow "has" the field when it matches on it and the
                // field's prerequisites hold (`tp_dst` means tcp_dst, so UDP
                // flows lack it); flows with it come first whatever the
                // direction. Otherwise the stored values compare, whether
                // the prerequisites hold or not (a UDP port is where a TCP
                // port would be; an unmatched field is zero), as the
                // reference compares them.
                let has = |s: &FlowStats| {
                    s.flow_match.prereq_ok(f.prereq()) && s.flow_match.is_matched(f)
                };
                match (has(a), has(b)) {
                    (true, false) => return Ordering::Less,
                    (false, true) => return Ordering::Greater,
                    _ => {
                        let value = |s: &FlowStats| {
                            let mut v = [0u8; 16];
                            if let Some((x, _)) = s.flow_match.field(f) {
                                let n = x.len().min(16);
                                v[..n].copy_from_slice(&x[..n]);
                            }
                            v
                        };
                        value(a).cmp(&value(b))
                    }
                }
            }
        };
        if ord != Ordering::Equal {
            return if k.descending { ord.reverse() } else { ord };
        }
    }
    Ordering::Equal
}

pub fn dump_flows(ctx: &mut Ctx, argv: &[String]) -> Result<i32, Fatal> {
    let plain = ctx.opts.sort.is_empty() && !ctx.show_names() && ctx.opts.show_stats;
    let (mut vconn, req, protocol) = prepare_dump(ctx, argv, false)?;
    let request = encode_flow_stats_request(&req, false, protocol);
    if plain {
        dump_transaction(ctx, &mut vconn, request)?;
        return Ok(0);
    }
    let mut flows = dump_flow_stats(&mut vconn, request)?;
    if !ctx.opts.sort.is_empty() {
        let keys = ctx.opts.sort.clone();
        flows.sort_by(|a, b| compare_flows(&keys, a, b));
    }
    let switch = &argv[1];
    names::tables_to_show(ctx, switch)?;
    let ports = names::ports_to_show(ctx, switch)?.cloned();
    let opts = FlowFormat {
        show_stats: ctx.opts.show_stats,
        ports: ports.as_ref(),
    };
    let mut out = String::new();
    for f in &flows {
        f.format(&mut out, &opts);
        out.push('\n');
    }
    ctx.print(&out);
    Ok(0)
}

pub fn dump_aggregate(ctx: &mut Ctx, argv: &[String]) -> Result<i32, Fatal> {
    let (mut vconn, req, protocol) = prepare_dump(ctx, argv, true)?;
    let request = encode_flow_stats_request(&req, true, protocol);
    dump_transaction(ctx, &mut vconn, request)?;
    Ok(0)
}

/// One side's version of a flow, in `replace-flows` and `diff-flows`.
#[derive(Clone, Debug)]
struct FlowVersion {
    cookie: u64,
    idle_timeout: u16,
    hard_timeout: u16,
    importance: u16,
    flags: u16,
    table_id: u8,
    actions: Vec<openflow::action::Action>,
    /// The actions as text: versions are equal when these are.
    actions_text: String,
}

impl FlowVersion {
    fn same_as(&self, other: &FlowVersion) -> bool {
        self.cookie == other.cookie
            && self.idle_timeout == other.idle_timeout
            && self.hard_timeout == other.hard_timeout
            && self.importance == other.importance
            && self.actions_text == other.actions_text
    }
}

/// A flow (table, priority and match) with its version on each side.
struct FlowEntry {
    table_id: u8,
    priority: u16,
    flow_match: openflow::flow_match::Match,
    /// The match with its priority, as text (also the identity).
    match_text: String,
    versions: [Option<FlowVersion>; 2],
}

/// The flows of two sources, keyed by table, priority and match.
#[derive(Default)]
struct FlowTables {
    entries: Vec<FlowEntry>,
    index: HashMap<(u8, String), usize>,
}

impl FlowTables {
    fn insert(
        &mut self,
        flow_match: &openflow::flow_match::Match,
        priority: u16,
        version: FlowVersion,
        side: usize,
    ) {
        let match_text = flow_match.format(priority, None);
        let key = (version.table_id, match_text.clone());
        let at = match self.index.get(&key) {
            Some(&i) => i,
            None => {
                self.entries.push(FlowEntry {
                    table_id: version.table_id,
                    priority,
                    flow_match: flow_match.clone(),
                    match_text,
                    versions: [None, None],
                });
                self.index.insert(key, self.entries.len() - 1);
                self.entries.len() - 1
            }
        };
        self.entries[at].versions[side] = Some(version);
    }

    /// The table ids that have entries, in order.
    fn table_ids(&self) -> Vec<u8> {
        let mut ids: Vec<u8> = self.entries.iter().map(|e| e.table_id).collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    }

    /// The entries of table `table_id` in the order the reference's
    /// classifier walks them, as nearly as we can tell without its hash
    /// functions: flows with the same set of matched fields and masks form
    /// a group, groups come highest maximum priority first (then as first
    /// seen), and flows within a group as first seen.
    fn ordered(&self, table_id: u8) -> Vec<&FlowEntry> {
        type Mask = Vec<(openflow::field::FieldId, Vec<u8>)>;
        let mut groups: Vec<(Mask, u16, Vec<&FlowEntry>)> = Vec::new();
        for e in self.entries.iter().filter(|e| e.table_id == table_id) {
            let mask: Mask = e.flow_match.iter().map(|(f, _, m)| (f, m)).collect();
            match groups.iter_mut().find(|(m, _, _)| *m == mask) {
                Some((_, max, members)) => {
                    *max = (*max).max(e.priority);
                    members.push(e);
                }
                None => groups.push((mask, e.priority, vec![e])),
            }
        }
        // A stable sort keeps first-seen order among equal maxima.
        groups.sort_by_key(|g| std::cmp::Reverse(g.1));
        groups
            .into_iter()
            .flat_map(|(_, _, members)| members)
            .collect()
    }
}

/// Reads a flow file into `side` of `tables`; returns the usable protocols.
fn read_flows_from_file(
    name: &str,
    tables: &mut FlowTables,
    side: usize,
    ports: Option<&PortMap>,
) -> Result<Protocols, Fatal> {
    let lines = read_lines(name).map_err(|e| Fatal::io(&format!("{name}: open"), &e))?;
    let mut usable = Protocols::ANY;
    for (n, line) in lines {
        let (fm, u) = text::parse_flow_mod(&line, FlowModCommand::Add, ports)
            .map_err(|e| Fatal(format!("{name}:{n}: {e}")))?;
        usable = usable.intersect(u);
        let version = FlowVersion {
            cookie: if fm.new_cookie == u64::MAX {
                0
            } else {
                fm.new_cookie
            },
            idle_timeout: fm.idle_timeout,
            hard_timeout: fm.hard_timeout,
            importance: fm.importance,
            // Only these flags are worth re-sending.
            flags: fm.flags & openflow::msg::flow_mod::FF_SEND_FLOW_REM,
            table_id: if fm.table_id == TABLE_ALL {
                0
            } else {
                fm.table_id
            },
            actions_text: openflow::action::format_actions(&fm.actions, None),
            actions: fm.actions,
        };
        tables.insert(&fm.flow_match, fm.priority, version, side);
    }
    Ok(usable)
}

/// Reads every flow of the switch into `side` of `tables`.
fn read_flows_from_switch(
    vconn: &mut Vconn,
    protocol: Protocols,
    tables: &mut FlowTables,
    side: usize,
) -> Result<(), Fatal> {
    let request = encode_flow_stats_request(&FlowStatsRequest::default(), false, protocol);
    for f in dump_flow_stats(vconn, request)? {
        let version = FlowVersion {
            cookie: f.cookie,
            idle_timeout: f.idle_timeout,
            hard_timeout: f.hard_timeout,
            importance: f.importance,
            flags: 0,
            table_id: f.table_id,
            actions_text: openflow::action::format_actions(&f.actions, None),
            actions: f.actions,
        };
        tables.insert(&f.flow_match, f.priority, version, side);
    }
    Ok(())
}

/// The flow mod that makes the switch hold `side`'s version of `e`.
fn entry_flow_mod(e: &FlowEntry, side: usize, command: FlowModCommand) -> Option<FlowMod> {
    let v = e.versions[side].as_ref()?;
    let mut fm = FlowMod::new(command);
    fm.priority = e.priority;
    fm.new_cookie = v.cookie;
    fm.modify_cookie = true;
    fm.table_id = v.table_id;
    fm.idle_timeout = v.idle_timeout;
    fm.hard_timeout = v.hard_timeout;
    fm.importance = v.importance;
    fm.flags = v.flags;
    fm.flow_match = e.flow_match.clone();
    if !command.is_delete() {
        fm.actions = v.actions.clone();
    }
    Some(fm)
}

pub fn replace_flows(ctx: &mut Ctx, argv: &[String]) -> Result<i32, Fatal> {
    const FILE: usize = 0;
    const SWITCH: usize = 1;
    let switch = &argv[1];
    let ports = names_for_parsing(ctx, switch, true)?;
    let mut tables = FlowTables::default();
    let usable = read_flows_from_file(&argv[2], &mut tables, FILE, ports.as_ref())?;
    let mut vconn = ctx.open(switch)?;
    let cur = initial_protocol(vconn.version());
    let protocol = set_for_flow_dump(ctx, &mut vconn, cur, usable)?;
    read_flows_from_switch(&mut vconn, protocol, &mut tables, SWITCH)?;
    let mut fms = Vec::new();
    // Table by table, first delete what only the switch has, then add what
    // is new or changed.
    for table_id in tables.table_ids() {
        for e in tables.ordered(table_id) {
            if e.versions[SWITCH].is_some() && e.versions[FILE].is_none() {
                fms.extend(entry_flow_mod(e, SWITCH, FlowModCommand::DeleteStrict));
            }
        }
        for e in tables.ordered(table_id) {
            let (file, sw) = (&e.versions[FILE], &e.versions[SWITCH]);
            if let Some(f) = file {
                if ctx.opts.readd || sw.as_ref().is_none_or(|s| !s.same_as(f)) {
                    fms.extend(entry_flow_mod(e, FILE, FlowModCommand::Add));
                }
            }
        }
    }
    let requests: Vec<Vec<u8>> = fms.iter().map(|fm| encode_flow_mod(fm, protocol)).collect();
    if ctx.opts.bundle {
        bundle_transact(ctx, &mut vconn, &requests, ATOMIC_ORDERED)?;
    } else {
        let mut pending = requests.into_iter();
        send_pipelined(ctx, &mut vconn, || pending.next())?;
    }
    Ok(0)
}

/// A source of `diff-flows`: a file when it looks like a path or names an
/// existing file, else a switch.
fn read_flows_from_source(
    ctx: &mut Ctx,
    source: &str,
    tables: &mut FlowTables,
    side: usize,
) -> Result<(), Fatal> {
    let is_file = source.starts_with('/')
        || source.starts_with('.')
        || (!source.contains(':') && std::path::Path::new(source).exists());
    if is_file {
        read_flows_from_file(source, tables, side, None)?;
    } else {
        let mut vconn = ctx.open(source)?;
        let cur = initial_protocol(vconn.version());
        let protocol = set_for_flow_dump(ctx, &mut vconn, cur, Protocols::ANY)?;
        read_flows_from_switch(&mut vconn, protocol, tables, side)?;
    }
    Ok(())
}

/// One side of a difference, as `diff-flows` prints it.
fn format_version(e: &FlowEntry, side: usize) -> Option<String> {
    let v = e.versions[side].as_ref()?;
    let mut s = String::new();
    if v.table_id != 0 {
        s.push_str(&format!("table={} ", v.table_id));
    }
    s.push_str(&e.match_text);
    if v.cookie != 0 {
        s.push_str(&format!(" cookie=0x{:x}", v.cookie));
    }
    if v.idle_timeout != 0 {
        s.push_str(&format!(" idle_timeout={}", v.idle_timeout));
    }
    if v.hard_timeout != 0 {
        s.push_str(&format!(" hard_timeout={}", v.hard_timeout));
    }
    if v.importance != 0 {
        s.push_str(&format!(" importance={}", v.importance));
    }
    s.push_str(" actions=");
    s.push_str(&v.actions_text);
    s.push('\n');
    Some(s)
}

pub fn diff_flows(ctx: &mut Ctx, argv: &[String]) -> Result<i32, Fatal> {
    let mut tables = FlowTables::default();
    read_flows_from_source(ctx, &argv[1], &mut tables, 0)?;
    read_flows_from_source(ctx, &argv[2], &mut tables, 1)?;
    let mut differences = false;
    let mut out = String::new();
    for e in tables
        .table_ids()
        .into_iter()
        .flat_map(|t| tables.ordered(t))
    {
        let same = match (&e.versions[0], &e.versions[1]) {
            (Some(a), Some(b)) => a.same_as(b),
            _ => false,
        };
        if !same {
            if let Some(a) = format_version(e, 0) {
                out.push('-');
                out.push_str(&a);
            }
            if let Some(b) = format_version(e, 1) {
                out.push('+');
                out.push_str(&b);
            }
            differences = true;
        }
    }
    ctx.print(&out);
    Ok(if differences { 2 } else { 0 })
}

/// The flow monitor request for `monitor SWITCH watch:SPEC`.
pub fn flow_monitor_request(
    ctx: &mut Ctx,
    switch: &str,
    spec: &str,
    version: Version,
) -> Result<Vec<u8>, Fatal> {
    let ports = names_for_parsing(ctx, switch, false)?;
    let tables = names::tables_to_accept(ctx, switch)?.cloned();
    let (request, usable) =
        text::parse_flow_monitor_request(spec, ports.as_ref(), tables.as_ref(), version)
            .map_err(Fatal)?;
    crate::flow_format::check_usable(ctx, usable)?;
    Ok(request)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_commands() {
        assert_eq!(
            line_command("add in_port=1,actions=drop").0,
            FlowModCommand::Add
        );
        assert_eq!(line_command("del in_port=1").0, FlowModCommand::Delete);
        assert_eq!(
            line_command("delete_strict priority=1").0,
            FlowModCommand::DeleteStrict
        );
        assert_eq!(line_command("mod actions=drop").0, FlowModCommand::Modify);
        assert_eq!(
            line_command("modify_s actions=drop").0,
            FlowModCommand::ModifyStrict
        );
        let (c, rest) = line_command("in_port=1,actions=drop");
        assert_eq!((c, rest), (FlowModCommand::Add, "in_port=1,actions=drop"));
        // An empty first token is a prefix of "add".
        assert_eq!(line_command(",actions=drop").1, ",actions=drop");
    }

    fn version(table_id: u8) -> FlowVersion {
        FlowVersion {
            cookie: 0,
            idle_timeout: 0,
            hard_timeout: 0,
            importance: 0,
            flags: 0,
            table_id,
            actions: Vec::new(),
            actions_text: "drop".into(),
        }
    }

    #[test]
    fn flows_group_by_matched_fields_highest_priority_first() {
        let mut t = FlowTables::default();
        for (side, flow) in [
            (0, "priority=5,in_port=1,actions=drop"),
            (0, "priority=3,tcp,actions=drop"),
            (1, "priority=10,actions=drop"),
            (1, "priority=20,in_port=2,actions=drop"),
            (0, "priority=10,actions=drop"),
        ] {
            let (fm, _) = crate::text::parse_flow_mod(flow, FlowModCommand::Add, None).unwrap();
            t.insert(&fm.flow_match, fm.priority, version(0), side);
        }
        let order: Vec<&str> = t.ordered(0).iter().map(|e| e.match_text.as_str()).collect();
        assert_eq!(
            order,
            [
                "priority=5,in_port=1",
                "priority=20,in_port=2",
                "priority=10",
                "priority=3,tcp"
            ]
        );
        // The same flow on both sides is one entry.
        assert!(t.ordered(0)[2].versions.iter().all(Option::is_some));
    }
}
