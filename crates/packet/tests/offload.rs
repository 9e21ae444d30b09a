//! Offload resolution: GSO TCP (IPv4, IPv6, VLAN-tagged) and UDP-L4
//! super-packets are cut into valid segments whose payloads reassemble the
//! original, with the right lengths, sequence numbers and flags; partial
//! checksums are completed; bad offsets are errors, not panics.

mod common;

use common::verify::check;
use openflow::flow_match::key::{self, FlowKey};
use packet::offload::{GSO_TCPV4, GSO_TCPV6, GSO_UDP, GSO_UDP_L4};
use packet::{Buffer, Offload, OffloadError, Resolved};

/// A TCP (or UDP) frame with `payload` bytes, its IP lengths set for the
/// whole payload, flags FIN|PSH|ACK|CWR, and a GSO offload record.
fn super_packet(v6: bool, vlan: bool, udp: bool, payload: usize, mss: u16) -> (Buffer, Vec<u8>) {
    let mut k = FlowKey::default();
    k.get_mut(key::DL_SRC).copy_from_slice(&[2, 0, 0, 0, 0, 1]);
    k.get_mut(key::DL_DST).copy_from_slice(&[2, 0, 0, 0, 0, 2]);
    if vlan {
        k.set_uint(key::VLAN_TCI, 0x1000 | 42);
    }
    k.set_uint(key::DL_TYPE, if v6 { 0x86dd } else { 0x0800 });
    k.get_mut(key::NW_SRC).copy_from_slice(&[10, 0, 0, 1]);
    k.get_mut(key::NW_DST).copy_from_slice(&[10, 0, 0, 2]);
    k.get_mut(key::IPV6_SRC)[15] = 1;
    k.get_mut(key::IPV6_DST)[15] = 2;
    k.set_uint(key::NW_TTL, 64);
    k.set_uint(key::NW_PROTO, if udp { 17 } else { 6 });
    k.set_uint(key::TP_SRC, 40000);
    k.set_uint(key::TP_DST, 5201);
    k.set_uint(key::TCP_FLAGS, 0x001 | 0x008 | 0x010 | 0x080);
    let mut frame = common::compose_valid(&k);
    let lay = packet::layout(&frame);
    let (l3, l4) = (lay.l3.unwrap(), lay.l4.unwrap());
    // Keep the headers only; compose's own payload is replaced.
    frame.truncate(l4 + if udp { 8 } else { 20 });
    // Sequence number 1000 so wrapping arithmetic is visible.
    if !udp {
        frame[l4 + 4..l4 + 8].copy_from_slice(&1000u32.to_be_bytes());
    }
    let data: Vec<u8> = (0..payload).map(|i| (i * 7 + 3) as u8).collect();
    frame.extend_from_slice(&data);
    let l3_len = frame.len() - l3;
    if v6 {
        frame[l3 + 4..l3 + 6].copy_from_slice(&((l3_len - 40) as u16).to_be_bytes());
    } else {
        frame[l3 + 2..l3 + 4].copy_from_slice(&(l3_len as u16).to_be_bytes());
    }
    if udp {
        let udp_len = (frame.len() - l4) as u16;
        frame[l4 + 4..l4 + 6].copy_from_slice(&udp_len.to_be_bytes());
    }
    let mut buf = Buffer::from_slice(&frame);
    buf.offload = Some(Offload {
        needs_csum: true,
        csum_start: l4 as u16,
        csum_offset: if udp { 6 } else { 16 },
        gso_type: match (udp, v6) {
            (true, _) => GSO_UDP_L4,
            (false, false) => GSO_TCPV4,
            (false, true) => GSO_TCPV6,
        },
        gso_size: mss,
        hdr_len: 0,
        data_valid: false,
    });
    (buf, data)
}

fn segments_ok(v6: bool, vlan: bool, udp: bool, payload: usize, mss: u16) {
    let (mut buf, data) = super_packet(v6, vlan, udp, payload, mss);
    let mut out = Vec::new();
    let r = packet::resolve_offload(&mut buf, &mut out).expect("segmentation");
    let want = payload.div_ceil(usize::from(mss)).max(1);
    assert_eq!(r, Resolved::Segmented(want));
    assert_eq!(out.len(), want);
    assert!(buf.offload.is_none());
    let mut joined = Vec::new();
    for (i, seg) in out.iter().enumerate() {
        let d = seg.data();
        check(d).unwrap_or_else(|e| panic!("segment {i}: {e}"));
        assert!(seg.offload.is_none());
        let lay = packet::layout(d);
        let l4 = lay.l4.expect("segment has L4");
        let hdr = if udp {
            8
        } else {
            usize::from(d[l4 + 12] >> 4) * 4
        };
        assert_eq!(lay.l3_end, d.len(), "segment {i} lengths cover it exactly");
        let chunk = &d[l4 + hdr..];
        assert!(chunk.len() <= usize::from(mss));
        if !udp {
            let seq = u32::from_be_bytes(d[l4 + 4..l4 + 8].try_into().unwrap());
            assert_eq!(seq, 1000 + joined.len() as u32, "segment {i} sequence");
            let flags = u16::from_be_bytes([d[l4 + 12], d[l4 + 13]]) & 0x0fff;
            let last = i + 1 == want;
            assert_eq!(flags & 0x009 != 0, last, "FIN/PSH only on the last segment");
            assert_eq!(flags & 0x080 != 0, i == 0, "CWR only on the first segment");
            assert!(flags & 0x010 != 0, "ACK on every segment");
        }
        if !v6 {
            let l3 = lay.l3.unwrap();
            let id = u16::from_be_bytes([d[l3 + 4], d[l3 + 5]]);
            assert_eq!(id, i as u16, "IPv4 ids count up");
        }
        joined.extend_from_slice(chunk);
    }
    assert!(joined == data, "segments do not reassemble the payload");
}

#[test]
fn gso_tcp4_segments() {
    segments_ok(false, false, false, 5000, 1448);
    segments_ok(false, false, false, 1448 * 3, 1448);
    segments_ok(false, false, false, 100, 1448);
}

#[test]
fn gso_tcp6_segments() {
    segments_ok(true, false, false, 9000, 1440);
}

#[test]
fn gso_tcp_vlan_segments() {
    segments_ok(false, true, false, 4000, 1000);
    segments_ok(true, true, false, 4001, 1000);
}

#[test]
fn gso_udp_l4_segments() {
    segments_ok(false, false, true, 3000, 1200);
    segments_ok(true, false, true, 2400, 1200);
}

#[test]
fn gso_empty_payload_is_one_segment() {
    segments_ok(false, false, false, 0, 1448);
}

#[test]
fn gso_after_vlan_push_still_segments() {
    let (mut buf, data) = super_packet(false, false, false, 3000, 1448);
    packet::push_vlan(&mut buf, 0x8100, 0x1000 | 7);
    let mut out = Vec::new();
    assert_eq!(
        packet::resolve_offload(&mut buf, &mut out),
        Ok(Resolved::Segmented(3))
    );
    let mut total = 0;
    for seg in &out {
        check(seg.data()).unwrap();
        let mut k = FlowKey::default();
        packet::extract(seg.data(), &mut k);
        assert_eq!(k.u16(key::VLAN_TCI), 0x1000 | 7);
        total += seg.len() - (14 + 4 + 20 + 20);
    }
    assert_eq!(total, data.len());
}

#[test]
fn unsupported_and_bad_offloads_are_errors() {
    let (mut buf, _) = super_packet(false, false, false, 3000, 1448);
    if let Some(o) = buf.offload.as_mut() {
        o.gso_type = GSO_UDP;
    }
    let mut out = Vec::new();
    assert_eq!(
        packet::resolve_offload(&mut buf, &mut out),
        Err(OffloadError::UnsupportedGso(GSO_UDP))
    );
    // GSO type says TCPv4 but the packet is UDP.
    let (mut buf, _) = super_packet(false, false, true, 3000, 1448);
    if let Some(o) = buf.offload.as_mut() {
        o.gso_type = GSO_TCPV4;
    }
    assert!(matches!(
        packet::resolve_offload(&mut buf, &mut out),
        Err(OffloadError::BadGsoPacket(_))
    ));
    // Partial checksum field past the end.
    let mut buf = Buffer::from_slice(&[0u8; 60]);
    buf.offload = Some(Offload {
        needs_csum: true,
        csum_start: 50,
        csum_offset: 16,
        ..Offload::default()
    });
    assert!(matches!(
        packet::resolve_offload(&mut buf, &mut out),
        Err(OffloadError::BadChecksumOffsets { .. })
    ));
    assert!(out.is_empty());
}

#[test]
fn partial_checksum_is_completed_in_place() {
    let (mut buf, _) = super_packet(true, true, false, 700, 1448);
    if let Some(o) = buf.offload.as_mut() {
        o.gso_type = 0;
        o.gso_size = 0;
    }
    // The super-packet's field already holds the pseudo-header sum?
    // compose() filled a full checksum; turn it into a partial one.
    let lay = packet::layout(buf.data());
    let (l3, l4) = (lay.l3.unwrap(), lay.l4.unwrap());
    let d = buf.data_mut();
    let src: [u8; 16] = d[l3 + 8..l3 + 24].try_into().unwrap();
    let dst: [u8; 16] = d[l3 + 24..l3 + 40].try_into().unwrap();
    let len = (d.len() - l4) as u32;
    let p = packet::checksum::fold(packet::checksum::pseudo_v6(&src, &dst, 6, len));
    d[l4 + 16..l4 + 18].copy_from_slice(&p.to_be_bytes());
    assert!(check(buf.data()).is_err());
    let mut out = Vec::new();
    assert_eq!(
        packet::resolve_offload(&mut buf, &mut out),
        Ok(Resolved::InPlace)
    );
    check(buf.data()).unwrap();
}

#[test]
fn vnet_header_round_trip() {
    let o = Offload {
        needs_csum: true,
        data_valid: false,
        csum_start: 34,
        csum_offset: 16,
        gso_type: GSO_TCPV4,
        gso_size: 1448,
        hdr_len: 66,
    };
    let h = o.to_vnet_hdr();
    assert_eq!(Offload::from_vnet_hdr(&h), Some(o));
    assert_eq!(Offload::from_vnet_hdr(&h[..9]), None);
}
