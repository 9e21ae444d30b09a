//! A server on a fresh database with bridge `br0`, ports bulk-loaded into it, and the
//! timed `ovs-vsctl --no-wait add-port br0 pN` whose effect is checked afterwards.
//!
//! Every database is set up the same way whichever client is measured on it: the
//! setup client (the reference) runs `init` and `add-br br0`. Ports are named
//! `p1`, `p2`, ... in the order they are added, by bulk load or by a measured client,
//! so the Nth port is always `pN` and the bridge has `br0`'s own port besides.

use std::path::Path;
use std::time::Duration;

use ovs_json::Json;
use ovsdb_bench::bulk::port_ops;
use ovsdb_bench::client::{self, Rpc};
use ovsdb_bench::server::{Server, ServerSpec};

use crate::invoke;
use crate::options::Config;

/// The bridge every port goes on.
pub const BRIDGE: &str = "br0";

pub struct Db {
    server: Server,
    /// For bulk loading and checking, outside any timing.
    conn: Rpc,
    /// Ports on the bridge besides its own: the next one is `p{ports + 1}`.
    ports: usize,
    batch: usize,
    timeout: Duration,
}

impl Db {
    /// Starts `spec` on a fresh database and creates `br0` with the setup client.
    pub fn start(spec: &ServerSpec, cfg: &Config) -> Result<Db, String> {
        let server = Server::start(spec, &cfg.server_config())?;
        for args in [&["--no-wait", "init"][..], &["--no-wait", "add-br", BRIDGE]] {
            invoke::vsctl(&cfg.setup_vsctl, &server, args, cfg.timeout)
                .map_err(|e| format!("setting up the database: {e}"))?;
        }
        let conn = client::connect(&server)?;
        Ok(Db {
            server,
            conn,
            ports: 0,
            batch: cfg.bulk_batch,
            timeout: cfg.timeout,
        })
    }

    pub fn server(&self) -> &Server {
        &self.server
    }

    /// Ports added to the bridge so far (its own port not counted).
    pub fn ports(&self) -> usize {
        self.ports
    }

    /// Port + Interface rows in the database: one of each per port, `br0`'s included.
    pub fn rows(&self) -> usize {
        2 * (self.ports + 1)
    }

    /// Bulk-loads ports until the bridge has `ports` of them.
    pub fn fill_to(&mut self, ports: usize) -> Result<(), String> {
        while self.fill_step(ports)? {}
        Ok(())
    }

    /// Runs one bulk transaction towards `ports` ports; false if there was nothing
    /// left to add.
    pub fn fill_step(&mut self, ports: usize) -> Result<bool, String> {
        if self.ports >= ports {
            return Ok(false);
        }
        let first = self.ports + 1;
        let n = (ports - self.ports).min(self.batch);
        let results = client::transact(
            &mut self.conn,
            port_ops(first, n, eq("name", Json::string(BRIDGE))),
        )
        .map_err(|e| format!("bulk loading ports p{first}..p{}: {e}", first + n - 1))?;
        // One uuid per insert, plus one result for the mutate.
        if results.len() != 2 * n + 1 {
            return Err(format!(
                "bulk loading ports p{first}..: {} results for {} operations",
                results.len(),
                2 * n + 1
            ));
        }
        self.ports += n;
        Ok(true)
    }

    /// Times `vsctl --no-wait add-port br0 pN` for the next port, then checks that
    /// the port is really on the bridge, so a client that exits 0 without doing its
    /// job cannot post a figure.
    pub fn add_port(&mut self, vsctl: &Path) -> Result<Duration, String> {
        let name = format!("p{}", self.ports + 1);
        let took = invoke::vsctl(
            vsctl,
            &self.server,
            &["--no-wait", "add-port", BRIDGE, &name],
            self.timeout,
        );
        let checked = self.check_on_bridge(&name);
        // A client that failed after committing still added the port: count it, so
        // the next client on this database does not trip over the same name.
        if checked.is_ok() {
            self.ports += 1;
        }
        let took = took?;
        checked.map_err(|e| {
            format!(
                "after `add-port {BRIDGE} {name}` by {}: {e}",
                vsctl.display()
            )
        })?;
        Ok(took)
    }

    /// Fails unless a Port named `name` exists and is in `br0`'s ports.
    pub fn check_on_bridge(&mut self, name: &str) -> Result<(), String> {
        let ports = client::transact(
            &mut self.conn,
            vec![select("Port", eq("name", Json::string(name)), "_uuid")],
        )?;
        let uuid = rows(&ports[0])
            .and_then(|r| match r {
                [row] => row.get("_uuid").cloned(),
                _ => None,
            })
            .ok_or_else(|| {
                format!(
                    "expected one Port named {name}, found {}",
                    client::brief(&ports[0])
                )
            })?;
        let bridge = client::transact(
            &mut self.conn,
            vec![select(
                "Bridge",
                Json::array([
                    cond("name", "==", Json::string(BRIDGE)),
                    cond("ports", "includes", uuid),
                ]),
                "name",
            )],
        )?;
        match rows(&bridge[0]) {
            Some([_]) => Ok(()),
            _ => Err(format!("port {name} exists but is not in bridge {BRIDGE}")),
        }
    }
}

fn cond(column: &str, function: &str, value: Json) -> Json {
    Json::array([Json::string(column), Json::string(function), value])
}

/// A `where` clause with one equality.
fn eq(column: &str, value: Json) -> Json {
    Json::array([cond(column, "==", value)])
}

fn select(table: &str, condition: Json, column: &str) -> Json {
    Json::object([
        ("op", Json::string("select")),
        ("table", Json::string(table)),
        ("where", condition),
        ("columns", Json::array([Json::string(column)])),
    ])
}

/// The rows of a `select` result.
fn rows(result: &Json) -> Option<&[Json]> {
    result.get("rows").and_then(Json::as_array)
}
