//! Runs the installed Open vSwitch tools (test peers only) on our schema: ovsdb-tool creates a
//! database from it, ovsdb-server serves it, and ovs-vsctl can initialise it and add a bridge.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use ovs_json::Json;

mod common;

const OVSDB_TOOL: &str = "/usr/bin/ovsdb-tool";
const OVSDB_SERVER: &str = "/usr/sbin/ovsdb-server";
const OVSDB_CLIENT: &str = "/usr/bin/ovsdb-client";
const OVS_VSCTL: &str = "/usr/bin/ovs-vsctl";

fn require(binary: &str) {
    assert!(
        Path::new(binary).exists(),
        "{binary} is missing: install the Debian packages openvswitch-common and \
         openvswitch-switch; this test runs the real tools against our schema"
    );
}

/// Runs a tool to completion with the run, db and log directories pointed at `dir`, and
/// fails the test with its stderr if it does not succeed.
fn run(dir: &Path, program: &str, args: &[&str]) -> String {
    let output: Output = match Command::new(program)
        .args(args)
        .env("OVS_RUNDIR", dir)
        .env("OVS_DBDIR", dir)
        .env("OVS_LOGDIR", dir)
        .stdin(Stdio::null())
        .output()
    {
        Ok(output) => output,
        Err(e) => panic!("cannot run {program}: {e}"),
    };
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{program} {args:?} failed ({}): {}{}",
        output.status,
        stdout,
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

/// An ovsdb-server child that is killed when the test ends, pass or fail.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        // The server may already be gone; either way there is nothing more to do.
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_server(dir: &Path, db: &Path, socket: &Path) -> Server {
    let child = Command::new(OVSDB_SERVER)
        .arg(db)
        .arg(format!("--remote=punix:{}", socket.display()))
        .arg(format!(
            "--unixctl={}",
            dir.join("ovsdb-server.ctl").display()
        ))
        .arg(format!(
            "--log-file={}",
            dir.join("ovsdb-server.log").display()
        ))
        .arg("--no-chdir")
        .arg("-vconsole:off")
        .env("OVS_RUNDIR", dir)
        .env("OVS_DBDIR", dir)
        .env("OVS_LOGDIR", dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn();
    let mut server = match child {
        Ok(child) => Server(child),
        Err(e) => panic!("cannot start {OVSDB_SERVER}: {e}"),
    };
    // Bounded poll: the socket appears once the server has loaded the database.
    let deadline = Instant::now() + Duration::from_secs(20);
    while !socket.exists() {
        if let Ok(Some(status)) = server.0.try_wait() {
            let log = std::fs::read_to_string(dir.join("ovsdb-server.log")).unwrap_or_default();
            panic!("{OVSDB_SERVER} exited ({status}) before listening:\n{log}");
        }
        assert!(
            Instant::now() < deadline,
            "{OVSDB_SERVER} did not create {} in time",
            socket.display()
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    server
}

fn parse(text: &str, what: &str) -> Json {
    match ovs_json::parse(text) {
        Ok(json) => json,
        Err(e) => panic!("{what} is not valid JSON: {e}"),
    }
}

#[test]
fn real_ovsdb_server_and_ovs_vsctl_accept_our_schema() {
    for binary in [OVSDB_TOOL, OVSDB_SERVER, OVSDB_CLIENT, OVS_VSCTL] {
        require(binary);
    }
    let tmp = match tempfile::tempdir() {
        Ok(tmp) => tmp,
        Err(e) => panic!("cannot create a temporary directory: {e}"),
    };
    let dir: PathBuf = tmp.path().to_owned();
    let db = dir.join("conf.db");
    let socket = dir.join("db.sock");
    let schema = vswitch_schema::path();
    let schema_arg = schema.to_string_lossy();
    let db_arg = db.to_string_lossy();

    run(&dir, OVSDB_TOOL, &["create", &db_arg, &schema_arg]);
    assert_eq!(
        run(&dir, OVSDB_TOOL, &["db-name", &db_arg]).trim(),
        "Open_vSwitch"
    );
    assert_eq!(
        run(&dir, OVSDB_TOOL, &["db-version", &db_arg]).trim(),
        vswitch_schema::SCHEMA_VERSION
    );

    let _server = start_server(&dir, &db, &socket);
    let remote = format!("unix:{}", socket.display());
    let db_opt = format!("--db={remote}");

    // The server understood every fact of our schema as we meant it. It prints the schema in
    // its own notation (defaults omitted), hence the comparison of normalised facts.
    let served = parse(
        &run(&dir, OVSDB_CLIENT, &["get-schema", &remote, "Open_vSwitch"]),
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
        let mut all = vec![db_opt.as_str(), "--no-wait", "--timeout=20"];
        all.extend_from_slice(args);
        run(&dir, OVS_VSCTL, &all)
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
    let rejected = Command::new(OVS_VSCTL)
        .args([db_opt.as_str(), "--no-wait", "--timeout=20"])
        .args(["set", "Port", "p1", "tag=4096"])
        .stdin(Stdio::null())
        .output();
    match rejected {
        Ok(output) => assert!(
            !output.status.success(),
            "tag=4096 should violate the 0..4095 range"
        ),
        Err(e) => panic!("cannot run {OVS_VSCTL}: {e}"),
    }
}
