//! Commit checks for a [`Txn`], in the reference's order: drop no-op changes, count
//! strong references (referential integrity), collect garbage, `maxRows`, weak
//! references, unique indexes, then fresh `_version`s, producing the [`Changes`].

use super::{Txn, TxnRow, TxnTable};
use crate::atom::{Atom, Uuid};
use crate::datum::Datum;
use crate::db::{added_removed, index_key, Changes, Row, RowChange};
use crate::error::{Error, Result};
use crate::fasthash::FastMap;
use crate::schema::{TableSchema, N_IMPLICIT};
use crate::types::BaseType;
use std::collections::BTreeMap;
use std::sync::Arc;

impl<'a> Txn<'a> {
    /// Runs the commit checks and returns what the transaction changes.
    pub fn commit(mut self) -> Result<Changes> {
        self.drop_unchanged();
        if self
            .tables
            .iter()
            .all(|t| !t.rows().any(TxnRow::is_changed))
        {
            return Ok(Changes::default());
        }
        self.count_references()?;
        self.collect_garbage();
        self.check_max_rows()?;
        self.clean_weak_references()?;
        self.check_indexes()?;
        Ok(self.into_changes())
    }

    /// Forgets rows whose new contents equal the old ones.
    fn drop_unchanged(&mut self) {
        for t in &mut self.tables {
            let same: Vec<Uuid> = t
                .rows()
                .filter_map(|r| match (&r.old, &r.new) {
                    (Some(o), Some(n)) if Arc::ptr_eq(o, n) || o == n => Some(o.uuid),
                    _ => None,
                })
                .collect();
            for uuid in same {
                t.remove(&uuid);
            }
        }
    }

    /// Every (table, row) currently in the transaction, in first-touch order.
    fn all_rows(&self) -> Vec<(usize, Uuid)> {
        self.tables
            .iter()
            .enumerate()
            .flat_map(|(ti, t)| t.uuids().into_iter().map(move |u| (ti, u)))
            .collect()
    }

    fn schema_of(&self, name: &str) -> Option<&'a TableSchema> {
        self.db.schema.tables.get(name)
    }

    /// Updates reference counts for every strong reference added or removed, and checks
    /// referential integrity.
    fn count_references(&mut self) -> Result<()> {
        for (ti, uuid) in self.all_rows() {
            let table = self.tables[ti].schema;
            let Some(r) = self.tables[ti].get(&uuid).cloned() else {
                continue;
            };
            for (c, col) in table.columns.iter().enumerate().skip(N_IMPLICIT) {
                if !has_strong_refs(&col.type_.key, col.type_.value.as_ref()) {
                    continue;
                }
                let old = r.old.as_ref().map(|o| o.datum(c));
                let new = r.new.as_ref().map(|n| n.datum(c));
                if old == new {
                    continue;
                }
                let (removed, added) = added_removed(old, new);
                for (base, atoms) in ref_atoms(&col.type_.key, col.type_.value.as_ref(), &removed) {
                    for target in atoms.iter().filter_map(Atom::as_uuid) {
                        if !is_self_ref(table, uuid, base, target) {
                            self.adjust_refs(base, &target, -1);
                        }
                    }
                }
                for (base, atoms) in ref_atoms(&col.type_.key, col.type_.value.as_ref(), &added) {
                    for target in atoms.iter().filter_map(Atom::as_uuid) {
                        if !is_self_ref(table, uuid, base, target)
                            && !self.adjust_refs(base, &target, 1)
                        {
                            return Err(Error::new(
                                "referential integrity violation",
                                format!(
                                    "Table {} column {} row {uuid} references nonexistent row \
                                     {target} in table {}.",
                                    table.name,
                                    col.name,
                                    base.ref_table.as_deref().unwrap_or("")
                                ),
                            ));
                        }
                    }
                }
            }
        }
        for t in &self.tables {
            for r in t.rows() {
                if let (Some(old), None) = (&r.old, &r.new) {
                    if r.n_refs > 0 {
                        return Err(Error::new(
                            "referential integrity violation",
                            format!(
                                "cannot delete {} row {} because of {} remaining reference(s)",
                                t.schema.name, old.uuid, r.n_refs
                            ),
                        ));
                    }
                }
            }
        }
        Ok(())
    }

    /// Adds `delta` to the reference count of row `target` of `base`'s table; false if
    /// there is no such row (in the transaction or committed).
    fn adjust_refs(&mut self, base: &BaseType, target: &Uuid, delta: i64) -> bool {
        let Some(table) = base.ref_table.as_deref().and_then(|n| self.schema_of(n)) else {
            return false;
        };
        let ti = self.table_index(table);
        if self.tables[ti].get(target).is_none() && self.touch(table, target).is_none() {
            return false;
        }
        match self.tables[ti].get_mut(target) {
            Some(r) => {
                r.n_refs += delta;
                true
            }
            None => false,
        }
    }

    /// Deletes rows of non-root tables that nothing references any more, and whatever
    /// only they referenced.
    fn collect_garbage(&mut self) {
        let mut work: Vec<(usize, Uuid)> = self
            .all_rows()
            .into_iter()
            .filter(|(ti, u)| {
                !self.tables[*ti].schema.is_root
                    && self.tables[*ti]
                        .get(u)
                        .is_some_and(|r| r.new.is_some() && r.n_refs <= 0)
            })
            .collect();
        while let Some((ti, uuid)) = work.pop() {
            let table = self.tables[ti].schema;
            let Some(r) = self.tables[ti].get_mut(&uuid) else {
                continue;
            };
            let Some(row) = r.new.take() else {
                continue;
            };
            if r.old.is_none() {
                // Inserted and collected in the same transaction: no trace at all.
                self.tables[ti].remove(&uuid);
            }
            for (c, col) in table.columns.iter().enumerate().skip(N_IMPLICIT) {
                let datum = row.datum(c);
                for (base, atoms) in ref_atoms(&col.type_.key, col.type_.value.as_ref(), datum) {
                    if !base.is_strong_ref() {
                        continue;
                    }
                    let Some(target_table) =
                        base.ref_table.as_deref().and_then(|n| self.schema_of(n))
                    else {
                        continue;
                    };
                    for target in atoms.iter().filter_map(Atom::as_uuid) {
                        if is_self_ref(table, uuid, base, target) {
                            continue;
                        }
                        let tti = self.table_index(target_table);
                        if self.tables[tti].get(&target).is_none()
                            && self.touch(target_table, &target).is_none()
                        {
                            continue;
                        }
                        if let Some(tr) = self.tables[tti].get_mut(&target) {
                            if tr.new.is_none() {
                                continue;
                            }
                            tr.n_refs -= 1;
                            if tr.n_refs <= 0 && !target_table.is_root {
                                work.push((tti, target));
                            }
                        }
                    }
                }
            }
        }
    }

    fn check_max_rows(&self) -> Result<()> {
        for t in &self.tables {
            let Some(max) = t.schema.max_rows else {
                continue;
            };
            let mut n = t.committed.rows.len() as i64;
            for r in t.rows() {
                match (&r.old, &r.new) {
                    (None, Some(_)) => n += 1,
                    (Some(_), None) => n -= 1,
                    _ => {}
                }
            }
            if n > max as i64 {
                return Err(Error::constraint(format!(
                    "transaction causes \"{}\" table to contain {n} rows, greater than the \
                     schema-defined limit of {max} row(s)",
                    t.schema.name
                )));
            }
        }
        Ok(())
    }

    /// Whether row `uuid` of `table` exists once the transaction commits.
    fn exists_after(&self, table: &str, uuid: &Uuid) -> bool {
        let Some(ts) = self.schema_of(table) else {
            return false;
        };
        self.row(ts, uuid).is_some()
    }

    /// Removes weak references to rows that are deleted or never existed, failing if
    /// that leaves a column with fewer elements than its type allows.
    fn clean_weak_references(&mut self) -> Result<()> {
        // Rows that weakly reference a deleted row must be re-examined even if the
        // transaction did not touch them.
        let mut referrers = Vec::new();
        for t in &self.tables {
            for r in t.rows() {
                if let (Some(old), None) = (&r.old, &r.new) {
                    for (table, uuid) in t.committed.weak_referrers(&old.uuid) {
                        referrers.push((table.to_owned(), uuid));
                    }
                }
            }
        }
        for (table, uuid) in referrers {
            if let Some(ts) = self.schema_of(&table) {
                self.touch(ts, &uuid);
            }
        }

        for (ti, uuid) in self.all_rows() {
            let table = self.tables[ti].schema;
            if !has_weak_refs(table) {
                continue;
            }
            let Some(row) = self.tables[ti].get(&uuid).and_then(|r| r.new.clone()) else {
                continue;
            };
            let inserted = self.tables[ti].get(&uuid).is_some_and(|r| r.old.is_none());
            for (c, col) in table.columns.iter().enumerate().skip(N_IMPLICIT) {
                let key_weak = col.type_.key.is_weak_ref();
                let value_weak = col.type_.value.as_ref().is_some_and(BaseType::is_weak_ref);
                if !key_weak && !value_weak {
                    continue;
                }
                let datum = row.datum(c);
                let mut zero = false;
                let mut dangling = |base: &BaseType, atom: &Atom| -> bool {
                    let Some(u) = atom.as_uuid() else {
                        return false;
                    };
                    let target = base.ref_table.as_deref().unwrap_or("");
                    if self.exists_after(target, &u) {
                        return false;
                    }
                    if u.is_nil() {
                        zero = true;
                    }
                    true
                };
                let mut cleaned = datum.clone();
                cleaned.retain(|k, v| {
                    let bad_key = key_weak && dangling(&col.type_.key, k);
                    let bad_value = match (v, col.type_.value.as_ref()) {
                        (Some(v), Some(vt)) if value_weak => dangling(vt, v),
                        _ => false,
                    };
                    !bad_key && !bad_value
                });
                if cleaned.len() == datum.len() {
                    continue;
                }
                let removed = datum.len() - cleaned.len();
                if cleaned.len() < col.type_.min as usize {
                    return Err(if zero && inserted {
                        Error::constraint(format!(
                            "Weak reference column \"{}\" in \"{}\" row {uuid} (inserted within \
                             this transaction) contained all-zeros UUID (probably as the default \
                             value for this column) but deleting this value caused a constraint \
                             volation because this column is not allowed to be empty.",
                            col.name, table.name
                        ))
                    } else {
                        Error::constraint(format!(
                            "Deletion of {removed} weak reference(s) to deleted (or \
                             never-existing) rows from column \"{}\" in \"{}\" row {uuid} \
                             {}caused this column to become empty, but constraints on this \
                             column disallow an empty column.",
                            col.name,
                            table.name,
                            if inserted {
                                "(inserted within this transaction) "
                            } else {
                                ""
                            }
                        ))
                    });
                }
                if let Some(r) = self.tables[ti].get_mut(&uuid) {
                    if let Some(new) = r.new.as_mut() {
                        Arc::make_mut(new).set(c, cleaned);
                    }
                }
            }
        }
        Ok(())
    }

    /// Checks that no two rows share the values of a unique index.
    fn check_indexes(&self) -> Result<()> {
        for t in &self.tables {
            if t.schema.indexes.is_empty() {
                continue;
            }
            for (i, cols) in t.schema.indexes.iter().enumerate() {
                let mut seen: FastMap<Vec<Datum>, &Arc<Row>> = FastMap::default();
                for r in t.rows() {
                    let Some(row) = &r.new else {
                        continue;
                    };
                    let key = index_key(row, cols);
                    if let Some(first) = seen.get(&key) {
                        return Err(self.duplicate_index_error(t, cols, first, row));
                    }
                    let committed = if t.committed.has_index(i) {
                        t.committed.index_lookup(i, &key)
                    } else {
                        t.committed
                            .rows
                            .values()
                            .find(|c| index_key(c, cols) == key)
                            .map(|c| c.uuid)
                    };
                    if let Some(other) = committed {
                        if other != row.uuid && !t.by_uuid.contains_key(&other) {
                            if let Some(other_row) = t.committed.rows.get(&other) {
                                return Err(self.duplicate_index_error(t, cols, other_row, row));
                            }
                        }
                    }
                    seen.insert(key, row);
                }
            }
        }
        Ok(())
    }

    fn duplicate_index_error(
        &self,
        t: &TxnTable,
        cols: &[usize],
        a: &Arc<Row>,
        b: &Arc<Row>,
    ) -> Error {
        // Order the two rows predictably, the later UUID first.
        let (a, b) = if a.uuid < b.uuid { (b, a) } else { (a, b) };
        let values = columns_to_string(t.schema, a, cols);
        let names: Vec<String> = cols
            .iter()
            .map(|&c| format!("\"{}\"", t.schema.columns[c].name))
            .collect();
        let index = format!(
            "column{} {}",
            if cols.len() > 1 { "s" } else { "" },
            english_list(&names)
        );
        Error::constraint(format!(
            "Transaction causes multiple rows in \"{}\" table to have identical values ({values}) \
             for index on {index}.  {}  {}",
            t.schema.name,
            describe_index_row(t, cols, a, "First"),
            describe_index_row(t, cols, b, "Second")
        ))
    }

    /// The change set, with fresh `_version`s for modified rows.
    fn into_changes(self) -> Changes {
        let mut changes = Changes::default();
        for t in self.tables {
            let mut rows = BTreeMap::new();
            for r in t.slots.into_iter().flatten() {
                if !r.is_changed() {
                    continue;
                }
                let TxnRow { old, mut new, .. } = r;
                if let (Some(_), Some(n)) = (&old, &mut new) {
                    Arc::make_mut(n).version = crate::uuidgen::new_uuid();
                }
                let uuid = match (&old, &new) {
                    (Some(o), _) => o.uuid,
                    (None, Some(n)) => n.uuid,
                    (None, None) => continue,
                };
                rows.insert(uuid, RowChange { old, new });
            }
            if !rows.is_empty() {
                changes.tables.insert(t.schema.name.clone(), rows);
            }
        }
        changes
    }
}

fn describe_index_row(t: &TxnTable, cols: &[usize], row: &Arc<Row>, title: &str) -> String {
    let what = match t.get(&row.uuid) {
        Some(r) if r.is_changed() => match &r.old {
            None => "was inserted by this transaction.".to_owned(),
            Some(old) if index_key(old, cols) == index_key(row, cols) => {
                "existed in the database before this transaction, which modified some of the \
                 row's columns but not any columns in this index."
                    .to_owned()
            }
            Some(old) => format!(
                "had the following index values before the transaction: {}.",
                columns_to_string(t.schema, old, cols)
            ),
        },
        _ => "existed in the database before this transaction and was not modified by the \
              transaction."
            .to_owned(),
    };
    format!("{title} row, with UUID {}, {what}", row.uuid)
}

/// `a`, `a and b`, `a, b, and c`.
fn english_list(items: &[String]) -> String {
    let n = items.len();
    let mut s = String::new();
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            s.push_str(if i < n - 1 {
                ", "
            } else if n > 2 {
                ", and "
            } else {
                " and "
            });
        }
        s.push_str(item);
    }
    s
}

fn columns_to_string(table: &TableSchema, row: &Row, cols: &[usize]) -> String {
    let parts: Vec<String> = cols
        .iter()
        .map(|&c| row.get(c).to_string_form(&table.columns[c].type_))
        .collect();
    english_list(&parts)
}

/// Whether a reference from row `uuid` of `table` to `target` through `base` points back
/// at the row itself. Such references do not keep the row alive. (Open vSwitch compares
/// only the UUIDs, so a reference into another table that happens to carry the row's
/// own UUID escapes its integrity check there; here it is checked like any other.)
fn is_self_ref(table: &TableSchema, uuid: Uuid, base: &BaseType, target: Uuid) -> bool {
    target == uuid && base.ref_table.as_deref() == Some(table.name.as_str())
}

fn has_strong_refs(key: &BaseType, value: Option<&BaseType>) -> bool {
    key.is_strong_ref() || value.is_some_and(BaseType::is_strong_ref)
}

fn has_weak_refs(table: &TableSchema) -> bool {
    table.columns.iter().any(|c| {
        c.type_.key.is_weak_ref() || c.type_.value.as_ref().is_some_and(BaseType::is_weak_ref)
    })
}

/// The reference-typed parts of a datum (its keys, its values) with the base type of
/// each; the UUIDs are the atoms' `as_uuid`.
fn ref_atoms<'b, 'd>(
    key: &'b BaseType,
    value: Option<&'b BaseType>,
    datum: &'d Datum,
) -> impl Iterator<Item = (&'b BaseType, &'d [Atom])> {
    let keys = key.ref_table.is_some().then_some((key, datum.keys()));
    let values = value
        .filter(|v| v.ref_table.is_some())
        .map(|v| (v, datum.values()));
    keys.into_iter().chain(values)
}
