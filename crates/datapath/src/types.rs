//! The plain data the datapath API takes and returns: port and flow
//! descriptions, counters, flow-operation errors, the injectable clock and
//! the per-thread receive workspace.

use openflow::flow_match::key::FlowKey;

use crate::execute::Deferred;
use crate::odp::OdpAction;
use crate::pipeline::Scratch;

/// Milliseconds on a monotonic clock; injectable for tests.
pub trait Clock: Send + Sync {
    fn now_ms(&self) -> u64;
}

/// A datapath port as listed by `dpctl/show`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PortInfo {
    pub port_no: u32,
    pub name: String,
    /// netdev type ("dummy", "dummy-internal", "system", "tap").
    pub kind: String,
}

/// Per-port counters kept by the datapath.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PortStats {
    pub rx_packets: u64,
    pub rx_bytes: u64,
    pub rx_dropped: u64,
    pub rx_errors: u64,
    pub tx_packets: u64,
    pub tx_bytes: u64,
    pub tx_dropped: u64,
    pub tx_errors: u64,
}

/// Datapath-wide counters (`dpctl/show`: lookups hit/missed/lost, flows, masks).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DpStats {
    pub hit: u64,
    pub missed: u64,
    pub lost: u64,
    pub flows: u64,
    /// Distinct megaflow masks (subtables).
    pub masks: u64,
    pub masks_hit: u64,
}

/// One megaflow as dumped.
#[derive(Clone, Debug)]
pub struct FlowEntry {
    /// The key of the packet that created it (unmasked, as the reference dumps it).
    pub key: FlowKey,
    pub mask: FlowKey,
    pub actions: Vec<OdpAction>,
    pub packets: u64,
    pub bytes: u64,
    /// Last hit, in `Clock::now_ms` milliseconds; None = never.
    pub used: Option<u64>,
    pub tcp_flags: u16,
    /// Unique flow id (printed as a UUID by `dpctl/dump-flows -m`).
    pub ufid: u128,
}

/// `dpctl/add-flow` (create), `dpctl/mod-flow` (modify), both with `--may-create`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FlowPutFlags {
    pub create: bool,
    pub modify: bool,
    pub zero_stats: bool,
}

/// Why a flow operation failed, in the reference's errno terms.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FlowError {
    /// EEXIST: create of an existing flow.
    Exists,
    /// ENOENT: modify/delete of a missing flow.
    NotFound,
    /// EINVAL: a key or mask the datapath cannot take.
    Invalid,
    /// E2BIG / over the flow limit.
    TooMany,
}

impl FlowError {
    /// The strerror text the reference prints.
    pub fn strerror(self) -> &'static str {
        match self {
            FlowError::Exists => "File exists",
            FlowError::NotFound => "No such file or directory",
            FlowError::Invalid => "Invalid argument",
            FlowError::TooMany => "Argument list too long",
        }
    }
}

impl std::fmt::Display for FlowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.strerror())
    }
}

/// Per-thread scratch space for [`Datapath::receive_batch`].
pub struct Workspace {
    pub(crate) scratch: Scratch,
    pub(crate) deferred: Deferred,
}

impl Workspace {
    pub fn new() -> Workspace {
        Workspace {
            scratch: Scratch::new(),
            deferred: Deferred::default(),
        }
    }
}

impl Default for Workspace {
    fn default() -> Workspace {
        Workspace::new()
    }
}
