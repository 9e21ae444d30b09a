//! The whole benchmark, tiny: 300 flows, one run, with the real tool on both sides
//! (so the harness is tested whatever state our tool is in). Every workload must
//! produce a figure for both, with the flows really on the switch.

use std::path::PathBuf;
use std::time::Duration;

use ofctl_bench::measure::{run, Tools};
use ofctl_bench::options::Config;
use ofctl_bench::report::{render_text, Side, Workload};
use testkit::real_ovs;

#[test]
fn a_tiny_run_measures_every_workload_for_both_tools() {
    real_ovs::require_real_ovs();
    let tools = Tools {
        theirs: PathBuf::from(real_ovs::OVS_OFCTL),
        ours: Ok(PathBuf::from(real_ovs::OVS_OFCTL)),
    };
    let config = Config {
        flows: 300,
        runs: 1,
        timeout: Duration::from_secs(60),
    };
    let mut steps = Vec::new();
    let r = run(&tools, &config, &mut |s| steps.push(s.to_string()));
    let text = render_text(&r);
    for w in Workload::ALL {
        for s in [Side::Theirs, Side::Ours] {
            assert!(
                r.figure(w, s).is_some(),
                "no figure for {w:?} {s:?}:\n{text}"
            );
        }
        assert!(r.ratio(w).is_some(), "{text}");
    }
    assert!(steps.iter().any(|s| s.contains("--bundle")), "{steps:?}");
    assert!(text.contains("add-flows of 300 flows"), "{text}");
}

#[test]
fn a_tool_that_does_nothing_gets_no_figure() {
    real_ovs::require_real_ovs();
    // `true` exits 0 without adding a flow or printing one.
    let tools = Tools {
        theirs: PathBuf::from(real_ovs::OVS_OFCTL),
        ours: Ok(PathBuf::from("/bin/true")),
    };
    let config = Config {
        flows: 50,
        runs: 1,
        timeout: Duration::from_secs(60),
    };
    let r = run(&tools, &config, &mut |_| {});
    for w in Workload::ALL {
        assert!(r.figure(w, Side::Theirs).is_some(), "{w:?}");
        assert!(r.figure(w, Side::Ours).is_none(), "{w:?}");
    }
    let text = render_text(&r);
    assert!(
        text.contains("the bridge holds 0 flows after add-flows, not 50"),
        "{text}"
    );
    assert!(
        text.contains("dump-flows printed 0 flows, not 50"),
        "{text}"
    );
}
