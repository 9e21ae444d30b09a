//! The changes a run of the command list makes, kept beside the snapshot: reads see
//! them, and the commit turns them into operations.
//!
//! The semantics are the reference IDL's, which decide what ovs-vsctl sends and
//! therefore what ends up in the database: a whole-column write replaces pending
//! partial changes of that column; partial changes are not visible to later reads;
//! verifying a column already written (or of a new row) does nothing; a map update
//! decides at the time of the call whether it inserts a key or replaces one.

use super::plan::Clause;
use ovsdb::{Atom, Datum, Uuid};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// A partial change to one key of a map or one element of a set.
#[derive(Clone, Debug, PartialEq)]
pub enum PartialOp {
    /// Add a key (map: with its value) that was absent when the change was made.
    Insert(Option<Atom>),
    /// Replace the value of a map key that was present.
    Update(Atom),
    /// Remove a key or element.
    Delete,
}

/// A row's state in the transaction.
#[derive(Clone, Debug, PartialEq)]
pub enum RowState {
    /// A row of the snapshot, possibly changed.
    Existing,
    /// Deleted from the snapshot.
    Deleted,
    /// Created by this transaction, with the name its insert operation binds, or
    /// under an explicit UUID the server is asked to use.
    Inserted { name: String, explicit: bool },
}

#[derive(Clone, Debug)]
pub struct RowEdit {
    pub state: RowState,
    /// Whole-column values written (for new rows: every column set).
    pub written: BTreeMap<String, Datum>,
    /// Partial changes per column, per key, in the order keys were first changed.
    pub partial: BTreeMap<String, Vec<(Atom, PartialOp)>>,
    /// The (column, key) partial changes that reads see: those standing in for a
    /// whole-column write of the reference (which reads would see).
    pub visible: BTreeSet<(String, Atom)>,
}

impl RowEdit {
    fn new(state: RowState) -> RowEdit {
        RowEdit {
            state,
            written: BTreeMap::new(),
            partial: BTreeMap::new(),
            visible: BTreeSet::new(),
        }
    }

    /// Applies this row's partial changes of `column` to `value`: all of them, or
    /// with `visible_only` those reads see.
    pub fn apply_partial(&self, column: &str, value: &mut Datum, visible_only: bool) {
        let Some(ops) = self.partial.get(column) else {
            return;
        };
        for (key, op) in ops {
            if visible_only && !self.visible.contains(&(column.to_owned(), key.clone())) {
                continue;
            }
            match op {
                PartialOp::Insert(None) => value.insert_key(key.clone()),
                PartialOp::Insert(Some(v)) | PartialOp::Update(v) => {
                    value.set_pair(key.clone(), v.clone())
                }
                PartialOp::Delete => {
                    value.remove_key(key);
                }
            }
        }
    }

    /// Whether `column` would include `key` after this row's changes, if it did
    /// (`base`) or not before them.
    pub fn includes_after(&self, column: &str, key: &Atom, base: bool) -> bool {
        let mut has = match self.written.get(column) {
            Some(d) => d.contains(key),
            None => base,
        };
        if let Some(ops) = self.partial.get(column) {
            for (k, op) in ops {
                if k == key {
                    has = !matches!(op, PartialOp::Delete);
                }
            }
        }
        has
    }

    /// Whether this transaction changes `column` of the row.
    pub fn touches(&self, column: &str) -> bool {
        self.written.contains_key(column) || self.partial.contains_key(column)
    }
}

/// A check, sent before the changes, that the rows a lookup found are still the
/// ones that match it.
#[derive(Clone, Debug, PartialEq)]
pub struct Guard {
    pub table: String,
    pub clause: Clause,
    pub expected: Vec<Uuid>,
}

/// Everything the transaction changes.
#[derive(Clone, Debug, Default)]
pub struct Overlay {
    /// Rows in the order they were first changed (the order of their operations).
    pub order: Vec<(String, Uuid)>,
    /// Per table, per row, the changes (by table first, so that finding a row's
    /// changes, which every read does, allocates nothing).
    rows: HashMap<String, HashMap<Uuid, RowEdit>>,
    /// Per table, its rows in `order`.
    table_order: HashMap<String, Vec<Uuid>>,
    /// Columns to verify, in order, per row.
    pub verifies: Vec<(String, Uuid, String)>,
    /// The same, for finding one quickly (thousands are verified at once).
    verified: std::collections::HashSet<(String, Uuid, String)>,
    /// Per table, the rows this transaction created, in order.
    pub inserted: BTreeMap<String, Vec<Uuid>>,
    /// The same rows, of every table, for finding one quickly, each with the
    /// number of its creation (which orders them as `inserted` does).
    new_rows: HashMap<Uuid, usize>,
    /// How many rows were created (deleted ones included).
    created: usize,
    /// Per table and column, every value written to that column of a new row,
    /// with the rows it was written to: lookups by value among new rows go
    /// through this rather than through every new row. Never shrinks: it may
    /// list rows that no longer hold the value, or no longer exist
    /// ([`Overlay::new_rows_maybe`] says what to check).
    new_values: HashMap<String, HashMap<String, BTreeMap<Datum, Vec<Uuid>>>>,
    /// Per table and column, the new rows with partial changes of that column
    /// (which may give it any value).
    new_partials: HashMap<String, HashMap<String, Vec<Uuid>>>,
    /// Per table and column, the rows of the snapshot whose column this
    /// transaction changes, wholly or partly (may repeat a row).
    changed: HashMap<String, HashMap<String, Vec<Uuid>>>,
    /// Lookups to check again when committing, in order.
    pub guards: Vec<Guard>,
    /// Their tables and clauses, for finding one quickly.
    guarded: BTreeMap<String, BTreeSet<Clause>>,
    /// Whether a lookup assumed instead of fetching (see `Db::find_or_assume`).
    pub assumed: bool,
}

impl Overlay {
    pub fn edit(&self, table: &str, u: &Uuid) -> Option<&RowEdit> {
        self.rows.get(table)?.get(u)
    }

    /// The rows of `table` this transaction changes, in the order of `order`.
    pub fn table_order(&self, table: &str) -> &[Uuid] {
        self.table_order.get(table).map_or(&[], Vec::as_slice)
    }

    /// The changes of every row of `table` changed, by row.
    pub fn table_edits(&self, table: &str) -> Option<&HashMap<Uuid, RowEdit>> {
        self.rows.get(table)
    }

    fn edit_mut(&mut self, table: &str, u: &Uuid) -> &mut RowEdit {
        if !self.rows.contains_key(table) {
            self.rows.insert(table.to_owned(), HashMap::new());
        }
        let Some(edits) = self.rows.get_mut(table) else {
            unreachable!("the table's map was just made");
        };
        edits.entry(*u).or_insert_with(|| {
            self.order.push((table.to_owned(), *u));
            match self.table_order.get_mut(table) {
                Some(rows) => rows.push(*u),
                None => {
                    self.table_order.insert(table.to_owned(), vec![*u]);
                }
            }
            RowEdit::new(RowState::Existing)
        })
    }

    pub fn is_inserted(&self, table: &str, u: &Uuid) -> bool {
        matches!(
            self.edit(table, u).map(|e| &e.state),
            Some(RowState::Inserted { .. })
        )
    }

    /// Whether `u` is a row this transaction creates, in any table.
    pub fn is_new_row(&self, u: &Uuid) -> bool {
        self.new_rows.contains_key(u)
    }

    pub fn is_deleted(&self, table: &str, u: &Uuid) -> bool {
        matches!(
            self.edit(table, u).map(|e| &e.state),
            Some(RowState::Deleted)
        )
    }

    /// The value written to a column, if any.
    pub fn written(&self, table: &str, u: &Uuid, column: &str) -> Option<&Datum> {
        self.edit(table, u).and_then(|e| e.written.get(column))
    }

    pub fn insert(&mut self, table: &str, u: Uuid, explicit: bool) {
        let name = format!("row{}", u.to_string().replace('-', "_"));
        let edit = self.edit_mut(table, &u);
        *edit = RowEdit::new(RowState::Inserted { name, explicit });
        self.inserted.entry(table.to_owned()).or_default().push(u);
        self.new_rows.insert(u, self.created);
        self.created += 1;
    }

    pub fn delete(&mut self, table: &str, u: &Uuid) {
        if self.is_inserted(table, u) {
            if let Some(edits) = self.rows.get_mut(table) {
                edits.remove(u);
            }
            self.order.retain(|(t, x)| !(t == table && x == u));
            if let Some(rows) = self.table_order.get_mut(table) {
                rows.retain(|x| x != u);
            }
            if let Some(list) = self.inserted.get_mut(table) {
                list.retain(|x| x != u);
            }
            self.new_rows.remove(u);
            return;
        }
        let edit = self.edit_mut(table, u);
        *edit = RowEdit::new(RowState::Deleted);
    }

    pub fn write(&mut self, table: &str, u: &Uuid, column: &str, value: Datum) {
        if !self.is_inserted(table, u) {
            self.changed_existing(table, u, column);
        } else {
            let rows = self
                .new_values
                .entry(table.to_owned())
                .or_default()
                .entry(column.to_owned())
                .or_default()
                .entry(value.clone())
                .or_default();
            if rows.last() != Some(u) {
                rows.push(*u);
            }
        }
        let edit = self.edit_mut(table, u);
        edit.partial.remove(column);
        edit.visible.retain(|(c, _)| c != column);
        edit.written.insert(column.to_owned(), value);
    }

    fn changed_existing(&mut self, table: &str, u: &Uuid, column: &str) {
        let rows = self
            .changed
            .entry(table.to_owned())
            .or_default()
            .entry(column.to_owned())
            .or_default();
        if rows.last() != Some(u) {
            rows.push(*u);
        }
    }

    /// The rows of the snapshot whose `column` this transaction changes (or
    /// changed: some may be deleted since), possibly more than once each.
    pub fn changed_rows(&self, table: &str, column: &str) -> &[Uuid] {
        self.changed
            .get(table)
            .and_then(|c| c.get(column))
            .map_or(&[], Vec::as_slice)
    }

    /// The rows this transaction created in `table` whose `column` may read as
    /// `value` (not the column's default: rows never written hold that), in the
    /// order they were created. A superset: callers read each to be sure.
    pub fn new_rows_maybe(&self, table: &str, column: &str, value: &Datum) -> Vec<Uuid> {
        let written = self
            .new_values
            .get(table)
            .and_then(|c| c.get(column))
            .and_then(|v| v.get(value));
        let partial = self.new_partials.get(table).and_then(|c| c.get(column));
        let mut rows: Vec<(usize, Uuid)> = written
            .into_iter()
            .chain(partial)
            .flatten()
            .filter(|u| self.is_inserted(table, u))
            .filter_map(|u| self.new_rows.get(u).map(|n| (*n, *u)))
            .collect();
        rows.sort_unstable();
        rows.dedup();
        rows.into_iter().map(|(_, u)| u).collect()
    }

    /// Records a guard (once per table and clause).
    pub fn guard(&mut self, guard: Guard) {
        if self.is_guarded(&guard.table, &guard.clause) {
            return;
        }
        self.guarded
            .entry(guard.table.clone())
            .or_default()
            .insert(guard.clause.clone());
        self.guards.push(guard);
    }

    /// Whether a guard of `table` by `clause` was recorded.
    pub fn is_guarded(&self, table: &str, clause: &Clause) -> bool {
        self.guarded
            .get(table)
            .is_some_and(|clauses| clauses.contains(clause))
    }

    /// Records a partial change of `key`, merged with an earlier one for the same key
    /// as the reference merges them: an insert then a delete cancel out, otherwise
    /// the later change replaces the earlier.
    pub fn partial(&mut self, table: &str, u: &Uuid, column: &str, key: Atom, op: PartialOp) {
        self.partial_seen(table, u, column, key, op, false);
    }

    /// Like [`Overlay::partial`]; with `visible`, reads see the change.
    pub fn partial_seen(
        &mut self,
        table: &str,
        u: &Uuid,
        column: &str,
        key: Atom,
        op: PartialOp,
        visible: bool,
    ) {
        if !self.is_inserted(table, u) {
            self.changed_existing(table, u, column);
        } else {
            let rows = self
                .new_partials
                .entry(table.to_owned())
                .or_default()
                .entry(column.to_owned())
                .or_default();
            if rows.last() != Some(u) {
                rows.push(*u);
            }
        }
        let edit = self.edit_mut(table, u);
        let seen = (column.to_owned(), key.clone());
        if visible {
            edit.visible.insert(seen);
        } else {
            edit.visible.remove(&seen);
        }
        let ops = edit.partial.entry(column.to_owned()).or_default();
        if let Some(i) = ops.iter().position(|(k, _)| *k == key) {
            if matches!(ops[i].1, PartialOp::Insert(_)) && op == PartialOp::Delete {
                ops.remove(i);
            } else {
                ops[i].1 = op;
            }
        } else {
            ops.push((key, op));
        }
    }

    /// Records a verification of a column of a snapshot row, unless the column was
    /// written or the row is new.
    pub fn verify(&mut self, table: &str, u: &Uuid, column: &str) {
        if let Some(edit) = self.edit(table, u) {
            if matches!(edit.state, RowState::Inserted { .. }) || edit.written.contains_key(column)
            {
                return;
            }
        }
        let key = (table.to_owned(), *u, column.to_owned());
        if self.verified.insert(key.clone()) {
            self.verifies.push(key);
        }
    }

    /// Temporary UUIDs of rows inserted under a name, with that name.
    pub fn named_inserts(&self) -> HashMap<Uuid, String> {
        self.rows
            .values()
            .flatten()
            .filter_map(|(u, e)| match &e.state {
                RowState::Inserted {
                    name,
                    explicit: false,
                } => Some((*u, name.clone())),
                _ => None,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insert_then_delete_of_a_key_cancel() {
        let mut o = Overlay::default();
        let u = Uuid::from_u128(1);
        o.partial(
            "Bridge",
            &u,
            "other_config",
            Atom::string("a"),
            PartialOp::Insert(Some(Atom::string("1"))),
        );
        o.partial(
            "Bridge",
            &u,
            "other_config",
            Atom::string("a"),
            PartialOp::Delete,
        );
        assert!(o.edit("Bridge", &u).unwrap().partial["other_config"].is_empty());
        o.partial(
            "Bridge",
            &u,
            "other_config",
            Atom::string("b"),
            PartialOp::Update(Atom::string("1")),
        );
        o.partial(
            "Bridge",
            &u,
            "other_config",
            Atom::string("b"),
            PartialOp::Update(Atom::string("2")),
        );
        assert_eq!(
            o.edit("Bridge", &u).unwrap().partial["other_config"],
            [(Atom::string("b"), PartialOp::Update(Atom::string("2")))]
        );
        // A whole write replaces pending partial changes.
        o.write("Bridge", &u, "other_config", Datum::empty());
        assert!(o.edit("Bridge", &u).unwrap().partial.is_empty());
    }

    #[test]
    fn verify_skips_written_columns_and_new_rows() {
        let mut o = Overlay::default();
        let (a, b) = (Uuid::from_u128(1), Uuid::from_u128(2));
        o.write("Bridge", &a, "name", Datum::empty());
        o.verify("Bridge", &a, "name");
        o.insert("QoS", b, false);
        o.verify("QoS", &b, "type");
        o.verify("Bridge", &a, "ports");
        o.verify("Bridge", &a, "ports");
        assert_eq!(o.verifies.len(), 1);
        // Deleting a new row forgets it.
        o.delete("QoS", &b);
        assert!(o.edit("QoS", &b).is_none());
        assert!(o.inserted["QoS"].is_empty());
    }
}
