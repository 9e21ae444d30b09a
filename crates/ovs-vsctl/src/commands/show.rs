//! `show`: an overview of the configuration, each row on a line of its own and its
//! interesting columns below it, nested 4 spaces per level: the Open_vSwitch row,
//! its managers and bridges, their controllers and ports, the ports' interfaces.
//!
//! A row's children come in the order of the UUIDs that refer to them, as in the
//! reference. A column is shown only when it does not hold its default value; a
//! row of a table already being shown higher up is shown by name only.

use crate::command::{Command, Ctx, Failure, Mode, Pre};
use ovsdb::{Atom, Uuid};

pub const COMMANDS: &[Command] = &[Command {
    name: "show",
    min_args: 0,
    max_args: 0,
    arguments: "",
    options: "",
    mode: Mode::ReadOnly,
    pre: Some(pre_cmd_show),
    run: Some(cmd_show),
    post: None,
}];

/// A table `show` prints: the column that names its rows (or none: the UUID),
/// and the columns shown under each row.
struct ShowTable {
    table: &'static str,
    name: Option<&'static str>,
    columns: &'static [&'static str],
}

const TABLES: &[ShowTable] = &[
    ShowTable {
        table: "Open_vSwitch",
        name: None,
        columns: &["manager_options", "bridges", "ovs_version"],
    },
    ShowTable {
        table: "Bridge",
        name: Some("name"),
        columns: &["controller", "fail_mode", "datapath_type", "ports"],
    },
    ShowTable {
        table: "Port",
        name: Some("name"),
        columns: &["tag", "trunks", "interfaces"],
    },
    ShowTable {
        table: "Interface",
        name: Some("name"),
        columns: &["type", "options", "error", "bfd_status"],
    },
    ShowTable {
        table: "Controller",
        name: Some("target"),
        columns: &["is_connected"],
    },
    ShowTable {
        table: "Manager",
        name: Some("target"),
        columns: &["is_connected"],
    },
];

fn show_table(table: &str) -> Option<&'static ShowTable> {
    TABLES.iter().find(|t| t.table == table)
}

fn pre_cmd_show(pre: &mut Pre) -> Result<(), String> {
    for t in TABLES {
        pre.add_table(t.table);
        if let Some(name) = t.name {
            pre.add_column(t.table, name);
        }
        for c in t.columns {
            pre.add_column(t.table, c);
        }
    }
    Ok(())
}

fn indent(out: &mut String, level: usize) {
    out.extend(std::iter::repeat_n(' ', level * 4));
}

fn show_row(
    ctx: &mut Ctx,
    show: &'static ShowTable,
    row: &Uuid,
    level: usize,
    shown: &mut Vec<&'static str>,
) -> Result<(), Failure> {
    let schema = crate::schema::table(show.table);
    let mut line = String::new();
    indent(&mut line, level);
    match show.name {
        Some(name) => {
            let value = ctx.db.read(show.table, row, name)?;
            let t = schema
                .column(name)
                .map(|c| &c.type_)
                .ok_or_else(|| Failure::Error(format!("no column {name} in {}", show.table)))?;
            line.push_str(&format!("{} {}", show.table, value.to_string_form(t)));
        }
        None => line.push_str(&row.to_string()),
    }
    line.push('\n');
    ctx.output.push_str(&line);

    // A table is expanded once per branch, which stops reference cycles.
    if shown.contains(&show.table) {
        return Ok(());
    }
    shown.push(show.table);
    for column in show.columns {
        let Some(c) = schema.column(column) else {
            continue;
        };
        let value = ctx.db.read(show.table, row, column)?;
        if let Some(target) = c.type_.key.ref_table.as_deref().and_then(show_table) {
            for child in value.keys().iter().filter_map(Atom::as_uuid) {
                if ctx.db.row_exists(target.table, &child)? {
                    show_row(ctx, target, &child, level + 1, shown)?;
                }
            }
            continue;
        }
        if !value.is_default(&c.type_) {
            let mut line = String::new();
            indent(&mut line, level + 1);
            line.push_str(&format!("{column}: {}\n", value.to_string_form(&c.type_)));
            ctx.output.push_str(&line);
        }
    }
    shown.retain(|t| *t != show.table);
    Ok(())
}

fn cmd_show(ctx: &mut Ctx) -> Result<(), Failure> {
    let top = &TABLES[0];
    let mut shown = Vec::new();
    for row in ctx.db.rows(top.table)? {
        show_row(ctx, top, &row, 0, &mut shown)?;
    }
    Ok(())
}
