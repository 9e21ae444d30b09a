//! Controller commands of `ovs-vsctl(8)`: `get-controller`, `del-controller`,
//! `set-controller`, and the fail-mode ones, `get-fail-mode`, `del-fail-mode` and
//! `set-fail-mode`.

use super::bridge::pre_bridge_arg;
use super::helpers::{c_strtol, string_datum};
use super::model::Model;
use crate::command::{Command, Ctx, Failure, Mode, Pre, UNLIMITED};
use crate::db::{Db, Rows};
use ovsdb::{Atom, Datum, Uuid};

use Mode::{ReadOnly, ReadWrite};

pub const COMMANDS: &[Command] = &[
    Command {
        name: "get-controller",
        min_args: 1,
        max_args: 1,
        arguments: "!BRIDGE",
        options: "",
        mode: ReadOnly,
        pre: Some(pre_controller),
        run: Some(cmd_get_controller),
        post: None,
    },
    Command {
        name: "del-controller",
        min_args: 1,
        max_args: 1,
        arguments: "!BRIDGE",
        options: "",
        mode: ReadWrite,
        pre: Some(pre_controller),
        run: Some(cmd_del_controller),
        post: None,
    },
    Command {
        name: "set-controller",
        min_args: 1,
        max_args: UNLIMITED,
        arguments: "!BRIDGE +TARGET",
        options: "--inactivity-probe=",
        mode: ReadWrite,
        pre: Some(pre_controller),
        run: Some(cmd_set_controller),
        post: None,
    },
    Command {
        name: "get-fail-mode",
        min_args: 1,
        max_args: 1,
        arguments: "!BRIDGE",
        options: "",
        mode: ReadOnly,
        pre: Some(pre_fail_mode),
        run: Some(cmd_get_fail_mode),
        post: None,
    },
    Command {
        name: "del-fail-mode",
        min_args: 1,
        max_args: 1,
        arguments: "!BRIDGE",
        options: "",
        mode: ReadWrite,
        pre: Some(pre_fail_mode),
        run: Some(cmd_del_fail_mode),
        post: None,
    },
    Command {
        name: "set-fail-mode",
        min_args: 2,
        max_args: 2,
        arguments: "!BRIDGE !MODE",
        options: "",
        mode: ReadWrite,
        pre: Some(pre_fail_mode),
        run: Some(cmd_set_fail_mode),
        post: None,
    },
];

fn pre_controller(pre: &mut Pre) -> Result<(), String> {
    pre_bridge_arg(pre)?;
    pre.want_column("Bridge", "controller");
    for column in ["target", "inactivity_probe"] {
        pre.register_column("Controller", column);
        pre.want_column("Controller", column);
    }
    // Controllers are few: all of them.
    pre.want_rows("Controller", Rows::All);
    Ok(())
}

fn pre_fail_mode(pre: &mut Pre) -> Result<(), String> {
    pre_bridge_arg(pre)?;
    pre.want_column("Bridge", "fail_mode");
    Ok(())
}

/// Whether a connection target names a kind of connection Open vSwitch knows
/// (`tcp:`, `ssl:`, `unix:` and their passive `p` forms), as the reference checks
/// controller and manager targets before warning about them.
pub(crate) fn known_target(target: &str) -> bool {
    let Some((kind, _)) = target.split_once(':') else {
        return false;
    };
    matches!(kind, "tcp" | "ssl" | "unix" | "ptcp" | "pssl" | "punix")
}

/// The bridge's controllers, checked at commit not to have changed.
fn verify_controllers(db: &mut Db, bridge: &Uuid) -> Result<Vec<Uuid>, Failure> {
    db.verify("Bridge", bridge, "controller")?;
    let controllers: Vec<Uuid> = db
        .read("Bridge", bridge, "controller")?
        .keys()
        .iter()
        .filter_map(Atom::as_uuid)
        .collect();
    for c in &controllers {
        db.verify("Controller", c, "target")?;
    }
    Ok(controllers)
}

/// Creates a row of `table` (Controller or Manager) per target, with the
/// `--inactivity-probe` if given.
pub(crate) fn insert_targets(
    db: &mut Db,
    table: &str,
    targets: &[String],
    probe: Option<&str>,
) -> Datum {
    let mut rows = Vec::new();
    for target in targets {
        if !known_target(target) {
            crate::log::vsctl_warn(&format!("target type \"{target}\" is possibly erroneous"));
        }
        let row = ovsdb::uuidgen::new_uuid();
        db.insert(table, row, false);
        db.write(table, &row, "target", string_datum(target));
        if let Some(probe) = probe {
            let msecs = c_strtol(probe).0;
            db.write(
                table,
                &row,
                "inactivity_probe",
                Datum::scalar(Atom::Integer(msecs)),
            );
        }
        rows.push(Atom::Uuid(row));
    }
    let mut set = Datum::empty();
    for r in rows {
        set.insert_key(r);
    }
    set
}

/// The `target` column of each of `rows` of `table` (Controller or Manager).
pub(crate) fn read_targets(
    db: &mut Db,
    table: &str,
    rows: &[Uuid],
) -> Result<Vec<String>, Failure> {
    let mut targets = Vec::with_capacity(rows.len());
    for row in rows {
        let target = db.read(table, row, "target")?;
        targets.push(
            target
                .first()
                .and_then(Atom::as_str)
                .unwrap_or("")
                .to_owned(),
        );
    }
    Ok(targets)
}

fn cmd_get_controller(ctx: &mut Ctx) -> Result<(), Failure> {
    let name = ctx.args()[1].clone();
    let model = Model::new(ctx)?;
    let Some(br) = model.find_bridge(ctx, &name, true)? else {
        return Ok(());
    };
    let Some(row) = br.real().cfg else {
        return Ok(());
    };
    let controllers = verify_controllers(ctx.db, &row)?;
    let mut targets = read_targets(ctx.db, "Controller", &controllers)?;
    targets.sort();
    for t in targets {
        ctx.output.push_str(&t);
        ctx.output.push('\n');
    }
    Ok(())
}

fn cmd_del_controller(ctx: &mut Ctx) -> Result<(), Failure> {
    let name = ctx.args()[1].clone();
    let model = Model::new(ctx)?;
    let Some(row) = model
        .find_real_bridge(ctx, &name, true)?
        .and_then(|b| b.cfg)
    else {
        return Ok(());
    };
    let controllers = verify_controllers(ctx.db, &row)?;
    if !controllers.is_empty() {
        for c in &controllers {
            ctx.db.delete("Controller", c);
        }
        ctx.db.write("Bridge", &row, "controller", Datum::empty());
    }
    Ok(())
}

fn cmd_set_controller(ctx: &mut Ctx) -> Result<(), Failure> {
    let args = ctx.args().to_vec();
    let model = Model::new(ctx)?;
    let Some(row) = model
        .find_real_bridge(ctx, &args[1], true)?
        .and_then(|b| b.cfg)
    else {
        return Ok(());
    };
    for c in verify_controllers(ctx.db, &row)? {
        ctx.db.delete("Controller", &c);
    }
    let probe = ctx.option("--inactivity-probe").map(str::to_owned);
    let set = insert_targets(ctx.db, "Controller", &args[2..], probe.as_deref());
    ctx.db.write("Bridge", &row, "controller", set);
    Ok(())
}

fn cmd_get_fail_mode(ctx: &mut Ctx) -> Result<(), Failure> {
    let name = ctx.args()[1].clone();
    let model = Model::new(ctx)?;
    let Some(br) = model.find_bridge(ctx, &name, true)? else {
        return Ok(());
    };
    let Some(row) = br.real().cfg else {
        return Ok(());
    };
    ctx.db.verify("Bridge", &row, "fail_mode")?;
    let mode = ctx.db.read("Bridge", &row, "fail_mode")?;
    if let Some(mode) = mode
        .first()
        .and_then(Atom::as_str)
        .filter(|m| !m.is_empty())
    {
        ctx.output.push_str(&format!("{mode}\n"));
    }
    Ok(())
}

fn cmd_del_fail_mode(ctx: &mut Ctx) -> Result<(), Failure> {
    let name = ctx.args()[1].clone();
    let model = Model::new(ctx)?;
    if let Some(row) = model
        .find_real_bridge(ctx, &name, true)?
        .and_then(|b| b.cfg)
    {
        ctx.db.write("Bridge", &row, "fail_mode", Datum::empty());
    }
    Ok(())
}

fn cmd_set_fail_mode(ctx: &mut Ctx) -> Result<(), Failure> {
    let args = ctx.args().to_vec();
    let model = Model::new(ctx)?;
    let row = model
        .find_real_bridge(ctx, &args[1], true)?
        .and_then(|b| b.cfg);
    let mode = args[2].as_str();
    if mode != "standalone" && mode != "secure" {
        return Err(Failure::Error(
            "fail-mode must be \"standalone\" or \"secure\"".into(),
        ));
    }
    if let Some(row) = row {
        ctx.db
            .write("Bridge", &row, "fail_mode", string_datum(mode));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connection_targets_the_reference_knows() {
        for ok in [
            "tcp:1.2.3.4",
            "tcp:",
            "ssl:x",
            "unix:/x",
            "ptcp:6653",
            "pssl:",
            "punix:/y",
        ] {
            assert!(known_target(ok), "{ok}");
        }
        for bad in ["tcp", "", ":", "TCP:1", "foo:1", "dummy:x"] {
            assert!(!known_target(bad), "{bad}");
        }
    }
}
