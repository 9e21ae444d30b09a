//! Conditions and mutations on their own: evaluation in both combining modes, and
//! mutations checked against simple models (proptest).

use ovs_json::{parse, Json};
use ovsdb::{
    Atom, Combine, Conditions, Database, DatabaseSchema, Datum, Mutations, Row, TableSchema, Uuid,
};
use proptest::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

const SCHEMA: &str = r#"{"name":"M","tables":{"T":{"columns":{
  "i":{"type":"integer"},
  "r":{"type":"real"},
  "s":{"type":"string"},
  "oi":{"type":{"key":"integer","min":0,"max":1}},
  "ia":{"type":{"key":"integer","min":0,"max":"unlimited"}},
  "i4":{"type":{"key":"integer","min":0,"max":4}},
  "lim":{"type":{"key":{"type":"integer","minInteger":-50,"maxInteger":50},"min":0,"max":"unlimited"}},
  "m":{"type":{"key":"integer","value":"integer","min":0,"max":"unlimited"}}}}}}"#;

fn table() -> TableSchema {
    let schema = DatabaseSchema::from_json(&parse(SCHEMA).unwrap()).unwrap();
    let db = Database::new(Arc::new(schema));
    db.schema.tables["T"].clone()
}

fn col(t: &TableSchema, name: &str) -> usize {
    t.column_index(name).unwrap()
}

fn row(t: &TableSchema, values: &[(&str, &str)]) -> Row {
    let mut row = Row::new_default(t, Uuid::new_v4());
    for (name, json) in values {
        let c = col(t, name);
        let d = Datum::from_json(
            &ovs_json::parse_value(json).unwrap(),
            &t.columns[c].type_,
            &mut |_| None,
        )
        .unwrap();
        row.set(c, d);
    }
    row
}

fn conditions(t: &TableSchema, json: &str) -> Conditions {
    Conditions::from_json(t, &parse(json).unwrap(), None).unwrap()
}

#[test]
fn conjunction_and_disjunction() {
    let t = table();
    let r = row(
        &t,
        &[("i", "5"), ("s", "\"x\""), ("ia", r#"["set",[1,2]]"#)],
    );
    let c = conditions(&t, r#"[["i","==",5],["s","==","y"]]"#);
    assert!(!c.evaluate(&r));
    assert!(c.evaluate_any(&r));
    assert!(c.matches(&r, Combine::Any) && !c.matches(&r, Combine::All));
    let empty = conditions(&t, "[]");
    assert!(empty.evaluate(&r) && empty.evaluate_any(&r));
    assert!(empty.is_always_true(Combine::All) && empty.is_always_true(Combine::Any));
    assert!(!empty.is_always_false(Combine::Any));
    let with_true = conditions(&t, r#"[true,["i","==",6]]"#);
    assert!(with_true.is_always_true(Combine::Any));
    assert!(!with_true.is_always_true(Combine::All));
    assert!(!with_true.evaluate(&r) && with_true.evaluate_any(&r));
    let falses = conditions(&t, "[false,false]");
    assert!(falses.is_always_false(Combine::Any) && falses.is_always_false(Combine::All));
    let with_false = conditions(&t, r#"[false,["i","==",5]]"#);
    assert!(with_false.is_always_false(Combine::All));
    assert!(!with_false.is_always_false(Combine::Any));
    assert!(with_false.evaluate_any(&r));
}

#[test]
fn clauses_are_kept_in_the_reference_order() {
    let t = table();
    let c = conditions(
        &t,
        r#"[["s","!=","a"],["i","<",3],["ia","includes",1],true,["_uuid","==",["uuid","6f1c2a5e-0d0b-4a0e-9a49-2a5f0e0f0d01"]],["i","==",1],false]"#,
    );
    assert_eq!(
        c.to_json(&t).to_compact(),
        r#"[false,true,["_uuid","==",["uuid","6f1c2a5e-0d0b-4a0e-9a49-2a5f0e0f0d01"]],["i","==",1],["ia","includes",1],["i","<",3],["s","!=","a"]]"#
    );
    assert_eq!(
        c.uuid_lookup(),
        Some(Uuid::parse_str("6f1c2a5e-0d0b-4a0e-9a49-2a5f0e0f0d01").unwrap())
    );
}

#[test]
fn optional_scalars_compare_like_sets_but_never_order_when_empty() {
    let t = table();
    let empty = row(&t, &[]);
    let five = row(&t, &[("oi", "5")]);
    let check = |json: &str, expect_empty: bool, expect_five: bool| {
        let c = conditions(&t, json);
        assert_eq!(
            (c.evaluate(&empty), c.evaluate(&five)),
            (expect_empty, expect_five),
            "{json}"
        );
    };
    check(r#"[["oi","==",["set",[]]]]"#, true, false);
    check(r#"[["oi","!=",["set",[]]]]"#, false, true);
    check(r#"[["oi","includes",["set",[]]]]"#, true, true);
    check(r#"[["oi","excludes",5]]"#, true, false);
    check(r#"[["oi","<",6]]"#, false, true);
    check(r#"[["oi",">=",5]]"#, false, true);
    check(r#"[["oi",">",5]]"#, false, false);
}

#[test]
fn named_uuids_need_a_symbol_table() {
    let t = table();
    let e = Conditions::from_json(
        &t,
        &parse(r#"[["_uuid","==",["named-uuid","x"]]]"#).unwrap(),
        None,
    )
    .unwrap_err();
    assert_eq!(
        (e.tag, e.details.as_str()),
        ("syntax error", "expected [\"uuid\", <string>]")
    );
}

/// Applies one mutation `[column, mutator, arg]` to `datum`.
fn mutate(
    t: &TableSchema,
    column: &str,
    mutator: &str,
    arg: Json,
    datum: &mut Datum,
) -> ovsdb::Result<()> {
    let json = Json::array([Json::array([
        Json::string(column),
        Json::string(mutator),
        arg,
    ])]);
    let mutations = Mutations::from_json(t, &json, None)?;
    let mut r = Row::new_default(t, Uuid::nil());
    let c = col(t, column);
    r.set(c, datum.clone());
    let result = mutations.apply(t, &mut r);
    *datum = r.datum(c).clone();
    result
}

fn int_set(values: &BTreeSet<i64>) -> Datum {
    Datum::set(values.iter().map(|&v| Atom::Integer(v)).collect()).unwrap()
}

fn int_set_json(values: &BTreeSet<i64>) -> Json {
    Json::array([
        Json::string("set"),
        Json::array(values.iter().map(|&v| Json::Integer(v))),
    ])
}

fn interesting_i64() -> impl Strategy<Value = i64> {
    prop_oneof![
        -20i64..20,
        any::<i64>(),
        Just(i64::MAX),
        Just(i64::MIN),
        Just(i64::MIN + 1),
        Just(i64::MAX - 1),
        Just(-1i64),
        (0u32..63).prop_map(|s| 1i64 << s),
        (0u32..63).prop_map(|s| -(1i64 << s)),
    ]
}

proptest! {
    /// Integer arithmetic never yields a wrong value: a result is the exact one, an
    /// overflow is a range error, and dividing by zero is a domain error. (`*=` also
    /// refuses a few products that fit, as the reference does; those are range errors.)
    #[test]
    fn integer_arithmetic_matches_exact_math(x in interesting_i64(), y in interesting_i64(), op in 0usize..5) {
        let t = table();
        let mutator = ["+=", "-=", "*=", "/=", "%="][op];
        let mut d = Datum::scalar(Atom::Integer(x));
        let result = mutate(&t, "i", mutator, Json::Integer(y), &mut d);
        let (x, y) = (i128::from(x), i128::from(y));
        let exact = match op {
            0 => Some(x + y),
            1 => Some(x - y),
            2 => Some(x * y),
            _ if y == 0 => None,
            3 => Some(x / y),
            _ => Some(x % y),
        };
        match (exact, result) {
            (None, Err(e)) => prop_assert_eq!(e.tag, "domain error"),
            (Some(v), Ok(())) => prop_assert_eq!(d, Datum::scalar(Atom::Integer(v as i64))),
            (Some(v), Err(e)) => {
                prop_assert_eq!(e.tag, "range error");
                let fits = i64::try_from(v).is_ok() && !(op >= 3 && x == i128::from(i64::MIN) && y == -1);
                prop_assert!(!fits || op == 2, "range error for {x} {mutator} {y} = {v}");
            }
            (None, Ok(())) => prop_assert!(false, "division by zero succeeded"),
        }
    }

    /// Element-wise arithmetic on a set: the model maps every element; duplicates and
    /// constraint violations are errors.
    #[test]
    fn set_arithmetic_matches_model(values in prop::collection::btree_set(-30i64..30, 0..6), y in -3i64..4, op in 0usize..4) {
        let t = table();
        let mutator = ["+=", "-=", "*=", "/="][op];
        let mut d = int_set(&values);
        let result = mutate(&t, "lim", mutator, Json::Integer(y), &mut d);
        if op == 3 && y == 0 {
            if values.is_empty() {
                prop_assert!(result.is_ok());
            } else {
                prop_assert_eq!(result.unwrap_err().tag, "domain error");
            }
            return Ok(());
        }
        let mapped: Vec<i64> = values.iter().map(|&v| match op { 0 => v + y, 1 => v - y, 2 => v * y, _ => v / y }).collect();
        let model: BTreeSet<i64> = mapped.iter().copied().collect();
        match result {
            Ok(()) => {
                prop_assert!(mapped.iter().all(|v| (-50..=50).contains(v)));
                prop_assert_eq!(model.len(), mapped.len());
                prop_assert_eq!(d, int_set(&model));
            }
            Err(e) => {
                prop_assert_eq!(e.tag, "constraint violation");
                let out_of_range = mapped.iter().any(|v| !(-50..=50).contains(v));
                prop_assert!(out_of_range || model.len() < mapped.len(), "{}", e.details);
                if out_of_range {
                    prop_assert!(!e.details.contains("duplicates"));
                }
            }
        }
    }

    /// insert/delete on a set behave as set union/difference, with the size limit
    /// checked on the result.
    #[test]
    fn set_insert_delete_match_model(start in prop::collection::btree_set(0i64..10, 0..5), arg in prop::collection::btree_set(0i64..10, 0..5), insert in any::<bool>()) {
        let t = table();
        let mut d = int_set(&start);
        let result = mutate(&t, "i4", if insert { "insert" } else { "delete" }, int_set_json(&arg), &mut d);
        let model: BTreeSet<i64> = if insert { start.union(&arg).copied().collect() } else { start.difference(&arg).copied().collect() };
        if insert && arg.len() > 4 {
            // The argument itself must fit the column.
            prop_assert_eq!(result.unwrap_err().tag, "syntax error");
        } else if model.len() > 4 {
            let e = result.unwrap_err();
            prop_assert_eq!(e.tag, "constraint violation");
            prop_assert_eq!(e.details, format!("Attempted to store {} elements in set of up to 4 integers.", model.len()));
        } else {
            prop_assert!(result.is_ok());
            prop_assert_eq!(d, int_set(&model));
        }
    }

    /// insert on a map keeps existing values; delete takes pairs (both must match) or
    /// keys.
    #[test]
    fn map_insert_delete_match_model(
        start in prop::collection::btree_map(0i64..8, 0i64..3, 0..6),
        arg in prop::collection::btree_map(0i64..8, 0i64..3, 0..6),
        op in 0usize..3,
    ) {
        let t = table();
        let to_datum = |m: &BTreeMap<i64, i64>| Datum::map(m.iter().map(|(&k, &v)| (Atom::Integer(k), Atom::Integer(v))).collect()).unwrap();
        let mut d = to_datum(&start);
        let pairs = Json::array([Json::string("map"), Json::array(arg.iter().map(|(&k, &v)| Json::array([Json::Integer(k), Json::Integer(v)])))]);
        let keys: BTreeSet<i64> = arg.keys().copied().collect();
        let mut model = start.clone();
        let result = match op {
            0 => {
                for (k, v) in &arg { model.entry(*k).or_insert(*v); }
                mutate(&t, "m", "insert", pairs, &mut d)
            }
            1 => {
                model.retain(|k, v| arg.get(k) != Some(v));
                mutate(&t, "m", "delete", pairs, &mut d)
            }
            _ => {
                model.retain(|k, _| !keys.contains(k));
                mutate(&t, "m", "delete", int_set_json(&keys), &mut d)
            }
        };
        prop_assert!(result.is_ok());
        prop_assert_eq!(d, to_datum(&model));
    }

    /// Real arithmetic stays finite or fails with a range error.
    #[test]
    fn real_arithmetic_stays_finite(x in -1e300f64..1e300, y in prop_oneof![-1e300f64..1e300, Just(0.0), Just(1e-300)], op in 0usize..4) {
        let t = table();
        let mutator = ["+=", "-=", "*=", "/="][op];
        let mut d = Datum::scalar(Atom::Real(x));
        let result = mutate(&t, "r", mutator, Json::Real(y), &mut d);
        let exact = match op { 0 => x + y, 1 => x - y, 2 => x * y, _ => x / y };
        match result {
            Ok(()) => prop_assert_eq!(d, Datum::scalar(Atom::Real(exact))),
            Err(e) if op == 3 && y == 0.0 => prop_assert_eq!(e.tag, "domain error"),
            Err(e) => {
                prop_assert_eq!(e.tag, "range error");
                prop_assert!(!exact.is_finite());
            }
        }
    }
}
