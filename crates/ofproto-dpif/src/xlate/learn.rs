//! The learn action: builds a flow-mod from the packet's fields (match
//! specs, loads, outputs), reports it in traces, and queues it as a side
//! effect for the backer to install through ofproto (translation only holds
//! read access to the tables).

use openflow::action::learn::{Learn, LearnSpec, LearnSrc};
use openflow::action::{format_actions, Action, SetField};
use openflow::field::SubField;
use openflow::msg::flow_mod::{FlowMod, FlowModCommand};
use openflow::port::PortNo;

use super::ctx::Ctx;
use crate::field;
use crate::trace::NodeKind;

/// NX_LEARN_F_SEND_FLOW_REM.
const LEARN_F_SEND_FLOW_REM: u16 = 1;

fn src_value(ctx: &mut Ctx, src: &LearnSrc) -> u128 {
    match src {
        LearnSrc::Field(sf) => {
            field::mask_field(&mut ctx.wc, sf.field);
            field::read_sub(&ctx.flow, sf)
        }
        LearnSrc::Imm(bytes) => field::be_to_u128(bytes),
    }
}

fn bytes_of(v: u128, n: usize) -> Vec<u8> {
    (0..n).rev().map(|i| (v >> (8 * i)) as u8).collect()
}

/// Puts `v` into subfield `dst` of the match, keeping what is already
/// matched in the field's other bits.
fn match_subfield(m: &mut openflow::flow_match::Match, dst: &SubField, v: u128) {
    let n = dst.field.n_bytes();
    let (old_v, old_m) = m
        .get(dst.field)
        .map(|(v, m)| (field::be_to_u128(&v), field::be_to_u128(&m)))
        .unwrap_or((0, 0));
    let width = u32::from(dst.n_bits);
    let bits = if width >= 128 {
        u128::MAX
    } else {
        (1u128 << width) - 1
    } << dst.ofs;
    let value = (old_v & !bits) | ((v << dst.ofs) & bits);
    let mask = old_m | bits;
    m.set(dst.field, &bytes_of(value, n), &bytes_of(mask, n));
}

pub fn learn(ctx: &mut Ctx, l: &Learn) {
    let mut fm = FlowMod::new(FlowModCommand::Add);
    fm.table_id = l.table_id;
    fm.priority = l.priority;
    fm.new_cookie = l.cookie;
    fm.idle_timeout = l.idle_timeout;
    fm.hard_timeout = l.hard_timeout;
    if l.flags & LEARN_F_SEND_FLOW_REM != 0 {
        fm.flags |= openflow::msg::flow_mod::FF_SEND_FLOW_REM;
    }
    for spec in &l.specs {
        match spec {
            LearnSpec::Match { dst, src } => {
                let v = src_value(ctx, src);
                match_subfield(&mut fm.flow_match, dst, v);
            }
            LearnSpec::Load { dst, src } => {
                let v = src_value(ctx, src);
                let n = (usize::from(dst.n_bits)).div_ceil(8).max(1);
                fm.actions
                    .push(Action::SetField(Box::new(SetField::from_load(
                        *dst,
                        &bytes_of(v, n),
                    ))));
            }
            LearnSpec::Output { src } => {
                field::mask_field(&mut ctx.wc, src.field);
                let p = field::read_sub(&ctx.flow, src) as u16;
                fm.actions.push(Action::output(PortNo(p)));
            }
        }
    }
    if let Some(dst) = &l.result_dst {
        field::mask_sub(&mut ctx.wc, dst);
        field::write_sub(&mut ctx.flow, dst, 1);
    }
    if !ctx.side_effects {
        ctx.report(NodeKind::Warn, || {
            "suppressing side effects, so learn action ignored".to_string()
        });
        // Not installed, but megaflow hits still keep an installed copy
        // alive (see `Backer::learned_rules`).
        ctx.fx.learns.push((ctx.bridge.name.clone(), fm));
        return;
    }
    if ctx.tracing() {
        let mut s = format!("table={} ", fm.table_id);
        s.push_str(&fm.flow_match.format(32768, None));
        let s = s.trim_end().to_string();
        let mut s = format!("{s} priority={}", fm.priority);
        if fm.new_cookie != 0 {
            s.push_str(&format!(" cookie={:#x}", fm.new_cookie));
        }
        if fm.idle_timeout != 0 {
            s.push_str(&format!(" idle={}", fm.idle_timeout));
        }
        if fm.hard_timeout != 0 {
            s.push_str(&format!(" hard={}", fm.hard_timeout));
        }
        if l.flags & LEARN_F_SEND_FLOW_REM != 0 {
            s.push_str(" send_flow_rem");
        }
        s.push_str(" actions=");
        s.push_str(&format_actions(&fm.actions, None));
        ctx.report(NodeKind::Detail, || s);
    }
    // Installed right away, like the reference: later lookups in this
    // translation already see the new rule's subtable.
    ctx.learned_masks.push((
        fm.table_id,
        u32::from(fm.priority),
        fm.flow_match.mask().clone(),
    ));
    // Installed by the backer once translation is over: like the
    // reference (which adds learned flows in the next version), later
    // lookups of this same translation must not see it.
    ctx.fx.learns.push((ctx.bridge.name.clone(), fm));
}
