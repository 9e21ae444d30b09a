//! Actions and instructions against the real ovs-ofctl (Open vSwitch 3.1).
//!
//! For every `(match, actions)` in `CASES` and every version the reference
//! can express it in:
//! - our parse → check → encode gives exactly the reference's bytes
//!   (`ovs-ofctl -mmmmm -O V parse-flow` dumps the flow_mod it built);
//! - our decode of those bytes prints exactly what the reference printed;
//! - the reference reads our bytes back (`parse-instructions V`) to the same
//!   text, and its re-encoding differs in no byte;
//! - our decode → encode reproduces the bytes;
//! - every truncation, and many corruptions, decode to an error or a value,
//!   never a panic.
//!
//! The protocols the reference finds usable (its "usable protocols:" line)
//! and its error messages for rejected input are compared as well.
//! Needs /usr/bin/ovs-ofctl: the test fails without it.

use std::path::Path;
use std::process::Command;

use openflow::action::{
    check_actions, decode_instructions, encode_instructions, format_actions, parse_actions,
    usable_protocols, CheckContext,
};
use openflow::buf::Reader;
use openflow::flow_match::Match;
use openflow::protocol::Protocols;
use openflow::version::Version;
use testkit::{run, run_with_stdin};

const OFCTL: &str = "/usr/bin/ovs-ofctl";

/// `(match, actions)`; the match gives actions their context (prerequisites).
const CASES: &[(&str, &str)] = &[
    // output and friends
    ("", "output:3"),
    ("", "3,4,5"),
    ("", "output:65279"),
    ("", "in_port"),
    ("", "LOCAL,NORMAL,FLOOD,ALL"),
    ("", "output:in_port"),
    ("", "controller"),
    ("", "controller:100"),
    ("", "CONTROLLER:65535"),
    ("", "output:CONTROLLER"),
    ("", "controller(reason=no_match)"),
    ("", "controller(id=3)"),
    ("", "controller(max_len=10)"),
    ("", "controller(userdata=01.02)"),
    ("", "controller(pause)"),
    ("", "controller(meter_id=2)"),
    ("", "controller(max_len=10,reason=invalid_ttl,id=1,userdata=01,pause,meter_id=3)"),
    ("", "controller(reason=action_set,max_len=0)"),
    ("", "enqueue:1:2"),
    ("", "enqueue(in_port,4)"),
    ("", "enqueue:LOCAL:7"),
    ("", "group:5"),
    ("", "group:4294967040"),
    ("", "output(port=3,max_len=100)"),
    ("", "output(port=LOCAL,max_len=65535)"),
    ("", "output:reg0[0..15]"),
    ("", "output:NXM_NX_REG1[]"),
    ("", "output_reg:reg2[16..31]"),
    ("", "output:tun_id[0..15]"),
    ("", "drop"),
    ("", ""),
    // VLAN
    ("", "mod_vlan_vid:101,NORMAL"),
    ("dl_vlan=5", "mod_vlan_vid:7"),
    ("", "mod_vlan_pcp:3"),
    ("dl_vlan=5", "mod_vlan_pcp:7"),
    ("", "mod_vlan_vid:1,mod_vlan_pcp:2"),
    ("", "set_vlan_vid:5"),
    ("vlan_tci=0x1000/0x1000", "set_vlan_vid:5,set_vlan_pcp:2"),
    ("", "strip_vlan"),
    ("dl_vlan=5", "strip_vlan"),
    ("dl_vlan=5", "pop_vlan"),
    ("", "push_vlan:0x8100"),
    ("ip", "push_vlan:0x88a8"),
    ("", "push_vlan:0x8100,mod_vlan_pcp:1"),
    ("", "push_vlan:0x8100,set_field:4101->vlan_vid"),
    ("vlan_tci=0x1000/0x1000", "set_field:4101->vlan_vid"),
    ("vlan_tci=0x1000/0x1000", "set_field:5->vlan_pcp"),
    ("vlan_tci=0x1000/0x1000", "set_field:0x1001->vlan_tci"),
    // L2-L4 rewrites, set_field and load
    ("", "mod_dl_src:00:11:22:33:44:55"),
    ("ip", "mod_dl_dst:00:11:22:33:44:55,output:1"),
    ("ip", "mod_nw_src:1.2.3.4"),
    ("", "mod_nw_src:1.2.3.4"),
    ("ip", "mod_nw_dst:10.0.0.1"),
    ("ip", "mod_nw_tos:16"),
    ("ipv6", "mod_nw_tos:252"),
    ("ip", "mod_nw_ecn:2"),
    ("ip", "mod_nw_ttl:3"),
    ("ip", "set_nw_ttl:9"),
    ("tcp", "mod_tp_src:80"),
    ("udp", "mod_tp_dst:53"),
    ("sctp", "mod_tp_src:1,mod_tp_dst:2"),
    ("ip", "mod_tp_src:80"),
    ("", "mod_tp_dst:1"),
    ("ip", "load:1->reg0[0..3]"),
    ("", "load:0x1->NXM_NX_REG0[]"),
    ("", "load:0->reg5"),
    ("", "load:0x112233445566778899->xxreg0[]"),
    ("", "load:0x112233445566778899->xxreg0[0..71]"),
    ("", "load:0xffff->in_port"),
    ("ipv6", "load:0x1->NXM_NX_IPV6_SRC[0..63]"),
    ("", "load:1->eth_dst[40]"),
    ("", "set_field:1->reg0"),
    ("", "set_field:1/3->reg0"),
    ("", "set_field:0x50/0xf0->reg0"),
    ("", "set_field:0/0->reg0"),
    ("ip", "set_field:1.2.3.4->ip_src"),
    ("ip", "set_field:10.0.0.0/255.0.0.0->ip_dst"),
    ("ipv6", "set_field:::1->ipv6_src"),
    ("", "set_field:00:11:22:33:44:55->eth_src"),
    ("", "set_field:01:00:00:00:00:00/01:00:00:00:00:00->eth_dst"),
    ("tcp", "set_field:5->tcp_src"),
    ("udp", "set_field:53->udp_dst"),
    ("ip", "set_field:4->ip_dscp"),
    ("ip", "set_field:8->nw_tos"),
    ("ip", "set_field:1->nw_ecn"),
    ("ip", "set_field:64->nw_ttl"),
    ("", "set_field:0x5->tun_id"),
    ("", "set_field:0x1->metadata"),
    ("", "set_field:0x1/0xff->metadata"),
    ("", "set_field:1->in_port"),
    ("", "set_field:0x1234->pkt_mark"),
    ("mpls", "set_field:10->mpls_label"),
    ("mpls", "set_field:3->mpls_tc"),
    ("", "set_field:1->xreg3"),
    ("", "set_field:1->tun_metadata1"),
    ("ip", "set_field:1->ip_proto"),
    ("", "set_field:1.2.3.4->ip_src"),
    ("", "move:reg0[]->reg1[]"),
    ("", "move:reg0[0..5]->reg1[26..31]"),
    ("", "move:NXM_OF_ETH_SRC[]->NXM_OF_ETH_DST[]"),
    ("", "move:reg0[0..15]->vlan_tci"),
    ("tcp", "move:tcp_src[]->reg2[0..15]"),
    ("", "move:reg0[0..15]->tcp_src[]"),
    ("", "move:xxreg0[]->xxreg1[]"),
    ("", "move:tun_id[0..31]->reg0[]"),
    ("", "push:reg0[]"),
    ("", "pop:reg1[0..7]"),
    ("", "push:NXM_OF_IN_PORT[],load:0->in_port,output:2,pop:in_port"),
    ("", "push:xxreg0[]"),
    // MPLS, TTLs, tunnels, queues
    ("mpls", "set_mpls_label:10"),
    ("mpls", "set_mpls_tc:3"),
    ("mpls", "set_mpls_ttl:9"),
    ("mpls", "dec_mpls_ttl"),
    ("mpls", "pop_mpls:0x0800"),
    ("", "set_mpls_ttl(3)"),
    ("ip", "push_mpls:0x8847"),
    ("ip", "push_mpls:0x8848,set_mpls_label(5),set_mpls_ttl(6)"),
    ("ip", "push_mpls:0x8847,dec_ttl"),
    ("ip", "dec_ttl"),
    ("ip", "dec_ttl(1,2,3)"),
    ("ip", "dec_ttl(0)"),
    ("", "dec_ttl"),
    ("", "set_tunnel:5"),
    ("", "set_tunnel:0x100000000"),
    ("", "set_tunnel64:5"),
    ("", "set_queue:7"),
    ("", "pop_queue"),
    ("", "set_queue:4294967295,output:1,pop_queue"),
    // control flow and extensions
    ("", "resubmit:3"),
    ("", "resubmit(,4)"),
    ("", "resubmit(2,4)"),
    ("", "resubmit(in_port,4)"),
    ("", "resubmit(1,255)"),
    ("", "resubmit(LOCAL,0)"),
    ("ct_state=+trk", "resubmit(,4,ct)"),
    ("", "resubmit(,4,ct)"),
    ("", "note:01.02.03"),
    ("", "note:010203040506"),
    ("", "note:01.02.03.04.05.06.07"),
    ("", "note:"),
    ("", "exit"),
    ("", "conjunction(5,1/2)"),
    ("", "conjunction(4294967295,64/64),note:ff"),
    ("", "clone(output:1,output:2)"),
    ("", "clone()"),
    ("ip", "clone(mod_nw_src:1.2.3.4,clone(dec_ttl),output:3)"),
    ("tcp", "fin_timeout(idle_timeout=10,hard_timeout=20)"),
    ("tcp", "fin_timeout(idle_timeout=10)"),
    ("", "fin_timeout(hard_timeout=5)"),
    ("", "output:1,goto_table:3"),
    // instructions
    ("", "meter:3"),
    ("", "meter:1,output:2"),
    ("", "clear_actions"),
    ("", "write_actions(output:1)"),
    ("", "write_actions(group:1,set_queue:2)"),
    ("ip", "write_actions(mod_nw_src:1.2.3.4,dec_ttl,output:1)"),
    ("", "write_actions()"),
    ("", "write_metadata:0x5"),
    ("", "write_metadata:0x5/0xff"),
    ("", "goto_table:3"),
    ("", "meter:1,output:1,clear_actions,write_actions(output:2),write_metadata:0x1/0x1,goto_table:5"),
    ("", "output:1,clear_actions"),
    ("", "write_actions(ct_clear,set_field:1->reg0,resubmit(,1))"),
    // Nicira actions in helper C2's files, through our dispatch
    ("ip", "ct(commit)"),
    ("ip", "ct(commit,zone=5,table=3,exec(load:1->NXM_NX_CT_MARK[]))"),
    ("ip", "ct(nat)"),
    ("ip", "ct(commit,nat(src=10.0.0.1-10.0.0.5:1000-2000))"),
    ("", "ct_clear"),
    ("", "learn(table=1,NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[],output:NXM_OF_IN_PORT[])"),
    ("", "multipath(eth_src,50,modulo_n,1,0,NXM_NX_REG0[0..5])"),
    ("", "bundle(eth_src,0,hrw,ofport,members:4,8)"),
    ("", "bundle_load(eth_src,0,hrw,ofport,NXM_NX_REG0[],members:4,8)"),
    ("", "sample(probability=100,collector_set_id=1,obs_domain_id=2,obs_point_id=3)"),
    ("", "check_pkt_larger(1500)->NXM_NX_REG0[0],output:1"),
    // encapsulation (OF1.3+ decodes these)
    ("ip", "encap(ethernet)"),
    ("", "encap(nsh)"),
    ("", "encap(nsh(md_type=2,tlv(0x1000,10,0x12345678)))"),
    ("", "encap(mpls),encap(mpls_mc)"),
    ("", "decap"),
    ("", "decap(packet_type(ns=1,type=0x800))"),
    ("", "delete_field:tun_metadata3"),
    // rejected input: the error messages must be the reference's
    ("", "drop,output:1"),
    ("", "foo"),
    ("", "nat"),
    ("", "resubmit(,)"),
    ("", "goto_table:256"),
    ("", "conjunction(1,1/1)"),
    ("", "conjunction(1,1/2),output:1"),
    ("", "mod_vlan_vid:4096"),
    ("", "load:0x10->reg0[0..3]"),
    ("", "set_field:1->foo"),
    ("", "move:reg0[]->reg1[0..3]"),
    ("", "output:65280"),
    ("", "enqueue:NORMAL:1"),
    ("", "meter:0"),
    ("", "output(port=NORMAL,max_len=100)"),
    ("", "goto_table:1,output:1"),
    ("", "write_actions(goto_table:1)"),
    ("", "delete_field:reg0"),
    ("", "load:1->tcp_src[]"),
    ("ct_state=+trk", "set_field:1->ct_mark"),
    ("vlan_tci=0x1000/0x1000", "set_field:5->vlan_vid"),
    ("", "set_field:1->vlan_tci"),
    ("", "set_field:0x1001->vlan_tci"),
    ("", "dec_ttl(1),dec_ttl"),
    ("", "output:reg0[16..31]"),
    ("", "move:OXM_OF_PKT_REG0[]->NXM_NX_XXREG1[0..63]"),
    ("", "push:NXM_NX_REG0[0..15],pop:NXM_NX_REG1[16..31]"),
    ("", "controller(id=65535,reason=group)"),
    ("tcp", "mod_tp_src:1,mod_tp_dst:2,mod_nw_tos:4"),
    ("", "group:4294967295"),
    ("", "set_queue:0"),
    ("ip", "dec_ttl,output:1,dec_ttl(5,6)"),
    ("", "note:ff.ee.dd.cc.bb.aa.99.88.77"),
    ("ipv6", "set_field:fe80::1/ffff::->ipv6_dst"),
    ("arp", "set_field:1.2.3.4->arp_spa,set_field:2->arp_op"),
    ("icmp", "set_field:3->icmp_type"),
    ("", "set_field:0x12345678->tun_metadata5"),
    ("", "set_field:0->tun_metadata1"),
    ("", "set_field:1->reg15,set_field:2->xxreg3"),
    ("ip", "ct(commit,zone=NXM_NX_REG0[0..15])"),
    ("", "write_metadata:0xffffffffffffffff/0x1"),
    ("", "write_metadata:0/0"),
    ("", "meter:4294901760"),
    ("", "goto_table:255"),
    ("", "output:1,write_actions(drop)"),
    ("", "set_tunnel:0"),
    ("", "decap(packet_type(ns=0,type=0))"),
    ("", "CONTROLLER:0"),
    ("", "controller(userdata=)"),
    ("ct_state=+trk", "clone(move:reg0[]->ct_mark[])"),
    ("ip", "ct(commit,exec(set_field:1->ct_mark,move:reg0[]->ct_label[0..31]))"),
    // tun_metadata masks, even all-ones ones over the value's width, are kept
    ("", "set_field:0x101/0xffff->tun_metadata0"),
    ("", "set_field:0x1/0xffffffff->tun_metadata2"),
    ("", "set_field:0x0101/0xff00->tun_metadata0"),
    ("", "set_field:0/0->tun_metadata0"),
    ("", "set_field:1->tun_flags,set_field:0->tun_flags"),
    // checks the reference makes of the complex Nicira actions
    ("", "learn(result_dst=tcp_src[0])"),
    ("ip", "ct(zone=reg0[0..15],nat(src=::1))"),
    ("ip,ct_state=+inv+trk", "ct()"),
    ("", "bundle(eth_src,0,hrw,ofport,members:65535)"),
    ("ip,ct_state=+inv+trk", "ct(commit)"),
    ("", "bundle(eth_src,0,hrw,ofport,members:controller)"),
    ("", "bundle_load(eth_src,0,hrw,ofport,tcp_src,members:65280)"),
    ("udp", "ct(zone=tcp_src[0..15],alg=ftp)"),
    ("ip", "ct(zone=tcp_src[0..15],commit,exec(set_field:1->ct_mark))"),
    ("", "clone(ct())"),
    // verification in the reference's order, member by member
    ("ip", "nat(sr=1)"),
    ("ip", "nat:foo"),
    ("ip", "nat(src=1.2.3.4,dst=1.2.3.5)"),
    ("ip", "nat,foo"),
    ("ip", "nat,goto_table:1,output:1"),
    ("ip", "clone(nat),foo"),
    ("ip", "write_actions(nat(foo))"),
    ("", "conjunction(1,1/2),nat"),
    ("", "conjunction(1,1/2),goto_table:1,output:1"),
    ("", "goto_table:1,output:1,conjunction(1,1/2)"),
    ("", "clone(set_field:1->ct_mark),foo"),
    ("", "clone(goto_table:1,foo)"),
    ("", "write_actions(goto_table:1,meter:1)"),
    ("", "set_field:1->ct_mark,goto_table:1,output:1"),
    ("ip", "ct(exec(goto_table:1,output:1))"),
    ("ip", "ct(exec(set_field:1->reg0,goto_table:1))"),
    ("ip", "ct(exec(conjunction(1,1/2)))"),
    ("ip", "ct(commit,exec(conjunction(1,1/2)),nat)"),
    ("ip", "ct(commit,exec(set_field:1->ct_mark,conjunction(1,1/2)))"),
    ("ip", "ct(commit,exec(set_field:1->ct_mark,nat(src=1.2.3.4),set_field:1->ct_label))"),
    // SCTP ports have no OF1.0/1.1 action or match; in_port_oxm no OF1.0 one
    ("sctp", "set_field:1->sctp_src"),
    ("sctp", "set_field:2->sctp_dst"),
    ("sctp6", "set_field:1->sctp_src"),
    ("", "set_field:1->in_port_oxm"),
    ("tcp", "set_field:1->tcp_src,set_field:2->tcp_dst"),
    // text-only fields go out under a zero code point (reading back as in_port)
    ("", "set_field:3->dl_vlan"),
    ("", "load:3->dl_vlan[]"),
    ("", "set_field:3->dl_vlan_pcp"),
    ("tcp", "set_field:3/0xfff->tcp_src"),
    ("", "load:3->in_port[0..11]"),
    // a mask of exactly a field's bits is a masked write
    ("ip", "set_field:1/0x3->nw_ecn"),
    ("ip", "load:1->nw_ecn[]"),
    ("ipv6", "set_field:0x1/0xfffff->ipv6_label"),
    ("dl_vlan=1", "set_field:4097/0x1fff->vlan_vid"),
    ("mpls", "load:1->mpls_label[]"),
    ("ip", "set_field:1/0xff->nw_ecn"),
    // `key(x)->y` extends the argument for every keyword
    ("", "drop()->x"),
    ("", "learn(x)->"),
    ("", "learn(table=1)->reg0"),
    ("", "output(1)->x"),
    ("", "check_pkt_larger(1500)->"),
    ("", "clone(check_pkt_larger(1500)->reg0[0] ,1)"),
    ("", "set_field:1->"),
    ("", "set_field:1->reg0->reg1"),
    ("", "load:1->"),
];

struct Reference {
    /// What `parse-flow` printed after `actions=`, or its error message.
    result: Result<String, String>,
    /// The flow_mod's actions/instructions bytes.
    bytes: Vec<u8>,
    /// The whole flow_mod message.
    msg: Vec<u8>,
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Runs the reference's parse-flow, returning its stdout, stderr and status.
fn ofctl_parse_flow(version: Option<Version>, flow: &str) -> testkit::Output {
    let mut cmd = Command::new(OFCTL);
    cmd.arg("-mmmmm");
    if let Some(v) = version {
        cmd.args(["-O", v.name()]);
    }
    cmd.args(["parse-flow", flow]);
    run(&mut cmd)
}

/// The error line of a failed ovs-ofctl run, without the program name.
fn error_line(out: &testkit::Output) -> String {
    out.stderr
        .lines()
        .find_map(|l| l.strip_prefix("ovs-ofctl: "))
        .unwrap_or("")
        .to_string()
}

/// The reference's "usable protocols:" line for the flow, or its error.
fn reference_usable(flow: &str) -> Result<String, String> {
    let out = ofctl_parse_flow(None, flow);
    for l in out.stdout.lines() {
        if let Some(p) = l.strip_prefix("usable protocols: ") {
            return Ok(p.to_string());
        }
    }
    Err(error_line(&out))
}

/// The reference's printed actions and encoding for version `v`.
fn reference(v: Version, flow: &str) -> Reference {
    let out = ofctl_parse_flow(Some(v), flow);
    if !out.success() {
        return Reference {
            result: Err(error_line(&out)),
            bytes: vec![],
            msg: vec![],
        };
    }
    let mut text = None;
    let mut msg = Vec::new();
    for l in out.stdout.lines() {
        if let Some(i) = l.find(" actions=") {
            if l.contains("FLOW_MOD") {
                text = Some(l[i + " actions=".len()..].to_string());
            }
        } else if l.contains("***decode error: ") {
            let e = l
                .split("***decode error: ")
                .nth(1)
                .unwrap_or("")
                .trim_end_matches('*');
            text = Some(format!("decode error {e}"));
        }
        // Hex dump lines: "00000010  00 01 ...-... |ascii|".
        let is_dump = l.len() > 10
            && l.as_bytes()[..8].iter().all(u8::is_ascii_hexdigit)
            && &l[8..10] == "  ";
        if is_dump {
            let body = l[10..].split('|').next().unwrap_or("");
            for w in body.replace('-', " ").split_whitespace() {
                msg.push(u8::from_str_radix(w, 16).expect("hex dump byte"));
            }
        }
    }
    let bytes = flow_mod_instructions(v, &msg);
    Reference {
        result: text.ok_or_else(|| format!("no actions in: {}", out.stdout)),
        bytes,
        msg,
    }
}

/// The actions (OF1.0) or instructions of a flow_mod the reference encoded.
fn flow_mod_instructions(v: Version, m: &[u8]) -> Vec<u8> {
    let be16 = |at: usize| usize::from(u16::from_be_bytes([m[at], m[at + 1]]));
    if v == Version::Of10 {
        if m[1] == 14 {
            m[72..].to_vec()
        } else {
            // NXT_FLOW_MOD: nx_match of match_len bytes, padded to 8.
            let mlen = be16(40);
            m[48 + mlen.div_ceil(8) * 8..].to_vec()
        }
    } else {
        let mlen = be16(50);
        m[48 + mlen.div_ceil(8) * 8..].to_vec()
    }
}

fn parse_match(s: &str) -> Match {
    let mut m = Match::new();
    for item in s.split(',').filter(|i| !i.is_empty()) {
        let (k, v) = match item.split_once('=') {
            Some((k, v)) => (k, Some(v)),
            None => (item, None),
        };
        assert_eq!(m.parse_item(k, v, None), Ok(true), "match item {item}");
    }
    m
}

fn flow_text(m: &str, a: &str) -> String {
    if m.is_empty() {
        format!("actions={a}")
    } else {
        format!("{m},actions={a}")
    }
}

/// The reference's `ofp-print` of its own flow_mod with our instructions in
/// place of its own: the text after `actions=`.
fn reference_prints(msg: &[u8], theirs: &[u8], ours: &[u8]) -> String {
    let mut m = msg[..msg.len() - theirs.len()].to_vec();
    m.extend_from_slice(ours);
    let len = m.len() as u16;
    m[2..4].copy_from_slice(&len.to_be_bytes());
    let out = run(Command::new(OFCTL).args(["ofp-print", &hex(&m)]));
    let first = out.stdout.lines().next().unwrap_or("").to_string();
    match first.find(" actions=") {
        Some(i) => first[i + " actions=".len()..].to_string(),
        None => out.stdout,
    }
}

/// The reference's reading of our bytes: `actions=...` and any re-encoding difference.
fn reference_reads(v: Version, bytes: &[u8]) -> String {
    let mut cmd = Command::new(OFCTL);
    cmd.args(["parse-instructions", v.name()]);
    let out = run_with_stdin(&mut cmd, &format!("{}\n", hex(bytes)));
    out.stdout.trim_end().to_string()
}

/// Our decoder on hostile variants of `bytes` must never panic.
fn hammer(v: Version, bytes: &[u8]) {
    for n in 0..bytes.len() {
        let _ = decode_instructions(v, &mut Reader::new(&bytes[..n]));
    }
    let mut seed = 0x9e37_79b9_u32 ^ bytes.len() as u32;
    for i in 0..bytes.len() * 4 {
        let mut b = bytes.to_vec();
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        let at = (seed as usize) % b.len().max(1);
        if let Some(x) = b.get_mut(at) {
            *x ^= (seed >> 8) as u8 | 1;
        }
        if i % 3 == 0 {
            // Also break a length field (the second 16-bit word of an element).
            let at2 = ((seed >> 16) as usize % b.len().max(1)) & !3;
            if at2 + 3 < b.len() {
                b[at2 + 2] = (seed >> 4) as u8;
                b[at2 + 3] = (seed >> 12) as u8 & 0xf8;
            }
        }
        if let Ok(acts) = decode_instructions(v, &mut Reader::new(&b)) {
            let _ = format_actions(&acts, None);
            let mut out = vec![];
            encode_instructions(v, &acts, &mut out);
        }
    }
}

#[test]
fn actions_match_the_reference() {
    assert!(
        Path::new(OFCTL).exists(),
        "{OFCTL} is needed as the reference: install openvswitch-common"
    );
    let mut failures = Vec::new();
    let mut checked_versions = 0;
    for (m, a) in CASES {
        let flow = flow_text(m, a);
        let matched = parse_match(m);
        // Our parse + consistency check + usable protocols.
        let ours = parse_actions(a, None).and_then(|mut acts| {
            let mut usable = matched
                .usable_protocols()
                .intersect(usable_protocols(&acts));
            check_actions(&mut acts, &matched, &CheckContext::default(), &mut usable)
                .map_err(|e| format!("actions are invalid with specified match ({})", e.name()))?;
            Ok((acts, usable))
        });
        let theirs = reference_usable(&flow);
        let (acts, usable) = match (&ours, &theirs) {
            (Ok((acts, usable)), Ok(names)) => {
                if usable.to_names() != *names {
                    failures.push(format!(
                        "{flow}: usable protocols {} vs reference {names}",
                        usable.to_names()
                    ));
                }
                (acts.clone(), *usable)
            }
            (Err(e), Err(r)) => {
                if e != r {
                    failures.push(format!("{flow}: error `{e}` vs reference `{r}`"));
                }
                continue;
            }
            (Ok(_), Err(r)) => {
                failures.push(format!("{flow}: we accept, reference says `{r}`"));
                continue;
            }
            (Err(e), Ok(_)) => {
                failures.push(format!("{flow}: we reject with `{e}`, reference accepts"));
                continue;
            }
        };
        for v in Version::ALL {
            if !usable.intersects(Protocols::of_version(v)) {
                continue;
            }
            checked_versions += 1;
            let r = reference(v, &flow);
            let want_text = match r.result {
                Ok(t) => t,
                Err(e) => {
                    failures.push(format!("{flow} [{v}]: reference failed: {e}"));
                    continue;
                }
            };
            let mut ours_bytes = vec![];
            encode_instructions(v, &acts, &mut ours_bytes);
            if ours_bytes != r.bytes {
                failures.push(format!(
                    "{flow} [{v}]: encoding\n   ours {}\n   ref  {}",
                    hex(&ours_bytes),
                    hex(&r.bytes)
                ));
            }
            let decoded = decode_instructions(v, &mut Reader::new(&ours_bytes));
            // Decoding a flow_mod also checks its actions against its match
            // for the version's protocol, as the reference does.
            let consistent = decoded.clone().and_then(|mut d| {
                let mut u = Protocols::of_version(v);
                check_actions(&mut d, &matched, &CheckContext::default(), &mut u)?;
                if u.is_empty() {
                    return Err(openflow::OfpError::BacMatchInconsistent);
                }
                Ok(d)
            });
            let our_text = match &consistent {
                Ok(d) => format_actions(d, None),
                Err(e) => format!("decode error {}", e.name()),
            };
            if our_text != want_text {
                failures.push(format!(
                    "{flow} [{v}]: printed `{our_text}` vs reference `{want_text}`"
                ));
            }
            if let Ok(d) = &decoded {
                let mut again = vec![];
                encode_instructions(v, d, &mut again);
                if again != ours_bytes {
                    failures.push(format!(
                        "{flow} [{v}]: decode→encode gives {} not {}",
                        hex(&again),
                        hex(&ours_bytes)
                    ));
                }
                let printed = reference_prints(&r.msg, &r.bytes, &ours_bytes);
                let printed = match printed.split("***decode error: ").nth(1) {
                    Some(e) => format!("decode error {}", e.split('*').next().unwrap_or("")),
                    None => printed,
                };
                if printed != want_text {
                    failures.push(format!("{flow} [{v}]: reference prints our flow_mod as `{printed}`, want `{want_text}`"));
                }
                // Without a match the reference's own action checks pass, so it
                // can also re-encode what it read: no byte may differ.
                if m.is_empty() && !ours_bytes.is_empty() && consistent.is_ok() {
                    let read = reference_reads(v, &ours_bytes);
                    let want = format!("actions={want_text}");
                    if read != want {
                        failures.push(format!(
                            "{flow} [{v}]: reference reads our bytes as `{read}`, want `{want}`"
                        ));
                    }
                }
            }
            hammer(v, &ours_bytes);
        }
    }
    assert!(CASES.len() >= 120, "only {} cases", CASES.len());
    assert!(
        checked_versions > 400,
        "only {checked_versions} (case, version) pairs compared"
    );
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Group buckets' actions are not checked against any flow, so encoders
/// see no match-derived hints: OF1.1 must still encode them as the
/// reference does (`ovs-ofctl -O OpenFlow11 parse-group`), e.g. a vlan_vid
/// set_field pushes no tag while a vlan_tci one does.
#[test]
fn unchecked_actions_encode_like_the_reference() {
    assert!(
        Path::new(OFCTL).exists(),
        "{OFCTL} is needed as the reference"
    );
    let cases = [
        "set_field:4097->vlan_vid,output:2",
        "set_field:3->vlan_pcp,output:2",
        "set_field:0x1003->vlan_tci,output:2",
        "set_field:0x0003->vlan_tci,output:2",
        "push_vlan:0x8100,set_field:4097->vlan_vid,output:2",
        "mod_vlan_vid:3,output:2",
        "mod_vlan_pcp:3,output:2",
        "set_field:3->dl_vlan",
    ];
    let mut failures = vec![];
    for acts in cases {
        let group = format!("group_id=7,type=all,bucket={acts}");
        let out =
            run(Command::new(OFCTL).args(["-O", "OpenFlow11", "-mmmmm", "parse-group", &group]));
        let mut msg = vec![];
        for l in out.stdout.lines() {
            let is_dump = l.len() > 10
                && l.as_bytes()[..8].iter().all(u8::is_ascii_hexdigit)
                && &l[8..10] == "  ";
            if is_dump {
                let body = l[10..].split('|').next().unwrap_or("");
                for w in body.replace('-', " ").split_whitespace() {
                    msg.push(u8::from_str_radix(w, 16).expect("hex dump byte"));
                }
            }
        }
        // ofp11_group_mod (16 bytes), then one bucket: 16 bytes of header.
        assert!(msg.len() >= 32, "{group}: reference printed {}", out.stdout);
        let bucket_len = usize::from(u16::from_be_bytes([msg[16], msg[17]]));
        let theirs = &msg[32..16 + bucket_len];
        let mut ours = vec![];
        let parsed = parse_actions(acts, None).expect("our parse");
        openflow::action::encode_actions(Version::Of11, &parsed, &mut ours);
        if ours != theirs {
            failures.push(format!("{acts}: ours {} ref {}", hex(&ours), hex(theirs)));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
