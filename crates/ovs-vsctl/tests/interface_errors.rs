//! After a change, ovs-vsctl waits for ovs-vswitchd to apply it and then reports
//! each interface it created that ovs-vswitchd could not set up, with the error
//! ovs-vswitchd recorded. Checked against the reference with the real ovs-vswitchd
//! (on a dummy datapath, so it needs no privileges or kernel module), once with
//! the real ovsdb-server and once with ours.

mod common;

use common::{normalized, ours, split, start_server, vsctl, ServerKind};
use std::path::{Path, PathBuf};
use testkit::{real_ovs, Daemon, RunDir};

/// An empty, initialised database, made with the real tools.
fn base_db(dir: &RunDir) -> PathBuf {
    common::build_db(dir, &["init".to_string()])
}

/// The real ovs-vswitchd, on the server in `dir`, every datapath replaced by a
/// dummy one.
fn start_vswitchd(dir: &RunDir) -> Daemon {
    let ctl = dir.file("ovs-vswitchd.ctl");
    let mut d = Daemon::builder(dir, real_ovs::OVS_VSWITCHD)
        .arg(dir.db_remote())
        .arg("--enable-dummy=override")
        .arg("--disable-system")
        .arg("--no-chdir")
        .arg(format!("--unixctl={}", ctl.display()))
        .arg(format!("--log-file={}", dir.log("ovs-vswitchd").display()))
        .arg("-vconsole:off")
        .start();
    if let Err(e) = d.wait_for_socket(&ctl) {
        panic!("ovs-vswitchd did not start: {e}");
    }
    d
}

/// Runs each line with one client on a fresh copy of `base`, with its own server
/// of `kind` and ovs-vswitchd, and returns what each printed.
fn run_all(binary: &Path, kind: ServerKind, base: &Path, lines: &[&str]) -> Vec<String> {
    let dir = RunDir::new("vsctl-iface-errors");
    if let Err(e) = std::fs::copy(base, dir.conf_db()) {
        panic!("copying the base database: {e}");
    }
    let _server = start_server(&dir, &dir.conf_db(), kind);
    let _vswitchd = start_vswitchd(&dir);
    lines
        .iter()
        .map(|line| {
            let out = vsctl(binary, &dir, &split(line));
            let (stdout, stderr, status) = normalized(&out);
            // The log directory named in the report is this run's (OVS_LOGDIR).
            let stderr = stderr.replace(&dir.path().display().to_string(), "<logdir>");
            format!("ovs-vsctl {line}\n{stdout}{stderr}{status}\n")
        })
        .collect()
}

#[test]
fn interfaces_that_fail_to_come_up_are_reported_like_the_reference() {
    real_ovs::require_real_ovs();
    let base_dir = RunDir::new("vsctl-iface-errors-base");
    let base = base_db(&base_dir);
    let lines = [
        "-t 20 add-br br0",
        "-t 20 add-port br0 good",
        "-t 20 add-port br0 bad -- set interface bad type=nosuch",
        "-t 20 add-bond br0 bond0 b1 b2 -- set interface b1 type=nosuch -- set interface b2 type=nosuch2",
        "-t 20 add-bond-iface bond0 b3 -- set interface b3 type=nosuch",
        "-t 20 add-br fake br0 5 -- add-port fake fp -- set interface fp type=nosuch",
        "-t 20 --no-wait add-port br0 quiet -- set interface quiet type=nosuch",
        "-t 20 add-port br0 bad2 -- set interface bad2 type=nosuch -- del-port bad2",
        "-t 20 set interface good type=nosuch",
        "-t 20 list-br",
    ];
    let mut diffs = Vec::new();
    for kind in [ServerKind::Real, ServerKind::Ours] {
        let theirs = run_all(Path::new(real_ovs::OVS_VSCTL), kind, &base, &lines);
        let mine = run_all(&ours(), kind, &base, &lines);
        for (t, o) in theirs.iter().zip(&mine) {
            if t != o {
                diffs.push(format!("[{kind:?} server]\n  ref:  {t:?}\n  ours: {o:?}"));
            }
        }
        // The failures are reported at all (the reference prints them).
        assert!(
            theirs[2].contains("Error detected while setting up 'bad': could not open"),
            "{}",
            theirs[2]
        );
    }
    assert!(diffs.is_empty(), "{}", diffs.join("\n"));
}
