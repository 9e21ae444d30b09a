//! The seam between the datapath and translation: what the datapath asks
//! when a packet misses, and the per-megaflow side-effect hook.

use std::sync::Arc;

use openflow::flow_match::key::FlowKey;

use crate::odp::OdpAction;

/// Translation, as seen from the datapath.
pub trait UpcallHandler: Send + Sync {
    /// Translate a missed packet. Returns actions, the megaflow mask, and an
    /// optional per-megaflow side-effect hook (rule stats, MAC refresh)
    /// called on every hit batch.
    fn miss(&self, packet: &[u8], key: &FlowKey) -> Upcall;
    /// A packet reached a Userspace action (controller, slow path).
    fn userspace(&self, packet: &[u8], key: &FlowKey, userdata: &[u8]);
}

/// The answer to a miss.
#[derive(Clone, Default)]
pub struct Upcall {
    pub actions: Vec<OdpAction>,
    /// Megaflow mask; the datapath always adds in_port, recirc_id and dl_type.
    pub mask: FlowKey,
    /// False: execute the actions for this packet only (slow path).
    pub install: bool,
    pub hook: Option<Arc<dyn FlowHook>>,
}

impl std::fmt::Debug for Upcall {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Upcall")
            .field("actions", &self.actions)
            .field("mask", &self.mask)
            .field("install", &self.install)
            .field("hook", &self.hook.is_some())
            .finish()
    }
}

/// Side effects of megaflow hits (OpenFlow rule counters, MAC learning refresh).
pub trait FlowHook: Send + Sync {
    fn hit(&self, packets: u64, bytes: u64, tcp_flags: u16);
}
