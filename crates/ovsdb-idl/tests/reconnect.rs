//! The IDL survives a server crash: it reconnects with backoff, reloads the replica,
//! and reports a transaction whose reply was lost as TryAgain.

use ovs_json::Json;
use ovsdb::Atom;
use ovsdb_idl::protocol::Selection;
use ovsdb_idl::{Idl, Txn, TxnOutcome};
use std::os::unix::net::UnixStream;
use std::time::{Duration, Instant};
use testkit::{ensure_built, oxvs_bin, Daemon, RunDir};

fn start_server(dir: &RunDir) -> Daemon {
    let mut d = Daemon::builder(dir, oxvs_bin("ovsdb-server"))
        .arg(dir.conf_db())
        .arg(format!("--remote=punix:{}", dir.db_sock().display()))
        .arg(format!(
            "--unixctl={}",
            dir.file("ovsdb-server.ctl").display()
        ))
        .arg("--no-chdir")
        .start();
    d.wait_for_socket(&dir.db_sock()).expect("server socket");
    d
}

fn names(idl: &Idl<UnixStream>) -> Vec<String> {
    let r = idl.replica();
    let mut v: Vec<String> = r
        .rows("QoS")
        .filter_map(|row| r.get("QoS", row, "type"))
        .filter_map(|d| d.first().and_then(Atom::as_str).map(str::to_owned))
        .collect();
    v.sort();
    v
}

/// Inserts a row of the root table QoS, named by its `type`.
fn add_root_bridge(idl: &mut Idl<UnixStream>, name: &str) -> TxnOutcome {
    let mut txn = Txn::new();
    txn.insert(
        "QoS",
        [("type".to_string(), Json::string(name))]
            .into_iter()
            .collect(),
    );
    idl.commit(&txn, Some(Duration::from_secs(10)))
        .expect("commit")
}

#[test]
fn idl_reconnects_after_server_crash() {
    ensure_built(&["ovsdb-server"]);
    let dir = RunDir::new("idl_reconnects_after_server_crash");
    let schema = ovs_json::parse(vswitch_schema::VSWITCH_SCHEMA).unwrap();
    let schema = ovsdb::DatabaseSchema::from_json(&schema).unwrap();
    ovsdb::storage::create(&dir.conf_db(), &schema).unwrap();
    let mut server = start_server(&dir);

    let sock = dir.db_sock();
    let mut idl = Idl::open(
        move || UnixStream::connect(&sock),
        "Open_vSwitch",
        Selection::everything(),
        Some(Duration::from_secs(10)),
    )
    .expect("open");
    assert!(matches!(
        add_root_bridge(&mut idl, "br0"),
        TxnOutcome::Success { .. }
    ));
    assert_eq!(names(&idl), ["br0"]);

    server.kill9();
    drop(server);
    let _server = start_server(&dir);

    // The next commit waits for the reconnection; the replica reloads from the file.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        match add_root_bridge(&mut idl, "br1") {
            TxnOutcome::Success { .. } => break,
            TxnOutcome::TryAgain => assert!(Instant::now() < deadline, "never recovered"),
            other => panic!("{other:?}"),
        }
    }
    assert!(idl.reconnections() >= 1);
    assert_eq!(names(&idl), ["br0", "br1"]);
}
