//! OFPT_FEATURES_REPLY: datapath id, buffers, tables, capabilities, the
//! OF1.0 action bitmap, and (before OF1.3) the port descriptions.

use std::fmt::Write;

use crate::buf::{Put, Reader};
use crate::error::OfpError;
use crate::version::Version;

use super::port_desc::{self, PortDesc};

// Capabilities, version-independent bit positions (OF1.0's where it has them).
pub const C_FLOW_STATS: u32 = 1 << 0;
pub const C_TABLE_STATS: u32 = 1 << 1;
pub const C_PORT_STATS: u32 = 1 << 2;
pub const C_STP: u32 = 1 << 3;
pub const C_GROUP_STATS: u32 = 1 << 4;
pub const C_IP_REASM: u32 = 1 << 5;
pub const C_QUEUE_STATS: u32 = 1 << 6;
pub const C_ARP_MATCH_IP: u32 = 1 << 7;
pub const C_PORT_BLOCKED: u32 = 1 << 8;
pub const C_BUNDLES: u32 = 1 << 9;
pub const C_FLOW_MONITORING: u32 = 1 << 10;

const CAP_NAMES: [(u32, &str); 11] = [
    (C_FLOW_STATS, "FLOW_STATS"),
    (C_TABLE_STATS, "TABLE_STATS"),
    (C_PORT_STATS, "PORT_STATS"),
    (C_STP, "STP"),
    (C_GROUP_STATS, "GROUP_STATS"),
    (C_IP_REASM, "IP_REASM"),
    (C_QUEUE_STATS, "QUEUE_STATS"),
    (C_ARP_MATCH_IP, "ARP_MATCH_IP"),
    (C_PORT_BLOCKED, "PORT_BLOCKED"),
    (C_BUNDLES, "BUNDLES"),
    (C_FLOW_MONITORING, "FLOW_MONITORING"),
];

/// OF1.0 action bits in the order ofp-print lists them.
const ACTION_NAMES: [(u32, &str); 12] = [
    (1 << 0, "output"),
    (1 << 11, "enqueue"),
    (1 << 1, "set_vlan_vid"),
    (1 << 2, "set_vlan_pcp"),
    (1 << 3, "strip_vlan"),
    (1 << 4, "mod_dl_src"),
    (1 << 5, "mod_dl_dst"),
    (1 << 6, "mod_nw_src"),
    (1 << 7, "mod_nw_dst"),
    (1 << 8, "mod_nw_tos"),
    (1 << 9, "mod_tp_src"),
    (1 << 10, "mod_tp_dst"),
];
const ACTIONS_MASK: u32 = 0xfff;

/// The wire bit of each capability in version `v`, if it has it.
fn cap_wire_bit(v: Version, cap: u32) -> Option<u32> {
    match cap {
        C_FLOW_STATS | C_TABLE_STATS | C_PORT_STATS | C_IP_REASM | C_QUEUE_STATS => Some(cap),
        C_STP => (v == Version::Of10).then_some(1 << 3),
        C_GROUP_STATS => (v >= Version::Of11).then_some(1 << 3),
        C_ARP_MATCH_IP => (v <= Version::Of11).then_some(1 << 7),
        C_PORT_BLOCKED => (v >= Version::Of12).then_some(1 << 8),
        C_BUNDLES | C_FLOW_MONITORING => (v >= Version::Of14).then_some(cap),
        _ => None,
    }
}

/// Capabilities from their wire form in `v` (unknown bits are dropped).
pub fn capabilities_from_wire(v: Version, wire: u32) -> u32 {
    CAP_NAMES
        .iter()
        .filter_map(|(cap, _)| cap_wire_bit(v, *cap).map(|b| (cap, b)))
        .filter(|(_, b)| wire & b != 0)
        .fold(0, |acc, (cap, _)| acc | cap)
}

/// Capabilities in their wire form for `v` (ones `v` lacks are dropped).
pub fn capabilities_to_wire(v: Version, caps: u32) -> u32 {
    CAP_NAMES
        .iter()
        .filter(|(cap, _)| caps & cap != 0)
        .filter_map(|(cap, _)| cap_wire_bit(v, *cap))
        .fold(0, |acc, b| acc | b)
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FeaturesReply {
    pub datapath_id: u64,
    pub n_buffers: u32,
    pub n_tables: u8,
    /// OF1.3+.
    pub auxiliary_id: u8,
    /// C_* bits.
    pub capabilities: u32,
    /// OF1.0 only: the OFPAT10 bitmap of supported actions.
    pub actions: u32,
    /// OF1.0-1.2 only; later versions describe ports in a multipart reply.
    pub ports: Vec<PortDesc>,
}

/// Whether features replies of `v` carry the ports.
pub fn has_ports(v: Version) -> bool {
    v <= Version::Of12
}

impl FeaturesReply {
    pub fn decode(v: Version, body: &mut Reader) -> Result<FeaturesReply, OfpError> {
        let datapath_id = body.be64()?;
        let n_buffers = body.be32()?;
        let n_tables = body.u8()?;
        let auxiliary_id = body.u8()?;
        body.skip(2)?;
        let capabilities = capabilities_from_wire(v, body.be32()?);
        let actions = body.be32()?;
        let ports = if has_ports(v) {
            port_desc::decode_ports(v, body)?
        } else {
            Vec::new()
        };
        Ok(FeaturesReply {
            datapath_id,
            n_buffers,
            n_tables,
            auxiliary_id: if v >= Version::Of13 { auxiliary_id } else { 0 },
            capabilities,
            actions: if v == Version::Of10 {
                actions & ACTIONS_MASK
            } else {
                0
            },
            ports,
        })
    }

    pub fn encode_body(&self, v: Version, out: &mut Vec<u8>) {
        out.put_be64(self.datapath_id);
        out.put_be32(self.n_buffers);
        out.put_u8(self.n_tables);
        out.put_u8(if v >= Version::Of13 {
            self.auxiliary_id
        } else {
            0
        });
        out.put_zeros(2);
        out.put_be32(capabilities_to_wire(v, self.capabilities));
        out.put_be32(if v == Version::Of10 {
            self.actions & ACTIONS_MASK
        } else {
            0
        });
        if has_ports(v) {
            for p in &self.ports {
                p.encode(v, out);
            }
        }
    }

    /// For a body that failed to decode: prints what the reference prints
    /// before its error message (the fixed part and the ports up to the bad
    /// one). `body` is the whole body, whose fixed part is known to be there.
    pub fn format_partial(v: Version, body: &[u8], out: &mut String) {
        let mut r = Reader::new(body);
        let mut fixed =
            match FeaturesReply::decode(v, &mut Reader::new(body.get(..24).unwrap_or_default())) {
                Ok(f) => f,
                Err(_) => return,
            };
        let _ = r.skip(24);
        while !r.is_empty() {
            match PortDesc::decode(v, &mut r) {
                Ok(p) => fixed.ports.push(p),
                Err(_) => break,
            }
        }
        fixed.format(v, out);
    }

    /// The ofp-print text after the header line.
    pub fn format(&self, v: Version, out: &mut String) {
        let _ = writeln!(out, " dpid:{:016x}", self.datapath_id);
        let _ = write!(
            out,
            "n_tables:{}, n_buffers:{}",
            self.n_tables, self.n_buffers
        );
        if v >= Version::Of13 && self.auxiliary_id != 0 {
            let _ = write!(out, ", auxiliary_id:{}", self.auxiliary_id);
        }
        out.push('\n');
        out.push_str("capabilities: ");
        let caps: Vec<&str> = CAP_NAMES
            .iter()
            .filter(|(c, _)| self.capabilities & c != 0)
            .map(|(_, n)| *n)
            .collect();
        if caps.is_empty() {
            out.push('0');
        } else {
            out.push_str(&caps.join(" "));
        }
        out.push('\n');
        if v == Version::Of10 && self.actions != 0 {
            let acts: Vec<&str> = ACTION_NAMES
                .iter()
                .filter(|(a, _)| self.actions & a != 0)
                .map(|(_, n)| *n)
                .collect();
            let _ = writeln!(out, "actions: {}", acts.join(" "));
        }
        port_desc::format_ports(out, &self.ports, None);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capability_layout_per_version() {
        assert_eq!(capabilities_from_wire(Version::Of10, 1 << 3), C_STP);
        assert_eq!(capabilities_from_wire(Version::Of11, 1 << 3), C_GROUP_STATS);
        assert_eq!(capabilities_from_wire(Version::Of13, 1 << 7), 0);
        assert_eq!(
            capabilities_to_wire(Version::Of13, C_GROUP_STATS | C_STP),
            1 << 3
        );
    }
}
