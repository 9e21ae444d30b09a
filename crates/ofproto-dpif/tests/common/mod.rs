//! Oracle harness: the same scenario (bridges, ports with VLAN settings,
//! patch ports, flows and groups given to both switches with the real
//! `ovs-ofctl`) on the real ovs-vswitchd (dummy datapath, in a private
//! rundir) and on ours (Backer + Ofproto + connmgr in this process), then
//! `ofproto/trace` on both.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};

use ofproto::connmgr::{ConnMgr, FailMode, RecordingSink};
use ofproto::{OfPort, Ofproto};
use ofproto_dpif::backer::{Backer, InterfaceSpec, PortSpec};
use ofproto_dpif::bridge::PortKind;
use ofproto_dpif::vlan::VlanConfig;
use openflow::port::PortNo;
use openflow::version::VersionSet;
use testkit::real_ovs::{self, require_real_ovs, start_real_ovsdb_server};
use testkit::{run, run_ok, Daemon, RunDir};

pub const PROTOCOLS: &str = "OpenFlow10,OpenFlow11,OpenFlow12,OpenFlow13,OpenFlow14,OpenFlow15";

/// One step of a scenario, applied to both switches in order.
#[derive(Clone, Debug)]
pub enum Step {
    Bridge(&'static str),
    /// bridge, port name, ofport, Port columns ("tag=10 vlan_mode=trunk").
    Port(&'static str, &'static str, u16, &'static str),
    /// bridge, port name, ofport, peer.
    Patch(&'static str, &'static str, u16, &'static str),
    Flow(&'static str, &'static str),
    Group(&'static str, &'static str),
    /// bridge, `add-meter` text.
    Meter(&'static str, &'static str),
}

/// The real switch with the dummy datapath.
pub struct Real {
    pub dir: RunDir,
    _ovsdb: Daemon,
    _vswitchd: Daemon,
}

impl Real {
    #[track_caller]
    pub fn start(name: &str) -> Real {
        require_real_ovs();
        let dir = RunDir::new(&format!("{name}-real"));
        let ovsdb = start_real_ovsdb_server(
            &dir,
            &dir.conf_db(),
            Some(std::path::Path::new(real_ovs::VSWITCH_SCHEMA)),
        );
        run_ok(dir.command(real_ovs::OVS_VSCTL).args(["--no-wait", "init"]));
        let ctl = dir.file("ovs-vswitchd.ctl");
        let mut vswitchd = Daemon::builder(&dir, real_ovs::OVS_VSWITCHD)
            .name("ovs-vswitchd")
            .arg(format!("unix:{}", dir.db_sock().display()))
            .args([
                "--enable-dummy",
                "--disable-system",
                "--disable-system-route",
            ])
            .arg(format!("--unixctl={}", ctl.display()))
            .arg(format!("--log-file={}", dir.log("ovs-vswitchd").display()))
            .arg("--no-chdir")
            .start();
        if let Err(e) = vswitchd.wait_for_socket(&ctl) {
            panic!("real ovs-vswitchd did not start: {e}");
        }
        Real {
            dir,
            _ovsdb: ovsdb,
            _vswitchd: vswitchd,
        }
    }

    #[track_caller]
    pub fn vsctl(&self, args: &[&str]) -> String {
        run_ok(
            self.dir
                .command(real_ovs::OVS_VSCTL)
                .arg("--timeout=20")
                .args(args),
        )
    }

    #[track_caller]
    pub fn appctl(&self, args: &[&str]) -> String {
        let ctl = self.dir.file("ovs-vswitchd.ctl");
        let out = run(self
            .dir
            .command(real_ovs::OVS_APPCTL)
            .arg(format!("--target={}", ctl.display()))
            .args(args));
        assert!(
            out.success(),
            "real ovs-appctl {args:?} failed: {}",
            out.stderr
        );
        out.stdout
    }

    pub fn mgmt(&self, bridge: &str) -> String {
        format!(
            "unix:{}",
            self.dir.file(&format!("{bridge}.mgmt")).display()
        )
    }

    /// `name` -> (ofport, odp port) from the real `dpif/show`.
    pub fn odp_ports(&self) -> BTreeMap<String, (u16, Option<u32>)> {
        let mut m = BTreeMap::new();
        for line in self.appctl(&["dpif/show"]).lines() {
            let l = line.trim();
            let Some((name, rest)) = l.split_once(' ') else {
                continue;
            };
            let Some((nums, _)) = rest.split_once(':') else {
                continue;
            };
            let Some((of, odp)) = nums.split_once('/') else {
                continue;
            };
            if let Ok(of) = of.parse::<u16>() {
                m.insert(name.to_string(), (of, odp.parse::<u32>().ok()));
            }
        }
        m
    }
}

/// Our side: one Ofproto + connmgr (listening on `<dir>/<br>.mgmt`) per
/// bridge, all in one Backer.
pub struct Ours {
    pub dir: RunDir,
    pub backer: Arc<Backer>,
    pub connmgrs: BTreeMap<String, Arc<ConnMgr>>,
    /// The same connection managers, for the backer's packet-in sink.
    sinks: Arc<std::sync::Mutex<BTreeMap<String, Arc<ConnMgr>>>>,
    /// bridge -> Port rows as configured (for reconfiguration).
    ports: BTreeMap<String, Vec<PortSpec>>,
}

impl Ours {
    pub fn new(name: &str) -> Ours {
        let backer = Backer::new();
        let sinks: Arc<std::sync::Mutex<BTreeMap<String, Arc<ConnMgr>>>> = Arc::default();
        let s2 = sinks.clone();
        backer.set_packet_in_sink(Arc::new(move |bridge: &str, outs| {
            let cm = s2
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .get(bridge)
                .cloned();
            if let Some(cm) = cm {
                cm.deliver(outs);
            }
        }));
        Ours {
            dir: RunDir::new(&format!("{name}-ours")),
            backer,
            connmgrs: BTreeMap::new(),
            sinks,
            ports: BTreeMap::new(),
        }
    }

    pub fn mgmt(&self, bridge: &str) -> String {
        format!(
            "unix:{}",
            self.dir.file(&format!("{bridge}.mgmt")).display()
        )
    }

    fn add_bridge(&mut self, name: &str, dpid: u64) {
        let of = Arc::new(RwLock::new(Ofproto::new(name, dpid)));
        let cm = ConnMgr::new(of.clone(), Arc::new(RecordingSink::default()));
        cm.set_controllers(&[], FailMode::Secure, VersionSet::ALL);
        cm.set_mgmt_listener(&self.dir.file(&format!("{name}.mgmt")))
            .expect("our management socket");
        self.backer.add_bridge(name, of).expect("add bridge");
        let cm = Arc::new(cm);
        self.sinks
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(name.to_string(), cm.clone());
        self.connmgrs.insert(name.to_string(), cm);
    }

    fn add_port(&mut self, bridge: &str, name: &str, ofport: u16, kind: PortKind, cols: &str) {
        let of = self.backer.ofproto(bridge).expect("bridge");
        {
            let mut w = of.write().unwrap_or_else(|e| e.into_inner());
            w.add_port(OfPort::new(
                PortNo(ofport),
                name,
                [0x02, 0, 0, 0, 0, ofport as u8],
            ));
            let _ = w.take_pending();
        }
        let type_name = match &kind {
            PortKind::Patch { .. } => "patch",
            PortKind::Datapath(_) if ofport == PortNo::LOCAL.0 => "dummy-internal",
            PortKind::Datapath(_) => "dummy",
        };
        let spec = PortSpec {
            name: name.to_string(),
            interfaces: vec![InterfaceSpec {
                name: name.to_string(),
                ofport: PortNo(ofport),
                kind,
                type_name: type_name.to_string(),
            }],
            vlan: vlan_config(cols),
        };
        self.backer.set_port(bridge, &spec).expect("set_port");
        self.ports.entry(bridge.to_string()).or_default().push(spec);
    }
}

/// Port columns in `ovs-vsctl set port` syntax -> our VLAN configuration.
pub fn vlan_config(cols: &str) -> VlanConfig {
    let mut mode = None;
    let mut tag = None;
    let mut trunks = Vec::new();
    let mut cvlans = Vec::new();
    let mut qinq = None;
    for c in cols.split_whitespace() {
        let Some((k, v)) = c.split_once('=') else {
            continue;
        };
        let list = |v: &str| -> Vec<i64> {
            v.trim_matches(|c| c == '[' || c == ']')
                .split(',')
                .filter_map(|x| x.trim().parse().ok())
                .collect()
        };
        match k {
            "vlan_mode" => mode = Some(v.to_string()),
            "tag" => tag = v.parse().ok(),
            "trunks" => trunks = list(v),
            "cvlans" => cvlans = list(v),
            "other_config:qinq-ethtype" => qinq = Some(v.to_string()),
            _ => {}
        }
    }
    VlanConfig::from_port_columns(
        mode.as_deref(),
        tag,
        &trunks,
        &cvlans,
        qinq.as_deref(),
        false,
    )
    .expect("vlan config")
}

/// Both switches built from the same steps.
pub struct Pair {
    pub real: Real,
    pub ours: Ours,
}

fn ofctl(args: &[&str], dir: &RunDir) -> testkit::Output {
    run(dir.command(real_ovs::OVS_OFCTL).args(args))
}

/// `ovs-ofctl add-flow`/`add-group` with the first protocol that takes it.
#[track_caller]
fn ofctl_add(dir: &RunDir, cmd: &str, target: &str, line: &str) {
    let mut errs = String::new();
    for opts in [
        &[][..],
        &["-O", "OpenFlow13"][..],
        &["-O", "OpenFlow15"][..],
    ] {
        let mut args: Vec<&str> = opts.to_vec();
        args.extend([cmd, target, line]);
        let out = ofctl(&args, dir);
        if out.success() {
            return;
        }
        errs.push_str(&out.stderr);
    }
    panic!("ovs-ofctl {cmd} {target} {line:?} failed: {errs}");
}

impl Pair {
    #[track_caller]
    pub fn build(name: &str, steps: &[Step]) -> Pair {
        let real = Real::start(name);
        let mut ours = Ours::new(name);
        let mut n_bridges = 0u64;
        // Real side first: it decides the datapath port numbers.
        for s in steps {
            match s {
                Step::Bridge(b) => {
                    n_bridges += 1;
                    real.vsctl(&[
                        "add-br",
                        b,
                        "--",
                        "set",
                        "bridge",
                        b,
                        "datapath_type=dummy",
                        "fail-mode=secure",
                        &format!("protocols={PROTOCOLS}"),
                        &format!("other-config:datapath-id={n_bridges:016x}"),
                    ]);
                }
                Step::Port(b, p, of, cols) => {
                    let mut args: Vec<String> = vec![
                        "add-port".into(),
                        b.to_string(),
                        p.to_string(),
                        "--".into(),
                        "set".into(),
                        "interface".into(),
                        p.to_string(),
                        "type=dummy".into(),
                        format!("ofport_request={of}"),
                    ];
                    if !cols.is_empty() {
                        args.extend(["--".into(), "set".into(), "port".into(), p.to_string()]);
                        args.extend(cols.split_whitespace().map(str::to_string));
                    }
                    let a: Vec<&str> = args.iter().map(String::as_str).collect();
                    real.vsctl(&a);
                }
                Step::Patch(b, p, of, peer) => {
                    real.vsctl(&[
                        "add-port",
                        b,
                        p,
                        "--",
                        "set",
                        "interface",
                        p,
                        "type=patch",
                        &format!("options:peer={peer}"),
                        &format!("ofport_request={of}"),
                    ]);
                }
                Step::Flow(..) | Step::Group(..) | Step::Meter(..) => {}
            }
        }
        let odp = real.odp_ports();
        let mut n = 0u64;
        for s in steps {
            match s {
                Step::Bridge(b) => {
                    n += 1;
                    ours.add_bridge(b, n);
                    let (_, o) = odp.get(*b).copied().unwrap_or((0, None));
                    let o = o.expect("local port has a datapath port");
                    ours.add_port(b, b, PortNo::LOCAL.0, PortKind::Datapath(o), "");
                }
                Step::Port(b, p, of, cols) => {
                    let (_, o) = odp.get(*p).copied().unwrap_or((0, None));
                    let o = o.unwrap_or_else(|| panic!("no datapath port for {p}"));
                    ours.add_port(b, p, *of, PortKind::Datapath(o), cols);
                }
                Step::Patch(b, p, of, peer) => {
                    ours.add_port(
                        b,
                        p,
                        *of,
                        PortKind::Patch {
                            peer: peer.to_string(),
                        },
                        "",
                    );
                }
                Step::Flow(b, line) => {
                    ofctl_add(&real.dir, "add-flow", &real.mgmt(b), line);
                    ofctl_add(&ours.dir, "add-flow", &ours.mgmt(b), line);
                }
                Step::Group(b, line) => {
                    ofctl_add(&real.dir, "add-group", &real.mgmt(b), line);
                    ofctl_add(&ours.dir, "add-group", &ours.mgmt(b), line);
                }
                Step::Meter(b, line) => {
                    ofctl_add(&real.dir, "add-meter", &real.mgmt(b), line);
                    ofctl_add(&ours.dir, "add-meter", &ours.mgmt(b), line);
                }
            }
        }
        Pair { real, ours }
    }

    /// Runs the real `ovs-ofctl ARGS` against both switches' `bridge`
    /// (`{T}` in `args` stands for the target).
    #[track_caller]
    pub fn ofctl_both(&self, bridge: &str, args: &[&str]) {
        for (dir, target) in [
            (&self.real.dir, self.real.mgmt(bridge)),
            (&self.ours.dir, self.ours.mgmt(bridge)),
        ] {
            let a: Vec<String> = args.iter().map(|x| x.replace("{T}", &target)).collect();
            let a: Vec<&str> = a.iter().map(String::as_str).collect();
            let out = ofctl(&a, dir);
            assert!(out.success(), "ovs-ofctl {a:?}: {}", out.stderr);
        }
    }

    /// Both sides' `ofproto/trace` output for the same arguments.
    pub fn trace(&self, args: &[&str]) -> (String, String) {
        let mut a = vec!["ofproto/trace"];
        a.extend_from_slice(args);
        let real = self.real.appctl(&a);
        let ours = ofproto_dpif::trace_cmd::ofproto_trace(&self.ours.backer, args)
            .unwrap_or_else(|e| format!("error: {e}"));
        (real, ours)
    }
}

impl Pair {
    /// Both sides' `ofproto/trace-packet-out` output.
    pub fn trace_packet_out(&self, args: &[&str]) -> (String, String) {
        let mut a = vec!["ofproto/trace-packet-out"];
        a.extend_from_slice(args);
        let real = self.real.appctl(&a);
        let ours = ofproto_dpif::trace_cmd::ofproto_trace_packet_out(&self.ours.backer, args)
            .unwrap_or_else(|e| format!("error: {e}"));
        (real, ours)
    }
}

/// The line of `text` that starts with `prefix`.
pub fn line<'a>(text: &'a str, prefix: &str) -> &'a str {
    text.lines()
        .find(|l| l.starts_with(prefix))
        .unwrap_or("<missing>")
}

/// Recirculation ids are allocated differently: compare controller
/// actions without them.
pub fn normalize(s: &str) -> String {
    s.lines()
        .map(|l| {
            if !l.starts_with("Datapath actions:") {
                return l.to_string();
            }
            let mut out = String::new();
            let mut rest = l;
            while let Some(i) = rest.find("recirc_id=") {
                out.push_str(&rest[..i + "recirc_id=".len()]);
                rest = &rest[i + "recirc_id=".len()..];
                let end = rest
                    .find(|c: char| !c.is_ascii_alphanumeric())
                    .unwrap_or(rest.len());
                out.push('N');
                rest = &rest[end..];
            }
            out.push_str(rest);
            out
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Compares the `Megaflow:` and `Datapath actions:` lines (and the whole
/// text when `whole`) for every flow; returns a report of differences.
pub fn compare(pair: &Pair, cases: &[(&str, &str)], whole: bool) -> Vec<String> {
    // XL_WHOLE=1 compares every trace whole (to find text differences).
    let whole = whole || std::env::var_os("XL_WHOLE").is_some();
    let mut diffs = Vec::new();
    for (bridge, flow) in cases {
        let (real, ours) = pair.trace(&[bridge, flow]);
        let (real, ours) = (normalize(&real), normalize(&ours));
        for prefix in ["Datapath actions:", "Megaflow:"] {
            let (r, o) = (line(&real, prefix), line(&ours, prefix));
            if r != o {
                diffs.push(format!(
                    "{bridge} {flow}:\n  real: {r}\n  ours: {o}\n--- real trace:\n{real}\n--- our trace:\n{ours}"
                ));
            }
        }
        if whole && real.trim_end() != ours.trim_end() {
            diffs.push(format!(
                "{bridge} {flow}: whole trace differs\n--- real:\n{real}\n--- ours:\n{ours}"
            ));
        }
    }
    diffs
}

/// `fdb/show` text with the age column blanked (the two switches' clocks
/// tick independently on a loaded machine).
pub fn fdb_no_age(s: &str) -> String {
    s.lines()
        .map(|l| match l.rsplit_once(' ') {
            Some((head, age)) if age.chars().all(|c| c.is_ascii_digit()) && !age.is_empty() => {
                format!("{head} AGE")
            }
            _ => l.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}
