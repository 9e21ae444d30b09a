//! The IDL against a live server: initial load, its own commits, another client's
//! changes, verify conflicts, increments and conditional monitoring.

use ovs_json::Json;
use ovsdb::Atom;
use ovsdb_idl::protocol::{Selection, TableSelection};
use ovsdb_idl::{Idl, Txn, TxnOutcome};
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::time::{Duration, Instant};
use testkit::{real_ovs, start_real_ovsdb_server, RunDir};

const T: Option<Duration> = Some(Duration::from_secs(10));

fn connect(dir: &RunDir, selection: Selection) -> Idl<UnixStream> {
    let s = UnixStream::connect(dir.db_sock()).expect("connect to server");
    Idl::connect(s, "Open_vSwitch", selection, T).expect("IDL handshake")
}

fn obj(pairs: &[(&str, Json)]) -> ovs_json::Object {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect()
}

fn bridge_names(idl: &Idl<UnixStream>) -> Vec<String> {
    let r = idl.replica();
    let mut names: Vec<String> = r
        .rows("Bridge")
        .filter_map(|row| r.get("Bridge", row, "name"))
        .filter_map(|d| d.first().and_then(Atom::as_str).map(str::to_owned))
        .collect();
    names.sort();
    names
}

/// Creates the Open_vSwitch row and a bridge with its port and interface.
fn add_bridge(idl: &mut Idl<UnixStream>, name: &str) -> TxnOutcome {
    let mut txn = Txn::new();
    let iface = txn.insert(
        "Interface",
        obj(&[
            ("name", Json::string(name)),
            ("type", Json::string("internal")),
        ]),
    );
    let port = txn.insert(
        "Port",
        obj(&[
            ("name", Json::string(name)),
            (
                "interfaces",
                Json::array([Json::string("named-uuid"), Json::string(iface)]),
            ),
        ]),
    );
    let br = txn.insert(
        "Bridge",
        obj(&[
            ("name", Json::string(name)),
            (
                "ports",
                Json::array([Json::string("named-uuid"), Json::string(port)]),
            ),
        ]),
    );
    let ovs = idl.replica().rows("Open_vSwitch").next().map(|r| r.uuid);
    let brref = Json::array([Json::string("named-uuid"), Json::string(br)]);
    match ovs {
        Some(u) => txn.mutate(
            "Open_vSwitch",
            &u,
            vec![Json::array([
                Json::string("bridges"),
                Json::string("insert"),
                Json::array([Json::string("set"), Json::array([brref])]),
            ])],
        ),
        None => {
            txn.insert("Open_vSwitch", obj(&[("bridges", brref)]));
        }
    }
    txn.comment(&format!("idl test: add {name}"));
    idl.commit(&txn, T).expect("commit")
}

fn scenario(dir: &RunDir) {
    let mut a = connect(dir, Selection::everything());
    let mut b = connect(dir, Selection::everything());
    assert_eq!(a.replica().n_rows("Open_vSwitch"), 0);

    // Our own commit is visible in our replica as soon as commit returns.
    let outcome = add_bridge(&mut a, "br0");
    let TxnOutcome::Success { inserted, .. } = outcome else {
        panic!("{outcome:?}")
    };
    assert_eq!(inserted.len(), 4);
    assert_eq!(bridge_names(&a), ["br0"]);
    let changes = a.replica_mut().take_changes();
    assert_eq!(changes["Bridge"].inserted.len(), 1);

    // Another client's change arrives as an update.
    let deadline = Some(Instant::now() + Duration::from_secs(10));
    while bridge_names(&b) != ["br0"] {
        assert!(b.wait_for_change(deadline).unwrap(), "b never saw br0");
    }
    match add_bridge(&mut b, "br1") {
        // The Open_vSwitch row exists now, so only Interface, Port and Bridge are new.
        TxnOutcome::Success {
            inserted,
            increment: None,
        } => assert_eq!(inserted.len(), 3),
        other => panic!("br1: {other:?}"),
    }
    while bridge_names(&a) != ["br0", "br1"] {
        assert!(a.wait_for_change(deadline).unwrap(), "a never saw br1");
    }

    // Verify: a stale read fails with TryAgain, a fresh one succeeds.
    let ovs_table = a.replica().table_schema("Open_vSwitch").unwrap().clone();
    let c_bridges = ovs_table.column_index("bridges").unwrap();
    let t_bridges = ovs_table.columns[c_bridges].type_.clone();
    let stale = a.replica().rows("Open_vSwitch").next().unwrap().clone();
    add_bridge(&mut b, "br2");
    let mut txn = Txn::new();
    txn.verify(
        "Open_vSwitch",
        &stale,
        &[("bridges", c_bridges, &t_bridges)],
    );
    txn.update(
        "Open_vSwitch",
        &stale.uuid,
        obj(&[(
            "external_ids",
            Json::array([
                Json::string("map"),
                Json::array([Json::array([Json::string("k"), Json::string("v")])]),
            ]),
        )]),
    );
    assert_eq!(a.commit(&txn, T).unwrap(), TxnOutcome::TryAgain);
    while bridge_names(&a).len() != 3 {
        assert!(a.wait_for_change(deadline).unwrap());
    }
    let fresh = a.replica().rows("Open_vSwitch").next().unwrap().clone();
    let mut txn = Txn::new();
    txn.verify(
        "Open_vSwitch",
        &fresh,
        &[("bridges", c_bridges, &t_bridges)],
    );
    txn.increment("Open_vSwitch", &fresh.uuid, "next_cfg");
    match a.commit(&txn, T).unwrap() {
        TxnOutcome::Success {
            increment: Some(1), ..
        } => {}
        other => panic!("increment: {other:?}"),
    }

    // Dry run: aborted, nothing changes.
    let mut txn = Txn::new();
    txn.delete("Open_vSwitch", &fresh.uuid);
    txn.abort();
    assert_eq!(a.commit(&txn, T).unwrap(), TxnOutcome::Aborted);
    assert_eq!(a.replica().n_rows("Open_vSwitch"), 1);

    // Conditional monitoring: only the rows asked for are replicated.
    let mut sel = Selection::default();
    sel.tables.insert(
        "Bridge".into(),
        TableSelection {
            columns: Some(vec!["name".into()]),
            condition: Some(Json::array([Json::array([
                Json::string("name"),
                Json::string("=="),
                Json::string("br1"),
            ])])),
        },
    );
    let mut c = connect(dir, sel);
    assert_eq!(bridge_names(&c), ["br1"]);
    assert_eq!(c.replica().n_rows("Port"), 0);
    let msg = c
        .protocol
        .set_condition(
            "Bridge",
            Json::array([Json::array([
                Json::string("name"),
                Json::string("!="),
                Json::string("br1"),
            ])]),
        )
        .expect("monitoring with conditions");
    c.send(msg).unwrap();
    while bridge_names(&c) != ["br0", "br2"] {
        assert!(
            c.wait_for_change(deadline).unwrap(),
            "condition change not applied"
        );
    }
}

#[test]
fn idl_against_real_ovsdb_server() {
    let dir = RunDir::new("idl_against_real_ovsdb_server");
    let _server = start_real_ovsdb_server(
        &dir,
        &dir.conf_db(),
        Some(Path::new(real_ovs::VSWITCH_SCHEMA)),
    );
    scenario(&dir);
}
