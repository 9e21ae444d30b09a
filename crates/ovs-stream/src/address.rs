//! Connection-method names (`unix:PATH`, `tcp:HOST[:PORT]`, `ptcp:[PORT][:IP]`,
//! ...): parsing them with the protocol's default port, and writing them back
//! in canonical form.
//!
//! Canonical means: the port is always written out, IP addresses are in their
//! shortest form, IPv6 addresses are in brackets. A program that must echo
//! what the user typed (`ovsdb-server/list-remotes`, log prefixes) keeps the
//! original string; `Display` is for everything else.

use crate::error::{AddressError, MethodKind, Problem};
use crate::host::{parse_bracketed, parse_host, Host};
use std::fmt;
use std::path::{Path, PathBuf};

/// The OVSDB protocol's registered port, used when a name leaves it out.
pub const OVSDB_PORT: u16 = 6640;
/// The OpenFlow protocol's registered port, used when a name leaves it out.
pub const OPENFLOW_PORT: u16 = 6653;

/// A host and port to connect to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct HostPort {
    pub host: Host,
    pub port: u16,
}

impl fmt::Display for HostPort {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.host, self.port)
    }
}

/// An active connection method: where a client connects.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Address {
    /// `unix:PATH`. A relative path is relative to the run directory; see
    /// [`Address::resolve_relative`].
    Unix(PathBuf),
    /// `tcp:HOST[:PORT]`.
    Tcp(HostPort),
    /// `ssl:HOST[:PORT]`. Parses, but connecting fails until TLS support lands.
    Ssl(HostPort),
}

/// A port and optional local address to listen on.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ListenOn {
    /// 0 lets the kernel choose; the listener reports the port it got.
    pub port: u16,
    /// `None` listens on every IPv4 address (not IPv6), like the reference;
    /// `[::]` listens on both.
    pub host: Option<Host>,
}

impl fmt::Display for ListenOn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.port)?;
        if let Some(host) = &self.host {
            write!(f, ":{host}")?;
        }
        Ok(())
    }
}

/// A passive connection method: where a server listens.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ListenAddress {
    /// `punix:PATH`. A relative path is relative to the run directory.
    Unix(PathBuf),
    /// `ptcp:[PORT][:IP]`.
    Tcp(ListenOn),
    /// `pssl:[PORT][:IP]`. Parses, but binding fails until TLS support lands.
    Ssl(ListenOn),
}

/// Either kind of connection method, for options that accept both
/// (`ovs-vsctl --db`, `ovsdb-client SERVER`, `ovsdb-server --remote`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ConnectionMethod {
    Active(Address),
    Passive(ListenAddress),
}

const ACTIVE: [&str; 3] = ["unix", "tcp", "ssl"];
const PASSIVE: [&str; 3] = ["punix", "ptcp", "pssl"];

/// Splits `method:rest`, checking the method is one of `allowed`.
fn split_method(name: &str, kind: MethodKind) -> Result<(&str, &str), AddressError> {
    let err = |problem| AddressError::new(name, problem);
    if name.is_empty() {
        return Err(err(Problem::Empty { expected: kind }));
    }
    let Some((method, rest)) = name.split_once(':') else {
        return Err(err(Problem::MissingPrefix { expected: kind }));
    };
    let active = ACTIVE.contains(&method);
    let passive = PASSIVE.contains(&method);
    match kind {
        _ if !active && !passive => Err(err(Problem::UnknownMethod {
            method: method.to_string(),
            expected: kind,
        })),
        MethodKind::Active if passive => Err(err(Problem::PassiveNotAllowed {
            method: method.to_string(),
        })),
        MethodKind::Passive if active => Err(err(Problem::ActiveNotAllowed {
            method: method.to_string(),
        })),
        _ => Ok((method, rest)),
    }
}

fn parse_path(method: &str, rest: &str) -> Result<PathBuf, Problem> {
    if rest.is_empty() {
        return Err(Problem::MissingPath {
            method: method.to_string(),
        });
    }
    Ok(PathBuf::from(rest))
}

/// A port: decimal digits only, 0 to 65535.
fn parse_port(text: &str) -> Result<u16, Problem> {
    if text.is_empty() {
        return Err(Problem::MissingPort);
    }
    let bad = || Problem::BadPort {
        text: text.to_string(),
        passive_hint: None,
    };
    if !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    text.parse::<u16>().map_err(|_| bad())
}

/// `HOST[:PORT]` after `tcp:` or `ssl:`.
fn parse_host_port(method: &str, rest: &str, default_port: u16) -> Result<HostPort, Problem> {
    let example = |addr: &str| format!("{method}:[{addr}]:{default_port}");
    let (host_text, port_text) = if let Some(inner) = rest.strip_prefix('[') {
        let Some(close) = inner.find(']') else {
            return Err(Problem::UnclosedBracket);
        };
        let after = &inner[close + 1..];
        let port_text = if after.is_empty() {
            None
        } else if let Some(p) = after.strip_prefix(':') {
            Some(p)
        } else {
            return Err(Problem::AfterBracket {
                text: after.to_string(),
                expected_port: true,
            });
        };
        let host = parse_bracketed(&inner[..close])?;
        let port = port_text.map_or(Ok(default_port), parse_port)?;
        return Ok(HostPort { host, port });
    } else {
        match rest.matches(':').count() {
            0 => (rest, None),
            1 => {
                let (h, p) = rest.split_once(':').unwrap_or((rest, ""));
                (h, Some(p))
            }
            // More than one colon: an unbracketed IPv6 address (possibly
            // with a port glued on) or junk; parse_host tells them apart.
            _ => (rest, None),
        }
    };
    if host_text.is_empty() {
        return Err(Problem::MissingHost {
            method: method.to_string(),
        });
    }
    let host = parse_host(host_text, method, example)?;
    let port = port_text.map_or(Ok(default_port), parse_port)?;
    Ok(HostPort { host, port })
}

/// `[PORT][:IP]` after `ptcp:` or `pssl:`.
fn parse_listen_on(method: &str, rest: &str, default_port: u16) -> Result<ListenOn, Problem> {
    let (port_text, host_text) = match rest.split_once(':') {
        // "ptcp:[::1]": the address came first; report all of it as the port
        // rather than the "[" before its first colon.
        _ if rest.starts_with('[') => (rest, None),
        Some((p, h)) => (p, Some(h)),
        None => (rest, None),
    };
    let port = if port_text.is_empty() {
        default_port
    } else {
        parse_port(port_text).map_err(|problem| match problem {
            // "ptcp:[::1]" or "ptcp:127.0.0.1": the IP was put first.
            Problem::BadPort { text, .. } if text.starts_with('[') || text.contains('.') => {
                Problem::BadPort {
                    text,
                    passive_hint: Some(method.to_string()),
                }
            }
            other => other,
        })?
    };
    let host = match host_text {
        None => None,
        Some("") => {
            return Err(Problem::MissingListenHost {
                method: method.to_string(),
            })
        }
        Some(text) => {
            let example = |addr: &str| format!("{method}:{port}:[{addr}]");
            Some(parse_host(text, method, example)?)
        }
    };
    Ok(ListenOn { port, host })
}

/// A relative socket path is relative to the run directory, as in the
/// reference (`unix:db.sock` means `$OVS_RUNDIR/db.sock`).
fn absolute(path: &Path, rundir: &Path) -> PathBuf {
    if path.is_absolute() {
        path.to_path_buf()
    } else {
        rundir.join(path)
    }
}

impl Address {
    /// Parses an active connection method. `default_port` is used when the
    /// name has none: [`OVSDB_PORT`] or [`OPENFLOW_PORT`].
    pub fn parse(name: &str, default_port: u16) -> Result<Address, AddressError> {
        let (method, rest) = split_method(name, MethodKind::Active)?;
        Self::parse_rest(method, rest, default_port).map_err(|p| AddressError::new(name, p))
    }

    fn parse_rest(method: &str, rest: &str, default_port: u16) -> Result<Address, Problem> {
        Ok(match method {
            "unix" => Address::Unix(parse_path(method, rest)?),
            "tcp" => Address::Tcp(parse_host_port(method, rest, default_port)?),
            _ => Address::Ssl(parse_host_port(method, rest, default_port)?),
        })
    }

    /// The method name: "unix", "tcp" or "ssl".
    pub fn method(&self) -> &'static str {
        match self {
            Address::Unix(_) => "unix",
            Address::Tcp(_) => "tcp",
            Address::Ssl(_) => "ssl",
        }
    }

    /// Whether connections made this way need inactivity probes. The reference
    /// turns them off for Unix sockets, where a dead peer is always noticed.
    pub fn needs_probes(&self) -> bool {
        !matches!(self, Address::Unix(_))
    }

    /// The same address with a relative `unix:` path made absolute under
    /// `rundir`. Other addresses are returned unchanged.
    pub fn resolve_relative(&self, rundir: &Path) -> Address {
        match self {
            Address::Unix(path) => Address::Unix(absolute(path, rundir)),
            other => other.clone(),
        }
    }
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Address::Unix(path) => write!(f, "unix:{}", path.display()),
            Address::Tcp(hp) => write!(f, "tcp:{hp}"),
            Address::Ssl(hp) => write!(f, "ssl:{hp}"),
        }
    }
}

impl ListenAddress {
    /// Parses a passive connection method. `default_port` is used when the
    /// name has none: [`OVSDB_PORT`] or [`OPENFLOW_PORT`].
    pub fn parse(name: &str, default_port: u16) -> Result<ListenAddress, AddressError> {
        let (method, rest) = split_method(name, MethodKind::Passive)?;
        Self::parse_rest(method, rest, default_port).map_err(|p| AddressError::new(name, p))
    }

    fn parse_rest(method: &str, rest: &str, default_port: u16) -> Result<ListenAddress, Problem> {
        Ok(match method {
            "punix" => ListenAddress::Unix(parse_path(method, rest)?),
            "ptcp" => ListenAddress::Tcp(parse_listen_on(method, rest, default_port)?),
            _ => ListenAddress::Ssl(parse_listen_on(method, rest, default_port)?),
        })
    }

    /// The method name: "punix", "ptcp" or "pssl".
    pub fn method(&self) -> &'static str {
        match self {
            ListenAddress::Unix(_) => "punix",
            ListenAddress::Tcp(_) => "ptcp",
            ListenAddress::Ssl(_) => "pssl",
        }
    }

    /// Whether accepted connections need inactivity probes (not on Unix
    /// sockets, as in the reference).
    pub fn needs_probes(&self) -> bool {
        !matches!(self, ListenAddress::Unix(_))
    }

    /// The same address with a relative `punix:` path made absolute under
    /// `rundir`. Other addresses are returned unchanged.
    pub fn resolve_relative(&self, rundir: &Path) -> ListenAddress {
        match self {
            ListenAddress::Unix(path) => ListenAddress::Unix(absolute(path, rundir)),
            other => other.clone(),
        }
    }
}

impl fmt::Display for ListenAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ListenAddress::Unix(path) => write!(f, "punix:{}", path.display()),
            ListenAddress::Tcp(on) => write!(f, "ptcp:{on}"),
            ListenAddress::Ssl(on) => write!(f, "pssl:{on}"),
        }
    }
}

impl ConnectionMethod {
    /// Parses an active or passive connection method.
    pub fn parse(name: &str, default_port: u16) -> Result<ConnectionMethod, AddressError> {
        let (method, rest) = split_method(name, MethodKind::Any)?;
        let parsed = if ACTIVE.contains(&method) {
            Address::parse_rest(method, rest, default_port).map(ConnectionMethod::Active)
        } else {
            ListenAddress::parse_rest(method, rest, default_port).map(ConnectionMethod::Passive)
        };
        parsed.map_err(|p| AddressError::new(name, p))
    }

    /// Whether `name` starts with one of the six method prefixes. Tools such
    /// as `ovsdb-client` use this to tell a server argument from a database
    /// name before parsing it.
    pub fn has_known_prefix(name: &str) -> bool {
        name.split_once(':')
            .is_some_and(|(m, _)| ACTIVE.contains(&m) || PASSIVE.contains(&m))
    }
}

impl fmt::Display for ConnectionMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConnectionMethod::Active(a) => a.fmt(f),
            ConnectionMethod::Passive(p) => p.fmt(f),
        }
    }
}
