//! Database schemas (RFC 7047 section 3.2) and their JSON form.
//!
//! Every table gets the two implicit columns `_uuid` (index 0) and `_version` (index 1)
//! ahead of its own, as in the reference, so a column index is valid for conditions,
//! selects and monitors alike.

use crate::error::{Error, Result};
use crate::types::{AtomicType, Type};
use ovs_json::{Json, Object};
use std::collections::BTreeMap;

/// Index of the implicit `_uuid` column.
pub const UUID_COLUMN: usize = 0;
/// Index of the implicit `_version` column.
pub const VERSION_COLUMN: usize = 1;
/// Number of implicit columns before a table's own.
pub const N_IMPLICIT: usize = 2;

#[derive(Clone, Debug, PartialEq)]
pub struct ColumnSchema {
    pub name: String,
    pub type_: Type,
    pub mutable: bool,
    /// False for ephemeral columns, which are never written to disk.
    pub persistent: bool,
    /// Whether the schema text said `"mutable": false` / `"ephemeral": true` (for printing).
    declared_immutable: bool,
    declared_ephemeral: bool,
}

impl ColumnSchema {
    fn implicit(name: &str) -> ColumnSchema {
        ColumnSchema {
            name: name.into(),
            type_: Type::scalar(AtomicType::Uuid),
            mutable: false,
            persistent: true,
            declared_immutable: false,
            declared_ephemeral: false,
        }
    }

    pub fn from_json(name: &str, json: &Json) -> Result<ColumnSchema> {
        let context = format!("Parsing schema for column {name} failed: ");
        let o = check_members(json, &context, &["type"], &["type", "ephemeral", "mutable"])?;
        let type_json = &o["type"];
        let type_ = Type::from_json(type_json)?;
        let flag = |n: &str, default: bool| -> Result<bool> {
            match o.get(n) {
                None => Ok(default),
                Some(Json::Bool(b)) => Ok(*b),
                Some(v) => Err(Error::syntax(v, format!("{n} must be a boolean"))),
            }
        };
        let ephemeral = flag("ephemeral", false)?;
        let mutable = flag("mutable", true)?;
        Ok(ColumnSchema {
            name: name.into(),
            type_,
            mutable,
            persistent: !ephemeral,
            declared_immutable: !mutable,
            declared_ephemeral: ephemeral,
        })
    }

    pub fn to_json(&self) -> Json {
        let mut o = Object::new();
        o.insert("type".into(), self.type_.to_json());
        if self.declared_ephemeral {
            o.insert("ephemeral".into(), Json::Bool(true));
        }
        if self.declared_immutable {
            o.insert("mutable".into(), Json::Bool(false));
        }
        Json::Object(o)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct TableSchema {
    pub name: String,
    /// `_uuid`, `_version`, then the table's columns in name order.
    pub columns: Vec<ColumnSchema>,
    by_name: BTreeMap<String, usize>,
    /// Effective root flag (every table is a root when the schema declares none).
    pub is_root: bool,
    declared_root: bool,
    pub max_rows: Option<u64>,
    /// Unique indexes, as lists of column indexes.
    pub indexes: Vec<Vec<usize>>,
}

impl TableSchema {
    pub fn from_json(name: &str, json: &Json) -> Result<TableSchema> {
        let context = format!("Parsing table schema for table {name} failed: ");
        let o = check_members(
            json,
            &context,
            &["columns"],
            &["columns", "maxRows", "isRoot", "indexes"],
        )?;
        let columns_json = o["columns"].as_object().ok_or_else(|| {
            Error::syntax(
                json,
                format!("{context}Type mismatch for member 'columns'."),
            )
        })?;
        if columns_json.is_empty() {
            return Err(Error::syntax(json, "table must have at least one column"));
        }
        let mut columns = vec![
            ColumnSchema::implicit("_uuid"),
            ColumnSchema::implicit("_version"),
        ];
        for (cname, cjson) in columns_json {
            if cname.starts_with('_') {
                return Err(Error::syntax(
                    json,
                    "names beginning with \"_\" are reserved",
                ));
            }
            if !is_valid_id(cname) {
                return Err(Error::syntax(
                    cjson,
                    format!("name must be a valid id: {cname}"),
                ));
            }
            columns.push(ColumnSchema::from_json(cname, cjson)?);
        }
        let by_name = columns
            .iter()
            .enumerate()
            .map(|(i, c)| (c.name.clone(), i))
            .collect();
        let max_rows = match o.get("maxRows") {
            None => None,
            Some(Json::Integer(n)) if *n >= 1 => Some(*n as u64),
            Some(v) => return Err(Error::syntax(v, "maxRows must be at least 1")),
        };
        let declared_root = match o.get("isRoot") {
            None => false,
            Some(Json::Bool(b)) => *b,
            Some(v) => return Err(Error::syntax(v, "isRoot must be a boolean")),
        };
        let mut table = TableSchema {
            name: name.into(),
            columns,
            by_name,
            is_root: declared_root,
            declared_root,
            max_rows,
            indexes: Vec::new(),
        };
        if let Some(indexes) = o.get("indexes") {
            let list = indexes
                .as_array()
                .ok_or_else(|| Error::syntax(indexes, "indexes must be an array"))?;
            for index in list {
                let names = index
                    .as_array()
                    .filter(|a| !a.is_empty())
                    .ok_or_else(|| Error::syntax(index, "index must have at least one column"))?;
                let mut cols = Vec::new();
                for n in names {
                    let cname = n
                        .as_str()
                        .ok_or_else(|| Error::syntax(n, "index column must be a string"))?;
                    let c = table.column_index(cname).ok_or_else(|| {
                        Error::syntax(index, format!("{cname} is not a valid column name"))
                    })?;
                    if !table.columns[c].persistent {
                        return Err(Error::syntax(
                            index,
                            format!("ephemeral columns (such as {cname}) may not be indexed"),
                        ));
                    }
                    cols.push(c);
                }
                table.indexes.push(cols);
            }
        }
        Ok(table)
    }

    pub fn to_json(&self) -> Json {
        let mut o = Object::new();
        let columns: Object = self.columns[N_IMPLICIT..]
            .iter()
            .map(|c| (c.name.clone(), c.to_json()))
            .collect();
        o.insert("columns".into(), Json::Object(columns));
        if let Some(n) = self.max_rows {
            o.insert("maxRows".into(), Json::Integer(n as i64));
        }
        if self.declared_root {
            o.insert("isRoot".into(), Json::Bool(true));
        }
        if !self.indexes.is_empty() {
            let idx = self.indexes.iter().map(|cols| {
                Json::array(
                    cols.iter()
                        .map(|&c| Json::string(self.columns[c].name.as_str())),
                )
            });
            o.insert("indexes".into(), Json::array(idx));
        }
        Json::Object(o)
    }

    /// The index of a column (including `_uuid` and `_version`).
    pub fn column_index(&self, name: &str) -> Option<usize> {
        self.by_name.get(name).copied()
    }

    pub fn column(&self, name: &str) -> Option<&ColumnSchema> {
        self.column_index(name).map(|i| &self.columns[i])
    }

    /// The table's own columns (without `_uuid` and `_version`).
    pub fn user_columns(&self) -> &[ColumnSchema] {
        &self.columns[N_IMPLICIT..]
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct DatabaseSchema {
    pub name: String,
    pub version: String,
    pub cksum: Option<String>,
    pub tables: BTreeMap<String, TableSchema>,
}

impl DatabaseSchema {
    pub fn from_json(json: &Json) -> Result<DatabaseSchema> {
        let context = "Parsing database schema failed: ";
        let o = check_members(
            json,
            context,
            &["name", "tables"],
            &["name", "version", "cksum", "tables"],
        )?;
        let name = o["name"].as_str().ok_or_else(|| {
            Error::syntax(json, format!("{context}Type mismatch for member 'name'."))
        })?;
        if !is_valid_id(name) {
            return Err(Error::syntax(
                json,
                format!("name must be a valid id: {name}"),
            ));
        }
        let version = match o.get("version") {
            None => String::new(),
            Some(Json::String(v)) if is_valid_version(v) => v.clone(),
            Some(v) => {
                let text = v.as_str().map_or_else(|| v.to_compact(), str::to_owned);
                return Err(Error::syntax(
                    json,
                    format!("schema version \"{text}\" not in format x.y.z"),
                ));
            }
        };
        let cksum = match o.get("cksum") {
            None => None,
            Some(Json::String(c)) => Some(c.clone()),
            Some(v) => return Err(Error::syntax(v, "cksum must be a string")),
        };
        let tables_json = o["tables"].as_object().ok_or_else(|| {
            Error::syntax(json, format!("{context}Type mismatch for member 'tables'."))
        })?;
        let mut tables = BTreeMap::new();
        for (tname, tjson) in tables_json {
            if tname.starts_with('_') {
                return Err(Error::syntax(
                    json,
                    "names beginning with \"_\" are reserved",
                ));
            }
            if !is_valid_id(tname) {
                return Err(Error::syntax(
                    tjson,
                    format!("name must be a valid id: {tname}"),
                ));
            }
            tables.insert(tname.clone(), TableSchema::from_json(tname, tjson)?);
        }
        let mut schema = DatabaseSchema {
            name: name.into(),
            version,
            cksum,
            tables,
        };
        schema.resolve()?;
        Ok(schema)
    }

    /// Cross-table rules: references name real tables; weak references are mutable;
    /// strong references to non-root tables persist; no declared root means all roots.
    fn resolve(&mut self) -> Result<()> {
        let names: Vec<String> = self.tables.keys().cloned().collect();
        let any_root = self.tables.values().any(|t| t.declared_root);
        let roots: BTreeMap<String, bool> = self
            .tables
            .iter()
            .map(|(n, t)| (n.clone(), t.declared_root || !any_root))
            .collect();
        for table in self.tables.values_mut() {
            table.is_root = roots[&table.name];
            for col in &mut table.columns {
                let bases = [
                    ("key", Some(&col.type_.key)),
                    ("value", col.type_.value.as_ref()),
                ];
                let mut weak = false;
                let mut strong_to_nonroot = false;
                for (which, base) in bases {
                    let Some(base) = base else { continue };
                    if let Some(rt) = &base.ref_table {
                        if !names.contains(rt) {
                            return Err(Error::new(
                                "syntax error",
                                format!(
                                    "column {} {which} refers to undefined table {rt}",
                                    col.name
                                ),
                            ));
                        }
                        if base.is_weak_ref() {
                            weak = true;
                        } else if !roots[rt] {
                            strong_to_nonroot = true;
                        }
                    }
                }
                if weak {
                    col.mutable = true;
                }
                if strong_to_nonroot {
                    col.persistent = true;
                }
            }
        }
        Ok(())
    }

    pub fn to_json(&self) -> Json {
        let mut o = Object::new();
        o.insert("name".into(), Json::string(self.name.as_str()));
        // A schema without a version (allowed) prints without one.
        if !self.version.is_empty() {
            o.insert("version".into(), Json::string(self.version.as_str()));
        }
        if let Some(c) = &self.cksum {
            o.insert("cksum".into(), Json::string(c.as_str()));
        }
        let tables: Object = self
            .tables
            .iter()
            .map(|(n, t)| (n.clone(), t.to_json()))
            .collect();
        o.insert("tables".into(), Json::Object(tables));
        Json::Object(o)
    }

    pub fn table(&self, name: &str) -> Option<&TableSchema> {
        self.tables.get(name)
    }
}

/// Checks an object's members the way the reference's schema parser does: required
/// members first, then members that are not allowed; messages carry `context`.
fn check_members<'a>(
    json: &'a Json,
    context: &str,
    required: &[&str],
    allowed: &[&str],
) -> Result<&'a Object> {
    let o = json
        .as_object()
        .ok_or_else(|| Error::new("syntax error", format!("{context}Object expected.")))?;
    for r in required {
        if !o.contains_key(*r) {
            return Err(Error::syntax(
                json,
                format!("{context}Required '{r}' member is missing."),
            ));
        }
    }
    if let Some(k) = o.keys().find(|k| !allowed.contains(&k.as_str())) {
        return Err(Error::syntax(
            json,
            format!("{context}Member '{k}' is present but not allowed here."),
        ));
    }
    Ok(o)
}

/// `[A-Za-z_][A-Za-z0-9_]*`
pub fn is_valid_id(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// `x.y.z` with decimal numbers.
pub fn is_valid_version(s: &str) -> bool {
    let parts: Vec<&str> = s.split('.').collect();
    parts.len() == 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.len() <= 9 && p.bytes().all(|b| b.is_ascii_digit()))
}
