//! One OpenFlow flow table: rules ordered by priority, strict and loose
//! searches for flow-mods and statistics, and the packet lookup that
//! translation uses (which also reports the key bits the decision depended
//! on, for megaflow masks), plus the table's configuration (name, miss
//! behaviour, eviction) and lookup counters.
//!
//! Rules live in a `classifier::Classifier` (tuple-space search with
//! staged megaflow masks). Changes happen under the owner's lock, all of a
//! request (or a whole bundle) at once, so lookups never see half a
//! change; every rule is therefore in one classifier version.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use classifier::{Classifier, RuleId};

use openflow::flow_match::key::FlowKey;
use openflow::flow_match::Match;

use crate::rule::RuleRef;

/// Classifier versions: a rule is visible in the versions it was added in and after.
pub type Version = classifier::Version;

/// What a table does with packets no rule matches (OF1.1-1.2 table-mod config).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum MissConfig {
    /// The OpenFlow version's default (drop from OF1.3 on, controller before).
    #[default]
    Default,
    Controller,
    Continue,
    Drop,
}

/// Table configuration set through table-mod and the Flow_Table column.
#[derive(Clone, Debug, Default)]
pub struct TableConfig {
    pub name: Option<String>,
    pub miss: MissConfig,
    pub eviction: bool,
    pub vacancy_events: bool,
    pub vacancy_down: u8,
    pub vacancy_up: u8,
    /// Maximum number of flows (None = the default 1,000,000).
    pub max_flows: Option<u32>,
}

/// The default table capacity reported by table stats/features.
pub const DEFAULT_MAX_FLOWS: u32 = 1_000_000;

/// One flow table.
pub struct FlowTable {
    cls: Classifier<RuleRef>,
    /// Rule object (by address) -> classifier id, to remove or replace a
    /// rule the caller holds.
    ids: HashMap<usize, RuleId>,
    pub config: TableConfig,
    /// Packets looked up / matched here (bumped by translation).
    lookups: AtomicU64,
    matches: AtomicU64,
}

impl Default for FlowTable {
    fn default() -> FlowTable {
        FlowTable {
            cls: Classifier::new(),
            ids: HashMap::new(),
            config: TableConfig::default(),
            lookups: AtomicU64::new(0),
            matches: AtomicU64::new(0),
        }
    }
}

impl std::fmt::Debug for FlowTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FlowTable")
            .field("rules", &self.cls.len())
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// Every rule is visible in this classifier version: changes are applied
/// under the switch's lock, all of a request (or bundle) at once.
const VISIBLE: Version = 0;

fn key_of(r: &RuleRef) -> usize {
    Arc::as_ptr(r) as usize
}

/// Whether rule match `r` is at least as specific as `m` and agrees with
/// it where `m` matches (a loose flow-mod, stats or monitor match).
pub fn loose_matches(r: &Match, m: &Match) -> bool {
    let (rk, rm) = (r.key(), r.mask());
    let (qk, qm) = (m.key(), m.mask());
    rm.0.iter()
        .zip(qm.0.iter())
        .zip(rk.0.iter().zip(qk.0.iter()))
        .all(|((rmask, qmask), (rkey, qkey))| rmask & qmask == *qmask && rkey & qmask == *qkey)
}

/// Whether `key` (a packet) matches `m`.
pub fn key_matches(m: &Match, key: &FlowKey) -> bool {
    let (mk, mm) = (m.key(), m.mask());
    key.0
        .iter()
        .zip(mm.0.iter())
        .zip(mk.0.iter())
        .all(|((k, mask), v)| k & mask == *v)
}

impl FlowTable {
    pub fn new() -> FlowTable {
        FlowTable::default()
    }

    pub fn len(&self) -> usize {
        self.cls.len()
    }

    pub fn is_empty(&self) -> bool {
        self.cls.is_empty()
    }

    /// Number of rules visible to OpenFlow (not hidden).
    pub fn n_visible(&self) -> usize {
        self.iter().filter(|r| !r.is_hidden()).count()
    }

    /// Every rule, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = &RuleRef> {
        self.cls.iter(None).filter_map(|id| self.cls.get(id))
    }

    /// The rule with exactly this match and priority.
    pub fn find_strict(&self, m: &Match, priority: u32) -> Option<&RuleRef> {
        let id = self
            .cls
            .find_exactly(m.key(), m.mask(), priority, VISIBLE)?;
        self.cls.get(id).filter(|r| r.flow_match == *m)
    }

    /// Rules at least as specific as `m`.
    pub fn iter_loose<'a>(&'a self, m: &'a Match) -> impl Iterator<Item = &'a RuleRef> + 'a {
        self.cls
            .iter_loose(m.key(), m.mask(), None)
            .filter_map(|id| self.cls.get(id))
    }

    /// Whether a rule of the same priority, other than one with exactly this
    /// match (which an add replaces), could match a packet `m` also matches
    /// (check_overlap).
    pub fn has_overlap(&self, m: &Match, priority: u32) -> bool {
        self.iter()
            .filter(|r| r.priority == priority && r.flow_match != *m)
            .any(|r| overlaps(&r.flow_match, m))
    }

    /// Adds `rule`, replacing one with the same match and priority (returned).
    pub fn insert(&mut self, rule: RuleRef) -> Option<RuleRef> {
        if let Some(old) = self.find_strict(&rule.flow_match, rule.priority).cloned() {
            self.replace(&old, rule);
            return Some(old);
        }
        let m = &rule.flow_match;
        let id = self
            .cls
            .insert(m.key(), m.mask(), rule.priority, VISIBLE, rule.clone());
        self.ids.insert(key_of(&rule), id);
        None
    }

    /// Replaces `old` (the same rule object) by `new` with the same match
    /// and priority. Returns false if `old` is not in the table.
    pub fn replace(&mut self, old: &RuleRef, new: RuleRef) -> bool {
        let Some(id) = self.ids.remove(&key_of(old)) else {
            return false;
        };
        match self.cls.get_mut(id) {
            Some(slot) => {
                self.ids.insert(key_of(&new), id);
                *slot = new;
                true
            }
            None => false,
        }
    }

    /// Removes `rule` (the same rule object).
    pub fn remove(&mut self, rule: &RuleRef) -> bool {
        match self.ids.remove(&key_of(rule)) {
            Some(id) => self.cls.remove(id).is_some(),
            None => false,
        }
    }

    /// Removes every rule, returning them.
    pub fn clear(&mut self) -> Vec<RuleRef> {
        let ids: Vec<RuleId> = self.cls.iter(None).collect();
        self.ids.clear();
        ids.into_iter()
            .filter_map(|id| self.cls.remove(id))
            .collect()
    }

    /// The highest-priority rule matching `key`. ORs into `wc` the bits
    /// the decision depended on (the megaflow mask).
    pub fn lookup(&self, key: &FlowKey, wc: Option<&mut FlowKey>) -> Option<RuleRef> {
        let id = self.cls.lookup(key, VISIBLE, wc)?;
        self.cls.get(id).cloned()
    }

    /// Counts a lookup in this table (translation calls it per lookup batch).
    pub fn count_lookups(&self, lookups: u64, matches: u64) {
        self.lookups.fetch_add(lookups, Ordering::Relaxed);
        self.matches.fetch_add(matches, Ordering::Relaxed);
    }

    pub fn lookup_count(&self) -> u64 {
        self.lookups.load(Ordering::Relaxed)
    }

    pub fn matched_count(&self) -> u64 {
        self.matches.load(Ordering::Relaxed)
    }

    pub fn max_flows(&self) -> u32 {
        self.config.max_flows.unwrap_or(DEFAULT_MAX_FLOWS)
    }
}

/// Whether some packet could match both `a` and `b`: they agree on every
/// bit both match.
pub fn overlaps(a: &Match, b: &Match) -> bool {
    let (ak, am) = (a.key(), a.mask());
    let (bk, bm) = (b.key(), b.mask());
    am.0.iter()
        .zip(bm.0.iter())
        .zip(ak.0.iter().zip(bk.0.iter()))
        .all(|((amask, bmask), (akey, bkey))| {
            let both = amask & bmask;
            akey & both == bkey & both
        })
}

impl FlowTable {
    /// The rules, for undoing a failed bundle commit.
    pub(crate) fn snapshot(&self) -> Vec<RuleRef> {
        self.iter().cloned().collect()
    }

    pub(crate) fn restore(&mut self, rules: Vec<RuleRef>) {
        self.clear();
        for r in rules {
            self.insert(r);
        }
    }
}
