//! Check for the `log_records` target, file level: reading a database file made of
//! arbitrary bytes.
//!
//! Input layout: byte 0 selects how the rest becomes the file.
//! - mode 0 (and 3): the bytes are the file, as is;
//! - mode 1: each line that parses as a JSON object is written as a record (correct
//!   length and SHA-1, through `ovsdb_log::Log`); from the first line that does not, the
//!   remaining bytes are appended raw, as a corrupt or torn tail;
//! - mode 2: as mode 1, after a first record holding the `TxnTest` schema, so that the
//!   records reach `ovsdb::storage::open`'s replay.
//!
//! The file must read as its good records in order, then a clean end or an error value
//! (never a panic); a log opened for writing must cut a bad tail off when it appends,
//! and read back exactly the good records plus the appended one.
//!
//! Shared with `crates/ovsdb-log/tests/fuzz_corpus.rs` and
//! `crates/ovsdb/tests/fuzz_corpus.rs` through `#[path]` (as a crate-root module named
//! `log_check`); uses `ovsdb_log`, `ovs_json` and std only.

use ovs_json::Json;
use ovsdb_log::{Log, LogError, OpenMode};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The schema written first in mode 2.
const SCHEMA: &str = include_str!("../../crates/ovsdb/tests/fixtures/txn-test.ovsschema");

/// What a checked input turned into.
pub struct Built {
    /// A copy of the file as built (before the append check changed it), for further
    /// checks.
    pub path: PathBuf,
    /// How many good records it held, `None` if the log refused to open it.
    pub records: Option<usize>,
}

/// Builds the file `data` describes in `dir` and checks reading and appending.
pub fn check(data: &[u8], dir: &Path) -> Built {
    let path = dir.join("fuzz.db");
    let written = write_file(data, &path);
    let read = read_all(&path, OpenMode::ReadOnly);
    if let Some((records, _)) = &read {
        // Records written through the log read back as written (after the print round
        // trip that writing does).
        assert!(
            records.len() >= written.len(),
            "{} records written but only {} read",
            written.len(),
            records.len()
        );
        assert_eq!(
            &records[..written.len()],
            &written[..],
            "records changed on disk"
        );
    }
    // The file checked by later checks is a copy; the append check changes this one.
    let keep = dir.join("fuzz-copy.db");
    if let Err(e) = std::fs::copy(&path, &keep) {
        panic!("cannot copy {}: {e}", path.display());
    }
    let records = read.map(|(records, _)| {
        check_append(&path, &records);
        records.len()
    });
    Built {
        path: keep,
        records,
    }
}

/// Writes the file and returns the records written through the log, as they should read
/// back.
fn write_file(data: &[u8], path: &Path) -> Vec<Json> {
    let (mode, body) = match data.split_first() {
        Some((&m, rest)) => (m % 4, rest),
        None => (0, data),
    };
    if mode == 0 || mode == 3 {
        write_raw(path, body, false);
        return Vec::new();
    }
    let mut log = match Log::open(path, OpenMode::CreateExcl, false) {
        Ok(log) => log,
        Err(e) => panic!("cannot create {}: {e}", path.display()),
    };
    let mut written = Vec::new();
    if mode == 2 {
        let schema = match ovs_json::parse(SCHEMA) {
            Ok(s) => s,
            Err(e) => panic!("fuzz schema does not parse: {e}"),
        };
        append(&mut log, &schema, &mut written);
    }
    let mut rest = body;
    while !rest.is_empty() {
        let end = rest
            .iter()
            .position(|&b| b == b'\n')
            .map_or(rest.len(), |i| i + 1);
        let record = match ovs_json::parse_bytes(&rest[..end]) {
            Ok(json @ Json::Object(_)) => json,
            _ => break,
        };
        if log.write_record(&record).is_err() {
            // Not writable as a record (a NUL in a string, say): the rest goes in raw.
            break;
        }
        written.push(reread(&record));
        rest = &rest[end..];
    }
    if let Err(e) = log.commit(false) {
        panic!("commit to {} failed: {e}", path.display());
    }
    drop(log);
    write_raw(path, rest, true);
    written
}

fn append(log: &mut Log, record: &Json, written: &mut Vec<Json>) {
    if let Err(e) = log.write_record(record) {
        panic!("cannot write a record: {e}");
    }
    written.push(reread(record));
}

/// The value a record has once written (compact text) and read back.
fn reread(record: &Json) -> Json {
    let text = record.to_compact();
    ovs_json::parse(&text).unwrap_or_else(|e| panic!("record text does not parse ({e}): {text}"))
}

fn write_raw(path: &Path, bytes: &[u8], append: bool) {
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(append)
        .write(true)
        .truncate(!append)
        .open(path);
    if let Err(e) = file.and_then(|mut f| f.write_all(bytes)) {
        panic!("cannot write {}: {e}", path.display());
    }
}

/// Opens the file and reads every record. `None` if the log refuses the file; else the
/// good records and the error reading ended with, if any.
fn read_all(path: &Path, mode: OpenMode) -> Option<(Vec<Json>, Option<LogError>)> {
    let mut log = match Log::open(path, mode, false) {
        Ok(log) => log,
        Err(e) => {
            assert!(!e.to_string().is_empty());
            return None;
        }
    };
    let len = std::fs::metadata(path).map(|m| m.len()).unwrap_or(u64::MAX);
    let mut records = Vec::new();
    let end = loop {
        match log.read_record() {
            Ok(Some(record)) => {
                assert!(
                    matches!(record, Json::Object(_)),
                    "a record is not an object"
                );
                records.push(record);
                // Every record takes at least a header line: reading must end.
                assert!(records.len() as u64 <= len, "more records than bytes");
            }
            Ok(None) => break None,
            Err(e) => break Some(e),
        }
    };
    assert_eq!(
        log.record_count(),
        records.len() as u64,
        "record count is off"
    );
    assert!(
        log.offset() <= len,
        "offset {} past the end {len}",
        log.offset()
    );
    match &end {
        None => {
            assert_eq!(log.offset(), len, "clean end before the end of the file");
            assert!(log.corrupt_tail().is_none());
        }
        Some(e) => {
            assert!(!e.to_string().is_empty());
            // Reading stays stopped, with the same error.
            let again = log.read_record();
            assert!(
                matches!(&again, Err(e2) if e2.to_string() == e.to_string()),
                "reading on after {e} gave {again:?}"
            );
            if e.is_corruption() {
                let Some(tail) = log.corrupt_tail() else {
                    panic!("corruption ({e}) without a corrupt tail");
                };
                assert_eq!(tail.offset, log.offset(), "corrupt tail is not at the end");
                assert_eq!(tail.offset + tail.bytes, len, "corrupt tail size is off");
            }
        }
    }
    Some((records, end))
}

/// Opens the file for writing, appends a record, and reads the file back: the good
/// records, then the new one, then a clean end.
fn check_append(path: &Path, good: &[Json]) {
    let mut log = match Log::open(path, OpenMode::ReadWrite, false) {
        Ok(log) => log,
        Err(e) => panic!("read-only open worked but read-write failed: {e}"),
    };
    let mut records = Vec::new();
    let end = loop {
        match log.read_record() {
            Ok(Some(r)) => records.push(r),
            Ok(None) => break None,
            Err(e) => break Some(e),
        }
    };
    assert_eq!(records, good, "read-write open read other records");
    if end.as_ref().is_some_and(|e| !e.is_corruption()) {
        // An I/O error while reading: appending is refused, rightly.
        return;
    }
    let marker = Json::object([("_fuzz", Json::Integer(good.len() as i64))]);
    if let Err(e) = log.write_record(&marker).and_then(|()| log.commit(false)) {
        panic!("append after {} good records failed: {e}", good.len());
    }
    drop(log);
    match read_all(path, OpenMode::ReadOnly) {
        Some((after, None)) => {
            let mut want = good.to_vec();
            want.push(marker);
            assert_eq!(after, want, "appending did not cut the bad tail cleanly");
        }
        Some((_, Some(e))) => panic!("file is bad after an append: {e}"),
        None => panic!("file cannot be opened after an append"),
    }
}
