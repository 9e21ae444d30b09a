//! Controller roles: OFPT_ROLE_REQUEST/REPLY (OF1.2+), Nicira's
//! NXT_ROLE_REQUEST/REPLY (any version) and OFPT_ROLE_STATUS (OF1.4+).

use std::fmt::Write;

use crate::buf::{Put, Reader};
use crate::error::OfpError;

/// A controller role. Names as ofp-print shows them (the reference says
/// primary/secondary for master/slave).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    NoChange,
    Equal,
    Primary,
    Secondary,
}

impl Role {
    pub fn name(self) -> &'static str {
        match self {
            Role::NoChange => "nochange",
            Role::Equal => "equal",
            Role::Primary => "primary",
            Role::Secondary => "secondary",
        }
    }

    /// OF1.2+ numbering (OFPCR_ROLE_*).
    pub fn from_std(n: u32) -> Result<Role, OfpError> {
        match n {
            0 => Ok(Role::NoChange),
            1 => Ok(Role::Equal),
            2 => Ok(Role::Primary),
            3 => Ok(Role::Secondary),
            _ => Err(OfpError::RrfcBadRole),
        }
    }
    pub fn to_std(self) -> u32 {
        self as u32
    }

    /// Nicira numbering (NX_ROLE_OTHER/MASTER/SLAVE); no "nochange".
    pub fn from_nx(n: u32) -> Result<Role, OfpError> {
        match n {
            0 => Ok(Role::Equal),
            1 => Ok(Role::Primary),
            2 => Ok(Role::Secondary),
            _ => Err(OfpError::RrfcBadRole),
        }
    }
    pub fn to_nx(self) -> u32 {
        match self {
            Role::NoChange | Role::Equal => 0,
            Role::Primary => 1,
            Role::Secondary => 2,
        }
    }
}

/// An OF1.2+ role request or reply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RoleMsg {
    pub role: Role,
    /// None when absent (all-ones on the wire).
    pub generation_id: Option<u64>,
}

fn gen_from_wire(g: u64) -> Option<u64> {
    (g != u64::MAX).then_some(g)
}

impl RoleMsg {
    /// A request asking for no change carries no generation id (the
    /// reference ignores it); replies always may.
    pub fn decode(body: &mut Reader, request: bool) -> Result<RoleMsg, OfpError> {
        let role = Role::from_std(body.be32()?)?;
        body.skip(4)?;
        let mut generation_id = gen_from_wire(body.be64()?);
        if request && role == Role::NoChange {
            generation_id = None;
        }
        Ok(RoleMsg {
            role,
            generation_id,
        })
    }

    pub fn encode_body(&self, out: &mut Vec<u8>) {
        out.put_be32(self.role.to_std());
        out.put_zeros(4);
        out.put_be64(self.generation_id.unwrap_or(u64::MAX));
    }

    pub fn format(&self, out: &mut String) {
        let _ = write!(out, " role={}", self.role.name());
        if let Some(g) = self.generation_id {
            let _ = write!(out, " generation_id={g}");
        }
    }
}

/// NXT_ROLE_REQUEST / NXT_ROLE_REPLY body.
pub fn decode_nx_role(body: &mut Reader) -> Result<Role, OfpError> {
    Role::from_nx(body.be32()?)
}

pub fn encode_nx_role(role: Role, out: &mut Vec<u8>) {
    out.put_be32(role.to_nx());
}

/// OFPT_ROLE_STATUS: the switch tells a controller its role changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RoleStatus {
    pub role: Role,
    /// OFPCRR_*: 0 primary request, 1 config, 2 experimenter.
    pub reason: u8,
    pub generation_id: Option<u64>,
}

impl RoleStatus {
    pub fn decode(body: &mut Reader) -> Result<RoleStatus, OfpError> {
        let role = Role::from_std(body.be32()?)?;
        let reason = body.u8()?;
        body.skip(3)?;
        let generation_id = gen_from_wire(body.be64()?);
        // Properties (experimenter only) are ignored.
        body.take_rest();
        Ok(RoleStatus {
            role,
            reason,
            generation_id,
        })
    }

    pub fn encode_body(&self, out: &mut Vec<u8>) {
        out.put_be32(self.role.to_std());
        out.put_u8(self.reason);
        out.put_zeros(3);
        out.put_be64(self.generation_id.unwrap_or(u64::MAX));
    }

    pub fn format(&self, out: &mut String) {
        RoleMsg {
            role: self.role,
            generation_id: self.generation_id,
        }
        .format(out);
        let reason = match self.reason {
            0 => "primary_request",
            1 => "configuration_changed",
            2 => "experimenter_data_changed",
            _ => "(unknown)",
        };
        let _ = write!(out, " reason={reason}");
    }
}
