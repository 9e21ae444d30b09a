//! The benchmark's flow table: `n` distinct, deterministic, mixed flows.
//!
//! Flow `i` goes to table `i % 10` with priority `1 + (i / 10) % 60000`, so no two
//! flows share (table, priority) below 600,000 flows and every flow stays on the
//! switch. Matches and actions rotate through common shapes (L2, VLAN, IPv4 and
//! IPv6 with CIDR masks, TCP/UDP ports, ARP, registers, metadata) so that both
//! tools parse, encode and print a realistic mix. Every flow can be carried by
//! OpenFlow 1.0 with the Nicira extensions and by OpenFlow 1.3-1.5.

/// A small deterministic generator (64-bit LCG), so every run uses the same file.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u32 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) as u32
    }
}

/// Flow `i` of the table.
pub fn flow(i: usize, rng: &mut impl FnMut() -> u32) -> String {
    let table = i % 10;
    let priority = 1 + (i / 10) % 60_000;
    let r = rng();
    let port = 1 + r % 3;
    let ip = |x: u32| {
        format!(
            "{}.{}.{}.{}",
            10 + (x >> 24) % 100,
            (x >> 16) & 0xff,
            (x >> 8) & 0xff,
            x & 0xff
        )
    };
    let matches = match i % 12 {
        0 => format!(
            "in_port={port},dl_src=02:00:{:02x}:{:02x}:{:02x}:{:02x}",
            r >> 24,
            (r >> 16) & 0xff,
            (r >> 8) & 0xff,
            r & 0xff
        ),
        1 => format!(
            "dl_vlan={},dl_dst=02:00:00:00:{:02x}:{:02x}",
            r % 4095,
            (r >> 8) & 0xff,
            r & 0xff
        ),
        2 => format!("ip,nw_src={}/{}", ip(r), 8 + r % 25),
        3 => format!("tcp,nw_dst={},tp_dst={}", ip(r), r % 65536),
        4 => format!("udp,in_port={port},nw_src={},tp_src={}", ip(r), r % 65536),
        5 => format!("ipv6,ipv6_src=2001:db8:{:x}:{:x}::/64", r >> 16, r & 0xffff),
        6 => format!("arp,arp_tpa={}", ip(r)),
        7 => format!("reg0={},reg1=0x{:x}/0xffff", r % 1000, r),
        8 => format!("metadata=0x{:x}/0xffffffff,ip", r),
        9 => format!(
            "tcp6,ipv6_dst=2001:db8::{:x},tp_dst={}",
            r & 0xffff,
            r % 65536
        ),
        10 => format!("icmp,icmp_type={},nw_src={}", r % 256, ip(r)),
        _ => format!("udp,nw_tos={},udp_dst={}", (r % 64) * 4, r % 65536),
    };
    let next_table = (table + 1).min(9);
    let actions = match (i / 12) % 8 {
        0 => format!("output:{port}"),
        1 => format!("mod_vlan_vid:{},output:{port}", 1 + r % 4094),
        2 => format!("resubmit(,{next_table})"),
        3 => format!("load:0x{:x}->NXM_NX_REG2[],resubmit(,{next_table})", r),
        4 => "NORMAL".to_string(),
        5 => format!(
            "set_field:02:00:00:00:00:{:02x}->eth_dst,output:{port}",
            r & 0xff
        ),
        6 => "drop".to_string(),
        _ => format!(
            "mod_dl_src:02:00:00:00:00:{:02x},output:{port},output:LOCAL",
            r & 0xff
        ),
    };
    format!("table={table},priority={priority},cookie=0x{i:x},{matches},actions={actions}")
}

/// The whole file: `n` flows, one per line.
pub fn flows_file(n: usize) -> String {
    let mut lcg = Lcg(0x0f1c_7be4);
    let mut rng = || lcg.next();
    let mut out = String::with_capacity(n * 96);
    for i in 0..n {
        out.push_str(&flow(i, &mut rng));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flows_are_deterministic_distinct_and_mixed() {
        let a = flows_file(2000);
        assert_eq!(a, flows_file(2000));
        let lines: Vec<&str> = a.lines().collect();
        assert_eq!(lines.len(), 2000);
        let keys: std::collections::HashSet<(&str, &str)> = lines
            .iter()
            .map(|l| {
                let mut it = l.split(',');
                (it.next().unwrap(), it.next().unwrap())
            })
            .collect();
        assert_eq!(keys.len(), 2000, "every (table, priority) differs");
        for shape in [
            "dl_src=",
            "dl_vlan=",
            "nw_src=",
            "tp_dst=",
            "ipv6_src=",
            "arp_tpa=",
            "reg0=",
            "metadata=",
            "icmp_type=",
            "nw_tos=",
        ] {
            assert!(a.contains(shape), "no flow matches {shape}");
        }
        for action in [
            "output:",
            "mod_vlan_vid:",
            "resubmit(",
            "load:",
            "NORMAL",
            "set_field:",
            "drop",
            "mod_dl_src:",
        ] {
            assert!(a.contains(action), "no flow does {action}");
        }
    }
}
