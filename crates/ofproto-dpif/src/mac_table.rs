//! The MAC learning table of one bridge: (MAC, VLAN) -> bundle, with the
//! reference's policies: bounded size (default 8192) evicting the least
//! recently learned entry of the port that holds the most entries, idle aging
//! (default 300 s), a 5 s lock after a gratuitous ARP on bonds, and static
//! entries (`fdb/add`) that never age and are never evicted.
//!
//! Time is passed in by the caller (milliseconds of a monotonic clock) so
//! tests drive aging without sleeping.

use std::collections::HashMap;

/// Default `other_config:mac-table-size`.
pub const DEFAULT_MAX_ENTRIES: usize = 8192;
/// Default `other_config:mac-aging-time`, seconds.
pub const DEFAULT_IDLE_SECS: u32 = 300;
/// How long a gratuitous ARP pins an entry on a bond, milliseconds.
pub const GRAT_ARP_LOCK_MS: u64 = 5_000;

/// Which bundle (Port) an entry points to: the bundle's key as the bridge
/// layer chose it (we use the OpenFlow port number of its first interface).
pub type BundleId = u32;

/// One learned (or static) entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MacEntry {
    pub mac: [u8; 6],
    pub vlan: u16,
    pub port: BundleId,
    pub is_static: bool,
    /// When the entry was last (re)learned, ms.
    pub learned_ms: u64,
    /// Until when a gratuitous ARP locks the entry, ms.
    grat_arp_lock_until: u64,
    /// Position in the table's learning order (smaller = older).
    lru: u64,
}

/// Counters shown by `fdb/stats-show`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MacStats {
    pub learned: u64,
    pub expired: u64,
    pub evicted: u64,
    pub moved: u64,
}

/// What [`MacTable::learn`] did, so the caller knows whether megaflows that
/// depend on the table must be revalidated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LearnResult {
    /// Nothing changed (entry fresh and on the same port, or locked).
    Unchanged,
    /// The entry's age was reset.
    Refreshed,
    /// A new entry.
    New,
    /// The MAC moved to another port (flows using it must be revalidated).
    Moved,
}

#[derive(Clone, Debug)]
pub struct MacTable {
    entries: HashMap<([u8; 6], u16), MacEntry>,
    max_entries: usize,
    idle_ms: u64,
    next_lru: u64,
    stats: MacStats,
}

impl Default for MacTable {
    fn default() -> Self {
        MacTable::new(DEFAULT_MAX_ENTRIES, DEFAULT_IDLE_SECS)
    }
}

impl MacTable {
    pub fn new(max_entries: usize, idle_secs: u32) -> MacTable {
        MacTable {
            entries: HashMap::new(),
            max_entries: max_entries.max(1),
            idle_ms: u64::from(idle_secs.max(1)) * 1000,
            next_lru: 0,
            stats: MacStats::default(),
        }
    }

    pub fn max_entries(&self) -> usize {
        self.max_entries
    }

    pub fn idle_secs(&self) -> u32 {
        (self.idle_ms / 1000) as u32
    }

    /// Changes the size limit; excess entries go at the next [`MacTable::run`].
    pub fn set_max_entries(&mut self, n: usize) {
        self.max_entries = n.max(1);
    }

    /// Changes the aging time (seconds; at least 1, as in the reference).
    pub fn set_idle_secs(&mut self, secs: u32) {
        self.idle_ms = u64::from(secs.max(1)) * 1000;
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn n_static(&self) -> usize {
        self.entries.values().filter(|e| e.is_static).count()
    }

    pub fn stats(&self) -> MacStats {
        self.stats
    }

    pub fn lookup(&self, mac: [u8; 6], vlan: u16) -> Option<&MacEntry> {
        self.entries.get(&(mac, vlan))
    }

    /// Seconds since the entry was learned (what `fdb/show` prints).
    pub fn age_secs(&self, e: &MacEntry, now_ms: u64) -> u64 {
        now_ms.saturating_sub(e.learned_ms) / 1000
    }

    /// Learns that `mac` in `vlan` was seen on `port`. `grat_arp` says the
    /// packet was a gratuitous ARP, `on_bond` that it came in on a bond
    /// (where reflected gratuitous ARPs must not move the entry).
    pub fn learn(
        &mut self,
        mac: [u8; 6],
        vlan: u16,
        port: BundleId,
        grat_arp: bool,
        on_bond: bool,
        now_ms: u64,
    ) -> LearnResult {
        if let Some(e) = self.entries.get(&(mac, vlan)) {
            if e.is_static {
                return LearnResult::Unchanged;
            }
            let aged = now_ms.saturating_sub(e.learned_ms) >= 1000;
            let locked = e.grat_arp_lock_until > now_ms;
            let same_port = e.port == port;
            if grat_arp && on_bond && locked {
                return LearnResult::Unchanged;
            }
            // A gratuitous ARP on a plain port always refreshes (and locks).
            if !aged && same_port && (!grat_arp || on_bond) {
                return LearnResult::Unchanged;
            }
        }
        if !self.entries.contains_key(&(mac, vlan)) {
            while self.entries.len() >= self.max_entries {
                if !self.evict_one() {
                    break;
                }
            }
        }
        let lru = self.next_lru;
        self.next_lru += 1;
        match self.entries.get_mut(&(mac, vlan)) {
            Some(e) => {
                e.learned_ms = now_ms;
                e.lru = lru;
                if grat_arp && !on_bond {
                    e.grat_arp_lock_until = now_ms + GRAT_ARP_LOCK_MS;
                }
                if e.port != port {
                    e.port = port;
                    self.stats.moved += 1;
                    LearnResult::Moved
                } else {
                    LearnResult::Refreshed
                }
            }
            None => {
                self.entries.insert(
                    (mac, vlan),
                    MacEntry {
                        mac,
                        vlan,
                        port,
                        is_static: false,
                        learned_ms: now_ms,
                        grat_arp_lock_until: if grat_arp && !on_bond {
                            now_ms + GRAT_ARP_LOCK_MS
                        } else {
                            0
                        },
                        lru,
                    },
                );
                self.stats.learned += 1;
                LearnResult::New
            }
        }
    }

    /// Adds or replaces a static entry (`fdb/add`).
    pub fn add_static(&mut self, mac: [u8; 6], vlan: u16, port: BundleId, now_ms: u64) {
        if !self.entries.contains_key(&(mac, vlan)) {
            while self.entries.len() >= self.max_entries {
                if !self.evict_one() {
                    break;
                }
            }
        }
        let lru = self.next_lru;
        self.next_lru += 1;
        self.entries.insert(
            (mac, vlan),
            MacEntry {
                mac,
                vlan,
                port,
                is_static: true,
                learned_ms: now_ms,
                grat_arp_lock_until: 0,
                lru,
            },
        );
    }

    /// Removes an entry (`fdb/del`); whether it existed.
    pub fn remove(&mut self, mac: [u8; 6], vlan: u16) -> bool {
        self.entries.remove(&(mac, vlan)).is_some()
    }

    /// Forgets everything learned (`fdb/flush`); static entries stay.
    pub fn flush(&mut self) {
        self.entries.retain(|_, e| e.is_static);
    }

    /// Forgets the entries on `port` (a port went away or changed VLANs).
    pub fn flush_port(&mut self, port: BundleId) -> usize {
        let before = self.entries.len();
        self.entries.retain(|_, e| e.port != port);
        before - self.entries.len()
    }

    /// Ages out idle entries and trims to the size limit; returns how many
    /// entries went (a non-zero count means megaflows must be revalidated).
    pub fn run(&mut self, now_ms: u64) -> usize {
        let idle = self.idle_ms;
        let before = self.entries.len();
        self.entries
            .retain(|_, e| e.is_static || now_ms.saturating_sub(e.learned_ms) < idle);
        let expired = before - self.entries.len();
        self.stats.expired += expired as u64;
        let mut evicted = 0;
        while self.entries.len() > self.max_entries && self.evict_one() {
            evicted += 1;
        }
        expired + evicted
    }

    /// Evicts the oldest dynamic entry of the port with the most dynamic
    /// entries, which keeps one chatty port from starving the others.
    fn evict_one(&mut self) -> bool {
        let mut per_port: HashMap<BundleId, usize> = HashMap::new();
        for e in self.entries.values().filter(|e| !e.is_static) {
            *per_port.entry(e.port).or_default() += 1;
        }
        // Ties go to the port whose oldest entry is oldest.
        let Some(max) = per_port.values().copied().max() else {
            return false;
        };
        let victim = self
            .entries
            .values()
            .filter(|e| !e.is_static && per_port.get(&e.port) == Some(&max))
            .min_by_key(|e| e.lru)
            .map(|e| (e.mac, e.vlan));
        match victim {
            Some(k) => {
                self.entries.remove(&k);
                self.stats.evicted += 1;
                true
            }
            None => false,
        }
    }

    /// Entries in learning order, oldest first (the order `fdb/show` uses).
    pub fn entries(&self) -> Vec<&MacEntry> {
        let mut v: Vec<&MacEntry> = self.entries.values().collect();
        v.sort_by_key(|e| e.lru);
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mac(n: u8) -> [u8; 6] {
        [0x50, 0x54, 0, 0, 0, n]
    }

    #[test]
    fn learns_refreshes_and_moves() {
        let mut t = MacTable::default();
        assert_eq!(t.learn(mac(1), 0, 1, false, false, 0), LearnResult::New);
        assert_eq!(
            t.learn(mac(1), 0, 1, false, false, 500),
            LearnResult::Unchanged
        );
        assert_eq!(
            t.learn(mac(1), 0, 1, false, false, 1500),
            LearnResult::Refreshed
        );
        assert_eq!(
            t.learn(mac(1), 0, 2, false, false, 1600),
            LearnResult::Moved
        );
        assert_eq!(t.lookup(mac(1), 0).map(|e| e.port), Some(2));
        // Another VLAN is another entry.
        assert_eq!(t.learn(mac(1), 10, 3, false, false, 1600), LearnResult::New);
        assert_eq!(t.len(), 2);
        let s = t.stats();
        assert_eq!((s.learned, s.moved), (2, 1));
    }

    #[test]
    fn ages_out_after_idle_time() {
        let mut t = MacTable::new(10, 300);
        t.learn(mac(1), 0, 1, false, false, 0);
        t.learn(mac(2), 0, 1, false, false, 100_000);
        assert_eq!(t.run(299_999), 0);
        assert_eq!(t.run(300_000), 1);
        assert!(t.lookup(mac(1), 0).is_none());
        assert!(t.lookup(mac(2), 0).is_some());
        assert_eq!(t.age_secs(t.lookup(mac(2), 0).unwrap(), 160_500), 60);
        assert_eq!(t.stats().expired, 1);
        // A refresh restarts the clock.
        t.learn(mac(2), 0, 1, false, false, 350_000);
        assert_eq!(t.run(400_000 + 100_000), 0);
        assert_eq!(t.run(650_000), 1);
    }

    #[test]
    fn static_entries_never_age_and_are_not_relearned() {
        let mut t = MacTable::new(10, 1);
        t.add_static(mac(1), 0, 7, 0);
        assert_eq!(
            t.learn(mac(1), 0, 2, false, false, 5000),
            LearnResult::Unchanged
        );
        assert_eq!(t.run(1_000_000), 0);
        assert_eq!(t.lookup(mac(1), 0).map(|e| e.port), Some(7));
        assert_eq!(t.n_static(), 1);
    }

    #[test]
    fn evicts_oldest_of_the_busiest_port_when_full() {
        let mut t = MacTable::new(3, 300);
        t.learn(mac(1), 0, 1, false, false, 0);
        t.learn(mac(2), 0, 2, false, false, 1);
        t.learn(mac(3), 0, 2, false, false, 2);
        // Full: port 2 has the most entries; its oldest (mac 2) goes.
        t.learn(mac(4), 0, 1, false, false, 3);
        assert!(t.lookup(mac(2), 0).is_none());
        assert!(t.lookup(mac(1), 0).is_some());
        assert_eq!(t.len(), 3);
        assert_eq!(t.stats().evicted, 1);
        // Shrinking the limit trims at run().
        t.set_max_entries(1);
        assert_eq!(t.run(4), 2);
        assert_eq!(t.len(), 1);
    }

    #[test]
    fn gratuitous_arp_locks_entry_on_bonds() {
        let mut t = MacTable::default();
        // Learned from a gratuitous ARP on a non-bond port: locked for 5 s.
        assert_eq!(t.learn(mac(1), 0, 1, true, false, 0), LearnResult::New);
        // The same gratuitous ARP reflected back over a bond must not move it.
        assert_eq!(
            t.learn(mac(1), 0, 9, true, true, 2_000),
            LearnResult::Unchanged
        );
        assert_eq!(t.lookup(mac(1), 0).map(|e| e.port), Some(1));
        // After the lock it may.
        assert_eq!(t.learn(mac(1), 0, 9, true, true, 5_001), LearnResult::Moved);
        // Ordinary traffic is never blocked by the lock.
        t.learn(mac(2), 0, 1, true, false, 10_000);
        assert_eq!(
            t.learn(mac(2), 0, 3, false, false, 10_100),
            LearnResult::Moved
        );
    }

    #[test]
    fn entries_listed_oldest_first() {
        let mut t = MacTable::default();
        t.learn(mac(3), 0, 1, false, false, 0);
        t.learn(mac(1), 0, 1, false, false, 10);
        t.learn(mac(3), 0, 1, false, false, 2000);
        let order: Vec<u8> = t.entries().iter().map(|e| e.mac[5]).collect();
        assert_eq!(order, vec![1, 3]);
        t.flush();
        assert!(t.is_empty());
    }
}
