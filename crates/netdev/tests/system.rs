//! The `system` provider on real veth pairs (root required): frames from the
//! peer arrive byte for byte, VLAN tags the kernel strips are put back, our
//! frames reach the peer (tags intact), our own transmissions are not received
//! back, and link facts and errors read like the reference's.

mod common;

use std::collections::BTreeMap;
use std::time::Duration;

use common::{recv_matching, test_frame, veth, Netns, RawPeer};

const WAIT: Duration = Duration::from_secs(10);
const PEER_MAC: [u8; 6] = [0x02, 0, 0, 0, 0xbb, 0x01];
const FAR_MAC: [u8; 6] = [0x02, 0, 0, 0, 0xcc, 0x02];

fn is_test_frame(d: &[u8], marker: &[u8]) -> bool {
    d.windows(marker.len()).any(|w| w == marker)
}

#[test]
fn missing_device_error_text() {
    let ns = Netns::new("ndE");
    let err = ns.run(|| {
        netdev::open("system", "ndnosuch0", &BTreeMap::new())
            .map(|_| ())
            .unwrap_err()
    });
    assert_eq!(
        err,
        "could not open network device ndnosuch0 (No such device)"
    );
    let err = ns.run(|| {
        netdev::open("bogus", "x", &BTreeMap::new())
            .map(|_| ())
            .unwrap_err()
    });
    assert_eq!(
        err,
        "could not open network device x (Address family not supported by protocol)"
    );
}

#[test]
fn receives_and_sends_exact_frames() {
    let (ours, peer) = (Netns::new("ndA"), Netns::new("ndB"));
    veth(&ours, "a0", &peer, "b0");
    let peer_sock = peer.run(|| RawPeer::open("b0"));
    ours.run(|| {
        let mut dev = netdev::open("system", "a0", &BTreeMap::new()).unwrap();
        assert_eq!(dev.kind(), "system");
        assert_eq!(dev.ifindex(), Some(netdev::sys::ifindex("a0").unwrap()));

        // Peer -> us, to a MAC that is not ours: promiscuous mode delivers it.
        let frame = test_frame(
            FAR_MAC,
            PEER_MAC,
            b"oxvs-rx-plain-0123456789-abcdefghijklmnopqrstuvwxyz",
        );
        peer_sock.send(&frame);
        let got = recv_matching(&mut *dev, WAIT, |b| {
            is_test_frame(b.data(), b"oxvs-rx-plain")
        })
        .expect("frame from peer");
        assert_eq!(got.data(), &frame[..]);
        assert!(got.offload.is_none());

        // Peer -> us, VLAN tagged: the kernel strips the tag, we put it back.
        let tagged = common::tagged(
            &test_frame(
                FAR_MAC,
                PEER_MAC,
                b"oxvs-rx-tagged-payload-padding-to-sixty-bytes",
            ),
            0x2064,
        );
        peer_sock.send(&tagged);
        let got = recv_matching(&mut *dev, WAIT, |b| {
            is_test_frame(b.data(), b"oxvs-rx-tagged")
        })
        .expect("tagged frame from peer");
        assert_eq!(got.data(), &tagged[..]);

        // Us -> peer, plain and tagged.
        let out_plain = test_frame(
            PEER_MAC,
            FAR_MAC,
            b"oxvs-tx-plain-payload-padding-to-sixty-bytes!!",
        );
        let out_tagged = common::tagged(
            &test_frame(
                PEER_MAC,
                FAR_MAC,
                b"oxvs-tx-tagged-payload-padding-to-sixty-bytes",
            ),
            0x0123,
        );
        dev.send(&[&out_plain, &out_tagged]).unwrap();
        let p = peer_sock
            .recv_matching(WAIT, |f| is_test_frame(&f.data, b"oxvs-tx-plain"))
            .expect("plain frame at peer");
        assert_eq!(p.data, out_plain);
        assert_eq!(p.vlan_tci, None);
        let t = peer_sock
            .recv_matching(WAIT, |f| is_test_frame(&f.data, b"oxvs-tx-tagged"))
            .expect("tagged frame at peer");
        // The peer's kernel strips the tag into metadata: same TCI, same rest.
        assert_eq!(t.vlan_tci, Some(0x0123));
        let mut untagged = out_tagged[..12].to_vec();
        untagged.extend_from_slice(&out_tagged[16..]);
        assert_eq!(t.data, untagged);

        // Our own transmissions are not received back.
        let echoed = recv_matching(&mut *dev, Duration::from_millis(300), |b| {
            is_test_frame(b.data(), b"oxvs-tx-")
        });
        assert!(echoed.is_none(), "received our own frame back");

        // Counters: the kernel saw at least our two frames out and two in.
        let st = dev.stats();
        assert!(st.tx_packets >= 2 && st.rx_packets >= 2, "{st:?}");
        let cols = dev.statistics();
        assert!(cols.contains_key("rx_crc_err") && cols.contains_key("tx_dropped"));
    });
}

#[test]
fn link_facts() {
    let (ours, peer) = (Netns::new("ndF"), Netns::new("ndG"));
    veth(&ours, "a1", &peer, "b1");
    ours.run(|| {
        let mut dev = netdev::open("system", "a1", &BTreeMap::new()).unwrap();
        assert_eq!(dev.mtu().unwrap(), 1500);
        dev.set_mtu(1400).unwrap();
        assert_eq!(netdev::sys::mtu("a1").unwrap(), 1400);
        let mac = [0x02, 0x11, 0x22, 0x33, 0x44, 0x55];
        dev.set_hwaddr(mac).unwrap();
        assert_eq!(dev.hwaddr().unwrap(), mac);
        assert!(dev.admin_up());
        // IFF_RUNNING follows the peer coming up after a linkwatch delay.
        testkit::wait_until(WAIT, "carrier on a1", || dev.carrier()).unwrap();
        // veth reports 10 Gbit/s full duplex, like the reference shows.
        assert_eq!(dev.speed_mbps(), Some(10_000));
        assert_eq!(dev.duplex(), Some(netdev::Duplex::Full));
        let status = dev.status();
        assert_eq!(status.get("driver_name").map(String::as_str), Some("veth"));
        assert!(status.contains_key("driver_version") && status.contains_key("firmware_version"));
        dev.set_admin_up(false).unwrap();
        assert!(!dev.admin_up());
        assert!(!dev.carrier());
    });
}

#[test]
fn peer_going_down_drops_carrier() {
    let (ours, peer) = (Netns::new("ndH"), Netns::new("ndI"));
    veth(&ours, "a2", &peer, "b2");
    let dev = ours.run(|| netdev::open("system", "a2", &BTreeMap::new()).unwrap());
    peer.ip(&["link", "set", "b2", "down"]);
    ours.run(move || {
        testkit::wait_until(WAIT, "carrier loss on a2", || !dev.carrier()).unwrap();
        assert!(dev.admin_up());
    });
}

#[test]
fn interface_down_then_up_keeps_working() {
    let (ours, peer) = (Netns::new("ndJ"), Netns::new("ndK"));
    veth(&ours, "a9", &peer, "b9");
    let peer_sock = peer.run(|| RawPeer::open("b9"));
    ours.run(|| {
        let mut dev = netdev::open("system", "a9", &BTreeMap::new()).unwrap();
        dev.set_admin_up(false).unwrap();
        // While down, recv reports the condition (ENETDOWN, as the reference
        // logs "Network is down") or nothing; never blocks or panics.
        let mut batch = netdev::Batch::new();
        for _ in 0..3 {
            match dev.recv(&mut batch) {
                Ok(n) => assert_eq!(n, 0),
                Err(e) => assert_eq!(e.raw_os_error(), Some(libc::ENETDOWN), "{e}"),
            }
        }
        // ... and that consumes it: the descriptor does not stay ready, or
        // a poll loop around it would spin.
        let fd = dev.fd().expect("system ports have a descriptor");
        let mut pfd = libc::pollfd {
            fd,
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: one valid pollfd, no timeout.
        let n = unsafe { libc::poll(&mut pfd, 1, 0) };
        assert_eq!(
            (n, pfd.revents),
            (0, 0),
            "descriptor still ready while down"
        );
        dev.set_admin_up(true).unwrap();
        let frame = test_frame(
            FAR_MAC,
            PEER_MAC,
            b"oxvs-after-up-payload-padding-to-sixty-bytes!!",
        );
        // The peer's first frames may be sent before our side is up again.
        let got = {
            let deadline = std::time::Instant::now() + WAIT;
            loop {
                peer_sock.send(&frame);
                let got = recv_matching(&mut *dev, Duration::from_millis(200), |b| {
                    is_test_frame(b.data(), b"oxvs-after-up")
                });
                if got.is_some() || std::time::Instant::now() > deadline {
                    break got;
                }
            }
        };
        assert_eq!(
            got.expect("frame after the interface came back up").data(),
            &frame[..]
        );
    });
}
