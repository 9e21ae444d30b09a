//! Named locks (RFC 7047 section 4.1.8): one owner per name, then a queue of waiters.

use std::collections::{HashMap, VecDeque};

/// A session, as the lock table knows it.
pub type SessionId = u64;

#[derive(Debug, Default)]
pub struct LockTable {
    /// Front of each queue is the owner.
    queues: HashMap<String, VecDeque<SessionId>>,
}

impl LockTable {
    /// Whether `session` owns or waits for `name`.
    pub fn is_involved(&self, name: &str, session: SessionId) -> bool {
        self.queues.get(name).is_some_and(|q| q.contains(&session))
    }

    pub fn owner(&self, name: &str) -> Option<SessionId> {
        self.queues.get(name).and_then(|q| q.front().copied())
    }

    /// Queues `session` for `name`; true if it owns the lock now.
    pub fn lock(&mut self, name: &str, session: SessionId) -> bool {
        let q = self.queues.entry(name.to_owned()).or_default();
        q.push_back(session);
        q.len() == 1
    }

    /// Makes `session` the owner; returns the previous owner, which keeps waiting.
    pub fn steal(&mut self, name: &str, session: SessionId) -> Option<SessionId> {
        let q = self.queues.entry(name.to_owned()).or_default();
        let previous = q.front().copied().filter(|&o| o != session);
        q.retain(|&s| s != session);
        q.push_front(session);
        previous
    }

    /// Drops `session`'s claim on `name`; returns the new owner if ownership moved.
    pub fn unlock(&mut self, name: &str, session: SessionId) -> Option<SessionId> {
        let q = self.queues.get_mut(name)?;
        let was_owner = q.front() == Some(&session);
        q.retain(|&s| s != session);
        let new_owner = if was_owner { q.front().copied() } else { None };
        if q.is_empty() {
            self.queues.remove(name);
        }
        new_owner
    }

    /// Drops every claim of a closed session; returns `(name, new owner)` pairs.
    pub fn remove_session(&mut self, session: SessionId) -> Vec<(String, SessionId)> {
        let names: Vec<String> = self
            .queues
            .iter()
            .filter(|(_, q)| q.contains(&session))
            .map(|(n, _)| n.clone())
            .collect();
        names
            .into_iter()
            .filter_map(|n| self.unlock(&n, session).map(|o| (n, o)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_wait_steal_unlock() {
        let mut t = LockTable::default();
        assert!(t.lock("L", 1));
        assert!(!t.lock("L", 2));
        assert_eq!(t.owner("L"), Some(1));
        assert_eq!(t.steal("L", 3), Some(1));
        assert_eq!(t.owner("L"), Some(3));
        assert!(t.is_involved("L", 1));
        assert_eq!(t.unlock("L", 3), Some(1));
        assert_eq!(t.remove_session(1), vec![("L".to_string(), 2)]);
        assert_eq!(t.unlock("L", 2), None);
        assert_eq!(t.owner("L"), None);
    }
}
