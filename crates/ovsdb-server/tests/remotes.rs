//! Remotes the server connects out to (`unix:`, `tcp:`), its inactivity probe, and
//! `db:` remotes with the Manager status written back, against both servers.

#[macro_use]
mod common;

use common::rpc::j;
use common::{vswitch_db, Rpc, StartOptions, Sut};
use ovs_json::Json;
use std::net::TcpListener;
use std::os::unix::net::UnixListener;
use std::time::Duration;
use testkit::{run, wait_until, RunDir};

/// Accepts one connection within `timeout`, polling a non-blocking listener.
fn accept_unix(l: &UnixListener, timeout: Duration) -> std::os::unix::net::UnixStream {
    l.set_nonblocking(true).expect("nonblocking");
    let mut got = None;
    wait_until(timeout, "the server to connect to our listener", || {
        if let Ok((s, _)) = l.accept() {
            got = Some(s);
        }
        got.is_some()
    })
    .unwrap_or_else(|e| panic!("{e}"));
    let s = got.expect("accepted");
    s.set_nonblocking(false).expect("blocking");
    s
}

fn list_dbs(rpc: &mut Rpc) -> Vec<String> {
    let dbs = rpc.call_ok("list_dbs", j("[]"));
    let mut names: Vec<String> = dbs
        .as_array()
        .unwrap_or_default()
        .iter()
        .filter_map(Json::as_str)
        .map(str::to_owned)
        .collect();
    names.sort();
    names
}

/// `--remote=unix:PATH`: the server connects to a listening client, and reconnects
/// after that client hangs up.
fn active_unix_remote(sut: &Sut) {
    let dir = RunDir::new(&format!("active_unix_{}", sut.name()));
    let db = vswitch_db(&dir);
    let path = dir.file("manager.sock");
    let listener = UnixListener::bind(&path).expect("bind");
    let opts = StartOptions {
        extra: vec![format!("--remote=unix:{}", path.display())],
        ..Default::default()
    };
    let _server = sut.start_with(&dir, &[&db], &opts);
    let mut rpc = Rpc::from_unix(accept_unix(&listener, Duration::from_secs(10)));
    assert_eq!(list_dbs(&mut rpc), ["Open_vSwitch", "_Server"]);
    drop(rpc);
    // Backoff starts at 1 s; the second connection must come.
    let mut rpc = Rpc::from_unix(accept_unix(&listener, Duration::from_secs(15)));
    assert_eq!(list_dbs(&mut rpc), ["Open_vSwitch", "_Server"]);
}

/// `--remote=tcp:IP:PORT`: the server connects out and, after 5 s of silence, sends an
/// inactivity probe (`echo`), which a live client answers.
fn active_tcp_remote_probes(sut: &Sut) {
    let dir = RunDir::new(&format!("active_tcp_{}", sut.name()));
    let db = vswitch_db(&dir);
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let opts = StartOptions {
        extra: vec![format!("--remote=tcp:127.0.0.1:{port}")],
        ..Default::default()
    };
    let _server = sut.start_with(&dir, &[&db], &opts);
    listener.set_nonblocking(true).expect("nonblocking");
    let mut got = None;
    wait_until(
        Duration::from_secs(10),
        "the server to connect over TCP",
        || {
            if let Ok((s, _)) = listener.accept() {
                got = Some(s);
            }
            got.is_some()
        },
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let stream = got.expect("accepted");
    stream.set_nonblocking(false).expect("blocking");
    let mut rpc = Rpc::from_tcp(stream);
    assert_eq!(list_dbs(&mut rpc), ["Open_vSwitch", "_Server"]);
    // The probe comes after the default 5 s interval.
    let probe = rpc.request_from_server("echo", Duration::from_secs(15));
    assert_eq!(probe.get("method"), Some(&Json::string("echo")), "{probe}");
    rpc.send(&Json::object([
        ("result", Json::Array(vec![])),
        ("error", Json::Null),
        ("id", probe.get("id").cloned().unwrap_or(Json::Null)),
    ]));
    assert_eq!(list_dbs(&mut rpc), ["Open_vSwitch", "_Server"]);
}

/// `--remote=db:Open_vSwitch,Open_vSwitch,manager_options`: a Manager row set with the
/// real `ovs-vsctl set-manager` makes the server listen, and the server writes the
/// bound port into the row's `status`.
fn db_remote_manager_status(sut: &Sut) {
    let dir = RunDir::new(&format!("db_remote_{}", sut.name()));
    let db = vswitch_db(&dir);
    let opts = StartOptions {
        extra: vec!["--remote=db:Open_vSwitch,Open_vSwitch,manager_options".into()],
        ..Default::default()
    };
    let server = sut.start_with(&dir, &[&db], &opts);
    let vsctl = |args: &[&str]| {
        let out = run(dir
            .command(testkit::real_ovs::OVS_VSCTL)
            .arg(format!("--db={}", server.remote()))
            .arg("--no-wait")
            .args(args));
        assert!(out.success(), "ovs-vsctl {args:?}: {}", out.stderr);
        out.stdout
    };
    vsctl(&["init"]);
    vsctl(&["set-manager", "ptcp:0:127.0.0.1"]);
    let mut port = None;
    wait_until(
        Duration::from_secs(15),
        "bound_port in Manager status",
        || {
            let status = vsctl(&["--if-exists", "get", "Manager", ".", "status:bound_port"]);
            port = status.trim().trim_matches('"').parse::<u16>().ok();
            port.is_some()
        },
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let mut rpc = Rpc::connect_tcp(port.expect("port"));
    assert_eq!(list_dbs(&mut rpc), ["Open_vSwitch", "_Server"]);
    vsctl(&["del-manager"]);
    wait_until(Duration::from_secs(10), "the listener to close", || {
        std::net::TcpStream::connect(("127.0.0.1", port.expect("port"))).is_err()
    })
    .unwrap_or_else(|e| panic!("{e}"));
}

against_both!(
    active_unix_remote,
    active_unix_remote_real,
    active_unix_remote_ours
);
against_both!(
    active_tcp_remote_probes,
    active_tcp_remote_probes_real,
    active_tcp_remote_probes_ours
);
against_both!(
    db_remote_manager_status,
    db_remote_manager_status_real,
    db_remote_manager_status_ours
);
