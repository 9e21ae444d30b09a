//! The packet path with dummy ports and a test upcall handler: miss then
//! hit, megaflow masks, action execution on the bytes, recirculation,
//! userspace, revalidation, idle expiry (injected clock), flow limit, and
//! the poll thread.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use datapath::{Clock, Datapath, FlowHook, OdpAction, Upcall, UpcallHandler};
use openflow::flow_match::key::{self as k, FlowKey};

static UNIQUE: AtomicU64 = AtomicU64::new(0);

/// Test clock moved by hand.
struct FakeClock(AtomicU64);
impl Clock for FakeClock {
    fn now_ms(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// A datapath with dummy ports 1..=3 (unique device names per test).
struct Rig {
    dp: Arc<Datapath>,
    clock: Arc<FakeClock>,
    names: Vec<String>,
}

impl Rig {
    fn new() -> Rig {
        let clock = Arc::new(FakeClock(AtomicU64::new(1_000)));
        let dp = Datapath::with_type("dummy", "ovs-dummy", clock.clone());
        let id = UNIQUE.fetch_add(1, Ordering::Relaxed);
        let mut names = Vec::new();
        for p in 1..=3u32 {
            let name = format!("t{}-{id}-p{p}", std::process::id());
            let dev = netdev::open("dummy", &name, &BTreeMap::new()).expect("open dummy");
            assert_eq!(dp.add_port(dev, Some(p)), Ok(p));
            names.push(name);
        }
        Rig { dp, clock, names }
    }

    fn sent(&self, port: u32) -> Vec<Vec<u8>> {
        netdev::dummy::lookup(&self.names[port as usize - 1])
            .expect("dummy exists")
            .take_sent()
    }

    fn handle(&self, port: u32) -> netdev::dummy::DummyHandle {
        netdev::dummy::lookup(&self.names[port as usize - 1]).expect("dummy exists")
    }
}

/// An Ethernet/IPv4/UDP frame.
fn frame(dst: u8, src_port: u16) -> Vec<u8> {
    let mut key = FlowKey::default();
    key.get_mut(k::DL_DST)
        .copy_from_slice(&[0, 0, 0, 0, 0, dst]);
    key.get_mut(k::DL_SRC).copy_from_slice(&[0, 0, 0, 0, 0, 1]);
    key.set_uint(k::DL_TYPE, 0x0800);
    key.get_mut(k::NW_SRC).copy_from_slice(&[10, 0, 0, 1]);
    key.get_mut(k::NW_DST).copy_from_slice(&[10, 0, 0, 2]);
    key.set_uint(k::NW_PROTO, 17);
    key.set_uint(k::NW_TTL, 64);
    key.set_uint(k::TP_SRC, u64::from(src_port));
    key.set_uint(k::TP_DST, 53);
    packet::compose(&key)
}

type Decide = dyn Fn(&FlowKey) -> Upcall + Send + Sync;
/// (packet, key, userdata) of a userspace action.
type UserspaceCall = (Vec<u8>, FlowKey, Vec<u8>);

/// Handler whose answer is a closure; counts misses, keeps userspace calls.
struct TestHandler {
    decide: Box<Decide>,
    misses: AtomicU64,
    userspace: Mutex<Vec<UserspaceCall>>,
}

impl TestHandler {
    fn new(decide: impl Fn(&FlowKey) -> Upcall + Send + Sync + 'static) -> Arc<TestHandler> {
        Arc::new(TestHandler {
            decide: Box::new(decide),
            misses: AtomicU64::new(0),
            userspace: Mutex::new(Vec::new()),
        })
    }
}

impl UpcallHandler for TestHandler {
    fn miss(&self, _packet: &[u8], key: &FlowKey) -> Upcall {
        self.misses.fetch_add(1, Ordering::Relaxed);
        (self.decide)(key)
    }
    fn userspace(&self, packet: &[u8], key: &FlowKey, userdata: &[u8]) {
        self.userspace
            .lock()
            .unwrap()
            .push((packet.to_vec(), key.clone(), userdata.to_vec()));
    }
}

fn dl_dst_mask() -> FlowKey {
    let mut m = FlowKey::default();
    m.get_mut(k::DL_DST).fill(0xff);
    m
}

fn out2_on_dl_dst(_: &FlowKey) -> Upcall {
    Upcall {
        actions: vec![OdpAction::Output(2)],
        mask: dl_dst_mask(),
        install: true,
        hook: None,
    }
}

#[test]
fn miss_installs_megaflow_then_packets_hit_it() {
    let rig = Rig::new();
    let h = TestHandler::new(out2_on_dl_dst);
    rig.dp.set_upcall_handler(h.clone());
    let p = frame(2, 1000);
    rig.dp.receive_now(1, &p).unwrap();
    assert_eq!(h.misses.load(Ordering::Relaxed), 1);
    assert_eq!(
        rig.sent(2),
        vec![p.clone()],
        "the missed packet is executed"
    );
    // Another source port: same megaflow (mask is dl_dst only).
    let p2 = frame(2, 2000);
    rig.dp.receive_now(1, &p2).unwrap();
    rig.dp.receive_now(1, &p2).unwrap();
    assert_eq!(
        h.misses.load(Ordering::Relaxed),
        1,
        "second and third packets hit"
    );
    assert_eq!(rig.sent(2), vec![p2.clone(), p2.clone()]);
    let st = rig.dp.stats();
    assert_eq!((st.hit, st.missed, st.lost, st.flows), (2, 1, 0, 1));
    let flows = rig.dp.flow_dump();
    assert_eq!(flows.len(), 1);
    let f = &flows[0];
    assert_eq!(
        f.packets, 2,
        "the upcalled packet is not counted, as in the reference"
    );
    assert_eq!(f.bytes, 2 * p2.len() as u64);
    assert_eq!(f.used, Some(1_000));
    // The datapath adds in_port, recirc_id, packet_type, dl_type (+ no-VLAN bit).
    assert!(f.mask.is_ones(k::DL_DST) && f.mask.is_ones(k::IN_PORT) && f.mask.is_ones(k::DL_TYPE));
    assert!(f.mask.is_zero(k::TP_SRC));
    assert_eq!(
        datapath::odp::format_flow(&f.key, &f.mask),
        "recirc_id(0),in_port(1),packet_type(ns=0,id=0),eth(dst=00:00:00:00:00:02),eth_type(0x0800)"
    );
    // A different destination misses.
    rig.dp.receive_now(1, &frame(3, 1000)).unwrap();
    assert_eq!(h.misses.load(Ordering::Relaxed), 2);
    assert_eq!(rig.dp.stats().flows, 2);
    assert_eq!(rig.dp.port_stats(1).unwrap().rx_packets, 4);
    assert_eq!(rig.dp.port_stats(2).unwrap().tx_packets, 4);
}

#[test]
fn a_tagged_packet_does_not_hit_an_untagged_megaflow() {
    let rig = Rig::new();
    let h = TestHandler::new(out2_on_dl_dst);
    rig.dp.set_upcall_handler(h.clone());
    let p = frame(2, 1000);
    rig.dp.receive_now(1, &p).unwrap();
    let mut tagged = p[..12].to_vec();
    tagged.extend_from_slice(&[0x81, 0x00, 0x00, 0x0a]);
    tagged.extend_from_slice(&p[12..]);
    rig.dp.receive_now(1, &tagged).unwrap();
    assert_eq!(h.misses.load(Ordering::Relaxed), 2);
}

#[test]
fn push_vlan_and_set_eth_rewrite_the_bytes() {
    let rig = Rig::new();
    let mut set_key = FlowKey::default();
    set_key
        .get_mut(k::DL_SRC)
        .copy_from_slice(&[0x02, 0, 0, 0, 0, 0x99]);
    let mut set_mask = FlowKey::default();
    set_mask.get_mut(k::DL_SRC).fill(0xff);
    let actions = vec![
        OdpAction::SetMasked {
            key: set_key,
            mask: set_mask,
        },
        OdpAction::PushVlan {
            tpid: 0x8100,
            tci: 0x1000 | (5 << 13) | 100,
        },
        OdpAction::Output(2),
        OdpAction::PopVlan,
        OdpAction::Output(3),
    ];
    let acts = actions.clone();
    let h = TestHandler::new(move |_| Upcall {
        actions: acts.clone(),
        mask: dl_dst_mask(),
        install: true,
        hook: None,
    });
    rig.dp.set_upcall_handler(h);
    let p = frame(2, 1000);
    for _ in 0..2 {
        rig.dp.receive_now(1, &p).unwrap();
    }
    let mut want = p.clone();
    want[6..12].copy_from_slice(&[0x02, 0, 0, 0, 0, 0x99]);
    let mut tagged = want[..12].to_vec();
    // PCP 5, VID 100; the CFI bit is not sent on the wire.
    tagged.extend_from_slice(&[0x81, 0x00, 0xa0, 0x64]);
    tagged.extend_from_slice(&want[12..]);
    assert_eq!(
        rig.sent(2),
        vec![tagged.clone(), tagged],
        "miss path and hit path agree"
    );
    assert_eq!(rig.sent(3), vec![want.clone(), want]);
    assert_eq!(
        datapath::odp::format_actions(&actions),
        "set(eth(src=02:00:00:00:00:99)),push_vlan(vid=100,pcp=5),2,pop_vlan,3"
    );
}

#[test]
fn recirculation_looks_the_packet_up_again_with_its_recirc_id() {
    let rig = Rig::new();
    let h = TestHandler::new(|key| {
        let mut mask = FlowKey::default();
        mask.get_mut(k::TP_SRC).fill(0xff);
        let actions = if key.u32(k::RECIRC_ID) == 0 {
            vec![OdpAction::Hash { alg: 0, basis: 0 }, OdpAction::Recirc(7)]
        } else {
            vec![OdpAction::Output(3)]
        };
        Upcall {
            actions,
            mask,
            install: true,
            hook: None,
        }
    });
    rig.dp.set_upcall_handler(h.clone());
    let p = frame(2, 1000);
    rig.dp.receive_now(1, &p).unwrap();
    assert_eq!(h.misses.load(Ordering::Relaxed), 2, "one miss per pass");
    assert_eq!(rig.sent(3), vec![p.clone()]);
    rig.dp.receive_now(1, &p).unwrap();
    assert_eq!(h.misses.load(Ordering::Relaxed), 2, "both passes hit now");
    assert_eq!(rig.sent(3), vec![p.clone()]);
    let mut recircs: Vec<u32> = rig
        .dp
        .flow_dump()
        .iter()
        .map(|f| f.key.u32(k::RECIRC_ID))
        .collect();
    recircs.sort();
    assert_eq!(recircs, vec![0, 7]);
    for f in rig.dp.flow_dump() {
        assert_eq!(f.packets, 1, "{:?}", f.actions);
    }
}

#[test]
fn recirculation_stops_at_depth_eight() {
    let rig = Rig::new();
    let h = TestHandler::new(|key| Upcall {
        actions: vec![OdpAction::Recirc(key.u32(k::RECIRC_ID) + 1)],
        mask: FlowKey::default(),
        install: true,
        hook: None,
    });
    rig.dp.set_upcall_handler(h.clone());
    rig.dp.receive_now(1, &frame(2, 1)).unwrap();
    assert_eq!(
        h.misses.load(Ordering::Relaxed),
        9,
        "the first pass and 8 recirculations"
    );
}

#[test]
fn userspace_action_reaches_the_handler_with_userdata() {
    let rig = Rig::new();
    let h = TestHandler::new(|_| Upcall {
        actions: vec![
            OdpAction::Userspace {
                pid: 0,
                userdata: vec![1, 2, 3],
            },
            OdpAction::Output(2),
        ],
        mask: FlowKey::default(),
        install: true,
        hook: None,
    });
    rig.dp.set_upcall_handler(h.clone());
    let p = frame(2, 1);
    rig.dp.receive_now(1, &p).unwrap();
    rig.dp.receive_now(1, &p).unwrap();
    let calls = h.userspace.lock().unwrap().clone();
    assert_eq!(calls.len(), 2);
    assert_eq!(calls[0].0, p);
    assert_eq!(calls[0].1.u16(k::IN_PORT), 1);
    assert_eq!(calls[0].1.u16(k::TP_SRC), 1);
    assert_eq!(calls[0].2, vec![1, 2, 3]);
    assert_eq!(rig.sent(2).len(), 2);
}

#[derive(Default)]
struct CountingHook(AtomicU64, AtomicU64);
impl FlowHook for CountingHook {
    fn hit(&self, packets: u64, bytes: u64, _flags: u16) {
        self.0.fetch_add(packets, Ordering::Relaxed);
        self.1.fetch_add(bytes, Ordering::Relaxed);
    }
}

#[test]
fn hooks_see_every_hit_and_revalidation_replaces_or_deletes() {
    let rig = Rig::new();
    let hook = Arc::new(CountingHook::default());
    let hk = hook.clone();
    let h = TestHandler::new(move |_| Upcall {
        actions: vec![OdpAction::Output(2)],
        mask: dl_dst_mask(),
        install: true,
        hook: Some(hk.clone()),
    });
    rig.dp.set_upcall_handler(h.clone());
    let (a, b) = (frame(2, 1), frame(3, 1));
    for p in [&a, &a, &a, &b] {
        rig.dp.receive_now(1, p).unwrap();
    }
    assert_eq!(hook.0.load(Ordering::Relaxed), 2);
    assert_eq!(hook.1.load(Ordering::Relaxed), 2 * a.len() as u64);
    rig.sent(2);
    // Delete the flow to ...:03, send the one to ...:02 to port 3 instead.
    let (kept, deleted) = rig.dp.revalidate(|key, _mask| {
        if key.get(k::DL_DST)[5] == 3 {
            None
        } else {
            Some(Upcall {
                actions: vec![OdpAction::Output(3)],
                mask: dl_dst_mask(),
                install: true,
                hook: None,
            })
        }
    });
    assert_eq!((kept, deleted), (1, 1));
    let flows = rig.dp.flow_dump();
    assert_eq!(flows.len(), 1);
    assert_eq!(flows[0].actions, vec![OdpAction::Output(3)]);
    assert_eq!(flows[0].packets, 2, "stats survive a replacement");
    rig.dp.receive_now(1, &a).unwrap();
    assert_eq!(rig.sent(3), vec![a.clone()]);
    assert!(rig.sent(2).is_empty());
    assert_eq!(
        h.misses.load(Ordering::Relaxed),
        2,
        "the replaced flow still hits"
    );
}

#[test]
fn idle_megaflows_expire_by_the_injected_clock() {
    let rig = Rig::new();
    rig.dp.set_upcall_handler(TestHandler::new(out2_on_dl_dst));
    rig.dp.set_max_idle_ms(10_000);
    rig.dp.receive_now(1, &frame(2, 1)).unwrap();
    rig.dp.receive_now(1, &frame(3, 1)).unwrap();
    rig.clock.0.store(8_000, Ordering::Relaxed);
    rig.dp.receive_now(1, &frame(2, 1)).unwrap();
    rig.clock.0.store(11_500, Ordering::Relaxed);
    assert_eq!(
        rig.dp.expire(),
        1,
        "only the flow idle since 1.000s is gone"
    );
    let flows = rig.dp.flow_dump();
    assert_eq!(flows.len(), 1);
    assert_eq!(flows[0].key.get(k::DL_DST)[5], 2);
    rig.clock.0.store(18_001, Ordering::Relaxed);
    assert_eq!(rig.dp.expire(), 1);
    assert_eq!(rig.dp.stats().flows, 0);
}

#[test]
fn over_the_flow_limit_packets_are_executed_but_not_installed() {
    let rig = Rig::new();
    let h = TestHandler::new(out2_on_dl_dst);
    rig.dp.set_upcall_handler(h.clone());
    rig.dp.set_flow_limit(1);
    rig.dp.receive_now(1, &frame(2, 1)).unwrap();
    rig.dp.receive_now(1, &frame(3, 1)).unwrap();
    rig.dp.receive_now(1, &frame(3, 1)).unwrap();
    assert_eq!(rig.dp.stats().flows, 1);
    assert_eq!(h.misses.load(Ordering::Relaxed), 3);
    assert_eq!(rig.sent(2).len(), 3);
}

#[test]
fn without_a_handler_misses_are_lost() {
    let rig = Rig::new();
    rig.dp.receive_now(1, &frame(2, 1)).unwrap();
    let st = rig.dp.stats();
    assert_eq!((st.missed, st.lost, st.flows), (1, 1, 0));
    assert!(rig.sent(2).is_empty());
}

#[test]
fn execute_runs_actions_without_a_flow() {
    let rig = Rig::new();
    let p = frame(2, 1);
    let mut md = FlowKey::default();
    md.set_uint(k::IN_PORT, 1);
    rig.dp
        .execute(
            &p,
            &md,
            &[
                OdpAction::Trunc(20),
                OdpAction::Output(3),
                OdpAction::Output(2),
            ],
        )
        .unwrap();
    assert_eq!(rig.sent(3), vec![p[..20].to_vec()]);
    assert_eq!(rig.sent(2), vec![p.clone()]);
    assert_eq!(rig.dp.stats().flows, 0);
}

#[test]
fn poll_thread_receives_from_dummy_ports() {
    let rig = Rig::new();
    let h = TestHandler::new(out2_on_dl_dst);
    rig.dp.set_upcall_handler(h.clone());
    rig.dp.start().unwrap();
    let p = frame(2, 1);
    for _ in 0..40 {
        assert!(rig.handle(1).receive(&p));
    }
    let mut got = 0;
    testkit::wait_until(Duration::from_secs(10), "40 packets out of port 2", || {
        got += rig.sent(2).len();
        got == 40
    })
    .unwrap();
    assert_eq!(h.misses.load(Ordering::Relaxed), 1);
    // Ports added after start are polled too.
    let name = format!("t{}-late", std::process::id());
    let dev = netdev::open("dummy", &name, &BTreeMap::new()).unwrap();
    let no = rig.dp.add_port(dev, None).unwrap();
    assert_eq!(no, 4);
    netdev::dummy::lookup(&name).unwrap().receive(&frame(2, 9));
    testkit::wait_until(
        Duration::from_secs(10),
        "a packet from the new port",
        || rig.sent(2).len() == 1,
    )
    .unwrap();
    rig.dp.stop();
}

#[test]
fn netdev_dummy_receive_turns_a_flow_into_the_packet_it_describes() {
    let rig = Rig::new();
    let seen = Arc::new(Mutex::new(Vec::<FlowKey>::new()));
    let s2 = seen.clone();
    rig.dp.set_upcall_handler(TestHandler::new(move |key| {
        s2.lock().unwrap().push(key.clone());
        out2_on_dl_dst(key)
    }));
    let flow = "in_port(1),eth(src=00:00:00:00:00:01,dst=00:00:00:00:00:02),eth_type(0x0800),\
                ipv4(src=10.0.0.1,dst=10.0.0.2,proto=6,tos=0,ttl=64,frag=no),tcp(src=1000,dst=80)";
    let args = vec![rig.names[0].clone(), flow.to_string()];
    assert_eq!(
        datapath::dpctl::netdev_dummy_receive(&rig.dp, &args),
        Ok(String::new())
    );
    let (want, _) = datapath::odp::parse_flow(flow).unwrap();
    let got = seen.lock().unwrap().clone();
    assert_eq!(got.len(), 1);
    for slot in [
        k::DL_SRC,
        k::DL_DST,
        k::DL_TYPE,
        k::NW_SRC,
        k::NW_DST,
        k::NW_PROTO,
        k::NW_TTL,
        k::TP_SRC,
        k::TP_DST,
    ] {
        assert_eq!(got[0].get(slot), want.get(slot), "{slot:?}");
    }
    assert_eq!(got[0].u16(k::IN_PORT), 1);
    // Hex input, and the reference's errors.
    let hex: String = frame(2, 7).iter().map(|b| format!("{b:02x}")).collect();
    let args = vec![rig.names[0].clone(), hex];
    assert_eq!(
        datapath::dpctl::netdev_dummy_receive(&rig.dp, &args),
        Ok(String::new())
    );
    assert_eq!(rig.sent(2).len(), 2);
    let bad = vec!["nope".to_string(), flow.to_string()];
    assert_eq!(
        datapath::dpctl::netdev_dummy_receive(&rig.dp, &bad),
        Err("no such dummy netdev\n".to_string())
    );
}
