//! Test helpers (root required): a private network namespace that is
//! deleted when dropped, and `ip` commands that must succeed.

use std::process::Command;

/// A network namespace by name, deleted on drop (also when a test fails).
pub(crate) struct Netns(pub String);

impl Drop for Netns {
    fn drop(&mut self) {
        let _ = Command::new("ip").args(["netns", "del", &self.0]).output();
    }
}

/// Runs `ip ARGS`, failing the test if it fails.
pub(crate) fn ip(args: &[&str]) {
    let out = Command::new("ip").args(args).output().expect("run ip");
    assert!(
        out.status.success(),
        "ip {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}
