//! The `ofproto/trace` command: argument forms (`BRIDGE FLOW [PACKET]`,
//! `[DP] ODP_FLOW`, `-generate`), flow parsing in OpenFlow syntax (with
//! port names) or datapath syntax, and the reply text.

use openflow::flow_match::key::{self, FlowKey};
use openflow::flow_match::Match;
use openflow::port::PortMap;

use crate::backer::Backer;
use crate::trace::{format_flow, format_megaflow, render};

/// Parses an OpenFlow-syntax flow ("in_port=1,tcp,tp_dst=80") into a key;
/// unspecified fields are zero.
pub fn parse_of_flow(s: &str, ports: Option<&PortMap>) -> Result<FlowKey, String> {
    let mut m = Match::new();
    for item in s.split(',').map(str::trim).filter(|i| !i.is_empty()) {
        let (k, v) = match item.split_once('=') {
            Some((k, v)) => (k.trim(), Some(v.trim())),
            None => (item, None),
        };
        if !m.parse_item(k, v, ports)? {
            return Err(format!("unknown field {k}"));
        }
        // The reference sets fields one by one on an exact flow and
        // insists that each field's prerequisites are already there.
        if let Some(f) = openflow::field::FieldId::by_field_name(k) {
            if !m.prereq_ok(f.prereq()) {
                return Err(format!("prerequisites not met for setting {k}"));
            }
        }
    }
    Ok(m.key().clone())
}

fn parse_hex_packet(s: &str) -> Option<Vec<u8>> {
    let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    if s.is_empty() || !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len() / 2)
        .map(|i| u8::from_str_radix(s.get(2 * i..2 * i + 2)?, 16).ok())
        .collect()
}

/// `ofproto/trace` with its arguments; the reply text or an error text.
pub fn ofproto_trace(backer: &Backer, args: &[&str]) -> Result<String, String> {
    trace(backer, args, false)
}

/// `ofproto/trace-packet-out`: like `ofproto/trace`, but running the
/// actions given as the last argument instead of the flow tables.
pub fn ofproto_trace_packet_out(backer: &Backer, args: &[&str]) -> Result<String, String> {
    trace(backer, args, true)
}

fn trace(backer: &Backer, args: &[&str], packet_out: bool) -> Result<String, String> {
    let mut args: Vec<&str> = args.to_vec();
    let generate = args.iter().any(|a| *a == "-generate" || *a == "--generate");
    args.retain(|a| *a != "-generate" && *a != "--generate");
    let actions_text = if packet_out {
        if args.len() < 2 {
            return Err(
                "\"ofproto/trace-packet-out\" command requires at least 2 arguments".to_string(),
            );
        }
        args.pop()
    } else {
        None
    };
    let (bridge, mut flow, packet): (String, FlowKey, Option<Vec<u8>>) = match args.as_slice() {
        [b, f, rest @ ..] if backer.has_bridge(b) => {
            let ports = port_map(backer, b);
            let flow = if f.contains('(') {
                let (k, _) = datapath::odp::parse_flow(f)?;
                let odp = u32::from(k.u16(key::IN_PORT));
                let (_, ofport) = backer
                    .port_of_odp(odp)
                    .ok_or_else(|| "no OpenFlow port for datapath port".to_string())?;
                let mut k = k;
                k.set_uint(key::IN_PORT, u64::from(ofport.0));
                k
            } else {
                parse_of_flow(f, Some(&ports))
                    .map_err(|e| format!("Bad openflow flow syntax: {f}: {e}"))?
            };
            let packet = match rest.first() {
                Some(p) => Some(parse_hex_packet(p).ok_or("Trailing garbage in packet data")?),
                None => None,
            };
            (b.to_string(), flow, packet)
        }
        [_, f] | [f] if f.contains('(') => {
            let (mut k, _) = datapath::odp::parse_flow(f)?;
            let odp = u32::from(k.u16(key::IN_PORT));
            let (b, ofport) = backer
                .port_of_odp(odp)
                .ok_or_else(|| "Cannot find the datapath".to_string())?;
            k.set_uint(key::IN_PORT, u64::from(ofport.0));
            (b, k, None)
        }
        [b, _, ..] => return Err(format!("{b}: unknown bridge")),
        [a] => {
            return Err(format!(
                "syntax error at {a} (or the bridge name was omitted)"
            ))
        }
        [] => return Err("\"ofproto/trace\" command requires at least 1 arguments".to_string()),
    };
    let actions = match actions_text {
        Some(t) => Some(
            openflow::action::parse_actions(t, Some(&port_map(backer, &bridge)))
                .map_err(|e| e.to_string())?,
        ),
        None => None,
    };
    let packet = match packet {
        Some(p) => {
            let in_port = flow.u16(key::IN_PORT);
            let mut k = FlowKey::default();
            packet::extract(&p, &mut k);
            k.set_uint(key::IN_PORT, u64::from(in_port));
            flow = k;
            Some(p)
        }
        None if generate => Some(packet::compose(&flow)),
        None => None,
    };
    // Side effects (MAC learning, learn) happen only for a real packet.
    let out = backer.trace_translate(&bridge, &flow, packet.as_deref(), actions.as_deref());
    let mut text = String::new();
    text.push_str("Flow: ");
    text.push_str(&format_flow(&flow, 0));
    text.push('\n');
    if let Some(tree) = &out.trace {
        render(tree, &mut text);
    }
    text.push('\n');
    if out.final_flow == flow && out.final_inner_tci == 0 {
        text.push_str("Final flow: unchanged\n");
    } else {
        text.push_str("Final flow: ");
        text.push_str(&format_flow(&out.final_flow, out.final_inner_tci));
        text.push('\n');
    }
    text.push_str("Megaflow: ");
    text.push_str(&format_megaflow(&flow, &out.wc));
    text.push('\n');
    text.push_str("Datapath actions: ");
    text.push_str(&datapath::odp::format_actions(&out.actions));
    text.push('\n');
    if out.slow_action {
        text.push_str("This flow is handled by the userspace slow path because it:\n");
        text.push_str("  - Uses action(s) not supported by datapath.\n");
    }
    if let Some(e) = &out.error {
        text.push_str(&format!("Translation failed ({e}), packet is dropped.\n"));
    }
    Ok(text)
}

fn port_map(backer: &Backer, bridge: &str) -> PortMap {
    let mut m = PortMap::new();
    if let Some(ofp) = backer.ofproto(bridge) {
        for p in crate::bridge::read(&ofp).ports() {
            m.insert(p.name(), p.port_no());
        }
    }
    m
}
