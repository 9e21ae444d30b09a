//! Check for the `log_records` target, database level: `ovsdb::storage::open` on the
//! file `log_check` built.
//!
//! Opening must return a database or an error value. A database that opens holds only
//! values that fit their columns, and must survive what compaction does to it: its snapshot record, replayed onto an empty
//! database of the same schema, gives the same persistent contents.
//!
//! Shared with `crates/ovsdb/tests/fuzz_corpus.rs` through `#[path]` (as a crate-root
//! module named `storage_check`; it uses `crate::db_contents` and `crate::log_check`).

use crate::db_contents::{check_values, persistent_contents};
use crate::log_check::Built;
use ovsdb::file::{apply_record, snapshot_record};
use ovsdb::Database;

/// Opens the file `log_check` built. Returns how many rows the database held, `None`
/// if it did not open.
pub fn check(built: &Built) -> Option<usize> {
    let opened = match ovsdb::storage::open(&built.path, true) {
        Ok(opened) => opened,
        Err(e) => {
            assert!(!e.to_string().is_empty());
            return None;
        }
    };
    assert!(
        built.records.is_some_and(|n| n >= 1),
        "a database opened from a file the log reads no schema record from"
    );
    let db = &opened.db;
    // Whatever the file says, a loaded database holds only values that fit their
    // columns: the reference refuses files that say otherwise ("constraint violation",
    // "set must have 1 to 3 members"), and the rest of oxvs relies on it.
    check_values(db, true);
    let snapshot = snapshot_record(db, Some("fuzz"), 0);
    let text = snapshot.to_compact();
    let read =
        ovs_json::parse(&text).unwrap_or_else(|e| panic!("snapshot does not parse ({e}): {text}"));
    let mut copy = Database::new(db.schema.clone());
    if let Err(e) = apply_record(&mut copy, &read) {
        panic!("snapshot does not replay ({e}): {text}");
    }
    let (want, got) = (persistent_contents(db), persistent_contents(&copy));
    assert!(
        want == got || want.reals_print_alike,
        "snapshot replays to other contents: {text}"
    );
    Some(db.n_rows())
}
