//! The `tap` provider, also used for `internal` ports of the userspace datapath
//! (the bridge's own port): a TAP device from /dev/net/tun named after the port,
//! existing as long as we hold it open. Frames the host stack transmits on it are
//! what we receive; frames we write are received by the host stack.
//!
//! The device is opened with IFF_VNET_HDR and TUNSETOFFLOAD (checksum, TSO4/6),
//! so the host can hand us partial-checksum and TSO super-packets (carried as
//! `Buffer.offload`) and we can give it the same.
//!
//! Like the reference, opening does not bring the interface up: that is the
//! administrator's (or vswitchd's) decision, see [`Netdev::set_admin_up`].

use std::collections::BTreeMap;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};

use packet::{Batch, Buffer, BATCH_SIZE};

use crate::vnet::{self, VNET_HDR_LEN};
use crate::{afpacket, link_monitor, sys, Duplex, Netdev, NetdevStats};

const TUN_F_CSUM: libc::c_ulong = 0x01;
const TUN_F_TSO4: libc::c_ulong = 0x02;
const TUN_F_TSO6: libc::c_ulong = 0x04;

/// Receive area per frame: a 64 KiB TSO super-packet plus its L2 header.
const RX_AREA: usize = 66 * 1024;

/// An open TAP device.
#[derive(Debug)]
pub struct TapNetdev {
    name: String,
    kind: String,
    fd: OwnedFd,
    ifindex: u32,
    rx_dropped: u64,
    tx_dropped: u64,
}

impl TapNetdev {
    /// Creates the TAP device `name` (or attaches to an existing persistent
    /// one). Fails with EINVAL when a non-TAP device of that name exists and
    /// EBUSY when another process holds it.
    pub fn open(
        kind: &str,
        name: &str,
        _options: &BTreeMap<String, String>,
    ) -> io::Result<TapNetdev> {
        let path = c"/dev/net/tun";
        // SAFETY: `path` is a NUL-terminated string; a non-negative result is a
        // fresh descriptor that we own.
        let raw = sys::cvt(unsafe {
            libc::open(
                path.as_ptr(),
                libc::O_RDWR | libc::O_NONBLOCK | libc::O_CLOEXEC,
            )
        })?;
        // SAFETY: see above.
        let fd = unsafe { OwnedFd::from_raw_fd(raw) };
        let mut ifr = sys::ifreq_for(name)?;
        ifr.ifr_ifru.ifru_flags =
            (libc::IFF_TAP | libc::IFF_NO_PI | libc::IFF_VNET_HDR) as libc::c_short;
        // SAFETY: TUNSETIFF reads and writes only the ifreq we pass, which is
        // live and exclusively borrowed.
        sys::cvt(unsafe {
            libc::ioctl(
                fd.as_raw_fd(),
                libc::TUNSETIFF as _,
                &mut ifr as *mut libc::ifreq,
            )
        })?;
        let hdr_len: libc::c_int = VNET_HDR_LEN as libc::c_int;
        // SAFETY: TUNSETVNETHDRSZ reads one int through the pointer, which is live.
        sys::cvt(unsafe {
            libc::ioctl(
                fd.as_raw_fd(),
                libc::TUNSETVNETHDRSZ as _,
                &hdr_len as *const libc::c_int,
            )
        })?;
        // SAFETY: TUNSETOFFLOAD takes its flags by value; no memory is touched.
        sys::cvt(unsafe {
            libc::ioctl(
                fd.as_raw_fd(),
                libc::TUNSETOFFLOAD as _,
                TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6,
            )
        })?;
        let ifindex = sys::ifindex(name)?;
        Ok(TapNetdev {
            name: name.to_string(),
            kind: kind.to_string(),
            fd,
            ifindex,
            rx_dropped: 0,
            tx_dropped: 0,
        })
    }

    /// Reads one frame into `buf`; Ok(false) when none is waiting.
    fn read_one(&mut self, buf: &mut Buffer) -> io::Result<bool> {
        let mut hdr = [0u8; VNET_HDR_LEN];
        let area = buf.recv_area(RX_AREA);
        let iov = [
            libc::iovec {
                iov_base: hdr.as_mut_ptr().cast(),
                iov_len: VNET_HDR_LEN,
            },
            libc::iovec {
                iov_base: area.as_mut_ptr().cast(),
                iov_len: area.len(),
            },
        ];
        loop {
            // SAFETY: both iovecs point at live, exclusively borrowed memory of
            // the stated lengths (`hdr` and the buffer's receive area).
            let r = unsafe { libc::readv(self.fd.as_raw_fd(), iov.as_ptr(), 2) };
            match sys::cvt_size(r) {
                Ok(n) if n < VNET_HDR_LEN + 14 => {
                    // Shorter than an Ethernet header: count it, keep reading.
                    self.rx_dropped += 1;
                    buf.set_len(0);
                    return Ok(true);
                }
                Ok(n) => {
                    buf.set_len(n - VNET_HDR_LEN);
                    buf.offload = vnet::from_vnet(&hdr);
                    return Ok(true);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(false),
                Err(e) => return Err(e),
            }
        }
    }

    fn write_one(&mut self, frame: &[u8], offload: Option<&packet::Offload>) -> io::Result<()> {
        let mut hdr = vnet::to_vnet(offload);
        let iov = [
            libc::iovec {
                iov_base: hdr.as_mut_ptr().cast(),
                iov_len: VNET_HDR_LEN,
            },
            libc::iovec {
                iov_base: frame.as_ptr() as *mut libc::c_void,
                iov_len: frame.len(),
            },
        ];
        loop {
            // SAFETY: both iovecs point at live memory of the stated lengths; the
            // kernel only reads through them.
            let r = unsafe { libc::writev(self.fd.as_raw_fd(), iov.as_ptr(), 2) };
            match sys::cvt_size(r) {
                Ok(_) => return Ok(()),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                // Full queue, interface down (EIO), or a frame the kernel refuses:
                // drop this frame, keep going.
                Err(e)
                    if matches!(
                        e.raw_os_error(),
                        Some(libc::EAGAIN | libc::EIO | libc::EINVAL | libc::EMSGSIZE)
                    ) =>
                {
                    self.tx_dropped += 1;
                    return Ok(());
                }
                Err(e) => return Err(e),
            }
        }
    }
}

impl Netdev for TapNetdev {
    fn name(&self) -> &str {
        &self.name
    }

    fn kind(&self) -> &str {
        &self.kind
    }

    fn recv(&mut self, batch: &mut Batch) -> io::Result<usize> {
        batch.clear();
        let mut kept = 0;
        {
            let slots = batch.slots_mut();
            while kept < BATCH_SIZE {
                let Some(buf) = slots.get_mut(kept) else {
                    break;
                };
                if !self.read_one(buf)? {
                    break;
                }
                if !buf.is_empty() {
                    kept += 1;
                }
            }
        }
        batch.set_len(kept);
        Ok(kept)
    }

    fn send(&mut self, pkts: &[&[u8]]) -> io::Result<()> {
        for p in pkts {
            self.write_one(p, None)?;
        }
        Ok(())
    }

    fn send_buffers(&mut self, pkts: &[&Buffer]) -> io::Result<()> {
        for b in pkts {
            self.write_one(b.data(), b.offload.as_ref())?;
        }
        Ok(())
    }

    fn accepts_offload(&self) -> bool {
        true
    }

    fn fd(&self) -> Option<RawFd> {
        Some(self.fd.as_raw_fd())
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

    /// The tun driver reports a nominal speed (10 Gbit/s full duplex unless
    /// someone changed it with ethtool), which the reference shows too.
    fn speed_mbps(&self) -> Option<u64> {
        sys::link_settings(&self.name).ok()?.0
    }

    fn duplex(&self) -> Option<Duplex> {
        match sys::link_settings(&self.name).ok()?.1? {
            0 => Some(Duplex::Half),
            _ => Some(Duplex::Full),
        }
    }

    /// The kernel counts from the host's side: its tx is our rx.
    fn stats(&self) -> NetdevStats {
        let mut s = link_monitor::link_stats(self.ifindex)
            .map(NetdevStats::from)
            .unwrap_or_default()
            .swapped();
        s.rx_dropped += self.rx_dropped;
        s.tx_dropped += self.tx_dropped;
        s
    }

    fn status(&self) -> BTreeMap<String, String> {
        afpacket::driver_status(&self.name)
    }
}
