//! Auto Attach commands of `ovs-vsctl(8)`: `add-aa-mapping`, `del-aa-mapping` and
//! `get-aa-mapping`, on the I-SID to VLAN mappings of a bridge's AutoAttach row.

use super::bridge::pre_bridge_arg;
use super::helpers::c_strtoull;
use super::model::Model;
use crate::command::{Command, Ctx, Failure, Mode, Pre};
use crate::db::Rows;
use ovsdb::{Atom, Datum, Uuid};

use Mode::{ReadOnly, ReadWrite};

pub const COMMANDS: &[Command] = &[
    Command {
        name: "add-aa-mapping",
        min_args: 3,
        max_args: 3,
        arguments: "!BRIDGE !ARG !ARG",
        options: "",
        mode: ReadWrite,
        pre: Some(pre_aa_mapping),
        run: Some(cmd_add_aa_mapping),
        post: None,
    },
    Command {
        name: "del-aa-mapping",
        min_args: 3,
        max_args: 3,
        arguments: "!BRIDGE !ARG !ARG",
        options: "",
        mode: ReadWrite,
        pre: Some(pre_aa_mapping),
        run: Some(cmd_del_aa_mapping),
        post: None,
    },
    Command {
        name: "get-aa-mapping",
        min_args: 1,
        max_args: 1,
        arguments: "!BRIDGE",
        options: "",
        mode: ReadOnly,
        pre: Some(pre_aa_mapping),
        run: Some(cmd_get_aa_mapping),
        post: None,
    },
];

fn pre_aa_mapping(pre: &mut Pre) -> Result<(), String> {
    pre_bridge_arg(pre)?;
    pre.register_column("Bridge", "auto_attach");
    pre.want_column("Bridge", "auto_attach");
    pre.add_column("AutoAttach", "mappings");
    pre.want_rows("AutoAttach", Rows::All);
    Ok(())
}

/// The I-SID and VLAN arguments, read as the reference reads them.
fn parse_mapping(args: &[String]) -> Result<(i64, i64), Failure> {
    let read =
        |s: &String| c_strtoull(s).ok_or_else(|| Failure::Error(format!("Invalid argument {s}")));
    Ok((read(&args[2])?, read(&args[3])?))
}

/// The real bridge `name` is or is on, and its AutoAttach row if it has one.
fn bridge_and_aa(ctx: &mut Ctx, name: &str) -> Result<Option<(Uuid, Option<Uuid>)>, Failure> {
    let model = Model::new(ctx)?;
    let Some(br) = model.find_bridge(ctx, name, true)? else {
        return Ok(None);
    };
    let Some(row) = br.real().cfg else {
        return Ok(None);
    };
    let aa = ctx
        .db
        .read("Bridge", &row, "auto_attach")?
        .first()
        .and_then(Atom::as_uuid);
    Ok(Some((row, aa)))
}

fn cmd_add_aa_mapping(ctx: &mut Ctx) -> Result<(), Failure> {
    let args = ctx.args().to_vec();
    let (isid, vlan) = parse_mapping(&args)?;
    let Some((bridge, aa)) = bridge_and_aa(ctx, &args[1])? else {
        return Ok(());
    };
    let aa = match aa {
        Some(aa) => aa,
        None => {
            let aa = ovsdb::uuidgen::new_uuid();
            ctx.db.insert("AutoAttach", aa, false);
            ctx.db.write(
                "Bridge",
                &bridge,
                "auto_attach",
                Datum::scalar(Atom::Uuid(aa)),
            );
            aa
        }
    };
    let mut mappings = ctx.db.read("AutoAttach", &aa, "mappings")?;
    // A mapping for an I-SID already mapped is dropped, as the reference's sorting
    // of the new map keeps the first of two equal keys.
    mappings.insert_pair(Atom::Integer(isid), Atom::Integer(vlan));
    ctx.db.write("AutoAttach", &aa, "mappings", mappings);
    Ok(())
}

fn cmd_del_aa_mapping(ctx: &mut Ctx) -> Result<(), Failure> {
    let args = ctx.args().to_vec();
    let (isid, vlan) = parse_mapping(&args)?;
    let Some((_, Some(aa))) = bridge_and_aa(ctx, &args[1])? else {
        return Ok(());
    };
    let mut mappings = ctx.db.read("AutoAttach", &aa, "mappings")?;
    let (isid, vlan) = (Atom::Integer(isid), Atom::Integer(vlan));
    if mappings.pairs().any(|(k, v)| *k == isid && *v == vlan) {
        // As in the reference, every mapping of that I-SID or to that VLAN goes.
        mappings.retain(|k, v| *k != isid && v != Some(&vlan));
        ctx.db.write("AutoAttach", &aa, "mappings", mappings);
    }
    Ok(())
}

fn cmd_get_aa_mapping(ctx: &mut Ctx) -> Result<(), Failure> {
    let name = ctx.args()[1].clone();
    let Some((bridge, aa)) = bridge_and_aa(ctx, &name)? else {
        return Ok(());
    };
    ctx.db.verify("Bridge", &bridge, "auto_attach")?;
    let Some(aa) = aa else {
        return Ok(());
    };
    ctx.db.verify("AutoAttach", &aa, "mappings")?;
    for (k, v) in ctx.db.read("AutoAttach", &aa, "mappings")?.pairs() {
        if let (Some(k), Some(v)) = (k.as_i64(), v.as_i64()) {
            ctx.output.push_str(&format!("{k} {v}\n"));
        }
    }
    Ok(())
}
