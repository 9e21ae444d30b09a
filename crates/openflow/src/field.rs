//! Match fields (`man ovs-fields`): the table of every field with its name and
//! aliases, width, maskability, prerequisites, writability, wire code points
//! (NXM, OXM, experimenter OXM) and value text format.
//!
//! A [`FieldId`] is an index into that table. Wire code points are described
//! by [`Wire`]; which one a field uses depends on the protocol version
//! ([`FieldId::wire_for`]). Values and masks are always network byte order and
//! exactly [`FieldId::n_bytes`] long, except `tun_metadataN`, whose wire length
//! is variable (1 to 124 bytes) because it depends on the switch's TLV map.
//!
//! Submodules: `table` (the rows), `value` (text parsing and printing of
//! values), `subfield` (`reg0[0..15]`), `tlv` (one NXM/OXM TLV on the wire).

mod subfield;
mod table;
mod tlv;
mod value;

pub use subfield::SubField;
pub(crate) use value::{be_to_hex, fmt_packet_type, hex_alt, port_from_of11, warn_port_range};

/// An IPv6 address as the reference prints it (the C library's
/// `inet_ntop`: "::0.1.0.1" and "::ffff:1.2.3.4" where Rust's `Display`
/// writes "::1:1" and "::ffff:102:304").
pub fn format_ipv6(addr: std::net::Ipv6Addr) -> String {
    value::inet_ntop6(addr.octets())
}

/// Whether a mask is a CIDR prefix mask (leading ones, then zeros).
pub(crate) fn value_is_cidr(mask: &[u8]) -> bool {
    value::cidr_len(mask).is_some()
}
pub use tlv::{
    decode_header, decode_tlv, decode_tlv_ref, encode_header, encode_tlv, Tlv, TlvHeader, TlvRef,
};

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::port::PortMap;
use crate::version::Version;
use table::FIELDS;

/// What must hold of a match (or packet) before a field is meaningful.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Prereq {
    None,
    /// The packet is Ethernet (packet_type (0,0) or not matched).
    Ethernet,
    /// vlan_pcp: the VLAN "present" bit must be matched as 1.
    VlanVid,
    /// eth_type 0x0800.
    Ipv4,
    /// eth_type 0x86dd.
    Ipv6,
    /// eth_type 0x0800 or 0x86dd.
    IpAny,
    /// eth_type 0x0806 or 0x8035.
    Arp,
    /// eth_type 0x8847 or 0x8848.
    Mpls,
    /// eth_type 0x894f.
    Nsh,
    /// IP with nw_proto 6 / 17 / 132 / 1 (IPv4) / 58 (IPv6).
    Tcp,
    Udp,
    Sctp,
    Icmpv4,
    Icmpv6,
    /// ICMPv6 type 135 or 136 with code 0.
    Nd,
    /// ICMPv6 type 135 (neighbor solicitation) code 0.
    NdSolicit,
    /// ICMPv6 type 136 (neighbor advertisement) code 0.
    NdAdvert,
    /// A valid tracked connection (see `Match::prereq_ok`). The conntrack
    /// tuple's addresses must also fit the IP version, but the reference
    /// checks that only for flow_mods (`Match::check_ct_tuple`), not here.
    Ct,
}

/// How a field's value is written in text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    Decimal,
    Hex,
    Ethernet,
    Ipv4,
    Ipv6,
    /// 16-bit OpenFlow 1.0 port number or name.
    Port,
    /// 32-bit OpenFlow 1.1+ port number or name.
    Port11,
    /// `no`, `yes`, `first`, `later`, `not_later`.
    Frag,
    /// `+syn-ack` style or numeric.
    TcpFlags,
    /// `+trk+new` style or numeric.
    CtState,
    /// `+oam` style or numeric.
    TunFlags,
    /// `(namespace,type)`.
    PacketType,
}

/// One code point of a field: an NXM/OXM class and field number, plus the
/// experimenter id for class 0xffff, and the OpenFlow version that
/// standardised it (`None` for Open vSwitch extensions, usable in any version).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Wire {
    pub name: &'static str,
    pub class: u16,
    pub experimenter: u32,
    pub field: u8,
    pub since: Option<Version>,
}

/// The experimenter OXM class: a 32-bit experimenter id follows the header.
pub const OXM_CLASS_EXPERIMENTER: u16 = 0xffff;

impl Wire {
    pub fn is_experimenter(&self) -> bool {
        self.class == OXM_CLASS_EXPERIMENTER
    }

    /// The 32-bit header for a payload of `payload_len` bytes (value, mask,
    /// and for experimenter fields the 4-byte experimenter id).
    pub fn header(&self, payload_len: usize, masked: bool) -> u32 {
        (u32::from(self.class) << 16)
            | (u32::from(self.field) << 9)
            | (u32::from(masked) << 8)
            | (payload_len as u32 & 0xff)
    }
}

/// One row of the field table.
#[derive(Debug)]
pub(crate) struct Def {
    pub name: &'static str,
    pub aliases: &'static [&'static str],
    pub n_bytes: u8,
    pub n_bits: u16,
    pub maskable: bool,
    pub writable: bool,
    pub prereq: Prereq,
    pub format: Format,
    pub wire: &'static [Wire],
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct FieldId(u16);

impl FieldId {
    pub const TUN_ID: FieldId = FieldId(0);
    pub const TUN_SRC: FieldId = FieldId(1);
    pub const TUN_DST: FieldId = FieldId(2);
    pub const TUN_IPV6_SRC: FieldId = FieldId(3);
    pub const TUN_IPV6_DST: FieldId = FieldId(4);
    pub const TUN_GBP_ID: FieldId = FieldId(5);
    pub const TUN_GBP_FLAGS: FieldId = FieldId(6);
    pub const TUN_ERSPAN_IDX: FieldId = FieldId(7);
    pub const TUN_ERSPAN_VER: FieldId = FieldId(8);
    pub const TUN_ERSPAN_DIR: FieldId = FieldId(9);
    pub const TUN_ERSPAN_HWID: FieldId = FieldId(10);
    pub const TUN_GTPU_FLAGS: FieldId = FieldId(11);
    pub const TUN_GTPU_MSGTYPE: FieldId = FieldId(12);
    pub const TUN_FLAGS: FieldId = FieldId(13);
    /// First of 64 consecutive ids; see [`FieldId::tun_metadata`].
    pub const TUN_METADATA0: FieldId = FieldId(14);
    pub const IN_PORT: FieldId = FieldId(78);
    pub const IN_PORT_OXM: FieldId = FieldId(79);
    pub const SKB_PRIORITY: FieldId = FieldId(80);
    pub const PKT_MARK: FieldId = FieldId(81);
    pub const ACTSET_OUTPUT: FieldId = FieldId(82);
    pub const PACKET_TYPE: FieldId = FieldId(83);
    pub const CONJ_ID: FieldId = FieldId(84);
    pub const DP_HASH: FieldId = FieldId(85);
    pub const RECIRC_ID: FieldId = FieldId(86);
    pub const CT_STATE: FieldId = FieldId(87);
    pub const CT_ZONE: FieldId = FieldId(88);
    pub const CT_MARK: FieldId = FieldId(89);
    pub const CT_LABEL: FieldId = FieldId(90);
    pub const CT_NW_SRC: FieldId = FieldId(91);
    pub const CT_NW_DST: FieldId = FieldId(92);
    pub const CT_IPV6_SRC: FieldId = FieldId(93);
    pub const CT_IPV6_DST: FieldId = FieldId(94);
    pub const CT_NW_PROTO: FieldId = FieldId(95);
    pub const CT_TP_SRC: FieldId = FieldId(96);
    pub const CT_TP_DST: FieldId = FieldId(97);
    pub const METADATA: FieldId = FieldId(98);
    /// First of 16 consecutive ids; see [`FieldId::reg`].
    pub const REG0: FieldId = FieldId(99);
    /// First of 8 consecutive ids; see [`FieldId::xreg`].
    pub const XREG0: FieldId = FieldId(115);
    /// First of 4 consecutive ids; see [`FieldId::xxreg`].
    pub const XXREG0: FieldId = FieldId(123);
    pub const ETH_SRC: FieldId = FieldId(127);
    pub const ETH_DST: FieldId = FieldId(128);
    pub const ETH_TYPE: FieldId = FieldId(129);
    pub const VLAN_TCI: FieldId = FieldId(130);
    pub const DL_VLAN: FieldId = FieldId(131);
    pub const VLAN_VID: FieldId = FieldId(132);
    pub const DL_VLAN_PCP: FieldId = FieldId(133);
    pub const VLAN_PCP: FieldId = FieldId(134);
    pub const MPLS_LABEL: FieldId = FieldId(135);
    pub const MPLS_TC: FieldId = FieldId(136);
    pub const MPLS_BOS: FieldId = FieldId(137);
    pub const MPLS_TTL: FieldId = FieldId(138);
    pub const IP_SRC: FieldId = FieldId(139);
    pub const IP_DST: FieldId = FieldId(140);
    pub const IPV6_SRC: FieldId = FieldId(141);
    pub const IPV6_DST: FieldId = FieldId(142);
    pub const IPV6_LABEL: FieldId = FieldId(143);
    pub const NW_PROTO: FieldId = FieldId(144);
    pub const NW_TTL: FieldId = FieldId(145);
    pub const IP_FRAG: FieldId = FieldId(146);
    pub const NW_TOS: FieldId = FieldId(147);
    pub const IP_DSCP: FieldId = FieldId(148);
    pub const NW_ECN: FieldId = FieldId(149);
    pub const ARP_OP: FieldId = FieldId(150);
    pub const ARP_SPA: FieldId = FieldId(151);
    pub const ARP_TPA: FieldId = FieldId(152);
    pub const ARP_SHA: FieldId = FieldId(153);
    pub const ARP_THA: FieldId = FieldId(154);
    pub const NSH_FLAGS: FieldId = FieldId(155);
    pub const NSH_TTL: FieldId = FieldId(156);
    pub const NSH_MDTYPE: FieldId = FieldId(157);
    pub const NSH_NP: FieldId = FieldId(158);
    pub const NSH_SPI: FieldId = FieldId(159);
    pub const NSH_SI: FieldId = FieldId(160);
    /// First of 4 consecutive ids (nsh_c1..nsh_c4).
    pub const NSH_C1: FieldId = FieldId(161);
    pub const TCP_SRC: FieldId = FieldId(165);
    pub const TCP_DST: FieldId = FieldId(166);
    pub const TCP_FLAGS: FieldId = FieldId(167);
    pub const UDP_SRC: FieldId = FieldId(168);
    pub const UDP_DST: FieldId = FieldId(169);
    pub const SCTP_SRC: FieldId = FieldId(170);
    pub const SCTP_DST: FieldId = FieldId(171);
    pub const ICMP_TYPE: FieldId = FieldId(172);
    pub const ICMP_CODE: FieldId = FieldId(173);
    pub const ICMPV6_TYPE: FieldId = FieldId(174);
    pub const ICMPV6_CODE: FieldId = FieldId(175);
    pub const ND_TARGET: FieldId = FieldId(176);
    pub const ND_SLL: FieldId = FieldId(177);
    pub const ND_TLL: FieldId = FieldId(178);
    pub const ND_RESERVED: FieldId = FieldId(179);
    pub const ND_OPTIONS_TYPE: FieldId = FieldId(180);

    /// Number of fields in the table.
    pub const COUNT: usize = FIELDS.len();

    pub fn reg(i: usize) -> Option<FieldId> {
        (i < 16).then(|| FieldId(Self::REG0.0 + i as u16))
    }
    pub fn xreg(i: usize) -> Option<FieldId> {
        (i < 8).then(|| FieldId(Self::XREG0.0 + i as u16))
    }
    pub fn xxreg(i: usize) -> Option<FieldId> {
        (i < 4).then(|| FieldId(Self::XXREG0.0 + i as u16))
    }
    pub fn tun_metadata(i: usize) -> Option<FieldId> {
        (i < 64).then(|| FieldId(Self::TUN_METADATA0.0 + i as u16))
    }
    pub fn nsh_c(i: usize) -> Option<FieldId> {
        (1..=4)
            .contains(&i)
            .then(|| FieldId(Self::NSH_C1.0 + i as u16 - 1))
    }

    /// Register number if this is reg0..reg15.
    pub fn reg_index(self) -> Option<usize> {
        Self::index_in(self, Self::REG0, 16)
    }
    pub fn xreg_index(self) -> Option<usize> {
        Self::index_in(self, Self::XREG0, 8)
    }
    pub fn xxreg_index(self) -> Option<usize> {
        Self::index_in(self, Self::XXREG0, 4)
    }
    pub fn tun_metadata_index(self) -> Option<usize> {
        Self::index_in(self, Self::TUN_METADATA0, 64)
    }
    fn index_in(self, first: FieldId, n: u16) -> Option<usize> {
        (self.0 >= first.0 && self.0 < first.0 + n).then(|| usize::from(self.0 - first.0))
    }

    /// Every field, in table order.
    pub fn all() -> impl Iterator<Item = FieldId> {
        (0..FIELDS.len() as u16).map(FieldId)
    }

    /// The table position (stable within one build; handy as an array index).
    pub fn index(self) -> usize {
        usize::from(self.0)
    }

    pub(crate) fn def(self) -> &'static Def {
        // FieldIds are only built from table positions, so this is in range.
        &FIELDS[usize::from(self.0)]
    }

    /// A field by any name ovs-ofctl accepts for it: canonical ("eth_src"),
    /// alias ("dl_src"), or an NXM/OXM code-point name ("NXM_OF_ETH_SRC",
    /// also with the "_W" suffix of its masked form).
    pub fn by_name(name: &str) -> Option<FieldId> {
        Self::by_field_name(name).or_else(|| Self::by_wire_name(name))
    }

    /// Canonical names and aliases only (what match syntax accepts).
    pub fn by_field_name(name: &str) -> Option<FieldId> {
        indexes().field_names.get(name).copied()
    }

    /// NXM/OXM code-point names only ("NXM_NX_REG0", "OXM_OF_IN_PORT_W").
    pub fn by_wire_name(name: &str) -> Option<FieldId> {
        let idx = &indexes().wire_names;
        idx.get(name)
            .or_else(|| name.strip_suffix("_W").and_then(|b| idx.get(b)))
            .copied()
    }

    /// The canonical name ("eth_src").
    pub fn name(self) -> &'static str {
        self.def().name
    }
    pub fn aliases(self) -> &'static [&'static str] {
        self.def().aliases
    }
    /// Bytes of a value on the wire (124 for tun_metadata: the maximum).
    pub fn n_bytes(self) -> usize {
        usize::from(self.def().n_bytes)
    }
    /// Meaningful bits (low-order) of a value: 12 for vlan_vid, 20 for mpls_label.
    pub fn n_bits(self) -> u32 {
        u32::from(self.def().n_bits)
    }
    pub fn maskable(self) -> bool {
        self.def().maskable
    }
    pub fn writable(self) -> bool {
        self.def().writable
    }
    pub fn prereq(self) -> Prereq {
        self.def().prereq
    }
    pub fn format(self) -> Format {
        self.def().format
    }
    /// Every code point of the field: NXM/extension ones first, then OXM ones by version.
    pub fn wires(self) -> &'static [Wire] {
        self.def().wire
    }
    /// Whether the field has any NXM/OXM code point (fields like `dl_vlan` exist only in text).
    pub fn has_wire(self) -> bool {
        !self.def().wire.is_empty()
    }

    /// The code point used to encode the field for `v`: OF1.0 and OF1.1 mean
    /// NXM (the Nicira extensions); OF1.2+ prefer the newest OXM code point
    /// standardised at or before `v`, then an extension one, then the oldest.
    pub fn wire_for(self, v: Version) -> Option<&'static Wire> {
        let wires = self.def().wire;
        if v >= Version::Of12 {
            if let Some(w) = wires.iter().rev().find(|w| w.since.is_some_and(|s| s <= v)) {
                return Some(w);
            }
        }
        wires.iter().find(|w| w.since.is_none()).or(wires.first())
    }

    /// The name ovs-ofctl prints for the field in `load`/`move`/`learn`
    /// ("NXM_NX_REG0", "OXM_OF_IN_PORT", "NXOXM_NSH_C1"); the canonical name
    /// for text-only fields.
    pub fn wire_name(self) -> &'static str {
        self.def().wire.first().map_or(self.name(), |w| w.name)
    }

    /// The 32-bit NXM header (hasmask 0) of the field's NXM-flavour code point.
    /// For experimenter fields this is the first word of a 64-bit header.
    pub fn nxm_header(self) -> Option<u32> {
        let w = self.wire_for(Version::Of10)?;
        Some(w.header(self.wire_payload_len(w, false), false))
    }

    /// The field of a 32-bit NXM/OXM header (hasmask and length ignored).
    /// Experimenter (class 0xffff) headers need the experimenter id: use
    /// [`FieldId::from_code_point`].
    pub fn from_nxm_header(h: u32) -> Option<FieldId> {
        let class = (h >> 16) as u16;
        if class == OXM_CLASS_EXPERIMENTER {
            return None;
        }
        Self::from_code_point(class, (h >> 9) as u8 & 0x7f, 0)
    }

    /// The field with this class, field number and (class 0xffff only) experimenter id.
    pub fn from_code_point(class: u16, field: u8, experimenter: u32) -> Option<FieldId> {
        let exp = if class == OXM_CLASS_EXPERIMENTER {
            experimenter
        } else {
            0
        };
        indexes().code_points.get(&(class, field, exp)).copied()
    }

    /// Payload length of a TLV for this field with code point `w`.
    pub(crate) fn wire_payload_len(self, w: &Wire, masked: bool) -> usize {
        let n = self.n_bytes() * if masked { 2 } else { 1 };
        n + if w.is_experimenter() { 4 } else { 0 }
    }

    /// Parses a value as ovs-ofctl does for `name=value` in a match:
    /// "10.0.0.0/8", "0x5/0xff", "LOCAL", "+syn-ack". The mask is `None` when
    /// the text has none (the field is then matched exactly).
    #[allow(clippy::type_complexity)]
    pub fn parse_value(
        self,
        s: &str,
        ports: Option<&PortMap>,
    ) -> Result<(Vec<u8>, Option<Vec<u8>>), String> {
        value::parse(self, s, ports)
    }

    /// Prints a value (and mask, unless `None` or all-ones) as ovs-ofctl does.
    pub fn format_value(
        self,
        value: &[u8],
        mask: Option<&[u8]>,
        ports: Option<&PortMap>,
    ) -> String {
        value::format(self, value, mask, ports)
    }

    /// Whether `value` is allowed for the field (only its low `n_bits` set, and
    /// field-specific rules such as the VLAN VID's present bit).
    pub fn is_value_valid(self, value: &[u8]) -> bool {
        value::is_valid(self, value)
    }
}

/// Lookup tables built once from the field table (text parsing and decoding
/// are hot in bulk flow loading).
struct Indexes {
    field_names: HashMap<&'static str, FieldId>,
    wire_names: HashMap<&'static str, FieldId>,
    code_points: HashMap<(u16, u8, u32), FieldId>,
}

fn indexes() -> &'static Indexes {
    static IDX: OnceLock<Indexes> = OnceLock::new();
    IDX.get_or_init(|| {
        let mut idx = Indexes {
            field_names: HashMap::new(),
            wire_names: HashMap::new(),
            code_points: HashMap::new(),
        };
        for f in FieldId::all() {
            let d = f.def();
            idx.field_names.insert(d.name, f);
            for a in d.aliases {
                idx.field_names.insert(a, f);
            }
            for w in d.wire {
                idx.wire_names.insert(w.name, f);
                idx.code_points
                    .insert((w.class, w.field, w.experimenter), f);
            }
        }
        idx
    })
}

impl std::fmt::Display for FieldId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constants_match_the_table() {
        let check = [
            (FieldId::TUN_ID, "tun_id"),
            (FieldId::TUN_FLAGS, "tun_flags"),
            (FieldId::TUN_METADATA0, "tun_metadata0"),
            (FieldId::IN_PORT, "in_port"),
            (FieldId::RECIRC_ID, "recirc_id"),
            (FieldId::CT_TP_DST, "ct_tp_dst"),
            (FieldId::METADATA, "metadata"),
            (FieldId::REG0, "reg0"),
            (FieldId::XREG0, "xreg0"),
            (FieldId::XXREG0, "xxreg0"),
            (FieldId::ETH_SRC, "eth_src"),
            (FieldId::VLAN_PCP, "vlan_pcp"),
            (FieldId::MPLS_TTL, "mpls_ttl"),
            (FieldId::NW_ECN, "nw_ecn"),
            (FieldId::ARP_THA, "arp_tha"),
            (FieldId::NSH_C1, "nsh_c1"),
            (FieldId::TCP_SRC, "tcp_src"),
            (FieldId::ICMPV6_CODE, "icmpv6_code"),
            (FieldId::ND_OPTIONS_TYPE, "nd_options_type"),
        ];
        for (f, n) in check {
            assert_eq!(f.name(), n);
        }
        assert_eq!(FieldId::COUNT, 181);
        assert_eq!(FieldId::reg(15).map(FieldId::name), Some("reg15"));
        assert_eq!(
            FieldId::tun_metadata(63).map(FieldId::name),
            Some("tun_metadata63")
        );
        assert_eq!(FieldId::nsh_c(4).map(FieldId::name), Some("nsh_c4"));
        assert_eq!(FieldId::reg(16), None);
    }

    #[test]
    fn names_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for f in FieldId::all() {
            assert!(seen.insert(f.name()), "{}", f.name());
            for a in f.aliases() {
                assert!(seen.insert(a), "{a}");
            }
            for w in f.wires() {
                assert!(seen.insert(w.name), "{}", w.name);
            }
        }
    }

    #[test]
    fn lookups() {
        assert_eq!(FieldId::by_name("dl_src"), Some(FieldId::ETH_SRC));
        assert_eq!(FieldId::by_name("NXM_OF_ETH_SRC"), Some(FieldId::ETH_SRC));
        assert_eq!(
            FieldId::by_name("OXM_OF_IN_PORT"),
            Some(FieldId::IN_PORT_OXM)
        );
        assert_eq!(FieldId::by_name("NXM_NX_REG0_W"), FieldId::reg(0));
        assert_eq!(FieldId::by_name("xxreg1"), FieldId::xxreg(1));
        assert_eq!(FieldId::by_name("REG0"), None);
        assert_eq!(FieldId::IN_PORT.nxm_header(), Some(0x0000_0002));
        assert_eq!(FieldId::from_nxm_header(0x0001_0104), FieldId::reg(0));
        assert_eq!(
            FieldId::from_nxm_header(0x8000_0004),
            Some(FieldId::IN_PORT_OXM)
        );
        assert_eq!(
            FieldId::from_code_point(0xffff, 6, 0x005a_d650),
            FieldId::nsh_c(1)
        );
        // dp_hash also has a Nicira experimenter code point (read only).
        assert_eq!(
            FieldId::from_code_point(0xffff, 0, 0x0000_2320),
            Some(FieldId::DP_HASH)
        );
        assert_eq!(FieldId::by_name("NXOXM_ET_DP_HASH"), Some(FieldId::DP_HASH));
        assert_eq!(FieldId::DP_HASH.wire_name(), "NXM_NX_DP_HASH");
        assert_eq!(
            FieldId::DP_HASH.wire_for(Version::Of15).map(|w| w.name),
            Some("NXM_NX_DP_HASH")
        );
    }

    #[test]
    fn code_point_by_version() {
        let name = |f: FieldId, v| f.wire_for(v).map(|w| w.name);
        assert_eq!(name(FieldId::TUN_ID, Version::Of10), Some("NXM_NX_TUN_ID"));
        assert_eq!(name(FieldId::TUN_ID, Version::Of12), Some("NXM_NX_TUN_ID"));
        assert_eq!(
            name(FieldId::TUN_ID, Version::Of13),
            Some("OXM_OF_TUNNEL_ID")
        );
        assert_eq!(
            name(FieldId::ETH_SRC, Version::Of10),
            Some("NXM_OF_ETH_SRC")
        );
        assert_eq!(
            name(FieldId::ETH_SRC, Version::Of15),
            Some("OXM_OF_ETH_SRC")
        );
        assert_eq!(
            name(FieldId::ACTSET_OUTPUT, Version::Of12),
            Some("ONFOXM_ET_ACTSET_OUTPUT")
        );
        assert_eq!(
            name(FieldId::ACTSET_OUTPUT, Version::Of15),
            Some("OXM_OF_ACTSET_OUTPUT")
        );
        assert_eq!(
            name(FieldId::TCP_FLAGS, Version::Of13),
            Some("ONFOXM_ET_TCP_FLAGS")
        );
        assert_eq!(
            name(FieldId::TCP_FLAGS, Version::Of12),
            Some("NXM_NX_TCP_FLAGS")
        );
        assert_eq!(name(FieldId::DL_VLAN, Version::Of13), None);
    }
}
