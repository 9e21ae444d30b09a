//! `--bundle`: sends a list of requests as one atomic, ordered bundle (OpenFlow
//! 1.4 bundles, or the ONF extension in 1.3): open, one add per request
//! (carrying the request's own xid), a barrier to collect early errors,
//! then commit (or discard if sending failed). Errors the switch sends are
//! printed as "Error NAME for: <the failing request>" on stderr.

use crate::print;
use crate::vconn::{alloc_xid, build, eproto, xid_of, RawHeader, Vconn, OFPT_ERROR};
use crate::{names, Ctx, Fatal};
use openflow::Version;
use std::io;

/// OFPBF_ATOMIC | OFPBF_ORDERED.
pub const ATOMIC_ORDERED: u16 = 3;

const OFPT14_BUNDLE_CONTROL: u8 = 33;
const OFPT14_BUNDLE_ADD_MESSAGE: u8 = 34;
const ONF_VENDOR_ID: u32 = 0x4f4e_4600;
const ONFT_BUNDLE_CONTROL: u32 = 2300;
const ONFT_BUNDLE_ADD_MESSAGE: u32 = 2301;

const OPEN_REQUEST: u16 = 0;
const COMMIT_REQUEST: u16 = 4;
const DISCARD_REQUEST: u16 = 6;

/// A bundle message of `t` (control or add) with `body`, for this version.
fn bundle_msg(version: Version, ofpt14: u8, onft: u32, xid: u32, body: &[u8]) -> Vec<u8> {
    if version >= Version::Of14 {
        build(version.wire(), ofpt14, xid, body)
    } else {
        let mut b = Vec::with_capacity(8 + body.len());
        b.extend_from_slice(&ONF_VENDOR_ID.to_be_bytes());
        b.extend_from_slice(&onft.to_be_bytes());
        b.extend_from_slice(body);
        build(version.wire(), 4, xid, &b)
    }
}

fn control(version: Version, bundle_id: u32, ctl_type: u16, flags: u16) -> Vec<u8> {
    let mut body = bundle_id.to_be_bytes().to_vec();
    body.extend_from_slice(&ctl_type.to_be_bytes());
    body.extend_from_slice(&flags.to_be_bytes());
    bundle_msg(
        version,
        OFPT14_BUNDLE_CONTROL,
        ONFT_BUNDLE_CONTROL,
        alloc_xid(),
        &body,
    )
}

#[cfg(test)]
fn add(version: Version, bundle_id: u32, flags: u16, msg: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    add_to(version, bundle_id, flags, msg, &mut out);
    out
}

/// Appends the bundle add message carrying `msg` (with `msg`'s xid) to `out`,
/// built in place: a big bundle is encoded into a few large buffers.
fn add_to(version: Version, bundle_id: u32, flags: u16, msg: &[u8], out: &mut Vec<u8>) {
    let start = out.len();
    out.extend_from_slice(&[version.wire(), OFPT14_BUNDLE_ADD_MESSAGE, 0, 0]);
    out.extend_from_slice(&xid_of(msg).to_be_bytes());
    if version < Version::Of14 {
        // The ONF extension in OpenFlow 1.3: an experimenter message.
        out[start + 1] = 4;
        out.extend_from_slice(&ONF_VENDOR_ID.to_be_bytes());
        out.extend_from_slice(&ONFT_BUNDLE_ADD_MESSAGE.to_be_bytes());
    }
    out.extend_from_slice(&bundle_id.to_be_bytes());
    out.extend_from_slice(&[0, 0]);
    out.extend_from_slice(&flags.to_be_bytes());
    out.extend_from_slice(msg);
    // A message too long for the header's length is sent as is and refused by
    // the switch, as `build` does.
    let len = u16::try_from(out.len() - start).unwrap_or(u16::MAX);
    out[start + 2..start + 4].copy_from_slice(&len.to_be_bytes());
}

/// Bytes of bundle adds written at once: large enough that the writes cost
/// little, small enough that the errors the switch may send back for one
/// batch fit in the socket's buffer until we read them.
const BATCH_BYTES: usize = 32 * 1024;

/// The (bundle id, control type) of a bundle control reply, if it is one.
fn decode_control(version: Version, msg: &[u8]) -> Option<(u32, u16)> {
    let h = RawHeader::of(msg)?;
    let body = if version >= Version::Of14 {
        (h.msg_type == OFPT14_BUNDLE_CONTROL).then(|| &msg[8..])?
    } else {
        let vendor = msg.get(8..16)?;
        let ok = h.msg_type == 4
            && vendor[..4] == ONF_VENDOR_ID.to_be_bytes()
            && vendor[4..] == ONFT_BUNDLE_CONTROL.to_be_bytes();
        ok.then(|| &msg[16..])?
    };
    let b = body.get(..6)?;
    Some((
        u32::from_be_bytes([b[0], b[1], b[2], b[3]]),
        u16::from_be_bytes([b[4], b[5]]),
    ))
}

fn is_error(msg: &[u8]) -> bool {
    RawHeader::of(msg).is_some_and(|h| h.msg_type == OFPT_ERROR)
}

/// Sends a bundle control request and checks the reply; error messages
/// that arrive meanwhile are collected.
fn control_transact(
    vconn: &mut Vconn,
    ctl_type: u16,
    flags: u16,
    errors: &mut Vec<Vec<u8>>,
) -> io::Result<()> {
    let version = vconn.version();
    let request = control(version, 0, ctl_type, flags);
    let xid = xid_of(&request);
    vconn.send(request)?;
    let reply = recv_collecting(vconn, xid, errors)?;
    if is_error(&reply) {
        errors.push(reply);
        return Err(eproto());
    }
    match decode_control(version, &reply) {
        Some((0, t)) if t == ctl_type + 1 => Ok(()),
        _ => Err(eproto()),
    }
}

/// Receives until `xid` answers, collecting error messages of other xids.
fn recv_collecting(vconn: &mut Vconn, xid: u32, errors: &mut Vec<Vec<u8>>) -> io::Result<Vec<u8>> {
    loop {
        let msg = vconn.recv()?;
        if xid_of(&msg) == xid {
            return Ok(msg);
        }
        if is_error(&msg) {
            errors.push(msg);
        }
    }
}

/// Runs the bundle; returns the I/O or protocol error that ended it, if
/// any, after collecting the switch's error messages in `errors`.
fn transact(
    vconn: &mut Vconn,
    requests: &[Vec<u8>],
    flags: u16,
    errors: &mut Vec<Vec<u8>>,
) -> io::Result<()> {
    control_transact(vconn, OPEN_REQUEST, flags, errors)?;
    let version = vconn.version();
    let mut result = Ok(());
    let mut batch = Vec::with_capacity(BATCH_BYTES + (1 << 16));
    let mut rest = requests.iter().peekable();
    while rest.peek().is_some() {
        batch.clear();
        while batch.len() < BATCH_BYTES {
            let Some(r) = rest.next() else { break };
            add_to(version, 0, flags, r, &mut batch);
        }
        if let Err(e) = vconn.send_bytes(&batch) {
            result = Err(e);
            break;
        }
        // Collect errors as they come, so they cannot fill the socket.
        while let Some(msg) = vconn.try_recv()? {
            if is_error(&msg) {
                errors.push(msg);
            }
        }
    }
    if result.is_ok() {
        let barrier = vconn.barrier_request();
        let xid = xid_of(&barrier);
        result = vconn
            .send(barrier)
            .and_then(|()| recv_collecting(vconn, xid, errors).map(|_| ()));
    }
    match result {
        Ok(()) => control_transact(vconn, COMMIT_REQUEST, flags, errors),
        Err(e) => {
            let _ = control_transact(vconn, DISCARD_REQUEST, flags, errors);
            Err(e)
        }
    }
}

/// Where the failed request's copy starts in an error message: after the
/// header, type and code, and for experimenter errors (type 0xffff, OpenFlow
/// 1.2 and later; the ONF bundle errors in 1.3) also the experimenter id.
fn error_payload_offset(err: &[u8]) -> usize {
    let experimenter =
        err.first().is_some_and(|v| *v >= 3) && err.get(8..10) == Some(&[0xff, 0xff]);
    if experimenter {
        16
    } else {
        12
    }
}

/// Sends `requests` as a bundle; prints the errors the switch reports and
/// fails as the reference does.
pub fn bundle_transact(
    ctx: &mut Ctx,
    vconn: &mut Vconn,
    requests: &[Vec<u8>],
    flags: u16,
) -> Result<(), Fatal> {
    let mut errors = Vec::new();
    let result = transact(vconn, requests, flags, &mut errors);
    let name = vconn.name().to_string();
    // The errors usually come in request order, so search on from the last find.
    let mut next = 0;
    for err in &errors {
        let xid = xid_of(err);
        let payload = err.get(error_payload_offset(err)..).unwrap_or(&[]);
        let mut failed: &[u8] = payload;
        if let Some(i) = requests[next..].iter().position(|r| xid_of(r) == xid) {
            failed = &requests[next + i];
            next += i;
        }
        let text = match print::error_name(err) {
            Some(name_text) => {
                names::tables_to_show(ctx, &name)?;
                let ports = names::ports_to_show(ctx, &name)?.cloned();
                format!(
                    "Error {name_text} for: {}",
                    print::to_string_with(failed, ctx.opts.verbosity + 1, ports.as_ref())
                )
            }
            None => "***decode error***".to_string(),
        };
        eprint!("{text}");
    }
    result.map_err(|e| Fatal::io(&format!("talking to {name}"), &e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_per_version() {
        let m = control(Version::Of14, 0, OPEN_REQUEST, ATOMIC_ORDERED);
        assert_eq!(&m[..2], &[5, 33]);
        assert_eq!(&m[8..], &[0, 0, 0, 0, 0, 0, 0, 3]);
        let m = control(Version::Of13, 0, COMMIT_REQUEST, ATOMIC_ORDERED);
        assert_eq!(m.len(), 24);
        assert_eq!(&m[8..16], &[0x4f, 0x4e, 0x46, 0, 0, 0, 0x08, 0xfc]);
        let inner = build(5, 14, 77, &[]);
        let a = add(Version::Of14, 0, 3, &inner);
        assert_eq!(xid_of(&a), 77);
        assert_eq!(&a[8..16], &[0, 0, 0, 0, 0, 0, 0, 3]);
        // Built in place, the add is what the generic builder makes.
        for v in [Version::Of13, Version::Of14, Version::Of15] {
            let mut body = vec![0, 0, 0, 9, 0, 0, 0, 3];
            body.extend_from_slice(&inner);
            let expected = bundle_msg(
                v,
                OFPT14_BUNDLE_ADD_MESSAGE,
                ONFT_BUNDLE_ADD_MESSAGE,
                77,
                &body,
            );
            let mut out = vec![1, 2, 3];
            add_to(v, 9, 3, &inner, &mut out);
            assert_eq!(&out[3..], &expected[..], "{v:?}");
        }
        let mut reply = control(Version::Of13, 0, 1, 0);
        assert_eq!(decode_control(Version::Of13, &reply), Some((0, 1)));
        reply.truncate(20);
        assert_eq!(decode_control(Version::Of13, &reply), None);
    }
}
