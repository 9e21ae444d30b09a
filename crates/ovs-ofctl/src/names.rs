//! Port and table names of a switch, for `--names`: fetched once per switch
//! argument, each over its own connection as the reference does (its xids
//! show in the output), and only when a command needs them.

use crate::raw;
use crate::vconn::{alloc_xid, build, RawHeader, Vconn};
use crate::{Ctx, Fatal};
use openflow::port::PortMap;
use openflow::Version;
use std::collections::{BTreeMap, HashMap};

/// OFPT_FEATURES_REQUEST / OFPT_FEATURES_REPLY: the same in every version.
const OFPT_FEATURES_REQUEST: u8 = 5;

/// Table names by id (only tables the switch names).
#[derive(Clone, Debug, Default)]
pub struct TableMap {
    by_id: BTreeMap<u8, String>,
}

impl TableMap {
    pub fn insert(&mut self, id: u8, name: &str) {
        if !name.is_empty() {
            self.by_id.insert(id, name.to_string());
        }
    }

    pub fn name(&self, id: u8) -> Option<&str> {
        self.by_id.get(&id).map(String::as_str)
    }

    pub fn id(&self, name: &str) -> Option<u8> {
        self.by_id
            .iter()
            .find(|(_, n)| n.as_str() == name)
            .map(|(id, _)| *id)
    }

    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }
}

/// What has been fetched so far, by switch argument.
#[derive(Default)]
pub struct NameCache {
    /// Every port, for parsing ("in_port=br0" is LOCAL).
    ports: HashMap<String, PortMap>,
    /// Ordinary ports only, for printing: reserved ports keep their
    /// reserved names ("LOCAL", not the bridge's name).
    shown_ports: HashMap<String, PortMap>,
    tables: HashMap<String, TableMap>,
}

/// The ports of the switch at `vconn`: from the features reply in OpenFlow
/// 1.0-1.2 when they fit in it, else from a port description request.
pub fn fetch_ports(vconn: &mut Vconn) -> Result<Vec<raw::PortInfo>, Fatal> {
    let version = vconn.version();
    let name = vconn.name().to_string();
    let talking = |e: std::io::Error| Fatal::io(&format!("talking to {name}"), &e);
    if version < Version::Of13 {
        let request = build(version.wire(), OFPT_FEATURES_REQUEST, alloc_xid(), &[]);
        let reply = vconn.transact(request).map_err(talking)?;
        let port_size = if version == Version::Of10 { 48 } else { 64 };
        let fixed = 32;
        let h = RawHeader::of(&reply);
        let len = h.map_or(0, |h| usize::from(h.length));
        if len + port_size <= 0xffff {
            return Ok(raw::ports(version, reply.get(fixed..).unwrap_or(&[])));
        }
    }
    let body: &[u8] = match version {
        Version::Of10 => &[0xff, 0xff, 0, 0, 0, 0, 0, 0],
        Version::Of13 | Version::Of14 => &[],
        _ => &[0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0],
    };
    let request = raw::multipart_request(version, raw::MP_PORT_DESC, alloc_xid(), body);
    let mut ports = Vec::new();
    vconn.dump_multipart(request, |reply| {
        if raw::is_multipart_reply(reply) {
            ports.extend(raw::ports(version, raw::multipart_body(reply)));
        }
        Ok(())
    })?;
    Ok(ports)
}

/// The table names of the switch at `vconn`: from table stats in OpenFlow
/// 1.0-1.2, from table features later.
pub fn fetch_tables(vconn: &mut Vconn) -> Result<TableMap, Fatal> {
    let version = vconn.version();
    let mut map = TableMap::default();
    let mp_type = if version < Version::Of13 {
        raw::MP_TABLE
    } else {
        raw::MP_TABLE_FEATURES
    };
    let request = raw::multipart_request(version, mp_type, alloc_xid(), &[]);
    vconn.dump_multipart(request, |reply| {
        if raw::is_multipart_reply(reply) {
            let body = raw::multipart_body(reply);
            let names = if version < Version::Of13 {
                raw::table_names_from_stats(version, body)
            } else {
                raw::table_names_from_features(body)
            };
            for (id, n) in names {
                map.insert(id, &n);
            }
        }
        Ok(())
    })?;
    Ok(map)
}

/// Port names for parsing (None with `--no-names`).
pub fn ports_to_accept<'a>(ctx: &'a mut Ctx, switch: &str) -> Result<Option<&'a PortMap>, Fatal> {
    if !ctx.accept_names() {
        return Ok(None);
    }
    port_map(ctx, switch).map(Some)
}

/// Port names for printing (None unless names are shown).
pub fn ports_to_show<'a>(ctx: &'a mut Ctx, switch: &str) -> Result<Option<&'a PortMap>, Fatal> {
    if !ctx.show_names() {
        return Ok(None);
    }
    port_map(ctx, switch)?;
    Ok(ctx.names.shown_ports.get(switch))
}

/// Table names for parsing (None with `--no-names`).
pub fn tables_to_accept<'a>(ctx: &'a mut Ctx, switch: &str) -> Result<Option<&'a TableMap>, Fatal> {
    if !ctx.accept_names() {
        return Ok(None);
    }
    table_map(ctx, switch).map(Some)
}

/// Table names for printing (None unless names are shown).
pub fn tables_to_show<'a>(ctx: &'a mut Ctx, switch: &str) -> Result<Option<&'a TableMap>, Fatal> {
    if !ctx.show_names() {
        return Ok(None);
    }
    table_map(ctx, switch).map(Some)
}

fn port_map<'a>(ctx: &'a mut Ctx, switch: &str) -> Result<&'a PortMap, Fatal> {
    if !ctx.names.ports.contains_key(switch) {
        let mut vconn = ctx.open(switch)?;
        let mut map = PortMap::new();
        let mut shown = PortMap::new();
        for p in fetch_ports(&mut vconn)? {
            map.insert(&p.name, p.port_no);
            if p.port_no < openflow::port::PortNo::MAX {
                shown.insert(&p.name, p.port_no);
            }
        }
        ctx.names.ports.insert(switch.to_string(), map);
        ctx.names.shown_ports.insert(switch.to_string(), shown);
    }
    ctx.names
        .ports
        .get(switch)
        .ok_or_else(|| Fatal("port map missing".into()))
}

fn table_map<'a>(ctx: &'a mut Ctx, switch: &str) -> Result<&'a TableMap, Fatal> {
    if !ctx.names.tables.contains_key(switch) {
        let mut vconn = ctx.open(switch)?;
        let map = fetch_tables(&mut vconn)?;
        ctx.names.tables.insert(switch.to_string(), map);
    }
    ctx.names
        .tables
        .get(switch)
        .ok_or_else(|| Fatal("table map missing".into()))
}

/// Fetches both maps the way a flow parser does before parsing (tables
/// first, then ports: the order the reference's calls happen to run in).
pub fn prefetch_for_parsing(ctx: &mut Ctx, switch: &str, ports_first: bool) -> Result<(), Fatal> {
    if !ctx.accept_names() {
        return Ok(());
    }
    if ports_first {
        port_map(ctx, switch)?;
        table_map(ctx, switch)?;
    } else {
        table_map(ctx, switch)?;
        port_map(ctx, switch)?;
    }
    Ok(())
}

/// The cached port map for `switch`, if fetched and names are accepted.
pub fn cached_ports<'a>(ctx: &'a Ctx, switch: &str) -> Option<&'a PortMap> {
    if ctx.accept_names() {
        ctx.names.ports.get(switch)
    } else {
        None
    }
}
