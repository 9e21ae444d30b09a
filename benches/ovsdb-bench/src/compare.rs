//! Runs the workloads against both servers, taking turns.
//!
//! On a shared 2-core machine other work comes and goes; running all of one server
//! and then all of the other would let a burst land on one side only. So both servers
//! are up at once and every workload alternates between them in small pieces (slices
//! of the transaction run, groups of commits, single bulk transactions, single `show`
//! runs), with the order flipped every round.

use crate::bulk::{BulkStats, Loader};
use crate::client::{self, Base};
use crate::monitor::MonitorSet;
use crate::options::Config;
use crate::report::{Metric, Results};
use crate::rss;
use crate::server::{Server, ServerSpec};
use crate::show;
use crate::single::SingleTxn;

/// How many pieces the single-transaction run and the measured commits are cut into.
pub const ROUNDS: usize = 20;

/// The figures of both servers.
#[derive(Debug)]
pub struct Outcomes {
    pub theirs: Results,
    /// Why ours has no figures, if it could not be run at all.
    pub ours: Result<Results, String>,
}

/// Benchmarks `theirs` and, unless it is an error, `ours`. Fails only when the
/// reference cannot be run: without it there is nothing to compare against.
pub fn run(
    theirs: &ServerSpec,
    ours: Result<&ServerSpec, String>,
    cfg: &Config,
    progress: &mut dyn FnMut(&str),
) -> Result<Outcomes, String> {
    let mut specs = vec![theirs];
    let mut ours_unavailable = None;

    // Workloads 1 and 5 share a small database per server: neither grows it.
    let mut small = vec![start(theirs, cfg).map_err(|e| format!("theirs: {e}"))?];
    match ours {
        Ok(spec) => match start(spec, cfg) {
            Ok(s) => {
                specs.push(spec);
                small.push(s);
            }
            Err(e) => ours_unavailable = Some(e),
        },
        Err(e) => ours_unavailable = Some(e),
    }
    let mut results = vec![Results::default(); specs.len()];

    progress("single-row transactions");
    let mut singles: Vec<_> = small
        .iter()
        .map(|(srv, base)| SingleTxn::new(srv, base, cfg))
        .collect();
    let slice = cfg.txn_duration / ROUNDS as u32;
    let max = cfg.txn_max.map(|m| m.div_ceil(ROUNDS as u64));
    for round in 0..ROUNDS {
        turn(&mut singles, round, |_, s| s.slice(slice, max));
    }
    for (r, s) in results.iter_mut().zip(singles) {
        r.set(Metric::SingleTxn, s.and_then(|s| s.rate()));
    }

    progress(&format!(
        "update latency to {} monitoring clients",
        cfg.monitors
    ));
    let mut sets: Vec<_> = small
        .iter()
        .map(|(srv, base)| MonitorSet::start(srv, base, cfg))
        .collect();
    for round in 0..ROUNDS {
        turn(&mut sets, round, |_, s| {
            s.measure(share(cfg.commits, round))
        });
    }
    for (r, s) in results.iter_mut().zip(sets) {
        let lat = s.and_then(|s| s.latency());
        r.set(
            Metric::MonitorP50,
            lat.as_ref().map(|l| l.p50_ms).map_err(Clone::clone),
        );
        r.set(Metric::MonitorP99, lat.map(|l| l.p99_ms));
    }
    drop(small);

    // Workloads 2, 4 and 3 grow one database per server step by step.
    let big: Vec<Result<(Server, Base), String>> = specs.iter().map(|s| start(s, cfg)).collect();
    progress(&format!("bulk insert up to {} rows", cfg.bulk_rows));
    let mut loaders: Vec<Result<(Loader, BulkStats), String>> = big
        .iter()
        .map(|s| {
            let (srv, base) = s.as_ref().map_err(Clone::clone)?;
            Ok((Loader::new(srv, base, cfg)?, BulkStats::default()))
        })
        .collect();
    grow(&mut loaders, cfg.bulk_rows);
    for (r, l) in results.iter_mut().zip(&loaders) {
        match l {
            Ok((loader, stats)) => {
                r.bulk_rows = Some(loader.rows());
                r.set(Metric::BulkInsert, Ok(stats.rows_per_sec()));
            }
            Err(e) => r.set(Metric::BulkInsert, Err(e.clone())),
        }
    }

    progress(&format!(
        "ovs-vsctl show with {} rows, {} runs",
        cfg.bulk_rows, cfg.show_runs
    ));
    let mut shows: Vec<Result<(Vec<f64>, usize), String>> = loaders
        .iter()
        .map(|l| match l {
            Ok(_) => Ok((Vec::new(), 0)),
            Err(_) => Err("skipped: bulk insert failed".into()),
        })
        .collect();
    for round in 0..cfg.show_runs {
        turn(&mut shows, round, |i, (times, lines)| {
            let (srv, _) = big[i].as_ref().map_err(Clone::clone)?;
            let (secs, n) = show::once(srv, cfg)?;
            times.push(secs);
            *lines = n;
            Ok(())
        });
    }
    for (r, s) in results.iter_mut().zip(shows) {
        match s {
            Ok((mut times, lines)) => {
                r.show_lines = Some(lines);
                r.set(Metric::ShowTime, Ok(show::median(&mut times)));
            }
            Err(e) => r.set(Metric::ShowTime, Err(e)),
        }
    }

    progress(&format!("growing to {} rows for RSS", cfg.rss_rows));
    grow(&mut loaders, cfg.rss_rows);
    for (i, (r, l)) in results.iter_mut().zip(&loaders).enumerate() {
        let mem = match (l, &big[i]) {
            (Ok((loader, _)), Ok((srv, _))) => {
                r.rss_rows = Some(loader.rows());
                rss::read(srv.pid())
            }
            (Err(e), _) | (_, Err(e)) => Err(e.clone()),
        };
        r.set(
            Metric::Rss,
            mem.as_ref().map(|m| m.rss_mib()).map_err(Clone::clone),
        );
        r.set(Metric::PeakRss, mem.map(|m| m.hwm_mib()));
    }

    let mut results = results.into_iter();
    let theirs = results.next().unwrap_or_default();
    let ours = match ours_unavailable {
        Some(e) => Err(e),
        None => results.next().ok_or_else(|| "not run".to_string()),
    };
    Ok(Outcomes { theirs, ours })
}

fn start(spec: &ServerSpec, cfg: &Config) -> Result<(Server, Base), String> {
    let server = Server::start(spec, cfg)?;
    let base = client::setup_base(&server)?;
    Ok((server, base))
}

/// One round: every side still standing takes its turn, in an order that flips each
/// round. A side that fails keeps its error and sits out the rest.
fn turn<S>(
    sides: &mut [Result<S, String>],
    round: usize,
    mut f: impl FnMut(usize, &mut S) -> Result<(), String>,
) {
    let n = sides.len();
    for k in 0..n {
        let i = if round.is_multiple_of(2) {
            k
        } else {
            n - 1 - k
        };
        if let Ok(s) = &mut sides[i] {
            if let Err(e) = f(i, s) {
                sides[i] = Err(e);
            }
        }
    }
}

/// Bulk transactions, one per side in turn, until every side has `target` rows.
fn grow(loaders: &mut [Result<(Loader, BulkStats), String>], target: usize) {
    let mut round = 0;
    loop {
        let mut busy = false;
        turn(loaders, round, |_, (loader, stats)| {
            busy |= loader.step(target, stats)?;
            Ok(())
        });
        if !busy {
            return;
        }
        round += 1;
    }
}

/// Round `round`'s part of `total` when split into [`ROUNDS`] near-equal parts.
fn share(total: usize, round: usize) -> usize {
    total / ROUNDS + usize::from(round < total % ROUNDS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_add_up() {
        for total in [0, 1, 4, 5, 7, 200] {
            let sum: usize = (0..ROUNDS).map(|r| share(total, r)).sum();
            assert_eq!(sum, total);
        }
    }

    #[test]
    fn turns_alternate_and_failed_sides_sit_out() {
        let mut sides: Vec<Result<Vec<usize>, String>> = vec![Ok(vec![]), Ok(vec![])];
        let mut order = Vec::new();
        for round in 0..3 {
            turn(&mut sides, round, |i, v| {
                order.push(i);
                v.push(round);
                if i == 1 && round == 1 {
                    return Err("broke".into());
                }
                Ok(())
            });
        }
        assert_eq!(order, [0, 1, 1, 0, 0]);
        assert_eq!(sides[0], Ok(vec![0, 1, 2]));
        assert_eq!(sides[1], Err("broke".into()));
    }
}
