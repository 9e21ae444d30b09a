//! Multipart messages: OF1.0's "stats" and OF1.1+'s "multipart" requests and
//! replies, standard and vendor (Nicira NXST_*, ONF ONFST_*) alike.
//!
//! A multipart message is an `ofp_header`, a multipart header (type, flags,
//! and for vendor kinds the vendor id and subtype) and a body. [`MpKind`]
//! names the body's kind independently of the version: the same logical kind
//! travels as a standard type in one version and as a Nicira vendor type in
//! another (group stats are NXST_GROUP in OF1.0 and OFPST_GROUP later).
//! [`decode_mp_header`] / [`encode_mp_header`] map between the two.
//!
//! [`MultipartRequest`] / [`MultipartReply`] are flags plus a body enum whose
//! variants are the kinds; their `decode` gets the bytes after the multipart
//! header, `encode` writes only those bytes, `format` prints what ofp-print
//! prints after the header line's colon (flags first).
//!
//! The switch side splits a long reply over several messages with
//! [`encode_replies`]; the tool side joins them back with [`concat_replies`].

pub mod desc;
pub mod flow;
pub mod ipfix;
mod kind;
pub mod port;
pub mod queue;
mod split;
pub mod table;
pub mod text;

pub use kind::{decode_mp_header, encode_mp_header, mp_header_len, MpKind, MpWire};
pub use split::{concat_replies, encode_replies, MAX_MSG_LEN};

use std::fmt::Write;

use crate::buf::Reader;
use crate::error::OfpError;
use crate::msg::{group, meter, monitor, table_features};
use crate::port::{PortMap, PortNo};
use crate::version::Version;

/// OFPSF_REPLY_MORE / OFPSF_REQ_MORE: more messages of this reply follow.
pub const MP_MORE: u16 = 1;

/// The body of a multipart request.
#[derive(Clone, Debug, PartialEq)]
pub enum MpRequest {
    Desc,
    Flow(flow::FlowStatsRequest),
    Aggregate(flow::FlowStatsRequest),
    NxFlow(flow::FlowStatsRequest),
    NxAggregate(flow::FlowStatsRequest),
    Table,
    /// The port, `PortNo::NONE` (ANY) for all.
    PortStats(PortNo),
    Queue(queue::QueueStatsRequest),
    /// The group, `group::GROUP_ALL` for all.
    Group(u32),
    GroupDesc(u32),
    GroupFeatures,
    /// The meter, `meter::METER_ALL` for all.
    Meter(u32),
    MeterConfig(u32),
    MeterFeatures,
    /// Empty to query; non-empty to set (OF1.3+).
    TableFeatures(Vec<table_features::TableFeatures>),
    /// The port (OF1.5 carries one; earlier versions always mean ANY).
    PortDesc(PortNo),
    TableDesc,
    QueueDesc(queue::QueueStatsRequest),
    FlowMonitor(Vec<monitor::FlowMonitorRequest>),
    NxFlowMonitor(Vec<monitor::FlowMonitorRequest>),
    IpfixBridge,
    IpfixFlow,
}

/// The body of a multipart reply.
#[derive(Clone, Debug, PartialEq)]
pub enum MpReply {
    Desc(desc::SwitchDesc),
    Flow(Vec<flow::FlowStats>),
    NxFlow(Vec<flow::FlowStats>),
    Aggregate(flow::AggregateStats),
    NxAggregate(flow::AggregateStats),
    Table(Vec<table::TableStats>),
    PortStats(Vec<port::PortStats>),
    Queue(Vec<queue::QueueStats>),
    Group(Vec<group::GroupStats>),
    GroupDesc(Vec<group::GroupDesc>),
    GroupFeatures(group::GroupFeatures),
    Meter(Vec<meter::MeterStats>),
    MeterConfig(Vec<meter::MeterConfig>),
    MeterFeatures(meter::MeterFeatures),
    TableFeatures(Vec<table_features::TableFeatures>),
    PortDesc(Vec<port::PortDescEntry>),
    TableDesc(Vec<table::TableDesc>),
    QueueDesc(Vec<queue::QueueDesc>),
    FlowMonitor(Vec<monitor::FlowUpdate>),
    NxFlowMonitor(Vec<monitor::FlowUpdate>),
    IpfixBridge(ipfix::IpfixStats),
    IpfixFlow(Vec<ipfix::IpfixStats>),
}

/// A multipart request: flags (only MP_MORE is defined) and the body.
#[derive(Clone, Debug, PartialEq)]
pub struct MultipartRequest {
    pub flags: u16,
    pub body: MpRequest,
}

/// A multipart reply: flags (MP_MORE when more messages follow) and the body.
#[derive(Clone, Debug, PartialEq)]
pub struct MultipartReply {
    pub flags: u16,
    pub body: MpReply,
}

/// Decodes a sequence of entries that fill the reader.
pub(crate) fn decode_all<T>(
    r: &mut Reader,
    mut one: impl FnMut(&mut Reader) -> Result<T, OfpError>,
) -> Result<Vec<T>, OfpError> {
    let mut v = Vec::new();
    while !r.is_empty() {
        v.push(one(r)?);
    }
    Ok(v)
}

/// OFPBRC_BAD_LEN unless the reader is used up.
pub(crate) fn expect_end(r: &Reader) -> Result<(), OfpError> {
    if r.is_empty() {
        Ok(())
    } else {
        Err(OfpError::BrcBadLen)
    }
}

/// Takes one length-prefixed entry: reads its 16-bit length at the reader's
/// position (without consuming it) and returns a sub-reader over the whole
/// entry, which must be at least `min` bytes long and fit in `r`.
pub(crate) fn entry<'a>(r: &mut Reader<'a>, min: usize) -> Result<Reader<'a>, OfpError> {
    let len = usize::from(r.peek_be16()?);
    if len < min.max(2) || len > r.remaining() {
        return Err(OfpError::BrcBadLen);
    }
    r.sub(len)
}

impl MultipartRequest {
    pub fn new(body: MpRequest) -> MultipartRequest {
        MultipartRequest { flags: 0, body }
    }

    pub fn mp_kind(&self) -> MpKind {
        match &self.body {
            MpRequest::Desc => MpKind::Desc,
            MpRequest::Flow(_) => MpKind::Flow,
            MpRequest::Aggregate(_) => MpKind::Aggregate,
            MpRequest::NxFlow(_) => MpKind::NxFlow,
            MpRequest::NxAggregate(_) => MpKind::NxAggregate,
            MpRequest::Table => MpKind::Table,
            MpRequest::PortStats(_) => MpKind::PortStats,
            MpRequest::Queue(_) => MpKind::Queue,
            MpRequest::Group(_) => MpKind::Group,
            MpRequest::GroupDesc(_) => MpKind::GroupDesc,
            MpRequest::GroupFeatures => MpKind::GroupFeatures,
            MpRequest::Meter(_) => MpKind::Meter,
            MpRequest::MeterConfig(_) => MpKind::MeterConfig,
            MpRequest::MeterFeatures => MpKind::MeterFeatures,
            MpRequest::TableFeatures(_) => MpKind::TableFeatures,
            MpRequest::PortDesc(_) => MpKind::PortDesc,
            MpRequest::TableDesc => MpKind::TableDesc,
            MpRequest::QueueDesc(_) => MpKind::QueueDesc,
            MpRequest::FlowMonitor(_) => MpKind::FlowMonitor,
            MpRequest::NxFlowMonitor(_) => MpKind::NxFlowMonitor,
            MpRequest::IpfixBridge => MpKind::IpfixBridge,
            MpRequest::IpfixFlow => MpKind::IpfixFlow,
        }
    }

    /// Decodes the body (the bytes after the multipart header) of a request
    /// of `kind`.
    pub fn decode(
        v: Version,
        kind: MpKind,
        flags: u16,
        body: &mut Reader,
    ) -> Result<MultipartRequest, OfpError> {
        let b = match kind {
            MpKind::Desc => empty(body, MpRequest::Desc)?,
            MpKind::Table => empty(body, MpRequest::Table)?,
            MpKind::GroupFeatures => empty(body, MpRequest::GroupFeatures)?,
            MpKind::MeterFeatures => empty(body, MpRequest::MeterFeatures)?,
            MpKind::TableDesc => empty(body, MpRequest::TableDesc)?,
            MpKind::IpfixBridge => empty(body, MpRequest::IpfixBridge)?,
            MpKind::IpfixFlow => empty(body, MpRequest::IpfixFlow)?,
            MpKind::Flow => MpRequest::Flow(flow::FlowStatsRequest::decode_std(v, body)?),
            MpKind::Aggregate => MpRequest::Aggregate(flow::FlowStatsRequest::decode_std(v, body)?),
            MpKind::NxFlow => MpRequest::NxFlow(flow::FlowStatsRequest::decode_nx(body)?),
            MpKind::NxAggregate => MpRequest::NxAggregate(flow::FlowStatsRequest::decode_nx(body)?),
            MpKind::PortStats => MpRequest::PortStats(port::decode_port_stats_request(v, body)?),
            MpKind::Queue => MpRequest::Queue(queue::QueueStatsRequest::decode(v, body)?),
            MpKind::QueueDesc => MpRequest::QueueDesc(queue::QueueStatsRequest::decode(v, body)?),
            MpKind::Group => MpRequest::Group(group::decode_group_request(v, body)?),
            MpKind::GroupDesc => MpRequest::GroupDesc(group::decode_group_desc_request(v, body)?),
            MpKind::Meter => MpRequest::Meter(meter::decode_meter_request(body)?),
            MpKind::MeterConfig => MpRequest::MeterConfig(meter::decode_meter_request(body)?),
            MpKind::TableFeatures => MpRequest::TableFeatures(decode_all(body, |r| {
                table_features::TableFeatures::decode(v, r)
            })?),
            MpKind::PortDesc => MpRequest::PortDesc(port::decode_port_desc_request(v, body)?),
            MpKind::FlowMonitor => MpRequest::FlowMonitor(decode_all(body, |r| {
                monitor::FlowMonitorRequest::decode_of14(v, r)
            })?),
            MpKind::NxFlowMonitor => MpRequest::NxFlowMonitor(decode_all(body, |r| {
                monitor::FlowMonitorRequest::decode_nx(r)
            })?),
        };
        Ok(MultipartRequest { flags, body: b })
    }

    /// Encodes the body (after the multipart header).
    pub fn encode(&self, v: Version, out: &mut Vec<u8>) {
        match &self.body {
            MpRequest::Desc
            | MpRequest::Table
            | MpRequest::GroupFeatures
            | MpRequest::MeterFeatures
            | MpRequest::TableDesc
            | MpRequest::IpfixBridge
            | MpRequest::IpfixFlow => {}
            MpRequest::Flow(f) | MpRequest::Aggregate(f) => f.encode_std(v, out),
            MpRequest::NxFlow(f) | MpRequest::NxAggregate(f) => f.encode_nx(out),
            MpRequest::PortStats(p) => port::encode_port_stats_request(v, *p, out),
            MpRequest::Queue(q) | MpRequest::QueueDesc(q) => q.encode(v, out),
            MpRequest::Group(g) => group::encode_group_request(v, *g, out),
            MpRequest::GroupDesc(g) => group::encode_group_desc_request(v, *g, out),
            MpRequest::Meter(m) | MpRequest::MeterConfig(m) => meter::encode_meter_request(*m, out),
            MpRequest::TableFeatures(t) => {
                for tf in t {
                    tf.encode(v, out);
                }
            }
            MpRequest::PortDesc(p) => port::encode_port_desc_request(v, *p, out),
            MpRequest::FlowMonitor(reqs) => {
                for r in reqs {
                    r.encode_of14(v, out);
                }
            }
            MpRequest::NxFlowMonitor(reqs) => {
                for r in reqs {
                    r.encode_nx(out);
                }
            }
        }
    }

    /// Appends what ofp-print prints after "NAME request (xid=..):".
    pub fn format(&self, v: Version, out: &mut String, ports: Option<&PortMap>) {
        // Requests only gained a "more" flag in OF1.3.
        let known = if v >= Version::Of13 { MP_MORE } else { 0 };
        format_flags(out, self.flags, known);
        match &self.body {
            MpRequest::Desc
            | MpRequest::Table
            | MpRequest::GroupFeatures
            | MpRequest::MeterFeatures
            | MpRequest::TableDesc
            | MpRequest::IpfixBridge
            | MpRequest::IpfixFlow => {}
            MpRequest::Flow(f)
            | MpRequest::Aggregate(f)
            | MpRequest::NxFlow(f)
            | MpRequest::NxAggregate(f) => f.format(out, ports),
            MpRequest::PortStats(p) => {
                let _ = write!(out, " port_no={}", port_text(*p, ports));
            }
            MpRequest::Queue(q) => q.format(out, ports),
            MpRequest::QueueDesc(q) => q.format_desc(out, ports),
            MpRequest::Group(g) | MpRequest::GroupDesc(g) => {
                out.push_str(" group_id=");
                group::format_group_id(out, *g);
            }
            MpRequest::Meter(m) | MpRequest::MeterConfig(m) => meter::format_meter_request(out, *m),
            MpRequest::TableFeatures(t) => table_features::format_list(out, v, t),
            MpRequest::PortDesc(p) => {
                let _ = write!(out, " port={}", port_text(*p, ports));
            }
            MpRequest::FlowMonitor(reqs) | MpRequest::NxFlowMonitor(reqs) => {
                for r in reqs {
                    r.format(out, ports);
                }
            }
        }
        trim_end_spaces(out);
    }
}

impl MultipartReply {
    pub fn new(body: MpReply) -> MultipartReply {
        MultipartReply { flags: 0, body }
    }

    pub fn mp_kind(&self) -> MpKind {
        match &self.body {
            MpReply::Desc(_) => MpKind::Desc,
            MpReply::Flow(_) => MpKind::Flow,
            MpReply::NxFlow(_) => MpKind::NxFlow,
            MpReply::Aggregate(_) => MpKind::Aggregate,
            MpReply::NxAggregate(_) => MpKind::NxAggregate,
            MpReply::Table(_) => MpKind::Table,
            MpReply::PortStats(_) => MpKind::PortStats,
            MpReply::Queue(_) => MpKind::Queue,
            MpReply::Group(_) => MpKind::Group,
            MpReply::GroupDesc(_) => MpKind::GroupDesc,
            MpReply::GroupFeatures(_) => MpKind::GroupFeatures,
            MpReply::Meter(_) => MpKind::Meter,
            MpReply::MeterConfig(_) => MpKind::MeterConfig,
            MpReply::MeterFeatures(_) => MpKind::MeterFeatures,
            MpReply::TableFeatures(_) => MpKind::TableFeatures,
            MpReply::PortDesc(_) => MpKind::PortDesc,
            MpReply::TableDesc(_) => MpKind::TableDesc,
            MpReply::QueueDesc(_) => MpKind::QueueDesc,
            MpReply::FlowMonitor(_) => MpKind::FlowMonitor,
            MpReply::NxFlowMonitor(_) => MpKind::NxFlowMonitor,
            MpReply::IpfixBridge(_) => MpKind::IpfixBridge,
            MpReply::IpfixFlow(_) => MpKind::IpfixFlow,
        }
    }

    /// Decodes the body (the bytes after the multipart header) of a reply of
    /// `kind`.
    pub fn decode(
        v: Version,
        kind: MpKind,
        flags: u16,
        body: &mut Reader,
    ) -> Result<MultipartReply, OfpError> {
        let b = match kind {
            MpKind::Desc => MpReply::Desc(desc::SwitchDesc::decode(body)?),
            MpKind::Flow => MpReply::Flow(decode_all(body, |r| flow::FlowStats::decode_std(v, r))?),
            MpKind::NxFlow => MpReply::NxFlow(decode_all(body, flow::FlowStats::decode_nx)?),
            MpKind::Aggregate => MpReply::Aggregate(flow::AggregateStats::decode(v, body)?),
            MpKind::NxAggregate => MpReply::NxAggregate(flow::AggregateStats::decode(v, body)?),
            MpKind::Table => MpReply::Table(table::decode_table_stats(v, body)?),
            MpKind::PortStats => {
                MpReply::PortStats(decode_all(body, |r| port::PortStats::decode(v, r))?)
            }
            MpKind::Queue => MpReply::Queue(decode_all(body, |r| queue::QueueStats::decode(v, r))?),
            MpKind::Group => MpReply::Group(decode_all(body, |r| group::GroupStats::decode(v, r))?),
            MpKind::GroupDesc => {
                MpReply::GroupDesc(decode_all(body, |r| group::GroupDesc::decode(v, r))?)
            }
            MpKind::GroupFeatures => MpReply::GroupFeatures(group::GroupFeatures::decode(v, body)?),
            MpKind::Meter => MpReply::Meter(decode_all(body, meter::MeterStats::decode)?),
            MpKind::MeterConfig => {
                MpReply::MeterConfig(decode_all(body, meter::MeterConfig::decode)?)
            }
            MpKind::MeterFeatures => MpReply::MeterFeatures(meter::MeterFeatures::decode(body)?),
            MpKind::TableFeatures => MpReply::TableFeatures(decode_all(body, |r| {
                table_features::TableFeatures::decode(v, r)
            })?),
            MpKind::PortDesc => MpReply::PortDesc(port::decode_port_descs(v, body)?),
            MpKind::TableDesc => {
                MpReply::TableDesc(decode_all(body, |r| table::TableDesc::decode(v, r))?)
            }
            MpKind::QueueDesc => {
                MpReply::QueueDesc(decode_all(body, |r| queue::QueueDesc::decode(v, r))?)
            }
            MpKind::FlowMonitor => MpReply::FlowMonitor(decode_all(body, |r| {
                monitor::FlowUpdate::decode_of14(v, r)
            })?),
            MpKind::NxFlowMonitor => {
                MpReply::NxFlowMonitor(decode_all(body, |r| monitor::FlowUpdate::decode_nx(v, r))?)
            }
            MpKind::IpfixBridge => {
                let s = ipfix::IpfixStats::decode(body)?;
                expect_end(body)?;
                MpReply::IpfixBridge(s)
            }
            MpKind::IpfixFlow => MpReply::IpfixFlow(decode_all(body, ipfix::IpfixStats::decode)?),
        };
        Ok(MultipartReply { flags, body: b })
    }

    /// Encodes the body (after the multipart header).
    pub fn encode(&self, v: Version, out: &mut Vec<u8>) {
        for e in self.encode_entries(v) {
            out.extend_from_slice(&e);
        }
    }

    /// The body as separately encoded entries: the units a long reply may be
    /// split between (a single entry for replies that are not arrays).
    fn encode_entries(&self, v: Version) -> Vec<Vec<u8>> {
        fn each<T>(items: &[T], mut f: impl FnMut(&T, &mut Vec<u8>)) -> Vec<Vec<u8>> {
            items
                .iter()
                .map(|i| {
                    let mut b = Vec::new();
                    f(i, &mut b);
                    b
                })
                .collect()
        }
        fn one(f: impl FnOnce(&mut Vec<u8>)) -> Vec<Vec<u8>> {
            let mut b = Vec::new();
            f(&mut b);
            vec![b]
        }
        match &self.body {
            MpReply::Desc(d) => one(|b| d.encode(b)),
            MpReply::Flow(f) => each(f, |e, b| e.encode_std(v, b)),
            MpReply::NxFlow(f) => each(f, |e, b| e.encode_nx(b)),
            MpReply::Aggregate(a) | MpReply::NxAggregate(a) => one(|b| a.encode(v, b)),
            MpReply::Table(t) => table::encode_table_stats_entries(v, t),
            MpReply::PortStats(p) => each(p, |e, b| e.encode(v, b)),
            MpReply::Queue(q) => each(q, |e, b| e.encode(v, b)),
            MpReply::Group(g) => each(g, |e, b| e.encode(v, b)),
            MpReply::GroupDesc(g) => each(g, |e, b| e.encode(v, b)),
            MpReply::GroupFeatures(g) => one(|b| g.encode(v, b)),
            MpReply::Meter(m) => each(m, |e, b| e.encode(b)),
            MpReply::MeterConfig(m) => each(m, |e, b| e.encode(b)),
            MpReply::MeterFeatures(m) => one(|b| m.encode(b)),
            MpReply::TableFeatures(t) => each(t, |e, b| e.encode(v, b)),
            MpReply::PortDesc(p) => each(p, |e, b| port::encode_port_desc(v, e, b)),
            MpReply::TableDesc(t) => each(t, |e, b| e.encode(v, b)),
            MpReply::QueueDesc(q) => each(q, |e, b| e.encode(v, b)),
            MpReply::FlowMonitor(u) => each(u, |e, b| e.encode_of14(v, b)),
            MpReply::NxFlowMonitor(u) => each(u, |e, b| e.encode_nx(v, b)),
            MpReply::IpfixBridge(s) => one(|b| s.encode(b)),
            MpReply::IpfixFlow(f) => each(f, |e, b| e.encode(b)),
        }
    }

    /// Appends what ofp-print prints after "NAME reply (xid=..):".
    pub fn format(&self, v: Version, out: &mut String, ports: Option<&PortMap>) {
        format_flags(out, self.flags, MP_MORE);
        match &self.body {
            MpReply::Desc(d) => d.format(out),
            MpReply::Flow(f) | MpReply::NxFlow(f) => {
                for e in f {
                    out.push('\n');
                    e.format(out, &flow::FlowFormat::ofp_print(ports));
                }
            }
            MpReply::Aggregate(a) | MpReply::NxAggregate(a) => a.format(out),
            MpReply::Table(t) => table::format_table_stats(out, v, t),
            MpReply::PortStats(p) => port::format_port_stats(out, p, ports),
            MpReply::Queue(q) => queue::format_queue_stats(out, q, ports),
            MpReply::Group(g) => group::format_group_stats(out, g),
            MpReply::GroupDesc(g) => group::format_group_descs(out, v, g, ports),
            MpReply::GroupFeatures(g) => g.format(out, v),
            MpReply::Meter(m) => meter::format_meter_stats(out, m),
            MpReply::MeterConfig(m) => meter::format_meter_configs(out, m),
            MpReply::MeterFeatures(m) => m.format(out),
            MpReply::TableFeatures(t) => table_features::format_list(out, v, t),
            MpReply::PortDesc(p) => port::format_port_descs(out, v, p, ports),
            MpReply::TableDesc(t) => table::format_table_descs(out, t),
            MpReply::QueueDesc(q) => queue::format_queue_descs(out, q, ports),
            MpReply::FlowMonitor(u) | MpReply::NxFlowMonitor(u) => {
                for e in u {
                    e.format(out, ports);
                }
            }
            MpReply::IpfixBridge(s) => ipfix::format_bridge(out, s),
            MpReply::IpfixFlow(f) => ipfix::format_flows(out, f),
        }
        trim_end_spaces(out);
    }
}

/// The reference drops blanks at the very end of a message's text (a flow
/// update with an empty match ends in one, and is printed without it when
/// it is the last).
fn trim_end_spaces(out: &mut String) {
    while out.ends_with(' ') {
        out.pop();
    }
}

/// Decodes as many entries of an array reply as decode, stopping at the
/// first that does not: what the reference has printed when it meets a bad
/// entry. None for replies that are not arrays.
fn decode_prefix(v: Version, kind: MpKind, body: &[u8]) -> Option<MpReply> {
    fn prefix<T>(body: &[u8], mut one: impl FnMut(&mut Reader) -> Result<T, OfpError>) -> Vec<T> {
        let mut r = Reader::new(body);
        let mut v = Vec::new();
        while !r.is_empty() {
            match one(&mut r) {
                Ok(x) => v.push(x),
                Err(_) => break,
            }
        }
        v
    }
    Some(match kind {
        MpKind::Flow => MpReply::Flow(prefix(body, |r| flow::FlowStats::decode_std(v, r))),
        MpKind::NxFlow => MpReply::NxFlow(prefix(body, flow::FlowStats::decode_nx)),
        MpKind::PortStats => MpReply::PortStats(prefix(body, |r| port::PortStats::decode(v, r))),
        MpKind::Queue => MpReply::Queue(prefix(body, |r| queue::QueueStats::decode(v, r))),
        MpKind::Group => MpReply::Group(prefix(body, |r| group::GroupStats::decode(v, r))),
        MpKind::GroupDesc => MpReply::GroupDesc(prefix(body, |r| group::GroupDesc::decode(v, r))),
        MpKind::Meter => MpReply::Meter(prefix(body, meter::MeterStats::decode)),
        MpKind::MeterConfig => MpReply::MeterConfig(prefix(body, meter::MeterConfig::decode)),
        MpKind::QueueDesc => MpReply::QueueDesc(prefix(body, |r| queue::QueueDesc::decode(v, r))),
        MpKind::TableDesc => MpReply::TableDesc(prefix(body, |r| table::TableDesc::decode(v, r))),
        MpKind::FlowMonitor => {
            MpReply::FlowMonitor(prefix(body, |r| monitor::FlowUpdate::decode_of14(v, r)))
        }
        MpKind::NxFlowMonitor => {
            MpReply::NxFlowMonitor(prefix(body, |r| monitor::FlowUpdate::decode_nx(v, r)))
        }
        MpKind::IpfixFlow => MpReply::IpfixFlow(prefix(body, ipfix::IpfixStats::decode)),
        _ => return None,
    })
}

/// What the reference prints of a multipart reply whose body (the bytes
/// after the multipart header) fails to decode, before its
/// "***decode error***" line: the flags and the entries that did decode
/// (with the count for port and queue statistics), and for group
/// statistics a "***parse error***" mark. Empty for kinds it prints
/// nothing of. The caller ends the line (`msg::format` does).
pub fn format_partial_reply(
    v: Version,
    kind: MpKind,
    flags: u16,
    body: &[u8],
    out: &mut String,
    ports: Option<&PortMap>,
) {
    let Some(partial) = decode_prefix(v, kind, body) else {
        return;
    };
    let is_group_stats = matches!(partial, MpReply::Group(_));
    MultipartReply {
        flags,
        body: partial,
    }
    .format(v, out, ports);
    if is_group_stats {
        out.push_str(" ***parse error***");
    }
}

/// A request whose body must be empty.
fn empty(body: &Reader, b: MpRequest) -> Result<MpRequest, OfpError> {
    expect_end(body)?;
    Ok(b)
}

/// " flags=[more]" and unknown bits the way ofp-print shows them; `known`
/// is MP_MORE where the version defines it.
fn format_flags(out: &mut String, flags: u16, known: u16) {
    if flags == 0 {
        return;
    }
    out.push_str(" flags=");
    if flags & known != 0 {
        out.push_str("[more]");
    }
    let unknown = flags & !known;
    if unknown != 0 {
        let _ = write!(out, "[***unknown flags 0x{unknown:04x}***]");
    }
}

/// A port as ovs-ofctl prints it: the name from `ports` (quoted when it is
/// not a plain word) for ordinary ports, otherwise the number or reserved
/// name.
pub fn port_text(p: PortNo, ports: Option<&PortMap>) -> String {
    if p.reserved_name().is_none() {
        if let Some(name) = ports.and_then(|m| m.name(p)) {
            return crate::port::quote_port_name(name);
        }
    }
    p.to_string()
}

/// "5s", "1.500s", "0.123456789s": seconds with 3 decimals when the
/// fraction is whole milliseconds, exact otherwise, none when zero.
pub fn format_duration(out: &mut String, sec: u32, nsec: u32) {
    let _ = write!(out, "{sec}");
    if nsec > 0 {
        if nsec.is_multiple_of(1_000_000) {
            let _ = write!(out, ".{:03}", nsec / 1_000_000);
        } else {
            let frac = format!("{nsec:09}");
            out.push('.');
            out.push_str(frac.trim_end_matches('0'));
        }
    }
    out.push('s');
}
