//! The database as commands see it: a snapshot of the fetched rows with the
//! transaction's own changes on top.
//!
//! Every read checks that the snapshot covers it (the row, the column, or for a scan
//! the whole table) and otherwise fails with [`Need`], which makes the driver fetch
//! more and run the commands again. Writes go to the [`overlay::Overlay`]; the commit
//! ([`commit`]) turns them into one transaction.
//!
//! Besides reads of rows and columns: lookups of the rows whose column equals a
//! value or whose set column includes an element ([`Db::find_where`],
//! [`Db::find_including`]), which may be guarded so that the commit checks they
//! still find the same rows, and changes of one element of a set that later reads
//! see ([`Db::set_change_seen`]).

pub mod commit;
pub mod order;
pub mod overlay;
pub mod plan;

pub use order::RowOrder;
pub use overlay::{Guard, Overlay, PartialOp};
pub use plan::{Clause, Need, Plan, Registry, Rows};

use crate::command::Failure;
use crate::session::ClauseRows;
use ovsdb::schema::ColumnSchema;
use ovsdb::{Atom, Datum, Uuid};
use ovsdb_idl::Replica;
use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::rc::Rc;

/// The snapshot plus the transaction.
pub struct Db<'r> {
    replica: &'r Replica,
    plan: &'r Plan,
    registry: &'r Registry,
    order: &'r RowOrder,
    /// What each select returned (empty when everything is monitored).
    clause_rows: &'r ClauseRows,
    /// Whether rows fetched by clause are monitored (their clause columns with them).
    watching: bool,
    /// Whether [`Db::find_or_assume`] may assume (see there).
    optimistic: bool,
    pub overlay: Overlay,
    /// Per table and column, the snapshot's rows by value, made on first use
    /// (the snapshot does not change while commands run): a lookup by name then
    /// costs the same with one row fetched or thousands.
    by_value: RefCell<HashMap<(String, String), Rc<ValueIndex>>>,
}

/// A column's values in the snapshot, with the rows holding each, in the
/// snapshot's order.
type ValueIndex = BTreeMap<Datum, Vec<Uuid>>;

fn column_schema(table: &str, column: &str) -> Result<&'static ColumnSchema, Failure> {
    crate::schema::schema()
        .table(table)
        .and_then(|t| t.column(column))
        .ok_or_else(|| Failure::Error(format!("no column {column} in table {table}")))
}

impl<'r> Db<'r> {
    pub fn new(
        replica: &'r Replica,
        plan: &'r Plan,
        registry: &'r Registry,
        order: &'r RowOrder,
    ) -> Db<'r> {
        static NO_CLAUSES: ClauseRows = ClauseRows::new();
        Db {
            replica,
            plan,
            registry,
            order,
            clause_rows: &NO_CLAUSES,
            watching: false,
            optimistic: false,
            overlay: Overlay::default(),
            by_value: RefCell::default(),
        }
    }

    /// Lets [`Db::find_or_assume`] assume.
    pub fn with_optimism(mut self, optimistic: bool) -> Db<'r> {
        self.optimistic = optimistic;
        self
    }

    /// Says what the selects returned, or that rows fetched by clause are watched.
    pub fn with_clause_rows(mut self, clause_rows: &'r ClauseRows, watching: bool) -> Db<'r> {
        self.clause_rows = clause_rows;
        self.watching = watching;
        self
    }

    /// What the reference would have registered.
    pub fn registry(&self) -> &Registry {
        self.registry
    }

    pub fn replica(&self) -> &'r Replica {
        self.replica
    }

    fn rows_plan(&self, table: &str) -> Option<&Rows> {
        self.plan.table(table).map(|t| &t.rows)
    }

    fn need_rows(table: &str, rows: Rows) -> Failure {
        Failure::Need(Need::Rows(table.to_owned(), rows))
    }

    fn check_column(&self, table: &str, column: &str) -> Result<(), Failure> {
        match self.plan.table(table) {
            Some(t) if t.columns.contains(column) => Ok(()),
            _ => Err(Failure::Need(Need::Column(
                table.to_owned(),
                column.to_owned(),
            ))),
        }
    }

    fn check_all(&self, table: &str) -> Result<(), Failure> {
        match self.rows_plan(table) {
            Some(Rows::All) => Ok(()),
            _ => Err(Self::need_rows(table, Rows::All)),
        }
    }

    /// Whether the row exists (in the snapshot, not deleted, or created here).
    pub fn row_exists(&self, table: &str, u: &Uuid) -> Result<bool, Failure> {
        if self.overlay.is_inserted(table, u) {
            return Ok(true);
        }
        if self.overlay.is_deleted(table, u) {
            return Ok(false);
        }
        if self.replica.row(table, u).is_some() {
            return Ok(true);
        }
        match self.rows_plan(table) {
            Some(rows) if rows.covers_uuid(u) => Ok(false),
            _ => Err(Self::need_rows(table, Rows::uuid(*u))),
        }
    }

    /// Every row of the table, in no particular order.
    pub fn rows_unordered(&self, table: &str) -> Result<Vec<Uuid>, Failure> {
        self.check_all(table)?;
        let mut rows: Vec<Uuid> = self
            .replica
            .rows(table)
            .map(|r| r.uuid)
            .filter(|u| !self.overlay.is_deleted(table, u))
            .collect();
        rows.extend(self.overlay.inserted.get(table).into_iter().flatten());
        Ok(rows)
    }

    /// Every row of the table, in the order the reference lists them.
    pub fn rows(&self, table: &str) -> Result<Vec<Uuid>, Failure> {
        self.check_all(table)?;
        // The order depends on the rows that refer to this table's rows.
        for (referrer, column) in self.registry.columns_referring_to(table) {
            self.check_all(referrer)?;
            self.check_column(referrer, column)?;
        }
        let inserted: &[Uuid] = self
            .overlay
            .inserted
            .get(table)
            .map_or(&[], |v| v.as_slice());
        let mut rows: Vec<Uuid> = self
            .order
            .with_inserted(table, inserted)
            .into_iter()
            .filter(|u| {
                self.overlay.is_inserted(table, u)
                    || (self.replica.row(table, u).is_some() && !self.overlay.is_deleted(table, u))
            })
            .collect();
        // Rows the order model missed (it should miss none) go last.
        for r in self.replica.rows(table) {
            if !self.order.knows(table, &r.uuid) && !self.overlay.is_deleted(table, &r.uuid) {
                rows.push(r.uuid);
            }
        }
        Ok(rows)
    }

    /// The rows whose `column` equals `value`.
    pub fn rows_where(
        &self,
        table: &str,
        column: &str,
        value: &Datum,
    ) -> Result<Vec<Uuid>, Failure> {
        match self.rows_plan(table) {
            Some(rows) if rows.covers_eq(column, value) => {}
            _ => return Err(Self::need_rows(table, Rows::eq(column, value.clone()))),
        }
        self.check_column(table, column)?;
        self.matching(table, column, value)
    }

    /// The rows of the snapshot (not deleted) and of this transaction whose
    /// `column` reads as `value`, in that order. Compares in place, without
    /// copying values: every lookup by name runs this over every row this
    /// transaction created (hundreds, in one `ovs-vsctl` with hundreds of
    /// commands).
    fn matching(&self, table: &str, column: &str, value: &Datum) -> Result<Vec<Uuid>, Failure> {
        let default = Datum::default_for(&column_schema(table, column)?.type_);
        let edits = self.overlay.table_edits(table);
        let index = self.snapshot_index(table, column, &default);
        let mut out = Vec::new();
        // Rows of the snapshot that held the value...
        for u in index.get(value).into_iter().flatten() {
            let same = match edits.and_then(|e| e.get(u)) {
                None => true,
                Some(edit) if matches!(edit.state, overlay::RowState::Deleted) => false,
                Some(_) => self.read(table, u, column)? == *value,
            };
            if same {
                out.push(*u);
            }
        }
        // ...and those this transaction gave it.
        let mut seen = HashSet::new();
        for u in self.overlay.changed_rows(table, column) {
            if !seen.insert(*u) || self.overlay.is_deleted(table, u) {
                continue;
            }
            let Some(row) = self.replica.row(table, u) else {
                continue;
            };
            if self.replica.get(table, row, column).unwrap_or(&default) != value
                && self.read(table, u, column)? == *value
            {
                out.push(*u);
            }
        }
        if *value != default {
            for u in self.overlay.new_rows_maybe(table, column, value) {
                if self.read(table, &u, column)? == *value {
                    out.push(u);
                }
            }
            return Ok(out);
        }
        for u in self.overlay.inserted.get(table).into_iter().flatten() {
            let same = match edits.and_then(|e| e.get(u)) {
                Some(edit) if !edit.partial.contains_key(column) => {
                    edit.written.get(column).unwrap_or(&default) == value
                }
                _ => self.read(table, u, column)? == *value,
            };
            if same {
                out.push(*u);
            }
        }
        Ok(out)
    }

    /// The snapshot's rows of `table` by their value of `column` (`default` where
    /// the replica has none).
    fn snapshot_index(&self, table: &str, column: &str, default: &Datum) -> Rc<ValueIndex> {
        let key = (table.to_owned(), column.to_owned());
        if let Some(index) = self.by_value.borrow().get(&key) {
            return Rc::clone(index);
        }
        let mut index = ValueIndex::new();
        for r in self.replica.rows(table) {
            let value = self.replica.get(table, r, column).unwrap_or(default);
            match index.get_mut(value) {
                Some(rows) => rows.push(r.uuid),
                None => {
                    index.insert(value.clone(), vec![r.uuid]);
                }
            }
        }
        let index = Rc::new(index);
        self.by_value.borrow_mut().insert(key, Rc::clone(&index));
        index
    }

    /// A column's value as this transaction sees it (partial changes excluded, as
    /// in the reference).
    pub fn read(&self, table: &str, u: &Uuid, column: &str) -> Result<Datum, Failure> {
        let mut value = self.read_base(table, u, column)?;
        if let Some(edit) = self.overlay.edit(table, u) {
            edit.apply_partial(column, &mut value, true);
        }
        Ok(value)
    }

    /// A column's value with every change of this transaction, partial ones
    /// included: what ovs-vsctl's own model of bridges and ports sees.
    pub fn read_effective(&self, table: &str, u: &Uuid, column: &str) -> Result<Datum, Failure> {
        let mut value = self.read_base(table, u, column)?;
        if let Some(edit) = self.overlay.edit(table, u) {
            edit.apply_partial(column, &mut value, false);
        }
        Ok(value)
    }

    /// The value written by this transaction or else the snapshot's.
    fn read_base(&self, table: &str, u: &Uuid, column: &str) -> Result<Datum, Failure> {
        if let Some(d) = self.overlay.written(table, u, column) {
            return Ok(d.clone());
        }
        let c = column_schema(table, column)?;
        if self.overlay.is_inserted(table, u) {
            return Ok(Datum::default_for(&c.type_));
        }
        self.check_column(table, column)?;
        match self.replica.row(table, u) {
            Some(row) => Ok(self
                .replica
                .get(table, row, column)
                .cloned()
                .unwrap_or_else(|| Datum::default_for(&c.type_))),
            None => {
                if !self.rows_plan(table).is_some_and(|r| r.covers_uuid(u)) {
                    return Err(Self::need_rows(table, Rows::uuid(*u)));
                }
                Ok(Datum::default_for(&c.type_))
            }
        }
    }

    /// The value of a column in the snapshot, ignoring the transaction.
    pub fn read_old(&self, table: &str, u: &Uuid, column: &str) -> Option<Datum> {
        let row = self.replica.row(table, u)?;
        self.replica.get(table, row, column).cloned()
    }

    /// Whether the column may be written in this row.
    pub fn is_mutable(&self, table: &str, u: &Uuid, column: &str) -> bool {
        column_schema(table, column).is_ok_and(|c| c.mutable) || self.overlay.is_inserted(table, u)
    }

    /// Asks the commit to check that a column still holds the value read.
    pub fn verify(&mut self, table: &str, u: &Uuid, column: &str) -> Result<(), Failure> {
        if !self.overlay.is_inserted(table, u) && self.overlay.written(table, u, column).is_none() {
            self.check_column(table, column)?;
        }
        self.overlay.verify(table, u, column);
        Ok(())
    }

    /// Writes a whole column.
    pub fn write(&mut self, table: &str, u: &Uuid, column: &str, value: Datum) {
        self.overlay.write(table, u, column, value);
    }

    /// Creates a row under `u` (a placeholder UUID, or with `explicit` the UUID the
    /// server should give it).
    pub fn insert(&mut self, table: &str, u: Uuid, explicit: bool) {
        self.overlay.insert(table, u, explicit);
    }

    pub fn delete(&mut self, table: &str, u: &Uuid) {
        self.overlay.delete(table, u);
    }

    /// Sets one key of a map column, as a partial update.
    pub fn map_set_partial(
        &mut self,
        table: &str,
        u: &Uuid,
        column: &str,
        key: Atom,
        value: Atom,
    ) -> Result<(), Failure> {
        let current = self.read(table, u, column)?;
        let op = if current.contains(&key) {
            PartialOp::Update(value)
        } else {
            PartialOp::Insert(Some(value))
        };
        self.overlay.partial(table, u, column, key, op);
        Ok(())
    }

    /// Removes one key of a map column, as a partial update.
    pub fn map_delete_partial(&mut self, table: &str, u: &Uuid, column: &str, key: Atom) {
        self.overlay
            .partial(table, u, column, key, PartialOp::Delete);
    }

    /// Adds one element to a set column, as a partial update.
    pub fn set_insert_partial(&mut self, table: &str, u: &Uuid, column: &str, element: Atom) {
        self.overlay
            .partial(table, u, column, element, PartialOp::Insert(None));
    }

    /// Removes one element from a set column, as a partial update.
    pub fn set_delete_partial(&mut self, table: &str, u: &Uuid, column: &str, element: Atom) {
        self.overlay
            .partial(table, u, column, element, PartialOp::Delete);
    }

    /// Like [`Db::set_insert_partial`] and [`Db::set_delete_partial`], but later
    /// reads see the change, as they would the reference's rewrite of the whole set
    /// (which this stands in for, to stay cheap on sets of thousands of elements).
    pub fn set_change_seen(
        &mut self,
        table: &str,
        u: &Uuid,
        column: &str,
        element: Atom,
        add: bool,
    ) {
        let op = if add {
            PartialOp::Insert(None)
        } else {
            PartialOp::Delete
        };
        self.overlay
            .partial_seen(table, u, column, element, op, true);
    }

    /// The plan this snapshot was fetched with.
    pub fn plan(&self) -> &Plan {
        self.plan
    }

    /// Whether every row of `table` was fetched, with these columns.
    pub fn has_all(&self, table: &str, columns: &[&str]) -> bool {
        self.plan
            .table(table)
            .is_some_and(|t| t.rows == Rows::All && columns.iter().all(|c| t.columns.contains(*c)))
    }

    /// [`Db::rows_where`], optionally guarded: the commit then checks that the
    /// rows matching are still the ones the snapshot had.
    pub fn find_where(
        &mut self,
        table: &str,
        column: &str,
        value: &Datum,
        guard: bool,
    ) -> Result<Vec<Uuid>, Failure> {
        let found = self.rows_where(table, column, value)?;
        let clause = Clause::Eq(column.to_owned(), value.clone());
        // The first lookup guards; the snapshot, and so what it expects, is the
        // same for the others (a command line may look one name up many times).
        if guard && !self.overlay.is_guarded(table, &clause) {
            let default = Datum::default_for(&column_schema(table, column)?.type_);
            let expected = self
                .snapshot_index(table, column, &default)
                .get(value)
                .cloned()
                .unwrap_or_default();
            self.overlay.guard(Guard {
                table: table.to_owned(),
                clause,
                expected,
            });
        }
        Ok(found)
    }

    /// For a lookup of a name this transaction is about to give a new row of
    /// `table`, whose index on `column` the server enforces: when those rows were
    /// not fetched, assumes the database has none (the rows this transaction
    /// creates or fetched for other reasons still count) instead of fetching them,
    /// which costs the server a pass over the table. Were the assumption wrong, the
    /// commit would break the index; the driver then runs everything again without
    /// assuming ([`Overlay::assumed`] says it did). Otherwise [`Db::find_where`],
    /// guarded.
    pub fn find_or_assume(
        &mut self,
        table: &str,
        column: &str,
        value: &Datum,
    ) -> Result<Vec<Uuid>, Failure> {
        let fetched = self
            .rows_plan(table)
            .is_some_and(|r| r.covers_eq(column, value));
        if !self.optimistic || fetched {
            return self.find_where(table, column, value, true);
        }
        self.check_column(table, column)?;
        self.overlay.assumed = true;
        self.matching(table, column, value)
    }

    /// The rows whose set `column` includes `element`, with this transaction's
    /// changes (partial ones included), optionally guarded like
    /// [`Db::find_where`]. Works without fetching the column: the select that
    /// fetched the rows says which they are.
    pub fn find_including(
        &mut self,
        table: &str,
        column: &str,
        element: &Atom,
        guard: bool,
    ) -> Result<Vec<Uuid>, Failure> {
        let datum = Datum::scalar(element.clone());
        // A row this transaction creates is in no set of the snapshot.
        let new_row = element
            .as_uuid()
            .is_some_and(|u| self.overlay.is_new_row(&u));
        if !new_row {
            match self.rows_plan(table) {
                Some(rows) if rows.covers_includes(column, &datum) => {}
                _ => return Err(Self::need_rows(table, Rows::includes(column, datum))),
            }
        }
        let clause = Clause::Includes(column.to_owned(), datum);
        let cached = self.clause_rows.get(&(table.to_owned(), clause.clone()));
        let snapshot: Vec<Uuid> = match cached {
            _ if new_row => Vec::new(),
            Some(rows) => rows.clone(),
            None => {
                let monitored =
                    self.watching && self.rows_plan(table).is_some_and(|r| *r != Rows::All);
                if !monitored {
                    self.check_column(table, column)?;
                }
                self.replica
                    .rows(table)
                    .filter(|r| {
                        self.replica
                            .get(table, r, column)
                            .is_some_and(|d| d.contains(element))
                    })
                    .map(|r| r.uuid)
                    .collect()
            }
        };
        let mut out = Vec::new();
        for u in &snapshot {
            if self.overlay.is_deleted(table, u) {
                continue;
            }
            let has = match self.overlay.edit(table, u) {
                Some(edit) => edit.includes_after(column, element, true),
                None => true,
            };
            if has {
                out.push(*u);
            }
        }
        for u in self.overlay.table_order(table) {
            if snapshot.contains(u) {
                continue;
            }
            let Some(edit) = self.overlay.edit(table, u) else {
                continue;
            };
            if matches!(edit.state, overlay::RowState::Deleted) || !edit.touches(column) {
                continue;
            }
            if edit.includes_after(column, element, false) {
                out.push(*u);
            }
        }
        if guard && !new_row {
            self.overlay.guard(Guard {
                table: table.to_owned(),
                clause,
                expected: snapshot,
            });
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::commit::{build, CommitOptions};
    use super::*;
    use ovs_json::Json;
    use ovsdb_idl::replica::UpdateFormat;

    fn uuid(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    fn name(s: &str) -> Datum {
        Datum::scalar(Atom::string(s))
    }

    /// Bridge br0 with port p1 (whose set of ports was not fetched: a select said
    /// which bridge includes p1), fetched by name and by what it includes.
    fn fixture() -> (Replica, Plan, ClauseRows) {
        let (b, p1) = (uuid(0xb), uuid(0x1));
        let mut replica = Replica::new(crate::schema::schema().clone());
        let updates = ovs_json::parse(&format!(
            r#"{{"Bridge": {{"{b}": {{"initial": {{"name": "br0"}}}}}},
                "Port": {{"{p1}": {{"initial": {{"name": "p1"}}}}}}}}"#
        ))
        .unwrap();
        replica.apply(&updates, UpdateFormat::V2).unwrap();
        let mut plan = Plan::default();
        let bridge = plan.table_mut("Bridge");
        bridge.columns.insert("name".into());
        bridge.rows = Rows::eq("name", name("br0"));
        bridge
            .rows
            .merge(&Rows::includes("ports", Datum::scalar(Atom::Uuid(p1))));
        let port = plan.table_mut("Port");
        port.columns.insert("name".into());
        port.rows = Rows::eq("name", name("p1"));
        port.rows.merge(&Rows::eq("name", name("p2")));
        let mut clause_rows = ClauseRows::new();
        clause_rows.insert(
            (
                "Bridge".into(),
                Clause::Includes("ports".into(), Datum::scalar(Atom::Uuid(p1))),
            ),
            vec![b],
        );
        (replica, plan, clause_rows)
    }

    #[test]
    fn membership_is_read_from_selects_and_the_transaction() {
        let (replica, plan, clause_rows) = fixture();
        let (registry, order) = (Registry::default(), RowOrder::default());
        let mut db =
            Db::new(&replica, &plan, &registry, &order).with_clause_rows(&clause_rows, false);
        let (b, p1, p2) = (uuid(0xb), uuid(0x1), uuid(0x2));
        let p1_atom = Atom::Uuid(p1);
        assert_eq!(
            db.find_including("Bridge", "ports", &p1_atom, true)
                .unwrap(),
            [b]
        );
        // Not fetched: asks for it.
        match db.find_including("Bridge", "ports", &Atom::Uuid(uuid(9)), false) {
            Err(Failure::Need(Need::Rows(t, _))) => assert_eq!(t, "Bridge"),
            other => panic!("{other:?}"),
        }
        // A new port added to the bridge is found in it without fetching anything.
        db.insert("Port", p2, false);
        db.write("Port", &p2, "name", name("p2"));
        db.set_change_seen("Bridge", &b, "ports", Atom::Uuid(p2), true);
        assert_eq!(
            db.find_including("Bridge", "ports", &Atom::Uuid(p2), false)
                .unwrap(),
            [b]
        );
        // One removed is not.
        db.set_change_seen("Bridge", &b, "ports", p1_atom.clone(), false);
        assert!(db
            .find_including("Bridge", "ports", &p1_atom, false)
            .unwrap()
            .is_empty());
        // Lookups by name see the new row; their guards expect the snapshot.
        assert_eq!(
            db.find_where("Port", "name", &name("p2"), true).unwrap(),
            [p2]
        );
        assert_eq!(
            db.find_where("Port", "name", &name("p1"), true).unwrap(),
            [p1]
        );
    }

    #[test]
    fn lookups_by_value_see_the_transaction() {
        let (replica, plan, clause_rows) = fixture();
        let (registry, order) = (Registry::default(), RowOrder::default());
        let mut db =
            Db::new(&replica, &plan, &registry, &order).with_clause_rows(&clause_rows, false);
        let (p1, p2, p3) = (uuid(0x1), uuid(0x2), uuid(0x3));
        let find = |db: &mut Db, n: &str| db.find_where("Port", "name", &name(n), false).unwrap();
        assert_eq!(find(&mut db, "p1"), [p1]);
        // A new row is found by the value written, and no longer once another
        // value replaces it or the row is deleted again.
        db.insert("Port", p2, false);
        db.write("Port", &p2, "name", name("p2"));
        assert_eq!(find(&mut db, "p2"), [p2]);
        db.write("Port", &p2, "name", name("p1"));
        assert!(find(&mut db, "p2").is_empty());
        assert_eq!(find(&mut db, "p1"), [p1, p2]);
        db.delete("Port", &p2);
        assert_eq!(find(&mut db, "p1"), [p1]);
        // A row of the snapshot renamed is found by its new name only; deleted,
        // by none.
        db.write("Port", &p1, "name", name("p2"));
        assert!(find(&mut db, "p1").is_empty());
        assert_eq!(find(&mut db, "p2"), [p1]);
        db.insert("Port", p3, false);
        db.write("Port", &p3, "name", name("p2"));
        assert_eq!(find(&mut db, "p2"), [p1, p3]);
        db.delete("Port", &p1);
        assert_eq!(find(&mut db, "p2"), [p3]);
    }

    #[test]
    fn lookups_are_guarded_and_membership_changes_mutate() {
        let (replica, plan, clause_rows) = fixture();
        let (registry, order) = (Registry::default(), RowOrder::default());
        let mut db =
            Db::new(&replica, &plan, &registry, &order).with_clause_rows(&clause_rows, false);
        let (b, p1, p2) = (uuid(0xb), uuid(0x1), uuid(0x2));
        db.find_including("Bridge", "ports", &Atom::Uuid(p1), true)
            .unwrap();
        db.find_where("Port", "name", &name("p2"), true).unwrap();
        db.insert("Port", p2, false);
        db.write("Port", &p2, "name", name("p2"));
        db.set_change_seen("Bridge", &b, "ports", Atom::Uuid(p2), true);
        let request = build(
            &db,
            &CommitOptions {
                comment: "c",
                dry_run: false,
                increment: None,
            },
        )
        .unwrap();
        let text: Vec<String> = request.ops.iter().map(Json::to_compact).collect();
        let wait_includes = text
            .iter()
            .position(|op| {
                op.contains(r#""op":"wait""#)
                    && op.contains(
                        r#"["ports","includes",["uuid","00000000-0000-0000-0000-000000000001"]]"#,
                    )
                    && op.contains(
                        r#""rows":[{"_uuid":["uuid","00000000-0000-0000-0000-00000000000b"]}]"#,
                    )
            })
            .unwrap_or_else(|| panic!("{text:#?}"));
        let wait_absent = text
            .iter()
            .position(|op| {
                op.contains(r#""op":"wait""#)
                    && op.contains(r#"["name","==","p2"]"#)
                    && op.contains(r#""rows":[]"#)
            })
            .unwrap_or_else(|| panic!("{text:#?}"));
        let insert = text
            .iter()
            .position(|op| op.contains(r#""op":"insert""#))
            .unwrap_or_else(|| panic!("{text:#?}"));
        let mutate = text
            .iter()
            .position(|op| op.contains(r#""op":"mutate""#) && op.contains(r#"["ports","insert""#))
            .unwrap_or_else(|| panic!("{text:#?}"));
        // The checks come before the changes they protect.
        assert!(wait_includes < insert && wait_absent < insert && insert < mutate);
        // The port is added, not the whole set rewritten.
        assert!(
            !text.iter().any(|op| op.contains(r#""op":"update""#)),
            "{text:#?}"
        );
    }
}
