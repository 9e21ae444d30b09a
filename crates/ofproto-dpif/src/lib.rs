//! Translation between OpenFlow and the userspace datapath (the reference's
//! ofproto-dpif): the xlate engine that turns a flow into datapath actions
//! and a megaflow mask, NORMAL switching with MAC learning and VLANs, patch
//! ports, the backer that holds every bridge and answers datapath upcalls,
//! and the text of the related unixctl commands.
//!
//! Architecture invariant: this crate owns no sockets and no threads; the
//! datapath calls it (upcalls, hooks) and vswitchd configures it.

pub mod backer;
pub mod bridge;
pub mod fdb_text;
pub mod field;
pub mod mac_table;
pub mod meters;
pub mod trace;
pub mod trace_cmd;
pub mod vlan;
pub mod xlate;
