//! A switch with hosts around it, for tests and benchmarks with real traffic:
//! ovsdb-server + ovs-vswitchd (either ours or the real Open vSwitch, the same
//! scenario runs against both) in a private network namespace, and "hosts"
//! that are namespaces of their own, each joined to the switch by a veth pair
//! whose switch end becomes a `system` port.
//!
//! Running the same scenario against the real switch proves the test itself
//! (a scenario that fails there is a wrong test), and running it against ours
//! proves oxvs. The real switch needs `datapath_type=netdev` (no kernel module
//! here) and transmit checksum offload off on the hosts' veths; ours takes the
//! default datapath type and handles offloads itself, so neither is set for it.
//!
//! Dropping the lab kills both daemons and deletes every namespace (and with
//! them every veth and TAP device), also when the test panics; namespaces left
//! by a test process that was killed outright are removed by the next lab.

use std::fs;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use crate::bins::{ensure_built, oxvs_bin, workspace_root};
use crate::daemon::Daemon;
use crate::real_ovs::{self, require_real_ovs, start_real_ovsdb_server};
use crate::real_switch::IP;
use crate::run::{run, run_ok, Output};
use crate::rundir::RunDir;
use crate::wait::{wait_until, DEFAULT_TIMEOUT};

/// Which Open vSwitch runs in the lab.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flavor {
    /// The Debian Open vSwitch 3.1 (the reference).
    Real,
    /// Our binaries from the workspace's target directory.
    Oxvs,
}

impl Flavor {
    /// Both, reference first.
    pub const BOTH: [Flavor; 2] = [Flavor::Real, Flavor::Oxvs];

    /// Path of tool `name` (e.g. "ovs-vsctl") of this flavor.
    pub fn tool(self, name: &str) -> PathBuf {
        match self {
            Flavor::Real => match name {
                "ovsdb-server" | "ovs-vswitchd" => PathBuf::from("/usr/sbin").join(name),
                _ => PathBuf::from("/usr/bin").join(name),
            },
            Flavor::Oxvs => oxvs_bin(name),
        }
    }

    /// The `datapath_type` bridges get: the real switch has no kernel
    /// datapath here; ours treats "" (the default) as its userspace datapath.
    pub fn datapath_type(self) -> &'static str {
        match self {
            Flavor::Real => "netdev",
            Flavor::Oxvs => "",
        }
    }
}

const NETNS_DIR: &str = "/run/netns";
const NETNS_PREFIX: &str = "oxlab-";
static LAB_COUNTER: AtomicU32 = AtomicU32::new(0);
/// `ip netns add/del` from concurrent test threads can trip over each other.
static NETNS_LOCK: Mutex<()> = Mutex::new(());

/// A host: a namespace with one interface, `eth0`, plugged into the switch.
#[derive(Clone, Debug)]
pub struct Host {
    /// The host's namespace.
    pub netns: String,
    /// The switch-side veth, added to a bridge as a system port.
    pub port: String,
    /// The host's address without prefix length, e.g. "192.168.1.2".
    pub ip: String,
    /// `eth0`'s MAC address.
    pub mac: String,
}

/// Choices for [`SwitchLab::add_host_with`].
#[derive(Clone, Debug, Default)]
pub struct HostOptions {
    /// The switch-side interface's name (default: unique per lab).
    pub port: Option<String>,
    /// The switch-side interface's MAC.
    pub port_mac: Option<String>,
    /// The host's `eth0` MAC.
    pub mac: Option<String>,
    /// Turn IPv6 off in the host, so it sends no router or neighbour
    /// solicitations of its own (deterministic counters and MAC tables).
    pub no_ipv6: bool,
}

/// A running switch (see the module comment).
#[derive(Debug)]
pub struct SwitchLab {
    // Teardown order: vswitchd first (it holds the ports), then namespaces
    // (in Drop), then the database, then the directory.
    vswitchd: Option<Daemon>,
    namespaces: Vec<String>,
    _ovsdb: Daemon,
    dir: RunDir,
    flavor: Flavor,
    /// Short unique tag for interface names (at most 15 bytes in all).
    tag: String,
    switch_ns: String,
    n_hosts: u32,
}

impl SwitchLab {
    /// Starts ovsdb-server on a fresh database and ovs-vswitchd inside a new
    /// namespace. Panics, with the daemons' logs, if either does not come up.
    #[track_caller]
    pub fn start(test_name: &str, flavor: Flavor) -> SwitchLab {
        require_real_ovs(); // the real tools are peers even for our flavor
                            // Benchmarks set OXVS_BIN_DIR to release binaries they built themselves.
        if flavor == Flavor::Oxvs && std::env::var_os("OXVS_BIN_DIR").is_none() {
            ensure_built(&[
                "ovsdb-server",
                "ovsdb-tool",
                "ovs-vsctl",
                "ovs-appctl",
                "ovs-ofctl",
                "ovs-vswitchd",
            ]);
        }
        let dir = RunDir::new(&format!("{test_name}-{flavor:?}"));
        let ovsdb = match flavor {
            Flavor::Real => start_real_ovsdb_server(
                &dir,
                &dir.conf_db(),
                Some(Path::new(real_ovs::VSWITCH_SCHEMA)),
            ),
            Flavor::Oxvs => start_our_ovsdb_server(&dir),
        };
        let n = LAB_COUNTER.fetch_add(1, Ordering::Relaxed);
        let tag = format!("x{}{}", std::process::id() % 100_000, n);
        let mut lab = SwitchLab {
            vswitchd: None,
            namespaces: Vec::new(),
            _ovsdb: ovsdb,
            dir,
            flavor,
            switch_ns: String::new(),
            tag,
            n_hosts: 0,
        };
        lab.vsctl(&["--no-wait", "init"]);
        lab.switch_ns = lab.add_netns("sw");
        let ctl = lab.dir.file("ovs-vswitchd.ctl");
        let mut vswitchd = Daemon::builder(&lab.dir, IP)
            .name("ovs-vswitchd")
            .args(["netns", "exec", &lab.switch_ns])
            .arg(flavor.tool("ovs-vswitchd"))
            .arg(lab.dir.db_remote())
            .arg(format!(
                "--pidfile={}",
                lab.dir.file("ovs-vswitchd.pid").display()
            ))
            .arg(format!("--unixctl={}", ctl.display()))
            .arg(format!(
                "--log-file={}",
                lab.dir.log("ovs-vswitchd").display()
            ))
            .arg("--no-chdir")
            .start();
        let ready = vswitchd.wait_for_socket(&ctl);
        lab.vswitchd = Some(vswitchd);
        if let Err(e) = ready {
            panic!("{flavor:?} ovs-vswitchd did not start: {e}\n{}", lab.log());
        }
        lab
    }

    /// ovs-vswitchd's process id (`ip netns exec` execs it in place).
    pub fn vswitchd_pid(&self) -> u32 {
        self.vswitchd.as_ref().map_or(0, Daemon::pid)
    }

    pub fn flavor(&self) -> Flavor {
        self.flavor
    }

    pub fn rundir(&self) -> &RunDir {
        &self.dir
    }

    /// The switch's namespace.
    pub fn switch_netns(&self) -> &str {
        &self.switch_ns
    }

    /// ovs-vswitchd's log so far.
    pub fn log(&self) -> String {
        fs::read_to_string(self.dir.log("ovs-vswitchd")).unwrap_or_default()
    }

    /// Runs this flavor's `tool` with the rundir environment (outside the
    /// namespaces: the sockets are files).
    pub fn tool_output(&self, tool: &str, args: &[&str]) -> Output {
        self.tool_output_with(&self.flavor.tool(tool), args)
    }

    /// Runs `program` (e.g. the real `/usr/bin/ovs-ofctl` against our switch).
    pub fn tool_output_with(&self, program: &Path, args: &[&str]) -> Output {
        let mut cmd = self.dir.command(program);
        if program.ends_with("ovs-vsctl") {
            cmd.arg("--timeout=20");
        }
        if program.ends_with("ovs-appctl") {
            cmd.arg("-t").arg(self.dir.file("ovs-vswitchd.ctl"));
        }
        run(cmd.args(args))
    }

    #[track_caller]
    fn tool_ok(&self, tool: &str, args: &[&str]) -> String {
        let out = self.tool_output(tool, args);
        if !out.success() {
            panic!(
                "{:?} {tool} {args:?} failed ({}): {}\n--- ovs-vswitchd.log ---\n{}",
                self.flavor,
                out.status,
                out.stderr,
                self.log()
            );
        }
        out.stdout
    }

    /// `ovs-vsctl --timeout=20 ARGS` (this flavor's); without `--no-wait` it
    /// returns once the switch has applied the change.
    #[track_caller]
    pub fn vsctl(&self, args: &[&str]) -> String {
        self.tool_ok("ovs-vsctl", args)
    }

    /// `ovs-ofctl ARGS` (this flavor's).
    #[track_caller]
    pub fn ofctl(&self, args: &[&str]) -> String {
        self.tool_ok("ovs-ofctl", args)
    }

    /// `ovs-appctl -t <ovs-vswitchd.ctl> ARGS` (this flavor's).
    #[track_caller]
    pub fn appctl(&self, args: &[&str]) -> String {
        self.tool_ok("ovs-appctl", args)
    }

    /// Adds bridge `name` with this flavor's datapath type and waits until
    /// its management socket accepts connections.
    #[track_caller]
    pub fn add_bridge(&self, name: &str) {
        let dp = format!("datapath_type=\"{}\"", self.flavor.datapath_type());
        self.vsctl(&["add-br", name, "--", "set", "bridge", name, &dp]);
        let mgmt = self.dir.file(&format!("{name}.mgmt"));
        let what = format!("{} to accept connections", mgmt.display());
        if let Err(e) = wait_until(DEFAULT_TIMEOUT, &what, || {
            UnixStream::connect(&mgmt).is_ok()
        }) {
            panic!("{e}\n{}", self.log());
        }
    }

    /// Adds `host`'s switch-side port to `bridge` as OpenFlow port `ofport`
    /// (`ofport_request`), waiting until the switch has applied it.
    #[track_caller]
    pub fn add_port_numbered(&self, bridge: &str, host: &Host, ofport: u16) {
        let request = format!("ofport_request={ofport}");
        self.vsctl(&[
            "add-port",
            bridge,
            &host.port,
            "--",
            "set",
            "interface",
            &host.port,
            &request,
        ]);
    }

    /// Creates host `name` (a namespace with `eth0` at `ip_cidr`, e.g.
    /// "192.168.1.2/24") joined by a veth pair to the switch's namespace.
    /// The switch end is returned in [`Host::port`]; add it to a bridge with
    /// `add-port`.
    #[track_caller]
    pub fn add_host(&mut self, name: &str, ip_cidr: &str) -> Host {
        self.add_host_with(name, ip_cidr, &HostOptions::default())
    }

    /// [`SwitchLab::add_host`] with a chosen switch-side port name and fixed
    /// MAC addresses (for outputs that must not differ between runs).
    #[track_caller]
    pub fn add_host_with(&mut self, name: &str, ip_cidr: &str, opts: &HostOptions) -> Host {
        self.n_hosts += 1;
        let netns = self.add_netns(name);
        let port = opts
            .port
            .clone()
            .unwrap_or_else(|| format!("{}p{}", self.tag, self.n_hosts));
        let peer = format!("{}h{}", self.tag, self.n_hosts);
        assert!(port.len() <= 15, "interface name {port} too long");
        ip(&[
            "link",
            "add",
            &port,
            "netns",
            &self.switch_ns,
            "type",
            "veth",
            "peer",
            "name",
            &peer,
            "netns",
            &netns,
        ]);
        self.in_netns(&self.switch_ns.clone(), &["ip", "link", "set", &port, "up"]);
        self.in_netns(&netns, &["ip", "link", "set", &peer, "name", "eth0"]);
        if let Some(mac) = &opts.port_mac {
            let sw = self.switch_ns.clone();
            self.in_netns(&sw, &["ip", "link", "set", &port, "address", mac]);
        }
        if let Some(mac) = &opts.mac {
            self.in_netns(&netns, &["ip", "link", "set", "eth0", "address", mac]);
        }
        if opts.no_ipv6 {
            self.in_netns(
                &netns,
                &["sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1"],
            );
            self.in_netns(
                &netns,
                &["sysctl", "-q", "-w", "net.ipv6.conf.default.disable_ipv6=1"],
            );
        }
        self.in_netns(&netns, &["ip", "addr", "add", ip_cidr, "dev", "eth0"]);
        self.in_netns(&netns, &["ip", "link", "set", "eth0", "up"]);
        self.in_netns(&netns, &["ip", "link", "set", "lo", "up"]);
        if self.flavor == Flavor::Real {
            // The real userspace datapath forwards partial checksums as they are.
            self.in_netns(&netns, &["ethtool", "-K", "eth0", "tx", "off"]);
        }
        let mac = self
            .in_netns(&netns, &["cat", "/sys/class/net/eth0/address"])
            .trim()
            .to_owned();
        let ip = ip_cidr.split('/').next().unwrap_or(ip_cidr).to_owned();
        Host {
            netns,
            port,
            ip,
            mac,
        }
    }

    /// A command that runs `program` inside namespace `netns`.
    pub fn netns_command(&self, netns: &str, program: &str) -> Command {
        let mut cmd = self.dir.command(IP);
        cmd.args(["netns", "exec", netns, program]);
        cmd
    }

    /// Runs `argv` inside `netns`; panics if it fails.
    #[track_caller]
    pub fn in_netns(&self, netns: &str, argv: &[&str]) -> String {
        let (program, args) = argv.split_first().expect("a command");
        run_ok(self.netns_command(netns, program).args(args))
    }

    /// One ping from `host` to `ip` (1 s timeout): whether it was answered.
    pub fn ping_once(&self, host: &Host, ip: &str) -> bool {
        run(self
            .netns_command(&host.netns, "ping")
            .args(["-c", "1", "-W", "1", "-q", ip]))
        .success()
    }

    /// Whether `host` reaches `ip`: pings until one is answered, for at most
    /// `DEFAULT_TIMEOUT` (the first packets may be spent on learning and ARP).
    pub fn can_ping(&self, host: &Host, ip: &str) -> bool {
        wait_until(DEFAULT_TIMEOUT, "a ping reply", || self.ping_once(host, ip)).is_ok()
    }

    /// Whether `host` fails to reach `ip`: three pings, none answered. Unlike
    /// [`SwitchLab::can_ping`], absence can only be seen by waiting.
    pub fn cannot_ping(&self, host: &Host, ip: &str) -> bool {
        !run(self
            .netns_command(&host.netns, "ping")
            .args(["-c", "3", "-i", "0.2", "-W", "1", "-q", ip]))
        .success()
    }

    /// Creates a namespace named after this lab and `what`.
    #[track_caller]
    fn add_netns(&mut self, what: &str) -> String {
        let _guard = NETNS_LOCK.lock().unwrap_or_else(|p| p.into_inner());
        remove_orphaned_netns();
        let name = format!("{NETNS_PREFIX}{}-{}-{what}", std::process::id(), &self.tag);
        if Path::new(NETNS_DIR).join(&name).exists() {
            let _ = run(Command::new(IP).args(["netns", "del", &name]));
        }
        ip(&["netns", "add", &name]);
        self.namespaces.push(name.clone());
        name
    }
}

impl Drop for SwitchLab {
    fn drop(&mut self) {
        if let Some(mut d) = self.vswitchd.take() {
            d.kill9();
        }
        let _guard = NETNS_LOCK.lock().unwrap_or_else(|p| p.into_inner());
        for ns in self.namespaces.drain(..) {
            let _ = run(Command::new(IP).args(["netns", "del", &ns]));
        }
    }
}

/// Our ovsdb-server on a database made by our ovsdb-tool from our schema.
#[track_caller]
fn start_our_ovsdb_server(dir: &RunDir) -> Daemon {
    let schema = workspace_root().join("crates/vswitch-schema/vswitch.ovsschema");
    run_ok(
        dir.command(oxvs_bin("ovsdb-tool"))
            .arg("create")
            .arg(dir.conf_db())
            .arg(schema),
    );
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

#[track_caller]
fn ip(args: &[&str]) {
    let out = run(Command::new(IP).args(args));
    if !out.success() {
        panic!("ip {args:?} failed ({}): {}", out.status, out.stderr);
    }
}

fn remove_orphaned_netns() {
    let Ok(entries) = fs::read_dir(NETNS_DIR) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = name
            .strip_prefix(NETNS_PREFIX)
            .and_then(|rest| rest.split('-').next())
            .and_then(|p| p.parse::<u32>().ok())
        else {
            continue;
        };
        if pid != std::process::id() && !Path::new(&format!("/proc/{pid}")).exists() {
            let _ = run(Command::new(IP).args(["netns", "del", &name]));
        }
    }
}

/// Bounded wait helper for scenario code: panics with `what` on timeout.
#[track_caller]
pub fn wait_for(what: &str, timeout: Duration, cond: impl FnMut() -> bool) {
    if let Err(e) = wait_until(timeout, what, cond) {
        panic!("{e}");
    }
}

/// A running `tcpdump` inside a host's namespace, printing one line per
/// packet (`-nn -e`, so MACs and VLAN tags show) into a file. Killed on drop.
#[derive(Debug)]
pub struct Capture {
    daemon: Daemon,
}

impl SwitchLab {
    /// Starts capturing on `host`'s `eth0` with pcap `filter` ("" for all)
    /// and returns once tcpdump is listening.
    #[track_caller]
    pub fn capture(&self, host: &Host, name: &str, filter: &str) -> Capture {
        let mut b = Daemon::builder(&self.dir, IP)
            .name(&format!("tcpdump-{name}"))
            .args(["netns", "exec", &host.netns, "tcpdump"])
            .args(["-i", "eth0", "-nn", "-e", "-l", "--immediate-mode"]);
        if !filter.is_empty() {
            b = b.arg(filter);
        }
        let daemon = b.start();
        let capture = Capture { daemon };
        let ready = wait_until(DEFAULT_TIMEOUT, "tcpdump to listen", || {
            capture.daemon.stderr().contains("listening on")
        });
        if let Err(e) = ready {
            panic!("{e}: {}", capture.daemon.stderr());
        }
        capture
    }
}

impl Capture {
    /// Every line printed so far.
    pub fn lines(&self) -> Vec<String> {
        self.daemon.stdout().lines().map(str::to_owned).collect()
    }

    /// Waits (bounded) for a captured line containing every one of `parts`,
    /// and returns it; `None` on timeout.
    pub fn wait_for(&self, parts: &[&str], timeout: Duration) -> Option<String> {
        let mut found = None;
        let _ = wait_until(timeout, "a captured packet", || {
            found = self
                .lines()
                .into_iter()
                .find(|l| parts.iter().all(|p| l.contains(p)));
            found.is_some()
        });
        found
    }
}

impl SwitchLab {
    /// Sends one raw Ethernet frame (hex) out of `host`'s `eth0`, as is (a
    /// VLAN tag in it stays in it), with an AF_PACKET socket from python3.
    #[track_caller]
    pub fn send_frame(&self, host: &Host, frame_hex: &str) {
        let script = "import socket,sys\n\
            s=socket.socket(socket.AF_PACKET,socket.SOCK_RAW)\n\
            s.bind(('eth0',0))\n\
            s.send(bytes.fromhex(sys.argv[1]))\n";
        self.in_netns(&host.netns, &["python3", "-c", script, frame_hex]);
    }
}
