//! Matches: a flow key plus a mask of the same layout (see `key`), with the
//! wire forms (OF1.0 `ofp_match`, OF1.1 standard match, NXM, OXM) and the
//! ovs-ofctl text form.
//!
//! Fields are set and read through the field table's view of them
//! ([`Match::set`], [`Match::get`]); several fields can be views of the same
//! key bits (e.g. `tcp_src` and `icmp_type` both live in `tp_src`), exactly as
//! in the reference, so printing and encoding pick the field that fits the
//! match's `dl_type`/`nw_proto`.
//!
//! Submodules: `key` (layout), `access` (field ↔ key bits), `text` (parse and
//! print), `nxm` (NXM/OXM), `of10`, `of11` (fixed-layout matches), `usable`
//! (which protocols can express a match).

mod access;
mod field_bytes;
pub mod key;
mod nxm;
mod of10;
mod of11;
mod packed;
mod text;
mod usable;

use access::{access, be_to_uint, is_full_mask, Access};
use key::{FlowKey, Slot};

use crate::field::{FieldId, Prereq};
use crate::protocol::Protocols;

pub use field_bytes::FieldBytes;
pub use packed::PackedMatch;
pub use text::SHORTHANDS;

pub const ETH_TYPE_IP: u16 = 0x0800;
pub const ETH_TYPE_ARP: u16 = 0x0806;
pub const ETH_TYPE_RARP: u16 = 0x8035;
pub const ETH_TYPE_IPV6: u16 = 0x86dd;
pub const ETH_TYPE_MPLS: u16 = 0x8847;
pub const ETH_TYPE_MPLS_MCAST: u16 = 0x8848;
pub const ETH_TYPE_NSH: u16 = 0x894f;
pub const IPPROTO_ICMP: u8 = 1;
pub const IPPROTO_TCP: u8 = 6;
pub const IPPROTO_UDP: u8 = 17;
pub const IPPROTO_ICMPV6: u8 = 58;
pub const IPPROTO_SCTP: u8 = 132;
/// The VLAN TCI "present" bit (CFI).
pub const VLAN_CFI: u16 = 0x1000;

/// One tun_metadataN match. Without a TLV map the option's length is
/// whatever the value and mask need, as in the reference: the significant
/// bytes (after leading zero bytes) of the value, or of value and mask
/// when masked. A masked entry may have an all-zero mask: it matches
/// nothing yet still prints (bare `tun_metadataN`) and encodes.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct TunMd {
    idx: u8,
    /// Already ANDed with the mask; `mask.len()` bytes.
    value: Vec<u8>,
    mask: Vec<u8>,
    masked: bool,
}

/// Bytes of `b` from its first nonzero byte on.
fn significant(b: &[u8]) -> &[u8] {
    let lead = b.iter().take_while(|x| **x == 0).count();
    &b[lead..]
}

/// The last `n` bytes of `b`, left-padded with `fill` if it is shorter.
fn last_bytes(b: &[u8], n: usize, fill: u8) -> Vec<u8> {
    let mut out = vec![fill; n.saturating_sub(b.len())];
    out.extend_from_slice(&b[b.len().saturating_sub(n)..]);
    out
}

#[derive(Clone, Debug)]
pub struct Match {
    key: FlowKey,
    mask: FlowKey,
    tun_md: Vec<TunMd>,
    /// Protocols allowed by the way fields were written in text (e.g.
    /// `sctp_src` is not OF1.0 while `tp_src` is); not part of equality.
    text_usable: Protocols,
}

impl Default for Match {
    fn default() -> Match {
        Match {
            key: FlowKey::default(),
            mask: FlowKey::default(),
            tun_md: Vec::new(),
            text_usable: Protocols::ANY,
        }
    }
}

impl PartialEq for Match {
    fn eq(&self, other: &Match) -> bool {
        self.key == other.key && self.mask == other.mask && self.tun_md == other.tun_md
    }
}
impl Eq for Match {}

impl std::hash::Hash for Match {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        self.key.hash(h);
        self.mask.hash(h);
        self.tun_md.hash(h);
    }
}

impl Match {
    pub fn new() -> Match {
        Match::default()
    }

    /// The key (values, already ANDed with the mask) and the mask, in the
    /// layout of [`key`].
    pub fn key(&self) -> &FlowKey {
        &self.key
    }
    pub fn mask(&self) -> &FlowKey {
        &self.mask
    }

    /// Whether nothing is matched (the match-everything flow).
    pub fn is_catchall(&self) -> bool {
        self.mask.0.iter().all(|b| *b == 0) && self.tun_md.is_empty()
    }

    /// Sets field `f` to `value` under `mask` (both `f.n_bytes()` long, network
    /// order; tun_metadata values may be shorter). Bits outside the mask are
    /// cleared from the value; an all-zero mask removes the field from the
    /// match. VLAN PCP fields also require a VLAN, and `dl_vlan`'s 0xffff
    /// means "no VLAN", as in ovs-ofctl.
    pub fn set(&mut self, f: FieldId, value: &[u8], mask: &[u8]) {
        match access(f) {
            Access::Direct(s) => self.set_direct(s, value, mask),
            // ICMP type and code are one byte in a 16-bit port slot; the
            // reference matches all 16 bits, so OF1.0/1.1 see an exact port.
            Access::Bits {
                slot, vmask: 0xff, ..
            } if slot.len == 2 => {
                let v = value.first().copied().unwrap_or(0);
                let m = mask.first().copied().unwrap_or(0);
                let wide = if m == 0xff { [0xff, 0xff] } else { [0, m] };
                self.set_direct(slot, &[0, v], &wide);
            }
            Access::Bits { slot, shift, vmask } => {
                let v = be_to_uint(value);
                let m = be_to_uint(mask);
                match f {
                    FieldId::DL_VLAN => return self.set_dl_vlan(v, m),
                    FieldId::VLAN_PCP | FieldId::DL_VLAN_PCP => return self.set_vlan_pcp(v, m),
                    _ => {}
                }
                self.set_bits(slot, shift, vmask, v, m);
            }
            Access::Port11(s) => {
                let m = be_to_uint(mask);
                let port = crate::field::port_from_of11(be_to_uint(value) as u32);
                match (m, port) {
                    (0, _) | (_, None) => self.set_direct(s, &[0, 0], &[0, 0]),
                    (_, Some(p)) => self.set_direct(s, &p.0.to_be_bytes(), &[0xff, 0xff]),
                }
            }
            Access::TunMetadata(i) => {
                if mask.iter().all(|b| *b == 0) {
                    self.tun_md.retain(|t| usize::from(t.idx) != i);
                } else {
                    self.set_tun_md(i, value, Some(mask));
                }
            }
        }
    }

    /// Sets field `f` to exactly `value`.
    pub fn set_exact(&mut self, f: FieldId, value: &[u8]) {
        // Every field fits 128 bytes (tun_metadata is the widest, 124);
        // decoding sets many fields, so no allocation for the mask.
        const ONES: [u8; 128] = [0xff; 128];
        match ONES.get(..value.len()) {
            Some(ones) => self.set(f, value, ones),
            None => self.set(f, value, &vec![0xff; value.len()]),
        }
    }

    /// Removes field `f` (its bits) from the match.
    pub fn clear(&mut self, f: FieldId) {
        if let Some(i) = f.tun_metadata_index() {
            self.tun_md.retain(|t| usize::from(t.idx) != i);
            return;
        }
        let n = f.n_bytes();
        self.set(f, &vec![0; n], &vec![0; n]);
    }

    fn set_direct(&mut self, s: Slot, value: &[u8], mask: &[u8]) {
        let k = self.key.get_mut(s);
        for (i, b) in k.iter_mut().enumerate() {
            *b = value.get(i).copied().unwrap_or(0) & mask.get(i).copied().unwrap_or(0);
        }
        let m = self.mask.get_mut(s);
        for (i, b) in m.iter_mut().enumerate() {
            *b = mask.get(i).copied().unwrap_or(0);
        }
    }

    fn set_bits(&mut self, slot: Slot, shift: u32, vmask: u64, v: u64, m: u64) {
        let m = m & vmask;
        let v = v & m;
        let field_bits = vmask << shift;
        let key = (self.key.uint(slot) & !field_bits) | (v << shift);
        let mask = (self.mask.uint(slot) & !field_bits) | (m << shift);
        self.key.set_uint(slot, key);
        self.mask.set_uint(slot, mask);
    }

    fn set_dl_vlan(&mut self, v: u64, m: u64) {
        if m == 0 {
            // Forget the VID; without a PCP the whole TCI is wildcarded.
            let tci_m = self.mask.u16(key::VLAN_TCI);
            if tci_m & 0xe000 != 0 {
                self.set_bits(key::VLAN_TCI, 0, 0x0fff, 0, 0);
            } else {
                self.set_bits(key::VLAN_TCI, 0, 0xffff, 0, 0);
            }
        } else if v == 0xffff {
            // OFP10_VLAN_NONE: no 802.1Q header at all.
            self.set_bits(key::VLAN_TCI, 0, 0xffff, 0, 0xffff);
        } else {
            self.set_bits(
                key::VLAN_TCI,
                0,
                0x1fff,
                (v & 0x0fff) | u64::from(VLAN_CFI),
                0x1fff,
            );
        }
    }

    fn set_vlan_pcp(&mut self, v: u64, m: u64) {
        if m == 0 {
            let tci_m = self.mask.u16(key::VLAN_TCI);
            if tci_m & 0x0fff != 0 {
                self.set_bits(key::VLAN_TCI, 13, 0x7, 0, 0);
            } else {
                self.set_bits(key::VLAN_TCI, 0, 0xffff, 0, 0);
            }
        } else {
            self.set_bits(key::VLAN_TCI, 13, 0x7, v & 7, 7);
            self.set_bits(key::VLAN_TCI, 12, 0x1, 1, 1);
        }
    }

    /// Sets tun_metadata`i` to `value` under `mask` (`None`: exactly), with
    /// the reference's length rule (see [`TunMd`]). Unlike [`Match::set`], an
    /// all-zero mask keeps a (wildcarded) entry, as text `tun_metadata0=0/0`
    /// and a masked TLV with a zero mask do in the reference.
    pub(crate) fn set_tun_md(&mut self, i: usize, value: &[u8], mask: Option<&[u8]>) {
        self.tun_md.retain(|t| usize::from(t.idx) != i);
        // (An empty mask comes only from an empty masked TLV.)
        let masked = mask
            .is_some_and(|m| m.is_empty() || m.len() < value.len() || m.iter().any(|b| *b != 0xff));
        let v = significant(value);
        let len = match mask {
            Some(m) if masked => v.len().max(significant(m).len()),
            _ => v.len(),
        };
        let mask = match mask {
            Some(m) if masked => last_bytes(m, len, 0),
            _ => vec![0xff; len],
        };
        let value = last_bytes(value, len, 0)
            .iter()
            .zip(&mask)
            .map(|(v, m)| v & m)
            .collect();
        self.tun_md.push(TunMd {
            idx: i as u8,
            value,
            mask,
            masked,
        });
        self.tun_md.sort_by_key(|t| t.idx);
    }

    /// The value and mask of field `f` as the field table defines them, or
    /// `None` when none of its bits are matched. Owned copies of
    /// [`Match::field`], which callers on hot paths should prefer.
    pub fn get(&self, f: FieldId) -> Option<(Vec<u8>, Vec<u8>)> {
        self.field(f).map(|(v, m)| (v.to_vec(), m.to_vec()))
    }

    /// [`Match::get`] without allocating: the bytes are borrowed from the
    /// match where it stores the field as is, and computed (at most 8
    /// bytes) for a view field (e.g. `vlan_vid`, `ip_dscp`, `in_port_oxm`).
    /// Printing and encoding many flows asks for dozens of fields per flow,
    /// most of them unmatched, so this stays cheap.
    pub fn field(&self, f: FieldId) -> Option<(FieldBytes<'_>, FieldBytes<'_>)> {
        match access(f) {
            Access::Direct(s) => {
                if self.mask.is_zero(s) {
                    return None;
                }
                Some((
                    FieldBytes::Borrowed(self.key.get(s)),
                    FieldBytes::Borrowed(self.mask.get(s)),
                ))
            }
            Access::Bits { slot, shift, vmask } => {
                let m = (self.mask.uint(slot) >> shift) & vmask;
                if m == 0 {
                    return None;
                }
                let n = f.n_bytes();
                let v = (self.key.uint(slot) >> shift) & vmask;
                Some((FieldBytes::inline(v, n), FieldBytes::inline(m, n)))
            }
            Access::Port11(s) => {
                if self.mask.is_zero(s) {
                    return None;
                }
                let p = crate::port::PortNo(self.key.u16(s));
                Some((
                    FieldBytes::inline(u64::from(p.to_of11()), 4),
                    FieldBytes::inline(u64::from(u32::MAX), 4),
                ))
            }
            Access::TunMetadata(i) => {
                // An exact entry may be empty (a zero-length option); a
                // masked one with a zero mask constrains nothing.
                let t = self.tun_md.iter().find(|t| usize::from(t.idx) == i)?;
                if t.masked && t.mask.iter().all(|b| *b == 0) {
                    return None;
                }
                Some((
                    FieldBytes::Borrowed(&t.value),
                    FieldBytes::Borrowed(&t.mask),
                ))
            }
        }
    }

    /// Whether any bit of field `f` is matched (no allocation).
    pub fn is_matched(&self, f: FieldId) -> bool {
        self.field(f).is_some()
    }

    /// Whether field `f` is matched exactly (all of its bits).
    pub fn is_exact(&self, f: FieldId) -> bool {
        match self.field(f) {
            Some((_, m)) => {
                if let Access::TunMetadata(_) = access(f) {
                    return m.iter().all(|b| *b == 0xff);
                }
                is_full_mask(f, &m)
            }
            None => false,
        }
    }

    /// The fields the match constrains, without overlaps, named as they fit
    /// the match (e.g. `tcp_src` under TCP, `icmp_type` under ICMP): the NXM
    /// view. Masks are always present (all ones for exact matches).
    pub fn iter(&self) -> impl Iterator<Item = (FieldId, Vec<u8>, Vec<u8>)> + '_ {
        nxm::fields_for(self, nxm::Flavor::Nxm)
            .into_iter()
            .map(|(f, v, m)| {
                let m = m.unwrap_or_else(|| vec![0xff; v.len()]);
                (f, v, m)
            })
    }

    // -- Commonly needed values ------------------------------------------

    /// dl_type if matched (always exactly), else None.
    pub fn dl_type(&self) -> Option<u16> {
        (!self.mask.is_zero(key::DL_TYPE)).then(|| self.key.u16(key::DL_TYPE))
    }
    /// nw_proto if matched, else None.
    pub fn nw_proto(&self) -> Option<u8> {
        (!self.mask.is_zero(key::NW_PROTO)).then(|| self.key.u8(key::NW_PROTO))
    }
    fn dl_type_value(&self) -> u16 {
        self.key.u16(key::DL_TYPE)
    }
    fn nw_proto_value(&self) -> u8 {
        self.key.u8(key::NW_PROTO)
    }
    fn is_ip_any(&self) -> bool {
        matches!(self.dl_type_value(), ETH_TYPE_IP | ETH_TYPE_IPV6)
    }

    // -- Prerequisites -----------------------------------------------------

    /// Whether `p` holds for this match (on the matched values, as the
    /// reference checks it when decoding and when checking actions).
    pub fn prereq_ok(&self, p: Prereq) -> bool {
        let dl = self.dl_type_value();
        let proto = self.nw_proto_value();
        let icmp_type = self.key.u16(key::TP_SRC);
        let icmp_code = self.key.u16(key::TP_DST);
        match p {
            Prereq::None => true,
            Prereq::Ethernet => self.key.u32(key::PACKET_TYPE) == 0,
            Prereq::VlanVid => self.key.u16(key::VLAN_TCI) & VLAN_CFI != 0,
            Prereq::Ipv4 => dl == ETH_TYPE_IP,
            Prereq::Ipv6 => dl == ETH_TYPE_IPV6,
            Prereq::IpAny => self.is_ip_any(),
            Prereq::Arp => dl == ETH_TYPE_ARP || dl == ETH_TYPE_RARP,
            Prereq::Mpls => dl == ETH_TYPE_MPLS || dl == ETH_TYPE_MPLS_MCAST,
            Prereq::Nsh => dl == ETH_TYPE_NSH,
            Prereq::Tcp => self.is_ip_any() && proto == IPPROTO_TCP,
            Prereq::Udp => self.is_ip_any() && proto == IPPROTO_UDP,
            Prereq::Sctp => self.is_ip_any() && proto == IPPROTO_SCTP,
            Prereq::Icmpv4 => dl == ETH_TYPE_IP && proto == IPPROTO_ICMP,
            Prereq::Icmpv6 => dl == ETH_TYPE_IPV6 && proto == IPPROTO_ICMPV6,
            Prereq::Nd => {
                self.prereq_ok(Prereq::Icmpv6)
                    && (icmp_type == 135 || icmp_type == 136)
                    && icmp_code == 0
            }
            Prereq::NdSolicit => {
                self.prereq_ok(Prereq::Icmpv6) && icmp_type == 135 && icmp_code == 0
            }
            Prereq::NdAdvert => {
                self.prereq_ok(Prereq::Icmpv6) && icmp_type == 136 && icmp_code == 0
            }
            Prereq::Ct => self.ct_valid(),
        }
    }

    /// The reference refuses flow_mods (only those) whose conntrack
    /// original-direction addresses do not fit the match's IP version:
    /// `ct_nw_src`/`ct_nw_dst` need dl_type IPv4, `ct_ipv6_src`/`ct_ipv6_dst`
    /// IPv6. Flow_mod decoders call this after decoding the match.
    pub fn check_ct_tuple(&self) -> Result<(), crate::error::OfpError> {
        let matched = |s: key::Slot| !self.mask.is_zero(s);
        let dl = self.dl_type_value();
        let v4 = matched(key::CT_NW_SRC) || matched(key::CT_NW_DST);
        let v6 = matched(key::CT_IPV6_SRC) || matched(key::CT_IPV6_DST);
        if (v4 && dl != ETH_TYPE_IP) || (v6 && dl != ETH_TYPE_IPV6) {
            return Err(crate::error::OfpError::BacMatchInconsistent);
        }
        Ok(())
    }

    /// The conntrack original-tuple fields need a match that implies a valid
    /// connection: one of the "committed" state bits set, or +trk with -inv.
    fn ct_valid(&self) -> bool {
        let v = self.key.u32(key::CT_STATE);
        let m = self.mask.u32(key::CT_STATE);
        const TRK: u32 = 0x20;
        const INV: u32 = 0x10;
        v & (0xff & !(TRK | INV)) != 0 || (v & TRK != 0 && m & INV != 0 && v & INV == 0)
    }

    /// Whether every matched field's prerequisites hold.
    pub fn prereqs_hold(&self) -> bool {
        self.first_bad_prereq().is_none()
    }

    /// The first matched field whose prerequisites do not hold and whose
    /// key bits no other matched field with holding prerequisites shares
    /// (`arp_spa` is not bad in `ip,nw_src=...`: they are the same bits):
    /// the fields [`Match::normalize`] would drop.
    pub fn first_bad_prereq(&self) -> Option<FieldId> {
        // Checked for every flow-mod decoded and encoded: a slot group whose
        // key bytes are unmatched is skipped with one look at the mask.
        for g in slot_groups() {
            if let Some((from, to)) = g.span {
                if self
                    .mask
                    .0
                    .get(from..to)
                    .is_none_or(|b| b.iter().all(|x| *x == 0))
                {
                    continue;
                }
            }
            let mut bad = None;
            for f in g.fields.iter().copied() {
                if !self.is_matched(f) {
                    continue;
                }
                if self.prereq_ok(f.prereq()) {
                    bad = None;
                    break;
                }
                bad = bad.or(Some(f));
            }
            if bad.is_some() {
                return bad;
            }
        }
        None
    }

    /// As ovs-ofctl checks a parsed match. The reference's text parser
    /// accepts matches whose prerequisites do not hold (the switch then
    /// rejects them with OFPBMC_BAD_PREREQ), so this never fails; it exists
    /// so callers have one place to ask.
    pub fn check_prerequisites(&self) -> Result<(), String> {
        Ok(())
    }

    /// Drops matched fields whose prerequisites do not hold (e.g. `tp_src`
    /// under ARP, `nw_tos` without IP), as the reference normalises the
    /// match of an OF1.0 OFPT_FLOW_MOD after [`Match::decode_of10`]; other
    /// OF1.0 messages show the match unnormalised, and OF1.1 decoding needs
    /// none. A field shares key bits with others (tcp_src, icmp_type, ...);
    /// the bits stay when any field over them is meaningful. Checked
    /// against the reference on hundreds of generated OF1.0 and OF1.1
    /// matches (tests/match_vs_reference.rs).
    pub fn normalize(&mut self) {
        let matched: Vec<FieldId> = FieldId::all()
            .filter(|f| f.has_wire() && self.is_matched(*f))
            .collect();
        let slot_of = |f: FieldId| match access(f) {
            Access::Direct(s) | Access::Port11(s) => Some(s.ofs),
            Access::Bits { slot, .. } => Some(slot.ofs),
            Access::TunMetadata(_) => None,
        };
        let good: Vec<FieldId> = matched
            .iter()
            .copied()
            .filter(|f| self.prereq_ok(f.prereq()))
            .collect();
        for f in matched {
            if self.prereq_ok(f.prereq()) {
                continue;
            }
            if good.iter().any(|g| slot_of(*g) == slot_of(f)) {
                continue;
            }
            self.clear(f);
        }
    }

    /// [`Match::normalize`], reporting a change as the reference logs it
    /// (three `ofp_match` INFO lines: a heading, " pre: MATCH", "post: MATCH").
    pub fn normalize_reported(&mut self) {
        if self.prereqs_hold() {
            return;
        }
        let before = self.clone();
        self.normalize();
        report_normalization(&before, self);
    }

    /// Reports (as [`Match::normalize_reported`]) what normalising would
    /// change, without changing the match: the reference does so whenever it
    /// encodes a flow_mod, in any protocol.
    pub fn report_unnormalized(&self) {
        if self.prereqs_hold() {
            return;
        }
        let mut after = self.clone();
        after.normalize();
        report_normalization(self, &after);
    }

    /// Matches on Ethernet fields imply an Ethernet packet type; the
    /// reference records that explicitly (packet_type (0,0)) after parsing
    /// and decoding.
    pub fn set_default_packet_type(&mut self) {
        if !self.mask.is_zero(key::PACKET_TYPE) {
            return;
        }
        if self.has_l2_fields() {
            self.mask.set_uint(key::PACKET_TYPE, 0xffff_ffff);
            self.key.set_uint(key::PACKET_TYPE, 0);
        }
    }

    /// Whether any field from the Ethernet header onwards is matched.
    fn has_l2_fields(&self) -> bool {
        self.mask.0[key::DL_DST.ofs..].iter().any(|b| *b != 0)
    }

    /// The protocols that can carry this match.
    pub fn usable_protocols(&self) -> Protocols {
        usable::usable(self).intersect(self.text_usable)
    }
}

/// The fields on the wire that have a prerequisite, in table order.
/// Fields with a wire form that live at the same key offset (aliases such as
/// `nw_src`/`arp_spa`, `tp_src`/`icmp_type`, `vlan_vid`/`vlan_pcp`), for
/// the groups where some field has a prerequisite.
struct SlotGroup {
    /// Key bytes any field of the group covers (None: tunnel metadata,
    /// stored outside the key).
    span: Option<(usize, usize)>,
    fields: Vec<FieldId>,
}

fn slot_groups() -> &'static [SlotGroup] {
    use std::sync::OnceLock;
    static GROUPS: OnceLock<Vec<SlotGroup>> = OnceLock::new();
    GROUPS.get_or_init(|| {
        let mut groups: Vec<SlotGroup> = Vec::new();
        let mut by_ofs: std::collections::HashMap<usize, usize> = Default::default();
        for f in FieldId::all().filter(|f| f.has_wire()) {
            let slot = match access(f) {
                Access::Direct(s) | Access::Port11(s) => Some(s),
                Access::Bits { slot, .. } => Some(slot),
                Access::TunMetadata(_) => None,
            };
            let Some(slot) = slot else {
                groups.push(SlotGroup {
                    span: None,
                    fields: vec![f],
                });
                continue;
            };
            let i = *by_ofs.entry(slot.ofs).or_insert_with(|| {
                groups.push(SlotGroup {
                    span: Some((slot.ofs, slot.ofs)),
                    fields: Vec::new(),
                });
                groups.len() - 1
            });
            let g = &mut groups[i];
            if let Some((from, to)) = g.span.as_mut() {
                *to = (*to).max(*from + slot.len);
            }
            g.fields.push(f);
        }
        groups.retain(|g| g.fields.iter().any(|f| f.prereq() != Prereq::None));
        groups
    })
}

/// The fields the reference's normalisation may drop (network and
/// transport fields whose protocol the match lacks). Ours drops more
/// (e.g. `tcp_flags`, NSH fields without their packet type); the difference
/// never reaches the wire, but only these count as a reported change.
fn reference_normalized() -> &'static [FieldId] {
    use std::sync::OnceLock;
    static SET: OnceLock<Vec<FieldId>> = OnceLock::new();
    SET.get_or_init(|| {
        [
            "tcp_src",
            "tcp_dst",
            "udp_src",
            "udp_dst",
            "sctp_src",
            "sctp_dst",
            "icmp_type",
            "icmp_code",
            "icmpv6_type",
            "icmpv6_code",
            "nw_proto",
            "ip_dscp",
            "nw_tos",
            "nw_ecn",
            "nw_ttl",
            "ip_frag",
            "ip_src",
            "ip_dst",
            "arp_op",
            "arp_spa",
            "arp_tpa",
            "arp_sha",
            "arp_tha",
            "ipv6_src",
            "ipv6_dst",
            "ipv6_label",
            "nd_target",
            "nd_sll",
            "nd_tll",
            "mpls_label",
            "mpls_tc",
            "mpls_bos",
            "mpls_ttl",
        ]
        .iter()
        .filter_map(|n| FieldId::by_name(n))
        .filter(|f| f.has_wire())
        .collect()
    })
}

/// The three INFO lines of a normalisation of `before` (whose result is
/// `ours`), as far as the reference's normalisation would make it.
fn report_normalization(before: &Match, ours: &Match) {
    let mut after = before.clone();
    for &f in reference_normalized() {
        if before.is_matched(f) && !ours.is_matched(f) {
            after.clear(f);
        }
    }
    if *before == after {
        return;
    }
    crate::warn::info("ofp_match", || {
        "normalization changed ofp_match, details:".to_string()
    });
    crate::warn::info("ofp_match", || {
        format!(" pre: {}", before.format(32768, None))
    });
    crate::warn::info("ofp_match", || {
        format!("post: {}", after.format(32768, None))
    });
}

impl std::fmt::Display for Match {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.format(32768, None))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn views_share_bits() {
        let mut m = Match::new();
        m.set_exact(FieldId::IP_DSCP, &[3]);
        assert_eq!(m.get(FieldId::NW_TOS), Some((vec![12], vec![0xfc])));
        m.set_exact(FieldId::NW_ECN, &[1]);
        assert_eq!(m.key().u8(key::NW_TOS), 13);
        m.set_exact(FieldId::XREG0, &[0, 0, 0, 1, 0, 0, 0, 2]);
        assert_eq!(m.get(FieldId::REG0).map(|x| x.0), Some(vec![0, 0, 0, 1]));
        assert_eq!(
            m.get(FieldId::reg(1).unwrap()).map(|x| x.0),
            Some(vec![0, 0, 0, 2])
        );
        m.set_exact(FieldId::VLAN_PCP, &[3]);
        assert_eq!(m.key().u16(key::VLAN_TCI), 0x7000);
        assert_eq!(m.mask().u16(key::VLAN_TCI), 0xf000);
        m.set_exact(FieldId::IN_PORT_OXM, &[0xff, 0xff, 0xff, 0xfe]);
        assert_eq!(m.get(FieldId::IN_PORT).map(|x| x.0), Some(vec![0xff, 0xfe]));
        m.clear(FieldId::IN_PORT);
        assert_eq!(m.get(FieldId::IN_PORT_OXM), None);
    }

    #[test]
    fn aliased_fields_are_not_bad_prerequisites() {
        let mut m = Match::new();
        m.set_exact(FieldId::ETH_TYPE, &[0x08, 0x00]);
        m.set_exact(FieldId::IP_SRC, &[10, 0, 0, 1]);
        m.set_exact(FieldId::NW_PROTO, &[6]);
        m.set_exact(FieldId::TCP_DST, &[0, 80]);
        // arp_spa, arp_op and udp_dst alias matched bits; their own
        // prerequisites fail, but the bits belong to fields whose hold.
        assert!(m.is_matched(FieldId::ARP_SPA));
        assert_eq!(m.first_bad_prereq(), None);

        let mut no_proto = Match::new();
        no_proto.set_exact(FieldId::ETH_TYPE, &[0x08, 0x00]);
        no_proto.set_exact(FieldId::TCP_DST, &[0, 80]);
        let bad = no_proto.first_bad_prereq();
        assert!(bad.is_some_and(|f| f.prereq() != Prereq::None), "{bad:?}");
        let mut normalized = no_proto.clone();
        normalized.normalize();
        assert!(!normalized.is_matched(FieldId::TCP_DST));
    }

    /// The quick check agrees with what normalisation does, on matches
    /// built from random subsets of fields with random values.
    #[test]
    fn prerequisite_check_agrees_with_normalize() {
        let fields: Vec<FieldId> = FieldId::all()
            .filter(|f| f.has_wire() && !matches!(access(*f), Access::TunMetadata(_)))
            .collect();
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let mut disagreements = Vec::new();
        for _ in 0..5000 {
            let mut m = Match::new();
            // Usually a plausible dl_type/nw_proto, sometimes none.
            let dl = [0x0800u16, 0x86dd, 0x0806, 0x8847, 0x894f, 0x1234][(next() % 6) as usize];
            if next() % 4 != 0 {
                m.set_exact(FieldId::ETH_TYPE, &dl.to_be_bytes());
            }
            if next() % 3 != 0 {
                let proto = [6u8, 17, 132, 1, 58, 47][(next() % 6) as usize];
                m.set_exact(FieldId::NW_PROTO, &[proto]);
            }
            for _ in 0..(next() % 4) {
                let f = fields[(next() % fields.len() as u64) as usize];
                let n = f.n_bytes();
                let v: Vec<u8> = (0..n).map(|_| next() as u8).collect();
                m.set_exact(f, &v);
            }
            let mut normalized = m.clone();
            normalized.normalize();
            if m.prereqs_hold() != (normalized == m) {
                disagreements.push(m.format(32768, None));
            }
        }
        assert!(
            disagreements.is_empty(),
            "{:?}",
            &disagreements[..disagreements.len().min(5)]
        );
    }
}
