//! The text of `fdb/show`, `fdb/flush` and `fdb/stats-show`, laid out as
//! the reference prints them (pure functions; vswitchd registers them).

use std::fmt::Write;

use crate::mac_table::MacTable;

/// OFPP_LOCAL, printed by name in `fdb/show`.
const OFPP_LOCAL: u32 = 0xfffe;

pub fn format_mac(mac: &[u8; 6]) -> String {
    format!(
        "{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}",
        mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]
    )
}

/// `fdb/show BRIDGE`: a header, then one line per entry, oldest first.
/// `port_name` maps an entry's bundle to what the port column shows (the
/// OpenFlow port number, or `LOCAL`).
pub fn fdb_show(table: &MacTable, now_ms: u64) -> String {
    let mut out = String::from(" port  VLAN  MAC                Age\n");
    for e in table.entries() {
        let port = if e.port == OFPP_LOCAL {
            "LOCAL".to_string()
        } else {
            e.port.to_string()
        };
        let _ = write!(out, "{port:>5}  {:>4}  {}  ", e.vlan, format_mac(&e.mac));
        if e.is_static {
            out.push_str("static\n");
        } else {
            let _ = writeln!(out, "{:>3}", table.age_secs(e, now_ms));
        }
    }
    out
}

/// `fdb/flush [BRIDGE]` reply.
pub fn fdb_flush_reply() -> &'static str {
    "table successfully flushed\n"
}

/// `fdb/stats-show BRIDGE`.
pub fn fdb_stats_show(bridge: &str, table: &MacTable) -> String {
    let s = table.stats();
    let mut out = String::new();
    let _ = writeln!(out, "Statistics for bridge \"{bridge}\":");
    let _ = writeln!(
        out,
        "  Current/maximum MAC entries in the table: {}/{}",
        table.len(),
        table.max_entries()
    );
    let _ = writeln!(
        out,
        "  Current static MAC entries in the table : {}",
        table.n_static()
    );
    let _ = writeln!(
        out,
        "  Total number of learned MAC entries     : {}",
        s.learned
    );
    let _ = writeln!(
        out,
        "  Total number of expired MAC entries     : {}",
        s.expired
    );
    let _ = writeln!(
        out,
        "  Total number of evicted MAC entries     : {}",
        s.evicted
    );
    let _ = writeln!(
        out,
        "  Total number of port moved MAC entries  : {}",
        s.moved
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn show_lays_out_columns() {
        let mut t = MacTable::default();
        t.learn([0x50, 0x54, 0, 0, 0, 1], 0, 1, false, false, 0);
        t.learn([0x50, 0x54, 0, 0, 0, 3], 10, OFPP_LOCAL, false, false, 0);
        t.add_static([0x50, 0x54, 0, 0, 0, 4], 5, 12, 0);
        let s = fdb_show(&t, 7_500);
        let lines: Vec<&str> = s.lines().collect();
        assert_eq!(lines[0], " port  VLAN  MAC                Age");
        assert_eq!(lines[1], "    1     0  50:54:00:00:00:01    7");
        assert_eq!(lines[2], "LOCAL    10  50:54:00:00:00:03    7");
        assert_eq!(lines[3], "   12     5  50:54:00:00:00:04  static");
    }

    #[test]
    fn stats_show_counts() {
        let mut t = MacTable::new(2, 300);
        t.learn([1; 6], 0, 1, false, false, 0);
        let s = fdb_stats_show("br0", &t);
        assert!(s.contains("Current/maximum MAC entries in the table: 1/2\n"));
        assert!(s.contains("Total number of learned MAC entries     : 1\n"));
    }
}
