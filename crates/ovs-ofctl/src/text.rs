//! The text syntax ovs-ofctl parses, from the `openflow` crate, in the
//! shapes the commands use (one place to adapt when the library changes).

use crate::names::TableMap;
use openflow::field::FieldId;
use openflow::flow_match::Match;
use openflow::flow_text;
use openflow::msg::flow_mod::{FlowMod, FlowModCommand};
use openflow::msg::group::{GROUP_ALL, GROUP_ANY};
use openflow::msg::monitor::{
    FlowMonitorRequest, FMC_ADD, FMF_ACTIONS, FMF_ADD, FMF_DELETE, FMF_INITIAL, FMF_MODIFY, FMF_OWN,
};
use openflow::msg::multipart::flow::FlowStatsRequest;
use openflow::msg::multipart::{MpRequest, MultipartRequest};
use openflow::msg::{self, Message};
use openflow::port::PortMap;
use openflow::port::PortNo;
use openflow::protocol::Protocols;
use openflow::Version;
use std::sync::atomic::{AtomicU32, Ordering};

/// One flow for `command` (`add-flow`, `mod-flows`, `del-flows`).
pub fn parse_flow_mod(
    s: &str,
    command: FlowModCommand,
    ports: Option<&PortMap>,
) -> Result<(FlowMod, Protocols), String> {
    flow_text::parse_flow_mod(s, command, ports)
}

/// The FLOW argument of `dump-flows`/`dump-aggregate`.
pub fn parse_flow_stats_request(
    s: &str,
    _aggregate: bool,
    ports: Option<&PortMap>,
) -> Result<(FlowStatsRequest, Protocols), String> {
    let (f, mut usable) = flow_text::parse_flow_filter(s, ports)?;
    // A statistics request carries its table id in every OpenFlow 1.0
    // flavor, so a table does not call for the "+table_id" ones.
    if usable.intersects(Protocols::OF10_STD_TID) {
        usable = usable.union(Protocols::OF10_STD);
    }
    if usable.intersects(Protocols::OF10_NXM_TID) {
        usable = usable.union(Protocols::OF10_NXM);
    }
    Ok((
        FlowStatsRequest {
            table_id: f.table_id,
            out_port: f.out_port,
            out_group: f.out_group,
            cookie: f.cookie,
            cookie_mask: f.cookie_mask,
            flow_match: f.m,
        },
        usable,
    ))
}

/// Monitor ids count up from 0 over the program's run.
static NEXT_MONITOR_ID: AtomicU32 = AtomicU32::new(0);

/// The `watch:` argument of `monitor` ("!initial,table=0,tcp,..."): the
/// encoded flow monitor request for `version` and the protocols that can
/// carry its match.
pub fn parse_flow_monitor_request(
    s: &str,
    ports: Option<&PortMap>,
    tables: Option<&TableMap>,
    version: Version,
) -> Result<(Vec<u8>, Protocols), String> {
    let mut req = FlowMonitorRequest {
        id: NEXT_MONITOR_ID.fetch_add(1, Ordering::Relaxed),
        flags: FMF_INITIAL | FMF_ADD | FMF_DELETE | FMF_MODIFY | FMF_OWN | FMF_ACTIONS,
        out_port: PortNo::NONE,
        out_group: GROUP_ANY,
        table_id: 0xff,
        command: FMC_ADD,
        flow_match: Match::default(),
    };
    for (name, value) in crate::kv::pairs(s) {
        let clear = match name {
            "!initial" => FMF_INITIAL,
            "!add" => FMF_ADD,
            "!delete" => FMF_DELETE,
            "!modify" => FMF_MODIFY,
            "!actions" => FMF_ACTIONS,
            "!own" => FMF_OWN,
            _ => 0,
        };
        if clear != 0 {
            req.flags &= !clear;
            continue;
        }
        let v = (!value.is_empty()).then_some(value);
        if req.flow_match.parse_item(name, v, ports)? {
            if FieldId::by_field_name(name).is_some()
                && !req
                    .flow_match
                    .usable_protocols()
                    .intersects(Protocols::OF10_ANY)
            {
                return Err(format!(
                    "{name}: match field is not supported for flow monitor"
                ));
            }
            continue;
        }
        if value.is_empty() {
            return Err(format!("{s}: field {name} missing value"));
        }
        match name {
            "table" => {
                req.table_id =
                    table_id(value, tables).ok_or_else(|| format!("unknown table \"{value}\""))?;
            }
            "out_port" => {
                req.out_port = PortNo(crate::commands::echo::atoi(value) as i32 as u16);
            }
            "out_group" => {
                req.out_group = group_id(value).ok_or_else(|| format!("unknown group: {value}"))?;
            }
            _ => return Err(format!("{s}: unknown keyword {name}")),
        }
    }
    let usable = req.flow_match.usable_protocols();
    let body = if version >= Version::Of13 {
        MpRequest::FlowMonitor(vec![req])
    } else {
        MpRequest::NxFlowMonitor(vec![req])
    };
    let msg = msg::encode(
        &Message::MultipartRequest(MultipartRequest::new(body)),
        crate::flow_format::initial_protocol(version),
        crate::vconn::alloc_xid(),
    );
    Ok((msg, usable))
}

/// A table argument: a number up to 255 or a name the switch gave.
fn table_id(s: &str, tables: Option<&TableMap>) -> Option<u8> {
    match crate::args::parse_uint(s) {
        Some(n) => u8::try_from(n).ok(),
        None => tables.and_then(|t| t.id(s)),
    }
}

/// A group argument: "all", "any" or a 32-bit number; anything else is
/// logged (as the reference does) and None.
pub fn group_id(s: &str) -> Option<u32> {
    if s.eq_ignore_ascii_case("all") {
        Some(GROUP_ALL)
    } else if s.eq_ignore_ascii_case("any") {
        Some(GROUP_ANY)
    } else {
        let g = crate::args::parse_uint(s);
        if g.is_none() {
            crate::log::group_warn(&format!(
                "{s} is not a valid group ID.  (Valid group IDs are 32-bit nonnegative \
                 integers or the keywords ANY or ALL.)"
            ));
        }
        g
    }
}
