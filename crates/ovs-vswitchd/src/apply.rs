//! Carrying out a reconfiguration [`Plan`] through a [`Backend`]: OpenFlow port
//! numbers (`ofport_request` when the number is free, otherwise the next
//! automatic one, see [`crate::ofport`]), the bridge's MAC and datapath ID, the
//! log lines the reference writes, and the record of what runs and what failed.

use crate::backend::{Backend, OFPP_LOCAL};
use crate::config::{format_mac, BridgeConfig, SwitchConfig};
use crate::diff::{plan, Plan, Running, RunningBridge, RunningIface};
use crate::log::BRIDGE;
use crate::ofport::OfportNumbering;
use ovs_daemon::vlog;
use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

/// Reconfiguration passes at most per database change: the first applies it,
/// the next ones only move interfaces to the port numbers they asked for (see
/// [`crate::diff::Plan::renumber`]); one more is enough, the rest is a guard.
const MAX_PASSES: usize = 4;

/// The switch: the backend plus what has been set up through it.
pub struct Switch<B: Backend> {
    pub backend: B,
    pub running: Running,
    /// Number of reconfigurations carried out (coverage `bridge_reconfigure`).
    pub reconfigurations: u64,
}

/// The MAC of a bridge: `other_config:hwaddr`, else the local interface's `mac`,
/// else one derived from the bridge's UUID (locally administered, unicast, stable
/// across restarts like the reference's MAC of an existing internal device).
pub fn bridge_hwaddr(cfg: &BridgeConfig) -> [u8; 6] {
    if let Some(mac) = cfg.hwaddr {
        return mac;
    }
    let local = cfg
        .ports
        .get(&cfg.name)
        .and_then(|p| p.interfaces.get(&cfg.name))
        .and_then(|i| i.mac);
    if let Some(mac) = local {
        return mac;
    }
    let b = cfg.uuid.as_bytes();
    [(b[0] & 0xfc) | 0x02, b[1], b[2], b[3], b[4], b[5]]
}

/// The datapath ID: `other_config:datapath-id`, else the bridge MAC in the low 48 bits.
pub fn datapath_id(cfg: &BridgeConfig, hwaddr: &[u8; 6]) -> u64 {
    cfg.datapath_id.unwrap_or_else(|| {
        hwaddr
            .iter()
            .fold(0u64, |acc, &b| (acc << 8) | u64::from(b))
    })
}

impl<B: Backend> Switch<B> {
    pub fn new(backend: B) -> Switch<B> {
        Switch {
            backend,
            running: Running::default(),
            reconfigurations: 0,
        }
    }

    /// Brings what runs in line with `desired`; returns the plan that was carried out.
    pub fn reconfigure(&mut self, desired: &SwitchConfig) -> Plan {
        for w in &desired.warnings {
            vlog::warn!(BRIDGE, "{w}");
        }
        self.backend
            .set_pmd_cpu_mask(desired.pmd_cpu_mask.as_deref());
        let first = plan(&self.running, desired);
        self.reconfigurations += 1;
        self.carry_out(&first, desired);
        // Interfaces added just now got an automatic number if the one they asked
        // for was held; like the reference (whose write-back of `ofport` triggers
        // another reconfiguration), a second pass moves them there if the holder
        // only had it automatically. Done before `cur_cfg` is reported.
        for _ in 1..MAX_PASSES {
            let next = plan(&self.running, desired);
            if next.renumber.is_empty() {
                break;
            }
            self.carry_out(&next, desired);
        }
        // Interfaces gone from the database no longer have an error to report.
        let wanted: BTreeSet<&str> = desired
            .bridges
            .values()
            .flat_map(|b| b.interfaces().map(|(_, i)| i.name.as_str()))
            .collect();
        self.running
            .failed
            .retain(|n, _| wanted.contains(n.as_str()));
        first
    }

    fn carry_out(&mut self, plan: &Plan, desired: &SwitchConfig) {
        self.delete(plan);
        self.create(plan, desired);
        for (name, want) in &desired.bridges {
            if let Some(rb) = self.running.bridges.get_mut(name) {
                rb.cfg = want.clone();
            }
        }
    }

    fn delete(&mut self, plan: &Plan) {
        for (bridge, iface) in &plan.del_ifaces {
            self.del_iface(bridge, iface);
        }
        for (bridge, port) in &plan.del_ports {
            self.backend.del_port(bridge, port);
        }
        for bridge in &plan.del_bridges {
            let Some(rb) = self.running.bridges.get(bridge) else {
                continue;
            };
            let ifaces: Vec<String> = rb.ifaces.keys().cloned().collect();
            let ports: Vec<String> = rb.cfg.ports.keys().cloned().collect();
            for iface in ifaces {
                self.del_iface(bridge, &iface);
            }
            for port in ports {
                self.backend.del_port(bridge, &port);
            }
            self.backend.del_bridge(bridge);
            self.running.bridges.remove(bridge);
        }
    }

    fn del_iface(&mut self, bridge: &str, iface: &str) {
        let Some(rb) = self.running.bridges.get_mut(bridge) else {
            return;
        };
        let Some(ri) = rb.ifaces.remove(iface) else {
            return;
        };
        rb.ofports.remove(&ri.ofport);
        if ri.ofport != OFPP_LOCAL {
            rb.numbering.release(ri.ofport, Instant::now());
        }
        self.backend.del_interface(bridge, iface);
        vlog::info!(
            BRIDGE,
            "bridge {bridge}: deleted interface {iface} on port {}",
            ri.ofport
        );
    }

    fn create(&mut self, plan: &Plan, desired: &SwitchConfig) {
        for name in &plan.add_bridges {
            let Some(want) = desired.bridges.get(name) else {
                continue;
            };
            let hwaddr = bridge_hwaddr(want);
            let dpid = datapath_id(want, &hwaddr);
            if let Err(e) = self.backend.add_bridge(want, dpid, hwaddr) {
                vlog::err!(BRIDGE, "failed to create bridge {name}: {e}");
                continue;
            }
            self.running.bridges.insert(
                name.clone(),
                RunningBridge {
                    cfg: want.clone(),
                    datapath_id: dpid,
                    hwaddr,
                    ifaces: BTreeMap::new(),
                    ofports: BTreeMap::new(),
                    numbering: OfportNumbering::default(),
                },
            );
        }
        for name in &plan.update_bridges {
            let (Some(want), Some(rb)) = (
                desired.bridges.get(name),
                self.running.bridges.get_mut(name),
            ) else {
                continue;
            };
            let hwaddr = bridge_hwaddr(want);
            let dpid = datapath_id(want, &hwaddr);
            if dpid != rb.datapath_id {
                vlog::info!(BRIDGE, "bridge {name}: using datapath ID {dpid:016x}");
            }
            rb.datapath_id = dpid;
            rb.hwaddr = hwaddr;
            self.backend.update_bridge(want, dpid, hwaddr);
        }
        for (bridge, port, iface) in &plan.add_ifaces {
            self.add_iface(desired, bridge, port, iface);
        }
        // Like the reference, a new bridge reports its datapath ID once its
        // interfaces are in place.
        for name in &plan.add_bridges {
            if let Some(rb) = self.running.bridges.get(name) {
                vlog::info!(
                    BRIDGE,
                    "bridge {name}: using datapath ID {:016x}",
                    rb.datapath_id
                );
            }
        }
        for (bridge, port) in &plan.set_ports {
            let (Some(want), Some(rb)) = (
                desired.bridges.get(bridge).and_then(|b| b.ports.get(port)),
                self.running.bridges.get(bridge),
            ) else {
                continue;
            };
            let ofports: Vec<u16> = want
                .interfaces
                .keys()
                .filter_map(|i| rb.ifaces.get(i).map(|ri| ri.ofport))
                .collect();
            self.backend.set_port(bridge, want, &ofports);
        }
    }

    fn add_iface(&mut self, desired: &SwitchConfig, bridge: &str, port: &str, iface: &str) {
        let Some(want_bridge) = desired.bridges.get(bridge) else {
            return;
        };
        let Some(want) = want_bridge
            .ports
            .get(port)
            .and_then(|p| p.interfaces.get(iface))
        else {
            return;
        };
        let Some(rb) = self.running.bridges.get_mut(bridge) else {
            return;
        };
        let pick = if iface == bridge {
            None
        } else {
            let used = &rb.ofports;
            let pick = rb.numbering.pick(
                want.ofport_request,
                |p| used.contains_key(&p),
                Instant::now(),
            );
            match pick {
                Some(p) => Some(p),
                None => {
                    let e = format!("bridge {bridge}: no free OpenFlow port for {iface}");
                    vlog::warn!(BRIDGE, "{e}");
                    self.running.failed.insert(iface.to_owned(), e);
                    return;
                }
            }
        };
        let ofport = pick.map_or(OFPP_LOCAL, |p| p.ofport);
        let mut cfg = want.clone();
        if ofport == OFPP_LOCAL {
            // The local port carries the bridge's MAC.
            cfg.mac = Some(rb.hwaddr);
        }
        match self.backend.add_interface(bridge, port, &cfg, ofport) {
            Ok(()) => {
                if let Some(p) = pick {
                    rb.numbering.take(p);
                }
                rb.ofports.insert(ofport, iface.to_owned());
                rb.ifaces.insert(
                    iface.to_owned(),
                    RunningIface {
                        port: port.to_owned(),
                        cfg: want.clone(),
                        ofport,
                    },
                );
                self.running.failed.remove(iface);
                vlog::info!(
                    BRIDGE,
                    "bridge {bridge}: added interface {iface} on port {ofport}"
                );
            }
            Err(e) => {
                vlog::warn!(BRIDGE, "{e}");
                self.running.failed.insert(iface.to_owned(), e);
            }
        }
    }

    /// (bridge, OpenFlow port) of a running interface.
    pub fn iface_location(&self, iface: &str) -> Option<(&str, u16)> {
        self.running
            .bridges
            .iter()
            .find_map(|(b, rb)| rb.ifaces.get(iface).map(|ri| (b.as_str(), ri.ofport)))
    }

    /// The bridge MAC as the database and logs show it.
    pub fn bridge_mac_text(&self, bridge: &str) -> Option<String> {
        self.running
            .bridges
            .get(bridge)
            .map(|rb| format_mac(&rb.hwaddr))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::backend::{ControllerState, InterfaceState};
    use crate::config::tests::{one_bridge, replica_from};
    use crate::config::{from_replica, InterfaceConfig, PortConfig};

    /// Records calls; fails interfaces whose type is not dummy/internal/patch/system.
    #[derive(Default)]
    pub struct Recorder {
        pub calls: Vec<String>,
    }

    impl Backend for Recorder {
        fn add_bridge(&mut self, cfg: &BridgeConfig, dpid: u64, _: [u8; 6]) -> Result<(), String> {
            self.calls
                .push(format!("add_bridge {} {dpid:016x}", cfg.name));
            Ok(())
        }
        fn update_bridge(&mut self, cfg: &BridgeConfig, _: u64, _: [u8; 6]) {
            self.calls.push(format!("update_bridge {}", cfg.name));
        }
        fn del_bridge(&mut self, name: &str) {
            self.calls.push(format!("del_bridge {name}"));
        }
        fn add_interface(
            &mut self,
            bridge: &str,
            _port: &str,
            iface: &InterfaceConfig,
            ofport: u16,
        ) -> Result<(), String> {
            if !["dummy", "internal", "patch", "system"].contains(&iface.netdev_kind()) {
                return Err(format!(
                    "could not open network device {} (Address family not supported by protocol)",
                    iface.name
                ));
            }
            self.calls
                .push(format!("add_interface {bridge} {} {ofport}", iface.name));
            Ok(())
        }
        fn del_interface(&mut self, bridge: &str, iface: &str) {
            self.calls.push(format!("del_interface {bridge} {iface}"));
        }
        fn set_port(&mut self, bridge: &str, port: &PortConfig, ofports: &[u16]) {
            self.calls
                .push(format!("set_port {bridge} {} {ofports:?}", port.name));
        }
        fn del_port(&mut self, bridge: &str, port: &str) {
            self.calls.push(format!("del_port {bridge} {port}"));
        }
        fn interface_state(&self, _: &str, _: &str) -> InterfaceState {
            InterfaceState::default()
        }
        fn controller_states(&self, _: &str) -> BTreeMap<String, ControllerState> {
            BTreeMap::new()
        }
    }

    fn cfg(next: i64, ports: &[(&str, &str, Option<i64>)]) -> SwitchConfig {
        from_replica(&replica_from(&one_bridge(next, ports)))
    }

    fn ofport(sw: &Switch<Recorder>, iface: &str) -> Option<u16> {
        sw.iface_location(iface).map(|(_, p)| p)
    }

    #[test]
    fn requests_are_honoured_and_conflicts_get_the_next_automatic_port() {
        let mut sw = Switch::new(Recorder::default());
        sw.reconfigure(&cfg(1, &[("p1", "dummy", Some(1))]));
        assert_eq!(ofport(&sw, "p1"), Some(1));
        assert_eq!(ofport(&sw, "br0"), Some(OFPP_LOCAL));
        // p2 asks for p1's number: it gets an automatic one, p1 keeps its own.
        sw.reconfigure(&cfg(
            2,
            &[("p1", "dummy", Some(1)), ("p2", "dummy", Some(1))],
        ));
        assert_eq!(ofport(&sw, "p1"), Some(1));
        assert_eq!(ofport(&sw, "p2"), Some(2));
        // Requested numbers are given before automatic ones.
        sw.reconfigure(&cfg(
            3,
            &[
                ("p1", "dummy", Some(1)),
                ("p2", "dummy", Some(1)),
                ("p4", "dummy", Some(3)),
                ("p3", "dummy", None),
            ],
        ));
        assert_eq!(ofport(&sw, "p4"), Some(3));
        assert_eq!(ofport(&sw, "p3"), Some(4));
        assert_eq!(sw.backend.calls[0], "add_bridge br0 0000000000000042");
    }

    #[test]
    fn changing_a_request_moves_the_port() {
        let mut sw = Switch::new(Recorder::default());
        sw.reconfigure(&cfg(1, &[("p1", "dummy", Some(1))]));
        sw.backend.calls.clear();
        sw.reconfigure(&cfg(2, &[("p1", "dummy", Some(10))]));
        assert_eq!(ofport(&sw, "p1"), Some(10));
        assert_eq!(sw.backend.calls[0], "del_interface br0 p1");
        assert_eq!(sw.backend.calls[1], "add_interface br0 p1 10");
    }

    /// `cfg`, but every interface keeps the row UUID it has in a configuration
    /// listing all of `everyone` (as database rows do when others come and go).
    fn cfg_rows(next: i64, ports: &[(&str, &str, Option<i64>)], everyone: &[&str]) -> SwitchConfig {
        let all: Vec<(&str, &str, Option<i64>)> =
            everyone.iter().map(|n| (*n, "dummy", None)).collect();
        let master = cfg(0, &all);
        let mut c = cfg(next, ports);
        for b in c.bridges.values_mut() {
            for port in b.ports.values_mut() {
                for i in port.interfaces.values_mut() {
                    if let Some(m) = master.bridges["br0"].ports[&i.name].interfaces.get(&i.name) {
                        i.uuid = m.uuid;
                    }
                }
            }
        }
        c
    }

    /// The numbers Open vSwitch 3.1 gave in this sequence (observed with
    /// datapath_type=netdev; switch-system's bad_input test compares the two
    /// switches live).
    #[test]
    fn numbering_follows_the_reference_through_moves_and_conflicts() {
        let names = ["qa", "qb", "qc", "qd", "qe", "qf", "qg", "qh", "qi"];
        let mut sw = Switch::new(Recorder::default());
        let mut next = 0;
        let mut step = |sw: &mut Switch<Recorder>, ports: &[(&str, &str, Option<i64>)]| {
            next += 1;
            sw.reconfigure(&cfg_rows(next, ports, &names));
        };
        let d = "dummy";
        step(&mut sw, &[("qa", d, Some(10))]);
        step(&mut sw, &[("qa", d, Some(10)), ("qb", d, Some(10))]);
        assert_eq!((ofport(&sw, "qa"), ofport(&sw, "qb")), (Some(10), Some(1)));
        // qa moves to a free number; qb follows into the one qa left.
        step(&mut sw, &[("qa", d, Some(11)), ("qb", d, Some(10))]);
        assert_eq!((ofport(&sw, "qa"), ofport(&sw, "qb")), (Some(11), Some(10)));
        // qb asks for qa's number, which qa asked for: nothing moves.
        sw.backend.calls.clear();
        step(&mut sw, &[("qa", d, Some(11)), ("qb", d, Some(11))]);
        assert_eq!((ofport(&sw, "qa"), ofport(&sw, "qb")), (Some(11), Some(10)));
        assert!(sw.backend.calls.iter().all(|c| !c.contains("interface")));
        // qa drops its request: its number is now automatic and qb's. qa gets
        // the next automatic number, 2, not 1 (freed above).
        step(&mut sw, &[("qa", d, None), ("qb", d, Some(11))]);
        assert_eq!((ofport(&sw, "qa"), ofport(&sw, "qb")), (Some(2), Some(11)));
        step(&mut sw, &[("qb", d, Some(11))]);
        let mut now = vec![
            ("qb", d, Some(11)),
            ("qc", d, Some(20)),
            ("qd", d, Some(20)),
        ];
        step(&mut sw, &now);
        assert_eq!((ofport(&sw, "qc"), ofport(&sw, "qd")), (Some(20), Some(3)));
        now.push(("qe", d, None));
        step(&mut sw, &now);
        assert_eq!(ofport(&sw, "qe"), Some(4));
        // qf asks for qe's automatic number: first 5, then qe gives 4 up.
        now.push(("qf", d, Some(4)));
        step(&mut sw, &now);
        assert_eq!((ofport(&sw, "qf"), ofport(&sw, "qe")), (Some(4), Some(6)));
        now.push(("qa", d, None));
        step(&mut sw, &now);
        assert_eq!(ofport(&sw, "qa"), Some(7));
        // qd (holding 20 by request) goes: qc moves there.
        now.retain(|p| p.0 != "qd");
        step(&mut sw, &now);
        assert_eq!(ofport(&sw, "qc"), Some(20));
        // qa asks for qe's automatic number.
        now.retain(|p| p.0 != "qa");
        now.push(("qa", d, Some(6)));
        step(&mut sw, &now);
        assert_eq!((ofport(&sw, "qa"), ofport(&sw, "qe")), (Some(6), Some(8)));
        // Re-added under the same name: a new number.
        now.retain(|p| p.0 != "qa");
        step(&mut sw, &now);
        now.push(("qa", d, None));
        step(&mut sw, &now);
        assert_eq!(ofport(&sw, "qa"), Some(9));
        // 10 was freed recently and 11 is in use: 12.
        now.retain(|p| p.0 != "qe");
        now.push(("qg", d, None));
        step(&mut sw, &now);
        assert_eq!(ofport(&sw, "qg"), Some(12));
        // A request of an interface that failed does not keep others away...
        now.push(("qh", "bogus", Some(13)));
        step(&mut sw, &now);
        now.push(("qi", d, None));
        step(&mut sw, &now);
        assert_eq!((ofport(&sw, "qh"), ofport(&sw, "qi")), (None, Some(13)));
        // ...until it comes up: then it claims the number.
        now.retain(|p| p.0 != "qh");
        now.push(("qh", d, Some(13)));
        step(&mut sw, &now);
        assert_eq!((ofport(&sw, "qh"), ofport(&sw, "qi")), (Some(13), Some(15)));
    }

    #[test]
    fn unknown_type_fails_with_the_reason_and_is_retried() {
        let mut sw = Switch::new(Recorder::default());
        sw.reconfigure(&cfg(1, &[("p3", "bogus", None)]));
        assert_eq!(ofport(&sw, "p3"), None);
        assert_eq!(
            sw.running.failed["p3"],
            "could not open network device p3 (Address family not supported by protocol)"
        );
        // Fixed in the database: it comes up.
        sw.reconfigure(&cfg(2, &[("p3", "dummy", None)]));
        assert!(ofport(&sw, "p3").is_some());
        assert!(sw.running.failed.is_empty());
    }

    #[test]
    fn deleting_everything_releases_ports_and_bridges() {
        let mut sw = Switch::new(Recorder::default());
        sw.reconfigure(&cfg(1, &[("p1", "dummy", None), ("p2", "dummy", None)]));
        sw.reconfigure(&cfg(2, &[("p1", "dummy", None)]));
        assert_eq!(ofport(&sw, "p2"), None);
        // The number is free again, but not handed out again at once.
        sw.reconfigure(&cfg(3, &[("p1", "dummy", None), ("p5", "dummy", None)]));
        assert_eq!(ofport(&sw, "p5"), Some(3));
        // A request for it is honoured.
        sw.reconfigure(&cfg(4, &[("p1", "dummy", None), ("p5", "dummy", Some(2))]));
        assert_eq!(ofport(&sw, "p5"), Some(2));
        sw.reconfigure(&SwitchConfig::default());
        assert!(sw.running.bridges.is_empty());
        assert_eq!(
            sw.backend.calls.last().map(String::as_str),
            Some("del_bridge br0")
        );
    }

    #[test]
    fn datapath_id_follows_the_mac_unless_configured() {
        let c = cfg(1, &[]);
        let mut b = c.bridges["br0"].clone();
        assert_eq!(datapath_id(&b, &[0, 0, 0, 0, 0, 1]), 0x42);
        b.datapath_id = None;
        assert_eq!(
            datapath_id(&b, &[0xae, 0x0e, 0x1e, 0x89, 0xd1, 0x48]),
            0xae0e1e89d148
        );
        b.hwaddr = Some([2, 0, 0, 0, 0, 9]);
        assert_eq!(bridge_hwaddr(&b), [2, 0, 0, 0, 0, 9]);
        b.hwaddr = None;
        let mac = bridge_hwaddr(&b);
        assert_eq!(mac[0] & 0x03, 0x02, "locally administered unicast");
    }
}
