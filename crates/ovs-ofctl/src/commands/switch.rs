//! Commands about the switch as a whole: `show`, `dump-desc`, `dump-tables`,
//! `dump-table-desc`, `dump-ports`, `dump-ports-desc`, `queue-stats`,
//! `get-frags`/`set-frags`, `dump-group-features`, `dump-tlv-map`,
//! `dump-ipfix-*`, `ct-flush-zone`.

use crate::args::{parse_uint, str_to_port_no};
use crate::dump::{dump_transaction, dump_trivial, transact_noreply};
use crate::raw::{self, multipart_request, nx_message, nx_multipart_request, put_port};
use crate::vconn::{alloc_xid, build, RawHeader, Vconn};
use crate::{print, Ctx, Fatal};
use openflow::port::PortNo;
use openflow::{Version, VersionSet};

const OFPT_FEATURES_REQUEST: u8 = 5;
const OFPT_GET_CONFIG_REQUEST: u8 = 7;
const OFPT_GET_CONFIG_REPLY: u8 = 8;
const OFPT_SET_CONFIG: u8 = 9;

/// Nicira message subtypes used here.
const NXT_TLV_TABLE_REQUEST: u32 = 25;
const NXT_CT_FLUSH_ZONE: u32 = 29;
const NXST_IPFIX_BRIDGE: u32 = 3;
const NXST_IPFIX_FLOW: u32 = 4;
const NXST_GROUP_FEATURES: u32 = 9;

/// OFPMP_TABLE_DESC (OpenFlow 1.4+), OFPMP_GROUP_FEATURES (1.2+), and the
/// others by number.
const MP_TABLE_DESC: u16 = 14;
const MP_GROUP_FEATURES: u16 = 8;
const MP_PORT_STATS: u16 = 4;
const MP_QUEUE: u16 = 5;

/// A port description request for all ports (or `port` in OpenFlow 1.5).
pub fn port_desc_request(version: Version, port: PortNo) -> Vec<u8> {
    let mut body = Vec::new();
    if version >= Version::Of15 {
        body.extend_from_slice(&port.to_of11().to_be_bytes());
        body.extend_from_slice(&[0; 4]);
    }
    multipart_request(version, raw::MP_PORT_DESC, alloc_xid(), &body)
}

/// Whether a features reply still carries the port list (OpenFlow 1.0-1.2,
/// when it was not too long to fit).
fn features_have_ports(version: Version, reply: &[u8]) -> bool {
    let port_size = match version {
        Version::Of10 => 48,
        Version::Of11 | Version::Of12 => 64,
        _ => return false,
    };
    reply.len() + port_size <= 0xffff
}

pub fn show(ctx: &mut Ctx, argv: &[String]) -> Result<i32, Fatal> {
    let switch = &argv[1];
    let mut vconn = ctx.open(switch)?;
    let version = vconn.version();
    let request = build(version.wire(), OFPT_FEATURES_REQUEST, alloc_xid(), &[]);
    let reply = vconn
        .transact(request)
        .map_err(|e| Fatal::io(&format!("talking to {switch}"), &e))?;
    let has_ports = features_have_ports(version, &reply);
    let text = print::to_string(&reply, ctx.opts.verbosity + 1);
    ctx.print(&text);
    if !has_ports {
        dump_transaction(ctx, &mut vconn, port_desc_request(version, PortNo::NONE))?;
    }
    dump_trivial(ctx, switch, |v| {
        build(v.wire(), OFPT_GET_CONFIG_REQUEST, alloc_xid(), &[])
    })?;
    Ok(0)
}

/// A multipart request without a body.
fn stats_command(ctx: &mut Ctx, argv: &[String], mp_type: u16) -> Result<i32, Fatal> {
    dump_trivial(ctx, &argv[1], |v| {
        multipart_request(v, mp_type, alloc_xid(), &[])
    })?;
    Ok(0)
}

pub fn dump_desc(ctx: &mut Ctx, argv: &[String]) -> Result<i32, Fatal> {
    stats_command(ctx, argv, raw::MP_DESC)
}

pub fn dump_tables(ctx: &mut Ctx, argv: &[String]) -> Result<i32, Fatal> {
    stats_command(ctx, argv, raw::MP_TABLE)
}

pub fn dump_table_desc(ctx: &mut Ctx, argv: &[String]) -> Result<i32, Fatal> {
    let mut vconn = ctx.open(&argv[1])?;
    let version = vconn.version();
    if version < Version::Of14 {
        return Err(Fatal(
            "dump-table-desc needs OpenFlow 1.4 or later ('-O OpenFlow14')".into(),
        ));
    }
    let request = multipart_request(version, MP_TABLE_DESC, alloc_xid(), &[]);
    dump_transaction(ctx, &mut vconn, request)?;
    Ok(0)
}

pub fn dump_ports(ctx: &mut Ctx, argv: &[String]) -> Result<i32, Fatal> {
    let mut vconn = ctx.open(&argv[1])?;
    let port = match argv.get(2) {
        Some(p) => str_to_port_no(ctx, &argv[1], p)?,
        None => PortNo::NONE,
    };
    let version = vconn.version();
    let mut body = Vec::new();
    put_port(&mut body, version, port, 6);
    if version != Version::Of10 {
        body.extend_from_slice(&[0; 4]);
    }
    let request = multipart_request(version, MP_PORT_STATS, alloc_xid(), &body);
    dump_transaction(ctx, &mut vconn, request)?;
    Ok(0)
}

pub fn dump_ports_desc(ctx: &mut Ctx, argv: &[String]) -> Result<i32, Fatal> {
    let mut vconn = ctx.open(&argv[1])?;
    let port = match argv.get(2) {
        Some(p) => str_to_port_no(ctx, &argv[1], p)?,
        None => PortNo::NONE,
    };
    let request = port_desc_request(vconn.version(), port);
    dump_transaction(ctx, &mut vconn, request)?;
    Ok(0)
}

/// Whether a queue-stats argument means "all" (absent, empty or "all").
fn is_all(arg: Option<&String>) -> bool {
    arg.is_none_or(|a| a.is_empty() || a.eq_ignore_ascii_case("all"))
}

pub fn queue_stats(ctx: &mut Ctx, argv: &[String]) -> Result<i32, Fatal> {
    let mut vconn = ctx.open(&argv[1])?;
    let port = if is_all(argv.get(2)) {
        PortNo::NONE
    } else {
        str_to_port_no(ctx, &argv[1], &argv[2])?
    };
    let queue: u32 = if is_all(argv.get(3)) {
        0xffff_ffff
    } else {
        crate::commands::echo::atoi(&argv[3]) as i32 as u32
    };
    let version = vconn.version();
    let mut body = Vec::new();
    // OpenFlow 1.0 says "all ports" with OFPP_ALL, not OFPP_NONE.
    let port = if version == Version::Of10 && port == PortNo::NONE {
        PortNo::ALL
    } else {
        port
    };
    put_port(&mut body, version, port, 2);
    body.extend_from_slice(&queue.to_be_bytes());
    let request = multipart_request(version, MP_QUEUE, alloc_xid(), &body);
    dump_transaction(ctx, &mut vconn, request)?;
    Ok(0)
}

pub fn dump_group_features(ctx: &mut Ctx, argv: &[String]) -> Result<i32, Fatal> {
    dump_trivial(ctx, &argv[1], |v| {
        if v < Version::Of12 {
            nx_multipart_request(v, NXST_GROUP_FEATURES, alloc_xid(), &[])
        } else {
            multipart_request(v, MP_GROUP_FEATURES, alloc_xid(), &[])
        }
    })?;
    Ok(0)
}

pub fn dump_tlv_map(ctx: &mut Ctx, argv: &[String]) -> Result<i32, Fatal> {
    dump_trivial(ctx, &argv[1], |v| {
        nx_message(v, NXT_TLV_TABLE_REQUEST, alloc_xid(), &[])
    })?;
    Ok(0)
}

pub fn dump_ipfix_bridge(ctx: &mut Ctx, argv: &[String]) -> Result<i32, Fatal> {
    dump_trivial(ctx, &argv[1], |v| {
        nx_multipart_request(v, NXST_IPFIX_BRIDGE, alloc_xid(), &[])
    })?;
    Ok(0)
}

pub fn dump_ipfix_flow(ctx: &mut Ctx, argv: &[String]) -> Result<i32, Fatal> {
    dump_trivial(ctx, &argv[1], |v| {
        nx_multipart_request(v, NXST_IPFIX_FLOW, alloc_xid(), &[])
    })?;
    Ok(0)
}

pub fn ct_flush_zone(ctx: &mut Ctx, argv: &[String]) -> Result<i32, Fatal> {
    let zone = parse_uint(&argv[2])
        .and_then(|z| u16::try_from(z).ok())
        .ok_or_else(|| Fatal(format!("invalid zone_id \"{}\"", argv[2])))?;
    let mut vconn = ctx.open(&argv[1])?;
    let mut body = vec![0; 6];
    body.extend_from_slice(&zone.to_be_bytes());
    let request = nx_message(vconn.version(), NXT_CT_FLUSH_ZONE, alloc_xid(), &body);
    transact_noreply(ctx, &mut vconn, vec![request])?;
    Ok(0)
}

/// The switch configuration: flags (fragment handling in the low 2 bits)
/// and miss_send_len.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct SwitchConfig {
    flags: u16,
    miss_send_len: u16,
}

const FRAG_MODES: [&str; 4] = ["normal", "drop", "reassemble", "nx-match"];

fn fetch_config(vconn: &mut Vconn) -> Result<SwitchConfig, Fatal> {
    let name = vconn.name().to_string();
    let request = build(
        vconn.version().wire(),
        OFPT_GET_CONFIG_REQUEST,
        alloc_xid(),
        &[],
    );
    let reply = vconn
        .transact(request)
        .map_err(|e| Fatal::io(&format!("talking to {name}"), &e))?;
    match (RawHeader::of(&reply), reply.get(8..12)) {
        (Some(h), Some(b)) if h.msg_type == OFPT_GET_CONFIG_REPLY && reply.len() == 12 => {
            Ok(SwitchConfig {
                flags: u16::from_be_bytes([b[0], b[1]]),
                miss_send_len: u16::from_be_bytes([b[2], b[3]]),
            })
        }
        _ => Err(Fatal(format!("{name}: bad reply to config request"))),
    }
}

pub fn get_frags(ctx: &mut Ctx, argv: &[String]) -> Result<i32, Fatal> {
    let mut vconn = ctx.open(&argv[1])?;
    let config = fetch_config(&mut vconn)?;
    ctx.print(FRAG_MODES[usize::from(config.flags & 3)]);
    ctx.print("\n");
    Ok(0)
}

pub fn set_frags(ctx: &mut Ctx, argv: &[String]) -> Result<i32, Fatal> {
    let mode = FRAG_MODES
        .iter()
        .position(|m| m.eq_ignore_ascii_case(&argv[2]))
        .ok_or_else(|| Fatal(format!("{}: unknown fragment handling mode", argv[2])))?
        as u16;
    let mut vconn = ctx.open(&argv[1])?;
    let config = fetch_config(&mut vconn)?;
    if config.flags & 3 == mode {
        return Ok(0);
    }
    let version = vconn.version();
    // Only OpenFlow 1.1 and 1.2 define another flag (invalid TTL to controller).
    let keep = if matches!(version, Version::Of11 | Version::Of12) {
        config.flags & 4
    } else {
        0
    };
    let mut body = (keep | mode).to_be_bytes().to_vec();
    body.extend_from_slice(&config.miss_send_len.to_be_bytes());
    let set = build(version.wire(), OFPT_SET_CONFIG, alloc_xid(), &body);
    transact_noreply(ctx, &mut vconn, vec![set])?;
    // OpenFlow has no good way to refuse a mode, so read it back.
    if fetch_config(&mut vconn)?.flags & 3 != mode {
        return Err(Fatal(format!(
            "{}: setting fragment handling mode failed (this switch probably doesn't support mode \"{}\")",
            argv[1],
            FRAG_MODES[usize::from(mode)]
        )));
    }
    Ok(0)
}

/// `mod-port` commands: the config bit each changes and the value that
/// turns the feature on ("up" clears PORT_DOWN; "noflood" sets NO_FLOOD).
const PORT_FLAGS: [(&str, u32, bool); 8] = [
    ("up", 1, false),
    ("down", 1, true),
    ("stp", 2, false),
    ("receive", 4, false),
    ("receive-stp", 8, false),
    ("flood", 16, false),
    ("forward", 32, false),
    ("packet-in", 64, false),
];

/// The port config bits OpenFlow 1.1 and later still have.
const OF11_PORT_CONFIG: u32 = 1 | 4 | 32 | 64;

/// Finds a port by number (decimal only) or name, over its own connection.
fn fetch_port(ctx: &Ctx, switch: &str, port: &str) -> Result<raw::PortInfo, Fatal> {
    let mut vconn = ctx.open(switch)?;
    let ports = crate::names::fetch_ports(&mut vconn)?;
    let number = parse_uint(port);
    ports
        .into_iter()
        .find(|p| match number {
            Some(n) => u32::from(p.port_no.0) == n,
            None => p.name == port,
        })
        .ok_or_else(|| Fatal(format!("{switch}: couldn't find port `{port}'")))
}

pub fn mod_port(ctx: &mut Ctx, argv: &[String]) -> Result<i32, Fatal> {
    let port = fetch_port(ctx, &argv[1], &argv[2])?;
    let arg = &argv[3];
    let lower = arg.to_ascii_lowercase();
    let (command, not) = if let Some(rest) = lower.strip_prefix("no-") {
        (rest, true)
    } else if let Some(rest) = lower.strip_prefix("no") {
        (rest, true)
    } else {
        (lower.as_str(), false)
    };
    let &(_, bit, on) = PORT_FLAGS
        .iter()
        .find(|(name, _, _)| *name == command)
        .ok_or_else(|| Fatal(format!("unknown mod-port command '{arg}'")))?;
    let (mut config, mut mask) = (if on ^ not { bit } else { 0 }, bit);
    let mut vconn = ctx.open(&argv[1])?;
    let version = vconn.version();
    let mut body = Vec::new();
    if version == Version::Of10 {
        body.extend_from_slice(&port.port_no.0.to_be_bytes());
        body.extend_from_slice(&port.hw_addr);
    } else {
        config &= OF11_PORT_CONFIG;
        mask &= OF11_PORT_CONFIG;
        body.extend_from_slice(&port.port_no.to_of11().to_be_bytes());
        body.extend_from_slice(&[0; 4]);
        body.extend_from_slice(&port.hw_addr);
        body.extend_from_slice(&[0; 2]);
    }
    body.extend_from_slice(&config.to_be_bytes());
    body.extend_from_slice(&mask.to_be_bytes());
    if version < Version::Of14 {
        // advertise, then padding.
        body.extend_from_slice(&[0; 8]);
    }
    // OFPT_PORT_MOD is 15 in OpenFlow 1.0 and 16 later.
    let t = if version == Version::Of10 { 15 } else { 16 };
    let msg = build(version.wire(), t, alloc_xid(), &body);
    transact_noreply(ctx, &mut vconn, vec![msg])?;
    Ok(0)
}

/// What `mod-table` changes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum TableSetting {
    /// OpenFlow 1.1/1.2 table-miss behavior (MISS_*).
    Miss(u32),
    Eviction(bool),
    /// `vacancy:DOWN,UP` or `novacancy`.
    Vacancy(Option<(u8, u8)>),
}

fn parse_vacancy(s: &str) -> Result<(u8, u8), String> {
    let pct = |v: &str| parse_uint(v).filter(|&n| n <= 100).map(|n| n as u8);
    let (down, up) = s.split_once(',').unwrap_or((s, ""));
    let down_v = pct(down).ok_or_else(|| format!("Invalid vacancy down value \"{down}\""))?;
    if !s.contains(',') {
        return Err("Vacancy up value missing".into());
    }
    let up_v = pct(up).ok_or_else(|| format!("Invalid vacancy up value \"{up}\""))?;
    if down_v > up_v {
        return Err(
            "Invalid vacancy range, vacancy up should be greater than vacancy down \
                    (OFPBPC_BAD_VALUE)"
                .into(),
        );
    }
    Ok((down_v, up_v))
}

/// A `mod-table` setting and the versions that have it.
fn parse_table_setting(s: &str) -> Result<(TableSetting, VersionSet), String> {
    use openflow::msg::table_mod::{MISS_CONTINUE, MISS_CONTROLLER, MISS_DROP};
    let of11_12 =
        VersionSet(VersionSet::single(Version::Of11).0 | VersionSet::single(Version::Of12).0);
    let of14_15 =
        VersionSet(VersionSet::single(Version::Of14).0 | VersionSet::single(Version::Of15).0);
    Ok(match s {
        "controller" => (TableSetting::Miss(MISS_CONTROLLER), of11_12),
        "continue" => (TableSetting::Miss(MISS_CONTINUE), of11_12),
        "drop" => (TableSetting::Miss(MISS_DROP), of11_12),
        "evict" => (TableSetting::Eviction(true), of14_15),
        "noevict" => (TableSetting::Eviction(false), of14_15),
        "novacancy" => (TableSetting::Vacancy(None), of14_15),
        _ => match s.strip_prefix("vacancy:") {
            Some(v) => (TableSetting::Vacancy(Some(parse_vacancy(v)?)), of14_15),
            None => return Err(format!("invalid table_mod setting {s}")),
        },
    })
}

/// A table argument: "all", a number, or a table name the switch gave.
fn parse_table_id(ctx: &mut Ctx, switch: &str, s: &str) -> Result<u8, Fatal> {
    if s.eq_ignore_ascii_case("all") {
        return Ok(0xff);
    }
    if let Some(n) = parse_uint(s) {
        if let Ok(t) = u8::try_from(n) {
            return Ok(t);
        }
        crate::log::table_warn(&format!(
            "table {n} is outside the supported range 0 through 255"
        ));
    }
    let map = crate::names::tables_to_accept(ctx, switch)?;
    map.and_then(|m| m.id(s))
        .ok_or_else(|| Fatal(format!("unknown table \"{s}\"")))
}

/// A table's current configuration, from a table description reply.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct TableDesc {
    table_id: u8,
    eviction: bool,
    eviction_flags: Option<u32>,
    vacancy: bool,
    vacancy_thresholds: Option<(u8, u8)>,
}

/// The tables in a table description reply body (OpenFlow 1.4+).
fn table_descs(body: &[u8]) -> Vec<TableDesc> {
    let mut out = Vec::new();
    let mut rest = body;
    while rest.len() >= 8 {
        let len = usize::from(u16::from_be_bytes([rest[0], rest[1]]));
        if len < 8 || len > rest.len() {
            break;
        }
        let (entry, next) = rest.split_at(len);
        let config = u32::from_be_bytes([entry[4], entry[5], entry[6], entry[7]]);
        let mut d = TableDesc {
            table_id: entry[2],
            // OFPTC14_EVICTION, OFPTC14_VACANCY_EVENTS.
            eviction: config & 4 != 0,
            vacancy: config & 8 != 0,
            ..TableDesc::default()
        };
        let mut props = &entry[8..];
        while props.len() >= 4 {
            let t = u16::from_be_bytes([props[0], props[1]]);
            let l = usize::from(u16::from_be_bytes([props[2], props[3]]));
            if l < 4 || l > props.len() {
                break;
            }
            match t {
                // OFPTMPT14_EVICTION.
                2 if l >= 8 => {
                    d.eviction_flags =
                        Some(u32::from_be_bytes([props[4], props[5], props[6], props[7]]));
                }
                // OFPTMPT14_VACANCY.
                3 if l >= 8 => d.vacancy_thresholds = Some((props[4], props[5])),
                _ => {}
            }
            let step = (l.div_ceil(8) * 8).min(props.len());
            props = &props[step..];
        }
        out.push(d);
        rest = next;
    }
    out
}

/// The current description of every table.
fn fetch_table_descs(vconn: &mut Vconn) -> Result<Vec<TableDesc>, Fatal> {
    let request = multipart_request(vconn.version(), MP_TABLE_DESC, alloc_xid(), &[]);
    let mut descs = Vec::new();
    vconn.dump_multipart(request, |reply| {
        if raw::is_multipart_reply(reply) {
            descs.extend(table_descs(raw::multipart_body(reply)));
        }
        Ok(())
    })?;
    Ok(descs)
}

fn send_table_mod(
    ctx: &mut Ctx,
    vconn: &mut Vconn,
    tm: openflow::msg::table_mod::TableMod,
) -> Result<(), Fatal> {
    let protocol = crate::flow_format::initial_protocol(vconn.version());
    let msg = openflow::msg::encode(&openflow::msg::Message::TableMod(tm), protocol, alloc_xid());
    transact_noreply(ctx, vconn, vec![msg])
}

pub fn mod_table(ctx: &mut Ctx, argv: &[String]) -> Result<i32, Fatal> {
    use openflow::msg::table_mod::TableMod;
    let switch = &argv[1];
    // The reference reads the table names first, whatever the table argument.
    crate::names::tables_to_accept(ctx, switch)?;
    let table_id = parse_table_id(ctx, switch, &argv[2])?;
    let (setting, usable) = parse_table_setting(&argv[3]).map_err(Fatal)?;
    if ctx.opts.allowed_versions.intersect(usable).is_empty() {
        let names: Vec<&str> = usable.iter().map(Version::name).collect();
        return Err(Fatal(format!(
            "table_mod '{}' requires one of the OpenFlow versions {}",
            argv[3],
            names.join(", ")
        )));
    }
    let allowed_before = ctx.opts.allowed_versions;
    ctx.opts.allowed_versions = ctx.opts.allowed_versions.intersect(usable);
    let mut vconn = ctx.open(switch)?;
    let base = TableMod {
        table_id,
        ..TableMod::default()
    };
    let of14_15 =
        VersionSet(VersionSet::single(Version::Of14).0 | VersionSet::single(Version::Of15).0);
    if allowed_before.intersect(of14_15).is_empty() {
        let tm = match setting {
            TableSetting::Miss(m) => TableMod { miss: m, ..base },
            _ => base,
        };
        send_table_mod(ctx, &mut vconn, tm)?;
        return Ok(0);
    }
    // OpenFlow 1.4+: what the command does not change stays as the table has
    // it, so each table's description is read (again) just before its mod.
    // (The reference does this whenever 1.4 may be used, and fails on an
    // older connection.)
    if vconn.version() < Version::Of14 {
        return Err(Fatal(
            "dump-table-desc needs OpenFlow 1.4 or later ('-O OpenFlow14')".into(),
        ));
    }
    let mut descs = fetch_table_descs(&mut vconn)?;
    let ids: Vec<u8> = descs
        .iter()
        .map(|d| d.table_id)
        .filter(|&id| table_id == 0xff || id == table_id)
        .collect();
    for (i, id) in ids.into_iter().enumerate() {
        if i > 0 {
            descs = fetch_table_descs(&mut vconn)?;
        }
        let Some(d) = descs.iter().find(|d| d.table_id == id).copied() else {
            continue;
        };
        let mut tm = TableMod {
            table_id: id,
            miss: 0,
            eviction: d.eviction,
            eviction_flags: d.eviction_flags,
            vacancy: d.vacancy,
            vacancy_thresholds: if d.vacancy {
                d.vacancy_thresholds
            } else {
                None
            },
        };
        match setting {
            TableSetting::Eviction(on) => {
                tm.eviction = on;
                tm.eviction_flags = None;
            }
            TableSetting::Vacancy(v) => {
                tm.vacancy = v.is_some();
                tm.vacancy_thresholds = v;
            }
            TableSetting::Miss(_) => {}
        }
        send_table_mod(ctx, &mut vconn, tm)?;
    }
    Ok(0)
}

pub fn dump_table_features(ctx: &mut Ctx, argv: &[String]) -> Result<i32, Fatal> {
    use openflow::msg::multipart::MpReply;
    use openflow::msg::table_features::DittoState;
    use openflow::msg::Message;
    let mut vconn = ctx.open(&argv[1])?;
    let version = vconn.version();
    if version < Version::Of13 {
        return Err(Fatal(
            "dump-table-features needs OpenFlow 1.3 or later ('-O OpenFlow13')".into(),
        ));
    }
    let request = multipart_request(version, raw::MP_TABLE_FEATURES, alloc_xid(), &[]);
    // The tables of every reply are printed as one list, so that runs of
    // identical tables fold into "ditto" across message boundaries.
    let mut tables = Vec::new();
    let mut error_text = None;
    let verbosity = ctx.opts.verbosity;
    vconn.dump_multipart(request, |reply| {
        match openflow::msg::decode(reply) {
            Ok((_, Message::MultipartReply(r))) => match r.body {
                MpReply::TableFeatures(t) => tables.extend(t),
                _ => {
                    return Err(Fatal(format!(
                        "received bad reply: {}",
                        print::to_string(reply, verbosity + 1)
                    )))
                }
            },
            Ok((_, Message::Error(_))) => error_text = Some(print::to_string(reply, verbosity + 1)),
            Ok(_) => {
                return Err(Fatal(format!(
                    "received bad reply: {}",
                    print::to_string(reply, verbosity + 1)
                )))
            }
            Err(e) => return Err(Fatal(format!("decode error: {}", e.name()))),
        }
        Ok(())
    })?;
    if let Some(text) = error_text {
        ctx.print(&text);
        return Ok(0);
    }
    let mut out = String::new();
    let mut ditto = DittoState::default();
    for t in &tables {
        ditto.format_table(&mut out, t, None, true);
    }
    ditto.finish(&mut out);
    // The library writes a newline before each table, as ofp-print wants;
    // this command writes it after.
    let text = out.strip_prefix('\n').unwrap_or(&out);
    ctx.print(text);
    if !tables.is_empty() {
        ctx.print("\n");
    }
    Ok(0)
}

/// A queue configuration request for `port` (and, in OpenFlow 1.4+,
/// `queue`): OFPT_QUEUE_GET_CONFIG_REQUEST up to 1.3, a queue description
/// request later.
fn queue_config_request(version: Version, port: PortNo, queue: u32) -> Vec<u8> {
    let mut body = Vec::new();
    match version {
        Version::Of10 => {
            body.extend_from_slice(&port.0.to_be_bytes());
            body.extend_from_slice(&[0; 2]);
            build(version.wire(), 20, alloc_xid(), &body)
        }
        Version::Of11 | Version::Of12 | Version::Of13 => {
            body.extend_from_slice(&port.to_of11().to_be_bytes());
            body.extend_from_slice(&[0; 4]);
            build(version.wire(), 22, alloc_xid(), &body)
        }
        _ => {
            body.extend_from_slice(&port.to_of11().to_be_bytes());
            body.extend_from_slice(&queue.to_be_bytes());
            multipart_request(version, MP_QUEUE_DESC, alloc_xid(), &body)
        }
    }
}

const MP_QUEUE_DESC: u16 = 15;

pub fn queue_get_config(ctx: &mut Ctx, argv: &[String]) -> Result<i32, Fatal> {
    let switch = &argv[1];
    let port_name = argv.get(2).map_or("any", String::as_str);
    let port = str_to_port_no(ctx, switch, port_name)?;
    let queue_name = argv.get(3).map_or("all", String::as_str);
    let queue = if queue_name.eq_ignore_ascii_case("all") {
        0xffff_ffff
    } else {
        crate::commands::echo::atoi(queue_name) as i32 as u32
    };
    let mut vconn = ctx.open(switch)?;
    let version = vconn.version();
    if port == PortNo::NONE && version == Version::Of10 {
        // OpenFlow 1.0 asks port by port: list the ports on this
        // connection, ask on a second one.
        let mut vconn2 = ctx.open(switch)?;
        let v2 = vconn2.version();
        for p in crate::names::fetch_ports(&mut vconn)? {
            if p.port_no < PortNo::MAX {
                dump_transaction(ctx, &mut vconn2, queue_config_request(v2, p.port_no, queue))?;
            }
        }
    } else {
        dump_transaction(ctx, &mut vconn, queue_config_request(version, port, queue))?;
    }
    Ok(0)
}
