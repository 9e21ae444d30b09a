//! Bundles: OFPT_BUNDLE_CONTROL / OFPT_BUNDLE_ADD_MESSAGE (OF1.4+) and the
//! ONF extension carrying the same bodies in OF1.3 (ONFT_BUNDLE_CONTROL /
//! ONFT_BUNDLE_ADD_MESSAGE experimenter messages).

use std::fmt::Write;

use crate::buf::{Put, Reader};
use crate::error::OfpError;

/// OFPBCT_* control types.
pub const OPEN_REQUEST: u16 = 0;
pub const OPEN_REPLY: u16 = 1;
pub const CLOSE_REQUEST: u16 = 2;
pub const CLOSE_REPLY: u16 = 3;
pub const COMMIT_REQUEST: u16 = 4;
pub const COMMIT_REPLY: u16 = 5;
pub const DISCARD_REQUEST: u16 = 6;
pub const DISCARD_REPLY: u16 = 7;

/// OFPBF_* flags.
pub const ATOMIC: u16 = 1 << 0;
pub const ORDERED: u16 = 1 << 1;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BundleControl {
    pub bundle_id: u32,
    pub ctrl_type: u16,
    pub flags: u16,
}

impl BundleControl {
    pub fn decode(body: &mut Reader) -> Result<BundleControl, OfpError> {
        let bundle_id = body.be32()?;
        let ctrl_type = body.be16()?;
        let flags = body.be16()?;
        // Properties (experimenter only) are ignored.
        body.take_rest();
        Ok(BundleControl {
            bundle_id,
            ctrl_type,
            flags,
        })
    }

    pub fn encode_body(&self, out: &mut Vec<u8>) {
        out.put_be32(self.bundle_id);
        out.put_be16(self.ctrl_type);
        out.put_be16(self.flags);
    }

    pub fn format(&self, out: &mut String) {
        let ty = match self.ctrl_type {
            OPEN_REQUEST => "OPEN_REQUEST",
            OPEN_REPLY => "OPEN_REPLY",
            CLOSE_REQUEST => "CLOSE_REQUEST",
            CLOSE_REPLY => "CLOSE_REPLY",
            COMMIT_REQUEST => "COMMIT_REQUEST",
            COMMIT_REPLY => "COMMIT_REPLY",
            DISCARD_REQUEST => "DISCARD_REQUEST",
            DISCARD_REPLY => "DISCARD_REPLY",
            _ => "",
        };
        let _ = write!(
            out,
            "\n bundle_id={} type={ty} flags=",
            hex_or_zero(self.bundle_id)
        );
        format_flags(out, self.flags);
    }
}

/// C's "%#x": "0" for zero, "0x1f" otherwise.
fn hex_or_zero(v: u32) -> String {
    if v == 0 {
        "0".to_string()
    } else {
        format!("{v:#x}")
    }
}

fn format_flags(out: &mut String, flags: u16) {
    let mut names = Vec::new();
    if flags & ATOMIC != 0 {
        names.push("atomic".to_string());
    }
    if flags & ORDERED != 0 {
        names.push("ordered".to_string());
    }
    let rest = flags & !(ATOMIC | ORDERED);
    if rest != 0 {
        names.push(format!("{rest:#x}"));
    }
    if names.is_empty() {
        out.push('0');
    } else {
        out.push_str(&names.join(" "));
    }
}

/// A message added to a bundle. The inner message is kept as bytes: it is
/// one whole message of the same version and xid, checked at decode time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BundleAdd {
    pub bundle_id: u32,
    pub flags: u16,
    pub msg: Vec<u8>,
}

impl BundleAdd {
    /// `outer` is the outer message's header (version and xid the inner one
    /// must repeat).
    pub fn decode(outer: &super::Header, body: &mut Reader) -> Result<BundleAdd, OfpError> {
        let bundle_id = body.be32()?;
        body.skip(2)?;
        let flags = body.be16()?;
        let rest = body.take_rest();
        let inner_len = match rest.get(2..4) {
            Some(l) => usize::from(u16::from_be_bytes([l[0], l[1]])),
            None => return Err(OfpError::BfcMsgBadLen),
        };
        if inner_len < 8 || inner_len > rest.len() {
            return Err(OfpError::BfcMsgBadLen);
        }
        let msg = &rest[..inner_len];
        if msg[0] != outer.version.wire() {
            return Err(OfpError::BfcBadVersion);
        }
        if u32::from_be_bytes([msg[4], msg[5], msg[6], msg[7]]) != outer.xid {
            return Err(OfpError::BfcMsgBadXid);
        }
        // The inner message must be of a kind bundles carry and have sane
        // headers; its body is only decoded when it is executed (or printed).
        match super::raw::identify(outer.version, msg) {
            Ok((raw, _)) if super::raw::is_bundlable(raw) => {}
            _ => return Err(OfpError::BfcMsgUnsup),
        }
        Ok(BundleAdd {
            bundle_id,
            flags,
            msg: msg.to_vec(),
        })
    }

    /// The body; the inner message is padded to 8 bytes.
    pub fn encode_body(&self, out: &mut Vec<u8>) {
        out.put_be32(self.bundle_id);
        out.put_zeros(2);
        out.put_be16(self.flags);
        let start = out.len();
        out.extend_from_slice(&self.msg);
        out.pad_from(start, 8);
    }

    pub fn format(&self, out: &mut String, verbosity: u32) {
        let _ = write!(out, "\n bundle_id={} flags=", hex_or_zero(self.bundle_id));
        format_flags(out, self.flags);
        out.push('\n');
        out.push_str(&super::format(&self.msg, verbosity));
    }
}
