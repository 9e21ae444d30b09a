//! Replays a seed corpus through a check: what the crates' stable tests do, so that CI
//! exercises every seed without a fuzzer.
//!
//! Shared with the crates' `tests/fuzz_corpus.rs` through `#[path]` (as a crate-root
//! module named `replay`); std only.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

/// Runs `check` on every file of `dir` (in name order) and returns what it returned for
/// each, or the list of files whose check panicked (with the panic message) or that
/// could not be read. An empty or missing directory is an error too: a test that
/// replays nothing proves nothing.
pub fn replay<T>(dir: &Path, check: impl Fn(&[u8]) -> T) -> Result<Vec<T>, String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut paths: Vec<_> = entries.filter_map(|e| e.ok()).map(|e| e.path()).collect();
    paths.sort();
    if paths.is_empty() {
        return Err(format!("{}: no corpus files", dir.display()));
    }
    let mut results = Vec::new();
    let mut failures = Vec::new();
    for path in &paths {
        let data = match std::fs::read(path) {
            Ok(d) => d,
            Err(e) => {
                failures.push(format!("{}: {e}", path.display()));
                continue;
            }
        };
        match catch_unwind(AssertUnwindSafe(|| check(&data))) {
            Ok(r) => results.push(r),
            Err(panic) => {
                let message = panic
                    .downcast_ref::<String>()
                    .map(String::as_str)
                    .or_else(|| panic.downcast_ref::<&str>().copied())
                    .unwrap_or("(no message)");
                failures.push(format!("{}: {message}", path.display()));
            }
        }
    }
    if failures.is_empty() {
        Ok(results)
    } else {
        Err(failures.join("\n"))
    }
}
