//! SIGSEGV and SIGBUS sent by another process (`kill -SEGV <pid>`) must kill
//! the daemon, as they kill a C daemon, so that `--monitor` sees a crash and
//! restarts it.
//!
//! Why this is needed: the Rust runtime installs handlers for both signals to
//! report stack overflows. Its handler, for a signal that is not a fault in a
//! guard page, resets the action to the default and returns, counting on the
//! faulting instruction to fault again and kill the process. A signal sent
//! with kill() has no faulting instruction: the handler returns and the
//! process carries on (only a second signal would kill it).
//!
//! Our handler tells the two apart by `si_code`: a fault (positive code) goes
//! to the runtime's handler as before (stack-overflow message, then death by
//! the signal); a sent signal (SI_USER, SI_QUEUE, SI_TKILL: zero or negative)
//! restores the default action and raises the signal again, which is delivered
//! as soon as the handler returns.

use std::io;
use std::sync::OnceLock;

/// The signals the runtime handles for stack-overflow detection.
pub const CRASH_SIGNALS: [libc::c_int; 2] = [libc::SIGSEGV, libc::SIGBUS];

/// The runtime's actions, saved before ours replaced them.
struct Saved(libc::sigaction);

// SAFETY: a sigaction is plain data (a handler address, a signal mask, flags),
// written once before our handler is installed and only read afterwards.
unsafe impl Sync for Saved {}
// SAFETY: as above.
unsafe impl Send for Saved {}

static PREVIOUS: [OnceLock<Saved>; 2] = [OnceLock::new(), OnceLock::new()];

fn slot(sig: libc::c_int) -> Option<&'static OnceLock<Saved>> {
    CRASH_SIGNALS
        .iter()
        .position(|&s| s == sig)
        .and_then(|i| PREVIOUS.get(i))
}

/// Hands a fault to the handler that was there before ours; false if there
/// was none worth calling (default or ignore).
///
/// # Safety
/// Called from a signal handler with the kernel's arguments.
unsafe fn chain(sig: libc::c_int, info: *mut libc::siginfo_t, ctx: *mut libc::c_void) -> bool {
    let Some(prev) = slot(sig).and_then(OnceLock::get) else {
        return false;
    };
    let handler = prev.0.sa_sigaction;
    if handler == libc::SIG_DFL || handler == libc::SIG_IGN {
        return false;
    }
    if prev.0.sa_flags & libc::SA_SIGINFO != 0 {
        // SAFETY: with SA_SIGINFO the saved address is a three-argument
        // handler (that is how it was installed).
        let f: extern "C" fn(libc::c_int, *mut libc::siginfo_t, *mut libc::c_void) =
            unsafe { std::mem::transmute(handler) };
        f(sig, info, ctx);
    } else {
        // SAFETY: without SA_SIGINFO the saved address is a one-argument handler.
        let f: extern "C" fn(libc::c_int) = unsafe { std::mem::transmute(handler) };
        f(sig);
    }
    true
}

extern "C" fn on_crash_signal(
    sig: libc::c_int,
    info: *mut libc::siginfo_t,
    ctx: *mut libc::c_void,
) {
    // SAFETY: the kernel passes a valid siginfo to an SA_SIGINFO handler; a
    // null one is treated as "sent".
    let sent = info.is_null() || unsafe { (*info).si_code } <= 0;
    // SAFETY: forwarding the kernel's own arguments from within the handler.
    if !sent && unsafe { chain(sig, info, ctx) } {
        return;
    }
    // Die of the signal: the default action, and the signal again (blocked
    // while we run, delivered as we return). For a fault with no earlier
    // handler, returning faults again under the default action.
    // SAFETY: signal() and raise() are async-signal-safe.
    unsafe {
        libc::signal(sig, libc::SIG_DFL);
        if sent {
            libc::raise(sig);
        }
    }
}

/// Installs the handler (once per process; later calls do nothing).
pub fn init() -> io::Result<()> {
    for sig in CRASH_SIGNALS {
        let Some(slot) = slot(sig) else {
            continue;
        };
        if slot.get().is_some() {
            continue;
        }
        // SAFETY: sigaction structs are plain data; all-zero is valid.
        let mut old: libc::sigaction = unsafe { std::mem::zeroed() };
        // SAFETY: reading the current action into a live struct.
        if unsafe { libc::sigaction(sig, std::ptr::null(), &mut old) } != 0 {
            return Err(io::Error::last_os_error());
        }
        let _ = slot.set(Saved(old));
        // SAFETY: as above.
        let mut new: libc::sigaction = unsafe { std::mem::zeroed() };
        new.sa_sigaction = on_crash_signal as *const () as libc::sighandler_t;
        // SA_ONSTACK: a stack overflow is handled on the runtime's alternate
        // signal stack, as the runtime's own handler is.
        new.sa_flags = libc::SA_SIGINFO | libc::SA_ONSTACK;
        // SAFETY: sa_mask is a live sigset_t.
        unsafe { libc::sigemptyset(&mut new.sa_mask) };
        // SAFETY: installing a handler from a live struct.
        if unsafe { libc::sigaction(sig, &new, std::ptr::null_mut()) } != 0 {
            return Err(io::Error::last_os_error());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Forks a child that installs the handler and then gets `sig` from kill;
    /// returns how the child ended.
    fn child_status_after_kill(sig: libc::c_int) -> i32 {
        // SAFETY: the child only calls async-signal-safe functions and our
        // init (sigaction calls) before being killed or exiting.
        let pid = unsafe { libc::fork() };
        assert!(pid >= 0, "fork failed");
        if pid == 0 {
            let ok = init().is_ok();
            // SAFETY: sending a signal to ourselves.
            unsafe { libc::kill(libc::getpid(), sig) };
            // Still alive: the bug this module fixes.
            unsafe { libc::_exit(if ok { 42 } else { 43 }) };
        }
        let mut status = 0;
        // SAFETY: waiting for our own child with a live status pointer.
        let r = unsafe { libc::waitpid(pid, &mut status, 0) };
        assert_eq!(r, pid);
        status
    }

    #[test]
    fn sent_segv_and_bus_kill_the_process() {
        for sig in CRASH_SIGNALS {
            let status = child_status_after_kill(sig);
            assert!(
                libc::WIFSIGNALED(status) && libc::WTERMSIG(status) == sig,
                "signal {sig}: child ended with status {status:#x}"
            );
        }
    }
}
