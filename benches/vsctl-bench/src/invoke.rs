//! Runs one `ovs-vsctl` against a server and times it, from just before the process
//! is spawned until the kernel reports it has exited.
//!
//! A client that hangs must not hang the benchmark, so the wait is bounded: the exit
//! is awaited on a pidfd with `poll`, which wakes the moment the process exits (no
//! polling interval to blur the figure) and lets us kill it on the timeout while it
//! is still unreaped, so the pid cannot belong to anyone else.

use std::fs::File;
use std::os::fd::{FromRawFd, OwnedFd};
use std::os::unix::io::AsRawFd;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use ovsdb_bench::server::{self, Server};

/// The grace given beyond the client's own `--timeout` before it is killed.
const GRACE: Duration = Duration::from_secs(2);

/// Runs `vsctl --db=unix:SOCK --timeout=T ARGS...` with the server's directory as its
/// run directory and returns its wall time; fails, with the client's own words, if it
/// exits unsuccessfully or does not finish within `timeout` plus a grace period.
pub fn vsctl(
    vsctl: &Path,
    server: &Server,
    args: &[&str],
    timeout: Duration,
) -> Result<Duration, String> {
    let out_path = server.dir().join("vsctl.stdout");
    let err_path = server.dir().join("vsctl.stderr");
    // Files, not pipes: a client that prints a lot can never block on a full pipe.
    let open =
        |p: &Path| File::create(p).map_err(|e| format!("cannot create {}: {e}", p.display()));
    let (stdout, stderr) = (open(&out_path)?, open(&err_path)?);
    let shown = format!("{} {}", vsctl.display(), args.join(" "));

    let started = Instant::now();
    let mut child = Command::new(vsctl)
        .arg(format!("--db=unix:{}", server.sock().display()))
        // ovs-vsctl's own timeout bounds a run against a hung server.
        .arg(format!("--timeout={}", timeout.as_secs().max(1)))
        .args(args)
        .envs(server::tool_env(server))
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(stderr)
        .spawn()
        .map_err(|e| format!("cannot run {}: {e}", vsctl.display()))?;
    let Some((status, ended)) = wait_bounded(&mut child, timeout + GRACE)? else {
        return Err(format!(
            "`{shown}` did not finish within {} s and was killed",
            (timeout + GRACE).as_secs()
        ));
    };
    if !status.success() {
        let stderr = std::fs::read_to_string(&err_path).unwrap_or_default();
        return Err(format!("`{shown}` failed ({status}): {}", tail(&stderr)));
    }
    Ok(ended - started)
}

/// Waits for `child` to exit, at most `limit`: its status and the moment it exited, or
/// None if it was killed for running too long.
fn wait_bounded(
    child: &mut Child,
    limit: Duration,
) -> Result<Option<(ExitStatus, Instant)>, String> {
    let deadline = Instant::now() + limit;
    let Some(pidfd) = pidfd_open(child.id()) else {
        return wait_polling(child, deadline);
    };
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let mut pfd = libc::pollfd {
            fd: pidfd.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        };
        let ms = libc::c_int::try_from(left.as_millis()).unwrap_or(libc::c_int::MAX);
        // SAFETY: one valid pollfd, owned by this frame, for the duration of the call.
        let n = unsafe { libc::poll(&mut pfd, 1, ms) };
        if n > 0 {
            let ended = Instant::now();
            let status = child
                .wait()
                .map_err(|e| format!("cannot collect the client's exit status: {e}"))?;
            return Ok(Some((status, ended)));
        }
        if n < 0 {
            let e = std::io::Error::last_os_error();
            if e.kind() == std::io::ErrorKind::Interrupted {
                continue;
            }
            return Err(format!("cannot wait for the client: {e}"));
        }
        if Instant::now() >= deadline {
            kill(child);
            return Ok(None);
        }
    }
}

/// A pidfd for our child, or None where the kernel has none (before Linux 5.3).
fn pidfd_open(pid: u32) -> Option<OwnedFd> {
    let pid = libc::pid_t::try_from(pid).ok()?;
    // SAFETY: pidfd_open takes a pid and flags and returns a new descriptor or -1.
    let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) };
    let fd = libc::c_int::try_from(fd).ok().filter(|fd| *fd >= 0)?;
    // SAFETY: the descriptor was just created for us and nothing else owns it.
    Some(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// The fallback without pidfds: checks every 100 µs.
fn wait_polling(
    child: &mut Child,
    deadline: Instant,
) -> Result<Option<(ExitStatus, Instant)>, String> {
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Ok(Some((status, Instant::now()))),
            Ok(None) if Instant::now() >= deadline => {
                kill(child);
                return Ok(None);
            }
            Ok(None) => std::thread::sleep(Duration::from_micros(100)),
            Err(e) => return Err(format!("cannot wait for the client: {e}")),
        }
    }
}

/// Kills and reaps a child that has not been reaped yet (so its pid is still ours).
fn kill(child: &mut Child) {
    let _ = child.kill();
    let _ = child.wait();
}

/// The last lines of a client's stderr, on one line, for an error message.
fn tail(text: &str) -> String {
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let tail = lines[lines.len().saturating_sub(3)..].join(" / ");
    if tail.is_empty() {
        "no message on stderr".into()
    } else {
        tail
    }
}

#[cfg(test)]
mod tests {
    use super::tail;

    #[test]
    fn tail_keeps_the_last_three_lines() {
        assert_eq!(tail("a\n\nb\nc\nd\n"), "b / c / d");
        assert_eq!(tail(""), "no message on stderr");
    }
}
