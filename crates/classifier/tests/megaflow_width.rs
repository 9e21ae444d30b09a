//! Megaflow masks from classifier lookups are as narrow as the staged lookup
//! and prefix tries allow: exact expected masks for small rule sets.

use classifier::{Classifier, VERSION_NEVER};
use openflow::flow_match::key::{
    FlowKey, Slot, DL_DST, DL_SRC, DL_TYPE, IN_PORT, NW_DST, NW_PROTO, NW_SRC, TP_DST, TP_SRC,
};

fn set(k: &mut FlowKey, s: Slot, v: u64) {
    k.set_uint(s, v);
}

/// A key and mask matching `fields` exactly.
fn rule(fields: &[(Slot, u64)]) -> (FlowKey, FlowKey) {
    let mut k = FlowKey::default();
    let mut m = FlowKey::default();
    for &(s, v) in fields {
        set(&mut k, s, v);
        m.get_mut(s).fill(0xff);
    }
    (k, m)
}

/// A mask with `fields` set to the given bits.
fn mask(fields: &[(Slot, u64)]) -> FlowKey {
    let mut m = FlowKey::default();
    for &(s, v) in fields {
        set(&mut m, s, v);
    }
    m
}

const ALL6: u64 = 0xffff_ffff_ffff;

fn packet(dl_type: u64, proto: u64, src: u32, dst: u32, tp_dst: u64) -> FlowKey {
    let mut k = FlowKey::default();
    set(&mut k, IN_PORT, 1);
    set(&mut k, DL_SRC, 0x0000_0000_00aa);
    set(&mut k, DL_DST, 0x0000_0000_0009);
    set(&mut k, DL_TYPE, dl_type);
    set(&mut k, NW_PROTO, proto);
    set(&mut k, NW_SRC, u64::from(src));
    set(&mut k, NW_DST, u64::from(dst));
    set(&mut k, TP_SRC, 33333);
    set(&mut k, TP_DST, tp_dst);
    k
}

fn lookup_wc(cls: &Classifier<&'static str>, key: &FlowKey) -> (Option<&'static str>, FlowKey) {
    let mut wc = FlowKey::default();
    let id = cls.lookup(key, 1, Some(&mut wc));
    (id.and_then(|id| cls.get(id).copied()), wc)
}

#[test]
fn dl_dst_rules_and_catch_all_give_l2_only_masks() {
    let mut cls = Classifier::new();
    for d in 1..=5u64 {
        let (k, m) = rule(&[(DL_DST, d)]);
        cls.insert(&k, &m, 10, 1, "mac");
    }
    cls.insert(&FlowKey::default(), &FlowKey::default(), 0, 1, "any");
    let mut p = packet(0x0800, 6, 0x0a00_0001, 0x0a00_0002, 80);
    assert_eq!(lookup_wc(&cls, &p), (Some("any"), mask(&[(DL_DST, ALL6)])));
    set(&mut p, DL_DST, 3);
    assert_eq!(lookup_wc(&cls, &p), (Some("mac"), mask(&[(DL_DST, ALL6)])));
}

#[test]
fn ip_nw_dst_rule_masks_dl_type_and_needed_nw_dst_bits() {
    let mut cls = Classifier::new();
    let (k, m) = rule(&[(DL_TYPE, 0x0800), (NW_DST, 0x0a00_0001)]);
    cls.insert(&k, &m, 100, 1, "host");
    cls.insert(&FlowKey::default(), &FlowKey::default(), 0, 1, "any");

    let hit = packet(0x0800, 17, 0x0101_0101, 0x0a00_0001, 53);
    let want = mask(&[(DL_TYPE, 0xffff), (NW_DST, 0xffff_ffff)]);
    assert_eq!(lookup_wc(&cls, &hit), (Some("host"), want));

    // 20.0.0.1 leaves 10.0.0.1's path at the 4th bit: nw_dst/4 decides.
    let miss = packet(0x0800, 17, 0x0101_0101, 0x1400_0001, 53);
    let want = mask(&[(DL_TYPE, 0xffff), (NW_DST, 0xf000_0000)]);
    assert_eq!(lookup_wc(&cls, &miss), (Some("any"), want));

    // 10.0.0.2 differs from 10.0.0.1 only in the last bit.
    let near = packet(0x0800, 17, 0x0101_0101, 0x0a00_0002, 53);
    let want = mask(&[(DL_TYPE, 0xffff), (NW_DST, 0xffff_fffe)]);
    assert_eq!(lookup_wc(&cls, &near), (Some("any"), want));

    // Not IP: the L2 stage already rules the subtable out.
    let arp = packet(0x0806, 1, 0x0a00_0001, 0x0a00_0001, 0);
    assert_eq!(
        lookup_wc(&cls, &arp),
        (Some("any"), mask(&[(DL_TYPE, 0xffff)]))
    );

    // Without prefix tracking the whole address is needed.
    cls.set_prefix_fields(&[]).expect("no prefix fields");
    let want = mask(&[(DL_TYPE, 0xffff), (NW_DST, 0xffff_ffff)]);
    assert_eq!(lookup_wc(&cls, &miss), (Some("any"), want));
}

#[test]
fn prefix_rules_mask_only_the_bits_that_differ() {
    let mut cls = Classifier::new();
    let (k, mut m) = rule(&[(DL_TYPE, 0x0800), (NW_SRC, 0x0a01_0200)]);
    set(&mut m, NW_SRC, 0xffff_ff00);
    cls.insert(&k, &m, 10, 1, "net");
    cls.insert(&FlowKey::default(), &FlowKey::default(), 0, 1, "any");
    // 10.9.0.0 leaves 10.1.2.0/24 at bit 12 (1 = 0000_0001, 9 = 0000_1001).
    let p = packet(0x0800, 6, 0x0a09_0000, 0x0a00_0001, 80);
    let want = mask(&[(DL_TYPE, 0xffff), (NW_SRC, 0xfff8_0000)]);
    assert_eq!(lookup_wc(&cls, &p), (Some("any"), want));
    let p = packet(0x0800, 6, 0x0a01_02fe, 0x0a00_0001, 80);
    let want = mask(&[(DL_TYPE, 0xffff), (NW_SRC, 0xffff_ff00)]);
    assert_eq!(lookup_wc(&cls, &p), (Some("net"), want));
}

#[test]
fn l4_rule_misses_at_l3_for_other_protocols() {
    let mut cls = Classifier::new();
    let (k, m) = rule(&[(DL_TYPE, 0x0800), (NW_PROTO, 6), (TP_DST, 80)]);
    cls.insert(&k, &m, 10, 1, "web");
    cls.insert(&FlowKey::default(), &FlowKey::default(), 0, 1, "any");
    let udp = packet(0x0800, 17, 1, 2, 80);
    let want = mask(&[(DL_TYPE, 0xffff), (NW_PROTO, 0xff)]);
    assert_eq!(lookup_wc(&cls, &udp), (Some("any"), want));
    // Port 22 (0b0000_0000_0001_0110) leaves 80 (0b0000_0000_0101_0000)
    // at the 10th bit: the ports trie keeps the rest wildcarded.
    let ssh = packet(0x0800, 6, 1, 2, 22);
    let want = mask(&[(DL_TYPE, 0xffff), (NW_PROTO, 0xff), (TP_DST, 0xffc0)]);
    assert_eq!(lookup_wc(&cls, &ssh), (Some("any"), want));
    let tcp = packet(0x0800, 6, 1, 2, 80);
    let want = mask(&[(DL_TYPE, 0xffff), (NW_PROTO, 0xff), (TP_DST, 0xffff)]);
    assert_eq!(lookup_wc(&cls, &tcp), (Some("web"), want));
}

#[test]
fn higher_priority_hit_skips_lower_subtables() {
    let mut cls = Classifier::new();
    let (k, m) = rule(&[(IN_PORT, 1)]);
    cls.insert(&k, &m, 100, 1, "port");
    let (k, m) = rule(&[(DL_DST, 9)]);
    cls.insert(&k, &m, 10, 1, "mac");
    let p = packet(0x0800, 6, 1, 2, 80);
    assert_eq!(
        lookup_wc(&cls, &p),
        (Some("port"), mask(&[(IN_PORT, 0xffff)]))
    );
    assert_eq!(cls.n_subtables(), 2);
}

#[test]
fn versions_bound_visibility() {
    let mut cls = Classifier::new();
    let (k, m) = rule(&[(IN_PORT, 1)]);
    let id = cls.insert(&k, &m, 5, 2, "r");
    let p = packet(0x0800, 6, 1, 2, 80);
    cls.remove_in_version(id, 4);
    let seen: Vec<bool> = (0..6).map(|v| cls.lookup(&p, v, None).is_some()).collect();
    assert_eq!(seen, [false, false, true, true, false, false]);
    assert_eq!(cls.versions(id), Some((2, 4)));
    cls.cancel_remove(id);
    assert_eq!(cls.versions(id), Some((2, VERSION_NEVER)));
    assert!(cls.lookup(&p, 5, None).is_some());
    // A rule with the same match and priority in a later version chains
    // behind the old one; each version sees its own.
    cls.remove_in_version(id, 6);
    let id2 = cls.insert(&k, &m, 5, 6, "r2");
    assert_eq!(cls.lookup(&p, 5, None), Some(id));
    assert_eq!(cls.lookup(&p, 6, None), Some(id2));
    assert_eq!(cls.find_exactly(&k, &m, 5, 6), Some(id2));
    assert_eq!(cls.find_exactly(&k, &m, 5, 5), Some(id));
    assert_eq!(cls.remove(id), Some("r"));
    assert_eq!(cls.lookup(&p, 6, None), Some(id2));
}
