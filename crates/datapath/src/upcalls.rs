//! The slow path, run without the datapath lock: upcalls for missed packets
//! (installing their megaflows and executing them), deliveries of packets
//! that reached userspace actions, and megaflow side-effect hooks.

use openflow::flow_match::key::TCP_FLAGS;

use crate::dp::Datapath;
use crate::execute::{Deferred, Miss};
use crate::pipeline::complete_mask;

impl Datapath {
    /// Upcalls for misses (installing megaflows and executing the packets),
    /// userspace deliveries and hooks: everything done without the lock.
    pub(crate) fn finish(&self, deferred: &mut Deferred) {
        let handler = self.handler();
        for (hook, packets, bytes, flags) in deferred.hooks.drain(..) {
            hook.hit(packets, bytes, flags);
        }
        while !deferred.misses.is_empty() || !deferred.userspace.is_empty() {
            let misses = std::mem::take(&mut deferred.misses);
            for mut miss in misses {
                // An earlier upcall of this batch may have installed the flow.
                if self.run_if_installed(&mut miss, deferred) {
                    continue;
                }
                let Some(h) = &handler else {
                    let mut core = self.lock();
                    core.counters.missed += 1;
                    core.counters.lost += 1;
                    continue;
                };
                self.lock().counters.missed += 1;
                let upcall = h.miss(miss.packet.data(), &miss.key);
                let now = self.now_ms();
                let mut core = self.lock();
                if upcall.install {
                    let mask = complete_mask(&miss.key, &upcall.mask, true);
                    let _ = core.install(
                        &miss.key,
                        &mask,
                        upcall.actions.clone(),
                        upcall.hook.clone(),
                        now,
                    );
                }
                let mut md = miss.key.clone();
                core.exec(deferred, now).run(
                    &mut miss.packet,
                    &mut md,
                    &upcall.actions,
                    miss.depth,
                );
                core.flush_all();
                core.pool.push(miss.packet);
            }
            for call in deferred.userspace.drain(..) {
                if let Some(h) = &handler {
                    h.userspace(&call.packet, &call.key, &call.userdata);
                }
            }
            for (hook, packets, bytes, flags) in deferred.hooks.drain(..) {
                hook.hit(packets, bytes, flags);
            }
        }
    }

    /// Executes a missed packet with the megaflow it now hits, if any.
    fn run_if_installed(&self, miss: &mut Miss, deferred: &mut Deferred) -> bool {
        let now = self.now_ms();
        let mut core = self.lock();
        let Some(flow) = core
            .flows
            .lookup(&miss.key)
            .and_then(|id| core.flows.get(id))
        else {
            return false;
        };
        let flags = miss.key.u16(TCP_FLAGS);
        let len = miss.packet.len() as u64;
        flow.account(1, len, flags, now);
        if let Some(h) = &flow.hook {
            deferred.hooks.push((h.clone(), 1, len, flags));
        }
        let actions = flow.actions.clone();
        core.counters.hit += 1;
        let mut md = miss.key.clone();
        core.exec(deferred, now)
            .run(&mut miss.packet, &mut md, &actions, miss.depth);
        core.flush_all();
        let buf = std::mem::replace(&mut miss.packet, packet::Buffer::new());
        core.pool.push(buf);
        true
    }
}
