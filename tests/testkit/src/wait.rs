//! Bounded polling: how tests wait for a daemon, a socket or a file without
//! fixed sleeps.

use std::thread;
use std::time::{Duration, Instant};

/// A generous bound for things that normally take milliseconds (a daemon
/// starting, a socket appearing). It is large so that a loaded CI machine does
/// not fail tests; a test that hits it is broken, not slow.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(20);

const FIRST_BACKOFF: Duration = Duration::from_millis(1);
const MAX_BACKOFF: Duration = Duration::from_millis(50);

/// Polls `cond` until it returns true or `timeout` has passed. The pause
/// between polls starts at 1 ms and doubles up to 50 ms, so fast conditions
/// are seen quickly and slow ones do not burn a core. `cond` is always
/// polled at least once, and once more at the deadline.
///
/// The error names `what`, e.g. "timed out after 20s waiting for db.sock to
/// accept connections".
pub fn wait_until(
    timeout: Duration,
    what: &str,
    mut cond: impl FnMut() -> bool,
) -> Result<(), String> {
    let deadline = Instant::now() + timeout;
    let mut backoff = FIRST_BACKOFF;
    loop {
        if cond() {
            return Ok(());
        }
        let now = Instant::now();
        if now >= deadline {
            return Err(format!("timed out after {timeout:?} waiting for {what}"));
        }
        thread::sleep(backoff.min(deadline - now));
        backoff = (backoff * 2).min(MAX_BACKOFF);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeout_error_names_what_was_awaited() {
        let mut polls = 0;
        let err = wait_until(Duration::from_millis(30), "the moon to turn blue", || {
            polls += 1;
            false
        })
        .unwrap_err();
        assert!(err.contains("waiting for the moon to turn blue"), "{err}");
        assert!(err.starts_with("timed out after 30ms"), "{err}");
        // Polled repeatedly, including once at the deadline.
        assert!(polls >= 2, "polled only {polls} times");
    }

    #[test]
    fn returns_as_soon_as_the_condition_holds() {
        let mut polls = 0;
        let result = wait_until(DEFAULT_TIMEOUT, "the fifth poll", || {
            polls += 1;
            polls == 5
        });
        assert_eq!(result, Ok(()));
        assert_eq!(polls, 5);
    }

    #[test]
    fn polls_at_least_once_even_with_zero_timeout() {
        let mut polls = 0;
        let result = wait_until(Duration::ZERO, "anything", || {
            polls += 1;
            true
        });
        assert_eq!(result, Ok(()));
        assert_eq!(polls, 1);
    }
}
