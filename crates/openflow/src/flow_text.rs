//! The ovs-ofctl flow syntax: `add-flow`/`mod-flows`/`del-flows` arguments
//! ("table=1,priority=5,tcp,tp_dst=80,actions=output:1"), `add-flows` files
//! (one flow per line, optionally prefixed by a command, `#` comments), and
//! the flow filters of `dump-flows`/`dump-aggregate`. Each parse also says
//! which protocols can express the result ("usable protocols").
//!
//! Which keywords a flow accepts depends on the command, as in the
//! reference: adds take timeouts, flags, importance and actions; modifies the
//! same but importance; deletes take out_port/out_group (and priority when
//! strict); filters take out_port/out_group. Everything else is a match item.

use crate::action;
use crate::field::{FieldId, SubField};
use crate::flow_match::Match;
use crate::msg::flow_mod::{
    FlowMod, FlowModCommand, FF_CHECK_OVERLAP, FF_NO_BYT_COUNTS, FF_NO_PKT_COUNTS, FF_RESET_COUNTS,
    FF_SEND_FLOW_REM, GROUP_ANY, TABLE_ALL,
};
use crate::port::{PortMap, PortNo};
use crate::protocol::Protocols;

mod tokens;

pub use tokens::{str_to_u16, str_to_u32, str_to_u64, KeyValues};

/// What a command lets a flow say besides its match.
#[derive(Clone, Copy)]
struct Allowed {
    out_port: bool,
    actions: bool,
    importance: bool,
    timeouts: bool,
    priority: bool,
    flags: bool,
}

impl Allowed {
    /// `None` is the flow filter of dump-flows/dump-aggregate.
    fn for_command(command: Option<FlowModCommand>) -> Allowed {
        let none = Allowed {
            out_port: false,
            actions: false,
            importance: false,
            timeouts: false,
            priority: false,
            flags: false,
        };
        match command {
            None | Some(FlowModCommand::Delete) => Allowed {
                out_port: true,
                ..none
            },
            Some(FlowModCommand::DeleteStrict) => Allowed {
                out_port: true,
                priority: true,
                ..none
            },
            Some(FlowModCommand::Add) => Allowed {
                actions: true,
                importance: true,
                timeouts: true,
                priority: true,
                flags: true,
                ..none
            },
            Some(FlowModCommand::Modify | FlowModCommand::ModifyStrict) => Allowed {
                actions: true,
                timeouts: true,
                priority: true,
                flags: true,
                ..none
            },
        }
    }
}

/// Splits off the actions: everything after the first "action" and the
/// next "=" (so "actions=", "action=" and even "actionsfoo=" work, as in the
/// reference). The head ends where "action" starts; the actions are None
/// when there is no "action" or no "=" after it.
pub fn split_actions(s: &str) -> (&str, Option<&str>) {
    match s.find("action") {
        Some(at) => {
            let rest = &s[at..];
            (&s[..at], rest.find('=').map(|eq| &rest[eq + 1..]))
        }
        None => (s, None),
    }
}

/// A port as ovs-ofctl accepts it in flows: a reserved name (any case), a
/// decimal number (OF1.1 32-bit numbers map onto 16 bits as the reference
/// maps them), or a name from `ports` (optionally double-quoted).
pub fn parse_port(s: &str, ports: Option<&PortMap>) -> Option<PortNo> {
    if let Some(p) = PortNo::from_reserved_name(s) {
        return Some(p);
    }
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
        let v: u64 = s.parse().ok()?;
        return if v <= 0xffff {
            Some(PortNo(v as u16))
        } else if (0xffff_ff00..=0xffff_ffff).contains(&v) {
            Some(PortNo((v - 0xffff_0000) as u16))
        } else {
            None
        };
    }
    let name = s
        .strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .unwrap_or(s);
    ports.and_then(|m| m.port(name))
}

/// A group number: decimal, hex or octal (C style), or "all"/"any".
fn parse_group(s: &str) -> Option<u32> {
    match s {
        "all" | "ALL" => Some(0xffff_fffc),
        "any" | "ANY" => Some(GROUP_ANY),
        _ => str_to_u32(s).ok(),
    }
}

/// A table number: decimal 0-255 only (names are not known here).
fn parse_table(s: &str) -> Result<u8, String> {
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) || s.starts_with('+') {
        if let Ok(v) = s.parse::<u32>() {
            if let Ok(t) = u8::try_from(v) {
                return Ok(t);
            }
        }
    }
    report_bad_table_number(s);
    Err(format!("unknown table \"{s}\""))
}

/// The warning the reference gives (`ofp_table|WARN`) for a table argument
/// that is a number but not a table number; the caller then fails.
pub(crate) fn report_bad_table_number(s: &str) {
    let Ok(n) = s.parse::<i32>() else {
        return;
    };
    if n < 0 {
        crate::warn::warn("ofp_table", || {
            format!("Negative value {n} is not a valid table number.")
        });
    } else if n > 255 {
        crate::warn::warn("ofp_table", || {
            format!("table {n} is outside the supported range 0 through 255")
        });
    }
}

/// The parts of a flow's text besides the match, before any check.
struct Parsed {
    fm: FlowMod,
    protocols: Protocols,
}

/// Parses one flow for `command` (None: a flow filter).
fn parse_flow(
    s: &str,
    command: Option<FlowModCommand>,
    ports: Option<&PortMap>,
) -> Result<Parsed, String> {
    let allowed = Allowed::for_command(command);
    let mut fm = FlowMod::new(command.unwrap_or(FlowModCommand::Delete));
    let mut protocols = Protocols::ANY;
    let (head, acts) = if allowed.actions {
        match split_actions(s) {
            (h, Some(a)) => (h, Some(a)),
            (_, None) => return Err("must specify an action".to_string()),
        }
    } else {
        (s, None)
    };
    for (name, value) in KeyValues::new(head) {
        let flag = match name {
            "send_flow_rem" => Some((FF_SEND_FLOW_REM, Protocols::ANY)),
            "check_overlap" => Some((FF_CHECK_OVERLAP, Protocols::ANY)),
            "reset_counts" => Some((FF_RESET_COUNTS, of_versions_from(crate::Version::Of12))),
            "no_packet_counts" => Some((FF_NO_PKT_COUNTS, of_versions_from(crate::Version::Of13))),
            "no_byte_counts" => Some((FF_NO_BYT_COUNTS, of_versions_from(crate::Version::Of13))),
            _ => None,
        };
        if let (true, Some((bit, usable))) = (allowed.flags, flag) {
            fm.flags |= bit;
            protocols = protocols.intersect(usable);
            continue;
        }
        if matches!(name, "no_readonly_table" | "allow_hidden_fields") {
            continue;
        }
        let v = (!value.is_empty()).then_some(value);
        if fm.flow_match.parse_item(name, v, ports)? {
            continue;
        }
        if name.contains('[') {
            parse_subfield_item(&mut fm.flow_match, name, value)?;
            continue;
        }
        if value.is_empty() {
            return Err(format!("field {name} missing value"));
        }
        match name {
            "table" => fm.table_id = parse_table(value)?,
            "out_port" if allowed.out_port => {
                fm.out_port = parse_port(value, ports)
                    .ok_or_else(|| format!("{value} is not a valid OpenFlow port"))?;
            }
            "out_group" if allowed.out_port => {
                protocols = protocols.intersect(of_versions_from(crate::Version::Of11));
                fm.out_group = parse_group(value)
                    .ok_or_else(|| format!("{value} is not a valid OpenFlow group"))?;
            }
            "priority" if allowed.priority => fm.priority = str_to_u16(value, name)?,
            "idle_timeout" if allowed.timeouts => fm.idle_timeout = str_to_u16(value, name)?,
            "hard_timeout" if allowed.timeouts => fm.hard_timeout = str_to_u16(value, name)?,
            "importance" if allowed.importance => fm.importance = str_to_u16(value, name)?,
            "cookie" => parse_cookie(&mut fm, command, value, &mut protocols)?,
            // Statistics in dump-flows output, so that it can be fed back.
            "duration" | "n_packets" | "n_bytes" | "idle_age" | "hard_age" => {}
            _ => return Err(format!("unknown keyword {name}")),
        }
    }
    if fm.table_id != TABLE_ALL {
        protocols = protocols.intersect(Protocols::TID);
    }
    if fm.command.is_modify() && fm.cookie_mask == 0 && fm.new_cookie == u64::MAX {
        // A modify that matches no cookie may add a flow, which then gets
        // cookie 0 unless one was given.
        fm.new_cookie = 0;
    }
    fm.flow_match.check_prerequisites()?;
    protocols = protocols.intersect(fm.flow_match.usable_protocols());
    if let Some(a) = acts {
        fm.actions = action::parse_actions(a, ports)?;
        protocols = protocols.intersect(action::usable_protocols(&fm.actions));
        let cx = action::CheckContext {
            table_id: fm.table_id,
            ..action::CheckContext::default()
        };
        let check = action::check_actions(&mut fm.actions, &fm.flow_match, &cx, &mut protocols);
        let err = match check {
            Ok(()) => protocols
                .is_empty()
                .then_some(crate::OfpError::BacMatchInconsistent),
            Err(e) => Some(e),
        };
        if let Some(e) = err {
            return Err(format!("actions are invalid with specified match ({e})"));
        }
    }
    Ok(Parsed { fm, protocols })
}

/// "reg0[0..3]=5": sets some bits of a field, keeping the rest of its match.
fn parse_subfield_item(m: &mut Match, name: &str, value: &str) -> Result<(), String> {
    let sf = SubField::parse(name)?;
    let n = sf.field.n_bytes();
    let val = parse_int_string(value, n)
        .ok_or_else(|| format!("{name}: cannot parse integer value: {value}"))?;
    let bit = |b: &[u8], i: usize| b[n - 1 - i / 8] >> (i % 8) & 1 == 1;
    let total_bits = n * 8;
    let n_bits = usize::from(sf.n_bits);
    if (n_bits..total_bits).any(|i| bit(&val, i)) {
        return Err(format!(
            "{name}: value {} does not fit into {n_bits} bits",
            sf.field.format_value(&val, None, None)
        ));
    }
    let (mut v, mut mask) = m.get(sf.field).unwrap_or_else(|| (vec![0; n], vec![0; n]));
    v.resize(n, 0);
    mask.resize(n, 0);
    for i in 0..n_bits {
        let dst = usize::from(sf.ofs) + i;
        let (byte, shift) = (n - 1 - dst / 8, dst % 8);
        v[byte] = (v[byte] & !(1 << shift)) | (u8::from(bit(&val, i)) << shift);
        mask[byte] |= 1 << shift;
    }
    m.set(sf.field, &v, &mask);
    Ok(())
}

/// An integer of any width into `n` big-endian bytes: "0x..." hex (any
/// number of digits that fit, "0x" alone is 0), else a C `strtoull` number
/// (decimal or, with a leading 0, octal). None when it does not parse or fit.
fn parse_int_string(s: &str, n: usize) -> Option<Vec<u8>> {
    let mut out = vec![0u8; n];
    if let Some(h) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        let digits: Vec<u32> = h.chars().map(|c| c.to_digit(16)).collect::<Option<_>>()?;
        for (i, d) in digits.iter().rev().enumerate() {
            if *d == 0 {
                continue;
            }
            let byte = n.checked_sub(1 + i / 2)?;
            out[byte] |= (*d as u8) << (4 * (i % 2));
        }
        return Some(out);
    }
    if s.starts_with(['-', '+']) {
        return None;
    }
    let v = str_to_u64(s).ok()?;
    let be = v.to_be_bytes();
    let skip = be.iter().take_while(|b| **b == 0).count();
    if 8 - skip > n {
        return None;
    }
    out[n - (8 - skip)..].copy_from_slice(&be[skip..]);
    Some(out)
}

/// The protocols of `v` and later versions.
fn of_versions_from(v: crate::Version) -> Protocols {
    crate::Version::ALL
        .into_iter()
        .filter(|x| *x >= v)
        .fold(Protocols::NONE, |acc, x| {
            acc.union(Protocols::of_version(x))
        })
}

/// "cookie=V" sets the cookie of added/modified flows; "cookie=V/MASK"
/// matches flows by cookie (not for adds).
fn parse_cookie(
    fm: &mut FlowMod,
    command: Option<FlowModCommand>,
    value: &str,
    protocols: &mut Protocols,
) -> Result<(), String> {
    match value.split_once('/') {
        Some((v, m)) => {
            if command == Some(FlowModCommand::Add) {
                return Err("flow additions cannot use a cookie mask".to_string());
            }
            let cookie = str_to_u64(v)?;
            let mask = str_to_u64(m)?;
            fm.cookie = cookie & mask;
            fm.cookie_mask = mask;
            if mask != 0 {
                // Matching on the cookie needs NXM or OF1.1+.
                *protocols = protocols.intersect(Protocols::NXM_OXM_ANY.union(Protocols::OF11_STD));
            }
        }
        None => {
            if !matches!(
                command,
                Some(FlowModCommand::Add | FlowModCommand::Modify | FlowModCommand::ModifyStrict)
            ) {
                return Err(format!(
                    "cannot set cookie (to match on a cookie, specify a mask, e.g. cookie={value}/-1)"
                ));
            }
            fm.new_cookie = str_to_u64(value)?;
            fm.modify_cookie = true;
        }
    }
    Ok(())
}

/// Parses a flow for `command` as `ovs-ofctl add-flow`/`mod-flows`/
/// `del-flows` do, returning the flow mod and the protocols that can carry it.
pub fn parse_flow_mod(
    s: &str,
    command: FlowModCommand,
    ports: Option<&PortMap>,
) -> Result<(FlowMod, Protocols), String> {
    let p = parse_flow(s, Some(command), ports)?;
    Ok((p.fm, p.protocols))
}

/// Parses one `add-flows` line: an optional leading command word ("add",
/// "modify", "modify_strict", "delete", "delete_strict", or any prefix of
/// them, which the reference also takes), then the flow.
pub fn parse_flow_mod_line(
    s: &str,
    ports: Option<&PortMap>,
) -> Result<(FlowMod, Protocols), String> {
    let t = s.trim_start_matches([' ', '\t', '\r', '\n']);
    let len = t.find([',', ' ', '\t', '\r', '\n']).unwrap_or(t.len());
    let word = &t[..len];
    let prefix_of = |full: &str| full.starts_with(word);
    let command = if prefix_of("add") {
        Some(FlowModCommand::Add)
    } else if prefix_of("delete") {
        Some(FlowModCommand::Delete)
    } else if prefix_of("delete_strict") {
        Some(FlowModCommand::DeleteStrict)
    } else if prefix_of("modify") {
        Some(FlowModCommand::Modify)
    } else if prefix_of("modify_strict") {
        Some(FlowModCommand::ModifyStrict)
    } else {
        None
    };
    match command {
        Some(c) => parse_flow_mod(&t[len..], c, ports),
        None => parse_flow_mod(t, FlowModCommand::Add, ports),
    }
}

/// One line of a flows file, without its comment ('#' to the end).
fn strip_comment(line: &str) -> &str {
    line.split('#').next().unwrap_or_default()
}

/// Parses an `add-flows`/`parse-flows` file: one flow per line, blank lines
/// and `#` comments skipped. With `command` None each line may start with a
/// command word (what `add-flows` accepts); otherwise every line is parsed
/// for `command`. On error, returns the 1-based line number and message.
pub fn parse_flow_mod_file(
    text: &str,
    command: Option<FlowModCommand>,
    ports: Option<&PortMap>,
) -> Result<(Vec<FlowMod>, Protocols), (usize, String)> {
    let mut fms = Vec::new();
    let mut protocols = Protocols::ANY;
    for (i, line) in text.lines().enumerate() {
        let line = strip_comment(line);
        if line.trim().is_empty() {
            continue;
        }
        let r = match command {
            Some(c) => parse_flow_mod(line, c, ports),
            None => parse_flow_mod_line(line, ports),
        };
        let (fm, p) = r.map_err(|e| (i + 1, e))?;
        protocols = protocols.intersect(p);
        fms.push(fm);
    }
    Ok((fms, protocols))
}

/// Which flows a `dump-flows`/`dump-aggregate` (or flow monitor) request
/// is about.
#[derive(Clone, Debug, PartialEq)]
pub struct FlowFilter {
    /// `TABLE_ALL` for every table.
    pub table_id: u8,
    pub out_port: PortNo,
    pub out_group: u32,
    pub cookie: u64,
    pub cookie_mask: u64,
    pub m: Match,
}

impl Default for FlowFilter {
    fn default() -> FlowFilter {
        FlowFilter {
            table_id: TABLE_ALL,
            out_port: PortNo::NONE,
            out_group: GROUP_ANY,
            cookie: 0,
            cookie_mask: 0,
            m: Match::default(),
        }
    }
}

impl FlowFilter {
    /// The flow (or aggregate) statistics request body for this filter.
    pub fn to_request(&self) -> crate::msg::multipart::flow::FlowStatsRequest {
        crate::msg::multipart::flow::FlowStatsRequest {
            table_id: self.table_id,
            out_port: self.out_port,
            out_group: self.out_group,
            cookie: self.cookie,
            cookie_mask: self.cookie_mask,
            flow_match: self.m.clone(),
        }
    }
}

/// Parses the flow argument of `dump-flows`/`dump-aggregate` ("" for all
/// flows): match items plus table, out_port, out_group and cookie/mask.
pub fn parse_flow_filter(
    s: &str,
    ports: Option<&PortMap>,
) -> Result<(FlowFilter, Protocols), String> {
    let p = parse_flow(s, None, ports)?;
    let fm = p.fm;
    Ok((
        FlowFilter {
            table_id: fm.table_id,
            out_port: fm.out_port,
            out_group: fm.out_group,
            cookie: fm.cookie,
            cookie_mask: fm.cookie_mask,
            m: fm.flow_match,
        },
        p.protocols,
    ))
}

/// Whether `name` is a match field (for callers that tokenise themselves).
pub fn is_field_name(name: &str) -> bool {
    FieldId::by_field_name(name).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_split() {
        assert_eq!(split_actions("tcp,actions=drop"), ("tcp,", Some("drop")));
        assert_eq!(split_actions("tcp,action=a,b"), ("tcp,", Some("a,b")));
        assert_eq!(split_actions("tcp,actions"), ("tcp,", None));
        assert_eq!(split_actions("tcp"), ("tcp", None));
    }

    #[test]
    fn ports() {
        assert_eq!(parse_port("LOCAL", None), Some(PortNo::LOCAL));
        assert_eq!(parse_port("in_port", None), Some(PortNo::IN_PORT));
        assert_eq!(parse_port("4294967294", None), Some(PortNo::LOCAL));
        assert_eq!(parse_port("65280", None), Some(PortNo(0xff00)));
        assert_eq!(parse_port("0xfffe", None), None);
        assert_eq!(parse_port("-1", None), None);
        assert_eq!(parse_port("70000", None), None);
    }

    #[test]
    fn tables() {
        assert_eq!(parse_table("010"), Ok(10));
        assert_eq!(parse_table("+5"), Ok(5));
        assert!(parse_table("0x10").is_err());
        assert!(parse_table("256").is_err());
        assert!(parse_table("-1").is_err());
    }
}
