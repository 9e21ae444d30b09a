//! The unixctl server in this process, driven by raw sockets, by our client and by
//! the real `ovs-appctl`; and our server's replies compared with the real
//! ovsdb-server's.

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::process::Command;
use std::sync::mpsc;
use std::sync::Mutex;

use ovs_daemon::unixctl::{Client, Reply, Server, UNLIMITED};
use ovs_json::{Framer, Json};
use testkit::real_ovs::OVS_APPCTL;
use testkit::{require_real_ovs, run, RunDir, DEFAULT_TIMEOUT};

fn server(dir: &RunDir) -> Server {
    // The unit test process shares vlog; keep its console quiet.
    let _ = ovs_daemon::vlog::set_levels(
        None,
        Some(ovs_daemon::vlog::Destination::Console),
        ovs_daemon::vlog::Level::Off,
    );
    let mut s = Server::bind(&dir.file("test.ctl")).expect("bind");
    s.register("echo", "[ARG...]", 0, UNLIMITED, |a| Ok(a.join(" ")));
    s.register("fail", "TEXT", 1, 1, |a| Err(a[0].clone()));
    s.start().expect("start");
    s
}

/// Sends `bytes` and reads until the server closes the connection or `replies`
/// complete JSON texts arrived. Returns the parsed texts and whether EOF was seen.
fn exchange(path: &Path, bytes: &[u8], replies: usize) -> (Vec<Json>, bool) {
    let mut s = UnixStream::connect(path).expect("connect");
    // A bound, not a synchronisation: a healthy server answers in microseconds.
    s.set_read_timeout(Some(DEFAULT_TIMEOUT)).unwrap();
    s.write_all(bytes).unwrap();
    let mut framer = Framer::new(1 << 20);
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        while let Some(m) = framer.next_message() {
            out.push(m.expect("server sent malformed JSON"));
        }
        if out.len() >= replies && replies > 0 {
            return (out, false);
        }
        match s.read(&mut buf) {
            Ok(0) => return (out, true),
            Ok(n) => framer.push(&buf[..n]),
            Err(e) => panic!("no answer and no close from the server: {e}"),
        }
    }
}

fn request(method: &str, params: &[&str], id: i64) -> String {
    let params: Vec<String> = params.iter().map(|p| format!("\"{p}\"")).collect();
    format!(
        "{{\"method\":\"{method}\",\"params\":[{}],\"id\":{id}}}",
        params.join(",")
    )
}

#[test]
fn garbage_closes_only_that_connection() {
    let dir = RunDir::new("unixctl_garbage");
    let s = server(&dir);
    let path = s.path().to_path_buf();
    let bad: &[&[u8]] = &[
        b"garbage}",
        b"[1,2]",
        b"{\"method\":\"echo\",\"params\":{},\"id\":4}",
        b"{\"method\":\"echo\",\"params\":[],\"id\":null}",
        b"{\"method\":\"echo\",\"id\":5}",
        b"{\"result\":\"x\",\"error\":null,\"id\":6}",
        b"\xff\xfe{}",
    ];
    for b in bad {
        let (replies, eof) = exchange(&path, b, 0);
        assert!(
            replies.is_empty(),
            "{:?} got {replies:?}",
            String::from_utf8_lossy(b)
        );
        assert!(eof, "{:?}", String::from_utf8_lossy(b));
    }
    // A good request followed by garbage: answered, then closed.
    let mut bytes = request("echo", &["a"], 7).into_bytes();
    bytes.extend_from_slice(b"]]");
    let (replies, eof) = exchange(&path, &bytes, 0);
    assert!(eof);
    assert_eq!(replies.len(), 1);
    assert_eq!(replies[0].get("result"), Some(&Json::string("a\n")));
    // Still serving.
    let mut c = Client::connect(&path).unwrap();
    assert_eq!(
        c.transact("echo", &["still".into(), "here".into()])
            .unwrap(),
        Ok("still here\n".into())
    );
}

#[test]
fn pipelined_requests_are_answered_in_order() {
    let dir = RunDir::new("unixctl_pipeline");
    let s = server(&dir);
    let text = format!(
        "{} {}\n{}",
        request("echo", &["1"], 1),
        request("fail", &["no"], 2),
        request("echo", &[], 3)
    );
    let (replies, _) = exchange(s.path(), text.as_bytes(), 3);
    let ids: Vec<i64> = replies
        .iter()
        .map(|r| r.get("id").unwrap().as_i64().unwrap())
        .collect();
    assert_eq!(ids, [1, 2, 3]);
    assert_eq!(
        replies[0].to_compact(),
        r#"{"error":null,"id":1,"result":"1\n"}"#
    );
    assert_eq!(replies[1].to_compact(), r#"{"error":"no\n","id":2}"#);
    assert_eq!(
        replies[2].to_compact(),
        r#"{"error":null,"id":3,"result":""}"#
    );
}

#[test]
fn deferred_commands_are_answered_by_the_main_loop() {
    let dir = RunDir::new("unixctl_deferred");
    let s = server(&dir);
    let (tx, rx) = mpsc::channel::<(Vec<String>, Reply)>();
    let tx = Mutex::new(tx);
    s.register_deferred("later", "", 0, UNLIMITED, move |args, reply| {
        tx.lock().unwrap().send((args, reply)).unwrap();
    });
    let main_loop = std::thread::spawn(move || {
        let (args, reply) = rx.recv().unwrap();
        reply.ok(format!("done {}", args.join(",")));
        let (_, reply) = rx.recv().unwrap();
        reply.err("refused");
    });
    let mut c = Client::connect(s.path()).unwrap();
    assert_eq!(
        c.transact("later", &["x".into(), "y".into()]).unwrap(),
        Ok("done x,y\n".into())
    );
    assert_eq!(c.transact("later", &[]).unwrap(), Err("refused\n".into()));
    main_loop.join().unwrap();
}

#[test]
fn shutdown_delivers_answers_in_flight_and_removes_the_socket() {
    let dir = RunDir::new("unixctl_shutdown");
    let mut s = server(&dir);
    let path = s.path().to_path_buf();
    // An idle client and one whose command is still running when shutdown starts.
    let mut idle = UnixStream::connect(&path).unwrap();
    idle.set_read_timeout(Some(DEFAULT_TIMEOUT)).unwrap();
    let (tx, rx) = mpsc::channel::<Reply>();
    let tx = Mutex::new(tx);
    s.register_deferred("slow", "", 0, 0, move |_, reply| {
        tx.lock().unwrap().send(reply).unwrap();
    });
    let client = std::thread::spawn({
        let path = path.clone();
        move || {
            Client::connect(&path)
                .unwrap()
                .transact("slow", &[])
                .unwrap()
        }
    });
    let reply = rx.recv().unwrap();
    let answer = std::thread::spawn(move || {
        // The idle connection is closed when shutdown starts; only then answer,
        // so the answer is one that shutdown has to wait for.
        let n = idle.read(&mut [0u8; 16]).unwrap();
        reply.ok("late but delivered");
        n
    });
    s.shutdown();
    assert_eq!(client.join().unwrap(), Ok("late but delivered\n".into()));
    assert_eq!(answer.join().unwrap(), 0, "idle connection closed");
    assert!(!path.exists());
    assert!(UnixStream::connect(&path).is_err());
}

#[test]
fn real_ovs_appctl_gets_the_reference_answers() {
    require_real_ovs();
    let dir = RunDir::new("unixctl_real_appctl");
    let s = server(&dir);
    let sock = s.path().display().to_string();
    let appctl = |args: &[&str]| {
        let out = run(Command::new(OVS_APPCTL).arg("-t").arg(&sock).args(args));
        (out.code(), out.stdout, out.stderr)
    };
    assert_eq!(
        appctl(&["echo", "a", "b c"]),
        (Some(0), "a b c\n".into(), String::new())
    );
    assert_eq!(appctl(&["echo"]), (Some(0), String::new(), String::new()));
    let err = |text: &str| {
        (
            Some(2),
            String::new(),
            format!("{text}\novs-appctl: {sock}: server returned an error\n"),
        )
    };
    assert_eq!(appctl(&["fail", "bad"]), err("bad"));
    assert_eq!(
        appctl(&["fail"]),
        err("\"fail\" command requires at least 1 arguments")
    );
    assert_eq!(
        appctl(&["fail", "a", "b"]),
        err("\"fail\" command takes at most 1 arguments")
    );
    assert_eq!(
        appctl(&["nosuch"]),
        err("\"nosuch\" is not a valid command (use \"list-commands\" to see a list of valid commands)")
    );
    let (code, list, _) = appctl(&["list-commands"]);
    assert_eq!(code, Some(0));
    assert!(list.starts_with("The available commands are:\n  echo                    [ARG...]\n  fail                    TEXT\n  list-commands           \n"), "{list}");
    for builtin in [
        "version",
        "vlog/set",
        "vlog/list",
        "vlog/list-pattern",
        "vlog/reopen",
        "vlog/close",
        "vlog/enable-rate-limit",
        "vlog/disable-rate-limit",
    ] {
        assert!(
            list.contains(&format!("\n  {builtin} ")),
            "{builtin} missing from {list}"
        );
    }
    assert_eq!(
        appctl(&["vlog/set", "nonsense"]),
        err("no destination, level, or module \"nonsense\"")
    );
}

#[test]
fn replies_equal_the_real_servers() {
    require_real_ovs();
    let dir = RunDir::new("unixctl_vs_real");
    let ours = server(&dir);
    let mut real = testkit::start_real_ovsdb_server(
        &dir,
        &dir.conf_db(),
        Some(Path::new(testkit::real_ovs::VSWITCH_SCHEMA)),
    );
    let real_sock = dir.file("ovsdb-server.ctl");
    // The server may listen on its database socket before its control socket.
    real.wait_for_socket(&real_sock).unwrap();
    let cases = [
        r#"{"method":"nosuch","params":[1],"id":1}"#,
        r#"{"method":"version","params":["a",2],"id":"two"}"#,
        r#"{"method":"vlog/set","params":[1],"id":[3,{"x":null}]}"#,
        r#"{"method":"vlog/set","params":["a","b"],"id":4}"#,
        r#"{"method":"vlog/set","params":["PATTERN"],"id":5}"#,
        r#"{"method":"vlog/set","params":["FACILITY:nope"],"id":6}"#,
        r#"{"method":"vlog/set","params":["console:file"],"id":7}"#,
        r#"{"method":"vlog/disable-rate-limit","params":["nosuch"],"id":8}"#,
        r#"{"method":"vlog/list-pattern","params":["x"],"id":9}"#,
        r#"{"method":"vlog/set","params":[],"id":10}"#,
    ];
    for case in cases {
        let (a, _) = exchange(ours.path(), case.as_bytes(), 1);
        let (b, _) = exchange(&real_sock, case.as_bytes(), 1);
        assert_eq!(a, b, "{case}");
    }
    // Messages the real server closes the connection on, so do we.
    for case in [
        &b"[1,2]"[..],
        b"{\"method\":\"version\",\"params\":[],\"id\":null}",
    ] {
        assert_eq!(
            exchange(ours.path(), case, 0),
            exchange(&real_sock, case, 0)
        );
    }
    drop(real);
}
