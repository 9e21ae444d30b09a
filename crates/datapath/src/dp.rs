//! The `Datapath` object: construction, configuration, ports, packet entry
//! points (execute, synchronous receive) and stats. Flow operations are in
//! `flows`, the packet path in `pipeline` (under the lock) and `upcalls`
//! (after it), the poll thread in `poll`.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, RwLock};

use netdev::Netdev;
use openflow::flow_match::key::FlowKey;
use packet::{Batch, Buffer};

use crate::execute::Deferred;
use crate::odp::OdpAction;
use crate::pipeline::{Core, Scratch};
use crate::poll::PollThread;
use crate::port::{choose_port_no, Port};
pub use crate::types::{
    Clock, DpStats, FlowEntry, FlowError, FlowPutFlags, PortInfo, PortStats, Workspace,
};
use crate::upcall::UpcallHandler;

struct MonotonicClock(std::time::Instant);
impl Clock for MonotonicClock {
    fn now_ms(&self) -> u64 {
        self.0.elapsed().as_millis() as u64
    }
}

/// The userspace datapath (one per process), shared via Arc and safe to
/// use from any thread: one lock per batch on the packet path.
pub struct Datapath {
    name: String,
    dp_type: String,
    clock: Arc<dyn Clock>,
    pub(crate) core: Mutex<Core>,
    handler: RwLock<Option<Arc<dyn UpcallHandler>>>,
    /// Bumped whenever ports change, so the poll thread re-reads them.
    pub(crate) port_gen: AtomicU64,
    pub(crate) poll: Mutex<Option<PollThread>>,
    /// CPUs configured for the poll thread (None: the default, see
    /// `affinity`), and a counter bumped on every change.
    pub(crate) pmd_cpus: Mutex<Option<Vec<usize>>>,
    pub(crate) pmd_cpus_gen: AtomicU64,
}

impl Datapath {
    /// A datapath named `name`: `ovs-dummy` is the dummy datapath (type
    /// `dummy`), anything else the `netdev` one (the reference's is `ovs-netdev`).
    pub fn new(name: &str) -> Arc<Datapath> {
        let dp_type = if name == "ovs-dummy" {
            "dummy"
        } else {
            "netdev"
        };
        Datapath::with_type(
            dp_type,
            name,
            Arc::new(MonotonicClock(std::time::Instant::now())),
        )
    }

    /// Like [`Datapath::new`] with an injected clock (tests).
    pub fn with_clock(name: &str, clock: Arc<dyn Clock>) -> Arc<Datapath> {
        let dp_type = if name == "ovs-dummy" {
            "dummy"
        } else {
            "netdev"
        };
        Datapath::with_type(dp_type, name, clock)
    }

    /// A datapath of type `dp_type` ("netdev" or "dummy"). Port 0 is its
    /// own internal port, named after it (a tap device for `netdev`, a
    /// dummy-internal one for `dummy`); if that device cannot be opened the
    /// port still exists, without a device.
    pub fn with_type(dp_type: &str, name: &str, clock: Arc<dyn Clock>) -> Arc<Datapath> {
        let kind = if dp_type == "dummy" {
            "dummy-internal"
        } else {
            "tap"
        };
        let dev = netdev::open(kind, name, &BTreeMap::new()).ok();
        let mut core = Core::new();
        core.ports
            .insert(0, Port::new(name.to_string(), kind.to_string(), dev));
        Arc::new(Datapath {
            name: name.to_string(),
            dp_type: dp_type.to_string(),
            clock,
            core: Mutex::new(core),
            handler: RwLock::new(None),
            port_gen: AtomicU64::new(0),
            poll: Mutex::new(None),
            pmd_cpus: Mutex::new(None),
            pmd_cpus_gen: AtomicU64::new(0),
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// "netdev" or "dummy" (`dpctl/show` prints `TYPE@NAME`).
    pub fn dp_type(&self) -> &str {
        &self.dp_type
    }

    /// `TYPE@NAME`, e.g. `netdev@ovs-netdev`.
    pub fn full_name(&self) -> String {
        format!("{}@{}", self.dp_type, self.name)
    }

    pub fn now_ms(&self) -> u64 {
        self.clock.now_ms()
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, Core> {
        self.core.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Installs meter `id` with full buckets, replacing any meter of that id.
    pub fn meter_set(
        &self,
        id: u32,
        config: crate::meter::MeterConfig,
        counts: Arc<dyn crate::meter::MeterCounts>,
    ) {
        let now = self.now_ms();
        self.lock()
            .meters
            .insert(id, crate::meter::Meter::new(config, counts, now));
    }

    /// Removes meter `id`; `meter(id)` actions then let packets through.
    pub fn meter_del(&self, id: u32) {
        self.lock().meters.remove(&id);
    }

    pub fn set_upcall_handler(&self, handler: Arc<dyn UpcallHandler>) {
        *self.handler.write().unwrap_or_else(|e| e.into_inner()) = Some(handler);
    }

    pub(crate) fn handler(&self) -> Option<Arc<dyn UpcallHandler>> {
        self.handler
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Idle megaflows older than this are deleted by [`Datapath::expire`].
    pub fn set_max_idle_ms(&self, ms: u64) {
        self.lock().max_idle_ms = ms;
    }

    /// Most megaflows; beyond it misses are executed but not installed.
    pub fn set_flow_limit(&self, limit: usize) {
        self.lock().flow_limit = limit;
    }

    /// `other_config:pmd-cpu-mask`: the CPUs the poll thread may run on
    /// (hexadecimal, lowest bit = CPU 0); None restores the default (a
    /// `netdev` datapath's thread pinned to the lowest CPU the process may
    /// use, the dummy one unpinned). The reference starts one thread per
    /// CPU of the mask; our one poll thread may run on any of them. Takes
    /// effect at the thread's next turn. A mask without a CPU the calling
    /// thread may use is refused.
    pub fn set_pmd_cpu_mask(&self, mask: Option<&str>) -> Result<(), String> {
        let cpus = mask.map(crate::affinity::parse_cpu_mask).transpose()?;
        if let (Some(cpus), Some(text), Ok(allowed)) = (&cpus, mask, crate::affinity::current()) {
            if !cpus.iter().any(|c| allowed.contains(c)) {
                return Err(format!(
                    "pmd-cpu-mask \"{text}\" names no CPU this process may run on"
                ));
            }
        }
        let mut cur = self.pmd_cpus.lock().unwrap_or_else(|e| e.into_inner());
        if *cur != cpus {
            *cur = cpus;
            drop(cur);
            self.pmd_cpus_gen.fetch_add(1, Ordering::Relaxed);
            crate::poll::wake(self);
        }
        Ok(())
    }

    /// 1/N of EMC-missing megaflow hits are cached (0 = never, 1 = always).
    pub fn set_emc_insert_inv_prob(&self, n: u32) {
        self.lock().emc.set_insert_inv_prob(n);
    }

    // ----- ports -----

    /// Adds a port; returns its number (`requested` if free).
    pub fn add_port(&self, netdev: Box<dyn Netdev>, requested: Option<u32>) -> Result<u32, String> {
        let mut core = self.lock();
        let name = netdev.name().to_string();
        if core.ports.values().any(|p| p.name == name) {
            return Err(format!(
                "{name}: port already exists in {}",
                self.full_name()
            ));
        }
        let no = choose_port_no(&core.ports, &self.dp_type, &name, requested)?;
        // The reference lists internal ports of the netdev datapath as taps.
        let kind = match (self.dp_type.as_str(), netdev.kind()) {
            ("netdev", "internal") => "tap".to_string(),
            (_, k) => k.to_string(),
        };
        core.ports.insert(no, Port::new(name, kind, Some(netdev)));
        drop(core);
        self.ports_changed();
        Ok(no)
    }

    /// Removes a port (not port 0) and returns its device.
    pub fn del_port(&self, port_no: u32) -> Result<Option<Box<dyn Netdev>>, String> {
        if port_no == 0 {
            return Err(format!(
                "{}: cannot delete the datapath's own port",
                self.name
            ));
        }
        let mut core = self.lock();
        let port = core
            .ports
            .remove(&port_no)
            .ok_or_else(|| format!("{}: no port {port_no}", self.full_name()))?;
        drop(core);
        self.ports_changed();
        Ok(port.netdev)
    }

    fn ports_changed(&self) {
        self.port_gen.fetch_add(1, Ordering::Relaxed);
        crate::poll::wake(self);
    }

    pub fn ports(&self) -> Vec<PortInfo> {
        self.lock()
            .ports
            .iter()
            .map(|(no, p)| PortInfo {
                port_no: *no,
                name: p.name.clone(),
                kind: p.kind.clone(),
            })
            .collect()
    }

    pub fn port_no(&self, name: &str) -> Option<u32> {
        self.lock()
            .ports
            .iter()
            .find(|(_, p)| p.name == name)
            .map(|(n, _)| *n)
    }

    pub fn port_stats(&self, port_no: u32) -> Option<PortStats> {
        self.lock().ports.get(&port_no).map(|p| p.stats)
    }

    /// Runs `f` on a port's device (MTU, MAC, carrier, stats...).
    pub fn with_netdev<R>(&self, port_no: u32, f: impl FnOnce(&mut dyn Netdev) -> R) -> Option<R> {
        let mut core = self.lock();
        let dev = core.ports.get_mut(&port_no)?.netdev.as_mut()?;
        Some(f(dev.as_mut()))
    }
    // ----- packets -----

    /// Executes `actions` on `packet` (packet-out, trace); `md` carries its
    /// metadata (in_port, recirc_id, skb_priority, pkt_mark, ...).
    pub fn execute(
        &self,
        packet: &[u8],
        md: &FlowKey,
        actions: &[OdpAction],
    ) -> Result<(), String> {
        let mut buf = Buffer::from_slice(packet);
        let mut md = md.clone();
        let mut deferred = Deferred::default();
        let now = self.now_ms();
        {
            let mut core = self.lock();
            core.exec(&mut deferred, now)
                .run(&mut buf, &mut md, actions, 0);
            core.flush_all();
        }
        self.finish(&mut deferred);
        Ok(())
    }

    /// Runs one received packet through the pipeline on the caller's
    /// thread (the way `netdev-dummy/receive` makes tests deterministic).
    pub fn receive_now(&self, port_no: u32, packet: &[u8]) -> Result<(), String> {
        let mut batch = Batch::new();
        batch.push_slice(packet);
        self.receive_batch_now(
            port_no,
            &mut batch,
            &mut Scratch::new(),
            &mut Deferred::default(),
        )
    }

    /// Runs a batch received on `port_no` through the pipeline on the
    /// caller's thread, with a reusable workspace (no allocation per batch
    /// on the hit path).
    pub fn receive_batch(
        &self,
        port_no: u32,
        batch: &mut Batch,
        ws: &mut Workspace,
    ) -> Result<(), String> {
        self.receive_batch_now(port_no, batch, &mut ws.scratch, &mut ws.deferred)
    }

    /// Runs a batch received on `port_no` through the pipeline (benches and
    /// the poll thread). `scratch`/`deferred` are reusable workspaces.
    pub(crate) fn receive_batch_now(
        &self,
        port_no: u32,
        batch: &mut Batch,
        scratch: &mut Scratch,
        deferred: &mut Deferred,
    ) -> Result<(), String> {
        let now = self.now_ms();
        {
            let mut core = self.lock();
            if !core.ports.contains_key(&port_no) {
                return Err(format!("{}: no port {port_no}", self.full_name()));
            }
            core.process_batch(port_no, batch, scratch, deferred, now);
        }
        if !deferred.is_empty() {
            self.finish(deferred);
        }
        Ok(())
    }
    pub fn stats(&self) -> DpStats {
        let core = self.lock();
        DpStats {
            hit: core.counters.hit,
            missed: core.counters.missed,
            lost: core.counters.lost,
            flows: core.flows.len() as u64,
            masks: core.flows.n_subtables() as u64,
            masks_hit: 0,
        }
    }

    /// Starts the poll thread (receives from every port with a device).
    pub fn start(self: &Arc<Self>) -> std::io::Result<()> {
        crate::poll::start(self)
    }

    /// Stops and joins the poll thread.
    pub fn stop(&self) {
        crate::poll::stop(self)
    }
}

impl Drop for Datapath {
    fn drop(&mut self) {
        crate::poll::stop(self);
    }
}
