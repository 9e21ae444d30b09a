//! NXM (OpenFlow 1.0 Nicira extension) and OXM (OpenFlow 1.2+) matches: a
//! sequence of TLVs. Encoding emits fields in the reference's order and
//! picks code points per version (e.g. `tun_id` is NXM_NX_TUN_ID before
//! OF1.3, OXM_OF_TUNNEL_ID from OF1.3; registers are OXM_OF_PKT_REGn pairs in
//! OF1.5), so our bytes equal the reference's. Decoding accepts any known
//! code point in any version and checks duplicates and prerequisites.

use super::access::is_full_mask;
use super::key;
use super::Match;
use super::{
    ETH_TYPE_ARP, ETH_TYPE_IP, ETH_TYPE_IPV6, ETH_TYPE_MPLS, ETH_TYPE_MPLS_MCAST, ETH_TYPE_NSH,
    ETH_TYPE_RARP, IPPROTO_ICMP, IPPROTO_ICMPV6, IPPROTO_SCTP, IPPROTO_TCP, IPPROTO_UDP,
};
use crate::buf::{Put, Reader};
use crate::error::OfpError;
use crate::field::{decode_tlv_ref, encode_tlv, FieldId};
use crate::version::Version;

/// Which TLV dialect to produce.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Flavor {
    Nxm,
    Oxm(Version),
}

impl Flavor {
    fn version(self) -> Version {
        match self {
            Flavor::Nxm => Version::Of10,
            Flavor::Oxm(v) => v,
        }
    }
    fn is_oxm(self) -> bool {
        matches!(self, Flavor::Oxm(_))
    }
}

type Entry = (FieldId, Vec<u8>, Option<Vec<u8>>);

/// The fields to encode, in order, with `None` masks for exact matches.
pub(crate) fn fields_for(m: &Match, fl: Flavor) -> Vec<Entry> {
    let mut out: Vec<Entry> = Vec::new();
    let put = |out: &mut Vec<Entry>, f: FieldId| {
        if let Some((v, mask)) = m.field(f) {
            // ct_state and tun_flags are narrower in the reference's flow
            // than on the wire, so even their exact matches carry a mask.
            let quirk = f == FieldId::CT_STATE || f == FieldId::TUN_FLAGS;
            let exact = if f.tun_metadata_index().is_some() {
                mask.iter().all(|b| *b == 0xff)
            } else {
                !quirk && is_full_mask(f, &mask)
            };
            out.push((f, v.to_vec(), (!exact).then(|| mask.to_vec())));
        }
    };

    let pt = m.key.u32(key::PACKET_TYPE);
    let pt_matched = !m.mask.is_zero(key::PACKET_TYPE);
    if pt_matched && !(pt == 0 && m.has_l2_fields()) {
        put(&mut out, FieldId::PACKET_TYPE);
    }
    put(&mut out, FieldId::DP_HASH);
    put(&mut out, FieldId::RECIRC_ID);
    put(&mut out, FieldId::CONJ_ID);
    put(
        &mut out,
        if fl.is_oxm() {
            FieldId::IN_PORT_OXM
        } else {
            FieldId::IN_PORT
        },
    );
    put(&mut out, FieldId::ACTSET_OUTPUT);

    if pt == 0 {
        put(&mut out, FieldId::ETH_SRC);
        put(&mut out, FieldId::ETH_DST);
        put(&mut out, FieldId::ETH_TYPE);
        if fl.is_oxm() {
            put_oxm_vlan(m, &mut out);
        } else {
            put(&mut out, FieldId::VLAN_TCI);
        }
    }

    let dl = m.dl_type_value();
    if dl == ETH_TYPE_MPLS || dl == ETH_TYPE_MPLS_MCAST {
        put(&mut out, FieldId::MPLS_TC);
        put(&mut out, FieldId::MPLS_BOS);
        put(&mut out, FieldId::MPLS_TTL);
        put(&mut out, FieldId::MPLS_LABEL);
    }
    if dl == ETH_TYPE_IP || dl == ETH_TYPE_IPV6 {
        let v6 = dl == ETH_TYPE_IPV6;
        if v6 {
            put(&mut out, FieldId::IPV6_SRC);
            put(&mut out, FieldId::IPV6_DST);
        } else {
            put(&mut out, FieldId::IP_SRC);
            put(&mut out, FieldId::IP_DST);
        }
        put(&mut out, FieldId::IP_FRAG);
        put(
            &mut out,
            if fl.is_oxm() {
                FieldId::IP_DSCP
            } else {
                FieldId::NW_TOS
            },
        );
        put(&mut out, FieldId::NW_ECN);
        put(&mut out, FieldId::NW_TTL);
        if v6 {
            put(&mut out, FieldId::IPV6_LABEL);
        }
        put(&mut out, FieldId::NW_PROTO);
        if m.nw_proto().is_some() {
            match m.nw_proto_value() {
                IPPROTO_TCP => {
                    put(&mut out, FieldId::TCP_SRC);
                    put(&mut out, FieldId::TCP_DST);
                    put(&mut out, FieldId::TCP_FLAGS);
                }
                IPPROTO_UDP => {
                    put(&mut out, FieldId::UDP_SRC);
                    put(&mut out, FieldId::UDP_DST);
                }
                IPPROTO_SCTP => {
                    put(&mut out, FieldId::SCTP_SRC);
                    put(&mut out, FieldId::SCTP_DST);
                }
                IPPROTO_ICMP if !v6 => {
                    put(&mut out, FieldId::ICMP_TYPE);
                    put(&mut out, FieldId::ICMP_CODE);
                }
                IPPROTO_ICMPV6 if v6 => {
                    put(&mut out, FieldId::ICMPV6_TYPE);
                    put(&mut out, FieldId::ICMPV6_CODE);
                    let ty = m.key.u16(key::TP_SRC);
                    if ty == 135 || ty == 136 {
                        put(&mut out, FieldId::ND_RESERVED);
                        put(&mut out, FieldId::ND_TARGET);
                        put(&mut out, FieldId::ND_OPTIONS_TYPE);
                        put(
                            &mut out,
                            if ty == 135 {
                                FieldId::ND_SLL
                            } else {
                                FieldId::ND_TLL
                            },
                        );
                    }
                }
                _ => {}
            }
        }
    } else if dl == ETH_TYPE_ARP || dl == ETH_TYPE_RARP {
        put(&mut out, FieldId::ARP_OP);
        put(&mut out, FieldId::ARP_SPA);
        put(&mut out, FieldId::ARP_TPA);
        put(&mut out, FieldId::ARP_SHA);
        put(&mut out, FieldId::ARP_THA);
    }

    // Tunnel.
    for f in [
        FieldId::TUN_ID,
        FieldId::TUN_FLAGS,
        FieldId::TUN_SRC,
        FieldId::TUN_DST,
        FieldId::TUN_IPV6_SRC,
        FieldId::TUN_IPV6_DST,
        FieldId::TUN_GBP_ID,
        FieldId::TUN_GBP_FLAGS,
    ] {
        put(&mut out, f);
    }
    for t in &m.tun_md {
        // Written at the entry's own length, even empty, and masked
        // exactly when it was (a zero mask included), as the reference.
        if let Some(f) = FieldId::tun_metadata(usize::from(t.idx)) {
            out.push((f, t.value.clone(), t.masked.then(|| t.mask.clone())));
        }
    }
    for f in [
        FieldId::TUN_ERSPAN_IDX,
        FieldId::TUN_ERSPAN_VER,
        FieldId::TUN_ERSPAN_DIR,
        FieldId::TUN_ERSPAN_HWID,
        FieldId::TUN_GTPU_FLAGS,
        FieldId::TUN_GTPU_MSGTYPE,
    ] {
        put(&mut out, f);
    }

    if dl == ETH_TYPE_NSH {
        for f in [
            FieldId::NSH_FLAGS,
            FieldId::NSH_TTL,
            FieldId::NSH_MDTYPE,
            FieldId::NSH_NP,
            FieldId::NSH_SPI,
            FieldId::NSH_SI,
        ] {
            put(&mut out, f);
        }
        for i in 1..=4 {
            if let Some(f) = FieldId::nsh_c(i) {
                put(&mut out, f);
            }
        }
    }

    // Registers: 32-bit NXM registers, except OF1.5 which has 64-bit OXM ones.
    if fl.version() >= Version::Of15 {
        for i in 0..8 {
            if let Some(f) = FieldId::xreg(i) {
                put(&mut out, f);
            }
        }
    } else {
        for i in 0..16 {
            if let Some(f) = FieldId::reg(i) {
                put(&mut out, f);
            }
        }
    }

    put(&mut out, FieldId::PKT_MARK);
    for f in [
        FieldId::CT_STATE,
        FieldId::CT_ZONE,
        FieldId::CT_MARK,
        FieldId::CT_LABEL,
        FieldId::CT_NW_SRC,
        FieldId::CT_NW_DST,
        FieldId::CT_IPV6_SRC,
        FieldId::CT_IPV6_DST,
    ] {
        put(&mut out, f);
    }
    // The reference writes the conntrack protocol only when it is not zero,
    // and the original-direction ports (meaningless without it) only then.
    if m.field(FieldId::CT_NW_PROTO)
        .is_some_and(|(v, _)| *v != [0])
    {
        put(&mut out, FieldId::CT_NW_PROTO);
        put(&mut out, FieldId::CT_TP_SRC);
        put(&mut out, FieldId::CT_TP_DST);
    }
    put(&mut out, FieldId::METADATA);
    out
}

/// OXM splits the TCI into the VID (with the "present" bit) and the PCP.
fn put_oxm_vlan(m: &Match, out: &mut Vec<Entry>) {
    let tci = m.key.u16(key::VLAN_TCI);
    let tci_m = m.mask.u16(key::VLAN_TCI);
    let vid = tci & 0x1fff;
    let vid_m = tci_m & 0x1fff;
    if vid_m == 0x1fff {
        out.push((FieldId::VLAN_VID, vid.to_be_bytes().to_vec(), None));
    } else if vid_m != 0 {
        out.push((
            FieldId::VLAN_VID,
            vid.to_be_bytes().to_vec(),
            Some(vid_m.to_be_bytes().to_vec()),
        ));
    }
    if vid != 0 && tci_m & 0xe000 != 0 {
        out.push((FieldId::VLAN_PCP, vec![(tci >> 13) as u8], None));
    }
}

fn encode_entries(m: &Match, fl: Flavor, out: &mut Vec<u8>) {
    for (f, v, mask) in fields_for(m, fl) {
        encode_tlv(out, f, &v, mask.as_deref(), fl.version());
    }
}

/// Decodes TLVs filling the whole reader. As in the reference, each TLV's
/// prerequisites must be met by the TLVs before it (`eth_type` before
/// `ip_src`, `vlan_vid` before `vlan_pcp`), checked before duplicates.
fn decode_entries(r: &mut Reader) -> Result<Match, OfpError> {
    let mut m = Match::new();
    let mut seen: Vec<FieldId> = Vec::new();
    while !r.is_empty() {
        let (f, v, mask) = decode_tlv_ref(r)?;
        if !m.prereq_ok(f.prereq()) {
            return Err(OfpError::BmcBadPrereq);
        }
        if m.is_matched(f) || (f == FieldId::PACKET_TYPE && seen.contains(&f)) {
            return Err(OfpError::BmcDupField);
        }
        if let Some(i) = f.tun_metadata_index() {
            // Even a wildcarded option counts as present.
            if m.tun_md.iter().any(|t| usize::from(t.idx) == i) {
                return Err(OfpError::BmcDupField);
            }
            m.set_tun_md(i, v, mask);
            seen.push(f);
            continue;
        }
        if f == FieldId::PACKET_TYPE {
            m.set_packet_type(v);
        } else {
            match mask {
                Some(mask) => m.set(f, v, mask),
                None => m.set_exact(f, v),
            }
        }
        seen.push(f);
    }
    m.set_default_packet_type();
    Ok(m)
}

const OFPMT_OXM: u16 = 1;

impl Match {
    /// A raw nx_match of `len` bytes (no padding is consumed).
    pub fn decode_nxm(r: &mut Reader, len: usize) -> Result<Match, OfpError> {
        let mut sub = r.sub(len).map_err(|_| OfpError::BmcBadLen)?;
        decode_entries(&mut sub)
    }

    /// Appends the raw nx_match and returns its (unpadded) length.
    pub fn encode_nxm(&self, out: &mut Vec<u8>) -> usize {
        let start = out.len();
        encode_entries(self, Flavor::Nxm, out);
        out.len() - start
    }

    /// Appends OXM TLVs for `v` without the ofp_match header (for messages
    /// that carry bare OXMs, like packet-in metadata); returns their length.
    pub fn encode_oxm_fields(&self, v: Version, out: &mut Vec<u8>) -> usize {
        let start = out.len();
        encode_entries(self, Flavor::Oxm(v), out);
        out.len() - start
    }

    /// Decodes bare OXM TLVs filling `r`.
    pub fn decode_oxm_fields(r: &mut Reader) -> Result<Match, OfpError> {
        decode_entries(r)
    }

    /// An OF1.2+ `ofp_match` (type OXM, length, TLVs) and its padding to 8 bytes.
    pub fn decode_oxm_match(_v: Version, r: &mut Reader) -> Result<Match, OfpError> {
        let ty = r.be16().map_err(|_| OfpError::BmcBadLen)?;
        let len = usize::from(r.be16().map_err(|_| OfpError::BmcBadLen)?);
        if ty != OFPMT_OXM {
            return Err(OfpError::BmcBadType);
        }
        if len < 4 {
            return Err(OfpError::BmcBadLen);
        }
        let mut body = r.sub(len - 4).map_err(|_| OfpError::BmcBadLen)?;
        let pad = len.div_ceil(8) * 8 - len;
        r.skip(pad).map_err(|_| OfpError::BmcBadLen)?;
        decode_entries(&mut body)
    }

    /// Appends an OF1.2+ `ofp_match` with its padding.
    pub fn encode_oxm_match(&self, v: Version, out: &mut Vec<u8>) -> Result<(), OfpError> {
        if !self.mask.is_zero(key::SKB_PRIORITY) {
            return Err(OfpError::BmcBadField);
        }
        let start = out.len();
        out.put_be16(OFPMT_OXM);
        out.put_be16(0);
        encode_entries(self, Flavor::Oxm(v), out);
        let len = out.len() - start;
        out.patch_be16(start + 2, len as u16);
        out.pad_from(start, 8);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Match {
        let mut m = Match::new();
        for item in s.split(',') {
            let (k, v) = match item.split_once('=') {
                Some((k, v)) => (k, Some(v)),
                None => (item, None),
            };
            assert!(m.parse_item(k, v, None).unwrap(), "{item}");
        }
        m.set_default_packet_type();
        m
    }

    #[test]
    fn nxm_round_trip() {
        for s in [
            "tcp,tp_dst=80,nw_src=10.0.0.0/8",
            "in_port=1,dl_vlan=5,dl_src=01:02:03:04:05:06",
            "reg0=5/0xff,tun_id=0x10,ct_state=+trk+new",
            "icmp6,icmp_type=135,nd_target=::1,nd_sll=01:02:03:04:05:06",
            "arp,arp_op=2,arp_spa=1.2.3.4",
        ] {
            let m = parse(s);
            let mut out = Vec::new();
            let n = m.encode_nxm(&mut out);
            let back = Match::decode_nxm(&mut Reader::new(&out), n).unwrap();
            assert_eq!(back, m, "{s}");
            for v in [Version::Of12, Version::Of13, Version::Of15] {
                let mut out = Vec::new();
                m.encode_oxm_match(v, &mut out).unwrap();
                assert_eq!(out.len() % 8, 0);
                let back = Match::decode_oxm_match(v, &mut Reader::new(&out)).unwrap();
                assert_eq!(back, m, "{s} {v}");
            }
        }
    }

    #[test]
    fn errors() {
        // Duplicate and prerequisite failures.
        let dup = [0, 1, 0, 4, 0, 0, 0, 1, 0, 1, 0, 4, 0, 0, 0, 1];
        assert_eq!(
            Match::decode_nxm(&mut Reader::new(&dup), dup.len()),
            Err(OfpError::BmcDupField)
        );
        let prereq = [0, 0, 0x0e, 4, 1, 2, 3, 4];
        assert_eq!(
            Match::decode_nxm(&mut Reader::new(&prereq), prereq.len()),
            Err(OfpError::BmcBadPrereq)
        );
        // Prerequisites must come first: ip_src then eth_type is refused,
        // and so is vlan_pcp before vlan_vid (not a duplicate).
        let late = [0, 0, 0x0e, 4, 1, 2, 3, 4, 0, 0, 6, 2, 8, 0];
        assert_eq!(
            Match::decode_nxm(&mut Reader::new(&late), late.len()),
            Err(OfpError::BmcBadPrereq)
        );
        let pcp_first = [0x80, 0, 0x0e, 1, 3, 0x80, 0, 0x0c, 2, 0x10, 5];
        assert_eq!(
            Match::decode_oxm_fields(&mut Reader::new(&pcp_first)),
            Err(OfpError::BmcBadPrereq)
        );
        let m = parse("tcp,tp_dst=80,reg3=7");
        let mut out = Vec::new();
        m.encode_oxm_match(Version::Of13, &mut out).unwrap();
        for n in 0..out.len() {
            assert!(Match::decode_oxm_match(Version::Of13, &mut Reader::new(&out[..n])).is_err());
        }
    }
}
