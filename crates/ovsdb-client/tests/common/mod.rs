//! Shared setup for comparing our `ovsdb-client` with the real one: a server on a
//! populated database in a private run directory, running both clients with the
//! same arguments, and normalising what legitimately differs (log timestamps).
//!
//! The server is the real `ovsdb-server` unless `OXVS_TEST_OVSDB_SERVER` names
//! another binary that takes the same options (ours, once it is ready).

#![allow(dead_code)]

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use testkit::{
    normalize_dates, real_ovs, run, run_with_stdin, wait_until, without_load_warnings, Daemon,
    Output, RunDir,
};

/// Our binary.
pub const OURS: &str = env!("CARGO_BIN_EXE_ovsdb-client");

/// A schema with every kind of column the output code has to get right.
pub const TEST_SCHEMA: &str = r#"{
  "name": "T", "version": "1.2.3", "cksum": "12345 678",
  "tables": {
    "A": {"columns": {
      "i": {"type": "integer"},
      "r": {"type": "real"},
      "b": {"type": "boolean"},
      "s": {"type": "string"},
      "u": {"type": "uuid"},
      "Zed": {"type": {"key": "string", "min": 0, "max": 1}},
      "e": {"type": {"key": {"type": "string", "enum": ["set", ["x", "y z"]]}}},
      "iset": {"type": {"key": {"type": "integer", "minInteger": -5}, "min": 0, "max": "unlimited"}},
      "smap": {"type": {"key": "string", "value": "string", "min": 0, "max": "unlimited"}},
      "rmap": {"type": {"key": "integer", "value": {"type": "uuid", "refTable": "B"}, "min": 0, "max": "unlimited"}},
      "ref": {"type": {"key": {"type": "uuid", "refTable": "B"}, "min": 0, "max": "unlimited"}},
      "wref": {"type": {"key": {"type": "uuid", "refTable": "B", "refType": "weak"}, "min": 0, "max": 2}},
      "eph": {"type": "integer", "ephemeral": true}
    }, "isRoot": true, "indexes": [["i"]]},
    "B": {"columns": {
      "name": {"type": "string"},
      "n": {"type": {"key": "integer", "min": 0, "max": 1}}
    }, "isRoot": true, "maxRows": 100},
    "Empty": {"columns": {"v": {"type": "real"}}}
  }
}"#;

/// Rows for [`TEST_SCHEMA`], with strings that need quoting, escaping in CSV and
/// HTML, and non-ASCII text.
pub const TEST_DATA: &str = r#"["T",
  {"op": "insert", "table": "B", "row": {"name": "b1", "n": 5}, "uuid-name": "b1"},
  {"op": "insert", "table": "B", "row": {"name": "hello world"}, "uuid-name": "b2"},
  {"op": "insert", "table": "B", "row": {"name": "<tag> & \"quote\""}, "uuid-name": "b3"},
  {"op": "insert", "table": "B", "row": {"name": "true", "n": -1}},
  {"op": "insert", "table": "B", "row": {"name": "ünïcødé, comma"}},
  {"op": "insert", "table": "B", "row": {"name": "line\nbreak\ttab"}},
  {"op": "insert", "table": "A", "row": {"i": 3, "r": 2.5, "b": true, "s": "x y", "Zed": "z",
     "e": "y z", "iset": ["set", [3, 1, -2]], "smap": ["map", [["k", "v"], ["a b", "c=d"], ["", "empty"]]],
     "rmap": ["map", [[1, ["named-uuid", "b1"]], [2, ["named-uuid", "b2"]]]],
     "ref": ["set", [["named-uuid", "b1"], ["named-uuid", "b2"]]], "wref": ["named-uuid", "b3"],
     "u": ["uuid", "11111111-2222-3333-4444-555555555555"], "eph": 7}},
  {"op": "insert", "table": "A", "row": {"i": 1, "s": "", "r": 1e100, "e": "x"}},
  {"op": "insert", "table": "A", "row": {"i": 2, "s": "true", "r": -0.1, "iset": 5, "e": "x",
     "smap": ["map", [["x", "1.5"], ["y", "-"]]]}},
  {"op": "insert", "table": "A", "row": {"i": -7, "s": "a\"b\\c", "r": 0.30000000000000004, "e": "x",
     "Zed": "00000000-0000-0000-0000-000000000000"}}
]"#;

/// A run directory with a server on a database.
pub struct Env {
    pub dir: RunDir,
    pub server: Daemon,
}

/// The server binary under test.
fn server_binary() -> PathBuf {
    std::env::var_os("OXVS_TEST_OVSDB_SERVER")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(real_ovs::OVSDB_SERVER))
}

/// Starts the server on `dbs` (paths inside `dir`).
pub fn start_server(dir: &RunDir, dbs: &[PathBuf], name: &str) -> Daemon {
    let sock = dir.db_sock();
    let mut server = Daemon::builder(dir, server_binary())
        .args(dbs)
        .arg(format!("--remote=punix:{}", sock.display()))
        .arg("--no-chdir")
        .arg(format!(
            "--unixctl={}",
            dir.file("ovsdb-server.ctl").display()
        ))
        .arg(format!("--log-file={}", dir.log("ovsdb-server").display()))
        .name(name)
        .start();
    if let Err(e) = server.wait_for_socket(&sock) {
        panic!("ovsdb-server did not start: {e}");
    }
    server
}

/// Creates `path` from a schema file with the real ovsdb-tool.
pub fn create_db(dir: &RunDir, path: &Path, schema: &Path) {
    let out = run(dir
        .command(real_ovs::OVSDB_TOOL)
        .arg("create")
        .arg(path)
        .arg(schema));
    assert!(out.success(), "ovsdb-tool create failed: {}", out.stderr);
}

/// A server on the custom test database `T` (file `t.db`), filled with [`TEST_DATA`].
pub fn custom_env(test: &str) -> Env {
    real_ovs::require_real_ovs();
    let dir = RunDir::new(test);
    let schema = dir.file("t.ovsschema");
    std::fs::write(&schema, TEST_SCHEMA).expect("write schema");
    let db = dir.file("t.db");
    create_db(&dir, &db, &schema);
    let out = run(dir
        .command(real_ovs::OVSDB_TOOL)
        .arg("transact")
        .arg(&db)
        .arg(TEST_DATA));
    assert!(
        out.success() && !out.stdout.contains("error"),
        "filling t.db: {out:?}"
    );
    let server = start_server(&dir, &[db], "ovsdb-server");
    Env { dir, server }
}

/// A server on an Open_vSwitch database with a few bridges and ports.
pub fn vswitch_env(test: &str) -> Env {
    real_ovs::require_real_ovs();
    let dir = RunDir::new(test);
    let db = dir.conf_db();
    create_db(&dir, &db, Path::new(real_ovs::VSWITCH_SCHEMA));
    let server = start_server(&dir, &[db], "ovsdb-server");
    let env = Env { dir, server };
    env.vsctl(&["init"]);
    env.vsctl(&[
        "add-br",
        "br0",
        "--",
        "add-port",
        "br0",
        "p1",
        "--",
        "set",
        "Interface",
        "p1",
        "type=internal",
        "--",
        "add-port",
        "br0",
        "p2",
        "tag=10",
        "--",
        "set",
        "Port",
        "p2",
        "trunks=1,2,3",
    ]);
    env.vsctl(&[
        "add-br",
        "br1",
        "--",
        "set",
        "Bridge",
        "br1",
        "other_config:hwaddr=\"00:11:22:33:44:55\"",
        "external_ids:owner=\"the test\"",
        "--",
        "add-bond",
        "br1",
        "bond0",
        "e1",
        "e2",
    ]);
    env
}

impl Env {
    /// Runs the real ovs-vsctl against the server (test setup only).
    pub fn vsctl(&self, args: &[&str]) {
        let out = run(self
            .dir
            .command(real_ovs::OVS_VSCTL)
            .arg("--no-wait")
            .args(args));
        assert!(out.success(), "ovs-vsctl {args:?}: {}", out.stderr);
    }

    /// `unix:<dir>/db.sock`.
    pub fn remote(&self) -> String {
        self.dir.db_remote()
    }

    /// Runs the real ovsdb-server's unixctl command (test setup only).
    pub fn appctl(&self, args: &[&str]) -> Output {
        run(self
            .dir
            .command(real_ovs::OVS_APPCTL)
            .arg("-t")
            .arg(self.dir.file("ovsdb-server.ctl"))
            .args(args))
    }

    /// A client command for `program` named `ovsdb-client` in argv[0] (glibc's
    /// option errors quote argv[0]).
    pub fn client(&self, program: &str, args: &[&str]) -> Command {
        let mut cmd = self.dir.command(program);
        cmd.arg0("ovsdb-client").args(args);
        cmd
    }

    /// Runs both clients with `args` and stdin from `stdin_file`.
    pub fn both_with_stdin(&self, args: &[&str], stdin_file: Option<&Path>) -> (Output, Output) {
        let go = |program: &str| {
            let mut cmd = self.client(program, args);
            match stdin_file {
                Some(f) => {
                    let file = std::fs::File::open(f).expect("open stdin file");
                    cmd.stdin(Stdio::from(file));
                    capture(&mut cmd)
                }
                None => run(&mut cmd),
            }
        };
        (go(OURS), go(real_ovs::OVSDB_CLIENT))
    }

    /// Runs both clients with `args`.
    pub fn both(&self, args: &[&str]) -> (Output, Output) {
        self.both_with_stdin(args, None)
    }

    /// Runs both clients with `args` and records a mismatch in `failures`.
    pub fn compare(&self, args: &[&str], failures: &mut Vec<String>) {
        let (ours, theirs) = self.both(args);
        if let Some(diff) = difference(&ours, &theirs) {
            failures.push(format!("ovsdb-client {}\n{diff}", shell_words(args)));
        }
    }

    /// Like [`Env::compare`] with text on stdin.
    pub fn compare_stdin(&self, args: &[&str], input: &str, failures: &mut Vec<String>) {
        let go = |program: &str| run_with_stdin(&mut self.client(program, args), input);
        let (ours, theirs) = (go(OURS), go(real_ovs::OVSDB_CLIENT));
        if let Some(diff) = difference(&ours, &theirs) {
            failures.push(format!("ovsdb-client {}\n{diff}", shell_words(args)));
        }
    }
}

/// Runs a command whose stdin is already set up.
fn capture(cmd: &mut Command) -> Output {
    let out = cmd.output().expect("run client");
    Output {
        status: out.status,
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Log lines carry the time; `--timestamp` lines too. The reference's
/// warnings about a loaded machine are dropped.
pub fn normalize(s: &str) -> String {
    normalize_dates(&without_load_warnings(s))
}

/// A description of how two runs differ, or `None`.
pub fn difference(ours: &Output, theirs: &Output) -> Option<String> {
    let (o_out, t_out) = (normalize(&ours.stdout), normalize(&theirs.stdout));
    let (o_err, t_err) = (normalize(&ours.stderr), normalize(&theirs.stderr));
    if o_out == t_out && o_err == t_err && ours.status == theirs.status {
        return None;
    }
    let mut s = String::new();
    if ours.status != theirs.status {
        s.push_str(&format!(
            "  status: ours {} / reference {}\n",
            ours.status, theirs.status
        ));
    }
    if o_out != t_out {
        s.push_str(&format!("  stdout differs:\n{}", line_diff(&o_out, &t_out)));
    }
    if o_err != t_err {
        s.push_str(&format!("  stderr differs:\n{}", line_diff(&o_err, &t_err)));
    }
    Some(s)
}

/// The first few differing lines, ours (`<`) against the reference (`>`).
pub fn line_diff(ours: &str, theirs: &str) -> String {
    let (a, b): (Vec<&str>, Vec<&str>) = (ours.lines().collect(), theirs.lines().collect());
    let mut s = String::new();
    let mut shown = 0;
    for i in 0..a.len().max(b.len()) {
        let (x, y) = (a.get(i), b.get(i));
        if x != y {
            s.push_str(&format!(
                "    line {}:\n    < {}\n    > {}\n",
                i + 1,
                x.unwrap_or(&"<none>"),
                y.unwrap_or(&"<none>")
            ));
            shown += 1;
            if shown == 5 {
                s.push_str("    ...\n");
                break;
            }
        }
    }
    if s.is_empty() && ours != theirs {
        s.push_str("    (trailing newline differs)\n");
    }
    s
}

fn shell_words(args: &[&str]) -> String {
    args.iter()
        .map(|a| {
            if a.chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_=:/.,".contains(c))
                && !a.is_empty()
            {
                a.to_string()
            } else {
                format!("'{a}'")
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Fails the test with every mismatch found.
#[track_caller]
pub fn assert_no_failures(failures: &[String]) {
    assert!(
        failures.is_empty(),
        "{} case(s) differ from the reference:\n\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Polls `cond` for up to the default bound.
#[track_caller]
pub fn wait_for(what: &str, cond: impl FnMut() -> bool) {
    if let Err(e) = wait_until(testkit::DEFAULT_TIMEOUT, what, cond) {
        panic!("{e}");
    }
}

/// Two long-running clients (ours and the reference) started with the same
/// arguments, whose output is compared once both have printed the same things.
pub struct ClientPair {
    pub ours: Daemon,
    pub theirs: Daemon,
    logs: [PathBuf; 2],
}

impl Env {
    /// Starts both clients with `args`. Each also logs its JSON-RPC traffic to a
    /// file, which is how [`ClientPair::wait_for_reply`] knows that a request has
    /// been answered (the reference's console output stays as it would be).
    pub fn start_pair(&self, tag: &str, args: &[&str]) -> ClientPair {
        let start = |who: &str, program: &str| {
            let log = self.dir.file(&format!("{tag}-{who}.log"));
            let daemon = Daemon::builder(&self.dir, program)
                .arg(format!("--log-file={}", log.display()))
                .arg("-vjsonrpc:file:dbg")
                .args(args)
                .name(&format!("{tag}-{who}"))
                .start();
            (daemon, log)
        };
        let (ours, ours_log) = start("ours", OURS);
        let (theirs, theirs_log) = start("reference", real_ovs::OVSDB_CLIENT);
        ClientPair {
            ours,
            theirs,
            logs: [ours_log, theirs_log],
        }
    }
}

/// Whether the log has the reply to the last request whose method starts with
/// `method`.
fn log_has_reply(log: &Path, method: &str) -> bool {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let needle = format!("send request, method=\"{method}");
    let Some(line) = text.lines().rev().find(|l| l.contains(&needle)) else {
        return false;
    };
    let Some((_, id)) = line.rsplit_once(", id=") else {
        return false;
    };
    let ending = format!(", id={id}");
    text.lines()
        .any(|l| l.contains("|jsonrpc|DBG|") && l.contains(": received ") && l.ends_with(&ending))
}

impl ClientPair {
    /// Waits until both clients have received the reply to their request whose
    /// method starts with `method` (e.g. "monitor" for all three monitor methods).
    #[track_caller]
    pub fn wait_for_reply(&mut self, method: &str) {
        let logs = self.logs.clone();
        let result = wait_until(testkit::DEFAULT_TIMEOUT, "the reply", || {
            logs.iter().all(|l| log_has_reply(l, method))
        });
        if let Err(e) = result {
            let missing: Vec<String> = logs
                .iter()
                .filter(|l| !log_has_reply(l, method))
                .map(|l| {
                    format!(
                        "{}:\n{}",
                        l.display(),
                        std::fs::read_to_string(l).unwrap_or_default()
                    )
                })
                .collect();
            panic!(
                "{e}: no reply to {method} in\n{}\nstderr: {}\n{}",
                missing.join("\n"),
                self.ours.stderr(),
                self.theirs.stderr()
            );
        }
    }

    /// Waits until both have sent a request whose method starts with `method`.
    #[track_caller]
    pub fn wait_for_request(&mut self, method: &str) {
        let needle = format!("send request, method=\"{method}");
        let logs = self.logs.clone();
        wait_for(&format!("both clients to send {method}"), || {
            logs.iter().all(|l| {
                std::fs::read_to_string(l)
                    .unwrap_or_default()
                    .contains(&needle)
            })
        });
    }

    /// Waits until both have written `text` to stderr.
    #[track_caller]
    pub fn wait_for_stderr(&mut self, text: &str) {
        let (ours, theirs) = (
            self.ours.stderr_path().to_path_buf(),
            self.theirs.stderr_path().to_path_buf(),
        );
        wait_for(&format!("both clients to log {text:?}"), || {
            [&ours, &theirs].iter().all(|p| {
                std::fs::read_to_string(p)
                    .unwrap_or_default()
                    .contains(text)
            })
        });
    }

    /// Waits until both have printed the same output, which includes `marker`.
    /// Panics with both outputs if that does not happen in time.
    #[track_caller]
    pub fn wait_same_output(&mut self, marker: &str) {
        let result = wait_until(testkit::DEFAULT_TIMEOUT, "matching output", || {
            let (o, t) = (
                normalize(&self.ours.stdout()),
                normalize(&self.theirs.stdout()),
            );
            t.contains(marker) && o == t
        });
        if result.is_err() {
            panic!(
                "outputs did not become equal (marker {marker:?}):\n{}\n--- ours ---\n{}\n--- reference ---\n{}",
                line_diff(&normalize(&self.ours.stdout()), &normalize(&self.theirs.stdout())),
                self.ours.stdout(),
                self.theirs.stdout()
            );
        }
    }

    /// Stops both with SIGTERM and returns how their complete output differs.
    pub fn stop_and_compare(mut self) -> Option<String> {
        for d in [&mut self.ours, &mut self.theirs] {
            let _ = d.signal(libc::SIGTERM);
        }
        self.finish()
    }

    /// Waits for both to exit on their own and returns how they differ.
    pub fn finish(mut self) -> Option<String> {
        let ours = self
            .ours
            .wait_exit(testkit::DEFAULT_TIMEOUT)
            .expect("our client exits");
        let theirs = self
            .theirs
            .wait_exit(testkit::DEFAULT_TIMEOUT)
            .expect("reference client exits");
        let strip = |s: String| -> String {
            s.lines()
                .filter(|l| !l.contains("|vlog|INFO|opened log file"))
                .map(|l| format!("{l}\n"))
                .collect()
        };
        difference(
            &Output {
                status: ours,
                stdout: self.ours.stdout(),
                stderr: strip(self.ours.stderr()),
            },
            &Output {
                status: theirs,
                stdout: self.theirs.stdout(),
                stderr: strip(self.theirs.stderr()),
            },
        )
    }
}
