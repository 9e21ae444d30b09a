//! A private temporary directory per check, removed when dropped.
//!
//! Shared with the crates' `tests/fuzz_corpus.rs` through `#[path]` (as a crate-root
//! module named `scratch`); std only.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

static COUNTER: AtomicU64 = AtomicU64::new(0);

pub struct ScratchDir {
    path: PathBuf,
}

impl ScratchDir {
    /// Creates `<tmp>/oxvs-fuzzcheck-<pid>-<n>`. Panics if the directory cannot be made: the
    /// check cannot run without it, and a fuzzer should stop rather than skip inputs.
    pub fn create() -> ScratchDir {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!("oxvs-fuzzcheck-{}-{n}", std::process::id()));
        // A leftover from an earlier process with the same pid would add stray files.
        let _ = std::fs::remove_dir_all(&path);
        if let Err(e) = std::fs::create_dir(&path) {
            panic!("cannot create scratch directory {}: {e}", path.display());
        }
        ScratchDir { path }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}
