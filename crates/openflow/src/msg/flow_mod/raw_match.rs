//! The wire-level match text ofp-print shows for flow mods at verbosity 3
//! and above: OF1.0's `ofp_match` field by field, wildcards as "*"
//! ("tcp,in_port=*,dl_vlan=*,...,tp_dst=80"), and NXM matches as their TLVs
//! ("NXM_OF_IN_PORT(0001), NXM_NX_REG0_W(00000005/000000ff)").

use std::fmt::Write;
use std::net::Ipv4Addr;

use crate::field::FieldId;
use crate::msg::flow_mod::port_text;
use crate::port::{PortMap, PortNo};

// OFPFW10_* wildcard bits.
const W_IN_PORT: u32 = 1 << 0;
const W_DL_VLAN: u32 = 1 << 1;
const W_DL_SRC: u32 = 1 << 2;
const W_DL_DST: u32 = 1 << 3;
const W_DL_TYPE: u32 = 1 << 4;
const W_NW_PROTO: u32 = 1 << 5;
const W_TP_SRC: u32 = 1 << 6;
const W_TP_DST: u32 = 1 << 7;
const W_DL_VLAN_PCP: u32 = 1 << 20;
const W_NW_TOS: u32 = 1 << 21;

/// The raw match text of a whole OF1.0 OFPT_FLOW_MOD or NXT_FLOW_MOD
/// message, None for other messages (or too short ones).
pub(crate) fn raw_match_text(whole: &[u8], ports: Option<&PortMap>) -> Option<String> {
    match (whole.first()?, whole.get(1)?) {
        (1, 14) => Some(of10_match_text(whole.get(8..48)?, ports)),
        (_, 4) if whole.get(12..16)? == [0, 0, 0, 13] => {
            let body = whole.get(16..)?;
            let len = usize::from(u16::from_be_bytes([*body.get(24)?, *body.get(25)?]));
            Some(nx_match_text(body.get(32..32 + len)?))
        }
        _ => None,
    }
}

fn mac(b: &[u8]) -> String {
    b.iter()
        .map(|x| format!("{x:02x}"))
        .collect::<Vec<_>>()
        .join(":")
}

fn be16(b: &[u8], at: usize) -> u16 {
    u16::from_be_bytes([b[at], b[at + 1]])
}

/// An IPv4 address with its OF1.0 wildcard count (low bits ignored).
fn ip_wild(addr: &[u8], n_wild: u32) -> String {
    let ip = Ipv4Addr::new(addr[0], addr[1], addr[2], addr[3]);
    match n_wild {
        0 => ip.to_string(),
        n if n >= 32 => "*".to_string(),
        n => format!("{ip}/{}", 32 - n),
    }
}

/// `m` is exactly the 40 bytes of an `ofp_match`.
fn of10_match_text(m: &[u8], ports: Option<&PortMap>) -> String {
    let w = u32::from_be_bytes([m[0], m[1], m[2], m[3]]);
    let in_port = PortNo(be16(m, 4));
    let (dl_src, dl_dst) = (&m[6..12], &m[12..18]);
    let dl_vlan = be16(m, 18);
    let dl_vlan_pcp = m[20];
    let dl_type = be16(m, 22);
    let (nw_tos, nw_proto) = (m[24], m[25]);
    let (nw_src, nw_dst) = (&m[28..32], &m[32..36]);
    let (tp_src, tp_dst) = (be16(m, 36), be16(m, 38));

    let mut parts: Vec<String> = Vec::new();
    let mut skip_type = false;
    let mut skip_proto = false;
    if w & W_DL_TYPE == 0 {
        let shorthand = match dl_type {
            0x0800 if w & W_NW_PROTO == 0 => match nw_proto {
                1 => Some(("icmp", true)),
                6 => Some(("tcp", true)),
                17 => Some(("udp", true)),
                132 => Some(("sctp", true)),
                _ => Some(("ip", false)),
            },
            0x0800 => Some(("ip", false)),
            0x0806 => Some(("arp", false)),
            0x8035 => Some(("rarp", false)),
            _ => None,
        };
        if let Some((name, proto)) = shorthand {
            parts.push(name.to_string());
            skip_type = true;
            skip_proto = proto;
        }
    }
    let field = |name: &str, wild: bool, value: String| -> String {
        if wild {
            format!("{name}=*")
        } else {
            format!("{name}={value}")
        }
    };
    parts.push(field(
        "in_port",
        w & W_IN_PORT != 0,
        port_text(in_port, ports),
    ));
    parts.push(field("dl_vlan", w & W_DL_VLAN != 0, dl_vlan.to_string()));
    parts.push(field(
        "dl_vlan_pcp",
        w & W_DL_VLAN_PCP != 0,
        dl_vlan_pcp.to_string(),
    ));
    parts.push(field("dl_src", w & W_DL_SRC != 0, mac(dl_src)));
    parts.push(field("dl_dst", w & W_DL_DST != 0, mac(dl_dst)));
    if !skip_type {
        parts.push(field(
            "dl_type",
            w & W_DL_TYPE != 0,
            format!("0x{dl_type:04x}"),
        ));
    }
    parts.push(format!("nw_src={}", ip_wild(nw_src, (w >> 8) & 0x3f)));
    parts.push(format!("nw_dst={}", ip_wild(nw_dst, (w >> 14) & 0x3f)));
    if !skip_proto {
        let is_arp = w & W_DL_TYPE == 0 && matches!(dl_type, 0x0806 | 0x8035);
        let name = if is_arp { "arp_op" } else { "nw_proto" };
        parts.push(field(name, w & W_NW_PROTO != 0, nw_proto.to_string()));
    }
    parts.push(field("nw_tos", w & W_NW_TOS != 0, nw_tos.to_string()));
    let (src, dst) = if nw_proto == 1 {
        ("icmp_type", "icmp_code")
    } else {
        ("tp_src", "tp_dst")
    };
    parts.push(field(src, w & W_TP_SRC != 0, tp_src.to_string()));
    parts.push(field(dst, w & W_TP_DST != 0, tp_dst.to_string()));
    parts.join(",")
}

/// NXM TLVs by their code-point names; "<any>" for an empty match.
fn nx_match_text(nxm: &[u8]) -> String {
    if nxm.is_empty() {
        return "<any>".to_string();
    }
    let mut items = Vec::new();
    let mut rest = nxm;
    while rest.len() >= 4 {
        let h = u32::from_be_bytes([rest[0], rest[1], rest[2], rest[3]]);
        let len = (h & 0xff) as usize;
        let Some(body) = rest.get(4..4 + len) else {
            break;
        };
        let class = (h >> 16) as u16;
        let field = ((h >> 9) & 0x7f) as u8;
        let masked = h & 0x100 != 0;
        let name = match (class, field) {
            (1, 30) => "NXM_NX_COOKIE".to_string(),
            _ => FieldId::from_nxm_header(h)
                .and_then(|f| {
                    f.wires()
                        .iter()
                        .find(|w| w.class == class && w.field == field)
                })
                .map_or_else(|| format!("{class:04x}:{field}"), |w| w.name.to_string()),
        };
        let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
        let mut item = name;
        if masked {
            let (v, m) = body.split_at(len / 2);
            let _ = write!(item, "_W({}/{})", hex(v), hex(m));
        } else {
            let _ = write!(item, "({})", hex(body));
        }
        items.push(item);
        rest = &rest[4 + len..];
    }
    let mut s = items.join(", ");
    if !rest.is_empty() {
        if !s.is_empty() {
            s.push_str(", ");
        }
        let _ = write!(s, "<{} invalid bytes>", rest.len());
    }
    s
}
