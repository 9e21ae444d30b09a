//! Checking a `monitor-cond` condition against the table before sending it, with
//! the reference's error texts (RFC 7047 conditions, plus bare `true`/`false`).

use crate::session::error_text;
use ovs_json::Json;
use ovsdb::{AtomicType, Datum, TableSchema};

/// Checks `json`, which must be an array of clauses; the error is the message to
/// print.
pub fn check(table: &TableSchema, json: &Json) -> Result<(), String> {
    let Json::Array(clauses) = json else {
        return Err("condition must be a JSON array".into());
    };
    for clause in clauses {
        check_clause(table, clause)?;
    }
    Ok(())
}

fn syntax(json: &Json, details: impl Into<String>) -> String {
    format!(
        "syntax \"{}\": syntax error: {}",
        json.to_compact(),
        details.into()
    )
}

fn check_clause(table: &TableSchema, json: &Json) -> Result<(), String> {
    if matches!(json, Json::Bool(_)) {
        return Ok(());
    }
    let parts = match json.as_array() {
        Some([Json::String(column), Json::String(function), arg]) => Some((column, function, arg)),
        _ => None,
    };
    let Some((column_name, function, arg)) = parts else {
        return Err(syntax(json, "Parse error in condition."));
    };
    let Some(column) = table.column(column_name) else {
        return Err(format!(
            "syntax \"{}\": unknown column: No column {column_name} in table {}.",
            json.to_compact(),
            table.name
        ));
    };
    let mut t = column.type_.clone();
    match function.as_str() {
        "<" | "<=" | ">" | ">=" => {
            let numeric = matches!(t.key.atomic, AtomicType::Integer | AtomicType::Real);
            if !(t.is_scalar() || t.is_optional_scalar()) || !numeric {
                return Err(syntax(
                    json,
                    format!(
                        "Type mismatch: \"{function}\" operator may not be applied to column {} of type {}.",
                        column.name,
                        type_to_english(&t)
                    ),
                ));
            }
        }
        "==" | "!=" => {}
        "excludes" => {
            if !t.is_scalar() {
                t.min = 0;
                t.max = u32::MAX;
            }
        }
        "includes" => {
            if !t.is_scalar() {
                t.min = 0;
            }
        }
        other => return Err(format!("unknown function: No function named {other}.")),
    }
    Datum::from_json(arg, &t, &mut |_| None)
        .and_then(|d| d.check_constraints(&t))
        .map_err(|e| error_text(&e))?;
    Ok(())
}

/// The reference's English name of a type (shared with the transaction engine).
pub use ovsdb::symtab::type_to_english;

#[cfg(test)]
mod tests {
    use super::*;
    use ovsdb::Type;

    fn t(json: &str) -> Type {
        Type::from_json(&ovs_json::parse_value(json).unwrap()).unwrap()
    }

    #[test]
    fn types_in_english_like_the_reference() {
        // Each text was printed by the real ovsdb-client in a "Type mismatch" error.
        assert_eq!(type_to_english(&t(r#""string""#)), "string");
        assert_eq!(
            type_to_english(&t(r#"{"key":"integer","min":0,"max":"unlimited"}"#)),
            "set of integers"
        );
        assert_eq!(
            type_to_english(&t(
                r#"{"key":"string","value":"string","min":0,"max":"unlimited"}"#
            )),
            "map of (string, string) pairs"
        );
        assert_eq!(
            type_to_english(&t(r#"{"key":"string","min":0}"#)),
            "set of up to 1 strings"
        );
        assert_eq!(
            type_to_english(&t(r#"{"key":"uuid","min":1,"max":3}"#)),
            "set of 1 to 3 uuids"
        );
    }

    #[test]
    fn clauses_are_checked_against_the_table() {
        let schema = ovsdb::DatabaseSchema::from_json(
            &ovs_json::parse(r#"{"name":"D","tables":{"T":{"columns":{"i":{"type":"integer"}}}}}"#)
                .unwrap(),
        )
        .unwrap();
        let table = schema.table("T").unwrap();
        let check_text = |s: &str| check(table, &ovs_json::parse(s).unwrap());
        assert_eq!(
            check_text(
                r#"[true, ["i", "<", 3], ["_uuid", "!=", ["uuid", "00000000-0000-0000-0000-000000000000"]]]"#
            ),
            Ok(())
        );
        assert_eq!(
            check_text(r#"[["j", "==", 1]]"#),
            Err(r#"syntax "["j","==",1]": unknown column: No column j in table T."#.into())
        );
        assert_eq!(
            check_text(r#"[["i", "like", 1]]"#),
            Err("unknown function: No function named like.".into())
        );
        assert_eq!(
            check_text(r#"[["i"]]"#),
            Err(r#"syntax "["i"]": syntax error: Parse error in condition."#.into())
        );
    }
}
