//! The logging modules of ovs-vswitchd, named like the reference's so that `vlog/set`
//! specs and log lines carry over.

use ovs_daemon::vlog::Module;

/// Bridge reconfiguration (`bridge|INFO|bridge br0: added interface ...`).
pub static BRIDGE: Module = Module::new("bridge");
/// Opening network devices.
pub static NETDEV: Module = Module::new("netdev");
/// The daemon's main loop.
pub static VSWITCHD: Module = Module::new("ovs_vswitchd");
/// The database connection.
pub static RECONNECT: Module = Module::new("reconnect");

/// OpenFlow connections of the bridges.
pub static CONNMGR: Module = Module::new("connmgr");

/// Every module of this program, for `vlog::init`.
pub static MODULES: [&Module; 5] = [&BRIDGE, &NETDEV, &VSWITCHD, &RECONNECT, &CONNMGR];
