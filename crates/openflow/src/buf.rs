//! Bounds-checked reading and plain writing of big-endian wire data.
//!
//! Every decoder reads through [`Reader`]: a read past the end is an
//! [`OfpError`] (by default `OFPBRC_BAD_LEN`), never a panic, which is what keeps
//! decoding safe on hostile bytes.

use crate::error::OfpError;

#[derive(Clone, Debug)]
pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
    /// The error a short read reports (e.g. `OFPBAC_BAD_LEN` inside actions).
    short: OfpError,
}

impl<'a> Reader<'a> {
    pub fn new(buf: &'a [u8]) -> Reader<'a> {
        Reader {
            buf,
            pos: 0,
            short: OfpError::BrcBadLen,
        }
    }

    /// Same bytes, but short reads report `err`.
    pub fn with_short_error(mut self, err: OfpError) -> Reader<'a> {
        self.short = err;
        self
    }

    pub fn short_error(&self) -> OfpError {
        self.short
    }

    pub fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }
    pub fn is_empty(&self) -> bool {
        self.remaining() == 0
    }
    /// Bytes consumed so far.
    pub fn offset(&self) -> usize {
        self.pos
    }
    /// The unread bytes, without consuming them.
    pub fn rest(&self) -> &'a [u8] {
        &self.buf[self.pos..]
    }

    pub fn bytes(&mut self, n: usize) -> Result<&'a [u8], OfpError> {
        if n > self.remaining() {
            return Err(self.short);
        }
        let b = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(b)
    }
    pub fn array<const N: usize>(&mut self) -> Result<[u8; N], OfpError> {
        let b = self.bytes(N)?;
        let mut a = [0u8; N];
        a.copy_from_slice(b);
        Ok(a)
    }
    /// A sub-reader over the next `n` bytes (consumed here), with the same short error.
    pub fn sub(&mut self, n: usize) -> Result<Reader<'a>, OfpError> {
        let short = self.short;
        Ok(Reader::new(self.bytes(n)?).with_short_error(short))
    }
    pub fn skip(&mut self, n: usize) -> Result<(), OfpError> {
        self.bytes(n).map(|_| ())
    }
    pub fn u8(&mut self) -> Result<u8, OfpError> {
        Ok(self.array::<1>()?[0])
    }
    pub fn be16(&mut self) -> Result<u16, OfpError> {
        Ok(u16::from_be_bytes(self.array()?))
    }
    pub fn be32(&mut self) -> Result<u32, OfpError> {
        Ok(u32::from_be_bytes(self.array()?))
    }
    pub fn be64(&mut self) -> Result<u64, OfpError> {
        Ok(u64::from_be_bytes(self.array()?))
    }
    pub fn peek_be16(&self) -> Result<u16, OfpError> {
        self.clone().be16()
    }
    pub fn peek_be32(&self) -> Result<u32, OfpError> {
        self.clone().be32()
    }
    /// Consumes everything left.
    pub fn take_rest(&mut self) -> &'a [u8] {
        let r = &self.buf[self.pos..];
        self.pos = self.buf.len();
        r
    }
}

/// Appending big-endian values to an output buffer.
pub trait Put {
    fn put_u8(&mut self, v: u8);
    fn put_be16(&mut self, v: u16);
    fn put_be32(&mut self, v: u32);
    fn put_be64(&mut self, v: u64);
    fn put_zeros(&mut self, n: usize);
    /// Pads with zeros to a multiple of `align` bytes, counted from `start`.
    fn pad_from(&mut self, start: usize, align: usize);
    /// Overwrites the big-endian u16 at `at` (for length fields known only at the end).
    fn patch_be16(&mut self, at: usize, v: u16);
}

impl Put for Vec<u8> {
    fn put_u8(&mut self, v: u8) {
        self.push(v);
    }
    fn put_be16(&mut self, v: u16) {
        self.extend_from_slice(&v.to_be_bytes());
    }
    fn put_be32(&mut self, v: u32) {
        self.extend_from_slice(&v.to_be_bytes());
    }
    fn put_be64(&mut self, v: u64) {
        self.extend_from_slice(&v.to_be_bytes());
    }
    fn put_zeros(&mut self, n: usize) {
        self.resize(self.len() + n, 0);
    }
    fn pad_from(&mut self, start: usize, align: usize) {
        let len = self.len() - start;
        let padded = len.div_ceil(align) * align;
        self.put_zeros(padded - len);
    }
    fn patch_be16(&mut self, at: usize, v: u16) {
        self[at..at + 2].copy_from_slice(&v.to_be_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_reads_are_errors() {
        let mut r = Reader::new(&[1, 2, 3]);
        assert_eq!(r.be16(), Ok(0x0102));
        assert_eq!(r.be16(), Err(OfpError::BrcBadLen));
        assert_eq!(r.u8(), Ok(3));
        let mut r = Reader::new(&[1]).with_short_error(OfpError::BacBadLen);
        assert_eq!(r.be32(), Err(OfpError::BacBadLen));
    }

    #[test]
    fn padding() {
        let mut v = vec![9u8];
        v.put_be16(0x0102);
        v.pad_from(0, 8);
        assert_eq!(v, [9, 1, 2, 0, 0, 0, 0, 0]);
        v.patch_be16(1, 0xabcd);
        assert_eq!(v[1..3], [0xab, 0xcd]);
    }
}
