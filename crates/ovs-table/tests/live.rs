//! The same comparisons as `fixtures.rs`, against output the real Open
//! vSwitch 3.1 tools print right now. These need the Debian packages and fail
//! (never skip) without them.
//!
//! `cargo test -p ovs-table --test live -- --ignored regenerate_fixtures`
//! rewrites `tests/fixtures/` from the real tools.

mod common;

use std::fs;

use common::capture::{self, Outputs};
use common::{compare_all, fixtures_dir, model_from_outputs, model_to_json, Scenario};

fn model(scenario: Scenario, outputs: &Outputs) -> Vec<ovs_table::Table> {
    model_from_outputs(scenario, |name| {
        outputs
            .get(name)
            .cloned()
            .unwrap_or_else(|| panic!("{} has no {name} case", scenario.name()))
    })
}

fn check_live(scenario: Scenario) {
    let outputs = capture::run(scenario);
    let model = model(scenario, &outputs);
    let failures = compare_all(scenario, &model, |case| outputs[case.name].clone());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn live_ovsdb_client_dump() {
    check_live(Scenario::Dump);
}

#[test]
fn live_ovs_vsctl_list_and_find() {
    check_live(Scenario::Vsctl);
}

#[test]
fn live_ovsdb_client_monitor() {
    check_live(Scenario::Monitor);
}

#[test]
#[ignore = "rewrites tests/fixtures from the real tools; run by hand"]
fn regenerate_fixtures() {
    let dir = fixtures_dir();
    for scenario in Scenario::ALL {
        let outputs = capture::run(scenario);
        let model = model(scenario, &outputs);
        let write = |name: String, text: &str| {
            let path = dir.join(name);
            fs::write(&path, text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        };
        write(
            format!("{}.model.json", scenario.name()),
            &model_to_json(&model),
        );
        for (case, text) in &outputs {
            write(format!("{}.{case}.txt", scenario.name()), text);
        }
    }
}
