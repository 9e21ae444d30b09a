//! Writing and reading back: framing, counts, offsets, modes and their refusals.

mod common;

use common::*;
use ovs_json::Json;
use ovsdb_log::{identify, ErrorKind, FileType, Log, OpenMode};
use testkit::RunDir;

#[test]
fn many_records_round_trip() {
    let dir = RunDir::new("many_records_round_trip");
    let path = dir.file("t.db");
    let mut written = vec![schema()];
    for i in 0..5000 {
        let uuid = format!("00000000-0000-4000-8000-{i:012}");
        written.push(txn(
            &uuid,
            &format!("row {i}\n\"quoted\"\t\u{e9}"),
            i * 7 - 100,
        ));
    }
    let mut log = Log::open(&path, OpenMode::CreateExcl, true).unwrap();
    for r in &written {
        log.write_record(r).unwrap();
    }
    log.commit(true).unwrap();
    assert_eq!(log.record_count(), written.len() as u64);
    let size = std::fs::metadata(&path).unwrap().len();
    assert_eq!(log.offset(), size);
    drop(log);

    let mut log = Log::open(&path, OpenMode::ReadWrite, true).unwrap();
    let (read, error) = read_all(&mut log);
    assert!(error.is_none(), "{error:?}");
    assert_eq!(read, written);
    assert_eq!(log.record_count(), written.len() as u64);
    assert_eq!(log.offset(), size);
    // A clean end stays clean.
    assert_eq!(log.read_record().unwrap(), None);
}

#[test]
fn written_bytes_are_header_compact_json_and_newline() {
    let dir = RunDir::new("written_bytes");
    let path = dir.file("t.db");
    let records = [
        schema(),
        txn("0b6a3c4e-1111-4222-8333-944455556666", "a\nb", 5),
    ];
    create(&path, &records);
    let expected: Vec<u8> = records.iter().flat_map(frame_json).collect();
    assert_eq!(std::fs::read(&path).unwrap(), expected);
    // Every record is exactly two lines: a string's LF is escaped.
    let text = String::from_utf8(expected).unwrap();
    assert_eq!(text.lines().count(), 4);
    assert!(text.contains(r#""name":"a\nb""#), "{text}");
}

#[test]
fn reads_any_valid_json_text_with_the_right_length_and_hash() {
    let dir = RunDir::new("reads_any_json");
    let path = dir.file("t.db");
    let pretty = schema().to_pretty() + "\n";
    let mut bytes = frame(pretty.as_bytes());
    // Members out of order, spaces, LFs inside, no final LF: all fine when the
    // header's length and hash cover exactly these bytes.
    bytes.extend(frame(b"{ \"b\" : 1,\n  \"a\" : [1, 2.5, \"x\"] }\n"));
    bytes.extend(frame(b"{}"));
    std::fs::write(&path, &bytes).unwrap();
    let (records, error) = read_file(&path);
    assert!(error.is_none(), "{error:?}");
    assert_eq!(
        records,
        vec![schema(), parse(r#"{"a":[1,2.5,"x"],"b":1}"#), parse("{}")]
    );
}

#[test]
fn upper_case_hash_is_accepted() {
    let dir = RunDir::new("upper_case_hash");
    let path = dir.file("t.db");
    let mut bytes = frame_json(&schema());
    let nl = bytes.iter().position(|&b| b == b'\n').unwrap();
    bytes[..nl].make_ascii_uppercase();
    std::fs::write(&path, &bytes).unwrap();
    let (records, error) = read_file(&path);
    assert!(error.is_none(), "{error:?}");
    assert_eq!(records, vec![schema()]);
}

#[test]
fn read_only_logs_refuse_writes_and_replacement() {
    let dir = RunDir::new("read_only_refuses");
    let path = dir.file("t.db");
    create(&path, &[schema()]);
    let mut log = Log::open(&path, OpenMode::ReadOnly, false).unwrap();
    assert!(!log.is_locked());
    read_all(&mut log);
    let e = log.write_record(&schema()).unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::ReadOnly), "{e}");
    assert!(log.replace_start().is_err());
    assert_eq!(
        e.to_string(),
        format!(
            "ovsdb error: {}: cannot write to a log opened read-only",
            path.display()
        )
    );
}

#[test]
fn appending_requires_reading_to_the_end_first() {
    let dir = RunDir::new("append_after_reading");
    let path = dir.file("t.db");
    create(
        &path,
        &[
            schema(),
            txn("00000000-0000-4000-8000-000000000001", "a", 1),
        ],
    );
    let mut log = Log::open(&path, OpenMode::ReadWrite, true).unwrap();
    log.read_record().unwrap();
    let e = log.write_record(&parse("{}")).unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::NotAtEnd), "{e}");
    read_all(&mut log);
    log.write_record(&parse(r#"{"x":1}"#)).unwrap();
    log.commit(false).unwrap();
    // Reading after writing has begun finds nothing more.
    assert_eq!(log.read_record().unwrap(), None);
    drop(log);
    let (records, error) = read_file(&path);
    assert!(error.is_none());
    assert_eq!(records.len(), 3);
    assert_eq!(records[2], parse(r#"{"x":1}"#));
}

#[test]
fn records_that_would_not_read_back_are_refused() {
    let dir = RunDir::new("records_must_be_objects");
    let path = dir.file("t.db");
    let mut log = Log::open(&path, OpenMode::CreateExcl, false).unwrap();
    let e = log
        .write_record(&Json::array([Json::Integer(1)]))
        .unwrap_err();
    assert!(
        e.to_string()
            .ends_with("cannot write record: a log record must be a JSON object, not array"),
        "{e}"
    );
    let nul = Json::object([("name", Json::string("a\0b"))]);
    let e = log.write_record(&nul).unwrap_err();
    assert!(e.to_string().contains("contains a NUL character"), "{e}");
    let nan = Json::object([("n", Json::Real(f64::NAN))]);
    let e = log.write_record(&nan).unwrap_err();
    assert!(e.to_string().contains("is not finite"), "{e}");
    assert_eq!(std::fs::metadata(&path).unwrap().len(), 0);
    // The log is still usable.
    log.write_record(&schema()).unwrap();
    drop(log);
    assert_eq!(read_file(&path).0, vec![schema()]);
}

#[test]
fn create_and_open_errors_use_the_reference_wording() {
    let dir = RunDir::new("open_errors");
    let path = dir.file("t.db");
    create(&path, &[schema()]);
    let e = Log::open(&path, OpenMode::CreateExcl, false).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!("I/O error: {}: create failed (File exists)", path.display())
    );
    let missing = dir.file("missing.db");
    let e = Log::open(&missing, OpenMode::ReadWrite, false).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "I/O error: {}: open failed (No such file or directory)",
            missing.display()
        )
    );
}

#[test]
fn file_types_are_identified_by_the_first_header() {
    let dir = RunDir::new("file_types");
    let hash = "0000000000000000000000000000000000000000";
    let cluster = format!("OVSDB CLUSTER 3 {hash}\n{{}}\n");
    let foo = format!("OVSDB FOO 3 {hash}\n{{}}\n");
    let cases: [(&str, &[u8], Result<FileType, &str>); 5] = [
        ("standalone.db", &frame(b"{}\n"), Ok(FileType::Standalone)),
        ("cluster.db", cluster.as_bytes(), Ok(FileType::Clustered)),
        ("empty.db", b"", Err("cannot identify file type")),
        ("foo.db", foo.as_bytes(), Err("cannot identify file type")),
        (
            "garbage.db",
            b"garbage\n{}\n",
            Err("unexpected file format"),
        ),
    ];
    for (name, bytes, expected) in cases {
        let path = dir.file(name);
        std::fs::write(&path, bytes).unwrap();
        match (identify(&path), expected) {
            (Ok(t), Ok(want)) => assert_eq!(t, want, "{name}"),
            (Err(e), Err(want)) => assert_eq!(
                e.to_string(),
                format!("ovsdb error: {}: {want}", path.display())
            ),
            (got, want) => panic!("{name}: got {got:?}, want {want:?}"),
        }
    }
    // Log::open refuses all but the standalone file, clustered with a clear message.
    let e = Log::open(dir.file("cluster.db"), OpenMode::ReadOnly, false).unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::Clustered));
    assert!(
        e.to_string()
            .contains("clustered databases are not supported"),
        "{e}"
    );
    for name in ["empty.db", "foo.db", "garbage.db"] {
        assert!(Log::open(dir.file(name), OpenMode::ReadWrite, false).is_err());
    }
    assert!(Log::open(dir.file("standalone.db"), OpenMode::ReadWrite, false).is_ok());
}

#[test]
fn created_files_have_the_reference_modes() {
    use std::os::unix::fs::PermissionsExt;
    let dir = RunDir::new("created_file_modes");
    let path = dir.file("conf.db");
    create(&path, &[schema()]);
    let umask = current_umask();
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o660 & !umask);
    let lock = dir.file(".conf.db.~lock~");
    let mode = std::fs::metadata(&lock).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600 & !umask);
}

fn current_umask() -> u32 {
    // Read it from /proc rather than with umask(2), which would change it for every
    // thread of the test process while it is being read.
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("Umask:")).unwrap();
    u32::from_str_radix(line.trim_start_matches("Umask:").trim(), 8).unwrap()
}

#[test]
fn compaction_rule_needs_records_size_and_growth() {
    let dir = RunDir::new("compaction_rule");
    let path = dir.file("t.db");
    let mut log = Log::open(&path, OpenMode::CreateExcl, false).unwrap();
    // 99 records of 110 KiB: big enough, one record short.
    let big = Json::object([("pad", Json::string("x".repeat(110 * 1024)))]);
    for _ in 0..99 {
        log.write_record(&big).unwrap();
    }
    assert!(log.offset() > ovsdb_log::COMPACT_MIN_BYTES);
    assert!(log.grew_lots());
    assert!(!log.compaction_recommended());
    log.write_record(&big).unwrap();
    assert!(log.compaction_recommended());
    // Not when the log is under twice its size after the last compaction.
    log.mark_base();
    assert!(!log.grew_lots());
    assert!(!log.compaction_recommended());
}
