//! Starts an `ovsdb-server` on a fresh database in its own temporary directory.
//!
//! Both implementations get the same command line and a database created by the same
//! `ovsdb-tool create` from the same schema, so only the server differs. The server is
//! stopped (SIGTERM, then SIGKILL if it lingers) and its directory removed on drop.

use std::fs::File;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::options::Config;

/// Which server binary to run.
#[derive(Clone, Debug)]
pub struct ServerSpec {
    pub binary: PathBuf,
}

/// A running server. Killed and cleaned up on drop.
pub struct Server {
    child: Child,
    dir: tempfile::TempDir,
    sock: PathBuf,
    timeout: Duration,
}

impl Server {
    /// Creates a fresh database and starts the server on it, waiting (bounded) until
    /// its socket accepts connections.
    pub fn start(spec: &ServerSpec, cfg: &Config) -> Result<Server, String> {
        if !spec.binary.is_file() {
            return Err(format!("{} does not exist", spec.binary.display()));
        }
        let dir = tempfile::Builder::new()
            .prefix("ovsdb-bench-")
            .tempdir()
            .map_err(|e| format!("cannot create a temporary directory: {e}"))?;
        let db = dir.path().join("conf.db");
        create_db(cfg, &db, dir.path())?;

        let sock = dir.path().join("db.sock");
        let stderr_path = dir.path().join("stderr");
        let stderr = File::create(&stderr_path)
            .map_err(|e| format!("cannot create {}: {e}", stderr_path.display()))?;
        let child = Command::new(&spec.binary)
            .arg(&db)
            .arg(format!("--remote=punix:{}", sock.display()))
            .arg(format!(
                "--unixctl={}",
                dir.path().join("ovsdb-server.ctl").display()
            ))
            .arg("--no-chdir")
            .arg(format!(
                "--log-file={}",
                dir.path().join("ovsdb-server.log").display()
            ))
            .envs(rundir_env(dir.path()))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(stderr)
            .spawn()
            .map_err(|e| format!("cannot run {}: {e}", spec.binary.display()))?;
        let mut server = Server {
            child,
            dir,
            sock,
            timeout: cfg.timeout,
        };
        server.wait_ready(&spec.binary)?;
        Ok(server)
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn sock(&self) -> &Path {
        &self.sock
    }

    /// A new client connection with the configured reply timeout.
    pub fn connect(&self) -> Result<UnixStream, String> {
        let s = UnixStream::connect(&self.sock)
            .map_err(|e| format!("cannot connect to {}: {e}", self.sock.display()))?;
        s.set_read_timeout(Some(self.timeout))
            .and_then(|_| s.set_write_timeout(Some(self.timeout)))
            .map_err(|e| format!("cannot set socket timeouts: {e}"))?;
        Ok(s)
    }

    /// The directory tools run in (their `OVS_RUNDIR`).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// Polls until the socket accepts a connection, or fails with the server's own
    /// words if it exits first.
    fn wait_ready(&mut self, binary: &Path) -> Result<(), String> {
        let deadline = Instant::now() + Duration::from_secs(10).min(self.timeout);
        loop {
            match self.child.try_wait() {
                Ok(Some(status)) => {
                    return Err(format!(
                        "{} exited at start ({status}){}",
                        binary.display(),
                        self.stderr_tail()
                    ))
                }
                Ok(None) => {}
                Err(e) => return Err(format!("cannot check on {}: {e}", binary.display())),
            }
            if UnixStream::connect(&self.sock).is_ok() {
                return Ok(());
            }
            if Instant::now() >= deadline {
                return Err(format!(
                    "{} did not listen on {} within 10 s{}",
                    binary.display(),
                    self.sock.display(),
                    self.stderr_tail()
                ));
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// The last lines the server wrote to stderr, for error messages.
    fn stderr_tail(&self) -> String {
        let text = std::fs::read_to_string(self.dir.path().join("stderr")).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        let tail = lines[lines.len().saturating_sub(3)..].join(" / ");
        if tail.is_empty() {
            String::new()
        } else {
            format!(": {tail}")
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // SIGTERM first so the server exits the way it normally does; SIGKILL only if
        // it does not within a bounded wait.
        if let Ok(pid) = libc::pid_t::try_from(self.child.id()) {
            // SAFETY: kill(2) on our own child's pid; the child has not been reaped
            // (we hold it), so the pid cannot have been reused.
            unsafe { libc::kill(pid, libc::SIGTERM) };
        }
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Keeps the tools away from the system's run and database directories.
fn rundir_env(dir: &Path) -> Vec<(&'static str, PathBuf)> {
    ["OVS_RUNDIR", "OVS_DBDIR", "OVS_LOGDIR", "OVS_SYSCONFDIR"]
        .into_iter()
        .map(|k| (k, dir.to_path_buf()))
        .collect()
}

fn create_db(cfg: &Config, db: &Path, dir: &Path) -> Result<(), String> {
    let out = Command::new(&cfg.ovsdb_tool)
        .arg("create")
        .arg(db)
        .arg(&cfg.schema)
        .envs(rundir_env(dir))
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run {}: {e}", cfg.ovsdb_tool.display()))?;
    if !out.status.success() {
        return Err(format!(
            "{} create {} {} failed ({}): {}",
            cfg.ovsdb_tool.display(),
            db.display(),
            cfg.schema.display(),
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(())
}

/// Environment for a tool run against this server.
pub fn tool_env(server: &Server) -> Vec<(&'static str, PathBuf)> {
    rundir_env(server.dir())
}
