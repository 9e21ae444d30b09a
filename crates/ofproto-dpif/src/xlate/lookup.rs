//! Flow table lookup with the reference classifier's megaflow behaviour:
//! rules grouped into subtables by mask, subtables tried by descending
//! highest priority with early exit, and staged un-wildcarding (metadata,
//! L2, L3, L4): a subtable that fails at a stage contributes only the mask
//! bits of the stages it looked at; the L4 ports contribute only the prefix
//! needed to tell the packet's ports from every rule's (the ports trie).
//! This keeps megaflows as wide as the reference's, so that a table of
//! dl_dst rules does not make megaflows match on IP fields.

use std::collections::{BTreeMap, HashMap, HashSet};

use openflow::action::Action;

use ofproto::RuleRef;
use openflow::flow_match::key::{self, FlowKey, KEY_LEN};

/// Key offsets where the lookup stages end: metadata | L2 | L3 | L4.
const STAGE_ENDS: [usize; 4] = [key::DL_DST.ofs, key::NW_SRC.ofs, key::TP_SRC.ofs, KEY_LEN];

struct Subtable {
    mask: FlowKey,
    max_priority: u32,
    /// Highest priority first.
    rules: Vec<RuleRef>,
    /// (start, end) key offsets of the stages holding mask bits; the last
    /// is the final lookup.
    stages: Vec<(usize, usize)>,
    /// Per index stage: the rules' masked key bytes up to the stage's end.
    stage_sets: Vec<HashSet<Vec<u8>>>,
    /// Whole masked key -> the highest-priority rule with it.
    full: HashMap<Vec<u8>, usize>,
}

fn masked_prefix(k: &FlowKey, mask: &FlowKey, end: usize) -> Vec<u8> {
    k.0[..end]
        .iter()
        .zip(&mask.0[..end])
        .map(|(a, m)| a & m)
        .collect()
}

impl Subtable {
    fn new(mask: FlowKey, rules: Vec<RuleRef>) -> Subtable {
        let has_bits = |from: usize, to: usize| mask.0[from..to].iter().any(|b| *b != 0);
        let mut start = 0;
        let stages: Vec<(usize, usize)> = STAGE_ENDS
            .iter()
            .filter_map(|end| {
                let r = (start, *end);
                start = *end;
                has_bits(r.0, r.1).then_some(r)
            })
            .collect();
        let n_index = stages.len().saturating_sub(1);
        let stage_sets = stages[..n_index]
            .iter()
            .map(|(_, end)| {
                rules
                    .iter()
                    .map(|r| masked_prefix(r.flow_match.key(), &mask, *end))
                    .collect()
            })
            .collect();
        let mut full = HashMap::new();
        for (i, r) in rules.iter().enumerate() {
            full.entry(masked_prefix(r.flow_match.key(), &mask, KEY_LEN))
                .or_insert(i);
        }
        Subtable {
            max_priority: rules.first().map_or(0, |r| r.priority),
            mask,
            rules,
            stages,
            stage_sets,
            full,
        }
    }
}

fn masked_eq(a: &FlowKey, b: &FlowKey, mask: &FlowKey, end: usize) -> bool {
    (0..end).all(|i| (a.0[i] ^ b.0[i]) & mask.0[i] == 0)
}

fn or_mask(wc: &mut FlowKey, mask: &FlowKey, end: usize) {
    for i in 0..end {
        wc.0[i] |= mask.0[i];
    }
}

fn ports_u32(k: &FlowKey) -> u32 {
    (u32::from(k.u16(key::TP_SRC)) << 16) | u32::from(k.u16(key::TP_DST))
}

fn set_ports_mask(wc: &mut FlowKey, m: u32) {
    let old = ports_u32(wc);
    let v = old | m;
    wc.set_uint(key::TP_SRC, u64::from(v >> 16));
    wc.set_uint(key::TP_DST, u64::from(v & 0xffff));
}

/// The classifier's prefix tries (the reference's default `Flow_Table`
/// prefixes): address fields whose rules' CIDR prefixes let a lookup
/// un-wildcard only the leading bits needed to rule them out.
const TRIE_FIELDS: [key::Slot; 2] = [key::NW_DST, key::NW_SRC];

/// One prefix trie, flattened: every rule's (value, prefix length).
struct Trie {
    slot: key::Slot,
    prefixes: Vec<(u32, u32)>,
}

/// A trie's answer for one key: matching prefix lengths, bits needed.
type TrieResult = (Vec<u32>, u32);

fn prefix_len(m: u32) -> Option<u32> {
    let n = m.leading_ones();
    (n > 0 && m.checked_shl(n).unwrap_or(0) == 0).then_some(n)
}

fn prefix_mask(bits: u32) -> u32 {
    if bits == 0 {
        0
    } else {
        u32::MAX << (32 - bits.min(32))
    }
}

impl Trie {
    fn lookup(&self, key: &FlowKey) -> TrieResult {
        let v = key.u32(self.slot);
        let mut matched = Vec::new();
        let mut depth = 0u32;
        for (p, len) in &self.prefixes {
            let common = (p ^ v).leading_zeros().min(*len);
            if common == *len {
                matched.push(*len);
            }
            depth = depth.max(common);
        }
        // The walk stops at `depth`: on a leaf if nothing longer shares
        // those bits, otherwise one bit further decides.
        let longer = self
            .prefixes
            .iter()
            .any(|(p, len)| *len > depth && (p ^ v).leading_zeros() >= depth);
        let bits = if longer { (depth + 1).min(32) } else { depth };
        (matched, bits)
    }
}

/// A rule set arranged for lookups: subtables by descending highest
/// priority, and the prefix tries.
struct Staged {
    subtables: Vec<Subtable>,
    tries: Vec<Trie>,
}

impl Staged {
    fn new(rules: &[RuleRef]) -> Staged {
        let mut sorted: Vec<&RuleRef> = rules.iter().collect();
        sorted.sort_by_key(|r| std::cmp::Reverse(r.priority));
        let mut groups: Vec<(FlowKey, Vec<RuleRef>)> = Vec::new();
        let mut index: HashMap<FlowKey, usize> = HashMap::new();
        for r in sorted {
            let m = r.flow_match.mask();
            match index.get(m) {
                Some(i) => groups[*i].1.push(r.clone()),
                None => {
                    index.insert(m.clone(), groups.len());
                    groups.push((m.clone(), vec![r.clone()]));
                }
            }
        }
        let subtables: Vec<Subtable> = groups
            .into_iter()
            .map(|(m, rules)| Subtable::new(m, rules))
            .collect();
        let tries = TRIE_FIELDS
            .iter()
            .map(|slot| Trie {
                slot: *slot,
                prefixes: rules
                    .iter()
                    .filter_map(|r| {
                        let plen = prefix_len(r.flow_match.mask().u32(*slot))?;
                        Some((r.flow_match.key().u32(*slot), plen))
                    })
                    .collect(),
            })
            .collect();
        Staged { subtables, tries }
    }

    fn lookup(&self, key: &FlowKey, wc: &mut FlowKey) -> Option<RuleRef> {
        let mut results: Vec<Option<TrieResult>> = vec![None; self.tries.len()];
        let mut best: Option<&RuleRef> = None;
        for st in &self.subtables {
            if let Some(b) = best {
                if st.max_priority <= b.priority {
                    break;
                }
            }
            if let Some(r) = lookup_subtable(st, key, wc, &self.tries, &mut results) {
                if best.is_none_or(|b| r.priority > b.priority) {
                    best = Some(r);
                }
            }
        }
        best.cloned()
    }
}

/// One flow table prepared for translation (rebuilt when the switch's
/// version changes).
pub struct Prepared {
    hard: Staged,
    /// Rules stating conjunctive clauses, highest priority first.
    conj: Vec<RuleRef>,
}

impl Prepared {
    pub fn new(table: Option<&ofproto::table::FlowTable>) -> Prepared {
        let rules: Vec<RuleRef> = table
            .map(|t| t.iter().cloned().collect())
            .unwrap_or_default();
        let (mut conj, hard): (Vec<RuleRef>, Vec<RuleRef>) =
            rules.into_iter().partition(|r| r.is_conjunctive());
        conj.sort_by_key(|r| std::cmp::Reverse(r.priority));
        Prepared {
            hard: Staged::new(&hard),
            conj,
        }
    }
}

/// Looks `key` up; ORs the bits the decision needed into `wc`.
pub fn lookup_prepared(p: &Prepared, key: &FlowKey, wc: &mut FlowKey) -> Option<RuleRef> {
    let hard = p.hard.lookup(key, wc);
    if p.conj.is_empty() {
        return hard;
    }
    let floor = hard.as_ref().map_or(0, |r| r.priority);
    // Conjunctive clauses: every such rule was looked at.
    let mut soft: Vec<&RuleRef> = Vec::new();
    for r in &p.conj {
        or_mask(wc, r.flow_match.mask(), KEY_LEN);
        if r.priority > floor && masked_eq(r.flow_match.key(), key, r.flow_match.mask(), KEY_LEN) {
            soft.push(r);
        }
    }
    let mut prios: Vec<u32> = soft.iter().map(|r| r.priority).collect();
    prios.dedup();
    for prio in prios {
        // conjunction id -> (clauses needed, clauses seen)
        let mut conj: BTreeMap<u32, (u8, u64)> = BTreeMap::new();
        for r in soft.iter().filter(|r| r.priority == prio) {
            for a in r.actions.iter() {
                if let Action::Conjunction {
                    id,
                    clause,
                    n_clauses,
                } = a
                {
                    let e = conj.entry(*id).or_insert((*n_clauses, 0));
                    if *clause >= 1 && *clause <= 64 {
                        e.1 |= 1 << (clause - 1);
                    }
                }
            }
        }
        for (id, (n, seen)) in conj {
            let all = if n >= 64 { u64::MAX } else { (1u64 << n) - 1 };
            if n == 0 || seen & all != all {
                continue;
            }
            let mut k2 = key.clone();
            k2.set_uint(key::CONJ_ID, u64::from(id));
            if let Some(r) = p.hard.lookup(&k2, wc) {
                if r.flow_match.mask().u32(key::CONJ_ID) != 0 {
                    return Some(r);
                }
            }
        }
    }
    hard
}

/// Whether the tries prove no rule of the subtable can match, looking at
/// the trie fields inside key bytes `from..to` (and un-wildcarding the bits
/// that proof needs).
fn tries_rule_out(
    st: &Subtable,
    key: &FlowKey,
    wc: &mut FlowKey,
    tries: &[Trie],
    results: &mut [Option<TrieResult>],
    from: usize,
    to: usize,
) -> bool {
    for (t, res) in tries.iter().zip(results.iter_mut()) {
        if t.slot.ofs < from || t.slot.ofs >= to {
            continue;
        }
        let Some(plen) = prefix_len(st.mask.u32(t.slot)) else {
            continue;
        };
        let (matched, bits) = res.get_or_insert_with(|| t.lookup(key)).clone();
        if matched.contains(&plen) {
            continue;
        }
        if bits <= plen {
            let m = wc.u32(t.slot) | prefix_mask(bits);
            wc.set_uint(t.slot, u64::from(m));
            return true;
        }
        if wc.u32(t.slot) & prefix_mask(bits) == prefix_mask(bits) {
            return true;
        }
    }
    false
}

fn lookup_subtable<'a>(
    st: &'a Subtable,
    key: &FlowKey,
    wc: &mut FlowKey,
    tries: &[Trie],
    results: &mut [Option<TrieResult>],
) -> Option<&'a RuleRef> {
    let mask = &st.mask;
    let Some((&(fin_from, fin_to), index_stages)) = st.stages.split_last() else {
        // The catch-all subtable.
        return st.rules.first();
    };
    let mut done = 0;
    for (i, &(from, end)) in index_stages.iter().enumerate() {
        if tries_rule_out(st, key, wc, tries, results, from, end) {
            or_mask(wc, mask, done);
            return None;
        }
        let present = st
            .stage_sets
            .get(i)
            .is_some_and(|set| set.contains(&masked_prefix(key, mask, end)));
        if !present {
            or_mask(wc, mask, end);
            return None;
        }
        done = end;
    }
    if tries_rule_out(st, key, wc, tries, results, fin_from, fin_to) {
        or_mask(wc, mask, done);
        return None;
    }
    let found = st
        .full
        .get(&masked_prefix(key, mask, KEY_LEN))
        .and_then(|i| st.rules.get(*i));
    let pmask = ports_u32(mask);
    if found.is_none() && pmask != 0 {
        // The ports trie: only the leading port bits that tell this packet's
        // ports from every rule's.
        let v = ports_u32(key) & pmask;
        let plen = 32 - pmask.trailing_zeros();
        let mut depth = 0;
        for r in &st.rules {
            let rv = ports_u32(r.flow_match.key()) & pmask;
            depth = depth.max((rv ^ v).leading_zeros().min(plen));
        }
        let bits = if depth < plen { depth + 1 } else { plen };
        set_ports_mask(wc, pmask & prefix_mask(bits));
        let mut rest = mask.clone();
        rest.set_uint(key::TP_SRC, 0);
        rest.set_uint(key::TP_DST, 0);
        or_mask(wc, &rest, KEY_LEN);
        return None;
    }
    or_mask(wc, mask, KEY_LEN);
    found
}
