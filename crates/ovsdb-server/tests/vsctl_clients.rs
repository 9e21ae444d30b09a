//! Scenario 1: the real `ovs-vsctl` as a client of the server under test. A
//! session of configuration commands must print, with UUIDs masked, exactly what
//! it prints against the real server (fixture `vsctl_session.txt`), and the
//! references it creates must resolve.

#[macro_use]
mod common;

use std::process::Command;

use common::text::{is_uuid, mask_uuids, sorted_records, sorted_tree};
use common::{fixture, vswitch_db, Server, Sut};
use testkit::{real_ovs, run, Output, RunDir};

/// Runs `ovs-vsctl` against one server and records a transcript: each command,
/// its stdout, and for a failure its exit code and stderr.
struct Vsctl<'a> {
    dir: &'a RunDir,
    server: &'a Server,
    transcript: String,
}

impl<'a> Vsctl<'a> {
    fn new(dir: &'a RunDir, server: &'a Server) -> Vsctl<'a> {
        Vsctl {
            dir,
            server,
            transcript: String::new(),
        }
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = self.dir.command(real_ovs::OVS_VSCTL);
        cmd.arg(format!("--db={}", self.server.remote()))
            .arg("--no-wait")
            .arg("--timeout=20")
            .args(args);
        cmd
    }

    /// Runs and records. Output that lists rows in the server's hash order is
    /// recorded sorted: `find`/`list` records, and `show`'s entries.
    fn record(&mut self, args: &[&str], sort: bool) -> Output {
        let out = run(&mut self.command(args));
        self.transcript
            .push_str(&mask_uuids(&format!("$ ovs-vsctl {}\n", args.join(" "))));
        let stdout = if args == ["show"] {
            sorted_tree(&out.stdout)
        } else if sort {
            sorted_records(&out.stdout)
        } else {
            out.stdout.clone()
        };
        self.transcript.push_str(&mask_uuids(&stdout));
        if !out.success() {
            self.transcript
                .push_str(&format!("[{}]\n{}", out.status, mask_uuids(&out.stderr)));
        }
        out
    }

    /// Records a command that must succeed; returns its stdout.
    #[track_caller]
    fn ok(&mut self, args: &[&str]) -> String {
        let out = self.record(args, false);
        assert!(
            out.success(),
            "ovs-vsctl {args:?} failed ({}): {}",
            out.status,
            out.stderr
        );
        out.stdout
    }

    /// Records a command that must fail with exit code 1; returns its stderr.
    #[track_caller]
    fn fails(&mut self, args: &[&str]) -> String {
        let out = self.record(args, false);
        assert_eq!(
            out.code(),
            Some(1),
            "ovs-vsctl {args:?} should fail: {}",
            out.stdout
        );
        out.stderr
    }
}

fn vsctl_session(sut: &Sut) {
    let dir = RunDir::new(&format!("vsctl_session_{}", sut.name()));
    let db = vswitch_db(&dir);
    let server = sut.start(&dir, &[&db]);
    let mut v = Vsctl::new(&dir, &server);

    v.ok(&["init"]);
    v.ok(&["add-br", "br0"]);
    v.ok(&[
        "add-port",
        "br0",
        "p1",
        "--",
        "set",
        "Interface",
        "p1",
        "type=internal",
    ]);
    assert_eq!(v.ok(&["list-br"]), "br0\n");
    assert_eq!(v.ok(&["list-ports", "br0"]), "p1\n");
    assert_eq!(v.ok(&["port-to-br", "p1"]), "br0\n");

    // set/get on Bridge columns of several types (boolean, optional enum, maps).
    v.ok(&[
        "set",
        "Bridge",
        "br0",
        "stp_enable=true",
        "fail_mode=secure",
        "external_ids:owner=test",
        "other_config:hwaddr=\"00:11:22:33:44:55\"",
    ]);
    assert_eq!(
        v.ok(&[
            "get",
            "Bridge",
            "br0",
            "stp_enable",
            "fail_mode",
            "external_ids:owner",
            "other_config"
        ]),
        "true\nsecure\ntest\n{hwaddr=\"00:11:22:33:44:55\"}\n"
    );
    // ... and on Interface columns (optional integer, maps).
    v.ok(&[
        "set",
        "Interface",
        "p1",
        "mtu_request=1400",
        "options:key=value",
        "external_ids:k=v",
    ]);
    assert_eq!(
        v.ok(&[
            "get",
            "Interface",
            "p1",
            "type",
            "mtu_request",
            "options",
            "external_ids:k"
        ]),
        "internal\n1400\n{key=value}\nv\n"
    );
    v.ok(&[
        "--columns=name,type,mtu_request,options",
        "list",
        "Interface",
        "p1",
    ]);
    // Two rows match: their order is the server's, so compare them sorted.
    let found = v.record(
        &["--columns=name,type", "find", "Interface", "type=internal"],
        true,
    );
    assert!(found.success(), "{}", found.stderr);
    v.ok(&["--columns=name", "find", "Bridge", "stp_enable=true"]);
    v.ok(&[
        "--format=csv",
        "--columns=name,stp_enable,fail_mode",
        "list",
        "Bridge",
    ]);
    v.ok(&[
        "--format=json",
        "--columns=name,external_ids",
        "list",
        "Bridge",
    ]);

    // clear, remove, add.
    v.ok(&["clear", "Bridge", "br0", "fail_mode"]);
    assert_eq!(v.ok(&["get", "Bridge", "br0", "fail_mode"]), "[]\n");
    v.ok(&["remove", "Bridge", "br0", "external_ids", "owner"]);
    v.ok(&["add", "Bridge", "br0", "flood_vlans", "10", "20"]);
    assert_eq!(
        v.ok(&["get", "Bridge", "br0", "flood_vlans", "external_ids"]),
        "[10, 20]\n{}\n"
    );

    // --id=@x create, referenced in the same transaction.
    let created = v.ok(&[
        "--id=@q",
        "create",
        "QoS",
        "type=linux-htb",
        "other_config:max-rate=1000000",
        "--",
        "set",
        "Port",
        "p1",
        "qos=@q",
    ]);
    let qos = created.trim().to_string();
    assert!(is_uuid(&qos), "create printed {created:?}");
    assert_eq!(v.ok(&["get", "Port", "p1", "qos"]).trim(), qos);
    let qos_type = v.ok(&["get", "QoS", &qos, "type"]);
    assert_eq!(qos_type, "linux-htb\n");
    v.ok(&["list", "QoS"]);

    let show = v.ok(&["show"]);
    assert!(show.contains("    Bridge br0\n"), "{show}");
    assert!(show.contains("        Port p1\n"), "{show}");
    v.ok(&["list", "Bridge", "br0"]);
    v.ok(&["list", "Port", "p1"]);
    v.ok(&["wait-until", "Bridge", "br0", "stp_enable=true"]);

    // Errors the client detects from what the server holds.
    let err = v.fails(&["add-br", "br0"]);
    assert!(err.contains("a bridge named br0 already exists"), "{err}");
    v.fails(&["get", "Bridge", "nosuch", "name"]);
    v.fails(&["set", "Bridge", "br0", "stp_enable=maybe"]);
    v.fails(&["add-port", "br0", "p1"]);

    // Tear down.
    v.ok(&["del-port", "br0", "p1"]);
    assert_eq!(v.ok(&["list-ports", "br0"]), "");
    v.ok(&["--all", "destroy", "QoS"]);
    v.ok(&["list", "QoS"]);
    v.ok(&["show"]);
    v.ok(&["--if-exists", "del-br", "nope"]);
    v.ok(&["del-br", "br0"]);
    assert_eq!(v.ok(&["list-br"]), "");
    v.ok(&["show"]);

    let transcript = std::mem::take(&mut v.transcript);
    fixture::check(sut, "vsctl_session.txt", &transcript);
}

against_both!(vsctl_session, vsctl_session_real, vsctl_session_ours);
