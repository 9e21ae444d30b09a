//! The real Open vSwitch as an oracle: ovsdb-server and ovs-vswitchd
//! (`--enable-dummy`) in a private rundir with bridge br0 on the dummy
//! datapath, dummy port p1 (OpenFlow port 1) whose received frames are
//! captured to a pcap file, and dummy port p2 (port 2) whose sent frames
//! are.

use std::path::Path;

use testkit::real_ovs::{OVS_APPCTL, OVS_OFCTL, OVS_VSCTL, OVS_VSWITCHD, VSWITCH_SCHEMA};
use testkit::{
    require_real_ovs, run, run_ok, start_real_ovsdb_server, wait_until, Daemon, RunDir,
    DEFAULT_TIMEOUT,
};

use super::verify::hex;

/// The real ovsdb-server and ovs-vswitchd (`--enable-dummy`) with bridge
/// br0 on the dummy datapath and dummy port p1 = OpenFlow port 1. Dropping
/// it stops both daemons (Daemon's Drop), also on panic.
pub struct DummySwitch {
    // Drop order: vswitchd first, then the database, then the directory.
    _vswitchd: Daemon,
    _ovsdb: Daemon,
    dir: RunDir,
}

impl DummySwitch {
    pub fn start(test: &str) -> DummySwitch {
        require_real_ovs();
        let dir = RunDir::new(test);
        let ovsdb = start_real_ovsdb_server(&dir, &dir.conf_db(), Some(Path::new(VSWITCH_SCHEMA)));
        run_ok(dir.command(OVS_VSCTL).args(["--no-wait", "init"]));
        let ctl = dir.file("ovs-vswitchd.ctl");
        let mut vswitchd = Daemon::builder(&dir, OVS_VSWITCHD)
            .name("ovs-vswitchd")
            .arg("--enable-dummy")
            .arg(format!("unix:{}", dir.db_sock().display()))
            .arg(format!("--unixctl={}", ctl.display()))
            .arg(format!("--log-file={}", dir.log("ovs-vswitchd").display()))
            .arg("--no-chdir")
            .start();
        if let Err(e) = vswitchd.wait_for_socket(&ctl) {
            panic!("real ovs-vswitchd did not start: {e}");
        }
        // Without --no-wait, vsctl returns once ovs-vswitchd applied it.
        run_ok(dir.command(OVS_VSCTL).args([
            "--timeout=20",
            "add-br",
            "br0",
            "--",
            "set",
            "bridge",
            "br0",
            "datapath_type=dummy",
            "fail_mode=secure",
            "protocols=OpenFlow10,OpenFlow13",
            "--",
            "add-port",
            "br0",
            "p1",
            "--",
            "set",
            "interface",
            "p1",
            "type=dummy",
            "ofport_request=1",
            &format!("options:rxq_pcap={}", dir.file("p1-rx.pcap").display()),
            "--",
            "add-port",
            "br0",
            "p2",
            "--",
            "set",
            "interface",
            "p2",
            "type=dummy",
            "ofport_request=2",
            &format!("options:tx_pcap={}", dir.file("p2-tx.pcap").display()),
        ]));
        DummySwitch {
            _vswitchd: vswitchd,
            _ovsdb: ovsdb,
            dir,
        }
    }

    /// The reference's "Flow:" line for `frame` arriving on port 1, minus
    /// what our key has no room for (second VLAN TCI and second/third MPLS
    /// entries).
    pub fn trace_flow(&self, frame: &[u8]) -> String {
        let ctl = self.dir.file("ovs-vswitchd.ctl");
        let out = run(self.dir.command(OVS_APPCTL).args([
            "-t".as_ref(),
            ctl.as_os_str(),
            "ofproto/trace".as_ref(),
            "br0".as_ref(),
            "in_port=1".as_ref(),
            hex(frame).as_ref(),
        ]));
        assert!(
            out.success(),
            "ofproto/trace failed for {}: {out:?}",
            hex(frame)
        );
        let line = out
            .stdout
            .lines()
            .find_map(|l| l.strip_prefix("Flow: "))
            .unwrap_or_else(|| panic!("no Flow: line in trace output {:?}", out.stdout));
        line.split(',')
            .filter(|item| !item.starts_with("vlan_tci1=") && !item.starts_with("mpls_lse"))
            .collect::<Vec<_>>()
            .join(",")
    }

    /// Injects the packet the reference composes from datapath flow `odp`
    /// on dummy port p1 (`netdev-dummy/receive p1 FLOW`).
    pub fn receive_flow(&self, odp: &str) {
        let ctl = self.dir.file("ovs-vswitchd.ctl");
        let out = run(self.dir.command(OVS_APPCTL).args([
            "-t".as_ref(),
            ctl.as_os_str(),
            "netdev-dummy/receive".as_ref(),
            "p1".as_ref(),
            odp.as_ref(),
        ]));
        assert!(
            out.success(),
            "netdev-dummy/receive p1 {odp} failed: {out:?}"
        );
    }

    /// Replaces br0's OpenFlow table with `flow` and empties the datapath
    /// flow table, so the next packet is translated with `flow`.
    pub fn set_flow(&self, flow: &str) {
        let of13 = "-OOpenFlow13";
        run_ok(self.dir.command(OVS_OFCTL).args([of13, "del-flows", "br0"]));
        run_ok(
            self.dir
                .command(OVS_OFCTL)
                .args([of13, "add-flow", "br0", flow]),
        );
        let ctl = self.dir.file("ovs-vswitchd.ctl");
        run_ok(self.dir.command(OVS_APPCTL).args([
            "-t".as_ref(),
            ctl.as_os_str(),
            "dpctl/del-flows".as_ref(),
        ]));
    }

    /// Injects `frame` on p1 (`netdev-dummy/receive p1 HEX`).
    pub fn receive_frame(&self, frame: &[u8]) {
        let ctl = self.dir.file("ovs-vswitchd.ctl");
        run_ok(self.dir.command(OVS_APPCTL).args([
            "-t".as_ref(),
            ctl.as_os_str(),
            "netdev-dummy/receive".as_ref(),
            "p1".as_ref(),
            hex(frame).as_ref(),
        ]));
    }

    /// Waits (bounded) until p2's send capture holds `n` frames; returns them.
    pub fn sent_frames(&self, n: usize) -> Vec<Vec<u8>> {
        self.captured("p2-tx.pcap", n)
    }

    /// Waits (bounded) until p1's receive capture holds `n` frames and
    /// returns them in order.
    pub fn received_frames(&self, n: usize) -> Vec<Vec<u8>> {
        self.captured("p1-rx.pcap", n)
    }

    fn captured(&self, file: &str, n: usize) -> Vec<Vec<u8>> {
        let path = self.dir.file(file);
        let mut frames = Vec::new();
        let r = wait_until(
            DEFAULT_TIMEOUT,
            "the port's pcap to hold the frames",
            || {
                frames = std::fs::read(&path)
                    .map(|b| pcap_frames(&b))
                    .unwrap_or_default();
                frames.len() >= n
            },
        );
        if let Err(e) = r {
            panic!("{e} (have {} of {n})", frames.len());
        }
        frames
    }
}

/// The frames of a little-endian pcap file (24-byte file header, 16-byte
/// record headers); a record cut short at the end is left out.
fn pcap_frames(b: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut off = 24;
    while let Some(h) = b.get(off..off + 16) {
        let incl = u32::from_le_bytes([h[8], h[9], h[10], h[11]]) as usize;
        let Some(f) = b.get(off + 16..off + 16 + incl) else {
            break;
        };
        out.push(f.to_vec());
        off += 16 + incl;
    }
    out
}
