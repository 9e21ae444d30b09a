//! What handling a request (or running timers, or a packet-in) produces:
//! messages for connections, and effects for the layer below (which alone
//! knows datapath ports and packets' forwarding).

use openflow::action::Action;
use openflow::flow_match::key::FlowKey;
use openflow::port::PortNo;

/// A connection, as connmgr numbers them.
pub type ConnId = u64;

/// One result of handling.
#[derive(Clone, Debug, PartialEq)]
pub enum Output {
    /// An encoded OpenFlow message for one connection.
    Send { conn: ConnId, msg: Vec<u8> },
    /// Close the connection (after sending what came before).
    Close { conn: ConnId },
    /// Something for the forwarding layer to do.
    Effect(Effect),
}

/// Work for the forwarding layer (ofproto-dpif).
#[derive(Clone, Debug, PartialEq)]
pub enum Effect {
    /// Execute `actions` on `packet` as if received on `in_port` (which may be
    /// `PortNo::CONTROLLER`/`LOCAL`/`NONE`); `metadata` carries the packet-out's
    /// pipeline fields (in_port included, in `IN_PORT`).
    PacketOut {
        in_port: PortNo,
        metadata: Box<FlowKey>,
        actions: Vec<Action>,
        packet: Vec<u8>,
    },
    /// Flow tables, groups or meters changed: cached forwarding decisions
    /// must be revalidated.
    FlowsChanged,
    /// A port's OFPPC_* config bits under `mask` were changed to `config`
    /// (already applied to the OfPort; port-down should bring the device down).
    PortMod {
        port_no: PortNo,
        config: u32,
        mask: u32,
    },
}

impl Output {
    pub fn send(conn: ConnId, msg: Vec<u8>) -> Output {
        Output::Send { conn, msg }
    }
}
