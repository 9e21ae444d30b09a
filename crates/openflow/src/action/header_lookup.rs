//! Which error the reference gives for a set_field (or reg_load2) TLV
//! header that names no field it can set: OFPBAC_BAD_SET_TYPE or
//! OFPBAC_BAD_SET_LEN.
//!
//! The reference looks action headers up in a hash map of every NXM/OXM
//! code point keyed by the header without its length, and while walking
//! the chosen bucket it notes "bad length" for any code point there whose
//! length differs from the header's. So a known field with the wrong
//! length is BAD_SET_LEN, and an unknown header is BAD_SET_LEN exactly when
//! its bucket holds some code point of another length (BAD_SET_TYPE when
//! the bucket is empty or all its lengths agree); a header claiming no
//! length never notes anything. Reproducing this needs the map's shape:
//! the same hash, the same number of code points (hence buckets) and the
//! same code points, which are our field table's.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::error::OfpError;
use crate::field::{FieldId, OXM_CLASS_EXPERIMENTER};

/// The map's buckets: for each bucket index, the lengths its code points
/// declare.
struct Buckets {
    mask: u32,
    lengths: HashMap<u32, Vec<u8>>,
}

/// The reference's word mixing step (Murmur3's per-word step).
fn mix(hash: u32, data: u32) -> u32 {
    let mut hash = hash;
    // A zero word only goes through the rotation step.
    if data != 0 {
        hash ^= data
            .wrapping_mul(0xcc9e_2d51)
            .rotate_left(15)
            .wrapping_mul(0x1b87_3593);
    }
    hash.rotate_left(13)
        .wrapping_mul(5)
        .wrapping_add(0xe654_6b64)
}

/// The reference's hash of a 64-bit value (low word first, then high,
/// finished with the byte count 8).
fn hash_u64(x: u64) -> u32 {
    let mut h = mix(mix(0, x as u32), (x >> 32) as u32) ^ 8;
    h ^= h >> 16;
    h = h.wrapping_mul(0x85eb_ca6b);
    h ^= h >> 13;
    h = h.wrapping_mul(0xc2b2_ae35);
    h ^ (h >> 16)
}

/// The bucket mask of a map that grew to `n` entries: the smallest
/// `2^k - 1` covering `n / 2`, at least 3 once not 0.
fn mask_for(n: usize) -> u32 {
    let mut mask = (n / 2) as u32;
    for shift in [1, 2, 4, 8, 16] {
        mask |= mask >> shift;
    }
    mask | ((mask & 1) << 1)
}

/// A 64-bit header key: the 32-bit header in the high word, the
/// experimenter id (class 0xffff only) in the low one, without the length's
/// low 7 bits. (The reference keeps the length's top bit in the key, so a
/// header claiming 128 bytes or more never names a known field.)
fn key(class: u16, field: u8, experimenter: u32, len: u8) -> u64 {
    let h32 = (u32::from(class) << 16) | (u32::from(field) << 9) | u32::from(len & 0x80);
    let low = if class == OXM_CLASS_EXPERIMENTER {
        experimenter
    } else {
        0
    };
    (u64::from(h32) << 32) | u64::from(low)
}

fn buckets() -> &'static Buckets {
    static B: OnceLock<Buckets> = OnceLock::new();
    B.get_or_init(|| {
        let mut points = vec![];
        for f in FieldId::all() {
            for w in f.wires() {
                let exp_len = if w.is_experimenter() { 4 } else { 0 };
                let len = (f.n_bytes() + exp_len).min(255) as u8;
                points.push((key(w.class, w.field, w.experimenter, len), len));
            }
        }
        let mask = mask_for(points.len());
        let mut lengths: HashMap<u32, Vec<u8>> = HashMap::new();
        for (k, len) in points {
            lengths.entry(hash_u64(k) & mask).or_default().push(len);
        }
        Buckets { mask, lengths }
    })
}

/// Whether a header of length `len` (as [`unknown_header_error`] takes it)
/// can name a known field at all.
pub(crate) fn can_name_a_field(len: usize) -> bool {
    len < 0x80
}

/// The error for a set_field/reg_load2 header naming no settable field:
/// `len` is the header's length byte, already halved (plus the
/// experimenter id's 4 bytes) for a masked header, as the reference
/// compares it.
pub(crate) fn unknown_header_error(class: u16, field: u8, experimenter: u32, len: u8) -> OfpError {
    if len == 0 {
        return OfpError::BacBadSetType;
    }
    let b = buckets();
    let bucket = hash_u64(key(class, field, experimenter, len)) & b.mask;
    let differs = b
        .lengths
        .get(&bucket)
        .is_some_and(|ls| ls.iter().any(|l| *l != len));
    if differs {
        OfpError::BacBadSetLen
    } else {
        OfpError::BacBadSetType
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_grow_like_the_reference_maps() {
        assert_eq!(mask_for(0), 0);
        assert_eq!(mask_for(8), 7);
        assert_eq!(mask_for(300), 255);
    }

    #[test]
    fn known_fields_with_the_wrong_length_are_bad_len() {
        // eth_dst (NXM_OF_ETH_DST) claiming 4 bytes: its own entry differs.
        assert_eq!(unknown_header_error(0, 1, 0, 4), OfpError::BacBadSetLen);
        assert_eq!(unknown_header_error(0, 1, 0, 0), OfpError::BacBadSetType);
    }

    #[test]
    fn long_headers_name_no_field() {
        // Checked with the real ovs-ofctl 3.1 (parse-actions OpenFlow13):
        // OXM tun_id (0x8000, 38) claiming 127 bytes is a bad length, 128
        // or more an unknown type; OXM eth_src (0x8000, 4) claiming 128 or
        // more shares a bucket with a field of another length.
        assert!(can_name_a_field(127) && !can_name_a_field(128));
        assert_eq!(
            unknown_header_error(0x8000, 38, 0, 0x80),
            OfpError::BacBadSetType
        );
        assert_eq!(
            unknown_header_error(0x8000, 38, 0, 0xff),
            OfpError::BacBadSetType
        );
        assert_eq!(
            unknown_header_error(0x8000, 4, 0, 0x80),
            OfpError::BacBadSetLen
        );
    }
}
