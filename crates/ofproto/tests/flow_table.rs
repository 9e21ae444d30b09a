//! In-process tests of the switch's OpenFlow semantics: flow-mods,
//! counters, timeouts, flow-removed, lookups, bundles, roles, packet-ins,
//! and robustness against malformed input. Requests go through
//! `Ofproto::handle` as wire bytes, the way connections deliver them.

use std::sync::atomic::Ordering;

use ofproto::clock::now_ms;
use ofproto::{ConnKind, Effect, OfPort, Ofproto, Output, PacketInRequest};
use openflow::flow_match::key::{self, FlowKey};
use openflow::flow_text::parse_flow_mod;
use openflow::msg::bundle::{BundleAdd, BundleControl, ATOMIC, COMMIT_REQUEST, OPEN_REQUEST};
use openflow::msg::flow_mod::FlowModCommand;
use openflow::msg::role::{Role, RoleMsg};
use openflow::msg::{self, Message};
use openflow::port::PortNo;
use openflow::protocol::Protocols;
use openflow::version::Version;
use openflow::OfpError;

const C13: u64 = 1;
const C10: u64 = 2;

fn switch() -> Ofproto {
    let mut of = Ofproto::new("br0", 1);
    for n in 1..=3u16 {
        of.add_port(OfPort::new(
            PortNo(n),
            &format!("p{n}"),
            [2, 0, 0, 0, 0, n as u8],
        ));
    }
    of.connect(C13, ConnKind::Service, Version::Of13);
    of.connect(C10, ConnKind::Service, Version::Of10);
    let _ = of.take_pending();
    of
}

fn proto(conn: u64) -> Protocols {
    if conn == C10 {
        Protocols::OF10_STD
    } else {
        Protocols::OF13_OXM
    }
}

fn flow_mod_bytes(conn: u64, cmd: FlowModCommand, text: &str) -> Vec<u8> {
    let (fm, _) = parse_flow_mod(text, cmd, None).expect("flow text parses");
    msg::encode(&Message::FlowMod(fm), proto(conn), 7)
}

/// Sends a flow-mod; returns the error the switch replied with, if any.
fn fm(of: &mut Ofproto, conn: u64, cmd: FlowModCommand, text: &str) -> Option<OfpError> {
    let out = of.handle(conn, &flow_mod_bytes(conn, cmd, text));
    errors(&out, conn).into_iter().next()
}

fn errors(out: &[Output], conn: u64) -> Vec<OfpError> {
    out.iter()
        .filter_map(|o| match o {
            Output::Send { conn: c, msg: m } if *c == conn => match msg::decode(m) {
                Ok((_, Message::Error(e))) => Some(e.error),
                _ => None,
            },
            _ => None,
        })
        .collect()
}

fn messages(out: &[Output], conn: u64) -> Vec<Message> {
    out.iter()
        .filter_map(|o| match o {
            Output::Send { conn: c, msg: m } if *c == conn => msg::decode(m).ok().map(|x| x.1),
            _ => None,
        })
        .collect()
}

/// Every visible rule as "table:priority:cookie:actions".
fn rules(of: &Ofproto) -> Vec<String> {
    let mut v = Vec::new();
    for t in 0..254u8 {
        if let Some(table) = of.table(t) {
            for r in table.iter() {
                v.push(format!(
                    "{}:{}:{:#x}:{}",
                    r.table_id,
                    r.priority,
                    r.cookie,
                    openflow::action::format_actions(&r.actions, None)
                ));
            }
        }
    }
    v.sort();
    v
}

fn ip_key(src: [u8; 4]) -> FlowKey {
    let mut k = FlowKey::default();
    k.set_uint(key::DL_TYPE, 0x0800);
    k.get_mut(key::NW_SRC).copy_from_slice(&src);
    k
}

#[test]
fn add_replaces_identical_and_keeps_counters_unless_reset() {
    use FlowModCommand::*;
    let mut of = switch();
    assert_eq!(
        fm(&mut of, C13, Add, "priority=5,ip,actions=output:1"),
        None
    );
    let r = of
        .lookup(0, &ip_key([1, 1, 1, 1]), of.version(), None)
        .expect("rule");
    r.stats.add(3, 300, now_ms());
    assert_eq!(
        fm(&mut of, C13, Add, "priority=5,ip,actions=output:2"),
        None
    );
    let r2 = of
        .lookup(0, &ip_key([1, 1, 1, 1]), of.version(), None)
        .expect("rule");
    assert_eq!(rules(&of), ["0:5:0x0:output:2"]);
    assert_eq!(
        r2.stats.packets(),
        3,
        "OF1.3 add keeps the replaced rule's counters"
    );
    assert_eq!(
        fm(
            &mut of,
            C13,
            Add,
            "priority=5,ip,reset_counts,actions=output:3"
        ),
        None
    );
    let r3 = of
        .lookup(0, &ip_key([1, 1, 1, 1]), of.version(), None)
        .expect("rule");
    assert_eq!(r3.stats.packets(), 0);
    // OpenFlow 1.0 adds always reset (recorded as the reset_counts flag).
    r3.stats.add(1, 1, now_ms());
    assert_eq!(
        fm(&mut of, C10, Add, "priority=5,ip,actions=output:1"),
        None
    );
    let r4 = of
        .lookup(0, &ip_key([1, 1, 1, 1]), of.version(), None)
        .expect("rule");
    assert_eq!(r4.stats.packets(), 0);
    assert_ne!(r4.flags & openflow::msg::flow_mod::FF_RESET_COUNTS, 0);
}

#[test]
fn modify_keeps_counters_and_adds_only_when_it_can_set_a_cookie() {
    use FlowModCommand::*;
    let mut of = switch();
    assert_eq!(
        fm(
            &mut of,
            C13,
            Add,
            "priority=5,ip,cookie=0x7,actions=output:1"
        ),
        None
    );
    let r = of
        .lookup(0, &ip_key([1, 1, 1, 1]), of.version(), None)
        .expect("rule");
    r.stats.add(2, 200, now_ms());
    assert_eq!(fm(&mut of, C13, Modify, "ip,actions=output:3"), None);
    let m = of
        .lookup(0, &ip_key([1, 1, 1, 1]), of.version(), None)
        .expect("rule");
    assert_eq!(m.stats.packets(), 2);
    assert_eq!(m.cookie, 7);
    assert_eq!(m.created_ms, r.created_ms);
    // Strict needs the priority too.
    assert_eq!(
        fm(&mut of, C13, ModifyStrict, "priority=6,ip,actions=drop"),
        None
    );
    assert_eq!(rules(&of), ["0:5:0x7:output:3"]);
    // OF1.3 modify of nothing adds nothing; OF1.0's adds.
    assert_eq!(fm(&mut of, C13, Modify, "udp,actions=drop"), None);
    assert_eq!(rules(&of).len(), 1);
    assert_eq!(fm(&mut of, C10, Modify, "udp,actions=drop"), None);
    assert_eq!(rules(&of), ["0:32768:0x0:drop", "0:5:0x7:output:3"]);
    // Cookie-matching modify.
    assert_eq!(
        fm(&mut of, C13, Modify, "cookie=0x7/-1,actions=output:2"),
        None
    );
    assert_eq!(rules(&of), ["0:32768:0x0:drop", "0:5:0x7:output:2"]);
}

#[test]
fn delete_filters_by_out_port_cookie_and_strictness() {
    use FlowModCommand::*;
    let mut of = switch();
    for f in [
        "priority=1,ip,actions=output:1",
        "priority=2,ip,cookie=0x10,actions=output:2",
        "table=3,priority=3,ip,actions=output:2",
        "priority=4,tcp,actions=output:3",
    ] {
        assert_eq!(fm(&mut of, C13, Add, f), None);
    }
    assert_eq!(fm(&mut of, C13, DeleteStrict, "priority=9,ip"), None);
    assert_eq!(rules(&of).len(), 4);
    assert_eq!(fm(&mut of, C13, Delete, "cookie=0x10/0xff"), None);
    assert_eq!(rules(&of).len(), 3);
    assert_eq!(fm(&mut of, C13, Delete, "out_port=2"), None);
    assert_eq!(rules(&of), ["0:1:0x0:output:1", "0:4:0x0:output:3"]);
    // Loose delete of "ip" takes the more specific tcp flow too.
    assert_eq!(fm(&mut of, C13, Delete, "ip"), None);
    assert!(rules(&of).is_empty());
}

#[test]
fn overlap_bad_table_unknown_group_and_meter_are_refused() {
    use FlowModCommand::*;
    let mut of = switch();
    assert_eq!(fm(&mut of, C13, Add, "priority=5,ip,actions=drop"), None);
    assert_eq!(
        fm(
            &mut of,
            C13,
            Add,
            "check_overlap,priority=5,ip,nw_src=1.2.3.4,actions=drop"
        ),
        Some(OfpError::FmfcOverlap)
    );
    assert_eq!(
        fm(
            &mut of,
            C13,
            Add,
            "check_overlap,priority=5,ip,actions=drop"
        ),
        None
    );
    assert_eq!(
        fm(&mut of, C13, Add, "table=254,actions=drop"),
        Some(OfpError::BrcEperm)
    );
    assert_eq!(
        fm(&mut of, C13, Add, "actions=group:9"),
        Some(OfpError::BacBadOutGroup)
    );
    assert_eq!(
        fm(&mut of, C13, Add, "actions=meter:9"),
        Some(OfpError::MmfcInvalidMeter)
    );
    assert_eq!(
        fm(&mut of, C13, Add, "recirc_id=1,actions=drop"),
        Some(OfpError::BrcEperm)
    );
    assert_eq!(rules(&of).len(), 1);
}

#[test]
fn timeouts_expire_with_flow_removed_to_who_asked() {
    use FlowModCommand::*;
    let mut of = switch();
    // A service connection asks for asynchronous messages; the other
    // (miss_send_len 0) gets none.
    let cfg = openflow::msg::config::SwitchConfig {
        frags: 0,
        invalid_ttl_to_controller: false,
        miss_send_len: 128,
    };
    let out = of.handle(
        C13,
        &msg::encode(&Message::SetConfig(cfg), Protocols::OF13_OXM, 2),
    );
    assert!(out.is_empty(), "{out:?}");
    assert_eq!(
        fm(
            &mut of,
            C13,
            Add,
            "priority=1,ip,idle_timeout=2,send_flow_rem,actions=drop"
        ),
        None
    );
    assert_eq!(
        fm(
            &mut of,
            C13,
            Add,
            "priority=2,ip,hard_timeout=5,actions=drop"
        ),
        None
    );
    let t0 = now_ms();
    assert!(of.run(t0).iter().all(|o| !matches!(o, Output::Send { .. })));
    // Used at t0+1.5 s: idle expiry moves to t0+3.5 s.
    let idle = of
        .table(0)
        .and_then(|t| t.iter().find(|r| r.priority == 1).cloned())
        .expect("rule");
    idle.stats.add(1, 60, t0 + 1500);
    assert_eq!(rules(&of).len(), 2);
    let out = of.run(t0 + 2500);
    assert_eq!(rules(&of).len(), 2, "idle timeout counts from the last use");
    assert!(messages(&out, C13).is_empty());
    let out = of.run(t0 + 3600);
    assert_eq!(rules(&of).len(), 1);
    let removed: Vec<_> = messages(&out, C13)
        .into_iter()
        .filter_map(|m| match m {
            Message::FlowRemoved(fr) => Some(fr),
            _ => None,
        })
        .collect();
    assert_eq!(removed.len(), 1);
    assert!(messages(&out, C10).is_empty(), "C10 did not ask");
    assert_eq!(removed[0].reason, 0, "idle timeout");
    assert_eq!(removed[0].packet_count, 1);
    assert!(out.contains(&Output::Effect(Effect::FlowsChanged)));
    let out = of.run(t0 + 5100);
    assert!(rules(&of).is_empty());
    assert!(
        messages(&out, C13).is_empty(),
        "no send_flow_rem, no message"
    );
}

#[test]
fn lookup_picks_the_highest_priority_and_reports_the_bits_used() {
    use FlowModCommand::*;
    let mut of = switch();
    assert_eq!(
        fm(
            &mut of,
            C13,
            Add,
            "priority=10,ip,nw_src=10.0.0.0/8,actions=output:1"
        ),
        None
    );
    assert_eq!(
        fm(&mut of, C13, Add, "priority=5,ip,actions=output:2"),
        None
    );
    assert_eq!(
        fm(&mut of, C13, Add, "table=1,priority=5,actions=output:3"),
        None
    );
    let mut wc = FlowKey::default();
    let r = of
        .lookup(0, &ip_key([10, 1, 2, 3]), of.version(), Some(&mut wc))
        .expect("rule");
    assert_eq!(r.priority, 10);
    assert_eq!(wc.get(key::DL_TYPE), &[0xff, 0xff]);
    assert_eq!(wc.get(key::NW_SRC)[0], 0xff);
    let r = of
        .lookup(0, &ip_key([11, 1, 2, 3]), of.version(), None)
        .expect("rule");
    assert_eq!(r.priority, 5);
    assert!(of
        .lookup(2, &ip_key([11, 1, 2, 3]), of.version(), None)
        .is_none());
    assert_eq!(
        of.lookup(1, &FlowKey::default(), of.version(), None)
            .map(|r| r.priority),
        Some(5)
    );
}

fn bundle_msg(m: Message, xid: u32) -> Vec<u8> {
    msg::encode(&m, Protocols::OF14_OXM, xid)
}

#[test]
fn bundle_commit_is_all_or_nothing() {
    use FlowModCommand::*;
    let mut of = switch();
    let c = 9;
    of.connect(c, ConnKind::Service, Version::Of14);
    let ctl = |t: u16| BundleControl {
        bundle_id: 1,
        ctrl_type: t,
        flags: ATOMIC,
    };
    let add = |text: &str, xid: u32| {
        let (f, _) = parse_flow_mod(text, Add, None).expect("parses");
        let inner = msg::encode(&Message::FlowMod(f), Protocols::OF14_OXM, xid);
        bundle_msg(
            Message::BundleAdd(BundleAdd {
                bundle_id: 1,
                flags: ATOMIC,
                msg: inner,
            }),
            xid,
        )
    };
    assert_eq!(fm(&mut of, C13, Add, "priority=1,actions=drop"), None);
    for (i, m) in [
        bundle_msg(Message::BundleControl(ctl(OPEN_REQUEST)), 1),
        add("priority=2,ip,actions=output:1", 2),
        add("priority=3,ip,actions=group:5", 3),
    ]
    .iter()
    .enumerate()
    {
        let out = of.handle(c, m);
        assert!(errors(&out, c).is_empty(), "message {i}: {out:?}");
    }
    let out = of.handle(
        c,
        &bundle_msg(Message::BundleControl(ctl(COMMIT_REQUEST)), 4),
    );
    assert_eq!(
        errors(&out, c),
        [OfpError::BacBadOutGroup, OfpError::BfcMsgFailed]
    );
    assert_eq!(
        rules(&of),
        ["0:1:0x0:drop"],
        "nothing of the failed bundle stays"
    );
    // A good bundle applies completely.
    for m in [
        bundle_msg(Message::BundleControl(ctl(OPEN_REQUEST)), 5),
        add("priority=2,ip,actions=output:1", 6),
        add("priority=3,ip,actions=output:2", 7),
        bundle_msg(Message::BundleControl(ctl(COMMIT_REQUEST)), 8),
    ] {
        let out = of.handle(c, &m);
        assert!(errors(&out, c).is_empty(), "{out:?}");
    }
    assert_eq!(rules(&of).len(), 3);
}

/// Lookups running while bundles commit see each bundle whole or not at
/// all: every bundle rewrites the cookie (its generation) of the same
/// rules, every other one fails on its last message, and a reader that
/// looks all the rules up in the switch's version must always find one
/// generation, a committed one.
#[test]
fn concurrent_lookups_see_all_or_none_of_each_bundle() {
    use std::sync::atomic::AtomicBool;
    use std::sync::{Arc, RwLock};
    use FlowModCommand::*;
    const RULES: u8 = 24;
    const BUNDLES: u32 = 120;
    let c = 9;
    let mut of = switch();
    of.connect(c, ConnKind::Service, Version::Of14);
    let shared = Arc::new(RwLock::new(of));
    let ctl = |id: u32, t: u16| {
        bundle_msg(
            Message::BundleControl(BundleControl {
                bundle_id: id,
                ctrl_type: t,
                flags: ATOMIC,
            }),
            id,
        )
    };
    let add = |id: u32, text: &str| {
        let (f, _) = parse_flow_mod(text, Add, None).expect("parses");
        let inner = msg::encode(&Message::FlowMod(f), Protocols::OF14_OXM, id);
        bundle_msg(
            Message::BundleAdd(BundleAdd {
                bundle_id: id,
                flags: ATOMIC,
                msg: inner,
            }),
            id,
        )
    };
    let done = Arc::new(AtomicBool::new(false));
    let reader = {
        let (shared, done) = (shared.clone(), done.clone());
        std::thread::spawn(move || {
            let mut passes = 0u64;
            let mut seen = std::collections::BTreeSet::new();
            while !done.load(Ordering::Relaxed) || passes == 0 {
                let of = shared.read().unwrap_or_else(|e| e.into_inner());
                let version = of.version();
                let cookies: Vec<Option<u64>> = (0..RULES)
                    .map(|i| {
                        of.lookup(0, &ip_key([10, 0, 0, i]), version, None)
                            .map(|r| r.cookie)
                    })
                    .collect();
                drop(of);
                let first = cookies.first().copied().flatten();
                assert!(
                    cookies.iter().all(|c| *c == first),
                    "one lookup pass saw several generations: {cookies:?}"
                );
                if let Some(g) = first {
                    assert!(g % 2 == 0, "generation {g} failed and must stay invisible");
                    seen.insert(g);
                }
                passes += 1;
            }
            (passes, seen)
        })
    };
    for g in 1..=BUNDLES {
        let mut msgs = vec![ctl(g, OPEN_REQUEST)];
        for i in 0..RULES {
            msgs.push(add(
                g,
                &format!("priority=5,ip,nw_src=10.0.0.{i},cookie={g},actions=output:1"),
            ));
        }
        if g % 2 == 1 {
            // Odd generations fail on their last message (no group 7).
            msgs.push(add(g, "priority=9,ip,actions=group:7"));
        }
        msgs.push(ctl(g, COMMIT_REQUEST));
        for m in &msgs {
            let out = {
                let mut of = shared.write().unwrap_or_else(|e| e.into_inner());
                of.handle(c, m)
            };
            let errs = errors(&out, c);
            if g % 2 == 1 && m == msgs.last().unwrap_or(m) {
                assert_eq!(errs, [OfpError::BacBadOutGroup, OfpError::BfcMsgFailed]);
            } else {
                assert!(errs.is_empty(), "generation {g}: {errs:?}");
            }
        }
        let of = shared.read().unwrap_or_else(|e| e.into_inner());
        let want = u64::from(g - g % 2);
        let got = of
            .lookup(0, &ip_key([10, 0, 0, 0]), of.version(), None)
            .map(|r| r.cookie);
        assert_eq!(got, (want > 0).then_some(want), "after commit {g}");
        let n = if want > 0 { usize::from(RULES) } else { 0 };
        assert_eq!(rules(&of).len(), n, "after commit {g}");
    }
    done.store(true, Ordering::Relaxed);
    let (passes, seen) = reader.join().expect("reader thread");
    assert!(passes > 0);
    assert!(
        seen.iter().all(|g| g % 2 == 0 && *g <= u64::from(BUNDLES)),
        "{seen:?}"
    );
}

#[test]
fn roles_demote_and_secondaries_cannot_modify() {
    use FlowModCommand::*;
    let mut of = switch();
    let (a, b) = (20, 21);
    of.connect(a, ConnKind::Primary, Version::Of13);
    of.connect(b, ConnKind::Primary, Version::Of13);
    let role = |r: Role, g: Option<u64>| {
        msg::encode(
            &Message::RoleRequest(RoleMsg {
                role: r,
                generation_id: g,
            }),
            Protocols::OF13_OXM,
            3,
        )
    };
    let out = of.handle(a, &role(Role::Primary, Some(10)));
    assert!(
        matches!(messages(&out, a).as_slice(), [Message::RoleReply(r)] if r.role == Role::Primary)
    );
    let out = of.handle(b, &role(Role::Primary, Some(11)));
    assert!(matches!(
        messages(&out, b).as_slice(),
        [Message::RoleReply(_)]
    ));
    assert!(
        messages(&out, a).is_empty(),
        "role status is off by default: {out:?}"
    );
    assert_eq!(of.conn(a).map(|c| c.role), Some(Role::Secondary));
    assert_eq!(
        fm(&mut of, a, Add, "actions=drop"),
        Some(OfpError::BrcIsSlave)
    );
    assert_eq!(fm(&mut of, b, Add, "actions=drop"), None);
    let out = of.handle(a, &role(Role::Primary, Some(5)));
    assert_eq!(errors(&out, a), [OfpError::RrfcStale]);
}

#[test]
fn packet_ins_follow_each_connection_settings() {
    let mut of = switch();
    let ctl = 30;
    of.connect(ctl, ConnKind::Primary, Version::Of13);
    let mut md = FlowKey::default();
    md.set_uint(key::IN_PORT, 2);
    let req = PacketInRequest {
        reason: 0,
        table_id: 0,
        cookie: 0,
        packet: vec![0xaa; 300],
        metadata: md,
        max_len: None,
        controller_id: 0,
        userdata: Vec::new(),
    };
    let out = of.packet_in(&req);
    assert!(
        messages(&out, C13).is_empty(),
        "service connections: miss_send_len 0"
    );
    let got = messages(&out, ctl);
    let [Message::PacketIn(pi)] = got.as_slice() else {
        panic!("one packet-in for the controller: {got:?}");
    };
    assert_eq!(pi.packet.len(), 128, "truncated to miss_send_len");
    assert_eq!(pi.total_len, 300);
    let action = PacketInRequest {
        reason: 1,
        max_len: Some(0xffff),
        ..req
    };
    let out = of.packet_in(&action);
    assert!(
        messages(&out, C13).is_empty(),
        "service connections get nothing until they set miss_send_len"
    );
    assert!(
        matches!(messages(&out, ctl).as_slice(), [Message::PacketIn(p)] if p.packet.len() == 300)
    );
}

#[test]
fn malformed_messages_get_errors_and_never_panic() {
    let mut of = switch();
    let good = flow_mod_bytes(C13, FlowModCommand::Add, "priority=5,ip,actions=output:1");
    for cut in 0..good.len() {
        let mut m = good[..cut].to_vec();
        if m.len() >= 4 {
            let len = m.len() as u16;
            m[2..4].copy_from_slice(&len.to_be_bytes());
        }
        let _ = of.handle(C13, &m);
    }
    // Every byte flipped, one at a time.
    for i in 0..good.len() {
        let mut m = good.clone();
        m[i] ^= 0xff;
        let _ = of.handle(C13, &m);
    }
    let out = of.handle(C13, &[4, 0xee, 0, 8, 0, 0, 0, 1]);
    assert_eq!(errors(&out, C13), [OfpError::BrcBadType]);
    assert!(of.group(1).is_none());
    // Still works.
    assert_eq!(
        fm(&mut of, C13, FlowModCommand::Add, "priority=9,actions=drop"),
        None
    );
    assert!(of
        .table(0)
        .is_some_and(|t| t.iter().any(|r| r.priority == 9)));
    let _ = Ordering::Relaxed;
}

#[test]
fn port_mod_changes_config_and_tells_controllers() {
    let mut of = switch();
    let ctl = 40;
    of.connect(ctl, ConnKind::Primary, Version::Of13);
    let pm = openflow::msg::port_mod::PortMod {
        port_no: PortNo(1),
        hw_addr: [2, 0, 0, 0, 0, 1],
        config: openflow::msg::port_desc::PC_NO_FWD,
        mask: openflow::msg::port_desc::PC_NO_FWD,
        advertise: 0,
    };
    let out = of.handle(
        ctl,
        &msg::encode(&Message::PortMod(pm.clone()), Protocols::OF13_OXM, 2),
    );
    assert!(
        out.iter().any(|o| matches!(o, Output::Effect(Effect::PortMod { port_no, .. }) if *port_no == PortNo(1))),
        "{out:?}"
    );
    assert!(matches!(
        messages(&out, ctl).as_slice(),
        [Message::PortStatus(_)]
    ));
    assert_ne!(of.port(PortNo(1)).map(|p| p.config()), Some(0));
    let bad = openflow::msg::port_mod::PortMod {
        hw_addr: [9; 6],
        ..pm
    };
    let out = of.handle(
        ctl,
        &msg::encode(&Message::PortMod(bad), Protocols::OF13_OXM, 3),
    );
    assert_eq!(errors(&out, ctl), [OfpError::PmfcBadHwAddr]);
}
