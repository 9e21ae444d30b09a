//! Connection-method parsing: a table of valid names with their canonical
//! form, and of invalid names with the exact error text.

use ovs_stream::{
    Address, ConnectionMethod, Host, HostPort, ListenAddress, ListenOn, OPENFLOW_PORT, OVSDB_PORT,
};
use std::path::{Path, PathBuf};

/// (input, canonical Display)
const ACTIVE_OK: &[(&str, &str)] = &[
    (
        "unix:/var/run/openvswitch/db.sock",
        "unix:/var/run/openvswitch/db.sock",
    ),
    ("unix:db.sock", "unix:db.sock"),
    ("unix:/tmp/a:b", "unix:/tmp/a:b"),
    ("tcp:127.0.0.1", "tcp:127.0.0.1:6640"),
    ("tcp:127.0.0.1:6641", "tcp:127.0.0.1:6641"),
    ("tcp:1.2.3.4:0", "tcp:1.2.3.4:0"),
    ("tcp:1.2.3.4:0006640", "tcp:1.2.3.4:6640"),
    ("tcp:1.2.3.4:65535", "tcp:1.2.3.4:65535"),
    ("tcp:[::1]", "tcp:[::1]:6640"),
    ("tcp:[::1]:6641", "tcp:[::1]:6641"),
    ("tcp:[0:0::1]:1", "tcp:[::1]:1"),
    ("tcp:[fe80::1%eth0]:6653", "tcp:[fe80::1%eth0]:6653"),
    ("tcp:localhost", "tcp:localhost:6640"),
    ("tcp:ovs-1.example.com:6641", "tcp:ovs-1.example.com:6641"),
    ("ssl:10.0.0.1:6641", "ssl:10.0.0.1:6641"),
    ("ssl:ovs.example.com", "ssl:ovs.example.com:6640"),
    ("ssl:[2001:db8::1]", "ssl:[2001:db8::1]:6640"),
];

const PASSIVE_OK: &[(&str, &str)] = &[
    ("punix:/tmp/db.sock", "punix:/tmp/db.sock"),
    ("punix:br0.mgmt", "punix:br0.mgmt"),
    ("ptcp:", "ptcp:6640"),
    ("ptcp:6641", "ptcp:6641"),
    ("ptcp:0", "ptcp:0"),
    ("ptcp:6641:127.0.0.1", "ptcp:6641:127.0.0.1"),
    ("ptcp::127.0.0.1", "ptcp:6640:127.0.0.1"),
    ("ptcp:6641:[::]", "ptcp:6641:[::]"),
    ("ptcp:0:[::1]", "ptcp:0:[::1]"),
    ("ptcp:0:localhost", "ptcp:0:localhost"),
    ("pssl:", "pssl:6640"),
    ("pssl:6641:10.0.0.1", "pssl:6641:10.0.0.1"),
];

const ACTIVE_FORMS: &str = "unix:PATH, tcp:HOST[:PORT] or ssl:HOST[:PORT]";
const PASSIVE_FORMS: &str = "punix:PATH, ptcp:[PORT][:IP] or pssl:[PORT][:IP]";

/// (input, exact error text)
fn active_errors() -> Vec<(&'static str, String)> {
    vec![
        (
            "",
            format!("empty connection method; expected {ACTIVE_FORMS}"),
        ),
        (
            "db.sock",
            format!("db.sock: missing connection method prefix; expected {ACTIVE_FORMS}"),
        ),
        (
            "foo:bar",
            format!("foo:bar: unknown connection method \"foo\"; expected {ACTIVE_FORMS}"),
        ),
        (
            "ptcp:6640",
            format!(
                "ptcp:6640: \"ptcp\" is a passive connection method (it listens); \
                 expected an active one: {ACTIVE_FORMS}"
            ),
        ),
        (
            "unix:",
            "unix:: missing socket file name after \"unix:\"".into(),
        ),
        (
            "tcp:",
            "tcp:: missing host; expected tcp:HOST[:PORT]".into(),
        ),
        (
            "tcp::6640",
            "tcp::6640: missing host; expected tcp:HOST[:PORT]".into(),
        ),
        (
            "ssl:",
            "ssl:: missing host; expected ssl:HOST[:PORT]".into(),
        ),
        (
            "tcp:1.2.3.4:",
            "tcp:1.2.3.4:: missing port number after \":\"".into(),
        ),
        (
            "tcp:[::1]:",
            "tcp:[::1]:: missing port number after \":\"".into(),
        ),
        (
            "tcp:1.2.3.4:abc",
            "tcp:1.2.3.4:abc: bad port number \"abc\" (expected 0 to 65535)".into(),
        ),
        (
            "tcp:1.2.3.4:65536",
            "tcp:1.2.3.4:65536: bad port number \"65536\" (expected 0 to 65535)".into(),
        ),
        (
            "tcp:1.2.3.4:-1",
            "tcp:1.2.3.4:-1: bad port number \"-1\" (expected 0 to 65535)".into(),
        ),
        (
            "tcp:fe80::1",
            "tcp:fe80::1: IPv6 address \"fe80::1\" must be in square brackets, \
             e.g. tcp:[fe80::1]:6640"
                .into(),
        ),
        (
            "tcp:::1",
            "tcp:::1: IPv6 address \"::1\" must be in square brackets, e.g. tcp:[::1]:6640".into(),
        ),
        (
            "tcp:1.2.3.4:6640:x",
            "tcp:1.2.3.4:6640:x: too many \":\"; expected tcp:HOST[:PORT]".into(),
        ),
        (
            "tcp:[::1",
            "tcp:[::1: missing \"]\" after IPv6 address".into(),
        ),
        (
            "tcp:[1.2.3.4]",
            "tcp:[1.2.3.4]: \"1.2.3.4\" in square brackets is not an IPv6 address".into(),
        ),
        (
            "tcp:[::1]x",
            "tcp:[::1]x: unexpected \"x\" after \"]\"; expected \":PORT\"".into(),
        ),
        (
            "tcp:256.1.1.1",
            "tcp:256.1.1.1: \"256.1.1.1\" is not a valid IPv4 address".into(),
        ),
        (
            "tcp:1.2.3",
            "tcp:1.2.3: \"1.2.3\" is not a valid IPv4 address".into(),
        ),
        (
            "tcp: 1.2.3.4",
            "tcp: 1.2.3.4: bad host name \" 1.2.3.4\"".into(),
        ),
        ("tcp:-host", "tcp:-host: bad host name \"-host\"".into()),
        (
            "tcp:[fe80::1%]",
            "tcp:[fe80::1%]: bad IPv6 scope \"\"".into(),
        ),
    ]
}

fn passive_errors() -> Vec<(&'static str, String)> {
    vec![
        (
            "",
            format!("empty connection method; expected {PASSIVE_FORMS}"),
        ),
        (
            "tcp:1.2.3.4",
            format!(
                "tcp:1.2.3.4: \"tcp\" is an active connection method (it connects); \
                 expected a passive one: {PASSIVE_FORMS}"
            ),
        ),
        (
            "bogus",
            format!("bogus: missing connection method prefix; expected {PASSIVE_FORMS}"),
        ),
        (
            "punix:",
            "punix:: missing socket file name after \"punix:\"".into(),
        ),
        (
            "ptcp:abc",
            "ptcp:abc: bad port number \"abc\" (expected 0 to 65535)".into(),
        ),
        (
            "ptcp:99999",
            "ptcp:99999: bad port number \"99999\" (expected 0 to 65535)".into(),
        ),
        (
            "ptcp:[::1]",
            "ptcp:[::1]: bad port number \"[::1]\" (expected 0 to 65535); \
             the port comes first: ptcp:[PORT][:IP]"
                .into(),
        ),
        (
            "pssl:127.0.0.1",
            "pssl:127.0.0.1: bad port number \"127.0.0.1\" (expected 0 to 65535); \
             the port comes first: pssl:[PORT][:IP]"
                .into(),
        ),
        (
            "ptcp:6640:",
            "ptcp:6640:: missing IP address after the last \":\"; expected ptcp:[PORT][:IP]".into(),
        ),
        (
            "ptcp::",
            "ptcp::: missing IP address after the last \":\"; expected ptcp:[PORT][:IP]".into(),
        ),
        (
            "ptcp:6640:::1",
            "ptcp:6640:::1: IPv6 address \"::1\" must be in square brackets, \
             e.g. ptcp:6640:[::1]"
                .into(),
        ),
        (
            "ptcp:0:127.0.0.1:5",
            "ptcp:0:127.0.0.1:5: too many \":\"; expected ptcp:[PORT][:IP]".into(),
        ),
        (
            "ptcp:0:[::1",
            "ptcp:0:[::1: missing \"]\" after IPv6 address".into(),
        ),
        (
            "ptcp:0:[::1]x",
            "ptcp:0:[::1]x: unexpected \"x\" after \"]\"".into(),
        ),
        (
            "ptcp:0:[::1]:5",
            "ptcp:0:[::1]:5: unexpected \":5\" after \"]\"".into(),
        ),
        (
            "ptcp:0:[10.0.0.1]",
            "ptcp:0:[10.0.0.1]: \"10.0.0.1\" in square brackets is not an IPv6 address".into(),
        ),
        (
            "ptcp:0:300.0.0.1",
            "ptcp:0:300.0.0.1: \"300.0.0.1\" is not a valid IPv4 address".into(),
        ),
    ]
}

#[test]
fn valid_active_names_parse_and_print_canonically() {
    for (input, canonical) in ACTIVE_OK {
        let addr = Address::parse(input, OVSDB_PORT)
            .unwrap_or_else(|e| panic!("{input:?} should parse: {e}"));
        assert_eq!(addr.to_string(), *canonical, "Display of {input:?}");
        // The canonical form is a fixed point.
        let again = Address::parse(canonical, OVSDB_PORT).unwrap();
        assert_eq!(again, addr, "re-parse of {canonical:?}");
    }
}

#[test]
fn valid_passive_names_parse_and_print_canonically() {
    for (input, canonical) in PASSIVE_OK {
        let addr = ListenAddress::parse(input, OVSDB_PORT)
            .unwrap_or_else(|e| panic!("{input:?} should parse: {e}"));
        assert_eq!(addr.to_string(), *canonical, "Display of {input:?}");
        let again = ListenAddress::parse(canonical, OVSDB_PORT).unwrap();
        assert_eq!(again, addr, "re-parse of {canonical:?}");
    }
}

#[test]
fn invalid_active_names_give_exact_errors() {
    for (input, expected) in active_errors() {
        match Address::parse(input, OVSDB_PORT) {
            Ok(a) => panic!("{input:?} parsed as {a}, expected error {expected:?}"),
            Err(e) => {
                assert_eq!(e.to_string(), expected, "error for {input:?}");
                assert_eq!(e.name(), input);
                assert_eq!(e.reference_errno(), libc::EAFNOSUPPORT);
            }
        }
    }
}

#[test]
fn invalid_passive_names_give_exact_errors() {
    for (input, expected) in passive_errors() {
        match ListenAddress::parse(input, OVSDB_PORT) {
            Ok(a) => panic!("{input:?} parsed as {a}, expected error {expected:?}"),
            Err(e) => assert_eq!(e.to_string(), expected, "error for {input:?}"),
        }
    }
}

#[test]
fn default_port_is_the_callers_choice() {
    let of = Address::parse("tcp:10.0.0.2", OPENFLOW_PORT).unwrap();
    assert_eq!(of.to_string(), "tcp:10.0.0.2:6653");
    let of = ListenAddress::parse("ptcp:", OPENFLOW_PORT).unwrap();
    assert_eq!(of.to_string(), "ptcp:6653");
    let e = Address::parse("tcp:::1", OPENFLOW_PORT).unwrap_err();
    assert!(e.to_string().ends_with("e.g. tcp:[::1]:6653"), "{e}");
}

#[test]
fn parsed_values_have_the_expected_structure() {
    assert_eq!(
        Address::parse("tcp:[::1]:7", OVSDB_PORT).unwrap(),
        Address::Tcp(HostPort {
            host: Host::Ip("::1".parse().unwrap()),
            port: 7
        })
    );
    assert_eq!(
        ListenAddress::parse("ptcp:0", OVSDB_PORT).unwrap(),
        ListenAddress::Tcp(ListenOn {
            port: 0,
            host: None
        })
    );
    assert_eq!(
        ListenAddress::parse("pssl::localhost", OVSDB_PORT).unwrap(),
        ListenAddress::Ssl(ListenOn {
            port: 6640,
            host: Some(Host::Name("localhost".into()))
        })
    );
}

#[test]
fn either_kind_parses_through_connection_method() {
    assert!(matches!(
        ConnectionMethod::parse("ptcp:6640", OVSDB_PORT),
        Ok(ConnectionMethod::Passive(ListenAddress::Tcp(_)))
    ));
    assert!(matches!(
        ConnectionMethod::parse("unix:db.sock", OVSDB_PORT),
        Ok(ConnectionMethod::Active(Address::Unix(_)))
    ));
    assert_eq!(
        ConnectionMethod::parse("ptcp::[::1]", OVSDB_PORT)
            .unwrap()
            .to_string(),
        "ptcp:6640:[::1]"
    );
    let e = ConnectionMethod::parse("foo:bar", OVSDB_PORT).unwrap_err();
    assert_eq!(
        e.to_string(),
        "foo:bar: unknown connection method \"foo\"; expected unix:PATH, tcp:HOST[:PORT], \
         ssl:HOST[:PORT], punix:PATH, ptcp:[PORT][:IP] or pssl:[PORT][:IP]"
    );
    let e = ConnectionMethod::parse("ptcp:x", OVSDB_PORT).unwrap_err();
    assert_eq!(
        e.to_string(),
        "ptcp:x: bad port number \"x\" (expected 0 to 65535)"
    );
    assert!(ConnectionMethod::has_known_prefix("pssl:"));
    assert!(!ConnectionMethod::has_known_prefix("Open_vSwitch"));
    assert!(!ConnectionMethod::has_known_prefix("foo:bar"));
}

#[test]
fn relative_socket_paths_resolve_under_the_run_directory() {
    let rundir = Path::new("/run/ovs");
    let a = Address::parse("unix:db.sock", OVSDB_PORT).unwrap();
    assert_eq!(
        a.resolve_relative(rundir),
        Address::Unix(PathBuf::from("/run/ovs/db.sock"))
    );
    let a = Address::parse("unix:/abs/db.sock", OVSDB_PORT).unwrap();
    assert_eq!(a.resolve_relative(rundir), a);
    let p = ListenAddress::parse("punix:br0.mgmt", OPENFLOW_PORT).unwrap();
    assert_eq!(
        p.resolve_relative(rundir).to_string(),
        "punix:/run/ovs/br0.mgmt"
    );
    let t = Address::parse("tcp:1.2.3.4", OVSDB_PORT).unwrap();
    assert_eq!(t.resolve_relative(rundir), t);
}

#[test]
fn probes_are_off_for_unix_sockets_only() {
    let p = |s| Address::parse(s, OVSDB_PORT).unwrap().needs_probes();
    assert!(!p("unix:x"));
    assert!(p("tcp:1.2.3.4"));
    assert!(p("ssl:1.2.3.4"));
    let l = |s| ListenAddress::parse(s, OVSDB_PORT).unwrap().needs_probes();
    assert!(!l("punix:x"));
    assert!(l("ptcp:0"));
}
