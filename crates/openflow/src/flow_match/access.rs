//! Where each field lives in the flow key, and how a field's value (as the
//! field table defines it) maps onto those key bits.

use super::key::{self, Slot};
use crate::field::FieldId;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Access {
    /// The field's bytes are the slot's bytes.
    Direct(Slot),
    /// The field's value is `(slot >> shift) & vmask` of the slot read as an
    /// integer; the field's value is `n_bytes` wide.
    Bits { slot: Slot, shift: u32, vmask: u64 },
    /// A 32-bit OpenFlow 1.1 port stored as a 16-bit port.
    Port11(Slot),
    /// tun_metadataN, kept outside the key.
    TunMetadata(usize),
}

/// Where `f` lives. Asked for every field looked up in every flow parsed,
/// encoded and printed, so it is computed once per field into a table.
pub(crate) fn access(f: FieldId) -> Access {
    use std::sync::OnceLock;
    static TABLE: OnceLock<Vec<Access>> = OnceLock::new();
    let table = TABLE.get_or_init(|| FieldId::all().map(compute_access).collect());
    table
        .get(f.index())
        .copied()
        .unwrap_or_else(|| compute_access(f))
}

fn compute_access(f: FieldId) -> Access {
    use Access::*;
    if let Some(i) = f.reg_index() {
        return Direct(key::REGS.sub(4 * i, 4));
    }
    if let Some(i) = f.xreg_index() {
        return Direct(key::REGS.sub(8 * i, 8));
    }
    if let Some(i) = f.xxreg_index() {
        return Direct(key::REGS.sub(16 * i, 16));
    }
    if let Some(i) = f.tun_metadata_index() {
        return TunMetadata(i);
    }
    for i in 1..=4 {
        if FieldId::nsh_c(i) == Some(f) {
            return Direct(key::NSH_C.sub(4 * (i - 1), 4));
        }
    }
    let bits = |slot, shift, vmask| Bits { slot, shift, vmask };
    match f {
        FieldId::TUN_ID => Direct(key::TUN_ID),
        FieldId::TUN_SRC => Direct(key::TUN_SRC),
        FieldId::TUN_DST => Direct(key::TUN_DST),
        FieldId::TUN_IPV6_SRC => Direct(key::TUN_IPV6_SRC),
        FieldId::TUN_IPV6_DST => Direct(key::TUN_IPV6_DST),
        FieldId::TUN_GBP_ID => Direct(key::TUN_GBP_ID),
        FieldId::TUN_GBP_FLAGS => Direct(key::TUN_GBP_FLAGS),
        // The reference stores the ERSPAN fields and ipv6_label whole:
        // out-of-range values survive parsing (and fail on the wire).
        FieldId::TUN_ERSPAN_IDX => Direct(key::TUN_ERSPAN_IDX),
        FieldId::TUN_ERSPAN_VER => Direct(key::TUN_ERSPAN_VER),
        FieldId::TUN_ERSPAN_DIR => Direct(key::TUN_ERSPAN_DIR),
        FieldId::TUN_ERSPAN_HWID => Direct(key::TUN_ERSPAN_HWID),
        FieldId::TUN_GTPU_FLAGS => Direct(key::TUN_GTPU_FLAGS),
        FieldId::TUN_GTPU_MSGTYPE => Direct(key::TUN_GTPU_MSGTYPE),
        FieldId::TUN_FLAGS => bits(key::TUN_FLAGS, 0, 0x1),
        FieldId::IN_PORT => Direct(key::IN_PORT),
        FieldId::IN_PORT_OXM => Port11(key::IN_PORT),
        FieldId::SKB_PRIORITY => Direct(key::SKB_PRIORITY),
        FieldId::PKT_MARK => Direct(key::PKT_MARK),
        FieldId::ACTSET_OUTPUT => Port11(key::ACTSET_OUTPUT),
        FieldId::PACKET_TYPE => Direct(key::PACKET_TYPE),
        FieldId::CONJ_ID => Direct(key::CONJ_ID),
        FieldId::DP_HASH => Direct(key::DP_HASH),
        FieldId::RECIRC_ID => Direct(key::RECIRC_ID),
        // The reference keeps ct_state in 8 bits: an exact match is mask 0xff.
        FieldId::CT_STATE => bits(key::CT_STATE, 0, 0xff),
        FieldId::CT_ZONE => Direct(key::CT_ZONE),
        FieldId::CT_MARK => Direct(key::CT_MARK),
        FieldId::CT_LABEL => Direct(key::CT_LABEL),
        FieldId::CT_NW_SRC => Direct(key::CT_NW_SRC),
        FieldId::CT_NW_DST => Direct(key::CT_NW_DST),
        FieldId::CT_IPV6_SRC => Direct(key::CT_IPV6_SRC),
        FieldId::CT_IPV6_DST => Direct(key::CT_IPV6_DST),
        FieldId::CT_NW_PROTO => Direct(key::CT_NW_PROTO),
        FieldId::CT_TP_SRC => Direct(key::CT_TP_SRC),
        FieldId::CT_TP_DST => Direct(key::CT_TP_DST),
        FieldId::METADATA => Direct(key::METADATA),
        FieldId::ETH_SRC => Direct(key::DL_SRC),
        FieldId::ETH_DST => Direct(key::DL_DST),
        FieldId::ETH_TYPE => Direct(key::DL_TYPE),
        FieldId::VLAN_TCI => Direct(key::VLAN_TCI),
        FieldId::DL_VLAN => bits(key::VLAN_TCI, 0, 0x0fff),
        FieldId::VLAN_VID => bits(key::VLAN_TCI, 0, 0x1fff),
        FieldId::DL_VLAN_PCP | FieldId::VLAN_PCP => bits(key::VLAN_TCI, 13, 0x7),
        FieldId::MPLS_LABEL => bits(key::MPLS_LSE, 12, 0xf_ffff),
        FieldId::MPLS_TC => bits(key::MPLS_LSE, 9, 0x7),
        FieldId::MPLS_BOS => bits(key::MPLS_LSE, 8, 0x1),
        FieldId::MPLS_TTL => bits(key::MPLS_LSE, 0, 0xff),
        FieldId::IP_SRC | FieldId::ARP_SPA => Direct(key::NW_SRC),
        FieldId::IP_DST | FieldId::ARP_TPA => Direct(key::NW_DST),
        FieldId::IPV6_SRC => Direct(key::IPV6_SRC),
        FieldId::IPV6_DST => Direct(key::IPV6_DST),
        FieldId::IPV6_LABEL => Direct(key::IPV6_LABEL),
        FieldId::NW_PROTO => Direct(key::NW_PROTO),
        FieldId::NW_TTL => Direct(key::NW_TTL),
        FieldId::IP_FRAG => bits(key::NW_FRAG, 0, 0x3),
        FieldId::NW_TOS => bits(key::NW_TOS, 0, 0xfc),
        FieldId::IP_DSCP => bits(key::NW_TOS, 2, 0x3f),
        FieldId::NW_ECN => bits(key::NW_TOS, 0, 0x3),
        FieldId::ARP_OP => bits(key::NW_PROTO, 0, 0xff),
        FieldId::ARP_SHA | FieldId::ND_SLL => Direct(key::ARP_SHA),
        FieldId::ARP_THA | FieldId::ND_TLL => Direct(key::ARP_THA),
        FieldId::NSH_FLAGS => Direct(key::NSH_FLAGS),
        FieldId::NSH_TTL => Direct(key::NSH_TTL),
        FieldId::NSH_MDTYPE => Direct(key::NSH_MDTYPE),
        FieldId::NSH_NP => Direct(key::NSH_NP),
        FieldId::NSH_SPI => bits(key::NSH_SPI, 0, 0xff_ffff),
        FieldId::NSH_SI => Direct(key::NSH_SI),
        FieldId::TCP_SRC | FieldId::UDP_SRC | FieldId::SCTP_SRC => Direct(key::TP_SRC),
        FieldId::TCP_DST | FieldId::UDP_DST | FieldId::SCTP_DST => Direct(key::TP_DST),
        FieldId::TCP_FLAGS => Direct(key::TCP_FLAGS),
        FieldId::ICMP_TYPE | FieldId::ICMPV6_TYPE => bits(key::TP_SRC, 0, 0xff),
        FieldId::ICMP_CODE | FieldId::ICMPV6_CODE => bits(key::TP_DST, 0, 0xff),
        FieldId::ND_TARGET => Direct(key::ND_TARGET),
        FieldId::ND_RESERVED => Direct(key::ND_RESERVED),
        FieldId::ND_OPTIONS_TYPE => Direct(key::ND_OPTIONS_TYPE),
        // Every field is listed above; this arm only keeps the match total.
        _ => Direct(key::Slot { ofs: 0, len: 0 }),
    }
}

/// Whether `m` is the mask that makes field `f` "exactly matched" in its own
/// value space (all its bits; for a bit view, the view's bits).
pub(crate) fn is_full_mask(f: FieldId, m: &[u8]) -> bool {
    match access(f) {
        Access::Bits { vmask, .. } => m.len() == f.n_bytes() && be_to_uint(m) == vmask,
        _ => m.len() == f.n_bytes() && m.iter().all(|b| *b == 0xff),
    }
}

pub(crate) fn be_to_uint(b: &[u8]) -> u64 {
    b.iter().fold(0u64, |a, x| (a << 8) | u64::from(*x))
}
