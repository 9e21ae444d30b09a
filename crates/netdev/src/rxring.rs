//! A PACKET_MMAP receive ring (TPACKET_V2) for `system` ports: the kernel
//! copies each received frame into memory shared with us, so receiving a
//! batch costs no system call at all.
//!
//! Why: with recvmmsg every frame is queued as an skb (cloned when another
//! protocol also wants it), then dequeued, copied and freed by a system call
//! that also copies a msghdr, a control message and an address per frame;
//! profiles of 64-byte floods through the switch put a third of the poll
//! thread's time there. With the ring the kernel copies the frame once, in
//! the context that received it, and frees the skb at once.
//!
//! - set up on the port's own socket before it is bound (nothing can be
//!   queued outside the ring); PACKET_VNET_HDR stays on, so each slot has the
//!   virtio-net header right in front of the frame;
//! - the VLAN tag the kernel stripped is in the slot header (the caller puts
//!   it back as with PACKET_AUXDATA);
//! - frames larger than a slot (GSO super-packets, jumbo frames) take the
//!   kernel's copy path (PACKET_COPY_THRESH): the slot says TP_STATUS_COPY
//!   and the whole frame waits, in order, in the socket's ordinary receive
//!   queue, where the caller reads it with recvmmsg.

use std::io;
use std::os::fd::RawFd;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use crate::mmap_ring::{MappedRing, FRAME_SIZE};
use crate::sys;
use crate::vnet::VNET_HDR_LEN;

const PACKET_RX_RING: libc::c_int = 5;
const PACKET_COPY_THRESH: libc::c_int = 7;

const TP_STATUS_KERNEL: u32 = 0;
const TP_STATUS_USER: u32 = 1;
/// The frame did not fit the slot; the whole of it is in the socket queue.
pub(crate) const TP_STATUS_COPY: u32 = 1 << 1;

/// Slots ([`FRAME_SIZE`] bytes each: the slot header, sockaddr_ll,
/// alignment and the virtio-net header take 76, leaving 1972 for the frame,
/// so an MTU 1500 frame with two tags fits). At 250,000 frames/s about 8 ms
/// of traffic, so a poll thread kept off the CPU for a scheduler slice
/// loses nothing. 4 MiB mapped.
const FRAMES: usize = 2048;
/// `struct tpacket2_hdr` (32 bytes) is followed by a `struct sockaddr_ll`;
/// its `sll_pkttype` byte is 10 bytes in.
const SLL_OFFSET: usize = 32;
const PKTTYPE_OFFSET: usize = SLL_OFFSET + 10;

/// One received slot, borrowed from the ring until [`RxRing::release`].
pub(crate) struct Slot<'a> {
    /// `tp_status` (TP_STATUS_COPY, VLAN validity bits, ...).
    pub status: u32,
    /// The frame's length on the wire and the bytes in the slot (fewer when
    /// the frame did not fit).
    pub len: usize,
    pub frame: &'a [u8],
    pub vnet: [u8; VNET_HDR_LEN],
    pub vlan_tci: u16,
    pub vlan_tpid: u16,
    pub pkttype: u8,
}

pub(crate) struct RxRing {
    ring: Arc<MappedRing>,
    /// Next slot to read (the kernel fills slots in the same order). Only
    /// this ring writes it; [`RxProbe`]s read it.
    head: Arc<AtomicUsize>,
}

/// Tells whether a receive ring has a frame waiting, from another thread,
/// with no lock and no system call: it reads the status of the slot the
/// ring will read next. It keeps the mapping alive, so a probe that
/// outlives its port reads memory that is still mapped (and answers
/// nothing useful, which its user must tolerate).
#[derive(Clone)]
pub struct RxProbe {
    ring: Arc<MappedRing>,
    head: Arc<AtomicUsize>,
}

impl RxProbe {
    /// Whether the kernel has handed the ring its next slot.
    pub fn ready(&self) -> bool {
        let head = self.head.load(Ordering::Relaxed);
        self.ring.status(head).load(Ordering::Acquire) & TP_STATUS_USER != 0
    }
}

impl RxRing {
    /// Sets up and maps a receive ring on `fd`, an AF_PACKET socket not yet
    /// bound to an interface (PACKET_VNET_HDR already chosen).
    pub(crate) fn open(fd: RawFd) -> io::Result<RxRing> {
        sys::setsockopt(fd, libc::SOL_PACKET, PACKET_COPY_THRESH, &1 as &libc::c_int)?;
        let ring = Arc::new(MappedRing::setup(fd, PACKET_RX_RING, FRAMES)?);
        Ok(RxRing {
            ring,
            head: Arc::new(AtomicUsize::new(0)),
        })
    }

    /// A probe of this ring for another thread.
    pub(crate) fn probe(&self) -> RxProbe {
        RxProbe {
            ring: self.ring.clone(),
            head: self.head.clone(),
        }
    }

    /// The slot the kernel handed us next, if it has.
    pub(crate) fn peek(&self) -> Option<Slot<'_>> {
        let head = self.head.load(Ordering::Relaxed);
        let st = self.ring.status(head).load(Ordering::Acquire);
        if st & TP_STATUS_USER == 0 {
            return None;
        }
        // SAFETY: the slot is ours until released (status USER, and the
        // Acquire load above orders our reads after the kernel's writes);
        // it lies inside the mapping and is not written by the kernel until
        // we hand it back, which needs `&mut self` while this borrow of
        // `self` lives.
        let slot: &[u8] =
            unsafe { std::slice::from_raw_parts(self.ring.slot_ptr(head), FRAME_SIZE) };
        let u32_at =
            |i: usize| u32::from_ne_bytes([slot[i], slot[i + 1], slot[i + 2], slot[i + 3]]);
        let u16_at = |i: usize| u16::from_ne_bytes([slot[i], slot[i + 1]]);
        // struct tpacket2_hdr: status, len, snaplen, mac (u16), net (u16),
        // sec, nsec, vlan_tci (u16), vlan_tpid (u16).
        let len = u32_at(4) as usize;
        let snaplen = u32_at(8) as usize;
        let mac = usize::from(u16_at(12));
        // The kernel's offsets, checked anyway: a slot that does not add up
        // yields an empty frame, which the caller drops.
        let (frame, vnet) = match (mac.checked_sub(VNET_HDR_LEN), slot.get(mac..mac + snaplen)) {
            (Some(v), Some(frame)) if v >= SLL_OFFSET => {
                let mut vnet = [0u8; VNET_HDR_LEN];
                vnet.copy_from_slice(&slot[v..mac]);
                (frame, vnet)
            }
            _ => (&[][..], [0u8; VNET_HDR_LEN]),
        };
        Some(Slot {
            status: st,
            len,
            frame,
            vnet,
            vlan_tci: u16_at(24),
            vlan_tpid: u16_at(26),
            pkttype: slot[PKTTYPE_OFFSET],
        })
    }

    /// Hands the slot [`RxRing::peek`] returned back to the kernel.
    pub(crate) fn release(&mut self) {
        let head = self.head.load(Ordering::Relaxed);
        self.ring
            .status(head)
            .store(TP_STATUS_KERNEL, Ordering::Release);
        self.head
            .store((head + 1) % self.ring.frames(), Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    //! Root required: a veth pair in a private namespace; frames sent by a
    //! raw socket on the peer (small ones through ring slots, big ones
    //! through the copy path, some VLAN tagged) must come out of a `system`
    //! port whole and in order; the ring's probe must see frames wherever
    //! the ring's head has moved to.

    use std::collections::BTreeMap;
    use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
    use std::time::{Duration, Instant};

    use crate::test_netns::{ip, Netns};
    use crate::Netdev;

    /// Frame `seq` of `len` bytes; every 5th carries an 802.1Q tag.
    fn frame(seq: u32, len: usize) -> Vec<u8> {
        let mut f = vec![0u8; len];
        f[..6].copy_from_slice(&[0x02, 0, 0, 0, 0xcc, 0x01]);
        f[6..12].copy_from_slice(&[0x02, 0, 0, 0, 0xdd, 0x01]);
        let mut at = 12;
        if seq % 5 == 1 {
            f[12..14].copy_from_slice(&0x8100u16.to_be_bytes());
            f[14..16].copy_from_slice(&(0x2000 | (seq as u16 & 0xfff)).to_be_bytes());
            at = 16;
        }
        // A local experimental EtherType: no stack on either side consumes it.
        f[at..at + 2].copy_from_slice(&0x88b5u16.to_be_bytes());
        f[at + 2..at + 6].copy_from_slice(&seq.to_be_bytes());
        for (i, b) in f.iter_mut().enumerate().skip(at + 6) {
            *b = (i as u32 ^ seq) as u8;
        }
        f
    }

    #[test]
    fn ring_and_copy_path_frames_arrive_whole_and_in_order() {
        let ns = Netns(format!("oxrxr{}", std::process::id()));
        ip(&["netns", "add", &ns.0]);
        ip(&[
            "-n", &ns.0, "link", "add", "rxa", "mtu", "5000", "type", "veth", "peer", "name",
            "rxb", "mtu", "5000",
        ]);
        ip(&["-n", &ns.0, "link", "set", "rxa", "up"]);
        ip(&["-n", &ns.0, "link", "set", "rxb", "up"]);
        let path = format!("/var/run/netns/{}", ns.0);
        let (sent, got, ring) = std::thread::spawn(move || {
            let file = std::fs::File::open(&path).expect("open netns");
            // SAFETY: valid descriptor and flag; changes only this thread's namespace.
            assert_eq!(
                unsafe { libc::setns(file.as_raw_fd(), libc::CLONE_NEWNET) },
                0
            );
            let mut dev =
                crate::afpacket::SystemNetdev::open("rxa", &BTreeMap::new()).expect("open rxa");
            let ring = dev.has_rx_ring();
            let ifb = crate::sys::ifindex("rxb").expect("rxb");
            // SAFETY: plain syscall; checked below.
            let fd = unsafe { libc::socket(libc::AF_PACKET, libc::SOCK_RAW, 0) };
            assert!(fd >= 0, "{}", std::io::Error::last_os_error());
            // SAFETY: fresh descriptor we own.
            let peer = unsafe { OwnedFd::from_raw_fd(fd) };
            // SAFETY: sockaddr_ll is plain data.
            let mut sll: libc::sockaddr_ll = unsafe { std::mem::zeroed() };
            sll.sll_family = libc::AF_PACKET as u16;
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
            let send = |f: &[u8]| {
                // SAFETY: f is valid for its length.
                let n = unsafe { libc::send(peer.as_raw_fd(), f.as_ptr().cast(), f.len(), 0) };
                assert_eq!(n, f.len() as isize, "{}", std::io::Error::last_os_error());
            };
            // The probe follows the ring's head: after each drain, the next
            // frames land in later slots, and it must see them there.
            let probe = dev.rx_probe().expect("a port with a ring has a probe");
            let mut batch = packet::Batch::new();
            for round in 0..3u32 {
                for k in 0..5 {
                    send(&frame(1000 + round * 5 + k, 60));
                }
                let deadline = Instant::now() + Duration::from_secs(5);
                while !probe.ready() {
                    assert!(
                        Instant::now() < deadline,
                        "round {round}: probe never ready"
                    );
                    std::thread::sleep(Duration::from_millis(1));
                }
                while dev.recv(&mut batch).is_ok_and(|n| n > 0) {}
            }
            // 300 frames, every 7th too big for a ring slot.
            let sent: Vec<Vec<u8>> = (0..300u32)
                .map(|s| {
                    frame(
                        s,
                        if s % 7 == 3 {
                            4000
                        } else {
                            60 + (s as usize * 13) % 1800
                        },
                    )
                })
                .collect();
            for f in &sent {
                send(f);
            }
            let mut got = Vec::new();
            let deadline = Instant::now() + Duration::from_secs(10);
            while got.len() < sent.len() && Instant::now() < deadline {
                match dev.recv(&mut batch) {
                    Ok(n) if n > 0 => {
                        got.extend(batch.iter().map(|b| b.data().to_vec()));
                    }
                    _ => std::thread::sleep(Duration::from_millis(1)),
                }
            }
            (sent, got, ring)
        })
        .join()
        .expect("test thread");
        assert!(ring, "no receive ring");
        // Only our frames: anything else (none expected) would break the order check.
        let got: Vec<&Vec<u8>> = got
            .iter()
            .filter(|f| f.windows(2).any(|w| w == [0x88, 0xb5]))
            .collect();
        assert_eq!(got.len(), sent.len(), "frames lost");
        for (i, (s, g)) in sent.iter().zip(got).enumerate() {
            assert_eq!(s, g, "frame {i} differs or is out of order");
        }
    }
}
