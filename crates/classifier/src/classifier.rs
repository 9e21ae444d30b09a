//! The classifier: prioritised, versioned rules in one subtable per mask,
//! searched in order of each subtable's best priority.

use std::collections::HashMap;

use openflow::flow_match::key::{FlowKey, Slot, NW_DST, NW_SRC};

use crate::subtable::{chain, Probe, RuleHead, Subtable, TrieCtx, MAX_TRIES, NONE};
use crate::trie::{field_value, Trie};
use crate::version::{Version, Visibility, VERSION_NEVER};
use crate::RuleId;

/// A set of prioritised, versioned rules over flow keys.
pub struct Classifier<R> {
    /// Indexed by `RuleId`; free ids (not `live()`) are in `free`.
    heads: Vec<RuleHead>,
    data: Vec<Option<R>>,
    free: Vec<u32>,
    n_rules: usize,
    subtables: Vec<Option<Subtable>>,
    free_subtables: Vec<usize>,
    by_mask: HashMap<FlowKey, usize>,
    /// Live subtables as (max priority, index), best first.
    order: Vec<(u32, usize)>,
    /// Prefix tries over address fields, for narrower megaflow masks.
    tries: Vec<Trie>,
}

impl<R> Default for Classifier<R> {
    fn default() -> Self {
        Self::new()
    }
}

pub(crate) fn masked(key: &FlowKey, mask: &FlowKey) -> FlowKey {
    let mut k = key.clone();
    for (b, m) in k.0.iter_mut().zip(mask.0.iter()) {
        *b &= *m;
    }
    k
}

impl<R> Classifier<R> {
    pub fn new() -> Self {
        Classifier {
            heads: Vec::new(),
            data: Vec::new(),
            free: Vec::new(),
            n_rules: 0,
            subtables: Vec::new(),
            free_subtables: Vec::new(),
            by_mask: HashMap::new(),
            order: Vec::new(),
            tries: vec![Trie::new(NW_DST), Trie::new(NW_SRC)],
        }
    }

    /// Chooses the fields tracked by prefix tries (by default nw_dst and
    /// nw_src, as the reference's default `prefixes=ip_dst,ip_src`). At most
    /// three; fields should be addresses (tun_src/dst, nw_src/dst,
    /// ipv6_src/dst, tun_id). Tracking only changes megaflow masks, never
    /// which rule a lookup finds.
    pub fn set_prefix_fields(&mut self, fields: &[Slot]) -> Result<(), String> {
        if fields.len() > MAX_TRIES {
            return Err(format!(
                "{} prefix fields requested, at most {MAX_TRIES} are supported",
                fields.len()
            ));
        }
        if let Some(f) = fields.iter().find(|f| f.len == 0 || f.len > 16) {
            return Err(format!("field of {} bytes cannot be prefix-tracked", f.len));
        }
        if self.tries.iter().map(|t| t.slot).eq(fields.iter().copied()) {
            return Ok(());
        }
        self.tries = fields.iter().map(|f| Trie::new(*f)).collect();
        // Subtables know which tries apply to them: rebuild them all.
        let old: Vec<Option<Subtable>> = std::mem::take(&mut self.subtables);
        self.free_subtables.clear();
        self.by_mask.clear();
        for t in old.into_iter().flatten() {
            let st = self.subtable_for(&t.mask);
            let ids: Vec<RuleId> = t.rules(&self.heads).collect();
            for id in ids {
                let key = t.masked_key(self.heads[id.0 as usize].slot);
                self.heads[id.0 as usize].subtable = st as u32;
                self.attach(id, &key);
            }
        }
        self.reorder();
        Ok(())
    }

    /// Puts rule `id` (priority and subtable in its head) with masked key
    /// `key` into its subtable and the tries.
    fn attach(&mut self, id: RuleId, key: &FlowKey) {
        let st = self.heads[id.0 as usize].subtable as usize;
        let Some(t) = self.subtables.get_mut(st).and_then(|t| t.as_mut()) else {
            return;
        };
        t.insert(&mut self.heads, id, key);
        for (trie, &plen) in self.tries.iter_mut().zip(&t.plens) {
            if plen > 0 {
                trie.insert(field_value(key, trie.slot), plen);
            }
        }
    }

    /// Adds a rule visible from `version` on. `key` need not be pre-masked.
    pub fn insert(
        &mut self,
        key: &FlowKey,
        mask: &FlowKey,
        priority: u32,
        version: Version,
        rule: R,
    ) -> RuleId {
        let st = self.subtable_for(mask);
        let head = RuleHead {
            vis: Visibility::from(version),
            priority,
            subtable: st as u32,
            slot: 0,
            next: NONE,
        };
        let id = match self.free.pop() {
            Some(i) => {
                self.heads[i as usize] = head;
                self.data[i as usize] = Some(rule);
                RuleId(i)
            }
            None => {
                self.heads.push(head);
                self.data.push(Some(rule));
                RuleId((self.heads.len() - 1) as u32)
            }
        };
        self.n_rules += 1;
        let before = self.subtable(st).and_then(|t| t.max_priority());
        self.attach(id, &masked(key, mask));
        if self.subtable(st).and_then(|t| t.max_priority()) != before {
            self.reorder();
        }
        id
    }

    /// The subtable for `mask`, created if needed.
    fn subtable_for(&mut self, mask: &FlowKey) -> usize {
        if let Some(&i) = self.by_mask.get(mask) {
            return i;
        }
        let t = Subtable::new(mask, &self.tries);
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
        i
    }

    fn reorder(&mut self) {
        self.order.clear();
        for (i, t) in self.subtables.iter().enumerate() {
            if let Some(p) = t.as_ref().and_then(|t| t.max_priority()) {
                self.order.push((p, i));
            }
        }
        // Stable tie-break by index keeps lookups deterministic.
        self.order.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    }

    fn head(&self, id: RuleId) -> Option<&RuleHead> {
        self.heads.get(id.0 as usize).filter(|h| h.live())
    }

    fn subtable(&self, i: usize) -> Option<&Subtable> {
        self.subtables.get(i).and_then(|t| t.as_ref())
    }

    /// Makes the rule invisible to lookups in `version` and later.
    pub fn remove_in_version(&mut self, id: RuleId, version: Version) {
        if let Some(h) = self.heads.get_mut(id.0 as usize).filter(|h| h.live()) {
            h.vis.removed = version;
        }
    }

    /// Undoes [`Classifier::remove_in_version`] (an aborted bundle).
    pub fn cancel_remove(&mut self, id: RuleId) {
        self.remove_in_version(id, VERSION_NEVER);
    }

    /// Removes the rule physically; its id may be reused afterwards.
    pub fn remove(&mut self, id: RuleId) -> Option<R> {
        let st = self.head(id)?.subtable as usize;
        if let Some(t) = self.subtables.get_mut(st).and_then(|t| t.as_mut()) {
            let before = t.max_priority();
            if let Some(key) = t.remove(&mut self.heads, id) {
                for (trie, &plen) in self.tries.iter_mut().zip(&t.plens) {
                    if plen > 0 {
                        trie.remove(field_value(&key, trie.slot), plen);
                    }
                }
            }
            if t.n_rules == 0 {
                self.by_mask.remove(&t.mask);
                self.subtables[st] = None;
                self.free_subtables.push(st);
                self.reorder();
            } else if t.max_priority() != before {
                self.reorder();
            }
        }
        self.heads[id.0 as usize].subtable = NONE;
        self.free.push(id.0);
        self.n_rules -= 1;
        let rule = self.data[id.0 as usize].take();
        if self.n_rules == 0 {
            // Every id is free: start afresh rather than keep the peak's
            // id-indexed storage.
            self.heads = Vec::new();
            self.data = Vec::new();
            self.free = Vec::new();
        }
        rule
    }

    pub fn get(&self, id: RuleId) -> Option<&R> {
        self.head(id)?;
        self.data.get(id.0 as usize)?.as_ref()
    }

    pub fn get_mut(&mut self, id: RuleId) -> Option<&mut R> {
        self.head(id)?;
        self.data.get_mut(id.0 as usize)?.as_mut()
    }

    /// The rule's (masked) key, mask and priority. The key is rebuilt from
    /// the compact form the classifier keeps, hence returned by value.
    pub fn key_mask_priority(&self, id: RuleId) -> Option<(FlowKey, &FlowKey, u32)> {
        let h = self.head(id)?;
        let t = self.subtable(h.subtable as usize)?;
        Some((t.masked_key(h.slot), &t.mask, h.priority))
    }

    /// The rule's visibility window `[added, removed)`.
    pub fn versions(&self, id: RuleId) -> Option<(Version, Version)> {
        self.head(id).map(|h| (h.vis.added, h.vis.removed))
    }

    fn ordered(&self) -> impl Iterator<Item = (u32, &Subtable)> + '_ {
        self.order
            .iter()
            .filter_map(|&(p, i)| self.subtable(i).map(|t| (p, t)))
    }

    /// Highest-priority rule visible in `version` matching `key`; ORs into
    /// `wc` every key bit the decision depended on (the megaflow mask).
    /// Among rules of equal priority the choice is unspecified but stable.
    pub fn lookup(
        &self,
        key: &FlowKey,
        version: Version,
        wc: Option<&mut FlowKey>,
    ) -> Option<RuleId> {
        self.best(key, wc, |_, h| h.vis.visible_in(version))
    }

    /// [`Classifier::lookup`] among the rules `accept` takes: the others
    /// are passed over as if they did not match (their subtables are
    /// still looked at, as the reference's classifier looks at its
    /// conjunctive rules before it passes over them).
    pub fn lookup_where(
        &self,
        key: &FlowKey,
        version: Version,
        wc: Option<&mut FlowKey>,
        accept: impl Fn(&R) -> bool,
    ) -> Option<RuleId> {
        self.best(key, wc, |id, h| {
            h.vis.visible_in(version) && self.get(id).is_some_and(&accept)
        })
    }

    /// The highest-priority rule matching `key` that `wanted` takes.
    fn best(
        &self,
        key: &FlowKey,
        mut wc: Option<&mut FlowKey>,
        wanted: impl Fn(RuleId, &RuleHead) -> bool + Copy,
    ) -> Option<RuleId> {
        let mut best: Option<(RuleId, u32)> = None;
        let mut tries = TrieCtx::new(&self.tries);
        for (max, t) in self.ordered() {
            if best.is_some_and(|(_, p)| max <= p) {
                // Subtables are sorted: none further can do better.
                break;
            }
            let floor = best.map(|(_, p)| p);
            if let Some(found) = t.find(
                &self.heads,
                key,
                floor,
                wc.as_deref_mut(),
                &mut tries,
                wanted,
            ) {
                best = Some(found);
            }
        }
        best.map(|(id, _)| id)
    }

    /// Every rule visible in `version` matching `key`, highest priority
    /// first; ORs into `wc` the bits the whole answer depends on.
    pub fn lookup_all(
        &self,
        key: &FlowKey,
        version: Version,
        mut wc: Option<&mut FlowKey>,
    ) -> Vec<RuleId> {
        let mut found: Vec<(u32, usize, RuleId)> = Vec::new();
        let mut tries = TrieCtx::new(&self.tries);
        for (rank, (_, t)) in self.ordered().enumerate() {
            if let Probe::Chain(first) = t.probe(key, wc.as_deref_mut(), &mut tries) {
                for id in chain(&self.heads, first) {
                    let h = &self.heads[id.0 as usize];
                    if h.vis.visible_in(version) && t.matches(key, h.slot) {
                        found.push((h.priority, rank, id));
                    }
                }
            }
        }
        // Priority first; ties in the order `lookup` would prefer them.
        found.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        found.into_iter().map(|(_, _, id)| id).collect()
    }

    /// The rule with exactly this match and priority visible in `version`
    /// (OpenFlow "strict").
    pub fn find_exactly(
        &self,
        key: &FlowKey,
        mask: &FlowKey,
        priority: u32,
        version: Version,
    ) -> Option<RuleId> {
        let t = self.subtable(*self.by_mask.get(mask)?)?;
        chain(&self.heads, t.chain_of(key)).find(|id| {
            let h = &self.heads[id.0 as usize];
            h.priority == priority && h.vis.visible_in(version) && t.matches(key, h.slot)
        })
    }

    /// A rule visible in `version` with this priority that some packet could
    /// match together with (`key`, `mask`) (OpenFlow's overlap check).
    pub fn find_overlapping(
        &self,
        key: &FlowKey,
        mask: &FlowKey,
        priority: u32,
        version: Version,
    ) -> Option<RuleId> {
        self.iter(Some(version)).find(|id| {
            let h = &self.heads[id.0 as usize];
            h.priority == priority
                && self
                    .subtable(h.subtable as usize)
                    .is_some_and(|t| t.agrees_under(key, h.slot, mask))
        })
    }

    /// Every rule (visible in `version`, or all with `None`).
    pub fn iter(&self, version: Option<Version>) -> impl Iterator<Item = RuleId> + '_ {
        self.heads
            .iter()
            .enumerate()
            .filter(move |(_, h)| h.live() && version.is_none_or(|v| h.vis.visible_in(v)))
            .map(|(i, _)| RuleId(i as u32))
    }

    /// Rules (visible in `version`, or all with `None`) whose match is at
    /// least as specific as (`key`, `mask`) (OpenFlow "loose").
    pub fn iter_loose<'a>(
        &'a self,
        key: &FlowKey,
        mask: &FlowKey,
        version: Option<Version>,
    ) -> impl Iterator<Item = RuleId> + 'a {
        // Owned copies: the iterator outlives the arguments.
        let key = key.clone();
        let mask = mask.clone();
        let heads = &self.heads;
        self.subtables
            .iter()
            .flatten()
            .filter({
                let mask = mask.clone();
                move |t| covers(&t.mask, &mask)
            })
            .flat_map(move |t| {
                let (key, mask) = (key.clone(), mask.clone());
                t.rules(heads).filter(move |id| {
                    let h = &heads[id.0 as usize];
                    version.is_none_or(|v| h.vis.visible_in(v))
                        && t.agrees_under(&key, h.slot, &mask)
                })
            })
    }

    /// Number of rules physically present (in any version).
    pub fn len(&self) -> usize {
        self.n_rules
    }

    pub fn is_empty(&self) -> bool {
        self.n_rules == 0
    }

    /// Number of distinct masks.
    pub fn n_subtables(&self) -> usize {
        self.order.len()
    }
}

/// Whether `outer` has every bit of `inner`.
fn covers(outer: &FlowKey, inner: &FlowKey) -> bool {
    outer.0.iter().zip(inner.0.iter()).all(|(o, i)| i & !o == 0)
}
