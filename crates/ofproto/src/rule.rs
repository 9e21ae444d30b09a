//! Flow rules: what a flow table entry is (match, priority, cookie, actions,
//! timeouts, flags) and its counters. A rule is immutable once installed and
//! shared as an `Arc` ([`RuleRef`]) so that translation can keep it across a
//! lookup cheaply; a modification installs a new `Rule` that shares the old
//! one's [`RuleStats`] (unless counters are reset), which is what keeps
//! counters across `mod-flows`.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use openflow::action::Action;
use openflow::flow_match::PackedMatch;

/// Priorities above this are "hidden" rules installed by the switch itself
/// (in-band, fail-open): shown by `bridge/dump-flows` only.
pub const MAX_OPENFLOW_PRIORITY: u32 = 0xffff;

/// A rule's counters, updated lock-free by whoever forwards packets.
#[derive(Debug, Default)]
pub struct RuleStats {
    packets: AtomicU64,
    bytes: AtomicU64,
    /// `clock::now_ms()` of the last packet (0 = never: the creation time counts).
    used_ms: AtomicU64,
}

impl RuleStats {
    pub fn new() -> RuleStats {
        RuleStats::default()
    }

    /// Accounts `packets`/`bytes` used at `now_ms` (a `clock::now_ms()` value).
    pub fn add(&self, packets: u64, bytes: u64, now_ms: u64) {
        self.packets.fetch_add(packets, Ordering::Relaxed);
        self.bytes.fetch_add(bytes, Ordering::Relaxed);
        self.used_ms.fetch_max(now_ms, Ordering::Relaxed);
    }

    /// Marks the rule used at `now_ms` without counting packets.
    pub fn touch(&self, now_ms: u64) {
        self.used_ms.fetch_max(now_ms, Ordering::Relaxed);
    }

    pub fn packets(&self) -> u64 {
        self.packets.load(Ordering::Relaxed)
    }

    pub fn bytes(&self) -> u64 {
        self.bytes.load(Ordering::Relaxed)
    }

    /// Last use, 0 if never used.
    pub fn used_ms(&self) -> u64 {
        self.used_ms.load(Ordering::Relaxed)
    }
}

/// One flow table entry.
#[derive(Debug)]
pub struct Rule {
    pub table_id: u8,
    pub flow_match: PackedMatch,
    /// OpenFlow priority, or above [`MAX_OPENFLOW_PRIORITY`] for hidden rules.
    pub priority: u32,
    pub cookie: u64,
    /// Actions and instructions as one list (see `openflow::action`).
    pub actions: Arc<[Action]>,
    /// `openflow::msg::flow_mod::FF_*` bits.
    pub flags: u16,
    pub idle_timeout: u16,
    pub hard_timeout: u16,
    pub importance: u16,
    /// `clock::now_ms()` when added.
    pub created_ms: u64,
    /// `clock::now_ms()` of the last add/modify (hard timeouts count from here).
    pub modified_ms: u64,
    pub stats: Arc<RuleStats>,
}

/// How translation holds a rule.
pub type RuleRef = Arc<Rule>;

impl Rule {
    pub fn is_hidden(&self) -> bool {
        self.priority > MAX_OPENFLOW_PRIORITY
    }

    /// The last time the rule saw a packet, or was created/modified.
    pub fn last_used_ms(&self) -> u64 {
        self.stats.used_ms().max(self.modified_ms)
    }

    /// Whether the rule outputs to `port` (directly, or in write-actions
    /// or clone); `PortNo::NONE` means "any".
    pub fn outputs_to_port(&self, port: openflow::port::PortNo) -> bool {
        port == openflow::port::PortNo::NONE || actions_output_to(&self.actions, port)
    }

    /// Whether the rule outputs to `group`; `GROUP_ANY` means "any".
    pub fn outputs_to_group(&self, group: u32) -> bool {
        group == openflow::msg::flow_mod::GROUP_ANY || actions_group(&self.actions, group)
    }

    /// Whether the rule only states conjunctive clauses (`conjunction(...)`
    /// actions): lookups treat it as a partial match, never as the answer.
    pub fn is_conjunctive(&self) -> bool {
        !self.actions.is_empty()
            && self
                .actions
                .iter()
                .all(|a| matches!(a, Action::Conjunction { .. }))
    }
}

fn actions_output_to(acts: &[Action], port: openflow::port::PortNo) -> bool {
    acts.iter().any(|a| match a {
        Action::Output { port: p, .. } => *p == port,
        Action::OutputTrunc { port: p, .. } => *p == port,
        Action::Enqueue { port: p, .. } => *p == port,
        Action::Controller(_) => port == openflow::port::PortNo::CONTROLLER,
        Action::WriteActions(inner) | Action::Clone(inner) => actions_output_to(inner, port),
        _ => false,
    })
}

fn actions_group(acts: &[Action], group: u32) -> bool {
    acts.iter().any(|a| match a {
        Action::Group(g) => *g == group,
        Action::WriteActions(inner) | Action::Clone(inner) => actions_group(inner, group),
        _ => false,
    })
}
