//! Atomic replacement (compaction): the database name always holds either the complete
//! old file or the complete new one, and the log keeps appending to whichever won.

mod common;

use common::*;
use ovs_json::Json;
use ovsdb_log::{Log, OpenMode};
use testkit::RunDir;

fn uuid(i: u64) -> String {
    format!("00000000-0000-4000-8000-{i:012}")
}

fn old_records() -> Vec<Json> {
    let mut records = vec![schema()];
    records.extend((0..50).map(|i| txn(&uuid(i % 3), "row", i as i64)));
    records
}

fn compacted() -> Vec<Json> {
    vec![schema(), txn(&uuid(0), "row", 48)]
}

fn open_read(path: &std::path::Path) -> Log {
    let mut log = Log::open(path, OpenMode::ReadWrite, true).unwrap();
    let (_, error) = read_all(&mut log);
    assert!(error.is_none(), "{error:?}");
    log
}

#[test]
fn replace_swaps_contents_and_keeps_appending() {
    let dir = RunDir::new("replace_swaps_contents");
    let path = dir.file("t.db");
    create(&path, &old_records());
    let mut log = open_read(&path);
    assert_eq!(log.record_count(), 51);

    let mut replacer = log.replace_start().unwrap();
    assert_eq!(replacer.path(), dir.file("t.db.tmp"));
    for r in compacted() {
        replacer.write_record(&r).unwrap();
    }
    // Until the commit, the database is the old file.
    assert_eq!(read_file(&path).0, old_records());
    let new_size = replacer.offset();
    log.replace_commit(replacer).unwrap();

    assert!(!dir.file("t.db.tmp").exists());
    // The reference also locks the temporary file while writing it.
    assert!(dir.file(".t.db.tmp.~lock~").exists());
    assert_eq!(log.offset(), new_size);
    assert_eq!(log.base(), new_size);
    assert_eq!(log.record_count(), 2);
    assert_eq!(read_file(&path).0, compacted());

    let extra = txn(&uuid(1), "after", 1);
    log.write_record(&extra).unwrap();
    log.commit(true).unwrap();
    drop(log);
    let mut expected = compacted();
    expected.push(extra);
    assert_eq!(read_file(&path).0, expected);
}

#[test]
fn failure_before_rename_keeps_the_old_file_and_log() {
    let dir = RunDir::new("replace_failure_before_rename");
    let path = dir.file("t.db");
    create(&path, &old_records());
    let mut log = open_read(&path);
    let mut replacer = log.replace_start().unwrap();
    for r in compacted() {
        replacer.write_record(&r).unwrap();
    }
    // Make the rename fail: the temporary file disappears under us.
    std::fs::remove_file(dir.file("t.db.tmp")).unwrap();
    let e = log.replace_commit(replacer).unwrap_err();
    assert!(
        e.to_string()
            .contains("rename failed (No such file or directory)"),
        "{e}"
    );

    assert_eq!(read_file(&path).0, old_records());
    assert_eq!(log.record_count(), 51);
    let extra = txn(&uuid(7), "still appending", 7);
    log.write_record(&extra).unwrap();
    log.commit(true).unwrap();
    drop(log);
    let mut expected = old_records();
    expected.push(extra);
    assert_eq!(read_file(&path).0, expected);
}

#[test]
fn abandoned_replacement_leaves_the_old_file_and_no_tmp() {
    let dir = RunDir::new("replace_abandoned");
    let path = dir.file("t.db");
    create(&path, &old_records());
    let before = std::fs::read(&path).unwrap();
    let mut log = open_read(&path);

    // A crash before the rename: the temporary file is complete, the database is
    // untouched, and a new process opens the old contents.
    let mut replacer = log.replace_start().unwrap();
    for r in compacted() {
        replacer.write_record(&r).unwrap();
    }
    assert!(dir.file("t.db.tmp").exists());
    assert_eq!(std::fs::read(&path).unwrap(), before);
    log.replace_abort(replacer);
    assert!(!dir.file("t.db.tmp").exists());
    assert_eq!(std::fs::read(&path).unwrap(), before);

    // A stale temporary file from an earlier crash is overwritten, not appended to.
    std::fs::write(
        dir.file("t.db.tmp"),
        b"stale junk from a crashed compaction\n",
    )
    .unwrap();
    let mut replacer = log.replace_start().unwrap();
    for r in compacted() {
        replacer.write_record(&r).unwrap();
    }
    log.replace_commit(replacer).unwrap();
    drop(log);
    let (records, error) = read_file(&path);
    assert!(error.is_none(), "{error:?}");
    assert_eq!(records, compacted());
}

#[test]
fn replacement_of_a_symlinked_database_replaces_the_target() {
    let dir = RunDir::new("replace_symlink");
    std::fs::create_dir(dir.file("data")).unwrap();
    let target = dir.file("data/real.db");
    create(&target, &old_records());
    let link = dir.file("link.db");
    std::os::unix::fs::symlink("data/real.db", &link).unwrap();

    let mut log = open_read(&link);
    // The lock is taken on the target's lockfile, shared with every name of it.
    assert!(dir.file("data/.real.db.~lock~").exists());
    assert!(Log::open(&target, OpenMode::ReadWrite, true).is_err());
    let mut replacer = log.replace_start().unwrap();
    assert_eq!(replacer.path(), dir.file("data/real.db.tmp"));
    for r in compacted() {
        replacer.write_record(&r).unwrap();
    }
    log.replace_commit(replacer).unwrap();
    drop(log);
    assert!(std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(read_file(&target).0, compacted());
}
