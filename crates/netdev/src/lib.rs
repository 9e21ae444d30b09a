//! Port I/O providers for the userspace datapath. A [`Netdev`] moves batches of
//! Ethernet frames in and out of one port and reports its link facts; it knows
//! nothing of flows. Providers, chosen by the Interface `type`:
//!
//! - `dummy`, `dummy-internal` ([`dummy`]): in memory; packets are injected with
//!   a [`dummy::DummyHandle`] (what `netdev-dummy/receive` calls) and sent
//!   packets are counted and kept for tests;
//! - `system` ([`afpacket`]): an AF_PACKET socket on an existing Linux
//!   interface, promiscuous, with VLAN-tag recovery and virtio-net offload;
//! - `tap` / `internal` ([`tap`]): a TAP device named after the port.
//!
//! [`link_monitor`] reports devices appearing, changing and vanishing;
//! [`features`] turns ethtool link settings into OpenFlow port features.

use std::collections::BTreeMap;
use std::io;
use std::os::fd::RawFd;

pub use packet::{Batch, Buffer};

pub mod afpacket;
pub mod dummy;
pub mod features;
pub mod link_monitor;
mod mmap_ring;
mod offload;
mod rxring;
pub mod stats;
pub mod sys;
pub mod tap;
#[cfg(test)]
mod test_netns;
mod txring;
pub mod vnet;

pub use features::PortFeatures;
pub use rxring::RxProbe;
pub use stats::NetdevStats;

/// Link duplex, as the Interface.duplex column spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Duplex {
    Half,
    Full,
}

impl Duplex {
    pub fn as_str(self) -> &'static str {
        match self {
            Duplex::Half => "half",
            Duplex::Full => "full",
        }
    }
}

/// One port's packet I/O and link facts.
///
/// `recv` and `send*` are the per-batch hot path: they take no lock per packet
/// and, once their buffers are warm, allocate nothing (the one exception:
/// software GSO segmentation for ports that cannot take offloaded packets).
/// Everything else is control path.
pub trait Netdev: Send {
    /// The device (Interface) name.
    fn name(&self) -> &str;

    /// The provider type as configured ("dummy", "dummy-internal", "system",
    /// "tap", "internal").
    fn kind(&self) -> &str;

    /// Clears `batch` and fills it with up to [`packet::BATCH_SIZE`] received
    /// frames, returning how many. Ok(0) means nothing is waiting (never blocks).
    /// An Err is transient as far as the caller is concerned (e.g. ENETDOWN
    /// while the interface is down): log it rate-limited and keep polling.
    fn recv(&mut self, batch: &mut Batch) -> io::Result<usize>;

    /// Sends complete frames (no offload pending). Frames the device cannot take
    /// right now (full queue) are dropped and counted, not an error.
    fn send(&mut self, pkts: &[&[u8]]) -> io::Result<()>;

    /// Sends buffers that may carry offload facts (partial checksum, GSO). A
    /// provider that cannot pass them on completes them in software first.
    fn send_buffers(&mut self, pkts: &[&Buffer]) -> io::Result<()> {
        offload::send_resolved(self, pkts)
    }

    /// Sends every packet of `batch` (with its offload facts).
    fn send_batch(&mut self, batch: &Batch) -> io::Result<()> {
        let empty = Buffer::default();
        let mut refs: [&Buffer; packet::BATCH_SIZE] = [&empty; packet::BATCH_SIZE];
        let mut n = 0;
        for (slot, b) in refs.iter_mut().zip(batch.iter()) {
            *slot = b;
            n += 1;
        }
        self.send_buffers(&refs[..n])
    }

    /// A descriptor that is readable while frames are waiting (for epoll/poll).
    fn fd(&self) -> Option<RawFd>;

    /// A probe that tells whether a frame is waiting from memory shared
    /// with the kernel (a receive ring), with no lock and no system call;
    /// None when only the descriptor can tell. A poll loop that is awake
    /// anyway reads the probe instead of watching the descriptor, which
    /// spares the kernel a wake-up callback for every frame (see
    /// `datapath::poll`).
    fn rx_probe(&self) -> Option<RxProbe> {
        None
    }

    fn hwaddr(&self) -> io::Result<[u8; 6]>;
    fn set_hwaddr(&mut self, mac: [u8; 6]) -> io::Result<()>;
    fn mtu(&self) -> io::Result<u32>;
    fn set_mtu(&mut self, mtu: u32) -> io::Result<()>;

    /// Kernel interface index; None for devices the kernel does not know.
    fn ifindex(&self) -> Option<u32>;

    /// Administrative state (Interface.admin_state "up").
    fn admin_up(&self) -> bool;
    fn set_admin_up(&mut self, up: bool) -> io::Result<()>;

    /// Operational state (Interface.link_state "up").
    fn carrier(&self) -> bool;

    /// Link speed in Mbit/s when known (Interface.link_speed is this × 10^6).
    fn speed_mbps(&self) -> Option<u64> {
        None
    }

    fn duplex(&self) -> Option<Duplex> {
        None
    }

    /// OpenFlow port features (current, advertised, supported, peer, speeds).
    /// Kernel devices answer from ethtool; devices the kernel does not know
    /// (dummies) have none.
    fn features(&self) -> PortFeatures {
        match self.ifindex() {
            Some(_) => features::of_device(self.name()).unwrap_or_default(),
            None => PortFeatures::default(),
        }
    }

    fn stats(&self) -> NetdevStats;

    /// The Interface.statistics column (key -> counter).
    fn statistics(&self) -> BTreeMap<String, u64> {
        self.stats().columns()
    }

    /// The Interface.status column (driver_name, driver_version, ...).
    fn status(&self) -> BTreeMap<String, String> {
        BTreeMap::new()
    }

    /// True when `send_buffers` passes offload facts to the device as they are.
    fn accepts_offload(&self) -> bool {
        false
    }
}

/// Opens a netdev of type `kind` (empty means "system") named `name`.
///
/// Errors are the text vswitchd writes into Interface.error, as the reference
/// does: "could not open network device p1 (No such device)".
pub fn open(
    kind: &str,
    name: &str,
    options: &BTreeMap<String, String>,
) -> Result<Box<dyn Netdev>, String> {
    let opened: io::Result<Box<dyn Netdev>> = match kind {
        "dummy" | "dummy-internal" => {
            dummy::DummyNetdev::open(kind, name, options).map(|n| Box::new(n) as Box<dyn Netdev>)
        }
        "" | "system" => {
            afpacket::SystemNetdev::open(name, options).map(|n| Box::new(n) as Box<dyn Netdev>)
        }
        "tap" | "internal" => {
            tap::TapNetdev::open(kind, name, options).map(|n| Box::new(n) as Box<dyn Netdev>)
        }
        _ => Err(io::Error::from_raw_os_error(libc::EAFNOSUPPORT)),
    };
    opened.map_err(|e| {
        format!(
            "could not open network device {name} ({})",
            sys::strerror(&e)
        )
    })
}
