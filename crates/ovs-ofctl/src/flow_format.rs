//! Choosing the flow protocol for a command: the version is fixed by the
//! hello, but an OpenFlow 1.0 connection can switch between the standard
//! match and NXM (NXT_SET_FLOW_FORMAT) and turn on table ids in flow_mods
//! (NXT_FLOW_MOD_TABLE_ID). A flow says which protocols can express it; `-F`
//! says which may be used.

use crate::print;
use crate::proto_names::protocols_to_string;
use crate::vconn::{alloc_xid, build, Vconn};
use crate::{log, Ctx, Fatal};
use openflow::protocol::Protocols;
use openflow::Version;

/// The Nicira vendor id and the two vendor messages used here.
const NX_VENDOR_ID: u32 = 0x0000_2320;
const NXT_SET_FLOW_FORMAT: u32 = 12;
const NXT_FLOW_MOD_TABLE_ID: u32 = 15;
const OFPT_VENDOR: u8 = 4;
const NXFF_OPENFLOW10: u32 = 0;
const NXFF_NXM: u32 = 2;

/// The protocol a fresh connection of `version` starts in.
pub fn initial_protocol(version: Version) -> Protocols {
    match version {
        Version::Of10 => Protocols::OF10_STD,
        v => Protocols::of_version(v),
    }
}

/// The OF1.0 flavour of `p` without its table-id bit.
fn base(p: Protocols) -> Protocols {
    if p.intersects(Protocols::OF10_STD_ANY) {
        Protocols::OF10_STD
    } else if p.intersects(Protocols::OF10_NXM_ANY) {
        Protocols::OF10_NXM
    } else {
        p
    }
}

fn has_tid(p: Protocols) -> bool {
    p.intersects(Protocols::OF10_STD_TID.union(Protocols::OF10_NXM_TID))
}

fn with(base: Protocols, tid: bool) -> Protocols {
    match (base, tid) {
        (b, true) if b == Protocols::OF10_STD => Protocols::OF10_STD_TID,
        (b, true) if b == Protocols::OF10_NXM => Protocols::OF10_NXM_TID,
        (b, _) => b,
    }
}

fn nx_message(subtype: u32, body: &[u8]) -> Vec<u8> {
    let mut b = Vec::with_capacity(8 + body.len());
    b.extend_from_slice(&NX_VENDOR_ID.to_be_bytes());
    b.extend_from_slice(&subtype.to_be_bytes());
    b.extend_from_slice(body);
    build(Version::Of10.wire(), OFPT_VENDOR, alloc_xid(), &b)
}

/// The next message to move from `cur` toward `want` and the protocol it
/// leads to; None when there is nothing (more) to send, or no way (another
/// version).
fn step(cur: Protocols, want: Protocols) -> Option<(Vec<u8>, Protocols)> {
    if cur == want || cur.version() != want.version() || cur.version() != Some(Version::Of10) {
        return None;
    }
    let (cb, wb) = (base(cur), base(want));
    if cb != wb {
        let format = if wb == Protocols::OF10_NXM {
            NXFF_NXM
        } else {
            NXFF_OPENFLOW10
        };
        let msg = nx_message(NXT_SET_FLOW_FORMAT, &format.to_be_bytes());
        return Some((msg, with(wb, has_tid(cur))));
    }
    let tid = has_tid(want);
    let msg = nx_message(NXT_FLOW_MOD_TABLE_ID, &[u8::from(tid), 0, 0, 0, 0, 0, 0, 0]);
    Some((msg, with(cb, tid)))
}

/// Switches `vconn` from `*cur` to `want` if the switch agrees; false if it
/// refuses (or the versions differ).
pub fn try_set_protocol(
    vconn: &mut Vconn,
    want: Protocols,
    cur: &mut Protocols,
) -> Result<bool, Fatal> {
    loop {
        let Some((request, next)) = step(*cur, want) else {
            return Ok(*cur == want);
        };
        let name = vconn.name().to_string();
        let reply = vconn
            .transact_noreply(vec![request])
            .map_err(|e| Fatal::io(&format!("talking to {name}"), &e))?;
        if let Some(reply) = reply {
            log::ofctl_dbg(&format!(
                "{name}: failed to set protocol, switch replied: {}",
                print::to_string(&reply, 2)
            ));
            return Ok(false);
        }
        *cur = next;
    }
}

/// The order flow dumps try protocols in: the newest first, NXM before the
/// standard OpenFlow 1.0 match (it shows more of a flow).
const DUMP_ORDER: [Protocols; 7] = [
    Protocols::OF15_OXM,
    Protocols::OF14_OXM,
    Protocols::OF13_OXM,
    Protocols::OF12_OXM,
    Protocols::OF11_STD,
    Protocols::OF10_NXM,
    Protocols::OF10_STD,
];

fn none_usable(usable: Protocols, allowed: Protocols) -> Fatal {
    Fatal(format!(
        "none of the usable flow formats ({}) is among the allowed flow formats ({})",
        protocols_to_string(usable),
        protocols_to_string(allowed)
    ))
}

fn switch_refuses(usable: Protocols) -> Fatal {
    Fatal(format!(
        "switch does not support any of the usable flow formats ({})",
        protocols_to_string(usable)
    ))
}

/// Picks the protocol for a flow statistics request.
pub fn set_for_flow_dump(
    ctx: &Ctx,
    vconn: &mut Vconn,
    mut cur: Protocols,
    usable: Protocols,
) -> Result<Protocols, Fatal> {
    let allowed = ctx.opts.allowed_protocols;
    for f in DUMP_ORDER {
        if f.intersects(usable) && f.intersects(allowed) && try_set_protocol(vconn, f, &mut cur)? {
            return Ok(f);
        }
    }
    if usable.intersects(allowed) {
        Err(switch_refuses(usable))
    } else {
        Err(none_usable(usable, allowed))
    }
}

/// Checks before connecting that some usable protocol is allowed.
pub fn check_usable(ctx: &Ctx, usable: Protocols) -> Result<(), Fatal> {
    let allowed = ctx.opts.allowed_protocols;
    if usable.intersects(allowed) {
        Ok(())
    } else {
        Err(none_usable(usable, allowed))
    }
}

/// Opens `switch` for flow_mods: keeps the initial protocol if it will do,
/// else tries each usable and allowed one, lowest first.
pub fn open_for_flow_mod(
    ctx: &Ctx,
    switch: &str,
    usable: Protocols,
) -> Result<(Vconn, Protocols), Fatal> {
    check_usable(ctx, usable)?;
    let mut vconn = ctx.open(switch)?;
    let mut cur = initial_protocol(vconn.version());
    let allowed = ctx.opts.allowed_protocols;
    if usable.intersects(allowed) && allowed.intersects(cur) && usable.intersects(cur) {
        return Ok((vconn, cur));
    }
    for bit in 0..16 {
        let f = Protocols(1 << bit);
        if f != cur
            && f.intersects(usable)
            && f.intersects(allowed)
            && try_set_protocol(&mut vconn, f, &mut cur)?
        {
            return Ok((vconn, f));
        }
    }
    Err(switch_refuses(usable))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_change_format_then_table_ids() {
        let (m, next) = step(Protocols::OF10_STD, Protocols::OF10_NXM_TID).unwrap();
        assert_eq!(&m[8..16], &[0, 0, 0x23, 0x20, 0, 0, 0, 12]);
        assert_eq!(&m[16..20], &[0, 0, 0, 2]);
        assert_eq!(next, Protocols::OF10_NXM);
        let (m, next) = step(next, Protocols::OF10_NXM_TID).unwrap();
        assert_eq!(m.len(), 24);
        assert_eq!(m[16], 1);
        assert_eq!(next, Protocols::OF10_NXM_TID);
        assert!(step(next, Protocols::OF10_NXM_TID).is_none());
        assert!(step(Protocols::OF10_STD, Protocols::OF13_OXM).is_none());
    }
}
