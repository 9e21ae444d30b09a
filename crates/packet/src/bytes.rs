//! Bounds-checked big-endian reads and writes at packet offsets: every
//! header accessor goes through these, so a short packet yields `None` (or
//! `false`) instead of a panic.

pub(crate) fn be16(d: &[u8], off: usize) -> Option<u16> {
    arr::<2>(d, off).map(u16::from_be_bytes)
}

pub(crate) fn be32(d: &[u8], off: usize) -> Option<u32> {
    arr::<4>(d, off).map(u32::from_be_bytes)
}

pub(crate) fn u8_at(d: &[u8], off: usize) -> Option<u8> {
    d.get(off).copied()
}

/// `N` bytes at `off`, copied out.
pub(crate) fn arr<const N: usize>(d: &[u8], off: usize) -> Option<[u8; N]> {
    d.get(off..off.checked_add(N)?)?.try_into().ok()
}

/// Writes `v` at `off`; false (nothing written) if it does not fit.
pub(crate) fn put(d: &mut [u8], off: usize, v: &[u8]) -> bool {
    match off.checked_add(v.len()).and_then(|end| d.get_mut(off..end)) {
        Some(dst) => {
            dst.copy_from_slice(v);
            true
        }
        None => false,
    }
}

pub(crate) fn put16(d: &mut [u8], off: usize, v: u16) -> bool {
    put(d, off, &v.to_be_bytes())
}

pub(crate) fn put32(d: &mut [u8], off: usize, v: u32) -> bool {
    put(d, off, &v.to_be_bytes())
}
