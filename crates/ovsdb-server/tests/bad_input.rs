//! Scenario 5: bad input on the socket. For each kind, what the real server does
//! (close the connection, or answer with an error) is pinned exactly, and after
//! each a second, already-connected client still gets answers and the server is
//! still running.
//!
//! Where the reference misbehaves, the `_real` variant pins the misbehaviour and
//! ours must instead give a clear error and stay up:
//! - `monitor` with fewer than three params makes the reference read past its
//!   params: it usually crashes (SIGSEGV or SIGABRT), sometimes answers from
//!   garbage;
//! - a string with invalid UTF-8 is accepted and echoed back as invalid UTF-8.

#[macro_use]
mod common;

use std::os::unix::process::ExitStatusExt;

use common::rpc::{j, Msg};
use common::text::is_uuid;
use common::{vswitch_db, Rpc, Server, Sut};
use ovs_json::{Framer, Json};
use testkit::RunDir;

/// A server on a fresh Open_vSwitch database holding one root row and bridge
/// `br0`; returns the server and br0's UUID.
fn start(sut: &Sut, dir: &RunDir) -> (Server, String) {
    let db = vswitch_db(dir);
    let server = sut.start(dir, &[&db]);
    let mut rpc = server.connect();
    let r = rpc.transact(
        "Open_vSwitch",
        &[
            j(r#"{"op":"insert","table":"Open_vSwitch","row":{"bridges":["named-uuid","b"]}}"#),
            j(r#"{"op":"insert","table":"Bridge","uuid-name":"b","row":{"name":"br0"}}"#),
        ],
    );
    let br0 = r
        .get(1)
        .and_then(|r| r.get("uuid"))
        .and_then(Json::as_array)
        .and_then(|u| u.get(1))
        .and_then(Json::as_str)
        .map(str::to_string);
    match br0 {
        Some(u) => (server, u),
        None => panic!("setup failed: {r:?}"),
    }
}

/// The witness: a client connected before the bad input, which must keep
/// getting answers from a server that is still running.
#[track_caller]
fn assert_unharmed(server: &mut Server, witness: &mut Rpc, after: &str) {
    server.assert_running(after);
    let r = witness.call_ok("echo", Json::array([Json::string(after)]));
    assert_eq!(
        r,
        Json::array([Json::string(after)]),
        "witness after {after}"
    );
    let dbs = witness.call_ok("list_dbs", Json::array([]));
    assert!(
        dbs.as_array()
            .is_some_and(|d| d.contains(&Json::string("Open_vSwitch"))),
        "witness list_dbs after {after}: {dbs}"
    );
}

/// `expected` (a reply without its id, as JSON text) with `id` added.
fn with_id(expected: &str, id: &Json) -> Json {
    let mut reply = j(expected);
    if let Json::Object(o) = &mut reply {
        o.insert("id".into(), id.clone());
    }
    reply
}

/// Input that is not a well-formed JSON-RPC message: the real server drops the
/// connection, after answering whatever complete requests came before.
const MALFORMED: &[(&str, &[u8], &[&str])] = &[
    ("a bare word", b"xyz ", &[]),
    ("a NUL byte", b"\0", &[]),
    ("a top-level string", b"\"str\" ", &[]),
    ("a top-level array", b"[1,2]", &[]),
    (
        "a raw newline in a string",
        b"{\"method\":\"echo\",\"params\":[\"a\nb\"],\"id\":1}",
        &[],
    ),
    (
        "a lone surrogate escape",
        br#"{"method":"echo","params":["\ud800"],"id":1}"#,
        &[],
    ),
    (
        "a number out of range",
        br#"{"method":"echo","params":[1e400],"id":1}"#,
        &[],
    ),
    (
        "a method that is not a string",
        br#"{"method":1,"params":[],"id":1}"#,
        &[],
    ),
    (
        "params that are not an array",
        br#"{"method":"list_dbs","params":{},"id":1}"#,
        &[],
    ),
    ("no params", br#"{"method":"echo","id":1}"#, &[]),
    ("no method", br#"{"params":[],"id":1}"#, &[]),
    (
        "an unknown member",
        br#"{"method":"list_dbs","params":[],"id":1,"extra":2}"#,
        &[],
    ),
    (
        "a reply nobody asked for",
        br#"{"id":7,"result":1,"error":null}"#,
        &[],
    ),
    (
        "an error reply nobody asked for",
        br#"{"id":7,"error":"x"}"#,
        &[],
    ),
    ("a reply with a null id", br#"{"result":1,"id":null}"#, &[]),
    (
        "garbage after a good request",
        br#"{"method":"echo","params":["before"],"id":1}garbage "#,
        &[r#"{"id":1,"result":["before"],"error":null}"#],
    ),
    (
        "a stray closing brace after a good request",
        br#"{"method":"echo","params":[],"id":1}}"#,
        &[r#"{"id":1,"result":[],"error":null}"#],
    ),
];

/// Odd but well-formed messages: answered as shown (nothing for notifications),
/// and the connection stays open.
const ODD_BUT_VALID: &[(&str, &[u8], &[&str])] = &[
    ("leading whitespace and a boolean id", b"  \n {\"method\":\"echo\",\"params\":[],\"id\":true}", &[r#"{"id":true,"result":[],"error":null}"#]),
    ("a structured id", br#"{"method":"echo","params":[],"id":[1,{"x":2.5}]}"#, &[r#"{"id":[1,{"x":2.5}],"result":[],"error":null}"#]),
    ("a request that also has a null result", br#"{"method":"echo","params":[1],"id":1,"result":null}"#, &[r#"{"id":1,"result":[1],"error":null}"#]),
    ("an echo notification", br#"{"method":"echo","params":[]}"#, &[]),
    ("an unknown notification", br#"{"method":"nope","params":[],"id":null}"#, &[]),
    (
        "numbers at the edges",
        br#"{"method":"echo","params":[-9223372036854775808,-9223372036854775809,12345678901234567890,1.5,-0,1e5,0.1],"id":1}"#,
        &[r#"{"id":1,"result":[-9223372036854775808,-9.22337203685478e+18,1.23456789012346e+19,1.5,0,100000,0.1],"error":null}"#],
    ),
    (
        "escapes",
        br#"{"method":"echo","params":["\u00e9\n\"\\\/\t\u0001"],"id":1}"#,
        &[r#"{"id":1,"result":["é\n\"\\/\t\u0001"],"error":null}"#],
    ),
    (
        "two requests in one write",
        br#"{"method":"echo","params":[1],"id":1}{"method":"echo","params":[2],"id":2}"#,
        &[r#"{"id":1,"result":[1],"error":null}"#, r#"{"id":2,"result":[2],"error":null}"#],
    ),
];

fn malformed_input(sut: &Sut) {
    let dir = RunDir::new(&format!("bad_malformed_{}", sut.name()));
    let (mut server, _) = start(sut, &dir);
    let mut witness = server.connect();
    // Every case runs; the failures are reported together.
    let mut failures = Vec::new();
    for (what, bytes, replies) in MALFORMED {
        let mut c = server.connect();
        // The server may close before reading everything; that is its answer.
        let _ = c.send_bytes(bytes);
        let expected: Vec<Json> = replies.iter().map(|r| j(r)).collect();
        match c.wait_closed() {
            Ok(before) if before == expected => {}
            Ok(before) => failures.push(format!("{what}: closed after {before:?}")),
            Err(before) => failures.push(format!("{what}: stayed open after {before:?}")),
        }
        assert_unharmed(&mut server, &mut witness, what);
    }
    for (what, bytes, replies) in ODD_BUT_VALID {
        let mut c = server.connect();
        if let Err(e) = c.send_bytes(bytes) {
            panic!("{what}: {e}");
        }
        let expected: Vec<Json> = replies.iter().map(|r| j(r)).collect();
        match c.try_sync() {
            Ok(got) if got == expected => {}
            Ok(got) => failures.push(format!("{what}: got {got:?}")),
            Err((end, got)) => failures.push(format!("{what}: {end:?} after {got:?}")),
        }
        assert_unharmed(&mut server, &mut witness, what);
    }
    assert!(
        failures.is_empty(),
        "{} server:\n{}",
        sut.name(),
        failures.join("\n")
    );
}

/// Invalid UTF-8 inside a string. The reference echoes the bytes back (so its
/// reply is not valid JSON text); ours must refuse the message and close the
/// connection like any other malformed input.
fn invalid_utf8(sut: &Sut) {
    let dir = RunDir::new(&format!("bad_utf8_{}", sut.name()));
    let (mut server, _) = start(sut, &dir);
    let mut witness = server.connect();
    let mut c = server.connect();
    let _ = c.send_bytes(b"{\"method\":\"echo\",\"params\":[\"a\xffb\"],\"id\":1}");
    let mut received = Vec::new();
    let answered = c.read_raw(|bytes| {
        received.extend_from_slice(bytes);
        !received.ends_with(b"}")
    });
    if sut.is_real() {
        assert!(answered, "the reference closed the connection");
        assert!(
            received.windows(3).any(|w| w == b"a\xffb"),
            "the reference echoed {:?}",
            String::from_utf8_lossy(&received)
        );
    } else {
        assert!(
            !answered && received.is_empty(),
            "ours answered {:?} instead of closing the connection",
            String::from_utf8_lossy(&received)
        );
    }
    assert_unharmed(&mut server, &mut witness, "invalid UTF-8");
}

fn deep_nesting(sut: &Sut) {
    let dir = RunDir::new(&format!("bad_nesting_{}", sut.name()));
    let (mut server, _) = start(sut, &dir);
    let mut witness = server.connect();
    let nested = |levels: usize| format!("{}{}", "[".repeat(levels), "]".repeat(levels));

    // 1000 levels in all (the message object and 999 arrays) is the limit.
    let mut c = server.connect();
    let params = nested(999);
    let sent = format!(r#"{{"method":"echo","params":{params},"id":1}}"#);
    if let Err(e) = c.send_bytes(sent.as_bytes()) {
        panic!("sending 1000 levels: {e}");
    }
    let reply = c.next_message();
    assert_eq!(
        reply,
        with_id(&format!(r#"{{"result":{params},"error":null}}"#), &j("1"))
    );
    assert_unharmed(&mut server, &mut witness, "1000 levels");

    for levels in [1000, 100_000] {
        let mut c = server.connect();
        let sent = format!(r#"{{"method":"echo","params":{},"id":1}}"#, nested(levels));
        let _ = c.send_bytes(sent.as_bytes());
        assert_eq!(
            c.expect_closed(&format!("{levels} + 1 levels")),
            Vec::<Json>::new()
        );
        assert_unharmed(&mut server, &mut witness, &format!("{levels} + 1 levels"));
    }
    // Unterminated nesting that never closes.
    let mut c = server.connect();
    let _ = c.send_bytes("[".repeat(200_000).as_bytes());
    assert_eq!(c.expect_closed("200000 open brackets"), Vec::<Json>::new());
    assert_unharmed(&mut server, &mut witness, "200000 open brackets");
}

/// A 100 MiB string in an echo: the reference reads it all and echoes it.
fn hundred_megabyte_message(sut: &Sut) {
    const CHUNK: usize = 1 << 20;
    const CHUNKS: usize = 100;
    let dir = RunDir::new(&format!("bad_100mb_{}", sut.name()));
    let (mut server, _) = start(sut, &dir);
    let mut witness = server.connect();
    let mut c = server.connect();
    let chunk = vec![b'A'; CHUNK];
    let mut sent = c.send_bytes(br#"{"method":"echo","id":1,"params":[""#);
    for _ in 0..CHUNKS {
        if sent.is_err() {
            break;
        }
        sent = c.send_bytes(&chunk);
    }
    if sent.is_ok() {
        sent = c.send_bytes(br#""]}"#);
    }
    if let Err(e) = sent {
        panic!(
            "{} server closed the connection during the 100 MiB message: {e}",
            sut.name()
        );
    }
    // Stream the reply: count the A's, keep the rest (the message around the
    // string) and stop when that is a complete JSON text.
    let mut a_count = 0usize;
    let mut framer = Framer::new(1 << 20);
    let mut reply = None;
    let answered = c.read_raw(|bytes| {
        a_count += bytes.iter().filter(|&&b| b == b'A').count();
        let rest: Vec<u8> = bytes.iter().copied().filter(|&b| b != b'A').collect();
        framer.push(&rest);
        reply = framer.next_message();
        reply.is_none()
    });
    assert!(
        answered,
        "{} server closed the connection instead of answering",
        sut.name()
    );
    match reply {
        Some(Ok(r)) => assert_eq!(r, j(r#"{"id":1,"result":[""],"error":null}"#)),
        other => panic!("bad reply framing: {other:?}"),
    }
    assert_eq!(a_count, CHUNK * CHUNKS);
    assert_unharmed(&mut server, &mut witness, "a 100 MiB message");
}

/// Requests with unknown methods or parameters of the wrong types, and the exact
/// error reply for each (`null` member values included). The connection stays
/// usable after every one.
const WRONG_PARAMS: &[(&str, &str, &str)] = &[
    ("nope", "[]", r#"{"error":"unknown method"}"#),
    ("", "[]", r#"{"error":"unknown method"}"#),
    ("cancel", r#"["x"]"#, r#"{"error":"unknown method"}"#),
    (
        "get_schema",
        "[]",
        r#"{"error":{"syntax":"[]","details":"get_schema request params must begin with <db-name>","error":"syntax error"}}"#,
    ),
    (
        "get_schema",
        "[1]",
        r#"{"error":{"syntax":"[1]","details":"get_schema request params must begin with <db-name>","error":"syntax error"}}"#,
    ),
    (
        "get_schema",
        "[null]",
        r#"{"error":{"syntax":"[null]","details":"get_schema request params must begin with <db-name>","error":"syntax error"}}"#,
    ),
    (
        "get_schema",
        r#"["nodb"]"#,
        r#"{"error":{"syntax":"[\"nodb\"]","details":"get_schema request specifies unknown database nodb","error":"unknown database"}}"#,
    ),
    (
        "transact",
        "[]",
        r#"{"error":{"syntax":"[]","details":"transact request params must begin with <db-name>","error":"syntax error"}}"#,
    ),
    (
        "transact",
        "[{}]",
        r#"{"error":{"syntax":"[{}]","details":"transact request params must begin with <db-name>","error":"syntax error"}}"#,
    ),
    (
        "transact",
        r#"["nodb"]"#,
        r#"{"error":{"syntax":"[\"nodb\"]","details":"transact request specifies unknown database nodb","error":"unknown database"}}"#,
    ),
    (
        "transact",
        r#"["Open_vSwitch",1]"#,
        r#"{"result":[{"details":"Parsing ovsdb operation 1 of 1 failed: Object expected.","error":"syntax error"}],"error":null}"#,
    ),
    (
        "transact",
        r#"["Open_vSwitch",{}]"#,
        r#"{"result":[{"syntax":"{}","details":"Parsing ovsdb operation 1 of 1 failed: Required 'op' member is missing.","error":"syntax error"}],"error":null}"#,
    ),
    (
        "transact",
        r#"["Open_vSwitch",{"op":1}]"#,
        r#"{"result":[{"syntax":"{\"op\":1}","details":"Parsing ovsdb operation 1 of 1 failed: Type mismatch for member 'op'.","error":"syntax error"}],"error":null}"#,
    ),
    (
        "transact",
        r#"["Open_vSwitch",null,1]"#,
        r#"{"result":[{"details":"Parsing ovsdb operation 1 of 2 failed: Object expected.","error":"syntax error"},null],"error":null}"#,
    ),
    (
        "monitor",
        "[]",
        r#"{"error":{"syntax":"[]","details":"monitor request params must begin with <db-name>","error":"syntax error"}}"#,
    ),
    (
        "monitor",
        r#"["nodb"]"#,
        r#"{"error":{"syntax":"[\"nodb\"]","details":"monitor request specifies unknown database nodb","error":"unknown database"}}"#,
    ),
    (
        "monitor",
        r#"["Open_vSwitch",null,1]"#,
        r#"{"error":{"syntax":"1","details":"monitor-requests must be object","error":"syntax error"}}"#,
    ),
    (
        "monitor",
        r#"["Open_vSwitch",null,{"Bridge":1}]"#,
        r#"{"error":{"details":"Parsing table Bridge failed: Object expected.","error":"syntax error"}}"#,
    ),
    (
        "monitor",
        r#"["Open_vSwitch",null,{"Bridge":{"columns":1}}]"#,
        r#"{"error":{"syntax":"{\"columns\":1}","details":"Parsing table Bridge failed: Type mismatch for member 'columns'.","error":"syntax error"}}"#,
    ),
    (
        "monitor",
        r#"["Open_vSwitch",null,{"Nope":{}}]"#,
        r#"{"error":{"details":"no table named Nope","error":"syntax error"}}"#,
    ),
    (
        "monitor",
        r#"["Open_vSwitch",null,{"Bridge":{"columns":["nope"]}}]"#,
        r#"{"error":{"syntax":"[\"nope\"]","details":"nope is not a valid column name","error":"syntax error"}}"#,
    ),
    (
        "monitor_cond",
        "[]",
        r#"{"error":{"syntax":"[]","details":"monitor_cond request params must begin with <db-name>","error":"syntax error"}}"#,
    ),
    (
        "monitor_cond",
        r#"["Open_vSwitch"]"#,
        r#"{"error":{"syntax":"[\"Open_vSwitch\"]","details":"invalid parameters","error":"syntax error"}}"#,
    ),
    (
        "monitor_cond",
        r#"["Open_vSwitch",1]"#,
        r#"{"error":{"syntax":"[\"Open_vSwitch\",1]","details":"invalid parameters","error":"syntax error"}}"#,
    ),
    (
        "monitor_cond",
        r#"["Open_vSwitch",null,1]"#,
        r#"{"error":{"syntax":"1","details":"monitor-requests must be object","error":"syntax error"}}"#,
    ),
    (
        "monitor_cond",
        r#"["Open_vSwitch",null,{"Bridge":[{"where":1}]}]"#,
        r#"{"error":{"syntax":"{\"where\":1}","details":"Parsing table Bridge failed: Type mismatch for member 'where'.","error":"syntax error"}}"#,
    ),
    (
        "monitor_cond",
        r#"["Open_vSwitch",null,{"Bridge":[{"where":[["nope","==",1]]}]}]"#,
        r#"{"error":{"syntax":"[\"nope\",\"==\",1]","details":"No column nope in table Bridge.","error":"unknown column"}}"#,
    ),
    (
        "monitor_cond_since",
        r#"["Open_vSwitch"]"#,
        r#"{"error":{"syntax":"[\"Open_vSwitch\"]","details":"invalid parameters","error":"syntax error"}}"#,
    ),
    (
        "monitor_cond_since",
        r#"["Open_vSwitch",null,{}]"#,
        r#"{"error":{"syntax":"[\"Open_vSwitch\",null,{}]","details":"invalid parameters","error":"syntax error"}}"#,
    ),
    (
        "monitor_cond_since",
        r#"["Open_vSwitch",null,{},"notauuid"]"#,
        r#"{"error":{"syntax":"\"notauuid\"","details":"last-txn-id must be UUID format.","error":"syntax error"}}"#,
    ),
    (
        "monitor_cond_since",
        r#"["Open_vSwitch",null,{},null]"#,
        r#"{"error":{"syntax":"null","details":"last-txn-id must be string","error":"syntax error"}}"#,
    ),
    (
        "monitor_cond_change",
        "[]",
        r#"{"error":{"syntax":"[]","details":"invalid parameters","error":"syntax error"}}"#,
    ),
    (
        "monitor_cond_change",
        "[1]",
        r#"{"error":{"syntax":"[1]","details":"invalid parameters","error":"syntax error"}}"#,
    ),
    (
        "monitor_cond_change",
        r#"["x",null,{}]"#,
        r#"{"error":{"syntax":"\"x\"","details":"unknown monitor session","error":"syntax error"}}"#,
    ),
    ("monitor_cancel", "[]", r#"{"error":"invalid parameters"}"#),
    (
        "monitor_cancel",
        r#"["x","y"]"#,
        r#"{"error":"invalid parameters"}"#,
    ),
    ("monitor_cancel", "[1]", r#"{"error":"unknown monitor"}"#),
    (
        "monitor_cancel",
        r#"["x"]"#,
        r#"{"error":"unknown monitor"}"#,
    ),
    (
        "lock",
        "[]",
        r#"{"error":{"syntax":"[]","details":"lock request params must be <id>","error":"syntax error"}}"#,
    ),
    (
        "lock",
        "[1]",
        r#"{"error":{"syntax":"[1]","details":"lock request params must be <id>","error":"syntax error"}}"#,
    ),
    (
        "lock",
        r#"["x","y"]"#,
        r#"{"error":{"syntax":"[\"x\",\"y\"]","details":"lock request params must be <id>","error":"syntax error"}}"#,
    ),
    (
        "steal",
        "[null]",
        r#"{"error":{"syntax":"[null]","details":"steal request params must be <id>","error":"syntax error"}}"#,
    ),
    (
        "unlock",
        "[{}]",
        r#"{"error":{"syntax":"[{}]","details":"unlock request params must be <id>","error":"syntax error"}}"#,
    ),
    (
        "unlock",
        r#"["x"]"#,
        r#"{"error":{"syntax":"[\"x\"]","details":"unlock: \"unlock\" without \"lock\" or \"steal\"","error":"syntax error"}}"#,
    ),
    (
        "set_db_change_aware",
        "[]",
        r#"{"error":{"syntax":"[]","details":"set_db_change_aware: true or false parameter expected","error":"syntax error"}}"#,
    ),
    (
        "set_db_change_aware",
        r#"["x"]"#,
        r#"{"error":{"syntax":"[\"x\"]","details":"set_db_change_aware: true or false parameter expected","error":"syntax error"}}"#,
    ),
    (
        "convert",
        "[]",
        r#"{"error":{"syntax":"[]","details":"convert request params must begin with <db-name>","error":"syntax error"}}"#,
    ),
    (
        "convert",
        r#"["nodb",{}]"#,
        r#"{"error":{"syntax":"[\"nodb\",{}]","details":"convert request specifies unknown database nodb","error":"unknown database"}}"#,
    ),
    (
        "convert",
        r#"["Open_vSwitch",1]"#,
        r#"{"error":{"details":"Parsing database schema failed: Object expected.","error":"syntax error"}}"#,
    ),
    (
        "convert",
        r#"["Open_vSwitch",{}]"#,
        r#"{"error":{"syntax":"{}","details":"Parsing database schema failed: Required 'name' member is missing.","error":"syntax error"}}"#,
    ),
    (
        "echo",
        r#"[1,{"a":[]},null]"#,
        r#"{"result":[1,{"a":[]},null],"error":null}"#,
    ),
    (
        "set_db_change_aware",
        "[true]",
        r#"{"result":{},"error":null}"#,
    ),
];

fn wrong_params(sut: &Sut) {
    let dir = RunDir::new(&format!("bad_params_{}", sut.name()));
    let (mut server, _) = start(sut, &dir);
    let mut witness = server.connect();
    let mut c = server.connect();
    let mut failures = Vec::new();
    for (method, params, expected) in WRONG_PARAMS {
        let what = format!("{method} {params}");
        let id = c.request(method, j(params));
        let reply = c.reply_to(&id);
        if reply != with_id(expected, &id) {
            failures.push(format!(
                "{what}:\n  got      {reply}\n  expected {expected}"
            ));
        }
        assert_eq!(c.sync(), Vec::<Json>::new(), "{what}: unexpected messages");
        assert_unharmed(&mut server, &mut witness, &what);
    }
    assert!(
        failures.is_empty(),
        "{} server:\n{}",
        sut.name(),
        failures.join("\n")
    );
    // Methods that ignore their params.
    for params in ["[]", r#"["x",1]"#, "[{}]"] {
        let dbs = c.call_ok("list_dbs", j(params));
        let mut names: Vec<&str> = dbs
            .as_array()
            .unwrap_or_default()
            .iter()
            .filter_map(Json::as_str)
            .collect();
        names.sort_unstable();
        assert_eq!(names, ["Open_vSwitch", "_Server"], "list_dbs {params}");
        let id = c.call_ok("get_server_id", j(params));
        assert!(
            id.as_str().is_some_and(is_uuid),
            "get_server_id {params}: {id}"
        );
    }
    assert_unharmed(&mut server, &mut witness, "the wrong params");
}

/// `monitor` with its monitor-requests missing (two params or fewer). The
/// reference reads past the end of its params array: usually it dies (SIGSEGV
/// or SIGABRT), sometimes it answers from whatever memory it read (seen: a
/// "monitor-requests must be object" error about a `false` nobody sent). Ours
/// must answer with a syntax error and stay up.
fn monitor_missing_requests(sut: &Sut) {
    const SIGABRT: i32 = 6;
    const SIGSEGV: i32 = 11;
    for params in [r#"["Open_vSwitch"]"#, r#"["Open_vSwitch",null]"#] {
        let dir = RunDir::new(&format!("bad_monitor_{}", sut.name()));
        let (mut server, _) = start(sut, &dir);
        let mut witness = server.connect();
        let mut c = server.connect();
        let id = c.request("monitor", j(params));
        if sut.is_real() {
            match c.next() {
                Msg::Closed => {
                    let status = server.wait_exit();
                    assert!(
                        matches!(status.signal(), Some(SIGSEGV | SIGABRT)),
                        "the reference closed the connection on monitor {params} \
                         without crashing: {status}"
                    );
                    assert_eq!(witness.expect_closed("the crash"), Vec::<Json>::new());
                }
                Msg::Message(reply) => {
                    assert_eq!(reply.get("id"), Some(&id), "monitor {params}: {reply}");
                    assert_unharmed(&mut server, &mut witness, &format!("monitor {params}"));
                }
                Msg::TimedOut => panic!("the reference neither answered nor crashed"),
            }
        } else {
            let reply = c.reply_to(&id);
            assert_eq!(
                reply.get("error").and_then(|e| e.get("error")),
                Some(&Json::string("syntax error")),
                "monitor {params}: {reply}"
            );
            assert_unharmed(&mut server, &mut witness, &format!("monitor {params}"));
        }
    }
}

/// Clients that go away in the middle of a message, or before reading replies.
fn disconnect_mid_message(sut: &Sut) {
    let dir = RunDir::new(&format!("bad_disconnect_{}", sut.name()));
    let (mut server, _) = start(sut, &dir);
    let mut witness = server.connect();
    let partials: &[(&str, &[u8])] = &[
        (
            "half a transact",
            br#"{"method":"transact","params":["Open_vSwitch",{"op":"insert","table":"Bridge","row":{"name":"half"#,
        ),
        ("half a unicode escape", br#"{"method":"echo","params":["\u12"#),
        ("one byte", b"{"),
    ];
    for (what, bytes) in partials {
        let mut c = server.connect();
        if let Err(e) = c.send_bytes(bytes) {
            panic!("{what}: {e}");
        }
        drop(c);
        assert_unharmed(
            &mut server,
            &mut witness,
            &format!("disconnect after {what}"),
        );
        // Half-closed instead: the server sees EOF in the middle of a message.
        let mut c = server.connect();
        if let Err(e) = c.send_bytes(bytes) {
            panic!("{what}: {e}");
        }
        c.shutdown_write();
        assert_eq!(
            c.expect_closed(&format!("EOF after {what}")),
            Vec::<Json>::new()
        );
        assert_unharmed(&mut server, &mut witness, &format!("EOF after {what}"));
    }
    // Requests with big replies, then gone before reading them.
    for (method, params) in [
        ("get_schema", r#"["Open_vSwitch"]"#),
        (
            "monitor",
            r#"["Open_vSwitch",null,{"Bridge":{},"Open_vSwitch":{}}]"#,
        ),
        (
            "transact",
            r#"["Open_vSwitch",{"op":"select","table":"Bridge","where":[]}]"#,
        ),
    ] {
        let mut c = server.connect();
        c.request(method, j(params));
        drop(c);
        assert_unharmed(
            &mut server,
            &mut witness,
            &format!("disconnect after {method}"),
        );
    }
    // Nothing of the half transact was committed.
    let r = witness.transact(
        "Open_vSwitch",
        &[j(
            r#"{"op":"select","table":"Bridge","where":[],"columns":["name"]}"#,
        )],
    );
    assert_eq!(r, [j(r#"{"rows":[{"name":"br0"}]}"#)]);
}

/// Transactions that would give two bridges the same name (the Bridge table's
/// index): the reference's exact constraint-violation text, and nothing stored.
fn duplicate_index_value(sut: &Sut) {
    let dir = RunDir::new(&format!("bad_index_{}", sut.name()));
    let (mut server, br0) = start(sut, &dir);
    let mut witness = server.connect();
    let mut c = server.connect();

    let r = c.transact(
        "Open_vSwitch",
        &[
            j(r#"{"op":"insert","table":"Bridge","uuid-name":"d","row":{"name":"br0"}}"#),
            j(r#"{"op":"mutate","table":"Open_vSwitch","where":[],"mutations":[["bridges","insert",["named-uuid","d"]]]}"#),
        ],
    );
    let new = uuid_of(&r[0]);
    assert_eq!(r.len(), 3, "{r:?}");
    assert_eq!(r[1], j(r#"{"count":1}"#));
    let existing = (br0.as_str(), EXISTING);
    assert_index_violation(&r[2], "br0", existing, (&new, INSERTED));

    // Two new rows with the same name in one transaction.
    let r = c.transact(
        "Open_vSwitch",
        &[
            j(r#"{"op":"insert","table":"Bridge","uuid-name":"a","row":{"name":"brX"}}"#),
            j(r#"{"op":"insert","table":"Bridge","uuid-name":"b","row":{"name":"brX"}}"#),
            j(r#"{"op":"mutate","table":"Open_vSwitch","where":[],"mutations":[["bridges","insert",["set",[["named-uuid","a"],["named-uuid","b"]]]]]}"#),
        ],
    );
    assert_eq!(r.len(), 4, "{r:?}");
    let (a, b) = (uuid_of(&r[0]), uuid_of(&r[1]));
    assert_index_violation(&r[3], "brX", (&a, INSERTED), (&b, INSERTED));

    let rows = c.transact(
        "Open_vSwitch",
        &[j(
            r#"{"op":"select","table":"Bridge","where":[],"columns":["_uuid","name"]}"#,
        )],
    );
    assert_eq!(
        rows,
        [Json::object([(
            "rows",
            Json::array([Json::object([
                (
                    "_uuid",
                    Json::array([Json::string("uuid"), Json::string(br0)])
                ),
                ("name", Json::string("br0")),
            ])])
        )])]
    );
    assert_unharmed(&mut server, &mut witness, "the index violations");
}

const EXISTING: &str =
    "existed in the database before this transaction and was not modified by the transaction";
const INSERTED: &str = "was inserted by this transaction";

/// Checks the reference's index-violation error for two rows (UUID, how it got
/// there). Which row the text calls "first" is the order the server found them
/// in (the reference's varies from run to run), so both orders are accepted.
#[track_caller]
fn assert_index_violation(result: &Json, name: &str, one: (&str, &str), two: (&str, &str)) {
    let text = |(u1, how1): (&str, &str), (u2, how2): (&str, &str)| {
        format!(
            "Transaction causes multiple rows in \"Bridge\" table to have identical values \
             ({name}) for index on column \"name\".  First row, with UUID {u1}, {how1}.  \
             Second row, with UUID {u2}, {how2}."
        )
    };
    let details = result
        .get("details")
        .and_then(Json::as_str)
        .unwrap_or_default();
    assert!(
        details == text(one, two) || details == text(two, one),
        "details: {details}"
    );
    assert_eq!(
        result,
        &Json::object([
            ("error", Json::string("constraint violation")),
            ("details", Json::string(details)),
        ])
    );
}

#[track_caller]
fn uuid_of(result: &Json) -> String {
    match result
        .get("uuid")
        .and_then(Json::as_array)
        .and_then(|u| u.get(1))
        .and_then(Json::as_str)
    {
        Some(u) => u.to_string(),
        None => panic!("not an insert result: {result}"),
    }
}

against_both!(malformed_input, malformed_input_real, malformed_input_ours);
against_both!(invalid_utf8, invalid_utf8_real, invalid_utf8_ours);
against_both!(deep_nesting, deep_nesting_real, deep_nesting_ours);
against_both!(
    hundred_megabyte_message,
    hundred_megabyte_message_real,
    hundred_megabyte_message_ours
);
against_both!(wrong_params, wrong_params_real, wrong_params_ours);
against_both!(
    monitor_missing_requests,
    monitor_missing_requests_real,
    monitor_missing_requests_ours
);
against_both!(
    disconnect_mid_message,
    disconnect_mid_message_real,
    disconnect_mid_message_ours
);
against_both!(
    duplicate_index_value,
    duplicate_index_value_real,
    duplicate_index_value_ours
);
