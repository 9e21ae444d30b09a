//! The command table: every command, group by group (one file per group, as in
//! `ovs-vsctl(8)`). A group is a `pub const COMMANDS: &[Command]`; to add one, write
//! its file and list it in `GROUPS` (below).
//!
//! Writing a command (see [`generic`] for examples):
//! - `pre` registers what the reference's command registers (`Pre::add_table`,
//!   `Pre::add_column`; [`crate::record::pre_get_table`] for a table whose records
//!   are named): `list` and `find` order rows by it. It may then narrow what is
//!   fetched with `Pre::want_rows` ([`crate::record::pre_hint_record`] for a record
//!   argument); a table registered without that is fetched whole.
//! - `run` reads and writes through `ctx.db` ([`crate::db::Db`]) and propagates its
//!   errors with `?`: a [`crate::command::Failure::Need`] makes the driver fetch the
//!   missing rows or columns and run every command again, so a run must not have
//!   effects outside `ctx`. Partial set/map updates (`Db::set_insert_partial`, ...)
//!   keep a command on a huge set (a bridge's ports) cheap; reads do not see them.
//!   Interfaces a command creates go in `ctx.new_interfaces` to be checked once
//!   ovs-vswitchd has applied the change; `Failure::Exit` ends the program at once
//!   with a status (`br-exists`).
//! - [`helpers`] has what several groups need (`set_column` for
//!   `COLUMN[:KEY]=VALUE` arguments, row cells for table output, C-style number
//!   parsing).
//! - The switch commands see bridges, ports and interfaces through [`model`]:
//!   `pre` calls [`model::pre_get_info`] and says which names it will look up
//!   ([`model::want_bridge`], ...); `run` asks a [`model::Model`] and tells it what
//!   it added or deleted, as the reference keeps its cache up to date.
//!
//! The order of `GROUPS` and of commands within them must be the reference's
//! registration order (checked by a test): the generic commands, `show`, then the
//! switch commands from `init` on, with `emer-reset` after the Auto-Attach ones.

pub mod auto_attach;
pub mod bridge;
pub mod controller;
pub mod datapath;
pub mod generic;
pub mod helpers;
pub mod iface;
pub mod manager;
pub mod model;
pub mod port;
pub mod show;
pub mod ssl;
pub mod vswitch;
pub mod zone;

use crate::command::Command;

/// The groups, in the order the reference registers its commands (the order its
/// command table is iterated in depends on it): `show` is registered with the
/// generic commands, `emer-reset` after the Auto Attach ones.
const GROUPS: &[&[Command]] = &[
    generic::COMMANDS,
    show::COMMANDS,
    vswitch::COMMANDS,
    bridge::COMMANDS,
    port::COMMANDS,
    iface::COMMANDS,
    controller::COMMANDS,
    manager::COMMANDS,
    ssl::COMMANDS,
    auto_attach::COMMANDS,
    vswitch::RESET,
    zone::COMMANDS,
    datapath::COMMANDS,
];

/// Every command, in registration order.
pub fn all() -> impl Iterator<Item = &'static Command> {
    GROUPS.iter().flat_map(|g| g.iter())
}

/// The command called `name`.
pub fn find(name: &str) -> Option<&'static Command> {
    all().find(|c| c.name == name)
}

/// Every command in the order the reference iterates its command table (its
/// `--commands` listing, and the order command options join the global ones).
pub fn in_reference_order() -> Vec<&'static Command> {
    let commands: Vec<&'static Command> = all().collect();
    ovs_hash_order::iteration_order(commands, |c| c.name)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every command of the reference, in its registration order (the generic ones and
    /// `show` first, then the switch commands), and the order
    /// `ovs-vsctl --commands` (3.1) lists them in.
    const REFERENCE: &[&str] = &[
        "comment",
        "get",
        "list",
        "find",
        "set",
        "add",
        "remove",
        "clear",
        "create",
        "destroy",
        "wait-until",
        "show",
        "init",
        "add-br",
        "del-br",
        "list-br",
        "br-exists",
        "br-to-vlan",
        "br-to-parent",
        "br-set-external-id",
        "br-get-external-id",
        "list-ports",
        "add-port",
        "add-bond",
        "add-bond-iface",
        "del-bond-iface",
        "del-port",
        "port-to-br",
        "list-ifaces",
        "iface-to-br",
        "get-controller",
        "del-controller",
        "set-controller",
        "get-fail-mode",
        "del-fail-mode",
        "set-fail-mode",
        "get-manager",
        "del-manager",
        "set-manager",
        "get-ssl",
        "del-ssl",
        "set-ssl",
        "add-aa-mapping",
        "del-aa-mapping",
        "get-aa-mapping",
        "emer-reset",
        "add-zone-tp",
        "del-zone-tp",
        "list-zone-tp",
        "list-dp-cap",
    ];
    const LISTED: &[&str] = &[
        "wait-until",
        "add-zone-tp",
        "comment",
        "clear",
        "init",
        "create",
        "set-fail-mode",
        "add-port",
        "del-bond-iface",
        "del-ssl",
        "set-controller",
        "list-br",
        "br-exists",
        "list-ports",
        "del-manager",
        "list-dp-cap",
        "add-bond-iface",
        "get-manager",
        "get-controller",
        "br-set-external-id",
        "list-ifaces",
        "list-zone-tp",
        "get-aa-mapping",
        "get",
        "add-aa-mapping",
        "del-fail-mode",
        "br-get-external-id",
        "del-zone-tp",
        "del-port",
        "port-to-br",
        "del-controller",
        "find",
        "set",
        "emer-reset",
        "set-ssl",
        "del-aa-mapping",
        "add-br",
        "br-to-parent",
        "iface-to-br",
        "list",
        "add",
        "set-manager",
        "del-br",
        "remove",
        "get-ssl",
        "get-fail-mode",
        "destroy",
        "br-to-vlan",
        "add-bond",
        "show",
    ];

    #[test]
    fn the_reference_command_order_is_reproduced() {
        assert_eq!(
            ovs_hash_order::name_order(REFERENCE.iter().copied()),
            LISTED
        );
    }

    #[test]
    fn registered_commands_follow_the_reference_registration_order() {
        let names: Vec<&str> = all().map(|c| c.name).collect();
        let positions: Vec<usize> = names
            .iter()
            .map(|n| REFERENCE.iter().position(|r| r == n).unwrap_or(usize::MAX))
            .collect();
        assert!(positions.windows(2).all(|w| w[0] < w[1]), "{names:?}");
    }
}
