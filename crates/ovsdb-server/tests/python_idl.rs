//! Scenario 3: a Python program on python3-openvswitch's `ovs.db.idl` (the IDL
//! that many controllers and agents use) against the server under test: it
//! builds its replica (monitor_cond_since plus `_Server` tracking), commits a
//! transaction, and sees a change made by another client (`ovs-vsctl`).

#[macro_use]
mod common;

use common::sut::fixture_path;
use common::{vswitch_db, Sut};
use testkit::{real_ovs, run_ok, wait_until, Daemon, RunDir, DEFAULT_TIMEOUT};

/// Debian's interpreter, where python3-openvswitch is installed (not whatever
/// `python3` comes first in PATH).
const PYTHON: &str = "/usr/bin/python3";

fn python_idl_round_trip(sut: &Sut) {
    let dir = RunDir::new(&format!("python_idl_{}", sut.name()));
    let db = vswitch_db(&dir);
    let server = sut.start(&dir, &[&db]);
    let vsctl = |args: &[&str]| {
        run_ok(
            dir.command(real_ovs::OVS_VSCTL)
                .arg(format!("--db={}", server.remote()))
                .args(["--no-wait", "--timeout=20"])
                .args(args),
        )
    };
    vsctl(&["init"]);
    vsctl(&["add-br", "br0"]);

    let mut client = Daemon::builder(&dir, PYTHON)
        .name("idl_client")
        .arg(fixture_path("idl_client.py"))
        .arg(server.remote())
        .arg(real_ovs::VSWITCH_SCHEMA)
        .start();
    let mut exited = None;
    let ready = wait_until(DEFAULT_TIMEOUT, "the Python client to commit", || {
        exited = client.try_exit_status();
        client.stdout().contains("READY\n") || exited.is_some()
    });
    if ready.is_err() || exited.is_some() {
        panic!(
            "the Python IDL client did not get ready ({ready:?}, exit {exited:?}):\n{}\n{}",
            client.stdout(),
            client.stderr_report()
        );
    }
    // Its transaction is in the database for everyone.
    assert_eq!(vsctl(&["list-br"]), "br-py\nbr0\n");
    assert_eq!(
        vsctl(&["br-get-external-id", "br-py", "made-by"]),
        "python\n"
    );

    vsctl(&[
        "add-br",
        "br-vsctl",
        "--",
        "br-set-external-id",
        "br-vsctl",
        "from",
        "vsctl",
    ]);
    let status = match client.wait_exit(DEFAULT_TIMEOUT) {
        Ok(s) => s,
        Err(e) => panic!("{e}\nstdout:\n{}", client.stdout()),
    };
    assert!(
        status.success(),
        "the Python client failed ({status}):\n{}\n{}",
        client.stdout(),
        client.stderr_report()
    );
    assert_eq!(
        client.stdout(),
        "initial bridges: br0\n\
         commit: success\n\
         after commit: br-py br0\n\
         READY\n\
         bridges: br-py br-vsctl br0\n\
         br-vsctl external_ids: [('from', 'vsctl')]\n"
    );
}

against_both!(
    python_idl_round_trip,
    python_idl_round_trip_real,
    python_idl_round_trip_ours
);
