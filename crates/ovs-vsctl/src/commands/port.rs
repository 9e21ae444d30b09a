//! Port commands of `ovs-vsctl(8)`, bonds included: `list-ports`, `add-port`,
//! `add-bond`, `add-bond-iface`, `del-bond-iface`, `del-port` and `port-to-br`.

use super::bridge::{insert_iface, insert_port};
use super::helpers::{command_text, set_column};
use super::model::{self, Creating, Model, PortRef};
use crate::command::{Command, Ctx, Failure, Mode, Pre, UNLIMITED};
use ovsdb::{Atom, Datum, Uuid};

use Mode::{ReadOnly, ReadWrite};

pub const COMMANDS: &[Command] = &[
    Command {
        name: "list-ports",
        min_args: 1,
        max_args: 1,
        arguments: "!BRIDGE",
        options: "",
        mode: ReadOnly,
        pre: Some(pre_whole),
        run: Some(cmd_list_ports),
        post: None,
    },
    Command {
        name: "add-port",
        min_args: 2,
        max_args: UNLIMITED,
        arguments: "!BRIDGE !NEW-PORT *COLUMN?:KEY=VALUE",
        options: "--may-exist",
        mode: ReadWrite,
        pre: Some(pre_add_port),
        run: Some(cmd_add_port),
        post: None,
    },
    Command {
        name: "add-bond",
        min_args: 4,
        max_args: UNLIMITED,
        arguments: "!BRIDGE !BOND +IFACE *COLUMN?:KEY=VALUE",
        options: "--may-exist,--fake-iface",
        mode: ReadWrite,
        pre: Some(pre_add_bond),
        run: Some(cmd_add_bond),
        post: None,
    },
    Command {
        name: "add-bond-iface",
        min_args: 2,
        max_args: 2,
        arguments: "!BOND !IFACE",
        options: "--may-exist",
        mode: ReadWrite,
        pre: Some(pre_add_bond_iface),
        run: Some(cmd_add_bond_iface),
        post: None,
    },
    Command {
        name: "del-bond-iface",
        min_args: 1,
        max_args: 2,
        arguments: "?BOND !IFACE",
        options: "--if-exists",
        mode: ReadWrite,
        pre: Some(pre_del_bond_iface),
        run: Some(cmd_del_bond_iface),
        post: None,
    },
    Command {
        name: "del-port",
        min_args: 1,
        max_args: 2,
        arguments: "?BRIDGE !PORT|IFACE",
        options: "--if-exists,--with-iface",
        mode: ReadWrite,
        pre: Some(pre_del_port),
        run: Some(cmd_del_port),
        post: None,
    },
    Command {
        name: "port-to-br",
        min_args: 1,
        max_args: 1,
        arguments: "!PORT",
        options: "",
        mode: ReadOnly,
        pre: Some(pre_port_to_br),
        run: Some(cmd_port_to_br),
        post: None,
    },
];

// ---- pre steps ----

fn pre_whole(pre: &mut Pre) -> Result<(), String> {
    model::pre_get_info(pre);
    model::want_whole(pre);
    Ok(())
}

/// Fetches what checking that nothing is called `name` reads, except the port or
/// interface of that name that the command creates (see `model::Creating`).
fn want_free_name(pre: &mut Pre, name: &str, creating: Creating) {
    model::want_bridge(pre, name);
    if !creating.port {
        model::want_port(pre, name);
    }
    if !creating.iface {
        model::want_iface(pre, name);
    }
}

fn pre_add_port(pre: &mut Pre) -> Result<(), String> {
    let args = pre.args().to_vec();
    model::pre_get_info(pre);
    model::want_bridge(pre, &args[1]);
    want_free_name(
        pre,
        &args[2],
        Creating {
            port: true,
            iface: true,
        },
    );
    if pre.inv.has("--may-exist") {
        model::want_port(pre, &args[2]);
    }
    Ok(())
}

/// The interface arguments of `add-bond`: from the third up to the first with `=`.
fn bond_ifaces(args: &[String]) -> &[String] {
    let end = args[3..]
        .iter()
        .position(|a| a.contains('='))
        .map_or(args.len(), |i| i + 3);
    &args[3..end]
}

fn pre_add_bond(pre: &mut Pre) -> Result<(), String> {
    let args = pre.args().to_vec();
    model::pre_get_info(pre);
    model::want_bridge(pre, &args[1]);
    let ifaces = bond_ifaces(&args);
    let port = Creating {
        port: true,
        iface: ifaces.contains(&args[2]),
    };
    want_free_name(pre, &args[2], port);
    for iface in ifaces {
        let creating = Creating {
            port: *iface == args[2],
            iface: true,
        };
        want_free_name(pre, iface, creating);
    }
    if pre.inv.has("--may-exist") {
        model::want_port(pre, &args[2]);
    }
    Ok(())
}

fn pre_add_bond_iface(pre: &mut Pre) -> Result<(), String> {
    let args = pre.args().to_vec();
    model::pre_get_info(pre);
    model::want_port(pre, &args[1]);
    let creating = Creating {
        port: false,
        iface: true,
    };
    want_free_name(pre, &args[2], creating);
    if pre.inv.has("--may-exist") {
        model::want_iface(pre, &args[2]);
    }
    Ok(())
}

fn pre_del_bond_iface(pre: &mut Pre) -> Result<(), String> {
    let args = pre.args().to_vec();
    model::pre_get_info(pre);
    if args.len() > 2 {
        model::want_port(pre, &args[1]);
    }
    model::want_iface(pre, &args[args.len() - 1]);
    Ok(())
}

fn pre_del_port(pre: &mut Pre) -> Result<(), String> {
    let args = pre.args().to_vec();
    model::pre_get_info(pre);
    let target = &args[args.len() - 1];
    model::want_bridge(pre, target);
    model::want_port(pre, target);
    if pre.inv.has("--with-iface") {
        model::want_iface(pre, target);
    }
    if args.len() == 3 {
        model::want_bridge(pre, &args[1]);
    }
    Ok(())
}

fn pre_port_to_br(pre: &mut Pre) -> Result<(), String> {
    let name = pre.args()[1].clone();
    model::pre_get_info(pre);
    model::want_port(pre, &name);
    Ok(())
}

// ---- run steps ----

fn cmd_list_ports(ctx: &mut Ctx) -> Result<(), Failure> {
    let name = ctx.args()[1].clone();
    let model = Model::whole(ctx)?;
    let Some(br) = model.find_bridge(ctx, &name, true)? else {
        return Ok(());
    };
    if let Some(row) = br.ports_row() {
        ctx.db.verify("Bridge", &row, "ports")?;
    }
    let mut names: Vec<String> = model
        .ports_on(ctx, &br.name)?
        .into_iter()
        .map(|p| p.name)
        .filter(|n| *n != br.name)
        .collect();
    names.sort();
    for n in names {
        ctx.output.push_str(&n);
        ctx.output.push('\n');
    }
    Ok(())
}

/// Adds port `port_name` made of interfaces `ifaces` to bridge `br_name`, then
/// sets the `settings` (`COLUMN[:KEY]=VALUE`) on the new port.
fn add_port(
    ctx: &mut Ctx,
    br_name: &str,
    port_name: &str,
    fake_iface: bool,
    ifaces: &[String],
    settings: &[String],
) -> Result<(), Failure> {
    if port_name.is_empty() {
        return Err(Failure::Error("port name must not be empty string".into()));
    }
    if ifaces.iter().any(String::is_empty) {
        return Err(Failure::Error(
            "interface name must not be empty string".into(),
        ));
    }
    let model = Model::new(ctx)?;
    if ctx.has("--may-exist") {
        if let Some(port) = model.find_port(ctx, port_name, false)? {
            let mut want: Vec<&str> = ifaces.iter().map(String::as_str).collect();
            want.sort();
            let mut have = Vec::new();
            let ifaces = ctx.db.read("Port", &port.row, "interfaces")?;
            for iface in ifaces.keys().iter().filter_map(Atom::as_uuid) {
                let name = ctx.db.read("Interface", &iface, "name")?;
                have.push(name.first().and_then(Atom::as_str).unwrap_or("").to_owned());
            }
            have.sort();
            if port.br.name != br_name {
                return Err(Failure::Error(format!(
                    "\"{}\" but {port_name} is actually attached to bridge {}",
                    command_text(ctx.inv),
                    port.br.name
                )));
            }
            if want != have {
                return Err(Failure::Error(format!(
                    "\"{}\" but {port_name} actually has interface(s) {}",
                    command_text(ctx.inv),
                    have.join(", ")
                )));
            }
            return Ok(());
        }
    }
    let creating = Creating {
        port: true,
        iface: ifaces.iter().any(|i| i == port_name),
    };
    model.check_conflicts(
        ctx,
        port_name,
        &format!("cannot create a port named {port_name}"),
        creating,
    )?;
    for iface in ifaces {
        let creating = Creating {
            port: iface == port_name,
            iface: true,
        };
        model.check_conflicts(
            ctx,
            iface,
            &format!("cannot create an interface named {iface}"),
            creating,
        )?;
    }
    let Some(bridge) = model.find_bridge(ctx, br_name, true)? else {
        return Ok(());
    };

    let rows: Vec<(Uuid, String)> = ifaces
        .iter()
        .map(|name| (insert_iface(ctx, name, None), name.clone()))
        .collect();
    let iface_rows: Vec<Uuid> = rows.iter().map(|(u, _)| *u).collect();
    let port = insert_port(ctx.db, port_name, &iface_rows)?;
    if fake_iface {
        ctx.db.write(
            "Port",
            &port,
            "bond_fake_iface",
            Datum::scalar(Atom::Boolean(true)),
        );
    }
    if bridge.parent.is_some() {
        ctx.db.write(
            "Port",
            &port,
            "tag",
            Datum::scalar(Atom::Integer(bridge.vlan)),
        );
    }
    let table = crate::schema::table("Port");
    for setting in settings {
        set_column(ctx.db, table, &port, setting, ctx.symtab, false)?;
    }
    if let Some(row) = bridge.ports_row() {
        model.insert_port(ctx, &row, &port)?;
    }
    model.added_port(ctx, &bridge, port, port_name, &rows)
}

fn cmd_add_port(ctx: &mut Ctx) -> Result<(), Failure> {
    let args = ctx.args().to_vec();
    add_port(
        ctx,
        &args[1],
        &args[2],
        false,
        std::slice::from_ref(&args[2]),
        &args[3..],
    )
}

fn cmd_add_bond(ctx: &mut Ctx) -> Result<(), Failure> {
    let args = ctx.args().to_vec();
    let fake_iface = ctx.has("--fake-iface");
    let ifaces = bond_ifaces(&args);
    if ifaces.len() < 2 {
        return Err(Failure::Error(format!(
            "add-bond requires at least 2 interfaces, but only {} were specified",
            ifaces.len()
        )));
    }
    let settings = &args[3 + ifaces.len()..];
    add_port(ctx, &args[1], &args[2], fake_iface, ifaces, settings)
}

fn cmd_add_bond_iface(ctx: &mut Ctx) -> Result<(), Failure> {
    let args = ctx.args().to_vec();
    let iface_name = args[2].as_str();
    let model = Model::new(ctx)?;
    let Some(port) = model.find_port(ctx, &args[1], true)? else {
        return Ok(());
    };
    if ctx.has("--may-exist") {
        if let Some(iface) = model.find_iface(ctx, iface_name, false)? {
            if iface.port.row == port.row {
                return Ok(());
            }
            return Err(Failure::Error(format!(
                "\"{}\" but {iface_name} is actually attached to port {}",
                command_text(ctx.inv),
                iface.port.name
            )));
        }
    }
    model.check_conflicts(
        ctx,
        iface_name,
        &format!("cannot create an interface named {iface_name}"),
        Creating {
            port: false,
            iface: true,
        },
    )?;
    let iface = insert_iface(ctx, iface_name, None);
    ctx.db
        .set_insert_partial("Port", &port.row, "interfaces", Atom::Uuid(iface));
    model.added_iface(ctx, &port.name, iface, iface_name);
    Ok(())
}

fn cmd_del_bond_iface(ctx: &mut Ctx) -> Result<(), Failure> {
    let args = ctx.args().to_vec();
    let iface_name = args[args.len() - 1].as_str();
    let must_exist = !ctx.has("--if-exists");
    let model = Model::new(ctx)?;
    let Some(iface) = model.find_iface(ctx, iface_name, must_exist)? else {
        return Ok(());
    };
    if args.len() > 2 {
        if let Some(port) = model.find_port(ctx, &args[1], true)? {
            if iface.port.row != port.row {
                return Err(Failure::Error(format!(
                    "port {} does not have an interface {iface_name}",
                    args[1]
                )));
            }
        }
    }
    if model.port_ifaces(ctx, &iface.port)?.len() <= 1 {
        return Err(Failure::Error(format!(
            "cannot delete last interface from port {}",
            iface.port.name
        )));
    }
    ctx.db
        .set_delete_partial("Port", &iface.port.row, "interfaces", Atom::Uuid(iface.row));
    ctx.db.delete("Interface", &iface.row);
    model.deleted_iface(ctx, iface_name);
    Ok(())
}

/// Deletes a port (and its interfaces) from the bridge it is on.
pub(crate) fn del_port(ctx: &mut Ctx, model: &Model, port: &PortRef) -> Result<(), Failure> {
    if let Some(row) = port.br.ports_row() {
        model.delete_port(ctx, &row, &port.row)?;
    }
    for iface in model.port_ifaces(ctx, port)? {
        ctx.db.delete("Interface", &iface);
    }
    ctx.db.delete("Port", &port.row);
    model.deleted_port(ctx, &port.name);
    Ok(())
}

fn cmd_del_port(ctx: &mut Ctx) -> Result<(), Failure> {
    let args = ctx.args().to_vec();
    let must_exist = !ctx.has("--if-exists");
    let with_iface = ctx.has("--with-iface");
    let target = args[args.len() - 1].as_str();
    let model = Model::new(ctx)?;
    let port = if model.find_bridge(ctx, target, false)?.is_some() {
        if must_exist {
            return Err(Failure::Error(format!(
                "cannot delete port {target} because it is the local port for bridge {target} \
                 (deleting this port requires deleting the entire bridge)"
            )));
        }
        None
    } else if !with_iface {
        model.find_port(ctx, target, must_exist)?
    } else {
        let mut port = model.find_port(ctx, target, false)?;
        if port.is_none() {
            port = model.find_iface(ctx, target, false)?.map(|i| i.port);
        }
        if must_exist && port.is_none() {
            return Err(Failure::Error(format!(
                "no port or interface named {target}"
            )));
        }
        port
    };
    let Some(port) = port else {
        return Ok(());
    };
    if args.len() == 3 {
        if let Some(bridge) = model.find_bridge(ctx, &args[1], true)? {
            if port.br.name != bridge.name {
                let on_child = port
                    .br
                    .parent
                    .as_ref()
                    .is_some_and(|p| p.name == bridge.name);
                return Err(Failure::Error(if on_child {
                    format!(
                        "bridge {} does not have a port {} (although its child bridge {} does)",
                        args[1], args[2], port.br.name
                    )
                } else {
                    format!("bridge {} does not have a port {}", args[1], args[2])
                }));
            }
        }
    }
    del_port(ctx, &model, &port)
}

fn cmd_port_to_br(ctx: &mut Ctx) -> Result<(), Failure> {
    let name = ctx.args()[1].clone();
    let model = Model::new(ctx)?;
    if let Some(port) = model.find_port(ctx, &name, true)? {
        ctx.output.push_str(&format!("{}\n", port.br.name));
    }
    Ok(())
}
