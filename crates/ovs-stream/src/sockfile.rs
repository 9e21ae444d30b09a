//! Unix socket files for `punix:` listeners, and the names accepted
//! connections are known by in logs.
//!
//! Like the reference, binding replaces a socket file left behind by an
//! earlier server, and the file is removed when the listener goes away. Two
//! safety rules the reference lacks: a path that exists but is not a socket is
//! never deleted, and on close the file is removed only if it is still the one
//! this listener created (a newer server may have replaced it).

use std::fs;
use std::io;
use std::net::SocketAddr;
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Removes a leftover socket file at `path` so that `bind` can succeed.
pub(crate) fn remove_stale(path: &Path) -> io::Result<()> {
    match fs::symlink_metadata(path) {
        Ok(md) if md.file_type().is_socket() => match fs::remove_file(path) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        },
        Ok(_) => Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            format!(
                "{}: file exists and is not a socket; not replacing it",
                path.display()
            ),
        )),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
}

/// The socket file a listener created; removed on drop if it is still ours.
/// "Ours" is judged by device and inode number (not times: the daemon may
/// chmod the file). A replacement that recycles the inode number is mistaken
/// for ours, which costs only what the reference does anyway: it removes the
/// file unconditionally.
#[derive(Debug)]
pub(crate) struct SocketFile {
    path: PathBuf,
    dev: u64,
    ino: u64,
}

impl SocketFile {
    /// Records the file just created by `bind` at `path`.
    pub(crate) fn created(path: &Path) -> io::Result<SocketFile> {
        let md = fs::symlink_metadata(path)?;
        Ok(SocketFile {
            path: path.to_path_buf(),
            dev: md.dev(),
            ino: md.ino(),
        })
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for SocketFile {
    fn drop(&mut self) {
        if let Ok(md) = fs::symlink_metadata(&self.path) {
            if md.dev() == self.dev && md.ino() == self.ino {
                // Nothing useful can be done about a failure while closing;
                // the next bind removes the stale file anyway.
                let _ = fs::remove_file(&self.path);
            }
        }
    }
}

static NEXT_UNIX_PEER: AtomicU64 = AtomicU64::new(0);

/// The name of the next accepted Unix connection: `unix#0`, `unix#1`, ...
/// numbered across the whole process, as the reference names them in logs.
pub(crate) fn next_unix_peer_name() -> String {
    format!("unix#{}", NEXT_UNIX_PEER.fetch_add(1, Ordering::Relaxed))
}

/// The name of an accepted TCP connection: `tcp:10.0.0.1:45678`,
/// `tcp:[::1]:45678`.
pub(crate) fn tcp_peer_name(peer: SocketAddr) -> String {
    format!("tcp:{peer}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tcp_peer_names_bracket_ipv6() {
        assert_eq!(
            tcp_peer_name("127.0.0.1:5".parse().unwrap()),
            "tcp:127.0.0.1:5"
        );
        assert_eq!(tcp_peer_name("[::1]:5".parse().unwrap()), "tcp:[::1]:5");
    }

    #[test]
    fn unix_peer_names_count_up() {
        let a = next_unix_peer_name();
        let b = next_unix_peer_name();
        let n = |s: &str| s.strip_prefix("unix#").unwrap().parse::<u64>().unwrap();
        assert!(n(&b) > n(&a), "{a} then {b}");
    }

    #[test]
    fn refuses_to_remove_a_regular_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("not-a-socket");
        fs::write(&path, "data").unwrap();
        let e = remove_stale(&path).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::AlreadyExists);
        assert!(path.exists());
        assert!(remove_stale(&dir.path().join("absent")).is_ok());
    }

    #[test]
    fn drop_leaves_a_replaced_file_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s");
        let first = std::os::unix::net::UnixListener::bind(&path).unwrap();
        let guard = SocketFile::created(&path).unwrap();
        drop(first);
        // Another server's socket file takes its place (made before the old
        // one goes, so it cannot reuse the old inode number).
        let other = dir.path().join("s.new");
        let _second = std::os::unix::net::UnixListener::bind(&other).unwrap();
        fs::rename(&other, &path).unwrap();
        drop(guard);
        assert!(path.exists(), "the newer server's socket was removed");
    }
}
