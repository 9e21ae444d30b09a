//! Text for `ovs-appctl bridge/dump-flows BRIDGE`: every rule of every
//! table, hidden ones (priority above 65535) included, with durations and
//! counters.

use std::fmt::Write;

use openflow::action::format_actions;

use crate::Ofproto;

impl Ofproto {
    /// The `bridge/dump-flows` reply at time `now` (a `clock::now_ms()` value).
    pub fn dump_flows_text(&self, now: u64) -> String {
        let mut out = String::new();
        for t in &self.tables {
            for r in t.iter() {
                let age = now.saturating_sub(r.created_ms) / 1000;
                if r.table_id != 0 {
                    let _ = write!(out, "table_id={}, ", r.table_id);
                }
                let _ = write!(
                    out,
                    "duration={age}s, n_packets={}, n_bytes={}, ",
                    r.stats.packets(),
                    r.stats.bytes()
                );
                let m = r.flow_match.format(32768, None);
                let _ = write!(out, "priority={}", r.priority);
                if !m.is_empty() {
                    out.push(',');
                    out.push_str(&m);
                }
                out.push_str(",actions=");
                out.push_str(&format_actions(&r.actions, None));
                out.push('\n');
            }
        }
        out
    }
}
