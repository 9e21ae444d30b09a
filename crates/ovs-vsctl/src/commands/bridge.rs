//! Bridge commands of `ovs-vsctl(8)`: `add-br` (real, or fake `add-br BR PARENT
//! VLAN`), `del-br`, `list-br`, `br-exists`, `br-to-vlan`, `br-to-parent`,
//! `br-set-external-id` and `br-get-external-id`.

use super::helpers::{c_atoi, string_datum};
use super::model::{self, Br, Creating, Model};
use crate::command::{Command, Ctx, Failure, Mode, Pre};
use crate::db::Db;
use ovsdb::{Atom, Datum, Uuid};

use Mode::{ReadOnly, ReadWrite};

pub const COMMANDS: &[Command] = &[
    Command {
        name: "add-br",
        min_args: 1,
        max_args: 3,
        arguments: "!NEW-BRIDGE ?PARENT ?NEW-VLAN",
        options: "--may-exist",
        mode: ReadWrite,
        pre: Some(pre_add_br),
        run: Some(cmd_add_br),
        post: None,
    },
    Command {
        name: "del-br",
        min_args: 1,
        max_args: 1,
        arguments: "!BRIDGE",
        options: "--if-exists",
        mode: ReadWrite,
        pre: Some(pre_whole),
        run: Some(cmd_del_br),
        post: None,
    },
    Command {
        name: "list-br",
        min_args: 0,
        max_args: 0,
        arguments: "",
        options: "--real,--fake",
        mode: ReadOnly,
        pre: Some(pre_whole),
        run: Some(cmd_list_br),
        post: None,
    },
    Command {
        name: "br-exists",
        min_args: 1,
        max_args: 1,
        arguments: "!BRIDGE",
        options: "",
        mode: ReadOnly,
        pre: Some(pre_bridge_arg),
        run: Some(cmd_br_exists),
        post: None,
    },
    Command {
        name: "br-to-vlan",
        min_args: 1,
        max_args: 1,
        arguments: "!BRIDGE",
        options: "",
        mode: ReadOnly,
        pre: Some(pre_bridge_arg),
        run: Some(cmd_br_to_vlan),
        post: None,
    },
    Command {
        name: "br-to-parent",
        min_args: 1,
        max_args: 1,
        arguments: "!BRIDGE",
        options: "",
        mode: ReadOnly,
        pre: Some(pre_bridge_arg),
        run: Some(cmd_br_to_parent),
        post: None,
    },
    Command {
        name: "br-set-external-id",
        min_args: 2,
        max_args: 3,
        arguments: "!BRIDGE !KEY ?VALUE",
        options: "",
        mode: ReadWrite,
        pre: Some(pre_external_id),
        run: Some(cmd_br_set_external_id),
        post: None,
    },
    Command {
        name: "br-get-external-id",
        min_args: 1,
        max_args: 2,
        arguments: "!BRIDGE ?KEY",
        options: "",
        mode: ReadOnly,
        pre: Some(pre_external_id),
        run: Some(cmd_br_get_external_id),
        post: None,
    },
];

// ---- pre steps ----

fn pre_add_br(pre: &mut Pre) -> Result<(), String> {
    let args = pre.args().to_vec();
    model::pre_get_info(pre);
    // The new name must not be taken by a bridge, port or interface (the port and
    // interface of that name are not fetched: see `model::Creating`).
    model::want_bridge(pre, &args[1]);
    if let Some(parent) = args.get(2) {
        model::want_bridge(pre, parent);
    }
    Ok(())
}

fn pre_whole(pre: &mut Pre) -> Result<(), String> {
    model::pre_get_info(pre);
    model::want_whole(pre);
    Ok(())
}

/// For commands whose first argument names a bridge.
pub(crate) fn pre_bridge_arg(pre: &mut Pre) -> Result<(), String> {
    let name = pre.args()[1].clone();
    model::pre_get_info(pre);
    model::want_bridge(pre, &name);
    Ok(())
}

fn pre_external_id(pre: &mut Pre) -> Result<(), String> {
    let name = pre.args()[1].clone();
    model::pre_get_info(pre);
    for table in ["Bridge", "Port"] {
        pre.register_column(table, "external_ids");
        pre.want_column(table, "external_ids");
    }
    model::want_bridge(pre, &name);
    // A fake bridge keeps its external IDs in its port.
    model::want_port(pre, &name);
    Ok(())
}

// ---- helpers ----

/// Creates an interface row called `name` (of `type_`, if given); it is checked
/// once ovs-vswitchd has applied the change.
pub(crate) fn insert_iface(ctx: &mut Ctx, name: &str, type_: Option<&str>) -> Uuid {
    let iface = ovsdb::uuidgen::new_uuid();
    ctx.db.insert("Interface", iface, false);
    ctx.db
        .write("Interface", &iface, "name", string_datum(name));
    if let Some(t) = type_ {
        ctx.db.write("Interface", &iface, "type", string_datum(t));
    }
    ctx.new_interfaces.push(iface);
    iface
}

/// Creates a port row called `name` with these interfaces.
pub(crate) fn insert_port(db: &mut Db, name: &str, ifaces: &[Uuid]) -> Result<Uuid, Failure> {
    let port = ovsdb::uuidgen::new_uuid();
    db.insert("Port", port, false);
    db.write("Port", &port, "name", string_datum(name));
    let set = Datum::set(ifaces.iter().map(|u| Atom::Uuid(*u)).collect())
        .map_err(|e| Failure::Error(e.to_string()))?;
    db.write("Port", &port, "interfaces", set);
    Ok(port)
}

/// The bridges the Open_vSwitch row lists, with `change` applied.
fn rewrite_bridges(
    db: &mut Db,
    root: &Uuid,
    change: impl FnOnce(&mut Datum),
) -> Result<(), Failure> {
    let mut bridges = db.read("Open_vSwitch", root, "bridges")?;
    change(&mut bridges);
    db.write("Open_vSwitch", root, "bridges", bridges);
    Ok(())
}

// ---- run steps ----

fn cmd_add_br(ctx: &mut Ctx) -> Result<(), Failure> {
    let may_exist = ctx.has("--may-exist");
    let args = ctx.args().to_vec();
    let br_name = args[1].as_str();
    if br_name.is_empty() {
        return Err(Failure::Error(
            "bridge name must not be empty string".into(),
        ));
    }
    let (parent_name, vlan) = match args.len() {
        2 => (None, 0),
        4 => {
            let vlan = c_atoi(&args[3]);
            if !(0..=4095).contains(&vlan) {
                return Err(Failure::Error(format!(
                    "{}: vlan must be between 0 and 4095",
                    args[0]
                )));
            }
            (Some(args[2].as_str()), vlan)
        }
        _ => {
            return Err(Failure::Error(format!(
                "'{}' command takes exactly 1 or 3 arguments",
                args[0]
            )))
        }
    };

    let model = Model::new(ctx)?;
    if may_exist {
        if let Some(br) = model.find_bridge(ctx, br_name, false)? {
            match (parent_name, &br.parent) {
                (None, None) => {}
                (None, Some(_)) => {
                    return Err(Failure::Error(format!(
                        "\"--may-exist add-br {br_name}\" but {br_name} is a VLAN bridge for \
                         VLAN {}",
                        br.vlan
                    )))
                }
                (Some(parent), None) => {
                    return Err(Failure::Error(format!(
                        "\"--may-exist add-br {br_name} {parent} {vlan}\" but {br_name} is not \
                         a VLAN bridge"
                    )))
                }
                (Some(parent), Some(actual)) => {
                    if actual.name != parent {
                        return Err(Failure::Error(format!(
                            "\"--may-exist add-br {br_name} {parent} {vlan}\" but {br_name} has \
                             the wrong parent {}",
                            actual.name
                        )));
                    }
                    if br.vlan != vlan {
                        return Err(Failure::Error(format!(
                            "\"--may-exist add-br {br_name} {parent} {vlan}\" but {br_name} is a \
                             VLAN bridge for the wrong VLAN {}",
                            br.vlan
                        )));
                    }
                }
            }
            return Ok(());
        }
    }
    model.check_conflicts(
        ctx,
        br_name,
        &format!("cannot create a bridge named {br_name}"),
        Creating {
            port: true,
            iface: true,
        },
    )?;

    match parent_name {
        None => {
            let iface = insert_iface(ctx, br_name, Some("internal"));
            let port = insert_port(ctx.db, br_name, &[iface])?;
            let bridge = ovsdb::uuidgen::new_uuid();
            ctx.db.insert("Bridge", bridge, false);
            ctx.db
                .write("Bridge", &bridge, "name", string_datum(br_name));
            ctx.db
                .write("Bridge", &bridge, "ports", Datum::scalar(Atom::Uuid(port)));
            let root = ctx.root;
            rewrite_bridges(ctx.db, &root, |b| b.insert_key(Atom::Uuid(bridge)))?;
        }
        Some(parent_name) => {
            let parent = model.find_bridge(ctx, parent_name, false)?;
            let parent = match parent {
                Some(p) if p.parent.is_some() => {
                    return Err(Failure::Error(
                        "cannot create bridge with fake bridge as parent".into(),
                    ))
                }
                Some(p) => p,
                None => {
                    return Err(Failure::Error(format!(
                        "parent bridge {parent_name} does not exist"
                    )))
                }
            };
            if let Some(conflict) = model.vlan_child(ctx, &parent, vlan)? {
                return Err(Failure::Error(format!(
                    "bridge {parent_name} already has a child VLAN bridge {} on VLAN {vlan}",
                    conflict.name
                )));
            }
            let iface = insert_iface(ctx, br_name, Some("internal"));
            let port = insert_port(ctx.db, br_name, &[iface])?;
            ctx.db.write(
                "Port",
                &port,
                "fake_bridge",
                Datum::scalar(Atom::Boolean(true)),
            );
            ctx.db
                .write("Port", &port, "tag", Datum::scalar(Atom::Integer(vlan)));
            if let Some(row) = parent.cfg {
                model.insert_port(ctx, &row, &port)?;
            }
        }
    }
    // The reference fills its cache again from the database.
    ctx.invalidate_cache();
    Ok(())
}

/// Deletes a bridge: its fake bridges, its ports (with their interfaces), the
/// flow sample collector sets that name it, and the bridge.
fn del_bridge(ctx: &mut Ctx, model: &Model, br: &Br) -> Result<(), Failure> {
    for child in model.children(ctx, &br.name)? {
        del_bridge(ctx, model, &child)?;
    }
    let ports = model.ports_on(ctx, &br.name)?;
    if let Some(row) = br.ports_row() {
        let rows: Vec<Uuid> = ports.iter().map(|p| p.row).collect();
        model.delete_ports(ctx, &row, &rows)?;
    }
    for port in &ports {
        for iface in model.port_ifaces(ctx, port)? {
            ctx.db.delete("Interface", &iface);
        }
        ctx.db.delete("Port", &port.row);
    }
    model.deleted_ports_on(ctx, &br.name);
    // The reference looks only at collector sets it happens to read for another
    // command, and compares their bridge only if it read that column too.
    const FSCS: &str = "Flow_Sample_Collector_Set";
    if let Some(columns) = ctx.db.registry().tables.get(FSCS) {
        let reads_bridge = columns.contains("bridge");
        for set in ctx.db.rows_unordered(FSCS)? {
            let bridge = if reads_bridge {
                ctx.db
                    .read(FSCS, &set, "bridge")?
                    .first()
                    .and_then(Atom::as_uuid)
            } else {
                None
            };
            if bridge == br.cfg {
                ctx.db.delete(FSCS, &set);
            }
        }
    }
    if let Some(row) = br.cfg {
        ctx.db.delete("Bridge", &row);
        let root = ctx.root;
        rewrite_bridges(ctx.db, &root, |b| {
            b.remove_key(&Atom::Uuid(row));
        })?;
    }
    model.deleted_bridge(ctx, &br.name);
    Ok(())
}

fn cmd_del_br(ctx: &mut Ctx) -> Result<(), Failure> {
    let must_exist = !ctx.has("--if-exists");
    let name = ctx.args()[1].clone();
    let model = Model::whole(ctx)?;
    if let Some(br) = model.find_bridge(ctx, &name, must_exist)? {
        del_bridge(ctx, &model, &br)?;
    }
    Ok(())
}

fn cmd_list_br(ctx: &mut Ctx) -> Result<(), Failure> {
    let mut real = ctx.has("--real");
    let mut fake = ctx.has("--fake");
    if !real && !fake {
        real = true;
        fake = true;
    }
    let model = Model::whole(ctx)?;
    let mut names: Vec<String> = model
        .bridges(ctx)?
        .into_iter()
        .filter(|b| if b.parent.is_some() { fake } else { real })
        .map(|b| b.name)
        .collect();
    names.sort();
    for n in names {
        ctx.output.push_str(&n);
        ctx.output.push('\n');
    }
    Ok(())
}

fn cmd_br_exists(ctx: &mut Ctx) -> Result<(), Failure> {
    let name = ctx.args()[1].clone();
    let model = Model::new(ctx)?;
    if model.find_bridge(ctx, &name, false)?.is_none() {
        return Err(Failure::Exit(2));
    }
    Ok(())
}

fn cmd_br_to_vlan(ctx: &mut Ctx) -> Result<(), Failure> {
    let name = ctx.args()[1].clone();
    let model = Model::new(ctx)?;
    if let Some(br) = model.find_bridge(ctx, &name, true)? {
        ctx.output.push_str(&format!("{}\n", br.vlan));
    }
    Ok(())
}

fn cmd_br_to_parent(ctx: &mut Ctx) -> Result<(), Failure> {
    let name = ctx.args()[1].clone();
    let model = Model::new(ctx)?;
    if let Some(br) = model.find_bridge(ctx, &name, true)? {
        ctx.output.push_str(&format!("{}\n", br.real().name));
    }
    Ok(())
}

/// Where a bridge's external IDs are kept: its own `external_ids`, or for a fake
/// bridge its port's, under keys prefixed `fake-bridge-`.
fn external_ids_home(
    ctx: &mut Ctx,
    model: &Model,
    br: &Br,
) -> Result<(&'static str, Uuid, &'static str), Failure> {
    match br.cfg {
        Some(row) => Ok(("Bridge", row, "")),
        None => match model.port(ctx, &br.name)? {
            Some(port) => Ok(("Port", port.row, "fake-bridge-")),
            None => Err(model::need_whole()),
        },
    }
}

fn cmd_br_set_external_id(ctx: &mut Ctx) -> Result<(), Failure> {
    let args = ctx.args().to_vec();
    let model = Model::new(ctx)?;
    let Some(br) = model.find_bridge(ctx, &args[1], true)? else {
        return Ok(());
    };
    let (table, row, prefix) = external_ids_home(ctx, &model, &br)?;
    let key = Atom::string(&format!("{prefix}{}", args[2]));
    let mut ids = ctx.db.read(table, &row, "external_ids")?;
    match args.get(3) {
        Some(value) => ids.set_pair(key, Atom::string(value)),
        None => {
            ids.remove_key(&key);
        }
    }
    ctx.db.verify(table, &row, "external_ids")?;
    ctx.db.write(table, &row, "external_ids", ids);
    Ok(())
}

fn cmd_br_get_external_id(ctx: &mut Ctx) -> Result<(), Failure> {
    let args = ctx.args().to_vec();
    let model = Model::new(ctx)?;
    let Some(br) = model.find_bridge(ctx, &args[1], true)? else {
        return Ok(());
    };
    let (table, row, prefix) = external_ids_home(ctx, &model, &br)?;
    ctx.db.verify(table, &row, "external_ids")?;
    let ids = ctx.db.read(table, &row, "external_ids")?;
    match args.get(2) {
        Some(key) => {
            if let Some(value) = ids.get(&Atom::string(&format!("{prefix}{key}"))) {
                ctx.output
                    .push_str(&format!("{}\n", value.as_str().unwrap_or("")));
            }
        }
        None => {
            // Keys are kept sorted, as the reference sorts them to print.
            for (k, v) in ids.pairs() {
                let (Some(k), Some(v)) = (k.as_str(), v.as_str()) else {
                    continue;
                };
                if let Some(k) = k.strip_prefix(prefix) {
                    ctx.output.push_str(&format!("{k}={v}\n"));
                }
            }
        }
    }
    Ok(())
}
