//! Fatal signals and `--timeout`.
//!
//! Like the reference, a SIGTERM, SIGINT, SIGHUP or SIGALRM (from `--timeout`)
//! logs `terminating with signal N (NAME)` and then kills the process with that
//! same signal, so the parent sees the signal in the exit status. The signals are
//! blocked in every thread and taken by one watcher thread with `sigwait`, so no
//! code runs in signal-handler context.

use crate::vlog;

const FATAL_SIGNALS: [libc::c_int; 4] = [libc::SIGTERM, libc::SIGINT, libc::SIGHUP, libc::SIGALRM];

fn fatal_set() -> libc::sigset_t {
    // SAFETY: sigemptyset/sigaddset only write the set we own.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        for sig in FATAL_SIGNALS {
            libc::sigaddset(&mut set, sig);
        }
        set
    }
}

/// Blocks the fatal signals and starts the watcher. Call first thing in `main`,
/// before any other thread exists, so that every thread inherits the mask.
pub fn init() {
    let set = fatal_set();
    // SAFETY: changes only this thread's signal mask.
    unsafe {
        libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
    }
    let spawned = std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || loop {
            let mut sig: libc::c_int = 0;
            // SAFETY: sigwait reads the set and writes `sig`.
            if unsafe { libc::sigwait(&set, &mut sig) } != 0 {
                continue;
            }
            terminate(sig);
        });
    // Without the watcher the signals stay blocked; --timeout then cannot fire,
    // but nothing else is lost, so carry on.
    if spawned.is_err() {
        vlog::warn!(vlog::FATAL_SIGNAL, "could not start the signal watcher");
    }
}

fn signal_name(sig: libc::c_int) -> String {
    // SAFETY: strsignal returns a pointer to a static or thread-local string.
    unsafe {
        let p = libc::strsignal(sig);
        if p.is_null() {
            format!("signal {sig}")
        } else {
            std::ffi::CStr::from_ptr(p).to_string_lossy().into_owned()
        }
    }
}

fn terminate(sig: libc::c_int) -> ! {
    use std::io::Write;
    let _ = std::io::stdout().flush();
    vlog::warn!(
        vlog::FATAL_SIGNAL,
        "terminating with signal {sig} ({})",
        signal_name(sig)
    );
    // SAFETY: restore the default action and deliver the signal to this thread,
    // which has it unblocked, so the default action (termination) happens now.
    unsafe {
        libc::signal(sig, libc::SIG_DFL);
        let mut one: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut one);
        libc::sigaddset(&mut one, sig);
        libc::pthread_sigmask(libc::SIG_UNBLOCK, &one, std::ptr::null_mut());
        libc::raise(sig);
    }
    std::process::exit(128 + sig);
}

/// `--timeout=SECS`: SIGALRM after `secs` seconds.
pub fn set_timeout(secs: u32) {
    // SAFETY: alarm only arms a timer.
    unsafe {
        libc::alarm(secs);
    }
}
