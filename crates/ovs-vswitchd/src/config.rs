//! The desired switch configuration, read from the IDL replica of the Open_vSwitch
//! database: rows -> [`SwitchConfig`]. Pure (no I/O), so reconfiguration can be
//! tested on a replica built in memory.
//!
//! Like the reference, a configuration that cannot be honoured in part is honoured in
//! the rest: a second bridge or port of the same name, or an interface already used
//! elsewhere, is skipped with a warning (collected in [`SwitchConfig::warnings`]).

use ovsdb::{Atom, Datum, Row, Uuid};
use ovsdb_idl::Replica;
use std::collections::{BTreeMap, BTreeSet};

/// `fail_mode` of a bridge.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum FailMode {
    /// No controller connected: act as a learning switch (`priority=0 actions=NORMAL`).
    #[default]
    Standalone,
    /// Never set up flows by itself.
    Secure,
}

/// One Interface row, as far as the switch uses it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InterfaceConfig {
    pub uuid: Uuid,
    pub name: String,
    /// The `type` column; empty means `system`.
    pub kind: String,
    pub options: BTreeMap<String, String>,
    pub ofport_request: Option<u16>,
    pub mac: Option<[u8; 6]>,
    pub mtu_request: Option<u32>,
}

impl InterfaceConfig {
    /// The type the netdev layer is asked for (`system` for an empty `type`).
    pub fn netdev_kind(&self) -> &str {
        if self.kind.is_empty() {
            "system"
        } else {
            &self.kind
        }
    }

    /// Whether the interface is one half of a patch pair (no datapath port).
    pub fn is_patch(&self) -> bool {
        self.kind == "patch"
    }

    /// The peer of a patch port (`options:peer`).
    pub fn peer(&self) -> Option<&str> {
        self.options.get("peer").map(String::as_str)
    }
}

/// One Port row with its interfaces.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PortConfig {
    pub uuid: Uuid,
    pub name: String,
    pub tag: Option<u16>,
    pub trunks: Vec<u16>,
    /// `cvlans` (dot1q-tunnel ports).
    pub cvlans: Vec<u16>,
    /// `access`, `trunk`, `native-tagged`, `native-untagged`, `dot1q-tunnel`, or None
    /// (the reference's default: access if `tag` is set, else trunk).
    pub vlan_mode: Option<String>,
    pub other_config: BTreeMap<String, String>,
    pub interfaces: BTreeMap<String, InterfaceConfig>,
}

/// One Controller row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ControllerConfig {
    pub uuid: Uuid,
    pub target: String,
}

/// One Bridge row with its ports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BridgeConfig {
    pub uuid: Uuid,
    pub name: String,
    /// `datapath_type`; empty means `system`.
    pub datapath_type: String,
    pub fail_mode: FailMode,
    /// Allowed OpenFlow versions (`OpenFlow10`, ...); empty means the default set.
    pub protocols: Vec<String>,
    /// `other_config:datapath-id` (16 hex digits).
    pub datapath_id: Option<u64>,
    /// `other_config:hwaddr`.
    pub hwaddr: Option<[u8; 6]>,
    pub mac_table_size: Option<u32>,
    pub mac_aging_time: Option<u32>,
    pub flow_limit: Option<u32>,
    pub controllers: Vec<ControllerConfig>,
    pub ports: BTreeMap<String, PortConfig>,
}

impl BridgeConfig {
    /// Settings of the bridge itself (everything but its ports), for change detection.
    pub fn same_settings(&self, other: &BridgeConfig) -> bool {
        self.datapath_type == other.datapath_type
            && self.fail_mode == other.fail_mode
            && self.protocols == other.protocols
            && self.datapath_id == other.datapath_id
            && self.hwaddr == other.hwaddr
            && self.mac_table_size == other.mac_table_size
            && self.mac_aging_time == other.mac_aging_time
            && self.flow_limit == other.flow_limit
            && self.controllers == other.controllers
    }

    /// Every interface of the bridge with the name of its port.
    pub fn interfaces(&self) -> impl Iterator<Item = (&PortConfig, &InterfaceConfig)> {
        self.ports
            .values()
            .flat_map(|p| p.interfaces.values().map(move |i| (p, i)))
    }
}

/// The whole desired configuration.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SwitchConfig {
    /// The Open_vSwitch row (None until the database has one).
    pub ovs_uuid: Option<Uuid>,
    /// `next_cfg`, to be copied to `cur_cfg` once applied.
    pub next_cfg: i64,
    pub bridges: BTreeMap<String, BridgeConfig>,
    /// Open_vSwitch `other_config:pmd-cpu-mask`: the CPUs of the datapath's
    /// poll thread (unparsed; the datapath checks it).
    pub pmd_cpu_mask: Option<String>,
    /// Parts of the database that were skipped, as log lines.
    pub warnings: Vec<String>,
}

impl SwitchConfig {
    /// The configuration without the parts that do not change what runs.
    pub fn same_layout(&self, other: &SwitchConfig) -> bool {
        self.bridges == other.bridges && self.pmd_cpu_mask == other.pmd_cpu_mask
    }
}

/// Reads column values of one row by name.
struct RowReader<'a> {
    replica: &'a Replica,
    table: &'a str,
    row: &'a Row,
}

fn atom_str(a: &Atom) -> Option<&str> {
    match a {
        Atom::String(s) => Some(s),
        _ => None,
    }
}

fn atom_int(a: &Atom) -> Option<i64> {
    match a {
        Atom::Integer(i) => Some(*i),
        _ => None,
    }
}

impl<'a> RowReader<'a> {
    fn datum(&self, column: &str) -> Option<&'a Datum> {
        self.replica.get(self.table, self.row, column)
    }

    fn string(&self, column: &str) -> String {
        self.datum(column)
            .and_then(Datum::first)
            .and_then(atom_str)
            .unwrap_or_default()
            .to_owned()
    }

    fn opt_string(&self, column: &str) -> Option<String> {
        self.datum(column)
            .and_then(Datum::first)
            .and_then(atom_str)
            .map(str::to_owned)
    }

    fn opt_int(&self, column: &str) -> Option<i64> {
        self.datum(column).and_then(Datum::first).and_then(atom_int)
    }

    fn ints(&self, column: &str) -> Vec<i64> {
        self.datum(column)
            .map(|d| d.keys().iter().filter_map(atom_int).collect())
            .unwrap_or_default()
    }

    fn strings(&self, column: &str) -> Vec<String> {
        self.datum(column)
            .map(|d| {
                d.keys()
                    .iter()
                    .filter_map(atom_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default()
    }

    fn uuids(&self, column: &str) -> Vec<Uuid> {
        self.datum(column)
            .map(|d| {
                d.keys()
                    .iter()
                    .filter_map(|a| match a {
                        Atom::Uuid(u) => Some(*u),
                        _ => None,
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    fn map(&self, column: &str) -> BTreeMap<String, String> {
        self.datum(column)
            .map(|d| {
                d.pairs()
                    .filter_map(|(k, v)| Some((atom_str(k)?.to_owned(), atom_str(v)?.to_owned())))
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// Parses `xx:xx:xx:xx:xx:xx`.
pub fn parse_mac(s: &str) -> Option<[u8; 6]> {
    let mut mac = [0u8; 6];
    let mut parts = s.trim().split(':');
    for b in &mut mac {
        let p = parts.next()?;
        if p.is_empty() || p.len() > 2 {
            return None;
        }
        *b = u8::from_str_radix(p, 16).ok()?;
    }
    parts.next().is_none().then_some(mac)
}

/// Formats a MAC the way the database holds it.
pub fn format_mac(mac: &[u8; 6]) -> String {
    format!(
        "{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}",
        mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]
    )
}

/// `other_config:datapath-id`: exactly 16 hex digits (an optional `0x` prefix is
/// accepted), not all zero.
fn parse_datapath_id(s: &str) -> Option<u64> {
    let digits = s.strip_prefix("0x").unwrap_or(s);
    if digits.len() != 16 {
        return None;
    }
    u64::from_str_radix(digits, 16).ok().filter(|&d| d != 0)
}

fn parse_u32(map: &BTreeMap<String, String>, key: &str) -> Option<u32> {
    map.get(key).and_then(|v| v.trim().parse().ok())
}

/// Reads the desired configuration from the replica.
pub fn from_replica(replica: &Replica) -> SwitchConfig {
    let mut cfg = SwitchConfig::default();
    // The reference uses the first (and only) Open_vSwitch row.
    let Some(ovs) = replica.rows("Open_vSwitch").min_by_key(|r| r.uuid) else {
        return cfg;
    };
    let ovs_reader = RowReader {
        replica,
        table: "Open_vSwitch",
        row: ovs,
    };
    cfg.ovs_uuid = Some(ovs.uuid);
    cfg.next_cfg = ovs_reader.opt_int("next_cfg").unwrap_or(0);
    cfg.pmd_cpu_mask = ovs_reader.map("other_config").remove("pmd-cpu-mask");
    // Names already taken anywhere in the switch: ports and interfaces are global.
    let mut port_names = BTreeSet::new();
    let mut iface_names = BTreeSet::new();
    let mut bridge_uuids = ovs_reader.uuids("bridges");
    bridge_uuids.sort();
    for uuid in bridge_uuids {
        let Some(row) = replica.row("Bridge", &uuid) else {
            continue;
        };
        let br = RowReader {
            replica,
            table: "Bridge",
            row,
        };
        let name = br.string("name");
        if cfg.bridges.contains_key(&name) {
            cfg.warnings.push(format!("bridge {name} specified twice"));
            continue;
        }
        let bridge = read_bridge(
            replica,
            &br,
            &mut port_names,
            &mut iface_names,
            &mut cfg.warnings,
        );
        cfg.bridges.insert(name, bridge);
    }
    cfg
}

fn read_bridge(
    replica: &Replica,
    br: &RowReader<'_>,
    port_names: &mut BTreeSet<String>,
    iface_names: &mut BTreeSet<String>,
    warnings: &mut Vec<String>,
) -> BridgeConfig {
    let name = br.string("name");
    let other = br.map("other_config");
    let mut controllers: Vec<ControllerConfig> = br
        .uuids("controller")
        .into_iter()
        .filter_map(|u| {
            let row = replica.row("Controller", &u)?;
            let c = RowReader {
                replica,
                table: "Controller",
                row,
            };
            Some(ControllerConfig {
                uuid: u,
                target: c.string("target"),
            })
        })
        .collect();
    controllers.sort_by(|a, b| a.target.cmp(&b.target));
    let mut bridge = BridgeConfig {
        uuid: br.row.uuid,
        name: name.clone(),
        datapath_type: br.string("datapath_type"),
        fail_mode: match br.opt_string("fail_mode").as_deref() {
            Some("secure") => FailMode::Secure,
            _ => FailMode::Standalone,
        },
        protocols: br.strings("protocols"),
        datapath_id: other.get("datapath-id").and_then(|s| parse_datapath_id(s)),
        hwaddr: other.get("hwaddr").and_then(|s| parse_mac(s)),
        mac_table_size: parse_u32(&other, "mac-table-size"),
        mac_aging_time: parse_u32(&other, "mac-aging-time"),
        flow_limit: parse_u32(&other, "flow-limit"),
        controllers,
        ports: BTreeMap::new(),
    };
    let mut port_uuids = br.uuids("ports");
    port_uuids.sort();
    for pu in port_uuids {
        let Some(row) = replica.row("Port", &pu) else {
            continue;
        };
        let p = RowReader {
            replica,
            table: "Port",
            row,
        };
        let pname = p.string("name");
        if !port_names.insert(pname.clone()) {
            warnings.push(format!(
                "bridge {name}: {pname} specified twice as bridge port"
            ));
            continue;
        }
        let mut port = PortConfig {
            uuid: pu,
            name: pname.clone(),
            tag: p
                .opt_int("tag")
                .and_then(|t| u16::try_from(t).ok())
                .filter(|t| *t < 4096),
            trunks: p
                .ints("trunks")
                .into_iter()
                .filter_map(|t| u16::try_from(t).ok())
                .filter(|t| *t < 4096)
                .collect(),
            cvlans: p
                .ints("cvlans")
                .into_iter()
                .filter_map(|t| u16::try_from(t).ok())
                .filter(|t| *t < 4096)
                .collect(),
            vlan_mode: p.opt_string("vlan_mode"),
            other_config: p.map("other_config"),
            interfaces: BTreeMap::new(),
        };
        let mut iface_uuids = p.uuids("interfaces");
        iface_uuids.sort();
        for iu in iface_uuids {
            let Some(row) = replica.row("Interface", &iu) else {
                continue;
            };
            let i = RowReader {
                replica,
                table: "Interface",
                row,
            };
            let iname = i.string("name");
            if !iface_names.insert(iname.clone()) {
                warnings.push(format!(
                    "bridge {name}: {iname} interface is on multiple ports"
                ));
                continue;
            }
            let iface = InterfaceConfig {
                uuid: iu,
                name: iname.clone(),
                kind: i.string("type"),
                options: i.map("options"),
                ofport_request: i
                    .opt_int("ofport_request")
                    .and_then(|r| u16::try_from(r).ok())
                    .filter(|r| (1..0xff00).contains(r)),
                mac: i.opt_string("mac").and_then(|m| parse_mac(&m)),
                mtu_request: i.opt_int("mtu_request").and_then(|m| u32::try_from(m).ok()),
            };
            port.interfaces.insert(iname, iface);
        }
        if port.interfaces.is_empty() {
            warnings.push(format!(
                "bridge {name}: port {pname} has no interfaces, dropping"
            ));
            continue;
        }
        bridge.ports.insert(pname, port);
    }
    bridge
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use ovs_json::Json;
    use ovsdb::DatabaseSchema;
    use ovsdb_idl::replica::UpdateFormat;
    use std::sync::Arc;

    /// A replica of the vswitch schema holding `updates` (monitor v1 format).
    pub fn replica_from(updates: &str) -> Replica {
        let schema = ovs_json::parse(vswitch_schema::VSWITCH_SCHEMA).unwrap();
        let schema = Arc::new(DatabaseSchema::from_json(&schema).unwrap());
        let mut r = Replica::new(schema);
        let json: Json = ovs_json::parse(updates).unwrap();
        r.apply(&json, UpdateFormat::V1).unwrap();
        r
    }

    pub const U_OVS: &str = "00000000-0000-0000-0000-000000000001";
    pub const U_BR0: &str = "00000000-0000-0000-0000-000000000010";

    /// One bridge br0 (dummy) with its local port and ports `ports`
    /// (name, type, ofport_request).
    pub fn one_bridge(next_cfg: i64, ports: &[(&str, &str, Option<i64>)]) -> String {
        let mut port_rows = Vec::new();
        let mut iface_rows = Vec::new();
        let mut port_refs = Vec::new();
        let all: Vec<(&str, &str, Option<i64>)> = std::iter::once(("br0", "internal", None))
            .chain(ports.iter().copied())
            .collect();
        for (n, (name, kind, req)) in all.iter().enumerate() {
            let pu = format!("00000000-0000-0000-0001-{:012}", n);
            let iu = format!("00000000-0000-0000-0002-{:012}", n);
            port_refs.push(format!("[\"uuid\",\"{pu}\"]"));
            port_rows.push(format!(
                "\"{pu}\":{{\"new\":{{\"name\":\"{name}\",\"interfaces\":[\"uuid\",\"{iu}\"]}}}}"
            ));
            let req = req.map_or(String::new(), |r| format!(",\"ofport_request\":{r}"));
            iface_rows.push(format!(
                "\"{iu}\":{{\"new\":{{\"name\":\"{name}\",\"type\":\"{kind}\"{req}}}}}"
            ));
        }
        format!(
            "{{\"Open_vSwitch\":{{\"{U_OVS}\":{{\"new\":{{\"next_cfg\":{next_cfg},\"bridges\":[\"uuid\",\"{U_BR0}\"]}}}}}},\
             \"Bridge\":{{\"{U_BR0}\":{{\"new\":{{\"name\":\"br0\",\"datapath_type\":\"dummy\",\
             \"other_config\":[\"map\",[[\"datapath-id\",\"0000000000000042\"],[\"mac-table-size\",\"100\"]]],\
             \"ports\":[\"set\",[{}]]}}}}}},\
             \"Port\":{{{}}},\"Interface\":{{{}}}}}",
            port_refs.join(","),
            port_rows.join(","),
            iface_rows.join(",")
        )
    }

    #[test]
    fn rows_become_a_switch_config() {
        let r = replica_from(&one_bridge(
            7,
            &[("p1", "dummy", Some(1)), ("p2", "", None)],
        ));
        let cfg = from_replica(&r);
        assert_eq!(cfg.next_cfg, 7);
        let br = &cfg.bridges["br0"];
        assert_eq!(br.datapath_type, "dummy");
        assert_eq!(br.datapath_id, Some(0x42));
        assert_eq!(br.mac_table_size, Some(100));
        assert_eq!(br.ports.len(), 3);
        let p1 = &br.ports["p1"].interfaces["p1"];
        assert_eq!(p1.ofport_request, Some(1));
        assert_eq!(p1.netdev_kind(), "dummy");
        assert_eq!(br.ports["p2"].interfaces["p2"].netdev_kind(), "system");
        assert!(cfg.warnings.is_empty());
    }

    #[test]
    fn macs_and_datapath_ids_parse_strictly() {
        assert_eq!(
            parse_mac("aa:55:aa:55:00:0f"),
            Some([0xaa, 0x55, 0xaa, 0x55, 0, 0xf])
        );
        assert_eq!(parse_mac("aa:55:aa:55:00"), None);
        assert_eq!(parse_mac("aa:55:aa:55:00:0f:01"), None);
        assert_eq!(parse_mac("zz:55:aa:55:00:0f"), None);
        assert_eq!(
            format_mac(&[0xaa, 0x55, 0xaa, 0x55, 0, 0xf]),
            "aa:55:aa:55:00:0f"
        );
        assert_eq!(parse_datapath_id("0000000000000001"), Some(1));
        assert_eq!(parse_datapath_id("0x0000000000000001"), Some(1));
        assert_eq!(parse_datapath_id("1"), None);
        assert_eq!(parse_datapath_id("0000000000000000"), None);
    }

    #[test]
    fn empty_database_gives_empty_config() {
        let r = replica_from("{}");
        assert_eq!(from_replica(&r), SwitchConfig::default());
    }
}
