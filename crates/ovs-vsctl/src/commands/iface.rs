//! Interface commands of `ovs-vsctl(8)`: `list-ifaces` and `iface-to-br`.

use super::model::{self, Model};
use crate::command::{Command, Ctx, Failure, Mode, Pre};

pub const COMMANDS: &[Command] = &[
    Command {
        name: "list-ifaces",
        min_args: 1,
        max_args: 1,
        arguments: "!BRIDGE",
        options: "",
        mode: Mode::ReadOnly,
        pre: Some(pre_list_ifaces),
        run: Some(cmd_list_ifaces),
        post: None,
    },
    Command {
        name: "iface-to-br",
        min_args: 1,
        max_args: 1,
        arguments: "!IFACE",
        options: "",
        mode: Mode::ReadOnly,
        pre: Some(pre_iface_to_br),
        run: Some(cmd_iface_to_br),
        post: None,
    },
];

fn pre_list_ifaces(pre: &mut Pre) -> Result<(), String> {
    model::pre_get_info(pre);
    model::want_whole(pre);
    Ok(())
}

fn pre_iface_to_br(pre: &mut Pre) -> Result<(), String> {
    let name = pre.args()[1].clone();
    model::pre_get_info(pre);
    model::want_iface(pre, &name);
    Ok(())
}

fn cmd_list_ifaces(ctx: &mut Ctx) -> Result<(), Failure> {
    let name = ctx.args()[1].clone();
    let model = Model::whole(ctx)?;
    let Some(br) = model.find_bridge(ctx, &name, true)? else {
        return Ok(());
    };
    model.verify_ports(ctx)?;
    let mut names = Vec::new();
    for port in model.ports_on(ctx, &br.name)? {
        names.extend(
            model
                .iface_names(ctx, &port.name)?
                .into_iter()
                .filter(|n| *n != br.name),
        );
    }
    names.sort();
    for n in names {
        ctx.output.push_str(&n);
        ctx.output.push('\n');
    }
    Ok(())
}

fn cmd_iface_to_br(ctx: &mut Ctx) -> Result<(), Failure> {
    let name = ctx.args()[1].clone();
    let model = Model::new(ctx)?;
    if let Some(iface) = model.find_iface(ctx, &name, true)? {
        ctx.output.push_str(&format!("{}\n", iface.port.br.name));
    }
    Ok(())
}
