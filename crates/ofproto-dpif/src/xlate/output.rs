//! Output: to a port (committing pending header changes first), to the
//! reserved ports (IN_PORT, TABLE, NORMAL, FLOOD, ALL, CONTROLLER, LOCAL),
//! through a patch port into the peer bridge, and to the controller as a
//! `userspace` datapath action carrying the reference's controller cookie.

use datapath::odp::cookie::{COOKIE_CONTROLLER, COOKIE_LEN};
use datapath::OdpAction;
use openflow::flow_match::key;
use openflow::msg::port_desc::{PC_NO_FLOOD, PC_NO_FWD, PC_NO_RECV};
use openflow::port::PortNo;

use super::actions::table_action;
use super::commit::commit;
use super::ctx::{Ctx, MAX_DEPTH, MAX_RESUBMITS};
use super::normal::normal;
use crate::bridge::{read, PortKind};
use crate::trace::NodeKind;

/// OpenFlow port config bits of a port (port-mod), 0 if unknown.
fn port_config(ctx: &Ctx, port: PortNo) -> u32 {
    read(&ctx.bridge.ofproto)
        .port(port)
        .map_or(0, |p| p.config())
}

/// `output:port` and the reserved ports.
pub fn output(ctx: &mut Ctx, port: PortNo, max_len: u16) {
    match port {
        PortNo::IN_PORT => compose_output(ctx, PortNo(ctx.in_port()), true),
        PortNo::TABLE => {
            let in_port = PortNo(ctx.in_port());
            table_action(ctx, in_port, 0, true);
        }
        PortNo::NORMAL => normal(ctx),
        PortNo::FLOOD => flood(ctx, false),
        PortNo::ALL => flood(ctx, true),
        PortNo::CONTROLLER => controller(ctx, max_len, 1, 0),
        PortNo::NONE => {}
        _ => {
            if port.0 != ctx.in_port() {
                compose_output(ctx, port, true);
            } else {
                ctx.report(NodeKind::Warn, || {
                    "skipping output to input port".to_string()
                });
            }
        }
    }
}

fn flood(ctx: &mut Ctx, all: bool) {
    let ports: Vec<PortNo> = flood_order(ctx);
    let in_port = ctx.in_port();
    for p in ports {
        if p.0 == in_port {
            continue;
        }
        if all || port_config(ctx, p) & PC_NO_FLOOD == 0 {
            compose_output(ctx, p, false);
        }
    }
}

/// The reference walks a hash map of ports keyed by the OpenFlow port
/// number: emulate its iteration order.
fn flood_order(ctx: &Ctx) -> Vec<PortNo> {
    let entries = ctx
        .bridge
        .port_order
        .iter()
        .map(|p| (hash_int(u32::from(p.0), 0), *p));
    ovs_hash_order::hmap_order(entries)
}

pub use ovs_hash_order::hash_int;

/// Output to one port: checks, patch ports, then commit + `output`.
pub fn compose_output(ctx: &mut Ctx, port: PortNo, check_stp: bool) {
    let _ = check_stp;
    let Some(xport) = ctx.bridge.ports.get(&port).cloned() else {
        ctx.report(NodeKind::Warn, || "Nonexistent output port".to_string());
        return;
    };
    if port_config(ctx, port) & PC_NO_FWD != 0 {
        ctx.report(NodeKind::Detail, || {
            "OFPPC_NO_FWD set, skipping output".to_string()
        });
        return;
    }
    match xport.kind {
        PortKind::Patch { ref peer } => patch_output(ctx, peer),
        PortKind::Datapath(odp) => {
            commit(ctx);
            if let Some(len) = ctx.truncate.take() {
                ctx.odp.push(OdpAction::Trunc(len));
            }
            ctx.odp.push(OdpAction::Output(odp));
        }
    }
}

/// Checks the recursion limits the reference applies to resubmits and
/// patch-port hops; reports and records the error when exceeded.
pub fn resource_check(ctx: &mut Ctx) -> bool {
    if ctx.depth >= MAX_DEPTH {
        ctx.report(NodeKind::Error, || {
            format!("over max translation depth {MAX_DEPTH}")
        });
        ctx.error = Some("Recursion too deep".to_string());
        false
    } else if ctx.resubmits >= MAX_RESUBMITS {
        ctx.report(NodeKind::Error, || {
            format!("over {MAX_RESUBMITS} resubmit actions")
        });
        ctx.error = Some("Too many resubmits".to_string());
        false
    } else {
        true
    }
}

/// Continues translation in the bridge of patch peer `peer` (an interface
/// name): in_port becomes the peer, metadata and registers are cleared,
/// and the caller's flow and pipeline state come back afterwards.
fn patch_output(ctx: &mut Ctx, peer: &str) {
    let bridges = ctx.bridges;
    let Some((peer_bridge, peer_port)) = bridges.values().find_map(|b| {
        b.port_by_name(peer)
            .filter(|p| matches!(p.kind, PortKind::Patch { .. }))
            .map(|p| (b, p.ofport))
    }) else {
        ctx.report(NodeKind::Warn, || "Nonexistent output port".to_string());
        return;
    };
    if !resource_check(ctx) {
        return;
    }
    let old_flow = ctx.flow.clone();
    let old_inner = ctx.inner_tci;
    let old_tpid = ctx.tpid;
    let old_bridge = ctx.bridge;
    let old_stack = std::mem::take(&mut ctx.stack);
    let old_set = std::mem::take(&mut ctx.action_set);
    let old_table = ctx.table_id;
    ctx.flow.set_uint(key::IN_PORT, u64::from(peer_port.0));
    ctx.flow.set_uint(key::METADATA, 0);
    ctx.flow.get_mut(key::REGS).iter_mut().for_each(|b| *b = 0);
    for s in [
        key::TUN_ID,
        key::TUN_SRC,
        key::TUN_DST,
        key::CT_STATE,
        key::CT_ZONE,
        key::CT_MARK,
        key::CT_LABEL,
    ] {
        ctx.flow.get_mut(s).iter_mut().for_each(|b| *b = 0);
    }
    ctx.flow
        .set_uint(key::ACTSET_OUTPUT, u64::from(PortNo::UNSET.0));
    let depth = ctx.open(NodeKind::Bridge, || {
        format!("bridge(\"{}\")", peer_bridge.name)
    });
    ctx.bridge = peer_bridge;
    let recv_ok = read(&peer_bridge.ofproto)
        .port(peer_port)
        .is_none_or(|p| p.config() & PC_NO_RECV == 0);
    if recv_ok {
        ctx.depth += 1;
        table_action(ctx, peer_port, 0, true);
        super::actions::run_action_set(ctx);
        ctx.depth -= 1;
    }
    ctx.close_to(depth);
    ctx.bridge = old_bridge;
    ctx.stack = old_stack;
    ctx.action_set = old_set;
    ctx.table_id = old_table;
    ctx.flow = old_flow;
    ctx.inner_tci = old_inner;
    ctx.tpid = old_tpid;
    ctx.exit = false;
    ctx.error = None;
}

/// `controller` / `controller(...)`: a userspace action whose cookie is the
/// reference's controller cookie (so the text matches), naming the bridge
/// so the upcall can make the packet-in.
/// Cookie reasons beyond OpenFlow's: a table miss with no flow for it
/// ("implicit") or with a table-miss flow ("explicit"); both reach the
/// controller as "no match", truncated to the connection's miss_send_len.
pub const REASON_EXPLICIT_MISS: u8 = 6;
pub const REASON_IMPLICIT_MISS: u8 = 7;

pub fn controller(ctx: &mut Ctx, max_len: u16, reason: u8, controller_id: u16) {
    commit(ctx);
    let mut c = vec![0u8; COOKIE_LEN];
    c[0..2].copy_from_slice(&COOKIE_CONTROLLER.to_ne_bytes());
    c[2..4].copy_from_slice(&ctx.in_port().to_ne_bytes());
    let bid = (ctx.bridge_ids)(&ctx.bridge.name);
    c[4..8].copy_from_slice(&bid.to_ne_bytes());
    c[8] = ctx.table_id;
    c[20] = 1; // dont_send: the packet-in comes from this upcall
    c[22..24].copy_from_slice(&u16::from(reason).to_ne_bytes());
    c[28..36].copy_from_slice(&ctx.rule_cookie.to_be_bytes());
    c[36..38].copy_from_slice(&controller_id.to_ne_bytes());
    c[38..40].copy_from_slice(&max_len.to_ne_bytes());
    ctx.odp.push(OdpAction::Userspace {
        pid: 0,
        userdata: c,
    });
}

/// What a controller cookie says (see [`controller`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ControllerCookie {
    pub bridge_id: u32,
    pub in_port: u16,
    pub table_id: u8,
    pub reason: u8,
    pub rule_cookie: u64,
    pub controller_id: u16,
    pub max_len: u16,
}

pub fn parse_controller_cookie(c: &[u8]) -> Option<ControllerCookie> {
    if c.len() != COOKIE_LEN {
        return None;
    }
    let u16_at = |i: usize| {
        c.get(i..i + 2)
            .and_then(|s| s.try_into().ok())
            .map(u16::from_ne_bytes)
    };
    if u16_at(0)? != COOKIE_CONTROLLER {
        return None;
    }
    Some(ControllerCookie {
        in_port: u16_at(2)?,
        bridge_id: c
            .get(4..8)
            .and_then(|s| s.try_into().ok())
            .map(u32::from_ne_bytes)?,
        table_id: *c.get(8)?,
        reason: u16_at(22)? as u8,
        rule_cookie: c
            .get(28..36)
            .and_then(|s| s.try_into().ok())
            .map(u64::from_be_bytes)?,
        controller_id: u16_at(36)?,
        max_len: u16_at(38)?,
    })
}
