//! Multipart (statistics) requests: flow and aggregate statistics (OpenFlow
//! and Nicira forms), table, port, queue, group, meter statistics and
//! descriptions, port descriptions, switch description, table
//! descriptions. Long replies are split over several messages.

use openflow::msg::group::{GroupFeatures, GroupStats as GroupStatsEntry, GROUP_ALL};
use openflow::msg::meter::{BandStats, MeterFeatures, MeterStats, METER_ALL};
use openflow::msg::multipart::desc::SwitchDesc;
use openflow::msg::multipart::flow::{AggregateStats, FlowStats, FlowStatsRequest};
use openflow::msg::multipart::port::PortStats;
use openflow::msg::multipart::queue::{QueueGetConfigReply, QueueGetConfigRequest};
use openflow::msg::multipart::table::{TableDesc, TableStats};
use openflow::msg::multipart::{
    encode_replies, MpReply, MpRequest, MultipartReply, MultipartRequest,
};
use openflow::msg::table_features::TableCounters;
use openflow::msg::Message;
use openflow::port::PortNo;
use openflow::version::Version as OfVersion;
use openflow::OfpError;

use crate::clock;
use crate::flow_mod::RuleCriteria;
use crate::handle::Handled;
use crate::ofproto::TABLE_INTERNAL;
use crate::output::{ConnId, Output};
use crate::rule::RuleRef;
use crate::Ofproto;

/// OFPTMPEF14_OTHER | IMPORTANCE | LIFETIME: how tables would evict.
const EVICTION_FLAGS: u32 = 0x7;

fn secs_nsecs(ms: u64) -> (u32, u32) {
    (
        u32::try_from(ms / 1000).unwrap_or(u32::MAX),
        u32::try_from((ms % 1000) * 1_000_000).unwrap_or(0),
    )
}

impl Ofproto {
    pub(crate) fn multipart(&mut self, conn: ConnId, r: MultipartRequest, xid: u32) -> Handled {
        let v = self
            .conns
            .get(&conn)
            .map(|c| c.version)
            .unwrap_or(OfVersion::Of10);
        let now = clock::now_ms();
        let body = match r.body {
            MpRequest::Desc => MpReply::Desc(SwitchDesc {
                mfr_desc: self.info.mfr_desc.clone(),
                hw_desc: self.info.hw_desc.clone(),
                sw_desc: self.info.sw_desc.clone(),
                serial_num: self.info.serial_num.clone(),
                dp_desc: self.info.dp_desc.clone(),
            }),
            MpRequest::Flow(req) => MpReply::Flow(self.flow_stats(&req, now, false)?),
            MpRequest::NxFlow(req) => MpReply::NxFlow(self.flow_stats(&req, now, true)?),
            MpRequest::Aggregate(req) => MpReply::Aggregate(self.aggregate(&req)?),
            MpRequest::NxAggregate(req) => MpReply::NxAggregate(self.aggregate(&req)?),
            MpRequest::Table => MpReply::Table(self.table_stats(v)),
            MpRequest::TableDesc => MpReply::TableDesc(self.table_descs()),
            MpRequest::PortStats(p) => MpReply::PortStats(self.port_stats_entries(p, now)?),
            MpRequest::PortDesc(p) => MpReply::PortDesc(
                self.ports
                    .values()
                    .filter(|x| p == PortNo::NONE || x.port_no() == p)
                    .map(|x| x.desc.clone())
                    .collect(),
            ),
            MpRequest::Queue(q) => {
                if q.port != PortNo::NONE
                    && q.port != PortNo::ALL
                    && !self.ports.contains_key(&q.port)
                {
                    return Err(OfpError::QofcBadPort);
                }
                MpReply::Queue(Vec::new())
            }
            MpRequest::QueueDesc(_) => MpReply::QueueDesc(Vec::new()),
            MpRequest::Group(id) => MpReply::Group(self.group_stats(id, now)),
            MpRequest::GroupDesc(id) => MpReply::GroupDesc(
                self.groups
                    .values()
                    .filter(|g| id == GROUP_ALL || g.group_id == id)
                    .map(|g| g.desc())
                    .collect(),
            ),
            MpRequest::GroupFeatures => MpReply::GroupFeatures(group_features()),
            MpRequest::Meter(id) => MpReply::Meter(self.meter_stats(id, now)),
            MpRequest::MeterConfig(id) => MpReply::MeterConfig(
                self.meters
                    .iter()
                    .filter(|(m, _)| id == METER_ALL || **m == id)
                    .map(|(_, e)| e.meter.clone())
                    .collect(),
            ),
            MpRequest::MeterFeatures => MpReply::MeterFeatures(MeterFeatures {
                max_meters: crate::meter::MAX_METERS,
                band_types: 1 << 1,
                capabilities: u32::from(
                    openflow::msg::meter::MF_KBPS
                        | openflow::msg::meter::MF_PKTPS
                        | openflow::msg::meter::MF_BURST
                        | openflow::msg::meter::MF_STATS,
                ),
                max_bands: 8,
                max_color: 0,
            }),
            MpRequest::TableFeatures(set) => {
                if !set.is_empty() {
                    // Changing table features is not supported.
                    return Err(OfpError::TffcEperm);
                }
                MpReply::TableFeatures(
                    (0..TABLE_INTERNAL)
                        .map(|t| self.table_features(t))
                        .collect(),
                )
            }
            MpRequest::FlowMonitor(reqs) => return self.flow_monitor(conn, reqs, false, xid),
            MpRequest::NxFlowMonitor(reqs) => return self.flow_monitor(conn, reqs, true, xid),
            MpRequest::IpfixBridge | MpRequest::IpfixFlow => {
                return Err(OfpError::NxstNotConfigured)
            }
        };
        let reply = MultipartReply { flags: 0, body };
        Ok(encode_replies(&reply, v, xid)
            .into_iter()
            .map(|m| Output::send(conn, m))
            .collect())
    }

    /// Rules a flow or aggregate statistics request selects.
    fn stats_rules(&self, req: &FlowStatsRequest) -> Result<Vec<RuleRef>, OfpError> {
        let c = RuleCriteria {
            table_id: req.table_id,
            flow_match: &req.flow_match,
            strict: None,
            cookie: req.cookie,
            cookie_mask: req.cookie_mask,
            out_port: req.out_port,
            out_group: req.out_group,
        };
        Ok(self.collect_rules(&c))
    }

    fn flow_stats(
        &self,
        req: &FlowStatsRequest,
        now: u64,
        nx: bool,
    ) -> Result<Vec<FlowStats>, OfpError> {
        let rules = self.stats_rules(req)?;
        Ok(rules.iter().map(|r| flow_stats_entry(r, now, nx)).collect())
    }

    fn aggregate(&self, req: &FlowStatsRequest) -> Result<AggregateStats, OfpError> {
        let rules = self.stats_rules(req)?;
        Ok(AggregateStats {
            packet_count: rules.iter().map(|r| r.stats.packets()).sum(),
            byte_count: rules.iter().map(|r| r.stats.bytes()).sum(),
            flow_count: u32::try_from(rules.len()).unwrap_or(u32::MAX),
        })
    }

    fn table_stats(&self, v: OfVersion) -> Vec<TableStats> {
        self.tables
            .iter()
            .enumerate()
            .filter(|(i, _)| *i < usize::from(TABLE_INTERNAL))
            .map(|(i, t)| {
                let table_id = u8::try_from(i).unwrap_or(0);
                TableStats {
                    table_id,
                    counters: TableCounters {
                        active_count: u32::try_from(t.n_visible()).unwrap_or(u32::MAX),
                        lookup_count: t.lookup_count(),
                        matched_count: t.matched_count(),
                    },
                    features: (v < OfVersion::Of13).then(|| self.table_features(table_id)),
                }
            })
            .collect()
    }

    fn table_descs(&self) -> Vec<TableDesc> {
        (0..TABLE_INTERNAL)
            .map(|table_id| {
                let t = self.tables.get(usize::from(table_id));
                TableDesc {
                    table_id,
                    eviction: t.is_some_and(|t| t.config.eviction),
                    vacancy_events: t.is_some_and(|t| t.config.vacancy_events),
                    eviction_flags: Some(EVICTION_FLAGS),
                    vacancy: t.filter(|t| t.config.vacancy_events).map(|t| {
                        let max = u64::from(t.max_flows());
                        let used = u64::try_from(t.n_visible()).unwrap_or(u64::MAX);
                        let free = max.saturating_sub(used) * 100 / max.max(1);
                        openflow::msg::multipart::table::Vacancy {
                            down: t.config.vacancy_down,
                            up: t.config.vacancy_up,
                            vacancy: u8::try_from(free).unwrap_or(100),
                        }
                    }),
                }
            })
            .collect()
    }

    fn port_stats_entries(&self, p: PortNo, now: u64) -> Result<Vec<PortStats>, OfpError> {
        Ok(self
            .ports_in_reference_order()
            .into_iter()
            .filter(|x| p == PortNo::NONE || p == PortNo::ALL || x.port_no() == p)
            .map(|x| {
                let mut s = self
                    .port_stats
                    .as_ref()
                    .and_then(|f| f(x.port_no()))
                    .unwrap_or_else(|| empty_port_stats(x.port_no()));
                let (sec, nsec) = secs_nsecs(now.saturating_sub(x.created_ms));
                s.port_no = x.port_no();
                s.duration_sec = sec;
                s.duration_nsec = nsec;
                s
            })
            .collect())
    }

    /// The ports in the order the reference walks its port map (hashed by
    /// port number), which is the order of its port statistics replies.
    /// Ports are taken as added in order of creation, then number.
    fn ports_in_reference_order(&self) -> Vec<&crate::OfPort> {
        let mut added: Vec<&crate::OfPort> = self.ports.values().collect();
        added.sort_by_key(|x| (x.created_ms, x.port_no()));
        ovs_hash_order::hmap_order(
            added
                .into_iter()
                .map(|x| (ovs_hash_order::hash_int(u32::from(x.port_no().0), 0), x)),
        )
    }

    fn group_stats(&self, id: u32, now: u64) -> Vec<GroupStatsEntry> {
        self.groups
            .values()
            .filter(|g| id == GROUP_ALL || g.group_id == id)
            .map(|g| {
                let ref_count = self
                    .tables
                    .iter()
                    .flat_map(|t| t.iter())
                    .filter(|r| r.outputs_to_group(g.group_id))
                    .count();
                let (sec, nsec) = secs_nsecs(now.saturating_sub(g.created_ms));
                use std::sync::atomic::Ordering::Relaxed;
                GroupStatsEntry {
                    group_id: g.group_id,
                    ref_count: u32::try_from(ref_count).unwrap_or(u32::MAX),
                    packet_count: g.stats.packets.load(Relaxed),
                    byte_count: g.stats.bytes.load(Relaxed),
                    duration_sec: sec,
                    duration_nsec: nsec,
                    bucket_stats: g
                        .stats
                        .buckets
                        .iter()
                        .map(|(p, b)| (p.load(Relaxed), b.load(Relaxed)))
                        .collect(),
                }
            })
            .collect()
    }

    fn meter_stats(&self, id: u32, now: u64) -> Vec<MeterStats> {
        use std::sync::atomic::Ordering::Relaxed;
        self.meters
            .iter()
            .filter(|(m, _)| id == METER_ALL || **m == id)
            .map(|(m, e)| {
                let flow_count = self
                    .tables
                    .iter()
                    .flat_map(|t| t.iter())
                    .filter(|r| r.actions.contains(&openflow::action::Action::Meter(*m)))
                    .count();
                let (sec, nsec) = secs_nsecs(now.saturating_sub(e.created_ms));
                MeterStats {
                    meter_id: *m,
                    flow_count: u32::try_from(flow_count).unwrap_or(u32::MAX),
                    packet_in_count: e.counters.packets_in.load(Relaxed),
                    byte_in_count: e.counters.bytes_in.load(Relaxed),
                    duration_sec: sec,
                    duration_nsec: nsec,
                    bands: e
                        .counters
                        .bands
                        .iter()
                        .map(|(p, b)| BandStats {
                            packet_count: p.load(Relaxed),
                            byte_count: b.load(Relaxed),
                        })
                        .collect(),
                }
            })
            .collect()
    }

    pub(crate) fn queue_get_config(
        &self,
        conn: ConnId,
        q: QueueGetConfigRequest,
        xid: u32,
    ) -> Handled {
        if q.port != PortNo::ALL && q.port != PortNo::NONE && !self.ports.contains_key(&q.port) {
            return Err(OfpError::QofcBadPort);
        }
        let reply = QueueGetConfigReply {
            port: q.port,
            queues: Vec::new(),
        };
        Ok(self.reply(conn, &Message::QueueGetConfigReply(reply), xid))
    }
}

fn flow_stats_entry(r: &RuleRef, now: u64, nx: bool) -> FlowStats {
    let (sec, nsec) = secs_nsecs(now.saturating_sub(r.created_ms));
    let age = |t: u64| u32::try_from(now.saturating_sub(t) / 1000).unwrap_or(u32::MAX);
    FlowStats {
        table_id: r.table_id,
        duration_sec: sec,
        duration_nsec: nsec,
        priority: u16::try_from(r.priority).unwrap_or(u16::MAX),
        idle_timeout: r.idle_timeout,
        hard_timeout: r.hard_timeout,
        flags: r.flags,
        importance: r.importance,
        cookie: r.cookie,
        packet_count: r.stats.packets(),
        byte_count: r.stats.bytes(),
        idle_age: nx.then(|| age(r.last_used_ms())),
        hard_age: nx.then(|| age(r.modified_ms)),
        flow_match: r.flow_match.unpack(),
        actions: r.actions.to_vec(),
    }
}

fn empty_port_stats(port_no: PortNo) -> PortStats {
    PortStats {
        port_no,
        rx_packets: 0,
        tx_packets: 0,
        rx_bytes: 0,
        tx_bytes: 0,
        rx_dropped: 0,
        tx_dropped: 0,
        rx_errors: 0,
        tx_errors: 0,
        rx_frame_err: 0,
        rx_over_err: 0,
        rx_crc_err: 0,
        collisions: 0,
        duration_sec: 0,
        duration_nsec: 0,
        other_props: Vec::new(),
    }
}

/// What the group table supports: every type, weights, liveness, chaining.
fn group_features() -> GroupFeatures {
    GroupFeatures {
        types: 0xf,
        capabilities: 0x7,
        max_groups: [0xffff_ff00; 4],
        actions: [crate::table_features::action_bits(); 4],
    }
}
