//! Actions as ovs-ofctl prints them (`actions=` in flow dumps, ofp-print).

use crate::port::{PortMap, PortNo};

use super::controller::format_hex_bytes;
use super::learn::nx;
use super::{Action, Encap};

/// The text after `actions=`: comma-separated, `drop` when empty.
pub fn format_actions(acts: &[Action], ports: Option<&PortMap>) -> String {
    if acts.is_empty() {
        return "drop".to_string();
    }
    let mut out = String::new();
    for (i, a) in acts.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        format_action(a, &mut out, ports);
    }
    out
}

fn port(out: &mut String, p: PortNo, ports: Option<&PortMap>) {
    nx::format_port(out, p, ports);
}

fn mac(m: &[u8; 6]) -> String {
    m.iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// One action.
pub(crate) fn format_action(a: &Action, out: &mut String, ports: Option<&PortMap>) {
    match a {
        Action::Output { port: p, max_len } => {
            if p.0 < PortNo::MAX.0 {
                out.push_str("output:");
            }
            port(out, *p, ports);
            if *p == PortNo::CONTROLLER {
                out.push_str(&format!(":{max_len}"));
            }
        }
        Action::Controller(c) => c.format(out),
        Action::Enqueue { port: p, queue } => {
            out.push_str("enqueue:");
            port(out, *p, ports);
            out.push_str(&format!(":{queue}"));
        }
        Action::OutputReg { src, .. } => out.push_str(&format!("output:{src}")),
        Action::OutputTrunc { port: p, max_len } => {
            out.push_str("output(port=");
            port(out, *p, ports);
            out.push_str(&format!(",max_len={max_len})"));
        }
        Action::Group(g) => out.push_str(&format!("group:{g}")),
        Action::Bundle(b) => b.format(out, ports),
        Action::SetVlanVid {
            vid,
            push_if_needed,
            ..
        } => {
            let kw = if *push_if_needed {
                "mod_vlan_vid"
            } else {
                "set_vlan_vid"
            };
            out.push_str(&format!("{kw}:{vid}"));
        }
        Action::SetVlanPcp {
            pcp,
            push_if_needed,
            ..
        } => {
            let kw = if *push_if_needed {
                "mod_vlan_pcp"
            } else {
                "set_vlan_pcp"
            };
            out.push_str(&format!("{kw}:{pcp}"));
        }
        Action::StripVlan { pop_vlan } => {
            out.push_str(if *pop_vlan { "pop_vlan" } else { "strip_vlan" });
        }
        Action::PushVlan(e) => out.push_str(&format!("push_vlan:{e:#06x}")),
        Action::PushMpls(e) => out.push_str(&format!("push_mpls:{e:#06x}")),
        Action::PopMpls(e) => out.push_str(&format!("pop_mpls:{e:#06x}")),
        Action::SetMplsLabel(l) => out.push_str(&format!("set_mpls_label({l})")),
        Action::SetMplsTc(t) => out.push_str(&format!("set_mpls_tc({t})")),
        Action::SetMplsTtl(t) => out.push_str(&format!("set_mpls_ttl({t})")),
        Action::DecMplsTtl => out.push_str("dec_mpls_ttl"),
        Action::DecNshTtl => out.push_str("dec_nsh_ttl"),
        Action::Encap(e) => format_encap(e, out),
        Action::Decap { packet_type } => {
            if *packet_type == super::parse::DECAP_NEXT_PROTO {
                out.push_str("decap()");
            } else {
                out.push_str(&format!(
                    "decap(packet_type(ns={},type={}))",
                    packet_type >> 16,
                    hex0(u64::from(packet_type & 0xffff))
                ));
            }
        }
        Action::SetEthSrc(m) => out.push_str(&format!("mod_dl_src:{}", mac(m))),
        Action::SetEthDst(m) => out.push_str(&format!("mod_dl_dst:{}", mac(m))),
        Action::SetIpv4Src(ip) => out.push_str(&format!("mod_nw_src:{ip}")),
        Action::SetIpv4Dst(ip) => out.push_str(&format!("mod_nw_dst:{ip}")),
        Action::SetIpDscp(t) => out.push_str(&format!("mod_nw_tos:{t}")),
        Action::SetIpEcn(e) => out.push_str(&format!("mod_nw_ecn:{e}")),
        Action::SetIpTtl(t) => out.push_str(&format!("mod_nw_ttl:{t}")),
        Action::SetL4SrcPort { port: p, .. } => out.push_str(&format!("mod_tp_src:{p}")),
        Action::SetL4DstPort { port: p, .. } => out.push_str(&format!("mod_tp_dst:{p}")),
        Action::SetField(sf) => sf.format(out, ports),
        Action::RegMove { src, dst, .. } => out.push_str(&format!("move:{src}->{dst}")),
        Action::StackPush(sf) => out.push_str(&format!("push:{sf}")),
        Action::StackPop(sf) => out.push_str(&format!("pop:{sf}")),
        Action::DecTtl(None) => out.push_str("dec_ttl"),
        Action::DecTtl(Some(ids)) => {
            let ids: Vec<String> = ids.iter().map(u16::to_string).collect();
            out.push_str(&format!("dec_ttl({})", ids.join(",")));
        }
        Action::SetTunnel { tun_id, is64 } => {
            let kw = if *is64 || *tun_id > u64::from(u32::MAX) {
                "set_tunnel64"
            } else {
                "set_tunnel"
            };
            out.push_str(&format!("{kw}:{}", hex0(*tun_id)));
        }
        Action::DeleteField(f) => out.push_str(&format!("delete_field:{}", f.name())),
        Action::SetQueue(q) => out.push_str(&format!("set_queue:{q}")),
        Action::PopQueue => out.push_str("pop_queue"),
        Action::FinTimeout { idle, hard } => {
            let mut items = vec![];
            if *idle != 0 {
                items.push(format!("idle_timeout={idle}"));
            }
            if *hard != 0 {
                items.push(format!("hard_timeout={hard}"));
            }
            out.push_str(&format!("fin_timeout({})", items.join(",")));
        }
        Action::Resubmit {
            in_port, table, ct, ..
        } => {
            if *in_port != PortNo::IN_PORT && *table == 0xff && !*ct {
                out.push_str("resubmit:");
                port(out, *in_port, ports);
            } else {
                out.push_str("resubmit(");
                if *in_port != PortNo::IN_PORT {
                    port(out, *in_port, ports);
                }
                out.push(',');
                if *table != 0xff {
                    out.push_str(&table.to_string());
                }
                if *ct {
                    out.push_str(",ct");
                }
                out.push(')');
            }
        }
        Action::Conjunction {
            id,
            clause,
            n_clauses,
        } => {
            out.push_str(&format!("conjunction({id},{clause}/{n_clauses})"));
        }
        Action::Note(bytes) => {
            out.push_str("note:");
            out.push_str(&format_hex_bytes(bytes));
        }
        Action::Exit => out.push_str("exit"),
        Action::Clone(nested) => {
            out.push_str(&format!("clone({})", format_actions(nested, ports)));
        }
        Action::Learn(l) => l.format(out, ports),
        Action::Multipath(m) => m.format(out, ports),
        Action::Sample(s) => s.format(out, ports),
        Action::Ct(c) => c.format(out, ports),
        Action::CtClear => out.push_str("ct_clear"),
        Action::CheckPktLarger(c) => c.format(out, ports),
        Action::DebugRecirc => out.push_str("debug_recirc"),
        Action::DebugSlow => out.push_str("debug_slow"),
        Action::Meter(m) => out.push_str(&format!("meter:{m}")),
        Action::ClearActions => out.push_str("clear_actions"),
        Action::WriteActions(w) => {
            out.push_str(&format!("write_actions({})", format_actions(w, ports)));
        }
        Action::WriteMetadata { value, mask } => {
            out.push_str(&format!("write_metadata:{}", hex0(*value)));
            if *mask != u64::MAX {
                out.push_str(&format!("/{}", hex0(*mask)));
            }
        }
        Action::GotoTable(t) => out.push_str(&format!("goto_table:{t}")),
    }
}

/// C's `%#x`: "0" for zero, "0x..." otherwise.
fn hex0(v: u64) -> String {
    if v == 0 {
        "0".to_string()
    } else {
        format!("{v:#x}")
    }
}

fn format_encap(e: &Encap, out: &mut String) {
    let name = match e.packet_type {
        0 => "ethernet".to_string(),
        super::parse::PT_NSH => "nsh".to_string(),
        super::parse::PT_MPLS => "mpls".to_string(),
        super::parse::PT_MPLS_MC => "mpls_mc".to_string(),
        pt => format!("packet_type(ns={},type={:#x})", pt >> 16, pt & 0xffff),
    };
    out.push_str("encap(");
    out.push_str(&name);
    if e.nsh_md_type.is_some() || !e.nsh_tlvs.is_empty() {
        let mut items = vec![];
        if let Some(md) = e.nsh_md_type {
            items.push(format!("md_type={md}"));
        }
        for t in &e.nsh_tlvs {
            let (class, kind) = (t.class, t.kind);
            let value = t.data.get(..usize::from(t.len)).unwrap_or(&t.data);
            let mut hex = String::from("0x");
            match value.iter().position(|b| *b != 0) {
                None => hex.push('0'),
                Some(i) => {
                    hex.push_str(&format!("{:x}", value[i]));
                    for b in &value[i + 1..] {
                        hex.push_str(&format!("{b:02x}"));
                    }
                }
            }
            items.push(format!("tlv({class:#06x},{kind},{hex})"));
        }
        out.push_str(&format!("({})", items.join(",")));
    }
    out.push(')');
}
