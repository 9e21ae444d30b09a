//! C2's Nicira-extension actions (learn, ct/nat/ct_clear, multipath,
//! bundle/bundle_load, sample, check_pkt_larger) against the real Open
//! vSwitch 3.1 `ovs-ofctl`, which must be installed: these tests fail, not
//! skip, without it.
//!
//! For each action string the reference's own output is the expectation:
//! - our parse then format equals what `ovs-ofctl parse-flow` prints;
//! - our encoding equals the bytes the reference encodes (OF1.0/NXM and
//!   OF1.3), and the reference decodes our bytes (`parse-actions`) to the
//!   same text;
//! - decode(encode(x)) == x;
//! - parse errors carry the reference's message;
//! - corrupted encodings are accepted or refused exactly as the reference
//!   does (same printed text, or same error name), and never panic.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use openflow::action::{decode_actions, encode_actions, format_actions, parse_actions, Action};
use openflow::buf::Reader;
use openflow::flow_match::Match;
use openflow::Version;

const OFCTL: &str = "/usr/bin/ovs-ofctl";

/// (match prefix, action list): the match satisfies the actions' prerequisites.
const CORPUS: &[(&str, &str)] = &[
    ("", "learn(table=1,NXM_OF_VLAN_TCI[0..11],NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[],output:NXM_OF_IN_PORT[])"),
    ("", "learn(table=2,priority=10,idle_timeout=10,hard_timeout=20,fin_idle_timeout=3,fin_hard_timeout=4,cookie=0x123,send_flow_rem,delete_learned,limit=5,result_dst=reg0[5],eth_type=0x800,ip_src=10.0.0.1,load:reg1[0..3]->reg2[4..7],load:0x5->reg3[])"),
    ("", "learn(limit=5)"),
    ("", "learn()"),
    ("", "learn(table=1,dl_type=0x800,nw_proto=6,tcp_dst=80,in_port=5,vlan_tci[0..11]=3)"),
    ("", "learn(eth_dst=eth_src)"),
    ("", "learn(eth_dst)"),
    ("", "learn(eth_dst[0..15]=eth_src[16..31])"),
    ("", "learn(eth_dst=01:02:03:04:05:06)"),
    ("", "learn(eth_dst[0..15]=0x1234)"),
    ("ipv6,", "learn(eth_type=0x86dd,ipv6_src=::1)"),
    ("ipv6,", "learn(eth_type=0x86dd,ipv6_src[0..79]=0x1)"),
    ("ipv6,", "learn(eth_type=0x86dd,ipv6_src=ipv6_dst)"),
    ("", "learn(load:0x5->reg0[0..3])"),
    ("", "learn(load:reg1->reg0)"),
    ("", "learn(reg0=0x1ff)"),
    ("", "learn(output:reg0[0..15])"),
    ("", "learn(xreg0=xreg1,load:0->reg0,load:0->xreg2[0..3],output:xreg3[0..15],eth_src[0..7]=0)"),
    ("", "learn(tun_metadata3=tun_metadata4)"),
    ("", "learn(pkt_mark=0x5)"),
    ("", "learn(in_port=LOCAL)"),
    ("", "learn(in_port_oxm=LOCAL)"),
    ("", "learn(tun_ipv6_src=::1)"),
    ("", "learn(result_dst=reg0[3])"),
    ("", "learn(limit=0,result_dst=xreg1[3],delete_learned,send_flow_rem,eth_dst)"),
    ("", "learn(table=254,priority=0,cookie=0xffffffffffffffff,idle_timeout=65535)"),
    ("", "learn(xxreg0=0x1234567890abcdef1234567890abcdef)"),
    ("", "learn(reg0[0..3]=010,load:010->reg1)"),
    ("", "learn(priority=99999999999,cookie=-1,limit=-1)"),
    ("", "learn(load:0x->reg0)"),
    ("tcp,", "learn(dl_type=0x800,nw_proto=6,tcp_dst=tcp_src,ip_dst=ip_src,fin_idle_timeout=5)"),
    ("tcp,", "ct(commit,zone=5,table=3,alg=ftp,exec(set_field:1->ct_mark),nat(src=10.0.0.1-10.0.0.5:100-200,persistent,random))"),
    ("ip,", "ct()"),
    ("ip,", "ct"),
    ("ip,", "ct(nat)"),
    ("udp,", "ct(zone=reg0[0..15],force,commit,alg=tftp)"),
    ("tcp6,", "ct(commit,nat(dst=[fe80::1]-[fe80::2]:80,hash),exec(load:1->NXM_NX_CT_LABEL[0..63]))"),
    ("tcp,", "ct(commit,force,table=3,zone=reg0[0..15],nat(src=1.2.3.4),exec(set_field:1->ct_mark),alg=ftp)"),
    ("tcp,", "ct(commit,nat,exec(set_field:1->ct_mark,nat(src=1.2.3.4)))"),
    ("tcp,", "ct(nat,nat)"),
    ("tcp,", "ct(commit,nat,nat)"),
    ("tcp,", "ct(commit,exec(nat(src=1.2.3.4)))"),
    ("ip,", "ct(commit,exec(set_field:1->ct_mark),exec(set_field:2->ct_mark))"),
    ("ip,", "ct(zone=NXM_NX_CT_ZONE[])"),
    ("ip,", "ct(zone=0)"),
    ("ip,", "ct(table=0)"),
    ("ip,", "ct(table=010)"),
    ("ip,", "ct(zone=0x10)"),
    ("ip,", "ct(commit,force)"),
    ("ipv6,", "ct(commit,nat(src=fe80::1))"),
    ("ipv6,", "ct(commit,nat(src=fe80::1-fe80::5))"),
    ("ipv6,", "ct(commit,nat(src=[fe80::1]:5))"),
    ("ip,", "ct(commit,nat(src=1.2.3.4:5-6,random,persistent))"),
    ("ip,", "ct(commit,nat(src=1.2.3.4:5-5))"),
    ("ip,", "ct(commit,nat(src=1.2.3.4,persistent,hash))"),
    ("ip,", "ct(commit,nat(dst=1.2.3.4))"),
    ("ip,", "ct(commit,nat(src=1.2.3.4:65536))"),
    ("ip,", "ct(commit,nat(src=1.2.3))"),
    ("ip,", "ct(commit,nat(dst=1.2.3.4-1.2.3.4))"),
    ("ip,", "ct(commit,exec(move:reg0->ct_mark))"),
    ("ip,", "ct(commit,exec(set_field:1->ct_label))"),
    ("ip,", "ct(commit,exec(drop))"),
    ("ip,", "ct(zone=tun_erspan_idx[0..15])"),
    ("", "ct_clear"),
    ("ip,", "ct_clear,ct(commit),ct_clear"),
    ("", "multipath(eth_src,50,modulo_n,1,0,NXM_NX_REG0[])"),
    ("", "multipath(symmetric_l4,1024,iter_hash,5000,5050,reg0[0..12])"),
    ("", "multipath(symmetric_l3l4+udp,0,hrw,2,0,reg1[0..1])"),
    ("", "multipath(nw_src,0,hash_threshold,2,0,reg1[0..1])"),
    ("", "multipath(symmetric_l3,0,hash_threshold,2,0,reg1[0..1])"),
    ("", "multipath(nw_dst,0,hash_threshold,2,0,reg1[0..1])"),
    ("", "multipath(symmetric_l3l4,0,hash_threshold,2,0,reg1[0..1])"),
    ("", "multipath(eth_src,x,modulo_n,5,0,reg0[])"),
    ("", "multipath(eth_src,70000,modulo_n,5,-1,reg0[])"),
    ("", "multipath(eth_src,5,modulo_n,5,0,reg0[],7)"),
    ("", "multipath( eth_src , 5 ,modulo_n,5,0,reg0[])"),
    ("", "multipath(eth_src,0x10,modulo_n,5,010,reg0[])"),
    ("", "multipath(eth_src,50,modulo_n,65536,0,reg0)"),
    ("", "multipath(eth_src,50,modulo_n,1,0,xxreg0[0..63])"),
    ("", "bundle(eth_src,0,hrw,ofport,members:4,8)"),
    ("", "bundle(symmetric_l4,60,active_backup,ofport,slaves:1,2,3)"),
    ("", "bundle_load(symmetric_l3l4+udp,1,hrw,ofport,reg0[0..15],members:4,8,9,LOCAL)"),
    ("", "bundle(nw_src,0,hrw,ofport,members:)"),
    ("", "bundle(nw_dst,0,hrw,ofport,members:1)"),
    ("", "bundle(symmetric_l3l4,0,hrw,ofport,members:1)"),
    ("", "bundle(symmetric_l3,0,hrw,ofport,members:1)"),
    ("", "bundle(eth_src,0,hrw,ofport,members:1,in_port,65535,4294967288)"),
    ("", "bundle(eth_src,0,hrw,ofport members 1 2)"),
    ("", "bundle(eth_src,-1,hrw,ofport,members:1,,2)"),
    ("", "bundle(eth_src,0,hrw,ofport,members:1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32)"),
    ("", "bundle_load(eth_src,0,hrw,ofport,xxreg3[64..127],members:local)"),
    ("", "sample(probability=12345,collector_set_id=23456,obs_domain_id=34567,obs_point_id=45678)"),
    ("", "sample(probability=12345,collector_set_id=23456,obs_domain_id=34567,obs_point_id=45678,sampling_port=56789)"),
    ("", "sample(probability=12345,collector_set_id=23456,obs_domain_id=34567,obs_point_id=45678,sampling_port=LOCAL,ingress)"),
    ("", "sample(probability=1,egress)"),
    ("", "sample(probability=1,sampling_port=65535)"),
    ("", "sample(probability=1,ingress,egress)"),
    ("", "sample(probability=1,collector_set_id=4294967296)"),
    ("", "sample(probability=0x10,collector_set_id=-1,obs_domain_id=010)"),
    ("", "sample(probability=1,sampling_port=4294967287)"),
    ("", "sample(probability=65535,sampling_port=65280)"),
    ("", "check_pkt_larger(1500)->reg0[0]"),
    ("", "check_pkt_larger(8000)->NXM_NX_REG9[10]"),
    ("", "check_pkt_larger(0x10)->reg0[0]"),
    ("", "check_pkt_larger(1500)->in_port[0]"),
    ("", "check_pkt_larger(1500)->xreg0[3]"),
    ("", "check_pkt_larger(1500)->tun_metadata1[3]"),
    ("", "check_pkt_larger(1500->reg0[0])"),
    ("", "check_pkt_larger:1500->reg0[0]"),
    ("", "check_pkt_larger(1500)->eth_src[0]"),
    ("", "check_pkt_larger(1500)->tun_erspan_idx[0]"),
    ("ipv6,", "ct(commit,nat(src=::1:1-::ffff:1.2.3.4))"),
    ("ipv6,", "ct(commit,nat(dst=[::0.1.0.1]:80-90,persistent))"),
    ("", "bundle(eth_src,0,hrw,ofport,members:[1,2],[3])"),
    ("udp,", "learn(table=1,eth_type=0x800,nw_proto=17,udp_dst=53,ip_src=ip_dst,load:NXM_NX_REG0[]->NXM_NX_REG1[],output:NXM_OF_IN_PORT[])"),
    ("", "sample(probability=100,collector_set_id=1,obs_domain_id=2,obs_point_id=3,sampling_port=CONTROLLER,egress)"),
    ("", "multipath(ETH_SRC,50,MODULO_N,1,0,reg0)"),
    ("", "bundle(eth_src,0,HRW,OFPORT,MEMBERS:1)"),
    ("ip,", "ct(commit,exec(NAT(src=1.2.3.4)))"),
];

/// Action lists the reference refuses while parsing (not at check time).
const PARSE_ERRORS: &[&str] = &[
    "multipath(eth_src,50,modulo_n,1,0)",
    "multipath(foo,50,modulo_n,1,0,reg0[])",
    "multipath(eth_src,50,foo,1,0,reg0[])",
    "multipath(eth_src,50,modulo_n,0,0,reg0[])",
    "multipath(eth_src,50,modulo_n,65537,0,reg0[])",
    "multipath(eth_src,50,modulo_n,5,0,reg0[0..1])",
    "multipath(eth_src,5,modulo_n,5,0,foo)",
    "multipath(eth_src,50,modulo_n,1,0,tun_erspan_idx)",
    "bundle(eth_src,0,hrw,ofport)",
    "bundle(eth_src,0,hrw,ofport,foo:1)",
    "bundle(eth_src,0,hrw,foo,members:1)",
    "bundle(eth_src,0,foo,ofport,members:1)",
    "bundle(foo,0,hrw,ofport,members:1)",
    "bundle(eth_src,0,hrw,ofport,members:1,foo)",
    "bundle(eth_src,0,hrw,ofport,members:65536)",
    "bundle(eth_src,0,hrw,ofport,members:0x10)",
    "bundle_load(eth_src,0,hrw,ofport,foo,members:1)",
    "bundle_load(eth_src,0,hrw,ofport,reg0[])",
    "bundle(eth_src,0,hrw,ofport:members:1)",
    "sample(collector_set_id=1)",
    "sample(probability=0)",
    "sample(probability=65536)",
    "sample(probability=1,foo=2)",
    "sample(probability=1,obs_point_id)",
    "sample(probability=1,sampling_port=foo)",
    "sample(probability=1,collector_set_id=1x)",
    "check_pkt_larger(1500)->reg0[0..1]",
    "check_pkt_larger(1500)",
    "check_pkt_larger(x)->reg0[0]",
    "check_pkt_larger(70000)->reg0[0]",
    "check_pkt_larger(1500)x->reg0[0]",
    "ct(commit,exec(output:1))",
    "ct(commit,exec(set_field:1->reg0))",
    "ct(commit,exec(resubmit(,1)))",
    "ct(commit,exec(mod_vlan_vid:1))",
    "ct(commit,exec(ct_clear))",
    "ct(table=300)",
    "ct(table=255)",
    "ct(table=0x10)",
    "ct(zone=70000)",
    "ct(alg=foo)",
    "ct(alg=21)",
    "ct(foo)",
    "ct(force)",
    "ct(nat(foo))",
    "ct(nat(src=1.2.3.4,dst=1.2.3.5))",
    "ct(nat(src=1.2.3.4,hash,random))",
    "ct(nat(src=1.2.3.4:5-1))",
    "ct(nat(src=1.2.3.5-1.2.3.4))",
    "ct(nat(src=1.2.3.4-::1))",
    "ct(nat(persistent))",
    "ct(nat(src=1.2.3.4:0x10))",
    "ct(nat(src=1.2.3.4/24))",
    "ct(nat(src=fe80::1:1-2))",
    "ct(nat(hash,random))",
    "learn(result_dst=reg0[3..4])",
    "learn(result_dst=reg0)",
    "learn(table=255)",
    "learn(table=300)",
    "learn(table=abc)",
    "learn(foo=bar)",
    "learn(foo)",
    "learn(table=1,foo=bar)",
    "learn(eth_dst=eth_src[0..15])",
    "learn(output:0x5)",
    "learn(load:5)",
    "learn(load:5->)",
    "learn(load:->reg0)",
    "learn(load:0x12->reg0[0..3])",
    "learn(reg0[0..7]=0x1ff)",
    "learn(reg0=reg1[0..7])",
    "learn(load:reg1[0..7]->reg0[0..8])",
    "learn(eth_dst[]=0x010203040506)",
    "learn(ip_src=1.2.3.4/8)",
    "learn(ct_state=+trk)",
    "learn(tun_erspan_idx=0x5)",
    "learn(reg0[0..40]=1)",
    "learn(reg0[0..3]=abc)",
    "learn(load:x1->reg0)",
    "learn(load:-1->reg0)",
    "learn(load:0x1g->reg0)",
    "learn(load:reg1->reg0x)",
    "learn(load:reg1x->reg0)",
    "learn(load:reg1[0..3]x->reg0)",
    "learn(output:reg0x)",
    "learn(eth_dst=eth_srcx)",
    "learn(in_port=foo)",
    "learn(result_dst=ct_state[0])",
    "learn(result_dst=foo)",
    "learn(reg0[0..3]=reg1[0..4])",
    "learn(table=2,reg0[0..3]=abc,reg1)",
    "nat(src=1.2.3.4)",
    "nat(sr=1)",
    "nat(foo)",
    "nat(src=1.2.3.5-1.2.3.4)",
    "learn(x)->",
    "check_pkt_larger(1500)->",
    "ct(commit,exec(check_pkt_larger(1)->reg0[0]))",
    "ct(COMMIT)",
    "sample(PROBABILITY=2)",
    "learn(TABLE=2)",
];

fn ofctl(args: &[&str], stdin: &str) -> (String, String) {
    assert!(
        Path::new(OFCTL).exists(),
        "{OFCTL} is required for this test (Open vSwitch 3.1 reference)"
    );
    let mut child = Command::new(OFCTL)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run ovs-ofctl");
    // Feed stdin from another thread: the reference writes as it reads, and
    // both pipes would fill up if we wrote everything before reading.
    let mut pipe = child.stdin.take().expect("stdin");
    let input = stdin.as_bytes().to_vec();
    let writer = std::thread::spawn(move || pipe.write_all(&input));
    let out = child.wait_with_output().expect("ovs-ofctl output");
    writer.join().expect("stdin writer").expect("write stdin");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// The bytes of an `ofp-print`-style hex dump.
fn parse_dump(text: &str) -> Vec<u8> {
    let mut bytes = vec![];
    for line in text.lines() {
        let Some((offset, rest)) = line.split_once("  ") else {
            continue;
        };
        if offset.len() != 8 || !offset.bytes().all(|c| c.is_ascii_hexdigit()) {
            continue;
        }
        let hexpart = rest.split('|').next().unwrap_or("");
        for word in hexpart.split([' ', '-']).filter(|w| !w.is_empty()) {
            bytes.push(u8::from_str_radix(word, 16).expect("hex byte"));
        }
    }
    bytes
}

fn be16(b: &[u8], at: usize) -> usize {
    usize::from(u16::from_be_bytes([b[at], b[at + 1]]))
}

/// What the reference makes of `match,actions=acts`: the printed actions and
/// the encoded action bytes (OF1.0 flow mod, NXM flow mod, or OF1.3 flow mod
/// with an apply-actions instruction).
fn reference_flow(m: &str, acts: &str, of13: bool) -> (String, Vec<u8>) {
    let flow = format!("{m}actions={acts}");
    let mut args = vec![];
    if of13 {
        args.extend(["-O", "OpenFlow13"]);
    }
    args.extend(["-mmmmm", "parse-flow", &flow]);
    let (out, err) = ofctl(&args, "");
    let line = out
        .lines()
        .find(|l| l.contains(" actions="))
        .unwrap_or_else(|| panic!("reference refused {flow}: {out}{err}"));
    let printed = line
        .split_once(" actions=")
        .map(|(_, a)| a.to_string())
        .unwrap_or_default();
    let msg = parse_dump(&out);
    let actions = match (msg[0], msg[1]) {
        (1, 14) => msg[72..].to_vec(),
        (1, 4) => {
            let match_len = be16(&msg, 40);
            msg[48 + match_len.div_ceil(8) * 8..].to_vec()
        }
        (4, 14) => {
            let at = 48 + be16(&msg, 50).div_ceil(8) * 8;
            assert_eq!(be16(&msg, at), 4, "apply-actions instruction in {flow}");
            msg[at + 8..at + be16(&msg, at + 2)].to_vec()
        }
        other => panic!("unexpected message {other:?} for {flow}"),
    };
    (printed, actions)
}

/// The reference's `parse-actions` over many hex action lists at once: per
/// input, `Ok(printed)` or `Err(error name)`.
fn reference_decode(version: &str, inputs: &[Vec<u8>]) -> Vec<Result<String, String>> {
    let stdin: String = inputs.iter().map(|b| hex(b) + "\n").collect();
    let (out, err) = ofctl(&["parse-actions", version], &stdin);
    let results: Vec<Result<String, String>> = out
        .split("\n\n")
        .filter(|r| !r.trim().is_empty())
        .map(|r| {
            let first = r.trim_start_matches('\n').lines().next().unwrap_or("");
            if let Some(a) = first.strip_prefix("actions=") {
                Ok(a.to_string())
            } else if let Some((_, e)) = first.split_once(" actions: ") {
                Err(e.to_string())
            } else {
                Err(format!("unparsed reference output: {first}"))
            }
        })
        .collect();
    assert_eq!(
        results.len(),
        inputs.len(),
        "one result per input: {out}{err}"
    );
    results
}

fn ours(acts: &str) -> Vec<Action> {
    parse_actions(acts, None).unwrap_or_else(|e| panic!("we refused {acts}: {e}"))
}

fn encode(v: Version, a: &[Action]) -> Vec<u8> {
    let mut out = vec![];
    encode_actions(v, a, &mut out);
    out
}

fn decode(v: Version, b: &[u8]) -> Result<Vec<Action>, String> {
    decode_actions(v, &mut Reader::new(b)).map_err(|e| e.name().to_string())
}

#[test]
fn corpus_is_big_enough() {
    assert!(CORPUS.len() >= 60);
    for kw in [
        "learn(",
        "ct(",
        "ct_clear",
        "nat(",
        "multipath(",
        "bundle(",
        "bundle_load(",
        "sample(",
        "check_pkt_larger",
    ] {
        assert!(CORPUS.iter().any(|(_, a)| a.contains(kw)), "{kw}");
    }
}

/// Parsing keeps a hint of how `set_field` was written, which the wire does
/// not carry (the reference prints it as `load` in OF1.0 and `set_field` in
/// OF1.3 alike); such lists are compared from their decoded form on.
fn has_style_hint(acts: &str) -> bool {
    acts.contains("set_field")
}

#[test]
fn print_and_encode_like_the_reference() {
    let mut failures = vec![];
    let mut encodings = vec![];
    for (m, acts) in CORPUS {
        let parsed = ours(acts);
        for (of13, v) in [(false, Version::Of10), (true, Version::Of13)] {
            let (ref_text, ref_bytes) = reference_flow(m, acts, of13);
            let bytes = encode(v, &parsed);
            if bytes != ref_bytes {
                failures.push(format!(
                    "{acts} ({v}): encoding\n  ours {}\n  ref  {}",
                    hex(&bytes),
                    hex(&ref_bytes)
                ));
            }
            let back = match decode(v, &bytes) {
                Ok(back) => back,
                Err(e) => {
                    failures.push(format!("{acts} ({v}): we refused our own encoding: {e}"));
                    continue;
                }
            };
            // What parse-flow prints is the flow decoded from its encoding.
            let text = format_actions(&back, None);
            if text != ref_text {
                failures.push(format!(
                    "{acts} ({v}): printed\n  ours {text}\n  ref  {ref_text}"
                ));
            }
            if !has_style_hint(acts) {
                if back != parsed {
                    failures.push(format!("{acts} ({v}): decode(encode(x)) = {back:?}"));
                }
                let direct = format_actions(&parsed, None);
                if direct != ref_text {
                    failures.push(format!(
                        "{acts} ({v}): parse->format\n  ours {direct}\n  ref  {ref_text}"
                    ));
                }
            }
            if decode(v, &encode(v, &back)).as_ref() != Ok(&back) {
                failures.push(format!("{acts} ({v}): decoded form does not round-trip"));
            }
            if !of13 {
                encodings.push((acts, bytes, text));
            }
        }
    }
    // The reference reads our bytes back to the same text.
    let inputs: Vec<Vec<u8>> = encodings.iter().map(|(_, b, _)| b.clone()).collect();
    for ((acts, _, want), got) in encodings
        .iter()
        .zip(reference_decode("OpenFlow10", &inputs))
    {
        if got.as_deref() != Ok(want.as_str()) {
            failures.push(format!(
                "{acts}: reference decoded our bytes to {got:?}, want {want}"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn parse_errors_like_the_reference() {
    let mut failures = vec![];
    for acts in PARSE_ERRORS {
        let flow = format!("tcp,actions={acts}");
        let (out, err) = ofctl(&["parse-flow", &flow], "");
        let last = err.lines().last().unwrap_or("");
        let Some(want) = last.strip_prefix("ovs-ofctl: ") else {
            panic!("reference accepted {acts}: {out}{err}");
        };
        match parse_actions(acts, None) {
            Ok(a) => failures.push(format!(
                "{acts}: we accepted it as {}",
                format_actions(&a, None)
            )),
            Err(e) if e != want => failures.push(format!("{acts}:\n  ours {e}\n  ref  {want}")),
            Err(_) => {}
        }
    }
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// (match, action): checked against the match, as the reference does
/// before accepting a flow.
const CHECKS: &[(&str, &str)] = &[
    ("tcp", "learn(dl_type=0x800,nw_proto=6,tcp_dst=tcp_src)"),
    ("tcp", "learn(tcp_dst=tcp_src)"),
    ("ip", "learn(dl_type=0x800,nw_proto=6,tcp_dst=tcp_src)"),
    ("", "learn(eth_type=0x800,load:1->ip_dst[0..7])"),
    ("", "learn(load:1->ip_dst[0..7])"),
    ("", "learn(output:tcp_src)"),
    ("tcp", "learn(output:tcp_src)"),
    ("", "learn(dl_type=0x800,nw_proto=6,tcp_dst=5)"),
    ("", "learn(dl_type=0x800,tcp_dst=5,nw_proto=6)"),
    ("", "learn(load:ip_src->reg0)"),
    ("", "learn(vlan_pcp=3)"),
    ("", "learn(vlan_tci=0x1000,vlan_pcp=3)"),
    (
        "",
        "learn(eth_type[8..15]=0x8,eth_type[0..7]=0,ip_src=1.2.3.4)",
    ),
    ("", "learn(eth_type[0..15]=0x800,ip_src=1.2.3.4)"),
    ("", "learn(eth_type=0x800,nw_proto=5,nw_proto=6,tcp_src=1)"),
    ("", "learn(load:1->ct_state[0])"),
    ("ipv6", "learn(eth_type=0x86dd,ipv6_src=ipv6_dst)"),
    ("ipv6", "ct(commit,nat(src=1.2.3.4))"),
    ("ip", "ct(commit,nat(src=::1))"),
    ("ip", "ct(commit,nat(src))"),
    ("tcp6", "ct(alg=ftp)"),
    ("udp", "ct(alg=ftp)"),
    ("udp", "ct(alg=tftp)"),
    ("ip", "ct(zone=tcp_src)"),
    ("tcp", "ct(zone=tcp_src)"),
    ("arp", "ct()"),
    ("", "multipath(eth_src,50,modulo_n,1,0,tcp_src)"),
    ("tcp", "multipath(eth_src,50,modulo_n,1,0,tcp_src)"),
    (
        "",
        "bundle_load(eth_src,0,hrw,ofport,ip_dst[0..15],members:1)",
    ),
    (
        "ip",
        "bundle_load(eth_src,0,hrw,ofport,ip_dst[0..15],members:1)",
    ),
    ("", "check_pkt_larger(1)->tcp_src[0]"),
    ("tcp", "check_pkt_larger(1)->tcp_src[0]"),
];

fn parse_match(text: &str) -> Match {
    let mut m = Match::new();
    for item in text.split(',').filter(|i| !i.is_empty()) {
        let (k, v) = match item.split_once('=') {
            Some((k, v)) => (k, Some(v)),
            None => (item, None),
        };
        assert_eq!(m.parse_item(k, v, None), Ok(true), "{item}");
    }
    m
}

/// Our C2 check of one action, or `None` for actions that are not C2's.
fn check_ours(a: &Action, m: &Match) -> Option<Result<(), String>> {
    let r = match a {
        Action::Learn(l) => l.check(m),
        Action::Ct(c) => c.check(m),
        Action::Multipath(x) => x.check(m),
        Action::Bundle(x) => x.check(m),
        Action::CheckPktLarger(x) => x.check(m),
        _ => return None,
    };
    Some(r.map_err(|e| e.name().to_string()))
}

#[test]
fn check_against_the_flow_like_the_reference() {
    let mut failures = vec![];
    for (m, acts) in CHECKS {
        let flow = if m.is_empty() {
            format!("actions={acts}")
        } else {
            format!("{m},actions={acts}")
        };
        let (out, err) = ofctl(&["parse-flow", &flow], "");
        let want = if out.contains(" actions=") {
            Ok(())
        } else {
            let last = err.lines().last().unwrap_or("");
            match last.split_once("invalid with specified match (") {
                Some((_, e)) => Err(e.trim_end_matches(')').to_string()),
                None => panic!("reference refused {flow} while parsing: {err}"),
            }
        };
        let parsed = ours(acts);
        let got = check_ours(&parsed[0], &parse_match(m)).expect("a C2 action");
        if got != want {
            failures.push(format!("{flow}: ours {got:?}, ref {want:?}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Variants of one encoded NX action with its header intact: every body
/// byte set to a few values, and the action cut short or lengthened (with
/// the length field adjusted).
fn mutants(action: &[u8]) -> Vec<Vec<u8>> {
    let mut out = vec![];
    for i in 10..action.len() {
        for v in [
            0x00,
            0xff,
            0x01,
            action[i] ^ 0x80,
            action[i].wrapping_add(1),
        ] {
            if v != action[i] {
                let mut m = action.to_vec();
                m[i] = v;
                out.push(m);
            }
        }
    }
    let mut len = 16;
    while len < action.len() {
        let mut m = action[..len].to_vec();
        m[2..4].copy_from_slice(&(len as u16).to_be_bytes());
        out.push(m);
        len += 8;
    }
    for fill in [0x00, 0xff] {
        let mut m = action.to_vec();
        m.extend_from_slice(&[fill; 8]);
        let n = m.len() as u16;
        m[2..4].copy_from_slice(&n.to_be_bytes());
        out.push(m);
    }
    out
}

/// Splits an encoded action list into its actions.
fn split_actions(mut b: &[u8]) -> Vec<&[u8]> {
    let mut out = vec![];
    while b.len() >= 4 {
        let len = be16(b, 2).max(8).min(b.len());
        out.push(&b[..len]);
        b = &b[len..];
    }
    out
}

#[test]
fn corrupted_actions_like_the_reference() {
    let mut failures = vec![];
    let mut total = 0;
    for (v, name) in [(Version::Of10, "OpenFlow10"), (Version::Of13, "OpenFlow13")] {
        let mut inputs: Vec<Vec<u8>> = vec![];
        for (_, acts) in CORPUS {
            for action in split_actions(&encode(v, &ours(acts))) {
                let is_ours = action.len() >= 10
                    && action[..2] == [0xff, 0xff]
                    && action[4..8] == [0, 0, 0x23, 0x20]
                    && [10, 12, 13, 16, 29, 35, 36, 38, 41, 43, 45, 49].contains(&be16(action, 8));
                if is_ours {
                    inputs.extend(mutants(action));
                }
            }
        }
        inputs.sort();
        inputs.dedup();
        total += inputs.len();
        let reference = reference_decode(name, &inputs);
        for (input, want) in inputs.iter().zip(reference) {
            let got = decode(v, input).map(|a| format_actions(&a, None));
            if got != want {
                failures.push(format!(
                    "{name} {}:\n  ours {got:?}\n  ref  {want:?}",
                    hex(input)
                ));
            }
        }
    }
    // NXACTION_DUMP=file writes every difference there, for investigation.
    if let Ok(path) = std::env::var("NXACTION_DUMP") {
        std::fs::write(path, failures.join("\n")).expect("write dump");
    }
    assert!(
        failures.is_empty(),
        "{} of {} corrupted inputs differ, e.g.:\n{}",
        failures.len(),
        total,
        failures[..failures.len().min(40)].join("\n")
    );
}

#[test]
fn truncated_bytes_never_panic() {
    for (_, acts) in CORPUS {
        let bytes = encode(Version::Of10, &ours(acts));
        for n in 0..bytes.len() {
            assert!(decode(Version::Of10, &bytes[..n]).is_err() || n % 8 == 0);
            let mut patched = bytes[..n].to_vec();
            if n >= 4 {
                patched[2..4].copy_from_slice(&(n as u16).to_be_bytes());
                let _ = decode(Version::Of10, &patched);
            }
        }
    }
}
