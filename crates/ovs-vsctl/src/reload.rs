//! After a commit: waiting until ovs-vswitchd has applied it (`cur_cfg` reaching the
//! `next_cfg` the commit set), saying so on stderr when that takes long, and then
//! reporting new interfaces it could not set up, as the reference does.

use crate::driver::{Driver, Fatal};
use crate::session::Session;
use std::io::IsTerminal;
use std::time::{Duration, Instant};

/// How long to wait for ovs-vswitchd before saying so (the environment variable
/// `OXVS_VSCTL_NOTICE_MS` overrides it, for tests).
fn slow_reload() -> Duration {
    std::env::var("OXVS_VSCTL_NOTICE_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .map_or(Duration::from_secs(5), Duration::from_millis)
}

impl Driver {
    /// Reports the new interfaces ovs-vswitchd could not set up (no OpenFlow port),
    /// with the error it recorded, as the reference does.
    pub(crate) fn check_interfaces(&mut self, mut session: Session, ifaces: &[ovsdb::Uuid]) {
        if ifaces.is_empty() {
            return;
        }
        let ops: Vec<ovs_json::Json> = ifaces
            .iter()
            .map(|u| {
                ovs_json::Json::object([
                    ("op", ovs_json::Json::string("select")),
                    ("table", ovs_json::Json::string("Interface")),
                    (
                        "where",
                        ovs_json::Json::array([ovs_json::Json::array([
                            ovs_json::Json::string("_uuid"),
                            ovs_json::Json::string("=="),
                            ovsdb::atom::uuid_to_json(u),
                        ])]),
                    ),
                    (
                        "columns",
                        ovs_json::Json::array(
                            ["name", "ofport", "error"].map(ovs_json::Json::string),
                        ),
                    ),
                ])
            })
            .collect();
        let Ok(Ok(reply)) = session.transact(ops) else {
            return;
        };
        let mut any = false;
        for result in reply.as_array().into_iter().flatten() {
            let Some(row) = result
                .get("rows")
                .and_then(ovs_json::Json::as_array)
                .and_then(|r| r.first())
            else {
                continue;
            };
            let ofport = row.get("ofport").and_then(ovs_json::Json::as_i64);
            if ofport.is_some_and(|p| p != -1) {
                continue;
            }
            let name = row
                .get("name")
                .and_then(ovs_json::Json::as_str)
                .unwrap_or("");
            match row
                .get("error")
                .and_then(ovs_json::Json::as_str)
                .filter(|e| !e.is_empty())
            {
                Some(error) => eprintln!(
                    "ovs-vsctl: Error detected while setting up '{name}': {error}.  See \
                     ovs-vswitchd log for details."
                ),
                None => eprintln!(
                    "ovs-vsctl: Error detected while setting up '{name}'.  See ovs-vswitchd \
                     log for details."
                ),
            }
            any = true;
        }
        if any {
            eprintln!(
                "ovs-vsctl: The default log directory is \"{}\".",
                ovs_daemon::dirs::logdir().display()
            );
        }
    }

    /// Waits until ovs-vswitchd reports (`cur_cfg`) that it applied `next_cfg`.
    pub(crate) fn wait_for_reload(
        &mut self,
        mut session: Session,
        next_cfg: i64,
    ) -> Result<Session, Fatal> {
        if std::io::stdout().is_terminal() {
            self.flush_stdout();
        }
        let start = Instant::now();
        let mut said = false;
        loop {
            let cur_cfg = session.replica().and_then(|r| {
                r.rows("Open_vSwitch")
                    .filter_map(|row| r.get("Open_vSwitch", row, "cur_cfg"))
                    .filter_map(|d| d.first().and_then(ovsdb::Atom::as_i64))
                    .max()
            });
            if cur_cfg.is_some_and(|c| c >= next_cfg) {
                return Ok(session);
            }
            let deadline = (!said).then(|| start + slow_reload());
            match session.wait_for_change(deadline) {
                Ok(true) => {}
                Ok(false) => {
                    said = true;
                    eprintln!(
                        "ovs-vsctl: waiting for ovs-vswitchd to apply the change (it reports \
                         configuration {}, this change is {next_cfg}); is ovs-vswitchd running? \
                         The change is already in the database: use --no-wait to skip this \
                         wait, or --timeout=SECS to limit it",
                        cur_cfg.map_or_else(|| "none".to_string(), |c| c.to_string())
                    );
                }
                Err(_) => {
                    // The reference reconnects here even without --retry.
                    loop {
                        match self.reconnect_for_wait() {
                            Ok(s) => {
                                session = s;
                                break;
                            }
                            Err(text) => self.say_unreachable(&text),
                        }
                        // Waiting out a retry interval, not synchronisation.
                        std::thread::sleep(Duration::from_millis(500));
                    }
                }
            }
        }
    }

    fn reconnect_for_wait(&mut self) -> Result<Session, String> {
        let stream = self.remote.open().map_err(|e| ovs_stream::error_text(&e))?;
        let mut s = Session::start(stream, &self.plan, &self.registry, true)
            .map_err(|e| self.session_error_text(&e))?;
        s.wait_ready(None)
            .map_err(|e| self.session_error_text(&e))?;
        Ok(s)
    }
}
