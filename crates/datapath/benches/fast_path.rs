//! Fast-path throughput with dummy ports: batches of 32 packets from port 1
//! output to port 2, through an EMC hit and through a megaflow-table hit
//! with 1,000 megaflows (EMC insertion off), on the caller's thread.

use std::collections::BTreeMap;
use std::sync::Arc;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use datapath::{Datapath, OdpAction, Upcall, UpcallHandler, Workspace};
use openflow::flow_match::key::{self as k, FlowKey};
use packet::{Batch, BATCH_SIZE};

struct Out2 {
    mask: FlowKey,
}

impl UpcallHandler for Out2 {
    fn miss(&self, _packet: &[u8], _key: &FlowKey) -> Upcall {
        Upcall {
            actions: vec![OdpAction::Output(2)],
            mask: self.mask.clone(),
            install: true,
            hook: None,
        }
    }
    fn userspace(&self, _: &[u8], _: &FlowKey, _: &[u8]) {}
}

fn frame(i: u32) -> Vec<u8> {
    let mut key = FlowKey::default();
    key.get_mut(k::DL_DST)
        .copy_from_slice(&[2, 0, 0, 0, (i >> 8) as u8, i as u8]);
    key.get_mut(k::DL_SRC).copy_from_slice(&[2, 0, 0, 0, 0, 1]);
    key.set_uint(k::DL_TYPE, 0x0800);
    key.get_mut(k::NW_SRC).copy_from_slice(&[10, 0, 0, 1]);
    key.get_mut(k::NW_DST).copy_from_slice(&[10, 0, 0, 2]);
    key.set_uint(k::NW_PROTO, 17);
    key.set_uint(k::NW_TTL, 64);
    key.set_uint(k::TP_SRC, 1000 + u64::from(i));
    key.set_uint(k::TP_DST, 53);
    let mut p = packet::compose(&key);
    p.resize(64.max(p.len()), 0);
    p
}

fn datapath(tag: &str, mask: FlowKey) -> Arc<Datapath> {
    let dp = Datapath::new(&format!("bench-{tag}"));
    for p in 1..=2 {
        let dev = netdev::open("dummy", &format!("bench-{tag}-p{p}"), &BTreeMap::new())
            .expect("dummy port");
        dp.add_port(dev, Some(p)).expect("add port");
    }
    dp.set_upcall_handler(Arc::new(Out2 { mask }));
    dp
}

fn fill(batch: &mut Batch, frames: &[Vec<u8>], start: usize) {
    batch.clear();
    for i in 0..BATCH_SIZE {
        batch.push_slice(&frames[(start + i) % frames.len()]);
    }
}

fn bench(c: &mut Criterion) {
    let mut dl_dst = FlowKey::default();
    dl_dst.get_mut(k::DL_DST).fill(0xff);
    let mut g = c.benchmark_group("datapath_fast_path");
    g.throughput(Throughput::Elements(BATCH_SIZE as u64));

    // EMC hit: one flow, every packet cached.
    let dp = datapath("emc", dl_dst.clone());
    dp.set_emc_insert_inv_prob(1);
    let frames = vec![frame(1)];
    let mut ws = Workspace::new();
    let mut batch = Batch::new();
    fill(&mut batch, &frames, 0);
    dp.receive_batch(1, &mut batch, &mut ws).expect("warm up");
    g.bench_function("emc_hit_batch32", |b| {
        b.iter(|| {
            fill(&mut batch, &frames, 0);
            dp.receive_batch(1, &mut batch, &mut ws).expect("receive");
        })
    });

    // Megaflow hit: 1,000 megaflows (one per destination MAC), EMC off.
    let dp = datapath("mf", dl_dst);
    dp.set_emc_insert_inv_prob(0);
    let frames: Vec<Vec<u8>> = (0..1000).map(frame).collect();
    for f in &frames {
        dp.receive_now(1, f).expect("install");
    }
    assert_eq!(dp.stats().flows, 1000);
    let mut start = 0;
    g.bench_function("megaflow_hit_1000_flows_batch32", |b| {
        b.iter(|| {
            fill(&mut batch, &frames, start);
            start = (start + BATCH_SIZE) % frames.len();
            dp.receive_batch(1, &mut batch, &mut ws).expect("receive");
        })
    });
    assert_eq!(dp.stats().flows, 1000, "every packet hit");
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
