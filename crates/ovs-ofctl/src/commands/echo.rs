//! `probe`, `ping` and `benchmark`: echo requests against any OpenFlow peer.

use crate::print;
use crate::vconn::{alloc_xid, build, RawHeader, OFPT_ECHO_REPLY, OFPT_ECHO_REQUEST};
use crate::{Ctx, Fatal};
use std::time::Instant;

/// The largest echo payload: a message is at most 65535 bytes.
const MAX_PAYLOAD: u64 = 65535 - 8;

/// C `atoi`: optional blanks and sign, then digits up to the first other
/// character; 0 if there are none.
pub fn atoi(s: &str) -> i64 {
    let t = s.trim_start_matches([' ', '\t', '\n', '\u{b}', '\u{c}', '\r']);
    let (neg, t) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let mut n: i64 = 0;
    for b in t.bytes().take_while(u8::is_ascii_digit) {
        n = n.saturating_mul(10).saturating_add(i64::from(b - b'0'));
    }
    let n = if neg { -n } else { n };
    // atoi returns an int.
    n.clamp(i64::from(i32::MIN), i64::from(i32::MAX))
}

/// An `unsigned int` payload size from `atoi`, checked against the maximum.
fn payload_size(s: &str) -> Result<usize, Fatal> {
    let n = atoi(s) as i32 as u32;
    if u64::from(n) > MAX_PAYLOAD {
        return Err(Fatal(format!(
            "payload must be between 0 and {MAX_PAYLOAD} bytes"
        )));
    }
    Ok(n as usize)
}

fn random_bytes(n: usize) -> Vec<u8> {
    let mut buf = vec![0u8; n];
    let mut filled = 0;
    while filled < n {
        // SAFETY: getrandom writes at most the given length into our buffer.
        let r = unsafe { libc::getrandom(buf[filled..].as_mut_ptr().cast(), n - filled, 0) };
        if r <= 0 {
            break;
        }
        filled += r as usize;
    }
    buf
}

pub fn probe(ctx: &mut Ctx, argv: &[String]) -> Result<i32, Fatal> {
    let target = &argv[1];
    let mut vconn = ctx.open(target)?;
    // The reference's probe uses xid 0 (and does not take one from the counter).
    let request = build(vconn.version().wire(), OFPT_ECHO_REQUEST, 0, &[]);
    let reply = vconn
        .transact(request)
        .map_err(|e| Fatal::io(&format!("talking to {target}"), &e))?;
    if reply.len() != 8 {
        return Err(Fatal("reply does not match request".into()));
    }
    Ok(0)
}

pub fn ping(ctx: &mut Ctx, argv: &[String]) -> Result<i32, Fatal> {
    let target = &argv[1];
    let payload = match argv.get(2) {
        Some(s) => payload_size(s)?,
        None => 64,
    };
    let mut vconn = ctx.open(target)?;
    let verbosity = ctx.opts.verbosity;
    for _ in 0..10 {
        let data = random_bytes(payload);
        let request = build(
            vconn.version().wire(),
            OFPT_ECHO_REQUEST,
            alloc_xid(),
            &data,
        );
        let start = Instant::now();
        let reply = vconn
            .transact(request.clone())
            .map_err(|e| Fatal::io("transact", &e))?;
        let elapsed = start.elapsed();
        let h = RawHeader::of(&reply);
        let body = reply.get(8..).unwrap_or(&[]);
        if h.map(|h| h.msg_type) != Some(OFPT_ECHO_REPLY) || body != data.as_slice() {
            ctx.print("Reply does not match request.  Request:\n");
            ctx.print(&print::to_string(&request, verbosity + 2));
            ctx.print("Reply:\n");
            ctx.print(&print::to_string(&reply, verbosity + 2));
        }
        ctx.print(&format!(
            "{} bytes from {}: xid={:08x} time={:.1} ms\n",
            body.len(),
            target,
            h.map_or(0, |h| h.xid),
            elapsed.as_secs_f64() * 1000.0
        ));
        // Each line is worth seeing as it happens.
        ctx.flush();
    }
    Ok(0)
}

pub fn benchmark(ctx: &mut Ctx, argv: &[String]) -> Result<i32, Fatal> {
    let payload = payload_size(&argv[2])?;
    let message_size = 8 + payload as u32;
    let count = atoi(&argv[3]) as i32;
    ctx.print(&format!(
        "Sending {count} packets * {message_size} bytes (with header) = {} bytes total\n",
        (count as u32).wrapping_mul(message_size)
    ));
    let mut vconn = ctx.open(&argv[1])?;
    let zeros = vec![0u8; payload];
    let start = Instant::now();
    for _ in 0..count.max(0) {
        let request = build(
            vconn.version().wire(),
            OFPT_ECHO_REQUEST,
            alloc_xid(),
            &zeros,
        );
        vconn
            .transact(request)
            .map_err(|e| Fatal::io("transact", &e))?;
    }
    let ms = start.elapsed().as_secs_f64() * 1000.0;
    let count = f64::from(count);
    ctx.print(&format!(
        "Finished in {ms:.1} ms ({:.0} packets/s) ({:.0} bytes/s)\n",
        count / (ms / 1000.0),
        count * f64::from(message_size) / (ms / 1000.0)
    ));
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atoi_like_c() {
        assert_eq!(atoi("12abc"), 12);
        assert_eq!(atoi(" -3"), -3);
        assert_eq!(atoi("x"), 0);
        assert_eq!(atoi("99999999999"), i64::from(i32::MAX));
    }

    #[test]
    fn payload_limits() {
        assert_eq!(payload_size("65527").unwrap(), 65527);
        assert!(payload_size("65528").is_err());
        assert!(payload_size("-1").is_err());
    }
}
