//! A self-contained [`Backend`] with in-memory devices only: bridges, ports and
//! interfaces are bookkept and reported (MACs, MTU, link state, zero counters) but
//! nothing forwards packets. It is what `ovs-vswitchd` uses for bridges whose
//! datapath the lower layers cannot provide, and a reference for the interface
//! type rules: which types exist, `--enable-dummy=override`, the error texts.

use crate::backend::{Backend, ControllerState, InterfaceState};
use crate::config::{BridgeConfig, InterfaceConfig, PortConfig};
use crate::options::DummyMode;
use std::collections::BTreeMap;

/// The errno text the reference reports for an interface type nobody provides.
pub const EAFNOSUPPORT_TEXT: &str = "Address family not supported by protocol";

/// Interface types every oxvs switch offers (the dummy ones only with
/// `--enable-dummy`).
pub fn iface_types(dummy: DummyMode) -> Vec<String> {
    let mut v: Vec<&str> = vec!["internal", "patch", "system", "tap"];
    if dummy != DummyMode::Off {
        v.extend(["dummy", "dummy-internal", "dummy-pmd"]);
    }
    v.sort_unstable();
    v.into_iter().map(str::to_owned).collect()
}

/// Datapath types (all served by the one userspace datapath).
pub fn datapath_types(dummy: DummyMode) -> Vec<String> {
    let mut v = vec!["netdev".to_owned(), "system".to_owned()];
    if dummy != DummyMode::Off {
        v.insert(0, "dummy".to_owned());
    }
    v
}

/// The netdev type an interface really gets: with `--enable-dummy=override`,
/// `system` (and `tap`) interfaces become dummy devices, as in the reference.
pub fn effective_kind(iface: &InterfaceConfig, dummy: DummyMode) -> &str {
    let kind = iface.netdev_kind();
    match (dummy, kind) {
        (DummyMode::Override, "system" | "tap") => "dummy",
        (DummyMode::Override, "internal") => "dummy-internal",
        _ => kind,
    }
}

/// Whether the type is offered at all; `Err` is the Interface `error` text.
pub fn check_kind(iface: &InterfaceConfig, dummy: DummyMode) -> Result<(), String> {
    let kind = effective_kind(iface, dummy);
    let known = iface_types(dummy).iter().any(|t| t == kind);
    if !known {
        return Err(format!(
            "could not open network device {} ({EAFNOSUPPORT_TEXT})",
            iface.name
        ));
    }
    if iface.is_patch() && iface.peer().is_none_or(str::is_empty) {
        return Err(format!(
            "{}: patch type requires valid 'peer' argument",
            iface.name
        ));
    }
    Ok(())
}

struct Iface {
    mac: [u8; 6],
}

/// In-memory bridges.
pub struct BuiltinBackend {
    dummy: DummyMode,
    bridges: BTreeMap<String, BTreeMap<String, Iface>>,
    /// Dummy MACs are handed out in sequence like the reference's (aa:55:aa:55:00:xx).
    next_mac: u32,
}

impl BuiltinBackend {
    pub fn new(dummy: DummyMode) -> BuiltinBackend {
        BuiltinBackend {
            dummy,
            bridges: BTreeMap::new(),
            next_mac: 1,
        }
    }

    /// Number of interfaces held, for leak checks.
    pub fn n_interfaces(&self) -> usize {
        self.bridges.values().map(BTreeMap::len).sum()
    }
}

impl Backend for BuiltinBackend {
    fn add_bridge(&mut self, cfg: &BridgeConfig, _: u64, _: [u8; 6]) -> Result<(), String> {
        self.bridges.entry(cfg.name.clone()).or_default();
        Ok(())
    }

    fn update_bridge(&mut self, _: &BridgeConfig, _: u64, _: [u8; 6]) {}

    fn del_bridge(&mut self, name: &str) {
        self.bridges.remove(name);
    }

    fn add_interface(
        &mut self,
        bridge: &str,
        _port: &str,
        iface: &InterfaceConfig,
        _ofport: u16,
    ) -> Result<(), String> {
        check_kind(iface, self.dummy)?;
        let kind = effective_kind(iface, self.dummy);
        if kind == "system"
            && !std::path::Path::new("/sys/class/net")
                .join(&iface.name)
                .exists()
        {
            return Err(format!(
                "could not open network device {} (No such device)",
                iface.name
            ));
        }
        let mac = iface.mac.unwrap_or_else(|| {
            let n = self.next_mac;
            self.next_mac = self.next_mac.wrapping_add(1);
            [0xaa, 0x55, 0xaa, 0x55, (n >> 8) as u8, n as u8]
        });
        self.bridges
            .entry(bridge.to_owned())
            .or_default()
            .insert(iface.name.clone(), Iface { mac });
        Ok(())
    }

    fn del_interface(&mut self, bridge: &str, iface: &str) {
        if let Some(b) = self.bridges.get_mut(bridge) {
            b.remove(iface);
        }
    }

    fn set_port(&mut self, _: &str, _: &PortConfig, _: &[u16]) {}

    fn del_port(&mut self, _: &str, _: &str) {}

    fn interface_state(&self, bridge: &str, iface: &str) -> InterfaceState {
        let Some(i) = self.bridges.get(bridge).and_then(|b| b.get(iface)) else {
            return InterfaceState::default();
        };
        let statistics = ["rx_bytes", "rx_packets", "tx_bytes", "tx_packets"]
            .into_iter()
            .map(|k| (k.to_owned(), 0))
            .collect();
        InterfaceState {
            mac_in_use: Some(i.mac),
            ifindex: Some(0),
            mtu: Some(1500),
            admin_up: Some(true),
            link_up: Some(true),
            statistics,
            ..InterfaceState::default()
        }
    }

    fn controller_states(&self, _: &str) -> BTreeMap<String, ControllerState> {
        BTreeMap::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ovsdb::Uuid;

    fn iface(name: &str, kind: &str) -> InterfaceConfig {
        InterfaceConfig {
            uuid: Uuid::nil(),
            name: name.into(),
            kind: kind.into(),
            options: BTreeMap::new(),
            ofport_request: None,
            mac: None,
            mtu_request: None,
        }
    }

    #[test]
    fn type_rules_follow_the_dummy_mode() {
        assert!(check_kind(&iface("p1", "dummy"), DummyMode::On).is_ok());
        assert_eq!(
            check_kind(&iface("p1", "dummy"), DummyMode::Off).unwrap_err(),
            "could not open network device p1 (Address family not supported by protocol)"
        );
        assert_eq!(
            effective_kind(&iface("p1", ""), DummyMode::Override),
            "dummy"
        );
        assert_eq!(effective_kind(&iface("p1", ""), DummyMode::On), "system");
        assert!(check_kind(&iface("p1", "bogus"), DummyMode::Override).is_err());
        assert!(check_kind(&iface("p1", "patch"), DummyMode::On)
            .unwrap_err()
            .contains("peer"));
        assert_eq!(datapath_types(DummyMode::On), ["dummy", "netdev", "system"]);
    }

    #[test]
    fn dummy_interfaces_get_sequential_macs() {
        let mut b = BuiltinBackend::new(DummyMode::On);
        b.add_interface("br0", "p1", &iface("p1", "dummy"), 1)
            .unwrap();
        b.add_interface("br0", "p2", &iface("p2", "dummy"), 2)
            .unwrap();
        assert_eq!(
            b.interface_state("br0", "p1").mac_in_use,
            Some([0xaa, 0x55, 0xaa, 0x55, 0, 1])
        );
        assert_eq!(
            b.interface_state("br0", "p2").mac_in_use,
            Some([0xaa, 0x55, 0xaa, 0x55, 0, 2])
        );
        b.del_interface("br0", "p1");
        assert_eq!(b.n_interfaces(), 1);
    }
}
