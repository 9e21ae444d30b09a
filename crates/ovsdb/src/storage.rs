//! A standalone database file: the schema record, then transaction records.
//!
//! Opening replays every good record into a [`Database`]; a torn or corrupt tail is
//! reported as a warning and cut off at the next write (by `ovsdb-log`), so every
//! transaction acknowledged before a crash survives it. Compaction rewrites the file as
//! the schema plus one snapshot record, atomically.

use crate::db::{Changes, Database};
use crate::error::Error;
use crate::file::{apply_record, changes_to_record, snapshot_record};
use crate::schema::DatabaseSchema;
use ovs_json::Json;
use ovsdb_log::{Log, LogError, OpenMode};
use std::fmt;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Why a database file could not be used.
#[derive(Debug)]
pub enum StorageError {
    Log(LogError),
    /// The schema record is missing or invalid.
    Schema(Error),
    /// Record `index` (the schema is record 0) does not fit the schema.
    Record {
        index: u64,
        error: Error,
    },
}

impl fmt::Display for StorageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StorageError::Log(e) => e.fmt(f),
            StorageError::Schema(e) => e.fmt(f),
            StorageError::Record { index, error } => write!(f, "record {index}: {error}"),
        }
    }
}

impl std::error::Error for StorageError {}

impl From<LogError> for StorageError {
    fn from(e: LogError) -> StorageError {
        StorageError::Log(e)
    }
}

/// Milliseconds since the epoch, for `_date`.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// Creates a new database file holding only `schema` (fails if the file exists).
pub fn create(path: &Path, schema: &DatabaseSchema) -> Result<(), StorageError> {
    let mut log = Log::open(path, OpenMode::CreateExcl, false)?;
    log.write_record(&schema.to_json())?;
    log.commit(true)?;
    Ok(())
}

/// Reads only the schema of a database file.
pub fn read_schema(path: &Path) -> Result<DatabaseSchema, StorageError> {
    let mut log = Log::open(path, OpenMode::ReadOnly, false)?;
    schema_from_log(&mut log)
}

fn schema_from_log(log: &mut Log) -> Result<DatabaseSchema, StorageError> {
    let json = log.read_record()?.ok_or_else(|| {
        StorageError::Schema(Error::new(
            "syntax error",
            format!("{}: database file contains no schema", log.path().display()),
        ))
    })?;
    DatabaseSchema::from_json(&json).map_err(StorageError::Schema)
}

/// An opened database file, ready to append.
pub struct DbFile {
    log: Log,
    /// Earliest time automatic compaction may run (randomised like the reference's).
    next_compact: Instant,
    /// After this long, compaction runs if the log holds any transaction at all.
    force_compact: Instant,
}

/// A database read from its file.
pub struct Opened {
    pub db: Database,
    pub file: DbFile,
    /// Set when a bad tail was found (it is discarded at the next write).
    pub warning: Option<String>,
}

/// Opens a database file and replays it. `read_only` opens without locking or writing.
pub fn open(path: &Path, read_only: bool) -> Result<Opened, StorageError> {
    let mode = if read_only {
        OpenMode::ReadOnly
    } else {
        OpenMode::ReadWrite
    };
    let mut log = Log::open(path, mode, !read_only)?;
    let schema = schema_from_log(&mut log)?;
    let mut db = Database::new(Arc::new(schema));
    let mut index = 1;
    loop {
        let record = match log.read_record() {
            Ok(Some(r)) => r,
            Ok(None) => break,
            // The log stops at its first bad record; earlier ones stand.
            Err(e) if e.is_corruption() => break,
            Err(e) => return Err(e.into()),
        };
        apply_record(&mut db, &record).map_err(|error| StorageError::Record { index, error })?;
        index += 1;
    }
    let warning = log.corrupt_tail().map(|t| {
        format!(
            "{}: {} bytes of bad data at offset {} will be discarded ({})",
            path.display(),
            t.bytes,
            t.offset,
            t.error
        )
    });
    let now = Instant::now();
    Ok(Opened {
        db,
        file: DbFile {
            log,
            next_compact: now + compaction_delay(),
            force_compact: now + Duration::from_secs(24 * 3600),
        },
        warning,
    })
}

/// 10 to 20 minutes, so that many servers started together do not compact together.
fn compaction_delay() -> Duration {
    let jitter = u64::from(uuid::Uuid::new_v4().as_bytes()[0]) * 600 / 255;
    Duration::from_secs(600 + jitter)
}

impl DbFile {
    /// Appends a committed transaction (computed against `db`, the state before it).
    pub fn commit(
        &mut self,
        db: &Database,
        changes: &Changes,
        comment: Option<&str>,
        durable: bool,
    ) -> Result<(), LogError> {
        if let Some(record) = changes_to_record(db, changes, comment, now_ms()) {
            self.log.write_record(&record)?;
            self.log.commit(durable)?;
        }
        Ok(())
    }

    /// Appends an arbitrary record (for `ovsdb-tool transact`, tests).
    pub fn write_raw(&mut self, record: &Json, durable: bool) -> Result<(), LogError> {
        self.log.write_record(record)?;
        self.log.commit(durable)
    }

    /// Rewrites the file as the schema plus a snapshot of `db`.
    pub fn compact(&mut self, db: &Database, comment: &str) -> Result<(), LogError> {
        let mut replacer = self.log.replace_start()?;
        let written = replacer
            .write_record(&db.schema.to_json())
            .and_then(|_| replacer.write_record(&snapshot_record(db, Some(comment), now_ms())));
        match written {
            Ok(()) => self.log.replace_commit(replacer)?,
            Err(e) => {
                self.log.replace_abort(replacer);
                return Err(e);
            }
        }
        let now = Instant::now();
        self.next_compact = now + compaction_delay();
        self.force_compact = now + Duration::from_secs(24 * 3600);
        Ok(())
    }

    /// The reference's automatic compaction rule.
    pub fn wants_compaction(&self, now: Instant) -> bool {
        if now < self.next_compact {
            return false;
        }
        self.log.compaction_recommended()
            || (now >= self.force_compact && self.log.record_count() > 2)
    }

    pub fn path(&self) -> &Path {
        self.log.path()
    }

    /// Size in bytes and number of records.
    pub fn size(&self) -> (u64, u64) {
        (self.log.offset(), self.log.record_count())
    }
}
