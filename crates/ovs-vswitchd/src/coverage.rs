//! Event counters for `coverage/show`: a few named counters, bumped lock-free, with
//! the average rates over the last 5 seconds, minute and hour, printed in the
//! reference's layout.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// One counter.
pub struct Counter {
    pub name: &'static str,
    count: AtomicU64,
}

impl Counter {
    const fn new(name: &'static str) -> Counter {
        Counter {
            name,
            count: AtomicU64::new(0),
        }
    }

    pub fn inc(&self) {
        self.add(1);
    }

    pub fn add(&self, n: u64) {
        self.count.fetch_add(n, Ordering::Relaxed);
    }

    pub fn get(&self) -> u64 {
        self.count.load(Ordering::Relaxed)
    }
}

pub static BRIDGE_RECONFIGURE: Counter = Counter::new("bridge_reconfigure");
pub static DPIF_PORT_ADD: Counter = Counter::new("dpif_port_add");
pub static DPIF_PORT_DEL: Counter = Counter::new("dpif_port_del");
pub static NETDEV_GET_STATS: Counter = Counter::new("netdev_get_stats");
pub static TXN_COMMIT: Counter = Counter::new("txn_commit");
pub static UNIXCTL_RECEIVED: Counter = Counter::new("unixctl_received");

/// Every counter, in display order.
pub static COUNTERS: [&Counter; 6] = [
    &BRIDGE_RECONFIGURE,
    &DPIF_PORT_ADD,
    &DPIF_PORT_DEL,
    &NETDEV_GET_STATS,
    &TXN_COMMIT,
    &UNIXCTL_RECEIVED,
];

/// How often totals are sampled for the rates.
pub const SAMPLE_INTERVAL: Duration = Duration::from_secs(5);
/// One hour of samples.
const MAX_SAMPLES: usize = 720;

/// Totals sampled every [`SAMPLE_INTERVAL`], newest first.
struct History {
    samples: VecDeque<[u64; 6]>,
    next: Option<Instant>,
}

static HISTORY: Mutex<History> = Mutex::new(History {
    samples: VecDeque::new(),
    next: None,
});

fn totals() -> [u64; 6] {
    let mut t = [0; 6];
    for (slot, c) in t.iter_mut().zip(COUNTERS.iter()) {
        *slot = c.get();
    }
    t
}

/// Records a sample when one is due; call from the main loop.
pub fn tick(now: Instant) {
    let mut h = HISTORY.lock().unwrap_or_else(|p| p.into_inner());
    if h.next.is_some_and(|n| now < n) {
        return;
    }
    h.next = Some(now + SAMPLE_INTERVAL);
    h.samples.push_front(totals());
    h.samples.truncate(MAX_SAMPLES + 1);
}

/// Average rate per second of counter `i` over the last `n` samples.
fn rate(samples: &VecDeque<[u64; 6]>, now: &[u64; 6], i: usize, n: usize) -> f64 {
    let past = samples
        .get(n.min(samples.len().saturating_sub(1)))
        .map_or(0, |s| s[i]);
    let secs = (n as f64) * SAMPLE_INTERVAL.as_secs_f64();
    now[i].saturating_sub(past) as f64 / secs
}

/// The `coverage/show` text.
pub fn show() -> String {
    let h = HISTORY.lock().unwrap_or_else(|p| p.into_inner());
    let now = totals();
    // A checksum of the counters that were hit, like the reference's, so two outputs
    // can be told apart at a glance.
    let hash = COUNTERS
        .iter()
        .zip(now.iter())
        .filter(|(_, &n)| n > 0)
        .fold(0x811c_9dc5u32, |acc, (c, _)| {
            c.name
                .bytes()
                .fold(acc, |a, b| (a ^ u32::from(b)).wrapping_mul(0x0100_0193))
        });
    let mut out = format!(
        "Event coverage, avg rate over last: 5 seconds, last minute, last hour,  hash={hash:08x}:\n"
    );
    let mut never = 0;
    for (i, c) in COUNTERS.iter().enumerate() {
        if now[i] == 0 {
            never += 1;
            continue;
        }
        out.push_str(&format!(
            "{:<24} {:5.1}/sec {:9.3}/sec {:10.4}/sec   total: {}\n",
            c.name,
            rate(&h.samples, &now, i, 1),
            rate(&h.samples, &now, i, 12),
            rate(&h.samples, &now, i, MAX_SAMPLES),
            now[i]
        ));
    }
    out.push_str(&format!("{never} events never hit\n"));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn show_lists_hit_counters_and_counts_the_rest() {
        BRIDGE_RECONFIGURE.inc();
        tick(Instant::now());
        let text = show();
        assert!(text.starts_with("Event coverage, avg rate over last: 5 seconds"));
        let line = text
            .lines()
            .find(|l| l.starts_with("bridge_reconfigure"))
            .unwrap();
        assert!(line.contains("/sec") && line.contains("total: "), "{line}");
        assert!(text.trim_end().ends_with("events never hit"));
    }
}
