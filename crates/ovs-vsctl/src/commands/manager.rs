//! Manager commands of `ovs-vsctl(8)`: `get-manager`, `del-manager` and
//! `set-manager`, on the Open_vSwitch row's `manager_options`.

use super::controller::{insert_targets, read_targets};
use crate::command::{Command, Ctx, Failure, Mode, Pre, UNLIMITED};
use crate::db::{Db, Rows};
use ovsdb::{Atom, Datum, Uuid};

use Mode::{ReadOnly, ReadWrite};

pub const COMMANDS: &[Command] = &[
    Command {
        name: "get-manager",
        min_args: 0,
        max_args: 0,
        arguments: "",
        options: "",
        mode: ReadOnly,
        pre: Some(pre_manager),
        run: Some(cmd_get_manager),
        post: None,
    },
    Command {
        name: "del-manager",
        min_args: 0,
        max_args: 0,
        arguments: "",
        options: "",
        mode: ReadWrite,
        pre: Some(pre_manager),
        run: Some(cmd_del_manager),
        post: None,
    },
    Command {
        name: "set-manager",
        min_args: 1,
        max_args: UNLIMITED,
        arguments: "+TARGET",
        options: "--inactivity-probe=",
        mode: ReadWrite,
        pre: Some(pre_manager),
        run: Some(cmd_set_manager),
        post: None,
    },
];

fn pre_manager(pre: &mut Pre) -> Result<(), String> {
    pre.add_column("Open_vSwitch", "manager_options");
    for column in ["target", "inactivity_probe"] {
        pre.add_column("Manager", column);
    }
    // Managers are few: all of them (as the reference reads them).
    pre.want_rows("Manager", Rows::All);
    Ok(())
}

/// The managers, checked at commit not to have changed.
fn verify_managers(db: &mut Db, root: &Uuid) -> Result<Vec<Uuid>, Failure> {
    db.verify("Open_vSwitch", root, "manager_options")?;
    let managers: Vec<Uuid> = db
        .read("Open_vSwitch", root, "manager_options")?
        .keys()
        .iter()
        .filter_map(Atom::as_uuid)
        .collect();
    for m in &managers {
        db.verify("Manager", m, "target")?;
    }
    Ok(managers)
}

fn delete_managers(db: &mut Db, root: &Uuid, managers: &[Uuid]) {
    for m in managers {
        db.delete("Manager", m);
    }
    db.write("Open_vSwitch", root, "manager_options", Datum::empty());
}

fn cmd_get_manager(ctx: &mut Ctx) -> Result<(), Failure> {
    let root = ctx.root;
    let managers = verify_managers(ctx.db, &root)?;
    let mut targets = read_targets(ctx.db, "Manager", &managers)?;
    targets.sort();
    targets.dedup();
    for t in targets {
        ctx.output.push_str(&t);
        ctx.output.push('\n');
    }
    Ok(())
}

fn cmd_del_manager(ctx: &mut Ctx) -> Result<(), Failure> {
    let root = ctx.root;
    let managers = verify_managers(ctx.db, &root)?;
    delete_managers(ctx.db, &root, &managers);
    Ok(())
}

fn cmd_set_manager(ctx: &mut Ctx) -> Result<(), Failure> {
    let root = ctx.root;
    let targets = ctx.args()[1..].to_vec();
    let probe = ctx.option("--inactivity-probe").map(str::to_owned);
    let managers = verify_managers(ctx.db, &root)?;
    delete_managers(ctx.db, &root, &managers);
    let set = insert_targets(ctx.db, "Manager", &targets, probe.as_deref());
    ctx.db.write("Open_vSwitch", &root, "manager_options", set);
    Ok(())
}
