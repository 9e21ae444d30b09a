//! Datums: the value of one column, a sorted set of atoms or a sorted map of atoms.
//!
//! Invariant: the keys are sorted and free of duplicates; for maps `values()[i]` belongs
//! to `keys()[i]`, for sets and scalars `values()` is empty. The column's [`Type`] says
//! which.
//!
//! Representation: most columns of most rows are empty or hold one atom, so those two
//! cases live inline (a datum is 24 bytes and allocates nothing of its own); anything
//! larger is a shared, copy-on-write block, so copying a row (which transactions do far
//! more often than they change a big set) copies no elements.

use crate::atom::{Atom, SymbolResolver};
use crate::error::{Error, Result};
use crate::types::{AtomicType, Type, UNLIMITED};
use ovs_json::Json;
use std::cmp::Ordering;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

#[derive(Clone, Default)]
pub struct Datum {
    repr: Repr,
}

#[derive(Clone, Default)]
enum Repr {
    /// No elements.
    #[default]
    Empty,
    /// One set element (or a scalar): keys `[atom]`, no values.
    One(Atom),
    /// Anything else: two or more elements, or a map with at least one pair.
    Many(Arc<Many>),
}

#[derive(Clone, Default)]
struct Many {
    keys: Vec<Atom>,
    values: Vec<Atom>,
}

impl Datum {
    /// Builds a datum from sorted, unique keys and (for maps) their values.
    fn from_parts(mut keys: Vec<Atom>, values: Vec<Atom>) -> Datum {
        let repr = if values.is_empty() && keys.len() <= 1 {
            match keys.pop() {
                None => Repr::Empty,
                Some(a) => Repr::One(a),
            }
        } else {
            Repr::Many(Arc::new(Many { keys, values }))
        };
        Datum { repr }
    }

    /// The keys and values as owned vectors (copied only if the block is shared).
    fn into_parts(self) -> (Vec<Atom>, Vec<Atom>) {
        match self.repr {
            Repr::Empty => (Vec::new(), Vec::new()),
            Repr::One(a) => (vec![a], Vec::new()),
            Repr::Many(m) => {
                let m = Arc::try_unwrap(m).unwrap_or_else(|shared| (*shared).clone());
                (m.keys, m.values)
            }
        }
    }

    /// Runs `f` on the keys and values as vectors, then stores the result compactly.
    fn edit<R>(&mut self, f: impl FnOnce(&mut Vec<Atom>, &mut Vec<Atom>) -> R) -> R {
        let (mut keys, mut values) = std::mem::take(self).into_parts();
        let r = f(&mut keys, &mut values);
        *self = Datum::from_parts(keys, values);
        r
    }

    /// The empty set or map.
    pub fn empty() -> Datum {
        Datum::default()
    }

    /// A datum holding one atom.
    pub fn scalar(atom: Atom) -> Datum {
        Datum {
            repr: Repr::One(atom),
        }
    }

    /// A set from atoms in any order; duplicates are an error.
    pub fn set(mut keys: Vec<Atom>) -> Result<Datum> {
        keys.sort();
        if keys.windows(2).any(|w| w[0] == w[1]) {
            return Err(Error::new("ovsdb error", "set contains duplicate"));
        }
        Ok(Datum::from_parts(keys, Vec::new()))
    }

    /// A map from pairs in any order; duplicate keys are an error.
    pub fn map(mut pairs: Vec<(Atom, Atom)>) -> Result<Datum> {
        pairs.sort_by(|a, b| a.0.cmp(&b.0));
        if pairs.windows(2).any(|w| w[0].0 == w[1].0) {
            return Err(Error::new("ovsdb error", "map contains duplicate key"));
        }
        let (keys, values) = pairs.into_iter().unzip();
        Ok(Datum::from_parts(keys, values))
    }

    /// The default value of a column of type `t`.
    pub fn default_for(t: &Type) -> Datum {
        if t.min == 0 {
            return Datum::empty();
        }
        let key = Atom::default_for(t.key.atomic);
        match &t.value {
            None => Datum::scalar(key),
            Some(v) => Datum::from_parts(vec![key], vec![Atom::default_for(v.atomic)]),
        }
    }

    /// Whether this is the default value of type `t` (without building that value).
    pub fn is_default(&self, t: &Type) -> bool {
        if t.min == 0 {
            return self.is_empty();
        }
        let (keys, values) = (self.keys(), self.values());
        let [key] = keys else {
            return false;
        };
        if !is_default_atom(key, t.key.atomic) {
            return false;
        }
        match (&t.value, values) {
            (None, []) => true,
            (Some(vt), [value]) => is_default_atom(value, vt.atomic),
            _ => false,
        }
    }

    pub fn len(&self) -> usize {
        self.keys().len()
    }

    pub fn is_empty(&self) -> bool {
        matches!(self.repr, Repr::Empty)
    }

    pub fn keys(&self) -> &[Atom] {
        match &self.repr {
            Repr::Empty => &[],
            Repr::One(a) => std::slice::from_ref(a),
            Repr::Many(m) => &m.keys,
        }
    }

    pub fn values(&self) -> &[Atom] {
        match &self.repr {
            Repr::Many(m) => &m.values,
            _ => &[],
        }
    }

    pub fn is_map_shaped(&self) -> bool {
        !self.values().is_empty()
    }

    /// The first key (the value of a scalar column).
    pub fn first(&self) -> Option<&Atom> {
        self.keys().first()
    }

    /// `(key, value)` pairs of a map.
    pub fn pairs(&self) -> impl Iterator<Item = (&Atom, &Atom)> {
        self.keys().iter().zip(self.values().iter())
    }

    pub fn find_key(&self, key: &Atom) -> Option<usize> {
        self.keys().binary_search(key).ok()
    }

    /// The value stored under `key` in a map.
    pub fn get(&self, key: &Atom) -> Option<&Atom> {
        self.find_key(key).and_then(|i| self.values().get(i))
    }

    pub fn contains(&self, key: &Atom) -> bool {
        self.find_key(key).is_some()
    }

    /// Whether both datums are the same shared block (so certainly equal), a cheap
    /// test that saves comparing large sets element by element.
    pub fn ptr_eq(&self, other: &Datum) -> bool {
        match (&self.repr, &other.repr) {
            (Repr::Many(a), Repr::Many(b)) => Arc::ptr_eq(a, b),
            (Repr::Empty, Repr::Empty) => true,
            _ => false,
        }
    }

    /// Whether every element (key, or key and value for maps) of `self` is in `other`.
    pub fn is_subset_of(&self, other: &Datum) -> bool {
        if self.values().is_empty() {
            self.keys().iter().all(|k| other.contains(k))
        } else {
            self.pairs().all(|(k, v)| other.get(k) == Some(v))
        }
    }

    /// Adds a set element (ignored if present).
    pub fn insert_key(&mut self, key: Atom) {
        if self.is_empty() {
            *self = Datum::scalar(key);
            return;
        }
        if let Err(i) = self.keys().binary_search(&key) {
            self.edit(|keys, _| keys.insert(i, key));
        }
    }

    /// Adds a map pair unless the key is present (RFC 7047 "insert" semantics).
    pub fn insert_pair(&mut self, key: Atom, value: Atom) {
        if let Err(i) = self.keys().binary_search(&key) {
            self.edit(|keys, values| {
                keys.insert(i, key);
                values.insert(i, value);
            });
        }
    }

    /// Sets a map pair, replacing any value under the key.
    pub fn set_pair(&mut self, key: Atom, value: Atom) {
        let found = self.keys().binary_search(&key);
        self.edit(|keys, values| match found {
            Ok(i) => values[i] = value,
            Err(i) => {
                keys.insert(i, key);
                values.insert(i, value);
            }
        });
    }

    /// Adds every element of `other` whose key is not present yet: set union, or map
    /// `insert` (keys already present keep their values). One merge over both sorted
    /// lists, so adding many elements to a large set costs one pass, not one shift of
    /// the whole set per element.
    pub fn union(&mut self, other: &Datum) {
        let (ok, ov) = (other.keys(), other.values());
        if let ([key], values) = (ok, ov) {
            match values {
                [value] => self.insert_pair(key.clone(), value.clone()),
                _ => self.insert_key(key.clone()),
            }
            return;
        }
        if ok.is_empty() {
            return;
        }
        let is_map = !ov.is_empty();
        self.edit(|keys, values| {
            let old_keys = std::mem::take(keys);
            let mut old_values = std::mem::take(values).into_iter();
            let mut new_keys = Vec::with_capacity(old_keys.len() + ok.len());
            let mut new_values = Vec::with_capacity(if is_map { new_keys.capacity() } else { 0 });
            let mut j = 0;
            for key in old_keys {
                while j < ok.len() && ok[j] < key {
                    new_keys.push(ok[j].clone());
                    if is_map {
                        new_values.push(ov[j].clone());
                    }
                    j += 1;
                }
                if j < ok.len() && ok[j] == key {
                    j += 1;
                }
                new_keys.push(key);
                if is_map {
                    new_values.extend(old_values.next());
                }
            }
            new_keys.extend_from_slice(&ok[j..]);
            if is_map {
                new_values.extend_from_slice(&ov[j..]);
            }
            *keys = new_keys;
            *values = new_values;
        });
    }

    /// Removes a key (and its value).
    pub fn remove_key(&mut self, key: &Atom) -> bool {
        match self.keys().binary_search(key) {
            Ok(i) => {
                self.edit(|keys, values| {
                    keys.remove(i);
                    if !values.is_empty() {
                        values.remove(i);
                    }
                });
                true
            }
            Err(_) => false,
        }
    }

    /// Keeps only the elements for which `keep(key, value)` holds.
    pub fn retain(&mut self, mut keep: impl FnMut(&Atom, Option<&Atom>) -> bool) {
        self.edit(|keys, values| {
            let is_map = !values.is_empty();
            let mut k = Vec::with_capacity(keys.len());
            let mut v = Vec::with_capacity(values.len());
            let mut old_values = std::mem::take(values).into_iter();
            for key in std::mem::take(keys) {
                let value = if is_map { old_values.next() } else { None };
                if keep(&key, value.as_ref()) {
                    k.push(key);
                    v.extend(value);
                }
            }
            *keys = k;
            *values = v;
        });
    }

    /// Mutable access to the atoms, for element-wise arithmetic; callers must keep the
    /// keys sorted and unique afterwards (see [`Datum::resort`]).
    pub fn keys_mut(&mut self) -> &mut [Atom] {
        match &mut self.repr {
            Repr::Empty => &mut [],
            Repr::One(a) => std::slice::from_mut(a),
            Repr::Many(m) => &mut Arc::make_mut(m).keys,
        }
    }

    /// Restores the sort invariant after in-place changes; fails on duplicates.
    pub fn resort(&mut self) -> Result<()> {
        let (keys, values) = std::mem::take(self).into_parts();
        *self = if values.is_empty() {
            Datum::set(keys)?
        } else {
            Datum::map(keys.into_iter().zip(values).collect())?
        };
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
        for k in self.keys() {
            t.key.check_constraints(k)?;
        }
        if let Some(vt) = &t.value {
            for v in self.values() {
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
        } else if let [one] = self.keys() {
            one.to_json()
        } else {
            Json::array([
                Json::string("set"),
                Json::array(self.keys().iter().map(Atom::to_json)),
            ])
        }
    }

    /// Appends the compact text of [`Datum::to_json`] to `out`, without building it.
    pub fn write_json(&self, t: &Type, out: &mut String) {
        if t.is_map() {
            out.push_str("[\"map\",[");
            for (i, (k, v)) in self.pairs().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push('[');
                k.write_json(out);
                out.push(',');
                v.write_json(out);
                out.push(']');
            }
            out.push_str("]]");
        } else if let [one] = self.keys() {
            one.write_json(out);
        } else {
            out.push_str("[\"set\",[");
            for (i, k) in self.keys().iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                k.write_json(out);
            }
            out.push_str("]]");
        }
    }

    /// The `--data=string` form: `[a, b]`, `{k=v}`, or a lone atom for scalars and
    /// non-empty optional values.
    pub fn to_string_form(&self, t: &Type) -> String {
        let bracketed = t.max > 1 || self.is_empty();
        let (open, close) = if t.is_map() { ('{', '}') } else { ('[', ']') };
        let mut out = String::new();
        if bracketed {
            out.push(open);
        }
        let values = self.values();
        for (i, k) in self.keys().iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            out.push_str(&k.to_string_form());
            if let Some(v) = values.get(i) {
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
        let values = self.values();
        for (i, k) in self.keys().iter().enumerate() {
            if i > 0 {
                out.push(' ');
            }
            out.push_str(&k.to_bare());
            if let Some(v) = values.get(i) {
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
        if self.ptr_eq(new) || self == new {
            return None;
        }
        // For single-valued columns (max 1: scalars, optional values) the difference
        // is simply the new value, as the reference writes and reads it.
        if t.max == 1 {
            return Some(new.clone());
        }
        // One merge over both sorted key lists.
        let (ok, ov, nk, nv) = (self.keys(), self.values(), new.keys(), new.values());
        let is_map = t.is_map();
        let mut keys = Vec::new();
        let mut values = Vec::new();
        let (mut i, mut j) = (0, 0);
        while i < ok.len() || j < nk.len() {
            let order = match (ok.get(i), nk.get(j)) {
                (Some(a), Some(b)) => a.cmp(b),
                (Some(_), None) => Ordering::Less,
                _ => Ordering::Greater,
            };
            match order {
                Ordering::Less => {
                    keys.push(ok[i].clone());
                    if is_map {
                        values.extend(ov.get(i).cloned());
                    }
                    i += 1;
                }
                Ordering::Greater => {
                    keys.push(nk[j].clone());
                    if is_map {
                        values.extend(nv.get(j).cloned());
                    }
                    j += 1;
                }
                Ordering::Equal => {
                    if is_map && ov.get(i) != nv.get(j) {
                        keys.push(nk[j].clone());
                        values.extend(nv.get(j).cloned());
                    }
                    i += 1;
                    j += 1;
                }
            }
        }
        Some(Datum::from_parts(keys, values))
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
                    _ => out.set_pair(k.clone(), v.clone()),
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

/// Whether `atom` is the default value of `t` (0, 0.0, false, "", all-zeros UUID).
fn is_default_atom(atom: &Atom, t: AtomicType) -> bool {
    match (atom, t) {
        (Atom::Integer(i), AtomicType::Integer) => *i == 0,
        (Atom::Real(r), AtomicType::Real) => r.total_cmp(&0.0).is_eq(),
        (Atom::Boolean(b), AtomicType::Boolean) => !*b,
        (Atom::String(s), AtomicType::String) => s.is_empty(),
        (Atom::Uuid(u), AtomicType::Uuid) => u.is_nil(),
        _ => false,
    }
}

impl std::fmt::Debug for Datum {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Datum")
            .field("keys", &self.keys())
            .field("values", &self.values())
            .finish()
    }
}

/// Datums compare, order and hash by their elements, whatever their representation:
/// keys first, then values.
impl PartialEq for Datum {
    fn eq(&self, other: &Datum) -> bool {
        self.ptr_eq(other) || (self.keys() == other.keys() && self.values() == other.values())
    }
}

impl Eq for Datum {}

impl PartialOrd for Datum {
    fn partial_cmp(&self, other: &Datum) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Datum {
    fn cmp(&self, other: &Datum) -> Ordering {
        self.keys()
            .cmp(other.keys())
            .then_with(|| self.values().cmp(other.values()))
    }
}

impl Hash for Datum {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.keys().hash(state);
        self.values().hash(state);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::atom::Uuid;

    fn ints(v: &[i64]) -> Datum {
        Datum::set(v.iter().map(|&i| Atom::Integer(i)).collect()).unwrap()
    }

    #[test]
    fn small_datums_are_inline() {
        assert_eq!(std::mem::size_of::<Datum>(), 24);
        assert!(matches!(Datum::empty().repr, Repr::Empty));
        assert!(matches!(ints(&[1]).repr, Repr::One(_)));
        assert!(matches!(ints(&[1, 2]).repr, Repr::Many(_)));
        let map = Datum::map(vec![(Atom::Integer(1), Atom::Integer(2))]).unwrap();
        assert!(matches!(map.repr, Repr::Many(_)));
        assert_eq!(map.values(), &[Atom::Integer(2)]);
    }

    #[test]
    fn shrinking_returns_to_the_inline_forms() {
        let mut d = ints(&[1, 2]);
        assert!(d.remove_key(&Atom::Integer(2)));
        assert!(matches!(d.repr, Repr::One(_)));
        assert!(d.remove_key(&Atom::Integer(1)));
        assert!(matches!(d.repr, Repr::Empty));
        d.insert_key(Atom::Integer(5));
        d.insert_key(Atom::Integer(3));
        assert_eq!(d, ints(&[3, 5]));
        d.retain(|k, _| *k == Atom::Integer(3));
        assert!(matches!(d.repr, Repr::One(_)));
    }

    #[test]
    fn equality_order_and_hash_ignore_the_representation() {
        use std::collections::hash_map::DefaultHasher;
        let hash = |d: &Datum| {
            let mut h = DefaultHasher::new();
            d.hash(&mut h);
            h.finish()
        };
        let mut grown = ints(&[1, 2]);
        grown.remove_key(&Atom::Integer(2));
        let built = Datum::scalar(Atom::Integer(1));
        assert_eq!(grown, built);
        assert_eq!(hash(&grown), hash(&built));
        // Ordered by keys, then values: as the two-vector form was.
        assert!(ints(&[1]) < ints(&[1, 2]));
        assert!(ints(&[1, 2]) < ints(&[2]));
        assert!(Datum::empty() < ints(&[0]));
    }

    #[test]
    fn copies_share_large_sets_until_written() {
        let big = Datum::set((0..1000).map(Atom::Integer).collect()).unwrap();
        let mut copy = big.clone();
        assert!(big.ptr_eq(&copy));
        copy.insert_key(Atom::Integer(5000));
        assert!(!big.ptr_eq(&copy));
        assert_eq!(big.len(), 1000);
        assert_eq!(copy.len(), 1001);
    }

    #[test]
    fn union_merges_sets_and_keeps_existing_map_values() {
        let mut d = ints(&[1, 3, 5, 7]);
        d.union(&ints(&[0, 3, 4, 8, 9]));
        assert_eq!(d, ints(&[0, 1, 3, 4, 5, 7, 8, 9]));
        let mut e = Datum::empty();
        e.union(&ints(&[2, 1]));
        assert_eq!(e, ints(&[1, 2]));
        e.union(&ints(&[5]));
        assert_eq!(e, ints(&[1, 2, 5]));
        e.union(&Datum::empty());
        assert_eq!(e, ints(&[1, 2, 5]));
        let pair = |k: i64, v: i64| (Atom::Integer(k), Atom::Integer(v));
        let mut m = Datum::map(vec![pair(1, 10), pair(3, 30)]).unwrap();
        m.union(&Datum::map(vec![pair(0, 0), pair(3, 99), pair(4, 40)]).unwrap());
        assert_eq!(
            m,
            Datum::map(vec![pair(0, 0), pair(1, 10), pair(3, 30), pair(4, 40)]).unwrap()
        );
        // A shared block is copied, not changed.
        let big = ints(&[10, 20, 30]);
        let mut copy = big.clone();
        copy.union(&ints(&[15, 25]));
        assert_eq!(big, ints(&[10, 20, 30]));
        assert_eq!(copy, ints(&[10, 15, 20, 25, 30]));
    }

    #[test]
    fn diffs_round_trip() {
        let t = Type::from_json(
            &ovs_json::parse(r#"{"key":"integer","min":0,"max":"unlimited"}"#).unwrap(),
        )
        .unwrap();
        let (a, b) = (ints(&[1, 2, 3]), ints(&[2, 3, 4]));
        let d = a.diff(&b, &t).unwrap();
        assert_eq!(d, ints(&[1, 4]));
        assert_eq!(a.apply_diff(&d, &t), b);
        let mt = Type::from_json(
            &ovs_json::parse(r#"{"key":"string","value":"string","min":0,"max":"unlimited"}"#)
                .unwrap(),
        )
        .unwrap();
        let m = |pairs: &[(&str, &str)]| {
            Datum::map(
                pairs
                    .iter()
                    .map(|(k, v)| (Atom::string(k), Atom::string(v)))
                    .collect(),
            )
            .unwrap()
        };
        let old = m(&[("a", "1"), ("b", "2"), ("c", "3")]);
        let new = m(&[("b", "2"), ("c", "4"), ("d", "5")]);
        let d = old.diff(&new, &mt).unwrap();
        assert_eq!(d, m(&[("a", "1"), ("c", "4"), ("d", "5")]));
        assert_eq!(old.apply_diff(&d, &mt), new);
    }

    #[test]
    fn defaults_are_recognised_without_building_them() {
        for json in [
            r#""string""#,
            r#""integer""#,
            r#"{"key":"uuid","min":1}"#,
            r#"{"key":"string","value":"integer","min":1,"max":1}"#,
            r#"{"key":"real","min":0}"#,
        ] {
            let t = Type::from_json(&ovs_json::parse_value(json).unwrap()).unwrap();
            assert!(Datum::default_for(&t).is_default(&t), "{json}");
        }
        let t = Type::scalar(AtomicType::Uuid);
        assert!(!Datum::scalar(Atom::Uuid(Uuid::from_u128(1))).is_default(&t));
        assert!(!Datum::empty().is_default(&t));
    }

    #[test]
    fn compact_text_matches_the_json_form() {
        let set = Type::from_json(
            &ovs_json::parse(r#"{"key":"string","min":0,"max":"unlimited"}"#).unwrap(),
        )
        .unwrap();
        let map = Type::from_json(
            &ovs_json::parse(r#"{"key":"string","value":"real","min":0,"max":"unlimited"}"#)
                .unwrap(),
        )
        .unwrap();
        let cases = [
            (Datum::empty(), &set),
            (Datum::scalar(Atom::string("a\"b\n")), &set),
            (
                Datum::set(vec![Atom::string("x"), Atom::string("y")]).unwrap(),
                &set,
            ),
            (Datum::empty(), &map),
            (
                Datum::map(vec![
                    (Atom::string("k"), Atom::Real(0.5)),
                    (Atom::string("j"), Atom::Real(1e300)),
                ])
                .unwrap(),
                &map,
            ),
        ];
        for (d, t) in cases {
            let mut text = String::new();
            d.write_json(t, &mut text);
            assert_eq!(text, d.to_json(t).to_compact());
        }
    }
}
