//! Errors of the log, worded like the reference's.
//!
//! Every message reads `<class>: <file>: <detail>`, where the class is `I/O error`,
//! `syntax error` or `ovsdb error` and the file is the path as the caller gave it. These
//! are the texts Open vSwitch 3.1 prints in `ovsdb-tool` errors and `ovsdb-server` logs
//! (verified against the real binaries), so operators see the same words from us.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use ovs_json::ParseError;

/// A failure to open, read, lock or write a log file.
#[derive(Clone, Debug)]
pub struct LogError {
    path: PathBuf,
    kind: ErrorKind,
}

/// Who holds a lock that we could not take.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LockHolder {
    /// Another process, as `F_GETLK` reported it.
    Pid(i32),
    /// A [`crate::lock::LockFile`] elsewhere in this process already holds it.
    ThisProcess,
    /// The lock could not be taken for another reason (e.g. the directory is missing),
    /// or the holder went away before we could ask who it was.
    Unknown,
}

/// What went wrong. Offsets are byte offsets in the file.
#[derive(Debug)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A system call on the file failed; `action` names it ("open failed", ...).
    Io {
        action: &'static str,
        source: io::Error,
    },
    /// The lockfile could not be locked.
    Lock {
        lockfile: PathBuf,
        holder: LockHolder,
        source: io::Error,
    },
    /// The file ends inside the data of the record whose data starts at `offset`.
    Truncated { offset: u64, length: u64 },
    /// Reading the data of a record failed.
    Read {
        offset: u64,
        length: u64,
        source: io::Error,
    },
    /// The line at `offset` is not a valid record header. `line` is the part of it the
    /// reference quotes (see `framing::quoted_line`).
    BadHeader { offset: u64, line: String },
    /// The record's data does not have the SHA-1 its header announces.
    BadHash {
        offset: u64,
        length: u64,
        actual: [u8; 20],
        expected: [u8; 20],
    },
    /// The record's data is not a JSON text.
    BadJson {
        offset: u64,
        length: u64,
        error: ParseError,
    },
    /// The record's data is JSON but not an object.
    NotObject { offset: u64, length: u64 },
    /// The file is empty or its first header has an unknown magic.
    UnknownFileType,
    /// The file's first line is not a record header at all.
    UnexpectedFormat,
    /// The file is a clustered (Raft) database, which we do not implement.
    Clustered,
    /// A write was attempted on a log opened read-only.
    ReadOnly,
    /// A write was attempted before every record had been read.
    NotAtEnd,
    /// A record to write could not be read back (not an object, a NUL in a string, a
    /// non-finite number); `reason` says which.
    InvalidRecord { reason: String },
    /// An earlier failure (a failed write that could not be undone, a read error that
    /// was not corruption) left the file in a state we will not append to.
    Unusable { reason: String },
}

impl Clone for ErrorKind {
    // By hand because `io::Error` is not `Clone`; the copy keeps the OS error code, so
    // it prints the same text.
    fn clone(&self) -> ErrorKind {
        match self {
            ErrorKind::Io { action, source } => ErrorKind::Io {
                action,
                source: clone_io(source),
            },
            ErrorKind::Lock {
                lockfile,
                holder,
                source,
            } => ErrorKind::Lock {
                lockfile: lockfile.clone(),
                holder: *holder,
                source: clone_io(source),
            },
            ErrorKind::Truncated { offset, length } => ErrorKind::Truncated {
                offset: *offset,
                length: *length,
            },
            ErrorKind::Read {
                offset,
                length,
                source,
            } => ErrorKind::Read {
                offset: *offset,
                length: *length,
                source: clone_io(source),
            },
            ErrorKind::BadHeader { offset, line } => ErrorKind::BadHeader {
                offset: *offset,
                line: line.clone(),
            },
            ErrorKind::BadHash {
                offset,
                length,
                actual,
                expected,
            } => ErrorKind::BadHash {
                offset: *offset,
                length: *length,
                actual: *actual,
                expected: *expected,
            },
            ErrorKind::BadJson {
                offset,
                length,
                error,
            } => ErrorKind::BadJson {
                offset: *offset,
                length: *length,
                error: error.clone(),
            },
            ErrorKind::NotObject { offset, length } => ErrorKind::NotObject {
                offset: *offset,
                length: *length,
            },
            ErrorKind::UnknownFileType => ErrorKind::UnknownFileType,
            ErrorKind::UnexpectedFormat => ErrorKind::UnexpectedFormat,
            ErrorKind::Clustered => ErrorKind::Clustered,
            ErrorKind::ReadOnly => ErrorKind::ReadOnly,
            ErrorKind::NotAtEnd => ErrorKind::NotAtEnd,
            ErrorKind::InvalidRecord { reason } => ErrorKind::InvalidRecord {
                reason: reason.clone(),
            },
            ErrorKind::Unusable { reason } => ErrorKind::Unusable {
                reason: reason.clone(),
            },
        }
    }
}

fn clone_io(e: &io::Error) -> io::Error {
    match e.raw_os_error() {
        Some(code) => io::Error::from_raw_os_error(code),
        None => io::Error::new(e.kind(), e.to_string()),
    }
}

impl LogError {
    pub(crate) fn new(path: &Path, kind: ErrorKind) -> LogError {
        LogError {
            path: path.to_path_buf(),
            kind,
        }
    }

    pub(crate) fn io(path: &Path, action: &'static str, source: io::Error) -> LogError {
        LogError::new(path, ErrorKind::Io { action, source })
    }

    /// The file the error is about, as the caller named it.
    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn kind(&self) -> &ErrorKind {
        &self.kind
    }

    /// True when the error describes bad bytes at the end of the file (a torn write,
    /// a checksum mismatch, garbage): everything before them is good, and a writable
    /// log drops them when it starts appending.
    pub fn is_corruption(&self) -> bool {
        matches!(
            self.kind,
            ErrorKind::Truncated { .. }
                | ErrorKind::BadHeader { .. }
                | ErrorKind::BadHash { .. }
                | ErrorKind::BadJson { .. }
                | ErrorKind::NotObject { .. }
        )
    }

    /// True when the database file is locked by someone else.
    pub fn is_locked(&self) -> bool {
        matches!(self.kind, ErrorKind::Lock { .. })
    }

    /// For a lock failure, the warning the reference logs beside the error, e.g.
    /// `.conf.db.~lock~: cannot lock file because it is already locked by pid 1234`.
    pub fn lock_warning(&self) -> Option<String> {
        let ErrorKind::Lock {
            lockfile,
            holder,
            source,
        } = &self.kind
        else {
            return None;
        };
        let lockfile = lockfile.display();
        Some(match holder {
            LockHolder::Pid(pid) => {
                format!("{lockfile}: cannot lock file because it is already locked by pid {pid}")
            }
            LockHolder::ThisProcess => {
                format!("{lockfile}: cannot lock file because this process has already locked it")
            }
            LockHolder::Unknown => {
                format!(
                    "{lockfile}: failed to lock file ({})",
                    os_error_text(source)
                )
            }
        })
    }

    fn class(&self) -> &'static str {
        match self.kind {
            ErrorKind::Io { .. }
            | ErrorKind::Lock { .. }
            | ErrorKind::Truncated { .. }
            | ErrorKind::Read { .. } => "I/O error",
            ErrorKind::BadHeader { .. }
            | ErrorKind::BadHash { .. }
            | ErrorKind::BadJson { .. }
            | ErrorKind::NotObject { .. } => "syntax error",
            _ => "ovsdb error",
        }
    }
}

impl fmt::Display for LogError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: ", self.class(), self.path.display())?;
        match &self.kind {
            ErrorKind::Io { action, source } => {
                write!(f, "{action} ({})", os_error_text(source))
            }
            ErrorKind::Lock { source, .. } => {
                write!(f, "failed to lock lockfile ({})", os_error_text(source))
            }
            ErrorKind::Truncated { offset, length } => {
                write!(
                    f,
                    "error reading {length} bytes starting at offset {offset} (End of file)"
                )
            }
            ErrorKind::Read {
                offset,
                length,
                source,
            } => write!(
                f,
                "error reading {length} bytes starting at offset {offset} ({})",
                os_error_text(source)
            ),
            ErrorKind::BadHeader { offset, line } => {
                write!(
                    f,
                    "parse error at offset {offset} in header line \"{line}\""
                )
            }
            ErrorKind::BadHash {
                offset,
                length,
                actual,
                expected,
            } => write!(
                f,
                "{length} bytes starting at offset {offset} have SHA-1 hash {} \
                 but should have hash {}",
                hex(actual),
                hex(expected)
            ),
            ErrorKind::BadJson {
                offset,
                length,
                error,
            } => write!(
                f,
                "{length} bytes starting at offset {offset} are not valid JSON ({error})"
            ),
            ErrorKind::NotObject { offset, length } => write!(
                f,
                "{length} bytes starting at offset {offset} are not a JSON object"
            ),
            ErrorKind::UnknownFileType => f.write_str("cannot identify file type"),
            ErrorKind::UnexpectedFormat => f.write_str("unexpected file format"),
            ErrorKind::Clustered => f.write_str(
                "clustered databases are not supported (this file was made by \
                 ovsdb-tool create-cluster or join-cluster)",
            ),
            ErrorKind::ReadOnly => f.write_str("cannot write to a log opened read-only"),
            ErrorKind::NotAtEnd => {
                f.write_str("cannot append to the log before reading all of its records")
            }
            ErrorKind::InvalidRecord { reason } => write!(f, "cannot write record: {reason}"),
            ErrorKind::Unusable { reason } => {
                write!(f, "log is not writable after an earlier error: {reason}")
            }
        }
    }
}

impl std::error::Error for LogError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.kind {
            ErrorKind::Io { source, .. }
            | ErrorKind::Lock { source, .. }
            | ErrorKind::Read { source, .. } => Some(source),
            ErrorKind::BadJson { error, .. } => Some(error),
            _ => None,
        }
    }
}

/// The C library's description of an error (`strerror`), without the
/// ` (os error N)` that Rust appends: the reference prints the bare text.
pub(crate) fn os_error_text(e: &io::Error) -> String {
    let text = e.to_string();
    match e.raw_os_error() {
        Some(code) => {
            let suffix = format!(" (os error {code})");
            text.strip_suffix(&suffix).unwrap_or(&text).to_string()
        }
        None => text,
    }
}

/// Lower-case hex, as SHA-1 digests are written in headers and messages.
pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[usize::from(b >> 4)] as char);
        out.push(DIGITS[usize::from(b & 15)] as char);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn io_errors_print_the_bare_strerror_text() {
        let e = LogError::io(
            Path::new("t.db"),
            "open failed",
            io::Error::from_raw_os_error(libc::ENOENT),
        );
        assert_eq!(
            e.to_string(),
            "I/O error: t.db: open failed (No such file or directory)"
        );
    }

    #[test]
    fn lock_errors_match_the_reference_and_carry_a_warning() {
        let e = LogError::new(
            Path::new("t.db"),
            ErrorKind::Lock {
                lockfile: PathBuf::from(".t.db.~lock~"),
                holder: LockHolder::Pid(17441),
                source: io::Error::from_raw_os_error(libc::EAGAIN),
            },
        );
        assert!(e.is_locked());
        assert_eq!(
            e.to_string(),
            "I/O error: t.db: failed to lock lockfile (Resource temporarily unavailable)"
        );
        assert_eq!(
            e.lock_warning().as_deref(),
            Some(".t.db.~lock~: cannot lock file because it is already locked by pid 17441")
        );
    }

    #[test]
    fn corruption_classes() {
        let bad_hash = LogError::new(
            Path::new("x.db"),
            ErrorKind::BadHash {
                offset: 404,
                length: 93,
                actual: [0xab; 20],
                expected: [0x01; 20],
            },
        );
        assert!(bad_hash.is_corruption());
        assert_eq!(
            bad_hash.to_string(),
            format!(
                "syntax error: x.db: 93 bytes starting at offset 404 have SHA-1 hash {} \
                 but should have hash {}",
                "ab".repeat(20),
                "01".repeat(20)
            )
        );
        let format = LogError::new(Path::new("x.db"), ErrorKind::UnexpectedFormat);
        assert!(!format.is_corruption());
        assert_eq!(
            format.to_string(),
            "ovsdb error: x.db: unexpected file format"
        );
    }
}
