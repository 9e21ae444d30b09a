//! Link monitoring (root required): carrier loss and a vanished device are
//! reported by the rtnetlink monitor, and a netdev whose device vanished keeps
//! answering (errors, no panics) while reopening fails like the reference.

mod common;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use common::{veth, Netns};
use netdev::link_monitor::{LinkChange, LinkChangeKind, LinkMonitor};

const WAIT: Duration = Duration::from_secs(10);

/// Drains `mon` until a change satisfies `want` (bounded wait on its fd).
fn wait_for(mon: &mut LinkMonitor, what: &str, want: impl Fn(&LinkChange) -> bool) -> LinkChange {
    let deadline = Instant::now() + WAIT;
    loop {
        let events = mon.drain().expect("drain link monitor");
        if let Some(c) = events.changes.into_iter().find(|c| want(c)) {
            return c;
        }
        let left = deadline
            .checked_duration_since(Instant::now())
            .unwrap_or_else(|| panic!("timed out waiting for {what}"));
        let mut pfd = libc::pollfd {
            fd: mon.fd(),
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: one live pollfd.
        unsafe { libc::poll(&mut pfd, 1, left.as_millis().clamp(1, 200) as i32) };
    }
}

#[test]
fn carrier_loss_and_vanished_device() {
    let (ours, peer) = (Netns::new("ndL"), Netns::new("ndM"));
    veth(&ours, "a3", &peer, "b3");
    ours.run(|| {
        let mut mon = LinkMonitor::new().unwrap();
        let mut dev = netdev::open("system", "a3", &BTreeMap::new()).unwrap();
        let idx = dev.ifindex().unwrap();

        peer.ip(&["link", "set", "b3", "down"]);
        let c = wait_for(&mut mon, "a3 losing carrier", |c| {
            c.ifindex == idx && c.kind == LinkChangeKind::NewOrChanged && c.carrier == Some(false)
        });
        assert_eq!(c.name.as_deref(), Some("a3"));
        assert!(c.admin_up());

        peer.ip(&["link", "set", "b3", "up"]);
        wait_for(&mut mon, "a3 regaining carrier", |c| {
            c.ifindex == idx && c.carrier == Some(true)
        });

        peer.ip(&["link", "del", "b3"]);
        let c = wait_for(&mut mon, "a3 vanishing", |c| {
            c.ifindex == idx && c.kind == LinkChangeKind::Deleted
        });
        assert_eq!(c.name.as_deref(), Some("a3"));

        // The orphaned netdev answers without panicking.
        let mut batch = netdev::Batch::new();
        let _ = dev.recv(&mut batch);
        let _ = dev.send(&[&[0u8; 60]]);
        assert!(!dev.carrier());
        assert!(dev.hwaddr().is_err());
        let err = netdev::open("system", "a3", &BTreeMap::new())
            .map(|_| ())
            .unwrap_err();
        assert_eq!(err, "could not open network device a3 (No such device)");
    });
}

#[test]
fn new_device_is_reported() {
    let (ours, peer) = (Netns::new("ndN"), Netns::new("ndO"));
    ours.run(|| {
        let mut mon = LinkMonitor::new().unwrap();
        veth(&ours, "a4", &peer, "b4");
        let c = wait_for(&mut mon, "a4 appearing", |c| {
            c.name.as_deref() == Some("a4")
        });
        assert_eq!(c.kind, LinkChangeKind::NewOrChanged);
        assert_eq!(Some(c.ifindex), netdev::sys::ifindex("a4").ok());
        assert_eq!(c.mtu, Some(1500));
    });
}
