//! Megaflow control operations of the [`Datapath`]: put/del/get/dump/flush
//! (dpctl, tests), revalidation against translation, and idle expiry.

use std::sync::atomic::Ordering;

use openflow::flow_match::key::FlowKey;

use crate::dp::Datapath;
use crate::odp::OdpAction;
use crate::pipeline::complete_mask;
use crate::types::{FlowEntry, FlowError, FlowPutFlags};
use crate::upcall::Upcall;

impl Datapath {
    /// Installs, or changes the actions of, the megaflow with exactly this
    /// key and mask (the datapath's implicit mask bits are added).
    pub fn flow_put(
        &self,
        key: &FlowKey,
        mask: &FlowKey,
        actions: Vec<OdpAction>,
        flags: FlowPutFlags,
    ) -> Result<(), FlowError> {
        let now = self.now_ms();
        let mut core = self.lock();
        let mask = complete_mask(key, mask, false);
        match core.flows.find(key, &mask) {
            Some(id) => {
                if !flags.modify {
                    return Err(FlowError::Exists);
                }
                let old = core.flows.remove(id).ok_or(FlowError::NotFound)?;
                let hook = old.hook.clone();
                let id = core
                    .install(&old.key, &mask, actions, hook, now)
                    .ok_or(FlowError::TooMany)?;
                if !flags.zero_stats {
                    if let Some(f) = core.flows.get(id) {
                        f.account(
                            old.packets.load(Ordering::Relaxed),
                            old.bytes.load(Ordering::Relaxed),
                            old.tcp_flags.load(Ordering::Relaxed),
                            0,
                        );
                        match old.used() {
                            Some(u) => f.used_ms.store(u, Ordering::Relaxed),
                            None => f.used_ms.store(u64::MAX, Ordering::Relaxed),
                        }
                    }
                }
                Ok(())
            }
            None => {
                if !flags.create {
                    return Err(FlowError::NotFound);
                }
                core.install(key, &mask, actions, None, now)
                    .map(|_| ())
                    .ok_or(FlowError::TooMany)
            }
        }
    }

    /// Deletes the megaflow with exactly this key and mask (implicit bits
    /// added); returns its final stats.
    pub fn flow_del(&self, key: &FlowKey, mask: &FlowKey) -> Result<FlowEntry, FlowError> {
        let mut core = self.lock();
        let mask = complete_mask(key, mask, false);
        let id = core.flows.find(key, &mask).ok_or(FlowError::NotFound)?;
        let f = core.flows.remove(id).ok_or(FlowError::NotFound)?;
        Ok(entry_of(&f))
    }

    /// Deletes the megaflow whose ufid is `ufid`.
    pub fn flow_del_ufid(&self, ufid: u128) -> Result<FlowEntry, FlowError> {
        let mut core = self.lock();
        let id = core
            .flows
            .iter()
            .find(|(_, _, _, f)| f.ufid == ufid)
            .map(|(id, ..)| id)
            .ok_or(FlowError::NotFound)?;
        let f = core.flows.remove(id).ok_or(FlowError::NotFound)?;
        Ok(entry_of(&f))
    }

    /// The megaflow `key` would hit, if any.
    pub fn flow_get(&self, key: &FlowKey) -> Option<FlowEntry> {
        let core = self.lock();
        let id = core.flows.lookup(key)?;
        core.flows.get(id).map(entry_of)
    }

    pub fn flow_flush(&self) {
        let mut core = self.lock();
        core.flows.clear();
        core.emc.clear();
    }

    /// Every megaflow, in table order.
    pub fn flow_dump(&self) -> Vec<FlowEntry> {
        let core = self.lock();
        core.flows.iter().map(|(_, _, _, f)| entry_of(f)).collect()
    }

    /// Re-asks `f` about every megaflow: None deletes it; Some with
    /// `install` replaces its actions (and mask, if different) and hook.
    /// Returns (kept, deleted).
    ///
    /// `f` runs without the datapath's lock, a chunk of megaflows at a
    /// time: translation takes the upper layers' locks (tables, MAC
    /// tables), which hold the datapath's lock themselves at times (meters,
    /// port counters), and the poll thread keeps forwarding meanwhile. A
    /// megaflow replaced while its chunk was being decided is left to the
    /// next revalidation.
    pub fn revalidate(&self, f: impl Fn(&FlowKey, &FlowKey) -> Option<Upcall>) -> (usize, usize) {
        const CHUNK: usize = 256;
        let ids: Vec<_> = self.lock().flows.iter().map(|(id, ..)| id).collect();
        let (mut kept, mut deleted) = (0, 0);
        for chunk in ids.chunks(CHUNK) {
            let flows: Vec<_> = {
                let core = self.lock();
                chunk
                    .iter()
                    .filter_map(|&id| {
                        core.flows
                            .get(id)
                            .map(|fl| (id, fl.key.clone(), fl.mask.clone()))
                    })
                    .collect()
            };
            let decisions: Vec<_> = flows
                .into_iter()
                .map(|(id, key, mask)| {
                    let up = f(&key, &mask);
                    (id, key, mask, up)
                })
                .collect();
            let now = self.now_ms();
            let mut core = self.lock();
            for (id, key, old_mask, up) in decisions {
                let Some(flow) = core.flows.get(id) else {
                    continue;
                };
                if flow.key != key || flow.mask != old_mask {
                    continue;
                }
                match up {
                    Some(up) if up.install => {
                        let mask = complete_mask(&flow.key, &up.mask, true);
                        let same = mask == flow.mask
                            && *flow.actions == *up.actions
                            && up.hook.is_none() == flow.hook.is_none();
                        if same {
                            kept += 1;
                            continue;
                        }
                        if let Some(old) = core.flows.remove(id) {
                            let key = old.key.clone();
                            if let Some(nid) = core.install(&key, &mask, up.actions, up.hook, now) {
                                if let Some(nf) = core.flows.get(nid) {
                                    nf.account(
                                        old.packets.load(Ordering::Relaxed),
                                        old.bytes.load(Ordering::Relaxed),
                                        old.tcp_flags.load(Ordering::Relaxed),
                                        0,
                                    );
                                    nf.used_ms.store(
                                        old.used_ms.load(Ordering::Relaxed),
                                        Ordering::Relaxed,
                                    );
                                }
                            }
                        }
                        kept += 1;
                    }
                    _ => {
                        core.flows.remove(id);
                        deleted += 1;
                    }
                }
            }
        }
        (kept, deleted)
    }

    /// Deletes megaflows idle for longer than max_idle; returns how many.
    pub fn expire(&self) -> usize {
        let now = self.now_ms();
        let mut core = self.lock();
        let idle = core.max_idle_ms;
        let old: Vec<_> = core
            .flows
            .iter()
            .filter(|(_, _, _, f)| now.saturating_sub(f.last_activity()) > idle)
            .map(|(id, ..)| id)
            .collect();
        for id in &old {
            core.flows.remove(*id);
        }
        old.len()
    }
}

fn entry_of(f: &crate::flow::Megaflow) -> FlowEntry {
    FlowEntry {
        key: f.key.clone(),
        mask: f.mask.clone(),
        actions: f.actions.to_vec(),
        packets: f.packets.load(Ordering::Relaxed),
        bytes: f.bytes.load(Ordering::Relaxed),
        used: f.used(),
        tcp_flags: f.tcp_flags.load(Ordering::Relaxed),
        ufid: f.ufid,
    }
}
