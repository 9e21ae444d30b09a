//! Self-checks on the embedded schema that need no Open vSwitch installation.

use super::*;
use ovs_json::Json;

fn schema() -> Json {
    match ovs_json::parse(VSWITCH_SCHEMA) {
        Ok(json) => json,
        Err(e) => panic!("vswitch.ovsschema is not valid JSON: {e}"),
    }
}

fn tables(schema: &Json) -> &ovs_json::Object {
    match schema.get("tables").and_then(Json::as_object) {
        Some(tables) => tables,
        None => panic!("vswitch.ovsschema has no \"tables\" object"),
    }
}

/// The tables listed in the "TABLE SUMMARY" of ovs-vswitchd.conf.db(5) for Open vSwitch 3.1.
const DOCUMENTED_TABLES: [&str; 19] = [
    "Open_vSwitch",
    "Bridge",
    "Port",
    "Interface",
    "Flow_Table",
    "QoS",
    "Queue",
    "Mirror",
    "Controller",
    "Manager",
    "NetFlow",
    "Datapath",
    "CT_Zone",
    "CT_Timeout_Policy",
    "SSL",
    "sFlow",
    "IPFIX",
    "Flow_Sample_Collector_Set",
    "AutoAttach",
];

#[test]
fn embedded_schema_parses_with_name_and_version() {
    let schema = schema();
    assert_eq!(schema.get("name").and_then(Json::as_str), Some(SCHEMA_NAME));
    assert_eq!(
        schema.get("version").and_then(Json::as_str),
        Some(SCHEMA_VERSION)
    );
}

#[test]
fn has_exactly_the_documented_tables() {
    let schema = schema();
    let ours: Vec<&str> = tables(&schema).keys().map(String::as_str).collect();
    let mut documented = DOCUMENTED_TABLES.to_vec();
    documented.sort_unstable();
    assert_eq!(ours, documented);
}

#[test]
fn every_table_has_columns_and_no_reserved_names() {
    let schema = schema();
    for (name, table) in tables(&schema) {
        let columns = table.get("columns").and_then(Json::as_object);
        let Some(columns) = columns.filter(|c| !c.is_empty()) else {
            panic!("table {name} has no columns");
        };
        // `_uuid` and `_version` exist implicitly; a schema must not declare them.
        for column in columns.keys() {
            assert!(!column.starts_with('_'), "{name}.{column} is reserved");
        }
    }
}

/// Collects every `refTable` named anywhere below `json`.
fn ref_tables<'a>(json: &'a Json, out: &mut Vec<&'a str>) {
    match json {
        Json::Object(members) => {
            for (name, value) in members {
                match (name.as_str(), value) {
                    ("refTable", Json::String(table)) => out.push(table),
                    _ => ref_tables(value, out),
                }
            }
        }
        Json::Array(items) => items.iter().for_each(|item| ref_tables(item, out)),
        _ => {}
    }
}

#[test]
fn every_reference_names_a_table_of_the_schema() {
    let schema = schema();
    let tables = tables(&schema);
    let mut refs = Vec::new();
    ref_tables(&schema, &mut refs);
    assert!(refs.len() > 20, "expected many references, found {refs:?}");
    for table in refs {
        assert!(
            tables.contains_key(table),
            "refTable {table} does not exist"
        );
    }
}

#[test]
fn root_tables_and_single_row_open_vswitch() {
    let schema = schema();
    let tables = tables(&schema);
    let roots: Vec<&str> = tables
        .iter()
        .filter(|(_, t)| t.get("isRoot").and_then(Json::as_bool) == Some(true))
        .map(|(name, _)| name.as_str())
        .collect();
    // Open_vSwitch is the top of the configuration; QoS and Queue survive being unreferenced
    // (ovs-vsctl(8)); nothing references Flow_Sample_Collector_Set, so it must be a root.
    assert_eq!(
        roots,
        ["Flow_Sample_Collector_Set", "Open_vSwitch", "QoS", "Queue"]
    );
    let max_rows = tables
        .get("Open_vSwitch")
        .and_then(|t| t.get("maxRows"))
        .and_then(Json::as_i64);
    assert_eq!(max_rows, Some(1));
}

/// POSIX `cksum`: CRC-32 (polynomial 0x04C11DB7, MSB first) over the data and then its
/// length, complemented. Open vSwitch's build checks a schema's "cksum" with this command.
fn posix_cksum(data: &[u8]) -> (u32, usize) {
    fn step(crc: u32, byte: u8) -> u32 {
        let mut crc = crc ^ (u32::from(byte) << 24);
        for _ in 0..8 {
            crc = if crc & 0x8000_0000 != 0 {
                (crc << 1) ^ 0x04C1_1DB7
            } else {
                crc << 1
            };
        }
        crc
    }
    let mut crc = data.iter().fold(0, |crc, &b| step(crc, b));
    let mut len = data.len();
    while len > 0 {
        crc = step(crc, (len & 0xff) as u8);
        len >>= 8;
    }
    (!crc, data.len())
}

#[test]
fn posix_cksum_matches_known_values() {
    assert_eq!(posix_cksum(b""), (4_294_967_295, 0));
    assert_eq!(posix_cksum(b"abc"), (1_219_131_554, 3));
    assert_eq!(posix_cksum(b"hello world\n"), (3_733_384_285, 12));
}

#[test]
fn cksum_field_matches_content() {
    // The checksum covers the file with its own "cksum" line removed, so editing the schema
    // without updating the field (and, per ovsdb(7), the version) fails here.
    let without: String = VSWITCH_SCHEMA
        .split_inclusive('\n')
        .filter(|line| !line.trim_start().starts_with("\"cksum\":"))
        .collect();
    let (crc, len) = posix_cksum(without.as_bytes());
    let stored = schema()
        .get("cksum")
        .and_then(Json::as_str)
        .map(str::to_owned);
    assert_eq!(stored, Some(format!("{crc} {len}")));
}

#[test]
fn path_names_the_embedded_file() {
    let path = path();
    assert!(path.is_absolute(), "{} is not absolute", path.display());
    match std::fs::read_to_string(&path) {
        Ok(text) => assert_eq!(text, VSWITCH_SCHEMA),
        Err(e) => panic!("cannot read {}: {e}", path.display()),
    }
}
