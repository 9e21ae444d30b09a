//! The real Open vSwitch with the dummy datapath (`--enable-dummy`,
//! `datapath_type=dummy`, `type=dummy` ports) as the oracle for datapath text.
//! Dummy ports make no kernel devices, so no network namespace is needed.
#![allow(dead_code)]

use std::path::PathBuf;

use testkit::real_ovs;
use testkit::{require_real_ovs, run, run_ok, start_real_ovsdb_server, Daemon, Output, RunDir};

/// ovs-vswitchd (declared first: dropped first) and ovsdb-server in a rundir.
pub struct DummySwitch {
    vswitchd: Daemon,
    _ovsdb: Daemon,
    dir: RunDir,
}

impl DummySwitch {
    /// Bridge `br0` (datapath_type=dummy, fail_mode=secure) with dummy
    /// ports p1..p3 on OpenFlow ports 1..3.
    #[track_caller]
    pub fn start(test_name: &str) -> DummySwitch {
        require_real_ovs();
        let dir = RunDir::new(test_name);
        let ovsdb = start_real_ovsdb_server(
            &dir,
            &dir.conf_db(),
            Some(std::path::Path::new(real_ovs::VSWITCH_SCHEMA)),
        );
        run_ok(dir.command(real_ovs::OVS_VSCTL).args(["--no-wait", "init"]));
        let ctl = dir.file("ovs-vswitchd.ctl");
        let mut vswitchd = Daemon::builder(&dir, real_ovs::OVS_VSWITCHD)
            .name("ovs-vswitchd")
            .args(["--enable-dummy", "--disable-system"])
            .arg(format!("unix:{}", dir.db_sock().display()))
            .arg(format!(
                "--pidfile={}",
                dir.file("ovs-vswitchd.pid").display()
            ))
            .arg(format!("--unixctl={}", ctl.display()))
            .arg(format!("--log-file={}", dir.log("ovs-vswitchd").display()))
            .arg("--no-chdir")
            .start();
        if let Err(e) = vswitchd.wait_for_socket(&ctl) {
            panic!("real ovs-vswitchd did not start: {e}");
        }
        let sw = DummySwitch {
            vswitchd,
            _ovsdb: ovsdb,
            dir,
        };
        let mut args: Vec<String> = [
            "--timeout=20",
            "add-br",
            "br0",
            "--",
            "set",
            "bridge",
            "br0",
            "datapath_type=dummy",
            "fail_mode=secure",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        for p in 1..=3 {
            args.extend([
                "--".to_string(),
                "add-port".into(),
                "br0".into(),
                format!("p{p}"),
                "--".into(),
                "set".into(),
                "interface".into(),
                format!("p{p}"),
                "type=dummy".into(),
                format!("ofport_request={p}"),
            ]);
        }
        run_ok(sw.dir.command(real_ovs::OVS_VSCTL).args(&args));
        sw
    }

    pub fn ctl(&self) -> PathBuf {
        self.dir.file("ovs-vswitchd.ctl")
    }

    /// `ovs-appctl ARGS` against this switch.
    pub fn appctl(&self, args: &[&str]) -> Output {
        run(self
            .dir
            .command(real_ovs::OVS_APPCTL)
            .arg("-t")
            .arg(self.ctl())
            .args(args))
    }

    /// `ovs-appctl ARGS`, panicking on failure.
    #[track_caller]
    pub fn appctl_ok(&self, args: &[&str]) -> String {
        let out = self.appctl(args);
        if !out.success() {
            panic!("ovs-appctl {args:?} failed: {}{}", out.stdout, out.stderr);
        }
        out.stdout
    }

    /// `ovs-vsctl --timeout=20 ARGS`, panicking on failure.
    #[track_caller]
    pub fn vsctl(&self, args: &[&str]) -> String {
        run_ok(
            self.dir
                .command(real_ovs::OVS_VSCTL)
                .arg("--timeout=20")
                .args(args),
        )
    }

    /// `ovs-ofctl ARGS br0 ...`, panicking on failure.
    #[track_caller]
    pub fn ofctl(&self, args: &[&str]) -> String {
        run_ok(self.dir.command(real_ovs::OVS_OFCTL).args(args))
    }

    pub fn vswitchd_pid(&self) -> u32 {
        self.vswitchd.pid()
    }
}
