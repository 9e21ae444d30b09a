//! Fuzz target: arbitrary bytes as a database file, read by `ovsdb_log::Log` and
//! `ovsdb::storage::open` (see `log_check` and `storage_check`).
#![no_main]

use oxvs_fuzz::{log_check, scratch::ScratchDir, storage_check};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let dir = ScratchDir::create();
    let built = log_check::check(data, dir.path());
    storage_check::check(&built);
});
