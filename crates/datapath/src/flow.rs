//! A megaflow as the datapath keeps it: the key of the packet that created
//! it (unmasked, as the reference dumps it), its mask and actions, and
//! counters that lookups update without a write lock.

use std::sync::atomic::{AtomicU16, AtomicU64, Ordering};
use std::sync::Arc;

use openflow::flow_match::key::FlowKey;

use crate::odp::OdpAction;
use crate::upcall::FlowHook;

/// "Never used" in [`Megaflow::used_ms`].
const NEVER: u64 = u64::MAX;

pub(crate) struct Megaflow {
    pub key: FlowKey,
    pub mask: FlowKey,
    pub actions: Arc<[OdpAction]>,
    pub hook: Option<Arc<dyn FlowHook>>,
    /// Unique for the datapath's lifetime: EMC entries name flows by it, so
    /// a reused table slot cannot be mistaken for the flow that left it.
    pub serial: u64,
    pub ufid: u128,
    pub created_ms: u64,
    pub packets: AtomicU64,
    pub bytes: AtomicU64,
    pub used_ms: AtomicU64,
    pub tcp_flags: AtomicU16,
}

impl Megaflow {
    pub fn new(
        key: FlowKey,
        mask: FlowKey,
        actions: Vec<OdpAction>,
        hook: Option<Arc<dyn FlowHook>>,
        serial: u64,
        now_ms: u64,
    ) -> Megaflow {
        let ufid = ufid_of(&key, &mask);
        Megaflow {
            key,
            mask,
            actions: actions.into(),
            hook,
            serial,
            ufid,
            created_ms: now_ms,
            packets: AtomicU64::new(0),
            bytes: AtomicU64::new(0),
            used_ms: AtomicU64::new(NEVER),
            tcp_flags: AtomicU16::new(0),
        }
    }

    /// Adds one batch's hits.
    pub fn account(&self, packets: u64, bytes: u64, tcp_flags: u16, now_ms: u64) {
        self.packets.fetch_add(packets, Ordering::Relaxed);
        self.bytes.fetch_add(bytes, Ordering::Relaxed);
        self.used_ms.store(now_ms, Ordering::Relaxed);
        if tcp_flags != 0 {
            self.tcp_flags.fetch_or(tcp_flags, Ordering::Relaxed);
        }
    }

    pub fn used(&self) -> Option<u64> {
        match self.used_ms.load(Ordering::Relaxed) {
            NEVER => None,
            t => Some(t),
        }
    }

    /// Last activity for idle expiry: the last hit, or creation.
    pub fn last_activity(&self) -> u64 {
        self.used().unwrap_or(self.created_ms)
    }
}

/// A flow id derived from the masked key (stable across dumps, like the
/// reference's hash-based ufids), written as a UUID.
fn ufid_of(key: &FlowKey, mask: &FlowKey) -> u128 {
    let mut h1: u64 = 0xcbf2_9ce4_8422_2325;
    let mut h2: u64 = 0x8422_2325_cbf2_9ce4;
    for (k, m) in key.0.iter().zip(mask.0.iter()) {
        let b = u64::from(k & m);
        h1 = (h1 ^ b).wrapping_mul(0x0000_0100_0000_01b3);
        h2 = (h2 ^ b ^ (h1 >> 29)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
    (u128::from(h1) << 64) | u128::from(h2)
}

/// `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`.
pub(crate) fn format_ufid(u: u128) -> String {
    let h = format!("{u:032x}");
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}
