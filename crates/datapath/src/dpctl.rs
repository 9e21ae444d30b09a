//! Text of the datapath's unixctl commands (`dpctl/*`, the datapath part of
//! `dpif/show`, `netdev-dummy/receive`), as the reference writes it. Pure
//! functions over a [`Datapath`]: ovs-vswitchd registers them; errors are
//! the whole reply text (`ovs-vswitchd: ... (strerror)`).

use std::collections::BTreeMap;
use std::fmt::Write;

use openflow::flow_match::key::FlowKey;

use crate::dp::{Datapath, FlowEntry, FlowError, FlowPutFlags};
use crate::dump_text::{format_dump_line, DumpLine};
use crate::flow::format_ufid;
use crate::miniflow::miniflow_bits;
use crate::odp;

/// The program the error texts name.
const PROGRAM: &str = "ovs-vswitchd";

fn error(text: &str) -> String {
    format!("{PROGRAM}: {text}\n")
}

/// Options and positional arguments of a dpctl command.
#[derive(Default)]
struct Args<'a> {
    statistics: bool,
    more: bool,
    names: Option<bool>,
    may_create: bool,
    clear: bool,
    positional: Vec<&'a str>,
}

fn parse_args(args: &[String]) -> Result<Args<'_>, String> {
    let mut a = Args::default();
    for s in args {
        match s.as_str() {
            "-s" | "--statistics" => a.statistics = true,
            "-m" | "--more" => a.more = true,
            "--names" => a.names = Some(true),
            "--no-names" => a.names = Some(false),
            "--may-create" => a.may_create = true,
            "--clear" => a.clear = true,
            o if o.starts_with("--") => return Err(error(&format!("unknown option {o}"))),
            p => a.positional.push(p),
        }
    }
    Ok(a)
}

/// Whether `name` names this datapath (`TYPE@NAME` or `NAME`).
fn is_this_dp(dp: &Datapath, name: &str) -> bool {
    name == dp.full_name() || name == dp.name()
}

fn port_name_map(dp: &Datapath) -> BTreeMap<u32, String> {
    dp.ports()
        .into_iter()
        .map(|p| (p.port_no, p.name))
        .collect()
}

/// `dpctl/show [-s] [DP...]`.
pub fn show(dp: &Datapath, args: &[String]) -> Result<String, String> {
    let a = parse_args(args)?;
    for p in &a.positional {
        if !is_this_dp(dp, p) {
            return Err(error(&format!(
                "opening datapath {p} failed (Address family not supported by protocol)"
            )));
        }
    }
    let st = dp.stats();
    let mut out = String::new();
    let _ = writeln!(out, "{}:", dp.full_name());
    let _ = writeln!(
        out,
        "  lookups: hit:{} missed:{} lost:{}",
        st.hit, st.missed, st.lost
    );
    let _ = writeln!(out, "  flows: {}", st.flows);
    for port in dp.ports() {
        let _ = writeln!(
            out,
            "  port {}: {} ({})",
            port.port_no, port.name, port.kind
        );
        if a.statistics {
            write_port_stats(&mut out, dp, port.port_no, port.kind.starts_with("dummy"));
        }
    }
    Ok(out)
}

fn write_port_stats(out: &mut String, dp: &Datapath, port_no: u32, dummy: bool) {
    let own = dp.port_stats(port_no).unwrap_or_default();
    let dev = dp.with_netdev(port_no, |d| d.stats());
    // Dummy devices know only packets and bytes ("?" for the rest); others
    // report what the kernel counts.
    let (rxp, txp, rxb, txb) = match (&dev, dummy) {
        (Some(s), false) => (s.rx_packets, s.tx_packets, s.rx_bytes, s.tx_bytes),
        _ => (own.rx_packets, own.tx_packets, own.rx_bytes, own.tx_bytes),
    };
    let n = |v: Option<u64>| v.map_or("?".to_string(), |v| v.to_string());
    let d = if dummy { None } else { dev.as_ref() };
    let _ = writeln!(
        out,
        "    RX packets:{rxp} errors:{} dropped:{} overruns:{} frame:{}",
        n(d.map(|s| s.rx_errors)),
        n(d.map(|s| s.rx_dropped)),
        n(d.map(|s| s.rx_over_errors)),
        n(d.map(|s| s.rx_frame_errors)),
    );
    let _ = writeln!(
        out,
        "    TX packets:{txp} errors:{} dropped:{} aborted:{} carrier:{}",
        n(d.map(|s| s.tx_errors)),
        n(d.map(|s| s.tx_dropped)),
        n(None),
        n(None),
    );
    let _ = writeln!(out, "    collisions:{}", n(d.map(|s| s.collisions)));
    let _ = writeln!(
        out,
        "    RX bytes:{}  TX bytes:{}",
        human_bytes(rxb),
        human_bytes(txb)
    );
}

/// `3778 (3.7 KiB)`; plain below 1 KiB.
fn human_bytes(b: u64) -> String {
    const UNITS: [(u64, &str); 3] = [(1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")];
    for (size, unit) in UNITS {
        if b >= size {
            return format!("{b} ({:.1} {unit})", b as f64 / size as f64);
        }
    }
    b.to_string()
}

/// The datapath line of `dpif/show`: `dummy@ovs-dummy: hit:0 missed:0`.
pub fn dpif_show_header(dp: &Datapath) -> String {
    let st = dp.stats();
    format!("{}: hit:{} missed:{}", dp.full_name(), st.hit, st.missed)
}

/// One dump line for a megaflow.
pub fn dump_line(dp: &Datapath, f: &FlowEntry, verbose: bool, names: bool) -> String {
    let now = dp.now_ms();
    let line = DumpLine {
        ufid: Some(format_ufid(f.ufid)),
        key: f.key.clone(),
        mask: f.mask.clone(),
        packets: f.packets,
        bytes: f.bytes,
        used_ago_ms: f.used.map(|u| now.saturating_sub(u)),
        tcp_flags: f.tcp_flags,
        dp: Some("ovs".to_string()),
        actions: f.actions.clone(),
        extra: {
            let (a, b) = miniflow_bits(&f.key, &f.mask);
            Some(format!("miniflow_bits({a},{b})"))
        },
    };
    let map = port_name_map(dp);
    let lookup = |p: u32| map.get(&p).cloned();
    if verbose || names {
        // Terse with names: the key and actions use names too.
        if verbose {
            format_dump_line(&line, true, Some(&lookup))
        } else {
            let key = odp::format_flow_with(
                &line.key,
                &line.mask,
                &odp::FlowFormat {
                    verbose: false,
                    port_names: Some(&lookup),
                },
            );
            let plain = format_dump_line(&line, false, None);
            let rest = plain.find(", packets:").map_or("", |i| &plain[i..]);
            let acts_at = rest.find("actions:").unwrap_or(rest.len());
            format!(
                "{key}{}actions:{}",
                &rest[..acts_at],
                odp::format_actions_with(&line.actions, Some(&lookup))
            )
        }
    } else {
        format_dump_line(&line, false, None)
    }
}

/// An OpenFlow-syntax `filter=` (e.g. `tcp,tp_dst=80`) as key and mask.
fn parse_filter(dp: &Datapath, text: &str) -> Result<(FlowKey, FlowKey), String> {
    let mut m = openflow::flow_match::Match::new();
    for item in text.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let (k, v) = match item.split_once('=') {
            Some((k, v)) => (k.trim(), Some(v.trim())),
            None => (item, None),
        };
        if let Some(v) = v.filter(|v| v.contains('/')) {
            return Err(format!(
                "{text}: bad value for {k} ({v}: wildcards not allowed here)"
            ));
        }
        if k == "in_port" {
            let v = v.unwrap_or("");
            let port = v
                .parse::<u32>()
                .ok()
                .or_else(|| dp.port_no(v))
                .ok_or_else(|| format!("{v}: unknown port"))?;
            m.set_exact(
                openflow::field::FieldId::IN_PORT,
                &(port as u16).to_be_bytes(),
            );
            continue;
        }
        match m.parse_item(k, v, None) {
            Ok(true) => {}
            Ok(false) => return Err(format!("unknown keyword {k}")),
            Err(e) => return Err(e),
        }
    }
    Ok((m.key().clone(), m.mask().clone()))
}

/// `dpctl/dump-flows [-m] [--names|--no-names] [DP] [filter=FLOW] [type=..]`.
pub fn dump_flows(dp: &Datapath, args: &[String]) -> Result<String, String> {
    let a = parse_args(args)?;
    let mut filter = None;
    for p in &a.positional {
        if let Some(f) = p.strip_prefix("filter=") {
            filter = Some(
                parse_filter(dp, f).map_err(|e| error(&format!("Failed to parse filter ({e})")))?,
            );
        } else if p.starts_with("type=") || p.starts_with("pmd=") {
            // Every flow here is "ovs" and dumped by the main thread.
        } else if !is_this_dp(dp, p) {
            return Err(error("datapath not found (Invalid argument)"));
        }
    }
    let names = a.names.unwrap_or(a.more);
    let mut out = String::new();
    for f in dp.flow_dump() {
        if let Some((fk, fm)) = &filter {
            // Compared only where both the filter and the megaflow look.
            let hit =
                fk.0.iter()
                    .zip(fm.0.iter())
                    .zip(f.key.0.iter().zip(f.mask.0.iter()))
                    .all(|((k, m), (v, fmask))| k & m & fmask == v & m & fmask);
            if !hit {
                continue;
            }
        }
        if out.is_empty() {
            // Only a thread that has flows says so.
            out.push_str("flow-dump from the main thread:\n");
        }
        out.push_str(&dump_line(dp, &f, a.more, names));
        out.push('\n');
    }
    Ok(out)
}

fn stats_line(f: &FlowEntry, now: u64) -> String {
    let used = match f.used {
        Some(u) => {
            let ms = now.saturating_sub(u);
            format!("{}.{:03}s", ms / 1000, ms % 1000)
        }
        None => "never".to_string(),
    };
    format!("packets:{}, bytes:{}, used:{used}\n", f.packets, f.bytes)
}

/// Splits `[DP] FLOW [ACTIONS]` (the datapath name is optional).
fn flow_args<'a>(
    dp: &Datapath,
    pos: &[&'a str],
    with_actions: bool,
) -> Result<(&'a str, Option<&'a str>), String> {
    let want = if with_actions { 2 } else { 1 };
    let rest = match pos.len() {
        n if n == want => pos,
        n if n == want + 1 => {
            if !is_this_dp(dp, pos[0]) {
                return Err(error("datapath not found (Invalid argument)"));
            }
            &pos[1..]
        }
        _ => return Err(error("invalid arguments (Invalid argument)")),
    };
    Ok((rest[0], rest.get(1).copied()))
}

fn parse_key(dp: &Datapath, text: &str) -> Result<(FlowKey, FlowKey), String> {
    let lookup = |name: &str| dp.port_no(name);
    odp::parse_flow_with(text, Some(&lookup))
        .map_err(|e| error(&format!("parsing flow key ({e}) (Invalid argument)")))
}

fn put(dp: &Datapath, args: &[String], modify: bool) -> Result<String, String> {
    let a = parse_args(args)?;
    let (flow, actions) = flow_args(dp, &a.positional, true)?;
    let (key, mask) = parse_key(dp, flow)?;
    // The reference reads action text with port numbers only, and without
    // push_mpls, pop_mpls or hash (it prints them but does not parse them).
    let actions = odp::parse_actions(actions.unwrap_or(""))
        .ok()
        .filter(|acts| !rejected_by_reference(acts))
        .ok_or_else(|| error("parsing actions (Invalid argument)"))?;
    let flags = FlowPutFlags {
        create: !modify || a.may_create,
        modify,
        zero_stats: a.clear,
    };
    let before = if a.statistics {
        find_exact(dp, &key, &mask)
    } else {
        None
    };
    dp.flow_put(&key, &mask, actions, flags)
        .map_err(|e| error(&format!("updating flow table ({e})")))?;
    if a.statistics {
        let now = dp.now_ms();
        let f = before
            .or_else(|| find_exact(dp, &key, &mask))
            .map(|f| stats_line(&f, now))
            .unwrap_or_default();
        return Ok(f);
    }
    Ok(String::new())
}

fn rejected_by_reference(acts: &[odp::OdpAction]) -> bool {
    acts.iter().any(|a| match a {
        odp::OdpAction::PushMpls { .. }
        | odp::OdpAction::PopMpls { .. }
        | odp::OdpAction::Hash { .. } => true,
        odp::OdpAction::Clone(inner) => rejected_by_reference(inner),
        odp::OdpAction::Sample { actions, .. } => rejected_by_reference(actions),
        _ => false,
    })
}

fn find_exact(dp: &Datapath, key: &FlowKey, mask: &FlowKey) -> Option<FlowEntry> {
    let full = crate::pipeline::complete_mask(key, mask, false);
    let masked = |a: &FlowKey, m: &FlowKey| -> Vec<u8> {
        a.0.iter().zip(m.0.iter()).map(|(x, y)| x & y).collect()
    };
    let want = masked(key, &full);
    dp.flow_dump()
        .into_iter()
        .find(|f| f.mask == full && masked(&f.key, &f.mask) == want)
}

/// `dpctl/add-flow [-s] [DP] FLOW ACTIONS`.
pub fn add_flow(dp: &Datapath, args: &[String]) -> Result<String, String> {
    put(dp, args, false)
}

/// `dpctl/mod-flow [-s] [--may-create] [--clear] [DP] FLOW ACTIONS`.
pub fn mod_flow(dp: &Datapath, args: &[String]) -> Result<String, String> {
    put(dp, args, true)
}

/// `dpctl/del-flow [-s] [DP] FLOW` (FLOW may be `ufid:UUID`).
pub fn del_flow(dp: &Datapath, args: &[String]) -> Result<String, String> {
    let a = parse_args(args)?;
    let (flow, _) = flow_args(dp, &a.positional, false)?;
    let not_found = |e: FlowError| {
        let mut s = error(&format!("deleting flow ({e})"));
        if e == FlowError::NotFound {
            s.push_str("Perhaps you need to specify a UFID?\n");
        }
        s
    };
    let deleted = if let Some(u) = flow.strip_prefix("ufid:") {
        let id = parse_ufid(u).ok_or_else(|| error("parsing flow ufid (Invalid argument)"))?;
        dp.flow_del_ufid(id).map_err(not_found)?
    } else {
        let (key, mask) = parse_key(dp, flow)?;
        dp.flow_del(&key, &mask).map_err(not_found)?
    };
    Ok(if a.statistics {
        stats_line(&deleted, dp.now_ms())
    } else {
        String::new()
    })
}

fn parse_ufid(s: &str) -> Option<u128> {
    let hex: String = s.chars().filter(|c| *c != '-').collect();
    if hex.len() != 32 {
        return None;
    }
    u128::from_str_radix(&hex, 16).ok()
}

/// `dpctl/get-flow [DP] ufid:UUID`.
pub fn get_flow(dp: &Datapath, args: &[String]) -> Result<String, String> {
    let a = parse_args(args)?;
    let (flow, _) = flow_args(dp, &a.positional, false)?;
    let id = flow
        .strip_prefix("ufid:")
        .and_then(parse_ufid)
        .ok_or_else(|| format!("{PROGRAM}: parsing flow ufid"))?;
    let f = dp
        .flow_dump()
        .into_iter()
        .find(|f| f.ufid == id)
        .ok_or_else(|| error("getting flow (No such file or directory)"))?;
    let mut line = dump_line(dp, &f, a.more, a.names.unwrap_or(a.more));
    line.push('\n');
    Ok(line)
}

/// `dpctl/dump-dps`.
pub fn dump_dps(dp: &Datapath, _args: &[String]) -> Result<String, String> {
    Ok(format!("{}\n", dp.full_name()))
}

/// `dpctl/del-flows [DP]`.
pub fn del_flows(dp: &Datapath, args: &[String]) -> Result<String, String> {
    let a = parse_args(args)?;
    if let Some(p) = a.positional.iter().find(|p| !is_this_dp(dp, p)) {
        // The reference reads further arguments as a file of flows.
        return Err(error(&format!(
            "Opening file \"{p}\" failed (No such file or directory)"
        )));
    }
    dp.flow_flush();
    Ok(String::new())
}

/// `netdev-dummy/receive NAME PACKET...`: each PACKET is hex bytes or a
/// datapath flow (turned into a packet); processed before replying.
pub fn netdev_dummy_receive(dp: &Datapath, args: &[String]) -> Result<String, String> {
    let mut it = args.iter().map(String::as_str).peekable();
    let name = it
        .next()
        .ok_or_else(|| "no such dummy netdev\n".to_string())?;
    let port = dp
        .ports()
        .into_iter()
        .find(|p| p.name == name && p.kind.starts_with("dummy"))
        .map(|p| p.port_no)
        .ok_or_else(|| "no such dummy netdev\n".to_string())?;
    let mut packets = Vec::new();
    while let Some(arg) = it.next() {
        match arg {
            "--qid" | "--len" => {
                it.next();
                continue;
            }
            _ => {}
        }
        packets.push(packet_from_text(arg).ok_or_else(|| format!("syntax error at {arg}\n"))?);
    }
    for p in packets {
        dp.receive_now(port, &p).map_err(|e| format!("{e}\n"))?;
    }
    Ok(String::new())
}

/// Hex bytes (an Ethernet frame) or a datapath flow.
fn packet_from_text(s: &str) -> Option<Vec<u8>> {
    let s = s.trim();
    if !s.is_empty() && s.len().is_multiple_of(2) && s.bytes().all(|b| b.is_ascii_hexdigit()) {
        let bytes: Option<Vec<u8>> = (0..s.len())
            .step_by(2)
            .map(|i| s.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok()))
            .collect();
        return bytes.filter(|b| b.len() >= 14);
    }
    let (key, _) = odp::parse_flow(s).ok()?;
    Some(packet::compose(&key))
}
