//! Runs the installed Open vSwitch tools (test peers only) on our schema: ovsdb-tool creates a
//! database from it, ovsdb-server serves it, and ovs-vsctl can initialise it and add a bridge.

use ovs_json::Json;
use testkit::real_ovs::{OVSDB_CLIENT, OVSDB_TOOL, OVS_VSCTL};
use testkit::{run, run_ok, start_real_ovsdb_server, RunDir};

mod common;

fn parse(text: &str, what: &str) -> Json {
    match ovs_json::parse(text) {
        Ok(json) => json,
        Err(e) => panic!("{what} is not valid JSON: {e}"),
    }
}

#[test]
fn real_ovsdb_server_and_ovs_vsctl_accept_our_schema() {
    let dir = RunDir::new("real_ovsdb_accepts_our_schema");
    let db = dir.conf_db();
    let schema = vswitch_schema::path();
    // Creates the database with the real ovsdb-tool and waits until the server listens.
    let _server = start_real_ovsdb_server(&dir, &db, Some(&schema));
    let tool = |args: &[&str]| run_ok(dir.command(OVSDB_TOOL).args(args));
    let db_arg = db.to_string_lossy();
    assert_eq!(tool(&["db-name", &db_arg]).trim(), "Open_vSwitch");
    assert_eq!(
        tool(&["db-version", &db_arg]).trim(),
        vswitch_schema::SCHEMA_VERSION
    );

    let remote = dir.db_remote();
    let db_opt = format!("--db={remote}");

    // The server understood every fact of our schema as we meant it. It prints the schema in
    // its own notation (defaults omitted), hence the comparison of normalised facts.
    let served = parse(
        &run_ok(
            dir.command(OVSDB_CLIENT)
                .args(["get-schema", &remote, "Open_vSwitch"]),
        ),
        "ovsdb-client get-schema output",
    );
    let ours = parse(vswitch_schema::VSWITCH_SCHEMA, "vswitch.ovsschema");
    let report = common::differences(&common::facts(&served), &common::facts(&ours));
    assert!(
        report.is_empty(),
        "served schema differs:\n{}",
        report.join("\n")
    );
    assert_eq!(served.get("cksum"), ours.get("cksum"));

    let vsctl = |args: &[&str]| {
        run_ok(
            dir.command(OVS_VSCTL)
                .args([db_opt.as_str(), "--no-wait", "--timeout=20"])
                .args(args),
        )
    };
    vsctl(&["init"]);
    vsctl(&["add-br", "br0"]);
    vsctl(&[
        "add-port",
        "br0",
        "p1",
        "--",
        "set",
        "Interface",
        "p1",
        "type=internal",
    ]);
    assert_eq!(vsctl(&["list-br"]), "br0\n");
    assert_eq!(vsctl(&["list-ports", "br0"]), "p1\n");
    assert_eq!(vsctl(&["get", "Interface", "p1", "type"]), "internal\n");
    // A documented constraint is enforced by the real server through our schema.
    let rejected = run(dir
        .command(OVS_VSCTL)
        .args([db_opt.as_str(), "--no-wait", "--timeout=20"])
        .args(["set", "Port", "p1", "tag=4096"]));
    assert!(
        !rejected.success(),
        "tag=4096 should violate the 0..4095 range"
    );
}
