//! Exact-match cache: packet key hash -> megaflow, in front of the megaflow
//! table. 8192 entries, two candidate slots per hash; insertion is
//! probabilistic (1 in `insert_inv_prob`) so that a flood of one-packet flows
//! does not evict the established ones, as in the reference.

use classifier::MegaflowId;
use openflow::flow_match::key::{self as k, FlowKey};

pub(crate) const EMC_ENTRIES: usize = 8192;
const MASK: usize = EMC_ENTRIES - 1;
/// Default of the reference's `emc-insert-inv-prob`.
pub(crate) const DEFAULT_INSERT_INV_PROB: u32 = 100;

#[derive(Clone)]
struct Entry {
    hash: u32,
    /// 0 = empty; otherwise the megaflow's serial.
    serial: u64,
    flow: MegaflowId,
    key: FlowKey,
}

pub(crate) struct Emc {
    entries: Vec<Entry>,
    insert_inv_prob: u32,
    rng: u32,
}

/// Hash of a key for the cache: four independent lanes of 8-byte words, so
/// the multiply chains overlap instead of waiting on each other (this runs
/// for every received packet). Registers and OpenFlow metadata are always
/// zero in received packets and most tunnel fields follow the tunnel id and
/// endpoints, so only those are hashed before skb_priority; lookups compare
/// whole keys, so this costs nothing in correctness.
pub(crate) fn key_hash(key: &FlowKey) -> u32 {
    let tail = key.0.get(k::SKB_PRIORITY.ofs..).unwrap_or(&key.0);
    let tun = key.uint(k::TUN_ID)
        ^ (u64::from(key.u32(k::TUN_SRC)) << 32)
        ^ u64::from(key.u32(k::TUN_DST));
    hash_bytes(tail, tun)
}

fn hash_bytes(bytes: &[u8], seed: u64) -> u32 {
    const M: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut lanes = [
        0x243f_6a88_85a3_08d3u64 ^ seed,
        0x1319_8a2e_0370_7344,
        0xa409_3822_299f_31d0,
        0x082e_fa98_ec4e_6c89,
    ];
    let mut blocks = bytes.chunks_exact(32);
    for block in &mut blocks {
        for (lane, w) in lanes.iter_mut().zip(block.chunks_exact(8)) {
            let mut b = [0u8; 8];
            b.copy_from_slice(w);
            *lane = (*lane ^ u64::from_ne_bytes(b))
                .wrapping_mul(M)
                .rotate_left(29);
        }
    }
    let mut h =
        lanes[0] ^ lanes[1].rotate_left(17) ^ lanes[2].rotate_left(31) ^ lanes[3].rotate_left(47);
    for b in blocks.remainder() {
        h = (h ^ u64::from(*b)).wrapping_mul(M);
    }
    h ^= h >> 32;
    h = h.wrapping_mul(M);
    (h ^ (h >> 29)) as u32
}

impl Emc {
    pub fn new() -> Emc {
        Emc {
            entries: vec![
                Entry {
                    hash: 0,
                    serial: 0,
                    flow: MegaflowId(0),
                    key: FlowKey::default(),
                };
                EMC_ENTRIES
            ],
            insert_inv_prob: DEFAULT_INSERT_INV_PROB,
            rng: 0x1234_5678,
        }
    }

    /// 0 disables insertion; 1 inserts every time.
    pub fn set_insert_inv_prob(&mut self, p: u32) {
        self.insert_inv_prob = p;
    }

    /// With insertion off the cache stays empty: skip it (and the hash).
    pub fn enabled(&self) -> bool {
        self.insert_inv_prob != 0
    }

    fn slots(hash: u32) -> [usize; 2] {
        [hash as usize & MASK, (hash >> 16) as usize & MASK]
    }

    /// The cached flow and its serial for this exact key.
    pub fn lookup(&self, key: &FlowKey, hash: u32) -> Option<(MegaflowId, u64)> {
        for i in Emc::slots(hash) {
            let e = &self.entries[i];
            if e.serial != 0 && e.hash == hash && e.key == *key {
                return Some((e.flow, e.serial));
            }
        }
        None
    }

    /// Maybe caches `key` -> flow (see module comment).
    pub fn maybe_insert(&mut self, key: &FlowKey, hash: u32, flow: MegaflowId, serial: u64) {
        if self.insert_inv_prob == 0 {
            return;
        }
        if self.insert_inv_prob > 1 {
            // xorshift32: cheap, no allocation, good enough for sampling.
            let mut x = self.rng;
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            self.rng = x;
            if !x.is_multiple_of(self.insert_inv_prob) {
                return;
            }
        }
        self.insert(key, hash, flow, serial);
    }

    pub fn insert(&mut self, key: &FlowKey, hash: u32, flow: MegaflowId, serial: u64) {
        let [a, b] = Emc::slots(hash);
        // Prefer an empty or same-key slot, else replace the first.
        let i = if self.entries[a].serial == 0 || self.entries[a].key == *key {
            a
        } else if self.entries[b].serial == 0 || self.entries[b].key == *key {
            b
        } else {
            a
        };
        let e = &mut self.entries[i];
        e.hash = hash;
        e.serial = serial;
        e.flow = flow;
        e.key.0.copy_from_slice(&key.0);
    }

    pub fn clear(&mut self) {
        for e in &mut self.entries {
            e.serial = 0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(n: u8) -> FlowKey {
        let mut k = FlowKey::default();
        k.0[k.0.len() - 1] = n;
        k
    }

    #[test]
    fn inserted_keys_are_found_and_others_are_not() {
        let mut emc = Emc::new();
        emc.set_insert_inv_prob(1);
        let (a, b) = (key(1), key(2));
        emc.maybe_insert(&a, key_hash(&a), MegaflowId(7), 11);
        assert_eq!(emc.lookup(&a, key_hash(&a)), Some((MegaflowId(7), 11)));
        assert_eq!(emc.lookup(&b, key_hash(&b)), None);
        emc.clear();
        assert_eq!(emc.lookup(&a, key_hash(&a)), None);
    }

    #[test]
    fn insertion_is_probabilistic_by_default() {
        let mut emc = Emc::new();
        let mut inserted = 0;
        for n in 0..=255u8 {
            for m in 0..8u8 {
                let mut k = key(n);
                k.0[0] = m;
                emc.maybe_insert(&k, key_hash(&k), MegaflowId(1), 1);
                if emc.lookup(&k, key_hash(&k)).is_some() {
                    inserted += 1;
                }
            }
        }
        // About 1 in 100 of 2048 distinct keys.
        assert!((5..=60).contains(&inserted), "{inserted} inserted");
        emc.set_insert_inv_prob(0);
        let k = key(9);
        for _ in 0..1000 {
            emc.maybe_insert(&k, key_hash(&k), MegaflowId(1), 1);
        }
        assert_eq!(emc.lookup(&k, key_hash(&k)), None);
    }

    #[test]
    fn hash_depends_on_every_hashed_byte() {
        let base = FlowKey::default();
        let h0 = key_hash(&base);
        for i in k::SKB_PRIORITY.ofs..base.0.len() {
            let mut k = base.clone();
            k.0[i] = 1;
            assert_ne!(key_hash(&k), h0, "byte {i}");
        }
    }
}
