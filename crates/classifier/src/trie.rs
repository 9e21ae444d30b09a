//! Prefix tries over address fields (nw_src, nw_dst, ...), shared by every
//! subtable of a classifier.
//!
//! A lookup that would otherwise un-wildcard a whole address to learn that no
//! rule with a /N prefix matches can instead ask the trie which prefix lengths
//! match the packet's address at all, and how many leading address bits that
//! answer depended on; only those bits then enter the megaflow mask.

use openflow::flow_match::key::{FlowKey, Slot};

#[derive(Clone, Copy, Default)]
struct Node {
    /// Child node per next bit (0 = none; node 0 is the root, never a child).
    child: [u32; 2],
    /// Rules whose prefix ends at this node.
    n_rules: u32,
}

/// A binary trie of the prefixes rules have on one field.
pub(crate) struct Trie {
    pub slot: Slot,
    nodes: Vec<Node>,
    free: Vec<u32>,
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

    /// Records a rule with prefix `value/plen` (`plen` > 0).
    pub fn insert(&mut self, value: u128, plen: u32) {
        let mut node = 0usize;
        for d in 0..plen.min(self.width()) {
            let bit = ((value >> (127 - d)) & 1) as usize;
            let c = self.nodes[node].child[bit];
            node = if c != 0 {
                c as usize
            } else {
                let new = match self.free.pop() {
                    Some(i) => {
                        self.nodes[i as usize] = Node::default();
                        i
                    }
                    None => {
                        self.nodes.push(Node::default());
                        (self.nodes.len() - 1) as u32
                    }
                };
                self.nodes[node].child[bit] = new;
                new as usize
            };
        }
        self.nodes[node].n_rules += 1;
    }

    /// Forgets one rule with prefix `value/plen`, pruning empty branches.
    pub fn remove(&mut self, value: u128, plen: u32) {
        let plen = plen.min(self.width());
        let mut path = [0u32; 129];
        let mut node = 0usize;
        for d in 0..plen {
            let bit = ((value >> (127 - d)) & 1) as usize;
            let c = self.nodes[node].child[bit];
            if c == 0 {
                return;
            }
            path[d as usize + 1] = c;
            node = c as usize;
        }
        if self.nodes[node].n_rules == 0 {
            return;
        }
        self.nodes[node].n_rules -= 1;
        for d in (1..=plen as usize).rev() {
            let n = path[d] as usize;
            let node = self.nodes[n];
            if node.n_rules > 0 || node.child != [0, 0] {
                break;
            }
            let bit = ((value >> (127 - (d as u32 - 1))) & 1) as usize;
            self.nodes[path[d - 1] as usize].child[bit] = 0;
            self.free.push(n as u32);
        }
    }

    /// Which prefix lengths match `value`, and how many bits that took.
    pub fn lookup(&self, value: u128) -> TrieAnswer {
        let width = self.width();
        let mut plens = 0u128;
        let mut node = 0usize;
        let mut d = 0u32;
        loop {
            let n = self.nodes[node];
            if d > 0 && n.n_rules > 0 {
                plens |= 1u128 << (d - 1);
            }
            if d == width {
                return TrieAnswer { plens, maskbits: d };
            }
            let bit = ((value >> (127 - d)) & 1) as usize;
            let c = n.child[bit];
            if c == 0 {
                // A branch the other way means bit `d` decided the answer; a
                // leaf means the bits so far did.
                let leaf = n.child == [0, 0];
                let maskbits = if leaf { d } else { d + 1 };
                return TrieAnswer { plens, maskbits };
            }
            node = c as usize;
            d += 1;
        }
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
        assert_eq!(t.nodes.len() - t.free.len(), 1);
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
