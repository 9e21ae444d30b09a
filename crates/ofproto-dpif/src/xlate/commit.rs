//! Lazy header commit: before each output, the differences between the flow
//! (as actions changed it) and the base (what the datapath packet looks
//! like) become datapath actions, in the reference's order: Ethernet, IP,
//! L4 ports, VLAN pops/pushes, skb_priority, pkt_mark. Set actions are
//! masked by what the megaflow already matches or what was written.

use datapath::OdpAction;
use openflow::flow_match::key::{self, FlowKey, Slot};

use super::ctx::{copy_slot, Ctx};

/// Emits a masked set for `slots` if any of them differs between flow and
/// base; returns whether it did.
fn commit_set(ctx: &mut Ctx, slots: &[Slot]) -> bool {
    let differs = slots.iter().any(|s| ctx.flow.get(*s) != ctx.base.get(*s));
    if !differs {
        return false;
    }
    let mut mask = FlowKey::default();
    for s in slots {
        copy_slot(&mut mask, &ctx.wc, *s);
        // Bits that changed are written even if nothing matched them.
        let (f, b) = (ctx.flow.get(*s).to_vec(), ctx.base.get(*s).to_vec());
        for (i, m) in mask.get_mut(*s).iter_mut().enumerate() {
            *m |= f[i] ^ b[i];
        }
    }
    for s in slots {
        let m = mask.get(*s).to_vec();
        for (i, w) in ctx.wc.get_mut(*s).iter_mut().enumerate() {
            *w |= m[i];
        }
        copy_slot(&mut ctx.base, &ctx.flow, *s);
    }
    ctx.odp.push(OdpAction::SetMasked {
        key: ctx.flow.clone(),
        mask,
    });
    true
}

/// A pushed MPLS header goes out with the label stack entry it has by
/// now (later set_mpls_* fold into the push); on an MPLS packet, changed
/// entries become a masked set.
fn commit_mpls(ctx: &mut Ctx) {
    let flow = ctx.flow.u16(key::DL_TYPE);
    let base = ctx.base.u16(key::DL_TYPE);
    if !super::mpls::is_mpls(flow) {
        return;
    }
    if super::mpls::is_mpls(base) {
        // The whole entry is written; the megaflow matches each of label,
        // TC and TTL that changed (as the reference does).
        let changed = ctx.flow.u32(key::MPLS_LSE) ^ ctx.base.u32(key::MPLS_LSE);
        if changed != 0 {
            let mut mask = FlowKey::default();
            mask.set_uint(key::MPLS_LSE, u64::from(u32::MAX));
            use super::mpls::{LABEL_MASK, TC_MASK, TTL_MASK};
            for m in [LABEL_MASK, TC_MASK, TTL_MASK] {
                if changed & m != 0 {
                    ctx.mask_bits(key::MPLS_LSE, u64::from(m));
                }
            }
            copy_slot(&mut ctx.base, &ctx.flow, key::MPLS_LSE);
            ctx.odp.push(OdpAction::SetMasked {
                key: ctx.flow.clone(),
                mask,
            });
        }
        return;
    }
    ctx.odp.push(OdpAction::PushMpls {
        lse: ctx.flow.u32(key::MPLS_LSE),
        ethertype: flow,
    });
    copy_slot(&mut ctx.base, &ctx.flow, key::DL_TYPE);
    copy_slot(&mut ctx.base, &ctx.flow, key::MPLS_LSE);
}

fn vlan_headers(tci: u16, inner: u16, tpid: [u16; 2]) -> Vec<(u16, u16)> {
    let mut v = Vec::new();
    if tci & 0x1000 != 0 {
        v.push((tpid[0], tci));
        if inner & 0x1000 != 0 {
            v.push((tpid[1], inner));
        }
    }
    v
}

fn commit_vlan(ctx: &mut Ctx) {
    let base = vlan_headers(
        ctx.base.u16(key::VLAN_TCI),
        ctx.base_inner_tci,
        ctx.base_tpid,
    );
    let flow = vlan_headers(ctx.flow.u16(key::VLAN_TCI), ctx.inner_tci, ctx.tpid);
    // Keep the common innermost headers; pop the rest of the base, push the
    // rest of the flow (innermost first).
    let mut nb = base.len();
    let mut nf = flow.len();
    while nb > 0 && nf > 0 && base[nb - 1] == flow[nf - 1] {
        nb -= 1;
        nf -= 1;
    }
    for _ in 0..nb {
        ctx.odp.push(OdpAction::PopVlan);
        ctx.mask(key::VLAN_TCI);
    }
    for i in (0..nf).rev() {
        let (tpid, tci) = flow[i];
        ctx.odp.push(OdpAction::PushVlan {
            tpid: if tpid == 0 { 0x8100 } else { tpid },
            tci,
        });
    }
    copy_slot(&mut ctx.base, &ctx.flow, key::VLAN_TCI);
    ctx.base_inner_tci = ctx.inner_tci;
    ctx.base_tpid = ctx.tpid;
}

/// IP header changes: a pending change makes the megaflow match the IP
/// protocol, and a packet without one (nw_proto 0) gets no set action.
fn commit_ip(ctx: &mut Ctx, slots: &[Slot]) {
    if !slots.iter().any(|s| ctx.flow.get(*s) != ctx.base.get(*s)) {
        return;
    }
    ctx.mask(key::NW_PROTO);
    if ctx.flow.u8(key::NW_PROTO) == 0 {
        return;
    }
    commit_set(ctx, slots);
}

/// ICMP type and code (the low bytes of the port slots) are set together.
fn commit_icmp(ctx: &mut Ctx) {
    let proto = ctx.flow.u8(key::NW_PROTO);
    let v6 = ctx.flow.u16(key::DL_TYPE) == 0x86dd;
    if !((proto == 1 && !v6) || (proto == 58 && v6)) {
        return;
    }
    let differs = [key::TP_SRC, key::TP_DST]
        .iter()
        .any(|s| ctx.flow.u16(*s) & 0xff != ctx.base.u16(*s) & 0xff);
    if !differs {
        return;
    }
    let mut mask = FlowKey::default();
    for s in [key::TP_SRC, key::TP_DST] {
        mask.set_uint(s, 0xff);
        ctx.mask_bits(s, 0xff);
        let v = (ctx.base.u16(s) & 0xff00) | (ctx.flow.u16(s) & 0xff);
        ctx.base.set_uint(s, u64::from(v));
    }
    ctx.odp.push(OdpAction::SetMasked {
        key: ctx.flow.clone(),
        mask,
    });
    // The reference leaves ICMP rewrites to its slow path too.
    ctx.slow_action = true;
}

/// Commits every pending header change.
pub fn commit(ctx: &mut Ctx) {
    commit_set(ctx, &[key::DL_SRC, key::DL_DST]);
    commit_mpls(ctx);
    match ctx.flow.u16(key::DL_TYPE) {
        0x0800 => commit_ip(ctx, &[key::NW_SRC, key::NW_DST, key::NW_TOS, key::NW_TTL]),
        0x86dd => commit_ip(
            ctx,
            &[
                key::IPV6_SRC,
                key::IPV6_DST,
                key::IPV6_LABEL,
                key::NW_TOS,
                key::NW_TTL,
            ],
        ),
        0x0806 | 0x8035 => {
            let slots = [
                key::NW_SRC,
                key::NW_DST,
                key::NW_PROTO,
                key::ARP_SHA,
                key::ARP_THA,
            ];
            // Datapaths cannot rewrite ARP: the reference slow-paths these.
            if commit_set(ctx, &slots) {
                ctx.slow_action = true;
            }
        }
        _ => {}
    }
    let ip = matches!(ctx.flow.u16(key::DL_TYPE), 0x0800 | 0x86dd);
    if ip
        && ctx.flow.u8(key::NW_FRAG) & 2 == 0
        && matches!(ctx.flow.u8(key::NW_PROTO), 6 | 17 | 132)
    {
        commit_set(ctx, &[key::TP_SRC, key::TP_DST]);
    }
    if ip && ctx.flow.u8(key::NW_FRAG) & 2 == 0 {
        commit_icmp(ctx);
    }
    commit_vlan(ctx);
    // skb_priority and pkt_mark are matched whole once written.
    for s in [key::SKB_PRIORITY, key::PKT_MARK] {
        if ctx.flow.get(s) != ctx.base.get(s) {
            ctx.mask(s);
            commit_set(ctx, &[s]);
        }
    }
}
