//! Meters: the meter table (drop and dscp_remark bands), meter-mods with the
//! reference's checks, and the stats/config/features replies' contents.
//! Rate enforcement is the forwarding layer's, reached through a
//! [`MeterProvider`]; counters live here.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use openflow::msg::meter::Meter;

/// Input and per-band counters, updated lock-free by the forwarding layer.
#[derive(Debug, Default)]
pub struct MeterCounters {
    pub packets_in: AtomicU64,
    pub bytes_in: AtomicU64,
    pub bands: Vec<(AtomicU64, AtomicU64)>,
}

impl MeterCounters {
    pub fn new(n_bands: usize) -> MeterCounters {
        MeterCounters {
            packets_in: AtomicU64::new(0),
            bytes_in: AtomicU64::new(0),
            bands: (0..n_bands)
                .map(|_| (AtomicU64::new(0), AtomicU64::new(0)))
                .collect(),
        }
    }

    /// Accounts packets entering the meter, and those band `band` (an
    /// index) acted on.
    pub fn add(&self, packets: u64, bytes: u64, band: Option<(usize, u64, u64)>) {
        self.packets_in.fetch_add(packets, Ordering::Relaxed);
        self.bytes_in.fetch_add(bytes, Ordering::Relaxed);
        if let Some((i, p, b)) = band {
            if let Some(c) = self.bands.get(i) {
                c.0.fetch_add(p, Ordering::Relaxed);
                c.1.fetch_add(b, Ordering::Relaxed);
            }
        }
    }
}

/// One meter.
#[derive(Debug)]
pub struct MeterEntry {
    pub meter: Meter,
    pub created_ms: u64,
    pub counters: Arc<MeterCounters>,
    /// The forwarding layer's id for it (the datapath's `meter(N)`), if a
    /// provider took it.
    pub provider_id: Option<u32>,
}

/// The forwarding layer's side of meters (the reference's `meter_set` and
/// `meter_del` of an ofproto provider).
pub trait MeterProvider: Send + Sync {
    /// Installs `meter`, replacing the one at `provider_id` (a modify);
    /// returns the id packets name it by, or None when it cannot be
    /// installed (the meter then exists but lets everything through).
    fn set(
        &self,
        provider_id: Option<u32>,
        meter: &Meter,
        counters: Arc<MeterCounters>,
    ) -> Option<u32>;

    /// Removes the meter at `provider_id`.
    fn delete(&self, provider_id: u32);
}

/// How the forwarding layer holds a meter.
pub type MeterRef = Arc<MeterEntry>;

use openflow::msg::meter::{
    BandType, MeterMod, MeterModCommand, METER_ALL, METER_MAX, MF_KBPS, MF_PKTPS,
};
use openflow::OfpError;

use crate::clock;
use crate::conn::RR_METER_DELETE;
use crate::handle::Handled;
use crate::output::Output;
use crate::Ofproto;

/// How many meters the switch takes.
pub const MAX_METERS: u32 = 262_144;

impl Ofproto {
    /// Applies a meter-mod (as from a controller): adds, modifies or
    /// deletes meters, with the reference's checks.
    pub fn apply_meter_mod(&mut self, mm: MeterMod) -> Handled {
        self.meter_mod(mm)
    }

    pub(crate) fn meter_mod(&mut self, mm: MeterMod) -> Handled {
        let now = clock::now_ms();
        let id = mm.meter.meter_id;
        match mm.command {
            MeterModCommand::Delete => Ok(self.delete_meters(id, now)),
            MeterModCommand::Add | MeterModCommand::Modify => {
                if id == 0 || id > METER_MAX {
                    return Err(OfpError::MmfcInvalidMeter);
                }
                let exists = self.meters.contains_key(&id);
                if mm.command == MeterModCommand::Add && exists {
                    return Err(OfpError::MmfcMeterExists);
                }
                if mm.command == MeterModCommand::Modify && !exists {
                    return Err(OfpError::MmfcUnknownMeter);
                }
                check_meter(&mm.meter)?;
                if !exists && self.meters.len() >= MAX_METERS as usize {
                    return Err(OfpError::MmfcOutOfMeters);
                }
                let counters = Arc::new(MeterCounters::new(mm.meter.bands.len()));
                let old_id = self.meters.get(&id).and_then(|e| e.provider_id);
                let provider_id = match &self.meter_provider {
                    Some(p) => p.set(old_id, &mm.meter, counters.clone()),
                    None => None,
                };
                let entry = MeterEntry {
                    counters,
                    meter: mm.meter,
                    created_ms: now,
                    provider_id,
                };
                self.meters.insert(id, Arc::new(entry));
                let mut out = Vec::new();
                self.bump_version(&mut out);
                Ok(out)
            }
        }
    }

    /// Deletes meter `id` (every meter for METER_ALL) and the rules using it.
    fn delete_meters(&mut self, id: u32, now: u64) -> Vec<Output> {
        let ids: Vec<u32> = if id == METER_ALL {
            self.meters.keys().copied().collect()
        } else if self.meters.contains_key(&id) {
            vec![id]
        } else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for m in ids {
            let rules: Vec<_> = self
                .tables
                .iter()
                .flat_map(|t| t.iter())
                .filter(|r| {
                    !r.is_hidden() && r.actions.contains(&openflow::action::Action::Meter(m))
                })
                .cloned()
                .collect();
            out.extend(self.delete_rules(&rules, RR_METER_DELETE, now));
            let gone = self.meters.remove(&m);
            if let (Some(p), Some(pid)) = (&self.meter_provider, gone.and_then(|e| e.provider_id)) {
                p.delete(pid);
            }
        }
        self.bump_version(&mut out);
        out
    }
}

/// The reference's meter checks: one rate unit, nonzero band rates.
fn check_meter(m: &Meter) -> Result<(), OfpError> {
    if m.flags & MF_KBPS != 0 && m.flags & MF_PKTPS != 0 {
        return Err(OfpError::MmfcBadFlags);
    }
    if m.bands.is_empty() {
        return Err(OfpError::MmfcBadBand);
    }
    // The userspace datapath only drops.
    if m.bands.iter().any(|b| b.band_type != BandType::Drop) {
        return Err(OfpError::MmfcBadBand);
    }
    if m.bands.iter().any(|b| b.rate == 0) {
        return Err(OfpError::MmfcBadRate);
    }
    Ok(())
}
