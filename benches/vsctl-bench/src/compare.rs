//! Runs both workloads for every available client × server pair and gathers the
//! figures by workload, server and client.

use crate::growth::{self, Window};
use crate::options::Config;
use crate::report::{Results, Workload};
use crate::scale;
use crate::sides::{pairs, Clients, Servers};

/// Benchmarks every pair. Never fails as a whole: a pair that cannot run keeps its
/// error in its cells, and an unavailable client or server is reported as such.
pub fn run(
    clients: &Clients,
    servers: &Servers,
    cfg: &Config,
    progress: &mut dyn FnMut(&str),
) -> Results {
    let pairs = pairs(clients, servers);
    let windows: Vec<Window> = growth::windows(&cfg.points, cfg.runs);
    let mut results = Results {
        windows: windows.clone(),
        scale_runs: cfg.scale_runs,
        scale_rows_requested: cfg.scale_rows,
        ours_vsctl: clients.ours.as_ref().map(|_| ()).map_err(Clone::clone),
        ours_server: servers.ours.as_ref().map(|_| ()).map_err(Clone::clone),
        ..Results::default()
    };

    let growth = growth::run(&pairs, &windows, cfg, progress);
    for (pair, outcomes) in pairs.iter().zip(growth) {
        for (w, o) in windows.iter().zip(outcomes) {
            results.set(Workload::AddPort(w.point), pair.server, pair.client, o);
        }
    }

    let at_scale = scale::run(&pairs, cfg, progress);
    for (pair, o) in pairs.iter().zip(at_scale.per_pair) {
        results.set(Workload::AtScale, pair.server, pair.client, o);
    }
    results.scale_rows = at_scale.rows.into_iter().collect();
    results
}
