//! The `dummy` provider through the public API: found by name for
//! `netdev-dummy/receive`-style injection, received in batches with a pollable
//! fd, sent frames kept; offloaded buffers are completed in software.

mod common;

use std::collections::BTreeMap;
use std::time::Duration;

use netdev::{dummy, Buffer};
use packet::Offload;

fn ones_sum(data: &[u8], mut acc: u32) -> u32 {
    for pair in data.chunks(2) {
        let word = u16::from_be_bytes([pair[0], *pair.get(1).unwrap_or(&0)]);
        acc += u32::from(word);
    }
    acc
}

fn fold(mut acc: u32) -> u16 {
    while acc > 0xffff {
        acc = (acc & 0xffff) + (acc >> 16);
    }
    acc as u16
}

/// An Ethernet/IPv4/UDP frame whose UDP checksum field holds only the folded
/// pseudo-header sum (CHECKSUM_PARTIAL), as a veth or tap hands it over.
fn partial_udp() -> Buffer {
    let payload = b"partial checksum payload, odd length!";
    let udp_len = 8 + payload.len();
    let mut f = vec![0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x08, 0x00];
    let ip_start = f.len();
    f.extend_from_slice(&[
        0x45, 0, 0, 0, 0, 0, 0x40, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
    ]);
    let tot = (20 + udp_len) as u16;
    f[ip_start + 2..ip_start + 4].copy_from_slice(&tot.to_be_bytes());
    let ipc = !fold(ones_sum(&f[ip_start..ip_start + 20], 0));
    f[ip_start + 10..ip_start + 12].copy_from_slice(&ipc.to_be_bytes());
    f.extend_from_slice(&[0x30, 0x39, 0x00, 0x35]);
    f.extend_from_slice(&(udp_len as u16).to_be_bytes());
    let pseudo = ones_sum(&[10, 0, 0, 1, 10, 0, 0, 2, 0, 17], 0) + udp_len as u32;
    f.extend_from_slice(&fold(pseudo).to_be_bytes());
    f.extend_from_slice(payload);
    let mut b = Buffer::from_slice(&f);
    b.offload = Some(Offload {
        needs_csum: true,
        csum_start: 34,
        csum_offset: 6,
        ..Offload::default()
    });
    b
}

#[test]
fn inject_poll_receive_send() {
    let name = common::unique("dmy");
    let mut dev = netdev::open("dummy", &name, &BTreeMap::new()).unwrap();
    assert_eq!(dev.kind(), "dummy");
    assert_eq!(dev.mtu().unwrap(), 1500);
    assert_eq!(dev.ifindex(), None);
    assert!(dev.carrier() && dev.admin_up());

    let handle = dummy::lookup(&name).expect("open dummy is registered");
    assert!(dummy::names().contains(&name));
    let frame = common::test_frame([0xff; 6], [2, 0, 0, 0, 0, 9], b"injected");
    assert!(handle.receive(&frame));
    let got =
        common::recv_matching(&mut *dev, Duration::from_secs(5), |_| true).expect("injected frame");
    assert_eq!(got.data(), &frame[..]);

    dev.send(&[b"\x01\x02\x03"]).unwrap();
    assert_eq!(handle.take_sent(), vec![vec![1, 2, 3]]);
    assert_eq!(handle.tx_packets(), 1);
    let stats = dev.statistics();
    assert_eq!(stats.get("rx_packets"), Some(&1));
    assert_eq!(stats.get("tx_bytes"), Some(&3));

    drop(dev);
    assert!(
        dummy::lookup(&name).is_none(),
        "closed dummy still registered"
    );
}

#[test]
fn offloaded_buffers_leave_complete() {
    let name = common::unique("dmy");
    let mut dev = netdev::open("dummy-internal", &name, &BTreeMap::new()).unwrap();
    assert!(!dev.accepts_offload());
    let buf = partial_udp();
    dev.send_buffers(&[&buf]).unwrap();
    let sent = dummy::lookup(&name).unwrap().take_sent();
    assert_eq!(sent.len(), 1);
    let f = &sent[0];
    assert_eq!(f.len(), buf.len());
    assert_ne!(f[40..42], buf.data()[40..42], "checksum field untouched");
    // The completed UDP checksum verifies: pseudo-header + segment sums to 0xffff.
    let udp = &f[34..];
    let pseudo = ones_sum(&[10, 0, 0, 1, 10, 0, 0, 2, 0, 17], 0) + udp.len() as u32;
    assert_eq!(fold(ones_sum(udp, pseudo)), 0xffff);
}
