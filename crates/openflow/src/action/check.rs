//! Consistency of actions with the flow's match, and which protocols can
//! carry an action list.
//!
//! OpenFlow 1.0 lets any action appear in any flow; 1.1+ forbid actions the
//! match makes meaningless (`mod_nw_src` without `ip`). As in the
//! reference, such an inconsistency only restricts the usable protocols to
//! OpenFlow 1.0, while a few problems (output to a bad port, writing a
//! field whose prerequisites fail, a bad goto_table) are errors. Checking
//! walks the actions with a copy of the match that follows their effects
//! (push_mpls changes the Ethertype, strip_vlan removes the tag, ...), and
//! records what the OF1.1+ encodings need to know (whether the flow has a
//! VLAN, which L4 protocol `mod_tp_src` rewrites).

use crate::error::OfpError;
use crate::field::{FieldId, Prereq, SubField};
use crate::flow_match::{Match, IPPROTO_SCTP, IPPROTO_TCP, IPPROTO_UDP, VLAN_CFI};
use crate::port::PortNo;
use crate::protocol::Protocols;

use super::inst::allowed_in_action_set;
use super::set_field::{full_mask, SetFieldStyle};
use super::{ct, Action};

/// What the checks need beyond the match.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CheckContext {
    /// Output ports must be below this (or reserved): OFPP_MAX for ovs-ofctl.
    pub max_ports: PortNo,
    /// The flow's table (255 = unknown): goto_table must go forward.
    pub table_id: u8,
    /// Number of tables (255 = unknown).
    pub n_tables: u8,
}

impl Default for CheckContext {
    fn default() -> CheckContext {
        CheckContext {
            max_ports: PortNo::MAX,
            table_id: 0xff,
            n_tables: 0xff,
        }
    }
}

/// The highest meter id (OFPM_MAX).
const METER_MAX: u32 = 0xffff_0000;

/// Protocols able to carry the actions as written (independent of the
/// match): e.g. `push_vlan` has no OF1.0 form, `meter` needs OF1.3, a
/// `set_field` of a register needs NXM or OXM.
pub fn usable_protocols(acts: &[Action]) -> Protocols {
    let mut p = Protocols::ANY;
    for a in acts {
        p = p.intersect(action_usable(a));
    }
    p
}

fn action_usable(a: &Action) -> Protocols {
    let of11_up = Protocols::ANY.remove(Protocols::OF10_ANY);
    let of13_up = Protocols::OF13_OXM
        .union(Protocols::OF14_OXM)
        .union(Protocols::OF15_OXM);
    match a {
        Action::PushVlan(_) => of11_up,
        Action::Meter(_) | Action::Encap(_) => of13_up,
        Action::WriteMetadata { .. } => Protocols::ANY.remove(Protocols::OF10_STD_ANY),
        Action::SetField(sf) if sf.style == SetFieldStyle::SetField => {
            // Whatever the mask, the reference asks what can match the whole
            // field: a match on it alone, its prerequisites met (without
            // them the match would not say which L4 field it is).
            let mut m = Match::new();
            meet_prereq(&mut m, sf.field.prereq());
            // A zero-length tun_metadata value is still a tun_metadata write.
            let value = if sf.value.is_empty() {
                vec![0]
            } else {
                sf.value.clone()
            };
            // As text, the match also knows what each protocol can say of
            // the field (e.g. OF1.0 has no SCTP ports).
            let text = sf.field.format_value(&value, None, None);
            if m.parse_item(sf.field.name(), Some(&text), None) != Ok(true) {
                m.set(sf.field, &value, &full_mask(sf.field, value.len()));
            }
            m.usable_protocols()
        }
        Action::Clone(nested) | Action::WriteActions(nested) => usable_protocols(nested),
        Action::Ct(c) => c
            .actions
            .iter()
            .filter_map(|n| match n {
                super::ct::CtAction::Other(a) => Some(action_usable(a)),
                super::ct::CtAction::Nat(_) => None,
            })
            .fold(Protocols::ANY, Protocols::intersect),
        _ => Protocols::ANY,
    }
}

/// Adds to `m` what makes `p` hold (IPv4 where either IP version would).
fn meet_prereq(m: &mut Match, p: Prereq) {
    let (eth_type, proto): (u16, Option<u8>) = match p {
        Prereq::Ipv4 | Prereq::IpAny => (0x0800, None),
        Prereq::Ipv6 => (0x86dd, None),
        Prereq::Arp => (0x0806, None),
        Prereq::Mpls => (0x8847, None),
        Prereq::Nsh => (0x894f, None),
        Prereq::Tcp => (0x0800, Some(IPPROTO_TCP)),
        Prereq::Udp => (0x0800, Some(IPPROTO_UDP)),
        Prereq::Sctp => (0x0800, Some(IPPROTO_SCTP)),
        Prereq::Icmpv4 => (0x0800, Some(1)),
        Prereq::Icmpv6 | Prereq::Nd | Prereq::NdSolicit | Prereq::NdAdvert => (0x86dd, Some(58)),
        Prereq::VlanVid => {
            m.set(
                FieldId::VLAN_TCI,
                &VLAN_CFI.to_be_bytes(),
                &VLAN_CFI.to_be_bytes(),
            );
            return;
        }
        Prereq::None | Prereq::Ethernet | Prereq::Ct => return,
    };
    m.set(FieldId::ETH_TYPE, &eth_type.to_be_bytes(), &[0xff, 0xff]);
    if let Some(proto) = proto {
        m.set(FieldId::NW_PROTO, &[proto], &[0xff]);
    }
    let nd_type = match p {
        Prereq::Nd | Prereq::NdSolicit => Some(135u8),
        Prereq::NdAdvert => Some(136),
        _ => None,
    };
    if let Some(t) = nd_type {
        m.set(FieldId::ICMPV6_TYPE, &[t], &[0xff]);
        m.set(FieldId::ICMPV6_CODE, &[0], &[0xff]);
    }
}

/// Checks the actions against the match as the reference does, narrowing
/// `usable` (to OpenFlow 1.0 on inconsistencies) and filling in the
/// match-derived hints the encoders use. `acts` is the whole flat list.
/// The restrictions of [`usable_protocols`] are not applied here: they come
/// from how actions were written, and the flow parser applies them itself.
pub fn check_actions(
    acts: &mut [Action],
    m: &Match,
    cx: &CheckContext,
    usable: &mut Protocols,
) -> Result<(), OfpError> {
    let outer = m
        .get(FieldId::VLAN_TCI)
        .is_some_and(|(v, _)| v[0] & 0x10 != 0);
    let mut flow = Flow {
        m: m.clone(),
        vlans: [outer, false],
    };
    check_list(acts, &mut flow, cx, usable)
}

/// The packet as the actions so far leave it: the match (with the
/// Ethertype and protocol the actions imply) and which of the two VLAN
/// headers the reference tracks are present.
#[derive(Clone)]
struct Flow {
    m: Match,
    vlans: [bool; 2],
}

fn inconsistent(usable: &mut Protocols) {
    *usable = usable.intersect(Protocols::OF10_ANY);
}

fn check_list(
    acts: &mut [Action],
    flow: &mut Flow,
    cx: &CheckContext,
    usable: &mut Protocols,
) -> Result<(), OfpError> {
    for a in acts.iter_mut() {
        check_one(a, flow, cx, usable)?;
    }
    Ok(())
}

/// The matched (or, after earlier actions, assumed) value of a field; 0 if unmatched.
fn value_u64(flow: &Match, f: FieldId) -> u64 {
    flow.get(f)
        .map(|(v, _)| v.iter().fold(0u64, |acc, b| acc << 8 | u64::from(*b)))
        .unwrap_or(0)
}

fn dl_type(flow: &Match) -> u16 {
    value_u64(flow, FieldId::ETH_TYPE) as u16
}

fn set_dl_type(flow: &mut Match, t: u16) {
    flow.set(FieldId::ETH_TYPE, &t.to_be_bytes(), &[0xff, 0xff]);
}

fn is_ip_any(flow: &Match) -> bool {
    matches!(dl_type(flow), 0x0800 | 0x86dd)
}

fn is_mpls(flow: &Match) -> bool {
    matches!(dl_type(flow), 0x8847 | 0x8848)
}

/// Keeps the match's VLAN TCI in step with the outer VLAN header, for
/// prerequisites such as vlan_pcp's.
fn sync_vlan(flow: &mut Flow) {
    let (v, mut mask) = match flow.m.get(FieldId::VLAN_TCI) {
        Some((v, m)) => (
            u16::from_be_bytes([v[0], v[1]]),
            u16::from_be_bytes([m[0], m[1]]),
        ),
        None => (0, 0),
    };
    let present = flow.vlans[0];
    mask |= VLAN_CFI;
    let v = if present { v | VLAN_CFI } else { 0 };
    let mask = if present { mask } else { 0xffff };
    flow.m
        .set(FieldId::VLAN_TCI, &v.to_be_bytes(), &mask.to_be_bytes());
}

fn check_port(port: PortNo, cx: &CheckContext) -> Result<(), OfpError> {
    let reserved = (PortNo::IN_PORT.0..=PortNo::LOCAL.0).contains(&port.0);
    if port.0 < cx.max_ports.0 || reserved {
        Ok(())
    } else {
        Err(OfpError::BacBadOutPort)
    }
}

/// A field read or written by move/push/pop/output: its bits exist and its
/// prerequisites hold (a hard error otherwise).
fn check_subfield(sf: &SubField, flow: &Match) -> Result<(), OfpError> {
    if sf.n_bits == 0 || u32::from(sf.ofs) + u32::from(sf.n_bits) > sf.field.n_bits() {
        return Err(OfpError::BacBadSetLen);
    }
    if !flow.prereq_ok(sf.field.prereq()) {
        return Err(OfpError::BacMatchInconsistent);
    }
    Ok(())
}

fn check_one(
    a: &mut Action,
    state: &mut Flow,
    cx: &CheckContext,
    usable: &mut Protocols,
) -> Result<(), OfpError> {
    let bad_enqueue =
        |p: PortNo| p.0 >= cx.max_ports.0 && p != PortNo::IN_PORT && p != PortNo::LOCAL;
    match a {
        Action::Output { port, .. } | Action::OutputTrunc { port, .. } => check_port(*port, cx)?,
        Action::Enqueue { port, .. } if bad_enqueue(*port) => return Err(OfpError::BacBadOutPort),
        Action::OutputReg { src, .. } => check_subfield(src, &state.m)?,
        Action::SetVlanVid {
            push_if_needed,
            flow_has_vlan,
            ..
        }
        | Action::SetVlanPcp {
            push_if_needed,
            flow_has_vlan,
            ..
        } => {
            *flow_has_vlan = state.vlans[0];
            if !*flow_has_vlan && !*push_if_needed {
                inconsistent(usable);
            }
            state.vlans[0] = true;
            sync_vlan(state);
        }
        Action::StripVlan { .. } => {
            if !state.vlans[0] {
                inconsistent(usable);
            }
            state.vlans = [state.vlans[1], false];
            sync_vlan(state);
        }
        Action::PushVlan(_) => {
            // The reference tracks at most two VLAN headers.
            if state.vlans[1] {
                return Err(OfpError::BacBadTag);
            }
            state.vlans = [true, state.vlans[0]];
            sync_vlan(state);
        }
        Action::SetIpv4Src(_) | Action::SetIpv4Dst(_) if dl_type(&state.m) != 0x0800 => {
            inconsistent(usable)
        }
        Action::SetIpDscp(_) | Action::SetIpEcn(_) | Action::SetIpTtl(_) | Action::DecTtl(_)
            if !is_ip_any(&state.m) =>
        {
            inconsistent(usable)
        }
        Action::SetL4SrcPort { ip_proto, .. } | Action::SetL4DstPort { ip_proto, .. } => {
            let proto = value_u64(&state.m, FieldId::NW_PROTO) as u8;
            let later = value_u64(&state.m, FieldId::IP_FRAG) & 2 != 0;
            let l4 = [IPPROTO_TCP, IPPROTO_UDP, IPPROTO_SCTP].contains(&proto);
            if !is_ip_any(&state.m) || later || !l4 {
                inconsistent(usable);
            }
            *ip_proto = proto;
        }
        Action::RegMove { src, dst, .. } => {
            check_subfield(src, &state.m)?;
            check_subfield(dst, &state.m)?;
        }
        Action::SetField(sf) => {
            sf.flow_has_vlan = state.vlans[0];
            let vlan_missing = sf.field == FieldId::VLAN_VID && !state.vlans[0];
            if !state.m.prereq_ok(sf.field.prereq()) || vlan_missing {
                return Err(OfpError::BacMatchInconsistent);
            }
        }
        Action::StackPush(sf) | Action::StackPop(sf) => check_subfield(sf, &state.m)?,
        Action::SetMplsLabel(_)
        | Action::SetMplsTc(_)
        | Action::SetMplsTtl(_)
        | Action::DecMplsTtl
            if !is_mpls(&state.m) =>
        {
            inconsistent(usable)
        }
        Action::PushMpls(ethertype) => {
            set_dl_type(&mut state.m, *ethertype);
            state.m.clear(FieldId::NW_PROTO);
        }
        Action::PopMpls(ethertype) => {
            if !is_mpls(&state.m) {
                inconsistent(usable);
            }
            set_dl_type(&mut state.m, *ethertype);
        }
        Action::DecNshTtl if dl_type(&state.m) != 0x894f => inconsistent(usable),
        Action::FinTimeout { .. }
            if value_u64(&state.m, FieldId::NW_PROTO) as u8 != IPPROTO_TCP =>
        {
            inconsistent(usable)
        }
        Action::Resubmit { ct: true, .. } if !state.m.prereq_ok(Prereq::Ct) => {
            return Err(OfpError::BacMatchInconsistent);
        }
        Action::Ct(c) => {
            c.check(&state.m)?;
            if c.checks_nested() {
                // The nested actions see the flow as it is here, and what
                // they restrict restricts the whole list.
                let mut inner = state.clone();
                for n in c.actions.iter_mut() {
                    if let ct::CtAction::Other(a) = n {
                        check_one(a, &mut inner, cx, usable)?;
                    }
                }
            }
        }
        Action::DeleteField(f) if f.tun_metadata_index().is_none() => {
            return Err(OfpError::BacBadArgument);
        }
        Action::Clone(nested) => {
            let mut inner = state.clone();
            check_list(nested, &mut inner, cx, usable)?;
        }
        Action::WriteActions(nested) => {
            // An action set runs later, on whatever the packet is by then:
            // its consistency cannot be judged, so it does not narrow `usable`.
            let mut inner = state.clone();
            let mut ignored = *usable;
            check_list(nested, &mut inner, cx, &mut ignored)?;
            if !nested.iter().all(allowed_in_action_set) {
                return Err(OfpError::BacBadType);
            }
        }
        Action::Learn(l) => l.check(&state.m)?,
        Action::Bundle(b) => {
            // The destination first, then each member but NONE as an output
            // port; the controller port is refused (it needs a max_len).
            b.check(&state.m)?;
            for p in &b.members {
                if *p != PortNo::NONE {
                    check_port(*p, cx)?;
                }
                if *p == PortNo::CONTROLLER {
                    return Err(OfpError::BacBadOutPort);
                }
            }
        }
        Action::Multipath(m) => m.check(&state.m)?,
        Action::CheckPktLarger(c) => c.check(&state.m)?,
        Action::Meter(id) if *id == 0 || *id > METER_MAX => return Err(OfpError::MmfcInvalidMeter),
        Action::GotoTable(t) => {
            let backwards = cx.table_id != 0xff && *t <= cx.table_id;
            let beyond = cx.n_tables != 0xff && *t >= cx.n_tables;
            if backwards || beyond {
                return Err(OfpError::BicBadTableId);
            }
        }
        _ => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::action::parse_actions;

    fn check(matched: &[(&str, Option<&str>)], acts: &str) -> (Result<(), OfpError>, Protocols) {
        let mut m = Match::new();
        for (k, v) in matched {
            assert_eq!(m.parse_item(k, *v, None), Ok(true));
        }
        let mut a = parse_actions(acts, None).unwrap();
        let mut usable = usable_protocols(&a);
        let r = check_actions(&mut a, &m, &CheckContext::default(), &mut usable);
        (r, usable)
    }

    #[test]
    fn inconsistencies_restrict_to_of10() {
        assert_eq!(
            check(&[], "mod_nw_src:1.2.3.4"),
            (Ok(()), Protocols::OF10_ANY)
        );
        assert_eq!(
            check(&[("ip", None)], "mod_nw_src:1.2.3.4"),
            (Ok(()), Protocols::ANY)
        );
        assert_eq!(
            check(&[("tcp", None)], "mod_tp_src:1"),
            (Ok(()), Protocols::ANY)
        );
        assert_eq!(
            check(&[("ip", None)], "push_mpls:0x8847,dec_ttl").1,
            Protocols::OF10_ANY
        );
        assert_eq!(
            check(&[("dl_vlan", Some("5"))], "strip_vlan").1,
            Protocols::ANY
        );
    }

    #[test]
    fn hard_errors() {
        assert_eq!(
            check(&[], "load:1->tcp_src[]").0,
            Err(OfpError::BacMatchInconsistent)
        );
        assert_eq!(check(&[], "output:65280").0, Err(OfpError::BacBadOutPort));
        assert_eq!(check(&[], "meter:0").0, Err(OfpError::MmfcInvalidMeter));
        assert_eq!(
            check(&[], "delete_field:reg0").0,
            Err(OfpError::BacBadArgument)
        );
        let mut a = parse_actions("goto_table:2", None).unwrap();
        let cx = CheckContext {
            table_id: 3,
            ..CheckContext::default()
        };
        let mut u = Protocols::ANY;
        assert_eq!(
            check_actions(&mut a, &Match::new(), &cx, &mut u),
            Err(OfpError::BicBadTableId)
        );
    }

    #[test]
    fn usable_by_action() {
        assert_eq!(check(&[], "set_field:1->reg0").1, Protocols::NXM_OXM_ANY);
        assert_eq!(check(&[], "load:1->reg0[]").1, Protocols::ANY);
        assert!(!check(&[], "push_vlan:0x8100")
            .1
            .intersects(Protocols::OF10_ANY));
    }
}
