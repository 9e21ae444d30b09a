//! Multipart, group, meter, table-features and flow-monitor bodies against
//! the real Open vSwitch 3.1 (`/usr/bin/ovs-ofctl`):
//!
//! - every body we own, in every version that has it: our encoding printed
//!   by the reference (`ovs-ofctl ofp-parse`) equals our own printing;
//! - decode(encode(x)) == x;
//! - truncated bodies decode to an error unless the cut falls between
//!   entries (then the shorter body re-encodes identically); corrupted
//!   bodies never panic;
//! - long replies split into messages of at most 65535 bytes and join back.
//!
//! Tests fail (they do not skip) when the reference is missing.

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;
use std::process::Command;

use openflow::buf::Reader;
use openflow::field::FieldId;
use openflow::msg::group::*;
use openflow::msg::meter::*;
use openflow::msg::monitor::*;
use openflow::msg::multipart::desc::SwitchDesc;
use openflow::msg::multipart::port::PortStats;
use openflow::msg::multipart::queue::*;
use openflow::msg::multipart::table::*;
use openflow::msg::multipart::*;
use openflow::msg::port_desc::PortDesc;
use openflow::msg::table_features::*;
use openflow::msg::{finish, start, OfpType};
use openflow::port::PortNo;
use openflow::Version;

const OFCTL: &str = "/usr/bin/ovs-ofctl";

fn require_ofctl() {
    assert!(
        Path::new(OFCTL).exists(),
        "{OFCTL} is needed as the reference; install openvswitch-switch"
    );
}

/// One multipart message to check.
struct Sample {
    what: String,
    v: Version,
    request: bool,
    kind: MpKind,
    flags: u16,
    body: Vec<u8>,
}

fn version_name_part(v: Version) -> String {
    if v == Version::Of10 {
        String::new()
    } else {
        format!(" ({})", v.short_name())
    }
}

/// The whole message text: header line, body text, spaces at the very end
/// trimmed, one final newline (what ofp-print prints).
fn whole_text(name: &str, v: Version, xid: u32, body: &str) -> String {
    let mut s = format!("{name}{} (xid=0x{xid:x}):{body}", version_name_part(v));
    while s.ends_with(' ') {
        s.pop();
    }
    if !s.ends_with('\n') {
        s.push('\n');
    }
    s
}

fn mp_message(
    v: Version,
    request: bool,
    kind: MpKind,
    flags: u16,
    body: &[u8],
    xid: u32,
) -> Vec<u8> {
    let ty = if request {
        OfpType::MultipartRequest
    } else {
        OfpType::MultipartReply
    };
    let mut out = Vec::new();
    let at = start(&mut out, v, ty.wire(v).expect("type"), xid);
    encode_mp_header(v, kind, flags, &mut out);
    out.extend_from_slice(body);
    finish(&mut out, at);
    out
}

fn req_sample(what: &str, v: Version, r: MultipartRequest) -> Sample {
    let mut body = Vec::new();
    r.encode(v, &mut body);
    Sample {
        what: what.to_string(),
        v,
        request: true,
        kind: r.mp_kind(),
        flags: r.flags,
        body,
    }
}

fn rep_sample(what: &str, v: Version, r: MultipartReply) -> Sample {
    let mut body = Vec::new();
    r.encode(v, &mut body);
    Sample {
        what: what.to_string(),
        v,
        request: false,
        kind: r.mp_kind(),
        flags: r.flags,
        body,
    }
}

/// Prints every message with one `ovs-ofctl ofp-parse` run; an echo
/// request with xid 0xfffff000+i before message i separates the outputs.
fn reference_texts(msgs: &[Vec<u8>]) -> Vec<String> {
    require_ofctl();
    let dir = std::env::temp_dir().join(format!("mp-ref-{}-{}", std::process::id(), rand_suffix()));
    fs::create_dir_all(&dir).unwrap();
    let file = dir.join("msgs.bin");
    let mut all = Vec::new();
    for (i, m) in msgs.iter().enumerate() {
        let mut echo = Vec::new();
        let at = start(&mut echo, Version::Of10, 2, i as u32);
        finish(&mut echo, at);
        all.extend_from_slice(&echo);
        all.extend_from_slice(m);
    }
    fs::write(&file, &all).unwrap();
    let out = Command::new(OFCTL)
        .arg("ofp-parse")
        .arg(&file)
        .output()
        .unwrap();
    let _ = fs::remove_dir_all(&dir);
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let mut res: Vec<String> = Vec::new();
    for line in text.split_inclusive('\n') {
        if line.starts_with("OFPT_ECHO_REQUEST (xid=") {
            res.push(String::new());
        } else if let Some(last) = res.last_mut() {
            last.push_str(line);
        }
    }
    assert_eq!(
        res.len(),
        msgs.len(),
        "ofp-parse output:\n{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    res
}

fn rand_suffix() -> u64 {
    use std::time::{SystemTime, UNIX_EPOCH};
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64)
}

/// Decodes a sample's body and returns (re-encoding, our printing of the
/// whole message).
fn decode_sample(s: &Sample, body: &[u8]) -> Result<(Vec<u8>, String), openflow::OfpError> {
    let mut text = String::new();
    let mut enc = Vec::new();
    let dir = if s.request {
        let r = MultipartRequest::decode(s.v, s.kind, s.flags, &mut Reader::new(body))?;
        r.encode(s.v, &mut enc);
        r.format(s.v, &mut text, None);
        " request"
    } else {
        let r = MultipartReply::decode(s.v, s.kind, s.flags, &mut Reader::new(body))?;
        r.encode(s.v, &mut enc);
        r.format(s.v, &mut text, None);
        " reply"
    };
    Ok((enc, format!("{}{dir}{text}", s.kind.name(s.v))))
}

/// Checks samples against the reference and for round trips, truncation
/// and corruption; panics with every failure listed. What we print is the
/// decoded sample (what a peer would see), so lossy wire forms compare
/// fairly; the round trip checks nothing is lost that the wire carries.
fn check_samples(samples: &[Sample]) {
    let msgs: Vec<Vec<u8>> = samples
        .iter()
        .enumerate()
        .map(|(i, s)| mp_message(s.v, s.request, s.kind, s.flags, &s.body, i as u32 + 1))
        .collect();
    let theirs = reference_texts(&msgs);
    let mut failures = Vec::new();
    for (i, s) in samples.iter().enumerate() {
        let xid = i as u32 + 1;
        let (enc, text) = match decode_sample(s, &s.body) {
            Ok(x) => x,
            Err(e) => {
                failures.push(format!("{} ({}): decode error {e:?}", s.what, s.v.name()));
                continue;
            }
        };
        if enc != s.body {
            failures.push(format!(
                "{} ({}): re-encoding differs\n{}\n{}",
                s.what,
                s.v.name(),
                hex(&s.body),
                hex(&enc)
            ));
        }
        let ours = {
            let name_end = text.find(" re").unwrap_or(0);
            let (name, rest) = text.split_at(name_end);
            let (dir, body) = match rest.strip_prefix(" request") {
                Some(b) => (" request", b),
                None => (" reply", rest.strip_prefix(" reply").unwrap_or(rest)),
            };
            whole_text(&format!("{name}{dir}"), s.v, xid, body)
        };
        if ours != theirs[i] {
            failures.push(format!(
                "{} ({}): printing differs\n--- ours\n{ours}--- reference\n{}--- hex {}",
                s.what,
                s.v.name(),
                theirs[i],
                hex(&msgs[i])
            ));
        } else {
            // The whole-message path (header, decode, format) agrees too.
            let whole = openflow::msg::format(&msgs[i], 0);
            if whole != theirs[i] {
                failures.push(format!(
                    "{} ({}): msg::format differs\n--- msg::format\n{whole}--- reference\n{}",
                    s.what,
                    s.v.name(),
                    theirs[i]
                ));
            }
        }
        // Truncation: an error, or a shorter body that re-encodes exactly.
        for cut in positions(s.body.len()) {
            let part = &s.body[..cut];
            if let Ok((b, _)) = decode_sample(s, part) {
                if b != part {
                    failures.push(format!(
                        "{} ({}): body cut to {cut} bytes decoded to something else",
                        s.what,
                        s.v.name()
                    ));
                }
            }
        }
        // Corruption: never a panic, and what decodes also prints.
        for pos in positions(s.body.len()) {
            for x in [0xff, 0x80, 0x01] {
                let mut b = s.body.clone();
                b[pos] ^= x;
                let _ = decode_sample(s, &b);
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

/// Mutations of each sample's first 48 body bytes (set to 0x00, 0xff or
/// incremented), compared as whole messages with the reference's printing;
/// returns the differences.
fn mutation_failures(samples: &[Sample]) -> Vec<String> {
    let mut msgs = Vec::new();
    for (i, s) in samples.iter().enumerate() {
        let m = mp_message(s.v, s.request, s.kind, s.flags, &s.body, i as u32 + 1);
        let start = m.len() - s.body.len();
        for pos in start..m.len().min(start + 48) {
            for f in [|_: u8| 0u8, |_| 0xff, |x: u8| x.wrapping_add(1)] {
                let mut c = m.clone();
                c[pos] = f(c[pos]);
                if c != m {
                    msgs.push(c);
                }
            }
        }
    }
    let theirs = reference_texts(&msgs);
    let mut failures = Vec::new();
    for (m, t) in msgs.iter().zip(&theirs) {
        let ours = openflow::msg::format(m, 0);
        if ours != *t && !others_decode_error(&ours, t) {
            failures.push(format!("{}\n--- ours\n{ours}--- reference\n{t}", hex(m)));
        }
    }
    failures
}

/// Both failed inside a match or an action list (errors of those codecs,
/// which other modules own and test), or the reference's OF1.5 flow stats
/// decoder reports no error code at all.
fn others_decode_error(ours: &str, theirs: &str) -> bool {
    let name = |s: &str| {
        s.find("***decode error: ")
            .map(|at| s[at + 17..].split("***").next().unwrap_or("").to_string())
    };
    match (name(ours), name(theirs)) {
        (Some(a), Some(b)) => {
            let foreign = |e: &str| {
                ["OFPBMC_", "OFPBIC_", "OFPBAC_", "NXBRC_NXM", "NXBAC_"]
                    .iter()
                    .any(|p| e.starts_with(p))
            };
            (foreign(&a) && foreign(&b)) || b == "<invalid>"
        }
        _ => false,
    }
}

fn hex(b: &[u8]) -> String {
    let mut h: String = b.iter().take(160).map(|x| format!("{x:02x}")).collect();
    if b.len() > 160 {
        h.push_str("...");
    }
    h
}

/// Byte positions to cut or corrupt at: all of a short body, an even
/// spread (plus the first and last 64) of a long one, to bound the time.
fn positions(len: usize) -> Vec<usize> {
    if len <= 256 {
        return (0..len).collect();
    }
    let step = len / 128;
    let mut p: Vec<usize> = (0..64)
        .chain(len - 64..len)
        .chain((0..len).step_by(step))
        .collect();
    p.sort();
    p.dedup();
    p
}

fn versions_with(kind: MpKind) -> Vec<Version> {
    Version::ALL
        .into_iter()
        .filter(|v| kind.to_wire(*v).is_some())
        .collect()
}

fn port_stats(p: u16, base: u64) -> PortStats {
    PortStats {
        port_no: PortNo(p),
        rx_packets: base,
        tx_packets: base + 1,
        rx_bytes: base + 2,
        tx_bytes: base + 3,
        rx_dropped: base + 4,
        tx_dropped: base + 5,
        rx_errors: base + 6,
        tx_errors: base + 7,
        rx_frame_err: base + 8,
        rx_over_err: base + 9,
        rx_crc_err: base + 10,
        collisions: base + 11,
        duration_sec: 5,
        duration_nsec: 123_000_000,
        other_props: Vec::new(),
    }
}

/// Port stats as `v` carries them (unknown durations before OF1.3).
fn port_stats_for(v: Version, mut ps: PortStats) -> PortStats {
    if v < Version::Of13 {
        ps.duration_sec = u32::MAX;
        ps.duration_nsec = u32::MAX;
    }
    ps
}

#[test]
fn simple_bodies_match_reference() {
    let mut s = Vec::new();
    for v in Version::ALL {
        s.push(req_sample(
            "desc",
            v,
            MultipartRequest::new(MpRequest::Desc),
        ));
        s.push(req_sample(
            "desc more",
            v,
            MultipartRequest {
                flags: MP_MORE,
                body: MpRequest::Desc,
            },
        ));
        let d = SwitchDesc {
            mfr_desc: "Nicira, Inc.".into(),
            hw_desc: "Open vSwitch".into(),
            sw_desc: "3.1.0".into(),
            serial_num: "None".into(),
            dp_desc: "a datapath".into(),
        };
        s.push(rep_sample(
            "desc",
            v,
            MultipartReply::new(MpReply::Desc(d.clone())),
        ));
        s.push(rep_sample(
            "desc flags",
            v,
            MultipartReply {
                flags: 3,
                body: MpReply::Desc(SwitchDesc::default()),
            },
        ));
        s.push(req_sample(
            "table",
            v,
            MultipartRequest::new(MpRequest::Table),
        ));
        for p in [PortNo::NONE, PortNo(1), PortNo::LOCAL, PortNo(0xfef0)] {
            s.push(req_sample(
                "port stats",
                v,
                MultipartRequest::new(MpRequest::PortStats(p)),
            ));
        }
        let mut unknown = port_stats(3, 0);
        unknown.rx_packets = u64::MAX;
        unknown.collisions = u64::MAX;
        unknown.duration_sec = 0;
        unknown.duration_nsec = 999_999_999;
        let mut odd = port_stats(100, 1000);
        odd.duration_nsec = 0;
        let stats = vec![
            port_stats_for(v, port_stats(1, 10)),
            port_stats_for(v, port_stats(0xfffe, 20)),
            port_stats_for(v, unknown),
            port_stats_for(v, odd),
        ];
        s.push(rep_sample(
            "port stats",
            v,
            MultipartReply::new(MpReply::PortStats(stats)),
        ));
        s.push(rep_sample(
            "port stats empty",
            v,
            MultipartReply::new(MpReply::PortStats(vec![])),
        ));
        for (p, q) in [
            (PortNo::NONE, QUEUE_ALL),
            (PortNo(1), 3),
            (PortNo::LOCAL, 0),
        ] {
            s.push(req_sample(
                "queue stats",
                v,
                MultipartRequest::new(MpRequest::Queue(QueueStatsRequest {
                    port: p,
                    queue_id: q,
                })),
            ));
        }
        let dur = if v >= Version::Of13 {
            (7, 5_000)
        } else {
            (u32::MAX, u32::MAX)
        };
        let qs = vec![
            QueueStats {
                port: PortNo(1),
                queue_id: 2,
                tx_bytes: 10,
                tx_packets: 20,
                tx_errors: u64::MAX,
                duration_sec: dur.0,
                duration_nsec: dur.1,
            },
            QueueStats {
                port: PortNo::LOCAL,
                queue_id: QUEUE_ALL,
                tx_bytes: u64::MAX,
                tx_packets: 0,
                tx_errors: 3,
                duration_sec: dur.0,
                duration_nsec: dur.1,
            },
        ];
        s.push(rep_sample(
            "queue stats",
            v,
            MultipartReply::new(MpReply::Queue(qs)),
        ));
        let pd_port = if v >= Version::Of15 {
            PortNo(5)
        } else {
            PortNo::NONE
        };
        s.push(req_sample(
            "port desc",
            v,
            MultipartRequest::new(MpRequest::PortDesc(pd_port)),
        ));
        let pd = vec![
            PortDesc {
                port_no: PortNo(2),
                hw_addr: [0x42, 0x15, 0x12, 0x8b, 0x33, 0x3e],
                name: "p2".into(),
                config: 1,
                state: 1,
                curr: 0x840,
                curr_speed: 10_000_000,
                ..PortDesc::default()
            },
            PortDesc {
                port_no: PortNo::LOCAL,
                hw_addr: [0x76, 0x37, 0x1e, 0x8b, 0x75, 0x48],
                name: "br0".into(),
                ..PortDesc::default()
            },
        ];
        s.push(rep_sample(
            "port desc",
            v,
            MultipartReply::new(MpReply::PortDesc(pd)),
        ));
    }
    check_samples(&s);
}

fn table_features_sample(id: u8, v: Version) -> TableFeatures {
    let f = |n: &str| FieldId::by_name(n).unwrap_or_else(|| panic!("field {n}"));
    let set = |names: &[&str]| names.iter().map(|n| f(n)).collect::<BTreeSet<_>>();
    let actions = ActionBits::from_wire(
        v,
        if v >= Version::Of12 {
            (1 << 0) | (1 << 22) | (1 << 25) | (1 << 17)
        } else {
            0b1011
        },
    );
    let nonmiss = InstructionFeatures {
        next_tables: (id + 1..=253).collect(),
        instructions: InstructionBits::from_wire(0b111_1110),
        write: ActionFeatures {
            actions,
            set_fields: set(&[
                "eth_src", "eth_dst", "ip_src", "reg0", "reg1", "reg2", "tcp_dst",
            ]),
        },
        apply: ActionFeatures {
            actions,
            set_fields: set(&[
                "eth_src", "eth_dst", "ip_src", "reg0", "reg1", "reg2", "tcp_dst",
            ]),
        },
    };
    TableFeatures {
        table_id: id,
        command: 0,
        name: String::new(),
        metadata_match: u64::MAX,
        metadata_write: if id == 0 { 0 } else { u64::MAX },
        miss_config: MissConfig::Default,
        eviction: (v >= Version::Of14).then_some(id.is_multiple_of(2)),
        vacancy_events: (v >= Version::Of14).then_some(false),
        max_entries: 1_000_000,
        miss: nonmiss.clone(),
        nonmiss,
        match_fields: set(&[
            "in_port_oxm",
            "eth_src",
            "eth_dst",
            "eth_type",
            "ip_src",
            "ip_dst",
            "tcp_src",
            "reg3",
            "metadata",
        ]),
        mask: set(&["eth_src", "ip_src", "metadata"]),
        wildcard: set(&[
            "in_port_oxm",
            "eth_src",
            "eth_type",
            "ip_src",
            "tcp_src",
            "metadata",
        ]),
    }
}

#[test]
fn table_bodies_match_reference() {
    let mut s = Vec::new();
    for v in Version::ALL {
        // Table stats: before OF1.3 with features.
        let mut stats = Vec::new();
        for id in 0..6u8 {
            let features = (v < Version::Of13).then(|| {
                let mut f = TableFeatures {
                    table_id: id,
                    max_entries: 1_000_000,
                    ..TableFeatures::default()
                };
                let all = |names: &[&str]| -> BTreeSet<FieldId> {
                    names.iter().filter_map(|n| FieldId::by_name(n)).collect()
                };
                match v {
                    Version::Of10 => {
                        f.match_fields = all(&[
                            "in_port", "vlan_vid", "eth_src", "eth_dst", "eth_type", "nw_proto",
                            "tcp_src", "tcp_dst", "ip_src", "ip_dst", "vlan_pcp", "nw_tos",
                        ]);
                        f.wildcard = if id == 3 {
                            all(&["in_port", "ip_src"])
                        } else {
                            f.match_fields.clone()
                        };
                    }
                    _ => {
                        f.miss_config = if id == 4 {
                            MissConfig::Drop
                        } else {
                            MissConfig::Controller
                        };
                        let names: &[&str] = if v == Version::Of11 {
                            &[
                                "in_port",
                                "vlan_vid",
                                "eth_src",
                                "eth_dst",
                                "eth_type",
                                "metadata",
                                "mpls_label",
                            ]
                        } else {
                            &[
                                "in_port_oxm",
                                "eth_src",
                                "eth_dst",
                                "eth_type",
                                "metadata",
                                "ipv6_src",
                                "tcp_dst",
                            ]
                        };
                        f.match_fields = all(names);
                        f.wildcard = all(names);
                        f.nonmiss.instructions =
                            InstructionBits::from_wire(if id == 5 { 0b11100 } else { 0b111110 });
                        f.nonmiss.write.actions = ActionBits::from_wire(v, 0x3);
                        f.nonmiss.apply.actions =
                            ActionBits::from_wire(v, if id == 2 { 0x1 } else { 0x3 });
                        if v == Version::Of12 {
                            f.metadata_match = u64::MAX;
                            f.metadata_write = 0xff;
                            f.nonmiss.write.set_fields = all(&["eth_src", "ipv6_src"]);
                            f.nonmiss.apply.set_fields = all(&["eth_src", "ipv6_src"]);
                        }
                        f.miss = f.nonmiss.clone();
                    }
                }
                f
            });
            stats.push(TableStats {
                table_id: id,
                counters: TableCounters {
                    active_count: u32::from(id == 0 || id == 3),
                    lookup_count: if id == 1 { 5 } else { 0 },
                    matched_count: 0,
                },
                features,
            });
        }
        s.push(rep_sample(
            "table stats",
            v,
            MultipartReply::new(MpReply::Table(stats)),
        ));
        if v >= Version::Of13 {
            s.push(req_sample(
                "table features",
                v,
                MultipartRequest::new(MpRequest::TableFeatures(vec![])),
            ));
            let mut t: Vec<TableFeatures> = (0..5).map(|i| table_features_sample(i, v)).collect();
            t[2] = t[1].clone();
            t[2].table_id = 2;
            t[3].name = "named".into();
            t[4].miss.instructions = InstructionBits::from_wire(0b10);
            t[4].match_fields.clear();
            t[4].mask.clear();
            t[4].wildcard.clear();
            s.push(rep_sample(
                "table features",
                v,
                MultipartReply::new(MpReply::TableFeatures(t.clone())),
            ));
            let mut same: Vec<TableFeatures> = (0..4)
                .map(|i| {
                    let mut x = table_features_sample(0, v);
                    x.table_id = i;
                    x
                })
                .collect();
            same[3].max_entries = 5;
            s.push(rep_sample(
                "table features ditto",
                v,
                MultipartReply::new(MpReply::TableFeatures(same)),
            ));
            if v >= Version::Of15 {
                let mut cmd = vec![table_features_sample(0, v)];
                cmd[0].command = 1;
                s.push(req_sample(
                    "table features set",
                    v,
                    MultipartRequest::new(MpRequest::TableFeatures(cmd)),
                ));
            }
        }
        if v >= Version::Of14 {
            s.push(req_sample(
                "table desc",
                v,
                MultipartRequest::new(MpRequest::TableDesc),
            ));
            let d = vec![
                TableDesc {
                    table_id: 0,
                    eviction: false,
                    vacancy_events: false,
                    eviction_flags: None,
                    vacancy: None,
                },
                TableDesc {
                    table_id: 1,
                    eviction: true,
                    vacancy_events: true,
                    eviction_flags: Some(5),
                    vacancy: Some(Vacancy {
                        down: 10,
                        up: 20,
                        vacancy: 30,
                    }),
                },
                TableDesc {
                    table_id: 2,
                    eviction: true,
                    vacancy_events: false,
                    eviction_flags: Some(0xff),
                    vacancy: None,
                },
                TableDesc {
                    table_id: 3,
                    eviction: false,
                    vacancy_events: false,
                    eviction_flags: Some(0),
                    vacancy: None,
                },
            ];
            s.push(rep_sample(
                "table desc",
                v,
                MultipartReply::new(MpReply::TableDesc(d)),
            ));
            s.push(req_sample(
                "queue desc",
                v,
                MultipartRequest::new(MpRequest::QueueDesc(QueueStatsRequest {
                    port: PortNo(1),
                    queue_id: 7,
                })),
            ));
            s.push(req_sample(
                "queue desc all",
                v,
                MultipartRequest::new(MpRequest::QueueDesc(QueueStatsRequest {
                    port: PortNo::NONE,
                    queue_id: QUEUE_ALL,
                })),
            ));
            let q = vec![
                QueueDesc {
                    port: PortNo(1),
                    queue_id: 7,
                    min_rate: 500,
                    max_rate: u16::MAX,
                },
                QueueDesc {
                    port: PortNo(1),
                    queue_id: 8,
                    min_rate: 1001,
                    max_rate: 1000,
                },
                QueueDesc {
                    port: PortNo(2),
                    queue_id: 9,
                    min_rate: u16::MAX,
                    max_rate: u16::MAX,
                },
            ];
            s.push(rep_sample(
                "queue desc",
                v,
                MultipartReply::new(MpReply::QueueDesc(q)),
            ));
        }
    }
    check_samples(&s);
}

#[test]
fn meter_bodies_match_reference() {
    let mut s = Vec::new();
    for v in versions_with(MpKind::Meter) {
        for id in [1, METER_ALL, METER_CONTROLLER, METER_SLOWPATH, METER_MAX] {
            s.push(req_sample(
                "meter stats",
                v,
                MultipartRequest::new(MpRequest::Meter(id)),
            ));
            s.push(req_sample(
                "meter config",
                v,
                MultipartRequest::new(MpRequest::MeterConfig(id)),
            ));
        }
        s.push(req_sample(
            "meter features",
            v,
            MultipartRequest::new(MpRequest::MeterFeatures),
        ));
        let st = vec![
            MeterStats {
                meter_id: 1,
                flow_count: 3,
                packet_in_count: 4,
                byte_in_count: 5,
                duration_sec: 1,
                duration_nsec: 0,
                bands: vec![
                    BandStats {
                        packet_count: 1,
                        byte_count: 2,
                    },
                    BandStats {
                        packet_count: 3,
                        byte_count: 4,
                    },
                ],
            },
            MeterStats {
                meter_id: METER_CONTROLLER,
                duration_sec: 5,
                duration_nsec: 500,
                ..MeterStats::default()
            },
            MeterStats {
                meter_id: 0xffff_0001,
                packet_in_count: u64::MAX,
                duration_sec: u32::MAX,
                duration_nsec: 1_500_000,
                bands: vec![BandStats::default()],
                ..MeterStats::default()
            },
        ];
        s.push(rep_sample(
            "meter stats",
            v,
            MultipartReply::new(MpReply::Meter(st)),
        ));
        let drop = |rate, burst| MeterBand {
            band_type: BandType::Drop,
            rate,
            burst_size: burst,
            prec_level: 0,
        };
        let cfg = vec![
            Meter {
                meter_id: 1,
                flags: MF_KBPS,
                bands: vec![drop(5, 6)],
            },
            Meter {
                meter_id: METER_ALL,
                flags: MF_PKTPS | MF_BURST | MF_STATS,
                bands: vec![
                    drop(5, 6),
                    MeterBand {
                        band_type: BandType::DscpRemark,
                        rate: 7,
                        burst_size: 8,
                        prec_level: 3,
                    },
                ],
            },
            Meter {
                meter_id: 2,
                flags: 0x31,
                bands: vec![],
            },
        ];
        s.push(rep_sample(
            "meter config",
            v,
            MultipartReply::new(MpReply::MeterConfig(cfg)),
        ));
        for f in [
            MeterFeatures {
                max_meters: 262_144,
                band_types: 2,
                capabilities: 0xf,
                max_bands: 8,
                max_color: 0,
            },
            MeterFeatures {
                max_meters: 1,
                band_types: 0xffff_ffff,
                capabilities: 0xff,
                max_bands: 0,
                max_color: 9,
            },
            MeterFeatures::default(),
        ] {
            s.push(rep_sample(
                "meter features",
                v,
                MultipartReply::new(MpReply::MeterFeatures(f)),
            ));
        }
    }
    check_samples(&s);
}

fn out(p: u16) -> openflow::action::Action {
    openflow::action::parse_actions(&format!("output:{p}"), None)
        .unwrap()
        .remove(0)
}

fn bucket(id: u32, weight: u16, watch_port: PortNo, watch_group: u32, port: u16) -> Bucket {
    Bucket {
        bucket_id: id,
        weight,
        watch_port,
        watch_group,
        actions: vec![out(port)],
    }
}

#[test]
fn group_bodies_match_reference() {
    let mut s = Vec::new();
    for v in versions_with(MpKind::Group) {
        for g in [1, GROUP_ALL, GROUP_MAX] {
            s.push(req_sample(
                "group stats",
                v,
                MultipartRequest::new(MpRequest::Group(g)),
            ));
        }
        let dur = if v == Version::Of10 || v >= Version::Of13 {
            (8, 461_000_000)
        } else {
            (u32::MAX, u32::MAX)
        };
        let st = vec![
            GroupStats {
                group_id: 1,
                ref_count: 2,
                packet_count: 3,
                byte_count: 4,
                duration_sec: dur.0,
                duration_nsec: dur.1,
                bucket_stats: vec![(5, 6), (7, 8)],
            },
            GroupStats {
                group_id: 0xffff_ff00,
                ref_count: 0,
                packet_count: u64::MAX,
                byte_count: 0,
                duration_sec: dur.0,
                duration_nsec: dur.1,
                bucket_stats: vec![],
            },
        ];
        s.push(rep_sample(
            "group stats",
            v,
            MultipartReply::new(MpReply::Group(st)),
        ));
    }
    for v in versions_with(MpKind::GroupDesc) {
        let of15 = v == Version::Of10 || v >= Version::Of15;
        let g = if of15 { 7 } else { GROUP_ALL };
        s.push(req_sample(
            "group desc",
            v,
            MultipartRequest::new(MpRequest::GroupDesc(g)),
        ));
        let id = |i: u32| if of15 { i + 3 } else { i };
        let mut select = GroupDesc {
            group_type: GroupType::Select,
            group_id: 12,
            buckets: vec![
                bucket(id(0), 10, PortNo(1), GROUP_ANY, 1),
                bucket(id(1), 1, PortNo::NONE, 5, 2),
                bucket(id(2), 0, PortNo::NONE, GROUP_ANY, 3),
            ],
            props: GroupProps::default(),
        };
        if of15 {
            select.props = GroupProps {
                selection_method: "hash".into(),
                selection_method_param: 7,
                fields: vec![
                    HashField {
                        field: FieldId::by_name("eth_src").unwrap(),
                        mask: Some(vec![0xff, 0, 0, 0, 0, 0]),
                    },
                    HashField {
                        field: FieldId::by_name("ip_src").unwrap(),
                        mask: None,
                    },
                    HashField {
                        field: FieldId::by_name("nw_proto").unwrap(),
                        mask: None,
                    },
                ],
            };
        }
        let descs = vec![
            select,
            GroupDesc {
                group_type: GroupType::FastFailover,
                group_id: 13,
                buckets: vec![bucket(id(0), 0, PortNo::NONE, 10, 1)],
                props: GroupProps::default(),
            },
            GroupDesc {
                group_type: GroupType::All,
                group_id: 14,
                buckets: vec![],
                props: GroupProps::default(),
            },
            GroupDesc {
                group_type: GroupType::Indirect,
                group_id: GROUP_MAX,
                buckets: vec![bucket(id(0), 0, PortNo::NONE, GROUP_ANY, 4)],
                props: GroupProps::default(),
            },
        ];
        s.push(rep_sample(
            "group desc",
            v,
            MultipartReply::new(MpReply::GroupDesc(descs)),
        ));
    }
    for v in versions_with(MpKind::GroupFeatures) {
        s.push(req_sample(
            "group features",
            v,
            MultipartRequest::new(MpRequest::GroupFeatures),
        ));
        let all = ActionBits::from_wire(v, 0xffff_ffff);
        let gf = GroupFeatures {
            types: 0xf,
            capabilities: 0x7,
            max_groups: [0xffff_ff00, 1, 2, 3],
            actions: [all, ActionBits::default(), ActionBits::from_wire(v, 1), all],
        };
        s.push(rep_sample(
            "group features",
            v,
            MultipartReply::new(MpReply::GroupFeatures(gf)),
        ));
        let gf = GroupFeatures {
            types: 0x5,
            capabilities: 0x9,
            ..GroupFeatures::default()
        };
        s.push(rep_sample(
            "group features",
            v,
            MultipartReply::new(MpReply::GroupFeatures(gf)),
        ));
    }
    check_samples(&s);
}

#[test]
fn split_and_concat() {
    let stats: Vec<PortStats> = (0..2000u16).map(|i| port_stats(i, u64::from(i))).collect();
    for v in Version::ALL {
        let stats: Vec<PortStats> = stats
            .iter()
            .cloned()
            .map(|p| port_stats_for(v, p))
            .collect();
        let reply = MultipartReply::new(MpReply::PortStats(stats.clone()));
        let msgs = encode_replies(&reply, v, 9);
        assert!(msgs.len() > 1, "{v:?}");
        let mut parts = Vec::new();
        for (i, m) in msgs.iter().enumerate() {
            assert!(m.len() <= MAX_MSG_LEN);
            assert_eq!(usize::from(u16::from_be_bytes([m[2], m[3]])), m.len());
            let mut r = Reader::new(&m[8..]);
            let (kind, flags) = decode_mp_header(v, &mut r).unwrap();
            assert_eq!(kind, MpKind::PortStats);
            assert_eq!(flags & MP_MORE != 0, i + 1 < msgs.len());
            parts.push(MultipartReply::decode(v, kind, flags, &mut r).unwrap());
        }
        assert_eq!(concat_replies(parts).unwrap(), reply);
    }
    // A short reply is one message without the flag.
    let one = encode_replies(
        &MultipartReply::new(MpReply::Desc(SwitchDesc::default())),
        Version::Of13,
        1,
    );
    assert_eq!(one.len(), 1);
    assert_eq!(one[0][10..12], [0, 0]);
    // Mixed kinds do not join.
    assert!(concat_replies(vec![
        MultipartReply::new(MpReply::PortStats(vec![])),
        MultipartReply::new(MpReply::Queue(vec![])),
    ])
    .is_err());
}

#[test]
fn mp_header_mapping() {
    for v in Version::ALL {
        for k in [
            MpKind::Desc,
            MpKind::Flow,
            MpKind::Aggregate,
            MpKind::Table,
            MpKind::PortStats,
            MpKind::Queue,
            MpKind::Group,
            MpKind::GroupDesc,
            MpKind::GroupFeatures,
            MpKind::Meter,
            MpKind::MeterConfig,
            MpKind::MeterFeatures,
            MpKind::TableFeatures,
            MpKind::PortDesc,
            MpKind::TableDesc,
            MpKind::QueueDesc,
            MpKind::FlowMonitor,
            MpKind::NxFlow,
            MpKind::NxAggregate,
            MpKind::NxFlowMonitor,
            MpKind::IpfixBridge,
            MpKind::IpfixFlow,
        ] {
            if let Some(w) = k.to_wire(v) {
                assert_eq!(MpKind::from_wire(v, w), Ok(k), "{v:?} {k:?}");
                let mut b = Vec::new();
                encode_mp_header(v, k, 1, &mut b);
                assert_eq!(b.len(), mp_header_len(v, w));
                assert_eq!(decode_mp_header(v, &mut Reader::new(&b)), Ok((k, 1)));
            }
        }
    }
    assert!(MpKind::from_wire(Version::Of10, MpWire::Std(6)).is_err());
    assert!(MpKind::from_wire(
        Version::Of13,
        MpWire::Vendor {
            vendor: 0x2320,
            subtype: 0
        }
    )
    .is_err());
    assert!(MpKind::from_wire(
        Version::Of13,
        MpWire::Vendor {
            vendor: 0x1234,
            subtype: 0
        }
    )
    .is_err());
}

fn flow_match(s: &str) -> openflow::flow_match::Match {
    openflow::flow_text::parse_flow_filter(s, None)
        .unwrap_or_else(|e| panic!("{s}: {e}"))
        .0
        .m
}

fn actions(s: &str) -> Vec<openflow::action::Action> {
    openflow::action::parse_actions(s, None).unwrap_or_else(|e| panic!("{s}: {e}"))
}

/// Matches each version's standard match can carry.
fn matches_for(v: Version) -> Vec<&'static str> {
    let mut m = vec![
        "",
        "in_port=1,tcp,tp_dst=80",
        "ip,nw_src=10.0.0.0/8",
        "dl_vlan=5,dl_src=00:11:22:33:44:55",
    ];
    if v >= Version::Of12 {
        m.extend(["reg0=5", "ipv6,ipv6_src=::1", "tcp,tcp_flags=+syn"]);
    }
    m
}

fn flow_stats(m: &str, acts: &str, i: u32) -> openflow::msg::multipart::flow::FlowStats {
    use openflow::msg::multipart::flow::*;
    FlowStats {
        table_id: (i % 3) as u8,
        duration_sec: 5 + i,
        duration_nsec: [0, 123_000_000, 500, 999_999_999][i as usize % 4],
        priority: [0x8000, 0, 100, 65535][i as usize % 4],
        idle_timeout: if i % 2 == 1 { 30 } else { 0 },
        hard_timeout: if i % 3 == 1 { 60 } else { 0 },
        flags: 0,
        importance: 0,
        cookie: u64::from(i) * 0x11,
        packet_count: u64::from(i) * 7,
        byte_count: u64::from(i) * 700,
        idle_age: None,
        hard_age: None,
        flow_match: flow_match(m),
        actions: actions(acts),
    }
}

#[test]
fn flow_bodies_match_reference() {
    use openflow::msg::multipart::flow::*;
    let mut s = Vec::new();
    let acts = ["output:1", "drop", "mod_vlan_vid:5,output:2"];
    for v in Version::ALL {
        for (i, m) in matches_for(v).into_iter().enumerate() {
            let (filter, _) = openflow::flow_text::parse_flow_filter(m, None).unwrap();
            let mut q = FlowStatsRequest::from(filter);
            if i == 1 {
                q.table_id = 1;
                q.out_port = PortNo(3);
            }
            if i == 2 && v > Version::Of10 {
                q.cookie = 5;
                q.cookie_mask = 0xff;
                q.out_group = 7;
            }
            s.push(req_sample(
                "flow stats",
                v,
                MultipartRequest::new(MpRequest::Flow(q.clone())),
            ));
            s.push(req_sample(
                "aggregate",
                v,
                MultipartRequest::new(MpRequest::Aggregate(q)),
            ));
        }
        let mut flows = Vec::new();
        for (i, m) in matches_for(v).into_iter().enumerate() {
            let mut f = flow_stats(m, acts[i % acts.len()], i as u32);
            if v >= Version::Of13 {
                f.flags = [
                    0,
                    FF_SEND_FLOW_REM | FF_RESET_COUNTS,
                    FF_CHECK_OVERLAP | FF_NO_PKT_COUNTS | FF_NO_BYT_COUNTS,
                    0,
                ][i % 4];
            }
            if v >= Version::Of14 {
                f.importance = (i as u16) * 3;
            }
            if v >= Version::Of15 {
                f.idle_age = Some(i as u32);
            }
            flows.push(f);
        }
        s.push(rep_sample(
            "flow stats",
            v,
            MultipartReply::new(MpReply::Flow(flows)),
        ));
        for a in [
            AggregateStats {
                packet_count: 1,
                byte_count: 2,
                flow_count: 3,
            },
            AggregateStats::default(),
        ] {
            s.push(rep_sample(
                "aggregate",
                v,
                MultipartReply::new(MpReply::Aggregate(a)),
            ));
        }
    }
    // Nicira flow stats (OF1.0 with NXM).
    let v = Version::Of10;
    for m in [
        "",
        "reg0=5,tcp",
        "ipv6,ipv6_dst=fe80::/64",
        "in_port=LOCAL,ct_state=+trk",
    ] {
        let (filter, _) = openflow::flow_text::parse_flow_filter(m, None).unwrap();
        let q = FlowStatsRequest::from(filter);
        s.push(req_sample(
            "nx flow stats",
            v,
            MultipartRequest::new(MpRequest::NxFlow(q.clone())),
        ));
        s.push(req_sample(
            "nx aggregate",
            v,
            MultipartRequest::new(MpRequest::NxAggregate(q)),
        ));
    }
    let mut flows = Vec::new();
    for (i, m) in [
        "",
        "reg0=5,tcp",
        "ipv6,ipv6_dst=fe80::/64",
        "in_port=LOCAL,ct_state=+trk",
    ]
    .iter()
    .enumerate()
    {
        let mut f = flow_stats(
            m,
            ["output:1", "drop", "resubmit(,3)", "NORMAL"][i],
            i as u32,
        );
        f.idle_age = [None, Some(0), Some(5), Some(6)][i];
        f.hard_age = [None, Some(7), Some(5), None][i];
        flows.push(f);
    }
    s.push(rep_sample(
        "nx flow stats",
        v,
        MultipartReply::new(MpReply::NxFlow(flows)),
    ));
    s.push(rep_sample(
        "nx aggregate",
        v,
        MultipartReply::new(MpReply::NxAggregate(AggregateStats {
            packet_count: 9,
            byte_count: 99,
            flow_count: 2,
        })),
    ));
    check_samples(&s);
}

#[test]
fn monitor_bodies_match_reference() {
    let mut s = Vec::new();
    let req = |id, flags, out_port, out_group, table_id, command, m: &str| FlowMonitorRequest {
        id,
        flags,
        out_port,
        out_group,
        table_id,
        command,
        flow_match: flow_match(m),
    };
    let full = |event, reason, table_id, idle, hard, cookie, m: &str, a: &str| {
        FlowUpdate::Full(Box::new(FlowUpdateFull {
            event,
            reason,
            table_id,
            idle_timeout: idle,
            hard_timeout: hard,
            priority: 100,
            cookie,
            flow_match: flow_match(m),
            actions: actions(a),
        }))
    };
    for v in [Version::Of10, Version::Of11, Version::Of12] {
        let reqs = vec![
            req(1, 0x3f, PortNo::NONE, u32::MAX, 0xff, FMC_ADD, ""),
            req(2, FMF_ADD, PortNo(3), u32::MAX, 2, FMC_ADD, "in_port=5"),
            req(
                3,
                FMF_DELETE | FMF_OWN,
                PortNo::LOCAL,
                u32::MAX,
                0,
                FMC_ADD,
                "reg1=3,ip",
            ),
        ];
        s.push(req_sample(
            "nx monitor",
            v,
            MultipartRequest::new(MpRequest::NxFlowMonitor(reqs)),
        ));
        let ups = vec![
            full(
                FlowUpdateEvent::Added,
                0,
                1,
                0,
                0,
                0x12,
                "in_port=5",
                "output:1",
            ),
            FlowUpdate::Abbrev { xid: 0x55 },
            full(FlowUpdateEvent::Modified, 0, 1, 5, 6, 0, "", ""),
            full(
                FlowUpdateEvent::Deleted,
                3,
                0,
                0,
                0,
                1,
                "tcp,reg0=1",
                "drop",
            ),
            full(FlowUpdateEvent::Deleted, 7, 0, 0, 0, 1, "", "output:2"),
        ];
        s.push(rep_sample(
            "nx monitor",
            v,
            MultipartReply::new(MpReply::NxFlowMonitor(ups)),
        ));
    }
    for v in [Version::Of13, Version::Of14, Version::Of15] {
        let g = if v >= Version::Of14 { 5 } else { u32::MAX };
        let mut reqs = vec![
            req(1, 0x1f, PortNo::NONE, u32::MAX, 0xff, FMC_ADD, ""),
            req(
                2,
                FMF_ADD | FMF_OWN,
                PortNo(3),
                g,
                1,
                if v >= Version::Of14 {
                    FMC_MODIFY
                } else {
                    FMC_ADD
                },
                "tcp,tp_src=5",
            ),
        ];
        if v >= Version::Of14 {
            reqs.push(req(3, 0, PortNo::NONE, u32::MAX, 0xff, FMC_DELETE, ""));
        }
        s.push(req_sample(
            "monitor",
            v,
            MultipartRequest::new(MpRequest::FlowMonitor(reqs)),
        ));
        let mut ups = vec![
            full(
                if v >= Version::Of14 {
                    FlowUpdateEvent::Initial
                } else {
                    FlowUpdateEvent::Added
                },
                0,
                1,
                5,
                6,
                0x12,
                "",
                "output:1",
            ),
            FlowUpdate::Abbrev { xid: 0x55 },
        ];
        if v >= Version::Of14 {
            // The OF1.3 extension pauses and resumes with messages instead.
            ups.extend([FlowUpdate::Paused, FlowUpdate::Resumed]);
        }
        ups.extend([
            full(FlowUpdateEvent::Added, 0, 1, 0, 0, 0x12, "ip", ""),
            full(FlowUpdateEvent::Deleted, 2, 1, 0, 0, 0, "", "output:2"),
            full(FlowUpdateEvent::Modified, 0, 1, 0, 0, 0x12, "", ""),
        ]);
        s.push(rep_sample(
            "monitor",
            v,
            MultipartReply::new(MpReply::FlowMonitor(ups)),
        ));
    }
    check_samples(&s);
}

/// Mutations of valid group and meter mods (each byte of the first 64 of
/// the body set to 0x00, 0xff, or incremented): whatever we make of them,
/// decode error or text, is what the reference makes of them.
#[test]
fn mutated_group_and_meter_mods_match_reference() {
    use openflow::msg::group::{parse_group_mod, GroupModCommand, GroupTextCommand};
    use openflow::msg::meter::{parse_meter, MeterModCommand, MeterTextCommand};
    use openflow::msg::{encode, Message};
    use openflow::protocol::Protocols;
    let mut bases: Vec<Vec<u8>> = Vec::new();
    for (s, c) in [
        ("group_id=1,type=select,bucket=weight:5,watch_port:3,output:1,bucket=output:2", GroupModCommand::Add),
        ("group_id=2,type=ff,bucket=watch_group:3,output:1", GroupModCommand::Modify),
        ("group_id=3,type=select,selection_method=hash,fields(ip_src,nw_proto),bucket=bucket_id:4,output:1", GroupModCommand::Add),
        ("group_id=3,command_bucket_id=first,bucket=bucket_id:9,output:1", GroupModCommand::InsertBucket),
        ("group_id=3,command_bucket_id=9", GroupModCommand::RemoveBucket),
    ] {
        let (gm, _) = parse_group_mod(s, GroupTextCommand::Mod(c), None).unwrap();
        for p in [Protocols::OF10_STD, Protocols::OF11_STD, Protocols::OF13_OXM, Protocols::OF15_OXM] {
            bases.push(encode(&Message::GroupMod(gm.clone()), p, 1));
        }
    }
    for s in ["meter=1,kbps,burst,band=type=drop,rate=1,burst_size=2,type=dscp_remark,rate=3,burst_size=4,prec_level=5"] {
        for c in [MeterModCommand::Add, MeterModCommand::Delete] {
            let (mm, _) = parse_meter(s, MeterTextCommand::Mod(MeterModCommand::Add)).unwrap();
            let mm = openflow::msg::meter::MeterMod { command: c, ..mm };
            bases.push(encode(&Message::MeterMod(mm), Protocols::OF13_OXM, 1));
        }
    }
    let mut msgs = Vec::new();
    for b in &bases {
        let body_start = if b[1] == 4 { 16 } else { 8 };
        for pos in body_start..b.len().min(body_start + 64) {
            for f in [|_: u8| 0u8, |_| 0xff, |x: u8| x.wrapping_add(1)] {
                let mut m = b.clone();
                m[pos] = f(m[pos]);
                if m != *b {
                    msgs.push(m);
                }
            }
        }
    }
    let theirs = reference_texts(&msgs);
    let mut failures = Vec::new();
    for (m, t) in msgs.iter().zip(&theirs) {
        let ours = openflow::msg::format(m, 0);
        if ours != *t {
            failures.push(format!("{}\n--- ours\n{ours}--- reference\n{t}", hex(m)));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} differ:\n{}",
        failures.len(),
        msgs.len(),
        failures
            .iter()
            .take(400)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// Mutated multipart bodies: what we print (including decode errors) is
/// what the reference prints.
#[test]
fn mutated_multipart_bodies_match_reference() {
    let mut s = Vec::new();
    for v in Version::ALL {
        let mut ps = port_stats_for(v, port_stats(1, 10));
        ps.rx_packets = 7;
        s.push(rep_sample(
            "port stats",
            v,
            MultipartReply::new(MpReply::PortStats(vec![ps])),
        ));
        s.push(req_sample(
            "port stats",
            v,
            MultipartRequest::new(MpRequest::PortStats(PortNo(1))),
        ));
        s.push(req_sample(
            "queue",
            v,
            MultipartRequest::new(MpRequest::Queue(QueueStatsRequest {
                port: PortNo(1),
                queue_id: 2,
            })),
        ));
        let dur = if v >= Version::Of13 {
            (7, 5_000)
        } else {
            (u32::MAX, u32::MAX)
        };
        s.push(rep_sample(
            "queue",
            v,
            MultipartReply::new(MpReply::Queue(vec![QueueStats {
                port: PortNo(1),
                queue_id: 2,
                tx_bytes: 10,
                tx_packets: 20,
                tx_errors: 3,
                duration_sec: dur.0,
                duration_nsec: dur.1,
            }])),
        ));
    }
    for v in versions_with(MpKind::GroupDesc) {
        let of15 = v == Version::Of10 || v >= Version::Of15;
        let g = GroupDesc {
            group_type: GroupType::Select,
            group_id: 12,
            buckets: vec![bucket(
                if of15 { 4 } else { 0 },
                10,
                PortNo(1),
                GROUP_ANY,
                1,
            )],
            props: GroupProps::default(),
        };
        s.push(rep_sample(
            "group desc",
            v,
            MultipartReply::new(MpReply::GroupDesc(vec![g])),
        ));
        let st = GroupStats {
            group_id: 1,
            ref_count: 2,
            packet_count: 3,
            byte_count: 4,
            duration_sec: 1,
            duration_nsec: 2,
            bucket_stats: vec![(5, 6)],
        };
        let st = if v == Version::Of11 || v == Version::Of12 {
            GroupStats {
                duration_sec: u32::MAX,
                duration_nsec: u32::MAX,
                ..st
            }
        } else {
            st
        };
        s.push(rep_sample(
            "group stats",
            v,
            MultipartReply::new(MpReply::Group(vec![st])),
        ));
    }
    for v in versions_with(MpKind::Meter) {
        let drop = MeterBand {
            band_type: BandType::Drop,
            rate: 5,
            burst_size: 6,
            prec_level: 0,
        };
        s.push(rep_sample(
            "meter config",
            v,
            MultipartReply::new(MpReply::MeterConfig(vec![Meter {
                meter_id: 1,
                flags: MF_KBPS | MF_BURST,
                bands: vec![drop],
            }])),
        ));
        s.push(rep_sample(
            "meter stats",
            v,
            MultipartReply::new(MpReply::Meter(vec![MeterStats {
                meter_id: 1,
                bands: vec![BandStats::default()],
                ..MeterStats::default()
            }])),
        ));
        s.push(rep_sample(
            "meter features",
            v,
            MultipartReply::new(MpReply::MeterFeatures(MeterFeatures {
                max_meters: 1,
                band_types: 6,
                capabilities: 0xf,
                max_bands: 2,
                max_color: 0,
            })),
        ));
        s.push(rep_sample(
            "table features",
            v,
            MultipartReply::new(MpReply::TableFeatures(vec![table_features_sample(0, v)])),
        ));
    }
    for v in Version::ALL {
        use openflow::msg::multipart::flow::*;
        let f = flow_stats("in_port=1,tcp,tp_dst=80", "output:1", 1);
        s.push(rep_sample(
            "flow",
            v,
            MultipartReply::new(MpReply::Flow(vec![f.clone()])),
        ));
        let (filter, _) = openflow::flow_text::parse_flow_filter("in_port=1,tcp", None).unwrap();
        s.push(req_sample(
            "flow",
            v,
            MultipartRequest::new(MpRequest::Flow(FlowStatsRequest::from(filter))),
        ));
        s.push(rep_sample(
            "aggregate",
            v,
            MultipartReply::new(MpReply::Aggregate(AggregateStats {
                packet_count: 1,
                byte_count: 2,
                flow_count: 3,
            })),
        ));
        if v == Version::Of10 {
            s.push(rep_sample(
                "nx flow",
                v,
                MultipartReply::new(MpReply::NxFlow(vec![f])),
            ));
        }
        s.push(req_sample(
            "group",
            v,
            MultipartRequest::new(MpRequest::Meter(1)),
        ));
    }
    for v in [Version::Of14, Version::Of15] {
        let reqs = vec![FlowMonitorRequest {
            id: 1,
            flags: 0x1f,
            out_port: PortNo(3),
            out_group: 5,
            table_id: 1,
            command: FMC_ADD,
            flow_match: flow_match("ip"),
        }];
        s.push(req_sample(
            "monitor",
            v,
            MultipartRequest::new(MpRequest::FlowMonitor(reqs)),
        ));
        let up = FlowUpdate::Full(Box::new(FlowUpdateFull {
            event: FlowUpdateEvent::Added,
            reason: 0,
            table_id: 1,
            idle_timeout: 2,
            hard_timeout: 3,
            priority: 4,
            cookie: 5,
            flow_match: flow_match("ip"),
            actions: actions("output:1"),
        }));
        s.push(rep_sample(
            "monitor",
            v,
            MultipartReply::new(MpReply::FlowMonitor(vec![
                up,
                FlowUpdate::Abbrev { xid: 7 },
            ])),
        ));
        s.push(rep_sample(
            "table desc",
            v,
            MultipartReply::new(MpReply::TableDesc(vec![TableDesc {
                table_id: 1,
                eviction: true,
                vacancy_events: true,
                eviction_flags: Some(5),
                vacancy: Some(Vacancy {
                    down: 1,
                    up: 2,
                    vacancy: 3,
                }),
            }])),
        ));
        s.push(rep_sample(
            "queue desc",
            v,
            MultipartReply::new(MpReply::QueueDesc(vec![QueueDesc {
                port: PortNo(1),
                queue_id: 7,
                min_rate: 500,
                max_rate: 600,
            }])),
        ));
    }
    let failures = mutation_failures(&s);
    assert!(
        failures.is_empty(),
        "{} differ:\n{}",
        failures.len(),
        failures
            .iter()
            .take(400)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// OFPT_QUEUE_GET_CONFIG_REQUEST / _REPLY (OF1.0-1.3): our encoding printed
/// by the reference equals our printing; decoding gives back the value.
#[test]
fn queue_get_config_matches_reference() {
    let mut msgs = Vec::new();
    let mut ours = Vec::new();
    let mut xid = 0u32;
    for v in [Version::Of10, Version::Of11, Version::Of12, Version::Of13] {
        for port in [
            PortNo(1),
            PortNo(0),
            if v == Version::Of10 {
                PortNo(0xfeff)
            } else {
                PortNo::NONE
            },
        ] {
            xid += 1;
            let q = QueueGetConfigRequest { port };
            let mut m = Vec::new();
            let at = start(
                &mut m,
                v,
                OfpType::QueueGetConfigRequest.wire(v).unwrap(),
                xid,
            );
            q.encode(v, &mut m);
            finish(&mut m, at);
            let mut text = String::new();
            q.format(&mut text, None);
            ours.push(whole_text("OFPT_QUEUE_GET_CONFIG_REQUEST", v, xid, &text));
            assert_eq!(
                QueueGetConfigRequest::decode(v, &mut Reader::new(&m[8..])),
                Ok(q)
            );
            msgs.push(m);
        }
        let max = if v >= Version::Of12 { 700 } else { u16::MAX };
        for (port, queues) in [
            (
                PortNo(1),
                vec![(1, 500, max), (2, u16::MAX, u16::MAX), (3, 1001, u16::MAX)],
            ),
            (PortNo(0), vec![(0, 10, u16::MAX)]),
            (PortNo(7), vec![]),
        ] {
            xid += 1;
            let r = QueueGetConfigReply {
                port,
                queues: queues
                    .into_iter()
                    .map(|(q, min, max)| QueueDesc {
                        port,
                        queue_id: q,
                        min_rate: min,
                        max_rate: max,
                    })
                    .collect(),
            };
            let mut m = Vec::new();
            let at = start(
                &mut m,
                v,
                OfpType::QueueGetConfigReply.wire(v).unwrap(),
                xid,
            );
            r.encode(v, &mut m);
            finish(&mut m, at);
            let mut text = String::new();
            r.format(&mut text, None);
            ours.push(whole_text("OFPT_QUEUE_GET_CONFIG_REPLY", v, xid, &text));
            assert_eq!(
                QueueGetConfigReply::decode(v, &mut Reader::new(&m[8..])),
                Ok(r)
            );
            msgs.push(m);
        }
    }
    let theirs = reference_texts(&msgs);
    for ((o, t), m) in ours.iter().zip(&theirs).zip(&msgs) {
        assert_eq!(o, t, "{}", hex(m));
    }
    // Bad ports in requests are the reference's errors.
    let bad = |v: Version, body: &[u8]| QueueGetConfigRequest::decode(v, &mut Reader::new(body));
    assert_eq!(
        bad(Version::Of10, &[0xff, 0xfc, 0, 0]),
        Err(openflow::OfpError::QofcBadPort)
    );
    assert_eq!(
        bad(Version::Of13, &[0xff, 0xff, 0xff, 0xfe, 0, 0, 0, 0]),
        Err(openflow::OfpError::QofcBadPort)
    );
    assert!(bad(Version::Of13, &[0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]).is_ok());
}
