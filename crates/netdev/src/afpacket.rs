//! The `system` provider: an AF_PACKET raw socket bound to an existing Linux
//! interface.
//!
//! - promiscuous (PACKET_MR_PROMISC membership, dropped with the socket);
//! - PACKET_AUXDATA: the kernel strips the 802.1Q tag of received frames into
//!   metadata; we put it back in front of the EtherType using the buffer's
//!   headroom, so the datapath sees the frame as it was on the wire;
//! - frames the host itself transmits on the interface (PACKET_OUTGOING) are
//!   ignored, including ours;
//! - PACKET_VNET_HDR on rx and tx: a virtio-net header travels with every frame
//!   so GSO super-packets and partial checksums pass through untouched
//!   (`Buffer.offload`);
//! - batches of up to 32, received from a PACKET_MMAP receive ring (`rxring`,
//!   no system call per batch; frames too big for a ring slot and, when the
//!   ring cannot be set up, every frame come with recvmmsg into the caller's
//!   reusable buffers) and sent through a PACKET_MMAP transmit ring
//!   (`txring`, one syscall per batch), with sendmmsg for GSO super-packets,
//!   frames too big for a ring slot, or when the ring cannot be set up; the
//!   sockets never block.

use std::collections::BTreeMap;
use std::io;
use std::os::fd::{AsRawFd, OwnedFd, RawFd};

use packet::{Batch, Buffer, BATCH_SIZE};

use crate::rxring::{RxRing, TP_STATUS_COPY};
use crate::txring::TxRing;
use crate::vnet::{self, VNET_HDR_LEN};
use crate::{link_monitor, sys, Duplex, Netdev, NetdevStats};

const PACKET_ADD_MEMBERSHIP: libc::c_int = 1;
const PACKET_MR_PROMISC: libc::c_ushort = 1;
const PACKET_STATISTICS: libc::c_int = 6;
const PACKET_AUXDATA: libc::c_int = 8;
const PACKET_VNET_HDR: libc::c_int = 15;
const PACKET_IGNORE_OUTGOING: libc::c_int = 23;
const PACKET_OUTGOING: u8 = 4;
const TP_STATUS_VLAN_VALID: u32 = 1 << 4;
const TP_STATUS_VLAN_TPID_VALID: u32 = 1 << 6;
const ETH_P_ALL: u16 = 0x0003;
const ETH_P_8021Q: u16 = 0x8100;

/// Receive area per frame: a full 64 KiB GSO super-packet plus its L2 header.
pub const RX_AREA: usize = 66 * 1024;

/// Socket buffer sizes asked for (root may exceed rmem_max with *BUFFORCE).
const SOCKET_BUFFER: libc::c_int = 4 << 20;

/// Control-message space per received frame: one cmsghdr (16 bytes) plus
/// `struct tpacket_auxdata` (20 bytes), rounded up; 8-byte aligned as the
/// kernel's CMSG_* arithmetic requires.
#[repr(C, align(8))]
#[derive(Clone, Copy)]
struct CmsgSpace([u8; 64]);

/// `struct tpacket_auxdata` fields we use, decoded from a control message.
struct AuxData {
    status: u32,
    vlan_tci: u16,
    vlan_tpid: u16,
}

/// Finds PACKET_AUXDATA among the control messages in `ctl` (the filled part of
/// one CmsgSpace). Bounds-checked; no unsafe.
fn find_auxdata(ctl: &[u8]) -> Option<AuxData> {
    const HDR: usize = 16; // cmsg_len: usize, cmsg_level: i32, cmsg_type: i32
    let mut off = 0usize;
    while off + HDR <= ctl.len() {
        let len = usize::from_ne_bytes(ctl.get(off..off + 8)?.try_into().ok()?);
        let level = i32::from_ne_bytes(ctl.get(off + 8..off + 12)?.try_into().ok()?);
        let ty = i32::from_ne_bytes(ctl.get(off + 12..off + 16)?.try_into().ok()?);
        if len < HDR {
            return None;
        }
        if level == libc::SOL_PACKET && ty == PACKET_AUXDATA {
            let d = ctl.get(off + HDR..off + len)?;
            let u32_at = |i: usize| -> Option<u32> {
                Some(u32::from_ne_bytes(d.get(i..i + 4)?.try_into().ok()?))
            };
            let u16_at = |i: usize| -> Option<u16> {
                Some(u16::from_ne_bytes(d.get(i..i + 2)?.try_into().ok()?))
            };
            return Some(AuxData {
                status: u32_at(0)?,
                vlan_tci: u16_at(16)?,
                vlan_tpid: u16_at(18)?,
            });
        }
        off += (len + 7) & !7;
    }
    None
}

/// A `system` port.
pub struct SystemNetdev {
    name: String,
    ifindex: u32,
    /// The receive ring (on `sock`, so declared before it: unmapped before
    /// the socket is closed); None when the kernel refused to set one up.
    rx_ring: Option<RxRing>,
    sock: OwnedFd,
    /// Per-slot scratch the kernel fills alongside each frame.
    rx_vnet: [[u8; VNET_HDR_LEN]; BATCH_SIZE],
    rx_ctl: [CmsgSpace; BATCH_SIZE],
    rx_addr: [libc::sockaddr_ll; BATCH_SIZE],
    tx_vnet: [[u8; VNET_HDR_LEN]; BATCH_SIZE],
    /// The transmit ring; None when the kernel refused to set one up.
    tx_ring: Option<TxRing>,
    /// Frames we dropped: truncated on receive, refused or no room on send.
    rx_dropped: u64,
    tx_dropped: u64,
    /// Frames the kernel dropped because our socket queue was full. Reading
    /// PACKET_STATISTICS resets the kernel's counter, so it is accumulated.
    queue_drops: std::cell::Cell<u64>,
}

impl std::fmt::Debug for SystemNetdev {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SystemNetdev")
            .field("name", &self.name)
            .field("ifindex", &self.ifindex)
            .finish()
    }
}

impl SystemNetdev {
    /// Opens the existing interface `name`. Fails with ENODEV when there is none.
    pub fn open(name: &str, _options: &BTreeMap<String, String>) -> io::Result<SystemNetdev> {
        let ifindex = sys::ifindex(name)?;
        // Protocol 0 until bound: no frame from another interface can be queued
        // in between.
        let sock = sys::socket(libc::AF_PACKET, libc::SOCK_RAW | libc::SOCK_NONBLOCK, 0)?;
        let fd = sock.as_raw_fd();
        sys::setsockopt(fd, libc::SOL_PACKET, PACKET_AUXDATA, &1 as &libc::c_int)?;
        sys::setsockopt(fd, libc::SOL_PACKET, PACKET_VNET_HDR, &1 as &libc::c_int)?;
        // Best effort: older kernels lack it; the pkttype check below covers them.
        let _ = sys::setsockopt(
            fd,
            libc::SOL_PACKET,
            PACKET_IGNORE_OUTGOING,
            &1 as &libc::c_int,
        );
        if sys::setsockopt(fd, libc::SOL_SOCKET, libc::SO_RCVBUFFORCE, &SOCKET_BUFFER).is_err() {
            let _ = sys::setsockopt(fd, libc::SOL_SOCKET, libc::SO_RCVBUF, &SOCKET_BUFFER);
        }
        if sys::setsockopt(fd, libc::SOL_SOCKET, libc::SO_SNDBUFFORCE, &SOCKET_BUFFER).is_err() {
            let _ = sys::setsockopt(fd, libc::SOL_SOCKET, libc::SO_SNDBUF, &SOCKET_BUFFER);
        }
        // Best effort, and before binding (so nothing is queued outside the
        // ring): without it every frame comes with recvmmsg.
        let rx_ring = RxRing::open(fd).ok();

        // SAFETY: sockaddr_ll is plain data; zero is valid.
        let mut sll: libc::sockaddr_ll = unsafe { std::mem::zeroed() };
        sll.sll_family = libc::AF_PACKET as u16;
        sll.sll_protocol = ETH_P_ALL.to_be();
        sll.sll_ifindex = ifindex as i32;
        // SAFETY: `sll` is a live sockaddr_ll and we pass its exact size.
        sys::cvt(unsafe {
            libc::bind(
                fd,
                (&sll as *const libc::sockaddr_ll).cast(),
                std::mem::size_of::<libc::sockaddr_ll>() as libc::socklen_t,
            )
        })?;

        // SAFETY: packet_mreq is plain data; zero is valid.
        let mut mreq: libc::packet_mreq = unsafe { std::mem::zeroed() };
        mreq.mr_ifindex = ifindex as i32;
        mreq.mr_type = PACKET_MR_PROMISC;
        sys::setsockopt(fd, libc::SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mreq)?;

        // Best effort: without a ring every frame goes with sendmmsg.
        let tx_ring = TxRing::open(ifindex, SOCKET_BUFFER).ok();
        Ok(SystemNetdev {
            rx_ring,
            tx_ring,
            name: name.to_string(),
            ifindex,
            sock,
            rx_vnet: [[0; VNET_HDR_LEN]; BATCH_SIZE],
            rx_ctl: [CmsgSpace([0; 64]); BATCH_SIZE],
            // SAFETY: sockaddr_ll is plain data; zero is valid.
            rx_addr: unsafe { std::mem::zeroed() },
            tx_vnet: [[0; VNET_HDR_LEN]; BATCH_SIZE],
            rx_dropped: 0,
            tx_dropped: 0,
            queue_drops: std::cell::Cell::new(0),
        })
    }

    /// Whether frames go out through the PACKET_MMAP ring (tests).
    #[cfg(test)]
    pub(crate) fn has_tx_ring(&self) -> bool {
        self.tx_ring.is_some()
    }

    /// Whether frames come in through the PACKET_MMAP ring (tests).
    #[cfg(test)]
    pub(crate) fn has_rx_ring(&self) -> bool {
        self.rx_ring.is_some()
    }

    /// Folds the kernel's socket-queue drop count (reset by every read) into
    /// our running total and returns the total.
    fn collect_queue_drops(&self) -> u64 {
        let mut st = [0u32; 2]; // struct tpacket_stats { tp_packets, tp_drops }
        let mut len = std::mem::size_of_val(&st) as libc::socklen_t;
        // SAFETY: the kernel writes at most `len` bytes into the live `st`.
        let r = unsafe {
            libc::getsockopt(
                self.sock.as_raw_fd(),
                libc::SOL_PACKET,
                PACKET_STATISTICS,
                st.as_mut_ptr().cast(),
                &mut len,
            )
        };
        if r == 0 {
            self.queue_drops
                .set(self.queue_drops.get() + u64::from(st[1]));
        }
        self.queue_drops.get()
    }

    /// Finishes one received frame: vnet header -> offload, tag re-insertion.
    /// Returns false when the frame must be dropped.
    fn finish_rx(buf: &mut Buffer, vnet: &[u8; VNET_HDR_LEN], aux: Option<AuxData>) -> bool {
        buf.offload = vnet::from_vnet(vnet);
        if let Some(aux) = aux {
            if aux.status & TP_STATUS_VLAN_VALID != 0 || aux.vlan_tci != 0 {
                let tpid = if aux.status & TP_STATUS_VLAN_TPID_VALID != 0 {
                    aux.vlan_tpid
                } else {
                    ETH_P_8021Q
                };
                if buf.len() < 12 {
                    return false;
                }
                let gap = buf.insert_gap(12, 4);
                gap[..2].copy_from_slice(&tpid.to_be_bytes());
                gap[2..].copy_from_slice(&aux.vlan_tci.to_be_bytes());
                if let Some(o) = buf.offload.as_mut() {
                    vnet::shift(o, 4);
                }
            }
        }
        true
    }

    /// Reads frames from the socket queue with one recvmmsg into the slots
    /// named by `which` (in order), marking in `ok` those accepted. Returns
    /// how many messages the kernel gave (the first ones of `which`).
    fn recv_queued(
        &mut self,
        slots: &mut [Buffer],
        which: &[usize],
        ok: &mut [bool; BATCH_SIZE],
    ) -> io::Result<usize> {
        // SAFETY: iovec and mmsghdr are plain data; all-zero is valid.
        let mut iov: [[libc::iovec; 2]; BATCH_SIZE] = unsafe { std::mem::zeroed() };
        // SAFETY: as above.
        let mut msgs: [libc::mmsghdr; BATCH_SIZE] = unsafe { std::mem::zeroed() };
        let n = which.len().min(BATCH_SIZE);
        for (j, &i) in which.iter().enumerate().take(n) {
            let Some(buf) = slots.get_mut(i) else {
                return Ok(0);
            };
            let area = buf.recv_area(RX_AREA);
            iov[j][0] = libc::iovec {
                iov_base: self.rx_vnet[j].as_mut_ptr().cast(),
                iov_len: VNET_HDR_LEN,
            };
            iov[j][1] = libc::iovec {
                iov_base: area.as_mut_ptr().cast(),
                iov_len: area.len(),
            };
            let h = &mut msgs[j].msg_hdr;
            h.msg_iov = iov[j].as_mut_ptr();
            h.msg_iovlen = 2;
            h.msg_control = self.rx_ctl[j].0.as_mut_ptr().cast();
            h.msg_controllen = self.rx_ctl[j].0.len();
            h.msg_name = (&mut self.rx_addr[j] as *mut libc::sockaddr_ll).cast();
            h.msg_namelen = std::mem::size_of::<libc::sockaddr_ll>() as libc::socklen_t;
        }
        // SAFETY: every msgs[j] points at live, exclusively borrowed memory of
        // the stated sizes: iovecs in `iov`, the vnet scratch, control space
        // and address in `self`, and the receive area of slot which[j] (valid
        // until the slots are touched again, which happens only after this
        // call; `which` names distinct slots).
        let r = unsafe {
            libc::recvmmsg(
                self.sock.as_raw_fd(),
                msgs.as_mut_ptr(),
                n as libc::c_uint,
                libc::MSG_DONTWAIT | libc::MSG_TRUNC,
                std::ptr::null_mut(),
            )
        };
        let got = match sys::cvt(r) {
            Ok(got) => (got as usize).min(n),
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::Interrupted
                ) =>
            {
                return Ok(0)
            }
            Err(e) => return Err(e),
        };
        for (j, m) in msgs.iter().enumerate().take(got) {
            let i = which[j];
            let h = &m.msg_hdr;
            let total = m.msg_len as usize;
            let outgoing = self.rx_addr[j].sll_pkttype == PACKET_OUTGOING;
            let truncated = h.msg_flags & libc::MSG_TRUNC != 0
                || total < VNET_HDR_LEN
                || total - VNET_HDR_LEN > RX_AREA;
            if outgoing || truncated {
                if truncated {
                    self.rx_dropped += 1;
                }
                continue;
            }
            let ctl_len = h.msg_controllen.min(self.rx_ctl[j].0.len());
            let aux = find_auxdata(&self.rx_ctl[j].0[..ctl_len]);
            let Some(buf) = slots.get_mut(i) else {
                continue;
            };
            buf.set_len(total - VNET_HDR_LEN);
            if Self::finish_rx(buf, &self.rx_vnet[j], aux) {
                ok[i] = true;
            } else {
                self.rx_dropped += 1;
            }
        }
        Ok(got)
    }

    /// Sends frames in order: runs the ring takes go through it (one flush
    /// per run), the others with sendmmsg.
    fn send_frames(
        &mut self,
        frames: &[&[u8]],
        offloads: &[Option<&packet::Offload>],
    ) -> io::Result<()> {
        let n = frames.len();
        let mut i = 0;
        while i < n {
            if let Some(ring) = self.tx_ring.as_mut() {
                let start = i;
                while i < n {
                    let vnet = vnet::to_vnet(offloads.get(i).copied().flatten());
                    if !ring.push(&vnet, frames[i]) {
                        break;
                    }
                    i += 1;
                }
                if i > start {
                    if let Err(e) = ring.flush() {
                        self.tx_dropped += (i - start) as u64;
                        return Err(e);
                    }
                }
            }
            if i < n {
                // The ring refused frames[i]: it and the following frames the
                // ring cannot take go with sendmmsg.
                let start = i;
                i += 1;
                while i < n && i - start < BATCH_SIZE && frames[i].len() > crate::txring::MAX_FRAME
                {
                    i += 1;
                }
                let offs = offloads.get(start..i).unwrap_or(&[]);
                self.send_chunk(&frames[start..i], offs)?;
            }
        }
        Ok(())
    }

    /// Sends up to BATCH_SIZE frames with one sendmmsg per run of successes.
    fn send_chunk(
        &mut self,
        frames: &[&[u8]],
        offloads: &[Option<&packet::Offload>],
    ) -> io::Result<()> {
        let n = frames.len().min(BATCH_SIZE);
        for (i, slot) in self.tx_vnet.iter_mut().take(n).enumerate() {
            *slot = vnet::to_vnet(offloads.get(i).copied().flatten());
        }
        // SAFETY: iovec and mmsghdr are plain data (integers and raw pointers);
        // all-zero is a valid value.
        let mut iov: [[libc::iovec; 2]; BATCH_SIZE] = unsafe { std::mem::zeroed() };
        // SAFETY: as above.
        let mut msgs: [libc::mmsghdr; BATCH_SIZE] = unsafe { std::mem::zeroed() };
        for i in 0..n {
            iov[i][0] = libc::iovec {
                iov_base: self.tx_vnet[i].as_mut_ptr().cast(),
                iov_len: VNET_HDR_LEN,
            };
            iov[i][1] = libc::iovec {
                iov_base: frames[i].as_ptr() as *mut libc::c_void,
                iov_len: frames[i].len(),
            };
            msgs[i].msg_hdr.msg_iov = iov[i].as_mut_ptr();
            msgs[i].msg_hdr.msg_iovlen = 2;
        }
        let mut done = 0usize;
        while done < n {
            // SAFETY: msgs[done..n] point at iovecs in `iov`, which point at
            // `self.tx_vnet` and the caller's frames; all outlive the call, and the
            // kernel only reads through them (send).
            let r = unsafe {
                libc::sendmmsg(
                    self.sock.as_raw_fd(),
                    msgs.as_mut_ptr().add(done),
                    (n - done) as libc::c_uint,
                    0,
                )
            };
            match sys::cvt(r) {
                Ok(sent) => done += sent as usize,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    self.tx_dropped += (n - done) as u64;
                    return Ok(());
                }
                Err(e) if matches!(e.raw_os_error(), Some(libc::EMSGSIZE) | Some(libc::EINVAL)) => {
                    // This one frame is unacceptable (too big, bad offload); skip it.
                    self.tx_dropped += 1;
                    done += 1;
                }
                Err(e) => {
                    self.tx_dropped += (n - done) as u64;
                    return Err(e);
                }
            }
        }
        Ok(())
    }
}

impl Netdev for SystemNetdev {
    fn name(&self) -> &str {
        &self.name
    }

    fn kind(&self) -> &str {
        "system"
    }

    fn recv(&mut self, batch: &mut Batch) -> io::Result<usize> {
        batch.clear();
        let slots = batch.slots_mut();
        let n = slots.len().min(BATCH_SIZE);
        // ok[i]: slot i holds an accepted frame. queued: slots whose frame
        // is to be read from the socket queue (all of them without a ring).
        let mut ok = [false; BATCH_SIZE];
        let mut queued = [0usize; BATCH_SIZE];
        let mut n_queued = 0usize;
        let filled = match self.rx_ring.as_mut() {
            Some(ring) => {
                let mut i = 0usize;
                while i < n {
                    let Some(slot) = ring.peek() else { break };
                    if slot.status & TP_STATUS_COPY != 0 {
                        // Too big for a slot: the whole frame is next in
                        // the socket queue.
                        queued[n_queued] = i;
                        n_queued += 1;
                        i += 1;
                    } else if slot.pkttype == PACKET_OUTGOING {
                    } else if slot.frame.len() != slot.len || slot.frame.is_empty() {
                        self.rx_dropped += 1;
                    } else {
                        let aux = AuxData {
                            status: slot.status,
                            vlan_tci: slot.vlan_tci,
                            vlan_tpid: slot.vlan_tpid,
                        };
                        let buf = &mut slots[i];
                        buf.set_data(slot.frame);
                        if Self::finish_rx(buf, &slot.vnet, Some(aux)) {
                            ok[i] = true;
                            i += 1;
                        } else {
                            self.rx_dropped += 1;
                        }
                    }
                    ring.release();
                }
                i
            }
            None => {
                for (j, q) in queued.iter_mut().enumerate().take(n) {
                    *q = j;
                }
                n_queued = n;
                n
            }
        };
        // An empty ring: look at the socket itself. That reports (and so
        // clears) a pending error such as ENETDOWN while the interface is
        // down, which would otherwise keep the descriptor ready for poll.
        let probe = self.rx_ring.is_some() && filled == 0 && n_queued == 0;
        if probe {
            n_queued = 1;
        }
        let plain = self.rx_ring.is_none() || probe;
        let filled = if n_queued > 0 {
            match self.recv_queued(slots, &queued[..n_queued], &mut ok) {
                Ok(got) if plain => got,
                Ok(got) => {
                    // Frames the ring announced but the queue did not hold.
                    self.rx_dropped += (n_queued - got) as u64;
                    filled
                }
                Err(e) if plain => return Err(e),
                Err(_) => {
                    self.rx_dropped += n_queued as u64;
                    filled
                }
            }
        } else {
            filled
        };

        // Compact the accepted frames to the front of the batch.
        let mut kept = 0usize;
        for (i, &accepted) in ok.iter().enumerate().take(filled.min(n)) {
            if accepted {
                if kept != i {
                    slots.swap(kept, i);
                }
                kept += 1;
            }
        }
        batch.set_len(kept);
        Ok(kept)
    }

    fn send(&mut self, pkts: &[&[u8]]) -> io::Result<()> {
        for chunk in pkts.chunks(BATCH_SIZE) {
            self.send_frames(chunk, &[])?;
        }
        Ok(())
    }

    fn send_buffers(&mut self, pkts: &[&Buffer]) -> io::Result<()> {
        for chunk in pkts.chunks(BATCH_SIZE) {
            let mut frames: [&[u8]; BATCH_SIZE] = [&[]; BATCH_SIZE];
            let mut offs: [Option<&packet::Offload>; BATCH_SIZE] = [None; BATCH_SIZE];
            for (i, b) in chunk.iter().enumerate() {
                frames[i] = b.data();
                offs[i] = b.offload.as_ref();
            }
            self.send_frames(&frames[..chunk.len()], &offs[..chunk.len()])?;
        }
        Ok(())
    }

    fn accepts_offload(&self) -> bool {
        true
    }

    fn fd(&self) -> Option<RawFd> {
        Some(self.sock.as_raw_fd())
    }

    fn rx_probe(&self) -> Option<crate::RxProbe> {
        self.rx_ring.as_ref().map(RxRing::probe)
    }

    fn hwaddr(&self) -> io::Result<[u8; 6]> {
        sys::hwaddr(&self.name)
    }

    fn set_hwaddr(&mut self, mac: [u8; 6]) -> io::Result<()> {
        sys::set_hwaddr(&self.name, mac)
    }

    fn mtu(&self) -> io::Result<u32> {
        sys::mtu(&self.name)
    }

    fn set_mtu(&mut self, mtu: u32) -> io::Result<()> {
        sys::set_mtu(&self.name, mtu)
    }

    fn ifindex(&self) -> Option<u32> {
        Some(self.ifindex)
    }

    fn admin_up(&self) -> bool {
        sys::flags(&self.name).is_ok_and(|f| f & libc::IFF_UP as u32 != 0)
    }

    fn set_admin_up(&mut self, up: bool) -> io::Result<()> {
        sys::set_up(&self.name, up)
    }

    fn carrier(&self) -> bool {
        sys::flags(&self.name).is_ok_and(|f| f & libc::IFF_RUNNING as u32 != 0)
    }

    fn speed_mbps(&self) -> Option<u64> {
        sys::link_settings(&self.name).ok()?.0
    }

    fn duplex(&self) -> Option<Duplex> {
        match sys::link_settings(&self.name).ok()?.1? {
            0 => Some(Duplex::Half),
            _ => Some(Duplex::Full),
        }
    }

    fn stats(&self) -> NetdevStats {
        let mut s: NetdevStats = link_monitor::link_stats(self.ifindex)
            .map(NetdevStats::from)
            .unwrap_or_default();
        s.rx_dropped += self.rx_dropped + self.collect_queue_drops();
        s.tx_dropped += self.tx_dropped;
        s
    }

    fn status(&self) -> BTreeMap<String, String> {
        driver_status(&self.name)
    }
}

/// Interface.status for kernel devices: driver name/version, firmware version.
pub(crate) fn driver_status(name: &str) -> BTreeMap<String, String> {
    let mut m = BTreeMap::new();
    if let Ok(info) = sys::driver_info(name) {
        m.insert("driver_name".to_string(), info.driver_name);
        m.insert("driver_version".to_string(), info.driver_version);
        m.insert("firmware_version".to_string(), info.firmware_version);
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auxdata_parsing_is_bounded() {
        let mut ctl = [0u8; 40];
        ctl[0..8].copy_from_slice(&36usize.to_ne_bytes());
        ctl[8..12].copy_from_slice(&libc::SOL_PACKET.to_ne_bytes());
        ctl[12..16].copy_from_slice(&PACKET_AUXDATA.to_ne_bytes());
        ctl[16..20].copy_from_slice(&TP_STATUS_VLAN_VALID.to_ne_bytes());
        ctl[32..34].copy_from_slice(&0x0064u16.to_ne_bytes());
        ctl[34..36].copy_from_slice(&0x88a8u16.to_ne_bytes());
        let aux = find_auxdata(&ctl).unwrap();
        assert_eq!(
            (aux.status, aux.vlan_tci, aux.vlan_tpid),
            (TP_STATUS_VLAN_VALID, 100, 0x88a8)
        );
        for cut in 0..ctl.len() {
            let _ = find_auxdata(&ctl[..cut]);
        }
        ctl[0..8].copy_from_slice(&1000usize.to_ne_bytes());
        assert!(find_auxdata(&ctl).is_none());
    }
}
