//! The real [`Backend`]: interfaces are `netdev` devices attached to the userspace
//! `datapath` (one per datapath class: `dummy@ovs-dummy` for `datapath_type=dummy`
//! bridges, `netdev@ovs-netdev` for all others, as the reference has one backer per
//! type), each bridge an `ofproto` OpenFlow switch with its connection manager
//! (management socket `<rundir>/<bridge>.mgmt`, controllers, fail mode).
//! Forwarding decisions (upcalls) belong to the translation layer, plugged in
//! through [`Forwarder`].

use crate::backend::{Backend, CommandSpec, ControllerState, InterfaceState};
use crate::builtin::{check_kind, effective_kind};
use crate::config::{BridgeConfig, FailMode, InterfaceConfig, PortConfig};
use crate::dpif_text;
use crate::log::BRIDGE;
use crate::options::DummyMode;
use datapath::Datapath;
use ofproto::connmgr::{self, ConnMgr, EffectSink, SharedOfproto};
use ofproto::{Effect, OfPort, Ofproto};
use openflow::port::PortNo;
use openflow::version::{Version, VersionSet};
use ovs_daemon::vlog;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, RwLock};

/// What the translation layer (ofproto-dpif) does for the backend: it learns about
/// bridges and ports, answers the datapath's upcalls and executes OpenFlow effects.
/// Without one, packets that miss the datapath's flow table are dropped.
pub trait Forwarder: Send + Sync {
    fn add_bridge(
        &self,
        name: &str,
        ofproto: &SharedOfproto,
        connmgr: &Arc<ConnMgr>,
        dp: &Arc<Datapath>,
    );
    fn del_bridge(&self, name: &str);
    /// Bridge settings the translation uses (MAC table size and aging, ...).
    fn set_bridge(&self, cfg: &BridgeConfig);
    /// A port (bundle) and the OpenFlow/datapath numbers of its interfaces.
    fn set_port(&self, bridge: &str, port: &PortConfig, members: &[PortMember]);
    fn del_port(&self, bridge: &str, port: &str);
    /// Effects of OpenFlow requests (packet-out, flow table changes, port-mod).
    fn effects(&self, bridge: &str, effects: Vec<Effect>);
    /// Periodic work on the main thread (MAC aging, revalidation).
    fn run(&self) {}
    /// unixctl commands it serves.
    fn commands(&self) -> Vec<CommandSpec> {
        Vec::new()
    }
    fn command(&self, name: &str, _args: &[String]) -> Result<String, String> {
        Err(format!("\"{name}\" is not available"))
    }
}

/// One interface of a port, as the translation layer needs it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PortMember {
    pub name: String,
    pub ofport: u16,
    /// None for patch ports.
    pub odp_port: Option<u32>,
    /// `options:peer` of a patch port.
    pub peer: Option<String>,
    /// The device type as `dpif/show` prints it.
    pub kind: String,
}

/// Sends a bridge's OpenFlow effects to the forwarder.
struct Sink {
    bridge: String,
    forwarder: Option<Arc<dyn Forwarder>>,
}

impl EffectSink for Sink {
    fn effects(&self, effects: Vec<Effect>) {
        if let Some(f) = &self.forwarder {
            f.effects(&self.bridge, effects);
        }
    }
}

pub(crate) struct IfaceRt {
    pub ofport: u16,
    pub odp: Option<u32>,
    pub kind: String,
    pub options: BTreeMap<String, String>,
    /// Patch ports have no device; their MAC is made up.
    pub patch_mac: [u8; 6],
}

pub(crate) struct BridgeRt {
    pub dp: Arc<Datapath>,
    pub ofproto: SharedOfproto,
    pub connmgr: Arc<ConnMgr>,
    pub ifaces: BTreeMap<String, IfaceRt>,
}

/// The datapath-backed switch.
pub struct DpifBackend {
    dummy: DummyMode,
    rundir: PathBuf,
    pub(crate) datapaths: BTreeMap<&'static str, Arc<Datapath>>,
    pub(crate) bridges: BTreeMap<String, BridgeRt>,
    forwarder: Option<Arc<dyn Forwarder>>,
}

fn read(of: &SharedOfproto) -> std::sync::RwLockReadGuard<'_, Ofproto> {
    of.read().unwrap_or_else(|p| p.into_inner())
}

fn write(of: &SharedOfproto) -> std::sync::RwLockWriteGuard<'_, Ofproto> {
    of.write().unwrap_or_else(|p| p.into_inner())
}

/// A made-up but stable locally administered MAC for a device-less port.
fn name_mac(name: &str) -> [u8; 6] {
    let h = name.bytes().fold(0xcbf2_9ce4_8422_2325u64, |a, b| {
        (a ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    });
    let b = h.to_be_bytes();
    [(b[0] & 0xfc) | 0x02, b[1], b[2], b[3], b[4], b[5]]
}

/// Bridge `protocols` -> allowed versions (empty = all).
fn versions(protocols: &[String]) -> VersionSet {
    let mut set = VersionSet(0);
    for p in protocols {
        if let Some(v) = Version::parse(p) {
            set.insert(v);
        }
    }
    set
}

impl DpifBackend {
    pub fn new(dummy: DummyMode, forwarder: Option<Arc<dyn Forwarder>>) -> DpifBackend {
        DpifBackend {
            dummy,
            rundir: ovs_daemon::dirs::rundir(),
            datapaths: BTreeMap::new(),
            bridges: BTreeMap::new(),
            forwarder,
        }
    }

    /// The datapath for a bridge's `datapath_type`, created (and started) on first use.
    fn datapath(&mut self, datapath_type: &str) -> Arc<Datapath> {
        let class = if datapath_type == "dummy" {
            "dummy"
        } else {
            "netdev"
        };
        if let Some(dp) = self.datapaths.get(class) {
            return dp.clone();
        }
        let dp = Datapath::new(if class == "dummy" {
            "ovs-dummy"
        } else {
            "ovs-netdev"
        });
        if let Err(e) = dp.start() {
            vlog::err!(
                BRIDGE,
                "{}: cannot start the datapath thread: {e}",
                dp.full_name()
            );
        }
        self.datapaths.insert(class, dp.clone());
        dp
    }

    fn members(&self, bridge: &str, port: &PortConfig) -> Vec<PortMember> {
        let Some(b) = self.bridges.get(bridge) else {
            return Vec::new();
        };
        port.interfaces
            .keys()
            .filter_map(|name| {
                let i = b.ifaces.get(name)?;
                Some(PortMember {
                    name: name.clone(),
                    ofport: i.ofport,
                    odp_port: i.odp,
                    peer: (i.kind == "patch")
                        .then(|| i.options.get("peer").cloned())
                        .flatten(),
                    kind: i.kind.clone(),
                })
            })
            .collect()
    }
}

impl Backend for DpifBackend {
    fn add_bridge(
        &mut self,
        cfg: &BridgeConfig,
        dpid: u64,
        _hwaddr: [u8; 6],
    ) -> Result<(), String> {
        let dp = self.datapath(&cfg.datapath_type);
        let ofproto: SharedOfproto = Arc::new(RwLock::new(Ofproto::new(&cfg.name, dpid)));
        let sink = Arc::new(Sink {
            bridge: cfg.name.clone(),
            forwarder: self.forwarder.clone(),
        });
        let connmgr = Arc::new(ConnMgr::new(ofproto.clone(), sink));
        let mgmt = self.rundir.join(format!("{}.mgmt", cfg.name));
        // connmgr logs "added service controller" itself.
        if let Err(e) = connmgr.set_mgmt_listener(&mgmt) {
            vlog::err!(
                crate::log::CONNMGR,
                "{}: could not listen on \"punix:{}\" ({})",
                cfg.name,
                mgmt.display(),
                ovs_daemon::util::error_text(&e)
            );
        }
        if let Some(f) = &self.forwarder {
            f.add_bridge(&cfg.name, &ofproto, &connmgr, &dp);
            f.set_bridge(cfg);
        }
        self.bridges.insert(
            cfg.name.clone(),
            BridgeRt {
                dp,
                ofproto,
                connmgr,
                ifaces: BTreeMap::new(),
            },
        );
        self.update_bridge(cfg, dpid, _hwaddr);
        Ok(())
    }

    fn update_bridge(&mut self, cfg: &BridgeConfig, dpid: u64, _hwaddr: [u8; 6]) {
        let Some(b) = self.bridges.get(&cfg.name) else {
            return;
        };
        write(&b.ofproto).set_datapath_id(dpid);
        let controllers: Vec<connmgr::ControllerConfig> = cfg
            .controllers
            .iter()
            .map(|c| connmgr::ControllerConfig::new(&c.target))
            .collect();
        let mode = match cfg.fail_mode {
            FailMode::Standalone => connmgr::FailMode::Standalone,
            FailMode::Secure => connmgr::FailMode::Secure,
        };
        for (target, e) in b
            .connmgr
            .set_controllers(&controllers, mode, versions(&cfg.protocols))
        {
            vlog::warn!(crate::log::CONNMGR, "{}: {target}: {e}", cfg.name);
        }
        if let Some(limit) = cfg.flow_limit {
            b.dp.set_flow_limit(limit as usize);
        }
        if let Some(f) = &self.forwarder {
            f.set_bridge(cfg);
        }
    }

    fn del_bridge(&mut self, name: &str) {
        if let Some(b) = self.bridges.remove(name) {
            b.connmgr.shutdown();
            for i in b.ifaces.values() {
                if let Some(odp) = i.odp {
                    let _ = b.dp.del_port(odp);
                }
            }
            if let Some(f) = &self.forwarder {
                f.del_bridge(name);
            }
        }
    }

    fn add_interface(
        &mut self,
        bridge: &str,
        _port: &str,
        iface: &InterfaceConfig,
        ofport: u16,
    ) -> Result<(), String> {
        check_kind(iface, self.dummy)?;
        let Some(b) = self.bridges.get_mut(bridge) else {
            return Err(format!("bridge {bridge} does not exist"));
        };
        let mut kind = effective_kind(iface, self.dummy).to_owned();
        // The local port of a dummy bridge is a dummy-internal device, as in the
        // reference's dummy datapath.
        if b.dp.dp_type() == "dummy" && kind == "internal" {
            kind = "dummy-internal".to_owned();
        }
        let (odp, mac) = if iface.is_patch() {
            (None, name_mac(&iface.name))
        } else {
            let mut dev = netdev::open(&kind, &iface.name, &iface.options)?;
            if let Some(mac) = iface.mac {
                if let Err(e) = dev.set_hwaddr(mac) {
                    vlog::warn!(
                        BRIDGE,
                        "{}: could not set MAC address ({})",
                        iface.name,
                        ovs_daemon::util::error_text(&e)
                    );
                }
            }
            if let Some(mtu) = iface.mtu_request {
                let _ = dev.set_mtu(mtu);
            }
            let mac = dev.hwaddr().unwrap_or_else(|_| name_mac(&iface.name));
            let odp = b.dp.add_port(dev, None).map_err(|e| {
                format!(
                    "could not add network device {} to ofproto ({e})",
                    iface.name
                )
            })?;
            crate::coverage::DPIF_PORT_ADD.inc();
            (Some(odp), mac)
        };
        let outputs = {
            let mut of = write(&b.ofproto);
            of.add_port(OfPort::new(PortNo(ofport), &iface.name, mac));
            of.take_pending()
        };
        b.connmgr.deliver(outputs);
        b.ifaces.insert(
            iface.name.clone(),
            IfaceRt {
                ofport,
                odp,
                kind: if iface.is_patch() {
                    "patch".into()
                } else {
                    kind
                },
                options: iface.options.clone(),
                patch_mac: mac,
            },
        );
        Ok(())
    }

    fn del_interface(&mut self, bridge: &str, iface: &str) {
        let Some(b) = self.bridges.get_mut(bridge) else {
            return;
        };
        let Some(i) = b.ifaces.remove(iface) else {
            return;
        };
        let outputs = {
            let mut of = write(&b.ofproto);
            of.remove_port(PortNo(i.ofport));
            of.take_pending()
        };
        b.connmgr.deliver(outputs);
        if let Some(odp) = i.odp {
            // Dropping the device closes it.
            let _ = b.dp.del_port(odp);
            crate::coverage::DPIF_PORT_DEL.inc();
        }
    }

    fn set_port(&mut self, bridge: &str, port: &PortConfig, _ofports: &[u16]) {
        let members = self.members(bridge, port);
        if let Some(f) = &self.forwarder {
            f.set_port(bridge, port, &members);
        }
    }

    fn del_port(&mut self, bridge: &str, port: &str) {
        if let Some(f) = &self.forwarder {
            f.del_port(bridge, port);
        }
    }

    fn interface_state(&self, bridge: &str, iface: &str) -> InterfaceState {
        let Some(b) = self.bridges.get(bridge) else {
            return InterfaceState::default();
        };
        let Some(i) = b.ifaces.get(iface) else {
            return InterfaceState::default();
        };
        let zero_stats = || {
            ["rx_bytes", "rx_packets", "tx_bytes", "tx_packets"]
                .into_iter()
                .map(|k| (k.to_owned(), 0))
                .collect()
        };
        let Some(odp) = i.odp else {
            // A patch port: always up, no device facts.
            return InterfaceState {
                mac_in_use: Some(i.patch_mac),
                ifindex: Some(0),
                admin_up: Some(true),
                link_up: Some(true),
                statistics: zero_stats(),
                ..InterfaceState::default()
            };
        };
        crate::coverage::NETDEV_GET_STATS.inc();
        if i.kind == "system" && !std::path::Path::new("/sys/class/net").join(iface).exists() {
            // The Linux device went away under us: the port stays configured (it
            // comes back if the device does) but reports why it does not work.
            return InterfaceState {
                link_up: Some(false),
                admin_up: Some(false),
                error: Some(format!(
                    "could not open network device {iface} (No such device)"
                )),
                ..InterfaceState::default()
            };
        }
        let dp_stats = b.dp.port_stats(odp);
        let dummy = i.kind.starts_with("dummy");
        let state =
            b.dp.with_netdev(odp, |dev| InterfaceState {
                mac_in_use: dev.hwaddr().ok(),
                ifindex: Some(dev.ifindex().map_or(0, i64::from)),
                mtu: dev.mtu().ok().map(i64::from),
                admin_up: Some(dev.admin_up()),
                link_up: Some(dev.carrier()),
                link_speed: dev
                    .speed_mbps()
                    .and_then(|m| i64::try_from(m.saturating_mul(1_000_000)).ok()),
                duplex: dev.duplex().map(|d| d.as_str().to_owned()),
                statistics: dev
                    .statistics()
                    .into_iter()
                    .map(|(k, v)| (k, i64::try_from(v).unwrap_or(i64::MAX)))
                    .collect(),
                status: dev.status(),
                error: None,
            })
            .unwrap_or_else(|| InterfaceState {
                error: Some(format!("{iface}: the device is gone")),
                link_up: Some(false),
                ..InterfaceState::default()
            });
        match (dummy, dp_stats) {
            // Packets injected with netdev-dummy/receive go straight to the
            // datapath, which counts them; the reference counts them on the device.
            (true, Some(ps)) => with_port_counters(state, &ps),
            _ => state,
        }
    }

    fn controller_states(&self, bridge: &str) -> BTreeMap<String, ControllerState> {
        let Some(b) = self.bridges.get(bridge) else {
            return BTreeMap::new();
        };
        b.connmgr
            .controller_status()
            .into_iter()
            .map(|s| {
                let mut status = BTreeMap::new();
                if !s.state.is_empty() {
                    status.insert("state".to_owned(), s.state.clone());
                }
                if let Some(e) = &s.last_error {
                    status.insert("last_error".to_owned(), e.clone());
                }
                if let Some(t) = s.sec_since_connect {
                    status.insert("sec_since_connect".to_owned(), t.to_string());
                }
                if let Some(t) = s.sec_since_disconnect {
                    status.insert("sec_since_disconnect".to_owned(), t.to_string());
                }
                let st = ControllerState {
                    is_connected: s.is_connected,
                    role: s.is_connected.then(|| s.role.clone()),
                    status,
                };
                (s.target, st)
            })
            .collect()
    }

    fn run(&mut self) {
        if let Some(f) = &self.forwarder {
            f.run();
        }
    }

    fn cleanup(&mut self) {
        let names: Vec<String> = self.bridges.keys().cloned().collect();
        for n in names {
            self.del_bridge(&n);
        }
    }

    fn commands(&self) -> Vec<CommandSpec> {
        let mut v = dpif_text::COMMANDS.to_vec();
        if let Some(f) = &self.forwarder {
            for c in f.commands() {
                v.retain(|o| o.name != c.name);
                v.push(c);
            }
        }
        v
    }

    fn command(&mut self, name: &str, args: &[String]) -> Result<String, String> {
        if let Some(f) = &self.forwarder {
            // Finish what earlier commands set off (revalidation after MAC learning)
            // so that consecutive commands see a settled switch, as with the
            // reference's single-threaded dummy datapath.
            f.run();
            if f.commands().iter().any(|c| c.name == name) {
                return f.command(name, args);
            }
        }
        let result = dpif_text::run(self, name, args);
        if let Some(f) = &self.forwarder {
            f.run();
        }
        result
    }

    fn upcall_show(&self) -> String {
        dpif_text::upcall_show(self)
    }

    fn memory(&self) -> Vec<(String, u64)> {
        let rules: usize = self
            .bridges
            .values()
            .map(|b| {
                let of = read(&b.ofproto);
                (0..of.n_tables())
                    .filter_map(|t| of.table(t))
                    .map(|t| t.len())
                    .sum::<usize>()
            })
            .sum();
        vec![
            ("handlers".to_owned(), 1),
            ("revalidators".to_owned(), 1),
            ("rules".to_owned(), rules as u64),
        ]
    }
}

/// Overlays the datapath's per-port counters on a dummy device's statistics.
fn with_port_counters(mut st: InterfaceState, ps: &datapath::PortStats) -> InterfaceState {
    let clamp = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
    for (keys, v) in [
        (["rx_packets", "rx_q0_packets"], ps.rx_packets),
        (["rx_bytes", "rx_q0_bytes"], ps.rx_bytes),
        (["tx_packets", "tx_q0_packets"], ps.tx_packets),
        (["tx_bytes", "tx_q0_bytes"], ps.tx_bytes),
    ] {
        for k in keys {
            if let Some(c) = st.statistics.get_mut(k) {
                *c = (*c).max(clamp(v));
            }
        }
    }
    st
}

impl Drop for DpifBackend {
    fn drop(&mut self) {
        for b in self.bridges.values() {
            b.connmgr.shutdown();
        }
        for dp in self.datapaths.values() {
            dp.stop();
        }
    }
}
