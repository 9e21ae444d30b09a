//! `add-tlv-map` and `del-tlv-map`: Geneve option ↔ `tun_metadataN` mappings
//! (NXT_TLV_TABLE_MOD). `dump-tlv-map` is with the other switch queries.

use crate::dump::transact_noreply;
use crate::flow_format::open_for_flow_mod;
use crate::vconn::alloc_xid;
use crate::{Ctx, Fatal};
use openflow::msg::tlv::{parse_tlv_maps, TlvCommand, TlvTableMod};
use openflow::msg::{encode, Message};
use openflow::protocol::Protocols;

fn tlv_mod(ctx: &mut Ctx, argv: &[String], command: TlvCommand) -> Result<i32, Fatal> {
    let mappings = parse_tlv_maps(argv.get(2).map_or("", String::as_str)).map_err(Fatal)?;
    let (mut vconn, protocol) = open_for_flow_mod(ctx, &argv[1], Protocols::NXM_OXM_ANY)?;
    let msg = encode(
        &Message::NxTlvTableMod(TlvTableMod { command, mappings }),
        protocol,
        alloc_xid(),
    );
    transact_noreply(ctx, &mut vconn, vec![msg])?;
    Ok(0)
}

pub fn add_tlv_map(ctx: &mut Ctx, argv: &[String]) -> Result<i32, Fatal> {
    tlv_mod(ctx, argv, TlvCommand::Add)
}

pub fn del_tlv_map(ctx: &mut Ctx, argv: &[String]) -> Result<i32, Fatal> {
    let command = if argv.len() > 2 {
        TlvCommand::Delete
    } else {
        TlvCommand::Clear
    };
    tlv_mod(ctx, argv, command)
}
