//! OFPT_PORT_MOD: change a port's config bits and advertised features
//! (OF1.0 and OF1.1-1.3 fixed layouts, OF1.4+ with an Ethernet property).

use std::fmt::Write;

use crate::buf::{Put, Reader};
use crate::error::OfpError;
use crate::port::PortNo;
use crate::version::Version;

use super::port_desc::{self, next_property};

const PMPT_ETHERNET: u16 = 0;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PortMod {
    pub port_no: PortNo,
    pub hw_addr: [u8; 6],
    /// Config bits (port_desc::PC_*) and which of them to change.
    pub config: u32,
    pub mask: u32,
    /// Features to advertise (OF1.1+ layout), 0 = leave unchanged.
    pub advertise: u32,
}

fn config_mask(v: Version) -> u32 {
    if v == Version::Of10 {
        0x7f
    } else {
        port_desc::PC_PORT_DOWN
            | port_desc::PC_NO_RECV
            | port_desc::PC_NO_FWD
            | port_desc::PC_NO_PACKET_IN
    }
}

fn of10_to_features(f: u32) -> u32 {
    (f & 0x7f) | ((f >> 7) & 0x1f) << 11
}

fn features_to_of10(f: u32) -> u32 {
    (f & 0x7f) | ((f >> 11) & 0x1f) << 7
}

impl PortMod {
    pub fn decode(v: Version, body: &mut Reader) -> Result<PortMod, OfpError> {
        let cm = config_mask(v);
        if v == Version::Of10 {
            let port_no = PortNo(body.be16()?);
            let hw_addr = body.array()?;
            let config = body.be32()?;
            let mask = body.be32()? & cm;
            // Only the bits being changed matter (the reference keeps no others).
            let config = config & mask;
            let advertise = of10_to_features(body.be32()?);
            body.skip(4)?;
            return Ok(PortMod {
                port_no,
                hw_addr,
                config,
                mask,
                advertise,
            });
        }
        let port_no = port_desc::port_from_of11(body.be32()?)?;
        body.skip(4)?;
        let hw_addr = body.array()?;
        body.skip(2)?;
        let config = body.be32()?;
        let mask = body.be32()? & cm;
        let config = config & mask;
        let mut advertise = 0;
        if v <= Version::Of13 {
            advertise = body.be32()? & 0xffff;
            body.skip(4)?;
        } else {
            while !body.is_empty() {
                let (ty, mut prop) = next_property(body)?;
                if ty == PMPT_ETHERNET {
                    if prop.remaining() != 4 {
                        return Err(OfpError::BpcBadLen);
                    }
                    advertise = prop.be32()? & 0xffff;
                }
            }
        }
        Ok(PortMod {
            port_no,
            hw_addr,
            config,
            mask,
            advertise,
        })
    }

    pub fn encode_body(&self, v: Version, out: &mut Vec<u8>) {
        let cm = config_mask(v);
        if v == Version::Of10 {
            out.put_be16(self.port_no.0);
            out.extend_from_slice(&self.hw_addr);
            out.put_be32(self.config & self.mask & cm);
            out.put_be32(self.mask & cm);
            out.put_be32(features_to_of10(self.advertise));
            out.put_zeros(4);
            return;
        }
        out.put_be32(port_desc::port_to_of11(self.port_no));
        out.put_zeros(4);
        out.extend_from_slice(&self.hw_addr);
        out.put_zeros(2);
        out.put_be32(self.config & self.mask & cm);
        out.put_be32(self.mask & cm);
        if v <= Version::Of13 {
            out.put_be32(self.advertise & 0xffff);
            out.put_zeros(4);
        } else {
            out.put_be16(PMPT_ETHERNET);
            out.put_be16(8);
            out.put_be32(self.advertise & 0xffff);
        }
    }

    pub fn format(&self, out: &mut String) {
        let _ = write!(out, " port: {}: addr:", self.port_no);
        for (i, b) in self.hw_addr.iter().enumerate() {
            let sep = if i == 0 { "" } else { ":" };
            let _ = write!(out, "{sep}{b:02x}");
        }
        out.push('\n');
        out.push_str("     config: ");
        format_config(out, self.config);
        out.push_str("\n     mask:   ");
        format_config(out, self.mask);
        out.push_str("\n     advertise: ");
        if self.advertise == 0 {
            out.push_str("UNCHANGED");
        } else {
            port_desc::format_features(out, self.advertise);
        }
        out.push('\n');
    }
}

fn format_config(out: &mut String, c: u32) {
    const NAMES: [&str; 7] = [
        "PORT_DOWN",
        "NO_STP",
        "NO_RECV",
        "NO_RECV_STP",
        "NO_FLOOD",
        "NO_FWD",
        "NO_PACKET_IN",
    ];
    let set: Vec<&str> = NAMES
        .iter()
        .enumerate()
        .filter(|(i, _)| c & (1 << i) != 0)
        .map(|(_, n)| *n)
        .collect();
    if set.is_empty() {
        out.push('0');
    } else {
        out.push_str(&set.join(" "));
    }
}
