//! Expected outputs stored under `tests/fixtures/`, recorded from the real server.
//!
//! A scenario computes a transcript (UUIDs masked) and both its `_real` and
//! `_ours` runs compare it with the same file, so the two servers are held to
//! identical output. To re-record after a deliberate change, run the `_real`
//! tests with `OXVS_BLESS=1`; the `_ours` runs never write.

use std::fs;

use super::sut::{fixture_path, Sut};

/// Set to re-record fixtures from the real server.
pub const BLESS_ENV: &str = "OXVS_BLESS";

/// Panics, showing the first differing line, unless `actual` equals fixture `name`.
#[track_caller]
pub fn check(sut: &Sut, name: &str, actual: &str) {
    let path = fixture_path(name);
    if sut.is_real() && std::env::var_os(BLESS_ENV).is_some() {
        if let Err(e) = fs::write(&path, actual) {
            panic!("cannot write fixture {}: {e}", path.display());
        }
        return;
    }
    let expected = match fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => panic!(
            "cannot read fixture {}: {e} (record it with {BLESS_ENV}=1 against the real server)",
            path.display()
        ),
    };
    if expected == actual {
        return;
    }
    let (exp_lines, act_lines): (Vec<&str>, Vec<&str>) =
        (expected.lines().collect(), actual.lines().collect());
    let first = exp_lines
        .iter()
        .zip(&act_lines)
        .position(|(e, a)| e != a)
        .unwrap_or(exp_lines.len().min(act_lines.len()));
    panic!(
        "{} server output differs from fixture {} at line {}:\n  expected: {:?}\n  actual:   {:?}\n\
         --- full actual output ---\n{actual}",
        sut.name(),
        path.display(),
        first + 1,
        exp_lines.get(first),
        act_lines.get(first),
    );
}
