//! Byte-for-byte comparisons with output captured from the real
//! `ovsdb-client` and `ovs-vsctl` 3.1 (frozen under `tests/fixtures/`; see
//! the README there). These run without Open vSwitch installed; `live.rs`
//! repeats them against the real tools.

mod common;

use std::fs;

use common::{compare_all, fixtures_dir, model_from_json, Scenario};

fn read_fixture(name: &str) -> String {
    let path = fixtures_dir().join(name);
    fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn check(scenario: Scenario) {
    let model = model_from_json(&read_fixture(&format!("{}.model.json", scenario.name())));
    let failures = compare_all(scenario, &model, |case| {
        read_fixture(&format!("{}.{}.txt", scenario.name(), case.name))
    });
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn ovsdb_client_dump_in_every_format() {
    check(Scenario::Dump);
}

#[test]
fn ovs_vsctl_list_and_find_in_every_format() {
    check(Scenario::Vsctl);
}

#[test]
fn ovsdb_client_monitor_with_timestamps() {
    check(Scenario::Monitor);
}

/// Guards against a fixture set that could not fail: every case has its own
/// file, and the outputs really differ from each other, except where the
/// options mean the same thing.
#[test]
fn fixtures_are_complete_and_distinct() {
    // `--bare --format=table` is `-f table -d bare --no-headings`: options
    // apply in order. JSON output ignores `--data` and `--no-headings`; only
    // the table layout honours `--max-column-width`.
    let same_by_design = [
        ("dump", "list", "list-width3"),
        ("dump", "html", "html-width3"),
        ("dump", "csv", "csv-width3"),
        ("dump", "table-bare-noheadings", "bare-then-table"),
        ("dump", "json", "json-bare-noheadings"),
    ];
    for scenario in Scenario::ALL {
        let mut seen = std::collections::BTreeMap::new();
        for case in scenario.cases() {
            let text = read_fixture(&format!("{}.{}.txt", scenario.name(), case.name));
            assert!(
                !text.is_empty(),
                "{}.{} is empty",
                scenario.name(),
                case.name
            );
            if let Some(other) = seen.insert(text, case.name) {
                assert!(
                    same_by_design.contains(&(scenario.name(), other, case.name)),
                    "{}.{other} and {}.{} are identical",
                    scenario.name(),
                    scenario.name(),
                    case.name
                );
            }
        }
    }
}
