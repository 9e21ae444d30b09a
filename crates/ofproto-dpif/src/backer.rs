//! The backer: every bridge of the process over the one userspace datapath.
//! It maps datapath ports to (bridge, OpenFlow port), answers the
//! datapath's upcalls by translating (installing learned flows and MAC
//! entries as side effects), turns controller userspace actions into
//! packet-ins, and revalidates the datapath's megaflows after flow-mods,
//! MAC moves and port changes. vswitchd configures it through the methods
//! below.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use datapath::{Clock, Datapath, FlowHook, Upcall, UpcallHandler};
use ofproto::session::PacketInRequest;
use ofproto::Output;
use openflow::flow_match::key::{self, FlowKey};
use openflow::msg::flow_mod::FlowMod;
use openflow::port::PortNo;

use crate::bridge::{lock, read, write, BridgeState, PortKind, SharedOfproto, XBundle, XPort};
use crate::mac_table::{BundleId, LearnResult};
use crate::vlan::VlanConfig;
use crate::xlate::{self, MacLearning, SideEffects, XlateIn, XlateOut};

/// Where packet-ins (and anything else ofproto produces on the packet
/// path) go: vswitchd hands them to the bridge's connections.
pub type PacketInSink = Arc<dyn Fn(&str, Vec<Output>) + Send + Sync>;

/// One interface of a Port, as vswitchd configures it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InterfaceSpec {
    pub name: String,
    pub ofport: PortNo,
    pub kind: PortKind,
    /// The Interface `type` as `dpif/show` prints it ("dummy", "internal",
    /// "dummy-internal", "system", "tap", "patch").
    pub type_name: String,
}

/// One Port row.
#[derive(Clone, Debug)]
pub struct PortSpec {
    pub name: String,
    pub interfaces: Vec<InterfaceSpec>,
    pub vlan: VlanConfig,
}

#[derive(Default)]
struct State {
    bridges: BTreeMap<String, BridgeState>,
    bridge_ids: BTreeMap<String, u32>,
    next_bridge_id: u32,
    /// datapath port -> (bridge, OpenFlow port)
    odp_ports: HashMap<u32, (String, PortNo)>,
    /// interface name -> type, for dpif/show
    types: HashMap<(String, String), String>,
}

pub struct Backer {
    state: RwLock<State>,
    clock: Arc<dyn Clock>,
    datapath: RwLock<Option<Arc<Datapath>>>,
    need_revalidate: Arc<AtomicBool>,
    packet_in: RwLock<Option<PacketInSink>>,
    /// States of frozen translations, by recirculation id.
    recirc: crate::xlate::freeze::RecircTable,
    /// Datapath meter ids of every bridge.
    meters: Arc<crate::meters::MeterBank>,
}

struct SystemClock(std::time::Instant);
impl Clock for SystemClock {
    fn now_ms(&self) -> u64 {
        self.0.elapsed().as_millis() as u64
    }
}

impl Backer {
    pub fn new() -> Arc<Backer> {
        Backer::with_clock(Arc::new(SystemClock(std::time::Instant::now())))
    }

    /// A backer whose MAC aging uses `clock` (tests).
    pub fn with_clock(clock: Arc<dyn Clock>) -> Arc<Backer> {
        Arc::new(Backer {
            state: RwLock::new(State::default()),
            clock,
            datapath: RwLock::new(None),
            need_revalidate: Arc::new(AtomicBool::new(false)),
            packet_in: RwLock::new(None),
            recirc: crate::xlate::freeze::RecircTable::new(),
            meters: Arc::default(),
        })
    }

    pub fn now_ms(&self) -> u64 {
        self.clock.now_ms()
    }

    /// Attaches the datapath (for revalidation); vswitchd also registers
    /// the backer as the datapath's upcall handler.
    pub fn set_datapath(&self, dp: Arc<Datapath>) {
        self.meters.attach(dp.clone());
        *write(&self.datapath) = Some(dp);
    }

    pub fn set_packet_in_sink(&self, sink: PacketInSink) {
        *write(&self.packet_in) = Some(sink);
    }

    // ---- configuration -------------------------------------------------

    pub fn add_bridge(&self, name: &str, ofproto: SharedOfproto) -> Result<(), String> {
        // Without the state lock held: installing meters takes the
        // datapath's lock. (An ofproto refused below just drops its meters.)
        write(&ofproto).set_meter_provider(Arc::new(crate::meters::BridgeMeters::new(
            self.meters.clone(),
        )));
        let mut st = write(&self.state);
        if st.bridges.contains_key(name) {
            return Err(format!("bridge {name} already exists"));
        }
        st.next_bridge_id += 1;
        let id = st.next_bridge_id;
        st.bridge_ids.insert(name.to_string(), id);
        st.bridges
            .insert(name.to_string(), BridgeState::new(name, ofproto));
        Ok(())
    }

    pub fn remove_bridge(&self, name: &str) {
        let mut st = write(&self.state);
        st.bridges.remove(name);
        st.bridge_ids.remove(name);
        st.odp_ports.retain(|_, (b, _)| b != name);
        st.types.retain(|(b, _), _| b != name);
        drop(st);
        self.request_revalidation();
    }

    pub fn bridge_names(&self) -> Vec<String> {
        read(&self.state).bridges.keys().cloned().collect()
    }

    /// The bridge's OpenFlow switch.
    pub fn ofproto(&self, bridge: &str) -> Option<SharedOfproto> {
        read(&self.state)
            .bridges
            .get(bridge)
            .map(|b| b.ofproto.clone())
    }

    /// Adds or reconfigures a Port (bundle) and its interfaces. The bundle's
    /// MAC entries are kept if its VLAN setup did not change.
    pub fn set_port(&self, bridge: &str, spec: &PortSpec) -> Result<(), String> {
        let mut st = write(&self.state);
        let st = &mut *st;
        let b = st
            .bridges
            .get_mut(bridge)
            .ok_or_else(|| format!("no bridge named {bridge}"))?;
        let first = spec
            .interfaces
            .first()
            .ok_or_else(|| format!("port {} has no interfaces", spec.name))?;
        let id: BundleId = u32::from(first.ofport.0);
        // Drop what the bundle had before.
        let old = b.bundles.iter().position(|x| x.name == spec.name);
        let mut flush = None;
        if let Some(i) = old {
            let ob = &b.bundles[i];
            if ob.vlan != spec.vlan || ob.id != id {
                flush = Some(ob.id);
            }
            for p in ob.members.clone() {
                if let Some(xp) = b.ports.remove(&p) {
                    if let Some(odp) = xp.odp_port() {
                        st.odp_ports.remove(&odp);
                    }
                    st.types.remove(&(bridge.to_string(), xp.name));
                }
            }
        }
        for i in &spec.interfaces {
            if let Some(other) = b.ports.get(&i.ofport) {
                if other.name != i.name {
                    return Err(format!(
                        "port {}: OpenFlow port {} is already used by {}",
                        i.name, i.ofport.0, other.name
                    ));
                }
            }
        }
        for i in &spec.interfaces {
            b.ports.insert(
                i.ofport,
                XPort {
                    ofport: i.ofport,
                    name: i.name.clone(),
                    kind: i.kind.clone(),
                    bundle: id,
                },
            );
            if !b.port_order.contains(&i.ofport) {
                b.port_order.push(i.ofport);
            }
            if let PortKind::Datapath(odp) = i.kind {
                st.odp_ports.insert(odp, (bridge.to_string(), i.ofport));
            }
            st.types
                .insert((bridge.to_string(), i.name.clone()), i.type_name.clone());
        }
        let bundle = XBundle {
            id,
            name: spec.name.clone(),
            members: spec.interfaces.iter().map(|i| i.ofport).collect(),
            vlan: spec.vlan.clone(),
        };
        let members: Vec<PortNo> = b.ports.keys().copied().collect();
        b.port_order.retain(|p| members.contains(p));
        match old {
            Some(i) => b.bundles[i] = bundle,
            None => b.bundles.push(bundle),
        }
        if let Some(f) = flush {
            lock(&b.mac).flush_port(f);
        }
        self.request_revalidation();
        Ok(())
    }

    /// Removes a Port (bundle) and its interfaces.
    pub fn remove_port(&self, bridge: &str, port_name: &str) {
        let mut st = write(&self.state);
        let st = &mut *st;
        let Some(b) = st.bridges.get_mut(bridge) else {
            return;
        };
        let Some(i) = b.bundles.iter().position(|x| x.name == port_name) else {
            return;
        };
        let ob = b.bundles.remove(i);
        for p in ob.members {
            if let Some(xp) = b.ports.remove(&p) {
                if let Some(odp) = xp.odp_port() {
                    st.odp_ports.remove(&odp);
                }
                st.types.remove(&(bridge.to_string(), xp.name));
            }
        }
        let members: Vec<PortNo> = b.ports.keys().copied().collect();
        b.port_order.retain(|p| members.contains(p));
        lock(&b.mac).flush_port(ob.id);
        self.request_revalidation();
    }

    /// `other_config:mac-table-size` and `mac-aging-time`, clamped like the
    /// reference (10..=1,000,000 entries, 15..=3600 seconds).
    pub fn set_mac_table(&self, bridge: &str, size: usize, aging_secs: u32) {
        if let Some(b) = read(&self.state).bridges.get(bridge) {
            let mut t = lock(&b.mac);
            t.set_max_entries(size.clamp(10, 1_000_000));
            t.set_idle_secs(aging_secs.clamp(15, 3600));
        }
    }

    pub fn set_forward_bpdu(&self, bridge: &str, on: bool) {
        if let Some(b) = write(&self.state).bridges.get_mut(bridge) {
            b.forward_bpdu = on;
        }
    }

    /// Asks for the datapath's megaflows to be checked again at the next
    /// [`Backer::run`] (after flow-mods, port changes, MAC moves).
    pub fn request_revalidation(&self) {
        self.need_revalidate.store(true, Ordering::Relaxed);
    }

    /// Periodic work: MAC aging, then revalidation if anything asked for it.
    pub fn run(&self) {
        let now = self.now_ms();
        let mut changed = false;
        for b in read(&self.state).bridges.values() {
            if lock(&b.mac).run(now) > 0 {
                changed = true;
            }
        }
        if changed || self.need_revalidate.swap(false, Ordering::Relaxed) {
            self.revalidate();
        }
    }

    /// Re-translates every datapath megaflow now.
    pub fn revalidate(&self) {
        self.need_revalidate.store(false, Ordering::Relaxed);
        let dp = read(&self.datapath).clone();
        if let Some(dp) = dp {
            dp.revalidate(|key, _mask| self.upcall_for(key, None, false));
        }
    }

    // ---- MAC table commands ---------------------------------------------

    /// Runs `f` on a bridge's MAC table (fdb/* commands).
    pub fn with_mac_table<R>(
        &self,
        bridge: &str,
        f: impl FnOnce(&mut crate::mac_table::MacTable) -> R,
    ) -> Option<R> {
        let st = read(&self.state);
        let b = st.bridges.get(bridge)?;
        let mut t = lock(&b.mac);
        Some(f(&mut t))
    }

    /// `fdb/flush [bridge]`.
    pub fn fdb_flush(&self, bridge: Option<&str>) -> Result<String, String> {
        let st = read(&self.state);
        match bridge {
            Some(name) => {
                let b = st.bridges.get(name).ok_or("no such bridge")?;
                lock(&b.mac).flush();
            }
            None => {
                for b in st.bridges.values() {
                    lock(&b.mac).flush();
                }
            }
        }
        drop(st);
        self.request_revalidation();
        Ok(crate::fdb_text::fdb_flush_reply().to_string())
    }

    /// `fdb/add bridge port vlan mac`: a static entry.
    pub fn fdb_add(
        &self,
        bridge: &str,
        port: &str,
        vlan: &str,
        mac: &str,
    ) -> Result<String, String> {
        let st = read(&self.state);
        let b = st.bridges.get(bridge).ok_or("no such bridge")?;
        let p = b
            .port_by_name(port)
            .ok_or_else(|| format!("no such port {port}"))?;
        let vlan: u16 = vlan.parse().unwrap_or(0);
        if vlan > 4095 {
            return Err(format!("invalid VLAN {vlan}"));
        }
        let mac = parse_mac(mac).ok_or_else(|| format!("invalid MAC address {mac}"))?;
        lock(&b.mac).add_static(mac, vlan, p.bundle, self.now_ms());
        drop(st);
        self.request_revalidation();
        Ok(String::new())
    }

    /// `fdb/del bridge vlan mac`: removes a static entry.
    pub fn fdb_del(&self, bridge: &str, vlan: &str, mac: &str) -> Result<String, String> {
        let st = read(&self.state);
        let b = st.bridges.get(bridge).ok_or("no such bridge")?;
        let vlan: u16 = vlan.parse().unwrap_or(0);
        let mac = parse_mac(mac).ok_or_else(|| format!("invalid MAC address {mac}"))?;
        let mut t = lock(&b.mac);
        if !t.lookup(mac, vlan).is_some_and(|e| e.is_static) {
            return Err("could not find static mac entry".to_string());
        }
        t.remove(mac, vlan);
        drop(t);
        drop(st);
        self.request_revalidation();
        Ok(String::new())
    }

    /// `fdb/show bridge`.
    pub fn fdb_show(&self, bridge: &str) -> Result<String, String> {
        let now = self.now_ms();
        self.with_mac_table(bridge, |t| crate::fdb_text::fdb_show(t, now))
            .ok_or_else(|| "no such bridge".to_string())
    }

    /// `fdb/stats-show bridge`.
    pub fn fdb_stats_show(&self, bridge: &str) -> Result<String, String> {
        self.with_mac_table(bridge, |t| crate::fdb_text::fdb_stats_show(bridge, t))
            .ok_or_else(|| "no such bridge".to_string())
    }

    // ---- translation ------------------------------------------------------

    /// Translates a flow entering `bridge` (IN_PORT = OpenFlow port).
    pub fn translate(
        &self,
        bridge: &str,
        flow: &FlowKey,
        packet: Option<&[u8]>,
        side_effects: bool,
        trace: bool,
    ) -> XlateOut {
        let st = read(&self.state);
        let odp_in_port = st
            .bridges
            .get(bridge)
            .and_then(|b| b.ports.get(&PortNo(flow.u16(key::IN_PORT))))
            .and_then(XPort::odp_port)
            .unwrap_or(u32::MAX);
        let ids = |name: &str| st.bridge_ids.get(name).copied().unwrap_or(0);
        xlate::xlate(
            &st.bridges,
            &ids,
            XlateIn {
                bridge,
                flow: flow.clone(),
                inner_tci: 0,
                odp_in_port,
                packet,
                side_effects,
                trace,
                now_ms: self.now_ms(),
                actions: None,
                recirc: Some(&self.recirc),
            },
        )
    }

    /// A packet-out (ofproto's `Effect::PacketOut`): translates `actions`
    /// for `packet` as if received on `in_port` and executes the result on
    /// the datapath.
    pub fn packet_out(
        &self,
        bridge: &str,
        in_port: PortNo,
        metadata: &FlowKey,
        actions: &[openflow::action::Action],
        packet: &[u8],
    ) -> Result<(), String> {
        let mut flow = FlowKey::default();
        packet::extract(packet, &mut flow);
        // Pipeline fields from the packet-out (registers, metadata, ...).
        for s in [key::METADATA, key::REGS, key::TUN_ID, key::PKT_MARK] {
            flow.get_mut(s).copy_from_slice(metadata.get(s));
        }
        flow.set_uint(key::IN_PORT, u64::from(in_port.0));
        let out = {
            let st = read(&self.state);
            if !st.bridges.contains_key(bridge) {
                return Err(format!("no bridge named {bridge}"));
            }
            let odp_in_port = st
                .bridges
                .get(bridge)
                .and_then(|b| b.ports.get(&in_port))
                .and_then(XPort::odp_port);
            let ids = |name: &str| st.bridge_ids.get(name).copied().unwrap_or(0);
            let out = xlate::xlate(
                &st.bridges,
                &ids,
                XlateIn {
                    bridge,
                    flow: flow.clone(),
                    inner_tci: 0,
                    odp_in_port: odp_in_port.unwrap_or(u32::MAX),
                    packet: Some(packet),
                    side_effects: true,
                    trace: false,
                    now_ms: self.now_ms(),
                    actions: Some(actions),
                    recirc: Some(&self.recirc),
                },
            );
            (out, odp_in_port)
        };
        let (out, odp_in_port) = out;
        credit(&out.fx, 1, packet.len() as u64);
        self.learned_rules(&out.fx.learns, true);
        if let Some(e) = out.error {
            return Err(e);
        }
        let dp = read(&self.datapath).clone();
        let Some(dp) = dp else {
            return Err("no datapath attached".to_string());
        };
        let mut md = FlowKey::default();
        md.set_uint(key::IN_PORT, u64::from(odp_in_port.unwrap_or(0)));
        dp.execute(packet, &md, &out.actions)
    }

    /// Translation for `ofproto/trace[-packet-out]`: with a trace; side
    /// effects (MAC learning, learn) only when a packet is given.
    pub fn trace_translate(
        &self,
        bridge: &str,
        flow: &FlowKey,
        packet: Option<&[u8]>,
        actions: Option<&[openflow::action::Action]>,
    ) -> XlateOut {
        let out = {
            let st = read(&self.state);
            let odp_in_port = st
                .bridges
                .get(bridge)
                .and_then(|b| b.ports.get(&PortNo(flow.u16(key::IN_PORT))))
                .and_then(XPort::odp_port)
                .unwrap_or(u32::MAX);
            let ids = |name: &str| st.bridge_ids.get(name).copied().unwrap_or(0);
            xlate::xlate(
                &st.bridges,
                &ids,
                XlateIn {
                    bridge,
                    flow: flow.clone(),
                    inner_tci: 0,
                    odp_in_port,
                    packet,
                    side_effects: packet.is_some(),
                    trace: true,
                    now_ms: self.now_ms(),
                    actions,
                    recirc: Some(&self.recirc),
                },
            )
        };
        if packet.is_some() {
            self.learned_rules(&out.fx.learns, true);
            if out.fx.mac_moved {
                self.request_revalidation();
            }
        }
        out
    }

    /// The bridge and OpenFlow port of datapath port `odp`.
    pub fn port_of_odp(&self, odp: u32) -> Option<(String, PortNo)> {
        read(&self.state).odp_ports.get(&odp).cloned()
    }

    /// Translates a datapath key (IN_PORT = datapath port) into an upcall
    /// answer, applying side effects when asked (a real miss).
    fn upcall_for(
        &self,
        dp_key: &FlowKey,
        packet: Option<&[u8]>,
        side_effects: bool,
    ) -> Option<Upcall> {
        let odp = u32::from(dp_key.u16(key::IN_PORT));
        let (bridge, ofport) = self.port_of_odp(odp)?;
        let mut flow = dp_key.clone();
        flow.set_uint(key::IN_PORT, u64::from(ofport.0));
        let out = self.translate(&bridge, &flow, packet, side_effects, false);
        let mut mask = out.wc.clone();
        mask.set_uint(key::IN_PORT, 0xffff);
        // A real miss installs the learned flows; either way the megaflow's
        // hits keep them from idling out.
        let learned = self.learned_rules(&out.fx.learns, side_effects);
        if side_effects && out.fx.mac_moved {
            self.request_revalidation();
        }
        let hook = XlateHook {
            fx: out.fx.clone(),
            clock: self.clock.clone(),
            need_revalidate: self.need_revalidate.clone(),
            learned,
        };
        Some(Upcall {
            actions: out.actions,
            mask,
            install: true,
            hook: Some(Arc::new(hook)),
        })
    }

    /// The rules `learns` (flow-mods of learn actions, per bridge) stand
    /// for, installing them first when `install` (after the translation
    /// that learnt them, so that it did not see them itself). Installing
    /// asks for revalidation: cached megaflows may be stale.
    fn learned_rules(
        &self,
        learns: &[(String, FlowMod)],
        install: bool,
    ) -> Vec<Arc<ofproto::RuleStats>> {
        let mut rules = Vec::new();
        if learns.is_empty() {
            return rules;
        }
        let now = ofproto::clock::now_ms();
        for (bridge, fm) in learns {
            let Some(of) = self.ofproto(bridge) else {
                continue;
            };
            if install {
                // Failures (a full table, a bad learned match) drop the
                // learned flow, as the reference does; the translation
                // stands.
                let _ = write(&of).apply_flow_mod(fm, now);
            }
            let ofp = read(&of);
            if let Some(r) = ofp
                .table(fm.table_id)
                .and_then(|t| t.find_strict(&fm.flow_match, u32::from(fm.priority)))
            {
                rules.push(r.stats.clone());
            }
        }
        if install {
            self.request_revalidation();
        }
        rules
    }
}

/// Replays a megaflow's side effects on every hit batch: rule and group
/// counters, MAC learning refresh.
struct XlateHook {
    fx: SideEffects,
    clock: Arc<dyn Clock>,
    need_revalidate: Arc<AtomicBool>,
    /// Flows the megaflow's learn actions installed: each hit counts as a
    /// use (their idle timeouts restart), as each packet would re-learn.
    learned: Vec<Arc<ofproto::RuleStats>>,
}

impl FlowHook for XlateHook {
    fn hit(&self, packets: u64, bytes: u64, _tcp_flags: u16) {
        credit(&self.fx, packets, bytes);
        if !self.learned.is_empty() {
            let now = ofproto::clock::now_ms();
            for r in &self.learned {
                r.touch(now);
            }
        }
        let now = self.clock.now_ms();
        for m in &self.fx.macs {
            if matches!(refresh(m, now), LearnResult::Moved | LearnResult::New) {
                self.need_revalidate.store(true, Ordering::Relaxed);
            }
        }
    }
}

fn refresh(m: &MacLearning, now: u64) -> LearnResult {
    lock(&m.table).learn(m.mac, m.vlan, m.bundle, m.grat_arp, false, now)
}

fn credit(fx: &SideEffects, packets: u64, bytes: u64) {
    let now = ofproto::clock::now_ms();
    for r in &fx.rules {
        r.add(packets, bytes, now);
    }
    for (g, b) in &fx.groups {
        g.add(*b, packets, bytes);
    }
    for (t, matched) in &fx.tables {
        t.count(packets, *matched);
    }
}

impl UpcallHandler for Backer {
    fn miss(&self, packet: &[u8], key: &FlowKey) -> Upcall {
        match self.upcall_for(key, Some(packet), true) {
            Some(up) => {
                // The missed packet itself counts too.
                if let Some(h) = &up.hook {
                    h.hit(1, packet.len() as u64, 0);
                }
                up
            }
            None => {
                let mut mask = FlowKey::default();
                mask.set_uint(key::IN_PORT, 0xffff);
                Upcall {
                    actions: Vec::new(),
                    mask,
                    install: true,
                    hook: None,
                }
            }
        }
    }

    fn userspace(&self, packet: &[u8], key: &FlowKey, userdata: &[u8]) {
        let Some(c) = xlate::output::parse_controller_cookie(userdata) else {
            return;
        };
        let bridge = {
            let st = read(&self.state);
            st.bridge_ids
                .iter()
                .find(|(_, id)| **id == c.bridge_id)
                .map(|(n, _)| n.clone())
        };
        let Some(bridge) = bridge else { return };
        let Some(ofp) = self.ofproto(&bridge) else {
            return;
        };
        let mut md = key.clone();
        md.set_uint(key::IN_PORT, u64::from(c.in_port));
        use crate::xlate::output::{REASON_EXPLICIT_MISS, REASON_IMPLICIT_MISS};
        let miss = matches!(c.reason, REASON_EXPLICIT_MISS | REASON_IMPLICIT_MISS);
        let req = PacketInRequest {
            reason: if miss { 0 } else { c.reason },
            table_id: c.table_id,
            cookie: c.rule_cookie,
            packet: packet.to_vec(),
            metadata: md,
            max_len: if miss { None } else { Some(c.max_len) },
            controller_id: c.controller_id,
            userdata: Vec::new(),
        };
        let outs = read(&ofp).packet_in(&req);
        let sink = read(&self.packet_in).clone();
        if let Some(sink) = sink {
            sink(&bridge, outs);
        }
    }
}

/// `aa:bb:cc:dd:ee:ff`.
fn parse_mac(s: &str) -> Option<[u8; 6]> {
    let mut m = [0u8; 6];
    let mut parts = s.split(':');
    for b in m.iter_mut() {
        *b = u8::from_str_radix(parts.next()?, 16).ok()?;
    }
    parts.next().is_none().then_some(m)
}

/// Text of `ofproto/list`.
pub fn ofproto_list(backer: &Backer) -> String {
    backer
        .bridge_names()
        .into_iter()
        .map(|n| n + "\n")
        .collect()
}

impl Backer {
    /// The bridges' part of `dpif/show` (after the datapath's header line).
    pub fn dpif_show_bridges(&self) -> String {
        let st = read(&self.state);
        let mut out = String::new();
        for (name, b) in &st.bridges {
            out.push_str(&format!("  {name}:\n"));
            let mut ports: Vec<&XPort> = b.ports.values().collect();
            ports.sort_by(|a, b| a.name.cmp(&b.name));
            for p in ports {
                let ty = st
                    .types
                    .get(&(name.clone(), p.name.clone()))
                    .cloned()
                    .unwrap_or_default();
                let ofp = if p.ofport == PortNo::LOCAL {
                    "65534".to_string()
                } else {
                    p.ofport.0.to_string()
                };
                match &p.kind {
                    PortKind::Datapath(odp) => {
                        out.push_str(&format!("    {} {ofp}/{odp}: ({ty})\n", p.name));
                    }
                    PortKind::Patch { peer } => {
                        out.push_str(&format!(
                            "    {} {ofp}/none: (patch: peer={peer})\n",
                            p.name
                        ));
                    }
                }
            }
        }
        out
    }

    /// Datapath ports of `bridge` (for `dpif/dump-flows`).
    pub fn bridge_odp_ports(&self, bridge: &str) -> Vec<u32> {
        read(&self.state)
            .odp_ports
            .iter()
            .filter(|(_, (b, _))| b == bridge)
            .map(|(o, _)| *o)
            .collect()
    }

    /// `dpif/show`: the datapath's header line, then every bridge's ports.
    pub fn dpif_show(&self) -> String {
        let dp = read(&self.datapath).clone();
        let mut out = dp
            .as_ref()
            .map(|dp| datapath::dpctl::dpif_show_header(dp) + "\n")
            .unwrap_or_default();
        out.push_str(&self.dpif_show_bridges());
        out
    }

    /// `dpif/dump-flows BRIDGE`: the datapath's megaflows whose input port
    /// belongs to the bridge, one per line.
    pub fn dpif_dump_flows(&self, bridge: &str) -> Result<String, String> {
        if !self.has_bridge(bridge) {
            return Err("no such bridge".to_string());
        }
        let ports = self.bridge_odp_ports(bridge);
        let dp = read(&self.datapath).clone();
        let mut out = String::new();
        if let Some(dp) = dp {
            for f in dp.flow_dump() {
                if ports.contains(&u32::from(f.key.u16(key::IN_PORT))) {
                    out.push_str(&datapath::dpctl::dump_line(&dp, &f, false, false));
                    out.push('\n');
                }
            }
        }
        Ok(out)
    }

    /// Whether `bridge` exists.
    pub fn has_bridge(&self, bridge: &str) -> bool {
        read(&self.state).bridges.contains_key(bridge)
    }

    /// MAC table of a bridge, shared (for tests and fdb/add).
    pub fn mac_table(&self, bridge: &str) -> Option<Arc<Mutex<crate::mac_table::MacTable>>> {
        read(&self.state).bridges.get(bridge).map(|b| b.mac.clone())
    }
}
