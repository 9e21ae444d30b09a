//! The process: options, `--detach`/`--pidfile`, `--monitor` restarts, the
//! control socket (`version`, `exit`, `coverage/show`), and the `ovs_vswitchd`
//! database lock.

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
    sw.add_dummy_bridge("br0");
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
    sw.add_dummy_bridge("br0");
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
    sw.add_dummy_bridge("br0");
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

/// Kills processes the test started (by pid) however it ends.
struct KillOnDrop(Vec<i32>);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        for &pid in &self.0 {
            // SAFETY: sending a signal to a process this test started.
            unsafe { libc::kill(pid, libc::SIGKILL) };
        }
    }
}

fn read_pid(path: &std::path::Path) -> Option<i32> {
    std::fs::read_to_string(path).ok()?.trim().parse().ok()
}

/// The parent process id of `pid`, from /proc.
fn parent_of(pid: i32) -> Option<i32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // "pid (comm) state ppid ...": comm may hold spaces, so cut after ')'.
    let rest = stat.rsplit_once(')')?.1;
    rest.split_whitespace().nth(1)?.parse().ok()
}

fn alive(pid: i32) -> bool {
    // Zombies count as gone.
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|s| s.rsplit_once(')').map(|(_, r)| r.trim_start().to_owned()))
        .is_some_and(|r| !r.starts_with('Z'))
}

#[test]
fn monitor_restarts_a_daemon_killed_by_a_crash_signal() {
    let sw = Switch::database("monitor_segv");
    let pidfile = sw.dir.file("ovs-vswitchd.pid");
    let ctl = sw.dir.file("ovs-vswitchd.ctl");
    let out = run(sw
        .dir
        .command(vswitchd_bin())
        .arg(sw.dir.db_remote())
        .args(["--enable-dummy", "--disable-system"])
        .args(["--detach", "--monitor", "--no-chdir"])
        .arg(format!("--pidfile={}", pidfile.display()))
        .arg(format!("--unixctl={}", ctl.display()))
        .arg(format!(
            "--log-file={}",
            sw.dir.log("ovs-vswitchd").display()
        )));
    assert!(out.success(), "{}", out.stderr);
    let first = read_pid(&pidfile).expect("pidfile written before --detach returns");
    let monitor = parent_of(first).expect("the daemon's parent");
    assert_ne!(monitor, 1, "--monitor: the daemon's parent is the monitor");
    let mut guard = KillOnDrop(vec![monitor, first]);

    // A SIGSEGV sent with kill (no faulting instruction) must end the daemon
    // like a real crash does, and the monitor must start a new one.
    // SAFETY: sending a signal to the daemon this test started.
    assert_eq!(unsafe { libc::kill(first, libc::SIGSEGV) }, 0);
    sw.wait("the daemon to die of SIGSEGV", || !alive(first));
    let mut second = 0;
    sw.wait("a restarted daemon in the pidfile", || {
        second = read_pid(&pidfile).unwrap_or(first);
        second != first && alive(second)
    });
    guard.0.push(second);
    assert_eq!(parent_of(second), Some(monitor));
    sw.wait("the restarted daemon's control socket", || {
        sw.appctl_output("ovs-vswitchd.ctl", &["version"]).success()
    });
    let log = sw.log();
    let line = format!("1 crashes: pid {first} died, killed (Segmentation fault)");
    assert!(
        log.lines().any(|l| l.contains("daemon_unix(monitor)|ERR|")
            && l.contains(&line)
            && l.ends_with("restarting")),
        "no restart line in the log:\n{log}"
    );
    // The restarted daemon still does its job.
    sw.add_dummy_bridge("br0");
    assert_eq!(sw.appctl(&["ofproto/list"]), "br0\n");

    // SIGTERM is not a crash: the daemon exits and so does the monitor.
    // SAFETY: as above.
    assert_eq!(unsafe { libc::kill(second, libc::SIGTERM) }, 0);
    sw.wait("the monitor to exit after SIGTERM", || {
        !alive(second) && !alive(monitor)
    });
}
