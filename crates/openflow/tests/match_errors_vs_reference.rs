//! Match errors and subfields against the real ovs-ofctl: bad match text
//! gives the reference's message, bad OXM bytes give the reference's decode
//! error, and subfields parse and print as in the reference's `load`/`move`.
//! Needs /usr/bin/ovs-ofctl: the tests fail without it.

use std::process::Command;

use openflow::buf::{Put, Reader};
use openflow::field::SubField;
use openflow::flow_match::Match;
use openflow::version::Version;
use testkit::run;

const OFCTL: &str = "/usr/bin/ovs-ofctl";

fn require_ofctl() {
    assert!(
        std::path::Path::new(OFCTL).exists(),
        "{OFCTL} is needed as the reference; install openvswitch-common"
    );
}

/// Match text the reference rejects (no commas inside one item).
const BAD: &[&str] = &[
    "reg0=abc",
    "reg0=1/",
    "reg0=1/abc",
    "reg0=0x100000000",
    "reg0=-1",
    "reg0=09",
    "reg0=1e3",
    "reg0=0x1G",
    "tcp,tp_src=65536",
    "tcp,tp_src=-1",
    "dl_src=01:02:03:04:05",
    "dl_src=01:02:03:04:05:06/abc",
    "dl_src=01:02:03:04:05:06:07",
    "dl_src=01-02-03-04-05-06",
    "ip,nw_src=10",
    "ip,nw_src=1.2.3",
    "ip,nw_src=0x1.2.3.4",
    "ip,nw_src=1.2.3.4/33",
    "ip,nw_src=1.2.3.4/abc",
    "ip,nw_src=1.2.3.4/",
    "ipv6,ipv6_src=zz",
    "ipv6,ipv6_src=::1/129",
    "ipv6,ipv6_src=::1/",
    "ipv6,ipv6_src=1.2.3.4",
    "ipv6,ipv6_label=0x100000000",
    "in_port=foo",
    "in_port=0xfffe",
    "in_port=65536",
    "in_port=-1",
    "in_port=1/1",
    "in_port",
    "in_port_oxm=0xfffffffe",
    "in_port_oxm=1/0xffffffff",
    "actset_output=1/1",
    "ip,nw_frag=1",
    "ip,nw_frag=0x3/0x1",
    "ip,nw_frag=",
    "tcp,tcp_flags=0x1000",
    "tcp,tcp_flags=+SYN",
    "tcp,tcp_flags=syn+ack",
    "tcp,tcp_flags=+syn/0x2",
    "tcp,tcp_flags=0x12/0xffff",
    "ct_state=+foo",
    "ct_state=foo",
    "ct_state=+trk-trk",
    "ct_state=0x100",
    "ct_state=0x21/0x100",
    "tun_flags=+oam-oam",
    "tun_flags=0x2",
    "tun_flags=+foo",
    "tun_flags=1/2",
    "packet_type=1",
    "packet_type=(1",
    "packet_type=(x",
    "packet_type=(65536",
    "ip,nw_proto=6/0xf",
    "conj_id=1/1",
    "ct_zone=1/0xff",
    "dl_vlan=5/0xfff",
    "icmp,icmp_type=256",
    "tun_metadata0=abc",
    "ct_label=0x100000000000000000000000000000000",
    "ct_label=18446744073709551616",
    "nw_src",
    // C strtoull semantics and whole-text messages.
    "ct_mark=-1",
    "ct_mark=-2",
    "ct_mark=-1/-1",
    "ct_mark=1/-1",
    "ct_mark=1/0x100000000",
    "ct_mark=-0x1",
    "ct_mark=99999999999999999999",
    "ct_label=18446744073709551616",
    "ct_label=-18446744073709551616",
    "reg0=0x100000000/1",
    "reg0=4294967296x",
    "reg0=0x100000000G",
    "reg0=99999999999999999999x",
    "reg0=1/4294967296x",
    "reg0=1/2/3",
    "reg0=1//2",
    "reg0=abc/1",
    "reg0=/1",
    "reg0=5x",
    "reg0=+0x",
    "reg0=-0x",
    "reg0=0x+5",
    "reg0=-",
    "tcp,tp_src=-65535",
    "dp_hash=-1",
    "ct_zone=-1",
];

fn our_error(s: &str) -> String {
    let mut m = Match::new();
    for item in s.split(',') {
        let (k, v) = match item.split_once('=') {
            Some((k, v)) => (k, Some(v)),
            None => (item, None),
        };
        match m.parse_item(k, v, None) {
            Ok(true) => {}
            Ok(false) => return format!("unknown keyword {k}"),
            Err(e) => return e,
        }
    }
    "(accepted)".to_string()
}

#[test]
fn parse_errors_match_reference() {
    require_ofctl();
    let mut bad = Vec::new();
    for s in BAD {
        let out = run(Command::new(OFCTL)
            .arg("parse-flow")
            .arg(format!("{s},actions=drop")));
        assert!(!out.success(), "the reference accepted {s}");
        // The last line is the error; warnings may come before it.
        let last = out.stderr.trim().lines().last().unwrap_or("");
        let theirs = last.strip_prefix("ovs-ofctl: ").unwrap_or(last).to_string();
        let ours = our_error(s);
        if ours != theirs {
            bad.push(format!("[{s}]\n   ours:   {ours}\n   theirs: {theirs}"));
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

/// An OF1.3 flow_mod with `oxms` as its match.
fn of13_flow_mod(oxms: &[u8]) -> Vec<u8> {
    let mut b = Vec::new();
    b.put_u8(4);
    b.put_u8(14);
    b.put_be16(0);
    b.put_be32(1);
    b.put_be64(0);
    b.put_be64(0);
    b.put_u8(0);
    b.put_u8(0);
    b.put_be32(0);
    b.put_be16(0x8000);
    b.put_be32(0xffff_ffff);
    b.put_be32(0xffff_ffff);
    b.put_be32(0xffff_ffff);
    b.put_be32(0);
    let start = b.len();
    b.put_be16(1);
    b.put_be16(4 + oxms.len() as u16);
    b.extend_from_slice(oxms);
    b.pad_from(start, 8);
    let len = b.len() as u16;
    b.patch_be16(2, len);
    b
}

/// "OFPBMC_BAD_PREREQ" from our `BmcBadPrereq`.
fn error_name(e: openflow::OfpError) -> String {
    let dbg = format!("{e:?}");
    let mut out = String::from("OFP");
    for (i, c) in dbg.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push('_');
        }
        out.push(c.to_ascii_uppercase());
    }
    out
}

fn h(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

#[test]
fn decode_errors_match_reference() {
    require_ofctl();
    // OXM bodies the reference rejects, each with the reason in a comment.
    let cases = [
        "800000020001",             // in_port with a 2-byte length
        "80000a0408000000",         // eth_type with a 4-byte length
        "80000b0208",               // truncated
        "8000000500000001",         // length past the end
        "ffff0a05005ad65001",       // nsh_si without dl_type NSH
        "ffff0a06005ad6500101",     // nsh_si with a 2-byte value
        "ffff0002005a",             // experimenter id cut short
        "8000010800000001000000ff", // in_port with a partial mask
        "800001080000000100000000", // value bits outside the mask
        "80000c022000",             // VID above 0x1fff
        "0001000400000001",         /* reg0 */
        // fine: control case
        "00010004000000010001000400000002",         // reg0 twice
        "80000e0201020304",                         // ipv4_src without dl_type
        "80000a02080080001401068000240100",         // ip_proto tcp, then a bad field
        "80000a0208008000140106ffff5403004f4e4600", // ONF tcp_flags truncated
        "0001d804000000200001d8050000002001",       // ct_state twice, second bad
        "80000a0208000001f00401010101",             // ct_nw_src without +trk
        "0001d2080000002000000020",                 /* ct +trk */
        // fine
        // Neighbor discovery fields need ICMPv6 type 135/136 with code 0.
        "80000a0286dd800014013a80003a010180003e1000000000000000000000000000000001",
        "80000a0286dd800014013a80003a018780003c010180003e1000000000000000000000000000000001",
        "80000a0286dd800014013a80003a018880004006010203040506",
        "80000a0286dd800014013a80003a018780004206010203040506",
        "80000a0286dd800014013a80003a01881000020400000001",
        // dp_hash by its experimenter code point, exact and masked.
        "ffff00080000232000000005",
        "ffff010c00002320000000050000000f",
        "ffff010c00002320000000050000000e",
        // A masked payload with an odd byte more: the byte is ignored.
        "8000010900000001ffffffff00",
        // Value outside the mask wins over an unknown field.
        "8000ff020800",
        "12340b020800",
        // A non-maskable field takes an all-zero mask.
        "800001080000000000000000",
    ];
    let mut bad = Vec::new();
    for c in cases {
        let oxms = h(c);
        let msg = of13_flow_mod(&oxms);
        let hex: String = msg.iter().map(|b| format!("{b:02x}")).collect();
        let out = run(Command::new(OFCTL).arg("ofp-print").arg(&hex));
        let theirs = out
            .stdout
            .split("***decode error: ")
            .nth(1)
            .and_then(|t| t.split("***").next())
            .unwrap_or("ok")
            .to_string();
        let mut match_bytes = Vec::new();
        match_bytes.put_be16(1);
        match_bytes.put_be16(4 + oxms.len() as u16);
        match_bytes.extend_from_slice(&oxms);
        match_bytes.pad_from(0, 8);
        let ours = match Match::decode_oxm_match(Version::Of13, &mut Reader::new(&match_bytes)) {
            Ok(_) => "ok".to_string(),
            Err(e) => error_name(e),
        };
        if ours != theirs {
            bad.push(format!("[{c}] ours {ours}, theirs {theirs}"));
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn subfields_match_reference() {
    require_ofctl();
    // (match giving the prerequisites, subfield, read it with move instead of load)
    let cases: &[(&str, &str, bool)] = &[
        ("", "reg0[0..3]", false),
        ("", "reg1[]", false),
        ("", "reg1", false),
        ("", "reg3[5]", false),
        ("", "reg0[0..31]", false),
        ("", "eth_src[]", false),
        ("", "dl_dst[0..47]", false),
        ("", "xreg0[3..10]", false),
        ("", "xxreg1[127]", false),
        ("", "in_port_oxm[]", false),
        ("", "OXM_OF_IN_PORT[0..15]", false),
        ("", "NXM_NX_REG0_W[]", false),
        ("", "NXM_OF_IN_PORT[]", false),
        ("", "tun_flags[0]", false),
        ("", "tun_id[0..31]", false),
        ("", "vlan_tci[0..11]", false),
        ("dl_vlan=1,", "vlan_vid[0..11]", false),
        ("mpls,", "mpls_label[0..19]", false),
        ("ip,", "ip_dscp[0..5]", false),
        ("", "metadata[32..63]", false),
        ("", "tun_gbp_id[]", false),
        ("", "pkt_mark[]", false),
        ("", "ct_mark[0..7]", true),
        ("", "ct_label[64..127]", true),
        ("arp,", "arp_sha[]", false),
        ("icmp6,icmp_type=135,", "nd_target[0..63]", false),
        ("tcp,", "tcp_flags[0..11]", true),
        ("", "vlan_vid[12]", false),
        ("", "mpls_label[20]", false),
        ("", "tun_flags[1]", false),
        ("", "ip_dscp[6]", false),
        ("", "reg0[32]", false),
        ("", "reg0[3..2]", false),
        ("", "reg0[a]", false),
        ("", "foo[]", false),
        ("", "reg0[0..40]", false),
        ("", "reg0[1..]", false),
        ("", "REG0[]", false),
        ("", "nxm_nx_reg0[]", false),
        // The field name runs to the first '[' or '-'.
        ("", "1.2.3.4/8", false),
        ("", "+trk", false),
        ("", "reg0:", false),
        ("", "reg0:[1]", false),
        ("", "reg0-x", false),
        ("", "reg0[40]x", false),
        // Bit numbers are C ints (negative, wrapping).
        ("", "reg0[-1]", false),
        ("", "reg0[-5..-3]", false),
        ("", "reg0[0..-1]", false),
        ("", "reg0[40..3]", false),
        ("", "reg0[3..40]", false),
        ("", "reg0[2147483648]", false),
        ("", "reg0[99999999999]", false),
        ("", "reg0[4294967297]", false),
        ("", "reg0[18446744073709551617]", false),
        ("", "reg0[-4294967295]", false),
        ("", "reg0[+1]", false),
        ("", "reg0[+-1]", false),
        ("", "reg0[01..07]", false),
        ("", "reg0[1..2..3]", false),
        ("", "reg0[0x1]", false),
    ];
    let mut fails = Vec::new();
    for (prefix, sf, by_move) in cases {
        let ours = SubField::parse(sf);
        let action = match (&ours, by_move) {
            (Ok(x), true) => format!("move:{sf}->NXM_NX_XXREG0[0..{}]", x.n_bits - 1),
            _ => format!("load:0->{sf}"),
        };
        let out = run(Command::new(OFCTL)
            .arg("parse-flow")
            .arg(format!("{prefix}actions={action}")));
        let theirs = if out.success() {
            let text = out.stdout.split("actions=").nth(1).unwrap_or("").trim();
            let text = text.strip_prefix("load:0->").unwrap_or(text);
            let text = text.strip_prefix("move:").unwrap_or(text);
            text.split("->").next().unwrap_or("").to_string()
        } else {
            let last = out.stderr.trim().lines().last().unwrap_or("");
            last.strip_prefix("ovs-ofctl: ").unwrap_or(last).to_string()
        };
        let ours = match ours {
            Ok(x) => x.to_string(),
            Err(e) => e,
        };
        if ours != theirs {
            fails.push(format!("[{sf}] ours {ours:?}, theirs {theirs:?}"));
        }
    }
    assert!(fails.is_empty(), "{}", fails.join("\n"));
}

/// A 32-bit port field (in_port_oxm) printed from any value, as the
/// reference's learn action shows an immediate match on it: numbers that
/// are no port print as ANY, 0xfff7 as UNSET.
#[test]
fn port_values_print_like_reference() {
    use openflow::field::FieldId;
    require_ofctl();
    let mut bad = Vec::new();
    for v in [
        0x0001_0000u32,
        0xffff_0000,
        0xffff_fff0,
        0xffff_ff00,
        0x0000_ff00,
        0x0000_feff,
        0xffff_fff7,
        0xffff_ffff,
        0x7fff_ffff,
        5,
        0xffff_fffe,
    ] {
        // OF1.0 packet_out whose one action is learn(in_port_oxm=V).
        let mut learn = Vec::new();
        learn.put_be16(0xffff);
        learn.put_be16(48);
        learn.put_be32(0x2320);
        learn.put_be16(16);
        learn.put_be16(0); // idle
        learn.put_be16(0); // hard
        learn.put_be16(0x8000);
        learn.put_be64(0);
        learn.put_be16(0); // flags
        learn.put_u8(1); // table
        learn.put_u8(0);
        learn.put_be32(0); // fin timeouts
        learn.put_be16(0x2020); // immediate -> match, 32 bits
        learn.put_be32(v);
        learn.put_be32(0x8000_0004); // OXM_OF_IN_PORT
        learn.put_be16(0);
        learn.put_zeros(4);
        let mut msg = vec![1, 13, 0, 0, 0, 0, 0, 1];
        msg.put_be32(0xffff_ffff);
        msg.put_be16(0xfffd);
        msg.put_be16(learn.len() as u16);
        msg.extend_from_slice(&learn);
        let len = msg.len() as u16;
        msg.patch_be16(2, len);
        let hex: String = msg.iter().map(|b| format!("{b:02x}")).collect();
        let out = run(Command::new(OFCTL).arg("ofp-print").arg(&hex));
        let theirs = out
            .stdout
            .split("in_port_oxm=")
            .nth(1)
            .and_then(|t| t.split(')').next())
            .unwrap_or("?")
            .to_string();
        let ours = FieldId::IN_PORT_OXM.format_value(&v.to_be_bytes(), None, None);
        if ours != theirs {
            bad.push(format!("{v:#x}: ours {ours}, theirs {theirs}"));
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}
