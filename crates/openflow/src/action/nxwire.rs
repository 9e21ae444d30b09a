//! Wire helpers for the Nicira (NX) actions this module encodes itself:
//! the 10-byte NX action header, packed subfield bounds, and field headers
//! in fixed 32-bit slots.

use crate::buf::{Put, Reader};
use crate::error::OfpError;
use crate::field::{self, FieldId, SubField};
use crate::version::Version;

use super::NX_VENDOR_ID;

/// Starts an NX action (type 0xffff, length to be patched, vendor,
/// subtype); returns its offset for [`finish`].
pub(crate) fn start(out: &mut Vec<u8>, subtype: u16) -> usize {
    let at = out.len();
    out.put_be16(0xffff);
    out.put_be16(0);
    out.put_be32(NX_VENDOR_ID);
    out.put_be16(subtype);
    at
}

/// Pads the action begun at `at` to a multiple of 8 and writes its length.
pub(crate) fn finish(out: &mut Vec<u8>, at: usize) {
    out.pad_from(at, 8);
    let len = out.len() - at;
    out.patch_be16(at + 2, len as u16);
}

/// Length of the whole action whose body (after the subtype) `r` holds.
pub(crate) fn action_len(r: &Reader) -> usize {
    r.remaining() + 10
}

/// `ofs << 6 | (n_bits - 1)`.
pub(crate) fn ofs_nbits(sf: &SubField) -> u16 {
    (sf.ofs << 6) | (sf.n_bits.saturating_sub(1) & 0x3f)
}

/// Whether the field has a non-experimenter NXM header, as fixed 32-bit
/// slots (reg_load, output_reg) need.
pub(crate) fn has_header32(f: FieldId) -> bool {
    f.wire_for(Version::Of10)
        .is_some_and(|w| !w.is_experimenter())
}

/// The field's 32-bit NXM header (0 for fields without one).
pub(crate) fn header32(f: FieldId) -> u32 {
    f.nxm_header().unwrap_or(0)
}

/// The field's NXM header (with experimenter id when it has one), as move,
/// push and pop carry it.
pub(crate) fn put_header(out: &mut Vec<u8>, f: FieldId) {
    field::encode_header(out, f, Version::Of10, false);
}

/// The bits lie within the field (OFPBAC_BAD_SET_LEN otherwise).
pub(crate) fn check_src(sf: &SubField) -> Result<(), OfpError> {
    check_bits(sf, "source")
}

/// [`check_src`] for a field in the role `role` ("source"/"destination"),
/// with the reference's warning when the bits overrun the field.
fn check_bits(sf: &SubField, role: &'static str) -> Result<(), OfpError> {
    let width = sf.field.n_bits();
    if sf.n_bits > 0 && u32::from(sf.ofs) + u32::from(sf.n_bits) <= width {
        Ok(())
    } else {
        if sf.n_bits > 0 {
            crate::warn::warn("meta_flow", || {
                if u32::from(sf.ofs) >= width {
                    format!(
                        "bit offset {} exceeds {width}-bit width of {role} field {}",
                        sf.ofs,
                        sf.field.name()
                    )
                } else {
                    format!(
                        "bit offset {} and width {} exceeds {width}-bit width of {role} field {}",
                        sf.ofs,
                        sf.n_bits,
                        sf.field.name()
                    )
                }
            });
        }
        Err(OfpError::BacBadSetLen)
    }
}

/// As [`check_src`], and the field can be written (OFPBAC_BAD_SET_ARGUMENT).
pub(crate) fn check_dst(sf: &SubField) -> Result<(), OfpError> {
    check_bits(sf, "destination")?;
    if sf.field.writable() {
        Ok(())
    } else {
        Err(OfpError::BacBadSetArgument)
    }
}

/// A field header as move, push, pop, output_reg2 and delete_field carry
/// it: 4 bytes, 8 for experimenter fields, with a length that fits the
/// field. tun_metadata's width is the switch's business: its header may
/// claim any length below 128.
pub(crate) fn pull_header(r: &mut Reader) -> Result<FieldId, OfpError> {
    let h = pull_tlv_header(r).map_err(|_| OfpError::BmcBadLen)?;
    let field = h.field.ok_or(OfpError::BmcBadField)?;
    let fits = if field.tun_metadata_index().is_some() {
        h.header_len < 128
    } else {
        h.length_fits
    };
    if !fits {
        return Err(OfpError::BmcBadField);
    }
    if h.masked {
        return Err(OfpError::BmcBadMask);
    }
    Ok(field)
}

/// An NXM/OXM TLV header, read without judging it.
pub(crate) struct RawTlvHeader {
    /// The code point: class, field number, experimenter id (class 0xffff).
    pub class: u16,
    pub number: u8,
    pub experimenter: u32,
    /// The field of the code point, if known.
    pub field: Option<FieldId>,
    pub masked: bool,
    /// Bytes of value and mask after the header (and experimenter id).
    pub payload_len: usize,
    /// The header's own length field.
    pub header_len: usize,
    /// Whether `payload_len` is right for the field (any length from 1 to
    /// 124 bytes, split evenly when masked, for tun_metadata: even none).
    pub length_fits: bool,
}

/// Reads a TLV header (4 bytes, 8 with an experimenter id).
pub(crate) fn pull_tlv_header(r: &mut Reader) -> Result<RawTlvHeader, OfpError> {
    let h = r.be32()?;
    let class = (h >> 16) as u16;
    let number = ((h >> 9) & 0x7f) as u8;
    let masked = h & 0x100 != 0;
    let header_len = (h & 0xff) as usize;
    let mut payload_len = header_len;
    let mut experimenter = 0;
    if class == field::OXM_CLASS_EXPERIMENTER {
        experimenter = r.be32()?;
        payload_len = payload_len.saturating_sub(4);
    }
    let field = FieldId::from_code_point(class, number, experimenter);
    let parts = if masked { 2 } else { 1 };
    let length_fits = field.is_some_and(|f| {
        if f.tun_metadata_index().is_some() {
            payload_len / parts <= f.n_bytes()
        } else {
            payload_len == f.n_bytes() * parts
        }
    });
    Ok(RawTlvHeader {
        class,
        number,
        experimenter,
        field,
        masked,
        payload_len,
        header_len,
        length_fits,
    })
}

/// A subfield in a fixed 32-bit header slot with packed bounds (reg_load,
/// output_reg): experimenter and unknown fields are OFPBAC_BAD_SET_TYPE.
pub(crate) fn subfield32(ofs_nbits: u16, header: u32) -> Result<SubField, OfpError> {
    let class = (header >> 16) as u16;
    let number = ((header >> 9) & 0x7f) as u8;
    let masked = header & 0x100 != 0;
    let len = (header & 0xff) as usize;
    // tun_metadata's width is the switch's business: any length names it.
    let field = FieldId::from_code_point(class, number, 0)
        .filter(|_| class != field::OXM_CLASS_EXPERIMENTER)
        .filter(|f| {
            // A masked header (twice the length) names the field too.
            let want = f.n_bytes() * if masked { 2 } else { 1 };
            f.tun_metadata_index().is_some() || len == want
        })
        .ok_or(OfpError::BacBadSetType)?;
    Ok(SubField {
        field,
        ofs: ofs_nbits >> 6,
        n_bits: (ofs_nbits & 0x3f) + 1,
    })
}
