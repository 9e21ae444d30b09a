//! The in-memory database: tables of rows, and the change sets that transactions commit.
//!
//! Rows are immutable and shared (`Arc<Row>`): a transaction builds new rows beside the
//! committed ones and [`Database::apply`] swaps them in, so readers (monitors, selects)
//! never see a half-applied transaction. A [`Changes`] value is the one description of a
//! committed transaction that the file writer, monitors and replication all consume.

use crate::atom::Uuid;
use crate::datum::Datum;
use crate::fasthash::FastMap;
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
    data: Box<[Datum]>,
}

impl Row {
    /// A row with every column at its default value.
    pub fn new_default(table: &TableSchema, uuid: Uuid) -> Row {
        Row {
            uuid,
            version: crate::uuidgen::new_uuid(),
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

/// A table's committed rows, plus the bookkeeping that transactions need to stay off full
/// scans: strong reference counts, weak referrers and unique indexes. Change `rows` only
/// through [`Database::apply`], which keeps the rest current (or call
/// [`Database::rebuild_indexes`] after filling `rows` directly).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Table {
    pub rows: HashMap<Uuid, Arc<Row>>,
    /// Strong references to each row from rows of any table (self-references excluded),
    /// for rows that have at least one.
    strong_refs: FastMap<Uuid, u32>,
    /// The rows that hold weak references to each row: (table, row) → how many.
    weak_refs: FastMap<Uuid, FastMap<(String, Uuid), u32>>,
    /// One map per schema index (`TableSchema::indexes`), from the indexed columns'
    /// values to the row that has them.
    indexes: Vec<FastMap<Vec<Datum>, Uuid>>,
}

impl Table {
    /// How many strong references other rows hold to row `uuid` of this table.
    pub fn strong_ref_count(&self, uuid: &Uuid) -> u32 {
        self.strong_refs.get(uuid).copied().unwrap_or(0)
    }

    /// The rows (table name, UUID) that hold weak references to row `uuid`.
    pub fn weak_referrers(&self, uuid: &Uuid) -> impl Iterator<Item = (&str, Uuid)> {
        self.weak_refs
            .get(uuid)
            .into_iter()
            .flat_map(|m| m.keys().map(|(t, u)| (t.as_str(), *u)))
    }

    /// The row whose columns of schema index `index` hold `key`, if the index is kept.
    pub fn index_lookup(&self, index: usize, key: &[Datum]) -> Option<Uuid> {
        self.indexes.get(index)?.get(key).copied()
    }

    /// Whether schema index `index` is kept (always, for tables made by [`Database`]).
    pub fn has_index(&self, index: usize) -> bool {
        index < self.indexes.len()
    }
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
            .iter()
            .map(|(n, ts)| {
                let table = Table {
                    indexes: vec![FastMap::default(); ts.indexes.len()],
                    ..Table::default()
                };
                (n.clone(), table)
            })
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

    /// Applies a committed change set, keeping reference counts and indexes current.
    pub fn apply(&mut self, changes: &Changes) {
        let schema = self.schema.clone();
        for (tname, rows) in &changes.tables {
            let Some(ts) = schema.tables.get(tname) else {
                continue;
            };
            let Some(table) = self.tables.get_mut(tname) else {
                continue;
            };
            if table.indexes.len() != ts.indexes.len() {
                table.indexes = vec![FastMap::default(); ts.indexes.len()];
                rebuild_unique_indexes(table, ts);
            }
            for (uuid, change) in rows {
                update_unique_indexes(table, ts, *uuid, change);
                match &change.new {
                    Some(row) => {
                        table.rows.insert(*uuid, row.clone());
                    }
                    None => {
                        table.rows.remove(uuid);
                    }
                }
            }
            for (uuid, change) in rows {
                self.update_refs(ts, *uuid, change.old.as_deref(), change.new.as_deref());
            }
        }
    }

    /// Recomputes reference counts and indexes from `rows`, for code that filled the
    /// tables directly instead of through [`Database::apply`].
    pub fn rebuild_indexes(&mut self) {
        let schema = self.schema.clone();
        for (name, ts) in &schema.tables {
            if let Some(table) = self.tables.get_mut(name) {
                table.strong_refs.clear();
                table.weak_refs.clear();
                table.indexes = vec![FastMap::default(); ts.indexes.len()];
                rebuild_unique_indexes(table, ts);
            }
        }
        for (name, ts) in &schema.tables {
            let rows: Vec<Arc<Row>> = match self.tables.get(name) {
                Some(t) => t.rows.values().cloned().collect(),
                None => continue,
            };
            for row in rows {
                self.update_refs(ts, row.uuid, None, Some(&row));
            }
        }
    }

    /// Moves the reference counts of the rows that `old`/`new` (versions of row `uuid`
    /// of table `ts`) point to.
    fn update_refs(&mut self, ts: &TableSchema, uuid: Uuid, old: Option<&Row>, new: Option<&Row>) {
        for (i, col) in ts.user_columns().iter().enumerate() {
            let bases = [Some(&col.type_.key), col.type_.value.as_ref()];
            if !bases.iter().flatten().any(|b| b.ref_table.is_some()) {
                continue;
            }
            let c = i + N_IMPLICIT;
            let old_d = old.map(|r| r.datum(c));
            let new_d = new.map(|r| r.datum(c));
            if old_d == new_d {
                continue;
            }
            let (removed_elems, added_elems) = added_removed(old_d, new_d);
            for (is_key, base) in [
                (true, Some(&col.type_.key)),
                (false, col.type_.value.as_ref()),
            ]
            .into_iter()
            .filter_map(|(k, b)| b.map(|b| (k, b)))
            {
                let Some(target) = &base.ref_table else {
                    continue;
                };
                // A row's references to itself do not keep it alive.
                let skip = (*target == ts.name).then_some(uuid);
                let Some(target_table) = self.tables.get_mut(target) else {
                    continue;
                };
                let strong = base.ref_type == crate::types::RefType::Strong;
                let removed = ref_uuids(&removed_elems, is_key, skip).map(|u| (u, -1));
                let added = ref_uuids(&added_elems, is_key, skip).map(|u| (u, 1));
                for (dst, delta) in removed.chain(added) {
                    let dst = &dst;
                    if strong {
                        let n = target_table.strong_refs.entry(*dst).or_insert(0);
                        *n = n.saturating_add_signed(delta);
                        if *n == 0 {
                            target_table.strong_refs.remove(dst);
                        }
                    } else {
                        let referrers = target_table.weak_refs.entry(*dst).or_default();
                        let n = referrers.entry((ts.name.clone(), uuid)).or_insert(0);
                        *n = n.saturating_add_signed(delta);
                        if *n == 0 {
                            referrers.remove(&(ts.name.clone(), uuid));
                        }
                        if referrers.is_empty() {
                            target_table.weak_refs.remove(dst);
                        }
                    }
                }
            }
        }
    }
}

/// The UUIDs among a datum's keys (or values), except `skip`.
fn ref_uuids(d: &Datum, keys: bool, skip: Option<Uuid>) -> impl Iterator<Item = Uuid> + '_ {
    (if keys { d.keys() } else { d.values() })
        .iter()
        .filter_map(crate::Atom::as_uuid)
        .filter(move |u| Some(*u) != skip)
}

/// The values of the columns of index `cols` in `row`.
pub(crate) fn index_key(row: &Row, cols: &[usize]) -> Vec<Datum> {
    cols.iter().map(|&c| row.get(c).into_owned()).collect()
}

fn rebuild_unique_indexes(table: &mut Table, ts: &TableSchema) {
    for (i, cols) in ts.indexes.iter().enumerate() {
        let index = &mut table.indexes[i];
        index.clear();
        for row in table.rows.values() {
            index.insert(index_key(row, cols), row.uuid);
        }
    }
}

fn update_unique_indexes(table: &mut Table, ts: &TableSchema, uuid: Uuid, change: &RowChange) {
    for (i, cols) in ts.indexes.iter().enumerate() {
        let old_key = change.old.as_deref().map(|r| index_key(r, cols));
        let new_key = change.new.as_deref().map(|r| index_key(r, cols));
        if old_key == new_key {
            continue;
        }
        let index = &mut table.indexes[i];
        if let Some(k) = old_key {
            if index.get(&k) == Some(&uuid) {
                index.remove(&k);
            }
        }
        if let Some(k) = new_key {
            index.insert(k, uuid);
        }
    }
}

/// The elements of `old` missing from `new`, and those of `new` missing from `old` (whole
/// pairs, for maps: a changed value counts as one removed and one added pair), by one
/// merge over the sorted keys.
pub(crate) fn added_removed(old: Option<&Datum>, new: Option<&Datum>) -> (Datum, Datum) {
    use std::cmp::Ordering;
    // Inserted and deleted rows (most changes) need no merge; copies are cheap.
    match (old, new) {
        (None, Some(new)) => return (Datum::empty(), new.clone()),
        (Some(old), None) => return (old.clone(), Datum::empty()),
        (None, None) => return (Datum::empty(), Datum::empty()),
        _ => {}
    }
    let empty = Datum::empty();
    let old = old.unwrap_or(&empty);
    let new = new.unwrap_or(&empty);
    let is_map = old.is_map_shaped() || new.is_map_shaped();
    let (ok, nk) = (old.keys(), new.keys());
    let mut removed = Vec::new();
    let mut added = Vec::new();
    let (mut i, mut j) = (0, 0);
    let pair = |d: &Datum, k: usize| (d.keys()[k].clone(), d.values().get(k).cloned());
    while i < ok.len() || j < nk.len() {
        let order = match (ok.get(i), nk.get(j)) {
            (Some(a), Some(b)) => a.cmp(b),
            (Some(_), None) => Ordering::Less,
            _ => Ordering::Greater,
        };
        match order {
            Ordering::Less => {
                removed.push(pair(old, i));
                i += 1;
            }
            Ordering::Greater => {
                added.push(pair(new, j));
                j += 1;
            }
            Ordering::Equal => {
                if is_map && old.values().get(i) != new.values().get(j) {
                    removed.push(pair(old, i));
                    added.push(pair(new, j));
                }
                i += 1;
                j += 1;
            }
        }
    }
    let build = |elems: Vec<(crate::Atom, Option<crate::Atom>)>| {
        let datum = if is_map {
            Datum::map(
                elems
                    .into_iter()
                    .filter_map(|(k, v)| v.map(|v| (k, v)))
                    .collect(),
            )
        } else {
            Datum::set(elems.into_iter().map(|(k, _)| k).collect())
        };
        // The elements come from valid datums, so they are sorted and unique.
        datum.unwrap_or_default()
    };
    (build(removed), build(added))
}
