//! Torn and corrupt logs: reading keeps every good record, reports the first bad one
//! in the reference's words, and a writable log cuts the bad tail off when it appends.
//! The expected texts were observed from the real `ovsdb-tool show-log` (3.1); the
//! `interop` tests compare against the live tool as well.

mod common;

use std::path::Path;

use common::*;
use ovs_json::Json;
use ovsdb_log::{ErrorKind, Log, OpenMode};
use testkit::RunDir;

const U1: &str = "27375f23-e45b-43df-890b-471c042fbc30";
const U2: &str = "dca60b91-7338-4f90-8fc5-74195e60880f";

fn good_records() -> Vec<Json> {
    vec![
        schema(),
        txn(U1, "a", 1),
        txn(U1, "a\nb", 2),
        txn(U2, "z", 3),
    ]
}

fn good_bytes() -> Vec<u8> {
    good_records().iter().flat_map(frame_json).collect()
}

/// Reads `path` read-only and then read-write; both must return `n_good` records and
/// the same error. Then appends a record and checks the file is the good prefix plus
/// that record. Returns the error text.
fn check_recovery(path: &Path, n_good: usize) -> Option<String> {
    let good = good_records();
    let (records, ro_error) = read_file(path);
    assert_eq!(records, good[..n_good], "read-only, {}", path.display());

    let original = std::fs::read(path).unwrap();
    let mut log = Log::open(path, OpenMode::ReadWrite, true).unwrap();
    let (records, rw_error) = read_all(&mut log);
    assert_eq!(records, good[..n_good]);
    assert_eq!(
        ro_error.as_ref().map(|e| e.to_string()),
        rw_error.as_ref().map(|e| e.to_string())
    );
    let good_len: usize = good[..n_good].iter().map(|r| frame_json(r).len()).sum();
    assert_eq!(log.offset(), good_len as u64);
    if let Some(e) = &rw_error {
        assert!(e.is_corruption(), "{e}");
        // The error is sticky until writing starts.
        assert_eq!(log.read_record().unwrap_err().to_string(), e.to_string());
        let tail = log.corrupt_tail().expect("corrupt tail recorded");
        assert_eq!(tail.offset, good_len as u64);
        assert_eq!(tail.bytes, (original.len() - good_len) as u64);
    }
    // Reading alone changes nothing on disk.
    assert_eq!(std::fs::read(path).unwrap(), original);

    let extra = txn(U2, "after recovery", 99);
    log.write_record(&extra).unwrap();
    log.commit(true).unwrap();
    drop(log);
    let mut expected = original[..good_len].to_vec();
    expected.extend(frame_json(&extra));
    assert_eq!(std::fs::read(path).unwrap(), expected);
    let (records, error) = read_file(path);
    assert!(error.is_none(), "{error:?}");
    assert_eq!(records.len(), n_good + 1);
    rw_error.map(|e| e.to_string())
}

#[test]
fn truncated_tail_at_every_offset_of_the_last_record() {
    let dir = RunDir::new("truncated_tail_every_offset");
    let bytes = good_bytes();
    let starts = record_starts(&bytes);
    let last = starts[3];
    for cut in last..bytes.len() {
        let path = dir.file(&format!("cut{cut}.db"));
        std::fs::write(&path, &bytes[..cut]).unwrap();
        let error = check_recovery(&path, 3);
        if cut == last {
            assert_eq!(error, None, "a cut at a record boundary is a clean end");
        } else {
            let error = error.unwrap_or_else(|| panic!("cut at {cut}: no error"));
            let header_len = bytes[last..].iter().position(|&b| b == b'\n').unwrap() + 1;
            if cut < last + header_len {
                assert!(
                    error.contains(&format!("parse error at offset {last} in header line")),
                    "{error}"
                );
            } else {
                let data = last + header_len;
                let length = bytes.len() - data;
                assert!(
                    error.ends_with(&format!(
                        "error reading {length} bytes starting at offset {data} (End of file)"
                    )),
                    "{error}"
                );
            }
        }
        std::fs::remove_file(&path).unwrap();
    }
}

#[test]
fn truncated_header_quotes_the_magic_like_the_reference() {
    let dir = RunDir::new("truncated_header_text");
    let path = dir.file("t.db");
    let bytes = good_bytes();
    let last = record_starts(&bytes)[3];
    std::fs::write(&path, &bytes[..last + 20]).unwrap();
    let error = check_recovery(&path, 3).unwrap();
    assert_eq!(
        error,
        format!(
            "syntax error: {}: parse error at offset {last} in header line \"OVSDB JSON\"",
            path.display()
        )
    );
}

#[test]
fn corrupted_sha1_is_reported_with_both_hashes() {
    let dir = RunDir::new("corrupted_sha1");
    let path = dir.file("t.db");
    let mut bytes = good_bytes();
    let last = record_starts(&bytes)[3];
    let hash_start = last
        + "OVSDB JSON ".len()
        + bytes[last + 11..].iter().position(|&b| b == b' ').unwrap()
        + 1;
    let expected = String::from_utf8(bytes[hash_start..hash_start + 40].to_vec()).unwrap();
    bytes[hash_start + 5] = if bytes[hash_start + 5] == b'0' {
        b'1'
    } else {
        b'0'
    };
    let wrong = String::from_utf8(bytes[hash_start..hash_start + 40].to_vec()).unwrap();
    std::fs::write(&path, &bytes).unwrap();
    let error = check_recovery(&path, 3).unwrap();
    let data = hash_start + 41;
    let length = bytes.len() - data;
    assert_eq!(
        error,
        format!(
            "syntax error: {}: {length} bytes starting at offset {data} have SHA-1 hash \
             {expected} but should have hash {wrong}",
            path.display()
        )
    );
}

#[test]
fn corrupted_data_byte_fails_the_hash() {
    let dir = RunDir::new("corrupted_data_byte");
    let path = dir.file("t.db");
    let mut bytes = good_bytes();
    let second = record_starts(&bytes)[1];
    let data = second + bytes[second..].iter().position(|&b| b == b'\n').unwrap() + 1;
    bytes[data + 3] ^= 0x01;
    std::fs::write(&path, &bytes).unwrap();
    // Everything from the bad record on is lost, including good records after it.
    let error = check_recovery(&path, 1).unwrap();
    assert!(error.contains("have SHA-1 hash"), "{error}");
}

#[test]
fn corrupted_length_smaller_larger_and_past_the_end() {
    let dir = RunDir::new("corrupted_length");
    let bytes = good_bytes();
    let starts = record_starts(&bytes);
    let header = |i: usize| {
        let nl = starts[i] + bytes[starts[i]..].iter().position(|&b| b == b'\n').unwrap();
        String::from_utf8(bytes[starts[i]..nl].to_vec()).unwrap()
    };
    for (record, delta, what) in [(3usize, -1i64, "hash"), (1, 1, "hash"), (3, 1000, "eof")] {
        let old = header(record);
        let words: Vec<&str> = old.split(' ').collect();
        let length: i64 = words[2].parse().unwrap();
        let new = format!("OVSDB JSON {} {}", length + delta, words[3]);
        let mut corrupted = bytes[..starts[record]].to_vec();
        corrupted.extend(new.as_bytes());
        corrupted.extend(&bytes[starts[record] + old.len()..]);
        let path = dir.file(&format!("len{record}{delta}.db"));
        std::fs::write(&path, &corrupted).unwrap();
        let error = check_recovery(&path, record).unwrap();
        let data = starts[record] + new.len() + 1;
        let expected = match what {
            "hash" => format!(
                "{} bytes starting at offset {data} have SHA-1 hash",
                length + delta
            ),
            _ => format!(
                "error reading {} bytes starting at offset {data} (End of file)",
                length + delta
            ),
        };
        assert!(error.contains(&expected), "{error} / {expected}");
    }
}

#[test]
fn garbage_appended_is_quoted_and_cut_off() {
    let dir = RunDir::new("garbage_appended");
    let bytes = good_bytes();
    let end = bytes.len();
    let long = "A".repeat(500) + "\n";
    for (garbage, quoted) in [
        ("hello world garbage\n", "hello world garbage".to_string()),
        ("xyz", "xyz".to_string()),
        (long.as_str(), "A".repeat(127)),
        ("\n", String::new()),
        (
            "OVSDB CLUSTER 3 0000000000000000000000000000000000000000\n{}\n",
            "OVSDB CLUSTER".to_string(),
        ),
    ] {
        let path = dir.file("g.db");
        let mut corrupted = bytes.clone();
        corrupted.extend(garbage.as_bytes());
        std::fs::write(&path, &corrupted).unwrap();
        let error = check_recovery(&path, 4);
        assert_eq!(
            error.as_deref(),
            Some(
                format!(
                    "syntax error: {}: parse error at offset {end} in header line \"{quoted}\"",
                    path.display()
                )
                .as_str()
            )
        );
        std::fs::remove_file(&path).unwrap();
    }
}

#[test]
fn invalid_json_and_non_objects_with_good_hashes() {
    let dir = RunDir::new("invalid_json_records");
    let bytes = good_bytes();
    let end = bytes.len();
    for (body, detail) in [
        (&b"{\"bad json\n"[..], "11 bytes starting at offset {data} are not valid JSON (line 0, column 10, byte 10: U+000A must be escaped in quoted string)"),
        (b"[1,2]\n", "6 bytes starting at offset {data} are not a JSON object"),
        (b"5\n", "2 bytes starting at offset {data} are not valid JSON (line 0, column 1, byte 1: syntax error at beginning of input)"),
        (b"{}{}\n", "5 bytes starting at offset {data} are not valid JSON (line 0, column 2, byte 2: trailing garbage at end of input)"),
        (b"\n", "1 bytes starting at offset {data} are not valid JSON (line 1, column 0, byte 1: empty input stream)"),
    ] {
        let path = dir.file("j.db");
        let mut corrupted = bytes.clone();
        let record = frame(body);
        let data = end + record.iter().position(|&b| b == b'\n').unwrap() + 1;
        corrupted.extend(record);
        std::fs::write(&path, &corrupted).unwrap();
        let error = check_recovery(&path, 4).unwrap();
        let detail = detail.replace("{data}", &data.to_string());
        assert_eq!(error, format!("syntax error: {}: {detail}", path.display()));
        std::fs::remove_file(&path).unwrap();
    }
}

#[test]
fn a_huge_corrupt_length_is_not_allocated() {
    let dir = RunDir::new("huge_corrupt_length");
    let path = dir.file("t.db");
    let mut bytes = good_bytes();
    bytes.extend(b"OVSDB JSON 18446744073709551614 0000000000000000000000000000000000000000\n{}\n");
    std::fs::write(&path, &bytes).unwrap();
    let error = check_recovery(&path, 4).unwrap();
    assert!(
        error.contains("error reading 18446744073709551614 bytes"),
        "{error}"
    );
}

#[test]
fn corrupt_schema_record_leaves_nothing() {
    let dir = RunDir::new("corrupt_first_record");
    let path = dir.file("t.db");
    let mut bytes = good_bytes();
    let data = bytes.iter().position(|&b| b == b'\n').unwrap() + 1;
    bytes[data + 2] ^= 0x20;
    std::fs::write(&path, &bytes).unwrap();
    let mut log = Log::open(&path, OpenMode::ReadWrite, true).unwrap();
    let e = log.read_record().unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::BadHash { .. }), "{e}");
    assert_eq!(log.offset(), 0);
}
