//! Server and schema queries: `list-dbs`, `get-schema`, `get-schema-version`,
//! `get-schema-cksum`, `list-tables`, `list-columns`.

use super::{need_rpc, need_target, Target};
use crate::error::Result;
use crate::rpc::Rpc;
use crate::schema;
use crate::session::{self, out, Ctx};
use ovs_table::{Cell, Table};

pub fn list_dbs(_ctx: &mut Ctx, _: Option<Target>, rpc: Option<Rpc>, _: &[String]) -> Result<()> {
    let mut rpc = need_rpc(rpc)?;
    for db in session::fetch_dbs(&mut rpc)? {
        out(&db);
        out("\n");
    }
    Ok(())
}

pub fn get_schema(
    ctx: &mut Ctx,
    target: Option<Target>,
    _: Option<Rpc>,
    _: &[String],
) -> Result<()> {
    let Target { mut rpc, database } = need_target(target)?;
    let schema = schema::fetch(ctx, &mut rpc, &database)?;
    ctx.print_json(&schema.to_json());
    Ok(())
}

pub fn get_schema_version(
    ctx: &mut Ctx,
    target: Option<Target>,
    _: Option<Rpc>,
    _: &[String],
) -> Result<()> {
    let Target { mut rpc, database } = need_target(target)?;
    let schema = schema::fetch(ctx, &mut rpc, &database)?;
    out(&schema.schema.version);
    out("\n");
    Ok(())
}

pub fn get_schema_cksum(
    ctx: &mut Ctx,
    target: Option<Target>,
    _: Option<Rpc>,
    _: &[String],
) -> Result<()> {
    let Target { mut rpc, database } = need_target(target)?;
    let schema = schema::fetch(ctx, &mut rpc, &database)?;
    out(schema.schema.cksum.as_deref().unwrap_or(""));
    out("\n");
    Ok(())
}

pub fn list_tables(
    ctx: &mut Ctx,
    target: Option<Target>,
    _: Option<Rpc>,
    _: &[String],
) -> Result<()> {
    let Target { mut rpc, database } = need_target(target)?;
    let schema = schema::fetch(ctx, &mut rpc, &database)?;
    let mut table = Table::new(["Table"]);
    for t in schema.tables_in_reference_order() {
        table.add_row(vec![Cell::text(t.name.as_str())]);
    }
    let mut text = String::new();
    ctx.printer(false).print(&table, &mut text);
    out(&text);
    Ok(())
}

pub fn list_columns(
    ctx: &mut Ctx,
    target: Option<Target>,
    _: Option<Rpc>,
    args: &[String],
) -> Result<()> {
    let Target { mut rpc, database } = need_target(target)?;
    let schema = schema::fetch(ctx, &mut rpc, &database)?;
    let only = args.first().map(String::as_str);
    let mut table = if only.is_some() {
        Table::new(["Column", "Type"])
    } else {
        Table::new(["Table", "Column", "Type"])
    };
    for t in schema.tables_in_reference_order() {
        if only.is_some_and(|name| name != t.name) {
            continue;
        }
        for column in schema.columns_in_reference_order(t) {
            let type_json = column.type_.to_json();
            let type_text = type_json.to_compact();
            let mut row = Vec::with_capacity(3);
            if only.is_none() {
                row.push(Cell::text(t.name.as_str()));
            }
            row.push(Cell::text(column.name.as_str()));
            row.push(Cell::new(type_text.clone(), type_text, type_json));
            table.add_row(row);
        }
    }
    let mut text = String::new();
    ctx.printer(false).print(&table, &mut text);
    out(&text);
    Ok(())
}
