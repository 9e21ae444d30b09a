//! Pieces the command groups share: registering columns named in arguments, setting
//! a column from a `column[:key]=value` argument, and showing rows as table output.

use crate::args::{
    atom_from_string, datum_from_string, parse_column, parse_column_key_value, EQUALS,
};
use crate::command::{Failure, Pre};
use crate::db::Db;
use crate::schema::get_column;
use crate::symtab::Symtab;
use ovs_json::Json;
use ovs_table::{Cell, Table};
use ovsdb::schema::{ColumnSchema, TableSchema};
use ovsdb::types::UNLIMITED as UNLIMITED_SIZE;
use ovsdb::{Datum, Type, Uuid};

/// Registers the column an argument starts with (`column[:key][=value]`).
pub(crate) fn pre_parse_column(
    pre: &mut Pre,
    arg: &str,
    table: &'static TableSchema,
) -> Result<(), String> {
    let (column, _) = parse_column(arg, table)?;
    pre.add_column(&table.name, &column.name);
    Ok(())
}

pub(crate) fn pre_get_column(
    pre: &mut Pre,
    table: &'static TableSchema,
    name: &str,
) -> Result<(), String> {
    let column = get_column(table, name)?;
    pre.add_column(&table.name, &column.name);
    Ok(())
}

/// `--columns`: the listed columns (None for `_uuid`), or `_uuid` and every column.
pub(crate) fn parse_column_names(
    names: Option<&str>,
    table: &'static TableSchema,
) -> Result<Vec<Option<&'static ColumnSchema>>, String> {
    let Some(names) = names else {
        let mut all = vec![None];
        all.extend(table.user_columns().iter().map(Some));
        return Ok(all);
    };
    let mut columns = Vec::new();
    for name in names.split([',', ' ']).filter(|s| !s.is_empty()) {
        if name.eq_ignore_ascii_case("_uuid") {
            columns.push(None);
        } else {
            columns.push(Some(get_column(table, name)?));
        }
    }
    if columns.is_empty() {
        return Err("must specify at least one column name".into());
    }
    Ok(columns)
}

pub(crate) fn pre_list_columns(pre: &mut Pre, table: &'static TableSchema) -> Result<(), String> {
    let names = pre.inv.option("--columns").map(str::to_owned);
    for column in parse_column_names(names.as_deref(), table)?
        .into_iter()
        .flatten()
    {
        pre.add_column(&table.name, &column.name);
    }
    Ok(())
}

pub(crate) fn check_mutable(
    db: &Db,
    table: &TableSchema,
    row: &Uuid,
    column: &ColumnSchema,
) -> Result<(), String> {
    if db.is_mutable(&table.name, row, &column.name) {
        Ok(())
    } else {
        Err(format!(
            "cannot modify read-only column {} in table {}",
            column.name, table.name
        ))
    }
}

/// A cell showing a datum of type `t`.
pub fn datum_cell(d: &Datum, t: &Type) -> Cell {
    Cell::new(d.to_string_form(t), d.to_bare(), d.to_json(t))
}

/// A cell showing a row's UUID.
pub fn uuid_cell(u: &Uuid) -> Cell {
    let text = u.to_string();
    Cell::new(
        text.clone(),
        text.clone(),
        Json::array([Json::string("uuid"), Json::string(text)]),
    )
}

pub(crate) fn list_table(columns: &[Option<&'static ColumnSchema>]) -> Table {
    Table::new(
        columns
            .iter()
            .map(|c| c.map_or("_uuid", |c| c.name.as_str())),
    )
}

pub(crate) fn list_record(
    db: &Db,
    table: &TableSchema,
    row: &Uuid,
    columns: &[Option<&'static ColumnSchema>],
    out: &mut Table,
) -> Result<(), Failure> {
    let mut cells = Vec::with_capacity(columns.len());
    for c in columns {
        cells.push(match c {
            None => uuid_cell(row),
            Some(c) => datum_cell(&db.read(&table.name, row, &c.name)?, &c.type_),
        });
    }
    out.add_row(cells);
    Ok(())
}

/// Sets one column from a `column[:key]=value` argument. A key alone is set with a
/// partial update when `partial` (the last command), otherwise by rewriting the
/// whole map after verifying it.
pub(crate) fn set_column(
    db: &mut Db,
    table: &'static TableSchema,
    row: &Uuid,
    arg: &str,
    symtab: &mut Symtab,
    partial: bool,
) -> Result<(), Failure> {
    let parsed = parse_column_key_value(arg, table, Some(EQUALS))?;
    let column = parsed.column;
    let Some((_, value)) = parsed.op else {
        return Err(Failure::Error(format!("{arg}: missing value")));
    };
    check_mutable(db, table, row, column)?;
    let (tname, cname) = (table.name.as_str(), column.name.as_str());
    match parsed.key {
        Some(key) => {
            let Some(value_type) = &column.type_.value else {
                return Err(Failure::Error(format!(
                    "cannot specify key to set for non-map column {cname}"
                )));
            };
            let key = atom_from_string(&key, &column.type_.key, symtab)?;
            let value = atom_from_string(&value, value_type, symtab)?;
            if partial {
                db.map_set_partial(tname, row, cname, key, value)?;
            } else {
                let mut datum = Datum::map(vec![(key, value)]).map_err(|e| e.to_string())?;
                datum.union(&db.read(tname, row, cname)?);
                db.verify(tname, row, cname)?;
                db.write(tname, row, cname, datum);
            }
        }
        None => {
            let datum = datum_from_string(&value, &column.type_, symtab)?;
            db.write(tname, row, cname, datum);
        }
    }
    Ok(())
}

/// A type like `t` that accepts any number (at least one) of elements.
pub(crate) fn one_or_more(t: &Type) -> Type {
    Type {
        min: 1,
        max: UNLIMITED_SIZE,
        ..t.clone()
    }
}

pub(crate) fn values_or_pairs(t: &Type) -> &'static str {
    if t.is_map() {
        "pairs"
    } else {
        "values"
    }
}

/// C's `strtol` over a decimal argument: leading blanks, a sign, the digits (none
/// reads 0), saturating on overflow. Returns the value and whether digits were read.
pub(crate) fn c_strtol(s: &str) -> (i64, bool) {
    let t = s.trim_start_matches([' ', '\t', '\n', '\u{b}', '\u{c}', '\r']);
    let (negative, t) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let digits: &str = &t[..t.bytes().take_while(u8::is_ascii_digit).count()];
    let mut v: i64 = 0;
    for b in digits.bytes() {
        let d = i64::from(b - b'0');
        v = if negative {
            v.saturating_mul(10).saturating_sub(d)
        } else {
            v.saturating_mul(10).saturating_add(d)
        };
    }
    (v, !digits.is_empty())
}

/// C's `atoi`: `strtol` cut to an `int`.
pub(crate) fn c_atoi(s: &str) -> i64 {
    i64::from(c_strtol(s).0 as i32)
}

/// C's `strtoull` over a decimal argument, its result read as a signed 64-bit
/// number (as the reference stores it): a minus sign negates, overflow saturates.
/// None when there are no digits.
pub(crate) fn c_strtoull(s: &str) -> Option<i64> {
    let t = s.trim_start_matches([' ', '\t', '\n', '\u{b}', '\u{c}', '\r']);
    let (negative, t) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let digits: &str = &t[..t.bytes().take_while(u8::is_ascii_digit).count()];
    if digits.is_empty() {
        return None;
    }
    let mut v: u64 = 0;
    let mut overflow = false;
    for b in digits.bytes() {
        match v
            .checked_mul(10)
            .and_then(|x| x.checked_add(u64::from(b - b'0')))
        {
            Some(x) => v = x,
            None => overflow = true,
        }
    }
    let v = if overflow {
        u64::MAX
    } else if negative {
        v.wrapping_neg()
    } else {
        v
    };
    Some(v as i64)
}

/// The command as the reference quotes it in errors: its options (names only, in
/// the reference's order), then its arguments.
pub(crate) fn command_text(inv: &crate::command::Invocation) -> String {
    let mut words: Vec<String> = ovs_hash_order::name_order(inv.options.keys().map(String::as_str))
        .into_iter()
        .map(str::to_owned)
        .collect();
    words.extend(inv.argv.iter().cloned());
    crate::options::escape_args(&words)
}

/// A string datum.
pub(crate) fn string_datum(s: &str) -> Datum {
    Datum::scalar(ovsdb::Atom::string(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_as_c_reads_them() {
        assert_eq!(c_atoi("5"), 5);
        assert_eq!(c_atoi(" 7x"), 7);
        assert_eq!(c_atoi("abc"), 0);
        assert_eq!(c_atoi("-1"), -1);
        // strtol saturates, then the cut to an int keeps the low 32 bits.
        assert_eq!(c_atoi("99999999999"), 1_215_752_191);
        assert_eq!(c_strtoull("x"), None);
        assert_eq!(c_strtoull(" +8x"), Some(8));
        assert_eq!(c_strtoull("-3"), Some(-3));
        assert_eq!(c_strtoull("99999999999999999999999"), Some(-1));
        assert!(!c_strtol("").1);
    }
}
