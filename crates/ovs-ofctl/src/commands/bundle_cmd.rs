//! `bundle SWITCH FILE`: flow mods, group mods and packet-outs from a file
//! ("flow ...", "group ...", "packet-out ..." lines), applied as one
//! atomic, ordered bundle.

use crate::bundle::{bundle_transact, ATOMIC_ORDERED};
use crate::commands::flows::read_lines;
use crate::flow_format::open_for_flow_mod;
use crate::names;
use crate::proto_names::protocols_of_versions;
use crate::vconn::alloc_xid;
use crate::{Ctx, Fatal};
use openflow::flow_text::parse_flow_mod_line;
use openflow::msg::flow_mod::FlowMod;
use openflow::msg::group::{parse_group_mod, GroupMod, GroupTextCommand};
use openflow::msg::packet::{parse_packet_out, PacketOut};
use openflow::msg::{self, Message};
use openflow::port::PortMap;
use openflow::protocol::Protocols;
use openflow::{Version, VersionSet};

/// One line of a bundle file.
enum BundleMsg {
    Flow(FlowMod),
    Group(GroupMod),
    PacketOut(PacketOut),
}

fn parse_line(line: &str, ports: Option<&PortMap>) -> Result<(BundleMsg, Protocols), String> {
    let s = line.trim_start_matches([' ', '\t', '\r', '\n']);
    let len = s.find([',', ' ', '\t', '\r', '\n']).unwrap_or(s.len());
    let (kind, rest) = s.split_at(len);
    match kind {
        "flow" => parse_flow_mod_line(rest, ports).map(|(f, p)| (BundleMsg::Flow(f), p)),
        "group" => parse_group_mod(rest, GroupTextCommand::FromLine, ports)
            .map(|(g, p)| (BundleMsg::Group(g), p)),
        "packet-out" => parse_packet_out(rest, ports).map(|(po, p)| (BundleMsg::PacketOut(po), p)),
        _ => Err(format!("Unsupported bundle message type: {kind}")),
    }
}

fn encode(m: &BundleMsg, protocol: Protocols) -> Vec<u8> {
    let version = protocol.version().unwrap_or(Version::Of14);
    match m {
        BundleMsg::Flow(fm) => {
            let mut out = Vec::new();
            fm.encode(protocol, alloc_xid(), &mut out);
            out
        }
        BundleMsg::Group(gm) => msg::encode(&Message::GroupMod(gm.clone()), protocol, alloc_xid()),
        BundleMsg::PacketOut(po) => {
            let mut out = Vec::new();
            po.encode(version, alloc_xid(), &mut out);
            out
        }
    }
}

pub fn bundle(ctx: &mut Ctx, argv: &[String]) -> Result<i32, Fatal> {
    let switch = &argv[1];
    names::prefetch_for_parsing(ctx, switch, false)?;
    let ports = names::cached_ports(ctx, switch).cloned();
    let name = &argv[2];
    let lines = read_lines(name).map_err(|e| {
        Fatal(format!(
            "{name}: open failed ({})",
            crate::vconn::err_text(&e)
        ))
    })?;
    let mut usable = Protocols::ANY;
    let mut msgs = Vec::new();
    for (n, line) in lines {
        let (m, u) =
            parse_line(&line, ports.as_ref()).map_err(|e| Fatal(format!("{name}:{n}: {e}")))?;
        usable = usable.intersect(u);
        msgs.push(m);
    }
    // Bundles need OpenFlow 1.3 or later: without either enabled, 1.4 is.
    let of13_up = VersionSet(
        VersionSet::single(Version::Of13).0
            | VersionSet::single(Version::Of14).0
            | VersionSet::single(Version::Of15).0,
    );
    if ctx.opts.allowed_versions.intersect(of13_up).is_empty() {
        ctx.opts.allowed_versions = VersionSet::single(Version::Of14);
        ctx.opts.allowed_protocols = protocols_of_versions(ctx.opts.allowed_versions);
    }
    let usable = usable.intersect(Protocols::OXM_ANY.remove(Protocols::OF12_OXM));
    let (mut vconn, protocol) = open_for_flow_mod(ctx, switch, usable)?;
    let requests: Vec<Vec<u8>> = msgs.iter().map(|m| encode(m, protocol)).collect();
    bundle_transact(ctx, &mut vconn, &requests, ATOMIC_ORDERED)?;
    Ok(0)
}
