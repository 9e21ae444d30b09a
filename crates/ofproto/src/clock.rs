//! The switch's clock: milliseconds on a monotonic clock since the process
//! first asked. Rule creation/modification/use times and timeouts are kept
//! in these units so that the translation layer can stamp "last used" into
//! an atomic, and tests can drive `Ofproto::run` with made-up times.

use std::sync::OnceLock;
use std::time::Instant;

static EPOCH: OnceLock<Instant> = OnceLock::new();

/// Milliseconds since the process's clock epoch (never 0, so that 0 can
/// mean "never").
pub fn now_ms() -> u64 {
    let epoch = *EPOCH.get_or_init(Instant::now);
    u64::try_from(epoch.elapsed().as_millis())
        .unwrap_or(u64::MAX)
        .saturating_add(1)
}

/// The `Instant` a clock value stands for.
pub fn to_instant(ms: u64) -> Instant {
    let epoch = *EPOCH.get_or_init(Instant::now);
    epoch + std::time::Duration::from_millis(ms.saturating_sub(1))
}
