//! Running our ovs-vsctl and the reference's side by side: each against its own copy
//! of the same database, served by two servers of the same kind (the real
//! ovsdb-server, or ours), and comparing what they print.

#![allow(dead_code)]

use std::io::Read;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;
use testkit::{
    normalize_dates, normalize_uuids, real_ovs, without_load_warnings, Daemon, Output, RunDir,
};

/// Which ovsdb-server serves the database.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ServerKind {
    Real,
    Ours,
}

impl ServerKind {
    pub fn binary(self) -> PathBuf {
        match self {
            ServerKind::Real => PathBuf::from(real_ovs::OVSDB_SERVER),
            ServerKind::Ours => {
                testkit::ensure_built(&["ovsdb-server"]);
                testkit::oxvs_bin("ovsdb-server")
            }
        }
    }
}

/// Our ovs-vsctl.
pub fn ours() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_ovs-vsctl"))
}

/// Starts `server` on `db` in `dir`, listening on `<dir>/db.sock`.
pub fn start_server(dir: &RunDir, db: &Path, server: ServerKind) -> Daemon {
    let sock = dir.db_sock();
    let mut d = Daemon::builder(dir, server.binary())
        .arg(db)
        .arg(format!("--remote=punix:{}", sock.display()))
        .arg("--no-chdir")
        .arg(format!(
            "--unixctl={}",
            dir.file("ovsdb-server.ctl").display()
        ))
        .arg(format!("--log-file={}", dir.log("ovsdb-server").display()))
        .start();
    if let Err(e) = d.wait_for_socket(&sock) {
        panic!("{server:?} ovsdb-server did not start: {e}");
    }
    d
}

/// Waits (bounded) until the server started by [`start_server`] reports at least
/// `n` monitors: clients started before are then really waiting for changes, so
/// what happens next is a change they must notice, not something they might read
/// on their first look.
#[allow(dead_code)]
pub fn wait_for_monitors(dir: &RunDir, n: usize) {
    let ctl = dir.file("ovsdb-server.ctl");
    let what = format!("{n} monitors on the server");
    let got = testkit::wait_until(std::time::Duration::from_secs(20), &what, || {
        let out = testkit::run(
            dir.command(testkit::real_ovs::OVS_APPCTL)
                .arg("-t")
                .arg(&ctl)
                .arg("memory/show"),
        );
        out.success()
            && out
                .stdout
                .split_whitespace()
                .find_map(|w| w.strip_prefix("monitors:"))
                .and_then(|v| v.parse::<usize>().ok())
                .is_some_and(|m| m >= n)
    });
    if let Err(e) = got {
        panic!("{e}");
    }
}

/// Splits a command line written for a shell: words separated by spaces; a word in
/// single quotes is taken verbatim (spaces included).
pub fn split(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut quoted = false;
    for c in line.chars() {
        match c {
            '\'' => {
                quoted = !quoted;
                in_word = true;
            }
            ' ' if !quoted => {
                if in_word {
                    out.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            c => {
                word.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        out.push(word);
    }
    out
}

/// How long one run may take before it counts as hung.
const HANG: Duration = Duration::from_secs(30);

/// Runs an ovs-vsctl binary as `ovs-vsctl` (so both name themselves alike) in `dir`.
/// A run that does not finish in time is killed and reported as hung in its stderr.
pub fn vsctl(binary: &Path, dir: &RunDir, args: &[String]) -> Output {
    let mut cmd = dir.command(binary);
    cmd.arg0("ovs-vsctl")
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => panic!("cannot run {binary:?}: {e}"),
    };
    let read = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut text = Vec::new();
            if let Some(mut p) = pipe {
                let _ = p.read_to_end(&mut text);
            }
            String::from_utf8_lossy(&text).into_owned()
        })
    };
    let out = read(
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let err = read(
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let hung = testkit::wait_until(HANG, "ovs-vsctl to exit", || {
        matches!(child.try_wait(), Ok(Some(_)))
    })
    .is_err();
    if hung {
        let _ = child.kill();
    }
    let status = match child.wait() {
        Ok(s) => s,
        Err(e) => panic!("waiting for {binary:?}: {e}"),
    };
    let stdout = out.join().unwrap_or_default();
    let mut stderr = err.join().unwrap_or_default();
    if hung {
        stderr.push_str(&format!("<HUNG for {HANG:?} and was killed>\n"));
    }
    Output {
        status,
        stdout,
        stderr,
    }
}

/// What a run printed and how it ended, made comparable.
pub fn normalized(out: &Output) -> (String, String, String) {
    (
        normalize_uuids(&out.stdout),
        normalize_uuids(&normalize_dates(&without_load_warnings(&out.stderr))),
        format!("{:?}", out.status),
    )
}

/// Makes, in `dir`, a database file holding [`SETUP`], with the real tools.
pub fn build_base_db(dir: &RunDir) -> PathBuf {
    let setup: Vec<String> = SETUP.iter().map(|s| s.to_string()).collect();
    build_db(dir, &setup)
}

/// Makes, in `dir`, a database file configured by `setup` (ovs-vsctl command lines,
/// run by the real ovs-vsctl with `--no-wait`).
pub fn build_db(dir: &RunDir, setup: &[String]) -> PathBuf {
    let db = dir.file("base.db");
    let mut server =
        testkit::start_real_ovsdb_server(dir, &db, Some(Path::new(real_ovs::VSWITCH_SCHEMA)));
    for line in setup {
        let mut cmd = dir.command(real_ovs::OVS_VSCTL);
        cmd.arg("--no-wait").args(split(line));
        testkit::run_ok(&mut cmd);
    }
    server.kill9();
    db
}

/// The configuration every comparison starts from.
const SETUP: &[&str] = &[
    "init",
    "add-br br0 -- add-port br0 p1 tag=5 -- add-port br0 p2 -- add-br br1",
    "set bridge br0 other_config:a=1 'other_config:b=\"x y\"' flood_vlans=1,2 external_ids:k=v",
    "add-br b3 -- add-br b4 -- add-br b5 -- add-port b3 q3 -- add-port b4 q4 -- add-port b5 q5",
    "add-br b6 -- add-br b7 -- add-br b8 -- add-port b6 q6 -- add-port b7 q7 -- add-port b8 q8",
    "-- set bridge b4 controller=@c -- --id=@c create controller target='\"tcp:1.2.3.4\"'",
    "-- set bridge b7 controller=@c -- --id=@c create controller target='\"tcp:1.2.3.7\"'",
    "-- set bridge b3 controller=@c -- --id=@c create controller target='\"tcp:1.2.3.3\"'",
    "-- set port p1 qos=@q -- --id=@q create qos type=linux-htb other_config:max-rate=100",
    "-- set port q5 qos=@q -- --id=@q create qos type=linux-hfsc",
    "-- --id=a6bb0000-0000-4000-8000-000000000001 create qos type=z",
    "-- --id=a6bb0000-1000-4000-8000-000000000001 create qos type=y",
    "-- --id=@m create mirror name=mm -- --id=@n create mirror name=mm -- --id=@o create mirror name=m1 -- add bridge br0 mirrors @m @n @o",
    "-- --id=@b get bridge br0 -- create flow_sample_collector_set id=5 bridge=@b",
    "-- --id=@ft create flow_table flow_limit=100 name=ft0 -- set bridge br0 flow_tables=0=@ft",
    "-- --id=@m create manager target='\"ptcp:6640\"' -- set open . manager_options=@m",
    "-- --id=@s create ssl private_key=k certificate=c ca_cert=ca -- set open . ssl=@s",
    "-- set bridge b5 netflow=@n -- --id=@n create netflow targets='\"1.2.3.4:5\"'",
];

/// Our ovs-vsctl and the reference's, each with a server on its own copy of the base
/// database.
pub struct Pair {
    pub kind: ServerKind,
    ours_dir: RunDir,
    theirs_dir: RunDir,
    _servers: (Daemon, Daemon),
}

impl Pair {
    pub fn new(name: &str, kind: ServerKind, base: &Path) -> Pair {
        real_ovs::require_real_ovs();
        let ours_dir = RunDir::new(&format!("{name}-ours"));
        let theirs_dir = RunDir::new(&format!("{name}-ref"));
        for d in [&ours_dir, &theirs_dir] {
            if let Err(e) = std::fs::copy(base, d.conf_db()) {
                panic!("copying the base database: {e}");
            }
        }
        let a = start_server(&ours_dir, &ours_dir.conf_db(), kind);
        let b = start_server(&theirs_dir, &theirs_dir.conf_db(), kind);
        Pair {
            kind,
            ours_dir,
            theirs_dir,
            _servers: (a, b),
        }
    }

    /// Runs one command line with both programs (at the same time) and returns
    /// (ours, theirs).
    pub fn run(&self, args: &[String]) -> (Output, Output) {
        std::thread::scope(|s| {
            let t = s.spawn(|| vsctl(Path::new(real_ovs::OVS_VSCTL), &self.theirs_dir, args));
            let o = vsctl(&ours(), &self.ours_dir, args);
            let t = match t.join() {
                Ok(t) => t,
                Err(_) => panic!("running the reference ovs-vsctl panicked"),
            };
            (o, t)
        })
    }

    /// Runs `line` (with `--no-wait` in front unless it starts with `!`) and records
    /// any difference in `diffs`. A line starting with `~` compares standard output
    /// with its lines sorted (for output whose order follows the UUIDs of rows the
    /// scenario creates, which differ between the two runs).
    pub fn check(&self, line: &str, diffs: &mut Vec<String>) {
        let (sorted, line) = match line.strip_prefix('~') {
            Some(rest) => (true, rest),
            None => (false, line),
        };
        let (wait, line) = match line.strip_prefix('!') {
            Some(rest) => (true, rest),
            None => (false, line),
        };
        let mut args = Vec::new();
        if !wait {
            args.push("--no-wait".to_string());
        }
        args.extend(split(line));
        let (o, t) = self.run(&args);
        let (mut o, mut t) = (normalized(&o), normalized(&t));
        if sorted {
            for out in [&mut o.0, &mut t.0] {
                let mut lines: Vec<&str> = out.lines().collect();
                lines.sort_unstable();
                *out = lines.join("\n");
            }
        }
        if o != t {
            diffs.push(format!(
                "[{:?} server] ovs-vsctl {}\n  stdout ours: {:?}\n  stdout ref:  {:?}\n  stderr ours: {:?}\n  stderr ref:  {:?}\n  status ours: {}\n  status ref:  {}",
                self.kind,
                args.join(" "),
                o.0,
                t.0,
                o.1,
                t.1,
                o.2,
                t.2
            ));
        }
    }
}

/// Runs every line of a scenario against both server kinds, starting from the
/// common configuration, and fails with all the differences found.
pub fn compare(name: &str, lines: &[&str]) {
    let setup: Vec<String> = SETUP.iter().map(|s| s.to_string()).collect();
    compare_from(name, &setup, lines);
}

/// Like [`compare`], starting from a database configured by `setup`.
pub fn compare_from(name: &str, setup: &[String], lines: &[&str]) {
    let mut diffs = Vec::new();
    let base_dir = RunDir::new(&format!("{name}-base"));
    let base = build_db(&base_dir, setup);
    for kind in [ServerKind::Real, ServerKind::Ours] {
        let pair = Pair::new(name, kind, &base);
        for line in lines {
            pair.check(line, &mut diffs);
        }
    }
    assert!(
        diffs.is_empty(),
        "{} difference(s) from the reference:\n{}",
        diffs.len(),
        diffs.join("\n")
    );
}
