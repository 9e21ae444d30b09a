//! Scenario 2: the real `ovsdb-client` against the server under test: listing,
//! schema retrieval, dumps, transactions (successes and each kind of error),
//! and a background `monitor` that must print a change made later by another
//! client. The printed transcript (UUIDs masked) must match fixture
//! `ovsdb_client_session.txt`, recorded from the real server.

#[macro_use]
mod common;

use std::fs;
use std::path::Path;

use common::rpc::j;
use common::text::{mask_uuids, sorted_lines};
use common::{fixture, vswitch_db, Server, Sut};
use ovs_json::Json;
use testkit::{real_ovs, run, run_ok, wait_until, Daemon, Output, RunDir, DEFAULT_TIMEOUT};

/// Records `ovsdb-client` runs as a transcript.
struct Client<'a> {
    dir: &'a RunDir,
    server: &'a Server,
    transcript: String,
}

impl Client<'_> {
    /// Runs `ovsdb-client CMD REMOTE ARGS...` and records it. `sort` records
    /// stdout with its lines sorted (for listings in the server's hash order).
    fn record(&mut self, cmd: &str, args: &[&str], sort: bool) -> Output {
        let out = run(self
            .dir
            .command(real_ovs::OVSDB_CLIENT)
            .arg("--timeout=20")
            .arg(cmd)
            .arg(self.server.remote())
            .args(args));
        self.transcript
            .push_str(&format!("$ ovsdb-client {cmd} REMOTE {}\n", args.join(" ")));
        let stdout = if sort {
            sorted_lines(&out.stdout)
        } else {
            out.stdout.clone()
        };
        self.transcript.push_str(&mask_uuids(&stdout));
        if !out.success() {
            self.transcript
                .push_str(&format!("[{}]\n{}", out.status, mask_uuids(&out.stderr)));
        }
        out
    }

    #[track_caller]
    fn ok(&mut self, cmd: &str, args: &[&str]) -> String {
        let out = self.record(cmd, args, false);
        assert!(
            out.success(),
            "ovsdb-client {cmd} {args:?} failed ({}): {}",
            out.status,
            out.stderr
        );
        out.stdout
    }

    /// A `transact` whose printed results are returned parsed.
    #[track_caller]
    fn transact(&mut self, txn: &str) -> Json {
        let stdout = self.ok("transact", &[txn]);
        match ovs_json::parse(&stdout) {
            Ok(v) => v,
            Err(e) => panic!("ovsdb-client transact printed non-JSON ({e}): {stdout}"),
        }
    }
}

/// The schema a database file holds: its first record. The server's `get_schema`
/// must return the same schema (the client reprints it in canonical form).
fn schema_in_file(db: &Path) -> Json {
    let text = match fs::read_to_string(db) {
        Ok(t) => t,
        Err(e) => panic!("cannot read {}: {e}", db.display()),
    };
    let record = text.lines().nth(1).unwrap_or_default();
    match ovs_json::parse(record) {
        Ok(v) => v,
        Err(e) => panic!("{}: first record is not JSON: {e}", db.display()),
    }
}

fn ovsdb_client_session(sut: &Sut) {
    let dir = RunDir::new(&format!("ovsdb_client_{}", sut.name()));
    let db = vswitch_db(&dir);
    let server = sut.start(&dir, &[&db]);
    let vsctl = |args: &[&str]| {
        run_ok(
            dir.command(real_ovs::OVS_VSCTL)
                .arg(format!("--db={}", server.remote()))
                .args(["--no-wait", "--timeout=20"])
                .args(args),
        )
    };
    vsctl(&["init"]);
    vsctl(&["add-br", "br0"]);
    vsctl(&[
        "add-port",
        "br0",
        "p1",
        "--",
        "set",
        "Interface",
        "p1",
        "type=internal",
    ]);
    let mut c = Client {
        dir: &dir,
        server: &server,
        transcript: String::new(),
    };

    assert_eq!(c.ok("list-dbs", &[]), "Open_vSwitch\n_Server\n");
    let schema_text = c.ok("get-schema", &["Open_vSwitch"]);
    let schema = ovs_json::parse(&schema_text).unwrap_or(Json::Null);
    assert_eq!(
        schema,
        schema_in_file(&db),
        "get-schema differs from the file's schema"
    );
    assert_eq!(c.ok("get-schema-version", &["Open_vSwitch"]), "8.3.1\n");
    assert_eq!(
        c.ok("get-schema-cksum", &["Open_vSwitch"]),
        "3012963480 26720\n"
    );
    // Table and column listings follow the order the server sends the schema in.
    c.record("list-tables", &["Open_vSwitch"], true);
    c.record("list-columns", &["Open_vSwitch", "Interface"], true);
    c.ok("dump", &["Open_vSwitch"]);
    c.ok("dump", &["Open_vSwitch", "Interface", "name", "type"]);
    c.ok(
        "dump",
        &["--format=csv", "Open_vSwitch", "Bridge", "name", "ports"],
    );

    // transact: insert (referenced by a mutate in the same transaction) ...
    let r = c.transact(
        r#"["Open_vSwitch",
            {"op":"insert","table":"Bridge","row":{"name":"brA","stp_enable":true},"uuid-name":"b"},
            {"op":"mutate","table":"Open_vSwitch","where":[],
             "mutations":[["bridges","insert",["set",[["named-uuid","b"]]]]]}]"#,
    );
    assert_eq!(r.as_array().map(<[Json]>::len), Some(2), "{r}");
    assert_eq!(r.as_array().and_then(|a| a[1].get("count")), Some(&j("1")));
    // ... select ...
    let r = c.transact(
        r#"["Open_vSwitch",{"op":"select","table":"Bridge","where":[["name","==","brA"]],
            "columns":["name","stp_enable","ports"]}]"#,
    );
    assert_eq!(
        r,
        j(r#"[{"rows":[{"name":"brA","stp_enable":true,"ports":["set",[]]}]}]"#)
    );
    // ... and errors: each is a result object, the command still succeeds.
    for txn in [
        r#"["Open_vSwitch",{"op":"insert","table":"Nope","row":{}}]"#,
        r#"["Open_vSwitch",{"op":"insert","table":"Bridge","row":{"name":5}}]"#,
        r#"["Open_vSwitch",{"op":"frobnicate","table":"Bridge"}]"#,
        r#"["Open_vSwitch",{"op":"select","table":"Bridge","where":[["nosuch","==",1]]}]"#,
        r#"["Open_vSwitch",{"op":"comment","comment":"x"},{"op":"abort"}]"#,
        r#"["Open_vSwitch",{"op":"wait","timeout":0,"table":"Bridge",
            "where":[["name","==","brA"]],"columns":["name"],"until":"!=","rows":[{"name":"brA"}]}]"#,
        r#"["Open_vSwitch",{"op":"update","table":"Bridge","where":[],"row":{"name":"x"}}]"#,
        r#"["Open_vSwitch",{"op":"insert","table":"Bridge","row":{"name":"brA"},"uuid-name":"d"},
            {"op":"mutate","table":"Open_vSwitch","where":[],
             "mutations":[["bridges","insert",["set",[["named-uuid","d"]]]]]}]"#,
        r#"["Open_vSwitch",{"op":"delete","table":"Bridge","where":[["name","==","brA"]]}]"#,
    ] {
        let r = c.transact(txn);
        let last = r.as_array().and_then(<[Json]>::last).cloned();
        assert!(
            last.as_ref().and_then(|o| o.get("error")).is_some(),
            "{txn} should fail: {r}"
        );
    }
    // An unknown database fails the whole request: the client exits 1.
    let out = c.record(
        "transact",
        &[r#"["Nope",{"op":"comment","comment":"x"}]"#],
        false,
    );
    assert_eq!(out.code(), Some(1), "{}", out.stdout);
    assert!(
        out.stderr.contains("unknown database"),
        "stderr: {}",
        out.stderr
    );
    c.ok("dump", &["Open_vSwitch", "Bridge", "name", "stp_enable"]);

    // monitor in the background prints a change made afterwards by ovs-vsctl.
    let mut monitor = Daemon::builder(&dir, real_ovs::OVSDB_CLIENT)
        .name("ovsdb-client-monitor")
        .args(["monitor", &server.remote(), "Open_vSwitch", "Bridge"])
        .args(["name", "external_ids"])
        .start();
    wait_for_output(&mut monitor, "the initial rows", |out| {
        out.lines().filter(|l| l.contains(" initial ")).count() == 2
    });
    vsctl(&["br-set-external-id", "br0", "color", "blue"]);
    wait_for_output(&mut monitor, "the change", |out| out.contains("color=blue"));
    let printed = mask_uuids(&monitor.stdout());
    // The two initial rows come in the server's order.
    let (initial, update) = printed.split_once("\n\n").unwrap_or((&printed, ""));
    let mut initial_lines: Vec<&str> = initial.lines().collect();
    initial_lines[2..].sort_unstable();
    c.transcript.push_str(&format!(
        "$ ovsdb-client monitor REMOTE Open_vSwitch Bridge name external_ids\n{}\n\n{update}",
        initial_lines.join("\n")
    ));

    let transcript = std::mem::take(&mut c.transcript);
    fixture::check(sut, "ovsdb_client_session.txt", &transcript);
}

/// Polls a background client's stdout until `done` holds (bounded), failing
/// early if it exits.
#[track_caller]
fn wait_for_output(client: &mut Daemon, what: &str, done: impl Fn(&str) -> bool) {
    let mut exited = None;
    let r = wait_until(DEFAULT_TIMEOUT, what, || {
        exited = client.try_exit_status();
        done(&client.stdout()) || exited.is_some()
    });
    if let Some(status) = exited {
        panic!(
            "ovsdb-client monitor exited ({status}) before printing {what}:\n{}\n{}",
            client.stdout(),
            client.stderr_report()
        );
    }
    if let Err(e) = r {
        panic!("{e}; it printed:\n{}", client.stdout());
    }
}

against_both!(
    ovsdb_client_session,
    ovsdb_client_session_real,
    ovsdb_client_session_ours
);
