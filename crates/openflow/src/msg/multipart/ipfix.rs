//! NXST_IPFIX_BRIDGE and NXST_IPFIX_FLOW replies: the counters of the
//! bridge's IPFIX exporter and of each flow-based collector set.

use std::fmt::Write;

use crate::buf::{Put, Reader};
use crate::error::OfpError;

/// Length of one `nx_ipfix_stats_reply`.
pub const IPFIX_STATS_LEN: usize = 88;

/// One exporter's counters; unknown ones are `u64::MAX` (printed "?").
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct IpfixStats {
    /// The collector set (flow-based sampling; 0 for the bridge exporter).
    pub collector_set_id: u32,
    pub total_flows: u64,
    pub current_flows: u64,
    pub pkts: u64,
    pub ipv4_pkts: u64,
    pub ipv6_pkts: u64,
    pub error_pkts: u64,
    pub ipv4_error_pkts: u64,
    pub ipv6_error_pkts: u64,
    pub tx_pkts: u64,
    pub tx_errors: u64,
}

impl IpfixStats {
    pub fn decode(r: &mut Reader) -> Result<IpfixStats, OfpError> {
        let mut e = r.sub(IPFIX_STATS_LEN)?;
        let s = IpfixStats {
            total_flows: e.be64()?,
            current_flows: e.be64()?,
            pkts: e.be64()?,
            ipv4_pkts: e.be64()?,
            ipv6_pkts: e.be64()?,
            error_pkts: e.be64()?,
            ipv4_error_pkts: e.be64()?,
            ipv6_error_pkts: e.be64()?,
            tx_pkts: e.be64()?,
            tx_errors: e.be64()?,
            collector_set_id: e.be32()?,
        };
        Ok(s)
    }

    pub fn encode(&self, out: &mut Vec<u8>) {
        for c in [
            self.total_flows,
            self.current_flows,
            self.pkts,
            self.ipv4_pkts,
            self.ipv6_pkts,
            self.error_pkts,
            self.ipv4_error_pkts,
            self.ipv6_error_pkts,
            self.tx_pkts,
            self.tx_errors,
        ] {
            out.put_be64(c);
        }
        out.put_be32(self.collector_set_id);
        out.put_zeros(4);
    }

    /// The two counter lines after `label`, the second indented by `indent`.
    fn format(&self, out: &mut String, label: &str, indent: usize) {
        let c = |v: u64| {
            if v == u64::MAX {
                "?".to_string()
            } else {
                v.to_string()
            }
        };
        let _ = writeln!(
            out,
            "{label}flows={}, current flows={}, sampled pkts={}, ipv4 ok={}, ipv6 ok={}, tx pkts={}",
            c(self.total_flows),
            c(self.current_flows),
            c(self.pkts),
            c(self.ipv4_pkts),
            c(self.ipv6_pkts),
            c(self.tx_pkts)
        );
        let _ = writeln!(
            out,
            "{:indent$}pkts errs={}, ipv4 errs={}, ipv6 errs={}, tx errs={}",
            "",
            c(self.error_pkts),
            c(self.ipv4_error_pkts),
            c(self.ipv6_error_pkts),
            c(self.tx_errors)
        );
    }
}

/// The NXST_IPFIX_BRIDGE reply text.
pub fn format_bridge(out: &mut String, s: &IpfixStats) {
    out.push('\n');
    s.format(out, "  bridge ipfix: ", 16);
}

/// The NXST_IPFIX_FLOW reply text.
pub fn format_flows(out: &mut String, stats: &[IpfixStats]) {
    let _ = writeln!(out, " {} ids", stats.len());
    for s in stats {
        s.format(out, &format!("  id {:3}: ", s.collector_set_id), 10);
    }
}
