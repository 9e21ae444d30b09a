//! Our ovsdb-client against the real one, command by command, on the same server:
//! stdout, stderr and exit status must be identical.

mod common;

use common::{assert_no_failures, custom_env, vswitch_env, Env};

const FORMATS: [&str; 5] = ["table", "list", "csv", "html", "json"];
const DATA: [&str; 3] = ["string", "bare", "json"];

#[test]
fn schema_commands_match_the_reference() {
    let mut failures = Vec::new();
    for env in [custom_env("schema_custom"), vswitch_env("schema_vswitch")] {
        let remote = env.remote();
        let cases: Vec<Vec<&str>> = vec![
            vec!["list-dbs"],
            vec!["list-dbs", &remote],
            vec!["get-schema"],
            vec!["--pretty", "get-schema"],
            vec!["get-schema", "_Server"],
            vec!["get-schema-version"],
            vec!["get-schema-version", "_Server"],
            vec!["get-schema-cksum"],
            vec!["get-schema", &remote, "_Server"],
            vec!["list-tables"],
            vec!["list-tables", "_Server"],
            vec!["list-columns"],
            vec!["list-columns", "_Server"],
            vec!["list-columns", "A"],
            vec!["list-columns", "Bridge"],
            vec!["list-columns", "NoSuchTable"],
            vec!["--no-headings", "list-tables"],
            vec!["--bare", "list-columns"],
            vec!["--pretty", "-f", "json", "list-tables"],
        ];
        for case in &cases {
            env.compare(case, &mut failures);
        }
        for format in FORMATS {
            for data in DATA {
                env.compare(&["-f", format, "-d", data, "list-columns"], &mut failures);
            }
        }
    }
    assert_no_failures(&failures);
}

fn dump_cases(env: &Env, tables: &[&[&str]], failures: &mut Vec<String>) {
    for format in FORMATS {
        for data in DATA {
            env.compare(&["-f", format, "-d", data, "dump"], failures);
            env.compare(
                &["--no-headings", "-f", format, "-d", data, "dump"],
                failures,
            );
        }
    }
    for extra in [
        &["--bare"][..],
        &["--pretty", "-f", "json"],
        &["--timestamp"],
    ] {
        let mut args = extra.to_vec();
        args.push("dump");
        env.compare(&args, failures);
    }
    for table_args in tables {
        let mut args = vec!["dump"];
        args.extend_from_slice(table_args);
        env.compare(&args, failures);
    }
}

/// `--max-column-width` on ASCII data (on multi-byte characters we deliberately
/// never cut a character in half, unlike the reference; see ovs-table).
fn narrow_cases(env: &Env, table: &str, failures: &mut Vec<String>) {
    for width in [
        "--max-column-width=5",
        "--max-column-width=1",
        "--max-column-width=0",
    ] {
        env.compare(&[width, "dump", table], failures);
        env.compare(&[width, "--no-headings", "dump", table], failures);
        env.compare(&[width, "-f", "list", "dump", table], failures);
    }
}

#[test]
fn dump_matches_the_reference_in_every_format() {
    let mut failures = Vec::new();
    let env = custom_env("dump_custom");
    dump_cases(
        &env,
        &[
            &["T"],
            &["T", "A"],
            &["A"],
            &["T", "B", "name"],
            &["T", "A", "s", "i", "_uuid"],
            &["T", "A", "_version"],
            &["T", "Empty"],
            &["T", "A", "nosuch"],
            &["T", "nosuch"],
            &["nosuchdb"],
            &["T", "A", "s", "s"],
            &["T", "A", "i", "s", "i"],
            &["_Server"],
            &["_Server", "Database", "name", "model"],
        ],
        &mut failures,
    );
    narrow_cases(&env, "A", &mut failures);
    let env = vswitch_env("dump_vswitch");
    dump_cases(
        &env,
        &[
            &["Bridge"],
            &["Open_vSwitch", "Interface", "name", "type"],
            &["Port", "name", "tag", "trunks"],
        ],
        &mut failures,
    );
    narrow_cases(&env, "Bridge", &mut failures);
    assert_no_failures(&failures);
}

#[test]
fn transact_and_query_match_the_reference() {
    let env = custom_env("transact");
    let remote = env.remote();
    let mut failures = Vec::new();
    let select = r#"["T",{"op":"select","table":"B","where":[],"columns":["name","n"]}]"#;
    let cases: Vec<Vec<&str>> = vec![
        vec!["query", select],
        vec!["--pretty", "query", select],
        vec!["query", &remote, select],
        vec!["query", "ignored", select],
        vec!["query", r#"["T"]"#],
        vec!["query", r#"["T",{"op":"abort"}]"#],
        vec![
            "query",
            r#"["T",{"op":"select","table":"nosuch","where":[]}]"#,
        ],
        vec!["query", r#"["T",{"op":"delete","table":"B","where":[]}]"#],
        vec![
            "query",
            r#"["T",{"op":"select","table":"A","where":[["i","==",3]]}]"#,
        ],
        vec!["transact", r#"["T",{"op":"comment","comment":"hi"}]"#],
        vec!["transact", r#"["T",1]"#],
        vec!["transact", r#"["nosuch"]"#],
        vec!["--pretty", "transact", r#"["nosuch"]"#],
        vec!["transact", r#"{"a":1}"#],
        vec!["transact", "[]"],
        vec!["transact", "[1]"],
        vec!["transact", "\"x\""],
        vec!["transact", "5"],
        vec!["transact", ""],
        vec!["transact", "["],
        vec!["transact", "[]]"],
        vec!["transact", r#"["T"] x"#],
        vec![
            "transact",
            r#"["T",{"op":"insert","table":"B","row":{"name":"x"}}]"#,
            "t",
        ],
        vec!["transact", "a", "b", "c"],
        vec!["transact", "unix:/nonexistent/db.sock", "{}"],
        vec!["transact", "unix:/nonexistent/db.sock", r#"["T"]"#],
    ];
    for case in &cases {
        env.compare(case, &mut failures);
    }
    // A transaction that changes something changes it once per client; each
    // selects the row it inserted, and only the new row's UUID may differ.
    let insert = r#"["T",{"op":"insert","table":"B","row":{"name":"new"},"uuid-name":"n"},{"op":"select","table":"B","where":[["_uuid","==",["named-uuid","n"]]],"columns":["name","_uuid"]}]"#;
    let (ours, theirs) = env.both(&["transact", insert]);
    assert!(ours.success() && theirs.success(), "{ours:?} {theirs:?}");
    assert_ne!(ours.stdout, theirs.stdout, "two inserts made one row?");
    assert_eq!(
        testkit::normalize_uuids(&ours.stdout),
        testkit::normalize_uuids(&theirs.stdout)
    );
    assert!(ours.stdout.contains(r#""name":"new""#), "{}", ours.stdout);
    assert_no_failures(&failures);
}

#[test]
fn command_line_errors_match_the_reference() {
    let env = custom_env("cli_errors");
    let mut failures = Vec::new();
    let cases: Vec<Vec<&str>> = vec![
        vec![],
        vec!["nosuchcmd"],
        vec!["--bogus"],
        vec!["-x", "list-dbs"],
        vec!["--format"],
        vec!["-f"],
        vec!["--format=bogus", "list-dbs"],
        vec!["-d", "bogus", "list-dbs"],
        vec!["--data=JSON", "list-dbs"],
        vec!["--timeout=abc", "list-dbs"],
        vec!["--timeout=0", "list-dbs"],
        vec!["--timeout=-1", "list-dbs"],
        vec!["-t", "5", "list-dbs"],
        vec!["--timeout", "5", "list-dbs"],
        vec!["list-dbs", "--timeout=5"],
        vec!["--pretty=1", "list-dbs"],
        vec!["--f=json", "list-dbs"],
        vec!["--d"],
        vec!["--n"],
        vec!["--p"],
        vec!["--s"],
        vec!["--ti=1", "list-dbs"],
        vec!["--form=json", "list-tables"],
        vec!["-fjson", "list-tables"],
        vec!["--no-h", "list-tables"],
        vec!["--force", "list-dbs"],
        vec!["-vbogus", "list-dbs"],
        vec!["-vconsole:file", "list-dbs"],
        vec!["--verbose=dbg,info", "list-dbs"],
        vec!["-vconsole:off", "list-dbs"],
        vec!["-vFACILITY", "list-dbs"],
        vec!["-vFACILITY:bogus", "list-dbs"],
        vec!["-vFACILITY::local0", "list-dbs"],
        vec!["-vFACILITY:local0", "list-dbs"],
        vec!["-vPATTERN:any:%m", "list-dbs"],
        vec!["-vmemory", "list-dbs"],
        vec!["-vnetdev_linux:file:dbg", "list-dbs"],
        vec!["-vprocess", "list-dbs"],
        vec!["--log-file=/nonexistent/x.log", "list-dbs"],
        vec!["--log-file=/nonexistent/x.log", "--version"],
        vec!["--log-file=relative.log", "list-dbs"],
        vec!["--form=json=x", "list-dbs"],
        vec!["--nonsense=1", "list-dbs"],
        vec!["list-dbs", "bogus"],
        vec!["list-dbs", "1:2"],
        vec!["get-schema", "nosuch"],
        vec!["get-schema", "T", "extra"],
        vec!["list-columns", "T", "A", "extra"],
        vec!["list-tables", "T", "extra"],
        vec!["backup", "T", "extra"],
        vec!["lock"],
        vec!["lock", "a", "b"],
        vec!["unlock"],
        vec!["wait", "T"],
        vec!["wait", "a", "b", "c", "d"],
        vec!["wait", "T", "bogus"],
        vec!["monitor", "T"],
        vec!["monitor", "T", "nosuch"],
        vec!["monitor", "T", "A", "nosuch"],
        vec!["monitor", "T", "A", "i,i"],
        vec!["monitor", "T", "A", "i", "i"],
        vec!["monitor", "T", "A", "!bogus"],
        vec!["monitor", "T", "A", "i", "!initial"],
        vec!["monitor-cond", "T", "a", "A"],
        vec!["monitor-cond", "T", "[]", "nosuch"],
        vec!["monitor-cond", "T", "xx", "A"],
        vec!["monitor-cond", "T", "[]", "A", "i", "s"],
        vec!["monitor-cond", "T", r#"[["i","<"]]"#, "A"],
        vec!["monitor-cond", "T", r#"[["zz","==",1]]"#, "A"],
        vec!["monitor-cond", "T", r#"[["s","<",1]]"#, "A"],
        vec!["monitor-cond", "T", r#"[["iset","<",1]]"#, "A"],
        vec!["monitor-cond", "T", r#"[["smap",">=",1]]"#, "A"],
        vec!["monitor-cond", "T", r#"[["Zed","<",1]]"#, "A"],
        vec!["monitor-cond", "T", r#"[["i","~",1]]"#, "A"],
        vec!["monitor-cond", "T", r#"[["i","==","x"]]"#, "A"],
        vec!["monitor-cond", "T", "[1]", "A"],
        vec!["monitor-cond", "T", r#"[["e","==","z"]]"#, "A"],
        vec!["monitor-cond", "T", r#"[["iset","includes",-9]]"#, "A"],
        vec!["monitor-cond", "T", "[true]", "ALL"],
        vec!["monitor-cond-since", "T", "[]", "nosuch"],
        vec!["monitor-cond-since", "T", "xyz", "[]", "A"],
        vec!["monitor-cond-since", "T", "[]", "A", "i", "s", "b"],
        vec!["needs-conversion", "/nonexistent.ovsschema"],
    ];
    for case in &cases {
        env.compare(case, &mut failures);
    }
    assert_no_failures(&failures);
}

#[test]
fn help_version_and_default_database_match_the_reference() {
    let env = custom_env("help_version");
    let mut failures = Vec::new();
    for case in [
        &["--help"][..],
        &["-h"],
        &["help"],
        &["help", "extra"],
        &["-V"],
        &["--version", "extra"],
        &["--version", "--bogus"],
        &["--bogus", "--version"],
    ] {
        env.compare(case, &mut failures);
    }
    // With two databases and no Open_vSwitch there is no default.
    let schema = env.dir.file("e.ovsschema");
    std::fs::write(
        &schema,
        r#"{"name":"E","tables":{"X":{"columns":{"v":{"type":"integer"}}}}}"#,
    )
    .expect("write schema");
    let db = env.dir.file("e.db");
    common::create_db(&env.dir, &db, &schema);
    let out = env.appctl(&["ovsdb-server/add-db", &db.display().to_string()]);
    assert!(out.success(), "add-db: {out:?}");
    for case in [
        &["dump"][..],
        &["list-tables"],
        &["list-dbs"],
        &["get-schema", "E"],
        &["get-schema-version", "E"],
        &["get-schema-cksum", "E"],
        &["dump", "E"],
    ] {
        env.compare(case, &mut failures);
    }
    assert_no_failures(&failures);
}

#[test]
fn connection_errors_match_the_reference() {
    let env = custom_env("connect_errors");
    let mut failures = Vec::new();
    let missing = format!("unix:{}", env.dir.file("missing.sock").display());
    // A TCP port nobody listens on: bind one, note its number, close it.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("pick a port");
    let refused = format!("tcp:127.0.0.1:{port}");
    for case in [
        vec!["list-dbs", missing.as_str()],
        vec!["dump", missing.as_str()],
        vec!["list-dbs", refused.as_str()],
        vec!["list-dbs", "foo:bar"],
        vec!["list-dbs", "Tcp:127.0.0.1:1"],
        vec!["list-dbs", "tcp:127.0.0.1:99999"],
        vec!["list-dbs", "unix:"],
        vec!["list-dbs", "a:b", "c"],
        vec!["transact", missing.as_str(), r#"["T"]"#],
    ] {
        env.compare(&case, &mut failures);
    }
    // The default server is $OVS_RUNDIR/db.sock; point OVS_RUNDIR elsewhere.
    let elsewhere = testkit::RunDir::new("connect_errors_elsewhere");
    for args in [&["list-dbs"][..], &["dump"], &["--help"]] {
        let go = |program: &str| {
            let mut cmd = env.client(program, args);
            cmd.env("OVS_RUNDIR", elsewhere.path());
            testkit::run(&mut cmd)
        };
        if let Some(d) = common::difference(&go(common::OURS), &go(testkit::real_ovs::OVSDB_CLIENT))
        {
            failures.push(format!("OVS_RUNDIR=elsewhere ovsdb-client {args:?}\n{d}"));
        }
    }
    // Unset, it is /var/run/openvswitch.
    let go = |program: &str| {
        let mut cmd = env.client(program, &["get-schema-version"]);
        cmd.env_remove("OVS_RUNDIR");
        testkit::run(&mut cmd)
    };
    let (ours, theirs) = (go(common::OURS), go(testkit::real_ovs::OVSDB_CLIENT));
    if let Some(d) = common::difference(&ours, &theirs) {
        failures.push(format!("no OVS_RUNDIR: get-schema-version\n{d}"));
    }
    assert_no_failures(&failures);
}

#[test]
fn timeout_ends_the_program_with_sigalrm() {
    use std::os::unix::process::ExitStatusExt;
    let env = custom_env("timeout");
    // A wait that can never finish.
    let (ours, theirs) = env.both(&["--timeout=1", "wait", "nosuch", "added"]);
    assert_eq!(ours.status.signal(), Some(libc::SIGALRM), "{ours:?}");
    assert_eq!(common::difference(&ours, &theirs), None);
}

/// JSON syntax errors in operands are reported with the JSON parser's own message.
/// Known difference: ovs-json's lexer reads an upper-case letter as the start of a
/// keyword (`invalid keyword 'T'` at the end of the word) where the reference
/// rejects the character itself (`invalid character 'T'` at its position).
#[test]
fn json_syntax_errors_with_capitals_match_the_reference() {
    let env = custom_env("json_capitals");
    let mut failures = Vec::new();
    for text in ["T", "[T]", "[True]", "[Z1]"] {
        env.compare(&["transact", text], &mut failures);
    }
    env.compare(&["monitor-cond", "T", "T", "A"], &mut failures);
    assert_no_failures(&failures);
}

#[test]
fn json_syntax_errors_match_the_reference() {
    let env = custom_env("json_errors");
    let mut failures = Vec::new();
    for text in [
        "[tru]",
        "[1,]",
        "[-]",
        "[1e]",
        r#"["\x"]"#,
        "[nul]",
        r#"{"a"}"#,
        "[1 2]",
        "x",
        "[_]",
        "",
        " ",
        r#"["a"] {} "#,
    ] {
        env.compare(&["transact", text], &mut failures);
    }
    assert_no_failures(&failures);
}

/// With a passive method as SERVER the client listens and the server connects to
/// it (here through `ovsdb-server/add-remote`).
#[test]
fn passive_server_argument_waits_for_the_server_to_connect() {
    let env = custom_env("passive");
    let mut outputs = Vec::new();
    for (who, program) in [
        ("ours", common::OURS),
        ("reference", testkit::real_ovs::OVSDB_CLIENT),
    ] {
        let sock = env.dir.file(&format!("{who}.sock"));
        let mut client = testkit::Daemon::builder(&env.dir, program)
            .args(["list-dbs", &format!("punix:{}", sock.display())])
            .name(who)
            .start();
        common::wait_for("the client to listen", || sock.exists());
        let remote = format!("unix:{}", sock.display());
        let out = env.appctl(&["ovsdb-server/add-remote", &remote]);
        assert!(out.success(), "{out:?}");
        let status = client
            .wait_exit(testkit::DEFAULT_TIMEOUT)
            .expect("client exits");
        let out = env.appctl(&["ovsdb-server/remove-remote", &remote]);
        assert!(out.success(), "{out:?}");
        outputs.push(testkit::Output {
            status,
            stdout: client.stdout(),
            stderr: client.stderr().replace(&sock.display().to_string(), "SOCK"),
        });
    }
    assert!(outputs[0].stdout.contains("_Server"), "{:?}", outputs[0]);
    assert_eq!(common::difference(&outputs[0], &outputs[1]), None);
}

/// `-vjsonrpc` logs every message, with JSON objects in the reference's member
/// order (received ones as parsed, sent ones as the reference builds them).
#[test]
fn jsonrpc_debug_logs_match_the_reference() {
    let env = custom_env("debug_logs");
    let mut failures = Vec::new();
    for case in [
        &["-vjsonrpc", "list-dbs"][..],
        &["-vjsonrpc", "dump", "T", "B"],
        &["-vjsonrpc:dbg", "get-schema-version"],
        &["-vjsonrpc", "list-columns", "A"],
        &[
            "-vjsonrpc",
            "query",
            r#"["T",{"op":"select","table":"B","where":[["n","==",5]],"columns":["name"]}]"#,
        ],
        &["-vjsonrpc", "transact", r#"["nosuch"]"#],
        &["-vjsonrpc", "wait", "T", "connected"],
        &["-vjsonrpc", "wait", "nosuch", "removed"],
        &["-vjsonrpc", "-vreconnect:info", "wait", "T", "added"],
    ] {
        env.compare(case, &mut failures);
    }
    assert_no_failures(&failures);
}
