//! The reference's cache of every bridge, port and interface, built as it builds
//! it (see [`super`]).

use super::{Br, IfaceRef, PortRef};
use crate::command::Failure;
use crate::db::Db;
use ovsdb::{Atom, Uuid};
use std::collections::{HashMap, HashSet};

// What the reference's cache is filled from: the values its library shows, which
// leave out changes made by `mutate` (and its cache is filled again only after a
// command emptied it).

fn string_seen(db: &Db, table: &str, u: &Uuid, column: &str) -> Result<String, Failure> {
    Ok(db
        .read(table, u, column)?
        .first()
        .and_then(Atom::as_str)
        .unwrap_or("")
        .to_owned())
}

fn uuids_seen(db: &Db, table: &str, u: &Uuid, column: &str) -> Result<Vec<Uuid>, Failure> {
    Ok(db
        .read(table, u, column)?
        .keys()
        .iter()
        .filter_map(Atom::as_uuid)
        .collect())
}

fn tag_seen(db: &Db, port: &Uuid) -> Result<Option<i64>, Failure> {
    Ok(db
        .read("Port", port, "tag")?
        .first()
        .and_then(Atom::as_i64)
        .filter(|t| (0..=4095).contains(t)))
}

fn fake_vlan_seen(db: &Db, port: &Uuid) -> Result<Option<i64>, Failure> {
    let fake = db.read("Port", port, "fake_bridge")?.first() == Some(&Atom::Boolean(true));
    Ok(if fake { tag_seen(db, port)? } else { None })
}

/// A bridge in the whole cache.
#[derive(Clone, Debug)]
struct BrNode {
    cfg: Option<Uuid>,
    parent: Option<String>,
    vlan: i64,
    /// Fake bridges by VLAN, the first of each VLAN only.
    children: Vec<(i64, String)>,
    /// Its ports, by name, in the order they were added.
    ports: Vec<String>,
}

#[derive(Clone, Debug)]
struct PortNode {
    row: Uuid,
    bridge: String,
    /// Its interfaces, by name, in the order they were added.
    ifaces: Vec<String>,
}

#[derive(Clone, Debug)]
struct IfaceNode {
    row: Uuid,
    port: String,
}

/// The reference's cache of the whole database.
#[derive(Clone, Debug, Default)]
pub struct Whole {
    bridges: HashMap<String, BrNode>,
    ports: HashMap<String, PortNode>,
    ifaces: HashMap<String, IfaceNode>,
}

/// A complaint about the database: (is an error, text).
pub(super) type Complaint = (bool, String);

impl Whole {
    /// Builds the cache in two passes over the bridges the Open_vSwitch row lists,
    /// in UUID order: bridges (real, then each fake one as its port is met) first,
    /// ports and interfaces second. The first of two things with one name wins.
    pub(super) fn build(db: &Db, root: &Uuid) -> Result<(Whole, Vec<Complaint>), Failure> {
        let mut w = Whole::default();
        let mut complaints = Vec::new();
        let bridges = uuids_seen(db, "Open_vSwitch", root, "bridges")?;

        let mut bridge_names: HashSet<String> = HashSet::new();
        let mut port_names: HashSet<String> = HashSet::new();
        for b in &bridges {
            let name = string_seen(db, "Bridge", b, "name")?;
            if !bridge_names.insert(name.clone()) {
                complaints.push((
                    false,
                    format!("{name}: database contains duplicate bridge name"),
                ));
                continue;
            }
            w.add_bridge(Some(*b), &name, None, 0, &mut complaints);
            for p in uuids_seen(db, "Bridge", b, "ports")? {
                let port_name = string_seen(db, "Port", &p, "name")?;
                if !port_names.insert(port_name.clone()) {
                    continue;
                }
                if let Some(vlan) = fake_vlan_seen(db, &p)? {
                    if bridge_names.insert(port_name.clone()) {
                        w.add_bridge(None, &port_name, Some(&name), vlan, &mut complaints);
                    }
                }
            }
        }

        let mut bridge_names: HashSet<String> = HashSet::new();
        for b in &bridges {
            let name = string_seen(db, "Bridge", b, "name")?;
            if !bridge_names.insert(name.clone()) {
                continue;
            }
            for p in uuids_seen(db, "Bridge", b, "ports")? {
                let port_name = string_seen(db, "Port", &p, "name")?;
                if let Some(existing) = w.ports.get(&port_name) {
                    if existing.row == p {
                        complaints.push((
                            false,
                            format!(
                                "{port_name}: port is in multiple bridges ({name} and {})",
                                existing.bridge
                            ),
                        ));
                    } else {
                        complaints.push((
                            true,
                            format!("{port_name}: database contains duplicate port name"),
                        ));
                    }
                    continue;
                }
                if fake_vlan_seen(db, &p)?.is_some() && !bridge_names.insert(port_name.clone()) {
                    continue;
                }
                w.add_port(&name, p, &port_name, tag_seen(db, &p)?);
                for i in uuids_seen(db, "Port", &p, "interfaces")? {
                    let iface_name = string_seen(db, "Interface", &i, "name")?;
                    if let Some(existing) = w.ifaces.get(&iface_name) {
                        if existing.row == i {
                            complaints.push((
                                false,
                                format!(
                                    "{iface_name}: interface is in multiple ports ({} and \
                                     {port_name})",
                                    existing.port
                                ),
                            ));
                        } else {
                            complaints.push((
                                true,
                                format!("{iface_name}: database contains duplicate interface name"),
                            ));
                        }
                        continue;
                    }
                    w.add_iface(&port_name, i, &iface_name);
                }
            }
        }
        Ok((w, complaints))
    }

    fn add_bridge(
        &mut self,
        cfg: Option<Uuid>,
        name: &str,
        parent: Option<&str>,
        vlan: i64,
        complaints: &mut Vec<Complaint>,
    ) {
        if let Some(parent) = parent {
            match self.vlan_child(parent, vlan) {
                Some(conflict) => complaints.push((
                    false,
                    format!(
                        "{parent}: bridge has multiple VLAN bridges ({name} and {conflict}) for \
                         VLAN {vlan}, but only one is allowed"
                    ),
                )),
                None => {
                    if let Some(p) = self.bridges.get_mut(parent) {
                        p.children.push((vlan, name.to_owned()));
                    }
                }
            }
        }
        self.bridges.insert(
            name.to_owned(),
            BrNode {
                cfg,
                parent: parent.map(str::to_owned),
                vlan,
                children: Vec::new(),
                ports: Vec::new(),
            },
        );
    }

    /// Adds a port to bridge `parent`, or to its fake bridge on the port's VLAN.
    pub(super) fn add_port(&mut self, parent: &str, row: Uuid, name: &str, tag: Option<i64>) {
        let mut bridge = parent.to_owned();
        if let Some(child) = tag.and_then(|t| self.vlan_child(parent, t)) {
            bridge = child.to_owned();
        }
        if let Some(b) = self.bridges.get_mut(&bridge) {
            b.ports.push(name.to_owned());
        }
        self.ports.insert(
            name.to_owned(),
            PortNode {
                row,
                bridge,
                ifaces: Vec::new(),
            },
        );
    }

    pub(super) fn vlan_child(&self, parent: &str, vlan: i64) -> Option<&str> {
        self.bridges
            .get(parent)?
            .children
            .iter()
            .find(|(v, _)| *v == vlan)
            .map(|(_, n)| n.as_str())
    }

    /// The bridge called `name`.
    pub(super) fn bridge(&self, name: &str) -> Option<Br> {
        let node = self.bridges.get(name)?;
        let parent = node
            .parent
            .as_deref()
            .and_then(|p| self.bridge(p))
            .map(Box::new);
        Some(Br {
            name: name.to_owned(),
            cfg: node.cfg,
            parent,
            vlan: node.vlan,
        })
    }

    /// Every bridge, by name.
    pub(super) fn bridges(&self) -> Vec<Br> {
        self.bridges.keys().filter_map(|n| self.bridge(n)).collect()
    }

    /// The fake bridges of bridge `name`.
    pub(super) fn children(&self, name: &str) -> Vec<Br> {
        self.bridges
            .get(name)
            .map(|b| {
                b.children
                    .iter()
                    .filter_map(|(_, c)| self.bridge(c))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The ports on bridge `name`, in the order the cache added them.
    pub(super) fn ports_on(&self, name: &str) -> Vec<PortRef> {
        self.bridges
            .get(name)
            .map(|b| b.ports.iter().filter_map(|p| self.port(p)).collect())
            .unwrap_or_default()
    }

    /// The rows of the interfaces of port `name`.
    pub(super) fn iface_rows(&self, port: &str) -> Vec<Uuid> {
        self.iface_names(port)
            .iter()
            .filter_map(|i| self.ifaces.get(i).map(|n| n.row))
            .collect()
    }

    pub(super) fn add_iface(&mut self, port: &str, row: Uuid, name: &str) {
        self.ifaces.insert(
            name.to_owned(),
            IfaceNode {
                row,
                port: port.to_owned(),
            },
        );
        if let Some(p) = self.ports.get_mut(port) {
            p.ifaces.push(name.to_owned());
        }
    }

    pub(super) fn del_iface(&mut self, name: &str) {
        if let Some(node) = self.ifaces.remove(name) {
            if let Some(p) = self.ports.get_mut(&node.port) {
                p.ifaces.retain(|i| i != name);
            }
        }
    }

    pub(super) fn del_port(&mut self, name: &str) {
        if let Some(node) = self.ports.remove(name) {
            for i in &node.ifaces {
                self.ifaces.remove(i);
            }
            if let Some(b) = self.bridges.get_mut(&node.bridge) {
                b.ports.retain(|p| p != name);
            }
        }
    }

    pub(super) fn del_ports_on(&mut self, bridge: &str) {
        let ports = match self.bridges.get_mut(bridge) {
            Some(b) => std::mem::take(&mut b.ports),
            None => return,
        };
        for p in ports {
            if let Some(node) = self.ports.remove(&p) {
                for i in &node.ifaces {
                    self.ifaces.remove(i);
                }
            }
        }
    }

    pub(super) fn del_bridge(&mut self, name: &str) {
        if let Some(node) = self.bridges.remove(name) {
            if let Some(parent) = node.parent.and_then(|p| self.bridges.get_mut(&p)) {
                parent.children.retain(|(_, c)| c != name);
            }
        }
    }

    /// The names of the interfaces of port `name`.
    pub(super) fn iface_names(&self, port: &str) -> Vec<String> {
        self.ports
            .get(port)
            .map(|p| p.ifaces.clone())
            .unwrap_or_default()
    }

    pub(super) fn port(&self, name: &str) -> Option<PortRef> {
        let node = self.ports.get(name)?;
        Some(PortRef {
            row: node.row,
            name: name.to_owned(),
            br: self.bridge(&node.bridge)?,
        })
    }

    pub(super) fn iface(&self, name: &str) -> Option<IfaceRef> {
        let node = self.ifaces.get(name)?;
        Some(IfaceRef {
            row: node.row,
            name: name.to_owned(),
            port: self.port(&node.port)?,
        })
    }
}
