//! An internal port with an IP address, reachable from a host namespace through
//! the bridge: ping, then an iperf3 TCP transfer of a fixed amount of data
//! (the seed's `add-port br0 vlan1000 -- set Interface vlan1000 type=internal`).
//!
//! Runs against the real Open vSwitch (proving the scenario) and ours.

use testkit::{switch_lab::wait_for, Daemon, Flavor, SwitchLab, DEFAULT_TIMEOUT};

fn internal_port(flavor: Flavor) {
    let mut lab = SwitchLab::start("internal_iperf3", flavor);
    lab.add_bridge("br0");
    let h1 = lab.add_host("h1", "10.1.0.2/24");
    lab.vsctl(&["add-port", "br0", &h1.port]);
    lab.vsctl(&[
        "add-port",
        "br0",
        "vlan1000",
        "--",
        "set",
        "interface",
        "vlan1000",
        "type=internal",
    ]);
    let sw = lab.switch_netns().to_owned();
    wait_for("vlan1000 to exist", DEFAULT_TIMEOUT, || {
        testkit::run(
            lab.netns_command(&sw, "ip")
                .args(["link", "show", "vlan1000"]),
        )
        .success()
    });
    lab.in_netns(
        &sw,
        &["ip", "addr", "add", "10.1.0.1/24", "dev", "vlan1000"],
    );
    lab.in_netns(&sw, &["ip", "link", "set", "vlan1000", "up"]);
    if flavor == Flavor::Real {
        lab.in_netns(&sw, &["ethtool", "-K", "vlan1000", "tx", "off"]);
    }
    assert!(
        lab.can_ping(&h1, "10.1.0.1"),
        "{flavor:?}: h1 cannot ping the internal port\n{}",
        lab.log()
    );

    let mut server = Daemon::builder(lab.rundir(), testkit::real_switch::IP)
        .name("iperf3-server")
        .args([
            "netns",
            "exec",
            &sw,
            "iperf3",
            "-s",
            "-1",
            "-B",
            "10.1.0.1",
            "--forceflush",
        ])
        .start();
    wait_for("iperf3 to listen", DEFAULT_TIMEOUT, || {
        server.stdout().contains("Server listening")
    });
    let client = testkit::run(
        lab.netns_command(&h1.netns, "iperf3")
            .args(["-c", "10.1.0.1", "-n", "20M", "-J"]),
    );
    assert!(
        client.success(),
        "{flavor:?}: iperf3 failed: {}{}",
        client.stdout,
        client.stderr
    );
    // TCP delivered the whole amount (iperf3 succeeded after sending it all),
    // and the receiver reported data.
    let sent = json_bytes(&client.stdout, "\"sum_sent\"");
    let received = json_bytes(&client.stdout, "\"sum_received\"");
    assert!(sent >= 20 << 20, "{flavor:?}: sent {sent} bytes");
    assert!(received > 0, "{flavor:?}: received {received} bytes");
    let _ = server.wait_exit(DEFAULT_TIMEOUT);
}

/// The `"bytes"` figure of the JSON object that follows `section`.
fn json_bytes(json: &str, section: &str) -> u64 {
    json.split(section)
        .nth(1)
        .and_then(|s| s.split("\"bytes\":").nth(1))
        .map(|s| {
            s.trim_start()
                .chars()
                .take_while(char::is_ascii_digit)
                .collect::<String>()
        })
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

#[test]
fn internal_port_iperf3_against_the_real_switch() {
    internal_port(Flavor::Real);
}

#[test]
fn internal_port_iperf3_against_oxvs() {
    internal_port(Flavor::Oxvs);
}
