//! What translation knows of one bridge: its OpenFlow switch, MAC table,
//! ports (OpenFlow port <-> datapath port, patch peers) and bundles (Port
//! rows with their VLAN configuration), kept by the [`crate::backer::Backer`].

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, RwLock};

use openflow::port::PortNo;

use crate::mac_table::{BundleId, MacTable};
use crate::vlan::VlanConfig;

/// How the bridge's `Ofproto` is shared between translation (readers) and
/// connmgr / flow-mods (writers): ofproto's own alias.
pub use ofproto::connmgr::SharedOfproto;

/// What kind of interface a port is, as far as translation cares.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PortKind {
    /// A port with a datapath port number (system, internal, tap, dummy).
    Datapath(u32),
    /// A patch port to `peer` (an interface name) in any bridge of the backer.
    Patch { peer: String },
}

/// One OpenFlow port of a bridge.
#[derive(Clone, Debug)]
pub struct XPort {
    pub ofport: PortNo,
    pub name: String,
    pub kind: PortKind,
    /// The bundle (Port row) this interface belongs to.
    pub bundle: BundleId,
}

impl XPort {
    pub fn odp_port(&self) -> Option<u32> {
        match self.kind {
            PortKind::Datapath(n) => Some(n),
            PortKind::Patch { .. } => None,
        }
    }
}

/// One bundle (Port row): a name, its interfaces and its VLAN setup.
#[derive(Clone, Debug)]
pub struct XBundle {
    pub id: BundleId,
    pub name: String,
    pub members: Vec<PortNo>,
    pub vlan: VlanConfig,
}

/// One bridge.
pub struct BridgeState {
    pub name: String,
    pub ofproto: SharedOfproto,
    pub mac: Arc<Mutex<MacTable>>,
    pub ports: BTreeMap<PortNo, XPort>,
    /// OpenFlow ports in the order they were added (FLOOD walks a hash map
    /// filled in this order).
    pub port_order: Vec<PortNo>,
    /// In creation order: NORMAL floods in this order, as the reference does.
    pub bundles: Vec<XBundle>,
    /// `other_config:forward-bpdu`.
    pub forward_bpdu: bool,
}

impl BridgeState {
    pub fn new(name: &str, ofproto: SharedOfproto) -> BridgeState {
        BridgeState {
            name: name.to_string(),
            ofproto,
            mac: Arc::new(Mutex::new(MacTable::default())),
            ports: BTreeMap::new(),
            port_order: Vec::new(),
            bundles: Vec::new(),
            forward_bpdu: false,
        }
    }

    pub fn bundle(&self, id: BundleId) -> Option<&XBundle> {
        self.bundles.iter().find(|b| b.id == id)
    }

    pub fn bundle_of_port(&self, port: PortNo) -> Option<&XBundle> {
        let p = self.ports.get(&port)?;
        self.bundle(p.bundle)
    }

    /// The port with datapath number `odp`, if this bridge has it.
    pub fn port_by_odp(&self, odp: u32) -> Option<&XPort> {
        self.ports.values().find(|p| p.odp_port() == Some(odp))
    }

    pub fn port_by_name(&self, name: &str) -> Option<&XPort> {
        self.ports.values().find(|p| p.name == name)
    }
}

/// Locks a mutex even if a panicking thread poisoned it (the tables stay
/// consistent: every update is a single insert or remove).
pub fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

pub fn read<T>(m: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    m.read().unwrap_or_else(|e| e.into_inner())
}

pub fn write<T>(m: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    m.write().unwrap_or_else(|e| e.into_inner())
}
