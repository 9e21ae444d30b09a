//! The in-memory database: tables of rows, and the change sets that transactions commit.
//!
//! Rows are immutable and shared (`Arc<Row>`): a transaction builds new rows beside the
//! committed ones and [`Database::apply`] swaps them in, so readers (monitors, selects)
//! never see a half-applied transaction. A [`Changes`] value is the one description of a
//! committed transaction that the file writer, monitors and replication all consume.

use crate::atom::Uuid;
use crate::datum::Datum;
use crate::schema::{DatabaseSchema, TableSchema, N_IMPLICIT, UUID_COLUMN, VERSION_COLUMN};
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// One row: its UUID, its version, and a datum per column of the table (implicit
/// columns excluded).
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    pub uuid: Uuid,
    pub version: Uuid,
    data: Vec<Datum>,
}

impl Row {
    /// A row with every column at its default value.
    pub fn new_default(table: &TableSchema, uuid: Uuid) -> Row {
        Row {
            uuid,
            version: Uuid::new_v4(),
            data: table
                .user_columns()
                .iter()
                .map(|c| Datum::default_for(&c.type_))
                .collect(),
        }
    }

    /// The datum of column `col` (a schema column index, implicit columns included).
    pub fn get(&self, col: usize) -> Cow<'_, Datum> {
        match col {
            UUID_COLUMN => Cow::Owned(Datum::scalar(crate::Atom::Uuid(self.uuid))),
            VERSION_COLUMN => Cow::Owned(Datum::scalar(crate::Atom::Uuid(self.version))),
            _ => Cow::Borrowed(&self.data[col - N_IMPLICIT]),
        }
    }

    /// The datum of a table column (`col >= N_IMPLICIT`).
    pub fn datum(&self, col: usize) -> &Datum {
        &self.data[col - N_IMPLICIT]
    }

    /// Replaces the datum of a table column (`col >= N_IMPLICIT`).
    pub fn set(&mut self, col: usize, value: Datum) {
        self.data[col - N_IMPLICIT] = value;
    }

    pub fn datum_mut(&mut self, col: usize) -> &mut Datum {
        &mut self.data[col - N_IMPLICIT]
    }
}

/// A table's committed rows.
#[derive(Clone, Debug, Default)]
pub struct Table {
    pub rows: HashMap<Uuid, Arc<Row>>,
}

/// A database: a schema and its tables' contents.
#[derive(Clone, Debug)]
pub struct Database {
    pub schema: Arc<DatabaseSchema>,
    pub tables: BTreeMap<String, Table>,
}

/// What a transaction did to one row. `old: None` is an insert, `new: None` a delete.
#[derive(Clone, Debug, PartialEq)]
pub struct RowChange {
    pub old: Option<Arc<Row>>,
    pub new: Option<Arc<Row>>,
}

/// Everything a committed transaction changed, by table then row.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Changes {
    pub tables: BTreeMap<String, BTreeMap<Uuid, RowChange>>,
}

impl Changes {
    pub fn is_empty(&self) -> bool {
        self.tables.values().all(BTreeMap::is_empty)
    }

    /// Number of rows touched.
    pub fn n_rows(&self) -> usize {
        self.tables.values().map(BTreeMap::len).sum()
    }
}

impl Database {
    /// An empty database for `schema`.
    pub fn new(schema: Arc<DatabaseSchema>) -> Database {
        let tables = schema
            .tables
            .keys()
            .map(|n| (n.clone(), Table::default()))
            .collect();
        Database { schema, tables }
    }

    pub fn table(&self, name: &str) -> Option<&Table> {
        self.tables.get(name)
    }

    pub fn row(&self, table: &str, uuid: &Uuid) -> Option<&Arc<Row>> {
        self.tables.get(table).and_then(|t| t.rows.get(uuid))
    }

    /// Total number of rows in all tables.
    pub fn n_rows(&self) -> usize {
        self.tables.values().map(|t| t.rows.len()).sum()
    }

    /// Applies a committed change set.
    pub fn apply(&mut self, changes: &Changes) {
        for (tname, rows) in &changes.tables {
            let Some(table) = self.tables.get_mut(tname) else {
                continue;
            };
            for (uuid, change) in rows {
                match &change.new {
                    Some(row) => {
                        table.rows.insert(*uuid, row.clone());
                    }
                    None => {
                        table.rows.remove(uuid);
                    }
                }
            }
        }
    }
}
