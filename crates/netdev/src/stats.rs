//! Interface counters and their Interface.statistics column form.

use std::collections::BTreeMap;

/// Counters of one netdev, as the kernel keeps them (`rtnl_link_stats64`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NetdevStats {
    pub rx_packets: u64,
    pub tx_packets: u64,
    pub rx_bytes: u64,
    pub tx_bytes: u64,
    pub rx_errors: u64,
    pub tx_errors: u64,
    pub rx_dropped: u64,
    pub tx_dropped: u64,
    pub multicast: u64,
    pub collisions: u64,
    pub rx_length_errors: u64,
    pub rx_over_errors: u64,
    pub rx_crc_errors: u64,
    pub rx_frame_errors: u64,
    pub rx_fifo_errors: u64,
    pub rx_missed_errors: u64,
}

impl NetdevStats {
    /// The Interface.statistics keys a kernel-backed port reports.
    pub fn columns(&self) -> BTreeMap<String, u64> {
        [
            ("collisions", self.collisions),
            ("rx_bytes", self.rx_bytes),
            ("rx_crc_err", self.rx_crc_errors),
            ("rx_dropped", self.rx_dropped),
            ("rx_errors", self.rx_errors),
            ("rx_frame_err", self.rx_frame_errors),
            ("rx_missed_errors", self.rx_missed_errors),
            ("rx_multicast_packets", self.multicast),
            ("rx_over_err", self.rx_over_errors),
            ("rx_packets", self.rx_packets),
            ("tx_bytes", self.tx_bytes),
            ("tx_dropped", self.tx_dropped),
            ("tx_errors", self.tx_errors),
            ("tx_packets", self.tx_packets),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect()
    }

    /// The same counters seen from the other end of the wire: a TAP device's
    /// kernel "tx" is what the switch received from it.
    pub fn swapped(&self) -> NetdevStats {
        NetdevStats {
            rx_packets: self.tx_packets,
            tx_packets: self.rx_packets,
            rx_bytes: self.tx_bytes,
            tx_bytes: self.rx_bytes,
            rx_errors: self.tx_errors,
            tx_errors: self.rx_errors,
            rx_dropped: self.tx_dropped,
            tx_dropped: self.rx_dropped,
            ..*self
        }
    }
}

impl From<crate::link_monitor::LinkStats64> for NetdevStats {
    fn from(s: crate::link_monitor::LinkStats64) -> NetdevStats {
        NetdevStats {
            rx_packets: s.rx_packets,
            tx_packets: s.tx_packets,
            rx_bytes: s.rx_bytes,
            tx_bytes: s.tx_bytes,
            rx_errors: s.rx_errors,
            tx_errors: s.tx_errors,
            rx_dropped: s.rx_dropped,
            tx_dropped: s.tx_dropped,
            multicast: s.multicast,
            collisions: s.collisions,
            rx_length_errors: s.rx_length_errors,
            rx_over_errors: s.rx_over_errors,
            rx_crc_errors: s.rx_crc_errors,
            rx_frame_errors: s.rx_frame_errors,
            rx_fifo_errors: s.rx_fifo_errors,
            rx_missed_errors: s.rx_missed_errors,
        }
    }
}
