//! Runs each workload tiny against the real ovs-vsctl and ovsdb-server, to prove the
//! harness works end to end and catches clients that fail, lie or hang. Figures are
//! only checked for being produced and positive: timings are never asserted.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use ovsdb_bench::server::ServerSpec;
use testkit::real_ovs;
use vsctl_bench::compare;
use vsctl_bench::db::Db;
use vsctl_bench::options::Config;
use vsctl_bench::report::{self, Results, Workload};
use vsctl_bench::sides::{Clients, Servers, Side};

fn tiny() -> Config {
    Config {
        points: vec![1, 4, 8],
        runs: 3,
        scale_rows: 200,
        scale_runs: 2,
        bulk_batch: 30,
        timeout: Duration::from_secs(30),
        ..Config::default()
    }
}

fn real_server() -> ServerSpec {
    real_ovs::require_real_ovs();
    ServerSpec {
        binary: PathBuf::from(real_ovs::OVSDB_SERVER),
    }
}

fn real_vsctl() -> PathBuf {
    PathBuf::from(real_ovs::OVS_VSCTL)
}

/// Every workload of the tiny config, in report order.
fn workloads() -> Vec<Workload> {
    let mut w: Vec<Workload> = tiny().points.into_iter().map(Workload::AddPort).collect();
    w.push(Workload::AtScale);
    w
}

/// One pair's figures: all there, all positive.
#[track_caller]
fn assert_sane(r: &Results, server: Side, client: Side) {
    for w in workloads() {
        match r.get(w, server, client) {
            Some(Ok(v)) => assert!(
                *v > 0.0 && v.is_finite(),
                "{server:?}/{client:?} {w:?} = {v}"
            ),
            other => panic!("{server:?}/{client:?} {w:?}: {other:?}"),
        }
    }
    let g = r.growth(server, client);
    assert!(
        g.is_some_and(|g| g > 0.0),
        "{server:?}/{client:?} growth {g:?}"
    );
}

/// A stand-in client: a shell script in its own directory.
fn script(dir: &Path, body: &str) -> PathBuf {
    let path = dir.join("ovs-vsctl");
    std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

/// The real client and server on both sides exercises every pair and the turns.
#[test]
fn every_pair_gets_a_positive_figure_for_every_workload() {
    let cfg = tiny();
    let mut steps = Vec::new();
    let r = compare::run(
        &Clients {
            theirs: real_vsctl(),
            ours: Ok(real_vsctl()),
        },
        &Servers {
            theirs: real_server(),
            ours: Ok(real_server()),
        },
        &cfg,
        &mut |s| steps.push(s.to_string()),
    );
    for server in Side::BOTH {
        for client in Side::BOTH {
            assert_sane(&r, server, client);
        }
        // br0's own Port and Interface, plus 99 loaded ports with an interface each.
        assert_eq!(r.scale_rows.get(&server), Some(&200), "{server:?}");
    }
    assert_eq!(report::notes(&r), Vec::<String>::new());
    // Three windows, the bulk load and the at-scale runs.
    assert_eq!(steps.len(), 5, "{steps:?}");
    let md = report::render_markdown(&r);
    assert!(
        md.contains("| add-port with 200 Port+Interface rows, median of 2 [ms] | ours |"),
        "{md}"
    );
}

#[test]
fn the_reference_is_measured_when_ours_are_unavailable() {
    let r = compare::run(
        &Clients {
            theirs: real_vsctl(),
            ours: Err("not built".into()),
        },
        &Servers {
            theirs: real_server(),
            ours: Err("did not build".into()),
        },
        &tiny(),
        &mut |_| {},
    );
    assert_sane(&r, Side::Theirs, Side::Theirs);
    assert!(
        r.values
            .keys()
            .all(|(_, s, c)| (*s, *c) == (Side::Theirs, Side::Theirs)),
        "{:?}",
        r.values
    );
    assert_eq!(
        report::notes(&r),
        [
            "ours: unavailable (ovs-vsctl: not built)",
            "ours: unavailable (ovsdb-server: did not build)"
        ]
    );
}

/// A client that exits 0 without adding anything must not post a figure, and the
/// reference on the same database keeps going.
#[test]
fn a_client_that_does_nothing_posts_no_figure() {
    let r = compare::run(
        &Clients {
            theirs: real_vsctl(),
            ours: Ok(PathBuf::from("/usr/bin/true")),
        },
        &Servers {
            theirs: real_server(),
            ours: Err("not run".into()),
        },
        &tiny(),
        &mut |_| {},
    );
    assert_sane(&r, Side::Theirs, Side::Theirs);
    for w in workloads() {
        let e = match r.get(w, Side::Theirs, Side::Ours) {
            Some(Err(e)) => e,
            other => panic!("{w:?}: {other:?}"),
        };
        assert!(e.contains("expected one Port named p"), "{w:?}: {e}");
    }
}

#[test]
fn a_failing_client_is_reported_with_its_words() {
    let dir = tempfile::tempdir().unwrap();
    let failing = script(
        dir.path(),
        "echo 'ovs-vsctl: add-port: not implemented yet' >&2; exit 3",
    );
    let cfg = tiny();
    let mut db = Db::start(&real_server(), &cfg).unwrap();
    let e = db.add_port(&failing).unwrap_err();
    assert!(e.contains("not implemented yet") && e.contains("3"), "{e}");
    assert!(e.contains("--no-wait add-port br0 p1"), "{e}");
    // Nothing was added, so the next client adds p1.
    assert_eq!(db.ports(), 0);
    db.add_port(&real_vsctl()).unwrap();
    db.check_on_bridge("p1").unwrap();
}

#[test]
fn a_hung_client_is_killed_after_its_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let hung = script(dir.path(), "exec sleep 600");
    let cfg = Config {
        timeout: Duration::from_secs(1),
        ..tiny()
    };
    let mut db = Db::start(&real_server(), &cfg).unwrap();
    let e = db.add_port(&hung).unwrap_err();
    assert!(
        e.contains("did not finish within 3 s and was killed"),
        "{e}"
    );
}

#[test]
fn bulk_loaded_ports_are_on_the_bridge_in_order() {
    let cfg = Config {
        bulk_batch: 10,
        ..tiny()
    };
    let mut db = Db::start(&real_server(), &cfg).unwrap();
    db.fill_to(25).unwrap();
    db.add_port(&real_vsctl()).unwrap();
    assert_eq!((db.ports(), db.rows()), (26, 54));

    let out = Command::new(real_ovs::OVS_VSCTL)
        .arg(format!("--db=unix:{}", db.server().sock().display()))
        .args(["list-ports", "br0"])
        .envs(ovsdb_bench::server::tool_env(db.server()))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut got: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect();
    got.sort();
    let mut want: Vec<String> = (1..=26).map(|n| format!("p{n}")).collect();
    want.sort();
    assert_eq!(got, want);
}

#[test]
fn binary_prints_the_markdown_table_with_ours_unavailable() {
    real_ovs::require_real_ovs();
    let out = Command::new(env!("CARGO_BIN_EXE_vsctl-bench"))
        .args([
            "--no-ours-vsctl=cargo build --release -p ovs-vsctl failed",
            "--ours-server=/nonexistent/ovsdb-server",
            "--points=1,3",
            "--runs=1",
            "--scale-rows=100",
            "--scale-runs=1",
            "--markdown",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stdout
            .contains("- ours: unavailable (ovs-vsctl: cargo build --release -p ovs-vsctl failed)"),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "- ours: unavailable (ovsdb-server: /nonexistent/ovsdb-server does not exist)"
        ),
        "{stdout}"
    );
    let rows: Vec<Vec<&str>> = stdout
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| workload"))
        .map(|l| l.split('|').map(str::trim).collect())
        .collect();
    // Two add-port points, the growth between them and at scale, per server.
    assert_eq!(rows.len(), 8, "{stdout}");
    for cells in rows {
        // | label | server | real ovs-vsctl | our ovs-vsctl | ratio | target |
        assert_eq!(cells[4], "unavailable", "{cells:?}");
        match cells[2] {
            "real" => {
                let figure: f64 = cells[3]
                    .trim_end_matches('x')
                    .replace(',', "")
                    .parse()
                    .unwrap_or(-1.0);
                assert!(figure > 0.0, "{cells:?}");
            }
            "ours" => assert_eq!(cells[3], "unavailable", "{cells:?}"),
            other => panic!("server {other} in {cells:?}"),
        }
    }
    assert!(stdout.contains("load average"), "{stdout}");
}
