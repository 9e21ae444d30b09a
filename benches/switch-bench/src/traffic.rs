//! The traffic phases: UDP blasts between the hosts (socket to socket, and
//! the raw generator counted at the receiving interface) and iperf3 TCP.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Instant;

use testkit::{Host, SwitchLab};

use crate::blast;

pub(crate) fn self_exe() -> PathBuf {
    std::env::current_exe().unwrap_or_else(|_| PathBuf::from("switch-bench"))
}

/// Packets per second `to` received from `from`'s UDP blast.
pub(crate) fn udp_pps(lab: &SwitchLab, from: &Host, to: &Host, secs: f64) -> f64 {
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

/// What the receiving host does with the frames the raw generator's blast
/// brings it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Sink {
    /// Addressed to the host: its IP and UDP layers take each datagram to a
    /// socket that holds the port (so no ICMP answers) and never reads.
    UdpPort,
    /// Addressed to a MAC the host does not own, which the switch learned
    /// on the host's port: the host's kernel counts each frame and drops it
    /// at IP input. The least work a receiver can do, so the figure is the
    /// switch's and the generator's, not the receiving stack's: with veth,
    /// that stack runs on the CPU of whoever transmits into it, i.e. in the
    /// switch's own context.
    OtherHost,
}

/// A MAC no host owns, taught to the switch as living on the sink's port.
const SINK_MAC: [u8; 6] = [0x02, 0x5e, 0x00, 0x00, 0x99, 0x99];

/// Packets per second that reach `to`'s interface while `from` runs the raw
/// generator (`blast::send_raw`) for `secs`: what the switch forwarded,
/// counted by the receiving host's kernel, with no reader competing for the
/// CPUs; `sink` says what the host then does with them.
pub(crate) fn raw_udp_pps(lab: &SwitchLab, from: &Host, to: &Host, secs: f64, sink: Sink) -> f64 {
    let exe = self_exe();
    if sink == Sink::OtherHost {
        teach_sink_mac(lab, to);
    }
    let mut holder = Command::new(testkit::real_switch::IP)
        .args(["netns", "exec", &to.netns])
        .arg(&exe)
        .args(["blast-hold", "9999"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("blast-hold: {e}"));
    let mut lines = BufReader::new(holder.stdout.take().expect("piped stdout")).lines();
    let ready = lines.next().and_then(Result::ok).unwrap_or_default();
    assert_eq!(ready, "ready", "blast-hold did not start");
    let parse_mac = |m: &str| -> [u8; 6] {
        let mut out = [0u8; 6];
        for (o, p) in out.iter_mut().zip(m.split(':')) {
            *o = u8::from_str_radix(p, 16).unwrap_or_else(|_| panic!("bad MAC {m}"));
        }
        out
    };
    let parse_ip = |a: &str| -> [u8; 4] {
        a.parse::<std::net::Ipv4Addr>()
            .unwrap_or_else(|_| panic!("bad IPv4 {a}"))
            .octets()
    };
    let dst_mac = match sink {
        Sink::UdpPort => parse_mac(&to.mac),
        Sink::OtherHost => SINK_MAC,
    };
    let frame = blast::udp_frame(
        parse_mac(&from.mac),
        dst_mac,
        parse_ip(&from.ip),
        parse_ip(&to.ip),
        40000,
        9999,
    );
    let hex: String = frame.iter().map(|b| format!("{b:02x}")).collect();
    let rx = || -> u64 {
        lab.in_netns(
            &to.netns,
            &["cat", "/sys/class/net/eth0/statistics/rx_packets"],
        )
        .trim()
        .parse()
        .unwrap_or_else(|e| panic!("rx_packets of {}: {e}", to.netns))
    };
    let before = rx();
    let out = lab.in_netns(
        &from.netns,
        &[
            &exe.to_string_lossy(),
            "blast-send-raw",
            "eth0",
            &hex,
            &secs.to_string(),
        ],
    );
    let mut it = out.split_whitespace();
    let sent: u64 = it.next().and_then(|s| s.parse().ok()).unwrap_or(0);
    let elapsed: f64 = it.next().and_then(|s| s.parse().ok()).unwrap_or(0.0);
    // Frames still in the switch arrive within moments: wait until the
    // counter stops moving.
    let mut after = rx();
    let settle = Instant::now();
    loop {
        std::thread::sleep(std::time::Duration::from_millis(50));
        let now = rx();
        if now == after || settle.elapsed() > std::time::Duration::from_secs(2) {
            after = now;
            break;
        }
        after = now;
    }
    drop(holder.stdin.take());
    let _ = holder.wait();
    let received = after.saturating_sub(before);
    eprintln!(
        "  {:?} (raw, {sink:?}): sent {sent} in {elapsed:.2}s, {received} arrived ({:.1}%)",
        lab.flavor(),
        if sent > 0 {
            received as f64 * 100.0 / sent as f64
        } else {
            0.0
        }
    );
    if elapsed > 0.0 {
        received as f64 / elapsed
    } else {
        0.0
    }
}

/// Makes the switch learn [`SINK_MAC`] on `to`'s port: `to` broadcasts one
/// frame from it (of an EtherType nobody handles) and we wait until the
/// MAC table shows it.
fn teach_sink_mac(lab: &SwitchLab, to: &Host) {
    let mac_text: Vec<String> = SINK_MAC.iter().map(|b| format!("{b:02x}")).collect();
    let frame = format!("ffffffffffff{}88b5{}", mac_text.concat(), "00".repeat(46));
    let mac_text = mac_text.join(":");
    let learned = testkit::wait_until(
        std::time::Duration::from_secs(10),
        "the switch to learn the sink's MAC",
        || {
            lab.send_frame(to, &frame);
            lab.appctl(&["fdb/show", "br0"]).contains(&mac_text)
        },
    );
    if let Err(e) = learned {
        panic!("{e}");
    }
}

/// iperf3 TCP throughput from `from` to `to`, in Gbit/s.
pub(crate) fn iperf3_gbps(lab: &SwitchLab, from: &Host, to: &Host, secs: f64) -> f64 {
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
