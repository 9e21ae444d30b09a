//! The switch itself: 255 flow tables, ports, groups, meters, switch
//! configuration and per-connection session state, with the read API the
//! forwarding layer (ofproto-dpif) uses during translation. Request
//! handling lives in `handle` and the modules it dispatches to.

use std::collections::BTreeMap;
use std::sync::Arc;

use openflow::flow_match::key::FlowKey;
use openflow::msg::multipart::port::PortStats;
use openflow::port::PortNo;
use openflow::version::Version as OfVersion;

use crate::conn::{Conn, ConnKind};
use crate::group::GroupRef;
use crate::meter::MeterRef;
use crate::output::{ConnId, Effect, Output};
use crate::port::OfPort;
use crate::rule::RuleRef;
use crate::table::{FlowTable, Version};

/// Number of flow tables (0..=254).
pub const N_TABLES: u8 = 255;
/// The last table is the switch's own (hidden from OpenFlow, read-only).
pub const TABLE_INTERNAL: u8 = 254;

/// Where port statistics come from (the forwarding layer knows the devices).
pub type PortStatsSource = Arc<dyn Fn(PortNo) -> Option<PortStats> + Send + Sync>;

/// Switch description strings (OFPST_DESC).
#[derive(Clone, Debug)]
pub struct SwitchInfo {
    pub mfr_desc: String,
    pub hw_desc: String,
    pub sw_desc: String,
    pub serial_num: String,
    pub dp_desc: String,
}

impl Default for SwitchInfo {
    fn default() -> SwitchInfo {
        SwitchInfo {
            mfr_desc: "Nicira, Inc.".to_string(),
            hw_desc: "Open vSwitch".to_string(),
            sw_desc: "3.1.0".to_string(),
            serial_num: "None".to_string(),
            dp_desc: "None".to_string(),
        }
    }
}

/// One OpenFlow switch (one bridge).
pub struct Ofproto {
    pub(crate) name: String,
    pub(crate) datapath_id: u64,
    pub(crate) tables: Vec<FlowTable>,
    pub(crate) ports: BTreeMap<PortNo, OfPort>,
    pub(crate) groups: BTreeMap<u32, GroupRef>,
    pub(crate) meters: BTreeMap<u32, MeterRef>,
    /// Where meters are enforced (none: they count nothing and drop nothing).
    pub(crate) meter_provider: Option<Arc<dyn crate::meter::MeterProvider>>,
    pub(crate) conns: BTreeMap<ConnId, Conn>,
    /// OFPC_FRAG_* handling.
    pub(crate) frags: u16,
    pub(crate) invalid_ttl_to_controller: bool,
    /// The highest role-request generation id seen, if any.
    pub(crate) generation_id: Option<u64>,
    pub(crate) version: Version,
    pub(crate) info: SwitchInfo,
    pub(crate) port_stats: Option<PortStatsSource>,
    /// Asynchronous messages produced outside `handle` (port changes).
    pub(crate) pending: Vec<Output>,
    /// The request being handled (connection, xid), for flow monitors'
    /// "own changes" reports.
    pub(crate) current_request: Option<(ConnId, u32)>,
    /// A bundle commit is staging its changes in `version + 1`.
    pub(crate) staging: bool,
}

impl std::fmt::Debug for Ofproto {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ofproto")
            .field("name", &self.name)
            .field("datapath_id", &self.datapath_id)
            .finish_non_exhaustive()
    }
}

impl Ofproto {
    /// A switch named after its bridge, with empty tables.
    pub fn new(name: &str, datapath_id: u64) -> Ofproto {
        Ofproto {
            name: name.to_string(),
            datapath_id,
            tables: (0..N_TABLES).map(|_| FlowTable::new()).collect(),
            ports: BTreeMap::new(),
            groups: BTreeMap::new(),
            meters: BTreeMap::new(),
            meter_provider: None,
            conns: BTreeMap::new(),
            frags: openflow::msg::config::FRAG_NORMAL,
            invalid_ttl_to_controller: false,
            generation_id: None,
            version: 1,
            info: SwitchInfo::default(),
            port_stats: None,
            pending: Vec::new(),
            current_request: None,
            staging: false,
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn datapath_id(&self) -> u64 {
        self.datapath_id
    }

    pub fn set_datapath_id(&mut self, dpid: u64) {
        self.datapath_id = dpid;
    }

    pub fn set_info(&mut self, info: SwitchInfo) {
        self.info = info;
    }

    /// Hands meters to the forwarding layer; meters that exist already are
    /// installed there now.
    pub fn set_meter_provider(&mut self, provider: Arc<dyn crate::meter::MeterProvider>) {
        let ids: Vec<u32> = self.meters.keys().copied().collect();
        for id in ids {
            let Some(e) = self.meters.get(&id) else {
                continue;
            };
            let provider_id = provider.set(None, &e.meter, e.counters.clone());
            let entry = crate::meter::MeterEntry {
                meter: e.meter.clone(),
                created_ms: e.created_ms,
                counters: e.counters.clone(),
                provider_id,
            };
            self.meters.insert(id, Arc::new(entry));
        }
        self.meter_provider = Some(provider);
    }

    pub fn set_port_stats_source(&mut self, source: PortStatsSource) {
        self.port_stats = Some(source);
    }

    // ---- the forwarding layer's read API ------------------------------

    /// The current version: bumped by every change to tables, groups or
    /// meters (translation results are valid for one version).
    pub fn version(&self) -> Version {
        self.version
    }

    /// Highest-priority rule in `table_id` matching `key` among the rules
    /// visible in `version` (pass [`Ofproto::version`]: a bundle being
    /// committed is invisible until its commit is complete); ORs into `wc`
    /// the key bits the decision depended on.
    pub fn lookup(
        &self,
        table_id: u8,
        key: &FlowKey,
        version: Version,
        wc: Option<&mut FlowKey>,
    ) -> Option<RuleRef> {
        self.tables
            .get(usize::from(table_id))?
            .lookup_in(key, version, wc)
    }

    /// The table, for its miss config and lookup counters.
    pub fn table(&self, table_id: u8) -> Option<&FlowTable> {
        self.tables.get(usize::from(table_id))
    }

    /// A table's configuration (name, miss behaviour, eviction, max_flows),
    /// for the bridge layer's Flow_Table rows.
    pub fn table_config_mut(&mut self, table_id: u8) -> Option<&mut crate::table::TableConfig> {
        self.tables
            .get_mut(usize::from(table_id))
            .map(|t| &mut t.config)
    }

    pub fn n_tables(&self) -> u8 {
        N_TABLES
    }

    pub fn group(&self, group_id: u32) -> Option<GroupRef> {
        self.groups.get(&group_id).cloned()
    }

    pub fn meter(&self, meter_id: u32) -> Option<MeterRef> {
        self.meters.get(&meter_id).cloned()
    }

    pub fn port(&self, port_no: PortNo) -> Option<&OfPort> {
        self.ports.get(&port_no)
    }

    pub fn ports(&self) -> impl Iterator<Item = &OfPort> {
        self.ports.values()
    }

    /// OFPC_FRAG_* handling set by set-config.
    pub fn frag_handling(&self) -> u16 {
        self.frags
    }

    // ---- the bridge layer's port API ------------------------------------

    /// Adds (or replaces) a port; controllers get a port-status (ADD or MODIFY).
    pub fn add_port(&mut self, port: OfPort) {
        let reason = if self.ports.contains_key(&port.port_no()) {
            crate::conn::PPR_MODIFY
        } else {
            crate::conn::PPR_ADD
        };
        let desc = port.desc.clone();
        self.ports.insert(port.port_no(), port);
        let out = self.port_status(reason, &desc);
        self.pending.extend(out);
    }

    /// Removes a port; controllers get a port-status DELETE.
    pub fn remove_port(&mut self, port_no: PortNo) -> Option<OfPort> {
        let port = self.ports.remove(&port_no)?;
        let out = self.port_status(crate::conn::PPR_DELETE, &port.desc);
        self.pending.extend(out);
        Some(port)
    }

    /// Updates a port's state bits (link up/down, live): port-status MODIFY
    /// if they changed.
    pub fn set_port_state(&mut self, port_no: PortNo, state: u32) {
        let Some(p) = self.ports.get_mut(&port_no) else {
            return;
        };
        if p.desc.state == state {
            return;
        }
        p.desc.state = state;
        let desc = p.desc.clone();
        let out = self.port_status(crate::conn::PPR_MODIFY, &desc);
        self.pending.extend(out);
    }

    /// Messages produced since the last call outside of `handle`/`run`
    /// (port-status); connmgr delivers them.
    pub fn take_pending(&mut self) -> Vec<Output> {
        std::mem::take(&mut self.pending)
    }

    // ---- connections -----------------------------------------------------

    /// A connection finished hello negotiation with `version`.
    pub fn connect(&mut self, conn: ConnId, kind: ConnKind, version: OfVersion) {
        self.conns.insert(conn, Conn::new(kind, version));
    }

    /// A connection went away: its bundles are discarded (and the summary
    /// of its flow-mods logged).
    pub fn disconnect(&mut self, conn: ConnId) {
        if let Some(mut c) = self.conns.remove(&conn) {
            if let Some(text) = c.flow_mod_log.take_summary(crate::clock::now_ms()) {
                ovs_daemon::vlog::info!(crate::connmgr::CONNMGR_LOG, "{}: {text}", c.name);
            }
        }
    }

    /// Names connection `conn` in log lines ("br0<->unix#3").
    pub fn set_conn_name(&mut self, conn: ConnId, name: &str) {
        if let Some(c) = self.conns.get_mut(&conn) {
            c.name = name.to_string();
        }
    }

    /// The connection's state, if connected.
    pub fn conn(&self, conn: ConnId) -> Option<&Conn> {
        self.conns.get(&conn)
    }

    pub(crate) fn bump_version(&mut self, out: &mut Vec<Output>) {
        // A staged bundle commit publishes its version once, at the end.
        if !self.staging {
            self.version += 1;
        }
        if !out.contains(&Output::Effect(Effect::FlowsChanged)) {
            out.push(Output::Effect(Effect::FlowsChanged));
        }
    }
}
