//! What to fetch: per table, the columns and which rows (all, or those with given
//! UUIDs, given column values, or whose set column includes a given element), and
//! what the reference would have registered.
//!
//! The reference replicates whole tables. We fetch only what the commands need,
//! which keeps a command on one bridge fast however many ports the database holds;
//! when a command turns out to need more than was fetched, it says so ([`Need`]) and
//! the plan grows.

use ovs_json::Json;
use ovsdb::{Datum, Uuid};
use ovsdb_idl::protocol::TableSelection;
use ovsdb_idl::Selection;
use std::collections::{BTreeMap, BTreeSet};

/// Which rows of a table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Rows {
    All,
    /// The rows with one of these UUIDs, or whose column equals one of these values,
    /// or whose set column includes one of these elements (a one-element datum).
    Some {
        uuids: BTreeSet<Uuid>,
        eq: BTreeSet<(String, Datum)>,
        includes: BTreeSet<(String, Datum)>,
    },
}

/// One condition rows are fetched by, as a `where` clause.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Clause {
    Uuid(Uuid),
    Eq(String, Datum),
    Includes(String, Datum),
}

impl Clause {
    /// The clause as JSON for `table`, or None if no row can match it (a value the
    /// column cannot hold; the server would refuse the whole request).
    pub fn to_json(&self, table: &str) -> Option<Json> {
        let (column, op, value) = match self {
            Clause::Uuid(u) => {
                return Some(Json::array([
                    Json::string("_uuid"),
                    Json::string("=="),
                    ovsdb::atom::uuid_to_json(u),
                ]))
            }
            Clause::Eq(c, v) => (c, "==", v),
            Clause::Includes(c, v) => (c, "includes", v),
        };
        let c = crate::schema::schema().table(table)?.column(column)?;
        let t = &c.type_;
        if op == "==" && value.check_constraints(t).is_err() {
            return None;
        }
        if op == "includes"
            && !value
                .keys()
                .iter()
                .all(|a| t.key.check_constraints(a).is_ok())
        {
            return None;
        }
        Some(Json::array([
            Json::string(column.as_str()),
            Json::string(op),
            value.to_json(t),
        ]))
    }
}

impl Rows {
    pub fn none() -> Rows {
        Rows::Some {
            uuids: BTreeSet::new(),
            eq: BTreeSet::new(),
            includes: BTreeSet::new(),
        }
    }

    pub fn uuid(u: Uuid) -> Rows {
        let mut rows = Rows::none();
        if let Rows::Some { uuids, .. } = &mut rows {
            uuids.insert(u);
        }
        rows
    }

    pub fn eq(column: &str, value: Datum) -> Rows {
        let mut rows = Rows::none();
        if let Rows::Some { eq, .. } = &mut rows {
            eq.insert((column.to_owned(), value));
        }
        rows
    }

    /// The rows whose set `column` includes `element` (a one-element datum).
    pub fn includes(column: &str, element: Datum) -> Rows {
        let mut rows = Rows::none();
        if let Rows::Some { includes, .. } = &mut rows {
            includes.insert((column.to_owned(), element));
        }
        rows
    }

    /// Adds `other`'s rows to these.
    pub fn merge(&mut self, other: &Rows) {
        match (&mut *self, other) {
            (Rows::All, _) => {}
            (_, Rows::All) => *self = Rows::All,
            (
                Rows::Some {
                    uuids,
                    eq,
                    includes,
                },
                Rows::Some {
                    uuids: ou,
                    eq: oe,
                    includes: oi,
                },
            ) => {
                uuids.extend(ou.iter().copied());
                eq.extend(oe.iter().cloned());
                includes.extend(oi.iter().cloned());
            }
        }
    }

    /// Whether these rows include every row `other` asks for.
    pub fn covers(&self, other: &Rows) -> bool {
        match (self, other) {
            (Rows::All, _) => true,
            (_, Rows::All) => false,
            (
                Rows::Some {
                    uuids,
                    eq,
                    includes,
                },
                Rows::Some {
                    uuids: ou,
                    eq: oe,
                    includes: oi,
                },
            ) => ou.is_subset(uuids) && oe.is_subset(eq) && oi.is_subset(includes),
        }
    }

    pub fn covers_includes(&self, column: &str, element: &Datum) -> bool {
        match self {
            Rows::All => true,
            Rows::Some { includes, .. } => includes.contains(&(column.to_owned(), element.clone())),
        }
    }

    /// The clauses these rows are fetched by (none for all rows).
    pub fn clauses(&self) -> Vec<Clause> {
        let Rows::Some {
            uuids,
            eq,
            includes,
        } = self
        else {
            return Vec::new();
        };
        let mut out: Vec<Clause> = uuids.iter().map(|u| Clause::Uuid(*u)).collect();
        out.extend(eq.iter().map(|(c, v)| Clause::Eq(c.clone(), v.clone())));
        out.extend(
            includes
                .iter()
                .map(|(c, v)| Clause::Includes(c.clone(), v.clone())),
        );
        out
    }

    pub fn covers_uuid(&self, u: &Uuid) -> bool {
        match self {
            Rows::All => true,
            Rows::Some { uuids, .. } => uuids.contains(u),
        }
    }

    pub fn covers_eq(&self, column: &str, value: &Datum) -> bool {
        match self {
            Rows::All => true,
            // A lookup, not a scan: a plan may hold thousands of names.
            Rows::Some { eq, .. } => eq.contains(&(column.to_owned(), value.clone())),
        }
    }

    /// The `monitor_cond` condition for these rows (a disjunction), or None for all.
    fn condition(&self, table: &str) -> Option<Json> {
        if *self == Rows::All {
            return None;
        }
        let mut clauses: Vec<Json> = self
            .clauses()
            .iter()
            .filter_map(|c| c.to_json(table))
            .collect();
        if clauses.is_empty() {
            clauses.push(Json::Bool(false));
        }
        Some(Json::Array(clauses))
    }
}

/// What to fetch of one table.
#[derive(Clone, Debug, PartialEq)]
pub struct TablePlan {
    pub columns: BTreeSet<String>,
    pub rows: Rows,
}

impl Default for TablePlan {
    fn default() -> TablePlan {
        TablePlan {
            columns: BTreeSet::new(),
            rows: Rows::none(),
        }
    }
}

/// What to fetch.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Plan {
    pub tables: BTreeMap<String, TablePlan>,
    /// How many lookups of the bridge that holds a port the commands may make
    /// (see [`Plan::prefer_whole_bridges`]).
    pub home_lookups: usize,
}

/// Above this many lookups of the bridge that holds a port, every bridge's ports
/// are fetched with the first fetch ([`Plan::prefer_whole_bridges`]).
pub const HOME_LOOKUPS_BEFORE_WHOLE_BRIDGES: usize = 16;

/// Something a command needs that the snapshot lacks.
#[derive(Clone, Debug, PartialEq)]
pub enum Need {
    Rows(String, Rows),
    Column(String, String),
    /// All of these at once (saves fetching one after the other).
    Several(Vec<Need>),
}

impl Plan {
    pub fn table_mut(&mut self, table: &str) -> &mut TablePlan {
        self.tables.entry(table.to_owned()).or_default()
    }

    /// With many lookups of the bridge that holds a port, fetches every bridge
    /// with its ports at once. Such a lookup is by the port's UUID, which only
    /// the first fetch says, so looking each up by itself takes a second fetch
    /// (and a second run of every command): cheap for one command, but a
    /// command line of hundreds of `del-port`s is better served by the one
    /// fetch the reference does, of every port UUID of every bridge. A single
    /// command in a database of tens of thousands of ports still fetches only
    /// what it names.
    pub fn prefer_whole_bridges(&mut self) {
        if self.home_lookups <= HOME_LOOKUPS_BEFORE_WHOLE_BRIDGES {
            return;
        }
        let bridge = self.table_mut("Bridge");
        bridge.rows = Rows::All;
        bridge.columns.insert("ports".to_owned());
    }

    /// Adds everything `other` fetches.
    pub fn merge(&mut self, other: &Plan) {
        self.home_lookups += other.home_lookups;
        for (name, t) in &other.tables {
            let mine = self.table_mut(name);
            mine.columns.extend(t.columns.iter().cloned());
            mine.rows.merge(&t.rows);
        }
    }

    /// Grows the plan to cover `need`; false if it already did.
    pub fn apply(&mut self, need: &Need) -> bool {
        match need {
            Need::Rows(table, rows) => {
                let t = self.table_mut(table);
                if t.rows.covers(rows) {
                    return false;
                }
                t.rows.merge(rows);
                true
            }
            Need::Column(table, column) => self.table_mut(table).columns.insert(column.clone()),
            Need::Several(needs) => {
                // Every one applied (no short cut): the plan grows by all of them.
                let mut grew = false;
                for need in needs {
                    grew |= self.apply(need);
                }
                grew
            }
        }
    }

    pub fn table(&self, table: &str) -> Option<&TablePlan> {
        self.tables.get(table)
    }

    /// The monitor selection for this plan: every table when `watch` (changes must
    /// be noticed), otherwise only the tables fetched whole (the order of their rows
    /// comes from the monitor's reply; see [`crate::db::order`]). The others are read
    /// with [`Plan::select_ops`].
    pub fn selection(&self, watch: bool) -> Selection {
        let mut selection = Selection::default();
        for (name, t) in &self.tables {
            if !watch && t.rows != Rows::All {
                continue;
            }
            let mut columns: BTreeSet<String> = t.columns.clone();
            // Rows found by what a set column includes are told apart by reading
            // that column when they are monitored rather than selected.
            if let Rows::Some { includes, .. } = &t.rows {
                columns.extend(includes.iter().map(|(c, _)| c.clone()));
            }
            selection.tables.insert(
                name.clone(),
                TableSelection {
                    columns: Some(columns.into_iter().collect()),
                    condition: t.rows.condition(name),
                },
            );
        }
        selection
    }
}

impl Plan {
    /// `select` operations reading the tables fetched by row (not watched), one per
    /// clause, with the table and clause each reads. Selecting is much cheaper for
    /// the server than monitoring: a monitor costs time for every row of the table,
    /// whatever its condition.
    pub fn select_ops(&self) -> Vec<(String, Clause, Json)> {
        let mut ops = Vec::new();
        for (name, t) in &self.tables {
            if t.rows == Rows::All || crate::schema::schema().table(name).is_none() {
                continue;
            }
            let mut columns = vec![Json::string("_uuid")];
            columns.extend(t.columns.iter().map(|c| Json::string(c.as_str())));
            for clause in t.rows.clauses() {
                let Some(json) = clause.to_json(name) else {
                    continue;
                };
                ops.push((
                    name.clone(),
                    clause,
                    Json::object([
                        ("op", Json::string("select")),
                        ("table", Json::string(name.as_str())),
                        ("where", Json::array([json])),
                        ("columns", Json::Array(columns.clone())),
                    ]),
                ));
            }
        }
        ops
    }
}

/// The tables and columns the reference's IDL would replicate for the same command
/// line. Row order in `list` and `find` output depends on it.
#[derive(Clone, Debug, Default)]
pub struct Registry {
    pub tables: BTreeMap<String, BTreeSet<String>>,
}

impl Registry {
    pub fn add_table(&mut self, table: &str) {
        self.tables.entry(table.to_owned()).or_default();
    }

    /// Registers a column; the tables it refers to are replicated too.
    pub fn add_column(&mut self, table: &str, column: &str) {
        self.tables
            .entry(table.to_owned())
            .or_default()
            .insert(column.to_owned());
        let Some(c) = crate::schema::schema()
            .table(table)
            .and_then(|t| t.column(column))
        else {
            return;
        };
        for base in [Some(&c.type_.key), c.type_.value.as_ref()]
            .into_iter()
            .flatten()
        {
            if let Some(target) = &base.ref_table {
                self.add_table(target);
            }
        }
    }

    pub fn has_table(&self, table: &str) -> bool {
        self.tables.contains_key(table)
    }

    /// Registered columns (in name order) of registered tables that refer to `target`.
    pub fn columns_referring_to<'a>(
        &'a self,
        target: &'a str,
    ) -> impl Iterator<Item = (&'a str, &'a str)> + 'a {
        self.tables.iter().flat_map(move |(table, columns)| {
            columns.iter().filter_map(move |column| {
                let c = crate::schema::schema().table(table)?.column(column)?;
                let refers = [Some(&c.type_.key), c.type_.value.as_ref()]
                    .into_iter()
                    .flatten()
                    .any(|b| b.ref_table.as_deref() == Some(target));
                refers.then_some((table.as_str(), column.as_str()))
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ovsdb::Atom;

    #[test]
    fn rows_merge_and_cover() {
        let mut r = Rows::uuid(Uuid::from_u128(1));
        let name = Rows::eq("name", Datum::scalar(Atom::string("br0")));
        assert!(!r.covers(&name));
        r.merge(&name);
        assert!(r.covers(&name));
        assert!(r.covers_uuid(&Uuid::from_u128(1)));
        assert!(!r.covers(&Rows::All));
        r.merge(&Rows::All);
        assert_eq!(r, Rows::All);
    }

    #[test]
    fn plans_grow_only_when_needed() {
        let mut p = Plan::default();
        assert!(p.apply(&Need::Column("Bridge".into(), "name".into())));
        assert!(!p.apply(&Need::Column("Bridge".into(), "name".into())));
        assert!(p.apply(&Need::Rows("Bridge".into(), Rows::All)));
        assert!(!p.apply(&Need::Rows("Bridge".into(), Rows::uuid(Uuid::nil()))));
        let sel = p.selection(false);
        let b = &sel.tables["Bridge"];
        assert_eq!(b.columns.as_deref(), Some(&["name".to_string()][..]));
        assert!(b.condition.is_none());
    }

    #[test]
    fn many_home_lookups_fetch_every_bridge_with_its_ports() {
        let mut few = Plan::default();
        few.table_mut("Bridge").rows = Rows::eq("name", Datum::scalar(Atom::string("br0")));
        few.home_lookups = HOME_LOOKUPS_BEFORE_WHOLE_BRIDGES;
        let mut many = few.clone();
        many.merge(&Plan {
            home_lookups: 1,
            ..Plan::default()
        });
        few.prefer_whole_bridges();
        many.prefer_whole_bridges();
        assert_ne!(few.tables["Bridge"].rows, Rows::All);
        assert_eq!(many.tables["Bridge"].rows, Rows::All);
        assert!(many.tables["Bridge"].columns.contains("ports"));
    }

    #[test]
    fn registering_a_reference_registers_its_table() {
        let mut r = Registry::default();
        r.add_column("Port", "qos");
        assert!(r.has_table("QoS"));
        let referrers: Vec<_> = r.columns_referring_to("QoS").collect();
        assert_eq!(referrers, [("Port", "qos")]);
    }
}
