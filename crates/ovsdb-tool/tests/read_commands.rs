//! Commands that only read, run by our tool and the real one on the same files:
//! stdout, stderr and exit status must be identical.

mod support;

use support::{assert_same, command, real_db, test_dir, tool_ok, Tool, HISTORY, SCHEMA};

/// Every read-only command on a database with a real history, and on its compacted
/// form (written by the real tool).
#[test]
fn read_only_commands_match_on_a_real_database() {
    let dir = test_dir("read_only_commands_match");
    let path = dir.path();
    real_db(path, "conf.db", HISTORY);
    tool_ok(Tool::Real, path, &["compact", "conf.db", "compacted.db"]);
    for db in ["conf.db", "compacted.db"] {
        for args in [
            vec!["show-log", db],
            vec!["-m", "show-log", db],
            vec!["-m", "-m", "show-log", db],
            vec!["--more", "--more", "--more", "show-log", db],
            vec!["show-log", "-mm", db],
            vec!["db-name", db],
            vec!["db-version", db],
            vec!["db-cksum", db],
            vec!["db-is-standalone", db],
            vec!["db-is-clustered", db],
            vec!["needs-conversion", db],
            vec!["needs-conversion", db, SCHEMA],
            vec!["db-cid", db],
            vec!["db-sid", db],
            vec!["db-local-address", db],
        ] {
            assert_same(path, &args);
        }
    }
    // Defaults: conf.db in $OVS_DBDIR, the schema in $OVS_PKGDATADIR.
    for args in [
        &["show-log"][..],
        &["-mm", "show-log"],
        &["db-name"],
        &["db-version"],
        &["needs-conversion"],
        &["schema-name"],
        &["schema-version"],
        &["schema-cksum"],
    ] {
        assert_same(path, args);
    }
    let out = assert_same(path, &["-mm", "show-log"]);
    assert!(out.stdout.contains("record 5:"), "{}", out.stdout);
    assert!(
        out.stdout.contains("\"first\nsecond \"quoted\"\""),
        "{}",
        out.stdout
    );
}

/// Queries answer the same (rows compared in a canonical order: the reference's
/// order of rows varies from run to run).
#[test]
fn queries_match_on_a_real_database() {
    let dir = test_dir("queries_match");
    let path = dir.path();
    real_db(path, "conf.db", &HISTORY[..4]);
    for txn in [
        r#"["Open_vSwitch",{"op":"select","table":"Bridge","where":[],"columns":["name","ports","flow_tables"]}]"#,
        r#"["Open_vSwitch",{"op":"select","table":"Interface","where":[],"columns":["name","type","options","mtu_request"]}]"#,
        r#"["Open_vSwitch",{"op":"select","table":"Port","where":[],"columns":["name","tag","trunks","external_ids","_uuid"]}]"#,
        r#"["Open_vSwitch",{"op":"select","table":"Open_vSwitch","where":[],"columns":["next_cfg","external_ids"]}]"#,
        r#"["Open_vSwitch",{"op":"select","table":"Flow_Table","where":[],"columns":["name","prefixes"]}]"#,
        r#"["Open_vSwitch",{"op":"insert","table":"Bridge","row":{"name":"br0"}},{"op":"select","table":"Bridge","where":[],"columns":["name"]}]"#,
        r#"["Open_vSwitch",{"op":"delete","table":"Bridge","where":[]}]"#,
        r#"["Open_vSwitch",{"op":"mutate","table":"Open_vSwitch","where":[],"mutations":[["next_cfg","+=",5]]},{"op":"select","table":"Open_vSwitch","where":[],"columns":["next_cfg"]}]"#,
        r#"["Open_vSwitch",{"op":"wait","table":"Bridge","where":[],"columns":["name"],"until":"==","rows":[]}]"#,
        r#"["Open_vSwitch",{"op":"wait","table":"Bridge","where":[],"columns":["name"],"until":"==","rows":[],"timeout":0}]"#,
        r#"["Open_vSwitch",{"op":"abort"}]"#,
        r#"["Open_vSwitch",{"op":"bogus"}]"#,
        r#"["Open_vSwitch",{"op":"insert","table":"Open_vSwitch","row":{}}]"#,
        r#"["Open_vSwitch"]"#,
        r#"["Nope"]"#,
        r#"[]"#,
        r#"{}"#,
        r#""x""#,
        r#"["Open_vSwitch","#,
        "conf.db",
    ] {
        let real = support::tool(Tool::Real, path, &["query", "conf.db", txn]);
        let ours = support::tool(Tool::Ours, path, &["query", "conf.db", txn]);
        let canon = |s: &str| testkit::normalize_uuids(&support::canonical_reply(s));
        assert_eq!(
            (ours.code(), canon(&ours.stdout), ours.stderr.clone()),
            (real.code(), canon(&real.stdout), real.stderr.clone()),
            "query {txn}"
        );
    }
    // With the default database and the transaction as the only argument.
    assert_same(path, &["query", r#"["Open_vSwitch"]"#]);
}

/// Usage errors, options and the commands that need no database.
#[test]
fn usage_and_options_match() {
    let dir = test_dir("usage_and_options_match");
    let path = dir.path();
    real_db(path, "t.db", &[]);
    for args in [
        &[][..],
        &["--help"],
        &["-h"],
        &["help"],
        &["help", "x", "y"],
        &["list-commands"],
        &["--version"],
        &["-V"],
        &["--option"],
        &["-h", "-V"],
        &["-V", "--foo"],
        &["--foo"],
        &["--foo=1"],
        &["-x"],
        &["-mx", "show-log", "t.db"],
        &["--ver"],
        &["--v"],
        &["--more=1", "show-log", "t.db"],
        &["--help=1"],
        &["--rbac-role"],
        &["--rbac-role=admin", "db-name", "t.db"],
        &["--rb", "admin", "db-name", "t.db"],
        &["--cid=x", "db-name", "t.db"],
        &[
            "--cid=00000000-0000-0000-0000-000000000000",
            "db-name",
            "t.db",
        ],
        &[
            "--cid=12345678-1234-1234-1234-123456789ABC",
            "db-name",
            "t.db",
        ],
        &["--election-timer=99", "db-name", "t.db"],
        &["--election-timer=100abc", "db-name", "t.db"],
        &["--election-timer", "600001", "db-name", "t.db"],
        &["--log-file=x.log", "db-name", "t.db"],
        &["db-name", "t.db", "-v"],
        &["db-name", "--", "t.db"],
        &["--", "-m", "show-log", "t.db"],
        &["-m"],
        &["nonsense"],
        &["db-name", "a", "b"],
        &["create", "a", "b", "c"],
        &["compact", "a", "b", "c"],
        &["convert", "a", "b", "c", "d"],
        &["query"],
        &["transact", "a", "b", "c"],
        &["compare-versions", "1.2.3"],
        &["db-is-clustered"],
        &["db-cid"],
        &["check-cluster"],
        &["cluster-to-standalone", "a"],
        &["create-cluster", "a", "b"],
        &["join-cluster", "a", "b", "c"],
        &["db-name", "missing.db"],
        &["db-version", "missing.db"],
        &["show-log", "missing.db"],
        &["query", "missing.db", "[]"],
        &["db-is-standalone", "missing.db"],
        &["db-cid", "missing.db"],
        &["db-cid", "t.db"],
        &["db-sid", "t.db"],
        &["db-local-address", "t.db"],
        &["check-cluster", "t.db"],
        &["schema-name", "missing.ovsschema"],
        &["schema-version", SCHEMA],
        &["schema-cksum", SCHEMA],
        &["schema-name", SCHEMA],
    ] {
        assert_same(path, args);
    }
}

/// The environment the command line and the default paths depend on: glibc's
/// `POSIXLY_CORRECT` ends the options at the first operand, and an empty
/// `OVS_SYSCONFDIR` still places the default database (`/openvswitch/conf.db`).
#[test]
fn environment_matches() {
    let dir = test_dir("environment_matches");
    let path = dir.path();
    real_db(path, "t.db", &[]);
    for (var, value, args) in [
        ("POSIXLY_CORRECT", "1", &["db-name", "t.db", "-V"][..]),
        ("POSIXLY_CORRECT", "1", &["-m", "db-name", "--", "t.db"]),
        ("POSIXLY_CORRECT", "1", &["-V", "db-name", "t.db"]),
        ("OVS_SYSCONFDIR", "", &["db-name"]),
        ("OVS_SYSCONFDIR", "", &["--help"]),
    ] {
        let run = |t: Tool| {
            let out = testkit::run(
                command(t, path)
                    .env_remove("OVS_DBDIR")
                    .env(var, value)
                    .args(args),
            );
            (out.code(), out.stdout, out.stderr)
        };
        assert_eq!(
            run(Tool::Ours),
            run(Tool::Real),
            "{var}={value:?} ovsdb-tool {args:?}: ours (left) vs reference (right)"
        );
    }
}

#[test]
fn logging_options_match() {
    let dir = test_dir("logging_options_match");
    let path = dir.path();
    real_db(path, "t.db", &[]);
    for spec in [
        "-v",
        "-vdbg",
        "-vconsole:dbg",
        "-vANY:console:off",
        "-vPATTERN:console:%m",
        "-vpattern:console",
        "-vPATTERN:file:a:b",
        "-vFACILITY:local0",
        "-vfacility:LOCAL7",
        "-vFACILITY:clock2",
        "-vFACILITY:local0:x",
        "-vFACILITY:cron",
        "-vFACILITY",
        "-vPATTERN",
        "-vPATTERN:foo:x",
        "-vfoo",
        "-vconsole:syslog",
        "-vdbg:warn",
        "-vvlog:util",
        "-vreconnect:file:info",
        "-vdaemon",
        "-vx y",
        "-v:",
        "--verbose",
        "--verbose=off",
        "--verb=lockfile:console:err",
    ] {
        assert_same(path, &[spec, "db-name", "t.db"]);
    }
}

#[test]
fn compare_versions_matches() {
    let dir = test_dir("compare_versions_matches");
    let path = dir.path();
    for (a, op, b) in [
        ("1.2.3", "<", "1.2.4"),
        ("1.2.3", "<=", "1.2.3"),
        ("1.2.3", "==", "1.2.3"),
        ("1.2.10", ">", "1.2.9"),
        ("1.2.3", ">=", "1.3.0"),
        ("1.2.3", "!=", "1.2.3"),
        ("1.2.3", "<<", "1.2.4"),
        ("1.2.3", "=", "1.2.3"),
        ("x", "<<", "y"),
        ("1.2.3", "==", "y"),
        ("1.2", "<", "1.2.4"),
        ("1.2.3.4", "==", "1.2.3"),
        ("01.2.3", "==", "1.2.3"),
        (" 1.2.3", "==", "1.2.3"),
        ("1.2.3 ", "==", "1.2.3"),
        ("1. 2.+3", "==", "1.2.3"),
        ("1.2.-3", "==", "1.2.4294967293"),
        ("4294967296.0.0", "==", "0.0.0"),
        ("99999999999999999999999.0.0", "==", "4135583743.0.0"),
        ("0x1.2.3", "==", "1.2.3"),
    ] {
        assert_same(path, &["compare-versions", a, op, b]);
    }
}

/// A clustered database made by the real tool: what we can tell about it matches,
/// and what we cannot do is refused with the reference's words where it has them.
#[test]
fn clustered_files_are_recognised() {
    let dir = test_dir("clustered_files_are_recognised");
    let path = dir.path();
    let made = support::tool(
        Tool::Real,
        path,
        &["create-cluster", "c.db", SCHEMA, "tcp:127.0.0.1:6641"],
    );
    assert!(made.success(), "{}", made.stderr);
    let joined = support::tool(
        Tool::Real,
        path,
        &[
            "join-cluster",
            "j.db",
            "Open_vSwitch",
            "tcp:127.0.0.1:6643",
            "tcp:127.0.0.1:6641",
        ],
    );
    assert!(joined.success(), "{}", joined.stderr);
    for db in ["c.db", "j.db"] {
        for cmd in [
            "db-is-clustered",
            "db-is-standalone",
            "db-name",
            "db-cid",
            "db-sid",
            "db-local-address",
            "db-version",
            "db-cksum",
            "needs-conversion",
        ] {
            assert_same(path, &[cmd, db]);
        }
        assert_same(path, &["query", db, r#"["Open_vSwitch"]"#]);
    }
}

/// The default database follows `OVS_DBDIR`, then `OVS_SYSCONFDIR`, with the
/// reference's handling of empty values; `--help` shows the defaults.
#[test]
fn default_paths_follow_the_environment() {
    let dir = test_dir("default_paths_follow_env");
    let path = dir.path();
    let sysconf = path.join("sysconf");
    let envs: [&[(&str, Option<&str>)]; 5] = [
        &[("OVS_DBDIR", None)],
        &[("OVS_DBDIR", Some(""))],
        &[("OVS_DBDIR", None), ("OVS_SYSCONFDIR", Some(""))],
        &[("OVS_DBDIR", Some("relative/dir"))],
        &[("OVS_PKGDATADIR", Some("")), ("OVS_LOGDIR", Some(""))],
    ];
    for env in envs {
        for args in [&["db-name"][..], &["--help"], &["create"]] {
            let run = |t: Tool| {
                let mut cmd = support::command(t, path);
                cmd.env("OVS_SYSCONFDIR", &sysconf);
                for (k, v) in env {
                    match v {
                        Some(v) => cmd.env(k, v),
                        None => cmd.env_remove(k),
                    };
                }
                let out = testkit::run(cmd.args(args));
                // `create` may have made the default database; the other tool must
                // start from the same state.
                let _ = std::fs::remove_file(path.join("conf.db"));
                // Log lines carry the time; the two runs may straddle a second.
                (
                    out.code(),
                    out.stdout,
                    testkit::normalize_dates(&out.stderr),
                )
            };
            let real = run(Tool::Real);
            if args == ["--help"] && env.iter().any(|(k, _)| *k == "OVS_PKGDATADIR") {
                // Without OVS_PKGDATADIR our default schema is the built-in one.
                let ours = run(Tool::Ours);
                assert_eq!(
                    ours.1.replace("the built-in vswitch.ovsschema", SCHEMA),
                    real.1
                );
                continue;
            }
            assert_eq!(run(Tool::Ours), real, "{env:?} {args:?}");
        }
    }
}

/// Without `OVS_PKGDATADIR`, the default schema is the one built into oxvs (the
/// reference would read /usr/share/openvswitch, which oxvs never depends on).
#[test]
fn the_default_schema_is_built_in() {
    let dir = test_dir("default_schema_built_in");
    let path = dir.path();
    let ours = |args: &[&str]| {
        let mut cmd = support::command(Tool::Ours, path);
        cmd.env_remove("OVS_PKGDATADIR");
        testkit::run(cmd.args(args))
    };
    assert_eq!(ours(&["schema-name"]).stdout, "Open_vSwitch\n");
    assert_eq!(ours(&["schema-version"]).stdout, "8.3.1\n");
    assert!(ours(&["create"]).success());
    assert!(ours(&["--help"])
        .stdout
        .contains("The default SCHEMA is the built-in vswitch.ovsschema.\n"));
    // The real tool accepts the database made from it.
    assert_eq!(
        support::tool_ok(Tool::Real, path, &["db-name"]),
        "Open_vSwitch\n"
    );
    let t = r#"["Open_vSwitch",{"op":"insert","table":"Open_vSwitch","row":{}}]"#;
    assert!(!support::tool_ok(Tool::Real, path, &["transact", t]).contains("error"));
}

/// Schema files the reference refuses, and how it words each refusal.
#[test]
fn schema_errors_are_worded_like_the_reference() {
    let dir = test_dir("schema_errors_worded");
    let path = dir.path();
    for (name, text) in [
        ("empty.ovsschema", ""),
        ("torn.ovsschema", "{"),
        ("trailing.ovsschema", "{} x"),
        ("array.ovsschema", "[]"),
        ("no-tables.ovsschema", r#"{"name":"x"}"#),
        (
            "bad-version.ovsschema",
            r#"{"name":"x","version":"1.2","tables":{}}"#,
        ),
        (
            "bad-type.ovsschema",
            r#"{"name":"x","tables":{"T":{"columns":{"a":{"type":"foo"}}}}}"#,
        ),
        (
            "bad-ref.ovsschema",
            r#"{"name":"x","tables":{"T":{"columns":{"a":{"type":{"key":{"type":"uuid","refTable":"U"}}}}}}}"#,
        ),
    ] {
        if let Err(e) = std::fs::write(path.join(name), text) {
            panic!("write {name}: {e}");
        }
        assert_same(path, &["schema-name", name]);
        assert_same(path, &["create", "x.db", name]);
    }
    // The same refusal for a database whose schema record is invalid; show-log has
    // printed "record 0:" by then.
    support::write_records(&path.join("bad.db"), &[r#"{"name":"x"}"#]);
    for args in [&["show-log", "bad.db"][..], &["db-name", "bad.db"]] {
        assert_same(path, args);
    }
}
