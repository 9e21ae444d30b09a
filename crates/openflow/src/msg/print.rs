//! ofp-print's text for a message: the "NAME (OF1.x) (xid=0x..):" line, the
//! body text of every message kind, and what the reference prints for
//! messages it cannot (fully) decode: length mismatches, decode errors with
//! a hex dump, and versions it does not know.

use std::fmt::Write;

use crate::buf::Reader;
use crate::error::OfpError;
use crate::port::PortMap;
use crate::version::Version;

use super::raw::{self, OfpType, Raw, NX_VENDOR_ID, OFP_HEADER_LEN, ONF_VENDOR_ID};
use super::{decode_staged, features, hello, hexdump, multipart, nx, Message};

/// The name ofp-print gives a standard message type ("OFPT_HELLO").
fn type_name(v: Version, ty: OfpType) -> &'static str {
    match ty {
        OfpType::Hello => "OFPT_HELLO",
        OfpType::Error => "OFPT_ERROR",
        OfpType::EchoRequest => "OFPT_ECHO_REQUEST",
        OfpType::EchoReply => "OFPT_ECHO_REPLY",
        OfpType::Vendor => {
            if v == Version::Of10 {
                "OFPT_VENDOR"
            } else {
                "OFPT_EXPERIMENTER"
            }
        }
        OfpType::FeaturesRequest => "OFPT_FEATURES_REQUEST",
        OfpType::FeaturesReply => "OFPT_FEATURES_REPLY",
        OfpType::GetConfigRequest => "OFPT_GET_CONFIG_REQUEST",
        OfpType::GetConfigReply => "OFPT_GET_CONFIG_REPLY",
        OfpType::SetConfig => "OFPT_SET_CONFIG",
        OfpType::PacketIn => "OFPT_PACKET_IN",
        OfpType::FlowRemoved => "OFPT_FLOW_REMOVED",
        OfpType::PortStatus => "OFPT_PORT_STATUS",
        OfpType::PacketOut => "OFPT_PACKET_OUT",
        OfpType::FlowMod => "OFPT_FLOW_MOD",
        OfpType::GroupMod => "OFPT_GROUP_MOD",
        OfpType::PortMod => "OFPT_PORT_MOD",
        OfpType::TableMod => "OFPT_TABLE_MOD",
        OfpType::MultipartRequest => "OFPT_MULTIPART_REQUEST",
        OfpType::MultipartReply => "OFPT_MULTIPART_REPLY",
        OfpType::BarrierRequest => "OFPT_BARRIER_REQUEST",
        OfpType::BarrierReply => "OFPT_BARRIER_REPLY",
        OfpType::QueueGetConfigRequest => "OFPT_QUEUE_GET_CONFIG_REQUEST",
        OfpType::QueueGetConfigReply => "OFPT_QUEUE_GET_CONFIG_REPLY",
        OfpType::RoleRequest => "OFPT_ROLE_REQUEST",
        OfpType::RoleReply => "OFPT_ROLE_REPLY",
        OfpType::GetAsyncRequest => "OFPT_GET_ASYNC_REQUEST",
        OfpType::GetAsyncReply => "OFPT_GET_ASYNC_REPLY",
        OfpType::SetAsync => "OFPT_SET_ASYNC",
        OfpType::MeterMod => "OFPT_METER_MOD",
        OfpType::RoleStatus => "OFPT_ROLE_STATUS",
        OfpType::TableStatus => "OFPT_TABLE_STATUS",
        OfpType::RequestForward => "OFPT_REQUESTFORWARD",
        OfpType::BundleControl => "OFPT_BUNDLE_CONTROL",
        OfpType::BundleAddMessage => "OFPT_BUNDLE_ADD_MESSAGE",
        OfpType::ControllerStatus => "OFPT_CONTROLLER_STATUS",
    }
}

/// The message's name as ofp-print's first line shows it, from the headers
/// (as far as they are present); None if they do not identify a message.
pub(crate) fn message_name(buf: &[u8]) -> Option<String> {
    let v = Version::from_wire(*buf.first()?)?;
    let ty = OfpType::from_wire(v, *buf.get(1)?)?;
    if matches!(ty, OfpType::MultipartRequest | OfpType::MultipartReply) {
        let mut r = Reader::new(buf.get(OFP_HEADER_LEN..)?);
        let (kind, _) = multipart::decode_mp_header(v, &mut r).ok()?;
        let dir = if ty == OfpType::MultipartRequest {
            "request"
        } else {
            "reply"
        };
        return Some(format!("{} {dir}", kind.name(v)));
    }
    if ty != OfpType::Vendor {
        return Some(type_name(v, ty).to_string());
    }
    let mut r = Reader::new(buf.get(OFP_HEADER_LEN..)?);
    let vendor = r.be32().ok()?;
    let subtype = r.be32().ok()?;
    let raw = match vendor {
        NX_VENDOR_ID => Raw::Nx(subtype),
        ONF_VENDOR_ID => Raw::Onf(subtype),
        _ => return None,
    };
    raw::vendor_name(raw).map(str::to_string)
}

/// The types the reference names in any version (from 1): hello, error
/// and echo keep their meaning in versions it does not know.
fn unknown_version_name(wire_version: u8, t: u8) -> Option<&'static str> {
    if wire_version == 0 || Version::from_wire(wire_version).is_some() {
        return None;
    }
    Some(match t {
        0 => "OFPT_HELLO",
        1 => "OFPT_ERROR",
        2 => "OFPT_ECHO_REQUEST",
        3 => "OFPT_ECHO_REPLY",
        _ => return None,
    })
}

/// The reference's warning for a truncated message whose type it does not
/// know at all. (Multipart and vendor types need their body to be judged,
/// which a truncated message may lack; they pass silently.)
fn warn_unknown_type(wire_version: u8, t: u8) {
    let unknown = match Version::from_wire(wire_version) {
        Some(v) => OfpType::from_wire(v, t).is_none(),
        // Version 0 names nothing; later unknown versions name 0-3 (see
        // `unknown_version_name`).
        None => !matches!(t, 4 | 18 | 19),
    };
    if unknown {
        crate::warn::warn("ofp_msgs", || {
            format!("unknown OpenFlow message (version {wire_version}, type {t})")
        });
    }
}

/// Appends "NAME (OF1.3) (xid=0x5):" for a message of wire version `wire_version`.
fn write_header_line(out: &mut String, name: &str, wire_version: u8, xid: u32) {
    out.push_str(name);
    match Version::from_wire(wire_version) {
        Some(Version::Of10) => {}
        Some(v) => {
            let _ = write!(out, " ({})", v.short_name());
        }
        None => {
            let _ = write!(out, " (OF 0x{wire_version:02x})");
        }
    }
    let _ = write!(out, " (xid=0x{xid:x}):");
}

/// Prints `buf` (one message) exactly as `ovs-ofctl ofp-print HEX VERBOSITY`.
pub fn format(buf: &[u8], verbosity: u32) -> String {
    format_with(buf, verbosity, None)
}

/// [`format`] with port names substituted where the reference does
/// (`ovs-ofctl --names`).
pub fn format_with(buf: &[u8], verbosity: u32, ports: Option<&PortMap>) -> String {
    let mut out = String::new();
    if buf.is_empty() {
        out.push_str("OpenFlow message is empty\n");
        return out;
    }
    if buf.len() < OFP_HEADER_LEN {
        let _ = writeln!(out, "OpenFlow packet too short (only {} bytes):", buf.len());
        hexdump::hex_dump(&mut out, buf);
        return out;
    }
    let length = usize::from(u16::from_be_bytes([buf[2], buf[3]]));
    let xid = u32::from_be_bytes([buf[4], buf[5], buf[6], buf[7]]);
    if length > buf.len() {
        if let Some(name) = message_name(buf) {
            write_header_line(&mut out, &name, buf[0], xid);
            out.push('\n');
        } else if let Some(name) = unknown_version_name(buf[0], buf[1]) {
            write_header_line(&mut out, name, buf[0], xid);
            out.push('\n');
        } else {
            warn_unknown_type(buf[0], buf[1]);
        }
        let _ = writeln!(
            out,
            "(***truncated to {} bytes from {length}***)",
            buf.len()
        );
        hexdump::hex_dump(&mut out, buf);
        return out;
    }
    if length < buf.len() {
        let _ = writeln!(out, "(***only uses {length} bytes out of {}***)", buf.len());
        hexdump::hex_dump(&mut out, buf);
        return out;
    }
    if Version::from_wire(buf[0]).is_none() {
        format_unknown_version(&mut out, buf, xid, verbosity);
        return out;
    }
    match decode_staged(buf) {
        Ok((h, msg)) => {
            if let Some(name) = message_name(buf) {
                write_header_line(&mut out, &name, h.version.wire(), h.xid);
            }
            format_body(&mut out, h.version, &msg, buf, verbosity, ports);
            // The reference drops one blank at the very end of a message's
            // text (a printer may leave a separator there), and only there.
            if out.ends_with(' ') {
                out.pop();
            }
            if !out.ends_with('\n') {
                out.push('\n');
            }
            if verbosity >= 5 {
                hexdump::hex_dump(&mut out, buf);
            }
        }
        Err(f) => {
            if f.in_body {
                if let Some(name) = message_name(buf) {
                    write_header_line(&mut out, &name, buf[0], xid);
                }
                // Whatever decoded is printed and ends its line; with
                // nothing printed the error follows the colon.
                let before = out.len();
                // The reference decodes once; what it warned about then
                // is not warned again while printing the part that decoded.
                crate::warn::quiet(|| format_partial(&mut out, buf, ports));
                if out.len() == before {
                    out.push(' ');
                } else if !out.ends_with('\n') {
                    out.push('\n');
                }
            }
            let _ = writeln!(out, "***decode error: {}***", f.error);
            hexdump::hex_dump(&mut out, buf);
        }
    }
    out
}

/// What the reference prints of a message whose body failed to decode,
/// before the error: for most messages nothing, for some (features replies,
/// array-valued multipart replies) the part that decoded.
fn format_partial(out: &mut String, buf: &[u8], ports: Option<&PortMap>) {
    let Some(v) = buf.first().and_then(|b| Version::from_wire(*b)) else {
        return;
    };
    let Ok((raw, at)) = raw::identify(v, buf) else {
        return;
    };
    let body = buf.get(at..).unwrap_or_default();
    match raw {
        Raw::Std(OfpType::FeaturesReply) => features::FeaturesReply::format_partial(v, body, out),
        Raw::Mp {
            request: false,
            kind,
            flags,
        } => multipart::format_partial_reply(v, kind, flags, body, out, ports),
        _ => {}
    }
}

/// Versions the reference does not know still have hellos, errors and
/// echoes (their layout never changes); vendor and multipart headers are
/// checked as far as the latest version's layout goes, and everything else
/// is an unknown type.
fn format_unknown_version(out: &mut String, buf: &[u8], xid: u32, verbosity: u32) {
    let body = buf.get(OFP_HEADER_LEN..).unwrap_or_default();
    let err = match (buf[0], buf[1]) {
        (0, t) if t <= 3 => OfpError::BrcBadType,
        (_, 0) => {
            write_header_line(out, "OFPT_HELLO", buf[0], xid);
            let h = hello::Hello::decode(buf[0], &mut Reader::new(body));
            h.format(out, buf);
            if verbosity >= 5 {
                hexdump::hex_dump(out, buf);
            }
            return;
        }
        (_, 1) if body.len() >= 4 => {
            // No error table exists for the version.
            write_header_line(out, "OFPT_ERROR", buf[0], xid);
            out.push(' ');
            OfpError::BrcBadLen
        }
        (_, 2) | (_, 3) => {
            let name = if buf[1] == 2 {
                "OFPT_ECHO_REQUEST"
            } else {
                "OFPT_ECHO_REPLY"
            };
            write_header_line(out, name, buf[0], xid);
            format_echo(out, body, verbosity);
            if verbosity >= 5 {
                hexdump::hex_dump(out, buf);
            }
            return;
        }
        (_, 4) if body.len() < 8 => OfpError::BrcBadLen,
        (_, 4) => match u32::from_be_bytes([body[0], body[1], body[2], body[3]]) {
            NX_VENDOR_ID | ONF_VENDOR_ID => OfpError::BrcBadExpType,
            _ => OfpError::BrcBadExperimenter,
        },
        (_, 18) | (_, 19) if body.len() < 8 => OfpError::BrcBadLen,
        (_, 18) | (_, 19) if body[0..2] == [0xff, 0xff] && body.len() < 16 => OfpError::BrcBadLen,
        (_, 1) => OfpError::BrcBadLen,
        _ => OfpError::BrcBadType,
    };
    let (wv, t) = (buf[0], buf[1]);
    match err {
        OfpError::BrcBadType => crate::warn::warn("ofp_msgs", || {
            format!("unknown OpenFlow message (version {wv}, type {t})")
        }),
        OfpError::BrcBadExperimenter | OfpError::BrcBadExpType => {
            let vendor = u32::from_be_bytes([body[0], body[1], body[2], body[3]]);
            let subtype = u32::from_be_bytes([body[4], body[5], body[6], body[7]]);
            crate::warn::warn("ofp_msgs", || {
                match (err, vendor) {
                (OfpError::BrcBadExperimenter, 0) => {
                    "OpenFlow message has unknown vendor 0".to_string()
                }
                (OfpError::BrcBadExperimenter, _) => {
                    format!("OpenFlow message has unknown vendor {vendor:#x}")
                }
                _ => format!(
                    "unknown OpenFlow message (version {wv}, type {t}, vendor {vendor:#x}, subtype {subtype})"
                ),
            }
            });
        }
        _ => {}
    }
    let _ = writeln!(out, "***decode error: {err}***");
    hexdump::hex_dump(out, buf);
}

fn format_echo(out: &mut String, data: &[u8], verbosity: u32) {
    let _ = writeln!(out, " {} bytes of payload", data.len());
    if verbosity > 1 {
        hexdump::hex_dump(out, data);
    }
}

/// Appends the body text of a decoded message.
fn format_body(
    out: &mut String,
    v: Version,
    msg: &Message,
    whole: &[u8],
    verbosity: u32,
    ports: Option<&PortMap>,
) {
    match msg {
        Message::Hello(h) => h.format(out, whole),
        Message::Error(e) => e.format(out, verbosity),
        Message::EchoRequest(d) | Message::EchoReply(d) => format_echo(out, d, verbosity),
        Message::FeaturesRequest
        | Message::GetConfigRequest
        | Message::BarrierRequest
        | Message::BarrierReply
        | Message::GetAsyncRequest
        | Message::NxTlvTableRequest => {}
        Message::FeaturesReply(f) => f.format(v, out),
        Message::GetConfigReply(c) | Message::SetConfig(c) => c.format(out),
        Message::PortStatus(p) => p.format(out),
        Message::PortMod(p) => p.format(out),
        Message::TableMod(t) => t.format(v, out),
        Message::RoleRequest(r) | Message::RoleReply(r) => r.format(out),
        Message::RoleStatus(r) => r.format(out),
        Message::NxRoleRequest(r) | Message::NxRoleReply(r) => {
            let _ = write!(out, " role={}", r.name());
        }
        Message::GetAsyncReply(a)
        | Message::SetAsync(a)
        | Message::NxSetAsyncConfig(a)
        | Message::NxSetAsyncConfig2(a) => a.format(out),
        Message::BundleControl(b) => b.format(out),
        Message::BundleAdd(b) => b.format(out, verbosity),
        Message::NxSetFlowFormat(f) => nx::format_flow_format(out, *f),
        Message::NxFlowModTableId(e) => nx::format_flow_mod_table_id(out, *e),
        Message::NxSetPacketInFormat(f) => nx::format_packet_in_format(out, *f),
        Message::NxSetControllerId(id) => {
            let _ = write!(out, " id={id}");
        }
        Message::NxCtFlushZone(z) => {
            let _ = write!(out, " zone_id={z}");
        }
        Message::NxTlvTableMod(t) => t.format(out),
        Message::NxTlvTableReply(t) => t.format(out),
        Message::FlowMod(fm) => fm.format_verbose(out, ports, verbosity, whole),
        Message::FlowRemoved(fr) => fr.format(out, ports),
        Message::GroupMod(g) => g.format(v, out, ports),
        Message::MeterMod(m) => m.format(out),
        Message::MultipartRequest(r) => r.format(v, out, ports),
        Message::MultipartReply(r) => r.format(v, out, ports),
        Message::FlowMonitorCancel(c) => c.format(out),
        Message::FlowMonitorPaused | Message::FlowMonitorResumed | Message::NxFlowAge => {}
        Message::PacketIn(p)
        | Message::NxPacketIn(p)
        | Message::NxPacketIn2(p)
        | Message::NxResume(p) => p.format(out, ports, verbosity),
        Message::PacketOut(p) => p.format(out, ports, verbosity),
        Message::QueueGetConfigRequest(q) => q.format(out, ports),
        Message::QueueGetConfigReply(q) => q.format(out, ports),
        Message::TableStatus(t) => t.format(out),
        Message::RequestForward(r) => r.format(v, out, ports),
        Message::NxCtFlush(c) => c.format(out),
    }
}
