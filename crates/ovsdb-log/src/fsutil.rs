//! File-system helpers: symlink resolution (the lockfile and the atomic replace must
//! act on the file a database name finally points to) and directory fsync (making a
//! create or a rename survive a crash).

use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};

/// How many symbolic links are followed before giving up (and using the last name).
const MAX_SYMLINKS: usize = 10;

/// Follows `path` through symbolic links; a relative target is relative to the
/// link's directory. Stops at the first name that is not a link (or does not exist).
pub(crate) fn follow_symlinks(path: &Path) -> PathBuf {
    let mut path = path.to_path_buf();
    for _ in 0..MAX_SYMLINKS {
        match std::fs::read_link(&path) {
            Ok(target) if target.is_absolute() => path = target,
            Ok(target) => path = parent_dir(&path).join(target),
            Err(_) => break,
        }
    }
    path
}

/// The directory that holds `path` (`.` for a bare file name).
pub(crate) fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    }
}

/// fsyncs the directory containing `path`, so that a file created or renamed there
/// is still there after a crash.
pub(crate) fn fsync_parent_dir(path: &Path) -> io::Result<()> {
    File::open(parent_dir(path))?.sync_all()
}

/// `<path>.tmp`, the name a replacement file is written under.
pub(crate) fn tmp_name(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_os_string();
    name.push(".tmp");
    PathBuf::from(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_link_targets_resolve_against_the_link_directory() {
        let run = testkit::RunDir::new("fsutil_symlinks");
        let dir = run.path();
        let sub = dir.join("sub");
        std::fs::create_dir_all(&sub).unwrap();
        std::fs::write(dir.join("real.db"), "").unwrap();
        let link = sub.join("link.db");
        std::os::unix::fs::symlink("../real.db", &link).unwrap();
        assert_eq!(follow_symlinks(&link), sub.join("../real.db"));
        assert_eq!(follow_symlinks(&dir.join("real.db")), dir.join("real.db"));
    }

    #[test]
    fn names() {
        assert_eq!(parent_dir(Path::new("conf.db")), Path::new("."));
        assert_eq!(parent_dir(Path::new("/a/conf.db")), Path::new("/a"));
        assert_eq!(
            tmp_name(Path::new("/a/conf.db")),
            Path::new("/a/conf.db.tmp")
        );
    }
}
