//! Runs every workload in a tiny size against the real ovsdb-server, to prove the
//! harness works end to end. Figures are only checked for being produced and
//! positive: timings are never asserted.

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use ovsdb_bench::options::Config;
use ovsdb_bench::report::{Metric, Results};
use ovsdb_bench::server::{Server, ServerSpec};
use ovsdb_bench::{bulk, client, compare, monitor};
use testkit::real_ovs;

fn tiny() -> Config {
    Config {
        txn_duration: Duration::from_secs(30),
        txn_max: Some(20),
        bulk_batch: 25,
        bulk_rows: 100,
        rss_rows: 200,
        show_runs: 1,
        monitors: 3,
        commits: 5,
        timeout: Duration::from_secs(30),
        ..Config::default()
    }
}

fn theirs() -> ServerSpec {
    real_ovs::require_real_ovs();
    ServerSpec {
        binary: PathBuf::from(real_ovs::OVSDB_SERVER),
    }
}

/// Checks one side's figures: all there, all positive.
fn assert_sane(who: &str, r: &Results) {
    for m in Metric::ALL {
        match r.get(m) {
            Some(Ok(v)) => assert!(*v > 0.0 && v.is_finite(), "{who} {m:?} = {v}"),
            other => panic!("{who} {m:?}: {other:?}"),
        }
    }
    assert_eq!(r.bulk_rows, Some(100), "{who}");
    assert_eq!(r.rss_rows, Some(200), "{who}");
    // The root row's uuid, "Bridge br0", then a Port and an Interface line for each
    // of the 50 ports.
    assert_eq!(r.show_lines, Some(2 + 2 * 50), "{who}");
}

#[test]
fn every_workload_produces_a_positive_figure_against_real_server() {
    let cfg = tiny();
    let mut steps = Vec::new();
    let out = compare::run(&theirs(), Err("not run".into()), &cfg, &mut |s| {
        steps.push(s.to_string())
    })
    .unwrap_or_else(|e| panic!("real server could not be benchmarked: {e}"));
    assert_sane("theirs", &out.theirs);
    assert_eq!(out.ours.unwrap_err(), "not run");
    assert_eq!(steps.len(), 5, "{steps:?}");
}

/// The real server on both sides exercises the taking of turns.
#[test]
fn both_sides_get_figures_when_taking_turns() {
    let cfg = tiny();
    let out = compare::run(&theirs(), Ok(&theirs()), &cfg, &mut |_| {})
        .unwrap_or_else(|e| panic!("real server could not be benchmarked: {e}"));
    assert_sane("theirs", &out.theirs);
    let ours = out.ours.unwrap_or_else(|e| panic!("second side: {e}"));
    assert_sane("second", &ours);
}

#[test]
fn ours_failing_to_start_leaves_theirs_measured() {
    let cfg = tiny();
    let broken = ServerSpec {
        binary: PathBuf::from("/usr/bin/false"),
    };
    let out = compare::run(&theirs(), Ok(&broken), &cfg, &mut |_| {}).unwrap();
    assert_sane("theirs", &out.theirs);
    let e = out.ours.unwrap_err();
    assert!(e.contains("exited at start"), "{e}");
}

#[test]
fn bulk_rows_land_in_the_database() {
    let cfg = tiny();
    let server = Server::start(&theirs(), &cfg).unwrap();
    let base = client::setup_base(&server).unwrap();
    let mut loader = bulk::Loader::new(&server, &base, &cfg).unwrap();
    // 130 rows at 25 ports per transaction: 25 + 25 + 15 ports.
    let stats = loader.grow_to(130).unwrap();
    assert_eq!((stats.rows, stats.transactions), (130, 3));
    assert!(stats.rows_per_sec() > 0.0);
    // Asking again for fewer rows does nothing.
    assert_eq!(loader.grow_to(100).unwrap().rows, 0);

    let out = Command::new(real_ovs::OVS_VSCTL)
        .arg(format!("--db=unix:{}", server.sock().display()))
        .args(["list-ports", "br0"])
        .envs(ovsdb_bench::server::tool_env(&server))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let ports = String::from_utf8_lossy(&out.stdout);
    assert_eq!(ports.lines().count(), 65, "{ports}");
    assert!(ports.lines().any(|p| p == "p64"), "{ports}");
}

#[test]
fn every_monitor_sees_every_measured_commit() {
    let cfg = Config {
        monitors: 4,
        commits: 7,
        ..tiny()
    };
    let server = Server::start(&theirs(), &cfg).unwrap();
    let base = client::setup_base(&server).unwrap();
    let lat = monitor::run(&server, &base, &cfg).unwrap();
    assert_eq!(lat.samples, 28);
    assert!(lat.p50_ms > 0.0 && lat.p99_ms >= lat.p50_ms, "{lat:?}");
}

#[test]
fn missing_server_is_reported_not_fatal() {
    let spec = ServerSpec {
        binary: PathBuf::from("/nonexistent/ovsdb-server"),
    };
    let err = match Server::start(&spec, &tiny()) {
        Ok(_) => panic!("a missing binary started"),
        Err(e) => e,
    };
    assert!(
        err.contains("/nonexistent/ovsdb-server does not exist"),
        "{err}"
    );
}

#[test]
fn server_that_exits_at_start_is_reported_with_its_words() {
    let spec = ServerSpec {
        // Exits at once with a message on stderr.
        binary: PathBuf::from("/usr/bin/false"),
    };
    let err = match Server::start(&spec, &tiny()) {
        Ok(_) => panic!("/usr/bin/false stayed up"),
        Err(e) => e,
    };
    assert!(err.contains("exited at start"), "{err}");
}

#[test]
fn binary_reports_theirs_and_ours_unavailable_as_markdown() {
    real_ovs::require_real_ovs();
    let out = Command::new(env!("CARGO_BIN_EXE_ovsdb-bench"))
        .args([
            "--ours=/nonexistent/ovsdb-server",
            "--txn-count=10",
            "--bulk-batch=20",
            "--bulk-rows=40",
            "--rss-rows=80",
            "--show-runs=1",
            "--monitors=2",
            "--commits=3",
            "--markdown",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("ours: unavailable (/nonexistent/ovsdb-server does not exist)"),
        "{stderr}"
    );
    let rows: Vec<&str> = stdout
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| workload"))
        .collect();
    assert_eq!(rows.len(), Metric::ALL.len(), "{stdout}");
    for row in rows {
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        // | label | theirs | ours | ratio | better | target |
        let theirs: f64 = cells[2].replace(',', "").parse().unwrap_or(-1.0);
        assert!(theirs > 0.0, "{row}");
        assert_eq!(cells[3], "unavailable", "{row}");
    }
}
