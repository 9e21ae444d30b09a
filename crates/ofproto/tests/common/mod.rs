//! Test harness: our switch (an `Ofproto` with connmgr listening on
//! `<rundir>/br0.mgmt`, no datapath: effects are recorded) set up like
//! testkit's real `br0`, driven with the real `ovs-ofctl`; and the
//! normalisation that makes its output comparable with the real switch's.
#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};

use ofproto::connmgr::{ConnMgr, EffectSink, FailMode};
use ofproto::Effect;
use ofproto::{OfPort, Ofproto};
use openflow::msg::port_desc::{PC_PORT_DOWN, PF_10GB_FD, PF_COPPER, PS_LINK_DOWN};
use openflow::port::PortNo;
use openflow::version::VersionSet;
use testkit::{run, Output, RunDir};

pub const OFCTL: &str = "/usr/bin/ovs-ofctl";

pub struct OurSwitch {
    pub connmgr: ConnMgr,
    pub ofproto: Arc<RwLock<Ofproto>>,
    pub sink: Arc<DeviceSink>,
    pub dir: RunDir,
}

/// Stands in for the forwarding layer: records effects, and brings a
/// port's link up or down with its port-down bit, as the real devices do.
pub struct DeviceSink {
    pub ofproto: Mutex<Option<Arc<RwLock<Ofproto>>>>,
    pub effects: Mutex<Vec<Effect>>,
}

impl EffectSink for DeviceSink {
    fn effects(&self, effects: Vec<Effect>) {
        let of = self.ofproto.lock().ok().and_then(|o| o.clone());
        for e in &effects {
            if let (
                Effect::PortMod {
                    port_no,
                    config,
                    mask,
                },
                Some(of),
            ) = (e, &of)
            {
                if mask & PC_PORT_DOWN != 0 {
                    let state = if config & PC_PORT_DOWN != 0 {
                        PS_LINK_DOWN
                    } else {
                        0
                    };
                    if let Ok(mut o) = of.write() {
                        o.set_port_state(*port_no, state);
                    }
                }
            }
        }
        if let Ok(mut v) = self.effects.lock() {
            v.extend(effects);
        }
    }
}

/// A port like the real switch's internal ports in its namespace.
fn port(no: PortNo, name: &str, mac: [u8; 6]) -> OfPort {
    let mut p = OfPort::new(no, name, mac);
    p.desc.config = PC_PORT_DOWN;
    p.desc.state = PS_LINK_DOWN;
    p.desc.curr = PF_10GB_FD | PF_COPPER;
    p.desc.curr_speed = 10_000_000;
    p
}

impl OurSwitch {
    /// br0: dpid 1, ports p1..p3 (1..3) and LOCAL, fail_mode secure.
    pub fn start(test_name: &str) -> OurSwitch {
        assert!(
            std::path::Path::new(OFCTL).exists(),
            "{OFCTL} (the real ovs-ofctl) is needed"
        );
        let dir = RunDir::new(test_name);
        let mut of = Ofproto::new("br0", 1);
        for n in 1..=3u8 {
            of.add_port(port(
                PortNo(u16::from(n)),
                &format!("p{n}"),
                [2, 0, 0, 0, 1, n],
            ));
        }
        of.add_port(port(PortNo::LOCAL, "br0", [0, 0, 0, 0, 0, 1]));
        let _ = of.take_pending();
        let ofproto = Arc::new(RwLock::new(of));
        let sink = Arc::new(DeviceSink {
            ofproto: Mutex::new(Some(ofproto.clone())),
            effects: Mutex::new(Vec::new()),
        });
        let connmgr = ConnMgr::new(ofproto.clone(), sink.clone());
        connmgr.set_controllers(&[], FailMode::Secure, VersionSet::ALL);
        connmgr
            .set_mgmt_listener(&dir.file("br0.mgmt"))
            .expect("listening on br0.mgmt");
        OurSwitch {
            connmgr,
            ofproto,
            sink,
            dir,
        }
    }

    pub fn mgmt(&self) -> PathBuf {
        self.dir.file("br0.mgmt")
    }

    pub fn target(&self) -> String {
        format!("unix:{}", self.mgmt().display())
    }

    /// Runs the real ovs-ofctl with `{T}` in `args` replaced by our target.
    pub fn ofctl(&self, args: &[&str]) -> Output {
        let t = self.target();
        let args: Vec<String> = args.iter().map(|a| a.replace("{T}", &t)).collect();
        run(self.dir.command(OFCTL).args(&args))
    }
}

/// Runs the real ovs-ofctl against the real switch's br0, `{T}` replaced.
/// On a loaded machine the real switch sometimes drops a connection before
/// the hello ("connecting to ... (Broken pipe)"): nothing was sent then, so
/// the command is tried again (up to three times). Our switch gets no such
/// second chance.
pub fn real_ofctl(sw: &testkit::RealSwitch, args: &[&str]) -> Output {
    let t = sw.mgmt_target("br0");
    let args: Vec<String> = args.iter().map(|a| a.replace("{T}", &t)).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut out = sw.ofctl_real(&args);
    for _ in 0..2 {
        let refused = out.code() == Some(1)
            && out.stdout.is_empty()
            && out.stderr.starts_with("ovs-ofctl: connecting to ");
        if !refused {
            break;
        }
        out = sw.ofctl_real(&args);
    }
    out
}

/// Drops what legitimately differs between two switches: durations and
/// ages, socket paths; sorts flow lines and port blocks, whose order is the
/// reference's hash order.
pub fn normalize(s: &str, paths: &[&str]) -> String {
    let mut s = s.to_string();
    for p in paths {
        s = s.replace(p, "<TARGET>");
    }
    let s = testkit::without_load_warnings(&s);
    let mut lines: Vec<String> = Vec::new();
    for line in s.lines() {
        let mut l = line.to_string();
        // ovs-ofctl's own log lines start with a timestamp.
        if l.len() > 21 && l.as_bytes().get(4) == Some(&b'-') && l.get(20..21) == Some("|") {
            l = format!("<TIME>{}", &l[20..]);
        }
        for key in ["duration=", "idle_age=", "hard_age=", "duration:"] {
            while let Some(i) = l.find(key) {
                let rest = &l[i + key.len()..];
                let end = rest
                    .find([',', ' '])
                    .map(|e| {
                        let sep = rest.as_bytes()[e];
                        if sep == b',' && rest.as_bytes().get(e + 1) == Some(&b' ') {
                            e + 2
                        } else {
                            e + 1
                        }
                    })
                    .unwrap_or(rest.len());
                l = format!("{}{}", &l[..i], &rest[end..]);
            }
        }
        lines.push(l);
    }
    // Flow and group lines sort among themselves (hash order).
    let mut out: Vec<String> = Vec::new();
    let mut run: Vec<String> = Vec::new();
    for l in lines {
        if l.starts_with(" cookie=") || l.starts_with(" group_id=") {
            run.push(l);
        } else {
            run.sort();
            out.append(&mut run);
            out.push(l);
        }
    }
    run.sort();
    out.append(&mut run);
    out.join("\n")
}

pub fn output_text(o: &Output) -> String {
    format!("{}{}rc={:?}", o.stdout, o.stderr, o.code())
}

impl OurSwitch {
    /// Like `RealSwitch::raw_exchange`: hello for wire `version`, the
    /// request bytes, a barrier; returns what came before the barrier reply
    /// (hellos and echo requests left out).
    pub fn raw_exchange(&self, version: u8, request: &[u8]) -> Result<Vec<Vec<u8>>, String> {
        use std::io::{Read, Write};
        let mut sock = std::os::unix::net::UnixStream::connect(self.mgmt())
            .map_err(|e| format!("connecting: {e}"))?;
        sock.set_read_timeout(Some(std::time::Duration::from_secs(20)))
            .map_err(|e| e.to_string())?;
        let (breq, brep) = if version == 1 { (18u8, 19u8) } else { (20, 21) };
        let bxid: u32 = 0x7fff_fff0;
        let mut out = vec![version, 0, 0, 8, 0, 0, 0, 0];
        out.extend_from_slice(request);
        out.extend_from_slice(&[version, breq, 0, 8]);
        out.extend_from_slice(&bxid.to_be_bytes());
        sock.write_all(&out).map_err(|e| e.to_string())?;
        let mut replies = Vec::new();
        loop {
            let mut h = [0u8; 8];
            sock.read_exact(&mut h)
                .map_err(|e| format!("reading: {e}"))?;
            let len = usize::from(u16::from_be_bytes([h[2], h[3]]));
            if len < 8 {
                return Err(format!("message of length {len}"));
            }
            let mut m = h.to_vec();
            m.resize(len, 0);
            sock.read_exact(&mut m[8..]).map_err(|e| e.to_string())?;
            let xid = u32::from_be_bytes([h[4], h[5], h[6], h[7]]);
            match h[1] {
                0 | 2 => continue,
                t if t == brep && xid == bxid => return Ok(replies),
                _ => replies.push(m),
            }
        }
    }
}
