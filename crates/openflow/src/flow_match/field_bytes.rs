//! `FieldBytes`: a field's value or mask as `Match::field` returns it,
//! without allocating (borrowed from the match, or computed into a small
//! inline buffer for fields that are bit views of a wider slot).

use std::ops::Deref;

/// Bytes of a field value or mask, network byte order; derefs to `[u8]`.
#[derive(Clone, Copy, Debug)]
pub enum FieldBytes<'a> {
    /// Stored as is in the match.
    Borrowed(&'a [u8]),
    /// Computed: the first `len` bytes of `buf`.
    Inline { buf: [u8; 8], len: u8 },
}

impl FieldBytes<'_> {
    /// The low `n` (at most 8) bytes of `v`, big-endian.
    pub(crate) fn inline(v: u64, n: usize) -> FieldBytes<'static> {
        let n = n.min(8);
        let mut buf = [0u8; 8];
        let be = v.to_be_bytes();
        buf[..n].copy_from_slice(&be[8 - n..]);
        FieldBytes::Inline { buf, len: n as u8 }
    }
}

impl Deref for FieldBytes<'_> {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            FieldBytes::Borrowed(b) => b,
            FieldBytes::Inline { buf, len } => &buf[..usize::from(*len)],
        }
    }
}

impl PartialEq for FieldBytes<'_> {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

impl Eq for FieldBytes<'_> {}

impl PartialOrd for FieldBytes<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for FieldBytes<'_> {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (**self).cmp(&**other)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_is_big_endian_low_bytes() {
        assert_eq!(&*FieldBytes::inline(0x0102_0304, 2), &[3, 4]);
        assert_eq!(&*FieldBytes::inline(0xfffe, 4), &[0, 0, 0xff, 0xfe]);
        assert_eq!(FieldBytes::inline(7, 1), FieldBytes::Borrowed(&[7]));
    }
}
