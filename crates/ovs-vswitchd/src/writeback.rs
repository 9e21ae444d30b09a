//! The transaction that reports what runs back to the database: `cur_cfg` (which
//! `ovs-vsctl` waits for), the types the switch supports, Bridge `datapath_id` and
//! `datapath_version`, Interface `ofport`/`error` and device facts, Controller
//! `is_connected`/`status`. Only columns whose value differs from the replica are
//! written, so an idle switch sends nothing and its own updates cause no work.

use crate::apply::Switch;
use crate::backend::{Backend, ControllerState, InterfaceState};
use crate::config::{format_mac, SwitchConfig};
use ovs_json::Object;
use ovsdb::{Atom, Datum, Row, Uuid};
use ovsdb_idl::{Replica, Txn};
use std::collections::BTreeMap;

/// The OVSDB lock that only one ovs-vswitchd may hold.
pub const LOCK_NAME: &str = "ovs_vswitchd";

/// What the Open_vSwitch row advertises.
#[derive(Clone, Debug, Default)]
pub struct Capabilities {
    pub datapath_types: Vec<String>,
    pub iface_types: Vec<String>,
}

/// Accumulates per-row column updates.
pub struct WriteBack<'a> {
    replica: &'a Replica,
    rows: BTreeMap<(&'static str, Uuid), Object>,
}

fn s(v: &str) -> Datum {
    Datum::scalar(Atom::String(v.into()))
}

fn i(v: i64) -> Datum {
    Datum::scalar(Atom::Integer(v))
}

fn opt_s(v: Option<&str>) -> Datum {
    v.map_or_else(Datum::empty, s)
}

fn opt_i(v: Option<i64>) -> Datum {
    v.map_or_else(Datum::empty, i)
}

fn str_set(v: &[String]) -> Datum {
    Datum::set(v.iter().map(|x| Atom::String(x.as_str().into())).collect())
        .unwrap_or_else(|_| Datum::empty())
}

fn str_map(m: &BTreeMap<String, String>) -> Datum {
    Datum::map(
        m.iter()
            .map(|(k, v)| {
                (
                    Atom::String(k.as_str().into()),
                    Atom::String(v.as_str().into()),
                )
            })
            .collect(),
    )
    .unwrap_or_else(|_| Datum::empty())
}

fn int_map(m: &BTreeMap<String, i64>) -> Datum {
    Datum::map(
        m.iter()
            .map(|(k, v)| (Atom::String(k.as_str().into()), Atom::Integer(*v)))
            .collect(),
    )
    .unwrap_or_else(|_| Datum::empty())
}

fn up_down(v: Option<bool>) -> Option<&'static str> {
    v.map(|up| if up { "up" } else { "down" })
}

impl<'a> WriteBack<'a> {
    pub fn new(replica: &'a Replica) -> WriteBack<'a> {
        WriteBack {
            replica,
            rows: BTreeMap::new(),
        }
    }

    /// Queues `column = value` for a row unless it already holds that value.
    fn set(&mut self, table: &'static str, row: &Row, column: &str, value: Datum) {
        let Some(ts) = self.replica.table_schema(table) else {
            return;
        };
        let Some(c) = ts.column_index(column) else {
            return;
        };
        if *row.datum(c) == value {
            return;
        }
        let json = value.to_json(&ts.columns[c].type_);
        self.rows
            .entry((table, row.uuid))
            .or_default()
            .insert(column.to_owned(), json);
    }

    fn row(&self, table: &str, uuid: &Uuid) -> Option<&'a Row> {
        self.replica.row(table, uuid)
    }

    /// The Open_vSwitch row: capabilities and, once everything is applied, `cur_cfg`.
    pub fn open_vswitch(&mut self, cfg: &SwitchConfig, caps: &Capabilities, applied: bool) {
        let Some(row) = cfg.ovs_uuid.and_then(|u| self.row("Open_vSwitch", &u)) else {
            return;
        };
        if applied {
            self.set("Open_vSwitch", row, "cur_cfg", i(cfg.next_cfg));
        }
        self.set(
            "Open_vSwitch",
            row,
            "datapath_types",
            str_set(&caps.datapath_types),
        );
        self.set(
            "Open_vSwitch",
            row,
            "iface_types",
            str_set(&caps.iface_types),
        );
        self.set(
            "Open_vSwitch",
            row,
            "dpdk_initialized",
            Datum::scalar(Atom::Boolean(false)),
        );
    }

    /// Bridge, Interface and Controller rows of every configured bridge.
    /// `statistics` is written when `with_stats` (every 5 s) or when still empty.
    pub fn bridges<B: Backend>(
        &mut self,
        cfg: &SwitchConfig,
        switch: &Switch<B>,
        with_stats: bool,
    ) {
        for (name, bc) in &cfg.bridges {
            let running = switch.running.bridges.get(name);
            if let (Some(rb), Some(row)) = (running, self.row("Bridge", &bc.uuid)) {
                self.set(
                    "Bridge",
                    row,
                    "datapath_id",
                    s(&format!("{:016x}", rb.datapath_id)),
                );
                self.set("Bridge", row, "datapath_version", s("<built-in>"));
            }
            let controllers = running
                .map(|_| switch.backend.controller_states(name))
                .unwrap_or_default();
            for c in &bc.controllers {
                if let Some(row) = self.row("Controller", &c.uuid) {
                    let st = controllers.get(&c.target).cloned().unwrap_or_default();
                    self.controller(row, &st);
                }
            }
            for (_, iface) in bc.interfaces() {
                let Some(row) = self.row("Interface", &iface.uuid) else {
                    continue;
                };
                match running.and_then(|rb| rb.ifaces.get(&iface.name)) {
                    Some(ri) => {
                        let st = switch.backend.interface_state(name, &iface.name);
                        self.interface_up(row, i64::from(ri.ofport), &st, with_stats);
                    }
                    None => {
                        let err = switch.running.failed.get(&iface.name).map(String::as_str);
                        self.interface_failed(row, err);
                    }
                }
            }
        }
    }

    fn controller(&mut self, row: &Row, st: &ControllerState) {
        self.set(
            "Controller",
            row,
            "is_connected",
            Datum::scalar(Atom::Boolean(st.is_connected)),
        );
        self.set("Controller", row, "role", opt_s(st.role.as_deref()));
        self.set("Controller", row, "status", str_map(&st.status));
    }

    fn interface_up(&mut self, row: &Row, ofport: i64, st: &InterfaceState, with_stats: bool) {
        const T: &str = "Interface";
        self.set(T, row, "ofport", i(ofport));
        self.set(
            T,
            row,
            "mac_in_use",
            opt_s(st.mac_in_use.map(|m| format_mac(&m)).as_deref()),
        );
        self.set(T, row, "ifindex", opt_i(st.ifindex));
        self.set(T, row, "mtu", opt_i(st.mtu));
        self.set(T, row, "admin_state", opt_s(up_down(st.admin_up)));
        self.set(T, row, "link_state", opt_s(up_down(st.link_up)));
        self.set(T, row, "link_speed", opt_i(st.link_speed));
        self.set(T, row, "duplex", opt_s(st.duplex.as_deref()));
        if st.link_resets.is_some() {
            self.set(T, row, "link_resets", opt_i(st.link_resets));
        }
        self.set(T, row, "status", str_map(&st.status));
        self.set(T, row, "error", opt_s(st.error.as_deref()));
        let stats_empty = self
            .replica
            .get(T, row, "statistics")
            .is_none_or(Datum::is_empty);
        // A device that cannot say (it vanished) leaves the last counters.
        if (with_stats || stats_empty) && !st.statistics.is_empty() {
            self.set(T, row, "statistics", int_map(&st.statistics));
        }
    }

    fn interface_failed(&mut self, row: &Row, error: Option<&str>) {
        const T: &str = "Interface";
        self.set(T, row, "ofport", i(-1));
        self.set(T, row, "error", opt_s(error));
        for col in [
            "mac_in_use",
            "ifindex",
            "mtu",
            "admin_state",
            "link_state",
            "link_speed",
            "duplex",
        ] {
            self.set(T, row, col, Datum::empty());
        }
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The transaction (asserting our lock, as the reference's IDL does).
    pub fn into_txn(self) -> Txn {
        let mut txn = Txn::new();
        if self.rows.is_empty() {
            return txn;
        }
        txn.assert_lock(LOCK_NAME);
        for ((table, uuid), cols) in self.rows {
            txn.update(table, &uuid, cols);
        }
        txn
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apply::tests::Recorder;
    use crate::config::from_replica;
    use crate::config::tests::{one_bridge, replica_from};
    use ovs_json::Json;

    fn ops(txn: &Txn) -> String {
        Json::Array(txn.ops()).to_compact()
    }

    #[test]
    fn writes_cur_cfg_ofports_and_errors_then_nothing_when_unchanged() {
        let replica = replica_from(&one_bridge(
            3,
            &[("p1", "dummy", Some(1)), ("p3", "bogus", None)],
        ));
        let cfg = from_replica(&replica);
        let mut sw = Switch::new(Recorder::default());
        sw.reconfigure(&cfg);
        let caps = Capabilities {
            datapath_types: vec!["netdev".into(), "system".into()],
            iface_types: vec!["internal".into()],
        };
        let mut wb = WriteBack::new(&replica);
        wb.open_vswitch(&cfg, &caps, true);
        wb.bridges(&cfg, &sw, false);
        let text = ops(&wb.into_txn());
        assert!(text.contains("\"cur_cfg\":3"), "{text}");
        assert!(text.contains("\"ofport\":1"), "{text}");
        assert!(text.contains("\"ofport\":65534"), "{text}");
        assert!(text.contains("\"ofport\":-1"), "{text}");
        assert!(text.contains("could not open network device p3"), "{text}");
        assert!(
            text.contains("\"datapath_id\":\"0000000000000042\""),
            "{text}"
        );
        assert!(text.contains("\"assert\""), "{text}");

        // A replica that already holds those values needs no transaction.
        let mut r2 = replica_from(&one_bridge(
            3,
            &[("p1", "dummy", Some(1)), ("p3", "bogus", None)],
        ));
        let json = ovs_json::parse(&format!(
            "{{\"Open_vSwitch\":{{\"{}\":{{\"new\":{{\"next_cfg\":3,\"cur_cfg\":3,\"dpdk_initialized\":false,\
             \"bridges\":[\"uuid\",\"{}\"]}}}}}}}}",
            crate::config::tests::U_OVS,
            crate::config::tests::U_BR0
        ))
        .unwrap();
        r2.apply(&json, ovsdb_idl::replica::UpdateFormat::V1)
            .unwrap();
        let mut wb = WriteBack::new(&r2);
        wb.open_vswitch(&cfg, &Capabilities::default(), true);
        assert!(wb.is_empty());
    }
}
