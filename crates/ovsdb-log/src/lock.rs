//! The database lockfile, compatible with Open vSwitch's.
//!
//! The lock for `dir/conf.db` is an fcntl (POSIX record) write lock on the whole of
//! `dir/.conf.db.~lock~` (a file created with mode 0600 and never removed), where the
//! database path has its symbolic links followed first. Using the same file and the
//! same kind of lock is what makes our processes and the reference's exclude each
//! other.
//!
//! POSIX locks belong to a process, not to a file descriptor: a second lock by the same
//! process succeeds silently, and closing *any* descriptor of the file drops the lock.
//! So this module keeps a registry of the lockfiles this process holds, refuses a second
//! lock with `EDEADLK` before opening anything, and never opens a held lockfile again.

use std::collections::HashSet;
use std::fs::{File, OpenOptions};
use std::io;
use std::os::fd::AsRawFd;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use crate::error::{ErrorKind, LockHolder, LogError};
use crate::fsutil::follow_symlinks;

/// Lockfiles held by this process, by (device, inode).
static HELD: Mutex<Option<HashSet<(u64, u64)>>> = Mutex::new(None);

fn held() -> MutexGuard<'static, Option<HashSet<(u64, u64)>>> {
    // A panic elsewhere while holding the registry leaves it consistent (every update
    // is a single insert or remove), so a poisoned lock is still usable.
    HELD.lock().unwrap_or_else(|e| e.into_inner())
}

/// A held database lock; dropping it releases the lock.
#[derive(Debug)]
pub struct LockFile {
    /// Kept open for as long as the lock is held: closing it releases the lock.
    _file: File,
    path: PathBuf,
    id: (u64, u64),
}

impl LockFile {
    /// Locks the database file `db` (which need not exist yet). Fails with an error
    /// about `db`, as the reference words it; [`LogError::lock_warning`] gives the
    /// accompanying warning, naming the holder's pid.
    pub fn lock(db: &Path) -> Result<LockFile, LogError> {
        let path = lockfile_name(db);
        let fail = |holder, source| {
            LogError::new(
                db,
                ErrorKind::Lock {
                    lockfile: path.clone(),
                    holder,
                    source,
                },
            )
        };
        let mut registry = held();
        let registry = registry.get_or_insert_with(HashSet::new);
        if let Ok(meta) = std::fs::metadata(&path) {
            if registry.contains(&(meta.dev(), meta.ino())) {
                return Err(fail(
                    LockHolder::ThisProcess,
                    io::Error::from_raw_os_error(libc::EDEADLK),
                ));
            }
        }
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600)
            .open(&path)
            .map_err(|e| fail(LockHolder::Unknown, e))?;
        let meta = file.metadata().map_err(|e| fail(LockHolder::Unknown, e))?;
        let id = (meta.dev(), meta.ino());
        if registry.contains(&id) {
            // The name was replaced between stat and open by a link to a file we hold;
            // closing this descriptor would drop our lock, so keep it open for good.
            std::mem::forget(file);
            return Err(fail(
                LockHolder::ThisProcess,
                io::Error::from_raw_os_error(libc::EDEADLK),
            ));
        }
        if let Err(e) = set_write_lock(&file) {
            let holder = match e.raw_os_error() {
                Some(libc::EAGAIN) | Some(libc::EACCES) => {
                    lock_holder(&file).map_or(LockHolder::Unknown, LockHolder::Pid)
                }
                _ => LockHolder::Unknown,
            };
            // fcntl reports a conflict as EACCES on some systems; the reference
            // reports EAGAIN either way.
            let e = if e.raw_os_error() == Some(libc::EACCES) {
                io::Error::from_raw_os_error(libc::EAGAIN)
            } else {
                e
            };
            return Err(fail(holder, e));
        }
        registry.insert(id);
        Ok(LockFile {
            _file: file,
            path,
            id,
        })
    }

    /// The lockfile's path (`<dir>/.<name>.~lock~`).
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for LockFile {
    fn drop(&mut self) {
        // Unregister first: once the descriptor closes, another thread may lock again.
        if let Some(registry) = held().as_mut() {
            registry.remove(&self.id);
        }
        // `self._file` closes right after this, which releases the fcntl lock.
    }
}

/// The lockfile name for database `db`: `.<name>.~lock~` in the directory of the file
/// that `db` finally points to.
pub fn lockfile_name(db: &Path) -> PathBuf {
    let target = follow_symlinks(db);
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let lock = format!(".{name}.~lock~");
    match target.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.join(lock),
        _ => PathBuf::from(lock),
    }
}

fn whole_file_write_lock() -> libc::flock {
    // SAFETY: `flock` is a plain C struct for which all-zero bytes is a valid value.
    let mut fl: libc::flock = unsafe { std::mem::zeroed() };
    fl.l_type = libc::F_WRLCK as libc::c_short;
    fl.l_whence = libc::SEEK_SET as libc::c_short;
    fl.l_start = 0;
    fl.l_len = 0;
    fl
}

fn set_write_lock(file: &File) -> io::Result<()> {
    let fl = whole_file_write_lock();
    // SAFETY: the descriptor is open for the duration of the call and `fl` is a valid
    // `struct flock` that F_SETLK only reads.
    let rc = unsafe { libc::fcntl(file.as_raw_fd(), libc::F_SETLK, &fl) };
    if rc == -1 {
        Err(io::Error::last_os_error())
    } else {
        Ok(())
    }
}

/// The pid holding a conflicting lock, if one is still held.
fn lock_holder(file: &File) -> Option<i32> {
    let mut fl = whole_file_write_lock();
    // SAFETY: as above; F_GETLK writes the conflicting lock's description into `fl`.
    let rc = unsafe { libc::fcntl(file.as_raw_fd(), libc::F_GETLK, &mut fl) };
    (rc != -1 && fl.l_type != libc::F_UNLCK as libc::c_short).then_some(fl.l_pid)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lockfile_names() {
        assert_eq!(lockfile_name(Path::new("t.db")), Path::new(".t.db.~lock~"));
        assert_eq!(
            lockfile_name(Path::new("/nonexistent-oxvs-dir/conf.db")),
            Path::new("/nonexistent-oxvs-dir/.conf.db.~lock~")
        );
        assert_eq!(
            lockfile_name(Path::new("dir/x.db.tmp")),
            Path::new("dir/.x.db.tmp.~lock~")
        );
    }
}
