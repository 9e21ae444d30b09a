//! Flow table modifications with the reference's semantics: add (replacing
//! an identical match and priority, check_overlap, reset_counts,
//! importance), modify and modify_strict (cookie masks, actions replaced,
//! counters kept unless reset_counts, adding when nothing matches and the
//! request can set a cookie), delete and delete_strict (out_port/out_group
//! filters, cookie masks, all tables), and flow-removed messages.

use std::sync::Arc;

use openflow::action::{check_actions, Action, CheckContext};
use openflow::msg::flow_mod::{
    FlowMod, FlowModCommand, FF_CHECK_OVERLAP, FF_RESET_COUNTS, FF_SEND_FLOW_REM, TABLE_ALL,
};
use openflow::msg::flow_removed::FlowRemoved;
use openflow::msg::Message;
use openflow::port::PortNo;
use openflow::protocol::Protocols;
use openflow::OfpError;

use crate::clock;
use crate::conn::RR_DELETE;
use crate::handle::Handled;
use crate::monitor::RuleEvent;
use crate::ofproto::{N_TABLES, TABLE_INTERNAL};
use crate::output::{ConnId, Output};
use crate::rule::{Rule, RuleRef, RuleStats};
use crate::Ofproto;

/// Which rules a modify/delete/stats request selects.
#[derive(Clone, Debug)]
pub struct RuleCriteria<'a> {
    pub table_id: u8,
    pub flow_match: &'a openflow::flow_match::Match,
    /// Strict: this priority and exactly this match.
    pub strict: Option<u16>,
    pub cookie: u64,
    pub cookie_mask: u64,
    pub out_port: PortNo,
    pub out_group: u32,
}

impl Ofproto {
    /// Handles a flow-mod request.
    pub(crate) fn flow_mod(&mut self, conn: ConnId, mut fm: FlowMod) -> Handled {
        // OpenFlow 1.0 and 1.1 adds always start with fresh counters; the
        // reference records that as the reset_counts flag.
        let old_version = self
            .conns
            .get(&conn)
            .is_some_and(|c| c.version < openflow::version::Version::Of12);
        if old_version && fm.command == FlowModCommand::Add {
            fm.flags |= FF_RESET_COUNTS;
        }
        // No packets are ever buffered (n_buffers is 0), so a buffer id
        // names nothing; the flow-mod itself still applies.
        let now = clock::now_ms();
        let out = self.apply_flow_mod(&fm, now)?;
        self.count_flow_mod(conn, fm.command, now);
        Ok(out)
    }

    /// Counts a successful flow-mod for the connection's summary log line,
    /// logging the summary once a minute while they keep coming.
    fn count_flow_mod(&mut self, conn: ConnId, command: FlowModCommand, now: u64) {
        let Some(c) = self.conns.get_mut(&conn) else {
            return;
        };
        let log = &mut c.flow_mod_log;
        let first = *log.first_ms.get_or_insert(now);
        match command {
            FlowModCommand::Add => log.adds += 1,
            FlowModCommand::Modify | FlowModCommand::ModifyStrict => log.modifications += 1,
            FlowModCommand::Delete | FlowModCommand::DeleteStrict => log.deletes += 1,
        }
        if now.saturating_sub(first) >= crate::conn::FLOW_MOD_LOG_INTERVAL_MS {
            if let Some(text) = log.take_summary(now) {
                ovs_daemon::vlog::info!(crate::connmgr::CONNMGR_LOG, "{}: {text}", c.name);
            }
        }
    }

    /// Applies a flow-mod at time `now` (a `clock::now_ms()` value);
    /// everything is checked before anything changes.
    pub fn apply_flow_mod(&mut self, fm: &FlowMod, now: u64) -> Handled {
        match fm.command {
            FlowModCommand::Add => self.add_flow(fm, now),
            FlowModCommand::Modify | FlowModCommand::ModifyStrict => self.modify_flows(fm, now),
            FlowModCommand::Delete | FlowModCommand::DeleteStrict => {
                let criteria = RuleCriteria {
                    table_id: fm.table_id,
                    flow_match: &fm.flow_match,
                    strict: (fm.command == FlowModCommand::DeleteStrict).then_some(fm.priority),
                    cookie: fm.cookie,
                    cookie_mask: fm.cookie_mask,
                    out_port: fm.out_port,
                    out_group: fm.out_group,
                };
                let rules = self.collect_rules(&criteria);
                Ok(self.delete_rules(&rules, RR_DELETE, now))
            }
        }
    }

    /// Adds (or replaces) a rule of the switch's own, not subject to
    /// OpenFlow checks: any table (including the internal one) and any
    /// priority (above 65535 = hidden from OpenFlow). For the forwarding
    /// layer's internal flows and fail-open.
    pub fn add_internal_rule(
        &mut self,
        table_id: u8,
        flow_match: openflow::flow_match::Match,
        priority: u32,
        actions: Vec<Action>,
    ) -> Vec<Output> {
        let now = clock::now_ms();
        let Some(table) = self.tables.get_mut(usize::from(table_id)) else {
            return Vec::new();
        };
        table.insert(Arc::new(Rule {
            table_id,
            flow_match: flow_match.pack(),
            priority,
            cookie: 0,
            actions: actions.into(),
            flags: 0,
            idle_timeout: 0,
            hard_timeout: 0,
            importance: 0,
            created_ms: now,
            modified_ms: now,
            stats: Arc::new(RuleStats::new()),
        }));
        let mut out = Vec::new();
        self.bump_version(&mut out);
        out
    }

    /// Removes a rule `add_internal_rule` added (no flow-removed).
    pub fn remove_internal_rule(
        &mut self,
        table_id: u8,
        flow_match: &openflow::flow_match::Match,
        priority: u32,
    ) -> Vec<Output> {
        let Some(t) = self.tables.get_mut(usize::from(table_id)) else {
            return Vec::new();
        };
        let Some(r) = t.find_strict(flow_match, priority).cloned() else {
            return Vec::new();
        };
        t.remove(&r);
        let mut out = Vec::new();
        self.bump_version(&mut out);
        out
    }

    /// Removes every OpenFlow-visible rule (fail-mode changes do this),
    /// without flow-removed messages.
    pub fn flush_flows(&mut self) -> Vec<Output> {
        for t in self.tables.iter_mut().take(usize::from(TABLE_INTERNAL)) {
            t.retain(|r| r.is_hidden());
        }
        let mut out = Vec::new();
        self.bump_version(&mut out);
        out
    }

    /// Checks a flow-mod's match and actions against the switch: internal
    /// fields, tunnel metadata (no TLV mappings exist), ports, tables,
    /// groups, meters.
    fn check_flow_actions(&self, fm: &FlowMod, table_id: u8) -> Result<Vec<Action>, OfpError> {
        check_match(&fm.flow_match)?;
        check_tlv_actions(&fm.actions)?;
        let mut actions = fm.actions.clone();
        let cx = CheckContext {
            max_ports: PortNo::MAX,
            table_id,
            n_tables: N_TABLES,
        };
        let mut usable = Protocols::ANY;
        check_actions(&mut actions, &fm.flow_match, &cx, &mut usable)?;
        self.check_references(&actions)?;
        Ok(actions)
    }

    /// Meters the actions use must exist.
    pub(crate) fn check_meters(&self, actions: &[Action]) -> Result<(), OfpError> {
        for a in actions {
            match a {
                Action::Meter(m) if !self.meters.contains_key(m) => {
                    return Err(OfpError::MmfcInvalidMeter)
                }
                Action::WriteActions(inner) | Action::Clone(inner) => self.check_meters(inner)?,
                _ => {}
            }
        }
        Ok(())
    }

    /// Groups and meters the actions use must exist.
    pub(crate) fn check_references(&self, actions: &[Action]) -> Result<(), OfpError> {
        for a in actions {
            match a {
                Action::Group(g) if !self.groups.contains_key(g) => {
                    return Err(OfpError::BacBadOutGroup)
                }
                Action::Meter(m) if !self.meters.contains_key(m) => {
                    return Err(OfpError::MmfcInvalidMeter)
                }
                Action::WriteActions(inner) | Action::Clone(inner) => {
                    self.check_references(inner)?
                }
                _ => {}
            }
        }
        Ok(())
    }

    fn add_flow(&mut self, fm: &FlowMod, now: u64) -> Handled {
        let table_id = if fm.table_id == TABLE_ALL {
            0
        } else {
            fm.table_id
        };
        if table_id == TABLE_INTERNAL {
            return Err(OfpError::BrcEperm);
        }
        let actions = self.check_flow_actions(fm, table_id)?;
        let priority = u32::from(fm.priority);
        let Some(table) = self.tables.get(usize::from(table_id)) else {
            return Err(OfpError::BrcBadTableId);
        };
        if fm.flags & FF_CHECK_OVERLAP != 0 && table.has_overlap(&fm.flow_match, priority) {
            return Err(OfpError::FmfcOverlap);
        }
        let old = table.find_strict(&fm.flow_match, priority).cloned();
        if old.is_none() && table.len() >= table.max_flows() as usize {
            return Err(OfpError::FmfcTableFull);
        }
        let stats = match &old {
            Some(o) if fm.flags & FF_RESET_COUNTS == 0 => o.stats.clone(),
            _ => Arc::new(RuleStats::new()),
        };
        let cookie = if fm.new_cookie == u64::MAX {
            0
        } else {
            fm.new_cookie
        };
        let rule = Rule {
            table_id,
            flow_match: fm.flow_match.pack(),
            priority,
            cookie,
            actions: actions.into(),
            flags: fm.flags,
            idle_timeout: fm.idle_timeout,
            hard_timeout: fm.hard_timeout,
            importance: fm.importance,
            created_ms: now,
            modified_ms: now,
            stats,
        };
        let rule = Arc::new(rule);
        if let Some(t) = self.tables.get_mut(usize::from(table_id)) {
            t.insert(rule.clone());
        }
        // Monitors hear of an add as an add, even when it replaced a flow.
        let mut out = self.notify_monitors(RuleEvent::Added, &rule);
        self.bump_version(&mut out);
        Ok(out)
    }

    fn modify_flows(&mut self, fm: &FlowMod, now: u64) -> Handled {
        let criteria = RuleCriteria {
            table_id: fm.table_id,
            flow_match: &fm.flow_match,
            strict: (fm.command == FlowModCommand::ModifyStrict).then_some(fm.priority),
            cookie: fm.cookie,
            cookie_mask: fm.cookie_mask,
            out_port: PortNo::NONE,
            out_group: openflow::msg::flow_mod::GROUP_ANY,
        };
        let rules = self.collect_rules(&criteria);
        if rules.is_empty() {
            // Nothing to modify: the reference adds the flow when the
            // request could give it a cookie (not a cookie-matching one).
            if fm.cookie_mask == 0 && fm.new_cookie != u64::MAX {
                let mut add = fm.clone();
                add.command = FlowModCommand::Add;
                add.flags &= !FF_CHECK_OVERLAP;
                return self.add_flow(&add, now);
            }
            return Ok(Vec::new());
        }
        // Check the actions against every table first: all or nothing.
        let mut checked = Vec::with_capacity(rules.len());
        for r in &rules {
            checked.push(self.check_flow_actions(fm, r.table_id)?);
        }
        let mut out = Vec::new();
        for (old, actions) in rules.iter().zip(checked) {
            let stats = if fm.flags & FF_RESET_COUNTS != 0 {
                Arc::new(RuleStats::new())
            } else {
                old.stats.clone()
            };
            let cookie = if fm.new_cookie != u64::MAX && fm.modify_cookie_applies() {
                fm.new_cookie
            } else {
                old.cookie
            };
            let new = Rule {
                table_id: old.table_id,
                flow_match: old.flow_match.clone(),
                priority: old.priority,
                cookie,
                actions: actions.into(),
                flags: old.flags,
                idle_timeout: old.idle_timeout,
                hard_timeout: old.hard_timeout,
                importance: old.importance,
                created_ms: old.created_ms,
                modified_ms: now,
                stats,
            };
            let new = Arc::new(new);
            if let Some(t) = self.tables.get_mut(usize::from(old.table_id)) {
                t.replace(old, new.clone());
            }
            out.extend(self.notify_monitors(RuleEvent::Modified, &new));
        }
        self.bump_version(&mut out);
        Ok(out)
    }

    /// Rules (not hidden) selected by `c`, table by table.
    pub fn collect_rules(&self, c: &RuleCriteria) -> Vec<RuleRef> {
        let tables: Vec<usize> = if c.table_id == TABLE_ALL {
            (0..usize::from(N_TABLES)).collect()
        } else {
            vec![usize::from(c.table_id)]
        };
        let mut rules = Vec::new();
        for t in tables {
            let Some(table) = self.tables.get(t) else {
                continue;
            };
            let pick = |r: &&RuleRef| {
                !r.is_hidden()
                    && (r.cookie ^ c.cookie) & c.cookie_mask == 0
                    && r.outputs_to_port(c.out_port)
                    && r.outputs_to_group(c.out_group)
            };
            match c.strict {
                Some(p) => {
                    if let Some(r) = table.find_strict(c.flow_match, u32::from(p)) {
                        if pick(&r) {
                            rules.push(r.clone());
                        }
                    }
                }
                None => rules.extend(table.iter_loose(c.flow_match).filter(pick).cloned()),
            }
        }
        rules
    }

    /// Removes `rules`, sending flow-removed with `reason` for those that
    /// asked for it.
    pub(crate) fn delete_rules(&mut self, rules: &[RuleRef], reason: u8, now: u64) -> Vec<Output> {
        let mut out = Vec::new();
        if rules.is_empty() {
            return out;
        }
        for r in rules {
            if let Some(t) = self.tables.get_mut(usize::from(r.table_id)) {
                t.remove(r);
            }
            if r.flags & FF_SEND_FLOW_REM != 0 {
                out.extend(self.flow_removed(r, reason, now));
            }
            out.extend(self.notify_monitors(RuleEvent::Deleted(reason), r));
        }
        self.bump_version(&mut out);
        out
    }

    /// Flow-removed messages for every connection that wants them.
    pub(crate) fn flow_removed(&self, r: &Rule, reason: u8, now: u64) -> Vec<Output> {
        let age = now.saturating_sub(r.created_ms);
        let fr = FlowRemoved {
            flow_match: r.flow_match.unpack(),
            cookie: r.cookie,
            priority: u16::try_from(r.priority).unwrap_or(u16::MAX),
            reason,
            table_id: r.table_id,
            duration_sec: u32::try_from(age / 1000).unwrap_or(u32::MAX),
            duration_nsec: u32::try_from((age % 1000) * 1_000_000).unwrap_or(0),
            idle_timeout: r.idle_timeout,
            hard_timeout: r.hard_timeout,
            packet_count: r.stats.packets(),
            byte_count: r.stats.bytes(),
        };
        let msg = Message::FlowRemoved(fr);
        self.conns
            .iter()
            .filter(|(_, c)| c.wants(openflow::msg::async_config::FLOW_REMOVED, u32::from(reason)))
            .map(|(id, _)| Output::send(*id, self.encode_for(*id, &msg, 0)))
            .collect()
    }
}

trait ModifyCookie {
    fn modify_cookie_applies(&self) -> bool;
}

impl ModifyCookie for FlowMod {
    /// Whether a modify sets the cookie: when the request carries a new one
    /// (OF1.0 and NXM requests without a cookie mask, or text `cookie=`).
    fn modify_cookie_applies(&self) -> bool {
        self.cookie_mask == 0 || self.modify_cookie
    }
}

/// Fields only the switch itself may match on. Asks for the few fields
/// concerned directly (listing every matched field allocates, and this
/// runs for every flow-mod).
fn check_match(m: &openflow::flow_match::Match) -> Result<(), OfpError> {
    use openflow::field::FieldId;
    let tun_metadata = (0..64)
        .filter_map(FieldId::tun_metadata)
        .any(|f| m.is_matched(f));
    if tun_metadata {
        return Err(OfpError::NxfmfcInvalidTlvField);
    }
    if m.is_matched(FieldId::RECIRC_ID) || m.is_matched(FieldId::DP_HASH) {
        return Err(OfpError::BrcEperm);
    }
    Ok(())
}

/// Actions naming tunnel metadata need a TLV mapping, and there are none.
fn check_tlv_actions(actions: &[Action]) -> Result<(), OfpError> {
    let tlv = |f: openflow::field::FieldId| f.tun_metadata_index().is_some();
    for a in actions {
        let bad = match a {
            Action::SetField(sf) => tlv(sf.field),
            Action::DeleteField(f) => tlv(*f),
            Action::RegMove { src, dst, .. } => tlv(src.field) || tlv(dst.field),
            Action::StackPush(sf) | Action::StackPop(sf) => tlv(sf.field),
            Action::WriteActions(inner) | Action::Clone(inner) => {
                check_tlv_actions(inner)?;
                false
            }
            _ => false,
        };
        if bad {
            return Err(OfpError::NxfmfcInvalidTlvField);
        }
    }
    Ok(())
}
