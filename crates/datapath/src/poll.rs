//! The poll thread: waits (epoll) on every port's receive fd plus an eventfd
//! that control operations use to make it re-read the port list, receives
//! batches and runs them through the pipeline; ports without an fd are
//! polled every few milliseconds. After traffic it stays awake for a while
//! ([`SPIN_BEFORE_SLEEP`]), reading the receive rings' readiness from memory
//! with their ports out of the epoll set, and puts them back before it
//! sleeps. It runs pinned to one CPU by default (`affinity`). Once a second
//! it expires idle megaflows.

use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Weak};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use netdev::RxProbe;
use packet::Batch;

use crate::dp::Datapath;
use crate::execute::Deferred;
use crate::pipeline::Scratch;

/// Batches taken from one ready port before looking at the others.
const MAX_BATCHES_PER_PORT: usize = 4;
/// How often ports without an fd are polled.
const FDLESS_POLL_MS: i32 = 5;
/// After its ports ran dry, how long the thread keeps looking at them
/// (epoll without a timeout) before it sleeps. While it is not asleep, a
/// sender's arriving frame costs the sender no wake-up of this thread (an
/// IPI and a context switch, paid in the sender's softirq): like the
/// reference's poll-mode threads, which never sleep, but only while
/// traffic keeps coming.
const SPIN_BEFORE_SLEEP: Duration = Duration::from_micros(200);
/// While awake, ports with a receive ring are checked in memory every round
/// and left out of the epoll set (see [`Waitset::unwatch_rings`]); the other
/// descriptors (TAP devices, the wake-up eventfd) are looked at this often.
const EPOLL_WHILE_AWAKE: Duration = Duration::from_micros(20);

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

/// epoll data value of the wakeup eventfd.
const WAKEUP: u64 = u64::MAX;

/// The descriptors the thread sleeps on: an epoll set with the wakeup
/// eventfd and every port that has a descriptor. (epoll rather than poll:
/// poll(2) holds a reference to every file it sleeps on, so a port's device
/// closed meanwhile would stay open, and a TAP port re-created at once
/// would find its name busy.)
struct Waitset {
    epoll: Option<OwnedFd>,
    wakeup: RawFd,
    events: [libc::epoll_event; 64],
    /// Every port with a descriptor.
    ports: Vec<u32>,
    /// Ports without a descriptor, visited every round.
    fdless: Vec<u32>,
    /// Ports whose readiness can be read from memory (a receive ring), with
    /// their descriptors and probes.
    rings: Vec<(u32, RawFd, RxProbe)>,
    /// Whether `rings` are in the epoll set (they are while the thread
    /// sleeps, and not while it is awake).
    rings_watched: bool,
}

impl Waitset {
    fn new(wakeup: RawFd) -> Waitset {
        Waitset {
            epoll: None,
            wakeup,
            events: [libc::epoll_event { events: 0, u64: 0 }; 64],
            ports: Vec::new(),
            fdless: Vec::new(),
            rings: Vec::new(),
            rings_watched: true,
        }
    }

    /// A fresh epoll set for the datapath's current ports.
    fn rebuild(&mut self, dp: &Datapath) -> io::Result<()> {
        // SAFETY: plain syscall; the result is checked.
        let fd = unsafe { libc::epoll_create1(libc::EPOLL_CLOEXEC) };
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: a fresh descriptor nobody else owns.
        let epoll = unsafe { OwnedFd::from_raw_fd(fd) };
        add(&epoll, self.wakeup, WAKEUP);
        self.ports.clear();
        self.fdless.clear();
        self.rings.clear();
        let core = dp.lock();
        for (no, p) in &core.ports {
            let Some(dev) = p.netdev.as_ref() else {
                continue;
            };
            match dev.fd() {
                Some(fd) => {
                    add(&epoll, fd, u64::from(*no));
                    self.ports.push(*no);
                    if let Some(probe) = dev.rx_probe() {
                        self.rings.push((*no, fd, probe));
                    }
                }
                None => self.fdless.push(*no),
            }
        }
        self.epoll = Some(epoll);
        self.rings_watched = true;
        Ok(())
    }

    /// Takes the ring ports out of the epoll set while the thread is awake.
    /// Why: a descriptor in an epoll set keeps a callback on its socket's
    /// wait queue, which the kernel runs for every frame received (in the
    /// sender's context) and every frame sent (on completion); profiles of
    /// 64-byte floods put about 5% of the sender's CPU there. Awake, the
    /// thread reads the rings' readiness from memory instead.
    fn unwatch_rings(&mut self) {
        if !self.rings_watched {
            return;
        }
        self.rings_watched = false;
        if let Some(epoll) = self.epoll.as_ref() {
            for (_, fd, _) in &self.rings {
                // SAFETY: plain syscall; a descriptor already gone fails
                // harmlessly.
                unsafe {
                    libc::epoll_ctl(
                        epoll.as_raw_fd(),
                        libc::EPOLL_CTL_DEL,
                        *fd,
                        std::ptr::null_mut(),
                    );
                }
            }
        }
    }

    /// Puts the ring ports back before the thread sleeps. Adding a
    /// descriptor checks it at once, so a frame that arrived since the last
    /// look makes the following wait return at once.
    fn watch_rings(&mut self) {
        if self.rings_watched {
            return;
        }
        self.rings_watched = true;
        if let Some(epoll) = self.epoll.as_ref() {
            for (no, fd, _) in &self.rings {
                add(epoll, *fd, u64::from(*no));
            }
        }
    }

    /// Adds the ring ports that have a frame waiting to `visit`. Takes no
    /// lock: the awake thread calls this in a tight loop, and must not keep
    /// the datapath's lock from the other threads.
    fn ready_rings(&self, visit: &mut Vec<u32>) {
        for (no, _, probe) in &self.rings {
            if probe.ready() && !visit.contains(no) {
                visit.push(*no);
            }
        }
    }

    /// Adds the ports without a descriptor to `visit`.
    fn add_fdless(&self, visit: &mut Vec<u32>) {
        for no in &self.fdless {
            if !visit.contains(no) {
                visit.push(*no);
            }
        }
    }

    /// Waits up to `timeout_ms` (0: just look); adds the ready ports to
    /// `visit` (which holds at most the few ports still busy from the last
    /// round) and drains the wakeup eventfd.
    fn wait(&mut self, timeout_ms: i32, visit: &mut Vec<u32>) {
        let Some(epoll) = self.epoll.as_ref() else {
            return;
        };
        // SAFETY: `events` is a valid writable array of its length.
        let n = unsafe {
            libc::epoll_wait(
                epoll.as_raw_fd(),
                self.events.as_mut_ptr(),
                self.events.len() as i32,
                timeout_ms,
            )
        };
        for ev in self.events.iter().take(n.max(0) as usize) {
            let data = ev.u64;
            if data == WAKEUP {
                let mut v = 0u64;
                // SAFETY: reading 8 bytes into a valid u64 from our eventfd.
                unsafe {
                    libc::read(self.wakeup, (&mut v as *mut u64).cast(), 8);
                }
            } else if let Ok(no) = u32::try_from(data) {
                if !visit.contains(&no) {
                    visit.push(no);
                }
            }
        }
    }
}

/// [`SPIN_BEFORE_SLEEP`], or `OXVS_POLL_SPIN_US` (microseconds) for
/// measuring other values.
fn spin_before_sleep() -> Duration {
    std::env::var("OXVS_POLL_SPIN_US")
        .ok()
        .and_then(|v| v.parse().ok())
        .map_or(SPIN_BEFORE_SLEEP, Duration::from_micros)
}

fn add(epoll: &OwnedFd, fd: RawFd, data: u64) {
    let mut ev = libc::epoll_event {
        events: libc::EPOLLIN as u32,
        u64: data,
    };
    // SAFETY: ev is a valid epoll_event; failures (closed fd) are harmless.
    unsafe {
        libc::epoll_ctl(epoll.as_raw_fd(), libc::EPOLL_CTL_ADD, fd, &mut ev);
    }
}

/// The poll thread's loop. Ports that still had frames after a visit (four
/// full batches) are visited again without sleeping; the others are looked
/// at (epoll with no timeout) in each such round, so a busy port cannot
/// starve them.
fn run(weak: Weak<Datapath>, wakeup: RawFd, stop: Arc<AtomicBool>) {
    // The CPUs the thread may use as started, for the default affinity.
    let allowed = crate::affinity::current().unwrap_or_default();
    let mut seen_cpus_gen = u64::MAX;
    let mut batch = Batch::new();
    let mut scratch = Scratch::new();
    let mut deferred = Deferred::default();
    let mut seen_gen = u64::MAX;
    let mut waitset = Waitset::new(wakeup);
    // Ports to visit this round, and those that still had frames after it.
    let mut visit: Vec<u32> = Vec::with_capacity(64);
    let mut hot: Vec<u32> = Vec::with_capacity(64);
    let mut last_expire = 0u64;
    let spin = spin_before_sleep();
    // When a port last had frames (None: not since the thread last slept).
    let mut last_busy: Option<Instant> = None;
    // When the epoll set was last looked at while awake.
    let mut last_epoll = Instant::now();
    while !stop.load(Ordering::Relaxed) {
        let rebuilt = {
            let Some(dp) = weak.upgrade() else { return };
            let cpus_gen = dp.pmd_cpus_gen.load(Ordering::Relaxed);
            if cpus_gen != seen_cpus_gen {
                seen_cpus_gen = cpus_gen;
                let configured = dp
                    .pmd_cpus
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .clone();
                let cpus = crate::affinity::choose(configured.as_deref(), dp.dp_type(), &allowed);
                // On failure (no usable CPU in the mask) the thread keeps
                // the CPUs it has.
                let _ = crate::affinity::set(&cpus);
            }
            let gen = dp.port_gen.load(Ordering::Relaxed);
            gen != seen_gen && {
                seen_gen = gen;
                if waitset.rebuild(&dp).is_err() {
                    return;
                }
                true
            }
        };
        let mut check_rings = false;
        let now = Instant::now();
        if rebuilt {
            // Visit every port once: frames may have arrived meanwhile.
            visit.clear();
            visit.extend_from_slice(&waitset.ports);
        } else if last_busy.is_some_and(|t| now.saturating_duration_since(t) < spin) {
            // Awake: rings are read from memory, the rest looked at now
            // and then.
            waitset.unwatch_rings();
            check_rings = true;
            if now.saturating_duration_since(last_epoll) >= EPOLL_WHILE_AWAKE {
                last_epoll = now;
                waitset.wait(0, &mut visit);
            }
        } else if visit.is_empty() {
            last_busy = None;
            waitset.watch_rings();
            let timeout = if waitset.fdless.is_empty() {
                1000
            } else {
                FDLESS_POLL_MS
            };
            // Sleep without holding the datapath alive.
            waitset.wait(timeout, &mut visit);
        } else {
            waitset.wait(0, &mut visit);
        }
        waitset.add_fdless(&mut visit);
        if check_rings {
            waitset.ready_rings(&mut visit);
        }
        let Some(dp) = weak.upgrade() else { return };
        hot.clear();
        let mut busy = false;
        for &no in &visit {
            let mut drained = false;
            for _ in 0..MAX_BATCHES_PER_PORT {
                let got = {
                    let mut core = dp.lock();
                    let Some(dev) = core.ports.get_mut(&no).and_then(|p| p.netdev.as_mut()) else {
                        drained = true;
                        break;
                    };
                    match dev.recv(&mut batch) {
                        Ok(n) if n > 0 => {
                            busy = true;
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
                    drained = true;
                    break;
                }
            }
            if !drained {
                hot.push(no);
            }
        }
        std::mem::swap(&mut visit, &mut hot);
        if busy {
            last_busy = Some(Instant::now());
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
