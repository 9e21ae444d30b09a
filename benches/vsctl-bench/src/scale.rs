//! Workload 2: one `ovs-vsctl --no-wait add-port` against a database that already
//! holds ~50,000 Port + Interface rows, where the reference client spends seconds
//! downloading everything before it changes anything.
//!
//! One database per server, loaded in bulk transactions (the servers taking turns,
//! one transaction each); then both clients take turns on it, one add-port each per
//! round, the order flipped every round. Each add-port grows the database by two
//! rows, which is nothing next to the load.

use ovsdb_bench::show::median;

use crate::db::Db;
use crate::options::Config;
use crate::sides::{order, Pair, Side};

/// The outcome for each pair (in `pairs` order) and the rows each server's database
/// held when the timed add-ports began.
#[derive(Debug)]
pub struct ScaleOutcome {
    /// Median seconds per add-port, or why there is none.
    pub per_pair: Vec<Result<f64, String>>,
    pub rows: Vec<(Side, usize)>,
}

pub fn run(pairs: &[Pair], cfg: &Config, progress: &mut dyn FnMut(&str)) -> ScaleOutcome {
    // One database per server; each pair points at its server's.
    let mut servers: Vec<Side> = Vec::new();
    let mut db_of = Vec::with_capacity(pairs.len());
    let mut dbs: Vec<Result<Db, String>> = Vec::new();
    for p in pairs {
        let k = match servers.iter().position(|s| *s == p.server) {
            Some(k) => k,
            None => {
                servers.push(p.server);
                dbs.push(Db::start(&p.server_spec, cfg));
                servers.len() - 1
            }
        };
        db_of.push(k);
    }

    // br0's own Port and Interface count towards the rows.
    let ports = (cfg.scale_rows / 2).saturating_sub(1);
    progress(&format!(
        "bulk loading {} Port+Interface rows per server",
        2 * (ports + 1)
    ));
    let mut round = 0;
    loop {
        let mut busy = false;
        for i in order(dbs.len(), round) {
            if let Ok(db) = &mut dbs[i] {
                match db.fill_step(ports) {
                    Ok(more) => busy |= more,
                    Err(e) => dbs[i] = Err(e),
                }
            }
        }
        if !busy {
            break;
        }
        round += 1;
    }
    let rows = servers
        .iter()
        .zip(&dbs)
        .filter_map(|(s, db)| db.as_ref().ok().map(|db| (*s, db.rows())))
        .collect();

    progress(&format!("add-port at scale, {} per pair", cfg.scale_runs));
    let mut lanes: Vec<Result<Vec<f64>, String>> = vec![Ok(Vec::new()); pairs.len()];
    for round in 0..cfg.scale_runs {
        for i in order(pairs.len(), round) {
            let Ok(samples) = &mut lanes[i] else { continue };
            let took = match &mut dbs[db_of[i]] {
                Ok(db) => db.add_port(&pairs[i].vsctl),
                Err(e) => Err(e.clone()),
            };
            match took {
                Ok(t) => samples.push(t.as_secs_f64()),
                Err(e) => lanes[i] = Err(e),
            }
        }
    }
    ScaleOutcome {
        per_pair: lanes
            .into_iter()
            .map(|l| l.map(|mut s| median(&mut s)))
            .collect(),
        rows,
    }
}
