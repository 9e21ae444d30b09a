//! Reduces an OVSDB schema to comparable facts, so that two schemas written in different but
//! equivalent notation (RFC 7047 allows several) compare equal, and any real difference shows
//! up as one readable line.

use std::collections::{BTreeMap, BTreeSet};

use ovs_json::Json;

/// One fact about a schema: a dotted path such as `Bridge.name.mutable`, and its value.
pub type Facts = BTreeMap<String, String>;

/// An enum is a single atom or `["set", [atoms]]`; both become a sorted list.
fn enum_set(json: &Json) -> String {
    let atoms: BTreeSet<String> = match json.as_array() {
        Some([tag, Json::Array(items)]) if tag.as_str() == Some("set") => {
            items.iter().map(Json::to_compact).collect()
        }
        _ => BTreeSet::from([json.to_compact()]),
    };
    format!("{atoms:?}")
}

/// Facts about a base type (`key` or `value`), written either as `"string"` or as an object.
fn base_type(prefix: &str, json: &Json, facts: &mut Facts) {
    let mut put = |name: &str, value: String| facts.insert(format!("{prefix}.{name}"), value);
    let Some(object) = json.as_object() else {
        put("type", json.to_compact());
        return;
    };
    for (name, value) in object {
        match name.as_str() {
            "enum" => put("enum", enum_set(value)),
            _ => put(name, value.to_compact()),
        };
    }
    if object.contains_key("refTable") && !object.contains_key("refType") {
        put("refType", "\"strong\"".to_owned());
    }
}

/// Facts about a column type: `"string"`, `{"key": "string"}` and
/// `{"key": {"type": "string"}, "min": 1, "max": 1}` all give the same facts.
fn column_type(prefix: &str, json: &Json, facts: &mut Facts) {
    let Some(object) = json.as_object() else {
        base_type(&format!("{prefix}.key"), json, facts);
        facts.insert(format!("{prefix}.min"), "1".to_owned());
        facts.insert(format!("{prefix}.max"), "1".to_owned());
        return;
    };
    for (name, value) in object {
        match name.as_str() {
            "key" | "value" => base_type(&format!("{prefix}.{name}"), value, facts),
            _ => {
                facts.insert(format!("{prefix}.{name}"), value.to_compact());
            }
        }
    }
    for (name, default) in [("min", "1"), ("max", "1")] {
        facts
            .entry(format!("{prefix}.{name}"))
            .or_insert_with(|| default.to_owned());
    }
}

/// Every fact the comparison cares about, with defaults made explicit.
pub fn facts(schema: &Json) -> Facts {
    let mut facts = Facts::new();
    for member in ["name", "version"] {
        if let Some(value) = schema.get(member) {
            facts.insert(format!("(schema).{member}"), value.to_compact());
        }
    }
    let empty = ovs_json::Object::new();
    let tables = schema
        .get("tables")
        .and_then(Json::as_object)
        .unwrap_or(&empty);
    for (table_name, table) in tables {
        facts.insert(table_name.clone(), "table".to_owned());
        let flag = |name: &str, default: &str| {
            table
                .get(name)
                .map_or_else(|| default.to_owned(), Json::to_compact)
        };
        facts.insert(format!("{table_name}.(isRoot)"), flag("isRoot", "false"));
        facts.insert(
            format!("{table_name}.(maxRows)"),
            flag("maxRows", "unlimited"),
        );
        let indexes: BTreeSet<BTreeSet<String>> = table
            .get("indexes")
            .and_then(Json::as_array)
            .unwrap_or(&[])
            .iter()
            .map(|index| {
                let columns = index.as_array().unwrap_or(&[]);
                columns.iter().map(Json::to_compact).collect()
            })
            .collect();
        facts.insert(format!("{table_name}.(indexes)"), format!("{indexes:?}"));

        let columns = table
            .get("columns")
            .and_then(Json::as_object)
            .unwrap_or(&empty);
        for (column_name, column) in columns {
            let prefix = format!("{table_name}.{column_name}");
            facts.insert(prefix.clone(), "column".to_owned());
            if let Some(ty) = column.get("type") {
                column_type(&format!("{prefix}.type"), ty, &mut facts);
            }
            for (name, default) in [("mutable", "true"), ("ephemeral", "false")] {
                let value = column
                    .get(name)
                    .map_or_else(|| default.to_owned(), Json::to_compact);
                facts.insert(format!("{prefix}.{name}"), value);
            }
        }
    }
    facts
}

/// Mismatches between two fact sets. A missing table or column is reported once, not once
/// per fact below it.
pub fn differences(ours: &Facts, debian: &Facts) -> Vec<String> {
    let mut missing_parents: Vec<String> = Vec::new();
    let mut report = Vec::new();
    let keys: BTreeSet<&String> = ours.keys().chain(debian.keys()).collect();
    for key in keys {
        if missing_parents
            .iter()
            .any(|parent| key.starts_with(&format!("{parent}.")))
        {
            continue;
        }
        match (ours.get(key), debian.get(key)) {
            (Some(a), Some(b)) if a == b => {}
            (Some(a), Some(b)) => report.push(format!("{key}: ours {a}, Debian {b}")),
            (None, Some(kind)) if kind == "table" || kind == "column" => {
                report.push(format!("{key}: {kind} missing from ours"));
                missing_parents.push(key.clone());
            }
            (Some(kind), None) if kind == "table" || kind == "column" => {
                report.push(format!("{key}: {kind} only in ours"));
                missing_parents.push(key.clone());
            }
            (None, Some(b)) => report.push(format!("{key}: ours has none, Debian {b}")),
            (Some(a), None) => report.push(format!("{key}: ours {a}, Debian has none")),
            (None, None) => {}
        }
    }
    report
}
