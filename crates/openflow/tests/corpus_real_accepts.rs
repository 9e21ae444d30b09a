//! The corpus itself is right: every flow and group spec is parsed cleanly by the
//! real `ovs-ofctl` in at least one OpenFlow version, every meter spec is accepted
//! by the real tool and sent to the real switch, and the corpus covers every field
//! of ovs-fields(7) and every action of ovs-actions(7) that has a wire form.
//!
//! The other corpus tests (ours against the reference, hostile input, fuzz seeds)
//! are only as good as this corpus.

mod corpus;

use std::collections::{BTreeMap, HashSet};

use corpus::{load, par_map, parsed_cleanly, real_parse, Kind, Spec, VERSIONS};
use testkit::{real_ovs, RealSwitch};

/// Runs every spec of `kind` through the real parser in every version and returns,
/// per spec, the versions that parse it cleanly. Fails listing every spec that no
/// version accepts, and every decode error.
fn versions_per_spec(kind: Kind) -> Vec<(Spec, Vec<&'static str>)> {
    real_ovs::require_real_ovs();
    let specs = load(kind);
    let results = par_map(&specs, |spec| {
        let mut ok = Vec::new();
        let mut problems = Vec::new();
        for v in VERSIONS {
            let out = real_parse(kind, Some(v), &spec.text);
            if parsed_cleanly(&out) {
                ok.push(v);
            } else if out.success() {
                problems.push(format!("{v}: decode error:\n{}", out.stdout));
            } else {
                problems.push(format!("{v}: {}", out.stderr.trim()));
            }
        }
        (ok, problems)
    });
    let mut failures = Vec::new();
    let mut out = Vec::new();
    for (spec, (ok, problems)) in specs.into_iter().zip(results) {
        if ok.is_empty() {
            failures.push(format!(
                "{}\n  {}",
                spec.describe(kind),
                problems.join("\n  ")
            ));
        }
        out.push((spec, ok));
    }
    assert!(
        failures.is_empty(),
        "{} specs are not accepted by the real ovs-ofctl in any version:\n{}",
        failures.len(),
        failures.join("\n")
    );
    out
}

/// How many specs each set of versions holds, for the test log.
fn summary(per_spec: &[(Spec, Vec<&'static str>)]) -> String {
    let mut by_set: BTreeMap<String, usize> = BTreeMap::new();
    for (_, vs) in per_spec {
        *by_set.entry(vs.join(",")).or_default() += 1;
    }
    by_set
        .into_iter()
        .map(|(set, n)| format!("{n:4}  {set}"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn every_flow_is_parsed_by_the_real_ovs_ofctl() {
    let per_spec = versions_per_spec(Kind::Flows);
    eprintln!("flows per set of versions:\n{}", summary(&per_spec));
    // Each version must get a good share of the corpus, or the per-version
    // comparisons prove little.
    for v in VERSIONS {
        let n = per_spec.iter().filter(|(_, vs)| vs.contains(&v)).count();
        assert!(n >= 250, "only {n} flows are expressible in {v}");
    }
}

#[test]
fn every_group_is_parsed_by_the_real_ovs_ofctl() {
    let per_spec = versions_per_spec(Kind::Groups);
    eprintln!("groups per set of versions:\n{}", summary(&per_spec));
}

#[test]
fn every_meter_is_accepted_by_the_real_ovs_ofctl_and_sent_to_the_switch() {
    let sw = RealSwitch::start("corpus_meters_real");
    let mut failures = Vec::new();
    let mut added = 0;
    for spec in load(Kind::Meters) {
        let out = sw.ofctl_real(&["-O", "OpenFlow13", "add-meter", "br0", &spec.text]);
        if out.success() {
            added += 1;
        } else if !out.stderr.contains("OFPT_ERROR") {
            // Refused before anything was sent: a syntax error in the corpus.
            failures.push(format!("{}: {}", spec.describe(Kind::Meters), out.stderr));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(added >= 15, "the switch took only {added} meters");
}

#[test]
fn corpus_is_large_and_has_no_duplicates() {
    let mut total = 0;
    for kind in [Kind::Flows, Kind::Groups, Kind::Meters] {
        let specs = load(kind);
        let mut seen = HashSet::new();
        for s in &specs {
            assert!(
                seen.insert(s.text.clone()),
                "duplicate {}",
                s.describe(kind)
            );
            assert!(
                !s.block.is_empty(),
                "{} has no block heading",
                s.describe(kind)
            );
        }
        total += specs.len();
    }
    assert!(total >= 300, "the corpus has only {total} specs");
}

/// Fields of ovs-fields(7) that have an OXM or NXM code point (or an OpenFlow 1.0/1.1
/// match field), plus the aliases ovs-ofctl accepts for them.
const FIELDS: &[&str] = &[
    "conj_id",
    "tun_id",
    "tunnel_id",
    "tun_src",
    "tun_dst",
    "tun_ipv6_src",
    "tun_ipv6_dst",
    "tun_gbp_id",
    "tun_gbp_flags",
    "tun_erspan_ver",
    "tun_erspan_idx",
    "tun_erspan_dir",
    "tun_erspan_hwid",
    "tun_gtpu_flags",
    "tun_gtpu_msgtype",
    "tun_metadata0",
    "tun_flags",
    "in_port",
    "in_port_oxm",
    "pkt_mark",
    "actset_output",
    "packet_type",
    "ct_state",
    "ct_zone",
    "ct_mark",
    "ct_label",
    "ct_nw_src",
    "ct_nw_dst",
    "ct_ipv6_src",
    "ct_ipv6_dst",
    "ct_nw_proto",
    "ct_tp_src",
    "ct_tp_dst",
    "metadata",
    "reg0",
    "reg15",
    "xreg0",
    "xreg7",
    "xxreg0",
    "xxreg3",
    "eth_src",
    "dl_src",
    "eth_dst",
    "dl_dst",
    "eth_type",
    "dl_type",
    "dl_vlan",
    "dl_vlan_pcp",
    "vlan_vid",
    "vlan_pcp",
    "vlan_tci",
    "mpls_label",
    "mpls_tc",
    "mpls_bos",
    "mpls_ttl",
    "ip_src",
    "nw_src",
    "ip_dst",
    "nw_dst",
    "ipv6_src",
    "ipv6_dst",
    "ipv6_label",
    "nw_proto",
    "ip_proto",
    "nw_ttl",
    "ip_frag",
    "nw_frag",
    "nw_tos",
    "ip_dscp",
    "nw_ecn",
    "ip_ecn",
    "arp_op",
    "arp_spa",
    "arp_tpa",
    "arp_sha",
    "arp_tha",
    "nsh_flags",
    "nsh_ttl",
    "nsh_mdtype",
    "nsh_np",
    "nsh_spi",
    "nsp",
    "nsh_si",
    "nsi",
    "nsh_c1",
    "nsh_c2",
    "nshc2",
    "nsh_c3",
    "nsh_c4",
    "tcp_src",
    "tp_src",
    "tcp_dst",
    "tp_dst",
    "tcp_flags",
    "udp_src",
    "udp_dst",
    "sctp_src",
    "sctp_dst",
    "icmp_type",
    "icmp_code",
    "icmpv6_type",
    "icmpv6_code",
    "nd_target",
    "nd_sll",
    "nd_tll",
    "nd_reserved",
    "nd_options_type",
    "dp_hash",
    "recirc_id",
];

/// Protocol shorthands of ovs-fields(7).
const SHORTHANDS: &[&str] = &[
    "ip", "ipv6", "icmp", "icmp6", "tcp", "tcp6", "udp", "udp6", "sctp", "sctp6", "arp", "rarp",
    "mpls", "mplsm",
];

/// Actions and instructions of ovs-actions(7) with a wire form.
const ACTIONS: &[&str] = &[
    "output",
    "in_port",
    "ALL",
    "FLOOD",
    "NORMAL",
    "LOCAL",
    "TABLE",
    "drop",
    "controller",
    "enqueue",
    "bundle",
    "bundle_load",
    "group",
    "strip_vlan",
    "pop_vlan",
    "push_vlan",
    "push_mpls",
    "pop_mpls",
    "encap",
    "decap",
    "set_field",
    "load",
    "move",
    "mod_dl_src",
    "mod_dl_dst",
    "mod_nw_src",
    "mod_nw_dst",
    "mod_nw_tos",
    "mod_nw_ecn",
    "mod_nw_ttl",
    "mod_tp_src",
    "mod_tp_dst",
    "mod_vlan_vid",
    "mod_vlan_pcp",
    "dec_ttl",
    "set_mpls_label",
    "set_mpls_tc",
    "set_mpls_ttl",
    "dec_mpls_ttl",
    "dec_nsh_ttl",
    "check_pkt_larger",
    "delete_field",
    "set_tunnel",
    "set_tunnel64",
    "set_queue",
    "pop_queue",
    "ct",
    "ct_clear",
    "nat",
    "learn",
    "fin_timeout",
    "resubmit",
    "clone",
    "push",
    "pop",
    "exit",
    "multipath",
    "conjunction",
    "note",
    "sample",
    "meter",
    "clear_actions",
    "write_actions",
    "write_metadata",
    "goto_table",
];

/// Flow-mod keywords of ovs-ofctl(8).
const KEYWORDS: &[&str] = &[
    "table",
    "priority",
    "cookie",
    "idle_timeout",
    "hard_timeout",
    "importance",
    "send_flow_rem",
    "check_overlap",
    "reset_counts",
    "no_packet_counts",
    "no_byte_counts",
];

/// Whether `word` occurs in `text` as a whole token (not inside a longer name).
fn has_token(text: &str, word: &str) -> bool {
    let is_name = |c: char| c.is_ascii_alphanumeric() || c == '_';
    text.match_indices(word).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + word.len()..].chars().next();
        !before.is_some_and(is_name) && !after.is_some_and(is_name)
    })
}

#[test]
fn corpus_covers_every_field_action_and_keyword() {
    let flows: Vec<String> = load(Kind::Flows).into_iter().map(|s| s.text).collect();
    let matches: Vec<&str> = flows
        .iter()
        .map(|f| f.split("actions=").next().unwrap_or(""))
        .collect();
    let actions: Vec<&str> = flows
        .iter()
        .filter_map(|f| f.split_once("actions=").map(|(_, a)| a))
        .collect();
    let mut missing = Vec::new();
    for f in FIELDS.iter().chain(SHORTHANDS).chain(KEYWORDS) {
        if !matches.iter().any(|m| has_token(m, f)) {
            missing.push(format!("match {f}"));
        }
    }
    for a in ACTIONS {
        if !actions.iter().any(|m| has_token(m, a)) {
            missing.push(format!("action {a}"));
        }
    }
    // Every field is also written by set_field somewhere when it is writable; at
    // least the common ones must be.
    for f in [
        "eth_src",
        "ip_src",
        "ipv6_dst",
        "tcp_dst",
        "vlan_vid",
        "mpls_label",
        "tun_id",
        "reg0",
        "metadata",
    ] {
        if !actions.iter().any(|a| a.contains(&format!("->{f}"))) {
            missing.push(format!("set_field to {f}"));
        }
    }
    assert!(
        missing.is_empty(),
        "the corpus lacks: {}",
        missing.join(", ")
    );
}

#[test]
fn group_corpus_covers_every_type_and_bucket_parameter() {
    let groups: Vec<String> = load(Kind::Groups).into_iter().map(|s| s.text).collect();
    for needle in [
        "type=all",
        "type=select",
        "type=indirect",
        "type=fast_failover",
        "type=ff",
        "weight",
        "watch_port",
        "watch_group",
        "bucket_id",
        "selection_method=hash",
        "selection_method=dp_hash",
        "selection_method_param",
        "fields(",
        "fields=",
    ] {
        assert!(
            groups.iter().any(|g| g.contains(needle)),
            "no group uses {needle}"
        );
    }
    let meters: Vec<String> = load(Kind::Meters).into_iter().map(|s| s.text).collect();
    for needle in [
        "kbps",
        "pktps",
        "burst",
        "burst_size",
        "stats",
        "type=drop",
        "type=dscp_remark",
        "prec_level",
        "meter=controller",
    ] {
        assert!(
            meters.iter().any(|m| m.contains(needle)),
            "no meter uses {needle}"
        );
    }
}

#[test]
fn the_loader_reads_blocks_and_skips_comments() {
    let flows = load(Kind::Flows);
    let first = &flows[0];
    assert_eq!(first.text, "actions=drop");
    assert!(
        first.block.starts_with("flow-mod keywords"),
        "{}",
        first.block
    );
    assert!(flows
        .iter()
        .all(|s| !s.text.starts_with('#') && !s.text.is_empty()));
    assert_eq!(
        corpus::strip_log_times("2026-11-21T04:53:11Z|00001|ofp_actions|WARN|x|y\nplain"),
        "<time>|ofp_actions|WARN|x|y\nplain"
    );
    assert_eq!(
        corpus::with_own_priority("actions=drop", 3),
        "priority=40003,actions=drop"
    );
    assert_eq!(
        corpus::with_own_priority("table=1 priority=5 ip actions=drop", 3),
        "table=1 priority=5 ip actions=drop"
    );
    assert_eq!(
        corpus::with_own_priority("ip,actions=learn(priority=5,eth_src)", 0),
        "priority=40000,ip,actions=learn(priority=5,eth_src)"
    );
    assert!(has_token("ip,nw_src=1", "ip"));
    assert!(!has_token("ipv6,nw_src=1", "ip"));
}
