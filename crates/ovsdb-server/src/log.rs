//! The server's log module (`ovsdb_server` in `vlog/list`), with short helpers.

use ovs_daemon::vlog::{self, Level, Module};

pub static MODULE: Module = Module::new("ovsdb_server");

pub fn err(msg: &str) {
    vlog::log(&MODULE, Level::Err, format_args!("{msg}"))
}

pub fn warn(msg: &str) {
    vlog::log(&MODULE, Level::Warn, format_args!("{msg}"))
}

pub fn info(msg: &str) {
    vlog::log(&MODULE, Level::Info, format_args!("{msg}"))
}

pub fn dbg(msg: &str) {
    vlog::log(&MODULE, Level::Dbg, format_args!("{msg}"))
}
