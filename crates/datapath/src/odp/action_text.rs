//! Datapath actions as text (`actions:` of `dpctl/dump-flows`, the second
//! argument of `dpctl/add-flow`): `2,push_vlan(vid=100,pcp=0),set(eth(src=..))`.

use std::fmt::Write;

use openflow::flow_match::key::{self as k, FlowKey};

use super::fields::{self as fl, Field, Group};
use super::key_text::{PortNameFn, PortNumberFn};
use super::value;
use super::OdpAction;

/// Terse action text; an empty list is `drop`.
pub fn format_actions(actions: &[OdpAction]) -> String {
    format_actions_with(actions, None)
}

/// Action text with output ports named by `names` (verbose dumps).
pub fn format_actions_with(actions: &[OdpAction], names: Option<PortNameFn<'_>>) -> String {
    let mut out = String::with_capacity(64);
    if actions.is_empty() {
        out.push_str("drop");
    } else {
        write_list(&mut out, actions, names);
    }
    out
}

fn write_list(out: &mut String, actions: &[OdpAction], names: Option<PortNameFn<'_>>) {
    for (i, a) in actions.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_action(out, a, names);
    }
}

fn write_action(out: &mut String, a: &OdpAction, names: Option<PortNameFn<'_>>) {
    match a {
        OdpAction::Output(p) => match names.and_then(|f| f(*p)) {
            Some(n) => out.push_str(&n),
            None => {
                let _ = write!(out, "{p}");
            }
        },
        OdpAction::Userspace { pid, userdata } => {
            let _ = write!(out, "userspace(pid={pid}");
            if !userdata.is_empty() {
                out.push(',');
                super::cookie::write(out, userdata);
            }
            out.push(')');
        }
        OdpAction::PushVlan { tpid, tci } => {
            out.push_str("push_vlan(");
            if *tpid != fl::ETH_TYPE_VLAN {
                let _ = write!(out, "tpid={tpid:#x},");
            }
            let _ = write!(out, "vid={},pcp={}", tci & 0xfff, tci >> 13);
            if tci & 0x1000 == 0 {
                out.push_str(",cfi=0");
            }
            out.push(')');
        }
        OdpAction::PopVlan => out.push_str("pop_vlan"),
        OdpAction::PushMpls { lse, ethertype } => {
            let _ = write!(
                out,
                "push_mpls(label={},tc={},ttl={},bos={},eth_type={ethertype:#x})",
                lse >> 12,
                (lse >> 9) & 7,
                lse & 0xff,
                (lse >> 8) & 1
            );
        }
        OdpAction::PopMpls { ethertype } => {
            let _ = write!(out, "pop_mpls(eth_type={ethertype:#x})");
        }
        OdpAction::SetMasked { key, mask } => write_set(out, key, mask),
        OdpAction::Clone(inner) => {
            out.push_str("clone(");
            if inner.is_empty() {
                out.push_str("drop");
            }
            write_list(out, inner, names);
            out.push(')');
        }
        OdpAction::Sample {
            probability,
            actions,
        } => {
            let pct = f64::from(*probability) / f64::from(u32::MAX) * 100.0;
            let _ = write!(out, "sample(sample={pct:.1}%,actions(");
            if actions.is_empty() {
                out.push_str("drop");
            }
            write_list(out, actions, names);
            out.push_str("))");
        }
        OdpAction::Recirc(id) => {
            out.push_str("recirc(");
            value::alt_hex(out, u128::from(*id));
            out.push(')');
        }
        OdpAction::Hash { alg, basis } => {
            let name = if *alg == 1 { "sym_l4" } else { "l4" };
            let _ = write!(out, "hash({name}({basis}))");
        }
        OdpAction::Meter(m) => {
            let _ = write!(out, "meter({m})");
        }
        OdpAction::Trunc(n) => {
            let _ = write!(out, "trunc({n})");
        }
        OdpAction::CtClear => out.push_str("ct_clear"),
        OdpAction::Drop => out.push_str("drop"),
    }
}

/// The header a masked set writes, chosen from the slots it covers and, where
/// slots are shared (ipv4/arp, tcp/udp/sctp), from the key's unmasked
/// DL_TYPE/NW_PROTO.
fn set_groups(key: &FlowKey, mask: &FlowKey) -> Vec<&'static Group> {
    let mut v = Vec::new();
    let any = |g: &Group| g.fields.iter().any(|f| f.get(mask) != 0);
    if any(&fl::ETH) {
        v.push(&fl::ETH);
    }
    let dl_type = key.u16(k::DL_TYPE);
    let l3: Option<&'static Group> = match dl_type {
        fl::ETH_TYPE_IPV6 => Some(&fl::IPV6),
        fl::ETH_TYPE_ARP | fl::ETH_TYPE_RARP => Some(&fl::ARP),
        fl::ETH_TYPE_IP => Some(&fl::IPV4),
        fl::ETH_TYPE_MPLS | fl::ETH_TYPE_MPLS_MCAST => Some(&fl::MPLS),
        _ => [&fl::MPLS, &fl::IPV6, &fl::ARP, &fl::IPV4]
            .into_iter()
            .find(|g| {
                any(g) && !(g.name == "arp" && mask.is_zero(k::ARP_SHA) && mask.is_zero(k::ARP_THA))
            }),
    };
    if let Some(g) = l3 {
        if any(g) {
            v.push(g);
        }
    }
    let proto = key.u8(k::NW_PROTO);
    let l4 = match fl::l4_group(dl_type, proto) {
        Some(g) => g,
        None => &fl::TCP,
    };
    if any(l4) {
        v.push(l4);
    }
    if (dl_type == fl::ETH_TYPE_IPV6 || dl_type == 0)
        && any(&fl::ND)
        && !std::ptr::eq(l3.unwrap_or(&fl::ETH), &fl::ARP)
    {
        // nd shares sll/tll with arp's sha/tha: only when this is not arp.
        if !mask.is_zero(k::ND_TARGET) {
            v.push(&fl::ND);
        }
    }
    v
}

fn write_set(out: &mut String, key: &FlowKey, mask: &FlowKey) {
    let mut first = true;
    let mut begin = |out: &mut String| {
        if !first {
            out.push(',');
        }
        first = false;
        out.push_str("set(");
    };
    for fld in [&fl::SKB_PRIORITY, &fl::SKB_MARK] {
        let m = fld.get(mask);
        if m != 0 {
            begin(out);
            out.push_str(fld.name);
            out.push('(');
            value::alt_hex(out, fld.get(key));
            if m != fld.full() {
                out.push('/');
                value::alt_hex(out, m);
            }
            out.push_str("))");
        }
    }
    for g in set_groups(key, mask) {
        begin(out);
        out.push_str(g.name);
        out.push('(');
        let mut sep = false;
        for fld in g.fields {
            let m = fld.get(mask);
            if m == 0 && !g.keep_all {
                continue;
            }
            if sep {
                out.push(',');
            }
            sep = true;
            value::field(out, fld, fld.get(key), m);
        }
        out.push_str("))");
    }
    if first {
        // Nothing to write: the reference has no text for that; keep it parseable.
        out.push_str("set(skb_mark(0/0))");
    }
}

/// Parses action text (numeric ports only).
pub fn parse_actions(s: &str) -> Result<Vec<OdpAction>, String> {
    parse_actions_with(s, None)
}

/// Parses action text; port names resolved by `ports`.
pub fn parse_actions_with(
    s: &str,
    ports: Option<PortNumberFn<'_>>,
) -> Result<Vec<OdpAction>, String> {
    let s = s.trim();
    let s = s.strip_prefix("actions:").unwrap_or(s);
    let mut out = Vec::new();
    for item in value::split_top(s)? {
        if item.is_empty() {
            return Err(format!("empty action in \"{s}\""));
        }
        if item == "drop" {
            continue;
        }
        out.push(parse_action(item, ports)?);
    }
    Ok(out)
}

fn kv(inner: &str) -> Result<Vec<(&str, &str)>, String> {
    value::split_top(inner)?
        .into_iter()
        .filter(|s| !s.is_empty())
        .map(|f| {
            f.split_once('=')
                .ok_or_else(|| format!("expected name=value, found \"{f}\""))
        })
        .collect()
}

fn num<T: TryFrom<u128>>(s: &str, what: &str) -> Result<T, String> {
    let n = value::number(s)?;
    T::try_from(n).map_err(|_| format!("{what} {s} is out of range"))
}

fn parse_action(item: &str, ports: Option<PortNumberFn<'_>>) -> Result<OdpAction, String> {
    let (name, inner) = value::call(item)?;
    let need = |what: &str| inner.ok_or_else(|| format!("{what} needs arguments"));
    Ok(match name {
        "pop_vlan" => OdpAction::PopVlan,
        "ct_clear" => OdpAction::CtClear,
        "push_vlan" => {
            let (mut tpid, mut tci) = (fl::ETH_TYPE_VLAN, 0x1000u16);
            for (k, v) in kv(need(name)?)? {
                match k {
                    "tpid" => tpid = num(v, k)?,
                    "vid" => tci = (tci & !0xfff) | (num::<u16>(v, k)? & 0xfff),
                    "pcp" => tci = (tci & 0x1fff) | ((num::<u16>(v, k)? & 7) << 13),
                    "cfi" => tci = (tci & !0x1000) | ((num::<u16>(v, k)? & 1) << 12),
                    _ => return Err(format!("unknown push_vlan field {k}")),
                }
            }
            OdpAction::PushVlan { tpid, tci }
        }
        "push_mpls" => {
            let (mut lse, mut ethertype) = (0u32, fl::ETH_TYPE_MPLS);
            for (k, v) in kv(need(name)?)? {
                let n: u32 = num(v, k)?;
                match k {
                    "label" => lse = (lse & 0xfff) | (n << 12),
                    "tc" => lse = (lse & !(7 << 9)) | ((n & 7) << 9),
                    "ttl" => lse = (lse & !0xff) | (n & 0xff),
                    "bos" => lse = (lse & !(1 << 8)) | ((n & 1) << 8),
                    "eth_type" => ethertype = n as u16,
                    _ => return Err(format!("unknown push_mpls field {k}")),
                }
            }
            OdpAction::PushMpls { lse, ethertype }
        }
        "pop_mpls" => {
            let kvs = kv(need(name)?)?;
            match kvs.as_slice() {
                [("eth_type", v)] => OdpAction::PopMpls {
                    ethertype: num(v, "eth_type")?,
                },
                _ => return Err(format!("syntax error at {item}")),
            }
        }
        "set" => parse_set(need(name)?)?,
        "clone" => OdpAction::Clone(parse_actions_with(need(name)?, ports)?),
        "sample" => {
            let mut probability = u32::MAX;
            let mut actions = Vec::new();
            for part in value::split_top(need(name)?)? {
                if let Some(p) = part.strip_prefix("sample=") {
                    let pct: f64 = p
                        .trim_end_matches('%')
                        .parse()
                        .map_err(|_| format!("invalid sample probability {p}"))?;
                    if !(0.0..=100.0).contains(&pct) {
                        return Err(format!("invalid sample probability {p}"));
                    }
                    probability = (pct / 100.0 * f64::from(u32::MAX)).round() as u32;
                } else if let (n, Some(acts)) = value::call(part)? {
                    if n != "actions" {
                        return Err(format!("syntax error at {part}"));
                    }
                    actions = parse_actions_with(acts, ports)?;
                } else {
                    return Err(format!("syntax error at {part}"));
                }
            }
            OdpAction::Sample {
                probability,
                actions,
            }
        }
        "recirc" => OdpAction::Recirc(num(need(name)?, name)?),
        "meter" => OdpAction::Meter(num(need(name)?, name)?),
        "trunc" => OdpAction::Trunc(num(need(name)?, name)?),
        "hash" => {
            let (alg, basis) = value::call(need(name)?)?;
            let alg = match alg {
                "l4" | "hash_l4" => 0,
                "sym_l4" | "hash_sym_l4" => 1,
                _ => return Err(format!("unknown hash algorithm {alg}")),
            };
            let basis = num(basis.ok_or("hash needs a basis")?, "hash basis")?;
            OdpAction::Hash { alg, basis }
        }
        "userspace" => {
            let mut pid = 0;
            let mut userdata = Vec::new();
            for part in value::split_top(need(name)?)? {
                if let Some(p) = part.strip_prefix("pid=") {
                    pid = num(p, "pid")?;
                } else {
                    userdata = super::cookie::parse(part)?;
                }
            }
            OdpAction::Userspace { pid, userdata }
        }
        _ if inner.is_none() => {
            let port = match value::number(name) {
                Ok(n) => u32::try_from(n).map_err(|_| format!("port {name} is out of range"))?,
                Err(_) => ports
                    .and_then(|f| f(name))
                    .ok_or_else(|| format!("unknown action or port {name}"))?,
            };
            OdpAction::Output(port)
        }
        _ => return Err(format!("unknown action {name}")),
    })
}

fn parse_set(inner: &str) -> Result<OdpAction, String> {
    let mut key = FlowKey::default();
    let mut mask = FlowKey::default();
    let (name, fields) = value::call(inner)?;
    let fields = fields.ok_or_else(|| format!("syntax error at {inner}"))?;
    let scalar = |fld: &Field, key: &mut FlowKey, mask: &mut FlowKey| -> Result<(), String> {
        let (v, m) = value::parse_field(fld, fields)?;
        fld.set(key, v);
        fld.set(mask, m);
        Ok(())
    };
    match name {
        "skb_priority" => scalar(&fl::SKB_PRIORITY, &mut key, &mut mask)?,
        "skb_mark" => scalar(&fl::SKB_MARK, &mut key, &mut mask)?,
        _ => {
            let g = fl::group_by_name(name)
                .filter(|g| {
                    [
                        "eth", "ipv4", "ipv6", "arp", "mpls", "tcp", "udp", "sctp", "icmp",
                        "icmpv6", "nd",
                    ]
                    .contains(&g.name)
                })
                .ok_or_else(|| format!("cannot set {name}"))?;
            for (n, v) in kv(fields)? {
                let fld = g
                    .fields
                    .iter()
                    .find(|f| f.name == n)
                    .ok_or_else(|| format!("unknown field {name}({n})"))?;
                let (v, m) = value::parse_field(fld, v)?;
                fld.set(&mut key, v);
                fld.set(&mut mask, m);
            }
            // Which header: recorded unmasked so the text comes back the same.
            let (dl_type, proto) = match name {
                "ipv4" => (fl::ETH_TYPE_IP, None),
                "ipv6" | "nd" => (fl::ETH_TYPE_IPV6, None),
                "arp" => (fl::ETH_TYPE_ARP, None),
                "mpls" => (fl::ETH_TYPE_MPLS, None),
                "tcp" => (0, Some(6)),
                "udp" => (0, Some(17)),
                "sctp" => (0, Some(132)),
                "icmp" => (fl::ETH_TYPE_IP, Some(1)),
                "icmpv6" => (fl::ETH_TYPE_IPV6, Some(58)),
                _ => (0, None),
            };
            if dl_type != 0 {
                key.set_uint(k::DL_TYPE, u64::from(dl_type));
            }
            if let Some(p) = proto {
                key.set_uint(k::NW_PROTO, p);
            }
        }
    }
    Ok(OdpAction::SetMasked { key, mask })
}
