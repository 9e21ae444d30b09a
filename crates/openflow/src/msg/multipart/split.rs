//! Long replies: a switch splits a reply whose entries do not fit one
//! message (65535 bytes) over several, all but the last flagged "more"; a
//! tool joins the parts back into one reply.

use crate::error::OfpError;
use crate::msg::multipart::{encode_mp_header, mp_header_len, MpReply, MultipartReply, MP_MORE};
use crate::msg::{finish, start, OfpType};
use crate::version::Version;

/// The longest OpenFlow message.
pub const MAX_MSG_LEN: usize = 65535;

/// Encodes `reply` as one or more whole messages of version `v`, each at most
/// 65535 bytes, all but the last with the MORE flag: what a switch sends for
/// a long reply. Array replies are split between entries; a single entry too
/// long for one message is sent alone (its message length saturates, which
/// the peer rejects, as it would the reference's).
pub fn encode_replies(reply: &MultipartReply, v: Version, xid: u32) -> Vec<Vec<u8>> {
    let kind = reply.mp_kind();
    let entries = reply.encode_entries(v);
    let hdr_len = 8 + kind.to_wire(v).map_or(8, |w| mp_header_len(v, w));
    let room = MAX_MSG_LEN - hdr_len;
    // Group the entries into message bodies.
    let mut bodies: Vec<Vec<u8>> = vec![Vec::new()];
    for e in entries {
        let cur = bodies.last_mut().map_or(0, |b| b.len());
        if cur > 0 && cur + e.len() > room {
            bodies.push(Vec::new());
        }
        if let Some(b) = bodies.last_mut() {
            b.extend_from_slice(&e);
        }
    }
    let n = bodies.len();
    bodies
        .into_iter()
        .enumerate()
        .map(|(i, body)| {
            let flags = if i + 1 < n {
                reply.flags | MP_MORE
            } else {
                reply.flags
            };
            let mut out = Vec::with_capacity(hdr_len + body.len());
            let ty = OfpType::MultipartReply.wire(v).unwrap_or(0xff);
            let at = start(&mut out, v, ty, xid);
            encode_mp_header(v, kind, flags, &mut out);
            out.extend_from_slice(&body);
            finish(&mut out, at);
            out
        })
        .collect()
}

/// Joins the parts of a reply that came in several messages (in order) into
/// one reply without the MORE flag. Array replies concatenate; for others
/// the last part wins. Err if the parts are of different kinds.
pub fn concat_replies(parts: Vec<MultipartReply>) -> Result<MultipartReply, OfpError> {
    let mut iter = parts.into_iter();
    let Some(first) = iter.next() else {
        return Err(OfpError::BrcBadLen);
    };
    let mut acc = first.body;
    for p in iter {
        acc = join(acc, p.body)?;
    }
    Ok(MultipartReply {
        flags: 0,
        body: acc,
    })
}

fn join(a: MpReply, b: MpReply) -> Result<MpReply, OfpError> {
    fn cat<T>(mut x: Vec<T>, y: Vec<T>) -> Vec<T> {
        x.extend(y);
        x
    }
    Ok(match (a, b) {
        (MpReply::Flow(x), MpReply::Flow(y)) => MpReply::Flow(cat(x, y)),
        (MpReply::NxFlow(x), MpReply::NxFlow(y)) => MpReply::NxFlow(cat(x, y)),
        (MpReply::Table(x), MpReply::Table(y)) => MpReply::Table(cat(x, y)),
        (MpReply::PortStats(x), MpReply::PortStats(y)) => MpReply::PortStats(cat(x, y)),
        (MpReply::Queue(x), MpReply::Queue(y)) => MpReply::Queue(cat(x, y)),
        (MpReply::Group(x), MpReply::Group(y)) => MpReply::Group(cat(x, y)),
        (MpReply::GroupDesc(x), MpReply::GroupDesc(y)) => MpReply::GroupDesc(cat(x, y)),
        (MpReply::Meter(x), MpReply::Meter(y)) => MpReply::Meter(cat(x, y)),
        (MpReply::MeterConfig(x), MpReply::MeterConfig(y)) => MpReply::MeterConfig(cat(x, y)),
        (MpReply::TableFeatures(x), MpReply::TableFeatures(y)) => MpReply::TableFeatures(cat(x, y)),
        (MpReply::PortDesc(x), MpReply::PortDesc(y)) => MpReply::PortDesc(cat(x, y)),
        (MpReply::TableDesc(x), MpReply::TableDesc(y)) => MpReply::TableDesc(cat(x, y)),
        (MpReply::QueueDesc(x), MpReply::QueueDesc(y)) => MpReply::QueueDesc(cat(x, y)),
        (MpReply::FlowMonitor(x), MpReply::FlowMonitor(y)) => MpReply::FlowMonitor(cat(x, y)),
        (MpReply::NxFlowMonitor(x), MpReply::NxFlowMonitor(y)) => MpReply::NxFlowMonitor(cat(x, y)),
        (MpReply::IpfixFlow(x), MpReply::IpfixFlow(y)) => MpReply::IpfixFlow(cat(x, y)),
        (x, y) if std::mem::discriminant(&x) == std::mem::discriminant(&y) => y,
        _ => return Err(OfpError::BrcBadMultipart),
    })
}
