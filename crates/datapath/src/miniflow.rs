//! `dp-extra-info:miniflow_bits(A,B)` of verbose dumps: how many 64-bit
//! words of the reference's `struct flow` the megaflow mask touches, in its
//! first 64 words (A) and the rest (B). Needs the byte offset in that
//! structure of every key slot, kept here and nowhere else.

use openflow::flow_match::key::{self as k, FlowKey, Slot};

/// (our slot, byte offset of the same field in the reference's flow).
const OFFSETS: &[(Slot, usize)] = &[
    (k::TUN_DST, 0),
    (k::TUN_SRC, 4),
    (k::TUN_IPV6_DST, 8),
    (k::TUN_IPV6_SRC, 24),
    (k::TUN_ID, 40),
    (k::TUN_FLAGS, 48),
    (k::TUN_GBP_ID, 56),
    (k::TUN_GBP_FLAGS, 58),
    (k::TUN_ERSPAN_VER, 59),
    (k::TUN_ERSPAN_IDX, 60),
    (k::TUN_ERSPAN_DIR, 64),
    (k::TUN_ERSPAN_HWID, 65),
    (k::TUN_GTPU_FLAGS, 66),
    (k::TUN_GTPU_MSGTYPE, 67),
    (k::METADATA, 344),
    (k::REGS, 352),
    (k::SKB_PRIORITY, 416),
    (k::PKT_MARK, 420),
    // Observed: dp_hash does not share in_port's word (as its declaration
    // order would suggest); it is counted with skb_priority/pkt_mark.
    (k::DP_HASH, 416),
    (k::IN_PORT, 428),
    (k::RECIRC_ID, 432),
    (k::CT_STATE, 436),
    (k::CT_NW_PROTO, 437),
    (k::CT_ZONE, 438),
    (k::CT_MARK, 440),
    (k::PACKET_TYPE, 444),
    (k::CT_LABEL, 448),
    (k::CONJ_ID, 464),
    (k::ACTSET_OUTPUT, 468),
    (k::DL_DST, 472),
    (k::DL_SRC, 478),
    (k::DL_TYPE, 484),
    (k::VLAN_TCI, 490),
    (k::MPLS_LSE, 496),
    (k::NW_SRC, 512),
    (k::NW_DST, 516),
    (k::CT_NW_SRC, 520),
    (k::CT_NW_DST, 524),
    (k::IPV6_SRC, 528),
    (k::IPV6_DST, 544),
    (k::CT_IPV6_SRC, 560),
    (k::CT_IPV6_DST, 576),
    (k::IPV6_LABEL, 592),
    (k::NW_FRAG, 596),
    (k::NW_TOS, 597),
    (k::NW_TTL, 598),
    (k::NW_PROTO, 599),
    (k::ND_TARGET, 600),
    (k::ARP_SHA, 616),
    (k::ARP_THA, 622),
    (k::TCP_FLAGS, 628),
    (k::ND_OPTIONS_TYPE, 628),
    (k::NSH_FLAGS, 632),
    (k::NSH_TTL, 633),
    (k::NSH_MDTYPE, 634),
    (k::NSH_NP, 635),
    (k::NSH_SPI, 636),
    (k::NSH_SI, 639),
    (k::NSH_C, 640),
    (k::TP_SRC, 656),
    (k::TP_DST, 658),
    (k::CT_TP_SRC, 660),
    (k::CT_TP_DST, 662),
    (k::ND_RESERVED, 664),
];

/// Words in the reference's flow.
const FLOW_U64S: usize = 84;

/// (words among the first 64, words after) that `mask` touches. `key`
/// tells the VLAN "present" bit the datapath adds for untagged packets
/// (not part of the reference's mask) from a real VLAN match.
pub fn miniflow_bits(key: &FlowKey, mask: &FlowKey) -> (u32, u32) {
    let mut words = [false; FLOW_U64S];
    for (slot, ofs) in OFFSETS {
        let m = mask.get(*slot);
        if *slot == k::VLAN_TCI && key.u16(k::VLAN_TCI) == 0 && mask.u16(k::VLAN_TCI) == 0x1000 {
            continue;
        }
        for (i, b) in m.iter().enumerate() {
            if *b != 0 {
                if let Some(w) = words.get_mut((ofs + i) / 8) {
                    *w = true;
                }
            }
        }
    }
    let first = words.iter().take(64).filter(|w| **w).count() as u32;
    let rest = words.iter().skip(64).filter(|w| **w).count() as u32;
    (first, rest)
}
