//! A cache of freed small blocks in front of the system allocator, for the server's
//! main thread.
//!
//! Profiles of big transactions showed a quarter of the server's instructions in glibc's
//! `malloc` and `free`: a request of thousands of operations parses into hundreds of
//! thousands of small JSON nodes, and glibc's per-thread cache keeps only seven blocks
//! per size, so nearly every allocation takes its slower paths. Here freed blocks of up
//! to [`MAX_SMALL`] bytes go on per-size free lists (one pointer push) and the next
//! allocation of that size pops one. Only a thread that calls [`enable_on_this_thread`]
//! caches (the event loop's thread); others, such as the short-lived unixctl threads,
//! use the system allocator directly, so no cache is ever left behind by an exiting
//! thread. At most [`MAX_CACHED`] bytes are held; beyond that, blocks go back to the
//! system allocator.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::ptr;

/// Size classes are multiples of this (also the largest alignment served from cache).
const GRAIN: usize = 16;
/// Largest cached block.
pub const MAX_SMALL: usize = 1024;
const N_CLASSES: usize = MAX_SMALL / GRAIN;
/// Most bytes held in free lists by one thread.
pub const MAX_CACHED: usize = 64 << 20;

struct Cache {
    enabled: Cell<bool>,
    heads: [Cell<*mut u8>; N_CLASSES],
    bytes: Cell<usize>,
}

thread_local! {
    // Constant-initialized and without a destructor, so the allocator may use it at
    // any time, including while a thread starts or ends.
    static CACHE: Cache = const {
        Cache {
            enabled: Cell::new(false),
            heads: [const { Cell::new(ptr::null_mut()) }; N_CLASSES],
            bytes: Cell::new(0),
        }
    };
}

/// Turns caching on for the calling thread.
pub fn enable_on_this_thread() {
    let _ = CACHE.try_with(|c| c.enabled.set(true));
}

/// The system allocator with a small-block cache; see the module documentation.
pub struct BlockCache;

/// The size class of a layout served from cache, if it is one.
fn class_of(layout: &Layout) -> Option<usize> {
    let size = layout.size();
    (size != 0 && size <= MAX_SMALL && layout.align() <= GRAIN).then(|| (size - 1) / GRAIN)
}

/// The size actually allocated for a class, so that any block of the class fits any
/// request of the class.
fn class_size(class: usize) -> usize {
    (class + 1) * GRAIN
}

unsafe impl GlobalAlloc for BlockCache {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let Some(class) = class_of(&layout) else {
            // SAFETY: forwarded unchanged.
            return unsafe { System.alloc(layout) };
        };
        let cached = CACHE
            .try_with(|c| {
                let head = c.heads[class].get();
                if head.is_null() {
                    return head;
                }
                // SAFETY: every block on a free list was written by `dealloc` below with
                // the next block's address in its first word (blocks are at least 16
                // bytes and 16-aligned).
                let next = unsafe { head.cast::<*mut u8>().read() };
                c.heads[class].set(next);
                c.bytes.set(c.bytes.get() - class_size(class));
                head
            })
            .unwrap_or(ptr::null_mut());
        if !cached.is_null() {
            return cached;
        }
        // SAFETY: a valid, non-zero size with an alignment of at most 16.
        unsafe { System.alloc(Layout::from_size_align_unchecked(class_size(class), GRAIN)) }
    }

    unsafe fn dealloc(&self, block: *mut u8, layout: Layout) {
        let Some(class) = class_of(&layout) else {
            // SAFETY: allocated by `System` with this layout (see `alloc`).
            return unsafe { System.dealloc(block, layout) };
        };
        let size = class_size(class);
        let kept = CACHE
            .try_with(|c| {
                if !c.enabled.get() || c.bytes.get() + size > MAX_CACHED {
                    return false;
                }
                // SAFETY: the block is ours again and at least one pointer long.
                unsafe { block.cast::<*mut u8>().write(c.heads[class].get()) };
                c.heads[class].set(block);
                c.bytes.set(c.bytes.get() + size);
                true
            })
            .unwrap_or(false);
        if !kept {
            // SAFETY: small blocks come from `System` with the class layout.
            unsafe { System.dealloc(block, Layout::from_size_align_unchecked(size, GRAIN)) }
        }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if class_of(&layout).is_none() {
            // SAFETY: forwarded unchanged.
            return unsafe { System.alloc_zeroed(layout) };
        }
        // SAFETY: as `alloc`; the block is then cleared.
        let block = unsafe { self.alloc(layout) };
        if !block.is_null() {
            // SAFETY: the block has at least `layout.size()` bytes.
            unsafe { ptr::write_bytes(block, 0, layout.size()) };
        }
        block
    }

    unsafe fn realloc(&self, block: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY (for the layout below): `GlobalAlloc::realloc` guarantees that the new
        // size, rounded up to the alignment, does not overflow.
        let new_layout = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        match (class_of(&layout), class_of(&new_layout)) {
            // The block already has room.
            (Some(old), Some(new)) if old == new => block,
            // SAFETY: neither is cached: the system allocator owns both ends.
            (None, None) => unsafe { System.realloc(block, layout, new_size) },
            _ => {
                // SAFETY: a fresh block, a copy of what both hold, then the old one freed
                // through the same allocator that made it.
                unsafe {
                    let fresh = self.alloc(new_layout);
                    if !fresh.is_null() {
                        ptr::copy_nonoverlapping(block, fresh, layout.size().min(new_size));
                        self.dealloc(block, layout);
                    }
                    fresh
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout(size: usize, align: usize) -> Layout {
        Layout::from_size_align(size, align).unwrap()
    }

    #[test]
    fn freed_small_blocks_are_reused_on_an_enabled_thread_only() {
        let a = BlockCache;
        std::thread::spawn(move || {
            unsafe {
                // Not enabled: nothing is kept.
                let p = a.alloc(layout(40, 8));
                a.dealloc(p, layout(40, 8));
                assert_eq!(CACHE.with(|c| c.bytes.get()), 0);

                enable_on_this_thread();
                let p = a.alloc(layout(40, 8));
                p.write_bytes(0xab, 40);
                a.dealloc(p, layout(40, 8));
                assert_eq!(CACHE.with(|c| c.bytes.get()), 48);
                // Same class (33..48 bytes): the same block comes back.
                let q = a.alloc(layout(33, 1));
                assert_eq!(q, p);
                assert_eq!(CACHE.with(|c| c.bytes.get()), 0);
                a.dealloc(q, layout(33, 1));
                // Other classes, big blocks and big alignments are not served from it.
                let r = a.alloc(layout(64, 8));
                assert_ne!(r, p);
                a.dealloc(r, layout(64, 8));
                let big = a.alloc(layout(MAX_SMALL + 1, 8));
                a.dealloc(big, layout(MAX_SMALL + 1, 8));
                let aligned = a.alloc(layout(32, 64));
                assert_eq!(aligned as usize % 64, 0);
                a.dealloc(aligned, layout(32, 64));
                assert_eq!(CACHE.with(|c| c.bytes.get()), 48 + 64);
            }
        })
        .join()
        .unwrap();
    }

    #[test]
    fn realloc_keeps_contents_across_classes_and_sizes() {
        let a = BlockCache;
        std::thread::spawn(move || unsafe {
            enable_on_this_thread();
            let mut size = 1;
            let mut p = a.alloc(layout(size, 1));
            p.write(0);
            // Grow byte by byte through every class and beyond the cached sizes, then
            // shrink back, checking the contents at each step.
            for new in (2..3000).chain((1..3000).rev()) {
                p = a.realloc(p, layout(size, 1), new);
                assert!(!p.is_null());
                for i in 0..size.min(new) {
                    assert_eq!(*p.add(i), (i % 251) as u8, "at {i} after {size} -> {new}");
                }
                for i in size.min(new)..new {
                    *p.add(i) = (i % 251) as u8;
                }
                size = new;
            }
            a.dealloc(p, layout(size, 1));
            let z = a.alloc_zeroed(layout(100, 8));
            assert!((0..100).all(|i| *z.add(i) == 0));
            a.dealloc(z, layout(100, 8));
        })
        .join()
        .unwrap();
    }

    #[test]
    fn the_cache_is_bounded() {
        let a = BlockCache;
        std::thread::spawn(move || unsafe {
            enable_on_this_thread();
            let l = layout(MAX_SMALL, 16);
            let blocks: Vec<*mut u8> = (0..MAX_CACHED / MAX_SMALL + 100)
                .map(|_| a.alloc(l))
                .collect();
            for b in blocks {
                a.dealloc(b, l);
            }
            assert_eq!(CACHE.with(|c| c.bytes.get()), MAX_CACHED);
        })
        .join()
        .unwrap();
    }
}
