//! connmgr over real sockets: the management socket survives garbage and
//! truncated messages, hello negotiation honours the allowed versions,
//! active controllers connect, get packet-ins and inactivity probes and
//! reconnect, passive controllers accept, and status reflects it all.

mod common;

use std::io::{Read, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::time::Duration;

use common::OurSwitch;
use ofproto::connmgr::{ControllerConfig, FailMode};
use ofproto::PacketInRequest;
use openflow::flow_match::key::{self, FlowKey};
use openflow::msg::hello::Hello;
use openflow::msg::{self, Message};
use openflow::protocol::Protocols;
use openflow::version::{Version, VersionSet};
use testkit::{wait_until, DEFAULT_TIMEOUT};

/// Reads one OpenFlow message (None at end of stream or on timeout).
fn read_msg(s: &mut UnixStream) -> Option<Vec<u8>> {
    let mut h = [0u8; 8];
    s.read_exact(&mut h).ok()?;
    let len = usize::from(u16::from_be_bytes([h[2], h[3]]));
    let mut m = h.to_vec();
    m.resize(len.max(8), 0);
    s.read_exact(&mut m[8..]).ok()?;
    Some(m)
}

/// Reads until a message that decodes to something `want` accepts.
fn expect(s: &mut UnixStream, what: &str, want: impl Fn(&Message) -> bool) -> Message {
    loop {
        let m = read_msg(s).unwrap_or_else(|| panic!("connection ended waiting for {what}"));
        if let Ok((_, d)) = msg::decode(&m) {
            if want(&d) {
                return d;
            }
        }
    }
}

fn connect_hello(path: &std::path::Path, v: Version) -> UnixStream {
    let mut s = UnixStream::connect(path).expect("connecting to the switch");
    s.set_read_timeout(Some(DEFAULT_TIMEOUT)).expect("timeout");
    s.write_all(&Hello::new(VersionSet::single(v)).encode_message(1))
        .expect("hello");
    let h = read_msg(&mut s).expect("the switch's hello");
    assert_eq!(h[1], 0, "first message is a hello");
    s
}

fn ofctl_ok(sw: &OurSwitch, args: &[&str]) -> String {
    let o = sw.ofctl(args);
    assert!(o.success(), "ovs-ofctl {args:?}: {}{}", o.stdout, o.stderr);
    o.stdout
}

#[test]
fn garbage_and_truncated_messages_do_not_hurt_the_switch() {
    let sw = OurSwitch::start("ofproto_cm_garbage");
    // Unknown message type: an error reply, the session goes on.
    let mut s = connect_hello(&sw.mgmt(), Version::Of13);
    s.write_all(&[4, 0xee, 0, 8, 0, 0, 0, 9]).expect("send");
    let e = expect(&mut s, "an error", |m| matches!(m, Message::Error(_)));
    assert!(matches!(e, Message::Error(ref x) if x.error == openflow::OfpError::BrcBadType));
    s.write_all(&msg::encode(
        &Message::EchoRequest(b"hi".to_vec()),
        Protocols::OF13_OXM,
        10,
    ))
    .expect("send");
    expect(
        &mut s,
        "echo reply",
        |m| matches!(m, Message::EchoReply(d) if d == b"hi"),
    );
    // A length below the header's: the switch hangs up.
    s.write_all(&[4, 2, 0, 3, 0, 0, 0, 1]).expect("send");
    assert!(read_msg(&mut s).is_none(), "connection closed");
    // A message cut short, then the peer goes away.
    let mut s = connect_hello(&sw.mgmt(), Version::Of10);
    s.write_all(&[1, 14, 0, 72, 0, 0, 0, 1, 0, 0])
        .expect("send");
    drop(s);
    // Random bytes in place of a hello.
    let mut s = UnixStream::connect(sw.mgmt()).expect("connect");
    s.write_all(&[0x42; 64]).expect("send");
    drop(s);
    // Next connections work.
    ofctl_ok(&sw, &["add-flow", "{T}", "priority=3,actions=drop"]);
    let flows = ofctl_ok(&sw, &["dump-flows", "{T}"]);
    assert!(flows.contains("priority=3 actions=drop"), "{flows}");
}

/// Requests pipelined in one stream (thousands of flow-mods, with one bad
/// one, then a barrier; the kernel splits them anywhere) are all handled,
/// in order: one error reply for the bad one, then the barrier reply with
/// every good flow installed.
#[test]
fn pipelined_requests_are_split_and_handled_in_order() {
    use openflow::flow_text::parse_flow_mod;
    use openflow::msg::flow_mod::FlowModCommand;
    const N: u32 = 3000;
    let sw = OurSwitch::start("ofproto_cm_pipelined");
    let mut s = connect_hello(&sw.mgmt(), Version::Of13);
    let mut bytes = Vec::new();
    for i in 0..N {
        let text = if i == N / 2 {
            "priority=7,ip,actions=group:99".to_string()
        } else {
            format!(
                "priority={},ip,nw_src=10.{}.{}.1,actions=output:1",
                100 + i % 50,
                i >> 8,
                i & 0xff
            )
        };
        let (fm, _) = parse_flow_mod(&text, FlowModCommand::Add, None).expect("parses");
        bytes.extend(msg::encode(&Message::FlowMod(fm), Protocols::OF13_OXM, i));
    }
    bytes.extend(msg::encode(
        &Message::BarrierRequest,
        Protocols::OF13_OXM,
        N,
    ));
    let mut writer = s.try_clone().expect("clone");
    let sender = std::thread::spawn(move || writer.write_all(&bytes).expect("send"));
    let mut errors = Vec::new();
    loop {
        let m = read_msg(&mut s).expect("replies until the barrier reply");
        let (h, d) = msg::decode(&m).expect("replies decode");
        match d {
            Message::Error(e) => errors.push((h.xid, e.error)),
            Message::BarrierReply => {
                assert_eq!(h.xid, N);
                break;
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    sender.join().expect("sender");
    assert_eq!(errors, [(N / 2, openflow::OfpError::BacBadOutGroup)]);
    let of = sw.ofproto.read().unwrap_or_else(|e| e.into_inner());
    let n = of.table(0).map_or(0, |t| t.len());
    assert_eq!(n, usize::try_from(N - 1).unwrap_or(0));
}

#[test]
fn hello_negotiation_honours_allowed_versions() {
    let sw = OurSwitch::start("ofproto_cm_versions");
    sw.connmgr
        .set_controllers(&[], FailMode::Secure, VersionSet::single(Version::Of13));
    let o = sw.ofctl(&["-O", "OpenFlow10", "show", "{T}"]);
    assert!(!o.success());
    assert!(
        o.stderr.contains("version negotiation failed"),
        "{}",
        o.stderr
    );
    ofctl_ok(&sw, &["-O", "OpenFlow13", "show", "{T}"]);
}

#[test]
fn active_controller_gets_packet_ins_probes_and_reconnects() {
    let sw = OurSwitch::start("ofproto_cm_active");
    let path = sw.dir.file("ctl.sock");
    let listener = UnixListener::bind(&path).expect("controller socket");
    let target = format!("unix:{}", path.display());
    let cfg = ControllerConfig {
        target: target.clone(),
        max_backoff: Some(Duration::from_secs(1)),
        inactivity_probe: Some(Duration::from_secs(1)),
    };
    sw.connmgr.set_controllers(
        std::slice::from_ref(&cfg),
        FailMode::Secure,
        VersionSet::ALL,
    );
    let (mut c, _) = listener.accept().expect("the switch connects");
    c.set_read_timeout(Some(DEFAULT_TIMEOUT)).expect("timeout");
    let h = read_msg(&mut c).expect("hello");
    assert_eq!(h[1], 0);
    c.write_all(&Hello::new(VersionSet::single(Version::Of13)).encode_message(1))
        .expect("hello");
    c.write_all(&msg::encode(
        &Message::FeaturesRequest,
        Protocols::OF13_OXM,
        2,
    ))
    .expect("features");
    expect(
        &mut c,
        "features reply",
        |m| matches!(m, Message::FeaturesReply(f) if f.datapath_id == 1),
    );
    wait_until(DEFAULT_TIMEOUT, "controller status connected", || {
        sw.connmgr
            .controller_status()
            .first()
            .is_some_and(|s| s.is_connected && s.role == "other")
    })
    .expect("connected");
    // A table-miss packet-in, truncated to the default 128 bytes.
    let mut md = FlowKey::default();
    md.set_uint(key::IN_PORT, 3);
    sw.connmgr.send_packet_in(&PacketInRequest {
        reason: 0,
        table_id: 0,
        cookie: 0,
        packet: vec![0x5a; 200],
        metadata: md,
        max_len: None,
        controller_id: 0,
        userdata: Vec::new(),
    });
    let pi = expect(&mut c, "packet-in", |m| matches!(m, Message::PacketIn(_)));
    assert!(matches!(pi, Message::PacketIn(ref p) if p.packet.len() == 128 && p.total_len == 200));
    // Silence: an inactivity probe comes (the switch's echo request).
    expect(&mut c, "an echo request", |m| {
        matches!(m, Message::EchoRequest(_))
    });
    // Hang up: the switch reconnects.
    drop(c);
    let (mut c2, _) = listener.accept().expect("the switch reconnects");
    c2.set_read_timeout(Some(DEFAULT_TIMEOUT)).expect("timeout");
    assert_eq!(read_msg(&mut c2).map(|h| h[1]), Some(0), "a new hello");
    // Removing the controller closes the connection.
    sw.connmgr
        .set_controllers(&[], FailMode::Secure, VersionSet::ALL);
    c2.write_all(&Hello::new(VersionSet::single(Version::Of13)).encode_message(1))
        .ok();
    while read_msg(&mut c2).is_some() {}
    assert!(sw.connmgr.controller_status().is_empty());
}

#[test]
fn passive_controller_target_accepts_controllers() {
    let sw = OurSwitch::start("ofproto_cm_passive");
    let path = sw.dir.file("ptarget.sock");
    let target = format!("punix:{}", path.display());
    let errs = sw.connmgr.set_controllers(
        &[ControllerConfig::new(&target)],
        FailMode::Secure,
        VersionSet::ALL,
    );
    assert!(errs.is_empty(), "{errs:?}");
    let mut c = connect_hello(&path, Version::Of13);
    c.write_all(&msg::encode(
        &Message::BarrierRequest,
        Protocols::OF13_OXM,
        5,
    ))
    .expect("barrier");
    expect(&mut c, "barrier reply", |m| {
        matches!(m, Message::BarrierReply)
    });
    wait_until(DEFAULT_TIMEOUT, "passive controller connected", || {
        sw.connmgr
            .controller_status()
            .first()
            .is_some_and(|s| s.is_connected)
    })
    .expect("status");
    // Controllers get table-miss packet-ins by default; the mgmt socket not.
    let mut mgmt = connect_hello(&sw.mgmt(), Version::Of13);
    sw.connmgr.send_packet_in(&PacketInRequest {
        reason: 0,
        table_id: 0,
        cookie: 0,
        packet: vec![1; 60],
        metadata: FlowKey::default(),
        max_len: None,
        controller_id: 0,
        userdata: Vec::new(),
    });
    expect(&mut c, "packet-in", |m| matches!(m, Message::PacketIn(_)));
    mgmt.write_all(&msg::encode(
        &Message::BarrierRequest,
        Protocols::OF13_OXM,
        6,
    ))
    .expect("barrier");
    let m = expect(&mut mgmt, "barrier reply", |m| {
        matches!(m, Message::BarrierReply | Message::PacketIn(_))
    });
    assert!(
        matches!(m, Message::BarrierReply),
        "no packet-in on the mgmt socket"
    );
}

#[test]
fn standalone_fails_open_without_a_controller_and_recovers() {
    use ofproto::connmgr::FAIL_OPEN_PRIORITY;
    let sw = OurSwitch::start("ofproto_cm_failopen");
    let path = sw.dir.file("ctl.sock");
    let cfg = ControllerConfig {
        target: format!("unix:{}", path.display()),
        max_backoff: Some(Duration::from_secs(1)),
        inactivity_probe: Some(Duration::from_secs(1)),
    };
    sw.connmgr.set_controllers(
        std::slice::from_ref(&cfg),
        FailMode::Standalone,
        VersionSet::ALL,
    );
    let fail_open = || {
        sw.ofproto.read().is_ok_and(|o| {
            o.table(0)
                .is_some_and(|t| t.iter().any(|r| r.priority == FAIL_OPEN_PRIORITY))
        })
    };
    assert!(!fail_open(), "not at once");
    wait_until(DEFAULT_TIMEOUT, "the fail-open flow", fail_open).expect("fails open");
    let flows = ofctl_ok(&sw, &["dump-flows", "{T}"]);
    assert!(
        !flows.contains("NORMAL"),
        "the fail-open flow is hidden: {flows}"
    );
    let text = sw
        .ofproto
        .read()
        .map(|o| o.dump_flows_text(ofproto::clock::now_ms()))
        .unwrap_or_default();
    assert!(text.contains("priority=15790320,actions=NORMAL"), "{text}");
    // A controller comes: the flow goes.
    let listener = UnixListener::bind(&path).expect("controller socket");
    let (mut c, _) = listener.accept().expect("the switch connects");
    c.set_read_timeout(Some(DEFAULT_TIMEOUT)).expect("timeout");
    assert_eq!(read_msg(&mut c).map(|h| h[1]), Some(0));
    c.write_all(&Hello::new(VersionSet::single(Version::Of13)).encode_message(1))
        .expect("hello");
    wait_until(DEFAULT_TIMEOUT, "the fail-open flow to go", || !fail_open()).expect("recovers");
}
