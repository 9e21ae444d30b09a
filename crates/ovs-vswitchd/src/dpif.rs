//! The real [`Backend`]: interfaces are `netdev` devices attached to the userspace
//! `datapath` (one per datapath class: `dummy@ovs-dummy` for `datapath_type=dummy`
//! bridges, `netdev@ovs-netdev` for all others, as the reference has one backer per
//! type), each bridge an `ofproto` OpenFlow switch with its connection manager
//! (management socket `<rundir>/<bridge>.mgmt`, controllers, fail mode).
//! Forwarding decisions (upcalls) belong to the translation layer, plugged in
//! through [`Forwarder`].
//!
//! Each OpenFlow port mirrors its device (see [`crate::port_facts`]): MAC,
//! `OFPPC_PORT_DOWN` from the administrative state, `OFPPS_LINK_DOWN` from the
//! carrier, and the ethtool features. Kernel devices are watched over
//! rtnetlink ([`netdev::link_monitor`]): a change updates the port (with a
//! port-status to controllers) and the database promptly; a vanished device
//! leaves the port configured but down, and a device re-created under the same
//! name is opened again in the same datapath port.

use crate::backend::{Backend, CommandSpec, ControllerState, InterfaceState};
use crate::builtin::{check_kind, effective_kind};
use crate::config::{BridgeConfig, FailMode, InterfaceConfig, PortConfig};
use crate::dpif_text;
use crate::log::BRIDGE;
use crate::options::DummyMode;
use crate::port_facts::PortFacts;
use datapath::Datapath;
use netdev::link_monitor::{LinkChange, LinkChangeKind, LinkMonitor};
use ofproto::connmgr::{self, ConnMgr, EffectSink, SharedOfproto};
use ofproto::{Effect, OfPort, Ofproto};
use openflow::msg::port_desc::{PC_PORT_DOWN, PS_LINK_DOWN};
use openflow::port::PortNo;
use openflow::version::{Version, VersionSet};
use ovs_daemon::vlog;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};

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

/// OpenFlow port -> datapath port of a bridge's devices (for port-mod).
type OdpPorts = Arc<Mutex<BTreeMap<u16, u32>>>;

/// Sends a bridge's OpenFlow effects to the forwarder; a port-mod that
/// changes OFPPC_PORT_DOWN also turns the device down or up, as the reference
/// does (the link monitor then reports the new state).
struct Sink {
    bridge: String,
    forwarder: Option<Arc<dyn Forwarder>>,
    dp: Arc<Datapath>,
    odp_ports: OdpPorts,
}

impl EffectSink for Sink {
    fn effects(&self, effects: Vec<Effect>) {
        for e in &effects {
            if let Effect::PortMod {
                port_no,
                config,
                mask,
            } = e
            {
                if mask & PC_PORT_DOWN != 0 {
                    self.set_admin_state(*port_no, config & PC_PORT_DOWN == 0);
                }
            }
        }
        if let Some(f) = &self.forwarder {
            f.effects(&self.bridge, effects);
        }
    }
}

impl Sink {
    fn set_admin_state(&self, port_no: PortNo, up: bool) {
        let odp = self
            .odp_ports
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&port_no.0)
            .copied();
        let Some(odp) = odp else {
            return;
        };
        let result = self.dp.with_netdev(odp, |dev| {
            let name = dev.name().to_owned();
            dev.set_admin_up(up).map_err(|e| (name, e))
        });
        if let Some(Err((name, e))) = result {
            vlog::warn!(
                BRIDGE,
                "{}: could not turn {name} {} ({})",
                self.bridge,
                if up { "up" } else { "down" },
                ovs_daemon::util::error_text(&e)
            );
        }
    }
}

pub(crate) struct IfaceRt {
    pub ofport: u16,
    pub odp: Option<u32>,
    pub kind: String,
    pub options: BTreeMap<String, String>,
    /// The configured MAC (Interface `mac`, or the bridge's for its local
    /// port), applied again when the device is re-created.
    pub mac: Option<[u8; 6]>,
    /// Patch ports have no device; their MAC is made up.
    pub patch_mac: [u8; 6],
    /// The kernel's index of the device we opened (None: not a kernel device).
    pub ifindex: Option<u32>,
    /// The kernel device was deleted; the port stays, down, until a device of
    /// that name appears again.
    pub vanished: bool,
    /// Carrier changes seen (Interface `link_resets`), a device's vanishing
    /// and return included, as the reference counts them.
    pub link_resets: i64,
}

impl IfaceRt {
    /// A device the link monitor reports on.
    fn is_kernel(&self) -> bool {
        self.odp.is_some() && self.ifindex.is_some()
    }
}

pub(crate) struct BridgeRt {
    pub dp: Arc<Datapath>,
    pub ofproto: SharedOfproto,
    pub connmgr: Arc<ConnMgr>,
    pub ifaces: BTreeMap<String, IfaceRt>,
    /// The Port rows last given to the forwarder (to re-send after a device's
    /// datapath port changed).
    ports: BTreeMap<String, PortConfig>,
    odp_ports: OdpPorts,
}

/// The datapath-backed switch.
pub struct DpifBackend {
    dummy: DummyMode,
    rundir: PathBuf,
    pub(crate) datapaths: BTreeMap<&'static str, Arc<Datapath>>,
    pub(crate) bridges: BTreeMap<String, BridgeRt>,
    forwarder: Option<Arc<dyn Forwarder>>,
    /// rtnetlink link notifications, opened with the first kernel device.
    monitor: Option<LinkMonitor>,
    /// Something the database shows changed since [`Backend::take_changes`].
    changed: bool,
    /// `other_config:pmd-cpu-mask`, given to every datapath (also later ones).
    pmd_cpu_mask: Option<String>,
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

/// Opens an interface's device and gives it the configured MAC (a failure
/// to set that is logged, not fatal, as in the reference).
fn open_device(
    kind: &str,
    name: &str,
    options: &BTreeMap<String, String>,
    mac: Option<[u8; 6]>,
) -> Result<Box<dyn netdev::Netdev>, String> {
    let mut dev = netdev::open(kind, name, options)?;
    if let Some(mac) = mac {
        if let Err(e) = dev.set_hwaddr(mac) {
            vlog::warn!(
                BRIDGE,
                "{name}: could not set MAC address ({})",
                ovs_daemon::util::error_text(&e)
            );
        }
    }
    Ok(dev)
}

/// Gives a datapath its poll thread's CPUs; a bad mask is logged and
/// leaves the default.
fn apply_pmd_cpu_mask(dp: &Datapath, mask: Option<&str>) {
    if let Err(e) = dp.set_pmd_cpu_mask(mask) {
        vlog::warn!(BRIDGE, "{}: {e}", dp.full_name());
        let _ = dp.set_pmd_cpu_mask(None);
    }
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
            monitor: None,
            changed: false,
            pmd_cpu_mask: None,
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
        apply_pmd_cpu_mask(&dp, self.pmd_cpu_mask.as_deref());
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
                    kind: dpif_type_name(b.dp.dp_type(), &i.kind).to_owned(),
                })
            })
            .collect()
    }
}

/// Link monitoring and keeping OpenFlow ports in line with their devices.
impl DpifBackend {
    /// Subscribes to link notifications (in this thread's network namespace,
    /// the one the devices were opened in), once.
    fn start_link_monitor(&mut self) {
        if self.monitor.is_some() {
            return;
        }
        match LinkMonitor::new() {
            Ok(m) => self.monitor = Some(m),
            Err(e) => vlog::warn!(
                BRIDGE,
                "cannot watch network devices over rtnetlink ({}); link changes are seen at the next status update",
                ovs_daemon::util::error_text(&e)
            ),
        }
    }

    /// Handles the link notifications queued since the last call.
    fn poll_links(&mut self) {
        let Some(m) = self.monitor.as_mut() else {
            return;
        };
        let events = match m.drain() {
            Ok(ev) => ev,
            Err(e) => {
                // Start over with a fresh subscription and look at every
                // device, rather than failing again on every loop.
                vlog::warn!(
                    BRIDGE,
                    "error reading link notifications ({}); resubscribing",
                    ovs_daemon::util::error_text(&e)
                );
                self.monitor = None;
                self.start_link_monitor();
                self.recheck_all_links();
                return;
            }
        };
        for change in &events.changes {
            self.link_changed(change);
        }
        if events.overflowed {
            // Notifications were lost: look at every device again.
            self.recheck_all_links();
        }
    }

    /// (bridge, interface) of the kernel device called `name`, if we have it.
    fn find_kernel_iface(&self, name: &str) -> Option<String> {
        self.bridges
            .iter()
            .find(|(_, b)| b.ifaces.get(name).is_some_and(IfaceRt::is_kernel))
            .map(|(bridge, _)| bridge.clone())
    }

    fn link_changed(&mut self, change: &LinkChange) {
        let Some(name) = change.name.as_deref() else {
            return;
        };
        let Some(bridge) = self.find_kernel_iface(name) else {
            return;
        };
        let Some(i) = self
            .bridges
            .get_mut(&bridge)
            .and_then(|b| b.ifaces.get_mut(name))
        else {
            return;
        };
        match change.kind {
            LinkChangeKind::Deleted => {
                // A late notice about a device we have already replaced is not
                // about ours.
                if i.vanished || i.ifindex != Some(change.ifindex) {
                    return;
                }
                i.vanished = true;
                vlog::info!(
                    BRIDGE,
                    "bridge {bridge}: network device {name} vanished; port {} is down until it comes back",
                    i.ofport
                );
            }
            LinkChangeKind::NewOrChanged => {
                // Notices are read late: what counts is the device that has
                // this name now.
                let now = netdev::sys::ifindex(name).ok();
                let ours = i.ifindex == Some(change.ifindex);
                if ours && now.is_none() {
                    // The last notice before the device's deletion (it went
                    // down on its way out): report it gone right away, as one
                    // change.
                    if i.vanished {
                        return;
                    }
                    i.vanished = true;
                    vlog::info!(
                        BRIDGE,
                        "bridge {bridge}: network device {name} vanished; port {} is down until it comes back",
                        i.ofport
                    );
                } else if now == Some(change.ifindex) && (i.vanished || !ours) {
                    // The device was created again under this name.
                    self.reopen(&bridge, name);
                } else if !ours {
                    // About an earlier device of this name (e.g. the one an
                    // interface had before it was renumbered), gone since.
                    return;
                }
            }
        }
        self.sync_port(&bridge, name);
        self.changed = true;
    }

    fn recheck_all_links(&mut self) {
        let names: Vec<(String, String)> = self
            .bridges
            .iter()
            .flat_map(|(bn, b)| {
                b.ifaces
                    .iter()
                    .filter(|(_, i)| i.is_kernel())
                    .map(move |(n, _)| (bn.clone(), n.clone()))
            })
            .collect();
        for (bridge, name) in names {
            let now = netdev::sys::ifindex(&name).ok();
            let Some(i) = self
                .bridges
                .get_mut(&bridge)
                .and_then(|b| b.ifaces.get_mut(&name))
            else {
                continue;
            };
            match now {
                None => i.vanished = true,
                Some(idx) if i.vanished || i.ifindex != Some(idx) => self.reopen(&bridge, &name),
                Some(_) => {}
            }
            self.sync_port(&bridge, &name);
        }
        self.changed = true;
    }

    /// Opens the device `name` again (it was re-created) in the same
    /// datapath port.
    fn reopen(&mut self, bridge: &str, name: &str) {
        let Some(b) = self.bridges.get_mut(bridge) else {
            return;
        };
        let Some(i) = b.ifaces.get_mut(name) else {
            return;
        };
        let Some(odp) = i.odp else {
            return;
        };
        let dev = match open_device(&i.kind, name, &i.options, i.mac) {
            Ok(d) => d,
            Err(e) => {
                vlog::warn!(BRIDGE, "bridge {bridge}: {e}");
                i.vanished = true;
                return;
            }
        };
        let ifindex = dev.ifindex();
        // Dropping the old device closes its socket.
        let _ = b.dp.del_port(odp);
        match b.dp.add_port(dev, Some(odp)) {
            Ok(n) => {
                i.vanished = false;
                i.ifindex = ifindex;
                vlog::info!(
                    BRIDGE,
                    "bridge {bridge}: network device {name} is back on port {}",
                    i.ofport
                );
                if n != odp {
                    i.odp = Some(n);
                    lock_ports(&b.odp_ports).insert(i.ofport, n);
                    let port = b
                        .ports
                        .values()
                        .find(|p| p.interfaces.contains_key(name))
                        .cloned();
                    if let Some(port) = port {
                        self.set_port(bridge, &port, &[]);
                    }
                }
            }
            Err(e) => {
                vlog::warn!(BRIDGE, "bridge {bridge}: could not add {name} back ({e})");
                i.vanished = true;
            }
        }
    }

    /// Brings the OpenFlow port of `iface` in line with its device; a
    /// difference goes to controllers as a port-status and to translation as
    /// a reason to revalidate.
    fn sync_port(&mut self, bridge: &str, iface: &str) {
        let Some(b) = self.bridges.get(bridge) else {
            return;
        };
        let Some(i) = b.ifaces.get(iface) else {
            return;
        };
        let Some(odp) = i.odp else {
            return;
        };
        let facts = if i.vanished {
            Some(PortFacts::vanished())
        } else {
            b.dp.with_netdev(odp, |dev| PortFacts::of_device(dev))
        };
        let Some(facts) = facts else {
            return;
        };
        let outputs = {
            let mut of = write(&b.ofproto);
            let Some(current) = of.port(PortNo(i.ofport)) else {
                return;
            };
            let mut port = current.clone();
            facts.apply(&mut port.desc);
            if port == *current {
                return;
            }
            let link_flipped = (port.desc.state ^ current.desc.state) & PS_LINK_DOWN != 0;
            of.add_port(port);
            (of.take_pending(), link_flipped)
        };
        let (outputs, link_flipped) = outputs;
        if link_flipped {
            if let Some(i) = self
                .bridges
                .get_mut(bridge)
                .and_then(|b| b.ifaces.get_mut(iface))
            {
                i.link_resets += 1;
            }
        }
        let Some(b) = self.bridges.get(bridge) else {
            return;
        };
        b.connmgr.deliver(outputs);
        if let Some(f) = &self.forwarder {
            f.effects(bridge, vec![Effect::FlowsChanged]);
        }
        self.changed = true;
    }

    /// Gives the bridge's local port the bridge's MAC (other_config:hwaddr
    /// may have changed).
    fn set_local_mac(&mut self, bridge: &str, mac: [u8; 6]) {
        let Some(b) = self.bridges.get_mut(bridge) else {
            return;
        };
        let Some(i) = b.ifaces.get_mut(bridge) else {
            return;
        };
        let Some(odp) = i.odp else {
            return;
        };
        if i.mac == Some(mac) {
            return;
        }
        i.mac = Some(mac);
        let result = b.dp.with_netdev(odp, |dev| {
            if dev.hwaddr().ok() == Some(mac) {
                Ok(())
            } else {
                dev.set_hwaddr(mac)
            }
        });
        if let Some(Err(e)) = result {
            vlog::warn!(
                BRIDGE,
                "bridge {bridge}: could not set MAC address of the local port ({})",
                ovs_daemon::util::error_text(&e)
            );
        }
        self.sync_port(bridge, bridge);
        self.changed = true;
    }
}

impl Backend for DpifBackend {
    fn add_bridge(&mut self, cfg: &BridgeConfig, dpid: u64, hwaddr: [u8; 6]) -> Result<(), String> {
        let dp = self.datapath(&cfg.datapath_type);
        let ofproto: SharedOfproto = Arc::new(RwLock::new(Ofproto::new(&cfg.name, dpid)));
        let odp_ports = OdpPorts::default();
        let sink = Arc::new(Sink {
            bridge: cfg.name.clone(),
            forwarder: self.forwarder.clone(),
            dp: dp.clone(),
            odp_ports: odp_ports.clone(),
        });
        {
            let (dp, odp_ports) = (dp.clone(), odp_ports.clone());
            write(&ofproto).set_port_stats_source(Arc::new(move |port_no: PortNo| {
                let odp = *lock_ports(&odp_ports).get(&port_no.0)?;
                openflow_port_stats(&dp, odp, port_no)
            }));
        }
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
                ports: BTreeMap::new(),
                odp_ports,
            },
        );
        self.update_bridge(cfg, dpid, hwaddr);
        Ok(())
    }

    fn update_bridge(&mut self, cfg: &BridgeConfig, dpid: u64, hwaddr: [u8; 6]) {
        self.set_local_mac(&cfg.name, hwaddr);
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
        let (odp, mac, ifindex, facts) = if iface.is_patch() {
            (None, name_mac(&iface.name), None, None)
        } else {
            let mut dev = open_device(&kind, &iface.name, &iface.options, iface.mac)?;
            if let Some(mtu) = iface.mtu_request {
                let _ = dev.set_mtu(mtu);
            }
            let mac = dev.hwaddr().unwrap_or_else(|_| name_mac(&iface.name));
            let ifindex = dev.ifindex();
            let facts = PortFacts::of_device(dev.as_ref());
            let odp = b.dp.add_port(dev, None).map_err(|e| {
                format!(
                    "could not add network device {} to ofproto ({e})",
                    iface.name
                )
            })?;
            crate::coverage::DPIF_PORT_ADD.inc();
            (Some(odp), mac, ifindex, Some(facts))
        };
        let outputs = {
            let mut port = OfPort::new(PortNo(ofport), &iface.name, mac);
            if let Some(facts) = facts {
                facts.apply(&mut port.desc);
            }
            let mut of = write(&b.ofproto);
            of.add_port(port);
            of.take_pending()
        };
        b.connmgr.deliver(outputs);
        if let Some(odp) = odp {
            lock_ports(&b.odp_ports).insert(ofport, odp);
        }
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
                mac: iface.mac,
                patch_mac: mac,
                ifindex,
                vanished: false,
                link_resets: 0,
            },
        );
        if ifindex.is_some() {
            self.start_link_monitor();
        }
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
        lock_ports(&b.odp_ports).remove(&i.ofport);
        if let Some(odp) = i.odp {
            // Dropping the device closes it.
            let _ = b.dp.del_port(odp);
            crate::coverage::DPIF_PORT_DEL.inc();
        }
    }

    fn set_port(&mut self, bridge: &str, port: &PortConfig, _ofports: &[u16]) {
        if let Some(b) = self.bridges.get_mut(bridge) {
            b.ports.insert(port.name.clone(), port.clone());
        }
        let members = self.members(bridge, port);
        if let Some(f) = &self.forwarder {
            f.set_port(bridge, port, &members);
        }
    }

    fn del_port(&mut self, bridge: &str, port: &str) {
        if let Some(b) = self.bridges.get_mut(bridge) {
            b.ports.remove(port);
        }
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
        if i.vanished {
            // The Linux device went away under us: the port stays configured (it
            // comes back if the device does) but reports why it does not work.
            // No statistics: the database keeps the last ones, as the reference's.
            return InterfaceState {
                link_up: Some(false),
                admin_up: Some(false),
                ifindex: Some(0),
                link_resets: Some(i.link_resets),
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
                link_resets: Some(i.link_resets),
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
        self.poll_links();
        if let Some(f) = &self.forwarder {
            f.run();
        }
    }

    fn take_changes(&mut self) -> bool {
        std::mem::take(&mut self.changed)
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

    fn set_pmd_cpu_mask(&mut self, mask: Option<&str>) {
        if self.pmd_cpu_mask.as_deref() == mask {
            return;
        }
        self.pmd_cpu_mask = mask.map(str::to_owned);
        for dp in self.datapaths.values() {
            apply_pmd_cpu_mask(dp, mask);
        }
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

fn lock_ports(ports: &OdpPorts) -> std::sync::MutexGuard<'_, BTreeMap<u16, u32>> {
    ports.lock().unwrap_or_else(|p| p.into_inner())
}

/// The device type `dpif/show` prints: the netdev datapath's internal ports
/// are TAP devices and show as such, as in the reference.
fn dpif_type_name<'a>(dp_type: &str, kind: &'a str) -> &'a str {
    match (dp_type, kind) {
        ("netdev", "internal") => "tap",
        _ => kind,
    }
}

/// OpenFlow port statistics of datapath port `odp`, from its device as the
/// reference reads them: every counter of a kernel device; only packets and
/// bytes of a dummy one (the rest unknown, printed `?`), counted by the
/// datapath, since packets injected with netdev-dummy/receive reach the
/// datapath without passing the device.
fn openflow_port_stats(
    dp: &Datapath,
    odp: u32,
    port_no: PortNo,
) -> Option<openflow::msg::multipart::port::PortStats> {
    let (dev, dummy) = dp.with_netdev(odp, |d| (d.stats(), d.kind().starts_with("dummy")))?;
    let mut s = openflow::msg::multipart::port::PortStats::new(port_no);
    s.rx_packets = dev.rx_packets;
    s.tx_packets = dev.tx_packets;
    s.rx_bytes = dev.rx_bytes;
    s.tx_bytes = dev.tx_bytes;
    if dummy {
        if let Some(c) = dp.port_stats(odp) {
            s.rx_packets = s.rx_packets.max(c.rx_packets);
            s.tx_packets = s.tx_packets.max(c.tx_packets);
            s.rx_bytes = s.rx_bytes.max(c.rx_bytes);
            s.tx_bytes = s.tx_bytes.max(c.tx_bytes);
        }
        return Some(s);
    }
    s.rx_dropped = dev.rx_dropped;
    s.tx_dropped = dev.tx_dropped;
    s.rx_errors = dev.rx_errors;
    s.tx_errors = dev.tx_errors;
    s.rx_frame_err = dev.rx_frame_errors;
    s.rx_over_err = dev.rx_over_errors;
    s.rx_crc_err = dev.rx_crc_errors;
    s.collisions = dev.collisions;
    Some(s)
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
