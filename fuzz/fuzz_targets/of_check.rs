//! The checks behind the OpenFlow fuzz targets `of_msg_decode` and `of_flow_parse`.
//!
//! Shared, unchanged, by the targets (`mod of_check;` next to them) and by
//! `crates/openflow/tests/fuzz_corpus.rs` (`#[path]`), which replays the seed corpora
//! on stable Rust without a fuzzer. Uses only `openflow` and std.

// Each target uses one of the checks.
#![allow(dead_code)]

use openflow::flow_text::parse_flow_mod;
use openflow::msg::flow_mod::FlowModCommand;
use openflow::msg::{self, Message};
use openflow::protocol::Protocols;
use openflow::version::Version;

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The protocol a decoded message is encoded back in: its version's, and for
/// OpenFlow 1.0 the Nicira form with table ids, which carries everything the
/// standard OpenFlow 1.0 form carries and more.
fn protocol_for(v: Version) -> Protocols {
    match v {
        Version::Of10 => Protocols::OF10_NXM_TID,
        _ => Protocols::of_version(v),
    }
}

/// `of_msg_decode`: any bytes as one OpenFlow message.
///
/// - `msg::format` (what `ovs-ofctl ofp-print` prints) never panics, at any
///   verbosity the tool takes;
/// - what `msg::decode` accepts encodes again (`msg::encode`) to bytes that decode,
///   and encoding that second result gives the same bytes (encoding is stable once
///   the first decode has normalised the message).
///
/// Returns whether the input decoded.
pub fn msg_decode(data: &[u8]) -> bool {
    for verbosity in 0..=3 {
        let _ = msg::format(data, verbosity);
    }
    let Ok((header, decoded)) = msg::decode(data) else {
        return false;
    };
    let p = protocol_for(header.version);
    let first = msg::encode(&decoded, p, header.xid);
    let again = match msg::decode(&first) {
        Ok((_, m)) => m,
        Err(e) => panic!(
            "a decoded message encodes to bytes that do not decode ({e:?})\n\
             input:      {}\nre-encoded: {}\nmessage: {decoded:?}",
            hex(data),
            hex(&first)
        ),
    };
    let second = msg::encode(&again, p, header.xid);
    assert!(
        first == second,
        "encoding is not stable\ninput:  {}\nfirst:  {}\nsecond: {}",
        hex(data),
        hex(&first),
        hex(&second)
    );
    let _ = msg::format(&first, 0);
    true
}

/// `of_flow_parse`: any text as an `ovs-ofctl` flow, for every flow-mod command.
///
/// What `flow_text::parse_flow_mod` accepts is encoded in every protocol it says can
/// carry it; decoding and printing those bytes never panics, and neither does
/// encoding what decodes. (A decode *error* is not a failure: the reference also
/// encodes a few actions in versions it cannot read them back in.)
///
/// Returns how many (command, protocol) encodings were made.
pub fn flow_parse(data: &[u8]) -> usize {
    let Ok(text) = std::str::from_utf8(data) else {
        return 0;
    };
    let mut made = 0;
    for command in FlowModCommand::ALL {
        let Ok((fm, usable)) = parse_flow_mod(text, command, None) else {
            continue;
        };
        let message = Message::FlowMod(fm);
        for p in usable.iter() {
            let bytes = msg::encode(&message, p, 1);
            made += 1;
            if let Ok((_, m)) = msg::decode(&bytes) {
                let _ = msg::encode(&m, p, 1);
            }
            let _ = msg::format(&bytes, 0);
        }
    }
    made
}
