//! Thin, checked wrappers over the Linux calls the providers share: interface
//! ioctls (index, flags, MTU, MAC, ethtool driver info and link settings), eventfds and
//! non-blocking file descriptors. Everything here is control path: allocation and
//! a fresh control socket per call are fine.

use std::ffi::CStr;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};

/// Turns a libc return value into an `io::Result`, reading errno on -1.
pub(crate) fn cvt(r: libc::c_int) -> io::Result<libc::c_int> {
    if r < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(r)
    }
}

/// `cvt` for calls returning `ssize_t`.
pub(crate) fn cvt_size(r: libc::ssize_t) -> io::Result<usize> {
    if r < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(r as usize)
    }
}

/// The C library's text for an error ("No such device"), without Rust's
/// " (os error N)" suffix, as the reference prints it.
pub fn strerror(e: &io::Error) -> String {
    let text = e.to_string();
    match (e.raw_os_error(), text.rfind(" (os error ")) {
        (Some(_), Some(cut)) => text[..cut].to_string(),
        _ => text,
    }
}

/// Creates a socket and takes ownership of its descriptor.
pub(crate) fn socket(
    domain: libc::c_int,
    ty: libc::c_int,
    proto: libc::c_int,
) -> io::Result<OwnedFd> {
    // SAFETY: socket() takes no pointers; a non-negative result is a fresh
    // descriptor nobody else owns, so OwnedFd may close it.
    let fd = cvt(unsafe { libc::socket(domain, ty | libc::SOCK_CLOEXEC, proto) })?;
    // SAFETY: see above: `fd` is valid and exclusively ours.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// Sets an integer-sized (or any plain-data) socket option.
pub(crate) fn setsockopt<T: Copy>(
    fd: RawFd,
    level: libc::c_int,
    name: libc::c_int,
    value: &T,
) -> io::Result<()> {
    // SAFETY: `value` points to size_of::<T>() initialised bytes for the duration
    // of the call; the kernel only reads them.
    cvt(unsafe {
        libc::setsockopt(
            fd,
            level,
            name,
            (value as *const T).cast(),
            std::mem::size_of::<T>() as libc::socklen_t,
        )
    })?;
    Ok(())
}

/// A zeroed `ifreq` naming `name`, or EINVAL-like error when the name cannot be a
/// Linux interface name (empty, too long, or containing NUL or '/').
pub(crate) fn ifreq_for(name: &str) -> io::Result<libc::ifreq> {
    // SAFETY: ifreq is plain old data (arrays, integers, a union of them and a raw
    // pointer); all-zero bytes are a valid value.
    let mut ifr: libc::ifreq = unsafe { std::mem::zeroed() };
    let bytes = name.as_bytes();
    if bytes.is_empty()
        || bytes.len() >= libc::IFNAMSIZ
        || bytes.iter().any(|&b| b == 0 || b == b'/')
    {
        return Err(io::Error::from_raw_os_error(libc::ENODEV));
    }
    for (dst, &src) in ifr.ifr_name.iter_mut().zip(bytes) {
        *dst = src as libc::c_char;
    }
    Ok(ifr)
}

/// Runs one interface ioctl on a throwaway AF_INET datagram socket.
fn ifr_ioctl(request: libc::c_ulong, ifr: &mut libc::ifreq) -> io::Result<()> {
    let sock = socket(libc::AF_INET, libc::SOCK_DGRAM, 0)?;
    // SAFETY: `ifr` is a valid, exclusively borrowed ifreq; every request used in
    // this module reads and/or writes only within that struct (or, for
    // SIOCETHTOOL, through ifru_data which the caller points at a live buffer).
    cvt(unsafe { libc::ioctl(sock.as_raw_fd(), request as _, ifr as *mut libc::ifreq) })?;
    Ok(())
}

/// Interface index of `name` in the current network namespace.
pub fn ifindex(name: &str) -> io::Result<u32> {
    let mut ifr = ifreq_for(name)?;
    ifr_ioctl(libc::SIOCGIFINDEX, &mut ifr)?;
    // SAFETY: SIOCGIFINDEX filled the ifindex member of the union.
    let idx = unsafe { ifr.ifr_ifru.ifru_ifindex };
    Ok(idx as u32)
}

/// Interface flags (IFF_UP, IFF_RUNNING, IFF_PROMISC, ...).
pub fn flags(name: &str) -> io::Result<u32> {
    let mut ifr = ifreq_for(name)?;
    ifr_ioctl(libc::SIOCGIFFLAGS, &mut ifr)?;
    // SAFETY: SIOCGIFFLAGS filled the flags member of the union.
    let f = unsafe { ifr.ifr_ifru.ifru_flags };
    Ok(f as u16 as u32)
}

/// Turns IFF_UP on or off, leaving the other flags alone.
pub fn set_up(name: &str, up: bool) -> io::Result<()> {
    let current = flags(name)?;
    let wanted = if up {
        current | libc::IFF_UP as u32
    } else {
        current & !(libc::IFF_UP as u32)
    };
    if wanted == current {
        return Ok(());
    }
    let mut ifr = ifreq_for(name)?;
    ifr.ifr_ifru.ifru_flags = wanted as u16 as libc::c_short;
    ifr_ioctl(libc::SIOCSIFFLAGS, &mut ifr)
}

/// MTU of `name`.
pub fn mtu(name: &str) -> io::Result<u32> {
    let mut ifr = ifreq_for(name)?;
    ifr_ioctl(libc::SIOCGIFMTU, &mut ifr)?;
    // SAFETY: SIOCGIFMTU filled the mtu member of the union.
    let m = unsafe { ifr.ifr_ifru.ifru_mtu };
    Ok(m as u32)
}

/// Sets the MTU of `name`.
pub fn set_mtu(name: &str, mtu: u32) -> io::Result<()> {
    let mut ifr = ifreq_for(name)?;
    ifr.ifr_ifru.ifru_mtu =
        i32::try_from(mtu).map_err(|_| io::Error::from_raw_os_error(libc::EINVAL))?;
    ifr_ioctl(libc::SIOCSIFMTU, &mut ifr)
}

/// Ethernet address of `name`.
pub fn hwaddr(name: &str) -> io::Result<[u8; 6]> {
    let mut ifr = ifreq_for(name)?;
    ifr_ioctl(libc::SIOCGIFHWADDR, &mut ifr)?;
    // SAFETY: SIOCGIFHWADDR filled the hwaddr (sockaddr) member of the union.
    let sa = unsafe { ifr.ifr_ifru.ifru_hwaddr };
    let mut mac = [0u8; 6];
    for (dst, &src) in mac.iter_mut().zip(sa.sa_data.iter()) {
        *dst = src as u8;
    }
    Ok(mac)
}

/// Sets the Ethernet address of `name`.
pub fn set_hwaddr(name: &str, mac: [u8; 6]) -> io::Result<()> {
    let mut ifr = ifreq_for(name)?;
    // SAFETY: sockaddr is plain data; all-zero is valid.
    let mut sa: libc::sockaddr = unsafe { std::mem::zeroed() };
    sa.sa_family = libc::ARPHRD_ETHER;
    for (dst, &src) in sa.sa_data.iter_mut().zip(mac.iter()) {
        *dst = src as libc::c_char;
    }
    ifr.ifr_ifru.ifru_hwaddr = sa;
    ifr_ioctl(libc::SIOCSIFHWADDR, &mut ifr)
}

const ETHTOOL_GDRVINFO: u32 = 0x0000_0003;

/// `struct ethtool_drvinfo` from <linux/ethtool.h>.
#[repr(C)]
struct EthtoolDrvinfo {
    cmd: u32,
    driver: [u8; 32],
    version: [u8; 32],
    fw_version: [u8; 32],
    bus_info: [u8; 32],
    erom_version: [u8; 32],
    reserved2: [u8; 12],
    n_priv_flags: u32,
    n_stats: u32,
    testinfo_len: u32,
    eedump_len: u32,
    regdump_len: u32,
}

/// Driver facts reported by ETHTOOL_GDRVINFO.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DriverInfo {
    pub driver_name: String,
    pub driver_version: String,
    pub firmware_version: String,
}

fn c_text(bytes: &[u8]) -> String {
    match CStr::from_bytes_until_nul(bytes) {
        Ok(s) => s.to_string_lossy().into_owned(),
        Err(_) => String::from_utf8_lossy(bytes).into_owned(),
    }
}

/// Driver name/version of `name` (ethtool's "-i").
pub fn driver_info(name: &str) -> io::Result<DriverInfo> {
    let mut info = EthtoolDrvinfo {
        cmd: ETHTOOL_GDRVINFO,
        driver: [0; 32],
        version: [0; 32],
        fw_version: [0; 32],
        bus_info: [0; 32],
        erom_version: [0; 32],
        reserved2: [0; 12],
        n_priv_flags: 0,
        n_stats: 0,
        testinfo_len: 0,
        eedump_len: 0,
        regdump_len: 0,
    };
    let mut ifr = ifreq_for(name)?;
    ifr.ifr_ifru.ifru_data = (&mut info as *mut EthtoolDrvinfo).cast();
    // `info` outlives the ioctl, so the kernel writes into live memory of the
    // exact size of struct ethtool_drvinfo.
    ifr_ioctl(libc::SIOCETHTOOL, &mut ifr)?;
    Ok(DriverInfo {
        driver_name: c_text(&info.driver),
        driver_version: c_text(&info.version),
        firmware_version: c_text(&info.fw_version),
    })
}

const ETHTOOL_GSET: u32 = 0x0000_0001;

/// What ETHTOOL_GSET (`struct ethtool_cmd`) says about a link: the mode
/// bitmaps use the kernel's SUPPORTED_*/ADVERTISED_* bits.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EthtoolSettings {
    pub supported: u32,
    pub advertising: u32,
    /// The link partner's advertised modes.
    pub lp_advertising: u32,
    /// Mbit/s; None when the driver says "unknown".
    pub speed_mbps: Option<u64>,
    /// 0 = half, 1 = full; None when unknown.
    pub duplex: Option<u8>,
    /// PORT_TP (0), PORT_FIBRE (3), ...
    pub port: u8,
    pub autoneg: bool,
}

/// Reads a link's settings with ETHTOOL_GSET (what the reference asks for).
///
/// Unlike /sys/class/net, this answers for the network namespace of the
/// calling thread.
pub fn ethtool_settings(name: &str) -> io::Result<EthtoolSettings> {
    // `struct ethtool_cmd` is 44 bytes of u32/u16/u8 fields; u32 words give
    // the right size and alignment. Byte offsets: supported u32 @4,
    // advertising u32 @8, speed u16 @12, duplex u8 @14, port u8 @15,
    // autoneg u8 @18, speed_hi u16 @28, lp_advertising u32 @32.
    let mut cmd = [0u32; 11];
    cmd[0] = ETHTOOL_GSET;
    let mut ifr = ifreq_for(name)?;
    ifr.ifr_ifru.ifru_data = cmd.as_mut_ptr().cast();
    // `cmd` outlives the ioctl and has the size of struct ethtool_cmd.
    ifr_ioctl(libc::SIOCETHTOOL, &mut ifr)?;
    let mut bytes = [0u8; 44];
    for (chunk, w) in bytes.chunks_exact_mut(4).zip(cmd.iter()) {
        chunk.copy_from_slice(&w.to_ne_bytes());
    }
    let u16_at = |i: usize| u16::from_ne_bytes([bytes[i], bytes[i + 1]]);
    let u32_at =
        |i: usize| u32::from_ne_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]);
    let speed = (u32::from(u16_at(28)) << 16) | u32::from(u16_at(12));
    Ok(EthtoolSettings {
        supported: u32_at(4),
        advertising: u32_at(8),
        lp_advertising: u32_at(32),
        speed_mbps: (speed != 0 && speed != u32::MAX && speed != 0xffff)
            .then_some(u64::from(speed)),
        duplex: match bytes[14] {
            d @ (0 | 1) => Some(d),
            _ => None,
        },
        port: bytes[15],
        autoneg: bytes[18] != 0,
    })
}

/// Link speed (Mbit/s) and duplex (0 = half, 1 = full) from ETHTOOL_GSET;
/// None where the driver says "unknown".
pub fn link_settings(name: &str) -> io::Result<(Option<u64>, Option<u8>)> {
    let s = ethtool_settings(name)?;
    Ok((s.speed_mbps, s.duplex))
}

/// An eventfd that poll loops can wait on: readable while signalled.
#[derive(Debug)]
pub struct EventFd {
    fd: OwnedFd,
}

impl EventFd {
    pub fn new() -> io::Result<EventFd> {
        // SAFETY: eventfd takes no pointers; the descriptor is fresh and ours.
        let fd = cvt(unsafe { libc::eventfd(0, libc::EFD_NONBLOCK | libc::EFD_CLOEXEC) })?;
        // SAFETY: as above.
        Ok(EventFd {
            fd: unsafe { OwnedFd::from_raw_fd(fd) },
        })
    }

    /// Makes the fd readable (wakes any poller).
    pub fn signal(&self) {
        let one: u64 = 1;
        // SAFETY: writes 8 bytes from a live u64. EAGAIN (counter saturated) is
        // harmless: the fd is readable already.
        unsafe { libc::write(self.fd.as_raw_fd(), (&one as *const u64).cast(), 8) };
    }

    /// Makes the fd unreadable again.
    pub fn clear(&self) {
        let mut v: u64 = 0;
        // SAFETY: reads at most 8 bytes into a live u64. EAGAIN just means it was
        // not signalled.
        unsafe { libc::read(self.fd.as_raw_fd(), (&mut v as *mut u64).cast(), 8) };
    }

    pub fn raw_fd(&self) -> RawFd {
        self.fd.as_raw_fd()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_facts() {
        assert_eq!(hwaddr("lo").unwrap(), [0; 6]);
        assert!(ifindex("lo").unwrap() >= 1);
        assert!(mtu("lo").unwrap() >= 1500);
        assert!(flags("lo").unwrap() & libc::IFF_LOOPBACK as u32 != 0);
    }

    #[test]
    fn strerror_is_the_c_text() {
        assert_eq!(
            strerror(&io::Error::from_raw_os_error(libc::ENODEV)),
            "No such device"
        );
        assert_eq!(
            strerror(&io::Error::from_raw_os_error(libc::EAFNOSUPPORT)),
            "Address family not supported by protocol"
        );
    }

    #[test]
    fn bad_names_are_no_such_device() {
        for name in ["", "a/b", "0123456789abcdefXYZ"] {
            let e = ifindex(name).unwrap_err();
            assert_eq!(e.raw_os_error(), Some(libc::ENODEV), "{name:?}");
        }
        let e = ifindex("oxvs-nosuch0").unwrap_err();
        assert_eq!(e.raw_os_error(), Some(libc::ENODEV));
    }
}
