//! The order in which the reference lists a table's rows, reproduced.
//!
//! The reference keeps each table's rows in a hash map keyed by the first 32 bits of
//! the UUID and lists them in that map's order, which depends on the order rows were
//! added. Rows are added as the monitor's updates are processed: tables in the order
//! the reference's JSON parser iterates the update object (a string hash map), rows
//! likewise, and a row is added early, as a placeholder, when a row processed before
//! it refers to it through a replicated column. This module replays that from the
//! text order of the updates we received (the server writes them the same way for
//! both programs) and the reference's registered columns.

use super::plan::Registry;
use ovs_hash_order::{hmap_order, iteration_order};
use ovsdb::{Atom, Uuid};
use ovsdb_idl::Replica;
use std::collections::{BTreeMap, HashSet};

/// What an update did to a row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RowChange {
    Insert,
    Modify,
    Delete,
}

/// One received table-updates object: tables in text order, each with its rows in
/// text order.
pub type UpdateText = Vec<(String, Vec<(Uuid, RowChange)>)>;

/// The tables that registered columns of the updated rows refer to rows of.
fn referenced_tables<'a>(
    update: &UpdateText,
    replica: &Replica,
    registry: &'a Registry,
) -> HashSet<&'a str> {
    let mut out = HashSet::new();
    for (table, rows) in update {
        let (Some(columns), Some(ts)) = (
            registry.tables.get(table),
            crate::schema::schema().table(table),
        ) else {
            continue;
        };
        for column in columns {
            let Some(c) = ts.column(column) else { continue };
            for base in [Some(&c.type_.key), c.type_.value.as_ref()]
                .into_iter()
                .flatten()
            {
                let Some(target) = &base.ref_table else {
                    continue;
                };
                let Some((name, _)) = registry.tables.get_key_value(target) else {
                    continue;
                };
                let used = rows.iter().any(|(u, _)| {
                    replica
                        .row(table, u)
                        .and_then(|r| replica.get(table, r, column))
                        .is_some_and(|d| !d.is_empty())
                });
                if used {
                    out.insert(name.as_str());
                }
            }
        }
    }
    out
}

/// Per table, the rows in the order the reference would have added them.
#[derive(Clone, Debug, Default)]
pub struct RowOrder {
    tables: BTreeMap<String, Table>,
}

#[derive(Clone, Debug, Default)]
struct Table {
    sequence: Vec<Uuid>,
    present: HashSet<Uuid>,
}

impl Table {
    fn add(&mut self, u: Uuid) {
        if self.present.insert(u) {
            self.sequence.push(u);
        }
    }

    fn remove(&mut self, u: &Uuid) {
        if self.present.remove(u) {
            self.sequence.retain(|x| x != u);
        }
    }
}

/// The reference's hash of a row's UUID.
pub fn uuid_hash(u: &Uuid) -> u32 {
    let b = u.as_bytes();
    u32::from_be_bytes([b[0], b[1], b[2], b[3]])
}

impl RowOrder {
    /// Replays one table-updates object, after the replica has applied it.
    pub fn apply(&mut self, update: &UpdateText, replica: &Replica, registry: &Registry) {
        let names = update.iter().map(|(t, _)| t.as_str());
        let mut tables: Vec<&str> = names.filter(|t| registry.has_table(t)).collect();
        // Tables the reference replicates but we did not fetch take a place in its
        // map of tables when they have rows, which we know of when a row we did
        // fetch refers to one.
        let referenced = referenced_tables(update, replica, registry);
        for t in registry.tables.keys() {
            if !tables.contains(&t.as_str()) && referenced.contains(t.as_str()) {
                tables.push(t);
            }
        }
        let present: HashSet<&str> = update.iter().map(|(t, _)| t.as_str()).collect();
        let order = iteration_order(tables, |t| t);
        for table in order.into_iter().filter(|t| present.contains(t)) {
            let Some((_, rows)) = update.iter().find(|(t, _)| t == table) else {
                continue;
            };
            let texts: Vec<(String, &Uuid, &RowChange)> =
                rows.iter().map(|(u, c)| (u.to_string(), u, c)).collect();
            let row_order = iteration_order(texts.iter(), |(text, _, _)| text.as_str());
            for &(_, uuid, change) in row_order {
                match change {
                    RowChange::Delete => self
                        .tables
                        .entry(table.to_owned())
                        .or_default()
                        .remove(uuid),
                    RowChange::Insert | RowChange::Modify => {
                        self.tables.entry(table.to_owned()).or_default().add(*uuid);
                        self.add_referenced(table, uuid, replica, registry);
                    }
                }
            }
        }
    }

    /// Adds placeholders for the rows that `uuid`'s registered columns refer to.
    fn add_referenced(&mut self, table: &str, uuid: &Uuid, replica: &Replica, registry: &Registry) {
        let (Some(columns), Some(row), Some(ts)) = (
            registry.tables.get(table),
            replica.row(table, uuid),
            crate::schema::schema().table(table),
        ) else {
            return;
        };
        for column in columns {
            let Some(c) = ts.column(column) else { continue };
            let key_ref = c.type_.key.ref_table.as_deref();
            let value_ref = c.type_.value.as_ref().and_then(|v| v.ref_table.as_deref());
            if key_ref.is_none() && value_ref.is_none() {
                continue;
            }
            let Some(datum) = replica.get(table, row, column) else {
                continue;
            };
            let values = datum.values();
            for (i, key) in datum.keys().iter().enumerate() {
                if let (Some(target), Atom::Uuid(u)) = (key_ref, key) {
                    self.tables.entry(target.to_owned()).or_default().add(*u);
                }
                if let (Some(target), Some(Atom::Uuid(u))) = (value_ref, values.get(i)) {
                    self.tables.entry(target.to_owned()).or_default().add(*u);
                }
            }
        }
    }

    /// Notes rows inserted by our own transaction, which the reference adds to the
    /// map when it creates them.
    pub fn with_inserted<'a>(&'a self, table: &str, inserted: &'a [Uuid]) -> Vec<Uuid> {
        let mut sequence: Vec<Uuid> = self
            .tables
            .get(table)
            .map(|t| t.sequence.clone())
            .unwrap_or_default();
        sequence.extend(inserted.iter().copied());
        hmap_order(sequence.into_iter().map(|u| (uuid_hash(&u), u)))
    }

    /// Whether the row was ever seen (placeholder or real).
    pub fn knows(&self, table: &str, u: &Uuid) -> bool {
        self.tables
            .get(table)
            .is_some_and(|t| t.present.contains(u))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_is_the_first_word() {
        let u = ovsdb::atom::parse_uuid("775a215a-2ba9-4bc7-8502-d92f252a2b51").unwrap();
        assert_eq!(uuid_hash(&u), 0x775a215a);
    }

    #[test]
    fn rows_list_in_the_reference_order() {
        // `ovs-vsctl list mirror` listed these three rows in this order.
        let ids = [
            "9a6b28f3-341c-4572-9bdd-d6be726dedd6",
            "424d6005-6098-4699-a554-caaa0e474b9b",
            "bd066442-4d16-4ec0-a2a1-b4842b1d7241",
        ];
        let rows: Vec<Uuid> = ids
            .iter()
            .map(|s| ovsdb::atom::parse_uuid(s).unwrap())
            .collect();
        let order = RowOrder::default();
        let listed = order.with_inserted("Mirror", &rows);
        let text: Vec<String> = listed.iter().map(Uuid::to_string).collect();
        assert_eq!(text, [ids[1], ids[2], ids[0]]);
    }
}
