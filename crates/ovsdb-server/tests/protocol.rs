//! Scenario 6: protocol details with raw JSON-RPC, and the server's `ovs-appctl`
//! commands. The server holds two databases: Open_vSwitch and our own "Test"
//! (table `T`: integer `n` with a unique index, string `s`, string map `m`).
//!
//! Only where the reference contradicts RFC 7047 does ours get a different
//! expectation: a cancelled `transact` is never answered by the reference; ours
//! must answer it with a "canceled" error.

#[macro_use]
mod common;

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::net::UnixStream;
use std::path::Path;

use common::rpc::{error_of, j};
use common::sut::StartOptions;
use common::text::{is_uuid, sorted_lines};
use common::{create_db, test_schema, vswitch_db, Rpc, Server, Sut};
use ovs_json::Json;
use testkit::{real_ovs, run_ok, wait_until, RunDir, DEFAULT_TIMEOUT};

/// The last-txn-id a standalone database reports in monitor_cond_since.
const ZERO_UUID: &str = "00000000-0000-0000-0000-000000000000";

/// Starts the server on a fresh Open_vSwitch and Test database.
fn start_two(sut: &Sut, dir: &RunDir, opts: &StartOptions) -> Server {
    let vswitch = vswitch_db(dir);
    let test = create_db(dir, "test.db", &test_schema());
    sut.start_with(dir, &[&vswitch, &test], opts)
}

/// Inserts a row into T and returns its UUID.
#[track_caller]
fn insert_t(rpc: &mut Rpc, row: &str) -> String {
    let r = rpc.transact(
        "Test",
        &[j(&format!(r#"{{"op":"insert","table":"T","row":{row}}}"#))],
    );
    match r
        .first()
        .and_then(|r| r.get("uuid"))
        .and_then(Json::as_array)
        .and_then(|u| u.get(1))
        .and_then(Json::as_str)
    {
        Some(u) => u.to_string(),
        None => panic!("insert {row} failed: {r:?}"),
    }
}

/// A transaction on Test that must succeed.
#[track_caller]
fn transact_ok(rpc: &mut Rpc, ops: &str) -> Vec<Json> {
    let Json::Array(ops) = j(ops) else {
        panic!("ops must be an array")
    };
    let r = rpc.transact("Test", &ops);
    if let Some(e) = r.iter().find(|r| r.get("error").is_some()) {
        panic!("transaction failed: {e}");
    }
    r
}

/// Waits for one notification of each of `methods` (in any order; the reference
/// sends a session's monitors' updates in hash order), then checks with an echo
/// round trip that nothing else came. Returns params by method.
#[track_caller]
fn updates(rpc: &mut Rpc, methods: &[&str]) -> BTreeMap<String, Json> {
    let mut got = BTreeMap::new();
    for m in methods {
        got.insert(m.to_string(), rpc.notification(m));
    }
    let extra = rpc.sync();
    assert!(extra.is_empty(), "unexpected messages: {extra:?}");
    got
}

/// Replaces the `_version` UUID of every row in an update3 notification's
/// table-updates with "V", after checking it is a UUID.
#[track_caller]
fn mask_versions(mut updates: Json) -> Json {
    if let Json::Object(tables) = &mut updates {
        for rows in tables.values_mut() {
            let Json::Object(rows) = rows else { continue };
            for change in rows.values_mut() {
                let Json::Object(change) = change else {
                    continue;
                };
                for row in change.values_mut() {
                    let Json::Object(row) = row else { continue };
                    if let Some(v) = row.get_mut("_version") {
                        let uuid = v.as_array().and_then(|a| a.get(1)).and_then(Json::as_str);
                        assert!(uuid.is_some_and(is_uuid), "_version {v}");
                        *v = Json::string("V");
                    }
                }
            }
        }
    }
    updates
}

/// `text` with `U1`, `U2`... replaced by the given UUIDs, parsed.
fn with_uuids(text: &str, uuids: &[&str]) -> Json {
    let mut t = text.to_string();
    for (i, u) in uuids.iter().enumerate().rev() {
        t = t.replace(&format!("U{}", i + 1), u);
    }
    j(&t)
}

fn monitor_flavours(sut: &Sut) {
    let dir = RunDir::new(&format!("proto_monitors_{}", sut.name()));
    let server = start_two(sut, &dir, &StartOptions::default());
    let mut a = server.connect();
    let mut b = server.connect();
    let u1 = insert_t(&mut b, r#"{"n":1,"s":"one"}"#);

    // Initial contents in each flavour. monitor_cond leaves out columns that
    // hold their default value; monitor_cond_since on a standalone database
    // has no history, so it reports "not found" and the all-zero txn id.
    let r = a.call_ok(
        "monitor",
        j(r#"["Test","m1",{"T":{"columns":["n","s","m"]}}]"#),
    );
    assert_eq!(
        r,
        with_uuids(
            r#"{"T":{"U1":{"new":{"m":["map",[]],"n":1,"s":"one"}}}}"#,
            &[&u1]
        )
    );
    let r = a.call_ok(
        "monitor_cond",
        j(r#"["Test","m2",{"T":[{"columns":["n","s","m"],"where":[["n","<",10]]}]}]"#),
    );
    assert_eq!(
        r,
        with_uuids(r#"{"T":{"U1":{"initial":{"n":1,"s":"one"}}}}"#, &[&u1])
    );
    let r = a.call_ok(
        "monitor_cond_since",
        j(&format!(
            r#"["Test","m3",{{"T":[{{"where":[["n",">=",2]]}}]}},"{ZERO_UUID}"]"#
        )),
    );
    assert_eq!(r, j(&format!(r#"[false,"{ZERO_UUID}",{{}}]"#)));

    // An insert, seen by all three.
    let u2 = insert_t(&mut b, r#"{"n":2,"s":"two","m":["map",[["a","b"]]]}"#);
    let got = updates(&mut a, &["update", "update2", "update3"]);
    let u = [u1.as_str(), u2.as_str()];
    assert_eq!(
        got["update"],
        with_uuids(
            r#"["m1",{"T":{"U2":{"new":{"m":["map",[["a","b"]]],"n":2,"s":"two"}}}}]"#,
            &u
        )
    );
    assert_eq!(
        got["update2"],
        with_uuids(
            r#"["m2",{"T":{"U2":{"insert":{"m":["map",[["a","b"]]],"n":2,"s":"two"}}}}]"#,
            &u
        )
    );
    let update3 = got["update3"].as_array().unwrap_or_default();
    assert_eq!(update3.len(), 3, "{}", got["update3"]);
    assert_eq!(update3[..2], [j(r#""m3""#), Json::string(ZERO_UUID)]);
    // With no columns named, update3 carries every column, _version included.
    assert_eq!(
        mask_versions(update3[2].clone()),
        with_uuids(
            r#"{"T":{"U2":{"insert":{"_version":"V","m":["map",[["a","b"]]],"n":2,"s":"two"}}}}"#,
            &u
        )
    );

    // A modification that takes row 2 out of m2's condition.
    transact_ok(
        &mut b,
        r#"[{"op":"update","table":"T","where":[["n","==",2]],"row":{"n":20}}]"#,
    );
    let got = updates(&mut a, &["update", "update2", "update3"]);
    assert_eq!(
        got["update"],
        with_uuids(
            r#"["m1",{"T":{"U2":{"new":{"m":["map",[["a","b"]]],"n":20,"s":"two"},"old":{"n":2}}}}]"#,
            &u
        )
    );
    assert_eq!(
        got["update2"],
        with_uuids(r#"["m2",{"T":{"U2":{"delete":null}}}]"#, &u)
    );
    let update3 = got["update3"].as_array().unwrap_or_default().to_vec();
    assert_eq!(
        mask_versions(update3.get(2).cloned().unwrap_or(Json::Null)),
        with_uuids(r#"{"T":{"U2":{"modify":{"_version":"V","n":20}}}}"#, &u)
    );

    // A deletion, of a row m2 no longer shows.
    transact_ok(
        &mut b,
        r#"[{"op":"delete","table":"T","where":[["n","==",20]]}]"#,
    );
    let got = updates(&mut a, &["update", "update3"]);
    assert_eq!(
        got["update"],
        with_uuids(
            r#"["m1",{"T":{"U2":{"old":{"m":["map",[["a","b"]]],"n":20,"s":"two"}}}}]"#,
            &u
        )
    );
    assert_eq!(
        got["update3"],
        j(&format!(
            r#"["m3","{ZERO_UUID}",{{"T":{{"{u2}":{{"delete":null}}}}}}]"#
        ))
    );

    // A change to a row m3 does not show.
    transact_ok(
        &mut b,
        r#"[{"op":"update","table":"T","where":[["n","==",1]],"row":{"s":"uno"}}]"#,
    );
    let got = updates(&mut a, &["update", "update2"]);
    assert_eq!(
        got["update"],
        with_uuids(
            r#"["m1",{"T":{"U1":{"new":{"m":["map",[]],"n":1,"s":"uno"},"old":{"s":"one"}}}}]"#,
            &u
        )
    );
    assert_eq!(
        got["update2"],
        with_uuids(r#"["m2",{"T":{"U1":{"modify":{"s":"uno"}}}}]"#, &u)
    );

    // Monitor ids are per session and must be unique in it.
    let reply = a.call("monitor", j(r#"["Test","m1",{"T":{}}]"#));
    assert_eq!(
        error_of(&reply),
        Some(&j(
            r#"{"syntax":"\"m1\"","details":"duplicate monitor ID","error":"syntax error"}"#
        ))
    );
    let r = b.call_ok("monitor", j(r#"["Test","m1",{"T":{"columns":["n"]}}]"#));
    assert_eq!(r, with_uuids(r#"{"T":{"U1":{"new":{"n":1}}}}"#, &u));
}

fn monitor_cond_change_and_cancel(sut: &Sut) {
    let dir = RunDir::new(&format!("proto_condchange_{}", sut.name()));
    let server = start_two(sut, &dir, &StartOptions::default());
    let mut a = server.connect();
    let mut b = server.connect();
    let u1 = insert_t(&mut b, r#"{"n":1,"s":"one"}"#);
    let u2 = insert_t(&mut b, r#"{"n":2,"s":"two"}"#);
    let u = [u1.as_str(), u2.as_str()];

    let r = a.call_ok(
        "monitor_cond",
        j(r#"["Test","m",{"T":[{"columns":["n","s"],"where":[["n","==",1]]}]}]"#),
    );
    assert_eq!(
        r,
        with_uuids(r#"{"T":{"U1":{"initial":{"n":1,"s":"one"}}}}"#, &u)
    );
    // Another monitor on the same session, to show that updates still flow.
    a.call_ok(
        "monitor_cond",
        j(r#"["Test","other",{"T":[{"columns":["s"]}]}]"#),
    );

    // The delta for a new condition comes before the reply.
    let id = a.request(
        "monitor_cond_change",
        j(r#"["m","m",{"T":[{"where":[["n","==",2]]}]}]"#),
    );
    let first = a.next_message();
    assert_eq!(
        first,
        with_uuids(
            r#"{"id":null,"method":"update2","params":["m",{"T":{"U1":{"delete":null},"U2":{"insert":{"n":2,"s":"two"}}}}]}"#,
            &u
        )
    );
    assert_eq!(
        a.next_message(),
        Json::object([("id", id), ("result", j("{}")), ("error", Json::Null)])
    );
    // A condition that matches what is shown already sends nothing.
    let id = a.request(
        "monitor_cond_change",
        j(r#"["m","m",{"T":[{"where":[["s","==","two"]]}]}]"#),
    );
    assert_eq!(
        a.next_message(),
        Json::object([("id", id), ("result", j("{}")), ("error", Json::Null)])
    );
    // [true] matches everything; the new row arrives as an insert.
    let id = a.request(
        "monitor_cond_change",
        j(r#"["m","m2",{"T":[{"where":[true]}]}]"#),
    );
    assert_eq!(
        a.next_message(),
        with_uuids(
            r#"{"id":null,"method":"update2","params":["m2",{"T":{"U1":{"insert":{"n":1,"s":"one"}}}}]}"#,
            &u
        )
    );
    assert_eq!(a.reply_to(&id).get("result"), Some(&j("{}")));

    // The change renamed the monitor to m2.
    let reply = a.call("monitor_cancel", j(r#"["m"]"#));
    assert_eq!(error_of(&reply), Some(&j(r#""unknown monitor""#)));
    assert_eq!(a.call_ok("monitor_cancel", j(r#"["m2"]"#)), j("{}"));
    let reply = a.call(
        "monitor_cond_change",
        j(r#"["m2","m2",{"T":[{"where":[]}]}]"#),
    );
    assert_eq!(
        error_of(&reply),
        Some(&j(
            r#"{"syntax":"\"m2\"","details":"unknown monitor session","error":"syntax error"}"#
        ))
    );

    // After the cancel only "other" hears about a change.
    transact_ok(
        &mut b,
        r#"[{"op":"update","table":"T","where":[["n","==",1]],"row":{"s":"uno"}}]"#,
    );
    let got = updates(&mut a, &["update2"]);
    assert_eq!(
        got["update2"],
        with_uuids(r#"["other",{"T":{"U1":{"modify":{"s":"uno"}}}}]"#, &u)
    );
}

#[track_caller]
fn assert_holds(rpc: &mut Rpc, lock: &str, holds: bool) {
    let r = rpc.transact(
        "Test",
        &[j(&format!(r#"{{"op":"assert","lock":"{lock}"}}"#))],
    );
    let expected = if holds {
        j("{}")
    } else {
        j(&format!(
            r#"{{"details":"Asserted lock {lock} not held.","error":"not owner"}}"#
        ))
    };
    assert_eq!(r, [expected], "assert lock {lock}");
}

fn locks(sut: &Sut) {
    let dir = RunDir::new(&format!("proto_locks_{}", sut.name()));
    let server = start_two(sut, &dir, &StartOptions::default());
    let mut a = server.connect();
    let mut b = server.connect();

    assert_eq!(a.call_ok("lock", j(r#"["L"]"#)), j(r#"{"locked":true}"#));
    assert_eq!(b.call_ok("lock", j(r#"["L"]"#)), j(r#"{"locked":false}"#));
    let reply = b.call("lock", j(r#"["L"]"#));
    assert_eq!(
        error_of(&reply),
        Some(&j(
            r#"{"syntax":"[\"L\"]","details":"must issue \"unlock\" before new \"lock\"","error":"syntax error"}"#
        ))
    );
    assert_holds(&mut a, "L", true);
    assert_holds(&mut b, "L", false);

    // Unlock hands the lock to the waiter.
    assert_eq!(a.call_ok("unlock", j(r#"["L"]"#)), j("{}"));
    assert_eq!(b.notification("locked"), j(r#"["L"]"#));
    assert_holds(&mut b, "L", true);
    assert_holds(&mut a, "L", false);

    // Steal takes it; the loser is told and keeps waiting.
    assert_eq!(a.call_ok("steal", j(r#"["L"]"#)), j(r#"{"locked":true}"#));
    assert_eq!(b.notification("stolen"), j(r#"["L"]"#));
    assert_holds(&mut a, "L", true);
    assert_holds(&mut b, "L", false);
    assert_eq!(a.call_ok("unlock", j(r#"["L"]"#)), j("{}"));
    assert_eq!(b.notification("locked"), j(r#"["L"]"#));
    assert_holds(&mut b, "L", true);
    assert_eq!(b.call_ok("unlock", j(r#"["L"]"#)), j("{}"));
    assert_holds(&mut b, "L", false);
    assert!(a.sync().is_empty() && b.sync().is_empty());

    // A disconnect releases the locks the session held.
    assert_eq!(a.call_ok("lock", j(r#"["M"]"#)), j(r#"{"locked":true}"#));
    assert_eq!(b.call_ok("lock", j(r#"["M"]"#)), j(r#"{"locked":false}"#));
    drop(a);
    assert_eq!(b.notification("locked"), j(r#"["M"]"#));
    assert_holds(&mut b, "M", true);
}

/// A wait operation on row n=1 of T until its `s` is "go".
fn wait_for_go(timeout_ms: Option<i64>) -> Json {
    let timeout = timeout_ms
        .map(|t| format!(r#","timeout":{t}"#))
        .unwrap_or_default();
    j(&format!(
        r#"["Test",{{"op":"wait","table":"T","where":[["n","==",1]],"columns":["s"],
            "until":"==","rows":[{{"s":"go"}}]{timeout}}}]"#
    ))
}

fn wait_operation(sut: &Sut) {
    let dir = RunDir::new(&format!("proto_wait_{}", sut.name()));
    let server = start_two(sut, &dir, &StartOptions::default());
    let mut a = server.connect();
    let mut b = server.connect();
    insert_t(&mut b, r#"{"n":1,"s":"wait"}"#);

    // With timeout 0 an unsatisfied wait fails at once.
    let r = a.call_ok("transact", wait_for_go(Some(0)));
    assert_eq!(
        r,
        j(r#"[{"details":"\"where\" clause test failed","error":"timed out"}]"#)
    );

    // Without a timeout it blocks (the echo behind it is answered first) ...
    let id = a.request("transact", wait_for_go(None));
    assert_eq!(a.sync(), Vec::<Json>::new(), "the wait was answered early");
    // ... until another client commits what it waits for.
    transact_ok(
        &mut b,
        r#"[{"op":"update","table":"T","where":[["n","==",1]],"row":{"s":"go"}}]"#,
    );
    assert_eq!(a.reply_to(&id).get("result"), Some(&j("[{}]")));
    // Satisfied already: answered at once.
    assert_eq!(a.call_ok("transact", wait_for_go(None)), j("[{}]"));

    // With a timeout it fails once the time is up.
    transact_ok(
        &mut b,
        r#"[{"op":"update","table":"T","where":[["n","==",1]],"row":{"s":"stop"}}]"#,
    );
    let r = a.call_ok("transact", wait_for_go(Some(50)));
    let details = r
        .as_array()
        .and_then(|r| r.first())
        .and_then(|r| r.get("details"))
        .and_then(Json::as_str)
        .unwrap_or_default()
        .to_string();
    let waited = details
        .strip_prefix("\"wait\" timed out after ")
        .and_then(|rest| rest.strip_suffix(" ms"))
        .and_then(|ms| ms.parse::<u64>().ok());
    assert!(
        waited.is_some_and(|ms| ms >= 50),
        "details: {details:?} in {r}"
    );
    assert_eq!(
        r.as_array()
            .and_then(|r| r.first())
            .and_then(|r| r.get("error")),
        Some(&j(r#""timed out""#))
    );
}

fn cancel_notification(sut: &Sut) {
    let dir = RunDir::new(&format!("proto_cancel_{}", sut.name()));
    let server = start_two(sut, &dir, &StartOptions::default());
    let mut a = server.connect();
    let mut b = server.connect();
    insert_t(&mut b, r#"{"n":1,"s":"wait"}"#);

    let id = a.request("transact", wait_for_go(None));
    assert_eq!(a.sync(), Vec::<Json>::new());
    a.notify("cancel", Json::array([id.clone()]));
    let after_cancel = a.sync();
    // Even once the wait would succeed, the cancelled request stays cancelled.
    transact_ok(
        &mut b,
        r#"[{"op":"update","table":"T","where":[["n","==",1]],"row":{"s":"go"}}]"#,
    );
    let after_commit = a.sync();
    if sut.is_real() {
        // The reference drops the request without a reply (RFC 7047 says it
        // should answer with a "canceled" error).
        assert_eq!(after_cancel, Vec::<Json>::new());
        assert_eq!(after_commit, Vec::<Json>::new());
    } else {
        assert_eq!(after_cancel.len(), 1, "{after_cancel:?}");
        let reply = &after_cancel[0];
        assert_eq!(reply.get("id"), Some(&id));
        let error = error_of(reply);
        let canceled = Json::string("canceled");
        assert!(
            error == Some(&canceled) || error.and_then(|e| e.get("error")) == Some(&canceled),
            "cancel reply: {reply}"
        );
        assert_eq!(after_commit, Vec::<Json>::new());
    }
    // Cancelling something unknown is ignored.
    a.notify("cancel", j(r#"["nosuch"]"#));
    assert_eq!(a.sync(), Vec::<Json>::new());
}

/// The `_Server` database's schema, as the reference serves it.
const SERVER_SCHEMA: &str = r#"{"cksum":"3009684573 744","name":"_Server","version":"1.2.0",
  "tables":{"Database":{"columns":{
    "name":{"type":"string"},
    "model":{"type":{"key":{"type":"string","enum":["set",["clustered","relay","standalone"]]}}},
    "connected":{"type":"boolean"},
    "leader":{"type":"boolean"},
    "schema":{"type":{"min":0,"key":"string"}},
    "sid":{"type":{"min":0,"key":"uuid"}},
    "cid":{"type":{"min":0,"key":"uuid"}},
    "index":{"type":{"min":0,"key":"integer"}}}}}}"#;

fn server_info_and_two_databases(sut: &Sut) {
    let dir = RunDir::new(&format!("proto_info_{}", sut.name()));
    let opts = StartOptions {
        tcp: true,
        ..StartOptions::default()
    };
    let server = start_two(sut, &dir, &opts);
    let mut a = server.connect();
    let mut b = Rpc::connect_tcp(server.tcp_port());

    assert_eq!(
        a.call_ok("echo", j(r#"["x",{"y":[1,2.5,null]}]"#)),
        j(r#"["x",{"y":[1,2.5,null]}]"#)
    );
    let mut dbs: Vec<String> = a
        .call_ok("list_dbs", j("[]"))
        .as_array()
        .unwrap_or_default()
        .iter()
        .filter_map(|d| d.as_str().map(str::to_string))
        .collect();
    dbs.sort_unstable();
    assert_eq!(dbs, ["Open_vSwitch", "Test", "_Server"]);

    // One server id, whatever the connection.
    let sid = a.call_ok("get_server_id", j("[]"));
    assert!(sid.as_str().is_some_and(is_uuid), "{sid}");
    assert_eq!(a.call_ok("get_server_id", j("[]")), sid);
    assert_eq!(b.call_ok("get_server_id", j("[]")), sid);

    assert_eq!(
        a.call_ok("get_schema", j(r#"["_Server"]"#)),
        j(SERVER_SCHEMA)
    );
    let test_schema = a.call_ok("get_schema", j(r#"["Test"]"#));
    assert_eq!(test_schema.get("name"), Some(&j(r#""Test""#)));
    assert_eq!(test_schema.get("version"), Some(&j(r#""1.2.3""#)));

    // _Server has a row per database, whose schema column is that schema.
    let rows = a.transact(
        "_Server",
        &[j(r#"{"op":"select","table":"Database","where":[],
              "columns":["name","model","connected","leader","cid","sid","index","schema"]}"#)],
    );
    let rows = rows
        .first()
        .and_then(|r| r.get("rows"))
        .and_then(Json::as_array)
        .unwrap_or_default()
        .to_vec();
    let mut names = Vec::new();
    for row in &rows {
        let Some(name) = row.get("name").and_then(Json::as_str) else {
            panic!("Database row without a name: {row}")
        };
        names.push(name.to_string());
        let schema_text = row.get("schema").and_then(Json::as_str).unwrap_or_default();
        let schema = match ovs_json::parse(schema_text) {
            Ok(s) => s,
            Err(e) => panic!("{name}: schema column is not JSON ({e}): {row}"),
        };
        let served = a.call_ok("get_schema", Json::array([Json::string(name)]));
        assert_eq!(
            schema, served,
            "{name}: schema column differs from get_schema"
        );
        let mut rest = row.clone();
        if let Json::Object(o) = &mut rest {
            o.remove("schema");
            o.remove("name");
        }
        assert_eq!(
            rest,
            j(r#"{"model":"standalone","connected":true,"leader":true,
                  "cid":["set",[]],"sid":["set",[]],"index":["set",[]]}"#),
            "{name}"
        );
    }
    names.sort_unstable();
    assert_eq!(names, ["Open_vSwitch", "Test", "_Server"]);
    // Clients cannot change it.
    for (op, text) in [
        (
            "insert",
            r#"{"op":"insert","table":"Database","row":{"name":"x","model":"standalone"}}"#,
        ),
        ("delete", r#"{"op":"delete","table":"Database","where":[]}"#),
        (
            "update",
            r#"{"op":"update","table":"Database","where":[],"row":{"leader":false}}"#,
        ),
        (
            "mutate",
            r#"{"op":"mutate","table":"Database","where":[],"mutations":[["index","insert",["set",[1]]]]}"#,
        ),
    ] {
        let r = a.transact("_Server", &[j(text)]);
        assert_eq!(
            r,
            [Json::object([
                (
                    "details",
                    Json::string(format!(
                        "{op} operation not allowed on table in reserved database _Server"
                    ))
                ),
                ("error", Json::string("not allowed")),
            ])],
            "{op} on _Server"
        );
    }

    // Both databases take transactions, independently; over TCP too.
    let u = insert_t(&mut b, r#"{"n":7,"s":"tcp"}"#);
    let r = a.transact(
        "Open_vSwitch",
        &[j(
            r#"{"op":"insert","table":"Open_vSwitch","row":{"external_ids":["map",[["k","v"]]]}}"#,
        )],
    );
    assert!(r[0].get("uuid").is_some(), "{r:?}");
    let r = a.transact(
        "Test",
        &[j(
            r#"{"op":"select","table":"T","where":[],"columns":["_uuid","n","s"]}"#,
        )],
    );
    assert_eq!(
        r,
        [with_uuids(
            r#"{"rows":[{"_uuid":["uuid","U1"],"n":7,"s":"tcp"}]}"#,
            &[&u]
        )]
    );
    let r = b.transact(
        "Open_vSwitch",
        &[j(
            r#"{"op":"select","table":"Open_vSwitch","where":[],"columns":["external_ids"]}"#,
        )],
    );
    assert_eq!(r, [j(r#"{"rows":[{"external_ids":["map",[["k","v"]]]}]}"#)]);
    // A transaction names one database; tables of the other are unknown.
    let r = a.transact(
        "Test",
        &[j(r#"{"op":"select","table":"Bridge","where":[]}"#)],
    );
    assert_eq!(
        r[0].get("details"),
        Some(&j(
            r#""Parsing ovsdb operation 1 of 1 failed: No table named Bridge.""#
        ))
    );

    // The real ovsdb-client over TCP.
    let out = run_ok(
        dir.command(real_ovs::OVSDB_CLIENT)
            .args(["--timeout=20", "list-dbs"])
            .arg(format!("tcp:127.0.0.1:{}", server.tcp_port())),
    );
    assert_eq!(sorted_lines(&out), "Open_vSwitch\nTest\n_Server\n");
}

/// `ovs-appctl` stderr with the control socket path replaced by CTL.
fn appctl_err(server: &Server, args: &[&str]) -> (Option<i32>, String) {
    let out = server.appctl(args);
    let ctl = server.ctl.display().to_string();
    (out.code(), out.stderr.replace(&ctl, "CTL") + &out.stdout)
}

fn accepts_connections(sock: &Path) -> bool {
    UnixStream::connect(sock).is_ok()
}

fn appctl_commands(sut: &Sut) {
    let dir = RunDir::new(&format!("proto_appctl_{}", sut.name()));
    let opts = StartOptions {
        tcp: true,
        ..StartOptions::default()
    };
    let mut server = start_two(sut, &dir, &opts);
    let sock = server.sock.display().to_string();

    assert_eq!(
        server.appctl_ok(&["ovsdb-server/list-dbs"]),
        "Open_vSwitch\nTest\n_Server\n"
    );
    assert_eq!(
        server.appctl_ok(&["ovsdb-server/list-remotes"]),
        format!("ptcp:0:127.0.0.1\npunix:{sock}\n")
    );

    // add-remote: a new listening socket that serves clients.
    let extra = dir.file("extra.sock");
    let extra_remote = format!("punix:{}", extra.display());
    assert_eq!(
        server.appctl_ok(&["ovsdb-server/add-remote", &extra_remote]),
        ""
    );
    assert_eq!(
        server.appctl_ok(&["ovsdb-server/list-remotes"]),
        format!("ptcp:0:127.0.0.1\npunix:{sock}\n{extra_remote}\n")
    );
    if let Err(e) = wait_until(DEFAULT_TIMEOUT, "the added remote", || {
        accepts_connections(&extra)
    }) {
        panic!("{e}");
    }
    let mut c = Rpc::connect_unix(&extra);
    assert_eq!(c.call_ok("echo", j(r#"["extra"]"#)), j(r#"["extra"]"#));
    drop(c);

    for (args, expected) in [
        (
            vec!["ovsdb-server/add-remote", "db:Nope,X,y"],
            "\"db:Nope,X,y\": no database named Nope\n",
        ),
        (
            vec!["ovsdb-server/add-remote", "db:Open_vSwitch,Bridge,nosuch"],
            "\"db:Open_vSwitch,Bridge,nosuch\": table \"Bridge\" has no column \"nosuch\"\n",
        ),
        (
            vec!["ovsdb-server/add-remote"],
            "\"ovsdb-server/add-remote\" command requires at least 1 arguments\n",
        ),
        (
            vec!["ovsdb-server/remove-remote", "punix:/nonexistent.sock"],
            "no such remote\n",
        ),
        (
            vec!["ovsdb-server/compact", "nosuch"],
            "no database by that name\n",
        ),
        (
            vec!["ovsdb-server/compact", "_Server"],
            "cannot compact built-in databases\n",
        ),
        (
            vec!["ovsdb-server/nope"],
            "\"ovsdb-server/nope\" is not a valid command (use \"list-commands\" to see a list of valid commands)\n",
        ),
    ] {
        assert_eq!(
            appctl_err(&server, &args),
            (
                Some(2),
                format!("{expected}ovs-appctl: CTL: server returned an error\n")
            ),
            "ovs-appctl {args:?}"
        );
    }

    // remove-remote: the socket stops serving and its file goes away.
    assert_eq!(
        server.appctl_ok(&["ovsdb-server/remove-remote", &extra_remote]),
        ""
    );
    assert_eq!(
        server.appctl_ok(&["ovsdb-server/list-remotes"]),
        format!("ptcp:0:127.0.0.1\npunix:{sock}\n")
    );
    if let Err(e) = wait_until(DEFAULT_TIMEOUT, "the removed remote to go", || {
        !accepts_connections(&extra) && !extra.exists()
    }) {
        panic!("{e}");
    }

    // compact: the file shrinks, the data stays, also across a restart.
    let test_db = dir.file("test.db");
    let mut rpc = server.connect();
    insert_t(&mut rpc, r#"{"n":1,"s":"v0"}"#);
    for i in 1..=300 {
        transact_ok(
            &mut rpc,
            &format!(
                r#"[{{"op":"update","table":"T","where":[["n","==",1]],"row":{{"s":"v{i}"}}}}]"#
            ),
        );
    }
    let size = |p: &Path| fs::metadata(p).map(|m| m.len()).unwrap_or(0);
    let before_size = size(&test_db);
    let dump = |server: &Server| {
        run_ok(
            dir.command(real_ovs::OVSDB_CLIENT)
                .args(["--timeout=20", "dump"])
                .arg(server.remote())
                .arg("Test"),
        )
    };
    let before = dump(&server);
    assert_eq!(server.appctl_ok(&["ovsdb-server/compact"]), "");
    if let Err(e) = wait_until(DEFAULT_TIMEOUT, "test.db to shrink", || {
        size(&test_db) < before_size / 10
    }) {
        panic!("{e}: {} bytes before, {} now", before_size, size(&test_db));
    }
    assert_eq!(dump(&server), before);
    assert_eq!(server.appctl_ok(&["ovsdb-server/compact", "Test"]), "");
    transact_ok(
        &mut rpc,
        r#"[{"op":"insert","table":"T","row":{"n":2,"s":"after compaction"}}]"#,
    );
    let after = dump(&server);

    // exit: the server stops cleanly.
    assert_eq!(server.appctl_ok(&["exit"]), "");
    let status = server.wait_exit();
    assert!(status.success(), "exit status {status}");
    let restarted = sut.start(&dir, &[&dir.conf_db(), &test_db]);
    assert_eq!(dump(&restarted), after);
}

against_both!(
    monitor_flavours,
    monitor_flavours_real,
    monitor_flavours_ours
);
against_both!(
    monitor_cond_change_and_cancel,
    monitor_cond_change_and_cancel_real,
    monitor_cond_change_and_cancel_ours
);
against_both!(locks, locks_real, locks_ours);
against_both!(wait_operation, wait_operation_real, wait_operation_ours);
against_both!(
    cancel_notification,
    cancel_notification_real,
    cancel_notification_ours
);
against_both!(
    server_info_and_two_databases,
    server_info_and_two_databases_real,
    server_info_and_two_databases_ours
);
against_both!(appctl_commands, appctl_commands_real, appctl_commands_ours);
