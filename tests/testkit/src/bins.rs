//! Finding (and if needed building) oxvs's own binaries from tests.
//!
//! `cargo test` builds a package's own binaries before running its
//! integration tests (and exposes them as `CARGO_BIN_EXE_<name>`), but not the
//! binaries of other packages. A test of, say, `ovs-vsctl` against our
//! `ovsdb-server` therefore calls [`ensure_built`] first, then uses
//! [`oxvs_bin`]. Under `scripts/test` everything is built beforehand and
//! `ensure_built` costs one directory scan per process.

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, OnceLock};
use std::time::SystemTime;

/// The workspace root: the nearest directory at or above the running test's
/// package (`CARGO_MANIFEST_DIR`, else testkit's own) whose `Cargo.toml` has
/// a `[workspace]` section.
///
/// Panics if there is none, which means the tests are not run from a
/// checkout.
pub fn workspace_root() -> &'static Path {
    static ROOT: OnceLock<PathBuf> = OnceLock::new();
    ROOT.get_or_init(|| {
        let start = std::env::var_os("CARGO_MANIFEST_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
        match find_workspace_root(&start) {
            Some(root) => root,
            None => panic!(
                "no Cargo.toml with [workspace] at or above {}; run the tests from the oxvs checkout",
                start.display()
            ),
        }
    })
}

fn find_workspace_root(start: &Path) -> Option<PathBuf> {
    start.ancestors().find_map(|dir| {
        let manifest = fs::read_to_string(dir.join("Cargo.toml")).ok()?;
        manifest
            .lines()
            .any(|l| l.trim() == "[workspace]")
            .then(|| dir.to_path_buf())
    })
}

/// Cargo's target directory: `CARGO_TARGET_DIR` if set (relative to the
/// workspace root if relative), else the one the running test binary was
/// built into (which also honours a `target-dir` in cargo config), else
/// `<workspace root>/target`.
pub fn target_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("CARGO_TARGET_DIR") {
        let dir = PathBuf::from(dir);
        return if dir.is_absolute() {
            dir
        } else {
            workspace_root().join(dir)
        };
    }
    match current_exe_layout() {
        Some((target, _)) => target,
        None => workspace_root().join("target"),
    }
}

/// `<target>/<profile>/deps/<test binary>` → (target, profile directory name).
fn current_exe_layout() -> Option<(PathBuf, String)> {
    let exe = std::env::current_exe().ok()?;
    let deps = exe.parent()?;
    if deps.file_name()? != "deps" {
        return None;
    }
    let profile_dir = deps.parent()?;
    let profile = profile_dir.file_name()?.to_str()?.to_string();
    Some((profile_dir.parent()?.to_path_buf(), profile))
}

/// The profile directory to use: the running test's (`debug` for a plain
/// `cargo test`, `release` under `--release`), else `debug`.
fn profile_dir_name() -> String {
    current_exe_layout()
        .map(|(_, profile)| profile)
        .unwrap_or_else(|| "debug".to_string())
}

/// The path of our binary `name` (e.g. "ovsdb-server") in the target
/// directory, for the profile the tests were built with (`target/debug`
/// normally). It may not exist yet: call [`ensure_built`] first when the
/// binary belongs to another package.
/// `OXVS_BIN_DIR`, when set, overrides the directory (benchmarks point it at
/// `target/release`).
pub fn oxvs_bin(name: &str) -> PathBuf {
    if let Some(dir) = std::env::var_os("OXVS_BIN_DIR") {
        return PathBuf::from(dir).join(name);
    }
    target_dir().join(profile_dir_name()).join(name)
}

/// Makes sure our binaries `names` exist and are up to date, building them
/// with `cargo build --workspace --bin <name>...` (same profile and target
/// directory as the tests) when one is missing or older than the newest
/// source file of the workspace. Cargo is asked at most once per binary per
/// process; concurrent callers wait for one build.
///
/// Panics with cargo's output if the build fails, e.g. because no package
/// has a binary of that name yet.
#[track_caller]
pub fn ensure_built(names: &[&str]) {
    static CHECKED: Mutex<Option<HashSet<String>>> = Mutex::new(None);
    // A test that panicked while holding the lock left nothing half-done
    // that matters here: at worst a binary is checked again.
    let mut checked = CHECKED.lock().unwrap_or_else(|p| p.into_inner());
    let checked = checked.get_or_insert_with(HashSet::new);
    let todo: Vec<&str> = names
        .iter()
        .copied()
        .filter(|n| !checked.contains(*n))
        .collect();
    if todo.is_empty() {
        return;
    }
    let newest_source = newest_mtime(workspace_root());
    let stale: Vec<&str> = todo
        .iter()
        .copied()
        .filter(|n| {
            let built = fs::metadata(oxvs_bin(n)).and_then(|m| m.modified()).ok();
            match (built, newest_source) {
                (Some(built), Some(source)) => built < source,
                _ => true,
            }
        })
        .collect();
    if !stale.is_empty() {
        if let Err(e) = cargo_build(&stale) {
            panic!("{e}");
        }
    }
    for n in todo {
        let path = oxvs_bin(n);
        if !path.is_file() {
            panic!(
                "cargo built {} but {} does not exist; is CARGO_TARGET_DIR consistent?",
                n,
                path.display()
            );
        }
        checked.insert(n.to_string());
    }
}

fn cargo_build(names: &[&str]) -> Result<(), String> {
    let root = workspace_root();
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(&cargo);
    cmd.current_dir(root)
        .arg("build")
        .arg("--manifest-path")
        .arg(root.join("Cargo.toml"))
        .arg("--target-dir")
        .arg(target_dir())
        .arg("--workspace");
    match profile_dir_name().as_str() {
        "debug" => {}
        "release" => {
            cmd.arg("--release");
        }
        other => {
            cmd.args(["--profile", other]);
        }
    }
    for n in names {
        cmd.args(["--bin", n]);
    }
    let output = cmd
        .output()
        .map_err(|e| format!("cannot run {cargo:?} to build {names:?}: {e}"))?;
    if output.status.success() {
        return Ok(());
    }
    Err(format!(
        "building oxvs binaries {names:?} failed ({}); the tests need them.\n\
         command: {cmd:?}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    ))
}

/// The newest modification time of any file that can affect a build: the
/// workspace manifest and lock file, and everything under `crates/`, `benches/` and `tests/` except
/// build output and hidden directories.
fn newest_mtime(root: &Path) -> Option<SystemTime> {
    let mut newest = None;
    let mut consider = |t: SystemTime| {
        if newest.is_none_or(|n| t > n) {
            newest = Some(t);
        }
    };
    for f in ["Cargo.toml", "Cargo.lock"] {
        if let Ok(t) = fs::metadata(root.join(f)).and_then(|m| m.modified()) {
            consider(t);
        }
    }
    // Every directory of workspace members (see the root Cargo.toml).
    let mut stack: Vec<PathBuf> = ["crates", "benches", "tests"]
        .iter()
        .map(|d| root.join(d))
        .collect();
    while let Some(dir) = stack.pop() {
        let Ok(entries) = fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            if name.to_string_lossy().starts_with('.') || name == "target" {
                continue;
            }
            let Ok(meta) = entry.metadata() else {
                continue;
            };
            if meta.is_dir() {
                stack.push(entry.path());
            } else if let Ok(t) = meta.modified() {
                consider(t);
            }
        }
    }
    newest
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workspace_root_is_the_checkout() {
        let root = workspace_root();
        assert!(root.join("tests/testkit/Cargo.toml").is_file(), "{root:?}");
        let manifest = fs::read_to_string(root.join("Cargo.toml")).unwrap();
        assert!(manifest.contains("[workspace]"));
    }

    #[test]
    fn finds_no_workspace_outside_a_checkout() {
        assert_eq!(find_workspace_root(Path::new("/")), None);
    }

    #[test]
    fn our_binaries_live_in_the_profile_directory() {
        let bin = oxvs_bin("ovsdb-server");
        assert_eq!(bin.file_name().unwrap(), "ovsdb-server");
        // Unit tests run from <target>/debug/deps/<name>-<hash>.
        let exe = std::env::current_exe().unwrap();
        assert_eq!(bin.parent(), exe.parent().unwrap().parent());
    }

    #[test]
    fn newest_source_is_at_least_as_new_as_this_file() {
        let this = workspace_root().join("tests/testkit/src/bins.rs");
        let t = fs::metadata(this).unwrap().modified().unwrap();
        assert!(newest_mtime(workspace_root()).unwrap() >= t);
    }
}
