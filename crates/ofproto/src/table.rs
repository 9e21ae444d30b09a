//! One OpenFlow flow table: rules ordered by priority, strict and loose
//! searches for flow-mods and statistics, and the packet lookup that
//! translation uses (which also reports the key bits the decision depended
//! on, for megaflow masks), plus the table's configuration (name, miss
//! behaviour, eviction) and lookup counters.
//!
//! Rules live in a `classifier::Classifier` (tuple-space search with
//! staged megaflow masks) with versions: a single request's changes apply
//! at once (rules visible from version 0, removals physical), while a
//! bundle commit stages its changes in version `v + 1` (adds invisible to
//! lookups at `v`, removals still visible at `v`) and either publishes them
//! all by moving the switch to `v + 1`, or undoes them (`cancel_remove`,
//! physical removal of the staged adds): lookups in the switch's version
//! see all of a bundle or none of it, without copying the tables.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use classifier::{Classifier, RuleId};

use openflow::action::Action;
use openflow::flow_match::key::{self, FlowKey};
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

/// How many packets a table looked up and how many of those a rule matched
/// (the table statistics' lookup and matched counts).
#[derive(Debug, Default)]
pub struct LookupCounters {
    lookups: AtomicU64,
    matches: AtomicU64,
}

impl LookupCounters {
    /// Counts `packets` looked up here, all matched or none.
    pub fn count(&self, packets: u64, matched: bool) {
        self.lookups.fetch_add(packets, Ordering::Relaxed);
        if matched {
            self.matches.fetch_add(packets, Ordering::Relaxed);
        }
    }
}

/// One flow table.
pub struct FlowTable {
    cls: Classifier<RuleRef>,
    /// Rule object (by address) -> classifier id, to remove or replace a
    /// rule the caller holds.
    ids: HashMap<usize, RuleId>,
    pub config: TableConfig,
    /// Packets looked up / matched here, counted by the forwarding layer
    /// on every megaflow hit (it keeps the handle from translation).
    counters: Arc<LookupCounters>,
    /// While a bundle commit is staged: the version its changes go in at
    /// (and that flow-mod searches see).
    staged: Option<Version>,
    /// The staged changes, in order, to publish or undo.
    staged_log: Vec<StagedChange>,
    /// Rules with an idle or hard timeout (expiry skips tables without).
    n_timed: usize,
    /// Rules that only state conjunctive clauses (staged ones included),
    /// highest priority first.
    conjunctive: BTreeSet<(Reverse<u32>, RuleId)>,
}

/// One change made while staging.
#[derive(Clone, Copy, Debug)]
enum StagedChange {
    Added(RuleId),
    Removed(RuleId),
}

impl Default for FlowTable {
    fn default() -> FlowTable {
        FlowTable {
            cls: Classifier::new(),
            ids: HashMap::new(),
            config: TableConfig::default(),
            counters: Arc::default(),
            staged: None,
            staged_log: Vec::new(),
            n_timed: 0,
            conjunctive: BTreeSet::new(),
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

/// Rules added outside a bundle commit are visible in every version.
const ALWAYS: Version = 0;

/// The version that sees every rule not staged (outside a commit, the
/// classifier holds no pending additions or removals).
const LATEST: Version = classifier::VERSION_NEVER - 1;

fn is_timed(r: &RuleRef) -> bool {
    r.idle_timeout != 0 || r.hard_timeout != 0
}

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

impl FlowTable {
    pub fn new() -> FlowTable {
        FlowTable::default()
    }

    /// The version flow-mod searches and statistics see: the staged one
    /// during a bundle commit.
    fn view(&self) -> Version {
        self.staged.unwrap_or(LATEST)
    }

    /// Number of rules (outside a bundle commit; during one, staged adds
    /// and removals both count).
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

    /// Whether some rule has an idle or hard timeout.
    pub fn has_timeouts(&self) -> bool {
        self.n_timed > 0
    }

    /// Whether some rule (possibly staged) states conjunctive clauses: its
    /// classifier's lookup alone cannot answer then.
    pub fn has_conjunctions(&self) -> bool {
        !self.conjunctive.is_empty()
    }

    /// Every rule, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = &RuleRef> {
        self.cls
            .iter(Some(self.view()))
            .filter_map(|id| self.cls.get(id))
    }

    fn find_strict_id(&self, m: &Match, priority: u32) -> Option<RuleId> {
        let id = self
            .cls
            .find_exactly(m.key(), m.mask(), priority, self.view())?;
        self.cls.get(id).filter(|r| r.flow_match == *m).map(|_| id)
    }

    /// The rule with exactly this match and priority.
    pub fn find_strict(&self, m: &Match, priority: u32) -> Option<&RuleRef> {
        self.find_strict_id(m, priority)
            .and_then(|id| self.cls.get(id))
    }

    /// Rules at least as specific as `m`.
    pub fn iter_loose<'a>(&'a self, m: &'a Match) -> impl Iterator<Item = &'a RuleRef> + 'a {
        self.cls
            .iter_loose(m.key(), m.mask(), Some(self.view()))
            .filter_map(|id| self.cls.get(id))
    }

    /// Whether a rule of the same priority, other than one with exactly this
    /// match (which an add replaces), could match a packet `m` also matches
    /// (check_overlap).
    pub fn has_overlap(&self, m: &Match, priority: u32) -> bool {
        self.iter()
            .filter(|r| r.priority == priority)
            .map(|r| r.flow_match.unpack())
            .any(|other| other != *m && overlaps(&other, m))
    }

    /// Adds `rule`, replacing one with the same match and priority (returned).
    pub fn insert(&mut self, rule: RuleRef) -> Option<RuleRef> {
        let m = rule.flow_match.unpack();
        if let Some(old) = self.find_strict(&m, rule.priority).cloned() {
            self.replace(&old, rule);
            return Some(old);
        }
        self.add_unpacked(rule, &m);
        None
    }

    fn add(&mut self, rule: RuleRef) {
        let m = rule.flow_match.unpack();
        self.add_unpacked(rule, &m);
    }

    /// Adds `rule`, whose match unpacked is `m`.
    fn add_unpacked(&mut self, rule: RuleRef, m: &Match) {
        let version = self.staged.unwrap_or(ALWAYS);
        let timed = is_timed(&rule);
        let id = self
            .cls
            .insert(m.key(), m.mask(), rule.priority, version, rule.clone());
        self.ids.insert(key_of(&rule), id);
        if self.staged.is_some() {
            self.staged_log.push(StagedChange::Added(id));
        }
        if timed {
            self.n_timed += 1;
        }
        if rule.is_conjunctive() {
            self.conjunctive.insert((Reverse(rule.priority), id));
        }
    }

    /// Replaces `old` (the same rule object) by `new` with the same match
    /// and priority. Returns false if `old` is not in the table.
    pub fn replace(&mut self, old: &RuleRef, new: RuleRef) -> bool {
        if self.staged.is_some() {
            if !self.remove(old) {
                return false;
            }
            self.add(new);
            return true;
        }
        let Some(id) = self.ids.remove(&key_of(old)) else {
            return false;
        };
        let (was, now) = (is_timed(old), is_timed(&new));
        match self.cls.get_mut(id) {
            Some(slot) => {
                self.ids.insert(key_of(&new), id);
                *slot = new;
                self.n_timed = (self.n_timed + usize::from(now)).saturating_sub(usize::from(was));
                let entry = (Reverse(slot.priority), id);
                if slot.is_conjunctive() {
                    self.conjunctive.insert(entry);
                } else {
                    self.conjunctive.remove(&entry);
                }
                true
            }
            None => false,
        }
    }

    /// Removes `rule` (the same rule object).
    pub fn remove(&mut self, rule: &RuleRef) -> bool {
        let Some(&id) = self.ids.get(&key_of(rule)) else {
            return false;
        };
        if let Some(v) = self.staged {
            // Still visible to lookups until the commit is published.
            self.cls.remove_in_version(id, v);
            self.staged_log.push(StagedChange::Removed(id));
            return true;
        }
        self.ids.remove(&key_of(rule));
        self.remove_id(id)
    }

    fn remove_id(&mut self, id: RuleId) -> bool {
        match self.cls.remove(id) {
            Some(r) => {
                if is_timed(&r) {
                    self.n_timed = self.n_timed.saturating_sub(1);
                }
                self.conjunctive.remove(&(Reverse(r.priority), id));
                true
            }
            None => false,
        }
    }

    /// Removes every rule `keep` refuses.
    pub fn retain(&mut self, keep: impl Fn(&RuleRef) -> bool) {
        let gone: Vec<RuleRef> = self.iter().filter(|r| !keep(r)).cloned().collect();
        for r in &gone {
            self.remove(r);
        }
    }

    /// Removes every rule, returning them.
    pub fn clear(&mut self) -> Vec<RuleRef> {
        let all: Vec<RuleRef> = self.iter().cloned().collect();
        for r in &all {
            self.remove(r);
        }
        all
    }

    /// Starts staging changes in `version` (a bundle commit): they stay
    /// invisible to lookups in earlier versions until [`Self::publish`].
    pub(crate) fn stage(&mut self, version: Version) {
        self.staged = Some(version);
        self.staged_log.clear();
    }

    /// Ends staging with the changes kept: the owner now looks up in the
    /// staged version; rules removed in it go away physically.
    pub(crate) fn publish(&mut self) {
        self.staged = None;
        for c in std::mem::take(&mut self.staged_log) {
            if let StagedChange::Removed(id) = c {
                if let Some(r) = self.cls.get(id) {
                    let k = key_of(r);
                    // The id of a rule added and removed again in the same
                    // commit, or replaced, must not map its object.
                    if self.ids.get(&k) == Some(&id) {
                        self.ids.remove(&k);
                    }
                }
                self.remove_id(id);
            }
        }
    }

    /// Ends staging with every staged change undone.
    pub(crate) fn abort(&mut self) {
        self.staged = None;
        for c in std::mem::take(&mut self.staged_log).into_iter().rev() {
            match c {
                StagedChange::Removed(id) => self.cls.cancel_remove(id),
                StagedChange::Added(id) => {
                    if let Some(r) = self.cls.get(id) {
                        self.ids.remove(&key_of(r));
                    }
                    self.remove_id(id);
                }
            }
        }
    }

    /// The highest-priority rule matching `key` among those visible in
    /// the latest version. ORs into `wc` the bits the decision depended on
    /// (the megaflow mask).
    pub fn lookup(&self, key: &FlowKey, wc: Option<&mut FlowKey>) -> Option<RuleRef> {
        self.lookup_in(key, LATEST, wc)
    }

    /// The highest-priority rule matching `key` among those visible in
    /// `version` (the switch's, see `Ofproto::version`).
    pub fn lookup_in(
        &self,
        key: &FlowKey,
        version: Version,
        wc: Option<&mut FlowKey>,
    ) -> Option<RuleRef> {
        if self.conjunctive.is_empty() {
            let id = self.cls.lookup(key, version, wc)?;
            return self.cls.get(id).cloned();
        }
        let mut scratch = FlowKey::default();
        self.lookup_conjunctive(key, version, wc.unwrap_or(&mut scratch))
    }

    /// The lookup of a table with conjunctive rules, as the reference
    /// resolves `conjunction`: the best ordinary ("hard") match, unless,
    /// at a higher priority, conjunctive rules match every clause of some
    /// conjunction `id`; then the best rule matching `conj_id=id` (and the
    /// packet) answers. `wc` needs nothing beyond the classifier's: the
    /// first lookup looked at (and un-wildcarded, stage by stage, as far as
    /// needed) every subtable that could hold a conjunctive rule above the
    /// ordinary answer, as it passed over them.
    fn lookup_conjunctive(
        &self,
        key: &FlowKey,
        version: Version,
        wc: &mut FlowKey,
    ) -> Option<RuleRef> {
        let hard_lookup = |key: &FlowKey, wc: &mut FlowKey| {
            let id = self
                .cls
                .lookup_where(key, version, Some(wc), |r| !r.is_conjunctive())?;
            self.cls.get(id).cloned()
        };
        let hard = hard_lookup(key, wc);
        let floor = hard.as_ref().map_or(0, |r| r.priority);
        // Clauses seen per (priority, conjunction id): (clauses needed,
        // bit per clause seen); highest priority first.
        let mut seen: BTreeMap<(Reverse<u32>, u32), (u8, u64)> = BTreeMap::new();
        for &(Reverse(priority), id) in &self.conjunctive {
            let (Some(rule), Some((added, removed))) = (self.cls.get(id), self.cls.versions(id))
            else {
                continue;
            };
            if !(added <= version && version < removed) {
                continue;
            }
            if priority <= floor || !rule.flow_match.matches(key) {
                continue;
            }
            for a in rule.actions.iter() {
                if let Action::Conjunction {
                    id,
                    clause,
                    n_clauses,
                } = a
                {
                    let e = seen
                        .entry((Reverse(priority), *id))
                        .or_insert((*n_clauses, 0));
                    if (1..=64).contains(clause) {
                        e.1 |= 1 << (clause - 1);
                    }
                }
            }
        }
        for ((_, id), (n, clauses)) in seen {
            let all = if n >= 64 { u64::MAX } else { (1u64 << n) - 1 };
            if n == 0 || clauses & all != all {
                continue;
            }
            let mut with_id = key.clone();
            with_id.set_uint(key::CONJ_ID, u64::from(id));
            if let Some(r) = hard_lookup(&with_id, wc) {
                if r.flow_match.masks_any_of(key::CONJ_ID) {
                    return Some(r);
                }
            }
        }
        hard
    }

    /// The table's lookup counters, for the forwarding layer to count into.
    pub fn lookup_counters(&self) -> Arc<LookupCounters> {
        self.counters.clone()
    }

    pub fn lookup_count(&self) -> u64 {
        self.counters.lookups.load(Ordering::Relaxed)
    }

    pub fn matched_count(&self) -> u64 {
        self.counters.matches.load(Ordering::Relaxed)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rule::{Rule, RuleStats};

    fn rule(nw_src: u8, priority: u32, cookie: u64) -> RuleRef {
        rule_from(
            &format!("priority={priority},ip,nw_src=10.0.0.{nw_src},actions=drop"),
            cookie,
        )
    }

    fn key(nw_src: u8) -> FlowKey {
        let mut k = FlowKey::default();
        k.set_uint(openflow::flow_match::key::DL_TYPE, 0x0800);
        k.get_mut(openflow::flow_match::key::NW_SRC)
            .copy_from_slice(&[10, 0, 0, nw_src]);
        k
    }

    /// A rule from flow text (priority and actions included).
    fn rule_from(text: &str, cookie: u64) -> RuleRef {
        let (fm, _) = openflow::flow_text::parse_flow_mod(
            text,
            openflow::msg::flow_mod::FlowModCommand::Add,
            None,
        )
        .expect("flow text parses");
        Arc::new(Rule {
            table_id: 0,
            flow_match: fm.flow_match.pack(),
            priority: u32::from(fm.priority),
            cookie,
            actions: fm.actions.into(),
            flags: 0,
            idle_timeout: 0,
            hard_timeout: 0,
            importance: 0,
            created_ms: 0,
            modified_ms: 0,
            stats: Arc::new(RuleStats::new()),
        })
    }

    fn tcp_key(nw_src: u8, tp_dst: u16) -> FlowKey {
        let mut k = key(nw_src);
        k.set_uint(openflow::flow_match::key::NW_PROTO, 6);
        k.set_uint(openflow::flow_match::key::TP_DST, u64::from(tp_dst));
        k
    }

    /// `conjunction`: a packet matching every clause of a conjunction at a
    /// priority above the best ordinary rule takes the `conj_id` rule;
    /// otherwise the ordinary rule. Conjunctive rules are never the
    /// answer themselves; their masks all count in the megaflow.
    #[test]
    fn conjunctions_resolve_like_the_reference() {
        let mut t = FlowTable::new();
        t.insert(rule_from("priority=1,actions=drop", 1));
        t.insert(rule_from(
            "priority=100,ip,nw_src=10.0.0.1,actions=conjunction(10,1/2)",
            2,
        ));
        t.insert(rule_from(
            "priority=100,tcp,tp_dst=80,actions=conjunction(10,2/2)",
            3,
        ));
        t.insert(rule_from("conj_id=10,actions=drop", 4));
        t.insert(rule_from("priority=200,ip,nw_src=10.0.0.9,actions=drop", 5));
        assert!(t.has_conjunctions());
        fn answer_in(t: &FlowTable, k: &FlowKey) -> (Option<u64>, FlowKey) {
            let mut wc = FlowKey::default();
            let cookie = t.lookup(k, Some(&mut wc)).map(|r| r.cookie);
            (cookie, wc)
        }
        let (both, wc) = answer_in(&t, &tcp_key(1, 80));
        assert_eq!(both, Some(4));
        assert_eq!(wc.u16(openflow::flow_match::key::TP_DST), 0xffff);
        assert_eq!(
            wc.0[openflow::flow_match::key::NW_SRC.ofs..][..4],
            [0xff; 4]
        );
        // One clause only, or none: the ordinary rule.
        assert_eq!(answer_in(&t, &tcp_key(1, 81)).0, Some(1));
        assert_eq!(answer_in(&t, &tcp_key(2, 80)).0, Some(1));
        // An ordinary rule of higher priority wins over the conjunction...
        let k = tcp_key(9, 80);
        assert_eq!(answer_in(&t, &k).0, Some(5));
        // ...also when the packet matches every clause below it.
        t.insert(rule_from(
            "priority=100,ip,nw_src=10.0.0.9,actions=conjunction(10,1/2)",
            6,
        ));
        assert_eq!(answer_in(&t, &k).0, Some(5));
        // A clause staged in a bundle counts only in the staged version.
        t.stage(8);
        t.insert(rule_from(
            "priority=100,ip,nw_src=10.0.0.3,actions=conjunction(10,1/2)",
            7,
        ));
        assert_eq!(
            t.lookup_in(&tcp_key(3, 80), 7, None).map(|r| r.cookie),
            Some(1)
        );
        assert_eq!(
            t.lookup_in(&tcp_key(3, 80), 8, None).map(|r| r.cookie),
            Some(4)
        );
        t.abort();
        // Replacing a clause by an ordinary rule, then removing the
        // conjunctions, leaves plain lookups.
        let clause = t
            .find_strict(
                &rule_from("priority=100,tcp,tp_dst=80,actions=drop", 0)
                    .flow_match
                    .unpack(),
                100,
            )
            .cloned()
            .expect("clause 2");
        assert!(t.replace(
            &clause,
            rule_from("priority=100,tcp,tp_dst=80,actions=drop", 8)
        ));
        assert_eq!(answer_in(&t, &tcp_key(1, 80)).0, Some(8));
        t.retain(|r| !r.is_conjunctive());
        assert!(!t.has_conjunctions());
        assert_eq!(answer_in(&t, &tcp_key(1, 80)).0, Some(8));
    }

    fn cookie_in(t: &FlowTable, nw_src: u8, v: Version) -> Option<u64> {
        t.lookup_in(&key(nw_src), v, None).map(|r| r.cookie)
    }

    /// Staged changes are invisible in the version being looked up until
    /// published; an abort leaves the table exactly as it was.
    #[test]
    fn staged_changes_appear_at_once_or_never() {
        let mut t = FlowTable::new();
        let old = rule(1, 5, 1);
        t.insert(old.clone());
        t.insert(rule(2, 5, 2));
        for publish in [false, true] {
            t.stage(8);
            t.insert(rule(1, 5, 10)); // replaces the cookie-1 rule
            let gone = t
                .find_strict(&rule(2, 5, 0).flow_match.unpack(), 5)
                .cloned();
            assert!(t.remove(&gone.expect("rule 2 present")));
            t.insert(rule(3, 5, 30));
            // Version 7 (the switch's current) sees none of it...
            assert_eq!(cookie_in(&t, 1, 7), Some(1));
            assert_eq!(cookie_in(&t, 2, 7), Some(2));
            assert_eq!(cookie_in(&t, 3, 7), None);
            // ...version 8 all of it, and so do flow-mod searches.
            assert_eq!(cookie_in(&t, 1, 8), Some(10));
            assert_eq!(cookie_in(&t, 2, 8), None);
            assert_eq!(cookie_in(&t, 3, 8), Some(30));
            assert_eq!(t.iter().count(), 2);
            if publish {
                t.publish();
                assert_eq!(cookie_in(&t, 1, 8), Some(10));
                assert_eq!(cookie_in(&t, 2, 8), None);
                assert_eq!(cookie_in(&t, 3, 8), Some(30));
                assert_eq!(t.len(), 2, "removed rules are gone physically");
            } else {
                t.abort();
                for v in [7, 8] {
                    assert_eq!(cookie_in(&t, 1, v), Some(1));
                    assert_eq!(cookie_in(&t, 2, v), Some(2));
                    assert_eq!(cookie_in(&t, 3, v), None);
                }
                assert_eq!(t.len(), 2);
                // The original rule object is still the table's.
                assert!(t.remove(&old));
                t.insert(old.clone());
            }
        }
    }
}
