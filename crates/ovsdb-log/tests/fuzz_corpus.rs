//! Replays the seed corpus of the `log_records` fuzz target (`fuzz/corpus/log_records`)
//! through the target's file-level check, so CI exercises it on stable Rust without a
//! fuzzer. The check lives in `fuzz/src` and is compiled in here unchanged; the
//! database-level half (`ovsdb::storage::open`) is replayed by the `ovsdb` crate.

#[path = "../../../fuzz/src/log_check.rs"]
mod log_check;
#[path = "../../../fuzz/src/replay.rs"]
mod replay;
#[path = "../../../fuzz/src/scratch.rs"]
mod scratch;

use std::path::Path;

#[test]
fn log_records_corpus_passes_the_fuzz_check() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus/log_records");
    let records = replay::replay(&dir, |data| {
        let scratch = scratch::ScratchDir::create();
        log_check::check(data, scratch.path()).records
    })
    .unwrap_or_else(|failures| panic!("{failures}"));
    // The corpus holds files the log refuses, files it reads, and files with several
    // good records.
    assert!(records.iter().any(Option::is_none), "every seed opens");
    assert!(
        records.iter().filter(|r| r.is_some_and(|n| n >= 3)).count() >= 3,
        "too few seeds with several good records: {records:?}"
    );
}

#[test]
fn torn_tail_is_cut_and_records_survive() {
    // Mode 1: two records, then a torn header as a tail.
    let scratch = scratch::ScratchDir::create();
    let built = log_check::check(
        b"\x01{\"a\":1}\n{\"b\":[2.5]}\nOVSDB JSON 9",
        scratch.path(),
    );
    assert_eq!(built.records, Some(2));
    assert!(built.path.exists());
}
