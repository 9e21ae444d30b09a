//! The schema ovs-vsctl is built for, and finding tables and columns by the names users
//! type.
//!
//! Like the reference, which compiles its schema in, names on the command line are
//! resolved against the `Open_vSwitch` schema oxvs ships, before any connection is
//! made: an unknown table is reported even when no server runs. Names match
//! case-insensitively, `-` and `_` are interchangeable, and a unique prefix is enough.

use ovsdb::schema::{ColumnSchema, TableSchema};
use ovsdb::DatabaseSchema;
use std::sync::{Arc, OnceLock};

/// The schema, parsed once per process.
pub fn schema() -> &'static Arc<DatabaseSchema> {
    static SCHEMA: OnceLock<Arc<DatabaseSchema>> = OnceLock::new();
    SCHEMA.get_or_init(|| {
        // The schema text is part of this program; failing to read it is a build
        // defect that no user input can cause.
        let json = ovs_json::parse(vswitch_schema::VSWITCH_SCHEMA)
            .unwrap_or_else(|e| panic!("built-in schema is not JSON: {e}"));
        let schema = DatabaseSchema::from_json(&json)
            .unwrap_or_else(|e| panic!("built-in schema is invalid: {e}"));
        Arc::new(schema)
    })
}

/// The database ovs-vsctl works on.
pub const DB_NAME: &str = "Open_vSwitch";

/// A table of the built-in schema.
pub fn table(name: &str) -> &'static TableSchema {
    schema()
        .table(name)
        .unwrap_or_else(|| panic!("table {name} is not in the built-in schema"))
}

/// How well the name `typed` matches `name`: exact beats case-insensitive beats a
/// prefix (scored by its length); 0 is no match.
fn score_partial_match(name: &str, typed: &str) -> usize {
    if name == typed {
        return usize::MAX;
    }
    let fold = |c: u8| -> u8 {
        if c == b'-' {
            b'_'
        } else {
            c.to_ascii_lowercase()
        }
    };
    let (n, t) = (name.as_bytes(), typed.as_bytes());
    let common = n
        .iter()
        .zip(t)
        .take_while(|(a, b)| fold(**a) == fold(**b))
        .count();
    if common == n.len() && common == t.len() {
        usize::MAX - 1
    } else if common == t.len() {
        common
    } else {
        0
    }
}

/// The best match among `names` for `typed`: Ok(index), or Err(all the names that tie
/// for best, sorted) when the best score is shared, or Err(empty) for no match.
fn best_match<'a>(
    names: impl Iterator<Item = &'a str>,
    typed: &str,
) -> Result<usize, Vec<&'a str>> {
    let mut best_score = 0;
    let mut best: Vec<(usize, &str)> = Vec::new();
    for (i, name) in names.enumerate() {
        let score = score_partial_match(name, typed);
        if score == 0 {
            continue;
        }
        if score > best_score {
            best_score = score;
            best.clear();
        }
        if score == best_score {
            best.push((i, name));
        }
    }
    match best.as_slice() {
        [(i, _)] => Ok(*i),
        _ => {
            let mut tied: Vec<&str> = best.into_iter().map(|(_, n)| n).collect();
            tied.sort_unstable();
            Err(tied)
        }
    }
}

/// Finds a table by the name a user typed.
pub fn get_table(typed: &str) -> Result<&'static TableSchema, String> {
    let tables: Vec<&TableSchema> = schema().tables.values().collect();
    match best_match(tables.iter().map(|t| t.name.as_str()), typed) {
        Ok(i) => Ok(tables[i]),
        Err(tied) if tied.is_empty() => Err(format!("unknown table \"{typed}\"")),
        Err(tied) => Err(format!(
            "\"{typed}\" matches multiple table names: {}",
            tied.join(", ")
        )),
    }
}

/// Finds a column of `table` (not `_uuid` or `_version`) by the name a user typed.
pub fn get_column(
    table: &'static TableSchema,
    typed: &str,
) -> Result<&'static ColumnSchema, String> {
    let columns = table.user_columns();
    match best_match(columns.iter().map(|c| c.name.as_str()), typed) {
        Ok(i) => Ok(&columns[i]),
        Err(tied) if tied.is_empty() => Err(format!(
            "{} does not contain a column whose name matches \"{typed}\"",
            table.name
        )),
        Err(tied) => Err(format!(
            "{} contains more than one column whose name matches \"{typed}\": {}",
            table.name,
            tied.join(", ")
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_by_prefix_case_and_dashes() {
        assert_eq!(get_table("b").unwrap().name, "Bridge");
        assert_eq!(get_table("open").unwrap().name, "Open_vSwitch");
        assert_eq!(get_table("OPEN-VSWITCH").unwrap().name, "Open_vSwitch");
        assert_eq!(get_table("in").unwrap().name, "Interface");
        assert_eq!(get_table("foo").unwrap_err(), "unknown table \"foo\"");
        assert_eq!(
            get_table("f").unwrap_err(),
            "\"f\" matches multiple table names: Flow_Sample_Collector_Set, Flow_Table"
        );
        assert_eq!(
            get_table("i").unwrap_err(),
            "\"i\" matches multiple table names: IPFIX, Interface"
        );
    }

    #[test]
    fn columns_by_prefix() {
        let bridge = get_table("Bridge").unwrap();
        assert_eq!(get_column(bridge, "nam").unwrap().name, "name");
        assert_eq!(
            get_column(bridge, "Flood-Vlans").unwrap().name,
            "flood_vlans"
        );
        assert_eq!(
            get_column(bridge, "s").unwrap_err(),
            "Bridge contains more than one column whose name matches \"s\": sflow, status, stp_enable"
        );
        assert_eq!(
            get_column(bridge, "_uuid").unwrap_err(),
            "Bridge does not contain a column whose name matches \"_uuid\""
        );
    }
}
