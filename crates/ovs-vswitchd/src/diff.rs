//! What runs now ([`Running`]) and what has to change to match a desired
//! [`SwitchConfig`] ([`Plan`]): deletions first (so names and port numbers are free
//! again), then creations. Pure, so the decisions are unit-tested.

use crate::config::{BridgeConfig, InterfaceConfig, SwitchConfig};
use crate::ofport::OfportNumbering;
use std::collections::{BTreeMap, BTreeSet};

/// An interface that is set up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunningIface {
    /// The port it belongs to.
    pub port: String,
    pub cfg: InterfaceConfig,
    pub ofport: u16,
}

/// A bridge that is set up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunningBridge {
    /// The configuration last applied (its `ports` as desired then, including
    /// interfaces that failed).
    pub cfg: BridgeConfig,
    pub datapath_id: u64,
    pub hwaddr: [u8; 6],
    pub ifaces: BTreeMap<String, RunningIface>,
    /// OpenFlow port number -> interface name.
    pub ofports: BTreeMap<u16, String>,
    /// How automatic OpenFlow port numbers are chosen on this bridge.
    pub numbering: OfportNumbering,
}

/// Everything that is set up, plus the interfaces that could not be.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Running {
    pub bridges: BTreeMap<String, RunningBridge>,
    /// Interface name -> why it could not be set up (retried on every reconfiguration,
    /// like the reference).
    pub failed: BTreeMap<String, String>,
}

/// The steps of one reconfiguration, in the order they are carried out.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Plan {
    /// Bridges to delete whole (gone, or their datapath type changed).
    pub del_bridges: Vec<String>,
    /// (bridge, interface) on bridges that stay.
    pub del_ifaces: Vec<(String, String)>,
    /// (bridge, port) on bridges that stay.
    pub del_ports: Vec<(String, String)>,
    pub add_bridges: Vec<String>,
    /// Bridges that stay but whose own settings changed.
    pub update_bridges: Vec<String>,
    /// (bridge, port, interface); interfaces with an `ofport_request` come first, so
    /// they get their number before others are numbered.
    pub add_ifaces: Vec<(String, String, String)>,
    /// (bridge, port) whose definition (VLANs, members) is new or changed.
    pub set_ports: Vec<(String, String)>,
    /// (bridge, interface): the part of `del_ifaces` deleted only to give the
    /// interface another OpenFlow port number (added again in `add_ifaces`).
    pub renumber: Vec<(String, String)>,
}

impl Plan {
    pub fn is_empty(&self) -> bool {
        *self == Plan::default()
    }
}

/// Whether a running interface must be deleted and set up again for `want`
/// (ignoring `ofport_request`, see [`renumbering`]).
fn needs_recreate(run: &RunningIface, port: &str, want: &InterfaceConfig) -> bool {
    run.port != port
        || run.cfg.kind != want.kind
        || run.cfg.options != want.options
        || run.cfg.mac != want.mac
        || run.cfg.uuid != want.uuid
}

/// The running interfaces of `rb` that must be deleted and added again only to
/// change their OpenFlow port number (see [`Plan::renumber`]), given the
/// interfaces `deleted` anyway. As the reference does (observed with Open vSwitch
/// 3.1, and `ofport_request` in ovs-vswitchd.conf.db(5)):
/// - a port whose number was assigned automatically (it did not ask for it) and
///   which another running interface asks for gives it up and is renumbered;
/// - an interface whose requested number is free, or is freed in this
///   reconfiguration, moves there; while an interface that asked for the same
///   number holds it, the request stays unmet and nothing moves.
///
/// Interfaces being added in this reconfiguration do not take part: they get
/// their requested number if it is free and an automatic one otherwise, and claim
/// the requested number in the next reconfiguration (the reference's order, and
/// so its numbering, exactly).
fn renumbering(rb: &RunningBridge, want: &BridgeConfig, deleted: &BTreeSet<String>) -> Vec<String> {
    // Running interfaces that stay and ask for a number they do not have.
    let unmet: Vec<(&str, u16)> = rb
        .ifaces
        .iter()
        .filter(|(name, _)| !deleted.contains(*name))
        .filter_map(|(name, ri)| {
            let wi = want.ports.get(&ri.port)?.interfaces.get(name)?;
            let r = wi.ofport_request.filter(|&r| r != ri.ofport)?;
            Some((name.as_str(), r))
        })
        .collect();
    let claimed: BTreeSet<u16> = unmet.iter().map(|&(_, r)| r).collect();
    let mut gone: BTreeSet<&str> = deleted.iter().map(String::as_str).collect();
    let mut out = Vec::new();
    // Holders of a claimed number that did not ask for it themselves.
    for r in &claimed {
        let Some(holder) = rb.ofports.get(r) else {
            continue;
        };
        let asked = rb.ifaces.get(holder).and_then(|ri| {
            let wi = want.ports.get(&ri.port)?.interfaces.get(holder)?;
            wi.ofport_request
        });
        if asked != Some(*r) && !gone.contains(holder.as_str()) {
            gone.insert(holder.as_str());
            out.push(holder.clone());
        }
    }
    // Unmet requests whose number is (or became) free, until nothing changes.
    let mut waiting = unmet;
    loop {
        let before = waiting.len();
        waiting.retain(|&(name, r)| {
            if gone.contains(name) {
                return false;
            }
            let free = rb
                .ofports
                .get(&r)
                .is_none_or(|holder| gone.contains(holder.as_str()));
            if free {
                gone.insert(name);
                out.push(name.to_owned());
            }
            !free
        });
        if waiting.len() == before {
            return out;
        }
    }
}

/// Computes the steps from `running` to `desired`.
pub fn plan(running: &Running, desired: &SwitchConfig) -> Plan {
    let mut p = Plan::default();
    for (name, rb) in &running.bridges {
        match desired.bridges.get(name) {
            Some(want)
                if want.datapath_type == rb.cfg.datapath_type && want.uuid == rb.cfg.uuid => {}
            _ => p.del_bridges.push(name.clone()),
        }
    }
    let mut requested = Vec::new();
    let mut others = Vec::new();
    for (name, want) in &desired.bridges {
        let kept = running
            .bridges
            .get(name)
            .filter(|_| !p.del_bridges.contains(name));
        match kept {
            None => p.add_bridges.push(name.clone()),
            Some(rb) => {
                if !rb.cfg.same_settings(want) {
                    p.update_bridges.push(name.clone());
                }
                let wanted = |iname: &str, ri: &RunningIface| {
                    want.ports
                        .get(&ri.port)
                        .and_then(|port| port.interfaces.get(iname))
                        .filter(|wi| !needs_recreate(ri, &ri.port, wi))
                };
                for (iname, ri) in &rb.ifaces {
                    if wanted(iname, ri).is_none() {
                        p.del_ifaces.push((name.clone(), iname.clone()));
                    }
                }
                let deleted: BTreeSet<String> = p
                    .del_ifaces
                    .iter()
                    .filter(|(b, _)| b == name)
                    .map(|(_, i)| i.clone())
                    .collect();
                for iname in renumbering(rb, want, &deleted) {
                    p.del_ifaces.push((name.clone(), iname.clone()));
                    p.renumber.push((name.clone(), iname));
                }
                for pname in rb.cfg.ports.keys() {
                    if !want.ports.contains_key(pname) {
                        p.del_ports.push((name.clone(), pname.clone()));
                    }
                }
            }
        }
        for (port, iface) in want.interfaces() {
            let running_ok = kept_iface(running, &p, name, &iface.name);
            if running_ok {
                continue;
            }
            let step = (name.clone(), port.name.clone(), iface.name.clone());
            if iface.ofport_request.is_some() {
                requested.push(step);
            } else {
                others.push(step);
            }
        }
        for (pname, port) in &want.ports {
            let old = kept.and_then(|rb| rb.cfg.ports.get(pname));
            let member_changed = port
                .interfaces
                .keys()
                .any(|i| !kept_iface(running, &p, name, i));
            if old != Some(port) || member_changed {
                p.set_ports.push((name.clone(), pname.clone()));
            }
        }
    }
    p.add_ifaces = requested;
    p.add_ifaces.extend(others);
    p
}

/// Whether interface `iface` of bridge `bridge` runs and stays running under `p`.
fn kept_iface(running: &Running, p: &Plan, bridge: &str, iface: &str) -> bool {
    running
        .bridges
        .get(bridge)
        .is_some_and(|rb| rb.ifaces.contains_key(iface))
        && !p.del_bridges.iter().any(|b| b == bridge)
        && !p.del_ifaces.iter().any(|(b, i)| b == bridge && i == iface)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::from_replica;
    use crate::config::tests::{one_bridge, replica_from};

    fn running_from(cfg: &SwitchConfig) -> Running {
        let mut r = Running::default();
        for (name, b) in &cfg.bridges {
            let mut rb = RunningBridge {
                cfg: b.clone(),
                datapath_id: 1,
                hwaddr: [0; 6],
                ifaces: BTreeMap::new(),
                ofports: BTreeMap::new(),
                numbering: OfportNumbering::default(),
            };
            for (n, (port, iface)) in b.interfaces().enumerate() {
                let ofport = iface.ofport_request.unwrap_or(100 + n as u16);
                rb.ofports.insert(ofport, iface.name.clone());
                rb.ifaces.insert(
                    iface.name.clone(),
                    RunningIface {
                        port: port.name.clone(),
                        cfg: iface.clone(),
                        ofport,
                    },
                );
            }
            r.bridges.insert(name.clone(), rb);
        }
        r
    }

    #[test]
    fn from_nothing_adds_bridge_then_requested_interfaces_first() {
        let want = from_replica(&replica_from(&one_bridge(
            1,
            &[("a", "dummy", None), ("b", "dummy", Some(5))],
        )));
        let p = plan(&Running::default(), &want);
        assert_eq!(p.add_bridges, ["br0"]);
        let order: Vec<&str> = p.add_ifaces.iter().map(|s| s.2.as_str()).collect();
        assert_eq!(order, ["b", "a", "br0"]);
        assert_eq!(p.set_ports.len(), 3);
        assert!(p.del_bridges.is_empty() && p.del_ifaces.is_empty());
    }

    #[test]
    fn unchanged_config_plans_nothing() {
        let want = from_replica(&replica_from(&one_bridge(1, &[("a", "dummy", None)])));
        let p = plan(&running_from(&want), &want);
        assert!(p.is_empty(), "{p:?}");
    }

    #[test]
    fn removed_port_is_deleted_and_others_untouched() {
        let before = from_replica(&replica_from(&one_bridge(
            1,
            &[("a", "dummy", None), ("b", "dummy", None)],
        )));
        let after = from_replica(&replica_from(&one_bridge(2, &[("a", "dummy", None)])));
        let p = plan(&running_from(&before), &after);
        assert_eq!(p.del_ifaces, [("br0".to_owned(), "b".to_owned())]);
        assert_eq!(p.del_ports, [("br0".to_owned(), "b".to_owned())]);
        assert!(p.add_ifaces.is_empty() && p.set_ports.is_empty() && p.add_bridges.is_empty());
    }

    #[test]
    fn type_or_request_change_recreates_the_interface() {
        let before = from_replica(&replica_from(&one_bridge(1, &[("a", "dummy", Some(1))])));
        let after = from_replica(&replica_from(&one_bridge(2, &[("a", "dummy", Some(7))])));
        let p = plan(&running_from(&before), &after);
        assert_eq!(p.del_ifaces, [("br0".to_owned(), "a".to_owned())]);
        assert_eq!(p.add_ifaces, [("br0".into(), "a".into(), "a".into())]);
        let after = from_replica(&replica_from(&one_bridge(2, &[("a", "internal", Some(1))])));
        let p = plan(&running_from(&before), &after);
        assert_eq!(p.del_ifaces.len(), 1);
    }

    /// Gives running interface `iface` port `ofport` instead.
    fn renumber(running: &mut Running, iface: &str, ofport: u16) {
        if let Some(rb) = running.bridges.get_mut("br0") {
            if let Some(ri) = rb.ifaces.get_mut(iface) {
                ri.ofport = ofport;
            }
            rb.ofports = rb
                .ifaces
                .iter()
                .map(|(name, ri)| (ri.ofport, name.clone()))
                .collect();
        }
    }

    fn pairs(v: &[(String, String)]) -> Vec<&str> {
        v.iter().map(|(_, i)| i.as_str()).collect()
    }

    #[test]
    fn unmet_request_waits_while_a_requester_holds_the_number() {
        let want = from_replica(&replica_from(&one_bridge(
            1,
            &[("a", "dummy", Some(1)), ("b", "dummy", Some(1))],
        )));
        let mut running = running_from(&want);
        // b got port 2 because a holds 1, which it asked for too.
        renumber(&mut running, "b", 2);
        assert!(plan(&running, &want).is_empty());
        // a gives 1 up by asking for 3: both move.
        let want = from_replica(&replica_from(&one_bridge(
            2,
            &[("a", "dummy", Some(3)), ("b", "dummy", Some(1))],
        )));
        let p = plan(&running, &want);
        assert_eq!(pairs(&p.renumber), ["a", "b"]);
        assert_eq!(p.del_ifaces, p.renumber);
        let adds: Vec<&str> = p.add_ifaces.iter().map(|s| s.2.as_str()).collect();
        assert_eq!(adds, ["a", "b"]);
        assert!(p.set_ports.iter().any(|(_, port)| port == "a"));
    }

    #[test]
    fn an_automatic_number_is_given_up_to_a_running_interface_asking_for_it() {
        let want = from_replica(&replica_from(&one_bridge(
            1,
            &[("a", "dummy", None), ("b", "dummy", Some(1))],
        )));
        let mut running = running_from(&want);
        renumber(&mut running, "a", 1);
        renumber(&mut running, "b", 2);
        let p = plan(&running, &want);
        // a holds 1 without asking for it: renumbered; b moves to 1.
        assert_eq!(pairs(&p.renumber), ["a", "b"]);
        let adds: Vec<&str> = p.add_ifaces.iter().map(|s| s.2.as_str()).collect();
        assert_eq!(adds, ["b", "a"], "requested numbers first");
    }

    #[test]
    fn a_deleted_holder_frees_the_number() {
        let before = from_replica(&replica_from(&one_bridge(
            1,
            &[("b", "dummy", Some(1)), ("c", "dummy", Some(1))],
        )));
        let mut running = running_from(&before);
        renumber(&mut running, "c", 2);
        // Same positions, so c's rows keep their UUIDs; b is gone.
        let after = from_replica(&replica_from(&one_bridge(
            2,
            &[("b", "bogus", Some(1)), ("c", "dummy", Some(1))],
        )));
        let p = plan(&running, &after);
        assert_eq!(pairs(&p.del_ifaces), ["b", "c"]);
        assert_eq!(pairs(&p.renumber), ["c"]);
    }

    #[test]
    fn failed_interfaces_are_retried() {
        let want = from_replica(&replica_from(&one_bridge(1, &[("a", "bogus", None)])));
        let mut running = running_from(&want);
        if let Some(rb) = running.bridges.get_mut("br0") {
            rb.ifaces.remove("a");
        }
        let p = plan(&running, &want);
        assert_eq!(p.add_ifaces, [("br0".into(), "a".into(), "a".into())]);
    }

    #[test]
    fn removed_bridge_is_deleted() {
        let before = from_replica(&replica_from(&one_bridge(1, &[])));
        let p = plan(&running_from(&before), &SwitchConfig::default());
        assert_eq!(p.del_bridges, ["br0"]);
        assert!(p.add_bridges.is_empty());
    }
}
