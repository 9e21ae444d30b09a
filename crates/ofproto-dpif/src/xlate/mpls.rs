//! MPLS actions: push_mpls (the new label stack entry is label 0 (2 for
//! IPv6), the IP
//! DSCP's low bits as TC, the IP TTL, bottom of stack), pop_mpls,
//! set_mpls_label/tc/ttl and dec_mpls_ttl. A push is emitted lazily at
//! the next commit with the entry as later actions left it, as the
//! reference does (`push_mpls(label=10,tc=3,ttl=63,...)`).

use datapath::OdpAction;
use openflow::flow_match::key;

use super::commit;
use super::ctx::Ctx;
use crate::trace::NodeKind;

pub const LABEL_MASK: u32 = 0xffff_f000;
pub const TC_MASK: u32 = 0x0000_0e00;
pub const BOS_MASK: u32 = 0x0000_0100;
pub const TTL_MASK: u32 = 0x0000_00ff;

pub fn is_mpls(dl_type: u16) -> bool {
    matches!(dl_type, 0x8847 | 0x8848)
}

pub fn push_mpls(ctx: &mut Ctx, ethertype: u16) {
    if !is_mpls(ethertype) {
        return;
    }
    let dl_type = ctx.dl_type();
    ctx.mask(key::DL_TYPE);
    if is_mpls(dl_type) {
        // Another entry on top of an MPLS packet: a copy of the current
        // one that is not bottom of stack.
        commit::commit(ctx);
        let lse = ctx.flow.u32(key::MPLS_LSE) & !BOS_MASK;
        ctx.odp.push(OdpAction::PushMpls { lse, ethertype });
        for k in [&mut ctx.flow, &mut ctx.base] {
            k.set_uint(key::DL_TYPE, u64::from(ethertype));
            k.set_uint(key::MPLS_LSE, u64::from(lse));
        }
        return;
    }
    // Header changes so far apply to the packet before it gets the label.
    commit::commit(ctx);
    let (tc, ttl) = if ctx.is_ip_any() {
        ctx.mask_bits(key::NW_TOS, 0xfc);
        ctx.mask(key::NW_TTL);
        let tos = ctx.flow.u8(key::NW_TOS);
        (u32::from(tos >> 2) & 7, u32::from(ctx.flow.u8(key::NW_TTL)))
    } else {
        (0, 0)
    };
    // Label 0 (IPv4 explicit null), 2 for IPv6 (IPv6 explicit null).
    let label: u32 = if dl_type == 0x86dd { 2 } else { 0 };
    let lse = (label << 12) | (tc << 9) | BOS_MASK | ttl;
    ctx.flow.set_uint(key::DL_TYPE, u64::from(ethertype));
    ctx.flow.set_uint(key::MPLS_LSE, u64::from(lse));
}

pub fn pop_mpls(ctx: &mut Ctx, ethertype: u16) {
    ctx.mask(key::DL_TYPE);
    if !is_mpls(ctx.dl_type()) {
        return;
    }
    ctx.mask_bits(key::MPLS_LSE, u64::from(BOS_MASK));
    let bos = ctx.flow.u32(key::MPLS_LSE) & BOS_MASK != 0;
    if !is_mpls(ctx.base.u16(key::DL_TYPE)) {
        // The push was never committed: popping just cancels it.
        ctx.flow.set_uint(key::DL_TYPE, u64::from(ethertype));
        ctx.flow.set_uint(key::MPLS_LSE, 0);
        return;
    }
    commit::commit(ctx);
    ctx.odp.push(OdpAction::PopMpls { ethertype });
    for k in [&mut ctx.flow, &mut ctx.base] {
        k.set_uint(key::DL_TYPE, u64::from(ethertype));
        k.set_uint(key::MPLS_LSE, 0);
        if bos {
            // What follows the label stack is unknown to the flow.
            for s in [
                key::NW_SRC,
                key::NW_DST,
                key::NW_PROTO,
                key::NW_TOS,
                key::NW_TTL,
                key::NW_FRAG,
                key::TP_SRC,
                key::TP_DST,
            ] {
                k.get_mut(s).fill(0);
            }
        }
    }
}

/// set_mpls_label / set_mpls_tc / set_mpls_ttl: only on MPLS packets.
pub fn set_lse_bits(ctx: &mut Ctx, mask: u32, value: u32) {
    ctx.mask(key::DL_TYPE);
    if !is_mpls(ctx.dl_type()) {
        return;
    }
    let lse = ctx.flow.u32(key::MPLS_LSE);
    ctx.flow
        .set_uint(key::MPLS_LSE, u64::from((lse & !mask) | (value & mask)));
}

/// dec_mpls_ttl; false stops the action list (TTL expired).
pub fn dec_mpls_ttl(ctx: &mut Ctx) -> bool {
    ctx.mask(key::DL_TYPE);
    if !is_mpls(ctx.dl_type()) {
        return true;
    }
    ctx.mask_bits(key::MPLS_LSE, u64::from(TTL_MASK));
    let lse = ctx.flow.u32(key::MPLS_LSE);
    let ttl = lse & TTL_MASK;
    if ttl <= 1 {
        // Like dec_ttl: an "invalid TTL" packet-in, and the rest of the
        // actions do not run.
        super::output::controller(ctx, u16::MAX, 2, 0);
        ctx.report(NodeKind::Warn, || {
            "MPLS decrement TTL exception".to_string()
        });
        return false;
    }
    ctx.flow
        .set_uint(key::MPLS_LSE, u64::from((lse & !TTL_MASK) | (ttl - 1)));
    true
}
