//! A port's OpenFlow features (the `curr`, `advertised`, `supported` and
//! `peer` bitmaps and the current/maximum speeds of a port description),
//! derived from the kernel's ethtool link settings. The bits are OpenFlow
//! 1.1+'s `OFPPF_*` (the `openflow` crate converts them for OpenFlow 1.0).
//!
//! Current features come from the link's actual speed, duplex, connector and
//! autonegotiation; the others translate the kernel's mode bitmaps. A veth or
//! TAP reports 10 Gbit/s full duplex on twisted pair: `10GB-FD COPPER`.

use std::io;

use crate::sys::{self, EthtoolSettings};

pub const OFPPF_10MB_HD: u32 = 1 << 0;
pub const OFPPF_10MB_FD: u32 = 1 << 1;
pub const OFPPF_100MB_HD: u32 = 1 << 2;
pub const OFPPF_100MB_FD: u32 = 1 << 3;
pub const OFPPF_1GB_HD: u32 = 1 << 4;
pub const OFPPF_1GB_FD: u32 = 1 << 5;
pub const OFPPF_10GB_FD: u32 = 1 << 6;
pub const OFPPF_40GB_FD: u32 = 1 << 7;
pub const OFPPF_100GB_FD: u32 = 1 << 8;
pub const OFPPF_1TB_FD: u32 = 1 << 9;
pub const OFPPF_OTHER: u32 = 1 << 10;
pub const OFPPF_COPPER: u32 = 1 << 11;
pub const OFPPF_FIBER: u32 = 1 << 12;
pub const OFPPF_AUTONEG: u32 = 1 << 13;
pub const OFPPF_PAUSE: u32 = 1 << 14;
pub const OFPPF_PAUSE_ASYM: u32 = 1 << 15;

/// `struct ethtool_cmd.port` values (connector type).
const PORT_TP: u8 = 0x00;
const PORT_FIBRE: u8 = 0x03;

/// Kernel link-mode bits (SUPPORTED_* = ADVERTISED_*) and what they mean in
/// OpenFlow.
const MODE_BITS: [(u32, u32); 17] = [
    (1 << 0, OFPPF_10MB_HD),     // 10baseT_Half
    (1 << 1, OFPPF_10MB_FD),     // 10baseT_Full
    (1 << 2, OFPPF_100MB_HD),    // 100baseT_Half
    (1 << 3, OFPPF_100MB_FD),    // 100baseT_Full
    (1 << 4, OFPPF_1GB_HD),      // 1000baseT_Half
    (1 << 5, OFPPF_1GB_FD),      // 1000baseT_Full
    (1 << 6, OFPPF_AUTONEG),     // Autoneg
    (1 << 7, OFPPF_COPPER),      // TP
    (1 << 10, OFPPF_FIBER),      // FIBRE
    (1 << 12, OFPPF_10GB_FD),    // 10000baseT_Full
    (1 << 13, OFPPF_PAUSE),      // Pause
    (1 << 14, OFPPF_PAUSE_ASYM), // Asym_Pause
    (1 << 17, OFPPF_1GB_FD),     // 1000baseKX_Full
    (1 << 18, OFPPF_10GB_FD),    // 10000baseKX4_Full
    (1 << 19, OFPPF_10GB_FD),    // 10000baseKR_Full
    (1 << 23, OFPPF_40GB_FD),    // 40000baseKR4_Full
    (1 << 24, OFPPF_40GB_FD),    // 40000baseCR4_Full
];

/// Speed bits, fastest first, with their rate in kbit/s.
const SPEEDS_KBPS: [(u32, u32); 10] = [
    (OFPPF_1TB_FD, 1_000_000_000),
    (OFPPF_100GB_FD, 100_000_000),
    (OFPPF_40GB_FD, 40_000_000),
    (OFPPF_10GB_FD, 10_000_000),
    (OFPPF_1GB_FD, 1_000_000),
    (OFPPF_1GB_HD, 1_000_000),
    (OFPPF_100MB_FD, 100_000),
    (OFPPF_100MB_HD, 100_000),
    (OFPPF_10MB_FD, 10_000),
    (OFPPF_10MB_HD, 10_000),
];

/// A port's features, as an OpenFlow port description carries them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PortFeatures {
    pub curr: u32,
    pub advertised: u32,
    pub supported: u32,
    pub peer: u32,
    /// kbit/s of the fastest speed bit in `curr` (0 if none).
    pub curr_speed_kbps: u32,
    /// kbit/s of the fastest speed bit in `supported` (0 if none).
    pub max_speed_kbps: u32,
}

/// The rate of the fastest speed bit in `features`, in kbit/s.
pub fn features_kbps(features: u32) -> u32 {
    SPEEDS_KBPS
        .iter()
        .find(|(bit, _)| features & bit != 0)
        .map_or(0, |&(_, kbps)| kbps)
}

fn from_modes(modes: u32) -> u32 {
    MODE_BITS
        .iter()
        .filter(|(kernel, _)| modes & kernel != 0)
        .fold(0, |acc, &(_, of)| acc | of)
}

/// The current features of a link running at `speed` Mbit/s.
fn current(s: &EthtoolSettings) -> u32 {
    let full = s.duplex != Some(0);
    let mut f = match (s.speed_mbps, full) {
        (None, _) => 0,
        (Some(10), false) => OFPPF_10MB_HD,
        (Some(10), true) => OFPPF_10MB_FD,
        (Some(100), false) => OFPPF_100MB_HD,
        (Some(100), true) => OFPPF_100MB_FD,
        (Some(1000), false) => OFPPF_1GB_HD,
        (Some(1000), true) => OFPPF_1GB_FD,
        (Some(10_000), _) => OFPPF_10GB_FD,
        (Some(40_000), _) => OFPPF_40GB_FD,
        (Some(100_000), _) => OFPPF_100GB_FD,
        (Some(1_000_000), _) => OFPPF_1TB_FD,
        (Some(_), _) => OFPPF_OTHER,
    };
    match s.port {
        PORT_TP => f |= OFPPF_COPPER,
        PORT_FIBRE => f |= OFPPF_FIBER,
        _ => {}
    }
    if s.autoneg {
        f |= OFPPF_AUTONEG;
    }
    f
}

/// Features from ethtool settings.
pub fn from_settings(s: &EthtoolSettings) -> PortFeatures {
    let curr = current(s);
    let supported = from_modes(s.supported);
    PortFeatures {
        curr,
        advertised: from_modes(s.advertising),
        supported,
        peer: from_modes(s.lp_advertising),
        curr_speed_kbps: features_kbps(curr),
        max_speed_kbps: features_kbps(supported),
    }
}

/// Features of the kernel interface `name` in the calling thread's namespace.
pub fn of_device(name: &str) -> io::Result<PortFeatures> {
    sys::ethtool_settings(name).map(|s| from_settings(&s))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(speed: Option<u64>, duplex: Option<u8>, port: u8) -> EthtoolSettings {
        EthtoolSettings {
            speed_mbps: speed,
            duplex,
            port,
            ..EthtoolSettings::default()
        }
    }

    #[test]
    fn veth_like_link_is_10g_copper() {
        let f = from_settings(&settings(Some(10_000), Some(1), PORT_TP));
        assert_eq!(f.curr, OFPPF_10GB_FD | OFPPF_COPPER);
        assert_eq!(f.curr_speed_kbps, 10_000_000);
        assert_eq!((f.supported, f.max_speed_kbps), (0, 0));
    }

    #[test]
    fn duplex_picks_half_or_full_and_odd_speeds_are_other() {
        let half = from_settings(&settings(Some(100), Some(0), PORT_FIBRE));
        assert_eq!(half.curr, OFPPF_100MB_HD | OFPPF_FIBER);
        let other = from_settings(&settings(Some(2500), Some(1), 0xff));
        assert_eq!(other.curr, OFPPF_OTHER);
        assert_eq!(other.curr_speed_kbps, 0);
        let unknown = from_settings(&settings(None, None, PORT_TP));
        assert_eq!(unknown.curr, OFPPF_COPPER);
    }

    #[test]
    fn mode_bitmaps_translate() {
        let s = EthtoolSettings {
            supported: (1 << 5) | (1 << 12) | (1 << 6) | (1 << 7) | (1 << 13),
            advertising: 1 << 3,
            ..EthtoolSettings::default()
        };
        let f = from_settings(&s);
        assert_eq!(
            f.supported,
            OFPPF_1GB_FD | OFPPF_10GB_FD | OFPPF_AUTONEG | OFPPF_COPPER | OFPPF_PAUSE
        );
        assert_eq!(f.advertised, OFPPF_100MB_FD);
        assert_eq!(f.max_speed_kbps, 10_000_000);
    }

    #[test]
    fn loopback_has_no_ethtool_settings_or_reports_them() {
        // `lo` answers ETHTOOL_GSET with EOPNOTSUPP on most kernels; either
        // way the call must not panic and a missing device is ENODEV.
        let _ = of_device("lo");
        assert_eq!(
            of_device("oxvs-nosuch0").unwrap_err().raw_os_error(),
            Some(libc::ENODEV)
        );
    }
}
