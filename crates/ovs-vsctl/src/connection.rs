//! Connecting to the database server for the driver: once, or with `--retry` until
//! it answers (saying on stderr that it does not, which the reference never says).

use crate::driver::{Driver, Fatal};
use crate::session::{self, Session, SessionError};

impl Driver {
    /// Connects and waits for the snapshot (with `watch`, also to be told of changes).
    pub(crate) fn connect(&mut self, watch: bool) -> Result<Session, Fatal> {
        loop {
            let stream = self.open_stream()?;
            let result = Session::start(stream, &self.plan, &self.registry, watch)
                .and_then(|mut s| s.wait_ready(None).map(|()| s));
            match result {
                Ok(s) => return Ok(s),
                Err(e) => {
                    let text = self.session_error_text(&e);
                    if !self.opts.retry {
                        return Err(Fatal(format!(
                            "{}: database connection failed ({text})",
                            self.remote.name
                        )));
                    }
                    self.say_unreachable(&text);
                }
            }
        }
    }

    fn open_stream(&mut self) -> Result<ovs_stream::Stream, Fatal> {
        let retry = self.opts.retry;
        let name = self.remote.name.clone();
        let mut said = self.said_unreachable;
        let result = session::connect(&self.remote, retry, |error, _| {
            if !said {
                said = true;
                eprintln!(
                    "ovs-vsctl: cannot reach the database server at {name} ({error}); \
                     retrying until it answers (--retry); interrupt to give up"
                );
            }
        });
        self.said_unreachable = said;
        result.map_err(|text| Fatal(format!("{name}: database connection failed ({text})")))
    }

    pub(crate) fn say_unreachable(&mut self, error: &str) {
        if !self.said_unreachable {
            self.said_unreachable = true;
            eprintln!(
                "ovs-vsctl: cannot reach the database server at {} ({error}); \
                 retrying until it answers (--retry); interrupt to give up",
                self.remote.name
            );
        }
    }

    pub(crate) fn session_error_text(&self, e: &SessionError) -> String {
        match e {
            SessionError::Connection(t) | SessionError::Failed(t) => t.clone(),
            SessionError::Timeout => "Connection timed out".into(),
        }
    }

    /// After losing the connection: reconnect if allowed.
    pub(crate) fn recover(&mut self, e: SessionError) -> Result<Session, Fatal> {
        if !self.opts.retry {
            return Err(Fatal(format!(
                "{}: database connection failed ({})",
                self.remote.name,
                self.session_error_text(&e)
            )));
        }
        self.connect(true)
    }
}
