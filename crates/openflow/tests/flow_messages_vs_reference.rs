//! Packet-in, packet-out and flow-removed messages, and the packet
//! description ofp-print shows under them, against the real Open vSwitch
//! 3.1 (`/usr/bin/ovs-ofctl`):
//!
//! - flow removed in every protocol (OF1.0, NXT_FLOW_REMOVED, OF1.1,
//!   OF1.2-1.4, OF1.5 with OXS statistics), packet-in in every version and
//!   format (standard, NXT_PACKET_IN, NXT_PACKET_IN2 with userdata and
//!   continuations), packet-out in every version: the reference's
//!   `ofp-parse` text of our encoding equals our format and decoding gives
//!   the message back;
//! - `ovs-ofctl packet-out` arguments: the bytes the reference sends equal
//!   our parse + encode, in every version; its errors equal ours;
//! - the one-line packet description for a corpus of hand-made frames
//!   (every protocol the flow extraction knows, truncated and malformed
//!   headers) and thousands of random mutations of them;
//! - every truncation and many corruptions of each encoding: our decode
//!   fails exactly when the reference's does, and otherwise prints the same.
//!
//! Tests fail (they do not skip) when the reference is missing.

mod flow_support;

use flow_support::*;

use openflow::action;
use openflow::flow_match::Match;
use openflow::flow_text::KeyValues;
use openflow::msg::flow_removed::FlowRemoved;
use openflow::msg::packet::{
    packet_summary, parse_packet_out, Continuation, ContinuationProp, PacketIn, PacketInFormat,
};
use openflow::protocol::Protocols;
use openflow::Version;

const FRAMES: &[(&str, &str)] = &[
    ("tcp4", "5054000000050000000000020800450000280000000040060000c0a80001c0a8000204d20050000000000000000050120000abcd0000"),
    ("tcp4_short", "50540000000500000000000208004500001e0000000040060000c0a80001c0a8000204d20050000000000000"),
    ("udp4", "50540000000500000000000208004500001c0000000040110000c0a80001c0a80002003514e900081111"),
    ("sctp4", "5054000000050000000000020800450000200000000040840000c0a80001c0a80002000100020000000012345678"),
    ("icmp4", "505400000005000000000002080045b9001c0000000003010000c0a80001c0a800020800424200000000"),
    ("igmp", "50540000000500000000000208004500001c0000000040020000c0a80001c0a8000216001234e0000005"),
    ("frag_later", "5054000000050000000000020800450000280000001040060000c0a80001c0a8000204d20050000000000000000050120000abcd0000"),
    ("frag_first", "50540000000500000000000208004500001c0000200040110000c0a80001c0a80002003514e900081111"),
    ("ip_opts", "5054000000050000000000020800460000200000000040110000c0a80001c0a8000201010101003514e900081111"),
    ("ip_trunc", "50540000000500000000000208004500001c0000000040110000c0a800"),
    ("ip_badlen", "50540000000500000000000208004500001c0000000040110000c0a80001c0a80002003514e9"),
    ("ip_pad", "50540000000500000000000208004500001c0000000040110000c0a80001c0a80002003514e90008111100000000000000000000"),
    ("tcp6", "50540000000500000000000286dd6121234500140640200100000000000000000000000000012001000000000000000000000000000204d20050000000000000000050120000abcd0000"),
    ("udp6", "50540000000500000000000286dd60000000000811402001000000000000000000000000000120010000000000000000000000000002003514e900081111"),
    ("ns", "50540000000500000000000286dd6000000000203aff20010000000000000000000000000001200100000000000000000000000000028700777700000000fe8000000000000000000000000000090101001122334455"),
    ("na", "50540000000500000000000286dd6000000000203aff20010000000000000000000000000001200100000000000000000000000000028800777720000000fe8000000000000000000000000000090201001122334466"),
    ("echo6", "50540000000500000000000286dd6000000000083a4020010000000000000000000000000001200100000000000000000000000000028000555500000000"),
    ("frag6", "50540000000500000000000286dd6000000000102c4020010000000000000000000000000001200100000000000000000000000000021100000100000001003514e900081111"),
    ("frag6_later", "50540000000500000000000286dd6000000000102c4020010000000000000000000000000001200100000000000000000000000000021100000900000001003514e900081111"),
    ("hbh6", "50540000000500000000000286dd60000000001c00402001000000000000000000000000000120010000000000000000000000000002060001040000000004d20050000000000000000050120000abcd0000"),
    ("arp", "505400000005000000000002080600010800060400020011223344550a0000010011223344660a000002"),
    ("rarp", "505400000005000000000002803500010800060400020011223344550a0000010011223344660a000002"),
    ("arp_short", "505400000005000000000002080600010800060400020011223344550a0000010011"),
    ("vlan", "5054000000050000000000028100600508004500001c0000000040110000c0a80001c0a80002003514e900081111"),
    ("qinq", "50540000000500000000000288a820078100600508004500001c0000000040110000c0a80001c0a80002003514e900081111"),
    ("vlan3", "50540000000500000000000281002007810060058100000108004500001c0000000040110000c0a80001c0a80002003514e900081111"),
    ("vlan_trunc", "505400000005000000000002810060"),
    ("mpls", "5054000000050000000000028847000056400000613f4500001c0000000040110000c0a80001c0a80002003514e900081111"),
    ("mpls4", "505400000005000000000002884800000000000010010000200200003103"),
    ("llc", "50540000000500000000000200204242030000000000000000000000000000000000000000"),
    ("snap", "5054000000050000000000020020aaaa0300000008004500001c0000000040110000c0a80001c0a80002003514e900081111"),
    ("eth_only", "505400000005000000000002"),
    ("short", "50540000000500000000"),
    ("nsh", "505400000005000000000002894f0000000000000000"),
    ("ipv6_trunc", "50540000000500000000000286dd600000000008114020010000000000000000000000000001200100000000"),
    ("tcp_flags", "5054000000050000000000020800450000280000000040060000c0a80001c0a8000200010002000000000000000051ff000000010000"),
    ("tcp_badoff", "5054000000050000000000020800450000280000000040060000c0a80001c0a800020001000200000000000000004002000000010000"),
    ("tcpf_e00", "5054000000050000000000020800450000280000000040060000c0a80001c0a800020001000200000000000000005e00000000010000"),
    ("tcpf_201", "5054000000050000000000020800450000280000000040060000c0a80001c0a800020001000200000000000000005201000000010000"),
    ("v4compat", "50540000000500000000000286dd60000000000811400000000000000000000000000102030400000000000000000000ffff01020304003514e900081111"),
    ("nsh_md1", "505400000005000000000002894f0fc60103123456fe0000000100000002000000030000000408000000000000000000000000000000000000000000"),
    ("nsh_md2", "505400000005000000000002894f0fc20201123456fe0000000000000000"),
    ("ip_ver6", "50540000000500000000000208006500001c0000000040110000c0a80001c0a80002003514e900081111"),
    ("ip6_ver4", "50540000000500000000000286dd40000000000811402001000000000000000000000000000120010000000000000000000000000002003514e900081111"),
    ("icmp_short", "5054000000050000000000020800450000180000000040010000c0a80001c0a8000208001234"),
    ("udp_short", "5054000000050000000000020800450000170000000040110000c0a80001c0a80002003500"),
    ("ns_short", "50540000000500000000000286dd6000000000143aff20010000000000000000000000000001200100000000000000000000000000028700777700000000fe8000000000000000000000"),
    ("ns_noopt", "50540000000500000000000286dd6000000000183aff20010000000000000000000000000001200100000000000000000000000000028700777700000000fe800000000000000000000000000009"),
    ("ns_badopt", "50540000000500000000000286dd6000000000203aff20010000000000000000000000000001200100000000000000000000000000028700777700000000fe8000000000000000000000000000090100000000000000"),
    ("ns_code1", "50540000000500000000000286dd6000000000203aff20010000000000000000000000000001200100000000000000000000000000028701777700000000fe8000000000000000000000000000090101001122334455"),
    ("ns_two_sll", "50540000000500000000000286dd6000000000283aff20010000000000000000000000000001200100000000000000000000000000028700777700000000fe80000000000000000000000000000901010011223344550101001122334477"),
    ("ah6", "50540000000500000000000286dd6000000000203340200100000000000000000000000000012001000000000000000000000000000206010000000000000000000004d20050000000000000000050120000abcd0000"),
    ("esp6", "50540000000500000000000286dd6000000000103240200100000000000000000000000000012001000000000000000000000000000200000000000000000000000000000000"),
    ("hbh_trunc", "50540000000500000000000286dd60000000000300402001000000000000000000000000000120010000000000000000000000000002060001"),
    ("arp_op300", "5054000000050000000000020806000108000604012c0011223344550a0000010011223344660a000002"),
    ("arp_hrd6", "505400000005000000000002080600060800060400010011223344550a0000010011223344660a000002"),
    ("vlan_tpid_8100_pcp0", "50540000000500000000000281000000080600010800060400020011223344550a0000010011223344660a000002"),
    ("mpls_trunc", "50540000000500000000000288470000"),
    ("mpls_bos1", "5054000000050000000000028847000071094500001c0000000040110000c0a80001c0a80002003514e900081111"),
    ("vlan_llc", "505400000005000000000002810000050010aaaa0300000086dd60000000000811402001000000000000000000000000000120010000000000000000000000000002003514e900081111"),
    ("snap_short", "5054000000050000000000020005aaaa0300"),
    ("snap_oui", "5054000000050000000000020020aaaa0300000108004500001c0000000040110000c0a80001c0a80002003514e900081111"),
    ("snap_lowtype", "5054000000050000000000020020aaaa0300000001004500001c0000000040110000c0a80001c0a80002003514e900081111"),
    ("igmp6", "50540000000500000000000286dd6000000000080240200100000000000000000000000000012001000000000000000000000000000216001234e0000005"),
    ("ip_ihl4", "50540000000500000000000208004400001c0000000040110000c0a80001c0a80002003514e900081111"),
    ("tcp_opts", "50540000000500000000000208004500002c0000000040060000c0a80001c0a80002000100020000000000000000601000000001000001010101"),
    ("tcp_off_big", "5054000000050000000000020800450000280000000040060000c0a80001c0a80002000100020000000000000000f010000000010000"),
    ("sctp6", "50540000000500000000000286dd60000000000c84402001000000000000000000000000000120010000000000000000000000000002000100020000000012345678"),
    ("frag6_first_m", "50540000000500000000000286dd60000000001c2c402001000000000000000000000000000120010000000000000000000000000002060000010000000104d20050000000000000000050120000abcd0000"),
    ("frag6_zero", "50540000000500000000000286dd60000000001c2c402001000000000000000000000000000120010000000000000000000000000002060000000000000104d20050000000000000000050120000abcd0000"),
];

/// Deterministic pseudo-random numbers (splitmix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn frames() -> Vec<(&'static str, Vec<u8>)> {
    FRAMES.iter().map(|(n, h)| (*n, unhex(h))).collect()
}

/// A match from ovs-ofctl text ("in_port=1,reg0=5").
fn metadata(s: &str) -> Match {
    let mut m = Match::default();
    for (k, v) in KeyValues::new(s) {
        let v = (!v.is_empty()).then_some(v);
        assert!(m.parse_item(k, v, None).unwrap(), "{k}");
    }
    m
}

/// A match as the protocol's codec returns it.
fn via_wire(m: &Match, v: Version, nxm: bool) -> Match {
    use openflow::buf::Reader;
    let mut b = Vec::new();
    if nxm {
        let n = m.encode_nxm(&mut b);
        Match::decode_nxm(&mut Reader::new(&b), n).unwrap()
    } else {
        match v {
            Version::Of10 => {
                m.encode_of10(&mut b).unwrap();
                Match::decode_of10(&mut Reader::new(&b)).unwrap()
            }
            Version::Of11 => {
                m.encode_of11(&mut b).unwrap();
                Match::decode_of11(&mut Reader::new(&b)).unwrap()
            }
            _ => {
                m.encode_oxm_match(v, &mut b).unwrap();
                Match::decode_oxm_match(v, &mut Reader::new(&b)).unwrap()
            }
        }
    }
}

/// Compares our text of each message with the reference's, and collects
/// differences.
fn compare_texts(msgs: &[(String, Vec<u8>)], failures: &mut Vec<String>) {
    let bytes: Vec<Vec<u8>> = msgs.iter().map(|(_, m)| m.clone()).collect();
    let texts = reference_texts(&bytes);
    for ((what, m), reference) in msgs.iter().zip(&texts) {
        let ours = our_text(m, 2);
        // Both refusing a message is agreement (the callers check our
        // decode result itself).
        let both_fail = ours.is_none() && reference.contains("***decode error");
        if !both_fail && ours.as_deref() != Some(reference.as_str()) {
            failures.push(format!(
                "{what} {}:\n  ours      {ours:?}\n  reference {reference:?}",
                hex(m)
            ));
        }
    }
}

/// Truncations (length patched) and byte corruptions of `msgs`: where the
/// reference fails to decode we fail too; where it decodes, we print what
/// it prints. `fixed` gives the byte range of a message's own fields.
fn compare_damaged(
    msgs: &[Vec<u8>],
    fixed: impl Fn(&[u8]) -> std::ops::Range<usize>,
    failures: &mut Vec<String>,
) {
    let mut cases = Vec::new();
    for m in msgs {
        for n in 8..m.len() {
            let mut t = m[..n].to_vec();
            fix_len(&mut t);
            cases.push(t);
        }
        for at in fixed(m) {
            if at >= m.len() {
                break;
            }
            for v in [0x00u8, 0xff, 0x01, 0x80, 0x07] {
                let mut c = m.clone();
                if c[at] != v {
                    c[at] = v;
                    cases.push(c);
                }
            }
        }
    }
    let texts = reference_texts(&cases);
    for (c, reference) in cases.iter().zip(&texts) {
        let theirs_ok = !reference.contains("decode error");
        match decode_flow_msg(c).map(|(_, r)| r) {
            Some(Ok(_)) if theirs_ok => {
                let text = our_text(c, 2);
                if text.as_deref() != Some(reference.as_str()) {
                    failures.push(format!(
                        "{}: ours {text:?}\n  reference {reference:?}",
                        hex(c)
                    ));
                }
            }
            Some(Err(e)) if !theirs_ok => {
                if !reference.contains(&format!("decode error: {e}***")) {
                    failures.push(format!("{}: our error {e}, reference {reference}", hex(c)));
                }
            }
            None if !theirs_ok => {}
            ours => failures.push(format!("{}: ours {ours:?}, reference {reference}", hex(c))),
        }
    }
}

fn all_protocols() -> Vec<Protocols> {
    vec![
        Protocols::OF10_STD,
        Protocols::OF10_NXM,
        Protocols::OF11_STD,
        Protocols::OF12_OXM,
        Protocols::OF13_OXM,
        Protocols::OF14_OXM,
        Protocols::OF15_OXM,
    ]
}

fn sample_flow_removed() -> Vec<FlowRemoved> {
    let mut out = Vec::new();
    let matches = [
        "",
        "in_port=1",
        "tcp,nw_src=10.0.0.1,tp_dst=80",
        "udp,dl_vlan=5,tp_src=53",
    ];
    let mut rng = Rng(7);
    for (i, m) in matches.iter().enumerate() {
        for reason in [0u8, 1, 2, 3, 4, 5, 6, 200] {
            let nsec = [0u32, 500_000_000, 6, 100_000, 123_456_789][rng.below(5)];
            out.push(FlowRemoved {
                flow_match: metadata(m),
                cookie: [0, 1, u64::MAX, 0xabcdef][i],
                priority: [0x8000, 5, 0, 0xffff][rng.below(4)],
                reason,
                table_id: [0, 3, 254][rng.below(3)],
                duration_sec: rng.next() as u32 % 100_000,
                duration_nsec: nsec,
                idle_timeout: rng.next() as u16,
                hard_timeout: [0, 20][rng.below(2)],
                packet_count: [0, 3, u64::MAX][rng.below(3)],
                byte_count: [0, 64, 1 << 40][rng.below(3)],
            });
        }
    }
    out
}

/// What decoding `fr` encoded in `p` gives back.
fn canonical_fr(fr: &FlowRemoved, p: Protocols) -> FlowRemoved {
    let v = p.version().unwrap();
    let nxm = p == Protocols::OF10_NXM;
    let mut c = fr.clone();
    c.flow_match = via_wire(&c.flow_match, v, nxm);
    if v == Version::Of10 {
        c.hard_timeout = 0;
        if !nxm {
            c.table_id = 255;
        }
    }
    c
}

#[test]
fn flow_removed_matches_reference() {
    require_ofctl();
    let mut failures = Vec::new();
    let mut msgs = Vec::new();
    for fr in sample_flow_removed() {
        for p in all_protocols() {
            let mut m = Vec::new();
            fr.encode(p, 9, &mut m);
            let back = decode_flow_msg(&m).map(|(_, r)| r);
            let want = canonical_fr(&fr, p);
            match back {
                Some(Ok(FlowMsg::FlowRemoved(b))) if b == want => {}
                other => failures.push(format!("{} {fr:?}: decoded {other:?}", p.to_names())),
            }
            msgs.push((p.to_names(), m));
        }
    }
    compare_texts(&msgs, &mut failures);
    let raw: Vec<Vec<u8>> = msgs.iter().step_by(9).map(|(_, m)| m.clone()).collect();
    compare_damaged(
        &raw,
        |m| match (m[0], m[1]) {
            (_, 4) => 16..56,
            (1, _) => 48..88,
            (6, _) => 8..24,
            _ => 8..48,
        },
        &mut failures,
    );
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

fn sample_packet_ins() -> Vec<PacketIn> {
    let frames = frames();
    let metas = [
        "in_port=1",
        "in_port=LOCAL,reg0=5",
        "in_port=3,tun_id=0x10,metadata=0x20",
        "in_port=65279,reg3=0xffffffff,pkt_mark=7",
    ];
    let conts = [
        None,
        Some(Continuation {
            props: vec![
                ContinuationProp::Bridge(
                    *b"\x01\x23\x45\x67\x89\xab\xcd\xef\x01\x23\x45\x67\x89\xab\xcd\xef",
                ),
                ContinuationProp::Stack(vec![1, 2]),
                ContinuationProp::Stack(vec![0, 0, 0, 5]),
                ContinuationProp::Mirrors(5),
                ContinuationProp::Conntracked,
                ContinuationProp::TableId(7),
                ContinuationProp::Cookie(0x11),
                ContinuationProp::Actions(
                    action::parse_actions("output:1,output:2", None).unwrap(),
                ),
                ContinuationProp::TableId(8),
                ContinuationProp::Actions(Vec::new()),
                ContinuationProp::ActionSet(action::parse_actions("output:3", None).unwrap()),
                ContinuationProp::OdpPort(9),
            ],
        }),
        Some(Continuation {
            props: vec![ContinuationProp::Mirrors(0), ContinuationProp::OdpPort(0)],
        }),
    ];
    let mut rng = Rng(11);
    let mut out = Vec::new();
    for (i, (_, frame)) in frames.iter().enumerate().step_by(3) {
        let len = frame.len() as u32;
        out.push(PacketIn {
            packet: frame.clone(),
            total_len: [len, len + 100, len.saturating_sub(1)][rng.below(3)],
            buffer_id: [u32::MAX, 7][rng.below(2)],
            reason: (i % 9) as u8,
            table_id: [0, 3][rng.below(2)],
            cookie: [u64::MAX, 0, 0x1234][rng.below(3)],
            flow_metadata: metadata(metas[rng.below(metas.len())]),
            userdata: [vec![], vec![0x61, 0x62, 0x63]][rng.below(2)].clone(),
            continuation: conts[rng.below(conts.len())].clone(),
        });
    }
    out
}

/// What decoding `pin` sent as `format` in version `v` gives back.
fn canonical_pin(pin: &PacketIn, v: Version, format: PacketInFormat) -> PacketIn {
    let mut c = pin.clone();
    match format {
        PacketInFormat::Nxt2 => c.flow_metadata = via_wire(&c.flow_metadata, v, true),
        PacketInFormat::Nxt => {
            c.flow_metadata = via_wire(&c.flow_metadata, v, true);
            c.total_len &= 0xffff;
            c.userdata.clear();
            c.continuation = None;
        }
        PacketInFormat::Standard => {
            c.total_len &= 0xffff;
            c.userdata.clear();
            c.continuation = None;
            if v <= Version::Of11 {
                let in_port = c.flow_metadata.get(openflow::field::FieldId::IN_PORT);
                c.flow_metadata = Match::default();
                if let Some((val, mask)) = in_port {
                    c.flow_metadata
                        .set(openflow::field::FieldId::IN_PORT, &val, &mask);
                }
            } else {
                c.flow_metadata = via_wire(&c.flow_metadata, v, false);
            }
            if v == Version::Of10 {
                c.table_id = 0;
            }
            if v < Version::Of13 {
                c.cookie = u64::MAX;
            }
        }
    }
    c
}

#[test]
fn packet_ins_match_reference() {
    require_ofctl();
    let mut failures = Vec::new();
    let mut msgs = Vec::new();
    for pin in sample_packet_ins() {
        for v in Version::ALL {
            for format in [
                PacketInFormat::Standard,
                PacketInFormat::Nxt,
                PacketInFormat::Nxt2,
            ] {
                let mut m = Vec::new();
                pin.encode(v, format, 5, &mut m);
                let want = canonical_pin(&pin, v, format);
                // NXT_PACKET_IN2 cannot say the packet is longer than it is.
                let bad_full_len =
                    format == PacketInFormat::Nxt2 && (pin.total_len as usize) < pin.packet.len();
                match decode_flow_msg(&m).map(|(_, r)| r) {
                    Some(Err(openflow::OfpError::BrcBadLen)) if bad_full_len => {}
                    Some(Ok(FlowMsg::PacketIn(b))) if b == want && !bad_full_len => {}
                    other => failures.push(format!(
                        "{v:?} {format:?}: decoded {other:?}\n  want {want:?}"
                    )),
                }
                msgs.push((format!("{v:?} {format:?}"), m));
            }
        }
    }
    // NXT_RESUME carries the same properties.
    for pin in sample_packet_ins().iter().take(8) {
        if (pin.total_len as usize) < pin.packet.len() {
            continue;
        }
        let mut m = Vec::new();
        pin.encode_resume(Version::Of13, 6, &mut m);
        msgs.push(("NXT_RESUME".to_string(), m));
    }
    compare_texts(&msgs, &mut failures);
    // Verbosity 0 (no packet line) and 3 (with the packet's hex dump).
    for (what, m) in msgs.iter().step_by(17) {
        for verbosity in [0u32, 3] {
            let o = ofctl(&["ofp-print", &hex(m), &verbosity.to_string()]);
            let reference = String::from_utf8_lossy(&o.stdout);
            let ours = our_text(m, verbosity);
            let both_fail = ours.is_none() && reference.contains("***decode error");
            if !both_fail && ours.as_deref() != Some(&*reference) {
                failures.push(format!("{what} verbosity {verbosity}:\n  ours      {ours:?}\n  reference {reference:?}"));
            }
        }
    }
    let raw: Vec<Vec<u8>> = msgs.iter().step_by(7).map(|(_, m)| m.clone()).collect();
    compare_damaged(
        &raw,
        |m| match (m[0], m[1]) {
            (_, 4) => 16..48,
            (1, _) => 8..18,
            (2, _) => 8..24,
            _ => 8..32,
        },
        &mut failures,
    );
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The packet description alone, through OF1.0 packet-ins.
fn summary_cases(frames: &[Vec<u8>], failures: &mut Vec<String>) {
    let msgs: Vec<(String, Vec<u8>)> = frames
        .iter()
        .map(|f| {
            let pin = PacketIn {
                packet: f.clone(),
                total_len: f.len() as u32,
                buffer_id: u32::MAX,
                reason: 0,
                table_id: 0,
                cookie: u64::MAX,
                flow_metadata: metadata("in_port=1"),
                userdata: Vec::new(),
                continuation: None,
            };
            let mut m = Vec::new();
            pin.encode(Version::Of10, PacketInFormat::Standard, 1, &mut m);
            (hex(f), m)
        })
        .collect();
    let bytes: Vec<Vec<u8>> = msgs.iter().map(|(_, m)| m.clone()).collect();
    let texts = reference_texts(&bytes);
    for ((what, _), reference) in msgs.iter().zip(&texts) {
        let line = reference.lines().nth(1).unwrap_or_default();
        let ours = packet_summary(&unhex(what));
        if ours != line {
            failures.push(format!("{what}:\n  ours      {ours}\n  reference {line}"));
        }
    }
}

#[test]
fn packet_descriptions_match_reference() {
    require_ofctl();
    let mut failures = Vec::new();
    let corpus: Vec<Vec<u8>> = frames().into_iter().map(|(_, f)| f).collect();
    summary_cases(&corpus, &mut failures);
    // Random damage: truncations, byte flips, and bytes set to protocol
    // numbers that steer the parser elsewhere.
    let mut rng = Rng(3);
    let mut mutated = Vec::new();
    let interesting = [
        0x00u8, 0xff, 0x06, 0x11, 0x3a, 0x2c, 0x81, 0x88, 0x86, 0x08, 0x45, 0x87, 0x88,
    ];
    for _ in 0..3000 {
        let mut f = corpus[rng.below(corpus.len())].clone();
        for _ in 0..1 + rng.below(3) {
            match rng.below(3) {
                0 if !f.is_empty() => f.truncate(rng.below(f.len())),
                1 if !f.is_empty() => {
                    let at = rng.below(f.len());
                    f[at] = interesting[rng.below(interesting.len())];
                }
                _ if !f.is_empty() => {
                    let at = rng.below(f.len());
                    f[at] ^= 1 << rng.below(8);
                }
                _ => {}
            }
        }
        mutated.push(f);
    }
    summary_cases(&mutated, &mut failures);
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

const PACKET_OUTS: &[&str] = &[
    "in_port=1 packet=505400000005000000000002080045000014000000004006f96ec0a80001c0a80002 actions=output:2,controller",
    "in_port=LOCAL,packet=505400000005000000000002080045000014000000004006f96ec0a80001c0a80002,actions=drop",
    "packet=5054000000050000000000020800 actions=output:3",
    "in_port=1 packet=50540000000500000000000208004500",
    "in_port=1,metadata=5,packet=5054000000050000000000020800,actions=output:1",
    "in_port=7,reg0=5,packet=5054000000050000000000020800,actions=mod_dl_src:00:00:00:00:00:01,output:1",
    "in_port=none packet=5054000000050000000000020806 actions=output:1,output:2,output:3",
    "in_port=65279 packet=5054000000050000000000020806 actions=NORMAL",
    "in_port=1 packet=5054000000050000000000020800 actions",
];

const BAD_PACKET_OUTS: &[&str] = &[
    "in_port=1 actions=drop",
    "in_port=1 packet=50540000000500000000000208 actions=drop",
    "in_port=1 packet= actions=drop",
    "in_port=1 actions=drop packet=5054000000050000000000020800",
    "in_port=CONTROLLER packet=5054 0000000500000000000208 actions=drop",
    "in_port=1,packet=zz,actions=drop",
    "in_port=1,packet=123,actions=drop",
    "in_port=1,tcp,packet=5054000000050000000000020800,actions=drop",
    "in_port=1,foo=1,packet=5054000000050000000000020800,actions=drop",
    "in_port=1,buffer_id=5,packet=5054000000050000000000020800,actions=drop",
    "in_port=bad,packet=5054000000050000000000020800,actions=drop",
];

#[test]
fn packet_outs_match_reference() {
    require_ofctl();
    let mut failures = Vec::new();
    let mut msgs = Vec::new();
    for s in PACKET_OUTS {
        let (po, usable) = parse_packet_out(s, None).unwrap();
        for v in Version::ALL {
            let p = Protocols::of_version(v);
            if !usable.intersects(p) {
                continue;
            }
            let got = capture(v, &["--no-names", "-O", v.name(), "packet-out", "SOCK", s]);
            let theirs: Vec<Vec<u8>> = match got {
                Ok(g) => g.into_iter().filter(|m| m[1] == 13).collect(),
                Err(e) => {
                    failures.push(format!("{s} {v:?}: reference failed: {e}"));
                    continue;
                }
            };
            let Some(t) = theirs.first() else {
                failures.push(format!("{s} {v:?}: reference sent no packet-out"));
                continue;
            };
            let xid = u32::from_be_bytes([t[4], t[5], t[6], t[7]]);
            let mut ours = Vec::new();
            po.encode(v, xid, &mut ours);
            if ours != *t {
                failures.push(format!(
                    "{s} {v:?}: bytes\n  ours   {}\n  theirs {}",
                    hex(&ours),
                    hex(t)
                ));
            }
            match decode_flow_msg(&ours).map(|(_, r)| r) {
                Some(Ok(FlowMsg::PacketOut(b))) => {
                    let mut again = Vec::new();
                    b.encode(v, xid, &mut again);
                    if again != ours {
                        failures.push(format!("{s} {v:?}: re-encoding differs"));
                    }
                }
                other => failures.push(format!("{s} {v:?}: decoded {other:?}")),
            }
            msgs.push((format!("{s} {v:?}"), ours));
            msgs.push((format!("{s} {v:?} (reference bytes)"), t.clone()));
        }
    }
    compare_texts(&msgs, &mut failures);
    for s in BAD_PACKET_OUTS {
        let ours = parse_packet_out(s, None).map(|_| ()).unwrap_err();
        let o = ofctl(&["--no-names", "packet-out", "unix:/nonexistent-oxvs", s]);
        let theirs = error_message(&String::from_utf8_lossy(&o.stderr));
        if ours != theirs {
            failures.push(format!("{s}: ours {ours:?}, reference {theirs:?}"));
        }
    }
    let raw: Vec<Vec<u8>> = msgs.iter().step_by(2).map(|(_, m)| m.clone()).collect();
    compare_damaged(
        &raw,
        |m| match m[0] {
            1 => 8..16,
            6 => 8..16,
            _ => 8..24,
        },
        &mut failures,
    );
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn packet_out_decodes_buffered_and_rejects_bad_ports() {
    // A buffered packet-out prints its buffer, not the data.
    let (mut po, _) = parse_packet_out(
        "in_port=1 packet=5054000000050000000000020800 actions=output:2",
        None,
    )
    .unwrap();
    po.buffer_id = 7;
    for v in Version::ALL {
        let mut m = Vec::new();
        po.encode(v, 1, &mut m);
        let text = our_text(&m, 2).unwrap();
        assert!(text.ends_with(" buffer=0x00000007\n"), "{text}");
        let o = ofctl(&["ofp-print", &hex(&m)]);
        assert_eq!(text, String::from_utf8_lossy(&o.stdout));
    }
}
