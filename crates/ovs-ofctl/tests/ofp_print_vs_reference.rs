//! `ovs-ofctl ofp-print HEX` prints what the real one prints, for messages the real
//! switch itself encoded (the whole corpus dumped back as flow stats, group
//! descriptions and meter configurations, one message per entry, plus features,
//! config, description, table, port and feature replies, in every OpenFlow
//! version), and for hostile input: every kind of truncation, single-byte
//! corruptions, garbage hex. Our tool must never crash (no signal, no Rust panic)
//! and must give the same output, error text and exit code as the reference.

mod common;
#[path = "../../openflow/tests/corpus/mod.rs"]
mod corpus;

use std::sync::OnceLock;

use common::{offline, Mismatches, Seen, Side};
use corpus::wire::hex;
use corpus::{par_map, real_switch_messages, VERSIONS};

/// A message and what it is ("OpenFlow13 reply 7, entry 3").
type Described = (String, Vec<u8>);

/// The distinct messages of the real switch (collected once per process; the
/// switch is gone before any comparison starts).
fn messages() -> &'static [Described] {
    static MESSAGES: OnceLock<Result<Vec<Described>, String>> = OnceLock::new();
    let result = MESSAGES.get_or_init(|| {
        std::panic::catch_unwind(|| {
            let mut seen = std::collections::HashSet::new();
            real_switch_messages("ofp_print_vs_reference", &VERSIONS)
                .into_iter()
                .filter(|(_, b)| seen.insert(b.clone()))
                .collect()
        })
        .map_err(|e| {
            e.downcast_ref::<String>()
                .cloned()
                .unwrap_or_else(|| "collecting the real messages panicked".into())
        })
    });
    match result {
        Ok(m) => m,
        Err(e) => panic!("{e}"),
    }
}

/// Whether our run crashed rather than failed: killed by a signal, or a Rust panic.
fn crashed(out: &testkit::Output) -> bool {
    out.code().is_none() || out.stderr.contains("panicked at")
}

/// Runs `ofp-print` with `args` on both tools for every input, in parallel, and
/// compares; crashes of ours are listed first.
fn compare_all(inputs: &[(String, Vec<String>)], what: &str) {
    let results = par_map(inputs, |(label, args)| {
        let a: Vec<&str> = args.iter().map(String::as_str).collect();
        let real = offline(Side::Real, &a);
        let ours = offline(Side::Ours, &a);
        (
            label.clone(),
            crashed(&ours),
            Seen::of(&real),
            Seen::of(&ours),
        )
    });
    let crashes: Vec<String> = results
        .iter()
        .filter(|(_, c, _, _)| *c)
        .map(|(label, _, _, ours)| format!("{label}: CRASH\n{}", ours.stderr))
        .collect();
    assert!(
        crashes.is_empty(),
        "{what}: our ofp-print crashed on {} inputs:\n{}",
        crashes.len(),
        crashes
            .iter()
            .take(20)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    let mut m = Mismatches::default();
    for (label, _, real, ours) in &results {
        m.check(label, real, ours);
    }
    m.finish(what);
}

#[test]
fn ofp_print_of_every_real_switch_message_matches_the_reference() {
    let inputs: Vec<(String, Vec<String>)> = messages()
        .iter()
        .map(|(what, bytes)| {
            (
                format!("{what}: ofp-print {}", hex(bytes)),
                vec!["ofp-print".to_string(), hex(bytes)],
            )
        })
        .collect();
    assert!(inputs.len() >= 1000, "only {} messages", inputs.len());
    compare_all(&inputs, "ofp-print of real switch messages");
}

#[test]
fn ofp_print_verbosity_matches_the_reference() {
    // Every 20th message, at verbosities 1..=3, with the hex spaced and split
    // as people paste it (the decoding itself is the first test's business).
    let mut inputs = Vec::new();
    for (what, bytes) in messages().iter().step_by(20) {
        for verbosity in ["1", "2", "3"] {
            let spaced: Vec<String> = bytes.iter().map(|b| format!("{b:02x}")).collect();
            inputs.push((
                format!("{what}: ofp-print (spaced) {verbosity}"),
                vec!["ofp-print".into(), spaced.join(" "), verbosity.into()],
            ));
        }
    }
    compare_all(&inputs, "ofp-print with verbosity");
}

/// Damaged copies of `msg`: truncations (with the header's length kept and with it
/// patched), and corruptions of single bytes at up to `positions` places.
fn damaged(msg: &[u8], positions: usize) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    // About eight truncation points per message: enough to cut every part
    // of it (header, fixed body, entries) while the CI run stays short.
    let step = (msg.len() / 8).max(1);
    for n in (0..msg.len()).step_by(step) {
        out.push((format!("truncated to {n}"), msg[..n].to_vec()));
        if n >= 4 {
            let mut t = msg[..n].to_vec();
            t[2..4].copy_from_slice(&u16::try_from(n).unwrap_or(0).to_be_bytes());
            out.push((format!("truncated to {n}, length patched"), t));
        }
    }
    let stride = (msg.len() / positions).max(1);
    for pos in (0..msg.len()).step_by(stride) {
        for (name, value) in [("0xff", 0xffu8), ("0x00", 0), ("flipped", msg[pos] ^ 0x80)] {
            let mut c = msg.to_vec();
            c[pos] = value;
            out.push((format!("byte {pos} set to {name}"), c));
        }
    }
    let mut longer = msg.to_vec();
    longer.extend_from_slice(&[0; 8]);
    out.push(("8 bytes more than its length".into(), longer.clone()));
    if let Ok(len) = u16::try_from(longer.len()) {
        longer[2..4].copy_from_slice(&len.to_be_bytes());
        out.push(("8 trailing bytes inside its length".into(), longer));
    }
    out
}

#[test]
fn ofp_print_of_damaged_messages_matches_the_reference_and_never_crashes() {
    // A spread of message types and versions: every 40th message.
    let mut inputs = Vec::new();
    for (what, bytes) in messages().iter().step_by(40) {
        for (how, input) in damaged(bytes, 7) {
            inputs.push((
                format!("{what}, {how}: ofp-print {}", hex(&input)),
                vec!["ofp-print".to_string(), hex(&input)],
            ));
        }
    }
    assert!(inputs.len() >= 2000, "only {} inputs", inputs.len());
    compare_all(&inputs, "ofp-print of damaged messages");
}

#[test]
fn ofp_print_of_garbage_matches_the_reference_and_never_crashes() {
    let garbage: &[&str] = &[
        "",
        "0",
        "abc",
        "zz",
        "01",
        "0100",
        "01000008",
        "0100000800000001",
        "0100000800000001ff",
        "0100000700000001",
        "0100000000000001",
        "0700000800000001",
        "0000000800000001",
        "06ff000800000001",
        "01ff000800000001",
        "010e000800000001",
        "040e000800000001",
        "0412000800000001",
        "0413000800000001",
        "0413001000000001ffff000000000000",
        "0404001000000001000023200000000a",
        "0404001000000001000023200000ffff",
        "0104001000000001000023200000000d",
        "01 00 00 08 00 00 00 01",
        "01:00:00:08:00:00:00:01",
        "0100ffff00000001",
        "ffffffffffffffff",
        "0601001000000001000100060000000000",
        "0600001000000001000100080000007e",
        "0600001000000001000100040000007e",
        "060000100000000100ff00080000007e",
        "0412005000000001000100000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
    ];
    let mut inputs = Vec::new();
    for g in garbage {
        inputs.push((
            format!("ofp-print \"{g}\""),
            vec!["ofp-print".to_string(), g.to_string()],
        ));
    }
    // Every message type byte in every version, header only and with 8 zero bytes.
    for v in 1..=6u8 {
        for t in 0..=40u8 {
            for body in ["", "0000000000000000"] {
                let len = 8 + body.len() / 2;
                let h = format!("{v:02x}{t:02x}{len:04x}00000001{body}");
                inputs.push((format!("ofp-print {h}"), vec!["ofp-print".to_string(), h]));
            }
        }
    }
    compare_all(&inputs, "ofp-print of garbage");
}
