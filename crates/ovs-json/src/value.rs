//! The JSON value type.
//!
//! Numbers are kept the way Open vSwitch keeps them: a number that is an exact integer
//! in `i64` range is an [`Json::Integer`], everything else is a [`Json::Real`]. Objects
//! keep their members sorted by name, which makes every printed form deterministic.

use std::collections::BTreeMap;
use std::fmt;

/// An object's members, sorted by name.
pub type Object = BTreeMap<String, Json>;

/// A JSON value.
#[derive(Clone, Debug, PartialEq)]
pub enum Json {
    Null,
    Bool(bool),
    Integer(i64),
    Real(f64),
    String(String),
    Array(Vec<Json>),
    Object(Object),
}

impl Json {
    /// Builds a string value.
    pub fn string(s: impl Into<String>) -> Json {
        Json::String(s.into())
    }

    /// Builds an array value from anything iterable.
    pub fn array<I: IntoIterator<Item = Json>>(items: I) -> Json {
        Json::Array(items.into_iter().collect())
    }

    /// Builds an object from `(name, value)` pairs.
    pub fn object<K: Into<String>, I: IntoIterator<Item = (K, Json)>>(members: I) -> Json {
        Json::Object(members.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    /// The name of this value's type, as OVS uses it in error messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Json::Null => "null",
            Json::Bool(false) => "false",
            Json::Bool(true) => "true",
            Json::Integer(_) => "integer",
            Json::Real(_) => "real",
            Json::String(_) => "string",
            Json::Array(_) => "array",
            Json::Object(_) => "object",
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Json::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[Json]> {
        match self {
            Json::Array(a) => Some(a),
            _ => None,
        }
    }

    pub fn as_object(&self) -> Option<&Object> {
        match self {
            Json::Object(o) => Some(o),
            _ => None,
        }
    }

    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Json::Integer(i) => Some(*i),
            _ => None,
        }
    }

    /// An integer or real as `f64`.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Json::Integer(i) => Some(*i as f64),
            Json::Real(r) => Some(*r),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Json::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Json::Null)
    }

    /// Member `name` of an object; `None` for a missing member or a non-object.
    pub fn get(&self, name: &str) -> Option<&Json> {
        self.as_object().and_then(|o| o.get(name))
    }

    /// Compact serialization, members in name order (OVS's `json_to_string` with sorting).
    pub fn to_compact(&self) -> String {
        let mut out = String::new();
        crate::print::write_compact(self, &mut out);
        out
    }

    /// Appends the compact serialization to `out` (saves a copy when building a larger
    /// text, such as a batch of messages).
    pub fn append_compact(&self, out: &mut String) {
        crate::print::write_compact(self, out);
    }

    /// Pretty serialization in OVS's layout (`JSSF_PRETTY | JSSF_SORT`).
    pub fn to_pretty(&self) -> String {
        let mut out = String::new();
        crate::print::write_pretty(self, &mut out);
        out
    }
}

impl fmt::Display for Json {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_compact())
    }
}

impl From<&str> for Json {
    fn from(s: &str) -> Json {
        Json::String(s.to_owned())
    }
}

impl From<String> for Json {
    fn from(s: String) -> Json {
        Json::String(s)
    }
}

impl From<i64> for Json {
    fn from(i: i64) -> Json {
        Json::Integer(i)
    }
}

impl From<bool> for Json {
    fn from(b: bool) -> Json {
        Json::Bool(b)
    }
}

impl From<f64> for Json {
    fn from(r: f64) -> Json {
        Json::Real(r)
    }
}

impl From<Vec<Json>> for Json {
    fn from(a: Vec<Json>) -> Json {
        Json::Array(a)
    }
}

impl From<Object> for Json {
    fn from(o: Object) -> Json {
        Json::Object(o)
    }
}
