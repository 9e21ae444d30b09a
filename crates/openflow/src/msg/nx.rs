//! Small Nicira extension messages: NXT_SET_FLOW_FORMAT,
//! NXT_FLOW_MOD_TABLE_ID, NXT_SET_PACKET_IN_FORMAT, NXT_SET_CONTROLLER_ID and
//! NXT_CT_FLUSH_ZONE. Bodies follow the 16-byte Nicira header.

use std::fmt::Write;

use crate::buf::{Put, Reader};
use crate::error::OfpError;

/// NXFF_* flow formats.
pub const NXFF_OPENFLOW10: u32 = 0;
pub const NXFF_NXM: u32 = 2;

/// NXPIF_* packet-in formats.
pub const NXPIF_STANDARD: u32 = 0;
pub const NXPIF_NXT_PACKET_IN: u32 = 1;
pub const NXPIF_NXT_PACKET_IN2: u32 = 2;

/// NXT_SET_FLOW_FORMAT: any value decodes (unknown ones print "(unknown)").
pub fn decode_u32(body: &mut Reader) -> Result<u32, OfpError> {
    body.be32()
}

pub fn flow_format_name(f: u32) -> &'static str {
    match f {
        NXFF_OPENFLOW10 => "openflow10",
        NXFF_NXM => "nxm",
        _ => "(unknown)",
    }
}

/// Parses a `--flow-format`-style name ("openflow10", "nxm").
pub fn parse_flow_format(s: &str) -> Option<u32> {
    [NXFF_OPENFLOW10, NXFF_NXM]
        .into_iter()
        .find(|f| flow_format_name(*f).eq_ignore_ascii_case(s))
}

pub fn format_flow_format(out: &mut String, f: u32) {
    let _ = write!(out, " format={}", flow_format_name(f));
}

/// NXT_FLOW_MOD_TABLE_ID: a byte (nonzero = enable) and 7 pad bytes.
pub fn decode_flow_mod_table_id(body: &mut Reader) -> Result<bool, OfpError> {
    let set = body.u8()? != 0;
    body.skip(7)?;
    Ok(set)
}

pub fn encode_flow_mod_table_id(enable: bool, out: &mut Vec<u8>) {
    out.put_u8(u8::from(enable));
    out.put_zeros(7);
}

pub fn format_flow_mod_table_id(out: &mut String, enable: bool) {
    out.push_str(if enable { " enable" } else { " disable" });
}

/// NXT_SET_PACKET_IN_FORMAT: unknown formats are OFPBRC_EPERM.
pub fn decode_packet_in_format(body: &mut Reader) -> Result<u32, OfpError> {
    let f = body.be32()?;
    if f > NXPIF_NXT_PACKET_IN2 {
        return Err(OfpError::BrcEperm);
    }
    Ok(f)
}

pub fn packet_in_format_name(f: u32) -> &'static str {
    match f {
        NXPIF_STANDARD => "standard",
        NXPIF_NXT_PACKET_IN => "nxt_packet_in",
        _ => "nxt_packet_in2",
    }
}

/// Parses a packet-in format name as `ovs-ofctl --packet-in-format` does
/// ("standard" also as "openflow10", "nxt_packet_in" also as "nxm").
pub fn parse_packet_in_format(s: &str) -> Option<u32> {
    match s {
        "standard" | "openflow10" => Some(NXPIF_STANDARD),
        "nxt_packet_in" | "nxm" => Some(NXPIF_NXT_PACKET_IN),
        "nxt_packet_in2" => Some(NXPIF_NXT_PACKET_IN2),
        _ => None,
    }
}

pub fn format_packet_in_format(out: &mut String, f: u32) {
    let _ = write!(out, " format={}", packet_in_format_name(f));
}

/// NXT_SET_CONTROLLER_ID / NXT_CT_FLUSH_ZONE: 6 pad bytes and a 16-bit value.
pub fn decode_padded_u16(body: &mut Reader) -> Result<u16, OfpError> {
    body.skip(6)?;
    body.be16()
}

pub fn encode_padded_u16(v: u16, out: &mut Vec<u8>) {
    out.put_zeros(6);
    out.put_be16(v);
}
