//! Heap bytes the classifier uses per rule, pinned for a table mix like a
//! real switch's (the `hundred_k_flows` benchmark: L3 source, L4 tcp and udp,
//! and L2 source-address rules in ten OpenFlow tables).
//!
//! A counting global allocator measures live heap bytes around building the
//! classifiers. This file holds one test so nothing else allocates meanwhile.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, Ordering};

use classifier::Classifier;
use openflow::flow_match::key::{
    FlowKey, Slot, DL_SRC, DL_TYPE, NW_DST, NW_PROTO, NW_SRC, TP_DST, TP_SRC,
};

struct Counting;

static LIVE: AtomicIsize = AtomicIsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed);
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed);
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE.fetch_add(
            new_size as isize - layout.size() as isize,
            Ordering::Relaxed,
        );
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

/// The (table, key, mask, priority) of rule `i` of the benchmark's mix.
fn rule(i: usize) -> (usize, FlowKey, FlowKey, u32) {
    let (a, b) = (((i >> 8) & 0xff) as u64, (i & 0xff) as u64);
    let mut k = FlowKey::default();
    let mut m = FlowKey::default();
    let mut set = |s: Slot, v: u64| {
        k.set_uint(s, v);
        m.get_mut(s).fill(0xff);
    };
    let port = 1 + (i % 60000) as u64;
    match i % 4 {
        0 => {
            set(DL_TYPE, 0x0800);
            set(NW_SRC, 0x0a00_0001 | (a << 16) | (b << 8));
            (i % 10, k, m, (100 + i % 50) as u32)
        }
        1 => {
            set(DL_TYPE, 0x0800);
            set(NW_PROTO, 6);
            set(NW_DST, 0xac10_0000 | (a << 8) | b);
            set(TP_DST, port);
            (0, k, m, (200 + i % 7) as u32)
        }
        2 => {
            set(DL_SRC, 0x0200_0000_0000 | (a << 8) | b);
            (0, k, m, (300 + i % 3) as u32)
        }
        _ => {
            set(DL_TYPE, 0x0800);
            set(NW_PROTO, 17);
            set(NW_DST, 0xc0a8_0000 | (a << 8) | b);
            set(TP_SRC, port);
            (1, k, m, (10 + i % 90) as u32)
        }
    }
}

/// The rule data: pointer-sized with a niche, like the switch's `Arc<Rule>`.
type Handle = &'static u32;

static HANDLES: [u32; 4] = [0, 1, 2, 3];

/// Builds the benchmark's `n` rules in ten classifiers (one per OpenFlow
/// table) and returns them with the live heap bytes per rule they took.
fn build(n: usize) -> (Vec<Classifier<Handle>>, f64) {
    let rules: Vec<_> = (0..n).map(rule).collect();
    let before = LIVE.load(Ordering::Relaxed);
    let mut tables: Vec<Classifier<Handle>> = (0..10).map(|_| Classifier::new()).collect();
    for (i, (t, k, m, p)) in rules.iter().enumerate() {
        tables[*t].insert(k, m, *p, 1, &HANDLES[i % 4]);
    }
    let after = LIVE.load(Ordering::Relaxed);
    assert_eq!(tables.iter().map(|t| t.len()).sum::<usize>(), n);
    // The rules are really there.
    for (i, (t, k, m, p)) in rules.iter().enumerate().step_by(997) {
        let id = tables[*t].find_exactly(k, m, *p, 1).expect("rule present");
        assert_eq!(tables[*t].get(id), Some(&&HANDLES[i % 4]));
        let best = tables[*t].lookup(k, 1, None).expect("a rule matches");
        let (_, _, best_priority) = tables[*t].key_mask_priority(best).expect("live");
        assert!(best_priority >= *p);
    }
    (tables, (after - before) as f64 / n as f64)
}

/// 100,000 rules took 743 bytes each when every rule kept a whole masked
/// key (365 bytes), a chain `Vec` and bit-per-node trie paths; compact keys,
/// linked chains and path-compressed tries bring it to about 166. The bound
/// leaves room for small changes, not for any of those coming back.
#[test]
fn heap_bytes_per_rule_stay_small() {
    let (mut tables, per_rule) = build(100_000);
    eprintln!("classifier heap: {per_rule:.1} bytes per rule");
    assert!(
        per_rule < 192.0,
        "classifier heap grew to {per_rule:.1} bytes per rule (bound 192)"
    );
    // Removing every rule gives the memory back.
    let before = LIVE.load(Ordering::Relaxed);
    for t in &mut tables {
        let ids: Vec<_> = t.iter(None).collect();
        for id in ids {
            assert!(t.remove(id).is_some());
        }
        assert!(t.is_empty() && t.n_subtables() == 0);
    }
    let left = (LIVE.load(Ordering::Relaxed) - before) as f64 / 100_000.0 + per_rule;
    eprintln!("after removing every rule: {left:.1} bytes per former rule");
    assert!(
        left < 8.0,
        "{left:.1} bytes per former rule still held after removing every rule"
    );
}
