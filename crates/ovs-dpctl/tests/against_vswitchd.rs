//! ovs-dpctl forwards to a running ovs-vswitchd's `dpctl/*` unixctl commands;
//! the real ovs-vswitchd (dummy datapath) has the same commands, so our tool
//! pointed at it must print exactly what `ovs-appctl dpctl/...` prints.

#[path = "../../datapath/tests/common/mod.rs"]
mod common;

use std::process::Command;

use common::DummySwitch;
use testkit::run;

fn dpctl(sw: &DummySwitch, rundir: &std::path::Path, args: &[&str]) -> testkit::Output {
    let _ = sw;
    run(Command::new(env!("CARGO_BIN_EXE_ovs-dpctl"))
        .env("OVS_RUNDIR", rundir)
        .args(args))
}

#[test]
fn ovs_dpctl_prints_what_ovs_appctl_dpctl_prints() {
    let sw = DummySwitch::start("dpctl_tool_vs_appctl");
    // Keep the real revalidators from deleting flows it did not make.
    sw.appctl_ok(&["revalidator/pause"]);
    let rundir = sw.ctl().parent().expect("rundir").to_path_buf();
    // The tool finds ovs-vswitchd.<pid>.ctl from the pidfile; the test
    // switch listens on ovs-vswitchd.ctl, so give it the usual name too.
    let pid = std::fs::read_to_string(rundir.join("ovs-vswitchd.pid")).expect("pidfile");
    let usual = rundir.join(format!("ovs-vswitchd.{}.ctl", pid.trim()));
    std::os::unix::fs::symlink(sw.ctl(), &usual).expect("symlink ctl");

    let flow = "in_port(1),eth(),eth_type(0x0800),ipv4(src=1.2.3.4/255.255.0.0,frag=no)";
    // Read-only commands, and commands that fail the same way each time,
    // are run by both tools; changes are made by ours and then observed.
    let same = |args: &[&str]| {
        // Options go after the command name for ovs-appctl.
        let (opts, rest): (Vec<&str>, Vec<&str>) = args.iter().partition(|a| a.starts_with('-'));
        let mut app: Vec<String> = vec![format!("dpctl/{}", rest[0])];
        app.extend(opts.iter().map(|s| s.to_string()));
        app.extend(rest[1..].iter().map(|s| s.to_string()));
        let app_args: Vec<&str> = app.iter().map(String::as_str).collect();
        let want = sw.appctl(&app_args);
        let got = dpctl(&sw, &rundir, args);
        assert_eq!(got.stdout, want.stdout, "stdout of ovs-dpctl {args:?}");
        assert_eq!(
            got.code(),
            want.code(),
            "exit code of ovs-dpctl {args:?}: {}",
            got.stderr
        );
        let want_err: String = want
            .stderr
            .lines()
            .filter(|l| !l.starts_with("ovs-appctl: "))
            .map(|l| format!("{l}\n"))
            .collect();
        assert_eq!(got.stderr, want_err, "stderr of ovs-dpctl {args:?}");
        got.stdout
    };
    let ours_ok = |args: &[&str]| {
        let out = dpctl(&sw, &rundir, args);
        assert!(out.success(), "ovs-dpctl {args:?}: {}", out.stderr);
        out.stdout
    };
    same(&["show"]);
    same(&["-s", "show"]);
    same(&["dump-dps"]);
    same(&["show", "nosuchdp"]);
    assert_eq!(ours_ok(&["add-flow", flow, "2"]), "");
    same(&["add-flow", flow, "2"]);
    assert!(same(&["dump-flows"]).contains("actions:2"));
    same(&["-m", "dump-flows"]);
    same(&["--names", "dump-flows"]);
    assert_eq!(
        ours_ok(&["-s", "mod-flow", flow, "3"]),
        "packets:0, bytes:0, used:never\n"
    );
    assert!(same(&["dump-flows"]).contains("actions:3"));
    assert_eq!(ours_ok(&["del-flow", flow]), "");
    same(&["del-flow", flow]);
    ours_ok(&["add-flow", flow, "2"]);
    assert_eq!(ours_ok(&["del-flows"]), "");
    assert_eq!(same(&["dump-flows"]), "");
    // No ovs-vswitchd: a clear error.
    let empty = tempdir_like(&rundir);
    let out = dpctl(&sw, &empty, &["show"]);
    assert_eq!(out.code(), Some(1));
    assert!(
        out.stderr.contains("ovs-dpctl: cannot read pidfile"),
        "{}",
        out.stderr
    );
}

/// An empty directory inside the rundir (removed with it).
fn tempdir_like(rundir: &std::path::Path) -> std::path::PathBuf {
    let d = rundir.join("empty-rundir");
    std::fs::create_dir_all(&d).expect("mkdir");
    d
}
