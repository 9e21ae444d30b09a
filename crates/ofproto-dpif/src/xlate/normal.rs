//! The NORMAL action: a learning L2 switch with VLANs. The input bundle's
//! VLAN mode decides whether the packet is accepted and which VLAN it is in;
//! the source MAC is learnt (a side effect, replayed on megaflow hits); the
//! destination is looked up in the MAC table and the packet goes to the
//! learnt bundle or is flooded to every bundle in the VLAN, each output
//! tagged as that bundle's VLAN mode requires.

use openflow::flow_match::key;
use openflow::port::PortNo;

use super::ctx::{Ctx, MacLearning};
use super::output::compose_output;
use crate::bridge::{lock, XBundle};
use crate::mac_table::{BundleId, LearnResult};
use crate::trace::NodeKind;
use crate::vlan::XVlan;

fn is_reserved_multicast(mac: &[u8]) -> bool {
    mac.len() == 6 && mac[..5] == [0x01, 0x80, 0xc2, 0x00, 0x00] && mac[5] & 0xf0 == 0
}

/// Whether the flow is a gratuitous ARP (un-wildcarding what it looks at).
fn is_gratuitous_arp(ctx: &mut Ctx) -> bool {
    if ctx.dl_type() != 0x0806 {
        return false;
    }
    ctx.mask(key::DL_DST);
    if ctx.flow.get(key::DL_DST) != [0xff; 6] {
        return false;
    }
    ctx.mask(key::NW_PROTO);
    match ctx.flow.u8(key::NW_PROTO) {
        2 => true,
        1 => {
            ctx.mask(key::NW_SRC);
            ctx.mask(key::NW_DST);
            ctx.flow.get(key::NW_SRC) == ctx.flow.get(key::NW_DST)
        }
        _ => false,
    }
}

pub fn normal(ctx: &mut Ctx) {
    ctx.mask(key::DL_SRC);
    ctx.mask(key::DL_DST);
    ctx.mask_bits(key::VLAN_TCI, 0x1fff);

    let in_port = PortNo(ctx.in_port());
    let Some(in_bundle) = ctx.bridge.bundle_of_port(in_port).cloned() else {
        ctx.report(NodeKind::Warn, || "no input bundle, dropping".to_string());
        return;
    };
    let tci = ctx.flow.u16(key::VLAN_TCI);
    let dl_type = ctx.dl_type();
    if (dl_type == 0x8100 || dl_type == 0x88a8) && tci & 0x1000 == 0 {
        if ctx.packet.is_some() {
            ctx.report(NodeKind::Error, || {
                "dropping packet with partial VLAN tag".to_string()
            });
        }
        return;
    }
    let in_xvlan = XVlan::from_tcis([tci, ctx.inner_tci], ctx.tpid);
    if let Err(e) = in_bundle
        .vlan
        .check_input_vid(in_xvlan.v[0].vid, &in_bundle.name)
    {
        ctx.report(NodeKind::Error, || e);
        ctx.report(NodeKind::Warn, || {
            "disallowed VLAN VID for this input port, dropping".to_string()
        });
        return;
    }
    let xvlan = in_bundle.vlan.input_translate(&in_xvlan);
    let vlan = xvlan.v[0].vid;

    if !ctx.bridge.forward_bpdu && is_reserved_multicast(ctx.flow.get(key::DL_DST)) {
        ctx.report(NodeKind::Detail, || {
            "packet has reserved destination MAC, dropping".to_string()
        });
        return;
    }

    let grat_arp = is_gratuitous_arp(ctx);
    if ctx.side_effects && ctx.flow.u32(key::PACKET_TYPE) == 0 {
        let mut src = [0u8; 6];
        src.copy_from_slice(ctx.flow.get(key::DL_SRC));
        let learning = MacLearning {
            table: ctx.bridge.mac.clone(),
            mac: src,
            vlan,
            bundle: in_bundle.id,
            grat_arp,
        };
        let r = lock(&learning.table).learn(src, vlan, in_bundle.id, grat_arp, false, ctx.now_ms);
        if matches!(r, LearnResult::New | LearnResult::Moved) {
            // Megaflows translated before (e.g. one flooding towards this
            // MAC) are stale now: the reference revalidates on any change.
            ctx.fx.mac_moved = true;
            let name = in_bundle.name.clone();
            ctx.report(NodeKind::Detail, || {
                format!(
                    "learned that {} is on port {name} in VLAN {vlan}",
                    crate::fdb_text::format_mac(&src)
                )
            });
        }
        ctx.fx.macs.push(learning);
    }

    let mut dst = [0u8; 6];
    dst.copy_from_slice(ctx.flow.get(key::DL_DST));
    let learned: Option<BundleId> = lock(&ctx.bridge.mac).lookup(dst, vlan).map(|e| e.port);
    match learned {
        Some(port) => match ctx.bridge.bundle(port).cloned() {
            Some(b) if b.id != in_bundle.id => {
                ctx.report(NodeKind::Detail, || {
                    "forwarding to learned port".to_string()
                });
                output_normal(ctx, &b, &xvlan);
            }
            Some(_) => ctx.report(NodeKind::Detail, || {
                "learned port is input port, dropping".to_string()
            }),
            None => ctx.report(NodeKind::Warn, || {
                "learned port is unknown, dropping".to_string()
            }),
        },
        None => {
            ctx.report(NodeKind::Detail, || {
                "no learned MAC for destination, flooding".to_string()
            });
            let bundles: Vec<XBundle> = ctx.bridge.bundles.clone();
            for b in &bundles {
                if b.id != in_bundle.id && b.vlan.includes(&xvlan) && floodable(ctx, b) {
                    output_normal(ctx, b, &xvlan);
                }
            }
        }
    }
}

fn floodable(ctx: &Ctx, b: &XBundle) -> bool {
    let ofp = crate::bridge::read(&ctx.bridge.ofproto);
    b.members.iter().all(|p| {
        ofp.port(*p)
            .is_none_or(|op| op.config() & openflow::msg::port_desc::PC_NO_FLOOD == 0)
    })
}

/// Outputs to bundle `out` with the VLAN headers its mode calls for.
fn output_normal(ctx: &mut Ctx, out: &XBundle, xvlan: &XVlan) {
    let Some(port) = out.members.first().copied() else {
        return;
    };
    let old_tci = ctx.flow.u16(key::VLAN_TCI);
    let old_inner = ctx.inner_tci;
    let old_tpid = ctx.tpid;
    let out_xvlan = out.vlan.output_translate(xvlan);
    let (tcis, tpids) = out_xvlan.to_tcis(out.vlan.priority_tags);
    ctx.flow.set_uint(key::VLAN_TCI, u64::from(tcis[0]));
    ctx.inner_tci = tcis[1];
    ctx.tpid = tpids;
    compose_output(ctx, port, true);
    ctx.flow.set_uint(key::VLAN_TCI, u64::from(old_tci));
    ctx.inner_tci = old_inner;
    ctx.tpid = old_tpid;
}
