//! Per-test temporary directories that play the role of Open vSwitch's run,
//! database, log and configuration directories.

use std::ffi::OsString;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};

/// Set this (to anything) to keep every test's directory after the test, for
/// looking at databases and logs; the path is printed to stderr.
pub const KEEP_ENV: &str = "OXVS_KEEP_TEST_DIRS";

/// Longest test-name part of a directory name. Unix socket paths are limited
/// to 107 bytes, and `<dir>/ovsdb-server.<pid>.ctl` must fit.
const MAX_NAME_LEN: usize = 40;

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// A fresh directory under [`std::env::temp_dir`], named
/// `oxvs-<test name>-<pid>-<counter>`, removed with everything in it when
/// dropped (unless `OXVS_KEEP_TEST_DIRS` is set).
///
/// Daemons and tools started through [`RunDir::command`] or
/// [`crate::Daemon`] see it as `OVS_RUNDIR`, `OVS_DBDIR`, `OVS_LOGDIR` and
/// `OVS_SYSCONFDIR`, so default paths (`db.sock`, `conf.db`, pidfiles,
/// logs) all land here.
#[derive(Debug)]
pub struct RunDir {
    path: PathBuf,
    keep: bool,
}

impl RunDir {
    /// Creates the directory. `test_name` only makes the name recognisable;
    /// uniqueness comes from the pid and a per-process counter.
    ///
    /// Panics if the directory cannot be created.
    #[track_caller]
    pub fn new(test_name: &str) -> RunDir {
        Self::create(test_name, std::env::var_os(KEEP_ENV).is_some())
    }

    /// Like [`RunDir::new`], but whether to keep the directory is decided by
    /// the caller instead of the environment.
    #[track_caller]
    pub fn create(test_name: &str, keep: bool) -> RunDir {
        match Self::try_create(test_name, keep) {
            Ok(dir) => dir,
            Err(e) => panic!("{e}"),
        }
    }

    fn try_create(test_name: &str, keep: bool) -> Result<RunDir, String> {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let name = format!("oxvs-{}-{}-{}", sanitize(test_name), std::process::id(), n);
        let path = std::env::temp_dir().join(name);
        // A leftover from an earlier process with the same pid would mix
        // old files into this test.
        if path.exists() {
            fs::remove_dir_all(&path)
                .map_err(|e| format!("cannot remove stale {}: {e}", path.display()))?;
        }
        fs::create_dir_all(&path)
            .map_err(|e| format!("cannot create test directory {}: {e}", path.display()))?;
        Ok(RunDir { path, keep })
    }

    /// The directory itself.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A path inside the directory, e.g. `file("conf.db")`.
    pub fn file(&self, name: &str) -> PathBuf {
        self.path.join(name)
    }

    /// `<dir>/conf.db`, the default database file (`$OVS_DBDIR/conf.db`).
    pub fn conf_db(&self) -> PathBuf {
        self.file("conf.db")
    }

    /// `<dir>/db.sock`, the default database socket (`$OVS_RUNDIR/db.sock`).
    pub fn db_sock(&self) -> PathBuf {
        self.file("db.sock")
    }

    /// `unix:<dir>/db.sock`, the database socket as a remote for `--db=`
    /// or `ovsdb-client`.
    pub fn db_remote(&self) -> String {
        format!("unix:{}", self.db_sock().display())
    }

    /// `<dir>/<name>.log`, where `--log-file` puts a daemon's log by default.
    pub fn log(&self, program: &str) -> PathBuf {
        self.file(&format!("{program}.log"))
    }

    /// The Open vSwitch directory variables, all pointing here.
    pub fn env(&self) -> Vec<(&'static str, OsString)> {
        ["OVS_RUNDIR", "OVS_DBDIR", "OVS_LOGDIR", "OVS_SYSCONFDIR"]
            .into_iter()
            .map(|k| (k, self.path.clone().into_os_string()))
            .collect()
    }

    /// A command for `program` that runs in this directory with
    /// [`RunDir::env`] set, ready for [`crate::run()`].
    pub fn command(&self, program: impl AsRef<Path>) -> Command {
        let mut cmd = Command::new(program.as_ref());
        cmd.current_dir(&self.path).envs(self.env());
        cmd
    }

    /// Whether the directory survives drop.
    pub fn keeps(&self) -> bool {
        self.keep
    }
}

impl Drop for RunDir {
    fn drop(&mut self) {
        if self.keep {
            eprintln!("testkit: kept test directory {}", self.path.display());
            return;
        }
        match fs::remove_dir_all(&self.path) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => eprintln!("testkit: cannot remove {}: {e}", self.path.display()),
        }
    }
}

/// Keeps letters, digits, `_` and `-`; everything else (such as the `::` of
/// a test path) becomes `-`.
fn sanitize(name: &str) -> String {
    let mut out: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect();
    if out.is_empty() {
        out.push_str("test");
    }
    // Keep the end: it is the most specific part of a test path.
    if out.len() > MAX_NAME_LEN {
        out = out[out.len() - MAX_NAME_LEN..].to_string();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removed_on_drop_with_its_contents() {
        let dir = RunDir::create("removed_on_drop", false);
        let path = dir.path().to_path_buf();
        fs::create_dir(dir.file("sub")).unwrap();
        fs::write(dir.file("sub/conf.db"), "x").unwrap();
        assert!(path.is_dir());
        drop(dir);
        assert!(!path.exists(), "{} still exists", path.display());
    }

    #[test]
    fn kept_when_asked() {
        let dir = RunDir::create("kept_when_asked", true);
        let path = dir.path().to_path_buf();
        drop(dir);
        assert!(path.is_dir());
        fs::remove_dir_all(&path).unwrap();
    }

    #[test]
    fn names_are_unique_and_recognisable() {
        let a = RunDir::create("mod::same name", false);
        let b = RunDir::create("mod::same name", false);
        assert_ne!(a.path(), b.path());
        let name = a.path().file_name().unwrap().to_str().unwrap().to_string();
        let prefix = format!("oxvs-mod--same-name-{}-", std::process::id());
        assert!(name.starts_with(&prefix), "{name}");
        assert!(a.path().starts_with(std::env::temp_dir()));
    }

    #[test]
    fn long_names_are_cut_to_their_end() {
        let dir = RunDir::create(&format!("{}tail", "x".repeat(300)), false);
        let name = dir
            .path()
            .file_name()
            .unwrap()
            .to_str()
            .unwrap()
            .to_string();
        let test_part = name
            .strip_prefix("oxvs-")
            .and_then(|rest| rest.rsplitn(3, '-').nth(2))
            .unwrap();
        assert_eq!(test_part.len(), MAX_NAME_LEN, "{name}");
        assert!(test_part.ends_with("tail"), "{name}");
    }

    #[test]
    fn paths_and_env_point_into_the_directory() {
        let dir = RunDir::create("paths", false);
        assert_eq!(dir.conf_db(), dir.path().join("conf.db"));
        assert_eq!(dir.db_sock(), dir.path().join("db.sock"));
        assert_eq!(dir.log("ovsdb-server"), dir.path().join("ovsdb-server.log"));
        assert_eq!(
            dir.db_remote(),
            format!("unix:{}/db.sock", dir.path().display())
        );
        let env = dir.env();
        let keys: Vec<_> = env.iter().map(|(k, _)| *k).collect();
        assert_eq!(
            keys,
            ["OVS_RUNDIR", "OVS_DBDIR", "OVS_LOGDIR", "OVS_SYSCONFDIR"]
        );
        assert!(env.iter().all(|(_, v)| v == dir.path().as_os_str()));
    }
}
