//! OFPT_HELLO: the version bitmap element (OF1.3.1+) and version negotiation.
//!
//! A hello without a usable bitmap means "every version up to the header's";
//! the reference also falls back to that when the elements are malformed, and
//! then says so ("unknown data in hello"), which `unknown` records.

use std::fmt::Write;

use crate::buf::{Put, Reader};
use crate::error::OfpError;
use crate::version::{Version, VersionSet};

const OFPHET_VERSIONBITMAP: u16 = 1;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hello {
    /// Bit n = wire version n. Bits above OF1.5 are kept (peers may announce
    /// versions we do not know); bit 0 is never set.
    pub versions: VersionSet,
    /// The elements held something we did not understand (printing shows it).
    pub unknown: bool,
}

impl Hello {
    pub fn new(versions: VersionSet) -> Hello {
        Hello {
            versions,
            unknown: false,
        }
    }

    /// Decodes the elements after the header of a hello of wire version `wire_version`.
    /// Never fails: bad elements fall back to the header version, as the reference does.
    pub fn decode(wire_version: u8, body: &mut Reader) -> Hello {
        let fallback = VersionSet(up_to_wire(wire_version));
        let mut bitmap: Option<u32> = None;
        let mut unknown = false;
        while !body.is_empty() {
            let Some((ty, elem)) = next_element(body) else {
                unknown = true;
                break;
            };
            if ty != OFPHET_VERSIONBITMAP {
                unknown = true;
                continue;
            }
            // Only the first word matters: nobody speaks version 32+.
            let word = match elem.len() {
                n if n >= 4 && n.is_multiple_of(4) => {
                    u32::from_be_bytes([elem[0], elem[1], elem[2], elem[3]])
                }
                _ => {
                    unknown = true;
                    continue;
                }
            };
            let word = word & !1; // version 0 does not exist
            if word == 0 {
                unknown = true;
            } else {
                bitmap = Some(word);
            }
        }
        let versions = match bitmap {
            Some(w) => VersionSet(w),
            None => {
                // A hello without elements is fine; anything else that left
                // no bitmap is unknown data.
                fallback
            }
        };
        Hello { versions, unknown }
    }

    /// The body after the header for a hello sent with header version `v`: no
    /// element when the set is exactly "everything up to v" (what the bare
    /// header already says), otherwise a version bitmap element.
    pub fn encode_body(&self, v: Version, out: &mut Vec<u8>) {
        if self.versions.0 == up_to_wire(v.wire()) {
            return;
        }
        out.put_be16(OFPHET_VERSIONBITMAP);
        out.put_be16(8);
        out.put_be32(self.versions.0);
    }

    /// The whole hello a switch or controller sends to offer `versions`:
    /// the header carries the highest of them (possibly one we do not
    /// know), and a bitmap element follows unless the header says it all.
    pub fn encode_message(&self, xid: u32) -> Vec<u8> {
        let top = (1..32u8)
            .rev()
            .find(|b| self.versions.0 & (1 << b) != 0)
            .unwrap_or(1);
        let mut out = vec![top, 0, 0, 0];
        out.put_be32(xid);
        if self.versions.0 != up_to_wire(top) {
            out.put_be16(OFPHET_VERSIONBITMAP);
            out.put_be16(8);
            out.put_be32(self.versions.0);
        }
        let len = u16::try_from(out.len()).unwrap_or(u16::MAX);
        out.patch_be16(2, len);
        out
    }

    /// The ofp-print body (after the "OFPT_HELLO ...:" line); `whole` is the
    /// whole message, dumped when the elements were not understood.
    pub fn format(&self, out: &mut String, whole: &[u8]) {
        out.push_str("\n version bitmap: ");
        let mut first = true;
        for bit in 0..32 {
            if self.versions.0 & (1 << bit) != 0 {
                if !first {
                    out.push_str(", ");
                }
                first = false;
                let _ = write!(out, "0x{bit:02x}");
            }
        }
        out.push('\n');
        if self.unknown {
            out.push_str(" unknown data in hello:\n");
            super::hexdump::hex_dump(out, whole);
        }
    }
}

/// Bitmap of every wire version 1..=v.
fn up_to_wire(v: u8) -> u32 {
    let v = u32::from(v).min(31);
    ((1u64 << (v + 1)) - 2) as u32
}

/// Pulls one element (type, contents without header and padding), or None
/// when its length is malformed; elements are padded to 8 bytes.
fn next_element<'a>(body: &mut Reader<'a>) -> Option<(u16, &'a [u8])> {
    let ty = body.peek_be16().ok()?;
    let len = usize::from(
        body.clone()
            .bytes(4)
            .ok()
            .map(|b| u16::from_be_bytes([b[2], b[3]]))?,
    );
    if len < 4 {
        return None;
    }
    let padded = len.div_ceil(8) * 8;
    if padded > body.remaining() {
        return None;
    }
    let elem = body.bytes(padded).ok()?;
    Some((ty, elem.get(4..len)?))
}

/// Why negotiation failed, as the reference reports it: the text goes in the
/// OFPT_ERROR (OFPHFC_INCOMPATIBLE) it sends and in its log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NegotiationError {
    pub error: OfpError,
    pub text: String,
    /// The version the error goes out in: the highest the peer offered.
    pub reply_version: Version,
}

impl NegotiationError {
    /// The OFPT_ERROR the reference sends before closing (xid 0).
    pub fn reply(&self) -> Vec<u8> {
        super::error_msg::ErrorMsg {
            error: self.error,
            data: self.text.as_bytes().to_vec(),
        }
        .encode(self.reply_version, 0)
    }
}

/// Picks the highest version both sides support.
pub fn negotiate(ours: VersionSet, theirs: &Hello) -> Result<Version, NegotiationError> {
    match ours.intersect(theirs.versions).highest() {
        Some(v) => Ok(v),
        None => Err(NegotiationError {
            error: OfpError::HfcIncompatible,
            text: format!(
                "We support {}, you support {}, no common versions.",
                format_version_list(ours),
                format_version_list(theirs.versions)
            ),
            reply_version: theirs
                .versions
                .highest()
                .or_else(|| VersionSet(u32::MAX).highest())
                .unwrap_or(Version::Of15),
        }),
    }
}

/// How the reference lists versions in negotiation errors: "version 0x04",
/// "version 0x03 and earlier" (everything from 0x01 up), "versions 0x01, 0x04".
pub fn format_version_list(set: VersionSet) -> String {
    let bits: Vec<u32> = (0..32).filter(|b| set.0 & (1 << b) != 0).collect();
    match bits.as_slice() {
        [] => "no versions".to_string(),
        [one] => format!("version 0x{one:02x}"),
        [.., last] if set.0 == up_to_wire(*last as u8) => {
            format!("version 0x{last:02x} and earlier")
        }
        _ => {
            let list: Vec<String> = bits.iter().map(|b| format!("0x{b:02x}")).collect();
            format!("versions {}", list.join(", "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(v: u8, body: &[u8]) -> Hello {
        Hello::decode(v, &mut Reader::new(body))
    }

    #[test]
    fn bitmap_and_fallback() {
        assert_eq!(dec(4, &[]), Hello::new(VersionSet(0x1e)));
        assert_eq!(
            dec(4, &[0, 1, 0, 8, 0, 0, 0, 0x12]),
            Hello::new(VersionSet(0x12))
        );
        let h = dec(4, &[0, 1, 0, 8, 0, 0, 0, 0]);
        assert_eq!(h.versions, VersionSet(0x1e));
        assert!(h.unknown);
        let h = dec(4, &[0, 1, 0, 4]);
        assert!(h.unknown);
    }

    #[test]
    fn encode_omits_implied_bitmap() {
        let mut out = vec![];
        Hello::new(VersionSet(0x1e)).encode_body(Version::Of13, &mut out);
        assert!(out.is_empty());
        Hello::new(VersionSet(0x12)).encode_body(Version::Of13, &mut out);
        assert_eq!(out, [0, 1, 0, 8, 0, 0, 0, 0x12]);
    }

    #[test]
    fn negotiation() {
        let ours = VersionSet(0x7e);
        assert_eq!(
            negotiate(ours, &Hello::new(VersionSet(0x12))),
            Ok(Version::Of13)
        );
        let e = negotiate(VersionSet(0x06), &Hello::new(VersionSet(0x30))).unwrap_err();
        assert_eq!(e.error, OfpError::HfcIncompatible);
        assert_eq!(
            e.text,
            "We support version 0x02 and earlier, you support versions 0x04, 0x05, no common versions."
        );
        assert_eq!(e.reply_version, Version::Of14);
        assert_eq!(format_version_list(VersionSet(0x02)), "version 0x01");
    }
}
