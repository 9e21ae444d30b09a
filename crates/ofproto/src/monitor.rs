//! Flow monitors (NXST_FLOW_MONITOR in OF1.0-1.3, OFPMP_FLOW_MONITOR in
//! OF1.4+): a connection registers monitors (table, out_port, match,
//! which events), gets the matching flows at once if it asked for
//! "initial", then an update whenever a matching flow is added, modified
//! or deleted. Changes a connection made itself are reported when it
//! asked for "own" (in full, as the reference does), not otherwise.

use openflow::msg::flow_mod::GROUP_ANY;
use openflow::msg::monitor::{
    FlowMonitorCancel, FlowMonitorRequest, FlowUpdate, FlowUpdateEvent, FlowUpdateFull, FMC_ADD,
    FMC_DELETE, FMC_MODIFY, FMF_ACTIONS, FMF_ADD, FMF_DELETE, FMF_INITIAL, FMF_MODIFY, FMF_OWN,
};
use openflow::msg::multipart::{MpReply, MultipartReply};
use openflow::msg::Message;
use openflow::port::PortNo;
use openflow::version::Version as OfVersion;
use openflow::OfpError;

use crate::handle::Handled;
use crate::output::{ConnId, Output};
use crate::rule::Rule;
use crate::table::loose_matches;
use crate::Ofproto;

/// What happened to a rule, for monitors.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RuleEvent {
    Added,
    Modified,
    /// With the OFPRR_* reason.
    Deleted(u8),
}

fn monitor_sees(m: &FlowMonitorRequest, r: &Rule) -> bool {
    !r.is_hidden()
        && (m.table_id == 0xff || m.table_id == r.table_id)
        && (m.out_port == PortNo::NONE || r.outputs_to_port(m.out_port))
        && (m.out_group == GROUP_ANY || r.outputs_to_group(m.out_group))
        && loose_matches(&r.flow_match.unpack(), &m.flow_match)
}

fn full(event: FlowUpdateEvent, reason: u16, r: &Rule, actions: bool) -> FlowUpdate {
    FlowUpdate::Full(Box::new(FlowUpdateFull {
        event,
        reason,
        table_id: r.table_id,
        idle_timeout: r.idle_timeout,
        hard_timeout: r.hard_timeout,
        priority: u16::try_from(r.priority).unwrap_or(u16::MAX),
        cookie: r.cookie,
        flow_match: r.flow_match.unpack(),
        actions: if actions {
            r.actions.to_vec()
        } else {
            Vec::new()
        },
    }))
}

fn reply(v: OfVersion, nx: bool, updates: Vec<FlowUpdate>) -> Message {
    let body = if nx || v < OfVersion::Of14 {
        MpReply::NxFlowMonitor(updates)
    } else {
        MpReply::FlowMonitor(updates)
    };
    Message::MultipartReply(MultipartReply { flags: 0, body })
}

impl Ofproto {
    /// Registers (OF1.4: adds, modifies or deletes) monitors; replies with
    /// the initial flows of those that asked.
    pub(crate) fn flow_monitor(
        &mut self,
        conn: ConnId,
        reqs: Vec<FlowMonitorRequest>,
        nx: bool,
        xid: u32,
    ) -> Handled {
        let Some(c) = self.conns.get(&conn) else {
            return Err(OfpError::BrcEperm);
        };
        let v = c.version;
        let mut monitors = c.monitors.clone();
        for m in &reqs {
            if m.table_id != 0xff && m.table_id >= crate::ofproto::TABLE_INTERNAL {
                return Err(OfpError::MonfcBadTableId);
            }
            match m.command {
                FMC_ADD => {
                    if monitors.contains_key(&m.id) {
                        return Err(OfpError::MonfcMonitorExists);
                    }
                    monitors.insert(m.id, m.clone());
                }
                FMC_MODIFY => {
                    if !monitors.contains_key(&m.id) {
                        return Err(OfpError::MonfcUnknownMonitor);
                    }
                    monitors.insert(m.id, m.clone());
                }
                FMC_DELETE => {
                    if monitors.remove(&m.id).is_none() {
                        return Err(OfpError::MonfcUnknownMonitor);
                    }
                }
                _ => return Err(OfpError::MonfcBadCommand),
            }
        }
        let mut updates = Vec::new();
        let event = if nx || v < OfVersion::Of14 {
            FlowUpdateEvent::Added
        } else {
            FlowUpdateEvent::Initial
        };
        for t in &self.tables {
            for r in t.iter() {
                let wanted = reqs.iter().any(|m| {
                    m.command != FMC_DELETE && m.flags & FMF_INITIAL != 0 && monitor_sees(m, r)
                });
                if wanted {
                    let actions = reqs.iter().any(|m| m.flags & FMF_ACTIONS != 0);
                    updates.push(full(event, 0, r, actions));
                }
            }
        }
        if let Some(c) = self.conns.get_mut(&conn) {
            c.monitors = monitors;
        }
        Ok(self.reply(conn, &reply(v, nx, updates), xid))
    }

    pub(crate) fn flow_monitor_cancel(&mut self, conn: ConnId, c: FlowMonitorCancel) -> Handled {
        let Some(cn) = self.conns.get_mut(&conn) else {
            return Err(OfpError::BrcEperm);
        };
        if cn.monitors.remove(&c.id).is_none() {
            return Err(OfpError::MonfcUnknownMonitor);
        }
        Ok(Vec::new())
    }

    /// Updates for every monitor that sees `r` change.
    pub(crate) fn notify_monitors(&self, event: RuleEvent, r: &Rule) -> Vec<Output> {
        let (flag, ev, reason) = match event {
            RuleEvent::Added => (FMF_ADD, FlowUpdateEvent::Added, 0),
            RuleEvent::Modified => (FMF_MODIFY, FlowUpdateEvent::Modified, 0),
            RuleEvent::Deleted(why) => (FMF_DELETE, FlowUpdateEvent::Deleted, u16::from(why)),
        };
        let mut out = Vec::new();
        for (id, c) in &self.conns {
            let seen: Vec<&FlowMonitorRequest> = c
                .monitors
                .values()
                .filter(|m| m.flags & flag != 0 && monitor_sees(m, r))
                .collect();
            if seen.is_empty() {
                continue;
            }
            // The connection's own changes only with "own" (and then in
            // full, as the reference sends them).
            let own = self.current_request.is_some_and(|(cid, _)| cid == *id);
            if own && !seen.iter().any(|m| m.flags & FMF_OWN != 0) {
                continue;
            }
            let update = full(
                ev,
                reason,
                r,
                seen.iter().any(|m| m.flags & FMF_ACTIONS != 0),
            );
            let m = reply(c.version, c.version < OfVersion::Of14, vec![update]);
            out.push(Output::send(*id, self.encode_for(*id, &m, 0)));
        }
        out
    }
}
