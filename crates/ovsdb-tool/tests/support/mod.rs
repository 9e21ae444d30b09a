//! Running our `ovsdb-tool` and the real one (Open vSwitch 3.1) side by side.
//!
//! Both run with `argv[0]` = `ovsdb-tool` (glibc's option errors quote `argv[0]` as
//! invoked), in the test's directory, with every `OVS_*` directory pointing there,
//! `OVS_PKGDATADIR` naming the Debian schema's directory (so the default schema is the
//! same file for both), and a time zone that is not UTC (dates must not depend on it).
#![allow(dead_code)]

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use ovs_json::Json;
use testkit::{real_ovs, run, Output, RunDir};

/// Our binary, built by cargo for this package's tests.
pub const OURS: &str = env!("CARGO_BIN_EXE_ovsdb-tool");

/// The schema the Debian package ships (test input only).
pub const SCHEMA: &str = real_ovs::VSWITCH_SCHEMA;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tool {
    Ours,
    Real,
}

impl Tool {
    pub fn path(self) -> &'static str {
        match self {
            Tool::Ours => OURS,
            Tool::Real => real_ovs::OVSDB_TOOL,
        }
    }
}

/// A test directory, checked for the real Open vSwitch first: a missing peer fails
/// the test.
pub fn test_dir(name: &str) -> RunDir {
    real_ovs::require_real_ovs();
    RunDir::new(name)
}

/// A command for `tool` running in `cwd`.
pub fn command(tool: Tool, cwd: &Path) -> Command {
    let mut cmd = Command::new(tool.path());
    cmd.arg0("ovsdb-tool").current_dir(cwd);
    for var in ["OVS_RUNDIR", "OVS_DBDIR", "OVS_LOGDIR", "OVS_SYSCONFDIR"] {
        cmd.env(var, cwd);
    }
    let pkgdata = Path::new(SCHEMA).parent().unwrap_or(Path::new("/"));
    cmd.env("OVS_PKGDATADIR", pkgdata)
        .env("TZ", "EST5EDT")
        .env_remove("POSIXLY_CORRECT");
    cmd
}

/// Runs `tool` with `args` in `cwd`.
pub fn tool(tool: Tool, cwd: &Path, args: &[&str]) -> Output {
    run(command(tool, cwd).args(args))
}

/// Runs `tool` and insists on success; returns stdout.
#[track_caller]
pub fn tool_ok(t: Tool, cwd: &Path, args: &[&str]) -> String {
    let out = tool(t, cwd, args);
    assert!(
        out.success() && testkit::without_load_warnings(&out.stderr).is_empty(),
        "{t:?} ovsdb-tool {args:?} failed ({}):\n{}{}",
        out.status,
        out.stdout,
        out.stderr
    );
    out.stdout
}

/// What a run printed and returned, with `normalize` applied to both streams
/// (after dropping the reference's warnings about a slow machine, which say
/// nothing about the tool's behaviour).
#[derive(Debug, PartialEq, Eq)]
pub struct Seen {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

pub fn seen(out: &Output, normalize: &dyn Fn(&str) -> String) -> Seen {
    Seen {
        code: out.code(),
        stdout: normalize(&out.stdout),
        stderr: normalize(&testkit::without_load_warnings(&out.stderr)),
    }
}

pub fn exact(s: &str) -> String {
    s.to_string()
}

/// Runs both tools with `args` in `cwd` (for commands that change nothing) and
/// asserts identical stdout, stderr and exit status. Returns what they printed.
#[track_caller]
pub fn assert_same(cwd: &Path, args: &[&str]) -> Seen {
    assert_same_in(cwd, cwd, args, &exact)
}

/// Runs ours in `ours_dir` and the reference in `real_dir` (each on its own copy of
/// the files), compares after `normalize` (and after replacing each tool's directory
/// in paths by `<dir>`), and returns what they printed.
#[track_caller]
pub fn assert_same_in(
    ours_dir: &Path,
    real_dir: &Path,
    args: &[&str],
    normalize: &dyn Fn(&str) -> String,
) -> Seen {
    let in_dir = |dir: &Path| {
        let dir = dir.to_string_lossy().into_owned();
        move |s: &str| normalize(&s.replace(&dir, "<dir>"))
    };
    let real = seen(&tool(Tool::Real, real_dir, args), &in_dir(real_dir));
    let ours = seen(&tool(Tool::Ours, ours_dir, args), &in_dir(ours_dir));
    assert_eq!(
        ours, real,
        "ovsdb-tool {args:?}: ours (left) vs reference (right)"
    );
    real
}

/// Replaces UUIDs and the dates and pids of log lines, which differ between runs.
pub fn volatile(s: &str) -> String {
    let s = testkit::normalize_dates(&testkit::normalize_uuids(s));
    let mut out = String::new();
    for line in s.split_inclusive('\n') {
        match line.find("locked by pid ") {
            Some(i) => {
                let rest = &line[i + 14..];
                let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
                out.push_str(&line[..i + 14]);
                out.push_str("<pid>");
                out.push_str(&rest[digits..]);
            }
            None => out.push_str(line),
        }
    }
    out
}

/// A query or transact reply with the rows of every `select` result in a canonical
/// order (the reference's order depends on hashing and varies from run to run).
pub fn canonical_reply(s: &str) -> String {
    let Ok(mut json) = ovs_json::parse(s.trim_end()) else {
        return s.to_string();
    };
    if let Json::Array(results) = &mut json {
        for r in results {
            if let Json::Object(o) = r {
                if let Some(Json::Array(rows)) = o.get_mut("rows") {
                    rows.sort_by_key(Json::to_compact);
                }
            }
        }
    }
    format!("{}\n", json.to_compact())
}

/// Creates `name` in `dir` with the real tool from the Debian schema, then applies
/// `transactions` with the real `ovsdb-tool transact`, each of which must succeed.
#[track_caller]
pub fn real_db(dir: &Path, name: &str, transactions: &[&str]) -> PathBuf {
    tool_ok(Tool::Real, dir, &["create", name, SCHEMA]);
    for t in transactions {
        let reply = tool_ok(Tool::Real, dir, &["transact", name, t]);
        assert!(!reply.contains("\"error\""), "{t}\n{reply}");
    }
    dir.join(name)
}

/// Copies `from` to `to`.
#[track_caller]
pub fn copy(from: &Path, to: &Path) {
    if let Err(e) = std::fs::copy(from, to) {
        panic!("copy {} to {}: {e}", from.display(), to.display());
    }
}

/// Reads a file that must exist.
#[track_caller]
pub fn read(path: &Path) -> Vec<u8> {
    match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => panic!("read {}: {e}", path.display()),
    }
}

/// Makes a subdirectory.
#[track_caller]
pub fn subdir(dir: &RunDir, name: &str) -> PathBuf {
    let path = dir.file(name);
    if let Err(e) = std::fs::create_dir_all(&path) {
        panic!("mkdir {}: {e}", path.display());
    }
    path
}

/// The scripted history of the main test database: inserts, modifications of
/// scalars, sets and maps, deletions (direct and by garbage collection), comments and
/// strings that need quoting. (A set difference larger than its column's maximum size
/// would be written by the reference but then refused when it reads the file back,
/// so the history avoids one; `edge_records.rs` shows how `show-log` prints one.)
pub const HISTORY: &[&str] = &[
    r#"["Open_vSwitch",
      {"op":"insert","table":"Open_vSwitch","uuid-name":"ovs",
       "row":{"bridges":["named-uuid","br0"],"external_ids":["map",[["system-id","host 1"]]]}},
      {"op":"insert","table":"Bridge","uuid-name":"br0",
       "row":{"name":"br0","ports":["set",[["named-uuid","p1"],["named-uuid","p2"]]],
              "flow_tables":["map",[[0,["named-uuid","ft"]]]]}},
      {"op":"insert","table":"Port","uuid-name":"p1",
       "row":{"name":"p1","interfaces":["named-uuid","i1"],"tag":5,"trunks":["set",[1,2,3]]}},
      {"op":"insert","table":"Port","uuid-name":"p2",
       "row":{"name":"p2 x","interfaces":["named-uuid","i2"]}},
      {"op":"insert","table":"Interface","uuid-name":"i1",
       "row":{"name":"p1","type":"internal","mtu_request":1400}},
      {"op":"insert","table":"Interface","uuid-name":"i2",
       "row":{"name":"p2 x","options":["map",[["a","b"],["c","d e"]]]}},
      {"op":"insert","table":"Flow_Table","uuid-name":"ft",
       "row":{"name":"ft","prefixes":["set",["ip_src","ip_dst","ipv6_src"]]}},
      {"op":"comment","comment":"add br0"}]"#,
    r#"["Open_vSwitch",
      {"op":"update","table":"Interface","where":[["name","==","p2 x"]],
       "row":{"options":["map",[["a","z"],["n","1"]]]}},
      {"op":"mutate","table":"Open_vSwitch","where":[],
       "mutations":[["next_cfg","+=",1],["external_ids","insert",["map",[["k","true"]]]]]},
      {"op":"mutate","table":"Port","where":[["name","==","p1"]],
       "mutations":[["trunks","delete",["set",[2]]],["trunks","insert",["set",[7]]]]},
      {"op":"update","table":"Flow_Table","where":[],
       "row":{"prefixes":["set",["ip_src","ipv6_dst"]]}},
      {"op":"comment","comment":"first"},{"op":"comment","comment":"second \"quoted\""}]"#,
    r#"["Open_vSwitch",
      {"op":"insert","table":"Port","uuid-name":"p3",
       "row":{"name":"p3","interfaces":["named-uuid","i3"],
              "external_ids":["map",[["","empty"],["uuid","01234567-89ab-cdef-0123-456789abcdef"],
                                     ["s","caf\u00e9 \\ \"q\""],["n","-1.5"]]]}},
      {"op":"insert","table":"Interface","uuid-name":"i3","row":{"name":"p3"}},
      {"op":"mutate","table":"Bridge","where":[],
       "mutations":[["ports","insert",["set",[["named-uuid","p3"]]]]]}]"#,
    r#"["Open_vSwitch",
      {"op":"mutate","table":"Bridge","where":[],
       "mutations":[["ports","delete",["set",[["uuid","00000000-0000-0000-0000-000000000000"]]]]]},
      {"op":"delete","table":"Port","where":[["name","==","p2 x"]]},
      {"op":"update","table":"Bridge","where":[],"row":{"ports":["named-uuid","keep"]}},
      {"op":"insert","table":"Port","uuid-name":"keep",
       "row":{"name":"keep","interfaces":["named-uuid","ik"]}},
      {"op":"insert","table":"Interface","uuid-name":"ik","row":{"name":"keep"}}]"#,
    r#"["Open_vSwitch",
      {"op":"insert","table":"Bridge","uuid-name":"br1","row":{"name":"br1"}},
      {"op":"update","table":"Open_vSwitch","where":[],
       "row":{"bridges":["set",[["named-uuid","br1"]]]}}]"#,
];

/// One log record as the file format frames it: header line with length and SHA-1,
/// then `text` and a newline. Any text, valid JSON or not.
pub fn framed(text: &str) -> Vec<u8> {
    use sha1::{Digest, Sha1};
    let body = format!("{text}\n");
    let digest = Sha1::digest(body.as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    let mut out = format!("OVSDB JSON {} {hex}\n", body.len()).into_bytes();
    out.extend_from_slice(body.as_bytes());
    out
}

/// Writes a database file made of `records` (texts framed as they are).
#[track_caller]
pub fn write_records(path: &Path, records: &[&str]) {
    let bytes: Vec<u8> = records.iter().flat_map(|r| framed(r)).collect();
    if let Err(e) = std::fs::write(path, bytes) {
        panic!("write {}: {e}", path.display());
    }
}
