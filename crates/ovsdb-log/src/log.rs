//! An open log file: reading records in order, then appending new ones.
//!
//! A log is read from the start; reading ends at a clean end of file or at the first
//! bad record (torn write, checksum mismatch, garbage). A writable log may then append:
//! the first write cuts the file back to the end of the last good record, so a crash
//! in the middle of a write loses that write and nothing else. Reading everything
//! before writing is required, because that is how the end of the good records is
//! found.

use std::fs::{File, OpenOptions};
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::os::unix::fs::{FileExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use ovs_json::Json;

use crate::error::{ErrorKind, LogError};
use crate::framing::{self, MAGIC_CLUSTERED, MAGIC_STANDALONE, MAX_HEADER_LINE};
use crate::fsutil::fsync_parent_dir;
use crate::lock::LockFile;

/// Automatic compaction needs at least this many records in the log...
pub const COMPACT_MIN_RECORDS: u64 = 100;
/// ...and a log bigger than this (10 MiB) and than twice its size after the last
/// compaction.
pub const COMPACT_MIN_BYTES: u64 = 10 * 1024 * 1024;

/// Mode a database file is created with (before the umask), as the reference does.
pub(crate) const DB_FILE_MODE: u32 = 0o660;
const READ_BUFFER: usize = 64 * 1024;

/// How [`Log::open`] opens a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OpenMode {
    /// Read records; writing is refused.
    ReadOnly,
    /// Read records, then append.
    ReadWrite,
    /// Create a new, empty file (failing if it exists), then append.
    CreateExcl,
}

/// What kind of database file a file is, judged by its first header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileType {
    /// `OVSDB JSON`: a standalone database.
    Standalone,
    /// `OVSDB CLUSTER`: a clustered (Raft) database; [`Log`] refuses these.
    Clustered,
}

/// The bad end of a log: where the good records end, how many bytes follow them, and
/// why they are bad. A writable log drops those bytes when it starts appending.
#[derive(Clone, Debug)]
pub struct CorruptTail {
    /// End of the last good record: the file's new length once writing starts.
    pub offset: u64,
    /// Bytes after `offset` when the corruption was found.
    pub bytes: u64,
    /// What is wrong with them, in the reference's words.
    pub error: LogError,
}

#[derive(Debug)]
enum State {
    /// More records may follow.
    Reading,
    /// Reading reached a clean end of file.
    AtEnd,
    /// Reading stopped at corruption (see `Log::corrupt_tail`).
    Corrupt,
    /// Reading failed for a reason that says nothing about the file's contents (an I/O
    /// error): appending could destroy good records, so it is refused.
    ReadFailed(LogError),
    /// Appending.
    Writing,
    /// A write or fsync failed and could not be undone; nothing more is written.
    Broken(String),
}

/// An open database log file. See the crate documentation for the format.
#[derive(Debug)]
pub struct Log {
    path: PathBuf,
    mode: OpenMode,
    file: File,
    /// Present while reading; shares `file`'s offset, so it is dropped before writing.
    reader: Option<BufReader<File>>,
    state: State,
    corrupt_tail: Option<CorruptTail>,
    /// End of the last good record read or written.
    offset: u64,
    /// File length as last seen, to judge record lengths before allocating for them.
    file_len: u64,
    n_records: u64,
    base: u64,
    lock: Option<LockFile>,
}

/// Identifies a database file by its first header, without locking or reading further.
/// Errors as [`Log::open`] reports them: `cannot identify file type` for an empty
/// file or an unknown magic, `unexpected file format` when the first line is not a
/// record header.
pub fn identify(path: impl AsRef<Path>) -> Result<FileType, LogError> {
    let path = path.as_ref();
    let file = File::open(path).map_err(|e| LogError::io(path, "open failed", e))?;
    identify_file(path, &file)
}

fn identify_file(path: &Path, file: &File) -> Result<FileType, LogError> {
    let line = read_first_line(file).map_err(|e| LogError::io(path, "read error", e))?;
    if line.is_empty() {
        return Err(LogError::new(path, ErrorKind::UnknownFileType));
    }
    let header =
        framing::parse(&line).ok_or_else(|| LogError::new(path, ErrorKind::UnexpectedFormat))?;
    match header.magic.as_str() {
        MAGIC_STANDALONE => Ok(FileType::Standalone),
        MAGIC_CLUSTERED => Ok(FileType::Clustered),
        _ => Err(LogError::new(path, ErrorKind::UnknownFileType)),
    }
}

/// The first line of `file` (up to [`MAX_HEADER_LINE`] bytes, with its LF), read at
/// offset 0 without moving the file offset.
fn read_first_line(file: &File) -> io::Result<Vec<u8>> {
    let mut buf = [0u8; MAX_HEADER_LINE];
    let mut len = 0;
    while len < buf.len() {
        let n = match file.read_at(&mut buf[len..], len as u64) {
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if n == 0 {
            break;
        }
        if let Some(nl) = buf[len..len + n].iter().position(|&b| b == b'\n') {
            len += nl + 1;
            return Ok(buf[..len].to_vec());
        }
        len += n;
    }
    Ok(buf[..len].to_vec())
}

/// Reads up to `max` bytes, stopping after the first LF. Empty at end of file.
fn read_line_limited(reader: &mut impl BufRead, max: usize) -> io::Result<Vec<u8>> {
    let mut line = Vec::new();
    while line.len() < max {
        let available = match reader.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            break;
        }
        let window = &available[..available.len().min(max - line.len())];
        if let Some(nl) = window.iter().position(|&b| b == b'\n') {
            line.extend_from_slice(&window[..=nl]);
            reader.consume(nl + 1);
            break;
        }
        let n = window.len();
        line.extend_from_slice(window);
        reader.consume(n);
    }
    Ok(line)
}

impl Log {
    /// Opens the log at `path`. With `locking`, first takes the database lock
    /// (`.<name>.~lock~`), failing if another process (ours or the reference's) holds
    /// it. An existing file must be a standalone database: an empty file, a clustered
    /// database or anything else is refused here rather than at the first read.
    pub fn open(path: impl AsRef<Path>, mode: OpenMode, locking: bool) -> Result<Log, LogError> {
        let path = path.as_ref();
        let lock = if locking {
            Some(LockFile::lock(path)?)
        } else {
            None
        };
        let mut options = OpenOptions::new();
        options.read(true);
        let action = match mode {
            OpenMode::ReadOnly => "open failed",
            OpenMode::ReadWrite => {
                options.write(true);
                "open failed"
            }
            OpenMode::CreateExcl => {
                options.write(true).create_new(true).mode(DB_FILE_MODE);
                "create failed"
            }
        };
        let file = options
            .open(path)
            .map_err(|e| LogError::io(path, action, e))?;

        let (reader, state, file_len) = if mode == OpenMode::CreateExcl {
            // Make the new name durable; a failure here only weakens durability of a
            // file that holds nothing yet, and the first durable commit still syncs
            // the data, so it is not worth failing the create over.
            let _ = fsync_parent_dir(path);
            (None, State::AtEnd, 0)
        } else {
            match identify_file(path, &file)? {
                FileType::Standalone => {}
                FileType::Clustered => return Err(LogError::new(path, ErrorKind::Clustered)),
            }
            let len = file
                .metadata()
                .map_err(|e| LogError::io(path, "stat failed", e))?
                .len();
            let dup = file
                .try_clone()
                .map_err(|e| LogError::io(path, "open failed", e))?;
            (
                Some(BufReader::with_capacity(READ_BUFFER, dup)),
                State::Reading,
                len,
            )
        };
        Ok(Log {
            path: path.to_path_buf(),
            mode,
            file,
            reader,
            state,
            corrupt_tail: None,
            offset: 0,
            file_len,
            n_records: 0,
            base: 0,
            lock,
        })
    }

    /// Reads the next record: `Ok(None)` at a clean end of file (and once writing has
    /// begun). A bad record ends reading with an error that names its offset and what
    /// is wrong, in the reference's words; the same error is returned by every later
    /// call. For corruption ([`LogError::is_corruption`]) everything read so far is
    /// good and [`Log::corrupt_tail`] describes what follows; a writable log drops it
    /// when it starts appending, so a server can log the error and carry on.
    pub fn read_record(&mut self) -> Result<Option<Json>, LogError> {
        match &self.state {
            State::Reading => {}
            State::AtEnd | State::Writing | State::Broken(_) => return Ok(None),
            State::ReadFailed(e) => return Err(e.clone()),
            State::Corrupt => {
                return Err(self
                    .corrupt_tail
                    .as_ref()
                    .map(|t| t.error.clone())
                    .unwrap_or_else(|| LogError::new(&self.path, ErrorKind::NotAtEnd)))
            }
        }
        match self.read_next() {
            Ok(Some(json)) => Ok(Some(json)),
            Ok(None) => {
                self.state = State::AtEnd;
                Ok(None)
            }
            Err(error) if error.is_corruption() => {
                // The length may have changed under a read-only reader; a failed stat
                // just means we report the length we knew.
                if let Ok(meta) = self.file.metadata() {
                    self.file_len = meta.len();
                }
                self.corrupt_tail = Some(CorruptTail {
                    offset: self.offset,
                    bytes: self.file_len.saturating_sub(self.offset),
                    error: error.clone(),
                });
                self.state = State::Corrupt;
                Err(error)
            }
            Err(error) => {
                self.state = State::ReadFailed(error.clone());
                Err(error)
            }
        }
    }

    fn read_next(&mut self) -> Result<Option<Json>, LogError> {
        let path = &self.path;
        let Some(reader) = self.reader.as_mut() else {
            return Ok(None);
        };
        let start = self.offset;
        let line = read_line_limited(reader, MAX_HEADER_LINE)
            .map_err(|e| LogError::io(path, "read error", e))?;
        if line.is_empty() {
            return Ok(None);
        }
        let header = framing::parse(&line)
            .filter(|h| h.magic == MAGIC_STANDALONE)
            .ok_or_else(|| {
                LogError::new(
                    path,
                    ErrorKind::BadHeader {
                        offset: start,
                        line: framing::quoted_line(&line),
                    },
                )
            })?;
        let offset = start + line.len() as u64;
        let length = header.length;
        let truncated = || LogError::new(path, ErrorKind::Truncated { offset, length });

        // Check the length against the file before allocating for it: a corrupt
        // length must not turn into a huge allocation.
        if length > self.file_len.saturating_sub(offset) {
            self.file_len = self
                .file
                .metadata()
                .map_err(|e| LogError::io(path, "stat failed", e))?
                .len();
            if length > self.file_len.saturating_sub(offset) {
                return Err(truncated());
            }
        }
        let size = usize::try_from(length).map_err(|_| truncated())?;
        let mut data = vec![0u8; size];
        reader.read_exact(&mut data).map_err(|e| {
            if e.kind() == io::ErrorKind::UnexpectedEof {
                truncated()
            } else {
                LogError::new(
                    path,
                    ErrorKind::Read {
                        offset,
                        length,
                        source: e,
                    },
                )
            }
        })?;

        let actual = framing::sha1(&data);
        if actual != header.sha1 {
            return Err(LogError::new(
                path,
                ErrorKind::BadHash {
                    offset,
                    length,
                    actual,
                    expected: header.sha1,
                },
            ));
        }
        let json = ovs_json::parse_bytes_lossy(&data).map_err(|error| {
            LogError::new(
                path,
                ErrorKind::BadJson {
                    offset,
                    length,
                    error,
                },
            )
        })?;
        if !matches!(json, Json::Object(_)) {
            return Err(LogError::new(path, ErrorKind::NotObject { offset, length }));
        }
        self.offset = offset + length;
        self.n_records += 1;
        Ok(Some(json))
    }

    /// Appends `record`, which must be a JSON object, as compact JSON. The record is
    /// handed to the kernel at once (in one write); [`Log::commit`] makes it durable.
    ///
    /// Allowed once reading has ended (at end of file, or at corruption, whose bytes
    /// are cut off first). If the write fails, the partial record is cut off again so
    /// that the file still ends at a record boundary.
    pub fn write_record(&mut self, record: &Json) -> Result<(), LogError> {
        if let Err(reason) = framing::check_record(record) {
            return Err(LogError::new(
                &self.path,
                ErrorKind::InvalidRecord { reason },
            ));
        }
        self.start_writing()?;
        let mut bytes = Vec::new();
        framing::frame(MAGIC_STANDALONE, &record.to_compact(), &mut bytes);
        if let Err(e) = self.file.write_all(&bytes) {
            self.undo_partial_write();
            return Err(LogError::io(&self.path, "write failed", e));
        }
        self.offset += bytes.len() as u64;
        self.file_len = self.offset;
        self.n_records += 1;
        Ok(())
    }

    fn undo_partial_write(&mut self) {
        let undone = self
            .file
            .set_len(self.offset)
            .and_then(|()| self.file.seek(SeekFrom::Start(self.offset)));
        if let Err(e) = undone {
            self.state = State::Broken(format!(
                "a failed write could not be undone: truncate to offset {} failed ({})",
                self.offset,
                crate::error::os_error_text(&e)
            ));
        }
    }

    /// Moves from reading to appending, cutting off a corrupt tail.
    fn start_writing(&mut self) -> Result<(), LogError> {
        if self.mode == OpenMode::ReadOnly {
            return Err(LogError::new(&self.path, ErrorKind::ReadOnly));
        }
        match &self.state {
            State::Writing => return Ok(()),
            State::AtEnd | State::Corrupt => {}
            State::Reading => return Err(LogError::new(&self.path, ErrorKind::NotAtEnd)),
            State::ReadFailed(e) => {
                return Err(LogError::new(
                    &self.path,
                    ErrorKind::Unusable {
                        reason: e.to_string(),
                    },
                ))
            }
            State::Broken(reason) => {
                return Err(LogError::new(
                    &self.path,
                    ErrorKind::Unusable {
                        reason: reason.clone(),
                    },
                ))
            }
        }
        if matches!(self.state, State::Corrupt) {
            self.file
                .set_len(self.offset)
                .map_err(|e| LogError::io(&self.path, "truncate failed", e))?;
        }
        self.file
            .seek(SeekFrom::Start(self.offset))
            .map_err(|e| LogError::io(&self.path, "seek failed", e))?;
        self.reader = None;
        self.file_len = self.offset;
        self.state = State::Writing;
        Ok(())
    }

    /// Commits what was written. Records are already in the kernel when
    /// [`Log::write_record`] returns, so this only matters with `durable`, which
    /// waits until they are on stable storage. A failed sync leaves the log refusing
    /// further writes: after a failed fsync the kernel may have dropped the data, and
    /// appending behind a hole would be worse than stopping.
    pub fn commit(&mut self, durable: bool) -> Result<(), LogError> {
        match &self.state {
            State::Writing if durable => {}
            State::Broken(reason) => {
                return Err(LogError::new(
                    &self.path,
                    ErrorKind::Unusable {
                        reason: reason.clone(),
                    },
                ))
            }
            _ => return Ok(()),
        }
        if let Err(e) = self.file.sync_data() {
            let error = LogError::io(&self.path, "fsync failed", e);
            self.state = State::Broken(error.to_string());
            return Err(error);
        }
        Ok(())
    }

    /// The path the log was opened with.
    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn mode(&self) -> OpenMode {
        self.mode
    }

    /// Whether this log holds the database lock.
    pub fn is_locked(&self) -> bool {
        self.lock.is_some()
    }

    /// Byte offset of the end of the last good record read or written: the log's
    /// size once any corrupt tail is gone.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// Records read plus records written since opening (or since the last
    /// [`Log::replace_commit`], counting the records of the replacement).
    pub fn record_count(&self) -> u64 {
        self.n_records
    }

    /// The corruption that ended reading, if any. It stays available after writing
    /// has cut it off, so the caller can report what was discarded.
    pub fn corrupt_tail(&self) -> Option<&CorruptTail> {
        self.corrupt_tail.as_ref()
    }

    /// Size of the log after its last compaction: 0 after opening, the replacement's
    /// size after [`Log::replace_commit`], or what [`Log::mark_base`] set.
    pub fn base(&self) -> u64 {
        self.base
    }

    /// Records the current size as the base for [`Log::grew_lots`] (e.g. after
    /// loading a freshly compacted database).
    pub fn mark_base(&mut self) {
        self.base = self.offset;
    }

    /// The size half of the automatic compaction rule: over [`COMPACT_MIN_BYTES`]
    /// and more than twice the size after the last compaction.
    pub fn grew_lots(&self) -> bool {
        self.offset > COMPACT_MIN_BYTES && self.offset / 2 > self.base
    }

    /// The whole automatic compaction rule except its timer: at least
    /// [`COMPACT_MIN_RECORDS`] records, and [`Log::grew_lots`].
    pub fn compaction_recommended(&self) -> bool {
        self.n_records >= COMPACT_MIN_RECORDS && self.grew_lots()
    }

    /// Switches to `file`, the replacement that has just been renamed over the log.
    pub(crate) fn adopt_replacement(&mut self, file: File, size: u64, n_records: u64) {
        self.file = file;
        self.reader = None;
        self.state = State::Writing;
        self.corrupt_tail = None;
        self.offset = size;
        self.file_len = size;
        self.n_records = n_records;
        self.base = size;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_reading_stops_at_the_limit_or_after_the_newline() {
        let mut input: &[u8] = b"abc\ndef";
        assert_eq!(read_line_limited(&mut input, 127).unwrap(), b"abc\n");
        assert_eq!(read_line_limited(&mut input, 127).unwrap(), b"def");
        assert_eq!(read_line_limited(&mut input, 127).unwrap(), b"");
        let long = vec![b'A'; 500];
        let mut input: &[u8] = &long;
        assert_eq!(read_line_limited(&mut input, 127).unwrap().len(), 127);
    }
}
