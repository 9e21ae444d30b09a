//! `wait [SERVER] DATABASE STATE`: block until the server has the database
//! (`added`), has it connected to its cluster (`connected`) or no longer has it
//! (`removed`). The server itself does the waiting (a `wait` operation on the
//! `_Server` database); we keep reconnecting, with the reference's backoff and
//! log messages, until it answers.

use super::Target;
use crate::connect;
use crate::error::{fatal, Result};
use crate::rpc::{Rpc, RpcError};
use crate::session::Ctx;
use crate::vlog::{self, Level};
use ovs_hash_order::Shape;
use ovs_json::rpc::Message;
use ovs_json::Json;
use std::time::{Duration, Instant};

const MIN_BACKOFF_MS: u64 = 1000;
const MAX_BACKOFF_MS: u64 = 8000;

pub fn wait(_ctx: &mut Ctx, _: Option<Target>, _: Option<Rpc>, args: &[String]) -> Result<()> {
    let (server, database, state) = match args {
        [server, database, state] => (server.clone(), database, state),
        [database, state] => (connect::default_remote(), database, state),
        _ => fatal!("invalid syntax for 'wait' (use --help for help)"),
    };
    let (columns, rows) = match state.as_str() {
        "connected" => (
            vec![Json::string("connected")],
            vec![Json::object([("connected", Json::Bool(true))])],
        ),
        "added" => (vec![], vec![Json::object(Vec::<(&str, Json)>::new())]),
        "removed" => (vec![], vec![]),
        other => fatal!("{other}: unknown state"),
    };
    let op = Json::object([
        ("op", Json::string("wait")),
        ("table", Json::string("Database")),
        (
            "where",
            Json::array([Json::array([
                Json::string("name"),
                Json::string("=="),
                Json::string(database.as_str()),
            ])]),
        ),
        ("columns", Json::Array(columns)),
        ("until", Json::string("==")),
        ("rows", Json::Array(rows)),
    ]);
    let txn = vec![Json::string("_Server"), op];

    let mut backoff: u64 = 0;
    // After a few failures the reference stops logging each attempt.
    let mut quiet = false;
    loop {
        let level = if quiet { Level::Dbg } else { Level::Info };
        vlog::log_at!(vlog::RECONNECT, level, "{server}: connecting...");
        match connect::open_active(&server) {
            Ok(mut rpc) => {
                vlog::info!(vlog::RECONNECT, "{server}: connected");
                quiet = false;
                let connected_at = Instant::now();
                match wait_on(&mut rpc, &txn) {
                    Ok(()) => return Ok(()),
                    Err(e) => {
                        match &e {
                            RpcError::Eof => {
                                vlog::info!(vlog::RECONNECT, "{server}: connection closed by peer")
                            }
                            other => vlog::warn!(
                                vlog::RECONNECT,
                                "{server}: connection dropped ({other})"
                            ),
                        }
                        // A connection that stayed up at least one backoff interval
                        // was healthy: start over from the shortest wait.
                        if connected_at.elapsed() >= Duration::from_millis(backoff) {
                            backoff = MIN_BACKOFF_MS;
                        } else {
                            backoff = next_backoff(&server, backoff, &mut quiet);
                        }
                    }
                }
            }
            Err(e) => {
                if backoff < MAX_BACKOFF_MS {
                    vlog::log_at!(
                        vlog::RECONNECT,
                        level,
                        "{server}: connection attempt failed ({})",
                        crate::error::os_text(&e)
                    );
                }
                backoff = next_backoff(&server, backoff, &mut quiet);
            }
        }
        std::thread::sleep(Duration::from_millis(backoff));
    }
}

/// The reference's backoff after a failed attempt: 1 s, then doubling with a log
/// line each time, then 8 s with a final "suppressing further logging" line.
fn next_backoff(server: &str, backoff: u64, quiet: &mut bool) -> u64 {
    if backoff < MIN_BACKOFF_MS {
        MIN_BACKOFF_MS
    } else if backoff < MAX_BACKOFF_MS / 2 {
        let next = backoff * 2;
        vlog::info!(
            vlog::RECONNECT,
            "{server}: waiting {} seconds before reconnect",
            next / 1000
        );
        next
    } else {
        if backoff < MAX_BACKOFF_MS {
            vlog::info!(vlog::RECONNECT, "{server}: continuing to reconnect in the background but suppressing further logging");
            *quiet = true;
        }
        MAX_BACKOFF_MS
    }
}

/// Sends the wait and returns once the server answers it.
fn wait_on(rpc: &mut Rpc, txn: &[Json]) -> Result<(), RpcError> {
    // Without this the server would drop us when the database goes away.
    rpc.send_request("set_db_change_aware", vec![Json::Bool(true)])?;
    let op_shape = Shape::flat_object(["op", "table", "where", "columns", "until", "rows"]);
    let id = rpc.send_request_shaped(
        "transact",
        txn.to_vec(),
        Shape::Array(vec![Shape::Leaf, op_shape]),
    )?;
    loop {
        let received = rpc.recv()?;
        match received.message {
            Message::Reply { id: rid, .. } if rid == id => return Ok(()),
            Message::Error { id: rid, error } if rid == id => {
                vlog::warn!(
                    vlog::OVSDB_CLIENT,
                    "{}: wait failed: {}",
                    rpc.name(),
                    error.to_compact()
                );
                return Ok(());
            }
            _ => {}
        }
    }
}
