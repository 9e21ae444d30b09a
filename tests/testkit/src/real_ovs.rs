//! The real Open vSwitch 3.1 from Debian, used only as a test peer: a real
//! client for our servers, a real server for our clients, and the reference
//! output we compare against. Product code never uses it.

use std::path::Path;

use crate::daemon::Daemon;
use crate::run::run;
use crate::rundir::RunDir;

pub const OVSDB_SERVER: &str = "/usr/sbin/ovsdb-server";
pub const OVSDB_TOOL: &str = "/usr/bin/ovsdb-tool";
pub const OVSDB_CLIENT: &str = "/usr/bin/ovsdb-client";
pub const OVS_VSCTL: &str = "/usr/bin/ovs-vsctl";
pub const OVS_APPCTL: &str = "/usr/bin/ovs-appctl";
pub const OVS_OFCTL: &str = "/usr/bin/ovs-ofctl";
pub const OVS_VSWITCHD: &str = "/usr/sbin/ovs-vswitchd";
/// The schema the Debian package ships.
pub const VSWITCH_SCHEMA: &str = "/usr/share/openvswitch/vswitch.ovsschema";

/// Every path above.
pub const ALL: [&str; 8] = [
    OVSDB_SERVER,
    OVSDB_TOOL,
    OVSDB_CLIENT,
    OVS_VSCTL,
    OVS_APPCTL,
    OVS_OFCTL,
    OVS_VSWITCHD,
    VSWITCH_SCHEMA,
];

/// Panics unless the real Open vSwitch is installed. Interop tests call this
/// first: in CI a missing peer must fail the test, not skip it.
#[track_caller]
pub fn require_real_ovs() {
    let missing: Vec<&str> = ALL
        .iter()
        .copied()
        .filter(|p| !Path::new(p).exists())
        .collect();
    if !missing.is_empty() {
        panic!(
            "the real Open vSwitch is needed as a test peer but {} is missing; \
             install openvswitch-switch (scripts/install-test-deps.sh)",
            missing.join(", ")
        );
    }
}

/// Starts the real `ovsdb-server` in the foreground on `db_path`, listening
/// on `<rundir>/db.sock` (control socket `<rundir>/ovsdb-server.ctl`, log
/// `<rundir>/ovsdb-server.log`), and waits until the socket accepts
/// connections. With `create_from_schema`, the database is first created
/// from that schema with the real `ovsdb-tool create` (replacing nothing:
/// it fails if `db_path` exists).
///
/// Panics, with the server's stderr, if the server does not come up.
#[track_caller]
pub fn start_real_ovsdb_server(
    rundir: &RunDir,
    db_path: &Path,
    create_from_schema: Option<&Path>,
) -> Daemon {
    start_real_ovsdb_server_with(rundir, db_path, create_from_schema, &[])
}

/// [`start_real_ovsdb_server`] with extra arguments appended (more
/// `--remote=` options, more database files, `-vfile:dbg`, ...).
#[track_caller]
pub fn start_real_ovsdb_server_with(
    rundir: &RunDir,
    db_path: &Path,
    create_from_schema: Option<&Path>,
    extra_args: &[&str],
) -> Daemon {
    require_real_ovs();
    if let Some(schema) = create_from_schema {
        let out = run(rundir
            .command(OVSDB_TOOL)
            .arg("create")
            .arg(db_path)
            .arg(schema));
        if !out.success() {
            panic!(
                "ovsdb-tool create {} {} failed ({}): {}",
                db_path.display(),
                schema.display(),
                out.status,
                out.stderr
            );
        }
    }
    let sock = rundir.db_sock();
    let mut server = Daemon::builder(rundir, OVSDB_SERVER)
        .arg(db_path)
        .arg(format!("--remote=punix:{}", sock.display()))
        .arg("--no-chdir")
        .arg(format!(
            "--unixctl={}",
            rundir.file("ovsdb-server.ctl").display()
        ))
        .arg(format!(
            "--log-file={}",
            rundir.log("ovsdb-server").display()
        ))
        .args(extra_args)
        .start();
    if let Err(e) = server.wait_for_socket(&sock) {
        panic!("real ovsdb-server did not start: {e}");
    }
    server
}
