//! The real Open vSwitch as a test peer: starting its ovsdb-server and
//! talking to it with its ovsdb-client.

use std::path::Path;

use testkit::real_ovs::{self, OVSDB_CLIENT, VSWITCH_SCHEMA};
use testkit::{run, run_ok, start_real_ovsdb_server, RunDir};

#[test]
fn all_peer_binaries_are_installed() {
    real_ovs::require_real_ovs();
    for p in real_ovs::ALL {
        assert!(Path::new(p).exists(), "{p}");
    }
}

#[test]
fn real_ovsdb_server_serves_a_new_database() {
    let dir = RunDir::new("real_ovsdb_server");
    let db = dir.conf_db();
    let mut server = start_real_ovsdb_server(&dir, &db, Some(Path::new(VSWITCH_SCHEMA)));
    assert!(db.is_file());

    let dbs = run_ok(
        dir.command(OVSDB_CLIENT)
            .arg("list-dbs")
            .arg(dir.db_remote()),
    );
    assert_eq!(dbs, "Open_vSwitch\n_Server\n");
    // Without a remote the client uses $OVS_RUNDIR/db.sock, which the
    // RunDir's command points at this server.
    let default_remote = run_ok(dir.command(OVSDB_CLIENT).arg("list-dbs"));
    assert_eq!(default_remote, dbs);

    // The control socket and log file are where we asked for them.
    assert!(dir.file("ovsdb-server.ctl").exists());
    assert!(dir.log("ovsdb-server").is_file());

    let pid = server.pid();
    server.kill9();
    assert!(!Path::new(&format!("/proc/{pid}")).exists());
    let out = run(dir
        .command(OVSDB_CLIENT)
        .arg("list-dbs")
        .arg(dir.db_remote()));
    assert!(!out.success(), "server still answers: {}", out.stdout);
}

#[test]
#[should_panic(expected = "real ovsdb-server did not start")]
fn a_server_that_cannot_start_is_reported() {
    let dir = RunDir::new("real_ovsdb_server_fail");
    // No such database and no schema to create it from.
    start_real_ovsdb_server(&dir, &dir.file("missing.db"), None);
}
