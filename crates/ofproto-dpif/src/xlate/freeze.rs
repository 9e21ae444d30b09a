//! Freezing and thawing a translation around a datapath recirculation.
//!
//! Some decisions need a value only the datapath can compute per packet
//! (the `dp_hash` of a select group). Translation then stops ("freezes"):
//! it emits `hash(...)`, `recirc(id)` and remembers, under `id`, what is
//! left to do: the actions after the freezing point at every nesting level
//! (innermost first, each with the table and cookie to restore), the
//! action set, the stack and the pipeline-only metadata. When the
//! recirculated packet misses, translation "thaws" that state and carries
//! on with the datapath's `dp_hash` in the flow.
//!
//! Identical states share one id, so one first-pass megaflow serves every
//! packet of the same pipeline position. Ids are never reused (states are
//! few: one per freezing point and metadata combination).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use openflow::action::{format_actions, Action};
use openflow::flow_match::key::{self, FlowKey, Slot};

use crate::bridge::lock;

/// The actions left at one nesting level, and the table and rule cookie
/// that level ran in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Segment {
    pub table_id: u8,
    pub cookie: u64,
    pub actions: Vec<Action>,
}

/// Everything needed to resume a frozen translation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Frozen {
    pub bridge: String,
    /// The table of the outermost level ("Resuming from table N").
    pub table_id: u8,
    /// Innermost level first.
    pub segments: Vec<Segment>,
    pub action_set: Vec<Action>,
    pub stack: Vec<u128>,
    /// Pipeline-only fields (OpenFlow in_port, metadata, registers,
    /// actset_output): the datapath does not carry them.
    pub metadata: FlowKey,
}

/// Slots the datapath does not carry across a recirculation.
pub const PIPELINE_SLOTS: [Slot; 4] = [key::IN_PORT, key::METADATA, key::REGS, key::ACTSET_OUTPUT];

impl Frozen {
    /// The `Restoring actions:` text of a trace.
    pub fn actions_text(&self) -> String {
        let parts: Vec<String> = self
            .segments
            .iter()
            .map(|s| {
                let mut t = unroll_text(s.table_id, s.cookie);
                if !s.actions.is_empty() {
                    t.push(',');
                    t.push_str(&format_actions(&s.actions, None));
                }
                t
            })
            .collect();
        parts.join(",")
    }

    /// A hashable identity of the state (ids are shared by equal states).
    fn identity(&self) -> String {
        format!("{self:?}")
    }
}

/// `unroll_xlate(table=T, cookie=C)`.
pub fn unroll_text(table_id: u8, cookie: u64) -> String {
    if cookie == 0 {
        format!("unroll_xlate(table={table_id}, cookie=0)")
    } else {
        format!("unroll_xlate(table={table_id}, cookie={cookie:#x})")
    }
}

#[derive(Default)]
struct Inner {
    by_id: HashMap<u32, Arc<Frozen>>,
    by_state: HashMap<String, u32>,
    last_id: u32,
}

/// Recirculation ids of one backer and the states they resume.
#[derive(Default)]
pub struct RecircTable {
    inner: Mutex<Inner>,
}

impl RecircTable {
    pub fn new() -> RecircTable {
        RecircTable::default()
    }

    /// The id of `state`, allocating one for a new state.
    pub fn id_for(&self, state: Frozen) -> u32 {
        let identity = state.identity();
        let mut inner = lock(&self.inner);
        if let Some(id) = inner.by_state.get(&identity) {
            return *id;
        }
        inner.last_id = inner.last_id.wrapping_add(1).max(1);
        let id = inner.last_id;
        inner.by_state.insert(identity, id);
        inner.by_id.insert(id, Arc::new(state));
        id
    }

    /// The state recirculation `id` resumes.
    pub fn get(&self, id: u32) -> Option<Arc<Frozen>> {
        lock(&self.inner).by_id.get(&id).cloned()
    }

    pub fn len(&self) -> usize {
        lock(&self.inner).by_id.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Which of `weights` (0 = not selectable) each of `n_hash` dp_hash values
/// selects: seats handed out one by one to the bucket with the highest
/// `weight / divisor` (divisors 1, 3, 5, ...; the first bucket wins ties),
/// so every bucket gets a share of hash values close to its weight's.
pub fn dp_hash_map(weights: &[u32], n_hash: usize) -> Vec<usize> {
    let mut divisor: Vec<u32> = vec![1; weights.len()];
    let mut map = Vec::with_capacity(n_hash);
    for _ in 0..n_hash {
        let mut best: Option<(usize, f64)> = None;
        for (i, w) in weights.iter().enumerate() {
            if *w == 0 {
                continue;
            }
            let v = f64::from(*w) / f64::from(divisor[i]);
            if best.is_none_or(|(_, b)| v > b) {
                best = Some((i, v));
            }
        }
        let Some((i, _)) = best else {
            break;
        };
        divisor[i] += 2;
        map.push(i);
    }
    map
}

/// How many dp_hash values a select group with these bucket weights uses:
/// enough that the lightest bucket gets a value, at least 16, a power of
/// two; `None` when over `max` (the group then selects without the
/// datapath's hash).
pub fn dp_hash_size(weights: &[u32], max: usize) -> Option<usize> {
    let total: u64 = weights.iter().map(|w| u64::from(*w)).sum();
    let min = weights.iter().copied().filter(|w| *w > 0).min()?;
    let slots = total.div_ceil(u64::from(min));
    let n = usize::try_from(slots).ok()?.next_power_of_two().max(16);
    (n <= max).then_some(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_weights_take_turns() {
        assert_eq!(dp_hash_map(&[100, 100, 100], 6), vec![0, 1, 2, 0, 1, 2]);
    }

    #[test]
    fn weighted_map_follows_weights() {
        // Observed on the reference with weights 10, 30, 5.
        let m = dp_hash_map(&[10, 30, 5], 16);
        assert_eq!(m, vec![1, 0, 1, 1, 2, 1, 0, 1, 1, 1, 0, 1, 1, 2, 1, 0]);
    }

    #[test]
    fn sizes() {
        assert_eq!(dp_hash_size(&[10, 30, 5], 64), Some(16));
        assert_eq!(dp_hash_size(&[1, 40], 64), Some(64));
        assert_eq!(dp_hash_size(&[1, 200], 256), Some(256));
        assert_eq!(dp_hash_size(&[1, 300], 256), None);
        assert_eq!(dp_hash_size(&[0, 0], 64), None);
    }

    #[test]
    fn equal_states_share_an_id() {
        let t = RecircTable::new();
        let s = Frozen {
            bridge: "br0".into(),
            table_id: 0,
            segments: vec![Segment {
                table_id: 0,
                cookie: 0,
                actions: vec![Action::Group(1)],
            }],
            action_set: Vec::new(),
            stack: Vec::new(),
            metadata: FlowKey::default(),
        };
        let a = t.id_for(s.clone());
        assert_eq!(t.id_for(s.clone()), a);
        let mut s2 = s;
        s2.table_id = 1;
        assert_ne!(t.id_for(s2), a);
        assert_eq!(
            t.get(a).map(|f| f.actions_text()),
            Some("unroll_xlate(table=0, cookie=0),group:1".to_string())
        );
    }
}
