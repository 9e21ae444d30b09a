//! Benchmarks ovs-vswitchd side by side with the real Open vSwitch 3.1 in one
//! run, each switch in its own network namespace with two hosts (namespaces
//! joined by veth pairs, see `testkit::SwitchLab`):
//!
//! - 64-byte UDP packets per second forwarded host to host through a NORMAL
//!   bridge, then with 1,000 OpenFlow rules installed (that the traffic does
//!   not hit, so the classifier has to look past them); each with three
//!   senders and receivers: sockets at both ends, a raw generator into a
//!   held UDP port, a raw generator into frames host 2 drops at IP input
//!   (`traffic::Sink`);
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
mod report;
mod traffic;

use std::io::Write;
use std::time::Instant;

use testkit::{real_ovs, Flavor, Host, SwitchLab};
use traffic::{iperf3_gbps, raw_udp_pps, udp_pps, Sink};

struct Options {
    secs: f64,
    /// Rounds of the packet-rate phases, each on a fresh switch, the two
    /// switches taking turns; the figures are medians.
    rounds: usize,
    flows: usize,
    markdown: bool,
    flavors: Vec<Flavor>,
}

/// The packet rates of one round on one switch (packets per second).
#[derive(Default, Clone, Copy)]
struct Rates {
    normal: f64,
    rules: f64,
    normal_raw: f64,
    rules_raw: f64,
    normal_sink: f64,
    rules_sink: f64,
}

/// One switch's figures; the packet rates are medians over the rounds.
#[derive(Default, Clone)]
struct Figures {
    rounds: Vec<Rates>,
    normal_pps: f64,
    rules_pps: f64,
    /// The same two with the raw generator, counted at the receiving host's
    /// interface.
    normal_raw_pps: f64,
    rules_raw_pps: f64,
    /// The same two with frames the receiving host drops at IP input.
    normal_sink_pps: f64,
    rules_sink_pps: f64,
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
        Some("blast-send-raw") => run_send_raw(&args[1..]),
        Some("blast-hold") => run_hold(&args[1..]),
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
        rounds: 3,
        flows: 100_000,
        markdown: false,
        flavors: Flavor::BOTH.to_vec(),
    };
    for a in args {
        let (k, v) = a.split_once('=').unwrap_or((a.as_str(), ""));
        match k {
            "--secs" => opts.secs = v.parse().map_err(|_| format!("bad --secs {v}"))?,
            "--rounds" => {
                opts.rounds = v.parse().map_err(|_| format!("bad --rounds {v}"))?;
                if opts.rounds == 0 {
                    return Err("--rounds must be at least 1".into());
                }
            }
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
                "usage: switch-bench [--secs=5] [--rounds=3] [--flows=100000] [--only=real|oxvs] [--markdown]"
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

fn run_send_raw(args: &[String]) -> i32 {
    let (Some(ifname), Some(frame), Some(secs)) = (
        args.first(),
        args.get(1).and_then(|h| decode_hex(h)),
        args.get(2).and_then(|s| s.parse().ok()),
    ) else {
        eprintln!("blast-send-raw IFNAME FRAME-HEX SECS");
        return 2;
    };
    match blast::send_raw(ifname, &frame, secs) {
        Ok((n, elapsed)) => {
            println!("{n} {elapsed}");
            0
        }
        Err(e) => {
            eprintln!("blast-send-raw: {e}");
            1
        }
    }
}

fn run_hold(args: &[String]) -> i32 {
    let Some(port) = args.first().and_then(|s| s.parse().ok()) else {
        eprintln!("blast-hold PORT");
        return 2;
    };
    match blast::hold(port) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("blast-hold: {e}");
            1
        }
    }
}

fn decode_hex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| s.get(i..i + 2).and_then(|b| u8::from_str_radix(b, 16).ok()))
        .collect()
}

fn bench(opts: &Options) -> i32 {
    let mut rounds: Vec<(Flavor, Vec<Rates>)> =
        opts.flavors.iter().map(|&f| (f, Vec::new())).collect();
    let mut failed: Vec<(Flavor, String)> = Vec::new();
    for round in 0..opts.rounds {
        // Alternate which switch goes first, so a drift in the machine's
        // speed over the run lands on both alike.
        let mut order = opts.flavors.clone();
        if round % 2 == 1 {
            order.reverse();
        }
        for flavor in order {
            if failed.iter().any(|(f, _)| *f == flavor) {
                continue;
            }
            eprintln!(
                "switch-bench: round {}/{}: packet rates of {flavor:?}...",
                round + 1,
                opts.rounds
            );
            match catch_panic(|| measure_rates(flavor, opts)) {
                Ok(r) => {
                    if let Some((_, v)) = rounds.iter_mut().find(|(f, _)| *f == flavor) {
                        v.push(r);
                    }
                }
                Err(e) => failed.push((flavor, e)),
            }
        }
    }
    let mut results: Vec<(Flavor, Result<Figures, String>)> = Vec::new();
    for &flavor in &opts.flavors {
        if let Some((_, e)) = failed.iter().find(|(f, _)| *f == flavor) {
            results.push((flavor, Err(e.clone())));
            continue;
        }
        eprintln!("switch-bench: TCP and flow installs of {flavor:?}...");
        let per_round = rounds
            .iter()
            .find(|(f, _)| *f == flavor)
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        let r = catch_panic(|| measure_rest(flavor, opts)).map(|mut f| {
            f.normal_pps = median(per_round.iter().map(|r| r.normal));
            f.rules_pps = median(per_round.iter().map(|r| r.rules));
            f.normal_raw_pps = median(per_round.iter().map(|r| r.normal_raw));
            f.rules_raw_pps = median(per_round.iter().map(|r| r.rules_raw));
            f.normal_sink_pps = median(per_round.iter().map(|r| r.normal_sink));
            f.rules_sink_pps = median(per_round.iter().map(|r| r.rules_sink));
            f.rounds = per_round;
            f
        });
        results.push((flavor, r));
    }
    report::report(&results, opts);
    0
}

fn catch_panic<T>(f: impl FnOnce() -> T + std::panic::UnwindSafe) -> Result<T, String> {
    std::panic::catch_unwind(f).map_err(|e| {
        e.downcast_ref::<String>()
            .cloned()
            .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_else(|| "panicked".into())
    })
}

/// The middle value (the mean of the two middle ones for an even count).
fn median(values: impl Iterator<Item = f64>) -> f64 {
    let mut v: Vec<f64> = values.collect();
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => 0.0,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

/// A switch with two hosts on bridge `br0` that can reach each other.
fn two_host_lab(flavor: Flavor) -> (SwitchLab, Host, Host) {
    let mut lab = SwitchLab::start("switch-bench", flavor);
    lab.add_bridge("br0");
    let h1 = lab.add_host("h1", "10.2.0.1/24");
    let h2 = lab.add_host("h2", "10.2.0.2/24");
    lab.vsctl(&["add-port", "br0", &h1.port]);
    lab.vsctl(&["add-port", "br0", &h2.port]);
    assert!(lab.can_ping(&h1, &h2.ip), "{flavor:?}: h1 cannot ping h2");
    assert!(lab.can_ping(&h2, &h1.ip), "{flavor:?}: h2 cannot ping h1");
    (lab, h1, h2)
}

/// One round of the six packet-rate phases on a fresh switch.
fn measure_rates(flavor: Flavor, opts: &Options) -> Rates {
    let (lab, h1, h2) = two_host_lab(flavor);
    let mut r = Rates {
        normal: udp_pps(&lab, &h1, &h2, opts.secs),
        normal_raw: raw_udp_pps(&lab, &h1, &h2, opts.secs, Sink::UdpPort),
        normal_sink: raw_udp_pps(&lab, &h1, &h2, opts.secs, Sink::OtherHost),
        ..Rates::default()
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
    r.rules = udp_pps(&lab, &h1, &h2, opts.secs);
    r.rules_raw = raw_udp_pps(&lab, &h1, &h2, opts.secs, Sink::UdpPort);
    r.rules_sink = raw_udp_pps(&lab, &h1, &h2, opts.secs, Sink::OtherHost);
    r
}

/// TCP throughput, flow installs and RSS, once, on a fresh switch.
fn measure_rest(flavor: Flavor, opts: &Options) -> Figures {
    let (lab, h1, h2) = two_host_lab(flavor);
    let mut f = Figures {
        tcp_gbps: iperf3_gbps(&lab, &h1, &h2, opts.secs),
        ..Figures::default()
    };
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_odd_and_even_counts() {
        assert_eq!(median([3.0, 1.0, 2.0].into_iter()), 2.0);
        assert_eq!(median([4.0, 1.0, 3.0, 2.0].into_iter()), 2.5);
        assert_eq!(median(std::iter::empty()), 0.0);
    }

    #[test]
    fn hex_frames_decode_or_are_refused() {
        assert_eq!(decode_hex("00ff10"), Some(vec![0, 0xff, 0x10]));
        assert_eq!(decode_hex("0"), None);
        assert_eq!(decode_hex("zz"), None);
    }

    #[test]
    fn rounds_option_is_checked() {
        let args = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            parse_options(&args(&["--rounds=5"])).map(|o| o.rounds),
            Ok(5)
        );
        assert!(parse_options(&args(&["--rounds=0"])).is_err());
        assert!(parse_options(&args(&["--rounds=x"])).is_err());
    }
}
