//! Connection-level requests: features, switch configuration, role
//! (equal/primary/secondary with generation ids), asynchronous message
//! configuration, the Nicira flow-format / table-id / packet-in-format
//! switches, and the asynchronous messages that depend on them
//! (port-status, packet-in).

use openflow::flow_match::key::{self, FlowKey};
use openflow::flow_match::Match;
use openflow::msg::async_config::{self, AsyncConfig};
use openflow::msg::config::SwitchConfig;
use openflow::msg::features::{
    FeaturesReply, C_ARP_MATCH_IP, C_FLOW_STATS, C_GROUP_STATS, C_PORT_STATS, C_QUEUE_STATS,
    C_TABLE_STATS,
};
use openflow::msg::nx::{NXFF_NXM, NXFF_OPENFLOW10, NXPIF_NXT_PACKET_IN, NXPIF_NXT_PACKET_IN2};
use openflow::msg::packet::{PacketIn, PacketInFormat, NO_BUFFER};
use openflow::msg::port_desc::PortDesc;
use openflow::msg::port_status::{PortReason, PortStatus};
use openflow::msg::role::{Role, RoleMsg, RoleStatus};
use openflow::msg::Message;
use openflow::protocol::Protocols;
use openflow::version::Version as OfVersion;
use openflow::OfpError;

use crate::conn::{PPR_ADD, PPR_DELETE};
use crate::handle::Handled;
use crate::output::{ConnId, Output};
use crate::Ofproto;

/// OF1.0 actions the switch supports (every OFPAT10 action).
const OF10_ACTIONS: u32 = 0xfff;

/// A packet the forwarding layer sends to controllers.
#[derive(Clone, Debug, PartialEq)]
pub struct PacketInRequest {
    /// OF1.4 numbering: 0 no match, 1 action, 2 invalid ttl, 3 action set,
    /// 4 group, 5 packet-out.
    pub reason: u8,
    pub table_id: u8,
    pub cookie: u64,
    /// The whole packet (truncated here per connection).
    pub packet: Vec<u8>,
    /// Pipeline metadata at the time: IN_PORT (OpenFlow port), registers,
    /// metadata, tunnel fields; only those set (nonzero) are reported.
    pub metadata: FlowKey,
    /// The controller action's max_len (`None` = the connection's
    /// miss_send_len applies, as for table misses).
    pub max_len: Option<u16>,
    /// Only connections with this controller id (0 = the default).
    pub controller_id: u16,
    /// The controller action's userdata (NXT_PACKET_IN2 only).
    pub userdata: Vec<u8>,
}

impl Ofproto {
    pub(crate) fn features_reply(&self, conn: ConnId, xid: u32) -> Vec<Output> {
        let v = self
            .conns
            .get(&conn)
            .map(|c| c.version)
            .unwrap_or(OfVersion::Of10);
        let mut caps = C_FLOW_STATS | C_TABLE_STATS | C_PORT_STATS | C_QUEUE_STATS;
        caps |= if v == OfVersion::Of10 {
            C_ARP_MATCH_IP
        } else {
            C_GROUP_STATS
        };
        if v >= OfVersion::Of14 {
            caps |= openflow::msg::features::C_BUNDLES;
        }
        let f = FeaturesReply {
            datapath_id: self.datapath_id,
            n_buffers: 0,
            n_tables: crate::ofproto::TABLE_INTERNAL,
            auxiliary_id: 0,
            capabilities: caps,
            actions: if v == OfVersion::Of10 {
                OF10_ACTIONS
            } else {
                0
            },
            ports: if openflow::msg::features::has_ports(v) {
                self.ports.values().map(|p| p.desc.clone()).collect()
            } else {
                Vec::new()
            },
        };
        self.reply(conn, &Message::FeaturesReply(f), xid)
    }

    pub(crate) fn get_config_reply(&self, conn: ConnId, xid: u32) -> Vec<Output> {
        let c = SwitchConfig {
            frags: self.frags,
            invalid_ttl_to_controller: self.invalid_ttl_to_controller,
            miss_send_len: self.conns.get(&conn).map_or(0, |c| c.miss_send_len),
        };
        self.reply(conn, &Message::GetConfigReply(c), xid)
    }

    pub(crate) fn set_config(&mut self, conn: ConnId, c: SwitchConfig) -> Handled {
        // Reassembly is not supported (the reference's userspace datapath
        // ignores it too, and ovs-ofctl reports the mode did not stick).
        if c.frags != openflow::msg::config::FRAG_REASM {
            self.frags = c.frags;
        }
        self.invalid_ttl_to_controller = c.invalid_ttl_to_controller;
        if let Some(cn) = self.conns.get_mut(&conn) {
            cn.miss_send_len = c.miss_send_len;
        }
        Ok(Vec::new())
    }

    pub(crate) fn role_request(
        &mut self,
        conn: ConnId,
        req: RoleMsg,
        xid: u32,
        nx: bool,
    ) -> Handled {
        let Some(c) = self.conns.get(&conn) else {
            return Err(OfpError::BrcEperm);
        };
        if c.kind != crate::conn::ConnKind::Primary && !nx {
            // Service connections have no role; the reference refuses.
        }
        if req.role != Role::NoChange && req.role != Role::Equal {
            if let Some(g) = req.generation_id {
                if let Some(cur) = self.generation_id {
                    if (g.wrapping_sub(cur) as i64) < 0 {
                        return Err(OfpError::RrfcStale);
                    }
                }
                self.generation_id = Some(g);
            }
        }
        let mut out = Vec::new();
        if req.role != Role::NoChange {
            if req.role == Role::Primary {
                let demoted: Vec<ConnId> = self
                    .conns
                    .iter()
                    .filter(|(id, c)| **id != conn && c.role == Role::Primary)
                    .map(|(id, _)| *id)
                    .collect();
                for id in demoted {
                    if let Some(c) = self.conns.get_mut(&id) {
                        c.role = Role::Secondary;
                    }
                    if self.conns.get(&id).is_some_and(|c| {
                        c.version >= OfVersion::Of13 && c.wants(async_config::ROLE_STATUS, 0)
                    }) {
                        let st = RoleStatus {
                            role: Role::Secondary,
                            reason: 0,
                            generation_id: self.generation_id,
                        };
                        out.push(Output::send(
                            id,
                            self.encode_for(id, &Message::RoleStatus(st), 0),
                        ));
                    }
                }
            }
            if let Some(c) = self.conns.get_mut(&conn) {
                c.role = req.role;
            }
        }
        let role = self.conns.get(&conn).map_or(Role::Equal, |c| c.role);
        let reply = if nx {
            Message::NxRoleReply(role)
        } else {
            Message::RoleReply(RoleMsg {
                role,
                generation_id: Some(self.generation_id.unwrap_or(u64::MAX)),
            })
        };
        out.extend(self.reply(conn, &reply, xid));
        Ok(out)
    }

    pub(crate) fn get_async_reply(&self, conn: ConnId, xid: u32) -> Vec<Output> {
        let (mut cfg, v) = self
            .conns
            .get(&conn)
            .map(|c| (c.async_config, c.version))
            .unwrap_or((AsyncConfig::default(), OfVersion::Of13));
        if v < OfVersion::Of14 {
            // Meter-delete and eviction removals are OF1.4 reasons.
            cfg.primary[async_config::FLOW_REMOVED] &= 0xf;
            cfg.secondary[async_config::FLOW_REMOVED] &= 0xf;
        }
        self.reply(conn, &Message::GetAsyncReply(cfg), xid)
    }

    pub(crate) fn set_async(&mut self, conn: ConnId, a: AsyncConfig) -> Handled {
        if let Some(c) = self.conns.get_mut(&conn) {
            c.async_config = a;
        }
        Ok(Vec::new())
    }

    pub(crate) fn set_flow_format(&mut self, conn: ConnId, f: u32) -> Handled {
        let Some(c) = self.conns.get_mut(&conn) else {
            return Ok(Vec::new());
        };
        if c.version != OfVersion::Of10 {
            return Err(OfpError::BrcEperm);
        }
        let tid = c.table_id_ext();
        c.protocol = match (f, tid) {
            (NXFF_OPENFLOW10, false) => Protocols::OF10_STD,
            (NXFF_OPENFLOW10, true) => Protocols::OF10_STD_TID,
            (NXFF_NXM, false) => Protocols::OF10_NXM,
            (NXFF_NXM, true) => Protocols::OF10_NXM_TID,
            _ => return Err(OfpError::BrcEperm),
        };
        Ok(Vec::new())
    }

    pub(crate) fn set_flow_mod_table_id(&mut self, conn: ConnId, on: bool) -> Handled {
        let Some(c) = self.conns.get_mut(&conn) else {
            return Ok(Vec::new());
        };
        if c.version == OfVersion::Of10 {
            let nxm = c.protocol.intersects(Protocols::OF10_NXM_ANY);
            c.protocol = match (nxm, on) {
                (false, false) => Protocols::OF10_STD,
                (false, true) => Protocols::OF10_STD_TID,
                (true, false) => Protocols::OF10_NXM,
                (true, true) => Protocols::OF10_NXM_TID,
            };
        }
        Ok(Vec::new())
    }

    pub(crate) fn set_packet_in_format(&mut self, conn: ConnId, f: u32) -> Handled {
        let Some(c) = self.conns.get_mut(&conn) else {
            return Ok(Vec::new());
        };
        c.packet_in_format = match f {
            NXPIF_NXT_PACKET_IN => PacketInFormat::Nxt,
            NXPIF_NXT_PACKET_IN2 => PacketInFormat::Nxt2,
            _ => PacketInFormat::Standard,
        };
        Ok(Vec::new())
    }

    /// Port-status messages for every connection that wants `reason`.
    pub(crate) fn port_status(&self, reason: u8, desc: &PortDesc) -> Vec<Output> {
        let ps = PortStatus {
            reason: match reason {
                PPR_ADD => PortReason::Add,
                PPR_DELETE => PortReason::Delete,
                _ => PortReason::Modify,
            },
            desc: desc.clone(),
        };
        let m = Message::PortStatus(ps);
        self.conns
            .iter()
            .filter(|(_, c)| c.wants(async_config::PORT_STATUS, u32::from(reason)))
            .map(|(id, _)| Output::send(*id, self.encode_for(*id, &m, 0)))
            .collect()
    }

    /// Packet-ins for every connection that wants this one: its role and
    /// async config allow the reason, its controller id matches, and for
    /// table misses its miss_send_len is not 0. Each gets its own format
    /// and truncation. Takes `&self`, so the forwarding layer can call it
    /// under a read lock; connmgr delivers the result.
    pub fn packet_in(&self, req: &PacketInRequest) -> Vec<Output> {
        let mut out = Vec::new();
        for (id, c) in &self.conns {
            if c.controller_id != req.controller_id {
                continue;
            }
            // Before OF1.4 the action-ish reasons all report as "action".
            let reason = if c.version < OfVersion::Of14 && req.reason > 2 {
                1
            } else {
                req.reason
            };
            if !c.wants(async_config::PACKET_IN, u32::from(reason)) {
                continue;
            }
            let max_len = match req.max_len {
                Some(l) => l,
                None if c.miss_send_len == 0 => continue,
                None => c.miss_send_len,
            };
            let keep = if max_len == 0xffff {
                req.packet.len()
            } else {
                req.packet.len().min(usize::from(max_len))
            };
            let pi = PacketIn {
                packet: req.packet.get(..keep).unwrap_or_default().to_vec(),
                total_len: u32::try_from(req.packet.len()).unwrap_or(u32::MAX),
                buffer_id: NO_BUFFER,
                reason,
                table_id: req.table_id,
                cookie: req.cookie,
                flow_metadata: metadata_match(&req.metadata),
                userdata: req.userdata.clone(),
                continuation: None,
            };
            let m = match c.packet_in_format {
                PacketInFormat::Standard => Message::PacketIn(pi),
                PacketInFormat::Nxt => Message::NxPacketIn(pi),
                PacketInFormat::Nxt2 => Message::NxPacketIn2(pi),
            };
            out.push(Output::send(*id, self.encode_for(*id, &m, 0)));
        }
        out
    }
}

/// The packet-in metadata match: in_port always, and the nonzero pipeline
/// fields (metadata, registers, tunnel id).
fn metadata_match(k: &FlowKey) -> Match {
    let mut m = Match::new();
    let mut set = |name: &str, slot: key::Slot, always: bool| {
        let v = k.get(slot);
        if always || v.iter().any(|b| *b != 0) {
            if let Some(f) = openflow::field::FieldId::by_name(name) {
                let full = vec![0xff; v.len()];
                m.set(f, v, &full);
            }
        }
    };
    set("in_port", key::IN_PORT, true);
    set("metadata", key::METADATA, false);
    set("tun_id", key::TUN_ID, false);
    m
}
