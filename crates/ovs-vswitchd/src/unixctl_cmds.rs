//! The unixctl commands of ovs-vswitchd (beyond `list-commands`, `version` and
//! `vlog/*`, which every daemon gets from `ovs-daemon`): `exit`, `memory/show`,
//! `coverage/show`, `upcall/show`, `ofproto/list`, `bridge/reconnect`, and whatever
//! the layers below serve (`dpctl/*`, `fdb/*`, `ofproto/trace`, ...).

use crate::apply::Switch;
use crate::backend::Backend;
use crate::coverage;
use ovs_daemon::unixctl::{self, Reply};
use std::sync::mpsc::Sender;
use std::sync::{Arc, Mutex, MutexGuard};

/// The switch as the command handlers share it with the main loop.
pub type SharedSwitch = Arc<Mutex<Switch<Box<dyn Backend>>>>;

/// Requests only the main loop can carry out.
#[derive(Debug)]
pub enum MainRequest {
    /// `exit [--cleanup]`.
    Exit { cleanup: bool, reply: Reply },
}

fn lock(sw: &SharedSwitch) -> MutexGuard<'_, Switch<Box<dyn Backend>>> {
    // A handler that panicked aborted the daemon (see ovs-daemon's panic hook), so a
    // poisoned lock cannot be observed half-updated in practice.
    sw.lock().unwrap_or_else(|p| p.into_inner())
}

/// `memory/show`: `key:value` pairs sorted by key, like the reference.
pub fn memory_show(sw: &Switch<Box<dyn Backend>>) -> String {
    let mut pairs = sw.backend.memory();
    let ports: usize = sw.running.bridges.values().map(|b| b.ifaces.len()).sum();
    pairs.push(("ports".to_owned(), ports as u64));
    pairs.sort();
    pairs.dedup_by(|a, b| a.0 == b.0);
    let text: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}:{v}")).collect();
    format!("{}\n", text.join(" "))
}

/// Registers every command on `server`.
pub fn register(server: &unixctl::Server, switch: &SharedSwitch, main: Sender<MainRequest>) {
    let main = Mutex::new(main);
    server.register_deferred("exit", "[--cleanup]", 0, 1, move |args, reply| {
        coverage::UNIXCTL_RECEIVED.inc();
        let cleanup = args.iter().any(|a| a == "--cleanup");
        let tx = main.lock().unwrap_or_else(|p| p.into_inner()).clone();
        // If the main loop is gone, dropping the reply answers with an error.
        let _ = tx.send(MainRequest::Exit { cleanup, reply });
    });
    let sw = switch.clone();
    server.register("memory/show", "", 0, 0, move |_| {
        coverage::UNIXCTL_RECEIVED.inc();
        Ok(memory_show(&lock(&sw)))
    });
    server.register("coverage/show", "", 0, 0, |_| {
        coverage::UNIXCTL_RECEIVED.inc();
        Ok(coverage::show())
    });
    let sw = switch.clone();
    server.register("upcall/show", "", 0, 0, move |_| {
        coverage::UNIXCTL_RECEIVED.inc();
        Ok(lock(&sw).backend.upcall_show())
    });
    let sw = switch.clone();
    server.register("ofproto/list", "", 0, 0, move |_| {
        coverage::UNIXCTL_RECEIVED.inc();
        Ok(lock(&sw)
            .running
            .bridges
            .keys()
            .map(|b| format!("{b}\n"))
            .collect())
    });
    let sw = switch.clone();
    server.register("bridge/reconnect", "[bridge]", 0, 1, move |args| {
        coverage::UNIXCTL_RECEIVED.inc();
        let sw = lock(&sw);
        match args.first() {
            Some(b) if !sw.running.bridges.contains_key(b) => Err("Unknown bridge".into()),
            _ => Ok(String::new()),
        }
    });
    let specs = lock(switch).backend.commands();
    for spec in specs {
        let sw = switch.clone();
        let name = spec.name;
        server.register(
            name,
            spec.usage,
            spec.min_args,
            spec.max_args,
            move |args| {
                coverage::UNIXCTL_RECEIVED.inc();
                lock(&sw).backend.command(name, args)
            },
        );
    }
}
