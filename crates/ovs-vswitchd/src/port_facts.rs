//! What an OpenFlow port description says about its device, as the reference
//! derives it: the device's MAC, `OFPPC_PORT_DOWN` when the device is
//! administratively down, `OFPPS_LINK_DOWN` without carrier (`OFPPS_LIVE`
//! otherwise, shown from OpenFlow 1.4 on), and the ethtool features and speeds.
//! A vanished device reads as all zeros, down, with no features.

use netdev::{Netdev, PortFeatures};
use openflow::msg::port_desc::{PortDesc, PC_PORT_DOWN, PS_LINK_DOWN, PS_LIVE};

/// A device's facts that show in its OpenFlow port.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PortFacts {
    /// None: keep the MAC the port has (the device would not say).
    pub hwaddr: Option<[u8; 6]>,
    pub admin_up: bool,
    pub carrier: bool,
    pub features: PortFeatures,
}

impl PortFacts {
    /// Reads them from an open device.
    pub fn of_device(dev: &dyn Netdev) -> PortFacts {
        PortFacts {
            hwaddr: dev.hwaddr().ok(),
            admin_up: dev.admin_up(),
            carrier: dev.carrier(),
            features: dev.features(),
        }
    }

    /// A device that is gone: no address, down, no features.
    pub fn vanished() -> PortFacts {
        PortFacts {
            hwaddr: Some([0; 6]),
            ..PortFacts::default()
        }
    }

    /// Writes them into a port description, leaving the bits they do not
    /// own (port-mod's other config bits, STP state) alone.
    pub fn apply(&self, desc: &mut PortDesc) {
        if let Some(mac) = self.hwaddr {
            desc.hw_addr = mac;
        }
        desc.config &= !PC_PORT_DOWN;
        if !self.admin_up {
            desc.config |= PC_PORT_DOWN;
        }
        desc.state &= !(PS_LINK_DOWN | PS_LIVE);
        desc.state |= if !self.carrier {
            PS_LINK_DOWN
        } else if self.admin_up {
            PS_LIVE
        } else {
            0
        };
        let f = &self.features;
        desc.curr = f.curr;
        desc.advertised = f.advertised;
        desc.supported = f.supported;
        desc.peer = f.peer;
        desc.curr_speed = f.curr_speed_kbps;
        desc.max_speed = f.max_speed_kbps;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ofproto::OfPort;
    use openflow::msg::port_desc::PC_NO_FLOOD;
    use openflow::port::PortNo;

    #[test]
    fn down_device_sets_port_down_and_link_down_and_keeps_other_bits() {
        let mut port = OfPort::new(PortNo(1), "p1", [2, 0, 0, 0, 0, 1]);
        port.desc.config |= PC_NO_FLOOD;
        let facts = PortFacts {
            hwaddr: Some([2, 0, 0, 0, 0, 9]),
            admin_up: false,
            carrier: false,
            features: PortFeatures {
                curr: netdev::features::OFPPF_10GB_FD | netdev::features::OFPPF_COPPER,
                curr_speed_kbps: 10_000_000,
                ..PortFeatures::default()
            },
        };
        facts.apply(&mut port.desc);
        assert_eq!(port.desc.config, PC_PORT_DOWN | PC_NO_FLOOD);
        assert_eq!(port.desc.state, PS_LINK_DOWN);
        assert_eq!(port.desc.hw_addr, [2, 0, 0, 0, 0, 9]);
        assert_eq!(port.desc.curr_speed, 10_000_000);
        assert!(!port.is_live());

        let up = PortFacts {
            admin_up: true,
            carrier: true,
            ..facts
        };
        up.apply(&mut port.desc);
        assert_eq!(port.desc.config, PC_NO_FLOOD);
        assert_eq!(port.desc.state, PS_LIVE);

        PortFacts::vanished().apply(&mut port.desc);
        assert_eq!(port.desc.hw_addr, [0; 6]);
        assert_eq!((port.desc.curr, port.desc.curr_speed), (0, 0));
        assert_eq!(port.desc.state, PS_LINK_DOWN);
    }
}
