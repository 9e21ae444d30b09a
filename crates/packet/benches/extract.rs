//! Microbenchmarks of flow extraction on a 64-byte UDP packet and of a
//! SetMasked rewrite (IPv4 source + UDP destination port) on it (std::time;
//! criterion is not in the workspace's lock file). Run with
//! `cargo bench -p packet --bench extract`.

use std::hint::black_box;
use std::time::Instant;

use openflow::flow_match::key::{self, FlowKey};

fn udp_key() -> FlowKey {
    let mut k = FlowKey::default();
    k.get_mut(key::DL_DST).copy_from_slice(&[0, 1, 2, 3, 4, 5]);
    k.get_mut(key::DL_SRC).copy_from_slice(&[0, 1, 2, 3, 4, 6]);
    k.set_uint(key::DL_TYPE, 0x0800);
    k.get_mut(key::NW_SRC).copy_from_slice(&[10, 0, 0, 1]);
    k.get_mut(key::NW_DST).copy_from_slice(&[10, 0, 0, 2]);
    k.set_uint(key::NW_TTL, 64);
    k.set_uint(key::NW_PROTO, 17);
    k.set_uint(key::TP_SRC, 1234);
    k.set_uint(key::TP_DST, 5678);
    k
}

/// This thread's CPU time: unlike wall time it does not count the time
/// other processes on a loaded machine take from us.
fn thread_cpu_ns() -> u128 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes into the timespec we own.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    ts.tv_sec as u128 * 1_000_000_000 + ts.tv_nsec as u128
}

fn main() {
    let mut pkt = packet::compose(&udp_key());
    pkt.resize(64, 0);
    let mut key = FlowKey::default();
    // Warm up, then take the best of several runs (the machine is shared).
    for _ in 0..100_000 {
        packet::extract(black_box(&pkt), &mut key);
    }
    let iters = 2_000_000u32;
    let mut best = f64::MAX;
    let mut best_cpu = f64::MAX;
    for _ in 0..5 {
        let t = Instant::now();
        let c = thread_cpu_ns();
        for _ in 0..iters {
            packet::extract(black_box(&pkt), black_box(&mut key));
        }
        best_cpu = best_cpu.min((thread_cpu_ns() - c) as f64 / f64::from(iters));
        best = best.min(t.elapsed().as_nanos() as f64 / f64::from(iters));
    }
    println!(
        "extract 64-byte UDP/IPv4: {best_cpu:.1} ns/packet CPU time, {best:.1} ns wall \
         (best of 5 x {iters})"
    );

    let mut buf = packet::Buffer::from_slice(&pkt);
    let mut value = FlowKey::default();
    let mut mask = FlowKey::default();
    mask.get_mut(key::NW_SRC).fill(0xff);
    mask.get_mut(key::TP_DST).fill(0xff);
    let mut best_cpu = f64::MAX;
    for _ in 0..5 {
        let c = thread_cpu_ns();
        for i in 0..iters {
            value.get_mut(key::NW_SRC)[3] = i as u8;
            value.get_mut(key::TP_DST)[1] = (i >> 8) as u8;
            packet::apply_set_masked(black_box(&mut buf), black_box(&value), &mask);
        }
        best_cpu = best_cpu.min((thread_cpu_ns() - c) as f64 / f64::from(iters));
    }
    println!(
        "apply_set_masked nw_src+tp_dst: {best_cpu:.1} ns/packet CPU time (best of 5 x {iters})"
    );
}
