//! OpenFlow meters in the datapath: every bridge of a backer shares one
//! space of datapath meter ids (the lowest free id goes to each new meter,
//! as in the reference, so `meter(0)` is the first meter added), and the
//! datapath's meters count into the OpenFlow meters' counters.
//!
//! The bank remembers every installed meter, so a datapath attached later
//! gets them all; each bridge's [`BridgeMeters`] gives its ids back when the
//! bridge's ofproto goes away.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex, MutexGuard};

use datapath::{Datapath, MeterBand, MeterConfig, MeterCounts, MeterUnit};
use ofproto::meter::MeterCounters;
use ofproto::MeterProvider;
use openflow::msg::meter::{Meter, MF_KBPS, MF_PKTPS};

/// The OpenFlow counters, as the datapath counts.
struct Counts(Arc<MeterCounters>);

impl MeterCounts for Counts {
    fn add(&self, packets: u64, bytes: u64, band: Option<(usize, u64, u64)>) {
        self.0.add(packets, bytes, band);
    }
}

#[derive(Default)]
struct BankState {
    dp: Option<Arc<Datapath>>,
    meters: BTreeMap<u32, (MeterConfig, Arc<MeterCounters>)>,
    /// Ids given back, reused lowest first before `next`.
    free: BTreeSet<u32>,
    next: u32,
}

/// The datapath meter ids of one backer.
#[derive(Default)]
pub struct MeterBank {
    state: Mutex<BankState>,
}

impl MeterBank {
    fn lock(&self) -> MutexGuard<'_, BankState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Installs every meter in `dp`, and later ones as they come.
    pub fn attach(&self, dp: Arc<Datapath>) {
        let mut st = self.lock();
        for (id, (config, counters)) in &st.meters {
            dp.meter_set(*id, config.clone(), Arc::new(Counts(counters.clone())));
        }
        st.dp = Some(dp);
    }

    fn set(&self, id: Option<u32>, config: MeterConfig, counters: Arc<MeterCounters>) -> u32 {
        let mut st = self.lock();
        let id = match id {
            Some(id) => id,
            None => match st.free.pop_first() {
                Some(id) => id,
                None => {
                    st.next += 1;
                    st.next - 1
                }
            },
        };
        if let Some(dp) = &st.dp {
            dp.meter_set(id, config.clone(), Arc::new(Counts(counters.clone())));
        }
        st.meters.insert(id, (config, counters));
        id
    }

    fn delete(&self, id: u32) {
        let mut st = self.lock();
        if st.meters.remove(&id).is_none() {
            return;
        }
        if let Some(dp) = &st.dp {
            dp.meter_del(id);
        }
        st.free.insert(id);
    }
}

/// One bridge's meters in its backer's bank.
pub struct BridgeMeters {
    bank: Arc<MeterBank>,
    ids: Mutex<BTreeSet<u32>>,
}

impl BridgeMeters {
    pub fn new(bank: Arc<MeterBank>) -> BridgeMeters {
        BridgeMeters {
            bank,
            ids: Mutex::new(BTreeSet::new()),
        }
    }

    fn ids(&self) -> MutexGuard<'_, BTreeSet<u32>> {
        self.ids.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl MeterProvider for BridgeMeters {
    fn set(
        &self,
        provider_id: Option<u32>,
        meter: &Meter,
        counters: Arc<MeterCounters>,
    ) -> Option<u32> {
        let config = datapath_config(meter)?;
        let id = self.bank.set(provider_id, config, counters);
        self.ids().insert(id);
        Some(id)
    }

    fn delete(&self, provider_id: u32) {
        if self.ids().remove(&provider_id) {
            self.bank.delete(provider_id);
        }
    }
}

impl Drop for BridgeMeters {
    fn drop(&mut self) {
        let ids = std::mem::take(&mut *self.ids());
        for id in ids {
            self.bank.delete(id);
        }
    }
}

/// The datapath's form of an OpenFlow meter: its unit and drop bands
/// (ofproto refuses other band types). Burst sizes count only with the
/// `burst` flag; without it a band's bucket holds one second at its rate.
fn datapath_config(meter: &Meter) -> Option<MeterConfig> {
    let unit = if meter.flags & MF_PKTPS != 0 {
        MeterUnit::Pktps
    } else if meter.flags & MF_KBPS != 0 || meter.flags & (MF_KBPS | MF_PKTPS) == 0 {
        MeterUnit::Kbps
    } else {
        return None;
    };
    let burst = meter.flags & openflow::msg::meter::MF_BURST != 0;
    let bands = meter
        .bands
        .iter()
        .map(|b| MeterBand {
            rate: b.rate,
            burst: if burst { b.burst_size } else { 0 },
        })
        .collect();
    Some(MeterConfig { unit, bands })
}
