//! What the Interface rows and OpenFlow ports say about `system` ports (veths)
//! and the bridge's own port, compared between the real switch and ours:
//!
//! - after the same traffic, the same `statistics` keys (counters normalised
//!   to "0" or ">0"), `link_speed`, `duplex`, `admin_state`, `link_state`,
//!   `mtu` and `mac_in_use`;
//! - when a device changes (down, up, deleted, re-created under the same
//!   name), the database and `ovs-ofctl show` follow it promptly, and a
//!   controller-style connection gets a port-status with the new state;
//! - when the bridge's `other-config:hwaddr` changes, the local port (the
//!   TAP device, its OpenFlow port and `mac_in_use`) takes the new MAC.
//!
//! Every scenario runs against the real Open vSwitch first (proving the
//! scenario) and then ours, and the normalised results must be equal.

use std::time::Duration;

use testkit::switch_lab::wait_for;
use testkit::{real_ovs, Daemon, Flavor, Host, HostOptions, SwitchLab};

/// Device changes must show within this time (the reference polls too).
const PROMPT: Duration = Duration::from_secs(10);
/// Interface.statistics are refreshed every 5 s by both switches.
const STATS_WAIT: Duration = Duration::from_secs(15);

fn vsctl(lab: &SwitchLab, args: &[&str]) -> String {
    let out = lab.tool_output_with(std::path::Path::new(real_ovs::OVS_VSCTL), args);
    assert!(
        out.success(),
        "{:?}: ovs-vsctl {args:?}: {}\n{}",
        lab.flavor(),
        out.stderr,
        lab.log()
    );
    out.stdout
}

fn ofctl_show(lab: &SwitchLab) -> String {
    let out = lab.tool_output_with(std::path::Path::new(real_ovs::OVS_OFCTL), &["show", "br0"]);
    assert!(out.success(), "{:?}: {}", lab.flavor(), out.stderr);
    out.stdout
}

fn get(lab: &SwitchLab, iface: &str, column: &str) -> String {
    vsctl(lab, &["get", "interface", iface, column])
        .trim()
        .to_owned()
}

/// `{a=1, b=0}` -> `{a=>0, b=0}`.
fn normalise_counters(map: &str) -> String {
    let body = map.trim().trim_start_matches('{').trim_end_matches('}');
    let items: Vec<String> = body
        .split(", ")
        .filter(|kv| !kv.is_empty())
        .map(|kv| match kv.split_once('=') {
            Some((k, v)) if v.parse::<u64>().is_ok_and(|n| n > 0) => format!("{k}=>0"),
            Some((k, _)) => format!("{k}=0"),
            None => kv.to_owned(),
        })
        .collect();
    format!("{{{}}}", items.join(", "))
}

/// A bridge with fixed datapath ID and MAC.
fn bridge(lab: &SwitchLab) {
    vsctl(
        lab,
        &[
            "add-br",
            "br0",
            "--",
            "set",
            "bridge",
            "br0",
            "datapath_type=netdev",
            "other-config:datapath-id=00000000000000b1",
            "other-config:hwaddr=\"02:00:00:00:00:b1\"",
        ],
    );
}

/// Host `n` on port `p<n>` (ofport n), fixed MACs, no IPv6 chatter.
fn host(lab: &mut SwitchLab, n: u8) -> Host {
    let host = lab.add_host_with(
        &format!("h{n}"),
        &format!("10.4.0.{n}/24"),
        &HostOptions {
            port: Some(format!("p{n}")),
            port_mac: Some(format!("02:00:00:00:0{n}:00")),
            mac: Some(format!("02:00:00:00:0{n}:0{n}")),
            no_ipv6: true,
        },
    );
    vsctl(
        lab,
        &[
            "add-port",
            "br0",
            &host.port,
            "--",
            "set",
            "interface",
            &host.port,
            &format!("ofport_request={n}"),
        ],
    );
    host
}

/// (`link_resets` is left out: the reference counts several resets per
/// carrier change, ours one.)
const COLUMNS: [&str; 7] = [
    "admin_state",
    "link_state",
    "link_speed",
    "duplex",
    "mtu",
    "mac_in_use",
    "ofport",
];

fn columns(lab: &SwitchLab, iface: &str) -> String {
    let mut out = String::new();
    for c in COLUMNS {
        out.push_str(&format!("{iface} {c}={}\n", get(lab, iface, c)));
    }
    let ifindex = get(lab, iface, "ifindex");
    let ifindex = match ifindex.parse::<u64>() {
        Ok(0) => "0",
        Ok(_) => "present",
        Err(_) => ifindex.as_str(),
    };
    out.push_str(&format!("{iface} ifindex={ifindex}\n"));
    out
}

fn traffic_scenario(flavor: Flavor) -> String {
    let mut lab = SwitchLab::start("iface_columns", flavor);
    bridge(&lab);
    let h1 = host(&mut lab, 1);
    let h2 = host(&mut lab, 2);
    // The bridge's own port up with an address, so it counts traffic too.
    let sw = lab.switch_netns().to_owned();
    lab.in_netns(&sw, &["ip", "link", "set", "br0", "up"]);
    lab.in_netns(&sw, &["ip", "addr", "add", "10.4.0.254/24", "dev", "br0"]);
    for ip in [&h2.ip, "10.4.0.254"] {
        assert!(
            lab.can_ping(&h1, ip),
            "{flavor:?}: no ping to {ip}\n{}",
            lab.log()
        );
    }
    assert!(lab.can_ping(&h2, "10.4.0.254"), "{flavor:?}: h2 -> br0");
    let mut out = String::new();
    for iface in ["p1", "p2", "br0"] {
        // Wait for statistics written after the traffic.
        let mut stats = String::new();
        let what = format!("{flavor:?}: {iface} statistics after traffic");
        wait_for(&what, STATS_WAIT, || {
            stats = get(&lab, iface, "statistics");
            let n = normalise_counters(&stats);
            [
                "rx_packets=>0",
                "tx_packets=>0",
                "rx_bytes=>0",
                "tx_bytes=>0",
            ]
            .iter()
            .all(|k| n.contains(k))
        });
        out.push_str(&columns(&lab, iface));
        out.push_str(&format!(
            "{iface} statistics={}\n",
            normalise_counters(&stats)
        ));
        out.push_str(&format!("{iface} error={}\n", get(&lab, iface, "error")));
    }
    out
}

#[test]
fn system_port_columns_match_the_reference_after_traffic() {
    let theirs = traffic_scenario(Flavor::Real);
    let ours = traffic_scenario(Flavor::Oxvs);
    assert_eq!(theirs, ours, "--- real ---\n{theirs}\n--- oxvs ---\n{ours}");
}

/// `ovs-ofctl monitor br0 65535` (a nonzero miss_send_len turns on the
/// asynchronous messages, port-status included), connected once a barrier
/// sent through its control socket is answered.
fn monitor(lab: &SwitchLab) -> Daemon {
    let sock = lab.rundir().file("br0.mgmt");
    let ctl = lab.rundir().file("ofctl-monitor.ctl");
    let mut d = Daemon::builder(lab.rundir(), real_ovs::OVS_OFCTL)
        .name("ofctl-monitor")
        .arg("monitor")
        .arg(format!("unix:{}", sock.display()))
        .arg("65535")
        .arg(format!("--unixctl={}", ctl.display()))
        .start();
    if let Err(e) = d.wait_for_socket(&ctl) {
        panic!("{:?}: ovs-ofctl monitor: {e}\n{}", lab.flavor(), d.stderr());
    }
    wait_for("the monitor's barrier reply", PROMPT, || {
        let mut cmd = lab.rundir().command(real_ovs::OVS_APPCTL);
        cmd.arg("-t").arg(&ctl).arg("ofctl/barrier");
        testkit::run(&mut cmd).success()
    });
    d
}

/// The port block of `port` (e.g. " 1(p1):") in `ovs-ofctl show` text or in
/// the last port-status of a monitor's output.
fn last_block(text: &str, port: &str) -> Option<String> {
    let lines: Vec<&str> = text.lines().collect();
    let start = lines.iter().rposition(|l| l.contains(port))?;
    let mut block = vec![lines[start]
        .split_once(port)
        .map_or(lines[start], |(_, rest)| rest)
        .to_owned()];
    for l in &lines[start + 1..] {
        if !l.starts_with("     ") {
            break;
        }
        block.push(l.to_string());
    }
    Some(block.join("\n"))
}

/// One step: the device's state as the database, `ovs-ofctl show` and the
/// last port-status show it, once they agree with `ready`.
fn settle(lab: &SwitchLab, mon: &Daemon, step: &str, ready: &dyn Fn(&SwitchLab) -> bool) -> String {
    let flavor = lab.flavor();
    wait_for(&format!("{flavor:?}: {step}"), PROMPT, || ready(lab));
    let mut show = String::new();
    let what = format!("{flavor:?}: {step}: a port-status matching ovs-ofctl show");
    wait_for(&what, PROMPT, || {
        show = last_block(&ofctl_show(lab), "1(p1):").unwrap_or_default();
        last_block(&format!("{}{}", mon.stdout(), mon.stderr()), "1(p1):")
            .is_some_and(|b| b == show)
    });
    format!("== {step}\n{show}\n{}", columns(lab, "p1"))
}

fn link_scenario(flavor: Flavor) -> String {
    let mut lab = SwitchLab::start("iface_link_changes", flavor);
    bridge(&lab);
    let h1 = host(&mut lab, 1);
    let sw = lab.switch_netns().to_owned();
    let mon = monitor(&lab);
    let mut out = String::new();

    lab.in_netns(&sw, &["ip", "link", "set", "p1", "down"]);
    out += &settle(&lab, &mon, "p1 down", &|l| {
        get(l, "p1", "admin_state") == "down"
    });
    lab.in_netns(&sw, &["ip", "link", "set", "p1", "up"]);
    out += &settle(&lab, &mon, "p1 up", &|l| get(l, "p1", "link_state") == "up");
    // A port-mod turns the device itself down and up again.
    let ofctl = std::path::Path::new(real_ovs::OVS_OFCTL);
    for (what, up) in [("down", false), ("up", true)] {
        let res = lab.tool_output_with(ofctl, &["mod-port", "br0", "p1", what]);
        assert!(res.success(), "{flavor:?}: mod-port {what}: {}", res.stderr);
        let step = format!("mod-port {what}");
        out += &settle(&lab, &mon, &step, &|l| {
            let want = if up { "up" } else { "down" };
            get(l, "p1", "admin_state") == want && get(l, "p1", "link_state") == want
        });
        let device = lab.in_netns(&sw, &["ip", "-o", "link", "show", "p1"]);
        assert_eq!(
            device.contains(",UP"),
            up,
            "{flavor:?}: after mod-port {what}: {device}"
        );
    }
    // The host's end going down takes the carrier away.
    lab.in_netns(&h1.netns, &["ip", "link", "set", "eth0", "down"]);
    out += &settle(&lab, &mon, "peer down", &|l| {
        get(l, "p1", "link_state") == "down"
    });
    lab.in_netns(&h1.netns, &["ip", "link", "set", "eth0", "up"]);
    out += &settle(&lab, &mon, "peer up", &|l| {
        get(l, "p1", "link_state") == "up"
    });

    // The device vanishes (deleting one end deletes the pair).
    lab.in_netns(&sw, &["ip", "link", "del", "p1"]);
    out += &settle(&lab, &mon, "p1 deleted", &|l| {
        get(l, "p1", "link_state") == "down" && get(l, "p1", "mac_in_use") == "[]"
    });
    // And comes back under the same name, with the same MAC.
    lab.in_netns(
        &sw,
        &[
            "ip",
            "link",
            "add",
            "p1",
            "address",
            "02:00:00:00:01:00",
            "type",
            "veth",
            "peer",
            "name",
            "eth0",
            "netns",
            &h1.netns,
        ],
    );
    lab.in_netns(&h1.netns, &["ip", "link", "set", "eth0", "up"]);
    lab.in_netns(&sw, &["ip", "link", "set", "p1", "up"]);
    out += &settle(&lab, &mon, "p1 re-created", &|l| {
        get(l, "p1", "link_state") == "up" && get(l, "p1", "mac_in_use") != "[]"
    });
    if flavor == Flavor::Oxvs {
        // Ours also forwards on the re-created device again (the reference
        // keeps reading the old one until the port is re-added).
        lab.in_netns(
            &h1.netns,
            &["ip", "addr", "replace", "10.4.0.1/24", "dev", "eth0"],
        );
        lab.in_netns(&sw, &["ip", "link", "set", "br0", "up"]);
        lab.in_netns(&sw, &["ip", "addr", "add", "10.4.0.254/24", "dev", "br0"]);
        assert!(
            lab.can_ping(&h1, "10.4.0.254"),
            "no traffic on the re-created device\n{}",
            lab.log()
        );
    }
    out
}

#[test]
fn link_changes_follow_the_device_like_the_reference() {
    let theirs = link_scenario(Flavor::Real);
    let ours = link_scenario(Flavor::Oxvs);
    assert_eq!(theirs, ours, "--- real ---\n{theirs}\n--- oxvs ---\n{ours}");
}

fn hwaddr_scenario(flavor: Flavor) -> String {
    let lab = SwitchLab::start("iface_hwaddr", flavor);
    bridge(&lab);
    let sw = lab.switch_netns().to_owned();
    let mon = monitor(&lab);
    let mut out = String::new();
    for mac in ["02:00:00:00:00:c1", "02:00:00:00:00:d1"] {
        vsctl(
            &lab,
            &[
                "set",
                "bridge",
                "br0",
                &format!("other-config:hwaddr=\"{mac}\""),
            ],
        );
        let quoted = format!("\"{mac}\"");
        wait_for(&format!("{flavor:?}: br0 mac_in_use {mac}"), PROMPT, || {
            get(&lab, "br0", "mac_in_use") == quoted
        });
        let mut show = String::new();
        let what = format!("{flavor:?}: a port-status for LOCAL with {mac}");
        wait_for(&what, PROMPT, || {
            show = last_block(&ofctl_show(&lab), "LOCAL(br0):").unwrap_or_default();
            let status = format!("{}{}", mon.stdout(), mon.stderr());
            show.contains(mac) && last_block(&status, "LOCAL(br0):").is_some_and(|b| b == show)
        });
        let device = lab.in_netns(&sw, &["cat", "/sys/class/net/br0/address"]);
        out += &format!(
            "== {mac}\n{show}\ndevice {}\ndatapath_id {}\n",
            device.trim(),
            vsctl(&lab, &["get", "bridge", "br0", "datapath_id"]).trim()
        );
    }
    out
}

#[test]
fn bridge_hwaddr_change_moves_the_local_port_mac() {
    let theirs = hwaddr_scenario(Flavor::Real);
    let ours = hwaddr_scenario(Flavor::Oxvs);
    assert_eq!(theirs, ours, "--- real ---\n{theirs}\n--- oxvs ---\n{ours}");
}
