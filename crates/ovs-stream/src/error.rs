//! Errors for connection-method names, and the OS error text that the reference
//! prints in parentheses after "failed to connect to ...".

use std::fmt;
use std::io;

/// Which family of connection methods a parser accepts. It decides which forms
/// an error message suggests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MethodKind {
    /// `unix:`, `tcp:`, `ssl:`: the program connects.
    Active,
    /// `punix:`, `ptcp:`, `pssl:`: the program listens.
    Passive,
    /// Either of the above (e.g. `ovs-vsctl --db`).
    Any,
}

impl MethodKind {
    /// The accepted forms, as a user would write them.
    pub fn forms(self) -> &'static str {
        match self {
            MethodKind::Active => "unix:PATH, tcp:HOST[:PORT] or ssl:HOST[:PORT]",
            MethodKind::Passive => "punix:PATH, ptcp:[PORT][:IP] or pssl:[PORT][:IP]",
            MethodKind::Any => {
                "unix:PATH, tcp:HOST[:PORT], ssl:HOST[:PORT], \
                 punix:PATH, ptcp:[PORT][:IP] or pssl:[PORT][:IP]"
            }
        }
    }
}

/// What is wrong with a connection-method name. The `Display` text is the part
/// after the name in [`AddressError`]'s message.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Problem {
    /// The whole name is empty.
    Empty { expected: MethodKind },
    /// No `prefix:` at all, e.g. `db.sock`.
    MissingPrefix { expected: MethodKind },
    /// A prefix that no connection method has, e.g. `foo:`.
    UnknownMethod {
        method: String,
        expected: MethodKind,
    },
    /// A passive method where an active one is needed.
    PassiveNotAllowed { method: String },
    /// An active method where a passive one is needed.
    ActiveNotAllowed { method: String },
    /// `unix:` or `punix:` with nothing after it.
    MissingPath { method: String },
    /// `tcp:` or `ssl:` with nothing where the host goes.
    MissingHost { method: String },
    /// `ptcp:6640:` with nothing after the last colon.
    MissingListenHost { method: String },
    /// `tcp:1.2.3.4:` with nothing after the colon.
    MissingPort,
    /// A port that is not a decimal number from 0 to 65535.
    BadPort {
        text: String,
        passive_hint: Option<String>,
    },
    /// An IPv6 address written without the square brackets.
    UnbracketedIpv6 { addr: String, example: String },
    /// More colons than the form allows, and not an IPv6 address.
    TooManyColons { method: String },
    /// `[` without a matching `]`.
    UnclosedBracket,
    /// Something in square brackets that is not an IPv6 address.
    NotIpv6 { text: String },
    /// Text after `]` that is not `:PORT` (active) or anything at all (passive).
    AfterBracket { text: String, expected_port: bool },
    /// Dotted decimal that is not an IPv4 address, e.g. `256.1.1.1`.
    BadIpv4 { text: String },
    /// A host name with characters no host name has.
    BadHostName { text: String },
    /// `[fe80::1%]` or a scope with odd characters.
    BadScope { text: String },
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::Empty { expected } => {
                write!(f, "empty connection method; expected {}", expected.forms())
            }
            Problem::MissingPrefix { expected } => write!(
                f,
                "missing connection method prefix; expected {}",
                expected.forms()
            ),
            Problem::UnknownMethod { method, expected } => write!(
                f,
                "unknown connection method \"{method}\"; expected {}",
                expected.forms()
            ),
            Problem::PassiveNotAllowed { method } => write!(
                f,
                "\"{method}\" is a passive connection method (it listens); \
                 expected an active one: {}",
                MethodKind::Active.forms()
            ),
            Problem::ActiveNotAllowed { method } => write!(
                f,
                "\"{method}\" is an active connection method (it connects); \
                 expected a passive one: {}",
                MethodKind::Passive.forms()
            ),
            Problem::MissingPath { method } => {
                write!(f, "missing socket file name after \"{method}:\"")
            }
            Problem::MissingHost { method } => {
                write!(f, "missing host; expected {method}:HOST[:PORT]")
            }
            Problem::MissingListenHost { method } => write!(
                f,
                "missing IP address after the last \":\"; expected {method}:[PORT][:IP]"
            ),
            Problem::MissingPort => write!(f, "missing port number after \":\""),
            Problem::BadPort { text, passive_hint } => {
                write!(f, "bad port number \"{text}\" (expected 0 to 65535)")?;
                if let Some(method) = passive_hint {
                    write!(f, "; the port comes first: {method}:[PORT][:IP]")?;
                }
                Ok(())
            }
            Problem::UnbracketedIpv6 { addr, example } => write!(
                f,
                "IPv6 address \"{addr}\" must be in square brackets, e.g. {example}"
            ),
            Problem::TooManyColons { method } => {
                let form = match method.as_str() {
                    "ptcp" | "pssl" => "[PORT][:IP]",
                    _ => "HOST[:PORT]",
                };
                write!(f, "too many \":\"; expected {method}:{form}")
            }
            Problem::UnclosedBracket => write!(f, "missing \"]\" after IPv6 address"),
            Problem::NotIpv6 { text } => {
                write!(f, "\"{text}\" in square brackets is not an IPv6 address")
            }
            Problem::AfterBracket {
                text,
                expected_port: true,
            } => write!(f, "unexpected \"{text}\" after \"]\"; expected \":PORT\""),
            Problem::AfterBracket {
                text,
                expected_port: false,
            } => write!(f, "unexpected \"{text}\" after \"]\""),
            Problem::BadIpv4 { text } => write!(f, "\"{text}\" is not a valid IPv4 address"),
            Problem::BadHostName { text } => write!(f, "bad host name \"{text}\""),
            Problem::BadScope { text } => write!(f, "bad IPv6 scope \"{text}\""),
        }
    }
}

/// A connection-method name that does not parse. Displays as
/// `NAME: PROBLEM`, e.g. `tcp:1.2.3.4:abc: bad port number "abc" (expected 0
/// to 65535)`, in the style of the reference's log messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddressError {
    name: String,
    problem: Problem,
}

impl AddressError {
    pub(crate) fn new(name: &str, problem: Problem) -> AddressError {
        AddressError {
            name: name.to_string(),
            problem,
        }
    }

    /// The name as the user wrote it.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// What is wrong with it.
    pub fn problem(&self) -> &Problem {
        &self.problem
    }

    /// The errno the reference reports for a name it cannot use:
    /// `EAFNOSUPPORT` ("Address family not supported by protocol"). CLIs that
    /// must print the reference's exact `failed to connect or listen to "X"
    /// (...)` line use this; everything else should show `Display`.
    pub fn reference_errno(&self) -> i32 {
        libc::EAFNOSUPPORT
    }
}

impl fmt::Display for AddressError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.name.is_empty() {
            write!(f, "{}", self.problem)
        } else {
            write!(f, "{}: {}", self.name, self.problem)
        }
    }
}

impl std::error::Error for AddressError {}

impl From<AddressError> for io::Error {
    fn from(e: AddressError) -> io::Error {
        io::Error::new(io::ErrorKind::InvalidInput, e)
    }
}

/// The text of an I/O error the way the reference prints it: `strerror()`
/// alone ("Connection refused"), without Rust's " (os error 111)" suffix.
/// Errors this crate makes itself (e.g. "SSL is not supported yet") come back
/// unchanged.
pub fn error_text(err: &io::Error) -> String {
    let text = err.to_string();
    match err.raw_os_error() {
        Some(code) => {
            let suffix = format!(" (os error {code})");
            match text.strip_suffix(&suffix) {
                Some(bare) => bare.to_string(),
                None => text,
            }
        }
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_text_drops_the_os_error_suffix() {
        let e = io::Error::from_raw_os_error(libc::ECONNREFUSED);
        assert_eq!(error_text(&e), "Connection refused");
        let e = io::Error::from_raw_os_error(libc::EAFNOSUPPORT);
        assert_eq!(error_text(&e), "Address family not supported by protocol");
    }

    #[test]
    fn error_text_keeps_custom_messages() {
        let e = io::Error::new(
            io::ErrorKind::Unsupported,
            "ssl:x:1: SSL is not supported yet",
        );
        assert_eq!(error_text(&e), "ssl:x:1: SSL is not supported yet");
    }

    #[test]
    fn address_error_converts_to_invalid_input() {
        let e = AddressError::new("x", Problem::MissingPort);
        let io: io::Error = e.into();
        assert_eq!(io.kind(), io::ErrorKind::InvalidInput);
        assert_eq!(error_text(&io), "x: missing port number after \":\"");
    }
}
