//! Lookup speed: the classifier with 1,000 rules in 10 subtables (with
//! megaflow-mask tracking), and the datapath's megaflow table with 1,000
//! megaflows in 10 masks, looked up 32 keys per batch. Throughput is in
//! lookups, so criterion's time per element is ns/lookup.

use std::hint::black_box;

use classifier::{Classifier, MegaflowId, MegaflowTable};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use openflow::flow_match::key::{
    FlowKey, Slot, DL_DST, DL_SRC, DL_TYPE, IN_PORT, NW_DST, NW_PROTO, NW_SRC, REGS, TP_DST,
    VLAN_TCI,
};

/// Deterministic pseudo-random numbers (xorshift), so runs compare.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

/// The fields (slot, mask bits) of each of the 10 rule shapes.
fn shapes() -> Vec<Vec<(Slot, u64)>> {
    let ip = (DL_TYPE, 0xffff);
    vec![
        vec![(IN_PORT, 0xffff)],
        vec![(DL_DST, 0xffff_ffff_ffff)],
        vec![ip, (NW_DST, 0xffff_ffff)],
        vec![ip, (NW_DST, 0xffff_ff00)],
        vec![ip, (NW_SRC, 0xffff_0000)],
        vec![ip, (NW_PROTO, 0xff), (TP_DST, 0xffff)],
        vec![(VLAN_TCI, 0xffff)],
        vec![(REGS.sub(0, 4), 0xffff_ffff)],
        vec![(DL_SRC, 0xffff_ffff_ffff), (DL_DST, 0xffff_ffff_ffff)],
        vec![ip, (NW_SRC, 0xffff_ffff), (NW_DST, 0xffff_ffff)],
    ]
}

/// 10.x.y.z with small random x, y, z.
fn addr(rng: &mut Rng) -> u64 {
    0x0a00_0000 | ((rng.next() % 200) << 16) | ((rng.next() % 8) << 8) | (rng.next() % 8)
}

/// A packet-like key with small random field values (so rules hit often).
fn random_key(rng: &mut Rng) -> FlowKey {
    let mut k = FlowKey::default();
    k.set_uint(IN_PORT, rng.next() % 200);
    k.set_uint(DL_SRC, rng.next() % 200);
    k.set_uint(DL_DST, rng.next() % 200);
    k.set_uint(VLAN_TCI, 0x1000 | (rng.next() % 200));
    k.set_uint(
        DL_TYPE,
        if rng.next().is_multiple_of(4) {
            0x0806
        } else {
            0x0800
        },
    );
    k.set_uint(NW_SRC, addr(rng));
    k.set_uint(NW_DST, addr(rng));
    k.set_uint(NW_PROTO, if rng.next().is_multiple_of(2) { 6 } else { 17 });
    k.set_uint(TP_DST, rng.next() % 200);
    k.set_uint(REGS.sub(0, 4), rng.next() % 200);
    k
}

fn masked_rule(rng: &mut Rng, shape: &[(Slot, u64)]) -> (FlowKey, FlowKey) {
    let src = random_key(rng);
    let mut k = FlowKey::default();
    let mut m = FlowKey::default();
    for &(s, bits) in shape {
        m.set_uint(s, bits);
        k.set_uint(s, src.uint(s) & bits);
    }
    (k, m)
}

fn classifier_lookup(c: &mut Criterion) {
    let mut rng = Rng(0x1234_5678_9abc_def1);
    let mut cls = Classifier::new();
    for shape in shapes() {
        for _ in 0..100 {
            let (k, m) = masked_rule(&mut rng, &shape);
            cls.insert(&k, &m, (rng.next() % 1000) as u32, 1, ());
        }
    }
    assert_eq!(cls.n_subtables(), 10);
    let keys: Vec<FlowKey> = (0..256).map(|_| random_key(&mut rng)).collect();
    let mut g = c.benchmark_group("classifier");
    g.throughput(Throughput::Elements(keys.len() as u64));
    g.bench_function("lookup_wc_1000_rules_10_subtables", |b| {
        let mut wc = FlowKey::default();
        b.iter(|| {
            let mut hits = 0;
            for k in &keys {
                wc.0.fill(0);
                hits += usize::from(cls.lookup(black_box(k), 1, Some(&mut wc)).is_some());
            }
            hits
        })
    });
    let mut no_tries = Classifier::new();
    no_tries.set_prefix_fields(&[]).expect("no prefix fields");
    let mut rng2 = Rng(0x1234_5678_9abc_def1);
    for shape in shapes() {
        for _ in 0..100 {
            let (k, m) = masked_rule(&mut rng2, &shape);
            no_tries.insert(&k, &m, (rng2.next() % 1000) as u32, 1, ());
        }
    }
    g.bench_function("lookup_wc_1000_rules_10_subtables_no_prefix_tries", |b| {
        let mut wc = FlowKey::default();
        b.iter(|| {
            let mut hits = 0;
            for k in &keys {
                wc.0.fill(0);
                hits += usize::from(no_tries.lookup(black_box(k), 1, Some(&mut wc)).is_some());
            }
            hits
        })
    });
    g.bench_function("lookup_1000_rules_10_subtables", |b| {
        b.iter(|| {
            let mut hits = 0;
            for k in &keys {
                hits += usize::from(cls.lookup(black_box(k), 1, None).is_some());
            }
            hits
        })
    });
    g.finish();
}

fn megaflow_batch(c: &mut Criterion) {
    let mut rng = Rng(0x0fed_cba9_8765_4321);
    let mut table = MegaflowTable::new();
    let mut flows: Vec<(FlowKey, FlowKey)> = Vec::new();
    // Each mask includes in_port and its flows use their own in_port value,
    // so megaflows of different masks never overlap.
    for (i, shape) in shapes().into_iter().enumerate() {
        let mut shape = shape;
        shape.retain(|(s, _)| *s != IN_PORT);
        if shape.is_empty() {
            shape.push((TP_DST, 0xffff));
        }
        shape.push((IN_PORT, 0xffff));
        let mut n = 0;
        let mut attempts = 0;
        while n < 100 {
            attempts += 1;
            assert!(attempts < 100_000, "shape {i} has too few distinct values");
            let (mut k, m) = masked_rule(&mut rng, &shape);
            k.set_uint(IN_PORT, 1000 + i as u64);
            if table.find(&k, &m).is_none() {
                table.insert(&k, &m, n);
                flows.push((k, m));
                n += 1;
            }
        }
    }
    assert_eq!((table.len(), table.n_subtables()), (1000, 10));
    // Packets: a random flow's key with random values in unmasked fields.
    let keys: Vec<FlowKey> = (0..32)
        .map(|_| {
            let (k, m) = &flows[(rng.next() % flows.len() as u64) as usize];
            let noise = random_key(&mut rng);
            let mut p = FlowKey::default();
            for i in 0..p.0.len() {
                p.0[i] = (k.0[i] & m.0[i]) | (noise.0[i] & !m.0[i]);
            }
            p
        })
        .collect();
    let mut out: Vec<Option<MegaflowId>> = vec![None; keys.len()];
    assert_eq!(table.lookup_batch(&keys, &mut out), keys.len());
    let mut g = c.benchmark_group("megaflow");
    g.throughput(Throughput::Elements(keys.len() as u64));
    g.bench_function("batch32_1000_flows_10_masks", |b| {
        b.iter(|| table.lookup_batch(black_box(&keys), &mut out))
    });
    table.optimize();
    g.bench_function("batch32_1000_flows_10_masks_after_optimize", |b| {
        b.iter(|| table.lookup_batch(black_box(&keys), &mut out))
    });
    g.finish();
}

criterion_group!(benches, classifier_lookup, megaflow_batch);
criterion_main!(benches);
