//! MPLS actions against the real ovs-vswitchd: push_mpls (lazily emitted
//! with the label stack entry later set_mpls_* actions leave), pop_mpls,
//! set_mpls_label/tc/ttl and dec_mpls_ttl on MPLS packets; whole
//! `ofproto/trace` texts compared. Fails if the real Open vSwitch is missing.

mod common;

use common::{compare, Pair, Step::*};

#[test]
fn mpls_push_pop_set_and_dec_ttl() {
    let pair = Pair::build(
        "xl-mpls",
        &[
            Bridge("br0"),
            Port("br0", "p1", 1, ""),
            Port("br0", "p2", 2, ""),
            Port("br0", "p3", 3, ""),
            Flow(
                "br0",
                "in_port=1,ip,actions=push_mpls:0x8847,set_mpls_label:10,set_mpls_tc:3,dec_mpls_ttl,output:2",
            ),
            Flow("br0", "in_port=1,arp,actions=push_mpls:0x8848,set_mpls_ttl:9,output:2"),
            Flow("br0", "in_port=2,mpls,actions=pop_mpls:0x0800,output:1"),
            Flow(
                "br0",
                "in_port=3,mpls,actions=set_mpls_label:77,dec_mpls_ttl,output:1,set_mpls_tc:5,output:2",
            ),
            Flow(
                "br0",
                "in_port=1,ipv6,actions=mod_dl_src:00:00:00:00:00:07,push_mpls:0x8847,output:2,pop_mpls:0x86dd,output:3",
            ),
        ],
    );
    let diffs = compare(
        &pair,
        &[
            ("br0", "in_port=1,tcp,nw_ttl=64,nw_tos=0x28"),
            ("br0", "in_port=1,udp,nw_ttl=5,nw_tos=0xfc"),
            ("br0", "in_port=1,arp"),
            ("br0", "in_port=2,mpls,mpls_label=5,mpls_ttl=3,mpls_bos=1"),
            (
                "br0",
                "in_port=3,mpls,mpls_label=5,mpls_tc=1,mpls_ttl=3,mpls_bos=1",
            ),
            ("br0", "in_port=1,ipv6,nw_ttl=9"),
            ("br0", "in_port=3,mpls,mpls_label=5,mpls_ttl=1,mpls_bos=1"),
        ],
        true,
    );
    assert!(
        diffs.is_empty(),
        "{} differences:\n{}",
        diffs.len(),
        diffs.join("\n\n")
    );
}
