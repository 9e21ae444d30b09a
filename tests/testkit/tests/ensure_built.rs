//! ensure_built/oxvs_bin: building a workspace binary from a test.

use testkit::{ensure_built, oxvs_bin, run};

#[test]
fn builds_and_finds_a_workspace_binary() {
    ensure_built(&["testkit-fixture"]);
    let bin = oxvs_bin("testkit-fixture");
    assert!(bin.is_file(), "{}", bin.display());
    let out = run(std::process::Command::new(&bin).arg("exit=4"));
    assert_eq!(out.code(), Some(4), "{}", out.stderr);
    // Same call again: answered without running cargo.
    ensure_built(&["testkit-fixture"]);
}

#[test]
#[should_panic(expected = "building oxvs binaries [\"oxvs-no-such-binary\"] failed")]
fn an_unknown_binary_fails_with_cargos_reason() {
    ensure_built(&["oxvs-no-such-binary"]);
}
