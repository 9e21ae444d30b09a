//! Printing monitor updates as tables: one table per monitored table that the
//! update mentions, rows in the order the reference walks the update, a `row` and
//! an `action` column, then the monitored columns.

use super::monitor::Monitored;
use crate::cells::{empty_cell, json_cell};
use crate::session::error;
use ovs_hash_order::Shape;
use ovs_json::Json;
use ovs_table::{Cell, Printer, Table};

/// Prints an RFC 7047 `<table-updates>` (old/new rows).
pub(super) fn print_updates(
    printer: &mut Printer,
    text: &mut String,
    updates: &Json,
    shape: &Shape,
    monitored: &[Monitored],
    initial: bool,
) {
    if updates.as_object().is_none() {
        error("<table-updates> is not object");
        return;
    }
    for mt in monitored {
        let Some(update) = updates.get(&mt.table.name) else {
            continue;
        };
        if update.as_object().is_none() {
            error(&format!(
                "<table-update> for table {} is not object",
                mt.table.name
            ));
            continue;
        }
        let mut table = new_table(mt, monitored.len());
        let update_shape = shape.member(&mt.table.name);
        for (uuid, row_update) in update_shape.members(update) {
            if row_update.as_object().is_none() {
                error("<row-update> is not object");
                continue;
            }
            let old = row_update.get("old");
            let new = row_update.get("new");
            if initial {
                add_row(&mut table, new, "initial", uuid, mt);
            } else if old.is_none() {
                add_row(&mut table, new, "insert", uuid, mt);
            } else if new.is_none() {
                add_row(&mut table, old, "delete", uuid, mt);
            } else {
                add_row(&mut table, old, "old", uuid, mt);
                add_row(&mut table, new, "new", "", mt);
            }
        }
        printer.print(&table, text);
    }
}

/// Prints a `<table-updates2>` (initial/insert/modify/delete).
pub(super) fn print_updates2(
    printer: &mut Printer,
    text: &mut String,
    updates: &Json,
    shape: &Shape,
    monitored: &[Monitored],
) {
    if updates.as_object().is_none() {
        error("<table-updates2> is not object");
        return;
    }
    for mt in monitored {
        let Some(update) = updates.get(&mt.table.name) else {
            continue;
        };
        if update.as_object().is_none() {
            error(&format!(
                "<table-update> for table {} is not object",
                mt.table.name
            ));
            continue;
        }
        let mut table = new_table(mt, monitored.len());
        let update_shape = shape.member(&mt.table.name);
        for (uuid, row_update) in update_shape.members(update) {
            if row_update.as_object().is_none() {
                error("<row-update2> is not object");
                continue;
            }
            for op in ["delete", "initial", "modify", "insert"] {
                let Some(row) = row_update.get(op) else {
                    continue;
                };
                if op == "delete" {
                    if row.is_null() {
                        let mut cells = vec![Cell::text(uuid), Cell::text("delete")];
                        cells.extend(mt.columns.iter().map(|_| empty_cell()));
                        table.add_row(cells);
                    } else {
                        error("delete method does not expect <row>");
                    }
                } else if row.as_object().is_some() {
                    add_row(&mut table, Some(row), op, uuid, mt);
                } else {
                    error("<row> is not object");
                }
                break;
            }
        }
        printer.print(&table, text);
    }
}

fn new_table(mt: &Monitored, n_monitored: usize) -> Table {
    let mut headings = vec!["row".to_string(), "action".to_string()];
    headings.extend(mt.columns.iter().map(|c| c.name.clone()));
    let mut table = Table::new(headings);
    if n_monitored > 1 {
        table.caption = Some(mt.table.name.clone());
    }
    table
}

fn add_row(table: &mut Table, row: Option<&Json>, action: &str, uuid: &str, mt: &Monitored) {
    let Some(row) = row else {
        error(&format!("missing {action} row"));
        return;
    };
    if row.as_object().is_none() {
        error("<row> is not object");
        return;
    }
    let mut cells = vec![Cell::text(uuid), Cell::text(action)];
    for column in &mt.columns {
        cells.push(match row.get(&column.name) {
            Some(value) => json_cell(value, &column.type_, mt.json_text),
            None => empty_cell(),
        });
    }
    table.add_row(cells);
}
