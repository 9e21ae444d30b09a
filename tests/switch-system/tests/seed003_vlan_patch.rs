//! The experiment of seed 003, as written there: two bridges joined by a pair of
//! patch ports, four hosts (vm01 and vm03 on vswitch0, vm02 and vm04 on
//! vswitch1). Everyone pings everyone; with tags 100 (vm01, vm02) and 200
//! (vm03, vm04) only same-tag pairs ping; with the patch ports made trunks of
//! VLAN 100 only the tag-100 pair still pings; `ovs-ofctl dump-flows` shows the
//! single NORMAL flow with non-zero counters.
//!
//! The same scenario runs against the real Open vSwitch (which proves the
//! scenario) and against ours.

use testkit::{Flavor, Host, SwitchLab};

fn seed003(flavor: Flavor) {
    let mut lab = SwitchLab::start("seed003", flavor);
    lab.add_bridge("vswitch0");
    lab.add_bridge("vswitch1");
    let vm01 = lab.add_host("vm01", "192.168.1.2/24");
    let vm02 = lab.add_host("vm02", "192.168.1.3/24");
    let vm03 = lab.add_host("vm03", "192.168.1.4/24");
    let vm04 = lab.add_host("vm04", "192.168.1.5/24");
    lab.vsctl(&["add-port", "vswitch0", &vm01.port]);
    lab.vsctl(&["add-port", "vswitch1", &vm02.port]);
    lab.vsctl(&["add-port", "vswitch0", &vm03.port]);
    lab.vsctl(&["add-port", "vswitch1", &vm04.port]);

    // As in the seed: added first as system ports, which do not exist.
    for (br, port) in [
        ("vswitch0", "patch_to_vswitch1"),
        ("vswitch1", "patch_to_vswitch0"),
    ] {
        let out = lab.tool_output("ovs-vsctl", &["add-port", br, port]);
        assert!(out.success(), "{flavor:?}: {}", out.stderr);
        assert!(
            out.stderr
                .contains(&format!("Error detected while setting up '{port}'")),
            "{flavor:?}: {}",
            out.stderr
        );
    }
    lab.vsctl(&["set", "interface", "patch_to_vswitch1", "type=patch"]);
    lab.vsctl(&["set", "interface", "patch_to_vswitch0", "type=patch"]);
    lab.vsctl(&[
        "set",
        "interface",
        "patch_to_vswitch0",
        "options:peer=patch_to_vswitch1",
    ]);
    lab.vsctl(&[
        "set",
        "interface",
        "patch_to_vswitch1",
        "options:peer=patch_to_vswitch0",
    ]);

    let hosts = [&vm01, &vm02, &vm03, &vm04];
    for from in hosts {
        for to in hosts {
            if from.ip != to.ip {
                assert_pings(&lab, from, to, true, "no VLANs");
            }
        }
    }

    lab.vsctl(&["set", "port", &vm01.port, "tag=100"]);
    lab.vsctl(&["set", "port", &vm02.port, "tag=100"]);
    lab.vsctl(&["set", "port", &vm03.port, "tag=200"]);
    lab.vsctl(&["set", "port", &vm04.port, "tag=200"]);
    assert_pings(&lab, &vm01, &vm02, true, "tags");
    assert_pings(&lab, &vm03, &vm04, true, "tags");
    assert_pings(&lab, &vm04, &vm03, true, "tags");
    for (from, to) in [
        (&vm01, &vm03),
        (&vm01, &vm04),
        (&vm02, &vm03),
        (&vm02, &vm04),
    ] {
        assert_pings(&lab, from, to, false, "tags");
    }

    // Written as in the seed: column names abbreviated and in another case.
    lab.vsctl(&["set", "port", "patch_to_vswitch1", "VLAN_mode=trunk"]);
    lab.vsctl(&["set", "port", "patch_to_vswitch0", "VLAN_mode=trunk"]);
    lab.vsctl(&["set", "port", "patch_to_vswitch0", "trunk=100"]);
    lab.vsctl(&["set", "port", "patch_to_vswitch1", "trunk=100"]);
    assert_pings(&lab, &vm01, &vm02, true, "patch trunks=100");
    assert_pings(&lab, &vm03, &vm04, false, "patch trunks=100");

    for br in ["vswitch0", "vswitch1"] {
        let dump = lab.ofctl(&["dump-flows", br]);
        let flows: Vec<&str> = dump.lines().filter(|l| l.starts_with(' ')).collect();
        assert_eq!(flows.len(), 1, "{flavor:?} {br}:\n{dump}");
        let flow = flows[0];
        assert!(
            flow.ends_with("priority=0 actions=NORMAL"),
            "{flavor:?} {br}: {flow}"
        );
        let packets = counter(flow, "n_packets=");
        let bytes = counter(flow, "n_bytes=");
        assert!(packets > 0 && bytes > packets, "{flavor:?} {br}: {flow}");
    }
}

#[track_caller]
fn assert_pings(lab: &SwitchLab, from: &Host, to: &Host, expect: bool, stage: &str) {
    let flavor = lab.flavor();
    if expect {
        assert!(
            lab.can_ping(from, &to.ip),
            "{flavor:?} ({stage}): {} cannot ping {}\n{}",
            from.ip,
            to.ip,
            lab.log()
        );
    } else {
        assert!(
            lab.cannot_ping(from, &to.ip),
            "{flavor:?} ({stage}): {} pings {} but should not",
            from.ip,
            to.ip
        );
    }
}

/// The number after `name` in a dump-flows line.
fn counter(flow: &str, name: &str) -> u64 {
    flow.split(name)
        .nth(1)
        .and_then(|rest| rest.split(',').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

#[test]
fn seed003_against_the_real_switch() {
    seed003(Flavor::Real);
}

#[test]
fn seed003_against_oxvs() {
    seed003(Flavor::Oxvs);
}
