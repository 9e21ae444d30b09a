//! The poll thread: waits (epoll) on every port's receive fd plus an eventfd
//! that control operations use to make it re-read the port list, receives
//! batches and runs them through the pipeline; ports without an fd are
//! polled every few milliseconds. Once a second it expires idle megaflows.

use std::io;
use std::os::fd::RawFd;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Weak};
use std::thread::JoinHandle;

use packet::Batch;

use crate::dp::Datapath;
use crate::execute::Deferred;
use crate::pipeline::Scratch;

/// epoll data value of the wakeup eventfd.
const WAKEUP: u64 = u64::MAX;
/// Batches taken from one ready port before looking at the others.
const MAX_BATCHES_PER_PORT: usize = 4;
/// How often ports without an fd are polled.
const FDLESS_POLL_MS: i32 = 5;

pub(crate) struct PollThread {
    stop: Arc<AtomicBool>,
    wakeup: RawFd,
    handle: Option<JoinHandle<()>>,
}

/// Nudges the poll thread (ports changed).
pub(crate) fn wake(dp: &Datapath) {
    let guard = dp.poll.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(p) = guard.as_ref() {
        signal(p.wakeup);
    }
}

fn signal(fd: RawFd) {
    let one: u64 = 1;
    // SAFETY: writing 8 bytes from a valid u64 to an eventfd we own.
    unsafe {
        libc::write(fd, (&one as *const u64).cast(), 8);
    }
}

pub(crate) fn start(dp: &Arc<Datapath>) -> io::Result<()> {
    let mut guard = dp.poll.lock().unwrap_or_else(|e| e.into_inner());
    if guard.is_some() {
        return Ok(());
    }
    // SAFETY: plain syscall; the result is checked.
    let wakeup = unsafe { libc::eventfd(0, libc::EFD_NONBLOCK | libc::EFD_CLOEXEC) };
    if wakeup < 0 {
        return Err(io::Error::last_os_error());
    }
    let stop = Arc::new(AtomicBool::new(false));
    let weak = Arc::downgrade(dp);
    let stop2 = stop.clone();
    let handle = std::thread::Builder::new()
        .name(format!("pmd-{}", dp.name()))
        .spawn(move || run(weak, wakeup, stop2))?;
    *guard = Some(PollThread {
        stop,
        wakeup,
        handle: Some(handle),
    });
    Ok(())
}

pub(crate) fn stop(dp: &Datapath) {
    let taken = dp.poll.lock().unwrap_or_else(|e| e.into_inner()).take();
    if let Some(mut p) = taken {
        p.stop.store(true, Ordering::Relaxed);
        signal(p.wakeup);
        if let Some(h) = p.handle.take() {
            if h.thread().id() != std::thread::current().id() {
                let _ = h.join();
            }
        }
        // SAFETY: the thread is gone (or is us, about to return); we own the fd.
        unsafe {
            libc::close(p.wakeup);
        }
    }
}

struct Epoll(RawFd);

impl Epoll {
    fn new() -> io::Result<Epoll> {
        // SAFETY: plain syscall; the result is checked.
        let fd = unsafe { libc::epoll_create1(libc::EPOLL_CLOEXEC) };
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(Epoll(fd))
    }

    fn add(&self, fd: RawFd, data: u64) {
        let mut ev = libc::epoll_event {
            events: libc::EPOLLIN as u32,
            u64: data,
        };
        // SAFETY: ev is a valid epoll_event; failures (closed fd) are harmless.
        unsafe {
            libc::epoll_ctl(self.0, libc::EPOLL_CTL_ADD, fd, &mut ev);
        }
    }

    fn wait(&self, events: &mut [libc::epoll_event], timeout_ms: i32) -> usize {
        // SAFETY: events is a valid writable array of its length.
        let n = unsafe {
            libc::epoll_wait(self.0, events.as_mut_ptr(), events.len() as i32, timeout_ms)
        };
        n.max(0) as usize
    }
}

impl Drop for Epoll {
    fn drop(&mut self) {
        // SAFETY: we own the fd.
        unsafe {
            libc::close(self.0);
        }
    }
}

fn run(weak: Weak<Datapath>, wakeup: RawFd, stop: Arc<AtomicBool>) {
    let mut batch = Batch::new();
    let mut scratch = Scratch::new();
    let mut deferred = Deferred::default();
    let mut events = [libc::epoll_event { events: 0, u64: 0 }; 64];
    let mut seen_gen = u64::MAX;
    let mut epoll: Option<Epoll> = None;
    let mut fdless: Vec<u32> = Vec::new();
    let mut ready: Vec<u32> = Vec::with_capacity(64);
    let mut last_expire = 0u64;
    while !stop.load(Ordering::Relaxed) {
        {
            let Some(dp) = weak.upgrade() else { return };
            let gen = dp.port_gen.load(Ordering::Relaxed);
            if gen != seen_gen || epoll.is_none() {
                seen_gen = gen;
                let Ok(ep) = Epoll::new() else { return };
                ep.add(wakeup, WAKEUP);
                fdless.clear();
                let core = dp.lock();
                for (no, p) in &core.ports {
                    match p.netdev.as_ref().map(|d| d.fd()) {
                        Some(Some(fd)) => ep.add(fd, u64::from(*no)),
                        Some(None) => fdless.push(*no),
                        None => {}
                    }
                }
                drop(core);
                epoll = Some(ep);
            }
        }
        let Some(ep) = epoll.as_ref() else { return };
        let timeout = if fdless.is_empty() {
            1000
        } else {
            FDLESS_POLL_MS
        };
        // Sleep without holding the datapath alive.
        let n = ep.wait(&mut events, timeout);
        let Some(dp) = weak.upgrade() else { return };
        ready.clear();
        for ev in events.iter().take(n) {
            let data = ev.u64;
            if data == WAKEUP {
                let mut v = 0u64;
                // SAFETY: reading 8 bytes into a valid u64 from our eventfd.
                unsafe {
                    libc::read(wakeup, (&mut v as *mut u64).cast(), 8);
                }
            } else if let Ok(no) = u32::try_from(data) {
                ready.push(no);
            }
        }
        ready.extend_from_slice(&fdless);
        for &no in &ready {
            for _ in 0..MAX_BATCHES_PER_PORT {
                let got = {
                    let mut core = dp.lock();
                    let Some(dev) = core.ports.get_mut(&no).and_then(|p| p.netdev.as_mut()) else {
                        break;
                    };
                    match dev.recv(&mut batch) {
                        Ok(n) if n > 0 => {
                            let now = dp.now_ms();
                            core.process_batch(no, &mut batch, &mut scratch, &mut deferred, now);
                            true
                        }
                        _ => false,
                    }
                };
                if !deferred.is_empty() {
                    dp.finish(&mut deferred);
                }
                if !got || batch.len() < packet::BATCH_SIZE {
                    break;
                }
            }
        }
        let now = dp.now_ms();
        if now.saturating_sub(last_expire) >= 1000 {
            last_expire = now;
            dp.expire();
            // Busiest megaflow subtables first.
            dp.lock().flows.optimize();
        }
    }
}
