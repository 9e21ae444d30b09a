//! Against the real Open vSwitch 3.1: files it writes read back identically, files we
//! write are accepted by its tools, and our corruption reports are word for word its
//! own.

mod common;

use std::path::Path;

use common::*;
use ovs_json::Json;
use ovsdb_log::{Log, OpenMode};
use testkit::{real_ovs, run, run_ok, start_real_ovsdb_server, RunDir};

fn ovsdb_tool(dir: &RunDir, args: &[&str]) -> testkit::Output {
    let mut cmd = dir.command(real_ovs::OVSDB_TOOL);
    cmd.env("TZ", "UTC").args(args);
    run(&mut cmd)
}

fn path_str(path: &Path) -> &str {
    path.to_str().expect("test paths are UTF-8")
}

/// Creates `t.db` from the tiny schema with the real tool and runs a few transactions.
fn real_db(dir: &RunDir) -> std::path::PathBuf {
    real_ovs::require_real_ovs();
    let schema = dir.file("tiny.ovsschema");
    std::fs::write(&schema, TINY_SCHEMA).unwrap();
    let path = dir.file("t.db");
    let p = path_str(&path);
    run_ok(
        dir.command(real_ovs::OVSDB_TOOL)
            .args(["create", p, path_str(&schema)]),
    );
    for txn in [
        r#"["tiny",{"op":"insert","table":"T","row":{"name":"a\nb","n":5}},{"op":"comment","comment":"hello"}]"#,
        r#"["tiny",{"op":"insert","table":"T","row":{"name":"ünïcödé \"q\"","n":-7}}]"#,
        r#"["tiny",{"op":"update","table":"T","where":[["n","==",5]],"row":{"n":6}}]"#,
        r#"["tiny",{"op":"delete","table":"T","where":[["n","==",-7]]}]"#,
    ] {
        run_ok(dir.command(real_ovs::OVSDB_TOOL).args(["transact", p, txn]));
    }
    path
}

#[test]
fn files_written_by_the_real_tool_read_back_identically() {
    let dir = RunDir::new("real_files_read_back");
    let path = real_db(&dir);
    let bytes = std::fs::read(&path).unwrap();
    // The oracle: split by the documented format and parse each body on its own.
    let expected: Vec<Json> = {
        let starts = record_starts(&bytes);
        starts
            .iter()
            .enumerate()
            .map(|(i, &s)| {
                let nl = s + bytes[s..].iter().position(|&b| b == b'\n').unwrap();
                let end = starts.get(i + 1).copied().unwrap_or(bytes.len());
                // The reference's length covers the LF that ends the JSON line.
                assert_eq!(bytes[end - 1], b'\n');
                ovs_json::parse_bytes(&bytes[nl + 1..end]).unwrap()
            })
            .collect()
    };
    assert_eq!(expected.len(), 5);

    let mut log = Log::open(&path, OpenMode::ReadWrite, true).unwrap();
    let (records, error) = read_all(&mut log);
    assert!(error.is_none(), "{error:?}");
    assert_eq!(records, expected);
    assert_eq!(log.offset(), bytes.len() as u64);
    assert_eq!(records[1].get("_comment"), Some(&Json::string("hello")));

    // Appending after the reference's records keeps the file valid for it.
    log.write_record(&txn("27375f23-e45b-43df-890b-471c042fbc30", "ours", 1))
        .unwrap();
    log.commit(true).unwrap();
    drop(log);
    let out = ovsdb_tool(&dir, &["show-log", path_str(&path)]);
    assert!(out.success(), "{out:?}");
    assert_eq!(out.stdout.matches("record ").count(), 6, "{}", out.stdout);
}

#[test]
fn files_we_write_are_accepted_by_the_real_tool() {
    real_ovs::require_real_ovs();
    let dir = RunDir::new("our_files_accepted");
    let path = dir.file("ours.db");
    let uuid = "0b6a3c4e-1111-4222-8333-944455556666";
    create(
        &path,
        &[
            schema(),
            parse(&format!(
                r#"{{"_date":1700000000000,"_comment":"by oxvs","T":{{"{uuid}":{{"name":"x","n":7}}}}}}"#
            )),
            parse(&format!(
                r#"{{"_date":1700000001500,"T":{{"{uuid}":{{"n":8}}}}}}"#
            )),
        ],
    );
    let p = path_str(&path);
    let out = ovsdb_tool(&dir, &["show-log", "-m", "-m", p]);
    assert!(out.success(), "{out:?}");
    assert_eq!(
        out.stdout,
        "record 0: \"tiny\" schema, version=\"1.0.0\", cksum=\"\"\n\
         \n\
         record 1: 2023-11-14 22:13:20.000 \"by oxvs\"\n  \
           table T insert row \"x\" (0b6a3c4e):\n    \
             name=x\n    \
             n=7\n\
         \n\
         record 2: 2023-11-14 22:13:21.500\n  \
           table T row \"x\" (0b6a3c4e):\n    \
             n=8\n\
         \n"
    );
    let out = ovsdb_tool(
        &dir,
        &[
            "query",
            p,
            r#"["tiny",{"op":"select","table":"T","where":[],"columns":["name","n"]}]"#,
        ],
    );
    assert!(out.success(), "{out:?}");
    assert_eq!(out.stdout, "[{\"rows\":[{\"n\":8,\"name\":\"x\"}]}]\n");

    // The real tool appends to our file and we read its record.
    let out = ovsdb_tool(
        &dir,
        &[
            "transact",
            p,
            r#"["tiny",{"op":"insert","table":"T","row":{"name":"theirs"}}]"#,
        ],
    );
    assert!(out.success(), "{out:?}");
    let (records, error) = read_file(&path);
    assert!(error.is_none(), "{error:?}");
    assert_eq!(records.len(), 4);
    assert!(records[3].to_compact().contains("\"theirs\""));

    // And a compaction we commit is accepted too.
    let mut log = Log::open(&path, OpenMode::ReadWrite, true).unwrap();
    read_all(&mut log);
    let mut replacer = log.replace_start().unwrap();
    replacer.write_record(&schema()).unwrap();
    replacer
        .write_record(&parse(&format!(
            r#"{{"_date":1700000002000,"_comment":"compacted","T":{{"{uuid}":{{"name":"x","n":8}}}}}}"#
        )))
        .unwrap();
    log.replace_commit(replacer).unwrap();
    drop(log);
    let out = ovsdb_tool(
        &dir,
        &[
            "query",
            p,
            r#"["tiny",{"op":"select","table":"T","where":[],"columns":["n"]}]"#,
        ],
    );
    assert!(out.success(), "{out:?}");
    assert_eq!(out.stdout, "[{\"rows\":[{\"n\":8}]}]\n");
}

/// Reads `path` with the real `ovsdb-tool show-log` and with us; both must stop after
/// the same number of records with the same error text. Returns that text.
fn compare_with_real_reader(dir: &RunDir, path: &Path) -> Option<String> {
    let out = ovsdb_tool(dir, &["show-log", path_str(path)]);
    let real_records = out
        .stdout
        .lines()
        .filter(|l| l.starts_with("record "))
        .count();
    let real_error = (!out.success()).then(|| {
        let last = out.stderr.lines().last().unwrap_or_default();
        last.strip_prefix("ovsdb-tool: ")
            .unwrap_or_else(|| panic!("unexpected stderr: {}", out.stderr))
            .to_string()
    });
    let (records, error) = read_file(path);
    let our_error = error.map(|e| e.to_string());
    assert_eq!(our_error, real_error, "{}", path.display());
    assert_eq!(records.len(), real_records, "{}", path.display());
    our_error
}

#[test]
fn corruption_reports_match_the_real_tool_word_for_word() {
    let dir = RunDir::new("corruption_matches_real");
    let good = std::fs::read(real_db(&dir)).unwrap();
    let starts = record_starts(&good);
    let last = *starts.last().unwrap();
    let second = starts[1];
    let hash = "0000000000000000000000000000000000000000";

    let mut cases: Vec<(String, Vec<u8>)> = Vec::new();
    // Every truncation point inside the last record.
    for cut in last + 1..good.len() {
        cases.push((format!("cut{cut}"), good[..cut].to_vec()));
    }
    let with = |tail: &[u8]| [&good[..], tail].concat();
    cases.push(("garbage".into(), with(b"hello world garbage\n")));
    cases.push(("garbage-no-lf".into(), with(b"xyz")));
    cases.push(("long-line".into(), with(&[b'A'; 500])));
    cases.push(("nul".into(), with(b"ab\0cd\n")));
    cases.push(("bad-json".into(), with(&frame(b"{\"bad json\n"))));
    cases.push(("array".into(), with(&frame(b"[1,2]\n"))));
    cases.push(("scalar".into(), with(&frame(b"5\n"))));
    cases.push(("two-texts".into(), with(&frame(b"{}{}\n"))));
    cases.push(("big-number".into(), with(&frame(b"{\"a\":1e400}\n"))));
    cases.push((
        "cluster-magic".into(),
        with(format!("OVSDB CLUSTER 3 {hash}\n{{}}\n").as_bytes()),
    ));
    cases.push((
        "two-spaces".into(),
        with(format!("OVSDB  JSON 3 {hash}\n{{}}\n").as_bytes()),
    ));
    cases.push((
        "crlf".into(),
        with(
            &frame(b"{}\n")
                .iter()
                .flat_map(|&b| {
                    if b == b'\n' {
                        vec![b'\r', b'\n']
                    } else {
                        vec![b]
                    }
                })
                .collect::<Vec<u8>>(),
        ),
    ));
    cases.push((
        "zero-length".into(),
        with(format!("OVSDB JSON 0 {hash}\n").as_bytes()),
    ));
    cases.push((
        "huge-length".into(),
        with(format!("OVSDB JSON 99999999999 {hash}\n{{}}\n").as_bytes()),
    ));
    let mut flipped = good.clone();
    flipped[second + 30] ^= 0x04;
    cases.push(("flip-second".into(), flipped));
    let mut flipped = good.clone();
    flipped[last + 12] ^= 0x01; // a length digit of the last header
    cases.push(("flip-length".into(), flipped));
    // Leniencies of the reference's header parser, which we share.
    cases.push((
        "length-with-blank".into(),
        with(b"OVSDB JSON  3 5f36b2ea290645ee34d943220a14b54ee5ea5be5\n{}\n"),
    ));
    cases.push((
        "length-with-plus".into(),
        with(b"OVSDB JSON +3 5F36B2EA290645EE34D943220A14B54EE5EA5BE5\n{}\n"),
    ));
    cases.push(("json-over-lines".into(), with(&frame(b"{\"a\":\n1}\n"))));
    cases.push(("no-final-lf".into(), with(&frame(b"{}"))));

    let mut n_errors = 0;
    for (name, bytes) in cases {
        let path = dir.file(&format!("{name}.db"));
        std::fs::write(&path, &bytes).unwrap();
        n_errors += usize::from(compare_with_real_reader(&dir, &path).is_some());
    }
    assert!(n_errors > 100, "only {n_errors} cases produced errors");
}

#[test]
fn open_errors_match_the_real_tool() {
    real_ovs::require_real_ovs();
    let dir = RunDir::new("open_errors_match_real");
    let hash = "0000000000000000000000000000000000000000";
    for (name, bytes) in [
        ("empty", Vec::new()),
        (
            "foo-magic",
            format!("OVSDB FOO 3 {hash}\n{{}}\n").into_bytes(),
        ),
        ("garbage", b"garbage\n{}\n".to_vec()),
        ("zero", format!("OVSDB JSON 0 {hash}\n").into_bytes()),
        ("torn-schema", frame(TINY_SCHEMA.as_bytes())[..70].to_vec()),
    ] {
        let path = dir.file(&format!("{name}.db"));
        std::fs::write(&path, &bytes).unwrap();
        compare_with_real_reader(&dir, &path);
    }
    compare_with_real_reader(&dir, &dir.file("missing.db"));
}

#[test]
fn we_recover_a_torn_tail_exactly_as_the_real_server_does() {
    let dir = RunDir::new("recover_like_real_server");
    let good = std::fs::read(real_db(&dir)).unwrap();
    let last = *record_starts(&good).last().unwrap();
    let torn = &good[..good.len() - 10];
    let theirs = dir.file("theirs.db");
    let ours = dir.file("ours.db");
    std::fs::write(&theirs, torn).unwrap();
    std::fs::write(&ours, torn).unwrap();

    // The real server logs the error, serves the good records and, on its first
    // commit, cuts the torn record off before appending.
    let server = start_real_ovsdb_server(&dir, &theirs, None);
    run_ok(dir.command(real_ovs::OVSDB_CLIENT).args([
        "transact",
        &dir.db_remote(),
        r#"["tiny",{"op":"insert","table":"T","row":{"name":"new"}}]"#,
    ]));
    drop(server);
    let server_log = std::fs::read_to_string(dir.log("ovsdb-server")).unwrap();

    let mut log = Log::open(&ours, OpenMode::ReadWrite, true).unwrap();
    let (_, error) = read_all(&mut log);
    let error = error.expect("torn tail reported");
    log.write_record(&txn("27375f23-e45b-43df-890b-471c042fbc30", "new", 0))
        .unwrap();
    log.commit(true).unwrap();
    drop(log);

    // Same report (the server names the file as we were given it)...
    let their_error = error
        .to_string()
        .replace(path_str(&ours), path_str(&theirs));
    assert!(
        server_log.contains(&format!("|ovsdb_server|ERR|{their_error}\n")),
        "{server_log}\nours: {error}"
    );
    // ...and the same recovery: good records kept, one new record after them.
    for file in [&theirs, &ours] {
        let bytes = std::fs::read(file).unwrap();
        assert_eq!(bytes[..last], good[..last]);
        assert_eq!(record_starts(&bytes).len(), record_starts(&good).len());
        let out = ovsdb_tool(&dir, &["show-log", path_str(file)]);
        assert!(out.success(), "{out:?}");
    }
}
