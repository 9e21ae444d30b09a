//! The checks behind the oxvs fuzz targets, one module per target (plus helpers).
//!
//! Each module is also compiled into a stable test of the crate it exercises
//! (`crates/*/tests/fuzz_corpus.rs`, with `#[path]`), which replays this package's seed
//! corpora through the same checks. So the modules only use the crates those tests can
//! see, and refer to each other as `crate::<module>`: the tests declare them at their
//! crate root under the same names.

pub mod db_contents;
pub mod framer_check;
pub mod json_check;
pub mod log_check;
pub mod replay;
pub mod scratch;
pub mod storage_check;
pub mod transact_check;
