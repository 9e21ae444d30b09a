//! The daemon side as processes: pidfile locking (also against the real
//! ovsdb-server), --detach, --monitor, fatal signals, logging options and the
//! control socket, using the `oxvs-test-daemon` binary.

use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::Command;

use ovs_daemon::unixctl::Client;
use ovs_daemon::vlog;
use testkit::real_ovs::{OVSDB_SERVER, VSWITCH_SCHEMA};
use testkit::{require_real_ovs, run, wait_until, Daemon, RunDir, DEFAULT_TIMEOUT};

const BIN: &str = env!("CARGO_BIN_EXE_oxvs-test-daemon");
const NAME: &str = "oxvs-test-daemon";

/// Whether `pid` is running (zombies, which nobody may reap here, count as gone).
fn alive(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => match stat.rsplit_once(')') {
            Some((_, rest)) => !matches!(rest.trim_start().chars().next(), Some('Z' | 'X')),
            None => false,
        },
        Err(_) => false,
    }
}

fn parent_of(pid: u32) -> Option<u32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let (_, rest) = stat.rsplit_once(')')?;
    rest.split_whitespace().nth(1)?.parse().ok()
}

/// Kills (SIGKILL) the processes a test detached, however the test ends: those
/// listed and whoever the pidfile names then (a daemon restarted meanwhile).
struct Reaper(Vec<u32>, PathBuf);

impl Drop for Reaper {
    fn drop(&mut self) {
        let current = std::fs::read_to_string(&self.1)
            .ok()
            .and_then(|t| t.trim().parse::<u32>().ok());
        for &pid in self.0.iter().chain(current.iter()) {
            if alive(pid) {
                // SAFETY: kill(2) with plain integers; these are our test's daemons.
                unsafe { libc::kill(pid as libc::pid_t, libc::SIGKILL) };
            }
        }
    }
}

fn read_pid(path: &Path) -> u32 {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.trim()
        .parse()
        .unwrap_or_else(|_| panic!("{}: {text:?}", path.display()))
}

fn command(dir: &RunDir) -> Command {
    let mut c = dir.command(BIN);
    c.env("OVS_SYSLOG_METHOD", "null");
    c
}

fn foreground(dir: &RunDir, args: &[&str]) -> Daemon {
    Daemon::builder(dir, BIN)
        .env("OVS_SYSLOG_METHOD", "null")
        .args(args)
        .start()
}

fn ctl(dir: &RunDir, pid: u32) -> PathBuf {
    dir.file(&format!("{NAME}.{pid}.ctl"))
}

fn transact(sock: &Path, cmd: &str, args: &[&str]) -> Result<String, String> {
    // Our client logs connection trouble on the console; the tests check results.
    let _ = vlog::set_levels(None, Some(vlog::Destination::Console), vlog::Level::Off);
    let mut c = Client::connect(sock).map_err(|e| format!("connect {}: {e}", sock.display()))?;
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    c.transact(cmd, &args).map_err(|e| e.to_string())?
}

fn wait_gone(path: &Path) {
    wait_until(
        DEFAULT_TIMEOUT,
        &format!("{} to disappear", path.display()),
        || !path.exists(),
    )
    .unwrap();
}

#[test]
fn pidfile_refuses_a_second_instance_and_goes_away_on_exit() {
    let dir = RunDir::new("daemon_second_instance");
    let pidfile = dir.file(&format!("{NAME}.pid"));
    let mut first = foreground(&dir, &["--pidfile"]);
    first.wait_for_socket(&ctl(&dir, first.pid())).unwrap();
    assert_eq!(read_pid(&pidfile), first.pid());

    let second = run(command(&dir).arg("--pidfile"));
    assert_eq!(second.code(), Some(1));
    assert_eq!(
        second.stderr,
        format!(
            "{NAME}: {}: already running as pid {}, aborting\n",
            pidfile.display(),
            first.pid()
        )
    );
    // The refused instance left the running one's files alone.
    assert_eq!(read_pid(&pidfile), first.pid());

    assert_eq!(
        transact(&ctl(&dir, first.pid()), "exit", &[]),
        Ok(String::new())
    );
    first.wait_exit(DEFAULT_TIMEOUT).unwrap();
    assert!(!pidfile.exists());
    assert!(!ctl(&dir, first.pid()).exists());
}

#[test]
fn stale_pidfiles_are_replaced_and_overwrite_ignores_a_live_one() {
    let dir = RunDir::new("daemon_stale_pidfile");
    let pidfile = dir.file("d.pid");
    std::fs::write(&pidfile, "999999\n").unwrap();
    let mut a = foreground(&dir, &["--pidfile=d.pid", "--unixctl=a.ctl"]);
    a.wait_for_socket(&dir.file("a.ctl")).unwrap();
    assert_eq!(read_pid(&pidfile), a.pid());

    let mut b = foreground(
        &dir,
        &["--pidfile=d.pid", "--overwrite-pidfile", "--unixctl=b.ctl"],
    );
    b.wait_for_socket(&dir.file("b.ctl")).unwrap();
    assert_eq!(read_pid(&pidfile), b.pid());
    // The first one must not remove the file that is now the second one's.
    assert_eq!(transact(&dir.file("a.ctl"), "exit", &[]), Ok(String::new()));
    a.wait_exit(DEFAULT_TIMEOUT).unwrap();
    assert_eq!(read_pid(&pidfile), b.pid());
}

#[test]
fn real_ovsdb_server_and_ours_exclude_each_other() {
    require_real_ovs();
    let dir = RunDir::new("daemon_vs_real_pidfile");
    let ours_pid = dir.file("ours.pid");
    let real_pid = dir.file("real.pid");
    let mut ours = foreground(&dir, &["--pidfile=ours.pid", "--unixctl=ours.ctl"]);
    ours.wait_for_socket(&dir.file("ours.ctl")).unwrap();

    let db = dir.conf_db();
    let create = run(dir
        .command(testkit::real_ovs::OVSDB_TOOL)
        .arg("create")
        .arg(&db)
        .arg(VSWITCH_SCHEMA));
    assert!(create.success(), "{}", create.stderr);
    let refused = run(dir
        .command(OVSDB_SERVER)
        .arg(&db)
        .arg(format!("--pidfile={}", ours_pid.display()))
        .arg(format!("--unixctl={}", dir.file("x.ctl").display())));
    assert_eq!(refused.code(), Some(1));
    assert!(
        refused.stderr.contains(&format!(
            "ovsdb-server: {}: already running as pid {}, aborting",
            ours_pid.display(),
            ours.pid()
        )),
        "{}",
        refused.stderr
    );

    let mut real = Daemon::builder(&dir, OVSDB_SERVER)
        .arg(&db)
        .arg(format!("--pidfile={}", real_pid.display()))
        .arg(format!("--unixctl={}", dir.file("real.ctl").display()))
        .start();
    real.wait_for_socket(&dir.file("real.ctl")).unwrap();
    let refused = run(command(&dir)
        .arg("--pidfile=real.pid")
        .arg("--unixctl=y.ctl"));
    assert_eq!(refused.code(), Some(1));
    assert_eq!(
        refused.stderr,
        format!(
            "{NAME}: {}: already running as pid {}, aborting\n",
            real_pid.display(),
            real.pid()
        )
    );
    // And each side's pidfile reader finds the other's daemon.
    assert_eq!(
        ovs_daemon::pidfile::read_pidfile(&real_pid).unwrap(),
        real.pid()
    );
}

#[test]
fn detach_returns_once_ready_with_pidfile_socket_and_log() {
    let dir = RunDir::new("daemon_detach");
    let pidfile = dir.file(&format!("{NAME}.pid"));
    let _reaper = Reaper(vec![], pidfile.clone());
    let out = run(command(&dir).args(["--detach", "--pidfile", "--log-file"]));
    assert_eq!(out.code(), Some(0), "{}", out.stderr);
    // Everything is in place the moment the parent has exited.
    let pid = read_pid(&pidfile);
    assert!(alive(pid));
    let sock = ctl(&dir, pid);
    assert!(sock.exists());
    assert_eq!(transact(&sock, "echo", &["up"]), Ok("up\n".into()));
    // Detached: own session, working directory /, stdio on /dev/null.
    assert_eq!(
        std::fs::read_link(format!("/proc/{pid}/cwd")).unwrap(),
        Path::new("/")
    );
    assert_eq!(
        std::fs::read_link(format!("/proc/{pid}/fd/2")).unwrap(),
        Path::new("/dev/null")
    );
    // SAFETY: getsid(2) takes a plain pid.
    assert_eq!(
        unsafe { libc::getsid(pid as libc::pid_t) },
        pid as libc::pid_t
    );
    let log = std::fs::read_to_string(dir.log(NAME)).unwrap();
    assert!(
        log.contains(&format!(
            "|vlog|INFO|opened log file {}\n",
            dir.log(NAME).display()
        )),
        "{log}"
    );
    // The console went to the terminal until the daemon detached.
    assert!(
        out.stderr.contains("|vlog|INFO|opened log file"),
        "{}",
        out.stderr
    );

    assert_eq!(transact(&sock, "exit", &[]), Ok(String::new()));
    wait_gone(&pidfile);
    wait_gone(&sock);
    wait_until(DEFAULT_TIMEOUT, "the daemon to exit", || !alive(pid)).unwrap();
}

#[test]
fn no_chdir_keeps_the_working_directory() {
    let dir = RunDir::new("daemon_no_chdir");
    let pidfile = dir.file(&format!("{NAME}.pid"));
    let _reaper = Reaper(vec![], pidfile.clone());
    let out = run(command(&dir).args(["--detach", "--no-chdir", "--pidfile"]));
    assert_eq!(out.code(), Some(0), "{}", out.stderr);
    let pid = read_pid(&pidfile);
    assert_eq!(
        std::fs::read_link(format!("/proc/{pid}/cwd")).unwrap(),
        dir.path()
    );
    assert_eq!(transact(&ctl(&dir, pid), "exit", &[]), Ok(String::new()));
    wait_until(DEFAULT_TIMEOUT, "the daemon to exit", || !alive(pid)).unwrap();
}

#[test]
fn detach_passes_on_a_failure_before_ready() {
    let dir = RunDir::new("daemon_detach_failure");
    let out = run(command(&dir).args(["--detach", "--pidfile", "--fail-before-ready=3"]));
    assert_eq!(out.code(), Some(3), "{}", out.stderr);
    assert!(
        out.stderr
            .contains("|test_daemon|ERR|failing before ready as asked"),
        "{}",
        out.stderr
    );
    assert!(
        !dir.file(&format!("{NAME}.pid")).exists(),
        "pidfile removed on exit"
    );

    let out = run(command(&dir).args(["--detach", "--crash-before-ready"]));
    assert_eq!(out.code(), Some(1));
    assert!(
        out.stderr.starts_with(&format!(
            "{NAME}: fork child died before signaling startup (killed (Aborted)"
        )),
        "{}",
        out.stderr
    );
}

#[test]
fn sigterm_logs_and_removes_pidfile_and_socket() {
    let dir = RunDir::new("daemon_sigterm");
    let pidfile = dir.file(&format!("{NAME}.pid"));
    let mut d = foreground(&dir, &["--pidfile", "--log-file"]);
    let sock = ctl(&dir, d.pid());
    d.wait_for_socket(&sock).unwrap();
    d.signal(libc::SIGTERM).unwrap();
    let status = d.wait_exit(DEFAULT_TIMEOUT).unwrap();
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(
        status.signal(),
        Some(libc::SIGTERM),
        "dies of the signal itself"
    );
    assert!(!pidfile.exists());
    assert!(!sock.exists());
    let log = std::fs::read_to_string(dir.log(NAME)).unwrap();
    assert!(
        log.contains("|fatal_signal|WARN|terminating with signal 15 (Terminated)\n"),
        "{log}"
    );
}

#[test]
fn monitor_restarts_a_crashed_daemon_and_exits_with_it() {
    let dir = RunDir::new("daemon_monitor");
    let pidfile = dir.file(&format!("{NAME}.pid"));
    let mut reaper = Reaper(vec![], pidfile.clone());
    let out = run(command(&dir).args(["--detach", "--monitor", "--pidfile", "--log-file"]));
    assert_eq!(out.code(), Some(0), "{}", out.stderr);
    let first = read_pid(&pidfile);
    let monitor = parent_of(first).expect("the daemon's parent");
    // The monitor first: killed after it, a daemon would be restarted.
    reaper.0.push(monitor);
    assert_ne!(monitor, 1, "the daemon runs under its monitor");
    assert!(alive(monitor));

    // `crash` aborts: the client sees the connection drop.
    assert!(transact(&ctl(&dir, first), "crash", &[]).is_err());
    let mut second = 0;
    wait_until(DEFAULT_TIMEOUT, "a restarted daemon in the pidfile", || {
        second = std::fs::read_to_string(&pidfile)
            .ok()
            .and_then(|t| t.trim().parse().ok())
            .unwrap_or(0);
        second != 0 && second != first && UnixStream::connect(ctl(&dir, second)).is_ok()
    })
    .unwrap();
    assert_eq!(parent_of(second), Some(monitor));
    assert_eq!(
        transact(&ctl(&dir, second), "echo", &["again"]),
        Ok("again\n".into())
    );
    let log = std::fs::read_to_string(dir.log(NAME)).unwrap();
    assert!(
        log.contains(&format!(
            "|daemon_unix(monitor)|ERR|1 crashes: pid {first} died, killed (Aborted)"
        )) && log.contains(", restarting\n"),
        "{log}"
    );

    // A clean exit is not a crash: the monitor goes too.
    assert_eq!(transact(&ctl(&dir, second), "exit", &[]), Ok(String::new()));
    wait_until(DEFAULT_TIMEOUT, "the monitor to exit", || !alive(monitor)).unwrap();
    let log = std::fs::read_to_string(dir.log(NAME)).unwrap();
    assert!(
        log.contains(&format!(
            "|daemon_unix(monitor)|INFO|pid {second} died, exit status 0, exiting\n"
        )),
        "{log}"
    );
}

#[test]
fn logging_options() {
    let dir = RunDir::new("daemon_logging_options");
    // A relative --log-file is made absolute, so vlog/reopen after detaching works.
    // Options apply in order: the console is off before the log file is opened.
    let mut d = foreground(
        &dir,
        &[
            "-vconsole:off",
            "--log-file=rel.log",
            "--verbose=test_daemon:file:dbg",
        ],
    );
    let sock = ctl(&dir, d.pid());
    d.wait_for_socket(&sock).unwrap();
    assert_eq!(
        transact(&sock, "log", &["dbg", "debug line"]),
        Ok(String::new())
    );
    let list = transact(&sock, "vlog/list", &[]).unwrap();
    assert!(
        list.contains("\ntest_daemon        OFF       INFO        DBG\n"),
        "{list}"
    );
    assert!(
        list.contains("\nvlog               OFF       INFO       INFO\n"),
        "{list}"
    );
    let log = std::fs::read_to_string(dir.file("rel.log")).unwrap();
    assert!(
        log.contains(&format!(
            "|vlog|INFO|opened log file {}\n",
            dir.file("rel.log").display()
        )),
        "{log}"
    );
    assert!(log.contains("|test_daemon|DBG|debug line\n"), "{log}");
    assert_eq!(d.stderr(), "", "console is off");
    assert_eq!(transact(&sock, "exit", &[]), Ok(String::new()));
    d.wait_exit(DEFAULT_TIMEOUT).unwrap();

    let bad = run(command(&dir).arg("-vconsole:xyz"));
    assert_eq!(bad.code(), Some(1));
    assert_eq!(
        bad.stderr,
        format!("{NAME}: processing \"console:xyz\": no destination, level, or module \"xyz\"\n")
    );
    let bad = run(command(&dir).arg("--log-file=/nonexistent/dir/x.log"));
    assert_eq!(bad.code(), Some(1));
    assert!(
        bad.stderr.contains(
            "|vlog|WARN|failed to open /nonexistent/dir/x.log for logging: No such file or directory\n"
        ),
        "{}",
        bad.stderr
    );
}

#[test]
fn unixctl_option_names_or_disables_the_socket() {
    let dir = RunDir::new("daemon_unixctl_option");
    let mut d = foreground(&dir, &["--unixctl=named.ctl"]);
    d.wait_for_socket(&dir.file("named.ctl")).unwrap();
    assert_eq!(
        transact(&dir.file("named.ctl"), "version", &[]),
        Ok(format!("{NAME} (Open vSwitch) 3.1.0\n"))
    );
    assert!(!ctl(&dir, d.pid()).exists());
    drop(d);

    // With no socket, the daemon runs (and is told to stop by a signal).
    let mut d = foreground(&dir, &["--unixctl=none", "--pidfile=n.pid"]);
    wait_until(DEFAULT_TIMEOUT, "n.pid", || dir.file("n.pid").exists()).unwrap();
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        !names
            .iter()
            .any(|n| n.ends_with(".ctl") && n != "named.ctl"),
        "{names:?}"
    );
    d.signal(libc::SIGINT).unwrap();
    d.wait_exit(DEFAULT_TIMEOUT).unwrap();
    assert!(!dir.file("n.pid").exists());

    let bad = run(command(&dir).arg("--unixctl=/nonexistent/dir/x.ctl"));
    assert_eq!(bad.code(), Some(1));
    assert_eq!(
        bad.stderr,
        format!("{NAME}: /nonexistent/dir/x.ctl: could not initialize control socket (No such file or directory)\n")
    );
}
