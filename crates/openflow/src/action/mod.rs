//! OpenFlow actions and instructions (`man ovs-actions`): one model for every
//! version, with each version's wire forms and the ovs-ofctl text syntax.
//!
//! As in the reference, instructions are members of the same flat list as
//! actions (`Meter`, `ClearActions`, `WriteActions`, `WriteMetadata`,
//! `GotoTable`), so one `Vec<Action>` is a flow's whole `actions=` list, kept
//! in the order ovs-ofctl prints it; the actions of an apply-actions
//! instruction are simply the non-instruction members.
//!
//! Some variants remember which wire form or keyword produced them (e.g.
//! `load` versus `set_field`, `resubmit:1` via NXAST_RESUBMIT), because the
//! reference prints and re-encodes them differently; parsing text leaves
//! those hints at their defaults, exactly like the reference's parser.
//!
//! Submodules: `wire` (action lists: OF1.0, OF1.1, OF1.2+ and the Nicira and
//! ONF extensions), `inst` (OF1.1+ instructions), `parse` / `format` (text),
//! `verify` (a whole list's member-by-member verification, shared by text
//! and wire), `check` (consistency with a match and usable protocols),
//! `controller`, `set_field`, `header_lookup` (which error an unusable
//! set_field header gets). The complex Nicira actions live in their own
//! files.

pub mod bundle;
pub mod check;
pub mod check_pkt_larger;
pub mod controller;
pub mod ct;
mod format;
mod header_lookup;
mod inst;
pub mod learn;
pub mod multipath;
mod nxwire;
mod parse;
pub mod sample;
pub mod set_field;
mod verify;
mod wire;

use std::net::Ipv4Addr;

use crate::field::{FieldId, SubField};
use crate::port::PortNo;

pub use check::{check_actions, usable_protocols, CheckContext};
pub use controller::Controller;
pub use format::format_actions;
pub use inst::{decode_instructions, encode_instructions};
pub use parse::parse_actions;
pub use set_field::{SetField, SetFieldStyle};
pub use wire::{decode_actions, encode_actions};

/// The Nicira (NX) experimenter id.
pub const NX_VENDOR_ID: u32 = 0x0000_2320;
/// The ONF experimenter id (OF1.3 extensions such as copy_field).
pub const ONF_VENDOR_ID: u32 = 0x4f4e_4600;

/// One action or instruction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    // ---- output -------------------------------------------------------
    /// `output:port`, `NORMAL`, `LOCAL`, ... (`max_len` matters only for the
    /// controller port, but the wire carries it and so do we).
    Output {
        port: PortNo,
        max_len: u16,
    },
    /// `controller(...)` saying more than a maximum length (a plain
    /// `controller`/`controller:max_len` is `Output` to CONTROLLER).
    Controller(Box<Controller>),
    /// `enqueue(port,queue)` (OF1.0; set_queue/output/pop_queue later).
    Enqueue {
        port: PortNo,
        queue: u32,
    },
    /// `output:field[a..b]` (NXAST_OUTPUT_REG, NXAST_OUTPUT_REG2).
    OutputReg {
        src: SubField,
        max_len: u16,
        reg2: bool,
    },
    /// `output(port=p,max_len=n)` (NXAST_OUTPUT_TRUNC).
    OutputTrunc {
        port: PortNo,
        max_len: u32,
    },
    /// `group:id`.
    Group(u32),
    Bundle(Box<bundle::Bundle>),

    // ---- VLAN, MPLS and other encapsulations ---------------------------
    /// `mod_vlan_vid:vid` (`push_if_needed`) or `set_vlan_vid:vid` (decoded
    /// from OF1.1's SET_VLAN_VID). `flow_has_vlan` is learnt from the match
    /// by [`check_actions`]; OF1.1+ encodings push a tag first when the
    /// action must and the flow has none.
    SetVlanVid {
        vid: u16,
        push_if_needed: bool,
        flow_has_vlan: bool,
    },
    /// `mod_vlan_pcp:pcp`, as `SetVlanVid`.
    SetVlanPcp {
        pcp: u8,
        push_if_needed: bool,
        flow_has_vlan: bool,
    },
    /// `strip_vlan`, or `pop_vlan` when decoded from OF1.1+'s POP_VLAN.
    StripVlan {
        pop_vlan: bool,
    },
    /// `push_vlan:ethertype`.
    PushVlan(u16),
    /// `push_mpls:ethertype`.
    PushMpls(u16),
    /// `pop_mpls:ethertype`.
    PopMpls(u16),
    /// `set_mpls_label(label)`.
    SetMplsLabel(u32),
    /// `set_mpls_tc(tc)`.
    SetMplsTc(u8),
    /// `set_mpls_ttl(ttl)`.
    SetMplsTtl(u8),
    DecMplsTtl,
    DecNshTtl,
    /// `encap(...)`: the header type and NSH properties, kept as the wire's
    /// raw property bytes.
    Encap(Box<Encap>),
    /// `decap` / `decap(packet_type(ns=,type=))`: the new packet type
    /// (namespace << 16 | type); `0xfffe` = "use next protocol".
    Decap {
        packet_type: u32,
    },

    // ---- field modification --------------------------------------------
    SetEthSrc([u8; 6]),
    SetEthDst([u8; 6]),
    SetIpv4Src(Ipv4Addr),
    SetIpv4Dst(Ipv4Addr),
    /// `mod_nw_tos:tos`: the DSCP bits as the TOS byte (low 2 bits zero).
    SetIpDscp(u8),
    /// `mod_nw_ecn:ecn`.
    SetIpEcn(u8),
    /// `mod_nw_ttl:ttl`.
    SetIpTtl(u8),
    /// `mod_tp_src:port`; `ip_proto` (learnt by [`check_actions`]) chooses
    /// the field for OF1.2+'s set_field.
    SetL4SrcPort {
        port: u16,
        ip_proto: u8,
    },
    SetL4DstPort {
        port: u16,
        ip_proto: u8,
    },
    /// `set_field:v/m->f` and `load:v->f[a..b]`.
    SetField(Box<SetField>),
    /// `move:src->dst` (NXAST_REG_MOVE, OF1.5 COPY_FIELD; `onf` = decoded
    /// from the OF1.3 ONF copy_field extension, which it then re-encodes).
    RegMove {
        src: SubField,
        dst: SubField,
        onf: bool,
    },
    /// `push:field[a..b]`.
    StackPush(SubField),
    /// `pop:field[a..b]`.
    StackPop(SubField),
    /// `dec_ttl` (`None`) or `dec_ttl(id,...)`.
    DecTtl(Option<Vec<u16>>),
    /// `set_tunnel:id` / `set_tunnel64:id` (`is64` = the latter keyword or wire form).
    SetTunnel {
        tun_id: u64,
        is64: bool,
    },
    /// `delete_field:field`.
    DeleteField(FieldId),

    // ---- metadata and flow control --------------------------------------
    SetQueue(u32),
    PopQueue,
    /// `fin_timeout(idle_timeout=,hard_timeout=)`.
    FinTimeout {
        idle: u16,
        hard: u16,
    },
    /// `resubmit:port`, `resubmit(port,table[,ct])`. `table` 255 = none.
    /// `nx_resubmit`: decoded from the old NXAST_RESUBMIT form, which the
    /// reference keeps when re-encoding.
    Resubmit {
        in_port: PortNo,
        table: u8,
        ct: bool,
        nx_resubmit: bool,
    },
    /// `conjunction(id,clause/n_clauses)`, clause 1-based as printed.
    Conjunction {
        id: u32,
        clause: u8,
        n_clauses: u8,
    },
    /// `note:hex`.
    Note(Vec<u8>),
    Exit,
    /// `clone(actions)`.
    Clone(Vec<Action>),
    Learn(Box<learn::Learn>),
    Multipath(Box<multipath::Multipath>),
    Sample(Box<sample::Sample>),
    Ct(Box<ct::Ct>),
    CtClear,
    CheckPktLarger(Box<check_pkt_larger::CheckPktLarger>),
    /// Debugging actions (`debug_recirc`, `debug_slow`), extensions for tests.
    DebugRecirc,
    DebugSlow,

    // ---- instructions -----------------------------------------------------
    /// `meter:id` (instruction before OF1.5, action in OF1.5).
    Meter(u32),
    ClearActions,
    /// `write_actions(actions)`.
    WriteActions(Vec<Action>),
    /// `write_metadata:value[/mask]`.
    WriteMetadata {
        value: u64,
        mask: u64,
    },
    /// `goto_table:table`.
    GotoTable(u8),
}

/// `encap(...)` arguments.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Encap {
    /// The wire's header-size hint (0 from text); kept as received.
    pub hdr_size: u16,
    /// The new header's packet type (namespace << 16 | type).
    pub packet_type: u32,
    /// NSH metadata type (`md_type`), when `packet_type` is NSH.
    pub nsh_md_type: Option<u8>,
    /// NSH metadata-type-2 TLVs.
    pub nsh_tlvs: Vec<NshTlv>,
}

/// One NSH metadata TLV of `encap(nsh(...))`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NshTlv {
    pub class: u16,
    pub kind: u8,
    /// The TLV's length: how many bytes of `data` are its value.
    pub len: u8,
    /// The value padded to a multiple of 8, padding kept as received.
    pub data: Vec<u8>,
}

/// The instruction kinds, in the order OpenFlow 1.1+ requires them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum InstructionKind {
    Meter,
    ApplyActions,
    ClearActions,
    WriteActions,
    WriteMetadata,
    GotoTable,
}

impl InstructionKind {
    /// The name the reference's messages use ("apply_actions").
    pub fn name(self) -> &'static str {
        match self {
            InstructionKind::Meter => "meter",
            InstructionKind::ApplyActions => "apply_actions",
            InstructionKind::ClearActions => "clear_actions",
            InstructionKind::WriteActions => "write_actions",
            InstructionKind::WriteMetadata => "write_metadata",
            InstructionKind::GotoTable => "goto_table",
        }
    }
}

impl Action {
    /// The instruction this member belongs to: its own kind for the
    /// instruction variants, apply-actions for every real action.
    pub fn instruction_kind(&self) -> InstructionKind {
        match self {
            Action::Meter(_) => InstructionKind::Meter,
            Action::ClearActions => InstructionKind::ClearActions,
            Action::WriteActions(_) => InstructionKind::WriteActions,
            Action::WriteMetadata { .. } => InstructionKind::WriteMetadata,
            Action::GotoTable(_) => InstructionKind::GotoTable,
            _ => InstructionKind::ApplyActions,
        }
    }

    pub fn is_instruction(&self) -> bool {
        self.instruction_kind() != InstructionKind::ApplyActions
    }

    /// `output:port` with the default maximum length.
    pub fn output(port: PortNo) -> Action {
        Action::Output { port, max_len: 0 }
    }

    /// The keyword the reference names this action by in messages
    /// ("ct action doesn't support nested action output").
    pub fn name(&self) -> &'static str {
        match self {
            Action::Output { .. } => "output",
            Action::Controller(_) => "controller",
            Action::Enqueue { .. } => "enqueue",
            Action::OutputReg { .. } => "output_reg",
            Action::OutputTrunc { .. } => "output_trunc",
            Action::Group(_) => "group",
            Action::Bundle(_) => "bundle",
            Action::SetVlanVid { .. } => "set_vlan_vid",
            Action::SetVlanPcp { .. } => "set_vlan_pcp",
            Action::StripVlan { .. } => "strip_vlan",
            Action::PushVlan(_) => "push_vlan",
            Action::PushMpls(_) => "push_mpls",
            Action::PopMpls(_) => "pop_mpls",
            Action::SetMplsLabel(_) => "set_mpls_label",
            Action::SetMplsTc(_) => "set_mpls_tc",
            Action::SetMplsTtl(_) => "set_mpls_ttl",
            Action::DecMplsTtl => "dec_mpls_ttl",
            Action::DecNshTtl => "dec_nsh_ttl",
            Action::Encap(_) => "encap",
            Action::Decap { .. } => "decap",
            Action::SetEthSrc(_) => "mod_dl_src",
            Action::SetEthDst(_) => "mod_dl_dst",
            Action::SetIpv4Src(_) => "mod_nw_src",
            Action::SetIpv4Dst(_) => "mod_nw_dst",
            Action::SetIpDscp(_) => "mod_nw_tos",
            Action::SetIpEcn(_) => "mod_nw_ecn",
            Action::SetIpTtl(_) => "mod_nw_ttl",
            Action::SetL4SrcPort { .. } => "mod_tp_src",
            Action::SetL4DstPort { .. } => "mod_tp_dst",
            Action::SetField(_) => "set_field",
            Action::RegMove { .. } => "move",
            Action::StackPush(_) => "push",
            Action::StackPop(_) => "pop",
            Action::DecTtl(_) => "dec_ttl",
            Action::SetTunnel { .. } => "set_tunnel",
            Action::DeleteField(_) => "delete_field",
            Action::SetQueue(_) => "set_queue",
            Action::PopQueue => "pop_queue",
            Action::FinTimeout { .. } => "fin_timeout",
            Action::Resubmit { .. } => "resubmit",
            Action::Conjunction { .. } => "conjunction",
            Action::Note(_) => "note",
            Action::Exit => "exit",
            Action::Clone(_) => "clone",
            Action::Learn(_) => "learn",
            Action::Multipath(_) => "multipath",
            Action::Sample(_) => "sample",
            Action::Ct(_) => "ct",
            Action::CtClear => "ct_clear",
            Action::CheckPktLarger(_) => "check_pkt_larger",
            Action::DebugRecirc => "debug_recirc",
            Action::DebugSlow => "debug_slow",
            Action::Meter(_) => "meter",
            Action::ClearActions => "clear_actions",
            Action::WriteActions(_) => "write_actions",
            Action::WriteMetadata { .. } => "write_metadata",
            Action::GotoTable(_) => "goto_table",
        }
    }
}

/// For `ct(exec(...))`: the field a nested action modifies (`Ok(Some)`),
/// or the action's name when it is not a field modification at all (`Err`).
/// ct accepts only modifications of ct_mark and ct_label.
pub(crate) fn ct_nested_target(a: &Action) -> Result<Option<FieldId>, &'static str> {
    match a {
        Action::SetField(sf) => Ok(Some(sf.field)),
        Action::RegMove { dst, .. } => Ok(Some(dst.field)),
        other => Err(other.name()),
    }
}
