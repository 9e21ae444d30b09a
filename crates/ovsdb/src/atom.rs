//! Atoms: single values of an atomic type, with their JSON form (RFC 7047) and the
//! reference's string form (what `ovs-vsctl` and `ovsdb-client` print).

use crate::error::{Error, Result};
use crate::types::AtomicType;
use ovs_json::Json;
use std::cmp::Ordering;
use std::sync::Arc;

pub use uuid::Uuid;

/// One value of an atomic type. Strings are shared: rows are copied by transactions and
/// monitors far more often than they are built.
#[derive(Clone, Debug)]
pub enum Atom {
    Integer(i64),
    Real(f64),
    Boolean(bool),
    String(Arc<str>),
    Uuid(Uuid),
}

/// Resolves `["named-uuid", NAME]` to a UUID; `None` if names are not allowed here.
pub type SymbolResolver<'a> = dyn FnMut(&str) -> Option<Uuid> + 'a;

impl Atom {
    pub fn string(s: &str) -> Atom {
        Atom::String(Arc::from(s))
    }

    pub fn atomic_type(&self) -> AtomicType {
        match self {
            Atom::Integer(_) => AtomicType::Integer,
            Atom::Real(_) => AtomicType::Real,
            Atom::Boolean(_) => AtomicType::Boolean,
            Atom::String(_) => AtomicType::String,
            Atom::Uuid(_) => AtomicType::Uuid,
        }
    }

    /// The default value of a type: 0, 0.0, false, "", or the all-zeros UUID.
    pub fn default_for(t: AtomicType) -> Atom {
        match t {
            AtomicType::Integer => Atom::Integer(0),
            AtomicType::Real => Atom::Real(0.0),
            AtomicType::Boolean => Atom::Boolean(false),
            AtomicType::String => Atom::String(empty_string()),
            AtomicType::Uuid => Atom::Uuid(Uuid::nil()),
        }
    }

    pub fn as_uuid(&self) -> Option<Uuid> {
        match self {
            Atom::Uuid(u) => Some(*u),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Atom::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Atom::Integer(i) => Some(*i),
            _ => None,
        }
    }

    /// Parses the JSON form of an atom of type `t`.
    pub fn from_json(json: &Json, t: AtomicType, symbols: &mut SymbolResolver) -> Result<Atom> {
        let atom = match (t, json) {
            (AtomicType::Integer, Json::Integer(i)) => Atom::Integer(*i),
            (AtomicType::Real, Json::Integer(i)) => Atom::Real(*i as f64),
            (AtomicType::Real, Json::Real(r)) => Atom::Real(*r),
            (AtomicType::Boolean, Json::Bool(b)) => Atom::Boolean(*b),
            (AtomicType::String, Json::String(s)) => Atom::String(Arc::from(s.as_str())),
            (AtomicType::Uuid, _) => Atom::Uuid(uuid_from_json(json, symbols)?),
            _ => {
                let expected = match t {
                    AtomicType::Real => "real",
                    other => other.name(),
                };
                return Err(Error::syntax(json, format!("expected {expected}")));
            }
        };
        Ok(atom)
    }

    pub fn to_json(&self) -> Json {
        match self {
            Atom::Integer(i) => Json::Integer(*i),
            Atom::Real(r) => Json::Real(*r),
            Atom::Boolean(b) => Json::Bool(*b),
            Atom::String(s) => Json::String(s.to_string()),
            Atom::Uuid(u) => uuid_to_json(u),
        }
    }

    /// Appends the compact text of [`Atom::to_json`] to `out`, without building it.
    pub fn write_json(&self, out: &mut String) {
        match self {
            Atom::Integer(i) => ovs_json::print::write_integer(*i, out),
            Atom::Real(r) => ovs_json::print::write_real(*r, out),
            Atom::Boolean(b) => out.push_str(if *b { "true" } else { "false" }),
            Atom::String(s) => ovs_json::print::write_string(s, out),
            Atom::Uuid(u) => {
                out.push_str("[\"uuid\",\"");
                out.push_str(uuid_text(u, &mut [0; 36]));
                out.push_str("\"]");
            }
        }
    }

    /// The string form used by `--data=string`: strings are quoted unless they read as a
    /// plain identifier.
    pub fn to_string_form(&self) -> String {
        match self {
            Atom::String(s) if string_needs_quotes(s) => Json::string(&**s).to_compact(),
            Atom::String(s) => s.to_string(),
            other => other.to_bare(),
        }
    }

    /// The bare form used by `--data=bare`: no quoting at all.
    pub fn to_bare(&self) -> String {
        match self {
            Atom::Integer(i) => i.to_string(),
            Atom::Real(r) => ovs_json::format_real(*r),
            Atom::Boolean(b) => b.to_string(),
            Atom::String(s) => s.to_string(),
            Atom::Uuid(u) => u.to_string(),
        }
    }
}

/// Whether the string form of `s` needs quotes: anything that is not an identifier-like
/// word, and words that would read back as another type.
pub fn string_needs_quotes(s: &str) -> bool {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) if c.is_ascii_alphabetic() || c == '_' => {}
        _ => return true,
    }
    if !chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')) {
        return true;
    }
    s == "true" || s == "false" || parse_uuid(s).is_some()
}

/// Parses the canonical 36-character UUID form (hex digits in either case).
pub fn parse_uuid(s: &str) -> Option<Uuid> {
    let b = s.as_bytes();
    if b.len() != 36 {
        return None;
    }
    for (i, c) in b.iter().enumerate() {
        let ok = if matches!(i, 8 | 13 | 18 | 23) {
            *c == b'-'
        } else {
            c.is_ascii_hexdigit()
        };
        if !ok {
            return None;
        }
    }
    Uuid::parse_str(s).ok()
}

pub fn uuid_to_json(u: &Uuid) -> Json {
    Json::array([
        Json::string("uuid"),
        Json::string(uuid_text(u, &mut [0; 36])),
    ])
}

/// The canonical lower-case text of `u`, formatted into `buf` (faster than `Display`,
/// which goes through the formatting machinery).
pub fn uuid_text<'b>(u: &Uuid, buf: &'b mut [u8; 36]) -> &'b str {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut pos = 0;
    for (i, byte) in u.as_bytes().iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            buf[pos] = b'-';
            pos += 1;
        }
        buf[pos] = HEX[usize::from(byte >> 4)];
        buf[pos + 1] = HEX[usize::from(byte & 15)];
        pos += 2;
    }
    // Only ASCII hex digits and dashes were written.
    std::str::from_utf8(buf).unwrap_or_default()
}

/// The empty string, shared: every default string column of every row holds it.
fn empty_string() -> Arc<str> {
    static EMPTY: std::sync::OnceLock<Arc<str>> = std::sync::OnceLock::new();
    EMPTY.get_or_init(|| Arc::from("")).clone()
}

/// Parses `["uuid", "..."]` or `["named-uuid", "..."]`.
pub fn uuid_from_json(json: &Json, symbols: &mut SymbolResolver) -> Result<Uuid> {
    if let Some([Json::String(kind), Json::String(text)]) = json.as_array() {
        match kind.as_str() {
            "uuid" => {
                return parse_uuid(text)
                    .ok_or_else(|| Error::syntax(json, format!("\"{text}\" is not a valid UUID")))
            }
            "named-uuid" => {
                return symbols(text).ok_or_else(|| {
                    Error::syntax(json, format!("named-uuid \"{text}\" is not allowed here"))
                })
            }
            _ => {}
        }
    }
    Err(Error::syntax(json, "expected uuid"))
}

impl PartialEq for Atom {
    fn eq(&self, other: &Atom) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Atom {}

impl PartialOrd for Atom {
    fn partial_cmp(&self, other: &Atom) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Atoms of one type order as the reference orders them (numerically, false < true,
/// strings bytewise, UUIDs by value); atoms of different types order by type.
impl Ord for Atom {
    fn cmp(&self, other: &Atom) -> Ordering {
        match (self, other) {
            (Atom::Integer(a), Atom::Integer(b)) => a.cmp(b),
            (Atom::Real(a), Atom::Real(b)) => a.total_cmp(b),
            (Atom::Boolean(a), Atom::Boolean(b)) => a.cmp(b),
            (Atom::String(a), Atom::String(b)) => a.as_bytes().cmp(b.as_bytes()),
            (Atom::Uuid(a), Atom::Uuid(b)) => a.cmp(b),
            (a, b) => a.atomic_type().cmp(&b.atomic_type()),
        }
    }
}

impl std::hash::Hash for Atom {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        match self {
            Atom::Integer(i) => i.hash(state),
            Atom::Real(r) => r.to_bits().hash(state),
            Atom::Boolean(b) => b.hash(state),
            Atom::String(s) => s.hash(state),
            Atom::Uuid(u) => u.hash(state),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuid_text_is_the_canonical_form() {
        let mut buf = [0; 36];
        for u in [
            Uuid::nil(),
            Uuid::max(),
            Uuid::from_u128(0x0123_4567_89ab_cdef_fedc_ba98_7654_3210),
            crate::uuidgen::new_uuid(),
        ] {
            assert_eq!(uuid_text(&u, &mut buf), u.to_string());
        }
    }
}
