//! What the switch remembers about each OpenFlow connection: negotiated
//! version and flow format, packet-in format, role, asynchronous message
//! configuration, miss_send_len, controller id, open bundles. connmgr owns
//! the sockets; the switch owns this state because replies and
//! asynchronous messages depend on it.

use std::collections::BTreeMap;

use openflow::msg::async_config::{self, AsyncConfig};
use openflow::msg::packet::PacketInFormat;
use openflow::msg::role::Role;
use openflow::protocol::Protocols;
use openflow::version::Version;

use crate::bundle::Bundle;

/// Controllers (Controller table, active or passive) get asynchronous
/// messages by default; service connections (the bridge's `.mgmt` socket)
/// get none until they set a nonzero miss_send_len.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConnKind {
    Primary,
    Service,
}

/// The default miss_send_len of controller connections.
pub const DEFAULT_MISS_SEND_LEN: u16 = 128;

/// Packet-in reasons (OF1.4 numbering).
pub const PR_NO_MATCH: u32 = 0;
pub const PR_ACTION: u32 = 1;
pub const PR_INVALID_TTL: u32 = 2;
pub const PR_ACTION_SET: u32 = 3;
pub const PR_GROUP: u32 = 4;
pub const PR_PACKET_OUT: u32 = 5;

/// Flow-removed reasons.
pub const RR_IDLE_TIMEOUT: u8 = 0;
pub const RR_HARD_TIMEOUT: u8 = 1;
pub const RR_DELETE: u8 = 2;
pub const RR_GROUP_DELETE: u8 = 3;
pub const RR_METER_DELETE: u8 = 4;
pub const RR_EVICTION: u8 = 5;

/// Port-status reasons.
pub const PPR_ADD: u8 = 0;
pub const PPR_DELETE: u8 = 1;
pub const PPR_MODIFY: u8 = 2;

/// The asynchronous messages a connection gets before it configures them.
pub fn default_async_config() -> AsyncConfig {
    let mut c = AsyncConfig::default();
    c.primary[async_config::PACKET_IN] = (1 << PR_NO_MATCH)
        | (1 << PR_ACTION)
        | (1 << PR_ACTION_SET)
        | (1 << PR_GROUP)
        | (1 << PR_PACKET_OUT);
    c.primary[async_config::PORT_STATUS] = 0x7;
    c.primary[async_config::FLOW_REMOVED] = 0x3f;
    c.secondary[async_config::PORT_STATUS] = 0x7;
    c
}

/// One connection's OpenFlow session state.
#[derive(Debug)]
pub struct Conn {
    pub kind: ConnKind,
    pub version: Version,
    /// The connection's protocol: the version's, and for OF1.0 the flow
    /// format (standard or NXM) and whether flow-mods carry a table id.
    pub protocol: Protocols,
    pub packet_in_format: PacketInFormat,
    pub role: Role,
    pub async_config: AsyncConfig,
    pub miss_send_len: u16,
    pub controller_id: u16,
    pub bundles: BTreeMap<u32, Bundle>,
    /// Flow monitors by id.
    pub monitors: BTreeMap<u32, openflow::msg::monitor::FlowMonitorRequest>,
    /// How logs name the connection ("br0<->unix#3"); connmgr sets it.
    pub name: String,
    /// Flow-mods since the last summary log line.
    pub flow_mod_log: FlowModLog,
}

/// Flow-mods a connection made, for the periodic summary log line
/// ("N flow_mods in the last N s (N adds, N deletes)").
#[derive(Clone, Debug, Default)]
pub struct FlowModLog {
    /// `clock::now_ms()` of the first one counted.
    pub first_ms: Option<u64>,
    pub adds: u64,
    pub modifications: u64,
    pub deletes: u64,
}

/// A summary is logged at least this often while flow-mods keep coming.
pub const FLOW_MOD_LOG_INTERVAL_MS: u64 = 60_000;

impl FlowModLog {
    /// The summary text since `first_ms`, if anything was counted; resets.
    pub fn take_summary(&mut self, now_ms: u64) -> Option<String> {
        let first = self.first_ms.take()?;
        let total = self.adds + self.modifications + self.deletes;
        let parts: Vec<String> = [
            (self.adds, "adds"),
            (self.modifications, "modifications"),
            (self.deletes, "deletes"),
        ]
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, what)| format!("{n} {what}"))
        .collect();
        *self = FlowModLog::default();
        let secs = (now_ms.saturating_sub(first) + 500) / 1000;
        Some(format!(
            "{total} flow_mods in the last {secs} s ({})",
            parts.join(", ")
        ))
    }
}

impl Conn {
    pub fn new(kind: ConnKind, version: Version) -> Conn {
        Conn {
            kind,
            version,
            protocol: Protocols::of_version(version)
                .first()
                .unwrap_or(Protocols::OF10_STD),
            packet_in_format: PacketInFormat::Standard,
            role: Role::Equal,
            async_config: default_async_config(),
            miss_send_len: match kind {
                ConnKind::Primary => DEFAULT_MISS_SEND_LEN,
                ConnKind::Service => 0,
            },
            controller_id: 0,
            bundles: BTreeMap::new(),
            monitors: BTreeMap::new(),
            name: String::new(),
            flow_mod_log: FlowModLog::default(),
        }
    }

    /// Whether OF1.0 flow-mods carry a table id in the command's high byte.
    pub fn table_id_ext(&self) -> bool {
        self.protocol.intersects(Protocols::TID)
    }

    /// Whether the connection wants asynchronous message `kind` (an
    /// `async_config` index) for `reason`.
    pub fn wants(&self, kind: usize, reason: u32) -> bool {
        // Service connections get asynchronous messages only once they ask
        // for them with a nonzero miss_send_len (as `ovs-ofctl monitor` does).
        if self.kind == ConnKind::Service && self.miss_send_len == 0 {
            return false;
        }
        let masks = if self.role == Role::Secondary {
            &self.async_config.secondary
        } else {
            &self.async_config.primary
        };
        masks.get(kind).is_some_and(|m| m & (1 << reason) != 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flow_mod_summary_counts_kinds_and_resets() {
        let mut log = FlowModLog::default();
        assert_eq!(log.take_summary(5_000), None);
        log.first_ms = Some(1_000);
        log.adds = 2;
        log.deletes = 1;
        assert_eq!(
            log.take_summary(4_600).as_deref(),
            Some("3 flow_mods in the last 4 s (2 adds, 1 deletes)")
        );
        assert_eq!(log.take_summary(9_000), None, "reset after a summary");
        log.first_ms = Some(0);
        log.modifications = 1;
        assert_eq!(
            log.take_summary(200).as_deref(),
            Some("1 flow_mods in the last 0 s (1 modifications)")
        );
    }
}
