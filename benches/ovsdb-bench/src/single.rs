//! Workload 1: single-row transactions per second from one client, no pipelining.
//!
//! Each transaction changes exactly one row and the client waits for its reply before
//! sending the next, so the figure is the server's round trip for a minimal commit
//! (parse, check, apply, append to the log, reply). The run is cut into slices so
//! the two servers can take turns; the figure is the median slice rate, which a
//! burst of other work on the machine moves less than a plain average.

use std::time::{Duration, Instant};

use ovs_json::Json;

use crate::client::{self, Base, Rpc};
use crate::options::{Config, SingleOp};
use crate::server::Server;
use crate::show::median;

pub struct SingleTxn {
    conn: Rpc,
    base: Base,
    op: SingleOp,
    /// Transactions sent so far, which also numbers the next one.
    done: u64,
    rates: Vec<f64>,
}

impl SingleTxn {
    pub fn new(server: &Server, base: &Base, cfg: &Config) -> Result<SingleTxn, String> {
        Ok(SingleTxn {
            conn: client::connect(server)?,
            base: base.clone(),
            op: cfg.single_op,
            done: 0,
            rates: Vec::new(),
        })
    }

    /// Runs transactions for `duration` or until `max` of them, whichever is first.
    pub fn slice(&mut self, duration: Duration, max: Option<u64>) -> Result<(), String> {
        let started = Instant::now();
        let mut n: u64 = 0;
        loop {
            let ops = vec![one_row_op(self.op, &self.base, self.done)];
            client::transact(&mut self.conn, ops)
                .map_err(|e| format!("transaction {}: {e}", self.done))?;
            self.done += 1;
            n += 1;
            if max.is_some_and(|max| n >= max) || started.elapsed() >= duration {
                break;
            }
        }
        self.rates
            .push(n as f64 / started.elapsed().as_secs_f64().max(1e-9));
        Ok(())
    }

    /// Transactions per second: the median over the slices run so far.
    pub fn rate(&self) -> Result<f64, String> {
        if self.rates.is_empty() {
            return Err("no transactions were run".into());
        }
        Ok(median(&mut self.rates.clone()))
    }
}

/// The operation of transaction number `seq`.
fn one_row_op(op: SingleOp, base: &Base, seq: u64) -> Json {
    let seq = seq.to_string();
    match op {
        // A whole-column update rather than a map mutate, so the row stays the same
        // size whatever the number of transactions.
        SingleOp::Update => Json::object([
            ("op", Json::string("update")),
            ("table", Json::string("Open_vSwitch")),
            ("where", client::by_uuid(&base.root)),
            (
                "row",
                Json::object([("external_ids", client::map(&[("bench-seq", &seq)]))]),
            ),
        ]),
        SingleOp::Insert => client::insert(
            "QoS",
            Json::object([
                ("type", Json::string("linux-htb")),
                ("external_ids", client::map(&[("bench-seq", &seq)])),
            ]),
            "qos",
        ),
    }
}
