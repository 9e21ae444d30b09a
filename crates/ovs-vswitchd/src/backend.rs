//! The seam between bridge reconfiguration and the layers below it (netdev,
//! datapath, ofproto, ofproto-dpif): what reconfiguration asks of them and what it
//! reads back for the database. Reconfiguration decides names, port numbers and
//! order; a backend only carries the decisions out, so the logic can be tested
//! with a recording backend.

use crate::config::{BridgeConfig, InterfaceConfig, PortConfig};
use std::collections::BTreeMap;

/// OpenFlow port number of a bridge's local (internal) port.
pub const OFPP_LOCAL: u16 = 0xfffe;

/// What the database shows about one interface.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct InterfaceState {
    pub mac_in_use: Option<[u8; 6]>,
    pub ifindex: Option<i64>,
    pub mtu: Option<i64>,
    pub admin_up: Option<bool>,
    pub link_up: Option<bool>,
    /// bits per second
    pub link_speed: Option<i64>,
    /// `full` or `half`
    pub duplex: Option<String>,
    /// How many times the link went up or down since the port was added.
    pub link_resets: Option<i64>,
    pub statistics: BTreeMap<String, i64>,
    pub status: BTreeMap<String, String>,
    /// A problem that appeared after the interface was set up (device vanished).
    pub error: Option<String>,
}

/// What the database shows about one controller.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ControllerState {
    pub is_connected: bool,
    /// `other`, `master` or `slave` while connected.
    pub role: Option<String>,
    pub status: BTreeMap<String, String>,
}

/// Carries out reconfiguration decisions. Calls come in the order the reference
/// makes them: deletions (interfaces, then ports, then bridges) before creations
/// (bridges, then interfaces, then ports).
pub trait Backend: Send {
    /// Creates a bridge (its OpenFlow switch, management socket, fail mode) with the
    /// datapath ID and MAC chosen by reconfiguration.
    fn add_bridge(
        &mut self,
        cfg: &BridgeConfig,
        datapath_id: u64,
        hwaddr: [u8; 6],
    ) -> Result<(), String>;
    /// Applies changed bridge settings (fail mode, protocols, MAC table, controllers,
    /// datapath ID).
    fn update_bridge(&mut self, cfg: &BridgeConfig, datapath_id: u64, hwaddr: [u8; 6]);
    fn del_bridge(&mut self, name: &str);
    /// Opens the interface's device and attaches it as OpenFlow port `ofport`
    /// (a datapath port unless it is a patch port). The error text goes to
    /// Interface `error` as is.
    fn add_interface(
        &mut self,
        bridge: &str,
        port: &str,
        iface: &InterfaceConfig,
        ofport: u16,
    ) -> Result<(), String>;
    fn del_interface(&mut self, bridge: &str, iface: &str);
    /// (Re)defines a port: VLAN mode, tag, trunks, and its members' OpenFlow ports.
    fn set_port(&mut self, bridge: &str, port: &PortConfig, ofports: &[u16]);
    fn del_port(&mut self, bridge: &str, port: &str);
    /// Current facts about an interface that was added.
    fn interface_state(&self, bridge: &str, iface: &str) -> InterfaceState;
    /// Current state of a bridge's controllers, by target.
    fn controller_states(&self, bridge: &str) -> BTreeMap<String, ControllerState>;
    /// Open_vSwitch `other_config:pmd-cpu-mask` (None: the default CPUs).
    fn set_pmd_cpu_mask(&mut self, _mask: Option<&str>) {}
    /// Periodic work of the main thread (timeouts, reconnections, link
    /// notifications).
    fn run(&mut self) {}
    /// True once after something the database shows changed on its own (a
    /// device went down, vanished, came back...): time for a write-back.
    fn take_changes(&mut self) -> bool {
        false
    }
    /// `--cleanup` on exit: remove what outlives the process (TAP devices...).
    fn cleanup(&mut self) {}
    /// unixctl commands the layers below answer (`dpctl/*`, `fdb/*`, ...).
    fn commands(&self) -> Vec<CommandSpec> {
        Vec::new()
    }
    /// Runs one of [`Backend::commands`].
    fn command(&mut self, name: &str, _args: &[String]) -> Result<String, String> {
        Err(format!("\"{name}\" is not supported by this datapath"))
    }
    /// Text for `upcall/show`.
    fn upcall_show(&self) -> String {
        String::new()
    }
    /// `key:value` pairs for `memory/show`.
    fn memory(&self) -> Vec<(String, u64)> {
        Vec::new()
    }
}

/// A unixctl command served by the backend.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CommandSpec {
    pub name: &'static str,
    pub usage: &'static str,
    pub min_args: usize,
    pub max_args: usize,
}

impl Backend for Box<dyn Backend> {
    fn add_bridge(&mut self, cfg: &BridgeConfig, dpid: u64, hwaddr: [u8; 6]) -> Result<(), String> {
        (**self).add_bridge(cfg, dpid, hwaddr)
    }
    fn update_bridge(&mut self, cfg: &BridgeConfig, dpid: u64, hwaddr: [u8; 6]) {
        (**self).update_bridge(cfg, dpid, hwaddr)
    }
    fn del_bridge(&mut self, name: &str) {
        (**self).del_bridge(name)
    }
    fn add_interface(
        &mut self,
        bridge: &str,
        port: &str,
        iface: &InterfaceConfig,
        ofport: u16,
    ) -> Result<(), String> {
        (**self).add_interface(bridge, port, iface, ofport)
    }
    fn del_interface(&mut self, bridge: &str, iface: &str) {
        (**self).del_interface(bridge, iface)
    }
    fn set_port(&mut self, bridge: &str, port: &PortConfig, ofports: &[u16]) {
        (**self).set_port(bridge, port, ofports)
    }
    fn del_port(&mut self, bridge: &str, port: &str) {
        (**self).del_port(bridge, port)
    }
    fn interface_state(&self, bridge: &str, iface: &str) -> InterfaceState {
        (**self).interface_state(bridge, iface)
    }
    fn controller_states(&self, bridge: &str) -> BTreeMap<String, ControllerState> {
        (**self).controller_states(bridge)
    }
    fn run(&mut self) {
        (**self).run()
    }
    fn take_changes(&mut self) -> bool {
        (**self).take_changes()
    }
    fn cleanup(&mut self) {
        (**self).cleanup()
    }
    fn commands(&self) -> Vec<CommandSpec> {
        (**self).commands()
    }
    fn command(&mut self, name: &str, args: &[String]) -> Result<String, String> {
        (**self).command(name, args)
    }
    fn set_pmd_cpu_mask(&mut self, mask: Option<&str>) {
        (**self).set_pmd_cpu_mask(mask)
    }
    fn upcall_show(&self) -> String {
        (**self).upcall_show()
    }
    fn memory(&self) -> Vec<(String, u64)> {
        (**self).memory()
    }
}
