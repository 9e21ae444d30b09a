//! The OpenFlow 1.0 `ofp_match`: 40 bytes, wildcard bits plus CIDR bit
//! counts for the IPv4 addresses. Like the reference, encoding is lossy for
//! matches OF1.0 cannot express (check `usable_protocols` first) and decoding
//! keeps every non-wildcarded field; `Match::normalize` drops the ones whose
//! prerequisites fail, as the reference does for flow_mods only.

use super::key;
use super::{Match, VLAN_CFI};
use crate::buf::{Put, Reader};
use crate::error::OfpError;

const FW_IN_PORT: u32 = 1 << 0;
const FW_DL_VLAN: u32 = 1 << 1;
const FW_DL_SRC: u32 = 1 << 2;
const FW_DL_DST: u32 = 1 << 3;
const FW_DL_TYPE: u32 = 1 << 4;
const FW_NW_PROTO: u32 = 1 << 5;
const FW_TP_SRC: u32 = 1 << 6;
const FW_TP_DST: u32 = 1 << 7;
const FW_NW_SRC_SHIFT: u32 = 8;
const FW_NW_DST_SHIFT: u32 = 14;
const FW_DL_VLAN_PCP: u32 = 1 << 20;
const FW_NW_TOS: u32 = 1 << 21;

/// "No VLAN" in OF1.0's dl_vlan.
const OFP10_VLAN_NONE: u16 = 0xffff;

pub const OFP10_MATCH_LEN: usize = 40;

/// The netmask with `n` low bits wildcarded (n >= 32: all).
fn wcbits_to_mask(n: u32) -> u32 {
    if n >= 32 {
        0
    } else {
        u32::MAX << n
    }
}

/// Wildcarded low bits for a netmask: 32 minus its leading ones.
fn mask_to_wcbits(mask: u32) -> u32 {
    32 - mask.leading_ones()
}

impl Match {
    /// Decodes a 40-byte OF1.0 `ofp_match`, keeping every field that is not
    /// wildcarded, whatever the dl_type and nw_proto: that is the match the
    /// reference shows for OFPT_FLOW_REMOVED, flow stats requests and
    /// replies. For OFPT_FLOW_MOD the reference then normalises it: flow_mod
    /// decoders must call [`Match::normalize`] on the result (e.g. `tp_dst=80`
    /// without `tcp` is dropped there, and only there).
    pub fn decode_of10(r: &mut Reader) -> Result<Match, OfpError> {
        let b = r.bytes(OFP10_MATCH_LEN).map_err(|_| OfpError::BmcBadLen)?;
        let mut rd = Reader::new(b);
        // Reads from a 40-byte buffer cannot fail.
        let w = rd.be32()?;
        let in_port = rd.be16()?;
        let dl_src = rd.bytes(6)?;
        let dl_dst = rd.bytes(6)?;
        let dl_vlan = rd.be16()?;
        let dl_vlan_pcp = rd.u8()?;
        rd.skip(1)?;
        let dl_type = rd.be16()?;
        let nw_tos = rd.u8()?;
        let nw_proto = rd.u8()?;
        rd.skip(2)?;
        let nw_src = rd.be32()?;
        let nw_dst = rd.be32()?;
        let tp_src = rd.be16()?;
        let tp_dst = rd.be16()?;

        let mut m = Match::new();
        let (k, mk) = (&mut m.key, &mut m.mask);
        if w & FW_IN_PORT == 0 {
            k.set_uint(key::IN_PORT, u64::from(in_port));
            mk.set_uint(key::IN_PORT, 0xffff);
        }
        if w & FW_DL_SRC == 0 {
            k.get_mut(key::DL_SRC).copy_from_slice(dl_src);
            mk.get_mut(key::DL_SRC).fill(0xff);
        }
        if w & FW_DL_DST == 0 {
            k.get_mut(key::DL_DST).copy_from_slice(dl_dst);
            mk.get_mut(key::DL_DST).fill(0xff);
        }
        if w & FW_DL_TYPE == 0 {
            k.set_uint(key::DL_TYPE, u64::from(dl_type));
            mk.set_uint(key::DL_TYPE, 0xffff);
        }
        if w & FW_DL_VLAN == 0 && dl_vlan == OFP10_VLAN_NONE {
            // Only untagged packets; the PCP is then meaningless.
            mk.set_uint(key::VLAN_TCI, 0xffff);
        } else {
            let mut tm: u16 = 0;
            if w & FW_DL_VLAN == 0 {
                tm |= 0x0fff | VLAN_CFI;
            }
            if w & FW_DL_VLAN_PCP == 0 {
                tm |= 0xe000 | VLAN_CFI;
            }
            let tci = (dl_vlan & 0x0fff) | (u16::from(dl_vlan_pcp & 7) << 13) | VLAN_CFI;
            k.set_uint(key::VLAN_TCI, u64::from(tci & tm));
            mk.set_uint(key::VLAN_TCI, u64::from(tm));
        }
        if w & FW_NW_TOS == 0 {
            k.set_uint(key::NW_TOS, u64::from(nw_tos & 0xfc));
            mk.set_uint(key::NW_TOS, 0xfc);
        }
        if w & FW_NW_PROTO == 0 {
            k.set_uint(key::NW_PROTO, u64::from(nw_proto));
            mk.set_uint(key::NW_PROTO, 0xff);
        }
        let src_m = wcbits_to_mask((w >> FW_NW_SRC_SHIFT) & 0x3f);
        k.set_uint(key::NW_SRC, u64::from(nw_src & src_m));
        mk.set_uint(key::NW_SRC, u64::from(src_m));
        let dst_m = wcbits_to_mask((w >> FW_NW_DST_SHIFT) & 0x3f);
        k.set_uint(key::NW_DST, u64::from(nw_dst & dst_m));
        mk.set_uint(key::NW_DST, u64::from(dst_m));
        if w & FW_TP_SRC == 0 {
            k.set_uint(key::TP_SRC, u64::from(tp_src));
            mk.set_uint(key::TP_SRC, 0xffff);
        }
        if w & FW_TP_DST == 0 {
            k.set_uint(key::TP_DST, u64::from(tp_dst));
            mk.set_uint(key::TP_DST, 0xffff);
        }
        m.set_default_packet_type();
        Ok(m)
    }

    /// Appends the 40-byte OF1.0 match. Lossy where OF1.0 cannot express the
    /// match (as the reference: e.g. a masked Ethernet address is dropped).
    pub fn encode_of10(&self, out: &mut Vec<u8>) -> Result<(), OfpError> {
        let (k, mk) = (&self.key, &self.mask);
        let mut w: u32 = 0;
        fn field(w: &mut u32, bit: u32, matched: bool) -> bool {
            if !matched {
                *w |= bit;
            }
            matched
        }
        let in_port = if field(&mut w, FW_IN_PORT, !mk.is_zero(key::IN_PORT)) {
            k.u16(key::IN_PORT)
        } else {
            0
        };
        let dl_src = if field(&mut w, FW_DL_SRC, mk.is_ones(key::DL_SRC)) {
            k.get(key::DL_SRC).to_vec()
        } else {
            vec![0; 6]
        };
        let dl_dst = if field(&mut w, FW_DL_DST, mk.is_ones(key::DL_DST)) {
            k.get(key::DL_DST).to_vec()
        } else {
            vec![0; 6]
        };
        let dl_type = if field(&mut w, FW_DL_TYPE, !mk.is_zero(key::DL_TYPE)) {
            k.u16(key::DL_TYPE)
        } else {
            0
        };
        let tm = mk.u16(key::VLAN_TCI);
        let t = k.u16(key::VLAN_TCI);
        let (dl_vlan, pcp) = if tm == 0 {
            w |= FW_DL_VLAN | FW_DL_VLAN_PCP;
            (0, 0)
        } else if tm & VLAN_CFI != 0 && t & VLAN_CFI == 0 {
            // No VLAN: the reference leaves the PCP "exact" (and zero).
            (OFP10_VLAN_NONE, 0)
        } else {
            let vid = if tm & 0x0fff == 0x0fff {
                t & 0x0fff
            } else {
                w |= FW_DL_VLAN;
                0
            };
            let pcp = if tm & 0xe000 == 0xe000 {
                (t >> 13) as u8
            } else {
                w |= FW_DL_VLAN_PCP;
                0
            };
            (vid, pcp)
        };
        let nw_tos = if field(&mut w, FW_NW_TOS, mk.u8(key::NW_TOS) & 0xfc != 0) {
            k.u8(key::NW_TOS) & 0xfc
        } else {
            0
        };
        let nw_proto = if field(&mut w, FW_NW_PROTO, !mk.is_zero(key::NW_PROTO)) {
            k.u8(key::NW_PROTO)
        } else {
            0
        };
        let src_bits = mask_to_wcbits(mk.u32(key::NW_SRC));
        let dst_bits = mask_to_wcbits(mk.u32(key::NW_DST));
        w |= src_bits << FW_NW_SRC_SHIFT | dst_bits << FW_NW_DST_SHIFT;
        let nw_src = k.u32(key::NW_SRC) & wcbits_to_mask(src_bits);
        let nw_dst = k.u32(key::NW_DST) & wcbits_to_mask(dst_bits);
        let tp_src = if field(&mut w, FW_TP_SRC, mk.is_ones(key::TP_SRC)) {
            k.u16(key::TP_SRC)
        } else {
            0
        };
        let tp_dst = if field(&mut w, FW_TP_DST, mk.is_ones(key::TP_DST)) {
            k.u16(key::TP_DST)
        } else {
            0
        };
        out.put_be32(w);
        out.put_be16(in_port);
        out.extend_from_slice(&dl_src);
        out.extend_from_slice(&dl_dst);
        out.put_be16(dl_vlan);
        out.put_u8(pcp);
        out.put_zeros(1);
        out.put_be16(dl_type);
        out.put_u8(nw_tos);
        out.put_u8(nw_proto);
        out.put_zeros(2);
        out.put_be32(nw_src);
        out.put_be32(nw_dst);
        out.put_be16(tp_src);
        out.put_be16(tp_dst);
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
        m.encode_of10(&mut out).unwrap();
        assert_eq!(out.len(), OFP10_MATCH_LEN);
        assert_eq!(out[..4], [0x00, 0x38, 0x20, 0xff]);
        assert_eq!(Match::decode_of10(&mut Reader::new(&out)), Ok(m));
        assert_eq!(
            Match::decode_of10(&mut Reader::new(&out[..39])),
            Err(OfpError::BmcBadLen)
        );
    }
}
