//! The database file as the server's storage.

use crate::server::Storage;
use ovsdb::storage::DbFile;
use ovsdb::{Changes, Database};
use std::time::Instant;

pub struct FileStorage(pub DbFile);

impl Storage for FileStorage {
    fn commit(
        &mut self,
        db: &Database,
        changes: &Changes,
        comment: Option<&str>,
        durable: bool,
    ) -> Result<(), String> {
        self.0
            .commit(db, changes, comment, durable)
            .map_err(|e| e.to_string())
    }

    fn compact(&mut self, db: &Database) -> Result<(), String> {
        let comment = format!("compacted by ovsdb-server {}", env!("CARGO_PKG_VERSION"));
        self.0.compact(db, &comment).map_err(|e| e.to_string())
    }

    fn wants_compaction(&self, now: Instant) -> bool {
        self.0.wants_compaction(now)
    }
}
