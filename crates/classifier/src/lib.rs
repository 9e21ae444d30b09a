//! Flow classifier: finds the highest-priority rule matching a flow key.
//!
//! Rules are (key, mask, priority) triples over the shared flat
//! [`FlowKey`](openflow::flow_match::key::FlowKey); the classifier knows
//! nothing of OpenFlow. It is a tuple-space search: one subtable per distinct
//! mask, each a hash table over the masked key bytes, visited in order of
//! their best priority. Lookups report the key bits they depended on (the
//! megaflow mask), looking at as few bits as possible (staged lookup).
//! Rules carry a visibility window of versions so that a bundle of changes
//! becomes visible atomically when the caller bumps its lookup version.
//!
//! [`MegaflowTable`] is the datapath's lean variant: non-overlapping entries,
//! no priorities or versions, batched lookup.

mod classifier;
pub mod megaflow;
mod stage;
mod subtable;
mod trie;
mod version;
mod words;

pub use classifier::Classifier;
pub use megaflow::{MegaflowId, MegaflowTable};
pub use version::{Version, VERSION_NEVER};

/// Stable handle to a rule. Handles are reused after [`Classifier::remove`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RuleId(pub u32);
