//! Damaged database files: a torn last record, a bad checksum, garbage after the
//! last record, records that are not objects or not JSON, unknown tables, files that
//! are not databases at all. Both tools must print the same (show-log prints the good
//! records first), fail the same way, and leave the file as it was.

mod support;

use std::path::Path;

use support::{assert_same, assert_same_in, copy, framed, read, real_db, subdir, test_dir};
use support::{volatile, HISTORY};

/// The variants, made from a good file's bytes.
fn damaged_variants(good: &[u8]) -> Vec<(&'static str, Vec<u8>)> {
    let mut flipped = good.to_vec();
    // A byte inside the last record's data: the checksum no longer matches.
    let at = good.len() - 10;
    flipped[at] = if flipped[at] == b'1' { b'2' } else { b'1' };
    let with = |tail: &[u8]| [good, tail].concat();
    vec![
        ("truncated.db", good[..good.len() - 20].to_vec()),
        ("bad-hash.db", flipped),
        ("garbage.db", with(b"garbage\n")),
        ("partial-header.db", with(b"OVSDB JSON 3")),
        ("bad-header.db", with(b"OVSDB JSON 5 zz\n{}\n\n\n")),
        ("not-object.db", with(&framed("[1]"))),
        ("not-json.db", with(&framed("{x}"))),
        ("unknown-table.db", with(&framed(r#"{"Nope":{}}"#))),
        ("schema-torn.db", good[..100].to_vec()),
        ("empty.db", Vec::new()),
        ("text.db", b"hello\n".to_vec()),
    ]
}

#[test]
fn damaged_files_are_reported_like_the_reference() {
    let dir = test_dir("damaged_files_reported");
    let path = dir.path();
    let good = read(&real_db(path, "good.db", HISTORY));
    let ours = subdir(&dir, "ours");
    let real = subdir(&dir, "real");
    for (name, bytes) in damaged_variants(&good) {
        let file = path.join(name);
        if let Err(e) = std::fs::write(&file, &bytes) {
            panic!("write {}: {e}", file.display());
        }
        for args in [
            vec!["show-log", name],
            vec!["-m", "show-log", name],
            vec!["-mm", "show-log", name],
            vec!["db-name", name],
            vec!["db-version", name],
            vec!["db-cksum", name],
            vec!["db-is-standalone", name],
            vec!["db-is-clustered", name],
            vec!["needs-conversion", name],
            vec![
                "query",
                name,
                r#"["Open_vSwitch",{"op":"select","table":"Bridge","where":[],"columns":["name"]}]"#,
            ],
        ] {
            assert_same(path, &args);
        }
        // Commands that would write fail without touching the file (except that
        // `convert` skips tables the new schema lacks, as the reference does).
        for args in [
            vec![
                "transact",
                name,
                r#"["Open_vSwitch",{"op":"insert","table":"QoS","row":{}}]"#,
            ],
            vec!["compact", name],
            vec!["compact", name, "out.db"],
            vec!["convert", name, support::SCHEMA],
        ] {
            copy(&file, &ours.join(name));
            copy(&file, &real.join(name));
            let seen = assert_same_in(&ours, &real, &args, &volatile);
            if name == "unknown-table.db" && args[0] == "convert" {
                assert_eq!(seen.code, Some(0), "{args:?}");
                continue;
            }
            assert_eq!(seen.code, Some(1), "{args:?}");
            assert_eq!(read(&ours.join(name)), bytes, "ours changed {name}");
            assert_eq!(read(&real.join(name)), bytes, "reference changed {name}");
            assert_eq!(
                ours.join("out.db").exists(),
                real.join("out.db").exists(),
                "{args:?}"
            );
        }
    }
}

/// A directory where a database should be.
#[test]
fn a_directory_is_not_a_database() {
    let dir = test_dir("a_directory_is_not_a_database");
    let path = dir.path();
    let sub = path.join("sub.db");
    if let Err(e) = std::fs::create_dir(&sub) {
        panic!("mkdir {}: {e}", sub.display());
    }
    for args in [
        &["create", "sub.db"][..],
        &["schema-name", "sub.db"],
        &["db-name", "sub.db"],
        &["-m", "show-log", "sub.db"],
        &["db-is-standalone", "sub.db"],
        &["compact", "sub.db", "out.db"],
    ] {
        assert_same(path, args);
    }
    assert!(Path::new(&sub).is_dir());
}
