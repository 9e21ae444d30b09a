//! Groups (all, select, indirect, fast_failover) and the two actions that
//! choose among ports or links by hashing the flow: `bundle` and
//! `multipath`. A bucket runs like a clone of the packet: the flow is rolled
//! back afterwards, but header changes already committed stay committed.

use openflow::action::bundle::{Bundle, BundleAlgorithm};
use openflow::action::multipath::{HashFields, Multipath, MultipathAlgorithm};
use openflow::action::Action;
use openflow::flow_match::key;
use openflow::msg::group::{Bucket, GroupType};
use openflow::port::PortNo;

use super::actions::{commit_now, do_actions, output_member};
use super::ctx::Ctx;
use super::output::hash_int;
use crate::bridge::read;
use crate::field;
use crate::trace::NodeKind;

pub fn group(ctx: &mut Ctx, id: u32) {
    let g = read(&ctx.bridge.ofproto).group(id);
    let Some(g) = g else {
        ctx.report(NodeKind::Error, || format!("group {id} not found"));
        return;
    };
    match g.group_type {
        GroupType::All | GroupType::Unknown(_) => {
            for (i, b) in g.buckets.iter().enumerate() {
                run_bucket(ctx, b, i);
                ctx.fx.groups.push((g.stats.clone(), Some(i)));
            }
        }
        GroupType::Indirect => {
            if let Some(b) = g.buckets.first() {
                run_bucket(ctx, b, 0);
                ctx.fx.groups.push((g.stats.clone(), Some(0)));
            }
        }
        GroupType::FastFailover => {
            let mut live = None;
            for (i, b) in g.buckets.iter().enumerate() {
                if bucket_is_live(ctx, b, 0) {
                    live = Some((i, b));
                    break;
                }
                let id = bucket_id(b, i);
                let why = if b.watch_port != PortNo::NONE && !port_is_live(ctx, b.watch_port) {
                    format!("port {}", b.watch_port)
                } else {
                    format!("group {}", b.watch_group)
                };
                ctx.report(NodeKind::Detail, || {
                    format!("bucket {id}: not live due to {why}")
                });
            }
            match live {
                Some((i, b)) => {
                    let id = bucket_id(b, i);
                    ctx.report(NodeKind::Detail, || format!("using bucket {id}"));
                    run_bucket(ctx, b, i);
                    ctx.fx.groups.push((g.stats.clone(), Some(i)));
                }
                None => ctx.report(NodeKind::Detail, || "no live bucket".to_string()),
            }
        }
        GroupType::Select => {
            if dp_hash_select(ctx, &g) {
                return;
            }
            let basis = symmetric_l4_hash(ctx, 0);
            mask_hash_fields(ctx, HashFields::SymmetricL4);
            // Highest weighted score wins; the first bucket wins ties.
            let mut chosen: Option<(usize, &Bucket, u64)> = None;
            for (i, b) in g.buckets.iter().enumerate() {
                if b.weight == 0 || !bucket_is_live(ctx, b, 0) {
                    continue;
                }
                let score = u64::from(hash_int(i as u32, basis) & 0xffff) * u64::from(b.weight);
                let id = bucket_id(b, i);
                ctx.report(NodeKind::Detail, || format!("bucket {id}: score {score}"));
                if chosen.is_none_or(|(_, _, best)| score > best) {
                    chosen = Some((i, b, score));
                }
            }
            let chosen = chosen.map(|(i, b, _)| (i, b));
            match chosen {
                Some((i, b)) => {
                    let id = bucket_id(b, i);
                    ctx.report(NodeKind::Detail, || format!("using bucket {id}"));
                    run_bucket(ctx, b, i);
                    ctx.fx.groups.push((g.stats.clone(), Some(i)));
                }
                None => ctx.report(NodeKind::Detail, || "no live bucket".to_string()),
            }
        }
    }
}

/// Most dp_hash values a select group spreads over its buckets.
const MAX_DP_HASH_VALUES: usize = 256;

/// Selection by the datapath's hash (the default `selection_method` and
/// `dp_hash`): without a hash yet, emits `hash(sym_l4(basis))` and freezes
/// the translation (a recirculation follows); with one, its low bits pick
/// the bucket from the group's hash map. False when the group cannot use
/// the datapath's hash (too uneven weights, `selection_method=hash`,
/// nowhere to freeze to): the caller selects by hashing the flow itself.
fn dp_hash_select(ctx: &mut Ctx, g: &ofproto::group::Group) -> bool {
    if !matches!(g.props.selection_method.as_str(), "" | "dp_hash") || ctx.recirc.is_none() {
        return false;
    }
    let weights: Vec<u32> = g.buckets.iter().map(|b| u32::from(b.weight)).collect();
    let Some(n_hash) = super::freeze::dp_hash_size(&weights, MAX_DP_HASH_VALUES) else {
        return false;
    };
    let hash = ctx.flow.u32(key::DP_HASH);
    if hash == 0 {
        commit_now(ctx);
        ctx.odp.push(datapath::OdpAction::Hash {
            alg: 1,
            basis: g.props.selection_method_param as u32,
        });
        ctx.freezing = Some(Vec::new());
        ctx.report(NodeKind::Detail, || "no live bucket".to_string());
        return true;
    }
    let hash_mask = (n_hash - 1) as u32;
    ctx.mask_bits(key::DP_HASH, u64::from(hash_mask));
    let map = super::freeze::dp_hash_map(&weights, n_hash);
    let chosen = map
        .get((hash & hash_mask) as usize)
        .and_then(|i| g.buckets.get(*i).map(|b| (*i, b)))
        .filter(|(_, b)| bucket_is_live(ctx, b, 0));
    let Some((i, b)) = chosen else {
        return false;
    };
    let id = bucket_id(b, i);
    ctx.report(NodeKind::Detail, || format!("using bucket {id}"));
    run_bucket(ctx, b, i);
    ctx.fx.groups.push((g.stats.clone(), Some(i)));
    true
}

fn port_is_live(ctx: &Ctx, port: PortNo) -> bool {
    read(&ctx.bridge.ofproto)
        .port(port)
        .is_some_and(|p| p.is_live())
}

fn bucket_is_live(ctx: &Ctx, b: &Bucket, depth: u32) -> bool {
    let watches_port = b.watch_port != PortNo::NONE && b.watch_port.0 < PortNo::MAX.0
        || b.watch_port == PortNo::LOCAL;
    if watches_port && !port_is_live(ctx, b.watch_port) {
        return false;
    }
    if b.watch_group != openflow::msg::group::GROUP_ANY && depth < 32 {
        let g = read(&ctx.bridge.ofproto).group(b.watch_group);
        match g {
            Some(g) => {
                if !g.buckets.iter().any(|x| bucket_is_live(ctx, x, depth + 1)) {
                    return false;
                }
            }
            None => return false,
        }
    }
    true
}

fn bucket_id(b: &Bucket, index: usize) -> u32 {
    if b.bucket_id == openflow::msg::group::BUCKET_ALL {
        index as u32
    } else {
        b.bucket_id
    }
}

fn run_bucket(ctx: &mut Ctx, b: &Bucket, index: usize) {
    let id = bucket_id(b, index);
    let depth = ctx.open(NodeKind::Bucket, || format!("bucket {id}"));
    let old_flow = ctx.flow.clone();
    let (old_inner, old_tpid) = (ctx.inner_tci, ctx.tpid);
    // Bucket actions are an action set: outputs and groups last.
    let mut acts: Vec<Action> = b.actions.clone();
    acts.sort_by_key(|a| matches!(a, Action::Output { .. } | Action::Group(_)));
    ctx.depth += 1;
    do_actions(ctx, &acts);
    ctx.depth -= 1;
    ctx.flow = old_flow;
    ctx.inner_tci = old_inner;
    ctx.tpid = old_tpid;
    ctx.exit = false;
    ctx.close_to(depth);
}

/// A symmetric hash of the L2-L4 addresses (the same in both directions),
/// laid out as the reference lays out the hashed fields (a 32-byte record:
/// address XOR, Ethertype, VLAN XOR, port XOR, MAC XOR, protocol).
fn symmetric_l4_hash(ctx: &Ctx, basis: u16) -> u32 {
    let f = &ctx.flow;
    let mut rec = [0u8; 32];
    for i in 0..6 {
        rec[22 + i] = f.get(key::DL_SRC)[i] ^ f.get(key::DL_DST)[i];
    }
    let tci = f.u16(key::VLAN_TCI);
    let mut vlan = 0u16;
    if tci != 0 {
        vlan ^= tci & 0x0fff;
        if ctx.inner_tci != 0 {
            vlan ^= ctx.inner_tci & 0x0fff;
        }
    }
    rec[18..20].copy_from_slice(&vlan.to_be_bytes());
    let dl_type = f.u16(key::DL_TYPE);
    rec[16..18].copy_from_slice(&dl_type.to_be_bytes());
    let proto = f.u8(key::NW_PROTO);
    let ports = || (f.u16(key::TP_SRC) ^ f.u16(key::TP_DST)).to_be_bytes();
    match dl_type {
        0x0800 => {
            for (r, (a, b)) in rec
                .iter_mut()
                .zip(f.get(key::NW_SRC).iter().zip(f.get(key::NW_DST)))
            {
                *r = a ^ b;
            }
        }
        0x86dd => {
            for (r, (a, b)) in rec
                .iter_mut()
                .zip(f.get(key::IPV6_SRC).iter().zip(f.get(key::IPV6_DST)))
            {
                *r = a ^ b;
            }
        }
        _ => {}
    }
    if matches!(dl_type, 0x0800 | 0x86dd) {
        rec[28] = proto;
        if matches!(proto, 6 | 132) {
            rec[20..22].copy_from_slice(&ports());
        }
    }
    jhash_bytes(&rec, u32::from(basis))
}

fn hash_fields(ctx: &Ctx, fields: HashFields, basis: u16) -> u32 {
    let f = &ctx.flow;
    let b = u32::from(basis);
    match fields {
        HashFields::EthSrc => jhash_bytes(f.get(key::DL_SRC), b),
        HashFields::NwSrc => jhash_bytes(f.get(key::NW_SRC), b),
        HashFields::NwDst => jhash_bytes(f.get(key::NW_DST), b),
        _ => symmetric_l4_hash(ctx, basis),
    }
}

/// Bob Jenkins' lookup3 hash over bytes (little-endian words), which the
/// reference uses for multipath and bundle.
pub fn jhash_bytes(p: &[u8], basis: u32) -> u32 {
    fn mix(a: &mut u32, b: &mut u32, c: &mut u32) {
        *a = a.wrapping_sub(*c) ^ c.rotate_left(4);
        *c = c.wrapping_add(*b);
        *b = b.wrapping_sub(*a) ^ a.rotate_left(6);
        *a = a.wrapping_add(*c);
        *c = c.wrapping_sub(*b) ^ b.rotate_left(8);
        *b = b.wrapping_add(*a);
        *a = a.wrapping_sub(*c) ^ c.rotate_left(16);
        *c = c.wrapping_add(*b);
        *b = b.wrapping_sub(*a) ^ a.rotate_left(19);
        *a = a.wrapping_add(*c);
        *c = c.wrapping_sub(*b) ^ b.rotate_left(4);
        *b = b.wrapping_add(*a);
    }
    fn fin(a: &mut u32, b: &mut u32, c: &mut u32) {
        *c = (*c ^ *b).wrapping_sub(b.rotate_left(14));
        *a = (*a ^ *c).wrapping_sub(c.rotate_left(11));
        *b = (*b ^ *a).wrapping_sub(a.rotate_left(25));
        *c = (*c ^ *b).wrapping_sub(b.rotate_left(16));
        *a = (*a ^ *c).wrapping_sub(c.rotate_left(4));
        *b = (*b ^ *a).wrapping_sub(a.rotate_left(14));
        *c = (*c ^ *b).wrapping_sub(b.rotate_left(24));
    }
    let word = |c: &[u8]| {
        let mut w = [0u8; 4];
        w[..c.len()].copy_from_slice(c);
        u32::from_le_bytes(w)
    };
    let init = 0xdead_beef_u32
        .wrapping_add(p.len() as u32)
        .wrapping_add(basis);
    let (mut a, mut b, mut c) = (init, init, init);
    let mut rest = p;
    while rest.len() >= 12 {
        a = a.wrapping_add(word(&rest[0..4]));
        b = b.wrapping_add(word(&rest[4..8]));
        c = c.wrapping_add(word(&rest[8..12]));
        mix(&mut a, &mut b, &mut c);
        rest = &rest[12..];
    }
    if !rest.is_empty() {
        let mut tail = [0u8; 12];
        tail[..rest.len()].copy_from_slice(rest);
        a = a.wrapping_add(word(&tail[0..4]));
        b = b.wrapping_add(word(&tail[4..8]));
        c = c.wrapping_add(word(&tail[8..12]));
        fin(&mut a, &mut b, &mut c);
    }
    c
}

fn mask_hash_fields(ctx: &mut Ctx, fields: HashFields) {
    match fields {
        HashFields::EthSrc => ctx.mask(key::DL_SRC),
        HashFields::NwSrc => {
            ctx.mask(key::DL_TYPE);
            ctx.mask(key::NW_SRC);
        }
        HashFields::NwDst => {
            ctx.mask(key::DL_TYPE);
            ctx.mask(key::NW_DST);
        }
        _ => {
            ctx.mask(key::DL_SRC);
            ctx.mask(key::DL_DST);
            ctx.mask(key::DL_TYPE);
            match ctx.dl_type() {
                0x0800 => {
                    ctx.mask(key::NW_SRC);
                    ctx.mask(key::NW_DST);
                    ctx.mask(key::NW_PROTO);
                }
                0x86dd => {
                    ctx.mask(key::IPV6_SRC);
                    ctx.mask(key::IPV6_DST);
                    ctx.mask(key::NW_PROTO);
                }
                _ => {}
            }
            ctx.mask_bits(key::VLAN_TCI, 0x1fff);
            if ctx.is_ip_any() && matches!(ctx.flow.u8(key::NW_PROTO), 6 | 132) {
                ctx.mask(key::TP_SRC);
                ctx.mask(key::TP_DST);
            }
        }
    }
}

pub fn bundle(ctx: &mut Ctx, b: &Bundle) {
    let chosen = match b.algorithm {
        BundleAlgorithm::ActiveBackup => b.members.iter().copied().find(|p| port_is_live(ctx, *p)),
        _ => {
            let h = hash_fields(ctx, b.fields, b.basis);
            mask_hash_fields(ctx, b.fields);
            let mut best: Option<(u32, PortNo)> = None;
            for (i, p) in b.members.iter().enumerate() {
                if !port_is_live(ctx, *p) {
                    continue;
                }
                let score = hash_int(i as u32, h);
                if best.is_none_or(|(s, _)| score > s) {
                    best = Some((score, *p));
                }
            }
            best.map(|(_, p)| p)
        }
    };
    match (&b.dst, chosen) {
        (Some(dst), c) => {
            field::mask_sub(&mut ctx.wc, dst);
            let v = c.map_or(u128::from(PortNo::NONE.0), |p| u128::from(p.0));
            field::write_sub(&mut ctx.flow, dst, v);
        }
        (None, Some(p)) => output_member(ctx, p),
        (None, None) => ctx.report(NodeKind::Detail, || "no live bundle member".to_string()),
    }
}

pub fn multipath(ctx: &mut Ctx, m: &Multipath) {
    let h = hash_fields(ctx, m.fields, m.basis);
    mask_hash_fields(ctx, m.fields);
    let n = u32::from(m.max_link) + 1;
    let link = match m.algorithm {
        MultipathAlgorithm::ModuloN => h % n,
        MultipathAlgorithm::HashThreshold => {
            if n == 1 {
                0
            } else {
                h / (u32::MAX / n + 1)
            }
        }
        MultipathAlgorithm::Hrw => {
            (0..n)
                .map(|i| (hash_int(h, i), i))
                .fold((0u32, 0u32), |best, x| if x.0 > best.0 { x } else { best })
                .1
        }
        MultipathAlgorithm::IterHash => {
            let mut i = 0u32;
            let mut hh = h;
            let mut link = h % n;
            while i < 16 {
                hh = hash_int(hh, m.arg);
                link = hh % n.next_power_of_two();
                if link < n {
                    break;
                }
                i += 1;
            }
            link.min(n - 1)
        }
    };
    field::mask_sub(&mut ctx.wc, &m.dst);
    field::write_sub(&mut ctx.flow, &m.dst, u128::from(link));
    super::actions::report_subfield(ctx, &m.dst);
}
