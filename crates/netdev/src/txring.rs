//! A PACKET_MMAP transmit ring (TPACKET_V2) for `system` ports: frames are
//! written into memory shared with the kernel and a whole batch goes out
//! with one `send()`.
//!
//! Why: `sendmmsg` imports a msghdr per frame and, on non-preemptible
//! kernels, offers to reschedule between frames; when the receiver of the
//! forwarded traffic is local (veth) every frame wakes it and the two
//! threads ping-pong once per frame. The ring hands the kernel the whole
//! batch in one call with no rescheduling point in between.
//!
//! - its own AF_PACKET socket, bound to the interface with protocol 0, so it
//!   receives nothing (a socket with a TX ring can only send through it);
//! - PACKET_VNET_HDR as on the main socket, so partial checksums travel as
//!   metadata; frames are always copied whole into the kernel's buffer
//!   (the header's hdr_len covers the frame), because a frame the kernel
//!   referenced in place would be released back to us while a local
//!   receiver still holds it;
//! - PACKET_LOSS: a frame the kernel refuses is skipped, not left blocking
//!   the ring;
//! - only frames that fit a ring slot and carry no GSO go through it; the
//!   caller sends the rest (and anything when the ring is full) with
//!   sendmmsg after flushing the ring, so order is kept.

use std::io;
use std::os::fd::{AsRawFd, OwnedFd};
use std::sync::atomic::Ordering;

use crate::mmap_ring::{MappedRing, FRAME_SIZE};
use crate::sys;
use crate::vnet::VNET_HDR_LEN;

const PACKET_TX_RING: libc::c_int = 13;
const PACKET_LOSS: libc::c_int = 14;
const PACKET_VNET_HDR: libc::c_int = 15;
const TP_STATUS_SEND_REQUEST: u32 = 1;
const TP_STATUS_SENDING: u32 = 2;

/// Slots of [`FRAME_SIZE`] bytes.
const FRAMES: usize = 256;
/// Where a TPACKET_V2 transmit slot's data starts: the aligned slot header
/// (32 bytes) plus a sockaddr_ll, minus the sockaddr_ll.
const DATA_OFFSET: usize = 32;
/// Largest frame (without the virtio-net header) a slot takes.
pub(crate) const MAX_FRAME: usize = FRAME_SIZE - DATA_OFFSET - VNET_HDR_LEN;

pub(crate) struct TxRing {
    // Declared before the socket: unmapped before it is closed.
    ring: MappedRing,
    sock: OwnedFd,
    /// Next slot to fill (the kernel consumes slots in the same order).
    head: usize,
    /// Slots filled since the last flush.
    queued: usize,
}

impl TxRing {
    /// A ring sending on interface `ifindex`.
    pub(crate) fn open(ifindex: u32, sndbuf: libc::c_int) -> io::Result<TxRing> {
        let sock = sys::socket(libc::AF_PACKET, libc::SOCK_RAW | libc::SOCK_NONBLOCK, 0)?;
        let fd = sock.as_raw_fd();
        sys::setsockopt(fd, libc::SOL_PACKET, PACKET_VNET_HDR, &1 as &libc::c_int)?;
        sys::setsockopt(fd, libc::SOL_PACKET, PACKET_LOSS, &1 as &libc::c_int)?;
        if sys::setsockopt(fd, libc::SOL_SOCKET, libc::SO_SNDBUFFORCE, &sndbuf).is_err() {
            let _ = sys::setsockopt(fd, libc::SOL_SOCKET, libc::SO_SNDBUF, &sndbuf);
        }
        let ring = MappedRing::setup(fd, PACKET_TX_RING, FRAMES)?;
        let ring = TxRing {
            ring,
            sock,
            head: 0,
            queued: 0,
        };
        // SAFETY: sockaddr_ll is plain data; zero is valid.
        let mut sll: libc::sockaddr_ll = unsafe { std::mem::zeroed() };
        sll.sll_family = libc::AF_PACKET as u16;
        sll.sll_protocol = 0;
        sll.sll_ifindex = ifindex as i32;
        // SAFETY: `sll` is a live sockaddr_ll and we pass its exact size.
        sys::cvt(unsafe {
            libc::bind(
                fd,
                (&sll as *const libc::sockaddr_ll).cast(),
                std::mem::size_of::<libc::sockaddr_ll>() as libc::socklen_t,
            )
        })?;
        Ok(ring)
    }

    /// Queues one frame with its virtio-net header; false when it cannot go
    /// through the ring (too big, GSO, or no free slot): send it otherwise,
    /// after [`TxRing::flush`].
    pub(crate) fn push(&mut self, vnet: &[u8; VNET_HDR_LEN], frame: &[u8]) -> bool {
        // vnet[1] is the GSO type: super-packets take the sendmmsg path.
        if frame.len() > MAX_FRAME || vnet[1] != 0 {
            return false;
        }
        let slot = self.head;
        let st = self.ring.status(slot).load(Ordering::Acquire);
        if st & (TP_STATUS_SEND_REQUEST | TP_STATUS_SENDING) != 0 {
            return false;
        }
        let mut hdr = *vnet;
        // hdr_len = whole frame: the kernel copies it all (see module doc).
        let hdr_len = u16::from_le_bytes([hdr[2], hdr[3]]).max(frame.len() as u16);
        hdr[2..4].copy_from_slice(&hdr_len.to_le_bytes());
        let tp_len = (VNET_HDR_LEN + frame.len()) as u32;
        // SAFETY: the slot is ours (status says the kernel is done with it);
        // DATA_OFFSET + VNET_HDR_LEN + frame.len() <= FRAME_SIZE (checked
        // above), so every write stays inside this slot of the mapping.
        unsafe {
            let base = self.ring.slot_ptr(slot);
            // tp_len at offset 4 of struct tpacket2_hdr.
            std::ptr::write_unaligned(base.add(4) as *mut u32, tp_len);
            let data = base.add(DATA_OFFSET);
            std::ptr::copy_nonoverlapping(hdr.as_ptr(), data, VNET_HDR_LEN);
            std::ptr::copy_nonoverlapping(frame.as_ptr(), data.add(VNET_HDR_LEN), frame.len());
        }
        self.ring
            .status(slot)
            .store(TP_STATUS_SEND_REQUEST, Ordering::Release);
        self.head = (slot + 1) % FRAMES;
        self.queued += 1;
        true
    }

    /// Hands the queued frames to the kernel (one syscall). Frames the
    /// kernel could not take now (no socket buffer) stay queued and go with
    /// the next flush.
    pub(crate) fn flush(&mut self) -> io::Result<()> {
        if self.queued == 0 {
            return Ok(());
        }
        loop {
            // SAFETY: no buffer is passed; the kernel reads the ring.
            let r = unsafe {
                libc::send(
                    self.sock.as_raw_fd(),
                    std::ptr::null(),
                    0,
                    libc::MSG_DONTWAIT,
                )
            };
            match sys::cvt_size(r) {
                Ok(_) => break,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(e) if e.raw_os_error() == Some(libc::ENOBUFS) => break,
                Err(e) => {
                    self.queued = 0;
                    return Err(e);
                }
            }
        }
        self.queued = 0;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    //! Root required: a veth pair in a private namespace; frames sent through
    //! a `system` port (ring for small ones, sendmmsg for big ones, more
    //! than the ring holds) must reach the peer whole and in order.

    use std::collections::BTreeMap;
    use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
    use std::time::{Duration, Instant};

    use crate::test_netns::{ip, Netns};
    use crate::Netdev;

    fn frame(seq: u32, len: usize) -> Vec<u8> {
        let mut f = vec![0u8; len];
        f[..6].copy_from_slice(&[0x02, 0, 0, 0, 0xbb, 0x01]);
        f[6..12].copy_from_slice(&[0x02, 0, 0, 0, 0xaa, 0x01]);
        // A local experimental EtherType: no stack on the peer consumes it.
        f[12..14].copy_from_slice(&0x88b5u16.to_be_bytes());
        f[14..18].copy_from_slice(&seq.to_be_bytes());
        for (i, b) in f.iter_mut().enumerate().skip(18) {
            *b = (i as u32 ^ seq) as u8;
        }
        f
    }

    #[test]
    fn ring_and_sendmmsg_frames_arrive_whole_and_in_order() {
        let ns = Netns(format!("oxtxr{}", std::process::id()));
        ip(&["netns", "add", &ns.0]);
        ip(&[
            "-n", &ns.0, "link", "add", "txa", "mtu", "3000", "type", "veth", "peer", "name",
            "txb", "mtu", "3000",
        ]);
        ip(&["-n", &ns.0, "link", "set", "txa", "up"]);
        ip(&["-n", &ns.0, "link", "set", "txb", "up"]);
        let path = format!("/var/run/netns/{}", ns.0);
        let got = std::thread::spawn(move || {
            let file = std::fs::File::open(&path).expect("open netns");
            // SAFETY: valid descriptor and flag; changes only this thread's namespace.
            assert_eq!(
                unsafe { libc::setns(file.as_raw_fd(), libc::CLONE_NEWNET) },
                0
            );
            let ifb = crate::sys::ifindex("txb").expect("txb");
            // SAFETY: plain syscall; checked below.
            let fd = unsafe {
                libc::socket(
                    libc::AF_PACKET,
                    libc::SOCK_RAW | libc::SOCK_NONBLOCK,
                    i32::from(0x88b5u16.to_be()),
                )
            };
            assert!(fd >= 0, "{}", std::io::Error::last_os_error());
            // SAFETY: fresh descriptor we own.
            let peer = unsafe { OwnedFd::from_raw_fd(fd) };
            let big: libc::c_int = 8 << 20;
            let _ = crate::sys::setsockopt(fd, libc::SOL_SOCKET, libc::SO_RCVBUFFORCE, &big);
            // SAFETY: sockaddr_ll is plain data.
            let mut sll: libc::sockaddr_ll = unsafe { std::mem::zeroed() };
            sll.sll_family = libc::AF_PACKET as u16;
            sll.sll_protocol = 0x88b5u16.to_be();
            sll.sll_ifindex = ifb as i32;
            // SAFETY: valid sockaddr_ll of the stated size.
            let r = unsafe {
                libc::bind(
                    fd,
                    (&sll as *const libc::sockaddr_ll).cast(),
                    std::mem::size_of::<libc::sockaddr_ll>() as libc::socklen_t,
                )
            };
            assert_eq!(r, 0);

            let mut dev =
                crate::afpacket::SystemNetdev::open("txa", &BTreeMap::new()).expect("open txa");
            assert!(dev.has_tx_ring(), "no transmit ring");
            // 600 frames (> 256 ring slots), every 7th too big for a slot.
            let sent: Vec<Vec<u8>> = (0..600u32)
                .map(|s| {
                    frame(
                        s,
                        if s % 7 == 3 {
                            2500
                        } else {
                            60 + (s as usize % 200)
                        },
                    )
                })
                .collect();
            for chunk in sent.chunks(32) {
                let bufs: Vec<packet::Buffer> = chunk
                    .iter()
                    .map(|f| packet::Buffer::from_slice(f))
                    .collect();
                let refs: Vec<&packet::Buffer> = bufs.iter().collect();
                dev.send_buffers(&refs).expect("send");
            }
            let mut got = Vec::new();
            let deadline = Instant::now() + Duration::from_secs(10);
            let mut buf = vec![0u8; 4096];
            while got.len() < sent.len() && Instant::now() < deadline {
                // SAFETY: buf is valid for its length.
                let n =
                    unsafe { libc::recv(peer.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len(), 0) };
                if n > 0 {
                    got.push(buf[..n as usize].to_vec());
                } else {
                    std::thread::sleep(Duration::from_millis(1));
                }
            }
            (sent, got)
        })
        .join()
        .expect("test thread");
        let (sent, got) = got;
        assert_eq!(got.len(), sent.len(), "frames lost");
        for (i, (s, g)) in sent.iter().zip(&got).enumerate() {
            assert_eq!(s, g, "frame {i} differs or is out of order");
        }
    }
}
