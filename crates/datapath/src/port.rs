//! Datapath ports: the netdev behind each port number, counters kept by the
//! datapath, the per-port transmit queue filled while a batch executes, and
//! how port numbers are chosen.

use std::collections::BTreeMap;

use netdev::Netdev;
use packet::Buffer;

use crate::dp::PortStats;

/// Most packets queued for one port before an early flush.
pub(crate) const TX_FLUSH_AT: usize = 32;

pub(crate) struct Port {
    pub name: String,
    pub kind: String,
    /// None only for port 0 when its device could not be opened.
    pub netdev: Option<Box<dyn Netdev>>,
    pub stats: PortStats,
    pub tx: Vec<Buffer>,
}

impl Port {
    pub fn new(name: String, kind: String, netdev: Option<Box<dyn Netdev>>) -> Port {
        Port {
            name,
            kind,
            netdev,
            stats: PortStats::default(),
            tx: Vec::with_capacity(TX_FLUSH_AT),
        }
    }

    /// Sends the queued packets (one call, up to the whole queue) and
    /// returns the buffers to `pool`.
    pub fn flush(&mut self, pool: &mut Vec<Buffer>) {
        if self.tx.is_empty() {
            return;
        }
        let n = self.tx.len() as u64;
        let bytes: u64 = self.tx.iter().map(|b| b.len() as u64).sum();
        let ok = match &mut self.netdev {
            Some(dev) => {
                let mut ok = true;
                for chunk in self.tx.chunks(TX_FLUSH_AT) {
                    // A fixed array of references: no allocation per flush.
                    let mut refs: [&Buffer; TX_FLUSH_AT] = [&chunk[0]; TX_FLUSH_AT];
                    for (r, b) in refs.iter_mut().zip(chunk) {
                        *r = b;
                    }
                    if dev.send_buffers(&refs[..chunk.len()]).is_err() {
                        ok = false;
                    }
                }
                ok
            }
            None => false,
        };
        if ok {
            self.stats.tx_packets += n;
            self.stats.tx_bytes += bytes;
        } else {
            self.stats.tx_dropped += n;
        }
        recycle(pool, &mut self.tx);
    }
}

/// Buffers kept for reuse at most.
const POOL_MAX: usize = 1024;

pub(crate) fn recycle(pool: &mut Vec<Buffer>, from: &mut Vec<Buffer>) {
    while let Some(mut b) = from.pop() {
        if pool.len() >= POOL_MAX {
            from.clear();
            break;
        }
        b.offload = None;
        pool.push(b);
    }
}

/// The number a new port gets: the requested one if free; on the dummy
/// datapath, like the reference, the number in the name (`p3` -> 3, `br0`
/// -> 100); otherwise the lowest free number from 1.
pub(crate) fn choose_port_no(
    ports: &BTreeMap<u32, Port>,
    dp_type: &str,
    name: &str,
    requested: Option<u32>,
) -> Result<u32, String> {
    if let Some(n) = requested {
        if ports.contains_key(&n) {
            return Err(format!("{name}: requested port {n} is in use"));
        }
        return Ok(n);
    }
    if dp_type == "dummy" {
        let digits = name.trim_start_matches(|c: char| !c.is_ascii_digit());
        if !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit()) {
            if let Ok(mut n) = digits.parse::<u32>() {
                if name.starts_with("br") {
                    n += 100;
                }
                if n != 0 && !ports.contains_key(&n) {
                    return Ok(n);
                }
            }
        }
    }
    (1..u32::from(u16::MAX))
        .find(|n| !ports.contains_key(n))
        .ok_or_else(|| format!("{name}: no free datapath port number"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ports(nos: &[u32]) -> BTreeMap<u32, Port> {
        nos.iter()
            .map(|n| (*n, Port::new(format!("x{n}"), "dummy".into(), None)))
            .collect()
    }

    #[test]
    fn dummy_datapath_numbers_ports_after_their_names() {
        let p = ports(&[0]);
        assert_eq!(choose_port_no(&p, "dummy", "p3", None), Ok(3));
        assert_eq!(choose_port_no(&p, "dummy", "br0", None), Ok(100));
        assert_eq!(choose_port_no(&p, "dummy", "br1", None), Ok(101));
        assert_eq!(choose_port_no(&p, "dummy", "eth", None), Ok(1));
        assert_eq!(choose_port_no(&ports(&[0, 3]), "dummy", "p3", None), Ok(1));
        assert_eq!(choose_port_no(&p, "netdev", "p3", None), Ok(1));
        assert_eq!(choose_port_no(&p, "netdev", "p3", Some(9)), Ok(9));
        assert!(choose_port_no(&ports(&[0, 9]), "netdev", "p3", Some(9)).is_err());
    }
}
