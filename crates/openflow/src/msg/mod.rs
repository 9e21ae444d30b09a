//! OpenFlow messages: the header, the [`Message`] enum over every body type,
//! whole-message [`decode`] / [`encode`], and [`format`], which prints a
//! message exactly as `ovs-ofctl ofp-print HEX [VERBOSITY]` does.
//!
//! Conventions for body modules (ours and the other helpers'):
//! - `decode(v, .., body: &mut Reader) -> Result<Self, OfpError>` gets the
//!   bytes after the header (after the vendor header for Nicira messages);
//! - encoders write the whole message: [`start`] / [`start_nx`], the body,
//!   then [`finish`] to patch the length;
//! - `format(&self, out: &mut String, ..)` appends what ofp-print prints after
//!   the "NAME (OF1.x) (xid=0x..):" line's colon, usually " text" or
//!   "\n line\n..."; [`format`] adds the final newline if missing.

pub mod async_config;
pub mod bundle;
pub mod config;
pub mod ct_flush;
pub mod error_msg;
pub mod features;
pub mod flow_mod;
pub mod flow_removed;
pub mod group;
pub mod hello;
pub mod hexdump;
pub mod meter;
pub mod monitor;
pub mod multipart;
pub mod nx;
pub mod packet;
pub mod port_desc;
pub mod port_mod;
pub mod port_status;
mod print;
mod prop;
pub mod raw;
pub mod requestforward;
pub mod role;
pub mod table_features;
pub mod table_mod;
pub mod table_status;
pub mod tlv;

use crate::buf::{Put, Reader};
use crate::error::OfpError;
use crate::protocol::Protocols;
use crate::version::Version;

pub use print::{format, format_with};
use raw::Raw;
pub use raw::{OfpType, NX_HEADER_LEN, NX_VENDOR_ID, OFP_HEADER_LEN, ONF_VENDOR_ID};

/// `ofp_header`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header {
    pub version: Version,
    pub msg_type: u8,
    pub length: u16,
    pub xid: u32,
}

/// Decodes the 8-byte header at the start of `buf` (which may hold more or
/// fewer bytes than the header's length says: stream readers use this to
/// learn how much to read).
pub fn decode_header(buf: &[u8]) -> Result<Header, OfpError> {
    let mut r = Reader::new(buf);
    let version = r.u8()?;
    let msg_type = r.u8()?;
    let length = r.be16()?;
    let xid = r.be32()?;
    let version = Version::from_wire(version).ok_or(OfpError::BrcBadVersion)?;
    if usize::from(length) < OFP_HEADER_LEN {
        return Err(OfpError::BrcBadLen);
    }
    Ok(Header {
        version,
        msg_type,
        length,
        xid,
    })
}

/// Starts a message: appends a header with a zero length and returns its
/// offset, for [`finish`].
pub fn start(out: &mut Vec<u8>, v: Version, msg_type: u8, xid: u32) -> usize {
    let at = out.len();
    out.put_u8(v.wire());
    out.put_u8(msg_type);
    out.put_be16(0);
    out.put_be32(xid);
    at
}

/// Starts a message of type `t`. Callers make sure `v` has the type; if it
/// does not, the vendor type byte is written, which decodes as an error.
pub fn start_type(out: &mut Vec<u8>, v: Version, t: OfpType, xid: u32) -> usize {
    let byte = t.wire(v).or(OfpType::Vendor.wire(v)).unwrap_or(4);
    start(out, v, byte, xid)
}

/// Starts a Nicira extension message: OFPT_VENDOR / OFPT_EXPERIMENTER,
/// NX_VENDOR_ID, then `subtype`.
pub fn start_nx(out: &mut Vec<u8>, v: Version, subtype: u32, xid: u32) -> usize {
    start_vendor(out, v, NX_VENDOR_ID, subtype, xid)
}

/// Starts a vendor (experimenter) message of `vendor` and `subtype`.
pub fn start_vendor(out: &mut Vec<u8>, v: Version, vendor: u32, subtype: u32, xid: u32) -> usize {
    let at = start(out, v, 4, xid);
    out.put_be32(vendor);
    out.put_be32(subtype);
    at
}

/// Patches the length of the message started at `start`. Messages cannot
/// exceed 65535 bytes; callers keep within that (an over-long message gets
/// length 65535 and fails to decode rather than aliasing a shorter one).
pub fn finish(out: &mut Vec<u8>, start: usize) {
    let len = out.len().saturating_sub(start);
    out.patch_be16(start + 2, u16::try_from(len).unwrap_or(u16::MAX));
}

/// Every message this library decodes and encodes.
///
/// Where a message exists both as a standard and as a Nicira/ONF message,
/// the standard variant is encoded in the form the version has (e.g.
/// `BundleControl` is ONFT_BUNDLE_CONTROL in OF1.3); Nicira-only variants
/// (`Nx*`) always encode as Nicira messages.
#[derive(Clone, Debug, PartialEq)]
pub enum Message {
    Hello(hello::Hello),
    Error(error_msg::ErrorMsg),
    EchoRequest(Vec<u8>),
    EchoReply(Vec<u8>),
    FeaturesRequest,
    FeaturesReply(features::FeaturesReply),
    GetConfigRequest,
    GetConfigReply(config::SwitchConfig),
    SetConfig(config::SwitchConfig),
    PortStatus(port_status::PortStatus),
    PortMod(port_mod::PortMod),
    /// OF1.1+.
    TableMod(table_mod::TableMod),
    BarrierRequest,
    BarrierReply,
    /// OF1.2+ (earlier versions encode NXT_ROLE_REQUEST).
    RoleRequest(role::RoleMsg),
    RoleReply(role::RoleMsg),
    /// OF1.4+.
    RoleStatus(role::RoleStatus),
    NxRoleRequest(role::Role),
    NxRoleReply(role::Role),
    /// OF1.3+.
    GetAsyncRequest,
    GetAsyncReply(async_config::AsyncConfig),
    /// OF1.3+ (earlier versions encode NXT_SET_ASYNC_CONFIG).
    SetAsync(async_config::AsyncConfig),
    NxSetAsyncConfig(async_config::AsyncConfig),
    /// OF1.0-1.3: the OF1.4 property form in a Nicira message.
    NxSetAsyncConfig2(async_config::AsyncConfig),
    /// OF1.4+, and OF1.3 via the ONF extension.
    BundleControl(bundle::BundleControl),
    BundleAdd(bundle::BundleAdd),
    /// NXT_SET_FLOW_FORMAT (OF1.0): nx::NXFF_*.
    NxSetFlowFormat(u32),
    NxFlowModTableId(bool),
    /// NXT_SET_PACKET_IN_FORMAT: nx::NXPIF_*.
    NxSetPacketInFormat(u32),
    NxSetControllerId(u16),
    NxCtFlushZone(u16),
    NxTlvTableMod(tlv::TlvTableMod),
    NxTlvTableRequest,
    NxTlvTableReply(tlv::TlvTableReply),
    /// OFPT_FLOW_MOD, or NXT_FLOW_MOD for the OF1.0 NXM protocols.
    FlowMod(flow_mod::FlowMod),
    /// OFPT_FLOW_REMOVED, or NXT_FLOW_REMOVED for the OF1.0 NXM protocols.
    FlowRemoved(flow_removed::FlowRemoved),
    /// OFPT_GROUP_MOD (OF1.1+), NXT_GROUP_MOD (OF1.0).
    GroupMod(group::GroupMod),
    /// OF1.3+.
    MeterMod(meter::MeterMod),
    MultipartRequest(multipart::MultipartRequest),
    MultipartReply(multipart::MultipartReply),
    /// NXT_FLOW_MONITOR_CANCEL (OF1.0-1.2), ONFT_FLOW_MONITOR_CANCEL (OF1.3).
    FlowMonitorCancel(monitor::FlowMonitorCancel),
    FlowMonitorPaused,
    FlowMonitorResumed,
    NxFlowAge,
    /// OFPT_PACKET_IN of the version.
    PacketIn(packet::PacketIn),
    NxPacketIn(packet::PacketIn),
    NxPacketIn2(packet::PacketIn),
    /// NXT_RESUME: a packet-in's continuation handed back (NXT_PACKET_IN2 layout).
    NxResume(packet::PacketIn),
    PacketOut(packet::PacketOut),
    /// OF1.0-1.3.
    QueueGetConfigRequest(multipart::queue::QueueGetConfigRequest),
    QueueGetConfigReply(multipart::queue::QueueGetConfigReply),
    /// OF1.4+.
    TableStatus(table_status::TableStatus),
    /// OF1.4+, and OF1.3 via the ONF extension.
    RequestForward(requestforward::RequestForward),
    /// NXT_CT_FLUSH.
    NxCtFlush(ct_flush::CtFlush),
}

/// Where in decoding a failure happened: the reference prints errors in the
/// headers (unknown type, bad length for the type) without the message
/// name, and errors in the body after it.
pub(crate) struct Failure {
    pub(crate) error: OfpError,
    pub(crate) in_body: bool,
}

impl From<OfpError> for Failure {
    fn from(error: OfpError) -> Failure {
        Failure {
            error,
            in_body: false,
        }
    }
}

fn body_err(error: OfpError) -> Failure {
    Failure {
        error,
        in_body: true,
    }
}

impl Message {
    /// How this message travels in version `v`.
    fn raw(&self, v: Version) -> Raw {
        use raw::*;
        let std = Raw::Std;
        match self {
            Message::Hello(_) => std(OfpType::Hello),
            Message::Error(_) => std(OfpType::Error),
            Message::EchoRequest(_) => std(OfpType::EchoRequest),
            Message::EchoReply(_) => std(OfpType::EchoReply),
            Message::FeaturesRequest => std(OfpType::FeaturesRequest),
            Message::FeaturesReply(_) => std(OfpType::FeaturesReply),
            Message::GetConfigRequest => std(OfpType::GetConfigRequest),
            Message::GetConfigReply(_) => std(OfpType::GetConfigReply),
            Message::SetConfig(_) => std(OfpType::SetConfig),
            Message::PortStatus(_) => std(OfpType::PortStatus),
            Message::PortMod(_) => std(OfpType::PortMod),
            Message::TableMod(_) => std(OfpType::TableMod),
            Message::BarrierRequest => std(OfpType::BarrierRequest),
            Message::BarrierReply => std(OfpType::BarrierReply),
            Message::RoleRequest(_) if v < Version::Of12 => Raw::Nx(NXT_ROLE_REQUEST),
            Message::RoleRequest(_) => std(OfpType::RoleRequest),
            Message::RoleReply(_) if v < Version::Of12 => Raw::Nx(NXT_ROLE_REPLY),
            Message::RoleReply(_) => std(OfpType::RoleReply),
            Message::RoleStatus(_) if v < Version::Of14 => Raw::Onf(ONFT_ROLE_STATUS),
            Message::RoleStatus(_) => std(OfpType::RoleStatus),
            Message::NxRoleRequest(_) => Raw::Nx(NXT_ROLE_REQUEST),
            Message::NxRoleReply(_) => Raw::Nx(NXT_ROLE_REPLY),
            Message::GetAsyncRequest => std(OfpType::GetAsyncRequest),
            Message::GetAsyncReply(_) => std(OfpType::GetAsyncReply),
            Message::SetAsync(_) if v < Version::Of13 => Raw::Nx(NXT_SET_ASYNC_CONFIG),
            Message::SetAsync(_) => std(OfpType::SetAsync),
            Message::NxSetAsyncConfig(_) => Raw::Nx(NXT_SET_ASYNC_CONFIG),
            Message::NxSetAsyncConfig2(_) => Raw::Nx(NXT_SET_ASYNC_CONFIG2),
            Message::BundleControl(_) if v < Version::Of14 => Raw::Onf(ONFT_BUNDLE_CONTROL),
            Message::BundleControl(_) => std(OfpType::BundleControl),
            Message::BundleAdd(_) if v < Version::Of14 => Raw::Onf(ONFT_BUNDLE_ADD_MESSAGE),
            Message::BundleAdd(_) => std(OfpType::BundleAddMessage),
            Message::NxSetFlowFormat(_) => Raw::Nx(NXT_SET_FLOW_FORMAT),
            Message::NxFlowModTableId(_) => Raw::Nx(NXT_FLOW_MOD_TABLE_ID),
            Message::NxSetPacketInFormat(_) => Raw::Nx(NXT_SET_PACKET_IN_FORMAT),
            Message::NxSetControllerId(_) => Raw::Nx(NXT_SET_CONTROLLER_ID),
            Message::NxCtFlushZone(_) => Raw::Nx(NXT_CT_FLUSH_ZONE),
            Message::NxTlvTableMod(_) => Raw::Nx(NXT_TLV_TABLE_MOD),
            Message::NxTlvTableRequest => Raw::Nx(NXT_TLV_TABLE_REQUEST),
            Message::NxTlvTableReply(_) => Raw::Nx(NXT_TLV_TABLE_REPLY),
            // Encoded whole by their own modules; see `encode`.
            Message::FlowMod(_) => std(OfpType::FlowMod),
            Message::FlowRemoved(_) => std(OfpType::FlowRemoved),
            Message::GroupMod(_) if v == Version::Of10 => Raw::Nx(NXT_GROUP_MOD),
            Message::GroupMod(_) => std(OfpType::GroupMod),
            Message::MeterMod(_) => std(OfpType::MeterMod),
            Message::MultipartRequest(r) => Raw::Mp {
                request: true,
                kind: r.mp_kind(),
                flags: r.flags,
            },
            Message::MultipartReply(r) => Raw::Mp {
                request: false,
                kind: r.mp_kind(),
                flags: r.flags,
            },
            Message::FlowMonitorCancel(_) if v == Version::Of13 => {
                Raw::Onf(ONFT_FLOW_MONITOR_CANCEL)
            }
            Message::FlowMonitorCancel(_) => Raw::Nx(NXT_FLOW_MONITOR_CANCEL),
            Message::FlowMonitorPaused if v == Version::Of13 => Raw::Onf(ONFT_FLOW_MONITOR_PAUSED),
            Message::FlowMonitorPaused => Raw::Nx(NXT_FLOW_MONITOR_PAUSED),
            Message::FlowMonitorResumed if v == Version::Of13 => {
                Raw::Onf(ONFT_FLOW_MONITOR_RESUMED)
            }
            Message::FlowMonitorResumed => Raw::Nx(NXT_FLOW_MONITOR_RESUMED),
            Message::NxFlowAge => Raw::Nx(NXT_FLOW_AGE),
            Message::PacketIn(_) => std(OfpType::PacketIn),
            Message::NxPacketIn(_) => Raw::Nx(NXT_PACKET_IN),
            Message::NxPacketIn2(_) => Raw::Nx(NXT_PACKET_IN2),
            Message::NxResume(_) => Raw::Nx(NXT_RESUME),
            Message::PacketOut(_) => std(OfpType::PacketOut),
            Message::QueueGetConfigRequest(_) => std(OfpType::QueueGetConfigRequest),
            Message::QueueGetConfigReply(_) => std(OfpType::QueueGetConfigReply),
            Message::TableStatus(_) => std(OfpType::TableStatus),
            Message::RequestForward(_) if v < Version::Of14 => Raw::Onf(ONFT_REQUESTFORWARD),
            Message::RequestForward(_) => std(OfpType::RequestForward),
            Message::NxCtFlush(_) => Raw::Nx(NXT_CT_FLUSH),
        }
    }

    /// Appends the body (after the headers [`Message::raw`] implies).
    fn encode_body(&self, v: Version, _protocol: Protocols, out: &mut Vec<u8>) {
        match self {
            Message::Hello(h) => h.encode_body(v, out),
            Message::Error(e) => e.encode_body(v, out),
            Message::EchoRequest(d) | Message::EchoReply(d) => out.extend_from_slice(d),
            Message::FeaturesRequest
            | Message::GetConfigRequest
            | Message::BarrierRequest
            | Message::BarrierReply
            | Message::GetAsyncRequest
            | Message::NxTlvTableRequest => {}
            Message::FeaturesReply(f) => f.encode_body(v, out),
            Message::GetConfigReply(c) | Message::SetConfig(c) => c.encode_body(v, out),
            Message::PortStatus(p) => p.encode_body(v, out),
            Message::PortMod(p) => p.encode_body(v, out),
            Message::TableMod(t) => t.encode_body(v, out),
            Message::RoleRequest(r) | Message::RoleReply(r) => {
                if v < Version::Of12 {
                    role::encode_nx_role(r.role, out);
                } else {
                    r.encode_body(out);
                }
            }
            Message::RoleStatus(r) => r.encode_body(out),
            Message::NxRoleRequest(r) | Message::NxRoleReply(r) => role::encode_nx_role(*r, out),
            Message::GetAsyncReply(a) | Message::SetAsync(a) => {
                if async_config::AsyncConfig::uses_props(v) {
                    a.encode_props(v, out);
                } else {
                    a.encode_fixed(v, out);
                }
            }
            Message::NxSetAsyncConfig(a) => a.encode_fixed(v, out),
            Message::NxSetAsyncConfig2(a) => a.encode_props(v, out),
            Message::BundleControl(b) => b.encode_body(out),
            Message::BundleAdd(b) => b.encode_body(out),
            Message::NxSetFlowFormat(f) | Message::NxSetPacketInFormat(f) => out.put_be32(*f),
            Message::NxFlowModTableId(e) => nx::encode_flow_mod_table_id(*e, out),
            Message::NxSetControllerId(n) | Message::NxCtFlushZone(n) => {
                nx::encode_padded_u16(*n, out)
            }
            Message::NxTlvTableMod(t) => t.encode_body(out),
            Message::NxTlvTableReply(t) => t.encode_body(out),
            // Whole-message encoders, called from `encode`.
            Message::FlowMod(_)
            | Message::FlowRemoved(_)
            | Message::PacketIn(_)
            | Message::NxPacketIn(_)
            | Message::NxPacketIn2(_)
            | Message::NxResume(_)
            | Message::PacketOut(_) => {}
            Message::GroupMod(g) => g.encode(v, out),
            Message::MeterMod(m) => m.encode(out),
            Message::MultipartRequest(r) => {
                multipart::encode_mp_header(v, r.mp_kind(), r.flags, out);
                r.encode(v, out);
            }
            Message::MultipartReply(r) => {
                multipart::encode_mp_header(v, r.mp_kind(), r.flags, out);
                r.encode(v, out);
            }
            Message::FlowMonitorCancel(c) => c.encode(out),
            Message::FlowMonitorPaused | Message::FlowMonitorResumed | Message::NxFlowAge => {}
            Message::QueueGetConfigRequest(q) => q.encode(v, out),
            Message::QueueGetConfigReply(q) => q.encode(v, out),
            Message::TableStatus(t) => t.encode_body(v, out),
            Message::RequestForward(r) => r.encode_body(v, out),
            Message::NxCtFlush(c) => c.encode_body(out),
        }
    }
}

/// Decodes exactly one whole message.
pub fn decode(buf: &[u8]) -> Result<(Header, Message), OfpError> {
    decode_staged(buf).map_err(|f| f.error)
}

pub(crate) fn decode_staged(buf: &[u8]) -> Result<(Header, Message), Failure> {
    let h = decode_header(buf)?;
    if usize::from(h.length) != buf.len() {
        return Err(OfpError::BrcBadLen.into());
    }
    let v = h.version;
    let (raw, body_at) = raw::identify(v, buf)?;
    let mut body = Reader::new(buf.get(body_at..).unwrap_or_default());
    let msg = decode_body(&h, raw, &mut body).map_err(body_err)?;
    Ok((h, msg))
}

/// Decodes the body of an identified message whose length rule held.
fn decode_body(h: &Header, raw: Raw, body: &mut Reader) -> Result<Message, OfpError> {
    use raw::*;
    let v = h.version;
    let msg = match raw {
        Raw::Std(t) => match t {
            OfpType::Hello => Message::Hello(hello::Hello::decode(v.wire(), body)),
            OfpType::Error => Message::Error(error_msg::ErrorMsg::decode(v, body)?),
            OfpType::EchoRequest => Message::EchoRequest(body.take_rest().to_vec()),
            OfpType::EchoReply => Message::EchoReply(body.take_rest().to_vec()),
            OfpType::FeaturesRequest => Message::FeaturesRequest,
            OfpType::FeaturesReply => {
                Message::FeaturesReply(features::FeaturesReply::decode(v, body)?)
            }
            OfpType::GetConfigRequest => Message::GetConfigRequest,
            OfpType::GetConfigReply => {
                Message::GetConfigReply(config::SwitchConfig::decode(v, body, false)?)
            }
            OfpType::SetConfig => Message::SetConfig(config::SwitchConfig::decode(v, body, true)?),
            OfpType::PortStatus => Message::PortStatus(port_status::PortStatus::decode(v, body)?),
            OfpType::PortMod => Message::PortMod(port_mod::PortMod::decode(v, body)?),
            OfpType::TableMod => Message::TableMod(table_mod::TableMod::decode(v, body)?),
            OfpType::BarrierRequest => Message::BarrierRequest,
            OfpType::BarrierReply => Message::BarrierReply,
            OfpType::RoleRequest => Message::RoleRequest(role::RoleMsg::decode(body, true)?),
            OfpType::RoleReply => Message::RoleReply(role::RoleMsg::decode(body, false)?),
            OfpType::RoleStatus => Message::RoleStatus(role::RoleStatus::decode(body)?),
            OfpType::FlowMod => Message::FlowMod(flow_mod::FlowMod::decode(v, body)?),
            OfpType::FlowRemoved => {
                Message::FlowRemoved(flow_removed::FlowRemoved::decode(v, body)?)
            }
            OfpType::GroupMod => Message::GroupMod(group::GroupMod::decode(v, body)?),
            OfpType::MeterMod => Message::MeterMod(meter::MeterMod::decode(body)?),
            OfpType::PacketIn => Message::PacketIn(packet::PacketIn::decode(v, body)?),
            OfpType::PacketOut => Message::PacketOut(packet::PacketOut::decode(v, body)?),
            OfpType::QueueGetConfigRequest => Message::QueueGetConfigRequest(
                multipart::queue::QueueGetConfigRequest::decode(v, body)?,
            ),
            OfpType::QueueGetConfigReply => Message::QueueGetConfigReply(
                multipart::queue::QueueGetConfigReply::decode(v, body)?,
            ),
            OfpType::GetAsyncRequest => Message::GetAsyncRequest,
            OfpType::GetAsyncReply => Message::GetAsyncReply(decode_async(v, body, false)?),
            OfpType::SetAsync => Message::SetAsync(decode_async(v, body, true)?),
            OfpType::BundleControl => Message::BundleControl(bundle::BundleControl::decode(body)?),
            OfpType::BundleAddMessage => Message::BundleAdd(bundle::BundleAdd::decode(h, body)?),
            OfpType::TableStatus => {
                Message::TableStatus(table_status::TableStatus::decode(v, body)?)
            }
            OfpType::RequestForward => {
                Message::RequestForward(requestforward::RequestForward::decode(v, body)?)
            }
            _ => return Err(OfpError::BrcBadType),
        },
        Raw::Nx(st) => match st {
            NXT_ROLE_REQUEST => Message::NxRoleRequest(role::decode_nx_role(body)?),
            NXT_ROLE_REPLY => Message::NxRoleReply(role::decode_nx_role(body)?),
            NXT_SET_ASYNC_CONFIG => {
                Message::NxSetAsyncConfig(async_config::AsyncConfig::decode_fixed(v, body)?)
            }
            NXT_SET_ASYNC_CONFIG2 => {
                Message::NxSetAsyncConfig2(async_config::AsyncConfig::decode_props(v, body, true)?)
            }
            NXT_SET_FLOW_FORMAT => Message::NxSetFlowFormat(nx::decode_u32(body)?),
            NXT_FLOW_MOD_TABLE_ID => Message::NxFlowModTableId(nx::decode_flow_mod_table_id(body)?),
            NXT_SET_PACKET_IN_FORMAT => {
                Message::NxSetPacketInFormat(nx::decode_packet_in_format(body)?)
            }
            NXT_SET_CONTROLLER_ID => Message::NxSetControllerId(nx::decode_padded_u16(body)?),
            NXT_CT_FLUSH_ZONE => Message::NxCtFlushZone(nx::decode_padded_u16(body)?),
            NXT_TLV_TABLE_MOD => Message::NxTlvTableMod(tlv::TlvTableMod::decode(body)?),
            NXT_TLV_TABLE_REQUEST => Message::NxTlvTableRequest,
            NXT_TLV_TABLE_REPLY => Message::NxTlvTableReply(tlv::TlvTableReply::decode(body)?),
            NXT_FLOW_MOD => Message::FlowMod(flow_mod::FlowMod::decode_nx(v, body)?),
            NXT_FLOW_REMOVED => Message::FlowRemoved(flow_removed::FlowRemoved::decode_nx(body)?),
            NXT_GROUP_MOD => Message::GroupMod(group::GroupMod::decode(v, body)?),
            NXT_FLOW_MONITOR_CANCEL => {
                Message::FlowMonitorCancel(monitor::FlowMonitorCancel::decode(body)?)
            }
            NXT_FLOW_MONITOR_PAUSED => Message::FlowMonitorPaused,
            NXT_FLOW_MONITOR_RESUMED => Message::FlowMonitorResumed,
            NXT_FLOW_AGE => Message::NxFlowAge,
            NXT_PACKET_IN => Message::NxPacketIn(packet::PacketIn::decode_nx(body)?),
            NXT_PACKET_IN2 => Message::NxPacketIn2(packet::PacketIn::decode_nx2(v, body)?),
            NXT_RESUME => Message::NxResume(packet::PacketIn::decode_nx2(v, body)?),
            NXT_CT_FLUSH => Message::NxCtFlush(ct_flush::CtFlush::decode(body)?),
            _ => return Err(OfpError::BrcBadExpType),
        },
        Raw::Onf(st) => match st {
            ONFT_BUNDLE_CONTROL => Message::BundleControl(bundle::BundleControl::decode(body)?),
            ONFT_BUNDLE_ADD_MESSAGE => Message::BundleAdd(bundle::BundleAdd::decode(h, body)?),
            ONFT_FLOW_MONITOR_CANCEL => {
                Message::FlowMonitorCancel(monitor::FlowMonitorCancel::decode(body)?)
            }
            ONFT_FLOW_MONITOR_PAUSED => Message::FlowMonitorPaused,
            ONFT_FLOW_MONITOR_RESUMED => Message::FlowMonitorResumed,
            ONFT_ROLE_STATUS => Message::RoleStatus(role::RoleStatus::decode(body)?),
            ONFT_REQUESTFORWARD => {
                Message::RequestForward(requestforward::RequestForward::decode(v, body)?)
            }
            _ => return Err(OfpError::BrcBadExpType),
        },
        Raw::Mp {
            request: true,
            kind,
            flags,
        } => Message::MultipartRequest(multipart::MultipartRequest::decode(v, kind, flags, body)?),
        Raw::Mp { kind, flags, .. } => {
            Message::MultipartReply(multipart::MultipartReply::decode(v, kind, flags, body)?)
        }
    };
    Ok(msg)
}

fn decode_async(
    v: Version,
    body: &mut Reader,
    strict: bool,
) -> Result<async_config::AsyncConfig, OfpError> {
    if async_config::AsyncConfig::uses_props(v) {
        async_config::AsyncConfig::decode_props(v, body, strict)
    } else {
        async_config::AsyncConfig::decode_fixed(v, body)
    }
}

/// Encodes `msg` in `protocol`'s version (and, for OF1.0, its flow format).
/// `protocol` should be a single protocol; for a set the lowest one is used.
pub fn encode(msg: &Message, protocol: Protocols, xid: u32) -> Vec<u8> {
    let protocol = protocol.iter().next().unwrap_or(Protocols::OF10_STD);
    let v = protocol.version().unwrap_or(Version::Of10);
    let mut out = Vec::new();
    match msg {
        Message::FlowMod(fm) => {
            fm.encode(protocol, xid, &mut out);
            return out;
        }
        Message::FlowRemoved(fr) => {
            fr.encode(protocol, xid, &mut out);
            return out;
        }
        Message::PacketIn(p) => {
            p.encode(v, packet::PacketInFormat::Standard, xid, &mut out);
            return out;
        }
        Message::NxPacketIn(p) => {
            p.encode(v, packet::PacketInFormat::Nxt, xid, &mut out);
            return out;
        }
        Message::NxPacketIn2(p) => {
            p.encode(v, packet::PacketInFormat::Nxt2, xid, &mut out);
            return out;
        }
        Message::NxResume(p) => {
            p.encode_resume(v, xid, &mut out);
            return out;
        }
        Message::PacketOut(p) => {
            p.encode(v, xid, &mut out);
            return out;
        }
        _ => {}
    }
    let at = match msg.raw(v) {
        Raw::Std(t) => start_type(&mut out, v, t, xid),
        Raw::Nx(st) => start_nx(&mut out, v, st, xid),
        Raw::Onf(st) => start_vendor(&mut out, v, ONF_VENDOR_ID, st, xid),
        Raw::Mp { request: true, .. } => start_type(&mut out, v, OfpType::MultipartRequest, xid),
        Raw::Mp { .. } => start_type(&mut out, v, OfpType::MultipartReply, xid),
    };
    msg.encode_body(v, protocol, &mut out);
    finish(&mut out, at);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_roundtrip() {
        let mut out = vec![];
        let at = start(&mut out, Version::Of13, 2, 7);
        out.extend_from_slice(b"ab");
        finish(&mut out, at);
        assert_eq!(out, [4, 2, 0, 10, 0, 0, 0, 7, b'a', b'b']);
        let h = decode_header(&out).unwrap();
        assert_eq!(h.length, 10);
        assert_eq!(decode_header(&out[..7]), Err(OfpError::BrcBadLen));
        assert_eq!(
            decode_header(&[9, 0, 0, 8, 0, 0, 0, 0]),
            Err(OfpError::BrcBadVersion)
        );
        let mut nx = vec![];
        let at = start_nx(&mut nx, Version::Of10, 12, 1);
        nx.put_be32(2);
        finish(&mut nx, at);
        assert_eq!(nx.len(), 20);
        assert_eq!(&nx[8..16], &[0, 0, 0x23, 0x20, 0, 0, 0, 12]);
    }

    #[test]
    fn echo_text() {
        let m = encode(
            &Message::EchoRequest(b"ab".to_vec()),
            Protocols::OF10_STD,
            1,
        );
        assert_eq!(
            format(&m, 0),
            "OFPT_ECHO_REQUEST (xid=0x1): 2 bytes of payload\n"
        );
    }
}
