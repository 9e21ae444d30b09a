//! Microbenchmark (root required): packets per second through a two-port
//! forwarder built on `system` netdevs. A generator thread blasts 64-byte frames
//! into veth b6 with sendmmsg (through a `system` netdev too); we `recv` batches from its peer a6 and
//! `send_batch` them to c6 (whose peer d6 drops them). Prints what arrived at
//! a6 and what we forwarded, per second, and the drop counters.
//!
//! Run: `cargo bench -p netdev --bench veth_pps [-- SECONDS]`.

use std::collections::BTreeMap;
use std::fs::File;
use std::os::fd::AsRawFd;
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use netdev::{Batch, Netdev};

fn ip(args: &[&str]) {
    let out = Command::new("ip").args(args).output().expect("run ip");
    assert!(
        out.status.success(),
        "ip {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

struct Netns(String);

impl Netns {
    fn new(tag: &str) -> Netns {
        let name = format!("ndbench{tag}{}", std::process::id());
        ip(&["netns", "add", &name]);
        let _ = Command::new("ip")
            .args([
                "netns",
                "exec",
                &name,
                "sysctl",
                "-qw",
                "net.ipv6.conf.all.disable_ipv6=1",
            ])
            .output();
        Netns(name)
    }

    fn enter(&self) {
        let f = File::open(format!("/var/run/netns/{}", self.0)).expect("netns file");
        // SAFETY: valid descriptor and flag; changes only this thread's netns.
        let r = unsafe { libc::setns(f.as_raw_fd(), libc::CLONE_NEWNET) };
        assert_eq!(r, 0, "setns: {}", std::io::Error::last_os_error());
    }
}

impl Drop for Netns {
    fn drop(&mut self) {
        let _ = Command::new("ip").args(["netns", "del", &self.0]).output();
    }
}

/// Sends 64-byte frames in batches of 32 until `stop`.
fn generate(ns: &Netns, ifname: &str, stop: &AtomicBool) {
    ns.enter();
    let mut dev = netdev::open("system", ifname, &BTreeMap::new()).expect("open generator port");
    let mut frame = [0u8; 64];
    frame[..6].copy_from_slice(&[0x02, 0, 0, 0, 0, 0xd6]);
    frame[6..12].copy_from_slice(&[0x02, 0, 0, 0, 0, 0xb6]);
    frame[12..14].copy_from_slice(&0x88b5u16.to_be_bytes());
    let frames: [&[u8]; 32] = [&frame; 32];
    while !stop.load(Ordering::Relaxed) {
        let _ = dev.send(&frames);
    }
}

fn main() {
    let secs: u64 = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(3);
    let (ours, gen_ns, sink) = (Netns::new("o"), Netns::new("g"), Netns::new("s"));
    ip(&[
        "-n", &ours.0, "link", "add", "a6", "type", "veth", "peer", "name", "b6", "netns",
        &gen_ns.0,
    ]);
    ip(&[
        "-n", &ours.0, "link", "add", "c6", "type", "veth", "peer", "name", "d6", "netns", &sink.0,
    ]);
    for (ns, dev) in [(&ours, "a6"), (&ours, "c6"), (&gen_ns, "b6"), (&sink, "d6")] {
        ip(&["-n", &ns.0, "link", "set", dev, "up"]);
    }

    let stop = Arc::new(AtomicBool::new(false));
    let gen = {
        let stop = Arc::clone(&stop);
        let name = gen_ns.0.clone();
        std::thread::spawn(move || {
            let ns = Netns(name);
            generate(&ns, "b6", &stop);
            std::mem::forget(ns); // the main thread owns the namespace
        })
    };

    ours.enter();
    let mut a = netdev::open("system", "a6", &BTreeMap::new()).expect("open a6");
    let mut c = netdev::open("system", "c6", &BTreeMap::new()).expect("open c6");
    let mut batch = Batch::new();
    // Warm up: buffers allocated, caches and socket queues primed.
    let warm = Instant::now() + Duration::from_millis(500);
    while Instant::now() < warm {
        let _ = a.recv(&mut batch);
    }
    let fwd = measure(&mut *a, Some(&mut *c), &mut batch, secs);
    let rx_only = measure(&mut *a, None, &mut batch, secs);
    stop.store(true, Ordering::Relaxed);
    let _ = gen.join();
    let a_stats = a.stats();
    let c_stats = c.stats();
    println!("veth_pps: {secs}s per phase, 64-byte frames, batches of up to 32");
    for (label, m) in [("recv a6 + send c6", &fwd), ("recv a6 only", &rx_only)] {
        println!(
            "  {label:<18} {:>10.0} pkt/s (arrived at a6: {:>10.0} pkt/s, average batch {:.1})",
            m.packets as f64 / m.seconds,
            m.arrived as f64 / m.seconds,
            m.packets as f64 / m.batches.max(1) as f64
        );
    }
    println!(
        "  a6 rx_dropped (kernel + socket queue) {}, c6 tx_dropped {}",
        a_stats.rx_dropped, c_stats.tx_dropped
    );
}

struct Measured {
    packets: u64,
    batches: u64,
    arrived: u64,
    seconds: f64,
}

/// Receives batches from `a` (forwarding each to `c` if given) for `secs`.
fn measure(
    a: &mut dyn Netdev,
    mut c: Option<&mut dyn Netdev>,
    batch: &mut Batch,
    secs: u64,
) -> Measured {
    let arrived_start = a.stats().rx_packets;
    let (mut packets, mut batches) = (0u64, 0u64);
    let start = Instant::now();
    let end = start + Duration::from_secs(secs);
    while Instant::now() < end {
        let n = a.recv(batch).unwrap_or(0);
        if n == 0 {
            continue;
        }
        if let Some(c) = c.as_deref_mut() {
            c.send_batch(batch).expect("send to c6");
        }
        packets += n as u64;
        batches += 1;
    }
    let seconds = start.elapsed().as_secs_f64();
    Measured {
        packets,
        batches,
        arrived: a.stats().rx_packets - arrived_start,
        seconds,
    }
}
