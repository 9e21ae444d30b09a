//! A minimal OVSDB client for the workloads: blocking JSON-RPC calls over a Unix socket.
//!
//! Every reply is checked (an operation error fails the workload) so a server that
//! answers fast but wrongly cannot post a good figure.

use std::os::unix::net::UnixStream;

use ovs_json::rpc::Connection;
use ovs_json::Json;

use crate::server::Server;

pub const DB: &str = "Open_vSwitch";

pub type Rpc = Connection<UnixStream>;

pub fn connect(server: &Server) -> Result<Rpc, String> {
    Ok(Connection::new(server.connect()?))
}

/// Runs one transaction and returns its per-operation results, failing if the call
/// or any operation failed.
pub fn transact(conn: &mut Rpc, ops: Vec<Json>) -> Result<Vec<Json>, String> {
    let mut params = Vec::with_capacity(ops.len() + 1);
    params.push(Json::string(DB));
    params.extend(ops);
    let result = conn
        .call("transact", params)
        .map_err(|e| format!("transact: {e}"))?;
    let Json::Array(results) = result else {
        return Err(format!(
            "transact: reply is not an array: {}",
            brief(&result)
        ));
    };
    if let Some(err) = results.iter().find(|r| r.get("error").is_some()) {
        return Err(format!("transact failed: {}", brief(err)));
    }
    Ok(results)
}

/// The rows every workload builds on: the one `Open_vSwitch` row and bridge `br0`.
#[derive(Clone, Debug)]
pub struct Base {
    pub root: String,
    pub bridge: String,
}

pub fn setup_base(server: &Server) -> Result<Base, String> {
    let mut conn = connect(server)?;
    let results = transact(
        &mut conn,
        vec![
            insert(
                "Bridge",
                Json::object([("name", Json::string("br0"))]),
                "br0",
            ),
            insert(
                "Open_vSwitch",
                Json::object([("bridges", set(vec![named("br0")]))]),
                "root",
            ),
        ],
    )
    .map_err(|e| format!("creating the base rows: {e}"))?;
    let uuid_of = |i: usize| -> Result<String, String> {
        results
            .get(i)
            .and_then(|r| r.get("uuid"))
            .and_then(|u| u.as_array())
            .and_then(|a| a.get(1))
            .and_then(|u| u.as_str())
            .map(str::to_string)
            .ok_or_else(|| {
                format!(
                    "insert reply has no uuid: {}",
                    brief(&Json::Array(results.clone()))
                )
            })
    };
    Ok(Base {
        bridge: uuid_of(0)?,
        root: uuid_of(1)?,
    })
}

/// An `insert` operation naming its row `uuid_name`.
pub fn insert(table: &str, row: Json, uuid_name: &str) -> Json {
    Json::object([
        ("op", Json::string("insert")),
        ("table", Json::string(table)),
        ("row", row),
        ("uuid-name", Json::string(uuid_name)),
    ])
}

/// The condition selecting one row by uuid.
pub fn by_uuid(uuid: &str) -> Json {
    Json::array([Json::array([
        Json::string("_uuid"),
        Json::string("=="),
        Json::array([Json::string("uuid"), Json::string(uuid)]),
    ])])
}

pub fn named(name: &str) -> Json {
    Json::array([Json::string("named-uuid"), Json::string(name)])
}

pub fn set(items: Vec<Json>) -> Json {
    Json::array([Json::string("set"), Json::Array(items)])
}

pub fn map(pairs: &[(&str, &str)]) -> Json {
    Json::array([
        Json::string("map"),
        Json::Array(
            pairs
                .iter()
                .map(|(k, v)| Json::array([Json::string(*k), Json::string(*v)]))
                .collect(),
        ),
    ])
}

/// A JSON value cut to a length fit for an error message.
pub fn brief(j: &Json) -> String {
    let mut s = j.to_compact();
    if s.len() > 300 {
        let mut cut = 300;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        s.truncate(cut);
        s.push_str("...");
    }
    s
}
