//! Workload 1: the wall time of `ovs-vsctl --no-wait add-port br0 pN` as the bridge
//! grows, around the 1st, 100th and 1,000th port.
//!
//! Every pair (client × server) gets its own fresh database. Before each window of
//! timed invocations the bridge is bulk-loaded to just below the window (the rows are
//! those `add-port` writes, so the client finds the database as if it had added them
//! one by one), then the pairs take turns, one invocation each, the order flipped
//! every round.

use ovsdb_bench::show::median;

use crate::db::Db;
use crate::options::Config;
use crate::sides::{order, Pair};

/// The invocations timed around one point.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    /// The port count the window stands for: its median is "the Nth add-port".
    pub point: usize,
    /// The first port added in the window (`p{first}`), then `count` in a row.
    pub first: usize,
    pub count: usize,
}

impl Window {
    pub fn last(&self) -> usize {
        self.first + self.count - 1
    }
}

/// `runs` invocations centred on each point where the points leave room (never
/// before the 1st port, never overlapping the window before).
pub fn windows(points: &[usize], runs: usize) -> Vec<Window> {
    let mut out: Vec<Window> = Vec::with_capacity(points.len());
    let mut free = 1;
    for &point in points {
        let first = point.saturating_sub((runs.max(1) - 1) / 2).max(free);
        let w = Window {
            point,
            first,
            count: runs.max(1),
        };
        free = w.last() + 1;
        out.push(w);
    }
    out
}

/// One pair's database and what it has measured so far.
struct Lane {
    db: Result<Db, String>,
    /// Seconds per invocation, one list per window.
    samples: Vec<Vec<f64>>,
}

/// Runs the workload for every pair; for each pair (in `pairs` order) the median
/// seconds of each window (in `windows` order), or why there is none.
pub fn run(
    pairs: &[Pair],
    windows: &[Window],
    cfg: &Config,
    progress: &mut dyn FnMut(&str),
) -> Vec<Vec<Result<f64, String>>> {
    let mut lanes: Vec<Lane> = pairs
        .iter()
        .map(|p| Lane {
            db: Db::start(&p.server_spec, cfg),
            samples: Vec::new(),
        })
        .collect();
    let mut round = 0;
    for w in windows {
        progress(&format!(
            "add-port of ports {}..{} ({} per pair)",
            w.first,
            w.last(),
            w.count
        ));
        for lane in &mut lanes {
            lane.samples.push(Vec::with_capacity(w.count));
            if let Ok(db) = &mut lane.db {
                if let Err(e) = db.fill_to(w.first - 1) {
                    lane.db = Err(e);
                }
            }
        }
        for _ in 0..w.count {
            for i in order(lanes.len(), round) {
                let lane = &mut lanes[i];
                let Ok(db) = &mut lane.db else { continue };
                match db.add_port(&pairs[i].vsctl) {
                    Ok(took) => {
                        if let Some(s) = lane.samples.last_mut() {
                            s.push(took.as_secs_f64());
                        }
                    }
                    Err(e) => lane.db = Err(e),
                }
            }
            round += 1;
        }
    }
    lanes
        .into_iter()
        .map(|lane| {
            windows
                .iter()
                .enumerate()
                .map(|(k, w)| match lane.samples.get(k) {
                    Some(s) if s.len() == w.count => Ok(median(&mut s.clone())),
                    _ => Err(match &lane.db {
                        Err(e) => e.clone(),
                        Ok(_) => "not run".into(),
                    }),
                })
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn firsts(points: &[usize], runs: usize) -> Vec<(usize, usize)> {
        windows(points, runs)
            .iter()
            .map(|w| (w.first, w.last()))
            .collect()
    }

    #[test]
    fn windows_centre_on_their_point() {
        assert_eq!(firsts(&[1, 100, 1000], 5), [(1, 5), (98, 102), (998, 1002)]);
        assert_eq!(firsts(&[1, 100], 1), [(1, 1), (100, 100)]);
        assert_eq!(firsts(&[10], 4), [(9, 12)]);
    }

    #[test]
    fn windows_never_overlap() {
        assert_eq!(firsts(&[1, 3, 4], 5), [(1, 5), (6, 10), (11, 15)]);
    }
}
