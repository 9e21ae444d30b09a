//! The packet path under the datapath lock: for a received batch, extract
//! keys, look each up in the EMC then the megaflow table, group packets by
//! megaflow, account stats once per group, execute actions and flush the
//! transmit queues. Misses are copied out for the upcall that follows once
//! the lock is released. No allocation per packet on the hit path.

use std::collections::BTreeMap;

use classifier::{MegaflowId, MegaflowTable};
use openflow::flow_match::key::{self as k, FlowKey};
use packet::{Batch, Buffer, BATCH_SIZE};

use crate::emc::{key_hash, Emc};
use crate::execute::{clear_metadata, Deferred, Exec, Miss};
use crate::flow::Megaflow;
use crate::port::Port;

/// Lookup counters (`dpctl/show`'s `lookups:` line).
#[derive(Clone, Copy, Default)]
pub(crate) struct Counters {
    pub hit: u64,
    pub missed: u64,
    pub lost: u64,
}

/// Per-caller scratch space for one batch (keys, lookup results).
pub(crate) struct Scratch {
    keys: Vec<FlowKey>,
    flow_of: [Option<MegaflowId>; BATCH_SIZE],
    done: [bool; BATCH_SIZE],
}

impl Scratch {
    pub fn new() -> Scratch {
        Scratch {
            keys: vec![FlowKey::default(); BATCH_SIZE],
            flow_of: [None; BATCH_SIZE],
            done: [false; BATCH_SIZE],
        }
    }
}

/// Everything the datapath lock protects.
pub(crate) struct Core {
    pub ports: BTreeMap<u32, Port>,
    pub flows: MegaflowTable<Megaflow>,
    pub emc: Emc,
    pub counters: Counters,
    pub next_serial: u64,
    pub flow_limit: usize,
    pub max_idle_ms: u64,
    pub pool: Vec<Buffer>,
    pub rng: u32,
    /// Meters by datapath meter id.
    pub meters: BTreeMap<u32, crate::meter::Meter>,
}

impl Core {
    pub fn new() -> Core {
        Core {
            ports: BTreeMap::new(),
            flows: MegaflowTable::new(),
            emc: Emc::new(),
            counters: Counters::default(),
            next_serial: 1,
            flow_limit: 200_000,
            max_idle_ms: 10_000,
            pool: Vec::new(),
            rng: 0x2545_f491,
            meters: BTreeMap::new(),
        }
    }

    pub fn exec<'a>(&'a mut self, deferred: &'a mut Deferred, now_ms: u64) -> Exec<'a> {
        Exec {
            ports: &mut self.ports,
            flows: &self.flows,
            pool: &mut self.pool,
            deferred,
            rng: &mut self.rng,
            meters: &mut self.meters,
            now_ms,
        }
    }

    pub fn flush_all(&mut self) {
        let pool = &mut self.pool;
        for p in self.ports.values_mut() {
            p.flush(pool);
        }
    }

    /// Runs a received batch through the pipeline.
    pub fn process_batch(
        &mut self,
        in_port: u32,
        batch: &mut Batch,
        scratch: &mut Scratch,
        deferred: &mut Deferred,
        now_ms: u64,
    ) {
        let n = batch.len().min(BATCH_SIZE);
        if let Some(p) = self.ports.get_mut(&in_port) {
            p.stats.rx_packets += n as u64;
            p.stats.rx_bytes += batch.iter().take(n).map(|b| b.len() as u64).sum::<u64>();
        }
        let mut hits = 0u64;
        for i in 0..n {
            let (Some(buf), Some(key)) = (batch.get(i), scratch.keys.get_mut(i)) else {
                break;
            };
            clear_metadata(key);
            packet::extract(buf.data(), key);
            key.set_uint(k::IN_PORT, u64::from(in_port));
            let emc = self.emc.enabled();
            let hash = if emc { key_hash(key) } else { 0 };
            let cached = if emc {
                self.emc
                    .lookup(key, hash)
                    .filter(|(id, serial)| self.flows.get(*id).is_some_and(|f| f.serial == *serial))
                    .map(|(id, _)| id)
            } else {
                None
            };
            let found = cached.or_else(|| {
                let id = self.flows.lookup(key)?;
                if emc {
                    let serial = self.flows.get(id)?.serial;
                    self.emc.maybe_insert(key, hash, id, serial);
                }
                Some(id)
            });
            scratch.flow_of[i] = found;
            scratch.done[i] = false;
            match found {
                Some(_) => hits += 1,
                None => {
                    scratch.done[i] = true;
                    let mut packet = self.pool.pop().unwrap_or_default();
                    packet.set_data(buf.data());
                    packet.offload = buf.offload;
                    deferred.misses.push(Miss {
                        packet,
                        key: key.clone(),
                        depth: 0,
                    });
                }
            }
        }
        self.counters.hit += hits;
        // Execute per megaflow, packets of one flow in arrival order.
        for i in 0..n {
            if scratch.done[i] {
                continue;
            }
            let Some(id) = scratch.flow_of[i] else {
                continue;
            };
            let mut group = [0u8; BATCH_SIZE];
            let mut g = 0;
            let (mut bytes, mut flags) = (0u64, 0u16);
            for j in i..n {
                if !scratch.done[j] && scratch.flow_of[j] == Some(id) {
                    scratch.done[j] = true;
                    group[g] = j as u8;
                    g += 1;
                    bytes += batch.get(j).map_or(0, |b| b.len() as u64);
                    flags |= scratch.keys[j].u16(k::TCP_FLAGS);
                }
            }
            let Some(flow) = self.flows.get(id) else {
                continue;
            };
            flow.account(g as u64, bytes, flags, now_ms);
            if let Some(h) = &flow.hook {
                deferred.hooks.push((h.clone(), g as u64, bytes, flags));
            }
            let actions = flow.actions.clone();
            let mut ex = self.exec(deferred, now_ms);
            for &j in &group[..g] {
                let j = usize::from(j);
                if let (Some(buf), Some(key)) = (batch.get_mut(j), scratch.keys.get_mut(j)) {
                    ex.run(buf, key, &actions, 0);
                }
            }
        }
        self.flush_all();
    }

    /// Installs a megaflow (or finds the identical one); None when over the
    /// flow limit.
    pub fn install(
        &mut self,
        key: &FlowKey,
        mask: &FlowKey,
        actions: Vec<crate::odp::OdpAction>,
        hook: Option<std::sync::Arc<dyn crate::upcall::FlowHook>>,
        now_ms: u64,
    ) -> Option<MegaflowId> {
        if let Some(id) = self.flows.find(key, mask) {
            return Some(id);
        }
        if self.flows.len() >= self.flow_limit {
            return None;
        }
        let serial = self.next_serial;
        self.next_serial += 1;
        let flow = Megaflow::new(key.clone(), mask.clone(), actions, hook, serial, now_ms);
        Some(self.flows.insert(key, mask, flow))
    }
}

/// The mask a megaflow is installed with: the handler's, plus the bits the
/// datapath always matches (in_port, recirc_id, packet_type, dl_type) and,
/// for an untagged packet, the VLAN "present" bit so that tagged packets do
/// not match it (a missing VLAN in the mask means exact "no VLAN").
/// (`dpctl/add-flow` flows keep the packet_type mask they were given, as in
/// the reference.)
pub(crate) fn complete_mask(key: &FlowKey, mask: &FlowKey, packet_type: bool) -> FlowKey {
    let mut m = mask.clone();
    for slot in [k::IN_PORT, k::RECIRC_ID, k::DL_TYPE] {
        m.get_mut(slot).fill(0xff);
    }
    if packet_type {
        m.get_mut(k::PACKET_TYPE).fill(0xff);
    }
    if key.u16(k::VLAN_TCI) == 0 {
        let v = m.u16(k::VLAN_TCI) | 0x1000;
        m.set_uint(k::VLAN_TCI, u64::from(v));
    }
    m
}
