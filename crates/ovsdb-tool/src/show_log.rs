//! `show-log`: a summary of every record in a standalone database file.
//!
//! The output matches the reference byte for byte, because people diff it:
//!
//! ```text
//! record 0: "Open_vSwitch" schema, version="8.3.1", cksum="3012963480 26720"
//!
//! record 1: 2023-11-14 22:13:20.123 "comment"
//!   table Bridge insert row "br0" (d60cde60):        (with -m)
//!     name=br0                                       (with -m -m)
//!
//! ```
//!
//! (with `-m`, a record that names at least one table is followed by a blank line).
//! Dates are in UTC whatever `TZ` says (as the reference prints them); a `_date` below
//! 2^31 is taken as seconds (what very old files hold). Tables, rows and columns come
//! in the reference's hash order. A row is named by its `name` column (as JSON) once
//! seen, else by its UUID's first 8 characters. Column values print in the `--data=string` form when they fit the
//! column's type, otherwise (unknown column, a difference too big for the type) as
//! JSON with sorted members. Reading stops with an error at the first bad record,
//! after printing the good ones.

use std::collections::HashMap;
use std::io::Write;

use ovs_hash_order::Shape;
use ovs_json::{Json, Object};
use ovsdb::schema::DatabaseSchema;
use ovsdb::Datum;
use ovsdb_log::{Log, OpenMode};

use crate::dbfile::{members_in_order, open_error, Fatal, KeyOrderReader};
use crate::timefmt;

/// Prints the records of `path` to `out` with verbosity `more` (the number of `-m`).
pub fn show_log(path: &str, more: usize, out: &mut dyn Write) -> Result<(), Fatal> {
    let mut log = Log::open(path, OpenMode::ReadOnly, false).map_err(|e| open_error(path, e))?;
    let mut names: HashMap<String, String> = HashMap::new();
    let mut schema: Option<DatabaseSchema> = None;
    let mut orders = KeyOrderReader::new(log.path());
    let mut start = log.offset();
    let mut index = 0u64;
    while let Some(record) = log.read_record()? {
        let mut text = format!("record {index}:");
        if index == 0 {
            // The reference prints the record number before it parses the schema.
            emit(out, &text);
            text.clear();
            let s = DatabaseSchema::from_json(&record)?;
            text.push_str(&format!(
                " \"{}\" schema, version=\"{}\", cksum=\"{}\"\n",
                s.name,
                s.version,
                s.cksum.as_deref().unwrap_or("")
            ));
            schema = Some(s);
        } else if let Some(members) = record.as_object() {
            if let Some(Json::Integer(date)) = members.get("_date") {
                text.push(' ');
                text.push_str(&format_date(*date));
            }
            if let Some(Json::String(comment)) = members.get("_comment") {
                text.push_str(&format!(" \"{comment}\""));
            }
            if more > 0 {
                let order = orders.order(start, log.offset());
                changes(
                    &mut text,
                    members,
                    &order,
                    &mut names,
                    schema.as_ref(),
                    more,
                );
            }
        }
        text.push('\n');
        emit(out, &text);
        start = log.offset();
        index += 1;
    }
    Ok(())
}

fn emit(out: &mut dyn Write, text: &str) {
    // Write errors go unreported, as in the reference (see `commands::print`).
    let _ = out.write_all(text.as_bytes());
}

/// `YYYY-MM-DD HH:MM:SS.mmm` in UTC.
fn format_date(date: i64) -> String {
    let ms = if date < i64::from(i32::MAX) {
        date.wrapping_mul(1000)
    } else {
        date
    };
    timefmt::format_ms("%Y-%m-%d %H:%M:%S.###", ms, true)
}

/// The `-m` lines of one transaction record.
fn changes(
    out: &mut String,
    record: &Object,
    order: &Shape,
    names: &mut HashMap<String, String>,
    schema: Option<&DatabaseSchema>,
    more: usize,
) {
    let is_diff = matches!(record.get("_is_diff"), Some(Json::Bool(true)));
    let mut first = true;
    for tname in members_in_order(record, order) {
        let Some(rows) = record[tname].as_object() else {
            continue;
        };
        if tname.starts_with('_') {
            continue;
        }
        // The record's line ends here only if a table follows (its blank line comes
        // from the newline every record ends with).
        if first {
            out.push('\n');
            first = false;
        }
        let table_schema = schema.and_then(|s| s.table(tname));
        let table_order = order.member(tname);
        for uuid in members_in_order(rows, table_order) {
            let row = &rows[uuid];
            let short = prefix8(uuid);
            let old_name = names.get(uuid).cloned();
            let new_name = row
                .as_object()
                .and_then(|cols| cols.get("name"))
                .map(Json::to_compact);
            out.push_str(&format!("  table {tname}"));
            match (&old_name, &new_name) {
                (None, Some(new)) => out.push_str(&format!(" insert row {new} ({short}):\n")),
                (None, None) => out.push_str(&format!(" insert row {short}:\n")),
                (Some(old), _) => {
                    let diff = if is_diff { " diff" } else { "" };
                    out.push_str(&format!(" row {old} ({short}){diff}:\n"));
                }
            }
            match row {
                Json::Object(columns) => {
                    if more > 1 {
                        for cname in members_in_order(columns, table_order.member(uuid)) {
                            let value = &columns[cname];
                            let column = table_schema.and_then(|t| t.column(cname));
                            out.push_str(&format!("    {cname}={}\n", value_text(value, column)));
                        }
                    }
                    match (old_name, new_name) {
                        (old, Some(new)) if old.as_ref() != Some(&new) => {
                            names.insert(uuid.to_string(), new);
                        }
                        (None, _) => {
                            names.insert(uuid.to_string(), short);
                        }
                        _ => {}
                    }
                }
                Json::Null => {
                    out.push_str("    delete row\n");
                    names.remove(uuid);
                }
                _ => {}
            }
        }
    }
}

/// A column value in string form if it is valid for the column, else as JSON.
fn value_text(value: &Json, column: Option<&ovsdb::ColumnSchema>) -> String {
    if let Some(column) = column {
        let t = &column.type_;
        if let Ok(datum) = Datum::from_json(value, t, &mut |_| None) {
            if datum.check_constraints(t).is_ok() {
                return datum.to_string_form(t);
            }
        }
    }
    value.to_compact()
}

/// The first 8 bytes of a row's key, as the reference's `%.8s` prints them.
fn prefix8(uuid: &str) -> String {
    let bytes = uuid.as_bytes();
    String::from_utf8_lossy(&bytes[..bytes.len().min(8)]).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn old_dates_are_seconds() {
        // Observed with the real ovsdb-tool: -5 is 5 seconds before the epoch, 2^31-1
        // is already milliseconds.
        assert_eq!(format_date(-5), "1969-12-31 23:59:55.000");
        assert_eq!(format_date(1_700_000_001), "2023-11-14 22:13:21.000");
        assert_eq!(format_date(2_147_483_647), "1970-01-25 20:31:23.647");
    }

    #[test]
    fn unknown_columns_print_as_sorted_json() {
        let v = ovs_json::parse(r#"{"z":1,"b":[2]}"#).unwrap();
        assert_eq!(value_text(&v, None), r#"{"b":[2],"z":1}"#);
    }
}
