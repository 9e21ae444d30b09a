//! The ovs-ofctl group and meter syntaxes against the real ovs-ofctl 3.1:
//!
//! - `parse-group` (every version): our parse of the same string gives the
//!   same usable protocols, the same printed group mod, and an encoding the
//!   reference prints identically; errors have the reference's message;
//! - the commands themselves (`add-group`, `mod-group`, `del-groups`,
//!   `insert-buckets`, `remove-buckets`, `add-meter`, `mod-meter`,
//!   `del-meters`, `dump-meters`, `meter-stats`, `dump-groups`,
//!   `dump-group-stats`) run against a fake switch that records what
//!   ovs-ofctl sends: our encoding of our parse must be the same bytes.
//!
//! Tests fail (they do not skip) when the reference is missing.

use std::io::{Read, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use openflow::msg::group::{parse_group_mod, GroupModCommand, GroupTextCommand, GROUP_ALL};
use openflow::msg::meter::{parse_meter, MeterModCommand, MeterTextCommand, METER_ALL};
use openflow::msg::multipart::{MpRequest, MultipartRequest};
use openflow::msg::{encode, Message};
use openflow::protocol::Protocols;
use openflow::Version;

const OFCTL: &str = "/usr/bin/ovs-ofctl";

fn require_ofctl() {
    assert!(
        Path::new(OFCTL).exists(),
        "{OFCTL} is needed as the reference; install openvswitch-switch"
    );
}

fn protocol_of(v: Version) -> Protocols {
    match v {
        // OF1.0 group and meter messages are Nicira extensions, which any
        // OF1.0 flavour carries.
        Version::Of10 => Protocols::OF10_STD,
        v => Protocols::of_version(v),
    }
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Runs the reference with `args`; (success, stdout, stderr).
fn ofctl(args: &[&str]) -> (bool, String, String) {
    require_ofctl();
    let out = Command::new(OFCTL)
        .args(args)
        .output()
        .expect("run ovs-ofctl");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The reference's one-line error for a failed command ("ovs-ofctl: X").
fn error_line(stderr: &str) -> String {
    stderr
        .lines()
        .rev()
        .find_map(|l| l.strip_prefix("ovs-ofctl: "))
        .unwrap_or(stderr)
        .to_string()
}

// ---------------------------------------------------------------------
// A fake switch: answers what ovs-ofctl asks before it sends a command
// (hello, features, table features, port descriptions, barriers) and
// records the rest.

struct Capture {
    ok: bool,
    stderr: String,
    msgs: Vec<Vec<u8>>,
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

fn reply(s: &mut UnixStream, v: u8, ty: u8, xid: [u8; 4], body: &[u8]) {
    let len = u16::try_from(8 + body.len()).unwrap_or(u16::MAX);
    let mut m = vec![v, ty];
    m.extend_from_slice(&len.to_be_bytes());
    m.extend_from_slice(&xid);
    m.extend_from_slice(body);
    let _ = s.write_all(&m);
}

fn serve(mut s: UnixStream, v: u8, log: Arc<Mutex<Vec<Vec<u8>>>>) {
    reply(&mut s, v, 0, [0; 4], &[]);
    while let Some(m) = read_msg(&mut s) {
        let ty = m[1];
        let xid = [m[4], m[5], m[6], m[7]];
        let (mp_req, barrier_req) = if v == 1 { (16, 18) } else { (18, 20) };
        match ty {
            0 => {}
            2 => reply(&mut s, v, 3, xid, &m[8..]),
            5 => {
                let mut b = vec![0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0, 254];
                b.resize(24, 0);
                reply(&mut s, v, 6, xid, &b);
            }
            t if t == barrier_req => reply(&mut s, v, t + 1, xid, &[]),
            t if t == mp_req => {
                let mp_type = u16::from_be_bytes([m[8], m[9]]);
                let hdr_len = if mp_type == 0xffff {
                    16
                } else if v == 1 {
                    4
                } else {
                    8
                };
                let hdr = m.get(8..8 + hdr_len).unwrap_or(&[]).to_vec();
                match mp_type {
                    // Table features: one table with the required
                    // properties, all empty.
                    12 => {
                        let mut b = hdr.clone();
                        let mut table = vec![0u8; 64];
                        table[0..2].copy_from_slice(&128u16.to_be_bytes());
                        table[60..64].copy_from_slice(&1000u32.to_be_bytes());
                        for p in [0u16, 2, 4, 6, 8, 10, 12, 14] {
                            table.extend_from_slice(&p.to_be_bytes());
                            table.extend_from_slice(&[0, 4, 0, 0, 0, 0]);
                        }
                        b.extend_from_slice(&table);
                        reply(&mut s, v, t + 1, xid, &b);
                    }
                    // Port descriptions and table stats (names): none.
                    3 | 13 => reply(&mut s, v, t + 1, xid, &hdr),
                    _ => {
                        log.lock().unwrap().push(m.clone());
                        reply(&mut s, v, t + 1, xid, &hdr);
                    }
                }
            }
            _ => log.lock().unwrap().push(m),
        }
    }
}

/// Runs `ovs-ofctl -O <v> <cmd> unix:<fake switch> <args>` and returns what
/// it sent.
fn capture(v: Version, cmd: &str, args: &[&str]) -> Capture {
    require_ofctl();
    let dir: PathBuf = std::env::temp_dir().join(format!(
        "mp-text-{}-{:?}",
        std::process::id(),
        thread::current().id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let sock = dir.join("sw");
    let listener = UnixListener::bind(&sock).unwrap();
    let log = Arc::new(Mutex::new(Vec::new()));
    let wire = v.wire();
    let stopping = Arc::new(AtomicBool::new(false));
    let acceptor = {
        let log = log.clone();
        let stopping = stopping.clone();
        let listener = listener.try_clone().unwrap();
        thread::spawn(move || {
            let mut workers = Vec::new();
            for conn in listener.incoming() {
                // After ovs-ofctl exits, one more connection wakes us up.
                if stopping.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(conn) = conn else { break };
                let log = log.clone();
                workers.push(thread::spawn(move || serve(conn, wire, log)));
            }
            for w in workers {
                let _ = w.join();
            }
        })
    };
    let target = format!("unix:{}", sock.display());
    let mut child = Command::new(OFCTL)
        .arg("-O")
        .arg(v.name())
        .arg(cmd)
        .arg(&target)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(st) = child.try_wait().unwrap() {
            break st;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("ovs-ofctl {cmd} {args:?} did not finish");
        }
        thread::sleep(Duration::from_millis(5));
    };
    let mut stderr = String::new();
    if let Some(mut e) = child.stderr.take() {
        let _ = e.read_to_string(&mut stderr);
    }
    // Wake the acceptor with a connection that closes at once.
    stopping.store(true, Ordering::SeqCst);
    drop(UnixStream::connect(&sock));
    let _ = acceptor.join();
    let _ = std::fs::remove_dir_all(&dir);
    let msgs = log.lock().unwrap().clone();
    Capture {
        ok: status.success(),
        stderr,
        msgs,
    }
}

/// The captured message of interest: the first that is not OF1.0 flow
/// format negotiation.
fn command_message(c: &Capture) -> Option<Vec<u8>> {
    c.msgs
        .iter()
        .find(|m| !(m[1] == 4 && m.get(12..16) == Some(&[0, 0, 0, 12][..])))
        .cloned()
}

/// The xid of the captured command, so our encoding can use the same.
fn xid_of(c: &Capture) -> u32 {
    command_message(c).map_or(1, |m| u32::from_be_bytes([m[4], m[5], m[6], m[7]]))
}

// ---------------------------------------------------------------------
// Groups.

const GROUPS: [&str; 48] = [
    "group_id=1,type=all,bucket=actions=output:1",
    "group_id=1,type=all,bucket=output:1,bucket=output:2",
    "group_id=1,type=select,bucket=actions=output:1",
    "group_id=1,type=select,bucket=weight:100,actions=output:1,bucket=weight:0,actions=output:2",
    "group_id=1,type=select,bucket=weight:1,actions=output:1",
    "group_id=2,type=indirect,bucket=actions=output:1",
    "group_id=3,type=ff,bucket=watch_port:1,actions=output:1,bucket=watch_group:2,output:2",
    "group_id=3,type=fast_failover,bucket=watch_port:1,watch_group:5,actions=output:1",
    "group_id=1,type=select,bucket=weight:7,watch_port:2,watch_group:3,actions=output:1",
    "group_id=4294967040,type=all,bucket=output:1",
    "group_id=0x10,type=all,bucket=output:1",
    "group_id=010,type=all,bucket=output:1",
    "group_id=1, type=all, bucket=output:1",
    "group_id=1 type=all bucket=output:1 bucket=output:2",
    "group_id=1,type=all",
    "group_id=1,type=all,bucket=actions=drop",
    "group_id=1,type=all,bucket=actions=output:1,mod_vlan_vid:5,output:2",
    "group_id=1,type=all,bucket=mod_dl_src:00:11:22:33:44:55,output:1",
    "group_id=1,type=all,bucket=actions=resubmit(,3)",
    "group_id=1,type=all,bucket=Weight:0,output:1",
    "group_id=1,type=all,group_id=2",
    "group_id=1,type=all,bucket=bucket_id:5,actions=output:1,bucket=actions=output:2",
    "group_id=1,type=all,bucket=output:1,bucket=bucket_id:0,output:2",
    "group_id=1,type=all,bucket=bucket_id:3,output:1,bucket=output:3,bucket=bucket_id:1,output:2,bucket=output:4",
    "group_id=1,type=all,bucket=bucket_id:4294967040,output:1",
    "group_id=1,type=select,selection_method=dp_hash,bucket=output:1",
    "group_id=1,type=select,selection_method=hash,bucket=output:1",
    "group_id=1,type=select,selection_method=hash,fields(ip_src,nw_proto),bucket=output:1",
    "group_id=1,type=select,selection_method=hash,fields=ip_src,bucket=output:1",
    "group_id=1,type=select,selection_method=hash,selection_method_param=7,fields(nw_proto,ip_src,eth_src=ff:00:00:00:00:00),bucket=weight:5,watch_port:3,output:1,bucket=output:2",
    "group_id=1,type=select,selection_method=dp_hash,selection_method_param=0x100000005,bucket=output:1",
    "group_id=1,type=select,selection_method=hash,fields(eth_src=ff:00:00:00:00:00),bucket=output:1",
    "group_id=1,type=select,selection_method=hash,fields=eth_src,fields=ip_dst,bucket=output:1",
    "group_id=1,type=select,selection_method=hash,fields(vlan_tci=0x1fff,tcp_src),bucket=output:1",
    // Errors.
    "group_id=1",
    "type=all",
    "group_id=1,type=foo",
    "group_id=1,type=all,foo=bar",
    "group_id=4294967041,type=all",
    "group_id=x,type=all",
    "group_id=1,type=all,command_bucket_id=1",
    "group_id=1,type=select,fields=ip_src",
    "group_id=1,type=select,selection_method_param=5",
    "group_id=1,type=select,selection_method=0123456789abcdef",
    "group_id=1,type=ff,bucket=output:1",
    "group_id=1,type=all,bucket=weight:5,actions=output:1",
    "group_id=1,type=indirect,bucket=output:1,bucket=output:2",
    "group_id=1,type=all,bucket=",
];

const MORE_GROUPS: [&str; 10] = [
    "group_id=1,type=select,selection_method=hash",
    "group_id=1,type=all,bucket=output:1,bucket=push_vlan:0x8100",
    "group_id=1,type=all,bucket=push_vlan:0x8100,output:1,bucket=pop_vlan,output:2",
    "group_id=1,type=all,bucket=set_field:1->reg0,output:1",
    "group_id=1,type=select,bucket=actions=ct(commit,zone=5),output:1,bucket=weight:3,actions=mod_nw_ttl:5,output:2",
    "group_id=1,type=all,bucket=actions=group:2",
    "group_id=1,type=ff,bucket=watch_port:LOCAL,output:1",
    "group_id=1,type=ff,bucket=watch_port:p1,output:1",
    "group_id=1,type=all,bucket=actions=learn(table=1,NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[]),output:1",
    "group_id=1,type=all,bucket=actions=output:1,bucket_id:3",
];

const MORE_GROUP_ERRORS: [&str; 10] = [
    "group_id=1,type=all,bucket=watch_group:4294967041,output:1",
    "group_id=1,type=all,bucket=bucket_id:4294967041,output:1",
    "group_id=1,type=all,bucket=weight:70000,output:1",
    "group_id=1,type=all,bucket=watch_port:65280,output:1",
    "group_id=1,type=all,bucket",
    "group_id=1,type=select,selection_method=hash,fields(foo),bucket=output:1",
    "group_id=1,type=select,selection_method=hash,fields(ip_src,ip_src),bucket=output:1",
    "group_id=1,type=select,selection_method=hash,fields(ip_src=0.0.0.0),bucket=output:1",
    "group_id=1,type=all,bucket=foo:bar",
    "group_id=1,type=all,selection_method=a,selection_method_param=3,fields=ip_src",
];

const GROUP_VERSIONS: [Version; 4] = [Version::Of10, Version::Of11, Version::Of13, Version::Of15];

#[test]
fn parse_group_matches_reference() {
    let mut failures = Vec::new();
    let mut checked = 0;
    for s in GROUPS
        .iter()
        .chain(MORE_GROUPS.iter())
        .chain(MORE_GROUP_ERRORS.iter())
    {
        for v in GROUP_VERSIONS {
            let (ok, out, err) = ofctl(&["-O", v.name(), "parse-group", s]);
            let ours = parse_group_mod(s, GroupTextCommand::Mod(GroupModCommand::Add), None);
            checked += 1;
            match (ok, ours) {
                (false, Err(e)) => {
                    if e != error_line(&err) {
                        failures.push(format!(
                            "{s} ({v:?}): error {e:?} vs {:?}",
                            error_line(&err)
                        ));
                    }
                }
                (true, Ok((gm, protocols))) => {
                    // "usable protocols: X\nchosen version: V\n<message>"
                    let mut lines = out.splitn(3, '\n');
                    let usable = lines
                        .next()
                        .unwrap_or("")
                        .trim_start_matches("usable protocols: ");
                    let _chosen = lines.next();
                    let printed = lines.next().unwrap_or("");
                    if usable != protocols.to_names() {
                        failures.push(format!(
                            "{s} ({v:?}): usable {} vs {usable}",
                            protocols.to_names()
                        ));
                    }
                    // Our encoding, printed by us and by the reference.
                    let bytes = encode(&Message::GroupMod(gm.clone()), protocol_of(v), 1);
                    let ours_text = openflow::msg::format(&bytes, 0);
                    let (_, theirs_of_ours, _) = ofctl(&["ofp-print", &hex(&bytes)]);
                    if ours_text != printed || theirs_of_ours != printed {
                        failures.push(format!(
                            "{s} ({v:?}):\n--- reference parse-group\n{printed}--- our text\n{ours_text}--- reference ofp-print of ours\n{theirs_of_ours}"
                        ));
                    }
                }
                (true, Err(e)) => failures.push(format!(
                    "{s} ({v:?}): we reject ({e}), reference accepts:\n{out}"
                )),
                (false, Ok((_, p))) if error_line(&err) == "no usable protocol" => {
                    if p.intersects(Protocols::of_version(v)) {
                        failures.push(format!(
                            "{s} ({v:?}): usable {} includes {v:?}",
                            p.to_names()
                        ));
                    }
                }
                (false, Ok(_)) => {
                    failures.push(format!("{s} ({v:?}): we accept, reference rejects: {err}"))
                }
            }
        }
    }
    assert!(checked >= 40 * 4);
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

/// (command, version, argument) cases for the group commands.
fn group_command_cases() -> Vec<(&'static str, Version, &'static str)> {
    let mut c = Vec::new();
    for v in GROUP_VERSIONS {
        for s in &GROUPS[..12] {
            c.push(("add-group", v, *s));
        }
        c.push((
            "mod-group",
            v,
            "group_id=10,type=select,bucket=bucket_id:1,output:1",
        ));
        c.push((
            "--may-create mod-group",
            v,
            "group_id=11,type=all,bucket=output:1",
        ));
        c.push(("del-groups", v, "group_id=11"));
        c.push(("del-groups", v, "group_id=all"));
        c.push(("del-groups", v, ""));
        c.push(("del-groups", v, "group_id=11,type=all"));
        c.push(("del-groups", v, "group_id=11,bucket=output:1"));
        c.push(("dump-groups", v, ""));
        c.push(("dump-group-stats", v, ""));
        c.push(("dump-group-stats", v, "group_id=10"));
    }
    for v in [Version::Of10, Version::Of15] {
        c.push((
            "insert-buckets",
            v,
            "group_id=10,command_bucket_id=first,bucket=bucket_id:7,output:3",
        ));
        c.push(("insert-buckets", v, "group_id=10,command_bucket_id=last,bucket=bucket_id:7,output:3,bucket=bucket_id:8,output:4"));
        c.push((
            "insert-buckets",
            v,
            "group_id=10,command_bucket_id=5,bucket=output:3",
        ));
        c.push(("insert-buckets", v, "group_id=10,bucket=output:3"));
        c.push((
            "insert-buckets",
            v,
            "group_id=10,command_bucket_id=all,bucket=output:3",
        ));
        c.push((
            "insert-buckets",
            v,
            "group_id=10,command_bucket_id=4294967041,bucket=output:3",
        ));
        c.push(("remove-buckets", v, "group_id=10,command_bucket_id=7"));
        c.push(("remove-buckets", v, "group_id=10,command_bucket_id=all"));
        c.push(("remove-buckets", v, "group_id=10"));
        c.push((
            "remove-buckets",
            v,
            "group_id=10,command_bucket_id=first,type=all",
        ));
        c.push(("remove-buckets", v, "group_id=10,bucket=output:1"));
    }
    c.push((
        "insert-buckets",
        Version::Of13,
        "group_id=10,command_bucket_id=first,bucket=output:3",
    ));
    c
}

#[test]
fn group_commands_send_what_reference_sends() {
    let mut failures = Vec::new();
    for (cmd, v, arg) in group_command_cases() {
        let words: Vec<&str> = cmd.split(' ').collect();
        let (opts, name) = words.split_at(words.len() - 1);
        let name = name[0];
        let mut args: Vec<&str> = Vec::new();
        if !arg.is_empty() {
            args.push(arg);
        }
        // ovs-ofctl's getopt takes options after the arguments too.
        args.extend_from_slice(opts);
        let c = capture(v, name, &args);
        let ours: Result<Vec<u8>, String> = match name {
            "dump-groups" | "dump-group-stats" => {
                // Both ask for every group (OF1.0-1.4 group descriptions
                // cannot say which).
                let id = if arg.is_empty() || name == "dump-groups" {
                    GROUP_ALL
                } else {
                    parse_group_mod(arg, GroupTextCommand::Mod(GroupModCommand::Delete), None)
                        .map(|(g, _)| g.group_id)
                        .unwrap_or(GROUP_ALL)
                };
                let body = if name == "dump-groups" {
                    MpRequest::GroupDesc(id)
                } else {
                    MpRequest::Group(id)
                };
                Ok(encode(
                    &Message::MultipartRequest(MultipartRequest::new(body)),
                    protocol_of(v),
                    xid_of(&c),
                ))
            }
            _ => {
                let command = match name {
                    "add-group" => GroupModCommand::Add,
                    "mod-group" if opts.contains(&"--may-create") => GroupModCommand::AddOrMod,
                    "mod-group" => GroupModCommand::Modify,
                    "del-groups" => GroupModCommand::Delete,
                    "insert-buckets" => GroupModCommand::InsertBucket,
                    _ => GroupModCommand::RemoveBucket,
                };
                let bucket_cmd = matches!(
                    command,
                    GroupModCommand::InsertBucket | GroupModCommand::RemoveBucket
                );
                parse_group_mod(arg, GroupTextCommand::Mod(command), None)
                    .and_then(|(gm, p)| {
                        // ovs-ofctl's own check: bucket commands need
                        // OF1.5 (or OF1.0's extension).
                        if !p.intersects(Protocols::of_version(v))
                            || (bucket_cmd && (Version::Of11..Version::Of15).contains(&v))
                        {
                            Err("protocol".to_string())
                        } else {
                            Ok(gm)
                        }
                    })
                    .map(|gm| encode(&Message::GroupMod(gm), protocol_of(v), xid_of(&c)))
            }
        };
        match (c.ok, ours) {
            (true, Ok(b)) => match command_message(&c) {
                Some(m) if m == b => {}
                m => failures.push(format!(
                    "{cmd} {arg} ({v:?}): sent {}\n  we encode {}",
                    m.map_or("nothing".into(), |m| hex(&m)),
                    hex(&b)
                )),
            },
            (false, Err(e)) => {
                let theirs = error_line(&c.stderr);
                if e != "protocol" && e != theirs {
                    failures.push(format!("{cmd} {arg} ({v:?}): error {e:?} vs {theirs:?}"));
                }
            }
            (ok, ours) => failures.push(format!(
                "{cmd} {arg} ({v:?}): reference ok={ok} ({}), ours {ours:?}",
                c.stderr.trim()
            )),
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

// ---------------------------------------------------------------------
// Meters.

const METERS: [&str; 26] = [
    "meter=1,kbps,band=type=drop,rate=1000",
    "meter=1,pktps,band=type=drop,rate=10",
    "meter=1,kbps,burst,stats,band=type=drop,rate=1000,burst_size=100",
    "meter=2,kbps,burst,band=type=drop,rate=1000,burst_size=100,type=dscp_remark,rate=2000,burst_size=5,prec_level=1",
    "meter=3 kbps band=type=drop rate=1 type=drop rate=3",
    "meter=4,kbps,pktps,band=type=drop,rate=1",
    "meter=4294901760,kbps,band=type=drop,rate=1",
    "meter=controller,kbps,band=type=drop,rate=1,rate=2",
    "meter=slowpath,pktps,stats,band=type=dscp_remark,rate=5,prec_level=255",
    "meter=0x10,kbps,bands=type=drop,rate=0x20",
    "meter=1,kbps,burst,band=type=drop,rate=1,burst_size=010",
    // Errors.
    "meter=1,band=type=drop,rate=1000",
    "meter=1,kbps",
    "meter=1,kbps,band=type=foo,rate=5",
    "meter=x,kbps,band=type=drop,rate=1",
    "meter=all",
    "meter=1,kbps,band=type=drop",
    "meter=1,kbps,burst,band=type=drop,rate=2,burst_size=9,type=dscp_remark,rate=3,prec_level=2",
    "meter=1,kbps,foo=bar,band=type=drop,rate=1",
    "meter=1,kbps,band=type=drop,rate=1,foo=3",
    "meter=4294901761,kbps,band=type=drop,rate=1",
    "meter=1,kbps,band=rate=1,type=drop",
    "kbps,band=type=drop,rate=1",
    "meter=1,kbps,band=type=dscp_remark,rate=1,prec_level=256",
    "meter=1,kbps,band=type=drop,rate=1,burst_size=0x10",
    "meter=1,kbps,band=type=dscp_remark,rate=1",
];

const METER_QUERIES: [&str; 7] = [
    "meter=1",
    "meter=all",
    "meter=controller",
    "meter=1,kbps",
    "meter=foo",
    "",
    "stats",
];

#[test]
fn meter_commands_send_what_reference_sends() {
    let v = Version::Of13;
    let mut failures = Vec::new();
    let mut cases: Vec<(&str, &str)> = Vec::new();
    for s in METERS {
        cases.push(("add-meter", s));
        cases.push(("mod-meter", s));
    }
    for s in METER_QUERIES {
        cases.push(("del-meters", s));
        cases.push(("dump-meters", s));
        cases.push(("meter-stats", s));
    }
    for (cmd, arg) in cases {
        let args: Vec<&str> = if arg.is_empty() { vec![] } else { vec![arg] };
        let c = capture(v, cmd, &args);
        let ours: Result<Vec<u8>, String> = (|| {
            Ok(match cmd {
                "add-meter" | "mod-meter" | "del-meters" => {
                    let command = match cmd {
                        "add-meter" => MeterModCommand::Add,
                        "mod-meter" => MeterModCommand::Modify,
                        _ => MeterModCommand::Delete,
                    };
                    let mm = if arg.is_empty() {
                        let mut mm = parse_meter("meter=all", MeterTextCommand::Mod(command))?.0;
                        mm.meter.meter_id = METER_ALL;
                        mm
                    } else {
                        parse_meter(arg, MeterTextCommand::Mod(command))?.0
                    };
                    encode(&Message::MeterMod(mm), Protocols::OF13_OXM, xid_of(&c))
                }
                _ => {
                    let id = if arg.is_empty() {
                        METER_ALL
                    } else {
                        parse_meter(arg, MeterTextCommand::Query)?.0.meter.meter_id
                    };
                    let body = if cmd == "dump-meters" {
                        MpRequest::MeterConfig(id)
                    } else {
                        MpRequest::Meter(id)
                    };
                    encode(
                        &Message::MultipartRequest(MultipartRequest::new(body)),
                        Protocols::OF13_OXM,
                        xid_of(&c),
                    )
                }
            })
        })();
        match (c.ok, ours) {
            (true, Ok(b)) => match command_message(&c) {
                Some(m) if m == b => {
                    // What we print of it is what the reference prints.
                    let (_, theirs, _) = ofctl(&["ofp-print", &hex(&m)]);
                    let ours = openflow::msg::format(&b, 0);
                    if ours != theirs {
                        failures.push(format!("{cmd} {arg}: printing\n{ours}{theirs}"));
                    }
                }
                m => failures.push(format!(
                    "{cmd} {arg}: sent {}\n  we encode {}",
                    m.map_or("nothing".into(), |m| hex(&m)),
                    hex(&b)
                )),
            },
            (false, Err(e)) => {
                let theirs = error_line(&c.stderr);
                if e != theirs {
                    failures.push(format!("{cmd} {arg}: error {e:?} vs {theirs:?}"));
                }
            }
            (ok, ours) => failures.push(format!(
                "{cmd} {arg}: reference ok={ok} ({}), ours {ours:?}",
                c.stderr.trim()
            )),
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
