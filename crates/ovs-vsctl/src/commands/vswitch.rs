//! Commands on Open vSwitch as a whole ("Open vSwitch Commands" in `ovs-vsctl(8)`).
//! `init` needs no code: every run creates the `Open_vSwitch` row when the database
//! has none. (`show` and `emer-reset` belong here too.)

use crate::command::{Command, Mode};

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
