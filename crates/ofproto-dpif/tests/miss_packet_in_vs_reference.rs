//! Table misses on a bridge with an OpenFlow connection that asked for
//! packet-ins (`ovs-ofctl monitor BRIDGE 65534`): before OpenFlow 1.3 a
//! miss goes to the controller. The whole `ofproto/trace`, and the
//! packet-in the connection receives for a packet sent through each
//! switch's dummy datapath, against the real ovs-vswitchd; with an
//! OpenFlow 1.3 connection a miss is dropped. Fails if the real Open
//! vSwitch is missing.

mod common;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Child;
use std::time::{Duration, Instant};

use common::{normalize, Pair, Step::*};
use openflow::flow_match::key;

const FLOW: &str = "in_port(1),eth(src=50:54:00:00:00:01,dst=50:54:00:00:00:02),eth_type(0x0800),\
                    ipv4(src=10.0.0.1,dst=10.0.0.2,proto=6,tos=0,ttl=64,frag=no),tcp(src=1,dst=2)";

/// `ovs-ofctl [opts] monitor TARGET 65534` writing to a file; killed on drop.
struct Monitor {
    child: Child,
    out: PathBuf,
}

impl Monitor {
    fn start(dir: &testkit::RunDir, target: &str, opts: &[&str], tag: &str) -> Monitor {
        let out = dir.file(&format!("monitor-{tag}.out"));
        let f = std::fs::File::create(&out).expect("monitor output file");
        let child = dir
            .command(testkit::real_ovs::OVS_OFCTL)
            .args(opts)
            .args(["monitor", target, "65534"])
            .stdout(f)
            .stderr(
                std::fs::File::create(dir.file(&format!("monitor-{tag}.err")))
                    .expect("monitor stderr file"),
            )
            .spawn()
            .expect("start ovs-ofctl monitor");
        Monitor { child, out }
    }

    /// What it printed (the packet-ins arrive on stderr here).
    fn text(&self) -> String {
        std::fs::read_to_string(&self.out).unwrap_or_default() + &self.stderr()
    }

    fn stderr(&self) -> String {
        std::fs::read_to_string(self.out.with_extension("err")).unwrap_or_default()
    }
}

impl Drop for Monitor {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Polls `f` until it returns Some (at most 20 s).
fn wait_for<T>(what: &str, mut f: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(v) = f() {
            return v;
        }
        if Instant::now() > deadline {
            panic!("timed out waiting for {what}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn table_miss_goes_to_an_openflow10_monitor_like_the_reference() {
    let pair = Pair::build(
        "xl-miss",
        &[
            Bridge("br0"),
            Port("br0", "p1", 1, ""),
            Port("br0", "p2", 2, ""),
        ],
    );
    // Our side gets a dummy datapath with the reference's port numbers.
    let dp = datapath::Datapath::new("ovs-dummy");
    dp.set_upcall_handler(pair.ours.backer.clone());
    pair.ours.backer.set_datapath(dp.clone());
    let odp = pair.real.odp_ports();
    for p in ["p1", "p2"] {
        let o = odp.get(p).and_then(|x| x.1).expect("odp port");
        let nd =
            netdev::open("dummy", &format!("xlmiss{p}"), &BTreeMap::new()).expect("dummy netdev");
        dp.add_port(nd, Some(o)).expect("add port");
    }

    // No connection wants packet-ins yet: a miss is dropped.
    let (r, o) = pair.trace(&["br0", "in_port=1,tcp"]);
    assert_eq!(normalize(&o), normalize(&r));
    assert!(r.contains(" 0. No match.\n"), "{r}");

    let wants = |s: &str| s.contains("a \"packet-in\" is called for");
    // An OpenFlow 1.3 monitor asking for misses: the reference sends them
    // too (the OpenFlow 1.3 "drop" default does not apply to it).
    {
        let _real = Monitor::start(
            &pair.real.dir,
            &pair.real.mgmt("br0"),
            &["-O", "OpenFlow13"],
            "r13",
        );
        let _ours = Monitor::start(
            &pair.ours.dir,
            &pair.ours.mgmt("br0"),
            &["-O", "OpenFlow13"],
            "o13",
        );
        let real = wait_for("the real switch to want miss packet-ins (1.3)", || {
            let (r, _) = pair.trace(&["br0", "in_port=1,tcp"]);
            wants(&r).then_some(r)
        });
        let ours = wait_for("our switch to want miss packet-ins (1.3)", || {
            let (_, o) = pair.trace(&["br0", "in_port=1,tcp"]);
            wants(&o).then_some(o)
        });
        assert_eq!(normalize(&ours), normalize(&real));
    }
    // Both monitors gone: back to dropping.
    wait_for("the real switch to drop misses again", || {
        let (r, _) = pair.trace(&["br0", "in_port=1,tcp"]);
        (!wants(&r)).then_some(())
    });
    wait_for("our switch to drop misses again", || {
        let (_, o) = pair.trace(&["br0", "in_port=1,tcp"]);
        (!wants(&o)).then_some(())
    });

    let real_mon = Monitor::start(
        &pair.real.dir,
        &pair.real.mgmt("br0"),
        &["-O", "OpenFlow10"],
        "r10",
    );
    let our_mon = Monitor::start(
        &pair.ours.dir,
        &pair.ours.mgmt("br0"),
        &["-O", "OpenFlow10"],
        "o10",
    );
    let real = wait_for("the real switch to want miss packet-ins", || {
        let (r, _) = pair.trace(&["br0", "in_port=1,tcp"]);
        wants(&r).then_some(r)
    });
    let ours = wait_for("our switch to want miss packet-ins", || {
        let (_, o) = pair.trace(&["br0", "in_port=1,tcp"]);
        wants(&o).then_some(o)
    });
    assert_eq!(normalize(&ours), normalize(&real));

    // A packet through each datapath reaches the monitor as a packet-in.
    pair.real.appctl(&["netdev-dummy/receive", "p1", FLOW]);
    let mut k = ofproto_dpif::trace_cmd::parse_of_flow(
        "tcp,dl_src=50:54:00:00:00:01,dl_dst=50:54:00:00:00:02,nw_src=10.0.0.1,nw_dst=10.0.0.2,nw_ttl=64,tp_src=1,tp_dst=2",
        None,
    )
    .expect("flow");
    k.set_uint(key::IN_PORT, 1);
    let o1 = odp.get("p1").and_then(|x| x.1).expect("odp port");
    dp.receive_now(o1, &packet::compose(&k)).expect("receive");
    let got = |m: &Monitor| {
        let t = m.text();
        t.contains("PACKET_IN").then_some(t)
    };
    let deadline = Instant::now() + Duration::from_secs(20);
    let real_pi = loop {
        if let Some(t) = got(&real_mon) {
            break t;
        }
        if Instant::now() > deadline {
            panic!(
                "no real packet-in: stdout {:?} stderr {:?} ours {:?}",
                real_mon.text(),
                real_mon.stderr(),
                our_mon.text()
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let our_pi = wait_for("our packet-in", || got(&our_mon));
    assert!(real_pi.contains("(via no_match)"), "{real_pi}");
    assert_eq!(our_pi, real_pi);
}
