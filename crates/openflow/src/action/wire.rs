//! Action lists on the wire: OF1.0's OFPAT10_*, OF1.1+'s OFPAT11_* (and
//! OF1.2+'s set_field, OF1.5's copy_field and meter), the Nicira NXAST_*
//! extensions (experimenter 0x2320) and ONF's OF1.3 copy_field.
//!
//! Decoding follows the reference's checks and errors exactly (lengths,
//! reserved bits, argument ranges); encoding picks the form the reference
//! picks for the version, translating actions a version lacks into the
//! closest equivalent (e.g. `mod_nw_src` becomes set_field in OF1.2+,
//! `enqueue` becomes set_queue/output/pop_queue in OF1.1+).

use std::net::Ipv4Addr;

use crate::buf::{Put, Reader};
use crate::error::OfpError;
use crate::field::{self, FieldId, SubField};
use crate::port::PortNo;
use crate::version::Version;

use super::controller::{self, Controller};
use super::set_field::{full_mask, shortest, tun_metadata_value, SetField, SetFieldStyle};
use super::verify::{self, Outer, Violation};
use super::{
    bundle, check_pkt_larger, ct, learn, multipath, sample, Action, Encap, NshTlv, NX_VENDOR_ID,
    ONF_VENDOR_ID,
};
use super::{header_lookup, nxwire};

// OpenFlow 1.0 action types.
const OFPAT10_OUTPUT: u16 = 0;
const OFPAT10_SET_VLAN_VID: u16 = 1;
const OFPAT10_SET_VLAN_PCP: u16 = 2;
const OFPAT10_STRIP_VLAN: u16 = 3;
const OFPAT10_SET_DL_SRC: u16 = 4;
const OFPAT10_SET_DL_DST: u16 = 5;
const OFPAT10_SET_NW_SRC: u16 = 6;
const OFPAT10_SET_NW_DST: u16 = 7;
const OFPAT10_SET_NW_TOS: u16 = 8;
const OFPAT10_SET_TP_SRC: u16 = 9;
const OFPAT10_SET_TP_DST: u16 = 10;
const OFPAT10_ENQUEUE: u16 = 11;

// OpenFlow 1.1+ action types.
const OFPAT11_OUTPUT: u16 = 0;
const OFPAT11_SET_VLAN_VID: u16 = 1;
const OFPAT11_SET_VLAN_PCP: u16 = 2;
const OFPAT11_SET_DL_SRC: u16 = 3;
const OFPAT11_SET_DL_DST: u16 = 4;
const OFPAT11_SET_NW_SRC: u16 = 5;
const OFPAT11_SET_NW_DST: u16 = 6;
const OFPAT11_SET_NW_TOS: u16 = 7;
const OFPAT11_SET_NW_ECN: u16 = 8;
const OFPAT11_SET_TP_SRC: u16 = 9;
const OFPAT11_SET_TP_DST: u16 = 10;
const OFPAT11_SET_MPLS_LABEL: u16 = 13;
const OFPAT11_SET_MPLS_TC: u16 = 14;
const OFPAT11_SET_MPLS_TTL: u16 = 15;
const OFPAT11_DEC_MPLS_TTL: u16 = 16;
const OFPAT11_PUSH_VLAN: u16 = 17;
const OFPAT11_POP_VLAN: u16 = 18;
const OFPAT11_PUSH_MPLS: u16 = 19;
const OFPAT11_POP_MPLS: u16 = 20;
const OFPAT11_SET_QUEUE: u16 = 21;
const OFPAT11_GROUP: u16 = 22;
const OFPAT11_SET_NW_TTL: u16 = 23;
const OFPAT11_DEC_NW_TTL: u16 = 24;
const OFPAT12_SET_FIELD: u16 = 25;
const OFPAT15_COPY_FIELD: u16 = 28;
const OFPAT15_METER: u16 = 29;
const OFPAT_EXPERIMENTER: u16 = 0xffff;

// Nicira extension subtypes.
const NXAST_RESUBMIT: u16 = 1;
const NXAST_SET_TUNNEL: u16 = 2;
const NXAST_SET_QUEUE: u16 = 4;
const NXAST_POP_QUEUE: u16 = 5;
const NXAST_REG_MOVE: u16 = 6;
const NXAST_REG_LOAD: u16 = 7;
const NXAST_NOTE: u16 = 8;
const NXAST_SET_TUNNEL64: u16 = 9;
const NXAST_RESUBMIT_TABLE: u16 = 14;
const NXAST_OUTPUT_REG: u16 = 15;
const NXAST_EXIT: u16 = 17;
const NXAST_DEC_TTL: u16 = 18;
const NXAST_FIN_TIMEOUT: u16 = 19;
const NXAST_DEC_TTL_CNT_IDS: u16 = 21;
const NXAST_WRITE_METADATA: u16 = 22;
const NXAST_PUSH_MPLS: u16 = 23;
const NXAST_POP_MPLS: u16 = 24;
const NXAST_SET_MPLS_TTL: u16 = 25;
const NXAST_DEC_MPLS_TTL: u16 = 26;
const NXAST_STACK_PUSH: u16 = 27;
const NXAST_STACK_POP: u16 = 28;
const NXAST_SET_MPLS_LABEL: u16 = 30;
const NXAST_SET_MPLS_TC: u16 = 31;
const NXAST_OUTPUT_REG2: u16 = 32;
const NXAST_REG_LOAD2: u16 = 33;
const NXAST_CONJUNCTION: u16 = 34;
const NXAST_OUTPUT_TRUNC: u16 = 39;
const NXAST_GROUP: u16 = 40;
const NXAST_CLONE: u16 = 42;
const NXAST_RESUBMIT_TABLE_CT: u16 = 44;
const NXAST_ENCAP: u16 = 46;
const NXAST_DECAP: u16 = 47;
const NXAST_DEC_NSH_TTL: u16 = 48;
const NXAST_DELETE_FIELD: u16 = 50;
const NXAST_DEBUG_SLOW: u16 = 0xfe;
const NXAST_DEBUG_RECIRC: u16 = 0xff;

/// ONF's OF1.3 copy_field extension.
const ONFACT_ET_COPY_FIELD: u16 = 3200;

const ETH_TYPE_VLAN: u16 = 0x8100;
const ETH_TYPE_VLAN_8021AD: u16 = 0x88a8;
const ETH_TYPE_MPLS: u16 = 0x8847;
const ETH_TYPE_MPLS_MCAST: u16 = 0x8848;

/// The pipeline limit on nested action lists (clone inside clone ...),
/// as the reference's.
const MAX_NESTING: usize = 64;

/// Decodes a whole action list (the reader's remaining bytes). Instructions
/// may not appear (NXAST_WRITE_METADATA is refused), except OF1.5's meter
/// action.
pub fn decode_actions(v: Version, r: &mut Reader) -> Result<Vec<Action>, OfpError> {
    decode_list(v, r, 0, Outer::None, false)
}

/// What a decoded list verifies to, as the reference reports it on the wire.
pub(crate) fn violation_error(v: &Violation) -> OfpError {
    match v {
        Violation::Conjunction(_) => OfpError::NxbacBadConjunction,
        Violation::Nat | Violation::CtField => OfpError::BacBadSetArgument,
        Violation::WriteActionsMeter | Violation::CtNested(_) => OfpError::BacBadArgument,
        Violation::Order(_) => OfpError::BacUnsupportedOrder,
        Violation::NotAllowed(_) => OfpError::BicUnsupInst,
    }
}

/// Decodes an action list nested in `outer` and verifies it (see
/// [`super::verify`]); `instructions` allows Nicira's write_metadata
/// (OF1.0's flow_mod, where it is an instruction).
pub(crate) fn decode_list(
    v: Version,
    r: &mut Reader,
    depth: usize,
    outer: Outer,
    instructions: bool,
) -> Result<Vec<Action>, OfpError> {
    let (acts, nats) = decode_members(v, r, depth)?;
    let nats: Vec<usize> = nats.iter().map(|(at, _)| *at).collect();
    verify::verify(
        &verify::members(&acts, &nats),
        outer,
        instructions,
        v >= Version::Of15,
    )
    .map_err(|e| violation_error(&e))?;
    Ok(acts)
}

/// NAT actions of a decoded list, each with the index of the action it
/// came before: they belong only in ct, and have no place in our model
/// elsewhere.
pub(crate) type DecodedNats = Vec<(usize, ct::Nat)>;

/// Decodes an action list without verifying it: the actions, and the NAT
/// actions among them.
pub(crate) fn decode_members(
    v: Version,
    r: &mut Reader,
    depth: usize,
) -> Result<(Vec<Action>, DecodedNats), OfpError> {
    if !r.remaining().is_multiple_of(8) {
        let n = r.remaining();
        crate::warn::warn("ofp_actions", || {
            format!("OpenFlow message actions length {n} is not a multiple of 8")
        });
        return Err(OfpError::BrcBadLen);
    }
    let list = r.rest();
    let list_start = r.offset();
    let mut out = vec![];
    let mut nats = vec![];
    while !r.is_empty() {
        let at = r.offset() - list_start;
        let mut one = || -> Result<(), OfpError> {
            let len = check_header(v, r)?;
            let mut a = Reader::new(r.bytes(len)?).with_short_error(OfpError::BacBadLen);
            if is_nx(&a, ct::NXAST_NAT) {
                a.skip(10)?;
                nats.push((out.len(), ct::Nat::decode_nx(ct::NXAST_NAT, &mut a, v)?));
                return Ok(());
            }
            out.push(decode_one(v, &mut a, depth)?);
            Ok(())
        };
        if let Err(e) = one() {
            // As the reference: the whole list, and where in it the bad one is.
            crate::warn::warn("ofp_actions", || {
                format!(
                    "bad action at offset {at} ({}):\n{}",
                    e.name(),
                    crate::msg::hexdump::hex_dump_plain(list)
                )
            });
            return Err(e);
        }
    }
    Ok((out, nats))
}

/// `%#x` as the reference prints vendor ids: "0" for zero, else "0x2320".
fn hex_alt(n: u32) -> String {
    if n == 0 {
        "0".into()
    } else {
        format!("{n:#x}")
    }
}

/// The lengths the reference accepts for an action, where we know them
/// (the fixed-size standard actions, and ct): for its length warning.
fn len_range(v: Version, kind: u16, vendor: u32, subtype: u16) -> Option<(usize, usize)> {
    if kind == OFPAT_EXPERIMENTER {
        return (vendor == NX_VENDOR_ID && subtype == ct::NXAST_CT).then_some((24, 65528));
    }
    let n = if v == Version::Of10 {
        match kind {
            OFPAT10_SET_DL_SRC | OFPAT10_SET_DL_DST | OFPAT10_ENQUEUE => 16,
            OFPAT10_OUTPUT..=OFPAT10_SET_TP_DST => 8,
            _ => return None,
        }
    } else {
        match kind {
            OFPAT11_OUTPUT | OFPAT11_SET_DL_SRC | OFPAT11_SET_DL_DST => 16,
            OFPAT11_SET_VLAN_VID..=OFPAT11_DEC_NW_TTL => 8,
            _ => return None,
        }
    };
    Some((n, n))
}

/// The reference's name of an action type in version `v` (its raw name
/// without the version tag), for its length warnings.
fn action_name(v: Version, kind: u16, vendor: u32, subtype: u16) -> Option<&'static str> {
    if kind == OFPAT_EXPERIMENTER {
        if vendor == ONF_VENDOR_ID {
            return (subtype == ONFACT_ET_COPY_FIELD).then_some("ONFACT_RAW13_COPY_FIELD");
        }
        return Some(match subtype {
            NXAST_RESUBMIT => "NXAST_RESUBMIT",
            NXAST_SET_TUNNEL => "NXAST_SET_TUNNEL",
            NXAST_SET_QUEUE => "NXAST_SET_QUEUE",
            NXAST_POP_QUEUE => "NXAST_POP_QUEUE",
            NXAST_REG_MOVE => "NXAST_REG_MOVE",
            NXAST_REG_LOAD => "NXAST_REG_LOAD",
            NXAST_NOTE => "NXAST_NOTE",
            NXAST_SET_TUNNEL64 => "NXAST_SET_TUNNEL64",
            NXAST_RESUBMIT_TABLE => "NXAST_RESUBMIT_TABLE",
            NXAST_OUTPUT_REG => "NXAST_OUTPUT_REG",
            NXAST_EXIT => "NXAST_EXIT",
            NXAST_DEC_TTL => "NXAST_DEC_TTL",
            NXAST_FIN_TIMEOUT => "NXAST_FIN_TIMEOUT",
            NXAST_DEC_TTL_CNT_IDS => "NXAST_DEC_TTL_CNT_IDS",
            NXAST_WRITE_METADATA => "NXAST_WRITE_METADATA",
            NXAST_PUSH_MPLS => "NXAST_PUSH_MPLS",
            NXAST_POP_MPLS => "NXAST_POP_MPLS",
            NXAST_SET_MPLS_TTL => "NXAST_SET_MPLS_TTL",
            NXAST_DEC_MPLS_TTL => "NXAST_DEC_MPLS_TTL",
            NXAST_STACK_PUSH => "NXAST_STACK_PUSH",
            NXAST_STACK_POP => "NXAST_STACK_POP",
            NXAST_SET_MPLS_LABEL => "NXAST_SET_MPLS_LABEL",
            NXAST_SET_MPLS_TC => "NXAST_SET_MPLS_TC",
            NXAST_OUTPUT_REG2 => "NXAST_OUTPUT_REG2",
            NXAST_REG_LOAD2 => "NXAST_REG_LOAD2",
            NXAST_CONJUNCTION => "NXAST_CONJUNCTION",
            NXAST_OUTPUT_TRUNC => "NXAST_OUTPUT_TRUNC",
            NXAST_GROUP => "NXAST_GROUP",
            NXAST_CLONE => "NXAST_CLONE",
            NXAST_RESUBMIT_TABLE_CT => "NXAST_RESUBMIT_TABLE_CT",
            NXAST_ENCAP => "NXAST_ENCAP",
            NXAST_DECAP => "NXAST_DECAP",
            NXAST_DEC_NSH_TTL => "NXAST_DEC_NSH_TTL",
            NXAST_DELETE_FIELD => "NXAST_DELETE_FIELD",
            NXAST_DEBUG_SLOW => "NXAST_DEBUG_SLOW",
            NXAST_DEBUG_RECIRC => "NXAST_DEBUG_RECIRC",
            bundle::NXAST_BUNDLE => "NXAST_BUNDLE",
            bundle::NXAST_BUNDLE_LOAD => "NXAST_BUNDLE_LOAD",
            check_pkt_larger::NXAST_CHECK_PKT_LARGER => "NXAST_CHECK_PKT_LARGER",
            controller::NXAST_CONTROLLER => "NXAST_CONTROLLER",
            controller::NXAST_CONTROLLER2 => "NXAST_CONTROLLER2",
            ct::NXAST_CT => "NXAST_CT",
            ct::NXAST_NAT => "NXAST_NAT",
            ct::NXAST_CT_CLEAR => "NXAST_CT_CLEAR",
            learn::NXAST_LEARN => "NXAST_LEARN",
            learn::NXAST_LEARN2 => "NXAST_LEARN2",
            multipath::NXAST_MULTIPATH => "NXAST_MULTIPATH",
            sample::NXAST_SAMPLE => "NXAST_SAMPLE",
            sample::NXAST_SAMPLE2 => "NXAST_SAMPLE2",
            sample::NXAST_SAMPLE3 => "NXAST_SAMPLE3",
            _ => return None,
        });
    }
    if v == Version::Of10 {
        return Some(match kind {
            OFPAT10_OUTPUT => "OFPAT_OUTPUT",
            OFPAT10_SET_VLAN_VID => "OFPAT_SET_VLAN_VID",
            OFPAT10_SET_VLAN_PCP => "OFPAT_SET_VLAN_PCP",
            OFPAT10_STRIP_VLAN => "OFPAT_STRIP_VLAN",
            OFPAT10_SET_DL_SRC => "OFPAT_SET_DL_SRC",
            OFPAT10_SET_DL_DST => "OFPAT_SET_DL_DST",
            OFPAT10_SET_NW_SRC => "OFPAT_SET_NW_SRC",
            OFPAT10_SET_NW_DST => "OFPAT_SET_NW_DST",
            OFPAT10_SET_NW_TOS => "OFPAT_SET_NW_TOS",
            OFPAT10_SET_TP_SRC => "OFPAT_SET_TP_SRC",
            OFPAT10_SET_TP_DST => "OFPAT_SET_TP_DST",
            OFPAT10_ENQUEUE => "OFPAT_ENQUEUE",
            _ => return None,
        });
    }
    Some(match kind {
        OFPAT11_OUTPUT => "OFPAT_OUTPUT",
        OFPAT11_SET_VLAN_VID => "OFPAT_SET_VLAN_VID",
        OFPAT11_SET_VLAN_PCP => "OFPAT_SET_VLAN_PCP",
        OFPAT11_SET_DL_SRC => "OFPAT_SET_DL_SRC",
        OFPAT11_SET_DL_DST => "OFPAT_SET_DL_DST",
        OFPAT11_SET_NW_SRC => "OFPAT_SET_NW_SRC",
        OFPAT11_SET_NW_DST => "OFPAT_SET_NW_DST",
        OFPAT11_SET_NW_TOS => "OFPAT_SET_NW_TOS",
        OFPAT11_SET_NW_ECN => "OFPAT_SET_NW_ECN",
        OFPAT11_SET_TP_SRC => "OFPAT_SET_TP_SRC",
        OFPAT11_SET_TP_DST => "OFPAT_SET_TP_DST",
        OFPAT11_SET_MPLS_LABEL => "OFPAT_SET_MPLS_LABEL",
        OFPAT11_SET_MPLS_TC => "OFPAT_SET_MPLS_TC",
        OFPAT11_SET_MPLS_TTL => "OFPAT_SET_MPLS_TTL",
        OFPAT11_DEC_MPLS_TTL => "OFPAT_DEC_MPLS_TTL",
        OFPAT11_PUSH_VLAN => "OFPAT_PUSH_VLAN",
        OFPAT11_POP_VLAN => "OFPAT_POP_VLAN",
        OFPAT11_PUSH_MPLS => "OFPAT_PUSH_MPLS",
        OFPAT11_POP_MPLS => "OFPAT_POP_MPLS",
        OFPAT11_SET_QUEUE => "OFPAT_SET_QUEUE",
        OFPAT11_GROUP => "OFPAT_GROUP",
        OFPAT11_SET_NW_TTL => "OFPAT_SET_NW_TTL",
        OFPAT11_DEC_NW_TTL => "OFPAT_DEC_NW_TTL",
        OFPAT12_SET_FIELD => "OFPAT_SET_FIELD",
        OFPAT15_COPY_FIELD => "OFPAT_COPY_FIELD",
        OFPAT15_METER => "OFPAT_METER",
        _ => return None,
    })
}

/// Whether the action in `r` is the Nicira action `subtype`.
fn is_nx(r: &Reader, subtype: u16) -> bool {
    let b = r.rest();
    b.len() >= 10
        && b[..2] == [0xff, 0xff]
        && b[4..8] == NX_VENDOR_ID.to_be_bytes()
        && b[8..10] == subtype.to_be_bytes()
}

/// Checks the next action's header in the reference's order: the type (and
/// for extensions the vendor and subtype) must be known in `v`, then the
/// declared length must fit the buffer and be a multiple of 8. Returns the
/// length.
fn check_header(v: Version, r: &Reader) -> Result<usize, OfpError> {
    let mut peek = r.clone().with_short_error(OfpError::BacBadLen);
    let kind = peek.be16()?;
    let len = usize::from(peek.be16()?);
    if kind == OFPAT_EXPERIMENTER {
        let vendor = peek.be32()?;
        if vendor != NX_VENDOR_ID && vendor != ONF_VENDOR_ID {
            crate::warn::warn("ofp_actions", || {
                format!("OpenFlow action has unknown vendor {}", hex_alt(vendor))
            });
            return Err(OfpError::BacBadExperimenter);
        }
        if r.remaining() < 16 {
            return Err(OfpError::BacBadLen);
        }
        let subtype = peek.be16()?;
        let known = if vendor == NX_VENDOR_ID {
            nx_known(v, subtype)
        } else {
            subtype == ONFACT_ET_COPY_FIELD && v == Version::Of13
        };
        if !known {
            crate::warn::warn("ofp_actions", || {
                format!(
                    "unknown {} action for vendor {} and type {subtype}",
                    v.name(),
                    hex_alt(vendor)
                )
            });
            return Err(OfpError::BacBadExpType);
        }
    } else {
        let known = match v {
            Version::Of10 => kind <= OFPAT10_ENQUEUE,
            _ => {
                kind <= OFPAT11_SET_TP_DST
                    || (OFPAT11_SET_MPLS_LABEL..=OFPAT11_DEC_NW_TTL).contains(&kind)
                    || (kind == OFPAT12_SET_FIELD && v >= Version::Of12)
                    || ((kind == OFPAT15_COPY_FIELD || kind == OFPAT15_METER) && v >= Version::Of15)
            }
        };
        if !known {
            crate::warn::warn("ofp_actions", || {
                format!("unknown {} action for vendor 0 and type {kind}", v.name())
            });
            return Err(OfpError::BacBadType);
        }
        // OF1.1's header-rewriting actions still decode in OF1.2+, where
        // set_field replaces them; the reference notes that.
        let deprecated = (OFPAT11_SET_VLAN_VID..=OFPAT11_SET_TP_DST).contains(&kind)
            || (OFPAT11_SET_MPLS_LABEL..=OFPAT11_SET_MPLS_TTL).contains(&kind);
        if v >= Version::Of12 && deprecated {
            if let Some(name) = action_name(v, kind, 0, 0) {
                crate::warn::info("ofp_actions", || {
                    format!("{name} is deprecated in {} (use Set-Field)", v.name())
                });
            }
        }
    }
    if len > r.remaining() {
        let (vendor, subtype) = {
            let mut p = r.clone();
            let _ = p.skip(4);
            let vendor = p.be32().unwrap_or(0);
            (vendor, p.be16().unwrap_or(0))
        };
        if let Some(name) = action_name(v, kind, vendor, subtype) {
            let have = r.remaining();
            crate::warn::warn("ofp_actions", || {
                format!("OpenFlow action {name} length {len} exceeds action buffer length {have}")
            });
        }
        return Err(OfpError::BacBadLen);
    }
    if len < 8 || len % 8 != 0 {
        let (vendor, subtype) = {
            let mut p = r.clone();
            let _ = p.skip(4);
            let vendor = p.be32().unwrap_or(0);
            (vendor, p.be16().unwrap_or(0))
        };
        if let (Some(name), Some((lo, hi))) = (
            action_name(v, kind, vendor, subtype),
            len_range(v, kind, vendor, subtype),
        ) {
            crate::warn::warn("ofp_actions", || {
                format!("OpenFlow action {name} length {len} not in valid range [{lo},{hi}]")
            });
        }
        return Err(OfpError::BacBadLen);
    }
    Ok(len)
}

/// The Nicira subtypes the reference decodes in version `v`: those that
/// stand in for OF1.1+ standard actions only in OF1.0, register loads and
/// moves not in OF1.5 (set_field and copy_field do it there), the
/// encapsulation ones from OF1.3.
fn nx_known(v: Version, subtype: u16) -> bool {
    match subtype {
        NXAST_SET_QUEUE | NXAST_DEC_TTL | NXAST_PUSH_MPLS | NXAST_POP_MPLS | NXAST_SET_MPLS_TTL
        | NXAST_DEC_MPLS_TTL | NXAST_SET_MPLS_LABEL | NXAST_SET_MPLS_TC | NXAST_GROUP => {
            v == Version::Of10
        }
        NXAST_REG_MOVE | NXAST_REG_LOAD | NXAST_REG_LOAD2 => v < Version::Of15,
        NXAST_ENCAP | NXAST_DECAP | NXAST_DEC_NSH_TTL => v >= Version::Of13,
        0 | 3 | 11 => false,
        NXAST_DEBUG_SLOW | NXAST_DEBUG_RECIRC => true,
        s => s <= NXAST_DELETE_FIELD,
    }
}

/// One action; `r` holds exactly its bytes, whose header [`check_header`] accepted.
fn decode_one(v: Version, r: &mut Reader, depth: usize) -> Result<Action, OfpError> {
    let len = r.remaining();
    let kind = r.be16()?;
    r.skip(2)?;
    if kind == OFPAT_EXPERIMENTER {
        let vendor = r.be32()?;
        let subtype = r.be16()?;
        if vendor == ONF_VENDOR_ID {
            if len < 24 {
                return Err(OfpError::BacBadLen);
            }
            r.skip(2)?;
            return decode_copy_field(r, true);
        }
        return decode_nx(v, subtype, r, depth);
    }
    let fixed = |want: usize| {
        if len == want {
            Ok(())
        } else {
            if let Some(name) = action_name(v, kind, 0, 0) {
                crate::warn::warn("ofp_actions", || {
                    format!(
                        "OpenFlow action {name} length {len} not in valid range [{want},{want}]"
                    )
                });
            }
            Err(OfpError::BacBadLen)
        }
    };
    if v == Version::Of10 {
        return match kind {
            OFPAT10_OUTPUT => {
                fixed(8)?;
                let port = PortNo(r.be16()?);
                let max_len = r.be16()?;
                check_output_port(port)?;
                Ok(Action::Output { port, max_len })
            }
            OFPAT10_SET_VLAN_VID => {
                fixed(8)?;
                decode_vlan_vid(r.be16()?, true)
            }
            OFPAT10_SET_VLAN_PCP => {
                fixed(8)?;
                decode_vlan_pcp(r.u8()?, true)
            }
            OFPAT10_STRIP_VLAN => {
                fixed(8)?;
                Ok(Action::StripVlan { pop_vlan: false })
            }
            OFPAT10_SET_DL_SRC => {
                fixed(16)?;
                Ok(Action::SetEthSrc(r.array()?))
            }
            OFPAT10_SET_DL_DST => {
                fixed(16)?;
                Ok(Action::SetEthDst(r.array()?))
            }
            OFPAT10_SET_NW_SRC => {
                fixed(8)?;
                Ok(Action::SetIpv4Src(Ipv4Addr::from(r.be32()?)))
            }
            OFPAT10_SET_NW_DST => {
                fixed(8)?;
                Ok(Action::SetIpv4Dst(Ipv4Addr::from(r.be32()?)))
            }
            OFPAT10_SET_NW_TOS => {
                fixed(8)?;
                decode_nw_tos(r.u8()?)
            }
            OFPAT10_SET_TP_SRC => {
                fixed(8)?;
                Ok(Action::SetL4SrcPort {
                    port: r.be16()?,
                    ip_proto: 0,
                })
            }
            OFPAT10_SET_TP_DST => {
                fixed(8)?;
                Ok(Action::SetL4DstPort {
                    port: r.be16()?,
                    ip_proto: 0,
                })
            }
            OFPAT10_ENQUEUE => {
                fixed(16)?;
                let port = PortNo(r.be16()?);
                r.skip(6)?;
                let queue = r.be32()?;
                if port.0 >= PortNo::MAX.0 && port != PortNo::IN_PORT && port != PortNo::LOCAL {
                    return Err(OfpError::BacBadOutPort);
                }
                Ok(Action::Enqueue { port, queue })
            }
            _ => Err(OfpError::BacBadType),
        };
    }
    match kind {
        OFPAT11_OUTPUT => {
            fixed(16)?;
            let wire_port = r.be32()?;
            if (0xff00..0xffff_ff00).contains(&wire_port) {
                crate::warn::warn("ofp_port", || {
                    format!(
                        "port {wire_port} is outside the supported range 0 through 65279 or 0xffffff00 through 0xffffffff"
                    )
                });
            }
            let port = PortNo::from_of11(wire_port)?;
            let max_len = r.be16()?;
            check_output_port(port)?;
            Ok(Action::Output { port, max_len })
        }
        OFPAT11_SET_VLAN_VID => {
            fixed(8)?;
            decode_vlan_vid(r.be16()?, false)
        }
        OFPAT11_SET_VLAN_PCP => {
            fixed(8)?;
            decode_vlan_pcp(r.u8()?, false)
        }
        OFPAT11_SET_DL_SRC => {
            fixed(16)?;
            Ok(Action::SetEthSrc(r.array()?))
        }
        OFPAT11_SET_DL_DST => {
            fixed(16)?;
            Ok(Action::SetEthDst(r.array()?))
        }
        OFPAT11_SET_NW_SRC => {
            fixed(8)?;
            Ok(Action::SetIpv4Src(Ipv4Addr::from(r.be32()?)))
        }
        OFPAT11_SET_NW_DST => {
            fixed(8)?;
            Ok(Action::SetIpv4Dst(Ipv4Addr::from(r.be32()?)))
        }
        OFPAT11_SET_NW_TOS => {
            fixed(8)?;
            decode_nw_tos(r.u8()?)
        }
        OFPAT11_SET_NW_ECN => {
            fixed(8)?;
            let ecn = r.u8()?;
            if ecn > 3 {
                return Err(OfpError::BacBadArgument);
            }
            Ok(Action::SetIpEcn(ecn))
        }
        OFPAT11_SET_TP_SRC => {
            fixed(8)?;
            Ok(Action::SetL4SrcPort {
                port: r.be16()?,
                ip_proto: 0,
            })
        }
        OFPAT11_SET_TP_DST => {
            fixed(8)?;
            Ok(Action::SetL4DstPort {
                port: r.be16()?,
                ip_proto: 0,
            })
        }
        OFPAT11_SET_MPLS_LABEL => {
            fixed(8)?;
            decode_mpls_label(r.be32()?)
        }
        OFPAT11_SET_MPLS_TC => {
            fixed(8)?;
            decode_mpls_tc(r.u8()?)
        }
        OFPAT11_SET_MPLS_TTL => {
            fixed(8)?;
            Ok(Action::SetMplsTtl(r.u8()?))
        }
        OFPAT11_DEC_MPLS_TTL => {
            fixed(8)?;
            Ok(Action::DecMplsTtl)
        }
        OFPAT11_PUSH_VLAN => {
            fixed(8)?;
            let ethertype = r.be16()?;
            if ethertype != ETH_TYPE_VLAN && ethertype != ETH_TYPE_VLAN_8021AD {
                return Err(OfpError::BacBadArgument);
            }
            Ok(Action::PushVlan(ethertype))
        }
        OFPAT11_POP_VLAN => {
            fixed(8)?;
            Ok(Action::StripVlan { pop_vlan: true })
        }
        OFPAT11_PUSH_MPLS => {
            fixed(8)?;
            decode_push_mpls(r.be16()?)
        }
        OFPAT11_POP_MPLS => {
            fixed(8)?;
            Ok(Action::PopMpls(r.be16()?))
        }
        OFPAT11_SET_QUEUE => {
            fixed(8)?;
            Ok(Action::SetQueue(r.be32()?))
        }
        OFPAT11_GROUP => {
            fixed(8)?;
            Ok(Action::Group(r.be32()?))
        }
        OFPAT11_SET_NW_TTL => {
            fixed(8)?;
            Ok(Action::SetIpTtl(r.u8()?))
        }
        OFPAT11_DEC_NW_TTL => {
            fixed(8)?;
            Ok(Action::DecTtl(None))
        }
        OFPAT12_SET_FIELD if v >= Version::Of12 => decode_ofpat_set_field(v, r),
        OFPAT15_COPY_FIELD if v >= Version::Of15 => {
            if len < 16 {
                return Err(OfpError::BacBadLen);
            }
            decode_copy_field(r, false)
        }
        OFPAT15_METER if v >= Version::Of15 => {
            fixed(8)?;
            Ok(Action::Meter(r.be32()?))
        }
        _ => Err(OfpError::BacBadType),
    }
}

/// The reference refuses output to reserved numbers it does not implement
/// (NONE, UNSET, the gap below IN_PORT).
fn check_output_port(port: PortNo) -> Result<(), OfpError> {
    if port.0 < PortNo::MAX.0 || (PortNo::IN_PORT.0..=PortNo::LOCAL.0).contains(&port.0) {
        Ok(())
    } else {
        Err(OfpError::BacBadOutPort)
    }
}

fn decode_vlan_vid(vid: u16, push_if_needed: bool) -> Result<Action, OfpError> {
    if vid & !0xfff != 0 {
        return Err(OfpError::BacBadArgument);
    }
    Ok(Action::SetVlanVid {
        vid,
        push_if_needed,
        flow_has_vlan: false,
    })
}

fn decode_vlan_pcp(pcp: u8, push_if_needed: bool) -> Result<Action, OfpError> {
    if pcp & !7 != 0 {
        return Err(OfpError::BacBadArgument);
    }
    Ok(Action::SetVlanPcp {
        pcp,
        push_if_needed,
        flow_has_vlan: false,
    })
}

fn decode_nw_tos(tos: u8) -> Result<Action, OfpError> {
    if tos & 3 != 0 {
        return Err(OfpError::BacBadArgument);
    }
    Ok(Action::SetIpDscp(tos))
}

/// The reference does not range-check MPLS labels and TCs on decode.
fn decode_mpls_label(label: u32) -> Result<Action, OfpError> {
    Ok(Action::SetMplsLabel(label))
}

fn decode_mpls_tc(tc: u8) -> Result<Action, OfpError> {
    Ok(Action::SetMplsTc(tc))
}

fn decode_push_mpls(ethertype: u16) -> Result<Action, OfpError> {
    if ethertype != ETH_TYPE_MPLS && ethertype != ETH_TYPE_MPLS_MCAST {
        return Err(OfpError::BacBadArgument);
    }
    Ok(Action::PushMpls(ethertype))
}

/// OF1.2+'s OFPAT_SET_FIELD: one OXM TLV (masked only from OF1.5), zero padding.
fn decode_ofpat_set_field(v: Version, r: &mut Reader) -> Result<Action, OfpError> {
    decode_set_field_tlv(r, v >= Version::Of15, SetFieldStyle::SetField)
}

/// The TLV of OFPAT_SET_FIELD and NXAST_REG_LOAD2, with the reference's
/// checks in its order: an experimenter header long enough for its id
/// (OFPBMC_BAD_LEN); a code point naming a field, with the field's length
/// (a masked header's halved) — which error otherwise is
/// [`header_lookup::unknown_header_error`]'s business; the payload present;
/// value bits inside the mask (OFPBMC_BAD_WILDCARDS); a mask only where
/// allowed; zero padding; a writable field. set_field (not reg_load2) also
/// needs a valid value and, for vlan_vid, the "present" bit in value and
/// mask (OFPBAC_BAD_SET_ARGUMENT). Unlike matches, any field may be masked
/// here, and a masked header of odd length leaves its last byte unused.
fn decode_set_field_tlv(
    r: &mut Reader,
    may_mask: bool,
    style: SetFieldStyle,
) -> Result<Action, OfpError> {
    let load2 = style == SetFieldStyle::Load2;
    // Short data is a length error of the message for reg_load2, of the
    // match TLV for set_field.
    let short = if load2 {
        OfpError::BrcBadLen
    } else {
        OfpError::BmcBadLen
    };
    let h = nxwire::pull_tlv_header(r).map_err(|_| short)?;
    let exp_len = if h.class == field::OXM_CLASS_EXPERIMENTER {
        4
    } else {
        0
    };
    if h.header_len < exp_len {
        return Err(OfpError::BmcBadLen);
    }
    // The length the reference looks the code point up with.
    let lookup_len = if h.masked {
        (h.header_len - exp_len) / 2 + exp_len
    } else {
        h.header_len
    };
    let named = h
        .field
        .filter(|_| header_lookup::can_name_a_field(lookup_len));
    let field = match named {
        Some(f) if f.tun_metadata_index().is_some() => f,
        Some(f) if lookup_len == f.n_bytes() + exp_len => f,
        Some(_) if lookup_len == 0 => return Err(OfpError::BacBadSetType),
        Some(_) => return Err(OfpError::BacBadSetLen),
        None => {
            return Err(header_lookup::unknown_header_error(
                h.class,
                h.number,
                h.experimenter,
                lookup_len as u8,
            ))
        }
    };
    let tun_md = field.tun_metadata_index().is_some();
    let value_len = h.payload_len / if h.masked { 2 } else { 1 };
    // The whole claimed payload is consumed (an odd byte of a masked one too).
    let mut payload = Reader::new(r.bytes(h.payload_len).map_err(|_| short)?);
    let r_payload = &mut payload;
    let value = r_payload.bytes(value_len).map_err(|_| short)?.to_vec();
    let mask = if h.masked {
        let m = r_payload.bytes(value_len).map_err(|_| short)?.to_vec();
        if value.iter().zip(&m).any(|(v, m)| v & !m != 0) {
            crate::warn::warn("nx_match", || {
                format!(
                    "Rejecting NXM/OXM entry {}:{}:{}:1:{} with 1-bits in value for bits wildcarded by the mask.",
                    crate::field::hex_alt(h.experimenter),
                    h.class,
                    h.number,
                    h.header_len
                )
            });
            return Err(OfpError::BmcBadWildcards);
        }
        Some(m)
    } else {
        None
    };
    if h.masked && !may_mask {
        return Err(OfpError::BacBadSetMask);
    }
    if r.take_rest().iter().any(|b| *b != 0) {
        return Err(OfpError::BacBadSetArgument);
    }
    // OpenFlow forbids setting OXM_OF_IN_PORT with set_field (reg_load2 may).
    if !field.writable() || (!load2 && field == FieldId::IN_PORT_OXM) {
        return Err(OfpError::BacBadSetArgument);
    }
    if !load2 {
        // tun_metadata values may have any length up to the maximum, even none.
        let valid = tun_md || field.is_value_valid(&value);
        // OF1.2+ VLAN VIDs carry the "present" bit; value and mask need it.
        let present = |b: &[u8]| b.first().is_some_and(|b| b & 0x10 != 0);
        let vid_ok =
            field != FieldId::VLAN_VID || (present(&value) && mask.as_deref().is_none_or(present));
        if !valid || !vid_ok {
            crate::warn::warn("ofp_actions", || {
                format!(
                    "Invalid value for set field {}: {}",
                    field.name(),
                    field.format_value(&value, None, None)
                )
            });
            return Err(OfpError::BacBadSetArgument);
        }
    }
    let (value, mask) = if tun_md {
        // A header may claim up to 127 bytes; the reference keeps the
        // first 124 (the widest option) of the value and of the mask.
        let cut = |mut b: Vec<u8>| {
            b.truncate(field.n_bytes());
            b
        };
        tun_metadata_value(cut(value), mask.map(cut))
    } else {
        let mask = mask.unwrap_or_else(|| full_mask(field, value.len()));
        (value, mask)
    };
    Ok(Action::SetField(Box::new(SetField {
        field,
        value,
        mask,
        style,
        flow_has_vlan: false,
    })))
}

/// OF1.5 COPY_FIELD / ONF copy_field body (from n_bits on).
fn decode_copy_field(r: &mut Reader, onf: bool) -> Result<Action, OfpError> {
    let n_bits = r.be16()?;
    let src_ofs = r.be16()?;
    let dst_ofs = r.be16()?;
    r.skip(2)?;
    let src = nxwire::pull_header(r)?;
    let dst = nxwire::pull_header(r)?;
    if r.take_rest().iter().any(|b| *b != 0) {
        return Err(OfpError::NxbrcMustBeZero);
    }
    reg_move(src, src_ofs, dst, dst_ofs, n_bits, onf)
}

fn reg_move(
    src: FieldId,
    src_ofs: u16,
    dst: FieldId,
    dst_ofs: u16,
    n_bits: u16,
    onf: bool,
) -> Result<Action, OfpError> {
    let src = SubField {
        field: src,
        ofs: src_ofs,
        n_bits,
    };
    let dst = SubField {
        field: dst,
        ofs: dst_ofs,
        n_bits,
    };
    nxwire::check_src(&src)?;
    nxwire::check_dst(&dst)?;
    Ok(Action::RegMove { src, dst, onf })
}

/// A Nicira extension action; `r` is positioned after the subtype.
fn decode_nx(v: Version, subtype: u16, r: &mut Reader, depth: usize) -> Result<Action, OfpError> {
    let len = nxwire::action_len(r);
    let fixed = |want: usize| {
        if len == want {
            Ok(())
        } else {
            if let Some(name) = action_name(v, OFPAT_EXPERIMENTER, NX_VENDOR_ID, subtype) {
                crate::warn::warn("ofp_actions", || {
                    format!(
                        "OpenFlow action {name} length {len} not in valid range [{want},{want}]"
                    )
                });
            }
            Err(OfpError::BacBadLen)
        }
    };
    let at_least = |want: usize| {
        if len >= want {
            Ok(())
        } else {
            if let Some(name) = action_name(v, OFPAT_EXPERIMENTER, NX_VENDOR_ID, subtype) {
                crate::warn::warn("ofp_actions", || {
                    format!("OpenFlow action {name} length {len} not in valid range [{want},65528]")
                });
            }
            Err(OfpError::BacBadLen)
        }
    };
    match subtype {
        NXAST_RESUBMIT => {
            fixed(16)?;
            let in_port = PortNo(r.be16()?);
            Ok(Action::Resubmit {
                in_port,
                table: 0xff,
                ct: false,
                nx_resubmit: true,
            })
        }
        NXAST_RESUBMIT_TABLE | NXAST_RESUBMIT_TABLE_CT => {
            fixed(16)?;
            let in_port = PortNo(r.be16()?);
            let table = r.u8()?;
            if r.take_rest().iter().any(|b| *b != 0) {
                return Err(OfpError::BacBadArgument);
            }
            Ok(Action::Resubmit {
                in_port,
                table,
                ct: subtype == NXAST_RESUBMIT_TABLE_CT,
                nx_resubmit: false,
            })
        }
        NXAST_SET_TUNNEL => {
            fixed(16)?;
            r.skip(2)?;
            Ok(Action::SetTunnel {
                tun_id: u64::from(r.be32()?),
                is64: false,
            })
        }
        NXAST_SET_TUNNEL64 => {
            fixed(24)?;
            r.skip(6)?;
            Ok(Action::SetTunnel {
                tun_id: r.be64()?,
                is64: true,
            })
        }
        NXAST_SET_QUEUE => {
            fixed(16)?;
            r.skip(2)?;
            Ok(Action::SetQueue(r.be32()?))
        }
        NXAST_POP_QUEUE => {
            fixed(16)?;
            Ok(Action::PopQueue)
        }
        NXAST_REG_MOVE => {
            at_least(16)?;
            let n_bits = r.be16()?;
            let src_ofs = r.be16()?;
            let dst_ofs = r.be16()?;
            let src = nxwire::pull_header(r)?;
            let dst = nxwire::pull_header(r)?;
            if r.take_rest().iter().any(|b| *b != 0) {
                return Err(OfpError::NxbrcMustBeZero);
            }
            reg_move(src, src_ofs, dst, dst_ofs, n_bits, false)
        }
        NXAST_REG_LOAD => {
            fixed(24)?;
            let ofs_nbits = r.be16()?;
            let header = r.be32()?;
            let value = r.be64()?;
            let dst = nxwire::subfield32(ofs_nbits, header)?;
            nxwire::check_dst(&dst)?;
            if dst.n_bits < 64 && value >> dst.n_bits != 0 {
                return Err(OfpError::BacBadArgument);
            }
            Ok(Action::SetField(Box::new(SetField::from_load(
                dst,
                &value.to_be_bytes(),
            ))))
        }
        NXAST_REG_LOAD2 => {
            at_least(16)?;
            decode_set_field_tlv(r, true, SetFieldStyle::Load2)
        }
        NXAST_NOTE => {
            at_least(16)?;
            Ok(Action::Note(r.take_rest().to_vec()))
        }
        NXAST_OUTPUT_REG => {
            fixed(24)?;
            let ofs_nbits = r.be16()?;
            let header = r.be32()?;
            let max_len = r.be16()?;
            if r.take_rest().iter().any(|b| *b != 0) {
                return Err(OfpError::BacBadArgument);
            }
            let src = nxwire::subfield32(ofs_nbits, header)?;
            nxwire::check_src(&src)?;
            Ok(Action::OutputReg {
                src,
                max_len,
                reg2: false,
            })
        }
        NXAST_OUTPUT_REG2 => {
            fixed(24)?;
            let ofs_nbits = r.be16()?;
            let max_len = r.be16()?;
            let field = nxwire::pull_header(r)?;
            if r.take_rest().iter().any(|b| *b != 0) {
                return Err(OfpError::NxbrcMustBeZero);
            }
            let (ofs, n_bits) = (ofs_nbits >> 6, (ofs_nbits & 0x3f) + 1);
            let src = SubField { field, ofs, n_bits };
            nxwire::check_src(&src)?;
            Ok(Action::OutputReg {
                src,
                max_len,
                reg2: true,
            })
        }
        NXAST_EXIT => {
            fixed(16)?;
            Ok(Action::Exit)
        }
        NXAST_DEC_TTL => {
            fixed(16)?;
            Ok(Action::DecTtl(None))
        }
        NXAST_DEC_TTL_CNT_IDS => {
            at_least(16)?;
            let n = usize::from(r.be16()?);
            if r.bytes(4)?.iter().any(|b| *b != 0) {
                return Err(OfpError::NxbrcMustBeZero);
            }
            if r.remaining() < n * 2 {
                return Err(OfpError::BacBadLen);
            }
            let mut ids = Vec::with_capacity(n);
            for _ in 0..n {
                ids.push(r.be16()?);
            }
            Ok(Action::DecTtl(Some(ids)))
        }
        NXAST_FIN_TIMEOUT => {
            fixed(16)?;
            let idle = r.be16()?;
            let hard = r.be16()?;
            Ok(Action::FinTimeout { idle, hard })
        }
        controller::NXAST_CONTROLLER => Ok(Action::Controller(Box::new(Controller::decode_nx(r)?))),
        controller::NXAST_CONTROLLER2 => {
            Ok(Action::Controller(Box::new(Controller::decode_nx2(r)?)))
        }
        NXAST_WRITE_METADATA => {
            fixed(32)?;
            if r.bytes(6)?.iter().any(|b| *b != 0) {
                return Err(OfpError::NxbrcMustBeZero);
            }
            let value = r.be64()?;
            let mask = r.be64()?;
            Ok(Action::WriteMetadata { value, mask })
        }
        NXAST_PUSH_MPLS => {
            fixed(16)?;
            decode_push_mpls(r.be16()?)
        }
        NXAST_POP_MPLS => {
            fixed(16)?;
            Ok(Action::PopMpls(r.be16()?))
        }
        NXAST_SET_MPLS_TTL => {
            fixed(16)?;
            Ok(Action::SetMplsTtl(r.u8()?))
        }
        NXAST_DEC_MPLS_TTL => {
            fixed(16)?;
            Ok(Action::DecMplsTtl)
        }
        NXAST_SET_MPLS_LABEL => {
            fixed(16)?;
            r.skip(2)?;
            decode_mpls_label(r.be32()?)
        }
        NXAST_SET_MPLS_TC => {
            fixed(16)?;
            decode_mpls_tc(r.u8()?)
        }
        NXAST_STACK_PUSH | NXAST_STACK_POP => {
            fixed(24)?;
            let ofs = r.be16()?;
            let field = nxwire::pull_header(r)?;
            let n_bits = r.be16()?;
            if r.take_rest().iter().any(|b| *b != 0) {
                return Err(OfpError::NxbrcMustBeZero);
            }
            let sf = SubField { field, ofs, n_bits };
            if subtype == NXAST_STACK_PUSH {
                nxwire::check_src(&sf)?;
                Ok(Action::StackPush(sf))
            } else {
                nxwire::check_dst(&sf)?;
                Ok(Action::StackPop(sf))
            }
        }
        NXAST_CONJUNCTION => {
            fixed(16)?;
            let clause = r.u8()?;
            let n_clauses = r.u8()?;
            let id = r.be32()?;
            if !(2..=64).contains(&n_clauses) || clause >= n_clauses {
                return Err(OfpError::NxbacBadConjunction);
            }
            Ok(Action::Conjunction {
                id,
                clause: clause + 1,
                n_clauses,
            })
        }
        NXAST_OUTPUT_TRUNC => {
            fixed(16)?;
            let port = PortNo(r.be16()?);
            let max_len = r.be32()?;
            // Shorter than an Ethernet header makes no sense.
            if max_len < 14 {
                return Err(OfpError::BacBadArgument);
            }
            Ok(Action::OutputTrunc { port, max_len })
        }
        NXAST_GROUP => {
            fixed(16)?;
            r.skip(2)?;
            Ok(Action::Group(r.be32()?))
        }
        NXAST_CLONE => {
            at_least(16)?;
            // The reference ignores these six bytes.
            r.skip(6)?;
            if depth >= MAX_NESTING {
                return Err(OfpError::BacBadLen);
            }
            let nested = decode_list(v, r, depth + 1, Outer::Clone, false)?;
            if nested.iter().any(Action::is_instruction) {
                return Err(OfpError::BicUnsupInst);
            }
            Ok(Action::Clone(nested))
        }
        NXAST_DEC_NSH_TTL if v >= Version::Of13 => {
            fixed(16)?;
            Ok(Action::DecNshTtl)
        }
        NXAST_DECAP if v >= Version::Of13 => {
            at_least(16)?;
            r.skip(2)?;
            let packet_type = r.be32()?;
            // decap defines no properties.
            if !r.is_empty() {
                return Err(OfpError::NxbacUnknownEdProp);
            }
            Ok(Action::Decap { packet_type })
        }
        NXAST_ENCAP if v >= Version::Of13 => decode_encap(r),
        // Known, but only switches built for testing accept them.
        NXAST_DEBUG_RECIRC | NXAST_DEBUG_SLOW => {
            fixed(16)?;
            Err(OfpError::BacBadExpType)
        }
        NXAST_DELETE_FIELD => {
            // A fixed 24 bytes: the field's header, then padding nobody reads.
            fixed(24)?;
            Ok(Action::DeleteField(nxwire::pull_header(r)?))
        }
        learn::NXAST_LEARN | learn::NXAST_LEARN2 => Ok(Action::Learn(Box::new(
            learn::Learn::decode_nx(subtype, r, v)?,
        ))),
        multipath::NXAST_MULTIPATH => Ok(Action::Multipath(Box::new(
            multipath::Multipath::decode_nx(subtype, r, v)?,
        ))),
        bundle::NXAST_BUNDLE | bundle::NXAST_BUNDLE_LOAD => Ok(Action::Bundle(Box::new(
            bundle::Bundle::decode_nx(subtype, r, v)?,
        ))),
        sample::NXAST_SAMPLE | sample::NXAST_SAMPLE2 | sample::NXAST_SAMPLE3 => Ok(Action::Sample(
            Box::new(sample::Sample::decode_nx(subtype, r, v)?),
        )),
        ct::NXAST_CT => Ok(Action::Ct(Box::new(ct::Ct::decode_nx(subtype, r, v)?))),
        ct::NXAST_CT_CLEAR => {
            ct::decode_ct_clear(r)?;
            Ok(Action::CtClear)
        }
        // NAT is only meaningful inside ct, which decodes it itself
        // (`decode_list` handles a stray one).
        ct::NXAST_NAT => Err(OfpError::BacBadSetArgument),
        check_pkt_larger::NXAST_CHECK_PKT_LARGER => Ok(Action::CheckPktLarger(Box::new(
            check_pkt_larger::CheckPktLarger::decode_nx(subtype, r, v)?,
        ))),
        _ => Err(OfpError::BacBadExpType),
    }
}

/// NXAST_ENCAP: header size (unused), new packet type, then properties.
fn decode_encap(r: &mut Reader) -> Result<Action, OfpError> {
    let hdr_size = r.be16()?;
    let packet_type = r.be32()?;
    if ![
        0,
        super::parse::PT_NSH,
        super::parse::PT_MPLS,
        super::parse::PT_MPLS_MC,
    ]
    .contains(&packet_type)
    {
        return Err(OfpError::NxbacBadHeaderType);
    }
    let mut encap = Encap {
        hdr_size,
        packet_type,
        nsh_md_type: None,
        nsh_tlvs: vec![],
    };
    while !r.is_empty() {
        let mut hdr = r.clone();
        let class = hdr.be16()?;
        let kind = hdr.u8()?;
        let len = usize::from(hdr.u8()?);
        if len < 4 || len.div_ceil(8) * 8 > r.remaining() {
            return Err(OfpError::BacBadLen);
        }
        let mut prop = r.sub(len.div_ceil(8) * 8)?;
        prop.skip(4)?;
        // What follows the property header, padding included.
        let padded = prop.rest();
        let payload = prop.bytes(len - 4)?;
        // Only the NSH class (0x0004) exists: md_type (1) and a TLV (2).
        if class != 4 {
            return Err(OfpError::NxbacUnknownEdProp);
        }
        match kind {
            1 => {
                // One byte, the metadata type, within one 8-byte unit (the
                // reference reads it even when the length leaves it out).
                let md = match padded {
                    [md, ..] if payload.len() <= 4 => *md,
                    _ => return Err(OfpError::NxbacBadEdProp),
                };
                encap.nsh_md_type = Some(md);
            }
            2 => {
                if payload.len() < 4 {
                    return Err(OfpError::BacBadLen);
                }
                let class = u16::from_be_bytes([payload[0], payload[1]]);
                let kind = payload[2];
                let tlv_len = payload[3];
                let data = &payload[4..];
                if tlv_len == 0 {
                    return Err(OfpError::BacBadLen);
                }
                // The value fills the property, padded to 8 bytes.
                if data.len() != usize::from(tlv_len).div_ceil(8) * 8 {
                    return Err(OfpError::NxbacBadEdProp);
                }
                encap.nsh_tlvs.push(NshTlv {
                    class,
                    kind,
                    len: tlv_len,
                    data: data.to_vec(),
                });
            }
            _ => return Err(OfpError::NxbacUnknownEdProp),
        }
    }
    Ok(Action::Encap(Box::new(encap)))
}

// ---- encoding -----------------------------------------------------------------

/// Encodes an action list for `v`. Instruction members are skipped, except
/// those with an action form in `v` (OF1.5's meter; Nicira's write_metadata
/// and goto_table-as-resubmit in OF1.0).
pub fn encode_actions(v: Version, acts: &[Action], out: &mut Vec<u8>) {
    for a in acts {
        encode_one(v, a, out);
    }
}

fn of11(v: Version) -> bool {
    v >= Version::Of11
}

/// A fixed 8-byte OF1.x action with a 16-bit argument.
fn put_std16(out: &mut Vec<u8>, kind: u16, arg: u16) {
    out.put_be16(kind);
    out.put_be16(8);
    out.put_be16(arg);
    out.put_zeros(2);
}

fn put_std8(out: &mut Vec<u8>, kind: u16, arg: u8) {
    out.put_be16(kind);
    out.put_be16(8);
    out.put_u8(arg);
    out.put_zeros(3);
}

fn put_std32(out: &mut Vec<u8>, kind: u16, arg: u32) {
    out.put_be16(kind);
    out.put_be16(8);
    out.put_be32(arg);
}

fn put_std_empty(out: &mut Vec<u8>, kind: u16) {
    out.put_be16(kind);
    out.put_be16(8);
    out.put_zeros(4);
}

fn put_std_mac(out: &mut Vec<u8>, kind: u16, mac: &[u8; 6]) {
    out.put_be16(kind);
    out.put_be16(16);
    out.extend_from_slice(mac);
    out.put_zeros(6);
}

/// A 16-byte NX action whose argument sits at its natural alignment
/// (8-bit and 16-bit right after the subtype, 32-bit two bytes later).
fn put_nx_empty(out: &mut Vec<u8>, subtype: u16) {
    let start = nxwire::start(out, subtype);
    nxwire::finish(out, start);
}

fn put_nx8(out: &mut Vec<u8>, subtype: u16, arg: u8) {
    let start = nxwire::start(out, subtype);
    out.put_u8(arg);
    nxwire::finish(out, start);
}

fn put_nx16(out: &mut Vec<u8>, subtype: u16, arg: u16) {
    let start = nxwire::start(out, subtype);
    out.put_be16(arg);
    nxwire::finish(out, start);
}

fn put_nx32(out: &mut Vec<u8>, subtype: u16, arg: u32) {
    let start = nxwire::start(out, subtype);
    out.put_zeros(2);
    out.put_be32(arg);
    nxwire::finish(out, start);
}

fn put_nx64(out: &mut Vec<u8>, subtype: u16, arg: u64) {
    let start = nxwire::start(out, subtype);
    out.put_zeros(6);
    out.put_be64(arg);
    nxwire::finish(out, start);
}

fn put_output(v: Version, out: &mut Vec<u8>, port: PortNo, max_len: u16) {
    if of11(v) {
        out.put_be16(OFPAT11_OUTPUT);
        out.put_be16(16);
        out.put_be32(port.to_of11());
        out.put_be16(max_len);
        out.put_zeros(6);
    } else {
        out.put_be16(OFPAT10_OUTPUT);
        out.put_be16(8);
        out.put_be16(port.0);
        out.put_be16(max_len);
    }
}

/// OFPAT_SET_FIELD (OF1.2+), masked only if `mask` is given.
fn put_ofpat_set_field(
    v: Version,
    out: &mut Vec<u8>,
    f: FieldId,
    value: &[u8],
    mask: Option<&[u8]>,
) {
    let start = out.len();
    out.put_be16(OFPAT12_SET_FIELD);
    out.put_be16(0);
    field::encode_tlv(out, f, value, mask, v);
    out.pad_from(start, 8);
    let len = out.len() - start;
    out.patch_be16(start + 2, len as u16);
}

/// OFPAT_SET_FIELD for a [`SetField`] (masked only if partial).
fn put_ofpat_sf(v: Version, out: &mut Vec<u8>, sf: &SetField) {
    let start = out.len();
    out.put_be16(OFPAT12_SET_FIELD);
    out.put_be16(0);
    put_tlv(out, sf, v);
    out.pad_from(start, 8);
    let len = out.len() - start;
    out.patch_be16(start + 2, len as u16);
}

fn put_set_field_whole(v: Version, out: &mut Vec<u8>, f: FieldId, value: &[u8]) {
    put_ofpat_set_field(v, out, f, value, None);
}

fn put_reg_load(out: &mut Vec<u8>, dst: &SubField, value: u64) {
    let start = nxwire::start(out, NXAST_REG_LOAD);
    out.put_be16(nxwire::ofs_nbits(dst));
    out.put_be32(nxwire::header32(dst.field));
    out.put_be64(value);
    nxwire::finish(out, start);
}

/// A whole-field write as NXAST_REG_LOAD (for fields without a standard
/// action in OF1.0).
fn put_load_whole(out: &mut Vec<u8>, f: FieldId, value: &[u8]) {
    let sf = SetField {
        style: SetFieldStyle::Load,
        ..SetField::new(f, value.to_vec())
    };
    put_set_field_nxast(out, &sf);
}

/// set_field as Nicira actions: REG_LOAD2 for fields REG_LOAD cannot name
/// (experimenter or variable-length ones) or when it came in that way,
/// otherwise one REG_LOAD per contiguous run of mask bits.
fn put_set_field_nxast(out: &mut Vec<u8>, sf: &SetField) {
    let needs_load2 = sf.style == SetFieldStyle::Load2
        || !nxwire::has_header32(sf.field)
        || sf.field.tun_metadata_index().is_some();
    if needs_load2 {
        let start = nxwire::start(out, NXAST_REG_LOAD2);
        put_tlv(out, sf, Version::Of10);
        nxwire::finish(out, start);
    } else {
        for (dst, value) in sf.load_segments() {
            put_reg_load(out, &dst, value);
        }
    }
}

/// One set_field TLV. tun_metadata values have no fixed width: the
/// reference writes only the bytes the value and mask need.
fn put_tlv(out: &mut Vec<u8>, sf: &SetField, v: Version) {
    if sf.field.tun_metadata_index().is_some() {
        // Written here rather than by `field::encode_tlv`, which takes a
        // mask of all ones for an exact match: for tun_metadata that is a
        // write of only the mask's width, which must stay masked.
        let (value, mask) = shortest(sf.value.clone(), sf.mask.clone());
        let masked = !sf.is_whole();
        if let Some(w) = sf.field.wire_for(v) {
            let payload = value.len() * if masked { 2 } else { 1 };
            out.put_be32(w.header(payload, masked));
            out.extend_from_slice(&value);
            if masked {
                out.extend_from_slice(&mask);
            }
        }
    } else if sf.field.wire_for(v).is_none() {
        // Fields the reference names only in text (dl_vlan, dl_vlan_pcp)
        // go out under a zero code point, which reads back as in_port; a
        // `load` into one is masked (its mask is not all ones).
        let masked = sf.style == SetFieldStyle::Load;
        let payload = sf.value.len() * if masked { 2 } else { 1 };
        out.put_be32((u32::from(masked) << 8) | (payload as u32 & 0xff));
        out.extend_from_slice(&sf.value);
        if masked {
            out.extend_from_slice(&sf.mask);
        }
    } else {
        field::encode_tlv(out, sf.field, &sf.value, sf.partial_mask(), v);
    }
}

fn be_u64(v: &[u8]) -> u64 {
    v.iter().fold(0u64, |acc, b| acc << 8 | u64::from(*b))
}

/// set_field for OF1.0 and OF1.1: the standard action for the field where
/// one exists (the reference ignores the mask then), else Nicira's.
fn put_set_field_legacy(v: Version, out: &mut Vec<u8>, sf: &SetField) {
    let val = be_u64(&sf.value);
    let f = sf.field;
    // OF1.1's VLAN actions need a tag: a whole-TCI write that makes one
    // pushes it first unless the flow was seen to have one (the reference
    // does this for vlan_tci only, not for vlan_vid or vlan_pcp).
    let tags = f == FieldId::VLAN_TCI && val & 0x1000 != 0;
    if of11(v) && tags && !sf.flow_has_vlan {
        put_push_vlan(out);
    }
    if f == FieldId::VLAN_VID {
        put_std16(out, OFPAT10_SET_VLAN_VID, val as u16 & 0xfff);
    } else if f == FieldId::VLAN_TCI {
        let tci = val as u16;
        if tci & 0x1000 == 0 {
            put_std_empty(
                out,
                if of11(v) {
                    OFPAT11_POP_VLAN
                } else {
                    OFPAT10_STRIP_VLAN
                },
            );
        } else {
            put_std16(out, OFPAT10_SET_VLAN_VID, tci & 0xfff);
            put_std8(out, OFPAT10_SET_VLAN_PCP, (tci >> 13) as u8);
        }
    } else if f == FieldId::VLAN_PCP {
        put_std8(out, OFPAT10_SET_VLAN_PCP, val as u8);
    } else if f == FieldId::ETH_SRC || f == FieldId::ETH_DST {
        let mut mac = [0u8; 6];
        let n = sf.value.len().min(6);
        mac[..n].copy_from_slice(&sf.value[..n]);
        let kind = match (f == FieldId::ETH_SRC, of11(v)) {
            (true, false) => OFPAT10_SET_DL_SRC,
            (false, false) => OFPAT10_SET_DL_DST,
            (true, true) => OFPAT11_SET_DL_SRC,
            (false, true) => OFPAT11_SET_DL_DST,
        };
        put_std_mac(out, kind, &mac);
    } else if f == FieldId::IP_SRC || f == FieldId::IP_DST {
        let kind = match (f == FieldId::IP_SRC, of11(v)) {
            (true, false) => OFPAT10_SET_NW_SRC,
            (false, false) => OFPAT10_SET_NW_DST,
            (true, true) => OFPAT11_SET_NW_SRC,
            (false, true) => OFPAT11_SET_NW_DST,
        };
        put_std32(out, kind, val as u32);
    } else if f == FieldId::NW_TOS || f == FieldId::IP_DSCP {
        let tos = if f == FieldId::IP_DSCP {
            (val as u8) << 2
        } else {
            val as u8
        };
        put_std8(
            out,
            if of11(v) {
                OFPAT11_SET_NW_TOS
            } else {
                OFPAT10_SET_NW_TOS
            },
            tos,
        );
    } else if f == FieldId::NW_ECN && of11(v) {
        put_std8(out, OFPAT11_SET_NW_ECN, val as u8);
    } else if f == FieldId::NW_TTL && of11(v) {
        put_std8(out, OFPAT11_SET_NW_TTL, val as u8);
    } else if f == FieldId::TCP_SRC || f == FieldId::UDP_SRC {
        // (SCTP ports have no standard action before OF1.2: Nicira's below.)
        put_std16(out, OFPAT10_SET_TP_SRC, val as u16);
    } else if f == FieldId::TCP_DST || f == FieldId::UDP_DST {
        put_std16(out, OFPAT10_SET_TP_DST, val as u16);
    } else {
        put_set_field_nxast(out, sf);
    }
}

fn encode_set_field(v: Version, out: &mut Vec<u8>, sf: &SetField) {
    if v >= Version::Of15 {
        put_ofpat_sf(v, out, sf);
    } else if sf.style != SetFieldStyle::SetField {
        put_set_field_nxast(out, sf);
    } else if v < Version::Of12 {
        put_set_field_legacy(v, out, sf);
    } else if sf.is_whole() {
        put_ofpat_sf(v, out, sf);
    } else {
        put_set_field_nxast(out, sf);
    }
}

fn put_push_vlan(out: &mut Vec<u8>) {
    put_std16(out, OFPAT11_PUSH_VLAN, ETH_TYPE_VLAN);
}

fn encode_one(v: Version, a: &Action, out: &mut Vec<u8>) {
    match a {
        Action::Output { port, max_len } => put_output(v, out, *port, *max_len),
        Action::Controller(c) => c.encode(out),
        Action::Enqueue { port, queue } => {
            if of11(v) {
                put_std32(out, OFPAT11_SET_QUEUE, *queue);
                put_output(v, out, *port, u16::MAX);
                put_nx_empty(out, NXAST_POP_QUEUE);
            } else {
                out.put_be16(OFPAT10_ENQUEUE);
                out.put_be16(16);
                out.put_be16(port.0);
                out.put_zeros(6);
                out.put_be32(*queue);
            }
        }
        Action::OutputReg { src, max_len, reg2 } => {
            if *reg2 || !nxwire::has_header32(src.field) {
                let start = nxwire::start(out, NXAST_OUTPUT_REG2);
                out.put_be16(nxwire::ofs_nbits(src));
                out.put_be16(*max_len);
                nxwire::put_header(out, src.field);
                nxwire::finish(out, start);
            } else {
                let start = nxwire::start(out, NXAST_OUTPUT_REG);
                out.put_be16(nxwire::ofs_nbits(src));
                out.put_be32(nxwire::header32(src.field));
                out.put_be16(*max_len);
                nxwire::finish(out, start);
            }
        }
        Action::OutputTrunc { port, max_len } => {
            let start = nxwire::start(out, NXAST_OUTPUT_TRUNC);
            out.put_be16(port.0);
            out.put_be32(*max_len);
            nxwire::finish(out, start);
        }
        Action::Group(g) => {
            if of11(v) {
                put_std32(out, OFPAT11_GROUP, *g);
            } else {
                put_nx32(out, NXAST_GROUP, *g);
            }
        }
        Action::Bundle(b) => b.encode_nx(out, v),
        Action::SetVlanVid {
            vid,
            push_if_needed,
            flow_has_vlan,
        } => {
            if of11(v) && *push_if_needed && !*flow_has_vlan {
                put_push_vlan(out);
            }
            if v >= Version::Of12 {
                put_set_field_whole(v, out, FieldId::VLAN_VID, &(vid | 0x1000).to_be_bytes());
            } else {
                put_std16(out, OFPAT10_SET_VLAN_VID, *vid);
            }
        }
        Action::SetVlanPcp {
            pcp,
            push_if_needed,
            flow_has_vlan,
        } => {
            if of11(v) && *push_if_needed && !*flow_has_vlan {
                put_push_vlan(out);
            }
            if v >= Version::Of12 {
                put_set_field_whole(v, out, FieldId::VLAN_PCP, &[*pcp]);
            } else {
                put_std8(out, OFPAT10_SET_VLAN_PCP, *pcp);
            }
        }
        Action::StripVlan { .. } => {
            put_std_empty(
                out,
                if of11(v) {
                    OFPAT11_POP_VLAN
                } else {
                    OFPAT10_STRIP_VLAN
                },
            );
        }
        Action::PushVlan(ethertype) => {
            // OF1.0 has no push: the following set_vlan_vid/pcp implies it.
            if of11(v) {
                put_std16(out, OFPAT11_PUSH_VLAN, *ethertype);
            }
        }
        Action::PushMpls(ethertype) => {
            if of11(v) {
                put_std16(out, OFPAT11_PUSH_MPLS, *ethertype);
            } else {
                put_nx16(out, NXAST_PUSH_MPLS, *ethertype);
            }
        }
        Action::PopMpls(ethertype) => {
            if of11(v) {
                put_std16(out, OFPAT11_POP_MPLS, *ethertype);
            } else {
                put_nx16(out, NXAST_POP_MPLS, *ethertype);
            }
        }
        Action::SetMplsLabel(label) => match v {
            Version::Of10 => put_nx32(out, NXAST_SET_MPLS_LABEL, *label),
            Version::Of11 => put_std32(out, OFPAT11_SET_MPLS_LABEL, *label),
            _ => put_set_field_whole(v, out, FieldId::MPLS_LABEL, &label.to_be_bytes()),
        },
        Action::SetMplsTc(tc) => match v {
            Version::Of10 => put_nx8(out, NXAST_SET_MPLS_TC, *tc),
            Version::Of11 => put_std8(out, OFPAT11_SET_MPLS_TC, *tc),
            _ => put_set_field_whole(v, out, FieldId::MPLS_TC, &[*tc]),
        },
        Action::SetMplsTtl(ttl) => {
            if of11(v) {
                put_std8(out, OFPAT11_SET_MPLS_TTL, *ttl);
            } else {
                put_nx8(out, NXAST_SET_MPLS_TTL, *ttl);
            }
        }
        Action::DecMplsTtl => {
            if of11(v) {
                put_std_empty(out, OFPAT11_DEC_MPLS_TTL);
            } else {
                put_nx_empty(out, NXAST_DEC_MPLS_TTL);
            }
        }
        Action::DecNshTtl => put_nx_empty(out, NXAST_DEC_NSH_TTL),
        Action::Encap(e) => encode_encap(out, e),
        Action::Decap { packet_type } => put_nx32(out, NXAST_DECAP, *packet_type),
        Action::SetEthSrc(mac) => match v {
            Version::Of10 => put_std_mac(out, OFPAT10_SET_DL_SRC, mac),
            Version::Of11 => put_std_mac(out, OFPAT11_SET_DL_SRC, mac),
            _ => put_set_field_whole(v, out, FieldId::ETH_SRC, mac),
        },
        Action::SetEthDst(mac) => match v {
            Version::Of10 => put_std_mac(out, OFPAT10_SET_DL_DST, mac),
            Version::Of11 => put_std_mac(out, OFPAT11_SET_DL_DST, mac),
            _ => put_set_field_whole(v, out, FieldId::ETH_DST, mac),
        },
        Action::SetIpv4Src(ip) => match v {
            Version::Of10 => put_std32(out, OFPAT10_SET_NW_SRC, u32::from(*ip)),
            Version::Of11 => put_std32(out, OFPAT11_SET_NW_SRC, u32::from(*ip)),
            _ => put_set_field_whole(v, out, FieldId::IP_SRC, &ip.octets()),
        },
        Action::SetIpv4Dst(ip) => match v {
            Version::Of10 => put_std32(out, OFPAT10_SET_NW_DST, u32::from(*ip)),
            Version::Of11 => put_std32(out, OFPAT11_SET_NW_DST, u32::from(*ip)),
            _ => put_set_field_whole(v, out, FieldId::IP_DST, &ip.octets()),
        },
        Action::SetIpDscp(tos) => match v {
            Version::Of10 => put_std8(out, OFPAT10_SET_NW_TOS, *tos),
            Version::Of11 => put_std8(out, OFPAT11_SET_NW_TOS, *tos),
            _ => put_set_field_whole(v, out, FieldId::IP_DSCP, &[tos >> 2]),
        },
        Action::SetIpEcn(ecn) => match v {
            Version::Of10 => put_load_whole(out, FieldId::NW_ECN, &[*ecn]),
            Version::Of11 => put_std8(out, OFPAT11_SET_NW_ECN, *ecn),
            _ => put_set_field_whole(v, out, FieldId::NW_ECN, &[*ecn]),
        },
        Action::SetIpTtl(ttl) => match v {
            Version::Of10 => put_load_whole(out, FieldId::NW_TTL, &[*ttl]),
            _ => put_std8(out, OFPAT11_SET_NW_TTL, *ttl),
        },
        Action::SetL4SrcPort { port, ip_proto } => {
            if v >= Version::Of12 {
                if let Some(f) = l4_field(*ip_proto, true) {
                    put_set_field_whole(v, out, f, &port.to_be_bytes());
                }
            } else {
                put_std16(out, OFPAT10_SET_TP_SRC, *port);
            }
        }
        Action::SetL4DstPort { port, ip_proto } => {
            if v >= Version::Of12 {
                if let Some(f) = l4_field(*ip_proto, false) {
                    put_set_field_whole(v, out, f, &port.to_be_bytes());
                }
            } else {
                put_std16(out, OFPAT10_SET_TP_DST, *port);
            }
        }
        Action::SetField(sf) => encode_set_field(v, out, sf),
        Action::RegMove { src, dst, onf } => {
            if v >= Version::Of15 || (v == Version::Of13 && *onf) {
                let start = out.len();
                if v >= Version::Of15 {
                    out.put_be16(OFPAT15_COPY_FIELD);
                    out.put_be16(0);
                } else {
                    out.put_be16(OFPAT_EXPERIMENTER);
                    out.put_be16(0);
                    out.put_be32(ONF_VENDOR_ID);
                    out.put_be16(ONFACT_ET_COPY_FIELD);
                    out.put_zeros(2);
                }
                out.put_be16(src.n_bits);
                out.put_be16(src.ofs);
                out.put_be16(dst.ofs);
                out.put_zeros(2);
                field::encode_header(out, src.field, v, false);
                field::encode_header(out, dst.field, v, false);
                out.pad_from(start, 8);
                let len = out.len() - start;
                out.patch_be16(start + 2, len as u16);
            } else {
                let start = nxwire::start(out, NXAST_REG_MOVE);
                out.put_be16(src.n_bits);
                out.put_be16(src.ofs);
                out.put_be16(dst.ofs);
                nxwire::put_header(out, src.field);
                nxwire::put_header(out, dst.field);
                nxwire::finish(out, start);
            }
        }
        Action::StackPush(sf) | Action::StackPop(sf) => {
            let sub = if matches!(a, Action::StackPush(_)) {
                NXAST_STACK_PUSH
            } else {
                NXAST_STACK_POP
            };
            let start = nxwire::start(out, sub);
            out.put_be16(sf.ofs);
            nxwire::put_header(out, sf.field);
            out.put_be16(sf.n_bits);
            out.put_zeros(6);
            nxwire::finish(out, start);
        }
        Action::DecTtl(ids) => match ids {
            Some(ids) => {
                let start = nxwire::start(out, NXAST_DEC_TTL_CNT_IDS);
                out.put_be16(ids.len() as u16);
                out.put_zeros(4);
                for id in ids {
                    out.put_be16(*id);
                }
                nxwire::finish(out, start);
            }
            None if of11(v) => put_std_empty(out, OFPAT11_DEC_NW_TTL),
            None => put_nx_empty(out, NXAST_DEC_TTL),
        },
        Action::SetTunnel { tun_id, is64 } => {
            if v >= Version::Of12 {
                put_set_field_whole(v, out, FieldId::TUN_ID, &tun_id.to_be_bytes());
            } else if *is64 || *tun_id > u64::from(u32::MAX) {
                put_nx64(out, NXAST_SET_TUNNEL64, *tun_id);
            } else {
                put_nx32(out, NXAST_SET_TUNNEL, *tun_id as u32);
            }
        }
        Action::DeleteField(f) => {
            let start = nxwire::start(out, NXAST_DELETE_FIELD);
            nxwire::put_header(out, *f);
            let used = out.len() - start;
            out.put_zeros(24usize.saturating_sub(used));
            nxwire::finish(out, start);
        }
        Action::SetQueue(q) => {
            if of11(v) {
                put_std32(out, OFPAT11_SET_QUEUE, *q);
            } else {
                put_nx32(out, NXAST_SET_QUEUE, *q);
            }
        }
        Action::PopQueue => put_nx_empty(out, NXAST_POP_QUEUE),
        Action::FinTimeout { idle, hard } => {
            let start = nxwire::start(out, NXAST_FIN_TIMEOUT);
            out.put_be16(*idle);
            out.put_be16(*hard);
            nxwire::finish(out, start);
        }
        Action::Resubmit {
            in_port,
            table,
            ct,
            nx_resubmit,
        } => {
            if *table == 0xff && *nx_resubmit && !*ct {
                put_nx16(out, NXAST_RESUBMIT, in_port.0);
            } else {
                let sub = if *ct {
                    NXAST_RESUBMIT_TABLE_CT
                } else {
                    NXAST_RESUBMIT_TABLE
                };
                let start = nxwire::start(out, sub);
                out.put_be16(in_port.0);
                out.put_u8(*table);
                nxwire::finish(out, start);
            }
        }
        Action::Conjunction {
            id,
            clause,
            n_clauses,
        } => {
            let start = nxwire::start(out, NXAST_CONJUNCTION);
            out.put_u8(clause.saturating_sub(1));
            out.put_u8(*n_clauses);
            out.put_be32(*id);
            nxwire::finish(out, start);
        }
        Action::Note(bytes) => {
            let start = nxwire::start(out, NXAST_NOTE);
            out.extend_from_slice(bytes);
            // At least 6 bytes of note: the action is never shorter than 16.
            if bytes.len() < 6 {
                out.put_zeros(6 - bytes.len());
            }
            nxwire::finish(out, start);
        }
        Action::Exit => put_nx_empty(out, NXAST_EXIT),
        Action::Clone(nested) => {
            let start = nxwire::start(out, NXAST_CLONE);
            out.put_zeros(6);
            encode_actions(v, nested, out);
            nxwire::finish(out, start);
        }
        Action::Learn(l) => l.encode_nx(out, v),
        Action::Multipath(m) => m.encode_nx(out, v),
        Action::Sample(s) => s.encode_nx(out, v),
        Action::Ct(c) => c.encode_nx(out, v),
        Action::CtClear => ct::encode_ct_clear(out),
        Action::CheckPktLarger(c) => c.encode_nx(out, v),
        Action::DebugRecirc => put_nx_empty(out, NXAST_DEBUG_RECIRC),
        Action::DebugSlow => put_nx_empty(out, NXAST_DEBUG_SLOW),
        Action::Meter(m) => {
            if v >= Version::Of15 {
                put_std32(out, OFPAT15_METER, *m);
            }
        }
        Action::WriteMetadata { value, mask } => {
            if v == Version::Of10 {
                let start = nxwire::start(out, NXAST_WRITE_METADATA);
                out.put_zeros(6);
                out.put_be64(*value);
                out.put_be64(*mask);
                nxwire::finish(out, start);
            }
        }
        Action::GotoTable(t) => {
            if v == Version::Of10 {
                let start = nxwire::start(out, NXAST_RESUBMIT_TABLE);
                out.put_be16(PortNo::IN_PORT.0);
                out.put_u8(*t);
                nxwire::finish(out, start);
            }
        }
        Action::ClearActions | Action::WriteActions(_) => {}
    }
}

/// The OF1.2+ field `mod_tp_src`/`mod_tp_dst` writes for the flow's protocol.
fn l4_field(ip_proto: u8, src: bool) -> Option<FieldId> {
    Some(match (ip_proto, src) {
        (6, true) => FieldId::TCP_SRC,
        (6, false) => FieldId::TCP_DST,
        (17, true) => FieldId::UDP_SRC,
        (17, false) => FieldId::UDP_DST,
        (132, true) => FieldId::SCTP_SRC,
        (132, false) => FieldId::SCTP_DST,
        _ => return None,
    })
}

fn encode_encap(out: &mut Vec<u8>, e: &Encap) {
    let start = nxwire::start(out, NXAST_ENCAP);
    out.put_be16(e.hdr_size);
    out.put_be32(e.packet_type);
    if let Some(md) = e.nsh_md_type {
        let p = out.len();
        out.put_be16(4);
        out.put_u8(1);
        out.put_u8(5);
        out.put_u8(md);
        out.pad_from(p, 8);
    }
    for t in &e.nsh_tlvs {
        let p = out.len();
        out.put_be16(4);
        out.put_u8(2);
        out.put_u8((8 + t.data.len()) as u8);
        out.put_be16(t.class);
        out.put_u8(t.kind);
        out.put_u8(t.len);
        out.extend_from_slice(&t.data);
        out.pad_from(p, 8);
    }
    nxwire::finish(out, start);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::action::{format_actions, parse_actions};

    fn hex(b: &[u8]) -> String {
        b.iter().map(|x| format!("{x:02x}")).collect()
    }

    fn unhex(s: &str) -> Vec<u8> {
        let s: String = s.split_whitespace().collect();
        (0..s.len() / 2)
            .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap())
            .collect()
    }

    fn enc(v: Version, s: &str) -> String {
        let mut out = vec![];
        encode_actions(v, &parse_actions(s, None).unwrap(), &mut out);
        hex(&out)
    }

    fn dec(v: Version, h: &str) -> Result<String, OfpError> {
        decode_actions(v, &mut Reader::new(&unhex(h))).map(|a| format_actions(&a, None))
    }

    // Expected bytes are the reference's (`ovs-ofctl -mmmmm parse-flow`).
    #[test]
    fn encodings_per_version() {
        assert_eq!(
            enc(Version::Of10, "mod_vlan_vid:101,NORMAL"),
            "0001000800650000".to_owned() + "00000008fffa0000"
        );
        assert_eq!(
            enc(Version::Of13, "mod_vlan_vid:101"),
            "0011000881000000001900108000".to_owned() + "0c021065000000000000"
        );
        assert_eq!(
            enc(Version::Of10, "resubmit(,4)"),
            "ffff001000002320000efff804000000"
        );
        assert_eq!(
            enc(Version::Of15, "move:reg0[]->reg1[]"),
            "001c0018002000000000000000010004".to_owned() + "0001020400000000"
        );
        assert_eq!(
            enc(Version::Of13, "move:reg0[]->reg1[]"),
            "ffff00180000232000060020000000000001000400010204"
        );
        assert_eq!(
            enc(Version::Of10, "load:1->reg0[0..3]"),
            "ffff00180000232000070003000100040000000000000001"
        );
        assert_eq!(
            enc(Version::Of15, "load:1->reg0[0..3]"),
            "00190010000101080000000100".to_owned() + "00000f"
        );
        assert_eq!(
            enc(Version::Of11, "enqueue:1:2"),
            "00150008000000020000001000000001ffff000000000000ffff0010000023200005000000000000"
        );
        assert_eq!(
            enc(Version::Of10, "mod_nw_ttl:3"),
            "ffff0018000023200007000700013a010000000000000003"
        );
        assert_eq!(enc(Version::Of10, "push_vlan:0x8100"), "");
    }

    #[test]
    fn decode_errors_are_the_references() {
        assert_eq!(
            dec(Version::Of10, "00000008 0003"),
            Err(OfpError::BrcBadLen)
        );
        assert_eq!(
            dec(Version::Of10, "00000000 00010000"),
            Err(OfpError::BacBadLen)
        );
        assert_eq!(
            dec(Version::Of10, "00630008 00010000"),
            Err(OfpError::BacBadType)
        );
        assert_eq!(
            dec(Version::Of10, "ffff0010 00002321 0001000000000000"),
            Err(OfpError::BacBadExperimenter)
        );
        assert_eq!(
            dec(Version::Of10, "ffff0010 00002320 0063000000000000"),
            Err(OfpError::BacBadExpType)
        );
        assert_eq!(
            dec(Version::Of10, "ffff0010 00002320 000e000301ff0000"),
            Err(OfpError::BacBadArgument)
        );
        assert_eq!(
            dec(Version::Of13, "0019001080000c02 0005000000000000"),
            Err(OfpError::BacBadSetArgument)
        );
        assert_eq!(
            dec(Version::Of13, "0019001000010108 0000000100000001"),
            Err(OfpError::BacBadSetMask)
        );
        assert_eq!(
            dec(Version::Of13, "ffff001000002320 0004000000000007"),
            Err(OfpError::BacBadExpType)
        );
        assert_eq!(
            dec(Version::Of10, "ffff001000002320 0001000300000001"),
            Ok("resubmit:3".into())
        );
        assert_eq!(
            dec(Version::Of11, "0001000800050000"),
            Ok("set_vlan_vid:5".into())
        );
        assert_eq!(
            dec(Version::Of10, "0001000800050000"),
            Ok("mod_vlan_vid:5".into())
        );
    }

    #[test]
    fn truncations_never_panic() {
        let all = "output:1,controller(userdata=01,pause),set_field:1->tun_metadata1,move:reg0[]->reg1[],\
                   clone(dec_ttl(1,2),note:0102),encap(nsh(md_type=2,tlv(0x1,2,0x3))),\
                   ct(commit,nat(src=1.2.3.4)),learn(table=1,NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[])";
        for v in Version::ALL {
            let mut out = vec![];
            encode_actions(v, &parse_actions(all, None).unwrap(), &mut out);
            for n in 0..out.len() {
                let _ = decode_actions(v, &mut Reader::new(&out[..n]));
            }
        }
    }
}
