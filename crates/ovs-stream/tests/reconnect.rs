//! The reconnect state machine, driven by a fake clock: every time is
//! `t(ms)`, an offset from one fixed Instant, so nothing sleeps.

use ovs_stream::reconnect::{Action, DisconnectReason, Failure, Reconnect, State};
use std::collections::BTreeMap;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

fn t(ms: u64) -> Instant {
    static START: OnceLock<Instant> = OnceLock::new();
    *START.get_or_init(Instant::now) + Duration::from_millis(ms)
}

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// Runs one failed attempt at `now` (which must be when `run` says Connect).
fn fail_attempt(r: &mut Reconnect, now: Instant) {
    assert_eq!(r.run(now), Some(Action::Connect), "at {:?}", now - t(0));
    r.connecting(now);
    r.connect_failed(now, "Connection refused");
}

#[test]
fn starts_disabled_and_connects_at_once_when_enabled() {
    let mut r = Reconnect::new(t(0));
    assert_eq!(r.state(), State::Void);
    assert_eq!(r.run(t(100_000)), None);
    assert_eq!(r.deadline(), None);
    r.enable(t(10));
    assert_eq!(r.state(), State::Backoff);
    assert_eq!(r.backoff(), Duration::ZERO);
    assert_eq!(r.run(t(10)), Some(Action::Connect));
    assert_eq!(r.timeout(t(10)), Some(Duration::ZERO));
}

#[test]
fn failures_double_the_backoff_up_to_the_maximum() {
    let mut r = Reconnect::new(t(0));
    r.enable(t(0));
    let mut now = 0;
    let mut seen = Vec::new();
    let mut quiet = Vec::new();
    for _ in 0..6 {
        fail_attempt(&mut r, t(now));
        let b = r.backoff().as_millis() as u64;
        seen.push(b);
        quiet.push(r.is_quiet());
        // Nothing to do one millisecond early; connect exactly on time.
        assert_eq!(r.run(t(now + b - 1)), None);
        now += b;
    }
    assert_eq!(seen, [1000, 2000, 4000, 8000, 8000, 8000]);
    // Quiet from the moment the backoff reaches its maximum.
    assert_eq!(quiet, [false, false, false, true, true, true]);
    assert_eq!(r.n_attempted_connections(), 6);
    assert_eq!(r.n_successful_connections(), 0);
}

#[test]
fn a_smaller_maximum_caps_the_doubling() {
    let mut r = Reconnect::new(t(0));
    r.set_max_backoff(ms(5000));
    r.enable(t(0));
    let mut now = 0;
    let mut seen = Vec::new();
    for _ in 0..5 {
        fail_attempt(&mut r, t(now));
        seen.push(r.backoff().as_millis() as u64);
        now += seen.last().unwrap();
    }
    assert_eq!(seen, [1000, 2000, 4000, 5000, 5000]);
}

#[test]
fn backoff_settings_are_clamped() {
    let mut r = Reconnect::new(t(0));
    r.set_backoff(ms(10), ms(500));
    assert_eq!(r.min_backoff(), ms(1000));
    assert_eq!(r.max_backoff(), ms(1000));
    r.set_backoff(ms(2000), ms(3000));
    assert_eq!((r.min_backoff(), r.max_backoff()), (ms(2000), ms(3000)));
}

#[test]
fn lowering_the_maximum_shortens_a_long_backoff() {
    let mut r = Reconnect::new(t(0));
    r.enable(t(0));
    let mut now = 0;
    for _ in 0..4 {
        fail_attempt(&mut r, t(now));
        now += r.backoff().as_millis() as u64;
    }
    assert_eq!(r.backoff(), ms(8000));
    let failed_at = now - 8000;
    r.set_max_backoff(ms(2000));
    assert_eq!(r.backoff(), ms(2000));
    assert_eq!(r.run(t(failed_at + 2000)), Some(Action::Connect));
}

#[test]
fn a_healthy_connection_resets_the_backoff() {
    let mut r = Reconnect::new(t(0));
    r.enable(t(0));
    fail_attempt(&mut r, t(0)); // backoff 1 s
    fail_attempt(&mut r, t(1000)); // backoff 2 s
    fail_attempt(&mut r, t(3000)); // backoff 4 s
    assert_eq!(r.run(t(7000)), Some(Action::Connect));
    r.connecting(t(7000));
    r.connected(t(7010));
    assert!(r.is_connected());
    // Traffic for longer than the 4 s backoff: the connection was healthy.
    r.activity(t(12_000));
    r.disconnected(t(12_500), Some("Connection reset by peer"));
    assert_eq!(r.state(), State::Backoff);
    assert_eq!(r.backoff(), ms(1000));
    assert_eq!(r.run(t(13_499)), None);
    assert_eq!(r.run(t(13_500)), Some(Action::Connect));
}

#[test]
fn a_connection_that_drops_at_once_keeps_doubling() {
    let mut r = Reconnect::new(t(0));
    r.enable(t(0));
    fail_attempt(&mut r, t(0)); // 1 s
    fail_attempt(&mut r, t(1000)); // 2 s
    assert_eq!(r.run(t(3000)), Some(Action::Connect));
    r.connecting(t(3000));
    r.connected(t(3001));
    r.activity(t(3002));
    r.disconnected(t(3020), Some("Broken pipe"));
    assert_eq!(r.backoff(), ms(4000));
}

#[test]
fn a_slow_connection_attempt_times_out() {
    let mut r = Reconnect::new(t(0));
    r.enable(t(0));
    r.run(t(0));
    r.connecting(t(0));
    // With no backoff yet, the attempt gets the 1 s minimum.
    assert_eq!(r.run(t(999)), None);
    let action = r.run(t(1000));
    assert_eq!(
        action,
        Some(Action::Disconnect(DisconnectReason::ConnectTimeout))
    );
    r.connect_failed(
        t(1000),
        DisconnectReason::ConnectTimeout.error_text().unwrap(),
    );
    assert_eq!(r.state(), State::Backoff);
    assert_eq!(
        r.last_error(),
        Some(&Failure {
            message: "Connection timed out".into(),
            while_connecting: true
        })
    );
    // Later attempts get as long as the backoff (here 2 s after two failures).
    fail_attempt(&mut r, t(2000));
    assert_eq!(r.backoff(), ms(2000));
    assert_eq!(r.run(t(4000)), Some(Action::Connect));
    r.connecting(t(4000));
    assert_eq!(r.run(t(5999)), None);
    assert_eq!(
        r.run(t(6000)),
        Some(Action::Disconnect(DisconnectReason::ConnectTimeout))
    );
}

#[test]
fn silence_brings_a_probe_then_a_disconnect() {
    let mut r = Reconnect::new(t(0));
    r.enable(t(0));
    r.run(t(0));
    r.connecting(t(0));
    r.connected(t(0));
    r.activity(t(3000));
    // 5 s after the last message, not after connecting.
    assert_eq!(r.run(t(7999)), None);
    assert_eq!(r.deadline(), Some(t(8000)));
    assert_eq!(r.run(t(8000)), Some(Action::Probe));
    assert_eq!(r.state(), State::Idle);
    assert_eq!(r.status(t(8000)).state, State::Idle);
    // The echo reply arrives: back to ACTIVE, next probe 5 s later.
    r.activity(t(9000));
    assert_eq!(r.state(), State::Active);
    assert_eq!(r.run(t(13_999)), None);
    assert_eq!(r.run(t(14_000)), Some(Action::Probe));
    // This time nothing comes back within another interval.
    assert_eq!(r.run(t(18_999)), None);
    let action = r.run(t(19_000));
    let reason = DisconnectReason::ProbeTimeout { waited: ms(5000) };
    assert_eq!(action, Some(Action::Disconnect(reason)));
    assert_eq!(
        reason.to_string(),
        "no response to inactivity probe after 5 seconds, disconnecting"
    );
    r.disconnected(t(19_000), reason.error_text());
    assert_eq!(r.state(), State::Backoff);
    assert_eq!(
        r.last_error(),
        Some(&Failure {
            message: "Connection timed out".into(),
            while_connecting: false
        })
    );
}

#[test]
fn probe_interval_zero_disables_and_small_values_are_raised() {
    let mut r = Reconnect::new(t(0));
    r.set_probe_interval(Some(Duration::ZERO));
    assert_eq!(r.probe_interval(), None);
    r.enable(t(0));
    r.run(t(0));
    r.connected(t(0));
    assert_eq!(r.deadline(), None);
    assert_eq!(r.run(t(3_600_000)), None);
    assert_eq!(r.state(), State::Active);

    r.set_probe_interval(Some(ms(200)));
    assert_eq!(r.probe_interval(), Some(ms(1000)));
    r.set_probe_interval(None);
    assert_eq!(r.probe_interval(), None);
}

#[test]
fn status_has_the_reference_keys() {
    let mut r = Reconnect::new(t(0));
    r.enable(t(0));
    fail_attempt(&mut r, t(0));
    // Never connected: no sec_since_* keys. The failed attempt is a
    // Controller-style last_error, which a Manager row leaves out.
    let s = r.status(t(500));
    assert!(!s.is_connected);
    assert_eq!(
        s.to_map(),
        map(&[("state", "BACKOFF"), ("last_error", "Connection refused")])
    );
    assert_eq!(
        s.without_connect_failures().to_map(),
        map(&[("state", "BACKOFF")])
    );

    assert_eq!(r.run(t(1000)), Some(Action::Connect));
    r.connecting(t(1000));
    assert_eq!(r.status(t(1000)).to_map()["state"], "CONNECTING");
    r.connected(t(1000));
    let s = r.status(t(4500));
    assert!(s.is_connected);
    assert_eq!(
        s.without_connect_failures().to_map(),
        map(&[("state", "ACTIVE"), ("sec_since_connect", "3")])
    );

    r.activity(t(5000));
    r.disconnected(t(10_000), Some("Connection reset by peer"));
    let s = r.status(t(12_999));
    assert_eq!(
        s.clone().without_connect_failures().to_map(),
        map(&[
            ("state", "BACKOFF"),
            ("sec_since_connect", "11"),
            ("sec_since_disconnect", "2"),
            ("last_error", "Connection reset by peer"),
        ])
    );
    assert_eq!(s.without_connect_failures(), r.status(t(12_999)));
    assert_eq!(r.total_connected_duration(t(50_000)), ms(9000));
}

#[test]
fn limited_tries_end_in_void() {
    let mut r = Reconnect::new(t(0));
    r.set_max_tries(Some(1));
    r.enable(t(0));
    fail_attempt(&mut r, t(0));
    assert_eq!(r.state(), State::Void);
    assert!(!r.is_enabled());
    assert_eq!(r.run(t(60_000)), None);

    let mut r = Reconnect::new(t(0));
    r.set_max_tries(Some(0));
    r.enable(t(0));
    assert_eq!(r.state(), State::Void);

    let mut r = Reconnect::new(t(0));
    r.set_max_tries(Some(2));
    r.enable(t(0));
    fail_attempt(&mut r, t(0));
    assert_eq!(r.state(), State::Backoff);
    fail_attempt(&mut r, t(1000));
    assert_eq!(r.state(), State::Void);
}

#[test]
fn forced_reconnect_asks_for_a_disconnect() {
    let mut r = Reconnect::new(t(0));
    r.enable(t(0));
    r.run(t(0));
    r.connecting(t(0));
    r.connected(t(0));
    let seqno = r.connection_seqno();
    r.force_reconnect(t(2000));
    assert_eq!(r.state(), State::Reconnect);
    assert_eq!(
        r.run(t(2000)),
        Some(Action::Disconnect(DisconnectReason::Forced))
    );
    assert_eq!(DisconnectReason::Forced.error_text(), None);
    r.disconnected(t(2000), None);
    assert_eq!(r.state(), State::Backoff);
    assert_ne!(r.connection_seqno(), seqno);
    assert_eq!(r.status(t(3000)).sec_since_disconnect, Some(1));
    assert_eq!(r.last_error(), None);
}

#[test]
fn events_while_down_change_nothing() {
    let mut r = Reconnect::new(t(0));
    r.disconnected(t(0), Some("x"));
    r.connect_failed(t(0), "x");
    assert_eq!(r.state(), State::Void);
    assert_eq!(r.last_error(), None);
    r.enable(t(0));
    r.disconnected(t(1), Some("x"));
    assert_eq!(r.state(), State::Backoff);
    assert_eq!(r.backoff(), Duration::ZERO);
    // Reporting a failure without `connecting` first still counts.
    r.connect_failed(t(2), "Connection refused");
    assert_eq!(r.backoff(), ms(1000));
    assert_eq!(r.n_attempted_connections(), 1);
}

#[test]
fn passive_mode_listens_and_relistens_at_once() {
    let mut r = Reconnect::new(t(0));
    r.set_passive(true, t(0));
    assert!(r.is_passive());
    r.enable(t(0));
    assert_eq!(r.run(t(0)), Some(Action::Connect));
    r.listening(t(0));
    assert_eq!(r.state(), State::Listening);
    assert_eq!(r.run(t(1_000_000)), None);
    assert_eq!(r.deadline(), None);

    // A peer connects, stays, goes: back to listening with no delay.
    r.connected(t(10));
    r.disconnected(t(20), None);
    assert_eq!(r.backoff(), Duration::ZERO);
    assert_eq!(r.run(t(20)), Some(Action::Connect));

    // Listening itself fails: back off like a failed connection.
    r.listening(t(20));
    r.listen_error(t(20), "Address already in use");
    assert_eq!(r.state(), State::Backoff);
    assert_eq!(r.backoff(), ms(1000));
    assert!(!r.is_quiet(), "passive mode never goes quiet");
}

#[test]
fn switching_to_active_while_listening_restarts() {
    let mut r = Reconnect::new(t(0));
    r.set_passive(true, t(0));
    r.enable(t(0));
    r.run(t(0));
    r.listening(t(0));
    r.set_passive(false, t(5));
    assert_eq!(r.state(), State::Backoff);
    assert_eq!(r.run(t(5)), Some(Action::Connect));
}

#[test]
fn disabling_a_connection_records_the_disconnect() {
    let mut r = Reconnect::new(t(0));
    r.enable(t(0));
    r.run(t(0));
    r.connected(t(0));
    assert_eq!(r.n_attempted_connections(), 1);
    assert_eq!(r.total_connected_duration(t(2500)), ms(2500));
    r.disable(t(3000));
    assert_eq!(r.state(), State::Void);
    assert_eq!(r.status(t(4000)).sec_since_disconnect, Some(1));
    assert_eq!(r.total_connected_duration(t(9000)), ms(3000));
    assert_eq!(r.status(t(4000)).to_map()["state"], "VOID");
}

#[test]
fn a_successful_connect_ends_quiet_mode() {
    let mut r = Reconnect::new(t(0));
    r.enable(t(0));
    let mut now = 0;
    for _ in 0..4 {
        fail_attempt(&mut r, t(now));
        now += r.backoff().as_millis() as u64;
    }
    assert!(r.is_quiet());
    r.run(t(now));
    r.connecting(t(now));
    r.connected(t(now));
    assert!(!r.is_quiet());
}
