//! Which flow protocols can carry a match. Two parts, as in the reference:
//! what each field allows given how it was written in text (OF1.0 and OF1.1
//! support some fields exactly, some with CIDR masks, some bitwise), and what
//! the match as a whole allows (`usable`).

use super::key;
use super::Match;
use super::{ETH_TYPE_ARP, ETH_TYPE_IP, ETH_TYPE_IPV6, ETH_TYPE_RARP};
use crate::field::{value_is_cidr, FieldId};
use crate::protocol::Protocols;

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Support {
    No,
    Exact,
    Cidr,
    Bitwise,
}

/// OpenFlow 1.0 and 1.1 support of a field (`man ovs-fields`).
fn fixed_support(f: FieldId) -> (Support, Support) {
    use Support::*;
    match f {
        FieldId::IN_PORT => (Exact, Exact),
        FieldId::IN_PORT_OXM => (No, Exact),
        FieldId::METADATA => (No, Bitwise),
        FieldId::ETH_SRC | FieldId::ETH_DST => (Exact, Bitwise),
        FieldId::ETH_TYPE
        | FieldId::VLAN_TCI
        | FieldId::DL_VLAN
        | FieldId::DL_VLAN_PCP
        | FieldId::VLAN_VID
        | FieldId::VLAN_PCP => (Exact, Exact),
        FieldId::MPLS_LABEL | FieldId::MPLS_TC => (No, Exact),
        FieldId::IP_SRC | FieldId::IP_DST | FieldId::ARP_SPA | FieldId::ARP_TPA => (Cidr, Bitwise),
        FieldId::NW_PROTO | FieldId::NW_TOS | FieldId::IP_DSCP | FieldId::ARP_OP => (Exact, Exact),
        FieldId::NW_ECN => (No, Exact),
        FieldId::TCP_SRC
        | FieldId::TCP_DST
        | FieldId::UDP_SRC
        | FieldId::UDP_DST
        | FieldId::ICMP_TYPE
        | FieldId::ICMP_CODE => (Exact, Exact),
        FieldId::SCTP_SRC | FieldId::SCTP_DST => (No, Exact),
        _ => (No, No),
    }
}

/// The protocols that allow setting `f` under `mask` (as text parsing does it).
pub(crate) fn field_usable(f: FieldId, mask: &[u8]) -> Protocols {
    if mask.iter().all(|b| *b == 0) {
        return Protocols::ANY;
    }
    let kind = if mask.iter().all(|b| *b == 0xff) {
        Support::Exact
    } else if value_is_cidr(mask) {
        Support::Cidr
    } else {
        Support::Bitwise
    };
    let mut p = Protocols::NONE;
    if f.has_wire() || f == FieldId::DL_VLAN || f == FieldId::DL_VLAN_PCP {
        p = p.union(Protocols::NXM_OXM_ANY);
    }
    let (of10, of11) = fixed_support(f);
    if of10 != Support::No && kind <= of10 {
        p = p.union(Protocols::OF10_STD_ANY);
    }
    if of11 != Support::No && kind <= of11 {
        p = p.union(Protocols::OF11_STD);
    }
    p
}

/// The protocols that can express the match as a whole.
pub(crate) fn usable(m: &Match) -> Protocols {
    let k = &m.key;
    let w = &m.mask;
    let nxm_oxm = Protocols::NXM_OXM_ANY;
    let nxm_oxm_of11 = Protocols::NXM_OXM_ANY.union(Protocols::OF11_STD);
    let mut p = Protocols::ANY;
    if !w.is_zero(key::SKB_PRIORITY) {
        return Protocols::NONE;
    }
    // Fields only NXM/OXM can carry.
    let nxm_only = [
        key::PKT_MARK,
        key::RECIRC_ID,
        key::DP_HASH,
        key::CONJ_ID,
        key::ACTSET_OUTPUT,
        key::CT_STATE,
        key::CT_ZONE,
        key::CT_MARK,
        key::CT_LABEL,
        key::CT_NW_PROTO,
        key::CT_NW_SRC,
        key::CT_NW_DST,
        key::CT_IPV6_SRC,
        key::CT_IPV6_DST,
        key::CT_TP_SRC,
        key::CT_TP_DST,
        key::REGS,
        key::TUN_ID,
        key::TUN_SRC,
        key::TUN_DST,
        key::TUN_IPV6_SRC,
        key::TUN_IPV6_DST,
        key::TUN_FLAGS,
        key::TUN_GBP_ID,
        key::TUN_GBP_FLAGS,
        key::TUN_ERSPAN_VER,
        key::TUN_ERSPAN_IDX,
        key::TUN_ERSPAN_DIR,
        key::TUN_ERSPAN_HWID,
        key::TUN_GTPU_FLAGS,
        key::TUN_GTPU_MSGTYPE,
        key::ARP_SHA,
        key::ARP_THA,
        key::NW_FRAG,
        key::NW_TTL,
        key::IPV6_SRC,
        key::IPV6_DST,
        key::IPV6_LABEL,
        key::ND_TARGET,
        key::ND_RESERVED,
        key::ND_OPTIONS_TYPE,
        key::TCP_FLAGS,
        key::NSH_FLAGS,
        key::NSH_TTL,
        key::NSH_MDTYPE,
        key::NSH_NP,
        key::NSH_SPI,
        key::NSH_SI,
        key::NSH_C,
    ];
    if nxm_only.iter().any(|s| !w.is_zero(*s)) || !m.tun_md.is_empty() {
        p = p.intersect(nxm_oxm);
    }
    // A packet type other than Ethernet.
    if !w.is_zero(key::PACKET_TYPE) && k.u32(key::PACKET_TYPE) != 0 {
        p = p.intersect(nxm_oxm);
    }
    if !w.is_zero(key::METADATA) {
        p = p.intersect(nxm_oxm_of11);
    }
    for s in [key::DL_SRC, key::DL_DST] {
        if !w.is_zero(s) && !w.is_ones(s) {
            p = p.intersect(nxm_oxm_of11);
        }
    }
    let dl = k.u16(key::DL_TYPE);
    if dl == ETH_TYPE_IPV6 && !w.is_zero(key::DL_TYPE) {
        // OF1.0 and OF1.1 have no IPv6 fields: only dl_type itself fits.
        let l3 = [key::NW_PROTO, key::NW_TOS, key::TP_SRC, key::TP_DST];
        if l3.iter().any(|s| !w.is_zero(*s)) {
            p = p.intersect(nxm_oxm);
        }
    }
    if w.u8(key::NW_TOS) & 0x03 != 0 {
        p = p.intersect(nxm_oxm_of11);
    }
    if dl == ETH_TYPE_IP || dl == ETH_TYPE_ARP || dl == ETH_TYPE_RARP {
        for s in [key::NW_SRC, key::NW_DST] {
            if !value_is_cidr(w.get(s)) {
                p = p.intersect(nxm_oxm_of11);
            }
        }
    }
    for s in [key::TP_SRC, key::TP_DST] {
        if !w.is_zero(s) && !w.is_ones(s) {
            p = p.intersect(nxm_oxm);
        }
    }
    let lse = w.u32(key::MPLS_LSE);
    if lse & 0x0000_01ff != 0 {
        // BOS and TTL: NXM/OXM only.
        p = p.intersect(nxm_oxm);
    } else if lse != 0 {
        p = p.intersect(nxm_oxm_of11);
    }
    p
}
