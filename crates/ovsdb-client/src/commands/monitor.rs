//! `monitor`, `monitor-cond` and `monitor-cond-since`: print a table's rows, then
//! every change, until the connection ends.
//!
//! Each COLUMN argument is a group of comma-separated column names and the flags
//! `!initial`, `!insert`, `!delete`, `!modify`; each group becomes one monitor
//! request. Rows are printed in the order the reference's hash map walks the
//! update it received, which [`ovs_hash_order::Shape`] reproduces.

use super::monitor_print::{print_updates, print_updates2};
use super::{need_target, Target};
use crate::condition;
use crate::error::{fatal, Fatal, Result};
use crate::rpc::Rpc;
use crate::schema;
use crate::session::{self, error, out, Ctx};
use ovs_hash_order::Shape;
use ovs_json::rpc::Message;
use ovs_json::{Json, Object};
use ovsdb::{ColumnSchema, TableSchema};

/// Which monitor method, and so which update format.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Version {
    /// `monitor`: `update` notifications with old and new rows.
    V1,
    /// `monitor_cond`: `update2` with insert/modify/delete and differences.
    V2,
    /// `monitor_cond_since`: `update3`, which also carries a transaction id.
    V3,
}

pub(super) struct Monitored<'a> {
    pub table: &'a TableSchema,
    pub columns: Vec<&'a ColumnSchema>,
    /// `--data=json` (see `cells`).
    pub json_text: bool,
}

pub fn monitor(
    ctx: &mut Ctx,
    target: Option<Target>,
    _: Option<Rpc>,
    args: &[String],
) -> Result<()> {
    run(ctx, need_target(target)?, Version::V1, args, None, None)
}

pub fn monitor_cond(
    ctx: &mut Ctx,
    target: Option<Target>,
    _: Option<Rpc>,
    args: &[String],
) -> Result<()> {
    monitor_cond_common(ctx, target, Version::V2, None, args)
}

pub fn monitor_cond_since(
    ctx: &mut Ctx,
    target: Option<Target>,
    _: Option<Rpc>,
    args: &[String],
) -> Result<()> {
    let (last_id, args) = match args.split_first() {
        Some((first, rest)) if ovsdb::atom::parse_uuid(first).is_some() => (first.clone(), rest),
        _ => ("00000000-0000-0000-0000-000000000000".to_string(), args),
    };
    if args.len() < 2 {
        fatal!("invalid syntax for 'monitor-cond-since' (use --help for help)");
    }
    monitor_cond_common(ctx, target, Version::V3, Some(last_id), args)
}

fn monitor_cond_common(
    ctx: &mut Ctx,
    target: Option<Target>,
    version: Version,
    last_id: Option<String>,
    args: &[String],
) -> Result<()> {
    let mut target = need_target(target)?;
    let schema = schema::fetch(ctx, &mut target.rpc, &target.database)?;
    let table_name = &args[1];
    let Some(table) = schema.table(table_name) else {
        fatal!(
            "{} does not have a table named \"{table_name}\"",
            target.database
        );
    };
    let condition = crate::commands::transact::parse_json_arg(&args[0])?;
    condition::check(table, &condition).map_err(Fatal::new)?;
    // The monitor proper fetches the schema again, as the reference does (which
    // shows in `-vjsonrpc` logs).
    run(ctx, target, version, &args[1..], Some(condition), last_id)
}

/// Parses one column group into its monitor request, adding its columns to
/// `columns` (each column may be named only once over all groups).
fn parse_group<'a>(
    group: &str,
    server: &str,
    database: &str,
    table: &'a TableSchema,
    columns: &mut Vec<&'a ColumnSchema>,
) -> Result<Object> {
    let mut flags = [
        ("initial", true),
        ("insert", true),
        ("delete", true),
        ("modify", true),
    ];
    let mut names = Vec::new();
    for token in group.split(',').filter(|t| !t.is_empty()) {
        if let Some(flag) = flags
            .iter_mut()
            .find(|(f, _)| token.strip_prefix('!') == Some(*f))
        {
            flag.1 = false;
            continue;
        }
        let Some(column) = table.column(token) else {
            fatal!(
                "{server}: table \"{}\" in {database} does not have a column named \"{token}\"",
                table.name
            );
        };
        add_column(server, column, columns, &mut names)?;
    }
    if names.is_empty() {
        let mut all: Vec<&ColumnSchema> = table.user_columns().iter().collect();
        all.sort_by(|a, b| a.name.as_bytes().cmp(b.name.as_bytes()));
        for column in all {
            add_column(server, column, columns, &mut names)?;
        }
        if let Some(version) = table.column("_version") {
            add_column(server, version, columns, &mut names)?;
        }
    }
    let mut request = Object::new();
    request.insert("columns".into(), Json::Array(names));
    if flags.iter().any(|(_, on)| !on) {
        let select: Object = flags
            .iter()
            .map(|(f, on)| (f.to_string(), Json::Bool(*on)))
            .collect();
        request.insert("select".into(), Json::Object(select));
    }
    Ok(request)
}

fn add_column<'a>(
    server: &str,
    column: &'a ColumnSchema,
    columns: &mut Vec<&'a ColumnSchema>,
    names: &mut Vec<Json>,
) -> Result<()> {
    if columns.iter().any(|c| c.name == column.name) {
        fatal!(
            "{server}: column \"{}\" mentioned multiple times",
            column.name
        );
    }
    columns.push(column);
    names.push(Json::string(column.name.as_str()));
    Ok(())
}

/// The `<monitor-requests>` object, and the order the reference builds it in.
#[derive(Default)]
struct Requests {
    json: Object,
    shapes: Vec<(String, Shape)>,
}

/// The monitored table and its requests for `TABLE [GROUP]...`.
fn monitored_table<'a>(
    server: &str,
    database: &str,
    table: &'a TableSchema,
    groups: &[String],
    condition: Option<&Json>,
    requests: &mut Requests,
    json_text: bool,
) -> Result<Monitored<'a>> {
    let mut columns = Vec::new();
    let mut list = Vec::new();
    let mut list_shape = Vec::new();
    let groups: Vec<&str> = if groups.is_empty() {
        vec![""]
    } else {
        groups.iter().map(String::as_str).collect()
    };
    for (i, group) in groups.iter().enumerate() {
        let mut request = parse_group(group, server, database, table, &mut columns)?;
        if let (0, Some(c)) = (i, condition) {
            request.insert("where".into(), c.clone());
        }
        // The reference adds "columns", then "select", then "where".
        let mut shape = vec![("columns", Shape::Leaf)];
        if request.contains_key("select") {
            let flags = Shape::flat_object(["initial", "insert", "delete", "modify"]);
            shape.push(("select", flags));
        }
        if request.contains_key("where") {
            shape.push(("where", Shape::Leaf));
        }
        list_shape.push(Shape::object(shape));
        list.push(Json::Object(request));
    }
    requests.json.insert(table.name.clone(), Json::Array(list));
    requests
        .shapes
        .push((table.name.clone(), Shape::Array(list_shape)));
    Ok(Monitored {
        table,
        columns,
        json_text,
    })
}

fn run(
    ctx: &mut Ctx,
    target: Target,
    version: Version,
    args: &[String],
    condition: Option<Json>,
    last_id: Option<String>,
) -> Result<()> {
    let Target { mut rpc, database } = target;
    let schema = schema::fetch(ctx, &mut rpc, &database)?;
    let server = rpc.name().to_string();
    if ctx.opts.detach {
        fatal!("--detach is not supported");
    }
    let (table_name, groups) = match args.split_first() {
        Some(split) => split,
        None => fatal!("invalid syntax for 'monitor' (use --help for help)"),
    };
    let mut requests = Requests::default();
    let mut monitored = Vec::new();
    if table_name == "ALL" {
        for table in schema.tables_sorted() {
            monitored.push(monitored_table(
                &server,
                &database,
                table,
                groups,
                condition.as_ref(),
                &mut requests,
                ctx.json_text(),
            )?);
        }
    } else {
        let Some(table) = schema.table(table_name) else {
            fatal!("{server}: {database} does not have a table named \"{table_name}\"");
        };
        monitored.push(monitored_table(
            &server,
            &database,
            table,
            groups,
            condition.as_ref(),
            &mut requests,
            ctx.json_text(),
        )?);
    }

    if ctx.opts.db_change_aware {
        // Errors only mean an old server; monitoring works without it.
        rpc.call("set_db_change_aware", vec![Json::Bool(true)])
            .map_err(|e| session::transaction_failed(&e))?;
    }

    let (method, mut params) = match version {
        Version::V1 => ("monitor", Vec::new()),
        Version::V2 => ("monitor_cond", Vec::new()),
        Version::V3 => ("monitor_cond_since", Vec::new()),
    };
    params.push(Json::string(database.as_str()));
    params.push(Json::Null);
    params.push(Json::Object(requests.json));
    if let Some(id) = last_id {
        params.push(Json::String(id));
    }
    let params_shape = Shape::Array(vec![
        Shape::Leaf,
        Shape::Leaf,
        Shape::Object(requests.shapes),
        Shape::Leaf,
    ]);
    let request_id = rpc
        .send_request_shaped(method, params, params_shape)
        .map_err(|e| Fatal::new(format!("{server}: send failed ({e})")))?;

    let mut printer = ctx.printer(true);
    loop {
        let received = match rpc.recv() {
            Ok(r) => r,
            Err(e) => fatal!("{server}: receive failed ({e})"),
        };
        let shape = received.payload_shape().clone();
        let mut text = String::new();
        match &received.message {
            Message::Reply { result, id } if *id == request_id => match version {
                Version::V1 => {
                    print_updates(&mut printer, &mut text, result, &shape, &monitored, true)
                }
                Version::V2 => print_updates2(&mut printer, &mut text, result, &shape, &monitored),
                Version::V3 => {
                    let items = result.as_array().unwrap_or(&[]);
                    if result.as_array().is_none() {
                        error("<result> is not array");
                    } else if items.len() != 3 {
                        error(&format!(
                            "<result> should have 3 elements, but has {}.",
                            items.len()
                        ));
                    }
                    let found = items.first().and_then(Json::as_bool).unwrap_or(false);
                    let last = items.get(1).and_then(Json::as_str).unwrap_or("");
                    text.push_str(&format!("found: {found}, last_id: {last}\n"));
                    if let Some(updates) = items.get(2) {
                        print_updates2(
                            &mut printer,
                            &mut text,
                            updates,
                            shape.element(2),
                            &monitored,
                        );
                    }
                }
            },
            Message::Notify { method, params } => {
                let first_null = params.first().is_some_and(Json::is_null);
                match method.as_str() {
                    "update" if params.len() == 2 && first_null => print_updates(
                        &mut printer,
                        &mut text,
                        &params[1],
                        shape.element(1),
                        &monitored,
                        false,
                    ),
                    "update2" if version == Version::V2 && params.len() == 2 && first_null => {
                        print_updates2(
                            &mut printer,
                            &mut text,
                            &params[1],
                            shape.element(1),
                            &monitored,
                        )
                    }
                    "update3" if version == Version::V3 && params.len() == 3 && first_null => {
                        let last = params[1].as_str().unwrap_or("");
                        text.push_str(&format!("\nlast_id: {last}"));
                        print_updates2(
                            &mut printer,
                            &mut text,
                            &params[2],
                            shape.element(2),
                            &monitored,
                        );
                    }
                    "monitor_canceled" => {
                        out(&text);
                        fatal!("{server}: {database} database was removed");
                    }
                    _ => {}
                }
            }
            _ => {}
        }
        if !text.is_empty() {
            out(&text);
            session::flush();
        }
    }
}
