//! The generic database commands of `ovs-vsctl(8)` ("Database Commands"): `list`,
//! `find`, `get`, `set`, `add`, `remove`, `clear`, `create`, `destroy`,
//! `wait-until` and `comment`, which work on any table.

use super::helpers::{
    check_mutable, list_record, list_table, one_or_more, parse_column_names, pre_get_column,
    pre_list_columns, pre_parse_column, set_column, values_or_pairs,
};
use crate::args::{atom_from_string, datum_from_string, parse_column_key_value, Condition};
use crate::command::{Command, Ctx, Failure, Mode, PostCtx, Pre, UNLIMITED};
use crate::record::{get_row, pre_get_table, pre_hint_record};
use crate::schema::{get_column, get_table};
use ovsdb::types::UNLIMITED as UNLIMITED_SIZE;
use ovsdb::{Datum, Type};

use Mode::{ReadOnly, ReadWrite};

pub const COMMANDS: &[Command] = &[
    Command {
        name: "comment",
        min_args: 0,
        max_args: UNLIMITED,
        arguments: "*ARG",
        options: "",
        mode: ReadOnly,
        pre: None,
        run: None,
        post: None,
    },
    Command {
        name: "get",
        min_args: 2,
        max_args: UNLIMITED,
        arguments: "!TABLE !RECORD *COLUMN?:KEY",
        options: "--if-exists,--id=",
        mode: ReadOnly,
        pre: Some(pre_cmd_get),
        run: Some(cmd_get),
        post: None,
    },
    Command {
        name: "list",
        min_args: 1,
        max_args: UNLIMITED,
        arguments: "!TABLE *RECORD",
        options: "--if-exists,--columns=",
        mode: ReadOnly,
        pre: Some(pre_cmd_list),
        run: Some(cmd_list),
        post: None,
    },
    Command {
        name: "find",
        min_args: 1,
        max_args: UNLIMITED,
        arguments: "!TABLE *COLUMN?:KEY=VALUE",
        options: "--columns=",
        mode: ReadOnly,
        pre: Some(pre_cmd_find),
        run: Some(cmd_find),
        post: None,
    },
    Command {
        name: "set",
        min_args: 3,
        max_args: UNLIMITED,
        arguments: "!TABLE !RECORD +COLUMN?:KEY=VALUE",
        options: "--if-exists",
        mode: ReadWrite,
        pre: Some(pre_cmd_set),
        run: Some(cmd_set),
        post: None,
    },
    Command {
        name: "add",
        min_args: 4,
        max_args: UNLIMITED,
        arguments: "!TABLE !RECORD !COLUMN +?KEY=VALUE",
        options: "--if-exists",
        mode: ReadWrite,
        pre: Some(pre_cmd_add_remove),
        run: Some(cmd_add),
        post: None,
    },
    Command {
        name: "remove",
        min_args: 4,
        max_args: UNLIMITED,
        arguments: "!TABLE !RECORD !COLUMN +KEY|VALUE|KEY=VALUE",
        options: "--if-exists",
        mode: ReadWrite,
        pre: Some(pre_cmd_add_remove),
        run: Some(cmd_remove),
        post: None,
    },
    Command {
        name: "clear",
        min_args: 3,
        max_args: UNLIMITED,
        arguments: "!TABLE !RECORD +COLUMN",
        options: "--if-exists",
        mode: ReadWrite,
        pre: Some(pre_cmd_clear),
        run: Some(cmd_clear),
        post: None,
    },
    Command {
        name: "create",
        min_args: 2,
        max_args: UNLIMITED,
        arguments: "!TABLE +COLUMN?:KEY=VALUE",
        options: "--id=",
        mode: ReadWrite,
        pre: Some(pre_create),
        run: Some(cmd_create),
        post: Some(post_create),
    },
    Command {
        name: "destroy",
        min_args: 1,
        max_args: UNLIMITED,
        arguments: "!TABLE *RECORD",
        options: "--if-exists,--all",
        mode: ReadWrite,
        pre: Some(pre_cmd_destroy),
        run: Some(cmd_destroy),
        post: None,
    },
    Command {
        name: "wait-until",
        min_args: 2,
        max_args: UNLIMITED,
        arguments: "!TABLE !RECORD *COLUMN?:KEY=VALUE",
        options: "",
        mode: ReadOnly,
        pre: Some(pre_cmd_wait_until),
        run: Some(cmd_wait_until),
        post: None,
    },
];

// ---- pre steps ----

fn is_uuid_column(arg: &str) -> bool {
    arg.eq_ignore_ascii_case("_uuid") || arg.eq_ignore_ascii_case("-uuid")
}

fn pre_cmd_get(pre: &mut Pre) -> Result<(), String> {
    let args = pre.args().to_vec();
    let table = get_table(&args[1])?;
    pre_get_table(pre, table);
    pre_hint_record(pre, table, &args[2]);
    for arg in &args[3..] {
        if !is_uuid_column(arg) {
            pre_parse_column(pre, arg, table)?;
        }
    }
    Ok(())
}

fn pre_cmd_list(pre: &mut Pre) -> Result<(), String> {
    let args = pre.args().to_vec();
    let table = get_table(&args[1])?;
    pre_get_table(pre, table);
    pre_list_columns(pre, table)?;
    for record in &args[2..] {
        pre_hint_record(pre, table, record);
    }
    Ok(())
}

fn pre_cmd_find(pre: &mut Pre) -> Result<(), String> {
    let args = pre.args().to_vec();
    let table = get_table(&args[1])?;
    pre_get_table(pre, table);
    pre_list_columns(pre, table)?;
    for arg in &args[2..] {
        pre_parse_column(pre, arg, table)?;
    }
    Ok(())
}

fn pre_cmd_set(pre: &mut Pre) -> Result<(), String> {
    let args = pre.args().to_vec();
    let table = get_table(&args[1])?;
    pre_get_table(pre, table);
    pre_hint_record(pre, table, &args[2]);
    for arg in &args[3..] {
        pre_parse_column(pre, arg, table)?;
    }
    Ok(())
}

fn pre_cmd_add_remove(pre: &mut Pre) -> Result<(), String> {
    let args = pre.args().to_vec();
    let table = get_table(&args[1])?;
    pre_get_table(pre, table);
    pre_hint_record(pre, table, &args[2]);
    pre_get_column(pre, table, &args[3])
}

fn pre_cmd_clear(pre: &mut Pre) -> Result<(), String> {
    let args = pre.args().to_vec();
    let table = get_table(&args[1])?;
    pre_get_table(pre, table);
    pre_hint_record(pre, table, &args[2]);
    for arg in &args[3..] {
        pre_get_column(pre, table, arg)?;
    }
    Ok(())
}

fn pre_create(pre: &mut Pre) -> Result<(), String> {
    let table = get_table(&pre.args()[1])?;
    if !pre.inv.has("--id") && !table.is_root {
        pre.warn(format!(
            "applying \"create\" command to table {} without --id option will have no effect",
            table.name
        ));
    }
    Ok(())
}

fn pre_cmd_destroy(pre: &mut Pre) -> Result<(), String> {
    let args = pre.args().to_vec();
    let table = get_table(&args[1])?;
    pre_get_table(pre, table);
    if !pre.inv.has("--all") {
        for record in &args[2..] {
            pre_hint_record(pre, table, record);
        }
    }
    Ok(())
}

fn pre_cmd_wait_until(pre: &mut Pre) -> Result<(), String> {
    let args = pre.args().to_vec();
    let table = get_table(&args[1])?;
    pre_get_table(pre, table);
    pre_hint_record(pre, table, &args[2]);
    for arg in &args[3..] {
        pre_parse_column(pre, arg, table)?;
    }
    Ok(())
}

// ---- run steps ----

fn cmd_get(ctx: &mut Ctx) -> Result<(), Failure> {
    let id = ctx.option("--id").map(str::to_owned);
    let must_exist = !ctx.has("--if-exists");
    if id.is_some() && !must_exist {
        return Err(Failure::Error(
            "--if-exists and --id may not be specified together".into(),
        ));
    }
    let args = ctx.args().to_vec();
    let table = get_table(&args[1])?;
    let record = &args[2];
    let Some(row) = get_row(ctx.db, table, record, must_exist)? else {
        return Ok(());
    };
    if let Some(id) = id {
        let (symbol, new) = ctx.symtab.create(&id)?;
        if !new {
            return Err(Failure::Error(format!(
                "row id \"{id}\" specified on \"get\" command was used before it was defined"
            )));
        }
        symbol.uuid = row;
        // It names a row that exists: no warning about it being unreferenced.
        symbol.strong_ref = true;
    }
    let tname = table.name.as_str();
    for arg in &args[3..] {
        if is_uuid_column(arg) {
            ctx.output.push_str(&format!("{row}\n"));
            continue;
        }
        let parsed = parse_column_key_value(arg, table, None)?;
        let column = parsed.column;
        ctx.db.verify(tname, &row, &column.name)?;
        let datum = ctx.db.read(tname, &row, &column.name)?;
        match parsed.key {
            Some(key_text) => {
                if column.type_.value.is_none() {
                    return Err(Failure::Error(format!(
                        "cannot specify key to get for non-map column {}",
                        column.name
                    )));
                }
                let key = atom_from_string(&key_text, &column.type_.key, ctx.symtab)?;
                match datum.get(&key) {
                    Some(value) => ctx.output.push_str(&value.to_string_form()),
                    None if must_exist => {
                        return Err(Failure::Error(format!(
                            "no key \"{key_text}\" in {tname} record \"{record}\" column {}",
                            column.name
                        )))
                    }
                    None => {}
                }
            }
            None => ctx.output.push_str(&datum.to_string_form(&column.type_)),
        }
        ctx.output.push('\n');
    }
    Ok(())
}

fn cmd_list(ctx: &mut Ctx) -> Result<(), Failure> {
    let must_exist = !ctx.has("--if-exists");
    let args = ctx.args().to_vec();
    let table = get_table(&args[1])?;
    let columns = parse_column_names(ctx.option("--columns"), table)?;
    let mut out = list_table(&columns);
    if args.len() > 2 {
        for record in &args[2..] {
            if let Some(row) = get_row(ctx.db, table, record, must_exist)? {
                list_record(ctx.db, table, &row, &columns, &mut out)?;
            }
        }
    } else {
        for row in ctx.db.rows(&table.name)? {
            list_record(ctx.db, table, &row, &columns, &mut out)?;
        }
    }
    ctx.table = Some(out);
    Ok(())
}

fn cmd_find(ctx: &mut Ctx) -> Result<(), Failure> {
    let args = ctx.args().to_vec();
    let table = get_table(&args[1])?;
    let columns = parse_column_names(ctx.option("--columns"), table)?;
    let mut out = list_table(&columns);
    // Conditions are read when first needed, so with no rows there is no error.
    let mut conditions: Vec<Option<Condition>> = (2..args.len()).map(|_| None).collect();
    'rows: for row in ctx.db.rows(&table.name)? {
        for (i, arg) in args[2..].iter().enumerate() {
            if conditions[i].is_none() {
                conditions[i] = Some(Condition::parse(arg, table, ctx.symtab)?);
            }
            let Some(cond) = &conditions[i] else { continue };
            let have = ctx.db.read(&table.name, &row, &cond.column.name)?;
            if !cond.holds(&have) {
                continue 'rows;
            }
        }
        list_record(ctx.db, table, &row, &columns, &mut out)?;
    }
    ctx.table = Some(out);
    Ok(())
}

fn cmd_set(ctx: &mut Ctx) -> Result<(), Failure> {
    let must_exist = !ctx.has("--if-exists");
    let args = ctx.args().to_vec();
    let table = get_table(&args[1])?;
    let Some(row) = get_row(ctx.db, table, &args[2], must_exist)? else {
        return Ok(());
    };
    for arg in &args[3..] {
        set_column(ctx.db, table, &row, arg, ctx.symtab, ctx.last_command)?;
    }
    ctx.invalidate_cache();
    Ok(())
}

fn cmd_add(ctx: &mut Ctx) -> Result<(), Failure> {
    let must_exist = !ctx.has("--if-exists");
    let args = ctx.args().to_vec();
    let table = get_table(&args[1])?;
    let column = get_column(table, &args[3])?;
    let Some(row) = get_row(ctx.db, table, &args[2], must_exist)? else {
        return Ok(());
    };
    check_mutable(ctx.db, table, &row, column)?;
    let (tname, cname) = (table.name.as_str(), column.name.as_str());
    let t = &column.type_;
    let mut new = if ctx.last_command {
        Datum::empty()
    } else {
        ctx.db.read(tname, &row, cname)?
    };
    for arg in &args[4..] {
        let add = datum_from_string(arg, &one_or_more(t), ctx.symtab)?;
        new.union(&add);
    }
    if ctx.last_command {
        // Partial updates go one element at a time.
        if t.is_map() {
            for (k, v) in new.pairs() {
                ctx.db
                    .map_set_partial(tname, &row, cname, k.clone(), v.clone())?;
            }
        } else {
            for k in new.keys() {
                ctx.db.set_insert_partial(tname, &row, cname, k.clone());
            }
        }
        ctx.invalidate_cache();
        return Ok(());
    }
    if t.max != UNLIMITED_SIZE && new.len() > t.max as usize {
        return Err(Failure::Error(format!(
            "\"add\" operation would put {} {} in column {cname} of table {tname} but the \
             maximum number is {}",
            new.len(),
            values_or_pairs(t),
            t.max
        )));
    }
    ctx.db.verify(tname, &row, cname)?;
    ctx.db.write(tname, &row, cname, new);
    ctx.invalidate_cache();
    Ok(())
}

fn cmd_remove(ctx: &mut Ctx) -> Result<(), Failure> {
    let must_exist = !ctx.has("--if-exists");
    let args = ctx.args().to_vec();
    let table = get_table(&args[1])?;
    let column = get_column(table, &args[3])?;
    let Some(row) = get_row(ctx.db, table, &args[2], must_exist)? else {
        return Ok(());
    };
    check_mutable(ctx.db, table, &row, column)?;
    let (tname, cname) = (table.name.as_str(), column.name.as_str());
    let t = &column.type_;
    let mut old = ctx.db.read(tname, &row, cname)?;
    for arg in &args[4..] {
        let rm_type = one_or_more(t);
        let rm = match datum_from_string(arg, &rm_type, ctx.symtab) {
            Ok(rm) => rm,
            Err(_) if t.is_map() => {
                // A map element may be named by its key alone.
                let keys = Type {
                    value: None,
                    ..rm_type
                };
                datum_from_string(arg, &keys, ctx.symtab)?
            }
            Err(e) => return Err(Failure::Error(e)),
        };
        if rm.is_map_shaped() {
            old.retain(|k, v| rm.get(k) != v);
        } else {
            old.retain(|k, _| !rm.contains(k));
        }
    }
    if old.len() < t.min as usize {
        return Err(Failure::Error(format!(
            "\"remove\" operation would put {} {} in column {cname} of table {tname} but the \
             minimum number is {}",
            old.len(),
            values_or_pairs(t),
            t.min
        )));
    }
    ctx.db.verify(tname, &row, cname)?;
    ctx.db.write(tname, &row, cname, old);
    ctx.invalidate_cache();
    Ok(())
}

fn cmd_clear(ctx: &mut Ctx) -> Result<(), Failure> {
    let must_exist = !ctx.has("--if-exists");
    let args = ctx.args().to_vec();
    let table = get_table(&args[1])?;
    let Some(row) = get_row(ctx.db, table, &args[2], must_exist)? else {
        return Ok(());
    };
    for arg in &args[3..] {
        let column = get_column(table, arg)?;
        check_mutable(ctx.db, table, &row, column)?;
        if column.type_.min > 0 {
            return Err(Failure::Error(format!(
                "\"clear\" operation cannot be applied to column {} of table {}, which is not \
                 allowed to be empty",
                column.name, table.name
            )));
        }
        ctx.db
            .write(&table.name, &row, &column.name, Datum::empty());
    }
    ctx.invalidate_cache();
    Ok(())
}

fn cmd_create(ctx: &mut Ctx) -> Result<(), Failure> {
    let id = ctx.option("--id").map(str::to_owned);
    let args = ctx.args().to_vec();
    let table = get_table(&args[1])?;
    if table.max_rows == Some(1) {
        // The commit checks whether such a table is empty (see db::commit).
        ctx.db.rows_unordered(&table.name)?;
    }
    let mut explicit = false;
    let row = match id {
        Some(id) => match ovsdb::atom::parse_uuid(&id) {
            Some(u) => {
                explicit = true;
                u
            }
            None => {
                let (symbol, _) = ctx.symtab.create(&id)?;
                if table.is_root {
                    // Rows of root tables live on unreferenced: no warning.
                    symbol.strong_ref = true;
                }
                symbol.uuid
            }
        },
        None => ovsdb::uuidgen::new_uuid(),
    };
    ctx.db.insert(&table.name, row, explicit);
    for arg in &args[2..] {
        set_column(ctx.db, table, &row, arg, ctx.symtab, false)?;
    }
    ctx.output.push_str(&row.to_string());
    Ok(())
}

fn post_create(ctx: &mut PostCtx) -> Result<(), String> {
    if let Some(temp) = ovsdb::atom::parse_uuid(ctx.output) {
        if let Some(real) = ctx.inserted.get(&temp) {
            *ctx.output = real.to_string();
        }
    }
    ctx.output.push('\n');
    Ok(())
}

fn cmd_destroy(ctx: &mut Ctx) -> Result<(), Failure> {
    let must_exist = !ctx.has("--if-exists");
    let delete_all = ctx.has("--all");
    let args = ctx.args().to_vec();
    let table = get_table(&args[1])?;
    if delete_all && args.len() > 2 {
        return Err(Failure::Error(
            "--all and records argument should not be specified together".into(),
        ));
    }
    if delete_all && !must_exist {
        return Err(Failure::Error(
            "--all and --if-exists should not be specified together".into(),
        ));
    }
    if delete_all {
        for row in ctx.db.rows(&table.name)? {
            ctx.db.delete(&table.name, &row);
        }
        ctx.invalidate_cache();
        return Ok(());
    }
    for record in &args[2..] {
        if let Some(row) = get_row(ctx.db, table, record, must_exist)? {
            ctx.db.delete(&table.name, &row);
        }
    }
    ctx.invalidate_cache();
    Ok(())
}

fn cmd_wait_until(ctx: &mut Ctx) -> Result<(), Failure> {
    let args = ctx.args().to_vec();
    let table = get_table(&args[1])?;
    let Some(row) = get_row(ctx.db, table, &args[2], false)? else {
        ctx.try_again = true;
        return Ok(());
    };
    for arg in &args[3..] {
        let cond = Condition::parse(arg, table, ctx.symtab)?;
        let have = ctx.db.read(&table.name, &row, &cond.column.name)?;
        if !cond.holds(&have) {
            ctx.try_again = true;
            return Ok(());
        }
    }
    Ok(())
}
