//! Fast random UUIDs for row UUIDs and `_version`s.
//!
//! `Uuid::new_v4` asks the kernel for 16 random bytes on every call, a system call per
//! inserted or modified row. Like the reference (which seeds a generator once and then
//! runs it in user space), we seed a ChaCha20 keystream once per thread from the kernel
//! and cut version-4 UUIDs from it: still unpredictable to clients, and a block of 64
//! bytes makes four UUIDs. A forked child reseeds, so parent and child never hand out
//! the same UUIDs.

use std::cell::RefCell;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Once;
use uuid::{Builder, Uuid};

/// A fresh random (version 4) UUID.
pub fn new_uuid() -> Uuid {
    GENERATOR.with(|g| g.borrow_mut().next())
}

thread_local! {
    static GENERATOR: RefCell<Generator> = RefCell::new(Generator::seeded());
}

/// Bumped in the child after every fork, so that generators notice and reseed.
static FORKS: AtomicU64 = AtomicU64::new(0);
static AT_FORK: Once = Once::new();

extern "C" fn after_fork_in_child() {
    FORKS.fetch_add(1, Ordering::Relaxed);
}

struct Generator {
    key: [u32; 8],
    counter: u64,
    block: [u8; 64],
    /// Bytes of `block` already handed out.
    used: usize,
    forks: u64,
}

impl Generator {
    fn seeded() -> Generator {
        AT_FORK.call_once(|| {
            // SAFETY: registers a handler that only does an atomic increment, which is
            // async-signal-safe as the child side of fork requires.
            unsafe {
                libc::pthread_atfork(None, None, Some(after_fork_in_child));
            }
        });
        let forks = FORKS.load(Ordering::Relaxed);
        let mut seed = [0u8; 32];
        seed[..16].copy_from_slice(Uuid::new_v4().as_bytes());
        seed[16..].copy_from_slice(Uuid::new_v4().as_bytes());
        let mut key = [0u32; 8];
        for (k, chunk) in key.iter_mut().zip(seed.chunks_exact(4)) {
            *k = u32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
        }
        Generator {
            key,
            counter: 0,
            block: [0; 64],
            used: 64,
            forks,
        }
    }

    fn next(&mut self) -> Uuid {
        if self.forks != FORKS.load(Ordering::Relaxed) {
            *self = Generator::seeded();
        }
        if self.used == 64 {
            self.block = chacha20_block(&self.key, self.counter, [0; 3]);
            self.counter += 1;
            self.used = 0;
        }
        let mut bytes = [0u8; 16];
        bytes.copy_from_slice(&self.block[self.used..self.used + 16]);
        self.used += 16;
        Builder::from_random_bytes(bytes).into_uuid()
    }
}

/// The ChaCha20 block function (RFC 8439 section 2.3) with a 64-bit block counter in
/// the first counter word and the nonce's high word.
fn chacha20_block(key: &[u32; 8], counter: u64, nonce: [u32; 3]) -> [u8; 64] {
    let mut input = [0u32; 16];
    input[..4].copy_from_slice(&[0x6170_7865, 0x3320_646e, 0x7962_2d32, 0x6b20_6574]);
    input[4..12].copy_from_slice(key);
    input[12] = counter as u32;
    input[13] = nonce[0] ^ (counter >> 32) as u32;
    input[14] = nonce[1];
    input[15] = nonce[2];
    let mut x = input;
    for _ in 0..10 {
        quarter_round(&mut x, 0, 4, 8, 12);
        quarter_round(&mut x, 1, 5, 9, 13);
        quarter_round(&mut x, 2, 6, 10, 14);
        quarter_round(&mut x, 3, 7, 11, 15);
        quarter_round(&mut x, 0, 5, 10, 15);
        quarter_round(&mut x, 1, 6, 11, 12);
        quarter_round(&mut x, 2, 7, 8, 13);
        quarter_round(&mut x, 3, 4, 9, 14);
    }
    let mut out = [0u8; 64];
    for (i, chunk) in out.chunks_exact_mut(4).enumerate() {
        chunk.copy_from_slice(&x[i].wrapping_add(input[i]).to_le_bytes());
    }
    out
}

fn quarter_round(x: &mut [u32; 16], a: usize, b: usize, c: usize, d: usize) {
    x[a] = x[a].wrapping_add(x[b]);
    x[d] = (x[d] ^ x[a]).rotate_left(16);
    x[c] = x[c].wrapping_add(x[d]);
    x[b] = (x[b] ^ x[c]).rotate_left(12);
    x[a] = x[a].wrapping_add(x[b]);
    x[d] = (x[d] ^ x[a]).rotate_left(8);
    x[c] = x[c].wrapping_add(x[d]);
    x[b] = (x[b] ^ x[c]).rotate_left(7);
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn block_function_matches_rfc_8439() {
        // RFC 8439 section 2.3.2: key 00..1f, nonce 000000090000004a00000000, counter 1.
        let mut key = [0u32; 8];
        for (i, k) in key.iter_mut().enumerate() {
            let b = (i * 4) as u8;
            *k = u32::from_le_bytes([b, b + 1, b + 2, b + 3]);
        }
        let nonce = [0x0900_0000, 0x4a00_0000, 0];
        let out = chacha20_block(&key, 1, nonce);
        let expected = "10f1e7e4d13b5915500fdd1fa32071c4c7d1f4c733c068030422aa9ac3d46c4e\
                        d2826446079faa0914c2d705d98b02a2b5129cd1de164eb9cbd083e8a2503c4e";
        let hex: String = out.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex, expected);
    }

    #[test]
    fn uuids_are_version_4_and_distinct() {
        let mut seen = HashSet::new();
        for _ in 0..10_000 {
            let u = new_uuid();
            assert_eq!(u.get_version_num(), 4);
            assert_eq!(u.get_variant(), uuid::Variant::RFC4122);
            assert!(seen.insert(u));
        }
    }

    #[test]
    fn threads_draw_different_streams() {
        let here: Vec<Uuid> = (0..4).map(|_| new_uuid()).collect();
        let there = std::thread::spawn(|| (0..4).map(|_| new_uuid()).collect::<Vec<_>>())
            .join()
            .unwrap();
        assert!(here.iter().all(|u| !there.contains(u)));
    }
}
