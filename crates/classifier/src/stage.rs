//! A mask as the list of key words it covers, split into lookup stages.
//!
//! Stages follow the packet's layers (metadata, L2, L3, L4). A lookup that
//! finds no rule with the key's values in the first stages can give up on a
//! subtable having looked only at those stages' bits, which keeps megaflow
//! masks narrow: a packet that is not IP never depends on a rule's IP fields.

use openflow::flow_match::key::{FlowKey, DL_DST, KEY_LEN, NW_SRC, TP_SRC};

use crate::words::{finish, load, mix, or_into, N_WORDS};

pub const N_STAGES: usize = 4;

/// Byte offset where each stage ends: metadata (tunnel, registers,
/// conntrack), L2, L3 (incl. NSH), L4.
const STAGE_ENDS: [usize; N_STAGES] = [DL_DST.ofs, NW_SRC.ofs, TP_SRC.ofs, KEY_LEN];

/// The stage holding key byte `ofs`.
pub fn stage_of(ofs: usize) -> usize {
    STAGE_ENDS
        .iter()
        .position(|&e| ofs < e)
        .unwrap_or(N_STAGES - 1)
}

/// One key word a mask covers and the covered bits.
#[derive(Clone, Copy, Debug)]
pub struct MaskWord {
    pub idx: usize,
    pub bits: u64,
}

/// The words of a mask in stage order.
#[derive(Clone, Debug)]
pub struct StagedMask {
    pub words: Box<[MaskWord]>,
    /// `words[..ends[s]]` are the words of stages `0..=s`.
    pub ends: [usize; N_STAGES],
}

impl StagedMask {
    /// Splits `mask` into stages; a word straddling a stage boundary appears
    /// once per stage with that stage's bits.
    pub fn staged(mask: &FlowKey) -> StagedMask {
        let mut words = Vec::new();
        let mut ends = [0; N_STAGES];
        let mut start = 0;
        for (s, &end) in STAGE_ENDS.iter().enumerate() {
            let mut part = FlowKey::default();
            part.0[start..end].copy_from_slice(&mask.0[start..end]);
            push_words(&part, &mut words);
            ends[s] = words.len();
            start = end;
        }
        StagedMask {
            words: words.into_boxed_slice(),
            ends,
        }
    }

    /// All of `mask` as one stage.
    pub fn unstaged(mask: &FlowKey) -> StagedMask {
        let mut words = Vec::new();
        push_words(mask, &mut words);
        let n = words.len();
        StagedMask {
            words: words.into_boxed_slice(),
            ends: [n; N_STAGES],
        }
    }

    /// Continues running hash `h` over `key`'s masked words `from..to`.
    #[inline]
    pub fn hash_words(&self, key: &FlowKey, from: usize, to: usize, mut h: u64) -> u64 {
        for w in &self.words[from..to] {
            h = mix(h, load(key, w.idx) & w.bits);
        }
        h
    }

    /// Hash of the whole masked key.
    #[inline]
    pub fn hash(&self, key: &FlowKey) -> u64 {
        finish(self.hash_words(key, 0, self.words.len(), 0))
    }

    /// Whether `key` and `masked` agree on every bit of this mask.
    #[inline]
    pub fn matches(&self, key: &FlowKey, masked: &FlowKey) -> bool {
        self.words
            .iter()
            .all(|w| (load(key, w.idx) ^ load(masked, w.idx)) & w.bits == 0)
    }

    /// Appends `key`'s masked words, in `words` order: the compact form in
    /// which a subtable stores a rule's masked key.
    #[inline]
    pub fn compact_into(&self, key: &FlowKey, out: &mut Vec<u64>) {
        out.extend(self.words.iter().map(|w| load(key, w.idx) & w.bits));
    }

    /// Whether `key` agrees with compact masked key `vals` on every bit of
    /// this mask.
    #[inline]
    pub fn matches_compact(&self, key: &FlowKey, vals: &[u64]) -> bool {
        self.words.len() == vals.len()
            && self
                .words
                .iter()
                .zip(vals)
                .all(|(w, v)| load(key, w.idx) & w.bits == *v)
    }

    /// Whether `key` agrees with compact masked key `vals` on every bit that
    /// both `sub` and this mask have.
    pub fn agrees_compact_under(&self, key: &FlowKey, vals: &[u64], sub: &FlowKey) -> bool {
        self.words
            .iter()
            .zip(vals)
            .all(|(w, v)| (load(key, w.idx) ^ v) & w.bits & load(sub, w.idx) == 0)
    }

    /// The full masked key a compact one stands for.
    pub fn expand(&self, vals: &[u64]) -> FlowKey {
        let mut k = FlowKey::default();
        for (w, v) in self.words.iter().zip(vals) {
            or_into(&mut k, w.idx, *v);
        }
        k
    }

    /// ORs the bits of `words[..upto]` into `wc`.
    #[inline]
    pub fn unwildcard(&self, wc: &mut FlowKey, upto: usize) {
        for w in &self.words[..upto] {
            or_into(wc, w.idx, w.bits);
        }
    }
}

fn push_words(mask: &FlowKey, out: &mut Vec<MaskWord>) {
    for idx in 0..N_WORDS {
        let bits = load(mask, idx);
        if bits != 0 {
            out.push(MaskWord { idx, bits });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use openflow::flow_match::key::{CT_TP_DST, DL_TYPE, TP_DST};

    #[test]
    fn straddling_word_is_split_between_stages() {
        let mut m = FlowKey::default();
        m.get_mut(CT_TP_DST).fill(0xff);
        m.get_mut(DL_DST).fill(0xff);
        let s = StagedMask::staged(&m);
        let mut wc = FlowKey::default();
        s.unwildcard(&mut wc, s.ends[0]);
        assert!(wc.is_ones(CT_TP_DST));
        assert!(wc.is_zero(DL_DST));
        s.unwildcard(&mut wc, s.ends[1]);
        assert_eq!(wc, m);
    }

    #[test]
    fn compact_keys_round_trip_and_match_like_full_ones() {
        let mut m = FlowKey::default();
        m.get_mut(CT_TP_DST).fill(0xff);
        m.get_mut(DL_DST).fill(0xff);
        m.set_uint(TP_DST, 0xff00);
        let s = StagedMask::staged(&m);
        let mut k = FlowKey::default();
        k.0.iter_mut()
            .enumerate()
            .for_each(|(i, b)| *b = i as u8 ^ 0x5a);
        let mut vals = Vec::new();
        s.compact_into(&k, &mut vals);
        assert_eq!(vals.len(), s.words.len());
        let full = s.expand(&vals);
        for (i, b) in full.0.iter().enumerate() {
            assert_eq!(*b, k.0[i] & m.0[i], "byte {i}");
        }
        assert!(s.matches_compact(&k, &vals));
        assert_eq!(s.hash(&k), s.hash(&full));
        let mut k2 = k.clone();
        k2.0[TP_DST.ofs + 1] ^= 1; // outside the mask
        assert!(s.matches_compact(&k2, &vals));
        k2.0[TP_DST.ofs] ^= 1;
        assert!(!s.matches_compact(&k2, &vals));
        let mut sub = FlowKey::default();
        sub.get_mut(DL_DST).fill(0xff);
        assert!(s.agrees_compact_under(&k2, &vals, &sub));
        k2.0[DL_DST.ofs] ^= 0x80;
        assert!(!s.agrees_compact_under(&k2, &vals, &sub));
    }

    #[test]
    fn matches_compares_masked_bits_only() {
        let mut m = FlowKey::default();
        m.get_mut(DL_TYPE).fill(0xff);
        m.get_mut(TP_DST).fill(0xff);
        let s = StagedMask::staged(&m);
        let mut rule = FlowKey::default();
        rule.set_uint(DL_TYPE, 0x0800);
        rule.set_uint(TP_DST, 80);
        let mut k = rule.clone();
        k.set_uint(DL_DST, 7);
        assert!(s.matches(&k, &rule));
        assert_eq!(s.hash(&k), s.hash(&rule));
        k.set_uint(TP_DST, 81);
        assert!(!s.matches(&k, &rule));
    }
}
