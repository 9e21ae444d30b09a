//! A transaction in progress over a committed [`Database`]: copy-on-write rows, the view
//! that operations query, and the commit checks that turn it into
//! [`Changes`](crate::Changes).
//!
//! Only touched rows are copied (as `Arc<Row>`, cloned on first write), so a transaction
//! costs what it touches, not the size of the tables. Commit runs the reference's checks
//! in the reference's order: drop no-op changes, count strong references (referential
//! integrity), collect garbage, `maxRows`, weak references, unique indexes, `_version`
//! (see [`commit`]).

mod commit;

use crate::atom::Uuid;
use crate::condition::{compare_datums, Conditions};
use crate::datum::Datum;
use crate::db::{index_key, Database, Row, Table};
use crate::fasthash::FastMap;
use crate::schema::TableSchema;
use std::cell::Cell;
use std::collections::HashSet;
use std::sync::{Arc, OnceLock};

/// One row touched by the transaction. `old: None` is an insert, `new: None` a delete;
/// both `Some` and pointer-equal means "pulled in, not changed".
#[derive(Clone, Debug)]
pub(crate) struct TxnRow {
    pub old: Option<Arc<Row>>,
    pub new: Option<Arc<Row>>,
    /// Strong references to this row once the transaction commits (self excluded).
    n_refs: i64,
}

impl TxnRow {
    fn is_changed(&self) -> bool {
        match (&self.old, &self.new) {
            (Some(o), Some(n)) => !Arc::ptr_eq(o, n),
            (None, None) => false,
            _ => true,
        }
    }
}

/// The touched rows of one table, in the order they were first touched.
pub(crate) struct TxnTable<'a> {
    pub schema: &'a TableSchema,
    pub committed: &'a Table,
    slots: Vec<Option<TxnRow>>,
    by_uuid: FastMap<Uuid, usize>,
}

impl<'a> TxnTable<'a> {
    fn get(&self, uuid: &Uuid) -> Option<&TxnRow> {
        self.by_uuid.get(uuid).and_then(|&i| self.slots[i].as_ref())
    }

    fn get_mut(&mut self, uuid: &Uuid) -> Option<&mut TxnRow> {
        let i = *self.by_uuid.get(uuid)?;
        self.slots[i].as_mut()
    }

    fn rows(&self) -> impl Iterator<Item = &TxnRow> {
        self.slots.iter().flatten()
    }

    fn uuids(&self) -> Vec<Uuid> {
        self.slots
            .iter()
            .flatten()
            .filter_map(|r| r.old.as_ref().or(r.new.as_ref()).map(|r| r.uuid))
            .collect()
    }

    fn push(&mut self, uuid: Uuid, row: TxnRow) {
        self.by_uuid.insert(uuid, self.slots.len());
        self.slots.push(Some(row));
    }

    fn remove(&mut self, uuid: &Uuid) {
        if let Some(i) = self.by_uuid.remove(uuid) {
            self.slots[i] = None;
        }
    }
}

/// A transaction being built.
pub(crate) struct Txn<'a> {
    pub db: &'a Database,
    tables: Vec<TxnTable<'a>>,
    by_name: FastMap<&'a str, usize>,
    /// Committed rows examined by full-table scans (lookups by UUID or index add none).
    scanned: Cell<usize>,
}

fn empty_table() -> &'static Table {
    static EMPTY: OnceLock<Table> = OnceLock::new();
    EMPTY.get_or_init(Table::default)
}

impl<'a> Txn<'a> {
    pub fn new(db: &'a Database) -> Txn<'a> {
        Txn {
            db,
            tables: Vec::new(),
            by_name: FastMap::default(),
            scanned: Cell::new(0),
        }
    }

    fn table_index(&mut self, schema: &'a TableSchema) -> usize {
        if let Some(&i) = self.by_name.get(schema.name.as_str()) {
            return i;
        }
        let committed = self
            .db
            .tables
            .get(&schema.name)
            .unwrap_or_else(|| empty_table());
        self.tables.push(TxnTable {
            schema,
            committed,
            slots: Vec::new(),
            by_uuid: FastMap::default(),
        });
        self.by_name
            .insert(schema.name.as_str(), self.tables.len() - 1);
        self.tables.len() - 1
    }

    fn find(&self, table: &str) -> Option<&TxnTable<'a>> {
        self.by_name.get(table).map(|&i| &self.tables[i])
    }

    fn committed(&self, table: &TableSchema) -> &'a Table {
        self.db
            .tables
            .get(&table.name)
            .unwrap_or_else(|| empty_table())
    }

    /// Row `uuid` of `table` as the transaction currently sees it.
    pub fn row(&self, table: &TableSchema, uuid: &Uuid) -> Option<&Arc<Row>> {
        match self.find(&table.name).and_then(|t| t.get(uuid)) {
            Some(r) => r.new.as_ref(),
            None => self.committed(table).rows.get(uuid),
        }
    }

    /// Whether an insert may use `uuid`: not present, and not deleted by this transaction.
    pub fn may_create(&self, table: &TableSchema, uuid: &Uuid) -> bool {
        if let Some(r) = self.find(&table.name).and_then(|t| t.get(uuid)) {
            return r.new.is_none() && r.old.is_none();
        }
        !self.committed(table).rows.contains_key(uuid)
    }

    /// The rows of `table` that satisfy every clause of `cond`, in UUID order.
    pub fn query(&self, table: &TableSchema, cond: &Conditions) -> Vec<Arc<Row>> {
        if let Some(uuid) = cond.uuid_lookup() {
            return self
                .row(table, &uuid)
                .filter(|r| cond.evaluate(r))
                .cloned()
                .into_iter()
                .collect();
        }
        if let Some(rows) = self.query_by_index(table, cond) {
            return rows;
        }
        let txn_table = self.find(&table.name);
        let committed = self.committed(table);
        self.scanned.set(self.scanned.get() + committed.rows.len());
        let mut out: Vec<Arc<Row>> = committed
            .rows
            .values()
            .filter(|r| txn_table.is_none_or(|t| !t.by_uuid.contains_key(&r.uuid)))
            .filter(|r| cond.evaluate(r))
            .cloned()
            .collect();
        if let Some(t) = txn_table {
            out.extend(
                t.rows()
                    .filter_map(|r| r.new.as_ref())
                    .filter(|r| cond.evaluate(r))
                    .cloned(),
            );
        }
        out.sort_unstable_by_key(|r| r.uuid);
        out
    }

    /// Answers `cond` from a unique index when its `==` clauses cover one, so lookups by
    /// name do not scan the table. Rows touched by the transaction are checked directly.
    fn query_by_index(&self, table: &TableSchema, cond: &Conditions) -> Option<Vec<Arc<Row>>> {
        let committed = self.committed(table);
        let (i, cols) = table.indexes.iter().enumerate().find(|(i, cols)| {
            committed.has_index(*i)
                && cols
                    .iter()
                    .all(|c| cond.equalities().any(|(col, _)| col == *c))
        })?;
        let key: Vec<Datum> = cols
            .iter()
            .map(|c| {
                cond.equalities()
                    .find(|(col, _)| col == c)
                    .map(|(_, d)| d.clone())
                    .unwrap_or_default()
            })
            .collect();
        let txn_table = self.find(&table.name);
        let mut out = Vec::new();
        if let Some(uuid) = committed.index_lookup(i, &key) {
            let untouched = txn_table.is_none_or(|t| !t.by_uuid.contains_key(&uuid));
            if untouched {
                if let Some(row) = committed.rows.get(&uuid) {
                    if cond.evaluate(row) {
                        out.push(row.clone());
                    }
                }
            }
        }
        if let Some(t) = txn_table {
            out.extend(
                t.rows()
                    .filter_map(|r| r.new.as_ref())
                    .filter(|r| cond.evaluate(r))
                    .cloned(),
            );
        }
        out.sort_unstable_by_key(|r| r.uuid);
        Some(out)
    }

    /// Adds a new row (its UUID must pass [`Txn::may_create`]).
    pub fn insert(&mut self, table: &'a TableSchema, row: Row) {
        let ti = self.table_index(table);
        let uuid = row.uuid;
        let t = &mut self.tables[ti];
        if t.by_uuid.contains_key(&uuid) {
            t.remove(&uuid);
        }
        t.push(
            uuid,
            TxnRow {
                old: None,
                new: Some(Arc::new(row)),
                n_refs: 0,
            },
        );
    }

    /// Brings committed row `uuid` into the transaction unchanged (if it exists).
    fn touch(&mut self, table: &'a TableSchema, uuid: &Uuid) -> Option<usize> {
        let ti = self.table_index(table);
        let t = &mut self.tables[ti];
        if t.by_uuid.contains_key(uuid) {
            return Some(ti);
        }
        let row = t.committed.rows.get(uuid)?.clone();
        let n_refs = i64::from(t.committed.strong_ref_count(uuid));
        t.push(
            *uuid,
            TxnRow {
                old: Some(row.clone()),
                new: Some(row),
                n_refs,
            },
        );
        Some(ti)
    }

    /// A writable copy of row `uuid`, made on first write.
    pub fn modify(&mut self, table: &'a TableSchema, uuid: &Uuid) -> Option<&mut Row> {
        let ti = self.touch(table, uuid)?;
        let r = self.tables[ti].get_mut(uuid)?;
        r.new.as_mut().map(Arc::make_mut)
    }

    /// Sets row `uuid` to `new` (`None` deletes it) wholesale, as a change read back from
    /// storage does.
    pub fn put(&mut self, table: &'a TableSchema, uuid: Uuid, new: Option<Arc<Row>>) {
        if self.touch(table, &uuid).is_some() {
            let ti = self.table_index(table);
            if let Some(r) = self.tables[ti].get_mut(&uuid) {
                r.new = new;
            }
        } else if let Some(row) = new {
            let ti = self.table_index(table);
            self.tables[ti].push(
                uuid,
                TxnRow {
                    old: None,
                    new: Some(row),
                    n_refs: 0,
                },
            );
        }
    }

    /// Deletes row `uuid`. A row inserted by this transaction disappears without trace.
    pub fn delete(&mut self, table: &'a TableSchema, uuid: &Uuid) {
        let Some(ti) = self.touch(table, uuid) else {
            return;
        };
        let t = &mut self.tables[ti];
        let inserted_here = t.get(uuid).is_some_and(|r| r.old.is_none());
        if inserted_here {
            t.remove(uuid);
        } else if let Some(r) = t.get_mut(uuid) {
            r.new = None;
        }
    }
}

/// Rows in the reference's sort order for `select` with `sort`: by the sort columns,
/// each compared as datums.
pub(crate) fn sort_rows(rows: &mut [Arc<Row>], cols: &[usize]) {
    if cols.is_empty() {
        return;
    }
    rows.sort_by(|a, b| {
        cols.iter()
            .map(|&c| compare_datums(&a.get(c), &b.get(c)))
            .find(|o| o.is_ne())
            .unwrap_or(std::cmp::Ordering::Equal)
    });
}

/// Distinct projections of `rows` onto `cols`, first occurrence kept.
pub(crate) fn distinct_rows(rows: Vec<Arc<Row>>, cols: &[usize]) -> Vec<Arc<Row>> {
    let mut seen = HashSet::new();
    rows.into_iter()
        .filter(|r| seen.insert(index_key(r, cols)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::{Changes, RowChange};
    use crate::schema::DatabaseSchema;
    use crate::Atom;
    use std::collections::BTreeMap;

    fn db_with_rows(n: usize) -> Database {
        let schema = ovs_json::parse(
            r#"{"name":"T","tables":{"P":{"columns":{"name":{"type":"string"},"n":{"type":"integer"}},
                "indexes":[["name"]],"isRoot":true}}}"#,
        )
        .unwrap();
        let schema = Arc::new(DatabaseSchema::from_json(&schema).unwrap());
        let mut db = Database::new(schema.clone());
        let table = schema.table("P").unwrap();
        let mut rows = BTreeMap::new();
        for i in 0..n {
            let mut row = Row::new_default(table, Uuid::new_v4());
            let (name, n) = (col(table, "name"), col(table, "n"));
            row.set(name, Datum::scalar(Atom::string(&format!("p{i}"))));
            row.set(n, Datum::scalar(Atom::Integer(i as i64)));
            let uuid = row.uuid;
            rows.insert(
                uuid,
                RowChange {
                    old: None,
                    new: Some(Arc::new(row)),
                },
            );
        }
        let mut changes = Changes::default();
        changes.tables.insert("P".into(), rows);
        db.apply(&changes);
        db
    }

    fn col(table: &TableSchema, name: &str) -> usize {
        table.column_index(name).unwrap()
    }

    fn cond(db: &Database, json: &str) -> Conditions {
        let table = db.schema.table("P").unwrap();
        Conditions::from_json(table, &ovs_json::parse(json).unwrap(), None).unwrap()
    }

    #[test]
    fn uuid_and_index_lookups_do_not_scan() {
        let db = db_with_rows(1000);
        let table = db.schema.table("P").unwrap();
        let some = db.tables["P"].rows.values().next().unwrap().clone();
        let txn = Txn::new(&db);
        let by_uuid = cond(
            &db,
            &format!(r#"[["_uuid","==",["uuid","{}"]]]"#, some.uuid),
        );
        assert_eq!(txn.query(table, &by_uuid).len(), 1);
        let by_name = cond(&db, r#"[["name","==","p7"],["n","==",7]]"#);
        assert_eq!(txn.query(table, &by_name).len(), 1);
        let no_match = cond(&db, r#"[["name","==","p7"],["n","==",8]]"#);
        assert!(txn.query(table, &no_match).is_empty());
        assert_eq!(txn.scanned.get(), 0);
        // Anything else scans.
        assert_eq!(txn.query(table, &cond(&db, r#"[["n","<",10]]"#)).len(), 10);
        assert_eq!(txn.scanned.get(), 1000);
    }

    #[test]
    fn lookups_see_the_transaction() {
        let db = db_with_rows(3);
        let table = db.schema.table("P").unwrap();
        let mut txn = Txn::new(&db);
        let p1 = txn.query(table, &cond(&db, r#"[["name","==","p1"]]"#))[0].uuid;
        let name = col(table, "name");
        txn.modify(table, &p1)
            .unwrap()
            .set(name, Datum::scalar(Atom::string("renamed")));
        assert!(txn
            .query(table, &cond(&db, r#"[["name","==","p1"]]"#))
            .is_empty());
        assert_eq!(
            txn.query(table, &cond(&db, r#"[["name","==","renamed"]]"#))
                .len(),
            1
        );
        let p2 = txn.query(table, &cond(&db, r#"[["name","==","p2"]]"#))[0].uuid;
        txn.delete(table, &p2);
        assert!(txn.row(table, &p2).is_none());
        let by_uuid = cond(&db, &format!(r#"[["_uuid","==",["uuid","{p2}"]]]"#));
        assert!(txn.query(table, &by_uuid).is_empty());
        assert_eq!(txn.scanned.get(), 0);
    }
}
