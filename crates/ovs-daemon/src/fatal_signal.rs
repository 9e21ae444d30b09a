//! What happens when a daemon is told to die: SIGTERM, SIGINT, SIGHUP and SIGALRM
//! are logged ("terminating with signal 15 (Terminated)"), the registered cleanups
//! run (removing the pidfile and the control socket), and the process then dies of
//! the same signal, so that its parent (a shell, the `--monitor` process) sees why.
//!
//! The signal handler only writes the signal number to a pipe; a dedicated thread
//! does the rest, outside signal context, so cleanups may take locks and log.
//! [`exit`] runs the same cleanups for a normal exit.

use std::sync::atomic::{AtomicI32, AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};

use crate::process::signal_name;
use crate::util::{error_text, last_error};
use crate::vlog::{self, FATAL_SIGNAL};

/// The signals that end a daemon cleanly.
pub const FATAL_SIGNALS: [i32; 4] = [libc::SIGTERM, libc::SIGINT, libc::SIGHUP, libc::SIGALRM];

type Hook = Box<dyn Fn() + Send>;

static HOOKS: Mutex<Vec<(u64, Hook)>> = Mutex::new(Vec::new());
static NEXT_HOOK: AtomicU64 = AtomicU64::new(0);
static WRITE_FD: AtomicI32 = AtomicI32::new(-1);
static INIT: OnceLock<Result<(), String>> = OnceLock::new();

/// Identifies a registered cleanup, for [`remove_hook`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HookId(u64);

/// Registers a cleanup to run once, at [`exit`] or on a fatal signal. Keep it
/// quick and self-contained (removing a file is typical).
pub fn add_hook(f: impl Fn() + Send + 'static) -> HookId {
    let id = NEXT_HOOK.fetch_add(1, Ordering::Relaxed);
    HOOKS
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .push((id, Box::new(f)));
    HookId(id)
}

/// Unregisters a cleanup that is no longer needed (its file is already gone).
pub fn remove_hook(id: HookId) {
    HOOKS
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .retain(|(i, _)| *i != id.0);
}

/// Registers removal of `path` at exit.
pub fn unlink_at_exit(path: impl Into<std::path::PathBuf>) -> HookId {
    let path = path.into();
    add_hook(move || {
        let _ = std::fs::remove_file(&path);
    })
}

/// Runs (and forgets) every registered cleanup.
pub fn run_hooks() {
    let hooks = std::mem::take(&mut *HOOKS.lock().unwrap_or_else(|p| p.into_inner()));
    for (_, h) in hooks {
        h();
    }
}

/// Runs the cleanups, then exits with `code`.
pub fn exit(code: i32) -> ! {
    run_hooks();
    std::process::exit(code)
}

extern "C" fn on_signal(sig: libc::c_int) {
    let fd = WRITE_FD.load(Ordering::Relaxed);
    if fd >= 0 {
        let byte = sig as u8;
        // SAFETY: write(2) is async-signal-safe; errno is preserved for the
        // interrupted code.
        unsafe {
            let errno = *libc::__errno_location();
            libc::write(fd, (&byte as *const u8).cast(), 1);
            *libc::__errno_location() = errno;
        }
    }
}

/// Installs the handlers and starts the thread that acts on them (once per
/// process; later calls return the first result). In a daemon, [`crate::Daemon`]
/// calls this after forking; other programs (`ovs-appctl`) call it themselves.
pub fn init() -> Result<(), String> {
    INIT.get_or_init(install).clone()
}

fn install() -> Result<(), String> {
    let mut fds = [0i32; 2];
    // SAFETY: fds has room for the two descriptors pipe2 writes.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return Err(format!("pipe failed ({})", error_text(&last_error())));
    }
    let [read_fd, write_fd] = fds;
    // The handler must never block, even if the watcher falls behind.
    // SAFETY: plain fcntl on a descriptor we own.
    unsafe {
        let flags = libc::fcntl(write_fd, libc::F_GETFL);
        libc::fcntl(write_fd, libc::F_SETFL, flags | libc::O_NONBLOCK);
    }
    WRITE_FD.store(write_fd, Ordering::Relaxed);
    std::thread::Builder::new()
        .name("fatal_signal".into())
        .spawn(move || watch(read_fd))
        .map_err(|e| format!("cannot start the signal thread ({})", error_text(&e)))?;
    for sig in FATAL_SIGNALS {
        // SAFETY: installing a handler that only calls async-signal-safe functions;
        // the sigaction struct is fully initialised.
        let rc = unsafe {
            let mut sa: libc::sigaction = std::mem::zeroed();
            sa.sa_sigaction = on_signal as *const () as libc::sighandler_t;
            sa.sa_flags = libc::SA_RESTART;
            libc::sigemptyset(&mut sa.sa_mask);
            libc::sigaction(sig, &sa, std::ptr::null_mut())
        };
        if rc != 0 {
            return Err(format!(
                "sigaction({sig}) failed ({})",
                error_text(&last_error())
            ));
        }
    }
    Ok(())
}

fn watch(read_fd: i32) {
    let sig = loop {
        let mut byte = 0u8;
        // SAFETY: reading one byte into a local from a descriptor we own.
        let n = unsafe { libc::read(read_fd, (&mut byte as *mut u8).cast(), 1) };
        if n == 1 {
            break i32::from(byte);
        }
        if n < 0 && last_error().kind() == std::io::ErrorKind::Interrupted {
            continue;
        }
        // The pipe cannot close while WRITE_FD holds its other end.
        return;
    };
    vlog::warn!(
        FATAL_SIGNAL,
        "terminating with signal {sig} ({})",
        signal_name(sig)
    );
    run_hooks();
    // Die of the signal itself, so the parent sees what happened.
    // SAFETY: restoring the default action and raising a signal are plain calls.
    unsafe {
        libc::signal(sig, libc::SIG_DFL);
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, sig);
        libc::pthread_sigmask(libc::SIG_UNBLOCK, &set, std::ptr::null_mut());
        libc::raise(sig);
    }
    std::process::exit(128 + sig);
}
