//! The process: options, `--detach`/`--pidfile`, the control socket (`version`,
//! `exit`, `coverage/show`), and the `ovs_vswitchd` database lock.

mod common;

use common::{vswitchd_bin, Switch};
use std::time::Duration;
use testkit::{real_ovs, run};

#[test]
fn help_and_version_match_the_reference_where_scripts_look() {
    let ours = run(std::process::Command::new(vswitchd_bin()).arg("--version"));
    let real = run(std::process::Command::new(real_ovs::OVS_VSWITCHD).arg("--version"));
    assert!(ours.success());
    assert_eq!(ours.stdout, real.stdout);
    let help = run(std::process::Command::new(vswitchd_bin()).arg("--help")).stdout;
    let real_help = run(std::process::Command::new(real_ovs::OVS_VSWITCHD).arg("--help")).stdout;
    let first_two = |s: &str| s.lines().take(2).collect::<Vec<_>>().join("\n");
    assert_eq!(first_two(&help), first_two(&real_help));
    for opt in [
        "--pidfile",
        "--detach",
        "--monitor",
        "--log-file",
        "--unixctl",
        "--enable-dummy",
        "--mlockall",
    ] {
        assert!(help.contains(opt), "{opt} missing from --help");
    }
    let bad = run(std::process::Command::new(vswitchd_bin()).args(["a", "b"]));
    assert_eq!(bad.code(), Some(1));
    assert!(bad.stderr.starts_with("ovs-vswitchd: "), "{}", bad.stderr);
}

#[test]
fn appctl_version_coverage_and_exit() {
    let mut sw = Switch::start("appctl_version_exit");
    let v = sw.appctl(&["version"]);
    assert_eq!(v, "ovs-vswitchd (Open vSwitch) 3.1.0\n");
    let cmds = sw.appctl(&["list-commands"]);
    for c in [
        "exit",
        "memory/show",
        "coverage/show",
        "upcall/show",
        "ofproto/list",
    ] {
        assert!(cmds.contains(c), "{c} not in list-commands:\n{cmds}");
    }
    sw.vsctl(&[
        "add-br",
        "br0",
        "--",
        "set",
        "bridge",
        "br0",
        "datapath_type=dummy",
    ]);
    let cov = sw.appctl(&["coverage/show"]);
    assert!(
        cov.lines().any(|l| l.starts_with("bridge_reconfigure")),
        "{cov}"
    );
    let out = sw.appctl_output("ovs-vswitchd.ctl", &["bridge/reconnect", "nosuch"]);
    assert!(!out.success());
    assert!(out.stderr.contains("Unknown bridge"), "{}", out.stderr);
    sw.appctl(&["exit", "--cleanup"]);
    let d = sw.vswitchd.as_mut().unwrap();
    let status = d
        .wait_exit(Duration::from_secs(20))
        .expect("exits after `exit`");
    assert!(status.success(), "{status:?}");
    assert!(!sw.dir.file("ovs-vswitchd.ctl").exists());
}

#[test]
fn second_switch_waits_for_the_lock_then_takes_over() {
    let mut sw = Switch::start("lock_takeover");
    sw.vsctl(&[
        "add-br",
        "br0",
        "--",
        "set",
        "bridge",
        "br0",
        "datapath_type=dummy",
    ]);
    let second = sw.start_vswitchd("second.ctl", "second");
    let log = sw.dir.log("second");
    sw.wait("the second switch to report the lock", || {
        std::fs::read_to_string(&log).is_ok_and(|l| {
            l.contains(&format!(
                "bridge|ERR|another ovs-vswitchd process is running, disabling this process (pid {}) until it goes away",
                second.pid()
            ))
        })
    });
    sw.appctl(&["exit"]);
    let d = sw.vswitchd.as_mut().unwrap();
    d.wait_exit(Duration::from_secs(20))
        .expect("first switch exits");
    // The second one now serves the database: ovs-vsctl's wait ends.
    sw.vsctl(&[
        "add-port",
        "br0",
        "p1",
        "--",
        "set",
        "interface",
        "p1",
        "type=dummy",
    ]);
    assert_eq!(sw.get("Interface", "p1", "ofport"), "1");
    let out = sw.appctl_output("second.ctl", &["ofproto/list"]);
    assert_eq!(out.stdout, "br0\n");
    drop(second);
}

#[test]
fn detach_with_pidfile_returns_when_ready() {
    let sw = Switch::start("detach_pidfile");
    let pidfile = sw.dir.file("other.pid");
    let ctl = sw.dir.file("other.ctl");
    let out = run(sw
        .dir
        .command(vswitchd_bin())
        .arg(sw.dir.db_remote())
        .arg("--enable-dummy")
        .arg("--detach")
        .arg("--no-chdir")
        .arg(format!("--pidfile={}", pidfile.display()))
        .arg(format!("--unixctl={}", ctl.display()))
        .arg(format!("--log-file={}", sw.dir.log("other").display())));
    assert!(out.success(), "{}", out.stderr);
    // Ready means: pidfile and control socket exist as soon as the parent returns.
    let pid: i32 = std::fs::read_to_string(&pidfile)
        .expect("pidfile written before --detach returns")
        .trim()
        .parse()
        .expect("pid in pidfile");
    struct Kill(i32);
    impl Drop for Kill {
        fn drop(&mut self) {
            // SAFETY: sending a signal to the daemon this test started.
            unsafe { libc::kill(self.0, libc::SIGKILL) };
        }
    }
    let _guard = Kill(pid);
    assert!(ctl.exists());
    let out = sw.appctl_output("other.ctl", &["exit"]);
    assert!(out.success(), "{}", out.stderr);
    sw.wait("the detached switch to exit and remove its pidfile", || {
        !pidfile.exists()
    });
}

#[test]
fn survives_a_database_restart() {
    let mut sw = Switch::start("database_restart");
    sw.vsctl(&[
        "add-br",
        "br0",
        "--",
        "set",
        "bridge",
        "br0",
        "datapath_type=dummy",
    ]);
    sw.ovsdb.kill9();
    let _ = std::fs::remove_file(sw.dir.db_sock());
    sw.ovsdb = Switch::start_ovsdb(&sw.dir);
    // The switch reconnects and keeps applying changes (ovs-vsctl waits for it).
    sw.vsctl(&[
        "add-port",
        "br0",
        "p1",
        "--",
        "set",
        "interface",
        "p1",
        "type=dummy",
    ]);
    assert_eq!(sw.get("Interface", "p1", "ofport"), "1");
    assert_eq!(sw.appctl(&["ofproto/list"]), "br0\n");
    assert!(sw.vswitchd.as_mut().unwrap().is_running());
}
