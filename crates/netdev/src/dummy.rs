//! The `dummy` and `dummy-internal` providers: ports that exist only in memory,
//! for tests and for `netdev-dummy/receive`. Injected frames wait in a bounded
//! rx queue (an eventfd is readable while it is non-empty); sent frames are
//! counted and the most recent ones kept for inspection.
//!
//! Every open dummy registers itself by name in a process-wide table, so the
//! unixctl command can find it with [`lookup`] and inject through the returned
//! [`DummyHandle`]. Opening a name that is already open shares the same device,
//! like the reference's reference-counted netdevs.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::io;
use std::os::fd::RawFd;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, Weak};

use packet::Batch;

use crate::sys::EventFd;
use crate::{Netdev, NetdevStats};

/// Frames waiting to be received beyond this are dropped (and counted).
pub const RX_QUEUE_LIMIT: usize = 4096;
/// How many sent frames a dummy keeps for [`DummyHandle::take_sent`].
pub const TX_KEEP_LIMIT: usize = 1024;

/// Process-wide sequence for the `aa:55:aa:55:xx:yy` addresses dummies get.
static NEXT_MAC: AtomicU32 = AtomicU32::new(1);

fn registry() -> MutexGuard<'static, HashMap<String, Weak<Shared>>> {
    static REGISTRY: OnceLock<Mutex<HashMap<String, Weak<Shared>>>> = OnceLock::new();
    let m = REGISTRY.get_or_init(|| Mutex::new(HashMap::new()));
    // A panic while holding the lock leaves the map consistent (single inserts
    // and removes), so poisoning can be ignored.
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Injected frames waiting to be received, and the storage of frames already
/// received, kept for reuse so steady-state injection does not allocate.
#[derive(Debug, Default)]
struct RxQueue {
    frames: VecDeque<Vec<u8>>,
    spare: Vec<Vec<u8>>,
}

/// Spare frame buffers kept per dummy.
const RX_SPARE_LIMIT: usize = 64;

/// State shared between the netdev and its handles.
#[derive(Debug)]
struct Shared {
    name: String,
    rx: Mutex<RxQueue>,
    tx: Mutex<VecDeque<Vec<u8>>>,
    rx_ready: EventFd,
    hwaddr: Mutex<[u8; 6]>,
    mtu: AtomicU32,
    admin_up: AtomicBool,
    /// Open DummyNetdevs sharing this device (handles do not count): the name
    /// is unregistered when the last one closes.
    opens: AtomicU32,
    rx_packets: AtomicU64,
    rx_bytes: AtomicU64,
    rx_dropped: AtomicU64,
    tx_packets: AtomicU64,
    tx_bytes: AtomicU64,
}

impl Shared {
    fn new(name: &str) -> io::Result<Shared> {
        let n = NEXT_MAC.fetch_add(1, Ordering::Relaxed);
        Ok(Shared {
            name: name.to_string(),
            rx: Mutex::new(RxQueue::default()),
            tx: Mutex::new(VecDeque::new()),
            rx_ready: EventFd::new()?,
            hwaddr: Mutex::new([0xaa, 0x55, 0xaa, 0x55, (n >> 8) as u8, n as u8]),
            mtu: AtomicU32::new(1500),
            admin_up: AtomicBool::new(true),
            opens: AtomicU32::new(0),
            rx_packets: AtomicU64::new(0),
            rx_bytes: AtomicU64::new(0),
            rx_dropped: AtomicU64::new(0),
            tx_packets: AtomicU64::new(0),
            tx_bytes: AtomicU64::new(0),
        })
    }
}

/// A cloneable reference to an open dummy, for injecting frames and reading
/// what was sent (unixctl commands, tests).
#[derive(Debug, Clone)]
pub struct DummyHandle {
    shared: Arc<Shared>,
}

impl DummyHandle {
    pub fn name(&self) -> &str {
        &self.shared.name
    }

    /// Queues `frame` as if it arrived on the wire. Like the reference, this
    /// works whatever the admin state. Returns false when the rx queue is
    /// full (the frame is dropped and counted).
    pub fn receive(&self, frame: &[u8]) -> bool {
        let mut rx = lock(&self.shared.rx);
        if rx.frames.len() >= RX_QUEUE_LIMIT {
            self.shared.rx_dropped.fetch_add(1, Ordering::Relaxed);
            return false;
        }
        let mut slot = rx.spare.pop().unwrap_or_default();
        slot.clear();
        slot.extend_from_slice(frame);
        rx.frames.push_back(slot);
        self.shared.rx_ready.signal();
        true
    }

    /// Removes and returns the kept sent frames, oldest first.
    pub fn take_sent(&self) -> Vec<Vec<u8>> {
        lock(&self.shared.tx).drain(..).collect()
    }

    /// Frames sent so far (including those no longer kept).
    pub fn tx_packets(&self) -> u64 {
        self.shared.tx_packets.load(Ordering::Relaxed)
    }

    /// Frames waiting in the rx queue.
    pub fn rx_pending(&self) -> usize {
        lock(&self.shared.rx).frames.len()
    }

    /// `netdev-dummy/set-admin-state`.
    pub fn set_admin_up(&self, up: bool) {
        self.shared.admin_up.store(up, Ordering::Relaxed);
    }

    pub fn admin_up(&self) -> bool {
        self.shared.admin_up.load(Ordering::Relaxed)
    }
}

/// Finds the open dummy called `name`.
pub fn lookup(name: &str) -> Option<DummyHandle> {
    registry()
        .get(name)
        .and_then(Weak::upgrade)
        .map(|shared| DummyHandle { shared })
}

/// Names of every open dummy, sorted.
pub fn names() -> Vec<String> {
    let mut v: Vec<String> = registry()
        .iter()
        .filter(|(_, w)| w.strong_count() > 0)
        .map(|(n, _)| n.clone())
        .collect();
    v.sort();
    v
}

/// An in-memory port.
#[derive(Debug)]
pub struct DummyNetdev {
    kind: String,
    shared: Arc<Shared>,
}

impl DummyNetdev {
    /// Opens (or shares) the dummy called `name`. Options are accepted and
    /// ignored (the reference's pcap/stream options are not implemented).
    ///
    /// Only fails if the process is out of file descriptors (eventfd).
    pub fn open(
        kind: &str,
        name: &str,
        _options: &BTreeMap<String, String>,
    ) -> io::Result<DummyNetdev> {
        let mut reg = registry();
        let shared = match reg.get(name).and_then(Weak::upgrade) {
            Some(s) => s,
            None => {
                let s = Arc::new(Shared::new(name)?);
                reg.insert(name.to_string(), Arc::downgrade(&s));
                s
            }
        };
        shared.opens.fetch_add(1, Ordering::Relaxed);
        Ok(DummyNetdev {
            kind: kind.to_string(),
            shared,
        })
    }

    pub fn handle(&self) -> DummyHandle {
        DummyHandle {
            shared: Arc::clone(&self.shared),
        }
    }
}

impl Drop for DummyNetdev {
    fn drop(&mut self) {
        let mut reg = registry();
        // Unregister only if we are the last opener of this very device (a newer
        // device of the same name may have replaced it). The registry lock
        // orders this against a concurrent open of the same name.
        if self.shared.opens.fetch_sub(1, Ordering::Relaxed) == 1 {
            if let Some(w) = reg.get(&self.shared.name) {
                if std::ptr::eq(w.as_ptr(), Arc::as_ptr(&self.shared)) {
                    reg.remove(&self.shared.name);
                }
            }
        }
    }
}

impl Netdev for DummyNetdev {
    fn name(&self) -> &str {
        &self.shared.name
    }

    fn kind(&self) -> &str {
        &self.kind
    }

    fn recv(&mut self, batch: &mut Batch) -> io::Result<usize> {
        batch.clear();
        let mut rx = lock(&self.shared.rx);
        let mut bytes = 0u64;
        while !batch.is_full() {
            let Some(frame) = rx.frames.pop_front() else {
                break;
            };
            bytes += frame.len() as u64;
            batch.push_slice(&frame);
            if rx.spare.len() < RX_SPARE_LIMIT {
                rx.spare.push(frame);
            }
        }
        if rx.frames.is_empty() {
            self.shared.rx_ready.clear();
        }
        drop(rx);
        let n = batch.len();
        self.shared
            .rx_packets
            .fetch_add(n as u64, Ordering::Relaxed);
        self.shared.rx_bytes.fetch_add(bytes, Ordering::Relaxed);
        Ok(n)
    }

    fn send(&mut self, pkts: &[&[u8]]) -> io::Result<()> {
        let bytes: usize = pkts.iter().map(|p| p.len()).sum();
        self.shared
            .tx_packets
            .fetch_add(pkts.len() as u64, Ordering::Relaxed);
        self.shared
            .tx_bytes
            .fetch_add(bytes as u64, Ordering::Relaxed);
        let mut tx = lock(&self.shared.tx);
        for p in pkts {
            // Once the log is full, recycle the oldest frame's storage.
            let mut slot = if tx.len() >= TX_KEEP_LIMIT {
                tx.pop_front().unwrap_or_default()
            } else {
                Vec::new()
            };
            slot.clear();
            slot.extend_from_slice(p);
            tx.push_back(slot);
        }
        Ok(())
    }

    fn fd(&self) -> Option<RawFd> {
        Some(self.shared.rx_ready.raw_fd())
    }

    fn hwaddr(&self) -> io::Result<[u8; 6]> {
        Ok(*lock(&self.shared.hwaddr))
    }

    fn set_hwaddr(&mut self, mac: [u8; 6]) -> io::Result<()> {
        *lock(&self.shared.hwaddr) = mac;
        Ok(())
    }

    fn mtu(&self) -> io::Result<u32> {
        Ok(self.shared.mtu.load(Ordering::Relaxed))
    }

    fn set_mtu(&mut self, mtu: u32) -> io::Result<()> {
        self.shared.mtu.store(mtu, Ordering::Relaxed);
        Ok(())
    }

    fn ifindex(&self) -> Option<u32> {
        None
    }

    fn admin_up(&self) -> bool {
        self.shared.admin_up.load(Ordering::Relaxed)
    }

    fn set_admin_up(&mut self, up: bool) -> io::Result<()> {
        self.shared.admin_up.store(up, Ordering::Relaxed);
        Ok(())
    }

    fn carrier(&self) -> bool {
        self.admin_up()
    }

    fn stats(&self) -> NetdevStats {
        let s = &self.shared;
        NetdevStats {
            rx_packets: s.rx_packets.load(Ordering::Relaxed),
            rx_bytes: s.rx_bytes.load(Ordering::Relaxed),
            rx_dropped: s.rx_dropped.load(Ordering::Relaxed),
            tx_packets: s.tx_packets.load(Ordering::Relaxed),
            tx_bytes: s.tx_bytes.load(Ordering::Relaxed),
            ..NetdevStats::default()
        }
    }

    /// The reference's dummy reports only these counters, per-queue ones (one
    /// queue here) and two test "custom" counters that count received packets.
    fn statistics(&self) -> BTreeMap<String, u64> {
        let s = self.stats();
        [
            ("rx_bytes", s.rx_bytes),
            ("rx_custom_packets_1", s.rx_packets),
            ("rx_custom_packets_2", s.rx_packets),
            ("rx_packets", s.rx_packets),
            ("rx_q0_bytes", s.rx_bytes),
            ("rx_q0_packets", s.rx_packets),
            ("tx_bytes", s.tx_bytes),
            ("tx_packets", s.tx_packets),
            ("tx_q0_bytes", s.tx_bytes),
            ("tx_q0_packets", s.tx_packets),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn poll_readable(fd: RawFd) -> bool {
        let mut p = libc::pollfd {
            fd,
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: one live pollfd, zero timeout.
        unsafe { libc::poll(&mut p, 1, 0) == 1 }
    }

    #[test]
    fn inject_receive_send() {
        let mut d = DummyNetdev::open("dummy", "dmy-unit-1", &BTreeMap::new()).unwrap();
        let fd = d.fd().unwrap();
        assert!(!poll_readable(fd));
        let h = lookup("dmy-unit-1").expect("registered");
        for i in 0..40u8 {
            assert!(h.receive(&[i; 60]));
        }
        assert!(poll_readable(fd));
        let mut batch = Batch::new();
        assert_eq!(d.recv(&mut batch).unwrap(), 32);
        assert_eq!(batch.get(5).unwrap().data(), &[5u8; 60][..]);
        assert!(poll_readable(fd));
        assert_eq!(d.recv(&mut batch).unwrap(), 8);
        assert_eq!(batch.get(7).unwrap().data(), &[39u8; 60][..]);
        assert!(!poll_readable(fd));
        assert_eq!(d.recv(&mut batch).unwrap(), 0);

        d.send(&[&[1, 2, 3], &[4]]).unwrap();
        assert_eq!(h.take_sent(), vec![vec![1, 2, 3], vec![4]]);
        let st = d.stats();
        assert_eq!(
            (st.rx_packets, st.rx_bytes, st.tx_packets, st.tx_bytes),
            (40, 2400, 2, 4)
        );
        assert_eq!(d.statistics().get("tx_q0_packets"), Some(&2));
        drop(d);
        assert!(lookup("dmy-unit-1").is_none());
    }

    #[test]
    fn macs_are_distinct_and_down_still_receives() {
        let a = DummyNetdev::open("dummy", "dmy-unit-2", &BTreeMap::new()).unwrap();
        let b = DummyNetdev::open("dummy-internal", "dmy-unit-3", &BTreeMap::new()).unwrap();
        assert_ne!(a.hwaddr().unwrap(), b.hwaddr().unwrap());
        assert_eq!(a.hwaddr().unwrap()[..4], [0xaa, 0x55, 0xaa, 0x55]);
        assert_eq!(b.kind(), "dummy-internal");
        a.handle().set_admin_up(false);
        assert!(!a.carrier() && !a.admin_up());
        // The reference's dummy takes injected packets while down.
        assert!(a.handle().receive(&[0; 14]));
        assert_eq!(a.handle().rx_pending(), 1);
    }

    #[test]
    fn full_rx_queue_drops_and_counts() {
        let mut a = DummyNetdev::open("dummy", "dmy-unit-4", &BTreeMap::new()).unwrap();
        let h = a.handle();
        for _ in 0..RX_QUEUE_LIMIT {
            assert!(h.receive(&[1; 20]));
        }
        assert!(!h.receive(&[2; 20]));
        assert_eq!(a.stats().rx_dropped, 1);
        let mut batch = Batch::new();
        let mut total = 0;
        while a.recv(&mut batch).unwrap() > 0 {
            total += batch.len();
        }
        assert_eq!(total, RX_QUEUE_LIMIT);
        assert_eq!(
            a.statistics().get("rx_custom_packets_1"),
            Some(&(RX_QUEUE_LIMIT as u64))
        );
    }
}
