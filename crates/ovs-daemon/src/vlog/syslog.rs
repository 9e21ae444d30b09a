//! The syslog destination: through the C library (the default), a Unix datagram
//! socket, UDP, or nowhere (`--syslog-method`, `OVS_SYSLOG_METHOD`), plus an optional
//! extra UDP target (`--syslog-target`).

use std::ffi::CString;
use std::net::{SocketAddr, UdpSocket};
use std::os::unix::net::UnixDatagram;
use std::path::PathBuf;

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Method {
    Libc,
    Null,
    Unix(PathBuf),
    Udp(SocketAddr),
}

impl Method {
    pub(crate) fn parse(s: &str) -> Result<Method, String> {
        if s == "libc" {
            Ok(Method::Libc)
        } else if s == "null" {
            Ok(Method::Null)
        } else if let Some(path) = s.strip_prefix("unix:") {
            Ok(Method::Unix(PathBuf::from(path)))
        } else if let Some(addr) = s.strip_prefix("udp:") {
            parse_ip_port(addr).map(Method::Udp)
        } else {
            Err(format!("unsupported syslog method '{s}'"))
        }
    }
}

/// `IP:PORT` with a numeric address (`[v6]:port` for IPv6).
pub(crate) fn parse_ip_port(s: &str) -> Result<SocketAddr, String> {
    s.parse::<SocketAddr>()
        .map_err(|_| format!("{s}: bad syslog target (expected IP:PORT with a numeric IP address)"))
}

pub(crate) struct Syslog {
    method: Method,
    libc_open: bool,
    unix: Option<UnixDatagram>,
    udp: Option<UdpSocket>,
    target: Option<SocketAddr>,
}

impl Syslog {
    pub(crate) fn new() -> Syslog {
        let method = std::env::var("OVS_SYSLOG_METHOD")
            .ok()
            .filter(|m| !m.is_empty())
            .and_then(|m| Method::parse(&m).ok())
            .unwrap_or(Method::Libc);
        Syslog {
            method,
            libc_open: false,
            unix: None,
            udp: None,
            target: None,
        }
    }

    pub(crate) fn set_method(&mut self, method: Method) {
        self.method = method;
    }

    pub(crate) fn set_target(&mut self, target: SocketAddr) {
        self.target = Some(target);
    }

    /// Whether messages go anywhere.
    pub(crate) fn is_active(&self) -> bool {
        self.method != Method::Null || self.target.is_some()
    }

    /// Whether any destination needs the `<PRI> date host program: ` prefix.
    pub(crate) fn needs_prefix(&self) -> bool {
        matches!(self.method, Method::Unix(_) | Method::Udp(_)) || self.target.is_some()
    }

    /// Sends one message. `prefix` is the rendered prefix pattern (used for socket
    /// methods and the target, not for the C library, which makes its own header).
    /// Failures are ignored: there is nowhere to report them.
    pub(crate) fn send(
        &mut self,
        program: &str,
        facility: Option<u8>,
        severity: i32,
        prefix: &str,
        message: &str,
    ) {
        match &self.method {
            Method::Null => {}
            Method::Libc => {
                if !self.libc_open {
                    // openlog keeps the pointer, so the ident must live forever.
                    let ident = CString::new(program).unwrap_or_default();
                    let ident: &'static std::ffi::CStr = Box::leak(ident.into_boxed_c_str());
                    let facility =
                        i32::from(facility.unwrap_or(super::level::DEFAULT_LOCAL_FACILITY)) << 3;
                    // SAFETY: ident is a leaked, NUL-terminated string.
                    unsafe { libc::openlog(ident.as_ptr(), libc::LOG_NDELAY, facility) };
                    self.libc_open = true;
                }
                let priority = match facility {
                    Some(f) => (i32::from(f) << 3) | severity,
                    None => severity,
                };
                if let Ok(msg) = CString::new(message) {
                    // SAFETY: a constant "%s" format with one NUL-terminated string.
                    unsafe { libc::syslog(priority, c"%s".as_ptr(), msg.as_ptr()) };
                }
            }
            Method::Unix(path) => {
                if self.unix.is_none() {
                    self.unix = UnixDatagram::unbound().ok();
                }
                if let Some(sock) = &self.unix {
                    let _ = sock.send_to(format!("{prefix}{message}").as_bytes(), path);
                }
            }
            Method::Udp(addr) => {
                let addr = *addr;
                self.send_udp(addr, prefix, message);
            }
        }
        if let Some(target) = self.target {
            self.send_udp(target, prefix, message);
        }
    }

    fn send_udp(&mut self, addr: SocketAddr, prefix: &str, message: &str) {
        if self.udp.is_none() {
            let any: SocketAddr = if addr.is_ipv6() {
                (std::net::Ipv6Addr::UNSPECIFIED, 0).into()
            } else {
                (std::net::Ipv4Addr::UNSPECIFIED, 0).into()
            };
            self.udp = UdpSocket::bind(any).ok();
        }
        if let Some(sock) = &self.udp {
            let _ = sock.send_to(format!("{prefix}{message}").as_bytes(), addr);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn methods_parse() {
        assert_eq!(Method::parse("libc"), Ok(Method::Libc));
        assert_eq!(Method::parse("null"), Ok(Method::Null));
        assert_eq!(
            Method::parse("unix:/dev/log"),
            Ok(Method::Unix("/dev/log".into()))
        );
        assert_eq!(
            Method::parse("udp:127.0.0.1:514"),
            Ok(Method::Udp("127.0.0.1:514".parse().unwrap()))
        );
        assert!(Method::parse("udp:localhost:514").is_err());
        assert_eq!(
            Method::parse("tcp:1.2.3.4:5"),
            Err("unsupported syslog method 'tcp:1.2.3.4:5'".into())
        );
    }

    #[test]
    fn unix_method_sends_prefix_and_message() {
        let dir = std::env::temp_dir().join(format!("oxvs-syslog-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("log.sock");
        let _ = std::fs::remove_file(&path);
        let server = UnixDatagram::bind(&path).unwrap();
        let mut s = Syslog::new();
        s.set_method(Method::Unix(path.clone()));
        assert!(s.is_active() && s.needs_prefix());
        s.send("prog", None, 5, "<133> pre: ", "ovs|00001|m|INFO|hi");
        let mut buf = [0u8; 256];
        let n = server.recv(&mut buf).unwrap();
        assert_eq!(&buf[..n], b"<133> pre: ovs|00001|m|INFO|hi");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn null_method_is_inactive() {
        let mut s = Syslog::new();
        s.set_method(Method::Null);
        assert!(!s.is_active());
    }
}
