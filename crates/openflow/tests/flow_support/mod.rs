//! Shared helpers for the flow-message tests: running the real
//! `/usr/bin/ovs-ofctl`, printing batches of messages with its `ofp-parse`,
//! capturing the exact messages it sends (a minimal fake switch on a Unix
//! socket), and printing our own decoding of flow messages with the header
//! line ofp-print uses.

#![allow(dead_code)]

use std::io::{Read, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use openflow::buf::Reader;
use openflow::msg::flow_mod::FlowMod;
use openflow::msg::flow_removed::FlowRemoved;
use openflow::msg::packet::{PacketIn, PacketOut};
use openflow::{OfpError, Version};

pub const OFCTL: &str = "/usr/bin/ovs-ofctl";

/// Fails (never skips) when the reference is missing.
pub fn require_ofctl() {
    assert!(
        Path::new(OFCTL).exists(),
        "{OFCTL} is needed as the reference; install openvswitch-switch"
    );
}

/// A fresh scratch file path for this test process.
pub fn scratch(name: &str) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!("oxvs-flow-tests-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir.join(format!("{}-{name}", N.fetch_add(1, Ordering::SeqCst)))
}

pub fn ofctl(args: &[&str]) -> Output {
    require_ofctl();
    Command::new(OFCTL)
        .args(args)
        .output()
        .expect("run ovs-ofctl")
}

pub fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

pub fn unhex(s: &str) -> Vec<u8> {
    (0..s.len() / 2)
        .map(|i| u8::from_str_radix(&s[i * 2..i * 2 + 2], 16).expect("hex"))
        .collect()
}

/// The message the reference's stderr ends with ("ovs-ofctl: X" -> "X"),
/// without a "FILE:LINE: " prefix.
pub fn error_message(stderr: &str) -> String {
    let line = stderr
        .lines()
        .rev()
        .find(|l| l.starts_with("ovs-ofctl: "))
        .unwrap_or_default();
    let msg = line.trim_start_matches("ovs-ofctl: ");
    // "path:1: message"
    match msg.split_once(":1: ") {
        Some((_, m)) if !msg.starts_with("none of") => m.to_string(),
        _ => msg.to_string(),
    }
}

const SEP_XID: u32 = 0x5e90_0000;

fn separator(i: usize) -> (Vec<u8>, String) {
    let xid = SEP_XID + i as u32;
    let mut m = vec![1, 2, 0, 8];
    m.extend_from_slice(&xid.to_be_bytes());
    (
        m,
        format!("OFPT_ECHO_REQUEST (xid=0x{xid:x}): 0 bytes of payload"),
    )
}

/// The reference's text of each message (`ofp-parse`, verbosity 2), one
/// string per message, each ending in a newline.
pub fn reference_texts(msgs: &[Vec<u8>]) -> Vec<String> {
    let mut out = Vec::new();
    for chunk in msgs.chunks(1000) {
        let mut file = Vec::new();
        let mut seps = Vec::new();
        for (i, m) in chunk.iter().enumerate() {
            let (s, line) = separator(i);
            file.extend_from_slice(&s);
            seps.push(line);
            file.extend_from_slice(m);
        }
        let (s, line) = separator(chunk.len());
        file.extend_from_slice(&s);
        seps.push(line);
        let path = scratch("batch.bin");
        std::fs::write(&path, &file).expect("write batch");
        let o = ofctl(&["ofp-parse", path.to_str().expect("utf8 path")]);
        let text = String::from_utf8_lossy(&o.stdout).into_owned();
        let mut cur: Option<String> = None;
        let mut got = Vec::new();
        for l in text.lines() {
            if seps.iter().any(|s| s == l) {
                if let Some(c) = cur.take() {
                    got.push(c);
                }
                cur = Some(String::new());
            } else if let Some(c) = cur.as_mut() {
                c.push_str(l);
                c.push('\n');
            }
        }
        assert_eq!(
            got.len(),
            chunk.len(),
            "ofp-parse output did not split into one text per message:\n{text}\n{}",
            String::from_utf8_lossy(&o.stderr)
        );
        out.extend(got);
    }
    out
}

/// The header line ofp-print starts a message with.
pub fn header_line(msg: &[u8], name: &str) -> String {
    let v = Version::from_wire(msg[0]).expect("version");
    let xid = u32::from_be_bytes([msg[4], msg[5], msg[6], msg[7]]);
    if v == Version::Of10 {
        format!("{name} (xid=0x{xid:x}):")
    } else {
        format!("{name} ({}) (xid=0x{xid:x}):", v.short_name())
    }
}

/// Which of our messages a buffer holds.
#[derive(Debug, PartialEq)]
pub enum FlowMsg {
    FlowMod(FlowMod),
    FlowRemoved(FlowRemoved),
    PacketIn(PacketIn),
    PacketOut(PacketOut),
}

/// Decodes one of the flow messages (standard or Nicira), or None if the
/// buffer is some other message.
pub fn decode_flow_msg(msg: &[u8]) -> Option<(&'static str, Result<FlowMsg, OfpError>)> {
    let v = Version::from_wire(*msg.first()?)?;
    let ty = *msg.get(1)?;
    let vendor = ty == 4;
    let (name, body) = if vendor {
        let sub = u32::from_be_bytes(msg.get(12..16)?.try_into().ok()?);
        let name = match sub {
            13 => "NXT_FLOW_MOD",
            14 => "NXT_FLOW_REMOVED",
            17 => "NXT_PACKET_IN",
            28 => "NXT_RESUME",
            30 => "NXT_PACKET_IN2",
            _ => return None,
        };
        (name, msg.get(16..)?)
    } else {
        let name = match (v == Version::Of10, ty) {
            (_, 10) => "OFPT_PACKET_IN",
            (_, 11) => "OFPT_FLOW_REMOVED",
            (_, 13) => "OFPT_PACKET_OUT",
            (true, 14) | (false, 14) => "OFPT_FLOW_MOD",
            _ => return None,
        };
        (name, msg.get(8..)?)
    };
    let mut r = Reader::new(body);
    let res = match name {
        "NXT_FLOW_MOD" => FlowMod::decode_nx(v, &mut r).map(FlowMsg::FlowMod),
        "NXT_FLOW_REMOVED" => FlowRemoved::decode_nx(&mut r).map(FlowMsg::FlowRemoved),
        "NXT_PACKET_IN" => PacketIn::decode_nx(&mut r).map(FlowMsg::PacketIn),
        "NXT_PACKET_IN2" | "NXT_RESUME" => PacketIn::decode_nx2(v, &mut r).map(FlowMsg::PacketIn),
        "OFPT_PACKET_IN" => PacketIn::decode(v, &mut r).map(FlowMsg::PacketIn),
        "OFPT_FLOW_REMOVED" => FlowRemoved::decode(v, &mut r).map(FlowMsg::FlowRemoved),
        "OFPT_PACKET_OUT" => PacketOut::decode(v, &mut r).map(FlowMsg::PacketOut),
        _ => FlowMod::decode(v, &mut r).map(FlowMsg::FlowMod),
    };
    Some((name, res))
}

/// Our text for one flow message at `verbosity`, as ofp-print prints it
/// (header line, body, final newline); None if we cannot decode it.
pub fn our_text(msg: &[u8], verbosity: u32) -> Option<String> {
    let (name, res) = decode_flow_msg(msg)?;
    let m = res.ok()?;
    let mut s = header_line(msg, name);
    match &m {
        FlowMsg::FlowMod(fm) => fm.format_verbose(&mut s, None, verbosity, msg),
        FlowMsg::FlowRemoved(fr) => fr.format(&mut s, None),
        FlowMsg::PacketIn(pin) => pin.format(&mut s, None, verbosity),
        FlowMsg::PacketOut(po) => po.format(&mut s, None, verbosity),
    }
    if !s.ends_with('\n') {
        s.push('\n');
    }
    Some(s)
}

/// Patches a message's header length to its size.
pub fn fix_len(msg: &mut [u8]) {
    let n = u16::try_from(msg.len()).unwrap_or(u16::MAX);
    msg[2..4].copy_from_slice(&n.to_be_bytes());
}

fn read_msg(s: &mut UnixStream) -> Option<Vec<u8>> {
    let mut h = [0u8; 8];
    s.read_exact(&mut h).ok()?;
    let len = usize::from(u16::from_be_bytes([h[2], h[3]]));
    let mut m = h.to_vec();
    m.resize(len.max(8), 0);
    s.read_exact(&mut m[8..]).ok()?;
    Some(m)
}

/// Runs `ovs-ofctl ARGS` against a minimal fake switch speaking `version`
/// (the string "SOCK" in `args` is replaced by the switch's address) and
/// returns the messages it sent other than hello, echo and barrier (a
/// multipart request gets an empty reply), or its stderr when it fails.
pub fn capture(version: Version, args: &[&str]) -> Result<Vec<Vec<u8>>, String> {
    require_ofctl();
    let path = scratch("sw.sock");
    let listener = UnixListener::bind(&path).expect("bind fake switch");
    listener.set_nonblocking(true).expect("nonblocking");
    let target = format!("unix:{}", path.display());
    let args: Vec<String> = args
        .iter()
        .map(|a| {
            if *a == "SOCK" {
                target.clone()
            } else {
                a.to_string()
            }
        })
        .collect();
    let mut child = Command::new(OFCTL)
        .args(&args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn ovs-ofctl");
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut stream = loop {
        match listener.accept() {
            Ok((s, _)) => break Some(s),
            Err(_) => {
                if child.try_wait().ok().flatten().is_some() || Instant::now() > deadline {
                    break None;
                }
                std::thread::sleep(Duration::from_millis(2));
            }
        }
    };
    let mut got = Vec::new();
    if let Some(s) = stream.as_mut() {
        s.set_nonblocking(false).expect("blocking");
        s.set_read_timeout(Some(Duration::from_secs(20)))
            .expect("timeout");
        let _ = s.write_all(&[version.wire(), 0, 0, 8, 0, 0, 0, 0]);
        while let Some(m) = read_msg(s) {
            let (v, ty) = (m[0], m[1]);
            let barrier = if v == 1 { 18 } else { 20 };
            let mp = if v == 1 { 16 } else { 18 };
            match ty {
                0 => {}
                2 => {
                    let mut r = m.clone();
                    r[1] = 3;
                    let _ = s.write_all(&r);
                }
                t if t == barrier => {
                    let mut r = m[..8].to_vec();
                    r[1] = barrier + 1;
                    let _ = s.write_all(&r);
                }
                t if t == mp => {
                    // An empty reply of the same kind, no "more" flag.
                    let mut body = m[8..10].to_vec();
                    body.extend_from_slice(&[0, 0]);
                    if v != 1 {
                        body.extend_from_slice(&[0; 4]);
                    }
                    let mut r = m[..8].to_vec();
                    r[1] = mp + 1;
                    r.extend_from_slice(&body);
                    fix_len(&mut r);
                    let _ = s.write_all(&r);
                    got.push(m);
                }
                _ => got.push(m),
            }
        }
    }
    let out = child.wait_with_output().expect("wait ovs-ofctl");
    let _ = std::fs::remove_file(&path);
    if out.status.success() {
        Ok(got)
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}
