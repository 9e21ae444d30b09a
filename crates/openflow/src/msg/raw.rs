//! Wire type numbers: the `ofp_header.type` byte of each message per version,
//! and the vendor (experimenter) ids and subtypes of the Nicira and ONF
//! extension messages. The numbering moved between versions (OFPT_PORT_MOD is
//! 15 in OF1.0 and 16 later), so the logical [`OfpType`] maps both ways.

use crate::buf::Reader;
use crate::error::OfpError;
use crate::version::Version;

use super::multipart::{self, MpKind};

/// Nicira's vendor id: OFPT_VENDOR / OFPT_EXPERIMENTER messages, stats,
/// actions and errors with it are Nicira extensions.
pub const NX_VENDOR_ID: u32 = 0x0000_2320;
/// The ONF's experimenter id (OF1.3 bundle extension).
pub const ONF_VENDOR_ID: u32 = 0x4f4e_4600;

/// Length of `ofp_header`.
pub const OFP_HEADER_LEN: usize = 8;
/// Length of a Nicira message header: ofp_header + vendor + subtype.
pub const NX_HEADER_LEN: usize = 16;

// Nicira message subtypes (after OFPT_VENDOR + NX_VENDOR_ID).
pub const NXT_ROLE_REQUEST: u32 = 10;
pub const NXT_ROLE_REPLY: u32 = 11;
pub const NXT_SET_FLOW_FORMAT: u32 = 12;
pub const NXT_FLOW_MOD: u32 = 13;
pub const NXT_FLOW_REMOVED: u32 = 14;
pub const NXT_FLOW_MOD_TABLE_ID: u32 = 15;
pub const NXT_SET_PACKET_IN_FORMAT: u32 = 16;
pub const NXT_PACKET_IN: u32 = 17;
pub const NXT_FLOW_AGE: u32 = 18;
pub const NXT_SET_ASYNC_CONFIG: u32 = 19;
pub const NXT_SET_CONTROLLER_ID: u32 = 20;
pub const NXT_FLOW_MONITOR_CANCEL: u32 = 21;
pub const NXT_FLOW_MONITOR_PAUSED: u32 = 22;
pub const NXT_FLOW_MONITOR_RESUMED: u32 = 23;
pub const NXT_TLV_TABLE_MOD: u32 = 24;
pub const NXT_TLV_TABLE_REQUEST: u32 = 25;
pub const NXT_TLV_TABLE_REPLY: u32 = 26;
pub const NXT_SET_ASYNC_CONFIG2: u32 = 27;
pub const NXT_RESUME: u32 = 28;
pub const NXT_CT_FLUSH_ZONE: u32 = 29;
pub const NXT_PACKET_IN2: u32 = 30;
pub const NXT_CT_FLUSH: u32 = 32;

// ONF experimenter message types of OF1.3 (flow monitor, role status,
// bundle and requestforward extensions).
pub const ONFT_FLOW_MONITOR_CANCEL: u32 = 1870;
pub const ONFT_FLOW_MONITOR_PAUSED: u32 = 1871;
pub const ONFT_FLOW_MONITOR_RESUMED: u32 = 1872;
pub const ONFT_ROLE_STATUS: u32 = 1911;
pub const ONFT_REQUESTFORWARD: u32 = 2350;
pub const ONFT_BUNDLE_CONTROL: u32 = 2300;
pub const ONFT_BUNDLE_ADD_MESSAGE: u32 = 2301;

/// The logical message types of `ofp_header.type`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OfpType {
    Hello,
    Error,
    EchoRequest,
    EchoReply,
    /// OFPT_VENDOR (OF1.0) / OFPT_EXPERIMENTER (OF1.1+).
    Vendor,
    FeaturesRequest,
    FeaturesReply,
    GetConfigRequest,
    GetConfigReply,
    SetConfig,
    PacketIn,
    FlowRemoved,
    PortStatus,
    PacketOut,
    FlowMod,
    GroupMod,
    PortMod,
    TableMod,
    /// OFPT_STATS_REQUEST (OF1.0-1.2) / OFPT_MULTIPART_REQUEST (OF1.3+).
    MultipartRequest,
    MultipartReply,
    BarrierRequest,
    BarrierReply,
    QueueGetConfigRequest,
    QueueGetConfigReply,
    RoleRequest,
    RoleReply,
    GetAsyncRequest,
    GetAsyncReply,
    SetAsync,
    MeterMod,
    RoleStatus,
    TableStatus,
    RequestForward,
    BundleControl,
    BundleAddMessage,
    ControllerStatus,
}

use OfpType as T;

/// OF1.0's numbering.
const OF10: [OfpType; 22] = [
    T::Hello,
    T::Error,
    T::EchoRequest,
    T::EchoReply,
    T::Vendor,
    T::FeaturesRequest,
    T::FeaturesReply,
    T::GetConfigRequest,
    T::GetConfigReply,
    T::SetConfig,
    T::PacketIn,
    T::FlowRemoved,
    T::PortStatus,
    T::PacketOut,
    T::FlowMod,
    T::PortMod,
    T::MultipartRequest,
    T::MultipartReply,
    T::BarrierRequest,
    T::BarrierReply,
    T::QueueGetConfigRequest,
    T::QueueGetConfigReply,
];

/// OF1.1's numbering; later versions append to it.
const OF11_PLUS: [OfpType; 36] = [
    T::Hello,
    T::Error,
    T::EchoRequest,
    T::EchoReply,
    T::Vendor,
    T::FeaturesRequest,
    T::FeaturesReply,
    T::GetConfigRequest,
    T::GetConfigReply,
    T::SetConfig,
    T::PacketIn,
    T::FlowRemoved,
    T::PortStatus,
    T::PacketOut,
    T::FlowMod,
    T::GroupMod,
    T::PortMod,
    T::TableMod,
    T::MultipartRequest,
    T::MultipartReply,
    T::BarrierRequest,
    T::BarrierReply,
    T::QueueGetConfigRequest, // 22, OF1.1-1.3
    T::QueueGetConfigReply,   // 23, OF1.1-1.3
    T::RoleRequest,           // 24, OF1.2+
    T::RoleReply,
    T::GetAsyncRequest, // 26, OF1.3+
    T::GetAsyncReply,
    T::SetAsync,
    T::MeterMod,
    T::RoleStatus, // 30, OF1.4+
    T::TableStatus,
    T::RequestForward,
    T::BundleControl,
    T::BundleAddMessage,
    T::ControllerStatus, // 35, OF1.5
];

impl OfpType {
    /// The type byte in version `v`, None if `v` has no such message.
    pub fn wire(self, v: Version) -> Option<u8> {
        let table: &[OfpType] = match v {
            Version::Of10 => &OF10,
            _ => &OF11_PLUS,
        };
        let n = table.iter().position(|t| *t == self)?;
        let n = u8::try_from(n).ok()?;
        (Self::exists(v, n)).then_some(n)
    }

    /// The message type of type byte `t` in version `v`.
    pub fn from_wire(v: Version, t: u8) -> Option<OfpType> {
        if !Self::exists(v, t) {
            return None;
        }
        match v {
            Version::Of10 => OF10.get(usize::from(t)).copied(),
            _ => OF11_PLUS.get(usize::from(t)).copied(),
        }
    }

    /// Whether type byte `t` is defined in version `v` (OF1.1+ numbering).
    fn exists(v: Version, t: u8) -> bool {
        match v {
            Version::Of10 => usize::from(t) < OF10.len(),
            Version::Of11 => t <= 23,
            Version::Of12 => t <= 25,
            Version::Of13 => t <= 29,
            Version::Of14 => t <= 34 && !(22..=23).contains(&t),
            // OFPT_CONTROLLER_STATUS (35) is OF1.5's, but the reference does
            // not know it: treat it as unknown, as it does.
            Version::Of15 => t <= 34 && !(22..=23).contains(&t),
        }
    }
}

/// A message's identity from its headers: a standard type, a Nicira or ONF
/// vendor message (by subtype), or a multipart request/reply (whose kind the
/// multipart header gives; see `super::multipart`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Raw {
    Std(OfpType),
    Nx(u32),
    Onf(u32),
    /// A multipart (stats) request or reply of `kind`, with its flags.
    Mp {
        request: bool,
        kind: MpKind,
        flags: u16,
    },
}

/// Which Nicira subtypes exist in which versions, with the reference's
/// length rule for the body after the 16-byte Nicira header.
fn nx_rule(v: Version, subtype: u32) -> Option<LenRule> {
    use LenRule::*;
    let of10 = v == Version::Of10;
    let upto12 = v <= Version::Of12;
    let upto13 = v <= Version::Of13;
    Some(match subtype {
        NXT_ROLE_REQUEST | NXT_ROLE_REPLY => Exact(4),
        NXT_SET_FLOW_FORMAT if of10 => Exact(4),
        NXT_FLOW_MOD => Multiple(32, 8),
        NXT_FLOW_REMOVED => Multiple(40, 8),
        NXT_FLOW_MOD_TABLE_ID => Exact(8),
        NXT_SET_PACKET_IN_FORMAT => Exact(4),
        NXT_PACKET_IN => AtLeast(24),
        NXT_FLOW_AGE => Exact(0),
        NXT_SET_ASYNC_CONFIG => Exact(24),
        NXT_SET_CONTROLLER_ID => Exact(8),
        NXT_FLOW_MONITOR_CANCEL if upto12 => Exact(4),
        NXT_FLOW_MONITOR_PAUSED | NXT_FLOW_MONITOR_RESUMED if upto12 => Exact(0),
        NXT_TLV_TABLE_MOD => Multiple(8, 8),
        NXT_TLV_TABLE_REQUEST => Exact(0),
        NXT_TLV_TABLE_REPLY => Multiple(16, 8),
        NXT_SET_ASYNC_CONFIG2 if upto13 => Multiple(0, 8),
        NXT_RESUME => Multiple(0, 8),
        NXT_CT_FLUSH_ZONE => Exact(8),
        NXT_PACKET_IN2 => Multiple(0, 8),
        NXT_GROUP_MOD if of10 => Multiple(16, 8),
        NXT_CT_FLUSH => Multiple(8, 8),
        _ => return None,
    })
}

/// NXT_GROUP_MOD: OF1.0's Nicira group-mod.
pub const NXT_GROUP_MOD: u32 = 31;

/// ONF experimenter messages of OF1.3 and their body rules.
fn onf_rule(v: Version, subtype: u32) -> Option<LenRule> {
    if v != Version::Of13 {
        return None;
    }
    match subtype {
        ONFT_FLOW_MONITOR_CANCEL => Some(LenRule::Exact(4)),
        ONFT_FLOW_MONITOR_PAUSED | ONFT_FLOW_MONITOR_RESUMED => Some(LenRule::Exact(0)),
        ONFT_ROLE_STATUS => Some(LenRule::Multiple(16, 8)),
        ONFT_BUNDLE_CONTROL => Some(LenRule::Multiple(8, 8)),
        ONFT_BUNDLE_ADD_MESSAGE => Some(LenRule::AtLeast(8)),
        ONFT_REQUESTFORWARD => Some(LenRule::Multiple(8, 8)),
        _ => None,
    }
}

/// The reference's length rule for a standard message's body.
fn std_rule(v: Version, t: OfpType) -> LenRule {
    use LenRule::*;
    use Version::*;
    match t {
        OfpType::Hello | OfpType::EchoRequest | OfpType::EchoReply => AtLeast(0),
        OfpType::Error => AtLeast(4),
        OfpType::Vendor => AtLeast(8),
        OfpType::FeaturesRequest
        | OfpType::GetConfigRequest
        | OfpType::BarrierRequest
        | OfpType::BarrierReply
        | OfpType::GetAsyncRequest => Exact(0),
        OfpType::FeaturesReply => match v {
            Of10 => Multiple(24, 48),
            Of11 | Of12 => Multiple(24, 64),
            _ => Exact(24),
        },
        OfpType::GetConfigReply | OfpType::SetConfig => Exact(4),
        OfpType::PacketIn => match v {
            Of10 => AtLeast(10),
            Of12 => AtLeast(8),
            _ => AtLeast(16),
        },
        OfpType::FlowRemoved => match v {
            Of10 => Exact(80),
            Of15 => Multiple(16, 8),
            _ => Multiple(40, 8),
        },
        OfpType::PortStatus => match v {
            Of10 => Exact(56),
            Of11 | Of12 | Of13 => Exact(72),
            _ => Multiple(48, 8),
        },
        OfpType::PacketOut => match v {
            Of10 | Of15 => AtLeast(8),
            _ => AtLeast(16),
        },
        OfpType::FlowMod => match v {
            Of10 => Multiple(64, 8),
            _ => Multiple(40, 8),
        },
        OfpType::GroupMod => match v {
            Of15 => Multiple(16, 8),
            _ => Multiple(8, 8),
        },
        OfpType::PortMod => match v {
            Of10 => Exact(24),
            Of11 | Of12 | Of13 => Exact(32),
            _ => Multiple(24, 8),
        },
        OfpType::TableMod => match v {
            Of14 | Of15 => Multiple(8, 8),
            _ => Exact(8),
        },
        OfpType::MultipartRequest | OfpType::MultipartReply => match v {
            Of10 => AtLeast(4),
            _ => AtLeast(8),
        },
        OfpType::QueueGetConfigRequest => match v {
            Of10 => Exact(4),
            _ => Exact(8),
        },
        OfpType::QueueGetConfigReply => Multiple(8, 8),
        OfpType::RoleRequest | OfpType::RoleReply => Exact(16),
        OfpType::GetAsyncReply | OfpType::SetAsync => match v {
            Of13 => Exact(24),
            _ => Multiple(0, 8),
        },
        OfpType::MeterMod => Multiple(8, 8),
        OfpType::RoleStatus => Multiple(16, 8),
        OfpType::TableStatus | OfpType::RequestForward | OfpType::BundleControl => Multiple(8, 8),
        OfpType::BundleAddMessage => AtLeast(8),
        OfpType::ControllerStatus => AtLeast(0),
    }
}

/// How long a body may be: exactly n bytes, at least n, or n plus a
/// multiple of m.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LenRule {
    Exact(usize),
    AtLeast(usize),
    Multiple(usize, usize),
}

impl LenRule {
    pub fn check(self, len: usize) -> Result<(), OfpError> {
        let ok = match self {
            LenRule::Exact(n) => len == n,
            LenRule::AtLeast(n) => len >= n,
            LenRule::Multiple(n, m) => len >= n && (len - n).is_multiple_of(m),
        };
        if ok {
            Ok(())
        } else {
            Err(OfpError::BrcBadLen)
        }
    }
}

/// Identifies the message in `msg` (a whole message of version `v`):
/// returns what it is and the offset of its body (after the ofp_header and,
/// for vendor messages, the vendor id and subtype). Errors are the
/// reference's: unknown type, vendor or subtype, or a body too short for
/// its fixed part.
pub fn identify(v: Version, msg: &[u8]) -> Result<(Raw, usize), OfpError> {
    let result = identify_quietly(v, msg);
    if let Err(e) = &result {
        warn_unidentified(v, msg, *e);
    }
    result
}

/// [`identify`] without reporting anything.
fn identify_quietly(v: Version, msg: &[u8]) -> Result<(Raw, usize), OfpError> {
    let t = *msg.get(1).ok_or(OfpError::BrcBadLen)?;
    let ty = OfpType::from_wire(v, t).ok_or(OfpError::BrcBadType)?;
    let body = msg.get(OFP_HEADER_LEN..).unwrap_or_default();
    if matches!(ty, OfpType::MultipartRequest | OfpType::MultipartReply) {
        let request = ty == OfpType::MultipartRequest;
        let mut r = Reader::new(body);
        let (kind, flags) = multipart::decode_mp_header(v, &mut r)?;
        mp_rule(v, kind, request).check(r.remaining())?;
        let raw = Raw::Mp {
            request,
            kind,
            flags,
        };
        return Ok((raw, OFP_HEADER_LEN + r.offset()));
    }
    if ty != OfpType::Vendor {
        std_rule(v, ty).check(body.len())?;
        return Ok((Raw::Std(ty), OFP_HEADER_LEN));
    }
    let mut r = Reader::new(body);
    let vendor = r.be32()?;
    let subtype = r.be32()?;
    let (raw, rule) = match vendor {
        NX_VENDOR_ID => (
            Raw::Nx(subtype),
            nx_rule(v, subtype).ok_or(OfpError::BrcBadExpType)?,
        ),
        ONF_VENDOR_ID => (
            Raw::Onf(subtype),
            onf_rule(v, subtype).ok_or(OfpError::BrcBadExpType)?,
        ),
        _ => return Err(OfpError::BrcBadExperimenter),
    };
    rule.check(r.remaining())?;
    Ok((raw, NX_HEADER_LEN))
}

/// `%#x` as the reference prints vendor ids: "0" for zero, else "0x2320".
fn hex_alt(n: u32) -> String {
    if n == 0 {
        "0".into()
    } else {
        format!("{n:#x}")
    }
}

/// What the reference logs (`ofp_msgs|WARN|...`) when it cannot identify a
/// message: an unknown type, statistics kind, vendor or subtype, or a length
/// its rule for the message refuses.
fn warn_unidentified(v: Version, msg: &[u8], e: OfpError) {
    let t = msg.get(1).copied().unwrap_or(0);
    let be32 = |at: usize| -> Option<u32> {
        let b = msg.get(at..at + 4)?;
        Some(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    };
    let be16 = |at: usize| -> Option<u16> {
        let b = msg.get(at..at + 2)?;
        Some(u16::from_be_bytes([b[0], b[1]]))
    };
    let ty = OfpType::from_wire(v, t);
    let base = format!("unknown OpenFlow message (version {}, type {t}", v.wire());
    let mp = matches!(
        ty,
        Some(OfpType::MultipartRequest | OfpType::MultipartReply)
    );
    // Where the vendor id and subtype sit, and what precedes them in the text.
    let (prefix, vendor_at) = if mp {
        let stat = be16(OFP_HEADER_LEN).unwrap_or(0);
        let at = if v == Version::Of10 { 12 } else { 16 };
        (format!("{base}, stat {stat}"), at)
    } else {
        (base, OFP_HEADER_LEN)
    };
    let text = match e {
        OfpError::BrcBadType => format!("{prefix})"),
        OfpError::BrcBadMultipart => format!("{prefix})"),
        OfpError::BrcBadExperimenter => {
            let vendor = be32(vendor_at).unwrap_or(0);
            format!("OpenFlow message has unknown vendor {}", hex_alt(vendor))
        }
        OfpError::BrcBadExpType => {
            let vendor = be32(vendor_at).unwrap_or(0);
            let subtype = be32(vendor_at + 4).unwrap_or(0);
            format!("{prefix}, vendor {}, subtype {subtype})", hex_alt(vendor))
        }
        OfpError::BrcBadLen => {
            let Some(rule_and_at) = length_rule(v, msg) else {
                return;
            };
            let (rule, at) = rule_and_at;
            let Some(name) = super::print::message_name(msg) else {
                return;
            };
            let expected = match rule {
                LenRule::Exact(n) => format!("expected length {}", at + n),
                LenRule::AtLeast(n) => format!("expected length at least {} bytes", at + n),
                LenRule::Multiple(n, m) => format!(
                    "must be exactly {} bytes or longer by an integer multiple of {m} bytes",
                    at + n
                ),
            };
            format!(
                "received {name} with incorrect length {} ({expected})",
                msg.len()
            )
        }
        _ => return,
    };
    crate::warn::warn("ofp_msgs", || text);
}

/// The length rule of an identifiable message and where its body starts
/// (None when the message is not even identifiable that far).
fn length_rule(v: Version, msg: &[u8]) -> Option<(LenRule, usize)> {
    let ty = OfpType::from_wire(v, *msg.get(1)?)?;
    let body = msg.get(OFP_HEADER_LEN..).unwrap_or_default();
    if matches!(ty, OfpType::MultipartRequest | OfpType::MultipartReply) {
        let mut r = Reader::new(body);
        let (kind, _) = multipart::decode_mp_header(v, &mut r).ok()?;
        let request = ty == OfpType::MultipartRequest;
        return Some((mp_rule(v, kind, request), OFP_HEADER_LEN + r.offset()));
    }
    if ty != OfpType::Vendor {
        return Some((std_rule(v, ty), OFP_HEADER_LEN));
    }
    let mut r = Reader::new(body);
    let vendor = r.be32().ok()?;
    let subtype = r.be32().ok()?;
    let rule = match vendor {
        NX_VENDOR_ID => nx_rule(v, subtype)?,
        ONF_VENDOR_ID => onf_rule(v, subtype)?,
        _ => return None,
    };
    Some((rule, NX_HEADER_LEN))
}

/// Whether a message may be added to a bundle (OFPBFC_MSG_UNSUP if not).
pub fn is_bundlable(raw: Raw) -> bool {
    matches!(
        raw,
        Raw::Std(OfpType::FlowMod | OfpType::GroupMod | OfpType::PortMod | OfpType::PacketOut)
            | Raw::Nx(NXT_FLOW_MOD | NXT_GROUP_MOD)
    )
}

/// The reference's length rule for a multipart body (after the multipart
/// header), per kind, direction and version.
fn mp_rule(v: Version, kind: MpKind, request: bool) -> LenRule {
    use LenRule::*;
    use MpKind as K;
    use Version::*;
    if request {
        return match kind {
            K::Flow | K::Aggregate if v == Of10 => Exact(44),
            K::Flow | K::Aggregate => Multiple(32, 8),
            K::NxFlow | K::NxAggregate => Multiple(8, 8),
            K::PortStats | K::Queue | K::Group | K::Meter | K::MeterConfig | K::QueueDesc => {
                Exact(8)
            }
            K::GroupDesc if v == Of10 || v == Of15 => Exact(8),
            K::PortDesc if v == Of15 => Exact(8),
            K::TableFeatures | K::FlowMonitor | K::NxFlowMonitor => Multiple(0, 8),
            _ => Exact(0),
        };
    }
    match kind {
        K::Desc => Exact(1056),
        K::Flow | K::NxFlow => AtLeast(0),
        K::Aggregate if v == Of15 => AtLeast(0),
        K::Aggregate | K::NxAggregate => Exact(24),
        K::Table => match v {
            Of10 => Multiple(0, 64),
            Of11 => Multiple(0, 88),
            Of12 => Multiple(0, 128),
            _ => Multiple(0, 24),
        },
        K::PortStats => match v {
            Of10 | Of11 | Of12 => Multiple(0, 104),
            Of13 => Multiple(0, 112),
            _ => Multiple(0, 8),
        },
        K::Queue => match v {
            Of10 | Of11 | Of12 => Multiple(0, 32),
            Of13 => Multiple(0, 40),
            _ => Multiple(0, 8),
        },
        K::GroupFeatures => Exact(40),
        K::MeterFeatures => Exact(16),
        K::TableFeatures => Multiple(64, 8),
        K::PortDesc => match v {
            Of10 => Multiple(0, 48),
            Of11 | Of12 | Of13 => Multiple(0, 64),
            _ => Multiple(0, 8),
        },
        K::TableDesc => Multiple(8, 8),
        K::IpfixBridge => Exact(88),
        K::IpfixFlow => Multiple(0, 88),
        _ => Multiple(0, 8),
    }
}

/// The name ofp-print gives a vendor message ("NXT_ROLE_REQUEST").
pub fn vendor_name(raw: Raw) -> Option<&'static str> {
    Some(match raw {
        Raw::Std(_) | Raw::Mp { .. } => return None,
        Raw::Nx(st) => match st {
            NXT_ROLE_REQUEST => "NXT_ROLE_REQUEST",
            NXT_ROLE_REPLY => "NXT_ROLE_REPLY",
            NXT_SET_FLOW_FORMAT => "NXT_SET_FLOW_FORMAT",
            NXT_FLOW_MOD => "NXT_FLOW_MOD",
            NXT_FLOW_REMOVED => "NXT_FLOW_REMOVED",
            NXT_FLOW_MOD_TABLE_ID => "NXT_FLOW_MOD_TABLE_ID",
            NXT_SET_PACKET_IN_FORMAT => "NXT_SET_PACKET_IN_FORMAT",
            NXT_PACKET_IN => "NXT_PACKET_IN",
            NXT_FLOW_AGE => "NXT_FLOW_AGE",
            NXT_SET_ASYNC_CONFIG => "NXT_SET_ASYNC_CONFIG",
            NXT_SET_CONTROLLER_ID => "NXT_SET_CONTROLLER_ID",
            NXT_FLOW_MONITOR_CANCEL => "NXT_FLOW_MONITOR_CANCEL",
            NXT_FLOW_MONITOR_PAUSED => "NXT_FLOW_MONITOR_PAUSED",
            NXT_FLOW_MONITOR_RESUMED => "NXT_FLOW_MONITOR_RESUMED",
            NXT_TLV_TABLE_MOD => "NXT_TLV_TABLE_MOD",
            NXT_TLV_TABLE_REQUEST => "NXT_TLV_TABLE_REQUEST",
            NXT_TLV_TABLE_REPLY => "NXT_TLV_TABLE_REPLY",
            NXT_SET_ASYNC_CONFIG2 => "NXT_SET_ASYNC_CONFIG2",
            NXT_RESUME => "NXT_RESUME",
            NXT_CT_FLUSH_ZONE => "NXT_CT_FLUSH_ZONE",
            NXT_PACKET_IN2 => "NXT_PACKET_IN2",
            NXT_GROUP_MOD => "NXT_GROUP_MOD",
            NXT_CT_FLUSH => "NXT_CT_FLUSH",
            _ => return None,
        },
        Raw::Onf(st) => match st {
            ONFT_FLOW_MONITOR_CANCEL => "ONFT_FLOW_MONITOR_CANCEL",
            ONFT_FLOW_MONITOR_PAUSED => "ONFT_FLOW_MONITOR_PAUSED",
            ONFT_FLOW_MONITOR_RESUMED => "ONFT_FLOW_MONITOR_RESUMED",
            ONFT_ROLE_STATUS => "ONFT_ROLE_STATUS",
            ONFT_REQUESTFORWARD => "ONFT_REQUESTFORWARD",
            ONFT_BUNDLE_CONTROL => "ONFT_BUNDLE_CONTROL",
            ONFT_BUNDLE_ADD_MESSAGE => "ONFT_BUNDLE_ADD_MESSAGE",
            _ => return None,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbering() {
        assert_eq!(OfpType::PortMod.wire(Version::Of10), Some(15));
        assert_eq!(OfpType::PortMod.wire(Version::Of13), Some(16));
        assert_eq!(OfpType::TableMod.wire(Version::Of10), None);
        assert_eq!(OfpType::MeterMod.wire(Version::Of12), None);
        assert_eq!(OfpType::MeterMod.wire(Version::Of13), Some(29));
        assert_eq!(OfpType::QueueGetConfigRequest.wire(Version::Of14), None);
        assert_eq!(
            OfpType::from_wire(Version::Of15, 34),
            Some(OfpType::BundleAddMessage)
        );
        assert_eq!(OfpType::from_wire(Version::Of15, 35), None);
        for v in Version::ALL {
            for t in 0..=255u8 {
                if let Some(ty) = OfpType::from_wire(v, t) {
                    assert_eq!(ty.wire(v), Some(t));
                }
            }
        }
    }
}
