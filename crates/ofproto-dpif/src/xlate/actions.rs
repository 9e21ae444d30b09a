//! Executing OpenFlow actions and instructions against the translation
//! context: field rewrites (with the megaflow bits they imply), VLAN
//! push/pop, dec_ttl, registers, the stack, resubmit and goto_table table
//! lookups, clone, the action set, and dispatch to output, groups, learn,
//! bundle and multipath.

use openflow::action::{format_actions, Action};
use openflow::field::{FieldId, Prereq};
use openflow::flow_match::key;
use openflow::port::PortNo;

use super::ctx::Ctx;
use super::output::{compose_output, controller, output, resource_check};
use super::{commit, group, learn};
use crate::bridge::read;
use crate::field;
use crate::trace::NodeKind;

/// Looks up `table_id` with in_port temporarily `in_port` and runs the
/// matching rule's actions (resubmit, goto_table, TABLE output, patch ports).
pub fn table_action(ctx: &mut Ctx, in_port: PortNo, table_id: u8, honor_miss: bool) {
    table_action_at(ctx, in_port, table_id, true, honor_miss);
}

/// The pipeline's first lookup: not a resubmit, so no deeper recursion.
pub fn first_table(ctx: &mut Ctx, in_port: PortNo) {
    table_action_at(ctx, in_port, 0, false, true);
}

/// Whether a table miss here goes to the controllers: the table's miss
/// config leaves it to the switch, and a connection asked for miss
/// packet-ins (a nonzero miss_send_len). The reference does this for any
/// OpenFlow version of `ovs-ofctl monitor BR 65534` (checked up to 1.4).
fn miss_goes_to_controller(ctx: &Ctx, table_id: u8) -> bool {
    use ofproto::table::MissConfig;
    let ofp = crate::bridge::read(&ctx.bridge.ofproto);
    match ofp.table(table_id).map(|t| t.config.miss) {
        Some(MissConfig::Default | MissConfig::Controller) => {}
        _ => return false,
    }
    // Ofproto has no query for this: ask which connections a miss
    // packet-in would reach (per translation, not per packet).
    let probe = ofproto::session::PacketInRequest {
        reason: 0,
        table_id,
        cookie: 0,
        packet: Vec::new(),
        metadata: openflow::flow_match::key::FlowKey::default(),
        max_len: None,
        controller_id: 0,
        userdata: Vec::new(),
    };
    ofp.packet_in(&probe)
        .iter()
        .any(|o| matches!(o, ofproto::Output::Send { .. }))
}

fn table_action_at(
    ctx: &mut Ctx,
    in_port: PortNo,
    table_id: u8,
    may_deepen: bool,
    honor_miss: bool,
) {
    if !resource_check(ctx) {
        return;
    }
    let old_table = ctx.table_id;
    ctx.table_id = table_id;
    let saved_in_port = ctx.flow.u16(key::IN_PORT);
    ctx.flow.set_uint(key::IN_PORT, u64::from(in_port.0));
    let (rule, counters) = {
        let ofp = crate::bridge::read(&ctx.bridge.ofproto);
        let version = ofp.version();
        let rule = ofp.lookup(table_id, &ctx.flow, version, Some(&mut ctx.wc));
        (rule, ofp.table(table_id).map(|t| t.lookup_counters()))
    };
    if let Some(counters) = counters {
        ctx.fx.tables.push((counters, rule.is_some()));
    }
    // Flows learnt earlier in this translation are not visible yet, but
    // would be looked at before any lower-priority rule found here.
    for (t, priority, mask) in &ctx.learned_masks {
        if *t == table_id && rule.as_ref().is_none_or(|r| *priority > r.priority) {
            for (w, m) in ctx.wc.0.iter_mut().zip(mask.0.iter()) {
                *w |= m;
            }
        }
    }
    ctx.flow.set_uint(key::IN_PORT, u64::from(saved_in_port));
    let deepens = may_deepen && table_id <= old_table;
    match rule {
        Some(rule) => {
            let depth = ctx.open(NodeKind::Table, || {
                let m = rule.flow_match.format(32768, None);
                let mut t = if m.is_empty() {
                    format!("{table_id:2}. priority {}", rule.priority)
                } else {
                    format!("{table_id:2}. {m}, priority {}", rule.priority)
                };
                if rule.cookie != 0 {
                    t.push_str(&format!(", cookie {:#x}", rule.cookie));
                }
                t
            });
            ctx.fx.rules.push(rule.stats.clone());
            ctx.resubmits += 1;
            if deepens {
                ctx.depth += 1;
            }
            let old_cookie = ctx.rule_cookie;
            ctx.rule_cookie = rule.cookie;
            do_actions(ctx, &rule.actions);
            ctx.rule_cookie = old_cookie;
            if deepens {
                ctx.depth -= 1;
            }
            ctx.close_to(depth);
        }
        None if honor_miss && miss_goes_to_controller(ctx, table_id) => {
            let depth = ctx.open(NodeKind::Table, || {
                format!("{table_id:2}. No match, and a \"packet-in\" is called for.")
            });
            // The reference's internal miss rule: a controller action with
            // the implicit-miss reason (no name, hence "reason=").
            ctx.report(NodeKind::Action, || "controller(reason=)".to_string());
            let old_cookie = ctx.rule_cookie;
            ctx.rule_cookie = 0;
            controller(ctx, u16::MAX, super::output::REASON_IMPLICIT_MISS, 0);
            ctx.rule_cookie = old_cookie;
            ctx.close_to(depth);
        }
        None => {
            let depth = ctx.open(NodeKind::Table, || format!("{table_id:2}. No match."));
            ctx.report(NodeKind::Action, || "drop".to_string());
            ctx.close_to(depth);
        }
    }
    ctx.table_id = old_table;
}

fn prereqs_ok(ctx: &mut Ctx, f: FieldId) -> bool {
    let p = f.prereq();
    let dl = ctx.dl_type();
    let need_dl = |ctx: &mut Ctx, ok: bool| {
        ctx.mask(key::DL_TYPE);
        ok
    };
    let proto = |ctx: &mut Ctx, v4: u8, v6: Option<u8>| {
        ctx.mask(key::DL_TYPE);
        if !matches!(ctx.dl_type(), 0x0800 | 0x86dd) {
            return false;
        }
        ctx.mask(key::NW_PROTO);
        let pr = ctx.flow.u8(key::NW_PROTO);
        match ctx.dl_type() {
            0x0800 => pr == v4,
            _ => Some(pr) == v6.or(Some(v4)),
        }
    };
    match p {
        Prereq::None | Prereq::Ethernet => true,
        Prereq::VlanVid => ctx.flow.u16(key::VLAN_TCI) & 0x1000 != 0,
        Prereq::Ipv4 => need_dl(ctx, dl == 0x0800),
        Prereq::Ipv6 => need_dl(ctx, dl == 0x86dd),
        Prereq::IpAny => need_dl(ctx, dl == 0x0800 || dl == 0x86dd),
        Prereq::Arp => need_dl(ctx, dl == 0x0806 || dl == 0x8035),
        Prereq::Mpls => need_dl(ctx, dl == 0x8847 || dl == 0x8848),
        Prereq::Nsh => need_dl(ctx, dl == 0x894f),
        Prereq::Tcp => proto(ctx, 6, None),
        Prereq::Udp => proto(ctx, 17, None),
        Prereq::Sctp => proto(ctx, 132, None),
        Prereq::Icmpv4 => need_dl(ctx, dl == 0x0800) && proto(ctx, 1, None),
        Prereq::Icmpv6 => need_dl(ctx, dl == 0x86dd) && proto(ctx, 58, None),
        _ => true,
    }
}

fn set_field(ctx: &mut Ctx, f: FieldId, value: u128, mask: u128) {
    if !prereqs_ok(ctx, f) {
        ctx.report(NodeKind::Warn, || {
            format!("unmet prerequisites for {}, set_field ignored", f.name())
        });
        return;
    }
    field::mask_bits(&mut ctx.wc, f, mask);
    if matches!(
        f,
        FieldId::VLAN_VID | FieldId::VLAN_PCP | FieldId::DL_VLAN | FieldId::DL_VLAN_PCP
    ) {
        // Writing a VLAN field gives the packet a VLAN header.
        let tci = ctx.flow.u16(key::VLAN_TCI) | 0x1000;
        ctx.flow.set_uint(key::VLAN_TCI, u64::from(tci));
        ctx.mask_bits(key::VLAN_TCI, 0x1000);
    }
    field::set_masked(&mut ctx.flow, f, value, mask);
}

fn push_vlan(ctx: &mut Ctx, tpid: u16) {
    if ctx.flow.u16(key::VLAN_TCI) & 0x1000 != 0 {
        // The tags being pushed down are matched exactly.
        ctx.mask(key::VLAN_TCI);
        ctx.inner_tci = ctx.flow.u16(key::VLAN_TCI);
        ctx.tpid[1] = ctx.tpid[0];
    }
    ctx.tpid[0] = tpid;
    ctx.flow.set_uint(key::VLAN_TCI, 0x1000);
}

fn pop_vlan(ctx: &mut Ctx) {
    ctx.flow.set_uint(key::VLAN_TCI, u64::from(ctx.inner_tci));
    ctx.inner_tci = 0;
    ctx.tpid = [ctx.tpid[1], 0];
}

/// dec_ttl; true when the TTL ran out (the rest of the list is skipped).
fn dec_ttl(ctx: &mut Ctx, ids: &[u16]) -> bool {
    if !ctx.is_ip_any() {
        return false;
    }
    ctx.mask(key::NW_TTL);
    ctx.mask(key::NW_PROTO);
    let ttl = ctx.flow.u8(key::NW_TTL);
    if ttl > 1 {
        ctx.flow.set_uint(key::NW_TTL, u64::from(ttl - 1));
        return false;
    }
    for id in ids {
        controller(ctx, u16::MAX, 2, *id);
    }
    let v = if ctx.dl_type() == 0x86dd { 6 } else { 4 };
    ctx.report(NodeKind::Warn, || format!("IPv{v} decrement TTL exception"));
    true
}

/// Trace detail after a subfield was written: "`dst` is now `value`" (the
/// field's own syntax for a whole field, hex for part of one).
pub fn report_subfield(ctx: &mut Ctx, dst: &openflow::field::SubField) {
    if !ctx.tracing() {
        return;
    }
    let v = field::read_sub(&ctx.flow, dst);
    let text = if dst.is_whole() {
        let n = dst.field.n_bytes();
        let bytes: Vec<u8> = (0..n).rev().map(|i| (v >> (8 * i)) as u8).collect();
        dst.field.format_value(&bytes, None, None)
    } else if v == 0 {
        // C's "%#x" prints zero without the prefix.
        "0".to_string()
    } else {
        format!("{v:#x}")
    };
    ctx.report(NodeKind::Detail, || format!("{dst} is now {text}"));
}

/// Runs an action list (a rule's, a bucket's, clone's).
pub fn do_actions(ctx: &mut Ctx, acts: &[Action]) {
    for (i, a) in acts.iter().enumerate() {
        if ctx.exit || ctx.error.is_some() {
            break;
        }
        if ctx.tracing() {
            let text = format_actions(std::slice::from_ref(a), None);
            ctx.report(NodeKind::Action, || text);
        }
        let go_on = do_action(ctx, a);
        if let Some(segments) = ctx.freezing.as_mut() {
            // Translation froze in `a` (or deeper): remember what this
            // level still had to do. The innermost level redoes `a` itself.
            let mut rest = Vec::new();
            if segments.is_empty() {
                rest.push(a.clone());
            }
            rest.extend_from_slice(acts.get(i + 1..).unwrap_or_default());
            segments.push(super::freeze::Segment {
                table_id: ctx.table_id,
                cookie: ctx.rule_cookie,
                actions: rest,
            });
            break;
        }
        if !go_on {
            break;
        }
    }
}

/// One action; false stops the list (dec_ttl exception).
fn do_action(ctx: &mut Ctx, a: &Action) -> bool {
    match a {
        Action::Output { port, max_len } => output(ctx, *port, *max_len),
        Action::Controller(c) => controller(ctx, c.max_len, c.reason, c.controller_id),
        Action::Enqueue { port, queue } => {
            // The userspace datapath's queue -> skb_priority mapping is the
            // identity; the priority applies to this output only.
            let saved = ctx.flow.u32(key::SKB_PRIORITY);
            ctx.flow.set_uint(key::SKB_PRIORITY, u64::from(*queue));
            output(ctx, *port, 0);
            ctx.flow.set_uint(key::SKB_PRIORITY, u64::from(saved));
        }
        Action::OutputTrunc { port, max_len } => {
            // The datapath truncates a copy for this one output.
            ctx.truncate = Some(*max_len);
            output(ctx, *port, 0);
            ctx.truncate = None;
        }
        Action::OutputReg { src, max_len, .. } => {
            field::mask_sub(&mut ctx.wc, src);
            let p = field::read_sub(&ctx.flow, src) as u16;
            ctx.report(NodeKind::Detail, || format!("output port is {}", PortNo(p)));
            output(ctx, PortNo(p), *max_len);
        }
        Action::Group(id) => group::group(ctx, *id),
        Action::Bundle(b) => group::bundle(ctx, b),
        Action::Multipath(m) => group::multipath(ctx, m),
        Action::SetVlanVid {
            vid,
            push_if_needed,
            ..
        } => {
            ctx.mask_bits(key::VLAN_TCI, 0x1fff);
            let tci = ctx.flow.u16(key::VLAN_TCI);
            if tci & 0x1000 != 0 || *push_if_needed {
                if tci & 0x1000 == 0 && ctx.tpid[0] == 0 {
                    ctx.tpid[0] = 0x8100;
                }
                let new = (tci & !0x0fff) | (vid & 0x0fff) | 0x1000;
                ctx.flow.set_uint(key::VLAN_TCI, u64::from(new));
            }
        }
        Action::SetVlanPcp {
            pcp,
            push_if_needed,
            ..
        } => {
            ctx.mask_bits(key::VLAN_TCI, 0xf000);
            let tci = ctx.flow.u16(key::VLAN_TCI);
            if tci & 0x1000 != 0 || *push_if_needed {
                if tci & 0x1000 == 0 && ctx.tpid[0] == 0 {
                    ctx.tpid[0] = 0x8100;
                }
                let new = (tci & !0xe000) | (u16::from(*pcp & 7) << 13) | 0x1000;
                ctx.flow.set_uint(key::VLAN_TCI, u64::from(new));
            }
        }
        Action::StripVlan { .. } => pop_vlan(ctx),
        Action::PushVlan(tpid) => push_vlan(ctx, *tpid),
        Action::SetEthSrc(m) => {
            ctx.mask(key::DL_SRC);
            ctx.flow.get_mut(key::DL_SRC).copy_from_slice(m);
        }
        Action::SetEthDst(m) => {
            ctx.mask(key::DL_DST);
            ctx.flow.get_mut(key::DL_DST).copy_from_slice(m);
        }
        Action::SetIpv4Src(ip) => {
            if ctx.dl_type() == 0x0800 {
                ctx.mask(key::NW_SRC);
                ctx.flow.get_mut(key::NW_SRC).copy_from_slice(&ip.octets());
            }
        }
        Action::SetIpv4Dst(ip) => {
            if ctx.dl_type() == 0x0800 {
                ctx.mask(key::NW_DST);
                ctx.flow.get_mut(key::NW_DST).copy_from_slice(&ip.octets());
            }
        }
        Action::SetIpDscp(dscp) => {
            if ctx.is_ip_any() {
                ctx.mask_bits(key::NW_TOS, 0xfc);
                let tos = (ctx.flow.u8(key::NW_TOS) & 0x03) | (dscp & 0xfc);
                ctx.flow.set_uint(key::NW_TOS, u64::from(tos));
            }
        }
        Action::SetIpEcn(ecn) => {
            if ctx.is_ip_any() {
                ctx.mask_bits(key::NW_TOS, 0x03);
                let tos = (ctx.flow.u8(key::NW_TOS) & 0xfc) | (ecn & 0x03);
                ctx.flow.set_uint(key::NW_TOS, u64::from(tos));
            }
        }
        Action::SetIpTtl(ttl) => {
            if ctx.is_ip_any() {
                ctx.mask(key::NW_TTL);
                ctx.flow.set_uint(key::NW_TTL, u64::from(*ttl));
            }
        }
        Action::SetL4SrcPort { port, .. } | Action::SetL4DstPort { port, .. } => {
            if ctx.is_ip_any() && ctx.flow.u8(key::NW_FRAG) & 2 == 0 {
                let slot = if matches!(a, Action::SetL4SrcPort { .. }) {
                    key::TP_SRC
                } else {
                    key::TP_DST
                };
                ctx.mask(key::NW_PROTO);
                ctx.mask(slot);
                ctx.flow.set_uint(slot, u64::from(*port));
            }
        }
        Action::SetField(sf) => {
            if sf.field.tun_metadata_index().is_none() {
                let v = field::be_to_u128(&sf.value);
                let m = field::be_to_u128(&sf.mask);
                set_field(ctx, sf.field, v, m);
            }
        }
        Action::RegMove { src, dst, .. } => {
            field::mask_field(&mut ctx.wc, src.field);
            field::mask_field(&mut ctx.wc, dst.field);
            if prereqs_ok(ctx, src.field) && prereqs_ok(ctx, dst.field) {
                let v = field::read_sub(&ctx.flow, src);
                field::write_sub(&mut ctx.flow, dst, v);
                report_subfield(ctx, dst);
            }
        }
        Action::StackPush(sf) => {
            field::mask_sub(&mut ctx.wc, sf);
            let v = field::read_sub(&ctx.flow, sf);
            ctx.stack.push(v);
        }
        Action::StackPop(sf) => {
            if let Some(v) = ctx.stack.pop() {
                field::mask_sub(&mut ctx.wc, sf);
                field::write_sub(&mut ctx.flow, sf, v);
                report_subfield(ctx, sf);
            } else {
                ctx.report(NodeKind::Warn, || "stack underflow".to_string());
            }
        }
        Action::DecTtl(ids) => {
            let ids: Vec<u16> = ids.clone().unwrap_or_else(|| vec![0]);
            if dec_ttl(ctx, &ids) {
                return false;
            }
        }
        Action::SetTunnel { tun_id, .. } => {
            ctx.flow.set_uint(key::TUN_ID, *tun_id);
        }
        Action::SetQueue(q) => ctx.flow.set_uint(key::SKB_PRIORITY, u64::from(*q)),
        Action::PopQueue => {
            let orig = ctx.orig_skb_priority;
            ctx.flow.set_uint(key::SKB_PRIORITY, u64::from(orig));
        }
        Action::FinTimeout { .. } => {}
        Action::Resubmit { in_port, table, .. } => {
            let port = if *in_port == PortNo::IN_PORT {
                PortNo(ctx.in_port())
            } else {
                *in_port
            };
            let table = if *table == 255 { ctx.table_id } else { *table };
            table_action(ctx, port, table, false);
        }
        Action::Conjunction { .. } | Action::Note(_) => {}
        Action::Exit => ctx.exit = true,
        Action::Clone(inner) => clone(ctx, inner),
        Action::Learn(l) => learn::learn(ctx, l),
        Action::CtClear => {}
        Action::Meter(id) => {
            let dp_meter = read(&ctx.bridge.ofproto)
                .meter(*id)
                .and_then(|m| m.provider_id);
            if let Some(dp_meter) = dp_meter {
                ctx.odp.push(datapath::OdpAction::Meter(dp_meter));
            }
        }
        Action::ClearActions => ctx.action_set.clear(),
        Action::WriteActions(list) => write_actions(ctx, list),
        Action::WriteMetadata { value, mask } => {
            let m = ctx.flow.uint(key::METADATA);
            ctx.flow
                .set_uint(key::METADATA, (m & !mask) | (value & mask));
        }
        Action::GotoTable(t) => {
            let in_port = PortNo(ctx.in_port());
            table_action(ctx, in_port, *t, true);
        }
        Action::PushMpls(ethertype) => super::mpls::push_mpls(ctx, *ethertype),
        Action::PopMpls(ethertype) => super::mpls::pop_mpls(ctx, *ethertype),
        Action::SetMplsLabel(label) => {
            super::mpls::set_lse_bits(ctx, super::mpls::LABEL_MASK, label << 12)
        }
        Action::SetMplsTc(tc) => {
            super::mpls::set_lse_bits(ctx, super::mpls::TC_MASK, u32::from(*tc) << 9)
        }
        Action::SetMplsTtl(ttl) => {
            super::mpls::set_lse_bits(ctx, super::mpls::TTL_MASK, u32::from(*ttl))
        }
        Action::DecMplsTtl => return super::mpls::dec_mpls_ttl(ctx),
        other => {
            let name = other.name();
            ctx.report(NodeKind::Warn, || {
                format!("{name} is not supported, ignored")
            });
        }
    }
    true
}

/// Whether the reference can run a clone's actions inline and undo them by
/// restoring the flow (otherwise it needs a datapath `clone`).
fn reversible(acts: &[Action]) -> bool {
    acts.iter().all(|a| match a {
        Action::Ct(_)
        | Action::Encap(_)
        | Action::Decap { .. }
        | Action::OutputTrunc { .. }
        | Action::CheckPktLarger(_)
        | Action::PushMpls(_)
        | Action::PopMpls(_) => false,
        Action::Clone(inner) => reversible(inner),
        _ => true,
    })
}

fn clone(ctx: &mut Ctx, inner: &[Action]) {
    let old_flow = ctx.flow.clone();
    let (old_inner, old_tpid) = (ctx.inner_tci, ctx.tpid);
    let old_stack = ctx.stack.clone();
    if reversible(inner) {
        do_actions(ctx, inner);
    } else {
        let old_base = ctx.base.clone();
        let (old_binner, old_btpid) = (ctx.base_inner_tci, ctx.base_tpid);
        let outer = std::mem::take(&mut ctx.odp);
        do_actions(ctx, inner);
        let cloned = std::mem::replace(&mut ctx.odp, outer);
        if !cloned.is_empty() {
            ctx.odp.push(datapath::OdpAction::Clone(cloned));
        }
        ctx.base = old_base;
        ctx.base_inner_tci = old_binner;
        ctx.base_tpid = old_btpid;
    }
    ctx.flow = old_flow;
    ctx.inner_tci = old_inner;
    ctx.tpid = old_tpid;
    ctx.stack = old_stack;
    ctx.exit = false;
}

/// write_actions: the action set keeps one action of each kind.
fn write_actions(ctx: &mut Ctx, list: &[Action]) {
    for a in list {
        let same_kind = |b: &Action| match (a, b) {
            (Action::SetField(x), Action::SetField(y)) => x.field == y.field,
            _ => std::mem::discriminant(a) == std::mem::discriminant(b),
        };
        ctx.action_set.retain(|b| !same_kind(b));
        ctx.action_set.push(a.clone());
    }
}

/// Executes the action set at the end of the pipeline, in the order
/// OpenFlow specifies (pops, pushes, dec_ttl, sets, group or output).
pub fn run_action_set(ctx: &mut Ctx) {
    if ctx.action_set.is_empty() {
        return;
    }
    let set = std::mem::take(&mut ctx.action_set);
    let rank = |a: &Action| match a {
        Action::StripVlan { .. } | Action::PopMpls(_) => 0,
        Action::PushMpls(_) => 1,
        Action::PushVlan(_) => 2,
        Action::DecTtl(_) | Action::DecMplsTtl => 3,
        Action::Group(_) | Action::Output { .. } => 5,
        _ => 4,
    };
    let mut ordered = set.clone();
    ordered.sort_by_key(rank);
    let has_group = ordered.iter().any(|a| matches!(a, Action::Group(_)));
    let ordered: Vec<Action> = ordered
        .into_iter()
        .filter(|a| !(has_group && matches!(a, Action::Output { .. })))
        .collect();
    let depth = ctx.open(NodeKind::Action, || "action set".to_string());
    do_actions(ctx, &ordered);
    ctx.close_to(depth);
}

/// Output to a port ignoring the input-port check (used by bundle).
pub fn output_member(ctx: &mut Ctx, port: PortNo) {
    if port.0 == ctx.in_port() {
        ctx.report(NodeKind::Warn, || {
            "skipping output to input port".to_string()
        });
        return;
    }
    compose_output(ctx, port, true);
}

/// Commits pending header changes (used before controller/userspace).
pub fn commit_now(ctx: &mut Ctx) {
    commit::commit(ctx);
}
