//! A match packed for long-term storage. A [`Match`] holds a whole key and
//! mask (two `KEY_LEN`-byte arrays, about 730 bytes) although a flow
//! usually matches a handful of fields; a switch keeps one per rule, so
//! with 100,000 rules the arrays alone are 73 MB. [`PackedMatch`] keeps
//! only the byte runs its mask covers, and unpacks into a `Match` when one
//! is needed (printing, statistics, flow-mod comparisons).

use super::key::{FlowKey, Slot, KEY_LEN};
use super::{Match, TunMd};
use crate::protocol::Protocols;

/// Header of one run in [`PackedMatch::runs`]: offset (2 bytes, big
/// endian) and length (1 byte), followed by the run's key bytes, then its
/// mask bytes.
const RUN_HEADER: usize = 3;
/// Longest run (the length is one byte); longer stretches are split.
const MAX_RUN: usize = u8::MAX as usize;

/// A [`Match`] without its unmatched bytes. Equality is the match's
/// (the protocols its text allowed do not count, as for `Match`).
#[derive(Clone, Debug)]
pub struct PackedMatch {
    runs: Box<[u8]>,
    /// `tun_metadataN` matches (rare), none most of the time.
    tun_md: Box<[TunMd]>,
    text_usable: Protocols,
}

impl PartialEq for PackedMatch {
    fn eq(&self, other: &PackedMatch) -> bool {
        self.runs == other.runs && self.tun_md == other.tun_md
    }
}
impl Eq for PackedMatch {}

/// (offset, length) of each stretch of nonzero mask bytes, split to be at
/// most [`MAX_RUN`] long.
fn mask_runs(mask: &FlowKey) -> impl Iterator<Item = (usize, usize)> + '_ {
    let mut at = 0;
    std::iter::from_fn(move || {
        while at < KEY_LEN && mask.0[at] == 0 {
            at += 1;
        }
        if at == KEY_LEN {
            return None;
        }
        let start = at;
        while at < KEY_LEN && mask.0[at] != 0 && at - start < MAX_RUN {
            at += 1;
        }
        Some((start, at - start))
    })
}

impl Match {
    /// This match packed for storage.
    pub fn pack(&self) -> PackedMatch {
        let mut runs = Vec::new();
        for (ofs, len) in mask_runs(&self.mask) {
            runs.extend_from_slice(&(ofs as u16).to_be_bytes());
            runs.push(len as u8);
            runs.extend_from_slice(&self.key.0[ofs..ofs + len]);
            runs.extend_from_slice(&self.mask.0[ofs..ofs + len]);
        }
        PackedMatch {
            runs: runs.into_boxed_slice(),
            tun_md: self.tun_md.clone().into_boxed_slice(),
            text_usable: self.text_usable,
        }
    }
}

impl PackedMatch {
    /// Each run: (offset, key bytes, mask bytes).
    fn runs(&self) -> impl Iterator<Item = (usize, &[u8], &[u8])> + '_ {
        let mut rest: &[u8] = &self.runs;
        std::iter::from_fn(move || {
            let (head, tail) = rest.split_at_checked(RUN_HEADER)?;
            let ofs = usize::from(u16::from_be_bytes([head[0], head[1]]));
            let len = usize::from(head[2]);
            let (key, tail) = tail.split_at_checked(len)?;
            let (mask, tail) = tail.split_at_checked(len)?;
            rest = tail;
            Some((ofs, key, mask))
        })
    }

    /// The whole match again.
    pub fn unpack(&self) -> Match {
        let mut m = Match::new();
        for (ofs, key, mask) in self.runs() {
            m.key.0[ofs..ofs + key.len()].copy_from_slice(key);
            m.mask.0[ofs..ofs + mask.len()].copy_from_slice(mask);
        }
        m.tun_md = self.tun_md.to_vec();
        m.text_usable = self.text_usable;
        m
    }

    /// Whether `key` (a packet) matches, without unpacking (tunnel
    /// metadata is not part of the flow key, as for a `Match`'s key).
    pub fn matches(&self, key: &FlowKey) -> bool {
        self.runs().all(|(ofs, value, mask)| {
            key.0[ofs..ofs + value.len()]
                .iter()
                .zip(value.iter().zip(mask))
                .all(|(k, (v, m))| k & m == *v)
        })
    }

    /// Whether the mask has a bit in `slot`.
    pub fn masks_any_of(&self, slot: Slot) -> bool {
        let (from, to) = (slot.ofs, slot.ofs + slot.len);
        self.runs().any(|(ofs, _, mask)| {
            let end = ofs + mask.len();
            ofs < to
                && from < end
                && mask[from.max(ofs) - ofs..to.min(end) - ofs]
                    .iter()
                    .any(|b| *b != 0)
        })
    }

    /// [`Match::format`] of the unpacked match.
    pub fn format(&self, priority: u16, ports: Option<&crate::port::PortMap>) -> String {
        self.unpack().format(priority, ports)
    }

    /// Heap bytes this match holds (for memory accounting).
    pub fn heap_bytes(&self) -> usize {
        self.runs.len() + self.tun_md.len() * std::mem::size_of::<TunMd>()
    }
}

impl PartialEq<Match> for PackedMatch {
    fn eq(&self, other: &Match) -> bool {
        *self == other.pack()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flow_match::key;
    use crate::flow_text::parse_flow_mod;
    use crate::msg::flow_mod::FlowModCommand;

    fn parse(text: &str) -> Match {
        parse_flow_mod(text, FlowModCommand::Add, None)
            .expect("flow text parses")
            .0
            .flow_match
    }

    #[test]
    fn packing_keeps_the_whole_match() {
        for text in [
            "actions=drop",
            "ip,nw_dst=10.1.2.0/24,actions=drop",
            "in_port=1,dl_src=01:02:03:04:05:06/ff:ff:ff:00:00:00,tcp,tp_dst=80,actions=drop",
            "ipv6,ipv6_src=2001:db8::/32,ipv6_dst=::1,actions=drop",
            "reg0=5,reg7=0x10/0xf0,metadata=0x1234,conj_id=7,actions=drop",
            "tun_metadata3=0x1234/0xffff,tun_id=5,actions=drop",
            "arp,arp_spa=1.2.3.4,arp_op=2,actions=drop",
        ] {
            let m = parse(text);
            let p = m.pack();
            let back = p.unpack();
            assert_eq!(back, m, "{text}");
            assert_eq!(back.key(), m.key(), "{text}");
            assert_eq!(back.mask(), m.mask(), "{text}");
            assert_eq!(back.usable_protocols(), m.usable_protocols(), "{text}");
            assert!(p == m, "{text}");
            assert_eq!(back.format(32768, None), m.format(32768, None));
        }
    }

    #[test]
    fn a_packed_match_is_small() {
        let m = parse("ip,nw_dst=10.1.2.3,actions=drop");
        let p = m.pack();
        // dl_type and nw_dst: two runs of a few bytes.
        assert!(p.heap_bytes() < 32, "{}", p.heap_bytes());
        assert!(std::mem::size_of::<PackedMatch>() <= 40);
        assert!(std::mem::size_of::<Match>() > 700);
    }

    #[test]
    fn runs_longer_than_a_length_byte_are_split() {
        let mut m = Match::new();
        m.mask.0[..KEY_LEN].fill(0xff);
        m.key.0[..KEY_LEN].fill(0x5a);
        let p = m.pack();
        assert_eq!(p.runs().count(), KEY_LEN.div_ceil(MAX_RUN));
        assert_eq!(p.unpack(), m);
    }

    #[test]
    fn packed_matches_test_packets_and_slots() {
        let m = parse("tcp,nw_src=10.0.0.0/8,tp_dst=80,actions=drop");
        let p = m.pack();
        let mut k = FlowKey::default();
        k.set_uint(key::DL_TYPE, 0x0800);
        k.set_uint(key::NW_PROTO, 6);
        k.get_mut(key::NW_SRC).copy_from_slice(&[10, 9, 8, 7]);
        k.set_uint(key::TP_DST, 80);
        assert!(p.matches(&k));
        k.set_uint(key::TP_DST, 81);
        assert!(!p.matches(&k));
        k.set_uint(key::TP_DST, 80);
        k.get_mut(key::NW_SRC).copy_from_slice(&[11, 9, 8, 7]);
        assert!(!p.matches(&k));
        assert!(p.masks_any_of(key::TP_DST));
        assert!(p.masks_any_of(key::NW_SRC));
        assert!(!p.masks_any_of(key::NW_DST));
        assert!(!p.masks_any_of(key::CONJ_ID));
        assert!(parse("conj_id=3,actions=drop")
            .pack()
            .masks_any_of(key::CONJ_ID));
    }
}
