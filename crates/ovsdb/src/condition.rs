//! Conditions (RFC 7047 section 5.1): clauses `[column, function, value]` and the bare
//! `true`/`false` that `monitor_cond` adds, parsed against a table schema and evaluated
//! against rows.
//!
//! A transaction's `where` is a conjunction (every clause must hold); a `monitor_cond`
//! `where` is a disjunction (any clause may hold), so [`Conditions`] evaluates both ways.
//! Optional scalars (sets of 0 or 1 element) compare like sets under `==`, `!=`,
//! `includes` and `excludes`, and are never ordered when empty, as Open vSwitch 3.1 does.

use crate::atom::{Atom, Uuid};
use crate::datum::Datum;
use crate::db::Row;
use crate::error::{Error, Result};
use crate::schema::{TableSchema, UUID_COLUMN};
use crate::symtab::{datum_from_json, type_to_english, SymbolTable};
use crate::types::{AtomicType, UNLIMITED};
use ovs_json::Json;
use std::cmp::Ordering;

/// A condition function. The order is the reference's clause order: constant clauses
/// first, then roughly by how few rows each is expected to leave.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Function {
    False,
    True,
    Eq,
    Includes,
    Le,
    Lt,
    Ge,
    Gt,
    Excludes,
    Ne,
}

impl Function {
    pub fn name(self) -> &'static str {
        match self {
            Function::False => "false",
            Function::True => "true",
            Function::Eq => "==",
            Function::Includes => "includes",
            Function::Le => "<=",
            Function::Lt => "<",
            Function::Ge => ">=",
            Function::Gt => ">",
            Function::Excludes => "excludes",
            Function::Ne => "!=",
        }
    }

    pub fn from_name(name: &str) -> Option<Function> {
        Some(match name {
            "false" => Function::False,
            "true" => Function::True,
            "==" => Function::Eq,
            "includes" => Function::Includes,
            "<=" => Function::Le,
            "<" => Function::Lt,
            ">=" => Function::Ge,
            ">" => Function::Gt,
            "excludes" => Function::Excludes,
            "!=" => Function::Ne,
            _ => return None,
        })
    }

    fn is_ordering(self) -> bool {
        matches!(
            self,
            Function::Lt | Function::Le | Function::Gt | Function::Ge
        )
    }
}

/// One clause: a column compared with a value, or a constant.
#[derive(Clone, Debug, PartialEq)]
pub enum Condition {
    Const(bool),
    Clause {
        /// A schema column index (`_uuid` is 0).
        column: usize,
        function: Function,
        arg: Datum,
    },
}

impl Condition {
    /// Parses one clause of a `where` array.
    pub fn from_json(
        table: &TableSchema,
        json: &Json,
        symbols: Option<&mut SymbolTable>,
    ) -> Result<Condition> {
        if let Json::Bool(b) = json {
            return Ok(Condition::Const(*b));
        }
        let Some([Json::String(column_name), Json::String(function_name), value]) = json.as_array()
        else {
            return Err(Error::syntax(json, "Parse error in condition."));
        };
        let column = table.column_index(column_name).ok_or_else(|| Error {
            tag: "unknown column",
            details: format!("No column {column_name} in table {}.", table.name),
            syntax: Some(json.clone()),
        })?;
        let function = match Function::from_name(function_name) {
            Some(f) if f != Function::True && f != Function::False => f,
            _ => {
                return Err(Error::new(
                    "unknown function",
                    format!("No function named {function_name}."),
                ))
            }
        };
        let col_type = &table.columns[column].type_;
        let mut arg_type = col_type.clone();
        if function.is_ordering() {
            let numeric = matches!(col_type.key.atomic, AtomicType::Integer | AtomicType::Real);
            if !(col_type.is_scalar() || col_type.is_optional_scalar()) || !numeric {
                return Err(Error::syntax(
                    json,
                    format!(
                        "Type mismatch: \"{}\" operator may not be applied to column {} of type {}.",
                        function.name(),
                        column_name,
                        type_to_english(col_type)
                    ),
                ));
            }
            // The argument of an ordering is always exactly one number.
            arg_type.min = 1;
            arg_type.max = 1;
        } else if !col_type.is_scalar() {
            match function {
                Function::Includes => arg_type.min = 0,
                Function::Excludes => {
                    arg_type.min = 0;
                    arg_type.max = UNLIMITED;
                }
                _ => {}
            }
        }
        let arg = datum_from_json(value, &arg_type, symbols)?;
        Ok(Condition::Clause {
            column,
            function,
            arg,
        })
    }

    pub fn to_json(&self, table: &TableSchema) -> Json {
        match self {
            Condition::Const(b) => Json::Bool(*b),
            Condition::Clause {
                column,
                function,
                arg,
            } => {
                let col = &table.columns[*column];
                Json::array([
                    Json::string(col.name.as_str()),
                    Json::string(function.name()),
                    arg.to_json(&col.type_),
                ])
            }
        }
    }

    fn function(&self) -> Function {
        match self {
            Condition::Const(true) => Function::True,
            Condition::Const(false) => Function::False,
            Condition::Clause { function, .. } => *function,
        }
    }

    /// Whether `row` (of the table this clause was parsed for) satisfies the clause.
    pub fn evaluate(&self, row: &Row) -> bool {
        match self {
            Condition::Const(b) => *b,
            Condition::Clause {
                column,
                function,
                arg,
            } => evaluate_clause(*function, &row.get(*column), arg),
        }
    }
}

fn evaluate_clause(function: Function, field: &Datum, arg: &Datum) -> bool {
    match function {
        Function::True => true,
        Function::False => false,
        Function::Eq => field == arg,
        Function::Ne => field != arg,
        Function::Includes => arg.is_subset_of(field),
        Function::Excludes => excludes_all(field, arg),
        Function::Lt | Function::Le | Function::Gt | Function::Ge => {
            let (Some(f), Some(a)) = (field.first(), arg.first()) else {
                return false;
            };
            let ord = compare_numbers(f, a);
            match function {
                Function::Lt => ord == Some(Ordering::Less),
                Function::Le => matches!(ord, Some(Ordering::Less | Ordering::Equal)),
                Function::Gt => ord == Some(Ordering::Greater),
                _ => matches!(ord, Some(Ordering::Greater | Ordering::Equal)),
            }
        }
    }
}

/// Numeric comparison as C does it: a NaN compares with nothing.
fn compare_numbers(a: &Atom, b: &Atom) -> Option<Ordering> {
    match (a, b) {
        (Atom::Real(x), Atom::Real(y)) => x.partial_cmp(y),
        _ => Some(a.cmp(b)),
    }
}

/// Whether no element of `arg` (pairs, for maps) is in `field`.
fn excludes_all(field: &Datum, arg: &Datum) -> bool {
    if arg.is_map_shaped() {
        arg.pairs().all(|(k, v)| field.get(k) != Some(v))
    } else {
        arg.keys().iter().all(|k| !field.contains(k))
    }
}

/// How a list of clauses combines.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Combine {
    /// Every clause must hold (transaction `where`; empty means true).
    All,
    /// Some clause must hold (`monitor_cond` `where`; empty means true).
    Any,
}

/// A list of clauses, as in a `where` member.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Conditions {
    clauses: Vec<Condition>,
}

impl Conditions {
    /// No clauses: matches every row.
    pub fn new() -> Conditions {
        Conditions::default()
    }

    /// Parses a `where` array. Clauses are kept in the reference's evaluation order
    /// (constants first, `_uuid ==` early), which also makes [`Conditions::to_json`]
    /// canonical.
    pub fn from_json(
        table: &TableSchema,
        json: &Json,
        mut symbols: Option<&mut SymbolTable>,
    ) -> Result<Conditions> {
        let items = json
            .as_array()
            .ok_or_else(|| Error::syntax(json, "Parse error in condition."))?;
        let mut clauses = Vec::with_capacity(items.len());
        for item in items {
            clauses.push(Condition::from_json(table, item, symbols.as_deref_mut())?);
        }
        clauses.sort_by(|a, b| compare_clauses(table, a, b));
        Ok(Conditions { clauses })
    }

    pub fn clauses(&self) -> &[Condition] {
        &self.clauses
    }

    pub fn is_empty(&self) -> bool {
        self.clauses.is_empty()
    }

    pub fn to_json(&self, table: &TableSchema) -> Json {
        Json::array(self.clauses.iter().map(|c| c.to_json(table)))
    }

    /// Whether `row` satisfies every clause (transaction semantics).
    pub fn evaluate(&self, row: &Row) -> bool {
        self.clauses.iter().all(|c| c.evaluate(row))
    }

    /// Whether `row` satisfies any clause, or there are none (`monitor_cond` semantics).
    pub fn evaluate_any(&self, row: &Row) -> bool {
        self.clauses.is_empty() || self.clauses.iter().any(|c| c.evaluate(row))
    }

    pub fn matches(&self, row: &Row, combine: Combine) -> bool {
        match combine {
            Combine::All => self.evaluate(row),
            Combine::Any => self.evaluate_any(row),
        }
    }

    /// Whether the list matches every row without looking at it.
    pub fn is_always_true(&self, combine: Combine) -> bool {
        let is_true = |c: &Condition| *c == Condition::Const(true);
        match combine {
            Combine::All => self.clauses.iter().all(is_true),
            Combine::Any => self.clauses.is_empty() || self.clauses.iter().any(is_true),
        }
    }

    /// Whether the list matches no row whatever its contents.
    pub fn is_always_false(&self, combine: Combine) -> bool {
        let is_false = |c: &Condition| *c == Condition::Const(false);
        match combine {
            Combine::All => self.clauses.iter().any(is_false),
            Combine::Any => !self.clauses.is_empty() && self.clauses.iter().all(is_false),
        }
    }

    /// The UUID of the only row that can match, when a clause is `_uuid == <uuid>`
    /// (under [`Combine::All`]), so callers look the row up instead of scanning.
    pub fn uuid_lookup(&self) -> Option<Uuid> {
        self.clauses.iter().find_map(|c| match c {
            Condition::Clause {
                column: UUID_COLUMN,
                function: Function::Eq,
                arg,
            } if arg.len() == 1 => arg.first().and_then(Atom::as_uuid),
            _ => None,
        })
    }

    /// The values that clauses `column == value` require, by column, under
    /// [`Combine::All`]: used to answer a condition from a unique index.
    pub fn equalities(&self) -> impl Iterator<Item = (usize, &Datum)> {
        self.clauses.iter().filter_map(|c| match c {
            Condition::Clause {
                column,
                function: Function::Eq,
                arg,
            } => Some((*column, arg)),
            _ => None,
        })
    }
}

/// The reference's clause order: by function, then the implicit columns first, then by
/// column name, then by argument.
fn compare_clauses(table: &TableSchema, a: &Condition, b: &Condition) -> Ordering {
    let fa = a.function();
    let fb = b.function();
    if fa != fb {
        return fa.cmp(&fb);
    }
    match (a, b) {
        (
            Condition::Clause {
                column: ca,
                arg: aa,
                ..
            },
            Condition::Clause {
                column: cb,
                arg: ab,
                ..
            },
        ) => {
            let by_column = if ca == cb {
                Ordering::Equal
            } else if *ca < crate::schema::N_IMPLICIT || *cb < crate::schema::N_IMPLICIT {
                ca.cmp(cb)
            } else {
                table.columns[*ca].name.cmp(&table.columns[*cb].name)
            };
            by_column.then_with(|| compare_datums(aa, ab))
        }
        _ => Ordering::Equal,
    }
}

/// The reference's datum order: by number of elements, then element by element.
pub fn compare_datums(a: &Datum, b: &Datum) -> Ordering {
    a.len()
        .cmp(&b.len())
        .then_with(|| a.keys().cmp(b.keys()))
        .then_with(|| a.values().cmp(b.values()))
}
