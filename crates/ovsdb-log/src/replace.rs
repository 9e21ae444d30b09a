//! Atomic replacement of a log's contents: how compaction rewrites a database.
//!
//! The new contents go to `<db>.tmp` (beside the file the database name finally points
//! to, so a symlinked database keeps its link). Committing fsyncs the new file, renames
//! it over the old one and fsyncs the directory; a crash at any point leaves either the
//! complete old file or the complete new one under the database's name. The log then
//! appends to the new file through the descriptor it was written with.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use ovs_json::Json;

use crate::error::{ErrorKind, LogError};
use crate::framing::{self, MAGIC_STANDALONE};
use crate::fsutil::{follow_symlinks, fsync_parent_dir, tmp_name};
use crate::lock::LockFile;
use crate::log::{Log, OpenMode, DB_FILE_MODE};

/// A replacement log being written; see [`Log::replace_start`]. Dropping it without
/// [`Log::replace_commit`] abandons it and removes the temporary file.
#[derive(Debug)]
pub struct LogReplacer {
    tmp_path: PathBuf,
    /// The file the replacement is renamed over.
    target: PathBuf,
    file: Option<File>,
    offset: u64,
    n_records: u64,
    failed: Option<LogError>,
    _lock: Option<LockFile>,
}

impl LogReplacer {
    /// Appends `record` (a JSON object) to the replacement.
    pub fn write_record(&mut self, record: &Json) -> Result<(), LogError> {
        if let Some(e) = &self.failed {
            return Err(e.clone());
        }
        if let Err(reason) = framing::check_record(record) {
            return Err(LogError::new(
                &self.tmp_path,
                ErrorKind::InvalidRecord { reason },
            ));
        }
        let Some(file) = self.file.as_mut() else {
            return Err(LogError::new(&self.tmp_path, ErrorKind::NotAtEnd));
        };
        let mut bytes = Vec::new();
        framing::frame(MAGIC_STANDALONE, &record.to_compact(), &mut bytes);
        if let Err(e) = file.write_all(&bytes) {
            // A replacement with a hole in it must never be committed.
            let error = LogError::io(&self.tmp_path, "write failed", e);
            self.failed = Some(error.clone());
            return Err(error);
        }
        self.offset += bytes.len() as u64;
        self.n_records += 1;
        Ok(())
    }

    /// The temporary file's path (`<db>.tmp`).
    pub fn path(&self) -> &Path {
        &self.tmp_path
    }

    /// Bytes written so far.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// Records written so far.
    pub fn record_count(&self) -> u64 {
        self.n_records
    }

    fn remove_tmp(&mut self) {
        if self.file.take().is_some() {
            // Nothing refers to the temporary file; if it cannot be removed, the next
            // replacement truncates it anyway.
            let _ = std::fs::remove_file(&self.tmp_path);
        }
    }
}

impl Drop for LogReplacer {
    fn drop(&mut self) {
        self.remove_tmp();
    }
}

impl Log {
    /// Starts replacing this log's contents: returns a [`LogReplacer`] writing
    /// `<db>.tmp` (created or truncated; locked as `.<db>.tmp.~lock~` when this log
    /// holds the database lock, as the reference does). The log itself is unchanged
    /// until [`Log::replace_commit`].
    pub fn replace_start(&self) -> Result<LogReplacer, LogError> {
        if self.mode() == OpenMode::ReadOnly {
            return Err(LogError::new(self.path(), ErrorKind::ReadOnly));
        }
        let target = follow_symlinks(self.path());
        let tmp_path = tmp_name(&target);
        let lock = if self.is_locked() {
            Some(LockFile::lock(&tmp_path)?)
        } else {
            None
        };
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .mode(DB_FILE_MODE)
            .open(&tmp_path)
            .map_err(|e| LogError::io(&tmp_path, "create failed", e))?;
        Ok(LogReplacer {
            tmp_path,
            target,
            file: Some(file),
            offset: 0,
            n_records: 0,
            failed: None,
            _lock: lock,
        })
    }

    /// Makes `replacer`'s contents this log's: fsync, rename over the database file,
    /// fsync the directory, then append to the new file from now on.
    ///
    /// An error before the rename leaves the old file and this log as they were (and
    /// removes the temporary file). An error from the final directory fsync comes after
    /// the rename: the log has switched to the new file and stays usable, but the
    /// rename may not survive a crash.
    pub fn replace_commit(&mut self, mut replacer: LogReplacer) -> Result<(), LogError> {
        if let Some(e) = &replacer.failed {
            return Err(e.clone());
        }
        let Some(file) = replacer.file.as_ref() else {
            return Err(LogError::new(&replacer.tmp_path, ErrorKind::NotAtEnd));
        };
        file.sync_all()
            .map_err(|e| LogError::io(&replacer.tmp_path, "fsync failed", e))?;
        std::fs::rename(&replacer.tmp_path, &replacer.target)
            .map_err(|e| LogError::io(&replacer.tmp_path, "rename failed", e))?;
        let Some(file) = replacer.file.take() else {
            return Err(LogError::new(&replacer.tmp_path, ErrorKind::NotAtEnd));
        };
        self.adopt_replacement(file, replacer.offset, replacer.n_records);
        fsync_parent_dir(&replacer.target)
            .map_err(|e| LogError::io(self.path(), "fsync of directory failed", e))
    }

    /// Abandons `replacer`, removing its temporary file (the same as dropping it).
    pub fn replace_abort(&mut self, replacer: LogReplacer) {
        drop(replacer);
    }
}
