//! Corrupted NXM and OXM matches against the real ovs-ofctl: valid encodings
//! of many matches are mutated systematically (TLV lengths, hasmask bits,
//! classes, field numbers, values, masks, truncation, duplication, and
//! pseudo-random byte flips), carried in a flow_mod (OF1.3 OXM, or OF1.0
//! NXT_FLOW_MOD), and decoded by us and by `ovs-ofctl ofp-print`. Both must
//! agree on the error code, or on the printed match when decoding succeeds.
//! Needs /usr/bin/ovs-ofctl: the tests fail without it.

use std::process::Command;

use openflow::buf::{Put, Reader};
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

/// Matches whose encodings get mutated: every kind of TLV (exact, masked,
/// experimenter, prerequisite chains).
const BASES: &[&str] = &[
    "in_port=1",
    "tcp,tp_dst=80",
    "ip,nw_src=10.0.0.0/8",
    "dl_src=01:02:03:04:05:06,dl_dst=01:00:00:00:00:00/01:00:00:00:00:00",
    "dl_vlan=5,dl_vlan_pcp=3",
    "vlan_tci=0x1000/0x1000",
    "reg0=5/0xff,reg3=1",
    "xreg1=5",
    "tun_id=0x10,tun_flags=+oam",
    "ct_state=+trk+new,ct_mark=0x5/0xf",
    "ct_label=0x1",
    "ipv6,ipv6_src=2001:db8::/32,ipv6_label=0x12345",
    "icmp6,icmp_type=135,nd_target=::1,nd_sll=01:02:03:04:05:06",
    "arp,arp_op=2,arp_spa=1.2.3.4,arp_sha=01:02:03:04:05:06",
    "mpls,mpls_label=5,mpls_tc=3,mpls_bos=1",
    "dl_type=0x894f,nsh_spi=0x12,nsh_si=255,nsh_c1=0x1",
    "tcp,tcp_flags=+syn-ack",
    "ip,ip_dscp=3,nw_ecn=1,nw_ttl=64,nw_frag=first",
    "metadata=0x10/0xf0,pkt_mark=3",
    "dp_hash=0x5/0xf,recirc_id=5,conj_id=7",
    "actset_output=1",
    "packet_type=(1,0x800)",
    "ip,ct_state=+trk+est,ct_nw_src=1.1.1.1,ct_nw_proto=6,ct_tp_dst=80",
    "tun_metadata0=0x1234/0xff00",
    "sctp,sctp_src=1",
    "udp6,udp_dst=547",
    "icmp,icmp_type=8,icmp_code=0",
    "tun_erspan_ver=2,tun_erspan_dir=1,tun_erspan_hwid=0x3",
    "tun_erspan_ver=1,tun_erspan_idx=0x1",
    "tun_gtpu_flags=0x30,tun_gtpu_msgtype=255",
    "tun_src=1.1.1.1,tun_ipv6_dst=::1/64,tun_gbp_id=3/0xf,tun_gbp_flags=0x1",
    "mpls,mpls_ttl=64",
    "dl_type=0x894f,nsh_flags=1,nsh_ttl=2,nsh_mdtype=1,nsh_np=3",
    "icmp6,icmp_type=135,icmp_code=0,nd_reserved=1,nd_options_type=3",
    "icmp6,icmp_type=136,nd_tll=01:02:03:04:05:06",
    "vlan_vid=0x1005,vlan_pcp=2",
    "ipv6,ct_state=+trk+est,ct_ipv6_src=::1,ct_ipv6_dst=2001:db8::/32",
    "ct_zone=5,xxreg1=5/0xff",
    "in_port_oxm=5",
    "tun_metadata0=0/0",
    "tun_metadata3=0x",
];

/// Parses "a=1,b=(2,3)" (commas inside parentheses belong to the value).
fn parse(s: &str) -> Match {
    let mut m = Match::new();
    let mut items = Vec::new();
    let (mut depth, mut start) = (0, 0);
    for (i, c) in s.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                items.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    items.push(&s[start..]);
    for item in items.into_iter().filter(|i| !i.is_empty()) {
        let (k, v) = match item.split_once('=') {
            Some((k, v)) => (k, Some(v)),
            None => (item, None),
        };
        let ok = m.parse_item(k, v, None);
        assert!(matches!(ok, Ok(true)), "{s}: {item}: {ok:?}");
    }
    m
}

/// TLV boundaries of a valid encoding: (offset, total length).
fn tlvs(b: &[u8]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut ofs = 0;
    while ofs + 4 <= b.len() {
        let total = 4 + usize::from(b[ofs + 3]);
        out.push((ofs, total));
        ofs += total;
    }
    out
}

/// A small deterministic generator for byte flips.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

/// Systematic mutations of one valid TLV sequence.
fn mutations(b: &[u8], rng: &mut Rng) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for (ofs, total) in tlvs(b) {
        let len = b[ofs + 3];
        for l in [
            0u8,
            1,
            2,
            3,
            4,
            len.wrapping_sub(1),
            len.wrapping_add(1),
            len.wrapping_mul(2),
            len / 2,
            len.wrapping_add(4),
            len.wrapping_sub(4),
            0xff,
        ] {
            if l != len {
                let mut c = b.to_vec();
                c[ofs + 3] = l;
                out.push(c);
            }
        }
        // hasmask toggled, with and without a matching length.
        let mut c = b.to_vec();
        c[ofs + 2] ^= 1;
        out.push(c.clone());
        let exp = if b[ofs] == 0xff && b[ofs + 1] == 0xff {
            4
        } else {
            0
        };
        let body = usize::from(len) - exp;
        if b[ofs + 2] & 1 == 0 {
            // Exact -> masked: append an all-ones, all-zeros, or partial mask.
            for fill in [0xffu8, 0x00, 0x0f] {
                let mut c = b.to_vec();
                c[ofs + 2] |= 1;
                c[ofs + 3] = (exp + 2 * body) as u8;
                let mask = vec![fill; body];
                let at = ofs + total;
                c.splice(at..at, mask);
                out.push(c);
            }
        } else {
            // Masked -> exact: drop the mask.
            let mut c = b.to_vec();
            c[ofs + 2] &= !1;
            c[ofs + 3] = (exp + body / 2) as u8;
            let at = ofs + 4 + exp + body / 2;
            c.drain(at..ofs + total);
            out.push(c);
            // Value bits outside the mask.
            let mut c = b.to_vec();
            for i in 0..body / 2 {
                c[ofs + 4 + exp + i] = 0xff;
            }
            out.push(c);
        }
        // Field number and class.
        for d in [2u8, 0xfe] {
            let mut c = b.to_vec();
            c[ofs + 2] = c[ofs + 2].wrapping_add(d);
            out.push(c);
        }
        for class in [0x0000u16, 0x0001, 0x8000, 0x8001, 0xffff, 0x1234] {
            let mut c = b.to_vec();
            c[ofs..ofs + 2].copy_from_slice(&class.to_be_bytes());
            out.push(c);
        }
        if exp == 4 {
            let mut c = b.to_vec();
            c[ofs + 7] ^= 1;
            out.push(c);
        }
        // Values all ones / all zeros.
        for fill in [0xffu8, 0x00] {
            let mut c = b.to_vec();
            for x in &mut c[ofs + 4 + exp..ofs + total] {
                *x = fill;
            }
            out.push(c);
        }
        // Truncations and a duplicate.
        for cut in [4, 4 + exp, total - 1] {
            if ofs + cut < b.len() {
                out.push(b[..ofs + cut].to_vec());
            }
        }
        let mut c = b.to_vec();
        let dup = b[ofs..ofs + total].to_vec();
        c.splice(ofs..ofs, dup);
        out.push(c);
        // A TLV moved to the front (prerequisites after their users).
        if ofs > 0 {
            let mut c = b[ofs..ofs + total].to_vec();
            c.extend_from_slice(&b[..ofs]);
            c.extend_from_slice(&b[ofs + total..]);
            out.push(c);
        }
    }
    for _ in 0..6 {
        if b.is_empty() {
            break;
        }
        let mut c = b.to_vec();
        let i = (rng.next() % b.len() as u64) as usize;
        c[i] ^= (rng.next() % 255 + 1) as u8;
        out.push(c);
    }
    out.sort();
    out.dedup();
    out.retain(|c| c != b);
    out
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

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

fn nxt_flow_mod(nxm: &[u8]) -> Vec<u8> {
    let mut b = Vec::new();
    b.put_u8(1);
    b.put_u8(4);
    b.put_be16(0);
    b.put_be32(1);
    b.put_be32(0x2320);
    b.put_be32(13);
    b.put_be64(0);
    b.put_be16(0);
    b.put_be32(0);
    b.put_be16(0x8000);
    b.put_be32(0xffff_ffff);
    b.put_be16(0xffff);
    b.put_be16(0);
    b.put_be16(nxm.len() as u16);
    b.put_zeros(6);
    let start = b.len();
    b.extend_from_slice(nxm);
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

/// The reference's verdict on a flow_mod: the printed match, or the error.
fn theirs(msg: &[u8]) -> String {
    let out = run(Command::new(OFCTL).arg("ofp-print").arg(hex(msg)));
    let first = out.stdout.lines().next().unwrap_or("");
    if let Some(e) = first
        .split("***decode error: ")
        .nth(1)
        .and_then(|t| t.split("***").next())
    {
        return e.to_string();
    }
    match first.split_once(" ADD ") {
        Some((_, rest)) => rest.trim_end_matches("actions=drop").trim_end().to_string(),
        None => format!("?{}{}", out.stdout, out.stderr),
    }
}

/// Our verdict. The reference's flow_mod decoding adds one check of its
/// own after the match's (conntrack tuple vs IP version), so do we.
fn ours(r: Result<Match, openflow::OfpError>) -> String {
    match r.and_then(|m| m.check_ct_tuple().map(|()| m)) {
        Ok(m) => m.format(0x8000, None),
        Err(e) => error_name(e),
    }
}

/// (dialect, TLV bytes) for every mutation of every base.
fn cases() -> Vec<(bool, Vec<u8>)> {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut out = Vec::new();
    for s in BASES {
        let m = parse(s);
        let mut oxm = Vec::new();
        m.encode_oxm_fields(Version::Of13, &mut oxm);
        for c in mutations(&oxm, &mut rng) {
            out.push((true, c));
        }
        let mut nxm = Vec::new();
        m.encode_nxm(&mut nxm);
        for c in mutations(&nxm, &mut rng) {
            out.push((false, c));
        }
    }
    out
}

fn check(cases: &[(bool, Vec<u8>)]) -> Vec<String> {
    let mut bad = Vec::new();
    for (oxm, c) in cases {
        let (msg, mine) = if *oxm {
            let mut mb = Vec::new();
            mb.put_be16(1);
            mb.put_be16(4 + c.len() as u16);
            mb.extend_from_slice(c);
            mb.pad_from(0, 8);
            (
                of13_flow_mod(c),
                ours(Match::decode_oxm_match(
                    Version::Of13,
                    &mut Reader::new(&mb),
                )),
            )
        } else {
            (
                nxt_flow_mod(c),
                ours(Match::decode_nxm(&mut Reader::new(c), c.len())),
            )
        };
        let t = theirs(&msg);
        if mine != t {
            let kind = if *oxm { "oxm" } else { "nxm" };
            bad.push(format!(
                "{kind} {}\n   ours:   {mine}\n   theirs: {t}",
                hex(c)
            ));
        }
    }
    bad
}

#[test]
fn mutated_matches_decode_like_reference() {
    require_ofctl();
    let all = cases();
    assert!(all.len() > 1000, "{}", all.len());
    let chunks: Vec<&[(bool, Vec<u8>)]> = all.chunks(all.len().div_ceil(4)).collect();
    let bad: Vec<String> = std::thread::scope(|sc| {
        let hs: Vec<_> = chunks.iter().map(|c| sc.spawn(move || check(c))).collect();
        hs.into_iter().flat_map(|h| h.join().unwrap()).collect()
    });
    assert!(
        bad.is_empty(),
        "{} of {} differ:\n{}",
        bad.len(),
        all.len(),
        bad.join("\n")
    );
}

/// Match text that meets `f`'s prerequisites (and makes it printable).
fn prereq_prefix(f: openflow::field::FieldId) -> &'static str {
    use openflow::field::Prereq;
    let name = f.name();
    match f.prereq() {
        Prereq::None | Prereq::Ethernet => match name {
            "tun_erspan_idx" => "tun_erspan_ver=1",
            "tun_erspan_dir" | "tun_erspan_hwid" => "tun_erspan_ver=2",
            _ => "",
        },
        Prereq::VlanVid => "vlan_vid=0x1005",
        Prereq::Ipv4 | Prereq::IpAny => "ip",
        Prereq::Ipv6 => "ipv6",
        Prereq::Arp => "arp",
        Prereq::Mpls => "mpls",
        Prereq::Nsh if name.starts_with("nsh_c") => "dl_type=0x894f,nsh_mdtype=1",
        Prereq::Nsh => "dl_type=0x894f",
        Prereq::Tcp => "tcp",
        Prereq::Udp => "udp",
        Prereq::Sctp => "sctp",
        Prereq::Icmpv4 => "icmp",
        Prereq::Icmpv6 => "icmp6",
        Prereq::Nd | Prereq::NdSolicit => "icmp6,icmp_type=135",
        Prereq::NdAdvert => "icmp6,icmp_type=136",
        Prereq::Ct if name.contains("ipv6") => "ipv6,ct_state=+trk+est",
        Prereq::Ct if name.starts_with("ct_tp") => "ip,ct_state=+trk+est,ct_nw_proto=6",
        Prereq::Ct => "ip,ct_state=+trk+est",
    }
}

/// Every field's TLV with extreme and ordinary values (after TLVs meeting
/// its prerequisites), exact and masked: the reference's value checks
/// (OFPBMC_BAD_VALUE) and printing, field by field.
#[test]
fn field_values_decode_like_reference() {
    use openflow::field::{encode_tlv, FieldId};
    require_ofctl();
    let mut all = Vec::new();
    for f in FieldId::all() {
        let Some(w) = f.wire_for(Version::Of13) else {
            continue;
        };
        if f.tun_metadata_index().is_some_and(|i| i > 0) {
            continue;
        }
        let n = if f.tun_metadata_index().is_some() {
            4
        } else {
            f.n_bytes()
        };
        let _ = w;
        let mut pre = Vec::new();
        parse(prereq_prefix(f)).encode_oxm_fields(Version::Of13, &mut pre);
        let mut values = vec![vec![0xff; n], vec![0; n], vec![0x80; n]];
        let mut one = vec![0; n];
        one[n - 1] = 1;
        values.push(one.clone());
        let mut two = vec![0; n];
        two[n - 1] = 2;
        values.push(two);
        for v in values {
            let mut masks = vec![None];
            if f.maskable() {
                masks.push(Some(vec![0x0f; n]));
                masks.push(Some(
                    vec![0xff; n]
                        .iter()
                        .enumerate()
                        .map(|(i, _)| if i == 0 { 0 } else { 0xff })
                        .collect(),
                ));
            }
            for m in masks {
                let v = match &m {
                    Some(m) => v.iter().zip(m).map(|(a, b)| a & b).collect(),
                    None => v.clone(),
                };
                let mut c = pre.clone();
                encode_tlv(&mut c, f, &v, m.as_deref(), Version::Of13);
                all.push((true, c));
            }
        }
    }
    assert!(all.len() > 600, "{}", all.len());
    let chunks: Vec<&[(bool, Vec<u8>)]> = all.chunks(all.len().div_ceil(4)).collect();
    let bad: Vec<String> = std::thread::scope(|sc| {
        let hs: Vec<_> = chunks.iter().map(|c| sc.spawn(move || check(c))).collect();
        hs.into_iter().flat_map(|h| h.join().unwrap()).collect()
    });
    assert!(
        bad.is_empty(),
        "{} of {} differ:\n{}",
        bad.len(),
        all.len(),
        bad.join("\n")
    );
}
