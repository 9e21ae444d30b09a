//! Fuzz-style test of the transaction engine on stable Rust: proptest feeds random words
//! to a generator that turns them into transactions shaped by a schema (mostly valid
//! operations, with wrong types, unknown names and garbage mixed in). Whatever the
//! input, `execute` must not panic, and every commit must leave a database that keeps
//! every integrity rule: references resolve, unreferenced non-root rows are gone, indexes
//! are unique, `maxRows` holds, every value fits its column, and the bookkeeping that
//! `Database::apply` maintains equals a rebuild from scratch.

use ovs_json::Json;
use ovsdb::{
    execute, Atom, AtomicType, BaseType, Database, DatabaseSchema, ExecContext, Execution,
    TableSchema, Type,
};
use proptest::prelude::*;
use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

/// Turns random words into choices.
struct Gen<'a> {
    words: &'a [u64],
    pos: usize,
}

impl Gen<'_> {
    fn next(&mut self) -> u64 {
        let w = if self.words.is_empty() {
            0
        } else {
            self.words[self.pos % self.words.len()]
                .rotate_left((self.pos / self.words.len()) as u32 * 7)
        };
        self.pos += 1;
        w
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn pick<'b, T>(&mut self, items: &'b [T]) -> &'b T {
        &items[self.below(items.len())]
    }
}

const NAMES: [&str; 4] = ["n0", "n1", "n2", "n3"];

fn fixed_uuid(i: usize) -> String {
    format!("00000000-0000-4000-8000-{i:012x}")
}

fn garbage(g: &mut Gen) -> Json {
    match g.below(7) {
        0 => Json::Null,
        1 => Json::Integer(g.next() as i64),
        2 => Json::string("garbage"),
        3 => Json::array([]),
        4 => Json::object([("x", Json::Integer(1))]),
        5 => Json::array([Json::string("set"), Json::Integer(1)]),
        _ => Json::Real(0.5),
    }
}

fn atom(g: &mut Gen, base: &BaseType) -> Json {
    if g.chance(1) {
        return garbage(g);
    }
    if let Some(e) = &base.enumeration {
        if g.chance(90) {
            return g.pick(e.keys()).to_json();
        }
    }
    match base.atomic {
        AtomicType::Integer => {
            let lo = base.min_integer.max(-1000);
            let hi = base.max_integer.min(1000);
            match g.below(6) {
                0 => Json::Integer(g.next() as i64),
                1 => Json::Integer(lo.saturating_sub(1)),
                2 => Json::Integer(hi.saturating_add(1)),
                _ => Json::Integer(lo + (g.next() % (hi - lo + 1).max(1) as u64) as i64),
            }
        }
        AtomicType::Real => match g.below(4) {
            0 => Json::Real(1e308),
            1 => Json::Integer(g.below(3) as i64),
            _ => Json::Real((g.below(2000) as f64 - 1000.0) / 7.0),
        },
        AtomicType::Boolean => Json::Bool(g.chance(50)),
        AtomicType::String => {
            Json::string(*g.pick(&["", "a", "b", "br0", "p1", "x", "red", "long string"]))
        }
        AtomicType::Uuid => match g.below(5) {
            0 | 1 => Json::array([Json::string("named-uuid"), Json::string(*g.pick(&NAMES))]),
            2 => Json::array([
                Json::string("uuid"),
                Json::string("00000000-0000-0000-0000-000000000000"),
            ]),
            _ => Json::array([Json::string("uuid"), Json::string(fixed_uuid(g.below(8)))]),
        },
    }
}

fn datum(g: &mut Gen, t: &Type) -> Json {
    if g.chance(1) {
        return garbage(g);
    }
    // Mostly a size the type allows.
    let max = if t.max == u32::MAX {
        3
    } else {
        t.max.min(3) as usize
    };
    let n = if g.chance(95) {
        t.min as usize + g.below(max - t.min as usize + 1)
    } else {
        g.below(5)
    };
    if let Some(v) = &t.value {
        let pairs: Vec<Json> = (0..n)
            .map(|_| Json::array([atom(g, &t.key), atom(g, v)]))
            .collect();
        return Json::array([Json::string("map"), Json::Array(pairs)]);
    }
    if t.is_scalar() || g.chance(30) {
        return atom(g, &t.key);
    }
    let atoms: Vec<Json> = (0..n).map(|_| atom(g, &t.key)).collect();
    Json::array([Json::string("set"), Json::Array(atoms)])
}

fn column<'t>(g: &mut Gen, t: &'t TableSchema) -> (&'t str, &'t Type) {
    let c = &t.columns[g.below(t.columns.len())];
    (&c.name, &c.type_)
}

fn row(g: &mut Gen, t: &TableSchema) -> Json {
    let mut o = ovs_json::Object::new();
    for _ in 0..g.below(4) {
        if g.chance(1) {
            o.insert("no_such_column".into(), Json::Integer(1));
            continue;
        }
        // Mostly the table's own columns (the implicit ones are rarely writable).
        let c = &t.columns[2 + g.below(t.columns.len() - 2)];
        o.insert(c.name.clone(), datum(g, &c.type_));
    }
    Json::Object(o)
}

fn conditions(g: &mut Gen, t: &TableSchema) -> Json {
    let clauses: Vec<Json> = (0..g.below(3))
        .map(|_| {
            if g.chance(10) {
                return Json::Bool(g.chance(70));
            }
            let (name, ty) = column(g, t);
            let f = if g.chance(70) {
                *g.pick(&["==", "!="])
            } else {
                *g.pick(&["<", "<=", ">", ">=", "includes", "excludes"])
            };
            Json::array([Json::string(name), Json::string(f), datum(g, ty)])
        })
        .collect();
    Json::Array(clauses)
}

fn columns(g: &mut Gen, t: &TableSchema) -> Json {
    let n = g.below(3);
    let mut names: Vec<&str> = Vec::new();
    for _ in 0..n {
        let (name, _) = column(g, t);
        if !names.contains(&name) {
            names.push(name);
        }
    }
    Json::array(names.into_iter().map(Json::string))
}

fn operation(g: &mut Gen, schema: &DatabaseSchema) -> Json {
    let tables: Vec<&TableSchema> = schema.tables.values().collect();
    let t = *g.pick(&tables);
    let table = if g.chance(1) {
        Json::string("NoSuchTable")
    } else {
        Json::string(t.name.as_str())
    };
    let mut o = ovs_json::Object::new();
    let kind = *g.pick(&[
        "insert", "insert", "insert", "insert", "insert", "select", "update", "update", "mutate",
        "mutate", "mutate", "delete", "delete", "wait", "commit", "comment", "select", "update",
        "insert", "mutate", "abort", "assert", "bogus",
    ]);
    o.insert("op".into(), Json::string(kind));
    match kind {
        "insert" => {
            o.insert("table".into(), table);
            o.insert("row".into(), row(g, t));
            if g.chance(40) {
                o.insert("uuid-name".into(), Json::string(*g.pick(&NAMES)));
            }
            if g.chance(30) {
                o.insert("uuid".into(), Json::string(fixed_uuid(g.below(8))));
            }
        }
        "select" | "delete" => {
            o.insert("table".into(), table);
            o.insert("where".into(), conditions(g, t));
            if kind == "select" && g.chance(50) {
                o.insert("columns".into(), columns(g, t));
            }
        }
        "update" => {
            o.insert("table".into(), table);
            o.insert("where".into(), conditions(g, t));
            o.insert("row".into(), row(g, t));
        }
        "mutate" => {
            o.insert("table".into(), table);
            o.insert("where".into(), conditions(g, t));
            let mutations: Vec<Json> = (0..g.below(3))
                .map(|_| {
                    // Mostly the table's own columns: the implicit ones are immutable.
                    let (name, ty) = if g.chance(95) {
                        let c = &t.columns[2 + g.below(t.columns.len() - 2)];
                        (c.name.as_str(), &c.type_)
                    } else {
                        column(g, t)
                    };
                    let m = *g.pick(&["+=", "-=", "*=", "/=", "%=", "insert", "delete"]);
                    let arg = if m.len() == 2 {
                        atom(g, &ty.key)
                    } else {
                        datum(g, ty)
                    };
                    Json::array([Json::string(name), Json::string(m), arg])
                })
                .collect();
            o.insert("mutations".into(), Json::Array(mutations));
        }
        "wait" => {
            o.insert("table".into(), table);
            o.insert("timeout".into(), Json::Integer(0));
            o.insert("where".into(), conditions(g, t));
            o.insert("columns".into(), columns(g, t));
            o.insert("until".into(), Json::string(*g.pick(&["==", "!="])));
            let rows: Vec<Json> = (0..g.below(2)).map(|_| row(g, t)).collect();
            o.insert("rows".into(), Json::Array(rows));
        }
        "commit" => {
            o.insert("durable".into(), Json::Bool(g.chance(50)));
        }
        "comment" => {
            o.insert("comment".into(), Json::string("fuzz"));
        }
        "assert" => {
            o.insert("lock".into(), Json::string("l"));
        }
        "abort" => {}
        _ => return garbage(g),
    }
    Json::Object(o)
}

/// Every integrity rule a committed database must keep.
fn check_invariants(db: &Database) {
    let mut rebuilt = db.clone();
    rebuilt.rebuild_indexes();
    assert!(
        db.tables == rebuilt.tables,
        "bookkeeping differs from a rebuild"
    );
    for (name, ts) in &db.schema.tables {
        let table = &db.tables[name];
        if let Some(max) = ts.max_rows {
            assert!(table.rows.len() as u64 <= max, "{name} exceeds maxRows");
        }
        for (i, cols) in ts.indexes.iter().enumerate() {
            let mut seen = HashSet::new();
            for row in table.rows.values() {
                let key: Vec<_> = cols.iter().map(|&c| row.get(c).into_owned()).collect();
                assert_eq!(table.index_lookup(i, &key), Some(row.uuid));
                assert!(seen.insert(key), "duplicate in index {i} of {name}");
            }
        }
        for row in table.rows.values() {
            if !ts.is_root {
                assert!(
                    table.strong_ref_count(&row.uuid) > 0,
                    "unreferenced {name} row {} survived",
                    row.uuid
                );
            }
            for (c, col) in ts.columns.iter().enumerate().skip(2) {
                let d = row.datum(c);
                d.check_size(&col.type_).expect("size");
                d.check_constraints(&col.type_).expect("constraints");
                let bases = [
                    (Some(&col.type_.key), true),
                    (col.type_.value.as_ref(), false),
                ];
                for (base, is_key) in bases {
                    let Some(target) = base.and_then(|b| b.ref_table.as_ref()) else {
                        continue;
                    };
                    let atoms = if is_key { d.keys() } else { d.values() };
                    for a in atoms {
                        let u = a.as_uuid().expect("uuid");
                        assert!(
                            db.row(target, &u).is_some(),
                            "{name}.{} refers to missing {target} row {u}",
                            col.name
                        );
                    }
                }
            }
        }
    }
}

fn run_sequence(schema: &Arc<DatabaseSchema>, words: &[u64]) {
    let mut g = Gen { words, pos: 0 };
    let mut db = Database::new(schema.clone());
    let owns = |lock: &str| lock == "l";
    for _ in 0..12 {
        let ops: Vec<Json> = (0..1 + g.below(4))
            .map(|_| operation(&mut g, schema))
            .collect();
        let mut ctx = ExecContext::new(Instant::now());
        ctx.can_block = g.chance(20);
        if g.chance(20) {
            ctx.owns_lock = Some(&owns);
        }
        match execute(&db, &ops, &ctx) {
            Execution::Committed {
                result, changes, ..
            } => {
                assert_eq!(result.as_array().map(<[Json]>::len), Some(ops.len()));
                db.apply(&changes);
                check_invariants(&db);
            }
            Execution::Failed { result } => {
                let n = result.as_array().map(<[Json]>::len).unwrap_or(0);
                assert!(
                    n == ops.len() || n == ops.len() + 1,
                    "{n} results for {} ops",
                    ops.len()
                );
            }
            Execution::Blocked { .. } => assert!(ctx.can_block),
        }
    }
}

fn load(path: &Path) -> Arc<DatabaseSchema> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    Arc::new(DatabaseSchema::from_json(&ovs_json::parse(&text).unwrap()).unwrap())
}

fn test_schema() -> Arc<DatabaseSchema> {
    load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/txn-test.ovsschema"))
}

fn vswitch_schema() -> Arc<DatabaseSchema> {
    load(&vswitch_schema::path())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn random_transactions_keep_integrity(words in prop::collection::vec(any::<u64>(), 1..300)) {
        run_sequence(&test_schema(), &words);
    }

    #[test]
    fn random_vswitch_transactions_keep_integrity(words in prop::collection::vec(any::<u64>(), 1..300)) {
        run_sequence(&vswitch_schema(), &words);
    }
}

/// Atoms in the generator come from the schema's enums; make sure they are used.
#[test]
fn generator_uses_enumerations() {
    let schema = test_schema();
    let limits = &schema.tables["Limits"];
    let color = limits.column("color").unwrap();
    let words: Vec<u64> = (0..64).collect();
    let mut g = Gen {
        words: &words,
        pos: 0,
    };
    let values: HashSet<String> = (0..64)
        .map(|_| atom(&mut g, &color.type_.key).to_compact())
        .collect();
    assert!(
        values.contains("\"red\"") || values.contains("\"green\"") || values.contains("\"blue\"")
    );
    assert!(Atom::string("red") > Atom::string("blue"));
}
