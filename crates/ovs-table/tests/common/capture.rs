//! Running the scenarios against the real Open vSwitch 3.1 tools (test peers)
//! and collecting what they print for every case.

use std::collections::BTreeMap;
use std::fs;

use testkit::real_ovs::{OVSDB_CLIENT, OVS_VSCTL, VSWITCH_SCHEMA};
use testkit::{
    require_real_ovs, run_ok, start_real_ovsdb_server, wait_until, Daemon, RunDir, DEFAULT_TIMEOUT,
};

use super::{fixtures_dir, parse_timestamp_line, Scenario};

/// Each case's output, by case name.
pub type Outputs = BTreeMap<&'static str, String>;

/// The commands of the `vsctl` scenario, joined by `--` in one invocation:
/// a row with maps and a quoted key, a find that matches nothing, and two
/// rows in the order given.
const VSCTL_COMMANDS: &[&str] = &[
    "--columns=name,type,options,external_ids,ofport,_uuid",
    "list",
    "interface",
    "p1",
    "--",
    "--columns=name",
    "find",
    "port",
    "name=none",
    "--",
    "--columns=_uuid,name,ports,external_ids",
    "list",
    "bridge",
    "br0",
    "br1",
];

/// The changes the `monitor` scenario watches, one transaction each.
const MONITOR_TRANSACTIONS: &[&str] = &[
    r#"["T",{"op":"insert","table":"Events","row":{"name":"second, with \"quotes\"","n":2}}]"#,
    r#"["T",{"op":"update","table":"Events","where":[["n","==",2]],"row":{"n":3}}]"#,
    r#"["T",{"op":"delete","table":"Events","where":[["n","==",3]]}]"#,
];

pub fn run(scenario: Scenario) -> Outputs {
    require_real_ovs();
    match scenario {
        Scenario::Dump => dump(),
        Scenario::Vsctl => vsctl(),
        Scenario::Monitor => monitor(),
    }
}

/// A real ovsdb-server on the custom schema, filled with `t-data.json`.
fn start_custom_db(dir: &RunDir) -> Daemon {
    let fixtures = fixtures_dir();
    let server =
        start_real_ovsdb_server(dir, &dir.file("t.db"), Some(&fixtures.join("t.ovsschema")));
    let data = fs::read_to_string(fixtures.join("t-data.json"))
        .unwrap_or_else(|e| panic!("reading t-data.json: {e}"));
    transact(dir, &data);
    server
}

fn transact(dir: &RunDir, txn: &str) {
    let reply = run_ok(
        dir.command(OVSDB_CLIENT)
            .arg("transact")
            .arg(dir.db_remote())
            .arg(txn),
    );
    assert!(!reply.contains("\"error\""), "transaction failed: {reply}");
}

fn dump() -> Outputs {
    let dir = RunDir::new("ovs-table-dump");
    let _server = start_custom_db(&dir);
    Scenario::Dump
        .cases()
        .iter()
        .map(|case| {
            let out = run_ok(
                dir.command(OVSDB_CLIENT)
                    .args(case.args)
                    .arg("dump")
                    .arg(dir.db_remote())
                    .arg("T"),
            );
            (case.name, out)
        })
        .collect()
}

fn vsctl() -> Outputs {
    let dir = RunDir::new("ovs-table-vsctl");
    let _server = start_real_ovsdb_server(&dir, &dir.conf_db(), Some(VSWITCH_SCHEMA.as_ref()));
    let vsctl = |args: &[&str]| -> String {
        run_ok(
            dir.command(OVS_VSCTL)
                .arg("--no-wait")
                .arg(format!("--db={}", dir.db_remote()))
                .args(args),
        )
    };
    vsctl(&["init"]);
    vsctl(&[
        "add-br",
        "br0",
        "--",
        "add-port",
        "br0",
        "p1",
        "--",
        "set",
        "interface",
        "p1",
        "type=internal",
        "options:foo=bar",
        "external_ids:\"k k\"=\"v,v\"",
        "--",
        "add-br",
        "br1",
        "--",
        "set",
        "bridge",
        "br1",
        "external_ids:note=\"<x&y> 'z'\"",
    ]);
    Scenario::Vsctl
        .cases()
        .iter()
        .map(|case| {
            let args: Vec<&str> = case.args.iter().chain(VSCTL_COMMANDS).copied().collect();
            (case.name, vsctl(&args))
        })
        .collect()
}

/// One `ovsdb-client monitor` per case, all watching the same changes.
fn monitor() -> Outputs {
    let dir = RunDir::new("ovs-table-monitor");
    let _server = start_custom_db(&dir);
    let cases = Scenario::Monitor.cases();
    let monitors: Vec<Daemon> = cases
        .iter()
        .map(|case| {
            Daemon::builder(&dir, OVSDB_CLIENT)
                .name(&format!("monitor-{}", case.name))
                .args(case.args)
                .args(["monitor", &dir.db_remote(), "T", "Events", "name", "n"])
                .start()
        })
        .collect();
    // Each change must reach every monitor before the next one is made, or
    // the initial contents would already include it.
    wait_for_updates(&monitors, 1);
    for (i, txn) in MONITOR_TRANSACTIONS.iter().enumerate() {
        transact(&dir, txn);
        wait_for_updates(&monitors, i + 2);
    }
    cases
        .iter()
        .zip(&monitors)
        .map(|(case, m)| (case.name, m.stdout()))
        .collect()
}

/// Waits until every monitor has printed `n` complete updates (each is
/// flushed as a whole, so a count plus a final newline means complete).
fn wait_for_updates(monitors: &[Daemon], n: usize) {
    let updates = |text: &str| -> usize {
        let stamps = text
            .lines()
            .filter(|l| parse_timestamp_line(l).is_some())
            .count();
        if stamps > 0 {
            stamps
        } else {
            text.lines().filter(|l| l.starts_with('{')).count()
        }
    };
    let what = format!("{n} updates from every ovsdb-client monitor");
    let result = wait_until(DEFAULT_TIMEOUT, &what, || {
        monitors.iter().all(|m| {
            let text = m.stdout();
            updates(&text) >= n && text.ends_with('\n')
        })
    });
    if let Err(e) = result {
        let reports: Vec<String> = monitors
            .iter()
            .map(|m| format!("{}:\n{}\n{}", m.name(), m.stdout(), m.stderr_report()))
            .collect();
        panic!("{e}\n{}", reports.join("\n"));
    }
}
