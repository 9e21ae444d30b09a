//! Select groups against the real ovs-vswitchd (dummy datapath): the
//! datapath-hash form (`hash(sym_l4(0)),recirc(..)` then one megaflow per
//! dp_hash value in the recirculated pass), the bucket each dp_hash value
//! selects for equal and uneven weights, the whole `ofproto/trace` text of
//! both passes, and the fallback without the datapath's hash. Fails if the
//! real Open vSwitch is missing.

mod common;

use common::{Pair, Step::*};

/// Recirculation ids are allocated independently on the two switches (the
/// reference does not reuse a trace's id): blank their numbers.
fn blank_recirc(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find("recirc(0x") {
        out.push_str(&rest[..i + "recirc(0x".len()]);
        rest = &rest[i + "recirc(0x".len()..];
        let end = rest
            .find(|c: char| !c.is_ascii_hexdigit())
            .unwrap_or(rest.len());
        out.push('N');
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

const PKT: &str = "eth(src=50:54:00:00:00:01,dst=50:54:00:00:00:02),eth_type(0x0800),\
                   ipv4(src=10.0.0.1,dst=10.0.0.2,proto=6,tos=0,ttl=64,frag=no),tcp(src=1,dst=2)";

fn pair(name: &str) -> Pair {
    Pair::build(
        name,
        &[
            Bridge("br0"),
            Port("br0", "p1", 1, ""),
            Port("br0", "p2", 2, ""),
            Port("br0", "p3", 3, ""),
            Port("br0", "p4", 4, ""),
            Group("br0", "group_id=1,type=select,bucket=output:2,bucket=output:3,bucket=output:4"),
            Group(
                "br0",
                "group_id=2,type=select,bucket=weight:10,output:2,bucket=weight:30,output:3,bucket=weight:5,output:4",
            ),
            Group("br0", "group_id=3,type=select,bucket=weight:1,output:2,bucket=weight:200,output:3"),
            // Too uneven for the datapath's hash: selection without it.
            Group("br0", "group_id=4,type=select,bucket=weight:1,output:2,bucket=weight:300,output:3"),
            Flow("br0", "in_port=1,actions=group:1"),
            Flow("br0", "in_port=2,actions=mod_nw_src:1.1.1.1,group:2,output:1"),
            Flow("br0", "in_port=3,actions=resubmit(,1),output:1"),
            Flow("br0", "table=1,in_port=3,actions=set_field:7->reg0,group:2,output:4"),
            Flow("br0", "in_port=4,actions=group:3"),
            Flow("br0", "priority=40000,in_port=1,udp,actions=group:4"),
        ],
    )
}

#[test]
fn select_group_recirculates_and_picks_buckets_like_the_reference() {
    let pair = pair("xl-select");
    let odp = pair.real.odp_ports();
    let mut diffs = Vec::new();
    for port in ["p1", "p2", "p3", "p4"] {
        let o = odp.get(port).and_then(|x| x.1).expect("odp port");
        // First pass: no dp_hash yet.
        let first = format!("in_port({o}),{PKT}");
        let (r, ours) = pair.trace(&[&first]);
        if blank_recirc(&r) != blank_recirc(&ours) {
            diffs.push(format!("{first}\n--- real:\n{r}\n--- ours:\n{ours}"));
        }
        // The recirculation id our switch gave this state.
        let Some(id) = ours
            .lines()
            .find_map(|l| l.strip_prefix("Datapath actions:"))
            .and_then(|l| l.split("recirc(").nth(1))
            .and_then(|l| l.split(')').next())
            .map(str::to_string)
        else {
            diffs.push(format!("{first}: ours did not recirculate:\n{ours}"));
            continue;
        };
        let rid = r
            .lines()
            .find_map(|l| l.strip_prefix("Datapath actions:"))
            .and_then(|l| l.split("recirc(").nth(1))
            .and_then(|l| l.split(')').next())
            .map(str::to_string)
            .unwrap_or_default();
        // The reference frees a trace's recirculation state at once, and
        // its revalidators may drop an idle one: send a packet through
        // before each look to make a datapath flow hold it.
        let real_id = || {
            pair.real.appctl(&["netdev-dummy/receive", port, &first]);
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
            loop {
                let flows = pair.real.appctl(&["dpctl/dump-flows"]);
                let found = flows
                    .lines()
                    .filter(|l| l.contains(&format!("in_port({o})")) && l.contains("hash(sym_l4"))
                    .find_map(|l| l.split("recirc(").nth(1))
                    .and_then(|l| l.split(')').next())
                    .map(str::to_string);
                match found {
                    Some(id) => break id,
                    None if std::time::Instant::now() > deadline => {
                        panic!("the real switch installed no recirculating flow for {port} (trace said {rid}):\n{flows}")
                    }
                    None => std::thread::yield_now(),
                }
            }
        };
        let hashes: &[u32] = if port == "p4" {
            &[
                1,
                2,
                0x3f,
                0x40,
                0x7f,
                0x80,
                0xfe,
                0xff,
                0x100,
                0x17f,
                0x7777_77ff,
            ]
        } else {
            &[
                1,
                2,
                3,
                4,
                5,
                6,
                7,
                8,
                9,
                10,
                11,
                12,
                13,
                14,
                15,
                16,
                0x7777_7773,
            ]
        };
        for &h in hashes {
            // The id can still go away between the dump and the trace:
            // try again a few times.
            let mut attempt = 0;
            let (real_id, r) = loop {
                let real_id = real_id();
                let real_flow = format!("recirc_id({real_id}),dp_hash({h:#x}),in_port({o}),{PKT}");
                let ctl = pair.real.dir.file("ovs-vswitchd.ctl");
                let out = testkit::run(
                    pair.real
                        .dir
                        .command(testkit::real_ovs::OVS_APPCTL)
                        .arg(format!("--target={}", ctl.display()))
                        .args(["ofproto/trace", &real_flow]),
                );
                attempt += 1;
                if out.success() {
                    break (real_id, out.stdout);
                }
                assert!(
                    attempt < 20,
                    "real ofproto/trace {real_flow}: {}",
                    out.stderr
                );
            };
            let real_flow = format!("recirc_id({real_id}),dp_hash({h:#x}),in_port({o}),{PKT}");
            let our_flow = format!("recirc_id({id}),dp_hash({h:#x}),in_port({o}),{PKT}");
            let ours =
                ofproto_dpif::trace_cmd::ofproto_trace(&pair.ours.backer, &[our_flow.as_str()])
                    .unwrap_or_else(|e| format!("error: {e}"));
            let norm = |s: &str| {
                blank_recirc(
                    &s.replace(&format!("recirc_id={real_id}"), "recirc_id=N")
                        .replace(&format!("recirc_id={id}"), "recirc_id=N"),
                )
            };
            if norm(&r) != norm(&ours) {
                diffs.push(format!("{real_flow}\n--- real:\n{r}\n--- ours:\n{ours}"));
            }
        }
    }
    // The too uneven group: no recirculation on either side.
    let o = odp.get("p1").and_then(|x| x.1).expect("odp port");
    for src in ["10.0.0.1", "10.0.0.7", "10.9.0.3", "10.9.0.4", "10.9.0.5"] {
        let f = format!(
            "in_port({o}),eth(src=50:54:00:00:00:01,dst=50:54:00:00:00:02),eth_type(0x0800),\
             ipv4(src={src},dst=10.0.0.2,proto=17,tos=0,ttl=64,frag=no),udp(src=1,dst=2)"
        );
        let (r, ours) = pair.trace(&[&f]);
        if r != ours {
            diffs.push(format!("{f}\n--- real:\n{r}\n--- ours:\n{ours}"));
        }
    }
    assert!(
        diffs.is_empty(),
        "{} differences:\n{}",
        diffs.len(),
        diffs.join("\n\n")
    );
}
