//! Workload 4: wall time of the real `ovs-vsctl show` against the server.
//!
//! The real client is used for both servers, so the figure covers what an operator
//! waits for: connect, fetch every table `show` needs, print.

use std::process::{Command, Stdio};
use std::time::Instant;

use crate::options::Config;
use crate::server::{self, Server};

#[derive(Clone, Debug)]
pub struct ShowStats {
    pub median_secs: f64,
    /// Lines printed (the same for both servers when they hold the same rows).
    pub lines: usize,
}

/// Runs `show` `cfg.show_runs` times and reports the median.
pub fn run(server: &Server, cfg: &Config) -> Result<ShowStats, String> {
    let mut times = Vec::with_capacity(cfg.show_runs);
    let mut lines = 0;
    for _ in 0..cfg.show_runs {
        let (secs, n) = once(server, cfg)?;
        times.push(secs);
        lines = n;
    }
    Ok(ShowStats {
        median_secs: median(&mut times),
        lines,
    })
}

/// One `ovs-vsctl show`: its wall time in seconds and the lines it printed.
pub fn once(server: &Server, cfg: &Config) -> Result<(f64, usize), String> {
    let started = Instant::now();
    let out = Command::new(&cfg.vsctl)
        .arg(format!("--db=unix:{}", server.sock().display()))
        // ovs-vsctl's own timeout bounds a run against a hung server.
        .arg(format!("--timeout={}", cfg.timeout.as_secs().max(1)))
        .arg("show")
        .envs(server::tool_env(server))
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run {}: {e}", cfg.vsctl.display()))?;
    let secs = started.elapsed().as_secs_f64();
    if !out.status.success() {
        return Err(format!(
            "ovs-vsctl show failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    let text = String::from_utf8_lossy(&out.stdout);
    if !text.contains("Bridge br0") {
        return Err("ovs-vsctl show did not print bridge br0".into());
    }
    Ok((secs, text.lines().count()))
}

/// The median (the mean of the middle two for an even count); 0 for no samples.
pub fn median(samples: &mut [f64]) -> f64 {
    if samples.is_empty() {
        return 0.0;
    }
    samples.sort_by(f64::total_cmp);
    let n = samples.len();
    if n % 2 == 1 {
        samples[n / 2]
    } else {
        (samples[n / 2 - 1] + samples[n / 2]) / 2.0
    }
}

#[cfg(test)]
mod tests {
    use super::median;

    #[test]
    fn median_of_odd_and_even_counts() {
        assert_eq!(median(&mut [3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&mut [4.0, 1.0, 3.0, 2.0]), 2.5);
        assert_eq!(median(&mut []), 0.0);
    }
}
