//! Datapath actions and the datapath's flow/action text (the syntax of
//! `dpctl/dump-flows`, `dpctl/add-flow`, `netdev-dummy/receive`).

mod action_text;
pub mod cookie;
mod fields;
mod key_text;
mod value;

use openflow::flow_match::key::FlowKey;

pub use action_text::{format_actions, format_actions_with, parse_actions, parse_actions_with};
pub use key_text::{
    format_flow, format_flow_with, parse_flow, parse_flow_with, FlowFormat, PortNameFn,
    PortNumberFn,
};

/// One datapath action.
// SetMasked carries two whole keys by value, as the contract between the
// crates says; action lists are built on upcalls, not per packet.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OdpAction {
    Output(u32),
    Userspace {
        pid: u32,
        userdata: Vec<u8>,
    },
    PushVlan {
        tpid: u16,
        tci: u16,
    },
    PopVlan,
    PushMpls {
        lse: u32,
        ethertype: u16,
    },
    PopMpls {
        ethertype: u16,
    },
    /// Write key bits under mask (eth, ipv4/6, l4, mpls, arp, skb_priority,
    /// pkt_mark). The key's unmasked DL_TYPE/NW_PROTO say which header the
    /// text names where slots are shared (`ipv4` vs `arp`, `tcp` vs `udp`).
    SetMasked {
        key: FlowKey,
        mask: FlowKey,
    },
    Clone(Vec<OdpAction>),
    /// probability: out of u32::MAX.
    Sample {
        probability: u32,
        actions: Vec<OdpAction>,
    },
    Recirc(u32),
    /// alg 0 = L4 5-tuple, 1 = symmetric L4.
    Hash {
        alg: u32,
        basis: u32,
    },
    Meter(u32),
    Trunc(u32),
    CtClear,
    /// Explicit drop (prints as `drop`); an empty action list also means drop.
    Drop,
}
