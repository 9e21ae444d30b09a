//! Daemon: environment, output capture, and that it never outlives its test.

use std::path::Path;
use std::time::Duration;

use testkit::{wait_until, Daemon, RunDir, DEFAULT_TIMEOUT};

const FIXTURE: &str = env!("CARGO_BIN_EXE_testkit-fixture");

fn alive(pid: u32) -> bool {
    Path::new(&format!("/proc/{pid}")).exists()
}

fn wait_for_stderr(d: &Daemon, text: &str) {
    wait_until(DEFAULT_TIMEOUT, &format!("{text:?} on stderr"), || {
        d.stderr().contains(text)
    })
    .unwrap_or_else(|e| panic!("{e}\nstderr so far:\n{}", d.stderr()));
}

#[test]
fn runs_in_the_rundir_with_ovs_directories_set() {
    let dir = RunDir::new("daemon_env");
    let d = Daemon::builder(&dir, FIXTURE)
        .args(["one", "two"])
        .env("OVS_LOGDIR", "/elsewhere")
        .start();
    wait_for_stderr(&d, "ready");
    let stderr = d.stderr();
    let p = dir.path().display();
    assert!(stderr.contains(&format!("OVS_RUNDIR={p}\n")), "{stderr}");
    assert!(stderr.contains(&format!("OVS_DBDIR={p}\n")), "{stderr}");
    assert!(
        stderr.contains(&format!("OVS_SYSCONFDIR={p}\n")),
        "{stderr}"
    );
    // Explicit env wins over the defaults.
    assert!(stderr.contains("OVS_LOGDIR=/elsewhere\n"), "{stderr}");
    assert!(stderr.contains(&format!("cwd={p}\n")), "{stderr}");
    assert!(stderr.contains("arg=one\narg=two\n"), "{stderr}");
    assert_eq!(d.stderr_path(), dir.file("testkit-fixture.stderr"));
    assert_eq!(d.stdout(), "");
}

#[test]
fn dropping_kills_and_reaps() {
    let dir = RunDir::new("daemon_drop");
    let d = Daemon::builder(&dir, FIXTURE).start();
    let pid = d.pid();
    wait_for_stderr(&d, "ready");
    assert!(alive(pid));
    drop(d);
    // Reaped, not a zombie: the /proc entry is gone.
    assert!(!alive(pid), "pid {pid} survived drop");
}

#[test]
fn kill9_reports_the_signal() {
    use std::os::unix::process::ExitStatusExt;
    let dir = RunDir::new("daemon_kill9");
    let mut d = Daemon::builder(&dir, FIXTURE).start();
    assert!(d.is_running());
    let status = d.kill9();
    assert_eq!(status.signal(), Some(libc::SIGKILL));
    assert!(!d.is_running());
    assert!(!alive(d.pid()));
    // A second kill is harmless and reports the same end.
    assert_eq!(d.kill9(), status);
}

#[test]
fn wait_exit_returns_the_exit_code() {
    let dir = RunDir::new("daemon_exit");
    let mut d = Daemon::builder(&dir, FIXTURE).arg("exit=7").start();
    let status = d.wait_exit(DEFAULT_TIMEOUT).unwrap();
    assert_eq!(status.code(), Some(7));
    assert_eq!(d.try_exit_status(), Some(status));
}

#[test]
fn wait_exit_times_out_on_a_running_daemon() {
    let dir = RunDir::new("daemon_no_exit");
    let mut d = Daemon::builder(&dir, FIXTURE).start();
    wait_for_stderr(&d, "ready");
    let err = d.wait_exit(Duration::from_millis(20)).unwrap_err();
    assert!(err.contains("testkit-fixture"), "{err}");
    assert!(err.contains("to exit"), "{err}");
    // The message carries the daemon's stderr to explain itself.
    assert!(err.contains("ready"), "{err}");
}

#[test]
fn signal_delivers_sigterm() {
    use std::os::unix::process::ExitStatusExt;
    let dir = RunDir::new("daemon_sigterm");
    let mut d = Daemon::builder(&dir, FIXTURE).start();
    wait_for_stderr(&d, "ready");
    d.signal(libc::SIGTERM).unwrap();
    let status = d.wait_exit(DEFAULT_TIMEOUT).unwrap();
    assert_eq!(status.signal(), Some(libc::SIGTERM));
    assert!(d
        .signal(libc::SIGTERM)
        .unwrap_err()
        .contains("already exited"));
}

#[test]
fn wait_for_socket_fails_fast_when_the_daemon_exits() {
    let dir = RunDir::new("daemon_sock_exit");
    let mut d = Daemon::builder(&dir, FIXTURE).arg("exit=1").start();
    let err = d.wait_for_socket(&dir.db_sock()).unwrap_err();
    assert!(
        err.contains("exited (exit status: 1) before accepting"),
        "{err}"
    );
    assert!(err.contains("arg=exit=1"), "{err}");
}

#[test]
fn names_separate_output_files() {
    let dir = RunDir::new("daemon_names");
    let a = Daemon::builder(&dir, FIXTURE).name("first").start();
    let b = Daemon::builder(&dir, FIXTURE).name("second").start();
    assert_eq!(a.name(), "first");
    assert_eq!(b.stderr_path(), dir.file("second.stderr"));
    wait_for_stderr(&a, "ready");
    wait_for_stderr(&b, "ready");
}

#[test]
fn a_missing_binary_is_reported() {
    let dir = RunDir::new("daemon_missing");
    let err = Daemon::builder(&dir, "/nonexistent/ovsdb-server")
        .try_start()
        .unwrap_err();
    assert!(
        err.contains("cannot start /nonexistent/ovsdb-server"),
        "{err}"
    );
}
