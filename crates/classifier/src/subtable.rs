//! One subtable of the tuple-space search: every rule sharing one mask.
//!
//! Rules are found by hashing only the key bytes the mask covers. Rules with
//! the same masked key form a chain, highest priority first. A rule's masked
//! key is kept compact: only the mask's words, in one arena per subtable, so
//! a rule costs tens of bytes however wide the flow key is. Before the final
//! hash lookup, per-stage indexes of the rules' masked key prefixes let a
//! lookup give up early, depending only on the stages it looked at; prefix
//! tries let it give up depending only on a few leading address bits.

use std::collections::{BTreeMap, HashMap};

use openflow::flow_match::key::{FlowKey, Slot, TP_DST, TP_SRC};

use crate::stage::{stage_of, StagedMask, N_STAGES};
use crate::trie::{field_value, has_prefix, prefix_len, set_prefix, Trie, TrieAnswer};
use crate::version::Visibility;
use crate::words::{finish, mix_all, HashBuild};
use crate::RuleId;

/// Most prefix tries a classifier keeps (as the reference's limit).
pub(crate) const MAX_TRIES: usize = 3;

/// "No rule": ends a chain; as a head's subtable, marks a free id.
pub(crate) const NONE: u32 = u32::MAX;

/// What lookups need to know about a rule, kept apart from the caller's
/// data. Its masked key lives in its subtable, in compact form (only the
/// words the subtable's mask covers), so a head stays 32 bytes.
pub(crate) struct RuleHead {
    pub vis: Visibility,
    pub priority: u32,
    /// Index of its subtable; `NONE` when the id is free.
    pub subtable: u32,
    /// Where its compact masked key sits in the subtable's arena.
    pub slot: u32,
    /// Next rule of its chain (same masked-key hash, priority not higher);
    /// `NONE` ends the chain.
    pub next: u32,
}

impl RuleHead {
    pub fn live(&self) -> bool {
        self.subtable != NONE
    }
}

/// The rules of the chain starting at `first`, best first.
pub(crate) fn chain(heads: &[RuleHead], first: u32) -> impl Iterator<Item = RuleId> + '_ {
    std::iter::successors((first != NONE).then_some(first), move |&id| {
        heads
            .get(id as usize)
            .map(|h| h.next)
            .filter(|&n| n != NONE)
    })
    .map(RuleId)
}

/// Trie answers for one lookup's key, computed when first needed.
pub(crate) struct TrieCtx<'a> {
    tries: &'a [Trie],
    answers: [Option<TrieAnswer>; MAX_TRIES],
}

impl<'a> TrieCtx<'a> {
    pub fn new(tries: &'a [Trie]) -> TrieCtx<'a> {
        TrieCtx {
            tries,
            answers: [None; MAX_TRIES],
        }
    }

    fn answer(&mut self, j: usize, key: &FlowKey) -> Option<(TrieAnswer, &'a Trie)> {
        let trie = self.tries.get(j)?;
        let slot = self.answers.get_mut(j)?;
        let a = *slot.get_or_insert_with(|| trie.lookup(field_value(key, trie.slot)));
        Some((a, trie))
    }
}

/// The L4 ports (tp_src then tp_dst) as one 32-bit field.
const PORTS: Slot = Slot {
    ofs: TP_SRC.ofs,
    len: TP_SRC.len + TP_DST.len,
};

/// A subtable's trie over its rules' masked ports: when the final hash
/// lookup misses, it tells how many leading port bits ruled every rule out,
/// so megaflows can keep the remaining port bits wildcarded.
struct PortsTrie {
    trie: Trie,
    /// The mask's ports, left-aligned as the trie sees them.
    mask: u128,
    /// Significant bits of the ports mask (up to its last one bit).
    plen: u32,
}

impl PortsTrie {
    fn new(mask: &FlowKey) -> Option<PortsTrie> {
        let m = field_value(mask, PORTS);
        if m == 0 {
            return None;
        }
        Some(PortsTrie {
            trie: Trie::new(PORTS),
            mask: m,
            plen: 128 - m.trailing_zeros(),
        })
    }

    /// If no rule's ports match `key`'s, ORs the port bits that showed it
    /// into `wc` and returns true.
    fn rules_out(&self, key: &FlowKey, wc: &mut FlowKey) -> bool {
        let answer = self.trie.lookup(field_value(key, PORTS) & self.mask);
        if answer.has(self.plen) {
            return false;
        }
        let bits = self.mask & prefix_bits(answer.maskbits);
        for (i, b) in wc.get_mut(PORTS).iter_mut().enumerate() {
            *b |= (bits >> (120 - 8 * i)) as u8;
        }
        true
    }
}

/// The first `n` bits of a left-aligned u128.
fn prefix_bits(n: u32) -> u128 {
    if n == 0 {
        0
    } else {
        u128::MAX << (128 - n.min(128))
    }
}

/// One stage of a subtable's lookup.
struct Step {
    /// Mask words hashed up to the end of this stage.
    end: usize,
    /// Tries (bit j = trie j) to consult before hashing this stage.
    tries: u8,
    /// Rules' masked-prefix hashes up to `end` with counts; `None` for the
    /// last stage, whose check is the final hash lookup.
    index: Option<HashMap<u64, u32, HashBuild>>,
}

pub(crate) struct Subtable {
    pub mask: FlowKey,
    pub staged: StagedMask,
    steps: Vec<Step>,
    /// Prefix length of the mask on each trie's field (0: trie not used).
    pub plens: [u32; MAX_TRIES],
    ports: Option<PortsTrie>,
    /// Full masked-key hash -> first rule of the chain of rules with that
    /// hash, highest priority first (linked through `RuleHead::next`, so a
    /// single-rule chain costs no allocation).
    chains: HashMap<u64, u32, HashBuild>,
    /// Compact masked keys: rule slot `s` owns `keys[s * w..(s + 1) * w]`
    /// with `w` = `staged.words.len()`. Slots are dense (removal moves the
    /// last one into the hole).
    keys: Vec<u64>,
    /// Priority -> number of rules with it (for the maximum after removals).
    priorities: BTreeMap<u32, u32>,
    pub n_rules: usize,
}

/// Outcome of probing one subtable.
pub(crate) enum Probe {
    /// No rule of the subtable can match the key.
    Miss,
    /// The first of the candidates (same hash; check key and visibility),
    /// best first: see [`chain`].
    Chain(u32),
}

impl Subtable {
    pub fn new(mask: &FlowKey, tries: &[Trie]) -> Subtable {
        let staged = StagedMask::staged(mask);
        let mut plens = [0; MAX_TRIES];
        for (p, t) in plens.iter_mut().zip(tries) {
            *p = prefix_len(mask, t.slot);
        }
        let mut steps: Vec<Step> = Vec::new();
        let mut prev = 0;
        for (s, &end) in staged.ends.iter().enumerate() {
            if end > prev {
                let mut bits = 0u8;
                for (j, t) in tries.iter().enumerate().take(MAX_TRIES) {
                    if plens[j] > 0 && stage_of(t.slot.ofs) == s {
                        bits |= 1 << j;
                    }
                }
                steps.push(Step {
                    end,
                    tries: bits,
                    index: Some(HashMap::default()),
                });
            }
            prev = end;
        }
        if let Some(last) = steps.last_mut() {
            last.index = None;
        }
        Subtable {
            mask: mask.clone(),
            staged,
            steps,
            plens,
            ports: PortsTrie::new(mask),
            chains: HashMap::default(),
            keys: Vec::new(),
            priorities: BTreeMap::new(),
            n_rules: 0,
        }
    }

    pub fn max_priority(&self) -> Option<u32> {
        self.priorities.keys().next_back().copied()
    }

    /// Words per compact key.
    fn width(&self) -> usize {
        self.staged.words.len()
    }

    /// The compact masked key in `slot`.
    #[inline]
    fn compact(&self, slot: u32) -> &[u64] {
        let w = self.width();
        let from = slot as usize * w;
        self.keys.get(from..from + w).unwrap_or(&[])
    }

    /// The masked key of the rule in `slot`.
    pub fn masked_key(&self, slot: u32) -> FlowKey {
        self.staged.expand(self.compact(slot))
    }

    /// Whether `key` matches the rule in `slot`.
    #[inline]
    pub fn matches(&self, key: &FlowKey, slot: u32) -> bool {
        self.staged.matches_compact(key, self.compact(slot))
    }

    /// Whether `key` agrees with the rule in `slot` on every bit that both
    /// `sub` and this subtable's mask have.
    pub fn agrees_under(&self, key: &FlowKey, slot: u32, sub: &FlowKey) -> bool {
        self.staged
            .agrees_compact_under(key, self.compact(slot), sub)
    }

    /// The stage-prefix hashes of a compact key (per step; unused for the
    /// last) and its full hash.
    fn hashes(&self, vals: &[u64]) -> ([u64; N_STAGES], u64) {
        let mut prefix = [0u64; N_STAGES];
        let mut h = 0;
        let mut done = 0;
        for (p, step) in prefix.iter_mut().zip(&self.steps) {
            h = mix_all(h, vals.get(done..step.end).unwrap_or(&[]));
            done = step.end;
            *p = finish(h);
        }
        h = mix_all(h, vals.get(done..).unwrap_or(&[]));
        (prefix, finish(h))
    }

    /// Adds rule `id` (priority in its head) with masked key `key`, filling
    /// in the head's slot and chain link.
    pub fn insert(&mut self, heads: &mut [RuleHead], id: RuleId, key: &FlowKey) {
        let slot = self.n_rules as u32;
        let from = self.keys.len();
        self.staged.compact_into(key, &mut self.keys);
        let (prefix, hash) = self.hashes(&self.keys[from..]);
        for (step, h) in self.steps.iter_mut().zip(prefix) {
            if let Some(ix) = &mut step.index {
                *ix.entry(h).or_insert(0) += 1;
            }
        }
        let priority = heads[id.0 as usize].priority;
        let first = self.chains.entry(hash).or_insert(NONE);
        // After every rule of at least this priority: equal priorities keep
        // insertion order.
        let mut prev = NONE;
        let mut cur = *first;
        while cur != NONE && heads[cur as usize].priority >= priority {
            prev = cur;
            cur = heads[cur as usize].next;
        }
        if prev == NONE {
            *first = id.0;
        } else {
            heads[prev as usize].next = id.0;
        }
        let head = &mut heads[id.0 as usize];
        head.next = cur;
        head.slot = slot;
        *self.priorities.entry(priority).or_insert(0) += 1;
        self.n_rules += 1;
        if let Some(p) = &mut self.ports {
            p.trie.insert(field_value(key, PORTS), p.plen);
        }
    }

    /// Removes rule `id`; returns its masked key, or None if it was not here.
    pub fn remove(&mut self, heads: &mut [RuleHead], id: RuleId) -> Option<FlowKey> {
        let head = heads.get(id.0 as usize)?;
        let (slot, priority) = (head.slot, head.priority);
        let (prefix, hash) = self.hashes(self.compact(slot));
        let first = self.chains.get_mut(&hash)?;
        // Unlink.
        let mut prev = NONE;
        let mut cur = *first;
        while cur != NONE && cur != id.0 {
            prev = cur;
            cur = heads[cur as usize].next;
        }
        if cur == NONE {
            return None;
        }
        let next = heads[cur as usize].next;
        if prev != NONE {
            heads[prev as usize].next = next;
        } else if next != NONE {
            *first = next;
        } else {
            self.chains.remove(&hash);
        }
        heads[cur as usize].next = NONE;
        for (step, h) in self.steps.iter_mut().zip(prefix) {
            let Some(ix) = &mut step.index else { continue };
            if let Some(n) = ix.get_mut(&h) {
                *n -= 1;
                if *n == 0 {
                    ix.remove(&h);
                }
            }
            shrink_if_sparse(ix);
        }
        let key = self.masked_key(slot);
        if let Some(p) = &mut self.ports {
            p.trie.remove(field_value(&key, PORTS), p.plen);
        }
        if let Some(n) = self.priorities.get_mut(&priority) {
            *n -= 1;
            if *n == 0 {
                self.priorities.remove(&priority);
            }
        }
        self.n_rules -= 1;
        self.free_slot(heads, slot);
        shrink_if_sparse(&mut self.chains);
        Some(key)
    }

    /// Releases `slot` (its rule already unlinked), keeping slots dense: the
    /// rule in the last slot moves into the hole.
    fn free_slot(&mut self, heads: &mut [RuleHead], slot: u32) {
        let w = self.width();
        let last = self.n_rules as u32;
        if w == 0 {
            return;
        }
        if slot != last {
            // The moved rule is in the chain of its key's hash.
            let (_, hash) = self.hashes(self.compact(last));
            let first = self.chains.get(&hash).copied().unwrap_or(NONE);
            let owner = chain(heads, first).find(|r| heads[r.0 as usize].slot == last);
            if let Some(owner) = owner {
                heads[owner.0 as usize].slot = slot;
            }
            let (dst, src) = (slot as usize * w, last as usize * w);
            self.keys.copy_within(src..src + w, dst);
        }
        self.keys.truncate(last as usize * w);
        if self.keys.capacity() > 64 && self.keys.len() < self.keys.capacity() / 4 {
            self.keys.shrink_to(self.keys.len() * 2);
        }
    }

    /// Probes for `key`, ORing into `wc` the mask bits the outcome depends on.
    ///
    /// A stage whose hash misses rules the subtable out depending on that
    /// stage and the ones before; a prefix trie (or the ports trie, for the
    /// last stage) may show the same with only some address or port bits of
    /// the missing stage. Tries are consulted only on such misses: when a
    /// stage's hash hits, some rule has the key's prefix and a trie could
    /// not have ruled the subtable out.
    #[inline]
    pub fn probe(&self, key: &FlowKey, wc: Option<&mut FlowKey>, tries: &mut TrieCtx<'_>) -> Probe {
        let mut h = 0;
        let mut done = 0;
        for step in &self.steps {
            let start = done;
            h = self.staged.hash_words(key, done, step.end, h);
            done = step.end;
            if let Some(ix) = &step.index {
                if !ix.contains_key(&finish(h)) {
                    if let Some(wc) = wc {
                        self.unwildcard_miss(step, start, key, wc, tries);
                    }
                    return Probe::Miss;
                }
            }
        }
        let first = self.chains.get(&finish(h)).copied();
        if let Some(wc) = wc {
            match (first, self.steps.last()) {
                (None, Some(last)) => {
                    let start = self
                        .steps
                        .len()
                        .checked_sub(2)
                        .map_or(0, |i| self.steps[i].end);
                    self.unwildcard_miss(last, start, key, wc, tries);
                }
                _ => self.staged.unwildcard(wc, self.staged.words.len()),
            }
        }
        match first {
            Some(first) => Probe::Chain(first),
            None => Probe::Miss,
        }
    }

    /// ORs into `wc` what a miss at `step` (whose words start at `start`)
    /// depended on.
    fn unwildcard_miss(
        &self,
        step: &Step,
        start: usize,
        key: &FlowKey,
        wc: &mut FlowKey,
        tries: &mut TrieCtx<'_>,
    ) {
        let is_last = step.index.is_none();
        let narrowed = (step.tries != 0 && self.trie_says_miss(step.tries, key, wc, tries))
            || (is_last && self.ports.as_ref().is_some_and(|p| p.rules_out(key, wc)));
        // The earlier stages led here; keeping their bits also keeps a trie
        // field's prerequisite (dl_type) in the mask.
        self.staged
            .unwildcard(wc, if narrowed { start } else { step.end });
    }

    /// Whether a trie shows that no rule here can match `key`, depending
    /// only on the leading address bits it then adds to `wc`. It declines
    /// when that would add more bits than probing the subtable would.
    fn trie_says_miss(
        &self,
        which: u8,
        key: &FlowKey,
        wc: &mut FlowKey,
        tries: &mut TrieCtx<'_>,
    ) -> bool {
        for (j, &plen) in self.plens.iter().enumerate() {
            if which & (1 << j) == 0 {
                continue;
            }
            let Some((answer, trie)) = tries.answer(j, key) else {
                continue;
            };
            if answer.has(plen) {
                continue;
            }
            if answer.maskbits <= plen {
                set_prefix(wc, trie.slot, answer.maskbits);
                return true;
            }
            if has_prefix(wc, trie.slot, answer.maskbits) {
                return true;
            }
        }
        false
    }

    /// The best rule of the subtable matching `key` that `accept` takes
    /// (the caller checks visibility there), if its priority beats `floor`.
    #[inline]
    pub fn find(
        &self,
        heads: &[RuleHead],
        key: &FlowKey,
        floor: Option<u32>,
        wc: Option<&mut FlowKey>,
        tries: &mut TrieCtx<'_>,
        accept: impl Fn(RuleId, &RuleHead) -> bool,
    ) -> Option<(RuleId, u32)> {
        let Probe::Chain(mut id) = self.probe(key, wc, tries) else {
            return None;
        };
        while let Some(h) = heads.get(id as usize) {
            if floor.is_some_and(|f| h.priority <= f) {
                return None;
            }
            if accept(RuleId(id), h) && self.matches(key, h.slot) {
                return Some((RuleId(id), h.priority));
            }
            id = h.next;
        }
        None
    }

    /// The first rule of the chain that would hold rules with `key`'s
    /// masked key (`NONE` if empty).
    pub fn chain_of(&self, key: &FlowKey) -> u32 {
        self.chains
            .get(&self.staged.hash(key))
            .copied()
            .unwrap_or(NONE)
    }

    /// Every rule of the subtable.
    pub fn rules<'a>(&'a self, heads: &'a [RuleHead]) -> impl Iterator<Item = RuleId> + 'a {
        self.chains
            .values()
            .flat_map(move |&first| chain(heads, first))
    }
}

/// Gives memory back once a map is mostly empty (maps never shrink on
/// their own); the factor-of-four hysteresis keeps rehashing amortised.
fn shrink_if_sparse<K: std::hash::Hash + Eq, V>(map: &mut HashMap<K, V, HashBuild>) {
    if map.capacity() > 64 && map.len() < map.capacity() / 4 {
        map.shrink_to(map.len() * 2);
    }
}
