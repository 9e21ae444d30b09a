//! `transact`, `query`, `convert` and `needs-conversion`: commands that name their
//! database inside their operand (a transaction or a schema file) and take an
//! optional SERVER before it.

use super::{own_server, Target};
use crate::connect;
use crate::error::{fatal, Fatal, Result};
use crate::rpc::Rpc;
use crate::schema::schema_to_json;
use crate::session::{self, Ctx};
use ovs_hash_order::Shape;
use ovs_json::Json;
use ovsdb::DatabaseSchema;

/// Parses a JSON operand, failing the way the reference does: `"TEXT": error`.
pub fn parse_json_arg(text: &str) -> Result<Json> {
    ovs_json::parse(text).map_err(|e| Fatal::new(format!("\"{text}\": {e}")))
}

pub fn transact(ctx: &mut Ctx, _: Option<Target>, _: Option<Rpc>, args: &[String]) -> Result<()> {
    run_transaction(ctx, args, false)
}

pub fn query(ctx: &mut Ctx, _: Option<Target>, _: Option<Rpc>, args: &[String]) -> Result<()> {
    run_transaction(ctx, args, true)
}

fn run_transaction(ctx: &mut Ctx, args: &[String], read_only: bool) -> Result<()> {
    let text = args.last().map(String::as_str).unwrap_or("");
    let Json::Array(mut params) = parse_json_arg(text)? else {
        fatal!("not a valid OVSDB query");
    };
    if !matches!(params.first(), Some(Json::String(_))) {
        fatal!("not a valid OVSDB query");
    }
    if read_only {
        // Whatever the operations do, the abort at the end undoes it.
        params.push(Json::object([("op", Json::string("abort"))]));
    }
    // The debug log shows the operations as the reference parsed them.
    let mut params_shape = ovs_hash_order::scan(text.as_bytes());
    if let (true, Shape::Array(items)) = (read_only, &mut params_shape) {
        items.push(Shape::flat_object(["op"]));
    }
    let (server, _) = own_server(args, 1);
    let mut rpc = connect::open(&server)?;
    let (mut result, _) = session::call_shaped(ctx, &mut rpc, "transact", params, params_shape)?;
    if read_only {
        if let Json::Array(results) = &mut result {
            let aborted = results
                .last()
                .and_then(|r| r.get("error"))
                .and_then(Json::as_str)
                == Some("aborted");
            if aborted {
                results.pop();
            }
        }
    }
    ctx.print_json(&result);
    Ok(())
}

/// Reads a schema file, with the reference's error texts.
fn read_schema_file(path: &str) -> Result<DatabaseSchema> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        Fatal::new(format!(
            "failed to read schema: \"{path}\" could not be read as JSON (error opening \"{path}\": {})",
            crate::error::os_text(&e)
        ))
    })?;
    let json = ovs_json::parse(&text).map_err(|e| {
        Fatal::new(format!(
            "failed to read schema: \"{path}\" could not be read as JSON ({e})"
        ))
    })?;
    DatabaseSchema::from_json(&json).map_err(|e| Fatal::new(session::error_text(&e)))
}

pub fn needs_conversion(
    ctx: &mut Ctx,
    _: Option<Target>,
    _: Option<Rpc>,
    args: &[String],
) -> Result<()> {
    let path = args.last().map(String::as_str).unwrap_or("");
    let new = read_schema_file(path)?;
    let (server, _) = own_server(args, 1);
    let mut rpc = connect::open(&server)?;
    let current = crate::schema::fetch(ctx, &mut rpc, &new.name)?;
    let same = schema_to_json(&new) == current.to_json();
    session::out(if same { "no\n" } else { "yes\n" });
    Ok(())
}

pub fn convert(ctx: &mut Ctx, _: Option<Target>, _: Option<Rpc>, args: &[String]) -> Result<()> {
    let path = args.last().map(String::as_str).unwrap_or("");
    let new = read_schema_file(path)?;
    let (server, _) = own_server(args, 1);
    let mut rpc = connect::open(&server)?;
    session::call(
        ctx,
        &mut rpc,
        "convert",
        vec![Json::string(new.name.as_str()), schema_to_json(&new)],
    )?;
    Ok(())
}
