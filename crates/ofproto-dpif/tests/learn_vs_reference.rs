//! The learn action against the real ovs-vswitchd: a flow learnt during a
//! translation is not visible to that translation's later lookups (the
//! reference installs it in the next version), but is to the next packet's.
//! Fails if the real Open vSwitch is missing.

mod common;

use common::{normalize, Pair, Step::*};

/// `ovs-ofctl dump-flows` lines without the changing columns.
fn flows(text: &str) -> Vec<String> {
    text.lines()
        .skip(1)
        .map(|l| {
            l.split(", ")
                .filter(|f| {
                    !["duration=", "idle_age=", "hard_age=", " cookie=", "cookie="]
                        .iter()
                        .any(|p| f.trim_start().starts_with(p.trim_start()))
                })
                .collect::<Vec<_>>()
                .join(", ")
        })
        .collect()
}

#[test]
fn learnt_flow_is_visible_from_the_next_translation_on() {
    let pair = Pair::build(
        "xl-learnver",
        &[
            Bridge("br0"),
            Port("br0", "p1", 1, ""),
            Port("br0", "p2", 2, ""),
            Port("br0", "p3", 3, ""),
            Flow(
                "br0",
                "table=0,in_port=1,actions=load:2->NXM_NX_REG1[0..15],\
                 learn(table=1,priority=10,idle_timeout=60,NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[],\
                 output:NXM_NX_REG1[0..15]),resubmit(,1)",
            ),
            Flow("br0", "table=1,priority=0,actions=output:3"),
        ],
    );
    let args = [
        "br0",
        "in_port=1,dl_src=00:00:00:00:00:05,dl_dst=00:00:00:00:00:05",
        "-generate",
    ];
    // First packet: the flow it learns would send it to p2, but this
    // translation still finds only the priority-0 flow.
    let (real, ours) = pair.trace(&args);
    assert_eq!(normalize(&ours), normalize(&real));
    assert!(real.contains("Datapath actions: 3"), "{real}");
    // The learnt flow is installed on both.
    let dump = |dir: &testkit::RunDir, target: &str| {
        testkit::run_ok(dir.command(testkit::real_ovs::OVS_OFCTL).args([
            "dump-flows",
            target,
            "table=1",
        ]))
    };
    // (Sorted: the dump order is ofproto's business, not this test's.)
    let mut real_flows = flows(&dump(&pair.real.dir, &pair.real.mgmt("br0")));
    let mut our_flows = flows(&dump(&pair.ours.dir, &pair.ours.mgmt("br0")));
    real_flows.sort();
    our_flows.sort();
    assert_eq!(our_flows, real_flows);
    assert_eq!(real_flows.len(), 2, "{real_flows:?}");
    // The next packet sees it.
    let (real, ours) = pair.trace(&args);
    assert_eq!(normalize(&ours), normalize(&real));
    assert!(real.contains("Datapath actions: 2"), "{real}");
}
