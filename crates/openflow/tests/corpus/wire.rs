//! Raw OpenFlow bytes for the corpus tests, independent of the library under test:
//! hand-built requests (multipart requests that dump everything, features
//! requests), and splitting the real switch's multipart replies into messages of one
//! entry each, so every corpus flow, group and meter has its own real encoding.
//!
//! Layouts are those of the OpenFlow 1.0-1.5 specifications and the Nicira
//! extension (nx_flow_stats_request); wire versions are 1 (OpenFlow 1.0) .. 6 (1.5).

use testkit::RealSwitch;

/// Every wire version.
pub const WIRE_VERSIONS: [u8; 6] = [1, 2, 3, 4, 5, 6];

/// `OpenFlow13` -> 4.
pub fn wire_version(name: &str) -> u8 {
    match name {
        "OpenFlow10" => 1,
        "OpenFlow11" => 2,
        "OpenFlow12" => 3,
        "OpenFlow13" => 4,
        "OpenFlow14" => 5,
        "OpenFlow15" => 6,
        _ => panic!("unknown version {name}"),
    }
}

fn header(out: &mut Vec<u8>, version: u8, msg_type: u8, xid: u32) {
    out.extend_from_slice(&[version, msg_type, 0, 0]);
    out.extend_from_slice(&xid.to_be_bytes());
}

fn finish(mut msg: Vec<u8>) -> Vec<u8> {
    let len = u16::try_from(msg.len()).expect("test messages are small");
    msg[2..4].copy_from_slice(&len.to_be_bytes());
    msg
}

/// Bytes before the entries of a multipart message: 12 in OpenFlow 1.0
/// (header, type, flags), 16 later (plus 4 bytes of padding).
pub fn mp_header_len(version: u8) -> usize {
    if version == 1 {
        12
    } else {
        16
    }
}

/// A multipart (stats) request of type `mp_type` with `body`.
pub fn mp_request(version: u8, mp_type: u16, body: &[u8], xid: u32) -> Vec<u8> {
    let mut m = Vec::new();
    header(&mut m, version, if version == 1 { 16 } else { 18 }, xid);
    m.extend_from_slice(&mp_type.to_be_bytes());
    m.extend_from_slice(&[0, 0]);
    if version > 1 {
        m.extend_from_slice(&[0; 4]);
    }
    m.extend_from_slice(body);
    finish(m)
}

/// A message with just a header (features request = 5, get-config request = 7).
pub fn bare(version: u8, msg_type: u8, xid: u32) -> Vec<u8> {
    let mut m = Vec::new();
    header(&mut m, version, msg_type, xid);
    finish(m)
}

/// Flow stats of every flow in every table. OpenFlow 1.0 uses the standard request
/// (whose replies can only show OpenFlow 1.0 matches); see [`nx_flow_stats_request`].
pub fn flow_stats_request(version: u8, xid: u32) -> Vec<u8> {
    let mut body = Vec::new();
    match version {
        1 => {
            // ofp_match with every wildcard bit set, table 0xff, out_port OFPP_NONE.
            body.extend_from_slice(&0x003f_ffffu32.to_be_bytes());
            body.extend_from_slice(&[0; 36]);
            body.extend_from_slice(&[0xff, 0, 0xff, 0xff]);
        }
        2 => {
            body.extend_from_slice(&[0xff, 0, 0, 0]);
            body.extend_from_slice(&[0xff; 8]); // out_port, out_group: any
            body.extend_from_slice(&[0; 4]);
            body.extend_from_slice(&[0; 16]); // cookie, cookie_mask
                                              // OpenFlow 1.1 standard match, 88 bytes, all wildcarded.
            body.extend_from_slice(&[0, 0, 0, 88]);
            body.extend_from_slice(&[0; 4]); // in_port
            body.extend_from_slice(&0x3ffu32.to_be_bytes()); // wildcards
                                                             // Addresses with all-ones masks (a 1 bit ignores that bit in 1.1).
            for _ in 0..2 {
                body.extend_from_slice(&[0; 6]); // dl_src, dl_dst
                body.extend_from_slice(&[0xff; 6]); // its mask
            }
            body.extend_from_slice(&[0; 8]); // vlan, pcp, type, tos, proto
            for _ in 0..2 {
                body.extend_from_slice(&[0; 4]); // nw_src, nw_dst
                body.extend_from_slice(&[0xff; 4]); // its mask
            }
            body.extend_from_slice(&[0; 12]); // ports, mpls
            body.extend_from_slice(&[0; 8]); // metadata
            body.extend_from_slice(&[0xff; 8]); // its mask
        }
        _ => {
            body.extend_from_slice(&[0xff, 0, 0, 0]);
            body.extend_from_slice(&[0xff; 8]);
            body.extend_from_slice(&[0; 4]);
            body.extend_from_slice(&[0; 16]);
            // Empty OXM match: type 1, length 4, padded to 8.
            body.extend_from_slice(&[0, 1, 0, 4, 0, 0, 0, 0]);
        }
    }
    mp_request(version, 1, &body, xid)
}

/// NXST_FLOW request (OpenFlow 1.0 vendor stats): every flow, with NXM matches.
pub fn nx_flow_stats_request(xid: u32) -> Vec<u8> {
    let mut body = Vec::new();
    body.extend_from_slice(&0x2320u32.to_be_bytes()); // Nicira
    body.extend_from_slice(&0u32.to_be_bytes()); // NXST_FLOW
    body.extend_from_slice(&[0; 4]);
    body.extend_from_slice(&[0xff, 0xff, 0, 0, 0xff, 0, 0, 0]); // out_port, match_len, table
    mp_request(1, 0xffff, &body, xid)
}

/// Group descriptions of every group (OpenFlow 1.1+).
pub fn group_desc_request(version: u8, xid: u32) -> Vec<u8> {
    let body: &[u8] = if version >= 6 {
        &[0xff, 0xff, 0xff, 0xfc, 0, 0, 0, 0] // OFPG_ALL
    } else {
        &[]
    };
    mp_request(version, 7, body, xid)
}

/// Meter configurations of every meter (OpenFlow 1.3+).
pub fn meter_config_request(version: u8, xid: u32) -> Vec<u8> {
    mp_request(version, 10, &[0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0], xid)
}

/// Port statistics of every port.
pub fn port_stats_request(version: u8, xid: u32) -> Vec<u8> {
    let body: &[u8] = if version == 1 {
        &[0xff, 0xff, 0, 0, 0, 0, 0, 0]
    } else {
        &[0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]
    };
    mp_request(version, 4, body, xid)
}

/// The requests whose replies [`real_replies`] collects for a version: features,
/// config, description, table stats, port stats, port descriptions, flows, groups,
/// meters (each where the version has it).
pub fn dump_requests(version: u8) -> Vec<Vec<u8>> {
    let mut r = vec![
        bare(version, 5, 1),
        bare(version, 7, 2),
        mp_request(version, 0, &[], 3),
        mp_request(version, 3, &[], 4),
        port_stats_request(version, 5),
        flow_stats_request(version, 6),
    ];
    if version == 1 {
        r.push(nx_flow_stats_request(7));
    } else {
        r.push(group_desc_request(version, 8));
    }
    if version >= 4 {
        // Port descriptions; OpenFlow 1.5 asks for one port or OFPP_ANY.
        let any: &[u8] = if version >= 6 {
            &[0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]
        } else {
            &[]
        };
        r.push(mp_request(version, 13, any, 9));
        r.push(meter_config_request(version, 10));
        r.push(mp_request(version, 11, &[], 11)); // meter features
        r.push(mp_request(version, 8, &[], 12)); // group features
    }
    r
}

/// Every reply the real switch gives `bridge` to [`dump_requests`] in `version`.
#[track_caller]
pub fn real_replies(sw: &RealSwitch, bridge: &str, version: u8) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for req in dump_requests(version) {
        match sw.raw_exchange(bridge, version, &req) {
            Ok(replies) => out.extend(replies),
            Err(e) => panic!("raw exchange with the real switch (version {version}): {e}"),
        }
    }
    out
}

/// Whether `msg` is a multipart reply whose entries each start with their own
/// 16-bit length (flow stats, group descriptions, meter configurations, and the
/// Nicira flow stats), and where those entries start.
fn entries_start(msg: &[u8]) -> Option<usize> {
    let version = *msg.first()?;
    let ty = *msg.get(1)?;
    let is_reply = (version == 1 && ty == 17) || (version > 1 && ty == 19);
    if !is_reply {
        return None;
    }
    let mp_type = u16::from_be_bytes([*msg.get(8)?, *msg.get(9)?]);
    match (version, mp_type) {
        (1, 1) => Some(12),
        (1, 0xffff) => {
            // NXST_FLOW: vendor, subtype 0, 4 bytes of padding.
            let sub = msg.get(16..20)?;
            (sub == [0, 0, 0, 0]).then_some(24)
        }
        (_, 1) | (_, 7) | (_, 10) => Some(16),
        _ => None,
    }
}

/// Splits multipart replies with length-prefixed entries into one message per
/// entry (the "more" flag cleared); other messages are returned as they are.
pub fn split_entries(msg: &[u8]) -> Vec<Vec<u8>> {
    let Some(start) = entries_start(msg) else {
        return vec![msg.to_vec()];
    };
    let mut out = Vec::new();
    let mut at = start;
    while at + 2 <= msg.len() {
        let len = usize::from(u16::from_be_bytes([msg[at], msg[at + 1]]));
        if len == 0 || at + len > msg.len() {
            break;
        }
        let mut one = msg[..start].to_vec();
        one[10] = 0; // flags: no "more"
        one[11] = 0;
        one.extend_from_slice(&msg[at..at + len]);
        out.push(finish(one));
        at += len;
    }
    out
}

/// Lowercase hex, as ofp-print takes it.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_have_their_lengths() {
        assert_eq!(flow_stats_request(1, 1).len(), 56);
        assert_eq!(flow_stats_request(2, 1).len(), 16 + 32 + 88);
        assert_eq!(flow_stats_request(4, 1).len(), 56);
        assert_eq!(nx_flow_stats_request(1).len(), 32);
        assert_eq!(&bare(4, 5, 9), &[4, 5, 0, 8, 0, 0, 0, 9]);
    }

    #[test]
    fn splitting_keeps_the_prefix_and_each_entry() {
        // An OF1.3 flow stats reply with two entries of 8 and 16 bytes.
        let mut m = vec![4, 19, 0, 0, 0, 0, 0, 1, 0, 1, 0, 1, 0, 0, 0, 0];
        m.extend_from_slice(&[0, 8, 1, 1, 1, 1, 1, 1]);
        m.extend_from_slice(&[0, 16, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2]);
        let m = finish(m);
        let parts = split_entries(&m);
        assert_eq!(parts.len(), 2);
        assert_eq!(&parts[0][..4], &[4, 19, 0, 24]);
        assert_eq!(parts[0][11], 0, "more flag cleared");
        assert_eq!(&parts[1][16..18], &[0, 16]);
        // Not a multipart reply: unchanged.
        assert_eq!(
            split_entries(&[4, 5, 0, 8, 0, 0, 0, 1]),
            vec![vec![4, 5, 0, 8, 0, 0, 0, 1]]
        );
        assert_eq!(hex(&[0, 0xab]), "00ab");
    }
}
