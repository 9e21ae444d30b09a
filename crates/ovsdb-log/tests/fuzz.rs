//! Fuzz-style property tests: whatever happens to a log file's bytes, reading never
//! panics, returns only records that were written (a prefix of them, in order), and a
//! writable log recovers to a file that reads back cleanly.

mod common;

use std::path::Path;

use common::*;
use ovs_json::Json;
use ovsdb_log::{identify, Log, OpenMode};
use proptest::collection::{btree_map, vec};
use proptest::prelude::*;
use testkit::RunDir;

fn json_value() -> impl Strategy<Value = Json> {
    let leaf = prop_oneof![
        Just(Json::Null),
        any::<bool>().prop_map(Json::Bool),
        any::<i64>().prop_map(Json::Integer),
        // Halves print exactly in %.15g and are never integers, so they round-trip.
        (-100_000i32..100_000).prop_map(|k| Json::Real(f64::from(k) + 0.5)),
        // Any character but NUL, which JSON text in OVSDB cannot carry (writing one is
        // refused; see the roundtrip tests).
        "[^\\x00]{0,12}".prop_map(Json::String),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..4).prop_map(Json::Array),
            btree_map("[^\\x00]{0,6}", inner, 0..4).prop_map(Json::Object),
        ]
    })
}

fn json_record() -> impl Strategy<Value = Json> {
    btree_map("[^\\x00]{0,8}", json_value(), 0..5).prop_map(Json::Object)
}

#[derive(Clone, Debug)]
enum Damage {
    /// XOR the byte at (position modulo the length) with a non-zero mask.
    Flip(usize, u8),
    Append(Vec<u8>),
    /// Cut the file at (position modulo the length).
    Truncate(usize),
    Insert(usize, Vec<u8>),
}

fn damage() -> impl Strategy<Value = Damage> {
    prop_oneof![
        (any::<usize>(), 1u8..=255).prop_map(|(p, m)| Damage::Flip(p, m)),
        vec(any::<u8>(), 1..200).prop_map(Damage::Append),
        any::<usize>().prop_map(Damage::Truncate),
        (any::<usize>(), vec(any::<u8>(), 1..50)).prop_map(|(p, b)| Damage::Insert(p, b)),
        // Header-shaped garbage gets further into the parser than random bytes.
        (any::<u64>(), "[0-9a-fA-F]{40}", vec(any::<u8>(), 0..40)).prop_map(|(n, h, b)| {
            let mut bytes = format!("OVSDB JSON {n} {h}\n").into_bytes();
            bytes.extend(b);
            Damage::Append(bytes)
        }),
    ]
}

fn apply(bytes: &mut Vec<u8>, damage: &Damage) {
    let len = bytes.len();
    match damage {
        Damage::Flip(p, mask) => bytes[p % len] ^= mask,
        Damage::Append(tail) => bytes.extend(tail),
        Damage::Truncate(p) => bytes.truncate(p % len),
        Damage::Insert(p, b) => {
            let at = p % (len + 1);
            bytes.splice(at..at, b.iter().copied());
        }
    }
}

/// Reads `path` read-write; every record must be the written one at its index. Then
/// appends one record and checks that the file reads back cleanly as the prefix plus
/// that record. Returns how many records survived.
fn read_prefix_and_recover(path: &Path, written: &[Json]) -> usize {
    let mut log = match Log::open(path, OpenMode::ReadWrite, true) {
        Ok(log) => log,
        // Damage to the first header can make the file unidentifiable; that is
        // reported, not a panic, and there is nothing to recover.
        Err(e) => {
            assert!(!e.is_locked(), "{e}");
            return 0;
        }
    };
    let (records, error) = read_all(&mut log);
    assert!(records.len() <= written.len());
    assert_eq!(records, written[..records.len()]);
    if let Some(e) = &error {
        assert!(e.is_corruption(), "{e}");
    }
    let extra = Json::object([("recovered", Json::Bool(true))]);
    log.write_record(&extra).unwrap();
    log.commit(false).unwrap();
    drop(log);
    let (reread, error) = read_file(path);
    assert!(error.is_none(), "{error:?}");
    let mut expected = records.clone();
    expected.push(extra);
    assert_eq!(reread, expected);
    records.len()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn damaged_logs_read_a_prefix_and_recover(
        written in vec(json_record(), 1..8),
        damage in damage(),
    ) {
        let dir = RunDir::new("fuzz_damaged_logs");
        let path = dir.file("t.db");
        create(&path, &written);
        let original = std::fs::read(&path).unwrap();
        let mut bytes = original.clone();
        apply(&mut bytes, &damage);
        std::fs::write(&path, &bytes).unwrap();

        let survived = read_prefix_and_recover(&path, &written);
        // What must survive: every record that ends before the first changed byte.
        let first_change = original
            .iter()
            .zip(&bytes)
            .position(|(a, b)| a != b)
            .unwrap_or(original.len().min(bytes.len()));
        let starts = record_starts(&original);
        let intact = starts
            .iter()
            .enumerate()
            .filter(|&(i, _)| starts.get(i + 1).copied().unwrap_or(original.len()) <= first_change)
            .count();
        prop_assert!(survived >= intact, "{survived} < {intact} for {damage:?}");
        if matches!(damage, Damage::Append(_)) {
            prop_assert_eq!(survived, written.len());
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic(
        prefix_records in 0usize..3,
        garbage in vec(any::<u8>(), 0..600),
    ) {
        let dir = RunDir::new("fuzz_arbitrary_bytes");
        let path = dir.file("t.db");
        let written: Vec<Json> = (0..prefix_records)
            .map(|i| Json::object([("i", Json::Integer(i as i64))]))
            .collect();
        let mut bytes: Vec<u8> = written.iter().flat_map(frame_json).collect();
        bytes.extend(&garbage);
        std::fs::write(&path, &bytes).unwrap();
        let _ = identify(&path);
        let _ = read_file(&path);
        let survived = read_prefix_and_recover(&path, &written);
        if prefix_records > 0 {
            prop_assert_eq!(survived, prefix_records);
        }
    }
}
