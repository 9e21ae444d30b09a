//! Hand-made frames for edge cases the key generator cannot express:
//! truncated and malformed headers, extension headers, ND option quirks,
//! QinQ, 802.3/SNAP, MPLS stacks, NSH variants.

pub const DST: [u8; 6] = [0, 1, 2, 3, 4, 5];
pub const SRC: [u8; 6] = [0, 1, 2, 3, 4, 6];

pub fn eth(ty: u16, payload: &[u8]) -> Vec<u8> {
    let mut f = Vec::new();
    f.extend_from_slice(&DST);
    f.extend_from_slice(&SRC);
    f.extend_from_slice(&ty.to_be_bytes());
    f.extend_from_slice(payload);
    f
}

pub fn cat(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

/// An IPv4 packet (no checksum; extraction does not check it).
pub fn ip4(proto: u8, l4: &[u8], frag: u16, ihl: u8, tot: Option<u16>) -> Vec<u8> {
    let opts = vec![1u8; usize::from(ihl.saturating_sub(5)) * 4];
    let tot = tot.unwrap_or((20 + opts.len() + l4.len()) as u16);
    let mut h = vec![0x40 | ihl, 0x2c];
    h.extend_from_slice(&tot.to_be_bytes());
    h.extend_from_slice(&[0, 7]);
    h.extend_from_slice(&frag.to_be_bytes());
    h.extend_from_slice(&[63, proto, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2]);
    h.extend_from_slice(&opts);
    h.extend_from_slice(l4);
    h
}

pub fn ip6(next: u8, payload: &[u8], plen: Option<u16>) -> Vec<u8> {
    let vtc: u32 = (6 << 28) | (0x2b << 20) | 0x12345;
    let mut h = vtc.to_be_bytes().to_vec();
    h.extend_from_slice(&plen.unwrap_or(payload.len() as u16).to_be_bytes());
    h.extend_from_slice(&[next, 61]);
    h.extend((0..32).map(|i| i as u8));
    h.extend_from_slice(payload);
    h
}

pub fn udp(sp: u16, dp: u16) -> Vec<u8> {
    cat(&[&sp.to_be_bytes(), &dp.to_be_bytes(), &[0, 8, 0, 0]])
}

pub fn tcp(ctl: u16) -> Vec<u8> {
    cat(&[
        &[0, 80, 1, 187, 0, 0, 0, 1, 0, 0, 0, 2],
        &ctl.to_be_bytes(),
        &[0, 100, 0, 0, 0, 0],
    ])
}

const TGT: [u8; 16] = [
    0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf,
];

/// An NS (135) or NA (136) with the given reserved word, target bytes and
/// raw options.
pub fn nd(ty: u8, code: u8, reserved: u32, target: &[u8], opts: &[u8]) -> Vec<u8> {
    let icmp = cat(&[&[ty, code, 0, 0], &reserved.to_be_bytes(), target, opts]);
    eth(0x86dd, &ip6(58, &icmp, None))
}

pub fn lla(ty: u8, len: u8, mac: [u8; 6]) -> Vec<u8> {
    cat(&[&[ty, len], &mac])
}

/// (name, frame) edge cases.
pub fn edge_cases() -> Vec<(String, Vec<u8>)> {
    let u = udp(1111, 2222);
    let m1 = [1, 2, 3, 4, 5, 6];
    let m2 = [9, 9, 9, 9, 9, 9];
    let mut v: Vec<(&str, Vec<u8>)> = vec![
        ("eth only", eth(0x0800, &[])),
        (
            "ip short",
            eth(0x0800, &[0x45, 0, 0, 40, 0, 0, 0, 0, 64, 6]),
        ),
        ("ip tot too big", eth(0x0800, &ip4(6, &[], 0, 5, Some(40)))),
        (
            "ip tot below ihl",
            eth(0x0800, &ip4(17, &u, 0, 5, Some(19))),
        ),
        ("ip ihl 4", eth(0x0800, &ip4(17, &u, 0, 4, None))),
        ("ip options", eth(0x0800, &ip4(17, &u, 0, 6, None))),
        (
            "ip ihl past end",
            eth(0x0800, &ip4(17, &[], 0, 15, Some(20))),
        ),
        ("ip version 6 in v4", {
            let mut f = eth(0x0800, &ip4(17, &u, 0, 5, None));
            f[14] = 0x65;
            f
        }),
        (
            "ip padded",
            cat(&[&eth(0x0800, &ip4(17, &u, 0, 5, None)), &[0; 10]]),
        ),
        ("ip later frag", eth(0x0800, &ip4(17, &u, 0x0010, 5, None))),
        ("ip first frag", eth(0x0800, &ip4(17, &u, 0x2000, 5, None))),
        ("ip DF", eth(0x0800, &ip4(17, &u, 0x4000, 5, None))),
        (
            "icmp",
            eth(0x0800, &ip4(1, &[8, 3, 0, 0, 0, 0, 0, 0], 0, 5, None)),
        ),
        (
            "icmp short",
            eth(0x0800, &ip4(1, &[8, 3, 0, 0, 0, 0, 0], 0, 5, None)),
        ),
        (
            "igmp",
            eth(0x0800, &ip4(2, &[0x11, 5, 0, 0, 224, 0, 0, 1], 0, 5, None)),
        ),
        (
            "sctp short",
            eth(0x0800, &ip4(132, &[0, 5, 0, 6, 0, 0, 0, 0], 0, 5, None)),
        ),
        ("udp short", eth(0x0800, &ip4(17, &u[..7], 0, 5, None))),
        (
            "udp cut by ip length",
            eth(0x0800, &ip4(17, &u, 0, 5, Some(27))),
        ),
        (
            "tcp all flags",
            eth(0x0800, &ip4(6, &tcp(0x51ff), 0, 5, None)),
        ),
        (
            "tcp offset 3",
            eth(0x0800, &ip4(6, &tcp(0x3002), 0, 5, None)),
        ),
        (
            "tcp offset 15",
            eth(0x0800, &ip4(6, &tcp(0xf002), 0, 5, None)),
        ),
        (
            "tcp offset 6 no options",
            eth(0x0800, &ip4(6, &tcp(0x6002), 0, 5, None)),
        ),
        (
            "tcp 19 bytes",
            eth(0x0800, &ip4(6, &tcp(0x5002)[..19], 0, 5, None)),
        ),
        ("v6 udp", eth(0x86dd, &ip6(17, &u, None))),
        ("v6 plen too big", eth(0x86dd, &ip6(17, &u, Some(9)))),
        ("v6 short", eth(0x86dd, &ip6(17, &[], None)[..39])),
        (
            "v6 frag first",
            eth(
                0x86dd,
                &ip6(44, &cat(&[&[17, 0, 0, 1, 0, 0, 0, 9], &u]), None),
            ),
        ),
        (
            "v6 frag atomic",
            eth(
                0x86dd,
                &ip6(44, &cat(&[&[17, 0, 0, 0, 0, 0, 0, 9], &u]), None),
            ),
        ),
        (
            "v6 frag later",
            eth(
                0x86dd,
                &ip6(44, &cat(&[&[17, 0, 0, 0x81, 0, 0, 0, 9], &u]), None),
            ),
        ),
        (
            "v6 frag later no M",
            eth(
                0x86dd,
                &ip6(44, &cat(&[&[6, 0, 0, 0x80, 0, 0, 0, 9], &u]), None),
            ),
        ),
        (
            "v6 frag short",
            eth(0x86dd, &ip6(44, &[17, 0, 0, 1, 0, 0, 0], None)),
        ),
        (
            "v6 hop+dstopts",
            eth(
                0x86dd,
                &ip6(
                    0,
                    &cat(&[&[60, 0, 1, 4, 0, 0, 0, 0], &[17, 0, 1, 4, 0, 0, 0, 0], &u]),
                    None,
                ),
            ),
        ),
        (
            "v6 hop short",
            eth(0x86dd, &ip6(0, &[17, 0, 1, 4, 0, 0, 0], None)),
        ),
        (
            "v6 hop len eats udp",
            eth(
                0x86dd,
                &ip6(0, &cat(&[&[17, 1, 1, 4, 0, 0, 0, 0], &u]), None),
            ),
        ),
        (
            "v6 hop len past end",
            eth(
                0x86dd,
                &ip6(0, &cat(&[&[17, 2, 1, 4, 0, 0, 0, 0], &u]), None),
            ),
        ),
        (
            "v6 routing then frag",
            eth(
                0x86dd,
                &ip6(
                    43,
                    &cat(&[
                        &[44, 0, 0, 0, 0, 0, 0, 0],
                        &[6, 0, 0, 1, 0, 0, 0, 1],
                        &tcp(0x5010),
                    ]),
                    None,
                ),
            ),
        ),
        (
            "v6 ah",
            eth(
                0x86dd,
                &ip6(51, &cat(&[&[17, 1, 0, 0, 0, 0, 0, 0], &u, &u]), None),
            ),
        ),
        (
            "v6 ah eats udp",
            eth(
                0x86dd,
                &ip6(51, &cat(&[&[17, 1, 0, 0, 0, 0, 0, 0], &u]), None),
            ),
        ),
        ("v6 no next", eth(0x86dd, &ip6(59, &[], None))),
        (
            "icmp6 echo",
            eth(0x86dd, &ip6(58, &[128, 0, 0, 0, 0, 0, 0, 0], None)),
        ),
        ("icmp6 short", eth(0x86dd, &ip6(58, &[128, 0, 0, 0], None))),
        ("ns sll", nd(135, 0, 0, &TGT, &lla(1, 1, m1))),
        ("ns tll", nd(135, 0, 0, &TGT, &lla(2, 1, m1))),
        ("na tll rso", nd(136, 0, 0x6000_0000, &TGT, &lla(2, 1, m1))),
        (
            "na sll+tll",
            nd(136, 0, 0, &TGT, &cat(&[&lla(1, 1, m2), &lla(2, 1, m1)])),
        ),
        (
            "ns dup sll",
            nd(135, 0, 0, &TGT, &cat(&[&lla(1, 1, m1), &lla(1, 1, m2)])),
        ),
        (
            "na dup tll",
            nd(136, 0, 0, &TGT, &cat(&[&lla(2, 1, m1), &lla(2, 1, m1)])),
        ),
        (
            "ns zero sll then sll",
            nd(135, 0, 0, &TGT, &cat(&[&lla(1, 1, [0; 6]), &lla(1, 1, m1)])),
        ),
        ("ns opt len 0", nd(135, 0, 0, &TGT, &lla(1, 0, m1))),
        (
            "ns sll then len 0",
            nd(135, 0, 0, &TGT, &cat(&[&lla(1, 1, m1), &lla(2, 0, m2)])),
        ),
        (
            "ns sll then overrun",
            nd(135, 0, 0, &TGT, &cat(&[&lla(1, 1, m1), &lla(2, 2, m2)])),
        ),
        ("ns unknown option", nd(135, 0, 0, &TGT, &lla(5, 1, m1))),
        (
            "ns sll len 2",
            nd(135, 0, 0, &TGT, &cat(&[&lla(1, 2, m1), &[0; 8]])),
        ),
        (
            "ns trailing bytes",
            nd(135, 0, 0, &TGT, &cat(&[&lla(1, 1, m1), &[0; 4]])),
        ),
        ("ns target cut", nd(135, 0, 0, &TGT[..10], &[])),
        ("ns code 1", nd(135, 1, 0, &TGT, &lla(1, 1, m1))),
        (
            "mpls",
            eth(
                0x8847,
                &cat(&[
                    &((1000u32 << 12) | (5 << 9) | (1 << 8) | 33).to_be_bytes(),
                    &ip4(17, &u, 0, 5, None),
                ]),
            ),
        ),
        ("mpls short", eth(0x8847, &[0, 1])),
        (
            "mpls two entries",
            eth(
                0x8848,
                &cat(&[
                    &((1000u32 << 12) | 33).to_be_bytes(),
                    &((7u32 << 12) | 0x100 | 2).to_be_bytes(),
                ]),
            ),
        ),
        (
            "arp short",
            eth(0x0806, &cat(&[&[0, 1, 8, 0, 6, 4, 0, 1], &[0; 19]])),
        ),
        (
            "arp hw type 6",
            eth(0x0806, &cat(&[&[0, 6, 8, 0, 6, 4, 0, 1], &[0; 20]])),
        ),
        (
            "arp op 0x101",
            eth(
                0x0806,
                &cat(&[&[0, 1, 8, 0, 6, 4, 1, 1], &(0..20).collect::<Vec<u8>>()]),
            ),
        ),
        (
            "rarp",
            eth(
                0x8035,
                &cat(&[&[0, 1, 8, 0, 6, 4, 0, 3], &(0..20).collect::<Vec<u8>>()]),
            ),
        ),
        (
            "snap ip",
            eth(
                46,
                &cat(&[&[0xaa, 0xaa, 3, 0, 0, 0, 8, 0], &ip4(17, &u, 0, 5, None)]),
            ),
        ),
        (
            "snap other oui",
            eth(
                46,
                &cat(&[&[0xaa, 0xaa, 3, 0, 0, 1, 8, 0], &ip4(17, &u, 0, 5, None)]),
            ),
        ),
        (
            "snap small type",
            eth(46, &[0xaa, 0xaa, 3, 0, 0, 0, 5, 0, 1, 2]),
        ),
        ("snap cut", eth(46, &[0xaa, 0xaa, 3, 0, 0, 0, 8])),
        ("802.3 stp", eth(38, &[0x42, 0x42, 3, 0, 0, 0, 0])),
        ("vlan short", eth(0x8100, &[0, 5, 8])),
        (
            "vlan then 802.3",
            eth(0x8100, &cat(&[&[0, 5, 0, 32], &[0; 30]])),
        ),
        ("vlan all ones", eth(0x8100, &[0xff, 0xff, 8, 0])),
        (
            "802.1ad outer",
            eth(
                0x88a8,
                &cat(&[&[0x20, 0x65, 8, 0], &ip4(17, &u, 0, 5, None)]),
            ),
        ),
        (
            "qinq",
            eth(
                0x88a8,
                &cat(&[&[0x20, 0x65, 0x81, 0, 0, 7, 8, 0], &ip4(17, &u, 0, 5, None)]),
            ),
        ),
        (
            "double 8100",
            eth(
                0x8100,
                &cat(&[&[0, 10, 0x81, 0, 0, 20, 0x86, 0xdd], &ip6(17, &u, None)]),
            ),
        ),
        (
            "nsh md1",
            eth(
                0x894f,
                &cat(&[
                    &[0x0f, 0xc6, 1, 3, 0, 0, 0x12, 5],
                    &(1..17).collect::<Vec<u8>>(),
                ]),
            ),
        ),
        ("nsh md2", eth(0x894f, &[0x0f, 0xc2, 2, 3, 0, 0, 0x12, 5])),
        (
            "nsh md1 short",
            eth(0x894f, &cat(&[&[0x0f, 0xc6, 1, 3, 0, 0, 0x12, 5], &[1; 9]])),
        ),
        (
            "nsh version 1",
            eth(
                0x894f,
                &cat(&[&[0x4f, 0xc6, 1, 3, 0, 0, 0x12, 5], &[1; 16]]),
            ),
        ),
        (
            "nsh md type 0xf2",
            eth(0x894f, &[0x3f, 0xc2, 0xf2, 3, 0xab, 0xcd, 0xef, 5]),
        ),
        (
            "nsh md2 length past end",
            eth(0x894f, &cat(&[&[0x0f, 0xc5, 2, 3, 0, 0, 0x12, 5], &[0; 8]])),
        ),
        ("lldp", eth(0x88cc, &[2, 7, 4, 0, 1, 2, 3, 4, 5])),
    ];
    v.drain(..).map(|(n, f)| (n.to_string(), f)).collect()
}
