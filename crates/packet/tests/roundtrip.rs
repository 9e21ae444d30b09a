//! Property tests: compose -> extract gives the key back for every
//! protocol compose supports, composed frames carry valid checksums, and
//! extract never panics on random or truncated bytes.

mod common;

use openflow::flow_match::key::{self, FlowKey};
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn compose_then_extract_gives_the_key(seed in any::<u64>()) {
        let k = common::random_key(&mut common::Rng(seed));
        let frame = packet::compose(&k);
        let mut got = FlowKey::default();
        packet::extract(&frame, &mut got);
        prop_assert_eq!(&got, &k, "frame {}", common::verify::hex(&frame));
    }

    #[test]
    fn composed_frames_have_valid_checksums(seed in any::<u64>()) {
        let k = common::random_key(&mut common::Rng(seed));
        let frame = common::compose_valid(&k);
        prop_assert_eq!(common::verify::check(&frame), Ok(()));
    }

    #[test]
    fn extract_survives_random_bytes(data in proptest::collection::vec(any::<u8>(), 0..200)) {
        let mut k = FlowKey::default();
        packet::extract(&data, &mut k);
    }

    #[test]
    fn extract_survives_every_truncation(seed in any::<u64>()) {
        let k = common::random_key(&mut common::Rng(seed));
        let frame = packet::compose(&k);
        let mut got = FlowKey::default();
        for n in 0..=frame.len() {
            packet::extract(&frame[..n], &mut got);
            // A frame cut anywhere never yields fields it does not have.
            if n < 14 {
                prop_assert!(got.is_zero(key::DL_TYPE));
            }
        }
    }

    #[test]
    fn extract_survives_mutated_frames(seed in any::<u64>(), flips in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..8)) {
        let k = common::random_key(&mut common::Rng(seed));
        let mut frame = packet::compose(&k);
        for (at, b) in flips {
            let n = frame.len();
            frame[at % n] = b;
        }
        let mut got = FlowKey::default();
        packet::extract(&frame, &mut got);
    }
}

#[test]
fn ipv6_fragments_compose_without_fragment_header() {
    // As the reference: frag=first keeps the transport header, frag=later
    // has none, neither has a fragment header.
    let mut k = FlowKey::default();
    k.set_uint(key::DL_TYPE, 0x86dd);
    k.set_uint(key::NW_PROTO, 17);
    k.set_uint(key::NW_FRAG, 1);
    k.set_uint(key::TP_SRC, 53);
    let f = packet::compose(&k);
    assert_eq!(f[14 + 6], 17);
    assert_eq!(f.len(), 14 + 40 + 8 + 64);
    k.set_uint(key::NW_FRAG, 3);
    let f = packet::compose(&k);
    assert_eq!(f.len(), 14 + 40);
}

#[test]
fn compose_sizes_follow_the_reference() {
    // Frame lengths observed from the reference's dummy ports.
    let mut k = FlowKey::default();
    k.set_uint(key::DL_TYPE, 0x0800);
    k.set_uint(key::NW_PROTO, 6);
    k.set_uint(key::TCP_FLAGS, 0x002);
    assert_eq!(packet::compose(&k).len(), 54);
    k.set_uint(key::TCP_FLAGS, 0x010);
    assert_eq!(packet::compose(&k).len(), 118);
    k.set_uint(key::NW_PROTO, 17);
    assert_eq!(packet::compose(&k).len(), 106);
    k.set_uint(key::NW_PROTO, 132);
    assert_eq!(packet::compose(&k).len(), 46);
    k.set_uint(key::NW_FRAG, 3);
    assert_eq!(packet::compose(&k).len(), 34);
    let mut k = FlowKey::default();
    k.set_uint(key::DL_TYPE, 0x0806);
    assert_eq!(packet::compose(&k).len(), 42);
    k.set_uint(key::DL_TYPE, 0x8847);
    assert_eq!(packet::compose(&k).len(), 26);
    k.set_uint(key::MPLS_LSE, 0x100);
    assert_eq!(packet::compose(&k).len(), 18);
    k.set_uint(key::DL_TYPE, 0x05ff);
    assert_eq!(packet::compose(&k), [vec![0; 12], vec![0, 14]].concat());
}

#[test]
fn metadata_slots_are_left_alone() {
    let mut k = FlowKey::default();
    k.set_uint(key::IN_PORT, 7);
    k.set_uint(key::RECIRC_ID, 9);
    k.set_uint(key::TP_SRC, 99);
    packet::extract(&[0u8; 20], &mut k);
    assert_eq!(k.u16(key::IN_PORT), 7);
    assert_eq!(k.u32(key::RECIRC_ID), 9);
    // Packet slots are rewritten even when the packet has no such field.
    assert_eq!(k.u16(key::TP_SRC), 0);
}

#[test]
fn edge_case_frames_extract_without_panic() {
    for (name, frame) in common::frames::edge_cases() {
        let mut k = FlowKey::default();
        let lay = packet::extract(&frame, &mut k);
        assert_eq!(lay.dl_type, k.u16(key::DL_TYPE), "{name}");
    }
}
