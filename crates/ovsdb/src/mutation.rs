//! Mutations (RFC 7047 section 5.1, the `mutate` operation): `[column, mutator, value]`
//! with the arithmetic mutators `+= -= *= /= %=` on integer and real scalars and sets,
//! and `insert`/`delete` on sets and maps, with the reference's errors.
//!
//! Arithmetic applies element-wise; every result is checked for overflow ("range error"),
//! division by zero ("domain error"), the column's constraints, and duplicates. `insert`
//! and `delete` then check the element count against the column type.

use crate::datum::Datum;
use crate::db::Row;
use crate::error::{Error, Result};
use crate::schema::TableSchema;
use crate::symtab::{datum_from_json, type_to_english, SymbolTable};
use crate::types::{AtomicType, BaseType, Type, UNLIMITED};
use crate::Atom;
use ovs_json::Json;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Mutator {
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Insert,
    Delete,
}

impl Mutator {
    pub fn name(self) -> &'static str {
        match self {
            Mutator::Add => "+=",
            Mutator::Sub => "-=",
            Mutator::Mul => "*=",
            Mutator::Div => "/=",
            Mutator::Mod => "%=",
            Mutator::Insert => "insert",
            Mutator::Delete => "delete",
        }
    }

    pub fn from_name(name: &str) -> Option<Mutator> {
        Some(match name {
            "+=" => Mutator::Add,
            "-=" => Mutator::Sub,
            "*=" => Mutator::Mul,
            "/=" => Mutator::Div,
            "%=" => Mutator::Mod,
            "insert" => Mutator::Insert,
            "delete" => Mutator::Delete,
            _ => return None,
        })
    }

    fn is_arithmetic(self) -> bool {
        !matches!(self, Mutator::Insert | Mutator::Delete)
    }
}

/// One parsed mutation.
#[derive(Clone, Debug, PartialEq)]
pub struct Mutation {
    /// A schema column index (never an implicit column: those are immutable).
    pub column: usize,
    pub mutator: Mutator,
    pub arg: Datum,
    /// The type `arg` was parsed with: for `delete` on a map, a set of keys or a map.
    pub arg_type: Type,
}

impl Mutation {
    pub fn from_json(
        table: &TableSchema,
        json: &Json,
        symbols: Option<&mut SymbolTable>,
    ) -> Result<Mutation> {
        let Some([Json::String(column_name), Json::String(mutator_name), value]) = json.as_array()
        else {
            return Err(Error::syntax(json, "Parse error in mutation."));
        };
        let column = table.column_index(column_name).ok_or_else(|| Error {
            tag: "unknown column",
            details: format!("No column {column_name} in table {}.", table.name),
            syntax: Some(json.clone()),
        })?;
        let col = &table.columns[column];
        if !col.mutable {
            return Err(Error {
                tag: "constraint violation",
                details: format!(
                    "Cannot mutate immutable column {column_name} in table {}.",
                    table.name
                ),
                syntax: Some(json.clone()),
            });
        }
        let mutator = Mutator::from_name(mutator_name).ok_or_else(|| {
            Error::new(
                "unknown mutator",
                format!("No mutator named {mutator_name}."),
            )
        })?;
        let t = &col.type_;
        let mismatch = || {
            Error::syntax(
                json,
                format!(
                    "Type mismatch: \"{}\" operator may not be applied to column {} of type {}.",
                    mutator.name(),
                    column_name,
                    type_to_english(t)
                ),
            )
        };
        if mutator.is_arithmetic() {
            let numeric = matches!(t.key.atomic, AtomicType::Integer | AtomicType::Real);
            if !(t.is_scalar() || t.is_set())
                || !numeric
                || (mutator == Mutator::Mod && t.key.atomic == AtomicType::Real)
            {
                return Err(mismatch());
            }
            // The operand is one unconstrained number; the results are checked later.
            let arg_type = Type::scalar(t.key.atomic);
            let arg = datum_from_json(value, &arg_type, symbols)?;
            return Ok(Mutation {
                column,
                mutator,
                arg,
                arg_type,
            });
        }
        if !t.is_set() && !t.is_map() {
            return Err(mismatch());
        }
        let mut arg_type = t.clone();
        arg_type.min = 0;
        if mutator == Mutator::Delete {
            arg_type.max = UNLIMITED;
        }
        let mut symbols = symbols;
        match datum_from_json(value, &arg_type, symbols.as_deref_mut()) {
            Ok(arg) => Ok(Mutation {
                column,
                mutator,
                arg,
                arg_type,
            }),
            Err(_) if mutator == Mutator::Delete && t.is_map() => {
                // Deleting from a map also accepts a set of keys.
                arg_type.value = None;
                let arg = datum_from_json(value, &arg_type, symbols)?;
                Ok(Mutation {
                    column,
                    mutator,
                    arg,
                    arg_type,
                })
            }
            Err(e) => Err(e),
        }
    }

    pub fn to_json(&self, table: &TableSchema) -> Json {
        Json::array([
            Json::string(table.columns[self.column].name.as_str()),
            Json::string(self.mutator.name()),
            self.arg.to_json(&self.arg_type),
        ])
    }

    /// Applies the mutation to `datum`, a value of column type `t`.
    pub fn apply_to(&self, datum: &mut Datum, t: &Type) -> Result<()> {
        match self.mutator {
            Mutator::Insert => {
                insert_all(datum, &self.arg);
                check_count(datum, t)
            }
            Mutator::Delete => {
                delete_all(datum, &self.arg);
                check_count(datum, t)
            }
            m => {
                let Some(operand) = self.arg.first() else {
                    return Ok(());
                };
                mutate_numbers(m, datum, operand, &t.key)
            }
        }
    }
}

/// The mutations of one `mutate` operation, applied in order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Mutations {
    mutations: Vec<Mutation>,
}

impl Mutations {
    pub fn from_json(
        table: &TableSchema,
        json: &Json,
        mut symbols: Option<&mut SymbolTable>,
    ) -> Result<Mutations> {
        let items = json
            .as_array()
            .ok_or_else(|| Error::syntax(json, "Parse error in mutation."))?;
        let mut mutations = Vec::with_capacity(items.len());
        for item in items {
            mutations.push(Mutation::from_json(table, item, symbols.as_deref_mut())?);
        }
        Ok(Mutations { mutations })
    }

    pub fn iter(&self) -> impl Iterator<Item = &Mutation> {
        self.mutations.iter()
    }

    pub fn to_json(&self, table: &TableSchema) -> Json {
        Json::array(self.mutations.iter().map(|m| m.to_json(table)))
    }

    /// Applies every mutation to `row`, a row of `table`, stopping at the first error
    /// (the row is then partly mutated; callers abandon it).
    pub fn apply(&self, table: &TableSchema, row: &mut Row) -> Result<()> {
        for m in &self.mutations {
            m.apply_to(row.datum_mut(m.column), &table.columns[m.column].type_)?;
        }
        Ok(())
    }
}

fn check_count(datum: &Datum, t: &Type) -> Result<()> {
    let n = datum.len();
    if n < t.min as usize || (t.max != UNLIMITED && n > t.max as usize) {
        return Err(Error::constraint(format!(
            "Attempted to store {n} elements in {}.",
            type_to_english(t)
        )));
    }
    Ok(())
}

/// Set or map union; map keys already present keep their values.
fn insert_all(datum: &mut Datum, arg: &Datum) {
    datum.union(arg);
}

/// Removes `arg`'s elements: keys from a set, pairs from a map (key and value must
/// match), or keys from a map when `arg` is a set.
fn delete_all(datum: &mut Datum, arg: &Datum) {
    if arg.is_empty() || datum.is_empty() {
        return;
    }
    if arg.is_map_shaped() {
        datum.retain(|k, v| v.is_none_or(|v| arg.get(k) != Some(v)));
    } else if arg.len() <= 8 {
        for k in arg.keys() {
            datum.remove_key(k);
        }
    } else {
        datum.retain(|k, _| !arg.contains(k));
    }
}

/// Why an arithmetic step failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArithError {
    /// Division by zero.
    Domain,
    /// The result does not fit.
    Range,
}

/// One integer step, with the reference's overflow rules (including its conservative
/// test for `*=`, which rejects a few products that would fit, such as `1 *= MAX`).
pub fn integer_op(m: Mutator, x: i64, y: i64) -> std::result::Result<i64, ArithError> {
    match m {
        Mutator::Add => x.checked_add(y).ok_or(ArithError::Range),
        Mutator::Sub => x.checked_sub(y).ok_or(ArithError::Range),
        Mutator::Mul => {
            if mul_overflows(x, y) {
                Err(ArithError::Range)
            } else {
                Ok(x.wrapping_mul(y))
            }
        }
        Mutator::Div | Mutator::Mod => {
            if y == 0 {
                Err(ArithError::Domain)
            } else if x == i64::MIN && y == -1 {
                Err(ArithError::Range)
            } else if m == Mutator::Div {
                Ok(x / y)
            } else {
                Ok(x % y)
            }
        }
        Mutator::Insert | Mutator::Delete => Ok(x),
    }
}

/// The reference's multiplication overflow test. Where it would divide by zero (a
/// negative number times zero, which crashes the reference) the product simply is 0.
fn mul_overflows(x: i64, y: i64) -> bool {
    if x > 0 {
        if y > 0 {
            x >= i64::MAX / y
        } else {
            y < i64::MIN / x
        }
    } else if y > 0 {
        x < i64::MIN / y
    } else {
        x != 0 && y != 0 && y < i64::MAX / y
    }
}

/// One real step: results must stay finite.
pub fn real_op(m: Mutator, x: f64, y: f64) -> std::result::Result<f64, ArithError> {
    let r = match m {
        Mutator::Add => x + y,
        Mutator::Sub => x - y,
        Mutator::Mul => x * y,
        Mutator::Div => {
            if y == 0.0 {
                return Err(ArithError::Domain);
            }
            x / y
        }
        Mutator::Mod | Mutator::Insert | Mutator::Delete => x,
    };
    if (-f64::MAX..=f64::MAX).contains(&r) {
        Ok(r)
    } else {
        Err(ArithError::Range)
    }
}

fn arith_error(e: ArithError, m: Mutator) -> Error {
    match e {
        ArithError::Domain => Error::new("domain error", "Division by zero."),
        ArithError::Range => Error::new(
            "range error",
            format!("Result of \"{}\" operation is out of range.", m.name()),
        ),
    }
}

/// Element-wise arithmetic, then constraints, then the duplicate check, in the
/// reference's order.
fn mutate_numbers(m: Mutator, datum: &mut Datum, operand: &Atom, base: &BaseType) -> Result<()> {
    for atom in datum.keys_mut() {
        *atom = match (&*atom, operand) {
            (Atom::Integer(x), Atom::Integer(y)) => {
                Atom::Integer(integer_op(m, *x, *y).map_err(|e| arith_error(e, m))?)
            }
            (Atom::Real(x), Atom::Real(y)) => {
                Atom::Real(real_op(m, *x, *y).map_err(|e| arith_error(e, m))?)
            }
            (Atom::Real(x), Atom::Integer(y)) => {
                Atom::Real(real_op(m, *x, *y as f64).map_err(|e| arith_error(e, m))?)
            }
            _ => continue,
        };
    }
    for atom in datum.keys() {
        base.check_constraints(atom)?;
    }
    datum.resort().map_err(|_| {
        Error::constraint(format!(
            "Result of \"{}\" operation contains duplicates.",
            m.name()
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integer_rules_match_the_reference() {
        assert_eq!(
            integer_op(Mutator::Add, i64::MAX, 1),
            Err(ArithError::Range)
        );
        assert_eq!(
            integer_op(Mutator::Sub, i64::MIN, 1),
            Err(ArithError::Range)
        );
        assert_eq!(integer_op(Mutator::Div, 1, 0), Err(ArithError::Domain));
        assert_eq!(integer_op(Mutator::Mod, 1, 0), Err(ArithError::Domain));
        assert_eq!(
            integer_op(Mutator::Div, i64::MIN, -1),
            Err(ArithError::Range)
        );
        assert_eq!(integer_op(Mutator::Mod, -7, 2), Ok(-1));
        assert_eq!(integer_op(Mutator::Div, -7, 2), Ok(-3));
        // The reference's conservative product test (observed with ovsdb-tool 3.1).
        assert_eq!(
            integer_op(Mutator::Mul, 1, i64::MAX),
            Err(ArithError::Range)
        );
        assert_eq!(
            integer_op(Mutator::Mul, -1, -(1 << 62)),
            Err(ArithError::Range)
        );
        assert_eq!(integer_op(Mutator::Mul, -5, 0), Ok(0));
        assert_eq!(integer_op(Mutator::Mul, -5, -1), Ok(5));
        assert_eq!(integer_op(Mutator::Mul, 3, -4), Ok(-12));
    }

    #[test]
    fn reals_must_stay_finite() {
        assert_eq!(real_op(Mutator::Mul, f64::MAX, 2.0), Err(ArithError::Range));
        assert_eq!(real_op(Mutator::Div, 1.0, 0.0), Err(ArithError::Domain));
        assert_eq!(real_op(Mutator::Add, 1.5, 1.0), Ok(2.5));
    }
}
