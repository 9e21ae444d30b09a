//! Reconfiguration from the database, end to end: our ovsdb-server, our
//! ovs-vswitchd `--enable-dummy`, our ovs-vsctl. `ovs-vsctl` without `--no-wait`
//! returns only when the switch has copied `next_cfg` to `cur_cfg`, so every
//! successful command below proves that write-back.

mod common;

use common::{fds_and_rss, Switch};

#[test]
fn add_port_reaches_cur_cfg_and_writes_back() {
    let sw = Switch::start("add_port_writes_back");
    sw.add_dummy_bridge("br0");
    sw.vsctl(&[
        "add-port",
        "br0",
        "p1",
        "--",
        "set",
        "interface",
        "p1",
        "type=dummy",
        "ofport_request=1",
    ]);
    assert_eq!(sw.get("Interface", "p1", "ofport"), "1");
    assert_eq!(sw.get("Interface", "br0", "ofport"), "65534");
    assert_eq!(
        sw.get("Open_vSwitch", ".", "cur_cfg"),
        sw.get("Open_vSwitch", ".", "next_cfg")
    );
    let dpid = sw.get("Bridge", "br0", "datapath_id");
    let dpid = dpid.trim_matches('"');
    assert_eq!(dpid.len(), 16, "{dpid}");
    assert!(
        u64::from_str_radix(dpid, 16).is_ok_and(|d| d != 0),
        "{dpid}"
    );
    assert_eq!(
        sw.get("Bridge", "br0", "datapath_version"),
        "\"<built-in>\""
    );
    // The bridge's MAC is its local port's MAC and the low 48 bits of its datapath ID.
    let mac = sw
        .get("Interface", "br0", "mac_in_use")
        .replace(['"', ':'], "");
    assert_eq!(&dpid[4..], mac);
    assert_eq!(sw.get("Interface", "p1", "link_state"), "up");
    assert_eq!(sw.get("Interface", "p1", "admin_state"), "up");
    assert_eq!(sw.get("Interface", "p1", "mtu"), "1500");
    assert!(sw
        .get("Interface", "p1", "statistics")
        .contains("rx_packets=0"));
    assert_eq!(sw.get("Interface", "p1", "error"), "[]");
    let types = sw.get("Open_vSwitch", ".", "datapath_types");
    assert!(
        types.contains("dummy") && types.contains("netdev"),
        "{types}"
    );
    let ifaces = sw.get("Open_vSwitch", ".", "iface_types");
    assert!(
        ifaces.contains("internal") && ifaces.contains("patch"),
        "{ifaces}"
    );
    assert_eq!(sw.get("Open_vSwitch", ".", "dpdk_initialized"), "false");
    let log = sw.log();
    assert!(
        log.contains("bridge br0: added interface p1 on port 1"),
        "{log}"
    );

    // Removing it frees the number and is logged.
    sw.vsctl(&["del-port", "br0", "p1"]);
    assert!(sw
        .log()
        .contains("bridge br0: deleted interface p1 on port 1"));
    assert_eq!(sw.appctl(&["ofproto/list"]), "br0\n");
    sw.vsctl(&["del-br", "br0"]);
    assert_eq!(sw.appctl(&["ofproto/list"]), "");
}

#[test]
fn conflicting_ofport_requests() {
    let sw = Switch::start("conflicting_ofport_requests");
    sw.add_dummy_bridge("br0");
    sw.vsctl(&[
        "add-port",
        "br0",
        "p1",
        "--",
        "set",
        "interface",
        "p1",
        "type=dummy",
        "ofport_request=1",
    ]);
    sw.vsctl(&[
        "add-port",
        "br0",
        "p2",
        "--",
        "set",
        "interface",
        "p2",
        "type=dummy",
        "ofport_request=1",
    ]);
    // The first holder keeps the number; the second gets the next free one (as the
    // real switch does), and keeps it across unrelated reconfigurations.
    assert_eq!(sw.get("Interface", "p1", "ofport"), "1");
    assert_eq!(sw.get("Interface", "p2", "ofport"), "2");
    sw.vsctl(&[
        "add-port",
        "br0",
        "p3",
        "--",
        "set",
        "interface",
        "p3",
        "type=dummy",
    ]);
    assert_eq!(sw.get("Interface", "p2", "ofport"), "2");
    assert_eq!(sw.get("Interface", "p3", "ofport"), "3");
    // A changed request moves the port; once p1 is gone, 1 is free for p2.
    sw.vsctl(&["set", "interface", "p3", "ofport_request=10"]);
    assert_eq!(sw.get("Interface", "p3", "ofport"), "10");
    sw.vsctl(&["del-port", "p1"]);
    sw.vsctl(&["set", "interface", "p2", "ofport_request=1"]);
    assert_eq!(sw.get("Interface", "p2", "ofport"), "1");
}

#[test]
fn unknown_interface_type_reports_the_reason() {
    let sw = Switch::start("unknown_interface_type");
    sw.add_dummy_bridge("br0");
    let out = sw.vsctl_output(&[
        "add-port",
        "br0",
        "p3",
        "--",
        "set",
        "interface",
        "p3",
        "type=bogus",
    ]);
    // What the real switch answers (checked with Open vSwitch 3.1).
    let reason = "could not open network device p3 (Address family not supported by protocol)";
    // ovs-vsctl reports the problem on stderr but still succeeds, like the real one.
    assert!(out.success(), "{}", out.stderr);
    assert!(
        out.stderr
            .contains(&format!("Error detected while setting up 'p3': {reason}")),
        "{}",
        out.stderr
    );
    assert_eq!(sw.get("Interface", "p3", "ofport"), "-1");
    assert_eq!(sw.get("Interface", "p3", "error"), format!("\"{reason}\""));
    // Fixing the type brings it up and clears the error.
    sw.vsctl(&["set", "interface", "p3", "type=dummy"]);
    assert_eq!(sw.get("Interface", "p3", "error"), "[]");
    assert_eq!(sw.get("Interface", "p3", "ofport"), "1");
}

#[test]
fn ports_added_and_removed_in_a_loop_do_not_leak() {
    let sw = Switch::start("ports_loop");
    sw.add_dummy_bridge("br0");
    let cycle = |i: usize| {
        let name = format!("lp{i}");
        sw.vsctl(&[
            "add-port",
            "br0",
            &name,
            "--",
            "set",
            "interface",
            &name,
            "type=dummy",
        ]);
        sw.vsctl(&["del-port", "br0", &name]);
    };
    for i in 0..20 {
        cycle(i);
    }
    let (fds0, rss0) = fds_and_rss(sw.pid());
    for i in 20..200 {
        cycle(i);
    }
    let (fds1, rss1) = fds_and_rss(sw.pid());
    assert!(
        fds0 > 0 && rss0 > 0,
        "cannot read /proc for pid {}",
        sw.pid()
    );
    assert!(fds1 <= fds0 + 2, "descriptors grew from {fds0} to {fds1}");
    assert!(
        rss1 <= rss0 + 8 * 1024,
        "RSS grew from {rss0} kB to {rss1} kB"
    );
    // Every port went away; like the reference, numbers freed within the hour
    // are not handed out again while others are left: the next one is 201.
    sw.vsctl(&[
        "add-port",
        "br0",
        "last",
        "--",
        "set",
        "interface",
        "last",
        "type=dummy",
    ]);
    assert_eq!(sw.get("Interface", "last", "ofport"), "201");
    let mem = sw.appctl(&["memory/show"]);
    assert!(mem.contains("ports:2"), "{mem}");
}

#[test]
fn bridge_serves_openflow_and_datapath_commands() {
    let sw = Switch::start("bridge_openflow");
    sw.add_dummy_bridge("br0");
    sw.vsctl(&[
        "add-port",
        "br0",
        "p1",
        "--",
        "set",
        "interface",
        "p1",
        "type=dummy",
        "ofport_request=1",
    ]);
    // The management socket answers the real ovs-ofctl: standalone fail mode with no
    // controller shows the NORMAL flow.
    let out = testkit::run(
        sw.dir
            .command(testkit::real_ovs::OVS_OFCTL)
            .arg("dump-flows")
            .arg("br0"),
    );
    assert!(out.success(), "{}", out.stderr);
    assert!(
        out.stdout.contains("priority=0 actions=NORMAL"),
        "{}",
        out.stdout
    );
    let out = testkit::run(
        sw.dir
            .command(testkit::real_ovs::OVS_OFCTL)
            .arg("show")
            .arg("br0"),
    );
    assert!(out.stdout.contains(" 1(p1): addr:"), "{}", out.stdout);
    assert!(out.stdout.contains(" LOCAL(br0): addr:"), "{}", out.stdout);
    // The datapath has the port.
    let show = sw.appctl(&["dpctl/show"]);
    assert!(show.starts_with("dummy@ovs-dummy:\n"), "{show}");
    assert!(show.contains(": p1 (dummy)\n"), "{show}");
    let dpif = sw.appctl(&["dpif/show"]);
    assert!(dpif.contains("    p1 1/"), "{dpif}");
    let flows = sw.appctl(&["bridge/dump-flows", "br0"]);
    assert!(flows.contains("priority=0,actions=NORMAL"), "{flows}");
    // A packet-out from the real ovs-ofctl leaves through p1.
    let frame = format!(
        "ffffffffffff505400000001{}",
        "0800".to_owned() + &"00".repeat(46)
    );
    let out = testkit::run(sw.dir.command(testkit::real_ovs::OVS_OFCTL).args([
        "packet-out",
        "br0",
        "none",
        "output:1",
        &frame,
    ]));
    assert!(out.success(), "{}", out.stderr);
    sw.wait("p1 to count the packet-out", || {
        sw.appctl(&["dpctl/show", "-s"])
            .split("port ")
            .any(|p| p.starts_with("1: p1 ") && p.contains("TX packets:1 "))
    });
    // Removing the port removes it from OpenFlow too.
    sw.vsctl(&["del-port", "p1"]);
    let out = testkit::run(
        sw.dir
            .command(testkit::real_ovs::OVS_OFCTL)
            .arg("show")
            .arg("br0"),
    );
    assert!(!out.stdout.contains("(p1)"), "{}", out.stdout);
    assert!(!sw.appctl(&["dpctl/show"]).contains("p1"));
}

#[test]
fn controller_status_is_written_back() {
    let sw = Switch::start("controller_status");
    sw.add_dummy_bridge("br0");
    // Nothing listens on port 1: the reference reports the refusal and backs off.
    sw.vsctl(&["set-controller", "br0", "tcp:127.0.0.1:1"]);
    let column = |c: &str| {
        sw.vsctl(&[
            "--no-wait",
            "--bare",
            &format!("--columns={c}"),
            "list",
            "Controller",
        ])
        .trim()
        .to_owned()
    };
    sw.wait("the controller's status", || {
        let st = column("status");
        st.contains("last_error=Connection refused") && st.contains("state=BACKOFF")
    });
    assert_eq!(column("is_connected"), "false");
    // With a controller configured, standalone mode no longer adds its own flow
    // once it is set up; removing the controller brings NORMAL back.
    sw.vsctl(&["del-controller", "br0"]);
    let flows = sw.appctl(&["bridge/dump-flows", "br0"]);
    assert!(flows.contains("actions=NORMAL"), "{flows}");
}

#[test]
fn statistics_are_refreshed_periodically() {
    let sw = Switch::start("statistics_refresh");
    sw.add_dummy_bridge("br0");
    sw.vsctl(&[
        "add-port",
        "br0",
        "p1",
        "--",
        "set",
        "interface",
        "p1",
        "type=dummy",
        "ofport_request=1",
    ]);
    assert!(sw
        .get("Interface", "p1", "statistics")
        .contains("rx_packets=0"));
    // A 60-byte broadcast frame received on p1.
    let frame = format!(
        "ffffffffffff505400000001{}",
        "0800".to_owned() + &"00".repeat(46)
    );
    sw.appctl(&["netdev-dummy/receive", "p1", &frame]);
    sw.wait(
        "rx_packets=1 in Interface statistics (written every 5 s)",
        || {
            let st = sw.get("Interface", "p1", "statistics");
            st.contains("rx_packets=1") && st.contains("rx_bytes=60")
        },
    );
}

/// `Cpus_allowed_list` of the switch's thread named `comm`, if it runs.
fn thread_cpus(pid: u32, comm: &str) -> Option<String> {
    testkit::thread_cpus(&pid.to_string(), comm)
}

#[test]
fn pmd_cpu_mask_moves_the_poll_thread() {
    let sw = Switch::start("pmd_cpu_mask");
    sw.add_dummy_bridge("br0");
    let pid = sw.pid();
    let thread = "pmd-ovs-dummy";
    // The dummy datapath's thread is not pinned by default: it may use what
    // the process may.
    let all = thread_cpus(pid, "ovs-vswitchd").expect("main thread");
    sw.wait("poll thread on every allowed CPU", || {
        thread_cpus(pid, thread).as_deref() == Some(all.as_str())
    });
    // Pin it to the highest CPU the process may use (a mask of one bit).
    let highest: usize = all
        .split(',')
        .filter_map(|r| r.rsplit('-').next()?.parse().ok())
        .max()
        .expect("a CPU");
    let mask = format!("other_config:pmd-cpu-mask={:x}", 1u128 << highest);
    sw.vsctl(&["set", "Open_vSwitch", ".", &mask]);
    sw.wait("poll thread pinned by pmd-cpu-mask", || {
        thread_cpus(pid, thread) == Some(highest.to_string())
    });
    // A mask that is not hexadecimal is reported and restores the default.
    sw.vsctl(&["set", "Open_vSwitch", ".", "other_config:pmd-cpu-mask=xyz"]);
    sw.wait("bad mask logged", || {
        sw.log().contains("invalid pmd-cpu-mask \"xyz\"")
    });
    sw.wait("poll thread back on every CPU", || {
        thread_cpus(pid, thread).as_deref() == Some(all.as_str())
    });
    sw.vsctl(&["set", "Open_vSwitch", ".", &mask]);
    sw.wait("pinned again", || {
        thread_cpus(pid, thread) == Some(highest.to_string())
    });
    // A mask of CPUs the process may not use is refused the same way.
    let beyond = format!("{:x}", 1u128 << 127);
    sw.vsctl(&[
        "set",
        "Open_vSwitch",
        ".",
        &format!("other_config:pmd-cpu-mask={beyond}"),
    ]);
    sw.wait("unusable mask logged", || {
        sw.log()
            .contains(&format!("pmd-cpu-mask \"{beyond}\" names no CPU"))
    });
    sw.wait(
        "poll thread back on every CPU after an unusable mask",
        || thread_cpus(pid, thread).as_deref() == Some(all.as_str()),
    );
    sw.vsctl(&["set", "Open_vSwitch", ".", &mask]);
    sw.wait("pinned once more", || {
        thread_cpus(pid, thread) == Some(highest.to_string())
    });
    sw.vsctl(&[
        "remove",
        "Open_vSwitch",
        ".",
        "other_config",
        "pmd-cpu-mask",
    ]);
    sw.wait("poll thread unpinned when the key is removed", || {
        thread_cpus(pid, thread).as_deref() == Some(all.as_str())
    });
    // The switch still forwards.
    assert!(sw.appctl(&["dpctl/show"]).contains("ovs-dummy"));
}
