//! Holds our vswitch.ovsschema to the one installed with Open vSwitch (Debian's
//! openvswitch-common), table by table and column by column, after normalising the equivalent
//! ways RFC 7047 allows a type to be written.

use std::path::Path;

use ovs_json::Json;

mod common;
use common::{differences, facts};

const DEBIAN_SCHEMA: &str = "/usr/share/openvswitch/vswitch.ovsschema";

fn load(path: &Path) -> Json {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && path == Path::new(DEBIAN_SCHEMA) => {
            panic!(
                "{DEBIAN_SCHEMA} is missing: install the Debian package openvswitch-common \
                 (apt-get install openvswitch-common); this comparison needs it"
            )
        }
        Err(e) => panic!("cannot read {}: {e}", path.display()),
    };
    match ovs_json::parse(&text) {
        Ok(json) => json,
        Err(e) => panic!("{} is not valid JSON: {e}", path.display()),
    }
}

#[test]
fn schema_matches_installed_open_vswitch() {
    let ours = facts(&load(&vswitch_schema::path()));
    let debian = facts(&load(Path::new(DEBIAN_SCHEMA)));
    let report = differences(&ours, &debian);
    for line in &report {
        eprintln!("mismatch: {line}");
    }
    assert!(
        report.is_empty(),
        "{} mismatches between our vswitch.ovsschema and {DEBIAN_SCHEMA}:\n{}",
        report.len(),
        report.join("\n")
    );
}

/// The comparison must see through notation and must notice real differences.
#[test]
fn normalisation_equates_equivalent_forms_and_separates_different_ones() {
    let parse = |text: &str| match ovs_json::parse(text) {
        Ok(json) => json,
        Err(e) => panic!("bad test JSON {text}: {e}"),
    };
    let schema = |column: &str| {
        parse(&format!(
            r#"{{"name":"S","version":"1.0.0","tables":{{"T":{{"columns":{{"c":{column}}}}}}}}}"#
        ))
    };
    let plain = facts(&schema(r#"{"type":"string"}"#));
    for same in [
        r#"{"type":{"key":"string"}}"#,
        r#"{"type":{"key":{"type":"string"},"min":1,"max":1},"mutable":true}"#,
        r#"{"type":{"key":{"type":"string"}},"ephemeral":false}"#,
    ] {
        assert_eq!(
            differences(&facts(&schema(same)), &plain),
            Vec::<String>::new()
        );
    }
    let one_enum = facts(&schema(r#"{"type":{"key":{"type":"string","enum":"a"}}}"#));
    let set_enum = facts(&schema(
        r#"{"type":{"key":{"type":"string","enum":["set",["a"]]}}}"#,
    ));
    assert!(differences(&one_enum, &set_enum).is_empty());
    let strong = facts(&schema(
        r#"{"type":{"key":{"type":"uuid","refTable":"T"}}}"#,
    ));
    let explicit = facts(&schema(
        r#"{"type":{"key":{"type":"uuid","refTable":"T","refType":"strong"}}}"#,
    ));
    assert!(differences(&strong, &explicit).is_empty());

    for different in [
        r#"{"type":{"key":"string","min":0}}"#,
        r#"{"type":"integer"}"#,
        r#"{"type":"string","mutable":false}"#,
        r#"{"type":"string","ephemeral":true}"#,
        r#"{"type":{"key":{"type":"string","maxLength":3}}}"#,
    ] {
        assert_eq!(
            differences(&facts(&schema(different)), &plain).len(),
            1,
            "{different}"
        );
    }
    let weak = facts(&schema(
        r#"{"type":{"key":{"type":"uuid","refTable":"T","refType":"weak"}}}"#,
    ));
    assert_eq!(differences(&weak, &strong).len(), 1);
}
