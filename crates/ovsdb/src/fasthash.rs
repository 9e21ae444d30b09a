//! A fast hasher for the database's internal maps (rows by UUID, reference counts,
//! unique indexes, a transaction's touched rows).
//!
//! The standard SipHash costs more than the rest of a lookup for 16-byte UUID keys and
//! showed up as a tenth of the server's instructions. This is the multiply-rotate
//! scheme of rustc's FxHash, started from a random per-process seed and rotated at the
//! end so that the bits hashbrown uses (the low ones for the bucket, the top seven for
//! the tag) are well mixed, which keeps clients from steering their keys into one
//! bucket chain by choosing UUIDs or names.

use std::collections::HashMap;
use std::hash::{BuildHasher, Hasher};
use std::sync::OnceLock;

/// A `HashMap` with [`FastState`] hashing.
pub type FastMap<K, V> = HashMap<K, V, FastState>;

const K: u64 = 0xf135_7aea_2e62_a9c5;

/// Builds [`FastHasher`]s seeded with the process's random seed.
#[derive(Clone, Copy, Debug)]
pub struct FastState {
    seed: u64,
}

impl Default for FastState {
    fn default() -> FastState {
        static SEED: OnceLock<u64> = OnceLock::new();
        let seed = *SEED.get_or_init(|| {
            let b = crate::uuidgen::new_uuid().as_u64_pair();
            b.0 ^ b.1.rotate_left(32)
        });
        FastState { seed }
    }
}

impl BuildHasher for FastState {
    type Hasher = FastHasher;

    fn build_hasher(&self) -> FastHasher {
        FastHasher { hash: self.seed }
    }
}

/// See the module documentation.
#[derive(Clone, Copy, Debug)]
pub struct FastHasher {
    hash: u64,
}

impl FastHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.hash = (self.hash ^ word).wrapping_mul(K).rotate_left(23);
    }
}

impl Hasher for FastHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(word) ^ ((rest.len() as u64) << 59));
        }
    }

    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    #[inline]
    fn finish(&self) -> u64 {
        // One more multiply spreads the last word into every bit.
        (self.hash ^ (self.hash >> 29)).wrapping_mul(K)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::atom::Uuid;
    use std::collections::HashSet;

    fn hash<T: std::hash::Hash>(t: &T) -> u64 {
        FastState::default().hash_one(t)
    }

    #[test]
    fn equal_keys_hash_equal_and_unequal_ones_spread() {
        assert_eq!(hash(&"abc"), hash(&String::from("abc")));
        assert_ne!(hash(&"abc"), hash(&"abd"));
        assert_ne!(hash(&("a", 1u8)), hash(&("a", 2u8)));
        // Sequential UUIDs (the worst case for a weak mix) fill the low bits hashbrown
        // uses for buckets, and the top seven it uses for tags.
        let (mut low, mut top) = (HashSet::new(), HashSet::new());
        for i in 0..4096u128 {
            let h = hash(&Uuid::from_u128(i << 64));
            low.insert(h & 0xfff);
            top.insert(h >> 57);
        }
        assert!(low.len() > 2400, "{}", low.len());
        assert_eq!(top.len(), 128);
    }

    #[test]
    fn maps_work() {
        let mut m: FastMap<Uuid, usize> = FastMap::default();
        let keys: Vec<Uuid> = (0..1000).map(|_| crate::uuidgen::new_uuid()).collect();
        for (i, k) in keys.iter().enumerate() {
            m.insert(*k, i);
        }
        assert!(keys.iter().enumerate().all(|(i, k)| m[k] == i));
    }
}
