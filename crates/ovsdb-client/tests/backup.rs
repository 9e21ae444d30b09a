//! `backup` and `restore`: our backup file must hold the same records as the
//! reference's (only `_date` differs), be readable by the reference's tools, and
//! restoring must leave the same data; failures must read the same.

mod common;

use common::{assert_no_failures, custom_env, difference, vswitch_env, Env, OURS};
use ovs_json::Json;
use std::path::Path;
use std::process::Stdio;
use testkit::{real_ovs, run};

/// Runs `backup` with one client, stdout to `file`.
fn backup_to(env: &Env, program: &str, file: &Path) -> testkit::Output {
    let out = std::fs::File::create(file).expect("create backup file");
    let mut cmd = env.client(program, &["backup"]);
    cmd.stdout(Stdio::from(out))
        .stderr(Stdio::piped())
        .stdin(Stdio::null());
    let o = cmd.output().expect("run backup");
    testkit::Output {
        status: o.status,
        stdout: String::new(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
    }
}

/// The records of a standalone database file, each checked against its header's
/// length and SHA-1, with `_date` removed.
fn records(file: &Path) -> Vec<Json> {
    let data = std::fs::read(file).expect("read backup");
    let mut out = Vec::new();
    let mut rest = &data[..];
    while !rest.is_empty() {
        let nl = rest.iter().position(|&b| b == b'\n').expect("header line");
        let header = std::str::from_utf8(&rest[..nl]).expect("ascii header");
        let words: Vec<&str> = header.split(' ').collect();
        assert_eq!(&words[..2], ["OVSDB", "JSON"], "{header}");
        let len: usize = words[2].parse().expect("length");
        let body = &rest[nl + 1..nl + 1 + len];
        use sha1::Digest;
        let digest: String = sha1::Sha1::digest(body)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(digest, words[3], "hash of record {}", out.len());
        let mut json = ovs_json::parse_bytes(body).expect("record JSON");
        if let Json::Object(o) = &mut json {
            o.remove("_date");
        }
        out.push(json);
        rest = &rest[nl + 1 + len..];
    }
    out
}

fn dump(env: &Env) -> String {
    testkit::run_ok(&mut env.client(real_ovs::OVSDB_CLIENT, &["dump"]))
}

/// The database's contents with row UUIDs replaced by what they stand for: B rows
/// by name, references from A by the referenced row's name; without the
/// ephemeral column, which by design does not survive a backup.
fn snapshot(env: &Env) -> String {
    let out = testkit::run_ok(&mut env.client(
        real_ovs::OVSDB_CLIENT,
        &[
            "query",
            r#"["T",{"op":"select","table":"B","where":[]},{"op":"select","table":"A","where":[]},{"op":"select","table":"Empty","where":[]}]"#,
        ],
    ));
    let mut text = ovs_json::parse(&out).expect("query reply").to_compact();
    let reply = ovs_json::parse(&out).expect("query reply");
    for row in reply
        .as_array()
        .and_then(|r| r[0].get("rows"))
        .and_then(Json::as_array)
        .unwrap_or(&[])
    {
        let uuid = row
            .get("_uuid")
            .and_then(|u| u.as_array())
            .and_then(|u| u[1].as_str())
            .unwrap_or("");
        let name = row.get("name").and_then(Json::as_str).unwrap_or("");
        // Escaped, so that the name fits inside the JSON string it replaces.
        let escaped = Json::string(name).to_compact();
        text = text.replace(uuid, &format!("row:{}", &escaped[1..escaped.len() - 1]));
    }
    // Whatever UUIDs remain (row and version ids) differ by design.
    let mut rows: Vec<String> = Vec::new();
    let reply = ovs_json::parse(&text).expect("rewritten reply");
    for result in reply.as_array().unwrap_or(&[]) {
        for row in result.get("rows").and_then(Json::as_array).unwrap_or(&[]) {
            let mut row = row.clone();
            if let Json::Object(o) = &mut row {
                o.remove("_uuid");
                o.remove("_version");
                o.remove("eph");
                // Set elements are ordered by UUID, which changed.
                for value in o.values_mut() {
                    if let Json::Array(a) = value {
                        if let [Json::String(tag), Json::Array(items)] = a.as_mut_slice() {
                            if tag == "set" {
                                items.sort_by_key(Json::to_compact);
                            }
                        }
                    }
                }
            }
            rows.push(row.to_compact());
        }
    }
    rows.sort();
    rows.join("\n")
}

#[test]
fn backup_holds_the_same_records_as_the_reference() {
    for env in [custom_env("backup_custom"), vswitch_env("backup_vswitch")] {
        let ours = env.dir.file("ours.backup");
        let theirs = env.dir.file("theirs.backup");
        let (o, t) = (
            backup_to(&env, OURS, &ours),
            backup_to(&env, real_ovs::OVSDB_CLIENT, &theirs),
        );
        assert_eq!(difference(&o, &t), None);
        assert!(o.success(), "{o:?}");
        assert_eq!(records(&ours), records(&theirs));

        // The reference's tools read it, and a server serves it unchanged.
        let show = run(env
            .dir
            .command(real_ovs::OVSDB_TOOL)
            .arg("show-log")
            .arg(&ours));
        assert!(
            show.success() && show.stdout.contains("produced by"),
            "{show:?}"
        );
        let before = dump(&env);
        let copy = testkit::RunDir::new("backup_served");
        let db = copy.file("served.db");
        std::fs::copy(&ours, &db).expect("copy backup");
        let _server = common::start_server(&copy, &[db], "served");
        let served = testkit::run_ok(copy.command(real_ovs::OVSDB_CLIENT).arg("dump"));
        assert_eq!(served, before, "the backup serves a different database");
    }
}

#[test]
fn restore_leaves_the_same_data_as_the_reference() {
    let env = custom_env("restore");
    let backup = env.dir.file("theirs.backup");
    assert!(backup_to(&env, real_ovs::OVSDB_CLIENT, &backup).success());
    let before = snapshot(&env);
    let before_dump = dump(&env);
    // Change everything, then restore with our client.
    let out = run(env.dir.command(real_ovs::OVSDB_CLIENT).arg("transact").arg(
        r#"["T",{"op":"delete","table":"A","where":[]},{"op":"insert","table":"B","row":{"name":"stray"}}]"#,
    ));
    assert!(out.success(), "{out:?}");
    let (ours, theirs) = env.both_with_stdin(&["restore"], Some(&backup));
    assert_eq!(difference(&ours, &theirs), None);
    assert!(ours.success(), "{ours:?}");
    // Rows get new UUIDs; references between restored rows must still hold.
    assert_ne!(dump(&env), before_dump, "UUIDs should have changed");
    let after = snapshot(&env);
    assert_eq!(after, before, "{}", common::line_diff(&after, &before));
    assert!(before.contains("row:b1"), "{before}");
    // Our backup restores too.
    let ours_backup = env.dir.file("ours.backup");
    assert!(backup_to(&env, OURS, &ours_backup).success());
    let (ours, theirs) = env.both_with_stdin(&["restore"], Some(&ours_backup));
    assert_eq!(difference(&ours, &theirs), None);
    assert_eq!(snapshot(&env), before);
}

/// A database file named `T` from a variant of the test schema.
fn variant_db(
    env: &Env,
    name: &str,
    edit: impl Fn(&str) -> String,
    data: &str,
) -> std::path::PathBuf {
    let schema = env.dir.file(&format!("{name}.ovsschema"));
    std::fs::write(&schema, edit(common::TEST_SCHEMA)).expect("write schema");
    let db = env.dir.file(&format!("{name}.db"));
    common::create_db(&env.dir, &db, &schema);
    if !data.is_empty() {
        let out = run(env
            .dir
            .command(real_ovs::OVSDB_TOOL)
            .arg("transact")
            .arg(&db)
            .arg(data));
        assert!(out.success() && !out.stdout.contains("error"), "{out:?}");
    }
    db
}

#[test]
fn restore_failures_match_the_reference() {
    let env = custom_env("restore_errors");
    let before = dump(&env);
    let newer = variant_db(&env, "newer", |s| s.replace("1.2.3", "1.3.0"), "");
    let differs = variant_db(
        &env,
        "differs",
        |s| s.replace(r#"["x", "y z"]"#, r#"["x", "y z", "q"]"#),
        r#"["T",{"op":"insert","table":"A","row":{"i":9,"e":"q"}}]"#,
    );
    let empty = env.dir.file("empty");
    std::fs::write(&empty, "").expect("write");
    let garbage = env.dir.file("garbage");
    std::fs::write(&garbage, "this is not a database\n").expect("write");
    let mut failures = Vec::new();
    for (args, input) in [
        (&["restore"][..], &newer),
        (&["restore"], &differs),
        (&["--force", "restore"], &differs),
        (&["restore"], &empty),
        (&["restore"], &garbage),
        (&["restore", "T", "extra"], &newer),
    ] {
        let (ours, theirs) = env.both_with_stdin(args, Some(input));
        if let Some(d) = difference(&ours, &theirs) {
            failures.push(format!("ovsdb-client {args:?} < {}\n{d}", input.display()));
        }
        if ours.success() {
            failures.push(format!("{args:?} < {} succeeded", input.display()));
        }
    }
    assert_no_failures(&failures);
    assert_eq!(dump(&env), before, "a failed restore changed the database");
}
