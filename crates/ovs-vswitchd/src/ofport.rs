//! Automatic OpenFlow port numbering of one bridge, as the reference does it
//! (observed with Open vSwitch 3.1): numbers go round-robin from the last one
//! handed out, within 1 to 32,767 (ovs-vswitchd.conf.db(5): controllers have
//! the numbers above), and a number freed less than an hour ago is skipped, so
//! that flows and controllers still naming a deleted port do not reach a new
//! one by accident. Only when every number is taken or recently freed does the
//! one freed longest ago come back. A requested number (`ofport_request`) is
//! given whenever nobody holds it, recently freed or not.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// Highest number handed out automatically.
pub const MAX_AUTO_OFPORT: u16 = 32767;

/// How long a freed number is avoided.
pub const REUSE_AFTER: Duration = Duration::from_secs(60 * 60);

/// The numbering state of one bridge (it starts over with the bridge).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OfportNumbering {
    /// The number the search for the next automatic one starts after.
    last: u16,
    /// Numbers freed and not in use again yet, and when they were freed.
    freed: BTreeMap<u16, Instant>,
}

/// A number chosen by [`OfportNumbering::pick`], not yet taken.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pick {
    pub ofport: u16,
    /// The round-robin moves on to it once taken (automatic numbers, except
    /// the last-resort reuse of a recently freed one).
    pub advance: bool,
}

impl OfportNumbering {
    /// The number for an interface asking for `request` (if any), given the
    /// numbers `in_use`: the request if nobody holds it, else the next automatic
    /// number; None when every automatic number is in use. Nothing changes until
    /// [`OfportNumbering::take`]: an interface that then fails to come up does
    /// not use a number up (the reference opens the device before numbering).
    pub fn pick(
        &self,
        request: Option<u16>,
        in_use: impl Fn(u16) -> bool,
        now: Instant,
    ) -> Option<Pick> {
        if let Some(r) = request.filter(|&r| !in_use(r)) {
            return Some(Pick {
                ofport: r,
                advance: false,
            });
        }
        self.next_auto(&in_use, now)
    }

    /// Records that the interface got `pick`.
    pub fn take(&mut self, pick: Pick) {
        self.freed.remove(&pick.ofport);
        if pick.advance {
            self.last = pick.ofport;
        }
    }

    /// Records that `ofport` was freed at `now`.
    pub fn release(&mut self, ofport: u16, now: Instant) {
        self.freed.insert(ofport, now);
    }

    /// One turn round the automatic range starting after `last`: the first
    /// number neither in use nor freed within [`REUSE_AFTER`]; failing that the
    /// free one freed longest ago (and the next turn starts where this one did).
    fn next_auto(&self, in_use: &impl Fn(u16) -> bool, now: Instant) -> Option<Pick> {
        let mut oldest: Option<(Instant, u16)> = None;
        let mut candidate = self.last;
        for _ in 0..MAX_AUTO_OFPORT {
            candidate = if candidate >= MAX_AUTO_OFPORT {
                1
            } else {
                candidate + 1
            };
            if in_use(candidate) {
                continue;
            }
            match self.freed.get(&candidate) {
                Some(&at) if now.saturating_duration_since(at) < REUSE_AFTER => {
                    if oldest.is_none_or(|(t, _)| at < t) {
                        oldest = Some((at, candidate));
                    }
                }
                _ => {
                    return Some(Pick {
                        ofport: candidate,
                        advance: true,
                    })
                }
            }
        }
        oldest.map(|(_, ofport)| Pick {
            ofport,
            advance: false,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    /// A bridge's numbers: the state plus the set in use.
    #[derive(Default)]
    struct Bridge {
        numbering: OfportNumbering,
        used: BTreeSet<u16>,
    }

    impl Bridge {
        fn add(&mut self, request: Option<u16>, now: Instant) -> Option<u16> {
            let used = &self.used;
            let pick = self.numbering.pick(request, |p| used.contains(&p), now)?;
            self.numbering.take(pick);
            self.used.insert(pick.ofport);
            Some(pick.ofport)
        }
        fn del(&mut self, n: u16, now: Instant) {
            self.used.remove(&n);
            self.numbering.release(n, now);
        }
    }

    #[test]
    fn numbers_go_round_and_freed_ones_wait() {
        let t = Instant::now();
        let mut b = Bridge::default();
        assert_eq!(b.add(None, t), Some(1));
        assert_eq!(b.add(None, t), Some(2));
        b.del(1, t);
        // 1 is free, but the next automatic number is 3 (not the lowest free).
        assert_eq!(b.add(None, t), Some(3));
        // A request is honoured even for a number freed a moment ago.
        assert_eq!(b.add(Some(1), t), Some(1));
        // Taken request: the next automatic number instead.
        assert_eq!(b.add(Some(1), t), Some(4));
        // 6 was requested and freed: the round-robin skips it for an hour.
        assert_eq!(b.add(Some(6), t), Some(6));
        b.del(6, t);
        assert_eq!(b.add(None, t), Some(5));
        assert_eq!(b.add(None, t), Some(7));
    }

    #[test]
    fn freed_numbers_come_back_after_an_hour_or_when_nothing_else_is_left() {
        let t = Instant::now();
        let mut b = Bridge::default();
        for n in 1..=MAX_AUTO_OFPORT {
            assert_eq!(b.add(None, t), Some(n));
        }
        assert_eq!(b.add(None, t), None, "every automatic number is taken");
        // A controller may still ask for a number above the automatic range.
        assert_eq!(b.add(Some(40000), t), Some(40000));
        b.del(9, t);
        b.del(5, t + Duration::from_secs(1));
        // Everything else taken: the longest-free number comes back at once.
        assert_eq!(b.add(None, t + Duration::from_secs(2)), Some(9));
        b.del(300, t + Duration::from_secs(3));
        // After an hour a freed number is like new; the turn still starts after
        // the last number handed out round-robin (32767), so 5 comes first.
        let later = t + REUSE_AFTER + Duration::from_secs(1);
        assert_eq!(b.add(None, later), Some(5));
        // 300 is not an hour old yet: it comes back only as the last resort.
        assert_eq!(b.add(None, later), Some(300));
        assert_eq!(b.add(None, later), None);
    }
}
