//! Groups: the group table (all/select/indirect/fast-failover), its
//! modifications with the reference's checks (existence, chaining, bucket
//! ids), and the stats/desc/features replies' contents.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use openflow::msg::group::{Bucket, GroupProps, GroupType};

/// Packet and byte counters of a group and of each of its buckets,
/// updated lock-free by translation.
#[derive(Debug, Default)]
pub struct GroupStats {
    pub packets: AtomicU64,
    pub bytes: AtomicU64,
    pub buckets: Vec<(AtomicU64, AtomicU64)>,
}

impl GroupStats {
    pub fn new(n_buckets: usize) -> GroupStats {
        GroupStats {
            packets: AtomicU64::new(0),
            bytes: AtomicU64::new(0),
            buckets: (0..n_buckets)
                .map(|_| (AtomicU64::new(0), AtomicU64::new(0)))
                .collect(),
        }
    }

    /// Accounts packets sent through the group and its bucket `bucket`
    /// (an index into the group's buckets).
    pub fn add(&self, bucket: Option<usize>, packets: u64, bytes: u64) {
        self.packets.fetch_add(packets, Ordering::Relaxed);
        self.bytes.fetch_add(bytes, Ordering::Relaxed);
        if let Some(b) = bucket.and_then(|i| self.buckets.get(i)) {
            b.0.fetch_add(packets, Ordering::Relaxed);
            b.1.fetch_add(bytes, Ordering::Relaxed);
        }
    }
}

/// One group.
#[derive(Debug)]
pub struct Group {
    pub group_id: u32,
    pub group_type: GroupType,
    pub buckets: Vec<Bucket>,
    pub props: GroupProps,
    pub created_ms: u64,
    pub stats: Arc<GroupStats>,
}

/// How translation holds a group.
pub type GroupRef = Arc<Group>;

use openflow::action::{check_actions, CheckContext};
use openflow::flow_match::Match;
use openflow::msg::group::{
    GroupDesc, GroupMod, GroupModCommand, BUCKET_ALL, BUCKET_FIRST, BUCKET_LAST, BUCKET_MAX,
    GROUP_ALL, GROUP_MAX,
};
use openflow::port::PortNo;
use openflow::protocol::Protocols;
use openflow::OfpError;

use crate::clock;
use crate::conn::RR_GROUP_DELETE;
use crate::handle::Handled;
use crate::Ofproto;

impl Group {
    pub fn desc(&self) -> GroupDesc {
        GroupDesc {
            group_type: self.group_type,
            group_id: self.group_id,
            buckets: self.buckets.clone(),
            props: self.props.clone(),
        }
    }
}

/// Gives buckets without an id the next free ids after `after`.
fn number_buckets(buckets: &mut [Bucket], mut next: u32) {
    for b in buckets {
        if b.bucket_id == BUCKET_ALL {
            b.bucket_id = next;
            next = next.saturating_add(1);
        }
    }
}

impl Ofproto {
    pub(crate) fn group_mod(&mut self, gm: GroupMod) -> Handled {
        let now = clock::now_ms();
        match gm.command {
            GroupModCommand::Add => self.add_group(&gm, now, false),
            GroupModCommand::AddOrMod => self.add_group(&gm, now, true),
            GroupModCommand::Modify => self.modify_group(&gm, now),
            GroupModCommand::Delete => Ok(self.delete_groups(gm.group_id, now)),
            GroupModCommand::InsertBucket | GroupModCommand::RemoveBucket => self.edit_buckets(&gm),
        }
    }

    fn check_buckets(&self, gm: &GroupMod) -> Result<Vec<Bucket>, OfpError> {
        let mut buckets = gm.buckets.clone();
        let cx = CheckContext {
            max_ports: PortNo::MAX,
            table_id: 0xff,
            n_tables: crate::ofproto::N_TABLES,
        };
        for b in &mut buckets {
            let mut usable = Protocols::ANY;
            check_actions(&mut b.actions, &Match::new(), &cx, &mut usable)?;
            // Chained groups need not exist yet (the reference accepts
            // them and drops packets until they do); meters must.
            self.check_meters(&b.actions)?;
            if b.bucket_id != BUCKET_ALL && b.bucket_id > BUCKET_MAX {
                return Err(OfpError::GmfcBadBucket);
            }
        }
        let mut ids: Vec<u32> = buckets
            .iter()
            .map(|b| b.bucket_id)
            .filter(|id| *id != BUCKET_ALL)
            .collect();
        ids.sort_unstable();
        if ids.windows(2).any(|w| w[0] == w[1]) {
            return Err(OfpError::GmfcBucketExists);
        }
        let next = ids.last().map_or(0, |m| m.saturating_add(1));
        number_buckets(&mut buckets, next);
        Ok(buckets)
    }

    fn add_group(&mut self, gm: &GroupMod, now: u64, or_modify: bool) -> Handled {
        if gm.group_id > GROUP_MAX {
            return Err(OfpError::GmfcInvalidGroup);
        }
        if self.groups.contains_key(&gm.group_id) {
            if or_modify {
                return self.modify_group(gm, now);
            }
            return Err(OfpError::GmfcGroupExists);
        }
        let buckets = self.check_buckets(gm)?;
        let group = Group {
            group_id: gm.group_id,
            group_type: gm.group_type,
            stats: Arc::new(GroupStats::new(buckets.len())),
            buckets,
            props: gm.props.clone(),
            created_ms: now,
        };
        self.groups.insert(gm.group_id, Arc::new(group));
        let mut out = Vec::new();
        self.bump_version(&mut out);
        Ok(out)
    }

    fn modify_group(&mut self, gm: &GroupMod, now: u64) -> Handled {
        if gm.group_id > GROUP_MAX {
            return Err(OfpError::GmfcInvalidGroup);
        }
        let Some(old) = self.groups.get(&gm.group_id).cloned() else {
            return Err(OfpError::GmfcUnknownGroup);
        };
        let buckets = self.check_buckets(gm)?;
        let group = Group {
            group_id: gm.group_id,
            group_type: gm.group_type,
            stats: Arc::new(GroupStats::new(buckets.len())),
            buckets,
            props: gm.props.clone(),
            created_ms: old.created_ms.min(now),
        };
        self.groups.insert(gm.group_id, Arc::new(group));
        let mut out = Vec::new();
        self.bump_version(&mut out);
        Ok(out)
    }

    /// Deletes group `id` (or every group for GROUP_ALL) and the rules that
    /// output to it.
    pub(crate) fn delete_groups(&mut self, id: u32, now: u64) -> Vec<crate::output::Output> {
        let ids: Vec<u32> = if id == GROUP_ALL {
            self.groups.keys().copied().collect()
        } else if self.groups.contains_key(&id) {
            vec![id]
        } else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for g in ids {
            let rules: Vec<_> = self
                .tables
                .iter()
                .flat_map(|t| t.iter())
                .filter(|r| !r.is_hidden() && r.outputs_to_group(g))
                .cloned()
                .collect();
            out.extend(self.delete_rules(&rules, RR_GROUP_DELETE, now));
            self.groups.remove(&g);
        }
        self.bump_version(&mut out);
        out
    }

    fn edit_buckets(&mut self, gm: &GroupMod) -> Handled {
        let Some(old) = self.groups.get(&gm.group_id).cloned() else {
            return Err(OfpError::GmfcUnknownGroup);
        };
        let mut buckets = old.buckets.clone();
        if gm.command == GroupModCommand::InsertBucket {
            let max = buckets.iter().map(|b| b.bucket_id).max();
            let mut next = max.map_or(0, |m| m.saturating_add(1));
            let mut new: Vec<Bucket> = gm.buckets.clone();
            for (b, checked) in new.iter_mut().zip(self.check_buckets(gm)?) {
                b.actions = checked.actions;
                if b.bucket_id == BUCKET_ALL {
                    b.bucket_id = next;
                    next = next.saturating_add(1);
                } else if buckets.iter().any(|o| o.bucket_id == b.bucket_id) {
                    return Err(OfpError::GmfcBucketExists);
                }
            }
            let at = match gm.command_bucket_id {
                BUCKET_FIRST => 0,
                BUCKET_LAST | BUCKET_ALL => buckets.len(),
                id => buckets
                    .iter()
                    .position(|b| b.bucket_id == id)
                    .ok_or(OfpError::GmfcUnknownBucket)?,
            };
            buckets.splice(at..at, new);
        } else {
            match gm.command_bucket_id {
                BUCKET_ALL => buckets.clear(),
                BUCKET_FIRST => {
                    if !buckets.is_empty() {
                        buckets.remove(0);
                    }
                }
                BUCKET_LAST => {
                    buckets.pop();
                }
                id => {
                    let i = buckets
                        .iter()
                        .position(|b| b.bucket_id == id)
                        .ok_or(OfpError::GmfcUnknownBucket)?;
                    buckets.remove(i);
                }
            }
        }
        let group = Group {
            group_id: old.group_id,
            group_type: old.group_type,
            stats: Arc::new(GroupStats::new(buckets.len())),
            buckets,
            props: old.props.clone(),
            created_ms: old.created_ms,
        };
        self.groups.insert(group.group_id, Arc::new(group));
        let mut out = Vec::new();
        self.bump_version(&mut out);
        Ok(out)
    }
}
