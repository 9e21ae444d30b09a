//! Replays the seed corpora of the `json_parse` and `jsonrpc_framer` fuzz targets
//! (`fuzz/corpus/`) through the targets' own checks, so CI exercises them on stable Rust
//! without a fuzzer. The checks live in `fuzz/src` and are compiled in here unchanged.

#[path = "../../../fuzz/src/framer_check.rs"]
mod framer_check;
#[path = "../../../fuzz/src/json_check.rs"]
mod json_check;
#[path = "../../../fuzz/src/replay.rs"]
mod replay;

use std::path::{Path, PathBuf};

fn corpus(target: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/corpus")
        .join(target)
}

#[test]
fn json_parse_corpus_passes_the_fuzz_check() {
    let parsed = replay::replay(&corpus("json_parse"), json_check::check)
        .unwrap_or_else(|failures| panic!("{failures}"));
    // Both kinds of seed are there: texts that parse and texts that must not.
    let ok = parsed.iter().filter(|&&p| p).count();
    assert!(ok >= 10, "only {ok} seeds parse");
    assert!(
        parsed.len() - ok >= 5,
        "only {} seeds fail to parse",
        parsed.len() - ok
    );
}

#[test]
fn jsonrpc_framer_corpus_passes_the_fuzz_check() {
    let framed = replay::replay(&corpus("jsonrpc_framer"), framer_check::check)
        .unwrap_or_else(|failures| panic!("{failures}"));
    assert!(
        framed.iter().filter(|&&n| n >= 2).count() >= 2,
        "no seed frames several messages: {framed:?}"
    );
}

/// A check that panics on some seeds makes the replay fail, naming each such file and
/// the panic message (so the corpus tests above can fail).
#[test]
fn replay_reports_failing_files() {
    let dir = corpus("json_parse");
    let result = replay::replay(&dir, |data| assert!(!data.contains(&b'['), "has a bracket"));
    let failures = result.err().unwrap_or_default();
    assert!(failures.contains("has a bracket"), "{failures}");
    assert!(failures.contains("seed-numbers"), "{failures}");
}

#[test]
fn json_check_accepts_and_rejects_as_the_parser_does() {
    assert!(json_check::check(b"[1.5, 0.1, 1e300, \"x\"]"));
    assert!(json_check::check(b"17"));
    assert!(!json_check::check(b"[1,"));
    assert!(!json_check::check(b"\xff"));
}
