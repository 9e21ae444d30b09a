//! Property tests: the classifier against a brute-force oracle over random
//! rule sets (dl_dst, vlan, dl_type, nw_src/nw_dst prefixes, tp_dst, in_port,
//! reg0, tcp_flags), priorities, versions and removals, including megaflow-mask
//! soundness (keys equal on the reported bits get the same answer).

use classifier::{Classifier, MegaflowTable, RuleId, Version};
use openflow::flow_match::key::{
    FlowKey, Slot, DL_DST, DL_SRC, DL_TYPE, IN_PORT, NW_DST, NW_SRC, REGS, TCP_FLAGS, TP_DST,
    TP_SRC, VLAN_TCI,
};
use proptest::prelude::*;

const REG0: Slot = REGS.sub(0, 4);

const ADDRS: [u32; 5] = [
    0x0a00_0001,
    0x0a00_0002,
    0x0a01_0001,
    0xc0a8_0001,
    0x8000_0000,
];

/// One field constraint: (slot, value, mask) as integers.
#[derive(Clone, Debug)]
struct Cond(Slot, u64, u64);

fn cond_strategy() -> impl Strategy<Value = Cond> {
    prop_oneof![
        (1u64..4).prop_map(|v| Cond(DL_DST, v, 0xffff_ffff_ffff)),
        prop::sample::select(vec![0u64, 0x1001, 0x1002]).prop_map(|v| Cond(VLAN_TCI, v, 0xffff)),
        prop::sample::select(vec![0x0800u64, 0x0806]).prop_map(|v| Cond(DL_TYPE, v, 0xffff)),
        (prop::sample::select(ADDRS.to_vec()), 0u32..=32).prop_map(|(a, l)| Cond(
            NW_SRC,
            u64::from(a),
            prefix(l)
        )),
        (prop::sample::select(ADDRS.to_vec()), 0u32..=32).prop_map(|(a, l)| Cond(
            NW_DST,
            u64::from(a),
            prefix(l)
        )),
        prop::sample::select(vec![22u64, 80, 443]).prop_map(|v| Cond(TP_DST, v, 0xffff)),
        prop::sample::select(vec![0x002u64, 0x010]).prop_map(|v| Cond(TCP_FLAGS, v, 0x0fff)),
        (1u64..4).prop_map(|v| Cond(IN_PORT, v, 0xffff)),
        (0u64..3).prop_map(|v| Cond(REG0, v, 0xffff_ffff)),
    ]
}

fn prefix(len: u32) -> u64 {
    if len == 0 {
        0
    } else {
        u64::from(u32::MAX << (32 - len))
    }
}

#[derive(Clone, Debug)]
struct RuleSpec {
    conds: Vec<Cond>,
    priority: u32,
    added: Version,
    /// Version from which it is removed, if any.
    removed: Option<Version>,
    /// Removed physically after insertion.
    deleted: bool,
}

fn rule_strategy() -> impl Strategy<Value = RuleSpec> {
    (
        prop::collection::vec(cond_strategy(), 0..4),
        0u32..40,
        0u64..3,
        prop::option::weighted(0.25, 1u64..5),
        prop::bool::weighted(0.1),
    )
        .prop_map(|(conds, priority, added, removed, deleted)| RuleSpec {
            conds,
            priority,
            added,
            removed,
            deleted,
        })
}

fn key_strategy() -> impl Strategy<Value = FlowKey> {
    (
        0u64..5,
        prop::sample::select(vec![0u64, 0x1001, 0x1002, 0x1003]),
        prop::sample::select(vec![0x0800u64, 0x0806, 0x86dd]),
        prop::sample::select(ADDRS.to_vec()),
        prop::sample::select(ADDRS.to_vec()),
        any::<u32>(),
        prop::sample::select(vec![22u64, 80, 443, 8080]),
        0u64..5,
        0u64..4,
        any::<u64>(),
    )
        .prop_map(|(dst, vlan, ty, src, ndst, noise, tp, port, reg, junk)| {
            let mut k = FlowKey::default();
            k.set_uint(DL_DST, dst);
            k.set_uint(VLAN_TCI, vlan);
            k.set_uint(DL_TYPE, ty);
            // Occasionally flip low address bits so prefixes matter.
            k.set_uint(NW_SRC, u64::from(src ^ (noise & 0x3)));
            k.set_uint(NW_DST, u64::from(ndst ^ ((noise >> 8) & 0x7)));
            k.set_uint(TP_DST, tp);
            k.set_uint(TP_SRC, junk & 0xffff);
            k.set_uint(TCP_FLAGS, [0x002, 0x010, 0x012][(noise >> 16) as usize % 3]);
            k.set_uint(DL_SRC, junk >> 16);
            k.set_uint(IN_PORT, port);
            k.set_uint(REG0, reg);
            k
        })
}

fn key_mask(conds: &[Cond]) -> (FlowKey, FlowKey) {
    let mut k = FlowKey::default();
    let mut m = FlowKey::default();
    for Cond(slot, v, mask) in conds {
        // Later conditions on the same slot override earlier ones.
        k.set_uint(*slot, *v & *mask);
        m.set_uint(*slot, *mask);
    }
    (k, m)
}

fn matches(key: &FlowKey, rk: &FlowKey, rm: &FlowKey) -> bool {
    (0..key.0.len()).all(|i| key.0[i] & rm.0[i] == rk.0[i] & rm.0[i])
}

struct OracleRule {
    id: RuleId,
    key: FlowKey,
    mask: FlowKey,
    priority: u32,
    added: Version,
    removed: Version,
}

impl OracleRule {
    fn visible(&self, v: Version) -> bool {
        self.added <= v && v < self.removed
    }
}

fn build(specs: &[RuleSpec]) -> (Classifier<usize>, Vec<OracleRule>) {
    build_with(specs, true)
}

/// Builds the classifier and the oracle's view of the surviving rules;
/// without `tries`, prefix tracking is switched off once the rules are in
/// (which rebuilds every subtable).
fn build_with(specs: &[RuleSpec], tries: bool) -> (Classifier<usize>, Vec<OracleRule>) {
    let mut cls = Classifier::new();
    let mut ids = Vec::new();
    for (n, s) in specs.iter().enumerate() {
        let (k, m) = key_mask(&s.conds);
        let id = cls.insert(&k, &m, s.priority, s.added, n);
        ids.push(id);
    }
    let mut oracle = Vec::new();
    for (s, id) in specs.iter().zip(&ids) {
        if let Some(r) = s.removed {
            cls.remove_in_version(*id, r);
        }
        if s.deleted {
            assert!(cls.remove(*id).is_some());
            continue;
        }
        let (k, m) = key_mask(&s.conds);
        oracle.push(OracleRule {
            id: *id,
            key: k,
            mask: m,
            priority: s.priority,
            added: s.added,
            removed: s.removed.unwrap_or(u64::MAX),
        });
    }
    if !tries {
        cls.set_prefix_fields(&[]).expect("no prefix fields");
    }
    (cls, oracle)
}

fn oracle_best(oracle: &[OracleRule], key: &FlowKey, v: Version) -> Option<u32> {
    oracle
        .iter()
        .filter(|r| r.visible(v) && matches(key, &r.key, &r.mask))
        .map(|r| r.priority)
        .max()
}

fn oracle_rule(oracle: &[OracleRule], id: RuleId) -> &OracleRule {
    oracle
        .iter()
        .find(|r| r.id == id)
        .expect("id known to the oracle")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn lookup_agrees_with_oracle_and_wc_is_sound(
        specs in prop::collection::vec(rule_strategy(), 0..40),
        keys in prop::collection::vec(key_strategy(), 1..12),
        others in prop::collection::vec(key_strategy(), 8),
        tries in any::<bool>(),
    ) {
        let (cls, oracle) = build_with(&specs, tries);
        prop_assert_eq!(cls.len(), oracle.len());
        for key in &keys {
            for v in 0..6u64 {
                let mut wc = FlowKey::default();
                let got = cls.lookup(key, v, Some(&mut wc));
                let want = oracle_best(&oracle, key, v);
                let got_pri = got.map(|id| {
                    let r = oracle_rule(&oracle, id);
                    assert!(r.visible(v) && matches(key, &r.key, &r.mask));
                    r.priority
                });
                prop_assert_eq!(got_pri, want);
                prop_assert_eq!(cls.lookup(key, v, None), got);
                // Any key equal to `key` on the wc bits gets the same rule.
                for o in &others {
                    let mut k2 = FlowKey::default();
                    for i in 0..k2.0.len() {
                        k2.0[i] = (key.0[i] & wc.0[i]) | (o.0[i] & !wc.0[i]);
                    }
                    prop_assert_eq!(cls.lookup(&k2, v, None), got, "wc {:?}", wc);
                }
                // lookup_all: every visible matching rule, priority-descending.
                let mut wc_all = FlowKey::default();
                let all = cls.lookup_all(key, v, Some(&mut wc_all));
                let mut want_all: Vec<RuleId> = oracle
                    .iter()
                    .filter(|r| r.visible(v) && matches(key, &r.key, &r.mask))
                    .map(|r| r.id)
                    .collect();
                let pris: Vec<u32> = all.iter().map(|id| oracle_rule(&oracle, *id).priority).collect();
                prop_assert!(pris.windows(2).all(|w| w[0] >= w[1]));
                let mut sorted = all.clone();
                sorted.sort();
                want_all.sort();
                prop_assert_eq!(sorted, want_all);
                for o in &others {
                    let mut k2 = FlowKey::default();
                    for i in 0..k2.0.len() {
                        k2.0[i] = (key.0[i] & wc_all.0[i]) | (o.0[i] & !wc_all.0[i]);
                    }
                    prop_assert_eq!(&cls.lookup_all(&k2, v, None), &all);
                }
            }
        }
    }

    #[test]
    fn strict_and_loose_agree_with_oracle(
        specs in prop::collection::vec(rule_strategy(), 0..40),
        probes in prop::collection::vec((prop::collection::vec(cond_strategy(), 0..3), 0u32..40), 1..10),
    ) {
        let (cls, oracle) = build(&specs);
        // Every rule is found strictly in the versions it is visible in.
        for r in &oracle {
            for v in 0..6u64 {
                let got = cls.find_exactly(&r.key, &r.mask, r.priority, v);
                if r.visible(v) {
                    let g = got.expect("visible rule found strictly");
                    let o = oracle_rule(&oracle, g);
                    prop_assert!(o.key == r.key && o.mask == r.mask && o.priority == r.priority);
                }
            }
            let (k, m, p) = cls.key_mask_priority(r.id).expect("live rule");
            prop_assert!(k == r.key && *m == r.mask && p == r.priority);
        }
        for (conds, pri) in &probes {
            let (k, m) = key_mask(conds);
            for v in [None, Some(0), Some(2), Some(4)] {
                let vis = |r: &OracleRule| v.is_none_or(|v| r.visible(v));
                let strict = cls.find_exactly(&k, &m, *pri, v.unwrap_or(0));
                let want_strict = oracle.iter().any(|r| {
                    r.visible(v.unwrap_or(0)) && r.key == k && r.mask == m && r.priority == *pri
                });
                prop_assert_eq!(strict.is_some(), want_strict);
                let overlaps = |r: &OracleRule| {
                    r.visible(v.unwrap_or(0))
                        && r.priority == *pri
                        && (0..k.0.len()).all(|i| (k.0[i] ^ r.key.0[i]) & m.0[i] & r.mask.0[i] == 0)
                };
                let ov = cls.find_overlapping(&k, &m, *pri, v.unwrap_or(0));
                prop_assert_eq!(ov.is_some(), oracle.iter().any(overlaps));
                if let Some(id) = ov {
                    prop_assert!(overlaps(oracle_rule(&oracle, id)));
                }
                let mut loose: Vec<RuleId> = cls.iter_loose(&k, &m, v).collect();
                loose.sort();
                let mut want: Vec<RuleId> = oracle
                    .iter()
                    .filter(|r| {
                        vis(r)
                            && (0..m.0.len()).all(|i| {
                                m.0[i] & !r.mask.0[i] == 0 && r.key.0[i] & m.0[i] == k.0[i]
                            })
                    })
                    .map(|r| r.id)
                    .collect();
                want.sort();
                prop_assert_eq!(loose, want);
                let mut it: Vec<RuleId> = cls.iter(v).collect();
                it.sort();
                let mut want_it: Vec<RuleId> = oracle.iter().filter(|r| vis(r)).map(|r| r.id).collect();
                want_it.sort();
                prop_assert_eq!(it, want_it);
            }
        }
    }

    #[test]
    fn removing_everything_leaves_an_empty_classifier(
        specs in prop::collection::vec(rule_strategy(), 0..40),
        keys in prop::collection::vec(key_strategy(), 1..8),
    ) {
        let (mut cls, oracle) = build(&specs);
        let mut remaining: Vec<&OracleRule> = oracle.iter().collect();
        // Remove in an order unrelated to insertion, checking as we go.
        remaining.sort_by_key(|r| (r.priority, r.id));
        while let Some(r) = remaining.pop() {
            prop_assert!(cls.remove(r.id).is_some());
            prop_assert!(cls.remove(r.id).is_none());
            for key in &keys {
                let left: Vec<OracleRule> = remaining.iter().map(|r| OracleRule {
                    id: r.id, key: r.key.clone(), mask: r.mask.clone(),
                    priority: r.priority, added: r.added, removed: r.removed,
                }).collect();
                let got = cls.lookup(key, 3, None).map(|id| oracle_rule(&left, id).priority);
                prop_assert_eq!(got, oracle_best(&left, key, 3));
            }
        }
        prop_assert_eq!(cls.len(), 0);
        prop_assert_eq!(cls.n_subtables(), 0);
    }

    #[test]
    fn megaflow_table_agrees_with_linear_scan(
        flows in prop::collection::vec(prop::collection::vec(cond_strategy(), 0..4), 0..40),
        keys in prop::collection::vec(key_strategy(), 1..70),
        deletions in prop::collection::vec(any::<prop::sample::Index>(), 0..10),
    ) {
        let mut t = MegaflowTable::new();
        // Keep entries non-overlapping: skip a flow overlapping an earlier one.
        let mut kept: Vec<(classifier::MegaflowId, FlowKey, FlowKey)> = Vec::new();
        for conds in &flows {
            let (k, m) = key_mask(conds);
            let overlaps = kept.iter().any(|(_, k2, m2)| {
                (0..k.0.len()).all(|i| (k.0[i] ^ k2.0[i]) & m.0[i] & m2.0[i] == 0)
            });
            if overlaps {
                continue;
            }
            let id = t.insert(&k, &m, kept.len());
            kept.push((id, k, m));
        }
        for d in &deletions {
            if kept.is_empty() {
                break;
            }
            let (id, ..) = kept.remove(d.index(kept.len()));
            prop_assert!(t.remove(id).is_some());
        }
        prop_assert_eq!(t.len(), kept.len());
        for (id, k, m) in &kept {
            prop_assert_eq!(t.find(k, m), Some(*id));
        }
        let want: Vec<Option<classifier::MegaflowId>> = keys
            .iter()
            .map(|key| kept.iter().find(|(_, k, m)| matches(key, k, m)).map(|(id, ..)| *id))
            .collect();
        let mut out = vec![None; keys.len()];
        let hits = t.lookup_batch(&keys, &mut out);
        prop_assert_eq!(&out, &want);
        prop_assert_eq!(hits, want.iter().filter(|x| x.is_some()).count());
        t.optimize();
        let refs: Vec<&FlowKey> = keys.iter().collect();
        let mut out2 = vec![None; keys.len()];
        t.lookup_batch(&refs, &mut out2);
        prop_assert_eq!(&out2, &want);
        for (key, w) in keys.iter().zip(&want) {
            prop_assert_eq!(t.lookup(key), *w);
        }
    }
}
