//! Describing how a child process ended, in the reference's words ("exit status 1",
//! "killed (Segmentation fault), core dumped"), as the monitor logs and the detach
//! parent reports it.

use std::ffi::CStr;

/// The signal's description from the C library ("Segmentation fault", "Terminated").
pub fn signal_name(signal: i32) -> String {
    // SAFETY: strsignal returns a pointer to a static or thread-local string that
    // stays valid until the next call on this thread; it is copied at once.
    let p = unsafe { libc::strsignal(signal) };
    if p.is_null() {
        return format!("signal {signal}");
    }
    // SAFETY: non-null pointers from strsignal point to NUL-terminated strings.
    unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned()
}

/// A `waitpid` status as text.
pub fn status_msg(status: i32) -> String {
    if libc::WIFEXITED(status) {
        format!("exit status {}", libc::WEXITSTATUS(status))
    } else if libc::WIFSIGNALED(status) {
        let sig = libc::WTERMSIG(status);
        let mut s = format!("killed ({})", signal_name(sig));
        if libc::WCOREDUMP(status) {
            s.push_str(", core dumped");
        }
        s
    } else if libc::WIFSTOPPED(status) {
        format!("stopped ({})", signal_name(libc::WSTOPSIG(status)))
    } else {
        format!("terminated abnormally ({status:x})")
    }
}

/// Whether a child killed by this status died of a programming error, which is
/// what `--monitor` restarts it for (the list in the reference's manual).
pub fn is_crash(status: i32) -> bool {
    libc::WIFSIGNALED(status)
        && matches!(
            libc::WTERMSIG(status),
            libc::SIGABRT
                | libc::SIGALRM
                | libc::SIGBUS
                | libc::SIGFPE
                | libc::SIGILL
                | libc::SIGPIPE
                | libc::SIGSEGV
                | libc::SIGXCPU
                | libc::SIGXFSZ
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    // Raw wait statuses as the kernel encodes them.
    fn exited(code: i32) -> i32 {
        code << 8
    }
    fn signaled(sig: i32, core: bool) -> i32 {
        sig | if core { 0x80 } else { 0 }
    }

    #[test]
    fn statuses_read_like_the_reference() {
        assert_eq!(status_msg(exited(0)), "exit status 0");
        assert_eq!(status_msg(exited(3)), "exit status 3");
        assert_eq!(
            status_msg(signaled(libc::SIGSEGV, false)),
            "killed (Segmentation fault)"
        );
        assert_eq!(
            status_msg(signaled(libc::SIGABRT, true)),
            "killed (Aborted), core dumped"
        );
        assert_eq!(
            status_msg(signaled(libc::SIGTERM, false)),
            "killed (Terminated)"
        );
    }

    #[test]
    fn only_programming_errors_count_as_crashes() {
        assert!(is_crash(signaled(libc::SIGSEGV, false)));
        assert!(is_crash(signaled(libc::SIGABRT, true)));
        assert!(!is_crash(signaled(libc::SIGTERM, false)));
        assert!(!is_crash(signaled(libc::SIGKILL, false)));
        assert!(!is_crash(exited(1)));
    }
}
