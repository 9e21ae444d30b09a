//! Meter commands: `add-meter`, `mod-meter`, `del-meter(s)`, `dump-meter(s)`,
//! `meter-stats`, `meter-features`. Meters need OpenFlow 1.3 or later.

use crate::dump::{dump_transaction, transact_noreply};
use crate::flow_format::open_for_flow_mod;
use crate::vconn::alloc_xid;
use crate::{Ctx, Fatal};
use openflow::msg::meter::{
    parse_meter, Meter, MeterMod, MeterModCommand, MeterTextCommand, METER_ALL, METER_PROTOCOLS,
};
use openflow::msg::multipart::{MpRequest, MultipartRequest};
use openflow::msg::{self, Message};

fn meter_mod(ctx: &mut Ctx, argv: &[String], command: MeterModCommand) -> Result<i32, Fatal> {
    let (mm, usable) = match argv.get(2) {
        Some(s) => parse_meter(s, MeterTextCommand::Mod(command)).map_err(Fatal)?,
        None => (
            MeterMod {
                command,
                meter: Meter {
                    meter_id: METER_ALL,
                    flags: 0,
                    bands: Vec::new(),
                },
            },
            METER_PROTOCOLS,
        ),
    };
    let (mut vconn, protocol) = open_for_flow_mod(ctx, &argv[1], usable)?;
    let request = msg::encode(&Message::MeterMod(mm), protocol, alloc_xid());
    transact_noreply(ctx, &mut vconn, vec![request])?;
    Ok(0)
}

pub fn add_meter(ctx: &mut Ctx, argv: &[String]) -> Result<i32, Fatal> {
    meter_mod(ctx, argv, MeterModCommand::Add)
}

pub fn mod_meter(ctx: &mut Ctx, argv: &[String]) -> Result<i32, Fatal> {
    meter_mod(ctx, argv, MeterModCommand::Modify)
}

pub fn del_meters(ctx: &mut Ctx, argv: &[String]) -> Result<i32, Fatal> {
    meter_mod(ctx, argv, MeterModCommand::Delete)
}

#[derive(Clone, Copy)]
enum Query {
    Config,
    Stats,
    Features,
}

fn meter_request(ctx: &mut Ctx, argv: &[String], query: Query) -> Result<i32, Fatal> {
    let text = argv.get(2);
    // As the reference: no argument means all meters, an empty one meter 0.
    let meter_id = match text {
        None => METER_ALL,
        Some(s) if s.is_empty() => 0,
        Some(s) => {
            parse_meter(s, MeterTextCommand::Query)
                .map_err(Fatal)?
                .0
                .meter
                .meter_id
        }
    };
    let (mut vconn, protocol) = open_for_flow_mod(ctx, &argv[1], METER_PROTOCOLS)?;
    let body = match query {
        Query::Config => MpRequest::MeterConfig(meter_id),
        Query::Stats => MpRequest::Meter(meter_id),
        Query::Features => MpRequest::MeterFeatures,
    };
    let request = msg::encode(
        &Message::MultipartRequest(MultipartRequest::new(body)),
        protocol,
        alloc_xid(),
    );
    dump_transaction(ctx, &mut vconn, request)?;
    Ok(0)
}

pub fn dump_meters(ctx: &mut Ctx, argv: &[String]) -> Result<i32, Fatal> {
    meter_request(ctx, argv, Query::Config)
}

pub fn meter_stats(ctx: &mut Ctx, argv: &[String]) -> Result<i32, Fatal> {
    meter_request(ctx, argv, Query::Stats)
}

pub fn meter_features(ctx: &mut Ctx, argv: &[String]) -> Result<i32, Fatal> {
    meter_request(ctx, &argv[..2], Query::Features)
}
