//! The server under test: which binary, how it is started, and what a test can do
//! with the running process (connect, run `ovs-appctl`, kill it, find its TCP port).
//!
//! Both servers are started exactly the same way:
//! `SERVER DB... --remote=punix:SOCK --unixctl=CTL --no-chdir --log-file=LOG
//! [--remote=ptcp:0:127.0.0.1]`.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus};
use std::sync::atomic::{AtomicUsize, Ordering};

use testkit::{
    ensure_built, oxvs_bin, real_ovs, require_real_ovs, run, wait_until, Daemon, Output, RunDir,
    DEFAULT_TIMEOUT,
};

use super::rpc::Rpc;

/// Which `ovsdb-server` a scenario runs against.
#[derive(Debug, Clone)]
pub struct Sut {
    name: &'static str,
    bin: PathBuf,
}

impl Sut {
    /// The Debian Open vSwitch 3.1 server.
    pub fn real() -> Sut {
        require_real_ovs();
        Sut {
            name: "real",
            bin: PathBuf::from(real_ovs::OVSDB_SERVER),
        }
    }

    /// Our server, built if needed. The real clients (`ovs-vsctl`, `ovsdb-client`,
    /// `ovs-appctl`, python) talk to it, so the real package must be there too.
    pub fn ours() -> Sut {
        require_real_ovs();
        ensure_built(&["ovsdb-server"]);
        Sut {
            name: "ours",
            bin: oxvs_bin("ovsdb-server"),
        }
    }

    /// True for the reference server. Scenarios use it only where the reference
    /// misbehaves and ours is expected to do better.
    pub fn is_real(&self) -> bool {
        self.name == "real"
    }

    /// "real" or "ours", for messages.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// Starts the server on `dbs` with a Unix socket and a control socket in `dir`,
    /// and waits until both accept connections.
    #[track_caller]
    pub fn start(&self, dir: &RunDir, dbs: &[&Path]) -> Server {
        self.start_with(dir, dbs, &StartOptions::default())
    }

    /// [`Sut::start`] with options.
    #[track_caller]
    pub fn start_with(&self, dir: &RunDir, dbs: &[&Path], opts: &StartOptions) -> Server {
        static STARTS: AtomicUsize = AtomicUsize::new(0);
        let n = STARTS.fetch_add(1, Ordering::Relaxed);
        let sock = dir.file("db.sock");
        let ctl = dir.file("ovsdb-server.ctl");
        let log = dir.log("ovsdb-server");
        let mut builder = Daemon::builder(dir, &self.bin)
            .name(&format!("ovsdb-server-{}-{n}", self.name))
            .args(dbs)
            .arg(format!("--remote=punix:{}", sock.display()))
            .arg(format!("--unixctl={}", ctl.display()))
            .arg("--no-chdir")
            .arg(format!("--log-file={}", log.display()));
        if opts.tcp {
            builder = builder.arg("--remote=ptcp:0:127.0.0.1");
        }
        let mut daemon = builder.args(&opts.extra).start();
        // The control socket may come up after the database socket.
        for socket in [&sock, &ctl] {
            if let Err(e) = daemon.wait_for_socket(socket) {
                panic!("{} ovsdb-server did not start: {e}", self.name);
            }
        }
        Server {
            daemon,
            sock,
            ctl,
            log,
            sut: self.name,
        }
    }
}

/// Optional parts of the command line.
#[derive(Debug, Default, Clone)]
pub struct StartOptions {
    /// Also listen on `ptcp:0:127.0.0.1` (a kernel-chosen port; see [`Server::tcp_port`]).
    pub tcp: bool,
    /// More arguments, appended last.
    pub extra: Vec<String>,
}

/// A running server, killed when dropped.
#[derive(Debug)]
pub struct Server {
    daemon: Daemon,
    pub sock: PathBuf,
    pub ctl: PathBuf,
    pub log: PathBuf,
    sut: &'static str,
}

impl Server {
    /// `unix:SOCK`, the remote for real clients' `--db=` or arguments.
    pub fn remote(&self) -> String {
        format!("unix:{}", self.sock.display())
    }

    /// A raw JSON-RPC connection to the Unix socket.
    #[track_caller]
    pub fn connect(&self) -> Rpc {
        Rpc::connect_unix(&self.sock)
    }

    pub fn pid(&self) -> u32 {
        self.daemon.pid()
    }

    /// Whether the process is still running.
    pub fn is_running(&mut self) -> bool {
        self.daemon.is_running()
    }

    /// Its exit status if it has exited.
    pub fn try_exit_status(&mut self) -> Option<ExitStatus> {
        self.daemon.try_exit_status()
    }

    /// Panics, with the server's stderr, unless the process is still running.
    #[track_caller]
    pub fn assert_running(&mut self, after: &str) {
        if let Some(status) = self.daemon.try_exit_status() {
            panic!(
                "{} ovsdb-server exited ({status}) after {after}\n{}",
                self.sut,
                self.daemon.stderr_report()
            );
        }
    }

    /// SIGKILL, as in a crash or power cut of the process.
    pub fn kill9(&mut self) -> ExitStatus {
        self.daemon.kill9()
    }

    /// Waits (bounded) for the process to exit on its own.
    #[track_caller]
    pub fn wait_exit(&mut self) -> ExitStatus {
        match self.daemon.wait_exit(DEFAULT_TIMEOUT) {
            Ok(s) => s,
            Err(e) => panic!("{} ovsdb-server: {e}", self.sut),
        }
    }

    /// The tail of its stderr, for failure messages.
    pub fn stderr_report(&self) -> String {
        self.daemon.stderr_report()
    }

    /// Runs the real `ovs-appctl -t CTL ARGS...`.
    #[track_caller]
    pub fn appctl(&self, args: &[&str]) -> Output {
        run(Command::new(real_ovs::OVS_APPCTL)
            .arg("--timeout=20")
            .arg("-t")
            .arg(&self.ctl)
            .args(args))
    }

    /// [`Server::appctl`], panicking unless it succeeded; returns stdout.
    #[track_caller]
    pub fn appctl_ok(&self, args: &[&str]) -> String {
        let out = self.appctl(args);
        if !out.success() {
            panic!(
                "ovs-appctl {args:?} against the {} server failed ({}): {}{}",
                self.sut, out.status, out.stderr, out.stdout
            );
        }
        out.stdout
    }

    /// The port of its one listening TCP socket (from `ptcp:0:...`), found through
    /// `/proc` so that it does not depend on what the server logs.
    #[track_caller]
    pub fn tcp_port(&self) -> u16 {
        let mut ports = Vec::new();
        let found = wait_until(DEFAULT_TIMEOUT, "a listening TCP socket", || {
            ports = listening_tcp_ports(self.pid());
            !ports.is_empty()
        });
        if let Err(e) = found {
            panic!("{} ovsdb-server: {e}", self.sut);
        }
        assert_eq!(ports.len(), 1, "expected one listening TCP port: {ports:?}");
        ports[0]
    }
}

/// TCP ports that process `pid` listens on: its socket inodes matched against the
/// LISTEN entries of `/proc/net/tcp` and `/proc/net/tcp6`.
fn listening_tcp_ports(pid: u32) -> Vec<u16> {
    let Ok(fds) = fs::read_dir(format!("/proc/{pid}/fd")) else {
        return Vec::new();
    };
    let inodes: Vec<String> = fds
        .flatten()
        .filter_map(|fd| fs::read_link(fd.path()).ok())
        .filter_map(|target| {
            let t = target.to_string_lossy().into_owned();
            t.strip_prefix("socket:[")
                .and_then(|rest| rest.strip_suffix(']'))
                .map(str::to_string)
        })
        .collect();
    let mut ports = Vec::new();
    for table in ["tcp", "tcp6"] {
        let Ok(text) = fs::read_to_string(format!("/proc/{pid}/net/{table}")) else {
            continue;
        };
        for line in text.lines().skip(1) {
            let fields: Vec<&str> = line.split_whitespace().collect();
            // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
            if fields.len() < 10 || fields[3] != "0A" || !inodes.iter().any(|i| i == fields[9]) {
                continue;
            }
            let port = fields[1]
                .rsplit(':')
                .next()
                .and_then(|hex| u16::from_str_radix(hex, 16).ok());
            if let Some(port) = port {
                ports.push(port);
            }
        }
    }
    ports
}

/// Creates `dir/<file>` from `schema` with the real `ovsdb-tool create` (the file
/// format is shared, so the same file serves both servers).
#[track_caller]
pub fn create_db(dir: &RunDir, file: &str, schema: &Path) -> PathBuf {
    let path = dir.file(file);
    let out = run(Command::new(real_ovs::OVSDB_TOOL)
        .arg("create")
        .arg(&path)
        .arg(schema));
    if !out.success() {
        panic!(
            "ovsdb-tool create {} {} failed ({}): {}",
            path.display(),
            schema.display(),
            out.status,
            out.stderr
        );
    }
    path
}

/// A fresh `conf.db` with the Open_vSwitch schema the Debian package ships.
#[track_caller]
pub fn vswitch_db(dir: &RunDir) -> PathBuf {
    create_db(dir, "conf.db", Path::new(real_ovs::VSWITCH_SCHEMA))
}

/// A small schema of our own ("Test": one root table `T` with a unique index on
/// `n`), for a second database and for crash tests with readable dumps.
pub fn test_schema() -> PathBuf {
    fixture_path("test.ovsschema")
}

/// `tests/fixtures/<name>` of this crate.
pub fn fixture_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}
