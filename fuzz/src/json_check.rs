//! Check for the `json_parse` target: the JSON parser on arbitrary bytes.
//!
//! Whatever the input, parsing returns a value or an error (no panic), and a parsed value
//! prints, compact and pretty, to text that parses back to the same value. Reals print
//! with 15 significant digits, so they only have to come back close, and exactly equal
//! after one round trip.
//!
//! Shared with `crates/ovs-json/tests/fuzz_corpus.rs` through `#[path]` (as a
//! crate-root module named `json_check`), so it uses nothing but `ovs_json` and std.

use ovs_json::{parse, parse_bytes, parse_value, Json, ParseError};

/// Runs every check on one input; panics (with what went wrong) on a violation.
/// Returns whether either parser accepted the input.
pub fn check(data: &[u8]) -> bool {
    let document = parse_bytes(data);
    match &document {
        Ok(value) => {
            assert!(
                matches!(value, Json::Array(_) | Json::Object(_)),
                "parse_bytes returned a {} at top level",
                value.type_name()
            );
            round_trip(value, parse);
        }
        Err(e) => check_error(e, data),
    }
    // `parse_value` takes text; it must agree with `parse_bytes` wherever both apply.
    let Ok(text) = std::str::from_utf8(data) else {
        return document.is_ok();
    };
    let any = parse_value(text);
    match (&document, &any) {
        (Ok(a), Ok(b)) => assert_eq!(a, b, "parse_bytes and parse_value disagree"),
        (Ok(_), Err(e)) => panic!("parse_value refused what parse_bytes accepted: {e}"),
        (Err(e), Ok(b)) => {
            assert!(
                !matches!(b, Json::Array(_) | Json::Object(_)),
                "parse_bytes refused a container that parse_value accepted: {e}"
            );
            assert!(
                e.message.contains("beginning of input"),
                "parse_bytes refused a scalar with {e}"
            );
        }
        (Err(a), Err(b)) => {
            // They only differ when parse_bytes stopped at a scalar top level.
            if a != b {
                assert!(
                    a.message.contains("beginning of input"),
                    "errors differ: parse_bytes {a}, parse_value {b}"
                );
            }
            check_error(b, data);
        }
    }
    if let Ok(value) = &any {
        round_trip(value, parse_value);
    }
    document.is_ok() || any.is_ok()
}

/// An error points inside (or just past) the input and formats without panicking.
fn check_error(e: &ParseError, data: &[u8]) {
    assert!(
        e.byte <= data.len(),
        "error at byte {} of a {}-byte input",
        e.byte,
        data.len()
    );
    assert!(!e.to_string().is_empty());
}

/// Prints `value` both ways and parses the output back with `reparse`.
fn round_trip(value: &Json, reparse: fn(&str) -> Result<Json, ParseError>) {
    let compact = value.to_compact();
    let pretty = value.to_pretty();
    let once = reparse(&compact)
        .unwrap_or_else(|e| panic!("compact output does not parse ({e}): {compact:?}"));
    let once_pretty = reparse(&pretty)
        .unwrap_or_else(|e| panic!("pretty output does not parse ({e}): {pretty:?}"));
    assert_eq!(
        once, once_pretty,
        "compact and pretty outputs parse differently"
    );
    assert_close(value, &once, "$");
    // After one round trip every real has its printed value: nothing changes anymore.
    let again = once.to_compact();
    let twice = reparse(&again)
        .unwrap_or_else(|e| panic!("reprinted output does not parse ({e}): {again:?}"));
    assert_eq!(twice, once, "second print round trip changed the value");
}

/// `b` (parsed from the printed `a`) equals `a`, except that a real may come back as
/// the nearest 15-significant-digit number (as a real or, if integral, an integer).
fn assert_close(a: &Json, b: &Json, at: &str) {
    match (a, b) {
        (Json::Real(x), Json::Real(_) | Json::Integer(_)) => {
            let y = b.as_f64().unwrap_or(f64::NAN);
            let tolerance = x.abs() * 1e-14;
            assert!(
                (x - y).abs() <= tolerance,
                "{at}: real {x:e} came back as {y:e}"
            );
        }
        (Json::Array(xs), Json::Array(ys)) => {
            assert_eq!(xs.len(), ys.len(), "{at}: array length changed");
            for (i, (x, y)) in xs.iter().zip(ys).enumerate() {
                assert_close(x, y, &format!("{at}[{i}]"));
            }
        }
        (Json::Object(xs), Json::Object(ys)) => {
            assert!(xs.keys().eq(ys.keys()), "{at}: object member names changed");
            for ((name, x), y) in xs.iter().zip(ys.values()) {
                assert_close(x, y, &format!("{at}.{name}"));
            }
        }
        _ => assert_eq!(a, b, "{at}: value changed in a print round trip"),
    }
}
