//! `packet-out`: has the switch run actions on a packet, in the current
//! syntax ("in_port=1 packet=HEX actions=...") or the old one
//! (IN_PORT ACTIONS PACKET...).

use crate::args::str_to_port_no;
use crate::commands::hooks::parse_hex;
use crate::dump::transact_noreply;
use crate::flow_format::open_for_flow_mod;
use crate::names;
use crate::vconn::alloc_xid;
use crate::{Ctx, Fatal};
use openflow::action;
use openflow::field::FieldId;
use openflow::flow_match::Match;
use openflow::msg::flow_mod::NO_BUFFER;
use openflow::msg::packet::{parse_packet_out, PacketOut};

/// An Ethernet frame given in hex (the old syntax's PACKET arguments).
fn eth_from_hex(s: &str) -> Result<Vec<u8>, Fatal> {
    let (bytes, garbage) = parse_hex(s);
    if garbage {
        return Err(Fatal("Trailing garbage in packet data".into()));
    }
    if bytes.len() < 14 {
        return Err(Fatal("Packet data too short for Ethernet".into()));
    }
    Ok(bytes)
}

pub fn packet_out(ctx: &mut Ctx, argv: &[String]) -> Result<i32, Fatal> {
    let switch = &argv[1];
    match argv.len() {
        3 => {
            names::prefetch_for_parsing(ctx, switch, false)?;
            let ports = names::cached_ports(ctx, switch).cloned();
            let (po, usable) = parse_packet_out(&argv[2], ports.as_ref()).map_err(Fatal)?;
            let (mut vconn, _) = open_for_flow_mod(ctx, switch, usable)?;
            let v = vconn.version();
            let mut msg = Vec::new();
            po.encode(v, alloc_xid(), &mut msg);
            transact_noreply(ctx, &mut vconn, vec![msg])?;
        }
        n if n > 4 => {
            names::prefetch_for_parsing(ctx, switch, true)?;
            let ports = names::cached_ports(ctx, switch).cloned();
            let actions = action::parse_actions(&argv[3], ports.as_ref()).map_err(Fatal)?;
            let usable = action::usable_protocols(&actions);
            let in_port = str_to_port_no(ctx, switch, &argv[2])?;
            let (mut vconn, _) = open_for_flow_mod(ctx, switch, usable)?;
            let v = vconn.version();
            for hex in &argv[4..] {
                let packet = eth_from_hex(hex)?;
                let mut flow_metadata = Match::default();
                flow_metadata.set(FieldId::IN_PORT, &in_port.0.to_be_bytes(), &[0xff, 0xff]);
                let po = PacketOut {
                    buffer_id: NO_BUFFER,
                    flow_metadata,
                    actions: actions.clone(),
                    packet,
                };
                let mut msg = Vec::new();
                po.encode(v, alloc_xid(), &mut msg);
                transact_noreply(ctx, &mut vconn, vec![msg])?;
            }
        }
        n => return Err(Fatal(format!("Too many arguments ({n})"))),
    }
    Ok(0)
}
