//! The backer as the real userspace datapath's upcall handler: packets go
//! through `Datapath::receive_now`, miss, get translated (NORMAL with MAC
//! learning), megaflows are installed and then hit (rule counters through
//! the flow hook), flow changes are picked up by revalidation, and MAC
//! entries age out on the injected clock.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use datapath::{Clock, Datapath};
use ofproto::{OfPort, Ofproto};
use ofproto_dpif::backer::{Backer, InterfaceSpec, PortSpec};
use ofproto_dpif::bridge::PortKind;
use ofproto_dpif::vlan::VlanConfig;
use openflow::flow_match::key::{self, FlowKey};
use openflow::msg::flow_mod::FlowModCommand;
use openflow::msg::meter::{parse_meter, MeterModCommand, MeterTextCommand};
use openflow::port::PortNo;

struct FakeClock(AtomicU64);
impl Clock for FakeClock {
    fn now_ms(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

struct Setup {
    dp: Arc<Datapath>,
    backer: Arc<Backer>,
    clock: Arc<FakeClock>,
    odp: Vec<u32>,
    names: Vec<String>,
    _netdevs: (),
}

fn setup(tag: &str) -> Setup {
    setup_with(tag, false)
}

/// With `dp_on_fake_clock`, the datapath's clock (meters, idle expiry) is
/// the fake one too, not just the backer's (MAC aging).
fn setup_with(tag: &str, dp_on_fake_clock: bool) -> Setup {
    let clock = Arc::new(FakeClock(AtomicU64::new(1_000)));
    let dp = if dp_on_fake_clock {
        Datapath::with_clock("ovs-dummy", clock.clone())
    } else {
        Datapath::new("ovs-dummy")
    };
    let backer = Backer::with_clock(clock.clone());
    dp.set_upcall_handler(backer.clone());
    backer.set_datapath(dp.clone());
    let of = Arc::new(RwLock::new(Ofproto::new("br0", 1)));
    backer.add_bridge("br0", of.clone()).unwrap();
    let mut odp = Vec::new();
    let mut names = Vec::new();
    for i in 1..=3u16 {
        let name = format!("x{tag}{i}");
        let nd = netdev::open("dummy", &name, &BTreeMap::new()).unwrap();
        let no = dp.add_port(nd, None).unwrap();
        of.write()
            .unwrap()
            .add_port(OfPort::new(PortNo(i), &name, [2, 0, 0, 0, 0, i as u8]));
        backer
            .set_port(
                "br0",
                &PortSpec {
                    name: name.clone(),
                    interfaces: vec![InterfaceSpec {
                        name: name.clone(),
                        ofport: PortNo(i),
                        kind: PortKind::Datapath(no),
                        type_name: "dummy".into(),
                    }],
                    vlan: VlanConfig::default(),
                },
            )
            .unwrap();
        odp.push(no);
        names.push(name);
    }
    Setup {
        dp,
        backer,
        clock,
        odp,
        names,
        _netdevs: (),
    }
}

fn add_flow(b: &Backer, text: &str) {
    let (fm, _) = openflow::flow_text::parse_flow_mod(text, FlowModCommand::Add, None).unwrap();
    let of = b.ofproto("br0").unwrap();
    of.write()
        .unwrap()
        .apply_flow_mod(&fm, ofproto::clock::now_ms())
        .unwrap();
}

fn meter_mod(b: &Backer, command: MeterModCommand, text: &str) {
    let (mm, _) = parse_meter(text, MeterTextCommand::Mod(command)).unwrap();
    let of = b.ofproto("br0").unwrap();
    of.write().unwrap().apply_meter_mod(mm).unwrap();
}

fn packet(src: u8, dst: [u8; 6]) -> Vec<u8> {
    let mut k = FlowKey::default();
    k.get_mut(key::DL_SRC)
        .copy_from_slice(&[0x50, 0x54, 0, 0, 0, src]);
    k.get_mut(key::DL_DST).copy_from_slice(&dst);
    k.set_uint(key::DL_TYPE, 0x0800);
    k.set_uint(key::NW_PROTO, 17);
    k.set_uint(key::NW_TTL, 64);
    packet::compose(&k)
}

fn sent(s: &Setup) -> Vec<usize> {
    s.names
        .iter()
        .map(|n| netdev::dummy::lookup(n).map_or(0, |h| h.take_sent().len()))
        .collect()
}

#[test]
fn normal_learns_installs_and_counts() {
    let s = setup("e2ea");
    add_flow(&s.backer, "actions=NORMAL");
    let bcast = [0xff; 6];
    // Unknown destination: flooded to p2 and p3.
    s.dp.receive_now(s.odp[0], &packet(1, bcast)).unwrap();
    assert_eq!(sent(&s), vec![0, 1, 1]);
    let fdb = s.backer.fdb_show("br0").unwrap();
    assert!(fdb.contains("    1     0  50:54:00:00:00:01"), "{fdb}");
    // The reply goes only to the learned port.
    let to1 = [0x50, 0x54, 0, 0, 0, 1];
    s.dp.receive_now(s.odp[1], &packet(2, to1)).unwrap();
    assert_eq!(sent(&s), vec![1, 0, 0]);
    // The same packet again hits the installed megaflow.
    s.dp.receive_now(s.odp[1], &packet(2, to1)).unwrap();
    assert_eq!(sent(&s), vec![1, 0, 0]);
    let flows = s.dp.flow_dump();
    assert!(flows.len() >= 2, "{flows:?}");
    // NORMAL megaflows match Ethernet addresses but no IP fields.
    for f in &flows {
        assert!(f.mask.is_ones(key::DL_DST));
        assert!(f.mask.is_zero(key::NW_SRC) && f.mask.is_zero(key::NW_TTL));
    }
    let dump = s.backer.dpif_dump_flows("br0").unwrap();
    assert_eq!(dump.lines().count(), flows.len(), "{dump}");
    assert!(dump.lines().all(|l| l.contains(", actions:")), "{dump}");
    assert!(s.backer.dpif_show().starts_with("dummy@ovs-dummy: hit:"));
    assert_eq!(
        s.backer.dpif_dump_flows("nosuch"),
        Err("no such bridge".to_string())
    );
    let of = s.backer.ofproto("br0").unwrap();
    let n = of
        .read()
        .unwrap()
        .table(0)
        .unwrap()
        .iter()
        .map(|r| r.stats.packets())
        .sum::<u64>();
    assert_eq!(n, 3, "every packet is counted once on the NORMAL rule");
}

#[test]
fn revalidation_follows_flow_changes_and_aging() {
    let s = setup("e2eb");
    add_flow(&s.backer, "actions=NORMAL");
    let to1 = [0x50, 0x54, 0, 0, 0, 1];
    s.dp.receive_now(s.odp[0], &packet(1, [0xff; 6])).unwrap();
    s.dp.receive_now(s.odp[1], &packet(2, to1)).unwrap();
    assert_eq!(sent(&s), vec![1, 1, 1]);
    // A higher-priority drop for p2: after revalidation the megaflow drops.
    add_flow(&s.backer, "priority=40000,in_port=2,actions=drop");
    s.backer.request_revalidation();
    s.backer.run();
    s.dp.receive_now(s.odp[1], &packet(2, to1)).unwrap();
    assert_eq!(sent(&s), vec![0, 0, 0]);
    // MAC entries age out after mac-aging-time on the injected clock.
    s.backer.set_mac_table("br0", 8192, 300);
    s.clock.0.fetch_add(299_000, Ordering::Relaxed);
    s.backer.run();
    assert!(s
        .backer
        .fdb_show("br0")
        .unwrap()
        .contains("50:54:00:00:00:01"));
    s.clock.0.fetch_add(2_000, Ordering::Relaxed);
    s.backer.run();
    assert_eq!(s.backer.fdb_show("br0").unwrap().lines().count(), 1);
    let stats = s.backer.fdb_stats_show("br0").unwrap();
    assert!(
        stats.contains("Total number of expired MAC entries     : 2"),
        "{stats}"
    );
}

#[test]
fn controller_packet_in_and_learn_side_effects() {
    let s = setup("e2ec");
    let got: Arc<std::sync::Mutex<Vec<String>>> = Arc::default();
    let g2 = got.clone();
    s.backer
        .set_packet_in_sink(Arc::new(move |bridge: &str, _outs| {
            g2.lock().unwrap().push(bridge.to_string());
        }));
    add_flow(&s.backer, "in_port=1,actions=controller");
    add_flow(
        &s.backer,
        "in_port=2,actions=learn(table=1,NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[],output:NXM_OF_IN_PORT[]),3",
    );
    s.dp.receive_now(s.odp[0], &packet(1, [0xff; 6])).unwrap();
    assert_eq!(*got.lock().unwrap(), vec!["br0".to_string()]);
    s.dp.receive_now(s.odp[1], &packet(2, [0xff; 6])).unwrap();
    assert_eq!(sent(&s), vec![0, 0, 1]);
    let of = s.backer.ofproto("br0").unwrap();
    let learned: Vec<String> = of
        .read()
        .unwrap()
        .table(1)
        .unwrap()
        .iter()
        .map(|r| r.flow_match.format(32768, None))
        .collect();
    assert_eq!(learned, vec!["dl_dst=50:54:00:00:00:02".to_string()]);
    // Static entries through fdb/add and fdb/del.
    s.backer
        .fdb_add("br0", &s.names[2], "0", "50:54:00:00:00:77")
        .unwrap();
    assert!(s
        .backer
        .fdb_show("br0")
        .unwrap()
        .contains("50:54:00:00:00:77  static"));
    assert_eq!(
        s.backer.fdb_del("br0", "0", "50:54:00:00:00:78"),
        Err("could not find static mac entry".to_string())
    );
    s.backer.fdb_del("br0", "0", "50:54:00:00:00:77").unwrap();
    assert!(!s.backer.fdb_show("br0").unwrap().contains("static"));
}

#[test]
fn packet_out_runs_actions_on_the_datapath() {
    let s = setup("e2ed");
    let acts = [
        openflow::action::Action::SetEthDst([0x50, 0x54, 0, 0, 0, 9]),
        openflow::action::Action::output(PortNo(2)),
        openflow::action::Action::output(PortNo::IN_PORT),
    ];
    s.backer
        .packet_out(
            "br0",
            PortNo(3),
            &FlowKey::default(),
            &acts,
            &packet(1, [0xff; 6]),
        )
        .unwrap();
    let h = netdev::dummy::lookup(&s.names[1]).unwrap();
    let out = h.take_sent();
    assert_eq!(out.len(), 1);
    assert_eq!(&out[0][..6], &[0x50, 0x54, 0, 0, 0, 9]);
    assert_eq!(sent(&s), vec![0, 0, 1], "IN_PORT sends back to p3");
    assert!(s
        .backer
        .packet_out(
            "nosuch",
            PortNo(1),
            &FlowKey::default(),
            &acts,
            &packet(1, [0xff; 6])
        )
        .is_err());
}

#[test]
fn vlan_tags_are_pushed_and_popped_on_the_wire() {
    let s = setup("e2ef");
    // p1: access VLAN 10; p2: trunk; p3: access VLAN 20.
    for (i, cols) in [(0usize, Some(10)), (2, Some(20))] {
        s.backer
            .set_port(
                "br0",
                &PortSpec {
                    name: s.names[i].clone(),
                    interfaces: vec![InterfaceSpec {
                        name: s.names[i].clone(),
                        ofport: PortNo(i as u16 + 1),
                        kind: PortKind::Datapath(s.odp[i]),
                        type_name: "dummy".into(),
                    }],
                    vlan: VlanConfig::from_port_columns(None, cols, &[], &[], None, false).unwrap(),
                },
            )
            .unwrap();
    }
    add_flow(&s.backer, "actions=NORMAL");
    // Untagged from access p1 leaves trunk p2 tagged 10, never reaches p3.
    s.dp.receive_now(s.odp[0], &packet(1, [0xff; 6])).unwrap();
    let h2 = netdev::dummy::lookup(&s.names[1]).unwrap();
    let out = h2.take_sent();
    assert_eq!(out.len(), 1);
    assert_eq!(
        &out[0][12..16],
        &[0x81, 0x00, 0x00, 0x0a],
        "802.1Q tag VID 10"
    );
    assert_eq!(sent(&s), vec![0, 0, 0]);
    // Tagged 10 from the trunk reaches p1 untagged.
    let mut tagged = packet(2, [0xff; 6]);
    tagged.splice(12..12, [0x81, 0x00, 0x00, 0x0a]);
    s.dp.receive_now(s.odp[1], &tagged).unwrap();
    let h1 = netdev::dummy::lookup(&s.names[0]).unwrap();
    let out = h1.take_sent();
    assert_eq!(out.len(), 1);
    assert_eq!(&out[0][12..14], &[0x08, 0x00], "tag popped");
    assert_eq!(sent(&s), vec![0, 0, 0]);
}

/// A select group on the real packet path: the first pass hashes and
/// recirculates (one megaflow for every flow of the port), the second pass
/// has one megaflow per dp_hash bucket value, and every packet leaves on
/// exactly one bucket's port (shapes checked against the reference by
/// `select_group_vs_reference`).
#[test]
fn select_group_hashes_recirculates_and_outputs_once() {
    let s = setup("e2esel");
    let (g, _) = openflow::msg::group::parse_group_mod(
        "group_id=1,type=select,bucket=output:2,bucket=output:3",
        openflow::msg::group::GroupTextCommand::Mod(openflow::msg::group::GroupModCommand::Add),
        None,
    )
    .unwrap();
    let of = s.backer.ofproto("br0").unwrap();
    {
        let mut w = of.write().unwrap();
        w.connect(
            1,
            ofproto::ConnKind::Service,
            openflow::version::Version::Of13,
        );
        let raw = openflow::msg::encode(
            &openflow::msg::Message::GroupMod(g),
            openflow::protocol::Protocols::OF13_OXM,
            7,
        );
        let replies = w.handle(1, &raw);
        assert!(
            !replies
                .iter()
                .any(|o| matches!(o, ofproto::Output::Send { .. })),
            "group-mod refused: {replies:?}"
        );
    }
    add_flow(&s.backer, "in_port=1,actions=group:1");
    let n = 40u8;
    for i in 0..n {
        let mut k = FlowKey::default();
        k.get_mut(key::DL_SRC)
            .copy_from_slice(&[0x50, 0x54, 0, 0, 0, 1]);
        k.get_mut(key::DL_DST)
            .copy_from_slice(&[0x50, 0x54, 0, 0, 0, 2]);
        k.set_uint(key::DL_TYPE, 0x0800);
        k.set_uint(key::NW_PROTO, 6);
        k.set_uint(key::NW_TTL, 64);
        k.get_mut(key::NW_SRC).copy_from_slice(&[10, 0, 0, i]);
        k.get_mut(key::NW_DST).copy_from_slice(&[10, 0, 0, 200]);
        k.set_uint(key::TP_SRC, 1000 + u64::from(i));
        k.set_uint(key::TP_DST, 80);
        s.dp.receive_now(s.odp[0], &packet::compose(&k)).unwrap();
    }
    let out = sent(&s);
    assert_eq!(out[0], 0, "{out:?}");
    assert_eq!(
        out[1] + out[2],
        usize::from(n),
        "each packet leaves once: {out:?}"
    );
    assert!(out[1] > 0 && out[2] > 0, "both buckets used: {out:?}");
    let dump = s.backer.dpif_dump_flows("br0").unwrap();
    let first: Vec<&str> = dump
        .lines()
        .filter(|l| l.starts_with("recirc_id(0),"))
        .collect();
    assert_eq!(first.len(), 1, "{dump}");
    assert!(
        first[0].ends_with("actions:hash(sym_l4(0)),recirc(0x1)"),
        "{dump}"
    );
    let second: Vec<&str> = dump
        .lines()
        .filter(|l| l.starts_with("recirc_id(0x1),dp_hash("))
        .collect();
    assert!(!second.is_empty() && second.len() <= 16, "{dump}");
    for l in &second {
        assert!(l.contains("/0xf),"), "{l}");
        assert!(
            l.ends_with("actions:2")
                || l.ends_with(&format!("actions:{}", s.odp[2]))
                || l.ends_with(&format!("actions:{}", s.odp[1])),
            "{l}"
        );
    }
}

/// 100,000 flows added one flow-mod at a time (each followed by the
/// revalidation vswitchd's main loop would run) while packets keep going
/// through the bridge, in a table that also holds `conjunction` rules:
/// forwarding stays right throughout (translation looks tables up in the
/// switch's classifier as they are, with nothing rebuilt per flow-mod).
#[test]
fn long_add_flows_with_conjunctions_keep_forwarding() {
    let s = setup("e2eadd");
    add_flow(&s.backer, "priority=1,actions=output:2");
    add_flow(
        &s.backer,
        "priority=5,ip,nw_src=10.9.9.9,actions=conjunction(7,1/2)",
    );
    add_flow(
        &s.backer,
        "priority=5,ip,nw_dst=10.8.8.8,actions=conjunction(7,2/2)",
    );
    add_flow(&s.backer, "priority=5,conj_id=7,actions=output:3");
    let ping = packet(1, [0x50, 0x54, 0, 0, 0, 2]);
    // Matches both clauses of conjunction 7: goes to p3.
    let conjunctive = {
        let mut k = FlowKey::default();
        packet::extract(&ping, &mut k);
        k.get_mut(key::NW_SRC).copy_from_slice(&[10, 9, 9, 9]);
        k.get_mut(key::NW_DST).copy_from_slice(&[10, 8, 8, 8]);
        packet::compose(&k)
    };
    let n: u32 = 100_000;
    let start = std::time::Instant::now();
    let mut pings = 0usize;
    for i in 0..n {
        let [_, a, b, c] = i.to_be_bytes();
        add_flow(
            &s.backer,
            &format!("priority=10,tcp,nw_dst=10.{a}.{b}.{c},actions=output:3"),
        );
        s.backer.request_revalidation();
        s.backer.run();
        if i % 500 == 0 {
            s.dp.receive_now(s.odp[0], &ping).unwrap();
            s.dp.receive_now(s.odp[0], &conjunctive).unwrap();
            pings += 1;
        }
    }
    let elapsed = start.elapsed();
    let out = sent(&s);
    assert_eq!(
        out,
        vec![0, pings, pings],
        "every ping forwarded by the priority=1 flow, every conjunctive one by conj_id=7"
    );
    eprintln!("{n} flow-mods with revalidation in {elapsed:?}");
}

/// Megaflow hits keep a learnt flow alive: each hit counts as a use of the
/// flows its translation learnt (the packets would learn them again), so
/// their idle timeout restarts; once the packets stop, they idle out.
#[test]
fn megaflow_hits_refresh_learnt_flows() {
    let s = setup("e2elrn");
    add_flow(
        &s.backer,
        "in_port=1,actions=learn(table=1,idle_timeout=1,NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[],output:NXM_OF_IN_PORT[]),output:2",
    );
    let of = s.backer.ofproto("br0").unwrap();
    let learnt = || of.read().unwrap().table(1).map_or(0, |t| t.len());
    let pkt = packet(1, [0x50, 0x54, 0, 0, 0, 2]);
    s.dp.receive_now(s.odp[0], &pkt).unwrap();
    assert_eq!(learnt(), 1, "the first packet learns");
    // 2.5 s of packets, every one a megaflow hit, with idle expiry running.
    let start = std::time::Instant::now();
    while start.elapsed() < std::time::Duration::from_millis(2500) {
        s.dp.receive_now(s.odp[0], &pkt).unwrap();
        let _ = of.write().unwrap().run(ofproto::clock::now_ms());
        assert_eq!(learnt(), 1, "refreshed by hits at {:?}", start.elapsed());
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert!(s.dp.stats().hit > 10, "{:?}", s.dp.stats());
    // No more packets: it idles out.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while learnt() == 1 {
        assert!(
            std::time::Instant::now() < deadline,
            "learnt flow never idled out"
        );
        let _ = of.write().unwrap().run(ofproto::clock::now_ms());
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

#[test]
fn meters_drop_above_their_rate_count_and_give_ids_back() {
    let s = setup_with("e2em", true);
    meter_mod(
        &s.backer,
        MeterModCommand::Add,
        "meter=1 pktps burst stats bands=type=drop rate=2 burst_size=3",
    );
    add_flow(&s.backer, "in_port=1,actions=meter:1,output:2");
    let to = [0x50, 0x54, 0, 0, 0, 9];
    for _ in 0..10 {
        s.dp.receive_now(s.odp[0], &packet(1, to)).unwrap();
    }
    assert_eq!(
        sent(&s),
        vec![0, 3, 0],
        "the burst of 3 passes, the rest is dropped"
    );
    let dump = s.backer.dpif_dump_flows("br0").unwrap();
    assert!(dump.contains("actions:meter(0),"), "{dump}");
    // Half a second at 2 packets/s lets one more through.
    s.clock.0.fetch_add(500, Ordering::Relaxed);
    for _ in 0..3 {
        s.dp.receive_now(s.odp[0], &packet(1, to)).unwrap();
    }
    assert_eq!(sent(&s), vec![0, 1, 0]);
    let of = s.backer.ofproto("br0").unwrap();
    let m = of.read().unwrap().meter(1).unwrap();
    let load = |a: &AtomicU64| a.load(Ordering::Relaxed);
    assert_eq!(load(&m.counters.packets_in), 13);
    assert_eq!(load(&m.counters.bands[0].0), 9, "dropped by band 0");
    let len = packet(1, to).len() as u64;
    assert_eq!(load(&m.counters.bytes_in), 13 * len);
    assert_eq!(load(&m.counters.bands[0].1), 9 * len);

    // Another meter takes the next datapath id; deleting the first gives
    // its id back to the next meter added, as in the reference.
    meter_mod(
        &s.backer,
        MeterModCommand::Add,
        "meter=5 kbps bands=type=drop rate=1000",
    );
    let id_of = |n: u32| of.read().unwrap().meter(n).and_then(|m| m.provider_id);
    assert_eq!((id_of(1), id_of(5)), (Some(0), Some(1)));
    meter_mod(&s.backer, MeterModCommand::Delete, "meter=1");
    meter_mod(
        &s.backer,
        MeterModCommand::Add,
        "meter=7 pktps bands=type=drop rate=1",
    );
    assert_eq!(id_of(7), Some(0));
    // Modifying keeps the id and starts with full buckets.
    add_flow(&s.backer, "in_port=1,actions=meter:7,output:3");
    s.backer.revalidate();
    for _ in 0..3 {
        s.dp.receive_now(s.odp[0], &packet(1, to)).unwrap();
    }
    assert_eq!(sent(&s), vec![0, 0, 1], "a bucket of one packet");
    meter_mod(
        &s.backer,
        MeterModCommand::Modify,
        "meter=7 pktps bands=type=drop rate=2",
    );
    assert_eq!(id_of(7), Some(0));
    for _ in 0..3 {
        s.dp.receive_now(s.odp[0], &packet(1, to)).unwrap();
    }
    assert_eq!(sent(&s), vec![0, 0, 2], "a fresh bucket of two packets");
}

/// Meter-mods (the bridge's tables locked, then the datapath's) while
/// megaflows are revalidated (translation reads the tables) and packets
/// flow: neither waits for the other for good.
#[test]
fn meter_mods_during_revalidation_do_not_deadlock() {
    let s = setup("e2el");
    meter_mod(
        &s.backer,
        MeterModCommand::Add,
        "meter=1 pktps bands=type=drop rate=1000",
    );
    add_flow(&s.backer, "in_port=1,actions=meter:1,output:2");
    let to = [0x50, 0x54, 0, 0, 0, 9];
    for src in 1..=50 {
        s.dp.receive_now(s.odp[0], &packet(src, to)).unwrap();
    }
    let (done_tx, done_rx) = std::sync::mpsc::channel();
    let backer = s.backer.clone();
    let dp = s.dp.clone();
    let port = s.odp[0];
    let modder = std::thread::spawn(move || {
        for i in 0..300 {
            let text = format!("meter=1 pktps bands=type=drop rate={}", 1000 + i);
            meter_mod(&backer, MeterModCommand::Modify, &text);
            dp.receive_now(port, &packet(1, to)).unwrap();
        }
    });
    let backer = s.backer.clone();
    let revalidator = std::thread::spawn(move || {
        for _ in 0..300 {
            backer.revalidate();
        }
    });
    std::thread::spawn(move || {
        let ok = modder.join().is_ok() && revalidator.join().is_ok();
        let _ = done_tx.send(ok);
    });
    match done_rx.recv_timeout(std::time::Duration::from_secs(60)) {
        Ok(ok) => assert!(ok, "a thread panicked"),
        Err(_) => panic!("meter-mods and revalidation deadlocked"),
    }
}
