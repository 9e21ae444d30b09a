//! The library's own encodings of the whole corpus, whole and damaged.
//!
//! Every corpus flow, group and meter is parsed with the library's text parsers
//! and encoded with `openflow::msg::encode` in every protocol that can carry it.
//! Then:
//! - each encoding decodes (`openflow::msg::decode`) and encodes back to the same
//!   bytes;
//! - every truncation of it and single-byte corruptions at many places give `Ok`
//!   or a typed error from `decode`, and some text from `format`: never a panic.
//!
//! The real `ovs-ofctl` only says which versions can carry each spec (it encodes a
//! few actions in versions it cannot read them back in); everything else is the
//! library alone. The other corpus tests hold the library against the reference.

mod corpus;

use std::panic::{catch_unwind, AssertUnwindSafe};

use corpus::wire::hex;
use corpus::{load, par_map, Kind};
use openflow::flow_text::parse_flow_mod;
use openflow::msg::flow_mod::FlowModCommand;
use openflow::msg::group::{parse_group_mod, GroupModCommand, GroupTextCommand};
use openflow::msg::meter::{parse_meter, MeterModCommand, MeterTextCommand};
use openflow::msg::{self, Message};
use openflow::protocol::Protocols;

/// One encoding of one spec.
struct Encoded {
    /// e.g. "flows.txt:12 `tcp,actions=drop` in OXM-OpenFlow13".
    what: String,
    protocol: Protocols,
    bytes: Vec<u8>,
}

/// Parses every spec and encodes it in each protocol it allows. Parse errors (the
/// corpus is valid for the real tool, so there should be none) are returned too.
fn encodings() -> (Vec<Encoded>, Vec<String>) {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    let mut add = |kind: Kind,
                   spec: &corpus::Spec,
                   parsed: Result<(Message, Protocols), String>| {
        match parsed {
            Ok((m, usable)) => {
                for p in usable.iter() {
                    let r = catch_unwind(AssertUnwindSafe(|| msg::encode(&m, p, 0x1234)));
                    match r {
                        Ok(bytes) => out.push(Encoded {
                            what: format!(
                                "{} in {}",
                                spec.describe(kind),
                                p.single_name().unwrap_or("?")
                            ),
                            protocol: p,
                            bytes,
                        }),
                        Err(_) => errors.push(format!(
                            "{}: encode PANICKED in {}",
                            spec.describe(kind),
                            p.single_name().unwrap_or("?")
                        )),
                    }
                }
            }
            Err(e) => errors.push(format!("{}: {e}", spec.describe(kind))),
        }
    };
    let guarded = |f: &dyn Fn() -> Result<(Message, Protocols), String>| {
        catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|_| Err("parse PANICKED".into()))
    };
    for spec in load(Kind::Flows) {
        let parsed = guarded(&|| {
            parse_flow_mod(&spec.text, FlowModCommand::Add, None)
                .map(|(fm, p)| (Message::FlowMod(fm), p))
        });
        add(Kind::Flows, &spec, parsed);
    }
    for spec in load(Kind::Groups) {
        let parsed = guarded(&|| {
            parse_group_mod(
                &spec.text,
                GroupTextCommand::Mod(GroupModCommand::Add),
                None,
            )
            .map(|(gm, p)| (Message::GroupMod(gm), p))
        });
        add(Kind::Groups, &spec, parsed);
    }
    for spec in load(Kind::Meters) {
        let parsed = guarded(&|| {
            parse_meter(&spec.text, MeterTextCommand::Mod(MeterModCommand::Add))
                .map(|(mm, p)| (Message::MeterMod(mm), p))
        });
        add(Kind::Meters, &spec, parsed);
    }
    (out, errors)
}

/// Fails listing the first failures.
#[track_caller]
fn report(failures: &[String], checked: usize, what: &str) {
    if failures.is_empty() {
        return;
    }
    let shown: Vec<&str> = failures.iter().take(30).map(String::as_str).collect();
    panic!(
        "{} of {checked} {what} failed:\n{}{}",
        failures.len(),
        shown.join("\n"),
        if failures.len() > shown.len() {
            format!("\n... and {} more", failures.len() - shown.len())
        } else {
            String::new()
        }
    );
}

#[test]
fn every_corpus_spec_parses_encodes_decodes_and_encodes_back_the_same() {
    let (encoded, mut failures) = encodings();
    assert!(
        encoded.len() >= 2000,
        "only {} encodings (parse failures: {})",
        encoded.len(),
        failures.len()
    );
    // Only where the real tool itself reads its encoding back: it encodes some
    // actions in versions it cannot decode them in (decap in OpenFlow 1.0, say).
    let specs: Vec<(Kind, corpus::Spec)> = [Kind::Flows, Kind::Groups]
        .into_iter()
        .flat_map(|k| load(k).into_iter().map(move |s| (k, s)))
        .collect();
    let real: std::collections::HashMap<String, Vec<&str>> = par_map(&specs, |(k, s)| {
        (s.describe(*k), corpus::real_versions(*k, &s.text))
    })
    .into_iter()
    .collect();
    let mut checked = 0;
    for e in &encoded {
        let version = e.protocol.version().map(|v| v.name());
        let spec = e.what.rsplit_once(" in ").map_or("", |(s, _)| s);
        if let (Some(vs), Some(v)) = (real.get(spec), version) {
            if !vs.contains(&v) {
                continue;
            }
        }
        checked += 1;
        let r = catch_unwind(AssertUnwindSafe(|| {
            let (_, m) = msg::decode(&e.bytes).map_err(|err| format!("decode error {err:?}"))?;
            let again = msg::encode(&m, e.protocol, 0x1234);
            if again != e.bytes {
                return Err(format!(
                    "encodes back differently:\n    first:  {}\n    second: {}",
                    hex(&e.bytes),
                    hex(&again)
                ));
            }
            let printed = msg::format(&e.bytes, 0);
            if printed.contains("decode error") {
                return Err(format!("format reports an error: {printed}"));
            }
            Ok(())
        }));
        match r {
            Ok(Ok(())) => {}
            Ok(Err(why)) => failures.push(format!("{}: {why} ({})", e.what, hex(&e.bytes))),
            Err(_) => failures.push(format!("{}: PANIC on {}", e.what, hex(&e.bytes))),
        }
    }
    report(&failures, checked, "corpus encodings");
}

/// Every truncation (header length kept, and patched to match) and corruptions of
/// single bytes (at up to 32 places, to 4 values each) of `msg`.
fn damaged(msg: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for n in 0..msg.len() {
        out.push(msg[..n].to_vec());
        if n >= 4 {
            let mut t = msg[..n].to_vec();
            t[2..4].copy_from_slice(&u16::try_from(n).unwrap_or(0).to_be_bytes());
            out.push(t);
        }
    }
    let stride = (msg.len() / 32).max(1);
    for pos in (0..msg.len()).step_by(stride) {
        for value in [0u8, 0xff, msg[pos] ^ 0x01, msg[pos] ^ 0x80] {
            let mut c = msg.to_vec();
            c[pos] = value;
            out.push(c);
        }
    }
    out
}

#[test]
fn decode_and_format_survive_every_truncation_and_corruption() {
    let (mut encoded, _) = encodings();
    // Many protocols encode a spec alike; damaging the same bytes twice adds nothing.
    let mut seen = std::collections::HashSet::new();
    encoded.retain(|e| seen.insert(e.bytes.clone()));
    let results = par_map(&encoded, |e| {
        let mut panics = Vec::new();
        let inputs = damaged(&e.bytes);
        for input in &inputs {
            let r = catch_unwind(AssertUnwindSafe(|| {
                if let Ok((_, m)) = msg::decode(input) {
                    // Whatever decodes must encode without panicking.
                    let _ = msg::encode(&m, e.protocol, 1);
                }
                let _ = msg::format(input, 0);
            }));
            if r.is_err() {
                panics.push(format!("{}: PANIC on {}", e.what, hex(input)));
            }
        }
        (inputs.len(), panics)
    });
    let checked: usize = results.iter().map(|(n, _)| n).sum();
    let panics: Vec<String> = results.into_iter().flat_map(|(_, p)| p).collect();
    eprintln!("{checked} damaged inputs from {} encodings", encoded.len());
    assert!(checked >= 500_000, "only {checked} damaged inputs");
    report(&panics, checked, "damaged encodings");
}
