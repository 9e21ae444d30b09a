//! Meters: the `meter(N)` datapath action. Each meter has drop bands, each
//! band a token bucket that refills at the band's rate up to its burst
//! size; a packet that finds a band's bucket short of its cost exceeds that
//! band, and of the exceeded bands the one with the highest rate drops it.
//!
//! Units: buckets count thousandths of a packet (packet rates) or bits
//! (kilobit rates), so that one millisecond at `rate` adds exactly `rate`
//! units either way. Buckets start full.

use std::sync::Arc;

/// What a meter's rates count.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MeterUnit {
    /// Packets per second; burst sizes in packets.
    Pktps,
    /// Kilobits per second; burst sizes in kilobits.
    Kbps,
}

/// One drop band.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MeterBand {
    pub rate: u32,
    /// Bucket size; 0 means the rate (one second's worth).
    pub burst: u32,
}

/// A meter as the layer above configures it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MeterConfig {
    pub unit: MeterUnit,
    pub bands: Vec<MeterBand>,
}

/// Where a meter reports what it saw: packets and bytes in, and those a
/// band (by index) dropped.
pub trait MeterCounts: Send + Sync {
    fn add(&self, packets: u64, bytes: u64, band: Option<(usize, u64, u64)>);
}

/// A configured meter with its buckets.
pub(crate) struct Meter {
    config: MeterConfig,
    buckets: Vec<u64>,
    last_ms: u64,
    counts: Arc<dyn MeterCounts>,
}

impl Meter {
    pub(crate) fn new(config: MeterConfig, counts: Arc<dyn MeterCounts>, now_ms: u64) -> Meter {
        let buckets = config.bands.iter().map(capacity).collect();
        Meter {
            config,
            buckets,
            last_ms: now_ms,
            counts,
        }
    }

    /// Meters one packet of `len` bytes at `now_ms`: whether it may go on.
    pub(crate) fn admit(&mut self, len: usize, now_ms: u64) -> bool {
        let elapsed = now_ms.saturating_sub(self.last_ms);
        self.last_ms = self.last_ms.max(now_ms);
        let cost = match self.config.unit {
            MeterUnit::Pktps => 1000,
            MeterUnit::Kbps => len as u64 * 8,
        };
        let mut exceeded: Option<usize> = None;
        for (i, (band, bucket)) in self.config.bands.iter().zip(&mut self.buckets).enumerate() {
            let refill = elapsed.saturating_mul(u64::from(band.rate));
            *bucket = bucket.saturating_add(refill).min(capacity(band));
            if *bucket >= cost {
                *bucket -= cost;
            } else if exceeded.is_none_or(|e| self.config.bands[e].rate < band.rate) {
                exceeded = Some(i);
            }
        }
        let bytes = len as u64;
        self.counts
            .add(1, bytes, exceeded.map(|band| (band, 1, bytes)));
        exceeded.is_none()
    }
}

/// A band's bucket size in bucket units.
fn capacity(band: &MeterBand) -> u64 {
    let burst = if band.burst == 0 {
        band.rate
    } else {
        band.burst
    };
    u64::from(burst) * 1000
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    /// Packets in, bytes in, and each drop as (band, packets, bytes).
    type Counted = (u64, u64, Vec<(usize, u64, u64)>);

    #[derive(Default)]
    struct Tally(Mutex<Counted>);
    impl MeterCounts for Tally {
        fn add(&self, packets: u64, bytes: u64, band: Option<(usize, u64, u64)>) {
            let mut t = self.0.lock().unwrap();
            t.0 += packets;
            t.1 += bytes;
            t.2.extend(band);
        }
    }

    fn meter(unit: MeterUnit, bands: &[(u32, u32)], tally: &Arc<Tally>) -> Meter {
        let bands = bands
            .iter()
            .map(|&(rate, burst)| MeterBand { rate, burst })
            .collect();
        Meter::new(MeterConfig { unit, bands }, tally.clone(), 0)
    }

    #[test]
    fn packet_rate_passes_the_burst_then_the_rate() {
        let tally = Arc::new(Tally::default());
        let mut m = meter(MeterUnit::Pktps, &[(2, 3)], &tally);
        let passed = (0..10).filter(|_| m.admit(100, 0)).count();
        assert_eq!(passed, 3, "a full bucket of 3 packets, then nothing");
        // Half a second at 2 packets/s: one more packet.
        assert!(m.admit(100, 500));
        assert!(!m.admit(100, 500));
        let t = tally.0.lock().unwrap();
        assert_eq!((t.0, t.1), (12, 1200));
        assert_eq!(t.2.len(), 8, "every dropped packet is counted on band 0");
        assert!(t
            .2
            .iter()
            .all(|&(band, p, b)| band == 0 && p == 1 && b == 100));
    }

    #[test]
    fn kilobit_rate_counts_bits_and_defaults_burst_to_the_rate() {
        let tally = Arc::new(Tally::default());
        // 8 kbit/s, no burst given: an 8,000-bit bucket, i.e. 1,000 bytes.
        let mut m = meter(MeterUnit::Kbps, &[(8, 0)], &tally);
        assert!(m.admit(600, 0));
        assert!(m.admit(400, 0));
        assert!(!m.admit(1, 0), "the bucket is empty");
        // 100 ms at 8 kbit/s = 800 bits = 100 bytes.
        assert!(m.admit(100, 100));
        assert!(!m.admit(100, 100));
    }

    #[test]
    fn the_exceeded_band_with_the_highest_rate_drops() {
        let tally = Arc::new(Tally::default());
        let mut m = meter(MeterUnit::Pktps, &[(5, 1), (10, 2), (1, 4)], &tally);
        assert!(m.admit(64, 0)); // every band has room
        assert!(!m.admit(64, 0)); // band 0 is empty: it alone is exceeded
        assert!(!m.admit(64, 0)); // bands 0 and 1 are: band 1 (rate 10) drops
        let t = tally.0.lock().unwrap();
        let bands: Vec<usize> = t.2.iter().map(|&(b, _, _)| b).collect();
        assert_eq!(bands, vec![0, 1]);
    }

    #[test]
    fn time_going_backwards_refills_nothing() {
        let tally = Arc::new(Tally::default());
        let mut m = meter(MeterUnit::Pktps, &[(1000, 1)], &tally);
        assert!(m.admit(64, 100));
        assert!(!m.admit(64, 50));
        assert!(m.admit(64, 101));
    }
}
