//! Our `ovs-ofctl parse-flow` and `parse-group` print exactly what the real ones print,
//! for every spec of the corpus (crates/openflow/tests/corpus), without `-O` and with
//! each of `-O OpenFlow10` .. `-O OpenFlow15`.
//!
//! `parse-flow` parses the text, encodes the flow-mod in the chosen protocol, decodes
//! those bytes again and prints them, so equal output proves the text parser, the
//! protocol choice ("usable protocols: ..."), the encoder and the decoder together.
//! Versions that cannot express a spec are compared too: the error and exit code
//! must be the same.

mod common;
#[path = "../../openflow/tests/corpus/mod.rs"]
mod corpus;

use common::{offline, Mismatches, Seen, Side};
use corpus::{load, par_map, Kind, VERSIONS};

/// Runs `command SPEC` with both tools, without `-O` and with every version, and
/// compares exit code, stdout and stderr.
fn compare_corpus(kind: Kind) {
    testkit::require_real_ovs();
    let command = match kind.parse_command() {
        Some(c) => c,
        None => panic!("no parse command for {kind:?}"),
    };
    let specs = load(kind);
    let versions: Vec<Option<&str>> = std::iter::once(None)
        .chain(VERSIONS.iter().map(|v| Some(*v)))
        .collect();
    let results = par_map(&specs, |spec| {
        versions
            .iter()
            .map(|v| {
                let mut args: Vec<&str> = Vec::new();
                if let Some(v) = v {
                    args.extend(["-O", v]);
                }
                args.extend([command, spec.text.as_str()]);
                let real = Seen::of(&offline(Side::Real, &args));
                let ours = Seen::of(&offline(Side::Ours, &args));
                (
                    format!("{} (-O {})", spec.describe(kind), v.unwrap_or("default")),
                    real,
                    ours,
                )
            })
            .collect::<Vec<_>>()
    });
    let mut m = Mismatches::default();
    let mut usable = 0;
    for (what, real, ours) in results.iter().flatten() {
        if real.code == Some(0) {
            usable += 1;
        }
        m.check(what, real, ours);
    }
    // Most (spec, version) pairs are expressible; if not, the oracle is broken.
    assert!(
        usable * 2 > m.checked,
        "the real tool accepted only {usable} of {} runs",
        m.checked
    );
    m.finish(&format!("{command} over {}", kind.file_name()));
}

#[test]
fn parse_flow_of_every_corpus_flow_matches_the_reference() {
    compare_corpus(Kind::Flows);
}

#[test]
fn parse_group_of_every_corpus_group_matches_the_reference() {
    compare_corpus(Kind::Groups);
}

/// `parse-flows FILE` reads many flows and numbers them by xid; the whole corpus
/// subset that OpenFlow 1.5 expresses goes through it in one run.
#[test]
fn parse_flows_of_a_file_matches_the_reference() {
    testkit::require_real_ovs();
    let specs = load(Kind::Flows);
    for version in ["OpenFlow10", "OpenFlow13", "OpenFlow15"] {
        let usable: Vec<String> = par_map(&specs, |s| {
            corpus::parsed_cleanly(&corpus::real_parse(Kind::Flows, Some(version), &s.text))
                .then(|| s.text.clone())
        })
        .into_iter()
        .flatten()
        .collect();
        let dir = testkit::RunDir::new("parse_flows_file");
        let path = dir.file("flows.txt");
        std::fs::write(&path, usable.join("\n") + "\n").unwrap();
        let path = path.display().to_string();
        let args = ["-O", version, "parse-flows", path.as_str()];
        let real = Seen::of(&offline(Side::Real, &args));
        let ours = Seen::of(&offline(Side::Ours, &args));
        assert_eq!(real.code, Some(0), "{}", real.stderr);
        let mut m = Mismatches::default();
        m.check(&format!("parse-flows -O {version}"), &real, &ours);
        m.finish("parse-flows");
    }
}

/// Errors in flow text: the same message and exit status as the reference.
#[test]
fn parse_flow_errors_match_the_reference() {
    testkit::require_real_ovs();
    let bad = [
        "tcp,tp_dst=xx,actions=drop",
        "nosuchfield=1,actions=drop",
        "in_port=nosuchport,actions=drop",
        "actions=nosuchaction",
        "actions=output:",
        "actions=resubmit(,300)",
        "priority=65536,actions=drop",
        "table=256,actions=drop",
        "idle_timeout=65536,actions=drop",
        "cookie=xyz,actions=drop",
        "ip,nw_src=10.0.0.0/33,actions=drop",
        "ip,nw_src=1.2.3,actions=drop",
        "dl_src=00:11:22:33:44,actions=drop",
        "ipv6,ipv6_src=2001:db8::g,actions=drop",
        "tp_dst=80,actions=drop",
        "ip,tcp_flags=+syn,actions=drop",
        "tcp,tcp_flags=+nosuchflag,actions=drop",
        "ct_state=+nosuchstate,actions=drop",
        "reg16=1,actions=drop",
        "vlan_tci=0x10000,actions=drop",
        "actions=set_field:1->nosuchfield",
        "actions=load:1->NXM_NX_REG0[40..47]",
        "actions=move:reg0[]->reg1[0..15]",
        "actions=learn(",
        "actions=ct(commit,zone=65536)",
        "actions=drop,output:1",
        "actions=conjunction(1,3/2)",
        "actions=meter:0",
        "actions=goto_table:1,goto_table:2",
        "actions=group:4294967296",
        "actions=note:zz",
        "actions=sample(probability=0)",
        "actions=multipath(eth_src,50,nosuchalgo,1,0,reg0[])",
        "actions=bundle(eth_src,0,hrw,ofport,members:)",
        "actions=enqueue:1",
        "actions=controller(reason=nosuchreason)",
        "actions=encap(nosuchheader)",
        "actions=dec_ttl(",
        "importance=5,tcp,actions=drop,",
        "",
        ",",
        "actions",
    ];
    let mut m = Mismatches::default();
    for spec in bad {
        for v in [
            None,
            Some("OpenFlow10"),
            Some("OpenFlow13"),
            Some("OpenFlow15"),
        ] {
            let mut args: Vec<&str> = Vec::new();
            if let Some(v) = v {
                args.extend(["-O", v]);
            }
            args.extend(["parse-flow", spec]);
            let real = Seen::of(&offline(Side::Real, &args));
            let ours = Seen::of(&offline(Side::Ours, &args));
            m.check(&format!("parse-flow `{spec}` (-O {v:?})"), &real, &ours);
        }
    }
    m.finish("parse-flow errors");
}
