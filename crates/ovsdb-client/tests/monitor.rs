//! Monitors: ours and the reference watch the same server through the same
//! changes and must print the same thing (initial rows, inserts, modifications,
//! deletions), in every format, and end the same way.

mod common;

use common::{assert_no_failures, custom_env, vswitch_env, ClientPair, Env};
use testkit::{real_ovs, run};

/// Runs a transaction with the real client (test setup only).
fn transact(env: &Env, txn: &str) {
    let out = run(env
        .dir
        .command(real_ovs::OVSDB_CLIENT)
        .arg("transact")
        .arg(txn));
    assert!(
        out.success() && !out.stdout.contains("\"error\""),
        "{txn}: {out:?}"
    );
}

/// The first change touches both tables; the second ends with values that no
/// earlier output contains, which tells when both clients have printed it.
const CHANGE_1: &str = r#"["T",
  {"op":"update","table":"A","where":[["i","==",1]],
   "row":{"s":"changed one","iset":["set",[7,8]],"smap":["map",[["q","r"]]],"wref":["set",[]]}},
  {"op":"insert","table":"B","row":{"name":"added","n":1}},
  {"op":"delete","table":"B","where":[["name","==","true"]]}]"#;
const CHANGE_2: &str = r#"["T",
  {"op":"update","table":"A","where":[["i","==",2]],"row":{"r":99.5}},
  {"op":"update","table":"B","where":[["name","==","b1"]],"row":{"name":"b1-renamed","n":["set",[]]}}]"#;

#[test]
fn monitors_print_the_same_changes_as_the_reference() {
    let env = custom_env("monitor_changes");
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["monitor", "T", "A"], "99.5"),
        (vec!["monitor", "T", "B"], "b1-renamed"),
        (vec!["monitor", "T", "ALL"], "b1-renamed"),
        (vec!["monitor", "A"], "99.5"),
        (vec!["monitor", "T", "A", "s,r", "!initial,iset"], "99.5"),
        (vec!["monitor", "T", "B", "name,!insert"], "b1-renamed"),
        (vec!["monitor", "T", "B", "name,!delete,!modify"], "added"),
        (vec!["monitor", "T", "B", "!initial"], "b1-renamed"),
        (vec!["monitor-cond", "T", "[]", "A"], "99.5"),
        (
            vec!["monitor-cond", "T", r#"[["i","<",3]]"#, "A", "i,s,iset,r"],
            "99.5",
        ),
        (vec!["monitor-cond", "T", "[]", "B", "name,n"], "b1-renamed"),
        (
            vec!["monitor-cond", "T", r#"[true,["n","!=",7]]"#, "B"],
            "b1-renamed",
        ),
        (vec!["monitor-cond-since", "T", "[]", "B"], "b1-renamed"),
        (
            vec![
                "monitor-cond-since",
                "T",
                "00000000-0000-0000-0000-000000000000",
                "[]",
                "A",
                "s,r",
            ],
            "99.5",
        ),
        (vec!["--timestamp", "monitor", "T", "B"], "b1-renamed"),
        (
            vec!["--timestamp", "-f", "list", "monitor-cond", "T", "[]", "B"],
            "b1-renamed",
        ),
        (vec!["-f", "json", "monitor", "T", "A"], "99.5"),
        (
            vec!["-f", "json", "--pretty", "monitor-cond", "T", "[]", "A"],
            "99.5",
        ),
        (vec!["-f", "csv", "monitor", "T", "ALL"], "b1-renamed"),
        (vec!["-f", "html", "monitor-cond", "T", "[]", "A"], "99.5"),
        (vec!["-f", "list", "monitor", "T", "A"], "99.5"),
        (vec!["--bare", "monitor", "T", "A"], "99.5"),
        (vec!["-d", "json", "monitor", "T", "A"], "99.5"),
        (vec!["-d", "json", "monitor-cond", "T", "[]", "A"], "99.5"),
        (
            vec!["-d", "bare", "monitor-cond-since", "T", "[]", "A"],
            "99.5",
        ),
        (vec!["--no-headings", "monitor", "T", "ALL"], "b1-renamed"),
        (
            vec!["-f", "json", "-d", "json", "monitor-cond", "T", "[]", "B"],
            "b1-renamed",
        ),
    ];
    let mut pairs: Vec<(String, ClientPair, &str)> = cases
        .iter()
        .enumerate()
        .map(|(i, (args, marker))| {
            (
                args.join(" "),
                env.start_pair(&format!("m{i}"), args),
                *marker,
            )
        })
        .collect();
    for (_, pair, _) in &mut pairs {
        pair.wait_for_reply("monitor");
    }
    transact(&env, CHANGE_1);
    transact(&env, CHANGE_2);
    let mut failures = Vec::new();
    for (name, mut pair, marker) in pairs {
        pair.wait_same_output(marker);
        if let Some(d) = pair.stop_and_compare() {
            failures.push(format!("ovsdb-client {name}\n{d}"));
        }
    }
    assert_no_failures(&failures);
}

#[test]
fn monitor_all_on_open_vswitch_matches_the_reference() {
    let env = vswitch_env("monitor_vswitch");
    let cases: [&[&str]; 3] = [
        &["monitor", "ALL"],
        &[
            "monitor-cond",
            "Open_vSwitch",
            "[]",
            "Interface",
            "name,type,options",
        ],
        &[
            "-f",
            "csv",
            "monitor",
            "Open_vSwitch",
            "Bridge",
            "name,ports,other_config",
        ],
    ];
    let mut pairs: Vec<(String, ClientPair)> = cases
        .iter()
        .enumerate()
        .map(|(i, args)| (args.join(" "), env.start_pair(&format!("v{i}"), args)))
        .collect();
    for (_, pair) in &mut pairs {
        pair.wait_for_reply("monitor");
    }
    env.vsctl(&[
        "add-br",
        "br9",
        "--",
        "set",
        "Bridge",
        "br9",
        "other_config:x=1",
    ]);
    env.vsctl(&["del-port", "p1"]);
    env.vsctl(&[
        "add-port",
        "br9",
        "last9",
        "--",
        "set",
        "Interface",
        "last9",
        "type=internal",
        "--",
        "set",
        "Bridge",
        "br9",
        "other_config:last=9",
    ]);
    let mut failures = Vec::new();
    for (name, mut pair) in pairs {
        pair.wait_same_output("last");
        if let Some(d) = pair.stop_and_compare() {
            failures.push(format!("ovsdb-client {name}\n{d}"));
        }
    }
    assert_no_failures(&failures);
}

#[test]
fn monitors_end_like_the_reference_when_the_database_is_removed() {
    let env = custom_env("monitor_removed");
    let schema = env.dir.file("e.ovsschema");
    std::fs::write(
        &schema,
        r#"{"name":"E","tables":{"X":{"columns":{"v":{"type":"integer"}}}}}"#,
    )
    .expect("write schema");
    let db = env.dir.file("e.db");
    common::create_db(&env.dir, &db, &schema);
    let out = env.appctl(&["ovsdb-server/add-db", &db.display().to_string()]);
    assert!(out.success(), "add-db: {out:?}");
    let cases: [&[&str]; 3] = [
        &["monitor", "E", "X"],
        &["monitor-cond", "E", "[]", "X"],
        &["--db-change-aware", "monitor-cond-since", "E", "[]", "X"],
    ];
    let mut pairs: Vec<(String, ClientPair)> = cases
        .iter()
        .enumerate()
        .map(|(i, args)| (args.join(" "), env.start_pair(&format!("r{i}"), args)))
        .collect();
    for (_, pair) in &mut pairs {
        pair.wait_for_reply("monitor");
    }
    let out = env.appctl(&["ovsdb-server/remove-db", "E"]);
    assert!(out.success(), "remove-db: {out:?}");
    let mut failures = Vec::new();
    for (name, pair) in pairs {
        let stderr_path = pair.ours.stderr_path().to_path_buf();
        if let Some(d) = pair.finish() {
            failures.push(format!("ovsdb-client {name}\n{d}"));
        }
        let stderr = std::fs::read_to_string(&stderr_path).unwrap_or_default();
        assert!(
            stderr.contains("E database was removed"),
            "{name}: {stderr}"
        );
    }
    assert_no_failures(&failures);
}

#[test]
fn clients_end_like_the_reference_when_the_server_goes_away() {
    let mut env = custom_env("monitor_server_gone");
    let cases: [&[&str]; 4] = [
        &["monitor", "T", "B"],
        &[
            "--no-db-change-aware",
            "monitor-cond",
            "T",
            "[]",
            "B",
            "name",
        ],
        &["lock", "gone-lock"],
        &["-f", "json", "monitor", "T", "ALL"],
    ];
    let mut pairs: Vec<(String, ClientPair)> = cases
        .iter()
        .enumerate()
        .map(|(i, args)| (args.join(" "), env.start_pair(&format!("g{i}"), args)))
        .collect();
    for (name, pair) in &mut pairs {
        pair.wait_for_reply(if name.contains("lock") {
            "lock"
        } else {
            "monitor"
        });
    }
    let _ = env.server.signal(libc::SIGTERM);
    env.server
        .wait_exit(testkit::DEFAULT_TIMEOUT)
        .expect("server exits on SIGTERM");
    let mut failures = Vec::new();
    for (name, pair) in pairs {
        if let Some(d) = pair.finish() {
            failures.push(format!("ovsdb-client {name}\n{d}"));
        }
    }
    assert_no_failures(&failures);
}
