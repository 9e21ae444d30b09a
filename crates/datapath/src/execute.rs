//! Datapath action execution on one packet: header rewrites through the
//! `packet` crate, outputs queued on the ports' transmit queues, clone/sample
//! on copies, recirculation through the megaflow table, and userspace
//! actions and recirculation misses deferred until the datapath lock is
//! released (the upcall handler is never called under it).

use std::collections::BTreeMap;
use std::sync::Arc;

use classifier::MegaflowTable;
use openflow::flow_match::key::{self as k, FlowKey};
use packet::Buffer;

use crate::flow::Megaflow;
use crate::odp::OdpAction;
use crate::port::Port;
use crate::upcall::FlowHook;

/// Deepest recirculation, as in the reference.
pub(crate) const MAX_RECIRC_DEPTH: u32 = 8;

/// A packet that found no megaflow; handled after the lock is released.
pub(crate) struct Miss {
    pub packet: Buffer,
    pub key: FlowKey,
    pub depth: u32,
}

/// A packet that reached a userspace action.
pub(crate) struct UserspaceCall {
    pub packet: Vec<u8>,
    pub key: FlowKey,
    pub userdata: Vec<u8>,
}

/// Work collected under the lock and done after it: upcalls, userspace
/// deliveries, side-effect hooks. Owned by the caller and reused.
#[derive(Default)]
pub(crate) struct Deferred {
    pub misses: Vec<Miss>,
    pub userspace: Vec<UserspaceCall>,
    pub hooks: Vec<(Arc<dyn FlowHook>, u64, u64, u16)>,
}

impl Deferred {
    pub fn is_empty(&self) -> bool {
        self.misses.is_empty() && self.userspace.is_empty() && self.hooks.is_empty()
    }
}

/// Everything action execution touches, borrowed from the locked core.
pub(crate) struct Exec<'a> {
    pub ports: &'a mut BTreeMap<u32, Port>,
    pub flows: &'a MegaflowTable<Megaflow>,
    pub pool: &'a mut Vec<Buffer>,
    pub deferred: &'a mut Deferred,
    pub rng: &'a mut u32,
    pub meters: &'a mut BTreeMap<u32, crate::meter::Meter>,
    pub now_ms: u64,
}

/// Metadata of the key: everything before the L2 fields.
pub(crate) fn clear_metadata(key: &mut FlowKey) {
    if let Some(md) = key.0.get_mut(..k::DL_DST.ofs) {
        md.fill(0);
    }
}

impl Exec<'_> {
    fn take_buf(&mut self) -> Buffer {
        self.pool.pop().unwrap_or_default()
    }

    fn random(&mut self) -> u32 {
        let mut x = *self.rng;
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        *self.rng = x;
        x
    }

    fn output(&mut self, port_no: u32, buf: &Buffer, trunc: Option<u32>) {
        let mut out = self.take_buf();
        let data = buf.data();
        let len = trunc.map_or(data.len(), |t| data.len().min(t as usize));
        out.set_data(&data[..len]);
        out.offload = if len == data.len() { buf.offload } else { None };
        match self.ports.get_mut(&port_no) {
            Some(p) => p.tx.push(out),
            None => self.pool.push(out),
        }
    }

    /// The packet's last use: hand its buffer to the port (no copy) and
    /// leave a recycled one in its place.
    fn output_last(&mut self, port_no: u32, buf: &mut Buffer) {
        let Some(port) = self.ports.get_mut(&port_no) else {
            return;
        };
        let mut spare = self.pool.pop().unwrap_or_default();
        spare.clear();
        std::mem::swap(buf, &mut spare);
        port.tx.push(spare);
    }

    /// Runs `actions` on `buf`; `md` holds the packet's metadata (in_port,
    /// recirc_id, skb_priority, pkt_mark, dp_hash, ct_*).
    pub fn run(&mut self, buf: &mut Buffer, md: &mut FlowKey, actions: &[OdpAction], depth: u32) {
        let mut trunc = None;
        for (i, a) in actions.iter().enumerate() {
            let last = i + 1 == actions.len();
            match a {
                OdpAction::Output(p) if last && trunc.is_none() => self.output_last(*p, buf),
                OdpAction::Output(p) => self.output(*p, buf, trunc.take()),
                OdpAction::PushVlan { tpid, tci } => packet::push_vlan(buf, *tpid, *tci),
                OdpAction::PopVlan => packet::pop_vlan(buf),
                OdpAction::PushMpls { lse, ethertype } => packet::push_mpls(buf, *ethertype, *lse),
                OdpAction::PopMpls { ethertype } => packet::pop_mpls(buf, *ethertype),
                OdpAction::SetMasked { key, mask } => {
                    packet::apply_set_masked(buf, key, mask);
                    for slot in [k::SKB_PRIORITY, k::PKT_MARK] {
                        let m = mask.u32(slot);
                        if m != 0 {
                            md.set_uint(slot, u64::from((md.u32(slot) & !m) | (key.u32(slot) & m)));
                        }
                    }
                }
                OdpAction::Clone(inner) => self.on_copy(buf, md, inner, depth),
                OdpAction::Sample {
                    probability,
                    actions,
                } => {
                    if *probability == u32::MAX || self.random() < *probability {
                        self.on_copy(buf, md, actions, depth);
                    }
                }
                OdpAction::Userspace { userdata, .. } => {
                    let mut key = md.clone();
                    packet::extract(buf.data(), &mut key);
                    self.deferred.userspace.push(UserspaceCall {
                        packet: buf.data().to_vec(),
                        key,
                        userdata: userdata.clone(),
                    });
                }
                OdpAction::Recirc(id) => {
                    if last {
                        self.recirculate(buf, md, *id, depth);
                        return;
                    }
                    let mut copy = self.take_buf();
                    copy.set_data(buf.data());
                    copy.offload = buf.offload;
                    let mut md2 = md.clone();
                    self.recirculate(&mut copy, &mut md2, *id, depth);
                    self.pool.push(copy);
                }
                OdpAction::Hash { basis, .. } => {
                    let mut key = md.clone();
                    packet::extract(buf.data(), &mut key);
                    md.set_uint(k::DP_HASH, u64::from(l4_hash(&key, *basis)));
                }
                OdpAction::Meter(id) => {
                    // A meter that no longer exists lets packets through, as
                    // a flow still naming it is about to be revalidated.
                    let now = self.now_ms;
                    if let Some(m) = self.meters.get_mut(id) {
                        if !m.admit(buf.data().len(), now) {
                            return;
                        }
                    }
                }
                OdpAction::Trunc(n) => trunc = Some(*n),
                OdpAction::CtClear => {
                    for slot in [k::CT_STATE, k::CT_ZONE, k::CT_MARK, k::CT_LABEL] {
                        md.get_mut(slot).fill(0);
                    }
                }
                OdpAction::Drop => return,
            }
        }
    }

    fn on_copy(&mut self, buf: &Buffer, md: &FlowKey, actions: &[OdpAction], depth: u32) {
        let mut copy = self.take_buf();
        copy.set_data(buf.data());
        copy.offload = buf.offload;
        let mut md2 = md.clone();
        self.run(&mut copy, &mut md2, actions, depth);
        self.pool.push(copy);
    }

    fn recirculate(&mut self, buf: &mut Buffer, md: &mut FlowKey, id: u32, depth: u32) {
        if depth >= MAX_RECIRC_DEPTH {
            return;
        }
        md.set_uint(k::RECIRC_ID, u64::from(id));
        let mut key = md.clone();
        packet::extract(buf.data(), &mut key);
        let flows = self.flows;
        match flows.lookup(&key).and_then(|id| flows.get(id)) {
            Some(flow) => {
                let flags = key.u16(k::TCP_FLAGS);
                flow.account(1, buf.len() as u64, flags, self.now_ms);
                if let Some(h) = &flow.hook {
                    self.deferred
                        .hooks
                        .push((h.clone(), 1, buf.len() as u64, flags));
                }
                self.run(buf, md, &flow.actions, depth + 1);
            }
            None => {
                let mut packet = self.take_buf();
                packet.set_data(buf.data());
                packet.offload = buf.offload;
                self.deferred.misses.push(Miss {
                    packet,
                    key,
                    depth: depth + 1,
                });
            }
        }
    }
}

/// Symmetric-enough 5-tuple hash for the `hash` action (dp_hash).
fn l4_hash(key: &FlowKey, basis: u32) -> u32 {
    let mut h = basis ^ 0x9e37_79b9;
    for slot in [
        k::NW_SRC,
        k::NW_DST,
        k::IPV6_SRC,
        k::IPV6_DST,
        k::NW_PROTO,
        k::TP_SRC,
        k::TP_DST,
    ] {
        for b in key.get(slot) {
            h = (h ^ u32::from(*b)).wrapping_mul(0x0100_0193);
        }
    }
    h ^ (h >> 16)
}
