//! Switch configuration: OFPT_GET_CONFIG_REPLY and OFPT_SET_CONFIG (IP
//! fragment handling, the invalid-TTL-to-controller flag, miss_send_len).

use std::fmt::Write;

use crate::buf::{Put, Reader};
use crate::error::OfpError;
use crate::version::Version;

/// OFPC_FRAG_* values.
pub const FRAG_NORMAL: u16 = 0;
pub const FRAG_DROP: u16 = 1;
pub const FRAG_REASM: u16 = 2;
/// Nicira: fragments are matched, "nx-match".
pub const FRAG_NX_MATCH: u16 = 3;
const FRAG_MASK: u16 = 3;
/// OFPC_INVALID_TTL_TO_CONTROLLER (OF1.0 as an extension, OF1.1 and OF1.2).
const INVALID_TTL_TO_CONTROLLER: u16 = 1 << 2;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SwitchConfig {
    /// One of the FRAG_* values.
    pub frags: u16,
    pub invalid_ttl_to_controller: bool,
    pub miss_send_len: u16,
}

impl Default for SwitchConfig {
    fn default() -> SwitchConfig {
        SwitchConfig {
            frags: FRAG_NORMAL,
            invalid_ttl_to_controller: false,
            miss_send_len: 128,
        }
    }
}

fn ttl_flag_exists(v: Version) -> bool {
    v < Version::Of13
}

impl SwitchConfig {
    /// Decodes the 4-byte body. A set-config with flags the version does not
    /// define is OFPSCFC_BAD_FLAGS; a get-config reply's extra bits are
    /// ignored.
    pub fn decode(v: Version, body: &mut Reader, set: bool) -> Result<SwitchConfig, OfpError> {
        let flags = body.be16()?;
        let miss_send_len = body.be16()?;
        let mut known = FRAG_MASK;
        if ttl_flag_exists(v) {
            known |= INVALID_TTL_TO_CONTROLLER;
        }
        if set && flags & !known != 0 {
            return Err(OfpError::ScfcBadFlags);
        }
        Ok(SwitchConfig {
            frags: flags & FRAG_MASK,
            invalid_ttl_to_controller: ttl_flag_exists(v) && flags & INVALID_TTL_TO_CONTROLLER != 0,
            miss_send_len,
        })
    }

    pub fn encode_body(&self, v: Version, out: &mut Vec<u8>) {
        let mut flags = self.frags & FRAG_MASK;
        if self.invalid_ttl_to_controller && ttl_flag_exists(v) {
            flags |= INVALID_TTL_TO_CONTROLLER;
        }
        out.put_be16(flags);
        out.put_be16(self.miss_send_len);
    }

    /// " frags=drop invalid_ttl_to_controller miss_send_len=128".
    pub fn format(&self, out: &mut String) {
        let _ = write!(out, " frags={}", frag_name(self.frags));
        if self.invalid_ttl_to_controller {
            out.push_str(" invalid_ttl_to_controller");
        }
        let _ = write!(out, " miss_send_len={}", self.miss_send_len);
    }
}

/// The names ofp-print and `ovs-ofctl get-frags`/`set-frags` use.
pub fn frag_name(frags: u16) -> &'static str {
    match frags & FRAG_MASK {
        FRAG_NORMAL => "normal",
        FRAG_DROP => "drop",
        FRAG_REASM => "reassemble",
        _ => "nx-match",
    }
}

/// Parses a `set-frags` mode name.
pub fn parse_frag_name(s: &str) -> Option<u16> {
    [FRAG_NORMAL, FRAG_DROP, FRAG_REASM, FRAG_NX_MATCH]
        .into_iter()
        .find(|f| frag_name(*f) == s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ttl_flag_only_before_of13() {
        let body = [0, 7, 0, 128];
        let c = SwitchConfig::decode(Version::Of10, &mut Reader::new(&body), true).unwrap();
        assert!(c.invalid_ttl_to_controller);
        assert_eq!(
            SwitchConfig::decode(Version::Of13, &mut Reader::new(&body), true),
            Err(OfpError::ScfcBadFlags)
        );
        let c = SwitchConfig::decode(Version::Of13, &mut Reader::new(&body), false).unwrap();
        assert!(!c.invalid_ttl_to_controller);
        let mut s = String::new();
        c.format(&mut s);
        assert_eq!(s, " frags=nx-match miss_send_len=128");
    }
}
