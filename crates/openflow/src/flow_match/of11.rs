//! The OpenFlow 1.1 standard match: 88 bytes, wildcard bits plus inverted
//! masks ("1 = don't care") for Ethernet and IPv4 addresses and metadata.
//! As in the reference, layer-3/4 fields are only taken when `dl_type`
//! makes them meaningful, and encoding is lossy where OF1.1 cannot express
//! the match.

use super::key;
use super::{
    Match, ETH_TYPE_ARP, ETH_TYPE_IP, IPPROTO_ICMP, IPPROTO_SCTP, IPPROTO_TCP, IPPROTO_UDP,
};
use super::{ETH_TYPE_MPLS, ETH_TYPE_MPLS_MCAST, ETH_TYPE_RARP, VLAN_CFI};
use crate::buf::{Put, Reader};
use crate::error::OfpError;
use crate::port::PortNo;

const FW_IN_PORT: u32 = 1 << 0;
const FW_DL_VLAN: u32 = 1 << 1;
const FW_DL_VLAN_PCP: u32 = 1 << 2;
const FW_DL_TYPE: u32 = 1 << 3;
const FW_NW_TOS: u32 = 1 << 4;
const FW_NW_PROTO: u32 = 1 << 5;
const FW_TP_SRC: u32 = 1 << 6;
const FW_TP_DST: u32 = 1 << 7;
const FW_MPLS_LABEL: u32 = 1 << 8;
const FW_MPLS_TC: u32 = 1 << 9;

/// dl_vlan: any tagged packet / only untagged packets.
const OFPVID11_ANY: u16 = 0xfffe;
const OFPVID11_NONE: u16 = 0xffff;

const OFPMT_STANDARD: u16 = 0;
pub const OFP11_MATCH_LEN: usize = 88;

fn not(b: &[u8]) -> Vec<u8> {
    b.iter().map(|x| !x).collect()
}

impl Match {
    /// Decodes an 88-byte OF1.1 standard match. Fields are taken only when
    /// dl_type (and nw_proto) make them meaningful, as the reference does,
    /// so the result needs no [`Match::normalize`] (it would change nothing)
    /// and prints as the reference prints any OF1.1 message carrying it.
    /// ICMP type or code above 255 is `OFPBMC_BAD_FIELD`, impossible VLAN,
    /// PCP, TOS or port values `OFPBMC_BAD_VALUE`.
    pub fn decode_of11(r: &mut Reader) -> Result<Match, OfpError> {
        let ty = r.be16().map_err(|_| OfpError::BmcBadLen)?;
        let len = r.be16().map_err(|_| OfpError::BmcBadLen)?;
        if ty != OFPMT_STANDARD {
            return Err(OfpError::BmcBadType);
        }
        if usize::from(len) != OFP11_MATCH_LEN {
            return Err(OfpError::BmcBadLen);
        }
        let b = r
            .bytes(OFP11_MATCH_LEN - 4)
            .map_err(|_| OfpError::BmcBadLen)?;
        let mut rd = Reader::new(b);
        let in_port = rd.be32()?;
        let w = rd.be32()?;
        let dl_src = rd.bytes(6)?;
        let dl_src_mask = rd.bytes(6)?;
        let dl_dst = rd.bytes(6)?;
        let dl_dst_mask = rd.bytes(6)?;
        let dl_vlan = rd.be16()?;
        let dl_vlan_pcp = rd.u8()?;
        rd.skip(1)?;
        let dl_type = rd.be16()?;
        let nw_tos = rd.u8()?;
        let nw_proto = rd.u8()?;
        let nw_src = rd.bytes(4)?;
        let nw_src_mask = rd.bytes(4)?;
        let nw_dst = rd.bytes(4)?;
        let nw_dst_mask = rd.bytes(4)?;
        let tp_src = rd.be16()?;
        let tp_dst = rd.be16()?;
        let mpls_label = rd.be32()?;
        let mpls_tc = rd.u8()?;
        rd.skip(3)?;
        let metadata = rd.bytes(8)?;
        let metadata_mask = rd.bytes(8)?;

        use crate::field::FieldId as F;
        let mut m = Match::new();
        if w & FW_IN_PORT == 0 {
            let p = crate::field::port_from_of11(in_port).ok_or_else(|| {
                crate::field::warn_port_range(in_port);
                OfpError::BmcBadValue
            })?;
            m.set_exact(F::IN_PORT, &p.0.to_be_bytes());
        }
        m.set(F::ETH_SRC, dl_src, &not(dl_src_mask));
        m.set(F::ETH_DST, dl_dst, &not(dl_dst_mask));
        if w & FW_DL_VLAN == 0 {
            if dl_vlan == OFPVID11_NONE {
                m.set_exact(F::VLAN_TCI, &[0, 0]);
            } else {
                let (tci, tm) = if dl_vlan == OFPVID11_ANY {
                    (VLAN_CFI, VLAN_CFI)
                } else if dl_vlan < 4096 {
                    (VLAN_CFI | dl_vlan, VLAN_CFI | 0x0fff)
                } else {
                    return Err(OfpError::BmcBadValue);
                };
                let (tci, tm) = if w & FW_DL_VLAN_PCP == 0 {
                    if dl_vlan_pcp > 7 {
                        return Err(OfpError::BmcBadValue);
                    }
                    (tci | u16::from(dl_vlan_pcp) << 13, tm | 0xe000)
                } else {
                    (tci, tm)
                };
                m.set(F::VLAN_TCI, &tci.to_be_bytes(), &tm.to_be_bytes());
            }
        }
        if w & FW_DL_TYPE == 0 {
            m.set_exact(F::ETH_TYPE, &dl_type.to_be_bytes());
        }
        let ipv4 = m.dl_type() == Some(ETH_TYPE_IP);
        let arp = matches!(m.dl_type(), Some(ETH_TYPE_ARP | ETH_TYPE_RARP));
        if ipv4 && w & FW_NW_TOS == 0 {
            if nw_tos & 0x03 != 0 {
                return Err(OfpError::BmcBadValue);
            }
            m.set_exact(F::NW_TOS, &[nw_tos]);
        }
        if ipv4 || arp {
            if w & FW_NW_PROTO == 0 {
                m.set_exact(F::NW_PROTO, &[nw_proto]);
            }
            m.set(F::IP_SRC, nw_src, &not(nw_src_mask));
            m.set(F::IP_DST, nw_dst, &not(nw_dst_mask));
        }
        if ipv4 && w & (FW_TP_SRC | FW_TP_DST) != FW_TP_SRC | FW_TP_DST {
            match m.nw_proto_value() {
                IPPROTO_ICMP => {
                    // Only the low byte carries the ICMP type and code; the
                    // reference refuses more.
                    let wide = |wild: u32, v: u16| w & wild == 0 && v > 0xff;
                    if wide(FW_TP_SRC, tp_src) || wide(FW_TP_DST, tp_dst) {
                        return Err(OfpError::BmcBadField);
                    }
                    if w & FW_TP_SRC == 0 {
                        m.set_exact(F::ICMP_TYPE, &[tp_src as u8]);
                    }
                    if w & FW_TP_DST == 0 {
                        m.set_exact(F::ICMP_CODE, &[tp_dst as u8]);
                    }
                }
                IPPROTO_TCP | IPPROTO_UDP | IPPROTO_SCTP => {
                    if w & FW_TP_SRC == 0 {
                        m.set_exact(F::TCP_SRC, &tp_src.to_be_bytes());
                    }
                    if w & FW_TP_DST == 0 {
                        m.set_exact(F::TCP_DST, &tp_dst.to_be_bytes());
                    }
                }
                // OF1.1 says to ignore the ports of other protocols.
                _ => {}
            }
        }
        let dl = m.dl_type_value();
        if m.dl_type().is_some() && (dl == ETH_TYPE_MPLS || dl == ETH_TYPE_MPLS_MCAST) {
            if w & FW_MPLS_LABEL == 0 {
                m.set_exact(F::MPLS_LABEL, &mpls_label.to_be_bytes());
            }
            if w & FW_MPLS_TC == 0 {
                m.set_exact(F::MPLS_TC, &[mpls_tc]);
            }
        }
        m.set(F::METADATA, metadata, &not(metadata_mask));
        m.set_default_packet_type();
        Ok(m)
    }

    /// Appends the 88-byte OF1.1 standard match (lossy where OF1.1 cannot
    /// express the match, as the reference).
    pub fn encode_of11(&self, out: &mut Vec<u8>) -> Result<(), OfpError> {
        let (k, mk) = (&self.key, &self.mask);
        let mut w: u32 = 0;
        out.put_be16(OFPMT_STANDARD);
        out.put_be16(OFP11_MATCH_LEN as u16);
        if mk.is_zero(key::IN_PORT) {
            w |= FW_IN_PORT;
            out.put_be32(0);
        } else {
            out.put_be32(PortNo(k.u16(key::IN_PORT)).to_of11());
        }
        let wild_at = out.len();
        out.put_be32(0);
        for s in [key::DL_SRC, key::DL_DST] {
            out.extend_from_slice(k.get(s));
            out.extend_from_slice(&not(mk.get(s)));
        }
        let tm = mk.u16(key::VLAN_TCI);
        let t = k.u16(key::VLAN_TCI);
        let (dl_vlan, pcp) = if tm == 0 {
            w |= FW_DL_VLAN | FW_DL_VLAN_PCP;
            (0, 0)
        } else if tm & VLAN_CFI != 0 && t & VLAN_CFI == 0 {
            w |= FW_DL_VLAN_PCP;
            (OFPVID11_NONE, 0)
        } else {
            let vid = if tm & 0x0fff == 0 {
                OFPVID11_ANY
            } else {
                t & 0x0fff
            };
            let pcp = if tm & 0xe000 == 0 {
                w |= FW_DL_VLAN_PCP;
                0
            } else {
                (t >> 13) as u8
            };
            (vid, pcp)
        };
        out.put_be16(dl_vlan);
        out.put_u8(pcp);
        out.put_zeros(1);
        if mk.is_zero(key::DL_TYPE) {
            w |= FW_DL_TYPE;
        }
        out.put_be16(k.u16(key::DL_TYPE));
        if mk.u8(key::NW_TOS) & 0xfc == 0 {
            w |= FW_NW_TOS;
            out.put_u8(0);
        } else {
            out.put_u8(k.u8(key::NW_TOS) & 0xfc);
        }
        if mk.is_zero(key::NW_PROTO) {
            w |= FW_NW_PROTO;
        }
        out.put_u8(k.u8(key::NW_PROTO));
        for s in [key::NW_SRC, key::NW_DST] {
            out.extend_from_slice(k.get(s));
            out.extend_from_slice(&not(mk.get(s)));
        }
        for (s, bit) in [(key::TP_SRC, FW_TP_SRC), (key::TP_DST, FW_TP_DST)] {
            if mk.is_zero(s) {
                w |= bit;
                out.put_be16(0);
            } else {
                out.put_be16(k.u16(s));
            }
        }
        let lse = k.u32(key::MPLS_LSE);
        let lse_m = mk.u32(key::MPLS_LSE);
        if lse_m >> 12 == 0 {
            w |= FW_MPLS_LABEL;
            out.put_be32(0);
        } else {
            out.put_be32(lse >> 12);
        }
        if (lse_m >> 9) & 7 == 0 {
            w |= FW_MPLS_TC;
            out.put_u8(0);
        } else {
            out.put_u8(((lse >> 9) & 7) as u8);
        }
        out.put_zeros(3);
        out.extend_from_slice(k.get(key::METADATA));
        out.extend_from_slice(&not(mk.get(key::METADATA)));
        let wb = w.to_be_bytes();
        out[wild_at..wild_at + 4].copy_from_slice(&wb);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_wildcards() {
        let m = Match::new();
        let mut out = Vec::new();
        m.encode_of11(&mut out).unwrap();
        assert_eq!(out.len(), OFP11_MATCH_LEN);
        assert_eq!(Match::decode_of11(&mut Reader::new(&out)), Ok(m));
        for n in 0..out.len() {
            assert!(Match::decode_of11(&mut Reader::new(&out[..n])).is_err());
        }
    }
}
