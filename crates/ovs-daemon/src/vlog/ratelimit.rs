//! Rate limits for messages that a peer or the traffic can trigger at will (one per
//! bad packet, one per malformed request): a token bucket of `per_minute` messages a
//! minute with bursts of up to `burst`. When messages were dropped, the next one that
//! passes is preceded by a "Dropped N log messages..." line.

use std::sync::Mutex;
use std::time::Instant;

/// Microseconds in a minute: what one message costs, in tokens that accrue at
/// `per_minute` per microsecond.
const MESSAGE_COST: u64 = 60_000_000;

/// A rate limit shared by the call sites that use it; usually a `static`.
pub struct RateLimit {
    per_minute: u32,
    burst: u32,
    state: Mutex<State>,
}

struct State {
    tokens: u64,
    last_fill: Option<Instant>,
    first_dropped: Option<Instant>,
    last_dropped: Option<Instant>,
    n_dropped: u32,
}

/// What the bucket decided for one message.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Decision {
    Drop,
    /// Log it; `dropped` = (count, seconds since the first drop, seconds since the
    /// last one) when messages were dropped since the last one that passed.
    Pass {
        dropped: Option<(u32, u64, u64)>,
    },
}

impl RateLimit {
    /// At most `per_minute` messages a minute on average, `burst` at once.
    pub const fn new(per_minute: u32, burst: u32) -> RateLimit {
        RateLimit {
            per_minute,
            burst,
            state: Mutex::new(State {
                tokens: 0,
                last_fill: None,
                first_dropped: None,
                last_dropped: None,
                n_dropped: 0,
            }),
        }
    }

    pub(crate) fn decide(&self, now: Instant) -> Decision {
        let mut s = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let capacity = u64::from(self.burst.max(1)) * MESSAGE_COST;
        s.tokens = match s.last_fill {
            // A fresh bucket is full.
            None => capacity,
            Some(last) => {
                let us = now.saturating_duration_since(last).as_micros();
                let added = us.saturating_mul(u128::from(self.per_minute));
                let total = u128::from(s.tokens).saturating_add(added);
                total.min(u128::from(capacity)) as u64
            }
        };
        s.last_fill = Some(now);
        if s.tokens < MESSAGE_COST {
            s.n_dropped = s.n_dropped.saturating_add(1);
            if s.first_dropped.is_none() {
                s.first_dropped = Some(now);
            }
            s.last_dropped = Some(now);
            return Decision::Drop;
        }
        s.tokens -= MESSAGE_COST;
        let dropped = match (s.first_dropped.take(), s.last_dropped.take()) {
            (Some(first), Some(last)) if s.n_dropped > 0 => Some((
                std::mem::take(&mut s.n_dropped),
                now.saturating_duration_since(first).as_secs(),
                now.saturating_duration_since(last).as_secs(),
            )),
            _ => None,
        };
        s.n_dropped = 0;
        Decision::Pass { dropped }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn burst_passes_then_drops_then_refills_and_reports() {
        let rl = RateLimit::new(60, 3); // one a second, three at once
        let t0 = Instant::now();
        for _ in 0..3 {
            assert_eq!(rl.decide(t0), Decision::Pass { dropped: None });
        }
        assert_eq!(rl.decide(t0), Decision::Drop);
        assert_eq!(rl.decide(t0 + Duration::from_millis(500)), Decision::Drop);
        // A second after the first drop one token has come back.
        assert_eq!(
            rl.decide(t0 + Duration::from_millis(1000)),
            Decision::Pass {
                dropped: Some((2, 1, 0))
            }
        );
        assert_eq!(rl.decide(t0 + Duration::from_millis(1100)), Decision::Drop);
    }

    #[test]
    fn tokens_accrue_across_frequent_calls() {
        // Many calls closer together than a millisecond must still refill.
        let rl = RateLimit::new(600, 1); // one every 100 ms
        let t0 = Instant::now();
        assert!(matches!(rl.decide(t0), Decision::Pass { .. }));
        let mut passed = 0;
        for i in 1..=2000u64 {
            if matches!(
                rl.decide(t0 + Duration::from_micros(i * 100)),
                Decision::Pass { .. }
            ) {
                passed += 1;
            }
        }
        // 200 ms of calls: two more messages.
        assert_eq!(passed, 2);
    }
}
