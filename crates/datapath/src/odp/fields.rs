//! Field tables of the datapath flow syntax: which flow-key bits each
//! `name=value` of an attribute such as `ipv4(...)` or `mpls(...)` covers, and
//! how its value and mask are written. Shared by the key text and by the
//! `set(...)` action text.

use openflow::flow_match::key::{self as k, FlowKey, Slot};

/// How a field's value is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Decimal.
    Dec,
    /// `%#x`: `0` or `0x1f`.
    Hex,
    Mac,
    Ip4,
    Ip6,
    /// IP fragment state: `no`, `first`, `later`; never written with a mask.
    Frag,
}

/// How a field's mask is written when it is not exact.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum MaskStyle {
    /// `%#x` (`0` for zero).
    AltHex,
    /// `0x%x` (`0x0` for zero).
    Hex,
    /// Decimal.
    Dec,
}

/// One `name=value[/mask]` of an attribute.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Field {
    pub name: &'static str,
    pub slot: Slot,
    /// Bit offset of the field inside the slot (from the least significant bit).
    pub shift: u32,
    /// Width in bits; 0 = the whole slot.
    pub width: u32,
    pub kind: Kind,
    pub mask_style: MaskStyle,
}

const fn f(name: &'static str, slot: Slot, kind: Kind) -> Field {
    Field {
        name,
        slot,
        shift: 0,
        width: 0,
        kind,
        mask_style: MaskStyle::AltHex,
    }
}

const fn bits(name: &'static str, slot: Slot, shift: u32, width: u32, kind: Kind) -> Field {
    Field {
        name,
        slot,
        shift,
        width,
        kind,
        mask_style: MaskStyle::AltHex,
    }
}

const fn styled(fld: Field, mask_style: MaskStyle) -> Field {
    Field { mask_style, ..fld }
}

impl Field {
    pub fn width(&self) -> u32 {
        if self.width == 0 {
            (self.slot.len * 8) as u32
        } else {
            self.width
        }
    }

    /// All-ones for the field's width.
    pub fn full(&self) -> u128 {
        let w = self.width();
        if w >= 128 {
            u128::MAX
        } else {
            (1u128 << w) - 1
        }
    }

    pub fn get(&self, key: &FlowKey) -> u128 {
        let raw = key
            .get(self.slot)
            .iter()
            .fold(0u128, |a, b| (a << 8) | u128::from(*b));
        (raw >> self.shift) & self.full()
    }

    pub fn set(&self, key: &mut FlowKey, value: u128) {
        let n = self.slot.len;
        let bytes = key.get_mut(self.slot);
        let mut raw = bytes.iter().fold(0u128, |a, b| (a << 8) | u128::from(*b));
        let m = self.full() << self.shift;
        raw = (raw & !m) | ((value << self.shift) & m);
        for (i, b) in bytes.iter_mut().enumerate() {
            *b = (raw >> (8 * (n - 1 - i))) as u8;
        }
    }
}

/// An attribute made of named fields, e.g. `ipv4(src=..,dst=..)`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Group {
    pub name: &'static str,
    pub fields: &'static [Field],
    /// Write every field even when its mask is zero (the reference does for `mpls`).
    pub keep_all: bool,
}

const fn group(name: &'static str, fields: &'static [Field]) -> Group {
    Group {
        name,
        fields,
        keep_all: false,
    }
}

use Kind::*;

pub(crate) const ETH: Group = group("eth", &[f("src", k::DL_SRC, Mac), f("dst", k::DL_DST, Mac)]);

pub(crate) const PACKET_TYPE: Group = group(
    "packet_type",
    &[
        bits("ns", k::PACKET_TYPE, 16, 16, Dec),
        bits("id", k::PACKET_TYPE, 0, 16, Hex),
    ],
);

pub(crate) const VLAN_VID: Field = bits("vid", k::VLAN_TCI, 0, 12, Dec);
pub(crate) const VLAN_PCP: Field = bits("pcp", k::VLAN_TCI, 13, 3, Dec);
pub(crate) const VLAN_CFI: Field = bits("cfi", k::VLAN_TCI, 12, 1, Dec);

pub(crate) const IPV4: Group = group(
    "ipv4",
    &[
        f("src", k::NW_SRC, Ip4),
        f("dst", k::NW_DST, Ip4),
        f("proto", k::NW_PROTO, Dec),
        f("tos", k::NW_TOS, Hex),
        f("ttl", k::NW_TTL, Dec),
        f("frag", k::NW_FRAG, Frag),
    ],
);

pub(crate) const IPV6: Group = group(
    "ipv6",
    &[
        f("src", k::IPV6_SRC, Ip6),
        f("dst", k::IPV6_DST, Ip6),
        bits("label", k::IPV6_LABEL, 0, 20, Hex),
        f("proto", k::NW_PROTO, Dec),
        f("tclass", k::NW_TOS, Hex),
        f("hlimit", k::NW_TTL, Dec),
        f("frag", k::NW_FRAG, Frag),
    ],
);

pub(crate) const ARP: Group = group(
    "arp",
    &[
        f("sip", k::NW_SRC, Ip4),
        f("tip", k::NW_DST, Ip4),
        f("op", k::NW_PROTO, Dec),
        f("sha", k::ARP_SHA, Mac),
        f("tha", k::ARP_THA, Mac),
    ],
);

pub(crate) const MPLS: Group = Group {
    name: "mpls",
    fields: &[
        styled(bits("label", k::MPLS_LSE, 12, 20, Dec), MaskStyle::Hex),
        styled(bits("tc", k::MPLS_LSE, 9, 3, Dec), MaskStyle::Dec),
        styled(bits("ttl", k::MPLS_LSE, 0, 8, Dec), MaskStyle::Hex),
        styled(bits("bos", k::MPLS_LSE, 8, 1, Dec), MaskStyle::Dec),
    ],
    keep_all: true,
};

const PORTS: &[Field] = &[f("src", k::TP_SRC, Dec), f("dst", k::TP_DST, Dec)];
pub(crate) const TCP: Group = group("tcp", PORTS);
pub(crate) const UDP: Group = group("udp", PORTS);
pub(crate) const SCTP: Group = group("sctp", PORTS);

const ICMP_FIELDS: &[Field] = &[
    bits("type", k::TP_SRC, 0, 8, Dec),
    bits("code", k::TP_DST, 0, 8, Dec),
];
pub(crate) const ICMP: Group = group("icmp", ICMP_FIELDS);
pub(crate) const ICMPV6: Group = group("icmpv6", ICMP_FIELDS);

pub(crate) const ND: Group = group(
    "nd",
    &[
        f("target", k::ND_TARGET, Ip6),
        f("sll", k::ARP_SHA, Mac),
        f("tll", k::ARP_THA, Mac),
    ],
);

pub(crate) const CT_TUPLE4: Group = group(
    "ct_tuple4",
    &[
        f("src", k::CT_NW_SRC, Ip4),
        f("dst", k::CT_NW_DST, Ip4),
        f("proto", k::CT_NW_PROTO, Dec),
        f("tp_src", k::CT_TP_SRC, Dec),
        f("tp_dst", k::CT_TP_DST, Dec),
    ],
);

pub(crate) const CT_TUPLE6: Group = group(
    "ct_tuple6",
    &[
        f("src", k::CT_IPV6_SRC, Ip6),
        f("dst", k::CT_IPV6_DST, Ip6),
        f("proto", k::CT_NW_PROTO, Dec),
        f("tp_src", k::CT_TP_SRC, Dec),
        f("tp_dst", k::CT_TP_DST, Dec),
    ],
);

/// Single-value attributes written `name(value[/mask])` in `%#x`.
pub(crate) const SKB_PRIORITY: Field = f("skb_priority", k::SKB_PRIORITY, Hex);
pub(crate) const SKB_MARK: Field = f("skb_mark", k::PKT_MARK, Hex);
pub(crate) const CT_ZONE: Field = f("ct_zone", k::CT_ZONE, Hex);
pub(crate) const CT_MARK: Field = f("ct_mark", k::CT_MARK, Hex);
pub(crate) const CT_LABEL: Field = f("ct_label", k::CT_LABEL, Hex);
pub(crate) const CT_STATE: Field = f("ct_state", k::CT_STATE, Hex);
pub(crate) const RECIRC_ID: Field = f("recirc_id", k::RECIRC_ID, Hex);
pub(crate) const DP_HASH: Field = f("dp_hash", k::DP_HASH, Hex);
pub(crate) const IN_PORT: Field = f("in_port", k::IN_PORT, Dec);
pub(crate) const ETH_TYPE: Field = f("eth_type", k::DL_TYPE, Hex);
pub(crate) const TCP_FLAGS: Field = bits("tcp_flags", k::TCP_FLAGS, 0, 12, Hex);

/// Connection-tracking state bits, in the reference's order.
pub(crate) const CT_STATE_NAMES: &[(&str, u32)] = &[
    ("new", 0x01),
    ("est", 0x02),
    ("rel", 0x04),
    ("rpl", 0x08),
    ("inv", 0x10),
    ("trk", 0x20),
    ("snat", 0x40),
    ("dnat", 0x80),
];

/// TCP flag bits by name.
pub(crate) const TCP_FLAG_NAMES: &[(&str, u32)] = &[
    ("fin", 0x001),
    ("syn", 0x002),
    ("rst", 0x004),
    ("psh", 0x008),
    ("ack", 0x010),
    ("urg", 0x020),
    ("ece", 0x040),
    ("cwr", 0x080),
    ("ns", 0x100),
];

/// Ethernet types that select an L3 attribute.
pub(crate) const ETH_TYPE_IP: u16 = 0x0800;
pub(crate) const ETH_TYPE_IPV6: u16 = 0x86dd;
pub(crate) const ETH_TYPE_ARP: u16 = 0x0806;
pub(crate) const ETH_TYPE_RARP: u16 = 0x8035;
pub(crate) const ETH_TYPE_MPLS: u16 = 0x8847;
pub(crate) const ETH_TYPE_MPLS_MCAST: u16 = 0x8848;
pub(crate) const ETH_TYPE_VLAN: u16 = 0x8100;
pub(crate) const ETH_TYPE_VLAN_8021AD: u16 = 0x88a8;

/// The L3 attribute for an Ethernet type, if it has one.
pub(crate) fn l3_group(dl_type: u16) -> Option<&'static Group> {
    match dl_type {
        ETH_TYPE_IP => Some(&IPV4),
        ETH_TYPE_IPV6 => Some(&IPV6),
        ETH_TYPE_ARP | ETH_TYPE_RARP => Some(&ARP),
        ETH_TYPE_MPLS | ETH_TYPE_MPLS_MCAST => Some(&MPLS),
        _ => None,
    }
}

/// The L4 attribute for an IP protocol, if it has one.
pub(crate) fn l4_group(dl_type: u16, nw_proto: u8) -> Option<&'static Group> {
    match (dl_type, nw_proto) {
        (_, 6) => Some(&TCP),
        (_, 17) => Some(&UDP),
        (_, 132) => Some(&SCTP),
        (ETH_TYPE_IP, 1) => Some(&ICMP),
        (ETH_TYPE_IPV6, 58) => Some(&ICMPV6),
        _ => None,
    }
}

/// Every group by attribute name (for parsing).
pub(crate) fn group_by_name(name: &str) -> Option<&'static Group> {
    [
        &ETH,
        &PACKET_TYPE,
        &IPV4,
        &IPV6,
        &ARP,
        &MPLS,
        &TCP,
        &UDP,
        &SCTP,
        &ICMP,
        &ICMPV6,
        &ND,
        &CT_TUPLE4,
        &CT_TUPLE6,
    ]
    .into_iter()
    .find(|g| g.name == name)
}
