//! Scenario 4: crash safety of the database file.
//!
//! - A client commits small transactions in a loop; the server is killed with
//!   SIGKILL mid-stream and restarted on the same file: every transaction the
//!   client saw acknowledged is there, and nothing that was never sent.
//! - The last record of the file is then cut at several offsets, or has a byte
//!   changed: the server still starts, serves everything before that record
//!   (exactly what `ovsdb-client dump` showed before it was committed), and a
//!   transaction committed afterwards survives another restart (so the damaged
//!   tail was not left in front of it).

#[macro_use]
mod common;

use std::collections::BTreeSet;
use std::fs;
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread;

use common::rpc::j;
use common::{create_db, test_schema, Server, Sut};
use ovs_json::rpc::Connection;
use ovs_json::Json;
use testkit::{real_ovs, run_ok, wait_until, RunDir, DEFAULT_TIMEOUT};

/// How many acknowledged transactions to wait for before the kill.
const ACKED_BEFORE_KILL: usize = 300;
/// A bound on the writer, should the kill not stop it.
const MAX_WRITES: i64 = 1_000_000;

fn insert(n: i64) -> Json {
    Json::array([
        Json::string("Test"),
        Json::object([
            ("op", Json::string("insert")),
            ("table", Json::string("T")),
            (
                "row",
                Json::object([
                    ("n", Json::Integer(n)),
                    ("s", Json::string(format!("row {n}"))),
                ]),
            ),
        ]),
    ])
}

/// What the writer thread saw.
struct Writes {
    acked: Vec<i64>,
    /// The transaction sent but not answered when the connection died.
    in_flight: Option<i64>,
    error: String,
}

/// Commits `insert(0)`, `insert(1)`, ... one at a time over our blocking
/// ovs-json connection until the connection fails; `acked` counts replies.
fn write_until_failure(sock: &Path, acked: Arc<AtomicUsize>) -> Writes {
    let stream = match UnixStream::connect(sock) {
        Ok(s) => s,
        Err(e) => panic!("cannot connect to {}: {e}", sock.display()),
    };
    // A server that hangs instead of dying must not hang the test.
    if let Err(e) = stream.set_read_timeout(Some(DEFAULT_TIMEOUT)) {
        panic!("cannot set a read timeout: {e}");
    }
    let mut conn = Connection::new(stream);
    let mut writes = Writes {
        acked: Vec::new(),
        in_flight: None,
        error: String::new(),
    };
    for n in 0..MAX_WRITES {
        let Json::Array(params) = insert(n) else {
            unreachable!("insert() builds an array")
        };
        match conn.call("transact", params) {
            Ok(result) => {
                let ok = result
                    .as_array()
                    .and_then(|r| r.first())
                    .is_some_and(|r| r.get("uuid").is_some());
                assert!(ok, "insert {n} failed: {result}");
                writes.acked.push(n);
                acked.fetch_add(1, Ordering::SeqCst);
            }
            Err(e) => {
                writes.in_flight = Some(n);
                writes.error = e.to_string();
                break;
            }
        }
    }
    writes
}

/// The `n` of every row of `T`.
fn stored_ns(server: &Server) -> BTreeSet<i64> {
    let mut rpc = server.connect();
    let results = rpc.transact(
        "Test",
        &[j(
            r#"{"op":"select","table":"T","where":[],"columns":["n"]}"#,
        )],
    );
    let rows = results
        .first()
        .and_then(|r| r.get("rows"))
        .and_then(Json::as_array)
        .unwrap_or_default();
    rows.iter()
        .map(|row| match row.get("n").and_then(Json::as_i64) {
            Some(n) => n,
            None => panic!("row without an integer n: {row}"),
        })
        .collect()
}

fn acknowledged_transactions_survive_kill9(sut: &Sut) {
    let dir = RunDir::new(&format!("crash_kill9_{}", sut.name()));
    let db = create_db(&dir, "test.db", &test_schema());
    let mut server = sut.start(&dir, &[&db]);

    let acked = Arc::new(AtomicUsize::new(0));
    let writer = {
        let sock = server.sock.clone();
        let acked = acked.clone();
        thread::spawn(move || write_until_failure(&sock, acked))
    };
    let enough = wait_until(DEFAULT_TIMEOUT, "acknowledged transactions", || {
        acked.load(Ordering::SeqCst) >= ACKED_BEFORE_KILL || writer.is_finished()
    });
    server.assert_running("the stream of small transactions");
    if let Err(e) = enough {
        panic!("{e}: only {} acknowledged", acked.load(Ordering::SeqCst));
    }
    server.kill9();
    let writes = match writer.join() {
        Ok(w) => w,
        Err(_) => panic!("the writer thread panicked"),
    };
    assert!(
        writes.acked.len() >= ACKED_BEFORE_KILL,
        "the writer stopped early: {}",
        writes.error
    );
    assert!(writes.in_flight.is_some(), "the writer never saw the kill");

    let server = sut.start(&dir, &[&db]);
    let stored = stored_ns(&server);
    let missing: Vec<i64> = writes
        .acked
        .iter()
        .copied()
        .filter(|n| !stored.contains(n))
        .collect();
    assert!(
        missing.is_empty(),
        "{} acknowledged transactions lost after kill -9, e.g. {:?}",
        missing.len(),
        &missing[..missing.len().min(10)]
    );
    let unexpected: Vec<i64> = stored
        .iter()
        .copied()
        .filter(|n| !writes.acked.contains(n) && Some(*n) != writes.in_flight)
        .collect();
    assert!(unexpected.is_empty(), "rows never sent: {unexpected:?}");
}

/// `ovsdb-client dump` of the Test database.
fn dump(dir: &RunDir, server: &Server) -> String {
    run_ok(
        dir.command(real_ovs::OVSDB_CLIENT)
            .args(["--timeout=20", "dump"])
            .arg(server.remote())
            .arg("Test"),
    )
}

#[track_caller]
fn transact_ok(server: &Server, ops: &str) {
    let mut rpc = server.connect();
    let Json::Array(ops) = j(ops) else {
        panic!("ops must be an array")
    };
    let results = rpc.transact("Test", &ops);
    if let Some(err) = results.iter().find(|r| r.get("error").is_some()) {
        panic!("transaction failed: {err}");
    }
}

/// Byte offsets of the header line and the payload of the file's last record
/// (`OVSDB JSON <length> <sha1>\n<json>\n`).
fn last_record(file: &[u8]) -> (usize, usize) {
    let header = file
        .windows(12)
        .rposition(|w| w == b"\nOVSDB JSON ")
        .map(|p| p + 1);
    let Some(header) = header else {
        panic!("no second record in the file")
    };
    let Some(newline) = file[header..].iter().position(|&b| b == b'\n') else {
        panic!("last record has no header line end")
    };
    (header, header + newline + 1)
}

#[track_caller]
fn write_file(path: &Path, bytes: &[u8]) {
    if let Err(e) = fs::write(path, bytes) {
        panic!("cannot write {}: {e}", path.display());
    }
}

fn damaged_last_record_is_dropped(sut: &Sut) {
    let dir = RunDir::new(&format!("crash_damaged_{}", sut.name()));
    let db = create_db(&dir, "test.db", &test_schema());
    let mut server = sut.start(&dir, &[&db]);
    for n in 1..=3 {
        transact_ok(
            &server,
            &format!(r#"[{{"op":"insert","table":"T","row":{{"n":{n},"s":"row {n}"}}}}]"#),
        );
    }
    let before = dump(&dir, &server);
    // The last record: an insert and an update in one transaction.
    transact_ok(
        &server,
        r#"[{"op":"insert","table":"T","row":{"n":4,"s":"row 4"}},
            {"op":"update","table":"T","where":[["n","==",1]],"row":{"s":"changed"}}]"#,
    );
    let after = dump(&dir, &server);
    assert_ne!(before, after);
    server.kill9();

    let full = match fs::read(&db) {
        Ok(b) => b,
        Err(e) => panic!("cannot read {}: {e}", db.display()),
    };
    let (header, payload) = last_record(&full);
    let changed = match full[payload..].windows(7).position(|w| w == b"changed") {
        Some(p) => payload + p,
        None => panic!("the last record does not hold the update"),
    };

    let mut damaged: Vec<(String, Vec<u8>)> = Vec::new();
    for (what, len) in [
        ("at the record boundary", header),
        ("inside the header", header + 5),
        ("just before the header's end", payload - 1),
        ("just after the header", payload),
        ("in the middle of the payload", (payload + full.len()) / 2),
        ("one byte short", full.len() - 1),
    ] {
        damaged.push((format!("cut {what} (at {len})"), full[..len].to_vec()));
    }
    // Still valid JSON: only the checksum can tell.
    let mut flipped = full.clone();
    flipped[changed] = b'C';
    damaged.push(("'changed' made 'Changed'".into(), flipped));
    let mut garbage = full.clone();
    garbage[payload + 1] = 0xff;
    damaged.push(("a 0xff byte in the payload".into(), garbage));

    for (what, bytes) in damaged {
        write_file(&db, &bytes);
        let mut server = sut.start(&dir, &[&db]);
        assert_eq!(
            dump(&dir, &server),
            before,
            "{} server, last record {what}",
            sut.name()
        );
        // A commit after recovery must land where the next restart reads it.
        transact_ok(
            &server,
            r#"[{"op":"insert","table":"T","row":{"n":100,"s":"after recovery"}}]"#,
        );
        let recovered = dump(&dir, &server);
        server.kill9();
        let server = sut.start(&dir, &[&db]);
        assert_eq!(
            dump(&dir, &server),
            recovered,
            "{} server, last record {what}: the commit after recovery was lost",
            sut.name()
        );
    }

    write_file(&db, &full);
    let server = sut.start(&dir, &[&db]);
    assert_eq!(dump(&dir, &server), after);
}

against_both!(
    acknowledged_transactions_survive_kill9,
    acknowledged_transactions_survive_kill9_real,
    acknowledged_transactions_survive_kill9_ours
);
against_both!(
    damaged_last_record_is_dropped,
    damaged_last_record_is_dropped_real,
    damaged_last_record_is_dropped_ours
);
