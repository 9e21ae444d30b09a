//! Replays the seed corpora of the `transact` and `log_records` fuzz targets
//! (`fuzz/corpus/`) through the targets' own checks, so CI exercises them on stable Rust
//! without a fuzzer. The checks live in `fuzz/src` and are compiled in here unchanged
//! (module names match `fuzz/src/lib.rs`, because the checks refer to each other as
//! `crate::<module>`).

#[path = "../../../fuzz/src/db_contents.rs"]
mod db_contents;
#[path = "../../../fuzz/src/log_check.rs"]
mod log_check;
#[path = "../../../fuzz/src/replay.rs"]
mod replay;
#[path = "../../../fuzz/src/scratch.rs"]
mod scratch;
#[path = "../../../fuzz/src/storage_check.rs"]
mod storage_check;
#[path = "../../../fuzz/src/transact_check.rs"]
mod transact_check;

use std::path::{Path, PathBuf};
use transact_check::Ran;

fn corpus(target: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/corpus")
        .join(target)
}

#[test]
fn transact_corpus_passes_the_fuzz_check() {
    let ran = replay::replay(&corpus("transact"), transact_check::check)
        .unwrap_or_else(|failures| panic!("{failures}"));
    // Enough seeds reach the commit path (integrity and file-record replay checks)
    // and enough fail, or the corpus would not exercise the engine.
    let committed = ran.iter().filter(|&&r| r == Ran::Committed).count();
    let failed = ran.iter().filter(|&&r| r == Ran::Failed).count();
    assert!(committed >= 10, "only {committed} seeds commit");
    assert!(failed >= 10, "only {failed} seeds fail");
}

#[test]
fn log_records_corpus_opens_as_databases() {
    let rows = replay::replay(&corpus("log_records"), |data| {
        let scratch = scratch::ScratchDir::create();
        let built = log_check::check(data, scratch.path());
        storage_check::check(&built)
    })
    .unwrap_or_else(|failures| panic!("{failures}"));
    assert!(
        rows.iter().any(Option::is_none),
        "every seed opens as a database"
    );
    assert!(
        rows.iter().filter(|r| r.is_some_and(|n| n > 0)).count() >= 3,
        "too few seeds open as databases with rows: {rows:?}"
    );
}

#[test]
fn prefilled_database_keeps_integrity_and_round_trips() {
    let db = transact_check::base_db();
    db_contents::check_integrity(db);
    assert_eq!(db.n_rows(), 14);
    // An update and a garbage-collecting delete, both checked end to end.
    let update = br#"["TxnTest",{"op":"update","table":"Atoms","where":[["i","==",1]],"row":{"ia":["set",[9]]}}]"#;
    assert_eq!(transact_check::check(update), Ran::Committed);
    let delete = br#"[{"op":"delete","table":"Parent","where":[]}]"#;
    assert_eq!(transact_check::check(delete), Ran::Committed);
    assert_eq!(transact_check::check(b"[\"Nope\"]"), Ran::Failed);
    assert_eq!(transact_check::check(b"not json"), Ran::NotJson);
}

/// Files the `log_records` fuzzer found that `ovsdb::storage::open` loads although the
/// reference refuses them (see fuzz/README.md, "Findings"). Un-ignore, and move the
/// files into `fuzz/corpus/log_records/`, once `apply_record` checks what it loads.
#[test]
fn log_records_regressions_are_refused_or_load_valid_values() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/regressions/log_records");
    replay::replay(&dir, |data| {
        let scratch = scratch::ScratchDir::create();
        storage_check::check(&log_check::check(data, scratch.path()))
    })
    .unwrap_or_else(|failures| panic!("{failures}"));
}
