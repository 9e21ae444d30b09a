//! Reading schemas and database files the way the reference tool does, and writing
//! whole database files (create, compact, convert).
//!
//! Unlike a server, which drops a torn or corrupt tail and carries on, the tool fails
//! on any record it cannot read, naming it, and changes nothing: the reference behaves
//! that way and an operator running `ovsdb-tool` on a damaged file wants to hear
//! about it. Every error comes back as the text the reference prints after
//! `ovsdb-tool: `.

use std::fs::File;
use std::io::Read;
use std::path::Path;
use std::sync::Arc;

use ovs_daemon::util;
use ovs_hash_order::{scan_to_depth, Shape};
use ovs_json::{Json, Object};
use ovsdb::file::{apply_record, snapshot_record};
use ovsdb::schema::DatabaseSchema;
use ovsdb::storage::now_ms;
use ovsdb::{Database, Error};
use ovsdb_log::{ErrorKind, FileType, Log, LogError, OpenMode};

use crate::paths::SchemaSource;

/// A failure to report: the text after `ovsdb-tool: `.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fatal(pub String);

impl From<LogError> for Fatal {
    fn from(e: LogError) -> Fatal {
        Fatal(e.to_string())
    }
}

impl From<Error> for Fatal {
    fn from(e: Error) -> Fatal {
        Fatal(error_text(&e))
    }
}

/// An OVSDB error as the reference prints it: `syntax "<json>": ` when it carries the
/// offending JSON, then the tag, then `: <details>` if any.
pub fn error_text(e: &Error) -> String {
    let mut out = String::new();
    if let Some(syntax) = &e.syntax {
        out.push_str(&format!("syntax \"{}\": ", syntax.to_compact()));
    }
    out.push_str(&e.to_string());
    out
}

/// The reference's message for an operation that needs a standalone file.
pub fn clustered_error(path: &str) -> Fatal {
    Fatal(format!(
        "ovsdb error: {path}: cannot apply this operation to clustered database file"
    ))
}

/// Maps a failed open of a database file to the reference's message.
pub fn open_error(path: &str, e: LogError) -> Fatal {
    if matches!(e.kind(), ErrorKind::Clustered) {
        clustered_error(path)
    } else {
        e.into()
    }
}

/// Reads a schema file (or the built-in schema) the way the reference does.
pub fn read_schema_file(source: &SchemaSource) -> Result<DatabaseSchema, Fatal> {
    let path = match source {
        SchemaSource::BuiltIn => {
            let json = ovs_json::parse(vswitch_schema::VSWITCH_SCHEMA).map_err(|e| {
                Fatal(format!(
                    "failed to read schema: built-in schema could not be read as JSON ({e})"
                ))
            })?;
            return DatabaseSchema::from_json(&json).map_err(Fatal::from);
        }
        SchemaSource::File(path) => path,
    };
    let unreadable = |why: String| {
        Fatal(format!(
            "failed to read schema: \"{path}\" could not be read as JSON ({why})"
        ))
    };
    let mut file = File::open(path).map_err(|e| {
        unreadable(format!(
            "error opening \"{path}\": {}",
            util::error_text(&e)
        ))
    })?;
    let mut text = Vec::new();
    file.read_to_end(&mut text).map_err(|e| {
        unreadable(format!(
            "error reading JSON stream: {}",
            util::error_text(&e)
        ))
    })?;
    let json = ovs_json::parse_bytes_lossy(&text).map_err(|e| unreadable(e.to_string()))?;
    DatabaseSchema::from_json(&json).map_err(|mut e| {
        e.details = format!("failed to parse \"{path}\" as ovsdb schema: {}", e.details);
        Fatal::from(e)
    })
}

/// Reads the schema record (record 0) of an open log.
pub fn read_schema_record(log: &mut Log) -> Result<DatabaseSchema, Fatal> {
    let Some(json) = log.read_record()? else {
        // The log refuses empty files, so a file without records cannot get here; say
        // what is wrong anyway.
        return Err(Fatal(format!(
            "ovsdb error: {}: cannot identify file type",
            log.path().display()
        )));
    };
    Ok(DatabaseSchema::from_json(&json)?)
}

/// Reads only the schema of a standalone database file.
pub fn read_db_schema(path: &str) -> Result<DatabaseSchema, Fatal> {
    let mut log = Log::open(path, OpenMode::ReadOnly, false).map_err(|e| open_error(path, e))?;
    read_schema_record(&mut log)
}

/// A database replayed from its file, with the log positioned at its end.
pub struct Loaded {
    pub db: Database,
    pub log: Log,
}

/// Replays every record of `log` (just opened). With `as_schema`, the records are
/// read as data for that schema instead of the file's own, as `convert` does: tables
/// and columns it lacks are skipped, and every value must fit it.
pub fn replay(mut log: Log, as_schema: Option<Arc<DatabaseSchema>>) -> Result<Loaded, Fatal> {
    let file_schema = read_schema_record(&mut log)?;
    let converting = as_schema.is_some();
    let schema = as_schema.unwrap_or_else(|| Arc::new(file_schema));
    let mut db = Database::new(schema);
    let mut orders = KeyOrderReader::new(log.path());
    let mut start = log.offset();
    while let Some(record) = log.read_record()? {
        if converting {
            let order = orders.order(start, log.offset());
            let record = for_schema(&db.schema, &record, &order)?;
            apply_record(&mut db, &record)?;
        } else {
            apply_record(&mut db, &record)?;
        }
        start = log.offset();
    }
    Ok(Loaded { db, log })
}

/// Reads the member order of records back from the file (see [`Shape`]): the log
/// hands out parsed records, which have lost it.
pub struct KeyOrderReader {
    path: std::path::PathBuf,
    /// Opened on first use; `None` after a failure, when sorted order is used.
    file: Option<File>,
}

impl KeyOrderReader {
    pub fn new(path: &Path) -> KeyOrderReader {
        KeyOrderReader {
            path: path.to_path_buf(),
            file: None,
        }
    }

    /// The member order of the record stored between offsets `start` and `end`
    /// (header line included); empty if it cannot be read.
    pub fn order(&mut self, start: u64, end: u64) -> Shape {
        use std::os::unix::fs::FileExt;
        if self.file.is_none() {
            self.file = File::open(&self.path).ok();
        }
        let (Some(file), Ok(len)) = (&self.file, usize::try_from(end.saturating_sub(start))) else {
            return Shape::Leaf;
        };
        let mut bytes = vec![0u8; len];
        if file.read_exact_at(&mut bytes, start).is_err() {
            return Shape::Leaf;
        }
        let body = match bytes.iter().position(|&b| b == b'\n') {
            Some(nl) => &bytes[nl + 1..],
            None => &bytes[..],
        };
        // A record's tables, rows and column names are all that is iterated.
        scan_to_depth(body, 3)
    }
}

/// The names of `object`'s members in the reference's iteration order, given the
/// text order in `shape` (members missing from it go last, sorted).
pub fn members_in_order<'a>(object: &'a Object, shape: &Shape) -> Vec<&'a str> {
    shape
        .object_members(object)
        .into_iter()
        .map(|(name, _)| name)
        .collect()
}

/// A record reduced to what `schema` knows, after checking that each value it keeps
/// fits the schema (types, sizes and constraints), in the order the reference checks
/// them, so that the first error reported is the same.
fn for_schema(schema: &DatabaseSchema, record: &Json, order: &Shape) -> Result<Json, Fatal> {
    let Some(members) = record.as_object() else {
        return Ok(record.clone());
    };
    let is_diff = matches!(members.get("_is_diff"), Some(Json::Bool(true)));
    let mut out = Object::new();
    for tname in members_in_order(members, order) {
        let value = &members[tname];
        if tname.starts_with('_') {
            out.insert(tname.to_string(), value.clone());
            continue;
        }
        let Some(table) = schema.table(tname) else {
            continue;
        };
        let Some(rows) = value.as_object() else {
            out.insert(tname.to_string(), value.clone());
            continue;
        };
        let table_order = order.member(tname);
        let mut kept_rows = Object::new();
        for uuid in members_in_order(rows, table_order) {
            let row = &rows[uuid];
            let Some(columns) = row.as_object() else {
                kept_rows.insert(uuid.to_string(), row.clone());
                continue;
            };
            let mut kept = Object::new();
            for cname in members_in_order(columns, table_order.member(uuid)) {
                let Some(column) = table.column(cname).filter(|c| !c.name.starts_with('_')) else {
                    continue;
                };
                let value = &columns[cname];
                check_value(value, &column.type_, is_diff)?;
                kept.insert(cname.to_string(), value.clone());
            }
            kept_rows.insert(uuid.to_string(), Json::Object(kept));
        }
        out.insert(tname.to_string(), Json::Object(kept_rows));
    }
    Ok(Json::Object(out))
}

/// Checks that `value` is valid for `t`: as a difference (any size) when `is_diff` and
/// the column holds more than one value, else as a whole value.
fn check_value(value: &Json, t: &ovsdb::Type, is_diff: bool) -> Result<(), Fatal> {
    let relaxed;
    let t = if is_diff && t.max > 1 {
        relaxed = ovsdb::Type {
            min: 0,
            max: ovsdb::types::UNLIMITED,
            ..t.clone()
        };
        &relaxed
    } else {
        t
    };
    let datum = ovsdb::Datum::from_json(value, t, &mut |_| None)?;
    datum.check_constraints(t)?;
    Ok(())
}

/// Writes a complete database file at `path` (which must not exist): the schema, then
/// one record holding all of `db`'s rows, with `comment`.
pub fn write_new(path: &str, db: &Database, comment: &str) -> Result<(), Fatal> {
    let mut log = Log::open(path, OpenMode::CreateExcl, false)?;
    log.write_record(&db.schema.to_json())?;
    log.write_record(&snapshot_record(db, Some(comment), now_ms()))?;
    log.commit(true)?;
    Ok(())
}

/// Rewrites an open (read-write, locked) log in place as the schema plus a snapshot,
/// through `replacer` (from [`Log::replace_start`]).
pub fn replace(
    log: &mut Log,
    mut replacer: ovsdb_log::LogReplacer,
    db: &Database,
    comment: &str,
) -> Result<(), Fatal> {
    replacer.write_record(&db.schema.to_json())?;
    replacer.write_record(&snapshot_record(db, Some(comment), now_ms()))?;
    log.replace_commit(replacer)?;
    Ok(())
}

/// What kind of database `path` is (only its first header is read).
pub fn identify(path: &str) -> Result<FileType, Fatal> {
    Ok(ovsdb_log::identify(path)?)
}
