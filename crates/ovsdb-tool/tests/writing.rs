//! Commands that write: create, transact, compact and convert, run by our tool and the
//! real one on separate copies of the same files. Replies and errors must match (UUIDs
//! and the dates of new records differ by nature and are normalised), the resulting
//! databases must hold the same data, and every file we write must read the same in
//! both tools and be usable by the real one.

mod support;

use std::path::Path;

use support::{
    assert_same, assert_same_in, canonical_reply, copy, read, real_db, subdir, test_dir, tool,
    tool_ok, volatile, Tool, HISTORY, SCHEMA,
};

/// Selects that describe a database of the vswitch schema without UUIDs (which differ
/// between two databases built by the same transactions).
const DUMP: &[&str] = &[
    r#"["Open_vSwitch",{"op":"select","table":"Open_vSwitch","where":[],"columns":["next_cfg","external_ids"]}]"#,
    r#"["Open_vSwitch",{"op":"select","table":"Bridge","where":[],"columns":["name","external_ids","datapath_type"]}]"#,
    r#"["Open_vSwitch",{"op":"select","table":"Port","where":[],"columns":["name","tag","trunks","external_ids"]}]"#,
    r#"["Open_vSwitch",{"op":"select","table":"Interface","where":[],"columns":["name","type","options","mtu_request"]}]"#,
    r#"["Open_vSwitch",{"op":"select","table":"Flow_Table","where":[],"columns":["name","prefixes"]}]"#,
    r#"["Open_vSwitch",{"op":"select","table":"QoS","where":[],"columns":["type","other_config"]}]"#,
];

/// What `db` holds, read by `reader`, in a form comparable across databases.
fn dump(reader: Tool, dir: &Path, db: &str) -> Vec<String> {
    DUMP.iter()
        .map(|q| canonical_reply(&tool_ok(reader, dir, &["query", db, q])))
        .collect()
}

/// `show-log` of `db` must read the same in both tools; returns it.
#[track_caller]
fn same_show_log(dir: &Path, db: &str) -> String {
    assert_same(dir, &["-mm", "show-log", db]).stdout
}

/// Transactions applied by each tool to its copy of the history database.
const WRITES: &[&str] = &[
    r#"["Open_vSwitch",{"op":"insert","table":"QoS","row":{"type":"linux-htb","other_config":["map",[["max-rate","1000"]]]}},{"op":"comment","comment":"qos"}]"#,
    r#"["Open_vSwitch",{"op":"mutate","table":"Open_vSwitch","where":[],"mutations":[["next_cfg","+=",1],["external_ids","delete",["set",["k"]]]]}]"#,
    r#"["Open_vSwitch",{"op":"update","table":"QoS","where":[],"row":{"other_config":["map",[["max-rate","2000"],["min-rate","1"]]]}}]"#,
    r#"["Open_vSwitch",{"op":"insert","table":"Bridge","uuid-name":"b","row":{"name":"br2"}},{"op":"mutate","table":"Open_vSwitch","where":[],"mutations":[["bridges","insert",["set",[["named-uuid","b"]]]]]}]"#,
    r#"["Open_vSwitch",{"op":"update","table":"Bridge","where":[["name","==","br2"]],"row":{"external_ids":["map",[["a","b"]]],"datapath_type":"netdev"}}]"#,
    r#"["Open_vSwitch",{"op":"delete","table":"QoS","where":[]}]"#,
    r#"["Open_vSwitch",{"op":"insert","table":"Open_vSwitch","row":{}}]"#,
    r#"["Open_vSwitch",{"op":"insert","table":"Port","row":{"name":"dangling"}}]"#,
    r#"["Open_vSwitch",{"op":"insert","table":"QoS","row":{}},{"op":"abort"}]"#,
    r#"["Open_vSwitch",{"op":"wait","table":"Bridge","where":[],"columns":["name"],"until":"==","rows":[]}]"#,
    r#"["Open_vSwitch",{"op":"comment","comment":"only a comment"}]"#,
    r#"["Open_vSwitch",{"op":"update","table":"Bridge","where":[],"row":{"status":["map",[["x","y"]]]}}]"#,
    r#"["Open_vSwitch","#,
    r#"["Other"]"#,
];

#[test]
fn transact_replies_and_results_match() {
    let dir = test_dir("transact_replies_match");
    let ours = subdir(&dir, "ours");
    let real = subdir(&dir, "real");
    real_db(&real, "conf.db", HISTORY);
    copy(&real.join("conf.db"), &ours.join("conf.db"));
    for txn in WRITES {
        assert_same_in(&ours, &real, &["transact", "conf.db", txn], &volatile);
        assert_eq!(
            dump(Tool::Real, &ours, "conf.db"),
            dump(Tool::Real, &real, "conf.db")
        );
    }
    // The default database, and the transaction as the only argument.
    assert_same_in(&ours, &real, &["transact", WRITES[0]], &volatile);
    // Same number of records, same comments.
    let summary = |d: &Path| volatile(&tool_ok(Tool::Real, d, &["show-log", "conf.db"]));
    assert_eq!(summary(&ours), summary(&real));
    // What we wrote reads the same in both tools and the same as theirs.
    same_show_log(&ours, "conf.db");
    assert_eq!(
        dump(Tool::Ours, &ours, "conf.db"),
        dump(Tool::Real, &ours, "conf.db")
    );
    assert_eq!(
        dump(Tool::Ours, &ours, "conf.db"),
        dump(Tool::Real, &real, "conf.db")
    );
}

/// A database made only by our tool: the real tool reads it exactly as we do, and
/// can go on writing to it.
#[test]
fn databases_we_write_serve_the_reference() {
    let dir = test_dir("databases_we_write");
    let path = dir.path();
    tool_ok(Tool::Ours, path, &["create", "ours.db", SCHEMA]);
    for txn in HISTORY {
        let reply = tool_ok(Tool::Ours, path, &["transact", "ours.db", txn]);
        assert!(!reply.contains("\"error\""), "{txn}\n{reply}");
    }
    let log = same_show_log(path, "ours.db");
    assert!(log.contains("record 5:"), "{log}");
    real_db(path, "real.db", HISTORY);
    assert_eq!(
        dump(Tool::Real, path, "ours.db"),
        dump(Tool::Real, path, "real.db")
    );
    assert_eq!(
        dump(Tool::Ours, path, "ours.db"),
        dump(Tool::Real, path, "ours.db")
    );
    for args in [
        &["db-name", "ours.db"][..],
        &["db-version", "ours.db"],
        &["db-cksum", "ours.db"],
        &["needs-conversion", "ours.db", SCHEMA],
        &["show-log", "ours.db"],
    ] {
        assert_same(path, args);
    }
    // The reference appends to our file, and we read what it appended.
    tool_ok(Tool::Real, path, &["transact", "ours.db", WRITES[0]]);
    same_show_log(path, "ours.db");
    tool_ok(Tool::Ours, path, &["transact", "ours.db", WRITES[1]]);
    same_show_log(path, "ours.db");
    assert_eq!(
        dump(Tool::Ours, path, "ours.db"),
        dump(Tool::Real, path, "ours.db")
    );
}

/// Changes to columns holding at most one value (optional integers and references)
/// are written as the new value, not as a set difference; the reference reads them
/// back that way.
#[test]
fn optional_values_are_written_like_the_reference() {
    let dir = test_dir("optional_values_written");
    let ours = subdir(&dir, "ours");
    let real = subdir(&dir, "real");
    real_db(&real, "conf.db", &HISTORY[..1]);
    copy(&real.join("conf.db"), &ours.join("conf.db"));
    for txn in [
        r#"["Open_vSwitch",{"op":"update","table":"Port","where":[["name","==","p1"]],"row":{"tag":7}},{"op":"update","table":"Interface","where":[["name","==","p1"]],"row":{"mtu_request":1500}}]"#,
        r#"["Open_vSwitch",{"op":"update","table":"Port","where":[["name","==","p1"]],"row":{"tag":["set",[]]}},{"op":"update","table":"Interface","where":[["name","==","p1"]],"row":{"mtu_request":["set",[]]}}]"#,
        r#"["Open_vSwitch",{"op":"update","table":"Port","where":[["name","==","p1"]],"row":{"tag":9}}]"#,
    ] {
        assert_same_in(&ours, &real, &["transact", "conf.db", txn], &volatile);
        assert_eq!(
            dump(Tool::Real, &ours, "conf.db"),
            dump(Tool::Real, &real, "conf.db")
        );
        assert_eq!(
            dump(Tool::Ours, &real, "conf.db"),
            dump(Tool::Real, &real, "conf.db")
        );
    }
    // The records hold the same changes (their order within a record follows the
    // text of each file, which differs).
    let lines = |log: String| {
        let mut v: Vec<String> = volatile(&log).lines().map(str::to_string).collect();
        v.sort();
        v
    };
    let ours_log = lines(same_show_log(&ours, "conf.db"));
    assert_eq!(ours_log, lines(same_show_log(&real, "conf.db")));
    for line in [
        "    tag=7",
        "    mtu_request=1500",
        "    tag=[]",
        "    mtu_request=[]",
    ] {
        assert!(ours_log.iter().any(|l| l == line), "{line}: {ours_log:?}");
    }
}

#[test]
fn compact_matches() {
    let dir = test_dir("compact_matches");
    let ours = subdir(&dir, "ours");
    let real = subdir(&dir, "real");
    real_db(&real, "conf.db", HISTORY);
    let original = read(&real.join("conf.db"));
    copy(&real.join("conf.db"), &ours.join("conf.db"));
    let before = dump(Tool::Real, &real, "conf.db");

    // To a new file, leaving the source alone.
    assert_same_in(&ours, &real, &["compact", "conf.db", "new.db"], &volatile);
    assert_eq!(read(&ours.join("conf.db")), original);
    // In place, with the default database.
    assert_same_in(&ours, &real, &["compact"], &volatile);
    for d in [&ours, &real] {
        for db in ["conf.db", "new.db"] {
            assert_eq!(dump(Tool::Real, d, db), before, "{} {db}", d.display());
            let summary = volatile(&tool_ok(Tool::Real, d, &["show-log", db]));
            assert_eq!(
                summary,
                "record 0: \"Open_vSwitch\" schema, version=\"8.3.1\", cksum=\"3012963480 26720\"\n\n\
                 record 1: <date> \"compacted by ovsdb-tool 3.1.0\"\n"
            );
        }
    }
    same_show_log(&ours, "conf.db");
    same_show_log(&ours, "new.db");
    // The lock files left behind are the same.
    let names = |d: &Path| {
        let mut v: Vec<String> = std::fs::read_dir(d)
            .map(|it| {
                it.filter_map(Result::ok)
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        v.sort();
        v
    };
    assert_eq!(names(&ours), names(&real));

    // Onto an existing database (overwritten), an empty file (kept with its mode), a
    // file that is not a database and a clustered database (both refused).
    for (name, contents) in [
        ("existing.db", original.clone()),
        ("empty.db", Vec::new()),
        ("text.db", b"not a database\n".to_vec()),
    ] {
        for d in [&ours, &real] {
            if let Err(e) = std::fs::write(d.join(name), &contents) {
                panic!("write {name}: {e}");
            }
        }
        assert_same_in(&ours, &real, &["compact", "conf.db", name], &volatile);
        let mode = |d: &Path| {
            use std::os::unix::fs::PermissionsExt;
            std::fs::metadata(d.join(name))
                .map(|m| m.permissions().mode())
                .ok()
        };
        assert_eq!(mode(&ours), mode(&real), "{name}");
    }
    let made = tool(
        Tool::Real,
        &real,
        &["create-cluster", "cluster.db", SCHEMA, "tcp:127.0.0.1:6641"],
    );
    assert!(made.success(), "{}", made.stderr);
    copy(&real.join("cluster.db"), &ours.join("cluster.db"));
    for args in [
        &["compact", "conf.db", "cluster.db"][..],
        &["compact", "cluster.db"],
        &["compact", "cluster.db", "x.db"],
        &["compact", "missing.db"],
        &["compact", "missing.db", "y.db"],
        &["compact", "conf.db", "/nonexistent-oxvs-dir/z.db"],
    ] {
        assert_same_in(&ours, &real, args, &volatile);
    }
}

#[test]
fn compact_follows_symbolic_links() {
    let dir = test_dir("compact_follows_links");
    let ours = subdir(&dir, "ours");
    let real = subdir(&dir, "real");
    real_db(&real, "conf.db", HISTORY);
    copy(&real.join("conf.db"), &ours.join("conf.db"));
    for d in [&ours, &real] {
        for (link, target) in [("link.db", "conf.db"), ("out-link.db", "sub/out.db")] {
            if let Err(e) = std::os::unix::fs::symlink(target, d.join(link)) {
                panic!("symlink: {e}");
            }
        }
        if let Err(e) = std::fs::create_dir(d.join("sub")) {
            panic!("mkdir: {e}");
        }
    }
    assert_same_in(&ours, &real, &["compact", "link.db"], &volatile);
    assert_same_in(
        &ours,
        &real,
        &["compact", "conf.db", "out-link.db"],
        &volatile,
    );
    for d in [&ours, &real] {
        assert!(
            std::fs::symlink_metadata(d.join("link.db")).is_ok_and(|m| m.file_type().is_symlink())
        );
        assert!(d.join("sub/out.db").is_file());
        assert!(d.join("sub/.out.db.~lock~").is_file());
    }
    assert_eq!(
        dump(Tool::Real, &ours, "sub/out.db"),
        dump(Tool::Real, &real, "sub/out.db")
    );
}

#[test]
fn convert_matches() {
    let dir = test_dir("convert_matches");
    let ours = subdir(&dir, "ours");
    let real = subdir(&dir, "real");
    real_db(&real, "conf.db", HISTORY);
    copy(&real.join("conf.db"), &ours.join("conf.db"));
    let schema: ovs_json::Json = match std::fs::read_to_string(SCHEMA)
        .map_err(|e| e.to_string())
        .and_then(|t| ovs_json::parse(&t).map_err(|e| e.to_string()))
    {
        Ok(j) => j,
        Err(e) => panic!("{SCHEMA}: {e}"),
    };
    // New version: no Bridge.datapath_type, no Port.tag, no Mirror table (nor the
    // column referring to it), a new Interface column.
    let mut newer = schema.clone();
    let edit = |j: &mut ovs_json::Json, path: &[&str], value: Option<ovs_json::Json>| {
        let mut at = j;
        for p in &path[..path.len() - 1] {
            at = match at {
                ovs_json::Json::Object(o) => match o.get_mut(*p) {
                    Some(v) => v,
                    None => panic!("no {p}"),
                },
                _ => panic!("not an object at {p}"),
            };
        }
        if let ovs_json::Json::Object(o) = at {
            let last = path[path.len() - 1].to_string();
            match value {
                Some(v) => o.insert(last, v),
                None => o.remove(&last),
            };
        }
    };
    edit(
        &mut newer,
        &["version"],
        Some(ovs_json::Json::string("9.0.0")),
    );
    edit(
        &mut newer,
        &["tables", "Bridge", "columns", "datapath_type"],
        None,
    );
    edit(
        &mut newer,
        &["tables", "Bridge", "columns", "mirrors"],
        None,
    );
    edit(&mut newer, &["tables", "Port", "columns", "tag"], None);
    edit(&mut newer, &["tables", "Mirror"], None);
    let added = ovs_json::parse(r#"{"type":{"key":"integer","min":0,"max":1}}"#).ok();
    edit(
        &mut newer,
        &["tables", "Interface", "columns", "newcol"],
        added,
    );
    // Narrower: Port.trunks may only hold VLANs 0 to 2 (the history has 3 and 7).
    let mut narrower = schema.clone();
    let trunks = ovs_json::parse(
        r#"{"type":{"key":{"type":"integer","minInteger":0,"maxInteger":2},"min":0,"max":4096}}"#,
    )
    .ok();
    edit(
        &mut narrower,
        &["tables", "Port", "columns", "trunks"],
        trunks,
    );
    for d in [&ours, &real] {
        for (name, j) in [
            ("newer.ovsschema", &newer),
            ("narrower.ovsschema", &narrower),
        ] {
            if let Err(e) = std::fs::write(d.join(name), j.to_pretty()) {
                panic!("write {name}: {e}");
            }
        }
    }
    for args in [
        &["convert", "conf.db", "narrower.ovsschema"][..],
        &["convert", "conf.db", "narrower.ovsschema", "n.db"],
        &["convert", "conf.db", "missing.ovsschema"],
        &["needs-conversion", "conf.db", "newer.ovsschema"],
        &["convert", "conf.db", "newer.ovsschema", "new.db"],
        &["convert", "conf.db", SCHEMA, "same.db"],
        &["needs-conversion", "new.db", "newer.ovsschema"],
        &["convert", "conf.db", "newer.ovsschema"],
        &["db-version"],
        &["needs-conversion", "conf.db", "newer.ovsschema"],
    ] {
        assert_same_in(&ours, &real, args, &volatile);
    }
    for db in ["new.db", "conf.db"] {
        same_show_log(&ours, db);
        let summary = |d: &Path| volatile(&tool_ok(Tool::Real, d, &["show-log", db]));
        assert_eq!(summary(&ours), summary(&real));
        for q in [
            r#"["Open_vSwitch",{"op":"select","table":"Bridge","where":[],"columns":["name","external_ids"]}]"#,
            r#"["Open_vSwitch",{"op":"select","table":"Port","where":[],"columns":["name","trunks","external_ids"]}]"#,
            r#"["Open_vSwitch",{"op":"select","table":"Interface","where":[],"columns":["name","options","newcol"]}]"#,
        ] {
            let read = |d: &Path| canonical_reply(&tool_ok(Tool::Real, d, &["query", db, q]));
            assert_eq!(read(&ours), read(&real), "{db} {q}");
        }
    }
}

#[test]
fn create_matches() {
    let dir = test_dir("create_matches");
    let ours = subdir(&dir, "ours");
    let real = subdir(&dir, "real");
    for d in [&ours, &real] {
        if let Err(e) = std::fs::write(d.join("bad.ovsschema"), "{\n") {
            panic!("write: {e}");
        }
    }
    for args in [
        &["create", "a.db", SCHEMA][..],
        &["create", "a.db", SCHEMA],
        &["create", "b.db"],
        &["create"],
        &["create"],
        &["create", "c.db", "missing.ovsschema"],
        &["create", "c.db", "bad.ovsschema"],
        &["create", "/nonexistent-oxvs-dir/d.db"],
        &["db-name", "a.db"],
        &["db-version", "b.db"],
        &["db-cksum"],
        &["needs-conversion", "a.db", SCHEMA],
    ] {
        assert_same_in(&ours, &real, args, &volatile);
    }
    for db in ["a.db", "b.db", "conf.db"] {
        assert_eq!(
            volatile(&tool_ok(Tool::Real, &ours, &["-mm", "show-log", db])),
            volatile(&tool_ok(Tool::Real, &real, &["-mm", "show-log", db])),
        );
        let mode = |d: &Path| {
            use std::os::unix::fs::PermissionsExt;
            std::fs::metadata(d.join(db))
                .map(|m| m.permissions().mode())
                .ok()
        };
        assert_eq!(mode(&ours), mode(&real), "{db}");
        assert!(ours.join(format!(".{db}.~lock~")).is_file());
        // The real tool builds on what we created.
        tool_ok(Tool::Real, &ours, &["transact", db, WRITES[0]]);
    }
}

/// A database served by the real ovsdb-server: everything that writes is refused
/// with the holder's pid, reading still works.
#[test]
fn a_locked_database_is_reported_like_the_reference() {
    let dir = test_dir("locked_database_reported");
    let db = dir.conf_db();
    let _server = testkit::start_real_ovsdb_server(&dir, &db, Some(Path::new(SCHEMA)));
    let path = dir.path();
    let t = r#"["Open_vSwitch",{"op":"select","table":"Bridge","where":[],"columns":["name"]}]"#;
    for args in [
        &["transact", "conf.db", t][..],
        &["-vPATTERN:console:%p|%c|%m", "transact", t],
        &["-vconsole:off", "transact", t],
        &["-vlockfile:console:err", "transact", t],
        &["compact"],
        &["compact", "conf.db", "copy.db"],
        &["convert", "conf.db", SCHEMA],
        &["create", "conf.db", SCHEMA],
        &["query", "conf.db", t],
        &["show-log"],
    ] {
        assert_same_in(path, path, args, &volatile);
    }
    let out = assert_same_in(path, path, &["transact", "conf.db", t], &volatile);
    assert_eq!(
        out.stderr,
        "<date>|00001|lockfile|WARN|.conf.db.~lock~: cannot lock file because it is \
         already locked by pid <pid>\n\
         ovsdb-tool: I/O error: conf.db: failed to lock lockfile (Resource temporarily \
         unavailable)\n"
    );
}
