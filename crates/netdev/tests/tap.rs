//! The `tap`/`internal` provider (root required): the device is created under
//! the port's name, takes the MAC we set, and a ping from the host stack shows
//! up in `recv` (ARP, then the echo request once we answered the ARP) and our
//! echo reply reaches the pinging process.

mod common;

use std::collections::BTreeMap;
use std::time::Duration;

use common::{recv_matching, Netns};

const WAIT: Duration = Duration::from_secs(10);
const OUR_MAC: [u8; 6] = [0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0x01];
const FAR_MAC: [u8; 6] = [0x02, 0x99, 0, 0, 0, 0x02];
const HOST_IP: [u8; 4] = [10, 98, 0, 1];
const FAR_IP: [u8; 4] = [10, 98, 0, 2];

fn ones_sum(data: &[u8]) -> u16 {
    let mut acc: u32 = data
        .chunks(2)
        .map(|p| u32::from(u16::from_be_bytes([p[0], *p.get(1).unwrap_or(&0)])))
        .sum();
    while acc > 0xffff {
        acc = (acc & 0xffff) + (acc >> 16);
    }
    acc as u16
}

fn arp_reply(request: &[u8]) -> Vec<u8> {
    let mut f = Vec::new();
    f.extend_from_slice(&request[6..12]);
    f.extend_from_slice(&FAR_MAC);
    f.extend_from_slice(&[0x08, 0x06, 0, 1, 0x08, 0, 6, 4, 0, 2]);
    f.extend_from_slice(&FAR_MAC);
    f.extend_from_slice(&FAR_IP);
    f.extend_from_slice(&request[22..32]); // requester's MAC and IP
    f
}

/// Echo reply for an Ethernet/IPv4/ICMP echo request (20-byte IP header).
fn echo_reply(req: &[u8]) -> Vec<u8> {
    let mut f = req.to_vec();
    f[0..6].copy_from_slice(&req[6..12]);
    f[6..12].copy_from_slice(&FAR_MAC);
    f[26..30].copy_from_slice(&req[30..34]);
    f[30..34].copy_from_slice(&req[26..30]);
    f[24..26].copy_from_slice(&[0, 0]);
    let c = !ones_sum(&f[14..34]);
    f[24..26].copy_from_slice(&c.to_be_bytes());
    f[34] = 0; // echo reply
    f[36..38].copy_from_slice(&[0, 0]);
    let c = !ones_sum(&f[34..]);
    f[36..38].copy_from_slice(&c.to_be_bytes());
    f
}

#[test]
fn tap_created_and_pinged() {
    let ns = Netns::new("ndT");
    let name = common::unique("tp");
    ns.run(|| {
        let mut dev = netdev::open("internal", &name, &BTreeMap::new()).unwrap();
        assert_eq!(dev.kind(), "internal");
        assert_eq!(dev.ifindex(), Some(netdev::sys::ifindex(&name).unwrap()));
        // Like the reference, the port starts administratively down.
        assert!(!dev.admin_up());
        dev.set_hwaddr(OUR_MAC).unwrap();
        assert_eq!(dev.hwaddr().unwrap(), OUR_MAC);
        dev.set_admin_up(true).unwrap();
        assert!(dev.admin_up());
        assert_eq!(
            dev.status().get("driver_name").map(String::as_str),
            Some("tun")
        );
        ns.ip(&["addr", "add", "10.98.0.1/24", "dev", &name]);

        let mut ping = ns
            .command("ping")
            .args(["-c", "1", "-W", "10", "10.98.0.2"])
            .spawn()
            .expect("spawn ping");
        let arp = recv_matching(&mut *dev, WAIT, |b| {
            let d = b.data();
            d.len() >= 42 && d[12..14] == [0x08, 0x06] && d[20..22] == [0, 1] && d[38..42] == FAR_IP
        })
        .expect("ARP request for 10.98.0.2 from the host");
        assert_eq!(arp.data()[6..12], OUR_MAC, "host used the MAC we set");
        assert_eq!(arp.data()[28..32], HOST_IP);
        dev.send(&[&arp_reply(arp.data())]).unwrap();

        let echo = recv_matching(&mut *dev, WAIT, |b| {
            let d = b.data();
            d.len() >= 42 && d[12..14] == [0x08, 0x00] && d[23] == 1 && d[34] == 8
        })
        .expect("ICMP echo request from the host");
        assert_eq!(echo.data()[0..6], FAR_MAC);
        dev.send_buffers(&[&netdev::Buffer::from_slice(&echo_reply(echo.data()))])
            .unwrap();
        let status = testkit_wait_child(&mut ping);
        assert!(status, "ping did not get our echo reply");

        let st = dev.stats();
        assert!(st.rx_packets >= 2 && st.tx_packets >= 2, "{st:?}");
        drop(dev);
        assert!(
            netdev::sys::ifindex(&name).is_err(),
            "tap outlived its netdev"
        );
    });
}

/// Waits (bounded) for `child` to exit; true on success. Kills it on timeout.
fn testkit_wait_child(child: &mut std::process::Child) -> bool {
    let mut result = None;
    let _ = testkit::wait_until(WAIT, "ping to exit", || match child.try_wait() {
        Ok(Some(st)) => {
            result = Some(st.success());
            true
        }
        _ => false,
    });
    if result.is_none() {
        let _ = child.kill();
        let _ = child.wait();
    }
    result.unwrap_or(false)
}

#[test]
fn tap_name_taken_by_other_device_fails() {
    let ns = Netns::new("ndU");
    ns.ip(&[
        "link", "add", "notatap", "type", "veth", "peer", "name", "notatap2",
    ]);
    let err = ns.run(|| {
        netdev::open("tap", "notatap", &BTreeMap::new())
            .map(|_| ())
            .unwrap_err()
    });
    assert!(
        err.starts_with("could not open network device notatap ("),
        "{err}"
    );
}
