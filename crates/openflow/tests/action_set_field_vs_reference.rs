//! set_field (OF1.2+ OFPAT_SET_FIELD) and reg_load2 (NXAST_REG_LOAD2) with
//! every kind of TLV header — known and unknown code points, NXM and OXM
//! classes, experimenter headers, masked and not, right and wrong lengths —
//! decoded by us and by the real ovs-ofctl 3.1 (`parse-actions`), which
//! must agree exactly: the same printed actions or the same error name.
//! In particular the reference's choice between OFPBAC_BAD_SET_TYPE and
//! OFPBAC_BAD_SET_LEN for headers it cannot use. Needs /usr/bin/ovs-ofctl:
//! fails without it.

use std::path::Path;
use std::process::Command;

use openflow::action::{decode_actions, format_actions};
use openflow::buf::Reader;
use openflow::version::Version;
use testkit::run_with_stdin;

const OFCTL: &str = "/usr/bin/ovs-ofctl";

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// The reference's `parse-actions` over many inputs: per input the printed
/// actions or the error name.
fn theirs(v: Version, inputs: &[Vec<u8>]) -> Vec<Result<String, String>> {
    assert!(
        Path::new(OFCTL).exists(),
        "{OFCTL} is needed as the reference"
    );
    let stdin: String = inputs.iter().map(|i| format!("{}\n", hex(i))).collect();
    let out = run_with_stdin(
        Command::new(OFCTL).args(["parse-actions", v.name()]),
        &stdin,
    );
    let prefix = format!("bad {} actions: ", v.name());
    let results: Vec<Result<String, String>> = out
        .stdout
        .lines()
        // Lines " 7: 01 -> 00" say where the reference's re-encoding differs.
        .filter(|l| !l.is_empty() && !l.contains(" -> "))
        .map(|l| match l.strip_prefix(&prefix) {
            Some(e) => Err(e.to_string()),
            None => Ok(l.strip_prefix("actions=").unwrap_or(l).to_string()),
        })
        .collect();
    assert_eq!(
        results.len(),
        inputs.len(),
        "reference output:\n{}\n{}",
        out.stdout,
        out.stderr
    );
    results
}

fn ours(v: Version, input: &[u8]) -> Result<String, String> {
    decode_actions(v, &mut Reader::new(input))
        .map(|a| format_actions(&a, None))
        .map_err(|e| e.name().to_string())
}

/// One TLV: header (with experimenter id for class 0xffff) and `len`
/// payload bytes (the experimenter id counts in `len`), value bytes 0x01,
/// mask bytes (when masked) `mask`.
fn tlv(class: u16, field: u8, masked: bool, len: u8, exp: u32, mask: u8) -> Vec<u8> {
    let h = (u32::from(class) << 16)
        | (u32::from(field) << 9)
        | (u32::from(masked) << 8)
        | u32::from(len);
    let mut out = h.to_be_bytes().to_vec();
    let mut payload = usize::from(len);
    if class == 0xffff {
        out.extend_from_slice(&exp.to_be_bytes());
        payload = payload.saturating_sub(4);
    }
    if masked {
        // Value 0x01.., bits inside the mask.
        out.extend(std::iter::repeat_n(0x01, payload / 2));
        out.extend(std::iter::repeat_n(mask, payload - payload / 2));
    } else {
        out.extend(std::iter::repeat_n(0x01, payload));
    }
    out
}

/// `tlv` as an OFPAT_SET_FIELD action, padded to 8.
fn set_field(t: &[u8]) -> Vec<u8> {
    let mut a = vec![0x00, 0x19, 0, 0];
    a.extend_from_slice(t);
    a.resize(a.len().div_ceil(8) * 8, 0);
    let n = a.len() as u16;
    a[2..4].copy_from_slice(&n.to_be_bytes());
    a
}

/// `tlv` as an NXAST_REG_LOAD2 action, padded to 8.
fn reg_load2(t: &[u8]) -> Vec<u8> {
    let mut a = vec![0xff, 0xff, 0, 0, 0, 0, 0x23, 0x20, 0, 33];
    a.extend_from_slice(t);
    a.resize(a.len().div_ceil(8) * 8, 0);
    let n = a.len() as u16;
    a[2..4].copy_from_slice(&n.to_be_bytes());
    a
}

/// Headers over the classes OVS knows and some it does not, every field
/// number, a spread of lengths.
fn tlvs() -> Vec<Vec<u8>> {
    let mut out = vec![];
    let classes: [(u16, u32); 8] = [
        (0x0000, 0),
        (0x0001, 0),
        (0x8000, 0),
        (0x8001, 0),
        (0x0003, 0),
        (0xffff, 0x0000_2320),
        (0xffff, 0x4f4e_4600),
        (0xffff, 0x0000_1234),
    ];
    for (class, exp) in classes {
        for field in 0..128u8 {
            for masked in [false, true] {
                for len in [0u8, 1, 2, 4, 5, 6, 8, 12, 16, 20, 127, 128, 200, 255] {
                    out.push(tlv(class, field, masked, len, exp, 0xff));
                }
            }
            // Masks that cover some bits of a field, or exactly its bits
            // (how the value prints depends on it).
            if exp != 0x0000_1234 {
                for len in [2u8, 4, 8, 12, 16, 32] {
                    for mask in [0x0f, 0x03, 0x01] {
                        out.push(tlv(class, field, true, len, exp, mask));
                    }
                }
            }
        }
    }
    out
}

fn compare(v: Version, wrap: fn(&[u8]) -> Vec<u8>) {
    let inputs: Vec<Vec<u8>> = tlvs().iter().map(|t| wrap(t)).collect();
    let reference = theirs(v, &inputs);
    let mut failures = vec![];
    for (input, want) in inputs.iter().zip(&reference) {
        let got = ours(v, input);
        if &got != want {
            failures.push(format!("{v} {}: ours {got:?}, ref {want:?}", hex(input)));
        }
    }
    if let Ok(path) = std::env::var("SET_FIELD_DUMP") {
        let path = format!("{path}.{}.{}", v.name(), inputs[0][1]);
        std::fs::write(path, failures.join("\n")).expect("write dump");
    }
    assert!(
        failures.is_empty(),
        "{} of {} differ:\n{}",
        failures.len(),
        inputs.len(),
        failures[..failures.len().min(40)].join("\n")
    );
}

#[test]
fn set_field_headers_like_the_reference_of13() {
    compare(Version::Of13, set_field);
}

#[test]
fn set_field_headers_like_the_reference_of15() {
    compare(Version::Of15, set_field);
}

#[test]
fn reg_load2_headers_like_the_reference() {
    compare(Version::Of10, reg_load2);
}

/// Action lists (not instructions) are verified member by member: the
/// first of an instruction (write_metadata) and a ct_mark write outside ct
/// decides the error.
#[test]
fn action_lists_are_verified_member_by_member() {
    // NXAST_WRITE_METADATA: metadata 1, mask all ones.
    let wm = "ffff00200000232000160000000000000000000000000001ffffffffffffffff";
    let ct_mark = "001900100001d6040000000100000000";
    let unhex = |s: &str| -> Vec<u8> {
        (0..s.len() / 2)
            .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).expect("hex"))
            .collect()
    };
    let inputs = vec![
        unhex(&format!("{wm}{ct_mark}")),
        unhex(&format!("{ct_mark}{wm}")),
        unhex(wm),
        unhex(ct_mark),
    ];
    for v in [Version::Of13, Version::Of15] {
        let reference = theirs(v, &inputs);
        for (input, want) in inputs.iter().zip(&reference) {
            assert_eq!(&ours(v, input), want, "{v} {}", hex(input));
        }
    }
}
