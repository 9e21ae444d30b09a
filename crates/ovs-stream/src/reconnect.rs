//! The state machine that keeps a long-lived connection alive: when to
//! connect, how long to back off after a failure, when to send an inactivity
//! probe and when to give up on a silent peer. It does no I/O and reads no
//! clock: every call takes `now`, so daemons drive it from their event loop
//! and tests drive it with a fake clock.
//!
//! Behaviour, as observed from the reference (ovsdb-server remotes,
//! ovs-vswitchd's database connection and controllers):
//! - Enabled, it connects at once. Each failure doubles the backoff, starting
//!   at `min_backoff` (1 s) and capped at `max_backoff` (8 s): 1, 2, 4, 8, 8...
//! - A connection that was up, with traffic, for at least the current backoff
//!   counts as healthy: when it drops, the backoff restarts at `min_backoff`.
//!   A connection that drops sooner keeps doubling.
//! - A connection attempt that has not finished after max(backoff, 1 s) is
//!   abandoned ("connection attempt timed out").
//! - With nothing received for `probe_interval` (5 s; 0 disables, less than
//!   1 s counts as 1 s) the caller sends a probe (an echo request) and the
//!   state becomes IDLE; if still nothing arrives within another interval,
//!   the caller disconnects.
//!
//! Logging the way the reference does is the caller's job; [`Reconnect::backoff`]
//! and [`Reconnect::is_quiet`] give what it needs: after a failure, log
//! "waiting N seconds before reconnect" when the backoff is above the minimum,
//! and when `is_quiet` turns true log "continuing to reconnect in the
//! background but suppressing further logging" and demote further
//! connect/failure messages until the next successful connection.

use std::collections::BTreeMap;
use std::fmt;
use std::time::{Duration, Instant};

/// Shortest wait between connection attempts (and the backoff's first step).
pub const DEFAULT_MIN_BACKOFF: Duration = Duration::from_millis(1000);
/// Longest wait between connection attempts (Manager/Controller
/// `max_backoff` default).
pub const DEFAULT_MAX_BACKOFF: Duration = Duration::from_millis(8000);
/// Idle time before an inactivity probe (Manager/Controller
/// `inactivity_probe` default).
pub const DEFAULT_PROBE_INTERVAL: Duration = Duration::from_millis(5000);

/// Probe intervals below this are raised to it.
const MIN_PROBE_INTERVAL: Duration = Duration::from_millis(1000);
/// A connection attempt gets at least this long before it is abandoned.
const MIN_CONNECT_TIMEOUT: Duration = Duration::from_millis(1000);

/// Where the connection is. [`State::name`] is the text of the `state` status
/// key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum State {
    /// Disabled: not connected and not trying.
    Void,
    /// Waiting before the next connection attempt.
    Backoff,
    /// A connection attempt is in progress.
    Connecting,
    /// Connected, and the peer has been heard from recently.
    Active,
    /// Connected, a probe was sent, waiting for the peer to answer.
    Idle,
    /// Connected, but a reconnect was requested; the caller should disconnect.
    Reconnect,
    /// Passive mode: listening for connections.
    Listening,
}

impl State {
    /// "VOID", "BACKOFF", "CONNECTING", "ACTIVE", "IDLE", "RECONNECT" or
    /// "LISTENING".
    pub fn name(self) -> &'static str {
        match self {
            State::Void => "VOID",
            State::Backoff => "BACKOFF",
            State::Connecting => "CONNECTING",
            State::Active => "ACTIVE",
            State::Idle => "IDLE",
            State::Reconnect => "RECONNECT",
            State::Listening => "LISTENING",
        }
    }

    /// Whether a connection is up (ACTIVE or IDLE).
    pub fn is_connected(self) -> bool {
        matches!(self, State::Active | State::Idle)
    }
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What [`Reconnect::run`] asks the caller to do now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Start a connection attempt (or, in passive mode, start listening),
    /// then report [`Reconnect::connecting`] / [`Reconnect::listening`].
    Connect,
    /// Close the connection (or abandon the attempt), then report
    /// [`Reconnect::disconnected`] or [`Reconnect::connect_failed`] with
    /// [`DisconnectReason::error_text`].
    Disconnect(DisconnectReason),
    /// Send an inactivity probe (an echo request). The state is already IDLE.
    Probe,
}

/// Why [`Reconnect::run`] asks for a disconnect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DisconnectReason {
    /// The connection attempt took too long.
    ConnectTimeout,
    /// The peer did not answer an inactivity probe within `waited`.
    ProbeTimeout { waited: Duration },
    /// [`Reconnect::force_reconnect`] was called.
    Forced,
}

impl DisconnectReason {
    /// The error to record for this disconnect: the reference records
    /// timeouts as `strerror(ETIMEDOUT)`.
    pub fn error_text(self) -> Option<&'static str> {
        match self {
            DisconnectReason::ConnectTimeout | DisconnectReason::ProbeTimeout { .. } => {
                Some("Connection timed out")
            }
            DisconnectReason::Forced => None,
        }
    }
}

impl fmt::Display for DisconnectReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DisconnectReason::ConnectTimeout => f.write_str("connection attempt timed out"),
            DisconnectReason::ProbeTimeout { waited } => write!(
                f,
                "no response to inactivity probe after {} seconds, disconnecting",
                format_seconds(*waited)
            ),
            DisconnectReason::Forced => f.write_str("forced reconnect"),
        }
    }
}

/// Seconds with up to three significant digits and no trailing zeros
/// ("5", "1.5", "0.25"), as the reference prints durations in log messages.
pub fn format_seconds(d: Duration) -> String {
    let secs = d.as_secs_f64();
    if secs == 0.0 {
        return "0".to_string();
    }
    let magnitude = secs.abs().log10().floor() as i32;
    let decimals = (2 - magnitude).max(0) as usize;
    let text = format!("{secs:.decimals$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

/// The last error seen on the connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// Human-readable, e.g. "Connection refused".
    pub message: String,
    /// True if it happened while trying to connect (or listen), false if an
    /// established connection failed. ovsdb-server's Manager status reports
    /// only the latter; ovs-vswitchd's Controller status reports both.
    pub while_connecting: bool,
}

/// A snapshot for the Manager/Controller `status` column and `is_connected`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    pub state: State,
    pub is_connected: bool,
    /// Whole seconds since the last successful connection; `None` if never.
    pub sec_since_connect: Option<u64>,
    /// Whole seconds since the last connection went down; `None` if never.
    pub sec_since_disconnect: Option<u64>,
    pub last_error: Option<Failure>,
}

impl Status {
    /// The `status` column's keys: `state`, `sec_since_connect`,
    /// `sec_since_disconnect` and `last_error`, each only when it has a value.
    /// (Use [`Status::without_connect_failures`] first for ovsdb-server's
    /// Manager rows.)
    pub fn to_map(&self) -> BTreeMap<String, String> {
        let mut map = BTreeMap::new();
        map.insert("state".to_string(), self.state.name().to_string());
        if let Some(s) = self.sec_since_connect {
            map.insert("sec_since_connect".to_string(), s.to_string());
        }
        if let Some(s) = self.sec_since_disconnect {
            map.insert("sec_since_disconnect".to_string(), s.to_string());
        }
        if let Some(e) = &self.last_error {
            map.insert("last_error".to_string(), e.message.clone());
        }
        map
    }

    /// The same status with `last_error` dropped if it came from a failed
    /// connection attempt rather than an established connection.
    pub fn without_connect_failures(mut self) -> Status {
        if self.last_error.as_ref().is_some_and(|e| e.while_connecting) {
            self.last_error = None;
        }
        self
    }
}

/// The reconnect state machine. See the module documentation.
#[derive(Debug, Clone)]
pub struct Reconnect {
    min_backoff: Duration,
    max_backoff: Duration,
    probe_interval: Option<Duration>,
    passive: bool,
    /// Attempts left; `None` for unlimited.
    tries_left: Option<u32>,

    state: State,
    state_entered: Instant,
    backoff: Duration,
    quiet: bool,
    last_activity: Instant,
    last_connected: Option<Instant>,
    last_disconnected: Option<Instant>,
    last_error: Option<Failure>,

    seqno: u64,
    n_attempted: u64,
    n_successful: u64,
    total_connected: Duration,
}

impl Reconnect {
    /// A disabled (VOID) machine with the default backoff and probe interval.
    pub fn new(now: Instant) -> Reconnect {
        Reconnect {
            min_backoff: DEFAULT_MIN_BACKOFF,
            max_backoff: DEFAULT_MAX_BACKOFF,
            probe_interval: Some(DEFAULT_PROBE_INTERVAL),
            passive: false,
            tries_left: None,
            state: State::Void,
            state_entered: now,
            backoff: Duration::ZERO,
            quiet: false,
            last_activity: now,
            last_connected: None,
            last_disconnected: None,
            last_error: None,
            seqno: 0,
            n_attempted: 0,
            n_successful: 0,
            total_connected: Duration::ZERO,
        }
    }

    // --- configuration -------------------------------------------------

    /// Sets the backoff range. `min` is at least 1 s and `max` at least `min`
    /// (the schema's `max_backoff` is "at least 1,000" ms). A current backoff
    /// above the new maximum is lowered to it.
    pub fn set_backoff(&mut self, min: Duration, max: Duration) {
        self.min_backoff = min.max(DEFAULT_MIN_BACKOFF);
        self.max_backoff = max.max(self.min_backoff);
        if self.state == State::Backoff && self.backoff > self.max_backoff {
            self.backoff = self.max_backoff;
        }
    }

    /// Sets only the maximum backoff (what Manager/Controller `max_backoff`
    /// configures).
    pub fn set_max_backoff(&mut self, max: Duration) {
        self.set_backoff(self.min_backoff, max);
    }

    pub fn min_backoff(&self) -> Duration {
        self.min_backoff
    }

    pub fn max_backoff(&self) -> Duration {
        self.max_backoff
    }

    /// Sets the inactivity probe interval. `None` or zero disables probes;
    /// anything under 1 s is raised to 1 s.
    pub fn set_probe_interval(&mut self, interval: Option<Duration>) {
        self.probe_interval = interval
            .filter(|d| !d.is_zero())
            .map(|d| d.max(MIN_PROBE_INTERVAL));
    }

    pub fn probe_interval(&self) -> Option<Duration> {
        self.probe_interval
    }

    /// Limits the number of connection attempts (`Some(1)`: try once, as
    /// `ovs-vsctl` does without `--retry`). When they run out the machine
    /// goes to VOID instead of BACKOFF. `None` means unlimited.
    pub fn set_max_tries(&mut self, tries: Option<u32>) {
        self.tries_left = tries;
    }

    /// Switches between connecting (active) and listening (passive). A
    /// change while trying to connect or listen restarts at once in the new
    /// mode.
    pub fn set_passive(&mut self, passive: bool, now: Instant) {
        if self.passive == passive {
            return;
        }
        self.passive = passive;
        let restart = if passive {
            matches!(self.state, State::Connecting | State::Reconnect)
        } else {
            self.state == State::Listening
        };
        if restart && self.may_retry() {
            self.transition(State::Backoff, now);
            self.backoff = Duration::ZERO;
        }
    }

    pub fn is_passive(&self) -> bool {
        self.passive
    }

    // --- control -------------------------------------------------------

    /// Starts trying to connect, at once, if disabled.
    pub fn enable(&mut self, now: Instant) {
        if self.state == State::Void && self.may_retry() {
            self.transition(State::Backoff, now);
            self.backoff = Duration::ZERO;
            self.quiet = false;
        }
    }

    /// Stops trying. The caller closes any connection it has.
    pub fn disable(&mut self, now: Instant) {
        if self.state != State::Void {
            self.leave_connected(now);
            self.transition(State::Void, now);
        }
    }

    pub fn is_enabled(&self) -> bool {
        self.state != State::Void
    }

    /// Asks for the current connection (or attempt) to be dropped and a new
    /// one made; [`Reconnect::run`] then returns `Disconnect(Forced)`.
    pub fn force_reconnect(&mut self, now: Instant) {
        if matches!(self.state, State::Connecting | State::Active | State::Idle) {
            self.transition(State::Reconnect, now);
        }
    }

    // --- events reported by the caller ----------------------------------

    /// A connection attempt has started.
    pub fn connecting(&mut self, now: Instant) {
        if self.state != State::Connecting {
            self.n_attempted += 1;
            self.transition(State::Connecting, now);
        }
    }

    /// Passive mode: now listening for connections.
    pub fn listening(&mut self, now: Instant) {
        if self.state != State::Listening {
            self.transition(State::Listening, now);
        }
    }

    /// Passive mode: listening failed (e.g. the port is in use). Backs off
    /// like a failed connection attempt.
    pub fn listen_error(&mut self, now: Instant, error: &str) {
        if self.state == State::Listening {
            self.connect_failed(now, error);
        }
    }

    /// The connection is up.
    pub fn connected(&mut self, now: Instant) {
        if !self.state.is_connected() {
            self.connecting(now);
            self.n_successful += 1;
            self.seqno += 1;
            self.last_connected = Some(now);
            self.quiet = false;
            self.transition(State::Active, now);
        }
    }

    /// The connection attempt failed with `error` (e.g. "Connection
    /// refused").
    /// Ignored while disabled (VOID).
    pub fn connect_failed(&mut self, now: Instant, error: &str) {
        match self.state {
            State::Void => return,
            // The caller may skip reporting `connecting` for an attempt
            // that failed at once.
            State::Backoff => self.connecting(now),
            _ => {}
        }
        self.record_error(error);
        self.went_down(now);
    }

    /// The connection (or attempt) is gone; `error` says why, `None` for a
    /// clean close. Ignored if already disconnected.
    pub fn disconnected(&mut self, now: Instant, error: Option<&str>) {
        if matches!(self.state, State::Void | State::Backoff) {
            return;
        }
        if let Some(e) = error {
            self.record_error(e);
        }
        self.went_down(now);
    }

    /// Something was received from the peer.
    pub fn activity(&mut self, now: Instant) {
        if self.state == State::Idle {
            self.transition(State::Active, now);
        }
        self.last_activity = now;
    }

    // --- driving -------------------------------------------------------

    /// What to do now, if anything. A probe moves ACTIVE to IDLE by itself;
    /// for `Connect` and `Disconnect` the caller reports the outcome.
    pub fn run(&mut self, now: Instant) -> Option<Action> {
        let deadline = self.deadline()?;
        if now < deadline {
            return None;
        }
        match self.state {
            State::Backoff => Some(Action::Connect),
            State::Connecting => Some(Action::Disconnect(DisconnectReason::ConnectTimeout)),
            State::Active => {
                self.transition(State::Idle, now);
                Some(Action::Probe)
            }
            State::Idle => Some(Action::Disconnect(DisconnectReason::ProbeTimeout {
                waited: self.probe_interval.unwrap_or_default(),
            })),
            State::Reconnect => Some(Action::Disconnect(DisconnectReason::Forced)),
            State::Void | State::Listening => None,
        }
    }

    /// When [`Reconnect::run`] will next have something to do; `None` if
    /// only an event can change anything.
    pub fn deadline(&self) -> Option<Instant> {
        match self.state {
            State::Void | State::Listening => None,
            State::Backoff => Some(self.state_entered + self.backoff),
            State::Connecting => Some(self.state_entered + self.backoff.max(MIN_CONNECT_TIMEOUT)),
            State::Active => self
                .probe_interval
                .map(|p| self.last_activity.max(self.state_entered) + p),
            State::Idle => self.probe_interval.map(|p| self.state_entered + p),
            State::Reconnect => Some(self.state_entered),
        }
    }

    /// How long until [`Reconnect::deadline`] (zero if it has passed).
    pub fn timeout(&self, now: Instant) -> Option<Duration> {
        self.deadline().map(|d| d.saturating_duration_since(now))
    }

    // --- queries -------------------------------------------------------

    pub fn state(&self) -> State {
        self.state
    }

    pub fn is_connected(&self) -> bool {
        self.state.is_connected()
    }

    /// The current wait between attempts.
    pub fn backoff(&self) -> Duration {
        self.backoff
    }

    /// True once failures have pushed the backoff to its maximum, until the
    /// next successful connection: the reference stops logging each attempt.
    pub fn is_quiet(&self) -> bool {
        self.quiet
    }

    pub fn last_error(&self) -> Option<&Failure> {
        self.last_error.as_ref()
    }

    /// Changes each time the connection comes up or goes down; a daemon
    /// rewrites the status column when it changes.
    pub fn connection_seqno(&self) -> u64 {
        self.seqno
    }

    pub fn n_attempted_connections(&self) -> u64 {
        self.n_attempted
    }

    pub fn n_successful_connections(&self) -> u64 {
        self.n_successful
    }

    /// Total time connected, including the current connection.
    pub fn total_connected_duration(&self, now: Instant) -> Duration {
        match (self.state.is_connected(), self.last_connected) {
            (true, Some(t)) => self.total_connected + now.saturating_duration_since(t),
            _ => self.total_connected,
        }
    }

    /// The values for the Manager/Controller `status` column.
    pub fn status(&self, now: Instant) -> Status {
        Status {
            state: self.state,
            is_connected: self.is_connected(),
            sec_since_connect: self
                .last_connected
                .map(|t| now.saturating_duration_since(t).as_secs()),
            sec_since_disconnect: self
                .last_disconnected
                .map(|t| now.saturating_duration_since(t).as_secs()),
            last_error: self.last_error.clone(),
        }
    }

    // --- internals -----------------------------------------------------

    fn transition(&mut self, state: State, now: Instant) {
        self.state = state;
        self.state_entered = now;
    }

    fn record_error(&mut self, message: &str) {
        self.last_error = Some(Failure {
            message: message.to_string(),
            while_connecting: !self.state.is_connected() && self.state != State::Reconnect,
        });
    }

    /// Bookkeeping for leaving ACTIVE/IDLE/RECONNECT.
    fn leave_connected(&mut self, now: Instant) {
        if self.state.is_connected() || self.state == State::Reconnect {
            self.last_disconnected = Some(now);
            if let Some(t) = self.last_connected {
                self.total_connected += now.saturating_duration_since(t);
            }
            self.seqno += 1;
        }
    }

    /// Common path for a failed attempt and a dropped connection.
    fn went_down(&mut self, now: Instant) {
        let was_up = self.state.is_connected() || self.state == State::Reconnect;
        let healthy = was_up
            && self.last_connected.is_some_and(|connected| {
                self.passive
                    || self.last_activity.saturating_duration_since(connected) >= self.backoff
            });
        self.leave_connected(now);
        if healthy {
            self.backoff = if self.passive {
                Duration::ZERO
            } else {
                self.min_backoff
            };
        } else {
            self.backoff = if self.backoff < self.min_backoff {
                self.min_backoff
            } else {
                (self.backoff * 2).min(self.max_backoff)
            };
            if !self.passive && self.backoff == self.max_backoff {
                self.quiet = true;
            }
        }
        if self.may_retry() {
            self.transition(State::Backoff, now);
        } else {
            self.transition(State::Void, now);
        }
    }

    /// Uses up one attempt if attempts are limited.
    fn may_retry(&mut self) -> bool {
        match &mut self.tries_left {
            None => true,
            Some(0) => false,
            Some(n) => {
                *n -= 1;
                true
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_are_printed_like_the_reference() {
        assert_eq!(format_seconds(Duration::from_millis(5000)), "5");
        assert_eq!(format_seconds(Duration::from_millis(1500)), "1.5");
        assert_eq!(format_seconds(Duration::from_millis(250)), "0.25");
        assert_eq!(format_seconds(Duration::from_millis(180_000)), "180");
        assert_eq!(format_seconds(Duration::ZERO), "0");
    }
}
