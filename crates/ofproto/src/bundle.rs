//! Bundles (OF1.4, and OF1.3 through the ONF extension): a connection opens
//! a bundle, adds flow-mods, group-mods, meter-mods and port-mods to it,
//! then commits them all at once or discards them. A commit stages the
//! flow changes in the classifier's next version (see `table`), so lookups
//! in the switch's current version go on seeing none of them; when every
//! message applied, the switch moves to that version and lookups see all of
//! them; when one fails, the staged changes are undone (groups, meters and
//! ports, few and small, are restored from a copy).

/// Where a bundle is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BundleState {
    Open,
    Closed,
}

/// One open bundle of a connection.
#[derive(Clone, Debug)]
pub struct Bundle {
    pub id: u32,
    /// OFPBF_* flags given at open.
    pub flags: u16,
    pub state: BundleState,
    /// The added messages, whole (same version and xid as their bundle-add).
    pub msgs: Vec<Vec<u8>>,
}

impl Bundle {
    pub fn new(id: u32, flags: u16) -> Bundle {
        Bundle {
            id,
            flags,
            state: BundleState::Open,
            msgs: Vec::new(),
        }
    }
}

use std::collections::BTreeMap;

use openflow::msg::bundle::{
    BundleAdd, BundleControl, ATOMIC, CLOSE_REPLY, CLOSE_REQUEST, COMMIT_REPLY, COMMIT_REQUEST,
    DISCARD_REPLY, DISCARD_REQUEST, OPEN_REPLY, OPEN_REQUEST, ORDERED,
};
use openflow::msg::Message;
use openflow::OfpError;

use crate::group::GroupRef;
use crate::handle::Handled;
use crate::meter::MeterRef;
use crate::output::{ConnId, Output};
use crate::port::OfPort;
use crate::Ofproto;

/// What a bundle may change besides flows, saved to undo a failed commit.
struct Snapshot {
    groups: BTreeMap<u32, GroupRef>,
    meters: BTreeMap<u32, MeterRef>,
    ports: BTreeMap<openflow::port::PortNo, OfPort>,
}

impl Ofproto {
    /// Starts a commit: flow changes go into the next version.
    fn begin_staging(&mut self) -> Snapshot {
        let next = self.version + 1;
        for t in &mut self.tables {
            t.stage(next);
        }
        self.staging = true;
        Snapshot {
            groups: self.groups.clone(),
            meters: self.meters.clone(),
            ports: self.ports.clone(),
        }
    }

    /// Makes every staged change visible at once.
    fn publish_staged(&mut self) {
        for t in &mut self.tables {
            t.publish();
        }
        self.staging = false;
        self.version += 1;
    }

    /// Undoes every staged change. The version still moves forward (a
    /// lookup cached meanwhile is revalidated against the same state).
    fn abort_staged(&mut self, s: Snapshot) {
        for t in &mut self.tables {
            t.abort();
        }
        self.groups = s.groups;
        self.meters = s.meters;
        self.ports = s.ports;
        self.staging = false;
        self.version += 1;
    }

    fn bundle_reply(&self, conn: ConnId, bc: BundleControl, ty: u16, xid: u32) -> Vec<Output> {
        let r = BundleControl {
            bundle_id: bc.bundle_id,
            ctrl_type: ty,
            flags: bc.flags,
        };
        self.reply(conn, &Message::BundleControl(r), xid)
    }

    pub(crate) fn bundle_control(
        &mut self,
        conn: ConnId,
        bc: BundleControl,
        xid: u32,
        request: &[u8],
    ) -> Handled {
        let Some(c) = self.conns.get_mut(&conn) else {
            return Err(OfpError::BrcEperm);
        };
        if bc.flags & !(ATOMIC | ORDERED) != 0 {
            return Err(OfpError::BfcBadFlags);
        }
        match bc.ctrl_type {
            OPEN_REQUEST => {
                if c.bundles.contains_key(&bc.bundle_id) {
                    return Err(OfpError::BfcBadId);
                }
                c.bundles
                    .insert(bc.bundle_id, Bundle::new(bc.bundle_id, bc.flags));
                Ok(self.bundle_reply(conn, bc, OPEN_REPLY, xid))
            }
            CLOSE_REQUEST => {
                let Some(b) = c.bundles.get_mut(&bc.bundle_id) else {
                    return Err(OfpError::BfcBadId);
                };
                if b.state == BundleState::Closed {
                    return Err(OfpError::BfcBundleClosed);
                }
                if b.flags != bc.flags {
                    return Err(OfpError::BfcBadFlags);
                }
                b.state = BundleState::Closed;
                Ok(self.bundle_reply(conn, bc, CLOSE_REPLY, xid))
            }
            DISCARD_REQUEST => {
                if c.bundles.remove(&bc.bundle_id).is_none() {
                    return Err(OfpError::BfcBadId);
                }
                Ok(self.bundle_reply(conn, bc, DISCARD_REPLY, xid))
            }
            COMMIT_REQUEST => {
                let Some(b) = c.bundles.get(&bc.bundle_id) else {
                    return Err(OfpError::BfcBadId);
                };
                if b.flags != bc.flags {
                    c.bundles.remove(&bc.bundle_id);
                    return Err(OfpError::BfcBadFlags);
                }
                let Some(b) = c.bundles.remove(&bc.bundle_id) else {
                    return Err(OfpError::BfcBadId);
                };
                self.commit(conn, b, bc, xid, request)
            }
            _ => Err(OfpError::BfcBadType),
        }
    }

    /// Applies a bundle's messages all or nothing. A failure replies with
    /// the failing message's own error, then fails the commit.
    fn commit(
        &mut self,
        conn: ConnId,
        b: Bundle,
        bc: BundleControl,
        xid: u32,
        request: &[u8],
    ) -> Handled {
        let saved = self.begin_staging();
        let mut out = Vec::new();
        for raw in &b.msgs {
            let inner_xid = openflow::msg::decode_header(raw).map_or(0, |h| h.xid);
            let result = self
                .decode_for(conn, raw)
                .and_then(|(_, m)| self.dispatch(conn, m, inner_xid, raw));
            match result {
                Ok(o) => out.extend(o),
                Err(e) => {
                    self.abort_staged(saved);
                    let mut fail = self.error_reply(conn, e, raw);
                    fail.extend(self.error_reply(conn, OfpError::BfcMsgFailed, request));
                    fail.push(Output::Effect(crate::output::Effect::FlowsChanged));
                    return Ok(fail);
                }
            }
        }
        self.publish_staged();
        out.extend(self.bundle_reply(conn, bc, COMMIT_REPLY, xid));
        Ok(out)
    }

    pub(crate) fn bundle_add(&mut self, conn: ConnId, ba: BundleAdd, _raw: &[u8]) -> Handled {
        // The inner message must decode now; errors in it are the add's.
        let (_, inner) = self.decode_for(conn, &ba.msg)?;
        let _ = inner;
        let Some(c) = self.conns.get_mut(&conn) else {
            return Err(OfpError::BrcEperm);
        };
        let b = c
            .bundles
            .entry(ba.bundle_id)
            .or_insert_with(|| Bundle::new(ba.bundle_id, ba.flags));
        if b.state == BundleState::Closed {
            return Err(OfpError::BfcBundleClosed);
        }
        if b.flags != ba.flags {
            return Err(OfpError::BfcBadFlags);
        }
        b.msgs.push(ba.msg);
        Ok(Vec::new())
    }
}
