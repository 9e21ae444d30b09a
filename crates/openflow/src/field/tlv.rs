//! One NXM/OXM TLV on the wire: a 32-bit header (class, field, hasmask,
//! length), for class 0xffff followed by a 32-bit experimenter id, then the
//! value and, if hasmask, the mask. Matches are sequences of these; the
//! set_field, load (reg_load2), move, learn and packet-in metadata encodings
//! use single ones (or bare headers).
//!
//! Errors follow the reference, in its order: a TLV running past the end is
//! `OFPBMC_BAD_LEN`; value bits outside the mask are `OFPBMC_BAD_WILDCARDS`
//! (checked on the payload's halves before the field is known); an unknown
//! code point or a length that does not fit the field is
//! `OFPBMC_BAD_FIELD`; a mask other than all-ones or all-zeros on a
//! non-maskable field is `OFPBMC_BAD_MASK`; an impossible value is
//! `OFPBMC_BAD_VALUE`.

use super::{FieldId, Wire, OXM_CLASS_EXPERIMENTER};
use crate::buf::{Put, Reader};
use crate::error::OfpError;
use crate::version::Version;

/// One decoded TLV: the field, its value, and its mask (`None` when exact).
pub type Tlv = (FieldId, Vec<u8>, Option<Vec<u8>>);

/// A [`Tlv`] borrowing its value and mask from the input.
pub type TlvRef<'a> = (FieldId, &'a [u8], Option<&'a [u8]>);

/// A decoded TLV header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TlvHeader {
    pub field: FieldId,
    pub masked: bool,
    /// Bytes of the value (and of the mask, if any): `n_bytes` except for tun_metadata.
    pub value_len: usize,
    /// The code point the header used.
    pub wire: &'static Wire,
}

/// The raw parts of a header, before the field is known.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct RawHeader {
    pub class: u16,
    pub field: u8,
    pub experimenter: u32,
    pub masked: bool,
    /// Payload after the header and experimenter id: value (+ mask).
    pub body_len: usize,
}

pub(crate) fn decode_raw_header(r: &mut Reader) -> Result<RawHeader, OfpError> {
    let h = r.be32().map_err(|_| OfpError::BmcBadLen)?;
    let class = (h >> 16) as u16;
    let mut len = (h & 0xff) as usize;
    let mut experimenter = 0;
    if class == OXM_CLASS_EXPERIMENTER {
        if len < 4 {
            return Err(OfpError::BmcBadLen);
        }
        experimenter = r.be32().map_err(|_| OfpError::BmcBadLen)?;
        len -= 4;
    }
    Ok(RawHeader {
        class,
        field: ((h >> 9) & 0x7f) as u8,
        experimenter,
        masked: h & 0x100 != 0,
        body_len: len,
    })
}

impl RawHeader {
    /// The field, if the code point is known and the length fits it.
    pub(crate) fn resolve(&self) -> Result<TlvHeader, OfpError> {
        let field = FieldId::from_code_point(self.class, self.field, self.experimenter)
            .ok_or(OfpError::BmcBadField)?;
        // A masked payload is two halves; like the reference, an odd last
        // byte is ignored rather than refused.
        let parts = if self.masked { 2 } else { 1 };
        let value_len = self.body_len / parts;
        let ok = if field.tun_metadata_index().is_some() {
            // Options may even be empty.
            value_len <= field.n_bytes()
        } else {
            value_len == field.n_bytes()
        };
        if !ok {
            return Err(OfpError::BmcBadField);
        }
        let exp = if self.class == OXM_CLASS_EXPERIMENTER {
            self.experimenter
        } else {
            0
        };
        let wire = field
            .wires()
            .iter()
            .find(|w| w.class == self.class && w.field == self.field && w.experimenter == exp)
            .ok_or(OfpError::BmcBadField)?;
        Ok(TlvHeader {
            field,
            masked: self.masked,
            value_len,
            wire,
        })
    }
}

/// Reads one header (4 or 8 bytes) without its payload: what `move`, `learn`
/// and similar actions carry. The length bits must fit the field.
pub fn decode_header(r: &mut Reader) -> Result<TlvHeader, OfpError> {
    decode_raw_header(r)?.resolve()
}

/// Writes the header of field `f` as encoded for version `v` (OF1.0/1.1 mean
/// NXM), with the length of an exact or masked value of `n_bytes`.
pub fn encode_header(out: &mut Vec<u8>, f: FieldId, v: Version, masked: bool) {
    encode_header_len(out, f, v, masked, f.n_bytes());
}

fn encode_header_len(out: &mut Vec<u8>, f: FieldId, v: Version, masked: bool, value_len: usize) {
    let Some(w) = f.wire_for(v) else {
        // Text-only fields (dl_vlan) have no code point; callers map them
        // to vlan_tci first. Writing nothing keeps the output well-formed.
        return;
    };
    let body = value_len * if masked { 2 } else { 1 };
    let payload = body + if w.is_experimenter() { 4 } else { 0 };
    out.put_be32(w.header(payload, masked));
    if w.is_experimenter() {
        out.put_be32(w.experimenter);
    }
}

/// Reads one whole TLV. Values and masks come back exactly as long as the
/// header says (`n_bytes`, or the wire length for tun_metadata). A mask that
/// is all ones is returned as `None`, as an exact match.
pub fn decode_tlv(r: &mut Reader) -> Result<Tlv, OfpError> {
    let (f, value, mask) = decode_tlv_ref(r)?;
    Ok((f, value.to_vec(), mask.map(<[u8]>::to_vec)))
}

/// [`decode_tlv`] borrowing the value and mask from the input (decoding
/// matches of many flows should not allocate per field).
pub fn decode_tlv_ref<'a>(r: &mut Reader<'a>) -> Result<TlvRef<'a>, OfpError> {
    let raw = decode_raw_header(r)?;
    let body = r.bytes(raw.body_len).map_err(|_| OfpError::BmcBadLen)?;
    if raw.masked {
        // The reference splits a masked payload in halves (an odd last byte
        // is ignored) and checks the value against the mask before it even
        // looks the field up, so this wins over an unknown field or length.
        let half = body.len() / 2;
        let (value, mask) = (&body[..half], &body[half..2 * half]);
        if value.iter().zip(mask).any(|(v, m)| v & !m != 0) {
            // The header's own length byte, which for an experimenter field
            // counts the experimenter id too.
            let wire_len = raw.body_len
                + if raw.class == OXM_CLASS_EXPERIMENTER {
                    4
                } else {
                    0
                };
            crate::warn::warn("nx_match", || {
                format!(
                    "Rejecting NXM/OXM entry {}:{}:{}:1:{wire_len} with 1-bits in value for bits wildcarded by the mask.",
                    crate::field::hex_alt(raw.experimenter),
                    raw.class,
                    raw.field
                )
            });
            return Err(OfpError::BmcBadWildcards);
        }
    }
    let h = raw.resolve()?;
    let f = h.field;
    let value = &body[..h.value_len];
    let mask = if h.masked {
        Some(&body[h.value_len..2 * h.value_len])
    } else {
        None
    };
    if let Some(m) = mask {
        // A field that cannot be masked still takes an all-zeros mask (it
        // is then not matched at all) besides the all-ones one.
        let all_ones = m.iter().all(|b| *b == 0xff);
        let all_zeros = m.iter().all(|b| *b == 0);
        if !f.maskable() && !all_ones && !all_zeros {
            return Err(OfpError::BmcBadMask);
        }
    }
    if !f.is_value_valid(value) {
        if f == FieldId::IN_PORT_OXM && value.len() == 4 {
            super::warn_port_range(u32::from_be_bytes([value[0], value[1], value[2], value[3]]));
        }
        return Err(OfpError::BmcBadValue);
    }
    // (An empty mask, of a zero-length tun_metadata, stays a mask.)
    let mask = mask.filter(|m| m.is_empty() || !m.iter().all(|b| *b == 0xff));
    Ok((f, value, mask))
}

/// Writes one TLV for version `v` (OF1.0/1.1: NXM code points). `value` and
/// `mask` are `n_bytes` long (any length up to 124 for tun_metadata, even
/// none: an empty mask makes an empty masked TLV); an all-ones mask is
/// written as an exact match.
pub fn encode_tlv(out: &mut Vec<u8>, f: FieldId, value: &[u8], mask: Option<&[u8]>, v: Version) {
    let mask = mask.filter(|m| m.is_empty() || !m.iter().all(|b| *b == 0xff));
    encode_header_len(out, f, v, mask.is_some(), value.len());
    if f.wire_for(v).is_none() {
        return;
    }
    out.extend_from_slice(value);
    if let Some(m) = mask {
        out.extend_from_slice(m);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(bytes: &[u8]) -> Result<Tlv, OfpError> {
        decode_tlv(&mut Reader::new(bytes))
    }

    #[test]
    fn round_trips() {
        type Case<'a> = (FieldId, &'a [u8], Option<&'a [u8]>);
        let cases: &[Case] = &[
            (FieldId::IN_PORT, &[0, 1], None),
            (FieldId::REG0, &[0, 0, 0, 1], Some(&[0, 0, 0, 3])),
            (FieldId::ETH_SRC, &[1, 2, 3, 4, 5, 6], None),
            (FieldId::NSH_C1, &[0, 0, 0, 9], Some(&[0, 0, 0, 0xf])),
            (FieldId::TCP_FLAGS, &[0, 2], Some(&[0, 0x12])),
            (FieldId::ND_RESERVED, &[0, 0, 0, 5], None),
            (FieldId::XREG0, &[0, 0, 0, 0, 0, 0, 0, 1], None),
        ];
        for v in Version::ALL {
            for (f, val, m) in cases {
                let mut out = Vec::new();
                encode_tlv(&mut out, *f, val, *m, v);
                let got = dec(&out).unwrap();
                assert_eq!(got, (*f, val.to_vec(), m.map(<[u8]>::to_vec)), "{f} {v}");
            }
        }
    }

    #[test]
    fn encodings() {
        let mut out = Vec::new();
        encode_tlv(
            &mut out,
            FieldId::IN_PORT_OXM,
            &[0, 0, 0, 1],
            None,
            Version::Of13,
        );
        assert_eq!(out, [0x80, 0, 0, 4, 0, 0, 0, 1]);
        out.clear();
        encode_tlv(&mut out, FieldId::NSH_SI, &[1], None, Version::Of13);
        assert_eq!(out, [0xff, 0xff, 0x0a, 0x05, 0x00, 0x5a, 0xd6, 0x50, 1]);
        out.clear();
        encode_tlv(&mut out, FieldId::TUN_ID, &[0; 8], None, Version::Of12);
        assert_eq!(out[..4], [0x00, 0x01, 0x20, 0x08]);
        out.clear();
        encode_tlv(&mut out, FieldId::TUN_ID, &[0; 8], None, Version::Of13);
        assert_eq!(out[..4], [0x80, 0x00, 0x4c, 0x08]);
    }

    #[test]
    fn errors() {
        // Truncated header, truncated payload.
        assert_eq!(dec(&[0x80, 0, 0]), Err(OfpError::BmcBadLen));
        assert_eq!(dec(&[0x80, 0, 0x0a, 0x02, 0x08]), Err(OfpError::BmcBadLen));
        // Length that does not fit the field, unknown field.
        assert_eq!(dec(&[0x80, 0, 0, 2, 0, 1]), Err(OfpError::BmcBadField));
        assert_eq!(dec(&[0x80, 0, 0x7e, 1, 0]), Err(OfpError::BmcBadField));
        // Experimenter header too short for its id.
        assert_eq!(
            dec(&[0xff, 0xff, 0, 3, 0, 0x5a, 0xd6]),
            Err(OfpError::BmcBadLen)
        );
        // Value bits outside the mask; partial mask on a non-maskable field.
        assert_eq!(
            dec(&[0x80, 0, 1, 8, 0, 0, 0, 1, 0, 0, 0, 0]),
            Err(OfpError::BmcBadWildcards)
        );
        assert_eq!(
            dec(&[0x80, 0, 1, 8, 0, 0, 0, 1, 0, 0, 0, 0xff]),
            Err(OfpError::BmcBadMask)
        );
        assert_eq!(
            dec(&[0, 0, 1, 4, 0, 1, 0xff, 0xff]),
            Ok((FieldId::IN_PORT, vec![0, 1], None))
        );
        assert_eq!(
            dec(&[0, 0, 1, 4, 0, 0, 0, 0]),
            Ok((FieldId::IN_PORT, vec![0, 0], Some(vec![0, 0])))
        );
        // Value outside the mask beats an unknown field or a bad length
        // (halves of an odd payload, the last byte ignored).
        assert_eq!(
            dec(&[0x80, 0, 0xff, 2, 8, 0]),
            Err(OfpError::BmcBadWildcards)
        );
        assert_eq!(
            dec(&[0x80, 0, 0x0b, 2, 8, 0]),
            Err(OfpError::BmcBadWildcards)
        );
        assert_eq!(
            dec(&[0x80, 0, 0xff, 3, 0xff, 0, 0xff]),
            Err(OfpError::BmcBadWildcards)
        );
        assert_eq!(
            dec(&[0x80, 0, 0xff, 3, 0xff, 0xff, 0]),
            Err(OfpError::BmcBadField)
        );
        assert_eq!(
            dec(&[0x80, 0, 0x0b, 2, 0, 0xff]),
            Err(OfpError::BmcBadField)
        );
        // A masked payload one byte too long: the byte is ignored.
        assert_eq!(
            dec(&[0x80, 0, 1, 9, 0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff, 0x55]),
            Ok((FieldId::IN_PORT_OXM, vec![0, 0, 0, 1], None))
        );
        assert_eq!(
            dec(&[0x80, 0, 0x0a, 3, 8, 0xff, 0]),
            Err(OfpError::BmcBadField)
        );
        // Bad values.
        assert_eq!(
            dec(&[0x80, 0, 0x0c, 2, 0x20, 0]),
            Err(OfpError::BmcBadValue)
        );
        assert_eq!(
            dec(&[0x80, 0, 0, 4, 0, 0, 0xff, 0]),
            Err(OfpError::BmcBadValue)
        );
        assert_eq!(
            dec(&[0x80, 0, 0, 4, 0xff, 0xff, 0xff, 0xf0]),
            Ok((FieldId::IN_PORT_OXM, vec![0xff, 0xff, 0xff, 0xf0], None))
        );
        // Nothing panics on any short prefix.
        let mut full = Vec::new();
        encode_tlv(
            &mut full,
            FieldId::NSH_C1,
            &[0, 0, 0, 9],
            Some(&[0, 0, 0, 0xf]),
            Version::Of13,
        );
        for n in 0..full.len() {
            assert!(dec(&full[..n]).is_err());
        }
    }
}
