//! Engine tests without sockets: sessions are channels.

use crate::server::{Output, Server};
use ovs_json::rpc::Message;
use ovs_json::{parse, Json};
use ovsdb::{Database, DatabaseSchema};
use std::sync::Arc;
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver};

const SCHEMA: &str = r#"{"name":"T","version":"1.0.0","tables":{
  "a":{"columns":{"name":{"type":"string"},"n":{"type":"integer"}},"isRoot":true,"indexes":[["name"]]}}}"#;

fn server() -> Server {
    let schema = DatabaseSchema::from_json(&parse(SCHEMA).unwrap()).unwrap();
    let mut s = Server::new();
    s.add_db(Database::new(Arc::new(schema)), None).unwrap();
    s
}

struct Client {
    id: u64,
    rx: UnboundedReceiver<Output>,
}

fn client(s: &mut Server) -> Client {
    let (tx, rx) = unbounded_channel();
    Client {
        id: s.open_session(tx),
        rx,
    }
}

impl Client {
    fn send(&self, s: &mut Server, method: &str, params: &str, id: i64) {
        let params = match parse(params).unwrap() {
            Json::Array(p) => p,
            other => panic!("{other}"),
        };
        s.handle(self.id, Message::request(method, params, Json::Integer(id)));
    }

    fn drain(&mut self) -> Vec<Json> {
        let mut out = Vec::new();
        while let Ok(m) = self.rx.try_recv() {
            // Every output is one complete JSON-RPC message.
            out.push(parse(&m.text()).unwrap());
        }
        out
    }
}

fn insert(name: &str, n: i64) -> String {
    format!(r#"["T",{{"op":"insert","table":"a","row":{{"name":"{name}","n":{n}}}}}]"#)
}

#[test]
fn update_reaches_monitor_before_the_transact_reply() {
    let mut s = server();
    let mut c = client(&mut s);
    c.send(
        &mut s,
        "monitor_cond",
        r#"["T","m",{"a":[{"columns":["name"]}]}]"#,
        1,
    );
    assert_eq!(
        c.drain()[0].get("result").unwrap(),
        &Json::object::<&str, _>([])
    );
    c.send(&mut s, "transact", &insert("x", 1), 2);
    let out = c.drain();
    assert_eq!(out.len(), 2, "{out:?}");
    assert_eq!(out[0].get("method").unwrap(), &Json::string("update2"));
    let row = out[0].get("params").unwrap().as_array().unwrap()[1]
        .get("a")
        .unwrap();
    let (_, update) = row.as_object().unwrap().iter().next().unwrap();
    assert_eq!(update.to_compact(), r#"{"insert":{"name":"x"}}"#);
    assert_eq!(out[1].get("id").unwrap(), &Json::Integer(2));
}

#[test]
fn wait_blocks_until_another_session_commits() {
    let mut s = server();
    let mut waiter = client(&mut s);
    let mut writer = client(&mut s);
    let wait = r#"["T",{"op":"wait","table":"a","where":[],"columns":["name"],"until":"==","rows":[{"name":"go"}],"timeout":10000}]"#;
    waiter.send(&mut s, "transact", wait, 7);
    assert!(waiter.drain().is_empty(), "must block");
    assert!(s.next_deadline().is_some());
    writer.send(&mut s, "transact", &insert("go", 1), 1);
    assert!(writer.drain()[0].get("error").unwrap().is_null());
    let out = waiter.drain();
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].get("id").unwrap(), &Json::Integer(7));
    assert_eq!(out[0].get("result").unwrap().to_compact(), "[{}]");
}

#[test]
fn cancel_answers_a_blocked_transaction() {
    let mut s = server();
    let mut c = client(&mut s);
    let wait = r#"["T",{"op":"wait","table":"a","where":[],"until":"==","rows":[{"name":"x"}]}]"#;
    c.send(&mut s, "transact", wait, 3);
    s.handle(c.id, Message::notify("cancel", vec![Json::Integer(3)]));
    let out = c.drain();
    assert_eq!(
        out[0].to_compact(),
        r#"{"error":{"error":"canceled"},"id":3}"#
    );
    assert!(s.next_deadline().is_none());
}

#[test]
fn locks_notify_locked_and_stolen() {
    let mut s = server();
    let mut a = client(&mut s);
    let mut b = client(&mut s);
    a.send(&mut s, "lock", r#"["L"]"#, 1);
    assert_eq!(
        a.drain()[0].get("result").unwrap().to_compact(),
        r#"{"locked":true}"#
    );
    b.send(&mut s, "lock", r#"["L"]"#, 1);
    assert_eq!(
        b.drain()[0].get("result").unwrap().to_compact(),
        r#"{"locked":false}"#
    );
    a.send(&mut s, "lock", r#"["L"]"#, 2);
    assert_eq!(
        a.drain()[0].get("error").unwrap().get("details").unwrap(),
        &Json::string("must issue \"unlock\" before new \"lock\"")
    );
    // A session already queued for the lock may not steal it (reference text).
    b.send(&mut s, "steal", r#"["L"]"#, 2);
    assert_eq!(
        b.drain()[0].get("error").unwrap().get("details").unwrap(),
        &Json::string("must issue \"unlock\" before new \"steal\"")
    );
    let mut c = client(&mut s);
    c.send(&mut s, "steal", r#"["L"]"#, 2);
    assert_eq!(
        a.drain()[0].to_compact(),
        r#"{"id":null,"method":"stolen","params":["L"]}"#
    );
    assert_eq!(
        c.drain()[0].get("result").unwrap().to_compact(),
        r#"{"locked":true}"#
    );
    // assert works only for the owner
    let assert_txn = r#"["T",{"op":"assert","lock":"L"}]"#;
    a.send(&mut s, "transact", assert_txn, 3);
    assert_eq!(
        a.drain()[0].get("result").unwrap().as_array().unwrap()[0]
            .get("error")
            .unwrap(),
        &Json::string("not owner")
    );
    c.send(&mut s, "transact", assert_txn, 3);
    assert_eq!(c.drain()[0].get("result").unwrap().to_compact(), "[{}]");
    // The owner leaving hands the lock to the next in line.
    s.close_session(c.id);
    assert_eq!(
        a.drain()[0].to_compact(),
        r#"{"id":null,"method":"locked","params":["L"]}"#
    );
    assert!(b.drain().is_empty());
}

#[test]
fn condition_change_sends_delta_before_reply() {
    let mut s = server();
    let mut c = client(&mut s);
    for (i, name) in ["x", "y"].iter().enumerate() {
        c.send(&mut s, "transact", &insert(name, i as i64), i as i64);
    }
    c.drain();
    c.send(
        &mut s,
        "monitor_cond",
        r#"["T","m",{"a":[{"columns":["name"],"where":[["name","==","x"]]}]}]"#,
        5,
    );
    let initial = c.drain();
    assert_eq!(
        initial[0]
            .get("result")
            .unwrap()
            .get("a")
            .unwrap()
            .as_object()
            .unwrap()
            .len(),
        1
    );
    c.send(
        &mut s,
        "monitor_cond_change",
        r#"["m","m2",{"a":[{"where":[["name","==","y"]]}]}]"#,
        6,
    );
    let out = c.drain();
    assert_eq!(out.len(), 2);
    let params = out[0].get("params").unwrap().as_array().unwrap();
    assert_eq!(params[0], Json::string("m2"));
    let mut kinds: Vec<String> = params[1]
        .get("a")
        .unwrap()
        .as_object()
        .unwrap()
        .values()
        .map(|u| u.as_object().unwrap().keys().next().unwrap().clone())
        .collect();
    kinds.sort();
    assert_eq!(kinds, ["delete", "insert"]);
    assert_eq!(out[1].get("id").unwrap(), &Json::Integer(6));
}

#[test]
fn errors_match_the_reference() {
    let mut s = server();
    let mut c = client(&mut s);
    c.send(&mut s, "nope", "[]", 1);
    c.send(&mut s, "get_schema", r#"["nope"]"#, 2);
    c.send(&mut s, "monitor_cancel", r#"["zz"]"#, 3);
    c.send(&mut s, "monitor", r#"["T","m",{"nope":{}}]"#, 4);
    c.send(
        &mut s,
        "monitor",
        r#"["T","m",{"a":{"columns":["nope"]}}]"#,
        5,
    );
    let out: Vec<String> = c.drain().iter().map(|m| m.to_compact()).collect();
    assert_eq!(out[0], r#"{"error":"unknown method","id":1}"#);
    assert_eq!(
        out[1],
        r#"{"error":{"details":"get_schema request specifies unknown database nope","error":"unknown database","syntax":"[\"nope\"]"},"id":2}"#
    );
    assert_eq!(out[2], r#"{"error":"unknown monitor","id":3}"#);
    assert_eq!(
        out[3],
        r#"{"error":{"details":"no table named nope","error":"syntax error"},"id":4}"#
    );
    assert_eq!(
        out[4],
        r#"{"error":{"details":"nope is not a valid column name","error":"syntax error","syntax":"[\"nope\"]"},"id":5}"#
    );
}

#[test]
fn server_database_lists_served_databases() {
    let mut s = server();
    let mut c = client(&mut s);
    c.send(&mut s, "transact", r#"["_Server",{"op":"select","table":"Database","where":[],"columns":["name","model","connected","leader"]}]"#, 1);
    let out = c.drain();
    let rows = out[0].get("result").unwrap().as_array().unwrap()[0]
        .get("rows")
        .unwrap()
        .as_array()
        .unwrap();
    let mut names: Vec<String> = rows
        .iter()
        .map(|r| r.get("name").unwrap().as_str().unwrap().to_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["T", "_Server"]);
    assert!(rows
        .iter()
        .all(|r| r.get("model").unwrap() == &Json::string("standalone")));
    c.send(
        &mut s,
        "transact",
        r#"["_Server",{"op":"delete","table":"Database","where":[]}]"#,
        2,
    );
    let out = c.drain();
    let err = out[0].get("result").unwrap().as_array().unwrap()[0]
        .get("error")
        .unwrap()
        .clone();
    assert_eq!(err, Json::string("not allowed"));
}

#[test]
fn monitors_with_one_definition_share_the_update_text() {
    let mut s = server();
    let request = |id: &str| format!(r#"["T",{id},{{"a":[{{"columns":["name","n"]}}]}}]"#);
    let mut a = client(&mut s);
    let mut b = client(&mut s);
    let mut other = client(&mut s);
    a.send(&mut s, "monitor_cond", &request("\"ma\""), 1);
    b.send(
        &mut s,
        "monitor_cond_since",
        &request(r#"["mb",1]"#).replace("}]}]", r#"}]},"00000000-0000-0000-0000-000000000000"]"#),
        1,
    );
    a.send(&mut s, "monitor_cond", &request("\"ma2\""), 2);
    other.send(
        &mut s,
        "monitor_cond",
        r#"["T","mo",{"a":[{"columns":["name"]}]}]"#,
        1,
    );
    a.drain();
    b.drain();
    other.drain();
    let writer = client(&mut s);
    writer.send(&mut s, "transact", &insert("z", 7), 9);
    let raw = |c: &mut Client| {
        let mut out = Vec::new();
        while let Ok(o) = c.rx.try_recv() {
            out.push(o);
        }
        out
    };
    let (from_a, from_b, from_other) = (raw(&mut a), raw(&mut b), raw(&mut other));
    assert_eq!((from_a.len(), from_b.len(), from_other.len()), (2, 1, 1));
    let body = |o: &Output| match o {
        Output::Shared { body, .. } => body.clone(),
        Output::Text(t) => panic!("not shared: {t}"),
    };
    // Same definition (columns and version): one shared text. Different columns: its
    // own. (The update3 monitor, another version, gets its own but equal text.)
    assert!(Arc::ptr_eq(&body(&from_a[0]), &body(&from_a[1])));
    assert!(!Arc::ptr_eq(&body(&from_a[0]), &body(&from_other[0])));
    let message = |o: &Output| parse(&o.text()).unwrap();
    let (ma, ma2) = (message(&from_a[0]), message(&from_a[1]));
    let ids: Vec<&Json> = [&ma, &ma2]
        .iter()
        .map(|m| &m.get("params").unwrap().as_array().unwrap()[0])
        .collect();
    assert_eq!(ids, [&Json::string("ma"), &Json::string("ma2")]);
    let rows = ma.get("params").unwrap().as_array().unwrap()[1]
        .get("a")
        .unwrap();
    let (_, update) = rows.as_object().unwrap().iter().next().unwrap();
    assert_eq!(update.to_compact(), r#"{"insert":{"n":7,"name":"z"}}"#);
    let mb = message(&from_b[0]);
    assert_eq!(mb.get("method").unwrap(), &Json::string("update3"));
    let params = mb.get("params").unwrap().as_array().unwrap();
    assert_eq!(params[0], parse(r#"["mb",1]"#).unwrap());
    assert_eq!(
        params[1],
        Json::string("00000000-0000-0000-0000-000000000000")
    );
    assert_eq!(params[2], ma.get("params").unwrap().as_array().unwrap()[1]);
    let mo = message(&from_other[0]);
    let rows = mo.get("params").unwrap().as_array().unwrap()[1]
        .get("a")
        .unwrap();
    let (_, update) = rows.as_object().unwrap().iter().next().unwrap();
    assert_eq!(update.to_compact(), r#"{"insert":{"name":"z"}}"#);
}
