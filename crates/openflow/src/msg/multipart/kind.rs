//! Multipart kinds and headers: which body a multipart message carries,
//! how each kind travels in each version (standard type, Nicira or ONF
//! vendor type), the names ofp-print gives them, and the multipart header
//! codec.

use crate::buf::{Put, Reader};
use crate::error::OfpError;
use crate::msg::{NX_VENDOR_ID, ONF_VENDOR_ID};
use crate::version::Version;

/// ONF experimenter type of OF1.3's flow monitor extension.
const ONFST_FLOW_MONITOR: u32 = 1870;

/// The kind of a multipart body, independent of version and framing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MpKind {
    Desc,
    /// OFPST_FLOW: flow stats with the version's standard match.
    Flow,
    Aggregate,
    Table,
    PortStats,
    Queue,
    /// OFPST_GROUP (OF1.1+), NXST_GROUP (OF1.0).
    Group,
    /// OFPST_GROUP_DESC (OF1.1+), NXST_GROUP_DESC (OF1.0).
    GroupDesc,
    /// OFPST_GROUP_FEATURES (OF1.2+), NXST_GROUP_FEATURES (OF1.0, OF1.1).
    GroupFeatures,
    Meter,
    MeterConfig,
    MeterFeatures,
    TableFeatures,
    PortDesc,
    TableDesc,
    QueueDesc,
    /// OFPST_FLOW_MONITOR (OF1.4+), ONFST_FLOW_MONITOR (OF1.3).
    FlowMonitor,
    /// NXST_FLOW: flow stats with an NXM match (OF1.0).
    NxFlow,
    /// NXST_AGGREGATE (OF1.0).
    NxAggregate,
    /// NXST_FLOW_MONITOR (OF1.0-1.2).
    NxFlowMonitor,
    /// NXST_IPFIX_BRIDGE (no body either way we print).
    IpfixBridge,
    /// NXST_IPFIX_FLOW.
    IpfixFlow,
}

/// A multipart type as it travels: a standard type number, or a vendor
/// (experimenter) id and subtype under type 0xffff.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MpWire {
    Std(u16),
    Vendor { vendor: u32, subtype: u32 },
}

/// Standard types and the first version that has each.
const STD_TYPES: [(MpKind, u16, Version); 17] = [
    (MpKind::Desc, 0, Version::Of10),
    (MpKind::Flow, 1, Version::Of10),
    (MpKind::Aggregate, 2, Version::Of10),
    (MpKind::Table, 3, Version::Of10),
    (MpKind::PortStats, 4, Version::Of10),
    (MpKind::Queue, 5, Version::Of10),
    (MpKind::Group, 6, Version::Of11),
    (MpKind::GroupDesc, 7, Version::Of11),
    (MpKind::GroupFeatures, 8, Version::Of12),
    (MpKind::Meter, 9, Version::Of13),
    (MpKind::MeterConfig, 10, Version::Of13),
    (MpKind::MeterFeatures, 11, Version::Of13),
    (MpKind::TableFeatures, 12, Version::Of13),
    (MpKind::PortDesc, 13, Version::Of10),
    (MpKind::TableDesc, 14, Version::Of14),
    (MpKind::QueueDesc, 15, Version::Of14),
    (MpKind::FlowMonitor, 16, Version::Of14),
];

/// Nicira vendor types: kind, subtype, and the versions that use it.
const NX_TYPES: [(MpKind, u32, Version, Version); 8] = [
    (MpKind::NxFlow, 0, Version::Of10, Version::Of10),
    (MpKind::NxAggregate, 1, Version::Of10, Version::Of10),
    (MpKind::NxFlowMonitor, 2, Version::Of10, Version::Of12),
    (MpKind::IpfixBridge, 3, Version::Of10, Version::Of15),
    (MpKind::IpfixFlow, 4, Version::Of10, Version::Of15),
    (MpKind::Group, 7, Version::Of10, Version::Of10),
    (MpKind::GroupDesc, 8, Version::Of10, Version::Of10),
    (MpKind::GroupFeatures, 9, Version::Of10, Version::Of11),
];

impl MpKind {
    /// How this kind travels in version `v`, None if `v` cannot carry it.
    pub fn to_wire(self, v: Version) -> Option<MpWire> {
        if self == MpKind::FlowMonitor && v == Version::Of13 {
            return Some(MpWire::Vendor {
                vendor: ONF_VENDOR_ID,
                subtype: ONFST_FLOW_MONITOR,
            });
        }
        let nx = NX_TYPES
            .iter()
            .find(|(k, _, lo, hi)| *k == self && (*lo..=*hi).contains(&v));
        if let Some((_, subtype, _, _)) = nx {
            return Some(MpWire::Vendor {
                vendor: NX_VENDOR_ID,
                subtype: *subtype,
            });
        }
        STD_TYPES
            .iter()
            .find(|(k, _, since)| *k == self && v >= *since)
            .map(|(_, t, _)| MpWire::Std(*t))
    }

    /// The kind of a wire type in version `v`, with the error the reference
    /// reports for an unknown one.
    pub fn from_wire(v: Version, w: MpWire) -> Result<MpKind, OfpError> {
        let kind = match w {
            MpWire::Std(t) => STD_TYPES
                .iter()
                .find(|(_, n, _)| *n == t)
                .map(|(k, _, _)| *k)
                .ok_or(OfpError::BrcBadMultipart)?,
            MpWire::Vendor { vendor, subtype } => {
                if vendor == ONF_VENDOR_ID && subtype == ONFST_FLOW_MONITOR {
                    MpKind::FlowMonitor
                } else if vendor == NX_VENDOR_ID || vendor == ONF_VENDOR_ID {
                    NX_TYPES
                        .iter()
                        .find(|(_, s, lo, hi)| {
                            vendor == NX_VENDOR_ID && *s == subtype && (*lo..=*hi).contains(&v)
                        })
                        .map(|(k, _, _, _)| *k)
                        .ok_or(OfpError::BrcBadExpType)?
                } else {
                    return Err(OfpError::BrcBadExperimenter);
                }
            }
        };
        // A kind that exists but travels differently in this version (e.g.
        // a standard group type in OF1.0) is unknown here.
        if kind.to_wire(v) != Some(w) {
            return Err(match w {
                MpWire::Std(_) => OfpError::BrcBadMultipart,
                MpWire::Vendor { .. } => OfpError::BrcBadExpType,
            });
        }
        Ok(kind)
    }

    /// The name ofp-print uses, before " request"/" reply" ("OFPST_FLOW",
    /// "NXST_GROUP_DESC", "ONFST_FLOW_MONITOR").
    pub fn name(self, v: Version) -> &'static str {
        let vendor = matches!(self.to_wire(v), Some(MpWire::Vendor { .. }));
        match self {
            MpKind::Desc => "OFPST_DESC",
            MpKind::Flow => "OFPST_FLOW",
            MpKind::Aggregate => "OFPST_AGGREGATE",
            MpKind::Table => "OFPST_TABLE",
            MpKind::PortStats => "OFPST_PORT",
            MpKind::Queue => "OFPST_QUEUE",
            MpKind::Group if vendor => "NXST_GROUP",
            MpKind::Group => "OFPST_GROUP",
            MpKind::GroupDesc if vendor => "NXST_GROUP_DESC",
            MpKind::GroupDesc => "OFPST_GROUP_DESC",
            MpKind::GroupFeatures if vendor => "NXST_GROUP_FEATURES",
            MpKind::GroupFeatures => "OFPST_GROUP_FEATURES",
            MpKind::Meter => "OFPST_METER",
            MpKind::MeterConfig => "OFPST_METER_CONFIG",
            MpKind::MeterFeatures => "OFPST_METER_FEATURES",
            MpKind::TableFeatures => "OFPST_TABLE_FEATURES",
            MpKind::PortDesc => "OFPST_PORT_DESC",
            MpKind::TableDesc => "OFPST_TABLE_DESC",
            MpKind::QueueDesc => "OFPST_QUEUE_DESC",
            MpKind::FlowMonitor if vendor => "ONFST_FLOW_MONITOR",
            MpKind::FlowMonitor => "OFPST_FLOW_MONITOR",
            MpKind::NxFlow => "NXST_FLOW",
            MpKind::NxAggregate => "NXST_AGGREGATE",
            MpKind::NxFlowMonitor => "NXST_FLOW_MONITOR",
            MpKind::IpfixBridge => "NXST_IPFIX_BRIDGE",
            MpKind::IpfixFlow => "NXST_IPFIX_FLOW",
        }
    }
}

/// Length of the multipart header after `ofp_header` for `wire` in `v`.
pub fn mp_header_len(v: Version, wire: MpWire) -> usize {
    match (v, wire) {
        (Version::Of10, MpWire::Std(_)) => 4,
        (_, MpWire::Std(_)) => 8,
        (_, MpWire::Vendor { .. }) => 16,
    }
}

/// Reads the multipart header that follows `ofp_header` (type, flags, padding,
/// vendor id and subtype), leaving `r` at the body.
pub fn decode_mp_header(v: Version, r: &mut Reader) -> Result<(MpKind, u16), OfpError> {
    let ty = r.be16()?;
    let flags = r.be16()?;
    if v != Version::Of10 {
        r.skip(4)?;
    }
    let wire = if ty == 0xffff {
        let vendor = r.be32()?;
        let subtype = r.be32()?;
        if v == Version::Of10 {
            r.skip(4)?;
        }
        MpWire::Vendor { vendor, subtype }
    } else {
        MpWire::Std(ty)
    };
    Ok((MpKind::from_wire(v, wire)?, flags))
}

/// Writes the multipart header for `kind` (which `v` must carry; if it does
/// not, the header says type 0xfffe, which decodes as an error).
pub fn encode_mp_header(v: Version, kind: MpKind, flags: u16, out: &mut Vec<u8>) {
    match kind.to_wire(v) {
        Some(MpWire::Std(t)) => {
            out.put_be16(t);
            out.put_be16(flags);
            if v != Version::Of10 {
                out.put_zeros(4);
            }
        }
        Some(MpWire::Vendor { vendor, subtype }) => {
            out.put_be16(0xffff);
            out.put_be16(flags);
            if v != Version::Of10 {
                out.put_zeros(4);
            }
            out.put_be32(vendor);
            out.put_be32(subtype);
            if v == Version::Of10 {
                out.put_zeros(4);
            }
        }
        None => {
            out.put_be16(0xfffe);
            out.put_be16(flags);
            if v != Version::Of10 {
                out.put_zeros(4);
            }
        }
    }
}
