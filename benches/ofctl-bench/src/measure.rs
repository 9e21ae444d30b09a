//! Running the workloads: one timed `ovs-ofctl` invocation at a time, checked for
//! having done the work, on fresh bridges of one real switch.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use testkit::RealSwitch;

use crate::options::Config;
use crate::report::{Outcome, Results, Side, Workload};

/// What one timed run printed.
pub struct Timed {
    pub elapsed: Duration,
    pub stdout: Vec<u8>,
}

/// Runs `program args` with the switch's environment, stdout captured (so a dump
/// costs its printing, as it would into a pipe), and returns its wall time. An
/// error says why the run does not count: it failed, or it ran past `timeout`
/// (then it is killed).
pub fn timed(
    sw: &RealSwitch,
    program: &Path,
    args: &[&str],
    timeout: Duration,
) -> Result<Timed, String> {
    let mut cmd: Command = sw.tool(program);
    cmd.args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let started = Instant::now();
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("cannot run {}: {e}", program.display()))?;
    // Drain both pipes while the child runs, or a big dump would block it.
    let mut stdout = child.stdout.take();
    let mut stderr = child.stderr.take();
    let out_thread = std::thread::spawn(move || {
        let mut buf = Vec::new();
        if let Some(s) = stdout.as_mut() {
            let _ = s.read_to_end(&mut buf);
        }
        buf
    });
    let err_thread = std::thread::spawn(move || {
        let mut buf = Vec::new();
        if let Some(s) = stderr.as_mut() {
            let _ = s.read_to_end(&mut buf);
        }
        buf
    });
    let pid = child.id();
    let (tx, rx) = mpsc::channel();
    let waiter = std::thread::spawn(move || {
        let _ = tx.send(child.wait());
        child
    });
    let status = match rx.recv_timeout(timeout) {
        Ok(status) => status.map_err(|e| format!("waiting for {}: {e}", program.display()))?,
        Err(_) => {
            kill(pid);
            let _ = waiter.join();
            return Err(format!(
                "{} {} took longer than {timeout:?}",
                program.display(),
                args.join(" ")
            ));
        }
    };
    let elapsed = started.elapsed();
    let _ = waiter.join();
    let stdout = out_thread.join().unwrap_or_default();
    let stderr = err_thread.join().unwrap_or_default();
    if !status.success() {
        return Err(format!(
            "{} {} failed ({status}): {}",
            program.display(),
            args.join(" "),
            String::from_utf8_lossy(&stderr)
                .lines()
                .next()
                .unwrap_or("")
        ));
    }
    Ok(Timed { elapsed, stdout })
}

/// SIGKILL to a child that ran too long.
fn kill(pid: u32) {
    if let Ok(pid) = libc::pid_t::try_from(pid) {
        // SAFETY: kill(2) takes plain integers; `pid` is our child, not yet reaped
        // (the waiter thread is still blocked in wait() on it).
        unsafe {
            libc::kill(pid, libc::SIGKILL);
        }
    }
}

/// The real tool's view of how many flows `bridge` holds.
fn flow_count(sw: &RealSwitch, bridge: &str) -> Result<usize, String> {
    let out = sw.ofctl_real(&["dump-aggregate", bridge]);
    if !out.success() {
        return Err(format!("dump-aggregate {bridge}: {}", out.stderr));
    }
    out.stdout
        .split("flow_count=")
        .nth(1)
        .and_then(|s| s.trim().parse().ok())
        .ok_or_else(|| format!("no flow_count in {:?}", out.stdout))
}

/// The two tools, the reference's first.
pub struct Tools {
    pub theirs: PathBuf,
    pub ours: Result<PathBuf, String>,
}

/// The median of some durations, in seconds.
fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

/// Runs every workload `config.runs` times per tool, alternating the tools, and
/// reports progress through `step`.
pub fn run(tools: &Tools, config: &Config, step: &mut dyn FnMut(&str)) -> Results {
    let mut results = Results {
        flows: config.flows,
        runs: config.runs,
        ours: tools.ours.as_ref().map(|_| ()).map_err(Clone::clone),
        ..Results::default()
    };
    let sw = RealSwitch::start("ofctl-bench");
    let file = sw.rundir().file("flows.txt");
    if let Err(e) = std::fs::write(&file, crate::flows::flows_file(config.flows)) {
        panic!("cannot write {}: {e}", file.display());
    }
    let file = file.display().to_string();
    let sides: Vec<(Side, PathBuf)> = std::iter::once((Side::Theirs, tools.theirs.clone()))
        .chain(tools.ours.as_ref().ok().map(|p| (Side::Ours, p.clone())))
        .collect();
    let mut times: std::collections::BTreeMap<(Workload, Side), Result<Vec<f64>, String>> =
        Default::default();
    let mut bridge_no = 0;
    let mut record = |w: Workload, side: Side, r: Result<f64, String>| {
        let e = times.entry((w, side)).or_insert_with(|| Ok(Vec::new()));
        match (e.as_mut(), r) {
            (Ok(v), Ok(t)) => v.push(t),
            (Ok(_), Err(err)) => *e = Err(err),
            (Err(_), _) => {}
        }
    };
    for run in 0..config.runs {
        for (side, program) in &sides {
            for (w, extra) in [
                (Workload::AddFlows, vec!["add-flows"]),
                (
                    Workload::AddFlowsBundle,
                    vec!["-O", "OpenFlow14", "--bundle", "add-flows"],
                ),
            ] {
                bridge_no += 1;
                let bridge = format!("bb{bridge_no}");
                sw.add_bridge(&bridge);
                step(&format!(
                    "run {}/{}: {} {} onto {bridge}",
                    run + 1,
                    config.runs,
                    side.name(),
                    w.label(config.flows)
                ));
                let mut args = extra.clone();
                args.extend([bridge.as_str(), file.as_str()]);
                let r = timed(&sw, program, &args, config.timeout).and_then(|t| {
                    let n = flow_count(&sw, &bridge)?;
                    if n == config.flows {
                        Ok(t.elapsed.as_secs_f64())
                    } else {
                        Err(format!(
                            "the bridge holds {n} flows after add-flows, not {}",
                            config.flows
                        ))
                    }
                });
                record(w, *side, r);
                if w == Workload::AddFlows && run == 0 {
                    // Keep the first filled bridge for the dumps; the rest go.
                    results.dump_bridge.get_or_insert(bridge.clone());
                } else {
                    sw.del_bridge(&bridge);
                }
            }
        }
    }
    // Dumps, all from the one bridge the real tool filled.
    if let Some(bridge) = results.dump_bridge.clone() {
        for run in 0..config.runs {
            for (side, program) in &sides {
                step(&format!(
                    "run {}/{}: {} dump-flows of {bridge}",
                    run + 1,
                    config.runs,
                    side.name()
                ));
                let r =
                    timed(&sw, program, &["dump-flows", &bridge], config.timeout).and_then(|t| {
                        // One " cookie=..." line per flow, and a header line per
                        // reply message.
                        let lines = t
                            .stdout
                            .split(|&b| b == b'\n')
                            .filter(|l| l.starts_with(b" cookie="))
                            .count();
                        if lines == config.flows {
                            Ok(t.elapsed.as_secs_f64())
                        } else {
                            Err(format!(
                                "dump-flows printed {lines} flows, not {}",
                                config.flows
                            ))
                        }
                    });
                record(Workload::DumpFlows, *side, r);
            }
        }
    }
    for ((w, side), r) in times {
        let o: Outcome = r.map(median);
        results.values.insert((w, side), o);
    }
    results
}
