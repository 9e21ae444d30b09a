//! The database as commands see it: a snapshot of the fetched rows with the
//! transaction's own changes on top.
//!
//! Every read checks that the snapshot covers it (the row, the column, or for a scan
//! the whole table) and otherwise fails with [`Need`], which makes the driver fetch
//! more and run the commands again. Writes go to the [`overlay::Overlay`]; the commit
//! ([`commit`]) turns them into one transaction.

pub mod commit;
pub mod order;
pub mod overlay;
pub mod plan;

pub use order::RowOrder;
pub use overlay::{Overlay, PartialOp};
pub use plan::{Need, Plan, Registry, Rows};

use crate::command::Failure;
use ovsdb::schema::ColumnSchema;
use ovsdb::{Atom, Datum, Uuid};
use ovsdb_idl::Replica;

/// The snapshot plus the transaction.
pub struct Db<'r> {
    replica: &'r Replica,
    plan: &'r Plan,
    registry: &'r Registry,
    order: &'r RowOrder,
    pub overlay: Overlay,
}

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
        Db {
            replica,
            plan,
            registry,
            order,
            overlay: Overlay::default(),
        }
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
        let mut out = Vec::new();
        for r in self.replica.rows(table) {
            if self.overlay.is_deleted(table, &r.uuid) {
                continue;
            }
            if self.read(table, &r.uuid, column)? == *value {
                out.push(r.uuid);
            }
        }
        for u in self.overlay.inserted.get(table).into_iter().flatten() {
            if self.read(table, u, column)? == *value {
                out.push(*u);
            }
        }
        Ok(out)
    }

    /// A column's value as this transaction sees it (partial changes excluded, as
    /// in the reference).
    pub fn read(&self, table: &str, u: &Uuid, column: &str) -> Result<Datum, Failure> {
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

    /// The plan this snapshot was fetched with.
    pub fn plan(&self) -> &Plan {
        self.plan
    }
}
