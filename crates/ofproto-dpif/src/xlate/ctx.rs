//! The translation context: the flow as actions have changed it, the flow
//! the datapath packet still has (`base`, so header changes are committed
//! lazily), the megaflow mask being built, the datapath actions so far, the
//! recursion counters, the side effects to replay on megaflow hits, and the
//! trace being recorded.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use datapath::OdpAction;
use ofproto::group::GroupStats;
use ofproto::RuleStats;
use openflow::action::Action;
use openflow::flow_match::key::{self, FlowKey, Slot};
use openflow::msg::flow_mod::FlowMod;

use super::freeze::{RecircTable, Segment};
use crate::bridge::BridgeState;
use crate::mac_table::{BundleId, MacTable};
use crate::trace::{NodeKind, TraceBuilder};

/// The reference's limit on nested resubmits (and patch-port hops).
pub const MAX_DEPTH: u32 = 64;
/// The reference's limit on resubmits in one translation.
pub const MAX_RESUBMITS: u32 = MAX_DEPTH * MAX_DEPTH;

/// A MAC learning to repeat on every megaflow hit (keeps the entry fresh).
#[derive(Clone)]
pub struct MacLearning {
    pub table: Arc<Mutex<MacTable>>,
    pub mac: [u8; 6],
    pub vlan: u16,
    pub bundle: BundleId,
    pub grat_arp: bool,
}

/// What a translation did besides producing actions.
#[derive(Clone, Default)]
pub struct SideEffects {
    /// Rules the packet went through (their counters grow on every hit).
    pub rules: Vec<Arc<RuleStats>>,
    /// Groups (and the bucket index) the packet went through.
    pub groups: Vec<(Arc<GroupStats>, Option<usize>)>,
    /// Tables the packet was looked up in, and whether a rule matched.
    pub tables: Vec<(Arc<ofproto::table::LookupCounters>, bool)>,
    pub macs: Vec<MacLearning>,
    /// Flows the learn action installs, per bridge.
    pub learns: Vec<(String, FlowMod)>,
    /// A MAC was learnt or moved to another port during this translation
    /// (cached megaflows must be revalidated).
    pub mac_moved: bool,
}

pub struct Ctx<'a> {
    pub bridges: &'a BTreeMap<String, BridgeState>,
    pub bridge: &'a BridgeState,
    pub flow: FlowKey,
    pub base: FlowKey,
    /// Second VLAN header TCI (the key holds only the outer one) and both
    /// headers' TPIDs, for the flow and the base.
    pub inner_tci: u16,
    pub base_inner_tci: u16,
    pub tpid: [u16; 2],
    pub base_tpid: [u16; 2],
    pub wc: FlowKey,
    pub odp: Vec<OdpAction>,
    pub depth: u32,
    pub resubmits: u32,
    pub table_id: u8,
    pub rule_cookie: u64,
    pub exit: bool,
    /// An action the datapath cannot do was needed (slow path).
    pub slow_action: bool,
    /// output(max_len=N): truncate the next datapath output.
    pub truncate: Option<u32>,
    pub error: Option<String>,
    pub trace: Option<TraceBuilder>,
    pub fx: SideEffects,
    pub action_set: Vec<Action>,
    pub stack: Vec<u128>,
    pub packet: Option<&'a [u8]>,
    pub side_effects: bool,
    pub now_ms: u64,
    /// skb_priority the packet arrived with (pop_queue restores it).
    pub orig_skb_priority: u32,
    /// The datapath port the packet came from (for controller cookies).
    pub odp_in_port: u32,
    /// A bridge number for controller cookies.
    pub bridge_ids: &'a dyn Fn(&str) -> u32,
    /// Where frozen translations are kept (None: never freeze).
    pub recirc: Option<&'a RecircTable>,
    /// Set when translation froze (a recirculation is needed): the actions
    /// left at each nesting level, innermost first, gathered on the way out.
    pub freezing: Option<Vec<Segment>>,
    /// Flows learnt by this translation (table, priority, mask): installed
    /// only afterwards, yet the megaflow must match what they match, as the
    /// next packet's lookups will see them.
    pub learned_masks: Vec<(u8, u32, FlowKey)>,
}

impl<'a> Ctx<'a> {
    pub fn tracing(&self) -> bool {
        self.trace.is_some()
    }

    pub fn report(&mut self, kind: NodeKind, text: impl FnOnce() -> String) {
        if let Some(t) = self.trace.as_mut() {
            t.add(kind, text());
        }
    }

    pub fn open(&mut self, kind: NodeKind, text: impl FnOnce() -> String) -> usize {
        match self.trace.as_mut() {
            Some(t) => {
                let d = t.depth();
                t.open(kind, text());
                d
            }
            None => 0,
        }
    }

    pub fn close_to(&mut self, depth: usize) {
        if let Some(t) = self.trace.as_mut() {
            t.close_to(depth);
        }
    }

    pub fn trace_depth(&self) -> usize {
        self.trace.as_ref().map_or(0, TraceBuilder::depth)
    }

    /// Un-wildcards a whole slot.
    pub fn mask(&mut self, s: Slot) {
        self.wc.get_mut(s).iter_mut().for_each(|b| *b = 0xff);
    }

    /// ORs `bits` into the mask of a slot of at most 8 bytes.
    pub fn mask_bits(&mut self, s: Slot, bits: u64) {
        let v = self.wc.uint(s) | bits;
        self.wc.set_uint(s, v);
    }

    pub fn dl_type(&self) -> u16 {
        self.flow.u16(key::DL_TYPE)
    }

    pub fn is_ip_any(&self) -> bool {
        matches!(self.dl_type(), 0x0800 | 0x86dd)
    }

    pub fn in_port(&self) -> u16 {
        self.flow.u16(key::IN_PORT)
    }
}

/// Slot helpers on keys.
pub fn copy_slot(dst: &mut FlowKey, src: &FlowKey, s: Slot) {
    let v = src.get(s).to_vec();
    dst.get_mut(s).copy_from_slice(&v);
}
