//! The userspace datapath: receives packets from ports, finds their megaflow
//! (exact-match cache, then the megaflow table), executes datapath actions,
//! and asks an [`UpcallHandler`] what to do with packets that miss.
//!
//! Architecture invariant: this crate knows the flow key layout but nothing
//! of OpenFlow semantics; translation lives above it (ofproto-dpif).

mod affinity;
pub mod dp;
pub mod dpctl;
pub mod dump_text;
mod emc;
mod execute;
mod flow;
mod flows;
pub mod meter;
mod miniflow;
pub mod odp;
mod pipeline;
mod poll;
mod port;
mod types;
pub mod upcall;
mod upcalls;

pub use affinity::parse_cpu_mask;
pub use dp::{
    Clock, Datapath, DpStats, FlowEntry, FlowError, FlowPutFlags, PortInfo, PortStats, Workspace,
};
pub use meter::{MeterBand, MeterConfig, MeterCounts, MeterUnit};
pub use odp::OdpAction;
pub use upcall::{FlowHook, Upcall, UpcallHandler};
