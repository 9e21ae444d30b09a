//! The OVSDB type system: atomic types, base types with their constraints, and column
//! types (a key, an optional value, and a size range), with their JSON forms.

use crate::atom::Atom;
use crate::datum::Datum;
use crate::error::{Error, Result};
use ovs_json::{Json, Object};
use std::fmt;

/// The five atomic types.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AtomicType {
    Integer,
    Real,
    Boolean,
    String,
    Uuid,
}

impl AtomicType {
    pub fn name(self) -> &'static str {
        match self {
            AtomicType::Integer => "integer",
            AtomicType::Real => "real",
            AtomicType::Boolean => "boolean",
            AtomicType::String => "string",
            AtomicType::Uuid => "uuid",
        }
    }

    pub fn from_name(name: &str) -> Option<AtomicType> {
        Some(match name {
            "integer" => AtomicType::Integer,
            "real" => AtomicType::Real,
            "boolean" => AtomicType::Boolean,
            "string" => AtomicType::String,
            "uuid" => AtomicType::Uuid,
            _ => return None,
        })
    }
}

impl fmt::Display for AtomicType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Whether a reference keeps its target alive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RefType {
    Strong,
    Weak,
}

/// An atomic type with its constraints.
#[derive(Clone, Debug, PartialEq)]
pub struct BaseType {
    pub atomic: AtomicType,
    /// The allowed values, if restricted (a set of atoms of `atomic`).
    pub enumeration: Option<Datum>,
    pub min_integer: i64,
    pub max_integer: i64,
    pub min_real: f64,
    pub max_real: f64,
    pub min_length: u64,
    pub max_length: u64,
    pub ref_table: Option<String>,
    pub ref_type: RefType,
}

impl BaseType {
    /// An unconstrained base type.
    pub fn new(atomic: AtomicType) -> BaseType {
        BaseType {
            atomic,
            enumeration: None,
            min_integer: i64::MIN,
            max_integer: i64::MAX,
            min_real: -f64::MAX,
            max_real: f64::MAX,
            min_length: 0,
            max_length: u64::from(u32::MAX),
            ref_table: None,
            ref_type: RefType::Strong,
        }
    }

    fn has_constraints(&self) -> bool {
        self.enumeration.is_some()
            || self.min_integer != i64::MIN
            || self.max_integer != i64::MAX
            || self.min_real != -f64::MAX
            || self.max_real != f64::MAX
            || self.min_length != 0
            || self.max_length != u64::from(u32::MAX)
            || self.ref_table.is_some()
    }

    /// A strong reference to another table.
    pub fn is_strong_ref(&self) -> bool {
        self.ref_table.is_some() && self.ref_type == RefType::Strong
    }

    pub fn is_weak_ref(&self) -> bool {
        self.ref_table.is_some() && self.ref_type == RefType::Weak
    }

    pub fn from_json(json: &Json) -> Result<BaseType> {
        if let Json::String(name) = json {
            return AtomicType::from_name(name)
                .map(BaseType::new)
                .ok_or_else(|| Error::syntax(json, format!("\"{name}\" is not an atomic-type")));
        }
        let Json::Object(o) = json else {
            return Err(Error::syntax(json, "base type must be string or object"));
        };
        let type_json = o
            .get("type")
            .ok_or_else(|| Error::syntax(json, "Required 'type' member is missing."))?;
        let atomic = type_json
            .as_str()
            .and_then(AtomicType::from_name)
            .ok_or_else(|| {
                let text = type_json
                    .as_str()
                    .map_or_else(|| type_json.to_compact(), str::to_owned);
                Error::syntax(type_json, format!("\"{text}\" is not an atomic-type"))
            })?;
        let mut base = BaseType::new(atomic);
        for name in o.keys() {
            let allowed = match name.as_str() {
                "type" | "enum" => true,
                "minInteger" | "maxInteger" => atomic == AtomicType::Integer,
                "minReal" | "maxReal" => atomic == AtomicType::Real,
                "minLength" | "maxLength" => atomic == AtomicType::String,
                "refTable" | "refType" => atomic == AtomicType::Uuid,
                _ => false,
            };
            if !allowed {
                return Err(Error::syntax(
                    json,
                    format!("Member '{name}' is present but not allowed here."),
                ));
            }
        }
        if let Some(e) = o.get("enum") {
            let set_type = Type {
                key: BaseType::new(atomic),
                value: None,
                min: 1,
                max: u32::MAX,
            };
            base.enumeration = Some(Datum::from_json(e, &set_type, &mut |_| None)?);
        }
        let int = |n: &str| -> Result<Option<i64>> {
            o.get(n)
                .map(|v| {
                    v.as_i64()
                        .ok_or_else(|| Error::syntax(v, format!("{n} must be an integer")))
                })
                .transpose()
        };
        let real = |n: &str| -> Result<Option<f64>> {
            o.get(n)
                .map(|v| {
                    v.as_f64()
                        .ok_or_else(|| Error::syntax(v, format!("{n} must be a number")))
                })
                .transpose()
        };
        if let Some(v) = int("minInteger")? {
            base.min_integer = v;
        }
        if let Some(v) = int("maxInteger")? {
            base.max_integer = v;
        }
        if base.min_integer > base.max_integer {
            return Err(Error::syntax(json, "minInteger exceeds maxInteger"));
        }
        if let Some(v) = real("minReal")? {
            base.min_real = v;
        }
        if let Some(v) = real("maxReal")? {
            base.max_real = v;
        }
        if base.min_real > base.max_real {
            return Err(Error::syntax(json, "minReal exceeds maxReal"));
        }
        if let Some(v) = int("minLength")? {
            base.min_length = u64::try_from(v)
                .map_err(|_| Error::syntax(json, "minLength must be nonnegative"))?;
        }
        if let Some(v) = int("maxLength")? {
            base.max_length = u64::try_from(v)
                .map_err(|_| Error::syntax(json, "maxLength must be nonnegative"))?;
        }
        if base.min_length > base.max_length {
            return Err(Error::syntax(json, "minLength exceeds maxLength"));
        }
        if let Some(t) = o.get("refTable") {
            let name = t
                .as_str()
                .ok_or_else(|| Error::syntax(t, "refTable must be a string"))?;
            base.ref_table = Some(name.to_owned());
            if let Some(rt) = o.get("refType") {
                base.ref_type = match rt.as_str() {
                    Some("strong") => RefType::Strong,
                    Some("weak") => RefType::Weak,
                    _ => {
                        return Err(Error::syntax(
                            rt,
                            "refType must be \"strong\" or \"weak\" (defaults to \"strong\")",
                        ))
                    }
                };
            }
        } else if o.contains_key("refType") {
            return Err(Error::syntax(json, "refType is present without refTable"));
        }
        Ok(base)
    }

    pub fn to_json(&self) -> Json {
        if !self.has_constraints() {
            return Json::string(self.atomic.name());
        }
        let mut o = Object::new();
        o.insert("type".into(), Json::string(self.atomic.name()));
        if let Some(e) = &self.enumeration {
            let set_type = Type {
                key: BaseType::new(self.atomic),
                value: None,
                min: 1,
                max: u32::MAX,
            };
            o.insert("enum".into(), e.to_json(&set_type));
        }
        if self.min_integer != i64::MIN {
            o.insert("minInteger".into(), Json::Integer(self.min_integer));
        }
        if self.max_integer != i64::MAX {
            o.insert("maxInteger".into(), Json::Integer(self.max_integer));
        }
        if self.min_real != -f64::MAX {
            o.insert("minReal".into(), Json::Real(self.min_real));
        }
        if self.max_real != f64::MAX {
            o.insert("maxReal".into(), Json::Real(self.max_real));
        }
        if self.min_length != 0 {
            o.insert("minLength".into(), Json::Integer(self.min_length as i64));
        }
        if self.max_length != u64::from(u32::MAX) {
            o.insert("maxLength".into(), Json::Integer(self.max_length as i64));
        }
        if let Some(t) = &self.ref_table {
            o.insert("refTable".into(), Json::string(t.as_str()));
            if self.ref_type == RefType::Weak {
                o.insert("refType".into(), Json::string("weak"));
            }
        }
        Json::Object(o)
    }

    /// Checks an atom against this type's constraints, with the reference's messages.
    pub fn check_constraints(&self, atom: &Atom) -> Result<()> {
        if let Some(e) = &self.enumeration {
            if e.find_key(atom).is_none() {
                let allowed = e.to_string_form(&Type {
                    key: BaseType::new(self.atomic),
                    value: None,
                    min: 0,
                    max: u32::MAX,
                });
                return Err(Error::constraint(format!(
                    "{} is not one of the allowed values ({allowed})",
                    atom.to_string_form()
                )));
            }
            return Ok(());
        }
        match atom {
            Atom::Integer(i) => {
                let (lo, hi) = (self.min_integer, self.max_integer);
                if *i >= lo && *i <= hi {
                    Ok(())
                } else if lo != i64::MIN && hi != i64::MAX {
                    Err(Error::constraint(format!(
                        "{i} is not in the valid range {lo} to {hi} (inclusive)"
                    )))
                } else if lo != i64::MIN {
                    Err(Error::constraint(format!(
                        "{i} is less than minimum allowed value {lo}"
                    )))
                } else {
                    Err(Error::constraint(format!(
                        "{i} is greater than maximum allowed value {hi}"
                    )))
                }
            }
            Atom::Real(r) => {
                let (lo, hi) = (self.min_real, self.max_real);
                let g = ovs_json::format_real;
                if *r >= lo && *r <= hi {
                    Ok(())
                } else if lo != -f64::MAX && hi != f64::MAX {
                    Err(Error::constraint(format!(
                        "{} is not in the valid range {} to {} (inclusive)",
                        g(*r),
                        g(lo),
                        g(hi)
                    )))
                } else if lo != -f64::MAX {
                    Err(Error::constraint(format!(
                        "{} is less than minimum allowed value {}",
                        g(*r),
                        g(lo)
                    )))
                } else {
                    Err(Error::constraint(format!(
                        "{} is greater than maximum allowed value {}",
                        g(*r),
                        g(hi)
                    )))
                }
            }
            Atom::String(s) => {
                // A string has between a quarter of its bytes and all of them in
                // characters; inside those bounds there is nothing to count.
                let bytes = s.len() as u64;
                if bytes.div_ceil(4) >= self.min_length && bytes <= self.max_length {
                    return Ok(());
                }
                let len = s.chars().count() as u64;
                let quoted = || Json::string(&**s).to_compact();
                if len < self.min_length {
                    Err(Error::constraint(format!(
                        "{} length {len} is less than minimum allowed length {}",
                        quoted(),
                        self.min_length
                    )))
                } else if len > self.max_length {
                    Err(Error::constraint(format!(
                        "{} length {len} is greater than maximum allowed length {}",
                        quoted(),
                        self.max_length
                    )))
                } else {
                    Ok(())
                }
            }
            Atom::Boolean(_) | Atom::Uuid(_) => Ok(()),
        }
    }
}

/// A column's type: a key type, for maps a value type, and how many elements it holds.
#[derive(Clone, Debug, PartialEq)]
pub struct Type {
    pub key: BaseType,
    pub value: Option<BaseType>,
    /// 0 or 1.
    pub min: u32,
    /// At least 1; `u32::MAX` means unlimited.
    pub max: u32,
}

/// `max` for "unlimited".
pub const UNLIMITED: u32 = u32::MAX;

impl Type {
    /// A scalar (exactly one atom) of the given type.
    pub fn scalar(atomic: AtomicType) -> Type {
        Type {
            key: BaseType::new(atomic),
            value: None,
            min: 1,
            max: 1,
        }
    }

    pub fn is_map(&self) -> bool {
        self.value.is_some()
    }

    pub fn is_scalar(&self) -> bool {
        self.min == 1 && self.max == 1 && self.value.is_none()
    }

    pub fn is_optional_scalar(&self) -> bool {
        self.min == 0 && self.max == 1 && self.value.is_none()
    }

    /// Whether the column holds a set (not a scalar, not a map).
    pub fn is_set(&self) -> bool {
        self.value.is_none() && !self.is_scalar()
    }

    pub fn from_json(json: &Json) -> Result<Type> {
        if let Json::String(_) = json {
            let key = BaseType::from_json(json)?;
            return Ok(Type {
                key,
                value: None,
                min: 1,
                max: 1,
            });
        }
        let Json::Object(o) = json else {
            return Err(Error::syntax(json, "ovsdb type expected"));
        };
        for name in o.keys() {
            if !matches!(name.as_str(), "key" | "value" | "min" | "max") {
                return Err(Error::syntax(
                    json,
                    format!("Member '{name}' is present but not allowed here."),
                ));
            }
        }
        let key = BaseType::from_json(
            o.get("key")
                .ok_or_else(|| Error::syntax(json, "Required 'key' member is missing."))?,
        )?;
        let value = o.get("value").map(BaseType::from_json).transpose()?;
        let min = match o.get("min") {
            None => 1,
            Some(Json::Integer(n @ 0..=1)) => *n as u32,
            Some(v) => return Err(Error::syntax(v, "bad min or max value")),
        };
        let max = match o.get("max") {
            None => 1,
            Some(Json::String(s)) if s == "unlimited" => UNLIMITED,
            Some(Json::Integer(n)) if *n >= 1 && *n < i64::from(UNLIMITED) => *n as u32,
            Some(v) => return Err(Error::syntax(v, "bad min or max value")),
        };
        if min > max {
            return Err(Error::syntax(json, "ovsdb type fails constraint checks"));
        }
        Ok(Type {
            key,
            value,
            min,
            max,
        })
    }

    pub fn to_json(&self) -> Json {
        if self.is_scalar() && !self.key.has_constraints() {
            return Json::string(self.key.atomic.name());
        }
        let mut o = Object::new();
        o.insert("key".into(), self.key.to_json());
        if let Some(v) = &self.value {
            o.insert("value".into(), v.to_json());
        }
        if self.min != 1 {
            o.insert("min".into(), Json::Integer(i64::from(self.min)));
        }
        if self.max == UNLIMITED {
            o.insert("max".into(), Json::string("unlimited"));
        } else if self.max != 1 {
            o.insert("max".into(), Json::Integer(i64::from(self.max)));
        }
        Json::Object(o)
    }
}
