//! What the PACKET_MMAP receive and transmit rings (`rxring`, `txring`)
//! share: TPACKET_V2 slots of [`FRAME_SIZE`] bytes in 64 KiB blocks, asked
//! for on an AF_PACKET socket and mapped into this process, unmapped when
//! dropped.

use std::io;
use std::os::fd::RawFd;
use std::sync::atomic::AtomicU32;

use crate::sys;

const PACKET_VERSION: libc::c_int = 10;
const TPACKET_V2: libc::c_int = 1;

/// Bytes per slot: an MTU 1500 frame with tags, the virtio-net header and
/// the kernel's slot header fit.
pub(crate) const FRAME_SIZE: usize = 2048;
const BLOCK_SIZE: usize = 64 * 1024;

/// `struct tpacket_req`.
#[repr(C)]
#[derive(Clone, Copy)]
struct TpacketReq {
    block_size: u32,
    block_nr: u32,
    frame_size: u32,
    frame_nr: u32,
}

/// A ring of `frames` slots shared with the kernel.
pub(crate) struct MappedRing {
    map: *mut u8,
    frames: usize,
}

// SAFETY: the mapping is owned by this value alone (no aliases outside it);
// moving it to another thread moves that ownership.
unsafe impl Send for MappedRing {}
// SAFETY: through `&MappedRing` other threads can only read slot statuses
// atomically (`status`) or get a raw slot pointer, whose use is unsafe and
// left to the one owner of the ring's consumer side (`RxRing`, `TxRing`).
unsafe impl Sync for MappedRing {}

impl MappedRing {
    /// Asks for a TPACKET_V2 ring of `frames` slots (a power of two, at
    /// least 32) on
    /// `fd` with socket option `ring` (PACKET_RX_RING or PACKET_TX_RING) and
    /// maps it. If the mapping fails the ring is taken back, so the socket
    /// keeps working without one.
    pub(crate) fn setup(fd: RawFd, ring: libc::c_int, frames: usize) -> io::Result<MappedRing> {
        if !frames.is_power_of_two() || frames * FRAME_SIZE < BLOCK_SIZE {
            return Err(io::Error::from(io::ErrorKind::InvalidInput));
        }
        sys::setsockopt(fd, libc::SOL_PACKET, PACKET_VERSION, &TPACKET_V2)?;
        let req = TpacketReq {
            block_size: BLOCK_SIZE as u32,
            block_nr: (frames * FRAME_SIZE / BLOCK_SIZE) as u32,
            frame_size: FRAME_SIZE as u32,
            frame_nr: frames as u32,
        };
        sys::setsockopt(fd, libc::SOL_PACKET, ring, &req)?;
        // SAFETY: a fresh shared mapping of the ring the kernel just
        // allocated for this socket; the result is checked.
        let map = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                frames * FRAME_SIZE,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_SHARED,
                fd,
                0,
            )
        };
        if map == libc::MAP_FAILED {
            let e = io::Error::last_os_error();
            let none = TpacketReq {
                block_size: 0,
                block_nr: 0,
                frame_size: 0,
                frame_nr: 0,
            };
            let _ = sys::setsockopt(fd, libc::SOL_PACKET, ring, &none);
            return Err(e);
        }
        Ok(MappedRing {
            map: map.cast(),
            frames,
        })
    }

    /// Slots in the ring.
    pub(crate) fn frames(&self) -> usize {
        self.frames
    }

    /// The start of slot `slot % frames`.
    pub(crate) fn slot_ptr(&self, slot: usize) -> *mut u8 {
        // SAFETY: the offset stays inside the mapping: `frames` is a power
        // of two (checked in setup), so the mask reduces the index modulo
        // the ring's slots.
        unsafe { self.map.add((slot & (self.frames - 1)) * FRAME_SIZE) }
    }

    /// Slot `slot`'s `tp_status`, which the kernel updates concurrently.
    pub(crate) fn status(&self, slot: usize) -> &AtomicU32 {
        // SAFETY: the slot's first 4 bytes lie inside the live mapping and
        // are 4-aligned (slots are FRAME_SIZE-aligned in a page-aligned
        // mapping); the kernel writes them concurrently, hence atomic access.
        unsafe { &*(self.slot_ptr(slot) as *const AtomicU32) }
    }
}

impl Drop for MappedRing {
    fn drop(&mut self) {
        // SAFETY: unmapping exactly the mapping created in setup(); slots
        // are only reached through `&self`, so nothing refers to it now.
        unsafe {
            libc::munmap(self.map.cast(), self.frames * FRAME_SIZE);
        }
    }
}
