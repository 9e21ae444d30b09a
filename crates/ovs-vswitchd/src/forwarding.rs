//! The translation layer (ofproto-dpif's [`Backer`]) plugged into the datapath
//! backend as its [`Forwarder`]: one backer per datapath (as the reference has one
//! per datapath type), registered as that datapath's upcall handler; bridges and
//! ports configured from the database; OpenFlow effects (flow table changes)
//! turned into revalidation; packet-ins delivered to the bridge's connections; the
//! unixctl commands whose text the translation layer produces.
//!
//! Flow table changes are revalidated by a thread of their own as soon as they
//! happen (like the reference's revalidator threads), not at the main loop's
//! next turn: a packet sent right after `ovs-ofctl add-flow` returns must not
//! follow a datapath flow made for the old table. Bursts of changes coalesce:
//! the first change after a quiet spell is revalidated at once, later ones at
//! most every [`REVALIDATE_INTERVAL`], so a client installing flows one by one
//! (each behind a barrier, as `ovs-ofctl add-flows` does) does not pay a
//! thread wake-up per flow.

use crate::backend::CommandSpec;
use crate::config::{BridgeConfig, PortConfig};
use crate::dpif::{Forwarder, PortMember};
use crate::log::BRIDGE;
use datapath::Datapath;
use ofproto::connmgr::{ConnMgr, SharedOfproto};
use ofproto::Effect;
use ofproto_dpif::backer::{Backer, InterfaceSpec, PortSpec};
use ofproto_dpif::bridge::PortKind;
use ofproto_dpif::vlan::VlanConfig;
use openflow::port::PortNo;
use ovs_daemon::vlog;
use std::collections::BTreeMap;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Defaults of the reference's MAC learning table.
const DEFAULT_MAC_TABLE_SIZE: usize = 8192;
const DEFAULT_MAC_AGING_SECS: u32 = 300;

struct BridgeEntry {
    backer: Arc<Backer>,
    connmgr: Arc<ConnMgr>,
}

#[derive(Default)]
struct State {
    /// Datapath full name -> its backer.
    backers: BTreeMap<String, Arc<Backer>>,
    bridges: BTreeMap<String, BridgeEntry>,
}

/// Least time between two revalidation passes while changes keep coming.
const REVALIDATE_INTERVAL: Duration = Duration::from_millis(2);

/// What the revalidator thread waits on.
#[derive(Default)]
struct Wakeup {
    flags: Mutex<WakeFlags>,
    cond: Condvar,
}

#[derive(Default)]
struct WakeFlags {
    requested: bool,
    shutdown: bool,
    /// The thread waits for a request with no deadline: only then does a
    /// request need to notify it (a paced wait rechecks on its own).
    idle: bool,
}

/// Every bridge's translation, shared with the datapath threads.
#[derive(Default)]
pub struct BackerForwarder {
    state: Arc<Mutex<State>>,
    wakeup: Arc<Wakeup>,
    revalidator: Mutex<Option<JoinHandle<()>>>,
}

impl Drop for BackerForwarder {
    fn drop(&mut self) {
        {
            let mut f = self.wakeup.flags.lock().unwrap_or_else(|p| p.into_inner());
            f.shutdown = true;
        }
        self.wakeup.cond.notify_all();
        let handle = self
            .revalidator
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        if let Some(h) = handle {
            let _ = h.join();
        }
    }
}

/// The revalidator thread: runs every backer (revalidating what was asked
/// for) when woken, at most once per [`REVALIDATE_INTERVAL`], until shutdown.
fn revalidator_loop(state: std::sync::Weak<Mutex<State>>, wakeup: Arc<Wakeup>) {
    let mut last_pass: Option<Instant> = None;
    loop {
        {
            let mut f = wakeup.flags.lock().unwrap_or_else(|p| p.into_inner());
            loop {
                if f.shutdown {
                    return;
                }
                let earliest = last_pass.map(|t| t + REVALIDATE_INTERVAL);
                match earliest.and_then(|t| t.checked_duration_since(Instant::now())) {
                    // Paced: sleep out the interval, then look again.
                    Some(wait) if f.requested => {
                        f = wakeup
                            .cond
                            .wait_timeout(f, wait)
                            .map(|(g, _)| g)
                            .unwrap_or_else(|p| p.into_inner().0);
                    }
                    _ if f.requested => break,
                    _ => {
                        f.idle = true;
                        f = wakeup.cond.wait(f).unwrap_or_else(|p| p.into_inner());
                        f.idle = false;
                    }
                }
            }
            f.requested = false;
        }
        let Some(state) = state.upgrade() else {
            return;
        };
        let backers: Vec<Arc<Backer>> = state
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .backers
            .values()
            .cloned()
            .collect();
        drop(state);
        for b in backers {
            b.run();
        }
        last_pass = Some(Instant::now());
    }
}

const fn spec(
    name: &'static str,
    usage: &'static str,
    min_args: usize,
    max_args: usize,
) -> CommandSpec {
    CommandSpec {
        name,
        usage,
        min_args,
        max_args,
    }
}

/// Commands answered by the translation layer.
const COMMANDS: [CommandSpec; 6] = [
    spec("fdb/show", "bridge", 1, 1),
    spec("fdb/flush", "[bridge]", 0, 1),
    spec("fdb/stats-show", "bridge", 1, 1),
    spec(
        "ofproto/trace",
        "{[dp_name] odp_flow | bridge br_flow} [OPTIONS...] [-generate|packet]",
        1,
        usize::MAX,
    ),
    spec("dpif/show", "", 0, 0),
    spec(
        "ofproto/trace-packet-out",
        "[-consistent] {[dp_name] odp_flow | bridge br_flow} [OPTIONS...] [-generate|packet] actions",
        2,
        usize::MAX,
    ),
];

impl BackerForwarder {
    pub fn new() -> BackerForwarder {
        BackerForwarder::default()
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Has the revalidator thread run the backers now (starting it first).
    fn wake_revalidator(&self) {
        {
            let mut handle = self.revalidator.lock().unwrap_or_else(|p| p.into_inner());
            if handle.is_none() {
                let state = Arc::downgrade(&self.state);
                let wakeup = self.wakeup.clone();
                match std::thread::Builder::new()
                    .name("revalidator".into())
                    .spawn(move || revalidator_loop(state, wakeup))
                {
                    Ok(h) => *handle = Some(h),
                    Err(e) => {
                        // The main loop still revalidates on its next turn.
                        vlog::warn!(BRIDGE, "cannot start the revalidator thread: {e}");
                        return;
                    }
                }
            }
        }
        let mut f = self.wakeup.flags.lock().unwrap_or_else(|p| p.into_inner());
        f.requested = true;
        if f.idle {
            self.wakeup.cond.notify_one();
        }
    }

    fn backer_of(&self, bridge: &str) -> Option<Arc<Backer>> {
        self.lock().bridges.get(bridge).map(|b| b.backer.clone())
    }

    /// All backers (one per datapath in use).
    fn backers(&self) -> Vec<Arc<Backer>> {
        self.lock().backers.values().cloned().collect()
    }
}

/// The Port row's VLAN setup as translation wants it.
fn vlan_config(port: &PortConfig) -> VlanConfig {
    let trunks: Vec<i64> = port.trunks.iter().map(|&t| i64::from(t)).collect();
    let cvlans: Vec<i64> = port.cvlans.iter().map(|&t| i64::from(t)).collect();
    let priority_tags = port
        .other_config
        .get("priority-tags")
        .is_some_and(|v| v == "true");
    VlanConfig::from_port_columns(
        port.vlan_mode.as_deref(),
        port.tag.map(i64::from),
        &trunks,
        &cvlans,
        port.other_config.get("qinq-ethtype").map(String::as_str),
        priority_tags,
    )
    .unwrap_or_else(|e| {
        vlog::warn!(BRIDGE, "port {}: {e}; using trunk mode", port.name);
        VlanConfig::default()
    })
}

impl Forwarder for BackerForwarder {
    fn add_bridge(
        &self,
        name: &str,
        ofproto: &SharedOfproto,
        connmgr: &Arc<ConnMgr>,
        dp: &Arc<Datapath>,
    ) {
        let mut st = self.lock();
        let backer = match st.backers.get(&dp.full_name()) {
            Some(b) => b.clone(),
            None => {
                let b = Backer::new();
                b.set_datapath(dp.clone());
                dp.set_upcall_handler(b.clone());
                // Packet-ins go to the connections of the bridge they came from.
                let state = Arc::downgrade(&self.state);
                b.set_packet_in_sink(Arc::new(move |bridge: &str, outputs| {
                    let Some(state) = state.upgrade() else {
                        return;
                    };
                    let cm = state
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .bridges
                        .get(bridge)
                        .map(|e| e.connmgr.clone());
                    if let Some(cm) = cm {
                        cm.deliver(outputs);
                    }
                }));
                st.backers.insert(dp.full_name(), b.clone());
                b
            }
        };
        if let Err(e) = backer.add_bridge(name, ofproto.clone()) {
            vlog::warn!(BRIDGE, "{e}");
        }
        st.bridges.insert(
            name.to_owned(),
            BridgeEntry {
                backer,
                connmgr: connmgr.clone(),
            },
        );
    }

    fn del_bridge(&self, name: &str) {
        if let Some(e) = self.lock().bridges.remove(name) {
            e.backer.remove_bridge(name);
        }
    }

    fn set_bridge(&self, cfg: &BridgeConfig) {
        if let Some(b) = self.backer_of(&cfg.name) {
            b.set_mac_table(
                &cfg.name,
                cfg.mac_table_size
                    .map_or(DEFAULT_MAC_TABLE_SIZE, |n| n as usize),
                cfg.mac_aging_time.unwrap_or(DEFAULT_MAC_AGING_SECS),
            );
        }
    }

    fn set_port(&self, bridge: &str, port: &PortConfig, members: &[PortMember]) {
        let Some(b) = self.backer_of(bridge) else {
            return;
        };
        if members.is_empty() {
            b.remove_port(bridge, &port.name);
            return;
        }
        let interfaces = members
            .iter()
            .map(|m| InterfaceSpec {
                name: m.name.clone(),
                ofport: PortNo(m.ofport),
                kind: match m.odp_port {
                    Some(odp) => PortKind::Datapath(odp),
                    None => PortKind::Patch {
                        peer: m.peer.clone().unwrap_or_default(),
                    },
                },
                type_name: m.kind.clone(),
            })
            .collect();
        let spec = PortSpec {
            name: port.name.clone(),
            interfaces,
            vlan: vlan_config(port),
        };
        if let Err(e) = b.set_port(bridge, &spec) {
            vlog::warn!(BRIDGE, "bridge {bridge}: {e}");
        }
    }

    fn del_port(&self, bridge: &str, port: &str) {
        if let Some(b) = self.backer_of(bridge) {
            b.remove_port(bridge, port);
        }
    }

    fn effects(&self, bridge: &str, effects: Vec<Effect>) {
        let Some(b) = self.backer_of(bridge) else {
            return;
        };
        for e in effects {
            match e {
                Effect::FlowsChanged => {
                    b.request_revalidation();
                    self.wake_revalidator();
                }
                Effect::PacketOut {
                    in_port,
                    metadata,
                    actions,
                    packet,
                } => {
                    if let Err(e) = b.packet_out(bridge, in_port, &metadata, &actions, &packet) {
                        vlog::warn!(BRIDGE, "{bridge}: packet-out failed: {e}");
                    }
                }
                _ => {}
            }
        }
    }

    fn run(&self) {
        for b in self.backers() {
            b.run();
        }
    }

    fn commands(&self) -> Vec<CommandSpec> {
        COMMANDS.to_vec()
    }

    fn command(&self, name: &str, args: &[String]) -> Result<String, String> {
        let arg = args.first().map(String::as_str);
        let no_bridge = || "no such bridge".to_owned();
        match name {
            "fdb/show" => self
                .backer_of(arg.unwrap_or_default())
                .ok_or_else(no_bridge)?
                .fdb_show(arg.unwrap_or_default()),
            "fdb/stats-show" => self
                .backer_of(arg.unwrap_or_default())
                .ok_or_else(no_bridge)?
                .fdb_stats_show(arg.unwrap_or_default()),
            "fdb/flush" => match arg {
                Some(b) => self.backer_of(b).ok_or_else(no_bridge)?.fdb_flush(Some(b)),
                None => {
                    let mut out = String::new();
                    for b in self.backers() {
                        out = b.fdb_flush(None)?;
                    }
                    if out.is_empty() {
                        out = ofproto_dpif::fdb_text::fdb_flush_reply().to_owned();
                    }
                    Ok(out)
                }
            },
            "ofproto/trace" => {
                let args: Vec<&str> = args.iter().map(String::as_str).collect();
                // The bridge (or datapath flow's port) picks the backer.
                let backers = self.backers();
                let by_bridge = args.first().and_then(|b| self.backer_of(b));
                match by_bridge {
                    Some(b) => ofproto_dpif::trace_cmd::ofproto_trace(&b, &args),
                    None => {
                        let mut last = Err("Must specify bridge name".to_owned());
                        for b in backers {
                            last = ofproto_dpif::trace_cmd::ofproto_trace(&b, &args);
                            if last.is_ok() {
                                break;
                            }
                        }
                        last
                    }
                }
            }
            "dpif/show" => Ok(self.backers().iter().map(|b| b.dpif_show()).collect()),
            "ofproto/trace-packet-out" => {
                let args: Vec<&str> = args.iter().map(String::as_str).collect();
                let b = args
                    .iter()
                    .find_map(|a| self.backer_of(a))
                    .or_else(|| self.backers().into_iter().next())
                    .ok_or("no bridges")?;
                ofproto_dpif::trace_cmd::ofproto_trace_packet_out(&b, &args)
            }
            other => Err(format!("\"{other}\" is not handled")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ofproto_dpif::vlan::VlanMode;
    use ovsdb::Uuid;

    fn port(tag: Option<u16>, trunks: &[u16], mode: Option<&str>) -> PortConfig {
        PortConfig {
            uuid: Uuid::nil(),
            name: "p".into(),
            tag,
            trunks: trunks.to_vec(),
            cvlans: Vec::new(),
            vlan_mode: mode.map(str::to_owned),
            other_config: BTreeMap::new(),
            interfaces: BTreeMap::new(),
        }
    }

    #[test]
    fn port_columns_become_vlan_configs() {
        let access = vlan_config(&port(Some(100), &[], None));
        assert_eq!(access.mode, VlanMode::Access);
        assert_eq!(access.vlan, Some(100));
        let trunk = vlan_config(&port(None, &[100], Some("trunk")));
        assert_eq!(trunk.mode, VlanMode::Trunk);
        assert!(trunk.trunks_vlan(100) && !trunk.trunks_vlan(200));
        let all = vlan_config(&port(None, &[], None));
        assert!(all.trunks_vlan(200), "empty trunks carry every VLAN");
        // A mode the switch does not know falls back to trunk (with a warning).
        assert_eq!(
            vlan_config(&port(None, &[], Some("bogus"))).mode,
            VlanMode::Trunk
        );
    }
}
