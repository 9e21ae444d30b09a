//! OpenFlow 1.4-style properties (type, length, payload, zero padding to a
//! multiple of 8) as the reference reads them where unknown properties are
//! skipped: table descriptions (OFPST_TABLE_DESC, OFPT_TABLE_STATUS) and
//! NXT_CT_FLUSH, whose tuples are properties nested inside a property.

use crate::buf::{Put, Reader};
use crate::error::OfpError;

/// The experimenter property type: 4 more bytes of header (experimenter
/// id and type) follow the usual four.
pub(crate) const EXPERIMENTER: u16 = 0xffff;

/// Pulls the next property off `r`: its type and payload (the bytes after
/// the 4-byte header, up to its length). A property must lie wholly inside
/// `r`, padding included (OFPBPC_BAD_LEN otherwise). Experimenter
/// properties are skipped (None), except that an experimenter id of 0 is
/// OFPBPC_BAD_EXPERIMENTER, as in the reference.
pub(crate) fn pull_loose<'a>(r: &mut Reader<'a>) -> Result<Option<(u16, Reader<'a>)>, OfpError> {
    if r.remaining() < 4 {
        return Err(OfpError::BpcBadLen);
    }
    let mut head = r.clone();
    let ty = head.be16()?;
    let len = usize::from(head.be16()?);
    let padded = len.div_ceil(8) * 8;
    if len < 4 || padded > r.remaining() {
        return Err(OfpError::BpcBadLen);
    }
    let mut whole = r.sub(padded)?;
    whole.skip(4)?;
    let mut payload = whole.sub(len - 4)?;
    if ty != EXPERIMENTER {
        return Ok(Some((ty, payload)));
    }
    if len < 12 {
        return Err(OfpError::BpcBadLen);
    }
    if payload.be32()? == 0 {
        return Err(OfpError::BpcBadExperimenter);
    }
    Ok(None)
}

/// The properties nested in a property's payload: they start 8 bytes into
/// the property (4 bytes of padding after its header keep them aligned).
pub(crate) fn nested<'a>(mut payload: Reader<'a>) -> Result<Reader<'a>, OfpError> {
    if payload.remaining() < 4 {
        return Err(OfpError::BpcBadLen);
    }
    payload.skip(4)?;
    Ok(payload)
}

/// The first `N` bytes of a payload, which may be longer (the reference is
/// forgiving about that); OFPBPC_BAD_LEN if it is shorter.
pub(crate) fn prefix<const N: usize>(payload: &mut Reader) -> Result<[u8; N], OfpError> {
    let b = payload.bytes(N).map_err(|_| OfpError::BpcBadLen)?;
    let mut out = [0u8; N];
    out.copy_from_slice(b);
    Ok(out)
}

/// Appends a property with `payload`, padded to 8 bytes.
pub(crate) fn put(out: &mut Vec<u8>, ty: u16, payload: &[u8]) {
    let start = out.len();
    out.put_be16(ty);
    out.put_be16(u16::try_from(4 + payload.len()).unwrap_or(u16::MAX));
    out.extend_from_slice(payload);
    out.pad_from(start, 8);
}

/// Appends a 16-bit property as the reference writes one: the value and
/// two bytes of padding inside the property's length.
pub(crate) fn put_u16(out: &mut Vec<u8>, ty: u16, value: u16) {
    let [a, b] = value.to_be_bytes();
    put(out, ty, &[a, b, 0, 0]);
}

/// Appends a property holding `inner` (already encoded properties) nested
/// after 4 bytes of alignment padding.
pub(crate) fn put_nested(out: &mut Vec<u8>, ty: u16, inner: &[u8]) {
    let mut payload = vec![0u8; 4];
    payload.extend_from_slice(inner);
    put(out, ty, &payload);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_padding_and_experimenters() {
        let mut b = Vec::new();
        put(&mut b, 5, &[1]);
        put_u16(&mut b, 2, 7);
        assert_eq!(b, [0, 5, 0, 5, 1, 0, 0, 0, 0, 2, 0, 8, 0, 7, 0, 0]);
        let mut r = Reader::new(&b);
        let (t, mut p) = pull_loose(&mut r).unwrap().unwrap();
        assert_eq!((t, p.u8().unwrap(), p.is_empty()), (5, 1, true));
        let (t, mut p) = pull_loose(&mut r).unwrap().unwrap();
        assert_eq!((t, prefix::<2>(&mut p).unwrap()), (2, [0, 7]));
        assert!(r.is_empty());
        // Padding must be there too.
        let mut r = Reader::new(&b[..5]);
        assert_eq!(pull_loose(&mut r).err(), Some(OfpError::BpcBadLen));
        let exp = |id: u32, len: u16| {
            let mut e = vec![0xff, 0xff];
            e.put_be16(len);
            e.put_be32(id);
            e.put_be32(1);
            e.put_zeros(4);
            e
        };
        let e = exp(0x2320, 12);
        assert!(pull_loose(&mut Reader::new(&e)).unwrap().is_none());
        let e = exp(0, 12);
        assert_eq!(
            pull_loose(&mut Reader::new(&e)).err(),
            Some(OfpError::BpcBadExperimenter)
        );
        let e = exp(0x2320, 8);
        assert_eq!(
            pull_loose(&mut Reader::new(&e[..8])).err(),
            Some(OfpError::BpcBadLen)
        );
    }
}
