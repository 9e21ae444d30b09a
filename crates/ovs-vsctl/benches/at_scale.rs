//! Generic commands on one record of a database with 50,000 Port/Interface rows:
//! time per invocation of our ovs-vsctl and the reference's, side by side, against
//! the real ovsdb-server and ours. The reference downloads the tables it touches
//! whole; we fetch only the rows named.
//!
//! Run with `cargo bench -p ovs-vsctl --bench at_scale` (the release profile). Set
//! `OXVS_BENCH_PORTS` for another size.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};
use testkit::{real_ovs, Daemon, RunDir};

/// Runs a command line `n` times; the median wall time.
fn time(binary: &Path, dir: &RunDir, args: &[&str], n: usize) -> Duration {
    let mut times: Vec<Duration> = (0..n)
        .map(|_| {
            let start = Instant::now();
            let out = testkit::run(dir.command(binary).args(args));
            assert!(out.success(), "{binary:?} {args:?}: {}", out.stderr);
            start.elapsed()
        })
        .collect();
    times.sort();
    times[n / 2]
}

fn start_server(dir: &RunDir, db: &Path, binary: &Path) -> Daemon {
    let sock = dir.db_sock();
    let mut d = Daemon::builder(dir, binary)
        .arg(db)
        .arg(format!("--remote=punix:{}", sock.display()))
        .arg("--no-chdir")
        .arg(format!(
            "--unixctl={}",
            dir.file("ovsdb-server.ctl").display()
        ))
        .start();
    if let Err(e) = d.wait_for_socket(&sock) {
        panic!("ovsdb-server did not start: {e}");
    }
    d
}

/// Fills the database with `n` ports (each with its interface) on bridge `big`, in
/// one transaction written to a file for `ovsdb-client transact`.
fn populate(dir: &RunDir, n: usize) {
    let mut ops = String::from("[\"Open_vSwitch\"");
    let mut ports = Vec::with_capacity(n);
    for i in 0..n {
        ops.push_str(&format!(
            ",{{\"op\":\"insert\",\"table\":\"Interface\",\"row\":{{\"name\":\"big{i}\"}},\"uuid-name\":\"i{i}\"}}\
             ,{{\"op\":\"insert\",\"table\":\"Port\",\"row\":{{\"name\":\"big{i}\",\"interfaces\":[\"named-uuid\",\"i{i}\"]}},\"uuid-name\":\"p{i}\"}}"
        ));
        ports.push(format!("[\"named-uuid\",\"p{i}\"]"));
    }
    ops.push_str(&format!(
        ",{{\"op\":\"insert\",\"table\":\"Bridge\",\"row\":{{\"name\":\"big\",\"ports\":[\"set\",[{}]]}},\"uuid-name\":\"b\"}}\
         ,{{\"op\":\"mutate\",\"table\":\"Open_vSwitch\",\"where\":[],\"mutations\":[[\"bridges\",\"insert\",[\"set\",[[\"named-uuid\",\"b\"]]]]]}}]",
        ports.join(",")
    ));
    // Too large for a command-line argument: speak JSON-RPC directly.
    let request = format!("{{\"method\":\"transact\",\"params\":{ops},\"id\":1}}");
    let mut sock = match std::os::unix::net::UnixStream::connect(dir.db_sock()) {
        Ok(s) => s,
        Err(e) => panic!("connecting to the server: {e}"),
    };
    if let Err(e) = sock.write_all(request.as_bytes()) {
        panic!("sending the transaction: {e}");
    }
    let mut reply = Vec::new();
    let mut buf = [0u8; 65536];
    loop {
        match sock.read(&mut buf) {
            Ok(0) => panic!("the server closed the connection"),
            Ok(k) => reply.extend_from_slice(&buf[..k]),
            Err(e) => panic!("reading the reply: {e}"),
        }
        if let Ok(json) = ovs_json::parse_bytes(&reply) {
            let text = json.to_compact();
            assert!(
                !text.contains("\"error\":{"),
                "populating failed: {}",
                &text[..text.len().min(500)]
            );
            break;
        }
    }
}

fn main() {
    real_ovs::require_real_ovs();
    testkit::ensure_built(&["ovsdb-server"]);
    let n: usize = std::env::var("OXVS_BENCH_PORTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(25_000);
    let ours = PathBuf::from(env!("CARGO_BIN_EXE_ovs-vsctl"));
    let reference = PathBuf::from(real_ovs::OVS_VSCTL);
    let cases: &[&[&str]] = &[
        &["--no-wait", "set", "port", "p1", "tag=5"],
        &["--no-wait", "get", "interface", "p1", "name"],
        &["--no-wait", "set", "port", "big77", "other_config:a=b"],
        &["--no-wait", "add", "bridge", "br0", "flood_vlans", "3"],
        &["--no-wait", "--columns=name", "list", "bridge", "br0"],
    ];
    for (kind, server) in [
        ("real ovsdb-server", PathBuf::from(real_ovs::OVSDB_SERVER)),
        ("our ovsdb-server", testkit::oxvs_bin("ovsdb-server")),
    ] {
        let dir = RunDir::new("vsctl-bench-at-scale");
        let db = dir.conf_db();
        let mut create = Command::new(real_ovs::OVSDB_TOOL);
        create.arg("create").arg(&db).arg(real_ovs::VSWITCH_SCHEMA);
        assert!(testkit::run(&mut create).success());
        let _server = start_server(&dir, &db, &server);
        let init = [
            "--no-wait",
            "init",
            "--",
            "add-br",
            "br0",
            "--",
            "add-port",
            "br0",
            "p1",
        ];
        assert!(testkit::run(dir.command(&reference).args(init)).success());
        populate(&dir, n);
        println!("{n} ports + {n} interfaces, {kind} (median of 5, ms):");
        println!(
            "{:<48} {:>9} {:>9} {:>7}",
            "command", "reference", "ours", "ratio"
        );
        for args in cases {
            let theirs = time(&reference, &dir, args, 5);
            let mine = time(&ours, &dir, args, 5);
            println!(
                "{:<48} {:>9.1} {:>9.1} {:>6.2}x",
                args[1..].join(" "),
                theirs.as_secs_f64() * 1e3,
                mine.as_secs_f64() * 1e3,
                theirs.as_secs_f64() / mine.as_secs_f64()
            );
        }
    }
}
