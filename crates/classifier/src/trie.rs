//! Prefix tries over address fields (nw_src, nw_dst, ...), shared by every
//! subtable of a classifier.
//!
//! A lookup that would otherwise un-wildcard a whole address to learn that no
//! rule with a /N prefix matches can instead ask the trie which prefix lengths
//! match the packet's address at all, and how many leading address bits that
//! answer depended on; only those bits then enter the megaflow mask. Runs of
//! bits without a branch or a rule share one node (path compression), so a
//! rule's distinct address tail costs one node rather than one per bit.

use openflow::flow_match::key::{FlowKey, Slot};

/// Longest run of prefix bits one node stands for.
const SEG_BITS: u32 = 32;

/// A node of the path-compressed trie: a run of up to 32 prefix bits with
/// no branch and no rule inside it (so a rule's unique address tail costs
/// one node, not one per bit).
#[derive(Clone, Copy, Default)]
struct Node {
    /// The run's bits, left-aligned (bits after `len` are zero). The first
    /// bit is the one its parent branched on.
    seg: u32,
    /// Child per bit following the run (0 = none; node 0 is the root, never a
    /// child).
    child: [u32; 2],
    /// Rules whose prefix ends right after the run.
    n_rules: u32,
    /// Bits in `seg` (0 only for the root).
    len: u8,
}

impl Node {
    fn is_leaf(&self) -> bool {
        self.child == [0, 0]
    }
}

/// A binary trie of the prefixes rules have on one field.
pub(crate) struct Trie {
    pub slot: Slot,
    nodes: Vec<Node>,
    free: Vec<u32>,
}

/// The first `n` (<= 32) bits of a u32 as a mask.
fn seg_mask(n: u32) -> u32 {
    if n == 0 {
        0
    } else {
        u32::MAX << (32 - n.min(32))
    }
}

/// Bits `d..d + n` (n <= 32) of left-aligned `value`, left-aligned.
fn bits_at(value: u128, d: u32, n: u32) -> u32 {
    let shifted = value.checked_shl(d).unwrap_or(0);
    ((shifted >> 96) as u32) & seg_mask(n)
}

/// Bit `d` of left-aligned `value`.
fn bit_at(value: u128, d: u32) -> usize {
    ((value >> (127 - d)) & 1) as usize
}

/// What a trie says about a key's value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct TrieAnswer {
    /// Bit `n - 1` set: some rule's /n prefix matches the value.
    pub plens: u128,
    /// Leading bits of the value the answer depended on.
    pub maskbits: u32,
}

impl TrieAnswer {
    pub fn has(&self, plen: u32) -> bool {
        plen > 0 && self.plens & (1u128 << (plen - 1)) != 0
    }
}

/// The field's value, most significant bit first, left-aligned in a u128.
pub(crate) fn field_value(key: &FlowKey, slot: Slot) -> u128 {
    let v = key
        .get(slot)
        .iter()
        .fold(0u128, |a, b| (a << 8) | u128::from(*b));
    v << (128 - 8 * slot.len as u32)
}

/// Number of leading one bits if `mask`'s bits in `slot` form a prefix
/// (CIDR) mask, else 0 (the trie is then of no use for it).
pub(crate) fn prefix_len(mask: &FlowKey, slot: Slot) -> u32 {
    let v = field_value(mask, slot);
    let n = v.leading_ones();
    let width = 8 * slot.len as u32;
    let rest = if n >= 128 { 0 } else { v << n };
    if rest == 0 && n <= width {
        n
    } else {
        0
    }
}

/// Sets the first `bits` bits of `slot` in `wc`.
pub(crate) fn set_prefix(wc: &mut FlowKey, slot: Slot, bits: u32) {
    for (i, b) in wc.get_mut(slot).iter_mut().enumerate() {
        let start = 8 * i as u32;
        if bits >= start + 8 {
            *b = 0xff;
        } else if bits > start {
            *b |= 0xffu8 << (8 - (bits - start));
        }
    }
}

/// Whether the first `bits` bits of `slot` are all set in `wc`.
pub(crate) fn has_prefix(wc: &FlowKey, slot: Slot, bits: u32) -> bool {
    let want = if bits == 0 {
        0
    } else {
        u128::MAX << (128 - bits)
    };
    field_value(wc, slot) & want == want
}

impl Trie {
    pub fn new(slot: Slot) -> Trie {
        Trie {
            slot,
            nodes: vec![Node::default()],
            free: Vec::new(),
        }
    }

    fn width(&self) -> u32 {
        8 * self.slot.len as u32
    }

    fn alloc(&mut self, node: Node) -> u32 {
        match self.free.pop() {
            Some(i) => {
                self.nodes[i as usize] = node;
                i
            }
            None => {
                self.nodes.push(node);
                (self.nodes.len() - 1) as u32
            }
        }
    }

    /// Records a rule with prefix `value/plen` (`plen` > 0).
    pub fn insert(&mut self, value: u128, plen: u32) {
        let plen = plen.min(self.width());
        let mut node = 0usize;
        let mut parent = 0usize;
        let mut d = 0u32;
        loop {
            let n = self.nodes[node];
            if n.len > 0 {
                let len = u32::from(n.len);
                // Bits of the run the prefix shares (the first always).
                let avail = len.min(plen - d);
                let same = (bits_at(value, d, len) ^ n.seg).leading_zeros().min(avail);
                if same < len {
                    // Split the run after `same` bits.
                    let tail = Node {
                        seg: n.seg << same,
                        len: (len - same) as u8,
                        ..n
                    };
                    let t = self.alloc(tail);
                    let first = (tail.seg >> 31) as usize;
                    let head = &mut self.nodes[node];
                    head.seg = n.seg & seg_mask(same);
                    head.len = same as u8;
                    head.child = [0, 0];
                    head.child[first] = t;
                    head.n_rules = 0;
                    // Shortened runs may now fit together with their
                    // neighbours.
                    self.merge_only_child(t as usize);
                    if self.merge_only_child(parent) {
                        node = parent;
                    }
                }
                d += same;
            }
            if d == plen {
                self.nodes[node].n_rules += 1;
                return;
            }
            let bit = bit_at(value, d);
            let c = self.nodes[node].child[bit];
            if c == 0 {
                self.append_path(node, value, d, plen);
                return;
            }
            parent = node;
            node = c as usize;
        }
    }

    /// Hangs new nodes for bits `d..plen` of `value` below `node`, the last
    /// one ending the rule's prefix.
    fn append_path(&mut self, mut node: usize, value: u128, mut d: u32, plen: u32) {
        while d < plen {
            let len = (plen - d).min(SEG_BITS);
            let new = self.alloc(Node {
                seg: bits_at(value, d, len),
                len: len as u8,
                ..Node::default()
            });
            self.nodes[node].child[bit_at(value, d)] = new;
            node = new as usize;
            d += len;
        }
        self.nodes[node].n_rules += 1;
    }

    /// Forgets one rule with prefix `value/plen`, pruning empty branches and
    /// merging runs a removal left without a branch.
    pub fn remove(&mut self, value: u128, plen: u32) {
        let plen = plen.min(self.width());
        // Nodes from the root to the prefix's end (runs are >= 1 bit).
        let mut path = [0u32; 130];
        let mut depth = 0usize;
        let mut node = 0usize;
        let mut d = 0u32;
        loop {
            let n = self.nodes[node];
            let len = u32::from(n.len);
            if d + len > plen || bits_at(value, d, len) != n.seg {
                return;
            }
            d += len;
            if d == plen {
                break;
            }
            let c = n.child[bit_at(value, d)];
            if c == 0 {
                return;
            }
            depth += 1;
            path[depth] = c;
            node = c as usize;
        }
        if self.nodes[node].n_rules == 0 {
            return;
        }
        self.nodes[node].n_rules -= 1;
        // Prune: a ruleless leaf goes (and so may its parent, in turn); the
        // first ruleless node left with one child absorbs it if the runs fit
        // in one node.
        let mut at = depth;
        while at > 0 {
            let i = path[at] as usize;
            let n = self.nodes[i];
            if n.n_rules > 0 {
                break;
            }
            if n.is_leaf() {
                let parent = path[at - 1] as usize;
                let pc = &mut self.nodes[parent].child;
                let which = usize::from(pc[1] == i as u32);
                pc[which] = 0;
                self.free.push(i as u32);
                at -= 1;
                continue;
            }
            self.merge_only_child(i);
            break;
        }
        if self.nodes.len() > 1 && self.nodes[0].is_leaf() && self.nodes[0].n_rules == 0 {
            // Empty again: drop the peak's node storage.
            self.nodes = vec![Node::default()];
            self.free = Vec::new();
        }
    }

    /// If node `i` is not the root, ends no rule's prefix and has one child
    /// whose run fits after its own, makes them one node.
    /// Returns whether it did (node `i` then stands for both).
    fn merge_only_child(&mut self, i: usize) -> bool {
        let n = self.nodes[i];
        let c = match n.child {
            [0, c] | [c, 0] if c != 0 => c as usize,
            _ => return false,
        };
        let child = self.nodes[c];
        let len = u32::from(n.len) + u32::from(child.len);
        if i == 0 || n.n_rules > 0 || len > SEG_BITS {
            return false;
        }
        self.nodes[i] = Node {
            seg: n.seg | (child.seg >> n.len),
            len: len as u8,
            child: child.child,
            n_rules: child.n_rules,
        };
        self.free.push(c as u32);
        true
    }

    /// Which prefix lengths match `value`, and how many bits that took.
    pub fn lookup(&self, value: u128) -> TrieAnswer {
        let width = self.width();
        let mut plens = 0u128;
        let mut node = 0usize;
        let mut d = 0u32;
        loop {
            let n = self.nodes[node];
            if n.len > 0 {
                let diff = bits_at(value, d, u32::from(n.len)) ^ n.seg;
                if diff != 0 {
                    // The value leaves the run at bit `k`: the bits up to
                    // and including it decided the answer.
                    let k = diff.leading_zeros();
                    return TrieAnswer {
                        plens,
                        maskbits: d + k + 1,
                    };
                }
                d += u32::from(n.len);
            }
            if d > 0 && n.n_rules > 0 {
                plens |= 1u128 << (d - 1);
            }
            if d >= width {
                return TrieAnswer { plens, maskbits: d };
            }
            let c = n.child[bit_at(value, d)];
            if c == 0 {
                // A branch the other way means bit `d` decided the answer; a
                // leaf means the bits so far did.
                let maskbits = if n.is_leaf() { d } else { d + 1 };
                return TrieAnswer { plens, maskbits };
            }
            node = c as usize;
        }
    }

    /// Nodes in use (for tests of pruning).
    #[cfg(test)]
    fn n_nodes(&self) -> usize {
        self.nodes.len() - self.free.len()
    }

    /// Whether every node reachable from the root earns its place: it ends
    /// a rule's prefix, branches, or could not be merged with its only child.
    #[cfg(test)]
    fn is_compact(&self) -> bool {
        let mut todo = vec![0usize];
        while let Some(i) = todo.pop() {
            let n = self.nodes[i];
            let kids: Vec<usize> = n
                .child
                .iter()
                .filter(|&&c| c != 0)
                .map(|&c| c as usize)
                .collect();
            todo.extend(&kids);
            if i == 0 || n.n_rules > 0 || kids.len() == 2 {
                continue;
            }
            match kids.first() {
                Some(&c) if u32::from(n.len) + u32::from(self.nodes[c].len) > SEG_BITS => {}
                _ => return false,
            }
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use openflow::flow_match::key::NW_DST;

    fn v(a: u32) -> u128 {
        u128::from(a) << 96
    }

    #[test]
    fn lookup_reports_matching_lengths_and_bits_needed() {
        let mut t = Trie::new(NW_DST);
        t.insert(v(0x0a00_0001), 32);
        t.insert(v(0x0a00_0000), 8);
        // 20.0.0.1 leaves the path to 10/8 at bit 3 (0000_1010 vs 0001_0100).
        let a = t.lookup(v(0x1400_0001));
        assert_eq!(
            a,
            TrieAnswer {
                plens: 0,
                maskbits: 4
            }
        );
        // 10.0.0.2: /8 matches, diverges from 10.0.0.1 at bit 30.
        let a = t.lookup(v(0x0a00_0002));
        assert!(a.has(8) && !a.has(32));
        assert_eq!(a.maskbits, 31);
        let a = t.lookup(v(0x0a00_0001));
        assert!(a.has(8) && a.has(32));
        assert_eq!(a.maskbits, 32);
        t.remove(v(0x0a00_0001), 32);
        // Only 10/8 left: a leaf at depth 8.
        let a = t.lookup(v(0x0a00_0001));
        assert!(a.has(8));
        assert_eq!(a.maskbits, 8);
        t.remove(v(0x0a00_0000), 8);
        assert_eq!(t.lookup(v(0x0a00_0001)).maskbits, 0);
        assert_eq!(t.n_nodes(), 1);
    }

    /// What a lookup must answer, from the stored prefixes alone: the walk
    /// goes as deep as the value agrees with some stored prefix (`deepest`);
    /// it needed one bit more unless nothing stored goes further that way.
    fn brute_force(stored: &[(u128, u32)], value: u128, width: u32) -> TrieAnswer {
        let lcp = |a: u128| (a ^ value).leading_zeros().min(width);
        let mut plens = 0u128;
        for &(v, p) in stored {
            if lcp(v) >= p {
                plens |= 1u128 << (p - 1);
            }
        }
        let deepest = stored
            .iter()
            .map(|&(v, p)| lcp(v).min(p))
            .max()
            .unwrap_or(0);
        let goes_on = stored
            .iter()
            .any(|&(v, p)| lcp(v) >= deepest && p > deepest);
        let maskbits = if deepest == width || !goes_on {
            deepest
        } else {
            deepest + 1
        };
        TrieAnswer { plens, maskbits }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(200))]

        /// The path-compressed trie answers exactly as the brute force over
        /// random inserts and removals, on a 128-bit field (several runs per
        /// path) and a 32-bit one, and prunes back to the bare root.
        #[test]
        fn compressed_trie_agrees_with_brute_force(
            wide in proptest::bool::ANY,
            ops in proptest::collection::vec((0usize..6, 0u32..=130, proptest::bool::weighted(0.3)), 1..60),
            probes in proptest::collection::vec((0usize..6, proptest::num::u128::ANY), 1..12),
        ) {
            use openflow::flow_match::key::IPV6_DST;
            let slot = if wide { IPV6_DST } else { NW_DST };
            let width = 8 * slot.len as u32;
            let keep = |x: u128| if width == 128 { x } else { x & (u128::MAX << (128 - width)) };
            // Values with long shared prefixes, so runs split and merge.
            let base = [
                0u128,
                1u128 << 127,
                0x2001_0db8u128 << 96,
                (0x2001_0db8u128 << 96) | 1,
                (0x2001_0db8u128 << 96) | (1 << 70),
                u128::MAX,
            ];
            let mut t = Trie::new(slot);
            let mut stored: Vec<(u128, u32)> = Vec::new();
            for (vi, plen, remove) in ops {
                let plen = plen.clamp(1, width);
                let value = keep(base[vi]) & (u128::MAX << (128 - plen));
                if remove {
                    if let Some(i) = stored.iter().position(|&(v, p)| (v, p) == (value, plen)) {
                        stored.swap_remove(i);
                        t.remove(value, plen);
                    }
                } else {
                    stored.push((value, plen));
                    t.insert(value, plen);
                }
                proptest::prop_assert!(t.is_compact());
                for &(pi, noise) in &probes {
                    // Near a stored value or random.
                    let probe = keep(if pi < base.len() { base[pi] ^ (noise >> (noise % 128)) } else { noise });
                    proptest::prop_assert_eq!(t.lookup(probe), brute_force(&stored, probe, width));
                }
            }
            for (v, p) in stored.drain(..) {
                t.remove(v, p);
            }
            proptest::prop_assert_eq!(t.n_nodes(), 1);
        }
    }

    #[test]
    fn long_prefixes_use_one_node_per_run() {
        use openflow::flow_match::key::IPV6_DST;
        let mut t = Trie::new(IPV6_DST);
        t.insert(u128::MAX, 128);
        assert_eq!(t.n_nodes(), 1 + 4);
        let mut t = Trie::new(NW_DST);
        for a in 0..64u32 {
            t.insert(v(0x0a00_0001 | (a << 8)), 32);
        }
        // 64 leaves and at most 63 branch nodes, not 64 * 32 bit nodes.
        assert!(t.n_nodes() <= 1 + 64 + 63, "{} nodes", t.n_nodes());
    }

    #[test]
    fn prefix_helpers() {
        let mut m = FlowKey::default();
        m.set_uint(NW_DST, 0xffff_f000);
        assert_eq!(prefix_len(&m, NW_DST), 20);
        m.set_uint(NW_DST, 0xff00_ff00);
        assert_eq!(prefix_len(&m, NW_DST), 0);
        m.set_uint(NW_DST, 0xffff_ffff);
        assert_eq!(prefix_len(&m, NW_DST), 32);
        let mut wc = FlowKey::default();
        set_prefix(&mut wc, NW_DST, 12);
        assert_eq!(wc.u32(NW_DST), 0xfff0_0000);
        assert!(has_prefix(&wc, NW_DST, 12));
        assert!(!has_prefix(&wc, NW_DST, 13));
    }
}
