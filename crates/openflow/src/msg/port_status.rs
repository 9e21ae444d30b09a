//! OFPT_PORT_STATUS: a port was added, deleted or modified.

use crate::buf::{Put, Reader};
use crate::error::OfpError;
use crate::version::Version;

use super::port_desc::PortDesc;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PortReason {
    Add,
    Delete,
    Modify,
}

impl PortReason {
    pub fn name(self) -> &'static str {
        match self {
            PortReason::Add => "ADD",
            PortReason::Delete => "DEL",
            PortReason::Modify => "MOD",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PortStatus {
    pub reason: PortReason,
    pub desc: PortDesc,
}

impl PortStatus {
    pub fn decode(v: Version, body: &mut Reader) -> Result<PortStatus, OfpError> {
        let reason = match body.u8()? {
            0 => PortReason::Add,
            1 => PortReason::Delete,
            2 => PortReason::Modify,
            _ => return Err(OfpError::NxbrcBadReason),
        };
        body.skip(7)?;
        let desc = PortDesc::decode(v, body)?;
        // Bytes after an OF1.4+ port (whose length says where it ends) are ignored.
        body.take_rest();
        Ok(PortStatus { reason, desc })
    }

    pub fn encode_body(&self, v: Version, out: &mut Vec<u8>) {
        out.put_u8(self.reason as u8);
        out.put_zeros(7);
        self.desc.encode(v, out);
    }

    /// " ADD: 3(eth0): addr:...\n     config: ..." as ofp-print shows it.
    pub fn format(&self, out: &mut String) {
        out.push(' ');
        out.push_str(self.reason.name());
        out.push(':');
        self.desc.format(out, None);
    }
}
