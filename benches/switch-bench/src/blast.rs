//! The traffic generator and sink: 64-byte frames (18-byte UDP payloads) sent
//! with `sendmmsg` in batches, received with `recvmmsg`, counted. They run as
//! this same binary inside the hosts' namespaces (`blast-send`, `blast-recv`).

use std::net::UdpSocket;
use std::os::fd::AsRawFd;
use std::time::{Duration, Instant};

/// UDP payload that makes a 60-byte frame (64 on the wire with the FCS).
const PAYLOAD: usize = 18;
const BATCH: usize = 64;
/// Receive queue asked for by the sink (bytes of socket buffer).
const RECV_QUEUE_BYTES: libc::c_int = 64 << 20;

/// Sends to `dst` (ip:port) for `secs` seconds as fast as the socket allows.
pub fn send(dst: &str, secs: f64) -> Result<u64, String> {
    let sock = UdpSocket::bind("0.0.0.0:0").map_err(|e| format!("bind: {e}"))?;
    sock.connect(dst)
        .map_err(|e| format!("connect {dst}: {e}"))?;
    let payload = [0x5au8; PAYLOAD];
    let mut iov = libc::iovec {
        iov_base: payload.as_ptr() as *mut libc::c_void,
        iov_len: PAYLOAD,
    };
    // SAFETY: mmsghdr is plain data; zero is a valid initial value.
    let mut msgs: Vec<libc::mmsghdr> = (0..BATCH).map(|_| unsafe { std::mem::zeroed() }).collect();
    for m in &mut msgs {
        m.msg_hdr.msg_iov = &mut iov;
        m.msg_hdr.msg_iovlen = 1;
    }
    let deadline = Instant::now() + Duration::from_secs_f64(secs);
    let mut sent = 0u64;
    while Instant::now() < deadline {
        // SAFETY: msgs points at BATCH valid headers whose iovec outlives the call.
        let n = unsafe {
            libc::sendmmsg(
                sock.as_raw_fd(),
                msgs.as_mut_ptr(),
                BATCH as libc::c_uint,
                0,
            )
        };
        if n > 0 {
            sent += n as u64;
        }
    }
    Ok(sent)
}

/// Counts datagrams arriving on `port` until `secs` seconds have passed or
/// one second passes without any; returns (count, seconds between the first
/// and the last).
pub fn recv(port: u16, secs: f64) -> Result<(u64, f64), String> {
    let sock = UdpSocket::bind(("0.0.0.0", port)).map_err(|e| format!("bind: {e}"))?;
    sock.set_read_timeout(Some(Duration::from_secs(1)))
        .map_err(|e| e.to_string())?;
    // A deep socket queue, so that what is counted is what the switch
    // forwarded, not what this process, competing for the same CPUs, found
    // time to read before the default (~200 KB) queue overflowed. Same for
    // both switches. SO_RCVBUFFORCE needs root (the benchmark runs as root);
    // otherwise the request is capped at rmem_max.
    let depth: libc::c_int = RECV_QUEUE_BYTES;
    for opt in [libc::SO_RCVBUFFORCE, libc::SO_RCVBUF] {
        // SAFETY: `depth` is a live c_int and we pass its exact size.
        let r = unsafe {
            libc::setsockopt(
                sock.as_raw_fd(),
                libc::SOL_SOCKET,
                opt,
                (&depth as *const libc::c_int).cast(),
                std::mem::size_of::<libc::c_int>() as libc::socklen_t,
            )
        };
        if r == 0 {
            break;
        }
    }
    let mut bufs = vec![[0u8; 64]; BATCH];
    let mut iovs: Vec<libc::iovec> = bufs
        .iter_mut()
        .map(|b| libc::iovec {
            iov_base: b.as_mut_ptr() as *mut libc::c_void,
            iov_len: b.len(),
        })
        .collect();
    // SAFETY: mmsghdr is plain data; zero is a valid initial value.
    let mut msgs: Vec<libc::mmsghdr> = (0..BATCH).map(|_| unsafe { std::mem::zeroed() }).collect();
    for (m, iov) in msgs.iter_mut().zip(iovs.iter_mut()) {
        m.msg_hdr.msg_iov = iov;
        m.msg_hdr.msg_iovlen = 1;
    }
    println!("ready");
    let mut count = 0u64;
    let mut first: Option<Instant> = None;
    let mut last = Instant::now();
    let end = Instant::now() + Duration::from_secs_f64(secs + 5.0);
    while Instant::now() < end {
        // SAFETY: msgs points at BATCH headers whose buffers outlive the call.
        let n = unsafe {
            libc::recvmmsg(
                sock.as_raw_fd(),
                msgs.as_mut_ptr(),
                BATCH as libc::c_uint,
                // Return what is there once one has arrived, not a full batch.
                libc::MSG_WAITFORONE,
                std::ptr::null_mut(),
            )
        };
        if n <= 0 {
            if first.is_some() {
                break; // a second of silence after traffic: the sender is done
            }
            continue;
        }
        let now = Instant::now();
        first.get_or_insert(now);
        last = now;
        count += n as u64;
    }
    let span = first.map_or(0.0, |f| (last - f).as_secs_f64());
    Ok((count, span))
}
