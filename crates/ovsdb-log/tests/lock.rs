//! The database lock: exclusive within this process, and between us and the real
//! Open vSwitch in both directions.

mod common;

use common::*;
use ovsdb_log::lock::LockFile;
use ovsdb_log::{LockHolder, Log, OpenMode};
use testkit::{real_ovs, run, start_real_ovsdb_server, Daemon, RunDir, DEFAULT_TIMEOUT};

#[test]
fn a_second_lock_in_this_process_is_refused_until_the_first_is_dropped() {
    let dir = RunDir::new("lock_same_process");
    let path = dir.file("t.db");
    create(&path, &[schema()]);
    let first = Log::open(&path, OpenMode::ReadWrite, true).unwrap();
    assert!(first.is_locked());
    let e = Log::open(&path, OpenMode::ReadWrite, true).unwrap_err();
    assert!(e.is_locked());
    assert_eq!(
        e.to_string(),
        format!(
            "I/O error: {}: failed to lock lockfile (Resource deadlock avoided)",
            path.display()
        )
    );
    assert_eq!(
        e.lock_warning().unwrap(),
        format!(
            "{}: cannot lock file because this process has already locked it",
            dir.file(".t.db.~lock~").display()
        )
    );
    // Reading without the lock is always possible.
    assert!(Log::open(&path, OpenMode::ReadOnly, false).is_ok());
    // The refused attempt did not disturb the held lock (closing any descriptor of a
    // POSIX-locked file would release it), and dropping the holder releases it.
    assert!(Log::open(&path, OpenMode::ReadWrite, true).is_err());
    drop(first);
    assert!(Log::open(&path, OpenMode::ReadWrite, true).is_ok());
}

#[test]
fn a_missing_directory_fails_to_lock() {
    let dir = RunDir::new("lock_missing_dir");
    let path = dir.file("no/such/dir/t.db");
    let e = LockFile::lock(&path).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "I/O error: {}: failed to lock lockfile (No such file or directory)",
            path.display()
        )
    );
}

#[test]
fn our_lock_excludes_the_real_tools_and_server() {
    real_ovs::require_real_ovs();
    let dir = RunDir::new("our_lock_excludes_real");
    let path = dir.file("t.db");
    create(&path, &[schema()]);
    let log = Log::open(&path, OpenMode::ReadWrite, true).unwrap();

    let out = run(dir
        .command(real_ovs::OVSDB_TOOL)
        .arg("transact")
        .arg(&path)
        .arg(r#"["tiny"]"#));
    assert!(!out.success(), "{out:?}");
    let lockfile = dir.file(".t.db.~lock~");
    assert!(
        out.stderr.contains(&format!(
            "{}: cannot lock file because it is already locked by pid {}",
            lockfile.display(),
            std::process::id()
        )),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.ends_with(&format!(
            "ovsdb-tool: I/O error: {}: failed to lock lockfile (Resource temporarily unavailable)\n",
            path.display()
        )),
        "{}",
        out.stderr
    );

    // The real server refuses to start on it too (and must exit, not hang).
    let mut server = Daemon::builder(&dir, real_ovs::OVSDB_SERVER)
        .arg(&path)
        .arg("--no-chdir")
        .arg(format!("--unixctl={}", dir.file("srv.ctl").display()))
        .arg(format!("--remote=punix:{}", dir.file("srv.sock").display()))
        .start();
    let status = server.wait_exit(DEFAULT_TIMEOUT).unwrap();
    assert!(!status.success());
    assert!(
        server.stderr().contains("failed to lock lockfile"),
        "{}",
        server.stderr()
    );

    // Released on drop: the real tool can now write.
    drop(log);
    let out = run(dir
        .command(real_ovs::OVSDB_TOOL)
        .arg("transact")
        .arg(&path)
        .arg(r#"["tiny",{"op":"insert","table":"T","row":{"name":"x"}}]"#));
    assert!(out.success(), "{out:?}");
    assert_eq!(read_file(&path).0.len(), 2);
}

#[test]
fn the_real_servers_lock_excludes_us_with_the_same_words() {
    real_ovs::require_real_ovs();
    let dir = RunDir::new("real_lock_excludes_ours");
    let path = dir.file("t.db");
    create(&path, &[schema()]);
    let server = start_real_ovsdb_server(&dir, &path, None);

    let e = Log::open(&path, OpenMode::ReadWrite, true).unwrap_err();
    assert!(e.is_locked());
    let lockfile = dir.file(".t.db.~lock~");
    match e.kind() {
        ovsdb_log::ErrorKind::Lock { holder, .. } => {
            assert_eq!(*holder, LockHolder::Pid(server.pid() as i32))
        }
        other => panic!("{other:?}"),
    }
    // What the real tool says in the same situation, warning and error.
    let out = run(dir
        .command(real_ovs::OVSDB_TOOL)
        .arg("transact")
        .arg(&path)
        .arg(r#"["tiny"]"#));
    assert!(!out.success());
    let warning = e.lock_warning().unwrap();
    assert_eq!(
        warning,
        format!(
            "{}: cannot lock file because it is already locked by pid {}",
            lockfile.display(),
            server.pid()
        )
    );
    assert!(
        out.stderr.contains(&format!("|lockfile|WARN|{warning}\n")),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.ends_with(&format!("ovsdb-tool: {e}\n")),
        "{}\nours: {e}",
        out.stderr
    );

    // Creating is refused as well (the lock comes first), and unlocked reading works,
    // as `ovsdb-tool query` reads a served database.
    assert!(Log::open(&path, OpenMode::CreateExcl, true)
        .unwrap_err()
        .is_locked());
    let (records, error) = read_file(&path);
    assert!(error.is_none());
    assert_eq!(records[0], schema());
    drop(server);
}
