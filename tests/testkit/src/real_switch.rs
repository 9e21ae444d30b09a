//! The real Open vSwitch 3.1 switch (ovsdb-server + ovs-vswitchd with the
//! userspace datapath) as an OpenFlow test peer for `ovs-ofctl`.
//!
//! The userspace ("netdev") datapath creates a TAP device per bridge and per
//! internal port, named after them, so two tests that both make `br0` would
//! collide. Each [`RealSwitch`] therefore runs its `ovs-vswitchd` inside a
//! private network namespace of its own (`oxvs-sw-<pid>-<counter>`); the
//! database, the logs and the `<bridge>.mgmt` OpenFlow sockets live in the
//! test's [`RunDir`], which is an ordinary directory, so tools connect to the
//! bridges from outside the namespace.
//!
//! Dropping the switch kills both daemons and deletes the namespace (and with
//! it every device the switch made), also when the test panics. A namespace
//! left behind by a test process that was killed outright is deleted by the
//! next [`RealSwitch::start`] once that process is gone.

use std::fs;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU16, AtomicU32, Ordering};
use std::sync::Mutex;

use crate::daemon::Daemon;
use crate::real_ovs::{self, require_real_ovs, start_real_ovsdb_server};
use crate::run::{run, run_ok, Output};
use crate::rundir::RunDir;
use crate::wait::{wait_until, DEFAULT_TIMEOUT};

/// iproute2, which creates, enters and deletes network namespaces.
pub const IP: &str = "/usr/sbin/ip";

/// Where iproute2 keeps named namespaces.
const NETNS_DIR: &str = "/run/netns";

/// Prefix of our namespaces' names; the rest is `<pid>-<counter>`.
const NETNS_PREFIX: &str = "oxvs-sw-";

/// Every OpenFlow version, so tests can speak any of them to the bridge.
pub const ALL_PROTOCOLS: &str = "OpenFlow10,OpenFlow11,OpenFlow12,OpenFlow13,OpenFlow14,OpenFlow15";

/// Internal ports each bridge gets, with these OpenFlow port numbers.
pub const PORTS_PER_BRIDGE: u16 = 3;

/// Seconds `ovs-vsctl` may wait for ovs-vswitchd to apply a change.
const VSCTL_TIMEOUT_SECS: u32 = 20;

/// Linux limits interface names (and so bridge and port names here) to 15
/// bytes.
const IFNAMSIZ_MAX: usize = 15;

static NETNS_COUNTER: AtomicU32 = AtomicU32::new(0);

/// `ip netns add`/`del` set up and tear down /run/netns mounts; done
/// concurrently from one process's test threads they can trip over each
/// other, so they are serialised.
static NETNS_LOCK: Mutex<()> = Mutex::new(());

/// A running real switch: ovsdb-server on a fresh `conf.db`, ovs-vswitchd in
/// a private network namespace, and bridge `br0` (see [`RealSwitch::start`]).
#[derive(Debug)]
pub struct RealSwitch {
    // Declared in teardown order; `Drop` takes vswitchd and the namespace
    // down first, then the fields drop in this order.
    vswitchd: Option<Daemon>,
    netns: Option<String>,
    ovsdb: Daemon,
    dir: RunDir,
    /// Bridges made so far, for distinct datapath IDs and MAC addresses.
    bridges: AtomicU16,
}

impl RealSwitch {
    /// Starts the real ovsdb-server (fresh database from the real
    /// `ovsdb-tool create` and the packaged vswitch schema) and the real
    /// ovs-vswitchd inside a new network namespace, then adds bridge `br0`
    /// with [`RealSwitch::add_bridge`]: datapath ID 1, MAC
    /// `00:00:00:00:00:01`, internal ports `p1`, `p2`, `p3` on OpenFlow ports
    /// 1, 2, 3. Returns once `br0.mgmt` accepts connections.
    ///
    /// Panics, with the daemons' output, if anything fails.
    #[track_caller]
    pub fn start(test_name: &str) -> RealSwitch {
        require_real_ovs();
        if !Path::new(IP).exists() {
            panic!("{IP} (iproute2) is needed to run the real switch in a network namespace");
        }
        let dir = RunDir::new(test_name);
        let ovsdb = start_real_ovsdb_server(
            &dir,
            &dir.conf_db(),
            Some(Path::new(real_ovs::VSWITCH_SCHEMA)),
        );
        let mut switch = RealSwitch {
            vswitchd: None,
            netns: None,
            ovsdb,
            dir,
            bridges: AtomicU16::new(0),
        };
        switch.vsctl(&["--no-wait", "init"]);
        let ns = create_netns();
        switch.netns = Some(ns.clone());
        let ctl = switch.dir.file("ovs-vswitchd.ctl");
        let mut vswitchd = Daemon::builder(&switch.dir, IP)
            .name("ovs-vswitchd")
            .args(["netns", "exec", &ns, real_ovs::OVS_VSWITCHD])
            .arg(format!("unix:{}", switch.dir.db_sock().display()))
            .arg(format!(
                "--pidfile={}",
                switch.dir.file("ovs-vswitchd.pid").display()
            ))
            .arg(format!("--unixctl={}", ctl.display()))
            .arg(format!(
                "--log-file={}",
                switch.dir.log("ovs-vswitchd").display()
            ))
            .arg("--no-chdir")
            .start();
        let ready = vswitchd.wait_for_socket(&ctl);
        switch.vswitchd = Some(vswitchd);
        if let Err(e) = ready {
            panic!("real ovs-vswitchd did not start: {e}");
        }
        switch.add_bridge("br0");
        switch
    }

    /// The test's run directory (database, logs, `<bridge>.mgmt`).
    pub fn rundir(&self) -> &RunDir {
        &self.dir
    }

    /// The network namespace ovs-vswitchd runs in.
    pub fn netns(&self) -> &str {
        self.netns.as_deref().unwrap_or("")
    }

    /// ovs-vswitchd's process id (that of `ip netns exec`, which execs it).
    pub fn vswitchd_pid(&self) -> Option<u32> {
        self.vswitchd.as_ref().map(Daemon::pid)
    }

    /// ovsdb-server's process id.
    pub fn ovsdb_pid(&self) -> u32 {
        self.ovsdb.pid()
    }

    /// `<rundir>/<bridge>.mgmt`, the bridge's OpenFlow management socket;
    /// `ovs-ofctl` finds it from the bare bridge name when run with the
    /// rundir's environment, or from `unix:<this path>`.
    pub fn mgmt(&self, bridge: &str) -> PathBuf {
        self.dir.file(&format!("{bridge}.mgmt"))
    }

    /// `unix:<mgmt path>`, the bridge as an explicit ovs-ofctl target.
    pub fn mgmt_target(&self, bridge: &str) -> String {
        format!("unix:{}", self.mgmt(bridge).display())
    }

    /// Runs the real `ovs-vsctl --timeout=20 ARGS` against this switch's
    /// database and returns its stdout; panics if it fails. Without
    /// `--no-wait` it returns once ovs-vswitchd has applied the change.
    #[track_caller]
    pub fn vsctl(&self, args: &[&str]) -> String {
        run_ok(
            self.dir
                .command(real_ovs::OVS_VSCTL)
                .arg(format!("--timeout={VSCTL_TIMEOUT_SECS}"))
                .args(args),
        )
    }

    /// Runs the real `ovs-ofctl ARGS` with the rundir's environment, so a
    /// bare bridge name means this switch's bridge. It runs outside the
    /// namespace (the sockets are files), like any tool under test.
    #[track_caller]
    pub fn ofctl_real(&self, args: &[&str]) -> Output {
        run(self.dir.command(real_ovs::OVS_OFCTL).args(args))
    }

    /// A command for `program` that runs inside the switch's network
    /// namespace, in the rundir, with the rundir's `OVS_*DIR` environment.
    pub fn command(&self, program: impl AsRef<Path>) -> Command {
        let mut cmd = self.dir.command(IP);
        cmd.args(["netns", "exec", self.netns()])
            .arg(program.as_ref());
        cmd
    }

    /// A command for `program` with the rundir's environment, outside the
    /// namespace (the way the tools under test are run).
    pub fn tool(&self, program: impl AsRef<Path>) -> Command {
        self.dir.command(program)
    }

    /// Adds bridge `name` (at most 15 bytes): userspace datapath, every
    /// OpenFlow version, `fail_mode=secure` (so it starts with no flows), a
    /// fixed datapath ID and MAC address (`00:00:00:00:00:NN`, NN = 1 for the
    /// first bridge, then 2, ...), and internal ports 1..=3 named `p1`.. on
    /// `br0` and `<name>-pK` elsewhere, each with a fixed MAC. Returns once
    /// ovs-vswitchd has applied it and the bridge's management socket
    /// accepts connections.
    #[track_caller]
    pub fn add_bridge(&self, name: &str) {
        // Shared between the threads of one test, which may add bridges at once.
        let n = self.bridges.fetch_add(1, Ordering::Relaxed) + 1;
        let mut args: Vec<String> = vec![
            "--".into(),
            "add-br".into(),
            name.into(),
            "--".into(),
            "set".into(),
            "bridge".into(),
            name.into(),
            "datapath_type=netdev".into(),
            format!("protocols={ALL_PROTOCOLS}"),
            "fail_mode=secure".into(),
            format!("other-config:datapath-id={:016x}", n),
            format!("other-config:hwaddr=\"{}\"", bridge_mac(n)),
        ];
        for (port, ofport) in self.port_names(name).iter().zip(1u16..) {
            args.extend([
                "--".into(),
                "add-port".into(),
                name.into(),
                port.clone(),
                "--".into(),
                "set".into(),
                "interface".into(),
                port.clone(),
                "type=internal".into(),
                format!("ofport_request={ofport}"),
                format!("mac=\"{}\"", port_mac(n, ofport)),
            ]);
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        self.vsctl(&args);
        self.wait_for_mgmt(name);
    }

    /// The internal ports [`RealSwitch::add_bridge`] gives `bridge`, in
    /// OpenFlow port order (1, 2, 3). Panics if a name would be too long
    /// for a network device.
    #[track_caller]
    pub fn port_names(&self, bridge: &str) -> Vec<String> {
        match port_names(bridge) {
            Ok(names) => names,
            Err(e) => panic!("{e}"),
        }
    }

    /// Deletes bridge `name` and its ports, waiting until ovs-vswitchd has
    /// removed it.
    #[track_caller]
    pub fn del_bridge(&self, name: &str) {
        self.vsctl(&["del-br", name]);
    }

    /// Waits (bounded) until `<bridge>.mgmt` accepts connections.
    #[track_caller]
    pub fn wait_for_mgmt(&self, bridge: &str) {
        let path = self.mgmt(bridge);
        let what = format!("{} to accept connections", path.display());
        if let Err(e) = wait_until(DEFAULT_TIMEOUT, &what, || {
            UnixStream::connect(&path).is_ok()
        }) {
            let log = fs::read_to_string(self.dir.log("ovs-vswitchd")).unwrap_or_default();
            panic!("{e}\n--- ovs-vswitchd.log ---\n{log}");
        }
    }
}

/// OpenFlow header length.
const OFP_HEADER_LEN: usize = 8;

/// How long [`RealSwitch::raw_exchange`] waits for the switch's replies.
const RAW_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(20);

impl RealSwitch {
    /// Talks raw OpenFlow to `bridge`'s management socket: sends a hello for wire
    /// version `version` (0x01 = OpenFlow 1.0 .. 0x06 = OpenFlow 1.5), then
    /// `request` (one or more whole messages, built by the caller), then a barrier
    /// request, and returns every message the switch sent before the barrier
    /// reply, except its hello and echo requests. This is how tests get the exact
    /// bytes the real switch encodes (flow stats replies, group and meter
    /// descriptions, ...), independent of any ovs-ofctl.
    pub fn raw_exchange(
        &self,
        bridge: &str,
        version: u8,
        request: &[u8],
    ) -> Result<Vec<Vec<u8>>, String> {
        use std::io::{Read, Write};
        let path = self.mgmt(bridge);
        let mut sock = UnixStream::connect(&path)
            .map_err(|e| format!("connecting to {}: {e}", path.display()))?;
        sock.set_read_timeout(Some(RAW_TIMEOUT))
            .map_err(|e| format!("set_read_timeout: {e}"))?;
        let (barrier_request, barrier_reply) = if version == 1 { (18u8, 19u8) } else { (20, 21) };
        let barrier_xid: u32 = 0x7fff_fff0;
        let mut out = Vec::new();
        // Hello without elements: the switch settles on `version` if it has it.
        out.extend_from_slice(&[version, 0, 0, 8, 0, 0, 0, 0]);
        out.extend_from_slice(request);
        out.extend_from_slice(&[version, barrier_request, 0, 8]);
        out.extend_from_slice(&barrier_xid.to_be_bytes());
        sock.write_all(&out)
            .map_err(|e| format!("sending to {}: {e}", path.display()))?;
        let mut replies = Vec::new();
        loop {
            let mut header = [0u8; OFP_HEADER_LEN];
            sock.read_exact(&mut header)
                .map_err(|e| format!("reading from {}: {e}", path.display()))?;
            let len = usize::from(u16::from_be_bytes([header[2], header[3]]));
            if len < OFP_HEADER_LEN {
                return Err(format!("the switch sent a message of length {len}"));
            }
            let mut msg = header.to_vec();
            msg.resize(len, 0);
            sock.read_exact(&mut msg[OFP_HEADER_LEN..])
                .map_err(|e| format!("reading from {}: {e}", path.display()))?;
            let xid = u32::from_be_bytes([header[4], header[5], header[6], header[7]]);
            match header[1] {
                // hello, echo request
                0 | 2 => continue,
                t if t == barrier_reply && xid == barrier_xid => return Ok(replies),
                _ => replies.push(msg),
            }
        }
    }
}

impl Drop for RealSwitch {
    fn drop(&mut self) {
        // ovs-vswitchd first: while it runs, its devices keep the namespace
        // busy. Dropping the Daemon kills and reaps it.
        drop(self.vswitchd.take());
        if let Some(ns) = self.netns.take() {
            if let Err(e) = delete_netns(&ns) {
                eprintln!("testkit: {e}");
            }
        }
        // ovsdb-server, then the directory, drop as fields.
    }
}

/// `p1`.. on `br0`, `<bridge>-pK` elsewhere; an error if the bridge's or a
/// port's name is too long for a network device.
fn port_names(bridge: &str) -> Result<Vec<String>, String> {
    let names: Vec<String> = (1..=PORTS_PER_BRIDGE)
        .map(|k| {
            if bridge == "br0" {
                format!("p{k}")
            } else {
                format!("{bridge}-p{k}")
            }
        })
        .collect();
    for n in std::iter::once(bridge).chain(names.iter().map(String::as_str)) {
        if n.len() > IFNAMSIZ_MAX {
            return Err(format!(
                "\"{n}\" is longer than {IFNAMSIZ_MAX} bytes, too long for a network device"
            ));
        }
    }
    Ok(names)
}

/// `00:00:00:00:00:NN` for the Nth bridge.
fn bridge_mac(n: u16) -> String {
    format!("00:00:00:00:{:02x}:{:02x}", n >> 8, n & 0xff)
}

/// A locally administered MAC for port `ofport` of the Nth bridge.
fn port_mac(n: u16, ofport: u16) -> String {
    format!("02:00:00:{:02x}:{:02x}:{:02x}", n >> 8, n & 0xff, ofport)
}

/// Whether namespace `name` exists.
pub fn netns_exists(name: &str) -> bool {
    Path::new(NETNS_DIR).join(name).exists()
}

/// Creates a namespace with a name no other live test uses, after deleting
/// those left by test processes that no longer run.
#[track_caller]
fn create_netns() -> String {
    let _guard = NETNS_LOCK.lock().unwrap_or_else(|p| p.into_inner());
    remove_orphaned_netns();
    let name = format!(
        "{NETNS_PREFIX}{}-{}",
        std::process::id(),
        NETNS_COUNTER.fetch_add(1, Ordering::Relaxed)
    );
    // Left over from an earlier process that had our pid.
    if netns_exists(&name) {
        let _ = run(Command::new(IP).args(["netns", "del", &name]));
    }
    let out = run(Command::new(IP).args(["netns", "add", &name]));
    if !out.success() {
        panic!(
            "ip netns add {name} failed ({}): {}\n(the real switch needs root or CAP_SYS_ADMIN)",
            out.status, out.stderr
        );
    }
    name
}

fn delete_netns(name: &str) -> Result<(), String> {
    let _guard = NETNS_LOCK.lock().unwrap_or_else(|p| p.into_inner());
    let out = run(Command::new(IP).args(["netns", "del", name]));
    if out.success() {
        Ok(())
    } else {
        Err(format!(
            "ip netns del {name} failed ({}): {}",
            out.status, out.stderr
        ))
    }
}

/// Deletes `oxvs-sw-<pid>-*` namespaces whose process has gone (a test
/// binary killed before its drops ran).
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Flows of a bridge as dump-flows prints them, without the counters
    /// that change with time.
    fn flows(sw: &RealSwitch, args: &[&str]) -> String {
        let out = sw.ofctl_real(args);
        assert!(out.success(), "{args:?}: {}", out.stderr);
        out.stdout
    }

    #[test]
    fn starts_with_br0_and_its_ports_and_no_flows() {
        let sw = RealSwitch::start("real_switch_starts");
        assert!(sw.mgmt("br0").starts_with(sw.rundir().path()));
        assert!(netns_exists(sw.netns()), "{}", sw.netns());

        let show = flows(&sw, &["show", "br0"]);
        assert!(show.contains("dpid:0000000000000001"), "{show}");
        assert!(show.contains(" 1(p1): addr:02:00:00:00:01:01"), "{show}");
        assert!(show.contains(" 2(p2): addr:02:00:00:00:01:02"), "{show}");
        assert!(show.contains(" 3(p3): addr:02:00:00:00:01:03"), "{show}");
        assert!(
            show.contains(" LOCAL(br0): addr:00:00:00:00:00:01"),
            "{show}"
        );

        // fail_mode=secure: not even the NORMAL flow.
        let dump = flows(&sw, &["--no-stats", "dump-flows", "br0"]);
        assert_eq!(dump, "", "{dump}");

        // Every version is accepted.
        for v in ALL_PROTOCOLS.split(',') {
            let out = sw.ofctl_real(&["-O", v, "dump-flows", "br0"]);
            assert!(out.success(), "{v}: {}", out.stderr);
        }

        // The bridge's devices are inside the namespace, not outside.
        let inside = run_ok(sw.command(IP).args(["-o", "link", "show"]));
        assert!(inside.contains(": br0:"), "{inside}");
        assert!(inside.contains(": p3:"), "{inside}");
        assert!(sw.vsctl(&["list-ports", "br0"]) == "p1\np2\np3\n");
    }

    #[test]
    fn flows_added_with_the_real_ofctl_are_dumped() {
        let sw = RealSwitch::start("real_switch_add_flow");
        let out = sw.ofctl_real(&[
            "add-flow",
            "br0",
            "table=3,priority=7,tcp,in_port=2,tp_dst=80,actions=output:1",
        ]);
        assert!(out.success(), "{}", out.stderr);
        let dump = flows(&sw, &["--no-stats", "dump-flows", "br0"]);
        assert_eq!(
            dump,
            " table=3, priority=7,tcp,in_port=2,tp_dst=80 actions=output:1\n"
        );
        // The explicit unix: target reaches the same bridge.
        let dump2 = flows(&sw, &["--no-stats", "dump-flows", &sw.mgmt_target("br0")]);
        assert_eq!(dump2, dump);
        // A bridge that does not exist is an error, as for any tool.
        let out = sw.ofctl_real(&["dump-flows", "nosuchbr"]);
        assert!(!out.success());
    }

    #[test]
    fn more_bridges_get_their_own_ids_and_go_away() {
        let sw = RealSwitch::start("real_switch_bridges");
        sw.add_bridge("b2");
        let show = flows(&sw, &["show", "b2"]);
        assert!(show.contains("dpid:0000000000000002"), "{show}");
        assert!(show.contains(" 1(b2-p1): addr:02:00:00:00:02:01"), "{show}");
        assert!(
            show.contains(" LOCAL(b2): addr:00:00:00:00:00:02"),
            "{show}"
        );
        // Flows are per bridge.
        let out = sw.ofctl_real(&["add-flow", "b2", "actions=drop"]);
        assert!(out.success(), "{}", out.stderr);
        assert_eq!(flows(&sw, &["--no-stats", "dump-flows", "br0"]), "");
        sw.del_bridge("b2");
        assert!(!sw.ofctl_real(&["show", "b2"]).success());
        // Re-adding gives a fresh, empty bridge.
        sw.add_bridge("b2");
        assert_eq!(flows(&sw, &["--no-stats", "dump-flows", "b2"]), "");
    }

    #[test]
    fn drop_kills_the_daemons_and_deletes_the_namespace() {
        let sw = RealSwitch::start("real_switch_drop");
        let ns = sw.netns().to_string();
        let pids = [sw.vswitchd_pid().unwrap(), sw.ovsdb_pid()];
        let dir = sw.rundir().path().to_path_buf();
        assert!(netns_exists(&ns));
        drop(sw);
        assert!(!netns_exists(&ns), "{ns} still exists");
        let listed = run_ok(Command::new(IP).args(["netns", "list"]));
        assert!(
            !listed
                .lines()
                .any(|l| l.split_whitespace().next() == Some(ns.as_str())),
            "{listed}"
        );
        for pid in pids {
            assert!(
                !Path::new(&format!("/proc/{pid}")).exists(),
                "pid {pid} still runs"
            );
        }
        assert!(!dir.exists() || std::env::var_os(crate::rundir::KEEP_ENV).is_some());
    }

    #[test]
    fn drop_cleans_up_when_the_test_panics() {
        let captured: Mutex<Option<(String, u32)>> = Mutex::new(None);
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let sw = RealSwitch::start("real_switch_panic");
            *captured.lock().unwrap() = Some((sw.netns().to_string(), sw.vswitchd_pid().unwrap()));
            panic!("the test fails");
        }));
        assert!(result.is_err());
        let (ns, pid) = captured.lock().unwrap().clone().unwrap();
        assert!(!netns_exists(&ns), "{ns} survived the panic");
        assert!(!Path::new(&format!("/proc/{pid}")).exists());
    }

    #[test]
    fn raw_exchange_returns_the_switchs_own_bytes() {
        let sw = RealSwitch::start("real_switch_raw");
        // OpenFlow 1.3 features request (type 5), xid 9.
        let replies = sw
            .raw_exchange("br0", 4, &[4, 5, 0, 8, 0, 0, 0, 9])
            .unwrap();
        assert_eq!(replies.len(), 1, "{replies:?}");
        let reply = &replies[0];
        // OFPT_FEATURES_REPLY (6), 32 bytes, our xid, datapath id 1.
        assert_eq!(&reply[..8], &[4, 6, 0, 32, 0, 0, 0, 9]);
        assert_eq!(&reply[8..16], &[0, 0, 0, 0, 0, 0, 0, 1]);
        // A request the switch does not know gets an error back.
        let replies = sw
            .raw_exchange("br0", 1, &[1, 0xee, 0, 8, 0, 0, 0, 3])
            .unwrap();
        assert_eq!(replies.len(), 1);
        assert_eq!(replies[0][1], 1, "an OFPT_ERROR: {:?}", replies[0]);
    }

    #[test]
    fn names_and_addresses() {
        assert_eq!(port_names("br0").unwrap(), ["p1", "p2", "p3"]);
        assert_eq!(port_names("b7").unwrap(), ["b7-p1", "b7-p2", "b7-p3"]);
        let e = port_names("abcdefghijklm").unwrap_err();
        assert!(
            e.contains("\"abcdefghijklm-p1\" is longer than 15 bytes"),
            "{e}"
        );
        assert!(port_names("abcdefghijklmnop").is_err());
        assert_eq!(bridge_mac(2), "00:00:00:00:00:02");
        assert_eq!(bridge_mac(0x1ff), "00:00:00:00:01:ff");
        assert_eq!(port_mac(1, 3), "02:00:00:00:01:03");
    }
}
