//! Network Service Header (RFC 8300): the checked view flow extraction
//! uses. Validation follows the reference: version 0, the header length
//! (in 4-byte words) at least 2 and within the data, exactly 6 words for
//! MD type 1, any length for other MD types.

use crate::bytes::arr;

/// Base header plus service path header.
pub const NSH_BASE_LEN: usize = 8;
/// Header length of MD type 1 (four 4-byte context headers).
pub const NSH_MD1_LEN: usize = 24;
pub const NSH_MD_TYPE1: u8 = 1;

#[derive(Clone, Copy, Debug)]
pub struct Nsh<'a> {
    hdr: &'a [u8; NSH_BASE_LEN],
    md1: Option<[u8; 16]>,
    len: usize,
}

impl<'a> Nsh<'a> {
    pub fn new_checked(d: &'a [u8]) -> Option<Nsh<'a>> {
        let hdr: &[u8; NSH_BASE_LEN] = d.get(..NSH_BASE_LEN)?.try_into().ok()?;
        if hdr[0] >> 6 != 0 {
            return None;
        }
        let len = usize::from(hdr[1] & 0x3f) * 4;
        if len < NSH_BASE_LEN || len > d.len() {
            return None;
        }
        let md1 = if hdr[2] == NSH_MD_TYPE1 {
            if len != NSH_MD1_LEN {
                return None;
            }
            Some(arr::<16>(d, NSH_BASE_LEN)?)
        } else {
            None
        };
        Some(Nsh { hdr, md1, len })
    }

    pub fn header_len(&self) -> usize {
        self.len
    }
    /// The O and U bits.
    pub fn flags(&self) -> u8 {
        (self.hdr[0] >> 4) & 0x3
    }
    pub fn ttl(&self) -> u8 {
        ((self.hdr[0] & 0x0f) << 2) | (self.hdr[1] >> 6)
    }
    /// The whole MD type byte (the reference keeps the reserved bits too).
    pub fn md_type(&self) -> u8 {
        self.hdr[2]
    }
    pub fn next_proto(&self) -> u8 {
        self.hdr[3]
    }
    pub fn spi(&self) -> u32 {
        u32::from_be_bytes([0, self.hdr[4], self.hdr[5], self.hdr[6]])
    }
    pub fn si(&self) -> u8 {
        self.hdr[7]
    }
    /// The four context headers of MD type 1.
    pub fn md1_context(&self) -> Option<[u8; 16]> {
        self.md1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_and_fields() {
        let md1 = [&[0x0f, 0xc6, 1, 3, 0, 0, 0x12, 5][..], &[7; 16]].concat();
        let n = Nsh::new_checked(&md1).unwrap();
        assert_eq!(
            (n.flags(), n.ttl(), n.md_type(), n.next_proto()),
            (0, 63, 1, 3)
        );
        assert_eq!((n.spi(), n.si(), n.md1_context()), (0x12, 5, Some([7; 16])));
        // MD type 1 needs exactly 6 words; version must be 0.
        assert!(Nsh::new_checked(&md1[..20]).is_none());
        let mut v1 = md1.clone();
        v1[0] |= 0x40;
        assert!(Nsh::new_checked(&v1).is_none());
        // Other MD types: any length from 2 words that fits.
        let md2 = [0x3f, 0xc2, 0xf2, 3, 0xab, 0xcd, 0xef, 5];
        let n = Nsh::new_checked(&md2).unwrap();
        assert_eq!((n.flags(), n.md_type(), n.spi()), (3, 0xf2, 0xab_cdef));
        assert!(Nsh::new_checked(&[0x0f, 0xc1, 2, 3, 0, 0, 0, 5]).is_none());
        assert!(Nsh::new_checked(&[0x0f, 0xc3, 2, 3, 0, 0, 0, 5]).is_none());
    }
}
