//! `wait` and the lock commands, which block: ours and the reference are run side
//! by side through the same events and must print the same things.

mod common;

use common::{assert_no_failures, custom_env, difference, Env, OURS};
use testkit::{real_ovs, Daemon, Output};

#[test]
fn wait_returns_at_once_like_the_reference_when_the_state_holds() {
    let env = custom_env("wait_now");
    let remote = env.remote();
    let mut failures = Vec::new();
    for case in [
        vec!["wait", "T", "added"],
        vec!["wait", "T", "connected"],
        vec!["wait", "nosuch", "removed"],
        vec!["wait", "_Server", "added"],
        vec!["wait", remote.as_str(), "T", "connected"],
    ] {
        env.compare(&case, &mut failures);
    }
    assert_no_failures(&failures);
}

fn add_db(env: &Env, name: &str) -> std::path::PathBuf {
    let schema = env.dir.file(&format!("{name}.ovsschema"));
    std::fs::write(
        &schema,
        format!(
            r#"{{"name":"{name}","tables":{{"X":{{"columns":{{"v":{{"type":"integer"}}}}}}}}}}"#
        ),
    )
    .expect("write schema");
    let db = env.dir.file(&format!("{name}.db"));
    common::create_db(&env.dir, &db, &schema);
    db
}

#[test]
fn wait_blocks_until_the_database_comes_and_goes() {
    let env = custom_env("wait_blocks");
    let db = add_db(&env, "E");
    let mut added = env.start_pair("added", &["wait", "E", "added"]);
    let mut connected = env.start_pair("connected", &["wait", "E", "connected"]);
    added.wait_for_request("transact");
    connected.wait_for_request("transact");
    let out = env.appctl(&["ovsdb-server/add-db", &db.display().to_string()]);
    assert!(out.success(), "{out:?}");
    let mut failures = Vec::new();
    for (name, pair) in [("added", added), ("connected", connected)] {
        if let Some(d) = pair.finish() {
            failures.push(format!("wait E {name}\n{d}"));
        }
    }
    let mut removed = env.start_pair("removed", &["wait", "E", "removed"]);
    removed.wait_for_request("transact");
    let out = env.appctl(&["ovsdb-server/remove-db", "E"]);
    assert!(out.success(), "{out:?}");
    if let Some(d) = removed.finish() {
        failures.push(format!("wait E removed\n{d}"));
    }
    assert_no_failures(&failures);
}

#[test]
fn wait_keeps_reconnecting_like_the_reference() {
    real_ovs::require_real_ovs();
    // The clients start before any server listens on the socket.
    let dir = testkit::RunDir::new("wait_reconnect");
    let env_dir = &dir;
    let sock = format!("unix:{}", env_dir.file("late.sock").display());
    let start = |who: &str, program: &str| {
        Daemon::builder(env_dir, program)
            .args(["wait", sock.as_str(), "T", "added"])
            .name(who)
            .start()
    };
    let mut ours = start("ours", OURS);
    let mut theirs = start("reference", real_ovs::OVSDB_CLIENT);
    // Two failed attempts, a second apart, then a 2-second backoff: start the
    // server inside that window so both connect on their third attempt.
    common::wait_for("both clients to back off", || {
        ours.stderr().contains("waiting 2 seconds") && theirs.stderr().contains("waiting 2 seconds")
    });
    let schema = dir.file("t.ovsschema");
    std::fs::write(&schema, common::TEST_SCHEMA).expect("write schema");
    let db = dir.file("t.db");
    common::create_db(&dir, &db, &schema);
    let sock_path = dir.file("late.sock");
    let mut server = Daemon::builder(&dir, real_ovs::OVSDB_SERVER)
        .arg(&db)
        .arg(format!("--remote=punix:{}", sock_path.display()))
        .arg("--no-chdir")
        .arg(format!("--unixctl={}", dir.file("late.ctl").display()))
        .name("late-server")
        .start();
    server.wait_for_socket(&sock_path).expect("server starts");
    let o = ours
        .wait_exit(testkit::DEFAULT_TIMEOUT)
        .expect("ours exits");
    let t = theirs
        .wait_exit(testkit::DEFAULT_TIMEOUT)
        .expect("reference exits");
    let ours = Output {
        status: o,
        stdout: ours.stdout(),
        stderr: ours.stderr(),
    };
    let theirs = Output {
        status: t,
        stdout: theirs.stdout(),
        stderr: theirs.stderr(),
    };
    assert!(ours.success(), "{ours:?}");
    assert_eq!(difference(&ours, &theirs), None);
}

/// One lock scenario run with one client program: a holder, a waiter, a thief;
/// the thief goes away. Returns each role's output.
fn lock_scenario(env: &Env, program: &str, tag: &str) -> Vec<(String, Output)> {
    let start = |role: &str, args: &[&str]| {
        Daemon::builder(&env.dir, program)
            .args(args)
            .name(&format!("{tag}-{role}"))
            .start()
    };
    let mut holder = start("holder", &["lock", "L"]);
    common::wait_for("the holder's reply", || {
        holder.stdout().contains("{\"locked\":true}")
    });
    let mut waiter = start("waiter", &["lock", "L"]);
    common::wait_for("the waiter's reply", || {
        waiter.stdout().contains("{\"locked\":false}")
    });
    let mut thief = start("thief", &["steal", "L"]);
    common::wait_for("the theft", || {
        thief.stdout().contains("{\"locked\":true}") && holder.stdout().contains("stolen")
    });
    let mut unlocker = start(
        "unlocker",
        &["--log-file=unlock.log", "-vjsonrpc:file:dbg", "unlock", "L"],
    );
    common::wait_for("the unlock reply", || {
        std::fs::read_to_string(env.dir.file("unlock.log"))
            .unwrap_or_default()
            .contains("received error")
    });
    let _ = std::fs::remove_file(env.dir.file("unlock.log"));
    // Each departure passes the lock to the next in line: the thief's back to
    // the holder, the holder's to the waiter.
    let stop = |d: &mut Daemon| -> Output {
        let _ = d.signal(libc::SIGTERM);
        let status = d.wait_exit(testkit::DEFAULT_TIMEOUT).expect("client exits");
        let stderr = d
            .stderr()
            .lines()
            .filter(|l| !l.contains("opened log file"))
            .map(|l| format!("{l}\n"))
            .collect();
        Output {
            status,
            stdout: d.stdout(),
            stderr,
        }
    };
    let mut roles = vec![("thief".to_string(), stop(&mut thief))];
    common::wait_for("the lock to return to the holder", || {
        holder.stdout().ends_with("locked\n[\"L\"]\n")
    });
    roles.push(("holder".to_string(), stop(&mut holder)));
    common::wait_for("the lock to pass to the waiter", || {
        waiter.stdout().ends_with("locked\n[\"L\"]\n")
    });
    roles.push(("waiter".to_string(), stop(&mut waiter)));
    roles.push(("unlocker".to_string(), stop(&mut unlocker)));
    roles
}

#[test]
fn lock_steal_and_unlock_match_the_reference() {
    let env = custom_env("locks");
    let ours = lock_scenario(&env, OURS, "ours");
    let env = custom_env("locks_reference");
    let theirs = lock_scenario(&env, real_ovs::OVSDB_CLIENT, "reference");
    let mut failures = Vec::new();
    for ((role, o), (_, t)) in ours.iter().zip(&theirs) {
        if let Some(d) = difference(o, t) {
            failures.push(format!("{role}\n{d}"));
        }
    }
    assert_no_failures(&failures);
    let holder = &ours[1].1.stdout;
    assert!(
        holder.starts_with("{\"locked\":true}\nstolen\n[\"L\"]\n"),
        "{holder}"
    );
}
