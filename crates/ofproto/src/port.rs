//! OpenFlow ports as the switch shows them to controllers: the bridge layer
//! adds and removes them (it alone knows how they map to datapath ports);
//! port-mod changes their config bits; changes become port-status messages.

use openflow::msg::port_desc::PortDesc;
use openflow::msg::port_desc::{PC_PORT_DOWN, PS_LINK_DOWN, PS_LIVE};
use openflow::port::PortNo;

/// One OpenFlow port. `desc` is what port-desc and port-status carry.
#[derive(Clone, Debug, PartialEq)]
pub struct OfPort {
    pub desc: PortDesc,
    /// `clock::now_ms()` when added (port stats durations).
    pub created_ms: u64,
}

impl OfPort {
    /// A port with the given number, name and Ethernet address, up, with no
    /// features.
    pub fn new(port_no: PortNo, name: &str, hw_addr: [u8; 6]) -> OfPort {
        OfPort {
            desc: PortDesc {
                port_no,
                hw_addr,
                name: name.to_string(),
                config: 0,
                state: PS_LIVE,
                curr: 0,
                advertised: 0,
                supported: 0,
                peer: 0,
                curr_speed: 0,
                max_speed: 0,
                optical: None,
            },
            created_ms: crate::clock::now_ms(),
        }
    }

    pub fn port_no(&self) -> PortNo {
        self.desc.port_no
    }

    pub fn name(&self) -> &str {
        &self.desc.name
    }

    /// `OFPPC_*` bits.
    pub fn config(&self) -> u32 {
        self.desc.config
    }

    /// `OFPPS_*` bits.
    pub fn state(&self) -> u32 {
        self.desc.state
    }

    /// Whether packets may be forwarded: not administratively down and link up.
    pub fn is_live(&self) -> bool {
        self.desc.config & PC_PORT_DOWN == 0 && self.desc.state & PS_LINK_DOWN == 0
    }
}
