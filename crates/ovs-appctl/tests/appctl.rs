//! Our ovs-appctl against the real one (`/usr/bin/ovs-appctl`): the same command
//! lines, against our test daemon, the real ovsdb-server and misbehaving servers,
//! must print the same things and exit the same way.

use std::io::{Read, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use ovs_json::Framer;
use testkit::real_ovs::{OVS_APPCTL, VSWITCH_SCHEMA};
use testkit::{ensure_built, oxvs_bin, require_real_ovs, run, Daemon, Output, RunDir};

const OURS: &str = env!("CARGO_BIN_EXE_ovs-appctl");

/// Removes what legitimately differs: the timestamp of console log lines and the
/// program path that getopt puts in front of its messages.
fn normalize(stderr: &str) -> String {
    stderr
        .lines()
        .map(|l| {
            let l = match l.split_once("Z|") {
                Some((t, rest)) if t.len() == 19 && t.as_bytes()[10] == b'T' => {
                    format!("TIME|{rest}")
                }
                _ => l.to_string(),
            };
            for prog in [OURS, OVS_APPCTL] {
                if let Some(rest) = l.strip_prefix(&format!("{prog}: ")) {
                    return format!("ovs-appctl: {rest}\n");
                }
            }
            format!("{l}\n")
        })
        .collect()
}

fn appctl(dir: &RunDir, program: &str, args: &[&str]) -> Output {
    run(dir.command(program).args(args))
}

/// Runs both with `args` and asserts identical behaviour; returns ours.
#[track_caller]
fn same(dir: &RunDir, args: &[&str]) -> Output {
    let ours = appctl(dir, OURS, args);
    let real = appctl(dir, OVS_APPCTL, args);
    assert_eq!(ours.stdout, real.stdout, "stdout of {args:?}");
    assert_eq!(
        normalize(&ours.stderr),
        normalize(&real.stderr),
        "stderr of {args:?}"
    );
    assert_eq!(
        ours.status.code(),
        real.status.code(),
        "exit code of {args:?}"
    );
    assert_eq!(
        ours.status.signal(),
        real.status.signal(),
        "signal of {args:?}"
    );
    ours
}

fn test_daemon(dir: &RunDir, args: &[&str]) -> Daemon {
    ensure_built(&["oxvs-test-daemon"]);
    Daemon::builder(dir, oxvs_bin("oxvs-test-daemon"))
        .env("OVS_SYSLOG_METHOD", "null")
        .args(args)
        .start()
}

#[test]
fn same_as_the_real_one_against_our_daemon() {
    require_real_ovs();
    let dir = RunDir::new("appctl_vs_real_test_daemon");
    let mut d = test_daemon(&dir, &["--pidfile"]);
    let sock = dir.file(&format!("oxvs-test-daemon.{}.ctl", d.pid()));
    d.wait_for_socket(&sock).unwrap();
    let sock = sock.display().to_string();
    let commands: &[&[&str]] = &[
        &["list-commands"],
        &["version"],
        &["vlog/list"],
        &["vlog/list-pattern"],
        &["echo"],
        &["echo", "a", "b c", "ünïcödé"],
        &["fail"],
        &["fail", "custom error"],
        &["fail", "a", "b"],
        &["nonl"],
        &["later", "x"],
        &["nosuch"],
        &["version", "x"],
        &["log"],
        &["vlog/set", "nonsense"],
        &["vlog/set", "console:file"],
        &["vlog/set", "test_daemon:file:dbg"],
        &["vlog/reopen"],
        &["vlog/close"],
        &["vlog/disable-rate-limit", "nosuch"],
    ];
    for cmd in commands {
        let by_name: Vec<&str> = ["-t", "oxvs-test-daemon"]
            .iter()
            .chain(cmd.iter())
            .copied()
            .collect();
        let by_path: Vec<&str> = ["--target", sock.as_str()]
            .iter()
            .chain(cmd.iter())
            .copied()
            .collect();
        same(&dir, &by_name);
        same(&dir, &by_path);
    }
    // Spot-check that "same" means right.
    let out = same(&dir, &["-t", "oxvs-test-daemon", "echo", "a", "b c"]);
    assert_eq!((out.code(), out.stdout.as_str()), (Some(0), "a b c\n"));
    let out = same(&dir, &["-t", "oxvs-test-daemon", "fail", "bad"]);
    assert_eq!(out.code(), Some(2));
    assert_eq!(
        out.stderr,
        "bad\novs-appctl: oxvs-test-daemon: server returned an error\n"
    );
    let out = same(&dir, &["-t", "oxvs-test-daemon", "nonl"]);
    assert_eq!(out.stdout, "no newline\n");
    let out = same(&dir, &["-t", "oxvs-test-daemon", "vlog/reopen"]);
    assert_eq!(
        out.stderr,
        "Logging to file not configured\novs-appctl: oxvs-test-daemon: server returned an error\n"
    );

    let out = appctl(&dir, OURS, &["-t", "oxvs-test-daemon", "exit"]);
    assert_eq!(
        (out.code(), out.stdout.as_str(), out.stderr.as_str()),
        (Some(0), "", "")
    );
    d.wait_exit(testkit::DEFAULT_TIMEOUT).unwrap();
    // Gone: now both fail to find it the same way.
    same(&dir, &["-t", "oxvs-test-daemon", "version"]);
}

#[test]
fn same_as_the_real_one_against_the_real_ovsdb_server() {
    require_real_ovs();
    let dir = RunDir::new("appctl_vs_real_server");
    let mut server =
        testkit::start_real_ovsdb_server(&dir, &dir.conf_db(), Some(Path::new(VSWITCH_SCHEMA)));
    // The server may listen on its database socket before its control socket.
    server
        .wait_for_socket(&dir.file("ovsdb-server.ctl"))
        .unwrap();
    let sock = dir.file("ovsdb-server.ctl").display().to_string();
    for cmd in [
        &["list-commands"][..],
        &["version"],
        &["vlog/list"],
        &["vlog/list-pattern"],
        &["ovsdb-server/list-dbs"],
        &["nosuch", "x"],
        &["version", "x"],
        &["vlog/set", "nonsense:info"],
        &["ovsdb-server/add-db"],
    ] {
        let args: Vec<&str> = ["-t", sock.as_str()]
            .iter()
            .chain(cmd.iter())
            .copied()
            .collect();
        same(&dir, &args);
    }
    let out = same(&dir, &["-t", &sock, "version"]);
    assert_eq!(out.stdout, "ovsdb-server (Open vSwitch) 3.1.0\n");
    let out = same(&dir, &["-t", &sock, "vlog/list"]);
    assert!(
        out.stdout
            .contains("\novsdb_server      INFO       INFO       INFO\n"),
        "{}",
        out.stdout
    );
}

#[test]
fn command_line_handling_like_the_real_one() {
    require_real_ovs();
    let dir = RunDir::new("appctl_command_line");
    let cases: &[&[&str]] = &[
        &[],
        &["-t"],
        &["-T"],
        &["--timeout"],
        &["-x"],
        &["--bogus"],
        &["--t", "x"],
        &["--help=x"],
        &["-T", "0", "version"],
        &["-T", "-1", "version"],
        &["-T", "1.5", "version"],
        &["-T", "x", "version"],
        &["-T", "99999999999", "version"],
        &["-t", "a", "-t", "b", "version"],
        &["-V"],
        &["--version"],
        &["-V", "-h"],
        &["-o"],
        &["--option"],
        &["version"],
        &["-e", "version"],
        &["--tar=nosuch", "version"],
        &["version", "-t", "/x"],
        &["-vconsole:off", "version"],
        &["--verbose=nonsense", "version"],
        &["-t", "/nonexistent/socket.ctl", "version"],
        &["-t", "nosuch", "version"],
        &["--", "version"],
    ];
    for args in cases {
        same(&dir, args);
    }
    // --help is ours in words, but exits the same way with the same usage line.
    let out = appctl(&dir, OURS, &["--help"]);
    assert_eq!(out.code(), Some(0));
    assert!(out
        .stdout
        .contains("usage: ovs-appctl [TARGET] COMMAND [ARG...]\n"));
}

#[test]
fn unreachable_targets_like_the_real_one() {
    require_real_ovs();
    let dir = RunDir::new("appctl_unreachable");
    // Nobody holds this pidfile.
    std::fs::write(dir.file("stale.pid"), "12345\n").unwrap();
    std::fs::write(dir.file("empty.pid"), "").unwrap();
    same(&dir, &["-t", "stale", "version"]);
    same(&dir, &["-t", "empty", "version"]);
    // A live daemon without a control socket.
    let mut d = test_daemon(&dir, &["--pidfile=quiet.pid", "--unixctl=none"]);
    testkit::wait_until(testkit::DEFAULT_TIMEOUT, "quiet.pid", || {
        std::fs::read_to_string(dir.file("quiet.pid"))
            .is_ok_and(|t| t.trim() == d.pid().to_string())
    })
    .unwrap();
    let out = same(&dir, &["-t", "quiet", "version"]);
    assert!(
        out.stderr.ends_with(&format!(
            "ovs-appctl: cannot connect to \"{}\" (No such file or directory)\n",
            dir.file(&format!("quiet.{}.ctl", d.pid())).display()
        )),
        "{}",
        out.stderr
    );
    d.kill9();
}

/// A server that answers every request with `reply` (None: closes at once;
/// "hang": never answers).
fn fake_server(path: PathBuf, reply: Option<&'static str>) {
    let listener = UnixListener::bind(&path).unwrap();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming() {
            let Ok(mut s) = stream else { continue };
            let mut framer = Framer::new(1 << 20);
            let mut buf = [0u8; 4096];
            let got_request = loop {
                if framer.next_message().is_some() {
                    break true;
                }
                match s.read(&mut buf) {
                    Ok(0) | Err(_) => break false,
                    Ok(n) => framer.push(&buf[..n]),
                }
            };
            match reply {
                _ if !got_request => {}
                None => drop(s),
                Some("hang") => held.push(s),
                Some(text) => {
                    let _ = s.write_all(text.as_bytes());
                    held.push(s);
                }
            }
        }
    });
}

#[test]
fn odd_replies_like_the_real_one() {
    require_real_ovs();
    let dir = RunDir::new("appctl_odd_replies");
    let cases: [(&str, Option<&'static str>); 7] = [
        ("close", None),
        (
            "nonstring",
            Some(r#"{"id":0,"result":{"a":1},"error":null}"#),
        ),
        ("errobj", Some(r#"{"id":0,"error":[1]}"#)),
        ("noline", Some(r#"{"id":0,"result":"abc","error":null}"#)),
        ("errnoline", Some(r#"{"id":0,"error":"abc"}"#)),
        ("errnull", Some(r#"{"id":0,"result":null,"error":"e1"}"#)),
        (
            "notify",
            Some(
                r#"{"method":"x","params":[],"id":null}{"method":"echo","params":[],"id":"e"}{"id":0,"result":"ok","error":null}"#,
            ),
        ),
    ];
    for (name, reply) in cases {
        let path = dir.file(&format!("{name}.sock"));
        fake_server(path.clone(), reply);
        let out = same(
            &dir,
            &["-t", &path.display().to_string(), "cmd", "a", "b c"],
        );
        match name {
            "noline" => assert_eq!((out.code(), out.stdout.as_str()), (Some(0), "abc")),
            "close" => assert!(
                out.stderr.ends_with("transaction error (End of file)\n"),
                "{}",
                out.stderr
            ),
            "nonstring" => assert!(
                out.stderr
                    .contains("unexpected result type in JSON rpc reply: object"),
                "{}",
                out.stderr
            ),
            _ => {}
        }
    }
}

#[test]
fn timeout_kills_with_sigalrm_like_the_real_one() {
    require_real_ovs();
    let dir = RunDir::new("appctl_timeout");
    let path = dir.file("hang.sock");
    fake_server(path.clone(), Some("hang"));
    let target = path.display().to_string();
    // Both at once, so the test waits one second, not two.
    let spawn = |program: &str| {
        dir.command(program)
            .args(["-T", "1", "-t", &target, "version"])
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    let ours = spawn(OURS).wait_with_output().unwrap();
    let real = spawn(OVS_APPCTL).wait_with_output().unwrap();
    assert_eq!(ours.status.signal(), Some(libc::SIGALRM));
    assert_eq!(real.status.signal(), Some(libc::SIGALRM));
    let ours_err = normalize(&String::from_utf8_lossy(&ours.stderr));
    assert_eq!(ours_err, normalize(&String::from_utf8_lossy(&real.stderr)));
    assert_eq!(
        ours_err,
        "TIME|00001|fatal_signal|WARN|terminating with signal 14 (Alarm clock)\n"
    );
    let _ = UnixStream::connect(&path);
}

#[test]
fn echo_requests_from_the_server_are_answered() {
    // Our client answers the server's "echo" probe and keeps waiting for its reply
    // (checked by the "notify" case above); here, that the probe reply is correct.
    let dir = RunDir::new("appctl_echo_probe");
    let path = dir.file("probe.sock");
    let listener = UnixListener::bind(&path).unwrap();
    let server = std::thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        let mut framer = Framer::new(1 << 20);
        let mut buf = [0u8; 4096];
        let mut seen = Vec::new();
        s.write_all(br#"{"method":"echo","params":["p"],"id":"probe"}"#)
            .unwrap();
        while seen.len() < 2 {
            while let Some(m) = framer.next_message() {
                seen.push(m.unwrap().to_compact());
            }
            if seen.len() >= 2 {
                break;
            }
            let n = s.read(&mut buf).unwrap();
            assert!(n > 0, "client closed early; saw {seen:?}");
            framer.push(&buf[..n]);
        }
        s.write_all(br#"{"id":0,"result":"done","error":null}"#)
            .unwrap();
        seen
    });
    let out = run(Command::new(OURS).args(["-t", &path.display().to_string(), "cmd"]));
    assert_eq!((out.code(), out.stdout.as_str()), (Some(0), "done"));
    let mut seen = server.join().unwrap();
    seen.sort();
    assert_eq!(
        seen,
        [
            r#"{"error":null,"id":"probe","result":["p"]}"#,
            r#"{"id":0,"method":"cmd","params":[]}"#
        ]
    );
}
