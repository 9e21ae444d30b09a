//! Pidfiles, compatible with the reference's: the file holds the pid and a newline
//! and is held under an `fcntl` write lock for the daemon's lifetime. A pidfile that
//! nobody has locked is stale. Because oxvs uses the same kind of lock on the same
//! file, an oxvs daemon and an Open vSwitch daemon refuse to share a pidfile, and
//! each side's `ovs-appctl` finds the other's daemons.
//!
//! `fcntl` locks belong to the process and vanish when *any* descriptor of the file
//! is closed by it, so this module never opens its own pidfile a second time.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::os::unix::io::AsRawFd;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::fatal_signal;
use crate::util::error_text;
use crate::vlog::{self, DAEMON};

/// (dev, ino) of the pidfile this process holds, if any.
static OWN: Mutex<Option<(u64, u64)>> = Mutex::new(None);

/// A pidfile this process holds. It stays locked until the process ends; it is
/// removed by [`Pidfile::remove`], by [`fatal_signal::exit`] and on fatal signals.
#[derive(Debug)]
pub struct Pidfile {
    path: PathBuf,
    /// Holds the lock; never closed while the process runs.
    _file: File,
    dev: u64,
    ino: u64,
    hook: Option<fatal_signal::HookId>,
}

/// Who holds a write lock on `file`, if anyone (F_GETLK).
fn lock_holder(file: &File) -> io::Result<Option<libc::pid_t>> {
    // SAFETY: an all-zero flock is valid input once the fields below are set.
    let mut lck: libc::flock = unsafe { std::mem::zeroed() };
    lck.l_type = libc::F_WRLCK as libc::c_short;
    lck.l_whence = libc::SEEK_SET as libc::c_short;
    lck.l_start = 0;
    lck.l_len = 0;
    // SAFETY: F_GETLK with a valid descriptor and a valid flock pointer.
    if unsafe { libc::fcntl(file.as_raw_fd(), libc::F_GETLK, &mut lck) } != 0 {
        return Err(io::Error::last_os_error());
    }
    if lck.l_type == libc::F_UNLCK as libc::c_short {
        Ok(None)
    } else {
        Ok(Some(lck.l_pid))
    }
}

fn lock(file: &File) -> io::Result<()> {
    // SAFETY: as in lock_holder.
    let mut lck: libc::flock = unsafe { std::mem::zeroed() };
    lck.l_type = libc::F_WRLCK as libc::c_short;
    lck.l_whence = libc::SEEK_SET as libc::c_short;
    // SAFETY: F_SETLK with a valid descriptor and a valid flock pointer.
    if unsafe { libc::fcntl(file.as_raw_fd(), libc::F_SETLK, &lck) } != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// Creates and locks `path` holding this process's pid. Unless `overwrite`, fails
/// with "PATH: already running as pid N, aborting" while another process holds it.
/// The file is written as `PATH.tmp` and renamed into place, so readers never see
/// it half-written.
pub fn create(path: &Path, overwrite: bool) -> Result<Pidfile, String> {
    if !overwrite {
        check_not_running(path)?;
    }
    let mut tmp = path.as_os_str().to_os_string();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    let _ = std::fs::remove_file(&tmp);
    let mut file = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o644)
        .open(&tmp)
        .map_err(|e| format!("{}: create failed ({})", tmp.display(), error_text(&e)))?;
    lock(&file).map_err(|e| {
        format!(
            "{}: fcntl(F_SETLK) failed ({})",
            tmp.display(),
            error_text(&e)
        )
    })?;
    file.write_all(format!("{}\n", std::process::id()).as_bytes())
        .map_err(|e| format!("{}: write failed ({})", tmp.display(), error_text(&e)))?;
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        format!(
            "failed to rename \"{}\" to \"{}\" ({})",
            tmp.display(),
            path.display(),
            error_text(&e)
        )
    })?;
    let meta = file
        .metadata()
        .map_err(|e| format!("{}: stat failed ({})", path.display(), error_text(&e)))?;
    let (dev, ino) = (meta.dev(), meta.ino());
    *OWN.lock().unwrap_or_else(|p| p.into_inner()) = Some((dev, ino));
    let hook_path = path.to_path_buf();
    let hook = fatal_signal::add_hook(move || remove_if_ours(&hook_path, dev, ino));
    Ok(Pidfile {
        path: path.to_path_buf(),
        _file: file,
        dev,
        ino,
        hook: Some(hook),
    })
}

fn check_not_running(path: &Path) -> Result<(), String> {
    let file = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => {
            return Err(format!(
                "{}: pidfile check failed ({}), aborting",
                path.display(),
                error_text(&e)
            ))
        }
    };
    match lock_holder(&file) {
        // Stale: whoever wrote it is gone; the rename below replaces it.
        Ok(None) => Ok(()),
        Ok(Some(pid)) => Err(format!(
            "{}: already running as pid {pid}, aborting",
            path.display()
        )),
        Err(e) => Err(format!(
            "{}: pidfile check failed ({}), aborting",
            path.display(),
            error_text(&e)
        )),
    }
}

fn remove_if_ours(path: &Path, dev: u64, ino: u64) {
    if let Ok(m) = std::fs::metadata(path) {
        if (m.dev(), m.ino()) == (dev, ino) {
            let _ = std::fs::remove_file(path);
        }
    }
}

impl Pidfile {
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Removes the file (if it is still ours: `--overwrite-pidfile` may have let
    /// another process replace it). The lock goes when the process exits.
    pub fn remove(mut self) {
        remove_if_ours(&self.path, self.dev, self.ino);
        if let Some(h) = self.hook.take() {
            fatal_signal::remove_hook(h);
        }
        // Keep the descriptor open (and the lock held) until the process ends:
        // closing it early would let a second instance start while we still run.
        std::mem::forget(self);
    }
}

/// The pid of the process that holds the pidfile at `path`, the way `ovs-appctl`
/// finds a daemon. Fails with ESRCH ("No such process") when nobody holds it.
/// Logs the reasons the reference logs (module `daemon_unix`).
pub fn read_pidfile(path: &Path) -> io::Result<u32> {
    // Opening and closing our own pidfile would drop our lock, so answer from memory.
    let own = *OWN.lock().unwrap_or_else(|p| p.into_inner());
    if let (Some(own), Ok(m)) = (own, std::fs::metadata(path)) {
        if (m.dev(), m.ino()) == own {
            return Ok(std::process::id());
        }
    }
    let mut file = File::open(path).inspect_err(|e| {
        vlog::warn!(DAEMON, "{}: open: {}", path.display(), error_text(e));
    })?;
    let holder = lock_holder(&file).inspect_err(|e| {
        vlog::warn!(DAEMON, "{}: fcntl: {}", path.display(), error_text(e));
    })?;
    let Some(holder) = holder else {
        return Err(io::Error::from_raw_os_error(libc::ESRCH));
    };
    let mut content = String::new();
    file.read_to_string(&mut content).inspect_err(|e| {
        vlog::warn!(DAEMON, "{}: read: {}", path.display(), error_text(e));
    })?;
    let line = content.lines().next().unwrap_or("");
    if content.is_empty() {
        vlog::warn!(DAEMON, "{}: read: unexpected end of file", path.display());
        return Err(io::Error::from_raw_os_error(libc::ESRCH));
    }
    let digits: String = line
        .trim_start()
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    match digits.parse::<u32>() {
        Ok(pid) if i64::from(pid) == i64::from(holder) => Ok(pid),
        _ => {
            // The holder is presumably replacing a stale file right now.
            vlog::warn!(
                DAEMON,
                "{}: stale pidfile for pid {line} being deleted by pid {holder}",
                path.display()
            );
            Err(io::Error::from_raw_os_error(libc::ESRCH))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unlocked_and_missing_pidfiles() {
        let dir = std::env::temp_dir().join(format!("oxvs-pidfile-unit-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let stale = dir.join("stale.pid");
        std::fs::write(&stale, "12345\n").unwrap();
        let e = read_pidfile(&stale).unwrap_err();
        assert_eq!(e.raw_os_error(), Some(libc::ESRCH));
        let e = read_pidfile(&dir.join("missing.pid")).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::NotFound);
        // A stale file does not stop a new pidfile.
        let p = create(&stale, false).unwrap();
        assert_eq!(
            std::fs::read_to_string(&stale).unwrap(),
            format!("{}\n", std::process::id())
        );
        // Our own pidfile reads back without dropping the lock.
        assert_eq!(read_pidfile(&stale).unwrap(), std::process::id());
        assert!(!dir.join("stale.pid.tmp").exists());
        p.remove();
        assert!(!stale.exists());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
