//! Request forwarding: OFPT_REQUESTFORWARD (OpenFlow 1.4+) and its OF1.3
//! extension form ONFT_REQUESTFORWARD. A switch forwards a group-mod or
//! meter-mod one controller sent to the others; the body is that whole
//! message, header included.

use std::fmt::Write;

use crate::buf::Reader;
use crate::error::OfpError;
use crate::msg::raw::{self, OfpType, Raw, OFP_HEADER_LEN};
use crate::msg::{finish, group, meter, start_type};
use crate::port::PortMap;
use crate::version::Version;

/// The forwarded request.
#[derive(Clone, Debug, PartialEq)]
pub enum Forwarded {
    GroupMod(group::GroupMod),
    MeterMod(meter::MeterMod),
}

#[derive(Clone, Debug, PartialEq)]
pub struct RequestForward {
    /// The inner message's xid (the original request's; it need not be
    /// the outer message's).
    pub xid: u32,
    pub request: Forwarded,
}

impl RequestForward {
    /// Decodes the body of a version-`v` request forward (after the
    /// headers, the vendor header included for the ONF form). Only the
    /// inner message's own length counts; bytes after it are ignored.
    pub fn decode(v: Version, body: &mut Reader) -> Result<RequestForward, OfpError> {
        let rest = body.take_rest();
        if rest.len() < OFP_HEADER_LEN {
            return Err(OfpError::BfcMsgBadLen);
        }
        let inner_len = usize::from(u16::from_be_bytes([rest[2], rest[3]]));
        if inner_len < OFP_HEADER_LEN || inner_len > rest.len() {
            return Err(OfpError::BfcMsgBadLen);
        }
        let inner = &rest[..inner_len];
        if inner[0] != v.wire() {
            return Err(OfpError::BrcBadVersion);
        }
        let xid = u32::from_be_bytes([inner[4], inner[5], inner[6], inner[7]]);
        let (kind, at) = raw::identify(v, inner)?;
        let mut b = Reader::new(inner.get(at..).unwrap_or_default());
        let request = match kind {
            Raw::Std(OfpType::GroupMod) | Raw::Nx(raw::NXT_GROUP_MOD) => {
                Forwarded::GroupMod(group::GroupMod::decode(v, &mut b)?)
            }
            Raw::Std(OfpType::MeterMod) => Forwarded::MeterMod(meter::MeterMod::decode(&mut b)?),
            _ => return Err(OfpError::BfcMsgUnsup),
        };
        Ok(RequestForward { xid, request })
    }

    /// Appends the body: the inner message in version `v`.
    pub fn encode_body(&self, v: Version, out: &mut Vec<u8>) {
        let at = match &self.request {
            Forwarded::GroupMod(g) => {
                let at = start_type(out, v, OfpType::GroupMod, self.xid);
                g.encode(v, out);
                at
            }
            Forwarded::MeterMod(m) => {
                let at = start_type(out, v, OfpType::MeterMod, self.xid);
                m.encode(out);
                at
            }
        };
        finish(out, at);
    }

    /// " reason=group_mod" or " reason=meter_mod", then the inner
    /// message's text after its header line.
    pub fn format(&self, v: Version, out: &mut String, ports: Option<&PortMap>) {
        match &self.request {
            Forwarded::GroupMod(g) => {
                let _ = write!(out, " reason=group_mod");
                g.format(v, out, ports);
            }
            Forwarded::MeterMod(m) => {
                let _ = write!(out, " reason=meter_mod");
                m.format(out);
            }
        }
    }
}
