//! Word-at-a-time access to flow keys and the cheap hash the classifier uses.
//!
//! A key is handled as `N_WORDS` native-endian u64 words (the last one
//! partial); masks are lists of the words they touch, so hashing and comparing
//! a masked key only reads the bytes a mask covers.

use std::hash::{BuildHasherDefault, Hasher};

use openflow::flow_match::key::{FlowKey, KEY_LEN};

/// Number of u64 words covering a key (the last one may be partial).
pub const N_WORDS: usize = KEY_LEN.div_ceil(8);

/// Word `i` of `key` (missing tail bytes of the last word read as zero).
#[inline]
pub fn load(key: &FlowKey, i: usize) -> u64 {
    let bytes = &key.0[i * 8..];
    match bytes.first_chunk::<8>() {
        Some(w) => u64::from_ne_bytes(*w),
        None => {
            let mut w = [0u8; 8];
            w[..bytes.len()].copy_from_slice(bytes);
            u64::from_ne_bytes(w)
        }
    }
}

/// ORs `bits` into word `i` of `key`.
#[inline]
pub fn or_into(key: &mut FlowKey, i: usize, bits: u64) {
    let bytes = &mut key.0[i * 8..];
    if let Some(w) = bytes.first_chunk_mut::<8>() {
        *w = (u64::from_ne_bytes(*w) | bits).to_ne_bytes();
        return;
    }
    let b = bits.to_ne_bytes();
    for (d, s) in bytes.iter_mut().zip(b.iter()) {
        *d |= *s;
    }
}

/// One step of the running hash over masked words.
#[inline]
pub fn mix(h: u64, w: u64) -> u64 {
    (h ^ w).wrapping_mul(0x9e37_79b9_7f4a_7c15).rotate_left(29)
}

/// Continues running hash `h` over already masked words.
#[inline]
pub fn mix_all(h: u64, words: &[u64]) -> u64 {
    words.iter().fold(h, |h, w| mix(h, *w))
}

/// Finalises a running hash so that every bit depends on every input bit
/// (hash tables index by the low bits).
#[inline]
pub fn finish(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

/// Hasher for maps keyed by an already finished hash: passes it through.
#[derive(Default, Clone, Copy)]
pub struct PassThrough(u64);

impl Hasher for PassThrough {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        // Only u64 keys are used; fold anything else in anyway.
        for b in bytes {
            self.0 = mix(self.0, u64::from(*b));
        }
    }
    fn write_u64(&mut self, v: u64) {
        self.0 = v;
    }
}

pub type HashBuild = BuildHasherDefault<PassThrough>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn load_and_or_cover_the_whole_key() {
        let mut k = FlowKey::default();
        for i in 0..N_WORDS {
            or_into(&mut k, i, u64::MAX);
        }
        assert!(k.0.iter().all(|b| *b == 0xff));
        let last = load(&k, N_WORDS - 1);
        assert_eq!(
            last.count_ones() as usize,
            8 * (KEY_LEN - 8 * (N_WORDS - 1))
        );
    }
}
