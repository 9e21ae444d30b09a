//! Fetching a database's schema, and the two things the reference does with it
//! that depend on more than its content: the JSON it prints (its own serialization
//! rules) and the order in which it walks tables and columns.

use crate::error::{Fatal, Result};
use crate::rpc::Rpc;
use crate::session::Ctx;
use ovs_hash_order::name_order;
use ovs_hash_order::Shape;
use ovs_json::{Json, Object};
use ovsdb::schema::N_IMPLICIT;
use ovsdb::{ColumnSchema, DatabaseSchema, TableSchema};

/// A schema as a server sent it.
pub struct Schema {
    pub schema: DatabaseSchema,
    /// The shape of the `get_schema` result.
    shape: Shape,
}

/// `get_schema` for `database`.
pub fn fetch(ctx: &Ctx, rpc: &mut Rpc, database: &str) -> Result<Schema> {
    let (json, shape) = crate::session::call(ctx, rpc, "get_schema", vec![Json::string(database)])?;
    let schema =
        DatabaseSchema::from_json(&json).map_err(|e| Fatal::new(crate::session::error_text(&e)))?;
    Ok(Schema { schema, shape })
}

impl Schema {
    pub fn name(&self) -> &str {
        &self.schema.name
    }

    pub fn table(&self, name: &str) -> Option<&TableSchema> {
        self.schema.table(name)
    }

    /// Tables in the order the reference's schema map iterates them.
    pub fn tables_in_reference_order(&self) -> Vec<&TableSchema> {
        let text = self.shape.member("tables").names();
        let names = if text.is_empty() {
            self.schema.tables.keys().map(String::as_str).collect()
        } else {
            text
        };
        name_order(name_order(names))
            .into_iter()
            .filter_map(|n| self.schema.table(n))
            .collect()
    }

    /// Tables sorted by name (what `dump` and `monitor ALL` use).
    pub fn tables_sorted(&self) -> Vec<&TableSchema> {
        self.schema.tables.values().collect()
    }

    /// A table's columns, `_uuid` and `_version` included, in the order the
    /// reference's column map iterates them.
    pub fn columns_in_reference_order<'a>(
        &'a self,
        table: &'a TableSchema,
    ) -> Vec<&'a ColumnSchema> {
        let text = self
            .shape
            .member("tables")
            .member(&table.name)
            .member("columns")
            .names();
        let names: Vec<&str> = if text.is_empty() {
            table
                .user_columns()
                .iter()
                .map(|c| c.name.as_str())
                .collect()
        } else {
            text
        };
        let parsed = name_order(names);
        name_order(["_uuid", "_version"].into_iter().chain(parsed))
            .into_iter()
            .filter_map(|n| table.column(n))
            .collect()
    }

    /// The schema as the reference prints it (`get-schema`, `backup`).
    pub fn to_json(&self) -> Json {
        schema_to_json(&self.schema)
    }
}

/// The reference's serialization of a parsed schema: `version` and `cksum` only
/// when set, `isRoot` only when not every table is a root, and column flags as
/// they are in effect (a weak reference is always mutable, a strong reference to a
/// non-root table always persistent).
pub fn schema_to_json(schema: &DatabaseSchema) -> Json {
    let all_roots = schema.tables.values().all(|t| t.is_root);
    let mut o = Object::new();
    o.insert("name".into(), Json::string(schema.name.as_str()));
    if !schema.version.is_empty() {
        o.insert("version".into(), Json::string(schema.version.as_str()));
    }
    if let Some(cksum) = schema.cksum.as_deref().filter(|c| !c.is_empty()) {
        o.insert("cksum".into(), Json::string(cksum));
    }
    let tables: Object = schema
        .tables
        .iter()
        .map(|(name, t)| (name.clone(), table_to_json(t, all_roots)))
        .collect();
    o.insert("tables".into(), Json::Object(tables));
    Json::Object(o)
}

fn table_to_json(table: &TableSchema, all_roots: bool) -> Json {
    let mut o = Object::new();
    let columns: Object = table.columns[N_IMPLICIT..]
        .iter()
        .map(|c| (c.name.clone(), column_to_json(c)))
        .collect();
    o.insert("columns".into(), Json::Object(columns));
    if table.is_root && !all_roots {
        o.insert("isRoot".into(), Json::Bool(true));
    }
    if let Some(n) = table.max_rows {
        o.insert("maxRows".into(), Json::Integer(n as i64));
    }
    if !table.indexes.is_empty() {
        let indexes = table.indexes.iter().map(|cols| {
            Json::array(
                cols.iter()
                    .map(|&c| Json::string(table.columns[c].name.as_str())),
            )
        });
        o.insert("indexes".into(), Json::array(indexes));
    }
    Json::Object(o)
}

fn column_to_json(column: &ColumnSchema) -> Json {
    let mut o = Object::new();
    o.insert("type".into(), column.type_.to_json());
    if !column.mutable {
        o.insert("mutable".into(), Json::Bool(false));
    }
    if !column.persistent {
        o.insert("ephemeral".into(), Json::Bool(true));
    }
    Json::Object(o)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> DatabaseSchema {
        DatabaseSchema::from_json(&ovs_json::parse(text).unwrap()).unwrap()
    }

    #[test]
    fn printed_like_the_reference() {
        // All tables declared roots: the reference leaves isRoot out.
        let s = parse(
            r#"{"name":"T","tables":{"A":{"columns":{"x":{"type":"integer"}},"isRoot":true}}}"#,
        );
        assert_eq!(
            schema_to_json(&s).to_compact(),
            r#"{"name":"T","tables":{"A":{"columns":{"x":{"type":"integer"}}}}}"#
        );
        let s = parse(
            r#"{"name":"T","version":"1.0.0","cksum":"1 2","tables":{
              "A":{"columns":{"r":{"type":{"key":{"type":"uuid","refTable":"B","refType":"weak"}},"mutable":false}},"isRoot":true},
              "B":{"columns":{"e":{"type":"integer","ephemeral":true}},"maxRows":3}}}"#,
        );
        assert_eq!(
            schema_to_json(&s).to_compact(),
            concat!(
                r#"{"cksum":"1 2","name":"T","tables":{"A":{"columns":{"r":{"type":{"key":{"refTable":"B","refType":"weak","type":"uuid"}}}},"isRoot":true},"#,
                r#""B":{"columns":{"e":{"ephemeral":true,"type":"integer"}},"maxRows":3}},"version":"1.0.0"}"#
            )
        );
    }
}
