//! Named UUIDs of a transaction (`"uuid-name"` / `["named-uuid", NAME]`) and the datum
//! parser that transactions, conditions and mutations use.
//!
//! The parser follows the reference's order of checks, which decides the error a client
//! sees when a value is wrong in more than one way: the `["set", ...]`/`["map", ...]`
//! wrapper, then the element count, then each atom (type, then constraints), then
//! duplicates. A named UUID may be used before the `insert` that names it (a forward
//! reference): using a name creates its symbol with a fresh UUID.

use crate::atom::{parse_uuid, Atom, Uuid};
use crate::datum::Datum;
use crate::error::{Error, Result};
use crate::types::{AtomicType, BaseType, RefType, Type, UNLIMITED};
use ovs_json::Json;
use std::collections::HashMap;
use std::sync::Arc;

/// One named UUID.
#[derive(Clone, Debug, PartialEq)]
pub struct Symbol {
    pub uuid: Uuid,
    /// Set by the `insert` that names it.
    pub created: bool,
    /// Whether a strong (or weak) reference column used the name.
    pub strong_ref: bool,
    pub weak_ref: bool,
}

/// The named UUIDs of one transaction.
#[derive(Clone, Debug, Default)]
pub struct SymbolTable {
    symbols: HashMap<String, Symbol>,
}

impl SymbolTable {
    pub fn new() -> SymbolTable {
        SymbolTable::default()
    }

    pub fn get(&self, name: &str) -> Option<&Symbol> {
        self.symbols.get(name)
    }

    /// The symbol called `name`, created (with a fresh UUID, not yet `created`) if new.
    pub fn insert(&mut self, name: &str) -> &mut Symbol {
        self.symbols
            .entry(name.to_owned())
            .or_insert_with(|| Symbol {
                uuid: crate::uuidgen::new_uuid(),
                created: false,
                strong_ref: false,
                weak_ref: false,
            })
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &Symbol)> {
        self.symbols.iter().map(|(k, v)| (k.as_str(), v))
    }
}

/// Whether `s` is an `<id>`: `[A-Za-z_][A-Za-z0-9_]*`.
pub fn is_id(s: &str) -> bool {
    crate::schema::is_valid_id(s)
}

/// Parses the JSON form of a datum of type `t`, checking element count, constraints and
/// duplicates. With `symbols`, `["named-uuid", NAME]` is accepted and recorded.
pub fn datum_from_json(
    json: &Json,
    t: &Type,
    mut symbols: Option<&mut SymbolTable>,
) -> Result<Datum> {
    let wrapped_set = matches!(json.as_array(), Some([Json::String(tag), ..]) if tag == "set");
    if !t.is_map() && !wrapped_set {
        let atom = atom_from_json(json, &t.key, symbols)?;
        return Ok(Datum::scalar(atom));
    }
    let class = if t.is_map() { "map" } else { "set" };
    let items = match json.as_array() {
        Some([Json::String(tag), Json::Array(items)]) if tag == class => items,
        _ => {
            return Err(Error::syntax(
                json,
                format!("expected [\"{class}\", <array>]"),
            ))
        }
    };
    let n = items.len();
    if n < t.min as usize || (t.max != UNLIMITED && n > t.max as usize) {
        let details = if t.min == 1 && t.max == 1 {
            format!("{class} must have exactly one member but {n} are present")
        } else {
            format!(
                "{class} must have {} to {} members but {n} are present",
                t.min, t.max
            )
        };
        return Err(Error::syntax(json, details));
    }
    if let Some(value_type) = &t.value {
        let mut pairs = Vec::with_capacity(n);
        for item in items {
            let Some([k, v]) = item.as_array() else {
                return Err(Error::syntax(item, "expected 2-element array"));
            };
            let key = atom_from_json(k, &t.key, symbols.as_deref_mut())?;
            let value = atom_from_json(v, value_type, symbols.as_deref_mut())?;
            pairs.push((key, value));
        }
        Datum::map(pairs)
    } else {
        let mut keys = Vec::with_capacity(n);
        for item in items {
            keys.push(atom_from_json(item, &t.key, symbols.as_deref_mut())?);
        }
        Datum::set(keys)
    }
}

/// Parses one atom of base type `base` and checks its constraints.
pub fn atom_from_json(
    json: &Json,
    base: &BaseType,
    symbols: Option<&mut SymbolTable>,
) -> Result<Atom> {
    let atom = match (base.atomic, json) {
        (AtomicType::Integer, Json::Integer(i)) => Atom::Integer(*i),
        (AtomicType::Real, Json::Integer(i)) => Atom::Real(*i as f64),
        (AtomicType::Real, Json::Real(r)) => Atom::Real(*r),
        (AtomicType::Boolean, Json::Bool(b)) => Atom::Boolean(*b),
        (AtomicType::String, Json::String(s)) => Atom::String(Arc::from(s.as_str())),
        (AtomicType::Uuid, _) => Atom::Uuid(uuid_from_json(json, base, symbols)?),
        (t, _) => return Err(Error::syntax(json, format!("expected {}", t.name()))),
    };
    base.check_constraints(&atom)?;
    Ok(atom)
}

fn uuid_from_json(json: &Json, base: &BaseType, symbols: Option<&mut SymbolTable>) -> Result<Uuid> {
    match json.as_array() {
        Some([Json::String(tag), Json::String(text)]) if tag == "uuid" => {
            return parse_uuid(text)
                .ok_or_else(|| Error::syntax(json, format!("\"{text}\" is not a valid UUID")));
        }
        Some([Json::String(tag), Json::String(name)]) if tag == "named-uuid" => {
            if let Some(symbols) = symbols {
                if !is_id(name) {
                    return Err(Error::syntax(json, "named-uuid string is not a valid <id>"));
                }
                let symbol = symbols.insert(name);
                if base.ref_table.is_some() {
                    match base.ref_type {
                        RefType::Strong => symbol.strong_ref = true,
                        RefType::Weak => symbol.weak_ref = true,
                    }
                }
                return Ok(symbol.uuid);
            }
        }
        _ => {}
    }
    Err(Error::syntax(json, "expected [\"uuid\", <string>]"))
}

/// The reference's English description of a type, as used in error messages:
/// `integer`, `set of up to 2 strings`, `map of (string, integer) pairs`, ...
pub fn type_to_english(t: &Type) -> String {
    let key = t.key.atomic.name();
    if t.is_scalar() {
        return key.to_owned();
    }
    let mut s = String::from(if t.is_map() { "map" } else { "set" });
    if t.max == UNLIMITED {
        if t.min > 0 {
            s.push_str(&format!(" of {} or more", t.min));
        } else {
            s.push_str(" of");
        }
    } else if t.min > 0 {
        s.push_str(&format!(" of {} to {}", t.min, t.max));
    } else {
        s.push_str(&format!(" of up to {}", t.max));
    }
    match &t.value {
        None => s.push_str(&format!(" {key}s")),
        Some(v) => s.push_str(&format!(" ({key}, {}) pairs", v.atomic.name())),
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ty(text: &str) -> Type {
        Type::from_json(&ovs_json::parse_value(text).unwrap()).unwrap()
    }

    #[test]
    fn english_types() {
        assert_eq!(type_to_english(&ty("\"integer\"")), "integer");
        assert_eq!(
            type_to_english(&ty(r#"{"key":"integer","min":0,"max":"unlimited"}"#)),
            "set of integers"
        );
        assert_eq!(
            type_to_english(&ty(r#"{"key":"integer","min":1,"max":"unlimited"}"#)),
            "set of 1 or more integers"
        );
        assert_eq!(
            type_to_english(&ty(r#"{"key":"string","min":0,"max":1}"#)),
            "set of up to 1 strings"
        );
        assert_eq!(
            type_to_english(&ty(r#"{"key":"real","min":1,"max":3}"#)),
            "set of 1 to 3 reals"
        );
        assert_eq!(
            type_to_english(&ty(
                r#"{"key":"string","value":"integer","min":0,"max":"unlimited"}"#
            )),
            "map of (string, integer) pairs"
        );
    }

    #[test]
    fn named_uuids_are_created_on_first_use() {
        let mut st = SymbolTable::new();
        let t = ty(r#"{"key":{"type":"uuid","refTable":"X"},"min":0,"max":"unlimited"}"#);
        let j =
            ovs_json::parse_value(r#"["set",[["named-uuid","a"],["named-uuid","a2"]]]"#).unwrap();
        let d = datum_from_json(&j, &t, Some(&mut st)).unwrap();
        assert_eq!(d.len(), 2);
        let a = st.get("a").unwrap();
        assert!(a.strong_ref && !a.created);
        assert!(d.contains(&Atom::Uuid(a.uuid)));
        // Without a symbol table, names are not allowed.
        let e = datum_from_json(&j, &t, None).unwrap_err();
        assert_eq!(e.details, "expected [\"uuid\", <string>]");
    }

    #[test]
    fn checks_run_in_reference_order() {
        let t = ty(r#"{"key":{"type":"integer","maxInteger":5},"min":1,"max":2}"#);
        let parse = |s: &str| datum_from_json(&ovs_json::parse_value(s).unwrap(), &t, None);
        // Count before constraints.
        assert_eq!(
            parse(r#"["set",[1,9,9]]"#).unwrap_err().details,
            "set must have 1 to 2 members but 3 are present"
        );
        // Constraints before duplicates.
        assert_eq!(
            parse(r#"["set",[9,9]]"#).unwrap_err().details,
            "9 is greater than maximum allowed value 5"
        );
        assert_eq!(
            parse(r#"["set",[1,1]]"#).unwrap_err().details,
            "set contains duplicate"
        );
        let scalar = ty("\"integer\"");
        let e = datum_from_json(
            &ovs_json::parse_value(r#"["set",[]]"#).unwrap(),
            &scalar,
            None,
        )
        .unwrap_err();
        assert_eq!(
            e.details,
            "set must have exactly one member but 0 are present"
        );
    }
}
