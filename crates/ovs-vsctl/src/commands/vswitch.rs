//! Commands on Open vSwitch as a whole ("Open vSwitch Commands" in `ovs-vsctl(8)`):
//! `init` and `emer-reset` (`show` has a file of its own). `init` needs no code:
//! every run creates the `Open_vSwitch` row when the database has none.
//! `emer-reset` is registered after the Auto Attach commands, as in the reference,
//! hence a list of its own.

use crate::command::{Command, Ctx, Failure, Mode, Pre};
use crate::db::{Db, Rows};
use ovsdb::{Atom, Datum, Uuid};

pub const COMMANDS: &[Command] = &[Command {
    name: "init",
    min_args: 0,
    max_args: 0,
    arguments: "",
    options: "",
    mode: Mode::ReadWrite,
    pre: None,
    run: None,
    post: None,
}];

pub const RESET: &[Command] = &[Command {
    name: "emer-reset",
    min_args: 0,
    max_args: 0,
    arguments: "",
    options: "",
    mode: Mode::ReadWrite,
    pre: Some(pre_cmd_emer_reset),
    run: Some(cmd_emer_reset),
    post: None,
}];

/// The columns `emer-reset` clears, per table.
const RESET_COLUMNS: &[(&str, &[&str])] = &[
    ("Open_vSwitch", &["manager_options", "ssl"]),
    (
        "Bridge",
        &[
            "controller",
            "fail_mode",
            "mirrors",
            "netflow",
            "sflow",
            "ipfix",
            "flood_vlans",
            "other_config",
        ],
    ),
    ("Port", &["other_config"]),
    (
        "Interface",
        &["ingress_policing_rate", "ingress_policing_burst"],
    ),
];

/// The tables whose rows `emer-reset` deletes (those its columns refer to).
const DELETED: &[&str] = &[
    "Mirror",
    "Controller",
    "Manager",
    "NetFlow",
    "SSL",
    "sFlow",
    "IPFIX",
];

const FSCS: &str = "Flow_Sample_Collector_Set";

fn pre_cmd_emer_reset(pre: &mut Pre) -> Result<(), String> {
    for (table, columns) in RESET_COLUMNS {
        for c in *columns {
            pre.add_column(table, c);
        }
    }
    for table in DELETED {
        pre.want_rows(table, Rows::All);
    }
    Ok(())
}

/// Writes a column unless it already holds that value (the reference's library
/// drops such writes).
fn reset(db: &mut Db, table: &str, row: &Uuid, column: &str, value: Datum) -> Result<(), Failure> {
    if db.read(table, row, column)? != value {
        db.write(table, row, column, value);
    }
    Ok(())
}

fn cmd_emer_reset(ctx: &mut Ctx) -> Result<(), Failure> {
    let root = ctx.root;
    let db = &mut *ctx.db;
    reset(db, "Open_vSwitch", &root, "manager_options", Datum::empty())?;
    reset(db, "Open_vSwitch", &root, "ssl", Datum::empty())?;
    for br in db.rows_unordered("Bridge")? {
        for c in [
            "controller",
            "fail_mode",
            "mirrors",
            "netflow",
            "sflow",
            "ipfix",
            "flood_vlans",
        ] {
            reset(db, "Bridge", &br, c, Datum::empty())?;
        }
        // Only the bridge's Ethernet address survives in other_config.
        let hwaddr = Atom::string("hwaddr");
        let other = db.read("Bridge", &br, "other_config")?;
        let kept = match other.get(&hwaddr) {
            Some(v) => Datum::map(vec![(hwaddr.clone(), v.clone())])
                .map_err(|e| Failure::Error(e.to_string()))?,
            None => Datum::empty(),
        };
        reset(db, "Bridge", &br, "other_config", kept)?;
    }
    for port in db.rows_unordered("Port")? {
        reset(db, "Port", &port, "other_config", Datum::empty())?;
    }
    let zero = Datum::scalar(Atom::Integer(0));
    for iface in db.rows_unordered("Interface")? {
        reset(
            db,
            "Interface",
            &iface,
            "ingress_policing_rate",
            zero.clone(),
        )?;
        reset(
            db,
            "Interface",
            &iface,
            "ingress_policing_burst",
            zero.clone(),
        )?;
    }
    let mut tables: Vec<&str> = DELETED.to_vec();
    // The reference deletes collector sets only if it reads them for another
    // command.
    if db.registry().has_table(FSCS) {
        tables.push(FSCS);
    }
    for table in tables {
        for row in db.rows_unordered(table)? {
            db.delete(table, &row);
        }
    }
    ctx.invalidate_cache();
    Ok(())
}
