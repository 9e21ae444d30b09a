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
    Ok(send_until(
        sock.as_raw_fd(),
        &mut msgs,
        Instant::now() + Duration::from_secs_f64(secs),
    ))
}

/// Sends the batch `msgs` on `fd` again and again until `deadline`;
/// returns how many messages went out.
fn send_until(fd: std::os::fd::RawFd, msgs: &mut [libc::mmsghdr], deadline: Instant) -> u64 {
    let mut sent = 0u64;
    while Instant::now() < deadline {
        // SAFETY: `msgs` are valid headers whose iovecs (and the buffers
        // they point at) the caller keeps alive; the kernel only reads them.
        let n = unsafe { libc::sendmmsg(fd, msgs.as_mut_ptr(), msgs.len() as libc::c_uint, 0) };
        if n > 0 {
            sent += n as u64;
        }
    }
    sent
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

/// `SOL_PACKET` option: hand frames straight to the driver, past the qdisc.
const PACKET_QDISC_BYPASS: libc::c_int = 20;

/// A 60-byte Ethernet/IPv4/UDP frame (64 on the wire) with valid IP and UDP
/// checksums, the same datagram [`send`] makes the host's stack build.
pub fn udp_frame(
    src_mac: [u8; 6],
    dst_mac: [u8; 6],
    src_ip: [u8; 4],
    dst_ip: [u8; 4],
    src_port: u16,
    dst_port: u16,
) -> Vec<u8> {
    const IP_LEN: usize = 20 + 8 + PAYLOAD;
    let mut f = Vec::with_capacity(14 + IP_LEN);
    f.extend_from_slice(&dst_mac);
    f.extend_from_slice(&src_mac);
    f.extend_from_slice(&0x0800u16.to_be_bytes());
    let ip_start = f.len();
    f.extend_from_slice(&[0x45, 0]);
    f.extend_from_slice(&(IP_LEN as u16).to_be_bytes());
    f.extend_from_slice(&[0, 0, 0x40, 0, 64, 17, 0, 0]); // id, DF, ttl, UDP, csum
    f.extend_from_slice(&src_ip);
    f.extend_from_slice(&dst_ip);
    let ip_csum = !fold(sum_words(&f[ip_start..ip_start + 20]));
    f[ip_start + 10..ip_start + 12].copy_from_slice(&ip_csum.to_be_bytes());
    let udp_start = f.len();
    f.extend_from_slice(&src_port.to_be_bytes());
    f.extend_from_slice(&dst_port.to_be_bytes());
    f.extend_from_slice(&((8 + PAYLOAD) as u16).to_be_bytes());
    f.extend_from_slice(&[0, 0]);
    f.extend_from_slice(&[0x5a; PAYLOAD]);
    // Pseudo-header (addresses, protocol, UDP length) plus the datagram.
    let pseudo = sum_words(&f[ip_start + 12..ip_start + 20]) + 17 + (8 + PAYLOAD) as u32;
    let udp_csum = match !fold(pseudo + sum_words(&f[udp_start..])) {
        0 => 0xffff, // 0 means "no checksum" in UDP over IPv4
        c => c,
    };
    f[udp_start + 6..udp_start + 8].copy_from_slice(&udp_csum.to_be_bytes());
    f
}

fn sum_words(bytes: &[u8]) -> u32 {
    bytes
        .chunks(2)
        .map(|w| u32::from(w[0]) << 8 | u32::from(w.get(1).copied().unwrap_or(0)))
        .sum()
}

fn fold(mut sum: u32) -> u16 {
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    sum as u16
}

/// Sends `frame` out of interface `ifname` for `secs` seconds as fast as an
/// AF_PACKET socket past the qdisc allows, `BATCH` frames per `sendmmsg`:
/// a packet generator, so that the sender's own network stack does not
/// compete with the switch under test for the CPUs. Returns (frames sent,
/// seconds spent sending).
pub fn send_raw(ifname: &str, frame: &[u8], secs: f64) -> Result<(u64, f64), String> {
    let name = std::ffi::CString::new(ifname).map_err(|_| format!("bad interface {ifname}"))?;
    // SAFETY: a plain C call on a NUL-terminated string.
    let ifindex = unsafe { libc::if_nametoindex(name.as_ptr()) };
    if ifindex == 0 {
        return Err(format!("no interface {ifname}"));
    }
    // SAFETY: plain socket(2); the descriptor is owned below.
    let fd = unsafe { libc::socket(libc::AF_PACKET, libc::SOCK_RAW, 0) };
    if fd < 0 {
        return Err(format!(
            "AF_PACKET socket: {}",
            std::io::Error::last_os_error()
        ));
    }
    // SAFETY: `fd` is a fresh descriptor nothing else owns.
    let sock = unsafe { <std::os::fd::OwnedFd as std::os::fd::FromRawFd>::from_raw_fd(fd) };
    let one: libc::c_int = 1;
    // SAFETY: `one` is a live c_int and we pass its exact size. Best effort:
    // without it frames take the (empty) qdisc path, which only costs more.
    unsafe {
        libc::setsockopt(
            sock.as_raw_fd(),
            libc::SOL_PACKET,
            PACKET_QDISC_BYPASS,
            (&one as *const libc::c_int).cast(),
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        )
    };
    // SAFETY: sockaddr_ll is plain data; zero is valid.
    let mut sll: libc::sockaddr_ll = unsafe { std::mem::zeroed() };
    sll.sll_family = libc::AF_PACKET as u16;
    sll.sll_ifindex = ifindex as i32;
    // SAFETY: `sll` is a live sockaddr_ll and we pass its exact size.
    let r = unsafe {
        libc::bind(
            sock.as_raw_fd(),
            (&sll as *const libc::sockaddr_ll).cast(),
            std::mem::size_of::<libc::sockaddr_ll>() as libc::socklen_t,
        )
    };
    if r != 0 {
        return Err(format!(
            "bind to {ifname}: {}",
            std::io::Error::last_os_error()
        ));
    }
    let mut iov = libc::iovec {
        iov_base: frame.as_ptr() as *mut libc::c_void,
        iov_len: frame.len(),
    };
    // SAFETY: mmsghdr is plain data; zero is a valid initial value.
    let mut msgs: Vec<libc::mmsghdr> = (0..BATCH).map(|_| unsafe { std::mem::zeroed() }).collect();
    for m in &mut msgs {
        m.msg_hdr.msg_iov = &mut iov;
        m.msg_hdr.msg_iovlen = 1;
    }
    let started = Instant::now();
    let deadline = started + Duration::from_secs_f64(secs);
    let sent = send_until(sock.as_raw_fd(), &mut msgs, deadline);
    Ok((sent, started.elapsed().as_secs_f64()))
}

/// Holds UDP `port` open with a small receive queue it never reads, until
/// its standard input closes: arriving datagrams are dropped at the socket
/// instead of drawing ICMP errors, and no reader competes for the CPUs.
pub fn hold(port: u16) -> Result<(), String> {
    let sock = UdpSocket::bind(("0.0.0.0", port)).map_err(|e| format!("bind: {e}"))?;
    println!("ready");
    use std::io::{Read, Write};
    let _ = std::io::stdout().flush();
    let mut sink = Vec::new();
    let _ = std::io::stdin().read_to_end(&mut sink);
    drop(sock);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frame_checksums_verify() {
        let f = udp_frame(
            [2, 0, 0, 0, 0, 1],
            [2, 0, 0, 0, 0, 2],
            [10, 2, 0, 1],
            [10, 2, 0, 2],
            40000,
            9999,
        );
        assert_eq!(f.len(), 60);
        assert_eq!(
            fold(sum_words(&f[14..34])),
            0xffff,
            "IP header sums to all ones"
        );
        let pseudo = sum_words(&f[26..34]) + 17 + 26;
        assert_eq!(
            fold(pseudo + sum_words(&f[34..])),
            0xffff,
            "UDP sums to all ones"
        );
    }
}
