//! Packets for the oxvs userspace datapath: buffers and batches, flow
//! extraction (frame bytes -> [`FlowKey`](openflow::flow_match::key::FlowKey)
//! exactly as the reference fills its `struct flow`), header rewrites for
//! datapath actions with checksum maintenance, packet composition from a
//! key, checksum helpers and offload (virtio-net header) handling.
//! No I/O and no OpenFlow semantics live here.
//!
//! Modules: `buffer` (Buffer, Batch), `extract` (the header walk and
//! [`Layout`]), protocol modules `eth`, `vlan`, `mpls`, `ipv4`, `ipv6`,
//! `arp`, `l4`, `nsh`, `edit` (checksum-keeping writes), `rewrite`
//! (set-field actions), `set_masked` ([`apply_set_masked`]),
//! `compose`, `checksum`, `offload`.

mod bytes;

pub mod arp;
pub mod buffer;
pub mod checksum;
pub mod compose;
mod edit;
pub mod eth;
pub mod extract;
pub mod ipv4;
pub mod ipv6;
pub mod l4;
pub mod mpls;
pub mod nsh;
pub mod offload;
pub mod rewrite;
pub mod set_masked;
pub mod vlan;

pub use buffer::{Batch, Buffer, BATCH_SIZE, DEFAULT_HEADROOM};
pub use compose::compose;
pub use extract::{extract, layout, Layout};
pub use mpls::{pop_mpls, push_mpls, set_mpls_lse};
pub use offload::{resolve_offload, Offload, OffloadError, Resolved};
pub use rewrite::*;
pub use set_masked::apply_set_masked;
pub use vlan::{pop_vlan, push_vlan};
