//! `dump [DATABASE [TABLE [COLUMN...]]]`: every row of every (or one) table,
//! sorted the way the reference sorts them so that dumps can be compared.

use super::{need_target, Target};
use crate::cells::datum_cell;
use crate::error::{fatal, Fatal, Result};
use crate::rpc::Rpc;
use crate::schema;
use crate::session::{self, out, Ctx};
use ovs_hash_order::{hash_string, hmap_order};
use ovs_hash_order::{to_reference_string, Shape};
use ovs_json::Json;
use ovs_table::Table;
use ovsdb::{Atom, AtomicType, ColumnSchema, Datum, TableSchema, Type};
use std::cmp::Ordering;

pub fn dump(ctx: &mut Ctx, target: Option<Target>, _: Option<Rpc>, args: &[String]) -> Result<()> {
    let Target { mut rpc, database } = need_target(target)?;
    let schema = schema::fetch(ctx, &mut rpc, &database)?;

    // The tables to dump and, for one table, the columns asked for.
    let (tables, custom): (Vec<&TableSchema>, Option<Vec<&ColumnSchema>>) = match args.split_first()
    {
        Some((name, columns)) => {
            let Some(table) = schema.table(name) else {
                fatal!("No table \"{name}\" found.");
            };
            let mut custom = Vec::new();
            for c in columns {
                match table.column(c) {
                    Some(column) => custom.push(column),
                    None => fatal!("Table \"{name}\" has no column {c}."),
                }
            }
            (vec![table], (!columns.is_empty()).then_some(custom))
        }
        None => (schema.tables_sorted(), None),
    };

    // The select for each table lists its columns in the order the reference's
    // column map holds them. (The reference files every requested column under
    // the first one's name, so with explicit columns they share one hash chain.)
    let mut params = vec![Json::string(database.as_str())];
    for table in &tables {
        let columns: Vec<&ColumnSchema> = match &custom {
            Some(custom) => {
                let hash = hash_string(&args[1]);
                hmap_order(custom.iter().map(|c| (hash, *c)))
            }
            None => schema.columns_in_reference_order(table),
        };
        let names = columns
            .iter()
            .filter(|c| c.name != "_version")
            .map(|c| Json::string(c.name.as_str()));
        params.push(Json::object([
            ("op", Json::string("select")),
            ("table", Json::string(table.name.as_str())),
            ("where", Json::array([])),
            ("columns", Json::array(names)),
        ]));
    }
    // The reference builds each select as op, table, where, columns.
    let op_shape = || Shape::flat_object(["op", "table", "where", "columns"]);
    let params_shape = Shape::Array(
        std::iter::once(Shape::Leaf)
            .chain(tables.iter().map(|_| op_shape()))
            .collect(),
    );
    let (result, shape) = session::call_shaped(ctx, &mut rpc, "transact", params, params_shape)?;
    let results = result.as_array().unwrap_or(&[]);

    let mut printer = ctx.printer(false);
    let mut text = String::new();
    for (i, table) in tables.iter().enumerate() {
        let op_result = results.get(i).unwrap_or(&Json::Null);
        let Some(rows) = op_result.get("rows").and_then(Json::as_array) else {
            fatal!(
                "{} table reply is not an object with a \"rows\" member array: {}",
                table.name,
                to_reference_string(op_result, shape.element(i))
            );
        };
        let columns: Vec<&ColumnSchema> = match &custom {
            Some(custom) => custom.clone(),
            None => table.columns.iter().collect(),
        };
        let t = dump_table(
            &table.name,
            columns,
            rows,
            shape.element(i).member("rows"),
            ctx.json_text(),
        )?;
        printer.print(&t, &mut text);
    }
    out(&text);
    Ok(())
}

fn dump_table(
    table_name: &str,
    columns: Vec<&ColumnSchema>,
    rows: &[Json],
    rows_shape: &Shape,
    json_text: bool,
) -> Result<Table> {
    let mut columns: Vec<&ColumnSchema> = columns
        .into_iter()
        .filter(|c| c.name != "_version")
        .collect();
    columns.sort_by(|a, b| a.name.as_bytes().cmp(b.name.as_bytes()));

    let mut data: Vec<Vec<Datum>> = Vec::with_capacity(rows.len());
    for (y, row) in rows.iter().enumerate() {
        if row.as_object().is_none() {
            fatal!(
                "row {y} in table {table_name} response is not a JSON object: {}",
                to_reference_string(row, rows_shape.element(y))
            );
        }
        let mut values = Vec::with_capacity(columns.len());
        for column in &columns {
            let Some(json) = row.get(&column.name) else {
                fatal!(
                    "row {y} in table {table_name} response lacks {} column",
                    column.name
                );
            };
            let datum = Datum::from_json(json, &column.type_, &mut |_| None)
                .and_then(|d| d.check_constraints(&column.type_).map(|()| d))
                .map_err(|e| Fatal::new(session::error_text(&e)))?;
            values.push(datum);
        }
        data.push(values);
    }

    data.sort_by(|a, b| compare_rows(&columns, a, b));

    let mut table = Table::new(columns.iter().map(|c| c.name.as_str()))
        .with_caption(format!("{table_name} table"));
    for values in &data {
        table.add_row(
            columns
                .iter()
                .zip(values)
                .map(|(c, d)| datum_cell(d, &c.type_, json_text))
                .collect(),
        );
    }
    Ok(table)
}

fn has_uuid(t: &Type) -> bool {
    t.key.atomic == AtomicType::Uuid
        || t.value
            .as_ref()
            .is_some_and(|v| v.atomic == AtomicType::Uuid)
}

/// Columns without UUIDs decide first (UUIDs differ from run to run, so sorting by
/// them last keeps dumps of equal databases comparable); UUID columns break ties.
fn compare_rows(columns: &[&ColumnSchema], a: &[Datum], b: &[Datum]) -> Ordering {
    for pass_uuid in [false, true] {
        for (x, column) in columns.iter().enumerate() {
            if has_uuid(&column.type_) == pass_uuid {
                let c = compare_datums(&a[x], &b[x]);
                if c != Ordering::Equal {
                    return c;
                }
            }
        }
    }
    Ordering::Equal
}

/// The reference's datum order: fewer elements first, then keys, then values.
fn compare_datums(a: &Datum, b: &Datum) -> Ordering {
    a.len()
        .cmp(&b.len())
        .then_with(|| compare_atoms(a.keys(), b.keys()))
        .then_with(|| compare_atoms(a.values(), b.values()))
}

fn compare_atoms(a: &[Atom], b: &[Atom]) -> Ordering {
    for (x, y) in a.iter().zip(b) {
        let c = match (x, y) {
            // Numerically, with -0 equal to 0 (unlike a total order).
            (Atom::Real(p), Atom::Real(q)) => p.partial_cmp(q).unwrap_or(Ordering::Equal),
            _ => x.cmp(y),
        };
        if c != Ordering::Equal {
            return c;
        }
    }
    Ordering::Equal
}
