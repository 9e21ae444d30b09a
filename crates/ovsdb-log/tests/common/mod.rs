//! Helpers shared by the integration tests: a tiny schema, hand-framed records (an
//! independent oracle for the format), and reading a whole log.

#![allow(dead_code)] // each test file uses a different subset

use std::path::Path;

use ovs_json::Json;
use ovsdb_log::{Log, LogError, OpenMode};
use sha1::{Digest, Sha1};

/// The schema the tests put in record 0.
pub const TINY_SCHEMA: &str = r#"{"name":"tiny","version":"1.0.0","tables":{"T":{"columns":{"name":{"type":"string"},"n":{"type":"integer"}}}}}"#;

pub fn schema() -> Json {
    parse(TINY_SCHEMA)
}

pub fn parse(text: &str) -> Json {
    ovs_json::parse(text).unwrap_or_else(|e| panic!("bad test JSON {text}: {e}"))
}

/// A transaction record inserting or modifying row `uuid` of table T.
pub fn txn(uuid: &str, name: &str, n: i64) -> Json {
    parse(&format!(
        r#"{{"_date":1700000000000,"T":{{"{uuid}":{{"name":{},"n":{n}}}}}}}"#,
        Json::string(name)
    ))
}

/// One record framed by hand from `body` (which should end with LF): the header is
/// computed here, independently of the crate under test.
pub fn frame(body: &[u8]) -> Vec<u8> {
    let hash: [u8; 20] = Sha1::digest(body).into();
    let hex: String = hash.iter().map(|b| format!("{b:02x}")).collect();
    let mut out = format!("OVSDB JSON {} {hex}\n", body.len()).into_bytes();
    out.extend_from_slice(body);
    out
}

/// `frame` of a JSON value's compact text plus LF.
pub fn frame_json(json: &Json) -> Vec<u8> {
    frame(format!("{}\n", json.to_compact()).as_bytes())
}

/// Start offsets of each record of a well-formed file, found by an independent scan.
pub fn record_starts(bytes: &[u8]) -> Vec<usize> {
    let mut starts = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        starts.push(i);
        let nl = i + bytes[i..]
            .iter()
            .position(|&b| b == b'\n')
            .expect("header LF");
        let header = std::str::from_utf8(&bytes[i..nl]).expect("header UTF-8");
        let length: usize = header
            .split(' ')
            .nth(2)
            .expect("length")
            .parse()
            .expect("number");
        i = nl + 1 + length;
    }
    starts
}

/// Reads every record; returns them and the error that ended reading, if any.
pub fn read_all(log: &mut Log) -> (Vec<Json>, Option<LogError>) {
    let mut records = Vec::new();
    loop {
        match log.read_record() {
            Ok(Some(json)) => records.push(json),
            Ok(None) => return (records, None),
            Err(e) => return (records, Some(e)),
        }
    }
}

/// Opens `path` read-only without locking and reads everything.
pub fn read_file(path: &Path) -> (Vec<Json>, Option<LogError>) {
    match Log::open(path, OpenMode::ReadOnly, false) {
        Ok(mut log) => read_all(&mut log),
        Err(e) => (Vec::new(), Some(e)),
    }
}

/// Creates `path` with `records` through the crate under test.
pub fn create(path: &Path, records: &[Json]) {
    let mut log = Log::open(path, OpenMode::CreateExcl, true).expect("create");
    for r in records {
        log.write_record(r).expect("write");
    }
    log.commit(true).expect("commit");
}
