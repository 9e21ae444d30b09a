//! What each flow table supports, as OFPMP_TABLE_FEATURES (OF1.3+) and the
//! pre-OF1.3 table statistics describe it: every field matchable (with
//! arbitrary masks where the field allows), every writable field settable,
//! the reference's action and instruction sets, goto_table to any later
//! table. ovs-ofctl asks for these before sending OF1.3+ flow-mods.

use std::collections::BTreeSet;

use openflow::field::FieldId;
use openflow::msg::table_features::{
    ActionBits, ActionFeatures, InstructionBits, InstructionFeatures, TableFeatures, ACTION_KINDS,
};

use crate::ofproto::TABLE_INTERNAL;
use crate::Ofproto;

/// The actions the switch lists in table features.
const ACTIONS: [&str; 12] = [
    "output",
    "group",
    "set_field",
    "strip_vlan",
    "push_vlan",
    "mod_nw_ttl",
    "dec_ttl",
    "set_mpls_ttl",
    "dec_mpls_ttl",
    "push_mpls",
    "pop_mpls",
    "set_queue",
];

/// Every instruction (bit i = `INSTRUCTIONS` entry i of the codec:
/// meter, apply, clear, write, write_metadata, goto_table).
const ALL_INSTRUCTIONS: u8 = 0x3f;
const GOTO_TABLE_BIT: u8 = 1 << 5;

pub(crate) fn action_bits() -> ActionBits {
    let mut b = 0;
    for (i, k) in ACTION_KINDS.iter().enumerate() {
        if ACTIONS.contains(&k.name) {
            b |= 1 << i;
        }
    }
    ActionBits(b)
}

impl Ofproto {
    /// Table `table_id`'s features (OpenFlow tables only: 0..=253).
    pub fn table_features(&self, table_id: u8) -> TableFeatures {
        let t = self.tables.get(usize::from(table_id));
        let name = t.and_then(|t| t.config.name.clone()).unwrap_or_default();
        let last = TABLE_INTERNAL - 1;
        let next_tables: BTreeSet<u8> = (table_id.saturating_add(1)..=last)
            .filter(|n| *n > table_id)
            .collect();
        let instructions = if table_id >= last {
            InstructionBits(ALL_INSTRUCTIONS & !GOTO_TABLE_BIT)
        } else {
            InstructionBits(ALL_INSTRUCTIONS)
        };
        let set_fields: BTreeSet<FieldId> = FieldId::all()
            .filter(|f| f.writable() && f.has_wire())
            .collect();
        let actions = ActionFeatures {
            actions: action_bits(),
            set_fields,
        };
        let inst = InstructionFeatures {
            next_tables,
            instructions,
            write: actions.clone(),
            apply: actions,
        };
        let match_fields: BTreeSet<FieldId> = FieldId::all().filter(|f| f.has_wire()).collect();
        let mask: BTreeSet<FieldId> = match_fields
            .iter()
            .copied()
            .filter(|f| f.maskable())
            .collect();
        TableFeatures {
            table_id,
            command: 0,
            name,
            metadata_match: u64::MAX,
            metadata_write: u64::MAX,
            miss_config: Default::default(),
            eviction: None,
            vacancy_events: None,
            max_entries: t.map_or(crate::table::DEFAULT_MAX_FLOWS, |t| t.max_flows()),
            nonmiss: inst.clone(),
            miss: inst,
            wildcard: match_fields.clone(),
            match_fields,
            mask,
        }
    }
}
