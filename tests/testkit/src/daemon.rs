//! Child processes (daemons under test) that never outlive their test.

use std::ffi::{OsStr, OsString};
use std::fs::{self, File};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::Duration;

use crate::rundir::RunDir;
use crate::wait::{wait_until, DEFAULT_TIMEOUT};

/// How many lines of a daemon's stderr go into failure messages.
const STDERR_TAIL_LINES: usize = 40;

/// Describes a daemon to start; made by [`Daemon::builder`].
#[derive(Debug)]
pub struct DaemonBuilder {
    program: PathBuf,
    args: Vec<OsString>,
    env: Vec<(OsString, OsString)>,
    dir: PathBuf,
    env_dirs: Vec<(&'static str, OsString)>,
    name: String,
}

/// A running child process. Dropping it kills it with SIGKILL and reaps it,
/// so a failing test cannot leave daemons behind (and when the test is
/// panicking, the tail of the daemon's stderr is printed to help explain why).
///
/// stdin is /dev/null; stdout and stderr go to `<rundir>/<name>.stdout` and
/// `<rundir>/<name>.stderr`.
#[derive(Debug)]
pub struct Daemon {
    name: String,
    child: Child,
    exited: Option<ExitStatus>,
    stderr_path: PathBuf,
    stdout_path: PathBuf,
}

impl Daemon {
    /// Starts describing a daemon running `program` (an explicit path, e.g.
    /// from [`crate::oxvs_bin`] or [`crate::real_ovs`]) in `rundir`, with
    /// `OVS_RUNDIR`, `OVS_DBDIR`, `OVS_LOGDIR` and `OVS_SYSCONFDIR` set to it.
    pub fn builder(rundir: &RunDir, program: impl AsRef<Path>) -> DaemonBuilder {
        let program = program.as_ref().to_path_buf();
        let name = program
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "daemon".to_string());
        DaemonBuilder {
            program,
            args: Vec::new(),
            env: Vec::new(),
            dir: rundir.path().to_path_buf(),
            env_dirs: rundir.env(),
            name,
        }
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The name used for its output files (the program's file name unless
    /// set with [`DaemonBuilder::name`]).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Where its stderr goes.
    pub fn stderr_path(&self) -> &Path {
        &self.stderr_path
    }

    /// Where its stdout goes.
    pub fn stdout_path(&self) -> &Path {
        &self.stdout_path
    }

    /// Everything it has written to stderr so far.
    pub fn stderr(&self) -> String {
        read_lossy(&self.stderr_path)
    }

    /// Everything it has written to stdout so far.
    pub fn stdout(&self) -> String {
        read_lossy(&self.stdout_path)
    }

    /// Kills it with SIGKILL (a crash, as far as it can tell) and reaps it.
    /// Returns how it ended; a no-op returning the earlier status if it had
    /// already exited.
    pub fn kill9(&mut self) -> ExitStatus {
        if let Some(status) = self.exited {
            return status;
        }
        // Fails only if the child has exited already, which wait() reports.
        let _ = self.child.kill();
        self.reap_blocking()
    }

    /// Sends `signal` (e.g. `libc::SIGTERM`, `libc::SIGHUP`) without waiting.
    pub fn signal(&mut self, signal: i32) -> Result<(), String> {
        if let Some(status) = self.exited {
            return Err(format!("{} already exited ({status})", self.name));
        }
        let pid = libc::pid_t::try_from(self.pid())
            .map_err(|_| format!("{}: pid {} out of range", self.name, self.pid()))?;
        // SAFETY: kill(2) takes plain integers; the pid is our unreaped child,
        // so it cannot have been reused by another process.
        if unsafe { libc::kill(pid, signal) } != 0 {
            return Err(format!(
                "kill({pid}, {signal}) failed: {}",
                std::io::Error::last_os_error()
            ));
        }
        Ok(())
    }

    /// Whether it is still running (reaping it if it has exited).
    pub fn is_running(&mut self) -> bool {
        self.try_exit_status().is_none()
    }

    /// Its exit status if it has exited, without waiting.
    pub fn try_exit_status(&mut self) -> Option<ExitStatus> {
        if self.exited.is_none() {
            if let Ok(Some(status)) = self.child.try_wait() {
                self.exited = Some(status);
            }
        }
        self.exited
    }

    /// Waits (bounded) for it to exit on its own, e.g. after an `exit`
    /// command or a signal.
    pub fn wait_exit(&mut self, timeout: Duration) -> Result<ExitStatus, String> {
        let what = format!("{} (pid {}) to exit", self.name, self.pid());
        wait_until(timeout, &what, || self.try_exit_status().is_some())
            .map_err(|e| format!("{e}\n{}", self.stderr_report()))?;
        self.exited
            .ok_or_else(|| format!("{} exit status lost", self.name))
    }

    /// Waits (bounded by [`DEFAULT_TIMEOUT`]) until the Unix socket at `path`
    /// accepts connections. Fails at once, with the daemon's stderr, if the
    /// daemon exits first.
    pub fn wait_for_socket(&mut self, path: &Path) -> Result<(), String> {
        let mut exited = None;
        let what = format!("{} to accept connections on {}", self.name, path.display());
        let result = wait_until(DEFAULT_TIMEOUT, &what, || {
            if UnixStream::connect(path).is_ok() {
                return true;
            }
            exited = self.try_exit_status();
            exited.is_some()
        });
        match (result, exited) {
            (_, Some(status)) => Err(format!(
                "{} exited ({status}) before accepting connections on {}\n{}",
                self.name,
                path.display(),
                self.stderr_report()
            )),
            (Err(e), None) => Err(format!("{e}\n{}", self.stderr_report())),
            (Ok(()), None) => Ok(()),
        }
    }

    /// The last lines of stderr, labelled, for error messages.
    pub fn stderr_report(&self) -> String {
        let text = self.stderr();
        let lines: Vec<&str> = text.lines().collect();
        let tail = &lines[lines.len().saturating_sub(STDERR_TAIL_LINES)..];
        format!(
            "--- last {} lines of {} ---\n{}",
            tail.len(),
            self.stderr_path.display(),
            tail.join("\n")
        )
    }

    fn reap_blocking(&mut self) -> ExitStatus {
        match self.child.wait() {
            Ok(status) => {
                self.exited = Some(status);
                status
            }
            // wait() fails only if the child was already reaped, which
            // `exited` tracks; report it as loudly as we can from here.
            Err(e) => panic!("waiting for {} (pid {}): {e}", self.name, self.pid()),
        }
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        if self.exited.is_none() {
            let _ = self.child.kill();
            if let Ok(status) = self.child.wait() {
                self.exited = Some(status);
            }
        }
        if std::thread::panicking() {
            eprintln!(
                "testkit: {} (pid {}) {}\n{}",
                self.name,
                self.pid(),
                self.exited
                    .map(|s| format!("ended: {s}"))
                    .unwrap_or_else(|| "could not be reaped".into()),
                self.stderr_report()
            );
        }
    }
}

impl DaemonBuilder {
    /// Adds one argument.
    pub fn arg(mut self, arg: impl AsRef<OsStr>) -> Self {
        self.args.push(arg.as_ref().to_os_string());
        self
    }

    /// Adds arguments.
    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.args
            .extend(args.into_iter().map(|a| a.as_ref().to_os_string()));
        self
    }

    /// Sets an environment variable (after the `OVS_*DIR` ones, so it can
    /// override them).
    pub fn env(mut self, key: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> Self {
        self.env
            .push((key.as_ref().to_os_string(), value.as_ref().to_os_string()));
        self
    }

    /// Names the output files `<name>.stdout`/`<name>.stderr`, for tests that
    /// run two daemons of the same program.
    pub fn name(mut self, name: &str) -> Self {
        self.name = name.to_string();
        self
    }

    /// Spawns it. Panics with the reason if it cannot be spawned (a missing
    /// binary, say); a daemon that starts and then fails is reported by
    /// [`Daemon::wait_for_socket`] and friends instead.
    #[track_caller]
    pub fn start(self) -> Daemon {
        match self.try_start() {
            Ok(d) => d,
            Err(e) => panic!("{e}"),
        }
    }

    /// Spawns it, returning why it could not be spawned.
    pub fn try_start(self) -> Result<Daemon, String> {
        let stderr_path = self.dir.join(format!("{}.stderr", self.name));
        let stdout_path = self.dir.join(format!("{}.stdout", self.name));
        let open =
            |p: &Path| File::create(p).map_err(|e| format!("cannot create {}: {e}", p.display()));
        let stderr = open(&stderr_path)?;
        let stdout = open(&stdout_path)?;
        let mut cmd = Command::new(&self.program);
        cmd.args(&self.args)
            .current_dir(&self.dir)
            .envs(self.env_dirs.iter().map(|(k, v)| (k, v)))
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(stdout)
            .stderr(stderr);
        let child = cmd.spawn().map_err(|e| {
            format!(
                "cannot start {} {:?}: {e}",
                self.program.display(),
                self.args
            )
        })?;
        Ok(Daemon {
            name: self.name,
            child,
            exited: None,
            stderr_path,
            stdout_path,
        })
    }
}

fn read_lossy(path: &Path) -> String {
    match fs::read(path) {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(e) => format!("<cannot read {}: {e}>", path.display()),
    }
}
