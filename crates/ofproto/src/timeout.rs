//! Flow expiry: idle timeouts (from the last use translation stamps into
//! the rule's counters, or the last modification) and hard timeouts (from
//! the last add/modify), run periodically by `Ofproto::run`.

use crate::conn::{RR_HARD_TIMEOUT, RR_IDLE_TIMEOUT};
use crate::output::Output;
use crate::rule::RuleRef;
use crate::Ofproto;

impl Ofproto {
    /// Expires rules whose timeouts passed at `now` (a `clock::now_ms()`
    /// value), returning flow-removed messages and effects, followed by any
    /// pending asynchronous messages.
    pub fn run(&mut self, now: u64) -> Vec<Output> {
        let mut hard: Vec<RuleRef> = Vec::new();
        let mut idle: Vec<RuleRef> = Vec::new();
        for t in self.tables.iter().filter(|t| t.has_timeouts()) {
            for r in t.iter() {
                if r.hard_timeout != 0
                    && now
                        >= r.modified_ms
                            .saturating_add(u64::from(r.hard_timeout) * 1000)
                {
                    hard.push(r.clone());
                } else if r.idle_timeout != 0
                    && now
                        >= r.last_used_ms()
                            .saturating_add(u64::from(r.idle_timeout) * 1000)
                {
                    idle.push(r.clone());
                }
            }
        }
        if hard.is_empty() && idle.is_empty() && self.pending.is_empty() {
            return Vec::new();
        }
        let mut out = self.delete_rules(&hard, RR_HARD_TIMEOUT, now);
        out.extend(self.delete_rules(&idle, RR_IDLE_TIMEOUT, now));
        out.extend(self.take_pending());
        out
    }

    /// When `run` next has something to expire (None: no timeouts).
    pub fn next_timeout(&self) -> Option<u64> {
        self.tables
            .iter()
            .filter(|t| t.has_timeouts())
            .flat_map(|t| t.iter())
            .filter_map(|r| {
                let h =
                    (r.hard_timeout != 0).then(|| r.modified_ms + u64::from(r.hard_timeout) * 1000);
                let i = (r.idle_timeout != 0)
                    .then(|| r.last_used_ms() + u64::from(r.idle_timeout) * 1000);
                match (h, i) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                }
            })
            .min()
    }
}
