//! The ovs-ofctl action syntax (`man ovs-actions`): the text after
//! `actions=`, with the reference's error messages.

use std::net::Ipv4Addr;

use crate::field::{FieldId, SubField};
use crate::port::{PortMap, PortNo};

use super::controller::{parse_hex_bytes, Controller};
use super::learn::nx;
use super::set_field::SetField;
use super::verify::{self, Outer};
use super::{bundle, check_pkt_larger, ct, learn, multipath, sample, Action, Encap, NshTlv};

/// Packet types (namespace << 16 | type) encap/decap name.
pub(crate) const PT_NSH: u32 = 0x1_894f;
pub(crate) const PT_MPLS: u32 = 0x1_8847;
pub(crate) const PT_MPLS_MC: u32 = 0x1_8848;
/// decap's default: take the new type from the removed header.
pub(crate) const DECAP_NEXT_PROTO: u32 = 0xfffe;

/// Parses the text after `actions=` ("mod_vlan_vid:101,NORMAL"). Besides
/// actions it accepts the instructions (meter, clear_actions,
/// write_actions, write_metadata, goto_table), which must come in
/// OpenFlow 1.1+ order.
pub fn parse_actions(s: &str, ports: Option<&PortMap>) -> Result<Vec<Action>, String> {
    parse_list(s, ports, Context::Top)
}

/// Parses a run of ct's `exec(...)` actions (NAT aside, which ct parses
/// itself): verified as ct's nested actions.
pub(crate) fn parse_ct_actions(s: &str, ports: Option<&PortMap>) -> Result<Vec<Action>, String> {
    parse_list(s, ports, Context::Ct)
}

/// Where a list is being parsed: nested lists may not hold instructions.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Context {
    Top,
    /// Inside `clone(...)`.
    Nested,
    /// Inside `write_actions(...)`.
    WriteActions,
    /// Inside `ct(exec(...))`.
    Ct,
}

/// Parses one list, then verifies it as a whole (see [`verify`]), as the
/// reference does for the top level and for each nested list as soon as
/// that is parsed.
fn parse_list(s: &str, ports: Option<&PortMap>, ctx: Context) -> Result<Vec<Action>, String> {
    let mut acts = vec![];
    // Where NAT actions stood: outside ct they parse, then fail verification.
    let mut nats = vec![];
    let mut drop = false;
    let mut rest = s;
    while let Some((key, value)) = nx::next_key_value(&mut rest) {
        if key.eq_ignore_ascii_case("drop") {
            drop = true;
            continue;
        }
        if key.eq_ignore_ascii_case("nat") {
            ct::Nat::parse("nat", value, ports)?;
            nats.push(acts.len());
            continue;
        }
        acts.push(parse_one(key, value, ports)?);
    }
    if drop && !(acts.is_empty() && nats.is_empty()) {
        return Err(
            "\"drop\" must not be accompanied by any other action or instruction".to_string(),
        );
    }
    verify(&acts, &nats, ctx)?;
    Ok(acts)
}

/// Verifies a parsed list as the reference does (see [`super::verify`]),
/// as nested in the action `ctx` says.
fn verify(acts: &[Action], nats: &[usize], ctx: Context) -> Result<(), String> {
    let outer = match ctx {
        Context::Top => Outer::None,
        Context::Ct => Outer::Ct,
        Context::Nested => Outer::Clone,
        Context::WriteActions => Outer::WriteActions,
    };
    verify::verify(
        &verify::members(acts, nats),
        outer,
        ctx == Context::Top,
        false,
    )
    .map_err(|v| v.message())
}

/// `str_to_u8` of the reference: an int in 0..=255, else `invalid NAME "S"`.
fn str_to_u8(s: &str, name: &str) -> Result<u8, String> {
    nx::str_to_int(s, 0)
        .and_then(|v| u8::try_from(v).ok())
        .ok_or_else(|| format!("invalid {name} \"{s}\""))
}

fn parse_port(s: &str, ports: Option<&PortMap>, what: &str) -> Result<PortNo, String> {
    nx::parse_port(s, ports).ok_or_else(|| format!("{s}: {what} to unknown port"))
}

fn parse_mac(s: &str) -> Option<[u8; 6]> {
    let mut out = [0u8; 6];
    let mut parts = s.split(':');
    for b in out.iter_mut() {
        let p = parts.next()?;
        let digits: String = p.chars().take_while(char::is_ascii_hexdigit).collect();
        if digits.is_empty() || digits.len() > 2 {
            return None;
        }
        *b = u8::from_str_radix(&digits, 16).ok()?;
    }
    Some(out)
}

/// A table number as `goto_table` and `resubmit` read it.
fn parse_table(s: &str) -> Option<u8> {
    let t = nx::str_to_int(s, 10).and_then(|v| u8::try_from(v).ok());
    if t.is_none() {
        crate::flow_text::report_bad_table_number(s);
    }
    t
}

fn parse_one(key: &str, value: &str, ports: Option<&PortMap>) -> Result<Action, String> {
    let kw = key.to_ascii_lowercase();
    Ok(match kw.as_str() {
        "output" | "output_reg" => parse_output(value, ports)?,
        "output_trunc" => return Err(format!("unknown action {value}")),
        "controller" => {
            // Saying no more than a length, it is plain output to the controller port.
            let (c, userdata_given) = Controller::parse_with_keys(value)?;
            if c.is_plain() && !userdata_given {
                Action::Output {
                    port: PortNo::CONTROLLER,
                    max_len: c.max_len,
                }
            } else {
                Action::Controller(Box::new(c))
            }
        }
        "enqueue" => parse_enqueue(value, ports)?,
        "group" => Action::Group(nx::str_to_u32(value)?),
        "bundle" | "bundle_load" => {
            Action::Bundle(Box::new(bundle::Bundle::parse(&kw, value, ports)?))
        }
        "set_vlan_vid" | "mod_vlan_vid" => {
            let vid = nx::str_to_u16(value, "VLAN VID")?;
            if vid & !0xfff != 0 {
                return Err(format!("{value}: not a valid VLAN VID"));
            }
            Action::SetVlanVid {
                vid,
                push_if_needed: kw == "mod_vlan_vid",
                flow_has_vlan: false,
            }
        }
        "set_vlan_pcp" | "mod_vlan_pcp" => {
            let pcp = str_to_u8(value, "VLAN PCP")?;
            if pcp & !7 != 0 {
                return Err(format!("{value}: not a valid VLAN PCP"));
            }
            Action::SetVlanPcp {
                pcp,
                push_if_needed: kw == "mod_vlan_pcp",
                flow_has_vlan: false,
            }
        }
        "strip_vlan" => Action::StripVlan { pop_vlan: false },
        "pop_vlan" => Action::StripVlan { pop_vlan: true },
        "push_vlan" => {
            let e = nx::str_to_u16(value, "ethertype")?;
            if e != 0x8100 && e != 0x88a8 {
                return Err(format!("{value}: not a valid VLAN ethertype"));
            }
            Action::PushVlan(e)
        }
        "mod_dl_src" | "mod_dl_dst" => {
            let m = parse_mac(value).ok_or_else(|| format!("invalid mac address {value}"))?;
            if kw == "mod_dl_src" {
                Action::SetEthSrc(m)
            } else {
                Action::SetEthDst(m)
            }
        }
        "mod_nw_src" | "mod_nw_dst" => {
            let ip: Ipv4Addr = value
                .parse()
                .map_err(|_| format!("{value}: could not convert to IP address"))?;
            if kw == "mod_nw_src" {
                Action::SetIpv4Src(ip)
            } else {
                Action::SetIpv4Dst(ip)
            }
        }
        "mod_nw_tos" => {
            let tos = str_to_u8(value, "TOS")?;
            if tos & 3 != 0 {
                return Err(format!("{value}: not a valid TOS"));
            }
            Action::SetIpDscp(tos)
        }
        "mod_nw_ecn" => {
            let ecn = str_to_u8(value, "ECN")?;
            if ecn > 3 {
                return Err(format!("{value}: not a valid ECN"));
            }
            Action::SetIpEcn(ecn)
        }
        "mod_nw_ttl" | "set_nw_ttl" => Action::SetIpTtl(str_to_u8(value, "TTL")?),
        "mod_tp_src" => Action::SetL4SrcPort {
            port: nx::str_to_u16(value, "source port")?,
            ip_proto: 0,
        },
        "mod_tp_dst" => Action::SetL4DstPort {
            port: nx::str_to_u16(value, "destination port")?,
            ip_proto: 0,
        },
        "move" => parse_move(value)?,
        "set_field" => Action::SetField(Box::new(SetField::parse_set_field(value, ports)?)),
        "load" => Action::SetField(Box::new(SetField::parse_load(value)?)),
        "push" => Action::StackPush(SubField::parse(value)?),
        "pop" => Action::StackPop(SubField::parse(value)?),
        "dec_ttl" => parse_dec_ttl(value)?,
        "set_mpls_label" => {
            let label = nx::str_to_u32(value)?;
            if label & !0xfffff != 0 {
                return Err(format!("{value}: not a valid MPLS label"));
            }
            Action::SetMplsLabel(label)
        }
        "set_mpls_tc" => {
            let tc = str_to_u8(value, "MPLS TC")?;
            if tc & !7 != 0 {
                return Err(format!("{value}: not a valid MPLS TC"));
            }
            Action::SetMplsTc(tc)
        }
        "set_mpls_ttl" => Action::SetMplsTtl(str_to_u8(value, "MPLS TTL")?),
        "dec_mpls_ttl" => Action::DecMplsTtl,
        "push_mpls" => Action::PushMpls(nx::str_to_u16(value, "push_mpls")?),
        "pop_mpls" => Action::PopMpls(nx::str_to_u16(value, "pop_mpls")?),
        "dec_nsh_ttl" => Action::DecNshTtl,
        "encap" => parse_encap(value)?,
        "decap" => parse_decap(value)?,
        "delete_field" => {
            let f = FieldId::by_name(value)
                .ok_or_else(|| format!("{value}: unknown field `{value}'"))?;
            Action::DeleteField(f)
        }
        "set_tunnel" | "set_tunnel64" => Action::SetTunnel {
            tun_id: nx::str_to_u64(value)?,
            is64: kw == "set_tunnel64",
        },
        "set_queue" => Action::SetQueue(nx::str_to_u32(value)?),
        "pop_queue" => Action::PopQueue,
        "fin_timeout" => parse_fin_timeout(value)?,
        "resubmit" => parse_resubmit(value, ports)?,
        "learn" => Action::Learn(Box::new(learn::Learn::parse(&kw, value, ports)?)),
        "conjunction" => parse_conjunction(value)?,
        "multipath" => Action::Multipath(Box::new(multipath::Multipath::parse(&kw, value, ports)?)),
        "note" => Action::Note(parse_hex_bytes(value).ok_or("bad hex digit in `note' argument")?),
        "exit" => Action::Exit,
        "sample" => Action::Sample(Box::new(sample::Sample::parse(&kw, value, ports)?)),
        "ct" => Action::Ct(Box::new(ct::Ct::parse(&kw, value, ports)?)),
        "ct_clear" => Action::CtClear,
        // `parse_list` takes NAT itself (it is only refused once the list
        // is verified); any other caller gets the same errors.
        "nat" => {
            ct::Nat::parse("nat", value, ports)?;
            return Err("Cannot have NAT action outside of \"ct\" action".to_string());
        }
        "clone" => Action::Clone(parse_list(value, ports, Context::Nested)?),
        "check_pkt_larger" => Action::CheckPktLarger(Box::new(
            check_pkt_larger::CheckPktLarger::parse(&kw, value, ports)?,
        )),
        "debug_recirc" => Action::DebugRecirc,
        "debug_slow" => Action::DebugSlow,
        "meter" => Action::Meter(nx::str_to_u32(value)?),
        "clear_actions" => Action::ClearActions,
        "write_actions" => Action::WriteActions(parse_list(value, ports, Context::WriteActions)?),
        "write_metadata" => {
            let (v, m) = match value.split_once('/') {
                Some((v, m)) => (nx::str_to_u64(v)?, nx::str_to_u64(m)?),
                None => (nx::str_to_u64(value)?, u64::MAX),
            };
            Action::WriteMetadata { value: v, mask: m }
        }
        "goto_table" => Action::GotoTable(
            parse_table(value).ok_or_else(|| format!("unknown table \"{value}\""))?,
        ),
        "apply_actions" => return Err("apply_actions is the default instruction".to_string()),
        _ => match nx::parse_port(key, ports) {
            Some(p) => Action::Output {
                port: p,
                max_len: if p == PortNo::CONTROLLER { u16::MAX } else { 0 },
            },
            None => return Err(format!("unknown action {key}")),
        },
    })
}

fn parse_output(value: &str, ports: Option<&PortMap>) -> Result<Action, String> {
    if value.contains("port") && value.contains("max_len") {
        let mut port = None;
        let mut max_len = 0u32;
        let mut rest = value;
        while let Some((k, v)) = nx::next_key_value(&mut rest) {
            match k {
                "port" => port = Some(parse_port(v, ports, "output")?),
                "max_len" => max_len = nx::str_to_u32(v)?,
                _ => return Err(format!("invalid key '{k}' in output_trunc argument")),
            }
        }
        if max_len < 14 {
            return Err(format!(
                "max_len {max_len} is less than the minimum value 14"
            ));
        }
        let port = port.unwrap_or(PortNo::NONE);
        let unsupported = [
            PortNo::TABLE,
            PortNo::NORMAL,
            PortNo::FLOOD,
            PortNo::ALL,
            PortNo::CONTROLLER,
            PortNo::NONE,
        ];
        if unsupported.contains(&port) {
            let mut name = String::new();
            nx::format_port(&mut name, port, ports);
            return Err(format!("output to unsupported truncate port: {name}"));
        }
        return Ok(Action::OutputTrunc { port, max_len });
    }
    if value.contains('[') {
        let src = SubField::parse(value)?;
        return Ok(Action::OutputReg {
            src,
            max_len: u16::MAX,
            reg2: false,
        });
    }
    let p = parse_port(value, ports, "output")?;
    Ok(Action::Output {
        port: p,
        max_len: if p == PortNo::CONTROLLER { u16::MAX } else { 0 },
    })
}

fn parse_enqueue(value: &str, ports: Option<&PortMap>) -> Result<Action, String> {
    let syntax =
        "\"enqueue\" syntax is \"enqueue:PORT:QUEUE\" or \"enqueue(PORT,QUEUE)\"".to_string();
    let Some(split) = value.find([':', 'q', ',']) else {
        return Err(syntax);
    };
    let (p, q) = (&value[..split], &value[split + 1..]);
    if p.is_empty() || q.is_empty() {
        return Err(syntax);
    }
    let port = parse_port(p, ports, "enqueue")?;
    Ok(Action::Enqueue {
        port,
        queue: nx::str_to_u32(q)?,
    })
}

fn parse_move(value: &str) -> Result<Action, String> {
    let (src, rest) = SubField::parse_prefix(value)?;
    let Some(rest) = rest.strip_prefix("->") else {
        return Err(format!("{value}: missing `->' following source"));
    };
    let dst = SubField::parse(rest)?;
    if src.n_bits != dst.n_bits {
        return Err(format!(
            "{value}: source field is {} bits wide but destination is {} bits wide",
            src.n_bits, dst.n_bits
        ));
    }
    Ok(Action::RegMove {
        src,
        dst,
        onf: false,
    })
}

fn parse_dec_ttl(value: &str) -> Result<Action, String> {
    if value.is_empty() {
        return Ok(Action::DecTtl(None));
    }
    let ids: Vec<u16> = value
        .split([',', ' '])
        .filter(|s| !s.is_empty())
        .map(|s| nx::atoi(s) as u16)
        .collect();
    if ids.is_empty() {
        return Err("dec_ttl_cnt_ids: expected at least one controller id.".to_string());
    }
    Ok(Action::DecTtl(Some(ids)))
}

fn parse_fin_timeout(value: &str) -> Result<Action, String> {
    let (mut idle, mut hard) = (0, 0);
    let mut rest = value;
    while let Some((k, v)) = nx::next_key_value(&mut rest) {
        match k {
            "idle_timeout" => idle = nx::str_to_u16(v, "idle_timeout")?,
            "hard_timeout" => hard = nx::str_to_u16(v, "hard_timeout")?,
            _ => return Err(format!("invalid key '{k}' in 'fin_timeout' argument")),
        }
    }
    Ok(Action::FinTimeout { idle, hard })
}

fn parse_resubmit(value: &str, ports: Option<&PortMap>) -> Result<Action, String> {
    let mut parts = value.splitn(3, ',');
    let port_s = parts.next().unwrap_or("");
    let table_s = parts.next().unwrap_or("");
    let ct_s = parts.next().unwrap_or("");
    let in_port = if port_s.is_empty() {
        PortNo::IN_PORT
    } else {
        parse_port(port_s, ports, "resubmit")?
    };
    let table = if table_s.is_empty() {
        0xff
    } else {
        parse_table(table_s).ok_or_else(|| format!("{table_s}: resubmit to unknown table"))?
    };
    let ct = if ct_s.is_empty() {
        false
    } else if ct_s == "ct" {
        true
    } else {
        return Err(format!("{ct_s}: unknown parameter"));
    };
    if in_port == PortNo::IN_PORT && table == 0xff {
        return Err(
            "at least one \"in_port\" or \"table\" must be specified on resubmit".to_string(),
        );
    }
    Ok(Action::Resubmit {
        in_port,
        table,
        ct,
        nx_resubmit: false,
    })
}

fn parse_conjunction(value: &str) -> Result<Action, String> {
    let syntax = || "\"conjunction\" syntax is \"conjunction(id,i/n)\"".to_string();
    let (id, rest) = value.split_once(',').ok_or_else(syntax)?;
    let (k, n) = rest.split_once('/').ok_or_else(syntax)?;
    let id = nx::strtoull(id.trim(), 0);
    let id = match id {
        (Some(v), end) if end > 0 => v as u32,
        _ => return Err(syntax()),
    };
    let num = |s: &str| s.trim().parse::<u8>().map_err(|_| syntax());
    let (k, n) = (num(k)?, num(n)?);
    if n < 2 {
        return Err("conjunction must have at least 2 clauses".to_string());
    }
    if n > 64 {
        return Err("conjunction must have at most 64 clauses".to_string());
    }
    if k < 1 {
        return Err("clause index must be positive".to_string());
    }
    if k > n {
        return Err("clause index must be less than or equal to number of clauses".to_string());
    }
    Ok(Action::Conjunction {
        id,
        clause: k,
        n_clauses: n,
    })
}

/// `packet_type(ns=N,type=T)`.
fn parse_packet_type(s: &str) -> Result<u32, String> {
    let inner = s
        .strip_prefix("packet_type(")
        .and_then(|r| r.strip_suffix(')'))
        .ok_or_else(|| format!("invalid packet_type \"{s}\""))?;
    let (mut ns, mut ty) = (None, None);
    let mut rest = inner;
    while let Some((k, v)) = nx::next_key_value(&mut rest) {
        match k {
            "ns" => ns = Some(nx::str_to_u16(v, "ns")?),
            "type" => ty = Some(nx::str_to_u16(v, "type")?),
            _ => return Err(format!("invalid packet_type \"{s}\"")),
        }
    }
    match (ns, ty) {
        (Some(ns), Some(ty)) => Ok(u32::from(ns) << 16 | u32::from(ty)),
        _ => Err(format!("invalid packet_type \"{s}\"")),
    }
}

fn parse_decap(value: &str) -> Result<Action, String> {
    if value.is_empty() {
        return Ok(Action::Decap {
            packet_type: DECAP_NEXT_PROTO,
        });
    }
    Ok(Action::Decap {
        packet_type: parse_packet_type(value)?,
    })
}

fn parse_encap(value: &str) -> Result<Action, String> {
    let (name, args) = match value.find('(') {
        Some(i) if value.ends_with(')') => (&value[..i], Some(&value[i + 1..value.len() - 1])),
        _ => (value, None),
    };
    let packet_type = match name {
        "ethernet" => 0,
        "nsh" => PT_NSH,
        "mpls" => PT_MPLS,
        "mpls_mc" => PT_MPLS_MC,
        "packet_type" => parse_packet_type(value)?,
        // The reference names what followed the header name, not the name.
        _ => return Err(format!("Encap hdr not supported: {}", args.unwrap_or(""))),
    };
    let mut e = Encap {
        hdr_size: 0,
        packet_type,
        nsh_md_type: None,
        nsh_tlvs: vec![],
    };
    if let (Some(args), PT_NSH) = (args, packet_type) {
        let mut rest = args;
        while let Some((k, v)) = nx::next_key_value(&mut rest) {
            match k {
                "md_type" => {
                    let md = str_to_u8(v, "md_type")?;
                    if md != 1 && md != 2 {
                        return Err(format!("invalid md_type \"{v}\""));
                    }
                    e.nsh_md_type = Some(md);
                }
                "tlv" => {
                    let parts: Vec<&str> = v.split(',').collect();
                    let [class, kind, value] = parts[..] else {
                        return Err(format!("invalid tlv \"{v}\""));
                    };
                    let class = nx::str_to_u16(class, "tlv class")?;
                    let kind = str_to_u8(kind, "tlv type")?;
                    let hex = value
                        .strip_prefix("0x")
                        .ok_or_else(|| format!("invalid tlv \"{v}\""))?;
                    let padded = if hex.len() % 2 == 1 {
                        format!("0{hex}")
                    } else {
                        hex.to_string()
                    };
                    let bytes =
                        parse_hex_bytes(&padded).ok_or_else(|| format!("invalid tlv \"{v}\""))?;
                    let len = bytes.len() as u8;
                    let mut data = bytes;
                    data.resize(data.len().div_ceil(8) * 8, 0);
                    e.nsh_tlvs.push(NshTlv {
                        class,
                        kind,
                        len,
                        data,
                    });
                }
                _ => return Err(format!("Invalid property: {k}")),
            }
        }
    }
    Ok(Action::Encap(Box::new(e)))
}

#[cfg(test)]
mod tests {
    use super::super::format_actions;
    use super::*;

    fn round(s: &str) -> String {
        match parse_actions(s, None) {
            Ok(a) => format_actions(&a, None),
            Err(e) => e,
        }
    }

    #[test]
    fn simple_actions_print_back() {
        for (input, want) in [
            ("mod_vlan_vid:101,NORMAL", "mod_vlan_vid:101,NORMAL"),
            ("output:3", "output:3"),
            ("3,in_port,local", "output:3,IN_PORT,LOCAL"),
            ("controller", "CONTROLLER:65535"),
            ("output:controller", "CONTROLLER:65535"),
            ("resubmit(,2)", "resubmit(,2)"),
            ("resubmit(1)", "resubmit:1"),
            ("drop", "drop"),
            ("", "drop"),
            ("enqueue(in_port,2)", "enqueue:IN_PORT:2"),
            ("note:01.02.03", "note:01.02.03"),
            (
                "push_mpls:0x8847,pop_mpls:0x800",
                "push_mpls:0x8847,pop_mpls:0x0800",
            ),
            ("dec_ttl(1,2)", "dec_ttl(1,2)"),
            ("dec_ttl()", "dec_ttl"),
            ("dec_ttl(a)", "dec_ttl(0)"),
            ("conjunction(4294967296,1/2)", "conjunction(0,1/2)"),
            ("fin_timeout(idle_timeout=0)", "fin_timeout()"),
            (
                "write_metadata:0x5/0xff,goto_table:3",
                "write_metadata:0x5/0xff,goto_table:3",
            ),
            ("clone()", "clone(drop)"),
            ("decap", "decap()"),
            (
                "encap(nsh(md_type=2,tlv(0x2,3,0x01)))",
                "encap(nsh(md_type=2,tlv(0x0002,3,0x1)))",
            ),
            ("Output:1", "output:1"),
        ] {
            assert_eq!(round(input), want, "{input}");
        }
    }

    #[test]
    fn errors_are_the_references() {
        for (input, want) in [
            ("drop,output:1", "\"drop\" must not be accompanied by any other action or instruction"),
            ("foo", "unknown action foo"),
            ("apply_actions(output:1)", "apply_actions is the default instruction"),
            ("nat", "Cannot have NAT action outside of \"ct\" action"),
            ("resubmit(,)", "at least one \"in_port\" or \"table\" must be specified on resubmit"),
            ("resubmit(1,2,3)", "3: unknown parameter"),
            ("resubmit(foo,1)", "foo: resubmit to unknown port"),
            ("resubmit(1,foo)", "foo: resubmit to unknown table"),
            ("goto_table:256", "unknown table \"256\""),
            ("conjunction(1,1/1)", "conjunction must have at least 2 clauses"),
            ("conjunction(1,0/2)", "clause index must be positive"),
            ("conjunction(1)", "\"conjunction\" syntax is \"conjunction(id,i/n)\""),
            ("mod_vlan_vid:4096", "4096: not a valid VLAN VID"),
            ("mod_vlan_vid:foo", "invalid VLAN VID \"foo\""),
            ("mod_nw_tos:3", "3: not a valid TOS"),
            ("mod_dl_src:1", "invalid mac address 1"),
            ("mod_nw_src:1", "1: could not convert to IP address"),
            ("push_vlan:0x8101", "0x8101: not a valid VLAN ethertype"),
            ("set_mpls_label:0x100000", "0x100000: not a valid MPLS label"),
            ("fin_timeout(foo=1)", "invalid key 'foo' in 'fin_timeout' argument"),
            ("move:reg0[]->reg1[0..3]", "reg0[]->reg1[0..3]: source field is 32 bits wide but destination is 4 bits wide"),
            ("move:reg0[]", "reg0[]: missing `->' following source"),
            ("output:foo", "foo: output to unknown port"),
            ("output(port=1,max_len=10)", "max_len 10 is less than the minimum value 14"),
            ("enqueue:1", "\"enqueue\" syntax is \"enqueue:PORT:QUEUE\" or \"enqueue(PORT,QUEUE)\""),
            ("note:0", "bad hex digit in `note' argument"),
            ("write_actions(goto_table:1)", "goto_table instruction not allowed here"),
            ("write_actions(meter:1)", "write_actions action doesn't support nested action meter"),
            ("goto_table:1,goto_table:2", "duplicate goto_table instruction not allowed, for OpenFlow 1.1+ compatibility"),
            ("clear_actions,output:1", "invalid instruction ordering: apply_actions must appear before clear_actions, for OpenFlow 1.1+ compatibility"),
        ] {
            assert_eq!(round(input), want, "{input}");
        }
    }
}
