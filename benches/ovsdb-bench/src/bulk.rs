//! Workload 2: bulk insert of Port + Interface rows, and growing the database for
//! workloads 3 and 4.
//!
//! Each transaction inserts `batch` Interface rows, `batch` Port rows (one interface
//! each) and adds the ports to bridge `br0` with a mutate, the way `ovs-vsctl add-port`
//! links them, so garbage collection keeps every row.

use std::time::{Duration, Instant};

use ovs_json::Json;

use crate::client::{self, Base, Rpc};
use crate::options::Config;
use crate::server::Server;

/// Inserts rows in batches on one connection and keeps count.
pub struct Loader {
    conn: Rpc,
    bridge: String,
    batch: usize,
    /// Port + Interface rows inserted so far.
    rows: usize,
    next_port: usize,
}

/// What one `grow_to` did.
#[derive(Clone, Copy, Debug, Default)]
pub struct BulkStats {
    pub rows: usize,
    pub transactions: usize,
    /// Time spent waiting for the server (building the requests is not counted).
    pub elapsed: Duration,
}

impl BulkStats {
    pub fn rows_per_sec(&self) -> f64 {
        self.rows as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

impl Loader {
    pub fn new(server: &Server, base: &Base, cfg: &Config) -> Result<Loader, String> {
        Ok(Loader {
            conn: client::connect(server)?,
            bridge: base.bridge.clone(),
            batch: cfg.bulk_batch,
            rows: 0,
            next_port: 0,
        })
    }

    /// Port + Interface rows inserted so far.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Inserts until at least `target` rows exist (two rows per port).
    pub fn grow_to(&mut self, target: usize) -> Result<BulkStats, String> {
        let mut stats = BulkStats::default();
        while self.step(target, &mut stats)? {}
        Ok(stats)
    }

    /// Runs one transaction towards `target` rows, adding what it did to `stats`;
    /// false if there was nothing left to insert.
    pub fn step(&mut self, target: usize, stats: &mut BulkStats) -> Result<bool, String> {
        if self.rows >= target {
            return Ok(false);
        }
        let ports = (target - self.rows).div_ceil(2).min(self.batch);
        let ops = self.batch_ops(ports);
        let started = Instant::now();
        let results = client::transact(&mut self.conn, ops)
            .map_err(|e| format!("bulk transaction at {} rows: {e}", self.rows))?;
        stats.elapsed += started.elapsed();
        // Every insert answers with a uuid, plus one result for the mutate.
        if results.len() != 2 * ports + 1 {
            return Err(format!(
                "bulk transaction at {} rows: {} results for {} operations",
                self.rows,
                results.len(),
                2 * ports + 1
            ));
        }
        self.next_port += ports;
        self.rows += 2 * ports;
        stats.rows += 2 * ports;
        stats.transactions += 1;
        Ok(true)
    }

    fn batch_ops(&self, ports: usize) -> Vec<Json> {
        port_ops(self.next_port, ports, client::by_uuid(&self.bridge))
    }
}

/// Inserts ports `p{first}`.. (rows `r{k}`), each with one interface named alike
/// (rows `i{k}`), and adds them to the bridge that `bridge_where` selects: the rows
/// `ovs-vsctl add-port` writes, many ports per transaction. Shared by the benches.
pub fn port_ops(first: usize, n: usize, bridge_where: Json) -> Vec<Json> {
    let mut ops = Vec::with_capacity(2 * n + 1);
    let mut port_refs = Vec::with_capacity(n);
    for k in first..first + n {
        let name = format!("p{k}");
        let (iface, port) = (format!("i{k}"), format!("r{k}"));
        ops.push(client::insert(
            "Interface",
            Json::object([("name", Json::string(name.as_str()))]),
            &iface,
        ));
        ops.push(client::insert(
            "Port",
            Json::object([
                ("name", Json::string(name.as_str())),
                ("interfaces", client::named(&iface)),
            ]),
            &port,
        ));
        port_refs.push(client::named(&port));
    }
    ops.push(Json::object([
        ("op", Json::string("mutate")),
        ("table", Json::string("Bridge")),
        ("where", bridge_where),
        (
            "mutations",
            Json::array([Json::array([
                Json::string("ports"),
                Json::string("insert"),
                client::set(port_refs),
            ])]),
        ),
    ]));
    ops
}
