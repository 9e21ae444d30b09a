//! Translation ("xlate"): runs a flow through a bridge's OpenFlow pipeline
//! and produces the datapath actions, the megaflow mask (every key bit the
//! result depended on), the side effects to replay on megaflow hits, and,
//! when asked, the `ofproto/trace` explanation tree.
//!
//! Submodules: `ctx` (state), `lookup` (table lookup with reference-like
//! megaflow masks), `actions` (action execution, resubmit, goto_table),
//! `output` (ports, patch ports, controller), `normal` (NORMAL), `group`
//! (groups, bundle, multipath), `learn`, `commit` (lazy header commit).

pub mod actions;
pub mod commit;
pub mod ctx;
pub mod freeze;
pub mod group;
pub mod learn;
pub mod mpls;
pub mod normal;
pub mod output;

use std::collections::BTreeMap;

use datapath::OdpAction;
use openflow::flow_match::key::{self, FlowKey};
use openflow::port::PortNo;

use crate::bridge::BridgeState;
use crate::trace::{Node, NodeKind, TraceBuilder};
pub use ctx::{MacLearning, SideEffects};

/// What to translate.
pub struct XlateIn<'a> {
    /// The bridge the packet entered.
    pub bridge: &'a str,
    /// The flow, with IN_PORT holding the OpenFlow port.
    pub flow: FlowKey,
    /// The second VLAN header's TCI (0 if none).
    pub inner_tci: u16,
    /// The datapath port the packet came from.
    pub odp_in_port: u32,
    pub packet: Option<&'a [u8]>,
    /// Learn MACs and flows (false for traces).
    pub side_effects: bool,
    pub trace: bool,
    pub now_ms: u64,
    /// Run these actions instead of the pipeline (packet-out).
    pub actions: Option<&'a [openflow::action::Action]>,
    /// Recirculation states: lets translation freeze (select groups) and
    /// resume flows whose RECIRC_ID is not 0.
    pub recirc: Option<&'a freeze::RecircTable>,
}

/// The result of a translation.
pub struct XlateOut {
    pub actions: Vec<OdpAction>,
    /// The megaflow mask.
    pub wc: FlowKey,
    pub final_flow: FlowKey,
    pub final_inner_tci: u16,
    pub trace: Option<Vec<Node>>,
    pub fx: SideEffects,
    /// Why translation failed (the packet is then dropped).
    pub error: Option<String>,
    /// Whether the actions send packets to userspace (controller).
    pub slow: bool,
    /// Whether an action had to be left to the userspace slow path.
    pub slow_action: bool,
}

/// Translates `xin` through the bridges of one backer.
pub fn xlate(
    bridges: &BTreeMap<String, BridgeState>,
    bridge_ids: &dyn Fn(&str) -> u32,
    xin: XlateIn,
) -> XlateOut {
    let mut wc = FlowKey::default();
    // A recirculated packet resumes a frozen translation, maybe in another
    // bridge (reached through a patch port).
    let recirc_id = xin.flow.u32(key::RECIRC_ID);
    let thaw = match (recirc_id, xin.recirc) {
        (0, _) => None,
        (id, Some(t)) => t.get(id),
        (_, None) => None,
    };
    let bridge_name = thaw.as_ref().map_or(xin.bridge, |f| f.bridge.as_str());
    let Some(bridge) = bridges.get(bridge_name) else {
        return XlateOut {
            actions: Vec::new(),
            wc,
            final_flow: xin.flow,
            final_inner_tci: xin.inner_tci,
            trace: None,
            fx: SideEffects::default(),
            error: Some(format!("no bridge named {}", xin.bridge)),
            slow: false,
            slow_action: false,
        };
    };
    for s in [key::IN_PORT, key::DL_TYPE, key::RECIRC_ID, key::PACKET_TYPE] {
        wc.get_mut(s).iter_mut().for_each(|b| *b = 0xff);
    }
    let dl_type = xin.flow.u16(key::DL_TYPE);
    if dl_type == 0x0800 || dl_type == 0x86dd {
        wc.set_uint(key::NW_FRAG, 0x03);
    }
    let tpid0 = if xin.flow.u16(key::VLAN_TCI) & 0x1000 != 0 {
        0x8100
    } else {
        0
    };
    let tpid1 = if xin.inner_tci & 0x1000 != 0 {
        0x8100
    } else {
        0
    };
    let mut ctx = ctx::Ctx {
        bridges,
        bridge,
        flow: xin.flow.clone(),
        base: xin.flow.clone(),
        inner_tci: xin.inner_tci,
        base_inner_tci: xin.inner_tci,
        tpid: [tpid0, tpid1],
        base_tpid: [tpid0, tpid1],
        wc,
        odp: Vec::new(),
        depth: 0,
        resubmits: 0,
        table_id: 0,
        rule_cookie: 0,
        exit: false,
        slow_action: false,
        truncate: None,
        error: None,
        trace: xin.trace.then(TraceBuilder::new),
        fx: SideEffects::default(),
        action_set: Vec::new(),
        stack: Vec::new(),
        packet: xin.packet,
        side_effects: xin.side_effects,
        now_ms: xin.now_ms,
        orig_skb_priority: xin.flow.u32(key::SKB_PRIORITY),
        odp_in_port: xin.odp_in_port,
        bridge_ids,
        recirc: xin.recirc,
        freezing: None,
        learned_masks: Vec::new(),
    };
    let depth = ctx.open(NodeKind::Bridge, || format!("bridge(\"{}\")", bridge.name));
    let in_port = PortNo(ctx.in_port());
    match (&thaw, xin.actions) {
        (Some(f), _) => resume(&mut ctx, f),
        (None, Some(acts)) => actions::do_actions(&mut ctx, acts),
        (None, None) if recirc_id != 0 => {
            ctx.error = Some(format!(
                "no recirculation data for recirc_id {recirc_id:#x}"
            ));
            ctx.report(NodeKind::Error, || {
                format!("no recirculation data for recirc_id {recirc_id:#x}")
            });
        }
        (None, None) => actions::first_table(&mut ctx, in_port),
    }
    if let Some(segments) = ctx.freezing.take() {
        freeze_here(&mut ctx, segments);
    } else if ctx.error.is_none() {
        actions::run_action_set(&mut ctx);
    }
    ctx.close_to(depth);

    let mut actions = std::mem::take(&mut ctx.odp);
    let error = ctx.error.take();
    if error.is_some() {
        actions.clear();
    }
    let mut wc = std::mem::take(&mut ctx.wc);
    finish_wc(&mut wc, &xin.flow);
    let slow = actions
        .iter()
        .any(|a| matches!(a, OdpAction::Userspace { .. }));
    XlateOut {
        actions,
        wc,
        final_flow: ctx.flow.clone(),
        final_inner_tci: ctx.inner_tci,
        trace: ctx.trace.take().map(TraceBuilder::finish),
        fx: std::mem::take(&mut ctx.fx),
        error,
        slow,
        slow_action: ctx.slow_action,
    }
}

/// Ends a frozen translation: remembers what is left and recirculates.
fn freeze_here(ctx: &mut ctx::Ctx, segments: Vec<freeze::Segment>) {
    let Some(table) = ctx.recirc else {
        return;
    };
    let mut metadata = FlowKey::default();
    for s in freeze::PIPELINE_SLOTS {
        ctx::copy_slot(&mut metadata, &ctx.flow, s);
    }
    let state = freeze::Frozen {
        bridge: ctx.bridge.name.clone(),
        table_id: segments.last().map_or(0, |s| s.table_id),
        segments,
        action_set: std::mem::take(&mut ctx.action_set),
        stack: std::mem::take(&mut ctx.stack),
        metadata,
    };
    let id = table.id_for(state);
    ctx.odp.push(OdpAction::Recirc(id));
}

/// Resumes a frozen translation: restores the pipeline state and runs the
/// actions left at each level, innermost first.
fn resume(ctx: &mut ctx::Ctx, f: &freeze::Frozen) {
    for s in freeze::PIPELINE_SLOTS {
        ctx::copy_slot(&mut ctx.flow, &f.metadata, s);
    }
    ctx.action_set = f.action_set.clone();
    ctx.stack = f.stack.clone();
    if ctx.tracing() {
        let d = ctx.open(NodeKind::Table, || "thaw".to_string());
        ctx.report(NodeKind::Table, || {
            format!("Resuming from table {}", f.table_id)
        });
        ctx.report(NodeKind::Table, || {
            format!("Restoring actions: {}", f.actions_text())
        });
        ctx.close_to(d);
    }
    for (i, seg) in f.segments.iter().enumerate() {
        if ctx.exit || ctx.error.is_some() {
            break;
        }
        ctx.report(NodeKind::Action, || {
            freeze::unroll_text(seg.table_id, seg.cookie)
        });
        ctx.table_id = seg.table_id;
        ctx.rule_cookie = seg.cookie;
        ctx.report(NodeKind::Action, || {
            let t = freeze::unroll_text(seg.table_id, seg.cookie);
            let inner = t
                .trim_start_matches("unroll_xlate(")
                .trim_end_matches(')')
                .to_string();
            format!("restored state: {inner}")
        });
        actions::do_actions(ctx, &seg.actions);
        if let Some(segments) = ctx.freezing.as_mut() {
            // Froze again: the outer levels stay to do after that.
            segments.extend(f.segments.iter().skip(i + 1).cloned());
            break;
        }
    }
}

/// The reference's last touches on a megaflow mask: no pipeline-only
/// fields, 8-bit ICMP type/code, CFI with any VLAN bit, no L4 ports for
/// later fragments.
fn finish_wc(wc: &mut FlowKey, flow: &FlowKey) {
    for s in [key::METADATA, key::REGS, key::CONJ_ID, key::ACTSET_OUTPUT] {
        wc.get_mut(s).iter_mut().for_each(|b| *b = 0);
    }
    let dl_type = flow.u16(key::DL_TYPE);
    let proto = flow.u8(key::NW_PROTO);
    if (dl_type == 0x0800 && proto == 1) || (dl_type == 0x86dd && proto == 58) {
        let s = wc.u16(key::TP_SRC) & 0xff;
        let d = wc.u16(key::TP_DST) & 0xff;
        wc.set_uint(key::TP_SRC, u64::from(s));
        wc.set_uint(key::TP_DST, u64::from(d));
    }
    if wc.u16(key::VLAN_TCI) != 0 {
        let t = wc.u16(key::VLAN_TCI) | 0x1000;
        wc.set_uint(key::VLAN_TCI, u64::from(t));
    }
    if flow.u8(key::NW_FRAG) & 2 != 0 {
        wc.set_uint(key::TP_SRC, 0);
        wc.set_uint(key::TP_DST, 0);
    }
}
