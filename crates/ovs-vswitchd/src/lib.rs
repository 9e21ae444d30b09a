//! ovs-vswitchd as a library: the switch daemon's logic, with a thin binary on top.
//!
//! - [`options`]: the command line.
//! - [`config`]: IDL replica rows -> the desired [`config::SwitchConfig`] (pure).
//! - [`diff`]: what runs vs. what is desired -> a [`diff::Plan`] (pure).
//! - [`ofport`]: automatic OpenFlow port numbering (round-robin, freed numbers wait).
//! - [`apply`]: carrying a plan out through a [`backend::Backend`] (port numbering,
//!   bridge MAC and datapath ID, logging).
//! - [`writeback`]: reporting back to the database (`cur_cfg`, `ofport`, `error`...).
//! - [`port_facts`]: a device's state and features as its OpenFlow port shows them.
//! - [`vswitchd`]: the main loop (IDL, lock, reconfiguration, write-back, `exit`).
//! - [`unixctl_cmds`], [`coverage`]: the control socket's commands.
//! - [`builtin`]: an in-memory backend (bookkeeping only) and the interface type rules.
//! - [`dpif`], [`dpif_text`]: the real backend (netdev + datapath + ofproto) and
//!   the unixctl texts it answers itself; [`forwarding`]: the translation layer
//!   (ofproto-dpif) plugged into it.

pub mod apply;
pub mod backend;
pub mod builtin;
pub mod config;
pub mod coverage;
pub mod diff;
pub mod dpif;
pub mod dpif_text;
pub mod forwarding;
pub mod log;
pub mod ofport;
pub mod options;
pub mod port_facts;
pub mod unixctl_cmds;
pub mod vswitchd;
pub mod writeback;

use backend::Backend;
use options::Options;
use writeback::Capabilities;

/// The backend for this command line, with the types it advertises.
pub fn backend_for(opts: &Options) -> (Box<dyn Backend>, Capabilities) {
    let caps = Capabilities {
        datapath_types: builtin::datapath_types(opts.dummy),
        iface_types: builtin::iface_types(opts.dummy),
    };
    let forwarder: std::sync::Arc<dyn dpif::Forwarder> =
        std::sync::Arc::new(forwarding::BackerForwarder::new());
    (
        Box::new(dpif::DpifBackend::new(opts.dummy, Some(forwarder))),
        caps,
    )
}
