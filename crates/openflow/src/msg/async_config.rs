//! Asynchronous message configuration: which packet-in, port-status,
//! flow-removed (and OF1.4+ role-status, table-status, requestforward)
//! reasons a controller receives, for the primary/equal role and for the
//! secondary role. Carried by OFPT_GET_ASYNC_REPLY / OFPT_SET_ASYNC (OF1.3
//! fixed masks, OF1.4+ properties), NXT_SET_ASYNC_CONFIG (fixed masks) and
//! NXT_SET_ASYNC_CONFIG2 (properties).

use std::fmt::Write;

use crate::buf::{Put, Reader};
use crate::error::OfpError;
use crate::version::Version;

use super::port_desc::next_property;
use super::raw::NX_VENDOR_ID;

/// Index of each message kind in the mask arrays.
pub const PACKET_IN: usize = 0;
pub const PORT_STATUS: usize = 1;
pub const FLOW_REMOVED: usize = 2;
pub const ROLE_STATUS: usize = 3;
pub const TABLE_STATUS: usize = 4;
pub const REQUESTFORWARD: usize = 5;

const KIND_NAMES: [&str; 6] = [
    "PACKET_IN",
    "PORT_STATUS",
    "FLOW_REMOVED",
    "ROLE_STATUS",
    "TABLE_STATUS",
    "REQUESTFORWARD",
];

/// Reason names per kind, by bit.
const REASONS: [&[&str]; 6] = [
    &[
        "no_match",
        "action",
        "invalid_ttl",
        "action_set",
        "group",
        "packet_out",
    ],
    &["add", "delete", "modify"],
    &[
        "idle",
        "hard",
        "delete",
        "group_delete",
        "meter_delete",
        "eviction",
    ],
    &[
        "primary_request",
        "configuration_changed",
        "experimenter_data_changed",
    ],
    &["", "", "", "vacancy_down", "vacancy_up"],
    &["group_mod_request", "meter_mod_request"],
];

/// Bits each kind may have in the property form (OF1.4+; before OF1.4 only
/// the first three packet-in reasons exist).
const ALLOWED_PROPS: [u32; 6] = [0x3f, 0x7, 0x3f, 0x7, 0x18, 0x3];

/// The reasons of `kind` that version `v` has in the property form.
pub fn allowed(v: Version, kind: usize) -> u32 {
    match (kind, v < Version::Of14) {
        (PACKET_IN, true) => 0x7,
        _ => ALLOWED_PROPS.get(kind).copied().unwrap_or(0),
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AsyncConfig {
    /// Masks for the primary (and equal) role, indexed by PACKET_IN etc.
    pub primary: [u32; 6],
    /// Masks for the secondary role.
    pub secondary: [u32; 6],
}

impl AsyncConfig {
    /// The fixed form: packet-in, port-status, flow-removed masks, each as
    /// [primary, secondary].
    /// Bits outside what `v` knows are dropped.
    pub fn decode_fixed(v: Version, body: &mut Reader) -> Result<AsyncConfig, OfpError> {
        let mut c = AsyncConfig::default();
        for kind in [PACKET_IN, PORT_STATUS, FLOW_REMOVED] {
            let allowed = allowed(v, kind);
            c.primary[kind] = body.be32()? & allowed;
            c.secondary[kind] = body.be32()? & allowed;
        }
        Ok(c)
    }

    pub fn encode_fixed(&self, v: Version, out: &mut Vec<u8>) {
        for kind in [PACKET_IN, PORT_STATUS, FLOW_REMOVED] {
            let allowed = allowed(v, kind);
            out.put_be32(self.primary[kind] & allowed);
            out.put_be32(self.secondary[kind] & allowed);
        }
    }

    /// The property form. `strict` (a set-async) rejects bad masks and
    /// unknown properties as the reference does; a reply is read loosely.
    pub fn decode_props(
        v: Version,
        body: &mut Reader,
        strict: bool,
    ) -> Result<AsyncConfig, OfpError> {
        let mut c = AsyncConfig::default();
        while !body.is_empty() {
            let (ty, mut prop) = next_property(body)?;
            if ty >= 0xfffe {
                if strict {
                    let vendor = prop.be32()?;
                    return Err(if vendor == NX_VENDOR_ID {
                        OfpError::BpcBadExpType
                    } else {
                        OfpError::BpcBadExperimenter
                    });
                }
                continue;
            }
            let kind = usize::from(ty / 2);
            if kind >= ALLOWED_PROPS.len() {
                if strict {
                    return Err(OfpError::AcfcUnsupported);
                }
                continue;
            }
            let allowed = allowed(v, kind);
            if prop.remaining() != 4 {
                return Err(OfpError::BpcBadLen);
            }
            let mask = prop.be32()?;
            if strict && mask & !allowed != 0 {
                return Err(OfpError::AcfcInvalid);
            }
            // Even types are the secondary role's, odd ones the primary's.
            let slot = if ty.is_multiple_of(2) {
                &mut c.secondary
            } else {
                &mut c.primary
            };
            slot[kind] = mask & allowed;
        }
        Ok(c)
    }

    pub fn encode_props(&self, v: Version, out: &mut Vec<u8>) {
        for kind in 0..ALLOWED_PROPS.len() {
            let allowed = allowed(v, kind);
            for (parity, masks) in [(0u16, &self.secondary), (1, &self.primary)] {
                out.put_be16(kind as u16 * 2 + parity);
                out.put_be16(8);
                out.put_be32(masks[kind] & allowed);
            }
        }
    }

    /// Whether version `v` uses the property form for the standard messages.
    pub fn uses_props(v: Version) -> bool {
        v >= Version::Of14
    }

    pub fn format(&self, out: &mut String) {
        for (title, masks) in [("primary", &self.primary), ("secondary", &self.secondary)] {
            let _ = writeln!(out, "\n {title}:");
            for (kind, name) in KIND_NAMES.iter().enumerate() {
                let _ = write!(out, "{name:>16}: ");
                let names: Vec<&str> = REASONS[kind]
                    .iter()
                    .enumerate()
                    .filter(|(bit, n)| masks[kind] & (1 << bit) != 0 && !n.is_empty())
                    .map(|(_, n)| *n)
                    .collect();
                if names.is_empty() {
                    out.push_str("(off)");
                } else {
                    out.push_str(&names.join(" "));
                }
                out.push('\n');
            }
        }
    }
}
