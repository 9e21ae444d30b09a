//! OFPT_ERROR: a named error plus data (the start of the offending request,
//! or for hello failures a text explanation). The per-version (type, code)
//! tables live in `crate::error`; this module frames them: standard codes,
//! OF1.0/1.1's NXET_VENDOR wrapper and OF1.2+'s experimenter errors.

use std::fmt::Write;

use crate::buf::{Put, Reader};
use crate::error::{ErrorCode, OfpError, NXET_VENDOR, OFPET_EXPERIMENTER};
use crate::version::Version;

use super::{finish, start_type, OfpType};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ErrorMsg {
    pub error: OfpError,
    pub data: Vec<u8>,
}

impl ErrorMsg {
    /// The error reply the reference sends for `request`: the request's
    /// version and xid, and the whole request as data (the message is capped
    /// at 65535 bytes).
    pub fn reply_to(error: OfpError, request: &[u8]) -> Option<Vec<u8>> {
        let h = super::decode_header(request).ok()?;
        let max = 65535 - 24;
        let data = request.get(..request.len().min(max)).unwrap_or_default();
        let msg = ErrorMsg {
            error,
            data: data.to_vec(),
        };
        Some(msg.encode(h.version, h.xid))
    }

    /// Decodes the body after the header. Codes the reference does not know
    /// decode as OFPBRC_BAD_LEN, which is how it reports them.
    pub fn decode(v: Version, body: &mut Reader) -> Result<ErrorMsg, OfpError> {
        let ty = body.be16()?;
        let code = body.be16()?;
        // Both vendor framings decode in every version.
        let wire = if ty == NXET_VENDOR {
            if code != 0 {
                return Err(OfpError::BrcBadLen);
            }
            let vendor = body.be32()?;
            let ty = body.be16()?;
            let code = body.be16()?;
            ErrorCode::Vendor { vendor, ty, code }
        } else if ty == OFPET_EXPERIMENTER {
            let vendor = body.be32()?;
            ErrorCode::Vendor {
                vendor,
                ty: code,
                code: 0,
            }
        } else {
            ErrorCode::Std { ty, code }
        };
        let error = OfpError::from_code(v, wire).ok_or(OfpError::BrcBadLen)?;
        Ok(ErrorMsg {
            error,
            data: body.take_rest().to_vec(),
        })
    }

    /// The body after the header, in version `v` (an error `v` cannot
    /// express goes out as NXBRC_UNENCODABLE_ERROR, as the reference does).
    pub fn encode_body(&self, v: Version, out: &mut Vec<u8>) {
        match self.error.code_or_unencodable(v) {
            ErrorCode::Std { ty, code } => {
                out.put_be16(ty);
                out.put_be16(code);
            }
            ErrorCode::Vendor { vendor, ty, code } => {
                if v <= Version::Of11 {
                    out.put_be16(NXET_VENDOR);
                    out.put_be16(0);
                    out.put_be32(vendor);
                    out.put_be16(ty);
                    out.put_be16(code);
                } else {
                    out.put_be16(OFPET_EXPERIMENTER);
                    out.put_be16(ty);
                    out.put_be32(vendor);
                }
            }
        }
        out.extend_from_slice(&self.data);
    }

    /// The whole message.
    pub fn encode(&self, v: Version, xid: u32) -> Vec<u8> {
        let mut out = Vec::new();
        let at = start_type(&mut out, v, OfpType::Error, xid);
        self.encode_body(v, &mut out);
        finish(&mut out, at);
        out
    }

    /// ofp-print's text after the header line: the name, then the data as
    /// escaped text (hello failures) or as a printed message.
    pub fn format(&self, out: &mut String, verbosity: u32) {
        let _ = writeln!(out, " {}", self.error);
        if matches!(self.error, OfpError::HfcIncompatible | OfpError::HfcEperm) {
            format_printable(out, &self.data);
        } else {
            // The reference prints the offending request tersely, whatever
            // the verbosity.
            let _ = verbosity;
            out.push_str(&super::format(&self.data, 1));
        }
    }
}

/// Text with unprintable bytes, `\` and `"` as 3-digit octal escapes.
pub fn format_printable(out: &mut String, data: &[u8]) {
    for &b in data {
        if (0x20..0x7f).contains(&b) && b != b'\\' && b != b'"' {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "\\{b:03o}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vendor_framing() {
        let m = ErrorMsg {
            error: OfpError::NxbrcNxmInvalid,
            data: vec![],
        };
        let b = m.encode(Version::Of10, 1);
        assert_eq!(&b[8..], &[0xb0, 0xc2, 0, 0, 0, 0, 0x23, 0x20, 0, 1, 1, 0]);
        let b = m.encode(Version::Of13, 1);
        assert_eq!(&b[8..], &[0xff, 0xff, 0, 2, 0, 0, 0x23, 0x20]);
        let back = ErrorMsg::decode(Version::Of13, &mut Reader::new(&b[8..])).unwrap();
        assert_eq!(back, m);
    }

    #[test]
    fn escapes() {
        let mut s = String::new();
        format_printable(&mut s, b"a\\\" \x7f\n");
        assert_eq!(s, "a\\134\\042 \\177\\012");
    }
}
