//! The host part of IP-based connection methods (`tcp:`, `ssl:`, `ptcp:`,
//! `pssl:`): an IP address, an IPv6 address with a scope, or a DNS name, and
//! turning it into socket addresses.

use crate::error::Problem;
use std::fmt;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV6, ToSocketAddrs};

/// Where an IP-based connection method points.
///
/// `Display` writes it the way it appears inside a connection method: IPv6
/// addresses in square brackets (`[::1]`, `[fe80::1%eth0]`), so that
/// `format!("tcp:{host}:{port}")` is always a valid name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Host {
    /// An IPv4 or IPv6 address.
    Ip(IpAddr),
    /// An IPv6 link-local address with its scope, `[fe80::1%eth0]`. The scope
    /// is an interface name or number and is looked up when connecting.
    ScopedIpv6 { addr: Ipv6Addr, scope: String },
    /// A DNS name, resolved when connecting or binding.
    Name(String),
}

impl Host {
    /// The IP address, if this is not a name.
    pub fn ip(&self) -> Option<IpAddr> {
        match self {
            Host::Ip(ip) => Some(*ip),
            Host::ScopedIpv6 { addr, .. } => Some(IpAddr::V6(*addr)),
            Host::Name(_) => None,
        }
    }

    /// The socket addresses for `port`, resolving a name with the system
    /// resolver (this blocks). An unknown scope interface or a name that does
    /// not resolve is an error that names the host.
    pub fn resolve(&self, port: u16) -> io::Result<Vec<SocketAddr>> {
        match self {
            Host::Ip(ip) => Ok(vec![SocketAddr::new(*ip, port)]),
            Host::ScopedIpv6 { addr, scope } => {
                let scope_id = scope_id(scope)?;
                Ok(vec![SocketAddr::V6(SocketAddrV6::new(
                    *addr, port, 0, scope_id,
                ))])
            }
            Host::Name(name) => {
                let addrs: Vec<SocketAddr> = (name.as_str(), port)
                    .to_socket_addrs()
                    .map_err(|e| resolve_error(name, &e))?
                    .collect();
                if addrs.is_empty() {
                    return Err(io::Error::new(
                        io::ErrorKind::NotFound,
                        format!("{name}: failed to resolve (no addresses)"),
                    ));
                }
                Ok(addrs)
            }
        }
    }

    /// Like [`Host::resolve`], without blocking the tokio runtime.
    #[cfg(feature = "tokio")]
    pub async fn resolve_async(&self, port: u16) -> io::Result<Vec<SocketAddr>> {
        match self {
            Host::Name(name) => {
                let addrs: Vec<SocketAddr> = tokio::net::lookup_host((name.as_str(), port))
                    .await
                    .map_err(|e| resolve_error(name, &e))?
                    .collect();
                if addrs.is_empty() {
                    return Err(io::Error::new(
                        io::ErrorKind::NotFound,
                        format!("{name}: failed to resolve (no addresses)"),
                    ));
                }
                Ok(addrs)
            }
            _ => self.resolve(port),
        }
    }
}

impl fmt::Display for Host {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Host::Ip(IpAddr::V4(ip)) => write!(f, "{ip}"),
            Host::Ip(IpAddr::V6(ip)) => write!(f, "[{ip}]"),
            Host::ScopedIpv6 { addr, scope } => write!(f, "[{addr}%{scope}]"),
            Host::Name(name) => f.write_str(name),
        }
    }
}

fn resolve_error(name: &str, e: &io::Error) -> io::Error {
    io::Error::new(e.kind(), format!("{name}: failed to resolve ({e})"))
}

/// The interface index for an IPv6 scope: a number, or an interface name.
fn scope_id(scope: &str) -> io::Result<u32> {
    if let Ok(n) = scope.parse::<u32>() {
        return Ok(n);
    }
    let c_name = std::ffi::CString::new(scope)
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "scope contains NUL"))?;
    // SAFETY: `c_name` is a valid NUL-terminated string that outlives the call;
    // if_nametoindex only reads it.
    let index = unsafe { libc::if_nametoindex(c_name.as_ptr()) };
    if index == 0 {
        return Err(io::Error::new(
            io::ErrorKind::NotFound,
            format!("{scope}: no such network interface (IPv6 scope)"),
        ));
    }
    Ok(index)
}

/// Parses a bare host: `1.2.3.4`, `[::1]`, `[fe80::1%eth0]` or a DNS name.
/// `method` (e.g. "ptcp") names the form in errors; `example` builds the
/// bracketed suggestion for an unbracketed IPv6 address.
pub(crate) fn parse_host(
    text: &str,
    method: &str,
    example: impl Fn(&str) -> String,
) -> Result<Host, Problem> {
    if let Some(inner) = text.strip_prefix('[') {
        let Some(inner) = inner.strip_suffix(']') else {
            return Err(if inner.contains(']') {
                let after = &inner[inner.find(']').map_or(0, |i| i + 1)..];
                Problem::AfterBracket {
                    text: after.to_string(),
                    expected_port: false,
                }
            } else {
                Problem::UnclosedBracket
            });
        };
        return parse_bracketed(inner);
    }
    if text.contains(':') {
        let addr = text.split('%').next().unwrap_or(text);
        return Err(if addr.parse::<Ipv6Addr>().is_ok() {
            Problem::UnbracketedIpv6 {
                addr: text.to_string(),
                example: example(text),
            }
        } else {
            Problem::TooManyColons {
                method: method.to_string(),
            }
        });
    }
    parse_plain(text)
}

/// The inside of `[...]`: an IPv6 address, optionally with `%scope`.
pub(crate) fn parse_bracketed(inner: &str) -> Result<Host, Problem> {
    let (addr_text, scope) = match inner.split_once('%') {
        Some((a, s)) => (a, Some(s)),
        None => (inner, None),
    };
    let addr: Ipv6Addr = addr_text.parse().map_err(|_| Problem::NotIpv6 {
        text: inner.to_string(),
    })?;
    match scope {
        None => Ok(Host::Ip(IpAddr::V6(addr))),
        Some(scope) => {
            let ok = !scope.is_empty()
                && scope
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_.:@".contains(&b));
            if !ok {
                return Err(Problem::BadScope {
                    text: scope.to_string(),
                });
            }
            Ok(Host::ScopedIpv6 {
                addr,
                scope: scope.to_string(),
            })
        }
    }
}

/// An unbracketed host without colons: IPv4 or a DNS name.
fn parse_plain(text: &str) -> Result<Host, Problem> {
    // Something made only of digits and dots was meant as an IPv4 address;
    // calling "256.1.1.1" a host name would only defer the error to the
    // resolver.
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return text
            .parse::<Ipv4Addr>()
            .map(|ip| Host::Ip(IpAddr::V4(ip)))
            .map_err(|_| Problem::BadIpv4 {
                text: text.to_string(),
            });
    }
    let ok = !text.is_empty()
        && !text.starts_with(['.', '-'])
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-' || b == b'_');
    if !ok {
        return Err(Problem::BadHostName {
            text: text.to_string(),
        });
    }
    Ok(Host::Name(text.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ex(a: &str) -> String {
        format!("tcp:[{a}]:6640")
    }

    #[test]
    fn parses_each_kind_of_host() {
        assert_eq!(
            parse_host("10.0.0.1", "tcp", ex),
            Ok(Host::Ip("10.0.0.1".parse().unwrap()))
        );
        assert_eq!(
            parse_host("[::1]", "tcp", ex),
            Ok(Host::Ip("::1".parse().unwrap()))
        );
        assert_eq!(
            parse_host("[fe80::1%eth0]", "tcp", ex),
            Ok(Host::ScopedIpv6 {
                addr: "fe80::1".parse().unwrap(),
                scope: "eth0".into()
            })
        );
        assert_eq!(
            parse_host("ovsdb.example.com", "tcp", ex),
            Ok(Host::Name("ovsdb.example.com".into()))
        );
    }

    #[test]
    fn display_brackets_ipv6_only() {
        assert_eq!(Host::Ip("1.2.3.4".parse().unwrap()).to_string(), "1.2.3.4");
        assert_eq!(Host::Ip("0:0::1".parse().unwrap()).to_string(), "[::1]");
        assert_eq!(
            parse_host("[fe80::1%2]", "tcp", ex).unwrap().to_string(),
            "[fe80::1%2]"
        );
    }

    #[test]
    fn resolves_literal_and_numeric_scope_without_dns() {
        let h = Host::Ip("127.0.0.1".parse().unwrap());
        assert_eq!(h.resolve(5).unwrap(), vec!["127.0.0.1:5".parse().unwrap()]);
        let h = parse_host("[fe80::1%7]", "tcp", ex).unwrap();
        match h.resolve(6640).unwrap()[0] {
            SocketAddr::V6(sa) => assert_eq!(sa.scope_id(), 7),
            other => panic!("expected IPv6, got {other}"),
        }
    }

    #[test]
    fn loopback_interface_scope_resolves_by_name() {
        let h = parse_host("[fe80::1%lo]", "tcp", ex).unwrap();
        match h.resolve(1).unwrap()[0] {
            SocketAddr::V6(sa) => assert_ne!(sa.scope_id(), 0),
            other => panic!("expected IPv6, got {other}"),
        }
        let h = parse_host("[fe80::1%nosuchif0]", "tcp", ex).unwrap();
        let e = h.resolve(1).unwrap_err();
        assert_eq!(
            e.to_string(),
            "nosuchif0: no such network interface (IPv6 scope)"
        );
    }
}
