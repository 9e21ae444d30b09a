//! Datums: the value of one column, a sorted set of atoms or a sorted map of atoms.
//!
//! Invariant: `keys` is sorted and free of duplicates; for maps `values[i]` belongs to
//! `keys[i]`, for sets and scalars `values` is empty. The column's [`Type`] says which.

use crate::atom::{Atom, SymbolResolver};
use crate::error::{Error, Result};
use crate::types::{Type, UNLIMITED};
use ovs_json::Json;

#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Datum {
    keys: Vec<Atom>,
    values: Vec<Atom>,
}

impl Datum {
    /// The empty set or map.
    pub fn empty() -> Datum {
        Datum::default()
    }

    /// A datum holding one atom.
    pub fn scalar(atom: Atom) -> Datum {
        Datum {
            keys: vec![atom],
            values: Vec::new(),
        }
    }

    /// A set from atoms in any order; duplicates are an error.
    pub fn set(mut keys: Vec<Atom>) -> Result<Datum> {
        keys.sort();
        if keys.windows(2).any(|w| w[0] == w[1]) {
            return Err(Error::new("ovsdb error", "set contains duplicate"));
        }
        Ok(Datum {
            keys,
            values: Vec::new(),
        })
    }

    /// A map from pairs in any order; duplicate keys are an error.
    pub fn map(mut pairs: Vec<(Atom, Atom)>) -> Result<Datum> {
        pairs.sort_by(|a, b| a.0.cmp(&b.0));
        if pairs.windows(2).any(|w| w[0].0 == w[1].0) {
            return Err(Error::new("ovsdb error", "map contains duplicate key"));
        }
        let (keys, values) = pairs.into_iter().unzip();
        Ok(Datum { keys, values })
    }

    /// The default value of a column of type `t`.
    pub fn default_for(t: &Type) -> Datum {
        if t.min == 0 {
            return Datum::empty();
        }
        Datum {
            keys: vec![Atom::default_for(t.key.atomic)],
            values: t
                .value
                .iter()
                .map(|v| Atom::default_for(v.atomic))
                .collect(),
        }
    }

    pub fn is_default(&self, t: &Type) -> bool {
        *self == Datum::default_for(t)
    }

    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    pub fn keys(&self) -> &[Atom] {
        &self.keys
    }

    pub fn values(&self) -> &[Atom] {
        &self.values
    }

    pub fn is_map_shaped(&self) -> bool {
        !self.values.is_empty()
    }

    /// The first key (the value of a scalar column).
    pub fn first(&self) -> Option<&Atom> {
        self.keys.first()
    }

    /// `(key, value)` pairs of a map.
    pub fn pairs(&self) -> impl Iterator<Item = (&Atom, &Atom)> {
        self.keys.iter().zip(self.values.iter())
    }

    pub fn find_key(&self, key: &Atom) -> Option<usize> {
        self.keys.binary_search(key).ok()
    }

    /// The value stored under `key` in a map.
    pub fn get(&self, key: &Atom) -> Option<&Atom> {
        self.find_key(key).and_then(|i| self.values.get(i))
    }

    pub fn contains(&self, key: &Atom) -> bool {
        self.find_key(key).is_some()
    }

    /// Whether every element (key, or key and value for maps) of `self` is in `other`.
    pub fn is_subset_of(&self, other: &Datum) -> bool {
        if self.values.is_empty() {
            self.keys.iter().all(|k| other.contains(k))
        } else {
            self.pairs().all(|(k, v)| other.get(k) == Some(v))
        }
    }

    /// Adds a set element (ignored if present).
    pub fn insert_key(&mut self, key: Atom) {
        if let Err(i) = self.keys.binary_search(&key) {
            self.keys.insert(i, key);
        }
    }

    /// Adds a map pair unless the key is present (RFC 7047 "insert" semantics).
    pub fn insert_pair(&mut self, key: Atom, value: Atom) {
        if let Err(i) = self.keys.binary_search(&key) {
            self.keys.insert(i, key);
            self.values.insert(i, value);
        }
    }

    /// Sets a map pair, replacing any value under the key.
    pub fn set_pair(&mut self, key: Atom, value: Atom) {
        match self.keys.binary_search(&key) {
            Ok(i) => self.values[i] = value,
            Err(i) => {
                self.keys.insert(i, key);
                self.values.insert(i, value);
            }
        }
    }

    /// Removes a key (and its value).
    pub fn remove_key(&mut self, key: &Atom) -> bool {
        match self.keys.binary_search(key) {
            Ok(i) => {
                self.keys.remove(i);
                if !self.values.is_empty() {
                    self.values.remove(i);
                }
                true
            }
            Err(_) => false,
        }
    }

    /// Keeps only the elements for which `keep(key, value)` holds.
    pub fn retain(&mut self, mut keep: impl FnMut(&Atom, Option<&Atom>) -> bool) {
        let is_map = !self.values.is_empty();
        let mut k = Vec::with_capacity(self.keys.len());
        let mut v = Vec::with_capacity(self.values.len());
        let values = std::mem::take(&mut self.values);
        let mut values = values.into_iter();
        for key in std::mem::take(&mut self.keys) {
            let value = if is_map { values.next() } else { None };
            if keep(&key, value.as_ref()) {
                k.push(key);
                v.extend(value);
            }
        }
        self.keys = k;
        self.values = v;
    }

    /// Mutable access to the atoms, for element-wise arithmetic; callers must keep the
    /// keys sorted and unique afterwards (see [`Datum::resort`]).
    pub fn keys_mut(&mut self) -> &mut [Atom] {
        &mut self.keys
    }

    /// Restores the sort invariant after in-place changes; fails on duplicates.
    pub fn resort(&mut self) -> Result<()> {
        if self.values.is_empty() {
            let keys = std::mem::take(&mut self.keys);
            *self = Datum::set(keys)?;
        } else {
            let pairs = std::mem::take(&mut self.keys)
                .into_iter()
                .zip(std::mem::take(&mut self.values))
                .collect();
            *self = Datum::map(pairs)?;
        }
        Ok(())
    }

    /// Parses the JSON form of a datum of type `t` (size is checked, constraints are not).
    pub fn from_json(json: &Json, t: &Type, symbols: &mut SymbolResolver) -> Result<Datum> {
        let datum = if let Some(value_type) = &t.value {
            let items = tagged_array(json, "map")
                .ok_or_else(|| Error::syntax(json, "expected [\"map\", <array>]"))?;
            let mut pairs = Vec::with_capacity(items.len());
            for item in items {
                let Some([k, v]) = item.as_array() else {
                    return Err(Error::syntax(item, "expected 2-element array"));
                };
                pairs.push((
                    Atom::from_json(k, t.key.atomic, symbols)?,
                    Atom::from_json(v, value_type.atomic, symbols)?,
                ));
            }
            Datum::map(pairs)?
        } else if is_tagged(json, "set") {
            let items = tagged_array(json, "set")
                .ok_or_else(|| Error::syntax(json, "expected [\"set\", <array>]"))?;
            let atoms = items
                .iter()
                .map(|a| Atom::from_json(a, t.key.atomic, symbols))
                .collect::<Result<Vec<_>>>()?;
            Datum::set(atoms)?
        } else {
            Datum::scalar(Atom::from_json(json, t.key.atomic, symbols)?)
        };
        datum.check_size(t).map_err(|e| e.with_syntax(json))?;
        Ok(datum)
    }

    /// Checks the number of elements against the type's range.
    pub fn check_size(&self, t: &Type) -> Result<()> {
        let n = self.len();
        if n < t.min as usize || (t.max != UNLIMITED && n > t.max as usize) {
            let what = if t.is_map() { "map" } else { "set" };
            return Err(Error::new(
                "syntax error",
                format!(
                    "{what} must have {} to {} members but {n} are present",
                    t.min, t.max
                ),
            ));
        }
        Ok(())
    }

    /// Checks every atom against the type's constraints (enums, ranges, lengths).
    pub fn check_constraints(&self, t: &Type) -> Result<()> {
        for k in &self.keys {
            t.key.check_constraints(k)?;
        }
        if let Some(vt) = &t.value {
            for v in &self.values {
                vt.check_constraints(v)?;
            }
        }
        Ok(())
    }

    /// The JSON form: a bare atom for one element of a non-map, else `["set",...]` or
    /// `["map",...]`.
    pub fn to_json(&self, t: &Type) -> Json {
        if t.is_map() {
            let pairs = self
                .pairs()
                .map(|(k, v)| Json::array([k.to_json(), v.to_json()]));
            Json::array([Json::string("map"), Json::array(pairs)])
        } else if self.keys.len() == 1 {
            self.keys[0].to_json()
        } else {
            Json::array([
                Json::string("set"),
                Json::array(self.keys.iter().map(Atom::to_json)),
            ])
        }
    }

    /// The `--data=string` form: `[a, b]`, `{k=v}`, or a lone atom for scalars and
    /// non-empty optional values.
    pub fn to_string_form(&self, t: &Type) -> String {
        let bracketed = t.max > 1 || self.keys.is_empty();
        let (open, close) = if t.is_map() { ('{', '}') } else { ('[', ']') };
        let mut out = String::new();
        if bracketed {
            out.push(open);
        }
        for (i, k) in self.keys.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            out.push_str(&k.to_string_form());
            if let Some(v) = self.values.get(i) {
                out.push('=');
                out.push_str(&v.to_string_form());
            }
        }
        if bracketed {
            out.push(close);
        }
        out
    }

    /// The `--data=bare` form: elements separated by spaces, map pairs as `k=v`.
    pub fn to_bare(&self) -> String {
        let mut out = String::new();
        for (i, k) in self.keys.iter().enumerate() {
            if i > 0 {
                out.push(' ');
            }
            out.push_str(&k.to_bare());
            if let Some(v) = self.values.get(i) {
                out.push('=');
                out.push_str(&v.to_bare());
            }
        }
        out
    }

    /// The update2-style difference that turns `self` into `new`: for sets, the
    /// symmetric difference; for maps, removed keys with their old value, added keys, and
    /// changed keys with their new value. `None` when they are equal.
    pub fn diff(&self, new: &Datum, t: &Type) -> Option<Datum> {
        if self == new {
            return None;
        }
        // For single-valued columns (max 1: scalars, optional values) the difference
        // is simply the new value, as the reference writes and reads it.
        if t.max == 1 {
            return Some(new.clone());
        }
        let mut out = Datum::empty();
        if t.is_map() {
            for (k, v) in self.pairs() {
                match new.get(k) {
                    None => out.set_pair(k.clone(), v.clone()),
                    Some(nv) if nv != v => out.set_pair(k.clone(), nv.clone()),
                    Some(_) => {}
                }
            }
            for (k, v) in new.pairs() {
                if !self.contains(k) {
                    out.set_pair(k.clone(), v.clone());
                }
            }
        } else {
            for k in self.keys.iter().chain(new.keys.iter()) {
                if self.contains(k) != new.contains(k) {
                    out.insert_key(k.clone());
                }
            }
        }
        Some(out)
    }

    /// Applies a difference made by [`Datum::diff`] (or received in update2 / a log record).
    pub fn apply_diff(&self, diff: &Datum, t: &Type) -> Datum {
        // For single-valued columns (max 1: scalars, optional values) the difference
        // is simply the new value, as the reference writes and reads it.
        if t.max == 1 {
            return diff.clone();
        }
        let mut out = self.clone();
        if t.is_map() {
            for (k, v) in diff.pairs() {
                match out.get(k) {
                    Some(old) if old == v => {
                        out.remove_key(k);
                    }
                    Some(_) => out.set_pair(k.clone(), v.clone()),
                    None => out.set_pair(k.clone(), v.clone()),
                }
            }
        } else {
            for k in diff.keys() {
                if !out.remove_key(k) {
                    out.insert_key(k.clone());
                }
            }
        }
        out
    }
}

fn is_tagged(json: &Json, tag: &str) -> bool {
    matches!(json.as_array(), Some([Json::String(t), _]) if t == tag)
}

fn tagged_array<'a>(json: &'a Json, tag: &str) -> Option<&'a [Json]> {
    match json.as_array() {
        Some([Json::String(t), Json::Array(items)]) if t == tag => Some(items),
        _ => None,
    }
}
