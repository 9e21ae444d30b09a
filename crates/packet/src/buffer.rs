//! Packet buffers: an owned byte buffer with headroom (so pushing VLAN or
//! MPLS headers does not move the payload) that is recycled without
//! reallocating, and batches of up to [`BATCH_SIZE`] of them.

use crate::offload::Offload;

/// Bytes reserved in front of a packet for headers pushed by actions
/// (VLAN, MPLS, a tunnel header later).
pub const DEFAULT_HEADROOM: usize = 128;

/// Payload room a fresh buffer gets: an Ethernet frame at the usual MTU
/// with a few tags.
pub const DEFAULT_ROOM: usize = 2048;

/// Packets per batch, as the reference's userspace datapath.
pub const BATCH_SIZE: usize = 32;

/// One packet: `storage[start..end]` is the packet, `storage[..start]` the
/// headroom.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Buffer {
    storage: Vec<u8>,
    start: usize,
    end: usize,
    /// Offload facts (virtio-net header) travelling with the packet.
    pub offload: Option<Offload>,
}

impl Buffer {
    /// An empty buffer with the default headroom and room.
    pub fn new() -> Buffer {
        Buffer::with_room(DEFAULT_HEADROOM, DEFAULT_ROOM)
    }

    /// An empty buffer with `headroom` bytes in front and `room` bytes of
    /// capacity for the packet.
    pub fn with_room(headroom: usize, room: usize) -> Buffer {
        Buffer {
            storage: vec![0; headroom + room],
            start: headroom,
            end: headroom,
            offload: None,
        }
    }

    /// A buffer holding a copy of `data`, with the default headroom.
    pub fn from_slice(data: &[u8]) -> Buffer {
        let mut b = Buffer::with_room(DEFAULT_HEADROOM, data.len());
        b.set_data(data);
        b
    }

    pub fn data(&self) -> &[u8] {
        self.storage.get(self.start..self.end).unwrap_or(&[])
    }

    pub fn data_mut(&mut self) -> &mut [u8] {
        self.storage
            .get_mut(self.start..self.end)
            .unwrap_or(&mut [])
    }

    pub fn len(&self) -> usize {
        self.end - self.start
    }

    pub fn is_empty(&self) -> bool {
        self.end == self.start
    }

    /// Bytes available in front of the packet without moving it.
    pub fn headroom(&self) -> usize {
        self.start
    }

    /// Empties the buffer for reuse: the default headroom is restored, the
    /// storage kept, offload facts dropped.
    pub fn clear(&mut self) {
        let head = DEFAULT_HEADROOM.min(self.storage.len());
        self.start = head;
        self.end = head;
        self.offload = None;
    }

    /// Replaces the contents with a copy of `data` (reusing the storage when
    /// it is large enough); offload facts are dropped.
    pub fn set_data(&mut self, data: &[u8]) {
        self.clear();
        self.reserve_tail(data.len());
        self.storage[self.start..self.start + data.len()].copy_from_slice(data);
        self.end = self.start + data.len();
    }

    /// Appends `data` at the end of the packet.
    pub fn extend_from_slice(&mut self, data: &[u8]) {
        let len = self.len();
        self.reserve_tail(len + data.len());
        self.storage[self.end..self.end + data.len()].copy_from_slice(data);
        self.end += data.len();
    }

    /// Prepares the buffer to receive a packet of up to `max_len` bytes
    /// directly into its storage (recv, recvmmsg): clears it and returns the
    /// writable area; follow with [`Buffer::set_len`].
    pub fn recv_area(&mut self, max_len: usize) -> &mut [u8] {
        self.clear();
        self.reserve_tail(max_len);
        &mut self.storage[self.start..self.start + max_len]
    }

    /// Sets the packet length after receiving into [`Buffer::recv_area`] (or
    /// shortens the packet); clamped to the storage.
    pub fn set_len(&mut self, len: usize) {
        self.end = (self.start + len).min(self.storage.len());
    }

    /// Shortens the packet to `len` bytes (no effect if it is shorter).
    pub fn truncate(&mut self, len: usize) {
        if len < self.len() {
            self.end = self.start + len;
        }
    }

    /// Makes `n` more bytes at the front of the packet (growing the
    /// headroom if needed, which moves the packet once) and returns them.
    pub fn push_front(&mut self, n: usize) -> &mut [u8] {
        if n > self.start {
            let grow = (n - self.start).max(DEFAULT_HEADROOM);
            let mut s = vec![0; self.storage.len() + grow];
            s[self.start + grow..self.end + grow].copy_from_slice(self.data());
            self.storage = s;
            self.start += grow;
            self.end += grow;
        }
        self.start -= n;
        &mut self.storage[self.start..self.start + n]
    }

    /// Removes `n` bytes from the front of the packet; false (and nothing
    /// removed) if the packet is shorter.
    pub fn pull_front(&mut self, n: usize) -> bool {
        if n > self.len() {
            return false;
        }
        self.start += n;
        true
    }

    /// Inserts `n` zero bytes at offset `at` of the packet by moving the
    /// `at` bytes before it into the headroom (so inserting a tag after the
    /// MAC addresses moves 12 bytes, not the payload). Returns the new bytes.
    /// Offsets past the end are clamped.
    pub fn insert_gap(&mut self, at: usize, n: usize) -> &mut [u8] {
        let at = at.min(self.len());
        self.push_front(n);
        let s = self.start;
        self.storage.copy_within(s + n..s + n + at, s);
        let gap = &mut self.storage[s + at..s + at + n];
        gap.fill(0);
        gap
    }

    /// Removes `n` bytes at offset `at` by moving the `at` bytes before them
    /// forward (the inverse of [`Buffer::insert_gap`]); false if out of range.
    pub fn remove_gap(&mut self, at: usize, n: usize) -> bool {
        if at.checked_add(n).is_none_or(|e| e > self.len()) {
            return false;
        }
        let s = self.start;
        self.storage.copy_within(s..s + at, s + n);
        self.start += n;
        true
    }

    /// Ensures room for a packet of `len` bytes from the current start.
    fn reserve_tail(&mut self, len: usize) {
        let need = self.start + len;
        if need > self.storage.len() {
            self.storage.resize(need, 0);
        }
    }
}

/// Up to [`BATCH_SIZE`] packets; the buffers are kept across [`Batch::clear`]
/// so receiving into a batch again allocates nothing.
#[derive(Clone, Debug, Default)]
pub struct Batch {
    bufs: Vec<Buffer>,
    len: usize,
}

impl Batch {
    pub fn new() -> Batch {
        Batch::default()
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn is_full(&self) -> bool {
        self.len >= BATCH_SIZE
    }

    /// Forgets the packets, keeping their buffers for reuse.
    pub fn clear(&mut self) {
        self.len = 0;
    }

    /// The next free (recycled, cleared) buffer, counted as part of the
    /// batch; None when the batch is full.
    pub fn next_free(&mut self) -> Option<&mut Buffer> {
        if self.is_full() {
            return None;
        }
        if self.bufs.len() == self.len {
            self.bufs.push(Buffer::new());
        }
        let b = &mut self.bufs[self.len];
        b.clear();
        self.len += 1;
        Some(b)
    }

    /// Adds a copy of `data`; false when the batch is full.
    pub fn push_slice(&mut self, data: &[u8]) -> bool {
        match self.next_free() {
            Some(b) => {
                b.set_data(data);
                true
            }
            None => false,
        }
    }

    /// Adds `buf` (moving it in); gives it back when the batch is full.
    pub fn push(&mut self, buf: Buffer) -> Result<(), Buffer> {
        if self.is_full() {
            return Err(buf);
        }
        if self.bufs.len() == self.len {
            self.bufs.push(buf);
        } else {
            self.bufs[self.len] = buf;
        }
        self.len += 1;
        Ok(())
    }

    /// All [`BATCH_SIZE`] buffers (allocated on first use), for receiving a
    /// whole batch at once (recvmmsg); then call [`Batch::set_len`].
    pub fn slots_mut(&mut self) -> &mut [Buffer] {
        while self.bufs.len() < BATCH_SIZE {
            self.bufs.push(Buffer::new());
        }
        &mut self.bufs[..BATCH_SIZE]
    }

    /// Sets how many of the slots hold packets (clamped to the batch size
    /// and to the slots that exist).
    pub fn set_len(&mut self, n: usize) {
        self.len = n.min(BATCH_SIZE).min(self.bufs.len());
    }

    /// Keeps the first `n` packets.
    pub fn truncate(&mut self, n: usize) {
        self.len = self.len.min(n);
    }

    pub fn get(&self, i: usize) -> Option<&Buffer> {
        self.as_slice().get(i)
    }

    pub fn get_mut(&mut self, i: usize) -> Option<&mut Buffer> {
        self.as_mut_slice().get_mut(i)
    }

    pub fn as_slice(&self) -> &[Buffer] {
        &self.bufs[..self.len]
    }

    pub fn as_mut_slice(&mut self) -> &mut [Buffer] {
        &mut self.bufs[..self.len]
    }

    pub fn iter(&self) -> std::slice::Iter<'_, Buffer> {
        self.as_slice().iter()
    }

    pub fn iter_mut(&mut self) -> std::slice::IterMut<'_, Buffer> {
        self.as_mut_slice().iter_mut()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn push_and_pull_use_headroom() {
        let mut b = Buffer::from_slice(&[1, 2, 3]);
        let h = b.headroom();
        b.push_front(2).copy_from_slice(&[8, 9]);
        assert_eq!(b.data(), &[8, 9, 1, 2, 3]);
        assert_eq!(b.headroom(), h - 2);
        assert!(b.pull_front(3));
        assert_eq!(b.data(), &[2, 3]);
        assert!(!b.pull_front(3));
    }

    #[test]
    fn push_front_grows_headroom() {
        let mut b = Buffer::with_room(2, 4);
        b.set_data(&[1, 2, 3, 4]);
        b.push_front(10);
        assert_eq!(&b.data()[10..], &[1, 2, 3, 4]);
    }

    #[test]
    fn gaps() {
        let mut b = Buffer::from_slice(&[1, 2, 3, 4, 5]);
        b.insert_gap(2, 2).copy_from_slice(&[7, 7]);
        assert_eq!(b.data(), &[1, 2, 7, 7, 3, 4, 5]);
        assert!(b.remove_gap(2, 2));
        assert_eq!(b.data(), &[1, 2, 3, 4, 5]);
        assert!(!b.remove_gap(4, 2));
    }

    #[test]
    fn batch_recycles() {
        let mut batch = Batch::new();
        for i in 0..BATCH_SIZE {
            assert!(batch.push_slice(&[i as u8]));
        }
        assert!(!batch.push_slice(&[0]));
        batch.clear();
        assert!(batch.is_empty());
        assert!(batch.push_slice(&[42]));
        assert_eq!(batch.get(0).map(|b| b.data()), Some(&[42u8][..]));
    }
}
