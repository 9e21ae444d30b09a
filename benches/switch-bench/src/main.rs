//! Benchmarks ovs-vswitchd side by side with the real Open vSwitch 3.1 in one
//! run, each switch in its own network namespace with two hosts (namespaces
//! joined by veth pairs, see `testkit::SwitchLab`):
//!
//! - 64-byte UDP packets per second forwarded host to host through a NORMAL
//!   bridge, then with 1,000 OpenFlow rules installed (that the traffic does
//!   not hit, so the classifier has to look past them);
//! - iperf3 TCP throughput host to host;
//! - time to install 100,000 flows with `ovs-ofctl add-flows`: once with
//!   each system's own ovs-ofctl (what a user of either system sees), once
//!   with the real ovs-ofctl for both (the same client; it waits for a
//!   barrier reply after every flow, so that figure is mostly round trips
//!   between the client and the switch), and the switch's RSS after.
//!
//! Prints each figure for both switches and the ratio ours/real. Run it with
//! `scripts/bench-switch` (builds our release binaries first). Needs root.

mod blast;

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Instant;

use testkit::{real_ovs, Flavor, Host, SwitchLab};

struct Options {
    secs: f64,
    flows: usize,
    markdown: bool,
    flavors: Vec<Flavor>,
}

#[derive(Default, Clone)]
struct Figures {
    normal_pps: f64,
    rules_pps: f64,
    tcp_gbps: f64,
    /// With the system's own ovs-ofctl.
    install_own_secs: f64,
    /// With the real ovs-ofctl.
    install_secs: f64,
    rss_mb: f64,
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let code = match args.first().map(String::as_str) {
        Some("blast-send") => run_send(&args[1..]),
        Some("blast-recv") => run_recv(&args[1..]),
        _ => match parse_options(&args) {
            Ok(opts) => bench(&opts),
            Err(e) => {
                eprintln!("switch-bench: {e}");
                2
            }
        },
    };
    std::process::exit(code);
}

fn parse_options(args: &[String]) -> Result<Options, String> {
    let mut opts = Options {
        secs: 5.0,
        flows: 100_000,
        markdown: false,
        flavors: Flavor::BOTH.to_vec(),
    };
    for a in args {
        let (k, v) = a.split_once('=').unwrap_or((a.as_str(), ""));
        match k {
            "--secs" => opts.secs = v.parse().map_err(|_| format!("bad --secs {v}"))?,
            "--flows" => opts.flows = v.parse().map_err(|_| format!("bad --flows {v}"))?,
            "--markdown" => opts.markdown = true,
            "--only" => {
                opts.flavors = match v {
                    "real" => vec![Flavor::Real],
                    "oxvs" => vec![Flavor::Oxvs],
                    _ => return Err(format!("--only=real|oxvs, not {v}")),
                }
            }
            "-h" | "--help" => return Err(
                "usage: switch-bench [--secs=5] [--flows=100000] [--only=real|oxvs] [--markdown]"
                    .into(),
            ),
            _ => return Err(format!("unknown option {a}")),
        }
    }
    Ok(opts)
}

fn run_send(args: &[String]) -> i32 {
    let (Some(dst), Some(secs)) = (args.first(), args.get(1).and_then(|s| s.parse().ok())) else {
        eprintln!("blast-send DST:PORT SECS");
        return 2;
    };
    match blast::send(dst, secs) {
        Ok(n) => {
            println!("{n}");
            0
        }
        Err(e) => {
            eprintln!("blast-send: {e}");
            1
        }
    }
}

fn run_recv(args: &[String]) -> i32 {
    let (Some(port), Some(secs)) = (
        args.first().and_then(|s| s.parse().ok()),
        args.get(1).and_then(|s| s.parse().ok()),
    ) else {
        eprintln!("blast-recv PORT SECS");
        return 2;
    };
    match blast::recv(port, secs) {
        Ok((n, span)) => {
            println!("{n} {span}");
            let _ = std::io::stdout().flush();
            0
        }
        Err(e) => {
            eprintln!("blast-recv: {e}");
            1
        }
    }
}

fn bench(opts: &Options) -> i32 {
    let mut results: Vec<(Flavor, Result<Figures, String>)> = Vec::new();
    for &flavor in &opts.flavors {
        eprintln!("switch-bench: measuring {flavor:?}...");
        let r = std::panic::catch_unwind(|| measure(flavor, opts)).map_err(|e| {
            e.downcast_ref::<String>()
                .cloned()
                .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "panicked".into())
        });
        results.push((flavor, r));
    }
    report(&results, opts);
    0
}

fn measure(flavor: Flavor, opts: &Options) -> Figures {
    let mut lab = SwitchLab::start("switch-bench", flavor);
    lab.add_bridge("br0");
    let h1 = lab.add_host("h1", "10.2.0.1/24");
    let h2 = lab.add_host("h2", "10.2.0.2/24");
    lab.vsctl(&["add-port", "br0", &h1.port]);
    lab.vsctl(&["add-port", "br0", &h2.port]);
    assert!(lab.can_ping(&h1, &h2.ip), "{flavor:?}: h1 cannot ping h2");
    assert!(lab.can_ping(&h2, &h1.ip), "{flavor:?}: h2 cannot ping h1");

    let mut f = Figures {
        normal_pps: udp_pps(&lab, &h1, &h2, opts.secs),
        ..Figures::default()
    };

    let rules: String = (0..1000)
        .map(|i| {
            format!(
                "priority=100,ip,nw_dst=10.9.{}.{},actions=drop\n",
                i / 256,
                i % 256
            )
        })
        .collect();
    add_flows(&lab, &rules);
    f.rules_pps = udp_pps(&lab, &h1, &h2, opts.secs);
    lab.ofctl(&["del-flows", "br0"]);
    lab.ofctl(&["add-flow", "br0", "priority=0,actions=NORMAL"]);

    f.tcp_gbps = iperf3_gbps(&lab, &h1, &h2, opts.secs);

    let flows = hundred_k_flows(opts.flows);
    let started = Instant::now();
    add_flows_with(&lab, &flows, &flavor.tool("ovs-ofctl"));
    f.install_own_secs = started.elapsed().as_secs_f64();
    lab.ofctl(&["del-flows", "br0"]);
    let started = Instant::now();
    add_flows(&lab, &flows);
    f.install_secs = started.elapsed().as_secs_f64();
    f.rss_mb = rss_mb(lab.vswitchd_pid());
    f
}

/// Installs `flows` with the real ovs-ofctl (so both switches get the same
/// client) and waits for it to finish.
fn add_flows(lab: &SwitchLab, flows: &str) {
    add_flows_with(lab, flows, std::path::Path::new(real_ovs::OVS_OFCTL));
}

/// Installs `flows` with the ovs-ofctl at `ofctl` and waits for it to finish.
fn add_flows_with(lab: &SwitchLab, flows: &str, ofctl: &std::path::Path) {
    let file = lab.rundir().file("flows.txt");
    if let Err(e) = std::fs::write(&file, flows) {
        panic!("writing {}: {e}", file.display());
    }
    let path = file.to_string_lossy().into_owned();
    let out = lab.tool_output_with(ofctl, &["add-flows", "br0", &path]);
    assert!(out.success(), "add-flows: {}", out.stderr);
}

/// 100k flows, mixed like a real table: L2, L3 and L4 matches at several
/// priorities, in 0-10 tables, with a few kinds of actions.
fn hundred_k_flows(n: usize) -> String {
    let mut s = String::with_capacity(n * 80);
    for i in 0..n {
        let (a, b) = ((i >> 8) & 0xff, i & 0xff);
        let line = match i % 4 {
            0 => format!("table={},priority={},ip,nw_src=10.{a}.{b}.1,actions=output:1\n", i % 10, 100 + i % 50),
            1 => format!("priority={},tcp,nw_dst=172.16.{a}.{b},tp_dst={},actions=mod_vlan_vid:{},output:2\n", 200 + i % 7, 1 + i % 60000, 1 + i % 4000),
            2 => format!("priority={},dl_src=02:00:00:00:{a:02x}:{b:02x},actions=resubmit(,1)\n", 300 + i % 3),
            _ => format!("table=1,priority={},udp,nw_dst=192.168.{a}.{b},tp_src={},actions=drop\n", 10 + i % 90, 1 + i % 60000),
        };
        s.push_str(&line);
    }
    s
}

fn self_exe() -> PathBuf {
    std::env::current_exe().unwrap_or_else(|_| PathBuf::from("switch-bench"))
}

/// Packets per second `to` received from `from`'s UDP blast.
fn udp_pps(lab: &SwitchLab, from: &Host, to: &Host, secs: f64) -> f64 {
    let exe = self_exe();
    let mut recv = Command::new(testkit::real_switch::IP)
        .args(["netns", "exec", &to.netns])
        .arg(&exe)
        .args(["blast-recv", "9999", &secs.to_string()])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("blast-recv: {e}"));
    let mut lines = BufReader::new(recv.stdout.take().expect("piped stdout")).lines();
    let ready = lines.next().and_then(Result::ok).unwrap_or_default();
    assert_eq!(ready, "ready", "blast-recv did not start");
    let sent = lab.in_netns(
        &from.netns,
        &[
            &exe.to_string_lossy(),
            "blast-send",
            &format!("{}:9999", to.ip),
            &secs.to_string(),
        ],
    );
    let result = lines.next().and_then(Result::ok).unwrap_or_default();
    let _ = recv.wait();
    let mut it = result.split_whitespace();
    let count: f64 = it.next().and_then(|s| s.parse().ok()).unwrap_or(0.0);
    let span: f64 = it.next().and_then(|s| s.parse().ok()).unwrap_or(0.0);
    eprintln!(
        "  {:?}: sent {} received {count} in {span:.2}s",
        lab.flavor(),
        sent.trim()
    );
    if span > 0.0 {
        count / span
    } else {
        0.0
    }
}

/// iperf3 TCP throughput from `from` to `to`, in Gbit/s.
fn iperf3_gbps(lab: &SwitchLab, from: &Host, to: &Host, secs: f64) -> f64 {
    let mut server = testkit::Daemon::builder(lab.rundir(), testkit::real_switch::IP)
        .name("iperf3-server")
        .args([
            "netns",
            "exec",
            &to.netns,
            "iperf3",
            "-s",
            "-1",
            "--forceflush",
        ])
        .arg("-B")
        .arg(&to.ip)
        .start();
    testkit::switch_lab::wait_for("iperf3 to listen", testkit::DEFAULT_TIMEOUT, || {
        server.stdout().contains("Server listening")
    });
    let out = testkit::run(lab.netns_command(&from.netns, "iperf3").args([
        "-c",
        &to.ip,
        "-t",
        &format!("{}", secs.max(1.0) as u64),
        "-J",
    ]));
    let _ = server.wait_exit(testkit::DEFAULT_TIMEOUT);
    assert!(out.success(), "iperf3: {}{}", out.stdout, out.stderr);
    out.stdout
        .split("\"sum_received\"")
        .nth(1)
        .and_then(|s| s.split("\"bits_per_second\":").nth(1))
        .map(|s| {
            s.trim_start()
                .chars()
                .take_while(|c| c.is_ascii_digit() || *c == '.' || *c == 'e' || *c == '+')
                .collect::<String>()
        })
        .and_then(|s| s.parse::<f64>().ok())
        .map_or(0.0, |bps| bps / 1e9)
}

fn rss_mb(pid: u32) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

fn report(results: &[(Flavor, Result<Figures, String>)], opts: &Options) {
    let get = |fl: Flavor| {
        results
            .iter()
            .find(|(f, _)| *f == fl)
            .and_then(|(_, r)| r.as_ref().ok())
            .cloned()
    };
    for (f, r) in results {
        if let Err(e) = r {
            println!("{f:?}: not measured: {}", e.lines().next().unwrap_or(""));
        }
    }
    let (real, ours) = (get(Flavor::Real), get(Flavor::Oxvs));
    type Metric = (&'static str, fn(&Figures) -> f64, &'static str, bool);
    let metrics: [Metric; 6] = [
        (
            "64-byte UDP, NORMAL (kpps)",
            |f| f.normal_pps / 1e3,
            "%",
            true,
        ),
        (
            "64-byte UDP, 1,000 rules (kpps)",
            |f| f.rules_pps / 1e3,
            "%",
            true,
        ),
        ("iperf3 TCP (Gbit/s)", |f| f.tcp_gbps, "%", true),
        (
            "install flows, own ovs-ofctl (s)",
            |f| f.install_own_secs,
            "%",
            false,
        ),
        (
            "install flows, real ovs-ofctl (s)",
            |f| f.install_secs,
            "%",
            false,
        ),
        ("ovs-vswitchd RSS after (MB)", |f| f.rss_mb, "%", false),
    ];
    if opts.markdown {
        println!("| measure | real OVS 3.1 | oxvs | ratio oxvs/real |");
        println!("|---|---|---|---|");
    }
    for (name, pick, _, _) in metrics {
        let r = real.as_ref().map(pick);
        let o = ours.as_ref().map(pick);
        let fmt = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{v:.2}"));
        let ratio = match (r, o) {
            (Some(r), Some(o)) if r > 0.0 => format!("{:.2}x", o / r),
            _ => "-".into(),
        };
        if opts.markdown {
            println!("| {name} | {} | {} | {ratio} |", fmt(r), fmt(o));
        } else {
            println!(
                "{name:<36} real {:>10}  oxvs {:>10}  ratio {ratio}",
                fmt(r),
                fmt(o)
            );
        }
    }
    if opts.flows != 100_000 {
        println!("(flows installed: {})", opts.flows);
    }
}
