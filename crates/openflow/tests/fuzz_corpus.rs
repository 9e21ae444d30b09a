//! Replays the seed corpora of the `of_msg_decode` and `of_flow_parse` fuzz targets
//! (`fuzz/corpus/`) through the targets' own checks (`fuzz/fuzz_targets/of_check.rs`,
//! compiled in unchanged), so CI exercises them on stable Rust without a fuzzer.
//!
//! Seeds: `of_flow_parse` gets one file per corpus flow (`seed-flow-NNN`) and
//! `of_msg_decode` one library encoding per corpus flow, group and meter
//! (`seed-lib-*`), both written by this test when `OXVS_WRITE_FUZZ_SEEDS=1` is set;
//! `of_msg_decode` also gets every tenth distinct message of the real switch
//! (`seed-real-NNNN`, written by `corpus_real_wire.rs` under the same variable).

mod corpus;
#[path = "../../../fuzz/fuzz_targets/of_check.rs"]
mod of_check;
#[path = "../../../fuzz/src/replay.rs"]
mod replay;

use std::path::PathBuf;

use corpus::{load, Kind};
use openflow::flow_text::parse_flow_mod;
use openflow::msg::flow_mod::FlowModCommand;
use openflow::msg::group::{parse_group_mod, GroupModCommand, GroupTextCommand};
use openflow::msg::meter::{parse_meter, MeterModCommand, MeterTextCommand};
use openflow::msg::{self, Message};

fn fuzz_corpus(target: &str) -> PathBuf {
    testkit::workspace_root().join("fuzz/corpus").join(target)
}

/// Writes the seeds when asked to (see the module comment); a no-op otherwise.
/// Each corpus flow is encoded in one of the protocols it allows (rotating through
/// them, so every protocol gets its share), each group and meter in the newest.
fn write_seeds_if_asked() {
    if std::env::var_os("OXVS_WRITE_FUZZ_SEEDS").is_none() {
        return;
    }
    let write = |dir: &PathBuf, name: String, data: &[u8]| {
        if let Err(e) =
            std::fs::create_dir_all(dir).and_then(|()| std::fs::write(dir.join(&name), data))
        {
            panic!("cannot write seed {}/{name}: {e}", dir.display());
        }
    };
    let flow_dir = fuzz_corpus("of_flow_parse");
    let msg_dir = fuzz_corpus("of_msg_decode");
    for (i, spec) in load(Kind::Flows).iter().enumerate() {
        write(&flow_dir, format!("seed-flow-{i:03}"), spec.text.as_bytes());
        let Ok((fm, usable)) = parse_flow_mod(&spec.text, FlowModCommand::Add, None) else {
            continue;
        };
        let protocols: Vec<_> = usable.iter().collect();
        if let Some(p) = protocols.get(i % protocols.len().max(1)) {
            let bytes = msg::encode(&Message::FlowMod(fm), *p, 1);
            write(&msg_dir, format!("seed-lib-flow-{i:03}"), &bytes);
        }
    }
    for (i, spec) in load(Kind::Groups).iter().enumerate() {
        let parsed = parse_group_mod(
            &spec.text,
            GroupTextCommand::Mod(GroupModCommand::Add),
            None,
        );
        if let Ok((gm, usable)) = parsed {
            if let Some(p) = usable.iter().last() {
                let bytes = msg::encode(&Message::GroupMod(gm), p, 1);
                write(&msg_dir, format!("seed-lib-group-{i:02}"), &bytes);
            }
        }
    }
    for (i, spec) in load(Kind::Meters).iter().enumerate() {
        if let Ok((mm, usable)) =
            parse_meter(&spec.text, MeterTextCommand::Mod(MeterModCommand::Add))
        {
            if let Some(p) = usable.iter().last() {
                let bytes = msg::encode(&Message::MeterMod(mm), p, 1);
                write(&msg_dir, format!("seed-lib-meter-{i:02}"), &bytes);
            }
        }
    }
}

#[test]
fn of_flow_parse_corpus_passes_the_fuzz_check() {
    write_seeds_if_asked();
    let made = replay::replay(&fuzz_corpus("of_flow_parse"), of_check::flow_parse)
        .unwrap_or_else(|failures| panic!("{failures}"));
    let parsed = made.iter().filter(|&&n| n > 0).count();
    assert!(made.len() >= 300, "only {} seeds", made.len());
    assert!(
        parsed * 10 >= made.len() * 9,
        "only {parsed} of {} seeds parse",
        made.len()
    );
}

#[test]
fn of_msg_decode_corpus_passes_the_fuzz_check() {
    write_seeds_if_asked();
    let decoded = replay::replay(&fuzz_corpus("of_msg_decode"), of_check::msg_decode)
        .unwrap_or_else(|failures| panic!("{failures}"));
    let ok = decoded.iter().filter(|&&d| d).count();
    assert!(decoded.len() >= 600, "only {} seeds", decoded.len());
    assert!(
        ok * 10 >= decoded.len() * 9,
        "only {ok} of {} seeds decode",
        decoded.len()
    );
}

/// Inputs the fuzzers found that broke a check, kept until the library is fixed
/// and then for good (fuzz/regressions/<target>/, one file each; see the README
/// there for what each one is).
#[test]
fn of_msg_decode_regressions_pass_the_fuzz_check() {
    let dir = testkit::workspace_root().join("fuzz/regressions/of_msg_decode");
    replay::replay(&dir, of_check::msg_decode).unwrap_or_else(|failures| panic!("{failures}"));
}

/// The checks fail on what they must fail on: a check that panics is reported with
/// the file's name.
#[test]
fn checks_accept_and_reject_as_documented() {
    // Not a message, not a flow: neither decodes nor parses, and neither panics.
    assert!(!of_check::msg_decode(b""));
    assert!(!of_check::msg_decode(&[1, 0, 0, 7, 0, 0, 0, 1]));
    assert_eq!(of_check::flow_parse(b"\xff\xfe"), 0);
    assert_eq!(of_check::flow_parse(b"nosuchfield=1,actions=drop"), 0);
    // An OpenFlow 1.3 hello and a plain flow.
    assert!(of_check::msg_decode(&[4, 0, 0, 8, 0, 0, 0, 1]));
    assert!(of_check::flow_parse(b"tcp,tp_dst=80,actions=output:1") >= 5);
    let dir = fuzz_corpus("of_flow_parse");
    let result = replay::replay(&dir, |data| {
        assert!(!data.contains(&b'='), "has an equals sign")
    });
    let failures = result.err().unwrap_or_default();
    assert!(failures.contains("has an equals sign"), "{failures}");
    assert!(failures.contains("seed-flow-"), "{failures}");
}
