//! Column arguments: `column`, `column:key`, and `column[:key]OP value` with the
//! comparison operators of `find` and `wait-until`, and evaluating such conditions.

use crate::symtab::Symtab;
use ovsdb::condition::compare_datums;
use ovsdb::schema::{ColumnSchema, TableSchema};
use ovsdb::string_syntax::parse_token;
use ovsdb::types::UNLIMITED;
use ovsdb::{Atom, Datum, Type};
use std::cmp::Ordering;

/// The comparison operators, in the reference's order (its error text lists them so).
pub const RELOPS: &[&str] = &[
    "=", "!=", "<", ">", "<=", ">=", "{=}", "{!=}", "{<}", "{>}", "{<=}", "{>=}", "{in}",
    "{not-in}",
];

/// The only operator of `set` and `create` arguments.
pub const EQUALS: &[&str] = &["="];

/// A parsed `column[:key][OP value]` argument.
pub struct ColumnArg {
    pub column: &'static ColumnSchema,
    pub key: Option<String>,
    /// Index into the operator list, with the value text.
    pub op: Option<(usize, String)>,
}

/// The first part of every column argument: the column name up to a delimiter.
/// Returns the column and the rest of the argument.
pub fn parse_column<'a>(
    arg: &'a str,
    table: &'static TableSchema,
) -> Result<(&'static ColumnSchema, &'a str), String> {
    let (name, rest) = parse_token(arg)?;
    if name.is_empty() {
        return Err(format!("{arg}: missing column name"));
    }
    Ok((crate::schema::get_column(table, &name)?, rest))
}

/// Parses `column[:key]` followed, if `operators` is given, by one of them and a
/// value; without operators nothing may follow.
pub fn parse_column_key_value(
    arg: &str,
    table: &'static TableSchema,
    operators: Option<&[&str]>,
) -> Result<ColumnArg, String> {
    let (column, mut p) = parse_column(arg, table)?;
    let mut key = None;
    if let Some(rest) = p.strip_prefix(':') {
        let (k, rest) = parse_token(rest)?;
        key = Some(k);
        p = rest;
    }
    let op = match operators {
        Some(ops) => {
            // The longest operator that is followed by something.
            let best = ops
                .iter()
                .enumerate()
                .filter(|(_, op)| p.starts_with(**op) && p.len() > op.len())
                .max_by_key(|(i, op)| (op.len(), std::cmp::Reverse(*i)));
            match best {
                Some((i, op)) => Some((i, p[op.len()..].to_owned())),
                None => return Err(missing_operator_error(arg, ops)),
            }
        }
        None => {
            if !p.is_empty() {
                return Err(format!("{arg}: trailing garbage \"{p}\" in argument"));
            }
            None
        }
    };
    Ok(ColumnArg { column, key, op })
}

fn missing_operator_error(arg: &str, ops: &[&str]) -> String {
    let quoted: Vec<String> = ops.iter().map(|o| format!("\"{o}\"")).collect();
    let list = match quoted.as_slice() {
        [one] => one.clone(),
        [a, b] => format!("{a} or {b}"),
        [init @ .., last] => format!("{}, or {last}", init.join(", ")),
        [] => String::new(),
    };
    format!("{arg}: argument does not end in {list} followed by a value.")
}

/// Parses a datum of type `t` from text, resolving `@name` symbols.
pub fn datum_from_string(s: &str, t: &Type, symtab: &mut Symtab) -> Result<Datum, String> {
    let mut resolve = |name: &str, base: &ovsdb::BaseType| symtab.reference(name, base);
    Datum::from_string(s, t, Some(&mut resolve))
}

/// Parses an atom of base type `base` from text, resolving `@name` symbols.
pub fn atom_from_string(
    s: &str,
    base: &ovsdb::BaseType,
    symtab: &mut Symtab,
) -> Result<Atom, String> {
    let mut resolve = |name: &str, b: &ovsdb::BaseType| symtab.reference(name, b);
    Atom::from_string(s, base, Some(&mut resolve))
}

/// A parsed condition of `find` or `wait-until`.
pub struct Condition {
    pub column: &'static ColumnSchema,
    relop: usize,
    /// For `column:key` conditions, the key and the value compared with the value
    /// stored under it.
    key: Option<Atom>,
    want: Datum,
}

impl Condition {
    pub fn parse(
        arg: &str,
        table: &'static TableSchema,
        symtab: &mut Symtab,
    ) -> Result<Condition, String> {
        let parsed = parse_column_key_value(arg, table, Some(RELOPS))?;
        let Some((relop, value)) = parsed.op else {
            return Err(format!("{arg}: missing value"));
        };
        let column = parsed.column;
        match parsed.key {
            Some(key) => {
                let Some(value_type) = &column.type_.value else {
                    return Err(format!(
                        "cannot specify key to check for non-map column {}",
                        column.name
                    ));
                };
                let key = atom_from_string(&key, &column.type_.key, symtab)?;
                let t = Type {
                    key: value_type.clone(),
                    value: None,
                    min: column.type_.min,
                    max: UNLIMITED,
                };
                let want = datum_from_string(&value, &t, symtab)?;
                Ok(Condition {
                    column,
                    relop,
                    key: Some(key),
                    want,
                })
            }
            None => {
                let want = datum_from_string(&value, &column.type_, symtab)?;
                Ok(Condition {
                    column,
                    relop,
                    key: None,
                    want,
                })
            }
        }
    }

    /// Whether a row whose column holds `have` satisfies the condition.
    pub fn holds(&self, have: &Datum) -> bool {
        match &self.key {
            None => evaluate(have, &self.want, self.relop),
            Some(key) => match have.get(key) {
                Some(v) => evaluate(&Datum::scalar(v.clone()), &self.want, self.relop),
                // Without the key only the set operators apply, to an empty set.
                None if self.relop >= 6 => evaluate(&Datum::empty(), &self.want, self.relop),
                None => false,
            },
        }
    }
}

fn excludes_all(a: &Datum, b: &Datum) -> bool {
    if a.values().is_empty() {
        a.keys().iter().all(|k| !b.contains(k))
    } else {
        a.pairs().all(|(k, v)| b.get(k) != Some(v))
    }
}

fn evaluate(a: &Datum, b: &Datum, relop: usize) -> bool {
    let cmp = || compare_datums(a, b);
    match RELOPS[relop] {
        "=" | "{=}" => cmp() == Ordering::Equal,
        "!=" | "{!=}" => cmp() != Ordering::Equal,
        "<" => cmp() == Ordering::Less,
        ">" => cmp() == Ordering::Greater,
        "<=" => cmp() != Ordering::Greater,
        ">=" => cmp() != Ordering::Less,
        "{<}" => b.len() > a.len() && a.is_subset_of(b),
        "{>}" => a.len() > b.len() && b.is_subset_of(a),
        "{<=}" | "{in}" => a.is_subset_of(b),
        "{>=}" => b.is_subset_of(a),
        "{not-in}" => excludes_all(a, b),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operators_and_their_errors() {
        let bridge = crate::schema::get_table("Bridge").unwrap();
        let a = parse_column_key_value("flood_vlans{>=}1,2", bridge, Some(RELOPS)).unwrap();
        assert_eq!(a.op, Some((11, "1,2".to_string())));
        let a = parse_column_key_value("other_config:x<=5", bridge, Some(RELOPS)).unwrap();
        assert_eq!(a.key.as_deref(), Some("x"));
        assert_eq!(a.op, Some((4, "5".to_string())));
        let e = parse_column_key_value("name=", bridge, Some(EQUALS))
            .err()
            .unwrap();
        assert_eq!(
            e,
            "name=: argument does not end in \"=\" followed by a value."
        );
        let e = parse_column_key_value("name", bridge, Some(RELOPS))
            .err()
            .unwrap();
        assert!(
            e.ends_with("\"{in}\", or \"{not-in}\" followed by a value."),
            "{e}"
        );
        let e = parse_column_key_value("other_config:c:d", bridge, None)
            .err()
            .unwrap();
        assert_eq!(e, "other_config:c:d: trailing garbage \":d\" in argument");
        let e = parse_column_key_value("", bridge, None).err().unwrap();
        assert_eq!(e, ": missing column name");
    }

    #[test]
    fn set_comparisons() {
        let set = |v: &[i64]| Datum::set(v.iter().map(|&i| Atom::Integer(i)).collect()).unwrap();
        let rel = |op: &str| RELOPS.iter().position(|o| *o == op).unwrap();
        assert!(evaluate(&set(&[1]), &set(&[1, 2]), rel("{<}")));
        assert!(!evaluate(&set(&[1, 2]), &set(&[1, 2]), rel("{<}")));
        assert!(evaluate(&set(&[]), &set(&[5]), rel("<")));
        assert!(evaluate(&set(&[3]), &set(&[1, 2]), rel("{not-in}")));
        assert!(evaluate(&set(&[1, 2]), &set(&[2]), rel("{>=}")));
    }
}
