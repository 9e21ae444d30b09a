//! Where we deliberately do better than the reference: saying why we wait instead of
//! hanging silently, and not hanging where the reference does.

mod common;

use common::{build_base_db, ours, split, start_server, vsctl, wait_for_monitors, ServerKind};
use testkit::RunDir;

fn args(line: &str) -> Vec<String> {
    split(line)
}

#[test]
fn waiting_for_ovs_vswitchd_is_explained_on_stderr() {
    testkit::require_real_ovs();
    let dir = RunDir::new("vsctl-wait-note");
    let base = build_base_db(&dir);
    let db = dir.conf_db();
    std::fs::copy(&base, &db).unwrap();
    let _server = start_server(&dir, &db, ServerKind::Real);
    // No ovs-vswitchd runs: the change is committed, then we wait until --timeout.
    let mut cmd = dir.command(ours());
    cmd.env("OXVS_VSCTL_NOTICE_MS", "200")
        .args(args("-t 3 set bridge br0 other_config:waiting=1"));
    let out = testkit::run(&mut cmd);
    assert!(
        out.stderr
            .contains("waiting for ovs-vswitchd to apply the change")
            && out.stderr.contains("--no-wait"),
        "{}",
        out.stderr
    );
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(out.status.signal(), Some(libc::SIGALRM), "{out:?}");
    // The change itself was made.
    let got = vsctl(&ours(), &dir, &args("get bridge br0 other_config:waiting"));
    assert_eq!(got.stdout, "\"1\"\n");
}

#[test]
fn an_unreachable_server_is_explained_when_retrying() {
    let dir = RunDir::new("vsctl-retry-note");
    let out = vsctl(&ours(), &dir, &args("--retry -t 2 list bridge"));
    assert!(
        out.stderr.contains("cannot reach the database server")
            && out.stderr.contains(&dir.db_remote()),
        "{}",
        out.stderr
    );
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(out.status.signal(), Some(libc::SIGALRM), "{out:?}");
    // Without --retry, the reference's message and status.
    let out = vsctl(&ours(), &dir, &args("list bridge"));
    assert_eq!(
        out.stderr,
        format!(
            "ovs-vsctl: {}: database connection failed (No such file or directory)\n",
            dir.db_remote()
        )
    );
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn creating_a_second_ssl_row_does_not_hang() {
    // The reference waits forever here: it assumes the table it does not watch is
    // empty, and its check that it is keeps failing.
    testkit::require_real_ovs();
    let dir = RunDir::new("vsctl-ssl-nohang");
    let base = build_base_db(&dir);
    let db = dir.conf_db();
    std::fs::copy(&base, &db).unwrap();
    let _server = start_server(&dir, &db, ServerKind::Real);
    let out = vsctl(
        &ours(),
        &dir,
        &args("--no-wait -- --id=@s create ssl private_key=a certificate=b ca_cert=c"),
    );
    assert!(out.status.success(), "{out:?}");
    assert!(
        ovsdb::atom::parse_uuid(out.stdout.trim()).is_some(),
        "{out:?}"
    );
    assert!(out
        .stderr
        .contains("row id \"@s\" was created but no reference"));
}

#[test]
fn wait_until_returns_once_the_row_appears_like_the_reference() {
    testkit::require_real_ovs();
    let dir = RunDir::new("vsctl-wait-until");
    let base = build_base_db(&dir);
    let db = dir.conf_db();
    std::fs::copy(&base, &db).unwrap();
    let _server = start_server(&dir, &db, ServerKind::Real);
    let line = args("-t 20 wait-until bridge late other_config:ready=yes -- get bridge late name");
    let (ours_out, theirs_out) = std::thread::scope(|s| {
        let o = s.spawn(|| vsctl(&ours(), &dir, &line));
        let t = s.spawn(|| {
            vsctl(
                std::path::Path::new(testkit::real_ovs::OVS_VSCTL),
                &dir,
                &line,
            )
        });
        // Both clients are waiting before the bridge appears, then gets the value.
        wait_for_monitors(&dir, 2);
        let mut create = dir.command(testkit::real_ovs::OVS_VSCTL);
        create.args(args("--no-wait add-br late"));
        testkit::run_ok(&mut create);
        let mut set = dir.command(testkit::real_ovs::OVS_VSCTL);
        set.args(args("--no-wait set bridge late other_config:ready=yes"));
        testkit::run_ok(&mut set);
        (o.join().unwrap(), t.join().unwrap())
    });
    assert!(ours_out.status.success(), "{ours_out:?}");
    assert_eq!(ours_out.stdout, "late\n");
    assert_eq!(ours_out.stdout, theirs_out.stdout);
    assert_eq!(ours_out.stderr, theirs_out.stderr);
}

#[test]
fn switch_lookups_after_waiting_match_the_reference() {
    // After `wait-until` waits, the rows looked up are watched instead of read
    // once: ports and interfaces created meanwhile, and the bridges they are on,
    // must be found as the reference finds them.
    testkit::require_real_ovs();
    let dir = RunDir::new("vsctl-wait-lookups");
    let base = build_base_db(&dir);
    let db = dir.conf_db();
    std::fs::copy(&base, &db).unwrap();
    let _server = start_server(&dir, &db, ServerKind::Real);
    let line = args(
        "-t 20 wait-until bridge late -- port-to-br p1 -- port-to-br pz -- iface-to-br iz \
         -- br-to-parent fz -- list-ports fz",
    );
    let (ours_out, theirs_out) = std::thread::scope(|s| {
        let o = s.spawn(|| vsctl(&ours(), &dir, &line));
        let t = s.spawn(|| {
            vsctl(
                std::path::Path::new(testkit::real_ovs::OVS_VSCTL),
                &dir,
                &line,
            )
        });
        wait_for_monitors(&dir, 2);
        for step in [
            "--no-wait add-port br1 pz",
            "--no-wait add-bond br1 bz iz jz",
            "--no-wait add-br fz br1 9 -- add-port fz fzp",
            "--no-wait add-br late",
        ] {
            let mut cmd = dir.command(testkit::real_ovs::OVS_VSCTL);
            cmd.args(args(step));
            testkit::run_ok(&mut cmd);
        }
        (o.join().unwrap(), t.join().unwrap())
    });
    assert!(ours_out.status.success(), "{ours_out:?}");
    assert_eq!(ours_out.stdout, "br0\nbr1\nbr1\nbr1\nfzp\n");
    assert_eq!(ours_out.stdout, theirs_out.stdout);
    assert_eq!(ours_out.stderr, theirs_out.stderr);
}
