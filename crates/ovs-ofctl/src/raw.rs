//! The few wire details ovs-ofctl needs below the message library: multipart
//! headers (to build the requests it sends for its own bookkeeping and to
//! follow the "more" flag), and reading port and table names out of replies
//! for `--names`.

use crate::vconn::{build, RawHeader};
use openflow::port::PortNo;
use openflow::Version;

/// OpenFlow 1.0 OFPT_STATS_REQUEST/REPLY; 1.1+ OFPT_MULTIPART_REQUEST/REPLY.
const OF10_STATS_REQUEST: u8 = 16;
const OF10_STATS_REPLY: u8 = 17;
const MULTIPART_REQUEST: u8 = 18;
const MULTIPART_REPLY: u8 = 19;

/// Standard multipart types used here.
pub const MP_DESC: u16 = 0;
pub const MP_TABLE: u16 = 3;
pub const MP_TABLE_FEATURES: u16 = 12;
pub const MP_PORT_DESC: u16 = 13;

/// A multipart request of `mp_type` with `body`, in `version`.
pub fn multipart_request(version: Version, mp_type: u16, xid: u32, body: &[u8]) -> Vec<u8> {
    let mut b = Vec::with_capacity(8 + body.len());
    b.extend_from_slice(&mp_type.to_be_bytes());
    b.extend_from_slice(&0u16.to_be_bytes());
    if version == Version::Of10 {
        b.extend_from_slice(body);
        build(version.wire(), OF10_STATS_REQUEST, xid, &b)
    } else {
        b.extend_from_slice(&[0; 4]);
        b.extend_from_slice(body);
        build(version.wire(), MULTIPART_REQUEST, xid, &b)
    }
}

/// The Nicira vendor id.
pub const NX_VENDOR_ID: u32 = 0x0000_2320;

/// A Nicira vendor multipart request (NXST_*) of `subtype` with `body`.
pub fn nx_multipart_request(version: Version, subtype: u32, xid: u32, body: &[u8]) -> Vec<u8> {
    let mut b = Vec::with_capacity(20 + body.len());
    b.extend_from_slice(&0xffffu16.to_be_bytes());
    b.extend_from_slice(&0u16.to_be_bytes());
    if version == Version::Of10 {
        b.extend_from_slice(&NX_VENDOR_ID.to_be_bytes());
        b.extend_from_slice(&subtype.to_be_bytes());
        b.extend_from_slice(&[0; 4]);
        b.extend_from_slice(body);
        build(version.wire(), OF10_STATS_REQUEST, xid, &b)
    } else {
        b.extend_from_slice(&[0; 4]);
        b.extend_from_slice(&NX_VENDOR_ID.to_be_bytes());
        b.extend_from_slice(&subtype.to_be_bytes());
        b.extend_from_slice(body);
        build(version.wire(), MULTIPART_REQUEST, xid, &b)
    }
}

/// A Nicira vendor message (OFPT_VENDOR/OFPT_EXPERIMENTER) of `subtype`.
pub fn nx_message(version: Version, subtype: u32, xid: u32, body: &[u8]) -> Vec<u8> {
    let mut b = Vec::with_capacity(8 + body.len());
    b.extend_from_slice(&NX_VENDOR_ID.to_be_bytes());
    b.extend_from_slice(&subtype.to_be_bytes());
    b.extend_from_slice(body);
    build(version.wire(), 4, xid, &b)
}

/// A 32-bit port number as this version carries it in a request: OpenFlow
/// 1.0 uses 16 bits followed by `pad16` bytes of padding.
pub fn put_port(out: &mut Vec<u8>, version: Version, port: PortNo, pad16: usize) {
    if version == Version::Of10 {
        out.extend_from_slice(&port.0.to_be_bytes());
        out.extend(std::iter::repeat_n(0, pad16));
    } else {
        out.extend_from_slice(&port.to_of11().to_be_bytes());
    }
}

/// Whether `msg` is a multipart reply.
pub fn is_multipart_reply(msg: &[u8]) -> bool {
    match RawHeader::of(msg) {
        Some(h) if h.version == 1 => h.msg_type == OF10_STATS_REPLY,
        Some(h) => h.msg_type == MULTIPART_REPLY,
        None => false,
    }
}

/// Whether `msg` is a multipart request.
pub fn is_multipart_request(msg: &[u8]) -> bool {
    match RawHeader::of(msg) {
        Some(h) if h.version == 1 => h.msg_type == OF10_STATS_REQUEST,
        Some(h) => h.msg_type == MULTIPART_REQUEST,
        None => false,
    }
}

/// The multipart type of a multipart request or reply.
pub fn multipart_type(msg: &[u8]) -> Option<u16> {
    msg.get(8..10).map(|b| u16::from_be_bytes([b[0], b[1]]))
}

/// Whether a multipart reply says more replies follow (OFPMPF_REPLY_MORE).
pub fn multipart_more(msg: &[u8]) -> bool {
    is_multipart_reply(msg) && msg.get(11).is_some_and(|f| f & 1 != 0)
}

/// The body of a multipart reply, after its multipart header.
pub fn multipart_body(msg: &[u8]) -> &[u8] {
    let skip = if msg.first() == Some(&1) { 12 } else { 16 };
    msg.get(skip..).unwrap_or(&[])
}

/// Whether `msg` is an OFPT_ERROR.
pub fn is_error(msg: &[u8]) -> bool {
    RawHeader::of(msg).is_some_and(|h| h.msg_type == crate::vconn::OFPT_ERROR)
}

/// A NUL-padded name field as text.
pub fn fixed_string(b: &[u8]) -> String {
    let end = b.iter().position(|&c| c == 0).unwrap_or(b.len());
    String::from_utf8_lossy(&b[..end]).into_owned()
}

/// (table id, name) pairs from a table stats reply body (OpenFlow 1.0-1.2,
/// whose table stats carry names).
pub fn table_names_from_stats(version: Version, body: &[u8]) -> Vec<(u8, String)> {
    let entry = match version {
        Version::Of10 => 64,
        Version::Of11 => 88,
        Version::Of12 => 128,
        _ => return Vec::new(),
    };
    // OpenFlow 1.0 has 3 bytes of padding after the id, 1.1 and 1.2 have 7.
    let name_at = if version == Version::Of10 { 4 } else { 8 };
    body.chunks_exact(entry)
        .map(|e| (e[0], fixed_string(&e[name_at..name_at + 32])))
        .collect()
}

/// (table id, name) pairs from a table features reply body (OpenFlow 1.3+).
pub fn table_names_from_features(body: &[u8]) -> Vec<(u8, String)> {
    let mut out = Vec::new();
    let mut rest = body;
    while rest.len() >= 40 {
        let len = usize::from(u16::from_be_bytes([rest[0], rest[1]]));
        if len < 64 || len > rest.len() {
            break;
        }
        out.push((rest[2], fixed_string(&rest[8..40])));
        rest = &rest[len..];
    }
    out
}

/// What ovs-ofctl needs to know about a port.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PortInfo {
    pub port_no: PortNo,
    pub hw_addr: [u8; 6],
    pub name: String,
}

/// The ports in an array of OpenFlow ports (a features reply's tail in
/// 1.0-1.2, a port description reply's body), in the wire format of
/// `version`. Ports whose 32-bit numbers have no 16-bit equivalent are left
/// out.
pub fn ports(version: Version, data: &[u8]) -> Vec<PortInfo> {
    let mut out = Vec::new();
    let mut push = |no: u32, mac: &[u8], name: &[u8]| {
        if let (Ok(port_no), Ok(hw_addr)) = (PortNo::from_of11(no), <[u8; 6]>::try_from(mac)) {
            out.push(PortInfo {
                port_no,
                hw_addr,
                name: fixed_string(name),
            });
        }
    };
    match version {
        Version::Of10 => {
            for p in data.chunks_exact(48) {
                let no = PortNo(u16::from_be_bytes([p[0], p[1]]));
                push(no.to_of11(), &p[2..8], &p[8..24]);
            }
        }
        Version::Of11 | Version::Of12 | Version::Of13 => {
            for p in data.chunks_exact(64) {
                let no = u32::from_be_bytes([p[0], p[1], p[2], p[3]]);
                push(no, &p[8..14], &p[16..32]);
            }
        }
        Version::Of14 | Version::Of15 => {
            let mut rest = data;
            while rest.len() >= 40 {
                let no = u32::from_be_bytes([rest[0], rest[1], rest[2], rest[3]]);
                let len = usize::from(u16::from_be_bytes([rest[4], rest[5]]));
                if len < 40 || len > rest.len() {
                    break;
                }
                push(no, &rest[8..14], &rest[16..32]);
                rest = &rest[len..];
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multipart_headers() {
        let r = multipart_request(Version::Of13, MP_PORT_DESC, 3, &[]);
        assert_eq!(r, [4, 18, 0, 16, 0, 0, 0, 3, 0, 13, 0, 0, 0, 0, 0, 0]);
        let r = multipart_request(Version::Of10, MP_TABLE, 2, &[]);
        assert_eq!(r, [1, 16, 0, 12, 0, 0, 0, 2, 0, 3, 0, 0]);
        assert!(!multipart_more(&r));
        let reply = [4u8, 19, 0, 16, 0, 0, 0, 3, 0, 13, 0, 1, 0, 0, 0, 0];
        assert!(multipart_more(&reply));
        assert!(!multipart_more(&reply[..8]));
    }
}
