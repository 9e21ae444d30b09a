//! Connection tracking actions (`man ovs-actions`, "Firewalling actions"):
//! `ct(...)` (NXAST_CT) with its nested `exec(...)` actions and `nat(...)`
//! (NXAST_NAT, only valid nested inside ct), and `ct_clear` (NXAST_CT_CLEAR).
//!
//! On the wire, ct carries a nested action list; NAT is an ordinary member
//! of that list, and the text form prints a leading NAT as `nat(...)` and
//! everything after it inside `exec(...)`. We keep the list in wire order
//! ([`CtAction`]) so that decode, print and encode agree with the reference
//! for every ordering, including NAT in the middle of `exec`. NAT itself is
//! in the `nat` submodule.

use crate::buf::{Put, Reader};
use crate::error::OfpError;
use crate::field::{FieldId, SubField};
use crate::flow_match::Match;
use crate::port::PortMap;
use crate::version::Version;

use super::learn::nx;
use super::verify::{self, Outer};
use super::Action;

pub const NXAST_CT: u16 = 35;
pub const NXAST_NAT: u16 = 36;
pub const NXAST_CT_CLEAR: u16 = 43;

/// `ct(commit)`: commit the connection.
pub const CT_COMMIT: u16 = 1;
/// `ct(force)`: restart a connection committed in the other direction.
pub const CT_FORCE: u16 = 2;

/// Application-layer gateways the text form names.
pub const ALG_FTP: u16 = 21;
pub const ALG_TFTP: u16 = 69;

/// The ct_state bit of an invalid connection (`+inv`).
const CS_INVALID: u8 = 0x10;

/// The connection-tracking zone: a constant or 16 bits of a field.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum CtZone {
    Imm(u16),
    Field(SubField),
}

/// One member of ct's nested action list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CtAction {
    Nat(Nat),
    /// Any other action (only ct_mark/ct_label modifications are valid).
    Other(Action),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ct {
    /// `CT_COMMIT`, `CT_FORCE`; other bits are kept (and not printed), as
    /// the reference does.
    pub flags: u16,
    pub zone: CtZone,
    /// Table to resubmit the tracked packet to; `None` = don't.
    pub recirc_table: Option<u8>,
    /// ALG port number (21 ftp, 69 tftp), 0 for none.
    pub alg: u16,
    pub actions: Vec<CtAction>,
}

mod nat;

pub use nat::{Nat, NatAddrs, NAT_DST, NAT_PERSISTENT, NAT_PROTO_HASH, NAT_PROTO_RANDOM, NAT_SRC};

// ---- ct -----------------------------------------------------------------

/// Whether `a` may appear in ct's nested list, as the reference's message
/// (checked member by member as ct's list is verified).
pub(crate) fn check_nested(a: &Action) -> Result<(), String> {
    match super::ct_nested_target(a) {
        Ok(None) => Ok(()),
        Ok(Some(field)) if field == FieldId::CT_MARK || field == FieldId::CT_LABEL => Ok(()),
        Ok(Some(field)) => Err(format!(
            "ct action doesn't support nested modification of {}",
            field.name()
        )),
        Err(name) => Err(format!("ct action doesn't support nested action {name}")),
    }
}

impl Ct {
    pub fn commit(&self) -> bool {
        self.flags & CT_COMMIT != 0
    }
    pub fn force(&self) -> bool {
        self.flags & CT_FORCE != 0
    }

    /// Checks ct against `flow`, the match it runs under, as the reference
    /// does, in its order: an IP flow, not committing a connection the match
    /// says is invalid (`ct_state=+inv`), ftp only over TCP and tftp only
    /// over UDP; then, with a zone taken from a field, only that the field
    /// is readable in `flow` (the reference then skips the nested actions);
    /// otherwise each NAT must have addresses of the flow's IP version.
    /// Other nested actions are the caller's to check, like any action, and
    /// only when [`Ct::checks_nested`] says so.
    pub fn check(&self, flow: &Match) -> Result<(), OfpError> {
        let inconsistent = Err(OfpError::BacMatchInconsistent);
        let dl_type = flow.dl_type().unwrap_or(0);
        let proto = flow.nw_proto().unwrap_or(0);
        let invalid = flow
            .get(FieldId::CT_STATE)
            .is_some_and(|(v, _)| v.last().is_some_and(|b| b & CS_INVALID != 0));
        if (dl_type != 0x0800 && dl_type != 0x86dd)
            || (invalid && self.commit())
            || (self.alg == ALG_FTP && proto != 6)
            || (self.alg == ALG_TFTP && proto != 17)
        {
            return inconsistent;
        }
        if let CtZone::Field(sf) = &self.zone {
            return nx::check_src_in(sf, flow);
        }
        for a in &self.actions {
            if let CtAction::Nat(nat) = a {
                let ok = match nat.addrs {
                    NatAddrs::None => true,
                    NatAddrs::V4 { .. } => dl_type == 0x0800,
                    NatAddrs::V6 { .. } => dl_type == 0x86dd,
                };
                if !ok {
                    return inconsistent;
                }
            }
        }
        Ok(())
    }

    /// Whether the reference checks the nested actions against the flow:
    /// not when the zone comes from a field (see [`Ct::check`]).
    pub fn checks_nested(&self) -> bool {
        !matches!(self.zone, CtZone::Field(_))
    }

    pub fn decode_nx(subtype: u16, body: &mut Reader, v: Version) -> Result<Ct, OfpError> {
        if subtype != NXAST_CT {
            return Err(OfpError::BacBadExpType);
        }
        if nx::action_len(body) < 24 {
            return Err(OfpError::BacBadLen);
        }
        let flags = body.be16()?;
        let zone_src = body.be32()?;
        let zone_value = body.be16()?;
        let recirc_table = body.u8()?;
        body.skip(3)?;
        let alg = body.be16()?;
        let zone = if zone_src == 0 {
            CtZone::Imm(zone_value)
        } else {
            let sf = nx::subfield32(zone_value, zone_src).ok_or(OfpError::BacBadSetType)?;
            nx::check_src(&sf)?;
            if sf.n_bits != 16 {
                return Err(OfpError::BacBadSetLen);
            }
            CtZone::Field(sf)
        };
        if flags & CT_FORCE != 0 && flags & CT_COMMIT == 0 {
            return Err(OfpError::BacBadArgument);
        }
        // (Each nested action is verified as ct's, see `check_nested`.)
        let actions = decode_nested(body, v)?;
        let bare = |a: &CtAction| matches!(a, CtAction::Nat(n) if n.is_bare());
        if flags & CT_COMMIT == 0 && !actions.iter().all(bare) {
            return Err(OfpError::BacBadArgument);
        }
        Ok(Ct {
            flags,
            zone,
            recirc_table: (recirc_table != 0xff).then_some(recirc_table),
            alg,
            actions,
        })
    }

    pub fn encode_nx(&self, out: &mut Vec<u8>, v: Version) {
        let start = nx::start(out, NXAST_CT);
        out.put_be16(self.flags);
        match &self.zone {
            CtZone::Imm(z) => {
                out.put_be32(0);
                out.put_be16(*z);
            }
            CtZone::Field(sf) => {
                out.put_be32(nx::header32(sf.field));
                out.put_be16(nx::ofs_nbits(sf));
            }
        }
        out.put_u8(self.recirc_table.unwrap_or(0xff));
        out.put_zeros(3);
        out.put_be16(self.alg);
        let mut run: Vec<Action> = vec![];
        for a in &self.actions {
            match a {
                CtAction::Other(a) => run.push(a.clone()),
                CtAction::Nat(n) => {
                    super::encode_actions(v, &run, out);
                    run.clear();
                    n.encode_nx(out, v);
                }
            }
        }
        super::encode_actions(v, &run, out);
        nx::finish(out, start);
    }

    /// Parses the text inside `ct(...)`.
    pub fn parse(_keyword: &str, args: &str, ports: Option<&PortMap>) -> Result<Ct, String> {
        let mut ct = Ct {
            flags: 0,
            zone: CtZone::Imm(0),
            recirc_table: None,
            alg: 0,
            actions: vec![],
        };
        let mut rest = args;
        while let Some((key, value)) = nx::next_key_value(&mut rest) {
            match key {
                "commit" => ct.flags |= CT_COMMIT,
                "force" => ct.flags |= CT_FORCE,
                "table" => ct.recirc_table = Some(parse_table(value)?),
                "zone" => ct.zone = parse_zone(value)?,
                "alg" => {
                    ct.alg = match value {
                        "ftp" => ALG_FTP,
                        "tftp" => ALG_TFTP,
                        _ => return Err(format!("invalid conntrack helper \"{value}\"")),
                    }
                }
                "exec" => parse_exec(value, ports, &mut ct.actions)?,
                "nat" => ct
                    .actions
                    .push(CtAction::Nat(Nat::parse("nat", value, ports)?)),
                _ => return Err(format!("invalid argument to \"ct\" action: `{key}'")),
            }
        }
        if ct.flags & CT_FORCE != 0 && ct.flags & CT_COMMIT == 0 {
            return Err("\"force\" flag requires \"commit\" flag.".to_string());
        }
        Ok(ct)
    }

    pub fn format(&self, out: &mut String, ports: Option<&PortMap>) {
        let mut items: Vec<String> = vec![];
        if self.commit() {
            items.push("commit".into());
        }
        if self.force() {
            items.push("force".into());
        }
        if let Some(t) = self.recirc_table {
            items.push(format!("table={t}"));
        }
        match &self.zone {
            CtZone::Imm(0) => {}
            CtZone::Imm(z) => items.push(format!("zone={z}")),
            CtZone::Field(sf) => items.push(format!("zone={sf}")),
        }
        let mut nested = &self.actions[..];
        if let Some((CtAction::Nat(n), rest)) = nested.split_first() {
            let mut s = String::new();
            n.format(&mut s, ports);
            items.push(s);
            nested = rest;
        }
        if !nested.is_empty() {
            items.push(format!("exec({})", format_nested(nested, ports)));
        }
        match self.alg {
            0 => {}
            ALG_FTP => items.push("alg=ftp".into()),
            ALG_TFTP => items.push("alg=tftp".into()),
            a => items.push(format!("alg={a}")),
        }
        out.push_str("ct(");
        out.push_str(&items.join(","));
        out.push(')');
    }
}

/// ct's table: a decimal number below 255 (255 means "none" on the wire).
fn parse_table(value: &str) -> Result<u8, String> {
    let n = if value.starts_with('-') {
        None
    } else {
        let (v, end) = nx::strtol(value, 10);
        v.filter(|_| end == value.len() && end > 0)
    };
    match n {
        Some(t) if t < 255 => Ok(t as u8),
        Some(255) => Err("invalid table 0xff".to_string()),
        _ => {
            crate::flow_text::report_bad_table_number(value);
            Err(format!("unknown table {value}"))
        }
    }
}

/// `zone=N` or `zone=field[a..b]`.
fn parse_zone(value: &str) -> Result<CtZone, String> {
    if let Ok(z) = nx::str_to_u16(value, "zone") {
        return Ok(CtZone::Imm(z));
    }
    let sf = SubField::parse(value)?;
    if !nx::has_header32(sf.field) {
        // The reference writes no header for such fields, so its wire form
        // (and thus what it prints back) is the packed bounds as a constant.
        return Ok(CtZone::Imm(nx::ofs_nbits(&sf)));
    }
    Ok(CtZone::Field(sf))
}

/// Parses `exec(...)`'s contents into `actions`: `nat` items by us, the
/// rest by the general action parser, keeping the order.
fn parse_exec(
    value: &str,
    ports: Option<&PortMap>,
    actions: &mut Vec<CtAction>,
) -> Result<(), String> {
    let mut run = String::new();
    let flush = |run: &mut String, actions: &mut Vec<CtAction>| -> Result<(), String> {
        if !run.is_empty() {
            // Verified as ct's nested actions (see `check_nested`).
            for a in super::parse::parse_ct_actions(run, ports)? {
                actions.push(CtAction::Other(a));
            }
            run.clear();
        }
        Ok(())
    };
    let mut rest = value;
    loop {
        let before = rest;
        let Some((key, nat_args)) = nx::next_key_value(&mut rest) else {
            break;
        };
        let item = before[..before.len() - rest.len()]
            .trim_start_matches([',', ' ', '\t', '\r', '\n'])
            .trim_end_matches([',', ' ', '\t', '\r', '\n']);
        if key.eq_ignore_ascii_case("nat") {
            flush(&mut run, actions)?;
            actions.push(CtAction::Nat(Nat::parse("nat", nat_args, ports)?));
        } else {
            if !run.is_empty() {
                run.push(',');
            }
            run.push_str(item);
        }
    }
    flush(&mut run, actions)
}

/// Decodes ct's nested list: NAT by us, runs of other actions by the
/// general decoder.
fn decode_nested(body: &mut Reader, v: Version) -> Result<Vec<CtAction>, OfpError> {
    // The whole list is decoded, then verified as ct's (NAT members
    // included: they count against a conjunction, for one).
    let (acts, nats) = super::wire::decode_members(v, body, 0)?;
    let at: Vec<usize> = nats.iter().map(|(at, _)| *at).collect();
    verify::verify(
        &verify::members(&acts, &at),
        Outer::Ct,
        false,
        v >= Version::Of15,
    )
    .map_err(|e| super::wire::violation_error(&e))?;
    let mut nats = nats.into_iter().peekable();
    let mut out = vec![];
    for (i, a) in acts.into_iter().enumerate() {
        while let Some((_, nat)) = nats.next_if(|(at, _)| *at == i) {
            out.push(CtAction::Nat(nat));
        }
        out.push(CtAction::Other(a));
    }
    out.extend(nats.map(|(_, nat)| CtAction::Nat(nat)));
    Ok(out)
}

fn format_nested(nested: &[CtAction], ports: Option<&PortMap>) -> String {
    let mut parts: Vec<String> = vec![];
    let mut run: Vec<Action> = vec![];
    for a in nested {
        match a {
            CtAction::Other(a) => run.push(a.clone()),
            CtAction::Nat(n) => {
                if !run.is_empty() {
                    parts.push(super::format_actions(&run, ports));
                    run.clear();
                }
                let mut s = String::new();
                n.format(&mut s, ports);
                parts.push(s);
            }
        }
    }
    if !run.is_empty() {
        parts.push(super::format_actions(&run, ports));
    }
    parts.join(",")
}

// ---- ct_clear -------------------------------------------------------------

/// `ct_clear` has no arguments: NXAST_CT_CLEAR is a 16-byte action whose
/// padding the reference ignores.
pub fn decode_ct_clear(body: &mut Reader) -> Result<(), OfpError> {
    if nx::action_len(body) != 16 {
        return Err(OfpError::BacBadLen);
    }
    body.take_rest();
    Ok(())
}

pub fn encode_ct_clear(out: &mut Vec<u8>) {
    let start = nx::start(out, NXAST_CT_CLEAR);
    nx::finish(out, start);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ct_simple() {
        let ct = Ct::parse("ct", "commit,force,table=3,zone=reg0[0..15],alg=ftp", None).unwrap();
        let mut s = String::new();
        ct.format(&mut s, None);
        assert_eq!(
            s,
            "ct(commit,force,table=3,zone=NXM_NX_REG0[0..15],alg=ftp)"
        );
        let mut w = vec![];
        ct.encode_nx(&mut w, Version::Of10);
        assert_eq!(w.len(), 24);
        assert_eq!(
            Ct::decode_nx(NXAST_CT, &mut Reader::new(&w[10..]), Version::Of10),
            Ok(ct)
        );
        assert_eq!(
            Ct::parse("ct", "force", None).unwrap_err(),
            "\"force\" flag requires \"commit\" flag."
        );
        assert_eq!(
            Ct::parse("ct", "table=255", None).unwrap_err(),
            "invalid table 0xff"
        );
        assert_eq!(
            Ct::parse("ct", "table=0x10", None).unwrap_err(),
            "unknown table 0x10"
        );
        assert_eq!(
            Ct::parse("ct", "alg=FTP", None).unwrap_err(),
            "invalid conntrack helper \"FTP\""
        );
        assert_eq!(
            Ct::parse("ct", "foo", None).unwrap_err(),
            "invalid argument to \"ct\" action: `foo'"
        );
    }
}
