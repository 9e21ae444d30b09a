//! A switch under test: OUR ovsdb-server (database made by OUR ovsdb-tool from the
//! vswitch schema) and OUR ovs-vswitchd `--enable-dummy` in a private run directory,
//! driven with our ovs-vsctl / ovs-appctl. Both daemons are killed when it drops.

#![allow(dead_code)]

use std::path::PathBuf;
use std::time::Duration;
use testkit::{ensure_built, oxvs_bin, run, run_ok, wait_until, Daemon, Output, RunDir};

pub struct Switch {
    // Teardown order: the switch, then the database, then the directory.
    pub vswitchd: Option<Daemon>,
    pub ovsdb: Daemon,
    pub dir: RunDir,
}

pub fn vswitchd_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_ovs-vswitchd"))
}

impl Switch {
    /// Starts the database and the switch; returns once the switch's control socket
    /// answers.
    #[track_caller]
    pub fn start(test: &str) -> Switch {
        Switch::start_with(test, &["--enable-dummy", "--disable-system"])
    }

    /// Like [`Switch::start`] with other switch options (e.g. none, for real ports).
    #[track_caller]
    pub fn start_with(test: &str, args: &[&str]) -> Switch {
        let dir = Switch::database_only(test);
        let ovsdb = Switch::start_ovsdb(&dir);
        let mut sw = Switch {
            vswitchd: None,
            ovsdb,
            dir,
        };
        sw.vsctl(&["--no-wait", "init"]);
        let d = sw.start_vswitchd_with("ovs-vswitchd.ctl", "ovs-vswitchd", args);
        sw.vswitchd = Some(d);
        sw
    }

    /// The database alone (no switch yet), for tests that start the switch
    /// their own way.
    #[track_caller]
    pub fn database(test: &str) -> Switch {
        let dir = Switch::database_only(test);
        let ovsdb = Switch::start_ovsdb(&dir);
        let sw = Switch {
            vswitchd: None,
            ovsdb,
            dir,
        };
        sw.vsctl(&["--no-wait", "init"]);
        sw
    }

    fn database_only(test: &str) -> RunDir {
        ensure_built(&["ovsdb-server", "ovsdb-tool", "ovs-vsctl", "ovs-appctl"]);
        let dir = RunDir::new(test);
        run_ok(
            dir.command(oxvs_bin("ovsdb-tool"))
                .arg("create")
                .arg(dir.conf_db())
                .arg(vswitch_schema::path()),
        );
        dir
    }

    pub fn start_ovsdb(dir: &RunDir) -> Daemon {
        let sock = dir.db_sock();
        let mut d = Daemon::builder(dir, oxvs_bin("ovsdb-server"))
            .arg(dir.conf_db())
            .arg(format!("--remote=punix:{}", sock.display()))
            .arg("--no-chdir")
            .arg(format!(
                "--unixctl={}",
                dir.file("ovsdb-server.ctl").display()
            ))
            .arg(format!("--log-file={}", dir.log("ovsdb-server").display()))
            .start();
        if let Err(e) = d.wait_for_socket(&sock) {
            panic!("our ovsdb-server did not start: {e}");
        }
        d
    }

    /// Starts (another) ovs-vswitchd with control socket `ctl` (in the run dir).
    #[track_caller]
    pub fn start_vswitchd(&self, ctl: &str, name: &str) -> Daemon {
        self.start_vswitchd_with(ctl, name, &["--enable-dummy", "--disable-system"])
    }

    #[track_caller]
    pub fn start_vswitchd_with(&self, ctl: &str, name: &str, args: &[&str]) -> Daemon {
        let ctl = self.dir.file(ctl);
        let mut d = Daemon::builder(&self.dir, vswitchd_bin())
            .name(name)
            .arg(self.dir.db_remote())
            .args(args)
            .arg("--no-chdir")
            .arg(format!("--unixctl={}", ctl.display()))
            .arg(format!("--log-file={}", self.dir.log(name).display()))
            .start();
        if let Err(e) = d.wait_for_socket(&ctl) {
            panic!("our ovs-vswitchd did not start: {e}");
        }
        d
    }

    pub fn pid(&self) -> u32 {
        self.vswitchd.as_ref().map_or(0, Daemon::pid)
    }

    /// Our ovs-vsctl (waiting for the switch unless `--no-wait` is given), bounded.
    pub fn vsctl_output(&self, args: &[&str]) -> Output {
        run(self
            .dir
            .command(oxvs_bin("ovs-vsctl"))
            .arg("--timeout=20")
            .args(args))
    }

    #[track_caller]
    pub fn vsctl(&self, args: &[&str]) -> String {
        let out = self.vsctl_output(args);
        if !out.success() {
            panic!(
                "ovs-vsctl {args:?} failed: {}\n{}",
                out.stderr,
                self.vswitchd
                    .as_ref()
                    .map(Daemon::stderr_report)
                    .unwrap_or_default()
            );
        }
        out.stdout
    }

    /// A column of a record, as `ovs-vsctl get` prints it (trimmed).
    #[track_caller]
    pub fn get(&self, table: &str, record: &str, column: &str) -> String {
        self.vsctl(&["--no-wait", "get", table, record, column])
            .trim()
            .to_owned()
    }

    pub fn appctl_output(&self, ctl: &str, args: &[&str]) -> Output {
        run(self
            .dir
            .command(oxvs_bin("ovs-appctl"))
            .arg("-t")
            .arg(self.dir.file(ctl))
            .args(args))
    }

    #[track_caller]
    pub fn appctl(&self, args: &[&str]) -> String {
        let out = self.appctl_output("ovs-vswitchd.ctl", args);
        assert!(out.success(), "ovs-appctl {args:?} failed: {}", out.stderr);
        out.stdout
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.log("ovs-vswitchd")).unwrap_or_default()
    }

    /// `ovs-vsctl add-br NAME` on the dummy datapath.
    #[track_caller]
    pub fn add_dummy_bridge(&self, name: &str) {
        let dp_type = "datapath_type=dummy";
        self.vsctl(&["add-br", name, "--", "set", "bridge", name, dp_type]);
    }

    /// Waits (bounded) until `cond` holds.
    #[track_caller]
    pub fn wait(&self, what: &str, cond: impl FnMut() -> bool) {
        if let Err(e) = wait_until(Duration::from_secs(20), what, cond) {
            panic!("{e}\nlog:\n{}", self.log());
        }
    }
}

/// Open descriptors and resident memory (kB) of a process.
pub fn fds_and_rss(pid: u32) -> (usize, u64) {
    let fds = std::fs::read_dir(format!("/proc/{pid}/fd"))
        .map(|d| d.count())
        .unwrap_or(0);
    let rss = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0);
    (fds, rss)
}
