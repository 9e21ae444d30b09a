//! The library against the real switch's own bytes, and against damaged bytes.
//!
//! The corpus is loaded into the real switch (one bridge per OpenFlow version) with
//! the real `ovs-ofctl`; then a raw connection asks the switch for everything
//! (features, config, description, tables, ports, flows, groups, meters) and the
//! multipart replies are split into one message per entry. That gives a few
//! thousand messages encoded by the reference itself, nearly all of which the real
//! `ovs-ofctl ofp-print` decodes cleanly (checked here; for the rest it prints an
//! error, which ours must print too). Then:
//!
//! - `openflow::msg::decode` must accept every one and `openflow::msg::format` must
//!   print exactly what the real ofp-print prints;
//! - truncations and single-byte corruptions of them must give `Ok` or a
//!   typed error from `decode` and a text from `format`, never a panic.
//!
//! Setting `OXVS_WRITE_FUZZ_SEEDS=1` also writes every tenth distinct message as a
//! seed for the `of_msg_decode` fuzz target (fuzz/corpus/of_msg_decode/seed-real-*).

mod corpus;

use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::OnceLock;

use corpus::wire::hex;
use corpus::{par_map, real_switch_messages, VERSIONS};
use testkit::run;

/// One message the real switch sent.
struct RealMessage {
    /// e.g. "OpenFlow13 reply 7, entry 3".
    what: String,
    bytes: Vec<u8>,
    /// What the real `ovs-ofctl ofp-print` prints for it.
    real_print: String,
    /// Whether the real ofp-print decodes it without error. The switch encodes a
    /// few actions in OpenFlow 1.0 replies that the real tool cannot read back
    /// (controller with userdata, for one); ours must then print the same error.
    clean: bool,
}

/// Every message, collected once per test process (the switch is stopped before
/// this returns, so nothing outlives the tests).
fn messages() -> &'static [RealMessage] {
    // A failure is kept too, so that it is reported once and not retried by every
    // test thread.
    static MESSAGES: OnceLock<Result<Vec<RealMessage>, String>> = OnceLock::new();
    let result = MESSAGES.get_or_init(|| {
        catch_unwind(collect).map_err(|e| {
            e.downcast_ref::<String>()
                .cloned()
                .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "collecting the real messages panicked".into())
        })
    });
    match result {
        Ok(m) => m,
        Err(e) => panic!("{e}"),
    }
}

fn collect() -> Vec<RealMessage> {
    let raw = real_switch_messages("corpus_real_wire", &VERSIONS);
    let printed = par_map(&raw, |(_, bytes)| {
        run(corpus::ofctl_command(testkit::real_ovs::OVS_OFCTL, None)
            .arg("ofp-print")
            .arg(hex(bytes)))
    });
    if std::env::var_os("OXVS_WRITE_FUZZ_SEEDS").is_some() {
        write_seeds(&raw);
    }
    raw.into_iter()
        .zip(printed)
        .map(|((what, bytes), out)| RealMessage {
            what,
            clean: corpus::parsed_cleanly(&out),
            bytes,
            real_print: out.stdout,
        })
        .collect()
}

/// Writes every tenth distinct message as a seed for the `of_msg_decode` fuzz target.
fn write_seeds(raw: &[(String, Vec<u8>)]) {
    let dir = testkit::workspace_root().join("fuzz/corpus/of_msg_decode");
    if let Err(e) = std::fs::create_dir_all(&dir) {
        panic!("cannot create {}: {e}", dir.display());
    }
    let mut seen = std::collections::HashSet::new();
    let distinct = raw.iter().filter(|(_, b)| seen.insert(b.clone()));
    // Every tenth: enough of every message type and version to start from.
    for (i, (_, bytes)) in distinct.enumerate().step_by(10) {
        let path = dir.join(format!("seed-real-{i:04}"));
        if let Err(e) = std::fs::write(&path, bytes) {
            panic!("cannot write {}: {e}", path.display());
        }
    }
}

#[test]
fn the_real_switch_gives_thousands_of_cleanly_decodable_messages() {
    let msgs = messages();
    let mut by_version: BTreeMap<u8, usize> = BTreeMap::new();
    for m in msgs {
        *by_version.entry(m.bytes[0]).or_default() += 1;
    }
    eprintln!("real messages per wire version: {by_version:?}");
    assert_eq!(by_version.len(), 6, "{by_version:?}");
    assert!(msgs.len() >= 2500, "only {} messages", msgs.len());
    let unclean: Vec<&str> = msgs
        .iter()
        .filter(|m| !m.clean)
        .map(|m| m.what.as_str())
        .collect();
    eprintln!(
        "{} the real ofp-print cannot decode: {unclean:?}",
        unclean.len()
    );
    assert!(
        unclean.len() * 100 <= msgs.len(),
        "{} messages do not decode",
        unclean.len()
    );
}

#[test]
fn library_decodes_and_prints_every_real_message_as_the_reference_does() {
    let msgs = messages();
    let mut failures = Vec::new();
    for m in msgs {
        let result = catch_unwind(AssertUnwindSafe(|| {
            let decoded = openflow::msg::decode(&m.bytes);
            let printed = openflow::msg::format(&m.bytes, 0);
            (decoded.map(|_| ()), printed)
        }));
        match result {
            Err(_) => failures.push(format!("{}: PANIC on {}", m.what, hex(&m.bytes))),
            // Where the reference cannot decode it either, only the text counts.
            Ok((Err(e), _)) if m.clean => failures.push(format!(
                "{}: decode error {e:?} on {}",
                m.what,
                hex(&m.bytes)
            )),
            Ok((_, printed)) if printed != m.real_print => failures.push(format!(
                "{}: printed differently ({})\n  real: {}\n  ours: {}",
                m.what,
                hex(&m.bytes),
                m.real_print.trim_end().replace('\n', "\n        "),
                printed.trim_end().replace('\n', "\n        ")
            )),
            Ok(_) => {}
        }
    }
    report(&failures, msgs.len(), "real switch messages");
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

/// Damaged versions of `msg`: truncations (keeping the header's length, and with
/// the length patched to match) at up to 256 places, so every short one and a
/// spread of the long ones (an OpenFlow 1.0 table stats reply is 16 kB), and
/// single-byte corruptions at up to 48 positions, each to a few values.
fn damaged(msg: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for n in (0..msg.len()).step_by((msg.len() / 256).max(1)) {
        out.push(msg[..n].to_vec());
        if n >= 4 {
            let mut t = msg[..n].to_vec();
            let len = u16::try_from(n).unwrap_or(u16::MAX);
            t[2..4].copy_from_slice(&len.to_be_bytes());
            out.push(t);
        }
    }
    let stride = (msg.len() / 48).max(1);
    for pos in (0..msg.len()).step_by(stride) {
        for f in [
            |b: u8| b ^ 0xff,
            |b: u8| b ^ 0x01,
            |_| 0,
            |b: u8| b.wrapping_add(0x80),
        ] {
            let mut c = msg.to_vec();
            c[pos] = f(c[pos]);
            out.push(c);
        }
    }
    // Longer than the header says, and a trailing byte with the length patched.
    let mut longer = msg.to_vec();
    longer.push(0);
    out.push(longer.clone());
    if let Ok(len) = u16::try_from(longer.len()) {
        longer[2..4].copy_from_slice(&len.to_be_bytes());
        out.push(longer);
    }
    out
}

#[test]
fn library_survives_every_truncation_and_corruption_of_real_messages() {
    let msgs = messages();
    // Distinct messages only: the six versions repeat many shapes.
    let mut distinct: Vec<&RealMessage> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for m in msgs {
        if seen.insert(&m.bytes) {
            distinct.push(m);
        }
    }
    let results = par_map(&distinct, |m| {
        let mut panics = Vec::new();
        let mut checked = 0usize;
        for input in damaged(&m.bytes) {
            checked += 1;
            let r = catch_unwind(AssertUnwindSafe(|| {
                let _ = openflow::msg::decode(&input);
                let _ = openflow::msg::format(&input, 0);
            }));
            if r.is_err() {
                panics.push(format!("{}: PANIC on {}", m.what, hex(&input)));
            }
        }
        (checked, panics)
    });
    let checked: usize = results.iter().map(|(n, _)| n).sum();
    let panics: Vec<String> = results.into_iter().flat_map(|(_, p)| p).collect();
    eprintln!("{checked} damaged inputs from {} messages", distinct.len());
    report(&panics, checked, "damaged real messages");
}
