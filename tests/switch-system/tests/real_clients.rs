//! The Debian `ovs-vsctl`, `ovs-ofctl` and `ovs-appctl` drive our switch and
//! print the same as against the real switch for the same scenario: a bridge
//! with fixed datapath ID and MAC, two hosts with fixed MACs (IPv6 off, so
//! nothing but the test's traffic crosses), one ping, then `ovs-vsctl show`,
//! `ovs-ofctl show` and `dump-flows`, `ovs-appctl fdb/show`,
//! `ofproto/trace` (learned and unknown destinations) and `dpif/show`
//! compared line by line after normalising what legitimately varies (UUIDs,
//! durations, ages, counters).

use testkit::{real_ovs, Flavor, HostOptions, SwitchLab};

const H1_MAC: &str = "02:00:00:00:01:01";
const H2_MAC: &str = "02:00:00:00:02:02";

struct Outputs(Vec<(String, String)>);

fn scenario(flavor: Flavor) -> Outputs {
    let mut lab = SwitchLab::start("real_clients", flavor);
    let real = |tool: &str| match tool {
        "ovs-vsctl" => real_ovs::OVS_VSCTL,
        "ovs-ofctl" => real_ovs::OVS_OFCTL,
        _ => real_ovs::OVS_APPCTL,
    };
    let run = |lab: &SwitchLab, tool: &str, args: &[&str]| -> String {
        let out = lab.tool_output_with(std::path::Path::new(real(tool)), args);
        assert!(
            out.success(),
            "{flavor:?}: {tool} {args:?}: {}\n{}",
            out.stderr,
            lab.log()
        );
        out.stdout
    };
    run(
        &lab,
        "ovs-vsctl",
        &[
            "add-br",
            "br0",
            "--",
            "set",
            "bridge",
            "br0",
            "datapath_type=netdev",
            "other-config:datapath-id=00000000000000a1",
            "other-config:hwaddr=\"02:00:00:00:00:a1\"",
        ],
    );
    let mut hosts = Vec::new();
    for (n, mac) in [(1, H1_MAC), (2, H2_MAC)] {
        let host = lab.add_host_with(
            &format!("h{n}"),
            &format!("10.3.0.{n}/24"),
            &HostOptions {
                port: Some(format!("p{n}")),
                port_mac: Some(format!("02:00:00:00:0{n}:00")),
                mac: Some(mac.to_owned()),
                no_ipv6: true,
            },
        );
        run(
            &lab,
            "ovs-vsctl",
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
        hosts.push(host);
    }
    assert!(
        lab.can_ping(&hosts[0], &hosts[1].ip),
        "{flavor:?}: no ping\n{}",
        lab.log()
    );

    let mut outs = Vec::new();
    let mut take = |what: &str, text: String| outs.push((what.to_owned(), text));
    take("ovs-vsctl show", run(&lab, "ovs-vsctl", &["show"]));
    take("ovs-ofctl show", run(&lab, "ovs-ofctl", &["show", "br0"]));
    take(
        "ovs-ofctl dump-flows",
        run(&lab, "ovs-ofctl", &["dump-flows", "br0"]),
    );
    take(
        "ovs-ofctl -O OpenFlow13 dump-flows",
        run(
            &lab,
            "ovs-ofctl",
            &["-O", "OpenFlow13", "dump-flows", "br0"],
        ),
    );
    take("fdb/show", run(&lab, "ovs-appctl", &["fdb/show", "br0"]));
    let learned = format!("in_port=1,dl_src={H1_MAC},dl_dst={H2_MAC}");
    take(
        "ofproto/trace learned",
        run(&lab, "ovs-appctl", &["ofproto/trace", "br0", &learned]),
    );
    let unknown = format!("in_port=2,dl_src={H2_MAC},dl_dst=02:00:00:00:09:09,dl_type=0x0800");
    take(
        "ofproto/trace unknown",
        run(&lab, "ovs-appctl", &["ofproto/trace", "br0", &unknown]),
    );
    take("dpif/show", run(&lab, "ovs-appctl", &["dpif/show"]));
    Outputs(outs)
}

/// Replaces what may differ between two runs of the same scenario.
fn normalise(text: &str) -> String {
    let mut out = String::new();
    for line in text.lines() {
        let mut words: Vec<String> = Vec::new();
        for w in line.split_inclusive([' ', ',']) {
            let (body, sep) = w.split_at(w.trim_end_matches([' ', ',']).len());
            let norm = match body.split_once('=') {
                Some((k, _))
                    if ["duration", "idle_age", "hard_age", "n_packets", "n_bytes"]
                        .contains(&k) =>
                {
                    format!("{k}=?")
                }
                _ => body.to_owned(),
            };
            words.push(format!("{norm}{sep}"));
        }
        let mut line = words.concat();
        // A UUID on a line of its own (ovs-vsctl show's first line).
        if line.len() == 36 && line.chars().filter(|c| *c == '-').count() == 4 {
            line = "<uuid>".into();
        }
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// fdb/show rows are "port VLAN MAC age": the age column varies.
fn normalise_fdb(text: &str) -> String {
    let mut lines: Vec<String> = text
        .lines()
        .map(|l| {
            let mut cols: Vec<&str> = l.split_whitespace().collect();
            if cols.len() == 4 && cols[3].chars().all(|c| c.is_ascii_digit()) {
                cols[3] = "?";
            }
            cols.join(" ")
        })
        .collect();
    lines[1..].sort();
    lines.join("\n")
}

/// `ovs-vsctl show` lists a bridge's ports in the order of their UUIDs, which
/// differ between runs: sort the port blocks (a "Port" line and the more
/// indented lines after it).
fn sorted_ports(text: &str) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut blocks: Vec<String> = Vec::new();
    let flush = |blocks: &mut Vec<String>, out: &mut Vec<String>| {
        blocks.sort();
        out.append(blocks);
    };
    for line in text.lines() {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        if trimmed.starts_with("Port ") {
            blocks.push(format!("{line}\n"));
        } else if indent > 8 && !blocks.is_empty() {
            if let Some(last) = blocks.last_mut() {
                last.push_str(line);
                last.push('\n');
            }
        } else {
            flush(&mut blocks, &mut out);
            out.push(format!("{line}\n"));
        }
    }
    flush(&mut blocks, &mut out);
    out.concat()
}

#[test]
fn real_clients_see_the_same_switch() {
    let theirs = scenario(Flavor::Real);
    let ours = scenario(Flavor::Oxvs);
    let mut diffs = Vec::new();
    for ((what, t), (_, o)) in theirs.0.iter().zip(ours.0.iter()) {
        let (t, o) = if what == "fdb/show" {
            (normalise_fdb(t), normalise_fdb(o))
        } else if what == "ovs-vsctl show" {
            (sorted_ports(&normalise(t)), sorted_ports(&normalise(o)))
        } else {
            (normalise(t), normalise(o))
        };
        if t != o {
            diffs.push(format!(
                "--- {what} (real) ---\n{t}\n--- {what} (oxvs) ---\n{o}"
            ));
        }
    }
    assert!(diffs.is_empty(), "{}", diffs.join("\n"));
}
