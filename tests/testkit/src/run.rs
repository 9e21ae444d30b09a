//! Running a tool to completion and capturing what it printed.

use std::io::Write;
use std::process::{Command, ExitStatus, Stdio};

/// What a finished command did, with its output decoded as (lossy) UTF-8.
#[derive(Debug, Clone)]
pub struct Output {
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
}

impl Output {
    /// Exit code, or None if killed by a signal.
    pub fn code(&self) -> Option<i32> {
        self.status.code()
    }

    pub fn success(&self) -> bool {
        self.status.success()
    }
}

/// Runs `cmd` to completion with stdin from /dev/null, capturing stdout and
/// stderr. Panics only if it cannot be started at all; a non-zero exit is
/// for the caller to check.
#[track_caller]
pub fn run(cmd: &mut Command) -> Output {
    match cmd.stdin(Stdio::null()).output() {
        Ok(out) => Output {
            status: out.status,
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        },
        Err(e) => panic!("cannot run {cmd:?}: {e}"),
    }
}

/// Like [`run`], feeding `input` on stdin.
#[track_caller]
pub fn run_with_stdin(cmd: &mut Command, input: &str) -> Output {
    let spawned = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match spawned {
        Ok(c) => c,
        Err(e) => panic!("cannot run {cmd:?}: {e}"),
    };
    // Write from another thread: a child that fills its stdout pipe before
    // reading all of stdin would otherwise deadlock with us.
    let writer = child.stdin.take().map(|mut stdin| {
        let input = input.to_string();
        std::thread::spawn(move || {
            // A child that exits without reading everything is not an error
            // of ours; its status says what happened.
            let _ = stdin.write_all(input.as_bytes());
        })
    });
    let out = match child.wait_with_output() {
        Ok(o) => o,
        Err(e) => panic!("waiting for {cmd:?}: {e}"),
    };
    if let Some(w) = writer {
        let _ = w.join();
    }
    Output {
        status: out.status,
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Runs `cmd` and returns its stdout; panics with the exit status and stderr
/// unless it succeeded.
#[track_caller]
pub fn run_ok(cmd: &mut Command) -> String {
    let out = run(cmd);
    if !out.success() {
        panic!(
            "{cmd:?} failed ({}):\nstderr:\n{}\nstdout:\n{}",
            out.status, out.stderr, out.stdout
        );
    }
    out.stdout
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn captures_status_and_both_streams() {
        let out = run(Command::new("sh").args(["-c", "echo out; echo err >&2; exit 3"]));
        assert_eq!(out.code(), Some(3));
        assert!(!out.success());
        assert_eq!(out.stdout, "out\n");
        assert_eq!(out.stderr, "err\n");
    }

    #[test]
    fn stdin_is_empty_unless_given() {
        let out = run(&mut Command::new("cat"));
        assert!(out.success());
        assert_eq!(out.stdout, "");
        let out = run_with_stdin(&mut Command::new("cat"), "line 1\nline 2\n");
        assert_eq!(out.stdout, "line 1\nline 2\n");
    }

    #[test]
    #[should_panic(expected = "failed (exit status: 1)")]
    fn run_ok_panics_on_failure() {
        run_ok(&mut Command::new("false"));
    }

    #[test]
    #[should_panic(expected = "cannot run")]
    fn run_panics_when_the_program_is_missing() {
        run(&mut Command::new("/nonexistent/oxvs-no-such-program"));
    }
}
