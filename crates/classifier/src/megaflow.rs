//! The datapath's megaflow table: non-overlapping (key, mask) entries without
//! priorities or versions, looked up a batch of packets at a time.
//!
//! Like the classifier it keeps one hash table per mask, but since at most
//! one entry matches a key, the first hit ends a key's search. Subtables are
//! visited most-hit first; `optimize` re-sorts them by hits counted since the
//! previous call (counters are atomics so lookups need only `&self`).

use std::borrow::Borrow;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};

use openflow::flow_match::key::FlowKey;

use crate::classifier::masked;
use crate::stage::StagedMask;
use crate::words::HashBuild;

/// Stable handle to a megaflow. Handles are reused after removal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MegaflowId(pub u32);

/// "No entry": ends a chain.
const NONE: u32 = u32::MAX;

struct Entry<V> {
    key: FlowKey,
    subtable: usize,
    /// Next entry with the same masked-key hash (`NONE` ends the chain).
    next: u32,
    value: V,
}

struct Subtable {
    mask: FlowKey,
    words: StagedMask,
    /// Masked-key hash -> first entry of the chain of entries with that
    /// hash (linked through `Entry::next`; more than one only on hash
    /// collisions, so a chain costs no allocation of its own).
    chains: HashMap<u64, u32, HashBuild>,
    n: usize,
    hits: AtomicU64,
}

/// Keys looked up together: one bit per key of a chunk.
const CHUNK: usize = 64;

/// Megaflows: at most one entry matches any key (the caller keeps them
/// non-overlapping; if they overlap, which one a lookup returns is unspecified).
pub struct MegaflowTable<V> {
    entries: Vec<Option<Entry<V>>>,
    free: Vec<u32>,
    n: usize,
    subtables: Vec<Option<Subtable>>,
    free_subtables: Vec<usize>,
    by_mask: HashMap<FlowKey, usize>,
    /// Live subtables, most hit first.
    order: Vec<usize>,
}

impl<V> Default for MegaflowTable<V> {
    fn default() -> Self {
        Self::new()
    }
}

impl<V> MegaflowTable<V> {
    pub fn new() -> Self {
        MegaflowTable {
            entries: Vec::new(),
            free: Vec::new(),
            n: 0,
            subtables: Vec::new(),
            free_subtables: Vec::new(),
            by_mask: HashMap::new(),
            order: Vec::new(),
        }
    }

    /// Adds a megaflow; `key` need not be pre-masked.
    pub fn insert(&mut self, key: &FlowKey, mask: &FlowKey, value: V) -> MegaflowId {
        let st = self.subtable_for(mask);
        let key = masked(key, mask);
        let id = match self.free.pop() {
            Some(i) => MegaflowId(i),
            None => {
                self.entries.push(None);
                MegaflowId((self.entries.len() - 1) as u32)
            }
        };
        let mut next = NONE;
        if let Some(t) = self.subtables[st].as_mut() {
            let h = t.words.hash(&key);
            let first = t.chains.entry(h).or_insert(NONE);
            next = *first;
            *first = id.0;
            t.n += 1;
        }
        self.entries[id.0 as usize] = Some(Entry {
            key,
            subtable: st,
            next,
            value,
        });
        self.n += 1;
        id
    }

    fn subtable_for(&mut self, mask: &FlowKey) -> usize {
        if let Some(&i) = self.by_mask.get(mask) {
            return i;
        }
        let t = Subtable {
            mask: mask.clone(),
            words: StagedMask::unstaged(mask),
            chains: HashMap::default(),
            n: 0,
            hits: AtomicU64::new(0),
        };
        let i = match self.free_subtables.pop() {
            Some(i) => {
                self.subtables[i] = Some(t);
                i
            }
            None => {
                self.subtables.push(Some(t));
                self.subtables.len() - 1
            }
        };
        self.by_mask.insert(mask.clone(), i);
        // New masks go last until `optimize` sees their hits.
        self.order.push(i);
        i
    }

    pub fn remove(&mut self, id: MegaflowId) -> Option<V> {
        let e = self.entries.get_mut(id.0 as usize)?.take()?;
        self.free.push(id.0);
        self.n -= 1;
        if let Some(t) = self.subtables.get_mut(e.subtable).and_then(|t| t.as_mut()) {
            let h = t.words.hash(&e.key);
            if let Some(first) = t.chains.get_mut(&h) {
                if *first == id.0 {
                    if e.next == NONE {
                        t.chains.remove(&h);
                    } else {
                        *first = e.next;
                    }
                } else {
                    // Unlink from the predecessor.
                    let mut cur = *first;
                    while let Some(c) = self.entries.get_mut(cur as usize).and_then(|c| c.as_mut())
                    {
                        if c.next == id.0 {
                            c.next = e.next;
                            break;
                        }
                        cur = c.next;
                    }
                }
            }
            t.n -= 1;
            if t.n == 0 {
                self.by_mask.remove(&t.mask);
                self.subtables[e.subtable] = None;
                self.free_subtables.push(e.subtable);
                self.order.retain(|&i| i != e.subtable);
            }
        }
        Some(e.value)
    }

    pub fn get(&self, id: MegaflowId) -> Option<&V> {
        self.entry(id).map(|e| &e.value)
    }

    pub fn get_mut(&mut self, id: MegaflowId) -> Option<&mut V> {
        self.entries
            .get_mut(id.0 as usize)
            .and_then(|e| e.as_mut())
            .map(|e| &mut e.value)
    }

    fn entry(&self, id: MegaflowId) -> Option<&Entry<V>> {
        self.entries.get(id.0 as usize).and_then(|e| e.as_ref())
    }

    fn subtable(&self, i: usize) -> Option<&Subtable> {
        self.subtables.get(i).and_then(|t| t.as_ref())
    }

    /// The megaflow's (masked) key and mask.
    pub fn key_mask(&self, id: MegaflowId) -> Option<(&FlowKey, &FlowKey)> {
        let e = self.entry(id)?;
        Some((&e.key, &self.subtable(e.subtable)?.mask))
    }

    /// The megaflow with exactly this key (under `mask`) and mask.
    pub fn find(&self, key: &FlowKey, mask: &FlowKey) -> Option<MegaflowId> {
        let t = self.subtable(*self.by_mask.get(mask)?)?;
        let k = masked(key, mask);
        let mut id = *t.chains.get(&t.words.hash(&k))?;
        while let Some(e) = self.entry(MegaflowId(id)) {
            if e.key == k {
                return Some(MegaflowId(id));
            }
            id = e.next;
        }
        None
    }

    /// The megaflow of subtable `t` matching `key`.
    #[inline]
    fn probe(&self, t: &Subtable, key: &FlowKey) -> Option<MegaflowId> {
        let mut id = *t.chains.get(&t.words.hash(key))?;
        while let Some(e) = self.entry(MegaflowId(id)) {
            if t.words.matches(key, &e.key) {
                return Some(MegaflowId(id));
            }
            id = e.next;
        }
        None
    }

    /// The megaflow matching `key`.
    pub fn lookup(&self, key: &FlowKey) -> Option<MegaflowId> {
        for &i in &self.order {
            let Some(t) = self.subtable(i) else { continue };
            if let Some(id) = self.probe(t, key) {
                t.hits.fetch_add(1, Ordering::Relaxed);
                return Some(id);
            }
        }
        None
    }

    /// Looks up every key of a batch: `out[i]` gets the megaflow matching
    /// `keys[i]`. Returns the number of hits. Only the first
    /// `min(keys.len(), out.len())` keys are looked up.
    pub fn lookup_batch<K: Borrow<FlowKey>>(
        &self,
        keys: &[K],
        out: &mut [Option<MegaflowId>],
    ) -> usize {
        let n = keys.len().min(out.len());
        let mut hits = 0;
        for (keys, out) in keys[..n].chunks(CHUNK).zip(out[..n].chunks_mut(CHUNK)) {
            hits += self.lookup_chunk(keys, out);
        }
        hits
    }

    fn lookup_chunk<K: Borrow<FlowKey>>(
        &self,
        keys: &[K],
        out: &mut [Option<MegaflowId>],
    ) -> usize {
        out.fill(None);
        let mut pending: u64 = if keys.len() == CHUNK {
            u64::MAX
        } else {
            (1u64 << keys.len()) - 1
        };
        let mut hits = 0;
        for &i in &self.order {
            if pending == 0 {
                break;
            }
            let Some(t) = self.subtable(i) else { continue };
            let mut found = 0u64;
            let mut bits = pending;
            while bits != 0 {
                let k = bits.trailing_zeros() as usize;
                bits &= bits - 1;
                if let Some(id) = self.probe(t, keys[k].borrow()) {
                    out[k] = Some(id);
                    found += 1;
                    pending &= !(1u64 << k);
                }
            }
            if found > 0 {
                t.hits.fetch_add(found, Ordering::Relaxed);
                hits += found as usize;
            }
        }
        hits
    }

    /// Re-sorts subtables by hits since the last call, most hit first (call
    /// about once a second from the table's owner).
    pub fn optimize(&mut self) {
        let subtables = &self.subtables;
        let hits = |i: usize| {
            subtables
                .get(i)
                .and_then(|t| t.as_ref())
                .map_or(0, |t| t.hits.load(Ordering::Relaxed))
        };
        self.order.sort_by_key(|&i| std::cmp::Reverse(hits(i)));
        for t in self.subtables.iter().flatten() {
            t.hits.store(0, Ordering::Relaxed);
        }
    }

    /// Every megaflow: (id, masked key, mask, value).
    pub fn iter(&self) -> impl Iterator<Item = (MegaflowId, &FlowKey, &FlowKey, &V)> {
        self.entries.iter().enumerate().filter_map(|(i, e)| {
            let e = e.as_ref()?;
            let t = self.subtable(e.subtable)?;
            Some((MegaflowId(i as u32), &e.key, &t.mask, &e.value))
        })
    }

    pub fn len(&self) -> usize {
        self.n
    }

    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    /// Number of distinct masks.
    pub fn n_subtables(&self) -> usize {
        self.order.len()
    }

    /// Per-subtable (mask, number of megaflows, hits since the last
    /// `optimize`), in lookup order (for `dpif-netdev/subtable-*` style
    /// statistics).
    pub fn subtable_stats(&self) -> impl Iterator<Item = (&FlowKey, usize, u64)> {
        self.order.iter().filter_map(|&i| {
            let t = self.subtable(i)?;
            Some((&t.mask, t.n, t.hits.load(Ordering::Relaxed)))
        })
    }

    pub fn clear(&mut self) {
        self.entries.clear();
        self.free.clear();
        self.n = 0;
        self.subtables.clear();
        self.free_subtables.clear();
        self.by_mask.clear();
        self.order.clear();
    }
}
