//! Fail-open: a bridge in fail_mode standalone whose controllers have all
//! been unreachable for three inactivity probe intervals installs a hidden
//! `NORMAL` flow (the reference's priority), so it keeps forwarding as a
//! learning switch, and removes it when a controller connects.

use std::time::{Duration, Instant};

use openflow::action::Action;
use openflow::flow_match::Match;
use openflow::port::PortNo;
use ovs_daemon::vlog;

use super::{Inner, CONNMGR_LOG};

/// The priority of the hidden fail-open flow (the reference's).
pub const FAIL_OPEN_PRIORITY: u32 = 0xf0_f0f0;

/// Fail-open: with fail_mode standalone and controllers configured, when no
/// controller has been connected for three inactivity probe intervals, a
/// hidden `NORMAL` flow makes the bridge a learning switch until one
/// connects again.
#[derive(Debug, Default)]
pub(super) struct FailOpen {
    pub(super) standalone: bool,
    pub(super) n_controllers: usize,
    /// How long without a controller before failing open.
    pub(super) trigger: Duration,
    disconnected_since: Option<Instant>,
    active: bool,
}

impl Inner {
    /// Adds or removes the fail-open flow as controllers come and go.
    pub(super) fn run_fail_open(&self, now: Instant) {
        let connected = self
            .primaries
            .lock()
            .map(|p| !p.is_empty())
            .unwrap_or(false);
        let change = {
            let Ok(mut f) = self.fail_open.lock() else {
                return;
            };
            let armed = f.standalone && f.n_controllers > 0;
            if !armed || connected {
                f.disconnected_since = None;
                std::mem::take(&mut f.active).then_some(false)
            } else {
                let since = *f.disconnected_since.get_or_insert(now);
                let due = now.saturating_duration_since(since) >= f.trigger;
                (due && !f.active).then(|| {
                    f.active = true;
                    true
                })
            }
        };
        let Some(add) = change else {
            return;
        };
        let outputs = {
            let mut of = self.ofproto.write().unwrap_or_else(|e| e.into_inner());
            if add {
                vlog::warn!(
                    CONNMGR_LOG,
                    "{}: no controller connected: failing open (acting as a learning switch)",
                    self.bridge
                );
                of.add_internal_rule(
                    0,
                    Match::new(),
                    FAIL_OPEN_PRIORITY,
                    vec![Action::output(PortNo::NORMAL)],
                )
            } else {
                vlog::info!(
                    CONNMGR_LOG,
                    "{}: controller connected: leaving fail-open",
                    self.bridge
                );
                of.remove_internal_rule(0, &Match::new(), FAIL_OPEN_PRIORITY)
            }
        };
        self.deliver(outputs);
    }
}
