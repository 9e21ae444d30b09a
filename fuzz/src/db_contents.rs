//! Database comparisons and integrity checks shared by the `transact` and `log_records`
//! checks.
//!
//! Shared with `crates/ovsdb/tests/fuzz_corpus.rs` through `#[path]` (as a crate-root
//! module named `db_contents`, the same name as in `src/lib.rs`, so that `crate::`
//! paths resolve in both).

use ovs_json::Json;
use ovsdb::{Database, Datum, Uuid};
use std::collections::{BTreeMap, HashSet};

/// Implicit columns (`_uuid`, `_version`) come first in a table schema's columns.
const N_IMPLICIT: usize = 2;

/// A database's persistent contents as the database file holds them: table → row →
/// (column, value printed as JSON) for every persistent column. Row versions and
/// ephemeral columns are left out, because the file does not carry them; values are
/// compared printed, because the file holds reals with 15 significant digits (as the
/// reference writes them), so a real read back is only equal to its printed self.
#[derive(Debug, PartialEq)]
pub struct Contents {
    pub tables: BTreeMap<String, BTreeMap<Uuid, Vec<(String, String)>>>,
    /// Some set or map has two keys that print alike (distinct reals that agree to 15
    /// digits): written and read back, they become one, so such contents can change
    /// in a round trip through the file.
    pub reals_print_alike: bool,
}

pub fn persistent_contents(db: &Database) -> Contents {
    let mut contents = Contents {
        tables: BTreeMap::new(),
        reals_print_alike: false,
    };
    for (name, table) in &db.tables {
        let Some(ts) = db.schema.table(name) else {
            continue;
        };
        let rows = table
            .rows
            .iter()
            .map(|(uuid, row)| {
                let columns = ts
                    .columns
                    .iter()
                    .enumerate()
                    .skip(N_IMPLICIT)
                    .filter(|(_, c)| c.persistent)
                    .map(|(i, c)| {
                        let json = row.datum(i).to_json(&c.type_);
                        if has_keys_that_print_alike(&json) {
                            contents.reals_print_alike = true;
                        }
                        (c.name.clone(), json.to_compact())
                    })
                    .collect();
                (*uuid, columns)
            })
            .collect();
        contents.tables.insert(name.clone(), rows);
    }
    contents
}

/// Every value fits its column: size range and atom constraints. With
/// `allow_defaults`, a column's default value passes even when it breaks the column's
/// constraints (a `Strict.level` of 0 with `minInteger` 1): the reference loads such
/// rows from a database file, though a transaction may not create them.
pub fn check_values(db: &Database, allow_defaults: bool) {
    for (name, ts) in &db.schema.tables {
        let Some(table) = db.tables.get(name) else {
            panic!("table {name} is missing");
        };
        for row in table.rows.values() {
            for (c, col) in ts.columns.iter().enumerate().skip(N_IMPLICIT) {
                let d = row.datum(c);
                if allow_defaults && d.is_default(&col.type_) {
                    continue;
                }
                if let Err(e) = d.check_size(&col.type_) {
                    panic!("{name}.{} of row {}: {e}", col.name, row.uuid);
                }
                if let Err(e) = d.check_constraints(&col.type_) {
                    panic!("{name}.{} of row {}: {e}", col.name, row.uuid);
                }
            }
        }
    }
}

/// The integrity rules every committed transaction must leave in place: references
/// resolve, non-root rows are referenced, unique indexes hold and match the index maps, `maxRows` holds, values fit
/// their columns, and the bookkeeping `Database::apply` maintains equals a rebuild.
pub fn check_integrity(db: &Database) {
    check_values(db, false);
    let mut rebuilt = db.clone();
    rebuilt.rebuild_indexes();
    assert!(
        db.tables == rebuilt.tables,
        "reference counts or indexes differ from a rebuild"
    );
    for (name, ts) in &db.schema.tables {
        let Some(table) = db.tables.get(name) else {
            panic!("table {name} is missing");
        };
        if let Some(max) = ts.max_rows {
            assert!(table.rows.len() as u64 <= max, "{name} exceeds maxRows");
        }
        for (i, cols) in ts.indexes.iter().enumerate() {
            let mut seen = HashSet::new();
            for row in table.rows.values() {
                let key: Vec<Datum> = cols.iter().map(|&c| row.get(c).into_owned()).collect();
                assert_eq!(
                    table.index_lookup(i, &key),
                    Some(row.uuid),
                    "index {i} of {name} misses row {}",
                    row.uuid
                );
                assert!(seen.insert(key), "two {name} rows share index {i}");
            }
        }
        for row in table.rows.values() {
            assert!(
                ts.is_root || table.strong_ref_count(&row.uuid) > 0,
                "unreferenced {name} row {} survived",
                row.uuid
            );
            for (c, col) in ts.columns.iter().enumerate().skip(N_IMPLICIT) {
                let d = row.datum(c);
                let bases = [
                    (Some(&col.type_.key), true),
                    (col.type_.value.as_ref(), false),
                ];
                for (base, is_key) in bases {
                    let Some(target) = base.and_then(|b| b.ref_table.as_ref()) else {
                        continue;
                    };
                    let atoms = if is_key { d.keys() } else { d.values() };
                    for atom in atoms {
                        let Some(uuid) = atom.as_uuid() else {
                            panic!("{name}.{} holds a non-UUID reference", col.name);
                        };
                        assert!(
                            db.row(target, &uuid).is_some(),
                            "{name}.{} of {} refers to missing {target} row {uuid}",
                            col.name,
                            row.uuid
                        );
                    }
                }
            }
        }
    }
}

/// Whether a datum's JSON form (`["set",[...]]` or `["map",[[k,v],...]]`) holds two
/// keys that print alike: distinct reals equal to 15 significant digits, such as
/// `0.1 + 0.2` and `0.3`. The database file holds them as one value (the reference
/// writes reals the same way), so contents with such a pair change when written and
/// read back.
fn has_keys_that_print_alike(datum: &Json) -> bool {
    let Some([Json::String(kind), Json::Array(items)]) = datum.as_array() else {
        return false;
    };
    let key = |item: &Json| -> Json {
        match (kind.as_str(), item.as_array()) {
            ("map", Some([k, _])) => k.clone(),
            _ => item.clone(),
        }
    };
    let mut printed: Vec<String> = items.iter().map(|i| key(i).to_compact()).collect();
    printed.sort();
    printed.windows(2).any(|w| w[0] == w[1])
}
