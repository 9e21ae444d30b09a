//! Fixtures for netdev's root-only tests: uniquely named network namespaces
//! (deleted on Drop, also when a test panics), running a closure with a
//! thread inside a namespace, a raw AF_PACKET peer socket that reports the VLAN
//! tag the kernel stripped, and frame builders.
#![allow(dead_code)]

use std::fs::File;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

/// EtherType of the IEEE "local experimental" range: test frames only.
pub const TEST_ETHERTYPE: u16 = 0x88b5;

/// A name no other test (or test process) uses, at most 15 characters so it
/// can name an interface too.
pub fn unique(prefix: &str) -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    let n = N.fetch_add(1, Ordering::Relaxed);
    format!("{prefix}{:x}x{n:x}", std::process::id() & 0xfffff)
}

/// Runs `ip` with `args`, panicking with its stderr on failure.
pub fn ip(args: &[&str]) {
    let out = Command::new("ip")
        .args(args)
        .output()
        .expect("run ip (iproute2 must be installed)");
    assert!(
        out.status.success(),
        "ip {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A private network namespace, deleted (with every device in it) on Drop.
pub struct Netns {
    pub name: String,
}

impl Netns {
    pub fn new(tag: &str) -> Netns {
        let name = unique(tag);
        ip(&["netns", "add", &name]);
        let ns = Netns { name };
        // No IPv6 autoconfiguration chatter on the test links.
        for key in [
            "net.ipv6.conf.all.disable_ipv6=1",
            "net.ipv6.conf.default.disable_ipv6=1",
        ] {
            let _ = ns.exec(&["sysctl", "-qw", key]);
        }
        ns
    }

    /// `ip -n <ns> args...`
    pub fn ip(&self, args: &[&str]) {
        let mut full = vec!["-n", self.name.as_str()];
        full.extend_from_slice(args);
        ip(&full);
    }

    /// Runs a program inside the namespace.
    pub fn command(&self, program: &str) -> Command {
        let mut c = Command::new("ip");
        c.args(["netns", "exec", &self.name, program]);
        c
    }

    pub fn exec(&self, args: &[&str]) -> Output {
        let (program, rest) = args.split_first().expect("a program");
        self.command(program)
            .args(rest)
            .output()
            .expect("run ip netns exec")
    }

    /// Runs `f` on a thread that has entered this namespace, so every socket
    /// and ioctl it makes belongs to the namespace. Panics propagate.
    pub fn run<R: Send>(&self, f: impl FnOnce() -> R + Send) -> R {
        let path = format!("/var/run/netns/{}", self.name);
        std::thread::scope(|s| {
            s.spawn(|| {
                let file = File::open(&path).unwrap_or_else(|e| panic!("open {path}: {e}"));
                // SAFETY: setns takes a valid descriptor and a flag; it only changes
                // this thread's network namespace.
                let r = unsafe { libc::setns(file.as_raw_fd(), libc::CLONE_NEWNET) };
                assert_eq!(r, 0, "setns {path}: {}", std::io::Error::last_os_error());
                f()
            })
            .join()
            .unwrap_or_else(|p| std::panic::resume_unwind(p))
        })
    }
}

impl Drop for Netns {
    fn drop(&mut self) {
        let _ = Command::new("ip")
            .args(["netns", "del", &self.name])
            .output();
    }
}

/// Creates veth `a` in `ns_a` with its peer `b` in `ns_b`, both up.
pub fn veth(ns_a: &Netns, a: &str, ns_b: &Netns, b: &str) {
    ns_a.ip(&[
        "link", "add", a, "type", "veth", "peer", "name", b, "netns", &ns_b.name,
    ]);
    ns_a.ip(&["link", "set", a, "up"]);
    ns_b.ip(&["link", "set", b, "up"]);
}

/// A frame of the test EtherType: dst, src, type, then `payload`.
pub fn test_frame(dst: [u8; 6], src: [u8; 6], payload: &[u8]) -> Vec<u8> {
    let mut f = Vec::with_capacity(14 + payload.len());
    f.extend_from_slice(&dst);
    f.extend_from_slice(&src);
    f.extend_from_slice(&TEST_ETHERTYPE.to_be_bytes());
    f.extend_from_slice(payload);
    f
}

/// The same frame with an 802.1Q tag (TPID 0x8100, `tci`) after the addresses.
pub fn tagged(frame: &[u8], tci: u16) -> Vec<u8> {
    let mut f = frame[..12].to_vec();
    f.extend_from_slice(&0x8100u16.to_be_bytes());
    f.extend_from_slice(&tci.to_be_bytes());
    f.extend_from_slice(&frame[12..]);
    f
}

const SOL_PACKET: libc::c_int = 263;
const PACKET_AUXDATA: libc::c_int = 8;
const TP_STATUS_VLAN_VALID: u32 = 1 << 4;
const PACKET_OUTGOING: u8 = 4;

/// An independent AF_PACKET socket on one interface: the "other side" of a
/// link in tests. Create it inside the interface's namespace (`Netns::run`).
pub struct RawPeer {
    fd: OwnedFd,
}

/// A frame the peer received, with the VLAN TCI the kernel stripped (if any).
#[derive(Debug)]
pub struct PeerFrame {
    pub data: Vec<u8>,
    pub vlan_tci: Option<u16>,
}

impl RawPeer {
    pub fn open(ifname: &str) -> RawPeer {
        let ifindex =
            netdev::sys::ifindex(ifname).unwrap_or_else(|e| panic!("ifindex {ifname}: {e}"));
        // SAFETY: plain syscall; the result is checked and then owned.
        let raw = unsafe {
            libc::socket(
                libc::AF_PACKET,
                libc::SOCK_RAW | libc::SOCK_CLOEXEC,
                (libc::ETH_P_ALL as u16).to_be() as i32,
            )
        };
        assert!(
            raw >= 0,
            "packet socket: {}",
            std::io::Error::last_os_error()
        );
        // SAFETY: `raw` is a fresh descriptor we own.
        let fd = unsafe { OwnedFd::from_raw_fd(raw) };
        let one: libc::c_int = 1;
        // SAFETY: passes a live int of the stated size.
        let r = unsafe {
            libc::setsockopt(
                raw,
                SOL_PACKET,
                PACKET_AUXDATA,
                (&one as *const libc::c_int).cast(),
                4,
            )
        };
        assert_eq!(r, 0);
        // SAFETY: sockaddr_ll is plain data.
        let mut sll: libc::sockaddr_ll = unsafe { std::mem::zeroed() };
        sll.sll_family = libc::AF_PACKET as u16;
        sll.sll_protocol = (libc::ETH_P_ALL as u16).to_be();
        sll.sll_ifindex = ifindex as i32;
        // SAFETY: a live sockaddr_ll of the stated size.
        let r = unsafe {
            libc::bind(
                raw,
                (&sll as *const libc::sockaddr_ll).cast(),
                std::mem::size_of::<libc::sockaddr_ll>() as u32,
            )
        };
        assert_eq!(r, 0, "bind: {}", std::io::Error::last_os_error());
        RawPeer { fd }
    }

    pub fn send(&self, frame: &[u8]) {
        // SAFETY: sends from a live slice.
        let r = unsafe { libc::send(self.fd.as_raw_fd(), frame.as_ptr().cast(), frame.len(), 0) };
        assert_eq!(
            r,
            frame.len() as isize,
            "send: {}",
            std::io::Error::last_os_error()
        );
    }

    /// The next incoming (not outgoing) frame for which `want` is true, waiting
    /// at most `timeout`.
    pub fn recv_matching(
        &self,
        timeout: Duration,
        want: impl Fn(&PeerFrame) -> bool,
    ) -> Option<PeerFrame> {
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.checked_duration_since(Instant::now())?;
            let mut pfd = libc::pollfd {
                fd: self.fd.as_raw_fd(),
                events: libc::POLLIN,
                revents: 0,
            };
            // SAFETY: one live pollfd.
            let r = unsafe { libc::poll(&mut pfd, 1, left.as_millis().max(1) as i32) };
            if r <= 0 {
                continue;
            }
            let mut buf = vec![0u8; 70000];
            let mut ctl = [0u64; 16];
            // SAFETY: sockaddr_ll and msghdr are plain data.
            let mut sll: libc::sockaddr_ll = unsafe { std::mem::zeroed() };
            let mut iov = libc::iovec {
                iov_base: buf.as_mut_ptr().cast(),
                iov_len: buf.len(),
            };
            // SAFETY: plain data.
            let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
            msg.msg_name = (&mut sll as *mut libc::sockaddr_ll).cast();
            msg.msg_namelen = std::mem::size_of::<libc::sockaddr_ll>() as u32;
            msg.msg_iov = &mut iov;
            msg.msg_iovlen = 1;
            msg.msg_control = ctl.as_mut_ptr().cast();
            msg.msg_controllen = std::mem::size_of_val(&ctl);
            // SAFETY: every pointer in `msg` refers to live buffers of the stated sizes.
            let n = unsafe { libc::recvmsg(self.fd.as_raw_fd(), &mut msg, libc::MSG_DONTWAIT) };
            if n < 0 || sll.sll_pkttype == PACKET_OUTGOING {
                continue;
            }
            buf.truncate(n as usize);
            let mut vlan_tci = None;
            // cmsghdr: len usize, level i32, type i32, then tpacket_auxdata.
            let ctl_bytes: Vec<u8> = ctl.iter().flat_map(|w| w.to_ne_bytes()).collect();
            let len = usize::from_ne_bytes(ctl_bytes[0..8].try_into().unwrap());
            let level = i32::from_ne_bytes(ctl_bytes[8..12].try_into().unwrap());
            let ty = i32::from_ne_bytes(ctl_bytes[12..16].try_into().unwrap());
            if msg.msg_controllen >= 36 && len >= 36 && level == SOL_PACKET && ty == PACKET_AUXDATA
            {
                let status = u32::from_ne_bytes(ctl_bytes[16..20].try_into().unwrap());
                let tci = u16::from_ne_bytes(ctl_bytes[32..34].try_into().unwrap());
                if status & TP_STATUS_VLAN_VALID != 0 || tci != 0 {
                    vlan_tci = Some(tci);
                }
            }
            let f = PeerFrame {
                data: buf,
                vlan_tci,
            };
            if want(&f) {
                return Some(f);
            }
        }
    }
}

/// Receives from `dev` until `want` accepts a frame or `timeout` passes
/// (bounded poll on the device's fd, never a fixed sleep).
pub fn recv_matching(
    dev: &mut dyn netdev::Netdev,
    timeout: Duration,
    want: impl Fn(&netdev::Buffer) -> bool,
) -> Option<netdev::Buffer> {
    let deadline = Instant::now() + timeout;
    let mut batch = netdev::Batch::new();
    loop {
        match dev.recv(&mut batch) {
            Ok(_) => {
                if let Some(b) = batch.iter().find(|b| want(b)) {
                    return Some(b.clone());
                }
            }
            Err(e) => panic!("recv on {}: {e}", dev.name()),
        }
        let left = deadline.checked_duration_since(Instant::now())?;
        if batch.is_empty() {
            let fd = dev.fd().expect("pollable netdev");
            let mut pfd = libc::pollfd {
                fd,
                events: libc::POLLIN,
                revents: 0,
            };
            // SAFETY: one live pollfd.
            unsafe { libc::poll(&mut pfd, 1, left.as_millis().clamp(1, 100) as i32) };
        }
    }
}
