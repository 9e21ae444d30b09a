//! Known behaviours the checks tolerate, each one shared with the reference (OVS 3.1),
//! which writes reals into JSON (and so into database files) with 15 significant digits.
//!
//! Shared with the crates' `tests/fuzz_corpus.rs` through `#[path]` (as a crate-root
//! module named `known`); uses `ovs_json` and std only.

use ovs_json::{format_real, Json};

/// Whether `json` holds a real that prints (as `%.15g`, like the reference) to a
/// number outside `f64`'s range, which no JSON parser here or in the reference accepts
/// back: any real above 1.79769313486232e308 in magnitude, e.g. `f64::MAX`. OVS 3.1
/// writes such a value into its database file and then refuses to read the file
/// ("number outside valid range"); oxvs prints it the same way.
pub fn has_unprintable_real(json: &Json) -> bool {
    match json {
        Json::Real(r) => format_real(*r)
            .parse::<f64>()
            .map_or(true, f64::is_infinite),
        Json::Array(items) => items.iter().any(has_unprintable_real),
        Json::Object(members) => members.values().any(has_unprintable_real),
        _ => false,
    }
}
