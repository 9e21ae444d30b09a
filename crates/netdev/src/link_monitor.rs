//! Link monitoring over rtnetlink: an `AF_NETLINK`/`NETLINK_ROUTE` socket
//! subscribed to `RTMGRP_LINK` tells us when an interface appears, changes (admin
//! state, carrier, MTU, MAC) or vanishes, so vswitchd can update `link_state` and
//! `error` of the Interface rows without polling every device.
//!
//! The socket is non-blocking; put [`LinkMonitor::fd`] in the poll set and call
//! [`LinkMonitor::drain`] when it is readable. Parsing never trusts the kernel's
//! lengths blindly: a malformed message is skipped, never a panic.

use std::io;
use std::os::fd::{AsRawFd, OwnedFd, RawFd};

use crate::sys;

const NLMSG_HDRLEN: usize = 16;
const IFINFOMSG_LEN: usize = 16;
const NLMSG_ERROR: u16 = 2;
const NLMSG_DONE: u16 = 3;
const RTM_NEWLINK: u16 = 16;
const RTM_DELLINK: u16 = 17;
const RTM_GETLINK: u16 = 18;
const IFLA_ADDRESS: u16 = 1;
const IFLA_IFNAME: u16 = 3;
const IFLA_MTU: u16 = 4;
const IFLA_STATS64: u16 = 23;
const IFLA_CARRIER: u16 = 33;

/// What happened to a link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkChangeKind {
    /// Created or changed (RTM_NEWLINK).
    NewOrChanged,
    /// Deleted (RTM_DELLINK), e.g. the veth peer was removed.
    Deleted,
}

/// One link notification, decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkChange {
    pub kind: LinkChangeKind,
    pub ifindex: u32,
    /// Interface name, when the message carried one (it always does in practice).
    pub name: Option<String>,
    /// IFF_* flags (IFF_UP = admin up, IFF_RUNNING = operationally up;
    /// IFF_RUNNING follows carrier changes with a delay of up to a second).
    pub flags: u32,
    /// The link's carrier (IFLA_CARRIER): the prompt signal for link_state.
    pub carrier: Option<bool>,
    pub mtu: Option<u32>,
    pub hwaddr: Option<[u8; 6]>,
}

impl LinkChange {
    pub fn admin_up(&self) -> bool {
        self.flags & libc::IFF_UP as u32 != 0
    }

    pub fn running(&self) -> bool {
        self.flags & libc::IFF_RUNNING as u32 != 0
    }
}

/// What [`LinkMonitor::drain`] found.
#[derive(Debug, Default)]
pub struct LinkEvents {
    pub changes: Vec<LinkChange>,
    /// The kernel dropped notifications (socket buffer overflow): the caller must
    /// re-read the state of every device it cares about.
    pub overflowed: bool,
}

/// A subscription to rtnetlink link notifications.
#[derive(Debug)]
pub struct LinkMonitor {
    fd: OwnedFd,
    buf: Vec<u8>,
}

impl LinkMonitor {
    /// Subscribes to link changes in the current network namespace.
    pub fn new() -> io::Result<LinkMonitor> {
        let fd = sys::socket(
            libc::AF_NETLINK,
            libc::SOCK_RAW | libc::SOCK_NONBLOCK,
            libc::NETLINK_ROUTE,
        )?;
        // SAFETY: sockaddr_nl is plain data; zero is valid.
        let mut addr: libc::sockaddr_nl = unsafe { std::mem::zeroed() };
        addr.nl_family = libc::AF_NETLINK as libc::sa_family_t;
        addr.nl_groups = libc::RTMGRP_LINK as u32;
        // SAFETY: `addr` is a live sockaddr_nl and we pass its exact size.
        sys::cvt(unsafe {
            libc::bind(
                fd.as_raw_fd(),
                (&addr as *const libc::sockaddr_nl).cast(),
                std::mem::size_of::<libc::sockaddr_nl>() as libc::socklen_t,
            )
        })?;
        Ok(LinkMonitor {
            fd,
            buf: vec![0; 64 * 1024],
        })
    }

    /// The descriptor to wait on (readable when notifications are queued).
    pub fn fd(&self) -> RawFd {
        self.fd.as_raw_fd()
    }

    /// Reads every queued notification without blocking.
    pub fn drain(&mut self) -> io::Result<LinkEvents> {
        let mut events = LinkEvents::default();
        loop {
            // SAFETY: recv writes at most buf.len() bytes into our live buffer.
            let n = unsafe {
                libc::recv(
                    self.fd.as_raw_fd(),
                    self.buf.as_mut_ptr().cast(),
                    self.buf.len(),
                    0,
                )
            };
            match sys::cvt_size(n) {
                Ok(0) => return Ok(events),
                Ok(len) => {
                    let data = self.buf.get(..len).unwrap_or(&[]);
                    parse_messages(data, &mut |ty, payload| {
                        if let Some(change) = parse_link(ty, payload) {
                            events.changes.push(change);
                        }
                    });
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(events),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) if e.raw_os_error() == Some(libc::ENOBUFS) => events.overflowed = true,
                Err(e) => return Err(e),
            }
        }
    }
}

/// Calls `f(type, payload)` for each well-formed netlink message in `data`.
fn parse_messages(mut data: &[u8], f: &mut dyn FnMut(u16, &[u8])) {
    while data.len() >= NLMSG_HDRLEN {
        let len = u32::from_ne_bytes([data[0], data[1], data[2], data[3]]) as usize;
        let ty = u16::from_ne_bytes([data[4], data[5]]);
        if len < NLMSG_HDRLEN || len > data.len() {
            return;
        }
        if let Some(payload) = data.get(NLMSG_HDRLEN..len) {
            f(ty, payload);
        }
        let next = align4(len).min(data.len());
        data = data.get(next..).unwrap_or(&[]);
    }
}

fn align4(n: usize) -> usize {
    (n + 3) & !3
}

/// Calls `f(type, value)` for each well-formed rtattr in `data`.
fn parse_attrs(mut data: &[u8], f: &mut dyn FnMut(u16, &[u8])) {
    while data.len() >= 4 {
        let len = u16::from_ne_bytes([data[0], data[1]]) as usize;
        let ty = u16::from_ne_bytes([data[2], data[3]]) & 0x3fff;
        if len < 4 || len > data.len() {
            return;
        }
        if let Some(value) = data.get(4..len) {
            f(ty, value);
        }
        let next = align4(len).min(data.len());
        data = data.get(next..).unwrap_or(&[]);
    }
}

fn ne_u32(v: &[u8]) -> Option<u32> {
    Some(u32::from_ne_bytes(v.get(..4)?.try_into().ok()?))
}

/// Decodes an RTM_NEWLINK / RTM_DELLINK payload (ifinfomsg + attributes).
fn parse_link(ty: u16, payload: &[u8]) -> Option<LinkChange> {
    let kind = match ty {
        RTM_NEWLINK => LinkChangeKind::NewOrChanged,
        RTM_DELLINK => LinkChangeKind::Deleted,
        _ => return None,
    };
    let hdr = payload.get(..IFINFOMSG_LEN)?;
    let ifindex = ne_u32(hdr.get(4..8)?)?;
    let flags = ne_u32(hdr.get(8..12)?)?;
    let mut change = LinkChange {
        kind,
        ifindex,
        name: None,
        flags,
        carrier: None,
        mtu: None,
        hwaddr: None,
    };
    parse_attrs(payload.get(IFINFOMSG_LEN..)?, &mut |aty, value| match aty {
        IFLA_IFNAME => {
            let end = value.iter().position(|&b| b == 0).unwrap_or(value.len());
            change.name = value
                .get(..end)
                .map(|n| String::from_utf8_lossy(n).into_owned());
        }
        IFLA_MTU => change.mtu = ne_u32(value),
        IFLA_CARRIER => change.carrier = value.first().map(|&c| c != 0),
        IFLA_ADDRESS => {
            if let Some(mac) = value.get(..6).and_then(|m| <[u8; 6]>::try_from(m).ok()) {
                if value.len() == 6 {
                    change.hwaddr = Some(mac);
                }
            }
        }
        _ => {}
    });
    Some(change)
}

/// The kernel's 64-bit interface counters (`struct rtnl_link_stats64`, first 16
/// fields, which is all the Interface.statistics column needs).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LinkStats64 {
    pub rx_packets: u64,
    pub tx_packets: u64,
    pub rx_bytes: u64,
    pub tx_bytes: u64,
    pub rx_errors: u64,
    pub tx_errors: u64,
    pub rx_dropped: u64,
    pub tx_dropped: u64,
    pub multicast: u64,
    pub collisions: u64,
    pub rx_length_errors: u64,
    pub rx_over_errors: u64,
    pub rx_crc_errors: u64,
    pub rx_frame_errors: u64,
    pub rx_fifo_errors: u64,
    pub rx_missed_errors: u64,
}

fn parse_stats64(v: &[u8]) -> Option<LinkStats64> {
    let f = |i: usize| -> Option<u64> {
        Some(u64::from_ne_bytes(
            v.get(i * 8..i * 8 + 8)?.try_into().ok()?,
        ))
    };
    Some(LinkStats64 {
        rx_packets: f(0)?,
        tx_packets: f(1)?,
        rx_bytes: f(2)?,
        tx_bytes: f(3)?,
        rx_errors: f(4)?,
        tx_errors: f(5)?,
        rx_dropped: f(6)?,
        tx_dropped: f(7)?,
        multicast: f(8)?,
        collisions: f(9)?,
        rx_length_errors: f(10)?,
        rx_over_errors: f(11)?,
        rx_crc_errors: f(12)?,
        rx_frame_errors: f(13)?,
        rx_fifo_errors: f(14)?,
        rx_missed_errors: f(15)?,
    })
}

/// Asks the kernel for one link's counters (RTM_GETLINK by index), correct in
/// whatever network namespace this process is in (unlike /sys, which shows the
/// namespace that mounted it).
pub fn link_stats(ifindex: u32) -> io::Result<LinkStats64> {
    let fd = sys::socket(libc::AF_NETLINK, libc::SOCK_RAW, libc::NETLINK_ROUTE)?;
    let mut req = [0u8; NLMSG_HDRLEN + IFINFOMSG_LEN];
    let total = req.len() as u32;
    req[0..4].copy_from_slice(&total.to_ne_bytes());
    req[4..6].copy_from_slice(&RTM_GETLINK.to_ne_bytes());
    req[6..8].copy_from_slice(&((libc::NLM_F_REQUEST | libc::NLM_F_ACK) as u16).to_ne_bytes());
    req[8..12].copy_from_slice(&1u32.to_ne_bytes());
    req[NLMSG_HDRLEN] = libc::AF_UNSPEC as u8;
    req[NLMSG_HDRLEN + 4..NLMSG_HDRLEN + 8].copy_from_slice(&(ifindex as i32).to_ne_bytes());
    // SAFETY: sends `req.len()` bytes from a live buffer; a zero sockaddr_nl
    // addresses the kernel.
    let sent = unsafe {
        let mut kernel: libc::sockaddr_nl = std::mem::zeroed();
        kernel.nl_family = libc::AF_NETLINK as libc::sa_family_t;
        libc::sendto(
            fd.as_raw_fd(),
            req.as_ptr().cast(),
            req.len(),
            0,
            (&kernel as *const libc::sockaddr_nl).cast(),
            std::mem::size_of::<libc::sockaddr_nl>() as libc::socklen_t,
        )
    };
    sys::cvt_size(sent)?;
    let mut buf = vec![0u8; 32 * 1024];
    let mut stats = None;
    let mut error = None;
    let mut done = false;
    while !done {
        // SAFETY: recv writes at most buf.len() bytes into our live buffer.
        let n = sys::cvt_size(unsafe {
            libc::recv(fd.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len(), 0)
        })?;
        if n == 0 {
            break;
        }
        parse_messages(buf.get(..n).unwrap_or(&[]), &mut |ty, payload| match ty {
            RTM_NEWLINK => {
                if let Some(attrs) = payload.get(IFINFOMSG_LEN..) {
                    parse_attrs(attrs, &mut |aty, v| {
                        if aty == IFLA_STATS64 {
                            stats = parse_stats64(v);
                        }
                    });
                }
            }
            NLMSG_ERROR => {
                // An ACK (error 0) ends the exchange; a negative errno is the failure.
                let code = payload
                    .get(..4)
                    .and_then(|b| b.try_into().ok())
                    .map(i32::from_ne_bytes)
                    .unwrap_or(0);
                if code < 0 {
                    error = Some(io::Error::from_raw_os_error(-code));
                }
                done = true;
            }
            NLMSG_DONE => done = true,
            _ => {}
        });
    }
    if let Some(e) = error {
        return Err(e);
    }
    stats.ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            "RTM_GETLINK reply without IFLA_STATS64",
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(ty: u16, ifindex: u32, flags: u32, attrs: &[(u16, &[u8])]) -> Vec<u8> {
        let mut body = vec![0u8; IFINFOMSG_LEN];
        body[4..8].copy_from_slice(&ifindex.to_ne_bytes());
        body[8..12].copy_from_slice(&flags.to_ne_bytes());
        for (t, v) in attrs {
            let len = 4 + v.len();
            body.extend_from_slice(&(len as u16).to_ne_bytes());
            body.extend_from_slice(&t.to_ne_bytes());
            body.extend_from_slice(v);
            body.resize(align4(body.len()), 0);
        }
        let mut m = vec![0u8; NLMSG_HDRLEN];
        m[0..4].copy_from_slice(&((NLMSG_HDRLEN + body.len()) as u32).to_ne_bytes());
        m[4..6].copy_from_slice(&ty.to_ne_bytes());
        m.extend(body);
        m
    }

    #[test]
    fn decodes_new_and_del() {
        let mut data = msg(
            RTM_NEWLINK,
            7,
            0x1043,
            &[
                (IFLA_IFNAME, b"veth0\0"),
                (IFLA_CARRIER, &[1]),
                (IFLA_ADDRESS, &[2, 0, 0, 0, 0, 1]),
            ],
        );
        data.extend(msg(RTM_DELLINK, 7, 0, &[(IFLA_IFNAME, b"veth0\0")]));
        let mut out = Vec::new();
        parse_messages(&data, &mut |t, p| out.extend(parse_link(t, p)));
        assert_eq!(out.len(), 2);
        assert_eq!(out[0].name.as_deref(), Some("veth0"));
        assert!(out[0].admin_up() && out[0].running());
        assert_eq!(out[0].carrier, Some(true));
        assert_eq!(out[0].hwaddr, Some([2, 0, 0, 0, 0, 1]));
        assert_eq!(out[1].kind, LinkChangeKind::Deleted);
        assert_eq!(out[1].ifindex, 7);
    }

    #[test]
    fn truncated_input_never_panics() {
        let data = msg(
            RTM_NEWLINK,
            3,
            1,
            &[(IFLA_IFNAME, b"x\0"), (IFLA_MTU, &[0xdc, 5, 0, 0])],
        );
        for cut in 0..data.len() {
            let mut prefix = data[..cut].to_vec();
            // Keep the claimed length so inner parsing sees short attributes.
            parse_messages(&prefix, &mut |t, p| drop(parse_link(t, p)));
            if prefix.len() >= 4 {
                prefix[0..4].copy_from_slice(&(cut as u32).to_ne_bytes());
                parse_messages(&prefix, &mut |t, p| drop(parse_link(t, p)));
            }
        }
    }

    #[test]
    fn loopback_stats_over_netlink() {
        let idx = crate::sys::ifindex("lo").unwrap();
        link_stats(idx).unwrap();
        assert_eq!(
            link_stats(0x7fff_fff0).unwrap_err().raw_os_error(),
            Some(libc::ENODEV)
        );
    }
}
