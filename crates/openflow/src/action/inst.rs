//! OpenFlow 1.1+ instructions (OFPIT_*). In our model they are members of
//! the flat action list; here they are split out to the wire's instruction
//! TLVs and back. OF1.0 has no instructions: its "instructions" are an
//! action list in which Nicira's write_metadata (and goto_table, encoded as
//! a resubmit) may appear, in instruction order.

use crate::buf::{Put, Reader};
use crate::error::OfpError;
use crate::version::Version;

use super::verify::{self, Outer};
use super::wire::{decode_list, decode_members, encode_actions, violation_error};
use super::{Action, InstructionKind};

const OFPIT_GOTO_TABLE: u16 = 1;
const OFPIT_WRITE_METADATA: u16 = 2;
const OFPIT_WRITE_ACTIONS: u16 = 3;
const OFPIT_APPLY_ACTIONS: u16 = 4;
const OFPIT_CLEAR_ACTIONS: u16 = 5;
const OFPIT_METER: u16 = 6;
const OFPIT_EXPERIMENTER: u16 = 0xffff;

/// Decodes a flow's instructions (the reader's remaining bytes) into the
/// flat list, in canonical instruction order, and verifies the whole list
/// as the reference does (see [`super::verify`]).
pub fn decode_instructions(v: Version, r: &mut Reader) -> Result<Vec<Action>, OfpError> {
    if v == Version::Of10 {
        return decode_list(v, r, 0, Outer::None, true);
    }
    let (acts, nats) = decode_instructions_unverified(v, r)?;
    verify::verify(
        &verify::members(&acts, &nats),
        Outer::None,
        true,
        v >= Version::Of15,
    )
    .map_err(|e| violation_error(&e))?;
    Ok(acts)
}

/// The OF1.1+ instructions as one flat list, and where NATs (outside ct)
/// stood in it. The apply-actions list is taken as it is (even with Nicira's
/// write_metadata in it): only the whole flat list is verified.
fn decode_instructions_unverified<'a>(
    v: Version,
    r: &mut Reader<'a>,
) -> Result<(Vec<Action>, Vec<usize>), OfpError> {
    if !r.remaining().is_multiple_of(8) {
        return Err(OfpError::BicBadLen);
    }
    // First every instruction's header, as the reference does, then the
    // contents in canonical order.
    let mut found: [Option<&[u8]>; 7] = [None; 7];
    let start = r.offset();
    while !r.is_empty() {
        let at = r.offset() - start;
        let mut peek = r.clone().with_short_error(OfpError::BicBadLen);
        let kind = peek.be16()?;
        let len = usize::from(peek.be16()?);
        if len < 8 || len % 8 != 0 || len > r.remaining() {
            crate::warn::warn("ofp_actions", || {
                format!("bad instruction format at offset {at}")
            });
            return Err(OfpError::BicBadLen);
        }
        let body = r.bytes(len)?;
        let slot = match kind {
            OFPIT_GOTO_TABLE..=OFPIT_METER => usize::from(kind),
            OFPIT_EXPERIMENTER => return Err(OfpError::BicBadExperimenter),
            _ => return Err(OfpError::BicUnknownInst),
        };
        let fixed_len = match kind {
            OFPIT_WRITE_METADATA => Some(24),
            OFPIT_GOTO_TABLE | OFPIT_CLEAR_ACTIONS | OFPIT_METER => Some(8),
            _ => None,
        };
        if fixed_len.is_some_and(|want| want != len) {
            return Err(OfpError::BicBadLen);
        }
        // OF1.5 made meter an action; its instruction is unknown there.
        if kind == OFPIT_METER && v >= Version::Of15 {
            return Err(OfpError::BicUnknownInst);
        }
        if found[slot].is_some() {
            return Err(OfpError::BicDupInst);
        }
        found[slot] = Some(body);
    }
    let reader = |b: &'a [u8]| {
        let mut r = Reader::new(b).with_short_error(OfpError::BicBadLen);
        let _ = r.skip(4);
        r
    };
    let members_of = |b: &'a [u8]| {
        let mut acts =
            Reader::new(b.get(8..).unwrap_or_default()).with_short_error(OfpError::BacBadLen);
        decode_members(v, &mut acts, 0)
    };
    let meter = match found[usize::from(OFPIT_METER)] {
        Some(b) => Some(reader(b).be32()?),
        None => None,
    };
    let apply = match found[usize::from(OFPIT_APPLY_ACTIONS)] {
        Some(b) => Some(members_of(b)?),
        None => None,
    };
    let clear = found[usize::from(OFPIT_CLEAR_ACTIONS)].is_some();
    let write = match found[usize::from(OFPIT_WRITE_ACTIONS)] {
        Some(b) => {
            // An action set is not verified, only limited to what it may hold.
            let (list, nats) = members_of(b)?;
            if !nats.is_empty() || !list.iter().all(allowed_in_action_set) {
                return Err(OfpError::BacBadType);
            }
            Some(list)
        }
        None => None,
    };
    let metadata = match found[usize::from(OFPIT_WRITE_METADATA)] {
        Some(b) => {
            let mut m = reader(b);
            m.skip(4)?;
            Some((m.be64()?, m.be64()?))
        }
        None => None,
    };
    let goto = match found[usize::from(OFPIT_GOTO_TABLE)] {
        Some(b) => Some(reader(b).u8()?),
        None => None,
    };
    let mut out = vec![];
    if let Some(m) = meter {
        out.push(Action::Meter(m));
    }
    let (apply, apply_nats) = apply.unwrap_or_default();
    let nats: Vec<usize> = apply_nats.iter().map(|(n, _)| n + out.len()).collect();
    out.extend(apply);
    if clear {
        out.push(Action::ClearActions);
    }
    if let Some(w) = write {
        out.push(Action::WriteActions(w));
    }
    if let Some((value, mask)) = metadata {
        out.push(Action::WriteMetadata { value, mask });
    }
    if let Some(t) = goto {
        out.push(Action::GotoTable(t));
    }
    Ok((out, nats))
}

/// Instructions must appear in OpenFlow 1.1+ order, at most once each,
/// with every real action inside one apply-actions run: checks a member of
/// kind `k` after one of kind `prev`. The error is the reference's message.
pub(crate) fn check_order_step(
    prev: Option<InstructionKind>,
    k: InstructionKind,
) -> Result<(), String> {
    let Some(prev) = prev else {
        return Ok(());
    };
    if k < prev {
        return Err(format!(
            "invalid instruction ordering: {} must appear before {}, for OpenFlow 1.1+ compatibility",
            k.name(),
            prev.name()
        ));
    }
    if k == prev && k != InstructionKind::ApplyActions {
        return Err(format!(
            "duplicate {} instruction not allowed, for OpenFlow 1.1+ compatibility",
            k.name()
        ));
    }
    Ok(())
}

/// Encodes the flat list as `v`'s instructions (an action list for OF1.0).
pub fn encode_instructions(v: Version, acts: &[Action], out: &mut Vec<u8>) {
    if v == Version::Of10 {
        encode_actions(v, acts, out);
        return;
    }
    // OF1.3 and 1.4 have a meter instruction (OF1.1 and 1.2 none at all).
    if v >= Version::Of13 && v < Version::Of15 {
        for a in acts {
            if let Action::Meter(m) = a {
                out.put_be16(OFPIT_METER);
                out.put_be16(8);
                out.put_be32(*m);
            }
        }
    }
    // OF1.5's meter is an action, so it leads the apply-actions list.
    let apply: Vec<Action> = acts
        .iter()
        .filter(|a| !a.is_instruction() || (v >= Version::Of15 && matches!(a, Action::Meter(_))))
        .cloned()
        .collect();
    if !apply.is_empty() {
        put_actions_inst(v, OFPIT_APPLY_ACTIONS, &apply, out);
    }
    for a in acts {
        if let Action::ClearActions = a {
            out.put_be16(OFPIT_CLEAR_ACTIONS);
            out.put_be16(8);
            out.put_zeros(4);
        }
    }
    for a in acts {
        if let Action::WriteActions(w) = a {
            if !w.is_empty() {
                put_actions_inst(v, OFPIT_WRITE_ACTIONS, w, out);
            }
        }
    }
    for a in acts {
        if let Action::WriteMetadata { value, mask } = a {
            out.put_be16(OFPIT_WRITE_METADATA);
            out.put_be16(24);
            out.put_zeros(4);
            out.put_be64(*value);
            out.put_be64(*mask);
        }
    }
    for a in acts {
        if let Action::GotoTable(t) = a {
            out.put_be16(OFPIT_GOTO_TABLE);
            out.put_be16(8);
            out.put_u8(*t);
            out.put_zeros(3);
        }
    }
}

fn put_actions_inst(v: Version, kind: u16, acts: &[Action], out: &mut Vec<u8>) {
    let mut body = vec![];
    encode_actions(v, acts, &mut body);
    // Actions that encode to nothing (e.g. a load of zero bits) leave no instruction.
    if body.is_empty() {
        return;
    }
    let start = out.len();
    out.put_be16(kind);
    out.put_be16(0);
    out.put_zeros(4);
    out.extend_from_slice(&body);
    let len = out.len() - start;
    out.patch_be16(start + 2, len as u16);
}

/// Whether an action may be part of an action set (write_actions): the
/// standard actions with a defined place in the set's order, plus the
/// extensions the reference gives one (resubmit, ct, ct_clear).
pub(crate) fn allowed_in_action_set(a: &Action) -> bool {
    matches!(
        a,
        Action::Output { .. }
            | Action::Group(_)
            | Action::SetQueue(_)
            | Action::Resubmit { .. }
            | Action::Ct(_)
            | Action::CtClear
            | Action::DecTtl(_)
            | Action::DecMplsTtl
            | Action::DecNshTtl
            | Action::SetMplsLabel(_)
            | Action::SetMplsTc(_)
            | Action::SetMplsTtl(_)
            | Action::SetTunnel { .. }
            | Action::SetEthSrc(_)
            | Action::SetEthDst(_)
            | Action::SetIpv4Src(_)
            | Action::SetIpv4Dst(_)
            | Action::SetIpDscp(_)
            | Action::SetIpEcn(_)
            | Action::SetIpTtl(_)
            | Action::SetL4SrcPort { .. }
            | Action::SetL4DstPort { .. }
            | Action::SetVlanVid { .. }
            | Action::SetVlanPcp { .. }
            | Action::StripVlan { .. }
            | Action::PushVlan(_)
            | Action::PushMpls(_)
            | Action::PopMpls(_)
            | Action::Encap(_)
            | Action::Decap { .. }
            | Action::RegMove { .. }
            | Action::SetField(_)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::action::{format_actions, parse_actions};

    fn round(v: Version, s: &str) -> (String, String) {
        let mut out = vec![];
        encode_instructions(v, &parse_actions(s, None).unwrap(), &mut out);
        let text = decode_instructions(v, &mut Reader::new(&out))
            .map(|a| format_actions(&a, None))
            .unwrap_or_else(|e| e.name().to_string());
        (out.iter().map(|b| format!("{b:02x}")).collect(), text)
    }

    // Expected bytes are the reference's.
    #[test]
    fn instruction_forms() {
        assert_eq!(
            round(Version::Of13, "meter:3"),
            ("0006000800000003".into(), "meter:3".into())
        );
        assert_eq!(
            round(Version::Of15, "meter:3").0,
            "0004001000000000001d000800000003"
        );
        assert_eq!(round(Version::Of13, "goto_table:3").0, "0001000803000000");
        assert_eq!(
            round(Version::Of13, "write_metadata:0x5/0xff").0,
            "00020018000000000000000000000005".to_owned() + "00000000000000ff"
        );
        assert_eq!(round(Version::Of10, "goto_table:3").1, "resubmit(,3)");
        assert_eq!(
            round(Version::Of10, "write_actions(output:1)"),
            (String::new(), "drop".into())
        );
        assert_eq!(round(Version::Of13, "write_actions()").0, "");
    }

    #[test]
    fn header_errors() {
        let dec = |v, h: &str| {
            let b: Vec<u8> = (0..h.len() / 2)
                .map(|i| u8::from_str_radix(&h[2 * i..2 * i + 2], 16).unwrap())
                .collect();
            decode_instructions(v, &mut Reader::new(&b))
        };
        assert_eq!(
            dec(Version::Of13, "00010008030000000001000803000000"),
            Err(OfpError::BicDupInst)
        );
        assert_eq!(
            dec(Version::Of13, "0007000800000000"),
            Err(OfpError::BicUnknownInst)
        );
        assert_eq!(
            dec(Version::Of13, "ffff000800002320"),
            Err(OfpError::BicBadExperimenter)
        );
        assert_eq!(
            dec(Version::Of15, "0006000800000003"),
            Err(OfpError::BicUnknownInst)
        );
        assert_eq!(
            dec(
                Version::Of15,
                "000600180000000000000000000000000000000000000000"
            ),
            Err(OfpError::BicBadLen)
        );
        assert_eq!(dec(Version::Of13, "00010008"), Err(OfpError::BicBadLen));
    }
}
